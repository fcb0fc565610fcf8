//! The operator second factor for C: a PIN verifier stored on the device (never the PIN),
//! a MAC over the handshake's TH_3 carried in EAD_3, and a lockout counter that survives
//! reboot through the caller's [`iomt_factor_store_ops`].
//!
//! # Flow
//! ```text
//! operator app (initiator): read_message_2 → iomt_handshake_factor_tag(verifier)
//!     → write_message_3 with { label IOMT_FACTOR_EAD_LABEL, value = tag }
//! device (responder): read_message_3 → [write_message_4] → iomt_session_auth_init
//!     → iomt_session_auth_verify_factor(verifier)   (once per handshake)
//! ```
//!
//! # Invariants
//! - The attempt counter (and the lockout the attempt would earn) is stored before the tag
//!   is compared, and the compare is constant time: a power cut during the check cannot
//!   give a free guess, and timing does not leak the tag.
//! - The check runs at most once per handshake; a tag is bound to that handshake's TH_3,
//!   so replaying it in another handshake fails.
//! - Every failure, lockout and success is audited.
//!
//! See `iomt_auth::factor` for the construction and its honest limits (a dumped verifier
//! can be brute-forced offline; the lockout protects the online path).
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use core::ffi::c_void;

use iomt_auth::audit::subject_of;
use iomt_auth::factor::{
    FACTOR_EAD_LABEL, FACTOR_TAG_LEN, FactorOutcome, FactorState, FactorStorageError, FactorStore,
    FactorTag, FactorVerifier, LOCKOUT_SUBJECTS, LockoutPolicy, LockoutTable, MAX_DEVICE_ID_LEN,
    PinVerifier, SubjectLockout,
};
use iomt_core::Timestamp;
use zeroize::Zeroize;

use crate::audit::iomt_audit_log;
use crate::authz::iomt_session_auth;
use crate::boundary::{self, ffi_panic_boundary, storage_asserts};
use crate::crypto::iomt_crypto;
use crate::handshake::iomt_handshake;
use crate::result::iomt_result;

/// EAD label of the operator-factor item in message_3 (non-critical).
pub const IOMT_FACTOR_EAD_LABEL: i32 = 65_550;
/// Length of the factor tag (the EAD item's value).
pub const IOMT_FACTOR_TAG_LEN: usize = 16;
/// Length of a PIN verifier.
pub const IOMT_PIN_VERIFIER_LEN: usize = 32;
/// Longest device id accepted for the verifier salt.
pub const IOMT_MAX_DEVICE_ID_LEN: usize = 64;

const _: () = {
    assert!(IOMT_FACTOR_EAD_LABEL == FACTOR_EAD_LABEL);
    assert!(IOMT_FACTOR_TAG_LEN == FACTOR_TAG_LEN);
    assert!(IOMT_MAX_DEVICE_ID_LEN == MAX_DEVICE_ID_LEN);
};

/// Entries in an [`iomt_lockout_table`] (`iomt_auth::factor::LOCKOUT_SUBJECTS`).
pub const IOMT_LOCKOUT_SUBJECTS: usize = 8;

const _: () = assert!(IOMT_LOCKOUT_SUBJECTS == LOCKOUT_SUBJECTS);

/// The attempt state of one subject (or of the whole device). No implicit padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct iomt_factor_state {
    /// No attempt is evaluated before this time (seconds since the Unix epoch; 0 = none).
    pub locked_until: u64,
    /// Consecutive failed (or interrupted) attempts.
    pub failures: u32,
    /// Zero.
    pub reserved: u32,
}

/// One subject's entry (all zero: free). No implicit padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct iomt_lockout_entry {
    /// The subject's attempt state.
    pub state: iomt_factor_state,
    /// The subject id (`iomt_subject_of` its credential identity).
    pub subject: [u8; 8],
}

/// The persistent lockout state (the library reads and writes it whole): per-subject
/// counters, bounded to `IOMT_LOCKOUT_SUBJECTS` entries, plus the device-wide ceiling. See
/// `iomt_auth::factor` for the eviction policy.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct iomt_lockout_table {
    /// Failures of all subjects since the last success, and the device-wide lockout.
    pub device: iomt_factor_state,
    /// Per-subject entries.
    pub subjects: [iomt_lockout_entry; IOMT_LOCKOUT_SUBJECTS],
}

impl From<FactorState> for iomt_factor_state {
    fn from(s: FactorState) -> Self {
        Self {
            locked_until: s.locked_until.as_secs(),
            failures: s.failures,
            reserved: 0,
        }
    }
}

impl From<iomt_factor_state> for FactorState {
    fn from(s: iomt_factor_state) -> Self {
        Self {
            failures: s.failures,
            locked_until: Timestamp::from_secs(s.locked_until),
        }
    }
}

impl From<&LockoutTable> for iomt_lockout_table {
    fn from(t: &LockoutTable) -> Self {
        let mut out = Self {
            device: t.device.into(),
            ..Self::default()
        };
        for (d, e) in out.subjects.iter_mut().zip(t.subjects.iter()) {
            *d = iomt_lockout_entry {
                state: e.state.into(),
                subject: e.subject,
            };
        }
        out
    }
}

impl From<&iomt_lockout_table> for LockoutTable {
    fn from(t: &iomt_lockout_table) -> Self {
        let mut out = Self {
            device: t.device.into(),
            ..Self::default()
        };
        for (d, e) in out.subjects.iter_mut().zip(t.subjects.iter()) {
            *d = SubjectLockout {
                subject: e.subject,
                state: e.state.into(),
            };
        }
        out
    }
}

/// Loads the table (all zero if never stored) into `*table`; 0 on success. Must return
/// exactly the last table stored.
pub type iomt_factor_load =
    Option<unsafe extern "C" fn(userdata: *mut c_void, table: *mut iomt_lockout_table) -> i32>;
/// Stores the whole table durably before returning 0 (a torn write must read back as the
/// old or the new table, or fail). The library stores the raised counter before it
/// evaluates a tag, so a failing store costs an attempt, never the lockout.
pub type iomt_factor_store =
    Option<unsafe extern "C" fn(userdata: *mut c_void, table: *const iomt_lockout_table) -> i32>;

/// Where the attempt counter lives (flash, FRAM, a secure element). Copied at init;
/// `userdata` must stay valid while the verifier lives; the callbacks must not call back
/// into iomt.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_factor_store_ops {
    /// Passed to every callback.
    pub userdata: *mut c_void,
    /// Loads the state.
    pub load: iomt_factor_load,
    /// Stores the state.
    pub store: iomt_factor_store,
}

/// Lockout policy: the `free_attempts`-th consecutive failure and every one after it lock
/// for `base_secs · 2^(failures − free_attempts)`, capped at `max_secs` (so with 3, the
/// first two failures are free and the third locks for `base_secs`).
///
/// No implicit padding: `reserved` fills the gap before the 64-bit fields and must be 0
/// (so an old positional initializer `{attempts, base, max}` fails loudly with
/// `INVALID_ARGUMENT` instead of shifting values; use designated initializers).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct iomt_lockout_policy {
    /// Consecutive failures up to and including the first one that locks.
    pub free_attempts: u32,
    /// Must be 0.
    pub reserved: u32,
    /// First lockout (seconds).
    pub base_secs: u64,
    /// Longest lockout (seconds).
    pub max_secs: u64,
}

const _: () = assert!(size_of::<iomt_lockout_policy>() == 24);

/// The caller's store behind `FactorStore`.
pub(crate) struct CallbackFactorStore {
    userdata: *mut c_void,
    load: unsafe extern "C" fn(*mut c_void, *mut iomt_lockout_table) -> i32,
    store: unsafe extern "C" fn(*mut c_void, *const iomt_lockout_table) -> i32,
}

impl FactorStore for CallbackFactorStore {
    fn load(&mut self) -> Result<LockoutTable, FactorStorageError> {
        let mut t = iomt_lockout_table::default();
        // SAFETY: a valid local for the call.
        let rc = unsafe { (self.load)(self.userdata, &raw mut t) };
        if rc != 0 {
            return Err(FactorStorageError);
        }
        Ok((&t).into())
    }

    fn store(&mut self, table: &LockoutTable) -> Result<(), FactorStorageError> {
        let t = iomt_lockout_table::from(table);
        // SAFETY: a valid local for the call.
        let rc = unsafe { (self.store)(self.userdata, &raw const t) };
        if rc == 0 {
            Ok(())
        } else {
            Err(FactorStorageError)
        }
    }
}

/// Size of [`iomt_factor_verifier`] storage in bytes.
pub const IOMT_FACTOR_VERIFIER_SIZE: usize = 64;
/// Alignment of [`iomt_factor_verifier`] storage.
pub const IOMT_FACTOR_VERIFIER_ALIGN: usize = 8;

/// The device-side factor check with its persistent attempt counter.
#[repr(C, align(8))]
pub struct iomt_factor_verifier {
    _opaque: [u8; IOMT_FACTOR_VERIFIER_SIZE],
}

storage_asserts!(
    iomt_factor_verifier,
    FactorVerifier<CallbackFactorStore>,
    IOMT_FACTOR_VERIFIER_SIZE,
    IOMT_FACTOR_VERIFIER_ALIGN,
    0x696f_6d74_4641_4354
);

/// Derives the PIN verifier the device stores (`HMAC-SHA256(device_id ‖ "iomt pin v1",
/// PIN)`), into `out[0..IOMT_PIN_VERIFIER_LEN]`. Run it at provisioning (or in the
/// operator's app, from the PIN typed in); wipe the PIN afterwards.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `FACTOR_DEVICE_ID_TOO_LONG`.
///
/// # Safety
/// Every buffer must be valid for its length; `out` points to 32 writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_pin_verifier_derive(
    crypto: *mut iomt_crypto,
    device_id: *const u8,
    device_id_len: usize,
    pin: *const u8,
    pin_len: usize,
    out: *mut u8,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (provider, id, pin) = unsafe {
            (
                boundary::get_mut(crypto)?,
                boundary::slice(device_id, device_id_len)?,
                boundary::slice(pin, pin_len)?,
            )
        };
        if out.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let v = PinVerifier::derive(provider, id, pin)?;
        // SAFETY: forwarded contract.
        let dst = unsafe { boundary::slice_mut(out, IOMT_PIN_VERIFIER_LEN) }?;
        dst.copy_from_slice(v.as_bytes());
        Ok(())
    }
}

/// A required PIN verifier.
///
/// # Safety
/// A non-NULL `ptr` must point to 32 readable bytes.
unsafe fn verifier_of(ptr: *const u8) -> Result<PinVerifier, iomt_result> {
    // SAFETY: forwarded contract.
    let mut bytes: [u8; IOMT_PIN_VERIFIER_LEN] = unsafe { boundary::fixed(ptr) }?;
    let v = PinVerifier::from_bytes(bytes);
    bytes.zeroize();
    Ok(v)
}

/// Operator side: computes the factor tag for this handshake (`HMAC(verifier,
/// "iomt-factor" ‖ TH_3)`, 16 bytes) once message_2 verified. Send it in message_3 as the
/// EAD item `{ label = IOMT_FACTOR_EAD_LABEL, value = tag, value_len = 16 }`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` (not right after `read_message_2`),
/// `OBJECT_FAILED`.
///
/// # Safety
/// Every pointer must be valid as described; `verifier` points to 32 bytes, `tag` to 16
/// writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_handshake_factor_tag(
    handshake: *const iomt_handshake,
    crypto: *mut iomt_crypto,
    verifier: *const u8,
    tag: *mut u8,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (th_3, provider, v) = unsafe {
            (
                boundary::get(handshake)?.initiator_th_3()?,
                boundary::get_mut(crypto)?,
                verifier_of(verifier)?,
            )
        };
        if tag.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let t = FactorTag::compute(provider, &v, &th_3);
        // SAFETY: forwarded contract.
        let dst = unsafe { boundary::slice_mut(tag, IOMT_FACTOR_TAG_LEN) }?;
        dst.copy_from_slice(&t.0);
        Ok(())
    }
}

/// Initializes a factor verifier over the caller's store with `policy` (NULL: the third
/// consecutive failure locks for 30 s, each further one doubles that, up to 24 h).
///
/// # Errors
/// `NULL_PARAMETER` (storage, ops or a callback), `MISALIGNED_STORAGE`,
/// `FACTOR_INVALID_POLICY` (0 or more than 10 free attempts, `base_secs` 0, `max_secs < base_secs`);
/// `INVALID_ARGUMENT` if the policy's `reserved` field is not 0.
///
/// # Safety
/// `verifier` must point to writable storage; `ops` to valid callbacks; `policy` to a
/// policy or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_factor_verifier_init(
    verifier: *mut iomt_factor_verifier,
    ops: *const iomt_factor_store_ops,
    policy: *const iomt_lockout_policy,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let ops = unsafe { boundary::input(ops) }?;
        let policy = if policy.is_null() {
            LockoutPolicy::DEFAULT
        } else {
            // SAFETY: forwarded contract.
            let p = unsafe { boundary::input(policy) }?;
            if p.reserved != 0 {
                return Err(iomt_result::InvalidArgument);
            }
            LockoutPolicy { free_attempts: p.free_attempts, base_secs: p.base_secs, max_secs: p.max_secs }
        };
        policy.check()?;
        if verifier.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let store = CallbackFactorStore {
            userdata: ops.userdata,
            load: ops.load.ok_or(iomt_result::NullParameter)?,
            store: ops.store.ok_or(iomt_result::NullParameter)?,
        };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(verifier, FactorVerifier::new(store, policy)) }
    }
}

/// Reads the persistent attempt state of `subject` (8 bytes; NULL: the device-wide
/// ceiling) through the store (e.g. to show when a lockout ends).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `FACTOR_STORAGE`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_factor_verifier_state(
    verifier: *mut iomt_factor_verifier,
    subject: *const u8,
    state: *mut iomt_factor_state,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (fv, out) = unsafe { (boundary::get_mut(verifier)?, boundary::output(state)?) };
        let t = fv.store_mut().load().map_err(|_| iomt_result::FactorStorage)?;
        let s = if subject.is_null() {
            t.device
        } else {
            // SAFETY: forwarded contract.
            t.state_of(&unsafe { boundary::fixed::<8>(subject) }?)
        };
        out.write(s.into());
        Ok(())
    }
}

/// Deinitializes the verifier (the counter stays in the caller's store). NULL and
/// repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `verifier` must point to `iomt_factor_verifier` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_factor_verifier_deinit(
    verifier: *mut iomt_factor_verifier,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(verifier) }
    }
}

/// Device side: checks the operator factor the initiator presented in message_3 of the
/// handshake `handshake` (a responder) completed, against the stored PIN `verifier`, and records the
/// outcome in `auth` (which must be that handshake's peer). Runs once per handshake.
///
/// OK means the factor verified; otherwise the result says why, and `auth` records
/// "absent", "failed" or "locked out" (privileged operations stay denied). Lockout
/// state: `iomt_factor_verifier_state`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` (handshake not complete, or the
/// factor of this handshake was already checked), `OBJECT_FAILED`, `INVALID_ARGUMENT`
/// (`auth` is another peer's), `FACTOR_ABSENT`, `FACTOR_MALFORMED`, `FACTOR_MISMATCH`,
/// `FACTOR_LOCKED_OUT`, `FACTOR_STORAGE`.
///
/// # Safety
/// Every pointer must be valid as described; `verifier` points to 32 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_session_auth_verify_factor(
    auth: *mut iomt_session_auth,
    handshake: *mut iomt_handshake,
    crypto: *mut iomt_crypto,
    factor_verifier: *mut iomt_factor_verifier,
    log: *mut iomt_audit_log,
    verifier: *const u8,
    now: u64,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (a, ctx, provider, fv, log, pin_v) = unsafe {
            (
                boundary::get_mut(auth)?,
                crate::handshake::object(handshake)?.factor_context()?,
                boundary::get_mut(crypto)?,
                boundary::get_mut(factor_verifier)?,
                boundary::get_mut(log)?,
                verifier_of(verifier)?,
            )
        };
        if *ctx.checked {
            return Err(iomt_result::WrongState);
        }
        let peer = subject_of(provider, &ctx.completed.peer_identity().0);
        if peer != a.auth.subject() {
            return Err(iomt_result::InvalidArgument);
        }
        *ctx.checked = true;
        let r = fv.verify_handshake(provider, log, &pin_v, ctx.completed, Timestamp::from_secs(now));
        let failed = r.as_ref().err().copied();
        a.auth.set_factor(FactorOutcome::from_result(r));
        failed.map_or(Ok(()), |e| Err(e.into()))
    }
}
