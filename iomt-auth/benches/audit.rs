//! AAA costs on the host: audit append, signed export + gateway verification, the
//! operator-factor check, manifest verification and streaming image digest.
//!
//! `cargo bench -p iomt-auth --bench audit -- --warm-up-time 1 --measurement-time 3`
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![expect(clippy::unwrap_used, reason = "benchmark setup on known-good inputs")]

use core::hint::black_box;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iomt_auth::audit::{
    AuditEvent, AuditLog, CHALLENGE_LEN, Detail, ExportChunk, ExportVerifier, Outcome,
    RamAuditStore, SUMMARY_LEN,
};
use iomt_auth::factor::{FactorTag, FactorVerifier, LockoutPolicy, PinVerifier, RamFactorStore};
use iomt_auth::update::{MAX_ENVELOPE_LEN, Manifest, VendorAnchor, VerifiedManifest};
use iomt_core::Timestamp;
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{RustCryptoProvider, Sha256State, prelude::*};

type P = RustCryptoProvider<OsRng>;

fn bench(c: &mut Criterion) {
    let mut p = P::new(OsRng);
    let key = p.p256_import_key(&[0x11; 32]).unwrap();
    let pk = p.p256_public_key(&key).unwrap();
    let t = Timestamp::from_secs(1_800_000_000);

    let mut log = AuditLog::open(&mut p, RamAuditStore::<64>::new(), [1; 8]).unwrap();
    c.bench_function("audit/append", |b| {
        b.iter(|| {
            log.append(
                &mut p,
                t,
                AuditEvent::KeyUpdate,
                Outcome::Success,
                [2; 8],
                Detail::NONE,
            )
            .unwrap()
        });
    });

    // full export of 64 records (summary signed) and the gateway's verification; the ring
    // is filled first (a `cargo test --benches` run appends only once above)
    for _ in 0..64 {
        log.append(
            &mut p,
            t,
            AuditEvent::KeyUpdate,
            Outcome::Success,
            [2; 8],
            Detail::NONE,
        )
        .unwrap();
    }
    let ch = [7u8; CHALLENGE_LEN];
    let mut summary = [0u8; SUMMARY_LEN];
    let mut records = vec![0u8; 7 + 64 * 38];
    c.bench_function("audit/export_64_sign", |b| {
        b.iter(|| {
            log.export_summary(&mut p, &key, &ch, t, &mut summary)
                .unwrap();
            let first = log.first_seq();
            log.export_records(first, first + 64, 64, &mut records)
                .unwrap()
        });
    });
    c.bench_function("audit/verify_export_64", |b| {
        b.iter(|| {
            let ExportChunk::Summary(s) = ExportChunk::decode(&summary).unwrap() else {
                unreachable!()
            };
            let mut v = ExportVerifier::new(&mut p, &s, &pk, Some([1; 8]), None, &ch).unwrap();
            let ExportChunk::Records(r) = ExportChunk::decode(&records).unwrap() else {
                unreachable!()
            };
            v.feed(&mut p, &r).unwrap();
            black_box(v.finish().unwrap())
        });
    });

    let v = PinVerifier::derive(&mut p, b"pump-0042", b"482916").unwrap();
    let th = [0x3a; 32];
    let tag = FactorTag::compute(&mut p, &v, &th);
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    c.bench_function("factor/verify_ok_with_audit", |b| {
        b.iter(|| {
            fv.verify(&mut p, &mut log, &v, &th, Some(&tag), [3; 8], t)
                .unwrap()
        });
    });

    let image = vec![0x5au8; 64 * 1024];
    let m = Manifest {
        vendor_id: 32473,
        device_class: 7,
        version: 2,
        min_version: 1,
        image_size: u32::try_from(image.len()).unwrap(),
        digest: p.sha256(&image),
    };
    let mut env = [0u8; MAX_ENVELOPE_LEN];
    let n = m.sign(&mut p, &key, &mut env).unwrap();
    let anchor = VendorAnchor {
        vendor_id: 32473,
        device_class: 7,
        key: pk,
    };
    c.bench_function("update/verify_manifest", |b| {
        b.iter(|| VerifiedManifest::verify(&mut p, black_box(&env[..n]), &anchor).unwrap());
    });
    let mut g = c.benchmark_group("update");
    g.throughput(Throughput::Bytes(image.len() as u64));
    g.bench_function("stream_digest_64KiB", |b| {
        b.iter(|| {
            let mut h = p.sha256_start();
            for ch in image.chunks(512) {
                h.update(ch);
            }
            black_box(h.finalize())
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
