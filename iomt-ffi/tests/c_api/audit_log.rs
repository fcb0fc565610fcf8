//! The audit log over C callbacks (SHA-256 only: fine under Miri, but slow; native only):
//! round trips, storage failures, edited entries, and the records of how handshakes end and
//! of rejected frames.

use super::aaa::{NOW, append, flash, meta, open_log, record};
use super::factor::{Presented, factor_handshake, info, parties, pin_verifier};
use super::*;

#[test]
#[cfg_attr(miri, ignore)]
fn audit_records_roundtrip_through_the_callbacks_and_verify() {
    let mut c = Crypto::new(5);
    let mut f = flash(4);
    let mut log = open_log(&mut c, &mut f);
    for i in 0..6u8 {
        assert_eq!(append(&mut c, &mut log, 11, &[i]), iomt_result::Ok);
    }
    let m = meta(&log);
    assert_eq!((m.next_seq, m.count, m.overwritten), (6, 4, 2));
    assert_eq!(f.meta, Some(m), "the metadata reached the store");
    let r = record(&mut log, 5);
    assert_eq!((r.seq, r.event, r.time, r.detail[0]), (5, 11, NOW, 5));
    let mut out = MaybeUninit::uninit();
    assert_eq!(
        unsafe { iomt_audit_log_read(&raw mut *log, 1, out.as_mut_ptr()) },
        iomt_result::AuditNotHeld
    );
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *log, c.ptr()) },
        iomt_result::Ok
    );
    // Unknown codes and long details are refused.
    assert_eq!(append(&mut c, &mut log, 0, &[]), iomt_result::InvalidCode);
    assert_eq!(
        append(&mut c, &mut log, 11, &[0; 17]),
        iomt_result::InvalidArgument
    );
    // Reopening from the same store continues the chain.
    let mut log2 = open_log(&mut c, &mut f);
    assert_eq!(meta(&log2), m);
    assert_eq!(append(&mut c, &mut log2, 11, &[]), iomt_result::Ok);
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *log2, c.ptr()) },
        iomt_result::Ok
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn audit_storage_failures_keep_state_and_leave_an_append_failed_record() {
    let mut c = Crypto::new(6);
    let mut f = flash(8);
    let mut log = open_log(&mut c, &mut f);
    assert_eq!(append(&mut c, &mut log, 1, &[]), iomt_result::Ok);
    let before = meta(&log);
    f.fail_write_slot = true;
    assert_eq!(append(&mut c, &mut log, 1, &[]), iomt_result::AuditStorage);
    assert_eq!(meta(&log), before);
    f.fail_write_slot = false;
    // The entry is written, its metadata is lost (power cut between the two writes).
    f.fail_store_meta = true;
    assert_eq!(append(&mut c, &mut log, 2, &[]), iomt_result::AuditStorage);
    assert_eq!(meta(&log), before);
    f.fail_store_meta = false;
    let mut reopened = open_log(&mut c, &mut f);
    assert_eq!(
        meta(&reopened).next_seq,
        2,
        "the uncommitted entry is not lost, and not adopted"
    );
    // The first failed append (event 1, slot write failed) is what the AppendFailed
    // record names; the second (event 2) failed while writing it (count 1 reached flash
    // before the power cut: a second failure in the same run after a reboot is not counted).
    let r = record(&mut reopened, 1);
    assert_eq!(
        (r.event, r.detail[0], &r.detail[2..6]),
        (15, 1, &[0u8, 0, 0, 1][..]),
        "AppendFailed naming event 1"
    );
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *reopened, c.ptr()) },
        iomt_result::Ok
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn audit_edited_removed_or_reordered_entries_are_corrupt() {
    let mut c = Crypto::new(7);
    for tamper in 0..3 {
        let mut f = flash(8);
        let mut log = open_log(&mut c, &mut f);
        for i in 0..5u8 {
            assert_eq!(append(&mut c, &mut log, 11, &[i]), iomt_result::Ok);
        }
        match tamper {
            0 => f.slots[2][20] ^= 1,     // edited detail
            1 => f.slots[3] = [0xff; 70], // removed (erased flash)
            _ => f.slots.swap(1, 2),      // reordered
        }
        let r = unsafe { iomt_audit_log_verify(&raw mut *log, c.ptr()) };
        assert_eq!(r, iomt_result::AuditCorrupt, "tamper {tamper}");
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn audit_records_how_handshakes_end_and_rejected_frames() {
    let mut c = Crypto::new(16);
    let p = parties();
    let mut f = flash(8);
    let mut log = open_log(&mut c, &mut f);
    let mut seq = 0u32;

    // Still running: nothing to record.
    let mut fresh = zeroed::<iomt_handshake>();
    let rcfg = responder_config(&[2], false, &[]);
    unsafe {
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *fresh, &raw const rcfg),
            iomt_result::Ok
        );
        let r = iomt_audit_log_record_handshake(
            &raw mut *log,
            c.ptr(),
            &raw mut *fresh,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r, iomt_result::WrongState);
        // A garbage message_1 fails it: HandshakeFailed with the error code.
        let junk = [0xffu8; 5];
        assert_ne!(
            iomt_handshake_read_message_1(&raw mut *fresh, c.ptr(), junk.as_ptr(), 5),
            iomt_result::Ok
        );
        let r = iomt_audit_log_record_handshake(
            &raw mut *log,
            c.ptr(),
            &raw mut *fresh,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r, iomt_result::Ok);
    }
    let failed = record(&mut log, seq);
    assert_eq!(
        (failed.event, failed.outcome, failed.subject),
        (2, 1, [0; 8])
    );
    assert_ne!(failed.detail[..4], [0; 4], "the error code is recorded");

    // A completed handshake: HandshakeSucceeded under the peer's subject, suite and method.
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let rc = unsafe {
        iomt_audit_log_record_handshake(&raw mut *log, c.ptr(), &raw mut *r, NOW, &raw mut seq)
    };
    assert_eq!(rc, iomt_result::Ok);
    let ok = record(&mut log, seq);
    let mut a = zeroed::<iomt_session_auth>();
    assert_eq!(
        unsafe { iomt_session_auth_init(&raw mut *a, c.ptr(), &raw mut *r) },
        iomt_result::Ok
    );
    assert_eq!((ok.event, ok.outcome, ok.subject), (1, 0, info(&a).subject));
    assert_eq!(ok.detail[..2], [2, 3], "suite 2, method 3");

    // Frame rejections: the session's last rejected frame, with the library's code.
    let (dev_side, gw_side) = (device(), gateway());
    let (mut i, mut r) = handshake(&mut c, 3, 2, false, &dev_side, &gw_side);
    let (mut ds, mut gs) = (zeroed::<iomt_session>(), zeroed::<iomt_session>());
    unsafe {
        assert_eq!(
            iomt_session_init(&raw mut *ds, &raw mut *i, c.ptr()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_session_init(&raw mut *gs, &raw mut *r, c.ptr()),
            iomt_result::Ok
        );
        let r0 = iomt_audit_log_record_frame_rejection(
            &raw mut *log,
            c.ptr(),
            &raw mut *gs,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r0, iomt_result::NotFound, "nothing rejected yet");
        let (mut frame, mut n) = ([0u8; 64], 0usize);
        assert_eq!(
            iomt_session_seal(
                &raw mut *ds,
                c.ptr(),
                IOMT_NO_CONSENT_SLOT,
                b"hr".as_ptr(),
                2,
                frame.as_mut_ptr(),
                64,
                &raw mut n
            ),
            iomt_result::Ok
        );
        let copy = frame;
        let mut o = MaybeUninit::<iomt_opened>::uninit();
        assert_eq!(
            iomt_session_open(&raw mut *gs, c.ptr(), frame.as_mut_ptr(), n, o.as_mut_ptr()),
            iomt_result::Ok
        );
        let mut again = copy;
        assert_eq!(
            iomt_session_open(&raw mut *gs, c.ptr(), again.as_mut_ptr(), n, o.as_mut_ptr()),
            iomt_result::FrameReplayed
        );
        let r1 = iomt_audit_log_record_frame_rejection(
            &raw mut *log,
            c.ptr(),
            &raw mut *gs,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r1, iomt_result::Ok);
        let rec = record(&mut log, seq);
        assert_eq!((rec.event, rec.outcome, rec.subject), (6, 2, [0; 8]));
        let replayed = iomt_proto::ProtoError::Rejected(iomt_proto::Rejection::Replayed).code();
        assert_eq!(rec.detail[..4], 0x27u32.to_be_bytes(), "connection id");
        assert_eq!(
            rec.detail[4..8],
            u32::from(replayed).to_be_bytes(),
            "the library's code"
        );
        let r2 = iomt_audit_log_record_frame_rejection(
            &raw mut *log,
            c.ptr(),
            &raw mut *gs,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r2, iomt_result::NotFound, "a rejection is recorded once");
    }
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *log, c.ptr()) },
        iomt_result::Ok
    );
}
