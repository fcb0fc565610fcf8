//! Accounting: a hash-chained, fixed-capacity audit log with signed export.
//!
//! # Model
//! - Every record ([`AuditRecord`], 38 bytes) gets the next sequence number; sequence numbers
//!   are never reused and never skipped.
//! - Records form a SHA-256 chain: `chain_i = H(chain_{i-1} ‖ record_i)`, `chain_{-1}` = 32
//!   zero bytes. The newest chain value is the *head*.
//! - The log is a ring of `capacity` slots behind an [`AuditStore`]: when full, the oldest
//!   record is overwritten and [`AuditMeta::overwritten`] counts it, so lost records are
//!   visible. An authorized clear ([`AuditLog::clear`]) counts discarded records in
//!   [`AuditMeta::cleared`] and is itself recorded. Hence, always:
//!   `first_held_seq == overwritten + cleared` and `next_seq == first_held_seq + count`.
//! - Export ([`export`]): a summary chunk carrying (device, challenge, time, first sequence,
//!   count, overwritten, cleared, anchor, head) signed with the device key (ES256), then
//!   record chunks. The gateway's [`ExportVerifier`] checks signature, freshness (challenge),
//!   completeness (sequence continuity, count, counters) and integrity (chain recomputation).
//!
//! # Invariants
//! - A record is *committed* when its metadata write succeeds; only then does the operation
//!   it describes proceed. [`AuditLog::append`] writes the entry, then the metadata. An
//!   entry that was written but not committed (the metadata write failed, or power was lost
//!   between the two) is never adopted as if it had succeeded: it is replaced, at the same
//!   sequence number and slot, by an [`AuditEvent::AppendFailed`] record naming its event
//!   and outcome — by the next append in the same run, or by [`AuditLog::open`] after a
//!   reboot. So a refused privileged attempt leaves a record, and the log never says
//!   "accepted" (`UpdateAccepted`, `LogCleared`) for something that was refused.
//! - Metadata that is absent while slots hold records (an erased or lost sector) is
//!   recovered from the records ([`AuditLog::open`]): the highest sequence number whose
//!   entry decodes in its own slot, and the chain of consecutive entries ending there, give
//!   the next sequence number, the count and the head; an
//!   [`AuditEvent::MetadataRecovered`] record notes it. Sequence numbers are therefore not
//!   reused as long as one record survives.
//! - Nothing here panics on any stored or received bytes.
//!
//! # Security
//! The local chain detects edits, removals, reordering and truncation of stored records by
//! anyone who cannot also rewrite every later entry and the metadata; an attacker with full
//! flash write access can rebuild a consistent chain. What such an attacker cannot do is
//! forge an export: the head is pinned by the device's signature at export time and the
//! gateway keeps the exports it verified. Export often (or keep the signing key in a
//! secure element and export on every privileged operation) to narrow that window.
//!
//! ```
//! use iomt_auth::audit::{AuditEvent, AuditLog, Detail, Outcome, RamAuditStore, SUBJECT_DEVICE};
//! use iomt_core::Timestamp;
//! # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
//! let mut log = AuditLog::open(&mut crypto, RamAuditStore::<8>::new(), [1; 8])?;
//! let t = Timestamp::from_secs(1_800_000_000);
//! log.append(&mut crypto, t, AuditEvent::KeyUpdate, Outcome::Success, SUBJECT_DEVICE, Detail::NONE)?;
//! assert_eq!(log.meta().next_seq, 1);
//! log.verify_stored(&mut crypto)?;
//! # Ok::<(), iomt_auth::audit::AuditError>(())
//! ```
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_core::{Operation, Timestamp};
use iomt_crypto::{CryptoError, CryptoProvider};

mod checkpoint;
mod events;
pub mod export;
mod record;
mod recover;
mod store;

pub use checkpoint::{CHECKPOINT_LEN, Checkpoint};
pub use events::Event;
pub use export::{
    CHALLENGE_LEN, ExportChunk, ExportSummary, ExportVerifier, RecordsChunk, SUMMARY_LEN,
    VerifiedExport,
};
pub use record::{
    AuditEvent, AuditRecord, DETAIL_LEN, Detail, Outcome, RECORD_LEN, SUBJECT_DEVICE, SUBJECT_LEN,
    Subject, subject_of,
};
pub use store::{AuditMeta, AuditStore, ENTRY_LEN, Entry, RamAuditStore, StorageError};

use crate::rbac::RedeemedPermit;
use record::chain;

/// Why an audit operation failed.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AuditError {
    /// The [`AuditStore`] failed.
    Storage,
    /// All 2³² sequence numbers are used; the log refuses further records.
    SequenceExhausted,
    /// A stored entry does not chain or is out of sequence (tampering or corruption).
    Corrupt {
        /// Sequence number where verification failed.
        seq: u32,
    },
    /// The requested sequence number is not held (overwritten, cleared or not yet written).
    NotHeld {
        /// The requested sequence number.
        seq: u32,
    },
    /// The output buffer is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// Export bytes (or a record) are malformed: wrong length, unknown kind or code.
    Malformed,
    /// The export chunk has an unknown format version.
    UnsupportedVersion,
    /// The export summary's signature does not verify with the device key.
    SignatureInvalid,
    /// The export answers another challenge (replayed or stale export).
    ChallengeMismatch,
    /// The export comes from another device than expected.
    DeviceMismatch,
    /// The summary's counters do not account for every sequence number before the first
    /// exported one (`first_seq != overwritten + cleared`).
    Unaccounted,
    /// A record chunk does not continue the sequence (gap, duplicate or reordering).
    SequenceGap {
        /// The sequence number expected next.
        expected: u32,
        /// The sequence number found.
        found: u32,
    },
    /// More records than the signed count.
    TooManyRecords,
    /// Fewer records than the signed count arrived.
    Incomplete {
        /// Records still missing.
        missing: u32,
    },
    /// Recomputing the chain over the received records does not give the signed head
    /// (a record was edited).
    ChainMismatch,
    /// The permit passed to a privileged log operation is for another operation.
    WrongPermit,
    /// The crypto provider failed (signing key unavailable, ...).
    Crypto(CryptoError),
    /// The export ends before the gateway's last verified checkpoint: records it already
    /// verified were erased (truncation), see [`Checkpoint`].
    CheckpointRegression {
        /// The checkpoint's next sequence number.
        checkpoint: u32,
        /// The export's next sequence number (`first_seq + count`).
        export: u32,
    },
    /// The export's chain does not pass through the checkpoint's head at the checkpoint's
    /// sequence number: the log was rewritten since (a fork: one sequence number, two heads).
    CheckpointFork {
        /// The sequence number at which the chains differ (the checkpoint's next sequence).
        seq: u32,
    },
    /// The export starts after the checkpoint: records between the two were lost (ring
    /// overwrite or clear) and the continuation cannot be verified.
    CheckpointGap {
        /// Records between the checkpoint and the first exported record.
        lost: u32,
    },
    /// The signed ring counters are impossible for the ring's capacity (more records than
    /// slots, or records lost while the ring is not full and no clear is the oldest record):
    /// `count`/`overwritten` were edited to hide the oldest records.
    RingInconsistent,
}

impl AuditError {
    /// A stable numeric code (never reused).
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::Storage => 1,
            Self::SequenceExhausted => 2,
            Self::Corrupt { .. } => 3,
            Self::NotHeld { .. } => 4,
            Self::BufferTooSmall { .. } => 5,
            Self::Malformed => 6,
            Self::UnsupportedVersion => 7,
            Self::SignatureInvalid => 8,
            Self::ChallengeMismatch => 9,
            Self::DeviceMismatch => 10,
            Self::Unaccounted => 11,
            Self::SequenceGap { .. } => 12,
            Self::TooManyRecords => 13,
            Self::Incomplete { .. } => 14,
            Self::ChainMismatch => 15,
            Self::WrongPermit => 16,
            Self::Crypto(_) => 17,
            Self::CheckpointRegression { .. } => 18,
            Self::CheckpointFork { .. } => 19,
            Self::CheckpointGap { .. } => 20,
            Self::RingInconsistent => 21,
        }
    }
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Storage => f.write_str("audit storage failed"),
            Self::SequenceExhausted => f.write_str("audit sequence numbers exhausted"),
            Self::Corrupt { seq } => write!(f, "stored audit log corrupt at record {seq}"),
            Self::NotHeld { seq } => write!(f, "audit record {seq} not held"),
            Self::BufferTooSmall { needed } => write!(f, "buffer too small ({needed} needed)"),
            Self::Malformed => f.write_str("malformed audit export"),
            Self::UnsupportedVersion => f.write_str("unsupported audit export version"),
            Self::SignatureInvalid => f.write_str("audit export signature invalid"),
            Self::ChallengeMismatch => f.write_str("audit export answers another challenge"),
            Self::DeviceMismatch => f.write_str("audit export from another device"),
            Self::Unaccounted => {
                f.write_str("audit export counters do not account for lost records")
            }
            Self::SequenceGap { expected, found } => {
                write!(f, "audit sequence gap: expected {expected}, found {found}")
            }
            Self::TooManyRecords => f.write_str("more audit records than signed"),
            Self::Incomplete { missing } => {
                write!(f, "audit export incomplete ({missing} missing)")
            }
            Self::ChainMismatch => f.write_str("audit chain does not match the signed head"),
            Self::WrongPermit => f.write_str("permit is for another operation"),
            Self::Crypto(e) => write!(f, "crypto: {e}"),
            Self::CheckpointRegression { checkpoint, export } => write!(
                f,
                "audit export ends at {export}, before the verified checkpoint {checkpoint}"
            ),
            Self::CheckpointFork { seq } => {
                write!(
                    f,
                    "audit export forks from the verified checkpoint at {seq}"
                )
            }
            Self::CheckpointGap { lost } => {
                write!(f, "audit export skips {lost} records after the checkpoint")
            }
            Self::RingInconsistent => {
                f.write_str("audit ring counters inconsistent with its capacity")
            }
        }
    }
}

impl core::error::Error for AuditError {}

impl From<StorageError> for AuditError {
    fn from(_: StorageError) -> Self {
        Self::Storage
    }
}

/// The hash-chained audit log over a store `S`.
#[derive(Debug)]
pub struct AuditLog<S: AuditStore> {
    store: S,
    meta: AuditMeta,
    device: Subject,
    /// The first record whose append failed in this run and how many appends have failed
    /// since (at least 1): the next append first writes its [`AuditEvent::AppendFailed`]
    /// record.
    failed: Option<(AuditRecord, u32)>,
}

impl<S: AuditStore> AuditLog<S> {
    /// Opens the log in `store` (empty or previously written). `device` identifies this
    /// device in exports (e.g. the first 8 bytes of SHA-256 of its identity, see
    /// [`subject_of`]).
    ///
    /// Recovery (see the module invariants): absent metadata with records in the slots is
    /// rebuilt from the records (and an [`AuditEvent::MetadataRecovered`] record appended);
    /// an entry written after the stored head but never committed is replaced by its
    /// [`AuditEvent::AppendFailed`] record.
    ///
    /// This does not walk the whole chain; call [`Self::verify_stored`] for that.
    ///
    /// # Errors
    /// [`AuditError::Storage`] (including when a recovery record cannot be written: the
    /// log is then not opened, so nothing can be authorized against it).
    pub fn open<C: CryptoProvider>(
        crypto: &mut C,
        mut store: S,
        device: Subject,
    ) -> Result<Self, AuditError> {
        let loaded = store.load_meta()?;
        let mut log = Self {
            store,
            meta: loaded.unwrap_or_default(),
            device,
            failed: None,
        };
        if loaded.is_none() {
            log.recover_meta(crypto)?;
        }
        log.void_uncommitted(crypto)?;
        Ok(log)
    }

    /// The current metadata (sequence, counters, head).
    #[must_use]
    pub const fn meta(&self) -> &AuditMeta {
        &self.meta
    }

    /// This device's id in exports.
    #[must_use]
    pub const fn device(&self) -> Subject {
        self.device
    }

    /// Ring capacity.
    #[must_use]
    pub fn capacity(&self) -> u32 {
        self.store.capacity().max(1)
    }

    /// Sequence number of the oldest held record (= `overwritten + cleared`).
    #[must_use]
    pub const fn first_seq(&self) -> u32 {
        self.meta.next_seq.saturating_sub(self.meta.count)
    }

    /// The underlying store.
    #[must_use]
    pub const fn store(&self) -> &S {
        &self.store
    }

    /// Mutable access to the store (tests that tamper with entries; flash maintenance).
    #[doc(hidden)]
    pub const fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }

    fn slot_of(&self, seq: u32) -> u32 {
        seq.checked_rem(self.capacity()).unwrap_or(0)
    }

    fn advance_meta(&mut self, head: [u8; 32], next_seq: u32) {
        let cap = self.capacity();
        if self.meta.count >= cap {
            self.meta.overwritten = self.meta.overwritten.saturating_add(1);
        } else {
            self.meta.count = self.meta.count.saturating_add(1);
        }
        self.meta.head = head;
        self.meta.next_seq = next_seq;
    }

    /// Appends a record and returns its sequence number.
    ///
    /// If an earlier append of this run failed, its [`AuditEvent::AppendFailed`] record is
    /// written first (at the failed record's sequence number).
    ///
    /// # Errors
    /// [`AuditError::Storage`]: the record is not committed, the in-memory metadata is
    /// unchanged, and the operation it describes must not proceed. The failed record is
    /// replaced by its `AppendFailed` record at the next append (or, after a reboot, at
    /// [`Self::open`]); until then, with a full ring whose oldest slot was already
    /// overwritten, reading the oldest record reports [`AuditError::Corrupt`].
    /// [`AuditError::SequenceExhausted`] after 2³²−1 records.
    pub fn append<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        time: Timestamp,
        event: AuditEvent,
        outcome: Outcome,
        subject: Subject,
        detail: Detail,
    ) -> Result<u32, AuditError> {
        if let Err(e) = self.flush_failed(crypto) {
            if let Some((_, n)) = self.failed.as_mut() {
                *n = n.saturating_add(1);
            }
            return Err(e);
        }
        let rec = AuditRecord {
            seq: self.meta.next_seq,
            time,
            event,
            outcome,
            subject,
            detail,
        };
        self.commit(crypto, &rec).inspect_err(|e| {
            if *e == AuditError::Storage {
                self.failed = Some((rec, 1));
            }
        })
    }

    /// Writes the [`AuditEvent::AppendFailed`] record of this run's failed append, if any.
    fn flush_failed<C: CryptoProvider>(&mut self, crypto: &mut C) -> Result<(), AuditError> {
        if let Some((failed, n)) = self.failed {
            self.commit(crypto, &recover::void_of(&failed, n))?;
            self.failed = None;
        }
        Ok(())
    }

    /// Writes `rec` (its `seq` is `next_seq`) and commits it with the metadata write.
    fn commit<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        rec: &AuditRecord,
    ) -> Result<u32, AuditError> {
        let seq = self.meta.next_seq;
        let next = seq.checked_add(1).ok_or(AuditError::SequenceExhausted)?;
        let rec = AuditRecord { seq, ..*rec }.encode();
        let mut entry = [0u8; ENTRY_LEN];
        let (r, p) = entry.split_at_mut(RECORD_LEN);
        r.copy_from_slice(&rec);
        p.copy_from_slice(&self.meta.head);
        let new_head = chain(crypto, &self.meta.head, &rec);
        let slot = self.slot_of(seq);
        self.store.write_slot(slot, &entry)?;
        let saved = self.meta;
        self.advance_meta(new_head, next);
        if let Err(e) = self.store.store_meta(&self.meta) {
            self.meta = saved;
            return Err(e.into());
        }
        Ok(seq)
    }

    /// Reads a held record by sequence number (not verified; see [`Self::verify_stored`]).
    ///
    /// # Errors
    /// [`AuditError::NotHeld`], [`AuditError::Storage`], [`AuditError::Corrupt`] if the
    /// slot does not hold that record.
    pub fn read(&mut self, seq: u32) -> Result<AuditRecord, AuditError> {
        self.read_entry(seq).map(|(r, _)| r)
    }

    fn read_entry(&mut self, seq: u32) -> Result<(AuditRecord, [u8; 32]), AuditError> {
        if seq < self.first_seq() || seq >= self.meta.next_seq {
            return Err(AuditError::NotHeld { seq });
        }
        let mut e = [0u8; ENTRY_LEN];
        self.store.read_slot(self.slot_of(seq), &mut e)?;
        let (rec, prev) = split_entry(&e);
        let r = AuditRecord::decode(rec).map_err(|_| AuditError::Corrupt { seq })?;
        if r.seq != seq {
            return Err(AuditError::Corrupt { seq });
        }
        Ok((r, *prev))
    }

    /// The chain value before the oldest held record (the head when nothing is held).
    ///
    /// # Errors
    /// As [`Self::read`].
    pub fn anchor(&mut self) -> Result<[u8; 32], AuditError> {
        if self.meta.count == 0 {
            return Ok(self.meta.head);
        }
        self.read_entry(self.first_seq()).map(|(_, p)| p)
    }

    /// Walks every held entry: sequence numbers consecutive, each entry's stored link equal
    /// to the recomputed chain, the last chain value equal to the head, and — if nothing was
    /// ever overwritten or cleared — the chain starting at genesis.
    ///
    /// # Errors
    /// [`AuditError::Corrupt`] naming the first bad record; [`AuditError::Storage`].
    pub fn verify_stored<C: CryptoProvider>(&mut self, crypto: &mut C) -> Result<(), AuditError> {
        let first = self.first_seq();
        if first != self.meta.overwritten.saturating_add(self.meta.cleared)
            || self.meta.count > self.capacity()
        {
            return Err(AuditError::Corrupt { seq: first });
        }
        let mut running = if first == 0 {
            [0u8; 32]
        } else {
            self.anchor()?
        };
        for i in 0..self.meta.count {
            let seq = first.saturating_add(i);
            let mut e = [0u8; ENTRY_LEN];
            self.store.read_slot(self.slot_of(seq), &mut e)?;
            let (rec, prev) = split_entry(&e);
            let r = AuditRecord::decode(rec).map_err(|_| AuditError::Corrupt { seq })?;
            if r.seq != seq || *prev != running {
                return Err(AuditError::Corrupt { seq });
            }
            running = chain(crypto, &running, rec_bytes_arr(&e));
        }
        if running != self.meta.head {
            return Err(AuditError::Corrupt {
                seq: self.meta.next_seq,
            });
        }
        Ok(())
    }

    /// Discards every held record (an authorized [`Operation::ClearAuditLog`]) and records
    /// the clear itself, so the log never goes silent. Returns how many were discarded.
    ///
    /// The chain continues (the clear record links to the old head) and
    /// [`AuditMeta::cleared`] grows, so an export shows exactly how many records were
    /// cleared and the gateway can match them with exports it already holds.
    ///
    /// `permit` is a permit for [`Operation::ClearAuditLog`] redeemed by the session it was
    /// issued to ([`crate::rbac::SessionAuth::redeem`]); it is consumed whatever the result.
    ///
    /// # Errors
    /// [`AuditError::WrongPermit`] unless `permit` is for [`Operation::ClearAuditLog`];
    /// storage errors as [`Self::append`].
    pub fn clear<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        permit: RedeemedPermit,
        now: Timestamp,
    ) -> Result<u32, AuditError> {
        if permit.operation() != Operation::ClearAuditLog {
            return Err(AuditError::WrongPermit);
        }
        self.flush_failed(crypto)?;
        let discarded = self.meta.count;
        let saved = self.meta;
        // The clear and its record reach flash in one metadata write (inside `append`):
        // either both happen or neither does (after a failure or a power cut in between,
        // the uncommitted LogCleared record is replaced by its AppendFailed record, and
        // nothing was discarded).
        self.meta.cleared = self.meta.cleared.saturating_add(discarded);
        self.meta.count = 0;
        if let Err(e) = self.append(
            crypto,
            now,
            AuditEvent::LogCleared,
            Outcome::Success,
            permit.subject(),
            Detail::from_u32s(discarded, 0),
        ) {
            self.meta = saved;
            return Err(e);
        }
        Ok(discarded)
    }
}

fn split_entry(e: &Entry) -> (&[u8], &[u8; 32]) {
    let (rec, prev) = e.split_at(RECORD_LEN);
    let prev: &[u8; 32] = prev.try_into().unwrap_or(&[0; 32]);
    (rec, prev)
}

fn rec_bytes_arr(e: &Entry) -> &[u8; RECORD_LEN] {
    e.first_chunk::<RECORD_LEN>().unwrap_or(&[0; RECORD_LEN])
}
