//! Montgomery multiplication in the P-256 base field with 8 × 32-bit limbs, as two rolled
//! loops (CIOS: coarsely integrated operand scanning): the 32-bit targets' field
//! multiplication.
//!
//! Why not fiat-crypto's `fiat_p256_mul` on 32-bit targets: it is fully unrolled, 5.3 KiB
//! of Thumb-2 code per copy (measured with `nm` on the `initiator` firmware), more than
//! the rest of the P-256 arithmetic together; this loop is a few hundred bytes. The
//! representation is fiat-crypto's (little-endian limbs, Montgomery domain with
//! R = 2²⁵⁶), so fiat's addition, subtraction, selection and byte conversions work on its
//! results unchanged. The tests compare it with fiat-crypto's 32- and 64-bit
//! multiplications on random and edge-case inputs.
//!
//! Invariants: inputs are below p; the output is below p. Constant time: the loops have
//! fixed bounds, the only data-dependent step is the final subtraction, done by masks.
//! The 32 × 32 → 64-bit products are single `umull`/`umlal` instructions on Cortex-M3/M4/
//! M33 (constant time); on Cortex-M0 (thumbv6m) and RV32IMC the compiler emits the same
//! multiply sequence for every value.

#![deny(clippy::indexing_slicing)]

/// p = 2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 1, little-endian 32-bit limbs.
const P: [u32; 8] = [
    0xffff_ffff,
    0xffff_ffff,
    0xffff_ffff,
    0,
    0,
    0,
    1,
    0xffff_ffff,
];

/// R² mod p (R = 2²⁵⁶): `mul(a, R2)` maps `a` into the Montgomery domain.
pub(super) const R2: [u32; 8] = [
    0x0000_0003,
    0x0000_0000,
    0xffff_ffff,
    0xffff_fffb,
    0xffff_fffe,
    0xffff_ffff,
    0xffff_fffd,
    0x0000_0004,
];

/// 1 (not in the Montgomery domain): `mul(a, ONE)` maps `a` out of it.
pub(super) const ONE: [u32; 8] = [1, 0, 0, 0, 0, 0, 0, 0];

/// The low and high halves of a 64-bit value.
#[inline(always)]
fn split(v: u64) -> (u32, u64) {
    // Truncation intended: the low word.
    #[expect(clippy::cast_possible_truncation, reason = "the low 32 bits")]
    let low = v as u32;
    (low, v >> 32)
}

/// `a · b · R⁻¹ mod p` for `a, b < p`.
pub(super) fn mul(a: &[u32; 8], b: &[u32; 8]) -> [u32; 8] {
    // t[0..8] are the running sum's limbs, t8 and t9 its two top limbs.
    let mut t = [0u32; 8];
    let mut t8 = 0u32;
    for &bi in b {
        // t += a · bi
        let mut carry = 0u64;
        for (tj, &aj) in t.iter_mut().zip(a) {
            let (low, high) = split(u64::from(*tj) + u64::from(aj) * u64::from(bi) + carry);
            *tj = low;
            carry = high;
        }
        let (low, t9) = split(u64::from(t8) + carry);
        t8 = low;
        // −p⁻¹ ≡ 1 (mod 2³²), so m = t[0]; t = (t + m · p) / 2³², limb by limb.
        let m = u64::from(t[0]);
        let mut carry = (u64::from(t[0]) + m * u64::from(P[0])) >> 32;
        for j in 1..8 {
            let (Some(tj), Some(pj)) = (t.get(j), P.get(j)) else {
                continue;
            };
            let (low, high) = split(u64::from(*tj) + m * u64::from(*pj) + carry);
            if let Some(prev) = t.get_mut(j - 1) {
                *prev = low;
            }
            carry = high;
        }
        let (low, high) = split(u64::from(t8) + carry);
        t[7] = low;
        // At most 1: the sum stays below 2p < 2²⁵⁷.
        #[expect(clippy::cast_possible_truncation, reason = "0 or 1")]
        let top = (t9 + high) as u32;
        t8 = top;
    }
    // t < 2p: subtract p once if t ≥ p (t8 set, or no borrow), by masks.
    let mut d = [0u32; 8];
    let mut borrow = 0u64;
    for ((dj, &tj), &pj) in d.iter_mut().zip(&t).zip(&P) {
        let diff = u64::from(tj)
            .wrapping_sub(u64::from(pj))
            .wrapping_sub(borrow);
        let (low, high) = split(diff);
        *dj = low;
        borrow = high & 1;
    }
    #[expect(clippy::cast_possible_truncation, reason = "0 or 1")]
    let keep_t = (borrow as u32) & !t8 & 1;
    let mask = keep_t.wrapping_neg();
    let mut out = [0u32; 8];
    for ((o, &tj), &dj) in out.iter_mut().zip(&t).zip(&d) {
        *o = (tj & mask) | (dj & !mask);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fiat_crypto::{p256_32, p256_64};
    use proptest::prelude::*;

    fn reduce(mut a: [u32; 8]) -> [u32; 8] {
        // Below 2²⁵⁶ − 2²²⁴: clearing the top bit keeps a value below p.
        a[7] &= 0x7fff_ffff;
        a
    }

    fn fiat32(a: &[u32; 8], b: &[u32; 8]) -> [u32; 8] {
        let mut out = p256_32::fiat_p256_montgomery_domain_field_element([0; 8]);
        p256_32::fiat_p256_mul(
            &mut out,
            &p256_32::fiat_p256_montgomery_domain_field_element(*a),
            &p256_32::fiat_p256_montgomery_domain_field_element(*b),
        );
        out.0
    }

    fn to64(a: &[u32; 8]) -> [u64; 4] {
        core::array::from_fn(|i| u64::from(a[2 * i]) | (u64::from(a[2 * i + 1]) << 32))
    }

    fn fiat64(a: &[u32; 8], b: &[u32; 8]) -> [u64; 4] {
        let mut out = p256_64::fiat_p256_montgomery_domain_field_element([0; 4]);
        p256_64::fiat_p256_mul(
            &mut out,
            &p256_64::fiat_p256_montgomery_domain_field_element(to64(a)),
            &p256_64::fiat_p256_montgomery_domain_field_element(to64(b)),
        );
        out.0
    }

    fn p_minus(k: u32) -> [u32; 8] {
        let mut v = P;
        v[0] -= k;
        v
    }

    #[test]
    fn edge_values_match_fiat() {
        let edges = [
            [0; 8],
            ONE,
            R2,
            p_minus(1),
            p_minus(2),
            [
                0xffff_ffff,
                0xffff_ffff,
                0xffff_ffff,
                0,
                0,
                0,
                1,
                0xffff_fffe,
            ],
            [0, 0, 0, 0, 0, 0, 0, 0x8000_0000],
            [
                0xffff_ffff,
                0,
                0xffff_ffff,
                0,
                0xffff_ffff,
                0,
                0xffff_ffff,
                0,
            ],
        ];
        for a in &edges {
            for b in &edges {
                assert_eq!(mul(a, b), fiat32(a, b), "{a:08x?} · {b:08x?}");
                assert_eq!(to64(&mul(a, b)), fiat64(a, b));
            }
        }
    }

    #[test]
    fn into_and_out_of_the_montgomery_domain_round_trips() {
        let a = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(mul(&mul(&a, &R2), &ONE), a);
        // (p − 1)² ≡ 1, so its Montgomery square is R⁻¹ · 1 … and mapped in then out: p − 1.
        let m = mul(&p_minus(1), &R2);
        assert_eq!(mul(&m, &ONE), p_minus(1));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_products_match_fiat(a in any::<[u32; 8]>(), b in any::<[u32; 8]>()) {
            let (a, b) = (reduce(a), reduce(b));
            prop_assert_eq!(mul(&a, &b), fiat32(&a, &b));
            prop_assert_eq!(to64(&mul(&a, &b)), fiat64(&a, &b));
        }

        #[test]
        fn products_near_p_match_fiat(da in any::<[u8; 8]>(), db in any::<u32>()) {
            // Inputs just below p, where the final subtraction decides.
            let mut a = P;
            for (limb, d) in a.iter_mut().zip(da) {
                *limb = limb.saturating_sub(u32::from(d));
            }
            let a = if a == P { p_minus(1) } else { a };
            let b = p_minus(db % 0xffff);
            let b = if b == P { p_minus(1) } else { b };
            prop_assert_eq!(mul(&a, &b), fiat32(&a, &b));
        }
    }
}
