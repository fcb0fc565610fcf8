//! A validated numeric vital-sign [`Reading`] and its [`ReadingStatus`] flags.
//!
//! Invariants (checked by [`Reading::new`] **and** on deserialization): the unit is one the kind
//! accepts, the value is finite (no NaN/NRes/INF — report problems with status flags instead) and
//! within the kind's plausibility range in that unit (see `docs/VITALS.md`).
//!
//! postcard size: at most [`Reading::MAX_ENCODED_LEN`] = 22 bytes (kind 1, value 4, unit 1,
//! timestamp ≤ 10, status 1, sequence ≤ 5); 16 bytes for a 2026 timestamp and small sequence.

use postcard::experimental::max_size::MaxSize;
use serde::{Deserialize, Serialize};

use crate::{CoreError, Float, TimestampMs, Unit, VitalKind};

code_enum! {
    /// One status condition of a reading.
    pub enum StatusFlag {
        /// Motion or other artifact suspected.
        Artifact = 0,
        /// Low signal quality / perfusion.
        LowSignal = 1,
        /// The value is in alarm (outside the device's alarm limits).
        Alarm = 2,
        /// The device flags the value as questionable.
        Questionable = 3,
        /// The sensor was calibrating.
        Calibrating = 4,
        /// Entered manually, not measured.
        ManualEntry = 5,
    }
}

bitset! {
    /// A set of [`StatusFlag`]s (bit `n` = flag with code `n`).
    pub struct ReadingStatus(u8) of StatusFlag;
}

/// One validated vital-sign measurement.
///
/// ```
/// use iomt_core::*;
/// let r = Reading::new(VitalKind::SpO2, SFloat::from_decimal(97, 0)?, Unit::Percent,
///     TimestampMs::from_millis(1_800_000_000_000), 42)?
///     .with_status(ReadingStatus::only(StatusFlag::LowSignal));
/// assert_eq!(r.value().to_f64(), 97.0);
/// let mut buf = [0u8; Reading::MAX_ENCODED_LEN];
/// let n = r.encode(&mut buf)?;
/// assert_eq!(Reading::decode(&buf[..n])?, r);
/// // Out of range and wrong unit are errors:
/// let ts = TimestampMs::from_millis(0);
/// assert_eq!(Reading::new(VitalKind::SpO2, SFloat::from_decimal(101, 0)?, Unit::Percent, ts, 0),
///     Err(CoreError::Implausible { kind: VitalKind::SpO2 }));
/// assert!(Reading::new(VitalKind::HeartRate, SFloat::from_decimal(60, 0)?, Unit::Percent, ts, 0).is_err());
/// # Ok::<(), CoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, MaxSize)]
#[serde(try_from = "ReadingRepr")]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reading {
    kind: VitalKind,
    value: Float,
    unit: Unit,
    timestamp: TimestampMs,
    status: ReadingStatus,
    sequence: u32,
}

impl Reading {
    /// Largest postcard encoding of a reading.
    pub const MAX_ENCODED_LEN: usize = <Self as MaxSize>::POSTCARD_MAX_SIZE;

    /// A reading with no status flags.
    ///
    /// # Errors
    /// [`CoreError::WrongUnit`], [`CoreError::NotFinite`], [`CoreError::NotRepresentable`]
    /// or [`CoreError::Implausible`] (see [`VitalKind::check`]).
    pub fn new(
        kind: VitalKind,
        value: impl Into<Float>,
        unit: Unit,
        timestamp: TimestampMs,
        sequence: u32,
    ) -> Result<Self, CoreError> {
        let value = value.into();
        kind.check(value, unit)?;
        Ok(Self {
            kind,
            value,
            unit,
            timestamp,
            status: ReadingStatus::EMPTY,
            sequence,
        })
    }

    /// The same reading with these status flags.
    #[must_use]
    pub const fn with_status(mut self, status: ReadingStatus) -> Self {
        self.status = status;
        self
    }

    /// What was measured.
    #[must_use]
    pub const fn kind(&self) -> VitalKind {
        self.kind
    }

    /// The value (finite, plausible).
    #[must_use]
    pub const fn value(&self) -> Float {
        self.value
    }

    /// The unit of [`Self::value`].
    #[must_use]
    pub const fn unit(&self) -> Unit {
        self.unit
    }

    /// When it was measured.
    #[must_use]
    pub const fn timestamp(&self) -> TimestampMs {
        self.timestamp
    }

    /// Status flags.
    #[must_use]
    pub const fn status(&self) -> ReadingStatus {
        self.status
    }

    /// The device's sequence number for this reading.
    #[must_use]
    pub const fn sequence(&self) -> u32 {
        self.sequence
    }

    /// postcard-encodes into `buf`, returning the length.
    ///
    /// # Errors
    /// [`CoreError::BufferTooSmall`].
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, CoreError> {
        crate::codec::encode(self, buf)
    }

    /// Decodes exactly one reading (revalidated) from `bytes`.
    ///
    /// # Errors
    /// [`CoreError::Malformed`] (including invalid or implausible content) or
    /// [`CoreError::TrailingBytes`].
    pub fn decode(bytes: &[u8]) -> Result<Self, CoreError> {
        crate::codec::decode(bytes)
    }
}

#[derive(Deserialize)]
struct ReadingRepr {
    kind: VitalKind,
    value: Float,
    unit: Unit,
    timestamp: TimestampMs,
    status: ReadingStatus,
    sequence: u32,
}

impl TryFrom<ReadingRepr> for Reading {
    type Error = CoreError;
    fn try_from(r: ReadingRepr) -> Result<Self, CoreError> {
        Ok(Self::new(r.kind, r.value, r.unit, r.timestamp, r.sequence)?.with_status(r.status))
    }
}
