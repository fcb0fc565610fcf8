//! The channel frame header (`iomt_proto::wire`): the checked view over untrusted bytes, the
//! parser, and `parse(emit(repr)) == repr` both ways.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use iomt_proto::wire::{Frame, FrameRepr, FrameType, MAX_HEADER_LEN, MIN_HEADER_LEN, NO_SLOT};
use libfuzzer_sys::fuzz_target;

fn check_bytes(data: &[u8]) {
    let Ok(frame) = Frame::new_checked(data) else {
        return;
    };
    // After check_len, every getter stays inside the buffer.
    let header_len = frame.header_len();
    assert!((MIN_HEADER_LEN..=MAX_HEADER_LEN).contains(&header_len));
    assert!(header_len <= data.len());
    assert_eq!(frame.header(), &data[..header_len]);
    assert_eq!(frame.body(), &data[header_len..]);
    assert!((1..=4).contains(&frame.seq_len()));
    let _ = (
        frame.version(),
        frame.frame_type(),
        frame.reserved_bit(),
        frame.conn_id(),
    );
    assert!(frame.epoch_bits() <= 0x0F && frame.slot_bits() <= 0x0F);
    let seq = frame.seq();

    let Ok(repr) = FrameRepr::parse(&frame) else {
        return;
    };
    assert_eq!(repr.seq, seq);
    assert!(!matches!(repr.frame_type, FrameType::Unknown(_)));
    assert_eq!(repr.buffer_len(), header_len);
    // A parsed header re-emits byte for byte (the encoding is canonical).
    let mut out = [0xA5_u8; MAX_HEADER_LEN];
    let mut emitted = Frame::new_unchecked(&mut out[..repr.buffer_len()]);
    repr.emit(&mut emitted);
    assert_eq!(&out[..header_len], &data[..header_len], "{repr:?}");
}

#[derive(Debug, Arbitrary)]
struct ReprInput {
    frame_type: u8,
    conn_id: u8,
    epoch_bits: u8,
    slot: u8,
    seq: u32,
    body: Vec<u8>,
}

fn check_repr(input: ReprInput) {
    let frame_type = match input.frame_type % 3 {
        0 => FrameType::Data,
        1 => FrameType::Consent,
        _ => FrameType::Close,
    };
    let slot = input.slot % 16;
    let repr = FrameRepr {
        frame_type,
        conn_id: input.conn_id,
        epoch_bits: input.epoch_bits & 0x0F,
        slot: (slot != NO_SLOT).then_some(slot),
        seq: input.seq,
    };
    let len = repr.buffer_len();
    let mut buf = vec![0xA5_u8; len + input.body.len()];
    buf[len..].copy_from_slice(&input.body);
    let mut frame = Frame::new_unchecked(&mut buf[..]);
    repr.emit(&mut frame);
    let frame = Frame::new_checked(&buf[..]).expect("an emitted header checks");
    assert_eq!(FrameRepr::parse(&frame), Ok(repr));
    assert_eq!(frame.body(), &input.body[..]);
    // FrameType bits round-trip for every 3-bit value.
    let bits = input.frame_type & 0x07;
    assert_eq!(FrameType::from_bits(bits).to_bits(), bits);
}

fuzz_target!(|data: &[u8]| {
    check_bytes(data);
    if let Ok(input) = ReprInput::arbitrary_take_rest(Unstructured::new(data)) {
        check_repr(input);
    }
});
