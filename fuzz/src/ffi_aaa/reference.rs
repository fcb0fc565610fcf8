//! Fixed material: RFC 9529 keys, a reference export and its verifier.

use super::*;

// ---- Fixed material: RFC 9529 keys, a reference export, sessions --------------------------

pub(super) const CHALLENGE: [u8; IOMT_AUDIT_CHALLENGE_LEN] = *b"fuzz-challenge-1";
pub(super) const DEVICE: [u8; 8] = *b"pump0042";
pub(super) const NOW: u64 = 1_850_000_000;
pub(super) const RECORDS_PER_CHUNK: usize = 3;

/// The RFC 9529 responder credential, with its private key.
pub(super) fn responder_credential() -> Box<iomt_credential> {
    kit::credential(kit::SK_R, kit::CRED_R, 0x32)
}

/// The device's signing credential (RFC 9529's responder), set up once per process.
pub(super) fn device_key() -> &'static iomt_credential {
    static K: OnceLock<Box<iomt_credential>> = OnceLock::new();
    K.get_or_init(|| responder_credential())
}

/// Appends `n` application records (varied events, subjects and details).
pub(super) fn fill(c: &mut iomt_crypto, log: &mut iomt_audit_log, n: u32) {
    for i in 0..n {
        let subject = [i as u8; 8];
        let detail = i.to_be_bytes();
        let mut seq = 0;
        // SAFETY: valid pointers.
        ok(unsafe {
            iomt_audit_log_append(
                log,
                c,
                NOW + u64::from(i),
                (i % 14 + 1) as u8,
                (i % 3) as u8,
                if i % 4 == 0 {
                    std::ptr::null()
                } else {
                    subject.as_ptr()
                },
                detail.as_ptr(),
                detail.len(),
                &mut seq,
            )
        });
    }
}

/// An export: the summary and its records chunks.
pub(super) struct Export {
    pub(super) summary: Vec<u8>,
    pub(super) chunks: Vec<Vec<u8>>,
}

/// Exports every held record of `log` for `challenge`, `per_chunk` records per chunk.
pub(super) fn export(
    c: &mut iomt_crypto,
    log: &mut iomt_audit_log,
    key: &iomt_credential,
    challenge: &[u8; 16],
    per_chunk: usize,
) -> Result<Export, iomt_result> {
    let m = meta_of(log);
    let mut summary = vec![0u8; IOMT_AUDIT_SUMMARY_LEN];
    let mut len = 0;
    // SAFETY: valid pointers and buffer.
    let r = unsafe {
        iomt_audit_log_export_summary(
            log,
            c,
            key,
            challenge.as_ptr(),
            NOW + 1000,
            summary.as_mut_ptr(),
            summary.len(),
            &mut len,
        )
    };
    assert_ne!(r, iomt_result::Panic);
    if r != iomt_result::Ok {
        return Err(r);
    }
    assert_eq!(len, IOMT_AUDIT_SUMMARY_LEN);
    let mut chunks = Vec::new();
    let mut from = m.next_seq.wrapping_sub(m.count);
    while from != m.next_seq {
        let mut buf = vec![0u8; IOMT_AUDIT_RECORDS_HEADER_LEN + per_chunk * IOMT_AUDIT_RECORD_LEN];
        let (mut n, mut next) = (0, 0);
        // SAFETY: valid pointers and buffer.
        let r = unsafe {
            iomt_audit_log_export_records(
                log,
                from,
                m.next_seq,
                per_chunk,
                buf.as_mut_ptr(),
                buf.len(),
                &mut n,
                &mut next,
            )
        };
        assert_ne!(r, iomt_result::Panic);
        if r != iomt_result::Ok {
            return Err(r);
        }
        assert!(
            n <= buf.len() && next != from,
            "export_records made no progress"
        );
        buf.truncate(n);
        chunks.push(buf);
        from = next;
    }
    Ok(Export { summary, chunks })
}

/// Verifies an export at the gateway: the first error (of init, feed, finish) or the info.
pub(super) fn verify(
    c: &mut iomt_crypto,
    summary: &[u8],
    chunks: &[Vec<u8>],
    public_key: &[u8],
    device: Option<&[u8; 8]>,
    challenge: &[u8; 16],
) -> Result<iomt_audit_export_info, iomt_result> {
    let mut v = zeroed::<iomt_audit_export_verifier>();
    // SAFETY: valid pointers; `device` is NULL or 8 bytes, the challenge 16.
    let r = unsafe {
        iomt_audit_export_verifier_init(
            &mut *v,
            c,
            summary.as_ptr(),
            summary.len(),
            public_key.as_ptr(),
            public_key.len(),
            device.map_or(std::ptr::null(), |d| d.as_ptr()),
            std::ptr::null(),
            challenge.as_ptr(),
        )
    };
    assert_ne!(r, iomt_result::Panic);
    if r != iomt_result::Ok {
        return Err(r);
    }
    let mut first_err = None;
    for chunk in chunks {
        // SAFETY: a live verifier and a valid chunk.
        let r = unsafe { iomt_audit_export_verifier_feed(&mut *v, c, chunk.as_ptr(), chunk.len()) };
        assert_ne!(r, iomt_result::Panic);
        if r != iomt_result::Ok {
            first_err.get_or_insert(r);
            if first_err != Some(r) {
                assert_eq!(
                    r,
                    iomt_result::ObjectFailed,
                    "a failed verifier stays failed"
                );
            }
        }
    }
    let mut info = iomt_audit_export_info::default();
    // SAFETY: a live verifier and a valid output.
    let r = unsafe { iomt_audit_export_verifier_finish(&mut *v, &mut info) };
    assert_ne!(r, iomt_result::Panic);
    if first_err.is_some() {
        assert_ne!(r, iomt_result::Ok, "finish after a failed feed");
    }
    // A finished (or failed) verifier refuses more.
    // SAFETY: a live verifier and a valid output.
    let again = unsafe { iomt_audit_export_verifier_finish(&mut *v, &mut info) };
    assert_ne!(again, iomt_result::Ok, "finish twice");
    // SAFETY: valid storage.
    ok(unsafe { iomt_audit_export_verifier_deinit(&mut *v) });
    match first_err {
        Some(e) => Err(e),
        None if r == iomt_result::Ok => Ok(info),
        None => Err(r),
    }
}

/// Every record of `chunks` (panics on an undecodable chunk).
pub(super) fn records_of(chunks: &[Vec<u8>]) -> Vec<[u8; 64]> {
    let mut out = Vec::new();
    for chunk in chunks {
        let mut count = 0usize;
        let mut i = 0usize;
        loop {
            let mut rec: iomt_audit_record = *zeroed();
            // SAFETY: valid pointers.
            let r = unsafe {
                iomt_audit_chunk_record(chunk.as_ptr(), chunk.len(), i, &mut rec, &mut count)
            };
            if r == iomt_result::NotFound {
                assert_eq!(i, count);
                break;
            }
            assert_eq!(
                r,
                iomt_result::Ok,
                "a chunk the verifier accepted must decode"
            );
            out.push(record_bytes(&rec));
            i += 1;
        }
    }
    out
}

pub(super) fn record_bytes(r: &iomt_audit_record) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[..4].copy_from_slice(&r.seq.to_be_bytes());
    b[4..12].copy_from_slice(&r.time.to_be_bytes());
    b[12] = r.event;
    b[13] = r.outcome;
    b[14..22].copy_from_slice(&r.subject);
    b[22..38].copy_from_slice(&r.detail);
    b
}

pub(super) struct Reference {
    pub(super) public_key: [u8; IOMT_PUBLIC_KEY_LEN],
    pub(super) export: Export,
    pub(super) records: Vec<[u8; 64]>,
    pub(super) info: iomt_audit_export_info,
}

/// A real export (11 records through an 8-slot ring: 3 overwritten), signed with RFC 9529's responder key.
pub(super) fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(|| {
        let mut c = crypto();
        let key = responder_credential();
        let mut public_key = [0u8; IOMT_PUBLIC_KEY_LEN];
        // SAFETY: valid pointers.
        ok(unsafe { iomt_credential_public_key(&*key, public_key.as_mut_ptr(), public_key.len()) });
        let mut flash = Flash::new(8);
        let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
        ok(r);
        fill(&mut c, &mut log, 11);
        let export = export(&mut c, &mut log, &key, &CHALLENGE, RECORDS_PER_CHUNK).expect("export");
        let records = records_of(&export.chunks);
        let info = verify(
            &mut c,
            &export.summary,
            &export.chunks,
            &public_key,
            Some(&DEVICE),
            &CHALLENGE,
        )
        .expect("the reference export verifies");
        assert_eq!((info.count, info.overwritten, records.len()), (8, 3, 8));
        // SAFETY: valid storage.
        unsafe {
            ok(iomt_audit_log_deinit(&mut *log));
        }
        Reference {
            public_key,
            export,
            records,
            info,
        }
    })
}
