//! Permits attacked as bearer values (issue 26): copied, moved to another session, kept
//! after their session, used twice, rewritten, or made of invalid bytes. Each misuse fails
//! with its own `RbacDenyReason` and leaves no privileged record.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use iomt_auth::audit::*;
use iomt_auth::factor::{
    FactorOutcome, FactorTag, FactorVerifier, LockoutPolicy, PinVerifier, RamFactorStore,
};
use iomt_auth::rbac::*;
use iomt_core::{Operation, Role, RoleSet, Timestamp};
use iomt_crypto::DeterministicProvider;

#[path = "common/broken_store.rs"]
mod broken_store;
use broken_store::BrokenStore;

const T0: u64 = 1_800_000_000;

fn t(s: u64) -> Timestamp {
    Timestamp::from_secs(T0 + s)
}

type Log = AuditLog<RamAuditStore<64>>;

fn setup() -> (DeterministicProvider, Log) {
    let mut c = DeterministicProvider::new();
    let log = AuditLog::open(&mut c, RamAuditStore::new(), [0xd0; 8]).unwrap();
    (c, log)
}

/// A session of `identity` with `roles` whose operator factor verified.
fn session(
    c: &mut DeterministicProvider,
    l: &mut Log,
    identity: &[u8],
    roles: RoleSet,
) -> SessionAuth {
    let mut s = SessionAuth::new(c, identity, roles);
    let v = PinVerifier::derive(c, b"dev", b"135790").unwrap();
    let tag = FactorTag::compute(c, &v, &[4; 32]);
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    let r = fv.verify(c, l, &v, &[4; 32], Some(&tag), s.subject(), t(0));
    s.set_factor(FactorOutcome::from_result(r));
    s
}

fn admin(c: &mut DeterministicProvider, l: &mut Log) -> SessionAuth {
    session(c, l, b"admin-1", RoleSet::only(Role::Administrator))
}

fn grant(c: &mut DeterministicProvider, l: &mut Log, s: &mut SessionAuth, op: Operation) -> Permit {
    RbacPolicy::DEFAULT.authorize(c, l, s, op, t(1)).unwrap()
}

#[test]
fn permit_redeems_once_even_when_its_bytes_are_copied() {
    let (mut c, mut l) = setup();
    let mut a = admin(&mut c, &mut l);
    let p = grant(&mut c, &mut l, &mut a, Operation::ClearAuditLog);
    let copy = Permit::from_bytes(&p.to_bytes()).unwrap();
    assert_eq!(copy, p);
    let r = a.redeem(&mut c, p).unwrap();
    assert_eq!(r.operation(), Operation::ClearAuditLog);
    assert_eq!(
        a.redeem(&mut c, copy).unwrap_err(),
        RbacDenyReason::PermitSpent
    );
}

#[test]
fn permit_of_another_or_an_ended_session_is_refused() {
    let (mut c, mut l) = setup();
    let mut a = admin(&mut c, &mut l);
    let p = grant(&mut c, &mut l, &mut a, Operation::ClearAuditLog);
    let bytes = p.to_bytes();
    // The same administrator's next session (same subject, factor verified again).
    drop(a);
    let mut later = admin(&mut c, &mut l);
    let _ = grant(&mut c, &mut l, &mut later, Operation::ReadAuditLog); // it has a key now
    assert_eq!(
        later.redeem(&mut c, p).unwrap_err(),
        RbacDenyReason::PermitInvalid
    );
    // A session that never issued a permit has no key: nothing verifies.
    let mut fresh = admin(&mut c, &mut l);
    let p = Permit::from_bytes(&bytes).unwrap();
    assert_eq!(
        fresh.redeem(&mut c, p).unwrap_err(),
        RbacDenyReason::PermitInvalid
    );
    // Another subject's session.
    let mut other = session(
        &mut c,
        &mut l,
        b"admin-2",
        RoleSet::only(Role::Administrator),
    );
    let _ = grant(&mut c, &mut l, &mut other, Operation::ReadAuditLog);
    let p = Permit::from_bytes(&bytes).unwrap();
    assert_eq!(
        other.redeem(&mut c, p).unwrap_err(),
        RbacDenyReason::PermitInvalid
    );
}

#[test]
fn rewriting_the_operation_of_a_read_permit_is_refused_with_no_privileged_action() {
    let (mut c, mut l) = setup();
    let mut a = admin(&mut c, &mut l);
    let before = l.meta().next_seq;
    let read = grant(&mut c, &mut l, &mut a, Operation::ReadAuditLog);
    assert_eq!(l.meta().next_seq, before, "a plain permit writes no record");
    for op in [Operation::ClearAuditLog, Operation::FirmwareUpdate] {
        let mut bytes = read.to_bytes();
        bytes[1] = op.code();
        let forged = Permit::from_bytes(&bytes).unwrap();
        assert_eq!(forged.operation(), op);
        assert_eq!(
            a.redeem(&mut c, forged).unwrap_err(),
            RbacDenyReason::PermitInvalid
        );
    }
    // Index, subject and tag bytes are covered too.
    for i in 4..PERMIT_LEN {
        let mut bytes = read.to_bytes();
        bytes[i] ^= 0x01;
        let forged = Permit::from_bytes(&bytes).unwrap();
        assert_eq!(
            a.redeem(&mut c, forged).unwrap_err(),
            RbacDenyReason::PermitInvalid,
            "byte {i}"
        );
    }
    assert_eq!(l.meta().next_seq, before, "nothing privileged happened");
    // The untouched permit still redeems, once.
    assert!(a.redeem(&mut c, read).is_ok());
}

#[test]
fn invalid_operation_codes_and_versions_are_not_permits() {
    let (mut c, mut l) = setup();
    let mut a = admin(&mut c, &mut l);
    let good = grant(&mut c, &mut l, &mut a, Operation::ReadAuditLog).to_bytes();
    for op in 8..=255u8 {
        let mut b = good;
        b[1] = op;
        assert_eq!(
            Permit::from_bytes(&b).unwrap_err(),
            RbacDenyReason::PermitMalformed,
            "op {op}"
        );
    }
    for (i, v) in [(0, 0u8), (0, 2), (2, 1), (3, 1)] {
        let mut b = good;
        b[i] = v;
        assert_eq!(
            Permit::from_bytes(&b).unwrap_err(),
            RbacDenyReason::PermitMalformed
        );
    }
    assert_eq!(
        Permit::from_bytes(&[0; PERMIT_LEN]).unwrap_err(),
        RbacDenyReason::PermitMalformed
    );
}

#[test]
fn only_the_newest_permits_of_a_session_stay_redeemable() {
    let (mut c, mut l) = setup();
    let mut a = admin(&mut c, &mut l);
    let oldest = grant(&mut c, &mut l, &mut a, Operation::ReadAuditLog);
    let mut kept = Vec::new();
    for _ in 0..PERMIT_WINDOW {
        kept.push(grant(&mut c, &mut l, &mut a, Operation::ReadAuditLog));
    }
    assert_eq!(
        a.redeem(&mut c, oldest).unwrap_err(),
        RbacDenyReason::PermitSpent
    );
    // Redeemed out of order, each once.
    while let Some(p) = kept.pop() {
        assert!(a.redeem(&mut c, p).is_ok());
    }
}

#[test]
fn a_clear_permit_clears_once() {
    let (mut c, mut l) = setup();
    let mut a = admin(&mut c, &mut l);
    let p = grant(&mut c, &mut l, &mut a, Operation::ClearAuditLog);
    let saved = p.to_bytes();
    let r = a.redeem(&mut c, p).unwrap();
    l.clear(&mut c, r, t(2)).unwrap();
    let cleared = l.meta().cleared;
    let again = Permit::from_bytes(&saved).unwrap();
    assert_eq!(
        a.redeem(&mut c, again).unwrap_err(),
        RbacDenyReason::PermitSpent
    );
    assert_eq!(l.meta().cleared, cleared);
}

#[test]
fn a_denial_that_cannot_be_recorded_is_reported_as_audit_unavailable() {
    let (mut c, mut l) = setup();
    let mut nurse = session(&mut c, &mut l, b"nurse", RoleSet::only(Role::Nurse));
    let mut broken: AuditLog<BrokenStore> = AuditLog::open(&mut c, BrokenStore, [0; 8]).unwrap();
    assert_eq!(
        RbacPolicy::DEFAULT
            .authorize(
                &mut c,
                &mut broken,
                &mut nurse,
                Operation::FirmwareUpdate,
                t(1)
            )
            .unwrap_err(),
        RbacDenyReason::AuditUnavailable
    );
}
