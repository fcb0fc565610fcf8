//! The firmware-update C API (`iomt_update_*`), end to end through the exported functions:
//! a real audit log over RAM callbacks, a permit from `iomt_rbac_authorize`, a rollback
//! counter over C callbacks and envelopes signed in Rust with `Manifest::sign`.

use ::iomt_crypto::CryptoProvider;
use iomt_auth::audit::{AuditEvent, Outcome};
use iomt_auth::factor::{
    FactorOutcome, FactorTag, FactorVerifier, LockoutPolicy, PinVerifier, RamFactorStore,
};
use iomt_auth::rbac::SessionAuth;
use iomt_auth::update::{MAX_ENVELOPE_LEN, MAX_MANIFEST_LEN, Manifest, UpdateError, key_id};
use iomt_core::{Operation, Role, RoleSet, Timestamp};

use super::*;

const VENDOR: u32 = 32473;
const CLASS: u32 = 7;
const T0: u64 = 1_800_000_000;
pub(super) const INSTALLED: u32 = 0x0001_0000;
const OFFERED: u32 = 0x0001_0100;

type Key = <Provider as CryptoProvider>::KeyHandle;

/// The audit ring in RAM, behind `iomt_audit_store_ops`.
struct RamLog {
    slots: Vec<[u8; IOMT_AUDIT_ENTRY_LEN]>,
    meta: Option<iomt_audit_meta>,
    fail_writes: bool,
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
    fail_current: bool,
    fail_advance: bool,
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
    anchor: iomt_vendor_anchor,
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
    fn provider(&mut self) -> &'static mut Provider {
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

    fn counter_ops(&self) -> iomt_rollback_counter_ops {
        iomt_rollback_counter_ops {
            userdata: self.counter.cast(),
            current: Some(counter_current),
            advance: Some(counter_advance),
        }
    }

    pub(super) fn counter(&mut self) -> &mut RamCounter {
        unsafe { &mut *self.counter }
    }

    fn store(&mut self) -> &mut RamLog {
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
    fn sign_raw(&mut self, payload: &[u8]) -> Vec<u8> {
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
    fn permit_subject(&mut self) -> [u8; IOMT_SUBJECT_LEN] {
        let mut info = MaybeUninit::uninit();
        let r =
            unsafe { iomt_session_auth_get_info(&raw const *self.tech.auth, info.as_mut_ptr()) };
        assert_eq!(r, iomt_result::Ok);
        unsafe { info.assume_init() }.subject
    }

    /// Runs the update, expects `code` (= `err` mapped), an audited rejection carrying
    /// `err`'s code, and an unmoved counter.
    fn rejected(&mut self, env: &[u8], image: &[u8], err: UpdateError, code: iomt_result) {
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

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_bad_signature() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    let mut env = f.sign(&m);
    let last = env.len() - 1;
    env[last] ^= 1;
    f.rejected(
        &env,
        &img,
        UpdateError::BadSignature,
        iomt_result::UpdateBadSignature,
    );
    // payload edited after signing (version bumped)
    let mut env = f.sign(&m);
    let pos = env.windows(2).position(|w| w == [0x03, 0x1a]).unwrap();
    env[pos + 4] = 0x02;
    f.rejected(
        &env,
        &img,
        UpdateError::BadSignature,
        iomt_result::UpdateBadSignature,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_wrong_vendor_key() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    let rogue = f.provider().p256_import_key(&[0x66; 32]).unwrap();
    let mut env = vec![0u8; MAX_ENVELOPE_LEN];
    let n = m.sign(f.provider(), &rogue, &mut env).unwrap();
    env.truncate(n);
    f.rejected(
        &env,
        &img,
        UpdateError::UnknownSigner,
        iomt_result::UpdateUnknownSigner,
    );
    // the rogue key claiming the vendor's kid: the signature check catches it
    let anchor_key = ::iomt_crypto::PublicKey::from_sec1_bytes(&f.anchor.public_key).unwrap();
    let kid = key_id(f.provider(), &anchor_key);
    env[8..16].copy_from_slice(&kid);
    f.rejected(
        &env,
        &img,
        UpdateError::BadSignature,
        iomt_result::UpdateBadSignature,
    );
    // an anchor holding the rogue key refuses the genuine envelope
    let genuine = f.sign(&m);
    f.anchor.public_key = f
        .provider()
        .p256_public_key(&rogue)
        .unwrap()
        .to_sec1_uncompressed();
    f.rejected(
        &genuine,
        &img,
        UpdateError::UnknownSigner,
        iomt_result::UpdateUnknownSigner,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_wrong_vendor_and_device_class() {
    let mut f = fx();
    let img = f.image.clone();
    let m = Manifest {
        vendor_id: VENDOR + 1,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::WrongVendor,
        iomt_result::UpdateWrongVendor,
    );
    let m = Manifest {
        device_class: CLASS + 1,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::WrongDeviceClass,
        iomt_result::UpdateWrongDeviceClass,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_downgrade_equal_version_and_base_too_old() {
    let mut f = fx();
    let img = f.image.clone();
    let m = Manifest {
        version: 0x0000_ff00,
        min_version: 0,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::Downgrade,
        iomt_result::UpdateDowngrade,
    );
    let m = Manifest {
        version: INSTALLED,
        min_version: 0,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::SameVersion,
        iomt_result::UpdateSameVersion,
    );
    let m = Manifest {
        version: 0x0002_0000,
        min_version: 0x0001_0500,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::BaseTooOld,
        iomt_result::UpdateBaseTooOld,
    );
    // the counter moved between begin and finish (another update won): re-checked
    let m = f.manifest();
    let env = f.sign(&m);
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(Fx::write(&mut up, &img), iomt_result::Ok);
    f.counter().value = OFFERED;
    let mut info = iomt_update_info::default();
    assert_eq!(f.finish(&mut up, &mut info), iomt_result::UpdateSameVersion);
    assert_eq!(info, iomt_update_info::default());
    assert_eq!(f.last_record().detail[0], UpdateError::SameVersion.code());
    assert_eq!(Fx::write(&mut up, &[]), iomt_result::ObjectFailed);
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_truncated_image() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    f.rejected(
        &env,
        &img[..img.len() - 1],
        UpdateError::ImageTruncated,
        iomt_result::UpdateImageTruncated,
    );
    f.rejected(
        &env,
        &[],
        UpdateError::ImageTruncated,
        iomt_result::UpdateImageTruncated,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_overlong_image_poisons_the_update() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(Fx::write(&mut up, &img[..4000]), iomt_result::Ok);
    assert_eq!(
        Fx::write(&mut up, &img[..1001]),
        iomt_result::UpdateImageTooLong
    );
    let mut info = iomt_update_info::default();
    assert_eq!(
        unsafe { iomt_update_manifest(&raw const *up, &raw mut info) },
        iomt_result::Ok
    );
    assert_eq!(info.received, 4000, "the refused chunk was not absorbed");
    // poisoned: even the correct remainder is refused
    assert_eq!(
        Fx::write(&mut up, &img[4000..]),
        iomt_result::UpdateImageTooLong
    );
    assert_eq!(Fx::write(&mut up, &[]), iomt_result::UpdateImageTooLong);
    let mut out = iomt_update_info::default();
    assert_eq!(f.finish(&mut up, &mut out), iomt_result::UpdateImageTooLong);
    assert_eq!(out, iomt_update_info::default());
    assert_eq!(f.counter().value, INSTALLED);
    let rec = f.last_record();
    assert_eq!(
        (rec.event, rec.detail[0]),
        (
            AuditEvent::UpdateRejected.code(),
            UpdateError::ImageTooLong.code()
        )
    );
    // failed for good
    assert_eq!(Fx::write(&mut up, &[]), iomt_result::ObjectFailed);
    assert_eq!(f.finish(&mut up, &mut out), iomt_result::ObjectFailed);
    assert_eq!(
        unsafe { iomt_update_manifest(&raw const *up, &raw mut info) },
        iomt_result::ObjectFailed
    );
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
    // one byte too many in the usual flow
    let mut long = img.clone();
    long.push(0);
    f.rejected(
        &env,
        &long,
        UpdateError::ImageTooLong,
        iomt_result::UpdateImageTooLong,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_digest_mismatch() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let mut img = f.image.clone();
    img[2500] ^= 0x40;
    f.rejected(
        &env,
        &img,
        UpdateError::DigestMismatch,
        iomt_result::UpdateDigestMismatch,
    );
}

fn encoded(m: &Manifest) -> Vec<u8> {
    let mut b = [0u8; MAX_MANIFEST_LEN];
    let n = m.encode(&mut b).unwrap();
    b[..n].to_vec()
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_manifest_with_trailing_bytes() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    // a byte after the manifest map, validly signed
    let mut p = encoded(&m);
    p.push(0x00);
    let env = f.sign_raw(&p);
    f.rejected(
        &env,
        &img,
        UpdateError::TrailingBytes,
        iomt_result::UpdateTrailingBytes,
    );
    // a byte after the COSE array
    let mut env = f.sign(&m);
    env.push(0x00);
    f.rejected(
        &env,
        &img,
        UpdateError::TrailingBytes,
        iomt_result::UpdateTrailingBytes,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_non_deterministic_or_malformed_cbor() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    let good = encoded(&m);
    // vendor id in a longer head than needed (0x1a instead of 0x19)
    let mut p = vec![0xa6, 0x01, 0x1a, 0x00, 0x00, 0x7e, 0xd9];
    p.extend_from_slice(&good[4..]);
    let env = f.sign_raw(&p);
    f.rejected(
        &env,
        &img,
        UpdateError::NonDeterministic,
        iomt_result::UpdateNonDeterministic,
    );
    // map keys out of order (2 before 1)
    let mut p = vec![0xa6, 0x02, 0x07, 0x01, 0x19, 0x7e, 0xd9];
    p.extend_from_slice(&good[6..]);
    let env = f.sign_raw(&p);
    f.rejected(
        &env,
        &img,
        UpdateError::NonDeterministic,
        iomt_result::UpdateNonDeterministic,
    );
    // an empty map (keys missing)
    let env = f.sign_raw(&[0xa0]);
    f.rejected(
        &env,
        &img,
        UpdateError::Malformed,
        iomt_result::UpdateMalformed,
    );
    // a protected header other than {1: -7, 4: kid}
    let mut env = f.sign(&m);
    env[5] = 0x38;
    f.rejected(
        &env,
        &img,
        UpdateError::UnsupportedAlgorithm,
        iomt_result::UpdateUnsupportedAlgorithm,
    );
    // garbage and the empty envelope
    f.rejected(
        &[0xff; 40],
        &img,
        UpdateError::Malformed,
        iomt_result::UpdateMalformed,
    );
    f.rejected(
        &[],
        &img,
        UpdateError::Malformed,
        iomt_result::UpdateMalformed,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_wrong_permit_is_refused_and_audited() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let (mut nurse, r) = f.authorize(b"nurse-1", Role::Nurse, false, Operation::ReadVitals);
    assert_eq!(r, iomt_result::Ok);
    let seq_before = f.meta().next_seq;
    let (mut up, r) = f.begin_with(&mut nurse, &env);
    assert_eq!(r, iomt_result::AuthzWrongPermit);
    assert_eq!(
        iomt_result::from(UpdateError::WrongPermit),
        iomt_result::AuthzWrongPermit
    );
    let rec = f.last_record();
    assert_eq!(f.meta().next_seq, seq_before + 1);
    assert_eq!(
        (rec.event, rec.outcome, rec.detail[0]),
        (
            AuditEvent::UpdateRejected.code(),
            Outcome::Denied.code(),
            UpdateError::WrongPermit.code()
        )
    );
    assert_ne!(rec.subject, f.permit_subject(), "the nurse is recorded");
    // nothing was initialized
    let mut info = iomt_update_info::default();
    assert_eq!(
        unsafe { iomt_update_manifest(&raw const *up, &raw mut info) },
        iomt_result::NotInitialized
    );
    assert_eq!(Fx::write(&mut up, &[1]), iomt_result::NotInitialized);
    assert_eq!(f.counter().value, INSTALLED);
    // a technician without the factor gets no permit at all
    let (_, r) = f.authorize(
        b"tech-2",
        Role::Technician,
        false,
        Operation::FirmwareUpdate,
    );
    assert_eq!(r, iomt_result::AuthzFactorRequired);
    // a deinitialized (here: consumed) permit is no permit
    let (_, r) = f.begin_with(&mut nurse, &env);
    assert_eq!(r, iomt_result::NotInitialized);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_failing_counter_callbacks() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    // reading fails at begin
    f.counter().fail_current = true;
    f.rejected(&env, &img, UpdateError::Counter, iomt_result::UpdateCounter);
    f.counter().fail_current = false;
    // reading fails at finish
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(Fx::write(&mut up, &img), iomt_result::Ok);
    f.counter().fail_current = true;
    let mut info = iomt_update_info::default();
    assert_eq!(f.finish(&mut up, &mut info), iomt_result::UpdateCounter);
    assert_eq!(f.last_record().detail[0], UpdateError::Counter.code());
    f.counter().fail_current = false;
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
    // advancing fails after the acceptance record: rejected, audited, counter unmoved
    f.counter().fail_advance = true;
    let seq = f.meta().next_seq + 2; // after PrivilegedOperation and UpdateStarted
    let (r, info) = f.run(&env, &img, 1000);
    assert_eq!(r, iomt_result::UpdateCounter);
    assert_eq!(info, iomt_update_info::default());
    assert_eq!(f.counter().value, INSTALLED);
    assert_eq!(f.record(seq).event, AuditEvent::UpdateAccepted.code());
    let rec = f.record(seq + 1);
    assert_eq!(
        (rec.event, rec.detail[0]),
        (
            AuditEvent::UpdateRejected.code(),
            UpdateError::Counter.code()
        )
    );
    f.counter().fail_advance = false;
    // NULL callbacks are refused before anything happens
    let seq = f.meta().next_seq;
    let mut up = zeroed::<iomt_update>();
    for ops in [
        iomt_rollback_counter_ops {
            current: None,
            ..f.counter_ops()
        },
        iomt_rollback_counter_ops {
            advance: None,
            ..f.counter_ops()
        },
    ] {
        let r = unsafe {
            iomt_update_begin(
                &raw mut *up,
                f.c.ptr(),
                &raw mut *f.log,
                &raw mut *f.tech.auth,
                &raw mut *f.tech.permit,
                &raw const f.anchor,
                env.as_ptr(),
                env.len(),
                &raw const ops,
                T0,
            )
        };
        assert_eq!(r, iomt_result::NullParameter);
    }
    assert_eq!(f.meta().next_seq, seq, "caller bugs are not audited");
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_audit_unavailable_fails_closed() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(Fx::write(&mut up, &img), iomt_result::Ok);
    f.store().fail_writes = true;
    let mut info = iomt_update_info::default();
    assert_eq!(
        f.finish(&mut up, &mut info),
        iomt_result::AuthzAuditUnavailable
    );
    assert_eq!(f.counter().value, INSTALLED, "no record, no counter move");
    assert_eq!(info, iomt_update_info::default());
    assert_eq!(f.finish(&mut up, &mut info), iomt_result::ObjectFailed);
    f.store().fail_writes = false;
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_null_and_misuse() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let ops = f.counter_ops();
    let mut up = zeroed::<iomt_update>();
    let mut info = iomt_update_info::default();
    let seq = f.meta().next_seq;
    let (u, c, l, s, p, a, o) = (
        &raw mut *up,
        f.c.ptr(),
        &raw mut *f.log,
        &raw mut *f.tech.auth,
        &raw mut *f.tech.permit,
        &raw const f.anchor,
        &raw const ops,
    );
    let (e, n) = (env.as_ptr(), env.len());
    unsafe {
        // every pointer of begin
        assert_eq!(
            iomt_update_begin(null_mut(), c, l, s, p, a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, null_mut(), l, s, p, a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, null_mut(), s, p, a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, null_mut(), p, a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, null_mut(), a, e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, null(), e, n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, a, null(), n, o, T0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, a, e, usize::MAX, o, T0),
            iomt_result::InvalidArgument
        );
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, a, e, n, null(), T0),
            iomt_result::NullParameter
        );
        let misaligned = u.cast::<u8>().wrapping_add(4).cast::<iomt_update>();
        assert_eq!(
            iomt_update_begin(misaligned, c, l, s, p, a, e, n, o, T0),
            iomt_result::MisalignedStorage
        );
        // an anchor whose key is not a curve point
        let mut bad = f.anchor;
        bad.public_key[64] ^= 1;
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, &raw const bad, e, n, o, T0),
            iomt_result::CryptoInvalidPublicKey
        );
        bad.public_key[0] = 0x05;
        assert_eq!(
            iomt_update_begin(u, c, l, s, p, &raw const bad, e, n, o, T0),
            iomt_result::CryptoInvalidPublicKey
        );
        assert_eq!(f.meta().next_seq, seq, "caller bugs are not audited");
        // calls before begin
        assert_eq!(
            iomt_update_write(u, img.as_ptr(), 1),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_update_finish(u, c, l, o, T0, &raw mut info),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_update_manifest(u, &raw mut info),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_update_write(null_mut(), img.as_ptr(), 1),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_write(misaligned, img.as_ptr(), 1),
            iomt_result::MisalignedStorage
        );
        assert_eq!(
            iomt_update_manifest(null(), &raw mut info),
            iomt_result::NullParameter
        );

        assert_eq!(
            iomt_update_begin(u, c, l, s, p, a, e, n, o, T0),
            iomt_result::Ok
        );
        // NULL data with a length, a huge length; NULL/zero-length chunks are fine
        assert_eq!(iomt_update_write(u, null(), 1), iomt_result::NullParameter);
        assert_eq!(
            iomt_update_write(u, img.as_ptr(), usize::MAX),
            iomt_result::InvalidArgument
        );
        assert_eq!(iomt_update_write(u, null(), 0), iomt_result::Ok);
        assert_eq!(
            iomt_update_manifest(u, null_mut()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_write(u, img.as_ptr(), img.len()),
            iomt_result::Ok
        );
        // a finish with a NULL argument consumes nothing
        assert_eq!(
            iomt_update_finish(u, c, l, o, T0, null_mut()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_finish(u, c, l, null(), T0, &raw mut info),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_finish(u, null_mut(), l, o, T0, &raw mut info),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_update_finish(u, c, null_mut(), o, T0, &raw mut info),
            iomt_result::NullParameter
        );
        assert_eq!(f.counter().value, INSTALLED);
        assert_eq!(
            iomt_update_finish(u, c, l, o, T0, &raw mut info),
            iomt_result::Ok
        );
        assert_eq!(info.accepted, 1);
        assert_eq!(f.counter().value, OFFERED);
        // deinit zeroizes; a second deinit and NULL are fine; then nothing is live
        assert_eq!(iomt_update_deinit(u), iomt_result::Ok);
        let bytes = core::slice::from_raw_parts(u.cast::<u8>(), IOMT_UPDATE_SIZE);
        assert!(bytes.iter().all(|&b| b == 0));
        assert_eq!(iomt_update_deinit(u), iomt_result::Ok);
        assert_eq!(iomt_update_deinit(null_mut()), iomt_result::Ok);
        assert_eq!(
            iomt_update_deinit(misaligned),
            iomt_result::MisalignedStorage
        );
        assert_eq!(
            iomt_update_write(u, img.as_ptr(), 1),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_update_manifest(u, &raw mut info),
            iomt_result::NotInitialized
        );
    }
}
