//! EDHOC responder throughput per core: the RustCrypto backend against `AwsLcProvider`, in
//! one process.
//!
//! Each handshake is complete (messages 1–3, exporter compared) with a RustCrypto initiator
//! (the device); only the responder's calls (gateway side: `Responder::new` through
//! `complete` and its exporter) are timed, in per-thread CPU time
//! (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`). Batches interleave the backends (RustCrypto,
//! aws-lc, RustCrypto, …) so frequency scaling and neighbours hit both alike; the figure per
//! backend is the median over batches.
//!
//! `cargo bench -p iomt-crypto-awslc --bench responder -- [ROUNDS] [BATCH]` (default 15 × 200).
//! Recorded in docs/PERFORMANCE.md ("Gateway backend: aws-lc-rs").
#![allow(missing_docs, reason = "benchmark binary")]
#![allow(clippy::unwrap_used, reason = "benchmark on known-good inputs")]

use core::time::Duration;

use iomt_auth::edhoc::Method;
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{CryptoProvider, RustCryptoProvider};
use iomt_testkit::clock::thread_cpu_time;
use iomt_testkit::provider_pair::ProviderPair;

/// Mean responder CPU time per handshake over one batch.
fn batch<R: CryptoProvider>(
    pair: &mut ProviderPair<RustCryptoProvider<OsRng>, R>,
    suite: u8,
    n: u32,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..n {
        total += pair.handshake(Method::StatStat, suite, thread_cpu_time).1;
    }
    total / n
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; numbers are ours.
    let nums: Vec<u32> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    let rounds = nums.first().copied().unwrap_or(15).max(1);
    let n = nums.get(1).copied().unwrap_or(200).max(1);
    let mut rc = ProviderPair::new(
        RustCryptoProvider::with_os_rng(),
        RustCryptoProvider::with_os_rng(),
    );
    let mut aws = ProviderPair::new(
        RustCryptoProvider::with_os_rng(),
        iomt_crypto_awslc::provider(),
    );
    println!("EDHOC method 3, responder CPU time per handshake, median of {rounds} batches × {n}");
    for suite in [2u8, 5] {
        batch(&mut rc, suite, n / 10 + 1); // warm-up
        batch(&mut aws, suite, n / 10 + 1);
        let (mut t_rc, mut t_aws) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            t_rc.push(batch(&mut rc, suite, n));
            t_aws.push(batch(&mut aws, suite, n));
        }
        let (m_rc, m_aws) = (median(t_rc), median(t_aws));
        let hs = |d: Duration| 1.0 / d.as_secs_f64();
        println!(
            "suite {suite}: rustcrypto {:>7.1} µs = {:>6.0} handshakes/s/core | aws-lc {:>7.1} µs = {:>6.0} handshakes/s/core | ratio aws-lc/rustcrypto {:.2}x",
            m_rc.as_secs_f64() * 1e6,
            hs(m_rc),
            m_aws.as_secs_f64() * 1e6,
            hs(m_aws),
            hs(m_aws) / hs(m_rc),
        );
    }
}
