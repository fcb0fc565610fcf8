//! Peak stack by stack painting.
//!
//! [`paint`] fills [`PAINT_BYTES`] below the current stack pointer (minus a
//! small margin for its own frame) with a pattern; [`Painted::peak`] finds the
//! deepest word that no longer holds the pattern and returns its distance from
//! the stack pointer of the caller of [`paint`]. The result is exact up to
//! the painting function's own frame (a few words, counted in) and to a callee
//! that happened to write the pattern value itself (vanishingly unlikely).

/// Bytes painted below the stack pointer.
pub const PAINT_BYTES: u32 = 48 * 1024;
/// Bytes left unpainted right below the stack pointer (the painter's own frame).
const MARGIN: u32 = 64;
const PATTERN: u32 = 0xA5C3_5A3C;

/// A painted region; see [`Painted::peak`].
#[derive(Debug)]
pub struct Painted {
    top: u32,
    bottom: u32,
}

/// Paints the region below the caller's stack pointer.
#[inline(always)]
pub fn paint() -> Painted {
    let top = cortex_m::register::msp::read();
    let bottom = top - PAINT_BYTES;
    let mut p = bottom;
    while p < top - MARGIN {
        // SAFETY: [bottom, top − MARGIN) is free stack below the live frames
        // (RAM is 4 MiB and the stack has not reached it); word-aligned.
        unsafe { (p as *mut u32).write_volatile(PATTERN) };
        p += 4;
    }
    Painted { top, bottom }
}

impl Painted {
    /// Peak stack use since [`paint`], in bytes below the stack pointer at the time
    /// of painting. Returns [`PAINT_BYTES`] if the whole region was used (the
    /// real peak may be higher).
    #[inline(always)]
    pub fn peak(&self) -> u32 {
        let mut p = self.bottom;
        while p < self.top - MARGIN {
            // SAFETY: reads of the region painted by `paint`.
            if unsafe { (p as *const u32).read_volatile() } != PATTERN {
                return self.top - p;
            }
            p += 4;
        }
        0
    }
}
