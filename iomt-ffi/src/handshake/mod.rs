//! EDHOC (RFC 9528) for C: one [`iomt_handshake`] object for both roles, all four
//! methods, cipher suites 2 and 5, EAD pass-through, the exporter and KeyUpdate.
//!
//! This module is a skin over iomt-auth's storable state machine
//! ([`InitiatorState`] / [`ResponderState`]): each function checks its arguments,
//! calls the library and maps the result. No message is parsed and no state transition
//! is decided here.
//!
//! # Flow
//! ```text
//! initiator: init_initiator → write_message_1 → read_message_2 (verifies; EAD_2
//!            readable) → write_message_3 → [read_message_4] → COMPLETE
//! responder: init_responder → read_message_1 (EAD_1 readable) → write_message_2
//!            → read_message_3 (verifies; EAD_3 readable) → [write_message_4] → COMPLETE
//! ```
//!
//! # Invariants
//! - Calls in the wrong state (or for the other role) return `WRONG_STATE` and change
//!   nothing. Any other failure of a step moves the object to `FAILED`, where it stays:
//!   every later step returns `OBJECT_FAILED` (the error message to send is still
//!   available).
//! - Received messages are copied to the stack before in-place decryption (C inputs are
//!   `const`); the copy is zeroized before returning.
//! - Outgoing messages are written to a scratch buffer first: a short `out` never holds a
//!   partial message, `BUFFER_TOO_SMALL` reports the whole size, and the handshake is
//!   aborted (its ephemeral key cannot be reused).
//! - Secrets (ephemeral keys, PRKs) live only inside the object and zeroize on deinit.
//!   The object is bound to its address: a copy (`memcpy`, struct assignment) reads as
//!   `NOT_INITIALIZED`.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

mod access;
mod refusal;
mod steps;

pub(crate) use access::Ending;
pub use access::*;
pub use refusal::*;
pub use steps::*;

use iomt_auth::AuthError;
use iomt_auth::edhoc::{
    Completed, ConnId, Ead, EadItem, EadLabels, InitiatorConfig, InitiatorState, MAX_CONN_ID_LEN,
    MAX_EAD_LEN, Method, Phase, ResponderConfig, ResponderState,
};
use iomt_crypto::Digest;

use crate::boundary::{self, FfiResult, ffi_panic_boundary, storage_asserts};
use crate::crypto::Provider;
use crate::result::iomt_result;

/// Largest EDHOC message accepted from a peer (bytes).
pub const IOMT_MAX_MESSAGE_LEN: usize = 512;
/// Most EAD items passed in one call or read back from one message.
pub const IOMT_MAX_EAD_ITEMS: usize = 8;
/// Longest encoded EAD field of one message.
pub const IOMT_MAX_EAD_LEN: usize = 96;
/// Longest connection identifier (C_I, C_R).
pub const IOMT_MAX_CONN_ID_LEN: usize = 7;
/// Most EAD labels a side can register as understood.
pub const IOMT_MAX_EAD_LABELS: usize = 4;

// The header needs literal values: keep them equal to the library's constants.
const _: () = {
    assert!(IOMT_MAX_EAD_LEN == MAX_EAD_LEN);
    assert!(IOMT_MAX_CONN_ID_LEN == MAX_CONN_ID_LEN);
    assert!(IOMT_MAX_EAD_LABELS == iomt_auth::edhoc::MAX_EAD_LABELS);
};

/// One EAD item (RFC 9528 §3.8). A negative label is critical. `value == NULL` means
/// the item has no value; otherwise `value[0..value_len]` is its byte string.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_ead_item {
    /// The label (negative = critical; 0 = padding).
    pub label: i32,
    /// The value, or NULL.
    pub value: *const u8,
    /// Length of `value`.
    pub value_len: usize,
}

/// The state of a handshake object (iomt-auth's `Phase`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum iomt_handshake_state {
    /// Initiator: call `write_message_1`. Responder: call `read_message_1`.
    Start = 0,
    /// Initiator: message_1 sent; call `read_message_2`.
    WaitMessage2 = 1,
    /// Initiator: message_2 verified (EAD_2 readable); call `write_message_3`.
    Message2Verified = 2,
    /// Initiator: message_3 sent; call `read_message_4`.
    WaitMessage4 = 3,
    /// Responder: message_1 accepted (EAD_1 readable); call `write_message_2`.
    Message1Received = 4,
    /// Responder: message_2 sent; call `read_message_3`.
    WaitMessage3 = 5,
    /// Responder: message_3 verified (EAD_3 readable); call `write_message_4`.
    Message3Verified = 6,
    /// Complete: export keys, start a session.
    Complete = 7,
    /// Failed (stays failed); send the error message, then deinit.
    Failed = 8,
}

impl From<Phase> for iomt_handshake_state {
    fn from(p: Phase) -> Self {
        match p {
            Phase::Start => Self::Start,
            Phase::WaitMessage2 => Self::WaitMessage2,
            Phase::Message2Verified => Self::Message2Verified,
            Phase::WaitMessage4 => Self::WaitMessage4,
            Phase::Message1Received => Self::Message1Received,
            Phase::WaitMessage3 => Self::WaitMessage3,
            Phase::Message3Verified => Self::Message3Verified,
            Phase::Complete => Self::Complete,
            Phase::Failed => Self::Failed,
        }
    }
}

/// Initiator configuration (copied at init).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_initiator_config {
    /// Method 0–3 (0: signature/signature … 3: static DH/static DH; 0–2 need the
    /// `signature-methods` feature, on by default).
    pub method: u8,
    /// Non-zero if message_4 is expected.
    pub expect_message_4: u8,
    /// Cipher suites in order of preference (2 and 5 are implemented), at most 4.
    pub suites: *const u8,
    /// Number of suites.
    pub suites_len: usize,
    /// C_I bytes (at most `IOMT_MAX_CONN_ID_LEN`).
    pub c_i: *const u8,
    /// Length of C_I.
    pub c_i_len: usize,
    /// EAD labels (absolute values) the application understands; may be NULL/0.
    pub ead_labels: *const u16,
    /// Number of EAD labels (at most `IOMT_MAX_EAD_LABELS`).
    pub ead_labels_len: usize,
}

/// Responder configuration (copied at init).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_responder_config {
    /// Accepted methods as a bit mask: bit n = method n (0x0F = all four).
    pub methods: u8,
    /// Non-zero if message_4 is sent.
    pub send_message_4: u8,
    /// Supported cipher suites (SUITES_R; 2 and/or 5), at most 4.
    pub suites: *const u8,
    /// Number of suites.
    pub suites_len: usize,
    /// C_R bytes (at most `IOMT_MAX_CONN_ID_LEN`).
    pub c_r: *const u8,
    /// Length of C_R.
    pub c_r_len: usize,
    /// EAD labels (absolute values) the application understands; may be NULL/0.
    pub ead_labels: *const u16,
    /// Number of EAD labels.
    pub ead_labels_len: usize,
}

/// A handshake's role and its iomt-auth state machine.
pub(crate) enum Role {
    Initiator(InitiatorState<Provider>),
    Responder(ResponderState<Provider>),
}

/// The handshake object behind [`iomt_handshake`].
pub(crate) struct HandshakeObj {
    pub(crate) role: Role,
    /// Whether the operator factor of this handshake was already checked (once only).
    pub(crate) factor_checked: bool,
}

impl HandshakeObj {
    fn phase(&self) -> Phase {
        match &self.role {
            Role::Initiator(s) => s.phase(),
            Role::Responder(s) => s.phase(),
        }
    }

    /// `OBJECT_FAILED` once failed (every later step), otherwise Ok.
    fn check_live(&self) -> FfiResult {
        match self.phase() {
            Phase::Failed => Err(iomt_result::ObjectFailed),
            _ => Ok(()),
        }
    }

    pub(crate) fn completed_mut(&mut self) -> Result<&mut Completed, iomt_result> {
        self.check_live()?;
        match &mut self.role {
            Role::Initiator(s) => s.completed(),
            Role::Responder(s) => s.completed(),
        }
        .ok_or(iomt_result::WrongState)
    }

    pub(crate) fn received_ead(&self) -> Ead<'_> {
        match &self.role {
            Role::Initiator(s) => s.received_ead(),
            Role::Responder(s) => s.received_ead(),
        }
    }

    pub(crate) fn th_3(&self) -> Option<&Digest> {
        match &self.role {
            Role::Initiator(s) => s.th_3(),
            Role::Responder(s) => s.th_3(),
        }
    }

    pub(crate) const fn error(&self) -> Option<AuthError> {
        match &self.role {
            Role::Initiator(s) => s.error(),
            Role::Responder(s) => s.error(),
        }
    }

    fn abort(&mut self, reason: AuthError) {
        match &mut self.role {
            Role::Initiator(s) => s.abort(reason),
            Role::Responder(s) => s.abort(reason),
        }
    }

    fn error_message(&self, out: &mut [u8]) -> Result<Option<usize>, AuthError> {
        match &self.role {
            Role::Initiator(s) => s.error_message(out),
            Role::Responder(s) => s.error_message(out),
        }
    }

    pub(crate) const fn is_initiator(&self) -> bool {
        matches!(self.role, Role::Initiator(_))
    }
}

/// Size of [`iomt_handshake`] storage in bytes.
pub const IOMT_HANDSHAKE_SIZE: usize = 512;
/// Alignment of [`iomt_handshake`] storage.
pub const IOMT_HANDSHAKE_ALIGN: usize = 8;

/// An EDHOC handshake, initiator or responder (chosen at init). Never copy it: a copy
/// reads as not initialised.
#[repr(C, align(8))]
pub struct iomt_handshake {
    _opaque: [u8; IOMT_HANDSHAKE_SIZE],
}

storage_asserts!(
    iomt_handshake,
    HandshakeObj,
    IOMT_HANDSHAKE_SIZE,
    IOMT_HANDSHAKE_ALIGN,
    0x696f_6d74_4853_4b45
);

fn labels(ptr: *const u16, len: usize) -> Result<EadLabels, iomt_result> {
    // SAFETY: the exported init functions forward their caller's contract.
    let l = unsafe { boundary::array(ptr, len) }?;
    EadLabels::new(l).map_err(Into::into)
}

fn conn_id(ptr: *const u8, len: usize) -> Result<ConnId, iomt_result> {
    // SAFETY: the exported init functions forward their caller's contract.
    let b = unsafe { boundary::slice(ptr, len) }?;
    ConnId::new(b).map_err(Into::into)
}

/// Initializes `handshake` as an EDHOC initiator (usually the device) from `config`
/// (copied; its buffers may be freed after).
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`; `INVALID_ARGUMENT` for a method above 3;
/// `HANDSHAKE_INVALID_CONFIG` (no implemented suite, too many suites or labels);
/// `HANDSHAKE_METHOD_NOT_BUILT` (methods 0–2 in a library built without
/// `signature-methods`); `HANDSHAKE_CONNECTION_ID_TOO_LONG`.
///
/// # Safety
/// `handshake` must point to writable `iomt_handshake` storage, `config` to a valid
/// configuration whose buffers are valid for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_init_initiator(
    handshake: *mut iomt_handshake,
    config: *const iomt_initiator_config,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let cfg = unsafe { boundary::input(config) }?;
        let method = Method::from_id(i64::from(cfg.method)).ok_or(iomt_result::InvalidArgument)?;
        // SAFETY: forwarded contract.
        let suites = unsafe { boundary::slice(cfg.suites, cfg.suites_len) }?;
        let state = InitiatorState::new(&InitiatorConfig {
            method,
            suites,
            c_i: conn_id(cfg.c_i, cfg.c_i_len)?,
            expect_message_4: cfg.expect_message_4 != 0,
            ead_labels: labels(cfg.ead_labels, cfg.ead_labels_len)?,
        })?;
        let value = HandshakeObj { role: Role::Initiator(state), factor_checked: false };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(handshake, value) }
    }
}

/// Initializes `handshake` as an EDHOC responder (usually the gateway) from `config`
/// (copied).
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`; `INVALID_ARGUMENT` for an empty or unknown
/// method mask; `HANDSHAKE_INVALID_CONFIG`; `HANDSHAKE_METHOD_NOT_BUILT` (the mask names
/// a method this library was built without); `HANDSHAKE_CONNECTION_ID_TOO_LONG`.
///
/// # Safety
/// `handshake` must point to writable `iomt_handshake` storage, `config` to a valid
/// configuration whose buffers are valid for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_init_responder(
    handshake: *mut iomt_handshake,
    config: *const iomt_responder_config,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let cfg = unsafe { boundary::input(config) }?;
        if cfg.methods == 0 || cfg.methods & !0x0F != 0 {
            return Err(iomt_result::InvalidArgument);
        }
        let mut methods = [Method::SigSig; 4];
        let mut n = 0usize;
        for m in Method::ALL {
            if cfg.methods & m.bit() != 0
                && let Some(slot) = methods.get_mut(n)
            {
                *slot = m;
                n = n.saturating_add(1);
            }
        }
        // SAFETY: forwarded contract.
        let suites = unsafe { boundary::slice(cfg.suites, cfg.suites_len) }?;
        let state = ResponderState::new(&ResponderConfig {
            suites,
            methods: methods.get(..n).unwrap_or(&[]),
            c_r: conn_id(cfg.c_r, cfg.c_r_len)?,
            send_message_4: cfg.send_message_4 != 0,
            ead_labels: labels(cfg.ead_labels, cfg.ead_labels_len)?,
        })?;
        let value = HandshakeObj { role: Role::Responder(state), factor_checked: false };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(handshake, value) }
    }
}

/// Deinitializes the handshake: every secret and the storage are zeroized. NULL and
/// repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL pointer must point to the handshake's storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_deinit(handshake: *mut iomt_handshake) -> iomt_result {
    // SAFETY: forwarded contract.
    ffi_panic_boundary! { unsafe { boundary::deinit(handshake) } }
}

/// The live handshake object behind `ptr` (for the session, authz, factor and audit
/// modules).
///
/// # Safety
/// As the exported functions: a valid, exclusive pointer to live storage.
pub(crate) unsafe fn object<'a>(
    ptr: *mut iomt_handshake,
) -> Result<&'a mut HandshakeObj, iomt_result> {
    // SAFETY: forwarded contract.
    unsafe { boundary::get_mut(ptr) }
}

/// The completed handshake behind `ptr` and whether this side is the initiator.
///
/// # Errors
/// `WRONG_STATE` before completion, `OBJECT_FAILED`.
///
/// # Safety
/// As the exported functions: a valid, exclusive pointer to live storage.
pub(crate) unsafe fn completed<'a>(
    ptr: *mut iomt_handshake,
) -> Result<(&'a mut Completed, bool), iomt_result> {
    // SAFETY: forwarded contract.
    let obj = unsafe { object(ptr) }?;
    let initiator = obj.is_initiator();
    Ok((obj.completed_mut()?, initiator))
}

/// Converts outgoing C EAD items (see `steps`).
pub(crate) const NO_EAD: EadItem<'static> = EadItem {
    label: 0,
    value: None,
};
