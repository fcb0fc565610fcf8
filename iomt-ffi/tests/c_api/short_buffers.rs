//! Short output buffers write nothing and report the whole size (native only).

use super::*;

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn short_buffers_write_nothing_and_report_the_whole_size() {
    let mut c = Crypto::new(31);
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    // message_1: find its size, then every shorter buffer.
    let full = {
        let mut i = zeroed::<iomt_handshake>();
        let cfg = initiator_config(0, &[2], false, &[]);
        unsafe {
            assert_eq!(
                iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
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
        }
        n
    };
    for cap in 0..full {
        let mut i = zeroed::<iomt_handshake>();
        let cfg = initiator_config(0, &[2], false, &[]);
        let mut out = vec![0xA5u8; cap];
        let mut len = usize::MAX;
        unsafe {
            assert_eq!(
                iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
                iomt_result::Ok
            );
            assert_eq!(
                iomt_handshake_write_message_1(
                    &raw mut *i,
                    c.ptr(),
                    null(),
                    0,
                    out.as_mut_ptr(),
                    cap,
                    &raw mut len
                ),
                iomt_result::BufferTooSmall,
                "cap {cap}"
            );
        }
        assert_eq!(len, full, "cap {cap}: the whole message");
        assert!(out.iter().all(|b| *b == 0xA5), "cap {cap}: nothing written");
    }
    // Frames: a short buffer spends no sequence number.
    let (dev, gw) = (device(), gateway());
    let (mut i, mut r) = handshake(&mut c, 3, 5, false, &dev, &gw);
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
        let payload = [9u8; 20];
        let frame_len = 20 + 4 + 16;
        for cap in 0..frame_len {
            let mut out = vec![0xA5u8; cap];
            let mut len = 0usize;
            assert_eq!(
                iomt_session_seal(
                    &raw mut *ds,
                    c.ptr(),
                    IOMT_NO_CONSENT_SLOT,
                    payload.as_ptr(),
                    20,
                    out.as_mut_ptr(),
                    cap,
                    &raw mut len
                ),
                iomt_result::BufferTooSmall
            );
            assert_eq!(len, frame_len, "cap {cap}");
            assert!(out.iter().all(|b| *b == 0xA5), "cap {cap}: nothing written");
        }
        let mut frame = vec![0u8; frame_len];
        assert_eq!(
            iomt_session_seal(
                &raw mut *ds,
                c.ptr(),
                IOMT_NO_CONSENT_SLOT,
                payload.as_ptr(),
                20,
                frame.as_mut_ptr(),
                frame_len,
                &raw mut n
            ),
            iomt_result::Ok
        );
        let mut opened = MaybeUninit::<iomt_opened>::uninit();
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
        assert_eq!(opened.assume_init().seq, 0, "no sequence number was spent");
    }
}
