//! Nonce reuse and replay reset are impossible through the C API, whatever the caller
//! does: one session per handshake and key epoch, and copies of live objects are dead.
//! Each test is one attack from the issue "One handshake implementation under both
//! APIs", asserting the specific error.

use super::*;

/// A completed method-3 handshake pair for `suite` (no message_4).
fn completed(c: &mut Crypto, suite: u8) -> (Box<iomt_handshake>, Box<iomt_handshake>) {
    let (dev, gw) = (device(), gateway());
    handshake(c, 3, suite, false, &dev, &gw)
}

fn session_from(
    c: &mut Crypto,
    hs: &mut iomt_handshake,
    storage: &mut iomt_session,
) -> iomt_result {
    unsafe { iomt_session_init(storage, hs, c.ptr()) }
}

/// Seals `payload` (no consent slot) and returns the frame.
fn seal(c: &mut Crypto, s: &mut iomt_session, payload: &[u8]) -> Result<Vec<u8>, iomt_result> {
    let mut frame = [0u8; 128];
    let mut n = 0usize;
    let r = unsafe {
        iomt_session_seal(
            s,
            c.ptr(),
            IOMT_NO_CONSENT_SLOT,
            payload.as_ptr(),
            payload.len(),
            frame.as_mut_ptr(),
            frame.len(),
            &raw mut n,
        )
    };
    if r == iomt_result::Ok {
        Ok(frame[..n].to_vec())
    } else {
        Err(r)
    }
}

fn open(c: &mut Crypto, s: &mut iomt_session, frame: &[u8]) -> iomt_result {
    let mut copy = frame.to_vec();
    let mut opened = MaybeUninit::<iomt_opened>::uninit();
    unsafe {
        iomt_session_open(
            s,
            c.ptr(),
            copy.as_mut_ptr(),
            copy.len(),
            opened.as_mut_ptr(),
        )
    }
}

/// A byte copy of `src` in fresh storage at another address (C's `memcpy` or `a = b`).
fn byte_copy<T>(src: &T) -> Box<T> {
    let mut dst = zeroed::<T>();
    unsafe { core::ptr::copy_nonoverlapping(src, &raw mut *dst, 1) };
    dst
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn second_session_from_one_handshake_is_refused_in_both_roles_and_suites() {
    let mut c = Crypto::new(1);
    for suite in [2, 5] {
        let (mut i, mut r) = completed(&mut c, suite);
        for hs in [&mut i, &mut r] {
            let (mut s1, mut s2) = (zeroed::<iomt_session>(), zeroed::<iomt_session>());
            assert_eq!(session_from(&mut c, hs, &mut s1), iomt_result::Ok);
            assert_eq!(
                session_from(&mut c, hs, &mut s2),
                iomt_result::HandshakeChannelAlreadyStarted,
                "suite {suite}"
            );
            // s2 was never initialised: it cannot seal (no keystream to compare)
            assert_eq!(
                seal(&mut c, &mut s2, b"p2"),
                Err(iomt_result::NotInitialized)
            );
            assert!(seal(&mut c, &mut s1, b"p1").is_ok());
            assert_eq!(
                unsafe { iomt_session_deinit(&raw mut *s1) },
                iomt_result::Ok
            );
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn reinitialising_a_session_cannot_reset_its_replay_window() {
    let mut c = Crypto::new(2);
    let (mut i, mut r) = completed(&mut c, 2);
    let (mut dev, mut gw) = (zeroed::<iomt_session>(), zeroed::<iomt_session>());
    assert_eq!(session_from(&mut c, &mut i, &mut dev), iomt_result::Ok);
    assert_eq!(session_from(&mut c, &mut r, &mut gw), iomt_result::Ok);
    let frame = seal(&mut c, &mut dev, b"spo2 97").unwrap();
    assert_eq!(open(&mut c, &mut gw, &frame), iomt_result::Ok);
    assert_eq!(open(&mut c, &mut gw, &frame), iomt_result::FrameReplayed);
    // the natural "reconnect": init the same storage from the same handshake again
    assert_eq!(
        session_from(&mut c, &mut r, &mut gw),
        iomt_result::HandshakeChannelAlreadyStarted
    );
    // the live session is untouched: the frame is still a replay
    assert_eq!(open(&mut c, &mut gw, &frame), iomt_result::FrameReplayed);
    // even after deinit, the handshake gives no second session with these keys
    assert_eq!(
        unsafe { iomt_session_deinit(&raw mut *gw) },
        iomt_result::Ok
    );
    assert_eq!(
        session_from(&mut c, &mut r, &mut gw),
        iomt_result::HandshakeChannelAlreadyStarted
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn a_copied_session_is_not_live_and_cannot_reuse_a_nonce() {
    let mut c = Crypto::new(3);
    for suite in [2, 5] {
        let (mut i, mut r) = completed(&mut c, suite);
        let (mut dev, mut gw) = (zeroed::<iomt_session>(), zeroed::<iomt_session>());
        assert_eq!(session_from(&mut c, &mut i, &mut dev), iomt_result::Ok);
        assert_eq!(session_from(&mut c, &mut r, &mut gw), iomt_result::Ok);
        let mut copy = byte_copy(&*dev);
        assert_eq!(
            seal(&mut c, &mut copy, b"p2"),
            Err(iomt_result::NotInitialized)
        );
        let mut info = MaybeUninit::<iomt_session_info>::uninit();
        assert_eq!(
            unsafe { iomt_session_get_info(&raw const *copy, info.as_mut_ptr()) },
            iomt_result::NotInitialized
        );
        // deinit of the copy is harmless and leaves the original working
        assert_eq!(
            unsafe { iomt_session_deinit(&raw mut *copy) },
            iomt_result::Ok
        );
        let frame = seal(&mut c, &mut dev, b"p1").unwrap();
        assert_eq!(open(&mut c, &mut gw, &frame), iomt_result::Ok);
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn a_copied_handshake_is_not_live_and_starts_no_session() {
    let mut c = Crypto::new(4);
    let (mut i, _r) = completed(&mut c, 5);
    let mut copy = byte_copy(&*i);
    let mut s = zeroed::<iomt_session>();
    assert_eq!(
        session_from(&mut c, &mut copy, &mut s),
        iomt_result::NotInitialized
    );
    let mut state = MaybeUninit::<iomt_handshake_state>::uninit();
    assert_eq!(
        unsafe { iomt_handshake_get_state(&raw const *copy, state.as_mut_ptr()) },
        iomt_result::NotInitialized
    );
    // the original still starts its one session
    assert_eq!(session_from(&mut c, &mut i, &mut s), iomt_result::Ok);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn the_session_labels_cannot_be_exported_by_hand() {
    let mut c = Crypto::new(5);
    let (mut i, _r) = completed(&mut c, 2);
    let mut out = [0u8; 32];
    for label in [32768u16, 32769] {
        let r = unsafe {
            iomt_handshake_export(&raw mut *i, c.ptr(), label, null(), 0, out.as_mut_ptr(), 32)
        };
        assert_eq!(r, iomt_result::HandshakeReservedExporterLabel);
    }
    let r = unsafe {
        iomt_handshake_export(&raw mut *i, c.ptr(), 32770, null(), 0, out.as_mut_ptr(), 32)
    };
    assert_eq!(r, iomt_result::Ok);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn key_update_on_both_sides_allows_exactly_one_new_session_with_new_keys() {
    let mut c = Crypto::new(6);
    let (mut i, mut r) = completed(&mut c, 5);
    let (mut dev, mut gw) = (zeroed::<iomt_session>(), zeroed::<iomt_session>());
    assert_eq!(session_from(&mut c, &mut i, &mut dev), iomt_result::Ok);
    assert_eq!(session_from(&mut c, &mut r, &mut gw), iomt_result::Ok);
    let old = seal(&mut c, &mut dev, b"same payload").unwrap();
    for hs in [&mut i, &mut r] {
        let ctx = b"reconnect";
        assert_eq!(
            unsafe { iomt_handshake_key_update(&raw mut **hs, c.ptr(), ctx.as_ptr(), ctx.len()) },
            iomt_result::Ok
        );
    }
    let (mut dev2, mut gw2) = (zeroed::<iomt_session>(), zeroed::<iomt_session>());
    assert_eq!(session_from(&mut c, &mut i, &mut dev2), iomt_result::Ok);
    assert_eq!(session_from(&mut c, &mut r, &mut gw2), iomt_result::Ok);
    let new = seal(&mut c, &mut dev2, b"same payload").unwrap();
    assert_eq!(old.len(), new.len());
    assert_eq!(old[..4], new[..4], "same header: epoch 0, sequence 0");
    assert_ne!(old[4..], new[4..], "different keys: no keystream reuse");
    assert_eq!(
        open(&mut c, &mut gw2, &old),
        iomt_result::FrameAuthenticationFailed
    );
    assert_eq!(open(&mut c, &mut gw2, &new), iomt_result::Ok);
    let mut third = zeroed::<iomt_session>();
    assert_eq!(
        session_from(&mut c, &mut i, &mut third),
        iomt_result::HandshakeChannelAlreadyStarted
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn role_specific_steps_refuse_the_other_role_and_change_nothing() {
    let mut c = Crypto::new(7);
    let mut i = zeroed::<iomt_handshake>();
    let labels = [5u16];
    let icfg = initiator_config(3, &[2], false, &labels);
    assert_eq!(
        unsafe { iomt_handshake_init_initiator(&raw mut *i, &raw const icfg) },
        iomt_result::Ok
    );
    let m1 = [0x03u8, 0x02];
    assert_eq!(
        unsafe { iomt_handshake_read_message_1(&raw mut *i, c.ptr(), m1.as_ptr(), m1.len()) },
        iomt_result::WrongState
    );
    let mut state = MaybeUninit::<iomt_handshake_state>::uninit();
    assert_eq!(
        unsafe { iomt_handshake_get_state(&raw const *i, state.as_mut_ptr()) },
        iomt_result::Ok
    );
    assert_eq!(unsafe { state.assume_init() }, iomt_handshake_state::Start);
}
