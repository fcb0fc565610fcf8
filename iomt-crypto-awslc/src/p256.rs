//! Part "P-256": key generation, ECDH, ECDSA over a SHA-256 digest (aws-lc-rs).
//!
//! x-only decompression is not here: aws-lc-rs has no API for it, so the provider keeps the
//! trait's default (`PublicKey::from_x_coordinate`, RustCrypto `p256`).

use aws_lc_rs::agreement::{self, ECDH_P256, UnparsedPublicKey};
use aws_lc_rs::digest;
use aws_lc_rs::signature::{self, ECDSA_P256_SHA256_FIXED};
use iomt_crypto::{CryptoError, Digest, PublicKey, SharedSecret, Signature};

use crate::keys::{AwsLcEphemeralKey, AwsLcStaticKey, public_of};

/// A fresh ephemeral key pair from AWS-LC's RNG.
///
/// # Errors
/// [`CryptoError::Rng`] if AWS-LC cannot generate a key.
pub(crate) fn generate_ephemeral() -> Result<(AwsLcEphemeralKey, PublicKey), CryptoError> {
    let key = agreement::PrivateKey::generate(&ECDH_P256).map_err(|_| CryptoError::Rng)?;
    let public = public_of(&key).map_err(|_| CryptoError::Rng)?;
    Ok((AwsLcEphemeralKey(key), public))
}

/// ECDH: the x-coordinate of `key · peer`.
///
/// # Errors
/// [`CryptoError::InvalidPublicKey`] if AWS-LC refuses the point or the agreement (the
/// point is already validated, so only the identity result could do this).
pub(crate) fn ecdh(
    key: &agreement::PrivateKey,
    peer: &PublicKey,
) -> Result<SharedSecret, CryptoError> {
    let sec1 = peer.to_sec1_uncompressed();
    agreement::agree(
        key,
        UnparsedPublicKey::new(&ECDH_P256, &sec1),
        CryptoError::InvalidPublicKey,
        |x| {
            // The shared x-coordinate; AWS-LC cleanses its own copy.
            let x = <[u8; 32]>::try_from(x).map_err(|_| CryptoError::InvalidPublicKey)?;
            Ok(SharedSecret::from_bytes(x))
        },
    )
}

/// A SHA-256 digest as aws-lc-rs's type.
fn import_digest(d: &Digest) -> Result<digest::Digest, CryptoError> {
    digest::Digest::import_less_safe(d, &digest::SHA256).map_err(|_| CryptoError::InvalidLength)
}

/// ECDSA P-256 over a precomputed SHA-256 digest, as `r ‖ s` (aws-lc-rs `sign_digest`).
///
/// # Errors
/// [`CryptoError::KeyUnavailable`] if AWS-LC fails to sign.
pub(crate) fn sign_digest(key: &AwsLcStaticKey, d: &Digest) -> Result<Signature, CryptoError> {
    let sig = key
        .ecdsa
        .sign_digest(&import_digest(d)?)
        .map_err(|_| CryptoError::KeyUnavailable)?;
    Signature::from_bytes(sig.as_ref())
}

/// Verifies `r ‖ s` over a SHA-256 digest (aws-lc-rs `verify_digest`).
///
/// # Errors
/// [`CryptoError::AuthenticationFailed`] for any invalid signature (including `r` or `s`
/// out of range).
pub(crate) fn verify_digest(
    public: &PublicKey,
    d: &Digest,
    sig: &Signature,
) -> Result<(), CryptoError> {
    let sec1 = public.to_sec1_uncompressed();
    signature::UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &sec1)
        .verify_digest(&import_digest(d)?, sig.as_bytes())
        .map_err(|_| CryptoError::AuthenticationFailed)
}
