//! Audit log: chain, ring, storage tampering, power cut, export and its verification.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "test helpers outside #[test] fns"
)]

use iomt_auth::audit::*;
use iomt_auth::factor::{
    FactorOutcome, FactorTag, FactorVerifier, LockoutPolicy, PinVerifier, RamFactorStore,
};
use iomt_auth::rbac::{RbacPolicy, SessionAuth};
use iomt_core::{Operation, Role, RoleSet, Timestamp};
use iomt_crypto::{DeterministicProvider, PublicKey, StaticKey, prelude::*};
use proptest::prelude::*;

const T0: u64 = 1_800_000_000;
const DEV: Subject = [0xd0; 8];

fn t(s: u64) -> Timestamp {
    Timestamp::from_secs(T0 + s)
}

fn setup() -> (DeterministicProvider, StaticKey, PublicKey) {
    let mut c = DeterministicProvider::new();
    let k = c.static_key(&[0x11; 32]).unwrap();
    let pk = c.p256_public_key(&k).unwrap();
    (c, k, pk)
}

fn log_with<const N: usize>(c: &mut DeterministicProvider, n: u32) -> AuditLog<RamAuditStore<N>> {
    let mut log = AuditLog::open(c, RamAuditStore::<N>::new(), DEV).unwrap();
    for i in 0..n {
        let ev = AuditEvent::ALL[(i as usize) % AuditEvent::ALL.len()];
        log.append(
            c,
            t(u64::from(i)),
            ev,
            Outcome::Success,
            [i as u8; 8],
            Detail::from_u32s(i, 0),
        )
        .unwrap();
    }
    log
}

/// Exports the whole log as (summary, chunks of `per` records).
fn export<const N: usize>(
    c: &mut DeterministicProvider,
    key: &StaticKey,
    log: &mut AuditLog<RamAuditStore<N>>,
    challenge: &[u8; CHALLENGE_LEN],
    per: usize,
) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut s = vec![0u8; SUMMARY_LEN];
    let n = log
        .export_summary(c, key, challenge, t(999), &mut s)
        .unwrap();
    assert_eq!(n, SUMMARY_LEN);
    let ExportChunk::Summary(sum) = ExportChunk::decode(&s).unwrap() else {
        panic!()
    };
    let end = sum.first_seq + sum.count;
    let mut chunks = Vec::new();
    let mut seq = sum.first_seq;
    while seq < end {
        let mut buf = vec![0u8; 4096];
        let (len, next) = log.export_records(seq, end, per, &mut buf).unwrap();
        buf.truncate(len);
        chunks.push(buf);
        seq = next;
    }
    (s, chunks)
}

fn verify_export(
    c: &mut DeterministicProvider,
    pk: &PublicKey,
    challenge: &[u8; CHALLENGE_LEN],
    summary: &[u8],
    chunks: &[Vec<u8>],
) -> Result<(VerifiedExport, Vec<AuditRecord>), AuditError> {
    let ExportChunk::Summary(sum) = ExportChunk::decode(summary)? else {
        return Err(AuditError::Malformed);
    };
    let mut v = ExportVerifier::new(c, &sum, pk, Some(DEV), None, challenge)?;
    let mut recs = Vec::new();
    for ch in chunks {
        let ExportChunk::Records(r) = ExportChunk::decode(ch)? else {
            return Err(AuditError::Malformed);
        };
        v.feed(c, &r)?;
        recs.extend(r.records());
    }
    Ok((v.finish()?, recs))
}

#[test]
fn audit_append_read_and_verify_stored() {
    let (mut c, _, _) = setup();
    let mut log = log_with::<16>(&mut c, 10);
    assert_eq!(log.meta().next_seq, 10);
    assert_eq!(log.meta().count, 10);
    log.verify_stored(&mut c).unwrap();
    let r = log.read(3).unwrap();
    assert_eq!(r.seq, 3);
    assert_eq!(r.subject, [3; 8]);
    assert_eq!(r.time, t(3));
    assert_eq!(log.read(10).unwrap_err(), AuditError::NotHeld { seq: 10 });
}

#[test]
fn audit_chain_matches_independent_sha256() {
    use sha2::{Digest, Sha256};
    let (mut c, _, _) = setup();
    let mut log = log_with::<8>(&mut c, 3);
    let mut head = [0u8; 32];
    for seq in 0..3 {
        let rec = log.read(seq).unwrap().encode();
        let mut h = Sha256::new();
        h.update(head);
        h.update(rec);
        head = h.finalize().into();
    }
    assert_eq!(log.meta().head, head);
}

#[test]
fn audit_record_layout_is_stable() {
    let r = AuditRecord {
        seq: 0x0102_0304,
        time: Timestamp::from_secs(0x1112_1314_1516_1718),
        event: AuditEvent::BreakGlass,
        outcome: Outcome::Denied,
        subject: [0xaa; 8],
        detail: Detail([0xbb; 16]),
    };
    let mut expected = vec![
        1, 2, 3, 4, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 8, 2,
    ];
    expected.extend([0xaa; 8]);
    expected.extend([0xbb; 16]);
    assert_eq!(r.encode().to_vec(), expected);
    // unknown event / outcome codes rejected
    let mut bad = r.encode();
    bad[12] = 0;
    assert_eq!(AuditRecord::decode(&bad), Err(AuditError::Malformed));
    let mut bad = r.encode();
    bad[13] = 3;
    assert_eq!(AuditRecord::decode(&bad), Err(AuditError::Malformed));
    assert_eq!(
        AuditRecord::decode(&r.encode()[..37]),
        Err(AuditError::Malformed)
    );
}

#[test]
fn audit_ring_overwrite_is_counted() {
    let (mut c, _, _) = setup();
    let mut log = log_with::<4>(&mut c, 10);
    let m = *log.meta();
    assert_eq!(
        (m.next_seq, m.count, m.overwritten, m.cleared),
        (10, 4, 6, 0)
    );
    assert_eq!(log.first_seq(), 6);
    log.verify_stored(&mut c).unwrap();
    assert_eq!(log.read(5).unwrap_err(), AuditError::NotHeld { seq: 5 });
    assert_eq!(log.read(6).unwrap().seq, 6);
}

#[test]
fn audit_stored_edit_detected() {
    let (mut c, _, _) = setup();
    let mut log = log_with::<8>(&mut c, 6);
    log.store_mut().slot_mut(2).unwrap()[20] ^= 1; // subject byte of record 2
    assert_eq!(
        log.verify_stored(&mut c),
        Err(AuditError::Corrupt { seq: 3 })
    );
}

#[test]
fn audit_stored_removal_reorder_and_truncation_detected() {
    let (mut c, _, _) = setup();
    // reorder: swap records 1 and 2
    let mut log = log_with::<8>(&mut c, 6);
    let s = log.store_mut();
    let a = *s.slot_mut(1).unwrap();
    let b = *s.slot_mut(2).unwrap();
    *s.slot_mut(1).unwrap() = b;
    *s.slot_mut(2).unwrap() = a;
    assert_eq!(
        log.verify_stored(&mut c),
        Err(AuditError::Corrupt { seq: 1 })
    );

    // removal: erase record 4
    let mut log = log_with::<8>(&mut c, 6);
    *log.store_mut().slot_mut(4).unwrap() = [0xff; ENTRY_LEN];
    assert_eq!(
        log.verify_stored(&mut c),
        Err(AuditError::Corrupt { seq: 4 })
    );

    // removal with renumbering: drop record 1 and shift the rest down
    let mut log = log_with::<8>(&mut c, 6);
    let s = log.store_mut();
    for i in 1..5 {
        let next = *s.slot_mut(i + 1).unwrap();
        *s.slot_mut(i).unwrap() = next;
    }
    assert!(matches!(
        log.verify_stored(&mut c),
        Err(AuditError::Corrupt { .. })
    ));

    // truncation: metadata rewound consistently (count, sequence and head of record 3):
    // indistinguishable from a power cut, so open() treats record 4 as never committed
    // and replaces it by its AppendFailed record (the truncation leaves a trace)
    let log = log_with::<8>(&mut c, 6);
    let mut store = log.into_store();
    let mut m = store.meta_mut().unwrap();
    m.count -= 2;
    m.next_seq -= 2;
    m.head
        .copy_from_slice(&store.slot_mut(4).unwrap()[RECORD_LEN..]);
    *store.meta_mut() = Some(m);
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    assert_eq!(log.meta().next_seq, 5);
    assert_eq!(log.read(4).unwrap().event, AuditEvent::AppendFailed);
    log.verify_stored(&mut c).unwrap();

    // truncation that keeps the real head: caught by the chain walk
    let log = log_with::<8>(&mut c, 6);
    let mut store = log.into_store();
    let mut m = store.meta_mut().unwrap();
    m.count = 3;
    m.next_seq = 3;
    *store.meta_mut() = Some(m);
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    assert!(matches!(
        log.verify_stored(&mut c),
        Err(AuditError::Corrupt { .. })
    ));

    // truncation with the newest entries erased and the metadata rewound consistently
    // cannot be told from a shorter log locally: only a gateway holding an earlier signed
    // export (a higher sequence number) can tell. See audit_export_* tests.
}

#[test]
fn audit_power_cut_between_entry_and_meta_leaves_an_append_failed_record() {
    let (mut c, _, _) = setup();
    for cap_full in [false, true] {
        let n = if cap_full { 9 } else { 3 };
        let mut log = log_with::<4>(&mut c, n);
        let before = *log.meta();
        log.append(
            &mut c,
            t(50),
            AuditEvent::KeyUpdate,
            Outcome::Success,
            DEV,
            Detail::NONE,
        )
        .unwrap();
        let after = *log.meta();
        // power cut: the entry reached flash, the metadata did not
        let mut store = log.into_store();
        *store.meta_mut() = Some(before);
        let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
        assert_eq!(
            (log.meta().next_seq, log.meta().count),
            (after.next_seq, after.count)
        );
        // never adopted as committed: its AppendFailed record took its place
        let r = log.read(before.next_seq).unwrap();
        assert_eq!((r.event, r.time), (AuditEvent::AppendFailed, t(50)));
        assert_eq!(
            &r.detail.0[..2],
            &[AuditEvent::KeyUpdate.code(), Outcome::Success.code()]
        );
        log.verify_stored(&mut c).unwrap();
    }
    // a stale entry from an earlier lap is not adopted
    let log = log_with::<4>(&mut c, 4);
    let before = *log.meta();
    let mut store = log.into_store();
    *store.meta_mut() = Some(before);
    let log = AuditLog::open(&mut c, store, DEV).unwrap();
    assert_eq!(*log.meta(), before);
}

#[test]
fn audit_export_roundtrip_in_chunks() {
    let (mut c, key, pk) = setup();
    let mut log = log_with::<8>(&mut c, 13);
    let ch = [7u8; CHALLENGE_LEN];
    let (s, chunks) = export(&mut c, &key, &mut log, &ch, 3);
    assert_eq!(chunks.len(), 3); // 8 records: 3 + 3 + 2
    assert_eq!(chunks[0].len(), 7 + 3 * RECORD_LEN);
    let (v, recs) = verify_export(&mut c, &pk, &ch, &s, &chunks).unwrap();
    assert_eq!(
        (v.summary.first_seq, v.summary.count, v.summary.overwritten),
        (5, 8, 5)
    );
    assert_eq!(recs.len(), 8);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(*r, log.read(5 + i as u32).unwrap());
    }
    // re-encoding a decoded chunk reproduces it exactly
    for ch in chunks.iter().chain([&s]) {
        let d = ExportChunk::decode(ch).unwrap();
        let mut out = vec![0u8; ch.len()];
        assert_eq!(d.encode(&mut out).unwrap(), ch.len());
        assert_eq!(&out, ch);
    }
}

#[test]
fn audit_export_of_empty_log_verifies() {
    let (mut c, key, pk) = setup();
    let mut log = log_with::<8>(&mut c, 0);
    let ch = [1u8; CHALLENGE_LEN];
    let (s, chunks) = export(&mut c, &key, &mut log, &ch, 3);
    assert!(chunks.is_empty());
    let (v, _) = verify_export(&mut c, &pk, &ch, &s, &chunks).unwrap();
    assert_eq!(v.summary.count, 0);
}

#[test]
fn audit_export_edited_record_detected() {
    let (mut c, key, pk) = setup();
    let mut log = log_with::<8>(&mut c, 6);
    let ch = [7u8; CHALLENGE_LEN];
    let (s, mut chunks) = export(&mut c, &key, &mut log, &ch, 4);
    // change the outcome of the 2nd record (still a valid code)
    chunks[0][7 + RECORD_LEN + 13] = Outcome::Denied.code();
    assert_eq!(
        verify_export(&mut c, &pk, &ch, &s, &chunks).unwrap_err(),
        AuditError::ChainMismatch
    );
}

#[test]
fn audit_export_removed_reordered_truncated_detected() {
    let (mut c, key, pk) = setup();
    let mut log = log_with::<8>(&mut c, 8);
    let ch = [7u8; CHALLENGE_LEN];
    let (s, chunks) = export(&mut c, &key, &mut log, &ch, 3);
    assert_eq!(chunks.len(), 3);

    // a whole chunk removed
    let removed = vec![chunks[0].clone(), chunks[2].clone()];
    assert_eq!(
        verify_export(&mut c, &pk, &ch, &s, &removed).unwrap_err(),
        AuditError::SequenceGap {
            expected: 3,
            found: 6
        }
    );
    // chunks reordered
    let reordered = vec![chunks[1].clone(), chunks[0].clone(), chunks[2].clone()];
    assert_eq!(
        verify_export(&mut c, &pk, &ch, &s, &reordered).unwrap_err(),
        AuditError::SequenceGap {
            expected: 0,
            found: 3
        }
    );
    // a chunk duplicated (replayed)
    let dup = vec![chunks[0].clone(), chunks[0].clone()];
    assert_eq!(
        verify_export(&mut c, &pk, &ch, &s, &dup).unwrap_err(),
        AuditError::SequenceGap {
            expected: 3,
            found: 0
        }
    );
    // one record cut out of a chunk (header count fixed up)
    let mut cut = chunks[0].clone();
    cut.drain(7 + RECORD_LEN..7 + 2 * RECORD_LEN);
    cut[6] = 2;
    assert_eq!(
        ExportChunk::decode(&cut).unwrap_err(),
        AuditError::SequenceGap {
            expected: 1,
            found: 2
        }
    );
    // records swapped inside a chunk
    let mut sw = chunks[0].clone();
    let (a, b) = (7..7 + RECORD_LEN, 7 + RECORD_LEN..7 + 2 * RECORD_LEN);
    let ra: Vec<u8> = sw[a.clone()].to_vec();
    let rb: Vec<u8> = sw[b.clone()].to_vec();
    sw[a].copy_from_slice(&rb);
    sw[b].copy_from_slice(&ra);
    assert!(matches!(
        ExportChunk::decode(&sw),
        Err(AuditError::SequenceGap { .. })
    ));
    // last chunk missing
    assert_eq!(
        verify_export(&mut c, &pk, &ch, &s, &chunks[..2]).unwrap_err(),
        AuditError::Incomplete { missing: 2 }
    );
    // bytes truncated
    for ch_bytes in chunks.iter().chain([&s]) {
        for n in 0..ch_bytes.len() {
            assert!(ExportChunk::decode(&ch_bytes[..n]).is_err());
        }
    }
    // an extra record beyond the signed count (from a later export) is refused
    log.append(
        &mut c,
        t(77),
        AuditEvent::KeyUpdate,
        Outcome::Success,
        DEV,
        Detail::NONE,
    )
    .unwrap();
    let mut extra = vec![0u8; 1024];
    let (n, _) = log.export_records(6, 9, 10, &mut extra).unwrap();
    extra.truncate(n);
    let more = vec![chunks[0].clone(), chunks[1].clone(), extra];
    assert_eq!(
        verify_export(&mut c, &pk, &ch, &s, &more).unwrap_err(),
        AuditError::TooManyRecords
    );
}

#[test]
fn audit_export_signed_fields_cannot_be_edited() {
    let (mut c, key, pk) = setup();
    let mut log = log_with::<4>(&mut c, 9);
    let ch = [7u8; CHALLENGE_LEN];
    let (s, chunks) = export(&mut c, &key, &mut log, &ch, 8);
    // every byte of the summary is covered: flipping any bit fails decode or verification
    for i in 0..SUMMARY_LEN {
        for bit in [0x01u8, 0x80] {
            let mut bad = s.clone();
            bad[i] ^= bit;
            assert!(
                verify_export(&mut c, &pk, &ch, &bad, &chunks).is_err(),
                "byte {i}"
            );
        }
    }
    // specifically: hiding overwritten records by lowering the counter
    let mut bad = s.clone();
    bad[45] -= 1; // overwritten, low byte
    assert_eq!(
        verify_export(&mut c, &pk, &ch, &bad, &chunks).unwrap_err(),
        AuditError::SignatureInvalid
    );
}

#[test]
fn audit_export_freshness_and_origin() {
    let (mut c, key, pk) = setup();
    let mut log = log_with::<8>(&mut c, 3);
    let (s, chunks) = export(&mut c, &key, &mut log, &[1; CHALLENGE_LEN], 8);
    // replayed old export answering another challenge
    assert_eq!(
        verify_export(&mut c, &pk, &[2; CHALLENGE_LEN], &s, &chunks).unwrap_err(),
        AuditError::ChallengeMismatch
    );
    // signed by another key
    let other = c.static_key(&[0x22; 32]).unwrap();
    let other_pk = c.p256_public_key(&other).unwrap();
    assert_eq!(
        verify_export(&mut c, &other_pk, &[1; CHALLENGE_LEN], &s, &chunks).unwrap_err(),
        AuditError::SignatureInvalid
    );
    // another device id expected
    let ExportChunk::Summary(sum) = ExportChunk::decode(&s).unwrap() else {
        panic!()
    };
    assert_eq!(
        ExportVerifier::new(&mut c, &sum, &pk, Some([0; 8]), None, &[1; CHALLENGE_LEN])
            .unwrap_err(),
        AuditError::DeviceMismatch
    );
    // unknown version
    let mut v2 = s.clone();
    v2[0] = 3;
    assert_eq!(
        ExportChunk::decode(&v2).unwrap_err(),
        AuditError::UnsupportedVersion
    );
}

fn admin_permit(
    c: &mut DeterministicProvider,
    log: &mut AuditLog<RamAuditStore<8>>,
    op: Operation,
) -> iomt_auth::rbac::RedeemedPermit {
    let mut admin = SessionAuth::new(c, b"admin-1", RoleSet::only(Role::Administrator));
    let v = PinVerifier::derive(c, b"dev", b"2468").unwrap();
    let tag = FactorTag::compute(c, &v, &[9; 32]);
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    let r = fv.verify(c, log, &v, &[9; 32], Some(&tag), admin.subject(), t(0));
    admin.set_factor(FactorOutcome::from_result(r));
    let p = RbacPolicy::DEFAULT
        .authorize(c, log, &mut admin, op, t(0))
        .unwrap();
    admin.redeem(c, p).unwrap()
}

#[test]
fn audit_clear_is_authorized_recorded_and_visible_in_export() {
    let (mut c, key, pk) = setup();
    let mut log = log_with::<8>(&mut c, 5);
    let wrong = admin_permit(&mut c, &mut log, Operation::ManageCredentials);
    assert_eq!(
        log.clear(&mut c, wrong, t(1)).unwrap_err(),
        AuditError::WrongPermit
    );
    let permit = admin_permit(&mut c, &mut log, Operation::ClearAuditLog);
    let held = log.meta().count;
    assert_eq!(log.clear(&mut c, permit, t(2)).unwrap(), held);
    let m = *log.meta();
    assert_eq!((m.count, m.cleared), (1, held)); // only the LogCleared record remains
    log.verify_stored(&mut c).unwrap();
    let rec = log.read(log.first_seq()).unwrap();
    assert_eq!(rec.event, AuditEvent::LogCleared);
    assert_eq!(rec.detail, Detail::from_u32s(held, 0));
    let ch = [3; CHALLENGE_LEN];
    let (s, chunks) = export(&mut c, &key, &mut log, &ch, 8);
    let (v, _) = verify_export(&mut c, &pk, &ch, &s, &chunks).unwrap();
    assert_eq!(v.summary.cleared, held);
    assert_eq!(
        v.summary.first_seq,
        v.summary.cleared + v.summary.overwritten
    );
}

#[test]
fn audit_unaccounted_gap_is_never_signed() {
    // counters that do not explain the records before first_seq (device-side tampering
    // before export): the device refuses to sign, as read and verify_stored report it
    let (mut c, key, _) = setup();
    let log = log_with::<4>(&mut c, 6);
    let mut store = log.into_store();
    let mut m = store.meta_mut().unwrap();
    m.overwritten = 0;
    *store.meta_mut() = Some(m);
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    let first = log.first_seq();
    assert_eq!(
        log.verify_stored(&mut c).unwrap_err(),
        AuditError::Corrupt { seq: first }
    );
    let mut s = vec![0u8; SUMMARY_LEN];
    assert_eq!(
        log.export_summary(&mut c, &key, &[3; CHALLENGE_LEN], t(9), &mut s)
            .unwrap_err(),
        AuditError::Corrupt { seq: first }
    );
}

proptest! {
    #[test]
    fn audit_record_roundtrip(seq: u32, time: u64, ev in 0usize..14, oc in 0usize..3,
                              subject: [u8; 8], detail: [u8; 16]) {
        let r = AuditRecord {
            seq, time: Timestamp::from_secs(time), event: AuditEvent::ALL[ev],
            outcome: Outcome::ALL[oc], subject, detail: Detail(detail),
        };
        prop_assert_eq!(AuditRecord::decode(&r.encode()).unwrap(), r);
    }

    #[test]
    fn audit_export_decode_never_panics_and_roundtrips(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(chunk) = ExportChunk::decode(&data) {
            let mut out = vec![0u8; data.len()];
            prop_assert_eq!(chunk.encode(&mut out).unwrap(), data.len());
            prop_assert_eq!(out, data);
        }
    }

    #[test]
    fn audit_records_chunk_mutations_never_verify(idx in 0usize..(7 + 4 * RECORD_LEN), bit in 0u8..8) {
        let (mut c, key, pk) = setup();
        let mut log = log_with::<8>(&mut c, 4);
        let ch = [7u8; CHALLENGE_LEN];
        let (s, mut chunks) = export(&mut c, &key, &mut log, &ch, 4);
        chunks[0][idx] ^= 1 << bit;
        prop_assert!(verify_export(&mut c, &pk, &ch, &s, &chunks).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random appends, clears and power cuts against a simple model: the log always holds
    /// exactly the last records since the last clear (at most the capacity), the stored
    /// chain verifies, the counters account for every sequence number, and a fresh export
    /// verifies and returns exactly the held records.
    #[test]
    fn audit_ring_matches_model(ops in proptest::collection::vec(0u8..10, 1..40)) {
        let (mut c, key, pk) = setup();
        let mut log = AuditLog::open(&mut c, RamAuditStore::<5>::new(), DEV).unwrap();
        let mut model: Vec<AuditRecord> = Vec::new(); // every record since the last clear
        let mut cleared = 0u32;
        for (i, op) in ops.iter().enumerate() {
            let now = t(i as u64);
            match op {
                0 => {
                    let p = admin_permit_5(&mut c, &mut log, &mut model);
                    let held = log.meta().count;
                    prop_assert_eq!(log.clear(&mut c, p, now).unwrap(), held);
                    cleared += held;
                    let r = log.read(log.meta().next_seq - 1).unwrap();
                    model.clear();
                    model.push(r);
                }
                1 => {
                    // power cut after the entry reached flash, before the metadata
                    let before = *log.meta();
                    let seq = log.append(&mut c, now, AuditEvent::KeyUpdate, Outcome::Success, DEV, Detail::NONE).unwrap();
                    let mut store = log.into_store();
                    *store.meta_mut() = Some(before);
                    log = AuditLog::open(&mut c, store, DEV).unwrap();
                    // replaced by its AppendFailed record, never adopted
                    let r = log.read(seq).unwrap();
                    prop_assert_eq!(r.event, AuditEvent::AppendFailed);
                    model.push(r);
                }
                _ => {
                    let ev = AuditEvent::ALL[usize::from(*op) % AuditEvent::ALL.len()];
                    let seq = log.append(&mut c, now, ev, Outcome::Failure, [*op; 8], Detail::from_u32s(i as u32, 0)).unwrap();
                    model.push(log.read(seq).unwrap());
                }
            }
            log.verify_stored(&mut c).unwrap();
            let m = *log.meta();
            let held: Vec<AuditRecord> = (log.first_seq()..m.next_seq).map(|s| log.read(s).unwrap()).collect();
            let k = model.len().min(5);
            prop_assert_eq!(&held[..], &model[model.len() - k..]);
            prop_assert_eq!(m.cleared, cleared);
            prop_assert_eq!(log.first_seq(), m.overwritten + m.cleared);
        }
        let ch = [9u8; CHALLENGE_LEN];
        let (s, chunks) = export(&mut c, &key, &mut log, &ch, 2);
        let (_, recs) = verify_export(&mut c, &pk, &ch, &s, &chunks).unwrap();
        let k = model.len().min(5);
        prop_assert_eq!(&recs[..], &model[model.len() - k..]);
    }
}

/// A clear permit for a capacity-5 log (the factor check and authorization are recorded
/// too, so the model takes those records).
fn admin_permit_5(
    c: &mut DeterministicProvider,
    log: &mut AuditLog<RamAuditStore<5>>,
    model: &mut Vec<AuditRecord>,
) -> iomt_auth::rbac::RedeemedPermit {
    let mut admin = SessionAuth::new(c, b"admin-1", RoleSet::only(Role::Administrator));
    let v = PinVerifier::derive(c, b"dev", b"2468").unwrap();
    let tag = FactorTag::compute(c, &v, &[9; 32]);
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    let before = log.meta().next_seq;
    let r = fv.verify(c, log, &v, &[9; 32], Some(&tag), admin.subject(), t(0));
    admin.set_factor(FactorOutcome::from_result(r));
    let p = RbacPolicy::DEFAULT
        .authorize(c, log, &mut admin, Operation::ClearAuditLog, t(0))
        .unwrap();
    for s in before..log.meta().next_seq {
        model.push(log.read(s).unwrap());
    }
    admin.redeem(c, p).unwrap()
}

/// A RAM store whose metadata writes can be made to fail (flash full / power loss).
struct FlakyMeta {
    inner: RamAuditStore<8>,
    fail_meta: bool,
}

impl AuditStore for FlakyMeta {
    fn capacity(&self) -> u32 {
        self.inner.capacity()
    }
    fn read_slot(&mut self, slot: u32, out: &mut Entry) -> Result<(), StorageError> {
        self.inner.read_slot(slot, out)
    }
    fn write_slot(&mut self, slot: u32, entry: &Entry) -> Result<(), StorageError> {
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

#[test]
fn audit_clear_and_append_are_atomic_with_their_metadata() {
    let (mut c, _, _) = setup();
    let mut log = log_with::<8>(&mut c, 5);
    let permit = admin_permit(&mut c, &mut log, Operation::ClearAuditLog);
    let store = FlakyMeta {
        inner: log.into_store(),
        fail_meta: true,
    };
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    let before = *log.meta();
    // the clear's record cannot be committed: nothing is cleared, in memory or in flash
    assert_eq!(
        log.clear(&mut c, permit, t(9)).unwrap_err(),
        AuditError::Storage
    );
    assert_eq!(*log.meta(), before);
    assert_eq!(
        log.append(
            &mut c,
            t(9),
            AuditEvent::KeyUpdate,
            Outcome::Success,
            DEV,
            Detail::NONE
        )
        .unwrap_err(),
        AuditError::Storage
    );
    assert_eq!(*log.meta(), before);
    log.verify_stored(&mut c).unwrap();
    // after a reboot the last written entry (it chains from the stored head) is rolled
    // forward as an ordinary record; nothing was discarded
    let mut store = log.into_store();
    store.fail_meta = false;
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    assert_eq!(log.meta().cleared, 0);
    assert_eq!(log.meta().next_seq, before.next_seq + 1);
    log.verify_stored(&mut c).unwrap();
}

/// With a full ring, an append whose metadata write fails has already replaced the
/// oldest held record (as `append`'s `# Errors` says): reading it reports `Corrupt` until
/// a reopen rolls the entry forward, after which the chain verifies again.
#[test]
fn failed_metadata_write_on_a_full_ring_is_rolled_forward() {
    let (mut c, _, _) = setup();
    let log = log_with::<8>(&mut c, 8);
    let store = FlakyMeta {
        inner: log.into_store(),
        fail_meta: true,
    };
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    let before = *log.meta();
    let oldest = log.first_seq();
    assert!(log.read(oldest).is_ok());
    assert_eq!(
        log.append(
            &mut c,
            t(9),
            AuditEvent::KeyUpdate,
            Outcome::Success,
            DEV,
            Detail::NONE
        ),
        Err(AuditError::Storage)
    );
    assert_eq!(*log.meta(), before);
    assert!(matches!(log.read(oldest), Err(AuditError::Corrupt { .. })));
    let mut store = log.into_store();
    store.fail_meta = false;
    let mut log = AuditLog::open(&mut c, store, DEV).unwrap();
    assert_eq!(log.meta().next_seq, before.next_seq + 1);
    assert_eq!(log.first_seq(), oldest + 1);
    log.verify_stored(&mut c).unwrap();
}
