//! The one IEEE 11073-10101 code table: [`MDC_TABLE`].
//!
//! Every MDC code, LOINC code, UCUM string and plausibility range in this crate comes from this
//! `const` array; [`VitalKind`], [`Unit`] and [`EcgLead`] look their rows up (index computed at
//! compile time), and [`write_markdown`] renders the human-readable table committed as
//! `docs/VITALS.md` (a test fails if that file is stale; `IOMT_BLESS=1` rewrites it).
//!
//! Sources for each code are in `iomt-core/tests/data/ieee11073-mdc-codes.tsv`; a test checks
//! every row here against it (name, partition, term code, 32-bit code).
//!
//! # Known mistakes in public tables (and what we do)
//! - 150324 is `MDC_SAT_O2_ART` (arterial SaO2), **not** SpO2; SpO2 by pulse oximetry is
//!   `MDC_PULS_OXIM_SAT_O2` = 150456. (gematik ISiK labels 150324 as SpO2.)
//! - ECG lead III is term 317 (code 131389), not 259 (that is V1; 131331).
//! - 131328 is the generic `MDC_ECG_ELEC_POTL` MDC code, not a LOINC code (one FHIR sample
//!   labels it LOINC). We never emit it as LOINC; ECG rows carry no LOINC.
//! - Pulse rate by oximetry: the PHD IG example pairs it with LOINC 8867-4 (heart rate); 8889-8
//!   ("Heart rate by Pulse oximetry") is unverified in our sources, so we use 8867-4.
//! - Capillary glucose (`MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD`, 160184) is not in 10101:2004 (it comes
//!   from 11073-10417 / 10101a); its LOINC 41653-7 is seen in public code, not in an HL7 mapping.

use crate::{EcgLead, Float, Unit, VitalKind};

/// A 32-bit MDC code: partition (high 16 bits) and term code (low 16 bits).
///
/// ```
/// use iomt_core::mdc::MdcCode;
/// let hr = MdcCode::new(2, 16770);
/// assert_eq!(hr.code32(), 147_842);
/// assert_eq!(MdcCode::from_code32(0x0002_4182), hr);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MdcCode {
    /// Nomenclature partition (2 = SCADA/object, 4 = dimensions/units).
    pub partition: u16,
    /// Term code within the partition.
    pub term: u16,
}

impl MdcCode {
    /// From partition and term code.
    #[must_use]
    pub const fn new(partition: u16, term: u16) -> Self {
        Self { partition, term }
    }

    /// The 32-bit code, `partition << 16 | term` (FHIR system `urn:iso:std:iso:11073:10101`).
    #[must_use]
    pub const fn code32(self) -> u32 {
        ((self.partition as u32) << 16) | self.term as u32
    }

    /// Splits a 32-bit code.
    #[must_use]
    pub const fn from_code32(code: u32) -> Self {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "splitting a u32 into its two halves"
        )]
        let (partition, term) = ((code >> 16) as u16, code as u16);
        Self { partition, term }
    }
}

/// A unit a vital kind accepts, with the plausibility range (inclusive) in that unit. Bounds are
/// exact decimals, compared exactly ([`Float::cmp_numeric`]) — no floating point on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRange {
    /// The unit.
    pub unit: Unit,
    /// Smallest plausible value.
    pub min: Float,
    /// Largest plausible value.
    pub max: Float,
}

/// What a table row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MdcEntry {
    /// A numeric vital sign and the units it may be reported in.
    Vital {
        /// The kind.
        kind: VitalKind,
        /// Accepted units with ranges; the first is preferred.
        units: &'static [UnitRange],
    },
    /// A unit of measure.
    Unit(Unit),
    /// An ECG lead (waveform).
    Lead(EcgLead),
}

/// One row of the code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MdcRow {
    /// The MDC reference id (e.g. `MDC_ECG_HEART_RATE`).
    pub name: &'static str,
    /// Partition and term code.
    pub code: MdcCode,
    /// What it means.
    pub meaning: &'static str,
    /// LOINC codes for FHIR export, primary first (empty for units and leads).
    pub loinc: &'static [&'static str],
    /// UCUM string (units only).
    pub ucum: Option<&'static str>,
    /// Which crate type this row belongs to.
    pub entry: MdcEntry,
}

const fn vital(
    name: &'static str,
    term: u16,
    meaning: &'static str,
    loinc: &'static [&'static str],
    kind: VitalKind,
    units: &'static [UnitRange],
) -> MdcRow {
    MdcRow {
        name,
        code: MdcCode::new(2, term),
        meaning,
        loinc,
        ucum: None,
        entry: MdcEntry::Vital { kind, units },
    }
}

const fn unit(
    name: &'static str,
    term: u16,
    meaning: &'static str,
    ucum: &'static str,
    unit: Unit,
) -> MdcRow {
    MdcRow {
        name,
        code: MdcCode::new(4, term),
        meaning,
        loinc: &[],
        ucum: Some(ucum),
        entry: MdcEntry::Unit(unit),
    }
}

const fn lead(name: &'static str, term: u16, meaning: &'static str, lead: EcgLead) -> MdcRow {
    MdcRow {
        name,
        code: MdcCode::new(2, term),
        meaning,
        loinc: &[],
        ucum: None,
        entry: MdcEntry::Lead(lead),
    }
}

/// `(mantissa, exponent)` decimals for the range bounds (`(27, -1)` = 2.7).
type Dec = (i32, i8);

const fn range(unit: Unit, min: Dec, max: Dec) -> UnitRange {
    UnitRange {
        unit,
        min: float(min),
        max: float(max),
    }
}

/// A FLOAT from `(mantissa, exponent)` in a `const` table (checked at compile time).
const fn float((m, e): Dec) -> Float {
    assert!(
        m > -8_388_606 && m < 8_388_606,
        "mantissa out of FLOAT range"
    );
    let exponent = e.cast_unsigned() as u32;
    let mantissa = m.cast_unsigned() & 0x00FF_FFFF;
    Float::from_bits((exponent << 24) | mantissa)
}

use EcgLead as L;
use Unit as U;
use VitalKind as K;

/// The code table (the only copy; see the [module docs](self)).
pub const MDC_TABLE: [MdcRow; 26] = [
    vital(
        "MDC_ECG_HEART_RATE",
        16770,
        "Heart rate (ECG)",
        &["8867-4"],
        K::HeartRate,
        &[range(U::BeatsPerMinute, (20, 0), (300, 0))],
    ),
    vital(
        "MDC_PULS_OXIM_PULS_RATE",
        18458,
        "Pulse rate by pulse oximetry",
        &["8867-4"],
        K::PulseRateOximeter,
        &[range(U::BeatsPerMinute, (20, 0), (300, 0))],
    ),
    vital(
        "MDC_PULS_OXIM_SAT_O2",
        19384,
        "SpO2, oxygen saturation by pulse oximetry",
        &["59408-5", "2708-6"],
        K::SpO2,
        &[range(U::Percent, (0, 0), (100, 0))],
    ),
    vital(
        "MDC_TEMP_BODY",
        19292,
        "Body temperature, site unspecified",
        &["8310-5"],
        K::BodyTemperature,
        &[
            range(U::DegreeCelsius, (25, 0), (45, 0)),
            range(U::DegreeFahrenheit, (77, 0), (113, 0)),
        ],
    ),
    vital(
        "MDC_PRESS_BLD_NONINV_SYS",
        18949,
        "NIBP systolic",
        &["8480-6"],
        K::NibpSystolic,
        &[
            range(U::MillimetreOfMercury, (20, 0), (300, 0)),
            range(U::KiloPascal, (27, -1), (40, 0)),
        ],
    ),
    vital(
        "MDC_PRESS_BLD_NONINV_DIA",
        18950,
        "NIBP diastolic",
        &["8462-4"],
        K::NibpDiastolic,
        &[
            range(U::MillimetreOfMercury, (10, 0), (250, 0)),
            range(U::KiloPascal, (13, -1), (333, -1)),
        ],
    ),
    vital(
        "MDC_PRESS_BLD_NONINV_MEAN",
        18951,
        "NIBP mean arterial pressure",
        &["8478-0"],
        K::NibpMean,
        &[
            range(U::MillimetreOfMercury, (15, 0), (260, 0)),
            range(U::KiloPascal, (2, 0), (347, -1)),
        ],
    ),
    vital(
        "MDC_RESP_RATE",
        20490,
        "Respiration rate, method unspecified",
        &["9279-1"],
        K::RespirationRate,
        &[range(U::BreathsPerMinute, (0, 0), (150, 0))],
    ),
    vital(
        "MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD",
        29112,
        "Glucose, capillary whole blood (glucometer)",
        &["41653-7"],
        K::CapillaryBloodGlucose,
        &[
            range(U::MilligramPerDecilitre, (10, 0), (1000, 0)),
            range(U::MillimolePerLitre, (6, -1), (555, -1)),
        ],
    ),
    vital(
        "MDC_MASS_BODY_ACTUAL",
        57664,
        "Body weight",
        &["29463-7"],
        K::BodyWeight,
        &[range(U::Kilogram, (2, -1), (650, 0))],
    ),
    lead(
        "MDC_ECG_ELEC_POTL",
        256,
        "ECG, generic/unspecified lead",
        L::Unspecified,
    ),
    lead("MDC_ECG_ELEC_POTL_I", 257, "ECG lead I", L::I),
    lead("MDC_ECG_ELEC_POTL_II", 258, "ECG lead II", L::II),
    lead("MDC_ECG_ELEC_POTL_III", 317, "ECG lead III", L::III),
    unit("MDC_DIM_PERCENT", 544, "percent", "%", U::Percent),
    unit(
        "MDC_DIM_BEAT_PER_MIN",
        2720,
        "beats per minute",
        "/min",
        U::BeatsPerMinute,
    ),
    unit(
        "MDC_DIM_RESP_PER_MIN",
        2784,
        "respirations per minute",
        "/min",
        U::BreathsPerMinute,
    ),
    unit(
        "MDC_DIM_DEGC",
        6048,
        "degree Celsius",
        "Cel",
        U::DegreeCelsius,
    ),
    unit(
        "MDC_DIM_FAHR",
        4416,
        "degree Fahrenheit",
        "[degF]",
        U::DegreeFahrenheit,
    ),
    unit(
        "MDC_DIM_MMHG",
        3872,
        "millimetre of mercury",
        "mm[Hg]",
        U::MillimetreOfMercury,
    ),
    unit(
        "MDC_DIM_KILO_PASCAL",
        3843,
        "kilopascal",
        "kPa",
        U::KiloPascal,
    ),
    unit(
        "MDC_DIM_MILLI_G_PER_DL",
        2130,
        "milligram per decilitre",
        "mg/dL",
        U::MilligramPerDecilitre,
    ),
    unit(
        "MDC_DIM_MILLI_MOLE_PER_L",
        4722,
        "millimole per litre",
        "mmol/L",
        U::MillimolePerLitre,
    ),
    unit("MDC_DIM_KILO_G", 1731, "kilogram", "kg", U::Kilogram),
    unit("MDC_DIM_MILLI_VOLT", 4274, "millivolt", "mV", U::MilliVolt),
    unit("MDC_DIM_MICRO_VOLT", 4275, "microvolt", "uV", U::MicroVolt),
];

/// The row whose entry is `entry` (vital rows match on kind only), or `usize::MAX`.
#[allow(
    clippy::indexing_slicing,
    reason = "in bounds: `i < MDC_TABLE.len()` is the loop condition (and this runs only in const tables)"
)]
pub(crate) const fn row_index(entry: MdcEntry) -> usize {
    let mut i = 0;
    while i < MDC_TABLE.len() {
        let hit = match (MDC_TABLE[i].entry, entry) {
            (MdcEntry::Vital { kind: a, .. }, MdcEntry::Vital { kind: b, .. }) => {
                a as u8 == b as u8
            }
            (MdcEntry::Unit(a), MdcEntry::Unit(b)) => a as u8 == b as u8,
            (MdcEntry::Lead(a), MdcEntry::Lead(b)) => a as u8 == b as u8,
            _ => false,
        };
        if hit {
            return i;
        }
        i += 1;
    }
    usize::MAX
}

/// The row with this 32-bit code, if any.
#[must_use]
pub fn lookup(code: MdcCode) -> Option<&'static MdcRow> {
    MDC_TABLE.iter().find(|r| r.code == code)
}

/// Renders [`MDC_TABLE`] as the Markdown document committed at `docs/VITALS.md`.
///
/// # Errors
/// Whatever the writer returns.
pub fn write_markdown(w: &mut impl core::fmt::Write) -> core::fmt::Result {
    w.write_str(
        "# Vital-sign, ECG-lead and unit codes\n\n\
         <!-- Generated from iomt-core/src/mdc.rs (MDC_TABLE). Do not edit by hand: run\n     \
         `IOMT_BLESS=1 cargo test -p iomt-core --test mdc_table` to regenerate. -->\n\n\
         IEEE 11073-10101 codes used by `iomt-core`, with the LOINC and UCUM codes used for FHIR\n\
         export. Code32 = partition × 65536 + term code (FHIR system `urn:iso:std:iso:11073:10101`).\n\
         Sources per code: `iomt-core/tests/data/ieee11073-mdc-codes.tsv`.\n\n\
         ## Vital signs\n\n\
         | Kind | MDC reference id | Partition | Term | Code32 | LOINC | Units (plausible range, inclusive) | Meaning |\n\
         |---|---|---|---|---|---|---|---|\n",
    )?;
    for row in &MDC_TABLE {
        if let MdcEntry::Vital { kind, units } = row.entry {
            write!(
                w,
                "| `{kind:?}` | `{}` | {} | {} | {} | ",
                row.name,
                row.code.partition,
                row.code.term,
                row.code.code32()
            )?;
            write_list(w, row.loinc)?;
            w.write_str(" | ")?;
            for (i, r) in units.iter().enumerate() {
                if i > 0 {
                    w.write_str("; ")?;
                }
                write!(w, "`{}` {}–{}", r.unit.ucum(), r.min, r.max)?;
            }
            writeln!(w, " | {} |", row.meaning)?;
        }
    }
    w.write_str(
        "\n## ECG leads (waveforms)\n\n\
         | Lead | MDC reference id | Partition | Term | Code32 | Meaning |\n|---|---|---|---|---|---|\n",
    )?;
    for row in &MDC_TABLE {
        if let MdcEntry::Lead(lead) = row.entry {
            writeln!(
                w,
                "| `{lead:?}` | `{}` | {} | {} | {} | {} |",
                row.name,
                row.code.partition,
                row.code.term,
                row.code.code32(),
                row.meaning
            )?;
        }
    }
    w.write_str(
        "\n## Units\n\n\
         | Unit | MDC reference id | Partition | Term | Code32 | UCUM | Meaning |\n|---|---|---|---|---|---|---|\n",
    )?;
    for row in &MDC_TABLE {
        if let MdcEntry::Unit(unit) = row.entry {
            writeln!(
                w,
                "| `{unit:?}` | `{}` | {} | {} | {} | `{}` | {} |",
                row.name,
                row.code.partition,
                row.code.term,
                row.code.code32(),
                row.ucum.unwrap_or(""),
                row.meaning
            )?;
        }
    }
    w.write_str(
        "\n## Known mistakes in public tables\n\n\
         - 150324 is `MDC_SAT_O2_ART` (arterial SaO2), not SpO2; SpO2 by pulse oximetry is 150456.\n\
         - ECG lead III is term 317 (131389), not 259 (131331 is lead V1).\n\
         - 131328 is the generic ECG MDC code, not a LOINC code; ECG rows carry no LOINC here.\n\
         - Pulse rate by oximetry is exported with LOINC 8867-4 (as in the PHD IG example);\n  \
         8889-8 is unverified in our sources.\n\
         - Capillary glucose (160184) comes from 11073-10417 / 10101a, not 10101:2004; its LOINC\n  \
         41653-7 is seen in public code, not in an HL7 mapping.\n",
    )
}

fn write_list(w: &mut impl core::fmt::Write, items: &[&str]) -> core::fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            w.write_str(", ")?;
        }
        write!(w, "{item}")?;
    }
    Ok(())
}
