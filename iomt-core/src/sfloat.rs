//! IEEE 11073-20601 decimal floating point: [`SFloat`] (16-bit) and [`Float`] (32-bit).
//!
//! A value is `mantissa × 10^exponent`, both two's complement: SFLOAT has a 4-bit exponent
//! (−8..=7) and a 12-bit mantissa; FLOAT an 8-bit exponent (−128..=127) and a 24-bit mantissa.
//! The exponent is the high bits of the word.
//!
//! # Special values — our reading of 11073-20601
//! The standard defines the special values as whole words with **exponent 0**:
//!
//! | value     | SFLOAT   | FLOAT        |
//! |-----------|----------|--------------|
//! | NaN       | `0x07FF` | `0x007FFFFF` |
//! | NRes      | `0x0800` | `0x00800000` |
//! | +INFINITY | `0x07FE` | `0x007FFFFE` |
//! | −INFINITY | `0x0802` | `0x00800002` |
//! | reserved  | `0x0801` | `0x00800001` |
//!
//! So the *decoder* treats a word as special only if the whole word matches; the same mantissa
//! with a non-zero exponent (e.g. `0x17FF` = 2047 × 10¹) decodes as a finite number. The
//! *encoder* is conservative: it never emits any of those five mantissas, with any exponent
//! (finite mantissas are limited to ±2045 / ±8 388 605), so peers that read the specials by
//! mantissa alone still agree with us. A [`crate::Reading`] refuses such a value
//! ([`crate::CoreError::NotRepresentable`]): it is ambiguous between peers.
//!
//! # Invariants
//! - Any bit pattern is a valid value (`from_bits` is total); specials are whole words.
//! - [`SFloat::from_decimal`]/[`Float::from_decimal`] are exact (they fail rather than round) and
//!   return the canonical form: no trailing decimal zeros unless the exponent is at its maximum,
//!   zero as `0x0000`. [`SFloat::from_parts`] keeps the caller's exponent (it carries resolution:
//!   36.0 °C as 360 × 10⁻¹ is not the same statement as 36 °C).
//! - `to_f64` is correctly rounded for every SFLOAT and for FLOATs with |exponent| ≤ 22.
//! - `from_f64(v, d)` returns the value nearest to `v` with `d` decimal places (half away from
//!   zero): `|result − v| ≤ 0.5 × 10^−d` (plus `v`'s own binary representation error), normalized;
//!   inputs need `|v| × 10^d < 2^53`.
//!
//! Serde/postcard: SFLOAT encodes as 2 bytes, FLOAT as 4 bytes, both little-endian raw words.

use crate::CoreError;
use crate::decimal::{self, Format};

/// Which special value a word holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Special {
    /// Not a number (invalid result).
    NaN,
    /// Not at this resolution (value can't be represented with the available range/resolution).
    NRes,
    /// Positive infinity.
    PositiveInfinity,
    /// Negative infinity.
    NegativeInfinity,
    /// Reserved for future use.
    Reserved,
}

macro_rules! decimal_float {
    (
        $(#[$meta:meta])*
        $name:ident($bits:ty, $signed:ty, mantissa_bits = $mbits:literal, exponent_min = $emin:literal,
            exponent_max = $emax:literal, nan = $nan:literal, nres = $nres:literal, pinf = $pinf:literal,
            ninf = $ninf:literal, reserved = $res:literal, bytes = $nbytes:literal)
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name($bits);

        impl $name {
            /// Not a number.
            pub const NAN: Self = Self($nan);
            /// Not at this resolution.
            pub const NRES: Self = Self($nres);
            /// Positive infinity.
            pub const POSITIVE_INFINITY: Self = Self($pinf);
            /// Negative infinity.
            pub const NEGATIVE_INFINITY: Self = Self($ninf);
            /// The reserved special value.
            pub const RESERVED: Self = Self($res);
            /// Zero (canonical).
            pub const ZERO: Self = Self(0);
            /// Largest |mantissa| the encoder emits.
            pub const MANTISSA_MAX: i32 = (1 << ($mbits - 1)) - 3;
            /// Smallest exponent.
            pub const EXPONENT_MIN: i8 = $emin;
            /// Largest exponent.
            pub const EXPONENT_MAX: i8 = $emax;

            const FORMAT: Format = Format {
                mantissa_max: (1 << ($mbits - 1)) - 3,
                exponent_min: $emin,
                exponent_max: $emax,
            };
            const MANTISSA_MASK: i64 = (1 << $mbits) - 1;
            const EXPONENT_MASK: i64 = (1 << (<$bits>::BITS - $mbits)) - 1;

            /// The value with this raw word (any word is valid).
            #[must_use]
            pub const fn from_bits(bits: $bits) -> Self {
                Self(bits)
            }

            /// The raw word.
            #[must_use]
            pub const fn to_bits(self) -> $bits {
                self.0
            }

            /// The exponent field (sign-extended).
            #[must_use]
            pub const fn exponent(self) -> i8 {
                // The exponent is the top bits of the word: take the high byte, sign-extend.
                let high = self.0.to_be_bytes()[0].cast_signed();
                high >> (8 - (<$bits>::BITS - $mbits))
            }

            /// The mantissa field (sign-extended).
            #[must_use]
            pub fn mantissa(self) -> i32 {
                const SHIFT: u32 = <$bits>::BITS - $mbits;
                i32::from((self.0 << SHIFT) as $signed >> SHIFT)
            }

            /// Which special value this is, if the whole word is one.
            #[must_use]
            pub const fn special(self) -> Option<Special> {
                match self.0 {
                    $nan => Some(Special::NaN),
                    $nres => Some(Special::NRes),
                    $pinf => Some(Special::PositiveInfinity),
                    $ninf => Some(Special::NegativeInfinity),
                    $res => Some(Special::Reserved),
                    _ => None,
                }
            }

            /// Whether this is a finite number (not a special value).
            #[must_use]
            pub const fn is_finite(self) -> bool {
                self.special().is_none()
            }

            /// `(mantissa, exponent)` of a finite value, as encoded (not normalized).
            #[must_use]
            pub fn to_decimal(self) -> Option<(i32, i8)> {
                if self.is_finite() { Some((self.mantissa(), self.exponent())) } else { None }
            }

            /// Exactly `mantissa × 10^exponent` with the given exponent kept (no normalization).
            ///
            /// # Errors
            /// [`CoreError::NotRepresentable`] if the exponent is outside the format's range or
            /// `|mantissa|` exceeds [`Self::MANTISSA_MAX`].
            pub fn from_parts(mantissa: i32, exponent: i8) -> Result<Self, CoreError> {
                if !(Self::EXPONENT_MIN..=Self::EXPONENT_MAX).contains(&exponent)
                    || mantissa.unsigned_abs() > Self::MANTISSA_MAX.unsigned_abs()
                {
                    return Err(CoreError::NotRepresentable);
                }
                let exponent_field = (i64::from(exponent) & Self::EXPONENT_MASK) << $mbits;
                let mantissa_field = i64::from(mantissa) & Self::MANTISSA_MASK;
                <$bits>::try_from(exponent_field | mantissa_field)
                    .map(Self)
                    .map_err(|_| CoreError::NotRepresentable)
            }

            /// Exactly `mantissa × 10^exponent`, normalized to the canonical form.
            ///
            /// # Errors
            /// [`CoreError::NotRepresentable`] if the value can't be represented without rounding.
            pub fn from_decimal(mantissa: i32, exponent: i8) -> Result<Self, CoreError> {
                Self::from_normalized(decimal::normalize(i64::from(mantissa), i32::from(exponent), Self::FORMAT)?)
            }

            fn from_normalized((m, e): (i64, i32)) -> Result<Self, CoreError> {
                let m = i32::try_from(m).map_err(|_| CoreError::NotRepresentable)?;
                let e = i8::try_from(e).map_err(|_| CoreError::NotRepresentable)?;
                Self::from_parts(m, e)
            }

            /// The canonical form of the same number (specials unchanged).
            #[must_use]
            pub fn normalized(self) -> Self {
                match self.to_decimal() {
                    // Every finite word normalizes, except the +/-2046..2048 mantissas with an
                    // exponent that can't absorb a factor of ten; keep those as they are.
                    Some((m, e)) => Self::from_decimal(m, e).unwrap_or(self),
                    None => self,
                }
            }

            /// Exact numeric ordering of two finite values (no floating point), whatever their
            /// exponents; `None` if either is a special value.
            #[must_use]
            pub fn cmp_numeric(self, other: Self) -> Option<core::cmp::Ordering> {
                let (m1, e1) = self.to_decimal()?;
                let (m2, e2) = other.to_decimal()?;
                Some(decimal::cmp(i64::from(m1), i32::from(e1), i64::from(m2), i32::from(e2)))
            }

            /// Whether both are the same number (or the same special value), whatever the exponent.
            #[must_use]
            pub fn numeric_eq(self, other: Self) -> bool {
                match self.cmp_numeric(other) {
                    Some(order) => order.is_eq(),
                    None => self.0 == other.0,
                }
            }

            /// As `f64`: NaN for NaN, NRes and reserved; ±∞ for the infinities.
            #[must_use]
            pub fn to_f64(self) -> f64 {
                match self.special() {
                    None => decimal::to_f64(i64::from(self.mantissa()), i32::from(self.exponent())),
                    Some(Special::PositiveInfinity) => f64::INFINITY,
                    Some(Special::NegativeInfinity) => f64::NEG_INFINITY,
                    Some(_) => f64::NAN,
                }
            }

            /// As `f32` (via `f64`; at most one extra rounding).
            #[must_use]
            pub fn to_f32(self) -> f32 {
                #[expect(clippy::cast_possible_truncation, reason = "f64 -> f32 rounding is the intent")]
                let v = self.to_f64() as f32;
                v
            }

            /// The number nearest `value` with `precision_digits` decimal places (half away from
            /// zero), normalized. NaN and ±∞ map to the special values.
            ///
            /// # Errors
            /// [`CoreError::NotRepresentable`] if the rounded value doesn't fit the format, or if
            /// `|value| × 10^precision_digits ≥ 2^53` (beyond exact integer range of `f64`).
            pub fn from_f64(value: f64, precision_digits: u8) -> Result<Self, CoreError> {
                if value.is_nan() {
                    return Ok(Self::NAN);
                }
                if value == f64::INFINITY {
                    return Ok(Self::POSITIVE_INFINITY);
                }
                if value == f64::NEG_INFINITY {
                    return Ok(Self::NEGATIVE_INFINITY);
                }
                let (m, e) = decimal::from_f64(value, precision_digits)?;
                Self::from_normalized(decimal::normalize(m, e, Self::FORMAT)?)
            }

            /// [`Self::from_f64`] for an `f32` input (widened exactly first).
            ///
            /// # Errors
            /// As [`Self::from_f64`].
            pub fn from_f32(value: f32, precision_digits: u8) -> Result<Self, CoreError> {
                Self::from_f64(f64::from(value), precision_digits)
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.special() {
                    Some(s) => write!(f, "{}({s:?})", stringify!($name)),
                    None => write!(f, "{}({}e{})", stringify!($name), self.mantissa(), self.exponent()),
                }
            }
        }

        impl core::fmt::Display for $name {
            /// Exact decimal rendering (`36.6`, `-1234`, `7e3`) or the special value's name.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.special() {
                    Some(s) => write!(f, "{s:?}"),
                    None => write_decimal(f, self.mantissa(), self.exponent()),
                }
            }
        }

        #[cfg(feature = "defmt")]
        impl defmt::Format for $name {
            fn format(&self, f: defmt::Formatter<'_>) {
                defmt::write!(f, "{}e{}", self.mantissa(), self.exponent())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.0.to_le_bytes(), serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let bytes = <[u8; $nbytes] as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self(<$bits>::from_le_bytes(bytes)))
            }
        }

        impl postcard::experimental::max_size::MaxSize for $name {
            const POSTCARD_MAX_SIZE: usize = $nbytes;
        }
    };
}

decimal_float! {
    /// IEEE 11073 16-bit SFLOAT: 4-bit exponent, 12-bit mantissa (see the [module docs](self)).
    ///
    /// ```
    /// use iomt_core::SFloat;
    /// let two = SFloat::from_bits(0xF014); // 20 × 10^-1
    /// assert_eq!((two.mantissa(), two.exponent()), (20, -1));
    /// assert_eq!(two.to_f64(), 2.0);
    /// assert_eq!(SFloat::from_decimal(20, -1)?, SFloat::from_bits(0x0002)); // canonical
    /// assert_eq!(SFloat::from_f64(36.64, 1)?.to_string(), "36.6");
    /// assert!(SFloat::from_bits(0x07FF).to_f64().is_nan());
    /// # Ok::<(), iomt_core::CoreError>(())
    /// ```
    SFloat(u16, i16, mantissa_bits = 12, exponent_min = -8, exponent_max = 7,
        nan = 0x07FF, nres = 0x0800, pinf = 0x07FE, ninf = 0x0802, reserved = 0x0801, bytes = 2)
}

decimal_float! {
    /// IEEE 11073 32-bit FLOAT: 8-bit exponent, 24-bit mantissa (see the [module docs](self)).
    ///
    /// ```
    /// use iomt_core::{Float, SFloat};
    /// let w = Float::from_decimal(70_250, -3)?; // 70.25 kg, canonical 7025 × 10^-2
    /// assert_eq!((w.mantissa(), w.exponent()), (7025, -2));
    /// assert_eq!(Float::from(SFloat::NAN), Float::NAN);
    /// # Ok::<(), iomt_core::CoreError>(())
    /// ```
    Float(u32, i32, mantissa_bits = 24, exponent_min = -128, exponent_max = 127,
        nan = 0x007F_FFFF, nres = 0x0080_0000, pinf = 0x007F_FFFE, ninf = 0x0080_0002,
        reserved = 0x0080_0001, bytes = 4)
}

impl From<SFloat> for Float {
    /// Exact: specials map to the same special, finite values keep mantissa and exponent.
    fn from(s: SFloat) -> Self {
        match s.special() {
            Some(Special::NaN) => Self::NAN,
            Some(Special::NRes) => Self::NRES,
            Some(Special::PositiveInfinity) => Self::POSITIVE_INFINITY,
            Some(Special::NegativeInfinity) => Self::NEGATIVE_INFINITY,
            Some(Special::Reserved) => Self::RESERVED,
            None => {
                let e = u32::from(s.exponent().cast_unsigned());
                let m = s.mantissa().cast_unsigned() & 0x00FF_FFFF;
                Self((e << 24) | m)
            }
        }
    }
}

impl TryFrom<Float> for SFloat {
    type Error = CoreError;
    /// Specials map to the same special; finite values are normalized into SFLOAT range.
    ///
    /// # Errors
    /// [`CoreError::NotRepresentable`] if the number needs rounding to fit.
    fn try_from(f: Float) -> Result<Self, CoreError> {
        match f.special() {
            Some(Special::NaN) => Ok(Self::NAN),
            Some(Special::NRes) => Ok(Self::NRES),
            Some(Special::PositiveInfinity) => Ok(Self::POSITIVE_INFINITY),
            Some(Special::NegativeInfinity) => Ok(Self::NEGATIVE_INFINITY),
            Some(Special::Reserved) => Ok(Self::RESERVED),
            None => Self::from_decimal(f.mantissa(), f.exponent()),
        }
    }
}

/// Writes `m × 10^e` exactly in plain decimal notation (exponent notation for e > 0).
fn write_decimal(f: &mut core::fmt::Formatter<'_>, m: i32, e: i8) -> core::fmt::Result {
    if e >= 0 {
        return if e == 0 {
            write!(f, "{m}")
        } else {
            write!(f, "{m}e{e}")
        };
    }
    let sign = if m < 0 { "-" } else { "" };
    let abs = m.unsigned_abs();
    let places = u32::from(e.unsigned_abs());
    let div = 10_u64.pow(places.min(19));
    if places > 19 {
        // Only FLOAT reaches here; fall back to exponent notation.
        return write!(f, "{m}e{e}");
    }
    let int = u64::from(abs) / div;
    let frac = u64::from(abs) % div;
    write!(f, "{sign}{int}.{frac:0width$}", width = places as usize)
}
