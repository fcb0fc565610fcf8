//! Shared helpers for iomt's fuzz targets (never built into normal builds: this crate lives in
//! its own cargo-fuzz workspace, which the root workspace excludes).

/// Exact decimal helpers for the SFLOAT/FLOAT target.
pub mod decimal {
    /// `m × 10^e` with trailing decimal zeros stripped from `m` (zero becomes `(0, 0)`).
    #[must_use]
    pub fn canonical(mut m: i64, mut e: i32) -> (i64, i32) {
        if m == 0 {
            return (0, 0);
        }
        while m % 10 == 0 {
            m /= 10;
            e += 1;
        }
        (m, e)
    }

    /// Whether `m1 × 10^e1 == m2 × 10^e2` exactly.
    #[must_use]
    pub fn same_number(m1: i64, e1: i32, m2: i64, e2: i32) -> bool {
        canonical(m1, e1) == canonical(m2, e2)
    }
}
