//! A small, strict subset of deterministic CBOR (RFC 8949 §4.2.1) for EDHOC.
//!
//! # Invariants
//! - [`Encoder`] always emits the shortest ("preferred") head encoding and never an
//!   indefinite length; it never writes past its buffer and reports
//!   [`CborError::BufferTooSmall`] instead.
//! - [`Decoder`] accepts only definite lengths with the shortest head encoding, rejects
//!   reserved additional-information values (28–30), indefinite lengths (31), floats,
//!   and integers outside `i64`. Nothing in this module can panic on any input: all
//!   indexing goes through `get`/`split_at_checked` and all arithmetic is checked.
//! - Maps are deterministic: keys strictly increase in the bytewise order of their
//!   encodings (RFC 8949 §4.2.1), so a duplicate or out-of-order key is an error —
//!   [`CborError::DuplicateMapKey`] / [`CborError::UnsortedMapKeys`] — in every map the
//!   library reads, including maps it only skips (unknown claims). Callers that read a map
//!   key by key use [`MapKeys`]; [`Decoder::skip_item`] checks the maps it skips.
//! - Nesting (arrays, maps, tags) deeper than [`MAX_DEPTH`] is [`CborError::TooDeep`].
//!   Skipping is iterative over a fixed `[_; MAX_DEPTH]` stack: no recursion, bounded stack.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_crypto::copy_prefix;

/// Why CBOR could not be decoded or encoded.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CborError {
    /// The input ended inside a data item.
    Truncated,
    /// A head uses a longer encoding than necessary (not deterministic).
    NonDeterministic,
    /// An indefinite-length item or a break byte.
    Indefinite,
    /// Reserved additional information (28–30) or an unsupported simple/float value.
    Unsupported,
    /// A data item of another major type than expected.
    UnexpectedType,
    /// An integer or length outside the supported range.
    Overflow,
    /// Bytes left after the expected items.
    TrailingBytes,
    /// A text string that is not valid UTF-8.
    InvalidUtf8,
    /// Arrays, maps and tags nested deeper than 8 levels.
    TooDeep,
    /// A map key equal to the previous key of the same map.
    DuplicateMapKey,
    /// A map key that sorts before the previous key of the same map (RFC 8949 §4.2.1
    /// bytewise order of the encoded keys).
    UnsortedMapKeys,
    /// The output buffer is too small (encoder only).
    BufferTooSmall {
        /// Bytes that would be needed in total.
        needed: usize,
    },
}

impl fmt::Display for CborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("truncated"),
            Self::NonDeterministic => f.write_str("non-deterministic encoding"),
            Self::Indefinite => f.write_str("indefinite length"),
            Self::Unsupported => f.write_str("unsupported encoding"),
            Self::UnexpectedType => f.write_str("unexpected type"),
            Self::Overflow => f.write_str("integer or length overflow"),
            Self::TrailingBytes => f.write_str("trailing bytes"),
            Self::InvalidUtf8 => f.write_str("invalid UTF-8"),
            Self::TooDeep => f.write_str("nesting too deep"),
            Self::DuplicateMapKey => f.write_str("duplicate map key"),
            Self::UnsortedMapKeys => f.write_str("map keys out of order"),
            Self::BufferTooSmall { needed } => write!(f, "buffer too small ({needed} needed)"),
        }
    }
}

/// Maximum nesting of arrays, maps and tags accepted by [`Decoder::skip_item`]. EDHOC's
/// deepest structure, a CCS (claims map → `cnf` map → COSE_Key map), needs 3.
pub(crate) const MAX_DEPTH: usize = 8;

mod strict;
pub(crate) use strict::MapKeys;

/// CBOR major types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Major {
    /// 0: unsigned integer.
    Uint,
    /// 1: negative integer.
    Nint,
    /// 2: byte string.
    Bstr,
    /// 3: text string.
    Tstr,
    /// 4: array.
    Array,
    /// 5: map.
    Map,
    /// 6: tag.
    Tag,
    /// 7: simple values and floats.
    Simple,
}

impl Major {
    const fn from_initial(b: u8) -> Self {
        match b >> 5 {
            0 => Self::Uint,
            1 => Self::Nint,
            2 => Self::Bstr,
            3 => Self::Tstr,
            4 => Self::Array,
            5 => Self::Map,
            6 => Self::Tag,
            _ => Self::Simple,
        }
    }
    const fn bits(self) -> u8 {
        (self as u8) << 5
    }
}

/// `true` if `b` is the one-byte CBOR encoding of an integer in −24..=23
/// (0x00–0x17 or 0x20–0x37), the RFC 9528 §3.3.2 integer representation of byte strings.
#[must_use]
pub(crate) const fn is_one_byte_int(b: u8) -> bool {
    b <= 0x17 || (b >= 0x20 && b <= 0x37)
}

/// Length of the head for an argument `arg`.
#[must_use]
pub(crate) const fn head_len(arg: u64) -> usize {
    if arg < 24 {
        1
    } else if arg <= 0xff {
        2
    } else if arg <= 0xffff {
        3
    } else if arg <= 0xffff_ffff {
        5
    } else {
        9
    }
}

/// Encoded length of a byte string of `len` bytes.
#[must_use]
pub(crate) const fn bstr_len(len: usize) -> usize {
    head_len(len as u64).saturating_add(len)
}

/// Deterministic CBOR writer into a caller buffer.
#[derive(Debug)]
pub(crate) struct Encoder<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Encoder<'a> {
    /// A writer at the start of `buf`.
    pub(crate) const fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes written so far.
    #[must_use]
    pub(crate) const fn len(&self) -> usize {
        self.pos
    }

    /// The bytes written so far.
    #[must_use]
    pub(crate) fn written(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or(&[])
    }

    /// Appends raw bytes (an already encoded item or sequence).
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`] if they do not fit.
    pub(crate) fn raw(&mut self, data: &[u8]) -> Result<(), CborError> {
        let end = self
            .pos
            .checked_add(data.len())
            .ok_or(CborError::Overflow)?;
        let dst = self.buf.get_mut(self.pos..).unwrap_or_default();
        if !copy_prefix(dst, data) {
            return Err(CborError::BufferTooSmall { needed: end });
        }
        self.pos = end;
        Ok(())
    }

    fn head(&mut self, major: Major, arg: u64) -> Result<(), CborError> {
        let m = major.bits();
        let mut tmp = [0u8; 9];
        let n = head_len(arg);
        let bytes = arg.to_be_bytes();
        let (first, rest) = tmp.split_at_mut(1);
        let ai = match n {
            1 => arg.to_be_bytes().last().copied().unwrap_or(0),
            2 => 24,
            3 => 25,
            5 => 26,
            _ => 27,
        };
        if let Some(f) = first.first_mut() {
            *f = m | ai;
        }
        let tail_len = n.saturating_sub(1);
        if let Some(src) = bytes.get(bytes.len().saturating_sub(tail_len)..) {
            let _fits = copy_prefix(rest, src); // at most 8 bytes into 8
        }
        self.raw(tmp.get(..n).unwrap_or(&[]))
    }

    /// Writes an unsigned integer.
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn uint(&mut self, v: u64) -> Result<(), CborError> {
        self.head(Major::Uint, v)
    }

    /// Writes a signed integer.
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn int(&mut self, v: i64) -> Result<(), CborError> {
        if v >= 0 {
            self.head(Major::Uint, v.unsigned_abs())
        } else {
            // -1 - v = |v| - 1 for negative v.
            self.head(Major::Nint, v.unsigned_abs().saturating_sub(1))
        }
    }

    /// Writes a byte string.
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn bstr(&mut self, data: &[u8]) -> Result<(), CborError> {
        self.head(Major::Bstr, data.len() as u64)?;
        self.raw(data)
    }

    /// Writes only the head of a byte string of `len` bytes (content follows via [`Self::raw`]).
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn bstr_header(&mut self, len: usize) -> Result<(), CborError> {
        self.head(Major::Bstr, len as u64)
    }

    /// Writes a text string.
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn tstr(&mut self, s: &str) -> Result<(), CborError> {
        self.head(Major::Tstr, s.len() as u64)?;
        self.raw(s.as_bytes())
    }

    /// Writes an array head for `n` items.
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn array(&mut self, n: usize) -> Result<(), CborError> {
        self.head(Major::Array, n as u64)
    }

    /// Writes a map head for `n` pairs.
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn map(&mut self, n: usize) -> Result<(), CborError> {
        self.head(Major::Map, n as u64)
    }

    /// Writes `true` or `false`.
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn bool(&mut self, v: bool) -> Result<(), CborError> {
        self.raw(&[if v { 0xf5 } else { 0xf4 }])
    }

    /// Writes a byte-string identifier in the RFC 9528 §3.3.2 representation: a one-byte
    /// string whose byte is a one-byte CBOR integer is written as that byte, others as bstr.
    ///
    /// # Errors
    /// [`CborError::BufferTooSmall`].
    pub(crate) fn bstr_identifier(&mut self, id: &[u8]) -> Result<(), CborError> {
        match id {
            [b] if is_one_byte_int(*b) => self.raw(&[*b]),
            _ => self.bstr(id),
        }
    }
}

/// Strict deterministic CBOR reader over untrusted bytes.
#[derive(Debug, Clone)]
pub(crate) struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    /// A reader at the start of `data`.
    #[must_use]
    pub(crate) const fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Current offset in the input.
    #[must_use]
    pub(crate) const fn position(&self) -> usize {
        self.pos
    }

    /// The unread input.
    #[must_use]
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    /// `true` if all input was consumed.
    #[must_use]
    pub(crate) const fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Fails with [`CborError::TrailingBytes`] unless all input was consumed.
    ///
    /// # Errors
    /// [`CborError::TrailingBytes`].
    pub(crate) const fn finish(&self) -> Result<(), CborError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(CborError::TrailingBytes)
        }
    }

    /// The major type of the next item, without consuming it.
    ///
    /// # Errors
    /// [`CborError::Truncated`] at the end of input.
    pub(crate) fn peek_major(&self) -> Result<Major, CborError> {
        self.data
            .get(self.pos)
            .map(|b| Major::from_initial(*b))
            .ok_or(CborError::Truncated)
    }

    /// The next initial byte, without consuming it.
    #[must_use]
    pub(crate) fn peek_byte(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self.pos.checked_add(n).ok_or(CborError::Overflow)?;
        let s = self.data.get(self.pos..end).ok_or(CborError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    /// Reads a head: (major, argument). Rejects indefinite, reserved and overlong heads.
    fn head(&mut self) -> Result<(Major, u64), CborError> {
        let [ib] = *self
            .take(1)?
            .first_chunk::<1>()
            .ok_or(CborError::Truncated)?;
        let major = Major::from_initial(ib);
        let ai = ib & 0x1f;
        let arg = match ai {
            0..=23 => u64::from(ai),
            24 => {
                let [b] = *self
                    .take(1)?
                    .first_chunk::<1>()
                    .ok_or(CborError::Truncated)?;
                if b < 24 {
                    return Err(CborError::NonDeterministic);
                }
                u64::from(b)
            }
            25 => {
                let b = *self
                    .take(2)?
                    .first_chunk::<2>()
                    .ok_or(CborError::Truncated)?;
                let v = u64::from(u16::from_be_bytes(b));
                if v <= 0xff {
                    return Err(CborError::NonDeterministic);
                }
                v
            }
            26 => {
                let b = *self
                    .take(4)?
                    .first_chunk::<4>()
                    .ok_or(CborError::Truncated)?;
                let v = u64::from(u32::from_be_bytes(b));
                if v <= 0xffff {
                    return Err(CborError::NonDeterministic);
                }
                v
            }
            27 => {
                let b = *self
                    .take(8)?
                    .first_chunk::<8>()
                    .ok_or(CborError::Truncated)?;
                let v = u64::from_be_bytes(b);
                if v <= 0xffff_ffff {
                    return Err(CborError::NonDeterministic);
                }
                v
            }
            31 => return Err(CborError::Indefinite),
            _ => return Err(CborError::Unsupported),
        };
        if major == Major::Simple && ai >= 24 {
            // floats and two-byte simple values are not used by EDHOC
            return Err(CborError::Unsupported);
        }
        Ok((major, arg))
    }

    fn len_of(&mut self, expected: Major) -> Result<usize, CborError> {
        let save = self.pos;
        let (m, arg) = self.head()?;
        if m != expected {
            self.pos = save;
            return Err(CborError::UnexpectedType);
        }
        usize::try_from(arg).map_err(|_| CborError::Overflow)
    }

    /// Reads a signed integer (major 0 or 1) that fits `i64`.
    ///
    /// # Errors
    /// [`CborError::UnexpectedType`], [`CborError::Overflow`], malformed heads.
    pub(crate) fn int(&mut self) -> Result<i64, CborError> {
        let save = self.pos;
        let (m, arg) = self.head()?;
        let v = match m {
            Major::Uint => i64::try_from(arg).map_err(|_| CborError::Overflow)?,
            Major::Nint => {
                let a = i64::try_from(arg).map_err(|_| CborError::Overflow)?;
                // -1 - a, cannot overflow for a in 0..=i64::MAX
                (-1i64).checked_sub(a).ok_or(CborError::Overflow)?
            }
            _ => {
                self.pos = save;
                return Err(CborError::UnexpectedType);
            }
        };
        Ok(v)
    }

    /// Reads an unsigned integer (major 0).
    ///
    /// # Errors
    /// [`CborError::UnexpectedType`] and malformed heads.
    pub(crate) fn uint(&mut self) -> Result<u64, CborError> {
        let save = self.pos;
        let (m, arg) = self.head()?;
        if m != Major::Uint {
            self.pos = save;
            return Err(CborError::UnexpectedType);
        }
        Ok(arg)
    }

    /// Reads a byte string and returns its content.
    ///
    /// # Errors
    /// [`CborError::UnexpectedType`], [`CborError::Truncated`], malformed heads.
    pub(crate) fn bstr(&mut self) -> Result<&'a [u8], CborError> {
        let n = self.len_of(Major::Bstr)?;
        self.take(n)
    }

    /// Reads a text string.
    ///
    /// # Errors
    /// As [`Self::bstr`], plus [`CborError::InvalidUtf8`].
    pub(crate) fn tstr(&mut self) -> Result<&'a str, CborError> {
        let n = self.len_of(Major::Tstr)?;
        let b = self.take(n)?;
        core::str::from_utf8(b).map_err(|_| CborError::InvalidUtf8)
    }

    /// Reads an array head and returns the item count.
    ///
    /// # Errors
    /// [`CborError::UnexpectedType`], malformed heads.
    pub(crate) fn array(&mut self) -> Result<usize, CborError> {
        self.len_of(Major::Array)
    }

    /// Reads a map head and returns the pair count.
    ///
    /// # Errors
    /// [`CborError::UnexpectedType`], malformed heads.
    pub(crate) fn map(&mut self) -> Result<usize, CborError> {
        self.len_of(Major::Map)
    }

    /// Reads `true` or `false`.
    ///
    /// # Errors
    /// [`CborError::UnexpectedType`].
    pub(crate) fn bool(&mut self) -> Result<bool, CborError> {
        match self.peek_byte() {
            Some(0xf4) => {
                self.pos = self.pos.saturating_add(1);
                Ok(false)
            }
            Some(0xf5) => {
                self.pos = self.pos.saturating_add(1);
                Ok(true)
            }
            Some(_) => Err(CborError::UnexpectedType),
            None => Err(CborError::Truncated),
        }
    }

    /// Reads a byte-string identifier in the RFC 9528 §3.3.2 representation and returns
    /// its byte-string value (a slice of the input).
    ///
    /// A one-byte integer (−24..=23) stands for the one-byte string holding that encoding;
    /// a byte string whose value would have that representation is rejected
    /// (`surplus_bstr_encoding_of_connection_identifier` in RFC 9529 §4).
    ///
    /// # Errors
    /// [`CborError::NonDeterministic`] for a surplus bstr encoding, [`CborError::UnexpectedType`]
    /// for other types or integers outside −24..=23.
    pub(crate) fn bstr_identifier(&mut self) -> Result<&'a [u8], CborError> {
        let b = self.peek_byte().ok_or(CborError::Truncated)?;
        if is_one_byte_int(b) {
            return self.take(1);
        }
        match Major::from_initial(b) {
            Major::Bstr => {
                let save = self.pos;
                let v = self.bstr()?;
                if let [one] = v
                    && is_one_byte_int(*one)
                {
                    self.pos = save;
                    return Err(CborError::NonDeterministic);
                }
                Ok(v)
            }
            _ => Err(CborError::UnexpectedType),
        }
    }
}

#[cfg(test)]
mod tests;
