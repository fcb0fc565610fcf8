//! The parts a crypto backend can replace, one trait each.
//!
//! [`CryptoProvider`](crate::CryptoProvider) is the one bound the protocol crates use;
//! [`Provider`](crate::Provider) builds it from four parts, so a backend implements only
//! what it accelerates and reuses the rest:
//!
//! | Part | Operations |
//! |---|---|
//! | [`P256`] | ephemeral key generation, ECDH (ephemeral and static), key import, public keys, x-only decompression, ECDSA sign/verify over a digest |
//! | [`Hashing`] | SHA-256 (one-shot and incremental), HKDF-SHA-256 extract/expand |
//! | [`Aead`] | AEAD seal/open (AES-CCM-16-64-128, ChaCha20-Poly1305) and which are built |
//! | [`Random`] | cryptographically secure random bytes |
//!
//! Every method takes `&mut self` (hardware engines run one operation at a time) and
//! keeps the contract of the [`CryptoProvider`](crate::CryptoProvider) method of the
//! same name: peer data is validated and refused with a typed [`CryptoError`], nothing
//! panics, secrets zeroize on drop, a failed AEAD open zeroizes `in_out`.

use rand_core::{TryCryptoRng, TryRng};

use crate::error::CryptoError;
use crate::provider::Sha256State;
use crate::types::{AeadAlgorithm, AeadKey, Digest, Prk, PublicKey, SharedSecret, Signature};

/// Cryptographically secure random bytes (a TRNG, or a DRBG seeded from one).
///
/// Every `rand_core` [`TryCryptoRng`] is a `Random` part.
pub trait Random {
    /// Fills `out` with random bytes.
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError>;
}

impl<R: TryCryptoRng + ?Sized> Random for R {
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        self.try_fill_bytes(out).map_err(|_| CryptoError::Rng)
    }
}

/// A [`Random`] part seen as a `rand_core` [`TryCryptoRng`], for backends whose key
/// generation takes one. Every draw is [`Random::random_bytes`] (words little-endian).
#[derive(Debug)]
pub struct RandomRng<'a, G: Random + ?Sized>(pub &'a mut G);

impl<G: Random + ?Sized> TryRng for RandomRng<'_, G> {
    type Error = CryptoError;

    fn try_next_u32(&mut self) -> Result<u32, CryptoError> {
        let mut b = [0u8; 4];
        self.0.random_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, CryptoError> {
        let mut b = [0u8; 8];
        self.0.random_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), CryptoError> {
        self.0.random_bytes(dst)
    }
}

impl<G: Random + ?Sized> TryCryptoRng for RandomRng<'_, G> {}

/// P-256 key agreement and ES256 signatures.
///
/// Long-term private keys are reached only through [`P256::KeyHandle`] (a secure
/// element keeps them inside the chip); ephemeral secrets are the part's own type,
/// zeroize on drop and are not `Clone`. [`PublicKey`] values are validated when
/// constructed, so ECDH and verification never see an invalid point.
pub trait P256 {
    /// A handle to a long-term P-256 private key (static DH and ECDSA signing).
    type KeyHandle;
    /// An ephemeral P-256 private key (zeroizes on drop, not `Clone`).
    type EphemeralSecret;

    /// Generates an ephemeral key pair, drawing randomness from `rng` (the
    /// composition's [`Random`] part).
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    fn p256_generate_ephemeral<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError>;

    /// ECDH with an ephemeral secret: the x-coordinate of `secret · peer`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidPublicKey`] if the result is the identity.
    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &Self::EphemeralSecret,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError>;

    /// ECDH with a long-term key held behind `key`.
    ///
    /// # Errors
    /// [`CryptoError::KeyUnavailable`] if the handle names no usable key.
    fn p256_ecdh_static(
        &mut self,
        key: &Self::KeyHandle,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError>;

    /// Imports a long-term private key (32-byte big-endian scalar). The default
    /// refuses (a secure element that only generates keys internally).
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless 32 bytes; [`CryptoError::InvalidPrivateKey`]
    /// if zero or not below the group order; [`CryptoError::Unsupported`] if the part
    /// cannot import keys.
    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<Self::KeyHandle, CryptoError> {
        let _ = scalar;
        Err(CryptoError::Unsupported)
    }

    /// The public key of a long-term key.
    ///
    /// # Errors
    /// [`CryptoError::KeyUnavailable`] if the handle names no usable key.
    fn p256_public_key(&mut self, key: &Self::KeyHandle) -> Result<PublicKey, CryptoError>;

    /// Decompresses an EDHOC compact public key (the x-coordinate alone); must return
    /// exactly what [`PublicKey::from_x_coordinate`] returns (the default calls it).
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless 32 bytes; [`CryptoError::InvalidPublicKey`]
    /// if `x ≥ p` or no curve point has this x-coordinate.
    fn p256_public_key_from_x(&mut self, x: &[u8]) -> Result<PublicKey, CryptoError> {
        PublicKey::from_x_coordinate(x)
    }

    /// ECDSA P-256 signature over a SHA-256 `digest`, as `r ‖ s`.
    ///
    /// # Errors
    /// [`CryptoError::KeyUnavailable`] if the handle names no usable key.
    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &Self::KeyHandle,
        digest: &Digest,
    ) -> Result<Signature, CryptoError>;

    /// Verifies an ECDSA P-256 signature `r ‖ s` over a SHA-256 `digest`.
    ///
    /// # Errors
    /// [`CryptoError::AuthenticationFailed`] if it does not verify (also for `r` or `s`
    /// out of range).
    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError>;
}

/// SHA-256 and HKDF-SHA-256.
pub trait Hashing {
    /// Incremental SHA-256 state.
    type Sha256: Sha256State;

    /// One-shot SHA-256.
    fn sha256(&mut self, data: &[u8]) -> Digest;

    /// Starts an incremental SHA-256.
    fn sha256_start(&mut self) -> Self::Sha256;

    /// HKDF-Extract with SHA-256 (RFC 5869 §2.2).
    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk;

    /// HKDF-Expand with SHA-256 (RFC 5869 §2.3) into `out`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] if `out` is longer than 255 · 32 bytes.
    fn hkdf_sha256_expand(
        &mut self,
        prk: &Prk,
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError>;
}

/// The cipher suites' AEADs, with detached tags.
pub trait Aead {
    /// Encrypts `in_out` in place and writes the detached tag into `tag`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] if the key, nonce or tag length does not match
    /// `algorithm`, or the plaintext is too long for it; the not-built errors of
    /// [`Aead::aead_built`].
    fn aead_seal(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError>;

    /// Decrypts `in_out` in place after checking the detached `tag`; writes plaintext
    /// only if the tag is valid and zeroizes `in_out` on any failure.
    ///
    /// # Errors
    /// [`CryptoError::AuthenticationFailed`] if the tag does not verify;
    /// [`CryptoError::InvalidLength`] for wrong key/nonce/tag lengths.
    fn aead_open(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), CryptoError>;

    /// Whether this build implements `algorithm` (checked by EDHOC at construction).
    ///
    /// # Errors
    /// [`CryptoError::AesCcmNotBuilt`] / [`CryptoError::ChaCha20Poly1305NotBuilt`]
    /// naming the cargo feature, or [`CryptoError::Unsupported`].
    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError>
    where
        Self: Sized,
    {
        let _ = algorithm;
        Ok(())
    }
}
