//! Tests of [`super`]: the list format, installation order and the one lookup. The
//! handshakes refusing revoked peers are in `iomt-auth/tests/revocation.rs`.
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::prelude::rust_2024::*;

use iomt_crypto::{DeterministicProvider, prelude::*};

use super::*;
use crate::AuthError;
use crate::cred::{IdCred, PeerIdentity, RevokingTrustStore, RoleSet};
use crate::cred::{StaticTrustStore, TrustEntry};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}
const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
const T: u64 = 1_800_000_000;

struct Authority {
    crypto: DeterministicProvider,
    key: <DeterministicProvider as iomt_crypto::P256>::KeyHandle,
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

const REVOKED: AuthError = AuthError::Revocation(RevocationError::Revoked);

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
