//! [`ConsentVerifier`]: the gateway's consent checks (authority signature, patient and
//! device binding, validity, revision order, withdrawal) and their audit records.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_core::{
    AccessRequest, ConsentRef, ConsentTag, ConsentWithdrawal, IssuerSignature, MAX_CONSENT_TAG_LEN,
    PatientId, Timestamp,
};
use iomt_crypto::CryptoProvider;

use super::{ConsentAuthority, ConsentError, tag_digest, withdrawal_digest};
use crate::audit::{AuditEvent, AuditLog, AuditStore, Detail, Event, Outcome, Subject, subject_of};
use crate::cred::PeerIdentity;
use crate::rbac::{ConsentAccess, enforce_consent};

/// What the gateway expects a session's tag to be bound to.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// `subject_of` the device identity EDHOC authenticated (`Completed::peer_identity`);
    /// also the subject of the audit records. Build it with [`Expected::peer`].
    pub device: Subject,
    /// The patient the gateway's own records assign this device to.
    pub patient: &'a PatientId,
}

impl<'a> Expected<'a> {
    /// The binding expected for the authenticated `peer` serving `patient`.
    pub fn peer<C: CryptoProvider>(
        crypto: &mut C,
        peer: &PeerIdentity,
        patient: &'a PatientId,
    ) -> Self {
        Self {
            device: subject_of(crypto, &peer.0),
            patient,
        }
    }
}

/// A tag that passed [`ConsentVerifier::verify`]: only the verifier constructs it.
///
/// # Invariants
/// `encoded` is the canonical encoding of `tag`, which was signed by a configured
/// authority and bound to the session's device and patient when verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedConsent {
    tag: ConsentTag,
    encoded: heapless::Vec<u8, MAX_CONSENT_TAG_LEN>,
}

impl VerifiedConsent {
    /// The verified tag.
    #[must_use]
    pub const fn tag(&self) -> &ConsentTag {
        &self.tag
    }

    /// Its encoding (the bytes a data frame's AAD binds).
    #[must_use]
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    consent_ref: ConsentRef,
    latest: u32,
    withdrawn_through: Option<u32>,
}

/// The gateway's consent verifier: configured authorities plus, per consent reference,
/// the newest revision seen and any withdrawal.
///
/// `A` authorities, `N` consent references (a full table refuses new ones with
/// [`ConsentError::CapacityExceeded`]; entries are never evicted, so a withdrawal or a
/// newer revision cannot be forgotten to make room).
///
/// # Invariants
/// - `latest` per reference only grows; a tag with a lower revision is refused
///   ([`ConsentError::OlderRevision`]).
/// - `withdrawn_through` only grows; tags with a revision up to it are refused
///   ([`ConsentError::Withdrawn`]), immediately, including tags already verified
///   ([`ConsentVerifier::check_frame`]).
#[derive(Debug, Clone)]
pub struct ConsentVerifier<const A: usize = 4, const N: usize = 32> {
    authorities: heapless::Vec<ConsentAuthority, A>,
    table: heapless::Vec<Entry, N>,
}

impl<const A: usize, const N: usize> Default for ConsentVerifier<A, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const A: usize, const N: usize> ConsentVerifier<A, N> {
    /// No authorities, no revisions: every tag is refused.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            authorities: heapless::Vec::new(),
            table: heapless::Vec::new(),
        }
    }

    /// Trusts `authority`.
    ///
    /// # Errors
    /// [`ConsentError::CapacityExceeded`] when `A` authorities are configured.
    pub fn add_authority(&mut self, authority: ConsentAuthority) -> Result<(), ConsentError> {
        self.authorities
            .push(authority)
            .map_err(|_| ConsentError::CapacityExceeded)
    }

    fn check_signature<C: CryptoProvider>(
        &self,
        crypto: &mut C,
        signature: Option<&IssuerSignature>,
        digest: &iomt_crypto::Digest,
    ) -> Result<(), ConsentError> {
        let sig = signature.ok_or(ConsentError::Unsigned)?;
        let authority = self
            .authorities
            .iter()
            .find(|a| a.key_id == sig.key_id)
            .ok_or(ConsentError::UnknownAuthority)?;
        let s = iomt_crypto::Signature::from_array(sig.signature.0);
        crypto
            .ecdsa_p256_verify_digest(&authority.key, digest, &s)
            .map_err(|_| ConsentError::BadSignature)
    }

    fn entry(&self, r: &ConsentRef) -> Option<&Entry> {
        self.table.iter().find(|e| e.consent_ref == *r)
    }

    fn freshness(&self, tag: &ConsentTag, now: Timestamp) -> Result<(), ConsentError> {
        if now < tag.valid_from {
            return Err(ConsentError::NotYetValid);
        }
        if now >= tag.valid_until {
            return Err(ConsentError::Expired);
        }
        if let Some(e) = self.entry(&tag.consent_ref) {
            if e.withdrawn_through.is_some_and(|w| tag.revision <= w) {
                return Err(ConsentError::Withdrawn);
            }
            if tag.revision < e.latest {
                return Err(ConsentError::OlderRevision);
            }
        }
        Ok(())
    }

    fn raise(
        &mut self,
        r: ConsentRef,
        latest: u32,
        withdrawn: Option<u32>,
    ) -> Result<(), ConsentError> {
        if let Some(e) = self.table.iter_mut().find(|e| e.consent_ref == r) {
            e.latest = e.latest.max(latest);
            e.withdrawn_through = e.withdrawn_through.max(withdrawn);
            return Ok(());
        }
        self.table
            .push(Entry {
                consent_ref: r,
                latest,
                withdrawn_through: withdrawn,
            })
            .map_err(|_| ConsentError::CapacityExceeded)
    }

    /// Verifies a tag a device presented (its consent frame's payload): canonical
    /// version-2 encoding, signature by a configured authority, bound to
    /// `expected.device` and `expected.patient`, valid at `now`, not older than a
    /// revision already seen, not withdrawn. On success the revision becomes the newest
    /// known for its consent reference.
    ///
    /// Checks run in this order, and the first failure is returned: malformed, unbound,
    /// unsigned, unknown authority, bad signature, other device, other patient, not yet
    /// valid, expired, withdrawn, older revision, table full.
    ///
    /// # Errors
    /// The [`ConsentError`] of the first failed check.
    pub fn verify<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        encoded: &[u8],
        expected: Expected<'_>,
        now: Timestamp,
    ) -> Result<VerifiedConsent, ConsentError> {
        let tag = ConsentTag::decode(encoded).map_err(|_| ConsentError::Malformed)?;
        let binding = tag.binding.as_ref().ok_or(ConsentError::Unbound)?;
        let digest = tag_digest(crypto, &tag)?;
        self.check_signature(crypto, tag.signature.as_ref(), &digest)?;
        if binding.device.0 != expected.device {
            return Err(ConsentError::OtherDevice);
        }
        if binding.patient != *expected.patient {
            return Err(ConsentError::OtherPatient);
        }
        self.freshness(&tag, now)?;
        self.raise(tag.consent_ref, tag.revision, None)?;
        let encoded = heapless::Vec::from_slice(encoded).map_err(|_| ConsentError::Malformed)?;
        Ok(VerifiedConsent { tag, encoded })
    }

    /// [`Self::verify`], and a refusal is written to `log` before it is returned
    /// ([`AuditEvent::ConsentDenied`], outcome Denied, subject = the device, detail =
    /// error code u32 BE, revision u32 BE, first 8 bytes of the consent reference — zeros
    /// where the bytes did not decode).
    ///
    /// # Errors
    /// As [`Self::verify`]; [`ConsentError::AuditUnavailable`] if the refusal could not
    /// be recorded (fail closed: the tag is refused either way).
    pub fn verify_audited<C: CryptoProvider, S: AuditStore>(
        &mut self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        encoded: &[u8],
        expected: Expected<'_>,
        now: Timestamp,
    ) -> Result<VerifiedConsent, ConsentError> {
        let result = self.verify(crypto, encoded, expected, now);
        if let Err(e) = result {
            let tag = ConsentTag::decode(encoded).ok();
            let event = refusal_event(expected.device, e, tag.as_ref());
            log.record(crypto, now, event)
                .map_err(|_| ConsentError::AuditUnavailable)?;
        }
        result
    }

    /// Per data frame: `bound` (the frame's tag, `Opened::consent`) must be the very
    /// tag verified for this session, and still valid, not withdrawn and not superseded
    /// at `now`. A withdrawal applied with [`Self::withdraw`] takes effect at the next call.
    ///
    /// # Errors
    /// [`ConsentError::NotVerified`] if the bytes differ, else as the freshness checks
    /// of [`Self::verify`].
    pub fn check_frame(
        &self,
        verified: &VerifiedConsent,
        bound: &[u8],
        now: Timestamp,
    ) -> Result<(), ConsentError> {
        if verified.encoded.as_slice() != bound {
            return Err(ConsentError::NotVerified);
        }
        self.freshness(&verified.tag, now)
    }

    /// A newer revision delivered by the authority directly (not through a device):
    /// the signature is checked, the binding is not (no session is involved); older
    /// revisions of the same consent are refused from now on.
    ///
    /// # Errors
    /// Malformed, unbound, unsigned, unknown authority, bad signature, table full.
    pub fn learn_revision<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        encoded: &[u8],
    ) -> Result<ConsentRef, ConsentError> {
        let tag = ConsentTag::decode(encoded).map_err(|_| ConsentError::Malformed)?;
        if tag.binding.is_none() {
            return Err(ConsentError::Unbound);
        }
        let digest = tag_digest(crypto, &tag)?;
        self.check_signature(crypto, tag.signature.as_ref(), &digest)?;
        self.raise(tag.consent_ref, tag.revision, None)?;
        Ok(tag.consent_ref)
    }

    /// Applies the authority's signed withdrawal: every tag of the consent with a
    /// revision up to the withdrawal's is refused from now on — by [`Self::verify`] and,
    /// for sessions already running, by [`Self::check_frame`]. The gateway then tells the
    /// affected devices (`iomt_proto::CloseReason::ConsentRequired`).
    ///
    /// The withdrawal is recorded in `log` first ([`AuditEvent::ConsentDenied`], outcome
    /// Success, subject zero, detail = 540, revision, consent-ref prefix); if that fails
    /// the withdrawal is still applied (failing closed means refusing more, not less) and
    /// [`ConsentError::AuditUnavailable`] is returned.
    ///
    /// # Errors
    /// Malformed, unsigned, unknown authority, bad signature, table full, audit unavailable.
    pub fn withdraw<C: CryptoProvider, S: AuditStore>(
        &mut self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        encoded: &[u8],
        now: Timestamp,
    ) -> Result<ConsentRef, ConsentError> {
        let w = ConsentWithdrawal::decode(encoded).map_err(|_| ConsentError::Malformed)?;
        let digest = withdrawal_digest(crypto, &w)?;
        self.check_signature(crypto, w.signature.as_ref(), &digest)?;
        self.raise(w.consent_ref, 0, Some(w.revision))?;
        let event = Event {
            event: AuditEvent::ConsentDenied,
            outcome: Outcome::Success,
            subject: crate::audit::SUBJECT_DEVICE,
            detail: detail(ConsentError::Withdrawn, w.revision, &w.consent_ref),
        };
        log.record(crypto, now, event)
            .map_err(|_| ConsentError::AuditUnavailable)?;
        Ok(w.consent_ref)
    }

    /// Authorizes `request` under a session's consent: with a verified tag (checked with
    /// [`Self::check_frame`] against `bound`), the tag is evaluated and enforced by
    /// `rbac::enforce_consent` (denials and break-glass audited); with none (`verified`
    /// is `None`: the device's tag was refused) only break-glass is possible — an
    /// emergency purpose by a role that may break glass, audited before it is granted.
    ///
    /// # Errors
    /// The freshness errors of [`Self::check_frame`] (audited), or
    /// [`ConsentError::NotVerified`] when the rbac layer refuses (its own audit record
    /// written), [`ConsentError::AuditUnavailable`] if a record could not be written.
    pub fn authorize<C: CryptoProvider, S: AuditStore>(
        &self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        verified: Option<(&VerifiedConsent, &[u8])>,
        subject: Subject,
        request: &AccessRequest,
        break_glass_ttl_secs: u64,
    ) -> Result<ConsentAccess, ConsentError> {
        let Some((v, bound)) = verified else {
            // Local policy for a refused or absent tag: deny everything but break-glass.
            let policy = ConsentTag::deny(
                ConsentRef([0; 32]),
                0,
                request.now,
                Timestamp::from_secs(request.now.as_secs().saturating_add(1)),
            )
            .with_break_glass(true);
            return enforce_consent(crypto, log, &policy, request, subject, break_glass_ttl_secs)
                .map_err(map_break_glass);
        };
        if let Err(e) = self.check_frame(v, bound, request.now) {
            let event = refusal_event(subject, e, Some(&v.tag));
            log.record(crypto, request.now, event)
                .map_err(|_| ConsentError::AuditUnavailable)?;
            return Err(e);
        }
        let mut req = *request;
        req.latest_revision = self.entry(&v.tag.consent_ref).map(|e| e.latest);
        enforce_consent(crypto, log, &v.tag, &req, subject, break_glass_ttl_secs)
            .map_err(map_break_glass)
    }
}

fn map_break_glass(e: crate::rbac::BreakGlassError) -> ConsentError {
    match e {
        crate::rbac::BreakGlassError::AuditUnavailable => ConsentError::AuditUnavailable,
        _ => ConsentError::NotVerified,
    }
}

fn detail(e: ConsentError, revision: u32, r: &ConsentRef) -> Detail {
    let mut d = Detail::from_u32s(u32::from(e.code()), revision);
    for (dst, src) in d.0.iter_mut().skip(8).zip(r.0.iter()) {
        *dst = *src;
    }
    d
}

fn refusal_event(device: Subject, e: ConsentError, tag: Option<&ConsentTag>) -> Event {
    let (rev, r) = tag.map_or((0, ConsentRef([0; 32])), |t| (t.revision, t.consent_ref));
    Event {
        event: AuditEvent::ConsentDenied,
        outcome: Outcome::Denied,
        subject: device,
        detail: detail(e, rev, &r),
    }
}
