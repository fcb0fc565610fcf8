//! EDHOC (RFC 9528) for C: [`iomt_initiator`] and [`iomt_responder`], all four methods,
//! cipher suites 2 and 5, EAD pass-through, the exporter and KeyUpdate.
//!
//! # Flow
//! ```text
//! initiator: write_message_1 → read_message_2 (verifies; EAD_2 readable)
//!            → write_message_3 → [read_message_4] → COMPLETE
//! responder: read_message_1 (EAD_1 readable) → write_message_2
//!            → read_message_3 (verifies; EAD_3 readable) → [write_message_4] → COMPLETE
//! ```
//!
//! # Invariants
//! - Calls in the wrong state return `WRONG_STATE` and change nothing. Any other failure
//!   of a step moves the object to `FAILED`, where it stays: every later step returns
//!   `OBJECT_FAILED` (the error message to send is still available).
//! - Received messages are copied to the stack before in-place decryption, so C inputs
//!   are `const`; the received EAD of the last message is copied into the object and
//!   exposed only after that message authenticated (EAD_1 has no authentication).
//! - Secrets (ephemeral keys, PRKs) live only inside the object and zeroize on deinit.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use core::mem;

use iomt_auth::AuthError;
use iomt_auth::cbor::{Decoder, Major};
use iomt_auth::edhoc::{
    AfterMessage3, Completed, ConnId, EadItem, EadLabels, ErrInfo, ErrorMessage, Initiator,
    InitiatorConfig, InitiatorProcessedM2, InitiatorWaitM2, InitiatorWaitM4, MAX_CONN_ID_LEN,
    MAX_EAD_LEN, Method, Responder, ResponderConfig, ResponderProcessedM3, ResponderWaitM3,
    write_error_message,
};
use iomt_auth::factor::{FactorError, FactorTag};

use crate::boundary::{self, FfiResult, Out, ffi_panic_boundary, storage_asserts};
use crate::crypto::{Bytes, Provider, iomt_credential, iomt_crypto, iomt_trust_store};
use crate::result::iomt_result;
use zeroize::Zeroize;

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
/// Largest message_1 a responder keeps between `read_message_1` and `write_message_2`.
const MAX_MESSAGE_1_LEN: usize = 192;

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

/// The state of a handshake object.
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

/// The received EAD field of the last message (validated by the library).
#[derive(Clone, Copy)]
struct EadBuf {
    raw: [u8; MAX_EAD_LEN],
    len: usize,
}

impl EadBuf {
    const EMPTY: Self = Self {
        raw: [0; MAX_EAD_LEN],
        len: 0,
    };

    fn set(&mut self, raw: &[u8]) -> Result<(), AuthError> {
        let dst = self
            .raw
            .get_mut(..raw.len())
            .ok_or(AuthError::PeerMisbehaved(
                iomt_auth::error::PeerMisbehaved::TooLarge,
            ))?;
        dst.copy_from_slice(raw);
        self.len = raw.len();
        Ok(())
    }

    /// Item `index` (padding excluded): label and optional value.
    fn item(&self, index: usize) -> Option<(i32, Option<&[u8]>)> {
        let mut d = Decoder::new(self.raw.get(..self.len)?);
        let mut seen = 0usize;
        while !d.is_empty() {
            let label = i32::try_from(d.int().ok()?).ok()?;
            let value = if d.peek_major().ok() == Some(Major::Bstr) {
                Some(d.bstr().ok()?)
            } else {
                None
            };
            if label != 0 {
                if seen == index {
                    return Some((label, value));
                }
                seen = seen.saturating_add(1);
            }
        }
        None
    }
}

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

const NO_EAD: EadItem<'static> = EadItem {
    label: 0,
    value: None,
};

/// Copies a received message to a stack buffer (for in-place decryption).
fn copy_message(msg: &[u8], buf: &mut [u8; IOMT_MAX_MESSAGE_LEN]) -> Result<usize, AuthError> {
    buf.get_mut(..msg.len())
        .ok_or(AuthError::PeerMisbehaved(
            iomt_auth::error::PeerMisbehaved::TooLarge,
        ))?
        .copy_from_slice(msg);
    Ok(msg.len())
}

/// Writes an outgoing message through a scratch buffer that always suffices, then copies
/// it to `out`: a short `out` never holds a partial message, and the size reported with
/// `BUFFER_TOO_SMALL` is the whole message (the next state is dropped: the handshake
/// object fails, as its ephemeral key cannot be reused).
fn via_scratch<T>(
    out: &mut [u8],
    produce: impl FnOnce(&mut [u8]) -> Result<(T, usize), AuthError>,
) -> Result<(T, usize), AuthError> {
    let mut scratch = [0u8; IOMT_MAX_MESSAGE_LEN];
    let (next, n) = produce(&mut scratch)?;
    let msg = scratch.get(..n).unwrap_or(&[]);
    let dst = out
        .get_mut(..n)
        .ok_or(AuthError::BufferTooSmall { needed: n })?;
    dst.copy_from_slice(msg);
    Ok((next, n))
}

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

/// Writes the EDHOC error message answering `err` (`None` when nothing must be sent).
fn error_reply(
    err: Option<&AuthError>,
    responder: Option<&Responder<Provider>>,
    out: &mut [u8],
) -> Result<usize, AuthError> {
    let Some(err) = err else { return Ok(0) };
    if let Some(r) = responder {
        return r.error_message(err, out).map(|n| n.unwrap_or(0));
    }
    let Some(code) = err.wire_err_code() else {
        return Ok(0);
    };
    let info = match code {
        3 => ErrInfo::True,
        _ => ErrInfo::Text(err.diagnostic()),
    };
    write_error_message(code, info, out)
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

// ---------------------------------------------------------------------------------------
// Shared behaviour of both roles.

/// What both handshake objects share: the completed session, the last received EAD and
/// the error that failed them.
pub(crate) trait Handshake {
    fn state(&self) -> iomt_handshake_state;
    fn completed_mut(&mut self) -> Option<&mut Completed>;
    fn received_ead(&self) -> &EadBufHandle;
    fn error_message(&self, out: &mut [u8]) -> Result<usize, AuthError>;
    fn peer_error(&self) -> Option<i32>;
}

/// Opaque wrapper so the trait can name the buffer type.
pub(crate) struct EadBufHandle(EadBuf);

fn completed_of<H: Handshake>(h: &mut H) -> Result<&mut Completed, iomt_result> {
    match h.state() {
        iomt_handshake_state::Complete => h.completed_mut().ok_or(iomt_result::WrongState),
        iomt_handshake_state::Failed => Err(iomt_result::ObjectFailed),
        _ => Err(iomt_result::WrongState),
    }
}

fn get_state<H: Handshake>(h: &H, out: Out<iomt_handshake_state>) -> FfiResult {
    out.write(h.state());
    Ok(())
}

fn get_ead_item<H: Handshake>(h: &H, index: usize, out: Out<iomt_ead_item>) -> FfiResult {
    let (label, value) = h
        .received_ead()
        .0
        .item(index)
        .ok_or(iomt_result::NotFound)?;
    out.write(iomt_ead_item {
        label,
        value: value.map_or(core::ptr::null(), <[u8]>::as_ptr),
        value_len: value.map_or(0, <[u8]>::len),
    });
    Ok(())
}

fn export<H: Handshake>(
    h: &mut H,
    crypto: &mut Provider,
    label: u16,
    context: &[u8],
    out: &mut [u8],
) -> FfiResult {
    let c = completed_of(h)?;
    c.exporter(crypto, label, context, out).map_err(Into::into)
}

fn key_update<H: Handshake>(h: &mut H, crypto: &mut Provider, context: &[u8]) -> FfiResult {
    let c = completed_of(h)?;
    c.key_update(crypto, context).map_err(Into::into)
}

fn get_peer<H: Handshake>(h: &mut H, out: Out<iomt_peer_info>) -> FfiResult {
    let c = completed_of(h)?;
    out.write(peer_info(c));
    Ok(())
}

/// Longest EDHOC error message we write (ERR_CODE, a diagnostic text or SUITES_R).
const ERROR_MESSAGE_SCRATCH: usize = 256;

fn get_error_message<H: Handshake>(h: &H, out: &mut [u8], len: Out<usize>) -> FfiResult {
    // Encode into scratch first: the CBOR encoder would leave a partial message in `out`
    // and report only the size of the item that did not fit (found by fuzzing).
    // Outputs are written only on success, and `BUFFER_TOO_SMALL` reports the whole size.
    let mut scratch = [0u8; ERROR_MESSAGE_SCRATCH];
    let n = match h.error_message(&mut scratch) {
        Ok(n) => n,
        Err(e) => return boundary::written(Err(e), len),
    };
    let msg = scratch.get(..n).unwrap_or(&[]);
    match out.get_mut(..n) {
        Some(dst) => {
            dst.copy_from_slice(msg);
            boundary::written::<AuthError>(Ok(n), len)
        }
        None => boundary::written(Err(AuthError::BufferTooSmall { needed: n }), len),
    }
}

fn get_peer_error<H: Handshake>(h: &H, out: Out<i32>) -> FfiResult {
    out.write(h.peer_error().ok_or(iomt_result::NotFound)?);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Initiator.

enum IState {
    Start(Initiator<Provider>),
    WaitM2(InitiatorWaitM2<Provider>),
    Verified(InitiatorProcessedM2<Provider>),
    WaitM4(InitiatorWaitM4<Provider>),
    Completed(Completed),
    Failed,
}

/// The initiator object.
pub(crate) struct InitiatorObj {
    state: IState,
    ead: EadBufHandle,
    error: Option<AuthError>,
}

impl InitiatorObj {
    fn fail(&mut self, e: AuthError) -> iomt_result {
        self.state = IState::Failed;
        self.error = Some(e);
        e.into()
    }

    /// Checks that the object is in a state `accept` takes (else `WRONG_STATE` /
    /// `OBJECT_FAILED` without any change).
    fn expect(&self, accept: fn(&IState) -> bool) -> FfiResult {
        if matches!(self.state, IState::Failed) {
            Err(iomt_result::ObjectFailed)
        } else if accept(&self.state) {
            Ok(())
        } else {
            Err(iomt_result::WrongState)
        }
    }
}

impl Handshake for InitiatorObj {
    fn state(&self) -> iomt_handshake_state {
        match self.state {
            IState::Start(_) => iomt_handshake_state::Start,
            IState::WaitM2(_) => iomt_handshake_state::WaitMessage2,
            IState::Verified(_) => iomt_handshake_state::Message2Verified,
            IState::WaitM4(_) => iomt_handshake_state::WaitMessage4,
            IState::Completed(_) => iomt_handshake_state::Complete,
            IState::Failed => iomt_handshake_state::Failed,
        }
    }
    fn completed_mut(&mut self) -> Option<&mut Completed> {
        match &mut self.state {
            IState::Completed(c) => Some(c),
            _ => None,
        }
    }
    fn received_ead(&self) -> &EadBufHandle {
        &self.ead
    }
    fn error_message(&self, out: &mut [u8]) -> Result<usize, AuthError> {
        error_reply(self.error.as_ref(), None, out)
    }
    fn peer_error(&self) -> Option<i32> {
        match self.error {
            Some(AuthError::PeerError { code }) => Some(code),
            _ => None,
        }
    }
}

/// Size of [`iomt_initiator`] storage in bytes.
pub const IOMT_INITIATOR_SIZE: usize = 512;
/// Alignment of [`iomt_initiator`] storage.
pub const IOMT_INITIATOR_ALIGN: usize = 8;

/// An EDHOC initiator (usually the device).
#[repr(C, align(8))]
pub struct iomt_initiator {
    _opaque: [u8; IOMT_INITIATOR_SIZE],
}

storage_asserts!(
    iomt_initiator,
    InitiatorObj,
    IOMT_INITIATOR_SIZE,
    IOMT_INITIATOR_ALIGN,
    0x696f_6d74_494e_4954
);

/// Initializes an initiator from `config` (copied; its buffers may be freed after).
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`; `INVALID_ARGUMENT` for a method above 3;
/// `HANDSHAKE_INVALID_CONFIG` (no implemented suite, too many suites or labels);
/// `HANDSHAKE_CONNECTION_ID_TOO_LONG`.
///
/// # Safety
/// `initiator` must point to writable `iomt_initiator` storage, `config` to a valid
/// configuration whose buffers are valid for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_init(
    initiator: *mut iomt_initiator,
    config: *const iomt_initiator_config,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let cfg = unsafe { boundary::input(config) }?;
        let method = Method::from_id(i64::from(cfg.method)).ok_or(iomt_result::InvalidArgument)?;
        // SAFETY: forwarded contract.
        let suites = unsafe { boundary::slice(cfg.suites, cfg.suites_len) }?;
        let init = Initiator::new(&InitiatorConfig {
            method,
            suites,
            c_i: conn_id(cfg.c_i, cfg.c_i_len)?,
            expect_message_4: cfg.expect_message_4 != 0,
            ead_labels: labels(cfg.ead_labels, cfg.ead_labels_len)?,
        })?;
        let value = InitiatorObj {
            state: IState::Start(init),
            ead: EadBufHandle(EadBuf::EMPTY),
            error: None,
        };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(initiator, value) }
    }
}

/// Writes message_1 (with EAD_1 items) into `out[0..out_cap]`; `*out_len` receives its
/// length (or, with `BUFFER_TOO_SMALL`, the size needed).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `BUFFER_TOO_SMALL`, `CAPACITY_EXCEEDED` (too many EAD items),
/// `HANDSHAKE_INVALID_EAD`, `CRYPTO_RNG`. Failures other than the argument checks fail
/// the object.
///
/// # Safety
/// Every pointer must be valid as described; `out` must not overlap anything else.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_write_message_1(
    initiator: *mut iomt_initiator,
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
                boundary::get_mut(initiator)?,
                boundary::get_mut(crypto)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut items = [NO_EAD; IOMT_MAX_EAD_ITEMS];
        // SAFETY: forwarded contract.
        let n_items = unsafe { ead_items(ead, ead_len, &mut items) }?;
        obj.expect(|s| matches!(s, IState::Start(_)))?;
        let IState::Start(init) = mem::replace(&mut obj.state, IState::Failed) else {
            return Err(iomt_result::WrongState);
        };
        let result = via_scratch(out, |buf| {
            init.prepare_message_1(provider, items.get(..n_items).unwrap_or(&[]), buf)
        });
        match result {
            Ok((next, n)) => {
                obj.state = IState::WaitM2(next);
                len.write(n);
                Ok(())
            }
            Err(e) => {
                if let Some(needed) = boundary::Needed::needed(e) {
                    len.write(needed);
                }
                Err(obj.fail(e))
            }
        }
    }
}

/// Reads message_2: decrypts it, resolves ID_CRED_R in `trust` and verifies the
/// responder. Afterwards EAD_2 is readable (`iomt_initiator_received_ead`).
///
/// If `message` is an EDHOC error with ERR_CODE 2 (the responder does not accept the
/// selected suite), the object returns to `START` with a suite the responder supports
/// and the call returns `HANDSHAKE_RETRY_SUITE`: write message_1 again.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `HANDSHAKE_RETRY_SUITE`, `HANDSHAKE_PEER_ERROR` (see `iomt_initiator_peer_error`),
/// `HANDSHAKE_UNKNOWN_CREDENTIAL`, `HANDSHAKE_AUTHENTICATION_FAILED`, `HANDSHAKE_MALFORMED`
/// and the other `HANDSHAKE_*` codes; all but the argument checks fail the object.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_read_message_2(
    initiator: *mut iomt_initiator,
    crypto: *mut iomt_crypto,
    trust: *const iomt_trust_store,
    message: *const u8,
    message_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, store, msg) = unsafe {
            (
                boundary::get_mut(initiator)?,
                boundary::get_mut(crypto)?,
                boundary::get(trust)?,
                boundary::slice(message, message_len)?,
            )
        };
        if message.is_null() {
            return Err(iomt_result::NullParameter);
        }
        obj.expect(|s| matches!(s, IState::WaitM2(_)))?;
        let IState::WaitM2(wait) = mem::replace(&mut obj.state, IState::Failed) else {
            return Err(iomt_result::WrongState);
        };
        if let Ok(ErrorMessage { code: 2, .. }) = ErrorMessage::parse(msg) {
            return match wait.retry_after_error(msg) {
                Ok(init) => {
                    obj.state = IState::Start(init);
                    Err(iomt_result::HandshakeRetrySuite)
                }
                Err(e) => Err(obj.fail(e)),
            };
        }
        let mut buf = [0u8; IOMT_MAX_MESSAGE_LEN];
        let result = copy_message(msg, &mut buf).and_then(|n| {
            let m = buf.get_mut(..n).unwrap_or(&mut []);
            let processing = wait.parse_message_2(provider, m)?;
            let ead_raw = processing.ead_2().raw();
            let mut ead = EadBuf::EMPTY;
            ead.set(ead_raw)?;
            let verified = processing.verify_with_store(provider, store)?;
            Ok((verified, ead))
        });
        // The decrypted plaintext (ID_CRED, EAD) must not stay on the stack.
        buf.zeroize();
        match result {
            Ok((verified, ead)) => {
                obj.state = IState::Verified(verified);
                obj.ead = EadBufHandle(ead);
                Ok(())
            }
            Err(e) => Err(obj.fail(e)),
        }
    }
}

/// Writes message_3 (authenticating with `credential`, carrying EAD_3 items). Without
/// message_4 the handshake is then complete.
///
/// # Errors
/// As `iomt_initiator_write_message_1`, plus `HANDSHAKE_INVALID_LOCAL_CREDENTIAL`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_write_message_3(
    initiator: *mut iomt_initiator,
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
                boundary::get_mut(initiator)?,
                boundary::get_mut(crypto)?,
                boundary::get(credential)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut items = [NO_EAD; IOMT_MAX_EAD_ITEMS];
        // SAFETY: forwarded contract.
        let n_items = unsafe { ead_items(ead, ead_len, &mut items) }?;
        obj.expect(|s| matches!(s, IState::Verified(_)))?;
        let IState::Verified(v) = mem::replace(&mut obj.state, IState::Failed) else {
            return Err(iomt_result::WrongState);
        };
        let result = via_scratch(out, |buf| {
            v.prepare_message_3(
                provider,
                &cred.local(),
                items.get(..n_items).unwrap_or(&[]),
                buf,
            )
        });
        match result {
            Ok((after, n)) => {
                obj.ead = EadBufHandle(EadBuf::EMPTY);
                obj.state = match after {
                    AfterMessage3::AwaitMessage4(w) => IState::WaitM4(w),
                    AfterMessage3::Completed(c) => IState::Completed(c),
                };
                len.write(n);
                Ok(())
            }
            Err(e) => {
                if let Some(needed) = boundary::Needed::needed(e) {
                    len.write(needed);
                }
                Err(obj.fail(e))
            }
        }
    }
}

/// Reads message_4 (when configured); the handshake is then complete and EAD_4 readable.
///
/// # Errors
/// As `iomt_initiator_read_message_2` (without the retry).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_read_message_4(
    initiator: *mut iomt_initiator,
    crypto: *mut iomt_crypto,
    message: *const u8,
    message_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, msg) = unsafe {
            (
                boundary::get_mut(initiator)?,
                boundary::get_mut(crypto)?,
                boundary::slice(message, message_len)?,
            )
        };
        if message.is_null() {
            return Err(iomt_result::NullParameter);
        }
        obj.expect(|s| matches!(s, IState::WaitM4(_)))?;
        let IState::WaitM4(w) = mem::replace(&mut obj.state, IState::Failed) else {
            return Err(iomt_result::WrongState);
        };
        let mut buf = [0u8; IOMT_MAX_MESSAGE_LEN];
        let result = copy_message(msg, &mut buf).and_then(|n| {
            let m = buf.get_mut(..n).unwrap_or(&mut []);
            let (done, ead_4) = w.process_message_4(provider, m)?;
            let mut ead = EadBuf::EMPTY;
            ead.set(ead_4.raw())?;
            Ok((done, ead))
        });
        // The decrypted plaintext (ID_CRED, EAD) must not stay on the stack.
        buf.zeroize();
        match result {
            Ok((done, ead)) => {
                obj.state = IState::Completed(done);
                obj.ead = EadBufHandle(ead);
                Ok(())
            }
            Err(e) => Err(obj.fail(e)),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Responder.

enum RState {
    Start,
    GotM1(Bytes<MAX_MESSAGE_1_LEN>),
    WaitM3(ResponderWaitM3<Provider>),
    Verified(ResponderProcessedM3<Provider>),
    Completed(Completed),
    Failed,
}

/// The responder object.
pub(crate) struct ResponderObj {
    responder: Responder<Provider>,
    state: RState,
    ead: EadBufHandle,
    error: Option<AuthError>,
    /// TH_3 once message_3 verified (the operator factor is a MAC over it).
    th_3: Option<[u8; 32]>,
    /// Whether the operator factor of this handshake was already checked (once only).
    factor_checked: bool,
}

impl ResponderObj {
    fn fail(&mut self, e: AuthError) -> iomt_result {
        self.state = RState::Failed;
        self.error = Some(e);
        e.into()
    }

    fn expect(&self, accept: fn(&RState) -> bool) -> FfiResult {
        if matches!(self.state, RState::Failed) {
            Err(iomt_result::ObjectFailed)
        } else if accept(&self.state) {
            Ok(())
        } else {
            Err(iomt_result::WrongState)
        }
    }
}

impl Handshake for ResponderObj {
    fn state(&self) -> iomt_handshake_state {
        match self.state {
            RState::Start => iomt_handshake_state::Start,
            RState::GotM1(_) => iomt_handshake_state::Message1Received,
            RState::WaitM3(_) => iomt_handshake_state::WaitMessage3,
            RState::Verified(_) => iomt_handshake_state::Message3Verified,
            RState::Completed(_) => iomt_handshake_state::Complete,
            RState::Failed => iomt_handshake_state::Failed,
        }
    }
    fn completed_mut(&mut self) -> Option<&mut Completed> {
        match &mut self.state {
            RState::Completed(c) => Some(c),
            _ => None,
        }
    }
    fn received_ead(&self) -> &EadBufHandle {
        &self.ead
    }
    fn error_message(&self, out: &mut [u8]) -> Result<usize, AuthError> {
        error_reply(self.error.as_ref(), Some(&self.responder), out)
    }
    fn peer_error(&self) -> Option<i32> {
        match self.error {
            Some(AuthError::PeerError { code }) => Some(code),
            _ => None,
        }
    }
}

/// Size of [`iomt_responder`] storage in bytes.
pub const IOMT_RESPONDER_SIZE: usize = 512;
/// Alignment of [`iomt_responder`] storage.
pub const IOMT_RESPONDER_ALIGN: usize = 8;

/// An EDHOC responder (usually the gateway).
#[repr(C, align(8))]
pub struct iomt_responder {
    _opaque: [u8; IOMT_RESPONDER_SIZE],
}

storage_asserts!(
    iomt_responder,
    ResponderObj,
    IOMT_RESPONDER_SIZE,
    IOMT_RESPONDER_ALIGN,
    0x696f_6d74_5245_5350
);

/// Initializes a responder from `config` (copied).
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`; `INVALID_ARGUMENT` for an empty or unknown
/// method mask; `HANDSHAKE_INVALID_CONFIG`; `HANDSHAKE_CONNECTION_ID_TOO_LONG`.
///
/// # Safety
/// `responder` must point to writable `iomt_responder` storage, `config` to a valid
/// configuration whose buffers are valid for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_init(
    responder: *mut iomt_responder,
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
        let r = Responder::new(&ResponderConfig {
            suites,
            methods: methods.get(..n).unwrap_or(&[]),
            c_r: conn_id(cfg.c_r, cfg.c_r_len)?,
            send_message_4: cfg.send_message_4 != 0,
            ead_labels: labels(cfg.ead_labels, cfg.ead_labels_len)?,
        })?;
        let value = ResponderObj {
            responder: r,
            state: RState::Start,
            ead: EadBufHandle(EadBuf::EMPTY),
            error: None,
            th_3: None,
            factor_checked: false,
        };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(responder, value) }
    }
}

/// Reads message_1 (method, suite negotiation, G_X, EAD_1 criticality). Afterwards
/// EAD_1 is readable; it is NOT authenticated.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `HANDSHAKE_WRONG_SELECTED_SUITE` (send `iomt_responder_error_message`, which carries
/// SUITES_R), `HANDSHAKE_UNSUPPORTED_METHOD`, `HANDSHAKE_MALFORMED`, … (these fail the
/// object).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_read_message_1(
    responder: *mut iomt_responder,
    crypto: *mut iomt_crypto,
    message: *const u8,
    message_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, msg) = unsafe {
            (
                boundary::get_mut(responder)?,
                boundary::get_mut(crypto)?,
                boundary::slice(message, message_len)?,
            )
        };
        if message.is_null() {
            return Err(iomt_result::NullParameter);
        }
        obj.expect(|s| matches!(s, RState::Start))?;
        let result = obj
            .responder
            .process_message_1(provider, msg)
            .and_then(|p| {
                let mut ead = EadBuf::EMPTY;
                ead.set(p.ead_1().raw())?;
                Ok(ead)
            })
            .and_then(|ead| {
                let copy = Bytes::new(msg).map_err(|_| {
                    AuthError::PeerMisbehaved(iomt_auth::error::PeerMisbehaved::TooLarge)
                })?;
                Ok((copy, ead))
            });
        match result {
            Ok((copy, ead)) => {
                obj.state = RState::GotM1(copy);
                obj.ead = EadBufHandle(ead);
                Ok(())
            }
            Err(e) => Err(obj.fail(e)),
        }
    }
}

/// Writes message_2 (authenticating with `credential`, carrying EAD_2 items).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `BUFFER_TOO_SMALL` (with `*out_len` = size needed), `CAPACITY_EXCEEDED`,
/// `HANDSHAKE_INVALID_LOCAL_CREDENTIAL`, `HANDSHAKE_INVALID_EAD`, `CRYPTO_*`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_write_message_2(
    responder: *mut iomt_responder,
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
                boundary::get_mut(responder)?,
                boundary::get_mut(crypto)?,
                boundary::get(credential)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut items = [NO_EAD; IOMT_MAX_EAD_ITEMS];
        // SAFETY: forwarded contract.
        let n_items = unsafe { ead_items(ead, ead_len, &mut items) }?;
        obj.expect(|s| matches!(s, RState::GotM1(_)))?;
        let RState::GotM1(m1) = mem::replace(&mut obj.state, RState::Failed) else {
            return Err(iomt_result::WrongState);
        };
        let result = obj
            .responder
            .process_message_1(provider, m1.as_slice())
            .and_then(|p| {
                via_scratch(out, |buf| {
                    p.prepare_message_2(
                        provider,
                        &cred.local(),
                        items.get(..n_items).unwrap_or(&[]),
                        buf,
                    )
                })
            });
        match result {
            Ok((wait, n)) => {
                obj.state = RState::WaitM3(wait);
                obj.ead = EadBufHandle(EadBuf::EMPTY);
                len.write(n);
                Ok(())
            }
            Err(e) => {
                if let Some(needed) = boundary::Needed::needed(e) {
                    len.write(needed);
                }
                Err(obj.fail(e))
            }
        }
    }
}

/// Reads message_3: decrypts it, resolves ID_CRED_I in `trust` and verifies the
/// initiator. Afterwards EAD_3 is readable. Without message_4 the handshake is then
/// complete; with it, call `iomt_responder_write_message_4`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `HANDSHAKE_UNKNOWN_CREDENTIAL`, `HANDSHAKE_AUTHENTICATION_FAILED`,
/// `HANDSHAKE_PEER_ERROR`, `HANDSHAKE_MALFORMED`, … (these fail the object).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_read_message_3(
    responder: *mut iomt_responder,
    crypto: *mut iomt_crypto,
    trust: *const iomt_trust_store,
    message: *const u8,
    message_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, store, msg) = unsafe {
            (
                boundary::get_mut(responder)?,
                boundary::get_mut(crypto)?,
                boundary::get(trust)?,
                boundary::slice(message, message_len)?,
            )
        };
        if message.is_null() {
            return Err(iomt_result::NullParameter);
        }
        obj.expect(|s| matches!(s, RState::WaitM3(_)))?;
        let RState::WaitM3(wait) = mem::replace(&mut obj.state, RState::Failed) else {
            return Err(iomt_result::WrongState);
        };
        let mut buf = [0u8; IOMT_MAX_MESSAGE_LEN];
        let result = copy_message(msg, &mut buf).and_then(|n| {
            let m = buf.get_mut(..n).unwrap_or(&mut []);
            let processing = wait.parse_message_3(provider, m)?;
            let mut ead = EadBuf::EMPTY;
            ead.set(processing.ead_3().raw())?;
            let th_3 = *processing.th_3();
            let verified = processing.verify_with_store(provider, store)?;
            let next = if verified.sends_message_4() {
                RState::Verified(verified)
            } else {
                RState::Completed(verified.complete(provider)?)
            };
            Ok((next, ead, th_3))
        });
        // The decrypted plaintext (ID_CRED, EAD) must not stay on the stack.
        buf.zeroize();
        match result {
            Ok((next, ead, th_3)) => {
                obj.state = next;
                obj.ead = EadBufHandle(ead);
                obj.th_3 = Some(th_3);
                Ok(())
            }
            Err(e) => Err(obj.fail(e)),
        }
    }
}

/// Writes message_4 (carrying EAD_4 items); the handshake is then complete.
///
/// # Errors
/// As `iomt_responder_write_message_2`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_write_message_4(
    responder: *mut iomt_responder,
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
                boundary::get_mut(responder)?,
                boundary::get_mut(crypto)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut items = [NO_EAD; IOMT_MAX_EAD_ITEMS];
        // SAFETY: forwarded contract.
        let n_items = unsafe { ead_items(ead, ead_len, &mut items) }?;
        obj.expect(|s| matches!(s, RState::Verified(_)))?;
        let RState::Verified(v) = mem::replace(&mut obj.state, RState::Failed) else {
            return Err(iomt_result::WrongState);
        };
        match via_scratch(out, |buf| {
            v.prepare_message_4(provider, items.get(..n_items).unwrap_or(&[]), buf)
        }) {
            Ok((done, n)) => {
                obj.state = RState::Completed(done);
                obj.ead = EadBufHandle(EadBuf::EMPTY);
                len.write(n);
                Ok(())
            }
            Err(e) => {
                if let Some(needed) = boundary::Needed::needed(e) {
                    len.write(needed);
                }
                Err(obj.fail(e))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Accessors, exporter, key update and deinit for both roles (generated per role).

// Generated from one template per role (cbindgen does not expand macros).

/// Writes the initiator's state into `*state`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `MISALIGNED_STORAGE`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_state(
    initiator: *const iomt_initiator,
    state: *mut iomt_handshake_state,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(initiator)?, boundary::output(state)?) };
        get_state(obj, out)
    }
}

/// Reads item `index` (0-based, padding skipped) of the EAD the initiator
/// received in its last message. `item->value` points into the initiator and stays
/// valid until the next call that changes it (or deinit).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `NOT_FOUND` past the last item.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_received_ead(
    initiator: *const iomt_initiator,
    index: usize,
    item: *mut iomt_ead_item,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(initiator)?, boundary::output(item)?) };
        get_ead_item(obj, index, out)
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
pub unsafe extern "C" fn iomt_initiator_peer(
    initiator: *mut iomt_initiator,
    info: *mut iomt_peer_info,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get_mut(initiator)?, boundary::output(info)?) };
        get_peer(obj, out)
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
pub unsafe extern "C" fn iomt_initiator_peer_error(
    initiator: *const iomt_initiator,
    err_code: *mut i32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(initiator)?, boundary::output(err_code)?) };
        get_peer_error(obj, out)
    }
}

/// After a failure, writes the EDHOC error message to send to the peer (RFC 9528
/// §6) into `out[0..out_cap]`; `*out_len` = 0 when nothing must be sent (no
/// failure, or the peer's own error message).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL` (with the size needed).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_error_message(
    initiator: *const iomt_initiator,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out, len) = unsafe {
            (
                boundary::get(initiator)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        get_error_message(obj, out, len)
    }
}

/// EDHOC_Exporter(label, context, out_len) into `out` (RFC 9528 §4.2.1). Labels
/// 32768–65535 are private use (the session uses 32768 and 32769).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` before completion,
/// `OBJECT_FAILED`, `HANDSHAKE_INVALID_EXPORTER_REQUEST` (empty or oversized
/// output, oversized context).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_export(
    initiator: *mut iomt_initiator,
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
                boundary::get_mut(initiator)?,
                boundary::get_mut(crypto)?,
                boundary::slice(context, context_len)?,
                boundary::slice_mut(out, out_len)?,
            )
        };
        if out.is_empty() {
            return Err(if out_len == 0 {
                iomt_result::HandshakeInvalidExporterRequest
            } else {
                iomt_result::NullParameter
            });
        }
        export(obj, provider, label, ctx, out)
    }
}

/// EDHOC KeyUpdate (RFC 9528 Appendix H) with `context`: a new PRK_out, the old
/// one zeroized. Both peers must call it with the same context. (Sessions have
/// their own per-direction ratchet: `iomt_session_update_send_key`.)
///
/// # Errors
/// As the exporter.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_key_update(
    initiator: *mut iomt_initiator,
    crypto: *mut iomt_crypto,
    context: *const u8,
    context_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, ctx) = unsafe {
            (
                boundary::get_mut(initiator)?,
                boundary::get_mut(crypto)?,
                boundary::slice(context, context_len)?,
            )
        };
        key_update(obj, provider, ctx)
    }
}

/// Deinitializes the initiator: every secret and the storage are zeroized.
/// NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL pointer must point to the initiator's storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_initiator_deinit(initiator: *mut iomt_initiator) -> iomt_result {
    // SAFETY: forwarded contract.
    ffi_panic_boundary! { unsafe { boundary::deinit(initiator) } }
}

/// Writes the responder's state into `*state`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `MISALIGNED_STORAGE`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_state(
    responder: *const iomt_responder,
    state: *mut iomt_handshake_state,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(responder)?, boundary::output(state)?) };
        get_state(obj, out)
    }
}

/// Reads item `index` (0-based, padding skipped) of the EAD the responder
/// received in its last message. `item->value` points into the responder and stays
/// valid until the next call that changes it (or deinit).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `NOT_FOUND` past the last item.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_received_ead(
    responder: *const iomt_responder,
    index: usize,
    item: *mut iomt_ead_item,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(responder)?, boundary::output(item)?) };
        get_ead_item(obj, index, out)
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
pub unsafe extern "C" fn iomt_responder_peer(
    responder: *mut iomt_responder,
    info: *mut iomt_peer_info,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get_mut(responder)?, boundary::output(info)?) };
        get_peer(obj, out)
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
pub unsafe extern "C" fn iomt_responder_peer_error(
    responder: *const iomt_responder,
    err_code: *mut i32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(responder)?, boundary::output(err_code)?) };
        get_peer_error(obj, out)
    }
}

/// After a failure, writes the EDHOC error message to send to the peer (RFC 9528
/// §6) into `out[0..out_cap]`; `*out_len` = 0 when nothing must be sent (no
/// failure, or the peer's own error message).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL` (with the size needed).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_error_message(
    responder: *const iomt_responder,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out, len) = unsafe {
            (
                boundary::get(responder)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        get_error_message(obj, out, len)
    }
}

/// EDHOC_Exporter(label, context, out_len) into `out` (RFC 9528 §4.2.1). Labels
/// 32768–65535 are private use (the session uses 32768 and 32769).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` before completion,
/// `OBJECT_FAILED`, `HANDSHAKE_INVALID_EXPORTER_REQUEST` (empty or oversized
/// output, oversized context).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_export(
    responder: *mut iomt_responder,
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
                boundary::get_mut(responder)?,
                boundary::get_mut(crypto)?,
                boundary::slice(context, context_len)?,
                boundary::slice_mut(out, out_len)?,
            )
        };
        if out.is_empty() {
            return Err(if out_len == 0 {
                iomt_result::HandshakeInvalidExporterRequest
            } else {
                iomt_result::NullParameter
            });
        }
        export(obj, provider, label, ctx, out)
    }
}

/// EDHOC KeyUpdate (RFC 9528 Appendix H) with `context`: a new PRK_out, the old
/// one zeroized. Both peers must call it with the same context. (Sessions have
/// their own per-direction ratchet: `iomt_session_update_send_key`.)
///
/// # Errors
/// As the exporter.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_key_update(
    responder: *mut iomt_responder,
    crypto: *mut iomt_crypto,
    context: *const u8,
    context_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, ctx) = unsafe {
            (
                boundary::get_mut(responder)?,
                boundary::get_mut(crypto)?,
                boundary::slice(context, context_len)?,
            )
        };
        key_update(obj, provider, ctx)
    }
}

/// Deinitializes the responder: every secret and the storage are zeroized.
/// NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL pointer must point to the responder's storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_responder_deinit(responder: *mut iomt_responder) -> iomt_result {
    // SAFETY: forwarded contract.
    ffi_panic_boundary! { unsafe { boundary::deinit(responder) } }
}
/// For the session module: the completed handshake inside an initiator or responder.
///
/// # Safety
/// As the exported functions: a valid, exclusive pointer to live storage.
pub(crate) unsafe fn completed_initiator<'a>(
    ptr: *mut iomt_initiator,
) -> Result<&'a mut Completed, iomt_result> {
    // SAFETY: forwarded contract.
    let obj = unsafe { boundary::get_mut(ptr) }?;
    completed_of(obj)
}

/// As [`completed_initiator`], for a responder.
///
/// # Safety
/// As the exported functions: a valid, exclusive pointer to live storage.
pub(crate) unsafe fn completed_responder<'a>(
    ptr: *mut iomt_responder,
) -> Result<&'a mut Completed, iomt_result> {
    // SAFETY: forwarded contract.
    let obj = unsafe { boundary::get_mut(ptr) }?;
    completed_of(obj)
}

/// What the operator-factor check needs from a responder whose handshake completed.
pub(crate) struct FactorContext<'a> {
    /// TH_3 of this handshake.
    pub(crate) th_3: [u8; 32],
    /// The factor item EAD_3 carried: `Ok(None)` if absent, `Err` if malformed.
    pub(crate) presented: Result<Option<FactorTag>, FactorError>,
    /// The completed handshake (peer identity and roles).
    pub(crate) completed: &'a Completed,
    /// Set once the factor has been checked (the check runs once per handshake).
    pub(crate) checked: &'a mut bool,
}

/// The factor context of a completed responder.
///
/// # Errors
/// `WRONG_STATE` before completion (or without a verified message_3), `OBJECT_FAILED`.
///
/// # Safety
/// As the exported functions: a valid, exclusive pointer to live storage.
pub(crate) unsafe fn responder_factor_context<'a>(
    ptr: *mut iomt_responder,
) -> Result<FactorContext<'a>, iomt_result> {
    // SAFETY: forwarded contract.
    let obj = unsafe { boundary::get_mut(ptr) }?;
    let ResponderObj {
        state,
        ead,
        th_3,
        factor_checked,
        ..
    } = obj;
    let completed = match state {
        RState::Completed(c) => &*c,
        RState::Failed => return Err(iomt_result::ObjectFailed),
        _ => return Err(iomt_result::WrongState),
    };
    let th_3 = th_3.ok_or(iomt_result::WrongState)?;
    let items = (0..MAX_EAD_LEN)
        .map_while(|i| ead.0.item(i))
        .map(|(label, value)| EadItem { label, value });
    Ok(FactorContext {
        th_3,
        presented: FactorTag::from_ead_items(items),
        completed,
        checked: factor_checked,
    })
}

/// TH_3 of an initiator whose message_2 verified (before `write_message_3`).
///
/// # Errors
/// `WRONG_STATE` in any other state, `OBJECT_FAILED`.
///
/// # Safety
/// As the exported functions: a valid pointer to live storage.
pub(crate) unsafe fn initiator_th_3(ptr: *const iomt_initiator) -> Result<[u8; 32], iomt_result> {
    // SAFETY: forwarded contract.
    let obj = unsafe { boundary::get(ptr) }?;
    match &obj.state {
        IState::Verified(v) => Ok(*v.th_3()),
        IState::Failed => Err(iomt_result::ObjectFailed),
        _ => Err(iomt_result::WrongState),
    }
}

/// How a handshake ended, for its audit record.
pub(crate) enum Ending<'a> {
    /// Completed: the peer and what was negotiated.
    Completed(&'a Completed),
    /// Failed, with the error that failed it.
    Failed(Option<AuthError>),
}

fn ending<H: Handshake>(h: &mut H, error: Option<AuthError>) -> Result<Ending<'_>, iomt_result> {
    match h.state() {
        iomt_handshake_state::Failed => Ok(Ending::Failed(error)),
        iomt_handshake_state::Complete => h
            .completed_mut()
            .map(|c| Ending::Completed(&*c))
            .ok_or(iomt_result::WrongState),
        _ => Err(iomt_result::WrongState),
    }
}

/// How an initiator's handshake ended (`WRONG_STATE` while still running).
///
/// # Safety
/// As the exported functions: a valid, exclusive pointer to live storage.
pub(crate) unsafe fn initiator_ending<'a>(
    ptr: *mut iomt_initiator,
) -> Result<Ending<'a>, iomt_result> {
    // SAFETY: forwarded contract.
    let obj = unsafe { boundary::get_mut(ptr) }?;
    let error = obj.error;
    ending(obj, error)
}

/// How a responder's handshake ended (`WRONG_STATE` while still running).
///
/// # Safety
/// As the exported functions: a valid, exclusive pointer to live storage.
pub(crate) unsafe fn responder_ending<'a>(
    ptr: *mut iomt_responder,
) -> Result<Ending<'a>, iomt_result> {
    // SAFETY: forwarded contract.
    let obj = unsafe { boundary::get_mut(ptr) }?;
    let error = obj.error;
    ending(obj, error)
}
