//! Gateway checkpoints: what a gateway remembers of the last export it verified from a
//! device, so that the next export must continue it.
//!
//! # Model
//! A [`Checkpoint`] is `(device, next_seq, head)` of a verified export
//! ([`super::VerifiedExport::checkpoint`]): the chain value after record `next_seq − 1`.
//! [`super::ExportVerifier::new`] given the last checkpoint accepts an export only if
//! - it ends at or after the checkpoint (else [`AuditError::CheckpointRegression`]: the
//!   newest records were erased);
//! - its chain passes through the checkpoint's head at `next_seq` — as its anchor, along
//!   the fed records, or as its head (else [`AuditError::CheckpointFork`]: one sequence
//!   number, two heads);
//! - it starts at or before the checkpoint (else [`AuditError::CheckpointGap`]: records
//!   were lost between the two exports; the gateway decides what that means, and can
//!   start over without a checkpoint).
//!
//! # Persistence
//! [`Checkpoint::encode`] gives [`CHECKPOINT_LEN`] bytes (device ‖ next_seq BE ‖ head);
//! the gateway stores one per device and must write it only after `finish` succeeded.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::{AuditError, SUBJECT_LEN, Subject};

/// Length of an encoded [`Checkpoint`].
pub const CHECKPOINT_LEN: usize = SUBJECT_LEN + 4 + 32;

/// The last verified position of one device's audit chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Checkpoint {
    /// The device.
    pub device: Subject,
    /// Records ever appended at that export (= the next sequence number).
    pub next_seq: u32,
    /// Chain value after record `next_seq − 1` (all zero for `next_seq` = 0).
    pub head: [u8; 32],
}

impl Checkpoint {
    /// Encodes `device ‖ next_seq (BE) ‖ head`.
    #[must_use]
    pub fn encode(&self) -> [u8; CHECKPOINT_LEN] {
        let mut o = [0u8; CHECKPOINT_LEN];
        let (d, r) = o.split_at_mut(SUBJECT_LEN);
        let (s, h) = r.split_at_mut(4);
        d.copy_from_slice(&self.device);
        s.copy_from_slice(&self.next_seq.to_be_bytes());
        h.copy_from_slice(&self.head);
        o
    }

    /// Decodes [`Self::encode`]'s output.
    ///
    /// # Errors
    /// [`AuditError::Malformed`] unless exactly [`CHECKPOINT_LEN`] bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, AuditError> {
        let b: &[u8; CHECKPOINT_LEN] = bytes.try_into().map_err(|_| AuditError::Malformed)?;
        let (device, r) = b
            .split_first_chunk::<SUBJECT_LEN>()
            .ok_or(AuditError::Malformed)?;
        let (seq, head) = r.split_first_chunk::<4>().ok_or(AuditError::Malformed)?;
        Ok(Self {
            device: *device,
            next_seq: u32::from_be_bytes(*seq),
            head: head.try_into().map_err(|_| AuditError::Malformed)?,
        })
    }
}

/// Where, while feeding records, the chain must equal a checkpoint's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pin {
    /// The chain value after record `seq − 1` must be `head`.
    pub(super) seq: u32,
    pub(super) head: [u8; 32],
}

impl Pin {
    pub(super) fn check(&self, running: &[u8; 32]) -> Result<(), AuditError> {
        if iomt_crypto::constant_time_eq(running, &self.head) {
            Ok(())
        } else {
            Err(AuditError::CheckpointFork { seq: self.seq })
        }
    }
}

/// Checks a (signature-verified) summary's range against the last checkpoint. Returns the
/// pin to check while feeding, if the checkpoint falls strictly inside the exported range.
pub(super) fn against(
    cp: &Checkpoint,
    device: Subject,
    first_seq: u32,
    end_seq: u32,
    anchor: &[u8; 32],
    head: &[u8; 32],
) -> Result<Option<Pin>, AuditError> {
    if cp.device != device {
        return Err(AuditError::DeviceMismatch);
    }
    if end_seq < cp.next_seq {
        return Err(AuditError::CheckpointRegression {
            checkpoint: cp.next_seq,
            export: end_seq,
        });
    }
    if first_seq > cp.next_seq {
        return Err(AuditError::CheckpointGap {
            lost: first_seq.saturating_sub(cp.next_seq),
        });
    }
    let pin = Pin {
        seq: cp.next_seq,
        head: cp.head,
    };
    if first_seq == cp.next_seq {
        pin.check(anchor)?;
        return Ok(None);
    }
    if end_seq == cp.next_seq {
        pin.check(head)?;
        return Ok(None);
    }
    Ok(Some(pin))
}

/// The ring rule: at most `capacity` records held, and records lost while the ring is
/// not full only if an authorized clear came after the last overwrite — whose record is
/// then the oldest held one. Returns whether the first fed record must be a `LogCleared`.
pub(super) fn ring_rule(capacity: u32, first_seq: u32, count: u32) -> Result<bool, AuditError> {
    if capacity == 0 || count > capacity || (count == 0 && first_seq != 0) {
        return Err(AuditError::RingInconsistent);
    }
    Ok(count < capacity && first_seq != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode() {
        let c = Checkpoint {
            device: [7; 8],
            next_seq: 0x0102_0304,
            head: [9; 32],
        };
        let b = c.encode();
        assert_eq!(b[8..12], [1, 2, 3, 4]);
        assert_eq!(Checkpoint::decode(&b), Ok(c));
        assert_eq!(Checkpoint::decode(&b[1..]), Err(AuditError::Malformed));
    }

    #[test]
    fn against_each_case() {
        let cp = Checkpoint {
            device: [1; 8],
            next_seq: 10,
            head: [5; 32],
        };
        let (a, h) = ([5; 32], [6; 32]);
        assert_eq!(
            against(&cp, [2; 8], 0, 12, &a, &h),
            Err(AuditError::DeviceMismatch)
        );
        assert_eq!(
            against(&cp, [1; 8], 0, 9, &a, &h),
            Err(AuditError::CheckpointRegression {
                checkpoint: 10,
                export: 9
            })
        );
        assert_eq!(
            against(&cp, [1; 8], 0, 10, &a, &h),
            Err(AuditError::CheckpointFork { seq: 10 })
        );
        assert_eq!(against(&cp, [1; 8], 0, 10, &a, &[5; 32]), Ok(None));
        assert_eq!(
            against(&cp, [1; 8], 13, 20, &a, &h),
            Err(AuditError::CheckpointGap { lost: 3 })
        );
        assert_eq!(against(&cp, [1; 8], 10, 20, &[5; 32], &h), Ok(None));
        assert_eq!(
            against(&cp, [1; 8], 10, 20, &[4; 32], &h),
            Err(AuditError::CheckpointFork { seq: 10 })
        );
        assert_eq!(
            against(&cp, [1; 8], 3, 20, &a, &h),
            Ok(Some(Pin {
                seq: 10,
                head: [5; 32]
            }))
        );
    }

    #[test]
    fn ring_rule_cases() {
        assert_eq!(ring_rule(16, 0, 10), Ok(false));
        assert_eq!(ring_rule(16, 3, 16), Ok(false));
        assert_eq!(ring_rule(16, 3, 7), Ok(true));
        assert_eq!(ring_rule(16, 0, 17), Err(AuditError::RingInconsistent));
        assert_eq!(ring_rule(16, 2, 0), Err(AuditError::RingInconsistent));
        assert_eq!(ring_rule(0, 0, 0), Err(AuditError::RingInconsistent));
        assert_eq!(ring_rule(16, 0, 0), Ok(false));
    }
}
