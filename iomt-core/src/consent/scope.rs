//! What a consent covers besides purpose and role: [`Action`]s, [`DataClass`]es, and the HL7
//! [`Confidentiality`] label.
//!
//! Invariants: codes are stable wire values and bit positions in [`ActionSet`] / [`DataClassSet`]
//! (`u8` each); unknown codes and bits are rejected on decode.

code_enum! {
    /// A FHIR consent action (`http://terminology.hl7.org/CodeSystem/consentaction`).
    ///
    /// ```
    /// use iomt_core::{Action, ActionSet};
    /// assert_eq!(Action::Disclose.fhir_code(), "disclose");
    /// assert!(ActionSet::ALL.contains(Action::Collect));
    /// ```
    pub enum Action {
        /// `collect` — gather data (e.g. the device sampling the patient).
        Collect = 0,
        /// `access` — read/view the data.
        Access = 1,
        /// `use` — use the data (e.g. act on it, change device state from it).
        Use = 2,
        /// `disclose` — pass the data to another party.
        Disclose = 3,
    }
}

impl Action {
    /// The FHIR `consentaction` code.
    #[must_use]
    pub const fn fhir_code(self) -> &'static str {
        match self {
            Self::Collect => "collect",
            Self::Access => "access",
            Self::Use => "use",
            Self::Disclose => "disclose",
        }
    }
}

bitset! {
    /// A set of [`Action`]s; bit `n` is the action with code `n`.
    pub struct ActionSet(u8) of Action;
}

code_enum! {
    /// A class of device data a consent can cover.
    ///
    /// ```
    /// use iomt_core::{DataClass, DataClassSet};
    /// let s = DataClassSet::only(DataClass::Vitals).with(DataClass::Waveforms);
    /// assert_eq!(s.bits(), 0b11);
    /// ```
    pub enum DataClass {
        /// Numeric vital signs.
        Vitals = 0,
        /// Waveforms (ECG, plethysmogram).
        Waveforms = 1,
        /// Alarm events and alarm settings.
        Alarms = 2,
        /// Device configuration, firmware and credentials.
        DeviceConfig = 3,
        /// Therapy settings and delivery records.
        Therapy = 4,
        /// The audit log.
        AuditLog = 5,
    }
}

bitset! {
    /// A set of [`DataClass`]es; bit `n` is the class with code `n`.
    pub struct DataClassSet(u8) of DataClass;
}

code_enum! {
    /// HL7 v3 Confidentiality (`http://terminology.hl7.org/CodeSystem/v3-Confidentiality`),
    /// ordered from least to most restricted.
    ///
    /// ```
    /// use iomt_core::Confidentiality;
    /// assert!(Confidentiality::Restricted > Confidentiality::Normal);
    /// assert_eq!(Confidentiality::VeryRestricted.hl7_code(), "V");
    /// ```
    pub enum Confidentiality {
        /// U — unrestricted.
        Unrestricted = 0,
        /// L — low.
        Low = 1,
        /// M — moderate.
        Moderate = 2,
        /// N — normal (the usual level for health data).
        Normal = 3,
        /// R — restricted.
        Restricted = 4,
        /// V — very restricted.
        VeryRestricted = 5,
    }
}

impl Confidentiality {
    /// The one-letter HL7 code.
    #[must_use]
    pub const fn hl7_code(self) -> &'static str {
        match self {
            Self::Unrestricted => "U",
            Self::Low => "L",
            Self::Moderate => "M",
            Self::Normal => "N",
            Self::Restricted => "R",
            Self::VeryRestricted => "V",
        }
    }
}

code_enum! {
    /// Whether the tag permits or denies (FHIR `Consent.provision.type`).
    pub enum Effect {
        /// `deny`.
        Deny = 0,
        /// `permit`.
        Permit = 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;

    #[test]
    fn sets_reject_unknown_bits() {
        assert_eq!(ActionSet::ALL.bits(), 0x0F);
        assert_eq!(ActionSet::from_bits(0x10), Err(CoreError::UnknownBits));
        assert_eq!(DataClassSet::ALL.bits(), 0x3F);
        assert_eq!(DataClassSet::from_bits(0x40), Err(CoreError::UnknownBits));
        assert_eq!(Confidentiality::from_code(6), Err(CoreError::InvalidCode));
    }
}
