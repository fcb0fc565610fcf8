//! The Observations for one released message.
//!
//! - Numerics: one Observation per reading, coded as [`super::codes`] says, `valueQuantity`
//!   with the UCUM unit and the value written with exactly the decimals of the device's
//!   IEEE 11073 exponent.
//! - Blood pressure: NIBP systolic and diastolic (and mean, if sent) of one measurement (same
//!   device time) become ONE Observation coded 85354-9 with components 8480-6, 8462-4 and
//!   8478-0 in `mm[Hg]` (profile `bp`; a kPa reading is converted to whole `mm[Hg]`, the
//!   profile's only unit). A lone NIBP value stays a plain `vitalsigns` Observation.
//! - ECG: `valueSampledData` with `origin` 0 in the chunk's unit, `period` = 1000 / rate ms,
//!   `factor` = the device's SFLOAT, `dimensions` 1, and `effectiveDateTime` = the first
//!   sample's time; category `procedure`, code = the lead's MDC code.
//!
//! Every `effectiveDateTime` comes from [`super::SessionClock::map`]; a reading whose time
//! cannot be mapped is not exported.

use iomt_core::{Float, Reading, Unit, VitalKind, WaveformChunk};
use serde_json::{Value, json};

use super::codes::{
    self, BP_PANEL_LOINC, BP_PANEL_MDC, BP_PANEL_MDC_NAME, Category, PROCEDURE, VITAL_SIGNS,
    loinc_name,
};
use super::{
    CATEGORY_SYSTEM, LOINC_SYSTEM, MDC_SYSTEM, Release, TimeSource, UCUM_SYSTEM, decimal, instant,
    meta, number,
};

/// `mm[Hg]` per kPa (1 mmHg = 133.322387415 Pa).
const MMHG_PER_KPA: f64 = 1000.0 / 133.322_387_415;

fn loinc(code: &str) -> Value {
    match loinc_name(code) {
        Some(name) => json!({ "system": LOINC_SYSTEM, "code": code, "display": name }),
        None => json!({ "system": LOINC_SYSTEM, "code": code }),
    }
}

fn mdc(code32: u32, name: &str) -> Value {
    json!({ "system": MDC_SYSTEM, "code": code32.to_string(), "display": name })
}

fn category(c: Category) -> Value {
    json!([{ "coding": [{ "system": CATEGORY_SYSTEM, "code": c.0, "display": c.1 }] }])
}

/// The exact decimal of a finite value (`None` for a special value).
fn value_decimal(f: Float) -> Option<String> {
    f.to_decimal().map(|(m, e)| decimal(m, e))
}

fn quantity(value: &str, unit: Unit) -> Value {
    json!({ "value": number(value), "unit": unit.ucum(), "system": UCUM_SYSTEM, "code": unit.ucum() })
}

/// `code` of a reading: its LOINC codings, then its MDC code.
fn kind_code(kind: VitalKind, unit: Unit) -> Value {
    let mut coding: Vec<Value> = codes::loinc_codes(kind, unit)
        .into_iter()
        .map(loinc)
        .collect();
    coding.push(mdc(kind.mdc().code32(), kind.row().name));
    json!({ "coding": coding })
}

/// The parts every Observation shares.
fn observation(
    r: &Release<'_>,
    id: String,
    profile: Option<&str>,
    cat: Category,
    code: Value,
    (utc_ms, source): (u64, TimeSource),
) -> Value {
    json!({
        "resourceType": "Observation",
        "id": id,
        "meta": meta(r, profile, source),
        "status": "final",
        "category": category(cat),
        "code": code,
        "subject": { "reference": r.subject.patient },
        "device": { "reference": r.subject.device },
        "effectiveDateTime": instant(utc_ms),
    })
}

/// The Observation for one numeric reading (not grouped into a panel).
#[must_use]
pub fn vital(reading: &Reading, r: &Release<'_>) -> Option<Value> {
    let kind = reading.kind();
    let time = r.clock.map(reading.timestamp())?;
    let profile = codes::profile(kind);
    let mut o = observation(
        r,
        format!("{}-{}", r.subject.id_prefix, reading.sequence()),
        profile.as_deref(),
        codes::category(kind),
        kind_code(kind, reading.unit()),
        time,
    );
    o["valueQuantity"] = quantity(&value_decimal(reading.value())?, reading.unit());
    Some(o)
}

/// One blood-pressure component in `mm[Hg]` (converted from kPa to whole `mm[Hg]`).
fn bp_component(reading: &Reading) -> Option<Value> {
    let value = match reading.unit() {
        Unit::MillimetreOfMercury => value_decimal(reading.value())?,
        Unit::KiloPascal => {
            let mmhg = (reading.value().to_f64() * MMHG_PER_KPA).round();
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a plausible pressure (< 300 mm[Hg]) fits i32"
            )]
            decimal(mmhg as i32, 0)
        }
        _ => return None,
    };
    Some(json!({
        "code": kind_code(reading.kind(), Unit::MillimetreOfMercury),
        "valueQuantity": quantity(&value, Unit::MillimetreOfMercury),
    }))
}

/// The `bp` panel for systolic + diastolic (+ mean) of one measurement.
#[must_use]
pub fn bp_panel(
    sys: &Reading,
    dia: &Reading,
    mean: Option<&Reading>,
    r: &Release<'_>,
) -> Option<Value> {
    let time = r.clock.map(sys.timestamp())?;
    let mut components = vec![bp_component(sys)?, bp_component(dia)?];
    if let Some(m) = mean {
        components.push(bp_component(m)?);
    }
    let code = json!({ "coding": [loinc(BP_PANEL_LOINC), mdc(BP_PANEL_MDC, BP_PANEL_MDC_NAME)] });
    let mut o = observation(
        r,
        format!("{}-bp{}", r.subject.id_prefix, sys.sequence()),
        Some(&format!("{}bp", codes::PROFILE_BASE)),
        VITAL_SIGNS,
        code,
        time,
    );
    o["component"] = Value::Array(components);
    Some(o)
}

/// The Observations for a batch: NIBP systolic + diastolic (+ mean) at one device time
/// become one [`bp_panel`]; everything else one [`vital`] each, in batch order.
#[must_use]
pub fn batch(readings: &[Reading], r: &Release<'_>) -> Vec<Value> {
    let mut used = vec![false; readings.len()];
    let mut out = Vec::new();
    let partner = |used: &[bool], kind: VitalKind, at| {
        readings.iter().enumerate().position(|(j, x)| {
            !used.get(j).copied().unwrap_or(true) && x.kind() == kind && x.timestamp() == at
        })
    };
    for (i, x) in readings.iter().enumerate() {
        if used.get(i).copied().unwrap_or(true) {
            continue;
        }
        if let Some(flag) = used.get_mut(i) {
            *flag = true;
        }
        if x.kind() == VitalKind::NibpSystolic
            && let Some(d) = partner(&used, VitalKind::NibpDiastolic, x.timestamp())
        {
            if let Some(flag) = used.get_mut(d) {
                *flag = true;
            }
            let m = partner(&used, VitalKind::NibpMean, x.timestamp());
            if let Some(flag) = m.and_then(|m| used.get_mut(m)) {
                *flag = true;
            }
            let (dia, mean) = (readings.get(d), m.and_then(|m| readings.get(m)));
            out.extend(dia.and_then(|dia| bp_panel(x, dia, mean, r)));
            continue;
        }
        out.extend(vital(x, r));
    }
    out
}

/// `1000 / rate_hz` ms as an exact decimal when it is one, else to the microsecond.
fn period_ms(rate_hz: u16) -> String {
    if rate_hz > 0 && 1000 % u32::from(rate_hz) == 0 {
        (1000 / u32::from(rate_hz)).to_string()
    } else {
        format!("{:.3}", 1000.0 / f64::from(rate_hz))
    }
}

/// The Observation for one ECG chunk.
#[must_use]
pub fn ecg<const N: usize>(chunk: &WaveformChunk<N>, r: &Release<'_>) -> Option<Value> {
    let lead = chunk.lead();
    let unit = chunk.unit().ucum();
    let time = r.clock.map(chunk.first_sample())?;
    let data: Vec<String> = chunk.samples().iter().map(i16::to_string).collect();
    let factor = chunk.factor().to_decimal().map(|(m, e)| decimal(m, e))?;
    let mut o = observation(
        r,
        format!(
            "{}-ecg{}",
            r.subject.id_prefix,
            chunk.first_sample().as_millis()
        ),
        None,
        PROCEDURE,
        json!({ "coding": [mdc(lead.mdc().code32(), lead.row().name)] }),
        time,
    );
    o["valueSampledData"] = json!({
        "origin": { "value": 0, "unit": unit, "system": UCUM_SYSTEM, "code": unit },
        "period": number(&period_ms(chunk.sample_rate_hz())),
        "factor": number(&factor),
        "dimensions": 1,
        "data": data.join(" ")
    });
    Some(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::{SessionClock, Subject};
    use iomt_core::{ConsentRef, ConsentTag, Purpose, SFloat, Timestamp, TimestampMs};

    const T: u64 = 1_800_000_000_000;

    fn reading(kind: VitalKind, (m, e): (i32, i8), unit: Unit, at: u64, seq: u32) -> Reading {
        let v = Float::from_parts(m, e).unwrap();
        Reading::new(kind, v, unit, TimestampMs::from_millis(at), seq).unwrap()
    }

    fn with_release(f: impl FnOnce(&Release<'_>)) {
        let tag = ConsentTag::permit(
            ConsentRef([7; 32]),
            1,
            Timestamp::from_secs(0),
            Timestamp::MAX,
        );
        let subject = Subject {
            patient: "Patient/p-1".into(),
            device: "Device/dev-1".into(),
            id_prefix: "dev-1".into(),
            pseudonymous: false,
        };
        let clock = SessionClock::default();
        f(&Release {
            subject: &subject,
            tag: &tag,
            consent_digest: "ab",
            purpose: Purpose::Treatment,
            break_glass: false,
            clock: &clock,
        });
    }

    #[test]
    fn nibp_of_one_measurement_is_one_panel_with_components() {
        let mmhg = Unit::MillimetreOfMercury;
        let rs = [
            reading(VitalKind::HeartRate, (72, 0), Unit::BeatsPerMinute, T, 1),
            reading(VitalKind::NibpSystolic, (120, 0), mmhg, T, 2),
            reading(VitalKind::NibpDiastolic, (80, 0), mmhg, T, 3),
            reading(VitalKind::NibpMean, (93, 0), mmhg, T, 4),
            reading(VitalKind::NibpDiastolic, (81, 0), mmhg, T + 1, 5), // alone
            reading(
                VitalKind::BodyTemperature,
                (370, -1),
                Unit::DegreeCelsius,
                T,
                6,
            ),
        ];
        with_release(|r| {
            let out = batch(&rs, r);
            assert_eq!(out.len(), 4);
            let panel = &out[1];
            assert_eq!(panel["code"]["coding"][0]["code"], BP_PANEL_LOINC);
            assert_eq!(
                panel["meta"]["profile"][0],
                format!("{}bp", codes::PROFILE_BASE)
            );
            let comps = panel["component"].as_array().unwrap();
            let codes: Vec<&str> = comps
                .iter()
                .map(|c| c["code"]["coding"][0]["code"].as_str().unwrap())
                .collect();
            assert_eq!(codes, ["8480-6", "8462-4", "8478-0"]);
            assert!(panel.get("valueQuantity").is_none());
            assert_eq!(
                out[2]["meta"]["profile"][0],
                format!("{}vitalsigns", codes::PROFILE_BASE)
            );
            assert_eq!(out[3]["valueQuantity"]["value"].to_string(), "37.0");
            assert_eq!(out[3]["effectiveDateTime"], instant(T));
        });
    }

    #[test]
    fn kpa_components_become_whole_mmhg() {
        let kpa = Unit::KiloPascal;
        let sys = reading(VitalKind::NibpSystolic, (160, -1), kpa, T, 1); // 120.0 mmHg
        let dia = reading(VitalKind::NibpDiastolic, (107, -1), kpa, T, 2); // 80.3 mmHg
        with_release(|r| {
            let p = bp_panel(&sys, &dia, None, r).unwrap();
            let q = &p["component"][0]["valueQuantity"];
            assert_eq!(
                (q["value"].to_string().as_str(), &q["code"]),
                ("120", &"mm[Hg]".into())
            );
            assert_eq!(
                p["component"][1]["valueQuantity"]["value"].to_string(),
                "80"
            );
        });
    }

    #[test]
    fn uptime_without_anchor_is_not_exported_and_ecg_has_its_grid() {
        let early = reading(
            VitalKind::HeartRate,
            (72, 0),
            Unit::BeatsPerMinute,
            5_000,
            1,
        );
        let factor = SFloat::from_decimal(5, -3).unwrap();
        let mut chunk = WaveformChunk::<4>::new(
            iomt_core::EcgLead::II,
            250,
            Unit::MilliVolt,
            factor,
            TimestampMs::from_millis(T),
        )
        .unwrap();
        chunk.extend_from_slice(&[1, -2, 3]).unwrap();
        with_release(|r| {
            assert!(vital(&early, r).is_none(), "no anchor: no guessed time");
            let e = ecg(&chunk, r).unwrap();
            let sd = &e["valueSampledData"];
            assert_eq!(sd["period"].to_string(), "4");
            assert_eq!(sd["factor"].to_string(), "0.005");
            assert_eq!(sd["data"], "1 -2 3");
            assert_eq!(e["category"][0]["coding"][0]["code"], "procedure");
            assert_eq!(e["effectiveDateTime"], instant(T));
        });
        assert_eq!(period_ms(360), "2.778");
    }
}
