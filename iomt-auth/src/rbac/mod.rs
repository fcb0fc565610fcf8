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
//!   writes the audit record (every denial, every privileged allow) and returns a [`Permit`],
//!   the only way to obtain one. Operations that must be authorized (e.g.
//!   [`crate::audit::AuditLog::clear`], [`crate::update`]) take a `&Permit`.
//! - If the audit record cannot be written, a privileged operation is denied
//!   ([`RbacDenyReason::AuditUnavailable`]): fail closed.
//!
//! ```
//! use iomt_auth::rbac::{RbacDecision, RbacDenyReason, RbacPolicy, SessionAuth};
//! use iomt_core::{Operation, Role, RoleSet};
//! # let mut crypto = iomt_crypto::DeterministicProvider::new();
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
mod session_consent;
mod unforgeable;

pub use break_glass::{
    BREAK_GLASS_MAX_TTL_SECS, BreakGlassAccess, BreakGlassError, ConsentAccess,
    activate_break_glass, enforce_consent, resolve_consent,
};

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
/// the factor outcome is recorded with [`Self::set_factor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionAuth {
    subject: Subject,
    roles: RoleSet,
    factor: FactorOutcome,
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
        }
    }

    /// The session of a completed EDHOC handshake: the peer identity and roles the trust
    /// store bound to its credential. No factor yet.
    pub fn from_completed<C: CryptoProvider>(
        crypto: &mut C,
        done: &crate::edhoc::Completed,
    ) -> Self {
        Self {
            subject: subject_of(crypto, &done.peer_identity().0),
            roles: done.peer_roles(),
            factor: FactorOutcome::Absent,
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
    pub const fn factor(&self) -> FactorOutcome {
        self.factor
    }

    /// Records the outcome of [`crate::factor::FactorVerifier::verify`] for this session.
    pub const fn set_factor(&mut self, outcome: FactorOutcome) {
        self.factor = outcome;
    }
}

/// Proof that an operation was authorized (and, if privileged, audited). Only
/// [`RbacPolicy::authorize`] creates one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    operation: Operation,
    subject: Subject,
}

impl Permit {
    /// The operation this permit is for.
    #[must_use]
    pub const fn operation(&self) -> Operation {
        self.operation
    }

    /// Who it was granted to.
    #[must_use]
    pub const fn subject(&self) -> Subject {
        self.subject
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
            Some(Requirement::CredentialAndFactor) => match session.factor {
                // A proof counts only for the subject it was verified for.
                FactorOutcome::Verified(p) if p.subject() == session.subject => RbacDecision::Allow,
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
    /// ([`AuditEvent::PrivilegedOperation`]) before the [`Permit`] is returned.
    ///
    /// ```
    /// use iomt_auth::audit::{AuditLog, RamAuditStore};
    /// use iomt_auth::rbac::{RbacDenyReason, RbacPolicy, SessionAuth};
    /// use iomt_core::{Operation, Role, RoleSet, Timestamp};
    /// # let mut crypto = iomt_crypto::DeterministicProvider::new();
    /// let mut log = AuditLog::open(&mut crypto, RamAuditStore::<8>::new(), [0; 8])?;
    /// // An administrator's session (`SessionAuth::from_completed` after the handshake).
    /// # let admin = SessionAuth::new(&mut crypto, b"admin", RoleSet::only(Role::Administrator));
    /// let now = Timestamp::from_secs(1_800_000_000);
    /// let r = RbacPolicy::DEFAULT.authorize(&mut crypto, &mut log, &admin, Operation::ClearAuditLog, now);
    /// assert_eq!(r.unwrap_err(), RbacDenyReason::FactorRequired);
    /// assert_eq!(log.meta().next_seq, 1); // the denial is on record
    /// # Ok::<(), iomt_auth::audit::AuditError>(())
    /// ```
    ///
    /// # Errors
    /// The [`RbacDenyReason`]; [`RbacDenyReason::AuditUnavailable`] if a privileged
    /// operation was allowed but its audit record could not be written.
    pub fn authorize<C: CryptoProvider, S: AuditStore>(
        &self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        session: &SessionAuth,
        op: Operation,
        now: Timestamp,
    ) -> Result<Permit, RbacDenyReason> {
        match self.decide(session, op) {
            RbacDecision::Deny(reason) => {
                // A denial is refused whether or not it could be logged.
                let _ = log.append(
                    crypto,
                    now,
                    AuditEvent::OperationDenied,
                    Outcome::Denied,
                    session.subject,
                    Detail::from_slice(&[op.code(), reason.code()]),
                );
                Err(reason)
            }
            RbacDecision::Allow => {
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
                Ok(Permit {
                    operation: op,
                    subject: session.subject,
                })
            }
        }
    }
}
