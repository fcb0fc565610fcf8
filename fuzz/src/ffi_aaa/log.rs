//! Mode 4: an audit log over a RAM store whose contents and callback failures the fuzzer
//! controls.

use super::*;

/// 4: a log over fuzzer-controlled flash.
pub(super) fn flash_log(mut b: Bytes<'_>) {
    let reference = reference();
    let capacity = usize::from(b.u8() % 8) + 1;
    let mut flash = Flash::new(capacity);
    flash.present = b.u8() & 1;
    flash.meta = b.pod();
    for slot in &mut flash.slots {
        let bytes = b.take(ENTRY);
        slot[..bytes.len()].copy_from_slice(bytes);
    }
    let fail = b.u8();
    flash.fail_at = fail.checked_sub(1).map(u32::from);
    let mut c = crypto();
    let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
    if r != iomt_result::Ok {
        return;
    }
    let key = (b.u8() & 1 != 0).then(device_key);
    let mut steps = 0;
    // An append failed with a storage error: the next append first writes its AppendFailed
    // record (at the failed record's sequence number).
    let mut pending = false;
    while !b.is_empty() && steps < 32 {
        steps += 1;
        match b.u8() % 5 {
            0 => {
                let before = meta_of(&log);
                let (event, outcome) = (b.u8() % 16, b.u8() % 4);
                let subject: [u8; 8] = b.pod();
                let len = usize::from(b.u8() % 20);
                let detail = b.take(len).to_vec();
                let mut seq = u32::MAX;
                // SAFETY: valid pointers.
                let r = unsafe {
                    iomt_audit_log_append(
                        &mut *log,
                        &mut *c,
                        NOW,
                        event,
                        outcome,
                        subject.as_ptr(),
                        detail.as_ptr(),
                        detail.len(),
                        &mut seq,
                    )
                };
                assert_ne!(r, iomt_result::Panic);
                let after = meta_of(&log);
                let voided = u32::from(pending);
                if r == iomt_result::Ok {
                    pending = false;
                    assert_eq!(seq, before.next_seq.wrapping_add(voided));
                    assert_eq!(after.next_seq, before.next_seq.wrapping_add(voided + 1));
                    let mut rec: iomt_audit_record = *zeroed();
                    // SAFETY: valid pointers.
                    let r = unsafe { iomt_audit_log_read(&mut *log, seq, &mut rec) };
                    if r == iomt_result::Ok {
                        assert_eq!(
                            (rec.seq, rec.event, rec.outcome, rec.subject),
                            (seq, event, outcome, subject)
                        );
                        assert_eq!(&rec.detail[..detail.len()], &detail[..]);
                    } else {
                        assert_eq!(
                            r,
                            iomt_result::AuditStorage,
                            "reading back what was just appended"
                        );
                    }
                } else if pending && after != before {
                    // the AppendFailed record of the earlier failure was committed
                    assert_eq!(after.next_seq, before.next_seq.wrapping_add(1));
                    pending = r == iomt_result::AuditStorage;
                } else {
                    assert_eq!(after, before, "a failed append changed the log");
                    pending |= r == iomt_result::AuditStorage;
                }
            }
            1 => {
                let m = meta_of(&log);
                let seq = m.next_seq.wrapping_sub(u32::from(b.u8()));
                let mut rec: iomt_audit_record = *zeroed();
                // SAFETY: valid pointers.
                let r = unsafe { iomt_audit_log_read(&mut *log, seq, &mut rec) };
                assert_ne!(r, iomt_result::Panic);
                if r == iomt_result::Ok {
                    assert_eq!(rec.seq, seq);
                    assert!(
                        m.next_seq.wrapping_sub(seq) <= m.count && seq != m.next_seq,
                        "read a record not held"
                    );
                }
            }
            2 | 3 => {
                // SAFETY: valid pointers.
                let verified = unsafe { iomt_audit_log_verify(&mut *log, &mut *c) };
                assert_ne!(verified, iomt_result::Panic);
                let Some(key) = key else { continue };
                let per_chunk = usize::from(b.u8() % 9) + 1;
                let Ok(ex) = export(&mut c, &mut log, key, &CHALLENGE, per_chunk) else {
                    continue;
                };
                let m = meta_of(&log);
                let result = verify(
                    &mut c,
                    &ex.summary,
                    &ex.chunks,
                    &reference.public_key,
                    Some(&DEVICE),
                    &CHALLENGE,
                );
                if verified == iomt_result::Ok && flash.fail_at.is_none() {
                    if result == Err(iomt_result::AuditRingInconsistent) {
                        // Fuzzer-written metadata can hide records as if the ring had
                        // wrapped: the chain verifies locally, the signed capacity shows it.
                        let first = m.next_seq.wrapping_sub(m.count);
                        let cap = u32::try_from(capacity).unwrap_or(u32::MAX);
                        let mut oldest_is_clear = || {
                            let mut rec: iomt_audit_record = *zeroed();
                            // SAFETY: valid pointers.
                            let r = unsafe { iomt_audit_log_read(&mut *log, first, &mut rec) };
                            r == iomt_result::Ok && rec.event == 14
                        };
                        assert!(
                            m.count > cap
                                || (m.count == 0 && first != 0)
                                || (m.count < cap && first != 0 && !oldest_is_clear()),
                            "ring refused for a consistent ring: {m:?}"
                        );
                        continue;
                    }
                    let info = result.unwrap_or_else(|e| {
                        panic!("a log that verifies exported an export that does not: {e:?}")
                    });
                    assert_eq!(
                        (info.count, info.first_seq),
                        (m.count, m.next_seq.wrapping_sub(m.count))
                    );
                }
            }
            _ => {
                // Flash corruption after init.
                let i = usize::from(b.u8()) % capacity;
                let j = usize::from(b.u8()) % ENTRY;
                flash.slots[i][j] ^= b.u8() | 1;
            }
        }
    }
    // SAFETY: valid storage.
    ok(unsafe { iomt_audit_log_deinit(&mut *log) });
}
