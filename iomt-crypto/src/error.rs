//! The crate's one error type.

use core::fmt;

/// Why a crypto operation failed.
///
/// Failures a peer can provoke stay deliberately coarse: a bad AEAD tag, a bad
/// MAC and a bad signature are all [`CryptoError::AuthenticationFailed`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CryptoError {
    /// An input had the wrong length (key, nonce, tag, coordinate, output buffer of HKDF).
    InvalidLength,
    /// A public key is not a valid P-256 point (x or y not below p, not on the curve, identity).
    InvalidPublicKey,
    /// A private key is not a valid P-256 scalar (zero or not below the group order).
    InvalidPrivateKey,
    /// A signature is malformed (r or s zero or not below the group order).
    InvalidSignature,
    /// Authentication failed: bad AEAD tag, bad signature or bad MAC.
    AuthenticationFailed,
    /// The random number generator failed.
    Rng,
    /// The key handle does not name a usable key (empty slot, wrong key type, locked element).
    KeyUnavailable,
    /// The operation is not supported by this provider.
    Unsupported,
}

impl CryptoError {
    /// A stable numeric code for logs and the C API (never reused).
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::InvalidLength => 1,
            Self::InvalidPublicKey => 2,
            Self::InvalidPrivateKey => 3,
            Self::InvalidSignature => 4,
            Self::AuthenticationFailed => 5,
            Self::Rng => 6,
            Self::KeyUnavailable => 7,
            Self::Unsupported => 8,
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidLength => "invalid length",
            Self::InvalidPublicKey => "invalid P-256 public key",
            Self::InvalidPrivateKey => "invalid P-256 private key",
            Self::InvalidSignature => "malformed signature",
            Self::AuthenticationFailed => "authentication failed",
            Self::Rng => "random number generator failed",
            Self::KeyUnavailable => "key unavailable",
            Self::Unsupported => "operation not supported by this provider",
        })
    }
}

impl core::error::Error for CryptoError {}
