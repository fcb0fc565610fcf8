//! Handshakes with P-256 (native only): every method and suite, credential validation,
//! failures that stay failed and produce EDHOC error messages, suite negotiation.

use super::*;

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn every_method_and_suite_completes_and_sessions_work() {
    let mut c = Crypto::new(42);
    let (dev, gw) = (device(), gateway());
    for method in 0..4u8 {
        for suite in [2u8, 5] {
            let m4 = method % 2 == 1;
            let (mut i, mut r) = handshake(&mut c, method, suite, m4, &dev, &gw);
            unsafe {
                let mut peer = iomt_peer_info::default();
                assert_eq!(
                    iomt_handshake_peer(&raw mut *i, &raw mut peer),
                    iomt_result::Ok
                );
                assert_eq!(&peer.identity[..7], b"gateway");
                assert_eq!(
                    (peer.roles, peer.suite, peer.method),
                    (1 << 8, suite, method)
                );
                assert_eq!(
                    iomt_handshake_peer(&raw mut *r, &raw mut peer),
                    iomt_result::Ok
                );
                assert_eq!(&peer.identity[..4], b"pump");
                let (mut a, mut b) = ([0u8; 32], [1u8; 32]);
                assert_eq!(
                    iomt_handshake_export(
                        &raw mut *i,
                        c.ptr(),
                        0x8100,
                        b"x".as_ptr(),
                        1,
                        a.as_mut_ptr(),
                        32
                    ),
                    iomt_result::Ok
                );
                assert_eq!(
                    iomt_handshake_export(
                        &raw mut *r,
                        c.ptr(),
                        0x8100,
                        b"x".as_ptr(),
                        1,
                        b.as_mut_ptr(),
                        32
                    ),
                    iomt_result::Ok
                );
                assert_eq!(a, b);
                assert_eq!(
                    iomt_handshake_export(
                        &raw mut *i,
                        c.ptr(),
                        0x8100,
                        null(),
                        0,
                        a.as_mut_ptr(),
                        0
                    ),
                    iomt_result::HandshakeInvalidExporterRequest
                );

                let mut ds = zeroed::<iomt_session>();
                let mut gs = zeroed::<iomt_session>();
                assert_eq!(
                    iomt_session_init(&raw mut *ds, &raw mut *i, c.ptr()),
                    iomt_result::Ok
                );
                assert_eq!(
                    iomt_session_init(&raw mut *gs, &raw mut *r, c.ptr()),
                    iomt_result::Ok
                );
                let mut frame = [0u8; 128];
                let mut n = 0usize;
                assert_eq!(
                    iomt_session_seal(
                        &raw mut *ds,
                        c.ptr(),
                        IOMT_NO_CONSENT_SLOT,
                        b"hello".as_ptr(),
                        5,
                        frame.as_mut_ptr(),
                        4,
                        &raw mut n
                    ),
                    iomt_result::BufferTooSmall
                );
                assert!(n > 5);
                assert_eq!(
                    iomt_session_seal(
                        &raw mut *ds,
                        c.ptr(),
                        IOMT_NO_CONSENT_SLOT,
                        b"hello".as_ptr(),
                        5,
                        frame.as_mut_ptr(),
                        frame.len(),
                        &raw mut n
                    ),
                    iomt_result::Ok
                );
                let mut forged = frame;
                forged[n - 1] ^= 1;
                let mut opened = MaybeUninit::<iomt_opened>::uninit();
                assert_eq!(
                    iomt_session_open(
                        &raw mut *gs,
                        c.ptr(),
                        forged.as_mut_ptr(),
                        n,
                        opened.as_mut_ptr()
                    ),
                    iomt_result::FrameAuthenticationFailed
                );
                assert_eq!(
                    iomt_session_open(
                        &raw mut *gs,
                        c.ptr(),
                        frame.as_mut_ptr(),
                        n,
                        opened.as_mut_ptr()
                    ),
                    iomt_result::Ok
                );
                let o = opened.assume_init();
                assert_eq!(o.frame_type, iomt_frame_type::Data);
                assert_eq!(
                    core::slice::from_raw_parts(o.payload, o.payload_len),
                    b"hello"
                );
                // The responder may not install in an even slot.
                assert_eq!(
                    iomt_session_send_consent(
                        &raw mut *gs,
                        c.ptr(),
                        0,
                        null(),
                        0,
                        frame.as_mut_ptr(),
                        frame.len(),
                        &raw mut n
                    ),
                    iomt_result::SlotNotOwned
                );
                let mut info = iomt_session_info::default();
                assert_eq!(
                    iomt_session_get_info(&raw const *gs, &raw mut info),
                    iomt_result::Ok
                );
                assert_eq!(info.recv_failed, 1);
                assert_eq!(usize::from(info.tag_len), if suite == 2 { 8 } else { 16 });
                assert_eq!(
                    iomt_session_close(
                        &raw mut *ds,
                        c.ptr(),
                        77,
                        frame.as_mut_ptr(),
                        frame.len(),
                        &raw mut n
                    ),
                    iomt_result::InvalidArgument
                );
                for res in [
                    iomt_session_deinit(&raw mut *ds),
                    iomt_session_deinit(&raw mut *gs),
                    iomt_handshake_deinit(&raw mut *i),
                    iomt_handshake_deinit(&raw mut *r),
                ] {
                    assert_eq!(res, iomt_result::Ok);
                }
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn credentials_are_validated() {
    let (ccs_i, sk_r, sk_i) = (h(CRED_I), h(SK_R), h(SK_I));
    let mut cred = zeroed::<iomt_credential>();
    let mut pk = [0u8; IOMT_PUBLIC_KEY_LEN];
    unsafe {
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk_r.as_ptr(),
                32,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0
            ),
            iomt_result::HandshakeInvalidLocalCredential
        );
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                [0u8; 32].as_ptr(),
                32,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0
            ),
            iomt_result::CryptoInvalidPrivateKey
        );
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk_i.as_ptr(),
                31,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0
            ),
            iomt_result::CryptoInvalidLength
        );
        let long_kid = [1u8; IOMT_MAX_KID_LEN + 1];
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk_i.as_ptr(),
                32,
                ccs_i.as_ptr(),
                ccs_i.len(),
                long_kid.as_ptr(),
                long_kid.len()
            ),
            iomt_result::CapacityExceeded
        );
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk_i.as_ptr(),
                32,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_credential_public_key(&raw const *cred, pk.as_mut_ptr(), 64),
            iomt_result::BufferTooSmall
        );
        assert_eq!(
            iomt_credential_public_key(&raw const *cred, pk.as_mut_ptr(), pk.len()),
            iomt_result::Ok
        );
        assert_eq!(pk[0], 4);
        assert_eq!(pk[1..33], ccs_i[ccs_i.len() - 67..ccs_i.len() - 35]);
        assert_eq!(iomt_credential_deinit(&raw mut *cred), iomt_result::Ok);
        // Trust store: capacity and validation.
        let mut t = zeroed::<iomt_trust_store>();
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        for k in 0..u8::try_from(IOMT_TRUST_STORE_CAPACITY).unwrap() {
            assert_eq!(
                iomt_trust_store_add(
                    &raw mut *t,
                    ccs_i.as_ptr(),
                    ccs_i.len(),
                    &raw const k,
                    1,
                    null(),
                    0,
                    1
                ),
                iomt_result::Ok
            );
        }
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *t,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0,
                null(),
                0,
                1
            ),
            iomt_result::CapacityExceeded
        );
        assert_eq!(iomt_trust_store_deinit(&raw mut *t), iomt_result::Ok);
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *t,
                ccs_i.as_ptr(),
                ccs_i.len() - 1,
                null(),
                0,
                null(),
                0,
                1
            ),
            iomt_result::HandshakeInvalidCredential
        );
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *t,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0,
                null(),
                0,
                0x8000
            ),
            iomt_result::UnknownBits
        );
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *t,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0,
                [0u8; 17].as_ptr(),
                17,
                1
            ),
            iomt_result::CapacityExceeded
        );
        assert_eq!(iomt_trust_store_deinit(&raw mut *t), iomt_result::Ok);
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn failures_stay_failed_and_produce_error_messages() {
    let mut c = Crypto::new(9);
    let (dev, gw) = (device(), gateway());
    let stranger = side(SK_I, CRED_I, 0x2b, CRED_I, 0x77, b"nobody", 1);
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    unsafe {
        let icfg = initiator_config(0, &[5], false, &[]);
        let rcfg = responder_config(&[5], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const icfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_2(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.cred,
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        // The device does not know this gateway.
        assert_eq!(
            iomt_handshake_read_message_2(
                &raw mut *i,
                c.ptr(),
                &raw const *stranger.trust,
                m.as_ptr(),
                n
            ),
            iomt_result::HandshakeUnknownCredential
        );
        assert_eq!(
            iomt_handshake_write_message_3(
                &raw mut *i,
                c.ptr(),
                &raw const *dev.cred,
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::ObjectFailed
        );
        let mut err = [0u8; 64];
        assert_eq!(
            iomt_handshake_error_message(&raw const *i, err.as_mut_ptr(), err.len(), &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(err[0], 0x03, "ERR_CODE 3: unknown credential");
        // The responder receives it as a peer error.
        assert_eq!(
            iomt_handshake_read_message_3(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.trust,
                err.as_ptr(),
                n
            ),
            iomt_result::HandshakePeerError
        );
        let mut code = 0i32;
        assert_eq!(
            iomt_handshake_peer_error(&raw const *r, &raw mut code),
            iomt_result::Ok
        );
        assert_eq!(code, 3);
        assert_eq!(
            iomt_handshake_error_message(&raw const *r, err.as_mut_ptr(), err.len(), &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(n, 0, "never answer an error with an error");

        // A tampered message_3 fails authentication.
        let (mut i, mut r) = (zeroed::<iomt_handshake>(), zeroed::<iomt_handshake>());
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const icfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_2(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.cred,
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_2(
                &raw mut *i,
                c.ptr(),
                &raw const *dev.trust,
                m.as_ptr(),
                n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_3(
                &raw mut *i,
                c.ptr(),
                &raw const *dev.cred,
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        m[n - 1] ^= 0x80;
        assert_eq!(
            iomt_handshake_read_message_3(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.trust,
                m.as_ptr(),
                n
            ),
            iomt_result::HandshakeAuthenticationFailed
        );
        let mut state = iomt_handshake_state::Start;
        assert_eq!(
            iomt_handshake_get_state(&raw const *r, &raw mut state),
            iomt_result::Ok
        );
        assert_eq!(state, iomt_handshake_state::Failed);
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn suite_negotiation_retries_with_the_responders_suite() {
    let mut c = Crypto::new(13);
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    let mut err = [0u8; 32];
    let mut t = zeroed::<iomt_trust_store>();
    let mut state = iomt_handshake_state::Failed;
    unsafe {
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        let icfg = initiator_config(3, &[5, 2], false, &[]);
        let rcfg = responder_config(&[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const icfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::HandshakeWrongSelectedSuite
        );
        assert_eq!(
            iomt_handshake_error_message(&raw const *r, err.as_mut_ptr(), err.len(), &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_2(&raw mut *i, c.ptr(), &raw const *t, err.as_ptr(), n),
            iomt_result::HandshakeRetrySuite
        );
        assert_eq!(
            iomt_handshake_get_state(&raw const *i, &raw mut state),
            iomt_result::Ok
        );
        assert_eq!(state, iomt_handshake_state::Start);
        let mut r = zeroed::<iomt_handshake>();
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::Ok
        );
    }
}
