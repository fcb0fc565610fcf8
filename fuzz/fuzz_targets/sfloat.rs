//! IEEE 11073 SFLOAT (16-bit) and FLOAT (32-bit): decode of every word, the exact encoders,
//! conversions between the two formats, `f64` round trips and postcard round trips.
#![no_main]

use arbitrary::Arbitrary;
use iomt_core::{Float, SFloat, Special};
use iomt_fuzz::decimal::same_number;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    sfloat_bits: u16,
    float_bits: u32,
    mantissa: i32,
    exponent: i8,
    value: f64,
    digits: u8,
}

const SFLOAT_SPECIALS: [u16; 5] = [0x07FF, 0x0800, 0x07FE, 0x0802, 0x0801];
const FLOAT_SPECIALS: [u32; 5] = [
    0x007F_FFFF,
    0x0080_0000,
    0x007F_FFFE,
    0x0080_0002,
    0x0080_0001,
];

fn check_special(special: Option<Special>, whole_word_listed: bool) {
    assert_eq!(
        special.is_some(),
        whole_word_listed,
        "special values are whole words"
    );
}

macro_rules! check_word {
    ($ty:ty, $bits:expr, $specials:expr, $mbits:expr) => {{
        let v = <$ty>::from_bits($bits);
        assert_eq!(v.to_bits(), $bits);
        check_special(v.special(), $specials.contains(&$bits));
        // Fields are the sign-extended bit fields of the word.
        let raw = i64::from($bits);
        let total = core::mem::size_of_val(&$bits) * 8;
        let m = i64::from(v.mantissa());
        let e = i64::from(v.exponent());
        let mask = (1_i64 << $mbits) - 1;
        assert_eq!(m & mask, raw & mask, "mantissa field");
        assert_eq!(
            e & ((1_i64 << (total - $mbits)) - 1),
            raw >> $mbits,
            "exponent field"
        );
        let _ = format!("{v} {v:?}");
        let f = v.to_f64();
        match v.to_decimal() {
            None => assert!(f.is_nan() || f.is_infinite()),
            Some((m, e)) => {
                assert!(f.is_finite() || e > 0, "{v:?} -> {f}");
                assert!(v.numeric_eq(v));
                let n = v.normalized();
                assert!(n.numeric_eq(v), "{v:?} normalized to {n:?}");
                assert!(v.numeric_eq(n));
                if let Some((nm, ne)) = n.to_decimal() {
                    assert!(same_number(
                        i64::from(m),
                        i32::from(e),
                        i64::from(nm),
                        i32::from(ne)
                    ));
                }
                // from_parts keeps the exponent; it refuses only the special mantissas.
                match <$ty>::from_parts(m, e) {
                    Ok(p) => assert_eq!(p, v),
                    Err(_) => assert!(m.unsigned_abs() > <$ty>::MANTISSA_MAX.unsigned_abs()),
                }
                // from_decimal is exact and canonical.
                if let Ok(d) = <$ty>::from_decimal(m, e) {
                    assert!(d.numeric_eq(v), "{v:?} -> {d:?}");
                    assert_eq!(d, d.normalized());
                    assert!(d.is_finite());
                }
                // to_f64 is exact enough that rounding back to the value's own decimal
                // places reproduces it.
                if (-15..=0).contains(&e) {
                    let digits = e.unsigned_abs();
                    if let Ok(back) = <$ty>::from_f64(f, digits) {
                        assert!(back.numeric_eq(v), "{v:?} -> {f} -> {back:?}");
                    }
                }
            }
        }
        v
    }};
}

fuzz_target!(|input: Input| {
    // Every 16-bit word.
    let s = check_word!(SFloat, input.sfloat_bits, SFLOAT_SPECIALS, 12);
    // Every 32-bit word.
    let f = check_word!(Float, input.float_bits, FLOAT_SPECIALS, 24);

    // SFLOAT -> FLOAT is exact; FLOAT -> SFLOAT is exact when it succeeds.
    let wide = Float::from(s);
    assert_eq!(wide.special(), s.special());
    if let (Some((m1, e1)), Some((m2, e2))) = (s.to_decimal(), wide.to_decimal()) {
        assert_eq!((m1, e1), (m2, e2));
    }
    if s.is_finite() {
        assert_eq!(wide.to_f64().to_bits(), s.to_f64().to_bits());
    }
    if let Ok(narrow) = SFloat::try_from(f) {
        assert_eq!(narrow.special(), f.special());
        if let (Some((m1, e1)), Some((m2, e2))) = (f.to_decimal(), narrow.to_decimal()) {
            assert!(same_number(
                i64::from(m1),
                i32::from(e1),
                i64::from(m2),
                i32::from(e2)
            ));
        }
    }
    if let Ok(narrow) = SFloat::try_from(wide) {
        assert!(narrow.numeric_eq(s) || narrow.special() == s.special());
    }

    // Postcard: raw little-endian words.
    let mut buf = [0_u8; 8];
    let used = postcard::to_slice(&s, &mut buf).map(|b| b.len()).unwrap();
    assert_eq!(used, 2);
    assert_eq!(postcard::from_bytes::<SFloat>(&buf[..used]).unwrap(), s);
    let used = postcard::to_slice(&f, &mut buf).map(|b| b.len()).unwrap();
    assert_eq!(used, 4);
    assert_eq!(postcard::from_bytes::<Float>(&buf[..used]).unwrap(), f);

    // Exact encoders from (mantissa, exponent).
    for result in [
        SFloat::from_decimal(input.mantissa, input.exponent).map(Float::from),
        Float::from_decimal(input.mantissa, input.exponent),
    ]
    .into_iter()
    .flatten()
    {
        {
            let v = result;
            let (m, e) = v.to_decimal().expect("encoders emit finite values");
            assert!(
                same_number(
                    i64::from(m),
                    i32::from(e),
                    i64::from(input.mantissa),
                    i32::from(input.exponent)
                ),
                "{} e{} -> {v:?}",
                input.mantissa,
                input.exponent
            );
        }
    }
    if let Ok(p) = SFloat::from_parts(input.mantissa, input.exponent) {
        assert_eq!(p.to_decimal(), Some((input.mantissa, input.exponent)));
    }
    if let Ok(p) = Float::from_parts(input.mantissa, input.exponent) {
        assert_eq!(p.to_decimal(), Some((input.mantissa, input.exponent)));
    }

    // From binary floating point: nearest value with `digits` decimals.
    let digits = input.digits % 24;
    for result in [
        SFloat::from_f64(input.value, digits).map(Float::from),
        Float::from_f64(input.value, digits),
    ] {
        let Ok(v) = result else { continue };
        if input.value.is_nan() {
            assert_eq!(v.special(), Some(Special::NaN));
        } else if input.value.is_infinite() {
            assert!(matches!(
                v.special(),
                Some(Special::PositiveInfinity | Special::NegativeInfinity)
            ));
        } else {
            let got = v.to_f64();
            let half_ulp = 0.5 * 10_f64.powi(-i32::from(digits));
            let slack = 8.0 * f64::EPSILON * (input.value.abs() + got.abs());
            assert!(
                (got - input.value).abs() <= half_ulp + slack,
                "{} @{digits} -> {v:?}",
                input.value
            );
        }
    }
});
