//! Consent enforcement with audited break-glass for C: `iomt_consent_enforce` evaluates a
//! consent tag (default deny) and acts on the decision — a denial is audited and refused,
//! an emergency override (purpose ETREAT/BTG, allowed by the tag) becomes time-limited
//! access only after its audit record is written.
//!
//! `iomt_consent_evaluate` (in the data module) is the pure decision; this is the one a
//! device or gateway uses to actually release data.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use iomt_auth::rbac::ConsentAccess;

use crate::audit::iomt_audit_log;
use crate::authz::iomt_session_auth;
use crate::boundary::{self, ffi_panic_boundary};
use crate::crypto::iomt_crypto;
use crate::data::{
    iomt_access_request, iomt_consent_tag, iomt_decision_kind, request_from_c, tag_from_c,
};
use crate::result::iomt_result;

/// Longest break-glass window (4 hours); longer requests are capped.
pub const IOMT_BREAK_GLASS_MAX_TTL_SECS: u64 = 4 * 3600;

const _: () = assert!(IOMT_BREAK_GLASS_MAX_TTL_SECS == iomt_auth::rbac::BREAK_GLASS_MAX_TTL_SECS);

/// Access granted by `iomt_consent_enforce`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct iomt_consent_access {
    /// `PERMIT` (ordinary consent) or `BREAK_GLASS` (audited emergency access).
    pub kind: iomt_decision_kind,
    /// Break-glass: access ends at this time (seconds); 0 for an ordinary permit.
    pub expires: u64,
    /// Break-glass: the sequence number of its audit record; 0 for an ordinary permit.
    pub audit_seq: u32,
}

/// Evaluates `request` (made by the peer of `auth`, at `request->now`) against `tag` and
/// enforces the decision: OK with `*access` for a permit or an audited break-glass grant
/// (valid for `break_glass_ttl_secs`, capped at `IOMT_BREAK_GLASS_MAX_TTL_SECS`, from the
/// request time); a denial is audited and returned as `CONSENT_DENIED` (the reason:
/// `iomt_consent_evaluate`).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `INVALID_CODE` / `UNKNOWN_BITS` (a malformed tag or
/// request is an error, never access), `AUTHZ_NOT_PERMITTED` (`request->role` is not one
/// of the session's roles; audited as an `OPERATION_DENIED` record), `CONSENT_DENIED`,
/// `BREAK_GLASS_NOT_EMERGENCY`, `BREAK_GLASS_EXPIRED`, `AUTHZ_AUDIT_UNAVAILABLE` (a
/// break-glass grant or a role-claim denial whose audit record could not be written: no
/// access either way).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_enforce(
    tag: *const iomt_consent_tag,
    request: *const iomt_access_request,
    crypto: *mut iomt_crypto,
    log: *mut iomt_audit_log,
    auth: *const iomt_session_auth,
    break_glass_ttl_secs: u64,
    access: *mut iomt_consent_access,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (t, r, provider, log, a, out) = unsafe {
            (
                boundary::input(tag)?,
                boundary::input(request)?,
                boundary::get_mut(crypto)?,
                boundary::get_mut(log)?,
                boundary::get(auth)?,
                boundary::output(access)?,
            )
        };
        let tag = tag_from_c(t)?;
        let req = request_from_c(r)?;
        // The requester acts in a role its credential holds, never one it merely claims: a
        // claim of another role is an audited denial (iomt-auth, one implementation).
        let granted = a.auth.enforce_consent(provider, log, &tag, &req, break_glass_ttl_secs)?;
        out.write(match granted {
            ConsentAccess::Permit => iomt_consent_access {
                kind: iomt_decision_kind::Permit,
                expires: 0,
                audit_seq: 0,
            },
            ConsentAccess::BreakGlass(b) => iomt_consent_access {
                kind: iomt_decision_kind::BreakGlass,
                expires: b.expires().as_secs(),
                audit_seq: b.audit_seq(),
            },
        });
        Ok(())
    }
}
