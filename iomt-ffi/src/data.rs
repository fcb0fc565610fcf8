//! The data model for C: consent tags (encode, decode, evaluate) and vital-sign readings
//! (encoded as the data-frame payload `Message::VitalBatch`).
//!
//! # Invariants
//! - C structs carry plain integers only (no `bool`, no C enums as inputs), so any bit
//!   pattern a caller passes is defined behaviour; every code and bitset is validated
//!   by `iomt-core` (`INVALID_CODE`, `UNKNOWN_BITS`, `IMPLAUSIBLE`, …).
//! - Decoding is strict (canonical, no trailing bytes) and revalidates every value.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use iomt_core::{
    AccessRequest, Action, ActionSet, Confidentiality, ConsentRef, ConsentTag, DataClass,
    DataClassSet, Decision, Effect, Float, IssuerSignature, KeyId, Purpose, PurposeSet, Reading,
    ReadingStatus, Role, RoleSet, Signature, Timestamp, TimestampMs, Unit, VitalBatch, VitalKind,
    evaluate,
};
use iomt_proto::Message;

use crate::boundary::{self, ffi_panic_boundary};
use crate::result::iomt_result;

/// Longest encoded consent tag (with an issuer signature).
pub const IOMT_MAX_CONSENT_TAG_LEN: usize = 170;
/// Most readings in one vitals payload.
pub const IOMT_MAX_READINGS: usize = 16;
/// Longest vitals payload (`IOMT_MAX_READINGS` readings).
pub const IOMT_MAX_VITALS_LEN: usize = 354;

// The header needs literal values: keep them equal to the library's constants.
const _: () = {
    assert!(IOMT_MAX_CONSENT_TAG_LEN == iomt_core::MAX_CONSENT_TAG_LEN);
    // One byte of message variant index, then the batch.
    assert!(IOMT_MAX_VITALS_LEN == 1 + VitalBatch::<IOMT_MAX_READINGS>::MAX_ENCODED_LEN);
};

/// A consent tag (see `iomt_core::ConsentTag`). Codes and bit numbers are those of
/// `iomt-core` (`Purpose`, `Role`, `Action`, `DataClass`, `Confidentiality`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_consent_tag {
    /// Encoding version: 1, or 2 (authority-issued) together with an
    /// `iomt_consent_binding` (`iomt_consent_tag_encode_bound` / `_decode_bound`).
    pub version: u8,
    /// 1 = permit, 0 = deny.
    pub permit: u8,
    /// Non-zero if emergency (break-glass) access may override it.
    pub break_glass: u8,
    /// Confidentiality code (HL7: 0 U, 1 L, 2 M, 3 N, 4 R, 5 V).
    pub confidentiality: u8,
    /// Digest of the full consent record.
    pub consent_ref: [u8; 32],
    /// Revision (higher supersedes lower).
    pub revision: u32,
    /// Purposes of use (bit n = purpose code n).
    pub purposes: u32,
    /// Valid from (seconds since the Unix epoch, inclusive).
    pub valid_from: u64,
    /// Valid until (seconds, exclusive).
    pub valid_until: u64,
    /// Recipient roles (bit n = role code n).
    pub roles: u16,
    /// Actions (bit n = action code n).
    pub actions: u8,
    /// Data classes (bit n = class code n).
    pub classes: u8,
    /// Non-zero if an issuer signature is present.
    pub has_signature: u8,
    /// Length of `signature_key_id` (1..=8 when signed).
    pub signature_key_id_len: u8,
    /// Issuer key id.
    pub signature_key_id: [u8; 8],
    /// ES256 signature `r ‖ s` (verified elsewhere, not by decode).
    pub signature: [u8; 64],
}

/// An access request to evaluate against a consent tag.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_access_request {
    /// The requester's role code.
    pub role: u8,
    /// The purpose code.
    pub purpose: u8,
    /// The action code.
    pub action: u8,
    /// The data class code.
    pub data_class: u8,
    /// Non-zero if `latest_revision` is known.
    pub has_latest_revision: u8,
    /// The latest revision of this consent the evaluator knows of.
    pub latest_revision: u32,
    /// Now (seconds since the Unix epoch).
    pub now: u64,
}

/// The outcome of a consent evaluation.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum iomt_decision_kind {
    /// Denied (see `deny_reason`).
    Deny = 0,
    /// Permitted by the consent.
    Permit = 1,
    /// Permitted only as an emergency override: record it in the audit log.
    BreakGlass = 2,
}

/// A consent decision.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iomt_decision {
    /// Permit, deny or break-glass.
    pub kind: iomt_decision_kind,
    /// For `DENY`: the reason code (`iomt_core::DenyReason`: 0 not yet valid, 1 expired,
    /// 2 stale revision, 3 denied by consent, 4–7 purpose/role/action/class not covered,
    /// 8 unsupported version); 0xFF otherwise.
    pub deny_reason: u8,
}

pub(crate) fn tag_from_c(t: &iomt_consent_tag) -> Result<ConsentTag, iomt_result> {
    let effect = match t.permit {
        0 => Effect::Deny,
        1 => Effect::Permit,
        _ => return Err(iomt_result::InvalidCode),
    };
    let signature = if t.has_signature == 0 {
        None
    } else {
        let kid = t
            .signature_key_id
            .get(..usize::from(t.signature_key_id_len))
            .ok_or(iomt_result::InvalidKeyId)?;
        Some(IssuerSignature {
            key_id: KeyId::new(kid)?,
            signature: Signature(t.signature),
        })
    };
    Ok(ConsentTag {
        version: t.version,
        consent_ref: ConsentRef(t.consent_ref),
        revision: t.revision,
        effect,
        valid_from: Timestamp::from_secs(t.valid_from),
        valid_until: Timestamp::from_secs(t.valid_until),
        purposes: PurposeSet::from_bits(t.purposes)?,
        roles: RoleSet::from_bits(t.roles)?,
        actions: ActionSet::from_bits(t.actions)?,
        classes: DataClassSet::from_bits(t.classes)?,
        confidentiality: Confidentiality::from_code(t.confidentiality)?,
        break_glass: t.break_glass != 0,
        // The C struct describes version-1 (unbound) tags only: authority-issued
        // version-2 tags are built and signed by the authority, not from C fields.
        binding: None,
        signature,
    })
}

pub(crate) fn tag_to_c(t: &ConsentTag) -> iomt_consent_tag {
    let mut out = iomt_consent_tag {
        version: t.version,
        permit: u8::from(t.effect == Effect::Permit),
        break_glass: u8::from(t.break_glass),
        confidentiality: t.confidentiality.code(),
        consent_ref: t.consent_ref.0,
        revision: t.revision,
        purposes: t.purposes.bits(),
        valid_from: t.valid_from.as_secs(),
        valid_until: t.valid_until.as_secs(),
        roles: t.roles.bits(),
        actions: t.actions.bits(),
        classes: t.classes.bits(),
        has_signature: 0,
        signature_key_id_len: 0,
        signature_key_id: [0; 8],
        signature: [0; 64],
    };
    if let Some(sig) = &t.signature {
        let kid = sig.key_id.as_bytes();
        out.has_signature = 1;
        out.signature_key_id_len = u8::try_from(kid.len()).unwrap_or(0);
        for (d, s) in out.signature_key_id.iter_mut().zip(kid) {
            *d = *s;
        }
        out.signature = sig.signature.0;
    }
    out
}

/// Encodes `tag` canonically into `out[0..out_cap]` (at most
/// `IOMT_MAX_CONSENT_TAG_LEN` bytes); `*out_len` receives the length (or the size
/// needed with `BUFFER_TOO_SMALL`).
///
/// # Errors
/// `NULL_PARAMETER`, `BUFFER_TOO_SMALL`, `UNSUPPORTED_VERSION`, `INVALID_VALIDITY`,
/// `INVALID_CODE`, `UNKNOWN_BITS`, `INVALID_KEY_ID`, `CAPACITY_EXCEEDED`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_tag_encode(
    tag: *const iomt_consent_tag,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (t, out, len) = unsafe {
            (
                boundary::input(tag)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let t = tag_from_c(t)?;
        boundary::written(t.encode(out), len)
    }
}

/// Decodes an encoded consent tag (strict: canonical, no trailing bytes) into `*tag`.
///
/// # Errors
/// `NULL_PARAMETER`, `MALFORMED`, `TRAILING_BYTES`, `NON_CANONICAL`,
/// `UNSUPPORTED_VERSION` (also for a version-2, patient- and device-bound tag: the struct
/// has no binding fields — decode those with `iomt_consent_tag_decode_bound`), … (nothing
/// is written on failure).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_tag_decode(
    encoded: *const u8,
    encoded_len: usize,
    tag: *mut iomt_consent_tag,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (bytes, out) = unsafe {
            (
                boundary::slice(encoded, encoded_len)?,
                boundary::output(tag)?,
            )
        };
        let t = ConsentTag::decode(bytes)?;
        if t.binding.is_some() {
            // The C struct has no binding fields: refuse rather than drop them.
            return Err(iomt_core::CoreError::UnsupportedVersion { version: t.version }.into());
        }
        out.write(tag_to_c(&t));
        Ok(())
    }
}

/// The access request as iomt-core sees it.
pub(crate) fn request_from_c(r: &iomt_access_request) -> Result<AccessRequest, iomt_result> {
    Ok(AccessRequest {
        role: Role::from_code(r.role)?,
        purpose: Purpose::from_code(r.purpose)?,
        action: Action::from_code(r.action)?,
        class: DataClass::from_code(r.data_class)?,
        now: Timestamp::from_secs(r.now),
        latest_revision: (r.has_latest_revision != 0).then_some(r.latest_revision),
    })
}

/// Evaluates `request` against `tag` (default deny; rules in `iomt_core::consent`).
///
/// # Errors
/// `NULL_PARAMETER`, `INVALID_CODE` / `UNKNOWN_BITS` for invalid inputs (a malformed tag
/// or request is an error, never a permit).
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_consent_evaluate(
    tag: *const iomt_consent_tag,
    request: *const iomt_access_request,
    decision: *mut iomt_decision,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (t, r, out) = unsafe {
            (
                boundary::input(tag)?,
                boundary::input(request)?,
                boundary::output(decision)?,
            )
        };
        let t = tag_from_c(t)?;
        let req = request_from_c(r)?;
        let d = match evaluate(&t, &req) {
            Decision::Permit => iomt_decision {
                kind: iomt_decision_kind::Permit,
                deny_reason: 0xFF,
            },
            Decision::Deny(reason) => iomt_decision {
                kind: iomt_decision_kind::Deny,
                deny_reason: reason.code(),
            },
            Decision::BreakGlass(_grant) => iomt_decision {
                kind: iomt_decision_kind::BreakGlass,
                deny_reason: 0xFF,
            },
        };
        out.write(d);
        Ok(())
    }
}

/// One vital-sign reading. `value = mantissa · 10^exponent` (IEEE 11073 FLOAT: mantissa
/// within ±8 388 605, exponent −128..=127). Codes are the named `IOMT_VITAL_KIND_*`,
/// `IOMT_UNIT_*` and `IOMT_STATUS_FLAG_*` constants; a unit the kind cannot be reported in
/// is refused (`IOMT_RESULT_WRONG_UNIT`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct iomt_reading {
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// The device's sequence number.
    pub sequence: u32,
    /// Value mantissa.
    pub mantissa: i32,
    /// Value exponent (base 10).
    pub exponent: i8,
    /// Vital kind: an `IOMT_VITAL_KIND_*` constant.
    pub kind: u8,
    /// Unit: an `IOMT_UNIT_*` constant (never a bare number: units are a patient-safety
    /// matter).
    pub unit: u8,
    /// Status flags: bit `IOMT_STATUS_FLAG_*` set for each flag.
    pub status: u8,
}

fn reading_from_c(r: &iomt_reading) -> Result<Reading, iomt_result> {
    let value = Float::from_decimal(r.mantissa, r.exponent)?;
    Ok(Reading::new(
        VitalKind::from_code(r.kind)?,
        value,
        Unit::from_code(r.unit)?,
        TimestampMs::from_millis(r.timestamp_ms),
        r.sequence,
    )?
    .with_status(ReadingStatus::from_bits(r.status)?))
}

fn reading_to_c(r: &Reading) -> Result<iomt_reading, iomt_result> {
    let (mantissa, exponent) = r.value().to_decimal().ok_or(iomt_result::NotFinite)?;
    Ok(iomt_reading {
        timestamp_ms: r.timestamp().as_millis(),
        sequence: r.sequence(),
        mantissa,
        exponent,
        kind: r.kind().code(),
        unit: r.unit().code(),
        status: r.status().bits(),
    })
}

/// The payload type (cbindgen: not exported).
type VitalsMessage<'a> = Message<'a, 16, 1>;

/// Encodes `readings[0..count]` (at most `IOMT_MAX_READINGS`, each validated: unit fits
/// the kind, value finite and plausible) as a data-frame payload (`Message::VitalBatch`)
/// into `out[0..out_cap]`; `*out_len` receives the length (or the size needed).
///
/// # Errors
/// `NULL_PARAMETER`, `CAPACITY_EXCEEDED`, `BUFFER_TOO_SMALL`, `INVALID_CODE`,
/// `WRONG_UNIT`, `IMPLAUSIBLE`, `NOT_REPRESENTABLE`, `UNKNOWN_BITS`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_vitals_encode(
    readings: *const iomt_reading,
    count: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (src, out, len) = unsafe {
            (
                boundary::array(readings, count)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let mut batch = VitalBatch::<IOMT_MAX_READINGS>::new();
        for r in src {
            batch.push(reading_from_c(r)?)?;
        }
        boundary::written(VitalsMessage::VitalBatch(batch).encode(out), len)
    }
}

/// Decodes a vitals payload into `readings[0..capacity]`; `*count` receives the number
/// of readings (or, with `BUFFER_TOO_SMALL`, the number needed).
///
/// # Errors
/// `NULL_PARAMETER`, `MALFORMED` (not a valid payload, including invalid readings),
/// `UNEXPECTED_MESSAGE` (another message type), `BUFFER_TOO_SMALL`.
///
/// # Safety
/// Every pointer must be valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_vitals_decode(
    payload: *const u8,
    payload_len: usize,
    readings: *mut iomt_reading,
    capacity: usize,
    count: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (bytes, dst, n_out) = unsafe {
            (
                boundary::slice(payload, payload_len)?,
                boundary::array_mut(readings, capacity)?,
                boundary::output(count)?,
            )
        };
        let msg = VitalsMessage::decode(bytes).map_err(|_| iomt_result::Malformed)?;
        let VitalsMessage::VitalBatch(batch) = msg else {
            return Err(iomt_result::UnexpectedMessage);
        };
        let src = batch.readings();
        if src.len() > dst.len() {
            n_out.write(src.len());
            return Err(iomt_result::BufferTooSmall);
        }
        // Convert everything first so that nothing is written on failure.
        let mut converted = [iomt_reading::default(); IOMT_MAX_READINGS];
        for (c, r) in converted.iter_mut().zip(src) {
            *c = reading_to_c(r)?;
        }
        for (d, c) in dst.iter_mut().zip(&converted).take(src.len()) {
            *d = *c;
        }
        n_out.write(src.len());
        Ok(())
    }
}
