//! Part "AEAD": ChaCha20-Poly1305 on aws-lc-rs; AES-CCM-16-64-128 on RustCrypto (aws-lc-rs
//! has no CCM, and none with 8-byte tags), through the RustCrypto provider.

use aws_lc_rs::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use iomt_crypto::{AeadAlgorithm, AeadKey, CryptoError};

/// The ChaCha20-Poly1305 key and nonce as aws-lc-rs types, after the length checks the
/// trait promises (key for this algorithm, 12-byte nonce, 16-byte tag, any plaintext).
fn chacha_key(
    key: &AeadKey,
    nonce: &[u8],
    tag_len: usize,
) -> Result<(LessSafeKey, Nonce), CryptoError> {
    let algorithm = AeadAlgorithm::ChaCha20Poly1305;
    if key.algorithm() != algorithm || tag_len != algorithm.tag_len() {
        return Err(CryptoError::InvalidLength);
    }
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, key.as_bytes())
        .map_err(|_| CryptoError::InvalidLength)?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::InvalidLength)?;
    Ok((LessSafeKey::new(unbound), nonce))
}

/// ChaCha20-Poly1305 seal in place with a detached 16-byte tag.
///
/// # Errors
/// [`CryptoError::InvalidLength`] for a wrong key, nonce or tag length.
pub(crate) fn chacha_seal(
    key: &AeadKey,
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &mut [u8],
) -> Result<(), CryptoError> {
    let (key, nonce) = chacha_key(key, nonce, tag.len())?;
    let t = key
        .seal_in_place_separate_tag(nonce, Aad::from(aad), in_out)
        .map_err(|_| CryptoError::InvalidLength)?;
    tag.copy_from_slice(t.as_ref());
    Ok(())
}

/// ChaCha20-Poly1305 open in place; `in_out` is zeroized on any failure.
///
/// # Errors
/// [`CryptoError::AuthenticationFailed`] for a bad tag; [`CryptoError::InvalidLength`] for
/// a wrong key, nonce or tag length.
pub(crate) fn chacha_open(
    key: &AeadKey,
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8],
) -> Result<(), CryptoError> {
    let result = chacha_key(key, nonce, tag.len()).and_then(|(key, nonce)| {
        key.open_in_place_separate_tag(nonce, Aad::from(aad), tag, in_out)
            .map(|_| ())
            .map_err(|_| CryptoError::AuthenticationFailed)
    });
    if result.is_err() {
        // AWS-LC may have written unauthenticated plaintext: never release it.
        zeroize::Zeroize::zeroize(in_out);
    }
    result
}
