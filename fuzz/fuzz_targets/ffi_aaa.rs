//! The C API's authorization and accounting entry points with arbitrary inputs (`iomt-ffi`):
//!
//! - mode 0: `iomt_audit_export_verifier_init/feed/finish` over raw bytes (a summary, then
//!   length-prefixed chunks), against the key and challenge of the reference export below
//!   (the seeds hold real exports, so the fuzzer starts past the signature);
//! - mode 1: `iomt_audit_chunk_record` with an arbitrary chunk and index;
//! - mode 2: `iomt_rbac_policy_init` with an arbitrary rule table, then `iomt_rbac_decide`
//!   and `iomt_rbac_authorize` for sessions of every factor outcome, against a model;
//! - mode 3: `iomt_consent_enforce` with arbitrary tag and request structs, against
//!   `iomt_consent_evaluate`;
//! - mode 4: `iomt_audit_log_init/append/read/verify/export_*` over a RAM store whose
//!   contents (slots, metadata) and callback failures the fuzzer controls;
//! - mode 5: the reference export with chunks flipped, dropped, duplicated, swapped or
//!   truncated, and another challenge;
//! - mode 6: `iomt_update_begin/write/finish` with a raw or a genuine vendor-signed manifest,
//!   raw or genuine image chunks, any installed version, the right or a wrong permit.
//!
//! Checks besides "no panic crosses the boundary": a failed verifier never finishes OK; a
//! finished export delivers exactly the reference records; decisions match the models;
//! every denial and privileged grant is audited (and only those); a log that verifies
//! exports an export that verifies; a failed append changes nothing; an update is accepted
//! only for a genuinely signed, strictly newer manifest and exactly its image, and only an
//! accepted update moves the rollback counter (to the manifest's version).
//!
//! Seeds: `IOMT_FFI_AAA_SEEDS=fuzz/corpus/ffi_aaa cargo +nightly fuzz run ffi_aaa -- -runs=0`
//! (from the repository root) writes them and exits.
#![no_main]

use std::ffi::c_void;
use std::sync::OnceLock;

use iomt_ffi::*;
use iomt_testkit::ffi::{self as kit, Crypto, Ead, Exchange, Step, zeroed};
use libfuzzer_sys::fuzz_target;

/// A crypto provider: every RNG request is filled with `i * 29 + 11`.
fn crypto() -> Crypto {
    Crypto::pattern(29, 11)
}

fn ok(r: iomt_result) {
    assert_eq!(r, iomt_result::Ok);
}

// ---- A RAM audit store the fuzzer (or the setup) controls ----------------------------------

const ENTRY: usize = IOMT_AUDIT_ENTRY_LEN;

struct Flash {
    slots: Vec<[u8; ENTRY]>,
    meta: iomt_audit_meta,
    present: u8,
    /// The callback call (counted from 0) that fails, if any.
    fail_at: Option<u32>,
    calls: u32,
}

impl Flash {
    fn new(capacity: usize) -> Box<Self> {
        Box::new(Self {
            slots: vec![[0; ENTRY]; capacity],
            meta: iomt_audit_meta::default(),
            present: 0,
            fail_at: None,
            calls: 0,
        })
    }

    fn fails(&mut self) -> bool {
        let now = self.calls;
        self.calls = self.calls.wrapping_add(1);
        self.fail_at == Some(now)
    }

    fn ops(&mut self) -> iomt_audit_store_ops {
        iomt_audit_store_ops {
            userdata: (self as *mut Self).cast(),
            capacity: self.slots.len() as u32,
            read_slot: Some(read_slot),
            write_slot: Some(write_slot),
            load_meta: Some(load_meta),
            store_meta: Some(store_meta),
        }
    }
}

unsafe extern "C" fn read_slot(ud: *mut c_void, slot: u32, entry: *mut u8) -> i32 {
    // SAFETY: `ud` is the live `Flash` of this store.
    let f = unsafe { &mut *ud.cast::<Flash>() };
    if f.fails() {
        return -1;
    }
    let Some(s) = f.slots.get(slot as usize) else {
        panic!("read_slot {slot} beyond the capacity {}", f.slots.len());
    };
    // SAFETY: the library passes ENTRY writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(s.as_ptr(), entry, ENTRY) };
    0
}

unsafe extern "C" fn write_slot(ud: *mut c_void, slot: u32, entry: *const u8) -> i32 {
    // SAFETY: `ud` is the live `Flash` of this store.
    let f = unsafe { &mut *ud.cast::<Flash>() };
    if f.fails() {
        return -1;
    }
    let cap = f.slots.len();
    let Some(s) = f.slots.get_mut(slot as usize) else {
        panic!("write_slot {slot} beyond the capacity {cap}");
    };
    // SAFETY: the library passes ENTRY readable bytes.
    unsafe { std::ptr::copy_nonoverlapping(entry, s.as_mut_ptr(), ENTRY) };
    0
}

unsafe extern "C" fn load_meta(
    ud: *mut c_void,
    meta: *mut iomt_audit_meta,
    present: *mut u8,
) -> i32 {
    // SAFETY: `ud` is the live `Flash` of this store.
    let f = unsafe { &mut *ud.cast::<Flash>() };
    if f.fails() {
        return -1;
    }
    // SAFETY: valid out-pointers from the library.
    unsafe {
        *present = f.present;
        *meta = f.meta;
    }
    0
}

unsafe extern "C" fn store_meta(ud: *mut c_void, meta: *const iomt_audit_meta) -> i32 {
    // SAFETY: `ud` is the live `Flash` of this store.
    let f = unsafe { &mut *ud.cast::<Flash>() };
    if f.fails() {
        return -1;
    }
    // SAFETY: a valid pointer from the library.
    f.meta = unsafe { *meta };
    f.present = 1;
    0
}

/// An audit log over `flash` (both boxed: the log keeps a pointer to the flash).
fn open_log(
    c: &mut iomt_crypto,
    flash: &mut Flash,
    device: &[u8; 8],
) -> (iomt_result, Box<iomt_audit_log>) {
    let mut log = zeroed::<iomt_audit_log>();
    let ops = flash.ops();
    // SAFETY: valid storage, callbacks over a live boxed flash, 8-byte device id.
    let r = unsafe { iomt_audit_log_init(&mut *log, c, &ops, device.as_ptr()) };
    assert_ne!(r, iomt_result::Panic);
    (r, log)
}

fn meta_of(log: &iomt_audit_log) -> iomt_audit_meta {
    let mut m = iomt_audit_meta::default();
    // SAFETY: a live log and a valid output.
    ok(unsafe { iomt_audit_log_meta(log, &mut m) });
    m
}

fn last_record(log: &mut iomt_audit_log) -> iomt_audit_record {
    let m = meta_of(log);
    let mut rec: iomt_audit_record = *zeroed();
    // SAFETY: a live log and a valid output.
    ok(unsafe { iomt_audit_log_read(log, m.next_seq.wrapping_sub(1), &mut rec) });
    rec
}

// ---- Fixed material: RFC 9529 keys, a reference export, sessions --------------------------

const CHALLENGE: [u8; IOMT_AUDIT_CHALLENGE_LEN] = *b"fuzz-challenge-1";
const DEVICE: [u8; 8] = *b"pump0042";
const NOW: u64 = 1_850_000_000;
const RECORDS_PER_CHUNK: usize = 3;

/// The RFC 9529 responder credential, with its private key.
fn responder_credential() -> Box<iomt_credential> {
    kit::credential(kit::SK_R, kit::CRED_R, 0x32)
}

/// The device's signing credential (RFC 9529's responder), set up once per process.
fn device_key() -> &'static iomt_credential {
    static K: OnceLock<Box<iomt_credential>> = OnceLock::new();
    K.get_or_init(|| responder_credential())
}

/// Appends `n` application records (varied events, subjects and details).
fn fill(c: &mut iomt_crypto, log: &mut iomt_audit_log, n: u32) {
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
struct Export {
    summary: Vec<u8>,
    chunks: Vec<Vec<u8>>,
}

/// Exports every held record of `log` for `challenge`, `per_chunk` records per chunk.
fn export(
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
fn verify(
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
fn records_of(chunks: &[Vec<u8>]) -> Vec<[u8; 64]> {
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

fn record_bytes(r: &iomt_audit_record) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[..4].copy_from_slice(&r.seq.to_be_bytes());
    b[4..12].copy_from_slice(&r.time.to_be_bytes());
    b[12] = r.event;
    b[13] = r.outcome;
    b[14..22].copy_from_slice(&r.subject);
    b[22..38].copy_from_slice(&r.detail);
    b
}

struct Reference {
    public_key: [u8; IOMT_PUBLIC_KEY_LEN],
    export: Export,
    records: Vec<[u8; 64]>,
    info: iomt_audit_export_info,
}

/// A real export (11 records through an 8-slot ring: 3 overwritten), signed with RFC 9529's responder key.
fn reference() -> &'static Reference {
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

/// Factor outcome a setup session ends with.
#[derive(Clone, Copy)]
enum Factor {
    Absent,
    Verified,
    Failed,
    LockedOut,
}

struct Session {
    auth: Box<iomt_session_auth>,
    roles: u16,
    factor: Factor,
}

/// Completed handshakes (RFC 9529 keys, method 3, suite 2) whose initiator holds `roles`,
/// with the operator factor in the given state. Built once per process.
fn sessions() -> &'static [Session] {
    static S: OnceLock<Vec<Session>> = OnceLock::new();
    S.get_or_init(|| {
        let specs: [(u16, Factor); 8] = [
            (0, Factor::Absent),
            ((1 << 3) | (1 << 5), Factor::Verified),
            ((1 << 3) | (1 << 5), Factor::Failed),
            ((1 << 3) | (1 << 5), Factor::LockedOut),
            (1 << 1, Factor::Verified),
            ((1 << 2) | (1 << 6), Factor::Absent),
            (0x1ff, Factor::Verified),
            ((1 << 0) | (1 << 4) | (1 << 7) | (1 << 8), Factor::Absent),
        ];
        specs
            .iter()
            .map(|&(roles, factor)| Session {
                auth: handshake(roles, factor),
                roles,
                factor,
            })
            .collect()
    })
}

unsafe extern "C" fn factor_load(ud: *mut c_void, s: *mut iomt_lockout_table) -> i32 {
    // SAFETY: `ud` is a live table; `s` a valid output.
    unsafe { *s = *ud.cast::<iomt_lockout_table>() };
    0
}

unsafe extern "C" fn factor_store(ud: *mut c_void, s: *const iomt_lockout_table) -> i32 {
    // SAFETY: `ud` is a live table; `s` a valid input.
    unsafe { *ud.cast::<iomt_lockout_table>() = *s };
    0
}

fn handshake(roles: u16, factor: Factor) -> Box<iomt_session_auth> {
    let mut c = crypto();
    // The operator (initiator) trusts the pump; the pump grants the operator `roles`.
    let mut operator = kit::initiator_side(b"pump", 1 << 7);
    let mut pump = kit::responder_side(b"operator", roles);
    let mut factor_state = Box::new(iomt_lockout_table::default());
    let mut flash = Flash::new(4);
    let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
    ok(r);
    let mut fv = zeroed::<iomt_factor_verifier>();
    let policy = iomt_lockout_policy {
        free_attempts: 1,
        reserved: 0,
        base_secs: 60,
        max_secs: 600,
    };
    let fops = iomt_factor_store_ops {
        userdata: (&mut *factor_state as *mut iomt_lockout_table).cast(),
        load: Some(factor_load),
        store: Some(factor_store),
    };
    let mut pin_v = [0u8; IOMT_PIN_VERIFIER_LEN];
    let mut auth = zeroed::<iomt_session_auth>();
    // SAFETY: every pointer below is to live, boxed or local storage of the right size.
    unsafe {
        ok(iomt_factor_verifier_init(&mut *fv, &fops, &policy));
        ok(iomt_pin_verifier_derive(
            &mut *c,
            b"pump".as_ptr(),
            4,
            b"1234".as_ptr(),
            4,
            pin_v.as_mut_ptr(),
        ));
    }
    let attempts = match factor {
        Factor::Absent | Factor::Verified | Factor::Failed => 1,
        Factor::LockedOut => 2,
    };
    for _ in 0..attempts {
        let x = Exchange {
            method: 3,
            initiator_suites: &[2],
            responder_suites: &[2],
            m4: false,
            labels: &[],
            ead_1: Vec::new(),
            ead_3: Vec::new(),
        };
        // Right after message_2 (TH_3 known): the operator's factor tag into EAD_3, over
        // the right PIN verifier only for `Verified`.
        let (mut ini, mut resp) = kit::drive(&mut c, x, &operator, &pump, &mut |p| {
            if p.step != Step::ReadMessage2 || matches!(factor, Factor::Absent) {
                return;
            }
            let mut tag = [0u8; IOMT_FACTOR_TAG_LEN];
            let mut app_v = pin_v;
            if !matches!(factor, Factor::Verified) {
                app_v[0] ^= 1;
            }
            // SAFETY: valid objects and buffers of the documented sizes.
            ok(unsafe {
                iomt_handshake_factor_tag(
                    &*p.initiator,
                    p.crypto.ptr(),
                    app_v.as_ptr(),
                    tag.as_mut_ptr(),
                )
            });
            p.ead_3.push(Ead {
                label: IOMT_FACTOR_EAD_LABEL,
                value: Some(tag.to_vec()),
            });
        });
        // SAFETY: completed objects and live storage.
        unsafe {
            ok(iomt_session_auth_deinit(&mut *auth));
            ok(iomt_session_auth_init(&mut *auth, &mut *c, &mut *resp));
            let r = iomt_session_auth_verify_factor(
                &mut *auth,
                &mut *resp,
                &mut *c,
                &mut *fv,
                &mut *log,
                pin_v.as_ptr(),
                NOW,
            );
            assert_ne!(r, iomt_result::Panic);
            ok(iomt_handshake_deinit(&mut *ini));
            ok(iomt_handshake_deinit(&mut *resp));
        }
    }
    let mut info: iomt_session_auth_info = *zeroed();
    // SAFETY: live objects.
    unsafe {
        ok(iomt_session_auth_get_info(&*auth, &mut info));
        let want = match factor {
            Factor::Absent => iomt_factor_outcome::Absent,
            Factor::Verified => iomt_factor_outcome::Verified,
            Factor::Failed => iomt_factor_outcome::Failed,
            Factor::LockedOut => iomt_factor_outcome::LockedOut,
        };
        assert_eq!((info.roles, info.factor), (roles, want));
        ok(iomt_factor_verifier_deinit(&mut *fv));
        ok(iomt_audit_log_deinit(&mut *log));
        ok(iomt_trust_store_deinit(&mut *operator.trust));
        ok(iomt_trust_store_deinit(&mut *pump.trust));
    }
    auth
}

// ---- Input helpers ------------------------------------------------------------------------

struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        (u64::from(self.u32()) << 32) | u64::from(self.u32())
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.0.split_at(n.min(self.0.len()));
        self.0 = b;
        a
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Fills a plain-data struct from the next bytes (zero when they run out).
    fn pod<T>(&mut self) -> T {
        let mut v: T = *zeroed();
        let src = self.take(size_of::<T>());
        // SAFETY: `T` is a `#[repr(C)]` struct of integers and byte arrays (every bit
        // pattern is valid); `src` is at most `size_of::<T>()` bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), (&mut v as *mut T).cast::<u8>(), src.len())
        };
        v
    }
}

// ---- Modes --------------------------------------------------------------------------------

/// 0: raw summary + length-prefixed chunks against the reference key and challenge.
fn raw_export(mut b: Bytes<'_>) {
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
fn chunk_record(mut b: Bytes<'_>) {
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

const PRIVILEGED: [u8; 4] = [3, 4, 6, 7];

/// The documented decision for `session` and `op` under `rules`.
fn model(rules: &[iomt_rbac_rule], s: &Session, op: u8) -> iomt_result {
    if op > 7 {
        return iomt_result::InvalidCode;
    }
    if s.roles == 0 {
        return iomt_result::AuthzNoRole;
    }
    let req = rules
        .iter()
        .filter(|r| r.operation == op && s.roles & (1 << r.role) != 0)
        .map(|r| r.requirement)
        .min();
    let Some(req) = req else {
        return iomt_result::AuthzNotPermitted;
    };
    if req == 0 && !PRIVILEGED.contains(&op) {
        return iomt_result::Ok;
    }
    match s.factor {
        Factor::Verified => iomt_result::Ok,
        Factor::LockedOut => iomt_result::AuthzLockedOut,
        Factor::Absent | Factor::Failed => iomt_result::AuthzFactorRequired,
    }
}

/// 2: an arbitrary rule table, then decisions and audited authorizations.
fn rbac(mut b: Bytes<'_>) {
    let n = usize::from(b.u8() % 40);
    let rules: Vec<iomt_rbac_rule> = (0..n)
        .map(|_| iomt_rbac_rule {
            role: b.u8() % 12,
            operation: b.u8() % 10,
            requirement: b.u8() % 3,
        })
        .collect();
    let valid = n <= IOMT_MAX_RBAC_RULES
        && rules
            .iter()
            .all(|r| r.role <= 8 && r.operation <= 7 && r.requirement <= 1);
    let mut policy = zeroed::<iomt_rbac_policy>();
    // SAFETY: valid storage; `rules` holds `n` rules.
    let r = unsafe { iomt_rbac_policy_init(&mut *policy, rules.as_ptr(), rules.len()) };
    assert_ne!(r, iomt_result::Panic);
    assert_eq!(
        r == iomt_result::Ok,
        valid,
        "policy init {r:?} for valid = {valid}"
    );
    if r != iomt_result::Ok {
        return;
    }
    let mut c = crypto();
    let mut flash = Flash::new(4);
    let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
    ok(r);
    let sessions = sessions();
    while !b.is_empty() {
        let s = &sessions[usize::from(b.u8()) % sessions.len()];
        let op = b.u8() % 10;
        let want = model(&rules, s, op);
        // SAFETY: live objects.
        let got = unsafe { iomt_rbac_decide(&*policy, &*s.auth, op) };
        assert_eq!(got, want, "decide op {op} roles {:#x}", s.roles);
        let before = meta_of(&log).next_seq;
        let mut permit = zeroed::<iomt_permit>();
        let mut auth = kit::duplicate_session_auth(&s.auth);
        // SAFETY: live objects and valid storage.
        let got = unsafe {
            iomt_rbac_authorize(
                &*policy,
                &mut *c,
                &mut *log,
                &mut *auth,
                op,
                NOW,
                &mut *permit,
            )
        };
        assert_eq!(got, want, "authorize op {op} roles {:#x}", s.roles);
        let after = meta_of(&log).next_seq;
        let mut info: iomt_session_auth_info = *zeroed();
        // SAFETY: live objects.
        ok(unsafe { iomt_session_auth_get_info(&*s.auth, &mut info) });
        match got {
            iomt_result::Ok => {
                let (mut pop, mut subject) = (0xffu8, [0u8; 8]);
                // SAFETY: a live permit and valid outputs.
                ok(unsafe { iomt_permit_get(&*permit, &mut pop, subject.as_mut_ptr()) });
                assert_eq!((pop, subject), (op, info.subject));
                if PRIVILEGED.contains(&op) {
                    assert_eq!(after, before.wrapping_add(1));
                    let rec = last_record(&mut log);
                    assert_eq!(
                        (rec.event, rec.outcome, rec.subject, rec.detail[0]),
                        (9, 0, info.subject, op)
                    );
                } else {
                    assert_eq!(after, before, "a plain operation is not audited");
                }
                // SAFETY: valid storage.
                ok(unsafe { iomt_permit_deinit(&mut *permit) });
            }
            iomt_result::InvalidCode => assert_eq!(after, before),
            _ => {
                assert_eq!(after, before.wrapping_add(1), "every denial is audited");
                let rec = last_record(&mut log);
                assert_eq!(
                    (rec.event, rec.outcome, rec.subject, rec.detail[0]),
                    (10, 2, info.subject, op)
                );
                let (mut pop, mut subject) = (0u8, [0u8; 8]);
                // SAFETY: valid storage and outputs.
                let r = unsafe { iomt_permit_get(&*permit, &mut pop, subject.as_mut_ptr()) };
                assert_eq!(r, iomt_result::NotInitialized, "a denial wrote a permit");
            }
        }
    }
    // SAFETY: valid storage.
    unsafe {
        ok(iomt_rbac_policy_deinit(&mut *policy));
        ok(iomt_audit_log_deinit(&mut *log));
    }
}

/// 3: consent enforcement against the pure evaluation.
fn consent(mut b: Bytes<'_>) {
    let sessions = sessions();
    let s = &sessions[usize::from(b.u8()) % sessions.len()];
    let ttl = b.u64() % (6 * 3600);
    let tag: iomt_consent_tag = b.pod();
    let req: iomt_access_request = b.pod();
    let mut c = crypto();
    let mut flash = Flash::new(4);
    flash.fail_at = (b.u8() == 0xa5).then_some(b.u8().into());
    let (r, mut log) = open_log(&mut c, &mut flash, &DEVICE);
    if r != iomt_result::Ok {
        return;
    }
    let mut decision: iomt_decision = *zeroed();
    // SAFETY: valid pointers.
    let evaluated = unsafe { iomt_consent_evaluate(&tag, &req, &mut decision) };
    let before = meta_of(&log).next_seq;
    let mut access: iomt_consent_access = *zeroed();
    // SAFETY: valid pointers and live objects.
    let got =
        unsafe { iomt_consent_enforce(&tag, &req, &mut *c, &mut *log, &*s.auth, ttl, &mut access) };
    assert_ne!(got, iomt_result::Panic);
    let after = meta_of(&log).next_seq;
    if evaluated != iomt_result::Ok {
        assert_eq!(got, evaluated, "an invalid tag or request");
        assert_eq!(after, before);
        return;
    }
    if req.role > 15 || s.roles & (1 << req.role) == 0 {
        // A claimed role the session does not hold is refused and on record (issue 25.1);
        // if the record cannot be written the call fails closed.
        match got {
            iomt_result::AuthzNotPermitted => {
                assert_eq!(
                    after,
                    before.wrapping_add(1),
                    "the role-claim denial is on record"
                );
                let rec = last_record(&mut log);
                assert_eq!(
                    (rec.event, rec.outcome),
                    (10, 2),
                    "an OperationDenied record"
                );
            }
            iomt_result::AuthzAuditUnavailable => assert_eq!(after, before),
            other => panic!("role claim refused with {other:?}"),
        }
        return;
    }
    match decision.kind {
        iomt_decision_kind::Permit => {
            assert_eq!(got, iomt_result::Ok);
            assert_eq!(
                (access.kind, access.expires, access.audit_seq),
                (iomt_decision_kind::Permit, 0, 0)
            );
            assert_eq!(after, before);
        }
        iomt_decision_kind::Deny => {
            assert_eq!(got, iomt_result::ConsentDenied);
            assert!(after == before || after == before.wrapping_add(1));
        }
        iomt_decision_kind::BreakGlass => match got {
            iomt_result::Ok => {
                assert_eq!(access.kind, iomt_decision_kind::BreakGlass);
                let cap = ttl.min(IOMT_BREAK_GLASS_MAX_TTL_SECS);
                assert_eq!(access.expires, req.now.saturating_add(cap));
                assert_eq!(after, before.wrapping_add(1), "break-glass is audited");
                assert_eq!(access.audit_seq, before);
                let rec = last_record(&mut log);
                assert_eq!((rec.event, rec.seq), (8, before));
            }
            iomt_result::BreakGlassExpired => assert!(ttl == 0 || req.now == u64::MAX),
            iomt_result::AuthzAuditUnavailable => assert_eq!(after, before),
            other => panic!("break-glass: unexpected {other:?}"),
        },
    }
    // SAFETY: valid storage.
    ok(unsafe { iomt_audit_log_deinit(&mut *log) });
}

/// 4: a log over fuzzer-controlled flash.
fn flash_log(mut b: Bytes<'_>) {
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

/// 5: the reference export, mutated.
fn mutated_export(mut b: Bytes<'_>) {
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

// ---- Firmware updates ------------------------------------------------------------------

const VENDOR_ID: u32 = 0x494f_4d54;
const DEVICE_CLASS: u32 = 7;
const IMAGE_LEN: usize = 200;

/// Vendor-signed manifests (versions 3 and 1) for `image()`, and the anchor that trusts them.
struct Updates {
    anchor: iomt_vendor_anchor,
    envelopes: Vec<(Vec<u8>, iomt_auth::update::Manifest)>,
}

fn image() -> Vec<u8> {
    (0..IMAGE_LEN).map(|i| (i * 13 + 5) as u8).collect()
}

fn updates() -> &'static Updates {
    use ::iomt_crypto::CryptoProvider;
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

struct Counter {
    value: u32,
    fail: bool,
}

unsafe extern "C" fn counter_current(ud: *mut c_void, value: *mut u32) -> i32 {
    // SAFETY: `ud` is a live `Counter`; `value` a valid output.
    let c = unsafe { &mut *ud.cast::<Counter>() };
    if c.fail {
        return -1;
    }
    // SAFETY: as above.
    unsafe { *value = c.value };
    0
}

unsafe extern "C" fn counter_advance(ud: *mut c_void, to: u32) -> i32 {
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
fn update(mut b: Bytes<'_>) -> iomt_result {
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
    // SAFETY: live objects and valid storage.
    ok(unsafe {
        iomt_rbac_authorize(
            &*policy_default(),
            &mut *c,
            &mut *log,
            &mut *auth,
            op,
            NOW,
            &mut *permit,
        )
    });
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
fn policy_default() -> Box<iomt_rbac_policy> {
    let mut p = zeroed::<iomt_rbac_policy>();
    // SAFETY: valid storage.
    ok(unsafe { iomt_rbac_policy_init_default(&mut *p) });
    p
}

// ---- Seeds --------------------------------------------------------------------------------

fn write_seeds(dir: &str) {
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

fuzz_target!(
    init: {
        if let Ok(dir) = std::env::var("IOMT_FFI_AAA_SEEDS") {
            write_seeds(&dir);
            eprintln!("ffi_aaa: seeds written to {dir}");
            std::process::exit(0);
        }
        let _ = reference();
        let _ = sessions();
        let _ = updates();
    },
    |data: &[u8]| {
        let Some((&mode, rest)) = data.split_first() else {
            return;
        };
        let b = Bytes(rest);
        match mode % 7 {
            0 => raw_export(b),
            1 => chunk_record(b),
            2 => rbac(b),
            3 => consent(b),
            4 => flash_log(b),
            5 => mutated_export(b),
            _ => {
                let _ = update(b);
            }
        }
    }
);
