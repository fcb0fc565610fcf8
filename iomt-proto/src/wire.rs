//! The frame header: a zero-copy view ([`Frame`]) and a parsed representation ([`FrameRepr`]).
//!
//! ```text
//!  byte 0                byte 1            byte 2              bytes 3..3+L
//! +----+------+----+---+-----------------+---------+---------+------------------+
//! |Ver | Type |SqL |R  | Connection id   | Epoch   | Slot    | Sequence number  |
//! |2 b | 3 b  |2 b |1 b| 8 b             | 4 b     | 4 b     | L = SqL+1 bytes  |
//! +----+------+----+---+-----------------+---------+---------+------------------+
//! followed by the AEAD ciphertext and the tag (16 bytes ChaCha20-Poly1305, 8 bytes CCM).
//! ```
//! - `Ver` is [`VERSION`] (`0b01`); anything else is [`WireError::UnsupportedVersion`].
//! - `Type` is a [`FrameType`]; unknown values are [`WireError::UnknownFrameType`].
//! - `SqL` + 1 is the length of the big-endian sequence number (1–4 bytes); the encoding
//!   must be minimal (no leading zero byte unless the number is 0 and `SqL` = 0).
//! - `R` is reserved and must be zero.
//! - `Epoch` is the sender's key epoch modulo 16 (see [`crate::channel`]).
//! - `Slot` is the consent slot 0–14, or [`NO_SLOT`] (15) for "no consent tag".
//!
//! The header is 4 to 7 bytes ([`MIN_HEADER_LEN`], [`MAX_HEADER_LEN`]). It is sent in
//! clear and authenticated as the first part of the AEAD associated data.
//!
//! # Invariants
//! After [`Frame::check_len`] returns `Ok`, no getter panics and every getter reads only
//! inside the buffer. [`Frame::new_checked`] is required for untrusted input; it must
//! not be used on a buffer being emitted into (use [`Frame::new_unchecked`] there, after
//! sizing it with [`FrameRepr::buffer_len`]). [`FrameRepr::emit`] cannot panic when the
//! buffer is at least [`FrameRepr::buffer_len`] bytes long.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

/// The protocol version carried in the two top bits of byte 0.
pub const VERSION: u8 = 1;
/// The slot value meaning "this frame is bound to no consent tag".
pub const NO_SLOT: u8 = 0x0F;
/// The shortest header (sequence number < 256).
pub const MIN_HEADER_LEN: usize = 4;
/// The longest header (sequence number ≥ 2^24).
pub const MAX_HEADER_LEN: usize = 7;

/// Byte offsets and bit masks of the header fields.
pub(crate) mod field {
    /// A byte range in the frame.
    pub(crate) type Field = core::ops::Range<usize>;
    /// Byte 0: version, frame type, sequence-number length, reserved bit.
    pub(crate) const FLAGS: usize = 0;
    /// Byte 1: connection id.
    pub(crate) const CONN_ID: usize = 1;
    /// Byte 2: key epoch (high nibble) and consent slot (low nibble).
    pub(crate) const EPOCH_SLOT: usize = 2;
    /// Start of the sequence number.
    pub(crate) const SEQ_START: usize = 3;
    /// The sequence number field for an encoded length `len` (1–4).
    #[must_use]
    pub(crate) const fn seq(len: usize) -> Field {
        SEQ_START..SEQ_START.saturating_add(len)
    }
    /// Everything after a header of `header_len` bytes (ciphertext and tag).
    #[must_use]
    pub(crate) const fn body(header_len: usize) -> core::ops::RangeFrom<usize> {
        header_len..
    }
    /// Version mask in byte 0 (shift 6).
    pub(crate) const VERSION_MASK: u8 = 0b1100_0000;
    /// Frame-type mask in byte 0 (shift 3).
    pub(crate) const TYPE_MASK: u8 = 0b0011_1000;
    /// Sequence-length mask in byte 0 (shift 1).
    pub(crate) const SEQ_LEN_MASK: u8 = 0b0000_0110;
    /// Reserved bit in byte 0.
    pub(crate) const RESERVED_MASK: u8 = 0b0000_0001;
}

/// The frame type (3 bits on the wire). Unknown values are kept as `Unknown(u8)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FrameType {
    /// Application data: a postcard-encoded [`crate::payload`] message.
    Data,
    /// Installs a consent tag (the payload) in the slot named by the header.
    Consent,
    /// Closes the session; the payload is a postcard-encoded close reason.
    Close,
    /// A value this version does not define.
    Unknown(u8),
}

impl FrameType {
    /// The 3-bit wire value.
    #[must_use]
    pub const fn to_bits(self) -> u8 {
        match self {
            Self::Data => 0,
            Self::Consent => 1,
            Self::Close => 2,
            Self::Unknown(v) => v & 0x07,
        }
    }

    /// The frame type for a 3-bit wire value.
    #[must_use]
    pub const fn from_bits(v: u8) -> Self {
        match v & 0x07 {
            0 => Self::Data,
            1 => Self::Consent,
            2 => Self::Close,
            other => Self::Unknown(other),
        }
    }
}

/// The minimal number of bytes (1–4) that encode `seq` big-endian.
#[must_use]
pub const fn seq_len(seq: u32) -> usize {
    if seq < 0x100 {
        1
    } else if seq < 0x1_0000 {
        2
    } else if seq < 0x100_0000 {
        3
    } else {
        4
    }
}

/// A read/write view of a frame buffer (smoltcp style).
///
/// # Example
/// ```
/// use iomt_proto::wire::{Frame, FrameRepr, FrameType};
/// let bytes = [0x40, 0x07, 0x2F, 0x05, 0xAA, 0xBB];
/// let frame = Frame::new_checked(&bytes[..])?;
/// assert_eq!(frame.conn_id(), 7);
/// assert_eq!(frame.seq(), 5);
/// assert_eq!(frame.body(), &[0xAA, 0xBB]);
/// let repr = FrameRepr::parse(&frame)?;
/// assert_eq!(repr.frame_type, FrameType::Data);
/// assert_eq!(repr.slot, None);
/// # Ok::<(), iomt_proto::wire::WireError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

pub use crate::error::WireError;

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking it. Use for emitting; getters may panic on a
    /// short buffer, so untrusted input must go through [`Frame::new_checked`].
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a buffer after [`Frame::check_len`].
    ///
    /// # Errors
    /// [`WireError::Truncated`] if the buffer is shorter than its own header.
    pub fn new_checked(buffer: T) -> Result<Self, WireError> {
        let frame = Self::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Checks that the buffer holds the whole header that its first byte announces.
    ///
    /// # Errors
    /// [`WireError::Truncated`] if it does not.
    pub fn check_len(&self) -> Result<(), WireError> {
        let data = self.buffer.as_ref();
        let first = data.first().ok_or(WireError::Truncated)?;
        let header_len = header_len_from_flags(*first);
        if data.len() < header_len {
            return Err(WireError::Truncated);
        }
        Ok(())
    }

    /// Consumes the view, returning the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn byte(&self, index: usize) -> u8 {
        self.buffer.as_ref().get(index).copied().unwrap_or(0)
    }

    /// The version bits.
    #[must_use]
    pub fn version(&self) -> u8 {
        (self.byte(field::FLAGS) & field::VERSION_MASK) >> 6
    }

    /// The frame type.
    #[must_use]
    pub fn frame_type(&self) -> FrameType {
        FrameType::from_bits((self.byte(field::FLAGS) & field::TYPE_MASK) >> 3)
    }

    /// The encoded length of the sequence number (1–4).
    #[must_use]
    pub fn seq_len(&self) -> usize {
        usize::from((self.byte(field::FLAGS) & field::SEQ_LEN_MASK) >> 1).saturating_add(1)
    }

    /// Whether the reserved bit is set.
    #[must_use]
    pub fn reserved_bit(&self) -> bool {
        self.byte(field::FLAGS) & field::RESERVED_MASK != 0
    }

    /// The connection id.
    #[must_use]
    pub fn conn_id(&self) -> u8 {
        self.byte(field::CONN_ID)
    }

    /// The key epoch modulo 16.
    #[must_use]
    pub fn epoch_bits(&self) -> u8 {
        self.byte(field::EPOCH_SLOT) >> 4
    }

    /// The raw consent slot nibble (15 = none).
    #[must_use]
    pub fn slot_bits(&self) -> u8 {
        self.byte(field::EPOCH_SLOT) & 0x0F
    }

    /// The sequence number.
    #[must_use]
    pub fn seq(&self) -> u32 {
        let range = field::seq(self.seq_len());
        self.buffer
            .as_ref()
            .get(range)
            .unwrap_or(&[])
            .iter()
            .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
    }

    /// The header length (3 + sequence-number length).
    #[must_use]
    pub fn header_len(&self) -> usize {
        field::SEQ_START.saturating_add(self.seq_len())
    }

    /// The header bytes.
    #[must_use]
    pub fn header(&self) -> &[u8] {
        self.buffer.as_ref().get(..self.header_len()).unwrap_or(&[])
    }

    /// Everything after the header: ciphertext followed by the tag.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(field::body(self.header_len()))
            .unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    fn set_byte(&mut self, index: usize, value: u8) {
        if let Some(b) = self.buffer.as_mut().get_mut(index) {
            *b = value;
        }
    }

    /// Writes byte 0 from its parts (sequence length 1–4).
    pub fn set_flags(&mut self, frame_type: FrameType, seq_len: usize) {
        let sql = u8::try_from(seq_len.clamp(1, 4).saturating_sub(1)).unwrap_or(0);
        self.set_byte(
            field::FLAGS,
            (VERSION << 6) | (frame_type.to_bits() << 3) | (sql << 1),
        );
    }

    /// Sets the connection id.
    pub fn set_conn_id(&mut self, value: u8) {
        self.set_byte(field::CONN_ID, value);
    }

    /// Sets the epoch nibble and slot nibble.
    pub fn set_epoch_slot(&mut self, epoch_bits: u8, slot_bits: u8) {
        self.set_byte(
            field::EPOCH_SLOT,
            ((epoch_bits & 0x0F) << 4) | (slot_bits & 0x0F),
        );
    }

    /// Writes the sequence number in `self.seq_len()` bytes (set the flags first).
    pub fn set_seq(&mut self, seq: u32) {
        let len = self.seq_len();
        let bytes = seq.to_be_bytes();
        let src = bytes.get(4usize.saturating_sub(len)..).unwrap_or(&[]);
        if let Some(dst) = self.buffer.as_mut().get_mut(field::seq(len))
            && dst.len() == src.len()
        {
            dst.copy_from_slice(src);
        }
    }

    /// The body (ciphertext ‖ tag), mutable.
    pub fn body_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        self.buffer
            .as_mut()
            .get_mut(field::body(start))
            .unwrap_or(&mut [])
    }
}

fn header_len_from_flags(flags: u8) -> usize {
    field::SEQ_START
        .saturating_add(usize::from((flags & field::SEQ_LEN_MASK) >> 1))
        .saturating_add(1)
}

/// A parsed, validated frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FrameRepr {
    /// The frame type (never `Unknown` after [`FrameRepr::parse`]).
    pub frame_type: FrameType,
    /// The connection id.
    pub conn_id: u8,
    /// The key epoch modulo 16 (0–15).
    pub epoch_bits: u8,
    /// The consent slot (0–14), or `None`.
    pub slot: Option<u8>,
    /// The sequence number.
    pub seq: u32,
}

impl FrameRepr {
    /// Parses and validates the header of a checked frame.
    ///
    /// # Errors
    /// [`WireError`] for a wrong version, an unknown frame type, a set reserved bit, a
    /// non-minimal sequence number, or a truncated header.
    pub fn parse<T: AsRef<[u8]>>(frame: &Frame<T>) -> Result<Self, WireError> {
        frame.check_len()?;
        if frame.version() != VERSION {
            return Err(WireError::UnsupportedVersion(frame.version()));
        }
        if frame.reserved_bit() {
            return Err(WireError::ReservedBitSet);
        }
        let frame_type = frame.frame_type();
        if let FrameType::Unknown(v) = frame_type {
            return Err(WireError::UnknownFrameType(v));
        }
        let seq = frame.seq();
        if seq_len(seq) != frame.seq_len() {
            return Err(WireError::NonMinimalSequence);
        }
        let slot_bits = frame.slot_bits();
        Ok(Self {
            frame_type,
            conn_id: frame.conn_id(),
            epoch_bits: frame.epoch_bits(),
            slot: (slot_bits != NO_SLOT).then_some(slot_bits),
            seq,
        })
    }

    /// The header length this representation emits (4–7 bytes).
    #[must_use]
    pub const fn buffer_len(&self) -> usize {
        field::SEQ_START.saturating_add(seq_len(self.seq))
    }

    /// Writes the header into the start of `frame`.
    ///
    /// Cannot panic; if the buffer is shorter than [`FrameRepr::buffer_len`] the header
    /// is incomplete (callers size the buffer first).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, frame: &mut Frame<T>) {
        frame.set_flags(self.frame_type, seq_len(self.seq));
        frame.set_conn_id(self.conn_id);
        frame.set_epoch_slot(self.epoch_bits, self.slot.unwrap_or(NO_SLOT));
        frame.set_seq(self.seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static DATA_SEQ5: [u8; 6] = [0x40, 0x07, 0x2F, 0x05, 0xAA, 0xBB];
    static CONSENT_SEQ_LONG: [u8; 7] = [0x4E, 0xFE, 0x31, 0x01, 0x02, 0x03, 0x04];

    #[test]
    fn deconstruct() {
        let f = Frame::new_checked(&DATA_SEQ5[..]).unwrap();
        assert_eq!(f.version(), 1);
        assert_eq!(f.frame_type(), FrameType::Data);
        assert_eq!(f.seq_len(), 1);
        assert_eq!(f.conn_id(), 7);
        assert_eq!(f.epoch_bits(), 2);
        assert_eq!(f.slot_bits(), 0xF);
        assert_eq!(f.seq(), 5);
        assert_eq!(f.header(), &DATA_SEQ5[..4]);
        assert_eq!(f.body(), &[0xAA, 0xBB]);

        let f = Frame::new_checked(&CONSENT_SEQ_LONG[..]).unwrap();
        assert_eq!(f.frame_type(), FrameType::Consent);
        assert_eq!(f.seq_len(), 4);
        assert_eq!(f.conn_id(), 0xFE);
        assert_eq!(f.epoch_bits(), 3);
        assert_eq!(f.slot_bits(), 1);
        assert_eq!(f.seq(), 0x0102_0304);
        assert!(f.body().is_empty());
    }

    #[test]
    fn construct() {
        let repr = FrameRepr {
            frame_type: FrameType::Consent,
            conn_id: 0xFE,
            epoch_bits: 3,
            slot: Some(1),
            seq: 0x0102_0304,
        };
        let mut buf = [0xa5u8; 7];
        assert_eq!(repr.buffer_len(), 7);
        repr.emit(&mut Frame::new_unchecked(&mut buf[..]));
        assert_eq!(buf, CONSENT_SEQ_LONG);
    }

    #[test]
    fn parse_emit_round_trip() {
        let f = Frame::new_checked(&DATA_SEQ5[..]).unwrap();
        let repr = FrameRepr::parse(&f).unwrap();
        let mut buf = [0xa5u8; 4];
        repr.emit(&mut Frame::new_unchecked(&mut buf[..]));
        assert_eq!(buf, DATA_SEQ5[..4]);
    }

    #[test]
    fn impossible_len() {
        assert_eq!(Frame::new_checked(&[][..]), Err(WireError::Truncated));
        assert_eq!(
            Frame::new_checked(&[0x40, 1, 2][..]),
            Err(WireError::Truncated)
        );
        assert_eq!(
            Frame::new_checked(&CONSENT_SEQ_LONG[..6]),
            Err(WireError::Truncated)
        );
    }

    #[test]
    fn rejects_bad_headers() {
        let bad = |b: [u8; 4]| FrameRepr::parse(&Frame::new_checked(&b[..]).unwrap());
        assert_eq!(
            bad([0x00, 0, 0xF, 0]),
            Err(WireError::UnsupportedVersion(0))
        );
        assert_eq!(
            bad([0xC0, 0, 0xF, 0]),
            Err(WireError::UnsupportedVersion(3))
        );
        assert_eq!(bad([0x41, 0, 0xF, 0]), Err(WireError::ReservedBitSet));
        assert_eq!(bad([0x58, 0, 0xF, 0]), Err(WireError::UnknownFrameType(3)));
        assert_eq!(bad([0x78, 0, 0xF, 0]), Err(WireError::UnknownFrameType(7)));
        // 2-byte sequence number 0x0005 is non-minimal.
        let b = [0x42, 0, 0xF, 0, 5];
        assert_eq!(
            FrameRepr::parse(&Frame::new_checked(&b[..]).unwrap()),
            Err(WireError::NonMinimalSequence)
        );
    }

    #[test]
    fn seq_len_boundaries() {
        for (seq, len) in [
            (0, 1),
            (0xFF, 1),
            (0x100, 2),
            (0xFFFF, 2),
            (0x1_0000, 3),
            (0xFF_FFFF, 3),
            (0x100_0000, 4),
            (u32::MAX, 4),
        ] {
            assert_eq!(seq_len(seq), len, "{seq:#x}");
            let repr = FrameRepr {
                frame_type: FrameType::Close,
                conn_id: 9,
                epoch_bits: 15,
                slot: None,
                seq,
            };
            let mut buf = [0xa5u8; MAX_HEADER_LEN];
            repr.emit(&mut Frame::new_unchecked(&mut buf[..]));
            let f = Frame::new_checked(&buf[..repr.buffer_len()]).unwrap();
            assert_eq!(FrameRepr::parse(&f).unwrap(), repr);
        }
    }
}
