//! Break-glass: emergency access that consent would otherwise deny.
//!
//! # Invariants
//! - A [`BreakGlassGrant`] (from [`iomt_core::evaluate()`], which already requires the tag's
//!   break-glass flag, an ETREAT/BTG purpose and a role that may break glass) becomes usable
//!   access only through [`activate_break_glass`] (or [`resolve_consent`]), which takes the
//!   `&mut AuditLog` and writes the [`AuditEvent::BreakGlass`] record *before* returning a
//!   [`BreakGlassAccess`]. Code that serves data under consent should demand a
//!   [`ConsentAccess`]; then forgetting the audit record does not compile.
//! - Access is time-limited: it expires `ttl` seconds after the grant's evaluation time,
//!   `ttl` capped at [`BREAK_GLASS_MAX_TTL_SECS`]; a grant presented after that window is
//!   refused ([`BreakGlassError::Expired`]).
//! - If the audit record cannot be written, no access is given (fail closed).
//! - [`enforce_consent`] evaluates the tag itself, so its caller cannot present a decision
//!   or grant that `evaluate()` did not produce (`BreakGlassGrant` and `Decision` have public
//!   fields/variants: [`activate_break_glass`] and [`resolve_consent`] trust their caller on
//!   that). Prefer it wherever the tag and request are at hand.

use core::fmt;

use iomt_core::{AccessRequest, BreakGlassGrant, ConsentTag, Decision, Timestamp, evaluate};
use iomt_crypto::CryptoProvider;

use crate::audit::{AuditEvent, AuditLog, AuditStore, Detail, Outcome, Subject};

/// Longest break-glass window (4 hours).
pub const BREAK_GLASS_MAX_TTL_SECS: u64 = 4 * 3600;

/// Why break-glass (or a consent decision) did not yield access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BreakGlassError {
    /// The grant's purpose is not ETREAT/BTG or the role may not break glass (a grant not
    /// produced by [`iomt_core::evaluate()`]).
    NotEmergency,
    /// The grant is older than its window, or from the future.
    Expired,
    /// Consent denied access (the denial was audited).
    ConsentDenied(iomt_core::DenyReason),
    /// The audit record could not be written, so no access is given.
    AuditUnavailable,
}

impl BreakGlassError {
    /// A stable numeric code.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::NotEmergency => 1,
            Self::Expired => 2,
            Self::ConsentDenied(_) => 3,
            Self::AuditUnavailable => 4,
        }
    }
}

impl fmt::Display for BreakGlassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotEmergency => f.write_str("break-glass needs an emergency purpose and role"),
            Self::Expired => f.write_str("break-glass grant expired"),
            Self::ConsentDenied(r) => write!(f, "consent denied access ({r:?})"),
            Self::AuditUnavailable => f.write_str("audit log unavailable"),
        }
    }
}

impl core::error::Error for BreakGlassError {}

/// Audited, time-limited emergency access. Only [`activate_break_glass`] creates one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakGlassAccess {
    grant: BreakGlassGrant,
    expires: Timestamp,
    audit_seq: u32,
}

impl BreakGlassAccess {
    /// The underlying grant.
    pub const fn grant(&self) -> &BreakGlassGrant {
        &self.grant
    }

    /// When the access ends (exclusive).
    #[must_use]
    pub const fn expires(&self) -> Timestamp {
        self.expires
    }

    /// Sequence number of the audit record that granted it.
    #[must_use]
    pub const fn audit_seq(&self) -> u32 {
        self.audit_seq
    }

    /// `true` while `now` is inside the window.
    #[must_use]
    pub fn is_valid(&self, now: Timestamp) -> bool {
        now >= self.grant.at() && now < self.expires
    }
}

/// Access allowed by consent.
#[must_use = "consent access must be enforced"]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentAccess {
    /// Ordinary permit.
    Permit,
    /// Audited emergency access.
    BreakGlass(BreakGlassAccess),
}

/// Turns a grant into access: checks it, writes the audit record, then returns the access.
///
/// The record holds: subject; detail = purpose, role, action, data class (codes), revision
/// (u32), first 8 bytes of the consent reference.
///
/// ```
/// use iomt_auth::audit::{AuditEvent, AuditLog, RamAuditStore};
/// use iomt_auth::rbac::activate_break_glass;
/// use iomt_core::{AccessRequest, Action, ConsentRef, ConsentTag, DataClass, Decision, Purpose, Role, Timestamp, evaluate};
/// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
/// let mut log = AuditLog::open(&mut crypto, RamAuditStore::<8>::new(), [0; 8])?;
/// let t = Timestamp::from_secs(1_800_000_000);
/// // a consent that allows break-glass, and an emergency clinician's request under it
/// let tag = ConsentTag::deny(ConsentRef([1; 32]), 3, Timestamp::from_secs(0), Timestamp::from_secs(u64::MAX))
///     .with_break_glass(true);
/// let request = AccessRequest {
///     role: Role::Emergency, purpose: Purpose::EmergencyTreatment, action: Action::Access,
///     class: DataClass::Vitals, now: t, latest_revision: None,
/// };
/// let Decision::BreakGlass(grant) = evaluate(&tag, &request) else { unreachable!() };
/// let access = activate_break_glass(&mut crypto, &mut log, grant, [2; 8], t, 900).unwrap();
/// assert!(access.is_valid(Timestamp::from_secs(1_800_000_899)));
/// assert!(!access.is_valid(Timestamp::from_secs(1_800_000_900)));
/// assert_eq!(log.read(access.audit_seq())?.event, AuditEvent::BreakGlass);
/// # Ok::<(), iomt_auth::audit::AuditError>(())
/// ```
///
/// # Errors
/// [`BreakGlassError::NotEmergency`], [`BreakGlassError::Expired`] (including `now` before
/// the grant), [`BreakGlassError::AuditUnavailable`].
pub fn activate_break_glass<C: CryptoProvider, S: AuditStore>(
    crypto: &mut C,
    log: &mut AuditLog<S>,
    grant: BreakGlassGrant,
    subject: Subject,
    now: Timestamp,
    ttl_secs: u64,
) -> Result<BreakGlassAccess, BreakGlassError> {
    if !grant.purpose().is_emergency() || !grant.role().may_break_glass() {
        return Err(BreakGlassError::NotEmergency);
    }
    let ttl = ttl_secs.min(BREAK_GLASS_MAX_TTL_SECS);
    let expires = Timestamp::from_secs(grant.at().as_secs().saturating_add(ttl));
    if now < grant.at() || now >= expires {
        return Err(BreakGlassError::Expired);
    }
    let mut d = [0u8; 16];
    let rev = grant.revision().to_be_bytes();
    let head = [
        grant.purpose().code(),
        grant.role().code(),
        grant.action().code(),
        grant.class().code(),
        rev[0],
        rev[1],
        rev[2],
        rev[3],
    ];
    for (dst, src) in d
        .iter_mut()
        .zip(head.iter().chain(grant.consent_ref().0.iter()))
    {
        *dst = *src;
    }
    let audit_seq = log
        .append(
            crypto,
            now,
            AuditEvent::BreakGlass,
            Outcome::Success,
            subject,
            Detail(d),
        )
        .map_err(|_| BreakGlassError::AuditUnavailable)?;
    Ok(BreakGlassAccess {
        grant,
        expires,
        audit_seq,
    })
}

/// Enforces a consent [`Decision`]: `Permit` passes, `Deny` is audited
/// ([`AuditEvent::ConsentDenied`]) and refused, `BreakGlass` goes through
/// [`activate_break_glass`].
///
/// # Errors
/// [`BreakGlassError::ConsentDenied`] and the errors of [`activate_break_glass`].
pub fn resolve_consent<C: CryptoProvider, S: AuditStore>(
    crypto: &mut C,
    log: &mut AuditLog<S>,
    decision: Decision,
    subject: Subject,
    now: Timestamp,
    break_glass_ttl_secs: u64,
) -> Result<ConsentAccess, BreakGlassError> {
    match decision {
        Decision::Permit => Ok(ConsentAccess::Permit),
        Decision::Deny(reason) => {
            let _ = log.append(
                crypto,
                now,
                AuditEvent::ConsentDenied,
                Outcome::Denied,
                subject,
                Detail::from_slice(&[reason.code()]),
            );
            Err(BreakGlassError::ConsentDenied(reason))
        }
        Decision::BreakGlass(grant) => {
            activate_break_glass(crypto, log, grant, subject, now, break_glass_ttl_secs)
                .map(ConsentAccess::BreakGlass)
        }
    }
}

/// Evaluates `request` against `tag` ([`iomt_core::evaluate()`], default deny) and enforces
/// the decision through [`resolve_consent`] at the request's time: the one entry point
/// where the caller cannot supply the decision.
///
/// ```
/// use iomt_auth::audit::{AuditEvent, AuditLog, RamAuditStore};
/// use iomt_auth::rbac::{ConsentAccess, enforce_consent};
/// use iomt_core::*;
/// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
/// let mut log = AuditLog::open(&mut crypto, RamAuditStore::<8>::new(), [0; 8])?;
/// let t = Timestamp::from_secs(1_800_000_000);
/// // The patient denied access, but allows emergency override.
/// let tag = ConsentTag::deny(ConsentRef([1; 32]), 1, t, Timestamp::from_secs(1_900_000_000))
///     .with_break_glass(true);
/// let req = AccessRequest { role: Role::Clinician, purpose: Purpose::EmergencyTreatment,
///     action: Action::Access, class: DataClass::Vitals, now: t, latest_revision: None };
/// let access = enforce_consent(&mut crypto, &mut log, &tag, &req, [2; 8], 900).unwrap();
/// assert!(matches!(access, ConsentAccess::BreakGlass(_)));
/// assert_eq!(log.read(0)?.event, AuditEvent::BreakGlass);
/// # Ok::<(), iomt_auth::audit::AuditError>(())
/// ```
///
/// # Errors
/// As [`resolve_consent`].
pub fn enforce_consent<C: CryptoProvider, S: AuditStore>(
    crypto: &mut C,
    log: &mut AuditLog<S>,
    tag: &ConsentTag,
    request: &AccessRequest,
    subject: Subject,
    break_glass_ttl_secs: u64,
) -> Result<ConsentAccess, BreakGlassError> {
    resolve_consent(
        crypto,
        log,
        evaluate(tag, request),
        subject,
        request.now,
        break_glass_ttl_secs,
    )
}
