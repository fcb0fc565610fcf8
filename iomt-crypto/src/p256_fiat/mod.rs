//! P-256 point arithmetic on fiat-crypto's formally verified field: constant-time
//! variable- and fixed-base scalar multiplication (the software backend's ECDH and key
//! generation), and public-key validation and decompression (every provider's
//! [`PublicKey`](crate::PublicKey) constructors). One implementation on every target.
//!
//! Why not p256 0.14's own point arithmetic: its field element became a generic
//! `primefield::MontyFieldElement` on crypto-bigint (a `widening_mul` followed by a
//! separate reduction; additions through a five-limb generic subtract, inversion by
//! safegcd), which makes one scalar multiplication about 1.9× slower than p256 0.13's
//! fiat-crypto field on x86-64 (measured: `cargo xtask bench-lakers`,
//! docs/PERFORMANCE.md) and links ~10 KiB of field, bigint and curve code into a
//! method-3 device image (`cargo xtask footprint`). The curve formulas here are the ones
//! p256 uses (Renes–Costello–Batina 2016, complete addition and doubling for a = −3, as
//! in `primeorder`); only the field underneath changes. ECDSA's point operations
//! (`k·G`, `u1·G + u2·Q`: [`mul_generator`], [`mul_add`]) run here too; scalars mod n
//! (parsing, generation, ECDSA's scalar arithmetic) stay on p256. [`mul_add`] (ECDSA
//! verification) is the one variable-time multiplication: public inputs only.
//!
//! Flash: on 32-bit targets the field multiplication is a rolled loop (`mont32`), and it,
//! the exponentiation chains and the table scan stay out of line (`inline(never)`: at
//! opt-level s they were inlined at each call site, +568 bytes); on 64-bit targets
//! fiat-crypto's unrolled multiplication is inlined for speed.
//!
//! Invariants: every scalar-multiplication input point is a validated affine point
//! (`PublicKey`); scalars are in `[1, n)` (`NonZeroScalar`). The ladder is a fixed 4-bit
//! window over all 64 nibbles with a full-table constant-time select: no secret-dependent
//! branch or index. The table and accumulator are zeroized before returning. Validation
//! and decompression work on public data and may branch on it.

mod field;
#[cfg(any(test, not(target_pointer_width = "64")))]
mod mont32;
#[cfg(feature = "rustcrypto-core")]
mod mul;

use field::Fe;
#[cfg(feature = "rustcrypto-core")]
pub(crate) use mul::{mul, mul_add, mul_generator};

/// Whether `(x, y)` (big-endian) is a point of the curve: both coordinates below p and
/// `y² = x³ − 3x + b`. The identity has no affine coordinates, so it never passes.
#[inline(never)]
pub(crate) fn is_on_curve(x: &[u8; 32], y: &[u8; 32]) -> bool {
    let b = Fe::B;
    let (Some(x), Some(y)) = (Fe::from_be_bytes(x), Fe::from_be_bytes(y)) else {
        return false;
    };
    y.square().equals(&Fe::curve_rhs(&x, &b))
}

/// The y-coordinate (big-endian) of the curve point with x-coordinate `x` whose y is odd
/// iff `y_is_odd` (SEC1 point decompression); `None` if `x ≥ p` or no point has this x.
#[inline(never)]
pub(crate) fn decompress(x: &[u8; 32], y_is_odd: bool) -> Option<[u8; 32]> {
    let b = Fe::B;
    let x = Fe::from_be_bytes(x)?;
    let rhs = Fe::curve_rhs(&x, &b);
    let y = rhs.sqrt_candidate();
    if !y.square().equals(&rhs) {
        return None;
    }
    let bytes = y.to_be_bytes();
    let odd = bytes.last().is_some_and(|last| last & 1 == 1);
    // y = 0 has no other root; P-256 has no point with y = 0 (odd prime order).
    Some(if odd == y_is_odd {
        bytes
    } else {
        Fe::ZERO.sub(&y).to_be_bytes()
    })
}

#[cfg(all(test, feature = "rustcrypto-core"))]
mod tests {
    use super::field::Fe;
    use super::mul::{GX, GY};
    use super::*;
    use p256::elliptic_curve::PrimeField;
    use p256::elliptic_curve::point::AffineCoordinates;
    use p256::{ProjectivePoint, Scalar};
    use proptest::prelude::*;

    fn reference(k: &[u8; 32], px: &[u8; 32], py: &[u8; 32]) -> Option<([u8; 32], [u8; 32])> {
        use p256::elliptic_curve::sec1::FromSec1Point;
        let mut sec1 = [0u8; 65];
        sec1[0] = 4;
        sec1[1..33].copy_from_slice(px);
        sec1[33..].copy_from_slice(py);
        let point = p256::AffinePoint::from_sec1_bytes(&sec1).ok()?;
        let k: Option<Scalar> = Scalar::from_repr((*k).into()).into();
        let r = (ProjectivePoint::from(point) * k?).to_affine();
        Some((r.x().into(), r.y().into()))
    }

    #[test]
    fn generator_times_small_scalars_matches_p256() {
        for small in [1u8, 2, 3, 15, 16, 17, 255] {
            let mut k = [0u8; 32];
            k[31] = small;
            assert_eq!(mul(&k, &GX, &GY), reference(&k, &GX, &GY), "k = {small}");
        }
    }

    #[test]
    fn order_minus_one_gives_minus_p_and_order_gives_identity() {
        let n_minus_1 =
            hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550")
                .unwrap();
        let k: [u8; 32] = n_minus_1.try_into().unwrap();
        let (x, y) = mul(&k, &GX, &GY).unwrap();
        assert_eq!(x, GX);
        assert_ne!(y, GY);
        let mut n = k;
        n[31] = 0x51;
        assert_eq!(mul(&n, &GX, &GY), None, "n · G is the identity");
        assert_eq!(mul(&[0; 32], &GX, &GY), None, "0 · G is the identity");
    }

    #[test]
    fn generator_comb_matches_the_ladder() {
        let mut k = [0u8; 32];
        for seed in 0u8..16 {
            for (i, byte) in (0u8..).zip(k.iter_mut()) {
                *byte = seed.wrapping_mul(37).wrapping_add(i).wrapping_mul(101);
            }
            k[0] &= 0x7f;
            assert_eq!(mul_generator(&k), mul(&k, &GX, &GY));
        }
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(mul_generator(&one), Some((GX, GY)));
        assert_eq!(mul_generator(&[0; 32]), None);
    }

    #[test]
    fn non_field_coordinates_are_refused() {
        let p = hex::decode("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
            .unwrap();
        let p: [u8; 32] = p.try_into().unwrap();
        let mut k = [0u8; 32];
        k[31] = 1;
        assert_eq!(mul(&k, &p, &GY), None);
        assert_eq!(mul(&k, &GX, &[0xff; 32]), None);
    }

    /// The curve coefficient b, big-endian.
    const B_BYTES: [u8; 32] = [
        0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86,
        0xbc, 0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2,
        0x60, 0x4b,
    ];

    #[test]
    fn field_constants_match_their_big_endian_values() {
        assert!(Fe::B.equals(&Fe::from_be_bytes(&B_BYTES).unwrap()));
        assert_eq!(Fe::B.to_be_bytes(), B_BYTES);
        let p: [u8; 32] =
            hex::decode("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
                .unwrap()
                .try_into()
                .unwrap();
        let mut p_minus_1 = p;
        p_minus_1[31] = 0xfe;
        assert!(Fe::from_be_bytes(&p_minus_1).is_some());
        assert_eq!(
            Fe::from_be_bytes(&p_minus_1).unwrap().to_be_bytes(),
            p_minus_1
        );
        assert!(Fe::from_be_bytes(&p).is_none());
        let mut p_plus_1 = p;
        p_plus_1[31] = 0x00;
        p_plus_1[30] = 0x00; // not p + 1: any value with the same top limbs and more below…
        assert!(
            Fe::from_be_bytes(&p_plus_1).is_some(),
            "…is below p when its low bytes are"
        );
        let mut above = p;
        above[7] = 0x02; // the 2^192 limb raised: above p
        assert!(Fe::from_be_bytes(&above).is_none());
        assert!(Fe::from_be_bytes(&[0xff; 32]).is_none());
        assert!(Fe::from_be_bytes(&[0; 32]).is_some_and(|z| z.is_zero()));
    }

    /// p256's own decompression, the reference for `decompress`.
    fn reference_y(x: &[u8; 32], y_is_odd: bool) -> Option<[u8; 32]> {
        use p256::elliptic_curve::point::DecompressPoint;
        use p256::elliptic_curve::subtle::Choice;
        let point: Option<p256::AffinePoint> =
            p256::AffinePoint::decompress(&(*x).into(), Choice::from(u8::from(y_is_odd))).into();
        point.map(|p| p.y().into())
    }

    #[test]
    fn generator_decompresses_to_both_roots_and_is_on_the_curve() {
        assert_eq!(decompress(&GX, false), reference_y(&GX, false));
        assert_eq!(decompress(&GX, true), reference_y(&GX, true));
        // GY is odd (…f5): the odd root is the generator, the even one its negative.
        assert_eq!(decompress(&GX, true), Some(GY));
        assert_ne!(decompress(&GX, false), Some(GY));
        assert!(is_on_curve(&GX, &GY));
        let mut bad_y = GY;
        bad_y[31] ^= 1;
        assert!(!is_on_curve(&GX, &bad_y));
        assert!(
            !is_on_curve(&[0; 32], &[0; 32]),
            "the identity has no affine form"
        );
    }

    #[test]
    fn coordinates_at_or_above_p_are_refused() {
        let p: [u8; 32] =
            hex::decode("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
                .unwrap()
                .try_into()
                .unwrap();
        assert_eq!(decompress(&p, false), None);
        assert_eq!(decompress(&[0xff; 32], false), None);
        // Refused on the range check alone.
        assert!(!is_on_curve(&p, &GY));
        assert!(!is_on_curve(&GX, &p));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn decompress_matches_p256_for_any_x(x in any::<[u8; 32]>(), odd in any::<bool>()) {
            let y = decompress(&x, odd);
            prop_assert_eq!(y, reference_y(&x, odd));
            if let Some(y) = y {
                prop_assert!(is_on_curve(&x, &y));
                prop_assert_eq!(y[31] & 1 == 1, odd);
            }
        }

        #[test]
        fn on_curve_matches_p256_for_any_coordinates(x in any::<[u8; 32]>(), y in any::<[u8; 32]>()) {
            use p256::elliptic_curve::sec1::FromSec1Point;
            let mut sec1 = [0u8; 65];
            sec1[0] = 4;
            sec1[1..33].copy_from_slice(&x);
            sec1[33..].copy_from_slice(&y);
            prop_assert_eq!(is_on_curve(&x, &y), p256::AffinePoint::from_sec1_bytes(&sec1).is_ok());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_scalar_times_random_point_matches_p256(a in any::<[u8; 32]>(), k in any::<[u8; 32]>()) {
            let mut a = a;
            a[0] &= 0x7f; // below n
            let (px, py) = reference(&a, &GX, &GY).unwrap_or((GX, GY));
            let mut k = k;
            k[0] &= 0x7f;
            prop_assert_eq!(mul(&k, &px, &py), reference(&k, &px, &py));
        }
    }
}
