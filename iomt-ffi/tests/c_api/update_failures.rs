//! Firmware updates around the manifest: a wrong permit, failing rollback-counter callbacks,
//! an unavailable audit log (fails closed), NULL parameters and misuse.

use iomt_auth::audit::{AuditEvent, Outcome};
use iomt_auth::update::UpdateError;
use iomt_core::{Operation, Role};

use super::update::*;
use super::*;

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_wrong_permit_is_refused_and_audited() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let (mut nurse, r) = f.authorize(b"nurse-1", Role::Nurse, false, Operation::ReadVitals);
    assert_eq!(r, iomt_result::Ok);
    let seq_before = f.meta().next_seq;
    let (mut up, r) = f.begin_with(&mut nurse, &env);
    assert_eq!(r, iomt_result::AuthzWrongPermit);
    assert_eq!(
        iomt_result::from(UpdateError::WrongPermit),
        iomt_result::AuthzWrongPermit
    );
    let rec = f.last_record();
    assert_eq!(f.meta().next_seq, seq_before + 1);
    assert_eq!(
        (rec.event, rec.outcome, rec.detail[0]),
        (
            AuditEvent::UpdateRejected.code(),
            Outcome::Denied.code(),
            UpdateError::WrongPermit.code()
        )
    );
    assert_ne!(rec.subject, f.permit_subject(), "the nurse is recorded");
    // nothing was initialized
    let mut info = iomt_update_info::default();
    assert_eq!(
        unsafe { iomt_update_manifest(&raw const *up, &raw mut info) },
        iomt_result::NotInitialized
    );
    assert_eq!(Fx::write(&mut up, &[1]), iomt_result::NotInitialized);
    assert_eq!(f.counter().value, INSTALLED);
    // a technician without the factor gets no permit at all
    let (_, r) = f.authorize(
        b"tech-2",
        Role::Technician,
        false,
        Operation::FirmwareUpdate,
    );
    assert_eq!(r, iomt_result::AuthzFactorRequired);
    // a deinitialized (here: consumed) permit is no permit
    let (_, r) = f.begin_with(&mut nurse, &env);
    assert_eq!(r, iomt_result::NotInitialized);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_failing_counter_callbacks() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    // reading fails at begin
    f.counter().fail_current = true;
    f.rejected(&env, &img, UpdateError::Counter, iomt_result::UpdateCounter);
    f.counter().fail_current = false;
    // reading fails at finish
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(Fx::write(&mut up, &img), iomt_result::Ok);
    f.counter().fail_current = true;
    let mut info = iomt_update_info::default();
    assert_eq!(f.finish(&mut up, &mut info), iomt_result::UpdateCounter);
    assert_eq!(f.last_record().detail[0], UpdateError::Counter.code());
    f.counter().fail_current = false;
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
    // advancing fails after the acceptance record: rejected, audited, counter unmoved
    f.counter().fail_advance = true;
    let seq = f.meta().next_seq + 2; // after PrivilegedOperation and UpdateStarted
    let (r, info) = f.run(&env, &img, 1000);
    assert_eq!(r, iomt_result::UpdateCounter);
    assert_eq!(info, iomt_update_info::default());
    assert_eq!(f.counter().value, INSTALLED);
    assert_eq!(f.record(seq).event, AuditEvent::UpdateAccepted.code());
    let rec = f.record(seq + 1);
    assert_eq!(
        (rec.event, rec.detail[0]),
        (
            AuditEvent::UpdateRejected.code(),
            UpdateError::Counter.code()
        )
    );
    f.counter().fail_advance = false;
    // NULL callbacks are refused before anything happens
    let seq = f.meta().next_seq;
    let mut up = zeroed::<iomt_update>();
    for ops in [
        iomt_rollback_counter_ops {
            current: None,
            ..f.counter_ops()
        },
        iomt_rollback_counter_ops {
            advance: None,
            ..f.counter_ops()
        },
    ] {
        let r = unsafe {
            iomt_update_begin(
                &raw mut *up,
                f.c.ptr(),
                &raw mut *f.log,
                &raw mut *f.tech.auth,
                &raw mut *f.tech.permit,
                &raw const f.anchor,
                env.as_ptr(),
                env.len(),
                &raw const ops,
                T0,
            )
        };
        assert_eq!(r, iomt_result::NullParameter);
    }
    assert_eq!(f.meta().next_seq, seq, "caller bugs are not audited");
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_audit_unavailable_fails_closed() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(Fx::write(&mut up, &img), iomt_result::Ok);
    f.store().fail_writes = true;
    let mut info = iomt_update_info::default();
    assert_eq!(
        f.finish(&mut up, &mut info),
        iomt_result::AuthzAuditUnavailable
    );
    assert_eq!(f.counter().value, INSTALLED, "no record, no counter move");
    assert_eq!(info, iomt_update_info::default());
    assert_eq!(f.finish(&mut up, &mut info), iomt_result::ObjectFailed);
    f.store().fail_writes = false;
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_null_and_misuse() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let ops = f.counter_ops();
    let mut up = zeroed::<iomt_update>();
    let mut info = iomt_update_info::default();
    let seq = f.meta().next_seq;
    let (u, c, l, s, p, a, o) = (
        &raw mut *up,
        f.c.ptr(),
        &raw mut *f.log,
        &raw mut *f.tech.auth,
        &raw mut *f.tech.permit,
        &raw const f.anchor,
        &raw const ops,
    );
    let (e, n) = (env.as_ptr(), env.len());
    unsafe {
        // every pointer of begin
        assert_eq!(
            iomt_update_begin(null_mut(), c, l, s, p, a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, null_mut(), l, s, p, a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, null_mut(), s, p, a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, null_mut(), p, a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, null_mut(), a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, null(), e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, a, null(), n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, a, e, usize::MAX, o, T0),
            iomt_result::InvalidArgument
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, a, e, n, null(), T0),
            iomt_result::NullParameter
        );
        let misaligned = u.cast::<u8>().wrapping_add(4).cast::<iomt_update>();
        assert_eq!(
            iomt_update_begin(misaligned, c, l, s, p, a, e, n, o, T0),
            iomt_result::MisalignedStorage
        );
        // an anchor whose key is not a curve point
        let mut bad = f.anchor;
        bad.public_key[64] ^= 1;
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, &raw const bad, e, n, o, T0),
            iomt_result::CryptoInvalidPublicKey
        );
        bad.public_key[0] = 0x05;
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, &raw const bad, e, n, o, T0),
            iomt_result::CryptoInvalidPublicKey
        );
        assert_eq!(f.meta().next_seq, seq, "caller bugs are not audited");
        // calls before begin
        assert_eq!(
            iomt_update_write(u, img.as_ptr(), 1),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_update_finish(u, c, l, o, T0, &raw mut info),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_update_manifest(u, &raw mut info),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_update_write(null_mut(), img.as_ptr(), 1),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_write(misaligned, img.as_ptr(), 1),
            iomt_result::MisalignedStorage
        );
        assert_eq!(
            iomt_update_manifest(null(), &raw mut info),
            iomt_result::NullParameter
        );

        assert_eq!(
            iomt_update_begin(u, c, l, s, p, a, e, n, o, T0),
            iomt_result::Ok
        );
        // NULL data with a length, a huge length; NULL/zero-length chunks are fine
        assert_eq!(iomt_update_write(u, null(), 1), iomt_result::NullParameter);
        assert_eq!(
            iomt_update_write(u, img.as_ptr(), usize::MAX),
            iomt_result::InvalidArgument
        );
        assert_eq!(iomt_update_write(u, null(), 0), iomt_result::Ok);
        assert_eq!(
            iomt_update_manifest(u, null_mut()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_write(u, img.as_ptr(), img.len()),
            iomt_result::Ok
        );
        // a finish with a NULL argument consumes nothing
        assert_eq!(
            iomt_update_finish(u, c, l, o, T0, null_mut()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_finish(u, c, l, null(), T0, &raw mut info),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_finish(u, null_mut(), l, o, T0, &raw mut info),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_finish(u, c, null_mut(), o, T0, &raw mut info),
            iomt_result::NullParameter
        );
        assert_eq!(f.counter().value, INSTALLED);
        assert_eq!(
            iomt_update_finish(u, c, l, o, T0, &raw mut info),
            iomt_result::Ok
        );
        assert_eq!(info.accepted, 1);
        assert_eq!(f.counter().value, OFFERED);
        // deinit zeroizes; a second deinit and NULL are fine; then nothing is live
        assert_eq!(iomt_update_deinit(u), iomt_result::Ok);
        let bytes = core::slice::from_raw_parts(u.cast::<u8>(), IOMT_UPDATE_SIZE);
        assert!(bytes.iter().all(|&b| b == 0));
        assert_eq!(iomt_update_deinit(u), iomt_result::Ok);
        assert_eq!(iomt_update_deinit(null_mut()), iomt_result::Ok);
        assert_eq!(
            iomt_update_deinit(misaligned),
            iomt_result::MisalignedStorage
        );
        assert_eq!(
            iomt_update_write(u, img.as_ptr(), 1),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_update_manifest(u, &raw mut info),
            iomt_result::NotInitialized
        );
    }
}
