//! End to end: the same exporter closure on both sides (stand-in for the EDHOC adapter),
//! a consent/typed-message phase over the in-memory stream transport with short reads
//! and writes, then 10,000 frames each way over an in-memory datagram link that drops,
//! duplicates and reorders, across several key updates.

#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

mod common;

use core::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

use common::{ALGS, consent_tag, pair};
use iomt_core::{
    EcgLead, Operation, Reading, SFloat, TimestampMs, Unit, VitalBatch, VitalKind, WaveformChunk,
};
use iomt_proto::transport::memory::{DatagramEnd, DatagramPipe, Pipe, StreamEnd};
use iomt_proto::transport::{Datagram, Stream, TransportError};
use iomt_proto::{
    Command, CommandResult, CommandStatus, FrameType, KeyLimits, Message, ProtoError, Rejection,
};

type Msg<'a> = Message<'a, 4, 32>;
const FRAMES_EACH_WAY: u32 = 10_000;
/// Maximum reordering displacement (in network steps); below the 64-frame window.
const MAX_DELAY: u64 = 24;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn batch(i: u32) -> VitalBatch<4> {
    let ts = TimestampMs::from_millis(1_800_000_000_000 + u64::from(i) * 1000);
    let mut b = VitalBatch::new();
    b.push(
        Reading::new(
            VitalKind::HeartRate,
            SFloat::from_decimal(60 + (i % 40) as i32, 0).unwrap(),
            Unit::BeatsPerMinute,
            ts,
            i,
        )
        .unwrap(),
    )
    .unwrap();
    b.push(
        Reading::new(
            VitalKind::SpO2,
            SFloat::from_decimal(95 + (i % 5) as i32, 0).unwrap(),
            Unit::Percent,
            ts,
            i,
        )
        .unwrap(),
    )
    .unwrap();
    b
}

fn waveform(i: u32) -> WaveformChunk<32> {
    let mut w = WaveformChunk::new(
        EcgLead::II,
        250,
        Unit::MicroVolt,
        SFloat::from_decimal(5, 0).unwrap(),
        TimestampMs::from_millis(1_800_000_000_000 + u64::from(i)),
    )
    .unwrap();
    let samples: Vec<i16> = (0..32)
        .map(|k| i16::try_from((i as i32 * 7 + k * 113) % 2000 - 1000).unwrap())
        .collect();
    w.extend_from_slice(&samples).unwrap();
    w
}

#[test]
fn e2e_stream_then_lossy_datagrams_10k_each_way() {
    for alg in ALGS {
        run(alg);
    }
}

fn run(alg: iomt_crypto::AeadAlgorithm) {
    let (mut c, mut dev, mut gw) = pair::<64, 4>(alg).unwrap();
    let tag_dev = consent_tag(10); // device installs in slot 0
    let tag_gw = consent_tag(11); // gateway installs in slot 1

    // ---- Phase 1: stream transport with short reads/writes. ----
    let d2g = RefCell::new(Pipe::<4096>::new());
    let g2d = RefCell::new(Pipe::<4096>::new());
    d2g.borrow_mut().set_chunk_limits(7, 5);
    g2d.borrow_mut().set_chunk_limits(3, 11);
    let mut dev_link = Stream::new(StreamEnd::new(&g2d, &d2g));
    let mut gw_link = Stream::new(StreamEnd::new(&d2g, &g2d));
    let mut scratch = [0u8; 1100];
    let mut rbuf = [0u8; 1100];

    let n = gw.send_consent(&mut c, 1, &tag_gw, &mut scratch).unwrap();
    gw_link.send_frame(&scratch[..n]).unwrap();
    let o = dev_link.recv(&mut dev, &mut c, &mut rbuf).unwrap();
    assert_eq!(o.frame_type, FrameType::Consent);
    assert_eq!(o.consent.unwrap().tag().unwrap().revision, 11);
    let n = dev.send_consent(&mut c, 0, &tag_dev, &mut scratch).unwrap();
    dev_link.send_frame(&scratch[..n]).unwrap();
    gw_link.recv(&mut gw, &mut c, &mut rbuf).unwrap();

    for i in 0..200u32 {
        let msg: Msg<'_> = match i % 2 {
            0 => Message::VitalBatch(batch(i)),
            _ => Message::Waveform(waveform(i)),
        };
        dev_link
            .send_message(&mut dev, &mut c, Some(1), &msg, &mut scratch)
            .unwrap();
        let o = gw_link.recv(&mut gw, &mut c, &mut rbuf).unwrap();
        assert_eq!(o.consent.unwrap().encoded, &tag_gw[..]);
        assert_eq!(Msg::decode(o.payload).unwrap(), msg);

        let args = i.to_be_bytes();
        let cmd: Msg<'_> = Message::Command(Command {
            request_id: u16::try_from(i).unwrap(),
            operation: Operation::ReadVitals,
            args: &args,
        });
        gw_link
            .send_message(&mut gw, &mut c, Some(0), &cmd, &mut scratch)
            .unwrap();
        let o = dev_link.recv(&mut dev, &mut c, &mut rbuf).unwrap();
        assert_eq!(o.consent.unwrap().encoded, &tag_dev[..]);
        assert_eq!(Msg::decode(o.payload).unwrap(), cmd);
    }
    assert!(d2g.borrow().is_empty() && g2d.borrow().is_empty());

    // ---- Phase 2: lossy datagrams, 10,000 frames each way, forced key updates. ----
    let limits = KeyLimits {
        max_encryptions: 1500,
        max_failed_decryptions: u64::MAX,
    };
    dev.set_limits(limits);
    gw.set_limits(limits);
    let d2g = RefCell::new(DatagramPipe::<1100, 4>::new());
    let g2d = RefCell::new(DatagramPipe::<1100, 4>::new());
    let mut dev_link = Datagram::new(DatagramEnd::new(&g2d, &d2g));
    let mut gw_link = Datagram::new(DatagramEnd::new(&d2g, &g2d));

    let mut rng = Rng(0x1234_5678_9ABC_DEF1 ^ alg.tag_len() as u64);
    // In-flight network: delivery time -> frames (per direction).
    let mut net: [BTreeMap<(u64, u64), Vec<u8>>; 2] = [BTreeMap::new(), BTreeMap::new()];
    let mut sent_ids: [HashSet<u32>; 2] = [HashSet::new(), HashSet::new()];
    let mut arrived: [HashSet<u32>; 2] = [HashSet::new(), HashSet::new()];
    let mut delivered: [HashSet<u32>; 2] = [HashSet::new(), HashSet::new()];
    let mut rejected_dupes = [0u32; 2];
    let mut uniq = 0u64;
    let tags = [&tag_dev, &tag_gw];

    let total_steps = u64::from(FRAMES_EACH_WAY) + MAX_DELAY + 2;
    for t in 0..total_steps {
        // Send one frame each way.
        if t < u64::from(FRAMES_EACH_WAY) {
            let id = u32::try_from(t).unwrap();
            for dir in 0..2 {
                let slot = match id % 3 {
                    0 => None,
                    1 => Some(0),
                    _ => Some(1),
                };
                let args = id.to_be_bytes();
                let msg: Msg<'_> = Message::CommandResult(CommandResult {
                    request_id: u16::try_from(id & 0xFFFF).unwrap(),
                    status: CommandStatus::Ok,
                    data: &args,
                });
                let (ch, link) = if dir == 0 {
                    (&mut dev, &mut dev_link)
                } else {
                    (&mut gw, &mut gw_link)
                };
                let n = ch.seal_message(&mut c, slot, &msg, &mut scratch).unwrap();
                // The sender's link puts the frame in its queue; the "network" takes it.
                link.send_frame(&scratch[..n]).unwrap();
                let q = if dir == 0 { &d2g } else { &g2d };
                let frame = q.borrow_mut().pop().unwrap().to_vec();
                sent_ids[dir].insert(id);
                if rng.chance(10) {
                    continue; // dropped
                }
                let copies = if rng.chance(10) { 2 } else { 1 };
                for _ in 0..copies {
                    uniq += 1;
                    net[dir].insert((t + rng.next() % MAX_DELAY, uniq), frame.clone());
                }
            }
        }
        // Deliver everything due now.
        for dir in 0..2 {
            let due: Vec<(u64, u64)> = net[dir].range(..(t + 1, 0)).map(|(k, _)| *k).collect();
            for k in due {
                let frame = net[dir].remove(&k).unwrap();
                let id = frame_id(&frame);
                arrived[dir].insert(id);
                let q = if dir == 0 { &d2g } else { &g2d };
                q.borrow_mut().push(&frame).unwrap();
                let (ch, link) = if dir == 0 {
                    (&mut gw, &mut gw_link)
                } else {
                    (&mut dev, &mut dev_link)
                };
                match link.recv(ch, &mut c, &mut rbuf) {
                    Ok(o) => {
                        let Message::CommandResult(r) = Msg::decode(o.payload).unwrap() else {
                            panic!("wrong message");
                        };
                        let got = u32::from_be_bytes(r.data.try_into().unwrap());
                        assert_eq!(got, id);
                        match got % 3 {
                            0 => assert!(o.consent.is_none()),
                            s => {
                                let b = o.consent.unwrap();
                                assert_eq!(u32::from(b.slot), s - 1);
                                assert_eq!(b.encoded, &tags[(s - 1) as usize][..]);
                            }
                        }
                        assert!(delivered[dir].insert(got), "delivered twice: {got}");
                    }
                    Err(TransportError::Proto(ProtoError::Rejected(
                        Rejection::Replayed | Rejection::TooOld | Rejection::WrongEpoch,
                    ))) => {
                        assert!(delivered[dir].contains(&id), "in-window frame {id} lost");
                        rejected_dupes[dir] += 1;
                    }
                    Err(e) => panic!("unexpected error for {id}: {e:?}"),
                }
            }
        }
    }
    for dir in 0..2 {
        assert_eq!(sent_ids[dir].len(), FRAMES_EACH_WAY as usize);
        // Every frame that arrived at least once was delivered exactly once.
        assert_eq!(delivered[dir], arrived[dir], "dir {dir}");
        assert!(arrived[dir].len() > 8500 && arrived[dir].len() < 9500);
        assert!(rejected_dupes[dir] > 500);
    }
    // Key updates happened in both directions and the receivers followed.
    assert!(dev.stats().send_epoch >= 6 && gw.stats().send_epoch >= 6);
    assert_eq!(dev.stats().send_epoch, gw.stats().recv_epoch);
    assert_eq!(gw.stats().send_epoch, dev.stats().recv_epoch);
    assert_eq!(gw.stats().recv_failed, 0);
}

/// The message id of a phase-2 frame, read from its clear header (before delivery, so
/// the test knows which frames the network let through). Phase 1 used seq 0..=200 of
/// epoch 0 per direction (1 consent frame + 200 messages); with `max_encryptions = 1500`
/// every epoch then holds 1500 frames, and epochs stay below 16 so the 4 wire bits are
/// the whole epoch.
fn frame_id(frame: &[u8]) -> u32 {
    let view = iomt_proto::Frame::new_checked(frame).unwrap();
    let repr = iomt_proto::FrameRepr::parse(&view).unwrap();
    u32::from(repr.epoch_bits) * 1500 + repr.seq - 201
}
