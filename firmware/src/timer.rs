//! TIMER0 of the mps2-an386 (CMSDK APB timer at 0x4000_0000, 25 MHz).
//!
//! Registers: CTRL +0 (bit 0 enable), VALUE +4 (counts down), RELOAD +8.

const BASE: usize = 0x4000_0000;
const CTRL: *mut u32 = BASE as *mut u32;
const VALUE: *mut u32 = (BASE + 4) as *mut u32;
const RELOAD: *mut u32 = (BASE + 8) as *mut u32;

/// Starts TIMER0 free-running from `u32::MAX` downwards.
pub fn start() {
    // SAFETY: TIMER0's MMIO registers on mps2-an386; no other code uses the timer.
    unsafe {
        CTRL.write_volatile(0);
        RELOAD.write_volatile(u32::MAX);
        VALUE.write_volatile(u32::MAX);
        CTRL.write_volatile(1);
    }
}

/// The current counter value (it counts down: elapsed = earlier − later).
#[inline(always)]
pub fn now() -> u32 {
    // SAFETY: a read of TIMER0's VALUE register.
    unsafe { VALUE.read_volatile() }
}
