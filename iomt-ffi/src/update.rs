//! Signed firmware updates for C: [`iomt_update`] verifies a vendor-signed COSE_Sign1
//! (ES256) manifest, streams the image through SHA-256 and accepts it only after the size,
//! the digest, the anti-rollback rule, the authorization and the audit record all check
//! out (`iomt_auth::update`).
//!
//! # Flow
//! 1. Authorize the operator's session for the firmware-update operation with
//!    `iomt_rbac_authorize` (technician role plus operator factor in the default policy);
//!    that writes an [`iomt_permit`].
//! 2. [`iomt_update_begin`] checks the permit, verifies the manifest envelope against the
//!    [`iomt_vendor_anchor`] (signer, signature, vendor id, device class, deterministic
//!    CBOR, no trailing bytes) and the offered version against the
//!    [`iomt_rollback_counter_ops`] (strictly newer than the installed version, which must
//!    be at least the manifest's `min_version`). Only then is the object initialized.
//! 3. [`iomt_update_write`] absorbs the image chunk by chunk (write each chunk to the
//!    staging slot as it arrives, but never boot it yet). More bytes than the manifest's
//!    `image_size` are refused at once and poison the object.
//! 4. [`iomt_update_finish`] checks size and digest, re-checks the counter, writes the
//!    update-accepted audit record and only then advances the rollback counter. The object
//!    is then `Accepted` (the image may be booted) or `Failed`.
//!
//! # Invariants
//! - Nothing is accepted before `iomt_update_finish` returns OK: there is no partial
//!   acceptance, and a failed object stays failed (`OBJECT_FAILED`); an accepted one
//!   refuses further writes and finishes (`WRONG_STATE`).
//! - The rollback counter only moves after full verification *and* a written audit
//!   record; every rejection in `begin` or `finish` is audited as update-rejected (with the
//!   `iomt_auth::update::UpdateError` code in the record's detail).
//! - The manifest decoder only ever sees signature-verified bytes.
//! - The counter callbacks are copied into a local adapter for the duration of one call
//!   (`begin`, `finish`); the object keeps no pointer to them.
//!
//! ```no_run
//! use iomt_ffi::*;
//! # unsafe fn demo(
//! #     up: *mut iomt_update, crypto: *mut iomt_crypto, log: *mut iomt_audit_log,
//! #     auth: *mut iomt_session_auth, permit: *mut iomt_permit, anchor: *const iomt_vendor_anchor,
//! #     counter: *const iomt_rollback_counter_ops, envelope: &[u8], image: &[u8],
//! # ) {
//! let now = 1_800_000_000;
//! // SAFETY: every pointer is a live object of its type (set up by the caller).
//! unsafe {
//!     let r = iomt_update_begin(up, crypto, log, auth, permit, anchor,
//!         envelope.as_ptr(), envelope.len(), counter, now);
//!     assert_eq!(r, iomt_result::Ok);
//!     for chunk in image.chunks(256) {
//!         // write `chunk` to the staging slot here
//!         assert_eq!(iomt_update_write(up, chunk.as_ptr(), chunk.len()), iomt_result::Ok);
//!     }
//!     let mut info = iomt_update_info::default();
//!     assert_eq!(iomt_update_finish(up, crypto, log, counter, now, &mut info), iomt_result::Ok);
//!     // info.version is now installed; boot the staged image
//!     iomt_update_deinit(up);
//! }
//! # }
//! ```
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use core::ffi::c_void;

use ::iomt_crypto::PublicKey;
use iomt_auth::update::{
    AcceptedUpdate, CounterError, Manifest, RollbackCounter, UpdateVerifier, VendorAnchor,
};
use iomt_core::Timestamp;

use crate::audit::iomt_audit_log;
use crate::authz::{self, iomt_permit, iomt_session_auth};
use crate::boundary::{self, ffi_panic_boundary, storage_asserts};
use crate::crypto::{IOMT_PUBLIC_KEY_LEN, Provider, iomt_crypto};
use crate::result::iomt_result;

/// Length of an image digest (SHA-256).
pub const IOMT_UPDATE_DIGEST_LEN: usize = 32;
/// Largest manifest envelope (COSE_Sign1) the verifier accepts; longer input is refused
/// as malformed or as trailing bytes.
pub const IOMT_UPDATE_MAX_ENVELOPE_LEN: usize = 151;

const _: () = assert!(IOMT_UPDATE_MAX_ENVELOPE_LEN == iomt_auth::update::MAX_ENVELOPE_LEN);

/// Reads the counter (the installed firmware version) into `*value`; 0 on success.
pub type iomt_rollback_current =
    Option<unsafe extern "C" fn(userdata: *mut c_void, value: *mut u32) -> i32>;
/// Advances the counter to `to` durably before returning; 0 on success. Must refuse (return
/// non-zero for) `to` below the current value.
pub type iomt_rollback_advance =
    Option<unsafe extern "C" fn(userdata: *mut c_void, to: u32) -> i32>;

/// The device's monotonic anti-rollback counter (OTP fuses, a secure element counter, a
/// replay-protected flash word) holding the installed firmware version. Passed to each
/// call that needs it and used only during that call; the callbacks must not call back
/// into iomt.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_rollback_counter_ops {
    /// Passed to every callback.
    pub userdata: *mut c_void,
    /// Reads the current value.
    pub current: iomt_rollback_current,
    /// Advances the value (never decreases it).
    pub advance: iomt_rollback_advance,
}

/// The caller's counter behind `iomt_auth::update::RollbackCounter`, for one call. It
/// remembers the last value read (the installed version `begin` checked against).
struct CallbackCounter {
    userdata: *mut c_void,
    current: unsafe extern "C" fn(*mut c_void, *mut u32) -> i32,
    advance: unsafe extern "C" fn(*mut c_void, u32) -> i32,
    last_read: u32,
}

impl CallbackCounter {
    /// The adapter over `ops`.
    ///
    /// # Safety
    /// A non-NULL `ops` must point to a valid [`iomt_rollback_counter_ops`] whose
    /// callbacks are safe to call with its `userdata` for the duration of the call.
    unsafe fn new(ops: *const iomt_rollback_counter_ops) -> Result<Self, iomt_result> {
        // SAFETY: forwarded contract.
        let ops = unsafe { boundary::input(ops) }?;
        Ok(Self {
            userdata: ops.userdata,
            current: ops.current.ok_or(iomt_result::NullParameter)?,
            advance: ops.advance.ok_or(iomt_result::NullParameter)?,
            last_read: 0,
        })
    }
}

impl RollbackCounter for CallbackCounter {
    fn current(&mut self) -> Result<u32, CounterError> {
        let mut value = 0u32;
        // SAFETY: a valid local for the call; the callback's contract is on
        // `iomt_rollback_current`.
        let rc = unsafe { (self.current)(self.userdata, &raw mut value) };
        if rc != 0 {
            return Err(CounterError);
        }
        self.last_read = value;
        Ok(value)
    }

    fn advance(&mut self, to: u32) -> Result<(), CounterError> {
        // SAFETY: the callback's contract is on `iomt_rollback_advance`.
        let rc = unsafe { (self.advance)(self.userdata, to) };
        if rc == 0 { Ok(()) } else { Err(CounterError) }
    }
}

/// What this device trusts for updates: the vendor id, this device's class and the
/// vendor's ES256 public key.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct iomt_vendor_anchor {
    /// Expected vendor id.
    pub vendor_id: u32,
    /// This device's class.
    pub device_class: u32,
    /// The vendor's P-256 public key, SEC1 uncompressed (`0x04 ‖ x ‖ y`).
    pub public_key: [u8; IOMT_PUBLIC_KEY_LEN],
}

impl iomt_vendor_anchor {
    fn to_rust(self) -> Result<VendorAnchor, iomt_result> {
        Ok(VendorAnchor {
            vendor_id: self.vendor_id,
            device_class: self.device_class,
            key: PublicKey::from_sec1_bytes(&self.public_key)?,
        })
    }
}

/// The verified manifest of an update and how far it got.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct iomt_update_info {
    /// The manifest's vendor id.
    pub vendor_id: u32,
    /// The manifest's device class.
    pub device_class: u32,
    /// The offered firmware version.
    pub version: u32,
    /// The lowest installed version this image may be applied on.
    pub min_version: u32,
    /// The image size in bytes.
    pub image_size: u32,
    /// SHA-256 of the image.
    pub digest: [u8; IOMT_UPDATE_DIGEST_LEN],
    /// The version installed when the update began (the counter's value then).
    pub previous_version: u32,
    /// Image bytes received so far.
    pub received: u32,
    /// Sequence number of the update-accepted audit record (0 unless `accepted`).
    pub audit_seq: u32,
    /// 1 once `iomt_update_finish` accepted the update, else 0 (a `uint32_t`: the struct
    /// has no padding bytes).
    pub accepted: u32,
}

const _: () = assert!(
    size_of::<iomt_update_info>() == 9 * 4 + IOMT_UPDATE_DIGEST_LEN,
    "iomt_update_info has no padding"
);

impl iomt_update_info {
    const fn new(m: &Manifest, previous_version: u32, received: u32) -> Self {
        Self {
            vendor_id: m.vendor_id,
            device_class: m.device_class,
            version: m.version,
            min_version: m.min_version,
            image_size: m.image_size,
            digest: m.digest,
            previous_version,
            received,
            audit_seq: 0,
            accepted: 0,
        }
    }

    const fn accepted(a: &AcceptedUpdate) -> Self {
        let m = a.manifest();
        let mut info = Self::new(m, a.previous_version(), m.image_size);
        info.audit_seq = a.audit_seq();
        info.accepted = 1;
        info
    }
}

/// The streaming verifier over the provider's SHA-256.
type Verifier = UpdateVerifier<<Provider as ::iomt_crypto::Hashing>::Sha256>;

/// The state inside [`iomt_update`] storage.
pub(crate) enum UpdateObj {
    /// Manifest verified; the image is streaming.
    Verifying {
        /// The verifier.
        verifier: Verifier,
        /// The installed version `begin` checked against.
        previous_version: u32,
    },
    /// `finish` succeeded: audited, counter advanced.
    Accepted(AcceptedUpdate),
    /// `finish` failed (rejection audited); nothing more is possible.
    Failed,
}

/// Size of [`iomt_update`] storage in bytes.
pub const IOMT_UPDATE_SIZE: usize = 256;
/// Alignment of [`iomt_update`] storage.
pub const IOMT_UPDATE_ALIGN: usize = 8;

/// One firmware update in progress (or finished): the verified manifest and the running
/// image hash. Caller-allocated; set up by `iomt_update_begin`.
#[repr(C, align(8))]
pub struct iomt_update {
    _opaque: [u8; IOMT_UPDATE_SIZE],
}

storage_asserts!(
    iomt_update,
    UpdateObj,
    IOMT_UPDATE_SIZE,
    IOMT_UPDATE_ALIGN,
    0x696f_6d74_5550_4454
);

/// Starts an update: has `auth` (the session that obtained `permit`) redeem the permit
/// (consumed whatever the result: single use), checks that it is for the firmware-update
/// operation, verifies
/// the COSE_Sign1 manifest `envelope` against `anchor` and the offered version against
/// the rollback counter, records the update's start (`UPDATE_STARTED`; if that record
/// cannot be written nothing starts: `AUTHZ_AUDIT_UNAVAILABLE`), then initializes
/// `update`. Every rejection is written to the audit log (best effort: the rejection is
/// reported even if that write fails).
///
/// On error nothing is initialized (storage that held a live update keeps it); on success
/// the storage is overwritten (a previous update in it is abandoned, as by deinit).
///
/// # Errors
/// `NULL_PARAMETER` (any pointer or counter callback NULL), `MISALIGNED_STORAGE`,
/// `NOT_INITIALIZED` (crypto, log, auth or permit), `INVALID_ARGUMENT` (huge `envelope_len`),
/// `CRYPTO_INVALID_LENGTH` / `CRYPTO_INVALID_PUBLIC_KEY` (the anchor's key),
/// `AUTHZ_PERMIT_INVALID`, `AUTHZ_PERMIT_SPENT`, `AUTHZ_PERMIT_MALFORMED`,
/// `AUTHZ_WRONG_PERMIT`, `UPDATE_MALFORMED`, `UPDATE_NON_DETERMINISTIC`,
/// `UPDATE_TRAILING_BYTES`, `UPDATE_UNSUPPORTED_ALGORITHM`, `UPDATE_UNKNOWN_SIGNER`,
/// `UPDATE_BAD_SIGNATURE`, `UPDATE_WRONG_VENDOR`, `UPDATE_WRONG_DEVICE_CLASS`,
/// `UPDATE_DOWNGRADE`, `UPDATE_SAME_VERSION`, `UPDATE_BASE_TOO_OLD`, `UPDATE_COUNTER`
/// (the counter could not be read).
///
/// # Safety
/// `update` must point to writable `iomt_update` storage; `crypto`, `log`, `auth` and
/// `permit` to live objects; `anchor` and `counter` to valid structs (the counter callbacks callable
/// with its `userdata` during the call); `envelope` to `envelope_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_update_begin(
    update: *mut iomt_update,
    crypto: *mut iomt_crypto,
    log: *mut iomt_audit_log,
    auth: *mut iomt_session_auth,
    permit: *mut iomt_permit,
    anchor: *const iomt_vendor_anchor,
    envelope: *const u8,
    envelope_len: usize,
    counter: *const iomt_rollback_counter_ops,
    now: u64,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (log, anchor, envelope, mut counter) = unsafe {
            (
                boundary::get_mut(log)?,
                boundary::input(anchor)?,
                boundary::slice(envelope, envelope_len)?,
                CallbackCounter::new(counter)?,
            )
        };
        if update.is_null() {
            return Err(iomt_result::NullParameter);
        }
        if !(update as usize).is_multiple_of(IOMT_UPDATE_ALIGN) {
            return Err(iomt_result::MisalignedStorage);
        }
        let anchor = anchor.to_rust()?;
        // SAFETY: forwarded contract.
        let permit = unsafe { authz::redeem(auth, crypto, permit) }?;
        // SAFETY: forwarded contract.
        let provider = unsafe { boundary::get_mut(crypto) }?;
        let verifier = Verifier::begin(
            provider,
            log,
            permit,
            &anchor,
            envelope,
            &mut counter,
            Timestamp::from_secs(now),
        )?;
        let obj = UpdateObj::Verifying { verifier, previous_version: counter.last_read };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(update, obj) }
    }
}

/// Writes the verified manifest and the progress (bytes received; after acceptance also
/// the audit sequence number) to `*info`.
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`, `NOT_INITIALIZED`, `OBJECT_FAILED` (the update
/// was rejected at finish).
///
/// # Safety
/// `update` must point to `iomt_update` storage; `info` to a writable
/// `iomt_update_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_update_manifest(
    update: *const iomt_update,
    info: *mut iomt_update_info,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, out) = unsafe { (boundary::get(update)?, boundary::output(info)?) };
        let value = match obj {
            UpdateObj::Verifying { verifier, previous_version } => {
                iomt_update_info::new(verifier.manifest(), *previous_version, verifier.received())
            }
            UpdateObj::Accepted(a) => iomt_update_info::accepted(a),
            UpdateObj::Failed => return Err(iomt_result::ObjectFailed),
        };
        out.write(value);
        Ok(())
    }
}

/// Absorbs the next image chunk (`len` may be 0). A chunk that takes the total beyond the
/// manifest's `image_size` is refused and poisons the update: every later write repeats
/// the error and `iomt_update_finish` rejects (and audits) it.
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`, `NOT_INITIALIZED`, `INVALID_ARGUMENT` (huge
/// `len`), `UPDATE_IMAGE_TOO_LONG`, `WRONG_STATE` (already accepted), `OBJECT_FAILED`.
///
/// # Safety
/// `update` must point to `iomt_update` storage; `chunk` to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_update_write(
    update: *mut iomt_update,
    chunk: *const u8,
    len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (obj, chunk) = unsafe { (boundary::get_mut(update)?, boundary::slice(chunk, len)?) };
        match obj {
            UpdateObj::Verifying { verifier, .. } => Ok(verifier.update(chunk)?),
            UpdateObj::Accepted(_) => Err(iomt_result::WrongState),
            UpdateObj::Failed => Err(iomt_result::ObjectFailed),
        }
    }
}

/// Ends the update: the image must have exactly the manifest's size and digest and the
/// counter must still be below the offered version; then the acceptance is audited and
/// the rollback counter advanced to the new version (in that order), `*info` is written
/// and the object becomes accepted. On any failure the rejection is audited, the counter
/// is not moved (unless its own advance failed after the audit record) and the object
/// becomes failed.
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`, `NOT_INITIALIZED`, `WRONG_STATE` (already
/// accepted), `OBJECT_FAILED` (already rejected), `UPDATE_IMAGE_TOO_LONG` (from an earlier
/// write), `UPDATE_IMAGE_TRUNCATED`, `UPDATE_DIGEST_MISMATCH`, `UPDATE_DOWNGRADE` /
/// `UPDATE_SAME_VERSION` / `UPDATE_BASE_TOO_OLD` (the counter moved since begin),
/// `AUTHZ_AUDIT_UNAVAILABLE` (the acceptance record could not be written: fail closed),
/// `UPDATE_COUNTER`.
///
/// # Safety
/// `update`, `crypto` and `log` must point to live objects; `counter` to a valid struct
/// (callbacks callable with its `userdata` during the call); `info` to a writable
/// `iomt_update_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_update_finish(
    update: *mut iomt_update,
    crypto: *mut iomt_crypto,
    log: *mut iomt_audit_log,
    counter: *const iomt_rollback_counter_ops,
    now: u64,
    info: *mut iomt_update_info,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (obj, provider, log, mut counter, out) = unsafe {
            (
                boundary::get_mut(update)?,
                boundary::get_mut(crypto)?,
                boundary::get_mut(log)?,
                CallbackCounter::new(counter)?,
                boundary::output(info)?,
            )
        };
        match obj {
            UpdateObj::Verifying { .. } => {}
            UpdateObj::Accepted(_) => return Err(iomt_result::WrongState),
            UpdateObj::Failed => return Err(iomt_result::ObjectFailed),
        }
        let UpdateObj::Verifying { verifier, .. } = core::mem::replace(obj, UpdateObj::Failed)
        else {
            return Err(iomt_result::WrongState);
        };
        let accepted = verifier.finish(provider, log, &mut counter, Timestamp::from_secs(now))?;
        *obj = UpdateObj::Accepted(accepted);
        out.write(iomt_update_info::accepted(&accepted));
        Ok(())
    }
}

/// Abandons an unfinished update with a record: the rejection is audited with the error
/// that poisoned it (e.g. `UPDATE_IMAGE_TOO_LONG`) or `UPDATE_ABANDONED`, then the object
/// is deinitialized. On an accepted or failed update (already audited) or NULL/dead storage
/// it only deinitializes.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED` (crypto, log), `MISALIGNED_STORAGE`; the recorded
/// error of an unfinished update (`UPDATE_ABANDONED`, `UPDATE_IMAGE_TOO_LONG`).
///
/// # Safety
/// `update` must point to `iomt_update` storage; `crypto` and `log` to live objects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_update_abandon(
    update: *mut iomt_update,
    crypto: *mut iomt_crypto,
    log: *mut iomt_audit_log,
    now: u64,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (provider, log) = unsafe { (boundary::get_mut(crypto)?, boundary::get_mut(log)?) };
        // SAFETY: forwarded contract.
        let obj = unsafe { boundary::get_mut(update) };
        let recorded = match obj.map(|o| core::mem::replace(o, UpdateObj::Failed)) {
            Ok(UpdateObj::Verifying { verifier, .. }) => {
                Err(verifier.abandon(provider, log, Timestamp::from_secs(now)))
            }
            _ => Ok(()),
        };
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(update) }?;
        recorded.map_err(Into::into)
    }
}

/// Deinitializes the update object. An unfinished update is abandoned without an outcome
/// record (its `UPDATE_STARTED` intent record stays the trace; nothing was accepted and
/// the counter did not move): prefer `iomt_update_abandon`. NULL and repeated calls are
/// fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `update` must point to `iomt_update` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_update_deinit(update: *mut iomt_update) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(update) }
    }
}
