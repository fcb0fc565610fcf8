//! Consent verification costs on the host: `ConsentVerifier::verify` of a signed,
//! bound version-2 tag (strict decode, SHA-256, ES256 verify, binding and freshness
//! checks) once per session, and `check_frame` (byte comparison + freshness) per data
//! frame.
//!
//! `cargo bench -p iomt-auth --bench consent -- --warm-up-time 1 --measurement-time 3`
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![expect(clippy::unwrap_used, reason = "benchmark setup on known-good inputs")]

use core::hint::black_box;
use criterion::{Criterion, criterion_group, criterion_main};
use iomt_auth::audit::subject_of;
use iomt_auth::consent::{ConsentAuthority, ConsentVerifier, Expected, sign_tag};
use iomt_auth::cred::PeerIdentity;
use iomt_core::{
    Action, ActionSet, ConsentRef, ConsentTag, DataClass, DataClassSet, DeviceRef,
    MAX_CONSENT_TAG_LEN, PatientId, Purpose, PurposeSet, Role, RoleSet, Timestamp,
};
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{RustCryptoProvider, prelude::*};

type P = RustCryptoProvider<OsRng>;

fn bench(c: &mut Criterion) {
    let mut p = P::new(OsRng);
    let key = p.p256_import_key(&[0x11; 32]).unwrap();
    let pk = p.p256_public_key(&key).unwrap();
    let authority = ConsentAuthority::new(&mut p, pk).unwrap();
    let peer = PeerIdentity::from_slice(b"dev-000");
    let patient = PatientId::new(&[7; 8]).unwrap();
    let now = Timestamp::from_secs(1_800_000_000);
    let tag = ConsentTag::permit(
        ConsentRef([3; 32]),
        1,
        Timestamp::from_secs(1_700_000_000),
        Timestamp::from_secs(1_900_000_000),
    )
    .with_purposes(PurposeSet::only(Purpose::Treatment).with(Purpose::Research))
    .with_roles(RoleSet::only(Role::Clinician).with(Role::Researcher))
    .with_actions(ActionSet::only(Action::Access).with(Action::Use))
    .with_classes(DataClassSet::only(DataClass::Vitals))
    .bound_to(patient.clone(), DeviceRef(subject_of(&mut p, &peer.0)));
    let signed = sign_tag(&mut p, &key, &authority.key_id, tag).unwrap();
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let n = signed.encode(&mut buf).unwrap();
    let encoded = &buf[..n];
    let mut v: ConsentVerifier = ConsentVerifier::new();
    v.add_authority(authority).unwrap();
    let expected = Expected::peer(&mut p, &peer, &patient);
    c.bench_function("consent/verify signed v2 tag (142 B)", |b| {
        b.iter(|| v.verify(&mut p, black_box(encoded), expected, now).unwrap());
    });
    let verified = v.verify(&mut p, encoded, expected, now).unwrap();
    c.bench_function("consent/check_frame", |b| {
        b.iter(|| v.check_frame(&verified, black_box(encoded), now).unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
