//! The strict deterministic CBOR decoder of iomt-auth's CBOR subset on untrusted bytes, and
//! the encoder/decoder round trip: re-encoding whatever the decoder accepts must reproduce
//! the input byte for byte (it accepts only shortest-form, definite-length items), and
//! `decode(encode(x)) == x` for arbitrary values. The CBOR module is crate-private; the
//! walks and property checks live in `iomt_auth::__fuzz::cbor`.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use iomt_auth::__fuzz::cbor::{Value, reencode_sequence, roundtrip_values, skip_sequence};
use libfuzzer_sys::fuzz_target;

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

impl Item {
    fn value(&self) -> Value<'_> {
        match self {
            Item::Uint(v) => Value::Uint(*v),
            Item::Int(v) => Value::Int(*v),
            Item::Bstr(v) => Value::Bstr(v),
            Item::Tstr(v) => Value::Tstr(v),
            Item::Array(n) => Value::Array(usize::from(*n)),
            Item::Map(n) => Value::Map(usize::from(*n)),
            Item::Bool(v) => Value::Bool(*v),
            Item::Identifier(v) => Value::Identifier(v),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // 1. Untrusted bytes: accepted input re-encodes to itself.
    let mut out = vec![0_u8; data.len()];
    if let Some(n) = reencode_sequence(data, &mut out) {
        assert_eq!(&out[..n], data, "accepted a non-deterministic encoding");
    }
    // skip_item accepts only well-formed items: each item it skips re-encodes to itself.
    if skip_sequence(data).is_some() {
        let mut out2 = vec![0_u8; data.len()];
        assert_eq!(
            reencode_sequence(data, &mut out2).map(|n| &out2[..n]),
            Some(data)
        );
    }

    // 2. Values: decode(encode(x)) == x.
    if let Ok(items) = Vec::<Item>::arbitrary_take_rest(Unstructured::new(data)) {
        let values: Vec<Value<'_>> = items.iter().map(Item::value).collect();
        roundtrip_values(&values);
    }
});
