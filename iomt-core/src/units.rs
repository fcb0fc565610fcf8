//! Units of measure: IEEE 11073-10101 dimension codes (partition 4) with UCUM equivalents.
//!
//! Invariants: each [`Unit`] has exactly one row in [`MDC_TABLE`](crate::mdc::MDC_TABLE), which
//! holds its MDC code and UCUM string; the stable `u8` code is the wire value.

use crate::CoreError;
use crate::mdc::{MdcCode, MdcEntry, MdcRow, row_index};

code_enum! {
    /// A unit a reading or waveform is reported in.
    ///
    /// ```
    /// use iomt_core::Unit;
    /// assert_eq!(Unit::MillimetreOfMercury.ucum(), "mm[Hg]");
    /// assert_eq!(Unit::Percent.mdc().code32(), 262_688); // MDC_DIM_PERCENT
    /// assert_eq!(Unit::from_mdc(Unit::Kilogram.mdc()), Some(Unit::Kilogram));
    /// ```
    pub enum Unit {
        /// Percent (`MDC_DIM_PERCENT`, UCUM `%`).
        Percent = 0,
        /// Beats per minute (`MDC_DIM_BEAT_PER_MIN`, UCUM `/min`).
        BeatsPerMinute = 1,
        /// Respirations per minute (`MDC_DIM_RESP_PER_MIN`, UCUM `/min`).
        BreathsPerMinute = 2,
        /// Degree Celsius (`MDC_DIM_DEGC`, UCUM `Cel`).
        DegreeCelsius = 3,
        /// Degree Fahrenheit (`MDC_DIM_FAHR`, UCUM `[degF]`).
        DegreeFahrenheit = 4,
        /// Millimetre of mercury (`MDC_DIM_MMHG`, UCUM `mm[Hg]`).
        MillimetreOfMercury = 5,
        /// Kilopascal (`MDC_DIM_KILO_PASCAL`, UCUM `kPa`).
        KiloPascal = 6,
        /// Milligram per decilitre (`MDC_DIM_MILLI_G_PER_DL`, UCUM `mg/dL`).
        MilligramPerDecilitre = 7,
        /// Millimole per litre (`MDC_DIM_MILLI_MOLE_PER_L`, UCUM `mmol/L`).
        MillimolePerLitre = 8,
        /// Kilogram (`MDC_DIM_KILO_G`, UCUM `kg`).
        Kilogram = 9,
        /// Millivolt (`MDC_DIM_MILLI_VOLT`, UCUM `mV`).
        MilliVolt = 10,
        /// Microvolt (`MDC_DIM_MICRO_VOLT`, UCUM `uV`).
        MicroVolt = 11,
    }
}

impl Unit {
    /// This unit's row in the code table.
    #[must_use]
    #[allow(
        clippy::indexing_slicing,
        reason = "in bounds: code_enum! asserts codes are exactly 0..ALL.len() (the table's length), and the table's builder asserts every entry < MDC_TABLE.len(), at compile time"
    )]
    pub const fn row(self) -> &'static MdcRow {
        &crate::mdc::MDC_TABLE[UNIT_ROWS[self as usize]]
    }

    /// The MDC dimension code.
    #[must_use]
    pub const fn mdc(self) -> MdcCode {
        self.row().code
    }

    /// The UCUM unit string (for FHIR `Quantity.code`, system `http://unitsofmeasure.org`).
    #[must_use]
    pub const fn ucum(self) -> &'static str {
        match self.row().ucum {
            Some(u) => u,
            None => "",
        }
    }

    /// The unit with this MDC code, if we know it.
    #[must_use]
    pub fn from_mdc(code: MdcCode) -> Option<Self> {
        Self::ALL.iter().copied().find(|u| u.mdc() == code)
    }

    /// Like [`Unit::from_mdc`], as a `Result`.
    ///
    /// # Errors
    /// [`CoreError::InvalidCode`] for an unknown code.
    pub fn try_from_mdc(code: MdcCode) -> Result<Self, CoreError> {
        Self::from_mdc(code).ok_or(CoreError::InvalidCode)
    }
}

#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: `i < ALL.len()` bounds every index; an out-of-bounds index is a build error"
)]
const UNIT_ROWS: [usize; Unit::ALL.len()] = {
    let mut out = [usize::MAX; Unit::ALL.len()];
    let mut i = 0;
    while i < Unit::ALL.len() {
        out[i] = row_index(MdcEntry::Unit(Unit::ALL[i]));
        assert!(
            out[i] < crate::mdc::MDC_TABLE.len(),
            "every Unit needs a row in MDC_TABLE"
        );
        i += 1;
    }
    out
};
