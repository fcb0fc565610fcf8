//! The parts a crypto backend can replace, one trait each.
//!
//! [`CryptoProvider`](crate::CryptoProvider) is the one bound the protocol crates use;
//! it is these four traits together (its supertraits), so every operation is declared
//! once, here. [`Provider`](crate::Provider) builds one from four parts, so a backend
//! implements only what it accelerates and reuses the rest:
//!
//! | Part | Operations |
//! |---|---|
//! | [`P256`] | ephemeral key generation, ECDH (ephemeral and static), key import, public keys, x-only decompression, ECDSA sign/verify over a digest |
//! | [`Hashing`] | SHA-256 (one-shot and incremental), HKDF-SHA-256 extract/expand |
//! | [`Aead`] | AEAD seal/open (AES-CCM-16-64-128, ChaCha20-Poly1305) and which are built |
//! | [`Random`] | cryptographically secure random bytes |
//!
//! # Contract (every part)
//! - Every method takes `&mut self`: hardware engines (CryptoCell, STM32 PKA, a secure
//!   element such as the ATECC608) run one operation at a time.
//! - Methods that take peer data validate it and return a typed [`CryptoError`]; none
//!   may panic on any input.
//! - Secrets ([`SharedSecret`], [`Prk`], [`AeadKey`], [`P256::EphemeralSecret`])
//!   zeroize on drop and redact `Debug`.
//! - [`Aead::aead_open`] writes plaintext into `in_out` only if the tag is valid; on
//!   failure `in_out` is zeroized (never releases unauthenticated plaintext).

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
    /// For the software backends this is the key itself; for a secure element a slot.
    type KeyHandle;
    /// An ephemeral P-256 private key (zeroizes on drop, not `Clone`).
    type EphemeralSecret;

    /// Generates an ephemeral key pair, drawing randomness from `rng` (the
    /// composition's [`Random`] part). Protocol code calls
    /// [`CryptoProvider::p256_generate_ephemeral`](crate::CryptoProvider::p256_generate_ephemeral),
    /// which passes the provider's own randomness.
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError>;

    /// ECDH with an ephemeral secret: the x-coordinate of `secret · peer`.
    ///
    /// EDHOC uses each ephemeral key in up to two DH operations (G_XY and G_RX, or
    /// G_XY and G_IY), so the secret is borrowed; the caller drops it (zeroizing it)
    /// right after its last use.
    ///
    /// # Errors
    /// [`CryptoError::InvalidPublicKey`] if the result is the identity (cannot happen
    /// for a validated prime-order point and a valid scalar, but is still checked).
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

    /// Imports a long-term private key (32-byte big-endian scalar) and returns its
    /// handle, e.g. for provisioning or the conformance kit's static-key ECDH vectors.
    /// The default refuses: a secure element that only generates keys internally need
    /// not implement it.
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

    /// Decompresses an EDHOC compact public key (RFC 9528 §3.7: the x-coordinate
    /// alone) — the peer's G_X / G_Y in every handshake. Must return exactly what
    /// [`PublicKey::from_x_coordinate`] returns (the even-y point, the same errors); the
    /// default calls it. A part with faster field arithmetic overrides it (the square
    /// root is most of the cost: with RustCrypto's field code, 436 k instructions per
    /// call on a Cortex-M4, against 57 k in `CortexM4P256`); the conformance kit checks
    /// the override.
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

    /// Whether this build implements `algorithm` (a cipher suite's AEAD). EDHOC checks
    /// every configured suite with it at construction, so a configuration naming a
    /// suite left out of the build fails early and clearly.
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
