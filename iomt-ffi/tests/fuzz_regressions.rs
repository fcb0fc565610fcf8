//! Regressions found by the `ffi_handshake` fuzz target (`fuzz/`).

use core::ffi::c_void;
use core::mem::MaybeUninit;

use iomt_ffi::{
    iomt_crypto, iomt_crypto_deinit, iomt_crypto_init, iomt_handshake, iomt_handshake_deinit,
    iomt_handshake_error_message, iomt_handshake_init_responder, iomt_handshake_read_message_1,
    iomt_responder_config, iomt_result,
};

unsafe extern "C" fn rng(_userdata: *mut c_void, out: *mut u8, out_len: usize) -> i32 {
    // SAFETY: the library passes a valid buffer of `out_len` bytes.
    unsafe { core::slice::from_raw_parts_mut(out, out_len) }.fill(7);
    0
}

/// `iomt_handshake_error_message` with a short buffer used to leave a partial CBOR
/// message in it and report only the size of the item that did not fit. Now nothing is
/// written on failure and `*out_len` is the size of the whole message.
#[test]
fn error_message_short_buffer_writes_nothing_and_reports_the_whole_size() {
    // SAFETY: zeroed opaque storage, initialized by the init calls below.
    let mut crypto: iomt_crypto = unsafe { MaybeUninit::zeroed().assume_init() };
    // SAFETY: as above.
    let mut resp: iomt_handshake = unsafe { MaybeUninit::zeroed().assume_init() };
    let suites = [2u8, 5];
    let c_r = [0x27u8];
    let cfg = iomt_responder_config {
        methods: 0x0F,
        send_message_4: 0,
        suites: suites.as_ptr(),
        suites_len: suites.len(),
        c_r: c_r.as_ptr(),
        c_r_len: c_r.len(),
        ead_labels: core::ptr::null(),
        ead_labels_len: 0,
    };
    // SAFETY: valid pointers for every call; objects are initialized before use.
    unsafe {
        assert_eq!(
            iomt_crypto_init(&mut crypto, Some(rng), core::ptr::null_mut()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&mut resp, &cfg),
            iomt_result::Ok
        );
        // A malformed message_1 fails the responder; an ERR_CODE 1 message is owed.
        let garbage = [0x05u8, 0x01, 0xbf];
        assert_ne!(
            iomt_handshake_read_message_1(&mut resp, &mut crypto, garbage.as_ptr(), garbage.len()),
            iomt_result::Ok
        );

        let mut full = [0u8; 256];
        let mut full_len = 0usize;
        assert_eq!(
            iomt_handshake_error_message(&resp, full.as_mut_ptr(), full.len(), &mut full_len),
            iomt_result::Ok
        );
        assert!(full_len > 2, "an error message with a diagnostic text");

        for cap in 0..full_len {
            let mut out = vec![0xA5u8; cap];
            let mut out_len = usize::MAX;
            assert_eq!(
                iomt_handshake_error_message(&resp, out.as_mut_ptr(), cap, &mut out_len),
                iomt_result::BufferTooSmall,
                "cap {cap}"
            );
            assert!(
                out.iter().all(|b| *b == 0xA5),
                "cap {cap}: output written on failure"
            );
            assert_eq!(
                out_len, full_len,
                "cap {cap}: needed must be the whole message"
            );
        }
        let mut exact = vec![0u8; full_len];
        let mut n = 0usize;
        assert_eq!(
            iomt_handshake_error_message(&resp, exact.as_mut_ptr(), full_len, &mut n),
            iomt_result::Ok
        );
        assert_eq!(&exact[..n], &full[..full_len]);

        assert_eq!(iomt_handshake_deinit(&mut resp), iomt_result::Ok);
        assert_eq!(iomt_crypto_deinit(&mut crypto), iomt_result::Ok);
    }
}
