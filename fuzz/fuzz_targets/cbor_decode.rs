//! The strict deterministic CBOR decoder of iomt-auth's CBOR subset (`iomt_auth::__fuzz::cbor`) on untrusted bytes, and the
//! encoder/decoder round trip: re-encoding whatever the decoder accepts must reproduce the
//! input byte for byte (it accepts only shortest-form, definite-length items), and
//! `decode(encode(x)) == x` for arbitrary values.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use iomt_auth::__fuzz::cbor::{CborError, Decoder, Encoder, Major, is_one_byte_int};
use libfuzzer_sys::fuzz_target;

/// Walks a CBOR sequence item by item (containers by their heads) and re-encodes it.
/// Returns `None` if the decoder rejected the input.
fn walk_and_reencode(data: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut d = Decoder::new(data);
    let mut e = Encoder::new(out);
    while !d.is_empty() {
        let before = d.position();
        let fallback = d.clone();
        let step: Result<(), CborError> = match (d.peek_byte(), d.peek_major()) {
            (Some(0xF4 | 0xF5), _) => d.bool().map(|v| e.bool(v).unwrap()),
            (_, Ok(Major::Uint)) => d.uint().map(|v| e.uint(v).unwrap()),
            (_, Ok(Major::Nint)) => match d.int() {
                Ok(v) => {
                    assert!(v < 0);
                    e.int(v).unwrap();
                    Ok(())
                }
                // Valid CBOR below i64::MIN: only skip_item accepts it.
                Err(CborError::Overflow) => {
                    d = fallback;
                    d.skip_item().map(|raw| e.raw(raw).unwrap())
                }
                Err(err) => Err(err),
            },
            (_, Ok(Major::Bstr)) => {
                let mut id = d.clone();
                d.bstr().map(|v| {
                    e.bstr(v).unwrap();
                    // As an identifier, a bstr means the same bytes, unless it is the
                    // surplus encoding of a one-byte integer.
                    match id.bstr_identifier() {
                        Ok(w) => {
                            assert_eq!(w, v);
                            assert_eq!(id.position(), d.position());
                        }
                        Err(_) => assert!(matches!(v, [b] if is_one_byte_int(*b))),
                    }
                })
            }
            (_, Ok(Major::Tstr)) => d.tstr().map(|v| e.tstr(v).unwrap()),
            (_, Ok(Major::Array)) => d.array().map(|n| e.array(n).unwrap()),
            (_, Ok(Major::Map)) => d.map().map(|n| e.map(n).unwrap()),
            (_, Ok(Major::Tag | Major::Simple)) => d.skip_item().map(|raw| e.raw(raw).unwrap()),
            (_, Err(err)) => Err(err),
        };
        assert!(d.position() <= data.len());
        match step {
            Ok(()) => assert!(d.position() > before, "an accepted item consumed nothing"),
            Err(_) => return None,
        }
    }
    assert!(d.finish().is_ok());
    Some(e.len())
}

fn skip_all(data: &[u8]) -> Result<usize, CborError> {
    let mut d = Decoder::new(data);
    let mut items = 0;
    while !d.is_empty() {
        let start = d.position();
        let raw = d.skip_item()?;
        assert_eq!(raw, &data[start..d.position()]);
        items += 1;
    }
    Ok(items)
}

#[derive(Debug, Clone, PartialEq, Arbitrary)]
enum Item {
    Uint(u64),
    Int(i64),
    Bstr(Vec<u8>),
    Tstr(String),
    Array(u8),
    Map(u8),
    Bool(bool),
    Identifier(Vec<u8>),
}

const fn buf_len() -> usize {
    512
}

/// `decode(encode(items)) == items` for as many items as fit the buffer.
fn roundtrip_values(items: &[Item]) {
    let mut buf = [0_u8; buf_len()];
    let mut e = Encoder::new(&mut buf);
    let mut encoded = 0;
    let mut len = 0;
    for item in items {
        let r = match item {
            Item::Uint(v) => e.uint(*v),
            Item::Int(v) => e.int(*v),
            Item::Bstr(v) => e.bstr(v),
            Item::Tstr(v) => e.tstr(v),
            Item::Array(n) => e.array(usize::from(*n)),
            Item::Map(n) => e.map(usize::from(*n)),
            Item::Bool(v) => e.bool(*v),
            Item::Identifier(v) => e.bstr_identifier(v),
        };
        match r {
            Ok(()) => {
                encoded += 1;
                len = e.len();
            }
            Err(CborError::BufferTooSmall { needed }) => {
                assert!(needed > buf_len(), "BufferTooSmall with needed={needed}");
                break;
            }
            Err(other) => panic!("encoding {item:?} failed: {other:?}"),
        }
    }
    // A failed write may leave a partial item after `len`; everything before it is whole.
    let bytes = &buf[..len];
    let mut d = Decoder::new(bytes);
    for item in &items[..encoded] {
        let got = match item {
            Item::Uint(_) => d.uint().map(Item::Uint),
            Item::Int(_) => d.int().map(Item::Int),
            Item::Bstr(_) => d.bstr().map(|v| Item::Bstr(v.to_vec())),
            Item::Tstr(_) => d.tstr().map(|v| Item::Tstr(v.to_owned())),
            Item::Array(_) => d.array().map(|n| Item::Array(u8::try_from(n).unwrap())),
            Item::Map(_) => d.map().map(|n| Item::Map(u8::try_from(n).unwrap())),
            Item::Bool(_) => d.bool().map(Item::Bool),
            Item::Identifier(_) => d.bstr_identifier().map(|v| Item::Identifier(v.to_vec())),
        };
        assert_eq!(
            got.as_ref(),
            Ok(item),
            "round trip of {item:?} in {bytes:02x?}"
        );
    }
    assert!(d.finish().is_ok());
    // What the encoder wrote is deterministic, so the walker reproduces it exactly.
    let mut again = [0_u8; 512];
    if let Some(n) = walk_and_reencode(bytes, &mut again) {
        assert_eq!(&again[..n], bytes);
    }
}

fuzz_target!(|data: &[u8]| {
    // 1. Untrusted bytes: accepted input re-encodes to itself.
    let mut out = vec![0_u8; data.len()];
    if let Some(n) = walk_and_reencode(data, &mut out) {
        assert_eq!(&out[..n], data, "accepted a non-deterministic encoding");
    }
    // skip_item accepts only well-formed items: each item it skips re-encodes to itself.
    if skip_all(data).is_ok() {
        let mut out2 = vec![0_u8; data.len()];
        assert_eq!(
            walk_and_reencode(data, &mut out2).map(|n| &out2[..n]),
            Some(data)
        );
    }
    // The crate's own fuzz entry points must agree and not panic.
    let mut scratch = [0_u8; 256];
    let _ = iomt_auth::__fuzz::cbor::roundtrip_sequence(data, &mut scratch);
    let _ = iomt_auth::__fuzz::cbor::skip_all(data);

    // 2. Values: decode(encode(x)) == x.
    if let Ok(items) = Vec::<Item>::arbitrary_take_rest(Unstructured::new(data)) {
        roundtrip_values(&items);
    }
});
