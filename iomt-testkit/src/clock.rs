//! Clocks for the host benchmarks (`iomt-crypto-awslc`'s `responder` bench and
//! `perf/lakers-compare`): per-thread CPU time, so a neighbour process or thread on the
//! same core does not inflate a figure, and a clock that does not measure.

use core::time::Duration;

/// The calling thread's CPU time (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`).
///
/// # Panics
/// If the clock is unavailable (`clock_gettime` fails) or returns a negative time.
#[must_use]
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a libc constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap(),
        u32::try_from(ts.tv_nsec).unwrap(),
    )
}

/// A clock for callers that do not measure: always zero.
#[must_use]
pub fn no_clock() -> Duration {
    Duration::ZERO
}
