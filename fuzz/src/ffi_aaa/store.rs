//! A RAM audit store the fuzzer (or the setup) controls, and audit-log helpers over it.

use super::*;

// ---- A RAM audit store the fuzzer (or the setup) controls ----------------------------------

pub(super) const ENTRY: usize = IOMT_AUDIT_ENTRY_LEN;

pub(super) struct Flash {
    pub(super) slots: Vec<[u8; ENTRY]>,
    pub(super) meta: iomt_audit_meta,
    pub(super) present: u8,
    /// The callback call (counted from 0) that fails, if any.
    pub(super) fail_at: Option<u32>,
    pub(super) calls: u32,
}

impl Flash {
    pub(super) fn new(capacity: usize) -> Box<Self> {
        Box::new(Self {
            slots: vec![[0; ENTRY]; capacity],
            meta: iomt_audit_meta::default(),
            present: 0,
            fail_at: None,
            calls: 0,
        })
    }

    pub(super) fn fails(&mut self) -> bool {
        let now = self.calls;
        self.calls = self.calls.wrapping_add(1);
        self.fail_at == Some(now)
    }

    pub(super) fn ops(&mut self) -> iomt_audit_store_ops {
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

pub(super) unsafe extern "C" fn read_slot(ud: *mut c_void, slot: u32, entry: *mut u8) -> i32 {
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

pub(super) unsafe extern "C" fn write_slot(ud: *mut c_void, slot: u32, entry: *const u8) -> i32 {
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

pub(super) unsafe extern "C" fn load_meta(
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

pub(super) unsafe extern "C" fn store_meta(ud: *mut c_void, meta: *const iomt_audit_meta) -> i32 {
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
pub(super) fn open_log(
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

pub(super) fn meta_of(log: &iomt_audit_log) -> iomt_audit_meta {
    let mut m = iomt_audit_meta::default();
    // SAFETY: a live log and a valid output.
    ok(unsafe { iomt_audit_log_meta(log, &mut m) });
    m
}

pub(super) fn last_record(log: &mut iomt_audit_log) -> iomt_audit_record {
    let m = meta_of(log);
    let mut rec: iomt_audit_record = *zeroed();
    // SAFETY: a live log and a valid output.
    ok(unsafe { iomt_audit_log_read(log, m.next_seq.wrapping_sub(1), &mut rec) });
    rec
}
