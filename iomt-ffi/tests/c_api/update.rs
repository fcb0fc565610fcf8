//! The firmware-update C API (`iomt_update_*`), end to end through the exported functions:
//! a real audit log over RAM callbacks, a permit from `iomt_rbac_authorize`, a rollback
//! counter over C callbacks and envelopes signed in Rust with `Manifest::sign`.
//! This file holds the shared fixture and the accepted path; the refusals are in
//! `update_refusals`, the failures around the manifest in `update_failures`.

use ::iomt_crypto::prelude::*;

use iomt_auth::audit::{AuditEvent, Outcome};
use iomt_auth::factor::{
    FactorOutcome, FactorTag, FactorVerifier, LockoutPolicy, PinVerifier, RamFactorStore,
};
use iomt_auth::rbac::SessionAuth;
use iomt_auth::update::{MAX_ENVELOPE_LEN, Manifest, UpdateError};
use iomt_core::{Operation, Role, RoleSet, Timestamp};

use super::*;

pub(super) const VENDOR: u32 = 32473;
pub(super) const CLASS: u32 = 7;
pub(super) const T0: u64 = 1_800_000_000;
pub(super) const INSTALLED: u32 = 0x0001_0000;
pub(super) const OFFERED: u32 = 0x0001_0100;

type Key = <Provider as ::iomt_crypto::P256>::KeyHandle;

/// The audit ring in RAM, behind `iomt_audit_store_ops`.
pub(super) struct RamLog {
    slots: Vec<[u8; IOMT_AUDIT_ENTRY_LEN]>,
    meta: Option<iomt_audit_meta>,
    pub(super) fail_writes: bool,
}

unsafe extern "C" fn log_read(ud: *mut c_void, slot: u32, entry: *mut u8) -> i32 {
    let s = unsafe { &mut *ud.cast::<RamLog>() };
    match s.slots.get(slot as usize) {
        Some(e) => {
            unsafe { entry.copy_from_nonoverlapping(e.as_ptr(), IOMT_AUDIT_ENTRY_LEN) };
            0
        }
        None => -1,
    }
}

unsafe extern "C" fn log_write(ud: *mut c_void, slot: u32, entry: *const u8) -> i32 {
    let s = unsafe { &mut *ud.cast::<RamLog>() };
    if s.fail_writes {
        return -1;
    }
    match s.slots.get_mut(slot as usize) {
        Some(e) => {
            unsafe {
                e.as_mut_ptr()
                    .copy_from_nonoverlapping(entry, IOMT_AUDIT_ENTRY_LEN)
            };
            0
        }
        None => -1,
    }
}

unsafe extern "C" fn log_load_meta(
    ud: *mut c_void,
    meta: *mut iomt_audit_meta,
    present: *mut u8,
) -> i32 {
    let s = unsafe { &mut *ud.cast::<RamLog>() };
    match s.meta {
        Some(m) => unsafe {
            *meta = m;
            *present = 1;
        },
        None => unsafe { *present = 0 },
    }
    0
}

unsafe extern "C" fn log_store_meta(ud: *mut c_void, meta: *const iomt_audit_meta) -> i32 {
    let s = unsafe { &mut *ud.cast::<RamLog>() };
    if s.fail_writes {
        return -1;
    }
    s.meta = Some(unsafe { *meta });
    0
}

/// The rollback counter in RAM, behind `iomt_rollback_counter_ops`.
pub(super) struct RamCounter {
    pub(super) value: u32,
    pub(super) fail_current: bool,
    pub(super) fail_advance: bool,
}

unsafe extern "C" fn counter_current(ud: *mut c_void, value: *mut u32) -> i32 {
    let c = unsafe { &mut *ud.cast::<RamCounter>() };
    if c.fail_current {
        return -1;
    }
    unsafe { *value = c.value };
    0
}

unsafe extern "C" fn counter_advance(ud: *mut c_void, to: u32) -> i32 {
    let c = unsafe { &mut *ud.cast::<RamCounter>() };
    if c.fail_advance || to < c.value {
        return -1;
    }
    c.value = to;
    0
}

/// Everything one update needs, wired through the C API.
pub(super) struct Fx {
    pub(super) c: Crypto,
    store: *mut RamLog,
    counter: *mut RamCounter,
    pub(super) log: Box<iomt_audit_log>,
    policy: Box<iomt_rbac_policy>,
    /// The technician's session (operator factor verified) and one unused permit of it.
    pub(super) tech: Grant,
    vendor: Key,
    pub(super) anchor: iomt_vendor_anchor,
    pub(super) image: Vec<u8>,
}

/// A session and a permit it obtained (permits are redeemed by their session).
pub(super) struct Grant {
    pub(super) auth: Box<iomt_session_auth>,
    pub(super) permit: Box<iomt_permit>,
}

impl Drop for Grant {
    fn drop(&mut self) {
        unsafe {
            assert_eq!(iomt_permit_deinit(&raw mut *self.permit), iomt_result::Ok);
            assert_eq!(
                iomt_session_auth_deinit(&raw mut *self.auth),
                iomt_result::Ok
            );
        }
    }
}

impl Grant {
    pub(super) fn none() -> Self {
        Self {
            auth: zeroed::<iomt_session_auth>(),
            permit: zeroed::<iomt_permit>(),
        }
    }
}

impl Drop for Fx {
    fn drop(&mut self) {
        unsafe {
            assert_eq!(
                iomt_rbac_policy_deinit(&raw mut *self.policy),
                iomt_result::Ok
            );
            assert_eq!(iomt_audit_log_deinit(&raw mut *self.log), iomt_result::Ok);
            drop(Box::from_raw(self.store));
            drop(Box::from_raw(self.counter));
        }
    }
}

pub(super) fn fx() -> Fx {
    let mut c = Crypto::new(0x5eed_0003);
    let store = Box::into_raw(Box::new(RamLog {
        slots: vec![[0; IOMT_AUDIT_ENTRY_LEN]; 64],
        meta: None,
        fail_writes: false,
    }));
    let ops = iomt_audit_store_ops {
        userdata: store.cast(),
        capacity: 64,
        read_slot: Some(log_read),
        write_slot: Some(log_write),
        load_meta: Some(log_load_meta),
        store_meta: Some(log_store_meta),
    };
    let mut log = zeroed::<iomt_audit_log>();
    let device = [0xd0u8; IOMT_SUBJECT_LEN];
    let r = unsafe { iomt_audit_log_init(&raw mut *log, c.ptr(), &raw const ops, device.as_ptr()) };
    assert_eq!(r, iomt_result::Ok);
    let counter = Box::into_raw(Box::new(RamCounter {
        value: INSTALLED,
        fail_current: false,
        fail_advance: false,
    }));

    let provider = unsafe { provider(c.ptr()) };
    let vendor = provider.p256_import_key(&[0x5e; 32]).unwrap();
    let anchor = iomt_vendor_anchor {
        vendor_id: VENDOR,
        device_class: CLASS,
        public_key: provider
            .p256_public_key(&vendor)
            .unwrap()
            .to_sec1_uncompressed(),
    };
    let mut policy = zeroed::<iomt_rbac_policy>();
    assert_eq!(
        unsafe { iomt_rbac_policy_init_default(&raw mut *policy) },
        iomt_result::Ok
    );
    let image: Vec<u8> = (0..5000u32).map(|i| (i * 7 + 3).to_le_bytes()[0]).collect();
    let mut f = Fx {
        c,
        store,
        counter,
        log,
        policy,
        tech: Grant::none(),
        vendor,
        anchor,
        image,
    };
    // A technician whose operator factor verified, authorized for the update.
    let (tech, r) = f.authorize(b"tech-1", Role::Technician, true, Operation::FirmwareUpdate);
    assert_eq!(r, iomt_result::Ok);
    f.tech = tech;
    f
}

fn now() -> Timestamp {
    Timestamp::from_secs(T0)
}

impl Fx {
    pub(super) fn provider(&mut self) -> &'static mut Provider {
        unsafe { provider(self.c.ptr()) }
    }

    /// A permit from `iomt_rbac_authorize` for a session with `role` (and the operator
    /// factor verified, if `factor`).
    pub(super) fn authorize(
        &mut self,
        who: &[u8],
        role: Role,
        factor: bool,
        op: Operation,
    ) -> (Grant, iomt_result) {
        let provider = self.provider();
        let mut auth = SessionAuth::new(provider, who, RoleSet::only(role));
        if factor {
            let v = PinVerifier::derive(provider, b"pump", b"7788").unwrap();
            let tag = FactorTag::compute(provider, &v, &[7; 32]);
            let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
            let log = unsafe { audit_log(&raw mut *self.log) };
            let r = fv.verify(
                provider,
                log,
                &v,
                &[7; 32],
                Some(&tag),
                auth.subject(),
                now(),
            );
            auth.set_factor(FactorOutcome::from_result(r));
        }
        let mut g = Grant::none();
        unsafe { init_session_auth(&raw mut *g.auth, auth) };
        let r = self.reauthorize(&mut g, op);
        (g, r)
    }

    /// A fresh permit for `op` from the session of `g` (replacing `g`'s permit).
    pub(super) fn reauthorize(&mut self, g: &mut Grant, op: Operation) -> iomt_result {
        unsafe {
            iomt_rbac_authorize(
                &raw const *self.policy,
                self.c.ptr(),
                &raw mut *self.log,
                &raw mut *g.auth,
                op.code(),
                T0,
                &raw mut *g.permit,
            )
        }
    }

    pub(super) fn counter_ops(&self) -> iomt_rollback_counter_ops {
        iomt_rollback_counter_ops {
            userdata: self.counter.cast(),
            current: Some(counter_current),
            advance: Some(counter_advance),
        }
    }

    pub(super) fn counter(&mut self) -> &mut RamCounter {
        unsafe { &mut *self.counter }
    }

    pub(super) fn store(&mut self) -> &mut RamLog {
        unsafe { &mut *self.store }
    }

    pub(super) fn manifest(&mut self) -> Manifest {
        let digest = self.provider().sha256(&self.image);
        Manifest {
            vendor_id: VENDOR,
            device_class: CLASS,
            version: OFFERED,
            min_version: INSTALLED,
            image_size: u32::try_from(self.image.len()).unwrap(),
            digest,
        }
    }

    pub(super) fn sign(&mut self, m: &Manifest) -> Vec<u8> {
        let mut out = vec![0u8; MAX_ENVELOPE_LEN];
        let n = m.sign(self.provider(), &self.vendor, &mut out).unwrap();
        out.truncate(n);
        out
    }

    /// Signs arbitrary payload bytes (deliberately malformed manifests).
    pub(super) fn sign_raw(&mut self, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; 256];
        let n = iomt_auth::update::sign_payload(self.provider(), &self.vendor, payload, &mut out)
            .unwrap();
        out.truncate(n);
        out
    }

    pub(super) fn begin_with(
        &mut self,
        g: &mut Grant,
        env: &[u8],
    ) -> (Box<iomt_update>, iomt_result) {
        let mut up = zeroed::<iomt_update>();
        let ops = self.counter_ops();
        let r = unsafe {
            iomt_update_begin(
                &raw mut *up,
                self.c.ptr(),
                &raw mut *self.log,
                &raw mut *g.auth,
                &raw mut *g.permit,
                &raw const self.anchor,
                env.as_ptr(),
                env.len(),
                &raw const ops,
                T0,
            )
        };
        (up, r)
    }

    /// Begins with a fresh permit of the technician's session (permits are single-use).
    pub(super) fn begin(&mut self, env: &[u8]) -> (Box<iomt_update>, iomt_result) {
        let mut tech = core::mem::replace(&mut self.tech, Grant::none());
        assert_eq!(
            self.reauthorize(&mut tech, Operation::FirmwareUpdate),
            iomt_result::Ok
        );
        let r = self.begin_with(&mut tech, env);
        self.tech = tech;
        r
    }

    pub(super) fn write(up: &mut iomt_update, chunk: &[u8]) -> iomt_result {
        unsafe { iomt_update_write(up, chunk.as_ptr(), chunk.len()) }
    }

    pub(super) fn finish(
        &mut self,
        up: &mut iomt_update,
        info: &mut iomt_update_info,
    ) -> iomt_result {
        let ops = self.counter_ops();
        unsafe {
            iomt_update_finish(
                up,
                self.c.ptr(),
                &raw mut *self.log,
                &raw const ops,
                T0,
                info,
            )
        }
    }

    /// begin, write in `chunk`-sized pieces (stopping at the first error), finish.
    pub(super) fn run(
        &mut self,
        env: &[u8],
        image: &[u8],
        chunk: usize,
    ) -> (iomt_result, iomt_update_info) {
        let mut info = iomt_update_info::default();
        let (mut up, r) = self.begin(env);
        if r != iomt_result::Ok {
            return (r, info);
        }
        for ch in image.chunks(chunk) {
            if Self::write(&mut up, ch) != iomt_result::Ok {
                break;
            }
        }
        let r = self.finish(&mut up, &mut info);
        assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
        (r, info)
    }

    pub(super) fn meta(&mut self) -> iomt_audit_meta {
        let mut m = iomt_audit_meta::default();
        let r = unsafe { iomt_audit_log_meta(&raw const *self.log, &raw mut m) };
        assert_eq!(r, iomt_result::Ok);
        m
    }

    pub(super) fn record(&mut self, seq: u32) -> iomt_audit_record {
        let mut rec = iomt_audit_record::default();
        let r = unsafe { iomt_audit_log_read(&raw mut *self.log, seq, &raw mut rec) };
        assert_eq!(r, iomt_result::Ok);
        rec
    }

    pub(super) fn last_record(&mut self) -> iomt_audit_record {
        let s = self.meta().next_seq - 1;
        self.record(s)
    }

    /// The technician's subject id.
    pub(super) fn permit_subject(&mut self) -> [u8; IOMT_SUBJECT_LEN] {
        let mut info = MaybeUninit::uninit();
        let r =
            unsafe { iomt_session_auth_get_info(&raw const *self.tech.auth, info.as_mut_ptr()) };
        assert_eq!(r, iomt_result::Ok);
        unsafe { info.assume_init() }.subject
    }

    /// Runs the update, expects `code` (= `err` mapped), an audited rejection carrying
    /// `err`'s code, and an unmoved counter.
    pub(super) fn rejected(
        &mut self,
        env: &[u8],
        image: &[u8],
        err: UpdateError,
        code: iomt_result,
    ) {
        assert_eq!(iomt_result::from(err), code);
        let before = self.counter().value;
        let seq_before = self.meta().next_seq;
        let (r, info) = self.run(env, image, 512);
        assert_eq!(r, code, "expected {err:?}");
        assert_eq!(info, iomt_update_info::default(), "no output on failure");
        assert_eq!(self.counter().value, before, "counter moved on {err:?}");
        // The fresh permit's PrivilegedOperation record, UpdateStarted if begin passed,
        // then one record per rejection.
        let delta = self.meta().next_seq - seq_before;
        assert!((2..=3).contains(&delta), "{delta} records");
        if delta == 3 {
            assert_eq!(
                self.record(seq_before + 1).event,
                AuditEvent::UpdateStarted.code()
            );
        }
        let rec = self.last_record();
        assert_eq!(
            (rec.event, rec.outcome),
            (AuditEvent::UpdateRejected.code(), Outcome::Denied.code())
        );
        assert_eq!(rec.detail[0], err.code());
        assert_eq!(rec.subject, self.permit_subject());
    }
}

#[test]
fn update_storage_size_and_alignment_match_the_constants() {
    assert_eq!(size_of::<iomt_update>(), IOMT_UPDATE_SIZE);
    assert_eq!(align_of::<iomt_update>(), IOMT_UPDATE_ALIGN);
    assert_eq!(IOMT_UPDATE_MAX_ENVELOPE_LEN, MAX_ENVELOPE_LEN);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_valid_is_accepted_audited_and_advances_counter() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    // progress is visible before finish, nothing is accepted yet
    let mut info = iomt_update_info::default();
    for (i, ch) in img.chunks(333).enumerate() {
        assert_eq!(Fx::write(&mut up, ch), iomt_result::Ok);
        if i == 2 {
            let r = unsafe { iomt_update_manifest(&raw const *up, &raw mut info) };
            assert_eq!(r, iomt_result::Ok);
            assert_eq!(info.received, 999);
            assert_eq!(info.accepted, 0);
            assert_eq!(info.previous_version, INSTALLED);
            assert_eq!(
                (info.version, info.image_size, info.digest),
                (OFFERED, 5000, m.digest)
            );
            assert_eq!(f.counter().value, INSTALLED);
        }
    }
    let mut out = iomt_update_info::default();
    assert_eq!(f.finish(&mut up, &mut out), iomt_result::Ok);
    assert_eq!(f.counter().value, OFFERED);
    assert_eq!(
        (
            out.vendor_id,
            out.device_class,
            out.version,
            out.min_version
        ),
        (VENDOR, CLASS, OFFERED, INSTALLED)
    );
    assert_eq!(
        (out.image_size, out.received, out.digest),
        (5000, 5000, m.digest)
    );
    assert_eq!((out.previous_version, out.accepted), (INSTALLED, 1));
    // the acceptance record, read back through the C API
    assert_eq!(f.meta().next_seq, out.audit_seq + 1);
    let rec = f.record(out.audit_seq);
    assert_eq!(
        (rec.event, rec.outcome, rec.time),
        (
            AuditEvent::UpdateAccepted.code(),
            Outcome::Success.code(),
            T0
        )
    );
    assert_eq!(rec.subject, f.permit_subject());
    assert_eq!(&rec.detail[..8], &[0, 1, 1, 0, 0, 1, 0, 0]);
    assert_eq!(
        unsafe { iomt_audit_log_verify(&raw mut *f.log, f.c.ptr()) },
        iomt_result::Ok
    );
    // accepted: the manifest stays readable, nothing else is possible
    let mut again = iomt_update_info::default();
    assert_eq!(
        unsafe { iomt_update_manifest(&raw const *up, &raw mut again) },
        iomt_result::Ok
    );
    assert_eq!(again, out);
    assert_eq!(Fx::write(&mut up, &[]), iomt_result::WrongState);
    assert_eq!(f.finish(&mut up, &mut again), iomt_result::WrongState);
    assert_eq!(f.counter().value, OFFERED);
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
    // the same envelope again is now "equal version"
    f.rejected(
        &env,
        &img,
        UpdateError::SameVersion,
        iomt_result::UpdateSameVersion,
    );
    // untagged COSE_Sign1 of a newer version goes through in one write
    let m2 = Manifest {
        version: OFFERED + 1,
        ..m
    };
    let env2 = f.sign(&m2);
    let (r, info) = f.run(&env2[1..], &img, img.len());
    assert_eq!(
        (r, info.version, info.previous_version),
        (iomt_result::Ok, OFFERED + 1, OFFERED)
    );
    assert_eq!(f.counter().value, OFFERED + 1);
}
