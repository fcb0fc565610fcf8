//! The seed corpus (`IOMT_FFI_AAA_SEEDS`): real signed exports and one input per mode.

use super::*;

// ---- Seeds --------------------------------------------------------------------------------

pub fn write_seeds(dir: &str) {
    let reference = reference();
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).expect("seed dir");
    let put = |name: &str, data: Vec<u8>| std::fs::write(dir.join(name), data).expect("seed");
    let chunked = |flags: u8, summary: &[u8], chunks: &[Vec<u8>]| {
        let mut v = vec![0u8, flags];
        v.extend_from_slice(summary);
        for c in chunks {
            v.extend_from_slice(&(c.len() as u16).to_be_bytes());
            v.extend_from_slice(c);
        }
        v
    };
    put(
        "export_valid",
        chunked(0, &reference.export.summary, &reference.export.chunks),
    );
    put(
        "export_valid_no_device",
        chunked(1, &reference.export.summary, &reference.export.chunks),
    );
    put(
        "export_missing_chunk",
        chunked(0, &reference.export.summary, &reference.export.chunks[..2]),
    );
    // A second export of the same log, one record per chunk.
    {
        let mut c = crypto();
        let key = responder_credential();
        let mut flash = Flash::new(5);
        let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
        ok(r);
        fill(&mut c, &mut log, 4);
        let ex = export(&mut c, &mut log, &key, &CHALLENGE, 1).expect("export");
        put("export_single_records", chunked(0, &ex.summary, &ex.chunks));
        // The flash image of that log, then append, read, verify, export, corrupt, verify.
        let mut v = vec![4u8, 4, flash.present];
        let meta = flash.meta;
        // SAFETY: `iomt_audit_meta` is plain data.
        v.extend_from_slice(unsafe {
            std::slice::from_raw_parts(
                (&meta as *const iomt_audit_meta).cast::<u8>(),
                size_of::<iomt_audit_meta>(),
            )
        });
        for s in &flash.slots {
            v.extend_from_slice(s);
        }
        v.extend_from_slice(&[0, 1]); // no failing callback; sign exports
        v.extend_from_slice(&[0, 9, 1]);
        v.extend_from_slice(b"subject!");
        v.extend_from_slice(&[4, 1, 2, 3, 4]);
        v.extend_from_slice(&[1, 1, 2, 2, 4, 2, 30, 0x40, 2]);
        put("flash_image_ops", v);
        // SAFETY: valid storage.
        ok(unsafe { iomt_audit_log_deinit(&mut *log) });
    }
    for (i, c) in reference.export.chunks.iter().enumerate() {
        let mut v = vec![1u8, 0, i as u8];
        v.extend_from_slice(c);
        put(&format!("chunk_record_{i}"), v);
    }
    // The library's default table as explicit rules, then every session × operation.
    let default: [(u8, u8, u8); 20] = [
        (0, 0, 0),
        (0, 1, 0),
        (1, 0, 0),
        (1, 1, 0),
        (1, 2, 0),
        (1, 3, 1),
        (2, 0, 0),
        (2, 1, 0),
        (2, 2, 0),
        (3, 5, 0),
        (3, 4, 1),
        (4, 0, 0),
        (5, 5, 0),
        (5, 6, 1),
        (5, 7, 1),
        (6, 0, 0),
        (6, 1, 0),
        (8, 0, 0),
        (8, 1, 0),
        (8, 5, 0),
    ];
    let mut v = vec![2u8, default.len() as u8];
    for (r, o, q) in default {
        v.extend_from_slice(&[r, o, q]);
    }
    for s in 0..8u8 {
        for op in 0..8u8 {
            v.extend_from_slice(&[s, op]);
        }
    }
    put("rbac_default_table", v);
    // Consent: a permit tag allowing break-glass; a nurse/emergency session.
    let mut tag: iomt_consent_tag = *zeroed();
    tag.version = 1;
    tag.permit = 1;
    tag.break_glass = 1;
    tag.confidentiality = 3;
    tag.consent_ref = [7; 32];
    tag.revision = 2;
    tag.purposes = 1;
    tag.valid_from = NOW - 1000;
    tag.valid_until = NOW + 1000;
    tag.roles = 1 << 2;
    tag.actions = 1 << 1;
    tag.classes = 1;
    for (name, role, purpose) in [
        ("consent_permit", 2u8, 0u8),
        ("consent_break_glass", 6, 1),
        ("consent_denied", 2, 5),
    ] {
        let mut req: iomt_access_request = *zeroed();
        req.role = role;
        req.purpose = purpose;
        req.action = 1;
        req.data_class = 0;
        req.now = NOW;
        let mut v = vec![3u8, 5];
        v.extend_from_slice(&900u64.to_be_bytes());
        // SAFETY: plain-data structs (padding bytes were zeroed).
        unsafe {
            v.extend_from_slice(std::slice::from_raw_parts(
                (&tag as *const iomt_consent_tag).cast::<u8>(),
                size_of::<iomt_consent_tag>(),
            ));
            v.extend_from_slice(std::slice::from_raw_parts(
                (&req as *const iomt_access_request).cast::<u8>(),
                size_of::<iomt_access_request>(),
            ));
        }
        put(name, v);
    }
    // Updates: genuine manifest and image (in 64-byte chunks), a downgrade, a raw envelope.
    let put_update = |name: &str, v: Vec<u8>, want: iomt_result| {
        assert_eq!(update(Bytes(&v[1..])), want, "seed {name}");
        put(name, v);
    };
    put_update(
        "update_genuine",
        vec![6u8, 0, 1, 64, 64, 64, 64],
        iomt_result::Ok,
    );
    put_update(
        "update_downgrade",
        vec![6u8, 1, 2, 64, 64, 64, 64],
        iomt_result::UpdateDowngrade,
    );
    put_update(
        "update_wrong_permit",
        vec![6u8, 4, 1, 64],
        iomt_result::AuthzWrongPermit,
    );
    put_update(
        "update_bad_image",
        vec![6u8, 8, 1, 64, 1, 2, 3],
        iomt_result::UpdateImageTruncated,
    );
    let mut raw = vec![6u8, 3 | 8, 1, updates().envelopes[0].0.len() as u8];
    raw.extend_from_slice(&updates().envelopes[0].0);
    raw.push(IMAGE_LEN as u8);
    raw.extend_from_slice(&image());
    put_update("update_raw_envelope_raw_image", raw, iomt_result::Ok);
    put("mutated_export_identity", vec![5u8]);
    put("mutated_export_flip", vec![5u8, 0, 1, 0, 20, 0x10]);
}
