//! Consent enforcement with break-glass through the C API: time-limited, audited, and only
//! for emergencies.

use super::aaa::{auth_for, emergency_tag, enforce, flash, meta, open_log, record, request};
use super::factor::info;
use super::*;

#[test]
#[cfg_attr(miri, ignore)]
fn break_glass_is_time_limited_audited_and_only_for_emergencies() {
    let mut c = Crypto::new(15);
    let mut f = flash(16);
    let mut log = open_log(&mut c, &mut f);
    let clinician = auth_for(&mut c, b"dr-who", 1 << 1);
    let researcher = auth_for(&mut c, b"res", 1 << 4);

    // An ordinary permit.
    let ok = enforce(
        &mut c,
        &mut log,
        &sample_tag(),
        &request(1, 0, 150),
        &clinician,
    )
    .unwrap();
    assert_eq!(
        (ok.kind, ok.expires, ok.audit_seq),
        (iomt_decision_kind::Permit, 0, 0)
    );
    assert_eq!(meta(&log).next_seq, 0, "a plain permit writes no record");

    // A denial is audited.
    let denied = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(1, 0, 150),
        &clinician,
    );
    assert_eq!(denied.err(), Some(iomt_result::ConsentDenied));
    assert_eq!(record(&mut log, 0).event, 7);

    // Emergency treatment by a clinician: break-glass, audited before access.
    let bg = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(1, 1, 150),
        &clinician,
    )
    .unwrap();
    assert_eq!(bg.kind, iomt_decision_kind::BreakGlass);
    assert_eq!(bg.expires, 150 + 900);
    let rec = record(&mut log, bg.audit_seq);
    assert_eq!((rec.event, rec.subject), (8, info(&clinician).subject));

    // A role the session does not hold cannot be claimed.
    let claimed = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(1, 1, 150),
        &researcher,
    );
    assert_eq!(claimed.err(), Some(iomt_result::AuthzNotPermitted));
    // A researcher may not break glass.
    let r = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(4, 1, 150),
        &researcher,
    );
    assert_eq!(r.err(), Some(iomt_result::ConsentDenied));

    // No audit, no break-glass.
    let before = meta(&log);
    f.fail_write_slot = true;
    let r = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(1, 1, 150),
        &clinician,
    );
    assert_eq!(r.err(), Some(iomt_result::AuthzAuditUnavailable));
    assert_eq!(meta(&log), before);
    f.fail_write_slot = false;

    // Invalid inputs are errors, never access.
    let mut bad = emergency_tag();
    bad.permit = 7;
    let r = enforce(&mut c, &mut log, &bad, &request(1, 1, 150), &clinician);
    assert_eq!(r.err(), Some(iomt_result::InvalidCode));
}
