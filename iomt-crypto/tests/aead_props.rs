//! Property tests: AEAD seal/open round-trips, and any single bit flip of the
//! ciphertext, tag or aad is rejected (with the buffer zeroized).
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use iomt_crypto::{AeadAlgorithm, AeadKey, CryptoError, DeterministicProvider, prelude::*};
use proptest::prelude::*;

fn alg() -> impl Strategy<Value = AeadAlgorithm> {
    prop_oneof![
        Just(AeadAlgorithm::ChaCha20Poly1305),
        Just(AeadAlgorithm::AesCcm16_64_128)
    ]
}

struct Sealed {
    key: AeadKey,
    nonce: Vec<u8>,
    ct: Vec<u8>,
    tag: Vec<u8>,
}

fn seal(alg: AeadAlgorithm, key: &[u8; 32], nonce: &[u8; 13], aad: &[u8], pt: &[u8]) -> Sealed {
    let mut p = DeterministicProvider::new();
    let key = AeadKey::new(alg, &key[..alg.key_len()]).unwrap();
    let nonce = nonce[..alg.nonce_len()].to_vec();
    let mut ct = pt.to_vec();
    let mut tag = vec![0u8; alg.tag_len()];
    p.aead_seal(alg, &key, &nonce, aad, &mut ct, &mut tag)
        .unwrap();
    Sealed {
        key,
        nonce,
        ct,
        tag,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn seal_open_round_trip(
        alg in alg(),
        key in any::<[u8; 32]>(),
        nonce in any::<[u8; 13]>(),
        aad in proptest::collection::vec(any::<u8>(), 0..64),
        pt in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let s = seal(alg, &key, &nonce, &aad, &pt);
        prop_assert_eq!(s.ct.len(), pt.len());
        if pt.len() >= 16 {
            prop_assert_ne!(&s.ct, &pt);
        }
        let mut p = DeterministicProvider::new();
        let mut buf = s.ct.clone();
        p.aead_open(alg, &s.key, &s.nonce, &aad, &mut buf, &s.tag).unwrap();
        prop_assert_eq!(buf, pt);
    }

    #[test]
    fn any_single_bit_flip_fails(
        alg in alg(),
        key in any::<[u8; 32]>(),
        nonce in any::<[u8; 13]>(),
        aad in proptest::collection::vec(any::<u8>(), 1..48),
        pt in proptest::collection::vec(any::<u8>(), 1..200),
        which in 0usize..3,
        pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let s = seal(alg, &key, &nonce, &aad, &pt);
        let (mut ct, mut tag, mut aad) = (s.ct.clone(), s.tag.clone(), aad);
        match which {
            0 => { let i = pos.index(ct.len()); ct[i] ^= 1 << bit; }
            1 => { let i = pos.index(tag.len()); tag[i] ^= 1 << bit; }
            _ => { let i = pos.index(aad.len()); aad[i] ^= 1 << bit; }
        }
        let mut p = DeterministicProvider::new();
        let mut buf = ct;
        prop_assert_eq!(
            p.aead_open(alg, &s.key, &s.nonce, &aad, &mut buf, &tag),
            Err(CryptoError::AuthenticationFailed)
        );
        prop_assert!(buf.iter().all(|&b| b == 0), "in_out not zeroized");
    }

    /// Peer-controlled byte strings never panic the parsers.
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = iomt_crypto::PublicKey::from_sec1_bytes(&bytes);
        let _ = iomt_crypto::PublicKey::from_x_coordinate(&bytes);
        let (x, y) = bytes.split_at(bytes.len() / 2);
        let _ = iomt_crypto::PublicKey::from_coordinates(x, y);
        let _ = iomt_crypto::Signature::from_bytes(&bytes);
        let _ = iomt_crypto::StaticKey::from_bytes(&bytes);
    }
}
