//! Authorization: a compile-time, default-deny RBAC table (role × device operation), the
//! per-session authorization context, and break-glass access.
//!
//! # Model
//! - The device maker fixes the policy at compile time as a `const` [`RbacPolicy`] over a
//!   `&'static` table of [`RbacRule`]s (the C API copies the maker's table into a policy
//!   object at start-up, which is why the table is a borrow). Anything not in the table is
//!   denied.
//! - A session's roles come from the peer's credential through the trust store
//!   ([`crate::cred::TrustStore`] returns identity + roles); the application builds a
//!   [`SessionAuth`] from them after the handshake and records the operator-factor outcome
//!   ([`crate::factor`]) in it.
//! - [`Operation::is_privileged`] operations (change therapy, firmware update, clear audit
//!   log, manage credentials) always need [`Requirement::CredentialAndFactor`], whatever the
//!   table row says: a table cannot weaken that.
//! - [`RbacPolicy::decide`] is the pure decision with a reason; [`RbacPolicy::authorize`] also
//!   writes the audit record (every denial, every privileged allow) and returns a [`Permit`]
//!   tagged with the session's permit key, the only way to obtain a valid one. The session
//!   redeems it once ([`SessionAuth::redeem`]); operations that must be authorized (e.g.
//!   [`crate::audit::AuditLog::clear`], [`crate::update`]) consume the [`RedeemedPermit`].
//! - If the audit record cannot be written, a privileged operation is denied
//!   ([`RbacDenyReason::AuditUnavailable`]): fail closed.
//!
//! ```
//! use iomt_auth::rbac::{RbacDecision, RbacDenyReason, RbacPolicy, SessionAuth};
//! use iomt_core::{Operation, Role, RoleSet};
//! # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
//! // A nurse's session (in a product: `SessionAuth::from_completed` after the handshake).
//! # let nurse = SessionAuth::new(&mut crypto, b"nurse-17", RoleSet::only(Role::Nurse));
//! let policy = RbacPolicy::DEFAULT;
//! assert_eq!(policy.decide(&nurse, Operation::ReadVitals), RbacDecision::Allow);
//! assert_eq!(
//!     policy.decide(&nurse, Operation::FirmwareUpdate),
//!     RbacDecision::Deny(RbacDenyReason::NotPermitted)
//! );
//! ```

use core::fmt;

use iomt_core::{Operation, Role, RoleSet, Timestamp};
use iomt_crypto::CryptoProvider;

use crate::audit::{AuditEvent, AuditLog, AuditStore, Detail, Outcome, Subject, subject_of};
use crate::factor::FactorOutcome;

mod break_glass;
mod permit;
mod session_consent;
mod unforgeable;

pub use break_glass::{
    BREAK_GLASS_MAX_TTL_SECS, BreakGlassAccess, BreakGlassError, ConsentAccess,
    activate_break_glass, enforce_consent, resolve_consent,
};
pub use permit::{PERMIT_LEN, PERMIT_WINDOW, Permit, RedeemedPermit};

/// What a session must have proven for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Requirement {
    /// An authenticated credential with the role.
    Credential,
    /// The credential plus the operator factor proven in this handshake.
    CredentialAndFactor,
}

/// One row of the table: `role` may perform `operation` given `requirement`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RbacRule {
    /// The role.
    pub role: Role,
    /// The operation.
    pub operation: Operation,
    /// What the session must prove (raised to [`Requirement::CredentialAndFactor`] for
    /// privileged operations).
    pub requirement: Requirement,
}

impl RbacRule {
    /// A row.
    #[must_use]
    pub const fn new(role: Role, operation: Operation, requirement: Requirement) -> Self {
        Self {
            role,
            operation,
            requirement,
        }
    }
}

/// Why an operation was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RbacDenyReason {
    /// The session has no role at all.
    NoRole,
    /// None of the session's roles may perform the operation.
    NotPermitted,
    /// A role may perform it, but only with the operator factor, which was not proven.
    FactorRequired,
    /// The operator factor is locked out after repeated failures.
    LockedOut,
    /// The audit record for a privileged operation could not be written (fail closed).
    AuditUnavailable,
    /// The permit's tag does not verify under the presenting session's key: forged or
    /// rewritten bytes, another session's permit, or a session that has ended.
    PermitInvalid,
    /// The permit was already redeemed (or is older than the session's
    /// [`PERMIT_WINDOW`] newest permits).
    PermitSpent,
    /// The permit bytes are not a permit (unknown version or operation code).
    PermitMalformed,
    /// No permit could be issued: the permit key could not be drawn (RNG failure) or the
    /// session issued 2³²−1 permits.
    PermitUnavailable,
}

impl RbacDenyReason {
    /// A stable numeric code (also written in audit details).
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::NoRole => 1,
            Self::NotPermitted => 2,
            Self::FactorRequired => 3,
            Self::LockedOut => 4,
            Self::AuditUnavailable => 5,
            Self::PermitInvalid => 6,
            Self::PermitSpent => 7,
            Self::PermitMalformed => 8,
            Self::PermitUnavailable => 9,
        }
    }
}

impl fmt::Display for RbacDenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoRole => "session has no role",
            Self::NotPermitted => "no role of the session may perform this operation",
            Self::FactorRequired => "operator factor required",
            Self::LockedOut => "operator factor locked out",
            Self::AuditUnavailable => "audit log unavailable",
            Self::PermitInvalid => "permit not issued by this session",
            Self::PermitSpent => "permit already used",
            Self::PermitMalformed => "malformed permit",
            Self::PermitUnavailable => "no permit can be issued",
        })
    }
}

impl core::error::Error for RbacDenyReason {}

/// An RBAC decision.
#[must_use = "an authorization decision must be enforced"]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RbacDecision {
    /// Allowed.
    Allow,
    /// Denied, with the reason.
    Deny(RbacDenyReason),
}

/// The authorization context of one authenticated session.
///
/// Built by the application after the handshake from the trust store's identity and roles;
/// the factor outcome is recorded with [`Self::set_factor`]. It holds the session's permit
/// key (zeroized on drop) and which of its permits are still unredeemed, so it is neither
/// `Clone` nor `Copy`: a copy could redeem a permit twice.
#[derive(Debug)]
pub struct SessionAuth {
    subject: Subject,
    roles: RoleSet,
    factor: FactorOutcome,
    transcript: Option<[u8; crate::factor::TRANSCRIPT_ID_LEN]>,
    permits: permit::PermitBook,
}

impl SessionAuth {
    /// A session for `identity` holding whatever `roles` the caller names: for this crate's
    /// and iomt-ffi's own tests only (feature `test-hooks`, NOT for products). Products get
    /// a session from [`Self::from_completed`], whose roles come from the trust store entry
    /// of the peer's verified credential and nowhere else.
    #[cfg(any(test, feature = "test-hooks"))]
    #[doc(hidden)]
    pub fn new<C: CryptoProvider>(crypto: &mut C, identity: &[u8], roles: RoleSet) -> Self {
        Self {
            subject: subject_of(crypto, identity),
            roles,
            factor: FactorOutcome::Absent,
            transcript: None,
            permits: permit::PermitBook::new(),
        }
    }

    /// The session of a completed EDHOC handshake: the peer identity and roles the trust
    /// store bound to its credential. No factor yet. A factor proof counts in this session
    /// only if it was verified over this handshake's TH_3 (a session built with the
    /// test-only `new` checks only the proof's subject).
    pub fn from_completed<C: CryptoProvider>(
        crypto: &mut C,
        done: &crate::edhoc::Completed,
    ) -> Self {
        Self {
            subject: subject_of(crypto, &done.peer_identity().0),
            roles: done.peer_roles(),
            factor: FactorOutcome::Absent,
            transcript: Some(crate::factor::transcript_id(done.th_3())),
            permits: permit::PermitBook::new(),
        }
    }

    /// The subject id used in audit records.
    #[must_use]
    pub const fn subject(&self) -> Subject {
        self.subject
    }

    /// The session's roles.
    #[must_use]
    pub const fn roles(&self) -> RoleSet {
        self.roles
    }

    /// The recorded operator-factor outcome.
    #[must_use]
    pub const fn factor(&self) -> &FactorOutcome {
        &self.factor
    }

    /// Records the outcome of [`crate::factor::FactorVerifier::verify`] for this session
    /// (moving the proof in: a proof counts in one session only).
    pub fn set_factor(&mut self, outcome: FactorOutcome) {
        self.factor = outcome;
    }

    /// Whether the recorded factor proof counts for this session: verified for its
    /// subject and, for a session of a completed handshake, over its TH_3.
    fn factor_proven(&self) -> Option<bool> {
        match &self.factor {
            FactorOutcome::Verified(p) => Some(
                p.subject() == self.subject
                    && self.transcript.is_none_or(|t| t == p.transcript_id()),
            ),
            _ => None,
        }
    }

    /// Redeems `permit`: checks its tag under this session's permit key, that it was
    /// issued to this session's subject and not redeemed before, and spends it. The
    /// result is what the operation consumes.
    ///
    /// # Errors
    /// [`RbacDenyReason::PermitInvalid`] (not issued by this session, bytes rewritten),
    /// [`RbacDenyReason::PermitSpent`] (redeemed before, or older than
    /// [`PERMIT_WINDOW`] permits).
    pub fn redeem<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        permit: Permit,
    ) -> Result<RedeemedPermit, RbacDenyReason> {
        self.permits.redeem(crypto, &permit, self.subject)?;
        Ok(permit::redeemed(&permit))
    }
}

/// An RBAC policy over a borrowed table (usually `'static`: a `const` table fixed at
/// compile time; the C API borrows the table it copied into its policy object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RbacPolicy<'r> {
    rows: &'r [RbacRule],
}

use Operation as Op;
use Requirement::{Credential as C, CredentialAndFactor as F};
use Role as R;

const DEFAULT_ROWS: &[RbacRule] = &[
    RbacRule::new(R::Patient, Op::ReadVitals, C),
    RbacRule::new(R::Patient, Op::ReadWaveforms, C),
    RbacRule::new(R::Clinician, Op::ReadVitals, C),
    RbacRule::new(R::Clinician, Op::ReadWaveforms, C),
    RbacRule::new(R::Clinician, Op::ConfigureAlarms, C),
    RbacRule::new(R::Clinician, Op::ChangeTherapy, F),
    RbacRule::new(R::Nurse, Op::ReadVitals, C),
    RbacRule::new(R::Nurse, Op::ReadWaveforms, C),
    RbacRule::new(R::Nurse, Op::ConfigureAlarms, C),
    RbacRule::new(R::Technician, Op::ReadAuditLog, C),
    RbacRule::new(R::Technician, Op::FirmwareUpdate, F),
    RbacRule::new(R::Researcher, Op::ReadVitals, C),
    RbacRule::new(R::Administrator, Op::ReadAuditLog, C),
    RbacRule::new(R::Administrator, Op::ClearAuditLog, F),
    RbacRule::new(R::Administrator, Op::ManageCredentials, F),
    RbacRule::new(R::Emergency, Op::ReadVitals, C),
    RbacRule::new(R::Emergency, Op::ReadWaveforms, C),
    RbacRule::new(R::Gateway, Op::ReadVitals, C),
    RbacRule::new(R::Gateway, Op::ReadWaveforms, C),
    RbacRule::new(R::Gateway, Op::ReadAuditLog, C),
];

impl<'r> RbacPolicy<'r> {
    /// The default policy:
    ///
    /// | role | operations (F = needs the operator factor) |
    /// |------|------------|
    /// | Patient | read vitals, read waveforms |
    /// | Clinician | read vitals, read waveforms, configure alarms, change therapy (F) |
    /// | Nurse | read vitals, read waveforms, configure alarms |
    /// | Technician | read audit log, firmware update (F) |
    /// | Researcher | read vitals (consent tags further restrict data use) |
    /// | Administrator | read audit log, clear audit log (F), manage credentials (F) |
    /// | Emergency | read vitals, read waveforms |
    /// | Device | nothing |
    /// | Gateway | read vitals, read waveforms, read audit log (export) |
    pub const DEFAULT: RbacPolicy<'static> = RbacPolicy::new(DEFAULT_ROWS);

    /// A policy over `rows` (order irrelevant; duplicates allowed, the weakest requirement
    /// of the matching rows applies, privileged operations always need the factor).
    ///
    /// ```
    /// use iomt_auth::rbac::{RbacPolicy, RbacRule, Requirement};
    /// use iomt_core::{Operation, Role};
    /// const MY_ROWS: &[RbacRule] = &[
    ///     RbacRule::new(Role::Clinician, Operation::ReadVitals, Requirement::Credential),
    ///     RbacRule::new(Role::Technician, Operation::FirmwareUpdate, Requirement::CredentialAndFactor),
    /// ];
    /// const MY_POLICY: RbacPolicy<'static> = RbacPolicy::new(MY_ROWS);
    /// assert_eq!(MY_POLICY.rows().len(), 2);
    /// ```
    #[must_use]
    pub const fn new(rows: &'r [RbacRule]) -> Self {
        Self { rows }
    }

    /// The table.
    #[must_use]
    pub const fn rows(&self) -> &'r [RbacRule] {
        self.rows
    }

    /// The requirement for `op` given `roles`, or `None` if no role may perform it.
    #[must_use]
    pub fn requirement(&self, roles: RoleSet, op: Operation) -> Option<Requirement> {
        let req = self
            .rows
            .iter()
            .filter(|r| r.operation == op && roles.contains(r.role))
            .map(|r| r.requirement)
            .min()?;
        Some(if op.is_privileged() { F } else { req })
    }

    /// The decision for `session` requesting `op`, with the reason when denied.
    pub fn decide(&self, session: &SessionAuth, op: Operation) -> RbacDecision {
        if session.roles.is_empty() {
            return RbacDecision::Deny(RbacDenyReason::NoRole);
        }
        match self.requirement(session.roles, op) {
            None => RbacDecision::Deny(RbacDenyReason::NotPermitted),
            Some(Requirement::Credential) => RbacDecision::Allow,
            Some(Requirement::CredentialAndFactor) => match &session.factor {
                // A proof counts only for the subject it was verified for.
                FactorOutcome::Verified(_) if session.factor_proven() == Some(true) => {
                    RbacDecision::Allow
                }
                FactorOutcome::Verified(_) => RbacDecision::Deny(RbacDenyReason::FactorRequired),
                FactorOutcome::LockedOut => RbacDecision::Deny(RbacDenyReason::LockedOut),
                FactorOutcome::Absent | FactorOutcome::Failed => {
                    RbacDecision::Deny(RbacDenyReason::FactorRequired)
                }
            },
        }
    }

    /// [`Self::decide`], plus the audit trail: every denial is recorded
    /// ([`AuditEvent::OperationDenied`]) and every allowed privileged operation too
    /// ([`AuditEvent::PrivilegedOperation`]) before the [`Permit`] is returned. The
    /// permit is tagged with `session`'s permit key and redeemable once, by
    /// [`SessionAuth::redeem`] on that same session.
    ///
    /// ```
    /// use iomt_auth::audit::{AuditLog, RamAuditStore};
    /// use iomt_auth::rbac::{RbacDenyReason, RbacPolicy, SessionAuth};
    /// use iomt_core::{Operation, Role, RoleSet, Timestamp};
    /// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    /// let mut log = AuditLog::open(&mut crypto, RamAuditStore::<8>::new(), [0; 8])?;
    /// // An administrator's session (`SessionAuth::from_completed` after the handshake).
    /// # let mut admin = SessionAuth::new(&mut crypto, b"admin", RoleSet::only(Role::Administrator));
    /// let now = Timestamp::from_secs(1_800_000_000);
    /// let r = RbacPolicy::DEFAULT.authorize(&mut crypto, &mut log, &mut admin, Operation::ClearAuditLog, now);
    /// assert_eq!(r.unwrap_err(), RbacDenyReason::FactorRequired);
    /// assert_eq!(log.meta().next_seq, 1); // the denial is on record
    /// # Ok::<(), iomt_auth::audit::AuditError>(())
    /// ```
    ///
    /// # Errors
    /// The [`RbacDenyReason`]; [`RbacDenyReason::AuditUnavailable`] if a privileged
    /// operation was allowed but its audit record could not be written, or a denial
    /// could not be recorded (the operation is refused either way, but the caller learns
    /// that the log is failing); [`RbacDenyReason::PermitUnavailable`].
    pub fn authorize<C: CryptoProvider, S: AuditStore>(
        &self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        session: &mut SessionAuth,
        op: Operation,
        now: Timestamp,
    ) -> Result<Permit, RbacDenyReason> {
        match self.decide(session, op) {
            RbacDecision::Deny(reason) => {
                // A denial is refused whether or not it could be logged; a failing log is
                // reported instead of the reason (fail closed, and visible).
                log.append(
                    crypto,
                    now,
                    AuditEvent::OperationDenied,
                    Outcome::Denied,
                    session.subject,
                    Detail::from_slice(&[op.code(), reason.code()]),
                )
                .map_err(|_| RbacDenyReason::AuditUnavailable)?;
                Err(reason)
            }
            RbacDecision::Allow => {
                // The key first: nothing is recorded as allowed unless a permit follows.
                session.permits.ready(crypto)?;
                if op.is_privileged() {
                    log.append(
                        crypto,
                        now,
                        AuditEvent::PrivilegedOperation,
                        Outcome::Success,
                        session.subject,
                        Detail::from_slice(&[op.code()]),
                    )
                    .map_err(|_| RbacDenyReason::AuditUnavailable)?;
                }
                session.permits.issue(crypto, op, session.subject)
            }
        }
    }
}
