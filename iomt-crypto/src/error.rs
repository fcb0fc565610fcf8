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
    /// AES-CCM (EDHOC cipher suite 2) is not built in: iomt-crypto feature `aes-ccm`.
    AesCcmNotBuilt,
    /// ChaCha20-Poly1305 (EDHOC cipher suite 5) is not built in: iomt-crypto feature
    /// `chacha20poly1305`.
    ChaCha20Poly1305NotBuilt,
}

impl CryptoError {
    /// The error's code in iomt's one registry (docs/ERRORS.md): unique per meaning across
    /// every crate, grouped in ranges by class (1–99 general, 100 crypto, 200 data, 300
    /// handshake, 400 session, 500 authorization, 600 audit, 700 update), and equal to the
    /// C API's `iomt_result` value. A condition shared by several crates (a short buffer:
    /// 2) has one code. Never reused.
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::InvalidLength => 100,
            Self::InvalidPublicKey => 101,
            Self::InvalidPrivateKey => 102,
            Self::InvalidSignature => 103,
            Self::AuthenticationFailed => 104,
            Self::Rng => 105,
            Self::KeyUnavailable => 106,
            Self::Unsupported => 107,
            Self::AesCcmNotBuilt => 108,
            Self::ChaCha20Poly1305NotBuilt => 109,
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
            Self::AesCcmNotBuilt => {
                "AES-CCM (cipher suite 2) not built in: enable iomt-crypto feature `aes-ccm`"
            }
            Self::ChaCha20Poly1305NotBuilt => {
                "ChaCha20-Poly1305 (cipher suite 5) not built in: enable iomt-crypto feature `chacha20poly1305`"
            }
        })
    }
}

impl core::error::Error for CryptoError {}
