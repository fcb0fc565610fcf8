//! Constant-time scalar multiplication (the software backend's ECDH and key generation).

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
    let mut table = [*base; 8];
    let mut acc = *base;
    for t in table.iter_mut().skip(1) {
        acc = acc.add(base, &b);
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
    q
}

/// `u1 · G + u2 · Q`, big-endian affine coordinates (ECDSA verification; the scalars are
/// public); `None` if `Q`'s coordinates are not field elements or the sum is the identity.
pub(crate) fn mul_add(
    u1: &[u8; 32],
    u2: &[u8; 32],
    qx: &[u8; 32],
    qy: &[u8; 32],
) -> Option<([u8; 32], [u8; 32])> {
    let q = ladder(u2, &affine(qx, qy)?);
    finish(generator_point(u1)?.add(&q, &Fe::B))
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

/// `k · G`, big-endian affine coordinates; `None` for `k ≡ 0 (mod n)`. See
/// [`generator_point`] for the two methods.
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

/// `k · G` in projective coordinates; `None` only if the generator tables cannot be built.
///
/// With `std` (hosts, gateways): a fixed-base comb over a table of `j · 16ⁱ · G`
/// (i < 65, j ≤ 8; 50 KiB, built once on first use), 65 additions and no doublings —
/// about 4× faster than the variable-base ladder. Without `std` (devices): the ladder,
/// no table in RAM or flash.
fn generator_point(k: &[u8; 32]) -> Option<Point> {
    #[cfg(feature = "std")]
    {
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
    #[cfg(not(feature = "std"))]
    {
        Some(ladder(k, &affine(&GX, &GY)?))
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
