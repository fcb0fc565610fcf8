//! Handshake retransmission through the C API (`iomt_retransmit_*` around
//! `iomt_handshake_*`, issue 23 item 4): a lost message_3 is repaired by the responder's
//! retransmission and the initiator's lingering answer; a duplicate is never processed
//! twice; a dead link ends in `HANDSHAKE_TIMEOUT` within the bound; misuse (NULL, a
//! copied object, a bad configuration, a short buffer) gets its specific error.

use super::*;

fn retx(config: Option<&iomt_retransmit_config>) -> Box<iomt_retransmit> {
    let mut r = zeroed::<iomt_retransmit>();
    let cfg = config.map_or(null(), |c| c as *const _);
    assert_eq!(
        unsafe { iomt_retransmit_init(&raw mut *r, cfg) },
        iomt_result::Ok
    );
    r
}

fn sent(r: &mut iomt_retransmit, c: &mut Crypto, now: u64, msg: &[u8], expect: bool) {
    let res =
        unsafe { iomt_retransmit_sent(r, c.ptr(), now, msg.as_ptr(), msg.len(), u8::from(expect)) };
    assert_eq!(res, iomt_result::Ok);
}

/// `(kind, reply)` for a received datagram.
fn received(
    r: &mut iomt_retransmit,
    c: &mut Crypto,
    now: u64,
    d: &[u8],
) -> (iomt_received, Vec<u8>) {
    let mut out = [0u8; IOMT_MAX_MESSAGE_LEN];
    let (mut n, mut kind) = (usize::MAX, iomt_received::New);
    let res = unsafe {
        iomt_retransmit_received(
            r,
            c.ptr(),
            now,
            d.as_ptr(),
            d.len(),
            out.as_mut_ptr(),
            out.len(),
            &raw mut n,
            &raw mut kind,
        )
    };
    assert_eq!(res, iomt_result::Ok);
    (kind, out[..n].to_vec())
}

/// `(result, bytes to send, next deadline)`.
fn poll(r: &mut iomt_retransmit, now: u64) -> (iomt_result, Vec<u8>, u64) {
    let mut out = [0u8; IOMT_MAX_MESSAGE_LEN];
    let (mut n, mut dl) = (0usize, 0u64);
    let res = unsafe {
        iomt_retransmit_poll(r, now, out.as_mut_ptr(), out.len(), &raw mut n, &raw mut dl)
    };
    (res, out[..n].to_vec(), dl)
}

fn write(f: impl FnOnce(*mut u8, usize, *mut usize) -> iomt_result) -> Vec<u8> {
    let mut out = [0u8; IOMT_MAX_MESSAGE_LEN];
    let mut n = 0usize;
    assert_eq!(f(out.as_mut_ptr(), out.len(), &raw mut n), iomt_result::Ok);
    out[..n].to_vec()
}

fn state(hs: &iomt_handshake) -> iomt_handshake_state {
    let mut s = iomt_handshake_state::Failed;
    assert_eq!(
        unsafe { iomt_handshake_get_state(hs, &raw mut s) },
        iomt_result::Ok
    );
    s
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn c_lost_message_3_is_repaired_by_retransmission_and_lingering() {
    let (mut ci, mut cr) = (Crypto::new(1), Crypto::new(2));
    let (dev, gw) = (device(), gateway());
    let (mut i, mut r) = (zeroed::<iomt_handshake>(), zeroed::<iomt_handshake>());
    let suites = [2u8];
    let (icfg, rcfg) = (
        initiator_config(3, &suites, false, &[]),
        responder_config(&suites, false, &[]),
    );
    unsafe {
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &icfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &rcfg),
            iomt_result::Ok
        );
    }
    let (mut ri, mut rr) = (retx(None), retx(None));

    // t=0: message_1 → responder
    let m1 = write(|o, c, n| unsafe {
        iomt_handshake_write_message_1(&raw mut *i, ci.ptr(), null(), 0, o, c, n)
    });
    sent(&mut ri, &mut ci, 0, &m1, true);
    assert_eq!(received(&mut rr, &mut cr, 50, &m1).0, iomt_received::New);
    assert_eq!(
        unsafe { iomt_handshake_read_message_1(&raw mut *r, cr.ptr(), m1.as_ptr(), m1.len()) },
        iomt_result::Ok
    );
    let m2 = write(|o, c, n| unsafe {
        iomt_handshake_write_message_2(
            &raw mut *r,
            cr.ptr(),
            &raw const *gw.cred,
            null(),
            0,
            o,
            c,
            n,
        )
    });
    sent(&mut rr, &mut cr, 50, &m2, true);
    // a network duplicate of message_1: the same message_2 back, not processed again
    let (kind, reply) = received(&mut rr, &mut cr, 60, &m1);
    assert_eq!((kind, &reply), (iomt_received::Duplicate, &m2));
    assert_eq!(state(&r), iomt_handshake_state::WaitMessage3);

    // t=100: message_2 → initiator, which writes message_3 and is complete (no message_4)
    assert_eq!(received(&mut ri, &mut ci, 100, &m2).0, iomt_received::New);
    assert_eq!(
        unsafe {
            iomt_handshake_read_message_2(
                &raw mut *i,
                ci.ptr(),
                &raw const *dev.trust,
                m2.as_ptr(),
                m2.len(),
            )
        },
        iomt_result::Ok
    );
    let m3 = write(|o, c, n| unsafe {
        iomt_handshake_write_message_3(
            &raw mut *i,
            ci.ptr(),
            &raw const *dev.cred,
            null(),
            0,
            o,
            c,
            n,
        )
    });
    sent(&mut ri, &mut ci, 100, &m3, false); // complete: linger
    assert_eq!(state(&i), iomt_handshake_state::Complete);
    // message_3 is LOST.

    // the responder's timer fires: message_2 again, at a deadline in [2050, 3050)
    let (res, nothing, deadline) = poll(&mut rr, 60);
    assert_eq!((res, nothing.len()), (iomt_result::Ok, 0));
    assert!((2_050..3_050).contains(&deadline), "{deadline}");
    let (res, again, next) = poll(&mut rr, deadline);
    assert_eq!((res, &again), (iomt_result::Ok, &m2));
    assert_eq!(next - deadline, 2 * (deadline - 50), "doubled");

    // the lingering initiator answers the duplicate message_2 with the same message_3
    let (kind, reply) = received(&mut ri, &mut ci, deadline + 40, &again);
    assert_eq!((kind, &reply), (iomt_received::Duplicate, &m3));
    assert_eq!(state(&i), iomt_handshake_state::Complete);

    // the responder completes; the keys are equal
    assert_eq!(
        received(&mut rr, &mut cr, deadline + 80, &reply).0,
        iomt_received::New
    );
    assert_eq!(
        unsafe {
            iomt_handshake_read_message_3(
                &raw mut *r,
                cr.ptr(),
                &raw const *gw.trust,
                reply.as_ptr(),
                reply.len(),
            )
        },
        iomt_result::Ok
    );
    assert_eq!(
        unsafe { iomt_retransmit_finished(&raw mut *rr, deadline + 80) },
        iomt_result::Ok
    );
    assert_eq!(state(&r), iomt_handshake_state::Complete);
    // a late duplicate of message_3 is recognised and answered with nothing
    assert_eq!(
        received(&mut rr, &mut cr, deadline + 90, &m3),
        (iomt_received::Duplicate, vec![])
    );
    let (mut ki, mut kr) = ([0u8; 16], [0u8; 16]);
    unsafe {
        assert_eq!(
            iomt_handshake_export(&raw mut *i, ci.ptr(), 0, null(), 0, ki.as_mut_ptr(), 16),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_export(&raw mut *r, cr.ptr(), 0, null(), 0, kr.as_mut_ptr(), 16),
            iomt_result::Ok
        );
    }
    assert_eq!(ki, kr);
    // lingering ends: nothing kept, no timer
    let (res, out, dl) = poll(&mut ri, 100 + 60_000);
    assert_eq!((res, out.len(), dl), (iomt_result::Ok, 0, IOMT_NO_DEADLINE));
    unsafe {
        for h in [&raw mut *i, &raw mut *r] {
            assert_eq!(iomt_handshake_deinit(h), iomt_result::Ok);
        }
        for x in [&raw mut *ri, &raw mut *rr] {
            assert_eq!(iomt_retransmit_deinit(x), iomt_result::Ok);
        }
    }
}

#[test]
fn c_dead_link_times_out_with_the_specific_error_within_the_bound() {
    let mut c = Crypto::new(3);
    let mut r = retx(None);
    sent(&mut r, &mut c, 1_000, b"message_1", true);
    let (mut now, mut retransmissions) = (1_000u64, 0);
    loop {
        let (res, out, dl) = poll(&mut r, now);
        match res {
            iomt_result::Ok if out.is_empty() => now = dl,
            iomt_result::Ok => {
                assert_eq!(out, b"message_1");
                retransmissions += 1;
                now = dl;
            }
            iomt_result::HandshakeTimeout => {
                assert_eq!(dl, IOMT_NO_DEADLINE);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(retransmissions, 4);
    assert!(now - 1_000 <= 53_000, "{now}");
    assert_eq!(iomt_result::HandshakeTimeout as u32, 340);
    // stays failed, sends nothing
    let (res, out, _) = poll(&mut r, u64::MAX);
    assert_eq!((res, out.len()), (iomt_result::HandshakeTimeout, 0));
}

#[test]
fn c_retransmit_misuse_gets_specific_errors() {
    let mut c = Crypto::new(4);
    // a bad configuration
    let bad = iomt_retransmit_config {
        initial_timeout_ms: 0,
        max_timeout_ms: 1,
        max_retransmits: 1,
        linger_ms: 0,
    };
    let mut s = zeroed::<iomt_retransmit>();
    assert_eq!(
        unsafe { iomt_retransmit_init(&raw mut *s, &raw const bad) },
        iomt_result::HandshakeInvalidRetransmitConfig
    );
    // NULL
    assert_eq!(
        unsafe { iomt_retransmit_init(null_mut(), null()) },
        iomt_result::NullParameter
    );
    let mut r = retx(None);
    assert_eq!(
        unsafe { iomt_retransmit_sent(&raw mut *r, c.ptr(), 0, null(), 0, 1) },
        iomt_result::NullParameter
    );
    // a message larger than the buffer
    let big = vec![0u8; IOMT_MAX_MESSAGE_LEN + 1];
    assert_eq!(
        unsafe { iomt_retransmit_sent(&raw mut *r, c.ptr(), 0, big.as_ptr(), big.len(), 1) },
        iomt_result::HandshakeFlightTooLarge
    );
    // a short output buffer reports the size needed
    sent(&mut r, &mut c, 0, &[9u8; 40], true);
    let (mut n, mut dl, mut small) = (0usize, 0u64, [0u8; 8]);
    let res = unsafe {
        iomt_retransmit_poll(
            &raw mut *r,
            10_000,
            small.as_mut_ptr(),
            small.len(),
            &raw mut n,
            &raw mut dl,
        )
    };
    assert_eq!((res, n), (iomt_result::BufferTooSmall, 40));
    // a copied object is not live (its kept message cannot be replayed from the copy)
    let mut copy = zeroed::<iomt_retransmit>();
    unsafe { core::ptr::copy_nonoverlapping(&raw const *r, &raw mut *copy, 1) };
    let (res, _, _) = poll(&mut copy, 100_000);
    assert_eq!(res, iomt_result::NotInitialized);
    // after deinit: not initialized
    assert_eq!(
        unsafe { iomt_retransmit_deinit(&raw mut *r) },
        iomt_result::Ok
    );
    let (res, _, _) = poll(&mut r, 0);
    assert_eq!(res, iomt_result::NotInitialized);
}

#[test]
fn c_retransmit_storage_matches_the_header() {
    assert_eq!(size_of::<iomt_retransmit>(), IOMT_RETRANSMIT_SIZE);
    assert_eq!(align_of::<iomt_retransmit>(), IOMT_RETRANSMIT_ALIGN);
    let header = include_str!("../../include/iomt.h");
    assert!(header.contains(&format!(
        "#define IOMT_RETRANSMIT_SIZE {IOMT_RETRANSMIT_SIZE}"
    )));
    assert!(header.contains("iomt_result iomt_retransmit_poll("));
}
