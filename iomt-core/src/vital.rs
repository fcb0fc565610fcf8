//! Vital-sign kinds and ECG leads, keyed by IEEE 11073-10101 MDC codes (partition 2, SCADA).
//!
//! Invariants: each [`VitalKind`] and [`EcgLead`] has exactly one row in
//! [`MDC_TABLE`](crate::mdc::MDC_TABLE) (checked at compile time); codes, LOINC, accepted units and
//! plausibility ranges come only from that row.

use core::cmp::Ordering;

use crate::mdc::{MdcCode, MdcEntry, MdcRow, UnitRange, row_index};
use crate::{CoreError, Float, Unit};

code_enum! {
    /// A kind of numeric vital sign.
    ///
    /// ```
    /// use iomt_core::{Unit, VitalKind};
    /// let k = VitalKind::SpO2;
    /// assert_eq!(k.mdc().code32(), 150_456); // MDC_PULS_OXIM_SAT_O2, not 150324 (SaO2)
    /// assert_eq!(k.loinc(), Some("59408-5"));
    /// assert!(k.accepts(Unit::Percent));
    /// assert!(!k.accepts(Unit::BeatsPerMinute));
    /// ```
    pub enum VitalKind {
        /// Heart rate from ECG (`MDC_ECG_HEART_RATE`).
        HeartRate = 0,
        /// Pulse rate from a pulse oximeter (`MDC_PULS_OXIM_PULS_RATE`).
        PulseRateOximeter = 1,
        /// SpO2, oxygen saturation by pulse oximetry (`MDC_PULS_OXIM_SAT_O2`).
        SpO2 = 2,
        /// Body temperature, site unspecified (`MDC_TEMP_BODY`).
        BodyTemperature = 3,
        /// Non-invasive blood pressure, systolic (`MDC_PRESS_BLD_NONINV_SYS`).
        NibpSystolic = 4,
        /// Non-invasive blood pressure, diastolic (`MDC_PRESS_BLD_NONINV_DIA`).
        NibpDiastolic = 5,
        /// Non-invasive blood pressure, mean arterial (`MDC_PRESS_BLD_NONINV_MEAN`).
        NibpMean = 6,
        /// Respiration rate, method unspecified (`MDC_RESP_RATE`).
        RespirationRate = 7,
        /// Glucose in capillary whole blood, by glucometer (`MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD`).
        CapillaryBloodGlucose = 8,
        /// Body weight (`MDC_MASS_BODY_ACTUAL`).
        BodyWeight = 9,
    }
}

code_enum! {
    /// An ECG lead (waveform source).
    ///
    /// ```
    /// use iomt_core::EcgLead;
    /// assert_eq!(EcgLead::III.mdc().code32(), 131_389); // term 317, not 259 (V1)
    /// assert_eq!(EcgLead::Unspecified.mdc().code32(), 131_328); // an MDC code, not a LOINC
    /// ```
    pub enum EcgLead {
        /// Generic or unspecified lead (`MDC_ECG_ELEC_POTL`).
        Unspecified = 0,
        /// Lead I (`MDC_ECG_ELEC_POTL_I`).
        I = 1,
        /// Lead II (`MDC_ECG_ELEC_POTL_II`).
        II = 2,
        /// Lead III (`MDC_ECG_ELEC_POTL_III`).
        III = 3,
    }
}

impl VitalKind {
    /// This kind's row in the code table.
    #[must_use]
    #[allow(
        clippy::indexing_slicing,
        reason = "in bounds: code_enum! asserts codes are exactly 0..ALL.len() (the table's length), and the table's builder asserts every entry < MDC_TABLE.len(), at compile time"
    )]
    pub const fn row(self) -> &'static MdcRow {
        &crate::mdc::MDC_TABLE[KIND_ROWS[self as usize]]
    }

    /// The MDC code (partition 2).
    #[must_use]
    pub const fn mdc(self) -> MdcCode {
        self.row().code
    }

    /// The primary LOINC code for FHIR `Observation.code` (see [`Self::loinc_codes`]).
    #[must_use]
    pub const fn loinc(self) -> Option<&'static str> {
        match self.row().loinc {
            [first, ..] => Some(first),
            [] => None,
        }
    }

    /// Every LOINC code FHIR export should put in `Observation.code` (SpO2: US Core requires
    /// both 59408-5 and 2708-6), primary first.
    #[must_use]
    pub const fn loinc_codes(self) -> &'static [&'static str] {
        self.row().loinc
    }

    /// The units this kind may be reported in, each with its plausibility range; the first is
    /// the preferred unit.
    #[must_use]
    pub const fn units(self) -> &'static [UnitRange] {
        match self.row().entry {
            MdcEntry::Vital { units, .. } => units,
            _ => &[],
        }
    }

    /// The preferred unit.
    #[must_use]
    pub const fn default_unit(self) -> Unit {
        match self.units() {
            [first, ..] => first.unit,
            // Unreachable: a compile-time assertion (KIND_ROWS) checks every kind has a unit.
            [] => Unit::Percent,
        }
    }

    /// Whether readings of this kind may use `unit`.
    #[must_use]
    pub fn accepts(self, unit: Unit) -> bool {
        self.units().iter().any(|r| r.unit == unit)
    }

    /// The plausibility range `(min, max)` (inclusive, exact decimals) in `unit`.
    ///
    /// # Errors
    /// [`CoreError::WrongUnit`] if this kind can't be reported in `unit`.
    pub fn range(self, unit: Unit) -> Result<(Float, Float), CoreError> {
        self.units()
            .iter()
            .find(|r| r.unit == unit)
            .map(|r| (r.min, r.max))
            .ok_or(CoreError::WrongUnit { kind: self, unit })
    }

    /// Checks that `value` in `unit` is a finite, plausible value of this kind.
    ///
    /// # Errors
    /// [`CoreError::WrongUnit`], [`CoreError::NotFinite`], [`CoreError::NotRepresentable`]
    /// (a mantissa beyond [`Float::MANTISSA_MAX`]: ambiguous with a special value) or
    /// [`CoreError::Implausible`].
    pub fn check(self, value: Float, unit: Unit) -> Result<(), CoreError> {
        let (min, max) = self.range(unit)?;
        if !value.is_finite() {
            return Err(CoreError::NotFinite);
        }
        // A mantissa the encoder never emits (one of the special mantissas with a non-zero
        // exponent) is finite to us but a special value to a peer that reads specials by
        // mantissa alone: ambiguous, so not a reading.
        if value.mantissa().unsigned_abs() > Float::MANTISSA_MAX.unsigned_abs() {
            return Err(CoreError::NotRepresentable);
        }
        // Exact decimal comparison; both are finite here, so `None` can't happen.
        let below = value.cmp_numeric(min).is_none_or(Ordering::is_lt);
        let above = value.cmp_numeric(max).is_none_or(Ordering::is_gt);
        if below || above {
            return Err(CoreError::Implausible { kind: self });
        }
        Ok(())
    }

    /// The kind with this MDC code, if we know it.
    #[must_use]
    pub fn from_mdc(code: MdcCode) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.mdc() == code)
    }
}

impl EcgLead {
    /// This lead's row in the code table.
    #[must_use]
    #[allow(
        clippy::indexing_slicing,
        reason = "in bounds: code_enum! asserts codes are exactly 0..ALL.len() (the table's length), and the table's builder asserts every entry < MDC_TABLE.len(), at compile time"
    )]
    pub const fn row(self) -> &'static MdcRow {
        &crate::mdc::MDC_TABLE[LEAD_ROWS[self as usize]]
    }

    /// The MDC code (partition 2).
    #[must_use]
    pub const fn mdc(self) -> MdcCode {
        self.row().code
    }

    /// The lead with this MDC code, if we know it.
    #[must_use]
    pub fn from_mdc(code: MdcCode) -> Option<Self> {
        Self::ALL.iter().copied().find(|l| l.mdc() == code)
    }
}

#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: `i < ALL.len()` bounds every index; an out-of-bounds index is a build error"
)]
const KIND_ROWS: [usize; VitalKind::ALL.len()] = {
    let mut out = [usize::MAX; VitalKind::ALL.len()];
    let mut i = 0;
    while i < VitalKind::ALL.len() {
        out[i] = row_index(MdcEntry::Vital {
            kind: VitalKind::ALL[i],
            units: &[],
        });
        assert!(
            out[i] < crate::mdc::MDC_TABLE.len(),
            "every VitalKind needs a row in MDC_TABLE"
        );
        i += 1;
    }
    out
};

#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: `i < ALL.len()` bounds every index; an out-of-bounds index is a build error"
)]
const LEAD_ROWS: [usize; EcgLead::ALL.len()] = {
    let mut out = [usize::MAX; EcgLead::ALL.len()];
    let mut i = 0;
    while i < EcgLead::ALL.len() {
        out[i] = row_index(MdcEntry::Lead(EcgLead::ALL[i]));
        assert!(
            out[i] < crate::mdc::MDC_TABLE.len(),
            "every EcgLead needs a row in MDC_TABLE"
        );
        i += 1;
    }
    out
};
