//! Handshake objects without cryptography (Miri-friendly): invalid configurations and
//! calls in the wrong order change nothing.

use super::*;

#[test]
fn invalid_configs_are_rejected() {
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    unsafe {
        let cfg = initiator_config(4, &[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::InvalidArgument
        );
        let cfg = initiator_config(3, &[7], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::HandshakeInvalidConfig
        );
        let mut cfg = initiator_config(3, &[2], false, &[]);
        let long = [1u8; 8];
        cfg.c_i = long.as_ptr();
        cfg.c_i_len = 8;
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::HandshakeConnectionIdTooLong
        );
        let cfg = initiator_config(3, &[2], false, &[1, 2, 3, 4, 5]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::HandshakeInvalidConfig
        );
        let mut cfg = responder_config(&[2], false, &[]);
        cfg.methods = 0;
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::InvalidArgument
        );
        cfg.methods = 0x10;
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::InvalidArgument
        );
        let cfg = responder_config(&[], false, &[]);
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::HandshakeInvalidConfig
        );
    }
}

#[test]
fn calls_in_the_wrong_order_change_nothing() {
    let mut c = Crypto::new(5);
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    let mut t = zeroed::<iomt_trust_store>();
    let mut state = iomt_handshake_state::Failed;
    let mut buf = [0u8; 64];
    let mut n = 0usize;
    let mut peer = iomt_peer_info::default();
    unsafe {
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        let cfg = initiator_config(3, &[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::Ok
        );
        let cfg = responder_config(&[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_2(&raw mut *i, c.ptr(), &raw const *t, buf.as_ptr(), 10),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_read_message_4(&raw mut *i, c.ptr(), buf.as_ptr(), 10),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_export(&raw mut *i, c.ptr(), 1, null(), 0, buf.as_mut_ptr(), 16),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_key_update(&raw mut *i, c.ptr(), null(), 0),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_peer(&raw mut *i, &raw mut peer),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_get_state(&raw const *i, &raw mut state),
            iomt_result::Ok
        );
        assert_eq!(state, iomt_handshake_state::Start, "unchanged");
        assert_eq!(
            iomt_handshake_write_message_4(
                &raw mut *r,
                c.ptr(),
                null(),
                0,
                buf.as_mut_ptr(),
                64,
                &raw mut n
            ),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_read_message_3(&raw mut *r, c.ptr(), &raw const *t, buf.as_ptr(), 10),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_get_state(&raw const *r, &raw mut state),
            iomt_result::Ok
        );
        assert_eq!(state, iomt_handshake_state::Start);
        // No failure, so no error message and no peer error.
        assert_eq!(
            iomt_handshake_error_message(&raw const *i, buf.as_mut_ptr(), 64, &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(n, 0);
        let mut code = 0i32;
        assert_eq!(
            iomt_handshake_peer_error(&raw const *r, &raw mut code),
            iomt_result::NotFound
        );
        let mut item = MaybeUninit::<iomt_ead_item>::uninit();
        assert_eq!(
            iomt_handshake_received_ead(&raw const *i, 0, item.as_mut_ptr()),
            iomt_result::NotFound
        );
        // A session needs a completed handshake.
        let mut s = zeroed::<iomt_session>();
        assert_eq!(
            iomt_session_init(&raw mut *s, &raw mut *i, c.ptr()),
            iomt_result::WrongState
        );
        // Garbage message_1 fails the responder, which then stays failed.
        let garbage = [0xA5u8; 20];
        assert_ne!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), garbage.as_ptr(), garbage.len()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), garbage.as_ptr(), garbage.len()),
            iomt_result::ObjectFailed
        );
        assert_eq!(
            iomt_handshake_error_message(&raw const *r, buf.as_mut_ptr(), 1, &raw mut n),
            iomt_result::BufferTooSmall
        );
        assert!(n > 1);
        assert_eq!(
            iomt_handshake_error_message(&raw const *r, buf.as_mut_ptr(), 64, &raw mut n),
            iomt_result::Ok
        );
        assert!(n > 1);
        // An oversized message is refused as too large (and fails the object).
        let big = vec![0u8; IOMT_MAX_MESSAGE_LEN + 1];
        let mut r2 = zeroed::<iomt_handshake>();
        let cfg = responder_config(&[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r2, &raw const cfg),
            iomt_result::Ok
        );
        assert_ne!(
            iomt_handshake_read_message_1(&raw mut *r2, c.ptr(), big.as_ptr(), big.len()),
            iomt_result::Ok
        );
        for r in [
            iomt_handshake_deinit(&raw mut *i),
            iomt_handshake_deinit(&raw mut *r),
            iomt_handshake_deinit(&raw mut *r2),
            iomt_trust_store_deinit(&raw mut *t),
        ] {
            assert_eq!(r, iomt_result::Ok);
        }
    }
}
