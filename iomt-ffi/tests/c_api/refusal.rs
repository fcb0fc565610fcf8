//! Fail early through the C API: a responder whose set-up failed answers message_1 with
//! the EDHOC refusal naming the cause (`iomt_handshake_refusal_message`), and the C
//! initiator reads it as `HANDSHAKE_PEER_REFUSED` with the cause
//! (`iomt_handshake_peer_refusal`) instead of meeting a dropped connection.

use super::*;

/// The initiator's message_1 (method 3, suite 2) and its handshake object.
fn started(c: &mut Crypto) -> (Box<iomt_handshake>, Vec<u8>) {
    let mut hs = zeroed::<iomt_handshake>();
    let cfg = initiator_config(3, &[2], false, &[]);
    let mut m1 = [0u8; 128];
    let mut n = 0usize;
    unsafe {
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *hs, &raw const cfg),
            iomt_result::Ok
        );
        let r = iomt_handshake_write_message_1(
            &raw mut *hs,
            c.ptr(),
            null(),
            0,
            m1.as_mut_ptr(),
            m1.len(),
            &raw mut n,
        );
        assert_eq!(r, iomt_result::Ok);
    }
    (hs, m1[..n].to_vec())
}

fn refusal(cause: u32) -> Vec<u8> {
    let mut out = [0u8; IOMT_MAX_REFUSAL_LEN];
    let mut n = 0usize;
    let r =
        unsafe { iomt_handshake_refusal_message(cause, out.as_mut_ptr(), out.len(), &raw mut n) };
    assert_eq!(r, iomt_result::Ok);
    out[..n].to_vec()
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn a_responder_that_cannot_start_refuses_and_the_initiator_reads_the_cause() {
    let mut c = Crypto::new(7);
    let dev = device();
    // the gateway's set-up fails: no cipher suite configured
    let mut gw_hs = zeroed::<iomt_handshake>();
    let bad = responder_config(&[], false, &[]);
    let rc = unsafe { iomt_handshake_init_responder(&raw mut *gw_hs, &raw const bad) };
    assert_eq!(rc, iomt_result::HandshakeInvalidConfig);
    for (cause, named) in [
        (rc as u32, iomt_result::HandshakeInvalidConfig),
        (
            iomt_result::HandshakeMethodNotBuilt as u32,
            iomt_result::HandshakeMethodNotBuilt,
        ),
        (
            iomt_result::HandshakeInvalidLocalCredential as u32,
            iomt_result::HandshakeInvalidLocalCredential,
        ),
        (iomt_result::CryptoRng as u32, iomt_result::HandshakeOther),
        (u32::MAX, iomt_result::HandshakeOther),
    ] {
        let (mut hs, _m1) = started(&mut c); // message_1 reached the gateway ...
        let answer = refusal(cause); // ... which answers with the refusal
        let r = unsafe {
            iomt_handshake_read_message_2(
                &raw mut *hs,
                c.ptr(),
                &raw const *dev.trust,
                answer.as_ptr(),
                answer.len(),
            )
        };
        assert_eq!(r, iomt_result::HandshakePeerRefused);
        let (mut got, mut err_code) = (iomt_result::Ok, 0i32);
        unsafe {
            assert_eq!(
                iomt_handshake_peer_refusal(&raw const *hs, &raw mut got),
                iomt_result::Ok
            );
            assert_eq!(
                iomt_handshake_peer_error(&raw const *hs, &raw mut err_code),
                iomt_result::Ok
            );
        }
        assert_eq!((got, err_code), (named, 1));
        // an error is never answered with an error
        let mut out = [0u8; 64];
        let mut n = 99usize;
        let r = unsafe {
            iomt_handshake_error_message(&raw const *hs, out.as_mut_ptr(), out.len(), &raw mut n)
        };
        assert_eq!((r, n), (iomt_result::Ok, 0));
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn refusal_misuse_is_refused() {
    let mut c = Crypto::new(8);
    // a short buffer reports the whole size; NULLs are refused
    let full = refusal(iomt_result::HandshakeMethodNotBuilt as u32);
    let mut small = [0u8; 8];
    let mut n = 0usize;
    let r =
        unsafe { iomt_handshake_refusal_message(337, small.as_mut_ptr(), small.len(), &raw mut n) };
    assert_eq!(r, iomt_result::BufferTooSmall);
    assert!(n >= full.len(), "{n} < {}", full.len());
    let r = unsafe { iomt_handshake_refusal_message(337, null_mut(), 8, &raw mut n) };
    assert_eq!(r, iomt_result::NullParameter);
    // no refusal to report: a handshake that failed otherwise, or never started
    let (mut hs, _) = started(&mut c);
    let mut got = iomt_result::Ok;
    assert_eq!(
        unsafe { iomt_handshake_peer_refusal(&raw const *hs, &raw mut got) },
        iomt_result::NotFound
    );
    let ordinary = [0x01, 0x67, b'b', b'a', b'd', b' ', b'k', b'i', b'd']; // ERR_CODE 1 "bad kid"
    let dev = device();
    let r = unsafe {
        iomt_handshake_read_message_2(
            &raw mut *hs,
            c.ptr(),
            &raw const *dev.trust,
            ordinary.as_ptr(),
            ordinary.len(),
        )
    };
    assert_eq!(r, iomt_result::HandshakePeerError);
    assert_eq!(
        unsafe { iomt_handshake_peer_refusal(&raw const *hs, &raw mut got) },
        iomt_result::NotFound
    );
    assert_eq!(
        unsafe { iomt_handshake_peer_refusal(null(), &raw mut got) },
        iomt_result::NullParameter
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn the_session_connection_id_is_c_r_on_both_sides() {
    let mut c = Crypto::new(9);
    let (ds, gs) = session_pair(&mut c, 3, 2);
    let (mut di, mut gi) = (iomt_session_info::default(), iomt_session_info::default());
    unsafe {
        assert_eq!(
            iomt_session_get_info(&raw const *ds, &raw mut di),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_session_get_info(&raw const *gs, &raw mut gi),
            iomt_result::Ok
        );
    }
    assert_eq!((di.conn_id, gi.conn_id), (0x27, 0x27)); // the test kit's C_R
}
