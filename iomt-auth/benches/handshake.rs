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
use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    AfterMessage3, ConnId, EadLabels, Initiator, InitiatorConfig, Method, Responder,
    ResponderConfig,
};
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{PublicKey, RustCryptoProvider, StaticKey, prelude::*};
use iomt_testkit::rfc9529::{CRED_I, CRED_R, SK_I, SK_R, h};

type P = RustCryptoProvider<OsRng>;

struct Fixture {
    sk_i: StaticKey,
    sk_r: StaticKey,
    cred_i: Vec<u8>,
    cred_r: Vec<u8>,
}

fn handshake(c: &mut P, f: &Fixture, method: Method, suite: u8) -> [u8; 16] {
    let me_i = LocalCredential {
        key: &f.sk_i,
        cred: &f.cred_i,
        id_cred: IdCred::Kid(&[0x2b]),
    };
    let me_r = LocalCredential {
        key: &f.sk_r,
        cred: &f.cred_r,
        id_cred: IdCred::Kid(&[0x32]),
    };
    let store_i = StaticTrustStore::new([TrustEntry {
        kid: &[0x32],
        cred: &f.cred_r,
        identity: PeerIdentity::default(),
        roles: RoleSet::EMPTY,
    }]);
    let store_r = StaticTrustStore::new([TrustEntry {
        kid: &[0x2b],
        cred: &f.cred_i,
        identity: PeerIdentity::default(),
        roles: RoleSet::EMPTY,
    }]);
    let suites = [suite];
    let i = Initiator::<P>::new(&InitiatorConfig {
        method,
        suites: &suites,
        c_i: ConnId::new(&[0x37]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let r = Responder::<P>::new(&ResponderConfig {
        suites: &[2, 5],
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let (mut a, mut b) = ([0u8; 160], [0u8; 160]);
    let (i, n) = i.prepare_message_1(c, &[], &mut a).unwrap();
    let (r, n) = r
        .process_message_1(c, &a[..n])
        .unwrap()
        .prepare_message_2(c, &me_r, &[], &mut b)
        .unwrap();
    let i = i
        .parse_message_2(c, &mut b[..n])
        .unwrap()
        .verify_with_store(c, &store_i)
        .unwrap();
    let (AfterMessage3::Completed(mut di), n) = i.prepare_message_3(c, &me_i, &[], &mut a).unwrap()
    else {
        unreachable!()
    };
    let mut dr = r
        .parse_message_3(c, &mut a[..n])
        .unwrap()
        .verify_with_store(c, &store_r)
        .unwrap()
        .complete(c)
        .unwrap();
    let mut k = [0u8; 16];
    di.exporter(c, 0x8002, &[], &mut k).unwrap();
    dr.exporter(c, 0x8002, &[], &mut k).unwrap();
    k
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
        cred_i: h(CRED_I),
        cred_r: h(CRED_R),
    };
    let g_i = *f.sk_i.public_key();
    let g_r = *f.sk_r.public_key();
    let mut c = RustCryptoProvider::with_os_rng();
    let mut g = crit.benchmark_group("edhoc");
    g.sample_size(20);
    for method in Method::ALL {
        for suite in [2u8, 5] {
            let id = format!("method{}_suite{}", method.id(), suite);
            g.bench_with_input(
                BenchmarkId::new("handshake", &id),
                &(method, suite),
                |b, &(m, s)| {
                    b.iter(|| handshake(&mut c, &f, m, s));
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
