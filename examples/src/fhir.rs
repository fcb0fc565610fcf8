//! FHIR R4 output of the gateway: vital-signs `Observation`s, ECG `SampledData` and one
//! `Consent` per patient, routed to one destination per purpose of use.
//!
//! - [`codes`]: which R4 profile, LOINC codes (with LOINC's own display names), MDC code and
//!   category every vital kind is exported with.
//! - [`observation`]: the resources for one released message (numerics, the blood-pressure
//!   panel with its components, ECG chunks).
//! - [`clock`]: how a device's measurement time becomes `effectiveDateTime` (device RTC or
//!   gateway-anchored uptime, labelled).
//! - [`consent`]: the `Consent` resource built from a consent tag, and the tag's SHA-256
//!   that every Observation names.
//! - [`export`]: destinations (EHR, research, emergency, consent registry), keyed pseudonyms
//!   for the research destination, and the NDJSON sinks.
//!
//! Invariants: every value is written with exactly the decimals of the device's
//! IEEE 11073 exponent (`serde_json`'s `arbitrary_precision` keeps `37.0` as `37.0`); every
//! Observation carries `meta.profile`, a category, the consent tag's digest in `meta.tag`
//! and the time source of its `effectiveDateTime`; research output carries no direct
//! identifier. `docs/FHIR.md` describes the mapping; `examples/fhir_check/` checks it.

pub mod clock;
pub mod codes;
pub mod consent;
pub mod consent_import;
pub mod export;
pub mod observation;

use iomt_core::{ConsentTag, Purpose};
use serde_json::{Value, json};

pub use clock::{SessionClock, TimeSource};
pub use export::{Destination, Exporter, Sinks};

/// Code system of IEEE 11073-10101 (MDC) codes in FHIR.
pub const MDC_SYSTEM: &str = "urn:iso:std:iso:11073:10101";
/// LOINC.
pub const LOINC_SYSTEM: &str = "http://loinc.org";
/// UCUM.
pub const UCUM_SYSTEM: &str = "http://unitsofmeasure.org";
/// HL7 v3 ActReason (purpose of use).
pub const ACT_REASON_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
/// HL7 v3 Confidentiality.
pub const CONFIDENTIALITY_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
/// HL7 v3 ObservationValue (security integrity labels: `PSEUDED`).
pub const OBSERVATION_VALUE_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
/// Observation categories.
pub const CATEGORY_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The `meta.tag` system naming the governing consent: the code is the SHA-256 (hex) of the
/// exact consent-tag bytes the frame was bound to, which is also the `Consent` resource id.
pub const CONSENT_TAG_SYSTEM: &str = "urn:iomt:consent-tag:sha256";
/// The `meta.tag` system saying where `effectiveDateTime` came from ([`TimeSource`]).
pub const TIME_SOURCE_SYSTEM: &str = "urn:iomt:effective-time-source";

/// Who an Observation is about, as the destination may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// `Patient/<id>` (the EHR's id, or a keyed pseudonym for research).
    pub patient: String,
    /// `Device/<id>` (likewise).
    pub device: String,
    /// Prefix of resource ids (the device id or its pseudonym).
    pub id_prefix: String,
    /// The references are pseudonyms (labelled `PSEUDED`).
    pub pseudonymous: bool,
}

/// Under which consent, for what purpose and with which clock a message is released.
#[derive(Debug, Clone, Copy)]
pub struct Release<'a> {
    /// Who it is about.
    pub subject: &'a Subject,
    /// The consent tag bound to the frame.
    pub tag: &'a ConsentTag,
    /// SHA-256 (lowercase hex) of the tag's exact bytes: the `Consent` id.
    pub consent_digest: &'a str,
    /// The purpose of use it is released for.
    pub purpose: Purpose,
    /// Released by a break-glass grant (audited).
    pub break_glass: bool,
    /// The session's device-time mapping.
    pub clock: &'a SessionClock,
}

/// Formats a Unix time in milliseconds as an RFC 3339 / FHIR `instant` (UTC).
#[must_use]
pub fn instant(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil from days (H. Hinnant's algorithm), proleptic Gregorian.
    let z = days.cast_signed() + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// The exact decimal string of `mantissa × 10^exponent`, with exactly `-exponent` decimals
/// (`(370, -1)` is `37.0`, never `37`).
#[must_use]
pub fn decimal(mantissa: i32, exponent: i8) -> String {
    let neg = mantissa < 0;
    let digits = mantissa.unsigned_abs().to_string();
    let body = if exponent >= 0 {
        format!(
            "{digits}{}",
            "0".repeat(usize::from(exponent.unsigned_abs()))
        )
    } else {
        let frac = usize::from(exponent.unsigned_abs());
        let padded = format!("{digits:0>width$}", width = frac + 1);
        let (int, dec) = padded.split_at(padded.len() - frac);
        format!("{int}.{dec}")
    };
    if neg { format!("-{body}") } else { body }
}

/// A JSON number written exactly as `d` (needs `serde_json/arbitrary_precision`).
#[must_use]
pub fn number(d: &str) -> Value {
    d.parse::<serde_json::Number>()
        .map_or(Value::Null, Value::Number)
}

/// Lowercase hex.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `meta` of a released Observation: profile, purpose of use (+ `BTG`), confidentiality,
/// `PSEUDED` for pseudonymous output, the consent digest and the time source.
fn meta(r: &Release<'_>, profile: Option<&str>, time: TimeSource) -> Value {
    let mut security = vec![json!({
        "system": ACT_REASON_SYSTEM, "code": r.purpose.hl7_code()
    })];
    if r.break_glass {
        security.push(json!({ "system": ACT_REASON_SYSTEM, "code": "BTG" }));
    }
    security.push(json!({
        "system": CONFIDENTIALITY_SYSTEM, "code": r.tag.confidentiality.hl7_code()
    }));
    if r.subject.pseudonymous {
        security.push(json!({ "system": OBSERVATION_VALUE_SYSTEM, "code": "PSEUDED" }));
    }
    let mut m = json!({
        "security": security,
        "tag": [
            {
                "system": CONSENT_TAG_SYSTEM,
                "code": r.consent_digest,
                "display": format!("Consent/{} revision {}", r.consent_digest, r.tag.revision)
            },
            { "system": TIME_SOURCE_SYSTEM, "code": time.code(), "display": time.display() }
        ]
    });
    if let Some(p) = profile {
        m["profile"] = json!([p]);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        assert_eq!(instant(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(instant(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(instant(1_798_761_599_999), "2026-12-31T23:59:59.999Z");
    }

    #[test]
    fn decimals_keep_the_exponent() {
        assert_eq!(decimal(367, -1), "36.7");
        assert_eq!(decimal(370, -1), "37.0");
        assert_eq!(decimal(5, -3), "0.005");
        assert_eq!(decimal(-5, -3), "-0.005");
        assert_eq!(decimal(12, 2), "1200");
        assert_eq!(decimal(97, 0), "97");
    }

    #[test]
    fn numbers_are_written_as_given() {
        let v = json!({ "a": number("37.0"), "b": number("0.050"), "c": number("97") });
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"a":37.0,"b":0.050,"c":97}"#
        );
    }
}
