//! Issue 25.1: claiming a role the peer does not hold through `iomt_consent_enforce` is an
//! audited denial (the same iomt-auth function as the Rust path), and fails closed when
//! the audit record cannot be written.

use super::aaa::{NOW, auth_for, emergency_tag, enforce, flash, meta, open_log, record, request};
use super::factor::info;
use super::*;

#[test]
#[cfg_attr(miri, ignore = "SHA-256 audit chain: slow under Miri")]
fn role_claim_denial_is_audited_then_refused_and_fails_closed_without_the_log() {
    let mut c = Crypto::new(61);
    let mut f = flash(8);
    let mut log = open_log(&mut c, &mut f);
    let researcher = auth_for(&mut c, b"res", 1 << 4);
    let claim_clinician = |c: &mut Crypto, log: &mut iomt_audit_log| {
        enforce(c, log, &emergency_tag(), &request(1, 1, NOW), &researcher)
    };

    // A researcher session claims the clinician role (code 1) to break glass (ETREAT, 1).
    let before = meta(&log);
    let claimed = claim_clinician(&mut c, &mut log);
    assert_eq!(claimed.err(), Some(iomt_result::AuthzNotPermitted));
    assert_eq!(
        meta(&log).next_seq,
        before.next_seq + 1,
        "the escalation attempt is on record"
    );
    let rec = record(&mut log, before.next_seq);
    assert_eq!(
        (rec.event, rec.outcome),
        (10, 2),
        "OPERATION_DENIED, denied"
    );
    assert_eq!(rec.subject, info(&researcher).subject);
    assert_eq!(rec.time, NOW);
    // No device operation (0), NotPermitted (2), claimed role, purpose, action, class.
    assert_eq!(rec.detail[..6], [0, 2, 1, 1, 1, 0]);
    assert!(rec.detail[6..].iter().all(|&b| b == 0));

    // The role it holds goes on to consent evaluation (a researcher may not break glass):
    // that denial is the consent one, audited as CONSENT_DENIED.
    let own = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(4, 1, NOW),
        &researcher,
    );
    assert_eq!(own.err(), Some(iomt_result::ConsentDenied));
    assert_eq!(record(&mut log, before.next_seq + 1).event, 7);

    // The log cannot take the record: fail closed with AUDIT_UNAVAILABLE, nothing written.
    let before = meta(&log);
    f.fail_write_slot = true;
    let claimed = claim_clinician(&mut c, &mut log);
    assert_eq!(claimed.err(), Some(iomt_result::AuthzAuditUnavailable));
    assert_eq!(meta(&log), before);
}
