//! [`VitalBatch`]: a fixed-capacity batch of readings (one postcard payload).
//!
//! Invariants: at most `N` readings (push fails beyond); every reading is validated (decoding
//! revalidates each); the encoding is a varint count followed by the readings, at most
//! [`VitalBatch::MAX_ENCODED_LEN`] bytes.

use postcard::experimental::max_size::MaxSize;
use serde::{Deserialize, Serialize};

use crate::{CoreError, Reading};

/// Up to `N` readings.
///
/// ```
/// use iomt_core::*;
/// let mut batch = VitalBatch::<4>::new();
/// let ts = TimestampMs::from_millis(1_800_000_000_000);
/// batch.push(Reading::new(VitalKind::HeartRate, SFloat::from_decimal(72, 0)?, Unit::BeatsPerMinute, ts, 1)?)?;
/// let mut buf = [0u8; VitalBatch::<4>::MAX_ENCODED_LEN];
/// let n = batch.encode(&mut buf)?;
/// assert_eq!(VitalBatch::<4>::decode(&buf[..n])?, batch);
/// # Ok::<(), CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct VitalBatch<const N: usize> {
    readings: heapless::Vec<Reading, N>,
}

impl<const N: usize> VitalBatch<N> {
    /// Largest postcard encoding of a batch of capacity `N`.
    pub const MAX_ENCODED_LEN: usize = <heapless::Vec<Reading, N> as MaxSize>::POSTCARD_MAX_SIZE;

    /// An empty batch.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            readings: heapless::Vec::new(),
        }
    }

    /// Appends a reading.
    ///
    /// # Errors
    /// [`CoreError::CapacityExceeded`] if the batch already holds `N`.
    pub fn push(&mut self, reading: Reading) -> Result<(), CoreError> {
        self.readings
            .push(reading)
            .map_err(|_| CoreError::CapacityExceeded)
    }

    /// The readings, in push order.
    #[must_use]
    pub fn readings(&self) -> &[Reading] {
        &self.readings
    }

    /// Number of readings.
    #[must_use]
    pub fn len(&self) -> usize {
        self.readings.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.readings.is_empty()
    }

    /// Whether it holds `N` readings.
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.readings.is_full()
    }

    /// Removes every reading.
    pub fn clear(&mut self) {
        self.readings.clear();
    }

    /// postcard-encodes into `buf`, returning the length.
    ///
    /// # Errors
    /// [`CoreError::BufferTooSmall`].
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, CoreError> {
        crate::codec::encode(self, buf)
    }

    /// Decodes exactly one batch from `bytes`; more than `N` readings is an error.
    ///
    /// # Errors
    /// [`CoreError::Malformed`] or [`CoreError::TrailingBytes`].
    pub fn decode(bytes: &[u8]) -> Result<Self, CoreError> {
        crate::codec::decode(bytes)
    }
}

impl<const N: usize> MaxSize for VitalBatch<N> {
    const POSTCARD_MAX_SIZE: usize = Self::MAX_ENCODED_LEN;
}
