//! The operator factor through a real C handshake (operator app = initiator, device =
//! responder), RBAC and permits; lockout across reboots; fail-closed without the audit log.

use super::aaa::{Flash, NOW, auth_for, factor_load, factor_store, flash, meta, open_log, record};
use super::*;

const OPERATOR_ROLES: u16 = (1 << 3) | (1 << 5); // technician, administrator

pub(super) struct Parties {
    operator: Side,
    device: Side,
}

pub(super) fn parties() -> Parties {
    Parties {
        operator: side(SK_I, CRED_I, 0x2b, CRED_R, 0x32, b"device-7", 1 << 7),
        device: side(SK_R, CRED_R, 0x32, CRED_I, 0x2b, b"tech-7", OPERATOR_ROLES),
    }
}

pub(super) fn pin_verifier(c: &mut Crypto, pin: &[u8]) -> [u8; 32] {
    let mut v = [0u8; 32];
    let id = b"pump-0042";
    let r = unsafe {
        iomt_pin_verifier_derive(
            c.ptr(),
            id.as_ptr(),
            id.len(),
            pin.as_ptr(),
            pin.len(),
            v.as_mut_ptr(),
        )
    };
    assert_eq!(r, iomt_result::Ok);
    v
}

/// What the operator puts in EAD_3.
pub(super) enum Presented<'a> {
    None,
    Pin(&'a [u8; 32]),
    Tag([u8; 16]),
    /// A factor item whose value has the wrong length.
    Short,
}

/// A handshake in which the operator presents `presented`; returns the responder and the
/// tag it sent.
pub(super) fn factor_handshake(
    c: &mut Crypto,
    p: &Parties,
    presented: &Presented<'_>,
) -> (Box<iomt_handshake>, [u8; 16]) {
    let mut tag = [0u8; 16];
    let x = Exchange {
        method: 3,
        initiator_suites: &[2],
        responder_suites: &[2],
        m4: false,
        labels: &[],
        ead_1: vec![],
        ead_3: vec![],
    };
    let label = IOMT_FACTOR_EAD_LABEL;
    let (mut i, r) = drive(
        c,
        x,
        &p.operator,
        &p.device,
        &mut |s: Progress<'_>| match s.step {
            Step::WriteMessage2 => {
                // Before message_2 is verified there is no TH_3 to bind to.
                let early = unsafe {
                    iomt_handshake_factor_tag(
                        s.initiator,
                        s.crypto.ptr(),
                        [0u8; 32].as_ptr(),
                        tag.as_mut_ptr(),
                    )
                };
                assert_eq!(early, iomt_result::WrongState);
            }
            Step::ReadMessage2 => {
                let value = match presented {
                    Presented::None => return,
                    Presented::Pin(v) => {
                        let rc = unsafe {
                            iomt_handshake_factor_tag(
                                s.initiator,
                                s.crypto.ptr(),
                                v.as_ptr(),
                                tag.as_mut_ptr(),
                            )
                        };
                        assert_eq!(rc, iomt_result::Ok);
                        tag.to_vec()
                    }
                    Presented::Short => tag[..15].to_vec(),
                    Presented::Tag(t) => {
                        tag = *t;
                        tag.to_vec()
                    }
                };
                s.ead_3.push(Ead {
                    label,
                    value: Some(value),
                });
            }
            _ => {}
        },
    );
    assert_eq!(
        unsafe { iomt_handshake_deinit(&raw mut *i) },
        iomt_result::Ok
    );
    (r, tag)
}

pub(super) struct Device {
    pub(super) flash: Box<Flash>,
    log: Box<iomt_audit_log>,
    fv: Box<iomt_factor_verifier>,
    policy: Box<iomt_rbac_policy>,
    verifier: [u8; 32],
}

pub(super) fn device_with(c: &mut Crypto, policy: Option<iomt_lockout_policy>) -> Device {
    let mut flash = flash(16);
    let log = open_log(c, &mut flash);
    let mut fv = zeroed::<iomt_factor_verifier>();
    let fops = iomt_factor_store_ops {
        userdata: core::ptr::from_mut(&mut *flash).cast(),
        load: Some(factor_load),
        store: Some(factor_store),
    };
    let p = policy.as_ref().map_or(null(), core::ptr::from_ref);
    assert_eq!(
        unsafe { iomt_factor_verifier_init(&raw mut *fv, &raw const fops, p) },
        iomt_result::Ok
    );
    let mut rbac = zeroed::<iomt_rbac_policy>();
    assert_eq!(
        unsafe { iomt_rbac_policy_init_default(&raw mut *rbac) },
        iomt_result::Ok
    );
    Device {
        flash,
        log,
        fv,
        policy: rbac,
        verifier: pin_verifier(c, b"123456"),
    }
}

impl Device {
    /// Session auth for the handshake's peer plus the factor check.
    pub(super) fn check(
        &mut self,
        c: &mut Crypto,
        r: &mut iomt_handshake,
        now: u64,
    ) -> (Box<iomt_session_auth>, iomt_result) {
        let mut a = zeroed::<iomt_session_auth>();
        unsafe {
            assert_eq!(
                iomt_session_auth_init(&raw mut *a, c.ptr(), r),
                iomt_result::Ok
            );
            let res = iomt_session_auth_verify_factor(
                &raw mut *a,
                r,
                c.ptr(),
                &raw mut *self.fv,
                &raw mut *self.log,
                self.verifier.as_ptr(),
                now,
            );
            (a, res)
        }
    }

    fn authorize(
        &mut self,
        c: &mut Crypto,
        a: &mut iomt_session_auth,
        op: u8,
    ) -> (Box<iomt_permit>, iomt_result) {
        let mut p = zeroed::<iomt_permit>();
        let r = unsafe {
            iomt_rbac_authorize(
                &raw const *self.policy,
                c.ptr(),
                &raw mut *self.log,
                a,
                op,
                NOW,
                &raw mut *p,
            )
        };
        (p, r)
    }

    fn last_event(&mut self) -> u8 {
        let m = meta(&self.log);
        record(&mut self.log, m.next_seq - 1).event
    }
}

pub(super) fn info(a: &iomt_session_auth) -> iomt_session_auth_info {
    let mut i = MaybeUninit::uninit();
    assert_eq!(
        unsafe { iomt_session_auth_get_info(a, i.as_mut_ptr()) },
        iomt_result::Ok
    );
    unsafe { i.assume_init() }
}

#[test]
#[cfg_attr(miri, ignore)]
fn factor_verified_in_the_handshake_permits_a_privileged_operation_which_is_audited() {
    let mut c = Crypto::new(11);
    let p = parties();
    let mut d = device_with(&mut c, None);
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (mut a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::Ok);
    let i = info(&a);
    assert_eq!(
        (i.roles, i.factor),
        (OPERATOR_ROLES, iomt_factor_outcome::Verified)
    );
    let mut expected_subject = [0u8; 8];
    let id = b"tech-7";
    // The trust store's identity is zero-padded to IOMT_IDENTITY_LEN.
    let mut padded = [0u8; IOMT_IDENTITY_LEN];
    padded[..id.len()].copy_from_slice(id);
    let rc = unsafe {
        iomt_subject_of(
            c.ptr(),
            padded.as_ptr(),
            padded.len(),
            expected_subject.as_mut_ptr(),
        )
    };
    assert_eq!(rc, iomt_result::Ok);
    // Without the padding: the same id (the library pads as the trust store does).
    let mut unpadded = [0u8; 8];
    let rc = unsafe { iomt_subject_of(c.ptr(), id.as_ptr(), id.len(), unpadded.as_mut_ptr()) };
    assert_eq!((rc, unpadded), (iomt_result::Ok, expected_subject));
    let long = [b'x'; IOMT_IDENTITY_LEN + 1];
    let rc = unsafe { iomt_subject_of(c.ptr(), long.as_ptr(), long.len(), unpadded.as_mut_ptr()) };
    assert_eq!(rc, iomt_result::CapacityExceeded);
    assert_eq!(
        i.subject, expected_subject,
        "the subject is the trust store identity's"
    );
    assert_eq!(d.last_event(), 4, "FactorVerified audited");

    let (mut permit, res) = d.authorize(&mut c, &mut a, 6); // clear audit log
    assert_eq!(res, iomt_result::Ok);
    assert_eq!(
        d.last_event(),
        9,
        "PrivilegedOperation audited before the permit"
    );
    let (mut op, mut who) = (0u8, [0u8; 8]);
    assert_eq!(
        unsafe { iomt_permit_get(&raw const *permit, &raw mut op, who.as_mut_ptr()) },
        iomt_result::Ok
    );
    assert_eq!((op, who), (6, i.subject));
    let mut discarded = 0u32;
    let held = meta(&d.log).count;
    let res = unsafe {
        iomt_audit_log_clear(
            &raw mut *d.log,
            c.ptr(),
            &raw mut *a,
            &raw mut *permit,
            NOW,
            &raw mut discarded,
        )
    };
    assert_eq!((res, discarded), (iomt_result::Ok, held));
    assert_eq!(d.last_event(), 14, "the clear is itself on record");
    assert_eq!(meta(&d.log).cleared, held);

    // A permit for another operation does not clear the log.
    let (mut read_permit, res) = d.authorize(&mut c, &mut a, 5);
    assert_eq!(res, iomt_result::Ok);
    let res = unsafe {
        iomt_audit_log_clear(
            &raw mut *d.log,
            c.ptr(),
            &raw mut *a,
            &raw mut *read_permit,
            NOW,
            &raw mut discarded,
        )
    };
    assert_eq!(res, iomt_result::AuthzWrongPermit);
    // Not permitted at all: denied and audited.
    let (_, res) = d.authorize(&mut c, &mut a, 3);
    assert_eq!(res, iomt_result::AuthzNotPermitted);
    assert_eq!(d.last_event(), 10, "OperationDenied audited");

    // The factor of one handshake is checked once.
    let mut again = zeroed::<iomt_session_auth>();
    unsafe {
        assert_eq!(
            iomt_session_auth_init(&raw mut *again, c.ptr(), &raw mut *r),
            iomt_result::Ok
        );
        let res = iomt_session_auth_verify_factor(
            &raw mut *again,
            &raw mut *r,
            c.ptr(),
            &raw mut *d.fv,
            &raw mut *d.log,
            d.verifier.as_ptr(),
            NOW,
        );
        assert_eq!(res, iomt_result::WrongState);
    }
    assert_eq!(info(&again).factor, iomt_factor_outcome::Absent);
}

#[test]
#[cfg_attr(miri, ignore)]
fn factor_wrong_pin_absent_replayed_or_foreign_auth_never_permits() {
    let mut c = Crypto::new(12);
    let p = parties();
    let mut d = device_with(&mut c, None);

    let wrong = pin_verifier(&mut c, b"654321");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&wrong));
    let (mut a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::FactorMismatch);
    assert_eq!(info(&a).factor, iomt_factor_outcome::Failed);
    assert_eq!(d.last_event(), 3, "FactorFailed audited");
    let (_, res) = d.authorize(&mut c, &mut a, 4);
    assert_eq!(res, iomt_result::AuthzFactorRequired);
    assert_eq!(d.last_event(), 10);
    // Non-privileged operations still work with the credential alone.
    assert_eq!(
        unsafe { iomt_rbac_decide(&raw const *d.policy, &raw const *a, 5) },
        iomt_result::Ok
    );

    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::None);
    let (a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(
        (res, info(&a).factor),
        (iomt_result::FactorAbsent, iomt_factor_outcome::Absent)
    );

    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Short);
    let failures_before = d.flash.factor.device.failures;
    let (a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(
        (res, info(&a).factor),
        (iomt_result::FactorMalformed, iomt_factor_outcome::Failed)
    );
    assert_eq!(
        d.last_event(),
        3,
        "a malformed factor is audited as a failure"
    );
    assert_eq!(
        d.flash.factor.device.failures, failures_before,
        "but it is not a guess"
    );

    // A correct tag from one handshake replayed in another.
    let pin = pin_verifier(&mut c, b"123456");
    let (_, good_tag) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Tag(good_tag));
    let (_, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::FactorMismatch, "replayed tag");

    // The auth object of another peer cannot collect this handshake's factor.
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let mut other = auth_for(&mut c, b"someone-else", OPERATOR_ROLES);
    let res = unsafe {
        iomt_session_auth_verify_factor(
            &raw mut *other,
            &raw mut *r,
            c.ptr(),
            &raw mut *d.fv,
            &raw mut *d.log,
            d.verifier.as_ptr(),
            NOW,
        )
    };
    assert_eq!(res, iomt_result::InvalidArgument);
    assert_eq!(info(&other).factor, iomt_factor_outcome::Absent);
    // ...and the rightful session still can.
    let (_, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::Ok);
}

#[test]
#[cfg_attr(miri, ignore)]
fn lockout_survives_a_reboot_and_backs_off() {
    let mut c = Crypto::new(13);
    let p = parties();
    let policy = iomt_lockout_policy {
        free_attempts: 1,
        reserved: 0,
        base_secs: 60,
        max_secs: 3600,
    };
    let mut d = device_with(&mut c, Some(policy));
    let wrong = pin_verifier(&mut c, b"000000");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&wrong));
    let (a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::FactorMismatch);
    assert_eq!(
        d.last_event(),
        5,
        "the failure that earns a lockout records it"
    );
    let tech = info(&a).subject;
    assert_eq!(
        d.flash.factor.subjects[0],
        iomt_lockout_entry {
            state: iomt_factor_state {
                locked_until: NOW + 60,
                failures: 1,
                reserved: 0,
            },
            subject: tech,
        }
    );

    // Reboot: a new verifier object over the same "flash".
    assert_eq!(
        unsafe { iomt_factor_verifier_deinit(&raw mut *d.fv) },
        iomt_result::Ok
    );
    let fops = iomt_factor_store_ops {
        userdata: core::ptr::from_mut(&mut *d.flash).cast(),
        load: Some(factor_load),
        store: Some(factor_store),
    };
    assert_eq!(
        unsafe { iomt_factor_verifier_init(&raw mut *d.fv, &raw const fops, &raw const policy) },
        iomt_result::Ok
    );
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (mut a, res) = d.check(&mut c, &mut r, NOW + 30);
    assert_eq!(
        (res, info(&a).factor),
        (iomt_result::FactorLockedOut, iomt_factor_outcome::LockedOut)
    );
    let (_, res) = d.authorize(&mut c, &mut a, 6);
    assert_eq!(res, iomt_result::AuthzLockedOut);
    let mut st = MaybeUninit::uninit();
    assert_eq!(
        unsafe { iomt_factor_verifier_state(&raw mut *d.fv, tech.as_ptr(), st.as_mut_ptr()) },
        iomt_result::Ok
    );
    assert_eq!(unsafe { st.assume_init() }.locked_until, NOW + 60);

    // After the lockout the right PIN works and resets the counter.
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    assert_eq!(d.check(&mut c, &mut r, NOW + 61).1, iomt_result::Ok);
    assert_eq!(d.flash.factor, iomt_lockout_table::default());

    // A counter that cannot be stored means the tag is not even evaluated.
    d.flash.fail_factor_store = true;
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (a, res) = d.check(&mut c, &mut r, NOW + 100);
    assert_eq!(
        (res, info(&a).factor),
        (iomt_result::FactorStorage, iomt_factor_outcome::Failed)
    );

    // Policies that cannot protect are refused at configuration.
    for (free_attempts, base_secs, max_secs) in [
        (1, 0, 10),
        (0, 0, 0),
        (0, 30, 60),
        (11, 30, 60),
        (3, 30, 10),
    ] {
        let bad = iomt_lockout_policy {
            free_attempts,
            reserved: 0,
            base_secs,
            max_secs,
        };
        let mut fv2 = zeroed::<iomt_factor_verifier>();
        assert_eq!(
            unsafe { iomt_factor_verifier_init(&raw mut *fv2, &raw const fops, &raw const bad) },
            iomt_result::FactorInvalidPolicy,
            "{bad:?}"
        );
    }
    // The explicit padding must be 0: an old positional initializer {1, 60, 3600} would put
    // 60 there and is refused instead of silently shifting the policy.
    let shifted = iomt_lockout_policy {
        free_attempts: 1,
        reserved: 60,
        base_secs: 3600,
        max_secs: 0,
    };
    let mut fv3 = zeroed::<iomt_factor_verifier>();
    assert_eq!(
        unsafe { iomt_factor_verifier_init(&raw mut *fv3, &raw const fops, &raw const shifted) },
        iomt_result::InvalidArgument
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn privileged_operation_fails_closed_when_the_audit_log_is_unavailable() {
    let mut c = Crypto::new(14);
    let p = parties();
    let mut d = device_with(&mut c, None);
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (mut a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::Ok);
    d.flash.fail_write_slot = true;
    let (permit, res) = d.authorize(&mut c, &mut a, 4);
    assert_eq!(res, iomt_result::AuthzAuditUnavailable);
    let (mut op, mut who) = (0u8, [0u8; 8]);
    let r = unsafe { iomt_permit_get(&raw const *permit, &raw mut op, who.as_mut_ptr()) };
    assert_eq!(r, iomt_result::NotInitialized, "no permit was written");
}
