//! Audit records for the security events the C application observes: how a handshake
//! ended, and frames the session rejected (replayed, too old, forged, malformed).
//!
//! The authorization, factor, consent, break-glass and update calls write their own
//! records; these two cover the rest of the event list. Both build their records with
//! `iomt_auth::audit::Event` — the constructors the Rust gateway uses too — so one event
//! has one byte layout (see that module's table). Key updates and application events go
//! through `iomt_audit_log_append`.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use iomt_auth::audit::Event;
use iomt_core::Timestamp;

use crate::audit::iomt_audit_log;
use crate::boundary::{self, FfiResult, Out, ffi_panic_boundary};
use crate::crypto::{Provider, iomt_crypto};
use crate::handshake::{Ending, iomt_handshake};
use crate::result::iomt_result;
use crate::session::iomt_session;

fn record_ending(
    log: &mut crate::audit::Log,
    provider: &mut Provider,
    end: Ending<'_>,
    now: u64,
    seq: Out<u32>,
) -> FfiResult {
    let event = match end {
        Ending::Completed(done) => Event::handshake_succeeded(provider, done),
        Ending::Failed(error) => Event::handshake_failed(error),
    };
    seq.write(log.record(provider, Timestamp::from_secs(now), event)?);
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

/// Records the last frame `iomt_session_open` rejected on `session` (replayed, too old,
/// forged, malformed, wrong connection id or epoch, bad consent slot) as
/// `ReplayOrForgery` (outcome denied; detail: the session's connection id and the
/// library's code of the rejection — the layout the Rust gateway writes, from
/// `iomt_auth::audit::Event::frame_rejected`). A rejection is recorded once. Writes the
/// record's sequence number to `*seq`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `NOT_FOUND` (no rejected frame since the last
/// record), `AUDIT_STORAGE`, `AUDIT_SEQUENCE_EXHAUSTED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_record_frame_rejection(
    log: *mut iomt_audit_log,
    crypto: *mut iomt_crypto,
    session: *mut iomt_session,
    now: u64,
    seq: *mut u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (log, provider, session, out) = unsafe {
            (
                boundary::get_mut(log)?,
                boundary::get_mut(crypto)?,
                boundary::get_mut(session)?,
                boundary::output(seq)?,
            )
        };
        let rejected = session.last_rejection.ok_or(iomt_result::NotFound)?;
        let event = Event::frame_rejected(session.ch.conn_id(), rejected.code());
        out.write(log.record(provider, Timestamp::from_secs(now), event)?);
        session.last_rejection = None;
        Ok(())
    }
}
