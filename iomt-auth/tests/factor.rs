//! Operator factor: verifier and tag known answers, EAD item parsing, constant-time check,
//! attempt counter and lockout.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns"
)]

use iomt_auth::audit::*;
use iomt_auth::factor::*;
use iomt_core::Timestamp;
use iomt_crypto::DeterministicProvider;
use proptest::prelude::*;

const T0: u64 = 1_800_000_000;
const TH_3: [u8; 32] = [0x3a; 32];
const SUBJ: Subject = [0x0e; 8];

fn t(s: u64) -> Timestamp {
    Timestamp::from_secs(T0 + s)
}

struct Fx {
    c: DeterministicProvider,
    log: AuditLog<RamAuditStore<64>>,
    v: PinVerifier,
    fv: FactorVerifier<RamFactorStore>,
}

fn fx() -> Fx {
    let mut c = DeterministicProvider::new();
    let log = AuditLog::open(&mut c, RamAuditStore::new(), [0xd0; 8]).unwrap();
    let v = PinVerifier::derive(&mut c, b"pump-0042", b"482916").unwrap();
    Fx {
        c,
        log,
        v,
        fv: FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT),
    }
}

impl Fx {
    fn try_pin(
        &mut self,
        pin: &[u8],
        th: &[u8; 32],
        now: Timestamp,
    ) -> Result<FactorProof, FactorError> {
        let operator_v = PinVerifier::derive(&mut self.c, b"pump-0042", pin).unwrap();
        let tag = FactorTag::compute(&mut self.c, &operator_v, th);
        self.fv.verify(
            &mut self.c,
            &mut self.log,
            &self.v,
            &TH_3,
            Some(&tag),
            SUBJ,
            now,
        )
    }
    fn events(&mut self) -> Vec<AuditEvent> {
        let m = *self.log.meta();
        (m.next_seq - m.count..m.next_seq)
            .map(|s| self.log.read(s).unwrap().event)
            .collect()
    }
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC-SHA256 computed independently of the code under test (RustCrypto hkdf's extract
    // is HMAC(salt, ikm)).
    let (prk, _) = hkdf::Hkdf::<sha2::Sha256>::extract(Some(key), msg);
    prk.into()
}

#[test]
fn factor_verifier_and_tag_known_answer() {
    let mut c = DeterministicProvider::new();
    let v = PinVerifier::derive(&mut c, b"pump-0042", b"482916").unwrap();
    let expected_v = hmac(b"pump-0042iomt pin v1", b"482916");
    assert_eq!(v.as_bytes(), &expected_v);
    let tag = FactorTag::compute(&mut c, &v, &TH_3);
    let mut msg = b"iomt-factor".to_vec();
    msg.extend_from_slice(&TH_3);
    let full = hmac(&expected_v, &msg);
    assert_eq!(tag.0[..], full[..16]);
    // regression vector (tests/data/factor_vectors.txt)
    let data = include_str!("data/factor_vectors.txt");
    let get = |k: &str| {
        data.lines()
            .find_map(|l| l.strip_prefix(k).map(|v| hex::decode(v.trim()).unwrap()))
            .unwrap()
    };
    assert_eq!(get("verifier = "), v.as_bytes().to_vec());
    assert_eq!(get("tag = "), tag.0.to_vec());
    let mut item = [0u8; FACTOR_EAD_ITEM_LEN];
    assert_eq!(tag.encode_ead_item(&mut item).unwrap(), FACTOR_EAD_ITEM_LEN);
    assert_eq!(get("ead_item = "), item.to_vec());
}

#[test]
fn factor_verifier_debug_is_redacted() {
    let mut c = DeterministicProvider::new();
    let v = PinVerifier::derive(&mut c, b"d", b"1").unwrap();
    assert_eq!(format!("{v:?}"), "PinVerifier(<redacted>)");
}

#[test]
fn factor_correct_pin_verifies_and_is_audited() {
    let mut f = fx();
    assert!(f.try_pin(b"482916", &TH_3, t(0)).is_ok());
    assert_eq!(f.fv.store().table.state_of(&SUBJ), FactorState::default());
    assert_eq!(f.events(), [AuditEvent::FactorVerified]);
}

#[test]
fn factor_wrong_pin_rejected_and_counted() {
    let mut f = fx();
    assert_eq!(
        f.try_pin(b"482917", &TH_3, t(0)).unwrap_err(),
        FactorError::Mismatch
    );
    assert_eq!(f.fv.store().table.state_of(&SUBJ).failures, 1);
    assert_eq!(f.events(), [AuditEvent::FactorFailed]);
    let r = f.log.read(0).unwrap();
    assert_eq!(
        (r.outcome, r.subject, r.detail),
        (Outcome::Failure, SUBJ, Detail::from_u32s(1, 1))
    );
}

#[test]
fn factor_replayed_from_another_handshake_rejected() {
    let mut f = fx();
    // a valid tag from an earlier handshake (other TH_3) replayed into this one
    assert_eq!(
        f.try_pin(b"482916", &[0x99; 32], t(0)).unwrap_err(),
        FactorError::Mismatch
    );
    // a tag computed on a transcript differing in one bit
    let mut th = TH_3;
    th[31] ^= 1;
    assert_eq!(
        f.try_pin(b"482916", &th, t(0)).unwrap_err(),
        FactorError::Mismatch
    );
    // and the right one still works (2 failures < 3 free attempts)
    assert!(f.try_pin(b"482916", &TH_3, t(0)).is_ok());
}

#[test]
fn factor_other_device_verifier_rejected() {
    let mut f = fx();
    let other = PinVerifier::derive(&mut f.c, b"pump-0043", b"482916").unwrap();
    let tag = FactorTag::compute(&mut f.c, &other, &TH_3);
    let r =
        f.fv.verify(&mut f.c, &mut f.log, &f.v, &TH_3, Some(&tag), SUBJ, t(0));
    assert_eq!(r.unwrap_err(), FactorError::Mismatch);
}

#[test]
fn factor_absent_does_not_count() {
    let mut f = fx();
    let r =
        f.fv.verify(&mut f.c, &mut f.log, &f.v, &TH_3, None, SUBJ, t(0));
    assert_eq!(r.as_ref().unwrap_err(), &FactorError::Absent);
    assert_eq!(FactorOutcome::from_result(r), FactorOutcome::Absent);
    assert_eq!(f.fv.store().table.state_of(&SUBJ).failures, 0);
}

#[test]
fn factor_ead_item_strict_parsing() {
    let tag = FactorTag([0xab; 16]);
    let mut buf = [0u8; 32];
    let n = tag.encode_ead_item(&mut buf).unwrap();
    let item = &buf[..n];
    // label 65550 = 0x1a 0001000e, bstr(16) = 0x50
    assert_eq!(&item[..6], &[0x1a, 0x00, 0x01, 0x00, 0x0e, 0x50]);
    assert_eq!(FactorTag::parse_ead_item(item).unwrap(), tag);
    // every truncation
    for k in 0..n {
        assert_eq!(
            FactorTag::parse_ead_item(&item[..k]),
            Err(FactorError::Malformed)
        );
    }
    // trailing byte
    let mut tr = item.to_vec();
    tr.push(0);
    assert_eq!(FactorTag::parse_ead_item(&tr), Err(FactorError::Malformed));
    // critical (negative) label
    let mut crit = item.to_vec();
    crit[0] = 0x3a;
    assert_eq!(
        FactorTag::parse_ead_item(&crit),
        Err(FactorError::Malformed)
    );
    // non-deterministic label encoding (8-byte form)
    let mut long = vec![0x1b, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x0e];
    long.extend_from_slice(&item[5..]);
    assert_eq!(
        FactorTag::parse_ead_item(&long),
        Err(FactorError::Malformed)
    );
    // wrong tag length
    let mut short = item[..5].to_vec();
    short.push(0x4f);
    short.extend_from_slice(&[0xab; 15]);
    assert_eq!(
        FactorTag::parse_ead_item(&short),
        Err(FactorError::Malformed)
    );
    // buffer too small
    assert_eq!(
        tag.encode_ead_item(&mut [0u8; 21]),
        Err(FactorError::BufferTooSmall {
            needed: FACTOR_EAD_ITEM_LEN
        })
    );
}

#[test]
fn factor_from_ead_items_rules() {
    use iomt_auth::edhoc::EadItem;
    let tag = FactorTag([1; 16]);
    let other = EadItem {
        label: 7,
        value: Some(&[1, 2]),
    };
    assert_eq!(
        FactorTag::from_ead_items([other, tag.as_ead_item()]).unwrap(),
        Some(tag)
    );
    assert_eq!(FactorTag::from_ead_items([other]).unwrap(), None);
    // duplicate item
    assert_eq!(
        FactorTag::from_ead_items([tag.as_ead_item(), tag.as_ead_item()]),
        Err(FactorError::Malformed)
    );
    // critical variant of our label, value missing, wrong length
    let crit = EadItem {
        label: -FACTOR_EAD_LABEL,
        value: Some(&[1; 16]),
    };
    assert_eq!(
        FactorTag::from_ead_items([crit]),
        Err(FactorError::Malformed)
    );
    let none = EadItem {
        label: FACTOR_EAD_LABEL,
        value: None,
    };
    assert_eq!(
        FactorTag::from_ead_items([none]),
        Err(FactorError::Malformed)
    );
    let long = EadItem {
        label: FACTOR_EAD_LABEL,
        value: Some(&[1; 17]),
    };
    assert_eq!(
        FactorTag::from_ead_items([long]),
        Err(FactorError::Malformed)
    );
}

#[test]
fn lockout_after_free_attempts_then_exponential_backoff() {
    let mut f = fx();
    for i in 1..=2 {
        assert_eq!(
            f.try_pin(b"000000", &TH_3, t(0)).unwrap_err(),
            FactorError::Mismatch
        );
        assert_eq!(f.fv.store().table.state_of(&SUBJ).failures, i);
        assert_eq!(
            f.fv.store().table.state_of(&SUBJ).locked_until,
            Timestamp::EPOCH
        );
    }
    // third failure: 30 s lockout
    assert_eq!(
        f.try_pin(b"000000", &TH_3, t(0)).unwrap_err(),
        FactorError::Mismatch
    );
    assert_eq!(f.fv.store().table.state_of(&SUBJ).locked_until, t(30));
    // while locked even the right PIN is refused, without counting
    assert_eq!(
        f.try_pin(b"482916", &TH_3, t(29)).unwrap_err(),
        FactorError::LockedOut { until: t(30) }
    );
    assert_eq!(f.fv.store().table.state_of(&SUBJ).failures, 3);
    // after the lockout: next failure doubles (60 s), then 120 s
    assert_eq!(
        f.try_pin(b"000000", &TH_3, t(30)).unwrap_err(),
        FactorError::Mismatch
    );
    assert_eq!(f.fv.store().table.state_of(&SUBJ).locked_until, t(90));
    assert_eq!(
        f.try_pin(b"000000", &TH_3, t(90)).unwrap_err(),
        FactorError::Mismatch
    );
    assert_eq!(f.fv.store().table.state_of(&SUBJ).locked_until, t(210));
    // correct PIN after the lockout resets everything
    assert!(f.try_pin(b"482916", &TH_3, t(210)).is_ok());
    assert_eq!(f.fv.store().table.state_of(&SUBJ), FactorState::default());
    let ev = f.events();
    assert_eq!(ev.iter().filter(|e| **e == AuditEvent::Lockout).count(), 4); // 3 new + 1 refused
    assert_eq!(
        ev.iter()
            .filter(|e| **e == AuditEvent::FactorFailed)
            .count(),
        5
    );
    assert_eq!(*ev.last().unwrap(), AuditEvent::FactorVerified);
}

#[test]
fn lockout_maps_to_rbac_outcome() {
    let mut f = fx();
    for _ in 0..3 {
        let _ = f.try_pin(b"000000", &TH_3, t(0));
    }
    let r = f.try_pin(b"482916", &TH_3, t(1));
    assert_eq!(FactorOutcome::from_result(r), FactorOutcome::LockedOut);
}

#[test]
fn lockout_is_capped() {
    let p = LockoutPolicy::DEFAULT;
    assert_eq!(p.lock_secs(u32::MAX), p.max_secs);
    let mut prev = 0;
    for f in 0..100 {
        let s = p.lock_secs(f);
        assert!(s >= prev && s <= p.max_secs);
        prev = s;
    }
}

#[test]
fn lockout_survives_reboot() {
    let mut f = fx();
    for _ in 0..3 {
        let _ = f.try_pin(b"000000", &TH_3, t(0));
    }
    // reboot: a new verifier over the same persisted store
    let persisted = *f.fv.store();
    f.fv = FactorVerifier::new(persisted, LockoutPolicy::DEFAULT);
    assert_eq!(
        f.try_pin(b"482916", &TH_3, t(10)).unwrap_err(),
        FactorError::LockedOut { until: t(30) }
    );
    // a device clock that restarts at 0 after reboot stays locked (longer, never shorter)
    assert!(matches!(
        f.try_pin(b"482916", &TH_3, Timestamp::from_secs(5))
            .unwrap_err(),
        FactorError::LockedOut { .. }
    ));
}

#[test]
fn lockout_counter_is_persisted_before_the_check() {
    let mut f = fx();
    // flash refuses the counter write: the tag is not evaluated at all (even a correct one)
    f.fv.store_mut().fail_writes = true;
    assert_eq!(
        f.try_pin(b"482916", &TH_3, t(0)).unwrap_err(),
        FactorError::Storage
    );
    assert_eq!(f.fv.store().table.state_of(&SUBJ).failures, 0);
    assert!(f.events().is_empty());
    f.fv.store_mut().fail_writes = false;

    // power cut right after the comparison (simulated: the state reached flash before the
    // compare and nothing after it): the attempt is counted whether it was right or wrong
    let mut store = RamFactorStore::default();
    let _ = store.store(&LockoutTable::default());
    let mut fv = FactorVerifier::new(store, LockoutPolicy::DEFAULT);
    let operator_v = PinVerifier::derive(&mut f.c, b"pump-0042", b"000000").unwrap();
    let tag = FactorTag::compute(&mut f.c, &operator_v, &TH_3);
    let _ = fv.verify(&mut f.c, &mut f.log, &f.v, &TH_3, Some(&tag), SUBJ, t(0));
    assert_eq!(fv.store().table.state_of(&SUBJ).failures, 1);

    // a correct attempt whose reset write fails stays counted (conservative) but is valid
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    let good = FactorTag::compute(&mut f.c, &f.v, &TH_3);
    struct OneWrite(RamFactorStore, u32);
    impl FactorStore for OneWrite {
        fn load(&mut self) -> Result<LockoutTable, FactorStorageError> {
            self.0.load()
        }
        fn store(&mut self, s: &LockoutTable) -> Result<(), FactorStorageError> {
            self.1 += 1;
            if self.1 > 1 {
                return Err(FactorStorageError);
            }
            self.0.store(s)
        }
    }
    let mut one = FactorVerifier::new(
        OneWrite(RamFactorStore::default(), 0),
        LockoutPolicy::DEFAULT,
    );
    assert!(
        one.verify(&mut f.c, &mut f.log, &f.v, &TH_3, Some(&good), SUBJ, t(0))
            .is_ok()
    );
    assert_eq!(one.store().0.table.state_of(&SUBJ).failures, 1);
    assert!(
        fv.verify(&mut f.c, &mut f.log, &f.v, &TH_3, Some(&good), SUBJ, t(0))
            .is_ok()
    );
}

proptest! {
    #[test]
    fn factor_ead_item_parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..40)) {
        if let Ok(tag) = FactorTag::parse_ead_item(&data) {
            let mut out = [0u8; FACTOR_EAD_ITEM_LEN];
            let n = tag.encode_ead_item(&mut out).unwrap();
            prop_assert_eq!(&out[..n], &data[..]);
        }
    }

    #[test]
    fn factor_any_wrong_tag_is_rejected(tag: [u8; 16]) {
        let mut f = fx();
        let good = FactorTag::compute(&mut f.c, &f.v, &TH_3);
        prop_assume!(tag != good.0);
        let r = f.fv.verify(&mut f.c, &mut f.log, &f.v, &TH_3, Some(&FactorTag(tag)), SUBJ, t(0));
        prop_assert_eq!(r.unwrap_err(), FactorError::Mismatch);
    }
}

mod through_edhoc {
    //! The factor through real EDHOC handshakes (RFC 9529 §3 credentials, method 3):
    //! the initiator (operator app) reads TH_3 before building message_3 and sends the tag
    //! in EAD_3; the responder (device) reads TH_3 and EAD_3 after parsing message_3,
    //! authenticates the credential, then checks the factor.
    use super::*;
    use iomt_auth::cred::{PeerIdentity, RoleSet, StaticTrustStore, TrustEntry};
    use iomt_auth::edhoc::*;
    use iomt_auth::rbac::{RbacDenyReason, RbacPolicy, SessionAuth};
    use iomt_core::{Operation, Role};

    use iomt_testkit::rfc9529::{CRED_I, CRED_R, SK_I, SK_R, h};
    use iomt_testkit::stores::{local_i, local_r};

    /// What the device ends up with after one handshake.
    struct DeviceSide {
        session: SessionAuth,
        result: Result<(), FactorError>,
        th_3_i: [u8; 32],
        th_3_r: [u8; 32],
        tag_sent: Option<FactorTag>,
    }

    /// One handshake; the operator types `pin` (None: no factor sent), or replays `replay`.
    fn handshake(f: &mut Fx, pin: Option<&[u8]>, replay: Option<FactorTag>) -> DeviceSide {
        let c = &mut f.c;
        let (cred_i, cred_r) = (h(CRED_I), h(CRED_R));
        let sk_i = c.static_key(&h(SK_I)).unwrap();
        let sk_r = c.static_key(&h(SK_R)).unwrap();
        let me_i = local_i(&sk_i, &cred_i);
        let me_r = local_r(&sk_r, &cred_r);
        let trust_i = StaticTrustStore::new([TrustEntry {
            kid: &[0x32],
            cred: &cred_r,
            identity: PeerIdentity::from_slice(b"pump-0042"),
            roles: RoleSet::only(Role::Device),
        }]);
        let trust_r = StaticTrustStore::new([TrustEntry {
            kid: &[0x2b],
            cred: &cred_i,
            identity: PeerIdentity::from_slice(b"tech-7"),
            roles: RoleSet::only(Role::Technician),
        }]);
        let init = Initiator::new(&InitiatorConfig {
            method: Method::StatStat,
            suites: &[2],
            c_i: ConnId::new(&[0x37]).unwrap(),
            expect_message_4: false,
            ead_labels: EadLabels::NONE,
        })
        .unwrap();
        let resp = Responder::new(&ResponderConfig {
            suites: &[2, 5],
            methods: &Method::ALL,
            c_r: ConnId::new(&[0x27]).unwrap(),
            send_message_4: false,
            ead_labels: EadLabels::NONE,
        })
        .unwrap();
        let (mut m1, mut m2, mut m3) = ([0u8; 64], [0u8; 128], [0u8; 96]);
        let (i, n1) = init.prepare_message_1(c, &[], &mut m1).unwrap();
        let r = resp.process_message_1(c, &m1[..n1]).unwrap();
        let (r, n2) = r.prepare_message_2(c, &me_r, &[], &mut m2).unwrap();
        let i = i.parse_message_2(c, &mut m2[..n2]).unwrap();
        let i = i.verify_with_store(c, &trust_i).unwrap();

        // operator app: TH_3 is known before message_3 is built
        let th_3_i = *i.th_3();
        let tag = match (pin, replay) {
            (_, Some(t)) => Some(t),
            (Some(pin), None) => {
                let v = PinVerifier::derive(c, &i.peer_identity().0, pin).unwrap();
                Some(FactorTag::compute(c, &v, &th_3_i))
            }
            (None, None) => None,
        };
        let items: Vec<EadItem<'_>> = tag.iter().map(|t| t.as_ead_item()).collect();
        let (AfterMessage3::Completed(_done_i), n3) =
            i.prepare_message_3(c, &me_i, &items, &mut m3).unwrap()
        else {
            panic!("no message_4 configured")
        };

        // device: parse, remember TH_3 and the factor item, authenticate, then check
        let r = r.parse_message_3(c, &mut m3[..n3]).unwrap();
        let presented = FactorTag::from_ead_items(r.ead_3().items()).unwrap();
        let r = r.verify_with_store(c, &trust_r).unwrap();
        let th_3_r = *r.th_3(); // only after the credential verified
        let done_r = r.complete(c).unwrap();
        let mut session = SessionAuth::from_completed(c, &done_r);
        let result = f.fv.verify(
            c,
            &mut f.log,
            &f.v,
            &th_3_r,
            presented.as_ref(),
            session.subject(),
            t(0),
        );
        let summary = result.as_ref().map(|_| ()).map_err(|e| *e);
        session.set_factor(FactorOutcome::from_result(result));
        DeviceSide {
            session,
            result: summary,
            th_3_i,
            th_3_r,
            tag_sent: tag,
        }
    }

    /// The device's verifier is derived from its own identity ("pump-0042") and PIN 482916.
    fn fx_edhoc() -> Fx {
        let mut f = fx();
        f.v = PinVerifier::derive(
            &mut f.c,
            &PeerIdentity::from_slice(b"pump-0042").0,
            b"482916",
        )
        .unwrap();
        f
    }

    #[test]
    fn factor_edhoc_correct_pin_unlocks_privileged_operations() {
        let mut f = fx_edhoc();
        let mut d = handshake(&mut f, Some(b"482916"), None);
        assert_eq!(d.th_3_i, d.th_3_r);
        assert!(d.result.is_ok());
        assert_eq!(d.session.roles(), RoleSet::only(Role::Technician));
        let permit = RbacPolicy::DEFAULT
            .authorize(
                &mut f.c,
                &mut f.log,
                &mut d.session,
                Operation::FirmwareUpdate,
                t(1),
            )
            .unwrap();
        assert_eq!(permit.operation(), Operation::FirmwareUpdate);
    }

    #[test]
    fn factor_edhoc_wrong_pin_or_no_factor_denies_privileged_operations() {
        let mut f = fx_edhoc();
        let mut d = handshake(&mut f, Some(b"482917"), None);
        assert_eq!(d.result.unwrap_err(), FactorError::Mismatch);
        assert_eq!(
            RbacPolicy::DEFAULT.authorize(
                &mut f.c,
                &mut f.log,
                &mut d.session,
                Operation::FirmwareUpdate,
                t(1)
            ),
            Err(RbacDenyReason::FactorRequired)
        );
        // the credential alone still allows what needs no factor
        assert!(
            RbacPolicy::DEFAULT
                .authorize(
                    &mut f.c,
                    &mut f.log,
                    &mut d.session,
                    Operation::ReadAuditLog,
                    t(1)
                )
                .is_ok()
        );
        let d = handshake(&mut f, None, None);
        assert_eq!(d.result.unwrap_err(), FactorError::Absent);
        assert_eq!(
            RbacPolicy::DEFAULT.decide(&d.session, Operation::FirmwareUpdate),
            iomt_auth::rbac::RbacDecision::Deny(RbacDenyReason::FactorRequired)
        );
    }

    #[test]
    fn factor_edhoc_replayed_tag_from_another_handshake_rejected() {
        let mut f = fx_edhoc();
        let first = handshake(&mut f, Some(b"482916"), None);
        assert!(first.result.is_ok());
        // an attacker who somehow learned the first tag replays it in a new handshake
        let second = handshake(&mut f, None, first.tag_sent);
        assert_ne!(first.th_3_r, second.th_3_r);
        assert_eq!(second.result.unwrap_err(), FactorError::Mismatch);
        assert!(matches!(second.session.factor(), FactorOutcome::Failed));
    }

    #[test]
    fn factor_edhoc_proof_of_an_earlier_session_does_not_count_in_a_later_one() {
        let mut f = fx_edhoc();
        let first = handshake(&mut f, Some(b"482916"), None);
        assert!(first.result.is_ok());
        // The same operator's next session, which presented no factor.
        let mut second = handshake(&mut f, None, None);
        // A genuine proof for the first handshake, carried over (same subject).
        let tag = FactorTag::compute(&mut f.c, &f.v, &first.th_3_r);
        let who = second.session.subject();
        let proof =
            f.fv.verify(
                &mut f.c,
                &mut f.log,
                &f.v,
                &first.th_3_r,
                Some(&tag),
                who,
                t(0),
            )
            .unwrap();
        assert_eq!(proof.subject(), who);
        second.session.set_factor(FactorOutcome::Verified(proof));
        assert_eq!(
            RbacPolicy::DEFAULT.decide(&second.session, Operation::FirmwareUpdate),
            iomt_auth::rbac::RbacDecision::Deny(RbacDenyReason::FactorRequired)
        );
    }

    #[test]
    fn lockout_through_edhoc_after_repeated_wrong_pins() {
        let mut f = fx_edhoc();
        for _ in 0..3 {
            assert_eq!(
                handshake(&mut f, Some(b"000000"), None).result.unwrap_err(),
                FactorError::Mismatch
            );
        }
        let d = handshake(&mut f, Some(b"482916"), None);
        assert_eq!(
            d.result.unwrap_err(),
            FactorError::LockedOut { until: t(30) }
        );
        assert_eq!(
            RbacPolicy::DEFAULT.decide(&d.session, Operation::FirmwareUpdate),
            iomt_auth::rbac::RbacDecision::Deny(RbacDenyReason::LockedOut)
        );
    }
}

/// `==` on the secret verifier and on the tag (a MAC) is constant-time (`subtle`), with
/// the usual equality semantics: a difference in any byte makes them unequal.
#[test]
fn verifier_and_tag_equality_compare_every_byte() {
    let mut crypto = DeterministicProvider::new();
    let v = PinVerifier::derive(&mut crypto, b"pump-0042", b"123456").unwrap();
    assert_eq!(v, PinVerifier::from_bytes(*v.as_bytes()));
    for i in 0..32 {
        let mut b = *v.as_bytes();
        b[i] ^= 0x80;
        assert_ne!(v, PinVerifier::from_bytes(b), "byte {i}");
    }
    let t = FactorTag::compute(&mut crypto, &v, &[3; 32]);
    assert_eq!(t, FactorTag(t.0));
    for i in 0..16 {
        let mut b = t.0;
        b[i] ^= 1;
        assert_ne!(t, FactorTag(b), "byte {i}");
    }
}
