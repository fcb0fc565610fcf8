//! Version-2 (authority-issued, patient- and device-bound) consent tags for C: the
//! binding next to the existing `iomt_consent_tag` struct, and encode/decode through the
//! one Rust codec (`iomt_core::ConsentTag`).
//!
//! A C device receives its signed tag at provisioning as bytes and sends those bytes
//! (`iomt_session_send_consent`); it never re-signs. With these functions it can also
//! look inside (`iomt_consent_tag_decode_bound`: is this tag for me — compare
//! `device_ref` with `iomt_subject_of` of its own identity — and which revision), and a
//! C gateway or tool can rebuild the exact signed bytes from the fields
//! (`iomt_consent_tag_encode_bound`): the signature covers the binding, so a changed
//! patient or device no longer verifies (`iomt_consent_verify` → `CONSENT_BAD_SIGNATURE`).
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use iomt_core::{ConsentTag, DeviceRef, MAX_PATIENT_ID_LEN, PatientId};

use crate::boundary::{self, ffi_panic_boundary};
use crate::data::{iomt_consent_tag, tag_from_c, tag_to_c};
use crate::result::iomt_result;

/// Longest pseudonymous patient id in a version-2 tag.
pub const IOMT_MAX_PATIENT_ID_LEN: usize = 16;

const _: () = assert!(IOMT_MAX_PATIENT_ID_LEN == MAX_PATIENT_ID_LEN);

/// The patient and device a version-2 consent tag is bound to (see
/// `iomt_core::ConsentBinding`). Plain integers only: any bit pattern is defined.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct iomt_consent_binding {
    /// 1: the tag is bound (version 2); 0: a version-1 tag (the other fields are zero).
    pub bound: u8,
    /// Length of `patient_id` (1..=`IOMT_MAX_PATIENT_ID_LEN` when bound).
    pub patient_id_len: u8,
    /// The pseudonymous patient id the authority assigned.
    pub patient_id: [u8; IOMT_MAX_PATIENT_ID_LEN],
    /// The device: `iomt_subject_of` of its EDHOC identity (8 bytes).
    pub device_ref: [u8; 8],
}

fn bound_from_c(t: &iomt_consent_tag, b: &iomt_consent_binding) -> Result<ConsentTag, iomt_result> {
    let tag = tag_from_c(t)?;
    match b.bound {
        0 => Ok(tag),
        1 => {
            if t.version != iomt_core::CONSENT_TAG_VERSION {
                return Err(iomt_result::UnsupportedVersion);
            }
            let id = b
                .patient_id
                .get(..usize::from(b.patient_id_len))
                .ok_or(iomt_result::CapacityExceeded)?;
            Ok(tag.bound_to(PatientId::new(id)?, DeviceRef(b.device_ref)))
        }
        _ => Err(iomt_result::InvalidCode),
    }
}

/// Encodes `tag` with `binding` canonically into `out[0..out_cap]` (at most
/// `IOMT_MAX_CONSENT_TAG_LEN` bytes); `*out_len` receives the length (or the size needed
/// with `BUFFER_TOO_SMALL`). `binding->bound == 1` needs `tag->version == 2`;
/// `binding->bound == 0` encodes a version-1 tag exactly as `iomt_consent_tag_encode`.
/// The signature fields are copied, never computed: only the authority signs.
///
/// # Errors
/// `NULL_PARAMETER`, `BUFFER_TOO_SMALL`, `UNSUPPORTED_VERSION` (`bound == 1` on a
/// version-1 tag), `MALFORMED` (a version-2 tag with `bound == 0`, or an empty patient id), `CAPACITY_EXCEEDED` (patient id longer
/// than 16), `INVALID_CODE` (`bound` not 0/1), and the errors of `iomt_consent_tag_encode`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_tag_encode_bound(
    tag: *const iomt_consent_tag,
    binding: *const iomt_consent_binding,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (t, b, out, len) = unsafe {
            (
                boundary::input(tag)?,
                boundary::input(binding)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let t = bound_from_c(t, b)?;
        boundary::written(t.encode(out), len)
    }
}

/// Decodes an encoded consent tag of either version (strict: canonical, no trailing
/// bytes) into `*tag` and `*binding` (`bound = 0` for a version-1 tag). Decoding checks
/// the encoding only; who signed the tag and whom it binds is checked by
/// `iomt_consent_verify` at the gateway.
///
/// # Errors
/// `NULL_PARAMETER`, `MALFORMED`, `TRAILING_BYTES`, `NON_CANONICAL`,
/// `UNSUPPORTED_VERSION`, … (nothing is written on failure).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_tag_decode_bound(
    encoded: *const u8,
    encoded_len: usize,
    tag: *mut iomt_consent_tag,
    binding: *mut iomt_consent_binding,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (bytes, out, bout) = unsafe {
            (
                boundary::slice(encoded, encoded_len)?,
                boundary::output(tag)?,
                boundary::output(binding)?,
            )
        };
        let t = ConsentTag::decode(bytes)?;
        let mut b = iomt_consent_binding::default();
        if let Some(bind) = &t.binding {
            let id = bind.patient.as_bytes();
            b.bound = 1;
            b.patient_id_len = u8::try_from(id.len()).map_err(|_| iomt_result::CapacityExceeded)?;
            b.patient_id
                .get_mut(..id.len())
                .ok_or(iomt_result::CapacityExceeded)?
                .copy_from_slice(id);
            b.device_ref = bind.device.0;
        }
        out.write(tag_to_c(&t));
        bout.write(b);
        Ok(())
    }
}
