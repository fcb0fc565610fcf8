//! Credentials are strict deterministic CBOR at every level (issue "incident-ready AAA",
//! item 3): duplicate keys, out-of-order keys and deep nesting are refused in a CCS,
//! whether parsed directly or received by value inside EDHOC message_2.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use common::*;
use iomt_auth::AuthError;
use iomt_auth::cred::{CcsView, IdCred, LocalCredential};
use iomt_auth::edhoc::*;
use iomt_auth::error::{CborError, PeerMisbehaved};
use iomt_crypto::{DeterministicProvider, StaticKey};

const INVALID_CREDENTIAL: AuthError = AuthError::PeerMisbehaved(PeerMisbehaved::InvalidCredential);

/// CRED_R of RFC 9529 §3 with `extra` claims appended (map head adjusted).
fn cred_r_with(extra_claims: u8, extra: &[u8]) -> Vec<u8> {
    let mut cred = cred_r();
    assert_eq!(cred[0], 0xa2, "CRED_R is a two-claim map");
    cred[0] = 0xa2 + extra_claims;
    cred.extend_from_slice(extra);
    cred
}

/// 3,000 nested arrays around a zero.
fn deep_arrays() -> Vec<u8> {
    let mut v = vec![0x81; 3000];
    v.push(0x00);
    v
}

#[test]
fn the_rfc_credentials_and_well_formed_extra_claims_parse() {
    assert!(CcsView::parse(&cred_r()).is_ok());
    assert!(CcsView::parse(&cred_i()).is_ok());
    // two unknown claims in order, one holding a small nested map: still accepted, so the
    // refusals below are about order, duplicates and depth, not about unknown claims
    let ok = cred_r_with(2, &[0x0a, 0x00, 0x0b, 0xa2, 0x01, 0x00, 0x02, 0x81, 0x00]);
    assert_eq!(CcsView::parse(&ok).unwrap().subject, Some("example.edu"));
}

#[test]
fn duplicate_unknown_claims_are_refused() {
    let dup = cred_r_with(2, &[0x0a, 0x00, 0x0a, 0x01]);
    assert_eq!(CcsView::parse(&dup).unwrap_err(), INVALID_CREDENTIAL);
}

#[test]
fn out_of_order_claims_are_refused() {
    // unknown claims 11 then 10
    let unsorted = cred_r_with(2, &[0x0b, 0x00, 0x0a, 0x00]);
    assert_eq!(CcsView::parse(&unsorted).unwrap_err(), INVALID_CREDENTIAL);
    // the known claims swapped: cnf (8) before sub (2)
    let cred = cred_r();
    let sub_len = 1 + 1 + 11; // 02 6b "example.edu"
    let mut swapped = vec![0xa2];
    swapped.extend_from_slice(&cred[1 + sub_len..]);
    swapped.extend_from_slice(&cred[1..=sub_len]);
    assert_eq!(CcsView::parse(&swapped).unwrap_err(), INVALID_CREDENTIAL);
}

#[test]
fn out_of_order_cose_key_parameters_are_refused() {
    // COSE_Key a5 01 02 02 41 32 20 01 21 58 20 <x> 22 58 20 <y>: move crv (-1) after x (-2)
    let cred = cred_r();
    let crv_at = cred
        .windows(4)
        .position(|w| w == [0x20, 0x01, 0x21, 0x58])
        .unwrap();
    let x_len = 2 + 34;
    let mut moved = cred[..crv_at].to_vec();
    moved.extend_from_slice(&cred[crv_at + 2..crv_at + 2 + x_len]);
    moved.extend_from_slice(&[0x20, 0x01]);
    moved.extend_from_slice(&cred[crv_at + 2 + x_len..]);
    assert_eq!(moved.len(), cred.len());
    assert_eq!(CcsView::parse(&moved).unwrap_err(), INVALID_CREDENTIAL);
}

#[test]
fn duplicates_nested_inside_unknown_claims_are_refused() {
    // claim 10 = {1: 0, 1: 0}
    let nested_dup = cred_r_with(1, &[0x0a, 0xa2, 0x01, 0x00, 0x01, 0x00]);
    assert_eq!(CcsView::parse(&nested_dup).unwrap_err(), INVALID_CREDENTIAL);
}

#[test]
fn deep_nesting_inside_unknown_claims_is_refused() {
    let mut deep = cred_r_with(1, &[0x0a]);
    deep.extend_from_slice(&deep_arrays());
    assert_eq!(CcsView::parse(&deep).unwrap_err(), INVALID_CREDENTIAL);
}

/// Runs message_1 and message_2 (method 3, suite 2) with the responder sending `cred_r`
/// by value, and returns the initiator's verdict on message_2.
fn initiator_on_message_2_with(cred_r: &[u8]) -> Result<(), AuthError> {
    let mut c = DeterministicProvider::new();
    c.queue_ephemeral(&t("X")).unwrap();
    c.queue_ephemeral(&t("Y")).unwrap();
    let sk_r = StaticKey::from_bytes(&t("SK_R")).unwrap();
    let me_r = LocalCredential {
        key: &sk_r,
        cred: cred_r,
        id_cred: IdCred::Ccs(cred_r),
    };
    let store_i = store_of_i(cred_r);
    let icfg = InitiatorConfig {
        method: Method::StatStat,
        suites: &[2],
        c_i: ConnId::new(&[0x37]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    };
    let rcfg = ResponderConfig {
        suites: &[2],
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    };
    let mut buf = [0u8; 512];
    let (i, n) =
        Initiator::<DeterministicProvider>::new(&icfg)?.prepare_message_1(&mut c, &[], &mut buf)?;
    let m1 = buf[..n].to_vec();
    let r = Responder::<DeterministicProvider>::new(&rcfg)?.process_message_1(&mut c, &m1)?;
    let (_r, n) = r.prepare_message_2(&mut c, &me_r, &[], &mut buf)?;
    let mut m2 = buf[..n].to_vec();
    i.parse_message_2(&mut c, &mut m2)?
        .verify_with_store(&mut c, &store_i)?;
    Ok(())
}

#[test]
fn credentials_by_value_in_message_2_are_strict() {
    // control: the genuine credential by value is accepted
    assert_eq!(initiator_on_message_2_with(&cred_r()), Ok(()));
    let cbor = |e| Err(AuthError::PeerMisbehaved(PeerMisbehaved::Cbor(e)));
    assert_eq!(
        initiator_on_message_2_with(&cred_r_with(2, &[0x0a, 0x00, 0x0a, 0x01])),
        cbor(CborError::DuplicateMapKey)
    );
    assert_eq!(
        initiator_on_message_2_with(&cred_r_with(2, &[0x0b, 0x00, 0x0a, 0x00])),
        cbor(CborError::UnsortedMapKeys)
    );
}
