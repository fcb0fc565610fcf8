//! Fuzz entry points for the strict deterministic CBOR subset (`crate::cbor`, which stays
//! crate-private): the `cbor_decode` fuzz target drives the decoder and encoder only
//! through these functions.
//!
//! Each function asserts the property named in its docs; an assertion failure is a bug
//! the fuzzer found. None of them panics for any other reason, on any input.

use crate::cbor::{CborError, Decoder, Encoder, Major, is_one_byte_int};

/// One value for [`roundtrip_values`], as the fuzz target generates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// An unsigned integer (`Encoder::uint`).
    Uint(u64),
    /// A signed integer (`Encoder::int`).
    Int(i64),
    /// A byte string.
    Bstr(&'a [u8]),
    /// A text string.
    Tstr(&'a str),
    /// An array head with this many items.
    Array(usize),
    /// A map head with this many pairs.
    Map(usize),
    /// `true` or `false`.
    Bool(bool),
    /// An EDHOC identifier (`Encoder::bstr_identifier`).
    Identifier(&'a [u8]),
}

/// Walks the CBOR sequence `data` item by item (containers by their heads) and re-encodes
/// every item into `out`; returns the length written, or `None` if the decoder rejected
/// the input.
///
/// # Panics
/// If an accepted item consumed nothing, an accepted negative integer is not negative,
/// a byte string read as an identifier means other bytes (except the surplus encoding
/// of a one-byte integer), or re-encoding an accepted item fails although `out` is at
/// least as long as `data`.
#[must_use]
pub fn reencode_sequence(data: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut d = Decoder::new(data);
    let mut e = Encoder::new(out);
    while !d.is_empty() {
        let before = d.position();
        let fallback = d.clone();
        let step: Result<Result<(), CborError>, CborError> = match (d.peek_byte(), d.peek_major()) {
            (Some(0xF4 | 0xF5), _) => d.bool().map(|v| e.bool(v)),
            (_, Ok(Major::Uint)) => d.uint().map(|v| e.uint(v)),
            (_, Ok(Major::Nint)) => match d.int() {
                Ok(v) => {
                    assert!(v < 0, "a negative integer decoded as {v}");
                    Ok(e.int(v))
                }
                // Valid CBOR below i64::MIN: only skip_item accepts it.
                Err(CborError::Overflow) => {
                    d = fallback;
                    d.skip_item().map(|raw| e.raw(raw))
                }
                Err(err) => Err(err),
            },
            (_, Ok(Major::Bstr)) => {
                let mut id = d.clone();
                d.bstr().map(|v| {
                    // As an identifier, a bstr means the same bytes, unless it is the
                    // surplus encoding of a one-byte integer.
                    match id.bstr_identifier() {
                        Ok(w) => {
                            assert_eq!(w, v, "identifier and bstr differ");
                            assert_eq!(id.position(), d.position(), "identifier length");
                        }
                        Err(_) => assert!(
                            matches!(v, [b] if is_one_byte_int(*b)),
                            "bstr {v:02x?} rejected as an identifier"
                        ),
                    }
                    e.bstr(v)
                })
            }
            (_, Ok(Major::Tstr)) => d.tstr().map(|v| e.tstr(v)),
            (_, Ok(Major::Array)) => d.array().map(|n| e.array(n)),
            (_, Ok(Major::Map)) => d.map().map(|n| e.map(n)),
            (_, Ok(Major::Tag | Major::Simple)) => d.skip_item().map(|raw| e.raw(raw)),
            (_, Err(err)) => Err(err),
        };
        assert!(d.position() <= data.len(), "decoder read past its input");
        match step {
            Ok(written) => {
                assert_eq!(written, Ok(()), "re-encoding an accepted item failed");
                assert!(d.position() > before, "an accepted item consumed nothing");
            }
            Err(_) => return None,
        }
    }
    assert!(d.finish().is_ok(), "finish after the last item");
    Some(e.len())
}

/// Skips every item of the sequence `data` (`Decoder::skip_item`); returns the number
/// of items, or `None` if one was rejected.
///
/// # Panics
/// If a skipped item's raw bytes are not exactly the input the decoder advanced over.
#[must_use]
pub fn skip_sequence(data: &[u8]) -> Option<usize> {
    let mut d = Decoder::new(data);
    let mut items = 0_usize;
    while !d.is_empty() {
        let start = d.position();
        let raw = d.skip_item().ok()?;
        assert_eq!(Some(raw), data.get(start..d.position()), "skipped bytes");
        items = items.saturating_add(1);
    }
    Some(items)
}

/// Size of the buffer [`roundtrip_values`] encodes into.
const VALUES_BUF_LEN: usize = 512;

/// `decode(encode(items)) == items` for as many items as fit a 512-byte buffer, and the
/// encoding is deterministic: [`reencode_sequence`] reproduces it exactly.
///
/// # Panics
/// If encoding fails other than for lack of space, a value decodes differently from
/// what was encoded, or the re-encoding differs.
pub fn roundtrip_values(items: &[Value<'_>]) {
    let mut buf = [0_u8; VALUES_BUF_LEN];
    let mut e = Encoder::new(&mut buf);
    let mut encoded = 0_usize;
    let mut len = 0;
    for item in items {
        let r = match *item {
            Value::Uint(v) => e.uint(v),
            Value::Int(v) => e.int(v),
            Value::Bstr(v) => e.bstr(v),
            Value::Tstr(v) => e.tstr(v),
            Value::Array(n) => e.array(n),
            Value::Map(n) => e.map(n),
            Value::Bool(v) => e.bool(v),
            Value::Identifier(v) => e.bstr_identifier(v),
        };
        if let Err(CborError::BufferTooSmall { needed }) = r {
            assert!(
                needed > VALUES_BUF_LEN,
                "BufferTooSmall with needed={needed}"
            );
            break;
        }
        assert_eq!(r, Ok(()), "encoding {item:?} failed");
        encoded = encoded.saturating_add(1);
        len = e.len();
    }
    // A failed write may leave a partial item after `len`; everything before it is whole.
    let bytes = e.written().get(..len).unwrap_or_default();
    let mut d = Decoder::new(bytes);
    for item in items.get(..encoded).unwrap_or_default() {
        let got = match item {
            Value::Uint(_) => d.uint().map(Value::Uint),
            Value::Int(_) => d.int().map(Value::Int),
            Value::Bstr(_) => d.bstr().map(Value::Bstr),
            Value::Tstr(_) => d.tstr().map(Value::Tstr),
            Value::Array(_) => d.array().map(Value::Array),
            Value::Map(_) => d.map().map(Value::Map),
            Value::Bool(_) => d.bool().map(Value::Bool),
            Value::Identifier(_) => d.bstr_identifier().map(Value::Identifier),
        };
        assert_eq!(got, Ok(*item), "round trip of {item:?} in {bytes:02x?}");
    }
    assert!(d.finish().is_ok(), "bytes left after the encoded values");
    // What the encoder wrote is deterministic, so the walker reproduces it exactly.
    let mut again = [0_u8; VALUES_BUF_LEN];
    if let Some(n) = reencode_sequence(bytes, &mut again) {
        assert_eq!(again.get(..n), Some(bytes), "re-encoding differs");
    }
}
