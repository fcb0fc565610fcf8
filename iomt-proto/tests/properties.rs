//! Property tests: header round trips, arbitrary bytes never panic nor change a session,
//! payload round trips.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

mod common;

use common::pair;
use iomt_core::Operation;
use iomt_crypto::AeadAlgorithm;
use iomt_proto::wire::{Frame, FrameRepr, FrameType, MAX_HEADER_LEN};
use iomt_proto::{AuditExport, Command, CommandResult, CommandStatus, Message, ProtoError};
use proptest::prelude::*;

fn repr() -> impl Strategy<Value = FrameRepr> {
    (
        0u8..3,
        any::<u8>(),
        0u8..16,
        prop::option::of(0u8..15),
        any::<u32>(),
    )
        .prop_map(|(t, conn_id, epoch_bits, slot, seq)| FrameRepr {
            frame_type: FrameType::from_bits(t),
            conn_id,
            epoch_bits,
            slot,
            seq,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn header_parse_emit_round_trip(r in repr(), tail in prop::collection::vec(any::<u8>(), 0..8)) {
        let mut buf = vec![0xa5u8; r.buffer_len()];
        r.emit(&mut Frame::new_unchecked(&mut buf[..]));
        prop_assert!(buf.len() <= MAX_HEADER_LEN);
        buf.extend_from_slice(&tail);
        let f = Frame::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(FrameRepr::parse(&f).unwrap(), r);
        prop_assert_eq!(f.body(), &tail[..]);
    }

    #[test]
    fn header_parse_is_canonical(bytes in prop::collection::vec(any::<u8>(), 0..12)) {
        // Whatever parses re-emits to the same bytes (one encoding per header).
        if let Ok(f) = Frame::new_checked(&bytes[..])
            && let Ok(r) = FrameRepr::parse(&f)
        {
            let mut out = vec![0u8; r.buffer_len()];
            r.emit(&mut Frame::new_unchecked(&mut out[..]));
            prop_assert_eq!(&out[..], f.header());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_or_change_state(
        frames in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 1..20),
        ccm in any::<bool>(),
    ) {
        let alg = if ccm { AeadAlgorithm::AesCcm16_64_128 } else { AeadAlgorithm::ChaCha20Poly1305 };
        let (mut c, mut a, mut b) = pair::<64, 4>(alg).unwrap();
        let mut buf = [0u8; 64];
        let n = a.seal_data(&mut c, None, b"keep", &mut buf).unwrap();
        let before = b.stats();
        for mut f in frames {
            // Point most garbage at the right connection so it reaches deeper checks.
            if f.len() > 1 && f[0] & 1 == 0 { f[1] = 0x2A; }
            let r = b.open(&mut c, &mut f);
            prop_assert!(r.is_err());
            if let Err(e) = r {
                prop_assert!(!matches!(e, ProtoError::ApiMisuse(_)));
            }
        }
        let after = b.stats();
        prop_assert_eq!(before.recv_epoch, after.recv_epoch);
        prop_assert!(!b.is_closed());
        prop_assert_eq!(b.open(&mut c, &mut buf[..n]).unwrap().payload, b"keep");
    }

    #[test]
    fn message_round_trip(
        id in any::<u16>(),
        op in 0u8..8,
        status in 0u8..6,
        blob in prop::collection::vec(any::<u8>(), 0..200),
        first in any::<u64>(),
        head in prop::option::of(prop::collection::vec(any::<u8>(), 0..96)),
        which in 0u8..3,
    ) {
        let operation = Operation::from_code(op).unwrap();
        let msg: Message<'_, 2, 2> = match which {
            0 => Message::Command(Command { request_id: id, operation, args: &blob }),
            1 => Message::CommandResult(CommandResult {
                request_id: id,
                status: CommandStatus::from_code(status).unwrap(),
                data: &blob,
            }),
            _ => Message::AuditExport(AuditExport {
                first_index: first,
                records: &blob,
                signed_head: head.as_deref(),
            }),
        };
        let mut out = vec![0u8; 400];
        let n = msg.encode(&mut out).unwrap();
        prop_assert_eq!(n, msg.encoded_len().unwrap());
        prop_assert_eq!(Message::<2, 2>::decode(&out[..n]).unwrap(), msg);
    }

    #[test]
    fn message_decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Message::<4, 16>::decode(&bytes);
        let _ = iomt_proto::CloseReason::decode(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// The fuzz entry points hold their properties on random input (smoke test; the
    /// real fuzzing runs under cargo-fuzz).
    #[test]
    fn fuzz_entry_points_smoke(data in prop::collection::vec(any::<u8>(), 0..600)) {
        iomt_proto::__fuzz::header(&data);
        iomt_proto::__fuzz::payload(&data);
        iomt_proto::__fuzz::open(&mut common::crypto(), &data);
    }
}
