//! Consent issued by a consent authority, verified at the gateway.
//!
//! Who is trusted for what (docs/AAA.md, "Who is trusted for what"):
//! - the **consent authority** (the hospital's consent service or the patient's app)
//!   decides consent: it issues version-2 [`ConsentTag`]s bound to a patient and a
//!   device, signed with ES256 ([`sign_tag`]), and signed [`ConsentWithdrawal`]s;
//! - the **gateway** holds the authorities' public keys ([`ConsentAuthority`]) and its
//!   own record of which patient each device serves, and verifies every tag a device
//!   presents ([`ConsentVerifier::verify`]) against both and against the device identity
//!   EDHOC authenticated;
//! - the **device** only carries the tag and binds it into its frames' AAD; it is not
//!   trusted to say what the patient consented to.
//!
//! # Default policy
//! A tag that is unbound (version 1), unsigned, signed by an unknown key or not verifiable
//! permits nothing; the only access left is audited break-glass
//! ([`ConsentVerifier::authorize`]), which needs an emergency purpose and a role that may
//! break glass, and is written to the audit log before it is granted. Every refusal is
//! audited with its code ([`ConsentVerifier::verify_audited`]); when the audit write fails
//! the call fails closed ([`ConsentError::AuditUnavailable`]).
//!
//! # Signatures
//! ES256 over `SHA-256(context ‖ signing_input)` where `context` is `"iomt consent tag v2\0"` for
//! a tag and `"iomt consent withdrawal v1\0"` for a withdrawal, so one kind's signature never
//! verifies as the other. Not COSE_Sign1: a COSE_Sign1 envelope around the same payload
//! costs 84 bytes (array, protected `{1: -7}`, unprotected `{4: kid}`, payload and
//! signature bstr headers, 64-byte signature) against 74 bytes here, and the tag is
//! authenticated as part of every data frame's AAD; the key id is the first 8 bytes of
//! SHA-256 of the authority's SEC1 key, as for update manifests ([`crate::update::key_id`]).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_core::{ConsentTag, ConsentWithdrawal, KeyId};
use iomt_crypto::{CryptoProvider, PublicKey};

mod issue;
mod verifier;

pub use issue::{sign_tag, sign_withdrawal};
pub use verifier::{ConsentVerifier, Expected, VerifiedConsent};

/// Context prefixed to a tag's signing input before hashing.
pub(crate) const TAG_CONTEXT: &[u8] = b"iomt consent tag v2\0";
/// Context prefixed to a withdrawal's signing input before hashing.
pub(crate) const WITHDRAWAL_CONTEXT: &[u8] = b"iomt consent withdrawal v1\0";

/// A consent authority's public key, as configured at the gateway (or on a device).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentAuthority {
    /// The key id tags carry (normally [`key_id`](crate::update::key_id) of `key`).
    pub key_id: KeyId,
    /// The authority's ES256 public key.
    pub key: PublicKey,
}

impl ConsentAuthority {
    /// An authority whose key id is [`key_id`](crate::update::key_id) of `key` (the first 8
    /// bytes of SHA-256 of its SEC1 encoding).
    ///
    /// # Errors
    /// [`ConsentError::Malformed`] if the key id cannot be built (cannot happen for the
    /// 8-byte id).
    pub fn new<C: CryptoProvider>(crypto: &mut C, key: PublicKey) -> Result<Self, ConsentError> {
        // The same key id as a firmware signer's (`update::key_id`): SHA-256 of the SEC1
        // point, first 8 bytes.
        let kid = crate::update::key_id(crypto, &key);
        Ok(Self {
            key_id: KeyId::new(&kid).map_err(|_| ConsentError::Malformed)?,
            key,
        })
    }
}

/// Why a consent tag, a newer revision or a withdrawal was refused. Codes 530–549 of
/// the one registry (plus the shared 504).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConsentError {
    /// The bytes are not a canonical tag (or withdrawal).
    Malformed,
    /// A version-1 tag: it names no patient and no device.
    Unbound,
    /// The tag (or withdrawal) carries no authority signature.
    Unsigned,
    /// The signing key id is not a configured authority.
    UnknownAuthority,
    /// The signature does not verify with the authority's key.
    BadSignature,
    /// The tag names another device than the authenticated peer.
    OtherDevice,
    /// The tag names another patient than the one the gateway assigns the device to.
    OtherPatient,
    /// The tag's validity has not started.
    NotYetValid,
    /// The tag's validity has ended.
    Expired,
    /// A newer revision of this consent is known: the tag is superseded.
    OlderRevision,
    /// The authority withdrew this consent (this revision included).
    Withdrawn,
    /// The frame's tag is not the one verified for this session (slot reinstalled, or
    /// never verified).
    NotVerified,
    /// The revision table is full (raise the verifier's capacity).
    CapacityExceeded,
    /// The refusal (or the withdrawal) could not be written to the audit log: fail closed.
    AuditUnavailable,
}

impl ConsentError {
    /// The error's code in the one registry (docs/ERRORS.md).
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::Malformed => 530,
            Self::Unbound => 531,
            Self::Unsigned => 532,
            Self::UnknownAuthority => 533,
            Self::BadSignature => 534,
            Self::OtherDevice => 535,
            Self::OtherPatient => 536,
            Self::NotYetValid => 537,
            Self::Expired => 538,
            Self::OlderRevision => 539,
            Self::Withdrawn => 540,
            Self::NotVerified => 541,
            Self::CapacityExceeded => 542,
            Self::AuditUnavailable => 504,
        }
    }
}

impl fmt::Display for ConsentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed consent tag or withdrawal",
            Self::Unbound => "consent tag names no patient or device",
            Self::Unsigned => "consent not signed by an authority",
            Self::UnknownAuthority => "consent signed by an unknown authority",
            Self::BadSignature => "consent signature invalid",
            Self::OtherDevice => "consent tag is for another device",
            Self::OtherPatient => "consent tag is for another patient",
            Self::NotYetValid => "consent not yet valid",
            Self::Expired => "consent expired",
            Self::OlderRevision => "consent superseded by a newer revision",
            Self::Withdrawn => "consent withdrawn",
            Self::NotVerified => "frame's consent tag was not verified",
            Self::CapacityExceeded => "consent revision table full",
            Self::AuditUnavailable => "audit log unavailable",
        })
    }
}

impl core::error::Error for ConsentError {}

/// Hashes `context ‖ input` for signing or verifying.
pub(crate) fn digest<C: CryptoProvider>(
    crypto: &mut C,
    context: &[u8],
    input: &[u8],
) -> iomt_crypto::Digest {
    use iomt_crypto::Sha256State as _;
    let mut h = crypto.sha256_start();
    h.update(context);
    h.update(input);
    h.finalize()
}

/// The tag's signing digest.
pub(crate) fn tag_digest<C: CryptoProvider>(
    crypto: &mut C,
    tag: &ConsentTag,
) -> Result<iomt_crypto::Digest, ConsentError> {
    let mut buf = [0u8; iomt_core::MAX_CONSENT_TAG_LEN];
    let n = tag
        .signing_input(&mut buf)
        .map_err(|_| ConsentError::Malformed)?;
    Ok(digest(crypto, TAG_CONTEXT, buf.get(..n).unwrap_or(&[])))
}

/// The withdrawal's signing digest.
pub(crate) fn withdrawal_digest<C: CryptoProvider>(
    crypto: &mut C,
    w: &ConsentWithdrawal,
) -> Result<iomt_crypto::Digest, ConsentError> {
    let mut buf = [0u8; iomt_core::MAX_WITHDRAWAL_LEN];
    let n = w
        .signing_input(&mut buf)
        .map_err(|_| ConsentError::Malformed)?;
    Ok(digest(
        crypto,
        WITHDRAWAL_CONTEXT,
        buf.get(..n).unwrap_or(&[]),
    ))
}
