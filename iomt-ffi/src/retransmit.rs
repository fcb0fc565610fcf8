//! Handshake retransmission over lossy datagram links for C: [`iomt_retransmit`] wraps
//! iomt-proto's sans-IO [`Retransmit`] (the same timer, duplicate and linger rules the
//! Rust driver `iomt_proto::retransmit::edhoc` uses; nothing is decided here).
//!
//! # Use with `iomt_handshake` (one object per handshake side)
//! ```text
//! after writing a message:   iomt_retransmit_sent(r, crypto, now, msg, len, expect_reply)
//!                            expect_reply = 1 unless the handshake is now COMPLETE
//!                            (initiator: message_3 without message_4; responder: message_4)
//! on every datagram:         iomt_retransmit_received(r, crypto, now, dgram, len, out, cap, &n, &kind)
//!                            DUPLICATE: send out[0..n] if n > 0 and do NOT process it
//!                            NEW: give it to the handshake step (read_message_x)
//! on completing with nothing to send (responder without message_4):
//!                            iomt_retransmit_finished(r, now)
//! at the deadline:           iomt_retransmit_poll(r, now, out, cap, &n, &deadline)
//!                            n > 0: send out[0..n]; HANDSHAKE_TIMEOUT: give up
//! on a handshake failure:    iomt_retransmit_stop(r)
//! ```
//! `now` is a monotonic millisecond count (any origin); jitter comes from the
//! `iomt_crypto` object's RNG.
//!
//! # Invariants
//! - The object is bound to its address (a copy reads as `NOT_INITIALIZED`).
//! - A duplicate is never reported `NEW`; the flight is erased on timeout, stop and
//!   deinit.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use iomt_proto::retransmit::{Poll, Received, Retransmit, RetransmitConfig};

use crate::boundary::{self, FfiResult, Out, ffi_panic_boundary, storage_asserts};
use crate::crypto::iomt_crypto;
use crate::handshake::IOMT_MAX_MESSAGE_LEN;
use crate::result::iomt_result;

/// Retransmission parameters (RFC 7252 §4.2 style). Pass NULL for the defaults:
/// 2000 ms × [1, 1.5), doubling up to 16000 ms, 4 retransmissions, lingering 60000 ms.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_retransmit_config {
    /// First timeout in ms before the random factor (> 0).
    pub initial_timeout_ms: u32,
    /// Largest timeout in ms after doubling (>= `initial_timeout_ms`).
    pub max_timeout_ms: u32,
    /// Retransmissions before `HANDSHAKE_TIMEOUT`.
    pub max_retransmits: u8,
    /// How long a side that completed first keeps answering duplicates (ms).
    pub linger_ms: u32,
}

/// How `iomt_retransmit_received` classified a datagram.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum iomt_received {
    /// Not a duplicate: process it with the handshake.
    New = 0,
    /// A duplicate of the last processed message: send the reply (if any); do not
    /// process it.
    Duplicate = 1,
}

/// Size of [`iomt_retransmit`] storage in bytes.
pub const IOMT_RETRANSMIT_SIZE: usize = 704;
/// Alignment of [`iomt_retransmit`] storage.
pub const IOMT_RETRANSMIT_ALIGN: usize = 8;
/// `*deadline` value of `iomt_retransmit_poll` when no timer runs.
pub const IOMT_NO_DEADLINE: u64 = u64::MAX;

/// The retransmission state of one handshake side. Never copy it.
#[repr(C, align(8))]
pub struct iomt_retransmit {
    _opaque: [u8; IOMT_RETRANSMIT_SIZE],
}

storage_asserts!(
    iomt_retransmit,
    Retransmit<IOMT_MAX_MESSAGE_LEN>,
    IOMT_RETRANSMIT_SIZE,
    IOMT_RETRANSMIT_ALIGN,
    0x696f_6d74_5254_5853
);

/// Initializes `retransmit` with `config` (NULL: the defaults).
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`, `HANDSHAKE_INVALID_RETRANSMIT_CONFIG`.
///
/// # Safety
/// `retransmit` must point to writable `iomt_retransmit` storage; `config` is NULL or
/// valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_retransmit_init(
    retransmit: *mut iomt_retransmit,
    config: *const iomt_retransmit_config,
) -> iomt_result {
    ffi_panic_boundary! {
        let cfg = if config.is_null() {
            RetransmitConfig::DEFAULT
        } else {
            // SAFETY: forwarded contract.
            let c = unsafe { boundary::input(config) }?;
            RetransmitConfig {
                initial_timeout_ms: c.initial_timeout_ms,
                max_timeout_ms: c.max_timeout_ms,
                max_retransmits: c.max_retransmits,
                linger_ms: c.linger_ms,
            }
        };
        let r = Retransmit::new(cfg)?;
        // SAFETY: forwarded contract.
        unsafe { boundary::init(retransmit, r) }
    }
}

/// Drops the state and zeroizes the storage (the kept message included). NULL is fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// `retransmit` is NULL or points to `iomt_retransmit` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_retransmit_deinit(retransmit: *mut iomt_retransmit) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(retransmit) }
    }
}

/// Records a message just sent (keeps a copy for retransmission). With
/// `expect_reply != 0` the timer starts; with 0 the side lingers (answers duplicates of
/// the message it answered until the linger time ends).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `HANDSHAKE_FLIGHT_TOO_LARGE` (the state then
/// keeps nothing and sends nothing).
///
/// # Safety
/// `retransmit` and `crypto` must point to initialized objects; `message` must be valid
/// for `message_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_retransmit_sent(
    retransmit: *mut iomt_retransmit,
    crypto: *mut iomt_crypto,
    now_ms: u64,
    message: *const u8,
    message_len: usize,
    expect_reply: u8,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (r, provider, msg) = unsafe {
            (
                boundary::get_mut(retransmit)?,
                boundary::get_mut(crypto)?,
                boundary::required_slice(message, message_len)?,
            )
        };
        r.sent(provider, now_ms, msg, expect_reply != 0)?;
        Ok(())
    }
}

/// Records that the last `NEW` datagram completed the handshake with nothing to send
/// (responder without message_4): its duplicates are then recognised and not answered.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`.
///
/// # Safety
/// `retransmit` must point to an initialized object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_retransmit_finished(
    retransmit: *mut iomt_retransmit,
    now_ms: u64,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let r = unsafe { boundary::get_mut(retransmit) }?;
        r.finished(now_ms);
        Ok(())
    }
}

/// Stops: erases the kept message and the timer (after a handshake failure, or once
/// the peer is known to have completed).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`.
///
/// # Safety
/// `retransmit` must point to an initialized object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_retransmit_stop(retransmit: *mut iomt_retransmit) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let r = unsafe { boundary::get_mut(retransmit) }?;
        r.stop();
        Ok(())
    }
}

fn copy_out(src: &[u8], out: &mut [u8], len: Out<usize>) -> FfiResult {
    len.write(src.len());
    if !::iomt_crypto::copy_prefix(out, src) {
        return Err(iomt_result::BufferTooSmall);
    }
    Ok(())
}

/// Classifies a received datagram. `*kind` = `NEW`: process it with the handshake.
/// `*kind` = `DUPLICATE`: do not process it; send `out[0..*reply_len]` if
/// `*reply_len > 0` (the same bytes as the message sent before).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL` (`*reply_len` holds the size
/// needed; size `out` `IOMT_MAX_MESSAGE_LEN`).
///
/// # Safety
/// Objects initialized; `datagram` valid for `datagram_len`; `out` writable for
/// `out_cap`; `reply_len` and `kind` writable.
#[unsafe(no_mangle)]
#[allow(
    clippy::too_many_arguments,
    reason = "C calling convention: buffers and lengths"
)]
pub unsafe extern "C" fn iomt_retransmit_received(
    retransmit: *mut iomt_retransmit,
    crypto: *mut iomt_crypto,
    now_ms: u64,
    datagram: *const u8,
    datagram_len: usize,
    out: *mut u8,
    out_cap: usize,
    reply_len: *mut usize,
    kind: *mut iomt_received,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (r, provider, dgram, out, len, kind) = unsafe {
            (
                boundary::get_mut(retransmit)?,
                boundary::get_mut(crypto)?,
                boundary::slice(datagram, datagram_len)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(reply_len)?,
                boundary::output(kind)?,
            )
        };
        match r.received(provider, now_ms, dgram) {
            Received::New => {
                kind.write(iomt_received::New);
                len.write(0);
                Ok(())
            }
            Received::Duplicate { resend } => {
                kind.write(iomt_received::Duplicate);
                copy_out(if resend { r.flight() } else { &[] }, out, len)
            }
        }
    }
}

/// Runs the timer at `now_ms`. If `*send_len > 0`, send `out[0..*send_len]` (a
/// retransmission). `*deadline` gets when to call again (`IOMT_NO_DEADLINE` if no timer
/// runs).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL` (`*send_len` holds the size
/// needed), `HANDSHAKE_TIMEOUT` once the last retransmission went unanswered (and on
/// every later call; `*deadline` is `IOMT_NO_DEADLINE`).
///
/// # Safety
/// `retransmit` initialized; `out` writable for `out_cap`; `send_len`, `deadline`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_retransmit_poll(
    retransmit: *mut iomt_retransmit,
    now_ms: u64,
    out: *mut u8,
    out_cap: usize,
    send_len: *mut usize,
    deadline: *mut u64,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (r, out, len, dl) = unsafe {
            (
                boundary::get_mut(retransmit)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(send_len)?,
                boundary::output(deadline)?,
            )
        };
        match r.poll(now_ms) {
            Ok(Poll::Retransmit { flight, deadline }) => {
                dl.write(deadline);
                copy_out(flight, out, len)
            }
            Ok(Poll::Wait { deadline }) => {
                dl.write(deadline);
                len.write(0);
                Ok(())
            }
            Ok(Poll::Idle) => {
                dl.write(IOMT_NO_DEADLINE);
                len.write(0);
                Ok(())
            }
            Err(e) => {
                dl.write(IOMT_NO_DEADLINE);
                len.write(0);
                Err(e.into())
            }
        }
    }
}
