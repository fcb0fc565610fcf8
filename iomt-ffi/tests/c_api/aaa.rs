//! Shared fixtures of the authorization and accounting C-API tests: a RAM "flash" behind
//! the audit and factor callbacks, audit-log helpers, session authorizations, and consent
//! enforcement requests. The tests are in `aaa_boundary`, `audit_log`, `audit_export`,
//! `factor` and `break_glass`.

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
    pub(super) fail_store_meta: bool,
    pub(super) factor: iomt_lockout_table,
    pub(super) fail_factor_store: bool,
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

pub(super) unsafe extern "C" fn factor_load(u: *mut c_void, s: *mut iomt_lockout_table) -> i32 {
    let f = unsafe { &mut *u.cast::<Flash>() };
    unsafe { *s = f.factor };
    0
}

pub(super) unsafe extern "C" fn factor_store(u: *mut c_void, s: *const iomt_lockout_table) -> i32 {
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

pub(super) fn ops(f: &mut Flash) -> iomt_audit_store_ops {
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
