//! The tamper-evident audit log for C: [`iomt_audit_log`] (the SHA-256-chained ring on the
//! device, persisted through the caller's [`iomt_audit_store_ops`] callbacks) and its signed
//! export.
//!
//! # Invariants
//! - The log never holds a record that is not also in the caller's store: every append
//!   writes the entry, then the metadata, through the callbacks (see
//!   `iomt_auth::audit::AuditStore` for the power-cut rule: never reorder those writes).
//! - A failing callback (any non-zero return) is `AUDIT_STORAGE`; the in-memory state is
//!   then unchanged, the record is not committed (its operation is refused), and it is
//!   replaced by an `AppendFailed` record naming it at the next append, or at the next
//!   `iomt_audit_log_init` if the entry reached flash without its metadata. Metadata the
//!   store reports absent while slots hold records is recovered from the records.
//! - Records, metadata and export chunks use the byte layouts of `iomt_auth::audit`, so a
//!   Rust gateway verifies a C device's export and vice versa.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use core::ffi::c_void;

use iomt_auth::audit::{
    AuditEvent, AuditLog, AuditMeta, AuditRecord, AuditStore, CHALLENGE_LEN, DETAIL_LEN, Detail,
    ENTRY_LEN, Entry, Outcome, RECORD_LEN, SUBJECT_LEN, SUMMARY_LEN, StorageError, subject_of,
};
use iomt_core::Timestamp;

use crate::authz::{self, iomt_permit, iomt_session_auth};
use crate::boundary::{self, ffi_panic_boundary, storage_asserts};
use crate::crypto::{IOMT_IDENTITY_LEN, Provider, iomt_credential, iomt_crypto};
use crate::result::iomt_result;

/// Length of one stored audit entry (record ‖ previous chain value).
pub const IOMT_AUDIT_ENTRY_LEN: usize = 70;
/// Length of one encoded audit record.
pub const IOMT_AUDIT_RECORD_LEN: usize = 38;
/// Length of a subject id (first 8 bytes of SHA-256 of an identity; all zero = the device).
pub const IOMT_SUBJECT_LEN: usize = 8;
/// Length of a record's event-specific detail.
pub const IOMT_AUDIT_DETAIL_LEN: usize = 16;
/// Length of an export challenge (chosen fresh by the requester).
pub const IOMT_AUDIT_CHALLENGE_LEN: usize = 16;
/// Length of the signed export summary.
pub const IOMT_AUDIT_SUMMARY_LEN: usize = 182;
/// Length of a records chunk's header (a chunk of n records is `7 + 38·n` bytes).
pub const IOMT_AUDIT_RECORDS_HEADER_LEN: usize = 7;

const _: () = {
    assert!(IOMT_AUDIT_ENTRY_LEN == ENTRY_LEN);
    assert!(IOMT_AUDIT_RECORD_LEN == RECORD_LEN);
    assert!(IOMT_SUBJECT_LEN == SUBJECT_LEN);
    assert!(IOMT_AUDIT_DETAIL_LEN == DETAIL_LEN);
    assert!(IOMT_AUDIT_CHALLENGE_LEN == CHALLENGE_LEN);
    assert!(IOMT_AUDIT_SUMMARY_LEN == SUMMARY_LEN);
    assert!(IOMT_AUDIT_RECORDS_HEADER_LEN == iomt_auth::audit::export::RECORDS_HEADER_LEN);
};

/// The log's bookkeeping, persisted by `store_meta` after every entry.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct iomt_audit_meta {
    /// The sequence number the next record gets (= records ever appended).
    pub next_seq: u32,
    /// Records currently held (at most the capacity).
    pub count: u32,
    /// Records lost because the ring was full (oldest overwritten).
    pub overwritten: u32,
    /// Records discarded by authorized clears.
    pub cleared: u32,
    /// Chain value after the newest record (all zero at genesis).
    pub head: [u8; 32],
}

impl From<AuditMeta> for iomt_audit_meta {
    fn from(m: AuditMeta) -> Self {
        Self {
            next_seq: m.next_seq,
            count: m.count,
            overwritten: m.overwritten,
            cleared: m.cleared,
            head: m.head,
        }
    }
}

impl From<iomt_audit_meta> for AuditMeta {
    fn from(m: iomt_audit_meta) -> Self {
        Self {
            next_seq: m.next_seq,
            count: m.count,
            overwritten: m.overwritten,
            cleared: m.cleared,
            head: m.head,
        }
    }
}

/// Reads slot `slot` (< capacity) into `entry[0..IOMT_AUDIT_ENTRY_LEN]`; 0 on success.
pub type iomt_audit_read_slot =
    Option<unsafe extern "C" fn(userdata: *mut c_void, slot: u32, entry: *mut u8) -> i32>;
/// Writes `entry[0..IOMT_AUDIT_ENTRY_LEN]` to slot `slot` durably before returning; 0 on
/// success.
pub type iomt_audit_write_slot =
    Option<unsafe extern "C" fn(userdata: *mut c_void, slot: u32, entry: *const u8) -> i32>;
/// Loads the metadata: sets `*present` to 1 and fills `*meta`, or sets `*present` to 0 if
/// the log was never written; 0 on success.
pub type iomt_audit_load_meta = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        meta: *mut iomt_audit_meta,
        present: *mut u8,
    ) -> i32,
>;
/// Stores the metadata durably before returning; 0 on success.
pub type iomt_audit_store_meta =
    Option<unsafe extern "C" fn(userdata: *mut c_void, meta: *const iomt_audit_meta) -> i32>;

/// Where the audit ring lives (flash, FRAM, battery-backed RAM): `capacity` slots of
/// `IOMT_AUDIT_ENTRY_LEN` bytes plus one metadata record. Copied at init; `userdata` must
/// stay valid while the log lives; the callbacks must not call back into iomt.
///
/// The callbacks must guarantee: a write that returns 0 is durable; the entry write and
/// the metadata write are not reordered (the library calls them in that order);
/// `load_meta` reports the last metadata stored, or absent; `read_slot` returns what was
/// last written to the slot. The library checks itself: an entry that reached flash
/// without its metadata is replaced by an `AppendFailed` record at init (never adopted);
/// absent metadata with records present is recovered from the records (highest chained
/// run); a slot that does not hold what was written reads as `AUDIT_CORRUPT` in read,
/// verify and export summary alike.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_audit_store_ops {
    /// Passed to every callback.
    pub userdata: *mut c_void,
    /// Number of slots (ring capacity, at least 1).
    pub capacity: u32,
    /// Reads a slot.
    pub read_slot: iomt_audit_read_slot,
    /// Writes a slot.
    pub write_slot: iomt_audit_write_slot,
    /// Loads the metadata.
    pub load_meta: iomt_audit_load_meta,
    /// Stores the metadata.
    pub store_meta: iomt_audit_store_meta,
}

/// The caller's store, behind `iomt_auth::audit::AuditStore`.
#[doc(hidden)]
pub struct CallbackStore {
    userdata: *mut c_void,
    capacity: u32,
    read_slot: unsafe extern "C" fn(*mut c_void, u32, *mut u8) -> i32,
    write_slot: unsafe extern "C" fn(*mut c_void, u32, *const u8) -> i32,
    load_meta: unsafe extern "C" fn(*mut c_void, *mut iomt_audit_meta, *mut u8) -> i32,
    store_meta: unsafe extern "C" fn(*mut c_void, *const iomt_audit_meta) -> i32,
}

impl CallbackStore {
    fn new(ops: &iomt_audit_store_ops) -> Result<Self, iomt_result> {
        if ops.capacity == 0 {
            return Err(iomt_result::InvalidArgument);
        }
        Ok(Self {
            userdata: ops.userdata,
            capacity: ops.capacity,
            read_slot: ops.read_slot.ok_or(iomt_result::NullParameter)?,
            write_slot: ops.write_slot.ok_or(iomt_result::NullParameter)?,
            load_meta: ops.load_meta.ok_or(iomt_result::NullParameter)?,
            store_meta: ops.store_meta.ok_or(iomt_result::NullParameter)?,
        })
    }
}

impl AuditStore for CallbackStore {
    fn capacity(&self) -> u32 {
        self.capacity
    }

    fn read_slot(&mut self, slot: u32, out: &mut Entry) -> Result<(), StorageError> {
        // SAFETY: `out` is IOMT_AUDIT_ENTRY_LEN writable bytes; the callback's contract is
        // to write at most that many.
        let rc = unsafe { (self.read_slot)(self.userdata, slot, out.as_mut_ptr()) };
        if rc == 0 { Ok(()) } else { Err(StorageError) }
    }

    fn write_slot(&mut self, slot: u32, entry: &Entry) -> Result<(), StorageError> {
        // SAFETY: `entry` is IOMT_AUDIT_ENTRY_LEN readable bytes for the call.
        let rc = unsafe { (self.write_slot)(self.userdata, slot, entry.as_ptr()) };
        if rc == 0 { Ok(()) } else { Err(StorageError) }
    }

    fn load_meta(&mut self) -> Result<Option<AuditMeta>, StorageError> {
        let mut meta = iomt_audit_meta::default();
        let mut present = 0u8;
        // SAFETY: both pointers are valid locals for the call.
        let rc = unsafe { (self.load_meta)(self.userdata, &raw mut meta, &raw mut present) };
        if rc != 0 {
            return Err(StorageError);
        }
        Ok((present != 0).then(|| meta.into()))
    }

    fn store_meta(&mut self, meta: &AuditMeta) -> Result<(), StorageError> {
        let m = iomt_audit_meta::from(*meta);
        // SAFETY: a valid local for the call.
        let rc = unsafe { (self.store_meta)(self.userdata, &raw const m) };
        if rc == 0 { Ok(()) } else { Err(StorageError) }
    }
}

/// The log over the caller's store.
#[doc(hidden)]
pub type Log = AuditLog<CallbackStore>;

/// Size of [`iomt_audit_log`] storage in bytes.
pub const IOMT_AUDIT_LOG_SIZE: usize = 176;
/// Alignment of [`iomt_audit_log`] storage.
pub const IOMT_AUDIT_LOG_ALIGN: usize = 8;

/// The device's hash-chained audit log (records live in the caller's store; this object
/// holds the callbacks and the metadata).
#[repr(C, align(8))]
pub struct iomt_audit_log {
    _opaque: [u8; IOMT_AUDIT_LOG_SIZE],
}

storage_asserts!(
    iomt_audit_log,
    Log,
    IOMT_AUDIT_LOG_SIZE,
    IOMT_AUDIT_LOG_ALIGN,
    0x696f_6d74_4155_4454
);

/// One audit record.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct iomt_audit_record {
    /// Sequence number (0 for the first record ever).
    pub seq: u32,
    /// Device time (seconds since the Unix epoch).
    pub time: u64,
    /// Event code (`iomt_auth::audit::AuditEvent`: 1 handshake succeeded … 14 log cleared, 15 append failed, 16 metadata recovered).
    pub event: u8,
    /// Outcome code (0 success, 1 failure, 2 denied).
    pub outcome: u8,
    /// Who: a subject id (all zero = the device itself).
    pub subject: [u8; IOMT_SUBJECT_LEN],
    /// Event-specific detail (integers big-endian from offset 0).
    pub detail: [u8; IOMT_AUDIT_DETAIL_LEN],
}

impl From<AuditRecord> for iomt_audit_record {
    fn from(r: AuditRecord) -> Self {
        Self {
            seq: r.seq,
            time: r.time.as_secs(),
            event: r.event.code(),
            outcome: r.outcome.code(),
            subject: r.subject,
            detail: r.detail.0,
        }
    }
}

/// Opens the audit log in the caller's store (empty or previously written), rolling
/// forward over an entry written just before a power cut. `device` (8 bytes) identifies
/// this device in exports, e.g. from `iomt_subject_of` over its identity.
///
/// This does not walk the chain; call `iomt_audit_log_verify` for that (e.g. at boot).
///
/// # Errors
/// `NULL_PARAMETER` (any pointer or callback NULL), `MISALIGNED_STORAGE`,
/// `INVALID_ARGUMENT` (capacity 0), `AUDIT_STORAGE`.
///
/// # Safety
/// `log` must point to writable `iomt_audit_log` storage; `ops` to valid callbacks that
/// stay callable with `ops->userdata` while the log lives; `device` to 8 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_init(
    log: *mut iomt_audit_log,
    crypto: *mut iomt_crypto,
    ops: *const iomt_audit_store_ops,
    device: *const u8,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (provider, ops, device) = unsafe {
            (boundary::get_mut(crypto)?, boundary::input(ops)?, boundary::fixed(device)?)
        };
        if log.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let store = CallbackStore::new(ops)?;
        let opened = AuditLog::open(provider, store, device)?;
        // SAFETY: forwarded contract.
        unsafe { boundary::init(log, opened) }
    }
}

/// Appends a record (for the application's own events; the library writes the records
/// of authorization, factor, break-glass and update itself) and writes its sequence
/// number to `*seq`. `subject` may be NULL for the device itself; `detail` holds at most
/// `IOMT_AUDIT_DETAIL_LEN` bytes (zero-padded).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `INVALID_CODE` (unknown event or outcome),
/// `INVALID_ARGUMENT` (detail too long), `AUDIT_STORAGE`, `AUDIT_SEQUENCE_EXHAUSTED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_append(
    log: *mut iomt_audit_log,
    crypto: *mut iomt_crypto,
    now: u64,
    event: u8,
    outcome: u8,
    subject_id: *const u8,
    detail: *const u8,
    detail_len: usize,
    seq: *mut u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (log, provider, detail, out) = unsafe {
            (
                boundary::get_mut(log)?,
                boundary::get_mut(crypto)?,
                boundary::slice(detail, detail_len)?,
                boundary::output(seq)?,
            )
        };
        let who = if subject_id.is_null() {
            iomt_auth::audit::SUBJECT_DEVICE
        } else {
            // SAFETY: forwarded contract.
            unsafe { boundary::fixed(subject_id)? }
        };
        if detail.len() > IOMT_AUDIT_DETAIL_LEN {
            return Err(iomt_result::InvalidArgument);
        }
        let event = AuditEvent::from_code(event).ok_or(iomt_result::InvalidCode)?;
        let outcome = Outcome::from_code(outcome).ok_or(iomt_result::InvalidCode)?;
        let s = log.append(
            provider,
            Timestamp::from_secs(now),
            event,
            outcome,
            who,
            Detail::from_slice(detail),
        )?;
        out.write(s);
        Ok(())
    }
}

/// Writes the log's metadata (next sequence number, held/overwritten/cleared counts,
/// head) to `*meta`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `MISALIGNED_STORAGE`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_meta(
    log: *const iomt_audit_log,
    meta: *mut iomt_audit_meta,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (log, out) = unsafe { (boundary::get(log)?, boundary::output(meta)?) };
        out.write((*log.meta()).into());
        Ok(())
    }
}

/// Reads the held record `seq` into `*record` (not verified; see `iomt_audit_log_verify`).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `AUDIT_NOT_HELD`, `AUDIT_STORAGE`,
/// `AUDIT_CORRUPT` (the slot holds something else).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_read(
    log: *mut iomt_audit_log,
    seq: u32,
    record: *mut iomt_audit_record,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (log, out) = unsafe { (boundary::get_mut(log)?, boundary::output(record)?) };
        out.write(log.read(seq)?.into());
        Ok(())
    }
}

/// Walks every held entry: consecutive sequence numbers, each stored link equal to the
/// recomputed chain, the last chain value equal to the head (and, if nothing was ever
/// overwritten or cleared, the chain starting at genesis).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `AUDIT_CORRUPT` (an entry was edited, removed,
/// reordered or the metadata does not match), `AUDIT_STORAGE`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_verify(
    log: *mut iomt_audit_log,
    crypto: *mut iomt_crypto,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (log, provider) = unsafe { (boundary::get_mut(log)?, boundary::get_mut(crypto)?) };
        log.verify_stored(provider)?;
        Ok(())
    }
}

/// Discards every held record under a permit for the clear-audit-log operation (from
/// `iomt_rbac_authorize`: administrator role plus operator factor in the default policy)
/// and records the clear itself, so the log never goes silent. Writes how many records
/// were discarded to `*discarded`.
///
/// `permit` is consumed (deinitialized) whatever the result, and redeemed by `auth`, the
/// session that obtained it (single use; see `iomt_rbac_authorize`).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `AUTHZ_PERMIT_INVALID`, `AUTHZ_PERMIT_SPENT`,
/// `AUTHZ_PERMIT_MALFORMED`, `AUTHZ_WRONG_PERMIT`, `AUDIT_STORAGE`,
/// `AUDIT_SEQUENCE_EXHAUSTED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_clear(
    log: *mut iomt_audit_log,
    crypto: *mut iomt_crypto,
    auth: *mut iomt_session_auth,
    permit: *mut iomt_permit,
    now: u64,
    discarded: *mut u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (log, out) = unsafe { (boundary::get_mut(log)?, boundary::output(discarded)?) };
        // SAFETY: forwarded contract.
        let permit = unsafe { authz::redeem(auth, crypto, permit) }?;
        // SAFETY: forwarded contract.
        let provider = unsafe { boundary::get_mut(crypto) }?;
        out.write(log.clear(provider, permit, Timestamp::from_secs(now))?);
        Ok(())
    }
}

/// Writes the signed export summary (`IOMT_AUDIT_SUMMARY_LEN` bytes): device id,
/// the requester's `challenge`, time, first sequence number, held/overwritten/cleared
/// counts, anchor and head, signed (ES256) with the credential's private key. Send it
/// first, then the records chunks (`iomt_audit_log_export_records`).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL` (`*out_len` = size needed),
/// `AUDIT_STORAGE`, `AUDIT_CORRUPT`, crypto errors.
///
/// # Safety
/// Every pointer must be valid as described; `challenge` points to 16 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_export_summary(
    log: *mut iomt_audit_log,
    crypto: *mut iomt_crypto,
    device_key: *const iomt_credential,
    challenge: *const u8,
    now: u64,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (log, provider, cred, challenge, out, len) = unsafe {
            (
                boundary::get_mut(log)?,
                boundary::get_mut(crypto)?,
                boundary::get(device_key)?,
                boundary::fixed(challenge)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let r = log.export_summary(provider, cred.key(), &challenge, Timestamp::from_secs(now), out);
        boundary::written(r, len)
    }
}

/// Writes one records chunk: consecutive records from `from_seq` (as many as fit in
/// `out`, at most `max_records`, at most 255, and only below `end_seq`), and writes the
/// sequence number to continue from to `*next_seq`. Export `first_seq .. next_seq` of the
/// metadata read before the summary.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `AUDIT_NOT_HELD` (range empty, beyond the log, or
/// not held), `BUFFER_TOO_SMALL` (not even one record fits; `*out_len` = size for one),
/// `AUDIT_STORAGE`, `AUDIT_CORRUPT`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_export_records(
    log: *mut iomt_audit_log,
    from_seq: u32,
    end_seq: u32,
    max_records: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
    next_seq: *mut u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (log, out, len, next) = unsafe {
            (
                boundary::get_mut(log)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
                boundary::output(next_seq)?,
            )
        };
        let r = log.export_records(from_seq, end_seq, max_records, out).map(|(n, following)| {
            next.write(following);
            n
        });
        boundary::written(r, len)
    }
}

/// Deinitializes the log object (the records stay in the caller's store). NULL and
/// repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `log` must point to `iomt_audit_log` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_log_deinit(log: *mut iomt_audit_log) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(log) }
    }
}

/// Computes the subject id of a peer identity as sessions, permits and audit records
/// use it: the first 8 bytes of SHA-256 of the identity zero-padded to
/// `IOMT_IDENTITY_LEN` (as `iomt_trust_store_add` stores it, and as `iomt_peer_info`
/// reports it), so `identity` may be given with or without the padding.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `CAPACITY_EXCEEDED` (longer than
/// `IOMT_IDENTITY_LEN`).
///
/// # Safety
/// Every pointer must be valid as described; `out` points to 8 writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_subject_of(
    crypto: *mut iomt_crypto,
    identity: *const u8,
    identity_len: usize,
    out: *mut u8,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (provider, id) = unsafe {
            (boundary::get_mut(crypto)?, boundary::slice(identity, identity_len)?)
        };
        if out.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let mut padded = [0u8; IOMT_IDENTITY_LEN];
        padded
            .get_mut(..id.len())
            .ok_or(iomt_result::CapacityExceeded)?
            .copy_from_slice(id);
        // SAFETY: forwarded contract.
        let dst = unsafe { boundary::slice_mut(out, IOMT_SUBJECT_LEN) }?;
        dst.copy_from_slice(&subject_of::<Provider>(provider, &padded));
        Ok(())
    }
}
