//! Audit log after store faults (issues 25.2 and 26): lost metadata, failed metadata
//! writes of records that claim success, stores that lie about writes.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use iomt_auth::audit::*;
use iomt_crypto::DeterministicProvider;

const T0: u64 = 1_800_000_000;
const DEV: Subject = [0xd0; 8];

fn t(s: u64) -> iomt_core::Timestamp {
    iomt_core::Timestamp::from_secs(T0 + s)
}

/// A RAM store whose metadata or slot writes can fail, or silently not happen.
struct Faulty {
    inner: RamAuditStore<4>,
    fail_meta: bool,
    drop_slot_writes: bool,
}

impl AuditStore for Faulty {
    fn capacity(&self) -> u32 {
        self.inner.capacity()
    }
    fn read_slot(&mut self, slot: u32, out: &mut Entry) -> Result<(), StorageError> {
        self.inner.read_slot(slot, out)
    }
    fn write_slot(&mut self, slot: u32, entry: &Entry) -> Result<(), StorageError> {
        if self.drop_slot_writes {
            return Ok(()); // lies
        }
        self.inner.write_slot(slot, entry)
    }
    fn load_meta(&mut self) -> Result<Option<AuditMeta>, StorageError> {
        self.inner.load_meta()
    }
    fn store_meta(&mut self, meta: &AuditMeta) -> Result<(), StorageError> {
        if self.fail_meta {
            return Err(StorageError);
        }
        self.inner.store_meta(meta)
    }
}

fn faulty(c: &mut DeterministicProvider, n: u32) -> AuditLog<Faulty> {
    let store = Faulty {
        inner: RamAuditStore::new(),
        fail_meta: false,
        drop_slot_writes: false,
    };
    let mut log = AuditLog::open(c, store, DEV).unwrap();
    for i in 0..n {
        log.append(
            c,
            t(u64::from(i)),
            AuditEvent::KeyUpdate,
            Outcome::Success,
            DEV,
            Detail::from_u32s(i, 0),
        )
        .unwrap();
    }
    log
}

#[test]
fn audit_lost_metadata_after_a_wrap_does_not_reuse_sequence_numbers() {
    let mut c = DeterministicProvider::new();
    let log = faulty(&mut c, 10); // capacity 4: records 6..=9 held
    let before = *log.meta();
    let mut store = log.into_store();
    *store.inner.meta_mut() = None; // erased metadata sector
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    // recovered from the records, plus the MetadataRecovered record
    assert_eq!(log.meta().next_seq, before.next_seq + 1);
    let r = log.read(before.next_seq).unwrap();
    assert_eq!(r.event, AuditEvent::MetadataRecovered);
    assert_eq!(r.detail, Detail::from_u32s(before.next_seq, 4));
    log.verify_stored(&mut c).unwrap();
    assert_eq!(log.first_seq(), log.meta().overwritten + log.meta().cleared);
    let seq = log
        .append(
            &mut c,
            t(99),
            AuditEvent::KeyUpdate,
            Outcome::Success,
            DEV,
            Detail::NONE,
        )
        .unwrap();
    assert!(seq > before.next_seq, "sequence {seq} reused");
}

#[test]
fn audit_lost_metadata_of_a_blank_store_is_a_new_log() {
    let mut c = DeterministicProvider::new();
    let log = AuditLog::open(&mut c, RamAuditStore::<4>::new(), DEV).unwrap();
    assert_eq!(*log.meta(), AuditMeta::default());
}

#[test]
fn audit_lost_metadata_recovers_only_the_chained_run() {
    let mut c = DeterministicProvider::new();
    let log = faulty(&mut c, 6); // slots: 4, 5, 2, 3
    let mut store = log.into_store();
    *store.inner.meta_mut() = None;
    // record 4 edited: the run ending at 5 is just record 5
    store.inner.slot_mut(0).unwrap()[30] ^= 1;
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    assert_eq!(log.meta().next_seq, 7);
    assert_eq!(log.first_seq(), 5);
    log.verify_stored(&mut c).unwrap();
}

#[test]
fn audit_failed_commit_of_a_clear_never_reads_as_cleared() {
    for reboot in [false, true] {
        let mut c = DeterministicProvider::new();
        let mut log = faulty(&mut c, 3);
        let seq = log.meta().next_seq;
        // LogCleared (as AuditLog::clear writes it) whose metadata write fails
        log.store_mut().fail_meta = true;
        let r = log.append(
            &mut c,
            t(20),
            AuditEvent::LogCleared,
            Outcome::Success,
            [7; 8],
            Detail::from_u32s(3, 0),
        );
        assert_eq!(r.unwrap_err(), AuditError::Storage);
        log.store_mut().fail_meta = false;
        if reboot {
            log = AuditLog::open(&mut c, log.into_store(), DEV).unwrap();
        } else {
            log.append(
                &mut c,
                t(21),
                AuditEvent::KeyUpdate,
                Outcome::Success,
                DEV,
                Detail::NONE,
            )
            .unwrap();
        }
        let r = log.read(seq).unwrap();
        assert_eq!(
            (r.event, r.subject, r.time),
            (AuditEvent::AppendFailed, [7; 8], t(20))
        );
        assert_eq!(
            &r.detail.0[..2],
            &[AuditEvent::LogCleared.code(), Outcome::Success.code()]
        );
        for s in log.first_seq()..log.meta().next_seq {
            assert_ne!(
                log.read(s).unwrap().event,
                AuditEvent::LogCleared,
                "reboot {reboot}"
            );
        }
        assert_eq!(log.meta().cleared, 0);
        log.verify_stored(&mut c).unwrap();
    }
}

#[test]
fn audit_read_verify_and_export_agree_on_a_store_that_lies() {
    let mut c = DeterministicProvider::new();
    let key = c.static_key(&[0x11; 32]).unwrap();
    let mut log = faulty(&mut c, 2);
    log.store_mut().drop_slot_writes = true;
    let seq = log
        .append(
            &mut c,
            t(5),
            AuditEvent::KeyUpdate,
            Outcome::Success,
            DEV,
            Detail::NONE,
        )
        .unwrap();
    let corrupt = AuditError::Corrupt { seq };
    assert_eq!(log.read(seq).unwrap_err(), corrupt);
    assert!(matches!(
        log.verify_stored(&mut c),
        Err(AuditError::Corrupt { .. })
    ));
    let mut s = vec![0u8; SUMMARY_LEN];
    assert!(matches!(
        log.export_summary(&mut c, &key, &[1; CHALLENGE_LEN], t(6), &mut s),
        Err(AuditError::Corrupt { .. })
    ));
}
