//! What both roles share: state, received EAD, peer, errors, exporter, key update — one
//! exported function each — and the views the session, authorization, factor and audit
//! modules take of a handshake.

use iomt_auth::AuthError;
use iomt_auth::edhoc::{Completed, Phase};

use super::{HandshakeObj, iomt_ead_item, iomt_handshake, iomt_handshake_state, object};
use crate::boundary::{self, ffi_panic_boundary};
use crate::crypto::iomt_crypto;
use crate::result::iomt_result;

/// What a completed handshake established about the peer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct iomt_peer_info {
    /// The peer's identity from the trust store (zero-padded).
    pub identity: [u8; 16],
    /// The peer's roles from the trust store (bit n = role code n).
    pub roles: u16,
    /// The negotiated cipher suite (2 or 5).
    pub suite: u8,
    /// The method (0–3).
    pub method: u8,
    /// C_I.
    pub c_i: [u8; 7],
    /// Length of C_I.
    pub c_i_len: u8,
    /// C_R.
    pub c_r: [u8; 7],
    /// Length of C_R.
    pub c_r_len: u8,
}

fn peer_info(c: &Completed) -> iomt_peer_info {
    let mut info = iomt_peer_info {
        identity: c.peer_identity().0,
        roles: c.peer_roles().bits(),
        suite: c.selected_suite().id(),
        method: c.method().id(),
        ..iomt_peer_info::default()
    };
    for (src, dst, len) in [
        (c.c_i(), &mut info.c_i, &mut info.c_i_len),
        (c.c_r(), &mut info.c_r, &mut info.c_r_len),
    ] {
        let b = src.as_bytes();
        for (d, s) in dst.iter_mut().zip(b) {
            *d = *s;
        }
        *len = u8::try_from(b.len()).unwrap_or(0);
    }
    info
}

/// Writes the handshake's state into `*state`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `MISALIGNED_STORAGE`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_get_state(
    handshake: *const iomt_handshake,
    state: *mut iomt_handshake_state,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(handshake)?, boundary::output(state)?) };
        out.write(obj.phase().into());
        Ok(())
    }
}

/// Reads item `index` (0-based, padding skipped) of the EAD of the last message the
/// handshake accepted (EAD_1 unauthenticated; EAD_2/3/4 after verification).
/// `item->value` points into the handshake and stays valid until the next call that
/// changes it (or deinit).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `NOT_FOUND` past the last item.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_received_ead(
    handshake: *const iomt_handshake,
    index: usize,
    item: *mut iomt_ead_item,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(handshake)?, boundary::output(item)?) };
        let it = obj.received_ead().items().nth(index).ok_or(iomt_result::NotFound)?;
        out.write(iomt_ead_item {
            label: it.label,
            value: it.value.map_or(core::ptr::null(), <[u8]>::as_ptr),
            value_len: it.value.map_or(0, <[u8]>::len),
        });
        Ok(())
    }
}

/// Writes what the completed handshake established about the peer (identity and
/// roles from the trust store, suite, method, connection identifiers).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` before completion,
/// `OBJECT_FAILED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_peer(
    handshake: *mut iomt_handshake,
    info: *mut iomt_peer_info,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (object(handshake)?, boundary::output(info)?) };
        out.write(peer_info(obj.completed_mut()?));
        Ok(())
    }
}

/// Writes the ERR_CODE of the EDHOC error message the peer sent (after
/// `HANDSHAKE_PEER_ERROR`).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `NOT_FOUND` if the peer sent none.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_peer_error(
    handshake: *const iomt_handshake,
    err_code: *mut i32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(handshake)?, boundary::output(err_code)?) };
        match obj.error() {
            Some(AuthError::PeerError { code }) => {
                out.write(code);
                Ok(())
            }
            Some(AuthError::PeerRefused(_)) => {
                out.write(1); // a refusal is an ERR_CODE 1 error; see iomt_handshake_peer_refusal
                Ok(())
            }
            _ => Err(iomt_result::NotFound),
        }
    }
}

/// Longest EDHOC error message we write (ERR_CODE, a diagnostic text or SUITES_R).
const ERROR_MESSAGE_SCRATCH: usize = 256;

/// After a failure, writes the EDHOC error message to send to the peer (RFC 9528 §6)
/// into `out[0..out_cap]`; `*out_len` = 0 when nothing must be sent (no failure, or the
/// peer's own error message).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL` (with the size needed).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_error_message(
    handshake: *const iomt_handshake,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out, len) = unsafe {
            (
                boundary::get(handshake)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        // Encode into scratch first: outputs are written only on success, and
        // `BUFFER_TOO_SMALL` reports the whole size.
        let mut scratch = [0u8; ERROR_MESSAGE_SCRATCH];
        let n = match obj.error_message(&mut scratch) {
            Ok(n) => n.unwrap_or(0),
            Err(e) => return boundary::written(Err(e), len),
        };
        match (out.get_mut(..n), scratch.get(..n)) {
            (Some(dst), Some(msg)) => {
                dst.copy_from_slice(msg);
                boundary::written::<AuthError>(Ok(n), len)
            }
            _ => boundary::written(Err(AuthError::BufferTooSmall { needed: n }), len),
        }
    }
}

/// EDHOC_Exporter(label, context, out_len) into `out` (RFC 9528 §4.2.1). Labels
/// 32768–65535 are private use; 32768 and 32769 are the session's and refused here.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` before completion,
/// `OBJECT_FAILED`, `HANDSHAKE_RESERVED_EXPORTER_LABEL`,
/// `HANDSHAKE_INVALID_EXPORTER_REQUEST` (empty or oversized output, oversized context).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_export(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    label: u16,
    context: *const u8,
    context_len: usize,
    out: *mut u8,
    out_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, ctx, out) = unsafe {
            (
                object(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::slice(context, context_len)?,
                boundary::slice_mut(out, out_len)?,
            )
        };
        obj.completed_mut()?.exporter(provider, label, ctx, out).map_err(Into::into)
    }
}

/// EDHOC KeyUpdate (RFC 9528 Appendix H) with `context`: a new PRK_out, the old one
/// zeroized. Both peers must call it with the same context. It begins a new key epoch:
/// `iomt_session_init` may start one new session from this handshake. (Sessions have
/// their own per-direction ratchet: `iomt_session_update_send_key`.)
///
/// # Errors
/// As the exporter.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_key_update(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    context: *const u8,
    context_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, ctx) = unsafe {
            (
                object(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::slice(context, context_len)?,
            )
        };
        obj.completed_mut()?.key_update(provider, ctx).map_err(Into::into)
    }
}

/// What the operator-factor check needs from a responder whose handshake completed.
pub(crate) struct FactorContext<'a> {
    /// The completed handshake (peer, TH_3, EAD_3).
    pub(crate) completed: &'a Completed,
    /// Set once the factor has been checked (the check runs once per handshake).
    pub(crate) checked: &'a mut bool,
}

impl HandshakeObj {
    /// The factor context of a completed responder.
    ///
    /// # Errors
    /// `WRONG_STATE` before completion or for an initiator, `OBJECT_FAILED`.
    pub(crate) fn factor_context(&mut self) -> Result<FactorContext<'_>, iomt_result> {
        if self.is_initiator() {
            return Err(iomt_result::WrongState);
        }
        self.completed_mut()?;
        let Self {
            role: super::Role::Responder(state),
            factor_checked,
        } = self
        else {
            return Err(iomt_result::WrongState);
        };
        let completed = state.completed_ref().ok_or(iomt_result::WrongState)?;
        Ok(FactorContext {
            completed,
            checked: factor_checked,
        })
    }

    /// TH_3 of an initiator whose message_2 verified (before `write_message_3`).
    ///
    /// # Errors
    /// `WRONG_STATE` in any other state or for a responder, `OBJECT_FAILED`.
    pub(crate) fn initiator_th_3(&self) -> Result<[u8; 32], iomt_result> {
        self.check_live()?;
        match (self.is_initiator(), self.phase(), self.th_3()) {
            (true, Phase::Message2Verified, Some(th)) => Ok(*th),
            _ => Err(iomt_result::WrongState),
        }
    }

    /// How the handshake ended, for its audit record (`WRONG_STATE` while running).
    pub(crate) fn ending(&mut self) -> Result<Ending<'_>, iomt_result> {
        match self.phase() {
            Phase::Failed => Ok(Ending::Failed(self.error())),
            Phase::Complete => {
                let done = match &mut self.role {
                    super::Role::Initiator(s) => s.completed_ref(),
                    super::Role::Responder(s) => s.completed_ref(),
                };
                done.map(Ending::Completed).ok_or(iomt_result::WrongState)
            }
            _ => Err(iomt_result::WrongState),
        }
    }
}

/// How a handshake ended, for its audit record.
pub(crate) enum Ending<'a> {
    /// Completed: the peer and what was negotiated.
    Completed(&'a Completed),
    /// Failed, with the error that failed it.
    Failed(Option<AuthError>),
}
