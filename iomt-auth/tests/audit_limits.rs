//! The audit log's documented sequence limit (issue 25): "refuses appends after 2^32−1
//! records" (`AuditError::SequenceExhausted`), with nothing written by a refused append.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use iomt_auth::audit::{
    AuditError, AuditEvent, AuditLog, AuditMeta, AuditStore, Detail, ENTRY_LEN, Outcome,
    RamAuditStore,
};
use iomt_core::Timestamp;
use iomt_crypto::DeterministicProvider;

type Log = AuditLog<RamAuditStore<4>>;

fn append(c: &mut DeterministicProvider, log: &mut Log) -> Result<u32, AuditError> {
    let now = Timestamp::from_secs(1_800_000_000);
    log.append(
        c,
        now,
        AuditEvent::KeyUpdate,
        Outcome::Success,
        [1; 8],
        Detail::NONE,
    )
}

fn slots(log: &mut Log) -> Vec<[u8; ENTRY_LEN]> {
    let mut out = vec![[0u8; ENTRY_LEN]; 4];
    for (s, e) in (0u32..).zip(out.iter_mut()) {
        log.store_mut().read_slot(s, e).unwrap();
    }
    out
}

#[test]
fn audit_log_refuses_appends_after_2_pow_32_minus_1_records() {
    let mut c = DeterministicProvider::new();
    // A log that has already held 2^32 − 3 records (all overwritten long ago).
    let mut store = RamAuditStore::<4>::new();
    store
        .store_meta(&AuditMeta {
            next_seq: u32::MAX - 2,
            overwritten: u32::MAX - 2,
            ..AuditMeta::default()
        })
        .unwrap();
    let mut log = AuditLog::open(&mut c, store, [0; 8]).unwrap();
    // Records 2^32 − 3 and 2^32 − 2 are the last two: 2^32 − 1 records in all.
    assert_eq!(append(&mut c, &mut log), Ok(u32::MAX - 2));
    assert_eq!(append(&mut c, &mut log), Ok(u32::MAX - 1));
    let before = *log.meta();
    let slots_before = slots(&mut log);
    // Sequence number u32::MAX is never issued.
    assert_eq!(append(&mut c, &mut log), Err(AuditError::SequenceExhausted));
    assert_eq!(
        append(&mut c, &mut log),
        Err(AuditError::SequenceExhausted),
        "and stays refused"
    );
    assert_eq!(*log.meta(), before, "a refused append changes nothing");
    assert_eq!(
        slots(&mut log),
        slots_before,
        "a refused append rewrote a slot"
    );
    // Reopening does not roll past the limit either.
    let store = log.into_store();
    let mut log = AuditLog::open(&mut c, store, [0; 8]).unwrap();
    assert_eq!(log.meta().next_seq, u32::MAX);
    assert_eq!(append(&mut c, &mut log), Err(AuditError::SequenceExhausted));
}
