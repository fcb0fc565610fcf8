//! Where `now` comes from: a monotonic millisecond [`Clock`], with
//! `std::time::Instant` on the host ([`StdClock`], feature `std`) and, for blocking
//! firmware (features `embedded-hal` + `embedded-io` + `edhoc`), the `blocking` module: the
//! datagram handshake driven over an `embedded-io` link with embedded-hal's
//! `DelayNs` between polls.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

/// A monotonic millisecond clock (a device's RTC/SysTick counter, `std::time::Instant`).
///
/// # Invariants
/// Never goes backwards; wrapping is the implementer's business (a `u64` of milliseconds
/// lasts 584 million years).
pub trait Clock {
    /// Milliseconds since an arbitrary, fixed origin.
    fn now_ms(&mut self) -> u64;
}

/// `std::time::Instant` as a [`Clock`] (milliseconds since construction).
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Debug, Clone, Copy)]
pub struct StdClock {
    origin: std::time::Instant,
}

#[cfg(feature = "std")]
impl StdClock {
    /// A clock whose origin is now.
    #[must_use]
    pub fn new() -> Self {
        Self {
            origin: std::time::Instant::now(),
        }
    }
}

#[cfg(feature = "std")]
impl Default for StdClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "std")]
impl Clock for StdClock {
    fn now_ms(&mut self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// `std::thread::sleep` as embedded-hal's `DelayNs` (host tests and tools).
#[cfg(all(feature = "std", feature = "embedded-hal"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "std", feature = "embedded-hal"))))]
#[derive(Debug, Clone, Copy, Default)]
pub struct StdDelay;

#[cfg(all(feature = "std", feature = "embedded-hal"))]
impl embedded_hal::delay::DelayNs for StdDelay {
    fn delay_ns(&mut self, ns: u32) {
        std::thread::sleep(core::time::Duration::from_nanos(u64::from(ns)));
    }
}

#[cfg(all(feature = "embedded-hal", feature = "embedded-io", feature = "edhoc"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "embedded-hal", feature = "embedded-io", feature = "edhoc")))
)]
pub mod blocking;
