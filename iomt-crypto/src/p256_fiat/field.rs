//! The P-256 base field on fiat-crypto (Montgomery domain): the operations the point
//! arithmetic and validation need.

#[cfg(not(target_pointer_width = "64"))]
use fiat_crypto::p256_32 as f;
#[cfg(target_pointer_width = "64")]
use fiat_crypto::p256_64 as f;
use zeroize::Zeroize;

use f::{
    fiat_p256_montgomery_domain_field_element as Mont,
    fiat_p256_non_montgomery_domain_field_element as Plain,
};

#[cfg(target_pointer_width = "64")]
const ZERO_LIMBS: [u64; 4] = [0; 4];
#[cfg(not(target_pointer_width = "64"))]
const ZERO_LIMBS: [u32; 8] = [0; 8];

/// The curve coefficient b in the Montgomery domain (b · 2²⁵⁶ mod p), little-endian limbs
/// (checked against the big-endian b by a test).
#[cfg(target_pointer_width = "64")]
const B_MONTGOMERY: [u64; 4] = [
    0xd89c_df62_29c4_bddf,
    0xacf0_05cd_7884_3090,
    0xe5a2_20ab_f721_2ed6,
    0xdc30_061d_0487_4834,
];
#[cfg(not(target_pointer_width = "64"))]
const B_MONTGOMERY: [u32; 8] = [
    0x29c4_bddf,
    0xd89c_df62,
    0x7884_3090,
    0xacf0_05cd,
    0xf721_2ed6,
    0xe5a2_20ab,
    0x0487_4834,
    0xdc30_061d,
];

/// p, big-endian.
const P_BYTES: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// Whether the big-endian value is below p: the borrow out of `be − p` (a fixed chain, no
/// data-dependent branch).
fn below_p(be: &[u8; 32]) -> bool {
    let mut borrow = 0u16;
    for (&v, &p) in be.iter().rev().zip(P_BYTES.iter().rev()) {
        // v − p − borrow is in [−256, 255]: negative values wrap to 0xff00.. (bit 15 set).
        let d = u16::from(v).wrapping_sub(u16::from(p)).wrapping_sub(borrow);
        borrow = d >> 15;
    }
    borrow == 1
}

/// A field element in the Montgomery domain.
///
/// `#[inline]` on the field operations on 64-bit targets: at opt-level s/z they would
/// otherwise stay out-of-line calls passing 32-byte values through memory. On 32-bit
/// targets they stay out of line (flash; see the module docs).
#[derive(Clone, Copy)]
pub(super) struct Fe(Mont);

impl Fe {
    pub(super) const ZERO: Self = Self(Mont(ZERO_LIMBS));

    /// The curve coefficient b.
    pub(super) const B: Self = Self(Mont(B_MONTGOMERY));

    pub(super) fn one() -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_set_one(&mut o.0);
        o
    }

    #[cfg(target_pointer_width = "64")]
    #[inline]
    pub(super) fn mul(&self, rhs: &Self) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_mul(&mut o.0, &self.0, &rhs.0);
        o
    }

    /// 32-bit targets: the rolled multiplication (`mont32`; flash).
    #[cfg(not(target_pointer_width = "64"))]
    pub(super) fn mul(&self, rhs: &Self) -> Self {
        Self(Mont(super::mont32::mul(&self.0.0, &rhs.0.0)))
    }

    #[cfg(target_pointer_width = "64")]
    #[inline]
    pub(super) fn square(&self) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_square(&mut o.0, &self.0);
        o
    }

    /// 32-bit targets: one multiplication routine for both (flash).
    #[cfg(not(target_pointer_width = "64"))]
    pub(super) fn square(&self) -> Self {
        self.mul(self)
    }

    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(super) fn add(&self, rhs: &Self) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_add(&mut o.0, &self.0, &rhs.0);
        o
    }

    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(super) fn sub(&self, rhs: &Self) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_sub(&mut o.0, &self.0, &rhs.0);
        o
    }

    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(super) fn double(&self) -> Self {
        self.add(self)
    }

    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(super) fn triple(&self) -> Self {
        self.double().add(self)
    }

    /// `choice == 1` → `b`, `choice == 0` → `a`, in constant time.
    #[cfg(feature = "rustcrypto-core")]
    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(super) fn select(a: &Self, b: &Self, choice: u8) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_selectznz(&mut o.0.0, choice, &a.0.0, &b.0.0);
        o
    }

    pub(super) fn is_zero(&self) -> bool {
        let mut nz = 0;
        f::fiat_p256_nonzero(&mut nz, &self.0.0);
        nz == 0
    }

    /// Parses a big-endian coordinate; `None` unless it is below p.
    pub(super) fn from_be_bytes(be: &[u8; 32]) -> Option<Self> {
        if !below_p(be) {
            return None;
        }
        let mut le = *be;
        le.reverse();
        let mut plain = Plain(ZERO_LIMBS);
        f::fiat_p256_from_bytes(&mut plain.0, &le);
        Some(Self::to_montgomery(&plain))
    }

    #[cfg(target_pointer_width = "64")]
    fn to_montgomery(plain: &Plain) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_to_montgomery(&mut o.0, plain);
        o
    }

    /// 32-bit targets: `plain · R² · R⁻¹` by the one multiplication routine.
    #[cfg(not(target_pointer_width = "64"))]
    fn to_montgomery(plain: &Plain) -> Self {
        Self(Mont(super::mont32::mul(&plain.0, &super::mont32::R2)))
    }

    #[cfg(target_pointer_width = "64")]
    fn to_plain(self) -> Plain {
        let mut plain = Plain(ZERO_LIMBS);
        f::fiat_p256_from_montgomery(&mut plain, &self.0);
        plain
    }

    /// 32-bit targets: `self · 1 · R⁻¹` by the one multiplication routine.
    #[cfg(not(target_pointer_width = "64"))]
    fn to_plain(self) -> Plain {
        Plain(super::mont32::mul(&self.0.0, &super::mont32::ONE))
    }

    pub(super) fn to_be_bytes(self) -> [u8; 32] {
        let mut plain = self.to_plain();
        let mut out = [0u8; 32];
        f::fiat_p256_to_bytes(&mut out, &plain.0);
        out.reverse();
        plain.0.zeroize();
        out
    }

    /// `self^(2^n)`.
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(super) fn sqn(&self, n: usize) -> Self {
        let mut r = *self;
        for _ in 0..n {
            r = r.square();
        }
        r
    }

    /// `self^(p−2)`: the inverse of a non-zero element (zero maps to zero). The
    /// addition chain of p256 0.13 (public exponent; constant time in `self`).
    #[cfg(feature = "rustcrypto-core")]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(super) fn invert(&self) -> Self {
        let t111 = self.mul(&self.mul(&self.square()).square());
        let t111111 = t111.mul(&t111.sqn(3));
        let x15 = t111111.sqn(6).mul(&t111111).sqn(3).mul(&t111);
        let x16 = x15.square().mul(self);
        let i53 = x16.sqn(16).mul(&x16).sqn(15);
        let x47 = x15.mul(&i53);
        x47.mul(&i53.sqn(17).mul(self).sqn(143).mul(&x47).sqn(47))
            .sqn(2)
            .mul(self)
    }

    #[cfg(feature = "rustcrypto-core")]
    pub(super) fn wipe(&mut self) {
        self.0.0.zeroize();
    }

    /// `self^((p+1)/4)`: a square root of `self` if it has one (p ≡ 3 mod 4), which the
    /// caller checks by squaring. The addition chain of p256 0.13 (public exponent).
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(super) fn sqrt_candidate(&self) -> Self {
        let t11 = self.mul(&self.square());
        let t1111 = t11.mul(&t11.sqn(2));
        let t11111111 = t1111.mul(&t1111.sqn(4));
        let x16 = t11111111.sqn(8).mul(&t11111111);
        x16.sqn(16)
            .mul(&x16)
            .sqn(32)
            .mul(self)
            .sqn(96)
            .mul(self)
            .sqn(94)
    }

    /// Field equality (both operands are fully reduced, so the difference is zero iff
    /// they are equal).
    pub(super) fn equals(&self, rhs: &Self) -> bool {
        self.sub(rhs).is_zero()
    }

    /// The curve equation's right-hand side `x³ − 3x + b`.
    pub(super) fn curve_rhs(x: &Self, b: &Self) -> Self {
        x.square().sub(&Self::one().triple()).mul(x).add(b)
    }
}
