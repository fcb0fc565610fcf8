//! How each vital kind is coded in FHIR R4: profile, category and LOINC codings.
//!
//! LOINC codes come from iomt-core's code table ([`VitalKind::loinc_codes`]) plus the ones an
//! R4 profile or the unit needs; every LOINC code written carries LOINC's own name (the Long
//! Common Name, as LOINC's FHIR terminology service displays it), never our wording. A more
//! specific LOINC for the oximeter's pulse rate (8889-8) is left out: iomt-core's table marks
//! it unverified in its sources, and the heartrate profile needs only 8867-4.
//!
//! | Kind | R4 profile (`meta.profile`) | LOINC codings | Category |
//! |---|---|---|---|
//! | heart rate (ECG) | `heartrate` | 8867-4 | vital-signs |
//! | pulse rate (oximeter) | `heartrate` | 8867-4 (the method is in the MDC code, 149530) | vital-signs |
//! | SpO2 | `oxygensat` | 59408-5, 2708-6 (required by the profile) | vital-signs |
//! | body temperature | `bodytemp` | 8310-5 | vital-signs |
//! | respiration rate | `resprate` | 9279-1 | vital-signs |
//! | NIBP sys/dia/mean | `bp` (one panel) | 85354-9; components 8480-6, 8462-4, 8478-0 | vital-signs |
//! | body weight | `bodyweight` | 29463-7 | vital-signs |
//! | capillary glucose | none (not a vital sign in R4) | 41653-7 (mg/dL) or 14743-9 (mmol/L) | laboratory |
//! | ECG lead | none | none: LOINC has no code for a single-lead waveform strip; MDC only | procedure |

use iomt_core::{Unit, VitalKind};

/// Base URL of the R4 core profiles.
pub const PROFILE_BASE: &str = "http://hl7.org/fhir/StructureDefinition/";

/// The R4 blood-pressure panel (profile `bp`).
pub const BP_PANEL_LOINC: &str = "85354-9";
/// `MDC_PRESS_BLD_NONINV`, the compound NIBP code (see iomt-core's
/// `tests/data/ieee11073-mdc-codes.tsv`), for the panel's code.
pub const BP_PANEL_MDC: u32 = 150_020;
/// `MDC_PRESS_BLD_NONINV` as its reference id.
pub const BP_PANEL_MDC_NAME: &str = "MDC_PRESS_BLD_NONINV";

/// LOINC codes and their official names (LOINC Long Common Name).
pub const LOINC_NAMES: [(&str, &str); 12] = [
    ("8867-4", "Heart rate"),
    ("2708-6", "Oxygen saturation in Arterial blood"),
    (
        "59408-5",
        "Oxygen saturation in Arterial blood by Pulse oximetry",
    ),
    ("8310-5", "Body temperature"),
    ("9279-1", "Respiratory rate"),
    (
        BP_PANEL_LOINC,
        "Blood pressure panel with all children optional",
    ),
    ("8480-6", "Systolic blood pressure"),
    ("8462-4", "Diastolic blood pressure"),
    ("8478-0", "Mean blood pressure"),
    (
        "41653-7",
        "Glucose [Mass/volume] in Capillary blood by Glucometer",
    ),
    (
        "14743-9",
        "Glucose [Moles/volume] in Capillary blood by Glucometer",
    ),
    ("29463-7", "Body weight"),
];

/// LOINC's name for `code`, if we export it.
#[must_use]
pub fn loinc_name(code: &str) -> Option<&'static str> {
    LOINC_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

/// An Observation category (`observation-category` code and display).
pub type Category = (&'static str, &'static str);

/// Vital signs.
pub const VITAL_SIGNS: Category = ("vital-signs", "Vital Signs");
/// Laboratory (point-of-care glucose).
pub const LABORATORY: Category = ("laboratory", "Laboratory");
/// Procedure (ECG, as the R4 ECG example).
pub const PROCEDURE: Category = ("procedure", "Procedure");

/// The R4 profile (full URL) an Observation of `kind` on its own conforms to; the NIBP kinds
/// go into one [`BP_PANEL_LOINC`] panel (profile `bp`), alone only the base `vitalsigns`.
#[must_use]
pub fn profile(kind: VitalKind) -> Option<String> {
    let name = match kind {
        VitalKind::HeartRate | VitalKind::PulseRateOximeter => "heartrate",
        VitalKind::SpO2 => "oxygensat",
        VitalKind::BodyTemperature => "bodytemp",
        VitalKind::RespirationRate => "resprate",
        VitalKind::BodyWeight => "bodyweight",
        VitalKind::NibpSystolic | VitalKind::NibpDiastolic | VitalKind::NibpMean => "vitalsigns",
        VitalKind::CapillaryBloodGlucose => return None,
    };
    Some(format!("{PROFILE_BASE}{name}"))
}

/// The category of `kind`.
#[must_use]
pub const fn category(kind: VitalKind) -> Category {
    match kind {
        VitalKind::CapillaryBloodGlucose => LABORATORY,
        _ => VITAL_SIGNS,
    }
}

/// Every LOINC code an Observation of `kind` in `unit` carries, iomt-core's first.
#[must_use]
pub fn loinc_codes(kind: VitalKind, unit: Unit) -> Vec<&'static str> {
    if (kind, unit) == (VitalKind::CapillaryBloodGlucose, Unit::MillimolePerLitre) {
        // 41653-7 is mass/volume; a mmol/L reading is 14743-9.
        return vec!["14743-9"];
    }
    kind.loinc_codes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exported_loinc_has_its_name_and_every_profile_its_code() {
        for kind in VitalKind::ALL {
            for r in kind.units() {
                let codes = loinc_codes(*kind, r.unit);
                assert!(!codes.is_empty(), "{kind:?}");
                for c in &codes {
                    assert!(loinc_name(c).is_some(), "{kind:?}: {c} has no LOINC name");
                }
                let required = match kind {
                    VitalKind::HeartRate | VitalKind::PulseRateOximeter => Some("8867-4"),
                    VitalKind::SpO2 => Some("2708-6"),
                    VitalKind::BodyTemperature => Some("8310-5"),
                    VitalKind::RespirationRate => Some("9279-1"),
                    VitalKind::BodyWeight => Some("29463-7"),
                    _ => None,
                };
                if let Some(req) = required {
                    assert!(codes.contains(&req), "{kind:?} lacks {req}");
                }
            }
        }
    }
}
