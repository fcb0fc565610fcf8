//! The anti-replay sliding window (RFC 6347 §4.1.2.6 / RFC 9147 §4.5.1 style).
//!
//! # Invariants
//! - `bits == 0` means nothing was committed yet; otherwise `top` is the highest
//!   committed sequence number and bit `i` of `bits` is set iff `top - i` was committed
//!   (`i < W`; bit 0, `top` itself, is always set). Bits at and above `W` are zero.
//! - [`ReplayWindow::check`] never changes the window. [`ReplayWindow::commit`] is
//!   called only after the frame authenticated, so forged frames never move it
//!   (check → decrypt → commit).
//!
//! A sequence number `s` is accepted iff it was never committed and `s + W > top`
//! (numbers `W` or more below the highest one are "too old", even if they were never
//! seen). Frames above `top` are always accepted; the window then slides. The window
//! takes 16 bytes whatever `W` is.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use crate::error::Rejection;

/// The largest supported window (the bitmap is a `u64`).
pub const MAX_WINDOW: u32 = 64;

/// A sliding-bitmap replay window of `W` sequence numbers (1 ≤ `W` ≤ 64, default 64).
///
/// # Example
/// ```
/// use iomt_proto::{ReplayWindow, Rejection};
/// let mut w = ReplayWindow::<64>::new();
/// w.check(10)?;
/// w.commit(10);
/// assert_eq!(w.check(10), Err(Rejection::Replayed));
/// w.check(9)?;            // reordering inside the window is fine
/// w.commit(100);
/// assert_eq!(w.check(36), Err(Rejection::TooOld)); // 100 - 36 >= 64
/// w.check(37)?;
/// # Ok::<(), Rejection>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplayWindow<const W: u32 = 64> {
    bits: u64,
    top: u32,
}

impl<const W: u32> ReplayWindow<W> {
    const VALID: () = assert!(W >= 1 && W <= MAX_WINDOW, "replay window must be 1..=64");

    const MASK: u64 = if W >= 64 {
        u64::MAX
    } else {
        (1u64 << W).wrapping_sub(1)
    };

    /// An empty window.
    #[must_use]
    pub const fn new() -> Self {
        let () = Self::VALID;
        Self { bits: 0, top: 0 }
    }

    /// The highest committed sequence number.
    #[must_use]
    pub const fn top(&self) -> Option<u32> {
        if self.bits == 0 { None } else { Some(self.top) }
    }

    /// Checks `seq` without changing the window.
    ///
    /// # Errors
    /// [`Rejection::Replayed`] if `seq` was committed, [`Rejection::TooOld`] if it lies
    /// `W` or more below the highest committed number.
    pub const fn check(&self, seq: u32) -> Result<(), Rejection> {
        if self.bits == 0 || seq > self.top {
            return Ok(());
        }
        let offset = self.top.wrapping_sub(seq);
        if offset >= W {
            return Err(Rejection::TooOld);
        }
        if self.bits & (1u64 << offset) != 0 {
            Err(Rejection::Replayed)
        } else {
            Ok(())
        }
    }

    /// Marks `seq` as received. Call only after [`ReplayWindow::check`] returned `Ok`
    /// and the frame authenticated; committing an out-of-window number does nothing.
    pub const fn commit(&mut self, seq: u32) {
        if self.bits == 0 {
            self.top = seq;
            self.bits = 1;
        } else if seq > self.top {
            let shift = seq.wrapping_sub(self.top);
            self.bits = if shift >= 64 {
                0
            } else {
                (self.bits << shift) & Self::MASK
            };
            self.bits |= 1;
            self.top = seq;
        } else {
            let offset = self.top.wrapping_sub(seq);
            if offset < W {
                self.bits |= 1u64 << offset;
            }
        }
    }

    /// `check` then `commit` in one step, for callers that have already authenticated.
    ///
    /// # Errors
    /// As [`ReplayWindow::check`]; the window is unchanged on error.
    pub const fn check_and_update(&mut self, seq: u32) -> Result<(), Rejection> {
        match self.check(seq) {
            Ok(()) => {
                self.commit(seq);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_frame_any_number() {
        let mut w = ReplayWindow::<64>::new();
        assert_eq!(w.check(1_000_000), Ok(()));
        w.commit(1_000_000);
        assert_eq!(w.check(1_000_000), Err(Rejection::Replayed));
        assert_eq!(w.check(1_000_000 - 63), Ok(()));
        assert_eq!(w.check(1_000_000 - 64), Err(Rejection::TooOld));
    }

    #[test]
    fn big_jump_clears_bitmap() {
        let mut w = ReplayWindow::<64>::new();
        for s in 0..64 {
            w.check_and_update(s).unwrap();
        }
        w.commit(1000);
        assert_eq!(w.check(999), Ok(()));
        assert_eq!(w.check(1000), Err(Rejection::Replayed));
        assert_eq!(w.check(63), Err(Rejection::TooOld));
    }

    #[test]
    fn window_of_one_and_64() {
        let mut w = ReplayWindow::<1>::new();
        w.commit(5);
        assert_eq!(w.check(4), Err(Rejection::TooOld));
        assert_eq!(w.check(6), Ok(()));
        let mut w = ReplayWindow::<64>::new();
        w.commit(200);
        assert_eq!(w.check(137), Ok(()));
        assert_eq!(w.check(136), Err(Rejection::TooOld));
        w.commit(137);
        assert_eq!(w.check(137), Err(Rejection::Replayed));
        w.commit(201);
        assert_eq!(w.check(137), Err(Rejection::TooOld));
        assert_eq!(w.check(138), Ok(()));
    }

    #[test]
    fn bits_above_window_stay_clear() {
        let mut w = ReplayWindow::<8>::new();
        for s in 0..8 {
            w.commit(s);
        }
        w.commit(9);
        assert_eq!(w.bits & !ReplayWindow::<8>::MASK, 0);
        assert_eq!(w.check(8), Ok(()));
        assert_eq!(w.check(2), Err(Rejection::Replayed));
        assert_eq!(w.check(1), Err(Rejection::TooOld));
    }

    #[test]
    fn u32_max_edge_and_zero() {
        let mut w = ReplayWindow::<64>::new();
        w.commit(0);
        assert_eq!(w.top(), Some(0));
        assert_eq!(w.check(0), Err(Rejection::Replayed));
        w.commit(u32::MAX);
        assert_eq!(w.check(u32::MAX), Err(Rejection::Replayed));
        assert_eq!(w.check(0), Err(Rejection::TooOld));
        assert_eq!(size_of::<ReplayWindow<64>>(), 16);
    }
}
