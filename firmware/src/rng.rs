//! A deterministic RNG for benchmarks and tests ONLY (no security: a fixed seed).
//!
//! QEMU's mps2-an386 has no TRNG. A device passes its TRNG (or a DRBG seeded
//! from it) instead. SplitMix64 keeps the benchmark reproducible.

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// SplitMix64 with a fixed seed. NOT a cryptographic RNG.
#[derive(Debug, Clone)]
pub struct BenchRng(u64);

impl BenchRng {
    /// A generator with `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl TryRng for BenchRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            for (d, s) in chunk.iter_mut().zip(self.next().to_le_bytes()) {
                *d = s;
            }
        }
        Ok(())
    }
}

/// Marker only: this is NOT cryptographically secure (benchmarks need a fixed seed).
impl TryCryptoRng for BenchRng {}

/// Yields one fixed 32-byte block (e.g. an RFC 9529 ephemeral key X) on the first
/// 32-byte request, then falls back to [`BenchRng`]. For known-answer runs ONLY.
///
/// Both backends draw an ephemeral scalar as 32 big-endian bytes (rejection sampling),
/// so the first key generated is exactly `block`.
#[derive(Debug, Clone)]
pub struct ReplayRng {
    block: Option<[u8; 32]>,
    fallback: BenchRng,
}

impl ReplayRng {
    /// Replays `block` once.
    #[must_use]
    pub const fn new(block: [u8; 32]) -> Self {
        Self {
            block: Some(block),
            fallback: BenchRng::new(5),
        }
    }
}

impl TryRng for ReplayRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.fallback.try_next_u32()
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.fallback.try_next_u64()
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        match self.block.take() {
            Some(block) if dst.len() == block.len() => {
                dst.copy_from_slice(&block);
                Ok(())
            }
            other => {
                self.block = other;
                self.fallback.try_fill_bytes(dst)
            }
        }
    }
}

/// Marker only: NOT cryptographically secure (known-answer runs).
impl TryCryptoRng for ReplayRng {}
