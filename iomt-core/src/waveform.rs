//! [`WaveformChunk`]: a run of ECG samples from one lead (one postcard payload).
//!
//! Physical value of sample `i` = `samples[i] × factor` in `unit` (mV or µV), taken at
//! `first_sample + i / sample_rate_hz`. This maps directly to FHIR `SampledData`
//! (`origin` 0, `factor`, `period` = 1000 / rate ms, `data` = samples).
//!
//! Invariants (checked by [`WaveformChunk::new`] and on deserialization): `sample_rate_hz > 0`;
//! `unit` is [`Unit::MilliVolt`] or [`Unit::MicroVolt`]; `factor` is finite and positive; at most
//! `N` samples. Encoding is at most [`WaveformChunk::MAX_ENCODED_LEN`] bytes (samples are zigzag
//! varints: 1–3 bytes each).

use postcard::experimental::max_size::MaxSize;
use serde::{Deserialize, Serialize};

use crate::{CoreError, EcgLead, SFloat, TimestampMs, Unit};

/// Up to `N` samples of one ECG lead.
///
/// ```
/// use iomt_core::*;
/// let mut chunk = WaveformChunk::<8>::new(EcgLead::II, 250, Unit::MicroVolt, SFloat::from_decimal(5, 0)?,
///     TimestampMs::from_millis(1_800_000_000_000))?;
/// chunk.push(-12)?;
/// chunk.push(340)?;
/// assert_eq!(chunk.sample_time(1), Some(TimestampMs::from_millis(1_800_000_000_004)));
/// let mut buf = [0u8; WaveformChunk::<8>::MAX_ENCODED_LEN];
/// let n = chunk.encode(&mut buf)?;
/// assert_eq!(WaveformChunk::<8>::decode(&buf[..n])?, chunk);
/// # Ok::<(), CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WaveformRepr<N>")]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WaveformChunk<const N: usize> {
    lead: EcgLead,
    sample_rate_hz: u16,
    unit: Unit,
    factor: SFloat,
    first_sample: TimestampMs,
    samples: heapless::Vec<i16, N>,
}

impl<const N: usize> WaveformChunk<N> {
    /// Largest postcard encoding of a chunk of capacity `N`.
    pub const MAX_ENCODED_LEN: usize = EcgLead::POSTCARD_MAX_SIZE
        + u16::POSTCARD_MAX_SIZE
        + Unit::POSTCARD_MAX_SIZE
        + SFloat::POSTCARD_MAX_SIZE
        + TimestampMs::POSTCARD_MAX_SIZE
        + <heapless::Vec<i16, N> as MaxSize>::POSTCARD_MAX_SIZE;

    /// An empty chunk.
    ///
    /// # Errors
    /// [`CoreError::InvalidSampleRate`] for rate 0, [`CoreError::WaveformUnit`] for a unit other
    /// than mV/µV, [`CoreError::NotFinite`] / [`CoreError::NotRepresentable`] for a special or
    /// non-positive factor.
    pub fn new(
        lead: EcgLead,
        sample_rate_hz: u16,
        unit: Unit,
        factor: SFloat,
        first_sample: TimestampMs,
    ) -> Result<Self, CoreError> {
        if sample_rate_hz == 0 {
            return Err(CoreError::InvalidSampleRate);
        }
        if !matches!(unit, Unit::MilliVolt | Unit::MicroVolt) {
            return Err(CoreError::WaveformUnit { unit });
        }
        if !factor.is_finite() {
            return Err(CoreError::NotFinite);
        }
        if factor.mantissa() <= 0 {
            return Err(CoreError::NotRepresentable);
        }
        Ok(Self {
            lead,
            sample_rate_hz,
            unit,
            factor,
            first_sample,
            samples: heapless::Vec::new(),
        })
    }

    /// Appends a sample.
    ///
    /// # Errors
    /// [`CoreError::CapacityExceeded`] if the chunk holds `N`.
    pub fn push(&mut self, sample: i16) -> Result<(), CoreError> {
        self.samples
            .push(sample)
            .map_err(|_| CoreError::CapacityExceeded)
    }

    /// Appends samples.
    ///
    /// # Errors
    /// [`CoreError::CapacityExceeded`] if they don't all fit (then none are added).
    pub fn extend_from_slice(&mut self, samples: &[i16]) -> Result<(), CoreError> {
        self.samples
            .extend_from_slice(samples)
            .map_err(|_| CoreError::CapacityExceeded)
    }

    /// The lead.
    #[must_use]
    pub const fn lead(&self) -> EcgLead {
        self.lead
    }

    /// Samples per second.
    #[must_use]
    pub const fn sample_rate_hz(&self) -> u16 {
        self.sample_rate_hz
    }

    /// Unit of `sample × factor`.
    #[must_use]
    pub const fn unit(&self) -> Unit {
        self.unit
    }

    /// Value of one sample step, in [`Self::unit`].
    #[must_use]
    pub const fn factor(&self) -> SFloat {
        self.factor
    }

    /// Time of the first sample.
    #[must_use]
    pub const fn first_sample(&self) -> TimestampMs {
        self.first_sample
    }

    /// The samples.
    #[must_use]
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// Time of sample `index` (rounded down to the millisecond), if it exists.
    #[must_use]
    pub fn sample_time(&self, index: usize) -> Option<TimestampMs> {
        if index >= self.samples.len() {
            return None;
        }
        let offset = u64::try_from(index).ok()?.checked_mul(1000)? / u64::from(self.sample_rate_hz);
        Some(TimestampMs::from_millis(
            self.first_sample.as_millis().checked_add(offset)?,
        ))
    }

    /// postcard-encodes into `buf`, returning the length.
    ///
    /// # Errors
    /// [`CoreError::BufferTooSmall`].
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, CoreError> {
        crate::codec::encode(self, buf)
    }

    /// Decodes exactly one chunk (revalidated) from `bytes`.
    ///
    /// # Errors
    /// [`CoreError::Malformed`] or [`CoreError::TrailingBytes`].
    pub fn decode(bytes: &[u8]) -> Result<Self, CoreError> {
        crate::codec::decode(bytes)
    }
}

impl<const N: usize> MaxSize for WaveformChunk<N> {
    const POSTCARD_MAX_SIZE: usize = Self::MAX_ENCODED_LEN;
}

#[derive(Deserialize)]
struct WaveformRepr<const N: usize> {
    lead: EcgLead,
    sample_rate_hz: u16,
    unit: Unit,
    factor: SFloat,
    first_sample: TimestampMs,
    samples: heapless::Vec<i16, N>,
}

impl<const N: usize> TryFrom<WaveformRepr<N>> for WaveformChunk<N> {
    type Error = CoreError;
    fn try_from(r: WaveformRepr<N>) -> Result<Self, CoreError> {
        let mut chunk = Self::new(r.lead, r.sample_rate_hz, r.unit, r.factor, r.first_sample)?;
        chunk.samples = r.samples;
        Ok(chunk)
    }
}
