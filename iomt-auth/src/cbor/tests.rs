#![expect(
    clippy::arithmetic_side_effects,
    reason = "test arithmetic on small known values"
)]
use super::*;
use proptest::prelude::*;
use std::prelude::rust_2024::*;

fn enc(f: impl FnOnce(&mut Encoder<'_>) -> Result<(), CborError>) -> ([u8; 64], usize) {
    let mut buf = [0xa5u8; 64];
    let mut e = Encoder::new(&mut buf);
    f(&mut e).unwrap();
    let n = e.len();
    (buf, n)
}

#[test]
fn ints_emit_shortest_form() {
    let cases: &[(i64, &[u8])] = &[
        (0, &[0x00]),
        (23, &[0x17]),
        (24, &[0x18, 0x18]),
        (255, &[0x18, 0xff]),
        (256, &[0x19, 0x01, 0x00]),
        (65535, &[0x19, 0xff, 0xff]),
        (65536, &[0x1a, 0x00, 0x01, 0x00, 0x00]),
        (-1, &[0x20]),
        (-24, &[0x37]),
        (-25, &[0x38, 0x18]),
        (-16, &[0x2f]),
        (
            i64::MIN,
            &[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        ),
        (1 << 32, &[0x1b, 0, 0, 0, 1, 0, 0, 0, 0]),
    ];
    for (v, want) in cases {
        let (buf, n) = enc(|e| e.int(*v));
        assert_eq!(&buf[..n], *want, "{v}");
        let mut d = Decoder::new(want);
        assert_eq!(d.int().unwrap(), *v);
        d.finish().unwrap();
    }
}

#[test]
fn overlong_heads_rejected() {
    for bad in [
        &[0x18, 0x05][..],
        &[0x19, 0x00, 0x03],
        &[0x1a, 0x00, 0x00, 0xff, 0xff],
        &[0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
        &[0x58, 0x01, 0xaa],
        &[0x38, 0x10],
    ] {
        assert_eq!(
            Decoder::new(bad).skip_item().unwrap_err(),
            CborError::NonDeterministic,
            "{bad:02x?}"
        );
    }
}

#[test]
fn indefinite_and_reserved_rejected() {
    assert_eq!(
        Decoder::new(&[0x9f, 0x01, 0xff]).array().unwrap_err(),
        CborError::Indefinite
    );
    assert_eq!(
        Decoder::new(&[0x5f, 0x41, 0x00, 0xff]).bstr().unwrap_err(),
        CborError::Indefinite
    );
    assert_eq!(
        Decoder::new(&[0xff]).skip_item().unwrap_err(),
        CborError::Indefinite
    );
    assert_eq!(
        Decoder::new(&[0x1c]).int().unwrap_err(),
        CborError::Unsupported
    );
    // half float
    assert_eq!(
        Decoder::new(&[0xf9, 0x3c, 0x00]).skip_item().unwrap_err(),
        CborError::Unsupported
    );
}

#[test]
fn wrong_types_do_not_consume() {
    let data = [0x41, 0x0e];
    let mut d = Decoder::new(&data);
    assert_eq!(d.int().unwrap_err(), CborError::UnexpectedType);
    assert_eq!(d.position(), 0);
    assert_eq!(d.bstr().unwrap(), &[0x0e]);
}

#[test]
fn truncation_everywhere_is_an_error() {
    let full = [0x83, 0x01, 0x42, 0xaa, 0xbb, 0x63, b'a', b'b', b'c'];
    assert!(Decoder::new(&full).skip_item().is_ok());
    for n in 0..full.len() {
        assert!(Decoder::new(&full[..n]).skip_item().is_err(), "{n}");
    }
}

#[test]
fn huge_lengths_do_not_overflow() {
    let data = [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    assert!(Decoder::new(&data).bstr().is_err());
    let data = [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    assert!(Decoder::new(&data).skip_item().is_err());
    let data = [0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    assert!(Decoder::new(&data).skip_item().is_err());
    let data = [0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    assert_eq!(Decoder::new(&data).int().unwrap_err(), CborError::Overflow);
}

#[test]
fn deep_tags_rejected() {
    let mut data = [0xc6u8; 40];
    data[39] = 0x00;
    assert_eq!(
        Decoder::new(&data).skip_item().unwrap_err(),
        CborError::TooDeep
    );
}

#[test]
fn identifiers_follow_rfc9528_3_3_2() {
    // examples from RFC 9528 §3.3.2
    let cases: &[(&[u8], &[u8])] = &[
        (&[0x21], &[0x21]),
        (&[0x0d], &[0x0d]),
        (&[0x18], &[0x41, 0x18]),
        (&[0x38], &[0x41, 0x38]),
        (&[0xab, 0xcd], &[0x42, 0xab, 0xcd]),
        (&[], &[0x40]),
    ];
    for (id, wire) in cases {
        let (buf, n) = enc(|e| e.bstr_identifier(id));
        assert_eq!(&buf[..n], *wire);
        let mut d = Decoder::new(wire);
        assert_eq!(d.bstr_identifier().unwrap(), *id);
        d.finish().unwrap();
    }
    // surplus bstr encoding (RFC 9529 §4)
    assert_eq!(
        Decoder::new(&[0x41, 0x0e]).bstr_identifier().unwrap_err(),
        CborError::NonDeterministic
    );
    assert_eq!(
        Decoder::new(&[0x18, 0x18]).bstr_identifier().unwrap_err(),
        CborError::UnexpectedType
    );
}

#[test]
fn encoder_reports_needed_size() {
    let mut buf = [0u8; 3];
    let mut e = Encoder::new(&mut buf);
    assert_eq!(
        e.bstr(&[1, 2, 3]).unwrap_err(),
        CborError::BufferTooSmall { needed: 4 }
    );
}

#[test]
fn fuzz_entry_accepts_deterministic_sequences() {
    let mut scratch = [0u8; 128];
    let msg1 = [
        0x03, 0x82, 0x06, 0x02, 0x42, 0xaa, 0xbb, 0x37, 0xa1, 0x04, 0x41, 0x32, 0x63, b'x', b'y',
        b'z',
    ];
    let n = crate::__fuzz::cbor::reencode_sequence(&msg1, &mut scratch);
    assert_eq!(n.and_then(|n| scratch.get(..n)), Some(&msg1[..]));
    // 3 in a two-byte head: not the shortest form, rejected
    assert_eq!(
        crate::__fuzz::cbor::reencode_sequence(&[0x19, 0x00, 0x03], &mut scratch),
        None
    );
    assert_eq!(crate::__fuzz::cbor::skip_sequence(&msg1), Some(6));
    assert_eq!(
        crate::__fuzz::cbor::skip_sequence(&[0x19, 0x00, 0x03]),
        None
    );
}

#[test]
fn fuzz_entry_round_trips_values() {
    use crate::__fuzz::cbor::{Value, roundtrip_values};
    roundtrip_values(&[
        Value::Uint(u64::MAX),
        Value::Int(i64::MIN),
        Value::Bstr(&[0x2b]),
        Value::Tstr("iomt"),
        Value::Array(2),
        Value::Map(300),
        Value::Bool(true),
        Value::Identifier(&[0x2b]),
        Value::Identifier(&[0x18]),
        Value::Bstr(&[0; 600]), // does not fit: the round trip stops before it
        Value::Uint(1),
    ]);
}

proptest! {
    #[test]
    fn int_roundtrip(v in any::<i64>()) {
        let (buf, n) = enc(|e| e.int(v));
        let mut d = Decoder::new(&buf[..n]);
        prop_assert_eq!(d.int().unwrap(), v);
        prop_assert!(d.finish().is_ok());
        let arg = if v < 0 { v.unsigned_abs() - 1 } else { v.unsigned_abs() };
        prop_assert_eq!(n, head_len(arg));
    }

    #[test]
    fn bstr_roundtrip(v in proptest::collection::vec(any::<u8>(), 0..40)) {
        let (buf, n) = enc(|e| e.bstr(&v));
        prop_assert_eq!(n, bstr_len(v.len()));
        let mut d = Decoder::new(&buf[..n]);
        prop_assert_eq!(d.bstr().unwrap(), &v[..]);
    }

    #[test]
    fn decoder_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut scratch = [0u8; 128];
        let _ = crate::__fuzz::cbor::reencode_sequence(&data, &mut scratch);
        let _ = crate::__fuzz::cbor::skip_sequence(&data);
        let mut d = Decoder::new(&data);
        let _ = d.bstr_identifier();
    }
}

#[test]
fn skipped_maps_must_be_deterministic() {
    // {1: 0, 2: 0} in order
    assert!(
        Decoder::new(&[0xa2, 0x01, 0x00, 0x02, 0x00])
            .skip_item()
            .is_ok()
    );
    // negative keys sort after positive ones bytewise: {1: 0, -1: 0}
    assert!(
        Decoder::new(&[0xa2, 0x01, 0x00, 0x20, 0x00])
            .skip_item()
            .is_ok()
    );
    assert_eq!(
        Decoder::new(&[0xa2, 0x02, 0x00, 0x01, 0x00])
            .skip_item()
            .unwrap_err(),
        CborError::UnsortedMapKeys
    );
    assert_eq!(
        Decoder::new(&[0xa2, 0x01, 0x00, 0x01, 0x00])
            .skip_item()
            .unwrap_err(),
        CborError::DuplicateMapKey
    );
    // the duplicate hides one level down: [{"a": 1, "a": 2}]
    assert_eq!(
        Decoder::new(&[0x81, 0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x02])
            .skip_item()
            .unwrap_err(),
        CborError::DuplicateMapKey
    );
    // container keys are compared by their whole encoding: {[1]: 0, [1]: 0}
    assert_eq!(
        Decoder::new(&[0xa2, 0x81, 0x01, 0x00, 0x81, 0x01, 0x00])
            .skip_item()
            .unwrap_err(),
        CborError::DuplicateMapKey
    );
    // {[1]: 0, [2]: 0} and a tagged key {1(0): 0, 2: 0}... bytewise c1 00 > 02
    assert!(
        Decoder::new(&[0xa2, 0x81, 0x01, 0x00, 0x81, 0x02, 0x00])
            .skip_item()
            .is_ok()
    );
    assert!(
        Decoder::new(&[0xa2, 0x02, 0x00, 0xc1, 0x00, 0x00])
            .skip_item()
            .is_ok()
    );
    // values are not keys: {1: 5, 2: 5} is fine although the values repeat
    let mut d = Decoder::new(&[0xa2, 0x01, 0x05, 0x02, 0x05, 0x07]);
    assert_eq!(d.skip_item().unwrap(), &[0xa2, 0x01, 0x05, 0x02, 0x05]);
    assert_eq!(d.rest(), &[0x07]);
}

#[test]
fn nesting_is_bounded() {
    let nested = |depth: usize| {
        let mut v = vec![0x81u8; depth];
        v.push(0x00);
        v
    };
    assert!(Decoder::new(&nested(MAX_DEPTH)).skip_item().is_ok());
    assert_eq!(
        Decoder::new(&nested(MAX_DEPTH + 1))
            .skip_item()
            .unwrap_err(),
        CborError::TooDeep
    );
    // the attack from the AAA review: 3,000 nested arrays
    assert_eq!(
        Decoder::new(&nested(3000)).skip_item().unwrap_err(),
        CborError::TooDeep
    );
    // maps and tags count too: {1: [ ... ]} with tags
    let mut mixed = vec![0xa1, 0x01];
    mixed.extend([0xc6, 0x81].repeat(MAX_DEPTH / 2));
    mixed.push(0x00);
    assert_eq!(
        Decoder::new(&mixed).skip_item().unwrap_err(),
        CborError::TooDeep
    );
}

#[test]
fn map_keys_reads_labels_in_order() {
    let data = [0x01, 0x02, 0x02, 0x20];
    let mut d = Decoder::new(&data);
    let mut keys = MapKeys::new();
    assert_eq!(keys.int(&mut d).unwrap(), 1);
    assert_eq!(keys.int(&mut d).unwrap(), 2);
    assert_eq!(keys.int(&mut d).unwrap_err(), CborError::DuplicateMapKey);
    let mut keys = MapKeys::new();
    keys.check(&[0x20]).unwrap();
    assert_eq!(keys.check(&[0x01]).unwrap_err(), CborError::UnsortedMapKeys);
}
