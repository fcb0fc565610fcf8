//! The gateway example's audit store: iomt-auth's hash-chained audit log over a RAM ring
//! ([`VecAuditStore`]).

use iomt_auth::audit::{AuditMeta, AuditStore, ENTRY_LEN, Entry, StorageError};

/// A heap-backed RAM ring for iomt-auth's audit log (a gateway keeps it in memory and
/// would ship it to its SIEM; a device implements [`AuditStore`] over flash).
#[derive(Debug, Clone)]
pub struct VecAuditStore {
    slots: Vec<Entry>,
    meta: Option<AuditMeta>,
}

impl VecAuditStore {
    /// An empty store of `capacity` slots (at least 1).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: vec![[0; ENTRY_LEN]; capacity.max(1)],
            meta: None,
        }
    }
}

impl AuditStore for VecAuditStore {
    fn capacity(&self) -> u32 {
        u32::try_from(self.slots.len()).unwrap_or(u32::MAX)
    }

    fn read_slot(&mut self, slot: u32, out: &mut Entry) -> Result<(), StorageError> {
        let e = usize::try_from(slot)
            .ok()
            .and_then(|i| self.slots.get(i))
            .ok_or(StorageError)?;
        *out = *e;
        Ok(())
    }

    fn write_slot(&mut self, slot: u32, entry: &Entry) -> Result<(), StorageError> {
        let e = usize::try_from(slot)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
            .ok_or(StorageError)?;
        *e = *entry;
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
