//! Sessions of every operator-factor outcome, from real C handshakes.

use super::*;

/// Factor outcome a setup session ends with.
#[derive(Clone, Copy)]
pub(super) enum Factor {
    Absent,
    Verified,
    Failed,
    LockedOut,
}

pub(super) struct Session {
    pub(super) auth: Box<iomt_session_auth>,
    pub(super) roles: u16,
    pub(super) factor: Factor,
}

/// Completed handshakes (RFC 9529 keys, method 3, suite 2) whose initiator holds `roles`,
/// with the operator factor in the given state. Built once per process.
pub(super) fn sessions() -> &'static [Session] {
    static S: OnceLock<Vec<Session>> = OnceLock::new();
    S.get_or_init(|| {
        let specs: [(u16, Factor); 8] = [
            (0, Factor::Absent),
            ((1 << 3) | (1 << 5), Factor::Verified),
            ((1 << 3) | (1 << 5), Factor::Failed),
            ((1 << 3) | (1 << 5), Factor::LockedOut),
            (1 << 1, Factor::Verified),
            ((1 << 2) | (1 << 6), Factor::Absent),
            (0x1ff, Factor::Verified),
            ((1 << 0) | (1 << 4) | (1 << 7) | (1 << 8), Factor::Absent),
        ];
        specs
            .iter()
            .map(|&(roles, factor)| Session {
                auth: handshake(roles, factor),
                roles,
                factor,
            })
            .collect()
    })
}

pub(super) unsafe extern "C" fn factor_load(ud: *mut c_void, s: *mut iomt_lockout_table) -> i32 {
    // SAFETY: `ud` is a live table; `s` a valid output.
    unsafe { *s = *ud.cast::<iomt_lockout_table>() };
    0
}

pub(super) unsafe extern "C" fn factor_store(ud: *mut c_void, s: *const iomt_lockout_table) -> i32 {
    // SAFETY: `ud` is a live table; `s` a valid input.
    unsafe { *ud.cast::<iomt_lockout_table>() = *s };
    0
}

pub(super) fn handshake(roles: u16, factor: Factor) -> Box<iomt_session_auth> {
    let mut c = crypto();
    // The operator (initiator) trusts the pump; the pump grants the operator `roles`.
    let mut operator = kit::initiator_side(b"pump", 1 << 7);
    let mut pump = kit::responder_side(b"operator", roles);
    let mut factor_state = Box::new(iomt_lockout_table::default());
    let mut flash = Flash::new(4);
    let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
    ok(r);
    let mut fv = zeroed::<iomt_factor_verifier>();
    let policy = iomt_lockout_policy {
        free_attempts: 1,
        reserved: 0,
        base_secs: 60,
        max_secs: 600,
    };
    let fops = iomt_factor_store_ops {
        userdata: (&mut *factor_state as *mut iomt_lockout_table).cast(),
        load: Some(factor_load),
        store: Some(factor_store),
    };
    let mut pin_v = [0u8; IOMT_PIN_VERIFIER_LEN];
    let mut auth = zeroed::<iomt_session_auth>();
    // SAFETY: every pointer below is to live, boxed or local storage of the right size.
    unsafe {
        ok(iomt_factor_verifier_init(&mut *fv, &fops, &policy));
        ok(iomt_pin_verifier_derive(
            &mut *c,
            b"pump".as_ptr(),
            4,
            b"1234".as_ptr(),
            4,
            pin_v.as_mut_ptr(),
        ));
    }
    let attempts = match factor {
        Factor::Absent | Factor::Verified | Factor::Failed => 1,
        Factor::LockedOut => 2,
    };
    for _ in 0..attempts {
        let x = Exchange {
            method: 3,
            initiator_suites: &[2],
            responder_suites: &[2],
            m4: false,
            labels: &[],
            ead_1: Vec::new(),
            ead_3: Vec::new(),
        };
        // Right after message_2 (TH_3 known): the operator's factor tag into EAD_3, over
        // the right PIN verifier only for `Verified`.
        let (mut ini, mut resp) = kit::drive(&mut c, x, &operator, &pump, &mut |p| {
            if p.step != Step::ReadMessage2 || matches!(factor, Factor::Absent) {
                return;
            }
            let mut tag = [0u8; IOMT_FACTOR_TAG_LEN];
            let mut app_v = pin_v;
            if !matches!(factor, Factor::Verified) {
                app_v[0] ^= 1;
            }
            // SAFETY: valid objects and buffers of the documented sizes.
            ok(unsafe {
                iomt_handshake_factor_tag(
                    &*p.initiator,
                    p.crypto.ptr(),
                    app_v.as_ptr(),
                    tag.as_mut_ptr(),
                )
            });
            p.ead_3.push(Ead {
                label: IOMT_FACTOR_EAD_LABEL,
                value: Some(tag.to_vec()),
            });
        });
        // SAFETY: completed objects and live storage.
        unsafe {
            ok(iomt_session_auth_deinit(&mut *auth));
            ok(iomt_session_auth_init(&mut *auth, &mut *c, &mut *resp));
            let r = iomt_session_auth_verify_factor(
                &mut *auth,
                &mut *resp,
                &mut *c,
                &mut *fv,
                &mut *log,
                pin_v.as_ptr(),
                NOW,
            );
            assert_ne!(r, iomt_result::Panic);
            ok(iomt_handshake_deinit(&mut *ini));
            ok(iomt_handshake_deinit(&mut *resp));
        }
    }
    let mut info: iomt_session_auth_info = *zeroed();
    // SAFETY: live objects.
    unsafe {
        ok(iomt_session_auth_get_info(&*auth, &mut info));
        let want = match factor {
            Factor::Absent => iomt_factor_outcome::Absent,
            Factor::Verified => iomt_factor_outcome::Verified,
            Factor::Failed => iomt_factor_outcome::Failed,
            Factor::LockedOut => iomt_factor_outcome::LockedOut,
        };
        assert_eq!((info.roles, info.factor), (roles, want));
        ok(iomt_factor_verifier_deinit(&mut *fv));
        ok(iomt_audit_log_deinit(&mut *log));
        ok(iomt_trust_store_deinit(&mut *operator.trust));
        ok(iomt_trust_store_deinit(&mut *pump.trust));
    }
    auth
}

/// `iomt_rbac_authorize` of `op` at `NOW` under `policy` for `auth`, writing `permit` only
/// on success.
pub(super) fn authorize(
    policy: &iomt_rbac_policy,
    c: &mut iomt_crypto,
    log: &mut iomt_audit_log,
    auth: &mut iomt_session_auth,
    op: u8,
    permit: &mut iomt_permit,
) -> iomt_result {
    // SAFETY: every reference is a live object or valid storage.
    unsafe { iomt_rbac_authorize(policy, c, log, auth, op, NOW, permit) }
}
