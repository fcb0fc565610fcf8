//! Permits attacked through the C API (issue 26): a permit copied with `memcpy`, kept
//! after its session ended, restored after use, its operation byte rewritten, invalid
//! operation codes. Each fails with a specific code and no privileged action happens.

use core::ptr::copy_nonoverlapping;

use iomt_auth::audit::AuditEvent;
use iomt_core::{Operation, Role};

use super::update::{Grant, INSTALLED, fx};
use super::*;

/// Offset of the operation byte in `iomt_permit` storage: the 8-byte address-bound magic,
/// then the 32-byte permit (version, operation, ...).
const OP_BYTE: usize = 9;

fn bytes_of(p: &iomt_permit) -> [u8; IOMT_PERMIT_SIZE] {
    let mut b = [0u8; IOMT_PERMIT_SIZE];
    unsafe { copy_nonoverlapping((&raw const *p).cast::<u8>(), b.as_mut_ptr(), b.len()) };
    b
}

fn write_bytes(p: &mut iomt_permit, b: &[u8; IOMT_PERMIT_SIZE]) {
    unsafe { copy_nonoverlapping(b.as_ptr(), (&raw mut *p).cast::<u8>(), b.len()) };
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn c_permit_copied_to_another_address_is_refused() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let mut tech = core::mem::replace(&mut f.tech, Grant::none());
    let mut copy = Grant::none();
    write_bytes(&mut copy.permit, &bytes_of(&tech.permit));
    core::mem::swap(&mut copy.auth, &mut tech.auth);
    let (_, r) = f.begin_with(&mut copy, &env);
    assert_eq!(
        r,
        iomt_result::NotInitialized,
        "a memcpy'd permit is no permit"
    );
    core::mem::swap(&mut copy.auth, &mut tech.auth);
    assert_eq!(f.counter().value, INSTALLED);
    // The original, at its own address, still works (once).
    let (mut up, r) = f.begin_with(&mut tech, &env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
    f.tech = tech;
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn c_permit_after_its_session_is_deinitialized_is_refused() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let mut tech = core::mem::replace(&mut f.tech, Grant::none());
    let saved = bytes_of(&tech.permit);
    assert_eq!(
        unsafe { iomt_session_auth_deinit(&raw mut *tech.auth) },
        iomt_result::Ok
    );
    let (_, r) = f.begin_with(&mut tech, &env);
    assert_eq!(r, iomt_result::NotInitialized, "the session is gone");
    // A new session of the same technician (factor verified again): another permit key.
    let (mut again, r) = f.authorize(b"tech-1", Role::Technician, true, Operation::ReadAuditLog);
    assert_eq!(r, iomt_result::Ok);
    core::mem::swap(&mut again.auth, &mut tech.auth);
    write_bytes(&mut tech.permit, &saved);
    let seq = f.meta().next_seq;
    let (_, r) = f.begin_with(&mut tech, &env);
    assert_eq!(r, iomt_result::AuthzPermitInvalid);
    assert_eq!(f.meta().next_seq, seq, "nothing began, nothing recorded");
    assert_eq!(f.counter().value, INSTALLED);
    f.tech = tech;
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn c_one_firmware_update_permit_drives_one_update() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let mut tech = core::mem::replace(&mut f.tech, Grant::none());
    let saved = bytes_of(&tech.permit);
    let (mut up, r) = f.begin_with(&mut tech, &env);
    assert_eq!(r, iomt_result::Ok);
    // The permit was consumed by begin.
    let (mut op, mut who) = (0u8, [0u8; 8]);
    assert_eq!(
        unsafe { iomt_permit_get(&raw const *tech.permit, &raw mut op, who.as_mut_ptr()) },
        iomt_result::NotInitialized
    );
    assert_eq!(Fx::write(&mut up, &img), iomt_result::Ok);
    let mut info = iomt_update_info::default();
    assert_eq!(f.finish(&mut up, &mut info), iomt_result::Ok);
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
    // Restoring the permit's bytes at its address: live again, but already spent.
    write_bytes(&mut tech.permit, &saved);
    let seq = f.meta().next_seq;
    let (_, r) = f.begin_with(&mut tech, &env);
    assert_eq!(r, iomt_result::AuthzPermitSpent);
    assert_eq!(f.meta().next_seq, seq);
    f.tech = tech;
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn c_rewriting_the_operation_of_a_read_audit_log_permit_is_refused() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let mut tech = core::mem::replace(&mut f.tech, Grant::none());
    let seq = f.meta().next_seq;
    assert_eq!(
        f.reauthorize(&mut tech, Operation::ReadAuditLog),
        iomt_result::Ok
    );
    assert_eq!(f.meta().next_seq, seq, "a read permit writes no record");
    let read = bytes_of(&tech.permit);
    // Rewritten to a firmware update: the format is fine, the tag is not.
    let mut forged = read;
    forged[OP_BYTE] = Operation::FirmwareUpdate.code();
    write_bytes(&mut tech.permit, &forged);
    let (mut op, mut who) = (0u8, [0u8; 8]);
    assert_eq!(
        unsafe { iomt_permit_get(&raw const *tech.permit, &raw mut op, who.as_mut_ptr()) },
        iomt_result::Ok
    );
    assert_eq!(op, Operation::FirmwareUpdate.code());
    let (mut up, r) = f.begin_with(&mut tech, &env);
    assert_eq!(r, iomt_result::AuthzPermitInvalid);
    assert_eq!(Fx::write(&mut up, &[1]), iomt_result::NotInitialized);
    // Rewritten to a log clear.
    forged[OP_BYTE] = Operation::ClearAuditLog.code();
    write_bytes(&mut tech.permit, &forged);
    let mut n = 0u32;
    let r = unsafe {
        iomt_audit_log_clear(
            &raw mut *f.log,
            f.c.ptr(),
            &raw mut *tech.auth,
            &raw mut *tech.permit,
            T0_FOR_PERMITS,
            &raw mut n,
        )
    };
    assert_eq!(r, iomt_result::AuthzPermitInvalid);
    let after = f.meta();
    assert_eq!(after.next_seq, seq, "no privileged record, no clear record");
    assert_eq!(after.cleared, 0);
    for s in 0..after.next_seq {
        assert_ne!(f.record(s).event, AuditEvent::LogCleared.code());
    }
    assert_eq!(f.counter().value, INSTALLED);
    f.tech = tech;
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn c_permit_get_refuses_invalid_operation_codes() {
    let mut f = fx();
    let tech = core::mem::replace(&mut f.tech, Grant::none());
    let good = bytes_of(&tech.permit);
    let mut p = tech;
    let (mut op, mut who) = (0u8, [0u8; 8]);
    for code in 8..=255u8 {
        let mut b = good;
        b[OP_BYTE] = code;
        write_bytes(&mut p.permit, &b);
        assert_eq!(
            unsafe { iomt_permit_get(&raw const *p.permit, &raw mut op, who.as_mut_ptr()) },
            iomt_result::AuthzPermitMalformed,
            "op {code}"
        );
    }
    write_bytes(&mut p.permit, &good);
    f.tech = p;
}

const T0_FOR_PERMITS: u64 = 1_800_000_000;

use super::update::Fx;

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn c_abandoned_or_overlong_update_is_audited() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let mut long = f.image.clone();
    long.push(0);
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(
        f.last_record().event,
        AuditEvent::UpdateStarted.code(),
        "the intent is on record"
    );
    assert_eq!(Fx::write(&mut up, &long), iomt_result::UpdateImageTooLong);
    let r = unsafe { iomt_update_abandon(&raw mut *up, f.c.ptr(), &raw mut *f.log, 1) };
    assert_eq!(r, iomt_result::UpdateImageTooLong);
    let rec = f.last_record();
    assert_eq!(
        (rec.event, rec.detail[0]),
        (
            AuditEvent::UpdateRejected.code(),
            iomt_auth::update::UpdateError::ImageTooLong.code()
        )
    );
    assert_eq!(Fx::write(&mut up, &[1]), iomt_result::NotInitialized);
    // abandoned without a poisoning error
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    let r = unsafe { iomt_update_abandon(&raw mut *up, f.c.ptr(), &raw mut *f.log, 1) };
    assert_eq!(r, iomt_result::UpdateAbandoned);
    // deinit instead: UpdateStarted stays as the trace of an update without outcome
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    let seq = f.meta().next_seq;
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
    assert_eq!(f.meta().next_seq, seq);
    assert_eq!(f.record(seq - 1).event, AuditEvent::UpdateStarted.code());
    assert_eq!(f.counter().value, INSTALLED);
}
