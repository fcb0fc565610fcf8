//! Fragmentation of frames and EDHOC messages for links with a small MTU (sans-IO).
//!
//! A *unit* (one frame, or one EDHOC message) longer than what one datagram carries
//! is split by a [`Fragmenter`] into fragments of at most `mtu` bytes, down to BLE's
//! default 20-byte ATT payload, and put back together by a [`Reassembler`] with a
//! fixed buffer of `CAP` bytes (no allocation). The transport glue is
//! `transport::Fragmented`; the wire format is in docs/PROTOCOL.md ("Fragmentation").
//!
//! ```text
//!  0        1        2        3
//! +--------+-+------+--------+--------+----------------------------+
//! |  unit  |L| index|   total length  | payload (1..=mtu-4 bytes)  |
//! +--------+-+------+--------+--------+----------------------------+
//! ```
//! - `unit` (u8): the sender's unit counter, +1 (mod 256) per unit. Newer/older is
//!   decided by serial-number arithmetic (RFC 1982): a unit up to 127 ahead is newer.
//! - `L` (1 bit): set on the last fragment of the unit.
//! - `index` (7 bits): the fragment's position, 0..=127 (so at most
//!   [`MAX_FRAGMENTS`] fragments per unit).
//! - `total length` (u16, big-endian): the unit's length, 1..=65535.
//! - Every fragment except the last carries exactly `chunk` payload bytes (the same
//!   for the whole unit); the last carries the rest, 1..=chunk bytes. So fragment `i`
//!   sits at offset `i * chunk`, the receiver learns `chunk` from any fragment (from a
//!   non-last one directly, from the last one as `(total - len) / index`), and a
//!   shortened fragment is detected as [`FragmentError::Truncated`].
//!
//! Every datagram of a fragmenting link carries the header, including units that fit
//! in one datagram (4 bytes per datagram; the receiver needs no other signal).
//!
//! # Authentication: the reassembled unit, not each fragment
//! Fragments are **not** authenticated; the reassembled unit is, before anything uses
//! it: a frame by its AEAD tag (`Channel::open`), an EDHOC message by the handshake
//! (message_2 by MAC_2/signature over the transcript, message_3 likewise; message_1 is
//! unauthenticated in EDHOC itself, and a forged one only makes the responder answer).
//! Per-fragment tags would need a key before the handshake has made one, and would cost
//! 8–16 of a BLE notification's 20 bytes. The price is a denial-of-service angle, which
//! per-fragment authentication would not remove either: whoever can inject datagrams
//! can make a unit fail (a conflicting fragment, or a fragment of a newer unit), exactly
//! as they could inject a forged whole frame on an unfragmented link (which also counts
//! toward the forgery limit). What the reassembler guarantees is that such input costs
//! bounded memory (`CAP` bytes and one unit in progress), never panics, and never
//! produces a unit whose bytes were not all sent for that unit id: any two fragments
//! that disagree make it discard the unit (it cannot tell which is genuine) and the
//! sender's retransmission, under a new unit id, starts over.
//!
//! # Reassembler invariants
//! - At most one unit is in progress; a fragment of a newer unit abandons it (counted
//!   in [`ReassemblyStats::abandoned`]); fragments of the abandoned unit are then
//!   [`FragmentError::Interleaved`], of any older unit [`FragmentError::Stale`].
//! - Errors about the fragment alone ([`FragmentError::Malformed`],
//!   [`FragmentError::TooLarge`], [`FragmentError::Stale`],
//!   [`FragmentError::Interleaved`]) change nothing. Errors that show the unit in
//!   progress is inconsistent ([`FragmentError::Overlap`], [`FragmentError::Conflict`],
//!   [`FragmentError::Truncated`]) discard it. Either way the next call starts from a
//!   consistent state.
//! - An identical duplicate of a received fragment, or any fragment of the unit just
//!   completed, is ignored (`Ok(None)`, counted in [`ReassemblyStats::duplicates`]).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

/// The fragment header's length.
pub const HEADER_LEN: usize = 4;
/// The smallest MTU a fragmenting link accepts (header + 1 payload byte).
pub const MIN_MTU: usize = HEADER_LEN + 1;
/// BLE's default ATT payload (ATT_MTU 23 − 3): the smallest MTU the project targets.
pub const BLE_DEFAULT_MTU: usize = 20;
/// The most fragments one unit may have (the 7-bit index).
pub const MAX_FRAGMENTS: usize = 128;

const LAST: u8 = 0x80;
const INDEX_MASK: u8 = 0x7F;

/// Why a fragment was refused or a unit cannot be fragmented.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FragmentError {
    /// Shorter than the header, no payload, a zero total length, or a length/index
    /// combination no sender produces. Nothing changed.
    Malformed,
    /// The unit is longer than the reassembly buffer, or needs more than
    /// [`MAX_FRAGMENTS`] fragments (or, sending, more than 65535 bytes). Nothing changed.
    TooLarge,
    /// The fragment is longer than its place in the unit: it would overlap the next
    /// fragment. The unit in progress was discarded.
    Overlap,
    /// The fragment disagrees with what was received for its unit (another total
    /// length, or other bytes at the same index). The unit in progress was discarded.
    Conflict,
    /// The fragment belongs to a unit older than the current one. Nothing changed.
    Stale,
    /// The fragment belongs to the unit that was abandoned for a newer one (two units'
    /// fragments interleaved). Nothing changed.
    Interleaved,
    /// The fragment is shorter than its place in the unit (a cut datagram). The unit in
    /// progress was discarded.
    Truncated,
    /// The MTU is below [`MIN_MTU`] (sender configuration).
    MtuTooSmall,
    /// An empty unit cannot be sent.
    EmptyUnit,
}

impl FragmentError {
    /// The error's code in iomt's one registry (equal to the C API's `iomt_result`).
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::Malformed => 450,
            Self::TooLarge => 451,
            Self::Overlap => 452,
            Self::Conflict => 453,
            Self::Stale => 454,
            Self::Interleaved => 455,
            Self::Truncated => 456,
            Self::MtuTooSmall => 457,
            Self::EmptyUnit => 458,
        }
    }
}

impl fmt::Display for FragmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed fragment",
            Self::TooLarge => "fragmented unit too large",
            Self::Overlap => "fragment overlaps its neighbour",
            Self::Conflict => "fragment conflicts with one already received",
            Self::Stale => "fragment of an older unit",
            Self::Interleaved => "fragment of an abandoned unit (interleaved units)",
            Self::Truncated => "fragment truncated",
            Self::MtuTooSmall => "MTU too small for fragmentation",
            Self::EmptyUnit => "empty unit",
        })
    }
}

impl core::error::Error for FragmentError {}

/// A parsed fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FragmentHeader {
    /// The unit id.
    pub(crate) unit: u8,
    /// The fragment index, 0..=127.
    pub(crate) index: u8,
    /// Whether this is the unit's last fragment.
    pub(crate) last: bool,
    /// The unit's total length.
    pub(crate) total_len: u16,
}

impl FragmentHeader {
    /// Splits a datagram into its header and payload.
    ///
    /// # Errors
    /// [`FragmentError::Malformed`] if shorter than the header, with no payload, or with
    /// a zero total length.
    pub(crate) fn parse(datagram: &[u8]) -> Result<(Self, &[u8]), FragmentError> {
        let (head, payload) = datagram
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(FragmentError::Malformed)?;
        let [unit, flags, t0, t1] = *head;
        let total_len = u16::from_be_bytes([t0, t1]);
        if payload.is_empty() || total_len == 0 {
            return Err(FragmentError::Malformed);
        }
        let header = Self {
            unit,
            index: flags & INDEX_MASK,
            last: flags & LAST != 0,
            total_len,
        };
        Ok((header, payload))
    }

    /// The header's bytes.
    #[must_use]
    pub(crate) const fn to_bytes(self) -> [u8; HEADER_LEN] {
        let [t0, t1] = self.total_len.to_be_bytes();
        let flags = (self.index & INDEX_MASK) | if self.last { LAST } else { 0 };
        [self.unit, flags, t0, t1]
    }
}

/// Assigns unit ids and splits units into fragments (the sending half).
#[derive(Debug, Clone, Default)]
pub struct Fragmenter {
    next_unit: u8,
}

impl Fragmenter {
    /// A fragmenter whose first unit has id 0.
    #[must_use]
    pub const fn new() -> Self {
        Self { next_unit: 0 }
    }

    /// A fragmenter whose first unit has id `unit` (e.g. random per session, or one
    /// past a receiver's [`Reassembler::newest_unit`] in tests).
    #[must_use]
    pub const fn with_next_unit(unit: u8) -> Self {
        Self { next_unit: unit }
    }

    /// The id the next unit will get.
    #[must_use]
    pub const fn next_unit(&self) -> u8 {
        self.next_unit
    }

    /// Prepares `unit` for sending over a link of `mtu` bytes per datagram and gives it
    /// the next unit id (even if the caller then sends only some of its fragments).
    ///
    /// # Errors
    /// [`FragmentError::MtuTooSmall`] below [`MIN_MTU`], [`FragmentError::EmptyUnit`],
    /// [`FragmentError::TooLarge`] above 65535 bytes or [`MAX_FRAGMENTS`] fragments.
    /// The unit id is consumed only on success.
    pub fn split<'a>(
        &mut self,
        unit: &'a [u8],
        mtu: usize,
    ) -> Result<Fragments<'a>, FragmentError> {
        let chunk = mtu
            .checked_sub(HEADER_LEN)
            .filter(|c| *c > 0)
            .ok_or(FragmentError::MtuTooSmall)?
            .min(usize::from(u16::MAX));
        if unit.is_empty() {
            return Err(FragmentError::EmptyUnit);
        }
        let total_len = u16::try_from(unit.len()).map_err(|_| FragmentError::TooLarge)?;
        let count = unit.len().div_ceil(chunk);
        if count > MAX_FRAGMENTS {
            return Err(FragmentError::TooLarge);
        }
        let id = self.next_unit;
        self.next_unit = id.wrapping_add(1);
        Ok(Fragments {
            unit: id,
            data: unit,
            chunk,
            count,
            total_len,
        })
    }
}

/// The fragments of one unit, emitted one at a time (any order, any number of times).
#[derive(Debug, Clone, Copy)]
pub struct Fragments<'a> {
    unit: u8,
    data: &'a [u8],
    chunk: usize,
    count: usize,
    total_len: u16,
}

impl Fragments<'_> {
    /// The unit id.
    #[must_use]
    pub const fn unit(&self) -> u8 {
        self.unit
    }

    /// How many fragments (1..=[`MAX_FRAGMENTS`]).
    #[must_use]
    pub const fn count(&self) -> usize {
        self.count
    }

    /// Writes fragment `index` (header + payload) into `out` and returns its length
    /// (at most the `mtu` given to [`Fragmenter::split`]).
    ///
    /// # Errors
    /// [`FragmentError::Malformed`] if `index >= count()`, [`FragmentError::TooLarge`]
    /// if `out` is too small for the fragment.
    pub fn emit(&self, index: usize, out: &mut [u8]) -> Result<usize, FragmentError> {
        let start = index
            .checked_mul(self.chunk)
            .ok_or(FragmentError::Malformed)?;
        let rest = self
            .data
            .get(start..)
            .filter(|r| !r.is_empty() && index < self.count)
            .ok_or(FragmentError::Malformed)?;
        let payload = rest.get(..self.chunk).unwrap_or(rest);
        let last = index.checked_add(1) == Some(self.count);
        let header = FragmentHeader {
            unit: self.unit,
            index: u8::try_from(index).map_err(|_| FragmentError::Malformed)?,
            last,
            total_len: self.total_len,
        };
        let len = HEADER_LEN.saturating_add(payload.len());
        let (head, body) = out
            .get_mut(..len)
            .ok_or(FragmentError::TooLarge)?
            .split_at_mut_checked(HEADER_LEN)
            .ok_or(FragmentError::TooLarge)?;
        head.copy_from_slice(&header.to_bytes());
        body.copy_from_slice(payload);
        Ok(len)
    }
}

/// Counters of a [`Reassembler`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// Units delivered.
    pub completed: u32,
    /// Units given up because a fragment of a newer unit arrived first.
    pub abandoned: u32,
    /// Ignored identical duplicates and fragments of the unit just delivered.
    pub duplicates: u32,
    /// Refused fragments (every `Err` returned by [`Reassembler::push`]).
    pub refused: u32,
}

#[derive(Debug, Clone, Copy)]
enum Unit {
    /// Nothing received yet, or the unit in progress was discarded.
    None,
    /// Collecting fragments.
    Collecting {
        id: u8,
        total: u16,
        /// The non-last fragment length (never 0 here: a fragment that leaves it
        /// unknown is a whole single-fragment unit, which completes at once).
        chunk: u16,
        /// Bit `i`: fragment `i` received.
        received: u128,
    },
    /// Delivered; its bytes stay in the buffer until the next unit starts.
    Done { id: u8 },
}

/// Puts fragments back together, one unit at a time, in a `CAP`-byte buffer.
///
/// See the [module documentation](self) for the invariants.
#[derive(Debug, Clone)]
pub struct Reassembler<const CAP: usize> {
    buf: [u8; CAP],
    unit: Unit,
    /// The last unit id seen (in progress, done, or discarded), for stale detection.
    newest: Option<u8>,
    /// The unit most recently abandoned for a newer one.
    abandoned: Option<u8>,
    stats: ReassemblyStats,
}

impl<const CAP: usize> Default for Reassembler<CAP> {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a fragment goes in its unit.
struct Slot {
    offset: usize,
    chunk: u16,
}

impl<const CAP: usize> Reassembler<CAP> {
    /// An empty reassembler that accepts any unit id first.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            buf: [0; CAP],
            unit: Unit::None,
            newest: None,
            abandoned: None,
            stats: ReassemblyStats {
                completed: 0,
                abandoned: 0,
                duplicates: 0,
                refused: 0,
            },
        }
    }

    /// The counters.
    #[must_use]
    pub const fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// The newest unit id seen (in progress, delivered or discarded); fragments of
    /// older units are refused.
    #[must_use]
    pub const fn newest_unit(&self) -> Option<u8> {
        self.newest
    }

    /// Forgets the unit in progress and all unit history (e.g. for a new session).
    pub fn reset(&mut self) {
        self.unit = Unit::None;
        self.newest = None;
        self.abandoned = None;
        self.buf.fill(0);
    }

    /// Takes one datagram. Returns the whole unit when this fragment completes it,
    /// `None` while fragments are missing (or for an ignored duplicate).
    ///
    /// # Errors
    /// A [`FragmentError`] naming why the fragment was refused; see the module
    /// documentation for which errors discard the unit in progress.
    pub fn push(&mut self, datagram: &[u8]) -> Result<Option<&[u8]>, FragmentError> {
        match self.place(datagram) {
            Ok(Some(total)) => Ok(self.buf.get(..usize::from(total))),
            Ok(None) => Ok(None),
            Err(e) => {
                self.stats.refused = self.stats.refused.saturating_add(1);
                Err(e)
            }
        }
    }

    /// `Some(total)` when the unit completed.
    fn place(&mut self, datagram: &[u8]) -> Result<Option<u16>, FragmentError> {
        let (h, payload) = FragmentHeader::parse(datagram)?;
        if usize::from(h.total_len) > CAP {
            return Err(FragmentError::TooLarge);
        }
        // the unit's relation to what we have
        let current = match self.unit {
            Unit::Collecting { id, .. } | Unit::Done { id, .. } => Some(id),
            Unit::None => None,
        };
        if let Some(newest) = self.newest
            && h.unit != newest
            && !is_newer(h.unit, newest)
        {
            return Err(if Some(h.unit) == self.abandoned {
                FragmentError::Interleaved
            } else {
                FragmentError::Stale
            });
        }
        if let Unit::Done { id } = self.unit
            && id == h.unit
        {
            self.stats.duplicates = self.stats.duplicates.saturating_add(1);
            return Ok(None);
        }
        if self.newest == Some(h.unit) && current.is_none() {
            // the unit was discarded after an inconsistency: it can't complete any more
            return Err(FragmentError::Stale);
        }
        let known = match self.unit {
            Unit::Collecting {
                id, total, chunk, ..
            } if id == h.unit => {
                if total != h.total_len {
                    self.discard();
                    return Err(FragmentError::Conflict);
                }
                (chunk != 0).then_some(chunk)
            }
            _ => None,
        };
        let slot = match locate(h, payload.len(), known) {
            Ok(s) => s,
            Err(e) => {
                if matches!(self.unit, Unit::Collecting { id, .. } if id == h.unit) {
                    self.discard();
                }
                return Err(e);
            }
        };
        // the fragment is self-consistent: a newer unit starts now
        if current != Some(h.unit) {
            if let Unit::Collecting { id, .. } = self.unit {
                self.abandoned = Some(id);
                self.stats.abandoned = self.stats.abandoned.saturating_add(1);
            }
            self.unit = Unit::Collecting {
                id: h.unit,
                total: h.total_len,
                chunk: 0,
                received: 0,
            };
            self.newest = Some(h.unit);
        }
        let Unit::Collecting {
            id,
            total,
            chunk,
            received,
        } = self.unit
        else {
            return Err(FragmentError::Malformed);
        };
        let bit = 1u128.checked_shl(u32::from(h.index)).unwrap_or(0);
        let end = slot.offset.saturating_add(payload.len());
        let dst = self
            .buf
            .get_mut(slot.offset..end)
            .ok_or(FragmentError::TooLarge)?;
        if received & bit != 0 {
            if dst == payload {
                self.stats.duplicates = self.stats.duplicates.saturating_add(1);
                return Ok(None);
            }
            self.discard();
            return Err(FragmentError::Conflict);
        }
        dst.copy_from_slice(payload);
        let chunk = if chunk == 0 { slot.chunk } else { chunk };
        let received = received | bit;
        if chunk != 0 && complete(received, total, chunk) || chunk == 0 && h.last && h.index == 0 {
            self.unit = Unit::Done { id };
            self.stats.completed = self.stats.completed.saturating_add(1);
            return Ok(Some(total));
        }
        self.unit = Unit::Collecting {
            id,
            total,
            chunk,
            received,
        };
        Ok(None)
    }

    fn discard(&mut self) {
        self.unit = Unit::None;
        self.buf.fill(0);
    }
}

/// RFC 1982 serial-number order on u8: `a` is newer than `b` if up to 127 ahead.
const fn is_newer(a: u8, b: u8) -> bool {
    let d = a.wrapping_sub(b);
    d != 0 && d < 128
}

/// Whether fragments `0..count` are all in `received`.
fn complete(received: u128, total: u16, chunk: u16) -> bool {
    let count = u32::from(total).div_ceil(u32::from(chunk));
    let want = 1u128
        .checked_shl(count)
        .map_or(u128::MAX, |b| b.wrapping_sub(1));
    received == want
}

/// Where fragment `h` with `len` payload bytes goes, given the unit's chunk if known.
fn locate(h: FragmentHeader, len: usize, known: Option<u16>) -> Result<Slot, FragmentError> {
    let total = usize::from(h.total_len);
    let index = usize::from(h.index);
    let len16 = u16::try_from(len).map_err(|_| FragmentError::Overlap)?;
    let chunk = match (known, h.last) {
        (Some(c), _) => c,
        (None, false) => len16,
        // a single-fragment unit: chunk stays unknown (0), the fragment is the unit
        (None, true) if index == 0 => {
            return match len.cmp(&total) {
                core::cmp::Ordering::Equal => Ok(Slot {
                    offset: 0,
                    chunk: 0,
                }),
                core::cmp::Ordering::Less => Err(FragmentError::Truncated),
                core::cmp::Ordering::Greater => Err(FragmentError::Overlap),
            };
        }
        (None, true) => {
            let before = total.checked_sub(len).ok_or(FragmentError::Overlap)?;
            if before.checked_rem(index) != Some(0) {
                return Err(FragmentError::Malformed);
            }
            u16::try_from(before.checked_div(index).unwrap_or(0))
                .map_err(|_| FragmentError::Malformed)?
        }
    };
    let c = usize::from(chunk);
    if c == 0 {
        return Err(FragmentError::Malformed);
    }
    let count = total.div_ceil(c);
    if count > MAX_FRAGMENTS {
        return Err(FragmentError::TooLarge);
    }
    let offset = index.checked_mul(c).ok_or(FragmentError::Malformed)?;
    let last_index = count.saturating_sub(1);
    let expected = if h.last {
        if index != last_index {
            return Err(if index > last_index {
                FragmentError::Malformed
            } else {
                FragmentError::Overlap
            });
        }
        total.saturating_sub(offset)
    } else {
        if index >= last_index {
            return Err(FragmentError::Malformed);
        }
        c
    };
    match len.cmp(&expected) {
        core::cmp::Ordering::Equal => Ok(Slot { offset, chunk }),
        core::cmp::Ordering::Less => Err(FragmentError::Truncated),
        core::cmp::Ordering::Greater => Err(FragmentError::Overlap),
    }
}

#[cfg(test)]
mod tests;
