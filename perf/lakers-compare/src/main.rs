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

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    AfterMessage3, ConnId, EadLabels, Initiator, InitiatorConfig, Method, Responder,
    ResponderConfig,
};
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{CryptoProvider as _, RustCryptoProvider, StaticKey};
use lakers::{
    Credential, CredentialTransfer, EDHOCMethod, EDHOCSuite, EdhocInitiator, EdhocResponder,
    credential_check_or_fetch,
};

// RFC 9529 §3 credentials and static keys (both libraries' test vectors).
const CRED_I: &str = "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
const SK_I: &str = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
const SK_R: &str = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant of libc.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

type P = RustCryptoProvider<OsRng>;

struct Iomt {
    /// CPU time spent in the responder's calls (gateway side), accumulated.
    responder_cpu: Duration,
    c: P,
    sk_i: StaticKey,
    sk_r: StaticKey,
    cred_i: Vec<u8>,
    cred_r: Vec<u8>,
}

impl Iomt {
    fn handshake(&mut self) -> [u8; 16] {
        let c = &mut self.c;
        let me_i = LocalCredential {
            key: &self.sk_i,
            cred: &self.cred_i,
            id_cred: IdCred::Kid(&[0x2b]),
        };
        let me_r = LocalCredential {
            key: &self.sk_r,
            cred: &self.cred_r,
            id_cred: IdCred::Kid(&[0x32]),
        };
        let store_i = StaticTrustStore::new([TrustEntry {
            kid: &[0x32],
            cred: &self.cred_r,
            identity: PeerIdentity::default(),
            roles: RoleSet::EMPTY,
        }]);
        let store_r = StaticTrustStore::new([TrustEntry {
            kid: &[0x2b],
            cred: &self.cred_i,
            identity: PeerIdentity::default(),
            roles: RoleSet::EMPTY,
        }]);
        let i = Initiator::<P>::new(&InitiatorConfig {
            method: Method::StatStat,
            suites: &[2],
            c_i: ConnId::new(&[0x37]).unwrap(),
            expect_message_4: false,
            ead_labels: EadLabels::NONE,
        })
        .unwrap();
        let r = Responder::<P>::new(&ResponderConfig {
            suites: &[2],
            methods: &[Method::StatStat],
            c_r: ConnId::new(&[0x27]).unwrap(),
            send_message_4: false,
            ead_labels: EadLabels::NONE,
        })
        .unwrap();
        let (mut a, mut b) = ([0u8; 160], [0u8; 160]);
        let (i, n) = i.prepare_message_1(c, &[], &mut a).unwrap();
        let t0 = thread_cpu_time();
        let (r, n) = r
            .process_message_1(c, &a[..n])
            .unwrap()
            .prepare_message_2(c, &me_r, &[], &mut b)
            .unwrap();
        let mut responder = thread_cpu_time() - t0;
        let i = i
            .parse_message_2(c, &mut b[..n])
            .unwrap()
            .verify_with_store(c, &store_i)
            .unwrap();
        let (AfterMessage3::Completed(mut di), n) =
            i.prepare_message_3(c, &me_i, &[], &mut a).unwrap()
        else {
            unreachable!()
        };
        let t0 = thread_cpu_time();
        let mut dr = r
            .parse_message_3(c, &mut a[..n])
            .unwrap()
            .verify_with_store(c, &store_r)
            .unwrap()
            .complete(c)
            .unwrap();
        let (mut ki, mut kr) = ([0u8; 16], [0u8; 16]);
        dr.exporter(c, 0, &[], &mut kr).unwrap();
        responder += thread_cpu_time() - t0;
        self.responder_cpu += responder;
        di.exporter(c, 0, &[], &mut ki).unwrap();
        assert_eq!(ki, kr);
        ki
    }
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
            self.cred_r.clone(),
        );
        let (initiator, message_1) = initiator.prepare_message_1(None, &None).unwrap();
        let (responder, _c_i, _ead_1) = responder.process_message_1(&message_1).unwrap();
        let (responder, message_2) = responder
            .prepare_message_2(CredentialTransfer::ByReference, None, &None)
            .unwrap();
        let (mut initiator, _c_r, id_cred_r, _ead_2) =
            initiator.parse_message_2(&message_2).unwrap();
        let valid_cred_r = credential_check_or_fetch(Some(self.cred_r.clone()), id_cred_r).unwrap();
        initiator
            .set_identity(self.sk_i, self.cred_i.clone())
            .unwrap();
        let initiator = initiator.verify_message_2(valid_cred_r).unwrap();
        let (initiator, message_3, _) = initiator
            .prepare_message_3(CredentialTransfer::ByReference, &None)
            .unwrap();
        let (responder, id_cred_i, _ead_3) = responder.parse_message_3(&message_3).unwrap();
        let valid_cred_i = credential_check_or_fetch(Some(self.cred_i.clone()), id_cred_i).unwrap();
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

    let mut iomt = Iomt {
        responder_cpu: Duration::ZERO,
        c: RustCryptoProvider::with_os_rng(),
        sk_i: StaticKey::from_bytes(&h(SK_I)).unwrap(),
        sk_r: StaticKey::from_bytes(&h(SK_R)).unwrap(),
        cred_i: h(CRED_I),
        cred_r: h(CRED_R),
    };
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
        black_box(iomt.handshake());
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
                    let r0 = iomt.responder_cpu;
                    for _ in 0..batch {
                        black_box(iomt.handshake());
                    }
                    responder.push((iomt.responder_cpu - r0).as_secs_f64() * 1e6 / batch as f64);
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
