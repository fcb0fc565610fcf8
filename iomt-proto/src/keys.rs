//! The key schedule: EDHOC_Exporter → per-direction traffic secret → AEAD key + IV,
//! and the forward-secret key-update ratchet.
//!
//! ```text
//! secret_0(I→R) = EDHOC_Exporter(32768, context, 32)
//! secret_0(R→I) = EDHOC_Exporter(32769, context, 32)
//!   context     = [PROTOCOL_VERSION (1), COSE alg id of the AEAD (10 or 24)]
//! key_n         = HKDF-Expand(secret_n, "iomt1 key", key_len)
//! IV            = HKDF-Expand(secret_0, "iomt1 iv",  nonce_len)   (fixed per direction)
//! secret_{n+1}  = HKDF-Expand(secret_n, "iomt1 ku",  32)          (secret_n zeroized)
//! nonce         = IV XOR left_pad(epoch:u32be ‖ seq:u64be, nonce_len)
//! ```
//! # Invariants
//! Secrets ([`Prk`], [`AeadKey`], [`Iv`]) zeroize on drop and redact `Debug`. A
//! direction's IV is fixed for the session; each epoch has its own key, and the nonce
//! also encodes the epoch, so (key, nonce) pairs never repeat.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_crypto::{AeadAlgorithm, AeadKey, CryptoProvider, Prk};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{ApiMisuse, ProtoError};

/// The EDHOC_Exporter label of the initiator→responder traffic secret (Private Use range).
pub const LABEL_INITIATOR_TO_RESPONDER: u16 = 32768;
/// The EDHOC_Exporter label of the responder→initiator traffic secret (Private Use range).
pub const LABEL_RESPONDER_TO_INITIATOR: u16 = 32769;
/// The length of a traffic secret.
pub(crate) const SECRET_LEN: usize = 32;
/// The protocol version byte in the exporter context.
pub const PROTOCOL_VERSION: u8 = 1;

const INFO_KEY: &[u8] = b"iomt1 key";
const INFO_IV: &[u8] = b"iomt1 iv";
const INFO_KEY_UPDATE: &[u8] = b"iomt1 ku";

/// The exporter failed (e.g. the handshake is not complete or the length is invalid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ExportError;

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("key export failed")
    }
}

impl core::error::Error for ExportError {}

/// Something that can run `EDHOC_Exporter(label, context, length)` (RFC 9528 §4.2.1).
///
/// iomt-auth's completed handshake provides it; closures
/// `FnMut(u16, &[u8], &mut [u8]) -> Result<(), ExportError>` implement it too.
pub trait KeyExporter {
    /// Fills `out` with `EDHOC_Exporter(label, context, out.len())`.
    ///
    /// # Errors
    /// [`ExportError`] if the exporter cannot produce the output.
    fn export(&mut self, label: u16, context: &[u8], out: &mut [u8]) -> Result<(), ExportError>;
}

impl<F> KeyExporter for F
where
    F: FnMut(u16, &[u8], &mut [u8]) -> Result<(), ExportError>,
{
    fn export(&mut self, label: u16, context: &[u8], out: &mut [u8]) -> Result<(), ExportError> {
        self(label, context, out)
    }
}

/// Which end of the EDHOC handshake this side was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Side {
    /// The EDHOC initiator (usually the device).
    Initiator,
    /// The EDHOC responder (usually the gateway).
    Responder,
}

impl Side {
    /// The other side.
    #[must_use]
    pub const fn peer(self) -> Self {
        match self {
            Self::Initiator => Self::Responder,
            Self::Responder => Self::Initiator,
        }
    }

    /// The exporter label of the secret this side sends with.
    #[must_use]
    pub const fn send_label(self) -> u16 {
        match self {
            Self::Initiator => LABEL_INITIATOR_TO_RESPONDER,
            Self::Responder => LABEL_RESPONDER_TO_INITIATOR,
        }
    }

    /// Whether this side may install consent tags in `slot` (initiator: even slots,
    /// responder: odd slots).
    #[must_use]
    pub const fn owns_slot(self, slot: u8) -> bool {
        match self {
            Self::Initiator => slot & 1 == 0,
            Self::Responder => slot & 1 == 1,
        }
    }
}

/// The COSE algorithm identifier of an AEAD (RFC 9053): 10 for AES-CCM-16-64-128,
/// 24 for ChaCha20/Poly1305.
#[must_use]
pub(crate) const fn cose_alg_id(algorithm: AeadAlgorithm) -> u8 {
    match algorithm {
        AeadAlgorithm::AesCcm16_64_128 => 10,
        AeadAlgorithm::ChaCha20Poly1305 => 24,
    }
}

/// The exporter context for `algorithm`.
#[must_use]
pub const fn exporter_context(algorithm: AeadAlgorithm) -> [u8; 2] {
    [PROTOCOL_VERSION, cose_alg_id(algorithm)]
}

/// A per-direction IV (nonce mask), `nonce_len` bytes of `MAX_NONCE_LEN`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Iv {
    bytes: [u8; AeadAlgorithm::MAX_NONCE_LEN],
    len: u8,
}

impl fmt::Debug for Iv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Iv(<redacted>)")
    }
}

impl Iv {
    /// The nonce for (`epoch`, `seq`): IV XOR left_pad(epoch:u32be ‖ seq:u64be).
    #[must_use]
    pub fn nonce(&self, epoch: u32, seq: u64) -> Nonce {
        let mut out = Nonce {
            bytes: self.bytes,
            len: self.len,
        };
        let mut counter = [0u8; 12];
        let (e, s) = counter.split_at_mut(4);
        e.copy_from_slice(&epoch.to_be_bytes());
        s.copy_from_slice(&seq.to_be_bytes());
        let len = usize::from(self.len);
        let pad = len.saturating_sub(counter.len());
        if let Some(tail) = out.bytes.get_mut(pad..len) {
            for (b, c) in tail.iter_mut().zip(counter.iter()) {
                *b ^= *c;
            }
        }
        out
    }

    /// The IV bytes (for test vectors).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// A per-frame nonce.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Nonce {
    bytes: [u8; AeadAlgorithm::MAX_NONCE_LEN],
    len: u8,
}

impl Nonce {
    /// The nonce bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// Runs the exporter for one direction's initial secret.
///
/// # Errors
/// [`ProtoError::KeyExport`] if the exporter fails.
pub(crate) fn export_secret<E: KeyExporter + ?Sized>(
    exporter: &mut E,
    algorithm: AeadAlgorithm,
    label: u16,
) -> Result<Prk, ProtoError> {
    let mut out = [0u8; SECRET_LEN];
    let r = exporter.export(label, &exporter_context(algorithm), &mut out);
    let prk = Prk::from_bytes(out);
    out.zeroize();
    r.map_err(|_| ProtoError::KeyExport)?;
    Ok(prk)
}

/// `key = HKDF-Expand(secret, "iomt1 key", key_len)`.
///
/// # Errors
/// [`ProtoError::Crypto`] if the provider fails.
pub fn derive_key<C: CryptoProvider>(
    crypto: &mut C,
    secret: &Prk,
    algorithm: AeadAlgorithm,
) -> Result<AeadKey, ProtoError> {
    let mut buf = [0u8; AeadAlgorithm::MAX_KEY_LEN];
    let len = algorithm.key_len();
    let out = buf
        .get_mut(..len)
        .ok_or(ProtoError::ApiMisuse(ApiMisuse::UnsupportedAlgorithm))?;
    let r = crypto
        .hkdf_sha256_expand(secret, INFO_KEY, out)
        .map_err(ProtoError::from)
        .and_then(|()| AeadKey::new(algorithm, out).map_err(ProtoError::from));
    buf.zeroize();
    r
}

/// `IV = HKDF-Expand(secret, "iomt1 iv", nonce_len)`.
///
/// # Errors
/// [`ProtoError::Crypto`] if the provider fails.
pub fn derive_iv<C: CryptoProvider>(
    crypto: &mut C,
    secret: &Prk,
    algorithm: AeadAlgorithm,
) -> Result<Iv, ProtoError> {
    let mut iv = Iv {
        bytes: [0; AeadAlgorithm::MAX_NONCE_LEN],
        len: u8::try_from(algorithm.nonce_len())
            .map_err(|_| ProtoError::ApiMisuse(ApiMisuse::UnsupportedAlgorithm))?,
    };
    if algorithm.nonce_len() < 12 {
        return Err(ProtoError::ApiMisuse(ApiMisuse::UnsupportedAlgorithm));
    }
    let out = iv
        .bytes
        .get_mut(..algorithm.nonce_len())
        .ok_or(ProtoError::ApiMisuse(ApiMisuse::UnsupportedAlgorithm))?;
    crypto.hkdf_sha256_expand(secret, INFO_IV, out)?;
    Ok(iv)
}

/// `secret_{n+1} = HKDF-Expand(secret_n, "iomt1 ku", 32)`.
///
/// # Errors
/// [`ProtoError::Crypto`] if the provider fails.
pub fn next_secret<C: CryptoProvider>(crypto: &mut C, secret: &Prk) -> Result<Prk, ProtoError> {
    let mut out = [0u8; SECRET_LEN];
    let r = crypto.hkdf_sha256_expand(secret, INFO_KEY_UPDATE, &mut out);
    let prk = Prk::from_bytes(out);
    out.zeroize();
    r?;
    Ok(prk)
}
