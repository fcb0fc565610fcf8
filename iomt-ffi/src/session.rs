//! Encrypted, consent-bound frames for C: [`iomt_session`] over `iomt_proto::Channel`.
//!
//! # Invariants
//! - A session is created only from a completed handshake; its per-direction keys come
//!   from EDHOC_Exporter (labels 32768/32769), with the suite's AEAD.
//! - One session per handshake and key epoch (`Completed::channel_secrets` in
//!   iomt-auth refuses a second derivation), and a session is bound to its storage
//!   address, so no caller — careless or hostile — can make two sessions seal with the
//!   same key and nonce, or bring back a session's keys with an empty replay window.
//! - The library guarantees no nonce reuse and that forged frames change nothing but
//!   the failure counter; after a close frame or a limit the session is closed and every
//!   seal/open returns `SESSION_CLOSED` (a closed session stays closed).
//! - `iomt_session_open` decrypts in place: `opened->payload` points into the caller's
//!   frame buffer, `opened->consent_tag` into the session; both stay valid until the
//!   next call on the session (or until the frame buffer is reused).
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use iomt_proto::{Channel, CloseReason, FrameType, ProtoError, Side};

use crate::boundary::{self, ffi_panic_boundary, storage_asserts};
use crate::crypto::iomt_crypto;
use crate::handshake::iomt_handshake;
use crate::result::iomt_result;

/// "No consent slot" for `iomt_session_seal` and in `iomt_opened::consent_slot`.
pub const IOMT_NO_CONSENT_SLOT: u8 = 0xFF;
/// Close reasons (`iomt_session_close`; the one payload byte of an opened close frame,
/// `iomt_opened::payload[0]`): orderly shutdown.
pub const IOMT_CLOSE_REASON_NORMAL: u8 = 0;
/// Close reason: the device is powering down or rebooting.
pub const IOMT_CLOSE_REASON_SHUTDOWN: u8 = 1;
/// Close reason: the sender hit an internal error.
pub const IOMT_CLOSE_REASON_INTERNAL_ERROR: u8 = 2;
/// Close reason: the sender's policy (RBAC, consent) rejected the peer.
pub const IOMT_CLOSE_REASON_POLICY_VIOLATION: u8 = 3;
/// Close reason: too many failed decryptions.
pub const IOMT_CLOSE_REASON_FORGERY_LIMIT: u8 = 4;
/// Close reason: key epochs exhausted; run a new handshake.
pub const IOMT_CLOSE_REASON_KEYS_EXHAUSTED: u8 = 5;
/// Close reason: the peer sent something invalid.
pub const IOMT_CLOSE_REASON_PROTOCOL_ERROR: u8 = 6;
/// Close reason: the consent the session's data is bound to was withdrawn or superseded
/// by the consent authority (or refused). A device stops sending under that tag and
/// needs a current authority-issued tag in a new session (docs/PROTOCOL.md §8).
pub const IOMT_CLOSE_REASON_CONSENT_REQUIRED: u8 = 7;

const _: () = {
    assert!(IOMT_CLOSE_REASON_NORMAL == CloseReason::Normal.code());
    assert!(IOMT_CLOSE_REASON_SHUTDOWN == CloseReason::Shutdown.code());
    assert!(IOMT_CLOSE_REASON_INTERNAL_ERROR == CloseReason::InternalError.code());
    assert!(IOMT_CLOSE_REASON_POLICY_VIOLATION == CloseReason::PolicyViolation.code());
    assert!(IOMT_CLOSE_REASON_FORGERY_LIMIT == CloseReason::ForgeryLimit.code());
    assert!(IOMT_CLOSE_REASON_KEYS_EXHAUSTED == CloseReason::KeysExhausted.code());
    assert!(IOMT_CLOSE_REASON_PROTOCOL_ERROR == CloseReason::ProtocolError.code());
    assert!(IOMT_CLOSE_REASON_CONSENT_REQUIRED == CloseReason::ConsentRequired.code());
};

/// Consent slots per session (initiator installs even ones, responder odd ones).
pub const IOMT_CONSENT_SLOTS: u8 = 4;
/// Largest payload of one frame.
pub const IOMT_MAX_PAYLOAD_LEN: usize = 1024;
/// Largest frame (header + payload + tag): a buffer this size always suffices.
pub const IOMT_MAX_FRAME_LEN: usize = 1047;

// The header needs literal values: keep them equal to the library's constants.
const _: () = {
    assert!(IOMT_MAX_PAYLOAD_LEN == iomt_proto::MAX_PAYLOAD_LEN);
    assert!(IOMT_MAX_FRAME_LEN == iomt_proto::MAX_FRAME_LEN);
};

/// The channel type behind every session: replay window 64, 4 consent slots.
type SessionChannel = Channel<64, { IOMT_CONSENT_SLOTS as usize }>;

/// The object behind [`iomt_session`]: the channel and the last frame it rejected (for
/// `iomt_audit_log_record_frame_rejection`, which records it with the library's code).
pub(crate) struct SessionObj {
    pub(crate) ch: SessionChannel,
    pub(crate) last_rejection: Option<ProtoError>,
}

impl core::ops::Deref for SessionObj {
    type Target = SessionChannel;
    fn deref(&self) -> &SessionChannel {
        &self.ch
    }
}

impl core::ops::DerefMut for SessionObj {
    fn deref_mut(&mut self) -> &mut SessionChannel {
        &mut self.ch
    }
}

/// Whether `e` is a rejected frame (malformed, not acceptable now, forged, or with
/// invalid content) — what the audit log records as `ReplayOrForgery`.
const fn is_frame_rejection(e: ProtoError) -> bool {
    matches!(
        e,
        ProtoError::Malformed(_)
            | ProtoError::Rejected(_)
            | ProtoError::AuthenticationFailed
            | ProtoError::PeerMisbehaved(_)
    )
}

/// Size of [`iomt_session`] storage in bytes.
pub const IOMT_SESSION_SIZE: usize = 1280;
/// Alignment of [`iomt_session`] storage: 16, ABI headroom. The session value itself
/// needs 8 today (its replay windows are a `u64` bitmap + `u32` each; a const assert in
/// iomt-ffi checks that no field needs 16), so a future 16-aligned field (`u128` is
/// 16-aligned on x86-64) needs no ABI change.
pub const IOMT_SESSION_ALIGN: usize = 16;

/// An established session (one per peer).
#[repr(C, align(16))]
pub struct iomt_session {
    _opaque: [u8; IOMT_SESSION_SIZE],
}

storage_asserts!(
    iomt_session,
    SessionObj,
    IOMT_SESSION_SIZE,
    IOMT_SESSION_ALIGN,
    0x696f_6d74_5345_5353
);

// The documented reason for IOMT_SESSION_ALIGN (headroom, not a current need): if a
// field needing 16 appears, update the doc comment above and iomt-ffi/README.md.
const _: () = assert!(
    align_of::<SessionObj>() <= 8,
    "the session now needs 16-byte alignment: update IOMT_SESSION_ALIGN's documented reason"
);

/// The kind of an opened frame.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum iomt_frame_type {
    /// Application data (e.g. an `iomt_vitals_encode` payload).
    Data = 0,
    /// A consent tag was installed in `consent_slot` (the payload is the encoded tag).
    Consent = 1,
    /// The peer closed the session (the payload is the one-byte close reason); the
    /// session is now closed.
    Close = 2,
}

/// An authenticated, decrypted frame.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_opened {
    /// The frame type.
    pub frame_type: iomt_frame_type,
    /// The consent slot the frame is bound to, or `IOMT_NO_CONSENT_SLOT`.
    pub consent_slot: u8,
    /// The sender's key epoch.
    pub epoch: u32,
    /// The sender's sequence number.
    pub seq: u64,
    /// The plaintext (inside the caller's frame buffer).
    pub payload: *const u8,
    /// Length of `payload`.
    pub payload_len: usize,
    /// The encoded consent tag that governs this frame (authenticated with it), or NULL.
    pub consent_tag: *const u8,
    /// Length of `consent_tag`.
    pub consent_tag_len: usize,
}

/// Counters of a session.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct iomt_session_info {
    /// Non-zero once closed.
    pub closed: u8,
    /// The AEAD tag length (8 for suite 2, 16 for suite 5).
    pub tag_len: u8,
    /// The connection id every frame carries: the handshake's C_R (same on both sides).
    pub conn_id: u8,
    /// Current send key epoch.
    pub send_epoch: u32,
    /// Next send sequence number.
    pub next_send_seq: u64,
    /// Current receive key epoch.
    pub recv_epoch: u32,
    /// Failed decryptions under the current receive key.
    pub recv_failed: u64,
}

/// Starts a session from a completed handshake (either role; the side is the
/// handshake's). The one-byte connection id carried in every frame is the handshake's
/// C_R (the responder's connection identifier, which both sides hold after message_2),
/// so both sides agree on it without sending it again.
///
/// One session per handshake and key epoch: a second call on the same handshake — into
/// other storage, or re-initialising this one — is refused with
/// `HANDSHAKE_CHANNEL_ALREADY_STARTED`, because it would have the same keys and nonces
/// (and, re-initialised, an empty replay window). After `iomt_handshake_key_update` with
/// the same context on both sides, one new session may be started. A session must never
/// be copied: a copy reads as `NOT_INITIALIZED`.
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`, `NOT_INITIALIZED`, `WRONG_STATE` if the
/// handshake is not complete, `OBJECT_FAILED`, `HANDSHAKE_CONNECTION_ID_NOT_ONE_BYTE` if
/// C_R is not one byte (configure responders with one-byte C_R values),
/// `HANDSHAKE_CHANNEL_ALREADY_STARTED`, `KEY_EXPORT`.
///
/// # Safety
/// `session` must point to writable `iomt_session` storage; the other pointers to live
/// objects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_init(
    session: *mut iomt_session,
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let ((completed, initiator), provider) =
            unsafe { (crate::handshake::completed(handshake)?, boundary::get_mut(crypto)?) };
        let side = if initiator { Side::Initiator } else { Side::Responder };
        let ch = SessionChannel::from_edhoc(provider, completed, side)?;
        // SAFETY: forwarded contract.
        unsafe { boundary::init(session, SessionObj { ch, last_rejection: None }) }
    }
}

/// The whole frame size for `payload_len` bytes (an upper bound: an automatic key update
/// before this frame can only shorten the header). Checked before sealing, so a short
/// buffer reports the size of the whole frame, not of the part that did not fit.
fn check_room(ch: &SessionChannel, payload_len: usize, out_cap: usize) -> Result<(), usize> {
    if ch.is_closed() || payload_len > IOMT_MAX_PAYLOAD_LEN {
        return Ok(()); // the channel reports these
    }
    let needed = payload_len.saturating_add(ch.overhead());
    if out_cap < needed {
        Err(needed)
    } else {
        Ok(())
    }
}

/// Reports a short buffer found by [`check_room`].
fn too_small(needed: usize, len: boundary::Out<usize>) -> boundary::FfiResult {
    len.write(needed);
    Err(iomt_result::BufferTooSmall)
}

fn slot_arg(slot: u8) -> Option<u8> {
    (slot != IOMT_NO_CONSENT_SLOT).then_some(slot)
}

/// Seals a data frame carrying `payload`, bound to consent slot `slot` (or
/// `IOMT_NO_CONSENT_SLOT`), into `out[0..out_cap]`; `*out_len` receives the frame length
/// (or, with `BUFFER_TOO_SMALL`, the size needed). The send key is ratcheted by itself
/// when its encryption limit is reached.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL`, `PAYLOAD_TOO_LARGE`,
/// `INVALID_SLOT`, `SESSION_CLOSED`, `SESSION_LIMIT_REACHED`.
///
/// # Safety
/// Every pointer must be valid as described; `out` must not overlap `payload`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_seal(
    session: *mut iomt_session,
    crypto: *mut iomt_crypto,
    slot: u8,
    payload: *const u8,
    payload_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (ch, provider, payload, out, len) = unsafe {
            (
                boundary::get_mut(session)?,
                boundary::get_mut(crypto)?,
                boundary::slice(payload, payload_len)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        if let Err(needed) = check_room(ch, payload.len(), out.len()) {
            return too_small(needed, len);
        }
        boundary::written(ch.seal_data(provider, slot_arg(slot), payload, out), len)
    }
}

/// Installs the encoded consent tag `tag` in `slot` (this side's: even for the
/// initiator, odd for the responder) and seals the consent frame that installs it on
/// the peer. Send it before data frames that name the slot.
///
/// # Errors
/// As `iomt_session_seal`, plus `INVALID_CONSENT_TAG`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_send_consent(
    session: *mut iomt_session,
    crypto: *mut iomt_crypto,
    slot: u8,
    tag: *const u8,
    tag_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (ch, provider, tag, out, len) = unsafe {
            (
                boundary::get_mut(session)?,
                boundary::get_mut(crypto)?,
                boundary::slice(tag, tag_len)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        if let Err(needed) = check_room(ch, tag.len(), out.len()) {
            return too_small(needed, len);
        }
        boundary::written(ch.send_consent(provider, slot, tag, out), len)
    }
}

/// Authenticates and decrypts `frame[0..frame_len]` in place and describes it in
/// `*opened`. A forged or corrupted frame fails with `FRAME_AUTHENTICATION_FAILED` and
/// changes nothing but the failure counter (the session goes on).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `FRAME_*` (rejected, nothing changed),
/// `SESSION_LIMIT_REACHED` (forgery limit: now closed), `SESSION_CLOSED`.
///
/// # Safety
/// Every pointer must be valid as described; `frame` is modified.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_open(
    session: *mut iomt_session,
    crypto: *mut iomt_crypto,
    frame: *mut u8,
    frame_len: usize,
    opened: *mut iomt_opened,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, frame_buf, out) = unsafe {
            (
                boundary::get_mut(session)?,
                boundary::get_mut(crypto)?,
                boundary::slice_mut(frame, frame_len)?,
                boundary::output(opened)?,
            )
        };
        if frame.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let o = match obj.ch.open(provider, frame_buf) {
            Ok(o) => o,
            Err(e) => {
                if is_frame_rejection(e) {
                    obj.last_rejection = Some(e);
                }
                return Err(e.into());
            }
        };
        let frame_type = match o.frame_type {
            FrameType::Data => iomt_frame_type::Data,
            FrameType::Consent => iomt_frame_type::Consent,
            FrameType::Close => iomt_frame_type::Close,
            FrameType::Unknown(_) => return Err(iomt_result::FramePeerMisbehaved),
        };
        let (slot, tag) = o
            .consent
            .map_or((IOMT_NO_CONSENT_SLOT, &[][..]), |c| (c.slot, c.encoded));
        out.write(iomt_opened {
            frame_type,
            consent_slot: slot,
            epoch: o.epoch,
            seq: u64::from(o.seq),
            payload: o.payload.as_ptr(),
            payload_len: o.payload.len(),
            consent_tag: if tag.is_empty() {
                core::ptr::null()
            } else {
                tag.as_ptr()
            },
            consent_tag_len: tag.len(),
        });
        Ok(())
    }
}

/// Ratchets this side's send key now (forward secrecy; the peer follows by itself).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `SESSION_CLOSED`, `SESSION_LIMIT_REACHED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_update_send_key(
    session: *mut iomt_session,
    crypto: *mut iomt_crypto,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (ch, provider) = unsafe { (boundary::get_mut(session)?, boundary::get_mut(crypto)?) };
        ch.update_send_key(provider).map_err(Into::into)
    }
}

/// Seals a close frame with `reason` (0 normal, 1 shutdown, 2 internal error, 3 policy
/// violation, …) and closes the session.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `INVALID_ARGUMENT` (unknown reason),
/// `BUFFER_TOO_SMALL`, `SESSION_CLOSED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_close(
    session: *mut iomt_session,
    crypto: *mut iomt_crypto,
    reason: u8,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (ch, provider, out, len) = unsafe {
            (
                boundary::get_mut(session)?,
                boundary::get_mut(crypto)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let reason = CloseReason::from_code(reason).map_err(|_| iomt_result::InvalidArgument)?;
        if let Err(needed) = check_room(ch, 1, out.len()) {
            return too_small(needed, len);
        }
        boundary::written(ch.close(provider, reason, out), len)
    }
}

/// Writes the session's counters into `*info`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_get_info(
    session: *const iomt_session,
    info: *mut iomt_session_info,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (ch, out) = unsafe { (boundary::get(session)?, boundary::output(info)?) };
        let s = ch.stats();
        out.write(iomt_session_info {
            closed: u8::from(ch.is_closed()),
            tag_len: u8::try_from(ch.algorithm().tag_len()).unwrap_or(u8::MAX),
            conn_id: ch.conn_id(),
            send_epoch: s.send_epoch,
            next_send_seq: u64::from(s.next_send_seq),
            recv_epoch: s.recv_epoch,
            recv_failed: u64::from(s.recv_failed),
        });
        Ok(())
    }
}

/// Deinitializes the session: keys and storage are zeroized. NULL and repeated calls are
/// fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `session` must point to `iomt_session` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_deinit(session: *mut iomt_session) -> iomt_result {
    // SAFETY: forwarded contract.
    ffi_panic_boundary! { unsafe { boundary::deinit(session) } }
}
