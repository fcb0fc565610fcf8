//! The C-API harness of `iomt-ffi/tests/c_api` and the `ffi_*` fuzz targets: a provider
//! with a deterministic test RNG (a seeded counter, or a stateless `i * mul + add`
//! pattern), zeroed storage, credentials and trust stores for a device and a gateway, and
//! one C-API handshake driver ([`drive`]: EAD_1/EAD_3 to send, a hook after every step;
//! [`handshake()`] is its common case). It uses the exported functions only, like a C
//! program; the few hooks into iomt-ffi's internals (feature `test-kit`) are re-exported
//! from `iomt_ffi::__test_hooks`.
#![expect(
    unsafe_code,
    reason = "drives the exported unsafe extern \"C\" functions like a C program"
)]
#![expect(
    clippy::undocumented_unsafe_blocks,
    reason = "test support: every pointer passed is a live local of the right type"
)]
#![allow(
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    missing_docs,
    reason = "test support: a failed setup step is a test failure"
)]

use core::ffi::c_void;
use core::mem::MaybeUninit;
use core::ptr::null;

pub use iomt_ffi::__test_hooks::*;
use iomt_ffi::*;

pub use crate::rfc9529::{CRED_I, CRED_R, SK_I, SK_R, h};

/// A deterministic test RNG (NOT secure): a counter through a multiplier.
///
/// # Safety
/// `userdata` points to a live `u64` (the state), `out` to `len` writable bytes.
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

/// A stateless pattern RNG (NOT secure): byte `i` of every request is `i * mul + add`
/// (mod 256), the same bytes on every call. `userdata` points to a `u64` holding
/// `mul << 8 | add` (see [`Crypto::pattern`]).
///
/// # Safety
/// `userdata` points to a live `u64`, `out` to `len` writable bytes.
pub unsafe extern "C" fn pattern_rng(userdata: *mut c_void, out: *mut u8, len: usize) -> i32 {
    let spec = unsafe { *userdata.cast::<u64>() };
    let (mul, add) = ((spec >> 8) as u8, spec as u8);
    for i in 0..len {
        unsafe { *out.add(i) = (i as u8).wrapping_mul(mul).wrapping_add(add) };
    }
    0
}

/// An RNG that always fails (-1).
///
/// # Safety
/// None: it reads and writes nothing.
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
/// keeps a raw pointer to it). Derefs to the `iomt_crypto` (`&mut *c` for the C calls);
/// deinitialised on drop.
pub struct Crypto {
    storage: Box<iomt_crypto>,
    seed: *mut u64,
}

impl Crypto {
    /// With [`test_rng`] from `seed`.
    pub fn new(seed: u64) -> Self {
        Self::with_rng(test_rng, seed)
    }

    /// With [`pattern_rng`]: every request is filled with `i * mul + add`.
    pub fn pattern(mul: u8, add: u8) -> Self {
        Self::with_rng(pattern_rng, (u64::from(mul) << 8) | u64::from(add))
    }

    fn with_rng(rng: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> i32, state: u64) -> Self {
        let seed = Box::into_raw(Box::new(state));
        let mut storage = zeroed::<iomt_crypto>();
        let r = unsafe { iomt_crypto_init(&raw mut *storage, Some(rng), seed.cast()) };
        assert_eq!(r, iomt_result::Ok);
        Self { storage, seed }
    }

    pub fn ptr(&mut self) -> *mut iomt_crypto {
        &raw mut *self.storage
    }
}

impl core::ops::Deref for Crypto {
    type Target = iomt_crypto;
    fn deref(&self) -> &iomt_crypto {
        &self.storage
    }
}

impl core::ops::DerefMut for Crypto {
    fn deref_mut(&mut self) -> &mut iomt_crypto {
        &mut self.storage
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

/// Accepts every method; C_R = 0x27.
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

/// A credential from a hex private key and CCS, with a one-byte `kid`.
pub fn credential(sk: &str, ccs: &str, kid: u8) -> Box<iomt_credential> {
    let (sk, ccs) = (h(sk), h(ccs));
    let mut cred = zeroed::<iomt_credential>();
    let r = unsafe {
        iomt_credential_init(
            &raw mut *cred,
            sk.as_ptr(),
            sk.len(),
            ccs.as_ptr(),
            ccs.len(),
            &raw const kid,
            1,
        )
    };
    assert_eq!(r, iomt_result::Ok);
    cred
}

/// A trust store holding one peer (hex CCS, one-byte `kid`) bound to `name` and `roles`.
pub fn trust_store(peer_ccs: &str, peer_kid: u8, name: &[u8], roles: u16) -> Box<iomt_trust_store> {
    let peer = h(peer_ccs);
    let mut trust = zeroed::<iomt_trust_store>();
    unsafe {
        assert_eq!(iomt_trust_store_init(&raw mut *trust), iomt_result::Ok);
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *trust,
                peer.as_ptr(),
                peer.len(),
                &raw const peer_kid,
                1,
                name.as_ptr(),
                name.len(),
                roles
            ),
            iomt_result::Ok
        );
    }
    trust
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
    Side {
        cred: credential(sk, ccs, kid),
        trust: trust_store(peer_ccs, peer_kid, peer_name, roles),
    }
}

/// RFC 9529's initiator, trusting the responder as `peer_name` with `roles`.
pub fn initiator_side(peer_name: &[u8], roles: u16) -> Side {
    side(SK_I, CRED_I, 0x2b, CRED_R, 0x32, peer_name, roles)
}

/// RFC 9529's responder, trusting the initiator as `peer_name` with `roles`.
pub fn responder_side(peer_name: &[u8], roles: u16) -> Side {
    side(SK_R, CRED_R, 0x32, CRED_I, 0x2b, peer_name, roles)
}

pub fn device() -> Side {
    initiator_side(b"gateway", 1 << 8)
}

pub fn gateway() -> Side {
    responder_side(b"pump", 1 << 7)
}

/// An EAD item to send (`value: None` is a NULL value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ead {
    pub label: i32,
    pub value: Option<Vec<u8>>,
}

impl Ead {
    fn item(&self) -> iomt_ead_item {
        let value = self.value.as_deref();
        iomt_ead_item {
            label: self.label,
            value: value.map_or(null(), <[u8]>::as_ptr),
            value_len: value.map_or(0, <[u8]>::len),
        }
    }
}

/// The C items of `ead` (held by the returned vector); `(NULL, 0)` when there are none.
fn items(ead: &[Ead]) -> (Vec<iomt_ead_item>, usize) {
    (ead.iter().map(Ead::item).collect(), ead.len())
}

fn items_ptr(items: &(Vec<iomt_ead_item>, usize)) -> *const iomt_ead_item {
    if items.1 == 0 {
        null()
    } else {
        items.0.as_ptr()
    }
}

/// What [`drive`] runs: the initiator's method and suites, the responder's suites, whether
/// message_4 is sent, the EAD labels both sides take, and the EAD_1/EAD_3 items the
/// initiator sends (the responder sends none). C_I = 0x37, C_R = 0x27.
#[derive(Clone, Debug)]
pub struct Exchange<'a> {
    pub method: u8,
    pub initiator_suites: &'a [u8],
    pub responder_suites: &'a [u8],
    pub m4: bool,
    pub labels: &'a [u16],
    pub ead_1: Vec<Ead>,
    pub ead_3: Vec<Ead>,
}

/// A handshake step, named after its C function (`iomt_handshake_<step>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    WriteMessage1,
    ReadMessage1,
    WriteMessage2,
    ReadMessage2,
    WriteMessage3,
    ReadMessage3,
    WriteMessage4,
    ReadMessage4,
}

/// What [`drive`]'s hook sees right after a step succeeded.
pub struct Progress<'a> {
    pub step: Step,
    pub initiator: &'a mut iomt_handshake,
    pub responder: &'a mut iomt_handshake,
    pub crypto: &'a mut Crypto,
    /// The message the step wrote or read.
    pub message: &'a [u8],
    /// The EAD_3 items still to be sent (a hook after `ReadMessage2` may change them,
    /// e.g. add an operator-factor tag computed with `iomt_handshake_factor_tag`).
    pub ead_3: &'a mut Vec<Ead>,
}

/// An initiator and a responder initialised with `icfg` and `rcfg` (both must return OK).
pub fn init_pair(
    icfg: &iomt_initiator_config,
    rcfg: &iomt_responder_config,
) -> (Box<iomt_handshake>, Box<iomt_handshake>) {
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    unsafe {
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, icfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, rcfg),
            iomt_result::Ok
        );
    }
    (i, r)
}

/// Runs a whole handshake through the C API between `initiator` and `responder` (every
/// step must return OK), calling `hook` right after each step; returns the completed
/// objects (initiator, responder).
pub fn drive(
    c: &mut Crypto,
    x: Exchange<'_>,
    initiator: &Side,
    responder: &Side,
    hook: &mut dyn FnMut(Progress<'_>),
) -> (Box<iomt_handshake>, Box<iomt_handshake>) {
    let (mut m, mut n) = (vec![0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    let mut ead_3 = x.ead_3;
    let (mut i, mut r) = init_pair(
        &initiator_config(x.method, x.initiator_suites, x.m4, x.labels),
        &responder_config(x.responder_suites, x.m4, x.labels),
    );
    let ead_1 = items(&x.ead_1);
    macro_rules! step {
        ($step:expr, $call:expr) => {{
            assert_eq!(unsafe { $call }, iomt_result::Ok, "{:?}", $step);
            hook(Progress {
                step: $step,
                initiator: &mut i,
                responder: &mut r,
                crypto: &mut *c,
                message: &m[..n],
                ead_3: &mut ead_3,
            });
        }};
    }
    step!(
        Step::WriteMessage1,
        iomt_handshake_write_message_1(
            &raw mut *i,
            c.ptr(),
            items_ptr(&ead_1),
            ead_1.1,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n
        )
    );
    step!(
        Step::ReadMessage1,
        iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n)
    );
    step!(
        Step::WriteMessage2,
        iomt_handshake_write_message_2(
            &raw mut *r,
            c.ptr(),
            &raw const *responder.cred,
            null(),
            0,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n
        )
    );
    step!(
        Step::ReadMessage2,
        iomt_handshake_read_message_2(
            &raw mut *i,
            c.ptr(),
            &raw const *initiator.trust,
            m.as_ptr(),
            n
        )
    );
    let ead3 = items(&ead_3);
    step!(
        Step::WriteMessage3,
        iomt_handshake_write_message_3(
            &raw mut *i,
            c.ptr(),
            &raw const *initiator.cred,
            items_ptr(&ead3),
            ead3.1,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n
        )
    );
    step!(
        Step::ReadMessage3,
        iomt_handshake_read_message_3(
            &raw mut *r,
            c.ptr(),
            &raw const *responder.trust,
            m.as_ptr(),
            n
        )
    );
    if x.m4 {
        step!(
            Step::WriteMessage4,
            iomt_handshake_write_message_4(
                &raw mut *r,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            )
        );
        step!(
            Step::ReadMessage4,
            iomt_handshake_read_message_4(&raw mut *i, c.ptr(), m.as_ptr(), n)
        );
    }
    (i, r)
}

/// The EAD item `index` a handshake received.
pub fn received_ead(hs: &iomt_handshake, index: usize) -> Ead {
    let mut item = MaybeUninit::<iomt_ead_item>::uninit();
    assert_eq!(
        unsafe { iomt_handshake_received_ead(hs, index, item.as_mut_ptr()) },
        iomt_result::Ok
    );
    let item = unsafe { item.assume_init() };
    let value = (!item.value.is_null())
        .then(|| unsafe { core::slice::from_raw_parts(item.value, item.value_len) }.to_vec());
    Ead {
        label: item.label,
        value,
    }
}

/// Runs a handshake through the C API (labels `[5]`, responder suites 2 and 5, EAD_1
/// `-5: "one"`, EAD_3 `9` without value, both checked on arrival); returns the completed
/// objects.
pub fn handshake(
    c: &mut Crypto,
    method: u8,
    suite: u8,
    m4: bool,
    dev: &Side,
    gw: &Side,
) -> (Box<iomt_handshake>, Box<iomt_handshake>) {
    let ead_1 = Ead {
        label: -5,
        value: Some(b"one".to_vec()),
    };
    let ead_3 = Ead {
        label: 9,
        value: None,
    };
    let x = Exchange {
        method,
        initiator_suites: &[suite],
        responder_suites: &[2, 5],
        m4,
        labels: &[5],
        ead_1: vec![ead_1.clone()],
        ead_3: vec![ead_3.clone()],
    };
    drive(c, x, dev, gw, &mut |p| match p.step {
        Step::ReadMessage1 => assert_eq!(received_ead(p.responder, 0), ead_1),
        Step::ReadMessage3 => assert_eq!(received_ead(p.responder, 0), ead_3),
        _ => {}
    })
}

/// The sessions of a completed handshake pair: `iomt_session_init` on the initiator's and
/// then the responder's side (each must return OK); returns (initiator's, responder's).
pub fn sessions_of(
    c: &mut Crypto,
    initiator: &mut iomt_handshake,
    responder: &mut iomt_handshake,
) -> (Box<iomt_session>, Box<iomt_session>) {
    let mut i = zeroed::<iomt_session>();
    let mut r = zeroed::<iomt_session>();
    unsafe {
        assert_eq!(
            iomt_session_init(&raw mut *i, initiator, c.ptr()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_session_init(&raw mut *r, responder, c.ptr()),
            iomt_result::Ok
        );
    }
    (i, r)
}

/// A device's and a gateway's session: a [`handshake()`] between [`device`] and [`gateway`]
/// (`method`, `suite`, no message_4), then [`sessions_of`]; returns (device's, gateway's).
pub fn session_pair(
    c: &mut Crypto,
    method: u8,
    suite: u8,
) -> (Box<iomt_session>, Box<iomt_session>) {
    let (dev, gw) = (device(), gateway());
    let (mut i, mut r) = handshake(c, method, suite, false, &dev, &gw);
    sessions_of(c, &mut i, &mut r)
}
