//! Mode 3: consent enforcement against `iomt_consent_evaluate`.

use super::*;

/// 3: consent enforcement against the pure evaluation.
pub(super) fn consent(mut b: Bytes<'_>) {
    let sessions = sessions();
    let s = &sessions[usize::from(b.u8()) % sessions.len()];
    let ttl = b.u64() % (6 * 3600);
    let tag: iomt_consent_tag = b.pod();
    let req: iomt_access_request = b.pod();
    let mut c = crypto();
    let mut flash = Flash::new(4);
    flash.fail_at = (b.u8() == 0xa5).then_some(b.u8().into());
    let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
    if r != iomt_result::Ok {
        return;
    }
    let mut decision: iomt_decision = *zeroed();
    // SAFETY: valid pointers.
    let evaluated = unsafe { iomt_consent_evaluate(&tag, &req, &mut decision) };
    let before = meta_of(&log).next_seq;
    let mut access: iomt_consent_access = *zeroed();
    // SAFETY: valid pointers and live objects.
    let got =
        unsafe { iomt_consent_enforce(&tag, &req, &mut *c, &mut *log, &*s.auth, ttl, &mut access) };
    assert_ne!(got, iomt_result::Panic);
    let after = meta_of(&log).next_seq;
    if evaluated != iomt_result::Ok {
        assert_eq!(got, evaluated, "an invalid tag or request");
        assert_eq!(after, before);
        return;
    }
    if req.role > 15 || s.roles & (1 << req.role) == 0 {
        // A claimed role the session does not hold is refused and on record (issue 25.1);
        // if the record cannot be written the call fails closed.
        match got {
            iomt_result::AuthzNotPermitted => {
                assert_eq!(
                    after,
                    before.wrapping_add(1),
                    "the role-claim denial is on record"
                );
                let rec = last_record(&mut log);
                assert_eq!(
                    (rec.event, rec.outcome),
                    (10, 2),
                    "an OperationDenied record"
                );
            }
            iomt_result::AuthzAuditUnavailable => assert_eq!(after, before),
            other => panic!("role claim refused with {other:?}"),
        }
        return;
    }
    match decision.kind {
        iomt_decision_kind::Permit => {
            assert_eq!(got, iomt_result::Ok);
            assert_eq!(
                (access.kind, access.expires, access.audit_seq),
                (iomt_decision_kind::Permit, 0, 0)
            );
            assert_eq!(after, before);
        }
        iomt_decision_kind::Deny => {
            assert_eq!(got, iomt_result::ConsentDenied);
            assert!(after == before || after == before.wrapping_add(1));
        }
        iomt_decision_kind::BreakGlass => match got {
            iomt_result::Ok => {
                assert_eq!(access.kind, iomt_decision_kind::BreakGlass);
                let cap = ttl.min(IOMT_BREAK_GLASS_MAX_TTL_SECS);
                assert_eq!(access.expires, req.now.saturating_add(cap));
                assert_eq!(after, before.wrapping_add(1), "break-glass is audited");
                assert_eq!(access.audit_seq, before);
                let rec = last_record(&mut log);
                assert_eq!((rec.event, rec.seq), (8, before));
            }
            iomt_result::BreakGlassExpired => assert!(ttl == 0 || req.now == u64::MAX),
            iomt_result::AuthzAuditUnavailable => assert_eq!(after, before),
            other => panic!("break-glass: unexpected {other:?}"),
        },
    }
    // SAFETY: valid storage.
    ok(unsafe { iomt_audit_log_deinit(&mut *log) });
}
