//! Revocation costs on the host: installing a full signed list (ES256 verify + strict
//! decode) and the per-handshake lookup against it (SHA-256 of CRED_x + binary search).
//!
//! `cargo bench -p iomt-auth --bench revocation -- --warm-up-time 1 --measurement-time 3`
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![expect(clippy::unwrap_used, reason = "benchmark setup on known-good inputs")]

use core::hint::black_box;
use criterion::{Criterion, criterion_group, criterion_main};
use iomt_auth::cred::revocation::{MAX_LIST_LEN, MAX_REVOKED};
use iomt_auth::cred::{
    IdCred, PeerIdentity, RevocationList, RevocationState, RevokingTrustStore, RoleSet,
    StaticTrustStore, TrustEntry, lookup,
};
use iomt_core::Timestamp;
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{RustCryptoProvider, prelude::*};

type P = RustCryptoProvider<OsRng>;

fn bench(c: &mut Criterion) {
    let mut p = P::new(OsRng);
    let key = p.p256_import_key(&[0x11; 32]).unwrap();
    let pk = p.p256_public_key(&key).unwrap();
    let mut list = RevocationList::new(2, Timestamp::from_secs(1_800_000_000));
    for i in 0..MAX_REVOKED {
        list.revoke(&[u8::try_from(i).unwrap(); 32]).unwrap();
    }
    let mut signed = [0u8; MAX_LIST_LEN];
    let n = list.sign(&mut p, &key, &mut signed).unwrap();
    c.bench_function("revocation/install full list (32 entries)", |b| {
        b.iter(|| {
            let mut st = RevocationState::new();
            st.install(&mut p, black_box(&signed[..n]), &pk).unwrap()
        });
    });
    let mut st = RevocationState::new();
    st.install(&mut p, &signed[..n], &pk).unwrap();
    let cred = [0xa5u8; 95]; // a CCS-sized credential (the lookup only hashes it)
    let inner = StaticTrustStore::new([TrustEntry {
        kid: &[0x32],
        cred: &cred,
        identity: PeerIdentity::default(),
        roles: RoleSet::EMPTY,
    }]);
    let store = RevokingTrustStore::new(&inner, &st);
    c.bench_function("revocation/lookup (not revoked, 32-entry list)", |b| {
        b.iter(|| lookup(&mut p, &store, black_box(&IdCred::Kid(&[0x32]))).unwrap());
    });
    c.bench_function("revocation/lookup without a list", |b| {
        b.iter(|| lookup(&mut p, &inner, black_box(&IdCred::Kid(&[0x32]))).unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
