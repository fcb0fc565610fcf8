//! Lockout: per-subject attempt counters, a device-wide ceiling, the policy, and the store.
//!
//! # Model
//! - Each subject (credential identity, [`crate::audit::subject_of`]) has its own counter
//!   and lockout ([`FactorState`]), so one operator's failures never lock another out.
//! - The device keeps a ceiling over *all* failures ([`LockoutTable::device`]): it locks
//!   once failures since the last success reach [`DEVICE_CEILING_FACTOR`] × the policy's
//!   free attempts, with the same back-off, so rotating through many credentials buys no
//!   more guesses than that. Any success resets it (an insider with a working PIN can reset
//!   it; the per-subject counters still bound each credential).
//! - The table holds [`LOCKOUT_SUBJECTS`] entries (20 bytes of state each: subject 8,
//!   failures 4, locked-until 8). Eviction: a subject that is not in the table takes a free
//!   entry, else the entry whose lockout has expired with the fewest failures (ties: the
//!   oldest lockout); if every entry is locked, the new subject is refused as locked out
//!   until the soonest of those lockouts ends (fail closed). An evicted subject's failures
//!   stay counted in the device ceiling.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_core::Timestamp;

use super::FactorError;
use crate::audit::Subject;

/// Entries in a [`LockoutTable`].
pub const LOCKOUT_SUBJECTS: usize = 8;
/// The device-wide ceiling is this many times the policy's free attempts.
pub const DEVICE_CEILING_FACTOR: u32 = 4;

/// The attempt state of one subject (or of the whole device).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FactorState {
    /// Consecutive failed (or interrupted) attempts.
    pub failures: u32,
    /// No attempt is evaluated before this time.
    pub locked_until: Timestamp,
}

/// A storage failure of a [`FactorStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FactorStorageError;

/// Persistent storage for the lockout table (survives reboot).
///
/// What an implementation must guarantee: `store` returns `Ok` only once the whole table
/// is durable (a torn write must read back as the previous or the new table, or fail);
/// `load` returns exactly the last table stored (the default table if none was). What the
/// library does itself: it stores the raised counter *before* evaluating a tag, so a
/// failing or lying `store` costs the operator an attempt, never the device its lockout.
pub trait FactorStore {
    /// Loads the table (default if never stored).
    ///
    /// # Errors
    /// [`FactorStorageError`].
    fn load(&mut self) -> Result<LockoutTable, FactorStorageError>;
    /// Stores the table durably before returning.
    ///
    /// # Errors
    /// [`FactorStorageError`].
    fn store(&mut self, table: &LockoutTable) -> Result<(), FactorStorageError>;
}

/// An in-RAM [`FactorStore`] (tests; hosts). `fail_writes` simulates a failing flash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RamFactorStore {
    /// The stored table.
    pub table: LockoutTable,
    /// When `true`, `store` fails.
    pub fail_writes: bool,
}

impl FactorStore for RamFactorStore {
    fn load(&mut self) -> Result<LockoutTable, FactorStorageError> {
        Ok(self.table)
    }
    fn store(&mut self, table: &LockoutTable) -> Result<(), FactorStorageError> {
        if self.fail_writes {
            return Err(FactorStorageError);
        }
        self.table = *table;
        Ok(())
    }
}

/// Lockout policy: the `free_attempts`-th consecutive failure and every one after it lock
/// for `base_secs · 2^(failures − free_attempts)`, capped at `max_secs` (so with 3, the
/// first two failures are free and the third locks for `base_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LockoutPolicy {
    /// Consecutive failures up to and including the first one that locks.
    pub free_attempts: u32,
    /// First lockout duration (seconds).
    pub base_secs: u64,
    /// Longest lockout (seconds).
    pub max_secs: u64,
}

impl LockoutPolicy {
    /// 3 free attempts, then 30 s, 60 s, 120 s, … up to 24 h.
    pub const DEFAULT: Self = Self {
        free_attempts: 3,
        base_secs: 30,
        max_secs: 24 * 3600,
    };

    /// Most free attempts a policy may allow before its first lockout.
    pub const MAX_FREE_ATTEMPTS: u32 = 10;

    /// Whether the policy can protect a PIN: between 1 and [`Self::MAX_FREE_ATTEMPTS`]
    /// free attempts (0 makes "the attempt that locks" ambiguous; more gives an online
    /// guesser too many tries per lockout), a first lockout of at least 1 s (0 = unlimited
    /// guessing), and `max_secs >= base_secs`.
    ///
    /// ```
    /// use iomt_auth::factor::{FactorError, LockoutPolicy};
    /// assert!(LockoutPolicy::DEFAULT.check().is_ok());
    /// let none = LockoutPolicy { free_attempts: 0, base_secs: 0, max_secs: 0 };
    /// assert_eq!(none.check(), Err(FactorError::InvalidPolicy));
    /// ```
    ///
    /// # Errors
    /// [`FactorError::InvalidPolicy`].
    pub const fn check(&self) -> Result<(), FactorError> {
        if self.free_attempts == 0
            || self.free_attempts > Self::MAX_FREE_ATTEMPTS
            || self.base_secs == 0
            || self.max_secs < self.base_secs
        {
            return Err(FactorError::InvalidPolicy);
        }
        Ok(())
    }

    /// The device-wide lockout after `failures` failures of all subjects since the last
    /// success: none below the ceiling (`DEVICE_CEILING_FACTOR × free_attempts`), then the
    /// same back-off as a subject's.
    #[must_use]
    pub const fn device_lock_secs(&self, failures: u32) -> u64 {
        let ceiling = self.free_attempts.saturating_mul(DEVICE_CEILING_FACTOR);
        if failures < ceiling {
            return 0;
        }
        let over = failures.saturating_sub(ceiling);
        self.lock_secs(self.free_attempts.saturating_add(over))
    }

    /// The lockout duration after `failures` consecutive failures (0 = none).
    ///
    /// ```
    /// use iomt_auth::factor::LockoutPolicy;
    /// let p = LockoutPolicy::DEFAULT;
    /// assert_eq!([p.lock_secs(2), p.lock_secs(3), p.lock_secs(4), p.lock_secs(60)], [0, 30, 60, 86_400]);
    /// ```
    #[must_use]
    pub const fn lock_secs(&self, failures: u32) -> u64 {
        if failures < self.free_attempts {
            return 0;
        }
        let exp = failures.saturating_sub(self.free_attempts);
        let mult = if exp >= 63 { u64::MAX } else { 1u64 << exp };
        let secs = self.base_secs.saturating_mul(mult);
        if secs > self.max_secs {
            self.max_secs
        } else {
            secs
        }
    }
}

/// One subject's entry in the table (`failures == 0` and no lockout: free).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SubjectLockout {
    /// The subject.
    pub subject: Subject,
    /// Its attempt state.
    pub state: FactorState,
}

/// The persistent lockout state: per-subject entries plus the device-wide ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LockoutTable {
    /// Failures of every subject since the last success, and the device-wide lockout.
    pub device: FactorState,
    /// Per-subject entries.
    pub subjects: [SubjectLockout; LOCKOUT_SUBJECTS],
}

impl LockoutTable {
    /// The state of `subject` (default if it has no entry).
    #[must_use]
    pub fn state_of(&self, subject: &Subject) -> FactorState {
        self.subjects
            .iter()
            .find(|e| e.subject == *subject && !e.is_free())
            .map_or_else(FactorState::default, |e| e.state)
    }

    /// Until when `subject` may not try (the later of its own and the device's lockout),
    /// if that is after `now`.
    #[must_use]
    pub fn locked_until(&self, subject: &Subject, now: Timestamp) -> Option<Timestamp> {
        let own = self.state_of(subject).locked_until;
        let until = if own > self.device.locked_until {
            own
        } else {
            self.device.locked_until
        };
        (now < until).then_some(until)
    }

    /// The entry for `subject`, taking a free or evictable one (see the module docs).
    ///
    /// # Errors
    /// [`FactorError::LockedOut`] if the subject has no entry and every entry is locked.
    pub(super) fn entry_for(
        &mut self,
        subject: &Subject,
        now: Timestamp,
    ) -> Result<&mut SubjectLockout, FactorError> {
        let pos = match self
            .subjects
            .iter()
            .position(|e| e.subject == *subject && !e.is_free())
        {
            Some(i) => i,
            None => {
                let victim = self
                    .subjects
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.state.locked_until <= now)
                    .min_by_key(|(_, e)| (!e.is_free(), e.state.failures, e.state.locked_until))
                    .map(|(i, _)| i);
                let Some(i) = victim else {
                    let until = self
                        .subjects
                        .iter()
                        .map(|e| e.state.locked_until)
                        .min()
                        .unwrap_or(now);
                    return Err(FactorError::LockedOut { until });
                };
                i
            }
        };
        let e = self
            .subjects
            .get_mut(pos)
            .ok_or(FactorError::LockedOut { until: now })?;
        if e.subject != *subject {
            *e = SubjectLockout {
                subject: *subject,
                state: FactorState::default(),
            };
        }
        Ok(e)
    }

    /// Forgets `subject`'s failures and resets the device ceiling (a success).
    pub(super) fn reset(&mut self, subject: &Subject) {
        for e in &mut self.subjects {
            if e.subject == *subject {
                *e = SubjectLockout::default();
            }
        }
        self.device = FactorState::default();
    }
}

impl SubjectLockout {
    fn is_free(&self) -> bool {
        self.state == FactorState::default()
    }
}

/// Counts one failure in `state` under `lock` (the lockout it earns, 0 = none).
pub(super) fn count(state: &mut FactorState, failures: u32, lock: u64, now: Timestamp) {
    state.failures = failures;
    state.locked_until = if lock == 0 {
        Timestamp::EPOCH
    } else {
        Timestamp::from_secs(now.as_secs().saturating_add(lock))
    };
}
