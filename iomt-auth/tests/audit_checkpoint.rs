//! Audit truncation and forks (issue 21): an attacker with write access to the device's
//! flash erases the newest entries, rewrites the metadata, re-uses sequence numbers or
//! edits the ring counters. The local chain verifies after each attack; the gateway's
//! checkpoint and the signed ring capacity catch it.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use iomt_auth::audit::*;
use iomt_core::Timestamp;
use iomt_crypto::{DeterministicProvider, PublicKey, StaticKey, prelude::*};

const DEV: Subject = [0xd1; 8];
const CH: [u8; CHALLENGE_LEN] = [0x5a; CHALLENGE_LEN];

struct Rig {
    c: DeterministicProvider,
    key: StaticKey,
    pk: PublicKey,
}

impl Rig {
    fn new() -> Self {
        let mut c = DeterministicProvider::new();
        let key = c.static_key(&[0x21; 32]).unwrap();
        let pk = c.p256_public_key(&key).unwrap();
        Self { c, key, pk }
    }

    fn append<const N: usize>(&mut self, log: &mut AuditLog<RamAuditStore<N>>, n: u32, tag: u8) {
        for i in 0..n {
            log.append(
                &mut self.c,
                Timestamp::from_secs(1_800_000_000 + u64::from(i)),
                AuditEvent::PrivilegedOperation,
                Outcome::Success,
                [tag; 8],
                Detail::from_u32s(i, u32::from(tag)),
            )
            .unwrap();
        }
    }

    /// The device exports its whole log; the gateway verifies it against `last`.
    fn export_verify<const N: usize>(
        &mut self,
        log: &mut AuditLog<RamAuditStore<N>>,
        last: Option<&Checkpoint>,
    ) -> Result<Checkpoint, AuditError> {
        let c = &mut self.c;
        let mut s = [0u8; SUMMARY_LEN];
        // the device refuses to sign a log it cannot verify itself
        log.export_summary(c, &self.key, &CH, Timestamp::from_secs(1), &mut s)?;
        let Ok(ExportChunk::Summary(sum)) = ExportChunk::decode(&s) else {
            return Err(AuditError::Malformed);
        };
        let mut v = ExportVerifier::new(c, &sum, &self.pk, Some(DEV), last, &CH)?;
        let (mut seq, end) = (sum.first_seq, sum.first_seq + sum.count);
        while seq < end {
            let mut buf = [0u8; 7 + 3 * RECORD_LEN];
            let (n, next) = log.export_records(seq, end, 3, &mut buf).unwrap();
            let Ok(ExportChunk::Records(r)) = ExportChunk::decode(&buf[..n]) else {
                return Err(AuditError::Malformed);
            };
            v.feed(c, &r)?;
            seq = next;
        }
        Ok(v.finish()?.checkpoint())
    }
}

fn reopen<const N: usize>(
    rig: &mut Rig,
    log: AuditLog<RamAuditStore<N>>,
) -> AuditLog<RamAuditStore<N>> {
    AuditLog::open(&mut rig.c, log.into_store(), DEV).unwrap()
}

/// Erases the newest `k` entries and rewrites the metadata so the log ends before them
/// (the incoming chain link of the first erased entry becomes the head).
fn truncate<const N: usize>(
    rig: &mut Rig,
    log: AuditLog<RamAuditStore<N>>,
    k: u32,
) -> AuditLog<RamAuditStore<N>> {
    let meta = *log.meta();
    let mut store = log.into_store();
    let new_next = meta.next_seq - k;
    let mut e = [0u8; ENTRY_LEN];
    store
        .read_slot(new_next % store.capacity(), &mut e)
        .unwrap();
    let head: [u8; 32] = e[RECORD_LEN..].try_into().unwrap();
    for seq in new_next..meta.next_seq {
        store
            .write_slot(seq % store.capacity(), &[0xff; ENTRY_LEN])
            .unwrap();
    }
    store
        .store_meta(&AuditMeta {
            next_seq: new_next,
            count: meta.count - k,
            head,
            ..meta
        })
        .unwrap();
    let mut log = AuditLog::open(&mut rig.c, store, DEV).unwrap();
    // the attack is invisible locally
    log.verify_stored(&mut rig.c).unwrap();
    log
}

#[test]
fn honest_exports_continue_their_checkpoint() {
    let mut rig = Rig::new();
    let mut log = AuditLog::open(&mut rig.c, RamAuditStore::<8>::new(), DEV).unwrap();
    let cp0 = rig.export_verify(&mut log, None).unwrap();
    assert_eq!((cp0.next_seq, cp0.head), (0, [0; 32]));
    rig.append(&mut log, 10, 1); // the ring wrapped: 2..9 held
    let cp1 = rig.export_verify(&mut log, None).unwrap();
    assert_eq!(cp1.next_seq, 10);
    // no new record: the same checkpoint verifies again
    assert_eq!(rig.export_verify(&mut log, Some(&cp1)), Ok(cp1));
    rig.append(&mut log, 3, 2); // 5..12 held: the chain passes through cp1 at 10
    let cp2 = rig.export_verify(&mut log, Some(&cp1)).unwrap();
    assert_eq!(cp2.next_seq, 13);
    // checkpoints persist as bytes
    assert_eq!(Checkpoint::decode(&cp2.encode()), Ok(cp2));
    // a checkpoint of another device
    let other = Checkpoint {
        device: [0; 8],
        ..cp2
    };
    assert_eq!(
        rig.export_verify(&mut log, Some(&other)),
        Err(AuditError::DeviceMismatch)
    );
}

#[test]
fn erasing_the_newest_entries_is_a_regression() {
    let mut rig = Rig::new();
    let mut log = AuditLog::open(&mut rig.c, RamAuditStore::<16>::new(), DEV).unwrap();
    rig.append(&mut log, 10, 1);
    let cp = rig.export_verify(&mut log, None).unwrap();
    let mut log = truncate(&mut rig, log, 3);
    // without the checkpoint the truncated log still exports cleanly (the attack of
    // issue 21)...
    assert!(rig.export_verify(&mut log, None).is_ok());
    // ...against it, it does not
    assert_eq!(
        rig.export_verify(&mut log, Some(&cp)),
        Err(AuditError::CheckpointRegression {
            checkpoint: 10,
            export: 7
        })
    );
}

#[test]
fn reusing_sequence_numbers_after_a_truncation_is_a_fork() {
    let mut rig = Rig::new();
    let mut log = AuditLog::open(&mut rig.c, RamAuditStore::<16>::new(), DEV).unwrap();
    rig.append(&mut log, 10, 1);
    let cp = rig.export_verify(&mut log, None).unwrap();
    let mut log = truncate(&mut rig, log, 3);
    // three new records re-use 7, 8, 9: same next sequence number, another head
    rig.append(&mut log, 3, 2);
    assert_eq!(log.meta().next_seq, cp.next_seq);
    assert_eq!(
        rig.export_verify(&mut log, Some(&cp)),
        Err(AuditError::CheckpointFork { seq: 10 })
    );
    // more records: the chain through seq 10 still differs (caught while feeding)
    rig.append(&mut log, 2, 3);
    assert_eq!(
        rig.export_verify(&mut log, Some(&cp)),
        Err(AuditError::CheckpointFork { seq: 10 })
    );
}

#[test]
fn a_fork_whose_export_starts_at_the_checkpoint_is_caught_at_the_anchor() {
    let mut rig = Rig::new();
    let mut log = AuditLog::open(&mut rig.c, RamAuditStore::<4>::new(), DEV).unwrap();
    rig.append(&mut log, 6, 1);
    let cp = rig.export_verify(&mut log, None).unwrap(); // 2..5 held, next 6
    let mut log = truncate(&mut rig, log, 1); // next 5
    rig.append(&mut log, 5, 2); // 6..9 held: anchor = chain after the forged 5
    assert_eq!(log.first_seq(), cp.next_seq);
    assert_eq!(
        rig.export_verify(&mut log, Some(&cp)),
        Err(AuditError::CheckpointFork { seq: 6 })
    );
}

#[test]
fn records_lost_between_exports_are_a_gap() {
    let mut rig = Rig::new();
    let mut log = AuditLog::open(&mut rig.c, RamAuditStore::<4>::new(), DEV).unwrap();
    rig.append(&mut log, 3, 1);
    let cp = rig.export_verify(&mut log, None).unwrap();
    rig.append(&mut log, 6, 2); // 5..8 held: 3 and 4 were never seen by the gateway
    assert_eq!(
        rig.export_verify(&mut log, Some(&cp)),
        Err(AuditError::CheckpointGap { lost: 2 })
    );
    // the gateway may accept the loss explicitly and start over
    assert!(rig.export_verify(&mut log, None).is_ok());
}

fn edit_counters<const N: usize>(
    rig: &mut Rig,
    log: AuditLog<RamAuditStore<N>>,
    count: u32,
    overwritten: u32,
) -> AuditLog<RamAuditStore<N>> {
    let meta = *log.meta();
    let mut store = log.into_store();
    store
        .store_meta(&AuditMeta {
            count,
            overwritten,
            ..meta
        })
        .unwrap();
    AuditLog::open(&mut rig.c, store, DEV).unwrap()
}

#[test]
fn ring_counters_edited_to_hide_the_oldest_records_are_detected() {
    let mut rig = Rig::new();
    let mut log = AuditLog::open(&mut rig.c, RamAuditStore::<16>::new(), DEV).unwrap();
    rig.append(&mut log, 10, 1);
    let cp = rig.export_verify(&mut log, None).unwrap();
    // pretend the ring wrapped: records 0..2 "overwritten", 3..9 held
    let mut log = edit_counters(&mut rig, log, 7, 3);
    assert_eq!(log.first_seq(), 3);
    log.verify_stored(&mut rig.c).unwrap(); // invisible locally
    assert_eq!(
        rig.export_verify(&mut log, None),
        Err(AuditError::RingInconsistent)
    );
    // the checkpoint (same end, same head) alone would not see it
    assert_eq!(
        rig.export_verify(&mut log, Some(&cp)),
        Err(AuditError::RingInconsistent)
    );
    // more records held than the ring has slots: the device already refuses to sign
    // (`export_summary` verifies the stored log first); a gateway handed such a summary
    // would answer `RingInconsistent` (`c_edited_ring_counters_are_detected`)
    let log = reopen(&mut rig, log);
    let mut log = edit_counters(&mut rig, log, 17, 0);
    assert!(matches!(
        rig.export_verify(&mut log, None),
        Err(AuditError::Corrupt { .. })
    ));
}

#[test]
fn a_full_ring_that_really_wrapped_verifies() {
    let mut rig = Rig::new();
    let mut log = AuditLog::open(&mut rig.c, RamAuditStore::<4>::new(), DEV).unwrap();
    rig.append(&mut log, 9, 1);
    assert_eq!((log.meta().count, log.meta().overwritten), (4, 5));
    assert!(rig.export_verify(&mut log, None).is_ok());
}

#[test]
fn version_1_summaries_are_refused() {
    let mut rig = Rig::new();
    let mut log = AuditLog::open(&mut rig.c, RamAuditStore::<4>::new(), DEV).unwrap();
    let mut s = [0u8; SUMMARY_LEN];
    log.export_summary(&mut rig.c, &rig.key, &CH, Timestamp::from_secs(1), &mut s)
        .unwrap();
    assert_eq!(s[0], 2);
    s[0] = 1;
    assert_eq!(ExportChunk::decode(&s), Err(AuditError::UnsupportedVersion));
    assert_eq!(
        ExportChunk::decode(&s[..178]),
        Err(AuditError::UnsupportedVersion)
    );
}
