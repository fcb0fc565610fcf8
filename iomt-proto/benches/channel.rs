//! Per-frame cost of the channel against the bare AEAD on the same payload bytes, frame
//! overhead, and the size of an established session.
//!
//! `cargo bench -p iomt-proto --bench channel -- --warm-up-time 1 --measurement-time 3`
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![expect(clippy::unwrap_used, reason = "benchmark setup on known-good inputs")]

use core::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use iomt_core::{
    Action, ActionSet, ConsentRef, ConsentTag, DataClass, DataClassSet, MAX_CONSENT_TAG_LEN,
    Purpose, PurposeSet, Role, RoleSet, Timestamp,
};
use iomt_crypto::{AeadAlgorithm, AeadKey, RustCryptoProvider, prelude::*};
use iomt_proto::{Channel, ExportError, Side};

const SIZES: [usize; 4] = [16, 64, 256, 1024];
const ALGS: [(&str, AeadAlgorithm); 2] = [
    ("chacha20poly1305", AeadAlgorithm::ChaCha20Poly1305),
    ("aesccm16_64_128", AeadAlgorithm::AesCcm16_64_128),
];

fn exporter(label: u16, context: &[u8], out: &mut [u8]) -> Result<(), ExportError> {
    let mut p = RustCryptoProvider::with_os_rng();
    let prk = iomt_crypto::Prk::from_bytes([0x42; 32]);
    let mut info = label.to_be_bytes().to_vec();
    info.extend_from_slice(context);
    p.hkdf_sha256_expand(&prk, &info, out)
        .map_err(|_| ExportError)
}

fn consent_tag() -> Vec<u8> {
    let tag = ConsentTag::permit(
        ConsentRef([7; 32]),
        3,
        Timestamp::from_secs(1_800_000_000),
        Timestamp::from_secs(1_831_536_000),
    )
    .with_purposes(PurposeSet::only(Purpose::Treatment))
    .with_roles(RoleSet::only(Role::Clinician))
    .with_actions(ActionSet::only(Action::Collect))
    .with_classes(DataClassSet::only(DataClass::Vitals));
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let n = tag.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

fn seal_open(c: &mut Criterion) {
    let mut crypto = RustCryptoProvider::with_os_rng();
    for (name, alg) in ALGS {
        let mut g = c.benchmark_group(format!("seal_open/{name}"));
        for size in SIZES {
            g.throughput(Throughput::Bytes(size as u64));
            let payload = vec![0xA5u8; size];
            let mut buf = vec![0u8; size + 32];

            let key = AeadKey::new(alg, &[0x11; 32][..alg.key_len()]).unwrap();
            let nonce = [0x22u8; 13];
            let nonce = &nonce[..alg.nonce_len()];
            let mut tag = [0u8; 16];
            let tag = &mut tag[..alg.tag_len()];
            g.bench_with_input(BenchmarkId::new("bare_aead", size), &size, |b, _| {
                b.iter(|| {
                    let data = &mut buf[..size];
                    data.copy_from_slice(&payload);
                    crypto.aead_seal(alg, &key, nonce, &[], data, tag).unwrap();
                    crypto
                        .aead_open(alg, &key, nonce, &[], black_box(data), tag)
                        .unwrap();
                });
            });

            let mut tx: Channel =
                Channel::new(&mut crypto, &mut exporter, alg, Side::Initiator, 1).unwrap();
            let mut rx: Channel =
                Channel::new(&mut crypto, &mut exporter, alg, Side::Responder, 1).unwrap();
            g.bench_with_input(BenchmarkId::new("channel", size), &size, |b, _| {
                b.iter(|| {
                    let n = tx.seal_data(&mut crypto, None, &payload, &mut buf).unwrap();
                    let o = rx.open(&mut crypto, black_box(&mut buf[..n])).unwrap();
                    black_box(o.payload.len());
                });
            });

            if size == 64 {
                let mut tx: Channel =
                    Channel::new(&mut crypto, &mut exporter, alg, Side::Initiator, 1).unwrap();
                let mut rx: Channel =
                    Channel::new(&mut crypto, &mut exporter, alg, Side::Responder, 1).unwrap();
                let mut scratch = [0u8; 256];
                let n = rx
                    .send_consent(&mut crypto, 1, &consent_tag(), &mut scratch)
                    .unwrap();
                tx.open(&mut crypto, &mut scratch[..n]).unwrap();
                g.bench_with_input(
                    BenchmarkId::new("channel_with_consent", size),
                    &size,
                    |b, _| {
                        b.iter(|| {
                            let n = tx
                                .seal_data(&mut crypto, Some(1), &payload, &mut buf)
                                .unwrap();
                            let o = rx.open(&mut crypto, black_box(&mut buf[..n])).unwrap();
                            black_box(o.payload.len());
                        });
                    },
                );
            }
        }
        g.finish();
    }
}

fn report_sizes(_: &mut Criterion) {
    let mut crypto = RustCryptoProvider::with_os_rng();
    for (name, alg) in ALGS {
        let mut ch: Channel =
            Channel::new(&mut crypto, &mut exporter, alg, Side::Initiator, 1).unwrap();
        let mut buf = [0u8; 128];
        let first = ch.seal_data(&mut crypto, None, &[], &mut buf).unwrap();
        println!(
            "overhead/{name}: {first} bytes per frame at seq < 256 (header 4 + tag {}), max {}",
            alg.tag_len(),
            7 + alg.tag_len()
        );
    }
    println!(
        "size_of Channel<64, 4> = {} B (of which consent slots {} B); Channel<64, 0> = {} B; \
         Channel<32, 0> = {} B",
        size_of::<Channel<64, 4>>(),
        size_of::<iomt_proto::consent::ConsentSlots<4>>(),
        size_of::<Channel<64, 0>>(),
        size_of::<Channel<32, 0>>(),
    );
}

/// Interleaved A/B timing (bare AEAD, channel) so that load from other processes hits
/// both alike; prints the median per-frame time of each and their ratio. Runs even when
/// a filter excludes the criterion benchmarks (e.g. `-- ratio_only`).
fn interleaved_ratio(_: &mut Criterion) {
    use std::time::Instant;
    const ROUNDS: usize = 41;
    const ITERS: u32 = 2000;
    let mut crypto = RustCryptoProvider::with_os_rng();
    for (name, alg) in ALGS {
        for size in SIZES {
            let payload = vec![0xA5u8; size];
            let mut buf = vec![0u8; size + 32];
            let key = AeadKey::new(alg, &[0x11; 32][..alg.key_len()]).unwrap();
            let nonce = [0x22u8; 13];
            let nonce = &nonce[..alg.nonce_len()];
            let mut tag = [0u8; 16];
            let tag = &mut tag[..alg.tag_len()];
            let mut tx: Channel =
                Channel::new(&mut crypto, &mut exporter, alg, Side::Initiator, 1).unwrap();
            let mut rx: Channel =
                Channel::new(&mut crypto, &mut exporter, alg, Side::Responder, 1).unwrap();
            let (mut bare, mut chan) = (Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                let t = Instant::now();
                for _ in 0..ITERS {
                    let data = &mut buf[..size];
                    data.copy_from_slice(&payload);
                    crypto.aead_seal(alg, &key, nonce, &[], data, tag).unwrap();
                    crypto
                        .aead_open(alg, &key, nonce, &[], black_box(data), tag)
                        .unwrap();
                }
                bare.push(t.elapsed().as_nanos() as f64 / f64::from(ITERS));
                let t = Instant::now();
                for _ in 0..ITERS {
                    let n = tx.seal_data(&mut crypto, None, &payload, &mut buf).unwrap();
                    let o = rx.open(&mut crypto, black_box(&mut buf[..n])).unwrap();
                    black_box(o.payload.len());
                }
                chan.push(t.elapsed().as_nanos() as f64 / f64::from(ITERS));
            }
            bare.sort_by(f64::total_cmp);
            chan.sort_by(f64::total_cmp);
            let (b, c) = (bare[ROUNDS / 2], chan[ROUNDS / 2]);
            println!(
                "ratio/{name}/{size}: bare {b:.0} ns, channel {c:.0} ns (seal+open), channel/bare = {:.2}",
                c / b
            );
        }
    }
}

criterion_group!(benches, report_sizes, interleaved_ratio, seal_open);
criterion_main!(benches);
