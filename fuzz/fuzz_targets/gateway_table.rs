//! The gateway session table (`iomt_proto::gateway::SessionTable`, 256 slots) driven by
//! a program (`iomt_fuzz::ops`): insert sessions (each with its own keys) under chosen or
//! free connection ids, fill the table up to its 256 ids, remove and reap sessions, seal
//! data and close frames on the devices, and route genuine, replayed, corrupted,
//! re-addressed (connection id rewritten) or arbitrary datagrams through `open`.
//!
//! Invariants, against a model (connection id → session generation):
//! - `len`, `insert`'s replaced session, `remove`, `free_conn_id` (the lowest unused id,
//!   `None` only when all 256 are used) and `reap_closed` agree with the model;
//! - `peek_conn_id` is the header's connection id, or the header parser's error;
//! - a datagram for an unknown id is `UnknownConnection(id)` and changes nothing; a
//!   datagram for id X never changes any other session (counters and closed state);
//! - a datagram opens only if it is a genuine frame of X's current session never accepted
//!   before, and is reported as from X with what was sealed; a replaced session's old
//!   frames never open in the new one.
//!
//! Speed: a session costs ~27 µs of key derivation, so a run creates at most 32 sessions;
//! when the first byte is 0xFE/0xFF it starts with a full table (all 256 ids), byte-copied
//! from 256 sessions derived once per process.
//!
//! Seeds: `IOMT_GATEWAY_SEEDS=$PWD/corpus/gateway_table cargo +nightly fuzz run
//! gateway_table -- -runs=0` (in `fuzz/`) writes them and exits.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use iomt_crypto::{AeadAlgorithm, DeterministicProvider};
use iomt_fuzz::ops::{Ops, OpsWriter, same_frame, write_seed};
use iomt_proto::channel::{Channel, ChannelStats, MAX_FRAME_LEN};
use iomt_proto::gateway::SessionTable;
use iomt_proto::keys::{ExportError, Side};
use iomt_proto::payload::CloseReason;
use iomt_proto::wire::{Frame, FrameRepr};
use iomt_proto::{FrameType, ProtoError, Rejection};
use libfuzzer_sys::fuzz_target;

type Ch = Channel<64, 4>;
type Table = SessionTable<256, 64, 4>;

const OP_INSERT: u8 = 0;
const OP_INSERT_FREE: u8 = 1;
const OP_REMOVE: u8 = 2;
const OP_SEAL: u8 = 3;
const OP_CLOSE: u8 = 4;
const OP_DELIVER: u8 = 5;
const OP_CORRUPT: u8 = 6;
const OP_RETARGET: u8 = 7;
const OP_INJECT: u8 = 8;
const OP_FILL: u8 = 9;
const OP_REAP: u8 = 10;
const OP_PEEK: u8 = 11;
const OPS: u8 = 12;

/// A session in the model: its generation (unique key material) and the device end,
/// created on first use.
struct Dev {
    generation: u32,
    device: Option<Ch>,
}

struct Sent {
    conn_id: u8,
    generation: u32,
    bytes: Vec<u8>,
    frame_type: FrameType,
    payload: Vec<u8>,
    accepted: bool,
}

struct World {
    crypto: DeterministicProvider,
    alg: AeadAlgorithm,
    table: Table,
    model: BTreeMap<u8, Dev>,
    next_generation: u32,
    sent: Vec<Sent>,
}

/// Keys unique to `generation` (a stand-in for EDHOC_Exporter).
fn channel(
    crypto: &mut DeterministicProvider,
    alg: AeadAlgorithm,
    side: Side,
    conn_id: u8,
    generation: u32,
) -> Ch {
    let g = generation.to_be_bytes();
    let mut exporter = |label: u16, _ctx: &[u8], out: &mut [u8]| -> Result<(), ExportError> {
        for (i, b) in out.iter_mut().enumerate() {
            *b = (label as u8) ^ (i as u8) ^ g[i % 4].wrapping_mul(17);
        }
        Ok(())
    };
    Ch::new(crypto, &mut exporter, alg, side, conn_id).expect("channel")
}

impl World {
    fn check_table(&self) {
        assert_eq!(self.table.len(), self.model.len());
        assert!(self.table.len() <= 256, "more sessions than connection ids");
        assert_eq!(self.table.is_empty(), self.model.is_empty());
        let lowest_free = (0..=u8::MAX).find(|id| !self.model.contains_key(id));
        assert_eq!(self.table.free_conn_id(), lowest_free);
    }

    fn insert(&mut self, conn_id: u8) {
        if self.next_generation >= MAX_CREATED {
            return;
        }
        let generation = self.next_generation;
        self.next_generation += 1;
        let gw = channel(
            &mut self.crypto,
            self.alg,
            Side::Responder,
            conn_id,
            generation,
        );
        // 256 slots: one per connection id, so the table is never full here.
        let replaced = self
            .table
            .insert(gw)
            .unwrap_or_else(|_| panic!("table full"));
        assert_eq!(
            replaced.map(|c| c.conn_id()),
            self.model.contains_key(&conn_id).then_some(conn_id),
            "insert replaced the wrong session"
        );
        self.model.insert(
            conn_id,
            Dev {
                generation,
                device: None,
            },
        );
    }

    fn pick(&self, sel: u8) -> Option<u8> {
        let n = self.model.len();
        (n > 0).then(|| {
            *self
                .model
                .keys()
                .nth(usize::from(sel) % n)
                .expect("in range")
        })
    }

    fn device(&mut self, conn_id: u8) -> (&mut Ch, &mut DeterministicProvider, u32) {
        let (alg, crypto) = (self.alg, &mut self.crypto);
        let dev = self.model.get_mut(&conn_id).expect("known id");
        let generation = dev.generation;
        let ch = dev
            .device
            .get_or_insert_with(|| channel(crypto, alg, Side::Initiator, conn_id, generation));
        (ch, crypto, generation)
    }

    fn snapshot(&mut self) -> BTreeMap<u8, (ChannelStats, bool)> {
        let ids: Vec<u8> = self.model.keys().copied().collect();
        ids.into_iter()
            .map(|id| {
                let ch = self
                    .table
                    .get_mut(id)
                    .expect("modelled session in the table");
                assert_eq!(ch.conn_id(), id, "a session stored under another id");
                (id, (ch.stats(), ch.is_closed()))
            })
            .collect()
    }

    fn deliver(&mut self, frame: &[u8]) {
        let before = self.snapshot();
        let peeked = Table::peek_conn_id(frame);
        match &peeked {
            Ok(id) => {
                let view = Frame::new_checked(frame).expect("peek parsed it");
                assert_eq!(
                    FrameRepr::parse(&view).expect("peek parsed it").conn_id,
                    *id
                );
                assert_eq!(view.conn_id(), *id);
            }
            Err(_) => assert!(
                Frame::new_checked(frame)
                    .map_err(ProtoError::from)
                    .and_then(|v| FrameRepr::parse(&v).map_err(ProtoError::from))
                    .is_err()
            ),
        }
        let mut buf = frame.to_vec();
        let result = self
            .table
            .open(&mut self.crypto, &mut buf)
            .map(|(from, o)| (from, o.frame_type, o.payload.to_vec()));
        let target = match peeked {
            Err(e) => {
                assert_eq!(result.map(|_| ()), Err(e));
                assert_eq!(
                    self.snapshot(),
                    before,
                    "an unparsable datagram changed a session"
                );
                return;
            }
            Ok(id) if !self.model.contains_key(&id) => {
                assert_eq!(
                    result.map(|_| ()),
                    Err(ProtoError::Rejected(Rejection::UnknownConnection(id)))
                );
                assert_eq!(self.snapshot(), before, "an unknown id changed a session");
                return;
            }
            Ok(id) => id,
        };
        let generation = self.model[&target].generation;
        let was_closed = before[&target].1;
        match result {
            Ok((from, frame_type, payload)) => {
                assert_eq!(from, target, "opened by another session");
                assert!(!was_closed, "a closed session opened a frame");
                let s = self
                    .sent
                    .iter_mut()
                    .find(|s| {
                        s.conn_id == target
                            && s.generation == generation
                            && same_frame(&s.bytes, frame)
                    })
                    .expect("a datagram that is no genuine frame of this session opened");
                assert!(!s.accepted, "a genuine frame was accepted twice");
                assert_eq!((frame_type, &payload), (s.frame_type, &s.payload));
                s.accepted = true;
            }
            Err(e) => {
                if was_closed {
                    assert_eq!(e, ProtoError::Closed);
                }
            }
        }
        let after = self.snapshot();
        for (id, state) in &before {
            if *id != target {
                assert_eq!(
                    after[id], *state,
                    "a datagram for {target} changed session {id}"
                );
            }
        }
    }

    fn pick_sent(&self, sel: u8) -> Option<Vec<u8>> {
        (!self.sent.is_empty()).then(|| self.sent[usize::from(sel) % self.sent.len()].bytes.clone())
    }
}

/// How many sessions a run may create (each costs ~27 µs of key derivation).
const MAX_CREATED: u32 = 32;

/// Generations of the prefilled sessions (distinct from a run's own, which count from 0).
const PREFILL: u32 = 1 << 31;

/// The 256 gateway sessions of a full table per AEAD (CCM, ChaCha), derived once per
/// process and byte-copied into each run that starts full.
fn prefilled(aead: usize) -> &'static [Ch] {
    static T: OnceLock<[Vec<Ch>; 2]> = OnceLock::new();
    &T.get_or_init(|| {
        let mut crypto = DeterministicProvider::new();
        [
            AeadAlgorithm::AesCcm16_64_128,
            AeadAlgorithm::ChaCha20Poly1305,
        ]
        .map(|alg| {
            (0..=u8::MAX)
                .map(|id| {
                    channel(
                        &mut crypto,
                        alg,
                        Side::Responder,
                        id,
                        PREFILL | u32::from(id),
                    )
                })
                .collect()
        })
    })[aead]
}

/// Runs a program; returns how many genuine frames opened (seed checks).
fn run(data: &[u8]) -> usize {
    let mut ops = Ops::new(data);
    // First byte: bit 0 picks the AEAD; 0xFE/0xFF start with a full table (all 256 ids).
    let head = ops.u8();
    let alg = if head & 1 == 1 {
        AeadAlgorithm::ChaCha20Poly1305
    } else {
        AeadAlgorithm::AesCcm16_64_128
    };
    let mut w = World {
        crypto: DeterministicProvider::new(),
        alg,
        table: Table::new(),
        model: BTreeMap::new(),
        next_generation: 0,
        sent: Vec::new(),
    };
    if head >= 0xFE {
        for tpl in prefilled(usize::from(head & 1)) {
            // SAFETY: a bitwise copy of a channel, which owns no heap memory and holds no
            // pointers (iomt-proto is no_std without alloc); the template in the static is
            // never used or dropped, and each copy only zeroizes itself on drop.
            let ch = unsafe { std::ptr::read(tpl) };
            let id = ch.conn_id();
            assert!(matches!(w.table.insert(ch), Ok(None)));
            w.model.insert(
                id,
                Dev {
                    generation: PREFILL | u32::from(id),
                    device: None,
                },
            );
        }
        w.check_table();
    }
    for _ in 0..64 {
        if ops.is_empty() {
            break;
        }
        match ops.u8() % OPS {
            OP_INSERT => {
                let id = ops.u8();
                w.insert(id);
            }
            OP_INSERT_FREE => {
                if let Some(id) = w.table.free_conn_id() {
                    w.insert(id);
                }
            }
            OP_REMOVE => {
                let id = ops.u8();
                let removed = w.table.remove(id);
                assert_eq!(
                    removed.map(|c| c.conn_id()),
                    w.model.remove(&id).map(|_| id)
                );
            }
            OP_SEAL => {
                let (sel, payload) = (ops.u8(), ops.bytes(200));
                let Some(id) = w.pick(sel) else { continue };
                let (dev, crypto, generation) = w.device(id);
                let mut out = [0u8; MAX_FRAME_LEN];
                if let Ok(n) = dev.seal_data(crypto, None, payload, &mut out) {
                    w.sent.push(Sent {
                        conn_id: id,
                        generation,
                        bytes: out[..n].to_vec(),
                        frame_type: FrameType::Data,
                        payload: payload.to_vec(),
                        accepted: false,
                    });
                }
            }
            OP_CLOSE => {
                let sel = ops.u8();
                let Some(id) = w.pick(sel) else { continue };
                let (dev, crypto, generation) = w.device(id);
                let mut out = [0u8; 64];
                let reason = CloseReason::ALL[0];
                if let Ok(n) = dev.close(crypto, reason, &mut out) {
                    w.sent.push(Sent {
                        conn_id: id,
                        generation,
                        bytes: out[..n].to_vec(),
                        frame_type: FrameType::Close,
                        payload: vec![reason.code()],
                        accepted: false,
                    });
                }
            }
            OP_DELIVER => {
                let sel = ops.u8();
                if let Some(f) = w.pick_sent(sel) {
                    w.deliver(&f);
                }
            }
            OP_CORRUPT => {
                let (sel, at, mask) = (ops.u8(), ops.u16(), ops.u8());
                if let Some(mut f) = w.pick_sent(sel) {
                    let at = usize::from(at) % f.len();
                    f[at] ^= mask;
                    w.deliver(&f);
                }
            }
            OP_RETARGET => {
                let (sel, id) = (ops.u8(), ops.u8());
                if let Some(mut f) = w.pick_sent(sel) {
                    f[1] = id;
                    w.deliver(&f);
                }
            }
            OP_INJECT => {
                let raw = ops.bytes(MAX_FRAME_LEN + 50).to_vec();
                w.deliver(&raw);
            }
            OP_FILL => {
                for _ in 0..=ops.u8() % 16 {
                    let Some(id) = w.table.free_conn_id() else {
                        break;
                    };
                    w.insert(id);
                }
            }
            OP_REAP => {
                let closed: Vec<u8> = w
                    .snapshot()
                    .into_iter()
                    .filter(|(_, (_, closed))| *closed)
                    .map(|(id, _)| id)
                    .collect();
                let mut reaped = Vec::new();
                let n = w.table.reap_closed(|id| reaped.push(id));
                assert_eq!(n, reaped.len());
                reaped.sort_unstable();
                assert_eq!(reaped, closed);
                for id in reaped {
                    w.model.remove(&id);
                }
            }
            _ => {
                let raw = ops.bytes(64).to_vec();
                w.deliver(&raw);
            }
        }
        w.check_table();
    }
    w.sent.iter().filter(|s| s.accepted).count()
}

fn write_seeds(dir: &str) {
    let program = |suite: u8, body: &dyn Fn(&mut OpsWriter)| {
        let mut p = OpsWriter::default();
        p.u8(suite);
        body(&mut p);
        p.0
    };
    for suite in [0u8, 1] {
        let s = format!("s{suite}");
        let two = program(suite, &|p| {
            p.u8(OP_INSERT).u8(5).u8(OP_INSERT).u8(9);
            p.u8(OP_SEAL).u8(0).bytes(b"to five");
            p.u8(OP_SEAL).u8(1).bytes(b"to nine");
            p.u8(OP_DELIVER).u8(0).u8(OP_DELIVER).u8(1);
            p.u8(OP_DELIVER).u8(0);
            p.u8(OP_RETARGET).u8(1).u8(5);
            p.u8(OP_RETARGET).u8(1).u8(77);
        });
        assert_eq!(run(&two), 2, "the two-session seed opens both frames");
        write_seed(dir, &format!("{s}-two-sessions"), &two);
        write_seed(
            dir,
            &format!("{s}-replace-remove"),
            &program(suite, &|p| {
                p.u8(OP_INSERT_FREE).u8(OP_SEAL).u8(0).bytes(b"old");
                p.u8(OP_INSERT).u8(0).u8(OP_DELIVER).u8(0);
                p.u8(OP_SEAL).u8(0).bytes(b"new").u8(OP_DELIVER).u8(1);
                p.u8(OP_REMOVE).u8(0).u8(OP_DELIVER).u8(1);
            }),
        );
        write_seed(
            dir,
            &format!("{s}-close-reap"),
            &program(suite, &|p| {
                p.u8(OP_INSERT).u8(1).u8(OP_INSERT).u8(2);
                p.u8(OP_CLOSE).u8(0).u8(OP_DELIVER).u8(0);
                p.u8(OP_SEAL).u8(1).bytes(b"alive").u8(OP_DELIVER).u8(1);
                p.u8(OP_REAP).u8(OP_INSERT_FREE);
                p.u8(OP_CORRUPT).u8(1).u16(4).u8(1);
                p.u8(OP_FILL).u8(15).u8(OP_FILL).u8(15);
            }),
        );
        write_seed(
            dir,
            &format!("{s}-full-table"),
            &program(0xFE | suite, &|p| {
                p.u8(OP_INSERT_FREE);
                p.u8(OP_SEAL).u8(200).bytes(b"x").u8(OP_DELIVER).u8(0);
                p.u8(OP_REMOVE).u8(17).u8(OP_INSERT_FREE).u8(OP_FILL).u8(3);
                p.u8(OP_INJECT)
                    .bytes(&[0x40, 0x11, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
                p.u8(OP_PEEK).bytes(&[0x40, 0x11, 0]);
            }),
        );
    }
}

fuzz_target!(
    init: {
        if let Ok(dir) = std::env::var("IOMT_GATEWAY_SEEDS") {
            write_seeds(&dir);
            eprintln!("gateway_table: seeds written to {dir}");
            std::process::exit(0);
        }
    },
    |data: &[u8]| {
        run(data);
    }
);
