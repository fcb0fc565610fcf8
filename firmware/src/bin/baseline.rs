//! Baseline image: the runtime (cortex-m-rt, semihosting, panic handler, one
//! formatted line) without any iomt code. `cargo xtask footprint` subtracts its
//! sections from the `initiator` image's. The lakers image (`perf/lakers-footprint`)
//! builds this same file as its baseline, so it uses no iomt-firmware item.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;

#[entry]
fn main() -> ! {
    let x = core::hint::black_box(7u32);
    hprintln!("IOMT-BASELINE\t{}", x);
    if x == 0 {
        panic!("unreachable");
    }
    debug::exit(debug::EXIT_SUCCESS);
    #[expect(
        clippy::empty_loop,
        reason = "semihosting exit does not return under QEMU"
    )]
    loop {}
}
