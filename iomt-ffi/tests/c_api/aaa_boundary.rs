//! Boundary checks of the authorization and accounting C API (no P-256: these run under
//! Miri too): storage sizes, missing callbacks, checked storage, RBAC policy validation.

use super::aaa::{DEVICE_ID, NOW, auth_for, flash, open_log, ops};
use super::*;

#[test]
fn aaa_storage_sizes_match_the_header() {
    let header = include_str!("../../include/iomt.h");
    for (name, value) in [
        ("IOMT_AUDIT_LOG_SIZE", IOMT_AUDIT_LOG_SIZE),
        (
            "IOMT_AUDIT_EXPORT_VERIFIER_SIZE",
            IOMT_AUDIT_EXPORT_VERIFIER_SIZE,
        ),
        ("IOMT_SESSION_AUTH_SIZE", IOMT_SESSION_AUTH_SIZE),
        ("IOMT_RBAC_POLICY_SIZE", IOMT_RBAC_POLICY_SIZE),
        ("IOMT_PERMIT_SIZE", IOMT_PERMIT_SIZE),
        ("IOMT_FACTOR_VERIFIER_SIZE", IOMT_FACTOR_VERIFIER_SIZE),
        ("IOMT_AUDIT_ENTRY_LEN", IOMT_AUDIT_ENTRY_LEN),
        ("IOMT_FACTOR_EAD_LABEL", 65_550),
    ] {
        let line = format!("#define {name} {value}");
        assert!(
            header.lines().any(|l| l.trim() == line),
            "{line} missing from iomt.h"
        );
    }
    assert_eq!(size_of::<iomt_audit_log>(), IOMT_AUDIT_LOG_SIZE);
    assert_eq!(size_of::<iomt_permit>(), IOMT_PERMIT_SIZE);
    assert_eq!(align_of::<iomt_session_auth>(), IOMT_SESSION_AUTH_ALIGN);
}

#[test]
fn audit_init_rejects_missing_callbacks_and_zero_capacity() {
    let mut c = Crypto::new(1);
    let mut f = flash(4);
    let mut log = zeroed::<iomt_audit_log>();
    let mut o = ops(&mut f);
    o.store_meta = None;
    let r =
        unsafe { iomt_audit_log_init(&raw mut *log, c.ptr(), &raw const o, DEVICE_ID.as_ptr()) };
    assert_eq!(r, iomt_result::NullParameter);
    let mut o = ops(&mut f);
    o.capacity = 0;
    let r =
        unsafe { iomt_audit_log_init(&raw mut *log, c.ptr(), &raw const o, DEVICE_ID.as_ptr()) };
    assert_eq!(r, iomt_result::InvalidArgument);
    let o = ops(&mut f);
    let r = unsafe { iomt_audit_log_init(&raw mut *log, c.ptr(), &raw const o, null()) };
    assert_eq!(r, iomt_result::NullParameter);
    // Nothing was initialized by the failed calls.
    let mut m = MaybeUninit::uninit();
    let r = unsafe { iomt_audit_log_meta(&raw const *log, m.as_mut_ptr()) };
    assert_eq!(r, iomt_result::NotInitialized);
}

#[test]
fn audit_permit_and_auth_storage_are_checked() {
    let mut c = Crypto::new(1);
    let permit = zeroed::<iomt_permit>();
    let mut f = flash(4);
    let mut log = open_log(&mut c, &mut f);
    let mut n = 0u32;
    // A zeroed permit is no permit.
    let mut a = auth_for(&mut c, b"admin", 1 << 5);
    let mut permit = permit;
    let r = unsafe {
        iomt_audit_log_clear(
            &raw mut *log,
            c.ptr(),
            &raw mut *a,
            &raw mut *permit,
            NOW,
            &raw mut n,
        )
    };
    assert_eq!(r, iomt_result::NotInitialized);
    let policy = zeroed::<iomt_rbac_policy>();
    let a = zeroed::<iomt_session_auth>();
    assert_eq!(
        unsafe { iomt_rbac_decide(&raw const *policy, &raw const *a, 0) },
        iomt_result::NotInitialized
    );
    assert_eq!(
        unsafe { iomt_audit_log_deinit(&raw mut *log) },
        iomt_result::Ok
    );
    assert_eq!(
        unsafe { iomt_audit_log_deinit(&raw mut *log) },
        iomt_result::Ok
    );
    assert_eq!(unsafe { iomt_permit_deinit(null_mut()) }, iomt_result::Ok);
}

#[test]
fn rbac_policy_from_c_rules_is_default_deny_and_validated() {
    let mut policy = zeroed::<iomt_rbac_policy>();
    let rules = [
        iomt_rbac_rule {
            role: 2,
            operation: 0,
            requirement: 0,
        }, // nurse reads vitals
        iomt_rbac_rule {
            role: 3,
            operation: 4,
            requirement: 0,
        }, // technician updates (factor forced)
    ];
    unsafe {
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *policy, rules.as_ptr(), 2),
            iomt_result::Ok
        );
        let bad = [iomt_rbac_rule {
            role: 99,
            operation: 0,
            requirement: 0,
        }];
        let mut p2 = zeroed::<iomt_rbac_policy>();
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *p2, bad.as_ptr(), 1),
            iomt_result::InvalidCode
        );
        let bad = [iomt_rbac_rule {
            role: 1,
            operation: 0,
            requirement: 2,
        }];
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *p2, bad.as_ptr(), 1),
            iomt_result::InvalidCode
        );
        let many = [rules[0]; IOMT_MAX_RBAC_RULES + 1];
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *p2, many.as_ptr(), many.len()),
            iomt_result::CapacityExceeded
        );
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *p2, null(), 0),
            iomt_result::Ok
        );
        let mut c = Crypto::new(3);
        let nurse = auth_for(&mut c, b"nurse", 1 << 2);
        let tech = auth_for(&mut c, b"tech", 1 << 3);
        let nobody = auth_for(&mut c, b"nobody", 0);
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *nurse, 0),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *nurse, 1),
            iomt_result::AuthzNotPermitted
        );
        // Privileged: the factor is required even though the row says credential only.
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *tech, 4),
            iomt_result::AuthzFactorRequired
        );
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *nobody, 0),
            iomt_result::AuthzNoRole
        );
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *nurse, 200),
            iomt_result::InvalidCode
        );
        // The empty policy denies everything.
        assert_eq!(
            iomt_rbac_decide(&raw const *p2, &raw const *nurse, 0),
            iomt_result::AuthzNotPermitted
        );
    }
}
