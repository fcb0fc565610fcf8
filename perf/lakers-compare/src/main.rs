//! iomt against lakers 0.8 in ONE process: full EDHOC handshakes (method 3, cipher
//! suite 2, initiator and responder, RustCrypto on both) and one P-256 variable-base
//! scalar multiplication in the p256 generation each links (0.14 for iomt, 0.13 for
//! lakers).
//!
//! Interleaved batches (iomt, lakers, iomt, …) so frequency scaling and neighbours hit
//! both alike; each batch is timed in per-thread CPU time
//! (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`); the reported figure per benchmark is the
//! median over the batches. Run by `cargo xtask bench-lakers`, which writes the result
//! into docs/PERFORMANCE.md; by hand:
//! `cargo run --release --manifest-path perf/lakers-compare/Cargo.toml -- [ROUNDS] [BATCH]`.
//! The last line of the output (`RESULT …`) is what xtask parses.
#![allow(clippy::unwrap_used, reason = "benchmark on known-good inputs")]
#![allow(clippy::expect_used, reason = "benchmark on known-good inputs")]

use core::hint::black_box;
use std::time::Duration;

use iomt_auth::edhoc::Method;
use iomt_crypto::RustCryptoProvider;
use iomt_crypto::prelude::*;
use iomt_crypto::rustcrypto::OsRng;
// The RFC 9529 §3 credentials and static keys (both libraries' test vectors), the iomt
// handshake (the one the aws-lc responder bench runs) and the CPU clock: iomt's test kit.
use iomt_testkit::clock::thread_cpu_time;
use iomt_testkit::provider_pair::ProviderPair;
use iomt_testkit::rfc9529::{CRED_I, CRED_R, SK_I, SK_R, h};
use lakers::{
    Credential, CredentialTransfer, EDHOCMethod, EDHOCSuite, EdhocInitiator, EdhocResponder,
    credential_check_or_fetch,
};

type P = RustCryptoProvider<OsRng>;

/// One iomt handshake (method 3, suite 2, RustCrypto both sides); returns the exporter
/// output and the responder's share of the CPU time (gateway side).
fn iomt_handshake(pair: &mut ProviderPair<P, P>) -> ([u8; 16], Duration) {
    pair.handshake(Method::StatStat, 2, thread_cpu_time)
}

struct Lakers {
    cred_i: Credential,
    cred_r: Credential,
    sk_i: [u8; 32],
    sk_r: [u8; 32],
}

fn lakers_crypto() -> lakers_crypto_rustcrypto::Crypto<rand_core_06::OsRng> {
    lakers_crypto_rustcrypto::Crypto::new(rand_core_06::OsRng)
}

impl Lakers {
    fn handshake(&self) -> [u8; 16] {
        let initiator = EdhocInitiator::new(
            lakers_crypto(),
            EDHOCMethod::StatStat,
            EDHOCSuite::CipherSuite2,
        );
        let responder = EdhocResponder::new(
            lakers_crypto(),
            EDHOCMethod::StatStat,
            self.sk_r,
            self.cred_r,
        );
        let (initiator, message_1) = initiator.prepare_message_1(None, &None).unwrap();
        let (responder, _c_i, _ead_1) = responder.process_message_1(&message_1).unwrap();
        let (responder, message_2) = responder
            .prepare_message_2(CredentialTransfer::ByReference, None, &None)
            .unwrap();
        let (mut initiator, _c_r, id_cred_r, _ead_2) =
            initiator.parse_message_2(&message_2).unwrap();
        let valid_cred_r = credential_check_or_fetch(Some(self.cred_r), id_cred_r).unwrap();
        initiator.set_identity(self.sk_i, self.cred_i).unwrap();
        let initiator = initiator.verify_message_2(valid_cred_r).unwrap();
        let (initiator, message_3, _) = initiator
            .prepare_message_3(CredentialTransfer::ByReference, &None)
            .unwrap();
        let (responder, id_cred_i, _ead_3) = responder.parse_message_3(&message_3).unwrap();
        let valid_cred_i = credential_check_or_fetch(Some(self.cred_i), id_cred_i).unwrap();
        let (responder, _) = responder.verify_message_3(valid_cred_i).unwrap();
        let mut responder = responder.completed_without_message_4().unwrap();
        let mut initiator = initiator.completed_without_message_4().unwrap();
        let ki = initiator.edhoc_exporter(0, &[], 16);
        let kr = responder.edhoc_exporter(0, &[], 16);
        assert_eq!(ki[..16], kr[..16]);
        ki[..16].try_into().unwrap()
    }
}

fn p256_14_mul(k: &p256_14::Scalar, p: &p256_14::ProjectivePoint) -> p256_14::AffinePoint {
    (*p * k).to_affine()
}

fn p256_13_mul(k: &p256_13::Scalar, p: &p256_13::ProjectivePoint) -> p256_13::AffinePoint {
    (*p * k).to_affine()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = args.first().map_or(31, |s| s.parse().expect("ROUNDS"));
    let batch: usize = args.get(1).map_or(10, |s| s.parse().expect("BATCH"));

    let mut iomt = ProviderPair::new(
        RustCryptoProvider::with_os_rng(),
        RustCryptoProvider::with_os_rng(),
    );
    let lakers = Lakers {
        cred_i: Credential::parse_ccs(&h(CRED_I)).unwrap(),
        cred_r: Credential::parse_ccs(&h(CRED_R)).unwrap(),
        sk_i: h(SK_I).try_into().unwrap(),
        sk_r: h(SK_R).try_into().unwrap(),
    };

    // Scalar multiplications: random scalar, variable base (a random point, not G).
    use p256_13::elliptic_curve::Field as _;
    use p256_14::elliptic_curve::Generate as _;
    let mut rng = rand_core_06::OsRng;
    let k13 = p256_13::Scalar::random(&mut rng);
    let p13 = p256_13::ProjectivePoint::GENERATOR * p256_13::Scalar::random(&mut rng);
    let mut os = iomt_crypto::rustcrypto::OsRng;
    let k14 = p256_14::Scalar::try_generate_from_rng(&mut os).unwrap();
    let p14 = p256_14::ProjectivePoint::GENERATOR
        * p256_14::Scalar::try_generate_from_rng(&mut os).unwrap();

    // Warm up (and check both handshakes complete).
    for _ in 0..3 {
        black_box(iomt_handshake(&mut iomt));
        black_box(lakers.handshake());
    }

    // iomt's ECDH as the backend runs it (scalar parse, multiplication, x-coordinate).
    let mut prov = RustCryptoProvider::with_os_rng();
    let (eph, _) = prov.p256_generate_ephemeral().unwrap();
    let (_, peer) = prov.p256_generate_ephemeral().unwrap();

    let names = [
        "iomt_handshake",
        "lakers_handshake",
        "p256_0_14_mul",
        "p256_0_13_mul",
        "iomt_ecdh",
    ];
    let mut samples: [Vec<f64>; 5] = Default::default();
    let mul_batch = batch * 8;
    let mut responder: Vec<f64> = Vec::new();
    for _ in 0..rounds {
        for (which, s) in samples.iter_mut().enumerate() {
            let t0 = thread_cpu_time();
            let n = match which {
                0 => {
                    let mut responder_cpu = Duration::ZERO;
                    for _ in 0..batch {
                        responder_cpu += black_box(iomt_handshake(&mut iomt)).1;
                    }
                    responder.push(responder_cpu.as_secs_f64() * 1e6 / batch as f64);
                    batch
                }
                1 => {
                    for _ in 0..batch {
                        black_box(lakers.handshake());
                    }
                    batch
                }
                2 => {
                    for _ in 0..mul_batch {
                        black_box(p256_14_mul(black_box(&k14), black_box(&p14)));
                    }
                    mul_batch
                }
                4 => {
                    for _ in 0..mul_batch {
                        black_box(
                            prov.p256_ecdh_ephemeral(black_box(&eph), black_box(&peer))
                                .unwrap(),
                        );
                    }
                    mul_batch
                }
                _ => {
                    for _ in 0..mul_batch {
                        black_box(p256_13_mul(black_box(&k13), black_box(&p13)));
                    }
                    mul_batch
                }
            };
            let dt = thread_cpu_time() - t0;
            s.push(dt.as_secs_f64() * 1e6 / n as f64);
        }
    }
    let med: Vec<f64> = samples.iter_mut().map(|s| median(s)).collect();
    for (name, m) in names.iter().zip(&med) {
        println!("{name:>18}: {m:10.1} µs (median of {rounds} batches)");
    }
    let resp = median(&mut responder);
    println!(
        "iomt responder side: {resp:.1} µs CPU per handshake = {:.0} responder handshakes/s/core",
        1e6 / resp
    );
    let hs_ratio = med[0] / med[1];
    let mul_ratio = med[2] / med[3];
    println!("handshake iomt/lakers = {hs_ratio:.3}; scalar mul p256 0.14/0.13 = {mul_ratio:.3}");
    println!(
        "RESULT rounds={rounds} batch={batch} iomt_us={:.1} lakers_us={:.1} ratio={hs_ratio:.3} mul14_us={:.1} mul13_us={:.1} mul_ratio={mul_ratio:.3} iomt_ecdh_us={:.1} responder_us={resp:.1} responder_per_s={:.0}",
        med[0],
        med[1],
        med[2],
        med[3],
        med[4],
        1e6 / resp
    );
}
