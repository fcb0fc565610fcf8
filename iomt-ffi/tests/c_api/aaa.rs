//! Tests of the authorization and accounting C API: audit log over C callbacks, signed
//! export and its verifier, RBAC, the operator factor through a real handshake, consent
//! enforcement with break-glass.

use super::*;
use iomt_auth::rbac::SessionAuth;
use iomt_core::RoleSet;

// --------------------------------------------------------------------------------------
// A RAM "flash" behind the audit and factor callbacks.

#[derive(Default)]
pub(super) struct Flash {
    pub(super) slots: Vec<[u8; IOMT_AUDIT_ENTRY_LEN]>,
    pub(super) meta: Option<iomt_audit_meta>,
    pub(super) fail_write_slot: bool,
    fail_store_meta: bool,
    pub(super) factor: iomt_lockout_table,
    fail_factor_store: bool,
}

unsafe extern "C" fn read_slot(u: *mut c_void, slot: u32, entry: *mut u8) -> i32 {
    let f = unsafe { &mut *u.cast::<Flash>() };
    let Some(s) = f.slots.get(slot as usize) else {
        return -1;
    };
    unsafe { core::ptr::copy_nonoverlapping(s.as_ptr(), entry, IOMT_AUDIT_ENTRY_LEN) };
    0
}

unsafe extern "C" fn write_slot(u: *mut c_void, slot: u32, entry: *const u8) -> i32 {
    let f = unsafe { &mut *u.cast::<Flash>() };
    if f.fail_write_slot {
        return -1;
    }
    let Some(s) = f.slots.get_mut(slot as usize) else {
        return -1;
    };
    unsafe { core::ptr::copy_nonoverlapping(entry, s.as_mut_ptr(), IOMT_AUDIT_ENTRY_LEN) };
    0
}

unsafe extern "C" fn load_meta(
    u: *mut c_void,
    meta: *mut iomt_audit_meta,
    present: *mut u8,
) -> i32 {
    let f = unsafe { &mut *u.cast::<Flash>() };
    unsafe {
        *present = u8::from(f.meta.is_some());
        if let Some(m) = f.meta {
            *meta = m;
        }
    }
    0
}

unsafe extern "C" fn store_meta(u: *mut c_void, meta: *const iomt_audit_meta) -> i32 {
    let f = unsafe { &mut *u.cast::<Flash>() };
    if f.fail_store_meta {
        return -1;
    }
    f.meta = Some(unsafe { *meta });
    0
}

unsafe extern "C" fn factor_load(u: *mut c_void, s: *mut iomt_lockout_table) -> i32 {
    let f = unsafe { &mut *u.cast::<Flash>() };
    unsafe { *s = f.factor };
    0
}

unsafe extern "C" fn factor_store(u: *mut c_void, s: *const iomt_lockout_table) -> i32 {
    let f = unsafe { &mut *u.cast::<Flash>() };
    if f.fail_factor_store {
        return -1;
    }
    f.factor = unsafe { *s };
    0
}

pub(super) fn flash(capacity: usize) -> Box<Flash> {
    Box::new(Flash {
        slots: vec![[0xff; IOMT_AUDIT_ENTRY_LEN]; capacity],
        ..Flash::default()
    })
}

fn ops(f: &mut Flash) -> iomt_audit_store_ops {
    iomt_audit_store_ops {
        userdata: core::ptr::from_mut(f).cast(),
        capacity: u32::try_from(f.slots.len()).unwrap(),
        read_slot: Some(read_slot),
        write_slot: Some(write_slot),
        load_meta: Some(load_meta),
        store_meta: Some(store_meta),
    }
}

pub(super) const DEVICE_ID: [u8; 8] = [0xd0; 8];
pub(super) const NOW: u64 = 1_800_000_000;

pub(super) fn open_log(c: &mut Crypto, f: &mut Flash) -> Box<iomt_audit_log> {
    let mut log = zeroed::<iomt_audit_log>();
    let o = ops(f);
    let r =
        unsafe { iomt_audit_log_init(&raw mut *log, c.ptr(), &raw const o, DEVICE_ID.as_ptr()) };
    assert_eq!(r, iomt_result::Ok);
    log
}

pub(super) fn meta(log: &iomt_audit_log) -> iomt_audit_meta {
    let mut m = MaybeUninit::uninit();
    assert_eq!(
        unsafe { iomt_audit_log_meta(log, m.as_mut_ptr()) },
        iomt_result::Ok
    );
    unsafe { m.assume_init() }
}

pub(super) fn record(log: &mut iomt_audit_log, seq: u32) -> iomt_audit_record {
    let mut r = MaybeUninit::uninit();
    assert_eq!(
        unsafe { iomt_audit_log_read(log, seq, r.as_mut_ptr()) },
        iomt_result::Ok
    );
    unsafe { r.assume_init() }
}

pub(super) fn append(
    c: &mut Crypto,
    log: &mut iomt_audit_log,
    event: u8,
    detail: &[u8],
) -> iomt_result {
    let mut seq = 0u32;
    unsafe {
        iomt_audit_log_append(
            log,
            c.ptr(),
            NOW,
            event,
            0,
            null(),
            detail.as_ptr(),
            detail.len(),
            &raw mut seq,
        )
    }
}

/// A session auth built directly (for RBAC tests that need no handshake).
pub(super) fn auth_for(c: &mut Crypto, identity: &[u8], roles: u16) -> Box<iomt_session_auth> {
    let mut a = zeroed::<iomt_session_auth>();
    let provider = unsafe { provider(c.ptr()) };
    let auth = SessionAuth::new(provider, identity, RoleSet::from_bits(roles).unwrap());
    unsafe { init_session_auth(&raw mut *a, auth) };
    a
}

// --------------------------------------------------------------------------------------
// Boundary checks (no P-256: these run under Miri too).

#[test]
fn aaa_storage_sizes_match_the_header() {
    let header = include_str!("../../include/iomt.h");
    for (name, value) in [
        ("IOMT_AUDIT_LOG_SIZE", IOMT_AUDIT_LOG_SIZE),
        (
            "IOMT_AUDIT_EXPORT_VERIFIER_SIZE",
            IOMT_AUDIT_EXPORT_VERIFIER_SIZE,
        ),
        ("IOMT_SESSION_AUTH_SIZE", IOMT_SESSION_AUTH_SIZE),
        ("IOMT_RBAC_POLICY_SIZE", IOMT_RBAC_POLICY_SIZE),
        ("IOMT_PERMIT_SIZE", IOMT_PERMIT_SIZE),
        ("IOMT_FACTOR_VERIFIER_SIZE", IOMT_FACTOR_VERIFIER_SIZE),
        ("IOMT_AUDIT_ENTRY_LEN", IOMT_AUDIT_ENTRY_LEN),
        ("IOMT_FACTOR_EAD_LABEL", 65_550),
    ] {
        let line = format!("#define {name} {value}");
        assert!(
            header.lines().any(|l| l.trim() == line),
            "{line} missing from iomt.h"
        );
    }
    assert_eq!(size_of::<iomt_audit_log>(), IOMT_AUDIT_LOG_SIZE);
    assert_eq!(size_of::<iomt_permit>(), IOMT_PERMIT_SIZE);
    assert_eq!(align_of::<iomt_session_auth>(), IOMT_SESSION_AUTH_ALIGN);
}

#[test]
fn audit_init_rejects_missing_callbacks_and_zero_capacity() {
    let mut c = Crypto::new(1);
    let mut f = flash(4);
    let mut log = zeroed::<iomt_audit_log>();
    let mut o = ops(&mut f);
    o.store_meta = None;
    let r =
        unsafe { iomt_audit_log_init(&raw mut *log, c.ptr(), &raw const o, DEVICE_ID.as_ptr()) };
    assert_eq!(r, iomt_result::NullParameter);
    let mut o = ops(&mut f);
    o.capacity = 0;
    let r =
        unsafe { iomt_audit_log_init(&raw mut *log, c.ptr(), &raw const o, DEVICE_ID.as_ptr()) };
    assert_eq!(r, iomt_result::InvalidArgument);
    let o = ops(&mut f);
    let r = unsafe { iomt_audit_log_init(&raw mut *log, c.ptr(), &raw const o, null()) };
    assert_eq!(r, iomt_result::NullParameter);
    // Nothing was initialized by the failed calls.
    let mut m = MaybeUninit::uninit();
    let r = unsafe { iomt_audit_log_meta(&raw const *log, m.as_mut_ptr()) };
    assert_eq!(r, iomt_result::NotInitialized);
}

#[test]
fn audit_permit_and_auth_storage_are_checked() {
    let mut c = Crypto::new(1);
    let permit = zeroed::<iomt_permit>();
    let mut f = flash(4);
    let mut log = open_log(&mut c, &mut f);
    let mut n = 0u32;
    // A zeroed permit is no permit.
    let mut a = auth_for(&mut c, b"admin", 1 << 5);
    let mut permit = permit;
    let r = unsafe {
        iomt_audit_log_clear(
            &raw mut *log,
            c.ptr(),
            &raw mut *a,
            &raw mut *permit,
            NOW,
            &raw mut n,
        )
    };
    assert_eq!(r, iomt_result::NotInitialized);
    let policy = zeroed::<iomt_rbac_policy>();
    let a = zeroed::<iomt_session_auth>();
    assert_eq!(
        unsafe { iomt_rbac_decide(&raw const *policy, &raw const *a, 0) },
        iomt_result::NotInitialized
    );
    assert_eq!(
        unsafe { iomt_audit_log_deinit(&raw mut *log) },
        iomt_result::Ok
    );
    assert_eq!(
        unsafe { iomt_audit_log_deinit(&raw mut *log) },
        iomt_result::Ok
    );
    assert_eq!(unsafe { iomt_permit_deinit(null_mut()) }, iomt_result::Ok);
}

#[test]
fn rbac_policy_from_c_rules_is_default_deny_and_validated() {
    let mut policy = zeroed::<iomt_rbac_policy>();
    let rules = [
        iomt_rbac_rule {
            role: 2,
            operation: 0,
            requirement: 0,
        }, // nurse reads vitals
        iomt_rbac_rule {
            role: 3,
            operation: 4,
            requirement: 0,
        }, // technician updates (factor forced)
    ];
    unsafe {
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *policy, rules.as_ptr(), 2),
            iomt_result::Ok
        );
        let bad = [iomt_rbac_rule {
            role: 99,
            operation: 0,
            requirement: 0,
        }];
        let mut p2 = zeroed::<iomt_rbac_policy>();
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *p2, bad.as_ptr(), 1),
            iomt_result::InvalidCode
        );
        let bad = [iomt_rbac_rule {
            role: 1,
            operation: 0,
            requirement: 2,
        }];
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *p2, bad.as_ptr(), 1),
            iomt_result::InvalidCode
        );
        let many = [rules[0]; IOMT_MAX_RBAC_RULES + 1];
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *p2, many.as_ptr(), many.len()),
            iomt_result::CapacityExceeded
        );
        assert_eq!(
            iomt_rbac_policy_init(&raw mut *p2, null(), 0),
            iomt_result::Ok
        );
        let mut c = Crypto::new(3);
        let nurse = auth_for(&mut c, b"nurse", 1 << 2);
        let tech = auth_for(&mut c, b"tech", 1 << 3);
        let nobody = auth_for(&mut c, b"nobody", 0);
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *nurse, 0),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *nurse, 1),
            iomt_result::AuthzNotPermitted
        );
        // Privileged: the factor is required even though the row says credential only.
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *tech, 4),
            iomt_result::AuthzFactorRequired
        );
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *nobody, 0),
            iomt_result::AuthzNoRole
        );
        assert_eq!(
            iomt_rbac_decide(&raw const *policy, &raw const *nurse, 200),
            iomt_result::InvalidCode
        );
        // The empty policy denies everything.
        assert_eq!(
            iomt_rbac_decide(&raw const *p2, &raw const *nurse, 0),
            iomt_result::AuthzNotPermitted
        );
    }
}

// --------------------------------------------------------------------------------------
// Audit log over callbacks (SHA-256 only: fine under Miri, but slow; native only).

#[test]
#[cfg_attr(miri, ignore)]
fn audit_records_roundtrip_through_the_callbacks_and_verify() {
    let mut c = Crypto::new(5);
    let mut f = flash(4);
    let mut log = open_log(&mut c, &mut f);
    for i in 0..6u8 {
        assert_eq!(append(&mut c, &mut log, 11, &[i]), iomt_result::Ok);
    }
    let m = meta(&log);
    assert_eq!((m.next_seq, m.count, m.overwritten), (6, 4, 2));
    assert_eq!(f.meta, Some(m), "the metadata reached the store");
    let r = record(&mut log, 5);
    assert_eq!((r.seq, r.event, r.time, r.detail[0]), (5, 11, NOW, 5));
    let mut out = MaybeUninit::uninit();
    assert_eq!(
        unsafe { iomt_audit_log_read(&raw mut *log, 1, out.as_mut_ptr()) },
        iomt_result::AuditNotHeld
    );
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *log, c.ptr()) },
        iomt_result::Ok
    );
    // Unknown codes and long details are refused.
    assert_eq!(append(&mut c, &mut log, 0, &[]), iomt_result::InvalidCode);
    assert_eq!(
        append(&mut c, &mut log, 11, &[0; 17]),
        iomt_result::InvalidArgument
    );
    // Reopening from the same store continues the chain.
    let mut log2 = open_log(&mut c, &mut f);
    assert_eq!(meta(&log2), m);
    assert_eq!(append(&mut c, &mut log2, 11, &[]), iomt_result::Ok);
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *log2, c.ptr()) },
        iomt_result::Ok
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn audit_storage_failures_keep_state_and_leave_an_append_failed_record() {
    let mut c = Crypto::new(6);
    let mut f = flash(8);
    let mut log = open_log(&mut c, &mut f);
    assert_eq!(append(&mut c, &mut log, 1, &[]), iomt_result::Ok);
    let before = meta(&log);
    f.fail_write_slot = true;
    assert_eq!(append(&mut c, &mut log, 1, &[]), iomt_result::AuditStorage);
    assert_eq!(meta(&log), before);
    f.fail_write_slot = false;
    // The entry is written, its metadata is lost (power cut between the two writes).
    f.fail_store_meta = true;
    assert_eq!(append(&mut c, &mut log, 2, &[]), iomt_result::AuditStorage);
    assert_eq!(meta(&log), before);
    f.fail_store_meta = false;
    let mut reopened = open_log(&mut c, &mut f);
    assert_eq!(
        meta(&reopened).next_seq,
        2,
        "the uncommitted entry is not lost, and not adopted"
    );
    // The first failed append (event 1, slot write failed) is what the AppendFailed
    // record names; the second (event 2) failed while writing it (count 1 reached flash
    // before the power cut: a second failure in the same run after a reboot is not counted).
    let r = record(&mut reopened, 1);
    assert_eq!(
        (r.event, r.detail[0], &r.detail[2..6]),
        (15, 1, &[0u8, 0, 0, 1][..]),
        "AppendFailed naming event 1"
    );
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *reopened, c.ptr()) },
        iomt_result::Ok
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn audit_edited_removed_or_reordered_entries_are_corrupt() {
    let mut c = Crypto::new(7);
    for tamper in 0..3 {
        let mut f = flash(8);
        let mut log = open_log(&mut c, &mut f);
        for i in 0..5u8 {
            assert_eq!(append(&mut c, &mut log, 11, &[i]), iomt_result::Ok);
        }
        match tamper {
            0 => f.slots[2][20] ^= 1,     // edited detail
            1 => f.slots[3] = [0xff; 70], // removed (erased flash)
            _ => f.slots.swap(1, 2),      // reordered
        }
        let r = unsafe { iomt_audit_log_verify(&raw mut *log, c.ptr()) };
        assert_eq!(r, iomt_result::AuditCorrupt, "tamper {tamper}");
    }
}

// --------------------------------------------------------------------------------------
// Export and the gateway's verifier.

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

// --------------------------------------------------------------------------------------
// The operator factor through a real C handshake (operator app = initiator, device =
// responder), RBAC and permits.

const OPERATOR_ROLES: u16 = (1 << 3) | (1 << 5); // technician, administrator

pub(super) struct Parties {
    operator: Side,
    device: Side,
}

pub(super) fn parties() -> Parties {
    Parties {
        operator: side(SK_I, CRED_I, 0x2b, CRED_R, 0x32, b"device-7", 1 << 7),
        device: side(SK_R, CRED_R, 0x32, CRED_I, 0x2b, b"tech-7", OPERATOR_ROLES),
    }
}

pub(super) fn pin_verifier(c: &mut Crypto, pin: &[u8]) -> [u8; 32] {
    let mut v = [0u8; 32];
    let id = b"pump-0042";
    let r = unsafe {
        iomt_pin_verifier_derive(
            c.ptr(),
            id.as_ptr(),
            id.len(),
            pin.as_ptr(),
            pin.len(),
            v.as_mut_ptr(),
        )
    };
    assert_eq!(r, iomt_result::Ok);
    v
}

/// What the operator puts in EAD_3.
pub(super) enum Presented<'a> {
    None,
    Pin(&'a [u8; 32]),
    Tag([u8; 16]),
    /// A factor item whose value has the wrong length.
    Short,
}

/// A handshake in which the operator presents `presented`; returns the responder and the
/// tag it sent.
pub(super) fn factor_handshake(
    c: &mut Crypto,
    p: &Parties,
    presented: &Presented<'_>,
) -> (Box<iomt_handshake>, [u8; 16]) {
    let mut tag = [0u8; 16];
    let x = Exchange {
        method: 3,
        initiator_suites: &[2],
        responder_suites: &[2],
        m4: false,
        labels: &[],
        ead_1: vec![],
        ead_3: vec![],
    };
    let label = IOMT_FACTOR_EAD_LABEL;
    let (mut i, r) = drive(
        c,
        x,
        &p.operator,
        &p.device,
        &mut |s: Progress<'_>| match s.step {
            Step::WriteMessage2 => {
                // Before message_2 is verified there is no TH_3 to bind to.
                let early = unsafe {
                    iomt_handshake_factor_tag(
                        s.initiator,
                        s.crypto.ptr(),
                        [0u8; 32].as_ptr(),
                        tag.as_mut_ptr(),
                    )
                };
                assert_eq!(early, iomt_result::WrongState);
            }
            Step::ReadMessage2 => {
                let value = match presented {
                    Presented::None => return,
                    Presented::Pin(v) => {
                        let rc = unsafe {
                            iomt_handshake_factor_tag(
                                s.initiator,
                                s.crypto.ptr(),
                                v.as_ptr(),
                                tag.as_mut_ptr(),
                            )
                        };
                        assert_eq!(rc, iomt_result::Ok);
                        tag.to_vec()
                    }
                    Presented::Short => tag[..15].to_vec(),
                    Presented::Tag(t) => {
                        tag = *t;
                        tag.to_vec()
                    }
                };
                s.ead_3.push(Ead {
                    label,
                    value: Some(value),
                });
            }
            _ => {}
        },
    );
    assert_eq!(
        unsafe { iomt_handshake_deinit(&raw mut *i) },
        iomt_result::Ok
    );
    (r, tag)
}

pub(super) struct Device {
    pub(super) flash: Box<Flash>,
    log: Box<iomt_audit_log>,
    fv: Box<iomt_factor_verifier>,
    policy: Box<iomt_rbac_policy>,
    verifier: [u8; 32],
}

pub(super) fn device_with(c: &mut Crypto, policy: Option<iomt_lockout_policy>) -> Device {
    let mut flash = flash(16);
    let log = open_log(c, &mut flash);
    let mut fv = zeroed::<iomt_factor_verifier>();
    let fops = iomt_factor_store_ops {
        userdata: core::ptr::from_mut(&mut *flash).cast(),
        load: Some(factor_load),
        store: Some(factor_store),
    };
    let p = policy.as_ref().map_or(null(), core::ptr::from_ref);
    assert_eq!(
        unsafe { iomt_factor_verifier_init(&raw mut *fv, &raw const fops, p) },
        iomt_result::Ok
    );
    let mut rbac = zeroed::<iomt_rbac_policy>();
    assert_eq!(
        unsafe { iomt_rbac_policy_init_default(&raw mut *rbac) },
        iomt_result::Ok
    );
    Device {
        flash,
        log,
        fv,
        policy: rbac,
        verifier: pin_verifier(c, b"123456"),
    }
}

impl Device {
    /// Session auth for the handshake's peer plus the factor check.
    pub(super) fn check(
        &mut self,
        c: &mut Crypto,
        r: &mut iomt_handshake,
        now: u64,
    ) -> (Box<iomt_session_auth>, iomt_result) {
        let mut a = zeroed::<iomt_session_auth>();
        unsafe {
            assert_eq!(
                iomt_session_auth_init(&raw mut *a, c.ptr(), r),
                iomt_result::Ok
            );
            let res = iomt_session_auth_verify_factor(
                &raw mut *a,
                r,
                c.ptr(),
                &raw mut *self.fv,
                &raw mut *self.log,
                self.verifier.as_ptr(),
                now,
            );
            (a, res)
        }
    }

    fn authorize(
        &mut self,
        c: &mut Crypto,
        a: &mut iomt_session_auth,
        op: u8,
    ) -> (Box<iomt_permit>, iomt_result) {
        let mut p = zeroed::<iomt_permit>();
        let r = unsafe {
            iomt_rbac_authorize(
                &raw const *self.policy,
                c.ptr(),
                &raw mut *self.log,
                a,
                op,
                NOW,
                &raw mut *p,
            )
        };
        (p, r)
    }

    fn last_event(&mut self) -> u8 {
        let m = meta(&self.log);
        record(&mut self.log, m.next_seq - 1).event
    }
}

pub(super) fn info(a: &iomt_session_auth) -> iomt_session_auth_info {
    let mut i = MaybeUninit::uninit();
    assert_eq!(
        unsafe { iomt_session_auth_get_info(a, i.as_mut_ptr()) },
        iomt_result::Ok
    );
    unsafe { i.assume_init() }
}

#[test]
#[cfg_attr(miri, ignore)]
fn factor_verified_in_the_handshake_permits_a_privileged_operation_which_is_audited() {
    let mut c = Crypto::new(11);
    let p = parties();
    let mut d = device_with(&mut c, None);
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (mut a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::Ok);
    let i = info(&a);
    assert_eq!(
        (i.roles, i.factor),
        (OPERATOR_ROLES, iomt_factor_outcome::Verified)
    );
    let mut expected_subject = [0u8; 8];
    let id = b"tech-7";
    // The trust store's identity is zero-padded to IOMT_IDENTITY_LEN.
    let mut padded = [0u8; IOMT_IDENTITY_LEN];
    padded[..id.len()].copy_from_slice(id);
    let rc = unsafe {
        iomt_subject_of(
            c.ptr(),
            padded.as_ptr(),
            padded.len(),
            expected_subject.as_mut_ptr(),
        )
    };
    assert_eq!(rc, iomt_result::Ok);
    // Without the padding: the same id (the library pads as the trust store does).
    let mut unpadded = [0u8; 8];
    let rc = unsafe { iomt_subject_of(c.ptr(), id.as_ptr(), id.len(), unpadded.as_mut_ptr()) };
    assert_eq!((rc, unpadded), (iomt_result::Ok, expected_subject));
    let long = [b'x'; IOMT_IDENTITY_LEN + 1];
    let rc = unsafe { iomt_subject_of(c.ptr(), long.as_ptr(), long.len(), unpadded.as_mut_ptr()) };
    assert_eq!(rc, iomt_result::CapacityExceeded);
    assert_eq!(
        i.subject, expected_subject,
        "the subject is the trust store identity's"
    );
    assert_eq!(d.last_event(), 4, "FactorVerified audited");

    let (mut permit, res) = d.authorize(&mut c, &mut a, 6); // clear audit log
    assert_eq!(res, iomt_result::Ok);
    assert_eq!(
        d.last_event(),
        9,
        "PrivilegedOperation audited before the permit"
    );
    let (mut op, mut who) = (0u8, [0u8; 8]);
    assert_eq!(
        unsafe { iomt_permit_get(&raw const *permit, &raw mut op, who.as_mut_ptr()) },
        iomt_result::Ok
    );
    assert_eq!((op, who), (6, i.subject));
    let mut discarded = 0u32;
    let held = meta(&d.log).count;
    let res = unsafe {
        iomt_audit_log_clear(
            &raw mut *d.log,
            c.ptr(),
            &raw mut *a,
            &raw mut *permit,
            NOW,
            &raw mut discarded,
        )
    };
    assert_eq!((res, discarded), (iomt_result::Ok, held));
    assert_eq!(d.last_event(), 14, "the clear is itself on record");
    assert_eq!(meta(&d.log).cleared, held);

    // A permit for another operation does not clear the log.
    let (mut read_permit, res) = d.authorize(&mut c, &mut a, 5);
    assert_eq!(res, iomt_result::Ok);
    let res = unsafe {
        iomt_audit_log_clear(
            &raw mut *d.log,
            c.ptr(),
            &raw mut *a,
            &raw mut *read_permit,
            NOW,
            &raw mut discarded,
        )
    };
    assert_eq!(res, iomt_result::AuthzWrongPermit);
    // Not permitted at all: denied and audited.
    let (_, res) = d.authorize(&mut c, &mut a, 3);
    assert_eq!(res, iomt_result::AuthzNotPermitted);
    assert_eq!(d.last_event(), 10, "OperationDenied audited");

    // The factor of one handshake is checked once.
    let mut again = zeroed::<iomt_session_auth>();
    unsafe {
        assert_eq!(
            iomt_session_auth_init(&raw mut *again, c.ptr(), &raw mut *r),
            iomt_result::Ok
        );
        let res = iomt_session_auth_verify_factor(
            &raw mut *again,
            &raw mut *r,
            c.ptr(),
            &raw mut *d.fv,
            &raw mut *d.log,
            d.verifier.as_ptr(),
            NOW,
        );
        assert_eq!(res, iomt_result::WrongState);
    }
    assert_eq!(info(&again).factor, iomt_factor_outcome::Absent);
}

#[test]
#[cfg_attr(miri, ignore)]
fn factor_wrong_pin_absent_replayed_or_foreign_auth_never_permits() {
    let mut c = Crypto::new(12);
    let p = parties();
    let mut d = device_with(&mut c, None);

    let wrong = pin_verifier(&mut c, b"654321");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&wrong));
    let (mut a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::FactorMismatch);
    assert_eq!(info(&a).factor, iomt_factor_outcome::Failed);
    assert_eq!(d.last_event(), 3, "FactorFailed audited");
    let (_, res) = d.authorize(&mut c, &mut a, 4);
    assert_eq!(res, iomt_result::AuthzFactorRequired);
    assert_eq!(d.last_event(), 10);
    // Non-privileged operations still work with the credential alone.
    assert_eq!(
        unsafe { iomt_rbac_decide(&raw const *d.policy, &raw const *a, 5) },
        iomt_result::Ok
    );

    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::None);
    let (a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(
        (res, info(&a).factor),
        (iomt_result::FactorAbsent, iomt_factor_outcome::Absent)
    );

    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Short);
    let failures_before = d.flash.factor.device.failures;
    let (a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(
        (res, info(&a).factor),
        (iomt_result::FactorMalformed, iomt_factor_outcome::Failed)
    );
    assert_eq!(
        d.last_event(),
        3,
        "a malformed factor is audited as a failure"
    );
    assert_eq!(
        d.flash.factor.device.failures, failures_before,
        "but it is not a guess"
    );

    // A correct tag from one handshake replayed in another.
    let pin = pin_verifier(&mut c, b"123456");
    let (_, good_tag) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Tag(good_tag));
    let (_, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::FactorMismatch, "replayed tag");

    // The auth object of another peer cannot collect this handshake's factor.
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let mut other = auth_for(&mut c, b"someone-else", OPERATOR_ROLES);
    let res = unsafe {
        iomt_session_auth_verify_factor(
            &raw mut *other,
            &raw mut *r,
            c.ptr(),
            &raw mut *d.fv,
            &raw mut *d.log,
            d.verifier.as_ptr(),
            NOW,
        )
    };
    assert_eq!(res, iomt_result::InvalidArgument);
    assert_eq!(info(&other).factor, iomt_factor_outcome::Absent);
    // ...and the rightful session still can.
    let (_, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::Ok);
}

#[test]
#[cfg_attr(miri, ignore)]
fn lockout_survives_a_reboot_and_backs_off() {
    let mut c = Crypto::new(13);
    let p = parties();
    let policy = iomt_lockout_policy {
        free_attempts: 1,
        reserved: 0,
        base_secs: 60,
        max_secs: 3600,
    };
    let mut d = device_with(&mut c, Some(policy));
    let wrong = pin_verifier(&mut c, b"000000");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&wrong));
    let (a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::FactorMismatch);
    assert_eq!(
        d.last_event(),
        5,
        "the failure that earns a lockout records it"
    );
    let tech = info(&a).subject;
    assert_eq!(
        d.flash.factor.subjects[0],
        iomt_lockout_entry {
            state: iomt_factor_state {
                locked_until: NOW + 60,
                failures: 1,
                reserved: 0,
            },
            subject: tech,
        }
    );

    // Reboot: a new verifier object over the same "flash".
    assert_eq!(
        unsafe { iomt_factor_verifier_deinit(&raw mut *d.fv) },
        iomt_result::Ok
    );
    let fops = iomt_factor_store_ops {
        userdata: core::ptr::from_mut(&mut *d.flash).cast(),
        load: Some(factor_load),
        store: Some(factor_store),
    };
    assert_eq!(
        unsafe { iomt_factor_verifier_init(&raw mut *d.fv, &raw const fops, &raw const policy) },
        iomt_result::Ok
    );
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (mut a, res) = d.check(&mut c, &mut r, NOW + 30);
    assert_eq!(
        (res, info(&a).factor),
        (iomt_result::FactorLockedOut, iomt_factor_outcome::LockedOut)
    );
    let (_, res) = d.authorize(&mut c, &mut a, 6);
    assert_eq!(res, iomt_result::AuthzLockedOut);
    let mut st = MaybeUninit::uninit();
    assert_eq!(
        unsafe { iomt_factor_verifier_state(&raw mut *d.fv, tech.as_ptr(), st.as_mut_ptr()) },
        iomt_result::Ok
    );
    assert_eq!(unsafe { st.assume_init() }.locked_until, NOW + 60);

    // After the lockout the right PIN works and resets the counter.
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    assert_eq!(d.check(&mut c, &mut r, NOW + 61).1, iomt_result::Ok);
    assert_eq!(d.flash.factor, iomt_lockout_table::default());

    // A counter that cannot be stored means the tag is not even evaluated.
    d.flash.fail_factor_store = true;
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (a, res) = d.check(&mut c, &mut r, NOW + 100);
    assert_eq!(
        (res, info(&a).factor),
        (iomt_result::FactorStorage, iomt_factor_outcome::Failed)
    );

    // Policies that cannot protect are refused at configuration.
    for (free_attempts, base_secs, max_secs) in [
        (1, 0, 10),
        (0, 0, 0),
        (0, 30, 60),
        (11, 30, 60),
        (3, 30, 10),
    ] {
        let bad = iomt_lockout_policy {
            free_attempts,
            reserved: 0,
            base_secs,
            max_secs,
        };
        let mut fv2 = zeroed::<iomt_factor_verifier>();
        assert_eq!(
            unsafe { iomt_factor_verifier_init(&raw mut *fv2, &raw const fops, &raw const bad) },
            iomt_result::FactorInvalidPolicy,
            "{bad:?}"
        );
    }
    // The explicit padding must be 0: an old positional initializer {1, 60, 3600} would put
    // 60 there and is refused instead of silently shifting the policy.
    let shifted = iomt_lockout_policy {
        free_attempts: 1,
        reserved: 60,
        base_secs: 3600,
        max_secs: 0,
    };
    let mut fv3 = zeroed::<iomt_factor_verifier>();
    assert_eq!(
        unsafe { iomt_factor_verifier_init(&raw mut *fv3, &raw const fops, &raw const shifted) },
        iomt_result::InvalidArgument
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn privileged_operation_fails_closed_when_the_audit_log_is_unavailable() {
    let mut c = Crypto::new(14);
    let p = parties();
    let mut d = device_with(&mut c, None);
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (mut a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::Ok);
    d.flash.fail_write_slot = true;
    let (permit, res) = d.authorize(&mut c, &mut a, 4);
    assert_eq!(res, iomt_result::AuthzAuditUnavailable);
    let (mut op, mut who) = (0u8, [0u8; 8]);
    let r = unsafe { iomt_permit_get(&raw const *permit, &raw mut op, who.as_mut_ptr()) };
    assert_eq!(r, iomt_result::NotInitialized, "no permit was written");
}

// --------------------------------------------------------------------------------------
// Consent enforcement and break-glass.

pub(super) fn emergency_tag() -> iomt_consent_tag {
    iomt_consent_tag {
        permit: 0,      // a deny tag ...
        break_glass: 1, // ... that allows emergency override
        ..sample_tag()
    }
}

pub(super) fn request(role: u8, purpose: u8, now: u64) -> iomt_access_request {
    iomt_access_request {
        role,
        purpose,
        action: 1,
        data_class: 0,
        has_latest_revision: 0,
        latest_revision: 0,
        now,
    }
}

pub(super) fn enforce(
    c: &mut Crypto,
    log: &mut iomt_audit_log,
    tag: &iomt_consent_tag,
    req: &iomt_access_request,
    a: &iomt_session_auth,
) -> Result<iomt_consent_access, iomt_result> {
    let mut out = MaybeUninit::uninit();
    let r = unsafe { iomt_consent_enforce(tag, req, c.ptr(), log, a, 900, out.as_mut_ptr()) };
    if r == iomt_result::Ok {
        Ok(unsafe { out.assume_init() })
    } else {
        Err(r)
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn break_glass_is_time_limited_audited_and_only_for_emergencies() {
    let mut c = Crypto::new(15);
    let mut f = flash(16);
    let mut log = open_log(&mut c, &mut f);
    let clinician = auth_for(&mut c, b"dr-who", 1 << 1);
    let researcher = auth_for(&mut c, b"res", 1 << 4);

    // An ordinary permit.
    let ok = enforce(
        &mut c,
        &mut log,
        &sample_tag(),
        &request(1, 0, 150),
        &clinician,
    )
    .unwrap();
    assert_eq!(
        (ok.kind, ok.expires, ok.audit_seq),
        (iomt_decision_kind::Permit, 0, 0)
    );
    assert_eq!(meta(&log).next_seq, 0, "a plain permit writes no record");

    // A denial is audited.
    let denied = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(1, 0, 150),
        &clinician,
    );
    assert_eq!(denied.err(), Some(iomt_result::ConsentDenied));
    assert_eq!(record(&mut log, 0).event, 7);

    // Emergency treatment by a clinician: break-glass, audited before access.
    let bg = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(1, 1, 150),
        &clinician,
    )
    .unwrap();
    assert_eq!(bg.kind, iomt_decision_kind::BreakGlass);
    assert_eq!(bg.expires, 150 + 900);
    let rec = record(&mut log, bg.audit_seq);
    assert_eq!((rec.event, rec.subject), (8, info(&clinician).subject));

    // A role the session does not hold cannot be claimed.
    let claimed = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(1, 1, 150),
        &researcher,
    );
    assert_eq!(claimed.err(), Some(iomt_result::AuthzNotPermitted));
    // A researcher may not break glass.
    let r = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(4, 1, 150),
        &researcher,
    );
    assert_eq!(r.err(), Some(iomt_result::ConsentDenied));

    // No audit, no break-glass.
    let before = meta(&log);
    f.fail_write_slot = true;
    let r = enforce(
        &mut c,
        &mut log,
        &emergency_tag(),
        &request(1, 1, 150),
        &clinician,
    );
    assert_eq!(r.err(), Some(iomt_result::AuthzAuditUnavailable));
    assert_eq!(meta(&log), before);
    f.fail_write_slot = false;

    // Invalid inputs are errors, never access.
    let mut bad = emergency_tag();
    bad.permit = 7;
    let r = enforce(&mut c, &mut log, &bad, &request(1, 1, 150), &clinician);
    assert_eq!(r.err(), Some(iomt_result::InvalidCode));
}

// --------------------------------------------------------------------------------------
// Handshake and frame events.

#[test]
#[cfg_attr(miri, ignore)]
fn audit_records_how_handshakes_end_and_rejected_frames() {
    let mut c = Crypto::new(16);
    let p = parties();
    let mut f = flash(8);
    let mut log = open_log(&mut c, &mut f);
    let mut seq = 0u32;

    // Still running: nothing to record.
    let mut fresh = zeroed::<iomt_handshake>();
    let rcfg = responder_config(&[2], false, &[]);
    unsafe {
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *fresh, &raw const rcfg),
            iomt_result::Ok
        );
        let r = iomt_audit_log_record_handshake(
            &raw mut *log,
            c.ptr(),
            &raw mut *fresh,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r, iomt_result::WrongState);
        // A garbage message_1 fails it: HandshakeFailed with the error code.
        let junk = [0xffu8; 5];
        assert_ne!(
            iomt_handshake_read_message_1(&raw mut *fresh, c.ptr(), junk.as_ptr(), 5),
            iomt_result::Ok
        );
        let r = iomt_audit_log_record_handshake(
            &raw mut *log,
            c.ptr(),
            &raw mut *fresh,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r, iomt_result::Ok);
    }
    let failed = record(&mut log, seq);
    assert_eq!(
        (failed.event, failed.outcome, failed.subject),
        (2, 1, [0; 8])
    );
    assert_ne!(failed.detail[..4], [0; 4], "the error code is recorded");

    // A completed handshake: HandshakeSucceeded under the peer's subject, suite and method.
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let rc = unsafe {
        iomt_audit_log_record_handshake(&raw mut *log, c.ptr(), &raw mut *r, NOW, &raw mut seq)
    };
    assert_eq!(rc, iomt_result::Ok);
    let ok = record(&mut log, seq);
    let mut a = zeroed::<iomt_session_auth>();
    assert_eq!(
        unsafe { iomt_session_auth_init(&raw mut *a, c.ptr(), &raw mut *r) },
        iomt_result::Ok
    );
    assert_eq!((ok.event, ok.outcome, ok.subject), (1, 0, info(&a).subject));
    assert_eq!(ok.detail[..2], [2, 3], "suite 2, method 3");

    // Frame rejections: the session's last rejected frame, with the library's code.
    let (dev_side, gw_side) = (device(), gateway());
    let (mut i, mut r) = handshake(&mut c, 3, 2, false, &dev_side, &gw_side);
    let (mut ds, mut gs) = (zeroed::<iomt_session>(), zeroed::<iomt_session>());
    unsafe {
        assert_eq!(
            iomt_session_init(&raw mut *ds, &raw mut *i, c.ptr()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_session_init(&raw mut *gs, &raw mut *r, c.ptr()),
            iomt_result::Ok
        );
        let r0 = iomt_audit_log_record_frame_rejection(
            &raw mut *log,
            c.ptr(),
            &raw mut *gs,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r0, iomt_result::NotFound, "nothing rejected yet");
        let (mut frame, mut n) = ([0u8; 64], 0usize);
        assert_eq!(
            iomt_session_seal(
                &raw mut *ds,
                c.ptr(),
                IOMT_NO_CONSENT_SLOT,
                b"hr".as_ptr(),
                2,
                frame.as_mut_ptr(),
                64,
                &raw mut n
            ),
            iomt_result::Ok
        );
        let copy = frame;
        let mut o = MaybeUninit::<iomt_opened>::uninit();
        assert_eq!(
            iomt_session_open(&raw mut *gs, c.ptr(), frame.as_mut_ptr(), n, o.as_mut_ptr()),
            iomt_result::Ok
        );
        let mut again = copy;
        assert_eq!(
            iomt_session_open(&raw mut *gs, c.ptr(), again.as_mut_ptr(), n, o.as_mut_ptr()),
            iomt_result::FrameReplayed
        );
        let r1 = iomt_audit_log_record_frame_rejection(
            &raw mut *log,
            c.ptr(),
            &raw mut *gs,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r1, iomt_result::Ok);
        let rec = record(&mut log, seq);
        assert_eq!((rec.event, rec.outcome, rec.subject), (6, 2, [0; 8]));
        let replayed = iomt_proto::ProtoError::Rejected(iomt_proto::Rejection::Replayed).code();
        assert_eq!(rec.detail[..4], 0x27u32.to_be_bytes(), "connection id");
        assert_eq!(
            rec.detail[4..8],
            u32::from(replayed).to_be_bytes(),
            "the library's code"
        );
        let r2 = iomt_audit_log_record_frame_rejection(
            &raw mut *log,
            c.ptr(),
            &raw mut *gs,
            NOW,
            &raw mut seq,
        );
        assert_eq!(r2, iomt_result::NotFound, "a rejection is recorded once");
    }
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *log, c.ptr()) },
        iomt_result::Ok
    );
}
