//! No panic crosses the C boundary (issue 25): a panic injected inside the library, under
//! real exported functions (the test-kit provider panics on a chosen call), comes back as
//! `IOMT_RESULT_PANIC`, the caller's outputs are not written, and the objects keep working.

use super::aaa::{flash, open_log};
use super::*;
use iomt_ffi::counting::inject_panic_after;

#[test]
fn a_panic_inside_the_library_returns_panic_and_changes_nothing() {
    let mut c = Crypto::new(71);

    // iomt_crypto_random: the provider's first call panics.
    let mut out = [0xa5u8; 16];
    inject_panic_after(0);
    let r = unsafe { iomt_crypto_random(c.ptr(), out.as_mut_ptr(), out.len()) };
    assert_eq!(r, iomt_result::Panic);
    assert_eq!(out, [0xa5; 16], "no output after a panic");
    assert_eq!(
        unsafe { iomt_crypto_random(c.ptr(), out.as_mut_ptr(), out.len()) },
        iomt_result::Ok
    );

    // iomt_subject_of (SHA-256 inside): the output stays unwritten.
    let mut subject = [0xa5u8; 8];
    inject_panic_after(0);
    let r = unsafe { iomt_subject_of(c.ptr(), b"dr-who".as_ptr(), 6, subject.as_mut_ptr()) };
    assert_eq!(r, iomt_result::Panic);
    assert_eq!(subject, [0xa5; 8]);

    // iomt_audit_log_append: a panic while chaining the record writes nothing, and the
    // log appends normally afterwards.
    let mut f = flash(4);
    let mut log = open_log(&mut c, &mut f);
    let slots = f.slots.clone();
    let mut seq = 0xdead_beef_u32;
    let mut append = |c: &mut Crypto, seq: &mut u32| unsafe {
        iomt_audit_log_append(&raw mut *log, c.ptr(), 1, 11, 0, null(), null(), 0, seq)
    };
    inject_panic_after(0);
    assert_eq!(append(&mut c, &mut seq), iomt_result::Panic);
    assert_eq!(seq, 0xdead_beef, "no sequence number after a panic");
    assert_eq!(f.slots, slots, "nothing written");
    assert_eq!((append(&mut c, &mut seq), seq), (iomt_result::Ok, 0));
}
