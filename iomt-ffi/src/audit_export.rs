//! Gateway side of the audit export: [`iomt_audit_export_verifier`] checks a device's
//! signed summary, then every records chunk in order, and at the end that the chain over
//! the received records reaches the signed head with nothing missing.
//!
//! # Invariants
//! - Records are trustworthy only after `iomt_audit_export_verifier_finish` returned OK
//!   (a gateway may stage them while feeding, but must drop them on any error).
//! - Any error fails the verifier for good (`OBJECT_FAILED` afterwards): an export with one
//!   bad chunk is re-requested with a fresh challenge, never patched up.
//! - Given the gateway's last checkpoint of the device (`IOMT_AUDIT_CHECKPOINT_LEN` bytes,
//!   from the previous export's `iomt_audit_export_info.checkpoint`), the export must
//!   continue it: erased newest records (`AUDIT_CHECKPOINT_REGRESSION`), a rewritten chain
//!   (`AUDIT_CHECKPOINT_FORK`) and lost records (`AUDIT_CHECKPOINT_GAP`) are refused.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use ::iomt_crypto::PublicKey;
use iomt_auth::audit::{AuditError, CHECKPOINT_LEN, Checkpoint, ExportChunk, ExportVerifier};

use crate::audit::{IOMT_SUBJECT_LEN, iomt_audit_record};
use crate::boundary::{self, FfiResult, ffi_panic_boundary, storage_asserts};
use crate::crypto::iomt_crypto;
use crate::result::iomt_result;

/// What a verified export covers.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct iomt_audit_export_info {
    /// The exporting device's id.
    pub device: [u8; IOMT_SUBJECT_LEN],
    /// Export time (device clock, seconds).
    pub exported_at: u64,
    /// Sequence number of the first exported record.
    pub first_seq: u32,
    /// Records exported (all the device held).
    pub count: u32,
    /// Records the device lost to ring overwrite (before `first_seq`).
    pub overwritten: u32,
    /// Records discarded by authorized clears (before `first_seq`).
    pub cleared: u32,
    /// Chain value after the last record.
    pub head: [u8; 32],
    /// The device's audit ring capacity (slots), as signed.
    pub capacity: u32,
    /// The checkpoint to store for this device and pass to the next export's
    /// `iomt_audit_export_verifier_init` (device id, next sequence number, head).
    pub checkpoint: [u8; IOMT_AUDIT_CHECKPOINT_LEN],
}

impl Default for iomt_audit_export_info {
    fn default() -> Self {
        Self {
            device: [0; IOMT_SUBJECT_LEN],
            exported_at: 0,
            first_seq: 0,
            count: 0,
            overwritten: 0,
            cleared: 0,
            head: [0; 32],
            capacity: 0,
            checkpoint: [0; IOMT_AUDIT_CHECKPOINT_LEN],
        }
    }
}

/// Length of an encoded audit checkpoint.
pub const IOMT_AUDIT_CHECKPOINT_LEN: usize = 44;
const _: () = assert!(IOMT_AUDIT_CHECKPOINT_LEN == CHECKPOINT_LEN);

#[expect(
    clippy::large_enum_variant,
    reason = "no heap: the caller's storage is sized for the largest state anyway"
)]
enum VState {
    Feeding(ExportVerifier),
    Done,
    Failed,
}

/// The verifier object.
pub(crate) struct VerifierObj {
    state: VState,
}

/// Size of [`iomt_audit_export_verifier`] storage in bytes.
pub const IOMT_AUDIT_EXPORT_VERIFIER_SIZE: usize = 320;
/// Alignment of [`iomt_audit_export_verifier`] storage.
pub const IOMT_AUDIT_EXPORT_VERIFIER_ALIGN: usize = 8;

/// Verifies one audit export from a device (gateway side).
#[repr(C, align(8))]
pub struct iomt_audit_export_verifier {
    _opaque: [u8; IOMT_AUDIT_EXPORT_VERIFIER_SIZE],
}

storage_asserts!(
    iomt_audit_export_verifier,
    VerifierObj,
    IOMT_AUDIT_EXPORT_VERIFIER_SIZE,
    IOMT_AUDIT_EXPORT_VERIFIER_ALIGN,
    0x696f_6d74_4158_5056
);

/// Starts verifying an export: parses the summary, checks its ES256 signature with the
/// device's public key (`IOMT_PUBLIC_KEY_LEN` bytes, SEC1 uncompressed), the device id
/// (if `expected_device` is not NULL), the challenge this gateway sent, that the
/// counters account for every record before the first exported one and fit the signed
/// ring capacity, and — if `last_checkpoint` is not NULL — that the export continues the
/// gateway's last verified checkpoint of this device (`IOMT_AUDIT_CHECKPOINT_LEN` bytes).
/// Pass NULL only at first contact, or to start over after `AUDIT_CHECKPOINT_GAP`.
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`, `CRYPTO_INVALID_LENGTH` /
/// `CRYPTO_INVALID_PUBLIC_KEY` (the key),
/// `AUDIT_MALFORMED` / `AUDIT_UNSUPPORTED_VERSION` (not a summary),
/// `AUDIT_SIGNATURE_INVALID`, `AUDIT_DEVICE_MISMATCH` (also: the checkpoint is another
/// device's), `AUDIT_CHALLENGE_MISMATCH`, `AUDIT_UNACCOUNTED`, `AUDIT_CHAIN_MISMATCH`,
/// `AUDIT_RING_INCONSISTENT`, `AUDIT_CHECKPOINT_REGRESSION`, `AUDIT_CHECKPOINT_FORK`,
/// `AUDIT_CHECKPOINT_GAP`. Nothing is initialized on error.
///
/// # Safety
/// `verifier` must point to writable storage; every buffer must be valid for its length;
/// `expected_device` (if not NULL) points to 8 bytes, `last_checkpoint` (if not NULL) to
/// `IOMT_AUDIT_CHECKPOINT_LEN` and `challenge` to 16.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_export_verifier_init(
    verifier: *mut iomt_audit_export_verifier,
    crypto: *mut iomt_crypto,
    summary: *const u8,
    summary_len: usize,
    device_public_key: *const u8,
    device_public_key_len: usize,
    expected_device: *const u8,
    last_checkpoint: *const u8,
    challenge: *const u8,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (provider, summary, pk, challenge) = unsafe {
            (
                boundary::get_mut(crypto)?,
                boundary::slice(summary, summary_len)?,
                boundary::slice(device_public_key, device_public_key_len)?,
                boundary::fixed(challenge)?,
            )
        };
        if verifier.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let expected = if expected_device.is_null() {
            None
        } else {
            // SAFETY: forwarded contract.
            Some(unsafe { boundary::fixed(expected_device)? })
        };
        let last = if last_checkpoint.is_null() {
            None
        } else {
            // SAFETY: forwarded contract.
            let b: [u8; IOMT_AUDIT_CHECKPOINT_LEN] = unsafe { boundary::fixed(last_checkpoint)? };
            Some(Checkpoint::decode(&b)?)
        };
        let key = PublicKey::from_sec1_bytes(pk)?;
        let ExportChunk::Summary(s) = ExportChunk::decode(summary)? else {
            return Err(AuditError::Malformed.into());
        };
        let v = ExportVerifier::new(provider, &s, &key, expected, last.as_ref(), &challenge)?;
        let obj = VerifierObj {
            state: VState::Feeding(v),
        };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(verifier, obj) }
    }
}

/// Feeds the next records chunk (in order). Records are not trustworthy before
/// `iomt_audit_export_verifier_finish` returns OK.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` (after finish), `OBJECT_FAILED`,
/// `AUDIT_MALFORMED` (not a records chunk), `AUDIT_SEQUENCE_GAP` (missing, duplicated or
/// reordered chunk), `AUDIT_TOO_MANY_RECORDS`, `AUDIT_CHECKPOINT_FORK` (the chain misses
/// the checkpoint's head), `AUDIT_RING_INCONSISTENT` (records hidden as if the ring had
/// wrapped). Any error fails the verifier.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_export_verifier_feed(
    verifier: *mut iomt_audit_export_verifier,
    crypto: *mut iomt_crypto,
    chunk: *const u8,
    chunk_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, bytes) = unsafe {
            (
                boundary::get_mut(verifier)?,
                boundary::get_mut(crypto)?,
                boundary::slice(chunk, chunk_len)?,
            )
        };
        let VState::Feeding(v) = &mut obj.state else {
            return Err(not_feeding(&obj.state));
        };
        let r = match ExportChunk::decode(bytes) {
            Ok(ExportChunk::Records(c)) => v.feed(provider, &c),
            Ok(_) => Err(AuditError::Malformed),
            Err(e) => Err(e),
        };
        fail_on_error(obj, r)
    }
}

/// Ends the export: every signed record must have arrived and the chain over them must
/// reach the signed head. On success writes what the export covers to `*info`; the
/// records fed are then authentic and complete.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE`, `OBJECT_FAILED`,
/// `AUDIT_INCOMPLETE`, `AUDIT_CHAIN_MISMATCH` (a record was edited). Any error fails the
/// verifier.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_export_verifier_finish(
    verifier: *mut iomt_audit_export_verifier,
    info: *mut iomt_audit_export_info,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, out) = unsafe { (boundary::get_mut(verifier)?, boundary::output(info)?) };
        let v = match core::mem::replace(&mut obj.state, VState::Failed) {
            VState::Feeding(v) => v,
            other => {
                let e = not_feeding(&other);
                obj.state = other;
                return Err(e);
            }
        };
        let done = v.finish()?;
        let s = done.summary;
        let checkpoint = done.checkpoint().encode();
        obj.state = VState::Done;
        out.write(iomt_audit_export_info {
            device: s.device,
            exported_at: s.exported_at.as_secs(),
            first_seq: s.first_seq,
            count: s.count,
            overwritten: s.overwritten,
            cleared: s.cleared,
            head: s.head,
            capacity: s.capacity,
            checkpoint,
        });
        Ok(())
    }
}

/// Deinitializes the verifier. NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `verifier` must point to `iomt_audit_export_verifier` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_export_verifier_deinit(
    verifier: *mut iomt_audit_export_verifier,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(verifier) }
    }
}

/// Decodes record `index` (0-based) of a records chunk into `*record` and writes the
/// number of records in the chunk to `*count`. For displaying or storing records; they
/// are authentic only once the export verified.
///
/// # Errors
/// `NULL_PARAMETER`, `AUDIT_MALFORMED` (not a valid records chunk),
/// `AUDIT_UNSUPPORTED_VERSION`, `AUDIT_SEQUENCE_GAP` (records in the chunk are not
/// consecutive), `NOT_FOUND` (index past the last record; `*count` is still written).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_audit_chunk_record(
    chunk: *const u8,
    chunk_len: usize,
    index: usize,
    record: *mut iomt_audit_record,
    count: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (bytes, out, n) = unsafe {
            (
                boundary::slice(chunk, chunk_len)?,
                boundary::output(record)?,
                boundary::output(count)?,
            )
        };
        let ExportChunk::Records(c) = ExportChunk::decode(bytes)? else {
            return Err(AuditError::Malformed.into());
        };
        n.write(c.len());
        let r = c.records().nth(index).ok_or(iomt_result::NotFound)?;
        out.write(r.into());
        Ok(())
    }
}

fn not_feeding(state: &VState) -> iomt_result {
    match state {
        VState::Failed => iomt_result::ObjectFailed,
        _ => iomt_result::WrongState,
    }
}

fn fail_on_error(obj: &mut VerifierObj, r: Result<(), AuditError>) -> FfiResult {
    r.map_err(|e| {
        obj.state = VState::Failed;
        e.into()
    })
}
