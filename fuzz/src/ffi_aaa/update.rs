//! Mode 6: firmware updates with raw or genuine manifests and images, any installed
//! version, the right or a wrong permit.

use super::*;

// ---- Firmware updates ------------------------------------------------------------------

pub(super) const VENDOR_ID: u32 = 0x494f_4d54;
pub(super) const DEVICE_CLASS: u32 = 7;
pub(super) const IMAGE_LEN: usize = 200;

/// Vendor-signed manifests (versions 3 and 1) for `image()`, and the anchor that trusts them.
pub(super) struct Updates {
    pub(super) anchor: iomt_vendor_anchor,
    pub(super) envelopes: Vec<(Vec<u8>, iomt_auth::update::Manifest)>,
}

pub(super) fn image() -> Vec<u8> {
    (0..IMAGE_LEN).map(|i| (i * 13 + 5) as u8).collect()
}

pub(super) fn updates() -> &'static Updates {
    use ::iomt_crypto::prelude::*;
    static U: OnceLock<Updates> = OnceLock::new();
    U.get_or_init(|| {
        let mut p = ::iomt_crypto::DeterministicProvider::new();
        let vendor = p.p256_import_key(&[0x5e; 32]).expect("vendor key");
        let public_key = p
            .p256_public_key(&vendor)
            .expect("vendor public key")
            .to_sec1_uncompressed();
        let digest = p.sha256(&image());
        let envelopes = [(3, 1), (1, 0)]
            .into_iter()
            .map(|(version, min_version)| {
                let m = iomt_auth::update::Manifest {
                    vendor_id: VENDOR_ID,
                    device_class: DEVICE_CLASS,
                    version,
                    min_version,
                    image_size: IMAGE_LEN as u32,
                    digest,
                };
                let mut out = vec![0u8; IOMT_UPDATE_MAX_ENVELOPE_LEN];
                let n = m.sign(&mut p, &vendor, &mut out).expect("sign");
                out.truncate(n);
                (out, m)
            })
            .collect();
        Updates {
            anchor: iomt_vendor_anchor {
                vendor_id: VENDOR_ID,
                device_class: DEVICE_CLASS,
                public_key,
            },
            envelopes,
        }
    })
}

pub(super) struct Counter {
    pub(super) value: u32,
    pub(super) fail: bool,
}

pub(super) unsafe extern "C" fn counter_current(ud: *mut c_void, value: *mut u32) -> i32 {
    // SAFETY: `ud` is a live `Counter`; `value` a valid output.
    let c = unsafe { &mut *ud.cast::<Counter>() };
    if c.fail {
        return -1;
    }
    // SAFETY: as above.
    unsafe { *value = c.value };
    0
}

pub(super) unsafe extern "C" fn counter_advance(ud: *mut c_void, to: u32) -> i32 {
    // SAFETY: `ud` is a live `Counter`.
    let c = unsafe { &mut *ud.cast::<Counter>() };
    if c.fail || to < c.value {
        return -1;
    }
    c.value = to;
    0
}

/// 6: an update from begin to finish; returns the result of begin if it failed, else of
/// finish.
pub(super) fn update(mut b: Bytes<'_>) -> iomt_result {
    let u = updates();
    let flags = b.u8();
    let mut counter = Box::new(Counter {
        value: u32::from(b.u8() % 5),
        fail: flags & 0x10 != 0,
    });
    let installed = counter.value;
    let envelope = match flags & 3 {
        0 => u.envelopes[0].0.clone(),
        1 => u.envelopes[1].0.clone(),
        2 => {
            let mut e = u.envelopes[0].0.clone();
            let (i, x) = (usize::from(b.u8()) % e.len(), b.u8());
            e[i] ^= x;
            e
        }
        _ => {
            let n = usize::from(b.u8());
            b.take(n).to_vec()
        }
    };
    let ops = iomt_rollback_counter_ops {
        userdata: (&mut *counter as *mut Counter).cast(),
        current: Some(counter_current),
        advance: Some(counter_advance),
    };
    let mut c = crypto();
    let mut flash = Flash::new(4);
    let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
    ok(r);
    // The technician with the factor: a firmware-update permit (or a read-log one).
    let tech = &sessions()[1];
    let op = if flags & 4 == 0 { 4 } else { 5 };
    let mut permit = zeroed::<iomt_permit>();
    let mut auth = kit::duplicate_session_auth(&tech.auth);
    ok(authorize(
        &policy_default(),
        &mut c,
        &mut log,
        &mut auth,
        op,
        &mut permit,
    ));
    let mut up = zeroed::<iomt_update>();
    // SAFETY: live objects, valid storage and buffers.
    let r = unsafe {
        iomt_update_begin(
            &mut *up,
            &mut *c,
            &mut *log,
            &mut *auth,
            &mut *permit,
            &u.anchor,
            envelope.as_ptr(),
            envelope.len(),
            &ops,
            NOW,
        )
    };
    assert_ne!(r, iomt_result::Panic);
    assert_eq!(counter.value, installed, "begin moved the counter");
    if r != iomt_result::Ok {
        let rec = last_record(&mut log);
        if op == 4 && r as u32 >= 700 && (r as u32) < 800 {
            assert_eq!(rec.event, 13, "a rejected update is audited");
        }
        return r;
    }
    assert_eq!(op, 4, "begin accepted another operation's permit");
    let signed = u
        .envelopes
        .iter()
        .find(|(e, _)| *e == envelope)
        .map(|(_, m)| *m)
        .expect("begin accepted an envelope the vendor did not sign");
    assert!(signed.version > installed && installed >= signed.min_version);
    let genuine = image();
    let mut streamed = Vec::new();
    let mut write_err = None;
    while !b.is_empty() {
        let n = usize::from(b.u8());
        let chunk = if flags & 8 == 0 {
            let at = streamed.len().min(genuine.len());
            genuine[at..(at + n).min(genuine.len())].to_vec()
        } else {
            b.take(n).to_vec()
        };
        // SAFETY: a live update and a valid chunk.
        let r = unsafe { iomt_update_write(&mut *up, chunk.as_ptr(), chunk.len()) };
        assert_ne!(r, iomt_result::Panic);
        if r == iomt_result::Ok {
            assert!(write_err.is_none(), "a write after a refused one succeeded");
            streamed.extend_from_slice(&chunk);
        } else {
            write_err.get_or_insert(r);
        }
        if streamed.len() >= genuine.len() && flags & 8 == 0 {
            break;
        }
    }
    let mut info = iomt_update_info::default();
    // SAFETY: live objects and a valid output.
    let r = unsafe { iomt_update_finish(&mut *up, &mut *c, &mut *log, &ops, NOW, &mut info) };
    assert_ne!(r, iomt_result::Panic);
    if r == iomt_result::Ok {
        assert!(write_err.is_none());
        assert_eq!(
            streamed, genuine,
            "accepted an image that is not the signed one"
        );
        assert_eq!(
            (info.accepted, info.version, info.previous_version),
            (1, signed.version, installed)
        );
        assert_eq!(counter.value, signed.version);
        let rec = last_record(&mut log);
        assert_eq!((rec.event, rec.seq), (12, info.audit_seq));
    } else {
        assert_eq!(
            counter.value, installed,
            "a rejected update moved the counter"
        );
    }
    // SAFETY: valid storage.
    unsafe {
        ok(iomt_update_deinit(&mut *up));
        ok(iomt_permit_deinit(&mut *permit));
        ok(iomt_session_auth_deinit(&mut *auth));
        ok(iomt_audit_log_deinit(&mut *log));
    }
    r
}

/// The library's default policy (boxed, initialized once per call).
pub(super) fn policy_default() -> Box<iomt_rbac_policy> {
    let mut p = zeroed::<iomt_rbac_policy>();
    // SAFETY: valid storage.
    ok(unsafe { iomt_rbac_policy_init_default(&mut *p) });
    p
}
