//! FHIR R4 `Observation` resources (JSON, one per line: NDJSON) from decrypted readings.
//!
//! Each Observation carries:
//! - `code`: the LOINC code (`http://loinc.org`) and the IEEE 11073-10101 MDC code
//!   (`urn:iso:std:iso:11073:10101`, the 32-bit code as a decimal string, the reference
//!   id as `display`), both from iomt-core's one code table. ECG leads have no LOINC in
//!   that table (a lead is not a LOINC observation), so ECG carries the MDC code only.
//! - `valueQuantity` with the UCUM unit (`http://unitsofmeasure.org`), the value as the
//!   exact decimal of the IEEE 11073 FLOAT; ECG chunks as `valueSampledData`.
//! - `subject` (`Patient/<id>`) and `device` (`Device/<id>`) references.
//! - `meta.security`: the purpose of use the resource was released for
//!   (`v3-ActReason`: TREAT, HRESCH, ETREAT…), `BTG` when released by break-glass, and
//!   the consent tag's confidentiality (`v3-Confidentiality`); `meta.tag` names the
//!   consent (SHA-256 reference and revision).

use iomt_core::{ConsentTag, Float, Purpose, Reading, SFloat, WaveformChunk};
use serde_json::{Value, json};

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
/// The `meta.tag` system naming the governing consent.
pub const CONSENT_TAG_SYSTEM: &str = "urn:iomt:consent-ref";

/// Who/what an Observation is about and under which consent it is released.
#[derive(Debug, Clone, Copy)]
pub struct Release<'a> {
    /// FHIR `Device` id.
    pub device: &'a str,
    /// FHIR `Patient` id.
    pub patient: &'a str,
    /// The consent tag bound to the frame.
    pub tag: &'a ConsentTag,
    /// The purpose of use it is released for.
    pub purpose: Purpose,
    /// Released by a break-glass grant (audited).
    pub break_glass: bool,
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

/// The exact decimal string of `mantissa × 10^exponent`.
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

fn number(d: &str) -> Value {
    d.parse::<serde_json::Number>()
        .map_or(Value::Null, Value::Number)
}

fn float_value(f: Float) -> Value {
    f.to_decimal()
        .map_or(Value::Null, |(m, e)| number(&decimal(m, e)))
}

fn sfloat_value(f: SFloat) -> Value {
    f.to_decimal()
        .map_or(Value::Null, |(m, e)| number(&decimal(m, e)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn meta(r: &Release<'_>) -> Value {
    let mut security = vec![json!({
        "system": ACT_REASON_SYSTEM, "code": r.purpose.hl7_code()
    })];
    if r.break_glass {
        security.push(json!({ "system": ACT_REASON_SYSTEM, "code": "BTG" }));
    }
    security.push(json!({
        "system": CONFIDENTIALITY_SYSTEM, "code": r.tag.confidentiality.hl7_code()
    }));
    json!({
        "security": security,
        "tag": [{
            "system": CONSENT_TAG_SYSTEM,
            "code": hex(&r.tag.consent_ref.0),
            "display": format!("consent revision {}", r.tag.revision)
        }]
    })
}

/// The Observation for one numeric reading released under `r`.
#[must_use]
pub fn vital_observation(reading: &Reading, r: &Release<'_>) -> Value {
    let kind = reading.kind();
    let unit = reading.unit().ucum();
    let mut coding = Vec::new();
    if let Some(loinc) = kind.loinc() {
        coding
            .push(json!({ "system": LOINC_SYSTEM, "code": loinc, "display": kind.row().meaning }));
    }
    coding.push(json!({
        "system": MDC_SYSTEM,
        "code": kind.mdc().code32().to_string(),
        "display": kind.row().name
    }));
    json!({
        "resourceType": "Observation",
        "id": format!("{}-{}-{}", r.device, reading.sequence(), r.purpose.hl7_code().to_ascii_lowercase()),
        "meta": meta(r),
        "status": "final",
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs"
        }]}],
        "code": { "coding": coding },
        "subject": { "reference": format!("Patient/{}", r.patient) },
        "device": { "reference": format!("Device/{}", r.device) },
        "effectiveDateTime": instant(reading.timestamp().as_millis()),
        "valueQuantity": {
            "value": float_value(reading.value()),
            "unit": unit,
            "system": UCUM_SYSTEM,
            "code": unit
        }
    })
}

/// The Observation for one ECG chunk (frame `frame_seq`) released under `r`.
#[must_use]
pub fn ecg_observation<const N: usize>(
    chunk: &WaveformChunk<N>,
    frame_seq: u32,
    r: &Release<'_>,
) -> Value {
    let lead = chunk.lead();
    let unit = chunk.unit().ucum();
    let data: Vec<String> = chunk.samples().iter().map(i16::to_string).collect();
    let period_ms = 1000.0 / f64::from(chunk.sample_rate_hz());
    json!({
        "resourceType": "Observation",
        "id": format!("{}-ecg{}-{}", r.device, frame_seq, r.purpose.hl7_code().to_ascii_lowercase()),
        "meta": meta(r),
        "status": "final",
        "code": { "coding": [{
            "system": MDC_SYSTEM,
            "code": lead.mdc().code32().to_string(),
            "display": lead.row().name
        }]},
        "subject": { "reference": format!("Patient/{}", r.patient) },
        "device": { "reference": format!("Device/{}", r.device) },
        "effectiveDateTime": instant(chunk.first_sample().as_millis()),
        "valueSampledData": {
            "origin": { "value": 0, "unit": unit, "system": UCUM_SYSTEM, "code": unit },
            "period": period_ms,
            "factor": sfloat_value(chunk.factor()),
            "dimensions": 1,
            "data": data.join(" ")
        }
    })
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
    fn decimals() {
        assert_eq!(decimal(367, -1), "36.7");
        assert_eq!(decimal(5, -3), "0.005");
        assert_eq!(decimal(-5, -3), "-0.005");
        assert_eq!(decimal(12, 2), "1200");
        assert_eq!(decimal(97, 0), "97");
    }
}
