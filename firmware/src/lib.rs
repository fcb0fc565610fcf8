//! Shared pieces of the iomt Cortex-M4 firmware (QEMU `mps2-an386`):
//! instruction counting with TIMER0, peak-stack measurement by stack painting,
//! a deterministic benchmark RNG and the machine-readable report lines.
//!
//! # Measuring
//! QEMU runs with `-icount shift=0`: every guest instruction advances virtual
//! time by exactly 1 ns, and TIMER0 (a CMSDK APB timer clocked at 25 MHz) ticks
//! every 40 ns, i.e. every 40 instructions. [`calibrate`] checks that factor with
//! a loop of known length. Counts are deterministic (the same on every run) and
//! are *instructions*, not cycles: a real Cortex-M4 needs somewhat more cycles
//! (loads, multiplies, branches, flash wait states).
//!
//! # Report format
//! Every result is one line on the semihosting console:
//! `IOMT-BENCH\t<backend>\t<operation>\t<instructions>\t<peak stack bytes>` and
//! `IOMT-SIZE\t<backend>\t<type>\t<bytes>`; `cargo xtask footprint` parses these.
#![no_std]

#[cfg(feature = "edhoc-method3")]
pub mod handshake;
pub mod hex;
pub mod rng;
pub mod stack;
pub mod timer;

use cortex_m_semihosting::hprintln;

/// Instructions per TIMER0 tick under `-icount shift=0` (1 ns per instruction,
/// 25 MHz timer).
pub const INSTRUCTIONS_PER_TICK: u32 = 40;

/// Result of one measured operation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Measurement {
    /// Instructions per call (TIMER0 ticks × 40, divided by the repetitions).
    pub instructions: u32,
    /// Peak stack below the caller's frame, in bytes.
    pub stack: u32,
}

/// Runs `op` `reps` times with the stack painted first and TIMER0 around it.
///
/// The closure's result is passed through [`core::hint::black_box`] so that the
/// work cannot be optimized away.
#[inline(never)]
pub fn measure<T>(reps: u32, mut op: impl FnMut() -> T) -> Measurement {
    let reps = reps.max(1);
    let guard = stack::paint();
    let start = timer::now();
    for _ in 0..reps {
        core::hint::black_box(op());
    }
    let end = timer::now();
    let stack = guard.peak();
    let ticks = start.wrapping_sub(end); // the timer counts down
    Measurement {
        instructions: ticks.saturating_mul(INSTRUCTIONS_PER_TICK) / reps,
        stack,
    }
}

/// Prints one `IOMT-BENCH` line.
pub fn report(backend: &str, operation: &str, m: Measurement) {
    hprintln!(
        "IOMT-BENCH\t{}\t{}\t{}\t{}",
        backend,
        operation,
        m.instructions,
        m.stack
    );
}

/// Prints one `IOMT-SIZE` line (`size_of` a type, per backend).
pub fn report_size(backend: &str, name: &str, bytes: usize) {
    hprintln!("IOMT-SIZE\t{}\t{}\t{}", backend, name, bytes);
}

/// Runs a loop of exactly `2 · n + small constant` instructions (`subs`/`bne`)
/// and returns the measured instructions per iteration × 1000 (expected: 2000).
#[inline(never)]
pub fn calibrate(n: u32) -> u32 {
    let start = timer::now();
    // SAFETY: a register-only countdown loop; touches no memory.
    unsafe {
        core::arch::asm!(
            "2:",
            "subs {n}, {n}, #1",
            "bne 2b",
            n = inout(reg) n.max(1) => _,
            options(nomem, nostack),
        );
    }
    let end = timer::now();
    let instructions = u64::from(start.wrapping_sub(end)) * u64::from(INSTRUCTIONS_PER_TICK);
    u32::try_from(instructions * 1000 / u64::from(n.max(1))).unwrap_or(u32::MAX)
}

/// Exits QEMU through semihosting with `code` as the process exit status.
pub fn exit(success: bool) -> ! {
    use cortex_m_semihosting::debug;
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[expect(
        clippy::empty_loop,
        reason = "semihosting exit does not return under QEMU"
    )]
    loop {}
}
