//! Time stamps: seconds ([`Timestamp`], used by consent validity) and milliseconds
//! ([`TimestampMs`], used by readings and waveforms), both since the Unix epoch (UTC).
//!
//! Invariants: plain `u64` newtypes, totally ordered; postcard encodes them as varints.

use postcard::experimental::max_size::MaxSize;
use serde::{Deserialize, Serialize};

/// Seconds since 1970-01-01T00:00:00Z (leap seconds not counted, as Unix time).
///
/// ```
/// use iomt_core::Timestamp;
/// let t = Timestamp::from_secs(1_800_000_000);
/// assert!(t < Timestamp::from_secs(1_800_000_001));
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    MaxSize,
)]
#[serde(transparent)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timestamp(u64);

impl Timestamp {
    /// The epoch itself.
    pub const EPOCH: Self = Self(0);
    /// The largest representable time (used as "no end").
    pub const MAX: Self = Self(u64::MAX);

    /// From seconds since the epoch.
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since the epoch.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }
}

/// Milliseconds since 1970-01-01T00:00:00Z.
///
/// ```
/// use iomt_core::{Timestamp, TimestampMs};
/// assert_eq!(TimestampMs::from_millis(1_500).to_secs(), Timestamp::from_secs(1));
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    MaxSize,
)]
#[serde(transparent)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TimestampMs(u64);

impl TimestampMs {
    /// From milliseconds since the epoch.
    #[must_use]
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the epoch.
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Whole seconds (truncated).
    #[must_use]
    pub const fn to_secs(self) -> Timestamp {
        Timestamp(self.0 / 1000)
    }
}

impl From<Timestamp> for TimestampMs {
    /// Saturates at `u64::MAX` milliseconds.
    fn from(t: Timestamp) -> Self {
        Self(t.0.saturating_mul(1000))
    }
}
