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
    /// The error's code in iomt's one registry (docs/ERRORS.md): unique per meaning across
    /// every crate, grouped in ranges by class (1–99 general, 100 crypto, 200 data, 300
    /// handshake, 400 session, 500 authorization, 600 audit, 700 update), and equal to the
    /// C API's `iomt_result` value. A condition shared by several crates (a short buffer:
    /// 2) has one code. Never reused.
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::Implausible { .. } => 200,
            Self::WrongUnit { .. } => 201,
            Self::NotFinite => 202,
            Self::NotRepresentable => 203,
            Self::CapacityExceeded => 8,
            Self::BufferTooSmall { .. } => 2,
            Self::Malformed => 204,
            Self::TrailingBytes => 205,
            Self::UnknownBits => 206,
            Self::InvalidCode => 207,
            Self::InvalidValidity => 208,
            Self::UnsupportedVersion { .. } => 209,
            Self::NonCanonical => 210,
            Self::InvalidSampleRate => 213,
            Self::InvalidKeyId => 211,
            Self::WaveformUnit { .. } => 214,
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
        // The registry values (docs/ERRORS.md): the general capacity and short-buffer
        // codes, the rest in the data class 200-299.
        let expected = [
            200, 201, 202, 203, 8, 2, 204, 205, 206, 207, 208, 209, 210, 213, 211, 214,
        ];
        for (e, code) in all.iter().zip(expected) {
            assert_eq!(e.code(), code, "{e}");
        }
    }
}
