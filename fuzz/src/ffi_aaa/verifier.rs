//! Modes 0, 1 and 5: the export verifier over raw bytes, a single chunk, and the reference
//! export mutated.

use super::*;

// ---- Modes --------------------------------------------------------------------------------

/// 0: raw summary + length-prefixed chunks against the reference key and challenge.
pub(super) fn raw_export(mut b: Bytes<'_>) {
    let reference = reference();
    let flags = b.u8();
    let summary = b.take(IOMT_AUDIT_SUMMARY_LEN).to_vec();
    let mut chunks = Vec::new();
    while !b.is_empty() && chunks.len() < 64 {
        let n = usize::from(b.u16());
        chunks.push(b.take(n).to_vec());
    }
    let device = (flags & 1 == 0).then_some(&DEVICE);
    let mut c = crypto();
    if let Ok(info) = verify(
        &mut c,
        &summary,
        &chunks,
        &reference.public_key,
        device,
        &CHALLENGE,
    ) {
        // Authentic and complete: exactly what the signed summary covers.
        let records = records_of(&chunks);
        assert_eq!(records.len(), info.count as usize);
        for (i, r) in records.iter().enumerate() {
            let seq = u32::from_be_bytes([r[0], r[1], r[2], r[3]]);
            assert_eq!(seq, info.first_seq.wrapping_add(i as u32));
        }
        if summary == reference.export.summary {
            assert_eq!(
                records, reference.records,
                "the reference summary with other records"
            );
            assert_eq!(info, reference.info);
        }
    }
}

/// 1: one record of an arbitrary chunk.
pub(super) fn chunk_record(mut b: Bytes<'_>) {
    let index = usize::from(b.u16());
    let chunk = b.0;
    let mut rec: iomt_audit_record = *zeroed();
    let mut count = usize::MAX;
    // SAFETY: valid pointers.
    let r = unsafe {
        iomt_audit_chunk_record(chunk.as_ptr(), chunk.len(), index, &mut rec, &mut count)
    };
    match r {
        iomt_result::Ok => {
            assert!(index < count);
            assert_eq!(
                chunk.len(),
                IOMT_AUDIT_RECORDS_HEADER_LEN + count * IOMT_AUDIT_RECORD_LEN
            );
            assert!((1..=14).contains(&rec.event) && rec.outcome <= 2);
        }
        iomt_result::NotFound => assert!(index >= count),
        // The header's doc names only AUDIT_MALFORMED; another version byte gives
        // AUDIT_UNSUPPORTED_VERSION, non-consecutive records AUDIT_SEQUENCE_GAP.
        other => assert!(
            (600..700).contains(&(other as u32)),
            "iomt_audit_chunk_record: unexpected {other:?}"
        ),
    }
}

/// 5: the reference export, mutated.
pub(super) fn mutated_export(mut b: Bytes<'_>) {
    let reference = reference();
    let mut chunks = reference.export.chunks.clone();
    let mut summary = reference.export.summary.clone();
    let mut challenge = CHALLENGE;
    while !b.is_empty() {
        let k = chunks.len().max(1);
        match b.u8() % 7 {
            0 => {
                let (i, j, x) = (usize::from(b.u8()) % k, usize::from(b.u16()), b.u8());
                if let Some(byte) = chunks.get_mut(i).and_then(|c| {
                    let n = c.len().max(1);
                    c.get_mut(j % n)
                }) {
                    *byte ^= x;
                }
            }
            1 => {
                let i = usize::from(b.u8()) % k;
                if i < chunks.len() {
                    chunks.remove(i);
                }
            }
            2 => {
                let i = usize::from(b.u8()) % k;
                if let Some(c) = chunks.get(i).cloned() {
                    chunks.insert(i, c);
                }
            }
            3 => {
                let (i, j) = (usize::from(b.u8()) % k, usize::from(b.u8()) % k);
                if i < chunks.len() && j < chunks.len() {
                    chunks.swap(i, j);
                }
            }
            4 => {
                let (i, n) = (usize::from(b.u8()) % k, usize::from(b.u8()));
                if let Some(c) = chunks.get_mut(i) {
                    c.truncate(n);
                }
            }
            5 => {
                let (j, x) = (usize::from(b.u8()) % IOMT_AUDIT_SUMMARY_LEN, b.u8());
                summary[j] ^= x;
            }
            _ => challenge[usize::from(b.u8()) % 16] ^= b.u8() | 1,
        }
    }
    let unchanged = chunks == reference.export.chunks
        && summary == reference.export.summary
        && challenge == CHALLENGE;
    let mut c = crypto();
    let result = verify(
        &mut c,
        &summary,
        &chunks,
        &reference.public_key,
        Some(&DEVICE),
        &challenge,
    );
    if unchanged {
        assert!(result.is_ok(), "the untouched reference export: {result:?}");
    }
    if let Ok(info) = result {
        assert_eq!(
            records_of(&chunks),
            reference.records,
            "a changed export verified"
        );
        assert_eq!(info, reference.info);
        assert_eq!(challenge, CHALLENGE, "another challenge verified");
    }
}
