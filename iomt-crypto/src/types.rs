//! Key, point, signature and algorithm types shared by every provider.
//!
//! # Invariants
//! - A [`PublicKey`] always holds the affine coordinates of a point on the P-256
//!   curve, both coordinates below the field prime `p`, never the identity. Every
//!   constructor validates; there is no unchecked constructor.
//! - Secret types ([`SharedSecret`], [`Prk`], [`AeadKey`]) zeroize their bytes on
//!   drop, are not `Copy`, and print `<redacted>` instead of their bytes in `Debug`.
//! - An [`AeadKey`] always holds exactly [`AeadAlgorithm::key_len`] bytes for its
//!   algorithm.
//! - A [`Signature`] is exactly 64 bytes `r ‖ s`; range checks on `r` and `s`
//!   happen at verification time (an out-of-range value fails verification).
//!
//! Point validation and decompression use fiat-crypto's verified field arithmetic
//! (`p256_fiat`), whatever provider is in use, so parsing peer keys never depends on a
//! backend.

#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use zeroize::Zeroize;

use crate::error::CryptoError;
use crate::p256_fiat;

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// Length in bytes of one P-256 coordinate (and of a P-256 scalar).
pub const P256_COORDINATE_LEN: usize = 32;

/// Length of an uncompressed SEC1 point `0x04 ‖ x ‖ y`.
pub const P256_SEC1_UNCOMPRESSED_LEN: usize = 1 + 2 * P256_COORDINATE_LEN;

/// Length of a compressed SEC1 point `0x02/0x03 ‖ x`.
pub const P256_SEC1_COMPRESSED_LEN: usize = 1 + P256_COORDINATE_LEN;

/// Copies `bytes` into a 32-byte array, or fails with [`CryptoError::InvalidLength`].
fn array32(bytes: &[u8]) -> Result<[u8; 32], CryptoError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| CryptoError::InvalidLength)
}

/// Validated P-256 public key (affine x, y; never the identity; on the curve;
/// coordinates < p).
///
/// ```
/// use iomt_crypto::PublicKey;
/// // The P-256 generator, in the EDHOC compact form (x only).
/// let gx = [
///     0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
///     0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
/// ];
/// let g = PublicKey::from_x_coordinate(&gx)?;
/// assert_eq!(g.x(), &gx);
/// // Round-trips through COSE_Key x/y and SEC1.
/// assert_eq!(PublicKey::from_coordinates(g.x(), g.y())?, g);
/// assert_eq!(PublicKey::from_sec1_bytes(&g.to_sec1_uncompressed())?, g);
/// // p itself is not a valid x-coordinate.
/// let p = [
///     0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
///     0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
/// ];
/// assert!(PublicKey::from_x_coordinate(&p).is_err());
/// # Ok::<(), iomt_crypto::CryptoError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PublicKey {
    x: [u8; 32],
    y: [u8; 32],
}

impl PublicKey {
    /// Parses the EDHOC compact form (RFC 9528 §3.7): the x-coordinate alone.
    ///
    /// Of the two points with this x-coordinate, the one with an even y is
    /// chosen; ECDH only uses the x-coordinate of the result, which is the same
    /// for both (RFC 9528 §3.7).
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless `x` is 32 bytes;
    /// [`CryptoError::InvalidPublicKey`] if `x ≥ p` or no curve point has this x.
    pub fn from_x_coordinate(x: &[u8]) -> Result<Self, CryptoError> {
        Self::decompress(array32(x)?, false)
    }

    /// Parses affine coordinates, e.g. the `x` and `y` of a COSE_Key (EC2).
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless both are 32 bytes;
    /// [`CryptoError::InvalidPublicKey`] if a coordinate is `≥ p` or the point is
    /// not on the curve.
    pub fn from_coordinates(x: &[u8], y: &[u8]) -> Result<Self, CryptoError> {
        let x = array32(x)?;
        let y = array32(y)?;
        // Checks x < p, y < p and y² = x³ − 3x + b; the identity has no affine
        // coordinates, so it cannot pass.
        if p256_fiat::is_on_curve(&x, &y) {
            Ok(Self { x, y })
        } else {
            Err(CryptoError::InvalidPublicKey)
        }
    }

    /// The point with x-coordinate `x` and a y of the given parity.
    fn decompress(x: [u8; 32], y_is_odd: bool) -> Result<Self, CryptoError> {
        p256_fiat::decompress(&x, y_is_odd)
            .map(|y| Self { x, y })
            .ok_or(CryptoError::InvalidPublicKey)
    }

    /// Parses a SEC1 point: uncompressed `0x04 ‖ x ‖ y` or compressed
    /// `0x02/0x03 ‖ x`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] if the length does not match the tag byte;
    /// [`CryptoError::InvalidPublicKey`] for the identity (`0x00`), an unknown tag,
    /// a coordinate `≥ p`, or a point not on the curve.
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let (&tag, rest) = bytes.split_first().ok_or(CryptoError::InvalidLength)?;
        match tag {
            0x04 => {
                let (x, y) = rest
                    .split_at_checked(P256_COORDINATE_LEN)
                    .ok_or(CryptoError::InvalidLength)?;
                Self::from_coordinates(x, y)
            }
            0x02 | 0x03 => Self::decompress(array32(rest)?, tag == 0x03),
            _ => Err(CryptoError::InvalidPublicKey),
        }
    }

    /// The affine x-coordinate, big-endian.
    #[must_use]
    pub const fn x(&self) -> &[u8; 32] {
        &self.x
    }

    /// The affine y-coordinate, big-endian.
    #[must_use]
    pub const fn y(&self) -> &[u8; 32] {
        &self.y
    }

    /// The uncompressed SEC1 encoding `0x04 ‖ x ‖ y`.
    #[must_use]
    pub fn to_sec1_uncompressed(&self) -> [u8; P256_SEC1_UNCOMPRESSED_LEN] {
        let mut out = [0u8; P256_SEC1_UNCOMPRESSED_LEN];
        let (tag, rest) = out.split_at_mut(1);
        let (x, y) = rest.split_at_mut(P256_COORDINATE_LEN);
        tag.fill(0x04);
        x.copy_from_slice(&self.x);
        y.copy_from_slice(&self.y);
        out
    }

    /// Builds from coordinates the caller computed on the curve (a scalar multiple of a
    /// validated point, never the identity); not re-validated.
    #[cfg(feature = "rustcrypto-core")]
    pub(crate) const fn from_coordinates_unchecked(x: [u8; 32], y: [u8; 32]) -> Self {
        Self { x, y }
    }
}

/// Implements zeroize-on-drop and a redacted `Debug` for a secret newtype.
macro_rules! secret_hygiene {
    ($ty:ident) => {
        impl Drop for $ty {
            fn drop(&mut self) {
                self.zeroize();
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($ty), "(<redacted>)"))
            }
        }
    };
}

/// For a 32-byte secret newtype `$ty([u8; 32])`: `from_bytes` and `as_bytes` (`const`,
/// documented by `$from` and `$as`), `Zeroize`, and [`secret_hygiene!`].
macro_rules! secret_32 {
    ($ty:ident, $from:literal, $as:literal) => {
        impl $ty {
            #[doc = $from]
            #[must_use]
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            #[doc = $as]
            #[must_use]
            pub const fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl Zeroize for $ty {
            fn zeroize(&mut self) {
                self.0.zeroize();
            }
        }

        secret_hygiene!($ty);
    };
}

/// An ECDH shared secret: the 32-byte x-coordinate of the product point.
///
/// Zeroizes on drop; `Debug` is redacted.
///
/// ```
/// use iomt_crypto::SharedSecret;
/// let s = SharedSecret::from_bytes([7; 32]);
/// assert_eq!(s.as_bytes(), &[7; 32]);
/// assert_eq!(format!("{s:?}"), "SharedSecret(<redacted>)");
/// ```
pub struct SharedSecret([u8; 32]);

secret_32!(
    SharedSecret,
    "Wraps raw shared-secret bytes (for provider implementations).",
    "The secret bytes (the big-endian x-coordinate)."
);

/// An HKDF-SHA256 pseudorandom key (the output of HKDF-Extract).
///
/// Zeroizes on drop; `Debug` is redacted.
///
/// ```
/// use iomt_crypto::Prk;
/// let prk = Prk::from_bytes([1; 32]);
/// assert_eq!(prk.as_bytes(), &[1; 32]);
/// assert!(!format!("{prk:?}").contains('1'));
/// ```
pub struct Prk([u8; 32]);

secret_32!(Prk, "Wraps 32 PRK bytes.", "The PRK bytes.");

/// An ECDSA P-256 signature `r ‖ s` (each 32 bytes, big-endian).
///
/// Only the length is checked when parsing; `r` and `s` outside `[1, n)` make
/// verification fail with [`CryptoError::AuthenticationFailed`].
///
/// ```
/// use iomt_crypto::{CryptoError, Signature};
/// let sig = Signature::from_bytes(&[1; 64])?;
/// assert_eq!(sig.as_bytes(), &[1; 64]);
/// assert_eq!(Signature::from_bytes(&[1; 63]), Err(CryptoError::InvalidLength));
/// # Ok::<(), CryptoError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Signature([u8; 64]);

impl Signature {
    /// Length of an encoded signature.
    pub const LEN: usize = 64;

    /// Parses `r ‖ s`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless `bytes` is 64 bytes long.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        <[u8; 64]>::try_from(bytes)
            .map(Self)
            .map_err(|_| CryptoError::InvalidLength)
    }

    /// Wraps a 64-byte array `r ‖ s`.
    #[must_use]
    pub const fn from_array(bytes: [u8; 64]) -> Self {
        Self(bytes)
    }

    /// The encoding `r ‖ s`.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

/// The AEAD algorithms of the EDHOC cipher suites iomt supports.
///
/// ```
/// use iomt_crypto::AeadAlgorithm;
/// assert_eq!(AeadAlgorithm::AesCcm16_64_128.tag_len(), 8);
/// assert_eq!(AeadAlgorithm::ChaCha20Poly1305.nonce_len(), 12);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AeadAlgorithm {
    /// AES-CCM-16-64-128 (COSE alg 10; EDHOC suite 2): 16-byte key, 13-byte nonce, 8-byte tag.
    AesCcm16_64_128,
    /// ChaCha20-Poly1305 (COSE alg 24; EDHOC suite 5): 32-byte key, 12-byte nonce, 16-byte tag.
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// The largest key length of any algorithm.
    pub const MAX_KEY_LEN: usize = 32;
    /// The largest nonce length of any algorithm.
    pub const MAX_NONCE_LEN: usize = 13;
    /// The largest tag length of any algorithm.
    pub const MAX_TAG_LEN: usize = 16;

    /// Key length in bytes.
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            Self::AesCcm16_64_128 => 16,
            Self::ChaCha20Poly1305 => 32,
        }
    }

    /// Nonce length in bytes.
    #[must_use]
    pub const fn nonce_len(self) -> usize {
        match self {
            Self::AesCcm16_64_128 => 13,
            Self::ChaCha20Poly1305 => 12,
        }
    }

    /// Tag length in bytes.
    #[must_use]
    pub const fn tag_len(self) -> usize {
        match self {
            Self::AesCcm16_64_128 => 8,
            Self::ChaCha20Poly1305 => 16,
        }
    }

    /// The longest plaintext one message may have, in bytes: 2^16 − 1 for
    /// AES-CCM-16-64-128 (13-byte nonce, so a 2-byte length field); for
    /// ChaCha20-Poly1305 the RFC 8439 bound (2^38 − 64) exceeds any buffer on
    /// the supported targets, so `usize::MAX` is returned.
    #[must_use]
    pub const fn max_plaintext_len(self) -> usize {
        match self {
            // 13-byte nonce → L = 15 − 13 = 2 → at most 2^16 − 1 bytes.
            Self::AesCcm16_64_128 => 0xffff,
            Self::ChaCha20Poly1305 => usize::MAX,
        }
    }
}

/// An AEAD key for one [`AeadAlgorithm`] (16 or 32 bytes).
///
/// Zeroizes on drop; `Debug` is redacted.
///
/// ```
/// use iomt_crypto::{AeadAlgorithm, AeadKey, CryptoError};
/// let key = AeadKey::new(AeadAlgorithm::AesCcm16_64_128, &[9; 16])?;
/// assert_eq!(key.as_bytes(), &[9; 16]);
/// assert_eq!(
///     AeadKey::new(AeadAlgorithm::ChaCha20Poly1305, &[9; 16]).err(),
///     Some(CryptoError::InvalidLength)
/// );
/// # Ok::<(), CryptoError>(())
/// ```
pub struct AeadKey {
    bytes: [u8; AeadAlgorithm::MAX_KEY_LEN],
    algorithm: AeadAlgorithm,
}

impl AeadKey {
    /// Copies a key for `algorithm`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless `key.len() == algorithm.key_len()`.
    pub fn new(algorithm: AeadAlgorithm, key: &[u8]) -> Result<Self, CryptoError> {
        if key.len() != algorithm.key_len() {
            return Err(CryptoError::InvalidLength);
        }
        let mut bytes = [0u8; AeadAlgorithm::MAX_KEY_LEN];
        if !crate::copy_prefix(&mut bytes, key) {
            return Err(CryptoError::InvalidLength);
        }
        Ok(Self { bytes, algorithm })
    }

    /// The algorithm this key is for.
    #[must_use]
    pub const fn algorithm(&self) -> AeadAlgorithm {
        self.algorithm
    }

    /// The key bytes (`algorithm().key_len()` of them).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..self.algorithm.key_len())
            .unwrap_or(&self.bytes)
    }
}

impl Zeroize for AeadKey {
    fn zeroize(&mut self) {
        self.bytes.zeroize();
    }
}

secret_hygiene!(AeadKey);
