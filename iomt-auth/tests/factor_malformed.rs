//! Issue 25.10: in Rust, a malformed operator-factor item in EAD_3 is audited (as a factor
//! failure, not counted as a guess) by `FactorVerifier::verify_handshake`, the one path the
//! Rust and C APIs share, which takes only a `Completed` handshake: the factor is checked
//! after the initiator's credential verified.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

mod common;

use common::*;
use iomt_auth::audit::{AuditEvent, AuditLog, Outcome, RamAuditStore, subject_of};
use iomt_auth::cred::LocalCredential;
use iomt_auth::edhoc::*;
use iomt_auth::factor::{
    FACTOR_EAD_LABEL, FactorError, FactorStore, FactorVerifier, LockoutPolicy, PinVerifier,
    RamFactorStore,
};
use iomt_core::Timestamp;
use iomt_crypto::DeterministicProvider;

/// One method-3 handshake (RFC 9529 §3 credentials) whose message_3 carries `ead_3`; the
/// responder's completed state.
fn completed_with(c: &mut DeterministicProvider, ead_3: &[EadItem<'_>]) -> Completed {
    let (cred_i, cred_r) = (cred_i(), cred_r());
    let (sk_i, sk_r) = (
        c.static_key(&t("SK_I")).unwrap(),
        c.static_key(&t("SK_R")).unwrap(),
    );
    let me_i = LocalCredential {
        key: &sk_i,
        cred: &cred_i,
        id_cred: id_kid(KID_I),
    };
    let me_r = LocalCredential {
        key: &sk_r,
        cred: &cred_r,
        id_cred: id_kid(KID_R),
    };
    let init = Initiator::new(&InitiatorConfig {
        method: Method::StatStat,
        suites: &[2],
        c_i: ConnId::new(&[0x37]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let resp = Responder::new(&ResponderConfig {
        suites: &[2],
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let (mut m1, mut m2, mut m3) = ([0u8; 64], [0u8; 128], [0u8; 128]);
    let (i, n1) = init.prepare_message_1(c, &[], &mut m1).unwrap();
    let r = resp.process_message_1(c, &m1[..n1]).unwrap();
    let (r, n2) = r.prepare_message_2(c, &me_r, &[], &mut m2).unwrap();
    let i = i.parse_message_2(c, &mut m2[..n2]).unwrap();
    let i = i.verify_with_store(c, &store_of_i(&cred_r)).unwrap();
    let (_, n3) = i.prepare_message_3(c, &me_i, ead_3, &mut m3).unwrap();
    let r = r.parse_message_3(c, &mut m3[..n3]).unwrap();
    r.verify_with_store(c, &store_of_r(&cred_i))
        .unwrap()
        .complete(c)
        .unwrap()
}

#[test]
fn a_malformed_factor_item_is_audited_in_rust_and_not_counted() {
    let mut c = DeterministicProvider::new();
    let mut log = AuditLog::open(&mut c, RamAuditStore::<8>::new(), [0; 8]).unwrap();
    let verifier = PinVerifier::derive(&mut c, b"pump", b"123456").unwrap();
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    let now = Timestamp::from_secs(1_800_000_000);
    // A factor item of the wrong length (the tag is 16 bytes).
    let short = [0u8; 3];
    let done = completed_with(
        &mut c,
        &[EadItem {
            label: FACTOR_EAD_LABEL,
            value: Some(&short),
        }],
    );

    let r = fv.verify_handshake(&mut c, &mut log, &verifier, &done, now);
    assert_eq!(r.err(), Some(FactorError::Malformed));
    assert_eq!(log.meta().next_seq, 1, "the malformed item is on record");
    let rec = log.read(0).unwrap();
    assert_eq!(
        (rec.event, rec.outcome),
        (AuditEvent::FactorFailed, Outcome::Failure)
    );
    assert_eq!(rec.subject, subject_of(&mut c, &identity_i().0));
    let table = fv.store_mut().load().unwrap();
    assert_eq!(
        (table.device.failures, table.state_of(&rec.subject).failures),
        (0, 0),
        "a malformed item is not a guess"
    );
}
