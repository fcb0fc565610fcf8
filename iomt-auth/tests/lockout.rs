//! Lockout per subject (issue 26): one operator's failures do not lock another out, a
//! device-wide ceiling bounds guesses across credential rotation, the table is bounded and
//! fails closed when full, and unprotective policies are refused.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use iomt_auth::audit::{AuditLog, RamAuditStore, Subject};
use iomt_auth::factor::*;
use iomt_core::Timestamp;
use iomt_crypto::DeterministicProvider;

#[path = "common/broken_store.rs"]
mod broken_store;
use broken_store::BrokenStore;

const T0: u64 = 1_800_000_000;
const TH_3: [u8; 32] = [0x33; 32];

fn t(s: u64) -> Timestamp {
    Timestamp::from_secs(T0 + s)
}

struct Fx {
    c: DeterministicProvider,
    log: AuditLog<RamAuditStore<256>>,
    v: PinVerifier,
    fv: FactorVerifier<RamFactorStore>,
}

fn fx() -> Fx {
    let mut c = DeterministicProvider::new();
    let log = AuditLog::open(&mut c, RamAuditStore::new(), [0xd0; 8]).unwrap();
    let v = PinVerifier::derive(&mut c, b"pump-0042", b"482916").unwrap();
    let fv = FactorVerifier::try_new(RamFactorStore::default(), LockoutPolicy::DEFAULT).unwrap();
    Fx { c, log, v, fv }
}

impl Fx {
    fn attempt(&mut self, pin: &[u8], who: Subject, now: Timestamp) -> Result<(), FactorError> {
        let typed = PinVerifier::derive(&mut self.c, b"pump-0042", pin).unwrap();
        let tag = FactorTag::compute(&mut self.c, &typed, &TH_3);
        self.fv
            .verify(
                &mut self.c,
                &mut self.log,
                &self.v,
                &TH_3,
                Some(&tag),
                who,
                now,
            )
            .map(|_| ())
    }
}

const NURSE: Subject = [1; 8];
const TECH: Subject = [2; 8];

#[test]
fn lockout_a_nurses_bad_tags_do_not_lock_the_technician_out() {
    let mut f = fx();
    for _ in 0..3 {
        assert_eq!(
            f.attempt(b"000000", NURSE, t(0)).unwrap_err(),
            FactorError::Mismatch
        );
    }
    assert!(matches!(
        f.attempt(b"482916", NURSE, t(1)),
        Err(FactorError::LockedOut { .. })
    ));
    assert_eq!(f.attempt(b"482916", TECH, t(1)), Ok(()));
    assert_eq!(f.fv.store().table.state_of(&NURSE).failures, 3);
    assert_eq!(f.fv.store().table.state_of(&TECH), FactorState::default());
}

#[test]
fn lockout_device_ceiling_holds_against_credential_rotation() {
    let mut f = fx();
    let free = LockoutPolicy::DEFAULT.free_attempts;
    let ceiling = free * DEVICE_CEILING_FACTOR;
    // Each stolen credential stays below its own lockout (free − 1 failures each).
    let mut guesses = 0u32;
    let mut who = 0u8;
    loop {
        who += 1;
        let mut locked = false;
        for _ in 0..free - 1 {
            match f.attempt(b"000000", [who; 8], t(0)) {
                Err(FactorError::Mismatch) => guesses += 1,
                Err(FactorError::LockedOut { .. }) => {
                    locked = true;
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        if locked || who == 100 {
            break;
        }
    }
    assert_eq!(guesses, ceiling, "the device ceiling stopped the rotation");
    // A fresh credential is locked out too, until the device lockout ends.
    let r = f.attempt(b"482916", [0xee; 8], t(1));
    assert!(matches!(r, Err(FactorError::LockedOut { .. })), "{r:?}");
    assert_eq!(f.attempt(b"482916", [0xee; 8], t(3600)), Ok(()));
    // The success reset the ceiling.
    assert_eq!(f.fv.store().table.device, FactorState::default());
}

#[test]
fn lockout_table_is_bounded_and_fails_closed_when_every_entry_is_locked() {
    let mut f = fx();
    let policy = LockoutPolicy {
        free_attempts: 1,
        base_secs: 60,
        max_secs: 600,
    };
    f.fv = FactorVerifier::try_new(RamFactorStore::default(), policy).unwrap();
    // LOCKOUT_SUBJECTS subjects each lock themselves (one failure each); keep the device
    // ceiling out of the way by resetting it with a success in between.
    for i in 0..u8::try_from(LOCKOUT_SUBJECTS).unwrap() {
        assert_eq!(
            f.attempt(b"000000", [10 + i; 8], t(0)).unwrap_err(),
            FactorError::Mismatch
        );
        f.fv.store_mut().table.device = FactorState::default();
    }
    // A new subject finds no entry it may take: refused, not evaluated.
    let r = f.attempt(b"482916", [0x77; 8], t(1));
    assert_eq!(r, Err(FactorError::LockedOut { until: t(60) }));
    // Once the lockouts have expired, an entry is reused (evicting the fewest failures).
    assert_eq!(f.attempt(b"482916", [0x77; 8], t(61)), Ok(()));
}

#[test]
fn lockout_policies_that_cannot_protect_are_refused() {
    for (free_attempts, base_secs, max_secs) in [
        (0, 30, 60),
        (0, 0, 0),
        (1, 0, 10),
        (11, 30, 60),
        (3, 30, 10),
    ] {
        let p = LockoutPolicy {
            free_attempts,
            base_secs,
            max_secs,
        };
        assert_eq!(p.check(), Err(FactorError::InvalidPolicy), "{p:?}");
        assert_eq!(
            FactorVerifier::try_new(RamFactorStore::default(), p).unwrap_err(),
            FactorError::InvalidPolicy
        );
        // `new` does not refuse, but nothing is evaluated under such a policy.
        let mut f = fx();
        f.fv = FactorVerifier::new(RamFactorStore::default(), p);
        assert_eq!(
            f.attempt(b"482916", TECH, t(0)).unwrap_err(),
            FactorError::InvalidPolicy
        );
    }
}

#[test]
fn lockout_success_that_cannot_be_audited_gives_no_proof() {
    let mut f = fx();
    let tag = FactorTag::compute(&mut f.c, &f.v, &TH_3);
    let mut log = AuditLog::open(&mut f.c, BrokenStore, [0; 8]).unwrap();
    let r =
        f.fv.verify(&mut f.c, &mut log, &f.v, &TH_3, Some(&tag), TECH, t(0));
    assert_eq!(r.unwrap_err(), FactorError::AuditUnavailable);
}
