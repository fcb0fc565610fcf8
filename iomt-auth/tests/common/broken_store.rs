//! An audit store whose writes always fail (full or broken flash), shared by the tests
//! that check fail-closed behaviour.

use iomt_auth::audit::{AuditMeta, AuditStore, ENTRY_LEN, Entry, StorageError};

/// Reads blank slots and no metadata; every write fails.
pub(crate) struct BrokenStore;

impl AuditStore for BrokenStore {
    fn capacity(&self) -> u32 {
        4
    }
    fn read_slot(&mut self, _: u32, out: &mut Entry) -> Result<(), StorageError> {
        *out = [0; ENTRY_LEN];
        Ok(())
    }
    fn write_slot(&mut self, _: u32, _: &Entry) -> Result<(), StorageError> {
        Err(StorageError)
    }
    fn load_meta(&mut self) -> Result<Option<AuditMeta>, StorageError> {
        Ok(None)
    }
    fn store_meta(&mut self, _: &AuditMeta) -> Result<(), StorageError> {
        Err(StorageError)
    }
}
