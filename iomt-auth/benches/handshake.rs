//! Full EDHOC handshakes (initiator + responder, messages 1–3, both sides complete) per
//! method × suite, next to the same handshake's P-256 operations alone (its EC floor).
//!
//! `cargo bench -p iomt-auth --bench handshake -- --warm-up-time 1 --measurement-time 5`
//! The ratio handshake / ec_floor is the protocol overhead (goal ≤ 1.10).
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![expect(clippy::unwrap_used, reason = "benchmark setup on known-good inputs")]

use core::hint::black_box;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use iomt_auth::edhoc::Method;
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{PublicKey, RustCryptoProvider, StaticKey, prelude::*};
use iomt_testkit::clock::no_clock;
use iomt_testkit::provider_pair::ProviderPair;
use iomt_testkit::rfc9529::{SK_I, SK_R, h};

type P = RustCryptoProvider<OsRng>;

/// The static keys `ec_floor` uses (the handshake's own are inside its `ProviderPair`).
struct Fixture {
    sk_i: StaticKey,
    sk_r: StaticKey,
}

/// One full handshake (the RFC 9529 set-up shared with the aws-lc responder bench):
/// messages 1–3, both sides complete, exporter compared.
fn handshake(pair: &mut ProviderPair<P, P>, method: Method, suite: u8) -> [u8; 16] {
    pair.handshake(method, suite, no_clock).0
}

/// The P-256 operations of one handshake of `method`, nothing else.
fn ec_floor(c: &mut P, f: &Fixture, method: Method, g_i: &PublicKey, g_r: &PublicKey) {
    let (x, g_x) = c.p256_generate_ephemeral().unwrap();
    let (y, g_y) = c.p256_generate_ephemeral().unwrap();
    black_box(c.p256_ecdh_ephemeral(&y, &g_x).unwrap());
    black_box(c.p256_ecdh_ephemeral(&x, &g_y).unwrap());
    let digest = [7u8; 32];
    if method.responder_static() {
        black_box(c.p256_ecdh_static(&f.sk_r, &g_x).unwrap());
        black_box(c.p256_ecdh_ephemeral(&x, g_r).unwrap());
    } else {
        let s = c.ecdsa_p256_sign_digest(&f.sk_r, &digest).unwrap();
        c.ecdsa_p256_verify_digest(g_r, &digest, &s).unwrap();
    }
    if method.initiator_static() {
        black_box(c.p256_ecdh_static(&f.sk_i, &g_y).unwrap());
        black_box(c.p256_ecdh_ephemeral(&y, g_i).unwrap());
    } else {
        let s = c.ecdsa_p256_sign_digest(&f.sk_i, &digest).unwrap();
        c.ecdsa_p256_verify_digest(g_i, &digest, &s).unwrap();
    }
}

fn benches(crit: &mut Criterion) {
    let f = Fixture {
        sk_i: StaticKey::from_bytes(&h(SK_I)).unwrap(),
        sk_r: StaticKey::from_bytes(&h(SK_R)).unwrap(),
    };
    let g_i = *f.sk_i.public_key();
    let g_r = *f.sk_r.public_key();
    let mut c = RustCryptoProvider::with_os_rng();
    let mut pair = ProviderPair::new(
        RustCryptoProvider::with_os_rng(),
        RustCryptoProvider::with_os_rng(),
    );
    let mut g = crit.benchmark_group("edhoc");
    g.sample_size(20);
    for method in Method::ALL {
        for suite in [2u8, 5] {
            let id = format!("method{}_suite{}", method.id(), suite);
            g.bench_with_input(
                BenchmarkId::new("handshake", &id),
                &(method, suite),
                |b, &(m, s)| {
                    b.iter(|| handshake(&mut pair, m, s));
                },
            );
            g.bench_with_input(BenchmarkId::new("ec_floor", &id), &method, |b, &m| {
                b.iter(|| ec_floor(&mut c, &f, m, &g_i, &g_r));
            });
        }
    }
    g.finish();
}

criterion_group!(group, benches);
criterion_main!(group);
