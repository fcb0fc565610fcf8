//! The crate's one error type.
//!
//! Invariants: every variant is `Copy` and carries only `Copy` payloads; [`CoreError::code`] is a
//! stable number (never reused) that other crates and the C API can forward.

use crate::{Unit, VitalKind};

/// Everything that can go wrong in `iomt-core`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CoreError {
    /// A reading's value is outside the plausibility range of its kind (in that unit).
    Implausible {
        /// The vital kind whose range was violated.
        kind: VitalKind,
    },
    /// The unit is not one the vital kind can be reported in.
    WrongUnit {
        /// The vital kind.
        kind: VitalKind,
        /// The unit that was offered.
        unit: Unit,
    },
    /// A special value (NaN, NRes, ±INF, reserved) where a finite number is required.
    NotFinite,
    /// The number can't be represented exactly as SFLOAT/FLOAT (mantissa or exponent out of range).
    NotRepresentable,
    /// A fixed-capacity container is full.
    CapacityExceeded,
    /// The output buffer is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// Untrusted bytes are not a valid encoding (truncated, bad varint, bad bool/option tag,
    /// or a value rejected by a type's validation).
    Malformed,
    /// Bytes remain after a complete value was decoded.
    TrailingBytes,
    /// A bitset has a bit that no element defines.
    UnknownBits,
    /// An enum code that no variant defines.
    InvalidCode,
    /// A validity window whose start is after its end.
    InvalidValidity,
    /// An encoding version this build doesn't understand.
    UnsupportedVersion {
        /// The version found.
        version: u8,
    },
    /// An encoding that decodes but is not the canonical (shortest) one.
    NonCanonical,
    /// A waveform sample rate of zero.
    InvalidSampleRate,
    /// An issuer key id that is empty.
    InvalidKeyId,
    /// A waveform unit that is not a voltage (mV, µV).
    WaveformUnit {
        /// The unit offered.
        unit: Unit,
    },
}

impl CoreError {
    /// The stable numeric code of this error (1..; never reused).
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::Implausible { .. } => 1,
            Self::WrongUnit { .. } => 2,
            Self::NotFinite => 3,
            Self::NotRepresentable => 4,
            Self::CapacityExceeded => 5,
            Self::BufferTooSmall { .. } => 6,
            Self::Malformed => 7,
            Self::TrailingBytes => 8,
            Self::UnknownBits => 9,
            Self::InvalidCode => 10,
            Self::InvalidValidity => 11,
            Self::UnsupportedVersion { .. } => 12,
            Self::NonCanonical => 13,
            Self::InvalidSampleRate => 14,
            Self::InvalidKeyId => 15,
            Self::WaveformUnit { .. } => 16,
        }
    }
}

impl core::fmt::Display for CoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Implausible { kind } => write!(f, "implausible {kind:?} value"),
            Self::WrongUnit { kind, unit } => write!(f, "{kind:?} can't be reported in {unit:?}"),
            Self::NotFinite => f.write_str("special (non-finite) value where a number is required"),
            Self::NotRepresentable => f.write_str("number not exactly representable"),
            Self::CapacityExceeded => f.write_str("capacity exceeded"),
            Self::BufferTooSmall { needed } => {
                write!(f, "buffer too small ({needed} bytes needed)")
            }
            Self::Malformed => f.write_str("malformed encoding"),
            Self::TrailingBytes => f.write_str("trailing bytes after value"),
            Self::UnknownBits => f.write_str("unknown bits in bitset"),
            Self::InvalidCode => f.write_str("invalid enum code"),
            Self::InvalidValidity => f.write_str("validity window starts after it ends"),
            Self::UnsupportedVersion { version } => write!(f, "unsupported version {version}"),
            Self::NonCanonical => f.write_str("non-canonical encoding"),
            Self::InvalidSampleRate => f.write_str("sample rate must be non-zero"),
            Self::InvalidKeyId => f.write_str("issuer key id must not be empty"),
            Self::WaveformUnit { unit } => write!(f, "{unit:?} is not a waveform (voltage) unit"),
        }
    }
}

impl core::error::Error for CoreError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_stable() {
        let all = [
            CoreError::Implausible {
                kind: VitalKind::HeartRate,
            },
            CoreError::WrongUnit {
                kind: VitalKind::HeartRate,
                unit: Unit::Percent,
            },
            CoreError::NotFinite,
            CoreError::NotRepresentable,
            CoreError::CapacityExceeded,
            CoreError::BufferTooSmall { needed: 3 },
            CoreError::Malformed,
            CoreError::TrailingBytes,
            CoreError::UnknownBits,
            CoreError::InvalidCode,
            CoreError::InvalidValidity,
            CoreError::UnsupportedVersion { version: 9 },
            CoreError::NonCanonical,
            CoreError::InvalidSampleRate,
            CoreError::InvalidKeyId,
            CoreError::WaveformUnit {
                unit: Unit::Kilogram,
            },
        ];
        for (i, e) in all.iter().enumerate() {
            assert_eq!(usize::from(e.code()), i + 1, "{e}");
        }
    }
}
