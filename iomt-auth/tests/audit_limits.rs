//! The audit log's documented sequence limit (issue 25): "refuses appends after 2^32−1
//! records" (`AuditError::SequenceExhausted`), with nothing written by a refused append.

use iomt_auth::audit::{
    AuditError, AuditEvent, AuditLog, AuditMeta, AuditStore, Detail, Outcome, RamAuditStore,
};
use iomt_core::Timestamp;
use iomt_crypto::DeterministicProvider;

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
    let now = Timestamp::from_secs(1_800_000_000);
    let mut append = |log: &mut AuditLog<RamAuditStore<4>>| {
        log.append(
            &mut c,
            now,
            AuditEvent::KeyUpdate,
            Outcome::Success,
            [1; 8],
            Detail::NONE,
        )
    };
    // Records 2^32 − 3 and 2^32 − 2 are the last two: 2^32 − 1 records in all.
    assert_eq!(append(&mut log), Ok(u32::MAX - 2));
    assert_eq!(append(&mut log), Ok(u32::MAX - 1));
    let before = *log.meta();
    let slots_before: Vec<_> = (0..4)
        .map(|s| {
            let mut e = [0u8; iomt_auth::audit::ENTRY_LEN];
            log.store_mut().read_slot(s, &mut e).unwrap();
            e
        })
        .collect();
    // Sequence number u32::MAX is never issued.
    assert_eq!(append(&mut log), Err(AuditError::SequenceExhausted));
    assert_eq!(
        append(&mut log),
        Err(AuditError::SequenceExhausted),
        "and stays refused"
    );
    assert_eq!(*log.meta(), before, "a refused append changes nothing");
    for (s, before) in (0u32..).zip(&slots_before) {
        let mut e = [0u8; iomt_auth::audit::ENTRY_LEN];
        log.store_mut().read_slot(s, &mut e).unwrap();
        assert_eq!(&e, before, "slot {s} rewritten by a refused append");
    }
    // Reopening does not roll past the limit either.
    let store = log.into_store();
    let mut log = AuditLog::open(&mut c, store, [0; 8]).unwrap();
    assert_eq!(log.meta().next_seq, u32::MAX);
    assert_eq!(
        log.append(
            &mut c,
            now,
            AuditEvent::KeyUpdate,
            Outcome::Success,
            [1; 8],
            Detail::NONE
        ),
        Err(AuditError::SequenceExhausted)
    );
}
