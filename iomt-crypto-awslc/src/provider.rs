//! The aws-lc-rs parts ([`AwsLcP256`], [`AwsLcHashing`], [`AwsLcAead`], [`AwsLcRandom`])
//! and their composition [`AwsLcProvider`], each part delegating to its module.

use core::fmt;

use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use iomt_crypto::rustcrypto::RustCryptoAead;
use iomt_crypto::{
    Aead, AeadAlgorithm, AeadKey, CryptoError, Digest, Hashing, P256, Prk, Provider, PublicKey,
    Random, SharedSecret, Signature,
};

use crate::hash::AwsLcSha256;
use crate::keys::{AwsLcEphemeralKey, AwsLcStaticKey};
use crate::{aead, hash, p256};

/// The aws-lc-rs provider for std gateways: every part on AWS-LC (see the crate
/// documentation for the two primitives that stay on RustCrypto). Build it with
/// [`provider`].
pub type AwsLcProvider = Provider<AwsLcP256, AwsLcHashing, AwsLcAead, AwsLcRandom>;

/// A new [`AwsLcProvider`] whose randomness is AWS-LC's OS-seeded DRBG.
#[must_use]
pub fn provider() -> AwsLcProvider {
    Provider::from_parts(AwsLcP256, AwsLcHashing, AwsLcAead, AwsLcRandom::new())
}

/// P-256 on AWS-LC: key generation, ECDH, import, ECDSA over a digest. x-only
/// decompression is the trait's default (RustCrypto `p256`): aws-lc-rs has none.
///
/// Ephemeral key generation draws from AWS-LC's own DRBG, not from the composition's
/// [`Random`] part (aws-lc-rs takes no caller RNG for key generation).
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLcP256;

impl P256 for AwsLcP256 {
    type KeyHandle = AwsLcStaticKey;
    type EphemeralSecret = AwsLcEphemeralKey;

    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        _rng: &mut G,
    ) -> Result<(AwsLcEphemeralKey, PublicKey), CryptoError> {
        p256::generate_ephemeral()
    }

    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &AwsLcEphemeralKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        p256::ecdh(&secret.0, peer)
    }

    fn p256_ecdh_static(
        &mut self,
        key: &AwsLcStaticKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        p256::ecdh(&key.ecdh, peer).map_err(|_| CryptoError::KeyUnavailable)
    }

    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<AwsLcStaticKey, CryptoError> {
        AwsLcStaticKey::from_bytes(scalar)
    }

    fn p256_public_key(&mut self, key: &AwsLcStaticKey) -> Result<PublicKey, CryptoError> {
        Ok(*key.public_key())
    }

    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &AwsLcStaticKey,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        p256::sign_digest(key, digest)
    }

    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        p256::verify_digest(public, digest, signature)
    }
}

/// SHA-256 and HKDF-SHA-256 on AWS-LC (extract is HMAC-SHA256(salt, ikm), RFC 5869 §2.2).
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLcHashing;

impl Hashing for AwsLcHashing {
    type Sha256 = AwsLcSha256;

    fn sha256(&mut self, data: &[u8]) -> Digest {
        hash::sha256(data)
    }

    fn sha256_start(&mut self) -> AwsLcSha256 {
        AwsLcSha256::new()
    }

    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk {
        hash::hkdf_extract(salt, ikm)
    }

    fn hkdf_sha256_expand(
        &mut self,
        prk: &Prk,
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        hash::hkdf_expand(prk, info, out)
    }
}

/// ChaCha20-Poly1305 on AWS-LC; AES-CCM-16-64-128 on the RustCrypto AEAD part
/// (aws-lc-rs offers no CCM with an 8-byte tag).
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLcAead;

impl Aead for AwsLcAead {
    fn aead_seal(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        match algorithm {
            AeadAlgorithm::ChaCha20Poly1305 => aead::chacha_seal(key, nonce, aad, in_out, tag),
            AeadAlgorithm::AesCcm16_64_128 => {
                RustCryptoAead.aead_seal(algorithm, key, nonce, aad, in_out, tag)
            }
        }
    }

    fn aead_open(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        match algorithm {
            AeadAlgorithm::ChaCha20Poly1305 => aead::chacha_open(key, nonce, aad, in_out, tag),
            AeadAlgorithm::AesCcm16_64_128 => {
                RustCryptoAead.aead_open(algorithm, key, nonce, aad, in_out, tag)
            }
        }
    }

    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        match algorithm {
            AeadAlgorithm::ChaCha20Poly1305 => Ok(()),
            AeadAlgorithm::AesCcm16_64_128 => RustCryptoAead::aead_built(algorithm),
        }
    }
}

/// AWS-LC's OS-seeded DRBG as a [`Random`] part.
pub struct AwsLcRandom(SystemRandom);

impl AwsLcRandom {
    /// The DRBG.
    #[must_use]
    pub fn new() -> Self {
        Self(SystemRandom::new())
    }
}

impl Default for AwsLcRandom {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for AwsLcRandom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcRandom")
    }
}

impl Random for AwsLcRandom {
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        self.0.fill(out).map_err(|_| CryptoError::Rng)
    }
}
