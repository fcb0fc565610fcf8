//! Fail early in C: a responder that cannot serve answers message_1 with an EDHOC error
//! naming the cause, and an initiator reads that cause — a thin skin over
//! `iomt_auth::edhoc::Refusal` (the Rust driver's `transport::handshake::refuse` writes
//! the same bytes).

use iomt_auth::AuthError;
use iomt_auth::edhoc::{MAX_REFUSAL_LEN, Refusal};

use super::iomt_handshake;
use crate::boundary::{self, ffi_panic_boundary};
use crate::result::iomt_result;

/// Longest refusal message `iomt_handshake_refusal_message` writes.
pub const IOMT_MAX_REFUSAL_LEN: usize = 80;
const _: () = assert!(IOMT_MAX_REFUSAL_LEN == MAX_REFUSAL_LEN);

/// For a responder that cannot serve at all — `iomt_handshake_init_responder` failed with
/// `cause` (e.g. `HANDSHAKE_METHOD_NOT_BUILT`, `HANDSHAKE_INVALID_CONFIG`,
/// `HANDSHAKE_INVALID_LOCAL_CREDENTIAL`), or it has no credential to offer — writes the
/// EDHOC error message to send in answer to the initiator's message_1 (ERR_CODE 1 with a
/// fixed text naming the cause; any other code is sent as "responder unavailable") into
/// `out[0..out_cap]`, at most `IOMT_MAX_REFUSAL_LEN` bytes. Read message_1 before you
/// answer and close: a socket closed with unread input may be reset before the peer
/// reads the answer. The initiator's `iomt_handshake_read_message_2` then returns
/// `HANDSHAKE_PEER_REFUSED` and `iomt_handshake_peer_refusal` names the cause.
///
/// # Errors
/// `NULL_PARAMETER`, `BUFFER_TOO_SMALL` (with the size needed).
///
/// # Safety
/// `out` must be valid for `out_cap` bytes, `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_refusal_message(
    cause: u32,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (out, len) = unsafe { (boundary::slice_mut(out, out_cap)?, boundary::output(out_len)?) };
        let refusal = Refusal::from_code(u16::try_from(cause).unwrap_or(u16::MAX));
        boundary::written(refusal.write_message(out), len)
    }
}

/// After `HANDSHAKE_PEER_REFUSED`: the cause the responder named, as the code of the
/// responder's own failure (`HANDSHAKE_METHOD_NOT_BUILT`, `HANDSHAKE_INVALID_CONFIG`,
/// `HANDSHAKE_INVALID_LOCAL_CREDENTIAL` or `HANDSHAKE_OTHER`). Unauthenticated, like
/// every EDHOC error message: for diagnosis, never for decisions.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `NOT_FOUND` if the handshake did not end with a
/// refusal.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_peer_refusal(
    handshake: *const iomt_handshake,
    cause: *mut iomt_result,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(handshake)?, boundary::output(cause)?) };
        match obj.error() {
            Some(AuthError::PeerRefused(r)) => {
                out.write(iomt_result::from_code(r.cause_code()).unwrap_or(iomt_result::HandshakeOther));
                Ok(())
            }
            _ => Err(iomt_result::NotFound),
        }
    }
}
