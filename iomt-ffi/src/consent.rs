//! Consent issued by a consent authority, verified at the gateway (C API over
//! `iomt_auth::consent`).
//!
//! # Flow (gateway)
//! ```text
//! iomt_consent_verifier_init → iomt_consent_verifier_add_authority(SEC1 key) …
//! per session: consent frame opened → iomt_consent_verify(auth, patient, tag) → iomt_verified_consent
//! per data frame: iomt_consent_check_frame(verified, frame's bound tag, now)
//! from the authority: iomt_consent_withdraw(signed withdrawal) / iomt_consent_learn_revision(tag)
//!   → the next check_frame of every affected session fails with CONSENT_WITHDRAWN /
//!     CONSENT_OLDER_REVISION: close it with IOMT close reason 7 (consent required)
//! ```
//!
//! # Invariants
//! - Every refusal by `iomt_consent_verify` is written to the audit log first; if that
//!   write fails the result is `AUTHZ_AUDIT_UNAVAILABLE` (fail closed).
//! - An `iomt_verified_consent` is only ever filled by a successful verify; a byte copy of
//!   it reads as `NOT_INITIALIZED` (the boundary's address-bound magic).
//! - The device is taken from `iomt_session_auth` (the EDHOC-authenticated peer), never
//!   from the caller.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use ::iomt_crypto::PublicKey;
use iomt_auth::consent::{ConsentAuthority, ConsentVerifier, Expected, VerifiedConsent};
use iomt_core::{PatientId, Timestamp};

use crate::audit::iomt_audit_log;
use crate::authz::iomt_session_auth;
use crate::boundary::{self, ffi_panic_boundary, storage_asserts};
use crate::crypto::iomt_crypto;
use crate::result::iomt_result;

/// Authorities a C verifier holds.
pub const IOMT_CONSENT_MAX_AUTHORITIES: usize = 4;
/// Consent references a C verifier tracks (revisions and withdrawals).
pub const IOMT_CONSENT_MAX_REFERENCES: usize = 32;
/// Size of [`iomt_consent_verifier`] storage in bytes.
pub const IOMT_CONSENT_VERIFIER_SIZE: usize = 2048;
/// Alignment of [`iomt_consent_verifier`] storage.
pub const IOMT_CONSENT_VERIFIER_ALIGN: usize = 8;
/// Size of [`iomt_verified_consent`] storage in bytes.
pub const IOMT_VERIFIED_CONSENT_SIZE: usize = 512;
/// Alignment of [`iomt_verified_consent`] storage.
pub const IOMT_VERIFIED_CONSENT_ALIGN: usize = 8;

type Verifier = ConsentVerifier<IOMT_CONSENT_MAX_AUTHORITIES, IOMT_CONSENT_MAX_REFERENCES>;

/// The gateway's consent verifier: authority keys, newest revision and withdrawal per
/// consent reference.
#[repr(C, align(8))]
pub struct iomt_consent_verifier {
    _opaque: [u8; IOMT_CONSENT_VERIFIER_SIZE],
}

storage_asserts!(
    iomt_consent_verifier,
    Verifier,
    IOMT_CONSENT_VERIFIER_SIZE,
    IOMT_CONSENT_VERIFIER_ALIGN,
    0x696f_6d74_434e_5356
);

/// A tag that `iomt_consent_verify` accepted for one session.
#[repr(C, align(8))]
pub struct iomt_verified_consent {
    _opaque: [u8; IOMT_VERIFIED_CONSENT_SIZE],
}

storage_asserts!(
    iomt_verified_consent,
    VerifiedConsent,
    IOMT_VERIFIED_CONSENT_SIZE,
    IOMT_VERIFIED_CONSENT_ALIGN,
    0x696f_6d74_4356_4644
);

/// Initializes an empty verifier (no authority: every tag is refused).
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`.
///
/// # Safety
/// `verifier` must point to writable `iomt_consent_verifier` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_verifier_init(
    verifier: *mut iomt_consent_verifier,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::init(verifier, Verifier::new()) }
    }
}

/// Trusts the consent authority whose ES256 public key is `key` (SEC1, 65 bytes
/// uncompressed); its key id is the first 8 bytes of SHA-256 of that encoding.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `CRYPTO_INVALID_LENGTH` / `CRYPTO_INVALID_PUBLIC_KEY`,
/// `CONSENT_TABLE_FULL` (4 authorities already).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_verifier_add_authority(
    verifier: *mut iomt_consent_verifier,
    crypto: *mut iomt_crypto,
    key: *const u8,
    key_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (v, provider, key) = unsafe {
            (
                boundary::get_mut(verifier)?,
                boundary::get_mut(crypto)?,
                boundary::required_slice(key, key_len)?,
            )
        };
        let key = PublicKey::from_sec1_bytes(key)?;
        let authority = ConsentAuthority::new(provider, key)?;
        v.add_authority(authority)?;
        Ok(())
    }
}

/// Verifies the tag a device presented (a consent frame's payload) for the session
/// `auth` (its EDHOC-authenticated peer) serving the patient `patient_id` (the gateway's
/// own assignment): authority signature, device and patient binding, validity at `now`,
/// revision order, withdrawal. On success `out` holds the verified tag; on any refusal
/// the refusal is audited in `log` first and `out` is left untouched.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `MISALIGNED_STORAGE`, `CONSENT_*` (the reason),
/// `AUTHZ_AUDIT_UNAVAILABLE` (refused, and the refusal could not be recorded).
///
/// # Safety
/// Every pointer must be valid as described; `out` points to writable
/// `iomt_verified_consent` storage (an initialized one is replaced only on success).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_verify(
    verifier: *mut iomt_consent_verifier,
    crypto: *mut iomt_crypto,
    log: *mut iomt_audit_log,
    auth: *const iomt_session_auth,
    patient_id: *const u8,
    patient_id_len: usize,
    tag: *const u8,
    tag_len: usize,
    now: u64,
    out: *mut iomt_verified_consent,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (v, provider, log, a, patient, tag) = unsafe {
            (
                boundary::get_mut(verifier)?,
                boundary::get_mut(crypto)?,
                boundary::get_mut(log)?,
                boundary::get(auth)?,
                boundary::required_slice(patient_id, patient_id_len)?,
                boundary::required_slice(tag, tag_len)?,
            )
        };
        if out.is_null() {
            return Err(iomt_result::NullParameter);
        }
        let patient = PatientId::new(patient).map_err(|_| iomt_result::InvalidArgument)?;
        let expected = Expected { device: a.auth.subject(), patient: &patient };
        let verified =
            v.verify_audited(provider, log, tag, expected, Timestamp::from_secs(now))?;
        // SAFETY: forwarded contract; a live object is dropped and replaced.
        unsafe {
            let _ = boundary::deinit(out);
            boundary::init(out, verified)
        }
    }
}

/// Per data frame: `bound_tag` (the tag the opened frame is bound to) must be the tag
/// verified for this session and still valid, not superseded and not withdrawn at `now`.
/// A withdrawal applied with `iomt_consent_withdraw` makes the next call fail.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `CONSENT_NOT_VERIFIED`, `CONSENT_EXPIRED`,
/// `CONSENT_NOT_YET_VALID`, `CONSENT_OLDER_REVISION`, `CONSENT_WITHDRAWN`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_check_frame(
    verifier: *const iomt_consent_verifier,
    verified: *const iomt_verified_consent,
    bound_tag: *const u8,
    bound_tag_len: usize,
    now: u64,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (v, vc, bound) = unsafe {
            (
                boundary::get(verifier)?,
                boundary::get(verified)?,
                boundary::required_slice(bound_tag, bound_tag_len)?,
            )
        };
        v.check_frame(vc, bound, Timestamp::from_secs(now))?;
        Ok(())
    }
}

/// Applies the authority's signed withdrawal (received from the authority, not from a
/// device): every tag of that consent up to the withdrawn revision is refused from now
/// on, including in running sessions (`iomt_consent_check_frame`). Recorded in `log`;
/// if that write fails the withdrawal still applies and the result is
/// `AUTHZ_AUDIT_UNAVAILABLE`.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `CONSENT_MALFORMED`, `CONSENT_UNSIGNED`,
/// `CONSENT_UNKNOWN_AUTHORITY`, `CONSENT_BAD_SIGNATURE`, `CONSENT_TABLE_FULL`,
/// `AUTHZ_AUDIT_UNAVAILABLE`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_withdraw(
    verifier: *mut iomt_consent_verifier,
    crypto: *mut iomt_crypto,
    log: *mut iomt_audit_log,
    withdrawal: *const u8,
    withdrawal_len: usize,
    now: u64,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (v, provider, log, w) = unsafe {
            (
                boundary::get_mut(verifier)?,
                boundary::get_mut(crypto)?,
                boundary::get_mut(log)?,
                boundary::required_slice(withdrawal, withdrawal_len)?,
            )
        };
        v.withdraw(provider, log, w, Timestamp::from_secs(now))?;
        Ok(())
    }
}

/// Learns a newer revision directly from the authority (a signed tag): older revisions
/// of that consent are refused from now on.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `CONSENT_MALFORMED`, `CONSENT_UNBOUND`,
/// `CONSENT_UNSIGNED`, `CONSENT_UNKNOWN_AUTHORITY`, `CONSENT_BAD_SIGNATURE`,
/// `CONSENT_TABLE_FULL`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_learn_revision(
    verifier: *mut iomt_consent_verifier,
    crypto: *mut iomt_crypto,
    tag: *const u8,
    tag_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (v, provider, t) = unsafe {
            (
                boundary::get_mut(verifier)?,
                boundary::get_mut(crypto)?,
                boundary::required_slice(tag, tag_len)?,
            )
        };
        v.learn_revision(provider, t)?;
        Ok(())
    }
}

/// Deinitializes a verifier. NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `verifier` must point to `iomt_consent_verifier` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_verifier_deinit(
    verifier: *mut iomt_consent_verifier,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(verifier) }
    }
}

/// Deinitializes a verified tag. NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `verified` must point to `iomt_verified_consent` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_verified_consent_deinit(
    verified: *mut iomt_verified_consent,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { boundary::deinit(verified) }
    }
}
