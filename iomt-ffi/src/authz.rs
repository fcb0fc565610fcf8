//! Authorization for C: [`iomt_session_auth`] (who the authenticated peer is, its roles
//! and whether it proved the operator factor), [`iomt_rbac_policy`] (the device maker's
//! default-deny role × operation table) and [`iomt_permit`] (proof that an operation was
//! authorized and, if privileged, audited).
//!
//! # Flow (device, usually the EDHOC responder)
//! ```text
//! handshake complete → iomt_session_auth_init
//!   → [iomt_session_auth_verify_factor]        (operator factor from EAD_3)
//!   → iomt_rbac_authorize(policy, op) → permit → the operation (clear log, update, …)
//! ```
//!
//! # Invariants
//! - A session's roles come only from the trust store entry of the peer's credential
//!   (through the completed handshake); C cannot set them.
//! - The factor outcome of a session is set only by `iomt_session_auth_verify_factor`.
//! - Privileged operations (change therapy, firmware update, clear audit log, manage
//!   credentials) always need the factor, whatever the table says, and are audited before a
//!   permit is written; if the record cannot be written, nothing is allowed.
//! - A permit is written only by `iomt_rbac_authorize`, as the 32 bytes of
//!   `iomt_auth::rbac::Permit` (operation, issue index, subject, a tag under the issuing
//!   session's permit key). An operation that needs one takes the permit *and* the
//!   session: the permit storage is consumed (deinitialized) first, then the session
//!   redeems it: the tag must verify under its key (so rewritten bytes, another session's
//!   permit and a permit of a deinitialized session are refused) and the permit must not
//!   have been redeemed before (single use). Address binding makes a copy at another
//!   address `NOT_INITIALIZED`; restoring saved bytes at the same address gives
//!   `AUTHZ_PERMIT_SPENT`.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use iomt_auth::audit::Subject;
use iomt_auth::factor::FactorOutcome;
use iomt_auth::rbac::{
    PERMIT_LEN, Permit, RbacDecision, RbacPolicy, RbacRule, RedeemedPermit, Requirement,
    SessionAuth,
};
use iomt_core::{Operation, Role, Timestamp};

use crate::audit::{IOMT_SUBJECT_LEN, iomt_audit_log};
use crate::boundary::{self, ffi_panic_boundary, storage_asserts};
use crate::crypto::iomt_crypto;
use crate::handshake::iomt_handshake;
use crate::result::iomt_result;

// ---------------------------------------------------------------------------------------
// Session authorization context.

/// The factor state of a session.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum iomt_factor_outcome {
    /// No factor presented (or not checked yet).
    Absent = 0,
    /// The operator factor verified in this handshake.
    Verified = 1,
    /// A factor was presented and did not verify (or could not be checked).
    Failed = 2,
    /// The factor is locked out after repeated failures.
    LockedOut = 3,
}

impl From<&FactorOutcome> for iomt_factor_outcome {
    fn from(o: &FactorOutcome) -> Self {
        match o {
            FactorOutcome::Absent => Self::Absent,
            FactorOutcome::Verified(_) => Self::Verified,
            FactorOutcome::Failed => Self::Failed,
            FactorOutcome::LockedOut => Self::LockedOut,
        }
    }
}

/// What a session is authorized as.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct iomt_session_auth_info {
    /// The peer's subject id in audit records (`iomt_subject_of` of its identity).
    pub subject: [u8; IOMT_SUBJECT_LEN],
    /// The peer's roles from the trust store (bit n = role code n).
    pub roles: u16,
    /// The operator-factor outcome.
    pub factor: iomt_factor_outcome,
    /// Zero (explicit: the struct has no padding bytes).
    pub reserved: u8,
}

const _: () = assert!(
    size_of::<iomt_session_auth_info>() == IOMT_SUBJECT_LEN + 4,
    "iomt_session_auth_info has no padding"
);

/// The authorization context object: the Rust `SessionAuth`.
pub(crate) struct AuthObj {
    pub(crate) auth: SessionAuth,
}

/// Size of [`iomt_session_auth`] storage in bytes.
pub const IOMT_SESSION_AUTH_SIZE: usize = 112;
/// Alignment of [`iomt_session_auth`] storage.
pub const IOMT_SESSION_AUTH_ALIGN: usize = 8;

/// The authorization context of one authenticated peer (identity, roles, factor).
#[repr(C, align(8))]
pub struct iomt_session_auth {
    _opaque: [u8; IOMT_SESSION_AUTH_SIZE],
}

storage_asserts!(
    iomt_session_auth,
    AuthObj,
    IOMT_SESSION_AUTH_SIZE,
    IOMT_SESSION_AUTH_ALIGN,
    0x696f_6d74_4155_5448
);

/// Sets up the authorization context of the peer a completed handshake authenticated
/// (for a responder: the initiator, e.g. an operator's app or a gateway; for an
/// initiator: the responder): its identity and roles from the trust store, no factor
/// yet (the operator factor travels from initiator to responder only:
/// `iomt_session_auth_verify_factor`).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `MISALIGNED_STORAGE`, `WRONG_STATE` (handshake
/// not complete), `OBJECT_FAILED`.
///
/// # Safety
/// `auth` must point to writable `iomt_session_auth` storage; the others to live objects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_auth_init(
    auth: *mut iomt_session_auth,
    crypto: *mut iomt_crypto,
    handshake: *mut iomt_handshake,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (provider, (done, _)) = unsafe {
            (boundary::get_mut(crypto)?, crate::handshake::completed(handshake)?)
        };
        if auth.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let value = AuthObj { auth: SessionAuth::from_completed(provider, done) };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(auth, value) }
    }
}

/// Writes the session's subject id, roles and factor outcome to `*info`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `MISALIGNED_STORAGE`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_auth_get_info(
    auth: *const iomt_session_auth,
    info: *mut iomt_session_auth_info,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (a, out) = unsafe { (boundary::get(auth)?, boundary::output(info)?) };
        out.write(iomt_session_auth_info {
            subject: a.auth.subject(),
            roles: a.auth.roles().bits(),
            factor: a.auth.factor().into(),
            reserved: 0,
        });
        Ok(())
    }
}

/// Deinitializes the context (its permit key is zeroized: every permit it issued is then
/// refused). NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `auth` must point to `iomt_session_auth` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_auth_deinit(auth: *mut iomt_session_auth) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(auth) }
    }
}

// ---------------------------------------------------------------------------------------
// The RBAC table.

/// Most rules an [`iomt_rbac_policy`] holds.
pub const IOMT_MAX_RBAC_RULES: usize = 32;

/// `iomt_rbac_rule.requirement`: an authenticated credential with the role.
pub const IOMT_REQUIREMENT_CREDENTIAL: u8 = 0;
/// `iomt_rbac_rule.requirement`: the credential plus the operator factor proven in this
/// handshake.
pub const IOMT_REQUIREMENT_CREDENTIAL_AND_FACTOR: u8 = 1;

/// One row of the table: `role` may perform `operation` given `requirement`. Codes are
/// those of `iomt_core::Role` and `iomt_core::Operation`; `requirement` is
/// `IOMT_REQUIREMENT_CREDENTIAL` or `IOMT_REQUIREMENT_CREDENTIAL_AND_FACTOR` (a plain byte,
/// not an enum, so any value C stores is defined: unknown ones are `INVALID_CODE`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct iomt_rbac_rule {
    /// Role code.
    pub role: u8,
    /// Operation code.
    pub operation: u8,
    /// `IOMT_REQUIREMENT_*`.
    pub requirement: u8,
}

/// The table, copied in.
pub(crate) struct PolicyObj {
    rules: [RbacRule; IOMT_MAX_RBAC_RULES],
    len: usize,
}

impl PolicyObj {
    /// Copies `len` rules in (`CAPACITY_EXCEEDED` above `IOMT_MAX_RBAC_RULES`).
    fn from_rules(
        rules: impl Iterator<Item = Result<RbacRule, iomt_result>>,
        len: usize,
    ) -> Result<Self, iomt_result> {
        if len > IOMT_MAX_RBAC_RULES {
            return Err(iomt_result::CapacityExceeded);
        }
        let filler = RbacRule::new(Role::Device, Operation::ReadVitals, Requirement::Credential);
        let mut obj = Self {
            rules: [filler; IOMT_MAX_RBAC_RULES],
            len,
        };
        for (dst, r) in obj.rules.iter_mut().zip(rules) {
            *dst = r?;
        }
        Ok(obj)
    }

    fn policy(&self) -> RbacPolicy<'_> {
        RbacPolicy::new(self.rules.get(..self.len).unwrap_or(&[]))
    }
}

/// Size of [`iomt_rbac_policy`] storage in bytes.
pub const IOMT_RBAC_POLICY_SIZE: usize = 112;
/// Alignment of [`iomt_rbac_policy`] storage.
pub const IOMT_RBAC_POLICY_ALIGN: usize = 8;

/// A default-deny RBAC policy: the device maker's table of (role, operation,
/// requirement) rows, fixed at start-up. Anything not in the table is denied.
#[repr(C, align(8))]
pub struct iomt_rbac_policy {
    _opaque: [u8; IOMT_RBAC_POLICY_SIZE],
}

storage_asserts!(
    iomt_rbac_policy,
    PolicyObj,
    IOMT_RBAC_POLICY_SIZE,
    IOMT_RBAC_POLICY_ALIGN,
    0x696f_6d74_5242_4143
);

fn rule_from_c(r: &iomt_rbac_rule) -> Result<RbacRule, iomt_result> {
    let requirement = match r.requirement {
        IOMT_REQUIREMENT_CREDENTIAL => Requirement::Credential,
        IOMT_REQUIREMENT_CREDENTIAL_AND_FACTOR => Requirement::CredentialAndFactor,
        _ => return Err(iomt_result::InvalidCode),
    };
    Ok(RbacRule::new(
        Role::from_code(r.role)?,
        Operation::from_code(r.operation)?,
        requirement,
    ))
}

/// Initializes a policy from `rules` (copied; order irrelevant; duplicates allowed, the
/// weakest requirement of the matching rows applies; privileged operations always need
/// the factor). Zero rules deny everything.
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`, `CAPACITY_EXCEEDED` (more than
/// `IOMT_MAX_RBAC_RULES`), `INVALID_CODE` (unknown role, operation or requirement).
///
/// # Safety
/// `policy` must point to writable storage; `rules` to `rules_len` rules.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_rbac_policy_init(
    policy: *mut iomt_rbac_policy,
    rules: *const iomt_rbac_rule,
    rules_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let src = unsafe { boundary::array(rules, rules_len) }?;
        if policy.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let obj = PolicyObj::from_rules(src.iter().map(rule_from_c), src.len())?;
        // SAFETY: forwarded contract.
        unsafe { boundary::init(policy, obj) }
    }
}

/// Initializes the library's default policy (`iomt_auth::rbac::RbacPolicy::DEFAULT`:
/// clinicians may change therapy with the factor, technicians update firmware with the
/// factor, administrators read the log and clear it with the factor, nurses, patients,
/// researchers, emergency staff and gateways read vitals, …).
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`.
///
/// # Safety
/// `policy` must point to writable `iomt_rbac_policy` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_rbac_policy_init_default(
    policy: *mut iomt_rbac_policy,
) -> iomt_result {
    ffi_panic_boundary! {
        let rows = RbacPolicy::DEFAULT.rows();
        let obj = PolicyObj::from_rules(rows.iter().copied().map(Ok), rows.len())?;
        // SAFETY: forwarded contract.
        unsafe { boundary::init(policy, obj) }
    }
}

/// Deinitializes the policy. NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `policy` must point to `iomt_rbac_policy` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_rbac_policy_deinit(policy: *mut iomt_rbac_policy) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(policy) }
    }
}

fn decision_result(d: RbacDecision) -> Result<(), iomt_result> {
    match d {
        RbacDecision::Allow => Ok(()),
        RbacDecision::Deny(reason) => Err(reason.into()),
    }
}

/// The pure decision for `auth` requesting `operation` (nothing is audited; use
/// `iomt_rbac_authorize` to act on it): OK if allowed, otherwise the reason.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `INVALID_CODE` (unknown operation),
/// `AUTHZ_NO_ROLE`, `AUTHZ_NOT_PERMITTED`, `AUTHZ_FACTOR_REQUIRED`, `AUTHZ_LOCKED_OUT`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_rbac_decide(
    policy: *const iomt_rbac_policy,
    auth: *const iomt_session_auth,
    operation: u8,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (p, a) = unsafe { (boundary::get(policy)?, boundary::get(auth)?) };
        let op = Operation::from_code(operation)?;
        decision_result(p.policy().decide(&a.auth, op))
    }
}

/// Authorizes `auth` for `operation` and writes the permit to `*permit`: every denial is
/// audited, and an allowed privileged operation is audited before the permit is written
/// (if that record cannot be written, the operation is denied).
///
/// The permit is single-use and bound to `auth`: pass both to the operation.
///
/// # Errors
/// As `iomt_rbac_decide`, plus `AUTHZ_AUDIT_UNAVAILABLE` (also when a denial could not be
/// recorded), `AUTHZ_PERMIT_UNAVAILABLE`. `*permit` is initialized only on success.
///
/// # Safety
/// Every pointer must be valid as described; `permit` points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_rbac_authorize(
    policy: *const iomt_rbac_policy,
    crypto: *mut iomt_crypto,
    log: *mut iomt_audit_log,
    auth: *mut iomt_session_auth,
    operation: u8,
    now: u64,
    permit: *mut iomt_permit,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (p, provider, log, a) = unsafe {
            (
                boundary::get(policy)?,
                boundary::get_mut(crypto)?,
                boundary::get_mut(log)?,
                boundary::get_mut(auth)?,
            )
        };
        if permit.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let op = Operation::from_code(operation)?;
        let now = Timestamp::from_secs(now);
        let granted = p.policy().authorize(provider, log, &mut a.auth, op, now)?;
        // SAFETY: forwarded contract.
        unsafe { boundary::init(permit, PermitBytes(granted.to_bytes())) }
    }
}

// ---------------------------------------------------------------------------------------
// Permits.

/// Size of [`iomt_permit`] storage in bytes.
pub const IOMT_PERMIT_SIZE: usize = 40;
/// Alignment of [`iomt_permit`] storage.
pub const IOMT_PERMIT_ALIGN: usize = 8;

/// Proof that one operation was authorized for one subject in one session (written only
/// by `iomt_rbac_authorize`; tagged with that session's key, single use). Pass it, with the
/// `iomt_session_auth` that obtained it, to the operation (`iomt_audit_log_clear`,
/// `iomt_update_begin`), which consumes it. Deinit it if it goes unused.
#[repr(C, align(8))]
pub struct iomt_permit {
    _opaque: [u8; IOMT_PERMIT_SIZE],
}

/// What permit storage holds: the permit's 32-byte form (any byte pattern is a valid
/// value; it is parsed, never transmuted, into a `Permit`).
pub(crate) struct PermitBytes([u8; PERMIT_LEN]);

storage_asserts!(
    iomt_permit,
    PermitBytes,
    IOMT_PERMIT_SIZE,
    IOMT_PERMIT_ALIGN,
    0x696f_6d74_5045_524d
);

/// The permit held in `ptr`, parsed (not consumed).
///
/// # Safety
/// A non-NULL `ptr` must point to `iomt_permit` storage.
unsafe fn permit_of(ptr: *const iomt_permit) -> Result<Permit, iomt_result> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { boundary::get(ptr) }?;
    Ok(Permit::from_bytes(&bytes.0)?)
}

/// Consumes the permit in `permit` (its storage is deinitialized whatever follows) and
/// has `auth`'s session redeem it: the one path by which a C permit reaches an operation.
///
/// # Safety
/// `auth` and `crypto` must be valid as for `boundary::get_mut`; a non-NULL `permit` must
/// point to writable `iomt_permit` storage not aliased by them.
pub(crate) unsafe fn redeem(
    auth: *mut iomt_session_auth,
    crypto: *mut iomt_crypto,
    permit: *mut iomt_permit,
) -> Result<RedeemedPermit, iomt_result> {
    // SAFETY: forwarded contract.
    let (a, provider) = unsafe { (boundary::get_mut(auth)?, boundary::get_mut(crypto)?) };
    // SAFETY: forwarded contract.
    let parsed = unsafe { permit_of(permit) };
    // SAFETY: forwarded contract; after this the storage holds no permit.
    unsafe { boundary::deinit(permit) }?;
    Ok(a.auth.redeem(provider, parsed?)?)
}

/// Writes the permit's operation code and subject id (the permit's format is checked; its
/// tag is checked only when it is redeemed).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `MISALIGNED_STORAGE`, `AUTHZ_PERMIT_MALFORMED`
/// (the storage's bytes are not a permit, e.g. an unknown operation code).
///
/// # Safety
/// Every pointer must be valid as described; `subject` points to 8 writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_permit_get(
    permit: *const iomt_permit,
    operation: *mut u8,
    subject: *mut u8,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (p, op) = unsafe { (permit_of(permit)?, boundary::output(operation)?) };
        if subject.is_null() {
            return Err(iomt_result::NullParameter);
        }
        // SAFETY: forwarded contract.
        let dst = unsafe { boundary::slice_mut(subject, IOMT_SUBJECT_LEN) }?;
        let who: Subject = p.subject();
        dst.copy_from_slice(&who);
        op.write(p.operation().code());
        Ok(())
    }
}

/// Deinitializes (invalidates) a permit. NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `permit` must point to `iomt_permit` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_permit_deinit(permit: *mut iomt_permit) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(permit) }
    }
}
