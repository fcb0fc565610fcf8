//! Test hooks into the C API's internals (feature `test-kit`; NOT API, no stability):
//! what a C program cannot do but iomt's tests and fuzz targets need — the Rust value
//! inside an opaque storage, a working duplicate of a live object at a new address, and
//! the bytes each storage type uses. The C-API harness built on the exported functions
//! alone is `iomt_testkit::ffi` (which re-exports these).
#![expect(
    unsafe_code,
    reason = "reads the Rust values inside caller-allocated storage"
)]
#![expect(
    clippy::undocumented_unsafe_blocks,
    reason = "test support: every contract is the caller's, stated on the function"
)]
#![allow(
    clippy::unwrap_used,
    clippy::missing_panics_doc,
    reason = "test support: a failed hook is a test failure"
)]

extern crate std;

use std::boxed::Box;

use crate::audit::Log;
use crate::authz::AuthObj;
use crate::boundary;
use crate::crypto::Provider;
use crate::handshake::completed;
use crate::*;

/// The provider inside an initialised `iomt_crypto` (to build library values a test
/// needs without a handshake).
///
/// # Safety
/// `crypto` must be a live `iomt_crypto` not borrowed elsewhere.
pub unsafe fn provider<'a>(crypto: *mut iomt_crypto) -> &'a mut Provider {
    unsafe { boundary::get_mut(crypto) }.unwrap()
}

/// The audit log inside an initialised `iomt_audit_log`.
///
/// # Safety
/// `log` must be a live `iomt_audit_log` not borrowed elsewhere.
pub unsafe fn audit_log<'a>(log: *mut iomt_audit_log) -> &'a mut Log {
    unsafe { boundary::get_mut(log) }.unwrap()
}

/// Initialises `auth` storage with `value` directly (RBAC tests that need no handshake).
///
/// # Safety
/// `auth` must point to writable `iomt_session_auth` storage.
pub unsafe fn init_session_auth(auth: *mut iomt_session_auth, value: iomt_auth::rbac::SessionAuth) {
    unsafe { boundary::init(auth, AuthObj { auth: value }) }.unwrap();
}

/// Bytes in use inside each storage type (for the size report).
#[must_use]
pub fn storage_in_use() -> [(&'static str, usize, usize); 5] {
    use boundary::{Slot, Storage};
    [
        (
            "crypto",
            size_of::<Slot<<iomt_crypto as Storage>::Inner>>(),
            IOMT_CRYPTO_SIZE,
        ),
        (
            "handshake",
            size_of::<Slot<<iomt_handshake as Storage>::Inner>>(),
            IOMT_HANDSHAKE_SIZE,
        ),
        (
            "session",
            size_of::<Slot<<iomt_session as Storage>::Inner>>(),
            IOMT_SESSION_SIZE,
        ),
        (
            "update",
            size_of::<Slot<<iomt_update as Storage>::Inner>>(),
            IOMT_UPDATE_SIZE,
        ),
        (
            "trust store",
            size_of::<Slot<<iomt_trust_store as Storage>::Inner>>(),
            IOMT_TRUST_STORE_SIZE,
        ),
    ]
}

/// A working duplicate of a live handshake at a new address (fuzz templates; a C caller
/// cannot do this: a byte copy reads as not initialised).
#[must_use]
pub fn duplicate_handshake(src: &iomt_handshake) -> Box<iomt_handshake> {
    unsafe { boundary::duplicate(src) }.unwrap()
}

/// A working duplicate of a live session at a new address (fuzz templates only: the
/// duplicate seals with the original's keys and nonces).
#[must_use]
pub fn duplicate_session(src: &iomt_session) -> Box<iomt_session> {
    unsafe { boundary::duplicate(src) }.unwrap()
}

/// A working duplicate of a live session authorization context at a new address (fuzz
/// templates only: the duplicate holds the original's permit key and permit book).
#[must_use]
pub fn duplicate_session_auth(src: &iomt_session_auth) -> Box<iomt_session_auth> {
    unsafe { boundary::duplicate(src) }.unwrap()
}

/// The library's completed handshake inside a completed `iomt_handshake` (the C API
/// holds iomt-auth's own state machine).
///
/// # Safety
/// `hs` must be a live, completed handshake not borrowed elsewhere.
pub unsafe fn completed_of<'a>(hs: *mut iomt_handshake) -> &'a mut iomt_auth::edhoc::Completed {
    unsafe { completed(hs) }.unwrap().0
}
