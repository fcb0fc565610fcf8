//! Audit export: the chunk format (device side: produce; gateway side: verify).
//!
//! iomt-proto carries each chunk as the payload of an "audit export" message; this module
//! owns the bytes.
//!
//! # Wire format (integers big-endian)
//! Every chunk starts with `version` (1 byte, currently 2) and `kind` (1 byte).
//!
//! Summary (`kind` = 1, [`SUMMARY_LEN`] = 182 bytes):
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0   | 1  | version |
//! | 1   | 1  | kind = 1 |
//! | 2   | 8  | device id |
//! | 10  | 16 | challenge (chosen by the requester; proves freshness) |
//! | 26  | 8  | export time (device clock, seconds) |
//! | 34  | 4  | first sequence number held |
//! | 38  | 4  | count of records held |
//! | 42  | 4  | records overwritten |
//! | 46  | 4  | records cleared |
//! | 50  | 4  | ring capacity (slots) |
//! | 54  | 32 | anchor (chain value before the first record) |
//! | 86  | 32 | head (chain value after the last record) |
//! | 118 | 64 | ES256 signature `r ‖ s` over SHA-256(`"iomt-audit-export-v2"` ‖ bytes 0..118) |
//!
//! Version 2 added the capacity (version 1, without it, is refused): with the capacity
//! and the overwrite counter signed, a gateway can tell a ring that really wrapped from
//! one whose `count`/`overwritten` were edited to hide the oldest records
//! ([`AuditError::RingInconsistent`]).
//!
//! Records (`kind` = 2): `first_seq` (4), `n` (1, at least 1), then `n` records of
//! [`RECORD_LEN`] bytes whose sequence numbers are `first_seq, first_seq+1, …`.
//!
//! # Invariants
//! - Decoding is strict: exact lengths, known version/kind/codes, consecutive sequence
//!   numbers inside a chunk; `decode(encode(x)) == x` and every accepted input re-encodes
//!   to itself.
//! - Records delivered by [`ExportVerifier::feed`] are *not yet* integrity-checked: only
//!   [`ExportVerifier::finish`] proves the chain. Buffer them (or treat them as tentative)
//!   until `finish` succeeds.
//! - Given the gateway's last [`Checkpoint`], the verifier accepts only an export that
//!   continues it (see [`Checkpoint`]'s rules); [`VerifiedExport::checkpoint`] is
//!   the next one to store.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_core::Timestamp;
use iomt_crypto::{CryptoProvider, PublicKey, Sha256State, Signature};

use super::checkpoint::{self, Checkpoint, Pin};
use super::record::chain;
use super::{
    AuditError, AuditEvent, AuditLog, AuditRecord, AuditStore, RECORD_LEN, SUBJECT_LEN, Subject,
};

/// The export format version.
pub(crate) const EXPORT_VERSION: u8 = 2;
/// Length of the requester's freshness challenge.
pub const CHALLENGE_LEN: usize = 16;
/// Length of a summary chunk.
pub const SUMMARY_LEN: usize = 182;
/// Length of a records chunk's header.
pub const RECORDS_HEADER_LEN: usize = 7;
/// Most records in one chunk.
pub const MAX_RECORDS_PER_CHUNK: usize = 255;

const KIND_SUMMARY: u8 = 1;
const KIND_RECORDS: u8 = 2;
const SIGNED_LEN: usize = SUMMARY_LEN - Signature::LEN;
const SIG_CONTEXT: &[u8] = b"iomt-audit-export-v2";

/// Bytes needed for a records chunk of `n` records.
#[must_use]
pub(crate) const fn records_chunk_len(n: usize) -> usize {
    RECORDS_HEADER_LEN.saturating_add(n.saturating_mul(RECORD_LEN))
}

/// The signed export summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    /// The exporting device.
    pub device: Subject,
    /// The requester's challenge.
    pub challenge: [u8; CHALLENGE_LEN],
    /// Export time (device clock).
    pub exported_at: Timestamp,
    /// Sequence number of the first record held.
    pub first_seq: u32,
    /// Records held (and exported).
    pub count: u32,
    /// Records lost to ring overwrite.
    pub overwritten: u32,
    /// Records discarded by authorized clears.
    pub cleared: u32,
    /// Ring capacity of the device's log (slots): fixed by its firmware, not by flash.
    pub capacity: u32,
    /// Chain value before the first record.
    pub anchor: [u8; 32],
    /// Chain value after the last record.
    pub head: [u8; 32],
    /// ES256 signature by the device key.
    pub signature: Signature,
}

impl ExportSummary {
    fn encode_signed(&self) -> [u8; SIGNED_LEN] {
        let mut o = [0u8; SIGNED_LEN];
        let parts: [&[u8]; 12] = [
            &[EXPORT_VERSION, KIND_SUMMARY],
            &self.device,
            &self.challenge,
            &self.exported_at.as_secs().to_be_bytes(),
            &self.first_seq.to_be_bytes(),
            &self.count.to_be_bytes(),
            &self.overwritten.to_be_bytes(),
            &self.cleared.to_be_bytes(),
            &self.capacity.to_be_bytes(),
            &self.anchor,
            &self.head,
            &[],
        ];
        let mut rest: &mut [u8] = &mut o;
        for p in parts {
            let (dst, r) = rest.split_at_mut(p.len().min(rest.len()));
            dst.copy_from_slice(p.get(..dst.len()).unwrap_or(&[]));
            rest = r;
        }
        o
    }

    fn digest<C: CryptoProvider>(crypto: &mut C, signed: &[u8; SIGNED_LEN]) -> [u8; 32] {
        let mut h = crypto.sha256_start();
        h.update(SIG_CONTEXT);
        h.update(signed);
        h.finalize()
    }
}

/// A records chunk (validated view over received or produced bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordsChunk<'a> {
    first_seq: u32,
    raw: &'a [u8],
}

impl<'a> RecordsChunk<'a> {
    /// Sequence number of the first record.
    #[must_use]
    pub const fn first_seq(&self) -> u32 {
        self.first_seq
    }

    /// Number of records.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.raw.len() / RECORD_LEN
    }

    /// Always `false` for a decoded chunk (a chunk holds at least one record).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The records (already validated at decode).
    pub fn records(&self) -> impl Iterator<Item = AuditRecord> + 'a {
        self.raw
            .chunks_exact(RECORD_LEN)
            .filter_map(|c| AuditRecord::decode(c).ok())
    }

    fn raw_records(&self) -> impl Iterator<Item = &'a [u8; RECORD_LEN]> + 'a {
        self.raw
            .chunks_exact(RECORD_LEN)
            .filter_map(|c| c.try_into().ok())
    }
}

/// One export chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportChunk<'a> {
    /// The signed summary (sent first).
    Summary(ExportSummary),
    /// A run of consecutive records.
    Records(RecordsChunk<'a>),
}

impl<'a> ExportChunk<'a> {
    /// Decodes one chunk strictly.
    ///
    /// # Errors
    /// [`AuditError::UnsupportedVersion`]; [`AuditError::Malformed`] for a wrong length,
    /// unknown kind, zero records or an unknown record code; [`AuditError::SequenceGap`] if
    /// the records in the chunk are not consecutive from `first_seq`.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, AuditError> {
        let (vk, body) = bytes
            .split_first_chunk::<2>()
            .ok_or(AuditError::Malformed)?;
        let [version, kind] = *vk;
        if version != EXPORT_VERSION {
            return Err(AuditError::UnsupportedVersion);
        }
        match kind {
            KIND_SUMMARY => decode_summary(bytes).map(Self::Summary),
            KIND_RECORDS => {
                let (first, rest) = body.split_first_chunk::<4>().ok_or(AuditError::Malformed)?;
                let (&[n], raw) = rest.split_first_chunk::<1>().ok_or(AuditError::Malformed)?;
                if n == 0 || raw.len() != usize::from(n).saturating_mul(RECORD_LEN) {
                    return Err(AuditError::Malformed);
                }
                let first_seq = u32::from_be_bytes(*first);
                let mut expected = first_seq;
                for c in raw.chunks_exact(RECORD_LEN) {
                    let r = AuditRecord::decode(c)?;
                    if r.seq != expected {
                        return Err(AuditError::SequenceGap {
                            expected,
                            found: r.seq,
                        });
                    }
                    expected = expected.checked_add(1).ok_or(AuditError::Malformed)?;
                }
                Ok(Self::Records(RecordsChunk { first_seq, raw }))
            }
            _ => Err(AuditError::Malformed),
        }
    }

    /// Encodes the chunk into `out`, returning the length.
    ///
    /// # Errors
    /// [`AuditError::BufferTooSmall`].
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, AuditError> {
        match self {
            Self::Summary(s) => {
                let dst = out
                    .get_mut(..SUMMARY_LEN)
                    .ok_or(AuditError::BufferTooSmall {
                        needed: SUMMARY_LEN,
                    })?;
                let (a, b) = dst.split_at_mut(SIGNED_LEN);
                a.copy_from_slice(&s.encode_signed());
                b.copy_from_slice(s.signature.as_bytes());
                Ok(SUMMARY_LEN)
            }
            Self::Records(r) => {
                let n = u8::try_from(r.len()).map_err(|_| AuditError::Malformed)?;
                let len = records_chunk_len(r.len());
                let dst = out
                    .get_mut(..len)
                    .ok_or(AuditError::BufferTooSmall { needed: len })?;
                let (h, body) = dst.split_at_mut(RECORDS_HEADER_LEN);
                let f = r.first_seq.to_be_bytes();
                h.copy_from_slice(&[EXPORT_VERSION, KIND_RECORDS, f[0], f[1], f[2], f[3], n]);
                body.copy_from_slice(r.raw);
                Ok(len)
            }
        }
    }
}

fn decode_summary(bytes: &[u8]) -> Result<ExportSummary, AuditError> {
    let b: &[u8; SUMMARY_LEN] = bytes.try_into().map_err(|_| AuditError::Malformed)?;
    let (_, r) = b.split_first_chunk::<2>().ok_or(AuditError::Malformed)?;
    let (device, r) = r
        .split_first_chunk::<SUBJECT_LEN>()
        .ok_or(AuditError::Malformed)?;
    let (challenge, r) = r
        .split_first_chunk::<CHALLENGE_LEN>()
        .ok_or(AuditError::Malformed)?;
    let (t, r) = r.split_first_chunk::<8>().ok_or(AuditError::Malformed)?;
    let (first, r) = r.split_first_chunk::<4>().ok_or(AuditError::Malformed)?;
    let (count, r) = r.split_first_chunk::<4>().ok_or(AuditError::Malformed)?;
    let (ow, r) = r.split_first_chunk::<4>().ok_or(AuditError::Malformed)?;
    let (cl, r) = r.split_first_chunk::<4>().ok_or(AuditError::Malformed)?;
    let (cap, r) = r.split_first_chunk::<4>().ok_or(AuditError::Malformed)?;
    let (anchor, r) = r.split_first_chunk::<32>().ok_or(AuditError::Malformed)?;
    let (head, sig) = r.split_first_chunk::<32>().ok_or(AuditError::Malformed)?;
    Ok(ExportSummary {
        device: *device,
        challenge: *challenge,
        exported_at: Timestamp::from_secs(u64::from_be_bytes(*t)),
        first_seq: u32::from_be_bytes(*first),
        count: u32::from_be_bytes(*count),
        overwritten: u32::from_be_bytes(*ow),
        cleared: u32::from_be_bytes(*cl),
        capacity: u32::from_be_bytes(*cap),
        anchor: *anchor,
        head: *head,
        signature: Signature::from_bytes(sig).map_err(|_| AuditError::Malformed)?,
    })
}

impl<S: AuditStore> AuditLog<S> {
    /// Produces the signed summary chunk for an export answering `challenge`.
    ///
    /// Export the records with [`Self::export_records`] from [`ExportSummary::first_seq`]
    /// before appending anything that overwrites them (appending is fine while the ring has
    /// room: later records are simply not part of this export).
    ///
    /// The stored chain is verified first ([`Self::verify_stored`]): a log that `read` or
    /// `verify_stored` reports as corrupt is never signed.
    ///
    /// # Errors
    /// [`AuditError::BufferTooSmall`] (needs [`SUMMARY_LEN`]); [`AuditError::Corrupt`];
    /// [`AuditError::Crypto`] if the key cannot sign; storage errors.
    pub fn export_summary<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        key: &C::KeyHandle,
        challenge: &[u8; CHALLENGE_LEN],
        now: Timestamp,
        out: &mut [u8],
    ) -> Result<usize, AuditError> {
        if out.len() < SUMMARY_LEN {
            return Err(AuditError::BufferTooSmall {
                needed: SUMMARY_LEN,
            });
        }
        self.verify_stored(crypto)?;
        let anchor = self.anchor()?;
        let meta = *self.meta();
        let mut s = ExportSummary {
            device: self.device(),
            challenge: *challenge,
            exported_at: now,
            first_seq: self.first_seq(),
            count: meta.count,
            overwritten: meta.overwritten,
            cleared: meta.cleared,
            capacity: self.capacity(),
            anchor,
            head: meta.head,
            signature: Signature::from_array([0; 64]),
        };
        let digest = ExportSummary::digest(crypto, &s.encode_signed());
        s.signature = crypto
            .ecdsa_p256_sign_digest(key, &digest)
            .map_err(AuditError::Crypto)?;
        ExportChunk::Summary(s).encode(out)
    }

    /// Writes a records chunk starting at `from_seq` with as many records as fit in `out`
    /// (at most `max_records` and [`MAX_RECORDS_PER_CHUNK`], and only records below
    /// `end_seq`, normally `summary.first_seq + summary.count`). Returns the chunk length
    /// and the next sequence number to export.
    ///
    /// # Errors
    /// [`AuditError::NotHeld`] if `from_seq` was overwritten or is not below `end_seq`;
    /// [`AuditError::BufferTooSmall`] if not even one record fits; storage errors.
    pub fn export_records(
        &mut self,
        from_seq: u32,
        end_seq: u32,
        max_records: usize,
        out: &mut [u8],
    ) -> Result<(usize, u32), AuditError> {
        if from_seq >= end_seq || end_seq > self.meta().next_seq {
            return Err(AuditError::NotHeld { seq: from_seq });
        }
        let fit = out.len().saturating_sub(RECORDS_HEADER_LEN) / RECORD_LEN;
        let avail = usize::try_from(end_seq.saturating_sub(from_seq)).unwrap_or(usize::MAX);
        let n = fit.min(max_records).min(MAX_RECORDS_PER_CHUNK).min(avail);
        if n == 0 {
            return Err(AuditError::BufferTooSmall {
                needed: records_chunk_len(1),
            });
        }
        let len = records_chunk_len(n);
        let (h, body) = out
            .get_mut(..len)
            .ok_or(AuditError::BufferTooSmall { needed: len })?
            .split_at_mut(RECORDS_HEADER_LEN);
        let f = from_seq.to_be_bytes();
        let n8 = u8::try_from(n).map_err(|_| AuditError::Malformed)?;
        h.copy_from_slice(&[EXPORT_VERSION, KIND_RECORDS, f[0], f[1], f[2], f[3], n8]);
        let mut seq = from_seq;
        for dst in body.chunks_exact_mut(RECORD_LEN) {
            let r = self.read(seq)?;
            dst.copy_from_slice(&r.encode());
            seq = seq.saturating_add(1);
        }
        Ok((len, seq))
    }
}

/// Gateway-side verification of one export, chunk by chunk.
///
/// ```
/// use iomt_auth::audit::*;
/// use iomt_core::Timestamp;
/// use iomt_crypto::prelude::*;
/// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
/// # let key = iomt_crypto::StaticKey::from_bytes(&[7; 32]).unwrap();
/// let device_pk = crypto.p256_public_key(&key)?;
/// let mut log = AuditLog::open(&mut crypto, RamAuditStore::<4>::new(), [9; 8])?;
/// let t = Timestamp::from_secs(1_800_000_000);
/// for _ in 0..6 {
///     log.append(&mut crypto, t, AuditEvent::KeyUpdate, Outcome::Success, SUBJECT_DEVICE, Detail::NONE)?;
/// }
/// // device: summary + records
/// let challenge = [5; CHALLENGE_LEN];
/// let mut s = [0u8; SUMMARY_LEN];
/// log.export_summary(&mut crypto, &key, &challenge, t, &mut s)?;
/// let mut r = [0u8; 512];
/// let (n, _) = log.export_records(log.first_seq(), log.meta().next_seq, 16, &mut r)?;
/// // gateway
/// let ExportChunk::Summary(sum) = ExportChunk::decode(&s)? else { unreachable!() };
/// let mut v = ExportVerifier::new(&mut crypto, &sum, &device_pk, Some([9; 8]), None, &challenge)?;
/// let ExportChunk::Records(chunk) = ExportChunk::decode(&r[..n])? else { unreachable!() };
/// v.feed(&mut crypto, &chunk)?;
/// let done = v.finish()?;
/// assert_eq!((done.summary.count, done.summary.overwritten), (4, 2));
/// // the gateway stores this and passes it to the next export's verifier
/// let checkpoint = done.checkpoint();
/// assert_eq!(checkpoint.next_seq, 6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ExportVerifier {
    summary: ExportSummary,
    next_seq: u32,
    remaining: u32,
    running: [u8; 32],
    pin: Option<Pin>,
    first_must_be_clear: bool,
}

/// A fully verified export (signature, freshness, completeness, chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedExport {
    /// The verified summary.
    pub summary: ExportSummary,
}

impl VerifiedExport {
    /// The checkpoint to store for this device (after record `first_seq + count − 1`) and
    /// pass to the next export's [`ExportVerifier::new`].
    #[must_use]
    pub const fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            device: self.summary.device,
            next_seq: self.summary.first_seq.saturating_add(self.summary.count),
            head: self.summary.head,
        }
    }
}

impl ExportVerifier {
    /// Checks the summary: signature by `device_key`, the expected device (if given), the
    /// challenge this gateway sent, that the counters account for every record before
    /// the first one exported and fit the signed ring capacity, and — given `last`, the
    /// checkpoint of the last export this gateway verified from the device — that the
    /// export continues it. Pass `last = None` only at first contact (or to start over
    /// after a [`AuditError::CheckpointGap`], accepting the loss).
    ///
    /// # Errors
    /// [`AuditError::SignatureInvalid`], [`AuditError::DeviceMismatch`] (also if `last`
    /// is another device's), [`AuditError::ChallengeMismatch`], [`AuditError::Unaccounted`],
    /// [`AuditError::RingInconsistent`], [`AuditError::CheckpointRegression`],
    /// [`AuditError::CheckpointFork`], [`AuditError::CheckpointGap`].
    pub fn new<C: CryptoProvider>(
        crypto: &mut C,
        summary: &ExportSummary,
        device_key: &PublicKey,
        expected_device: Option<Subject>,
        last: Option<&Checkpoint>,
        challenge: &[u8; CHALLENGE_LEN],
    ) -> Result<Self, AuditError> {
        let digest = ExportSummary::digest(crypto, &summary.encode_signed());
        crypto
            .ecdsa_p256_verify_digest(device_key, &digest, &summary.signature)
            .map_err(|_| AuditError::SignatureInvalid)?;
        if expected_device.is_some_and(|d| d != summary.device) {
            return Err(AuditError::DeviceMismatch);
        }
        if summary.challenge != *challenge {
            return Err(AuditError::ChallengeMismatch);
        }
        if Some(summary.first_seq) != summary.overwritten.checked_add(summary.cleared)
            || summary.first_seq.checked_add(summary.count).is_none()
        {
            return Err(AuditError::Unaccounted);
        }
        if summary.count == 0 && summary.anchor != summary.head {
            return Err(AuditError::ChainMismatch);
        }
        let first_must_be_clear =
            checkpoint::ring_rule(summary.capacity, summary.first_seq, summary.count)?;
        let end = summary
            .first_seq
            .checked_add(summary.count)
            .ok_or(AuditError::Unaccounted)?;
        let pin = match last {
            Some(cp) => checkpoint::against(
                cp,
                summary.device,
                summary.first_seq,
                end,
                &summary.anchor,
                &summary.head,
            )?,
            None => None,
        };
        Ok(Self {
            summary: *summary,
            next_seq: summary.first_seq,
            remaining: summary.count,
            running: summary.anchor,
            pin,
            first_must_be_clear,
        })
    }

    /// Takes the next records chunk: it must continue the sequence exactly and not exceed
    /// the signed count. Its records are tentative until [`Self::finish`]. A rejected
    /// chunk changes nothing.
    ///
    /// # Errors
    /// [`AuditError::SequenceGap`] (gap, duplicate, reordering), [`AuditError::TooManyRecords`],
    /// [`AuditError::CheckpointFork`] (the chain misses the checkpoint's head),
    /// [`AuditError::RingInconsistent`] (records lost while the ring is not full, and the
    /// oldest held record is not the clear that explains it).
    pub fn feed<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        chunk: &RecordsChunk<'_>,
    ) -> Result<(), AuditError> {
        if chunk.first_seq() != self.next_seq {
            return Err(AuditError::SequenceGap {
                expected: self.next_seq,
                found: chunk.first_seq(),
            });
        }
        let n = u32::try_from(chunk.len()).map_err(|_| AuditError::TooManyRecords)?;
        if n > self.remaining {
            return Err(AuditError::TooManyRecords);
        }
        let mut running = self.running;
        let mut seq = self.next_seq;
        for rec in chunk.raw_records() {
            if self.first_must_be_clear
                && seq == self.summary.first_seq
                && AuditRecord::decode(rec)?.event != AuditEvent::LogCleared
            {
                return Err(AuditError::RingInconsistent);
            }
            running = chain(crypto, &running, rec);
            seq = seq.saturating_add(1);
            if let Some(pin) = self.pin.filter(|p| p.seq == seq) {
                pin.check(&running)?;
            }
        }
        self.running = running;
        self.remaining = self.remaining.saturating_sub(n);
        self.next_seq = self.next_seq.saturating_add(n);
        Ok(())
    }

    /// Records still expected.
    #[must_use]
    pub const fn remaining(&self) -> u32 {
        self.remaining
    }

    /// Ends the export: all signed records arrived and their chain ends at the signed head.
    ///
    /// # Errors
    /// [`AuditError::Incomplete`], [`AuditError::ChainMismatch`].
    pub fn finish(self) -> Result<VerifiedExport, AuditError> {
        if self.remaining != 0 {
            return Err(AuditError::Incomplete {
                missing: self.remaining,
            });
        }
        if !iomt_crypto::constant_time_eq(self.running.as_slice(), self.summary.head.as_slice()) {
            return Err(AuditError::ChainMismatch);
        }
        Ok(VerifiedExport {
            summary: self.summary,
        })
    }
}
