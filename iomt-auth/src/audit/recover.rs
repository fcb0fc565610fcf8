//! Opening a log after a fault: uncommitted entries and lost metadata (see the invariants
//! of [`super`]).
//!
//! # Recovery rule for absent metadata
//! With no metadata but records in the slots, the log takes the entry with the **highest
//! sequence number that decodes and sits in its own slot** (`seq mod capacity`), then walks
//! back over consecutive sequence numbers while each older entry decodes in its slot and
//! chains into the next one (`chain(prev_i, record_i) == prev_{i+1}`). That run is what is
//! held: `next_seq` = highest + 1, `count` = run length, `head` = the chain value after the
//! highest record, `overwritten` = the first held sequence number (records before it are
//! lost, overwritten or cleared — the two cannot be told apart any more), `cleared` = 0.
//! An [`AuditEvent::MetadataRecovered`] record is then appended. Blank slots (nothing
//! decodes) mean a genuinely new log.
//!
//! What this cannot do: an attacker who erases the metadata *and* the newest records makes
//! the log continue from the newest surviving one; only an export checkpoint held by the
//! gateway (or a monotonic counter) detects that.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::CryptoProvider;

use super::record::chain;
use super::{
    AuditError, AuditEvent, AuditLog, AuditMeta, AuditRecord, AuditStore, DETAIL_LEN, Detail,
    ENTRY_LEN, Entry, Outcome, SUBJECT_DEVICE, split_entry,
};

/// The [`AuditEvent::AppendFailed`] record standing in for `failed` and the `n - 1`
/// appends that failed after it in the same run.
pub(super) fn void_of(failed: &AuditRecord, n: u32) -> AuditRecord {
    let mut d = [0u8; DETAIL_LEN];
    let (head, rest) = d.split_at_mut(6);
    let n = n.to_be_bytes();
    head.copy_from_slice(&[
        failed.event.code(),
        failed.outcome.code(),
        n[0],
        n[1],
        n[2],
        n[3],
    ]);
    for (dst, src) in rest.iter_mut().zip(failed.detail.0.iter()) {
        *dst = *src;
    }
    AuditRecord {
        seq: failed.seq,
        time: failed.time,
        event: AuditEvent::AppendFailed,
        outcome: Outcome::Failure,
        subject: failed.subject,
        detail: Detail(d),
    }
}

impl<S: AuditStore> AuditLog<S> {
    /// The record in `slot` if it decodes and belongs there.
    fn entry_at(&mut self, slot: u32) -> Result<Option<(AuditRecord, Entry)>, AuditError> {
        let mut e = [0u8; ENTRY_LEN];
        self.store.read_slot(slot, &mut e)?;
        let (rec, _) = split_entry(&e);
        Ok(AuditRecord::decode(rec)
            .ok()
            .filter(|r| self.slot_of(r.seq) == slot)
            .map(|r| (r, e)))
    }

    /// Rebuilds absent metadata from the records (see the module docs).
    pub(super) fn recover_meta<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
    ) -> Result<(), AuditError> {
        let mut top: Option<(AuditRecord, Entry)> = None;
        for slot in 0..self.capacity() {
            if let Some((r, e)) = self.entry_at(slot)?
                && top.as_ref().is_none_or(|(t, _)| r.seq > t.seq)
            {
                top = Some((r, e));
            }
        }
        let Some((newest, entry)) = top else {
            return Ok(()); // blank: a new log
        };
        let (rec_bytes, prev) = split_entry(&entry);
        let head = chain_of(crypto, prev, rec_bytes);
        let mut first = newest.seq;
        let mut link = *prev; // the chain value the entry at `first` extends
        let mut count = 1u32;
        while count < self.capacity() {
            let Some(seq) = first.checked_sub(1) else {
                break;
            };
            let Some((r, e)) = self.entry_at(self.slot_of(seq))? else {
                break;
            };
            let (bytes, p) = split_entry(&e);
            if r.seq != seq || chain_of(crypto, p, bytes) != link {
                break;
            }
            first = seq;
            link = *p;
            count = count.saturating_add(1);
        }
        self.meta = AuditMeta {
            next_seq: newest
                .seq
                .checked_add(1)
                .ok_or(AuditError::SequenceExhausted)?,
            count,
            overwritten: first,
            cleared: 0,
            head,
        };
        self.store.store_meta(&self.meta)?;
        self.append(
            crypto,
            newest.time,
            AuditEvent::MetadataRecovered,
            Outcome::Success,
            SUBJECT_DEVICE,
            Detail::from_u32s(self.meta.next_seq, count),
        )?;
        Ok(())
    }

    /// Replaces an entry written after the stored head but never committed by its
    /// [`AuditEvent::AppendFailed`] record.
    pub(super) fn void_uncommitted<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
    ) -> Result<(), AuditError> {
        let slot = self.slot_of(self.meta.next_seq);
        let Some((rec, e)) = self.entry_at(slot)? else {
            return Ok(());
        };
        let (_, prev) = split_entry(&e);
        if rec.seq != self.meta.next_seq || *prev != self.meta.head {
            return Ok(());
        }
        if rec.event == AuditEvent::AppendFailed {
            // A void record that was itself not committed: commit it as it is.
            self.commit(crypto, &rec)?;
        } else {
            self.commit(crypto, &void_of(&rec, 1))?;
        }
        Ok(())
    }
}

fn chain_of<C: CryptoProvider>(crypto: &mut C, prev: &[u8; 32], rec: &[u8]) -> [u8; 32] {
    match rec.first_chunk::<{ super::RECORD_LEN }>() {
        Some(r) => chain(crypto, prev, r),
        None => [0; 32],
    }
}
