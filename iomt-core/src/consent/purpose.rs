//! HL7 v3 PurposeOfUse (`http://terminology.hl7.org/CodeSystem/v3-ActReason`) and [`PurposeSet`].
//!
//! # Wire contract
//! The code of each [`Purpose`] is its bit position in [`PurposeSet`] (a `u32`, postcard varint).
//! These positions are stable: new purposes get new bits, retired ones are never reused.
//!
//! | bit | HL7 code | bit | HL7 code |
//! |----:|----------|----:|----------|
//! | 0 | TREAT | 11 | HQUALIMP |
//! | 1 | ETREAT | 12 | PATSFTY |
//! | 2 | BTG | 13 | HSYSADMIN |
//! | 3 | HPAYMT | 14 | FAMRQT |
//! | 4 | HOPERAT | 15 | PWATRNY |
//! | 5 | HRESCH | 16 | HLEGAL |
//! | 6 | PUBHLTH | 17 | HDIRECT |
//! | 7 | PATRQT | 18 | HMARKT |
//! | 8 | CAREMGT | 19 | TRAIN |
//! | 9 | COC | 20 | HTEST |
//! | 10 | CLINTRCH | | |

code_enum! {
    /// An HL7 v3 PurposeOfUse value (the reason data is requested).
    ///
    /// ```
    /// use iomt_core::{Purpose, PurposeSet};
    /// assert_eq!(Purpose::EmergencyTreatment.hl7_code(), "ETREAT");
    /// assert_eq!(Purpose::from_hl7_code("BTG"), Some(Purpose::BreakTheGlass));
    /// let p = PurposeSet::only(Purpose::Treatment).with(Purpose::CoordinationOfCare);
    /// assert_eq!(p.bits(), 0b10_0000_0001);
    /// ```
    pub enum Purpose {
        /// TREAT — treatment.
        Treatment = 0,
        /// ETREAT — emergency treatment.
        EmergencyTreatment = 1,
        /// BTG — break the glass.
        BreakTheGlass = 2,
        /// HPAYMT — healthcare payment.
        Payment = 3,
        /// HOPERAT — healthcare operations.
        Operations = 4,
        /// HRESCH — healthcare research.
        Research = 5,
        /// PUBHLTH — public health.
        PublicHealth = 6,
        /// PATRQT — patient requested.
        PatientRequested = 7,
        /// CAREMGT — care management.
        CareManagement = 8,
        /// COC — coordination of care.
        CoordinationOfCare = 9,
        /// CLINTRCH — clinical trial research.
        ClinicalTrialResearch = 10,
        /// HQUALIMP — health quality improvement.
        QualityImprovement = 11,
        /// PATSFTY — patient safety.
        PatientSafety = 12,
        /// HSYSADMIN — health system administration.
        SystemAdministration = 13,
        /// FAMRQT — family requested.
        FamilyRequested = 14,
        /// PWATRNY — power of attorney.
        PowerOfAttorney = 15,
        /// HLEGAL — legal.
        Legal = 16,
        /// HDIRECT — directory.
        Directory = 17,
        /// HMARKT — marketing.
        Marketing = 18,
        /// TRAIN — training.
        Training = 19,
        /// HTEST — test health data.
        Test = 20,
    }
}

/// HL7 codes, indexed by [`Purpose::code`].
const HL7_CODES: [&str; Purpose::ALL.len()] = [
    "TREAT",
    "ETREAT",
    "BTG",
    "HPAYMT",
    "HOPERAT",
    "HRESCH",
    "PUBHLTH",
    "PATRQT",
    "CAREMGT",
    "COC",
    "CLINTRCH",
    "HQUALIMP",
    "PATSFTY",
    "HSYSADMIN",
    "FAMRQT",
    "PWATRNY",
    "HLEGAL",
    "HDIRECT",
    "HMARKT",
    "TRAIN",
    "HTEST",
];

impl Purpose {
    /// The HL7 v3-ActReason code (e.g. `"TREAT"`).
    #[must_use]
    #[allow(
        clippy::indexing_slicing,
        reason = "in bounds: code_enum! asserts at compile time that codes are exactly 0..ALL.len(), and the table has ALL.len() entries"
    )]
    pub const fn hl7_code(self) -> &'static str {
        HL7_CODES[self as usize]
    }

    /// The purpose with this HL7 code (exact, case-sensitive), if we support it.
    #[must_use]
    pub fn from_hl7_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.hl7_code() == code)
    }

    /// Whether this purpose can justify break-glass access (ETREAT or BTG).
    #[must_use]
    pub const fn is_emergency(self) -> bool {
        matches!(self, Self::EmergencyTreatment | Self::BreakTheGlass)
    }
}

bitset! {
    /// A set of [`Purpose`]s; bit positions are the stable wire contract in the [module docs](self).
    pub struct PurposeSet(u32) of Purpose;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;

    #[test]
    fn bit_positions_are_the_documented_contract() {
        let expected = [
            ("TREAT", 0),
            ("ETREAT", 1),
            ("BTG", 2),
            ("HPAYMT", 3),
            ("HOPERAT", 4),
            ("HRESCH", 5),
            ("PUBHLTH", 6),
            ("PATRQT", 7),
            ("CAREMGT", 8),
            ("COC", 9),
            ("CLINTRCH", 10),
            ("HQUALIMP", 11),
            ("PATSFTY", 12),
            ("HSYSADMIN", 13),
            ("FAMRQT", 14),
            ("PWATRNY", 15),
            ("HLEGAL", 16),
            ("HDIRECT", 17),
            ("HMARKT", 18),
            ("TRAIN", 19),
            ("HTEST", 20),
        ];
        assert_eq!(expected.len(), Purpose::ALL.len());
        for (code, bit) in expected {
            let p = Purpose::from_hl7_code(code).unwrap();
            assert_eq!(p.code(), bit, "{code}");
            assert_eq!(PurposeSet::only(p).bits(), 1 << bit);
        }
        assert_eq!(PurposeSet::ALL.bits(), (1 << 21) - 1);
        assert_eq!(PurposeSet::from_bits(1 << 21), Err(CoreError::UnknownBits));
    }
}
