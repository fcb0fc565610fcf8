//! [`ConsentWithdrawal`]: the consent authority's signed notice that a consent (all its
//! revisions up to a given one) no longer holds.
//!
//! The gateway receives it from the authority directly (not through the device) and
//! applies it to live sessions at once (`iomt_auth::consent::ConsentVerifier::withdraw`).
//!
//! # Wire format (version 1, postcard)
//!
//! | field | encoding | bytes |
//! |---|---|---|
//! | version (= 1) | u8 | 1 |
//! | consent_ref | 32 raw bytes | 32 |
//! | revision (every tag of `consent_ref` with revision ≤ this is withdrawn) | varint u32 | 1–5 |
//! | issued_at (Unix seconds) | varint u64 | 1–10 |
//! | signature | as in a tag: 0, or 1 + key-id + 64-byte ES256 `r‖s` | 1 or 75–82 |
//!
//! Decoding is strict like [`ConsentTag::decode`](super::ConsentTag::decode) (one
//! canonical encoding). The signature is ES256 over [`ConsentWithdrawal::signing_input`]
//! with a context string distinct from a tag's, so a tag signature never verifies as a
//! withdrawal or the other way round.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use postcard::experimental::max_size::MaxSize;
use serde::{Deserialize, Serialize};

use super::ConsentRef;
use super::tag::{IssuerSignature, WireSignature, issuer_signature};
use crate::{CoreError, Timestamp};

/// The withdrawal encoding version.
pub(crate) const WITHDRAWAL_VERSION: u8 = 1;

/// Maximum encoded length of a [`ConsentWithdrawal`] (122 bytes).
pub const MAX_WITHDRAWAL_LEN: usize = Wire::POSTCARD_MAX_SIZE;

/// "Consent `consent_ref` is withdrawn for every revision up to `revision`", from the
/// consent authority.
///
/// ```
/// use iomt_core::*;
/// let w = ConsentWithdrawal::new(ConsentRef([7; 32]), 3, Timestamp::from_secs(1_800_000_000));
/// let mut buf = [0u8; MAX_WITHDRAWAL_LEN];
/// let n = w.encode(&mut buf)?;
/// assert_eq!(ConsentWithdrawal::decode(&buf[..n])?, w);
/// # Ok::<(), CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConsentWithdrawal {
    /// The consent withdrawn.
    pub consent_ref: ConsentRef,
    /// Every tag of that consent with a revision up to and including this one is withdrawn.
    pub revision: u32,
    /// When the authority issued the withdrawal.
    pub issued_at: Timestamp,
    /// The authority's signature (required by the verifier).
    pub signature: Option<IssuerSignature>,
}

#[derive(Serialize, Deserialize, MaxSize)]
struct Wire {
    version: u8,
    consent_ref: [u8; 32],
    revision: u32,
    issued_at: u64,
    signature: Option<WireSignature>,
}

impl ConsentWithdrawal {
    /// An unsigned withdrawal.
    #[must_use]
    pub const fn new(consent_ref: ConsentRef, revision: u32, issued_at: Timestamp) -> Self {
        Self {
            consent_ref,
            revision,
            issued_at,
            signature: None,
        }
    }

    fn wire(&self, with_signature: bool) -> Wire {
        Wire {
            version: WITHDRAWAL_VERSION,
            consent_ref: self.consent_ref.0,
            revision: self.revision,
            issued_at: self.issued_at.as_secs(),
            signature: self
                .signature
                .as_ref()
                .filter(|_| with_signature)
                .map(|s| WireSignature {
                    key_id: heapless::Vec::from_slice(s.key_id.as_bytes()).unwrap_or_default(),
                    signature: s.signature,
                }),
        }
    }

    /// Encodes into `buf`, returning the length written.
    ///
    /// # Errors
    /// [`CoreError::BufferTooSmall`] with the length needed.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, CoreError> {
        crate::codec::encode(&self.wire(true), buf)
    }

    /// The bytes the authority signs: the encoding with `signature: None`.
    ///
    /// # Errors
    /// As [`Self::encode`].
    pub fn signing_input(&self, buf: &mut [u8]) -> Result<usize, CoreError> {
        crate::codec::encode(&self.wire(false), buf)
    }

    /// Strictly decodes exactly one withdrawal.
    ///
    /// # Errors
    /// [`CoreError::UnsupportedVersion`], [`CoreError::Malformed`],
    /// [`CoreError::TrailingBytes`], [`CoreError::InvalidKeyId`] or
    /// [`CoreError::NonCanonical`].
    pub fn decode(bytes: &[u8]) -> Result<Self, CoreError> {
        match bytes.first() {
            None => return Err(CoreError::Malformed),
            Some(&WITHDRAWAL_VERSION) => {}
            Some(&version) => return Err(CoreError::UnsupportedVersion { version }),
        }
        let w: Wire = crate::codec::decode(bytes)?;
        let out = Self {
            consent_ref: ConsentRef(w.consent_ref),
            revision: w.revision,
            issued_at: Timestamp::from_secs(w.issued_at),
            signature: issuer_signature(w.signature)?,
        };
        let mut again = [0u8; MAX_WITHDRAWAL_LEN];
        let n = out.encode(&mut again)?;
        if again.get(..n) != Some(bytes) {
            return Err(CoreError::NonCanonical);
        }
        Ok(out)
    }
}
