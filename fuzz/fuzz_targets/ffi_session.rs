//! The C API's session functions and the initiator's message_2/message_4 readers
//! (`iomt-ffi`), after a real handshake (RFC 9529 keys, P-256, a deterministic RNG
//! callback; the C-API driver of `iomt_testkit::ffi`) done once per process: the
//! completed sessions and the initiators waiting for
//! message_2/message_4 are kept as templates and duplicated into fresh storage per input
//! with `iomt_testkit::ffi` (a plain byte copy reads as not initialised: the storage
//! is bound to its address).
//!
//! The first input byte picks the suite (bit 0: EDHOC suite 2, AES-CCM-16-64-128, or
//! suite 5, ChaCha20-Poly1305; both P-256) and the mode (bits 1-2):
//! - session mode (0, 1): a program (`iomt_fuzz::ops`) of `iomt_session_seal`,
//!   `_send_consent`, `_close`, `_update_send_key` and `_get_info` on either side with
//!   arbitrary slots, payloads and output capacities, and `iomt_session_open` of genuine,
//!   replayed, corrupted, truncated or arbitrary frames. Checks: every result is OK,
//!   `BUFFER_TOO_SMALL` or in the session range (400-499); outputs (`out`, `*out_len`,
//!   `*opened`) are untouched on failure (pre-filled with 0xA5), except `*out_len` with
//!   `BUFFER_TOO_SMALL` (then the size needed, larger than the capacity); a frame opens
//!   only if it is byte-identical to a genuine frame of the peer never opened before, and
//!   opens to what was sealed (type, payload, slot, the consent tag bound at seal time);
//!   an opened frame delivered again is `FRAME_REPLAYED`/`FRAME_TOO_OLD`/`FRAME_WRONG_EPOCH`
//!   (or `SESSION_CLOSED`); `get_info`'s closed flag follows close frames and limits.
//! - mode 2 / 3: arbitrary bytes to `iomt_handshake_read_message_2` (after a real
//!   message_1) / `_read_message_4` (after a real message_3). Checks: only the genuine
//!   message is accepted; any other outcome leaves the object FAILED (or back at START
//!   for `HANDSHAKE_RETRY_SUITE`) and a second read says `OBJECT_FAILED`;
//!   `iomt_handshake_error_message` with any capacity writes a whole, parsable message or
//!   nothing.
//!
//! Seeds: `IOMT_FFI_SESSION_SEEDS=$PWD/corpus/ffi_session cargo +nightly fuzz run
//! ffi_session -- -runs=0` (in `fuzz/`) writes them (genuine message_2/message_4 bytes
//! and session programs) and exits.
#![no_main]

use std::mem::{MaybeUninit, size_of};
use std::sync::OnceLock;

use iomt_auth::edhoc::ErrorMessage;
use iomt_core::{ConsentRef, ConsentTag, Timestamp};
use iomt_ffi::*;
use iomt_fuzz::fixture;
use iomt_fuzz::ops::{Ops, OpsWriter, same_frame, write_seed};
use iomt_testkit::ffi::{self as kit, Crypto, Exchange, Side, Step};
use libfuzzer_sys::fuzz_target;

/// The provider: every RNG request is filled with `i * 37 + 3` (the templates and the
/// seeds' genuine messages depend on it).
fn crypto() -> Crypto {
    Crypto::pattern(37, 3)
}

fn bytes_of<T>(v: &T) -> Vec<u8> {
    // SAFETY: reading the bytes of a value (plain data or 0xA5-filled storage).
    unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), size_of::<T>()).to_vec() }
}

fn ok(r: iomt_result) {
    assert_eq!(r, iomt_result::Ok);
}

const CONN_ID: u8 = 0x27;
const SUITES: [u8; 2] = [2, 5];

/// What one real handshake leaves behind.
struct Template {
    /// The completed sessions (device = initiator, gateway = responder).
    dev: Box<iomt_session>,
    gw: Box<iomt_session>,
    /// An initiator after writing message_1, and the responder's genuine message_2.
    wait_message_2: Box<iomt_handshake>,
    message_2: Vec<u8>,
    /// An initiator after writing message_3, and the responder's genuine message_4.
    wait_message_4: Box<iomt_handshake>,
    message_4: Vec<u8>,
}

struct Templates {
    suites: [Template; 2],
    /// The device (RFC 9529 initiator; its trust store holds the gateway's credential).
    dev: Side,
}

/// A method 0 handshake with message_4 through the kit's driver (C_R = [`CONN_ID`], the sessions' connection id),
/// keeping the initiator after message_1 and message_3 and the genuine message_2/4.
fn handshake(suite: u8, dev: &Side, gw: &Side) -> Template {
    let mut c = crypto();
    let x = Exchange {
        method: 0,
        initiator_suites: &[suite],
        responder_suites: &SUITES,
        m4: true,
        labels: &[],
        ead_1: Vec::new(),
        ead_3: Vec::new(),
    };
    let (mut wait_message_2, mut wait_message_4, mut m2, mut m4) =
        (None, None, Vec::new(), Vec::new());
    let (mut i, mut r) = kit::drive(&mut c, x, dev, gw, &mut |p| match p.step {
        Step::WriteMessage1 => wait_message_2 = Some(kit::duplicate_handshake(p.initiator)),
        Step::WriteMessage2 => m2 = p.message.to_vec(),
        Step::WriteMessage3 => wait_message_4 = Some(kit::duplicate_handshake(p.initiator)),
        Step::WriteMessage4 => m4 = p.message.to_vec(),
        _ => {}
    });
    let mut dev = kit::zeroed::<iomt_session>();
    let mut gw = kit::zeroed::<iomt_session>();
    // SAFETY: completed objects, valid storage.
    unsafe {
        ok(iomt_session_init(&mut *dev, &mut *i, &mut *c));
        ok(iomt_session_init(&mut *gw, &mut *r, &mut *c));
        ok(iomt_handshake_deinit(&mut *i));
        ok(iomt_handshake_deinit(&mut *r));
    }
    Template {
        dev,
        gw,
        wait_message_2: wait_message_2.expect("message_1 written"),
        message_2: m2,
        wait_message_4: wait_message_4.expect("message_3 written"),
        message_4: m4,
    }
}

fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| {
        let dev = kit::initiator_side(fixture::NAME_R, 1 << 8);
        let gw = kit::responder_side(fixture::NAME_I, 1 << 8);
        Templates {
            suites: [handshake(2, &dev, &gw), handshake(5, &dev, &gw)],
            dev,
        }
    })
}

/// Valid encoded consent tags.
fn tags() -> &'static [Vec<u8>] {
    static T: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    T.get_or_init(|| {
        (1u8..=3)
            .map(|i| {
                let tag = ConsentTag::permit(
                    ConsentRef([i; 32]),
                    u32::from(i),
                    Timestamp::from_secs(0),
                    Timestamp::from_secs(1000 * u64::from(i)),
                )
                .with_break_glass(i == 2);
                let mut buf = [0u8; 256];
                let n = tag.encode(&mut buf).expect("encode a consent tag");
                buf[..n].to_vec()
            })
            .collect()
    })
}

// ---- Handshake readers (modes 2 and 3) ------------------------------------------------

fn state(i: &iomt_handshake) -> iomt_handshake_state {
    let mut s = MaybeUninit::<iomt_handshake_state>::uninit();
    // SAFETY: valid pointers.
    ok(unsafe { iomt_handshake_get_state(i, s.as_mut_ptr()) });
    // SAFETY: written on OK.
    unsafe { s.assume_init() }
}

fn read_message(t: &Templates, suite: usize, m4: bool, data: &[u8]) {
    let tpl = &t.suites[suite];
    let mut ops = Ops::new(data);
    let cap = usize::from(ops.u16() % 300);
    let msg = ops.rest();
    let mut c = crypto();
    let (mut i, genuine) = if m4 {
        (
            kit::duplicate_handshake(&tpl.wait_message_4),
            &tpl.message_4,
        )
    } else {
        (
            kit::duplicate_handshake(&tpl.wait_message_2),
            &tpl.message_2,
        )
    };
    let read = |i: &mut iomt_handshake, c: &mut iomt_crypto| {
        // SAFETY: valid objects; `msg` is valid for its length (never NULL).
        unsafe {
            if m4 {
                iomt_handshake_read_message_4(i, c, msg.as_ptr(), msg.len())
            } else {
                iomt_handshake_read_message_2(i, c, &*t.dev.trust, msg.as_ptr(), msg.len())
            }
        }
    };
    let r = read(&mut i, &mut c);
    assert_ne!(r, iomt_result::Panic);
    if msg == &genuine[..] {
        assert_eq!(r, iomt_result::Ok, "the genuine message was refused");
    }
    let s = state(&i);
    match r {
        iomt_result::Ok => {
            assert_eq!(
                msg,
                &genuine[..],
                "a message other than the genuine one was accepted"
            );
            let want = if m4 {
                iomt_handshake_state::Complete
            } else {
                iomt_handshake_state::Message2Verified
            };
            assert_eq!(s, want);
        }
        iomt_result::HandshakeRetrySuite if !m4 => {
            assert_eq!(s, iomt_handshake_state::Start);
            assert!(matches!(
                ErrorMessage::parse(msg),
                Ok(ErrorMessage { code: 2, .. })
            ));
        }
        other => {
            assert_eq!(
                s,
                iomt_handshake_state::Failed,
                "{other:?} left the object alive"
            );
            let code = other as u32;
            assert!(
                (100..200).contains(&code)
                    || (300..400).contains(&code)
                    || other == iomt_result::CapacityExceeded,
                "read_message gave {other:?}"
            );
            // A failed object stays failed.
            assert_eq!(read(&mut i, &mut c), iomt_result::ObjectFailed);
            assert_eq!(state(&i), iomt_handshake_state::Failed);
        }
    }

    // The error message: whole and parsable, or nothing at all.
    let mut out = vec![0xA5u8; cap + 16];
    let mut out_len = usize::MAX;
    // SAFETY: valid pointers; `cap` bytes of `out` are offered.
    let r = unsafe { iomt_handshake_error_message(&*i, out.as_mut_ptr(), cap, &mut out_len) };
    assert_ne!(r, iomt_result::Panic);
    match r {
        iomt_result::Ok => {
            assert!(out_len <= cap);
            if out_len > 0 {
                ErrorMessage::parse(&out[..out_len]).expect("a parsable error message");
            }
            assert!(
                out[out_len..].iter().all(|b| *b == 0xA5),
                "wrote past the message"
            );
        }
        iomt_result::BufferTooSmall => {
            assert!(out_len > cap, "BUFFER_TOO_SMALL with {out_len} ≤ {cap}");
            assert!(
                out.iter().all(|b| *b == 0xA5),
                "a partial error message was written"
            );
        }
        _ => {
            assert_eq!(out_len, usize::MAX, "out_len written on failure ({r:?})");
            assert!(
                out.iter().all(|b| *b == 0xA5),
                "output written on failure ({r:?})"
            );
        }
    }
    // SAFETY: valid objects.
    unsafe {
        ok(iomt_handshake_deinit(&mut *i));
    }
}

// ---- Sessions (modes 0 and 1) ---------------------------------------------------------

const OP_SEAL: u8 = 0;
const OP_CONSENT: u8 = 1;
const OP_CLOSE: u8 = 2;
const OP_UPDATE: u8 = 3;
const OP_DELIVER: u8 = 4;
const OP_CORRUPT: u8 = 5;
const OP_TRUNCATE: u8 = 6;
const OP_INJECT: u8 = 7;
const OP_INFO: u8 = 8;
const OPS: u8 = 9;

const DEV: usize = 0;
const GW: usize = 1;

struct Sent {
    /// The side that sealed it (it opens on the other).
    from: usize,
    bytes: Vec<u8>,
    frame_type: iomt_frame_type,
    payload: Vec<u8>,
    slot: u8,
    /// The consent tag the frame is bound to (consent frames: the tag they install).
    bound: Option<Vec<u8>>,
    accepted: bool,
    /// The key epoch it opened under.
    epoch: u32,
}

struct Sessions {
    s: [Box<iomt_session>; 2],
    c: Crypto,
    /// Each side's consent table (its own tags and the peer's it received).
    slots: [[Option<Vec<u8>>; IOMT_CONSENT_SLOTS as usize]; 2],
    closed: [bool; 2],
    sent: Vec<Sent>,
    opened: usize,
}

fn in_session_range(r: iomt_result) -> bool {
    (400..500).contains(&(r as u32))
}

impl Sessions {
    /// Runs a sealing call with a 0xA5-filled buffer of `cap` bytes (and a guard) and
    /// checks the output rules; returns the frame on success.
    fn sealing(
        &mut self,
        what: &str,
        cap: usize,
        call: impl FnOnce(
            &mut iomt_session,
            &mut iomt_crypto,
            *mut u8,
            usize,
            *mut usize,
        ) -> iomt_result,
        side: usize,
    ) -> Option<Vec<u8>> {
        let mut out = vec![0xA5u8; cap + 16];
        let mut out_len = usize::MAX;
        let r = call(
            &mut self.s[side],
            &mut self.c,
            out.as_mut_ptr(),
            cap,
            &mut out_len,
        );
        assert!(
            r == iomt_result::Ok
                || r == iomt_result::BufferTooSmall
                || r == iomt_result::InvalidArgument
                || in_session_range(r),
            "{what} gave {r:?}"
        );
        if self.closed[side] {
            // SESSION_CLOSED, or an argument error found first (e.g. an unknown reason).
            assert_ne!(r, iomt_result::Ok, "{what} on a closed session");
        }
        match r {
            iomt_result::Ok => {
                assert!(out_len <= cap && out_len > 0);
                assert!(
                    out[out_len..].iter().all(|b| *b == 0xA5),
                    "{what} wrote past the frame"
                );
                Some(out[..out_len].to_vec())
            }
            iomt_result::BufferTooSmall => {
                assert!(
                    out_len > cap,
                    "{what}: BUFFER_TOO_SMALL with {out_len} ≤ {cap}"
                );
                assert!(
                    out.iter().all(|b| *b == 0xA5),
                    "{what} wrote a partial frame"
                );
                None
            }
            _ => {
                assert_eq!(
                    out_len,
                    usize::MAX,
                    "{what} wrote out_len on failure ({r:?})"
                );
                assert!(
                    out.iter().all(|b| *b == 0xA5),
                    "{what} wrote on failure ({r:?})"
                );
                if r == iomt_result::SessionLimitReached {
                    self.closed[side] = true;
                }
                None
            }
        }
    }

    /// Opens `frame` on `side` and checks it against the genuine frames.
    fn open(&mut self, side: usize, frame: &[u8]) {
        let recv_epoch = self.info(side).recv_epoch;
        let mut buf = frame.to_vec();
        let mut opened = MaybeUninit::<iomt_opened>::uninit();
        // SAFETY: filling plain storage with a pattern.
        unsafe {
            opened
                .as_mut_ptr()
                .cast::<u8>()
                .write_bytes(0xA5, size_of::<iomt_opened>())
        };
        // SAFETY: reading the pattern bytes.
        let before = bytes_of(unsafe { opened.assume_init_ref() });
        let ptr = if buf.is_empty() {
            [0u8; 1].as_mut_ptr()
        } else {
            buf.as_mut_ptr()
        };
        // SAFETY: valid objects; `ptr` is valid for `buf.len()` bytes.
        let r = unsafe {
            iomt_session_open(
                &mut *self.s[side],
                &mut *self.c,
                ptr,
                buf.len(),
                opened.as_mut_ptr(),
            )
        };
        let genuine = self
            .sent
            .iter()
            .position(|s| s.from != side && same_frame(&s.bytes, frame));
        if r != iomt_result::Ok {
            assert!(in_session_range(r), "open gave {r:?}");
            // SAFETY: reading the (unchanged) pattern bytes.
            assert_eq!(
                bytes_of(unsafe { opened.assume_init_ref() }),
                before,
                "opened written on failure ({r:?})"
            );
            if self.closed[side] {
                assert_eq!(r, iomt_result::SessionClosed);
            }
            // An accepted frame of the current epoch comes again: a replay. (Of another
            // epoch it may alias a later one — 4 epoch bits — and fail authentication.)
            if genuine.is_some_and(|g| self.sent[g].accepted && self.sent[g].epoch == recv_epoch) {
                assert!(
                    matches!(
                        r,
                        iomt_result::FrameReplayed
                            | iomt_result::FrameTooOld
                            | iomt_result::FrameWrongEpoch
                            | iomt_result::SessionClosed
                    ),
                    "a replayed frame gave {r:?}"
                );
            }
            if r == iomt_result::SessionLimitReached {
                self.closed[side] = true;
            }
            return;
        }
        // SAFETY: written on OK.
        let o = unsafe { opened.assume_init() };
        assert!(!self.closed[side], "a closed session opened a frame");
        let g = genuine.expect("a frame that is no genuine frame of the peer opened");
        let s = &mut self.sent[g];
        assert!(!s.accepted, "a genuine frame opened twice");
        s.accepted = true;
        s.epoch = o.epoch;
        self.opened += 1;
        assert_eq!(o.frame_type, s.frame_type);
        assert_eq!(o.consent_slot, s.slot);
        let payload = if o.payload_len == 0 {
            &[][..]
        } else {
            let start = buf.as_ptr() as usize;
            let p = o.payload as usize;
            assert!(
                p >= start && p + o.payload_len <= start + buf.len(),
                "payload outside the frame"
            );
            // SAFETY: inside `buf` (checked above).
            unsafe { std::slice::from_raw_parts(o.payload, o.payload_len) }
        };
        assert_eq!(payload, &s.payload[..]);
        let tag = (!o.consent_tag.is_null())
            // SAFETY: documented valid until the next call on the session.
            .then(|| {
                unsafe { std::slice::from_raw_parts(o.consent_tag, o.consent_tag_len) }.to_vec()
            });
        assert_eq!(tag, s.bound, "bound to another consent tag");
        match o.frame_type {
            iomt_frame_type::Consent => {
                self.slots[side][usize::from(o.consent_slot)] = Some(payload.to_vec());
            }
            iomt_frame_type::Close => self.closed[side] = true,
            iomt_frame_type::Data => {}
        }
    }

    fn info(&mut self, side: usize) -> iomt_session_info {
        let mut info = iomt_session_info::default();
        // SAFETY: valid pointers.
        ok(unsafe { iomt_session_get_info(&*self.s[side], &mut info) });
        assert_eq!(info.closed != 0, self.closed[side], "closed flag");
        info
    }
}

fn sessions(t: &Templates, suite: usize, data: &[u8]) -> usize {
    let tpl = &t.suites[suite];
    let mut w = Sessions {
        s: [
            kit::duplicate_session(&tpl.dev),
            kit::duplicate_session(&tpl.gw),
        ],
        c: crypto(),
        slots: Default::default(),
        closed: [false; 2],
        sent: Vec::new(),
        opened: 0,
    };
    let mut ops = Ops::new(data);
    let cap_of = |sel: u16| {
        if sel & 1 == 0 {
            IOMT_MAX_FRAME_LEN
        } else {
            usize::from(sel >> 1) % 400
        }
    };
    let pick = |w: &Sessions, i: u8| {
        (!w.sent.is_empty()).then(|| {
            let s = &w.sent[usize::from(i) % w.sent.len()];
            (1 - s.from, s.bytes.clone())
        })
    };
    for _ in 0..64 {
        if ops.is_empty() {
            break;
        }
        match ops.u8() % OPS {
            OP_SEAL => {
                let (side, slot_sel, cap) =
                    (usize::from(ops.u8() & 1), ops.u8(), cap_of(ops.u16()));
                let payload = ops.bytes(1100).to_vec();
                let slot = if slot_sel & 0x80 != 0 {
                    IOMT_NO_CONSENT_SLOT
                } else {
                    slot_sel % 6
                };
                let frame = w.sealing(
                    "seal",
                    cap,
                    |s, c, out, cap, len| {
                        // SAFETY: valid objects and buffers.
                        unsafe {
                            iomt_session_seal(
                                s,
                                c,
                                slot,
                                payload.as_ptr(),
                                payload.len(),
                                out,
                                cap,
                                len,
                            )
                        }
                    },
                    side,
                );
                if let Some(bytes) = frame {
                    let bound = (slot != IOMT_NO_CONSENT_SLOT).then(|| {
                        w.slots[side][usize::from(slot)]
                            .clone()
                            .expect("sealed with a slot the model has empty")
                    });
                    w.sent.push(Sent {
                        from: side,
                        bytes,
                        frame_type: iomt_frame_type::Data,
                        payload,
                        slot,
                        bound,
                        accepted: false,
                        epoch: 0,
                    });
                }
            }
            OP_CONSENT => {
                let (side, slot, tag_sel, cap) = (
                    usize::from(ops.u8() & 1),
                    ops.u8() % 6,
                    ops.u8(),
                    cap_of(ops.u16()),
                );
                let raw = ops.bytes(300).to_vec();
                let tag = if tag_sel & 0x80 != 0 {
                    raw
                } else {
                    tags()[usize::from(tag_sel) % tags().len()].clone()
                };
                let frame = w.sealing(
                    "send_consent",
                    cap,
                    |s, c, out, cap, len| {
                        // SAFETY: valid objects and buffers.
                        unsafe {
                            iomt_session_send_consent(
                                s,
                                c,
                                slot,
                                tag.as_ptr(),
                                tag.len(),
                                out,
                                cap,
                                len,
                            )
                        }
                    },
                    side,
                );
                if let Some(bytes) = frame {
                    assert!(
                        ConsentTag::decode(&tag).is_ok(),
                        "an invalid consent tag was sent"
                    );
                    w.slots[side][usize::from(slot)] = Some(tag.clone());
                    w.sent.push(Sent {
                        from: side,
                        bytes,
                        frame_type: iomt_frame_type::Consent,
                        payload: tag.clone(),
                        slot,
                        bound: Some(tag),
                        accepted: false,
                        epoch: 0,
                    });
                }
            }
            OP_CLOSE => {
                let (side, reason, cap) =
                    (usize::from(ops.u8() & 1), ops.u8() % 10, cap_of(ops.u16()));
                let frame = w.sealing(
                    "close",
                    cap,
                    |s, c, out, cap, len| {
                        // SAFETY: valid objects and buffers.
                        unsafe { iomt_session_close(s, c, reason, out, cap, len) }
                    },
                    side,
                );
                if let Some(bytes) = frame {
                    w.closed[side] = true;
                    w.sent.push(Sent {
                        from: side,
                        bytes,
                        frame_type: iomt_frame_type::Close,
                        payload: vec![reason],
                        slot: IOMT_NO_CONSENT_SLOT,
                        bound: None,
                        accepted: false,
                        epoch: 0,
                    });
                }
            }
            OP_UPDATE => {
                let side = usize::from(ops.u8() & 1);
                // SAFETY: valid objects.
                let r = unsafe { iomt_session_update_send_key(&mut *w.s[side], &mut *w.c) };
                if w.closed[side] {
                    assert_eq!(r, iomt_result::SessionClosed);
                } else {
                    assert_eq!(r, iomt_result::Ok);
                }
            }
            OP_DELIVER => {
                let i = ops.u8();
                if let Some((to, f)) = pick(&w, i) {
                    w.open(to, &f);
                }
            }
            OP_CORRUPT => {
                let (i, at, mask) = (ops.u8(), ops.u16(), ops.u8());
                if let Some((to, mut f)) = pick(&w, i) {
                    let at = usize::from(at) % f.len();
                    f[at] ^= mask;
                    w.open(to, &f);
                }
            }
            OP_TRUNCATE => {
                let (i, len) = (ops.u8(), ops.u16());
                if let Some((to, mut f)) = pick(&w, i) {
                    f.truncate(usize::from(len) % (f.len() + 1));
                    w.open(to, &f);
                }
            }
            OP_INJECT => {
                let to = usize::from(ops.u8() & 1);
                let raw = ops.bytes(IOMT_MAX_FRAME_LEN + 20).to_vec();
                w.open(to, &raw);
            }
            _ => {
                let side = usize::from(ops.u8() & 1);
                w.info(side);
            }
        }
    }
    w.info(DEV);
    w.info(GW);
    // SAFETY: valid objects (deinit drops the copies' channels).
    unsafe {
        ok(iomt_session_deinit(&mut *w.s[DEV]));
        ok(iomt_session_deinit(&mut *w.s[GW]));
    }
    w.opened
}

fn run(data: &[u8]) -> usize {
    let t = templates();
    let Some((&head, rest)) = data.split_first() else {
        return 0;
    };
    let suite = usize::from(head & 1);
    match (head >> 1) & 3 {
        2 => {
            read_message(t, suite, false, rest);
            0
        }
        3 => {
            read_message(t, suite, true, rest);
            0
        }
        _ => sessions(t, suite, rest),
    }
}

fn write_seeds(dir: &str) {
    let t = templates();
    for (k, tpl) in t.suites.iter().enumerate() {
        let k = k as u8;
        for (mode, msg, name) in [(2u8, &tpl.message_2, "m2"), (3, &tpl.message_4, "m4")] {
            let mut p = OpsWriter::default();
            p.u8(mode << 1 | k).u16(200);
            p.0.extend_from_slice(msg);
            write_seed(dir, &format!("s{k}-{name}-genuine"), &p.0);
            let mut bad = p.0.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            write_seed(dir, &format!("s{k}-{name}-flipped"), &bad);
        }
        let mut p = OpsWriter::default();
        p.u8(k);
        // Device installs slot 0, binds data to it; gateway answers; replays; close.
        p.u8(OP_CONSENT).u8(0).u8(0).u8(0).u16(0).bytes(&[]);
        p.u8(OP_DELIVER).u8(0);
        p.u8(OP_SEAL)
            .u8(0)
            .u8(0)
            .u16(0)
            .bytes(b"vitals bound to slot 0");
        p.u8(OP_DELIVER).u8(1).u8(OP_DELIVER).u8(1);
        p.u8(OP_SEAL).u8(1).u8(0x80).u16(0).bytes(b"ack");
        p.u8(OP_DELIVER).u8(2);
        p.u8(OP_UPDATE).u8(0);
        p.u8(OP_SEAL).u8(0).u8(0x80).u16(21).bytes(b"short buffer");
        p.u8(OP_SEAL).u8(0).u8(0x80).u16(0).bytes(b"after update");
        p.u8(OP_CORRUPT).u8(3).u16(9).u8(4);
        p.u8(OP_TRUNCATE).u8(3).u16(5);
        p.u8(OP_DELIVER).u8(3);
        p.u8(OP_INJECT)
            .u8(1)
            .bytes(&[0x40, CONN_ID, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        p.u8(OP_CLOSE).u8(1).u8(0).u16(0).u8(OP_DELIVER).u8(4);
        p.u8(OP_INFO).u8(0).u8(OP_INFO).u8(1);
        p.u8(OP_SEAL).u8(0).u8(0x80).u16(0).bytes(b"too late");
        assert_eq!(
            run(&p.0),
            5,
            "the session seed opens its five genuine frames"
        );
        write_seed(dir, &format!("s{k}-session"), &p.0);
    }
}

fuzz_target!(
    init: {
        if let Ok(dir) = std::env::var("IOMT_FFI_SESSION_SEEDS") {
            write_seeds(&dir);
            eprintln!("ffi_session: seeds written to {dir}");
            std::process::exit(0);
        }
        let _ = templates();
    },
    |data: &[u8]| {
        run(data);
    }
);
