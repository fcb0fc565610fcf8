//! The fuzzer input reader.

use super::*;

// ---- Input helpers ------------------------------------------------------------------------

pub(super) struct Bytes<'a>(pub(super) &'a [u8]);

impl<'a> Bytes<'a> {
    pub(super) fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    pub(super) fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    pub(super) fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    pub(super) fn u64(&mut self) -> u64 {
        (u64::from(self.u32()) << 32) | u64::from(self.u32())
    }
    pub(super) fn take(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.0.split_at(n.min(self.0.len()));
        self.0 = b;
        a
    }
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Fills a plain-data struct from the next bytes (zero when they run out).
    pub(super) fn pod<T>(&mut self) -> T {
        let mut v: T = *zeroed();
        let src = self.take(size_of::<T>());
        // SAFETY: `T` is a `#[repr(C)]` struct of integers and byte arrays (every bit
        // pattern is valid); `src` is at most `size_of::<T>()` bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), (&mut v as *mut T).cast::<u8>(), src.len())
        };
        v
    }
}
