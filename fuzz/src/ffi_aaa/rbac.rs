//! Mode 2: an arbitrary RBAC rule table against a model, for sessions of every factor
//! outcome.

use super::*;

pub(super) const PRIVILEGED: [u8; 4] = [3, 4, 6, 7];

/// The documented decision for `session` and `op` under `rules`.
pub(super) fn model(rules: &[iomt_rbac_rule], s: &Session, op: u8) -> iomt_result {
    if op > 7 {
        return iomt_result::InvalidCode;
    }
    if s.roles == 0 {
        return iomt_result::AuthzNoRole;
    }
    let req = rules
        .iter()
        .filter(|r| r.operation == op && s.roles & (1 << r.role) != 0)
        .map(|r| r.requirement)
        .min();
    let Some(req) = req else {
        return iomt_result::AuthzNotPermitted;
    };
    if req == 0 && !PRIVILEGED.contains(&op) {
        return iomt_result::Ok;
    }
    match s.factor {
        Factor::Verified => iomt_result::Ok,
        Factor::LockedOut => iomt_result::AuthzLockedOut,
        Factor::Absent | Factor::Failed => iomt_result::AuthzFactorRequired,
    }
}

/// 2: an arbitrary rule table, then decisions and audited authorizations.
pub(super) fn rbac(mut b: Bytes<'_>) {
    let n = usize::from(b.u8() % 40);
    let rules: Vec<iomt_rbac_rule> = (0..n)
        .map(|_| iomt_rbac_rule {
            role: b.u8() % 12,
            operation: b.u8() % 10,
            requirement: b.u8() % 3,
        })
        .collect();
    let valid = n <= IOMT_MAX_RBAC_RULES
        && rules
            .iter()
            .all(|r| r.role <= 8 && r.operation <= 7 && r.requirement <= 1);
    let mut policy = zeroed::<iomt_rbac_policy>();
    // SAFETY: valid storage; `rules` holds `n` rules.
    let r = unsafe { iomt_rbac_policy_init(&mut *policy, rules.as_ptr(), rules.len()) };
    assert_ne!(r, iomt_result::Panic);
    assert_eq!(
        r == iomt_result::Ok,
        valid,
        "policy init {r:?} for valid = {valid}"
    );
    if r != iomt_result::Ok {
        return;
    }
    let mut c = crypto();
    let mut flash = Flash::new(4);
    let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
    ok(r);
    let sessions = sessions();
    while !b.is_empty() {
        let s = &sessions[usize::from(b.u8()) % sessions.len()];
        let op = b.u8() % 10;
        let want = model(&rules, s, op);
        // SAFETY: live objects.
        let got = unsafe { iomt_rbac_decide(&*policy, &*s.auth, op) };
        assert_eq!(got, want, "decide op {op} roles {:#x}", s.roles);
        let before = meta_of(&log).next_seq;
        let mut permit = zeroed::<iomt_permit>();
        let mut auth = kit::duplicate_session_auth(&s.auth);
        let got = authorize(&policy, &mut c, &mut log, &mut auth, op, &mut permit);
        assert_eq!(got, want, "authorize op {op} roles {:#x}", s.roles);
        let after = meta_of(&log).next_seq;
        let mut info: iomt_session_auth_info = *zeroed();
        // SAFETY: live objects.
        ok(unsafe { iomt_session_auth_get_info(&*s.auth, &mut info) });
        match got {
            iomt_result::Ok => {
                let (mut pop, mut subject) = (0xffu8, [0u8; 8]);
                // SAFETY: a live permit and valid outputs.
                ok(unsafe { iomt_permit_get(&*permit, &mut pop, subject.as_mut_ptr()) });
                assert_eq!((pop, subject), (op, info.subject));
                if PRIVILEGED.contains(&op) {
                    assert_eq!(after, before.wrapping_add(1));
                    let rec = last_record(&mut log);
                    assert_eq!(
                        (rec.event, rec.outcome, rec.subject, rec.detail[0]),
                        (9, 0, info.subject, op)
                    );
                } else {
                    assert_eq!(after, before, "a plain operation is not audited");
                }
                // SAFETY: valid storage.
                ok(unsafe { iomt_permit_deinit(&mut *permit) });
            }
            iomt_result::InvalidCode => assert_eq!(after, before),
            _ => {
                assert_eq!(after, before.wrapping_add(1), "every denial is audited");
                let rec = last_record(&mut log);
                assert_eq!(
                    (rec.event, rec.outcome, rec.subject, rec.detail[0]),
                    (10, 2, info.subject, op)
                );
                let (mut pop, mut subject) = (0u8, [0u8; 8]);
                // SAFETY: valid storage and outputs.
                let r = unsafe { iomt_permit_get(&*permit, &mut pop, subject.as_mut_ptr()) };
                assert_eq!(r, iomt_result::NotInitialized, "a denial wrote a permit");
            }
        }
    }
    // SAFETY: valid storage.
    unsafe {
        ok(iomt_rbac_policy_deinit(&mut *policy));
        ok(iomt_audit_log_deinit(&mut *log));
    }
}
