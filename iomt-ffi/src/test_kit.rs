//! Test support for the C API's own tests and fuzz targets (feature `test-kit`; NOT
//! API, no stability): the RFC 9529 §3 keys, a provider with a deterministic test RNG,
//! zeroed storage, credentials and trust stores for a device and a gateway, and one
//! C-API handshake driver — the single harness `iomt-ffi/tests/c_api` and the `ffi_*`
//! fuzz targets share.
#![expect(
    unsafe_code,
    reason = "drives the exported unsafe extern \"C\" functions like a C program"
)]
#![expect(
    clippy::undocumented_unsafe_blocks,
    reason = "test support: every pointer passed is a live local of the right type"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects,
    missing_docs,
    reason = "test support: a failed setup step is a test failure"
)]

extern crate std;

use core::ffi::c_void;
use core::mem::MaybeUninit;
use core::ptr::null;
use std::boxed::Box;
use std::vec::Vec;

use crate::audit::Log;
use crate::authz::AuthObj;
use crate::boundary;
use crate::crypto::Provider;
use crate::*;

pub const CRED_I: &str = "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
pub const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
pub const SK_I: &str = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
pub const SK_R: &str = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";

pub fn h(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A deterministic test RNG (NOT secure): a counter through a multiplier.
pub unsafe extern "C" fn test_rng(userdata: *mut c_void, out: *mut u8, len: usize) -> i32 {
    let state = unsafe { &mut *userdata.cast::<u64>() };
    for i in 0..len {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        unsafe { *out.add(i) = (*state >> 56) as u8 };
    }
    0
}

pub unsafe extern "C" fn failing_rng(_: *mut c_void, _: *mut u8, _: usize) -> i32 {
    -1
}

/// Zero-filled storage (the documented "not yet initialized" state).
pub fn zeroed<T>() -> Box<T> {
    let b: Box<MaybeUninit<T>> = Box::new(MaybeUninit::zeroed());
    // Every storage type is plain bytes, so all-zero is a valid value.
    unsafe { b.assume_init() }
}

/// A crypto provider whose RNG state lives on the heap at a fixed address (the provider
/// keeps a raw pointer to it).
pub struct Crypto {
    storage: Box<iomt_crypto>,
    seed: *mut u64,
}

impl Crypto {
    pub fn new(seed: u64) -> Self {
        let seed = Box::into_raw(Box::new(seed));
        let mut storage = zeroed::<iomt_crypto>();
        let r = unsafe { iomt_crypto_init(&raw mut *storage, Some(test_rng), seed.cast()) };
        assert_eq!(r, iomt_result::Ok);
        Self { storage, seed }
    }
    pub fn ptr(&mut self) -> *mut iomt_crypto {
        &raw mut *self.storage
    }
}

impl Drop for Crypto {
    fn drop(&mut self) {
        let r = unsafe { iomt_crypto_deinit(&raw mut *self.storage) };
        assert_eq!(r, iomt_result::Ok);
        drop(unsafe { Box::from_raw(self.seed) });
    }
}

pub fn initiator_config(
    method: u8,
    suites: &[u8],
    m4: bool,
    labels: &[u16],
) -> iomt_initiator_config {
    static C_I: [u8; 1] = [0x37];
    iomt_initiator_config {
        method,
        expect_message_4: u8::from(m4),
        suites: suites.as_ptr(),
        suites_len: suites.len(),
        c_i: C_I.as_ptr(),
        c_i_len: 1,
        ead_labels: labels.as_ptr(),
        ead_labels_len: labels.len(),
    }
}

pub fn responder_config(suites: &[u8], m4: bool, labels: &[u16]) -> iomt_responder_config {
    static C_R: [u8; 1] = [0x27];
    iomt_responder_config {
        methods: 0x0F,
        send_message_4: u8::from(m4),
        suites: suites.as_ptr(),
        suites_len: suites.len(),
        c_r: C_R.as_ptr(),
        c_r_len: 1,
        ead_labels: labels.as_ptr(),
        ead_labels_len: labels.len(),
    }
}

pub struct Side {
    pub cred: Box<iomt_credential>,
    pub trust: Box<iomt_trust_store>,
}

pub fn side(
    sk: &str,
    ccs: &str,
    kid: u8,
    peer_ccs: &str,
    peer_kid: u8,
    peer_name: &[u8],
    roles: u16,
) -> Side {
    let (sk, ccs, peer) = (h(sk), h(ccs), h(peer_ccs));
    let mut cred = zeroed::<iomt_credential>();
    let mut trust = zeroed::<iomt_trust_store>();
    unsafe {
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk.as_ptr(),
                32,
                ccs.as_ptr(),
                ccs.len(),
                &raw const kid,
                1
            ),
            iomt_result::Ok
        );
        assert_eq!(iomt_trust_store_init(&raw mut *trust), iomt_result::Ok);
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *trust,
                peer.as_ptr(),
                peer.len(),
                &raw const peer_kid,
                1,
                peer_name.as_ptr(),
                peer_name.len(),
                roles
            ),
            iomt_result::Ok
        );
    }
    Side { cred, trust }
}

pub fn device() -> Side {
    side(SK_I, CRED_I, 0x2b, CRED_R, 0x32, b"gateway", 1 << 8)
}

pub fn gateway() -> Side {
    side(SK_R, CRED_R, 0x32, CRED_I, 0x2b, b"pump", 1 << 7)
}

/// Runs a handshake through the C API; returns the completed objects.
pub fn handshake(
    c: &mut Crypto,
    method: u8,
    suite: u8,
    m4: bool,
    dev: &Side,
    gw: &Side,
) -> (Box<iomt_handshake>, Box<iomt_handshake>) {
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    let labels = [5u16];
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    let v1 = *b"one";
    let ead1 = iomt_ead_item {
        label: -5,
        value: v1.as_ptr(),
        value_len: 3,
    };
    let ead3 = iomt_ead_item {
        label: 9,
        value: null(),
        value_len: 0,
    };
    unsafe {
        let icfg = initiator_config(method, &[suite], m4, &labels);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const icfg),
            iomt_result::Ok
        );
        let rcfg = responder_config(&[2, 5], m4, &labels);
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                &raw const ead1,
                1,
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
        let mut item = MaybeUninit::<iomt_ead_item>::uninit();
        assert_eq!(
            iomt_handshake_received_ead(&raw const *r, 0, item.as_mut_ptr()),
            iomt_result::Ok
        );
        let item = item.assume_init();
        assert_eq!(item.label, -5);
        assert_eq!(
            core::slice::from_raw_parts(item.value, item.value_len),
            b"one"
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
                &raw const ead3,
                1,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_3(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.trust,
                m.as_ptr(),
                n
            ),
            iomt_result::Ok
        );
        let mut item = MaybeUninit::<iomt_ead_item>::uninit();
        assert_eq!(
            iomt_handshake_received_ead(&raw const *r, 0, item.as_mut_ptr()),
            iomt_result::Ok
        );
        let item = item.assume_init();
        assert_eq!((item.label, item.value.is_null()), (9, true));
        if m4 {
            assert_eq!(
                iomt_handshake_write_message_4(
                    &raw mut *r,
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
                iomt_handshake_read_message_4(&raw mut *i, c.ptr(), m.as_ptr(), n),
                iomt_result::Ok
            );
        }
    }
    (i, r)
}

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
pub fn storage_in_use() -> [(&'static str, usize, usize); 4] {
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

/// The library's completed handshake inside a completed `iomt_handshake` (the C API
/// holds iomt-auth's own state machine).
///
/// # Safety
/// `hs` must be a live, completed handshake not borrowed elsewhere.
pub unsafe fn completed_of<'a>(hs: *mut iomt_handshake) -> &'a mut iomt_auth::edhoc::Completed {
    unsafe { completed(hs) }.unwrap().0
}
