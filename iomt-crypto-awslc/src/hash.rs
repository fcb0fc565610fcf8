//! Part "hashing + KDF": SHA-256 and HKDF-SHA256 (aws-lc-rs).

use core::fmt;

use aws_lc_rs::{digest, hkdf, hmac};
use iomt_crypto::{CryptoError, Digest, Prk, Sha256State};

/// Incremental SHA-256 on AWS-LC.
pub struct AwsLcSha256(digest::Context);

impl AwsLcSha256 {
    pub(crate) fn new() -> Self {
        Self(digest::Context::new(&digest::SHA256))
    }
}

impl fmt::Debug for AwsLcSha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcSha256")
    }
}

/// An AWS-LC SHA-256 output as 32 bytes (it is always 32; zeros never occur in practice
/// but keep this total without a panic path).
fn to_digest(d: &digest::Digest) -> Digest {
    <[u8; 32]>::try_from(d.as_ref()).unwrap_or([0; 32])
}

impl Sha256State for AwsLcSha256 {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finalize(self) -> Digest {
        to_digest(&self.0.finish())
    }
}

/// One-shot SHA-256.
pub(crate) fn sha256(data: &[u8]) -> Digest {
    to_digest(&digest::digest(&digest::SHA256, data))
}

/// HKDF-Extract (RFC 5869 §2.2) = HMAC-SHA256(salt, ikm). aws-lc-rs's `hkdf::Salt::extract`
/// keeps the PRK opaque, and iomt needs its bytes, so this computes the HMAC directly.
pub(crate) fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> Prk {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, salt), ikm);
    Prk::from_bytes(<[u8; 32]>::try_from(tag.as_ref()).unwrap_or([0; 32]))
}

/// An output length for aws-lc-rs's HKDF-Expand.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand (RFC 5869 §2.3) into `out`.
///
/// # Errors
/// [`CryptoError::InvalidLength`] if `out` is longer than 255 · 32 bytes.
pub(crate) fn hkdf_expand(prk: &Prk, info: &[u8], out: &mut [u8]) -> Result<(), CryptoError> {
    if out.len() > 255 * 32 {
        return Err(CryptoError::InvalidLength);
    }
    if out.is_empty() {
        return Ok(());
    }
    let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, prk.as_bytes());
    let info = [info];
    prk.expand(&info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| CryptoError::InvalidLength)
}
