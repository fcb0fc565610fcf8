//! The datagram transport (`iomt_proto::transport::Datagram`) over the in-memory datagram
//! pipe (`transport::memory`), with a real channel (suites 2 and 5) on each end. The input
//! is a program (`iomt_fuzz::ops`): seal and send genuine frames, send or push arbitrary,
//! empty and oversized datagrams, replay/corrupt/truncate genuine ones, update keys, and
//! receive with `recv` (whole buffer, or a short one) or `recv_frame`.
//!
//! Invariants, against a model of the pipe's queue:
//! - `send_frame` refuses empty and oversized frames (`FrameTooLarge`) and a full queue
//!   (`Io(Full)`); otherwise the datagram is queued byte for byte;
//! - `recv_frame`/`recv` pop exactly one datagram: none or empty is `UnexpectedEof`, above
//!   `MAX_FRAME_LEN` is `FrameTooLarge { len }`, otherwise the bytes (or their opening);
//! - a datagram opens only if it is byte-identical to a genuine frame never accepted
//!   before, and opens to what was sealed; an accepted frame delivered again is refused as
//!   replayed/too old/wrong epoch;
//! - rejected input (malformed, rejected) leaves the channel's counters unchanged; a failed
//!   authentication only counts a failure; and a freshly sealed frame still opens afterwards
//!   (the `Probe` op) whenever the receiver is open and at most `MAX_EPOCH_SKIP` epochs behind.
//!
//! Seeds: `IOMT_DATAGRAM_SEEDS=$PWD/corpus/datagram cargo +nightly fuzz run datagram -- -runs=0`
//! (in `fuzz/`) writes them and exits.
#![no_main]

use std::cell::RefCell;
use std::collections::VecDeque;

use iomt_crypto::{AeadAlgorithm, DeterministicProvider};
use iomt_fuzz::ops::{Ops, OpsWriter, same_frame, write_seed};
use iomt_proto::channel::{Channel, MAX_EPOCH_SKIP, MAX_FRAME_LEN};
use iomt_proto::keys::{ExportError, Side};
use iomt_proto::transport::memory::{DatagramEnd, DatagramPipe, MemoryError};
use iomt_proto::transport::{Datagram, TransportError};
use iomt_proto::{FrameType, ProtoError};
use libfuzzer_sys::fuzz_target;

/// The pipe's MTU: above `MAX_FRAME_LEN`, so oversized datagrams reach the receiver.
const MTU: usize = 1200;
/// The pipe's queue length.
const Q: usize = 8;

type Pipe = DatagramPipe<MTU, Q>;
type Ch = Channel<64, 4>;

const OP_SEAL: u8 = 0;
const OP_SEND_RAW: u8 = 1;
const OP_PUSH_RAW: u8 = 2;
const OP_REPLAY: u8 = 3;
const OP_CORRUPT: u8 = 4;
const OP_TRUNCATE: u8 = 5;
const OP_RECV: u8 = 6;
const OP_RECV_FRAME: u8 = 7;
const OP_UPDATE_KEY: u8 = 8;
const OP_PROBE: u8 = 9;
const OPS: u8 = 10;

struct Sent {
    bytes: Vec<u8>,
    payload: Vec<u8>,
    accepted: bool,
    /// The key epoch it opened under.
    epoch: u32,
}

fn exporter(label: u16, ctx: &[u8], out: &mut [u8]) -> Result<(), ExportError> {
    for (i, b) in out.iter_mut().enumerate() {
        *b = (label as u8) ^ (i as u8).wrapping_mul(13) ^ ctx.len() as u8;
    }
    Ok(())
}

struct World<'p> {
    crypto: DeterministicProvider,
    tx: Ch,
    rx: Ch,
    /// The sender's link (writes into `pipe`).
    tx_link: Datagram<DatagramEnd<'p, MTU, Q>>,
    /// The receiver's link (reads from `pipe`).
    rx_link: Datagram<DatagramEnd<'p, MTU, Q>>,
    pipe: &'p RefCell<Pipe>,
    /// What the pipe holds, oldest first.
    queue: VecDeque<Vec<u8>>,
    sent: Vec<Sent>,
}

impl World<'_> {
    fn push(&mut self, d: Vec<u8>) {
        let r = self.pipe.borrow_mut().push(&d);
        if d.len() > MTU || self.queue.len() == Q {
            assert_eq!(r, Err(MemoryError::Full));
        } else {
            assert_eq!(r, Ok(()));
            self.queue.push_back(d);
        }
    }

    fn send(&mut self, frame: &[u8]) -> Result<(), TransportError<MemoryError>> {
        let r = self.tx_link.send_frame(frame);
        if frame.is_empty() || frame.len() > MAX_FRAME_LEN {
            assert_eq!(r, Err(TransportError::FrameTooLarge { len: frame.len() }));
        } else if self.queue.len() == Q {
            assert_eq!(r, Err(TransportError::Io(MemoryError::Full)));
        } else {
            assert_eq!(r, Ok(()));
            self.queue.push_back(frame.to_vec());
        }
        r
    }

    fn seal(&mut self, payload: &[u8]) -> Option<Vec<u8>> {
        let mut out = [0u8; MAX_FRAME_LEN];
        let n = self
            .tx
            .seal_data(&mut self.crypto, None, payload, &mut out)
            .expect("sealing a small data frame on an open channel");
        self.sent.push(Sent {
            bytes: out[..n].to_vec(),
            payload: payload.to_vec(),
            accepted: false,
            epoch: 0,
        });
        Some(out[..n].to_vec())
    }

    /// Pops the model's next datagram and returns the expected outcome before opening:
    /// `Err(expected transport error)` or `Ok(frame bytes the channel will see)`.
    fn expect_next(&mut self, buf_len: usize) -> Result<Vec<u8>, TransportError<MemoryError>> {
        let Some(d) = self.queue.pop_front() else {
            return Err(TransportError::UnexpectedEof);
        };
        let n = d.len().min(buf_len);
        if n == 0 {
            Err(TransportError::UnexpectedEof)
        } else if n > MAX_FRAME_LEN {
            Err(TransportError::FrameTooLarge { len: n })
        } else {
            Ok(d[..n].to_vec())
        }
    }

    fn recv(&mut self, buf_len: usize) {
        let expected = self.expect_next(buf_len);
        let was_closed = self.rx.is_closed();
        let before = self.rx.stats();
        let mut buf = vec![0u8; buf_len];
        let r = self.rx_link.recv(&mut self.rx, &mut self.crypto, &mut buf);
        let frame = match (expected, r) {
            (Err(want), Err(got)) => {
                assert_eq!(got, want);
                assert_eq!(
                    self.rx.stats(),
                    before,
                    "a transport error changed the channel"
                );
                return;
            }
            (Err(want), Ok(_)) => panic!("expected {want:?}, a frame opened"),
            (Ok(frame), r) => (
                frame,
                r.map(|o| (o.frame_type, o.epoch, o.payload.to_vec())),
            ),
        };
        let (frame, r) = frame;
        let genuine = self.sent.iter().position(|s| same_frame(&s.bytes, &frame));
        match r {
            Ok((frame_type, epoch, payload)) => {
                assert!(!was_closed, "a closed channel opened a frame");
                let g = genuine.expect("a forged datagram opened");
                let s = &mut self.sent[g];
                assert!(!s.accepted, "a genuine frame was accepted twice");
                assert_eq!(frame_type, FrameType::Data);
                assert_eq!(payload, s.payload);
                s.accepted = true;
                s.epoch = epoch;
            }
            Err(TransportError::Proto(e)) => {
                let after = self.rx.stats();
                if was_closed {
                    assert_eq!(e, ProtoError::Closed);
                }
                // An accepted frame of the current epoch comes again: a replay. (Of another
                // epoch it may alias a later one — 4 epoch bits — and fail authentication.)
                if genuine.is_some_and(|g| {
                    self.sent[g].accepted && self.sent[g].epoch == before.recv_epoch
                }) {
                    assert!(
                        matches!(
                            e,
                            ProtoError::Rejected(
                                iomt_proto::Rejection::Replayed
                                    | iomt_proto::Rejection::TooOld
                                    | iomt_proto::Rejection::WrongEpoch
                            ) | ProtoError::Closed
                        ),
                        "a replayed frame gave {e:?}"
                    );
                }
                match e {
                    ProtoError::Malformed(_) | ProtoError::Rejected(_) | ProtoError::Closed => {
                        assert_eq!(after, before, "rejected input changed the channel ({e:?})");
                        assert_eq!(self.rx.is_closed(), was_closed);
                    }
                    ProtoError::AuthenticationFailed | ProtoError::LimitReached(_) => {
                        assert_eq!(
                            (after.send_epoch, after.next_send_seq, after.recv_epoch),
                            (before.send_epoch, before.next_send_seq, before.recv_epoch),
                            "a forgery moved the channel"
                        );
                        assert!(after.recv_failed >= before.recv_failed);
                        if matches!(e, ProtoError::LimitReached(_)) {
                            assert!(self.rx.is_closed());
                        }
                    }
                    other => panic!("unexpected error opening a datagram: {other:?}"),
                }
            }
            Err(other) => panic!("unexpected transport error: {other:?}"),
        }
    }

    fn recv_frame(&mut self, buf_len: usize) {
        let expected = self.expect_next(buf_len);
        let mut buf = vec![0u8; buf_len];
        match (expected, self.rx_link.recv_frame(&mut buf)) {
            (Ok(want), Ok(got)) => assert!(same_frame(&want, got), "recv_frame changed the bytes"),
            (Err(want), Err(got)) => assert_eq!(got, want),
            (want, got) => panic!("recv_frame: expected {want:?}, got {got:?}"),
        }
    }

    /// A fresh genuine frame must open whenever the receiver can follow the sender.
    fn probe(&mut self) {
        let (tx, rx) = (self.tx.stats(), self.rx.stats());
        if self.rx.is_closed() || tx.send_epoch - rx.recv_epoch > u32::from(MAX_EPOCH_SKIP) {
            return;
        }
        let Some(mut frame) = self.seal(b"probe") else {
            return;
        };
        let opened = self
            .rx
            .open(&mut self.crypto, &mut frame)
            .unwrap_or_else(|e| panic!("a fresh genuine frame was refused: {e:?}"));
        assert_eq!(opened.payload, b"probe");
        self.sent.last_mut().expect("just sealed").accepted = true;
    }
}

/// Runs a program; returns how many genuine frames opened (seed checks).
fn run(data: &[u8]) -> usize {
    let mut ops = Ops::new(data);
    let alg = if ops.bool() {
        AeadAlgorithm::ChaCha20Poly1305
    } else {
        AeadAlgorithm::AesCcm16_64_128
    };
    let mut crypto = DeterministicProvider::new();
    let mut exp = exporter;
    let tx = Ch::new(&mut crypto, &mut exp, alg, Side::Initiator, 0x2A).expect("channel");
    let rx = Ch::new(&mut crypto, &mut exp, alg, Side::Responder, 0x2A).expect("channel");
    let pipe = RefCell::new(Pipe::new());
    let back = RefCell::new(Pipe::new());
    let mut w = World {
        crypto,
        tx,
        rx,
        tx_link: Datagram::new(DatagramEnd::new(&back, &pipe)),
        rx_link: Datagram::new(DatagramEnd::new(&pipe, &back)),
        pipe: &pipe,
        queue: VecDeque::new(),
        sent: Vec::new(),
    };
    let pick = |w: &World<'_>, i: u8| -> Option<Vec<u8>> {
        (!w.sent.is_empty()).then(|| w.sent[usize::from(i) % w.sent.len()].bytes.clone())
    };
    for _ in 0..64 {
        if ops.is_empty() {
            break;
        }
        match ops.u8() % OPS {
            OP_SEAL => {
                let payload = ops.bytes(200);
                if let Some(frame) = w.seal(payload) {
                    let _ = w.send(&frame);
                }
            }
            OP_SEND_RAW => {
                let raw = ops.bytes(MTU + 100);
                let _ = w.send(raw);
            }
            OP_PUSH_RAW => {
                let raw = ops.bytes(MTU + 100);
                w.push(raw.to_vec());
            }
            OP_REPLAY => {
                let i = ops.u8();
                if let Some(f) = pick(&w, i) {
                    w.push(f);
                }
            }
            OP_CORRUPT => {
                let (i, at, mask) = (ops.u8(), ops.u16(), ops.u8());
                if let Some(mut f) = pick(&w, i) {
                    let at = usize::from(at) % f.len();
                    f[at] ^= mask;
                    w.push(f);
                }
            }
            OP_TRUNCATE => {
                let (i, len) = (ops.u8(), ops.u16());
                if let Some(mut f) = pick(&w, i) {
                    f.truncate(usize::from(len) % (f.len() + 1));
                    w.push(f);
                }
            }
            OP_RECV => {
                // Mostly the documented size (MAX_FRAME_LEN + 1) or more; sometimes short.
                let sel = ops.u16();
                let len = match sel % 4 {
                    0 => usize::from(sel >> 2) % (MAX_FRAME_LEN + 1),
                    1 => MAX_FRAME_LEN + 1 + usize::from(sel >> 2) % 200,
                    _ => MAX_FRAME_LEN + 1,
                };
                w.recv(len);
            }
            OP_RECV_FRAME => {
                let len = usize::from(ops.u16()) % (MTU + 50);
                w.recv_frame(len);
            }
            OP_UPDATE_KEY => {
                w.tx.update_send_key(&mut w.crypto)
                    .expect("update_send_key");
            }
            _ => w.probe(),
        }
    }
    // Whatever happened, the receiver still follows a fresh frame (if it can).
    w.probe();
    w.sent.iter().filter(|s| s.accepted).count()
}

fn write_seeds(dir: &str) {
    let genuine = |suite: u8, extra: &dyn Fn(&mut OpsWriter)| {
        let mut p = OpsWriter::default();
        p.u8(suite);
        p.u8(OP_SEAL).bytes(b"\x01\x02hello");
        p.u8(OP_RECV).u16(2);
        extra(&mut p);
        p.0
    };
    for suite in [0u8, 1] {
        let s = format!("s{suite}");
        write_seed(dir, &format!("{s}-seal-recv"), &genuine(suite, &|_| {}));
        // The seal-recv frame and the final probe open.
        assert_eq!(run(&genuine(suite, &|_| {})), 2);
        write_seed(
            dir,
            &format!("{s}-replay"),
            &genuine(suite, &|p| {
                p.u8(OP_REPLAY).u8(0).u8(OP_RECV).u16(2).u8(OP_PROBE);
            }),
        );
        write_seed(
            dir,
            &format!("{s}-junk-among-valid"),
            &genuine(suite, &|p| {
                p.u8(OP_PUSH_RAW).bytes(&[0x40, 0x2A, 0x00, 0x05, 1, 2, 3]);
                p.u8(OP_SEAL).bytes(b"second");
                p.u8(OP_PUSH_RAW).bytes(&[0xFF; 1100]);
                p.u8(OP_PUSH_RAW).bytes(&[]);
                for _ in 0..4 {
                    p.u8(OP_RECV).u16(2);
                }
            }),
        );
        write_seed(
            dir,
            &format!("{s}-corrupt-truncate"),
            &genuine(suite, &|p| {
                p.u8(OP_SEAL).bytes(b"x");
                p.u8(OP_CORRUPT).u8(1).u16(5).u8(0x80);
                p.u8(OP_TRUNCATE).u8(1).u16(6);
                p.u8(OP_RECV_FRAME).u16(1100);
                p.u8(OP_RECV).u16(2).u8(OP_RECV).u16(2).u8(OP_RECV).u16(2);
            }),
        );
        write_seed(
            dir,
            &format!("{s}-key-update-short-buffer"),
            &genuine(suite, &|p| {
                p.u8(OP_UPDATE_KEY).u8(OP_UPDATE_KEY);
                p.u8(OP_SEAL).bytes(&[7; 100]);
                p.u8(OP_SEND_RAW).bytes(&[0; 1048]);
                p.u8(OP_RECV).u16(40 << 2);
                p.u8(OP_PROBE);
            }),
        );
    }
}

fuzz_target!(
    init: {
        if let Ok(dir) = std::env::var("IOMT_DATAGRAM_SEEDS") {
            write_seeds(&dir);
            eprintln!("datagram: seeds written to {dir}");
            std::process::exit(0);
        }
    },
    |data: &[u8]| {
        run(data);
    }
);
