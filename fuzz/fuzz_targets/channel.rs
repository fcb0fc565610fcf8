//! The secure channel (`iomt_proto::Channel`) on an established session, with real AEADs
//! (suites 2 and 5): the fuzzer seals data, consent and close frames, updates keys and
//! limits, and delivers, replays, reorders, corrupts, truncates or injects frames.
//!
//! Invariants (model-based): a frame opens only if it is byte-identical to a genuine frame
//! that was never accepted before; what opens is exactly what was sealed (type, payload,
//! the consent tag bound at seal time); nothing opens after the receiver closed.
#![no_main]

use arbitrary::Arbitrary;
use iomt_core::{ConsentRef, ConsentTag, Timestamp};
use iomt_crypto::{AeadAlgorithm, DeterministicProvider};
use iomt_proto::channel::Channel;
use iomt_proto::keys::{ExportError, Side};
use iomt_proto::payload::CloseReason;
use iomt_proto::{FrameType, KeyLimits, ProtoError};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Op {
    Data {
        slot: Option<u8>,
        payload: Vec<u8>,
    },
    Consent {
        slot: u8,
        tag: u8,
    },
    ConsentRaw {
        slot: u8,
        bytes: Vec<u8>,
    },
    UpdateKey,
    Close(u8),
    Limits {
        sender: bool,
        encryptions: u8,
        failures: u8,
    },
    Deliver(u8),
    Corrupt {
        frame: u8,
        at: u16,
        mask: u8,
    },
    Truncate {
        frame: u8,
        len: u16,
    },
    Inject(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    chacha: bool,
    ops: Vec<Op>,
}

struct Sent {
    bytes: Vec<u8>,
    frame_type: FrameType,
    payload: Vec<u8>,
    consent: Option<(u8, Vec<u8>)>,
    accepted: bool,
}

fn tags() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, until) in [(1u8, 100u64), (2, 1_000_000), (3, u64::from(u32::MAX))] {
        let tag = ConsentTag::permit(
            ConsentRef([i; 32]),
            u32::from(i),
            Timestamp::from_secs(0),
            Timestamp::from_secs(until),
        )
        .with_break_glass(i == 2);
        let mut buf = [0u8; 256];
        if let Ok(n) = tag.encode(&mut buf) {
            out.push(buf[..n].to_vec());
        }
    }
    assert!(!out.is_empty(), "no valid consent tag to send");
    out
}

fuzz_target!(|input: Input| {
    let tags = tags();
    let mut crypto = DeterministicProvider::new();
    let mut exporter = |label: u16, ctx: &[u8], out: &mut [u8]| -> Result<(), ExportError> {
        for (i, b) in out.iter_mut().enumerate() {
            *b = (label as u8) ^ (i as u8) ^ ctx.len() as u8;
        }
        Ok(())
    };
    let alg = if input.chacha {
        AeadAlgorithm::ChaCha20Poly1305
    } else {
        AeadAlgorithm::AesCcm16_64_128
    };
    let mut tx =
        Channel::<8, 4>::new(&mut crypto, &mut exporter, alg, Side::Initiator, 0x2A).unwrap();
    let mut rx =
        Channel::<8, 4>::new(&mut crypto, &mut exporter, alg, Side::Responder, 0x2A).unwrap();
    // What the sender had installed per slot (to know what a data frame was bound to).
    let mut tx_slots: [Option<Vec<u8>>; 4] = Default::default();
    let mut sent: Vec<Sent> = Vec::new();
    let mut out = [0u8; 1200];

    for op in input.ops.iter().take(64) {
        let mut deliver: Option<Vec<u8>> = None;
        match op {
            Op::Data { slot, payload } => {
                let payload = &payload[..payload.len().min(96)];
                let slot = slot.map(|s| s % 5);
                if let Ok(n) = tx.seal_data(&mut crypto, slot, payload, &mut out) {
                    let consent = slot.map(|s| {
                        (
                            s,
                            tx_slots[usize::from(s)]
                                .clone()
                                .expect("sealed with an empty slot"),
                        )
                    });
                    sent.push(Sent {
                        bytes: out[..n].to_vec(),
                        frame_type: FrameType::Data,
                        payload: payload.to_vec(),
                        consent,
                        accepted: false,
                    });
                }
            }
            Op::Consent { slot, tag } => {
                let slot = slot % 5;
                let bytes = &tags[usize::from(*tag) % tags.len()];
                if let Ok(n) = tx.send_consent(&mut crypto, slot, bytes, &mut out) {
                    tx_slots[usize::from(slot)] = Some(bytes.clone());
                    sent.push(Sent {
                        bytes: out[..n].to_vec(),
                        frame_type: FrameType::Consent,
                        payload: bytes.clone(),
                        consent: Some((slot, bytes.clone())),
                        accepted: false,
                    });
                }
            }
            Op::ConsentRaw { slot, bytes } => {
                let slot = slot % 5;
                let valid = ConsentTag::decode(bytes).is_ok();
                if let Ok(n) = tx.send_consent(&mut crypto, slot, bytes, &mut out) {
                    {
                        assert!(valid, "an invalid consent tag was sent");
                        tx_slots[usize::from(slot)] = Some(bytes.clone());
                        sent.push(Sent {
                            bytes: out[..n].to_vec(),
                            frame_type: FrameType::Consent,
                            payload: bytes.clone(),
                            consent: Some((slot, bytes.clone())),
                            accepted: false,
                        });
                    }
                }
            }
            Op::UpdateKey => {
                let _ = tx.update_send_key(&mut crypto);
            }
            Op::Close(code) => {
                let reason = CloseReason::from_code(*code % 8).unwrap_or(CloseReason::ALL[0]);
                if let Ok(n) = tx.close(&mut crypto, reason, &mut out) {
                    assert!(tx.is_closed());
                    sent.push(Sent {
                        bytes: out[..n].to_vec(),
                        frame_type: FrameType::Close,
                        payload: vec![reason.code()],
                        consent: None,
                        accepted: false,
                    });
                }
            }
            Op::Limits {
                sender,
                encryptions,
                failures,
            } => {
                let limits = KeyLimits {
                    max_encryptions: u64::from(*encryptions) + 1,
                    max_failed_decryptions: u64::from(*failures) + 1,
                };
                if *sender {
                    tx.set_limits(limits)
                } else {
                    rx.set_limits(limits)
                }
            }
            Op::Deliver(i) if !sent.is_empty() => {
                deliver = Some(sent[usize::from(*i) % sent.len()].bytes.clone());
            }
            Op::Corrupt { frame, at, mask } if !sent.is_empty() => {
                let mut b = sent[usize::from(*frame) % sent.len()].bytes.clone();
                let at = usize::from(*at) % b.len();
                b[at] ^= mask;
                deliver = Some(b);
            }
            Op::Truncate { frame, len } if !sent.is_empty() => {
                let mut b = sent[usize::from(*frame) % sent.len()].bytes.clone();
                b.truncate(usize::from(*len) % (b.len() + 1));
                deliver = Some(b);
            }
            Op::Inject(bytes) => deliver = Some(bytes[..bytes.len().min(1100)].to_vec()),
            Op::Deliver(_) | Op::Corrupt { .. } | Op::Truncate { .. } => {}
        }

        let Some(mut frame) = deliver else { continue };
        let was_closed = rx.is_closed();
        let original = frame.clone();
        // Not `==`: libFuzzer mines memcmp operands and would replay frames sealed in
        // earlier runs (same keys) as false "forgeries" (see iomt_fuzz::ops::same_frame).
        let genuine = sent
            .iter()
            .position(|s| iomt_fuzz::ops::same_frame(&s.bytes, &original));
        match rx.open(&mut crypto, &mut frame) {
            Ok(opened) => {
                assert!(!was_closed, "a closed channel opened a frame");
                let g = genuine.expect("a forged frame opened");
                let s = &sent[g];
                assert!(!s.accepted, "a genuine frame was accepted twice");
                assert_eq!(opened.frame_type, s.frame_type);
                assert_eq!(opened.payload, &s.payload[..]);
                match (&s.consent, &opened.consent) {
                    (Some((slot, tag)), Some(bound)) => {
                        assert_eq!(bound.slot, *slot);
                        assert_eq!(bound.encoded, &tag[..], "bound to another consent tag");
                        assert!(bound.tag().is_ok());
                    }
                    (None, None) => {}
                    (want, got) => panic!("consent binding: sent {want:?}, opened {got:?}"),
                }
                let ft = opened.frame_type;
                sent[g].accepted = true;
                if ft == FrameType::Close {
                    assert!(rx.is_closed());
                }
            }
            Err(e) => {
                if was_closed {
                    assert_eq!(e, ProtoError::Closed);
                }
            }
        }
    }
});
