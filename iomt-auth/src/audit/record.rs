//! The fixed-size audit record and its byte layout.
//!
//! # Layout ([`RECORD_LEN`] = 38 bytes, all integers big-endian)
//! | offset | size | field |
//! |--------|------|-------|
//! | 0  | 4  | sequence number (`u32`, starts at 0, +1 per record, never reused) |
//! | 4  | 8  | time, seconds since the Unix epoch ([`Timestamp`]) |
//! | 12 | 1  | event code ([`AuditEvent`]) |
//! | 13 | 1  | outcome ([`Outcome`]) |
//! | 14 | 8  | subject (e.g. the first 8 bytes of SHA-256 of the peer identity, see [`subject_of`]) |
//! | 22 | 16 | event-specific detail ([`Detail`]) |
//!
//! Decoding is strict: unknown event or outcome codes are rejected, so every decoded record
//! re-encodes to the same bytes.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_core::Timestamp;
use iomt_crypto::CryptoProvider;

use super::AuditError;

/// Encoded length of one [`AuditRecord`].
pub const RECORD_LEN: usize = 38;
/// Length of a record's subject field.
pub const SUBJECT_LEN: usize = 8;
/// Length of a record's detail field.
pub const DETAIL_LEN: usize = 16;

/// The subject of a record: who did it (8 bytes, typically an identity hash).
pub type Subject = [u8; SUBJECT_LEN];

/// The subject used for events without a peer (device-internal events).
pub const SUBJECT_DEVICE: Subject = [0; SUBJECT_LEN];

/// The first 8 bytes of SHA-256 of `identity`: a compact, non-reversible subject id.
///
/// ```
/// # use iomt_crypto::{prelude::*, RustCryptoProvider};
/// let mut c = RustCryptoProvider::with_os_rng();
/// let s = iomt_auth::audit::subject_of(&mut c, b"nurse-17");
/// assert_eq!(s, c.sha256(b"nurse-17")[..8]);
/// ```
pub fn subject_of<C: CryptoProvider>(crypto: &mut C, identity: &[u8]) -> Subject {
    let d = crypto.sha256(identity);
    let mut s = [0u8; SUBJECT_LEN];
    for (dst, src) in s.iter_mut().zip(d.iter()) {
        *dst = *src;
    }
    s
}

macro_rules! code_enum_local {
    ($(#[$m:meta])* pub enum $name:ident { $( $(#[$vm:meta])* $v:ident = $c:literal, )+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[repr(u8)]
        pub enum $name { $( $(#[$vm])* $v = $c, )+ }
        impl $name {
            /// Every variant, in code order.
            pub const ALL: &'static [Self] = &[$(Self::$v),+];
            /// The stable one-byte code.
            #[must_use]
            pub const fn code(self) -> u8 { self as u8 }
            /// The variant with this code, if any.
            #[must_use]
            pub const fn from_code(c: u8) -> Option<Self> {
                match c { $( $c => Some(Self::$v), )+ _ => None }
            }
        }
    };
}

code_enum_local! {
    /// What happened. Codes are a stable storage and wire contract: never reuse one.
    pub enum AuditEvent {
        /// An EDHOC handshake completed (detail: suite, method).
        HandshakeSucceeded = 1,
        /// An EDHOC handshake failed (detail: error code).
        HandshakeFailed = 2,
        /// An operator factor was presented and did not verify (detail: the
        /// subject's failure count, the device-wide failure count; `u32` BE each).
        FactorFailed = 3,
        /// An operator factor verified.
        FactorVerified = 4,
        /// The operator factor is locked out (detail: locked-until seconds).
        Lockout = 5,
        /// A replayed or forged frame or message was detected (detail: sequence/epoch).
        ReplayOrForgery = 6,
        /// Access was denied by a consent tag (detail: deny reason, consent ref prefix).
        ConsentDenied = 7,
        /// Break-glass access was granted (detail: purpose, role, consent ref prefix, expiry).
        BreakGlass = 8,
        /// A privileged operation was authorized (detail: operation code).
        PrivilegedOperation = 9,
        /// An operation was denied by RBAC (detail: operation code, deny reason).
        OperationDenied = 10,
        /// Session keys were updated (detail: epoch).
        KeyUpdate = 11,
        /// A firmware update was accepted (detail: new version, previous version).
        UpdateAccepted = 12,
        /// A firmware update was rejected (detail: reason code, offered version).
        UpdateRejected = 13,
        /// The audit log was cleared (detail: number of records discarded).
        LogCleared = 14,
        /// A record could not be committed (its append failed, or power was lost before its
        /// metadata write), so the operation it describes was refused. This record takes
        /// its place: same time and subject; detail: the failed record's event code,
        /// outcome code, the number of appends that failed from it on in the same run
        /// (`u32` BE, at least 1), then the first 10 bytes of its detail.
        AppendFailed = 15,
        /// The log's metadata was absent while records were held: sequence, count and head
        /// were recovered from the records (detail: recovered next sequence number, records
        /// held; `u32` BE each).
        MetadataRecovered = 16,
        /// A firmware update passed its manifest, version and permit checks and starts
        /// taking the image (detail: offered version, installed version). Its outcome
        /// follows as `UpdateAccepted` or `UpdateRejected`; none means it was abandoned.
        UpdateStarted = 17,
    }
}

code_enum_local! {
    /// How it ended.
    pub enum Outcome {
        /// The action succeeded or was permitted.
        Success = 0,
        /// The action failed (bad input, bad MAC, storage error).
        Failure = 1,
        /// The action was refused by policy.
        Denied = 2,
    }
}

/// Event-specific detail bytes (16). Builders put integers big-endian from offset 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Detail(pub [u8; DETAIL_LEN]);

impl Detail {
    /// All zero.
    pub const NONE: Self = Self([0; DETAIL_LEN]);

    /// `a` (big-endian) in bytes 0..4, `b` in bytes 4..8, rest zero.
    ///
    /// ```
    /// let d = iomt_auth::audit::Detail::from_u32s(1, 2);
    /// assert_eq!(&d.0[..8], &[0, 0, 0, 1, 0, 0, 0, 2]);
    /// ```
    #[must_use]
    pub const fn from_u32s(a: u32, b: u32) -> Self {
        let a = a.to_be_bytes();
        let b = b.to_be_bytes();
        Self([
            a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3], 0, 0, 0, 0, 0, 0, 0, 0,
        ])
    }

    /// Copies up to 16 bytes of `bytes` (zero padded).
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Self {
        let mut d = [0u8; DETAIL_LEN];
        for (dst, src) in d.iter_mut().zip(bytes) {
            *dst = *src;
        }
        Self(d)
    }
}

/// One audit record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AuditRecord {
    /// Sequence number (assigned by the log).
    pub seq: u32,
    /// When it happened (device clock).
    pub time: Timestamp,
    /// What happened.
    pub event: AuditEvent,
    /// How it ended.
    pub outcome: Outcome,
    /// Who (identity hash), or [`SUBJECT_DEVICE`].
    pub subject: Subject,
    /// Event-specific detail.
    pub detail: Detail,
}

impl AuditRecord {
    /// The fixed [`RECORD_LEN`]-byte encoding.
    ///
    /// ```
    /// use iomt_auth::audit::{AuditEvent, AuditRecord, Detail, Outcome, SUBJECT_DEVICE};
    /// let r = AuditRecord {
    ///     seq: 7,
    ///     time: iomt_core::Timestamp::from_secs(1_800_000_000),
    ///     event: AuditEvent::KeyUpdate,
    ///     outcome: Outcome::Success,
    ///     subject: SUBJECT_DEVICE,
    ///     detail: Detail::NONE,
    /// };
    /// assert_eq!(AuditRecord::decode(&r.encode())?, r);
    /// # Ok::<(), iomt_auth::audit::AuditError>(())
    /// ```
    #[must_use]
    pub fn encode(&self) -> [u8; RECORD_LEN] {
        let mut out = [0u8; RECORD_LEN];
        let (seq, rest) = out.split_at_mut(4);
        seq.copy_from_slice(&self.seq.to_be_bytes());
        let (time, rest) = rest.split_at_mut(8);
        time.copy_from_slice(&self.time.as_secs().to_be_bytes());
        let (codes, rest) = rest.split_at_mut(2);
        codes.copy_from_slice(&[self.event.code(), self.outcome.code()]);
        let (subject, detail) = rest.split_at_mut(SUBJECT_LEN);
        subject.copy_from_slice(&self.subject);
        detail.copy_from_slice(&self.detail.0);
        out
    }

    /// Decodes exactly [`RECORD_LEN`] bytes.
    ///
    /// # Errors
    /// [`AuditError::Malformed`] if the length is wrong or an event/outcome code is unknown.
    pub fn decode(bytes: &[u8]) -> Result<Self, AuditError> {
        let bytes: &[u8; RECORD_LEN] = bytes.try_into().map_err(|_| AuditError::Malformed)?;
        let (seq, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or(AuditError::Malformed)?;
        let (time, rest) = rest.split_first_chunk::<8>().ok_or(AuditError::Malformed)?;
        let ([ev, oc], rest) = rest.split_first_chunk::<2>().ok_or(AuditError::Malformed)?;
        let (subject, detail) = rest
            .split_first_chunk::<SUBJECT_LEN>()
            .ok_or(AuditError::Malformed)?;
        let detail: [u8; DETAIL_LEN] = detail.try_into().map_err(|_| AuditError::Malformed)?;
        Ok(Self {
            seq: u32::from_be_bytes(*seq),
            time: Timestamp::from_secs(u64::from_be_bytes(*time)),
            event: AuditEvent::from_code(*ev).ok_or(AuditError::Malformed)?,
            outcome: Outcome::from_code(*oc).ok_or(AuditError::Malformed)?,
            subject: *subject,
            detail: Detail(detail),
        })
    }
}

/// The chain step: `H(prev ‖ record)`.
pub(crate) fn chain<C: CryptoProvider>(
    crypto: &mut C,
    prev: &[u8; 32],
    record: &[u8; RECORD_LEN],
) -> [u8; 32] {
    use iomt_crypto::Sha256State;
    let mut h = crypto.sha256_start();
    h.update(prev);
    h.update(record);
    h.finalize()
}
