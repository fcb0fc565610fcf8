//! Tests of [`super`]: the list format, installation order and the handshake refusing a
//! revoked peer (device and operator credentials).
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::prelude::rust_2024::*;

use iomt_core::Role;
use iomt_crypto::{CryptoProvider, DeterministicProvider};

use super::*;
use crate::AuthError;
use crate::audit::{AuditEvent, AuditLog, Event, RamAuditStore};
use crate::cred::{IdCred, LocalCredential, PeerIdentity, RevokingTrustStore, RoleSet};
use crate::cred::{StaticTrustStore, TrustEntry};
use crate::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}
const CRED_I: &str = "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
const SK_I: &str = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
const SK_R: &str = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";
const T: u64 = 1_800_000_000;

struct Authority {
    crypto: DeterministicProvider,
    key: <DeterministicProvider as CryptoProvider>::KeyHandle,
    public: PublicKey,
}

fn authority(seed: u8) -> Authority {
    let mut crypto = DeterministicProvider::new();
    let key = crypto.static_key(&[seed; 32]).unwrap();
    let public = crypto.p256_public_key(&key).unwrap();
    Authority {
        crypto,
        key,
        public,
    }
}

fn signed(a: &mut Authority, number: u32, revoked: &[&[u8]]) -> Vec<u8> {
    let mut l = RevocationList::new(number, Timestamp::from_secs(T));
    for c in revoked {
        l.revoke_credential(&mut a.crypto, c).unwrap();
    }
    let mut out = vec![0u8; MAX_LIST_LEN];
    let n = l.sign(&mut a.crypto, &a.key, &mut out).unwrap();
    out.truncate(n);
    out
}

#[test]
fn full_list_fits_the_documented_bounds() {
    let mut a = authority(3);
    let mut l = RevocationList::new(u32::MAX, Timestamp::from_secs(u64::MAX));
    for i in 0..MAX_REVOKED {
        l.revoke(&[u8::try_from(i).unwrap(); 32]).unwrap();
    }
    assert_eq!(l.revoke(&[0xff; 32]), Err(RevocationError::TooManyEntries));
    l.revoke(&[0; 32]).unwrap(); // duplicate: no-op even when full
    let mut p = [0u8; MAX_LIST_PAYLOAD_LEN];
    let n = l.encode(&mut p).unwrap();
    assert_eq!(n, MAX_LIST_PAYLOAD_LEN);
    let mut out = [0u8; MAX_LIST_LEN];
    let n = l.sign(&mut a.crypto, &a.key, &mut out).unwrap();
    assert_eq!(n, MAX_LIST_LEN);
    assert_eq!(RevocationList::open(&mut a.crypto, &out, &a.public), Ok(l));
}

#[test]
fn entries_are_kept_sorted_and_unique() {
    let mut l = RevocationList::new(1, Timestamp::from_secs(T));
    for b in [9u8, 3, 7, 3, 1] {
        l.revoke(&[b; 32]).unwrap();
    }
    let firsts: Vec<u8> = l.entries().iter().map(|e| e[0]).collect();
    assert_eq!(firsts, [1, 3, 7, 9]);
    assert!(l.is_revoked(&[7; 32]));
    assert!(!l.is_revoked(&[8; 32]));
}

#[test]
fn decoder_is_strict() {
    let mut l = RevocationList::new(5, Timestamp::from_secs(T));
    l.revoke(&[1; 32]).unwrap();
    l.revoke(&[2; 32]).unwrap();
    let mut p = [0u8; MAX_LIST_PAYLOAD_LEN];
    let n = l.encode(&mut p).unwrap();
    let good = p[..n].to_vec();
    assert_eq!(RevocationList::decode(&good), Ok(l));
    for cut in 0..good.len() {
        assert!(RevocationList::decode(&good[..cut]).is_err(), "cut {cut}");
    }
    let mut t = good.clone();
    t.push(0);
    assert_eq!(RevocationList::decode(&t), Err(RevocationError::Malformed));
    // entries out of order (swap the two 32-byte entries)
    let mut swapped = good.clone();
    let e = good.len() - 68;
    swapped[e + 2..e + 34].copy_from_slice(&[2; 32]);
    swapped[e + 36..e + 68].copy_from_slice(&[1; 32]);
    assert_eq!(
        RevocationList::decode(&swapped),
        Err(RevocationError::NonDeterministic)
    );
    // duplicate entry
    let mut dup = good.clone();
    dup[e + 36..e + 68].copy_from_slice(&[1; 32]);
    assert_eq!(
        RevocationList::decode(&dup),
        Err(RevocationError::NonDeterministic)
    );
    // keys out of order: {2: .., 1: ..}
    let mut e2 = [0u8; 64];
    let mut enc = Encoder::new(&mut e2);
    enc.map(3).unwrap();
    enc.uint(2).unwrap();
    enc.uint(1).unwrap();
    enc.uint(1).unwrap();
    enc.uint(5).unwrap();
    enc.uint(3).unwrap();
    enc.array(0).unwrap();
    let k = enc.len();
    assert_eq!(
        RevocationList::decode(&e2[..k]),
        Err(RevocationError::NonDeterministic)
    );
    // non-shortest list number (1 encoded as 0x18 0x01)
    let long = [0xa3, 0x01, 0x18, 0x01, 0x02, 0x01, 0x03, 0x80];
    assert_eq!(
        RevocationList::decode(&long),
        Err(RevocationError::NonDeterministic)
    );
    // too many entries announced
    let many = [0xa3, 0x01, 0x01, 0x02, 0x01, 0x03, 0x98, 0x21];
    assert_eq!(
        RevocationList::decode(&many),
        Err(RevocationError::TooManyEntries)
    );
    // a 31-byte entry
    let short = {
        let mut v = vec![0xa3, 0x01, 0x01, 0x02, 0x01, 0x03, 0x81, 0x58, 0x1f];
        v.extend([0u8; 31]);
        v
    };
    assert_eq!(
        RevocationList::decode(&short),
        Err(RevocationError::Malformed)
    );
    // a list number above u32
    let big = [
        0xa3, 0x01, 0x1b, 0, 0, 0, 1, 0, 0, 0, 0, 0x02, 0x01, 0x03, 0x80,
    ];
    assert_eq!(
        RevocationList::decode(&big),
        Err(RevocationError::Malformed)
    );
}

#[test]
fn forged_or_foreign_lists_are_refused() {
    let mut a = authority(3);
    let mut other = authority(4);
    let good = signed(&mut a, 2, &[b"x"]);
    // signed by another key: its kid is not the authority's
    let foreign = signed(&mut other, 2, &[b"x"]);
    let mut st = RevocationState::new();
    assert_eq!(
        st.install(&mut a.crypto, &foreign, &a.public),
        Err(RevocationError::UnknownSigner)
    );
    // every single bit flip is refused and leaves the state unchanged
    for i in 0..good.len() {
        for bit in [0x01u8, 0x80] {
            let mut f = good.clone();
            f[i] ^= bit;
            assert!(
                st.install(&mut a.crypto, &f, &a.public).is_err(),
                "byte {i} bit {bit:#x}"
            );
        }
    }
    assert_eq!(st.list(), None);
    // the payload's number changed (re-signed under the authority's kid by a forger who
    // only has another key): bad signature
    let mut forged = good.clone();
    let pos = good
        .windows(3)
        .position(|w| w == [0xa3, 0x01, 0x02])
        .unwrap();
    forged[pos + 2] = 0x09;
    assert_eq!(
        st.install(&mut a.crypto, &forged, &a.public),
        Err(RevocationError::BadSignature)
    );
    assert_eq!(st.install(&mut a.crypto, &good, &a.public), Ok(2));
}

#[test]
fn newer_replaces_older_is_refused() {
    let mut a = authority(3);
    let l1 = signed(&mut a, 1, &[b"one"]);
    let l2 = signed(&mut a, 2, &[b"one", b"two"]);
    let l2b = signed(&mut a, 2, &[]);
    let mut st = RevocationState::new();
    assert_eq!(st.install(&mut a.crypto, &l1, &a.public), Ok(1));
    assert_eq!(st.install(&mut a.crypto, &l2, &a.public), Ok(2));
    assert_eq!(
        st.install(&mut a.crypto, &l1, &a.public),
        Err(RevocationError::Older)
    );
    assert_eq!(
        st.install(&mut a.crypto, &l2b, &a.public),
        Err(RevocationError::SameNumber)
    );
    assert_eq!(st.list().unwrap().entries().len(), 2);
    assert_eq!(st.floor(), 2);
    // after a reboot, the persisted floor still refuses the old list
    let mut rebooted = RevocationState::with_floor(st.floor());
    assert_eq!(
        rebooted.install(&mut a.crypto, &l1, &a.public),
        Err(RevocationError::Older)
    );
    assert_eq!(rebooted.install(&mut a.crypto, &l2, &a.public), Ok(2));
    assert_eq!(
        AuthError::from(RevocationError::Older).code(),
        556,
        "registry code"
    );
}

/// Runs a whole handshake (method SigStat, suite 5); `revoke` picks what the list names.
/// Returns (initiator error, responder error).
fn handshake(
    revoke_i: bool,
    revoke_r: bool,
    roles_i: RoleSet,
) -> (Option<AuthError>, Option<AuthError>) {
    let (cred_i, cred_r) = (h(CRED_I), h(CRED_R));
    let mut crypto = DeterministicProvider::new();
    let mut a = authority(3);
    let mut revoked: Vec<&[u8]> = Vec::new();
    if revoke_i {
        revoked.push(&cred_i);
    }
    if revoke_r {
        revoked.push(&cred_r);
    }
    revoked.push(b"some other credential");
    let list = signed(&mut a, 4, &revoked);
    let mut rev = RevocationState::new();
    rev.install(&mut crypto, &list, &a.public).unwrap();

    let sk_i = crypto.static_key(&h(SK_I)).unwrap();
    let sk_r = crypto.static_key(&h(SK_R)).unwrap();
    let me_i = LocalCredential {
        key: &sk_i,
        cred: &cred_i,
        id_cred: IdCred::Kid(&[0x2b]),
    };
    let me_r = LocalCredential {
        key: &sk_r,
        cred: &cred_r,
        id_cred: IdCred::Kid(&[0x32]),
    };
    let inner_i = StaticTrustStore::new([TrustEntry {
        kid: &[0x32],
        cred: &cred_r,
        identity: PeerIdentity::from_slice(b"pump-0042"),
        roles: RoleSet::only(Role::Device),
    }]);
    let inner_r = StaticTrustStore::new([TrustEntry {
        kid: &[0x2b],
        cred: &cred_i,
        identity: PeerIdentity::from_slice(b"initiator"),
        roles: roles_i,
    }]);
    let trust_i = RevokingTrustStore::new(&inner_i, &rev);
    let trust_r = RevokingTrustStore::new(&inner_r, &rev);
    let mut is = InitiatorState::<DeterministicProvider>::new(&InitiatorConfig {
        method: Method::SigStat,
        suites: &[5],
        c_i: ConnId::new(&[1]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let mut rs = ResponderState::<DeterministicProvider>::new(&ResponderConfig {
        suites: &[2, 5],
        methods: &Method::ALL,
        c_r: ConnId::new(&[2]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let (mut m1, mut m2) = ([0u8; 256], [0u8; 256]);
    let n = is.write_message_1(&mut crypto, &[], &mut m1).unwrap();
    let n = rs
        .handle_message_1(&mut crypto, &m1[..n], &me_r, &[], &mut m2)
        .unwrap();
    let n = match is.handle_message_2(&mut crypto, &mut m2[..n], &trust_i, &me_i, &[], &mut m1) {
        Ok(n) => n,
        Err(e) => {
            // the initiator answers with ERR_CODE 3, as for an unknown credential
            let mut err = [0u8; 64];
            let k = is.error_message(&mut err).unwrap().unwrap();
            assert_eq!(
                &err[..k],
                &[0x03, 0xf5][..],
                "ERR_CODE 3 (true), as for an unknown credential"
            );
            return (Some(e), None);
        }
    };
    let r = rs
        .handle_message_3(&mut crypto, &mut m1[..n], &trust_r, &[], &mut m2)
        .err();
    if r.is_some() {
        let mut err = [0u8; 64];
        let k = rs.error_message(&mut err).unwrap().unwrap();
        assert_eq!(&err[..k], &[0x03, 0xf5][..]);
        assert!(rs.completed().is_none());
    } else {
        assert!(rs.completed().is_some());
    }
    (None, r)
}

const REVOKED: AuthError = AuthError::Revocation(RevocationError::Revoked);

#[test]
fn revoked_device_fails_the_handshake() {
    assert_eq!(
        handshake(false, false, RoleSet::only(Role::Clinician)),
        (None, None)
    );
    // the device (responder) is revoked: the gateway/initiator refuses it
    assert_eq!(
        handshake(false, true, RoleSet::only(Role::Clinician)),
        (Some(REVOKED), None)
    );
}

#[test]
fn revoked_operator_fails_the_handshake() {
    // the operator's credential (initiator, clinician role) is revoked: the device refuses
    assert_eq!(
        handshake(true, false, RoleSet::only(Role::Clinician)),
        (None, Some(REVOKED))
    );
}

#[test]
fn the_refusal_is_audited_with_its_own_code() {
    let (_, e) = handshake(true, false, RoleSet::only(Role::Nurse));
    let mut crypto = DeterministicProvider::new();
    let mut log = AuditLog::open(&mut crypto, RamAuditStore::<4>::new(), [1; 8]).unwrap();
    log.record(
        &mut crypto,
        Timestamp::from_secs(T),
        Event::handshake_failed(e),
    )
    .unwrap();
    let r = log.read(0).unwrap();
    assert_eq!(r.event, AuditEvent::HandshakeFailed);
    assert_eq!(&r.detail.0[..4], &560u32.to_be_bytes());
    assert_eq!(REVOKED.code(), 560);
    assert_eq!(REVOKED.wire_err_code(), Some(3));
}

#[test]
fn a_store_without_revocations_is_unchanged() {
    let cred = h(CRED_R);
    let store = StaticTrustStore::new([TrustEntry {
        kid: &[0x32],
        cred: &cred,
        identity: PeerIdentity::default(),
        roles: RoleSet::EMPTY,
    }]);
    let mut crypto = DeterministicProvider::new();
    assert!(crate::cred::lookup(&mut crypto, &store, &IdCred::Kid(&[0x32])).is_ok());
    assert_eq!(
        crate::cred::lookup(&mut crypto, &store, &IdCred::Kid(&[0x33])),
        Err(AuthError::UnknownCredential)
    );
    // an empty installed list revokes nothing; by-value references are checked too
    let mut a = authority(3);
    let mut rev = RevocationState::new();
    rev.install(&mut crypto, &signed(&mut a, 1, &[]), &a.public)
        .unwrap();
    let s = RevokingTrustStore::new(&store, &rev);
    assert!(crate::cred::lookup(&mut crypto, &s, &IdCred::Ccs(&cred)).is_ok());
    rev.install(&mut crypto, &signed(&mut a, 2, &[&cred]), &a.public)
        .unwrap();
    let s = RevokingTrustStore::new(&store, &rev);
    assert_eq!(
        crate::cred::lookup(&mut crypto, &s, &IdCred::Ccs(&cred)),
        Err(REVOKED)
    );
}

proptest::proptest! {
    #[test]
    fn decode_never_panics_and_reencodes(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        if let Ok(l) = RevocationList::decode(&data) {
            let mut p = [0u8; MAX_LIST_PAYLOAD_LEN];
            let n = l.encode(&mut p).unwrap();
            proptest::prop_assert_eq!(&p[..n], &data[..]);
        }
    }
}
