//! Constant-time P-256 variable-base scalar multiplication on fiat-crypto's
//! formally verified field arithmetic (the software backend's ECDH and key generation).
//!
//! Why not p256 0.14's own `ProjectivePoint * Scalar`: its field element became a
//! generic `primefield::MontyFieldElement` on crypto-bigint (a `widening_mul` followed by
//! a separate reduction; additions through a five-limb generic subtract), which makes one
//! scalar multiplication about 1.9× slower than p256 0.13's fiat-crypto field, on x86-64
//! and on Cortex-M alike (measured: `cargo xtask bench-lakers`, docs/PERFORMANCE.md).
//! The curve formulas here are the ones p256 uses (Renes–Costello–Batina 2016, complete
//! addition and doubling for a = −3, as in `primeorder`); only the field underneath
//! changes. Everything else (scalar parsing, point validation, ECDSA) stays on p256.
//!
//! 64-bit targets only (hosts, gateways). On 32-bit microcontrollers fiat-crypto's fully
//! unrolled 8×32-bit field multiplication added ~28 KiB of flash to the initiator image
//! (for 21 % fewer instructions per scalar multiplication on Cortex-M4, measured with
//! `cargo xtask footprint`); there the backend keeps p256's own multiplication, and a
//! device that needs speed uses the `p256-cortex-m4` backend.
//!
//! Invariants: every input point is a validated affine point (`PublicKey`); scalars are
//! in `[1, n)` (`NonZeroScalar`). The ladder is a fixed 4-bit window over all 64 nibbles
//! with a full-table constant-time select: no secret-dependent branch or index. The
//! table and accumulator are zeroized before returning.

#[cfg(not(target_pointer_width = "64"))]
use fiat_crypto::p256_32 as f;
#[cfg(target_pointer_width = "64")]
use fiat_crypto::p256_64 as f;
use zeroize::Zeroize;

use f::{
    fiat_p256_montgomery_domain_field_element as Mont,
    fiat_p256_non_montgomery_domain_field_element as Plain,
};

type Limbs = [u64; 4];

const ZERO_LIMBS: Limbs = [0; 4];

/// The curve coefficient b, big-endian.
const B_BYTES: [u8; 32] = [
    0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc,
    0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b,
];

/// A field element in the Montgomery domain.
///
/// `#[inline]` on the field operations: at opt-level s/z they would otherwise stay
/// out-of-line calls passing 32-byte values through memory.
#[derive(Clone, Copy)]
struct Fe(Mont);

impl Fe {
    const ZERO: Self = Self(Mont(ZERO_LIMBS));

    fn one() -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_set_one(&mut o.0);
        o
    }

    #[inline]
    fn mul(&self, rhs: &Self) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_mul(&mut o.0, &self.0, &rhs.0);
        o
    }

    #[inline]
    fn square(&self) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_square(&mut o.0, &self.0);
        o
    }

    #[inline]
    fn add(&self, rhs: &Self) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_add(&mut o.0, &self.0, &rhs.0);
        o
    }

    #[inline]
    fn sub(&self, rhs: &Self) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_sub(&mut o.0, &self.0, &rhs.0);
        o
    }

    #[inline]
    fn double(&self) -> Self {
        self.add(self)
    }

    #[inline]
    fn triple(&self) -> Self {
        self.double().add(self)
    }

    /// `choice == 1` → `b`, `choice == 0` → `a`, in constant time.
    #[inline]
    fn select(a: &Self, b: &Self, choice: u8) -> Self {
        let mut o = Self::ZERO;
        f::fiat_p256_selectznz(&mut o.0.0, choice, &a.0.0, &b.0.0);
        o
    }

    fn is_zero(&self) -> bool {
        let mut nz = 0;
        f::fiat_p256_nonzero(&mut nz, &self.0.0);
        nz == 0
    }

    /// Parses a big-endian coordinate; `None` unless it is below p.
    fn from_be_bytes(be: &[u8; 32]) -> Option<Self> {
        let mut le = *be;
        le.reverse();
        let mut plain = Plain(ZERO_LIMBS);
        f::fiat_p256_from_bytes(&mut plain.0, &le);
        let mut o = Self::ZERO;
        f::fiat_p256_to_montgomery(&mut o.0, &plain);
        // Canonical iff the round trip gives the same bytes (a value ≥ p comes back reduced).
        (o.to_be_bytes() == *be).then_some(o)
    }

    fn to_be_bytes(self) -> [u8; 32] {
        let mut plain = Plain(ZERO_LIMBS);
        f::fiat_p256_from_montgomery(&mut plain, &self.0);
        let mut out = [0u8; 32];
        f::fiat_p256_to_bytes(&mut out, &plain.0);
        out.reverse();
        plain.0.zeroize();
        out
    }

    /// `self^(2^n)`.
    fn sqn(&self, n: usize) -> Self {
        let mut r = *self;
        for _ in 0..n {
            r = r.square();
        }
        r
    }

    /// `self^(p−2)`: the inverse of a non-zero element (zero maps to zero). The
    /// addition chain of p256 0.13 (public exponent; constant time in `self`).
    fn invert(&self) -> Self {
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

    fn wipe(&mut self) {
        self.0.0.zeroize();
    }
}

/// A point in projective coordinates (X : Y : Z); the identity is (0 : 1 : 0).
#[derive(Clone, Copy)]
struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl Point {
    fn identity() -> Self {
        Self {
            x: Fe::ZERO,
            y: Fe::one(),
            z: Fe::ZERO,
        }
    }

    /// Complete addition for a = −3 (Renes–Costello–Batina 2016, Alg. 4).
    fn add(&self, rhs: &Self, b: &Fe) -> Self {
        let xx = self.x.mul(&rhs.x);
        let yy = self.y.mul(&rhs.y);
        let zz = self.z.mul(&rhs.z);
        let xy_pairs = self
            .x
            .add(&self.y)
            .mul(&rhs.x.add(&rhs.y))
            .sub(&xx.add(&yy));
        let yz_pairs = self
            .y
            .add(&self.z)
            .mul(&rhs.y.add(&rhs.z))
            .sub(&yy.add(&zz));
        let xz_pairs = self
            .x
            .add(&self.z)
            .mul(&rhs.x.add(&rhs.z))
            .sub(&xx.add(&zz));

        let bzz3_part = xz_pairs.sub(&b.mul(&zz)).triple();
        let yy_m_bzz3 = yy.sub(&bzz3_part);
        let yy_p_bzz3 = yy.add(&bzz3_part);

        let zz3 = zz.triple();
        let bxz3_part = b.mul(&xz_pairs).sub(&zz3.add(&xx)).triple();
        let xx3_m_zz3 = xx.triple().sub(&zz3);

        Self {
            x: yy_p_bzz3.mul(&xy_pairs).sub(&yz_pairs.mul(&bxz3_part)),
            y: yy_p_bzz3.mul(&yy_m_bzz3).add(&xx3_m_zz3.mul(&bxz3_part)),
            z: yy_m_bzz3.mul(&yz_pairs).add(&xy_pairs.mul(&xx3_m_zz3)),
        }
    }

    /// Complete doubling for a = −3 (Renes–Costello–Batina 2016, Alg. 6).
    fn double(&self, b: &Fe) -> Self {
        let xx = self.x.square();
        let yy = self.y.square();
        let zz = self.z.square();
        let xy2 = self.x.mul(&self.y).double();
        let xz2 = self.x.mul(&self.z).double();

        let bzz3_part = b.mul(&zz).sub(&xz2).triple();
        let yy_m_bzz3 = yy.sub(&bzz3_part);
        let yy_p_bzz3 = yy.add(&bzz3_part);
        let y_frag = yy_p_bzz3.mul(&yy_m_bzz3);
        let x_frag = yy_m_bzz3.mul(&xy2);

        let zz3 = zz.triple();
        let bxz6_part = b.mul(&xz2).sub(&zz3.add(&xx)).triple();
        let xx3_m_zz3 = xx.triple().sub(&zz3);

        let yz2 = self.y.mul(&self.z).double();
        Self {
            x: x_frag.sub(&bxz6_part.mul(&yz2)),
            y: y_frag.add(&xx3_m_zz3.mul(&bxz6_part)),
            z: yz2.mul(&yy).double().double(),
        }
    }

    fn select(a: &Self, b: &Self, choice: u8) -> Self {
        Self {
            x: Fe::select(&a.x, &b.x, choice),
            y: Fe::select(&a.y, &b.y, choice),
            z: Fe::select(&a.z, &b.z, choice),
        }
    }

    fn wipe(&mut self) {
        self.x.wipe();
        self.y.wipe();
        self.z.wipe();
    }
}

/// 1 if `a == b`, else 0, without a branch (both below 16).
fn ct_eq_nibble(a: u8, b: u8) -> u8 {
    let d = u32::from(a ^ b);
    // d − 1 wraps (top bit set) exactly when d == 0.
    (d.wrapping_sub(1) >> 31) as u8
}

/// `k` (big-endian, below 2^256) as 65 signed digits in [−8, 8], least significant
/// first: k = Σ dᵢ·16ⁱ. Branch-free.
fn signed_radix16(k: &[u8; 32]) -> [i8; 65] {
    let mut digits = [0i8; 65];
    let mut carry = 0u8;
    let nibbles = k.iter().rev().flat_map(|&byte| [byte & 0x0f, byte >> 4]);
    for (d, nibble) in digits.iter_mut().zip(nibbles) {
        let v = nibble + carry; // 0..=16
        carry = (v + 8) >> 4; // 1 iff v ≥ 8
        *d = v as i8 - (carry << 4) as i8;
    }
    if let Some(last) = digits.last_mut() {
        *last = carry as i8;
    }
    digits
}

/// The affine `(x, y)` of `k · P`, big-endian; `None` if `P`'s coordinates are not
/// field elements or the product is the identity (impossible for a point of the
/// prime-order group and `k` in `[1, n)`).
///
/// `k` is a big-endian scalar (secret: constant-time ladder); `(px, py)` an affine point
/// the caller has validated on the curve.
pub(crate) fn mul(k: &[u8; 32], px: &[u8; 32], py: &[u8; 32]) -> Option<([u8; 32], [u8; 32])> {
    let b = Fe::from_be_bytes(&B_BYTES)?;
    let base = Point {
        x: Fe::from_be_bytes(px)?,
        y: Fe::from_be_bytes(py)?,
        z: Fe::one(),
    };
    // Table of 1·P … 8·P for signed radix-16 digits in [−8, 8).
    let mut table = [base; 8];
    let mut acc = base;
    for t in table.iter_mut().skip(1) {
        acc = acc.add(&base, &b);
        *t = acc;
    }
    let mut digits = signed_radix16(k);
    let mut q = Point::identity();
    for (n, &d) in digits.iter().rev().enumerate() {
        if n != 0 {
            q = q.double(&b).double(&b).double(&b).double(&b);
        }
        let mut chosen = select_signed(&table, d);
        q = q.add(&chosen, &b);
        chosen.wipe();
    }
    digits.zeroize();
    for t in &mut table {
        t.wipe();
    }
    acc.wipe();
    finish(q)
}

/// `d · P` from a table of `1·P … 8·P`, for a digit `d` in [−8, 8]; scans the whole
/// table and negates without a branch.
fn select_signed(table: &[Point; 8], d: i8) -> Point {
    let mask = d >> 7;
    let neg = (mask as u8) & 1;
    let abs = ((d ^ mask).wrapping_sub(mask)) as u8;
    let mut chosen = Point::identity();
    for (i, t) in (1u8..).zip(table.iter()) {
        chosen = Point::select(&chosen, t, ct_eq_nibble(i, abs));
    }
    chosen.y = Fe::select(&chosen.y, &Fe::ZERO.sub(&chosen.y), neg);
    chosen
}

/// Affine coordinates of `q` (wiped); `None` for the identity.
fn finish(mut q: Point) -> Option<([u8; 32], [u8; 32])> {
    let result = if q.z.is_zero() {
        None
    } else {
        let zinv = q.z.invert();
        Some((q.x.mul(&zinv).to_be_bytes(), q.y.mul(&zinv).to_be_bytes()))
    };
    q.wipe();
    result
}

/// `k · G`, big-endian affine coordinates; `None` for `k ≡ 0 (mod n)`.
///
/// With `std` (hosts, gateways): a fixed-base comb over a table of `j · 16ⁱ · G`
/// (i < 65, j ≤ 8; 50 KiB, built once on first use), 65 additions and no doublings —
/// about 4× faster than the variable-base ladder. Without `std` (devices): the ladder,
/// no table in RAM or flash.
pub(crate) fn mul_generator(k: &[u8; 32]) -> Option<([u8; 32], [u8; 32])> {
    #[cfg(feature = "std")]
    {
        let b = Fe::from_be_bytes(&B_BYTES)?;
        let tables = generator_tables()?;
        let mut digits = signed_radix16(k);
        let mut q = Point::identity();
        for (table, &d) in tables.iter().zip(digits.iter()) {
            let mut chosen = select_signed(table, d);
            q = q.add(&chosen, &b);
            chosen.wipe();
        }
        digits.zeroize();
        finish(q)
    }
    #[cfg(not(feature = "std"))]
    {
        mul(k, &GX, &GY)
    }
}

#[cfg(feature = "std")]
type GeneratorTables = [[Point; 8]; 65];

/// `tables[i][j] = (j + 1) · 16ⁱ · G` (public data).
#[cfg(feature = "std")]
fn generator_tables() -> Option<&'static GeneratorTables> {
    static TABLES: std::sync::OnceLock<Option<GeneratorTables>> = std::sync::OnceLock::new();
    TABLES
        .get_or_init(|| {
            let b = Fe::from_be_bytes(&B_BYTES)?;
            let mut base = Point {
                x: Fe::from_be_bytes(&GX)?,
                y: Fe::from_be_bytes(&GY)?,
                z: Fe::one(),
            };
            let mut tables = [[Point::identity(); 8]; 65];
            for table in &mut tables {
                let mut acc = base;
                for t in table.iter_mut() {
                    *t = acc;
                    acc = acc.add(&base, &b);
                }
                base = base.double(&b).double(&b).double(&b).double(&b);
            }
            Some(tables)
        })
        .as_ref()
}

/// The generator's affine coordinates, big-endian.
pub(crate) const GX: [u8; 32] = [
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
];
/// See [`GX`].
pub(crate) const GY: [u8; 32] = [
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
];

#[cfg(test)]
mod tests {
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
