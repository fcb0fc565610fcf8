//! The revocation list parser on untrusted bytes: the payload decoder with its encoder
//! round trip, and the signed envelope verified with the NO SECURITY `FuzzCrypto` (its
//! signatures always pass, so the kid, structure and payload checks are reached), fed
//! into a `RevocationState` whose list number must never go down.
#![no_main]

use iomt_auth::cred::revocation::{MAX_LIST_PAYLOAD_LEN, RevocationList};
use iomt_auth::cred::{RevocationError, RevocationState};
use iomt_fuzz::fixture;
use iomt_fuzz::provider::FuzzCrypto;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(l) = RevocationList::decode(data) {
        let mut out = [0u8; MAX_LIST_PAYLOAD_LEN];
        let n = l.encode(&mut out).expect("a decoded list encodes");
        assert_eq!(
            &out[..n],
            data,
            "revocation list round trip (deterministic CBOR)"
        );
        assert!(
            l.entries().windows(2).all(|w| w[0] < w[1]),
            "sorted, unique"
        );
    }
    let authority = fixture::get().g_r;
    let mut crypto = FuzzCrypto::default();
    let mut state = RevocationState::with_floor(3);
    // the input, then each suffix after a split byte, as successive lists
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    for part in [data, &data[split..]] {
        let (before, had_list) = (state.floor(), state.list().is_some());
        match state.install(&mut crypto, part, &authority) {
            Ok(n) => {
                assert!(if had_list { n > before } else { n >= before }, "rollback");
                assert_eq!(state.floor(), n);
            }
            Err(RevocationError::Revoked) => panic!("install never reports a revoked peer"),
            Err(_) => assert_eq!(state.floor(), before, "a refused list changes nothing"),
        }
    }
});
