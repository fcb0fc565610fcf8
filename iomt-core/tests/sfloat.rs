//! SFLOAT/FLOAT: known answers (IEEE 11073-20601 special values and published examples),
//! exact decimal conversion, and round trips within the stated precision.
#![cfg(test)]

use iomt_core::{CoreError, Float, SFloat, Special};
use proptest::prelude::*;

#[test]
fn published_examples() {
    // 0xF014: exponent 0xF = -1, mantissa 0x014 = 20 -> 2.0
    let two = SFloat::from_bits(0xF014);
    assert_eq!((two.mantissa(), two.exponent()), (20, -1));
    assert_eq!(two.to_f64(), 2.0);
    assert_eq!(two.to_string(), "2.0");
    assert_eq!(SFloat::from_parts(20, -1), Ok(two));
    // 0x0B2E: exponent 0, mantissa 0xB2E = 2862 - 4096 = -1234 (12-bit two's complement)
    let neg = SFloat::from_bits(0x0B2E);
    assert_eq!((neg.mantissa(), neg.exponent()), (-1234, 0));
    assert_eq!(neg.to_f64(), -1234.0);
    assert_eq!(
        SFloat::from_decimal(-1234, 0).map(SFloat::to_bits),
        Ok(0x0B2E)
    );
    // Canonical form strips trailing zeros.
    assert_eq!(
        SFloat::from_decimal(20, -1).map(SFloat::to_bits),
        Ok(0x0002)
    );
    assert!(SFloat::from_bits(0x0002).numeric_eq(two));
    assert!(!SFloat::from_bits(0x0003).numeric_eq(two));
    // 36.6 degC = 366 x 10^-1 = 0xF16E
    assert_eq!(SFloat::from_f64(36.6, 1).map(SFloat::to_bits), Ok(0xF16E));
    // FLOAT: 0xFF00016D = 365 x 10^-1 = 36.5
    let t = Float::from_bits(0xFF00_016D);
    assert_eq!((t.mantissa(), t.exponent()), (365, -1));
    assert_eq!(t.to_f64(), 36.5);
    assert_eq!(
        Float::from_decimal(-1234, 0).map(Float::to_bits),
        Ok(0x00FF_FB2E)
    );
    assert_eq!(
        Float::from_decimal(70_250, -3).map(Float::to_bits),
        Ok(0xFE00_1B71)
    );
}

#[test]
fn special_values_are_whole_words() {
    let s = [
        (0x07FF, Special::NaN, SFloat::NAN),
        (0x0800, Special::NRes, SFloat::NRES),
        (0x07FE, Special::PositiveInfinity, SFloat::POSITIVE_INFINITY),
        (0x0802, Special::NegativeInfinity, SFloat::NEGATIVE_INFINITY),
        (0x0801, Special::Reserved, SFloat::RESERVED),
    ];
    for (bits, special, constant) in s {
        let v = SFloat::from_bits(bits);
        assert_eq!(v, constant);
        assert_eq!(v.special(), Some(special));
        assert!(!v.is_finite());
        assert_eq!(v.to_decimal(), None);
        // Same mantissa with a non-zero exponent is a finite number (documented choice).
        let shifted = SFloat::from_bits(bits | 0x1000);
        assert_eq!(shifted.special(), None, "{bits:#06x}");
        assert_eq!(shifted.exponent(), 1);
    }
    assert_eq!(SFloat::from_bits(0x17FF).to_f64(), 20_470.0);
    assert!(SFloat::NAN.to_f64().is_nan());
    assert!(SFloat::NRES.to_f64().is_nan());
    assert!(SFloat::RESERVED.to_f64().is_nan());
    assert_eq!(SFloat::POSITIVE_INFINITY.to_f64(), f64::INFINITY);
    assert_eq!(SFloat::NEGATIVE_INFINITY.to_f32(), f32::NEG_INFINITY);

    let f = [
        (0x007F_FFFF, Special::NaN, Float::NAN),
        (0x0080_0000, Special::NRes, Float::NRES),
        (
            0x007F_FFFE,
            Special::PositiveInfinity,
            Float::POSITIVE_INFINITY,
        ),
        (
            0x0080_0002,
            Special::NegativeInfinity,
            Float::NEGATIVE_INFINITY,
        ),
        (0x0080_0001, Special::Reserved, Float::RESERVED),
    ];
    for (bits, special, constant) in f {
        let v = Float::from_bits(bits);
        assert_eq!(v, constant);
        assert_eq!(v.special(), Some(special));
        assert_eq!(Float::from_bits(bits | 0x0100_0000).special(), None);
    }
    // Specials convert between widths.
    for (s, f) in [
        (SFloat::NAN, Float::NAN),
        (SFloat::NRES, Float::NRES),
        (SFloat::POSITIVE_INFINITY, Float::POSITIVE_INFINITY),
        (SFloat::NEGATIVE_INFINITY, Float::NEGATIVE_INFINITY),
        (SFloat::RESERVED, Float::RESERVED),
    ] {
        assert_eq!(Float::from(s), f);
        assert_eq!(SFloat::try_from(f), Ok(s));
    }
    assert_eq!(SFloat::from_f64(f64::NAN, 1), Ok(SFloat::NAN));
    assert_eq!(
        SFloat::from_f64(f64::INFINITY, 1),
        Ok(SFloat::POSITIVE_INFINITY)
    );
    assert_eq!(
        Float::from_f32(f32::NEG_INFINITY, 1),
        Ok(Float::NEGATIVE_INFINITY)
    );
}

#[test]
fn encoder_limits() {
    // The encoder never emits a special-value mantissa (with any exponent).
    assert_eq!(
        SFloat::from_parts(2046, 0),
        Err(CoreError::NotRepresentable)
    );
    assert_eq!(
        SFloat::from_parts(-2046, 3),
        Err(CoreError::NotRepresentable)
    );
    assert_eq!(SFloat::from_parts(2045, 7).map(|s| s.mantissa()), Ok(2045));
    assert_eq!(SFloat::from_parts(1, 8), Err(CoreError::NotRepresentable));
    assert_eq!(SFloat::from_parts(1, -9), Err(CoreError::NotRepresentable));
    assert_eq!(
        SFloat::from_decimal(12_345, -2),
        Err(CoreError::NotRepresentable)
    );
    assert_eq!(
        SFloat::from_decimal(1, 9).map(|s| s.to_decimal()),
        Ok(Some((100, 7)))
    );
    assert_eq!(
        Float::from_parts(8_388_605, 0).map(|f| f.mantissa()),
        Ok(8_388_605)
    );
    assert_eq!(
        Float::from_parts(8_388_606, 0),
        Err(CoreError::NotRepresentable)
    );
    assert_eq!(
        Float::from_parts(-8_388_605, -128).map(|f| f.exponent()),
        Ok(-128)
    );
    assert_eq!(
        SFloat::from_f64(204.56, 1),
        Err(CoreError::NotRepresentable)
    );
    assert_eq!(
        SFloat::from_f64(204.56, 0).map(|s| s.to_decimal()),
        Ok(Some((205, 0)))
    );
    assert_eq!(
        SFloat::try_from(Float::from_decimal(70_25, -2).unwrap()),
        Err(CoreError::NotRepresentable)
    );
}

#[test]
fn postcard_is_raw_little_endian() {
    let mut buf = [0u8; 8];
    let out = postcard::to_slice(&SFloat::from_bits(0xF014), &mut buf).unwrap();
    assert_eq!(out, &[0x14, 0xF0]);
    let out = postcard::to_slice(&Float::from_bits(0xFF00_016D), &mut buf).unwrap();
    assert_eq!(out, &[0x6D, 0x01, 0x00, 0xFF]);
}

proptest! {
    #[test]
    fn any_word_round_trips_bits_and_postcard(bits in any::<u16>(), fbits in any::<u32>()) {
        let s = SFloat::from_bits(bits);
        prop_assert_eq!(s.to_bits(), bits);
        let mut buf = [0u8; 4];
        let out = postcard::to_slice(&s, &mut buf).unwrap();
        prop_assert_eq!(postcard::from_bytes::<SFloat>(out).unwrap(), s);
        let f = Float::from_bits(fbits);
        let out = postcard::to_slice(&f, &mut buf).unwrap();
        prop_assert_eq!(postcard::from_bytes::<Float>(out).unwrap(), f);
        // Fields decode consistently with the layout.
        if s.is_finite() {
            let m = i32::from(bits & 0x0FFF);
            let m = if m >= 0x800 { m - 0x1000 } else { m };
            let e = i32::from(bits >> 12);
            let e = if e >= 8 { e - 16 } else { e };
            prop_assert_eq!((s.mantissa(), i32::from(s.exponent())), (m, e));
        }
    }

    #[test]
    fn from_parts_keeps_fields(m in -2045i32..=2045, e in -8i8..=7) {
        let s = SFloat::from_parts(m, e).unwrap();
        prop_assert_eq!(s.to_decimal(), Some((m, e)));
        prop_assert!(s.is_finite());
        let wide = Float::from(s);
        prop_assert_eq!(wide.to_decimal(), Some((m, e)));
        prop_assert_eq!(wide.to_f64(), s.to_f64());
    }

    #[test]
    fn from_decimal_is_exact_and_canonical(m in -100_000i32..=100_000, e in -10i8..=10) {
        match SFloat::from_decimal(m, e) {
            Ok(s) => {
                let (sm, se) = s.to_decimal().unwrap();
                // Same number: m * 10^e == sm * 10^se (exactly, in i128).
                let lhs = i128::from(m) * 10i128.pow(u32::try_from(i32::from(e) + 10).unwrap());
                let rhs = i128::from(sm) * 10i128.pow(u32::try_from(i32::from(se) + 10).unwrap());
                prop_assert_eq!(lhs, rhs);
                prop_assert!(sm.abs() <= 2045);
                prop_assert!(sm == 0 && se == 0 || sm % 10 != 0 || se == 7);
                prop_assert_eq!(s.normalized(), s);
            }
            Err(err) => prop_assert_eq!(err, CoreError::NotRepresentable),
        }
    }

    #[test]
    fn sfloat_f64_round_trip(m in -2045i32..=2045, e in -8i8..=7) {
        let s = SFloat::from_parts(m, e).unwrap();
        let digits = u8::try_from((-i32::from(e)).max(0)).unwrap();
        prop_assert_eq!(SFloat::from_f64(s.to_f64(), digits), Ok(s.normalized()));
        // f32 carries ~7 significant digits: exact back only when the value is m x 10^-d.
        if e <= 0 {
            prop_assert_eq!(SFloat::from_f32(s.to_f32(), digits), Ok(s.normalized()));
        }
    }

    #[test]
    fn float_f64_round_trip(m in -8_388_605i32..=8_388_605, e in -15i8..=9) {
        let f = Float::from_parts(m, e).unwrap();
        let digits = u8::try_from((-i32::from(e)).max(0)).unwrap();
        // |value| stays below 2^53, the documented input limit of from_f64.
        prop_assert_eq!(Float::from_f64(f.to_f64(), digits), Ok(f.normalized()));
    }

    #[test]
    fn from_f64_within_stated_precision(v in -2000.0f64..2000.0, d in 0u8..=3) {
        let scale = 10f64.powi(i32::from(d));
        match SFloat::from_f64(v, d) {
            Ok(s) => prop_assert!((s.to_f64() - v).abs() <= 0.5 / scale + 1e-9, "{} -> {}", v, s),
            Err(e) => {
                prop_assert_eq!(e, CoreError::NotRepresentable);
                prop_assert!((v * scale).abs() > 2045.0 - 0.5);
            }
        }
        let f = Float::from_f64(v, d).unwrap();
        prop_assert!((f.to_f64() - v).abs() <= 0.5 / scale + 1e-9);
    }

    #[test]
    fn cmp_numeric_matches_f64(a in any::<u32>(), b in any::<u32>()) {
        let (a, b) = (Float::from_bits(a), Float::from_bits(b));
        match (a.is_finite() && b.is_finite(), a.cmp_numeric(b)) {
            (true, Some(order)) => {
                // f64 is exact enough to order these unless they are within rounding of each other.
                let (x, y) = (a.to_f64(), b.to_f64());
                if (x - y).abs() > 1e-12 * x.abs().max(y.abs()) {
                    prop_assert_eq!(Some(order), x.partial_cmp(&y));
                }
                prop_assert_eq!(b.cmp_numeric(a), Some(order.reverse()));
            }
            (false, None) => {}
            (finite, order) => prop_assert!(false, "finite={} order={:?}", finite, order),
        }
    }

    #[test]
    fn numeric_eq_matches_f64(a in any::<u16>(), b in any::<u16>()) {
        let (a, b) = (SFloat::from_bits(a), SFloat::from_bits(b));
        if a.is_finite() && b.is_finite() {
            prop_assert_eq!(a.numeric_eq(b), a.to_f64() == b.to_f64());
        }
    }
}
