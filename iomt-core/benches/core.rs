//! Host benchmarks of the per-frame / per-request data-model operations.
//!
//! `cargo bench -p iomt-core --bench core -- --warm-up-time 1 --measurement-time 3`
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![expect(clippy::unwrap_used, reason = "benchmark setup on known-good inputs")]

use core::hint::black_box;
use criterion::{Criterion, criterion_group, criterion_main};
use iomt_core::*;

fn batch() -> VitalBatch<16> {
    let mut b = VitalBatch::<16>::new();
    let ts = TimestampMs::from_millis(1_800_000_000_000);
    for i in 0..16u32 {
        let r = Reading::new(
            VitalKind::HeartRate,
            SFloat::from_decimal(60 + i32::try_from(i).unwrap(), 0).unwrap(),
            Unit::BeatsPerMinute,
            ts,
            i,
        )
        .unwrap();
        b.push(r).unwrap();
    }
    b
}

fn tag() -> ConsentTag {
    ConsentTag::permit(
        ConsentRef([0xA5; 32]),
        3,
        Timestamp::from_secs(1_800_000_000),
        Timestamp::from_secs(1_831_536_000),
    )
    .with_purposes(PurposeSet::only(Purpose::Treatment).with(Purpose::EmergencyTreatment))
    .with_roles(RoleSet::only(Role::Clinician).with(Role::Nurse))
    .with_actions(ActionSet::only(Action::Access))
    .with_classes(DataClassSet::only(DataClass::Vitals))
    .with_break_glass(true)
}

fn payloads(c: &mut Criterion) {
    let b = batch();
    let mut buf = [0u8; VitalBatch::<16>::MAX_ENCODED_LEN];
    let n = b.encode(&mut buf).unwrap();
    let mut g = c.benchmark_group("payload");
    g.bench_function("vital_batch16_encode", |bench| {
        bench.iter(|| black_box(&b).encode(&mut buf).unwrap())
    });
    let bytes = buf[..n].to_vec();
    g.bench_function("vital_batch16_decode", |bench| {
        bench.iter(|| VitalBatch::<16>::decode(black_box(&bytes)).unwrap())
    });
    g.bench_function("sfloat_from_f64", |bench| {
        bench.iter(|| SFloat::from_f64(black_box(36.64), 1).unwrap())
    });
    g.finish();
}

fn consent(c: &mut Criterion) {
    let t = tag();
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let n = t.encode(&mut buf).unwrap();
    let bytes = buf[..n].to_vec();
    let req = AccessRequest {
        role: Role::Nurse,
        purpose: Purpose::Treatment,
        action: Action::Access,
        class: DataClass::Vitals,
        now: Timestamp::from_secs(1_810_000_000),
        latest_revision: Some(3),
    };
    let mut g = c.benchmark_group("consent");
    g.bench_function("tag_encode", |bench| {
        bench.iter(|| black_box(&t).encode(&mut buf).unwrap())
    });
    g.bench_function("tag_decode_strict", |bench| {
        bench.iter(|| ConsentTag::decode(black_box(&bytes)).unwrap())
    });
    g.bench_function("evaluate", |bench| {
        bench.iter(|| evaluate(black_box(&t), black_box(&req)))
    });
    g.finish();
}

criterion_group!(benches, payloads, consent);
criterion_main!(benches);
