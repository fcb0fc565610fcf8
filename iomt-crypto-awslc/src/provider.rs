//! [`AwsLcProvider`]: the trait implementation, one section per part (P-256, hashing +
//! KDF, AEAD, random), each delegating to its module.

use core::fmt;

use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{
    AeadAlgorithm, AeadKey, CryptoError, CryptoProvider, Digest, Prk, PublicKey,
    RustCryptoProvider, SharedSecret, Signature,
};

use crate::hash::AwsLcSha256;
use crate::keys::{AwsLcEphemeralKey, AwsLcStaticKey};
use crate::{aead, hash, p256};

/// The aws-lc-rs provider for std gateways. See the crate documentation for which
/// primitive runs where.
pub struct AwsLcProvider {
    rng: SystemRandom,
    /// AES-CCM-16-64-128 only (aws-lc-rs has no CCM); its RNG is never used.
    ccm: RustCryptoProvider<OsRng>,
}

impl AwsLcProvider {
    /// A provider using AWS-LC's OS-seeded DRBG.
    #[must_use]
    pub fn new() -> Self {
        Self {
            rng: SystemRandom::new(),
            ccm: RustCryptoProvider::with_os_rng(),
        }
    }
}

impl Default for AwsLcProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for AwsLcProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcProvider")
    }
}

impl CryptoProvider for AwsLcProvider {
    type KeyHandle = AwsLcStaticKey;
    type EphemeralSecret = AwsLcEphemeralKey;
    type Sha256 = AwsLcSha256;

    // ---- Part: P-256 -------------------------------------------------------------------

    fn p256_generate_ephemeral(&mut self) -> Result<(AwsLcEphemeralKey, PublicKey), CryptoError> {
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

    // `p256_public_key_from_x`: the trait default (RustCrypto `p256`), see `p256.rs`.

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

    // ---- Part: hashing + KDF -----------------------------------------------------------

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

    // ---- Part: AEAD --------------------------------------------------------------------

    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        let _ = algorithm;
        Ok(())
    }

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
                self.ccm.aead_seal(algorithm, key, nonce, aad, in_out, tag)
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
                self.ccm.aead_open(algorithm, key, nonce, aad, in_out, tag)
            }
        }
    }

    // ---- Part: random ------------------------------------------------------------------

    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        self.rng.fill(out).map_err(|_| CryptoError::Rng)
    }
}
