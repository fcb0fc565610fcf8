//! HKDF-SHA-256 (RFC 5869).

use zeroize::Zeroize;

use super::HmacSha256;
use crate::error::CryptoError;

/// Longest output HKDF-SHA-256 can expand to: 255 blocks of 32 bytes.
const MAX_OUTPUT: usize = 255 * 32;

/// `HKDF-Extract(salt, ikm)`: the PRK. An empty salt is the RFC's "HashLen zeros" (HMAC
/// pads both to the same block).
pub(crate) fn extract(salt: &[u8], ikm: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new(salt);
    mac.update(ikm);
    mac.finalize()
}

/// `HKDF-Expand(prk, info, out.len())` into `out`.
///
/// # Errors
/// [`CryptoError::InvalidLength`] if `out` is longer than 255 · 32 bytes (`out` is left
/// untouched).
pub(crate) fn expand(prk: &[u8; 32], info: &[u8], out: &mut [u8]) -> Result<(), CryptoError> {
    if out.len() > MAX_OUTPUT {
        return Err(CryptoError::InvalidLength);
    }
    let mut keyed = HmacSha256::new(prk);
    // T(i) = HMAC(PRK, T(i−1) ‖ info ‖ i), T(0) empty; each T(i) from a copy of the keyed
    // state, but one T alone (most EDHOC outputs) from the keyed state itself.
    if out.len() <= 32 {
        keyed.update(info);
        keyed.update(&[1]);
        let mut block = keyed.finalize();
        for (o, b) in out.iter_mut().zip(&block) {
            *o = *b;
        }
        block.zeroize();
        return Ok(());
    }
    let mut block = [0u8; 32];
    for (counter, chunk) in (1u8..=255).zip(out.chunks_mut(32)) {
        let mut mac = keyed.clone();
        if counter > 1 {
            mac.update(&block);
        }
        mac.update(info);
        mac.update(&[counter]);
        block = mac.finalize();
        for (o, b) in chunk.iter_mut().zip(&block) {
            *o = *b;
        }
    }
    block.zeroize();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Reference = ::hkdf::Hkdf<sha2::Sha256>;

    #[test]
    fn too_long_an_output_is_refused_and_untouched() {
        let mut out = std::vec![7u8; MAX_OUTPUT + 1];
        assert_eq!(
            expand(&[1; 32], b"info", &mut out),
            Err(CryptoError::InvalidLength)
        );
        assert!(out.iter().all(|&b| b == 7));
        let mut longest = std::vec![0u8; MAX_OUTPUT];
        assert_eq!(expand(&[1; 32], b"info", &mut longest), Ok(()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn equals_the_hkdf_crate(
            salt in proptest::collection::vec(any::<u8>(), 0..100),
            ikm in proptest::collection::vec(any::<u8>(), 0..100),
            info in proptest::collection::vec(any::<u8>(), 0..80),
            len in 0usize..300,
        ) {
            let (want_prk, reference) = Reference::extract(Some(&salt), &ikm);
            let prk = extract(&salt, &ikm);
            prop_assert_eq!(&prk[..], &want_prk[..]);
            let mut want = std::vec![0u8; len];
            reference.expand(&info, &mut want).unwrap();
            let mut got = std::vec![0u8; len];
            expand(&prk, &info, &mut got).unwrap();
            prop_assert_eq!(got, want);
        }
    }
}
