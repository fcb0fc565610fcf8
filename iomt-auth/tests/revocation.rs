//! Revoked peers fail the handshake (issue 21): the one credential lookup of the EDHOC
//! state machines consults the trust store's revocation list, for a device credential
//! (refused by the gateway) and an operator credential (refused by the device); the
//! failure has its own code (560), is audited with it, and the peer gets ERR_CODE 3.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

mod common;

use common::{cred_i, cred_r, local_i, local_r, store_of_i, store_of_r, t};
use iomt_auth::AuthError;
use iomt_auth::audit::{AuditEvent, AuditLog, Event, RamAuditStore};
use iomt_auth::cred::{
    RevocationError, RevocationList, RevocationState, RevokingTrustStore, revocation::MAX_LIST_LEN,
};
use iomt_auth::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_core::Timestamp;
use iomt_crypto::{DeterministicProvider, prelude::*};

const REVOKED: AuthError = AuthError::Revocation(RevocationError::Revoked);

/// A revocation state with list 4 installed, naming `revoked` (and another credential).
fn revocations(c: &mut DeterministicProvider, revoked: &[&[u8]]) -> RevocationState {
    let authority = c.static_key(&[3; 32]).unwrap();
    let mut list = RevocationList::new(4, Timestamp::from_secs(1_800_000_000));
    list.revoke_credential(c, b"some other credential").unwrap();
    for r in revoked {
        list.revoke_credential(c, r).unwrap();
    }
    let mut signed = [0u8; MAX_LIST_LEN];
    let n = list.sign(c, &authority, &mut signed).unwrap();
    let pk = c.p256_public_key(&authority).unwrap();
    let mut state = RevocationState::new();
    state.install(c, &signed[..n], &pk).unwrap();
    state
}

/// A whole handshake (method 0, suite 2) with both trust stores checked against the list
/// naming `revoked`. Returns (initiator error, responder error, the failed side's EDHOC
/// error message).
fn handshake(revoked: &[&[u8]]) -> (Option<AuthError>, Option<AuthError>, Vec<u8>) {
    let (ci, cr) = (cred_i(), cred_r());
    let mut c = DeterministicProvider::new();
    let rev = revocations(&mut c, revoked);
    let (inner_i, inner_r) = (store_of_i(&cr), store_of_r(&ci));
    let (trust_i, trust_r) = (
        RevokingTrustStore::new(&inner_i, &rev),
        RevokingTrustStore::new(&inner_r, &rev),
    );
    let (sk_i, sk_r) = (
        c.static_key(&t("SK_I")).unwrap(),
        c.static_key(&t("SK_R")).unwrap(),
    );
    let me_i = local_i(&sk_i, &ci);
    let me_r = local_r(&sk_r, &cr);
    let mut is = InitiatorState::<DeterministicProvider>::new(&InitiatorConfig {
        method: Method::SigSig,
        suites: &[2],
        c_i: ConnId::new(&[1]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let mut rs = ResponderState::<DeterministicProvider>::new(&ResponderConfig {
        suites: &[2],
        methods: &Method::ALL,
        c_r: ConnId::new(&[2]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let (mut a, mut b, mut err) = ([0u8; 512], [0u8; 512], [0u8; 64]);
    let n = is.write_message_1(&mut c, &[], &mut a).unwrap();
    let n = rs
        .handle_message_1(&mut c, &a[..n], &me_r, &[], &mut b)
        .unwrap();
    let n = match is.handle_message_2(&mut c, &mut b[..n], &trust_i, &me_i, &[], &mut a) {
        Ok(n) => n,
        Err(e) => {
            let k = is.error_message(&mut err).unwrap().unwrap();
            return (Some(e), None, err[..k].to_vec());
        }
    };
    match rs.handle_message_3(&mut c, &mut a[..n], &trust_r, &[], &mut b) {
        Ok(_) => {
            assert!(rs.completed().is_some());
            (None, None, Vec::new())
        }
        Err(e) => {
            assert!(rs.completed().is_none());
            let k = rs.error_message(&mut err).unwrap().unwrap();
            (None, Some(e), err[..k].to_vec())
        }
    }
}

#[test]
fn revoked_device_fails_the_handshake() {
    assert_eq!(handshake(&[]), (None, None, vec![]));
    // the device (responder, RFC 9529's R) is revoked: the initiator refuses it, and
    // answers ERR_CODE 3 (true) as for an unknown credential
    assert_eq!(
        handshake(&[&cred_r()]),
        (Some(REVOKED), None, vec![0x03, 0xf5])
    );
}

#[test]
fn revoked_operator_fails_the_handshake() {
    // the operator (initiator, clinician role in the device's trust store) is revoked
    assert_eq!(
        handshake(&[&cred_i()]),
        (None, Some(REVOKED), vec![0x03, 0xf5])
    );
}

#[test]
fn the_refusal_is_audited_with_its_own_code() {
    let (_, e, _) = handshake(&[&cred_i()]);
    let mut c = DeterministicProvider::new();
    let mut log = AuditLog::open(&mut c, RamAuditStore::<4>::new(), [1; 8]).unwrap();
    log.record(&mut c, Timestamp::from_secs(1), Event::handshake_failed(e))
        .unwrap();
    let r = log.read(0).unwrap();
    assert_eq!(r.event, AuditEvent::HandshakeFailed);
    assert_eq!(r.detail.0[..4], 560u32.to_be_bytes());
    assert_eq!((REVOKED.code(), REVOKED.wire_err_code()), (560, Some(3)));
}
