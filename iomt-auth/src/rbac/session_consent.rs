//! Consent enforcement for one authenticated session: the requester acts in a role its
//! credential holds, and a claim of any other role is an audited denial.
//!
//! # Invariants
//! - [`SessionAuth::enforce_consent`] checks `request.role` against the session's roles
//!   (which come from the trust store entry of the peer's credential) *before* the consent
//!   tag is evaluated. A role the session does not hold is refused with
//!   [`RbacDenyReason::NotPermitted`] after an [`AuditEvent::OperationDenied`] record is
//!   written (detail: `0` (no device operation: a consent request), the reason code, the
//!   claimed role, purpose, action and data class codes).
//! - If that record cannot be written the call fails closed with
//!   [`RbacDenyReason::AuditUnavailable`] (still no access): an escalation attempt never
//!   passes unrecorded as an ordinary denial.
//! - A held role continues through [`enforce_consent`] (consent denials audited,
//!   break-glass only after its record). The C API's `iomt_consent_enforce` calls this
//!   function: one implementation.

use iomt_core::{AccessRequest, ConsentTag};
use iomt_crypto::CryptoProvider;

use super::{ConsentAccess, RbacDenyReason, SessionAuth, enforce_consent};
use crate::AuthError;
use crate::audit::{AuditEvent, AuditLog, AuditStore, Detail, Outcome};

impl SessionAuth {
    /// Evaluates `request`, made by this session's peer, against `tag` and enforces the
    /// decision ([`enforce_consent`]), after checking that `request.role` is one of this
    /// session's roles (an audited denial otherwise; see the module invariants).
    ///
    /// ```
    /// use iomt_auth::audit::{AuditEvent, AuditLog, RamAuditStore};
    /// use iomt_auth::rbac::{RbacDenyReason, SessionAuth};
    /// use iomt_auth::AuthError;
    /// use iomt_core::*;
    /// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    /// # let nurse = SessionAuth::new(&mut crypto, b"nurse-17", RoleSet::only(Role::Nurse));
    /// let mut log = AuditLog::open(&mut crypto, RamAuditStore::<8>::new(), [0; 8])?;
    /// let t = Timestamp::from_secs(1_800_000_000);
    /// let tag = ConsentTag::deny(ConsentRef([1; 32]), 1, t, Timestamp::from_secs(1_900_000_000))
    ///     .with_break_glass(true);
    /// // A nurse session claiming the clinician role to break glass.
    /// let req = AccessRequest { role: Role::Clinician, purpose: Purpose::EmergencyTreatment,
    ///     action: Action::Access, class: DataClass::Vitals, now: t, latest_revision: None };
    /// let r = nurse.enforce_consent(&mut crypto, &mut log, &tag, &req, 900);
    /// assert_eq!(r, Err(AuthError::Denied(RbacDenyReason::NotPermitted)));
    /// assert_eq!(log.read(0)?.event, AuditEvent::OperationDenied); // on record
    /// # Ok::<(), iomt_auth::audit::AuditError>(())
    /// ```
    ///
    /// # Errors
    /// [`AuthError::Denied`] with [`RbacDenyReason::NotPermitted`] (role not held; audited)
    /// or [`RbacDenyReason::AuditUnavailable`] (role not held and the record could not be
    /// written); [`AuthError::BreakGlass`] with the errors of [`enforce_consent`].
    pub fn enforce_consent<C: CryptoProvider, S: AuditStore>(
        &self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        tag: &ConsentTag,
        request: &AccessRequest,
        break_glass_ttl_secs: u64,
    ) -> Result<ConsentAccess, AuthError> {
        if !self.roles.contains(request.role) {
            let reason = RbacDenyReason::NotPermitted;
            log.append(
                crypto,
                request.now,
                AuditEvent::OperationDenied,
                Outcome::Denied,
                self.subject,
                Detail::from_slice(&[
                    0,
                    reason.code(),
                    request.role.code(),
                    request.purpose.code(),
                    request.action.code(),
                    request.class.code(),
                ]),
            )
            .map_err(|_| AuthError::Denied(RbacDenyReason::AuditUnavailable))?;
            return Err(AuthError::Denied(reason));
        }
        enforce_consent(
            crypto,
            log,
            tag,
            request,
            self.subject,
            break_glass_ttl_secs,
        )
        .map_err(AuthError::BreakGlass)
    }
}
