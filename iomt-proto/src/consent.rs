//! Consent slots: the encoded consent tags a session's frames can be bound to.
//!
//! # Invariants
//! - A slot holds either nothing or an encoded tag that passed validation
//!   (`iomt_core::ConsentTag::decode`) and fits `CONSENT_TAG_CAPACITY`. An empty slot
//!   is an empty buffer (a valid tag is never empty), and a slot's install position is
//!   meaningful exactly when its buffer is not empty: both are set together.
//! - Memory: each slot is its tag buffer with a one-byte length, its install position
//!   (8 bytes) and a one-byte counter, 180 bytes, so `Channel<64, 4>` stays within 1 KiB
//!   (issue 18; `iomt-proto/tests/sizes.rs`).
//! - Slot numbers are `0..SLOTS` (`SLOTS` ≤ 15; the wire value 15 means "no slot").
//! - The initiator installs tags only in even slots, the responder only in odd ones
//!   (enforced by the channel), so both sides never race for one slot.
//! - Installs are ordered: each slot remembers the (key epoch, sequence number) of the
//!   consent frame that installed its tag, and [`ConsentSlots::accepts`] refuses a
//!   consent frame at or before it (issue 21: a reordered older install is never applied).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use heapless::Vec;
use iomt_core::{ConsentTag, MAX_CONSENT_TAG_LEN};

/// The largest encoded consent tag a slot holds (`iomt_core::MAX_CONSENT_TAG_LEN`).
pub(crate) const CONSENT_TAG_CAPACITY: usize = MAX_CONSENT_TAG_LEN;

/// A slot's tag buffer: its length fits one byte (`CONSENT_TAG_CAPACITY` < 256).
type TagBuf = Vec<u8, CONSENT_TAG_CAPACITY, u8>;

/// The slot table.
#[derive(Debug, Clone)]
pub struct ConsentSlots<const SLOTS: usize> {
    /// Each slot's encoded tag; empty = no tag.
    slots: [TagBuf; SLOTS],
    /// (epoch, sequence) of the frame that installed each slot's tag (meaningful only
    /// where the slot holds a tag).
    installed_at: [(u32, u32); SLOTS],
    /// Refused out-of-order installs per slot (saturating).
    out_of_order: [u8; SLOTS],
}

impl<const SLOTS: usize> Default for ConsentSlots<SLOTS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const SLOTS: usize> ConsentSlots<SLOTS> {
    /// An empty table.
    #[must_use]
    pub fn new() -> Self {
        Self {
            slots: core::array::from_fn(|_| TagBuf::new()),
            installed_at: [(0, 0); SLOTS],
            out_of_order: [0; SLOTS],
        }
    }

    /// Counts a refused out-of-order install for `slot`.
    pub(crate) fn count_out_of_order(&mut self, slot: u8) {
        if let Some(c) = self.out_of_order.get_mut(usize::from(slot)) {
            *c = c.saturating_add(1);
        }
    }

    /// Refused out-of-order installs, all slots together.
    #[must_use]
    pub fn out_of_order(&self) -> u32 {
        self.out_of_order
            .iter()
            .fold(0u32, |a, c| a.saturating_add(u32::from(*c)))
    }

    /// Whether a consent frame at (`epoch`, `seq`) may install into `slot`: the slot is
    /// empty, or its tag was installed by a frame strictly before this one.
    #[must_use]
    pub fn accepts(&self, slot: u8, epoch: u32, seq: u32) -> bool {
        let i = usize::from(slot);
        match (self.slots.get(i), self.installed_at.get(i)) {
            (Some(tag), Some(at)) => tag.is_empty() || (epoch, seq) > *at,
            _ => false,
        }
    }

    /// The encoded tag in `slot`.
    #[must_use]
    pub fn get(&self, slot: u8) -> Option<&[u8]> {
        self.slots
            .get(usize::from(slot))
            .filter(|t| !t.is_empty())
            .map(|t| t.as_slice())
    }

    /// Stores `encoded` in `slot` (replacing any previous tag), installed by the frame at
    /// (`epoch`, `seq`); refuses an empty or oversized `encoded`.
    pub(crate) fn install(
        &mut self,
        slot: u8,
        encoded: &[u8],
        epoch: u32,
        seq: u32,
    ) -> Result<(), ()> {
        let entry = self.slots.get_mut(usize::from(slot)).ok_or(())?;
        let at = self.installed_at.get_mut(usize::from(slot)).ok_or(())?;
        if encoded.is_empty() {
            return Err(());
        }
        let v = TagBuf::from_slice(encoded).map_err(|_| ())?;
        *entry = v;
        *at = (epoch, seq);
        Ok(())
    }
}

/// Checks that `encoded` is a canonical encoded [`ConsentTag`] that fits a slot.
///
/// `ConsentTag::decode` is strict (it re-encodes and compares), so the bytes bound into
/// AADs are the one canonical encoding of the tag.
pub(crate) fn validate_tag(encoded: &[u8]) -> Result<(), ()> {
    if encoded.is_empty() || encoded.len() > CONSENT_TAG_CAPACITY {
        return Err(());
    }
    ConsentTag::decode(encoded).map(|_| ()).map_err(|_| ())
}
