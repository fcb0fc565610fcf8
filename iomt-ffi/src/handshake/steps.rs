//! The handshake steps: each checks its arguments, runs one step of iomt-auth's state
//! machine and maps the result (see the module invariants in `handshake`).

use iomt_auth::AuthError;
use iomt_auth::edhoc::{EadItem, Phase};
use iomt_auth::error::PeerMisbehaved;
use zeroize::Zeroize;

use super::{
    HandshakeObj, IOMT_MAX_EAD_ITEMS, IOMT_MAX_MESSAGE_LEN, NO_EAD, Role, iomt_ead_item,
    iomt_handshake,
};
use crate::boundary::{self, FfiResult, Needed, Out, ffi_panic_boundary};
use crate::crypto::{iomt_credential, iomt_crypto, iomt_trust_store};
use crate::result::iomt_result;

const WRONG_ROLE: AuthError = AuthError::ApiMisuse(iomt_auth::error::ApiMisuse::WrongState);

/// Copies outgoing EAD items from C into `items`; returns how many.
///
/// # Safety
/// `ptr` must point to `len` items whose `value` buffers are valid for their lengths.
unsafe fn ead_items<'a>(
    ptr: *const iomt_ead_item,
    len: usize,
    items: &mut [EadItem<'a>; IOMT_MAX_EAD_ITEMS],
) -> Result<usize, iomt_result> {
    // SAFETY: forwarded contract.
    let src = unsafe { boundary::array(ptr, len) }?;
    if src.len() > IOMT_MAX_EAD_ITEMS {
        return Err(iomt_result::CapacityExceeded);
    }
    for (dst, s) in items.iter_mut().zip(src) {
        let value = if s.value.is_null() {
            if s.value_len != 0 {
                return Err(iomt_result::NullParameter);
            }
            None
        } else {
            // SAFETY: forwarded contract.
            Some(unsafe { boundary::slice(s.value, s.value_len) }?)
        };
        *dst = EadItem {
            label: s.label,
            value,
        };
    }
    Ok(src.len())
}

/// Runs a writing step into a scratch buffer that always suffices and copies the
/// message to `out`. If `out` is too short the handshake is aborted (its next state
/// holds an ephemeral key that must not be used for another message) and `*len` gets
/// the whole size.
fn write_step(
    obj: &mut HandshakeObj,
    out: &mut [u8],
    len: Out<usize>,
    step: impl FnOnce(&mut Role, &mut [u8]) -> Result<usize, AuthError>,
) -> FfiResult {
    obj.check_live()?;
    let mut scratch = [0u8; IOMT_MAX_MESSAGE_LEN];
    match step(&mut obj.role, &mut scratch) {
        Ok(n) => match (out.get_mut(..n), scratch.get(..n)) {
            (Some(dst), Some(msg)) => {
                dst.copy_from_slice(msg);
                len.write(n);
                Ok(())
            }
            _ => {
                obj.abort(AuthError::BufferTooSmall { needed: n });
                len.write(n);
                Err(iomt_result::BufferTooSmall)
            }
        },
        Err(e) => {
            if let Some(needed) = e.needed() {
                len.write(needed);
            }
            Err(e.into())
        }
    }
}

/// Runs a reading step on a stack copy of `message` (decrypted in place, zeroized
/// before returning). `expected` is the phase the step needs: in any other phase
/// nothing changes (`WRONG_STATE`); an oversized message fails the handshake.
fn read_step(
    obj: &mut HandshakeObj,
    message: &[u8],
    expected: Phase,
    step: impl FnOnce(&mut Role, &mut [u8]) -> Result<(), AuthError>,
) -> FfiResult {
    obj.check_live()?;
    if obj.phase() != expected {
        return Err(iomt_result::WrongState);
    }
    let mut buf = [0u8; IOMT_MAX_MESSAGE_LEN];
    let result = match buf.get_mut(..message.len()) {
        Some(copy) => {
            copy.copy_from_slice(message);
            step(&mut obj.role, copy)
        }
        None => {
            let e = AuthError::PeerMisbehaved(PeerMisbehaved::TooLarge);
            obj.abort(e);
            Err(e)
        }
    };
    buf.zeroize();
    result.map_err(Into::into)
}

/// Writes message_1 (initiator, with EAD_1 items) into `out[0..out_cap]`; `*out_len`
/// receives its length (or, with `BUFFER_TOO_SMALL`, the size needed).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` (also for a responder),
/// `OBJECT_FAILED`, `BUFFER_TOO_SMALL`, `CAPACITY_EXCEEDED` (too many EAD items),
/// `HANDSHAKE_INVALID_EAD`, `CRYPTO_RNG`. Failures other than the argument checks fail
/// the object.
///
/// # Safety
/// Every pointer must be valid as described; `out` must not overlap anything else.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_write_message_1(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    ead: *const iomt_ead_item,
    ead_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, out, len) = unsafe {
            (
                boundary::get_mut(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut items = [NO_EAD; IOMT_MAX_EAD_ITEMS];
        // SAFETY: forwarded contract.
        let n = unsafe { ead_items(ead, ead_len, &mut items) }?;
        let items = items.get(..n).unwrap_or(&[]);
        write_step(obj, out, len, |role, buf| match role {
            Role::Initiator(s) => s.write_message_1(provider, items, buf),
            Role::Responder(_) => Err(WRONG_ROLE),
        })
    }
}

/// Reads message_2 (initiator): decrypts it, resolves ID_CRED_R in `trust` and verifies
/// the responder. Afterwards EAD_2 is readable (`iomt_handshake_received_ead`).
///
/// If `message` is an EDHOC error with ERR_CODE 2 (the responder does not accept the
/// selected suite), the object returns to `START` with a suite the responder supports
/// and the call returns `HANDSHAKE_RETRY_SUITE`: write message_1 again.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `HANDSHAKE_RETRY_SUITE`, `HANDSHAKE_PEER_ERROR` (see `iomt_handshake_peer_error`),
/// `HANDSHAKE_UNKNOWN_CREDENTIAL`, `HANDSHAKE_AUTHENTICATION_FAILED`, `HANDSHAKE_MALFORMED`
/// and the other `HANDSHAKE_*` codes; all but the argument checks fail the object.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_read_message_2(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    trust: *const iomt_trust_store,
    message: *const u8,
    message_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, store, msg) = unsafe {
            (
                boundary::get_mut(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::get(trust)?,
                boundary::required_slice(message, message_len)?,
            )
        };
        let r = read_step(obj, msg, Phase::WaitMessage2, |role, m| match role {
            Role::Initiator(s) => s.read_message_2(provider, m, store),
            Role::Responder(_) => Err(WRONG_ROLE),
        });
        match r {
            Err(iomt_result::HandshakePeerError) if obj.phase() == Phase::Start => {
                Err(iomt_result::HandshakeRetrySuite)
            }
            other => other,
        }
    }
}

/// Writes message_3 (initiator; authenticating with `credential`, carrying EAD_3 items).
/// Without message_4 the handshake is then complete.
///
/// # Errors
/// As `iomt_handshake_write_message_1`, plus `HANDSHAKE_INVALID_LOCAL_CREDENTIAL`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_write_message_3(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    credential: *const iomt_credential,
    ead: *const iomt_ead_item,
    ead_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, cred, out, len) = unsafe {
            (
                boundary::get_mut(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::get(credential)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut items = [NO_EAD; IOMT_MAX_EAD_ITEMS];
        // SAFETY: forwarded contract.
        let n = unsafe { ead_items(ead, ead_len, &mut items) }?;
        let items = items.get(..n).unwrap_or(&[]);
        write_step(obj, out, len, |role, buf| match role {
            Role::Initiator(s) => s.write_message_3(provider, &cred.local(), items, buf),
            Role::Responder(_) => Err(WRONG_ROLE),
        })
    }
}

/// Reads message_4 (initiator, when configured); the handshake is then complete and
/// EAD_4 readable.
///
/// # Errors
/// As `iomt_handshake_read_message_2` (without the retry).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_read_message_4(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    message: *const u8,
    message_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, msg) = unsafe {
            (
                boundary::get_mut(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::required_slice(message, message_len)?,
            )
        };
        read_step(obj, msg, Phase::WaitMessage4, |role, m| match role {
            Role::Initiator(s) => s.handle_message_4(provider, m),
            Role::Responder(_) => Err(WRONG_ROLE),
        })
    }
}

/// Reads message_1 (responder: method, suite negotiation, G_X, EAD_1 criticality).
/// Afterwards EAD_1 is readable; it is NOT authenticated.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `HANDSHAKE_WRONG_SELECTED_SUITE` (send `iomt_handshake_error_message`, which carries
/// SUITES_R), `HANDSHAKE_UNSUPPORTED_METHOD`, `HANDSHAKE_MALFORMED`, … (these fail the
/// object).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_read_message_1(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    message: *const u8,
    message_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, msg) = unsafe {
            (
                boundary::get_mut(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::required_slice(message, message_len)?,
            )
        };
        read_step(obj, msg, Phase::Start, |role, m| match role {
            Role::Responder(s) => s.read_message_1(provider, m),
            Role::Initiator(_) => Err(WRONG_ROLE),
        })
    }
}

/// Writes message_2 (responder; authenticating with `credential`, carrying EAD_2 items).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `BUFFER_TOO_SMALL` (with `*out_len` = size needed), `CAPACITY_EXCEEDED`,
/// `HANDSHAKE_INVALID_LOCAL_CREDENTIAL`, `HANDSHAKE_INVALID_EAD`, `CRYPTO_*`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_write_message_2(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    credential: *const iomt_credential,
    ead: *const iomt_ead_item,
    ead_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, cred, out, len) = unsafe {
            (
                boundary::get_mut(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::get(credential)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut items = [NO_EAD; IOMT_MAX_EAD_ITEMS];
        // SAFETY: forwarded contract.
        let n = unsafe { ead_items(ead, ead_len, &mut items) }?;
        let items = items.get(..n).unwrap_or(&[]);
        write_step(obj, out, len, |role, buf| match role {
            Role::Responder(s) => s.write_message_2(provider, &cred.local(), items, buf),
            Role::Initiator(_) => Err(WRONG_ROLE),
        })
    }
}

/// Reads message_3 (responder): decrypts it, resolves ID_CRED_I in `trust` and verifies
/// the initiator. Afterwards EAD_3 is readable. Without message_4 the handshake is then
/// complete; with it, call `iomt_handshake_write_message_4`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `HANDSHAKE_UNKNOWN_CREDENTIAL`, `HANDSHAKE_AUTHENTICATION_FAILED`,
/// `HANDSHAKE_PEER_ERROR`, `HANDSHAKE_MALFORMED`, … (these fail the object).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_read_message_3(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    trust: *const iomt_trust_store,
    message: *const u8,
    message_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, store, msg) = unsafe {
            (
                boundary::get_mut(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::get(trust)?,
                boundary::required_slice(message, message_len)?,
            )
        };
        read_step(obj, msg, Phase::WaitMessage3, |role, m| match role {
            Role::Responder(s) => s.read_message_3(provider, m, store),
            Role::Initiator(_) => Err(WRONG_ROLE),
        })
    }
}

/// Writes message_4 (responder, carrying EAD_4 items); the handshake is then complete.
///
/// # Errors
/// As `iomt_handshake_write_message_2`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_write_message_4(
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    ead: *const iomt_ead_item,
    ead_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, out, len) = unsafe {
            (
                boundary::get_mut(handshake)?,
                boundary::get_mut(crypto)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut items = [NO_EAD; IOMT_MAX_EAD_ITEMS];
        // SAFETY: forwarded contract.
        let n = unsafe { ead_items(ead, ead_len, &mut items) }?;
        let items = items.get(..n).unwrap_or(&[]);
        write_step(obj, out, len, |role, buf| match role {
            Role::Responder(s) => s.write_message_4(provider, items, buf),
            Role::Initiator(_) => Err(WRONG_ROLE),
        })
    }
}
