//! The signed audit export and the gateway's verifier through the C API: a genuine export
//! verifies, and every tampering is detected.

use super::aaa::{DEVICE_ID, NOW, append, flash, meta, open_log};
use super::*;

pub(super) struct Export {
    summary: Vec<u8>,
    chunks: Vec<Vec<u8>>,
}

pub(super) fn export(
    c: &mut Crypto,
    log: &mut iomt_audit_log,
    key: &iomt_credential,
    challenge: &[u8; 16],
) -> Export {
    let mut summary = vec![0u8; IOMT_AUDIT_SUMMARY_LEN];
    let mut n = 0usize;
    let r = unsafe {
        iomt_audit_log_export_summary(
            log,
            c.ptr(),
            key,
            challenge.as_ptr(),
            NOW + 10,
            summary.as_mut_ptr(),
            summary.len(),
            &raw mut n,
        )
    };
    assert_eq!((r, n), (iomt_result::Ok, IOMT_AUDIT_SUMMARY_LEN));
    let m = meta(log);
    let mut seq = m.next_seq - m.count;
    let mut chunks = Vec::new();
    while seq < m.next_seq {
        let mut buf = vec![0u8; IOMT_AUDIT_RECORDS_HEADER_LEN + 2 * IOMT_AUDIT_RECORD_LEN];
        let (mut len, mut next) = (0usize, 0u32);
        let r = unsafe {
            iomt_audit_log_export_records(
                log,
                seq,
                m.next_seq,
                10,
                buf.as_mut_ptr(),
                buf.len(),
                &raw mut len,
                &raw mut next,
            )
        };
        assert_eq!(r, iomt_result::Ok);
        buf.truncate(len);
        chunks.push(buf);
        seq = next;
    }
    Export { summary, chunks }
}

pub(super) fn public_key(cred: &iomt_credential) -> [u8; IOMT_PUBLIC_KEY_LEN] {
    let mut pk = [0u8; IOMT_PUBLIC_KEY_LEN];
    assert_eq!(
        unsafe { iomt_credential_public_key(cred, pk.as_mut_ptr(), pk.len()) },
        iomt_result::Ok
    );
    pk
}

/// Runs the gateway verifier; returns the first error (or the info).
fn verify_export(
    c: &mut Crypto,
    e: &Export,
    pk: &[u8],
    device: Option<&[u8; 8]>,
    challenge: &[u8; 16],
) -> Result<iomt_audit_export_info, iomt_result> {
    verify_export_from(c, e, pk, device, None, challenge)
}

/// [`verify_export`] against the gateway's last checkpoint of the device.
pub(super) fn verify_export_from(
    c: &mut Crypto,
    e: &Export,
    pk: &[u8],
    device: Option<&[u8; 8]>,
    last: Option<&[u8; IOMT_AUDIT_CHECKPOINT_LEN]>,
    challenge: &[u8; 16],
) -> Result<iomt_audit_export_info, iomt_result> {
    let mut v = zeroed::<iomt_audit_export_verifier>();
    unsafe {
        let r = iomt_audit_export_verifier_init(
            &raw mut *v,
            c.ptr(),
            e.summary.as_ptr(),
            e.summary.len(),
            pk.as_ptr(),
            pk.len(),
            device.map_or(null(), |d| d.as_ptr()),
            last.map_or(null(), |d| d.as_ptr()),
            challenge.as_ptr(),
        );
        if r != iomt_result::Ok {
            return Err(r);
        }
        for ch in &e.chunks {
            let r = iomt_audit_export_verifier_feed(&raw mut *v, c.ptr(), ch.as_ptr(), ch.len());
            if r != iomt_result::Ok {
                // A failed verifier stays failed.
                let mut info = MaybeUninit::uninit();
                let again = iomt_audit_export_verifier_finish(&raw mut *v, info.as_mut_ptr());
                assert_eq!(again, iomt_result::ObjectFailed);
                return Err(r);
            }
        }
        let mut info = MaybeUninit::uninit();
        let r = iomt_audit_export_verifier_finish(&raw mut *v, info.as_mut_ptr());
        let result = if r == iomt_result::Ok {
            Ok(info.assume_init())
        } else {
            Err(r)
        };
        let mut info2 = MaybeUninit::uninit();
        let again = iomt_audit_export_verifier_finish(&raw mut *v, info2.as_mut_ptr());
        assert_ne!(again, iomt_result::Ok, "finish succeeds once at most");
        assert_eq!(
            iomt_audit_export_verifier_deinit(&raw mut *v),
            iomt_result::Ok
        );
        result
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn audit_export_verifies_and_every_tampering_is_detected() {
    let mut c = Crypto::new(8);
    let dev = device();
    let pk = public_key(&dev.cred);
    let mut f = flash(4);
    let mut log = open_log(&mut c, &mut f);
    for i in 0..7u8 {
        assert_eq!(append(&mut c, &mut log, 6, &[i]), iomt_result::Ok);
    }
    let challenge = [0x5a; 16];
    let e = export(&mut c, &mut log, &dev.cred, &challenge);
    assert_eq!(e.chunks.len(), 2, "4 held records in chunks of 2");

    let info = verify_export(&mut c, &e, &pk, Some(&DEVICE_ID), &challenge).unwrap();
    assert_eq!(
        (
            info.first_seq,
            info.count,
            info.overwritten,
            info.cleared,
            info.device
        ),
        (3, 4, 3, 0, DEVICE_ID)
    );
    assert_eq!(info.head, meta(&log).head);

    // Records of a chunk decode for display.
    let (mut rec, mut count) = (MaybeUninit::uninit(), 0usize);
    let r = unsafe {
        iomt_audit_chunk_record(
            e.chunks[1].as_ptr(),
            e.chunks[1].len(),
            1,
            rec.as_mut_ptr(),
            &raw mut count,
        )
    };
    assert_eq!((r, count), (iomt_result::Ok, 2));
    assert_eq!(unsafe { rec.assume_init() }.seq, 6);
    let r = unsafe {
        iomt_audit_chunk_record(
            e.chunks[1].as_ptr(),
            e.chunks[1].len(),
            2,
            rec.as_mut_ptr(),
            &raw mut count,
        )
    };
    assert_eq!(r, iomt_result::NotFound);

    let expect = |e: &Export, c: &mut Crypto, want: iomt_result, what: &str| {
        let got = verify_export(c, e, &pk, Some(&DEVICE_ID), &challenge);
        assert_eq!(got.err(), Some(want), "{what}");
    };
    let mut edited = Export {
        summary: e.summary.clone(),
        chunks: e.chunks.clone(),
    };
    edited.chunks[0][IOMT_AUDIT_RECORDS_HEADER_LEN + 30] ^= 0x01;
    expect(
        &edited,
        &mut c,
        iomt_result::AuditChainMismatch,
        "edited record",
    );
    let dropped = Export {
        summary: e.summary.clone(),
        chunks: vec![e.chunks[1].clone()],
    };
    expect(
        &dropped,
        &mut c,
        iomt_result::AuditSequenceGap,
        "first chunk dropped",
    );
    let truncated = Export {
        summary: e.summary.clone(),
        chunks: vec![e.chunks[0].clone()],
    };
    expect(
        &truncated,
        &mut c,
        iomt_result::AuditIncomplete,
        "last chunk dropped",
    );
    let reordered = Export {
        summary: e.summary.clone(),
        chunks: vec![e.chunks[1].clone(), e.chunks[0].clone()],
    };
    expect(
        &reordered,
        &mut c,
        iomt_result::AuditSequenceGap,
        "chunks reordered",
    );
    let doubled = Export {
        summary: e.summary.clone(),
        chunks: vec![
            e.chunks[0].clone(),
            e.chunks[1].clone(),
            e.chunks[1].clone(),
        ],
    };
    expect(
        &doubled,
        &mut c,
        iomt_result::AuditSequenceGap,
        "chunk repeated",
    );
    let mut forged = Export {
        summary: e.summary.clone(),
        chunks: e.chunks.clone(),
    };
    forged.summary[40] ^= 0x80;
    expect(
        &forged,
        &mut c,
        iomt_result::AuditSignatureInvalid,
        "summary edited",
    );
    let not_summary = Export {
        summary: e.chunks[0].clone(),
        chunks: vec![],
    };
    expect(
        &not_summary,
        &mut c,
        iomt_result::AuditMalformed,
        "chunk as summary",
    );
    let summary_as_chunk = Export {
        summary: e.summary.clone(),
        chunks: vec![e.summary.clone()],
    };
    expect(
        &summary_as_chunk,
        &mut c,
        iomt_result::AuditMalformed,
        "summary as chunk",
    );

    let got = verify_export(&mut c, &e, &pk, Some(&DEVICE_ID), &[0; 16]);
    assert_eq!(
        got.err(),
        Some(iomt_result::AuditChallengeMismatch),
        "replayed export"
    );
    let got = verify_export(&mut c, &e, &pk, Some(&[1; 8]), &challenge);
    assert_eq!(got.err(), Some(iomt_result::AuditDeviceMismatch));
    let other = public_key(&gateway().cred);
    let got = verify_export(&mut c, &e, &other, None, &challenge);
    assert_eq!(
        got.err(),
        Some(iomt_result::AuditSignatureInvalid),
        "another device's key"
    );
    let got = verify_export(&mut c, &e, &pk[..33], None, &challenge);
    assert_eq!(got.err(), Some(iomt_result::CryptoInvalidLength));
    let mut off_curve = pk;
    off_curve[64] ^= 1;
    let got = verify_export(&mut c, &e, &off_curve, None, &challenge);
    assert_eq!(got.err(), Some(iomt_result::CryptoInvalidPublicKey));

    // Short buffers report the size needed and write nothing else.
    let mut small = [0u8; 10];
    let mut n = 0usize;
    let r = unsafe {
        iomt_audit_log_export_summary(
            &raw mut *log,
            c.ptr(),
            &raw const *dev.cred,
            challenge.as_ptr(),
            NOW,
            small.as_mut_ptr(),
            10,
            &raw mut n,
        )
    };
    assert_eq!(
        (r, n, small),
        (iomt_result::BufferTooSmall, IOMT_AUDIT_SUMMARY_LEN, [0; 10])
    );
}
