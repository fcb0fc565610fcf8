//! Key types: a long-term key (ECDH + ECDSA) and an ephemeral ECDH key, both in AWS-LC.

use core::fmt;

use aws_lc_rs::agreement::{self, ECDH_P256};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use iomt_crypto::{CryptoError, PublicKey, StaticKey};
use zeroize::Zeroize;

/// The public key of an AWS-LC ECDH key, validated into an iomt [`PublicKey`].
pub(crate) fn public_of(key: &agreement::PrivateKey) -> Result<PublicKey, CryptoError> {
    let public = key
        .compute_public_key()
        .map_err(|_| CryptoError::KeyUnavailable)?;
    PublicKey::from_sec1_bytes(public.as_ref())
}

/// A long-term P-256 private key in AWS-LC (the provider's key handle): one ECDH key and
/// one ECDSA key pair over the same scalar, and the public key.
///
/// Not `Clone`; `Debug` is redacted; AWS-LC cleanses the key memory when it is dropped.
pub struct AwsLcStaticKey {
    pub(crate) ecdh: agreement::PrivateKey,
    pub(crate) ecdsa: EcdsaKeyPair,
    public: PublicKey,
}

impl AwsLcStaticKey {
    /// Imports a 32-byte big-endian scalar.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless 32 bytes; [`CryptoError::InvalidPrivateKey`]
    /// if zero or not below the group order.
    pub fn from_bytes(scalar: &[u8]) -> Result<Self, CryptoError> {
        // The range check and its error mapping are the RustCrypto backend's (so both
        // backends refuse the same scalars with the same errors); its key is dropped
        // (zeroized) right away.
        let public = *StaticKey::from_bytes(scalar)?.public_key();
        let ecdh = agreement::PrivateKey::from_private_key(&ECDH_P256, scalar)
            .map_err(|_| CryptoError::InvalidPrivateKey)?;
        let mut sec1 = public.to_sec1_uncompressed();
        let ecdsa = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            scalar,
            &sec1,
        )
        .map_err(|_| CryptoError::InvalidPrivateKey);
        sec1.zeroize();
        Ok(Self {
            ecdh,
            ecdsa: ecdsa?,
            public,
        })
    }

    /// The public key.
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.public
    }
}

impl fmt::Debug for AwsLcStaticKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcStaticKey(<redacted>)")
    }
}

/// An ephemeral P-256 ECDH key in AWS-LC. Usable for several agreements (EDHOC uses
/// each ephemeral key twice); not `Clone`; AWS-LC cleanses it when dropped.
pub struct AwsLcEphemeralKey(pub(crate) agreement::PrivateKey);

impl fmt::Debug for AwsLcEphemeralKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcEphemeralKey(<redacted>)")
    }
}
