//! The provider trait: every primitive iomt needs, behind `&mut self`.
//!
//! Hardware engines (CryptoCell, STM32 PKA, a secure element such as the ATECC608)
//! run one operation at a time, so every method takes `&mut self`. Long-term private
//! keys are reached only through [`CryptoProvider::KeyHandle`], so a secure element
//! can keep them inside the chip; ephemeral secrets are the provider's own type and
//! zeroize on drop.
//!
//! Backends are usually built from [parts](crate::parts) ([`crate::P256`],
//! [`crate::Hashing`], [`crate::Aead`], [`crate::Random`]) by the composition
//! [`crate::Provider`], which implements this trait; implementing it directly stays
//! possible (wrappers that alter or count every call do).

use crate::error::CryptoError;
use crate::types::{AeadAlgorithm, AeadKey, Digest, Prk, PublicKey, SharedSecret, Signature};

/// Incremental SHA-256 (used for EDHOC transcript hashes and streamed digests).
pub trait Sha256State {
    /// Absorbs `data`.
    fn update(&mut self, data: &[u8]);
    /// Finishes the hash.
    fn finalize(self) -> Digest;
}

/// Every primitive the protocol crates use.
///
/// # Contract
/// - Methods that take peer data validate it and return a typed [`CryptoError`];
///   none may panic on any input.
/// - [`PublicKey`] values are validated when constructed, so ECDH and verification
///   never see an invalid point.
/// - Secrets ([`SharedSecret`], [`Prk`], [`AeadKey`], `Self::EphemeralSecret`)
///   zeroize on drop and redact `Debug`.
/// - `aead_open` writes plaintext into `in_out` only if the tag is valid; on failure
///   `in_out` is zeroized (never releases unauthenticated plaintext).
pub trait CryptoProvider {
    /// A handle to a long-term P-256 private key (static DH and ECDSA signing).
    /// For the software backend this is the key itself; for a secure element a slot.
    type KeyHandle;
    /// An ephemeral P-256 private key. It must zeroize on drop and must not be `Clone`.
    type EphemeralSecret;
    /// Incremental SHA-256 state.
    type Sha256: Sha256State;

    /// Fills `out` with cryptographically secure random bytes.
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError>;

    /// Generates an ephemeral P-256 key pair.
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    fn p256_generate_ephemeral(
        &mut self,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError>;

    /// ECDH with an ephemeral secret: returns the x-coordinate of `secret · peer`.
    ///
    /// EDHOC uses each ephemeral key in up to two DH operations (G_XY and G_RX, or
    /// G_XY and G_IY), so the secret is borrowed; the caller drops it (zeroizing it)
    /// right after its last use.
    ///
    /// # Errors
    /// [`CryptoError::InvalidPublicKey`] if the result is the identity (cannot happen for
    /// a validated prime-order point and a valid scalar, but is still checked).
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

    /// Imports a long-term P-256 private key (a 32-byte big-endian scalar) and
    /// returns its handle, e.g. for provisioning or for the conformance kit's
    /// static-key ECDH vectors.
    ///
    /// The default returns [`CryptoError::Unsupported`]: a secure element that
    /// only generates keys internally need not implement it.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless 32 bytes; [`CryptoError::InvalidPrivateKey`]
    /// if zero or not below the group order; [`CryptoError::Unsupported`] if the
    /// provider cannot import keys.
    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<Self::KeyHandle, CryptoError> {
        let _ = scalar;
        Err(CryptoError::Unsupported)
    }

    /// The public key of a long-term key.
    ///
    /// # Errors
    /// [`CryptoError::KeyUnavailable`] if the handle names no usable key.
    fn p256_public_key(&mut self, key: &Self::KeyHandle) -> Result<PublicKey, CryptoError>;

    /// Decompresses an EDHOC compact public key (RFC 9528 §3.7: the x-coordinate alone) —
    /// the peer's G_X / G_Y in every handshake. Must return exactly what
    /// [`PublicKey::from_x_coordinate`] returns (the even-y point, the same errors); the
    /// default calls it. A provider with faster field arithmetic overrides it (the square
    /// root is most of the cost: with RustCrypto's field code, 436 k instructions per call
    /// on a Cortex-M4, against 57 k in `CortexM4Provider`); the conformance kit checks the
    /// override.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless 32 bytes; [`CryptoError::InvalidPublicKey`] if
    /// `x ≥ p` or no curve point has this x-coordinate.
    fn p256_public_key_from_x(&mut self, x: &[u8]) -> Result<PublicKey, CryptoError> {
        PublicKey::from_x_coordinate(x)
    }

    /// ECDSA P-256 signature (ES256) over a SHA-256 `digest`, as `r ‖ s`.
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
    /// [`CryptoError::AuthenticationFailed`] if the signature does not verify, including
    /// when `r` or `s` is out of range.
    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError>;

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

    /// Encrypts `in_out` in place and writes the detached tag into `tag`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] if the key, nonce or tag length does not match
    /// `algorithm`, or the plaintext is too long for it.
    fn aead_seal(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError>;

    /// Decrypts `in_out` in place after checking the detached `tag`.
    ///
    /// # Errors
    /// [`CryptoError::AuthenticationFailed`] if the tag does not verify (then `in_out`
    /// is zeroized); [`CryptoError::InvalidLength`] for wrong key/nonce/tag lengths.
    fn aead_open(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), CryptoError>;

    /// Whether this build of the provider implements `algorithm` (a cipher suite's
    /// AEAD). EDHOC checks every configured suite with it at construction, so a
    /// configuration naming a suite left out of the build fails early and clearly.
    ///
    /// # Errors
    /// [`CryptoError::AesCcmNotBuilt`] / [`CryptoError::ChaCha20Poly1305NotBuilt`]
    /// naming the cargo feature (software backends), or [`CryptoError::Unsupported`].
    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError>
    where
        Self: Sized,
    {
        let _ = algorithm;
        Ok(())
    }
}
