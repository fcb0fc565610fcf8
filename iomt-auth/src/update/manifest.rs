//! The update manifest and its COSE_Sign1 (ES256) envelope.
//!
//! # Manifest (the COSE payload): a deterministic CBOR map with exactly these keys, in
//! this order
//! | key | field | type |
//! |----:|-------|------|
//! | 1 | vendor id (e.g. IANA Private Enterprise Number) | uint ≤ 2³²−1 |
//! | 2 | device class | uint ≤ 2³²−1 |
//! | 3 | version (monotonic; e.g. semver packed `major << 16 | minor << 8 | patch`) | uint ≤ 2³²−1 |
//! | 4 | minimum installed version this update may be applied on | uint ≤ 2³²−1 |
//! | 5 | image size in bytes | uint ≤ 2³²−1 |
//! | 6 | SHA-256 of the image | bstr .size 32 |
//!
//! # Envelope: `COSE_Sign1` (RFC 9052 §4.2), tag 18 optional on input, always emitted
//! `18([protected: bstr .cbor {1: -7, 4: kid}, unprotected: {}, payload: bstr .cbor manifest,
//! signature: bstr .size 64])` where `kid` = the first 8 bytes of SHA-256 of the vendor key's
//! SEC1 uncompressed encoding ([`key_id`]). The signature is ES256 over
//! `Sig_structure = ["Signature1", protected, external_aad = h'', payload]` (RFC 9052 §4.4).
//!
//! # Invariants
//! Decoding is strict: shortest-form heads only, definite lengths, exact key set and order,
//! exact protected header bytes, empty unprotected map, no trailing bytes — so every
//! accepted envelope is the unique encoding of its contents.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::{CryptoProvider, PublicKey, Sha256State, Signature};

use super::UpdateError;
use crate::cbor::{CborError, Decoder, Encoder};

/// Length of a signer key id.
pub const KEY_ID_LEN: usize = 8;
/// Longest encoded manifest payload (6 keys, 5 × u32, 32-byte digest).
pub const MAX_MANIFEST_LEN: usize = 1 + 5 * (1 + 5) + 1 + 2 + 32;
/// Length of the protected header bytes `{1: -7, 4: h'<8 bytes>'}`.
pub(crate) const PROTECTED_LEN: usize = 5 + KEY_ID_LEN;
/// Longest COSE_Sign1_Tagged envelope.
pub const MAX_ENVELOPE_LEN: usize =
    1 + 1 + (1 + PROTECTED_LEN) + 1 + (2 + MAX_MANIFEST_LEN) + (2 + 64);

const COSE_SIGN1_TAG: u8 = 0xd2;

/// The signer key id for `key`: SHA-256 of the SEC1 uncompressed point, first 8 bytes.
pub fn key_id<C: CryptoProvider>(crypto: &mut C, key: &PublicKey) -> [u8; KEY_ID_LEN] {
    let d = crypto.sha256(&key.to_sec1_uncompressed());
    let mut k = [0u8; KEY_ID_LEN];
    for (a, b) in k.iter_mut().zip(d.iter()) {
        *a = *b;
    }
    k
}

/// A firmware update manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Manifest {
    /// Vendor id.
    pub vendor_id: u32,
    /// Device class the image is for.
    pub device_class: u32,
    /// Version of the image (must exceed the installed one).
    pub version: u32,
    /// The installed version must be at least this for the update to apply.
    pub min_version: u32,
    /// Image size in bytes.
    pub image_size: u32,
    /// SHA-256 of the image.
    pub digest: [u8; 32],
}

fn map_cbor(e: CborError) -> UpdateError {
    match e {
        CborError::NonDeterministic => UpdateError::NonDeterministic,
        CborError::TrailingBytes => UpdateError::TrailingBytes,
        CborError::BufferTooSmall { needed } => UpdateError::BufferTooSmall { needed },
        _ => UpdateError::Malformed,
    }
}

impl Manifest {
    /// Encodes the payload map (deterministic CBOR) into `out`.
    ///
    /// # Errors
    /// [`UpdateError::BufferTooSmall`].
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, UpdateError> {
        let mut e = Encoder::new(out);
        e.map(6).map_err(map_cbor)?;
        for (k, v) in [
            (1u64, self.vendor_id),
            (2, self.device_class),
            (3, self.version),
            (4, self.min_version),
            (5, self.image_size),
        ] {
            e.uint(k).map_err(map_cbor)?;
            e.uint(u64::from(v)).map_err(map_cbor)?;
        }
        e.uint(6).map_err(map_cbor)?;
        e.bstr(&self.digest).map_err(map_cbor)?;
        Ok(e.len())
    }

    /// Decodes a payload map strictly.
    ///
    /// # Errors
    /// [`UpdateError::NonDeterministic`] (non-shortest heads, keys out of order),
    /// [`UpdateError::TrailingBytes`], [`UpdateError::Malformed`] (wrong types, missing or
    /// extra keys, values out of range, indefinite lengths).
    pub fn decode(bytes: &[u8]) -> Result<Self, UpdateError> {
        let mut d = Decoder::new(bytes);
        if d.map().map_err(map_cbor)? != 6 {
            return Err(UpdateError::Malformed);
        }
        let mut v = [0u32; 5];
        for (i, slot) in (1u64..).zip(v.iter_mut()) {
            let k = d.uint().map_err(map_cbor)?;
            if k != i {
                return Err(if (1..=6).contains(&k) {
                    UpdateError::NonDeterministic
                } else {
                    UpdateError::Malformed
                });
            }
            *slot =
                u32::try_from(d.uint().map_err(map_cbor)?).map_err(|_| UpdateError::Malformed)?;
        }
        if d.uint().map_err(map_cbor)? != 6 {
            return Err(UpdateError::Malformed);
        }
        let digest: [u8; 32] = d
            .bstr()
            .map_err(map_cbor)?
            .try_into()
            .map_err(|_| UpdateError::Malformed)?;
        d.finish().map_err(map_cbor)?;
        let [vendor_id, device_class, version, min_version, image_size] = v;
        Ok(Self {
            vendor_id,
            device_class,
            version,
            min_version,
            image_size,
            digest,
        })
    }

    /// Signs the manifest as a tagged COSE_Sign1 (ES256) with the vendor key `key`
    /// (vendor tool and tests). Returns the envelope length (at most [`MAX_ENVELOPE_LEN`]).
    ///
    /// ```
    /// use iomt_auth::update::{Manifest, MAX_ENVELOPE_LEN};
    /// use iomt_crypto::prelude::*;
    /// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    /// # let vendor_key = iomt_crypto::StaticKey::from_bytes(&[3; 32]).unwrap();
    /// let m = Manifest { vendor_id: 32473, device_class: 7, version: 0x0001_0200,
    ///     min_version: 0x0001_0000, image_size: 4096, digest: crypto.sha256(&[0u8; 4096]) };
    /// let mut env = [0u8; MAX_ENVELOPE_LEN];
    /// let n = m.sign(&mut crypto, &vendor_key, &mut env)?;
    /// assert_eq!(env[0], 0xd2); // COSE_Sign1 tag 18
    /// # let _ = n;
    /// # Ok::<(), iomt_auth::update::UpdateError>(())
    /// ```
    ///
    /// # Errors
    /// [`UpdateError::BufferTooSmall`], [`UpdateError::Crypto`] if the key cannot sign.
    pub fn sign<C: CryptoProvider>(
        &self,
        crypto: &mut C,
        key: &C::KeyHandle,
        out: &mut [u8],
    ) -> Result<usize, UpdateError> {
        let mut payload = [0u8; MAX_MANIFEST_LEN];
        let plen = self.encode(&mut payload)?;
        sign_payload(crypto, key, payload.get(..plen).unwrap_or(&[]), out)
    }
}

/// Signs arbitrary payload bytes as a tagged COSE_Sign1 (ES256) with `key`.
///
/// Not part of the stable API: tests use it to sign deliberately malformed manifests.
///
/// # Errors
/// [`UpdateError::BufferTooSmall`], [`UpdateError::Crypto`].
#[doc(hidden)]
pub fn sign_payload<C: CryptoProvider>(
    crypto: &mut C,
    key: &C::KeyHandle,
    payload: &[u8],
    out: &mut [u8],
) -> Result<usize, UpdateError> {
    let public = crypto.p256_public_key(key).map_err(UpdateError::Crypto)?;
    let kid = key_id(crypto, &public);
    let protected = protected_header(&kid);
    let digest = sig_structure_digest(crypto, &protected, payload)?;
    let sig = crypto
        .ecdsa_p256_sign_digest(key, &digest)
        .map_err(UpdateError::Crypto)?;
    let mut e = Encoder::new(out);
    e.raw(&[COSE_SIGN1_TAG]).map_err(map_cbor)?;
    e.array(4).map_err(map_cbor)?;
    e.bstr(&protected).map_err(map_cbor)?;
    e.map(0).map_err(map_cbor)?;
    e.bstr(payload).map_err(map_cbor)?;
    e.bstr(sig.as_bytes()).map_err(map_cbor)?;
    Ok(e.len())
}

fn protected_header(kid: &[u8; KEY_ID_LEN]) -> [u8; PROTECTED_LEN] {
    let mut p = [0u8; PROTECTED_LEN];
    let (h, k) = p.split_at_mut(5);
    // {1: -7, 4: h'..8..'}
    h.copy_from_slice(&[0xa2, 0x01, 0x26, 0x04, 0x48]);
    k.copy_from_slice(kid);
    p
}

/// SHA-256 of `Sig_structure = ["Signature1", protected, h'', payload]` (RFC 9052 §4.4),
/// streamed without building the structure in memory. Exposed for known-answer tests.
///
/// # Errors
/// Never in practice (the heads always fit); [`UpdateError::BufferTooSmall`] otherwise.
#[doc(hidden)]
pub fn sig_structure_digest<C: CryptoProvider>(
    crypto: &mut C,
    protected: &[u8],
    payload: &[u8],
) -> Result<[u8; 32], UpdateError> {
    let mut h = crypto.sha256_start();
    let mut head = [0u8; 16];
    let mut e = Encoder::new(&mut head);
    e.array(4).map_err(map_cbor)?;
    e.tstr("Signature1").map_err(map_cbor)?;
    e.bstr_header(protected.len()).map_err(map_cbor)?;
    h.update(e.written());
    h.update(protected);
    let mut mid = [0u8; 8];
    let mut e = Encoder::new(&mut mid);
    e.bstr(&[]).map_err(map_cbor)?;
    e.bstr_header(payload.len()).map_err(map_cbor)?;
    h.update(e.written());
    h.update(payload);
    Ok(h.finalize())
}

/// The parts of a decoded envelope.
pub(crate) struct Envelope<'a> {
    pub(crate) kid: [u8; KEY_ID_LEN],
    pub(crate) protected: &'a [u8],
    pub(crate) payload: &'a [u8],
    pub(crate) signature: Signature,
}

/// Parses a (tagged or untagged) COSE_Sign1 envelope strictly; no crypto.
pub(crate) fn parse_envelope(bytes: &[u8]) -> Result<Envelope<'_>, UpdateError> {
    let body = match bytes.split_first() {
        Some((&COSE_SIGN1_TAG, rest)) => rest,
        _ => bytes,
    };
    let mut d = Decoder::new(body);
    if d.array().map_err(map_cbor)? != 4 {
        return Err(UpdateError::Malformed);
    }
    let protected = d.bstr().map_err(map_cbor)?;
    let kid = match protected {
        [0xa2, 0x01, 0x26, 0x04, 0x48, kid @ ..] => {
            <[u8; KEY_ID_LEN]>::try_from(kid).map_err(|_| UpdateError::UnsupportedAlgorithm)?
        }
        _ => return Err(UpdateError::UnsupportedAlgorithm),
    };
    if d.map().map_err(map_cbor)? != 0 {
        return Err(UpdateError::Malformed);
    }
    let payload = d.bstr().map_err(map_cbor)?;
    let signature =
        Signature::from_bytes(d.bstr().map_err(map_cbor)?).map_err(|_| UpdateError::Malformed)?;
    d.finish().map_err(map_cbor)?;
    Ok(Envelope {
        kid,
        protected,
        payload,
        signature,
    })
}

/// Verifies the envelope's signature with `key` (kid must match) and decodes the manifest.
pub(crate) fn open_envelope<C: CryptoProvider>(
    crypto: &mut C,
    bytes: &[u8],
    key: &PublicKey,
) -> Result<Manifest, UpdateError> {
    let env = parse_envelope(bytes)?;
    if env.kid != key_id(crypto, key) {
        return Err(UpdateError::UnknownSigner);
    }
    let digest = sig_structure_digest(crypto, env.protected, env.payload)?;
    crypto
        .ecdsa_p256_verify_digest(key, &digest, &env.signature)
        .map_err(|_| UpdateError::BadSignature)?;
    // Only authenticated bytes reach the manifest decoder.
    Manifest::decode(env.payload)
}
