//! Credential revocation: a signed, numbered list of revoked credentials that the trust
//! store consults on every handshake.
//!
//! # List (the COSE payload): a deterministic CBOR map with exactly these keys, in order
//! | key | field | type |
//! |----:|-------|------|
//! | 1 | list number (monotonic: a list replaces only a lower-numbered one) | uint ≤ 2³²−1 |
//! | 2 | issue time (seconds since the Unix epoch) | uint ≤ 2⁶⁴−1 |
//! | 3 | revoked credentials: SHA-256 of each CRED_x (the CCS bytes exactly as stored) | array (≤ [`MAX_REVOKED`]) of bstr .size 32, strictly ascending |
//!
//! # Envelope
//! The same COSE_Sign1 / ES256 envelope as an update manifest ([`crate::update`]): tag 18
//! optional on input and always emitted, protected header `{1: -7, 4: kid}` with `kid` =
//! [`crate::update::key_id`] of the revocation authority's key (the vendor's or the
//! hospital's), empty unprotected map, 64-byte `r ‖ s` signature over the RFC 9052
//! `Sig_structure`. The envelope parser and the `Sig_structure` digest are the update
//! module's (one COSE_Sign1 implementation).
//!
//! # Invariants
//! - Decoding is strict (shortest heads, definite lengths, exact keys and order, entries
//!   strictly ascending so no duplicates, no trailing bytes): every accepted list is the
//!   unique encoding of its contents, and only bytes whose signature verified with the
//!   authority key reach the payload decoder.
//! - [`RevocationState::install`] never lowers the list number: an older list (or
//!   another list with the same number) is refused and the installed one stays.
//! - Revocation is by credential hash, not by `kid`: a `kid` is re-used when a credential
//!   is rotated, a hash names exactly the stolen key and its credential.
//! - No allocation: a list holds at most [`MAX_REVOKED`] entries inline.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_core::Timestamp;
use iomt_crypto::{CryptoProvider, PublicKey};

use crate::cbor::{CborError, Decoder, Encoder};
use crate::update::{UpdateError, key_id, parse_envelope, sig_structure_digest, sign_payload};

use super::TrustedCredential;

/// Most revoked credentials one list names.
pub const MAX_REVOKED: usize = 32;
/// Length of a revoked-credential entry (SHA-256 of CRED_x).
pub const REVOKED_ID_LEN: usize = 32;
/// Longest encoded list payload.
pub const MAX_LIST_PAYLOAD_LEN: usize = 1 + (1 + 5) + (1 + 9) + (1 + 2) + MAX_REVOKED * (2 + 32);
/// Longest signed list (tagged COSE_Sign1 envelope).
pub const MAX_LIST_LEN: usize = 1 + 1 + (1 + 13) + 1 + (3 + MAX_LIST_PAYLOAD_LEN) + (2 + 64);

/// Why a revocation list was refused, or why a peer was refused by one.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RevocationError {
    /// The envelope or list is not the expected CBOR structure (types, keys, lengths).
    Malformed,
    /// A non-deterministic encoding (long-form head, keys or entries out of order,
    /// duplicate entries).
    NonDeterministic,
    /// The protected header is not exactly `{1: -7 (ES256), 4: kid}`.
    UnsupportedAlgorithm,
    /// The envelope names a signer (kid) that is not the revocation authority's key.
    UnknownSigner,
    /// The ES256 signature does not verify (forged or corrupted list).
    BadSignature,
    /// The list names more than [`MAX_REVOKED`] credentials.
    TooManyEntries,
    /// The list's number is lower than the installed one (rollback to an older list).
    Older,
    /// The list's number equals the installed one (replay, or two lists with one number).
    SameNumber,
    /// The peer's credential is on the installed revocation list (the handshake fails).
    Revoked,
    /// An output buffer is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl fmt::Display for RevocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed revocation list"),
            Self::NonDeterministic => f.write_str("non-deterministic revocation list encoding"),
            Self::UnsupportedAlgorithm => f.write_str("revocation list: unsupported algorithm"),
            Self::UnknownSigner => f.write_str("revocation list: unknown signer"),
            Self::BadSignature => f.write_str("revocation list: bad signature"),
            Self::TooManyEntries => f.write_str("revocation list: too many entries"),
            Self::Older => f.write_str("revocation list older than the installed one"),
            Self::SameNumber => f.write_str("revocation list number already installed"),
            Self::Revoked => f.write_str("peer credential revoked"),
            Self::BufferTooSmall { needed } => write!(f, "buffer too small ({needed} needed)"),
        }
    }
}

impl core::error::Error for RevocationError {}

fn from_update(e: UpdateError) -> RevocationError {
    match e {
        UpdateError::NonDeterministic => RevocationError::NonDeterministic,
        UpdateError::UnsupportedAlgorithm => RevocationError::UnsupportedAlgorithm,
        UpdateError::UnknownSigner => RevocationError::UnknownSigner,
        UpdateError::BadSignature => RevocationError::BadSignature,
        UpdateError::BufferTooSmall { needed } => RevocationError::BufferTooSmall { needed },
        _ => RevocationError::Malformed,
    }
}

fn from_cbor(e: CborError) -> RevocationError {
    match e {
        CborError::NonDeterministic => RevocationError::NonDeterministic,
        CborError::BufferTooSmall { needed } => RevocationError::BufferTooSmall { needed },
        _ => RevocationError::Malformed,
    }
}

/// A verified revocation list (or one being built by the authority's tool).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RevocationList {
    number: u32,
    issued_at: Timestamp,
    len: usize,
    entries: [[u8; REVOKED_ID_LEN]; MAX_REVOKED],
}

impl RevocationList {
    /// An empty list with `number` (authority side; add entries with [`Self::revoke`]).
    #[must_use]
    pub const fn new(number: u32, issued_at: Timestamp) -> Self {
        Self {
            number,
            issued_at,
            len: 0,
            entries: [[0; REVOKED_ID_LEN]; MAX_REVOKED],
        }
    }

    /// The list number.
    #[must_use]
    pub const fn number(&self) -> u32 {
        self.number
    }

    /// The issue time.
    #[must_use]
    pub const fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// The revoked credential hashes, ascending.
    #[must_use]
    pub fn entries(&self) -> &[[u8; REVOKED_ID_LEN]] {
        self.entries.get(..self.len).unwrap_or(&[])
    }

    /// Adds the credential whose SHA-256 is `cred_hash` (kept sorted; a duplicate is a
    /// no-op).
    ///
    /// # Errors
    /// [`RevocationError::TooManyEntries`] when the list is full.
    pub fn revoke(&mut self, cred_hash: &[u8; REVOKED_ID_LEN]) -> Result<(), RevocationError> {
        let pos = match self.entries().binary_search(cred_hash) {
            Ok(_) => return Ok(()),
            Err(pos) => pos,
        };
        let len = self.len;
        let tail = self
            .entries
            .get_mut(pos..=len)
            .ok_or(RevocationError::TooManyEntries)?;
        tail.rotate_right(1);
        if let Some(first) = tail.first_mut() {
            *first = *cred_hash;
        }
        self.len = len.saturating_add(1);
        Ok(())
    }

    /// Adds the credential `cred` (CCS bytes exactly as the trust store holds them).
    ///
    /// # Errors
    /// As [`Self::revoke`].
    pub fn revoke_credential<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        cred: &[u8],
    ) -> Result<(), RevocationError> {
        self.revoke(&crypto.sha256(cred))
    }

    /// Whether the credential with SHA-256 `cred_hash` is revoked.
    #[must_use]
    pub fn is_revoked(&self, cred_hash: &[u8; REVOKED_ID_LEN]) -> bool {
        self.entries().binary_search(cred_hash).is_ok()
    }

    /// Encodes the payload map (deterministic CBOR).
    ///
    /// # Errors
    /// [`RevocationError::BufferTooSmall`].
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, RevocationError> {
        let mut e = Encoder::new(out);
        e.map(3).map_err(from_cbor)?;
        e.uint(1).map_err(from_cbor)?;
        e.uint(u64::from(self.number)).map_err(from_cbor)?;
        e.uint(2).map_err(from_cbor)?;
        e.uint(self.issued_at.as_secs()).map_err(from_cbor)?;
        e.uint(3).map_err(from_cbor)?;
        e.array(self.len).map_err(from_cbor)?;
        for h in self.entries() {
            e.bstr(h).map_err(from_cbor)?;
        }
        Ok(e.len())
    }

    /// Decodes a payload map strictly (no signature check: use [`Self::open`] for
    /// received lists).
    ///
    /// # Errors
    /// [`RevocationError::NonDeterministic`] (long heads, keys or entries out of order,
    /// duplicates), [`RevocationError::TooManyEntries`], [`RevocationError::Malformed`]
    /// (types, missing or extra keys, values out of range, trailing bytes).
    pub fn decode(bytes: &[u8]) -> Result<Self, RevocationError> {
        let mut d = Decoder::new(bytes);
        if d.map().map_err(from_cbor)? != 3 {
            return Err(RevocationError::Malformed);
        }
        expect_key(&mut d, 1)?;
        let number = u32::try_from(d_uint(&mut d)?).map_err(|_| RevocationError::Malformed)?;
        expect_key(&mut d, 2)?;
        let issued_at = Timestamp::from_secs(d_uint(&mut d)?);
        expect_key(&mut d, 3)?;
        let n = d.array().map_err(from_cbor)?;
        if n > MAX_REVOKED {
            return Err(RevocationError::TooManyEntries);
        }
        let mut list = Self::new(number, issued_at);
        let mut prev: Option<[u8; REVOKED_ID_LEN]> = None;
        for slot in list.entries.iter_mut().take(n) {
            let h: [u8; REVOKED_ID_LEN] = d
                .bstr()
                .map_err(from_cbor)?
                .try_into()
                .map_err(|_| RevocationError::Malformed)?;
            if prev.is_some_and(|p| p >= h) {
                return Err(RevocationError::NonDeterministic);
            }
            prev = Some(h);
            *slot = h;
        }
        list.len = n;
        d.finish().map_err(|_| RevocationError::Malformed)?;
        Ok(list)
    }

    /// Verifies a signed list with the revocation `authority` key and decodes it.
    ///
    /// ```
    /// use iomt_auth::cred::revocation::{RevocationList, MAX_LIST_LEN};
    /// use iomt_core::Timestamp;
    /// use iomt_crypto::prelude::*;
    /// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    /// # let authority = iomt_crypto::StaticKey::from_bytes(&[3; 32]).unwrap();
    /// let mut list = RevocationList::new(7, Timestamp::from_secs(1_800_000_000));
    /// list.revoke_credential(&mut crypto, b"stolen CCS bytes")?;
    /// let mut signed = [0u8; MAX_LIST_LEN];
    /// let n = list.sign(&mut crypto, &authority, &mut signed)?;
    /// let authority_pk = crypto.p256_public_key(&authority).unwrap();
    /// let got = RevocationList::open(&mut crypto, &signed[..n], &authority_pk)?;
    /// assert_eq!(got, list);
    /// # Ok::<(), iomt_auth::cred::revocation::RevocationError>(())
    /// ```
    ///
    /// # Errors
    /// Envelope errors ([`RevocationError::Malformed`], [`RevocationError::NonDeterministic`],
    /// [`RevocationError::UnsupportedAlgorithm`]); [`RevocationError::UnknownSigner`] if the
    /// kid is not the authority's; [`RevocationError::BadSignature`]; then as
    /// [`Self::decode`].
    pub fn open<C: CryptoProvider>(
        crypto: &mut C,
        signed: &[u8],
        authority: &PublicKey,
    ) -> Result<Self, RevocationError> {
        let env = parse_envelope(signed).map_err(from_update)?;
        if env.kid != key_id(crypto, authority) {
            return Err(RevocationError::UnknownSigner);
        }
        let digest =
            sig_structure_digest(crypto, env.protected, env.payload).map_err(from_update)?;
        crypto
            .ecdsa_p256_verify_digest(authority, &digest, &env.signature)
            .map_err(|_| RevocationError::BadSignature)?;
        // Only authenticated bytes reach the payload decoder.
        Self::decode(env.payload)
    }

    /// Signs the list as a tagged COSE_Sign1 (ES256) with the authority key `key`
    /// (authority tool and tests). Returns the length (at most [`MAX_LIST_LEN`]).
    ///
    /// # Errors
    /// [`RevocationError::BufferTooSmall`]; a key that cannot sign gives
    /// [`RevocationError::Malformed`].
    pub fn sign<C: CryptoProvider>(
        &self,
        crypto: &mut C,
        key: &C::KeyHandle,
        out: &mut [u8],
    ) -> Result<usize, RevocationError> {
        let mut payload = [0u8; MAX_LIST_PAYLOAD_LEN];
        let n = self.encode(&mut payload)?;
        sign_payload(crypto, key, payload.get(..n).unwrap_or(&[]), out).map_err(from_update)
    }
}

fn d_uint(d: &mut Decoder<'_>) -> Result<u64, RevocationError> {
    d.uint().map_err(from_cbor)
}

fn expect_key(d: &mut Decoder<'_>, want: u64) -> Result<(), RevocationError> {
    match d_uint(d)? {
        k if k == want => Ok(()),
        1..=3 => Err(RevocationError::NonDeterministic),
        _ => Err(RevocationError::Malformed),
    }
}

/// The installed revocation list of a trust store, with its anti-rollback floor.
///
/// Persist the installed envelope bytes and [`Self::floor`] (e.g. in a monotonic counter)
/// and re-install at boot with [`Self::with_floor`], so that a reboot does not re-open
/// the door to an older list.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RevocationState {
    floor: u32,
    list: Option<RevocationList>,
}

impl RevocationState {
    /// No list installed; any list number is acceptable.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            floor: 0,
            list: None,
        }
    }

    /// No list installed; only lists numbered at least `floor` are acceptable (the number
    /// of the last list installed before a reboot).
    #[must_use]
    pub const fn with_floor(floor: u32) -> Self {
        Self { floor, list: None }
    }

    /// The installed list, if any.
    #[must_use]
    pub const fn list(&self) -> Option<&RevocationList> {
        self.list.as_ref()
    }

    /// The lowest list number [`Self::install`] would still accept (persist it).
    #[must_use]
    pub const fn floor(&self) -> u32 {
        match &self.list {
            Some(l) => l.number,
            None => self.floor,
        }
    }

    /// Verifies `signed` with `authority` and installs it if its number is above the
    /// installed list's (or, with none installed, at least the floor). Returns the new
    /// list number. On any error the installed list is unchanged.
    ///
    /// # Errors
    /// As [`RevocationList::open`]; [`RevocationError::Older`] for a lower number,
    /// [`RevocationError::SameNumber`] for the installed number.
    pub fn install<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        signed: &[u8],
        authority: &PublicKey,
    ) -> Result<u32, RevocationError> {
        let list = RevocationList::open(crypto, signed, authority)?;
        match &self.list {
            Some(cur) if list.number < cur.number => return Err(RevocationError::Older),
            Some(cur) if list.number == cur.number => return Err(RevocationError::SameNumber),
            None if list.number < self.floor => return Err(RevocationError::Older),
            _ => {}
        }
        self.list = Some(list);
        Ok(list.number)
    }

    /// Checks a resolved credential: `Err(Revoked)` if the installed list names it.
    ///
    /// # Errors
    /// [`RevocationError::Revoked`].
    pub fn check<C: CryptoProvider>(
        &self,
        crypto: &mut C,
        cred: &TrustedCredential<'_>,
    ) -> Result<(), RevocationError> {
        match &self.list {
            Some(l) if l.is_revoked(&crypto.sha256(cred.cred)) => Err(RevocationError::Revoked),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
