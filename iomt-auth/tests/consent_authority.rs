//! Issue 24: authority-signed, patient- and device-bound consent verified at the gateway.
//! One test per refusal; each checks the specific error and its audit record.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use iomt_auth::audit::*;
use iomt_auth::consent::*;
use iomt_auth::cred::PeerIdentity;
use iomt_auth::rbac::ConsentAccess;
use iomt_core::*;
use iomt_crypto::{DeterministicProvider, StaticKey};

const T0: u64 = 1_800_000_000;

struct Kit {
    c: DeterministicProvider,
    key: StaticKey,
    kid: KeyId,
    other_key: StaticKey,
    other_kid: KeyId,
    v: ConsentVerifier,
    log: AuditLog<RamAuditStore<32>>,
    device: PeerIdentity,
    patient: PatientId,
}

fn kit() -> Kit {
    let mut c = DeterministicProvider::new();
    let key = c.static_key(&[0x11; 32]).unwrap();
    let other_key = c.static_key(&[0x22; 32]).unwrap();
    let auth = ConsentAuthority::new(&mut c, *key.public_key()).unwrap();
    let other = ConsentAuthority::new(&mut c, *other_key.public_key()).unwrap();
    let mut v = ConsentVerifier::new();
    v.add_authority(auth.clone()).unwrap();
    let log = AuditLog::open(&mut c, RamAuditStore::new(), [0xd0; 8]).unwrap();
    Kit {
        c,
        key,
        kid: auth.key_id,
        other_key,
        other_kid: other.key_id,
        v,
        log,
        device: PeerIdentity::from_slice(b"pump-0042"),
        patient: PatientId::new(b"pt-A").unwrap(),
    }
}

impl Kit {
    fn tag_for(&mut self, device: &PeerIdentity, patient: &PatientId, rev: u32) -> ConsentTag {
        let dev = DeviceRef(subject_of(&mut self.c, &device.0));
        ConsentTag::permit(
            ConsentRef([7; 32]),
            rev,
            Timestamp::from_secs(T0),
            Timestamp::from_secs(T0 + 1000),
        )
        .with_purposes(PurposeSet::only(Purpose::Treatment).with(Purpose::Research))
        .with_roles(RoleSet::only(Role::Clinician).with(Role::Researcher))
        .with_actions(ActionSet::only(Action::Access))
        .with_classes(DataClassSet::only(DataClass::Vitals))
        .bound_to(patient.clone(), dev)
    }
    fn signed(&mut self, rev: u32) -> Vec<u8> {
        let (d, p) = (self.device, self.patient.clone());
        let t = self.tag_for(&d, &p, rev);
        enc(&sign_tag(&mut self.c, &self.key, &self.kid, t).unwrap())
    }
    fn verify(&mut self, bytes: &[u8], at: u64) -> Result<VerifiedConsent, ConsentError> {
        let exp = Expected::peer(&mut self.c, &self.device, &self.patient);
        self.v.verify_audited(
            &mut self.c,
            &mut self.log,
            bytes,
            exp,
            Timestamp::from_secs(at),
        )
    }
    /// The newest audit record's (event, outcome, code, revision).
    fn last_audit(&mut self) -> (AuditEvent, Outcome, u32, u32) {
        let seq = self.log.meta().next_seq - 1;
        let r = self.log.read(seq).unwrap();
        let code = u32::from_be_bytes(r.detail.0[..4].try_into().unwrap());
        let rev = u32::from_be_bytes(r.detail.0[4..8].try_into().unwrap());
        (r.event, r.outcome, code, rev)
    }
    fn withdrawal(&mut self, rev: u32, key_other: bool) -> Vec<u8> {
        let w = ConsentWithdrawal::new(ConsentRef([7; 32]), rev, Timestamp::from_secs(T0 + 10));
        let w = if key_other {
            sign_withdrawal(&mut self.c, &self.other_key, &self.other_kid, w).unwrap()
        } else {
            sign_withdrawal(&mut self.c, &self.key, &self.kid, w).unwrap()
        };
        let mut b = [0u8; MAX_WITHDRAWAL_LEN];
        let n = w.encode(&mut b).unwrap();
        b[..n].to_vec()
    }
}

fn enc(t: &ConsentTag) -> Vec<u8> {
    let mut b = [0u8; MAX_CONSENT_TAG_LEN];
    let n = t.encode(&mut b).unwrap();
    b[..n].to_vec()
}

fn refused(k: &mut Kit, bytes: &[u8], at: u64, want: ConsentError) {
    let before = k.log.meta().next_seq;
    assert_eq!(k.verify(bytes, at).unwrap_err(), want);
    assert_eq!(k.log.meta().next_seq, before + 1, "refusal audited");
    let (ev, out, code, _) = k.last_audit();
    assert_eq!(
        (ev, out, code),
        (
            AuditEvent::ConsentDenied,
            Outcome::Denied,
            u32::from(want.code())
        )
    );
}

#[test]
fn signed_bound_tag_verifies_and_is_not_audited_as_refusal() {
    let mut k = kit();
    let b = k.signed(3);
    let v = k.verify(&b, T0 + 1).unwrap();
    assert_eq!(v.encoded(), &b[..]);
    assert_eq!(k.log.meta().next_seq, 0);
    k.v.check_frame(&v, &b, Timestamp::from_secs(T0 + 2))
        .unwrap();
}

#[test]
fn refuses_unsigned() {
    let mut k = kit();
    let (d, p) = (k.device, k.patient.clone());
    let t = k.tag_for(&d, &p, 1);
    refused(&mut k, &enc(&t), T0 + 1, ConsentError::Unsigned);
}

#[test]
fn refuses_unbound_v1_even_if_signed() {
    let mut k = kit();
    let mut t = ConsentTag::permit(
        ConsentRef([7; 32]),
        1,
        Timestamp::from_secs(T0),
        Timestamp::from_secs(T0 + 9),
    );
    t.signature = Some(IssuerSignature {
        key_id: k.kid.clone(),
        signature: Signature([1; 64]),
    });
    refused(&mut k, &enc(&t), T0 + 1, ConsentError::Unbound);
    assert_eq!(
        sign_tag(&mut k.c, &k.key, &k.kid, t).unwrap_err(),
        ConsentError::Unbound
    );
}

#[test]
fn refuses_bad_signature() {
    let mut k = kit();
    let mut b = k.signed(1);
    let last = b.len() - 1;
    b[last] ^= 1;
    refused(&mut k, &b, T0 + 1, ConsentError::BadSignature);
    // a field changed after signing (widening the purposes) also breaks it
    let mut t = ConsentTag::decode(&k.signed(1)).unwrap();
    t.purposes = PurposeSet::ALL;
    refused(&mut k, &enc(&t), T0 + 1, ConsentError::BadSignature);
}

#[test]
fn refuses_self_made_tag_unknown_authority() {
    let mut k = kit();
    let (d, p) = (k.device, k.patient.clone());
    let t = k.tag_for(&d, &p, 1);
    let t = sign_tag(&mut k.c, &k.other_key, &k.other_kid, t).unwrap();
    refused(&mut k, &enc(&t), T0 + 1, ConsentError::UnknownAuthority);
    // the self-made tag claiming the real authority's key id fails the signature
    let mut t2 = t;
    t2.signature.as_mut().unwrap().key_id = k.kid.clone();
    refused(&mut k, &enc(&t2), T0 + 1, ConsentError::BadSignature);
}

#[test]
fn refuses_other_device() {
    let mut k = kit();
    let other = PeerIdentity::from_slice(b"pump-0099");
    let p = k.patient.clone();
    let t = k.tag_for(&other, &p, 1);
    let t = sign_tag(&mut k.c, &k.key, &k.kid, t).unwrap();
    refused(&mut k, &enc(&t), T0 + 1, ConsentError::OtherDevice);
}

#[test]
fn refuses_other_patient() {
    let mut k = kit();
    let d = k.device;
    let t = k.tag_for(&d, &PatientId::new(b"pt-B").unwrap(), 1);
    let t = sign_tag(&mut k.c, &k.key, &k.kid, t).unwrap();
    refused(&mut k, &enc(&t), T0 + 1, ConsentError::OtherPatient);
}

#[test]
fn refuses_expired_and_not_yet_valid() {
    let mut k = kit();
    let b = k.signed(1);
    refused(&mut k, &b, T0 + 1000, ConsentError::Expired);
    refused(&mut k, &b, T0 - 1, ConsentError::NotYetValid);
    // a verified tag expires for running sessions too
    let v = k.verify(&b, T0 + 1).unwrap();
    assert_eq!(
        k.v.check_frame(&v, &b, Timestamp::from_secs(T0 + 1000)),
        Err(ConsentError::Expired)
    );
}

#[test]
fn refuses_older_revision_after_newer() {
    let mut k = kit();
    let (old, new) = (k.signed(2), k.signed(3));
    let v_old = k.verify(&old, T0 + 1).unwrap();
    k.verify(&new, T0 + 2).unwrap();
    refused(&mut k, &old, T0 + 3, ConsentError::OlderRevision);
    assert_eq!(k.last_audit().3, 2, "revision in the record");
    // and a session still holding the old one stops at its next frame
    assert_eq!(
        k.v.check_frame(&v_old, &old, Timestamp::from_secs(T0 + 3)),
        Err(ConsentError::OlderRevision)
    );
}

#[test]
fn newer_revision_from_the_authority_directly() {
    let mut k = kit();
    let old = k.signed(2);
    let v = k.verify(&old, T0 + 1).unwrap();
    let newer = k.signed(5);
    k.v.learn_revision(&mut k.c, &newer).unwrap();
    assert_eq!(
        k.v.check_frame(&v, &old, Timestamp::from_secs(T0 + 2)),
        Err(ConsentError::OlderRevision)
    );
    // an unsigned "newer revision" is not learned
    let (d, p) = (k.device, k.patient.clone());
    let t = k.tag_for(&d, &p, 9);
    assert_eq!(
        k.v.learn_revision(&mut k.c, &enc(&t)),
        Err(ConsentError::Unsigned)
    );
}

#[test]
fn refuses_withdrawn_at_once_for_live_sessions() {
    let mut k = kit();
    let b = k.signed(3);
    let v = k.verify(&b, T0 + 1).unwrap();
    let w = k.withdrawal(3, false);
    let r =
        k.v.withdraw(&mut k.c, &mut k.log, &w, Timestamp::from_secs(T0 + 2))
            .unwrap();
    assert_eq!(r, ConsentRef([7; 32]));
    let (ev, out, code, rev) = k.last_audit();
    assert_eq!(
        (ev, out, code, rev),
        (AuditEvent::ConsentDenied, Outcome::Success, 540, 3)
    );
    assert_eq!(
        k.v.check_frame(&v, &b, Timestamp::from_secs(T0 + 2)),
        Err(ConsentError::Withdrawn)
    );
    refused(&mut k, &b, T0 + 3, ConsentError::Withdrawn);
    // a newer revision (re-consent) after the withdrawal is accepted
    let b4 = k.signed(4);
    k.verify(&b4, T0 + 4).unwrap();
}

#[test]
fn withdrawal_must_come_from_the_authority() {
    let mut k = kit();
    let w = k.withdrawal(3, true);
    let now = Timestamp::from_secs(T0);
    assert_eq!(
        k.v.withdraw(&mut k.c, &mut k.log, &w, now),
        Err(ConsentError::UnknownAuthority)
    );
    let mut w = k.withdrawal(3, false);
    let last = w.len() - 1;
    w[last] ^= 0x80;
    assert_eq!(
        k.v.withdraw(&mut k.c, &mut k.log, &w, now),
        Err(ConsentError::BadSignature)
    );
    // a tag's signature is not a withdrawal's (domain separation), nor parses as one
    let t = k.signed(3);
    assert_eq!(
        k.v.withdraw(&mut k.c, &mut k.log, &t, now),
        Err(ConsentError::Malformed)
    );
    let unsigned = ConsentWithdrawal::new(ConsentRef([7; 32]), 3, now);
    let mut b = [0u8; MAX_WITHDRAWAL_LEN];
    let n = unsigned.encode(&mut b).unwrap();
    assert_eq!(
        k.v.withdraw(&mut k.c, &mut k.log, &b[..n], now),
        Err(ConsentError::Unsigned)
    );
    assert_eq!(
        k.log.meta().next_seq,
        0,
        "nothing applied, nothing recorded"
    );
}

#[test]
fn frame_with_another_tag_is_not_verified() {
    let mut k = kit();
    let a = k.signed(3);
    let v = k.verify(&a, T0 + 1).unwrap();
    let (d, p) = (k.device, k.patient.clone());
    let other = enc(&k.tag_for(&d, &p, 3));
    assert_eq!(
        k.v.check_frame(&v, &other, Timestamp::from_secs(T0 + 1)),
        Err(ConsentError::NotVerified)
    );
}

#[test]
fn malformed_bytes_refused_and_audited() {
    let mut k = kit();
    refused(&mut k, &[], T0, ConsentError::Malformed);
    refused(&mut k, &[2, 0, 0], T0, ConsentError::Malformed);
}

/// An audit store whose writes fail.
struct Broken;
impl AuditStore for Broken {
    fn capacity(&self) -> u32 {
        4
    }
    fn read_slot(&mut self, _: u32, _: &mut Entry) -> Result<(), StorageError> {
        Ok(())
    }
    fn write_slot(&mut self, _: u32, _: &Entry) -> Result<(), StorageError> {
        Err(StorageError)
    }
    fn load_meta(&mut self) -> Result<Option<AuditMeta>, StorageError> {
        Ok(None)
    }
    fn store_meta(&mut self, _: &AuditMeta) -> Result<(), StorageError> {
        Ok(())
    }
}

#[test]
fn refusal_fails_closed_when_audit_fails() {
    let mut k = kit();
    let mut log = AuditLog::open(&mut k.c, Broken, [0; 8]).unwrap();
    let (d, p) = (k.device, k.patient.clone());
    let unsigned = enc(&k.tag_for(&d, &p, 1));
    let exp = Expected::peer(&mut k.c, &d, &p);
    assert_eq!(
        k.v.verify_audited(
            &mut k.c,
            &mut log,
            &unsigned,
            exp,
            Timestamp::from_secs(T0 + 1)
        ),
        Err(ConsentError::AuditUnavailable)
    );
    let w = k.withdrawal(1, false);
    assert_eq!(
        k.v.withdraw(&mut k.c, &mut log, &w, Timestamp::from_secs(T0 + 1)),
        Err(ConsentError::AuditUnavailable)
    );
    // applied anyway: failing closed refuses more
    let b = k.signed(1);
    assert_eq!(k.verify(&b, T0 + 2).unwrap_err(), ConsentError::Withdrawn);
}

#[test]
fn without_a_verified_tag_only_audited_break_glass() {
    let mut k = kit();
    let d = subject_of(&mut k.c, &k.device.0);
    let req = AccessRequest {
        role: Role::Researcher,
        purpose: Purpose::Research,
        action: Action::Access,
        class: DataClass::Vitals,
        now: Timestamp::from_secs(T0 + 1),
        latest_revision: None,
    };
    assert_eq!(
        k.v.authorize(&mut k.c, &mut k.log, None, d, &req, 900),
        Err(ConsentError::NotVerified)
    );
    let mut em = req;
    em.role = Role::Clinician;
    em.purpose = Purpose::EmergencyTreatment;
    let access =
        k.v.authorize(&mut k.c, &mut k.log, None, d, &em, 900)
            .unwrap();
    assert!(matches!(access, ConsentAccess::BreakGlass(_)));
    assert_eq!(k.last_audit().0, AuditEvent::BreakGlass);
    // with a verified tag, research is permitted until the withdrawal
    let b = k.signed(2);
    let v = k.verify(&b, T0 + 1).unwrap();
    assert_eq!(
        k.v.authorize(&mut k.c, &mut k.log, Some((&v, &b)), d, &req, 900),
        Ok(ConsentAccess::Permit)
    );
    let w = k.withdrawal(2, false);
    k.v.withdraw(&mut k.c, &mut k.log, &w, Timestamp::from_secs(T0 + 1))
        .unwrap();
    assert_eq!(
        k.v.authorize(&mut k.c, &mut k.log, Some((&v, &b)), d, &req, 900),
        Err(ConsentError::Withdrawn)
    );
    assert_eq!(k.last_audit().2, 540);
}

/// Writes the seed corpus of the `consent_authority` fuzz target (run with
/// `IOMT_WRITE_SEEDS=1 cargo test -p iomt-auth --test consent_authority -- --ignored`).
/// The fuzz target uses the same authority key (scalar 0x11…) and binding.
#[test]
#[ignore = "writes fuzz/corpus/consent_authority"]
fn write_fuzz_seeds() {
    if std::env::var_os("IOMT_WRITE_SEEDS").is_none() {
        return;
    }
    let mut k = kit();
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/consent_authority");
    std::fs::create_dir_all(&dir).unwrap();
    let tag = k.signed(3);
    let w = k.withdrawal(3, false);
    let (d, p) = (k.device, k.patient.clone());
    let unsigned = enc(&k.tag_for(&d, &p, 1));
    for (name, sel, bytes) in [
        ("signed_tag", 0u8, &tag),
        ("learn_revision", 1, &tag),
        ("withdrawal", 2, &w),
        ("unsigned_tag", 0, &unsigned),
        ("decode_tag", 3, &tag),
    ] {
        let mut v = vec![sel];
        v.extend_from_slice(bytes);
        std::fs::write(dir.join(name), v).unwrap();
    }
}
