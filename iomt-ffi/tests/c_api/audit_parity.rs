//! One event, one encoding: the same handshake and frame events driven through the Rust
//! API (`iomt_auth::audit::Event`, the constructors the Rust gateway uses) and through
//! the C API (`iomt_audit_log_record_*`) leave byte-identical stored entries (records and
//! their hash chain) in two logs opened alike.

use iomt_auth::audit::{AuditLog, AuditStore, Event, RamAuditStore};
use iomt_auth::edhoc::{ConnId, EadLabels, Method, ResponderConfig, ResponderState};
use iomt_core::Timestamp;
use iomt_proto::{Channel, ProtoError, Side as ChannelSide};

use super::aaa::{DEVICE_ID, NOW, flash, open_log};
use super::*;

/// The C side: a failed responder, a completed responder, a replayed frame.
fn c_entries(c: &mut Crypto) -> Vec<[u8; IOMT_AUDIT_ENTRY_LEN]> {
    let mut f = flash(8);
    let mut log = open_log(c, &mut f);
    let mut seq = 0u32;
    let ok = |r: iomt_result| assert_eq!(r, iomt_result::Ok);
    unsafe {
        let mut failed = zeroed::<iomt_handshake>();
        let rcfg = responder_config(&[2], false, &[]);
        ok(iomt_handshake_init_responder(
            &raw mut *failed,
            &raw const rcfg,
        ));
        let junk = [0xffu8; 5];
        let _ = iomt_handshake_read_message_1(&raw mut *failed, c.ptr(), junk.as_ptr(), 5);
        ok(iomt_audit_log_record_handshake(
            &raw mut *log,
            c.ptr(),
            &raw mut *failed,
            NOW,
            &raw mut seq,
        ));

        let (dev, gw) = (device(), gateway());
        let (mut i, mut r) = handshake(c, 3, 2, false, &dev, &gw);
        ok(iomt_audit_log_record_handshake(
            &raw mut *log,
            c.ptr(),
            &raw mut *r,
            NOW,
            &raw mut seq,
        ));

        let (mut ds, mut gs) = sessions_of(c, &mut i, &mut r);
        let (mut frame, mut n) = ([0u8; 64], 0usize);
        ok(iomt_session_seal(
            &raw mut *ds,
            c.ptr(),
            IOMT_NO_CONSENT_SLOT,
            b"hr".as_ptr(),
            2,
            frame.as_mut_ptr(),
            64,
            &raw mut n,
        ));
        let mut again = frame;
        let mut o = MaybeUninit::<iomt_opened>::uninit();
        ok(iomt_session_open(
            &raw mut *gs,
            c.ptr(),
            frame.as_mut_ptr(),
            n,
            o.as_mut_ptr(),
        ));
        let _ = iomt_session_open(&raw mut *gs, c.ptr(), again.as_mut_ptr(), n, o.as_mut_ptr());
        ok(iomt_audit_log_record_frame_rejection(
            &raw mut *log,
            c.ptr(),
            &raw mut *gs,
            NOW,
            &raw mut seq,
        ));
        ok(iomt_audit_log_deinit(&raw mut *log));
    }
    f.slots[..3].to_vec()
}

/// The Rust side: the same three events through `Event` and `AuditLog::record`.
fn rust_entries(c: &mut Crypto) -> Vec<[u8; IOMT_AUDIT_ENTRY_LEN]> {
    let p = unsafe { provider(c.ptr()) };
    let mut log = AuditLog::open(p, RamAuditStore::<8>::new(), DEVICE_ID).unwrap();
    let now = Timestamp::from_secs(NOW);

    let mut failed = ResponderState::new(&ResponderConfig {
        suites: &[2],
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let _ = failed.read_message_1(p, &[0xff; 5]);
    log.record(p, now, Event::handshake_failed(failed.error()))
        .unwrap();

    // The C API's completed handshake is the library's `Completed` (one state machine):
    // the same peer, suite and method as the C run.
    let (dev, gw) = (device(), gateway());
    let (mut i, mut r) = handshake(c, 3, 2, false, &dev, &gw);
    let p = unsafe { provider(c.ptr()) };
    let (done_i, done_r) = unsafe { (completed_of(&raw mut *i), completed_of(&raw mut *r)) };
    let succeeded = Event::handshake_succeeded(p, done_r);
    log.record(p, now, succeeded).unwrap();

    let mut dev_ch: Channel = Channel::from_edhoc(p, done_i, ChannelSide::Initiator).unwrap();
    let mut gw_ch: Channel = Channel::from_edhoc(p, done_r, ChannelSide::Responder).unwrap();
    let mut frame = [0u8; 64];
    let n = dev_ch.seal_data(p, None, b"hr", &mut frame).unwrap();
    let mut again = frame;
    gw_ch.open(p, &mut frame[..n]).unwrap();
    let e: ProtoError = gw_ch.open(p, &mut again[..n]).unwrap_err();
    log.record(p, now, Event::frame_rejected(gw_ch.conn_id(), e.code()))
        .unwrap();

    let store = log.store_mut();
    (0..3)
        .map(|slot| {
            let mut e = [0u8; IOMT_AUDIT_ENTRY_LEN];
            store.read_slot(slot, &mut e).unwrap();
            e
        })
        .collect()
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn handshake_and_frame_events_are_byte_identical_through_rust_and_c() {
    let mut c = Crypto::new(11);
    let from_c = c_entries(&mut c);
    let from_rust = rust_entries(&mut c);
    for (k, (a, b)) in from_c.iter().zip(&from_rust).enumerate() {
        assert_eq!(a, b, "entry {k}");
    }
    assert_eq!(from_c.len(), 3);
}
