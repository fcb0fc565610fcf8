//! Signed update manifests: COSE_Sign1/ES256, streaming verification, anti-rollback,
//! authorization and audit. Each rejection has its own error.
#![expect(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    reason = "test helpers outside #[test] fns"
)]

use iomt_auth::audit::*;
use iomt_auth::factor::{
    FactorOutcome, FactorTag, FactorVerifier, LockoutPolicy, PinVerifier, RamFactorStore,
};
use iomt_auth::rbac::{RbacDenyReason, RbacPolicy, RedeemedPermit, SessionAuth};
use iomt_auth::update::*;
use iomt_core::{Operation, Role, RoleSet, Timestamp};
use iomt_crypto::{DeterministicProvider, RustCryptoSha256, Signature, StaticKey, prelude::*};
use proptest::prelude::*;
use sha2::{Digest as _, Sha256};

const VENDOR: u32 = 32473;
const CLASS: u32 = 7;
const T0: u64 = 1_800_000_000;

fn now() -> Timestamp {
    Timestamp::from_secs(T0)
}

struct Fx {
    c: DeterministicProvider,
    vendor: StaticKey,
    anchor: VendorAnchor,
    log: AuditLog<RamAuditStore<64>>,
    counter: RamRollbackCounter,
    tech: SessionAuth,
    image: Vec<u8>,
}

fn fx() -> Fx {
    let mut c = DeterministicProvider::new();
    let vendor = c.static_key(&[0x5e; 32]).unwrap();
    let anchor = VendorAnchor {
        vendor_id: VENDOR,
        device_class: CLASS,
        key: c.p256_public_key(&vendor).unwrap(),
    };
    let mut log = AuditLog::open(&mut c, RamAuditStore::new(), [0xd0; 8]).unwrap();
    let mut tech = SessionAuth::new(&mut c, b"tech-1", RoleSet::only(Role::Technician));
    let v = PinVerifier::derive(&mut c, b"pump", b"7788").unwrap();
    let tag = FactorTag::compute(&mut c, &v, &[1; 32]);
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    let r = fv.verify(
        &mut c,
        &mut log,
        &v,
        &[1; 32],
        Some(&tag),
        tech.subject(),
        now(),
    );
    tech.set_factor(FactorOutcome::from_result(r));
    let image: Vec<u8> = (0..5000u32).map(|i| (i * 7 + 3) as u8).collect();
    Fx {
        c,
        vendor,
        anchor,
        log,
        counter: RamRollbackCounter::new(0x0001_0000),
        tech,
        image,
    }
}

impl Fx {
    fn manifest(&mut self) -> Manifest {
        Manifest {
            vendor_id: VENDOR,
            device_class: CLASS,
            version: 0x0001_0100,
            min_version: 0x0001_0000,
            image_size: self.image.len() as u32,
            digest: self.c.sha256(&self.image),
        }
    }
    fn sign(&mut self, m: &Manifest) -> Vec<u8> {
        let mut out = vec![0u8; MAX_ENVELOPE_LEN];
        let n = m.sign(&mut self.c, &self.vendor, &mut out).unwrap();
        out.truncate(n);
        out
    }
    /// A fresh firmware-update permit of the technician's session, redeemed (permits are
    /// single-use).
    fn permit(&mut self) -> RedeemedPermit {
        let p = RbacPolicy::DEFAULT
            .authorize(
                &mut self.c,
                &mut self.log,
                &mut self.tech,
                Operation::FirmwareUpdate,
                now(),
            )
            .unwrap();
        self.tech.redeem(&mut self.c, p).unwrap()
    }
    fn begin(&mut self, env: &[u8]) -> Result<UpdateVerifier<RustCryptoSha256>, UpdateError> {
        let permit = self.permit();
        UpdateVerifier::begin(
            &mut self.c,
            &mut self.log,
            permit,
            &self.anchor,
            env,
            &mut self.counter,
            now(),
        )
    }
    fn run(
        &mut self,
        env: &[u8],
        image: &[u8],
        chunk: usize,
    ) -> Result<AcceptedUpdate, UpdateError> {
        let mut up = self.begin(env)?;
        for ch in image.chunks(chunk) {
            if up.update(ch).is_err() {
                break;
            }
        }
        up.finish(&mut self.c, &mut self.log, &mut self.counter, now())
    }
    fn last_record(&mut self) -> AuditRecord {
        let s = self.log.meta().next_seq - 1;
        self.log.read(s).unwrap()
    }
    /// Runs and checks the rejection is audited and the counter unmoved.
    fn rejected(&mut self, env: &[u8], image: &[u8]) -> UpdateError {
        let before = self.counter.value();
        let e = self.run(env, image, 512).unwrap_err();
        assert_eq!(self.counter.value(), before, "counter moved on {e:?}");
        let r = self.last_record();
        assert_eq!(
            (r.event, r.outcome),
            (AuditEvent::UpdateRejected, Outcome::Denied)
        );
        assert_eq!(r.detail.0[0], e.code());
        e
    }
}

#[test]
fn update_valid_is_accepted_audited_and_advances_counter() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let acc = f.run(&env, &img, 333).unwrap();
    assert_eq!(acc.manifest(), &m);
    assert_eq!(acc.previous_version(), 0x0001_0000);
    assert_eq!(f.counter.value(), 0x0001_0100);
    let r = f.log.read(acc.audit_seq()).unwrap();
    assert_eq!(
        (r.event, r.outcome, r.subject),
        (
            AuditEvent::UpdateAccepted,
            Outcome::Success,
            f.tech.subject()
        )
    );
    assert_eq!(&r.detail.0[..8], &[0, 1, 1, 0, 0, 1, 0, 0]);
    f.log.verify_stored(&mut f.c).unwrap();
    // the same envelope again is now "equal version"
    assert_eq!(f.rejected(&env, &img), UpdateError::SameVersion);
}

#[test]
fn update_envelope_layout_and_sig_structure_follow_rfc9052() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    assert_eq!(env.len(), 1 + 1 + 14 + 1 + 2 + m_len(&m) + 2 + 64);
    // 18([ h'a2 01 26 04 48 <kid>', {}, h'<manifest>', h'<sig>' ])
    assert_eq!(&env[..2], &[0xd2, 0x84]);
    assert_eq!(&env[2..8], &[0x4d, 0xa2, 0x01, 0x26, 0x04, 0x48]);
    let kid: [u8; 8] = Sha256::digest(f.anchor.key.to_sec1_uncompressed())[..8]
        .try_into()
        .unwrap();
    assert_eq!(&env[8..16], &kid);
    assert_eq!(key_id(&mut f.c, &f.anchor.key), kid);
    assert_eq!(env[16], 0xa0);
    let plen = env[18] as usize;
    assert_eq!(env[17], 0x58);
    let payload = &env[19..19 + plen];
    assert_eq!(Manifest::decode(payload).unwrap(), m);
    let sig = &env[19 + plen + 2..];
    assert_eq!(env[19 + plen], 0x58);
    assert_eq!(sig.len(), 64);
    // Sig_structure built by hand: ["Signature1", protected, h'', payload]
    let mut ss = vec![0x84, 0x6a];
    ss.extend_from_slice(b"Signature1");
    ss.push(0x4d);
    ss.extend_from_slice(&env[3..16]);
    ss.push(0x40);
    ss.extend_from_slice(&[0x58, plen as u8]);
    ss.extend_from_slice(payload);
    let digest: [u8; 32] = Sha256::digest(&ss).into();
    f.c.ecdsa_p256_verify_digest(&f.anchor.key, &digest, &Signature::from_bytes(sig).unwrap())
        .unwrap();
    // manifest payload bytes are exactly the deterministic map
    let mut expect = vec![
        0xa6, 0x01, 0x19, 0x7e, 0xd9, 0x02, 0x07, 0x03, 0x1a, 0x00, 0x01, 0x01, 0x00,
    ];
    expect.extend_from_slice(&[
        0x04, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x05, 0x19, 0x13, 0x88, 0x06, 0x58, 0x20,
    ]);
    expect.extend_from_slice(&m.digest);
    assert_eq!(payload, &expect[..]);
    // untagged form is accepted too
    let img = f.image.clone();
    assert!(f.run(&env[1..], &img, 4096).is_ok());
}

fn m_len(m: &Manifest) -> usize {
    let mut b = [0u8; MAX_MANIFEST_LEN];
    m.encode(&mut b).unwrap()
}

#[test]
fn update_bad_signature() {
    let mut f = fx();
    let m = f.manifest();
    let mut env = f.sign(&m);
    let last = env.len() - 1;
    env[last] ^= 1;
    let img = f.image.clone();
    assert_eq!(f.rejected(&env, &img), UpdateError::BadSignature);
    // payload edited after signing (version bumped): signature no longer covers it
    let mut env = f.sign(&m);
    let pos = env.windows(2).position(|w| w == [0x03, 0x1a]).unwrap();
    env[pos + 4] = 0x02;
    assert_eq!(f.rejected(&env, &img), UpdateError::BadSignature);
}

#[test]
fn update_wrong_vendor_key() {
    let mut f = fx();
    let m = f.manifest();
    let rogue = f.c.static_key(&[0x66; 32]).unwrap();
    let mut env = vec![0u8; MAX_ENVELOPE_LEN];
    let n = m.sign(&mut f.c, &rogue, &mut env).unwrap();
    env.truncate(n);
    let img = f.image.clone();
    assert_eq!(f.rejected(&env, &img), UpdateError::UnknownSigner);
    // rogue key claiming the vendor's kid: the signature check catches it
    let kid = key_id(&mut f.c, &f.anchor.key);
    env[8..16].copy_from_slice(&kid);
    assert_eq!(f.rejected(&env, &img), UpdateError::BadSignature);
}

#[test]
fn update_wrong_vendor_and_device_class() {
    let mut f = fx();
    let img = f.image.clone();
    let m = Manifest {
        vendor_id: VENDOR + 1,
        ..f.manifest()
    };
    let env = f.sign(&m);
    assert_eq!(f.rejected(&env, &img), UpdateError::WrongVendor);
    let m = Manifest {
        device_class: CLASS + 1,
        ..f.manifest()
    };
    let env = f.sign(&m);
    assert_eq!(f.rejected(&env, &img), UpdateError::WrongDeviceClass);
}

#[test]
fn update_downgrade_equal_and_base_too_old() {
    let mut f = fx();
    let img = f.image.clone();
    let m = Manifest {
        version: 0x0000_ff00,
        min_version: 0,
        ..f.manifest()
    };
    let env = f.sign(&m);
    assert_eq!(f.rejected(&env, &img), UpdateError::Downgrade);
    let m = Manifest {
        version: 0x0001_0000,
        min_version: 0,
        ..f.manifest()
    };
    let env = f.sign(&m);
    assert_eq!(f.rejected(&env, &img), UpdateError::SameVersion);
    let m = Manifest {
        version: 0x0002_0000,
        min_version: 0x0001_0500,
        ..f.manifest()
    };
    let env = f.sign(&m);
    assert_eq!(f.rejected(&env, &img), UpdateError::BaseTooOld);
}

#[test]
fn update_truncated_and_overlong_image() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    assert_eq!(
        f.rejected(&env, &img[..img.len() - 1]),
        UpdateError::ImageTruncated
    );
    assert_eq!(f.rejected(&env, &[]), UpdateError::ImageTruncated);
    // over-long: rejected at the chunk that crosses the size, and poisoned afterwards
    let mut up = f.begin(&env).unwrap();
    up.update(&img[..4000]).unwrap();
    assert_eq!(up.update(&img[..1001]), Err(UpdateError::ImageTooLong));
    assert_eq!(up.received(), 4000);
    assert_eq!(up.update(&[]), Err(UpdateError::ImageTooLong));
    assert_eq!(up.update(&img[4000..]), Err(UpdateError::ImageTooLong)); // no recovery
    assert_eq!(
        up.finish(&mut f.c, &mut f.log, &mut f.counter, now())
            .unwrap_err(),
        UpdateError::ImageTooLong
    );
    assert_eq!(
        f.last_record().detail.0[0],
        UpdateError::ImageTooLong.code()
    );
    let mut long = img.clone();
    long.push(0);
    assert_eq!(f.rejected(&env, &long), UpdateError::ImageTooLong);
}

#[test]
fn update_digest_mismatch() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let mut img = f.image.clone();
    img[2500] ^= 0x40;
    assert_eq!(f.rejected(&env, &img), UpdateError::DigestMismatch);
}

#[test]
fn update_manifest_trailing_bytes_and_non_deterministic_cbor() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    let mut good = [0u8; MAX_MANIFEST_LEN];
    let n = m.encode(&mut good).unwrap();
    let good = &good[..n];
    let sign_raw = |f: &mut Fx, payload: &[u8]| {
        let mut out = vec![0u8; 256];
        let n = sign_payload(&mut f.c, &f.vendor, payload, &mut out).unwrap();
        out.truncate(n);
        out
    };
    // trailing byte after the manifest map (validly signed)
    let mut p = good.to_vec();
    p.push(0x00);
    let env = sign_raw(&mut f, &p);
    assert_eq!(f.rejected(&env, &img), UpdateError::TrailingBytes);
    // trailing byte after the COSE array
    let mut env = f.sign(&m);
    env.push(0x00);
    assert_eq!(f.rejected(&env, &img), UpdateError::TrailingBytes);
    // non-deterministic: vendor id in a longer head than needed (0x1a instead of 0x19)
    let mut p = vec![0xa6, 0x01, 0x1a, 0x00, 0x00, 0x7e, 0xd9];
    p.extend_from_slice(&good[4..]);
    let env = sign_raw(&mut f, &p);
    assert_eq!(f.rejected(&env, &img), UpdateError::NonDeterministic);
    // non-deterministic: map keys out of order (2 before 1)
    let mut p = vec![0xa6, 0x02, 0x07, 0x01, 0x19, 0x7e, 0xd9];
    p.extend_from_slice(&good[6..]);
    let env = sign_raw(&mut f, &p);
    assert_eq!(f.rejected(&env, &img), UpdateError::NonDeterministic);
    // indefinite-length map
    let mut p = vec![0xbf];
    p.extend_from_slice(&good[1..]);
    p.push(0xff);
    let env = sign_raw(&mut f, &p);
    assert_eq!(f.rejected(&env, &img), UpdateError::Malformed);
    // missing key / extra key / wrong digest length
    let env = sign_raw(&mut f, &[0xa0]);
    assert_eq!(f.rejected(&env, &img), UpdateError::Malformed);
    // protected header other than {1: -7, 4: kid}: e.g. ES384 (-35)
    let mut env = f.sign(&m);
    env[5] = 0x38; // -7 (0x26) → start of a longer int: no longer the ES256 header
    assert_eq!(f.rejected(&env, &img), UpdateError::UnsupportedAlgorithm);
    // non-empty unprotected header
    let mut env = f.sign(&m);
    env[16] = 0xa1;
    assert_eq!(f.rejected(&env, &img), UpdateError::Malformed);
}

#[test]
fn update_requires_authorization() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    // a permit for another operation
    let mut doc = SessionAuth::new(&mut f.c, b"doc", RoleSet::only(Role::Clinician));
    let p = RbacPolicy::DEFAULT
        .authorize(&mut f.c, &mut f.log, &mut doc, Operation::ReadVitals, now())
        .unwrap();
    let p = doc.redeem(&mut f.c, p).unwrap();
    let r = UpdateVerifier::begin(
        &mut f.c,
        &mut f.log,
        p,
        &f.anchor,
        &env,
        &mut f.counter,
        now(),
    );
    assert_eq!(r.unwrap_err(), UpdateError::WrongPermit);
    assert_eq!(f.last_record().event, AuditEvent::UpdateRejected);
    // a clinician, even with the factor, gets no firmware-update permit
    doc.set_factor(FactorOutcome::Absent);
    assert_eq!(
        RbacPolicy::DEFAULT
            .authorize(
                &mut f.c,
                &mut f.log,
                &mut doc,
                Operation::FirmwareUpdate,
                now()
            )
            .unwrap_err(),
        RbacDenyReason::NotPermitted
    );
    // a technician without the factor neither
    let mut tech = SessionAuth::new(&mut f.c, b"tech-2", RoleSet::only(Role::Technician));
    assert_eq!(
        RbacPolicy::DEFAULT
            .authorize(
                &mut f.c,
                &mut f.log,
                &mut tech,
                Operation::FirmwareUpdate,
                now()
            )
            .unwrap_err(),
        RbacDenyReason::FactorRequired
    );
    assert_eq!(f.last_record().event, AuditEvent::OperationDenied);
}

#[test]
fn update_counter_rechecked_at_finish_and_failure_modes() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    // two updates to the same version interleaved: only the first finishes
    let mut a = f.begin(&env).unwrap();
    let mut b = f.begin(&env).unwrap();
    a.update(&img).unwrap();
    b.update(&img).unwrap();
    assert!(
        a.finish(&mut f.c, &mut f.log, &mut f.counter, now())
            .is_ok()
    );
    assert_eq!(
        b.finish(&mut f.c, &mut f.log, &mut f.counter, now())
            .unwrap_err(),
        UpdateError::SameVersion
    );
    // a counter that cannot advance: rejected (after the accepted record, a rejected one)
    struct Stuck;
    impl RollbackCounter for Stuck {
        fn current(&mut self) -> Result<u32, CounterError> {
            Ok(0x0001_0000)
        }
        fn advance(&mut self, _: u32) -> Result<(), CounterError> {
            Err(CounterError)
        }
    }
    let permit = f.permit();
    let mut up = UpdateVerifier::begin(
        &mut f.c,
        &mut f.log,
        permit,
        &f.anchor,
        &env,
        &mut Stuck,
        now(),
    )
    .unwrap();
    up.update(&img).unwrap();
    assert_eq!(
        up.finish(&mut f.c, &mut f.log, &mut Stuck, now())
            .unwrap_err(),
        UpdateError::Counter
    );
    assert_eq!(RamRollbackCounter::new(5).advance(4), Err(CounterError));
}

proptest! {
    #[test]
    fn update_envelope_parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut c = DeterministicProvider::new();
        let k = c.static_key(&[0x5e; 32]).unwrap();
        let anchor = VendorAnchor { vendor_id: VENDOR, device_class: CLASS, key: c.p256_public_key(&k).unwrap() };
        prop_assert!(VerifiedManifest::verify(&mut c, &data, &anchor).is_err());
        if let Ok(m) = Manifest::decode(&data) {
            let mut out = [0u8; MAX_MANIFEST_LEN];
            let n = m.encode(&mut out).unwrap();
            prop_assert_eq!(&out[..n], &data[..]);
        }
    }

    #[test]
    fn update_envelope_bit_flips_rejected(idx in 0usize..151, bit in 0u8..8) {
        let mut f = fx();
        let m = f.manifest();
        let mut env = f.sign(&m);
        prop_assume!(idx < env.len() && idx != 0); // byte 0 is the optional tag
        env[idx] ^= 1 << bit;
        prop_assert!(VerifiedManifest::verify(&mut f.c, &env, &f.anchor).is_err());
    }

    #[test]
    fn update_manifest_roundtrip(vendor_id: u32, device_class: u32, version: u32, min_version: u32,
                                 image_size: u32, digest: [u8; 32]) {
        let m = Manifest { vendor_id, device_class, version, min_version, image_size, digest };
        let mut out = [0u8; MAX_MANIFEST_LEN];
        let n = m.encode(&mut out).unwrap();
        prop_assert_eq!(Manifest::decode(&out[..n]).unwrap(), m);
    }
}

#[test]
fn update_cose_sign1_es256_known_answer_from_cose_wg_examples() {
    let data = include_str!("data/cose_sign1_es256.txt");
    let get = |k: &str| {
        data.lines()
            .find_map(|l| l.strip_prefix(k).map(|v| hex::decode(v.trim()).unwrap()))
            .unwrap()
    };
    let mut c = DeterministicProvider::new();
    let key = iomt_crypto::PublicKey::from_coordinates(&get("x = "), &get("y = ")).unwrap();
    // our streamed Sig_structure equals the published ToBeSign bytes
    let digest = sig_structure_digest(&mut c, &get("protected = "), &get("payload = ")).unwrap();
    let tbs: [u8; 32] = Sha256::digest(get("to_be_signed = ")).into();
    assert_eq!(digest, tbs);
    // and the published signature verifies over it
    let sig = Signature::from_bytes(&get("signature = ")).unwrap();
    c.ecdsa_p256_verify_digest(&key, &digest, &sig).unwrap();
    let mut bad = digest;
    bad[0] ^= 1;
    assert!(c.ecdsa_p256_verify_digest(&key, &bad, &sig).is_err());
    // the published message is well-formed COSE_Sign1 but not a manifest envelope: its
    // protected header lacks our kid, so it is refused before any signature check
    let anchor = VendorAnchor {
        vendor_id: VENDOR,
        device_class: CLASS,
        key,
    };
    assert_eq!(
        VerifiedManifest::verify(&mut c, &get("cose = "), &anchor).unwrap_err(),
        UpdateError::UnsupportedAlgorithm
    );
}

#[test]
fn update_abandoned_or_overlong_is_audited() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    // begin records the intent
    let up = f.begin(&env).unwrap();
    let started = f.last_record();
    assert_eq!(
        (started.event, started.subject),
        (AuditEvent::UpdateStarted, f.tech.subject())
    );
    // abandoned before finish: recorded as rejected (Abandoned)
    assert_eq!(
        up.abandon(&mut f.c, &mut f.log, now()),
        UpdateError::Abandoned
    );
    let r = f.last_record();
    assert_eq!(
        (r.event, r.detail.0[0]),
        (AuditEvent::UpdateRejected, UpdateError::Abandoned.code())
    );
    // an overlong image, then abandoned: recorded with ImageTooLong
    let mut up = f.begin(&env).unwrap();
    let mut long = img.clone();
    long.push(0);
    assert_eq!(up.update(&long).unwrap_err(), UpdateError::ImageTooLong);
    assert_eq!(
        up.abandon(&mut f.c, &mut f.log, now()),
        UpdateError::ImageTooLong
    );
    let r = f.last_record();
    assert_eq!(
        (r.event, r.detail.0[0]),
        (AuditEvent::UpdateRejected, UpdateError::ImageTooLong.code())
    );
    // dropped: the UpdateStarted record stays without an outcome
    let seq = f.log.meta().next_seq;
    let up = f.begin(&env).unwrap();
    drop(up);
    assert_eq!(
        f.log.read(seq + 1).unwrap().event,
        AuditEvent::UpdateStarted
    );
    assert_eq!(f.log.meta().next_seq, seq + 2);
    assert_eq!(f.counter.value(), 0x0001_0000);
}
