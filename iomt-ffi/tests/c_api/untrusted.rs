//! Untrusted bytes never panic across the boundary (native; a caught panic would be
//! IOMT_RESULT_PANIC).

use proptest::prelude::*;

use super::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(miri, ignore = "proptest under Miri is too slow")]
    fn decoders_return_codes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut tag = MaybeUninit::<iomt_consent_tag>::uninit();
        let mut out = [iomt_reading::default(); 4];
        let mut n = 0usize;
        unsafe {
            let r = iomt_consent_tag_decode(bytes.as_ptr(), bytes.len(), tag.as_mut_ptr());
            prop_assert_ne!(r, iomt_result::Panic);
            let r = iomt_vitals_decode(bytes.as_ptr(), bytes.len(), out.as_mut_ptr(), 4, &raw mut n);
            prop_assert_ne!(r, iomt_result::Panic);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
    fn handshake_readers_return_codes(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
        let mut c = Crypto::new(21);
        let mut r = zeroed::<iomt_handshake>();
        let mut t = zeroed::<iomt_trust_store>();
        let mut i = zeroed::<iomt_handshake>();
        let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
        unsafe {
            prop_assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
            let cfg = responder_config(&[2, 5], false, &[]);
            prop_assert_eq!(iomt_handshake_init_responder(&raw mut *r, &raw const cfg), iomt_result::Ok);
            let res = iomt_handshake_read_message_1(&raw mut *r, c.ptr(), bytes.as_ptr(), bytes.len());
            prop_assert_ne!(res, iomt_result::Panic);
            let cfg = initiator_config(3, &[2], false, &[]);
            prop_assert_eq!(iomt_handshake_init_initiator(&raw mut *i, &raw const cfg), iomt_result::Ok);
            prop_assert_eq!(
                iomt_handshake_write_message_1(&raw mut *i, c.ptr(), null(), 0, m.as_mut_ptr(), m.len(), &raw mut n),
                iomt_result::Ok
            );
            let res = iomt_handshake_read_message_2(&raw mut *i, c.ptr(), &raw const *t, bytes.as_ptr(), bytes.len());
            prop_assert_ne!(res, iomt_result::Panic);
            prop_assert_ne!(res, iomt_result::Ok);
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn sessions_survive_random_frames() {
    let mut c = Crypto::new(77);
    let (dev, gw) = (device(), gateway());
    let (mut i, mut r) = handshake(&mut c, 3, 2, false, &dev, &gw);
    let mut ds = zeroed::<iomt_session>();
    let mut gs = zeroed::<iomt_session>();
    unsafe {
        assert_eq!(
            iomt_session_init(&raw mut *ds, &raw mut *i, c.ptr()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_session_init(&raw mut *gs, &raw mut *r, c.ptr()),
            iomt_result::Ok
        );
    }
    let (gsp, cp) = (&raw mut *gs, c.ptr());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &proptest::collection::vec(any::<u8>(), 0..64),
            |mut bytes| {
                let mut opened = MaybeUninit::<iomt_opened>::uninit();
                let res = unsafe {
                    iomt_session_open(
                        gsp,
                        cp,
                        bytes.as_mut_ptr(),
                        bytes.len(),
                        opened.as_mut_ptr(),
                    )
                };
                prop_assert_ne!(res, iomt_result::Panic);
                prop_assert_ne!(res, iomt_result::Ok);
                Ok(())
            },
        )
        .unwrap();
    // The session still works afterwards.
    let mut frame = [0u8; 64];
    let mut n = 0usize;
    let mut opened = MaybeUninit::<iomt_opened>::uninit();
    unsafe {
        assert_eq!(
            iomt_session_seal(
                &raw mut *ds,
                c.ptr(),
                IOMT_NO_CONSENT_SLOT,
                b"ok".as_ptr(),
                2,
                frame.as_mut_ptr(),
                64,
                &raw mut n
            ),
            iomt_result::Ok
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
    }
}
