//! Constant-time scalar multiplication (the software backend's ECDH and key generation,
//! ECDSA's `k·G`), and the variable-time `u1·G + u2·Q` of ECDSA verification (public
//! inputs only: [`mul_add`]).

use zeroize::Zeroize;

use super::field::Fe;

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
    finish(ladder(k, &affine(px, py)?))
}

/// The projective point of affine `(px, py)`; `None` unless both are field elements.
#[inline]
fn affine(px: &[u8; 32], py: &[u8; 32]) -> Option<Point> {
    Some(Point {
        x: Fe::from_be_bytes(px)?,
        y: Fe::from_be_bytes(py)?,
        z: Fe::one(),
    })
}

/// `k · base` in projective coordinates (the identity for `k ≡ 0`): a fixed signed
/// 4-bit window over all 64 nibbles, full-table selects, the table wiped afterwards.
#[inline]
fn ladder(k: &[u8; 32], base: &Point) -> Point {
    let b = Fe::B;
    // Table of 1·P … 8·P for signed radix-16 digits in [−8, 8).
    let mut table = [Point::identity(); 8];
    multiples(&mut table, base);
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
    q
}

/// `u1 · G + u2 · Q`, big-endian affine coordinates (ECDSA verification); `None` if `Q`'s
/// coordinates are not field elements or the sum is the identity.
///
/// **Variable time; public inputs only.** Interleaved double-scalar multiplication
/// (Shamir's trick): one shared run of four doublings per signed radix-16 digit, from the
/// most significant, skipped while the accumulator is still the identity, and one
/// addition of `|d| · G` / `|d| · Q` (negated for a negative digit) per non-zero digit of
/// `u1` / `u2`, looked up directly in a table of `1·P … 8·P`. Its running time and memory
/// accesses depend on the digits of `u1` and `u2` and on `Q`: never call it with a secret
/// scalar or point (secrets go through [`mul`] / [`mul_generator`]). Verification's
/// inputs (the signature, the digest, the public key) are public.
pub(crate) fn mul_add(
    u1: &[u8; 32],
    u2: &[u8; 32],
    qx: &[u8; 32],
    qy: &[u8; 32],
) -> Option<([u8; 32], [u8; 32])> {
    let b = Fe::B;
    let mut g_table = [Point::identity(); 8];
    multiples(&mut g_table, &affine(&GX, &GY)?);
    let mut q_table = [Point::identity(); 8];
    multiples(&mut q_table, &affine(qx, qy)?);
    let (d1, d2) = (signed_radix16(u1), signed_radix16(u2));
    let mut acc = Point::identity();
    // Until the first non-zero digit the accumulator is the identity: no doublings.
    let mut started = false;
    for (&a, &c) in d1.iter().rev().zip(d2.iter().rev()) {
        if started {
            for _ in 0..4 {
                acc = acc.double(&b);
            }
        }
        for (table, d) in [(&g_table, a), (&q_table, c)] {
            // |d| − 1; none for d = 0.
            let Some(t) = usize::from(d.unsigned_abs())
                .checked_sub(1)
                .and_then(|i| table.get(i))
            else {
                continue;
            };
            let negated;
            let t = if d < 0 {
                negated = Point {
                    y: Fe::ZERO.sub(&t.y),
                    ..*t
                };
                &negated
            } else {
                t
            };
            acc = if started { acc.add(t, &b) } else { *t };
            started = true;
        }
    }
    finish(acc)
}

/// `1·P … 8·P` (public data), each entry from the one before it, written in place in the
/// caller's table: no accumulator to copy (one cost a 96-byte `memmove` per entry at
/// opt-level z) and no second table on the stack (returning one by value cost 900 B).
fn multiples(table: &mut [Point; 8], p: &Point) {
    let b = Fe::B;
    *table = [*p; 8];
    for i in 1..table.len() {
        let (done, rest) = table.split_at_mut(i);
        if let (Some(prev), Some(next)) = (done.last(), rest.first_mut()) {
            *next = prev.add(p, &b);
        }
    }
}

/// `d · P` from a table of `1·P … 8·P`, for a digit `d` in [−8, 8]; scans the whole
/// table and negates without a branch.
#[cfg_attr(not(target_pointer_width = "64"), inline(never))]
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

/// `k · G`, big-endian affine coordinates; `None` for `k ≡ 0 (mod n)`. Constant time.
///
/// With `std` (hosts, gateways): a fixed-base comb over a table of `j · 16ⁱ · G`
/// (i < 65, j ≤ 8; 50 KiB, built once on first use), 65 additions and no doublings —
/// about 4× faster than the variable-base ladder. Without `std` (devices): the ladder,
/// no table in RAM or flash.
pub(crate) fn mul_generator(k: &[u8; 32]) -> Option<([u8; 32], [u8; 32])> {
    #[cfg(feature = "std")]
    {
        finish(generator_point(k)?)
    }
    // Devices: the variable-base entry point itself, so a device that never verifies
    // ECDSA links one copy of the ladder's set-up and finish (flash).
    #[cfg(not(feature = "std"))]
    {
        mul(k, &GX, &GY)
    }
}

/// `k · G` in projective coordinates by the fixed-base comb (constant time); `None` only
/// if the generator tables cannot be built.
#[cfg(feature = "std")]
fn generator_point(k: &[u8; 32]) -> Option<Point> {
    let b = Fe::B;
    let tables = generator_tables()?;
    let mut digits = signed_radix16(k);
    let mut q = Point::identity();
    for (table, &d) in tables.iter().zip(digits.iter()) {
        let mut chosen = select_signed(table, d);
        q = q.add(&chosen, &b);
        chosen.wipe();
    }
    digits.zeroize();
    Some(q)
}

#[cfg(feature = "std")]
type GeneratorTables = [[Point; 8]; 65];

/// `tables[i][j] = (j + 1) · 16ⁱ · G` (public data).
#[cfg(feature = "std")]
fn generator_tables() -> Option<&'static GeneratorTables> {
    static TABLES: std::sync::OnceLock<Option<GeneratorTables>> = std::sync::OnceLock::new();
    TABLES
        .get_or_init(|| {
            let b = Fe::B;
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

    /// The order n, big-endian.
    fn order() -> [u8; 32] {
        hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
            .unwrap()
            .try_into()
            .unwrap()
    }

    fn scalar(k: &[u8; 32]) -> Scalar {
        Option::from(Scalar::from_repr((*k).into())).unwrap()
    }

    /// `u1 · G + u2 · Q` the old way: two constant-time ladders, then one addition.
    fn mul_add_by_ladders(
        u1: &[u8; 32],
        u2: &[u8; 32],
        qx: &[u8; 32],
        qy: &[u8; 32],
    ) -> Option<([u8; 32], [u8; 32])> {
        let b = Fe::B;
        let g = ladder(u1, &affine(&GX, &GY)?);
        let q = ladder(u2, &affine(qx, qy)?);
        finish(g.add(&q, &b))
    }

    /// p256's `u1 · G + u2 · Q` (both scalars below n).
    fn mul_add_by_p256(
        u1: &[u8; 32],
        u2: &[u8; 32],
        qx: &[u8; 32],
        qy: &[u8; 32],
    ) -> Option<([u8; 32], [u8; 32])> {
        use p256::elliptic_curve::sec1::FromSec1Point;
        let mut sec1 = [0u8; 65];
        sec1[0] = 4;
        sec1[1..33].copy_from_slice(qx);
        sec1[33..].copy_from_slice(qy);
        let q = ProjectivePoint::from(p256::AffinePoint::from_sec1_bytes(&sec1).unwrap());
        let sum = ProjectivePoint::GENERATOR * scalar(u1) + q * scalar(u2);
        if sum == ProjectivePoint::IDENTITY {
            return None;
        }
        let r = sum.to_affine();
        Some((r.x().into(), r.y().into()))
    }

    /// `start ^ (i · step)` at byte i.
    fn pattern(start: u8, step: u8) -> [u8; 32] {
        let mut k = [0u8; 32];
        for (i, byte) in (0u8..).zip(k.iter_mut()) {
            *byte = start ^ i.wrapping_mul(step);
        }
        k
    }

    fn small(v: u8) -> [u8; 32] {
        let mut k = [0u8; 32];
        k[31] = v;
        k
    }

    /// A point `Q = k · G` for a non-zero `k`.
    fn point(k: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
        mul(k, &GX, &GY).unwrap()
    }

    /// Both references and the interleaved multiplication agree (scalars below n).
    fn check(
        u1: &[u8; 32],
        u2: &[u8; 32],
        q: &([u8; 32], [u8; 32]),
    ) -> Option<([u8; 32], [u8; 32])> {
        let got = mul_add(u1, u2, &q.0, &q.1);
        assert_eq!(got, mul_add_by_ladders(u1, u2, &q.0, &q.1));
        assert_eq!(got, mul_add_by_p256(u1, u2, &q.0, &q.1));
        got
    }

    #[test]
    fn zero_scalars_leave_the_other_term() {
        let q = point(&small(7));
        let k = pattern(0x3c, 29);
        assert_eq!(check(&[0; 32], &k, &q), mul(&k, &q.0, &q.1));
        assert_eq!(check(&k, &[0; 32], &q), mul(&k, &GX, &GY));
        assert_eq!(
            check(&[0; 32], &[0; 32], &q),
            None,
            "0·G + 0·Q is the identity"
        );
        assert_eq!(check(&small(1), &[0; 32], &q), Some((GX, GY)));
        assert_eq!(check(&[0; 32], &small(1), &q), Some(q));
    }

    #[test]
    fn order_minus_one_negates() {
        let mut n_minus_1 = order();
        n_minus_1[31] -= 1;
        let q = point(&small(11));
        let (x, y) = check(&[0; 32], &n_minus_1, &q).unwrap();
        assert_eq!(x, q.0);
        assert_ne!(y, q.1);
        let (x, y) = check(&n_minus_1, &[0; 32], &q).unwrap();
        assert_eq!(x, GX);
        assert_ne!(y, GY);
        check(&small(1), &n_minus_1, &q);
        check(&n_minus_1, &n_minus_1, &q);
        // (n − 1)·G + 1·G: the identity.
        assert_eq!(check(&n_minus_1, &small(1), &(GX, GY)), None);
    }

    #[test]
    fn a_sum_at_the_identity_is_none() {
        for seed in 1u8..8 {
            let u1 = pattern(seed.wrapping_mul(71), 13);
            let u1 = scalar(&u1).to_repr().into();
            let u2: [u8; 32] = (-scalar(&u1)).to_repr().into();
            assert_eq!(check(&u1, &u2, &(GX, GY)), None, "u1·G + (n − u1)·G");
            // Q = k·G, u2 = −u1/k: u1·G + u2·Q = 0.
            let k = scalar(&small(seed + 1));
            let q = point(&k.to_repr().into());
            let u2: [u8; 32] = (-(scalar(&u1) * Option::<Scalar>::from(k.invert()).unwrap()))
                .to_repr()
                .into();
            assert_eq!(check(&u1, &u2, &q), None, "u1·G + (−u1/k)·(k·G)");
        }
    }

    #[test]
    fn equal_points_and_equal_digits_add_by_the_complete_formula() {
        // Q = G: every addition of equal digits adds a point to itself.
        for v in [1u8, 2, 7, 8, 9, 15, 16, 0x88, 0xff] {
            let k = [v; 32];
            let k = if scalar_below_n(&k) {
                k
            } else {
                scalar(&small(v)).to_repr().into()
            };
            check(&k, &k, &(GX, GY));
            check(&k, &small(v), &(GX, GY));
        }
    }

    fn scalar_below_n(k: &[u8; 32]) -> bool {
        Option::<Scalar>::from(Scalar::from_repr((*k).into())).is_some()
    }

    #[test]
    fn digit_extremes_and_the_65th_digit() {
        let q = point(&small(5));
        // Below n: all-0xff tails, 0x88 / 0x77 patterns (digits −8, 8 and carries), the top
        // byte 0xff (a carry into the 65th digit).
        let mut patterns = std::vec::Vec::new();
        for top in [0x7fu8, 0x80, 0x88, 0xf8, 0xff] {
            for fill in [0xffu8, 0x88, 0x77, 0x78, 0x87, 0x08, 0xf0, 0x0f] {
                let mut k = [fill; 32];
                k[0] = top;
                if top == 0xff {
                    // n starts ffffffff00000000: ff‥fe… is below it.
                    k[3] = 0xfe;
                }
                patterns.push(k);
            }
        }
        for u1 in &patterns {
            for u2 in patterns.iter().step_by(7) {
                assert!(scalar_below_n(u1) && scalar_below_n(u2));
                check(u1, u2, &q);
            }
        }
        // At and above n (not ECDSA's inputs, but the multiplication is exact): 2²⁵⁶ − 1.
        let ones = [0xff; 32];
        assert_eq!(
            mul_add(&ones, &ones, &q.0, &q.1),
            mul_add_by_ladders(&ones, &ones, &q.0, &q.1)
        );
        let n = order();
        assert_eq!(mul_add(&n, &n, &q.0, &q.1), None, "n·G + n·Q");
    }

    #[test]
    fn non_field_coordinates_are_refused() {
        let p: [u8; 32] =
            hex::decode("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
                .unwrap()
                .try_into()
                .unwrap();
        assert_eq!(mul_add(&small(1), &small(1), &p, &GY), None);
        assert_eq!(mul_add(&small(1), &small(1), &GX, &[0xff; 32]), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn interleaved_matches_the_ladders_and_p256(
            k in any::<[u8; 32]>(),
            u1 in any::<[u8; 32]>(),
            u2 in any::<[u8; 32]>(),
        ) {
            let (mut k, mut u1r, mut u2r) = (k, u1, u2);
            for s in [&mut k, &mut u1r, &mut u2r] {
                s[0] &= 0x7f; // below n
            }
            prop_assume!(k != [0; 32]);
            let (qx, qy) = point(&k);
            let got = mul_add(&u1r, &u2r, &qx, &qy);
            prop_assert_eq!(got, mul_add_by_ladders(&u1r, &u2r, &qx, &qy));
            prop_assert_eq!(got, mul_add_by_p256(&u1r, &u2r, &qx, &qy));
            // Any 256-bit scalars (ECDSA's are below n): still the exact sum.
            prop_assert_eq!(
                mul_add(&u1, &u2, &qx, &qy),
                mul_add_by_ladders(&u1, &u2, &qx, &qy)
            );
        }
    }
}
