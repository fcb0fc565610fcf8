//! Host benchmarks of every primitive of the RustCrypto provider.
//!
//! `cargo bench -p iomt-crypto -- --warm-up-time 1 --measurement-time 3`
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![expect(clippy::unwrap_used, reason = "benchmark setup on known-good inputs")]

use core::hint::black_box;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{
    AeadAlgorithm, AeadKey, PublicKey, RustCryptoProvider, Sha256State, StaticKey, prelude::*,
};

fn provider() -> RustCryptoProvider<OsRng> {
    RustCryptoProvider::with_os_rng()
}

fn p256(c: &mut Criterion) {
    let mut p = provider();
    let mut g = c.benchmark_group("p256");
    g.bench_function("keygen", |b| {
        b.iter(|| p.p256_generate_ephemeral().unwrap())
    });
    let (eph, _) = p.p256_generate_ephemeral().unwrap();
    let (_, peer) = p.p256_generate_ephemeral().unwrap();
    g.bench_function("ecdh_ephemeral", |b| {
        b.iter(|| p.p256_ecdh_ephemeral(&eph, black_box(&peer)).unwrap());
    });
    let key = StaticKey::generate(p.rng_mut()).unwrap();
    g.bench_function("ecdh_static", |b| {
        b.iter(|| p.p256_ecdh_static(&key, black_box(&peer)).unwrap());
    });
    let x = *peer.x();
    g.bench_function("parse_x_coordinate", |b| {
        b.iter(|| PublicKey::from_x_coordinate(black_box(&x)).unwrap());
    });
    let digest = p.sha256(b"message");
    g.bench_function("ecdsa_sign", |b| {
        b.iter(|| p.ecdsa_p256_sign_digest(&key, black_box(&digest)).unwrap());
    });
    let sig = p.ecdsa_p256_sign_digest(&key, &digest).unwrap();
    let public = *key.public_key();
    g.bench_function("ecdsa_verify", |b| {
        b.iter(|| {
            p.ecdsa_p256_verify_digest(&public, black_box(&digest), &sig)
                .unwrap();
        });
    });
    g.finish();
}

fn hashes(c: &mut Criterion) {
    let mut p = provider();
    let mut g = c.benchmark_group("sha256");
    for len in [64usize, 1024] {
        let data = vec![0xa5u8; len];
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("one_shot", len), &data, |b, d| {
            b.iter(|| p.sha256(black_box(d)));
        });
        g.bench_with_input(BenchmarkId::new("incremental", len), &data, |b, d| {
            b.iter(|| {
                let mut st = p.sha256_start();
                st.update(black_box(d));
                st.finalize()
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("hkdf_sha256");
    let ikm = [0x0bu8; 32];
    let salt = [0x42u8; 32];
    let info = [0x07u8; 40];
    g.bench_function("extract_expand_32", |b| {
        b.iter(|| {
            let prk = p.hkdf_sha256_extract(black_box(&salt), black_box(&ikm));
            let mut okm = [0u8; 32];
            p.hkdf_sha256_expand(&prk, &info, &mut okm).unwrap();
            okm
        });
    });
    g.finish();
}

fn aead(c: &mut Criterion) {
    let mut p = provider();
    for (name, alg) in [
        ("chacha20poly1305", AeadAlgorithm::ChaCha20Poly1305),
        ("aes_ccm_16_64_128", AeadAlgorithm::AesCcm16_64_128),
    ] {
        let mut g = c.benchmark_group(name);
        let key = AeadKey::new(alg, &[0x11; 32][..alg.key_len()]).unwrap();
        let nonce = vec![0x22u8; alg.nonce_len()];
        let aad = [0x33u8; 8];
        for len in [64usize, 1024] {
            g.throughput(Throughput::Bytes(len as u64));
            let mut buf = vec![0u8; len];
            let mut tag = vec![0u8; alg.tag_len()];
            g.bench_function(BenchmarkId::new("seal", len), |b| {
                b.iter(|| {
                    p.aead_seal(alg, &key, &nonce, &aad, black_box(&mut buf), &mut tag)
                        .unwrap();
                });
            });
            let pt = vec![0x44u8; len];
            let mut ct = pt.clone();
            p.aead_seal(alg, &key, &nonce, &aad, &mut ct, &mut tag)
                .unwrap();
            g.bench_function(BenchmarkId::new("open", len), |b| {
                b.iter(|| {
                    buf.copy_from_slice(&ct);
                    p.aead_open(alg, &key, &nonce, &aad, black_box(&mut buf), &tag)
                        .unwrap();
                });
            });
        }
        g.finish();
    }
}

criterion_group!(benches, p256, hashes, aead);
criterion_main!(benches);
