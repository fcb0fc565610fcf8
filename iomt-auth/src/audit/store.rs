//! Where the log lives: the [`AuditStore`] trait and the in-RAM [`RamAuditStore`].
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::record::RECORD_LEN;

/// Length of one stored entry: the record followed by the chain value it extends.
///
/// Entry `i` holds `record_i ‖ chain_{i-1}`, and `chain_i = H(chain_{i-1} ‖ record_i)` is
/// what entry `i+1` holds (for the newest entry, [`AuditMeta::head`]). Storing the incoming
/// link makes the anchor (the chain value before the oldest held record) readable from the
/// oldest entry itself, so overwriting the oldest slot never needs a second metadata write.
pub const ENTRY_LEN: usize = RECORD_LEN + 32;

/// One stored entry (record bytes ‖ previous chain value).
pub type Entry = [u8; ENTRY_LEN];

/// The log's bookkeeping, persisted after each entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AuditMeta {
    /// The sequence number the next record gets (= records ever appended).
    pub next_seq: u32,
    /// Records currently held (at most the capacity).
    pub count: u32,
    /// Records lost because the ring was full (oldest overwritten).
    pub overwritten: u32,
    /// Records discarded by an authorized clear.
    pub cleared: u32,
    /// Chain value after the newest record (all zero at genesis).
    pub head: [u8; 32],
}

/// A storage failure reported by an [`AuditStore`] (flash error, out-of-range slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StorageError;

/// Persistent storage for the audit ring: `capacity()` fixed-size slots plus one
/// metadata record.
///
/// What an implementation must guarantee: a write that returns `Ok` is durable; the entry
/// write and the metadata write are not reordered (the library writes the entry first);
/// `load_meta` returns the last metadata stored, or `None` if none was (or it was lost);
/// `read_slot` returns what was last written to the slot. What the library does itself:
/// an entry written after the stored head but never committed is replaced by its
/// `AppendFailed` record at [`super::AuditLog::open`]; absent metadata is recovered from
/// the records; a slot that does not hold what was written is reported as `Corrupt` by
/// read, verify and export.
pub trait AuditStore {
    /// Number of slots (ring capacity, at least 1).
    fn capacity(&self) -> u32;
    /// Reads slot `slot` (< capacity).
    ///
    /// # Errors
    /// [`StorageError`] if the slot cannot be read.
    fn read_slot(&mut self, slot: u32, out: &mut Entry) -> Result<(), StorageError>;
    /// Writes slot `slot` (< capacity).
    ///
    /// # Errors
    /// [`StorageError`] if the slot cannot be written.
    fn write_slot(&mut self, slot: u32, entry: &Entry) -> Result<(), StorageError>;
    /// Loads the metadata, or `None` if the log was never written.
    ///
    /// # Errors
    /// [`StorageError`] on a read failure.
    fn load_meta(&mut self) -> Result<Option<AuditMeta>, StorageError>;
    /// Persists the metadata.
    ///
    /// # Errors
    /// [`StorageError`] on a write failure.
    fn store_meta(&mut self, meta: &AuditMeta) -> Result<(), StorageError>;
}

/// An in-RAM ring of `N` entries (tests, hosts, devices that export before power-down).
///
/// ```
/// use iomt_auth::audit::{AuditStore, RamAuditStore};
/// let s = RamAuditStore::<16>::new();
/// assert_eq!(s.capacity(), 16);
/// ```
#[derive(Clone)]
pub struct RamAuditStore<const N: usize> {
    slots: [Entry; N],
    meta: Option<AuditMeta>,
}

impl<const N: usize> core::fmt::Debug for RamAuditStore<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RamAuditStore")
            .field("capacity", &N)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl<const N: usize> Default for RamAuditStore<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RamAuditStore<N> {
    const CAPACITY_OK: () = assert!(N >= 1 && N <= u32::MAX as usize, "capacity 1..=u32::MAX");

    /// An empty store.
    #[must_use]
    pub const fn new() -> Self {
        let () = Self::CAPACITY_OK;
        Self {
            slots: [[0; ENTRY_LEN]; N],
            meta: None,
        }
    }

    /// Raw access to a slot, for tests that tamper with stored entries.
    #[doc(hidden)]
    pub fn slot_mut(&mut self, slot: usize) -> Option<&mut Entry> {
        self.slots.get_mut(slot)
    }

    /// Raw access to the metadata, for tests that tamper with it.
    #[doc(hidden)]
    pub const fn meta_mut(&mut self) -> &mut Option<AuditMeta> {
        &mut self.meta
    }
}

impl<const N: usize> AuditStore for RamAuditStore<N> {
    fn capacity(&self) -> u32 {
        u32::try_from(N).unwrap_or(u32::MAX)
    }

    fn read_slot(&mut self, slot: u32, out: &mut Entry) -> Result<(), StorageError> {
        let s = self
            .slots
            .get(usize::try_from(slot).map_err(|_| StorageError)?)
            .ok_or(StorageError)?;
        *out = *s;
        Ok(())
    }

    fn write_slot(&mut self, slot: u32, entry: &Entry) -> Result<(), StorageError> {
        let s = self
            .slots
            .get_mut(usize::try_from(slot).map_err(|_| StorageError)?)
            .ok_or(StorageError)?;
        *s = *entry;
        Ok(())
    }

    fn load_meta(&mut self) -> Result<Option<AuditMeta>, StorageError> {
        Ok(self.meta)
    }

    fn store_meta(&mut self, meta: &AuditMeta) -> Result<(), StorageError> {
        self.meta = Some(*meta);
        Ok(())
    }
}
