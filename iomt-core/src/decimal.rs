//! Shared decimal arithmetic for [`SFloat`](crate::SFloat) and [`Float`](crate::Float):
//! normalization of `mantissa × 10^exponent` and conversion to/from binary floating point.
//!
//! Invariants: nothing here panics (checked arithmetic; divisions only by the constant 10);
//! `normalize` is exact — it never rounds, it fails instead.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use crate::CoreError;

/// Limits of one IEEE 11073 decimal format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Format {
    /// Largest |mantissa| the encoder emits (excludes the special-value mantissas).
    pub(crate) mantissa_max: i64,
    pub(crate) exponent_min: i32,
    pub(crate) exponent_max: i32,
}

/// Brings `m × 10^e` into `fmt`'s range exactly, in canonical form: no trailing decimal zeros in
/// the mantissa unless the exponent is already at its maximum; zero is `(0, 0)`.
///
/// # Errors
/// [`CoreError::NotRepresentable`] if that needs rounding or the magnitude doesn't fit.
pub(crate) fn normalize(mut m: i64, mut e: i32, fmt: Format) -> Result<(i64, i32), CoreError> {
    if m == 0 {
        return Ok((0, 0));
    }
    // Strip trailing zeros (exact) while the exponent may grow.
    while m % 10 == 0 && e < fmt.exponent_max {
        m /= 10;
        e = e.checked_add(1).ok_or(CoreError::NotRepresentable)?;
    }
    // Exponent too large: move powers of ten into the mantissa while it fits.
    while e > fmt.exponent_max {
        m = m.checked_mul(10).ok_or(CoreError::NotRepresentable)?;
        if m.unsigned_abs() > fmt.mantissa_max.unsigned_abs() {
            return Err(CoreError::NotRepresentable);
        }
        e = e.checked_sub(1).ok_or(CoreError::NotRepresentable)?;
    }
    // After stripping, a remaining too-small exponent or too-large mantissa can't be fixed exactly.
    if e < fmt.exponent_min || m.unsigned_abs() > fmt.mantissa_max.unsigned_abs() {
        return Err(CoreError::NotRepresentable);
    }
    Ok((m, e))
}

/// Exact ordering of `m1 × 10^e1` and `m2 × 10^e2` for mantissas with `|m| < 10^8` (both
/// formats). No floating point: the mantissa with the larger exponent is scaled by at most 10^9,
/// which already exceeds any other mantissa, so the result is exact for every exponent pair.
pub(crate) fn cmp(m1: i64, e1: i32, m2: i64, e2: i32) -> core::cmp::Ordering {
    fn scale(m: i64, by: i32) -> i64 {
        let mut out = m;
        let mut k = 0;
        while k < by.min(9) {
            out = out.saturating_mul(10);
            k = k.saturating_add(1);
        }
        out
    }
    if e1 >= e2 {
        scale(m1, e1.saturating_sub(e2)).cmp(&m2)
    } else {
        m1.cmp(&scale(m2, e2.saturating_sub(e1)))
    }
}

/// Exact powers of ten representable in `f64` (10^0 ..= 10^22).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `10^k` for `k <= 22` exactly, larger `k` by repeated multiplication (then inexact).
fn pow10(k: u32) -> f64 {
    let mut rest = k;
    let mut acc = 1.0_f64;
    while rest > 22 {
        acc *= 1e22;
        rest = rest.saturating_sub(22);
    }
    acc * POW10.get(rest as usize).copied().unwrap_or(1e22)
}

/// `m × 10^e` as `f64`. Correctly rounded when `|e| <= 22` and `|m| < 2^53` (one IEEE operation
/// on exact operands); otherwise within a few ulp.
pub(crate) fn to_f64(m: i64, e: i32) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "mantissas are < 2^24, exact in f64"
    )]
    let mf = m as f64;
    if e >= 0 {
        mf * pow10(e.unsigned_abs())
    } else {
        mf / pow10(e.unsigned_abs())
    }
}

/// Rounds `value × 10^digits` half away from zero to an integer mantissa with exponent `-digits`.
///
/// # Errors
/// [`CoreError::NotFinite`] if `value` is not finite; [`CoreError::NotRepresentable`] if the
/// scaled value exceeds 2^53.
pub(crate) fn from_f64(value: f64, digits: u8) -> Result<(i64, i32), CoreError> {
    if !value.is_finite() {
        return Err(CoreError::NotFinite);
    }
    let scaled = value * pow10(u32::from(digits));
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    if !(-LIMIT..=LIMIT).contains(&scaled) {
        return Err(CoreError::NotRepresentable);
    }
    let rounded = if scaled >= 0.0 {
        scaled + 0.5
    } else {
        scaled - 0.5
    };
    #[expect(
        clippy::cast_possible_truncation,
        reason = "bounded by 2^53 + 1 above; truncation toward zero is the rounding step"
    )]
    let m = rounded as i64;
    Ok((m, i32::from(digits).wrapping_neg()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Format = Format {
        mantissa_max: 2045,
        exponent_min: -8,
        exponent_max: 7,
    };

    #[test]
    fn normalize_examples() {
        assert_eq!(normalize(20, -1, S), Ok((2, 0)));
        assert_eq!(normalize(0, -5, S), Ok((0, 0)));
        assert_eq!(normalize(12_000, 0, S), Ok((12, 3)));
        assert_eq!(normalize(5, 9, S), Ok((500, 7)));
        assert_eq!(normalize(5, 11, S), Err(CoreError::NotRepresentable));
        assert_eq!(normalize(2046, 0, S), Err(CoreError::NotRepresentable));
        assert_eq!(normalize(-2045, 0, S), Ok((-2045, 0)));
        assert_eq!(normalize(1, -9, S), Err(CoreError::NotRepresentable));
        assert_eq!(normalize(10, -9, S), Ok((1, -8)));
        assert_eq!(normalize(12_345, -3, S), Err(CoreError::NotRepresentable));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(from_f64(2.5, 0), Ok((3, 0)));
        assert_eq!(from_f64(-2.5, 0), Ok((-3, 0)));
        assert_eq!(from_f64(36.64, 1), Ok((366, -1)));
        assert_eq!(from_f64(f64::NAN, 1), Err(CoreError::NotFinite));
        assert_eq!(from_f64(1e300, 0), Err(CoreError::NotRepresentable));
    }

    #[test]
    fn exact_comparison() {
        use core::cmp::Ordering::*;
        assert_eq!(cmp(27, -1, 2, 0), Greater);
        assert_eq!(cmp(20, -1, 2, 0), Equal);
        assert_eq!(cmp(-5, 3, 1, -8), Less);
        assert_eq!(cmp(1, 127, 8_388_605, -128), Greater);
        assert_eq!(cmp(-1, 127, -8_388_605, 100), Less);
        assert_eq!(cmp(0, 5, 0, -5), Equal);
        assert_eq!(cmp(333, -1, 33, 0), Greater);
    }

    #[test]
    fn to_f64_is_exact_for_small_exponents() {
        assert_eq!(to_f64(20, -1), 2.0);
        assert_eq!(to_f64(-1234, 0), -1234.0);
        assert_eq!(to_f64(366, -1), 36.6);
        assert_eq!(to_f64(7, 3), 7000.0);
    }
}
