//! Audit records for the security events the C application observes: how a handshake
//! ended, and frames the session rejected (replayed, too old, forged, malformed).
//!
//! The authorization, factor, consent, break-glass and update calls write their own
//! records; these two cover the rest of the event list, with the same detail layout the
//! Rust gateway uses (`examples/src/gateway.rs`): handshake success = `[suite, method]`
//! under the peer's subject id; handshake failure = the iomt-auth error code (u32 BE);
//! replay/forgery = the `iomt_result` code of the rejection (u32 BE). Key updates and
//! application events go through `iomt_audit_log_append`.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use iomt_auth::audit::{AuditEvent, Detail, Outcome, SUBJECT_DEVICE, subject_of};
use iomt_core::Timestamp;

use crate::audit::iomt_audit_log;
use crate::boundary::{self, FfiResult, Out, ffi_panic_boundary};
use crate::crypto::{Provider, iomt_crypto};
use crate::handshake::{Ending, iomt_handshake};
use crate::result::iomt_result;

fn record_ending(
    log: &mut crate::audit::Log,
    provider: &mut Provider,
    end: Ending<'_>,
    now: u64,
    seq: Out<u32>,
) -> FfiResult {
    let now = Timestamp::from_secs(now);
    let s = match end {
        Ending::Completed(done) => {
            let peer = subject_of(provider, &done.peer_identity().0);
            let detail = Detail::from_slice(&[done.selected_suite().id(), done.method().id()]);
            log.append(
                provider,
                now,
                AuditEvent::HandshakeSucceeded,
                Outcome::Success,
                peer,
                detail,
            )?
        }
        Ending::Failed(error) => {
            let code = error.map_or(0, |e| u32::from(e.code()));
            let detail = Detail::from_u32s(code, 0);
            log.append(
                provider,
                now,
                AuditEvent::HandshakeFailed,
                Outcome::Failure,
                SUBJECT_DEVICE,
                detail,
            )?
        }
    };
    seq.write(s);
    Ok(())
}

/// Records how the handshake ended (either role): `HandshakeSucceeded` (subject: the
/// peer, detail: suite, method) once complete, `HandshakeFailed` (detail: the error code)
/// once failed. Writes the record's sequence number to `*seq`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` (still running), `AUDIT_STORAGE`,
/// `AUDIT_SEQUENCE_EXHAUSTED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_record_handshake(
    log: *mut iomt_audit_log,
    crypto: *mut iomt_crypto,
    handshake: *mut iomt_handshake,
    now: u64,
    seq: *mut u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (log, provider, hs, out) = unsafe {
            (
                boundary::get_mut(log)?,
                boundary::get_mut(crypto)?,
                crate::handshake::object(handshake)?,
                boundary::output(seq)?,
            )
        };
        record_ending(log, provider, hs.ending()?, now, out)
    }
}

/// Whether a session result is a rejected frame worth an audit record: one of the
/// `FRAME_*` codes (not OK, not a closed session or a caller error).
fn is_frame_rejection(r: u32) -> bool {
    use iomt_result as R;
    iomt_result::ALL.iter().any(|x| {
        *x as u32 == r
            && matches!(
                x,
                R::FrameMalformed
                    | R::FrameReplayed
                    | R::FrameTooOld
                    | R::FrameWrongConnectionId
                    | R::FrameWrongEpoch
                    | R::FrameTooLarge
                    | R::FrameConsentSlot
                    | R::FrameAuthenticationFailed
                    | R::FramePeerMisbehaved
            )
    })
}

/// Records a frame `iomt_session_open` rejected (`result` is what it returned: replayed,
/// too old, forged, malformed, wrong connection id or epoch, bad consent slot) as
/// `ReplayOrForgery` (outcome denied, detail: the result code). Writes the record's
/// sequence number to `*seq`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `INVALID_ARGUMENT` (`result` is not a frame
/// rejection, e.g. OK or a closed session), `AUDIT_STORAGE`, `AUDIT_SEQUENCE_EXHAUSTED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_record_frame_rejection(
    log: *mut iomt_audit_log,
    crypto: *mut iomt_crypto,
    result: u32,
    now: u64,
    seq: *mut u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (log, provider, out) = unsafe {
            (boundary::get_mut(log)?, boundary::get_mut(crypto)?, boundary::output(seq)?)
        };
        if !is_frame_rejection(result) {
            return Err(iomt_result::InvalidArgument);
        }
        let s = log.append(
            provider,
            Timestamp::from_secs(now),
            AuditEvent::ReplayOrForgery,
            Outcome::Denied,
            SUBJECT_DEVICE,
            Detail::from_u32s(result, 0),
        )?;
        out.write(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_frame_rejection;
    use crate::result::iomt_result;

    #[test]
    fn frame_rejections_are_exactly_the_frame_codes() {
        for r in iomt_result::ALL {
            let code = *r as u32;
            let frame = format!("{r:?}").starts_with("Frame");
            assert_eq!(is_frame_rejection(code), frame, "{r:?}");
        }
    }
}
