//! The operator second factor, proven inside the EDHOC handshake (EAD_3).
//!
//! # Construction
//! - **Verifier.** The device stores a PIN *verifier*, never the PIN:
//!   `verifier = HKDF-Extract(salt = device_id ‖ "iomt pin v1", ikm = PIN)` (= HMAC-SHA256
//!   keyed by the salt). The operator's app derives the same value from the PIN typed in and
//!   the device id.
//! - **Proof.** `tag = HMAC-SHA256(verifier, "iomt-factor" ‖ TH_3)` truncated to 16 bytes
//!   ([`FACTOR_TAG_LEN`]), computed with the provider's HKDF-Extract
//!   (`HKDF-Extract(salt = key, ikm = msg)` *is* `HMAC(key, msg)`). TH_3 is the EDHOC
//!   transcript hash that message_3 authenticates, so a tag is bound to one handshake:
//!   replaying it in another handshake, or using it on another transcript, fails.
//! - **Carriage.** One EAD item in message_3: label [`FACTOR_EAD_LABEL`] (non-critical:
//!   a device that does not check factors ignores it and grants no privileged operation),
//!   value = the 16-byte tag as a bstr. EAD_3 is encrypted and integrity-protected by
//!   message_3, so only the authenticated responder sees the tag.
//! - **Check.** [`FactorVerifier::verify`] on the responder, *after* `verify_message_3`
//!   authenticated the initiator's credential (so only credentialed peers can guess at all):
//!   persistent attempt counter incremented and stored **before** the tag is compared
//!   (a power cut during the check cannot yield a free attempt), constant-time compare
//!   (`subtle`), exponential lockout ([`LockoutPolicy`]) persisted through [`FactorStore`],
//!   every failure and lockout audited.
//!
//! # Security (honest limits)
//! - A 6-digit PIN has 10⁶ values. Anyone who dumps the device's flash gets the verifier and
//!   can test all PINs offline in well under a second (one HMAC each). The lockout protects
//!   **only the online path**. A memory-hard or iterated KDF (PBKDF2) would raise the
//!   offline cost only linearly and is too slow to run on a Cortex-M0 at each check; the
//!   real mitigation is to keep the verifier in a secure element or protected flash, and to
//!   use long PINs/passphrases where the workflow allows.
//! - The operator's app holds the PIN transiently; a compromised app defeats the factor.
//! - The factor proves knowledge of the PIN in *this* handshake with *this* credential; it
//!   does not identify which human typed it beyond that.
//! - Lockout times use the caller's clock. A device whose clock restarts at 0 after reboot
//!   stays locked longer (until its clock passes the stored instant), never shorter.
//!
//! # EAD label
//! [`FACTOR_EAD_LABEL`] = 65 550, in the range above 65 535 that, to our reading of RFC 9528
//! §10.5, the EDHOC EAD registry leaves for Private Use (verify against the registry before
//! deployment; the label is one constant). Encoded as a 5-byte CBOR uint.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_core::Timestamp;
use iomt_crypto::CryptoProvider;
use zeroize::Zeroize;

use crate::audit::{AuditEvent, AuditLog, AuditStore, Detail, Outcome, Subject};
use crate::cbor::{Decoder, Encoder};
use crate::edhoc::EadItem;

mod lockout;

pub use lockout::{
    DEVICE_CEILING_FACTOR, FactorState, FactorStorageError, FactorStore, LOCKOUT_SUBJECTS,
    LockoutPolicy, LockoutTable, RamFactorStore, SubjectLockout,
};

/// EAD label of the factor item (non-critical; see the module docs).
pub const FACTOR_EAD_LABEL: i32 = 65_550;
/// Length of the factor tag (truncated HMAC-SHA256).
pub const FACTOR_TAG_LEN: usize = 16;
/// Longest device id accepted for the verifier salt.
pub const MAX_DEVICE_ID_LEN: usize = 64;
/// Encoded length of the factor EAD item (5-byte label + 1-byte bstr head + 16).
pub const FACTOR_EAD_ITEM_LEN: usize = 22;

const PIN_CONTEXT: &[u8] = b"iomt pin v1";
const TAG_CONTEXT: &[u8] = b"iomt-factor";

/// Why the factor did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FactorError {
    /// No factor item was presented.
    Absent,
    /// The factor item is malformed (wrong label, length, trailing bytes, duplicate item).
    Malformed,
    /// The tag is wrong (wrong PIN, replayed from another handshake, other transcript).
    Mismatch,
    /// Too many failures: locked until this time.
    LockedOut {
        /// End of the lockout (seconds since the epoch).
        until: Timestamp,
    },
    /// The attempt counter could not be loaded or persisted (the tag is then not checked).
    Storage,
    /// The device id is longer than [`MAX_DEVICE_ID_LEN`].
    DeviceIdTooLong,
    /// The output buffer is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// The lockout policy cannot protect the PIN ([`LockoutPolicy::check`]); no attempt is
    /// evaluated under it.
    InvalidPolicy,
    /// The factor verified but its audit record could not be written: no proof is given
    /// (fail closed).
    AuditUnavailable,
}

impl FactorError {
    /// A stable numeric code.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Absent => 1,
            Self::Malformed => 2,
            Self::Mismatch => 3,
            Self::LockedOut { .. } => 4,
            Self::Storage => 5,
            Self::DeviceIdTooLong => 6,
            Self::BufferTooSmall { .. } => 7,
            Self::InvalidPolicy => 8,
            Self::AuditUnavailable => 9,
        }
    }
}

impl fmt::Display for FactorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Absent => f.write_str("no operator factor presented"),
            Self::Malformed => f.write_str("malformed operator factor item"),
            Self::Mismatch => f.write_str("operator factor did not verify"),
            Self::LockedOut { until } => {
                write!(f, "operator factor locked out until {}", until.as_secs())
            }
            Self::Storage => f.write_str("factor attempt counter storage failed"),
            Self::DeviceIdTooLong => f.write_str("device id too long"),
            Self::BufferTooSmall { needed } => write!(f, "buffer too small ({needed} needed)"),
            Self::InvalidPolicy => f.write_str("lockout policy cannot protect the factor"),
            Self::AuditUnavailable => f.write_str("audit log unavailable (fail closed)"),
        }
    }
}

impl core::error::Error for FactorError {}

/// A PIN verifier (32 bytes). Zeroized on drop; `Debug` redacted; `==` is constant-time.
#[derive(Clone)]
pub struct PinVerifier([u8; 32]);

impl PartialEq for PinVerifier {
    fn eq(&self, other: &Self) -> bool {
        iomt_crypto::constant_time_eq(&self.0, &other.0)
    }
}

impl Eq for PinVerifier {}

impl fmt::Debug for PinVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinVerifier(<redacted>)")
    }
}

impl Drop for PinVerifier {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl PinVerifier {
    /// `HKDF-Extract(salt = device_id ‖ "iomt pin v1", ikm = pin)`.
    ///
    /// ```
    /// use iomt_auth::factor::PinVerifier;
    /// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    /// let v1 = PinVerifier::derive(&mut crypto, b"pump-0042", b"123456")?;
    /// let v2 = PinVerifier::derive(&mut crypto, b"pump-0043", b"123456")?;
    /// assert_ne!(v1, v2); // salted by device id
    /// # Ok::<(), iomt_auth::factor::FactorError>(())
    /// ```
    ///
    /// # Errors
    /// [`FactorError::DeviceIdTooLong`].
    pub fn derive<C: CryptoProvider>(
        crypto: &mut C,
        device_id: &[u8],
        pin: &[u8],
    ) -> Result<Self, FactorError> {
        let mut salt = [0u8; MAX_DEVICE_ID_LEN + PIN_CONTEXT.len()];
        let n = device_id.len();
        if n > MAX_DEVICE_ID_LEN {
            return Err(FactorError::DeviceIdTooLong);
        }
        let (a, b) = salt.split_at_mut(n);
        a.copy_from_slice(device_id);
        let b = b
            .get_mut(..PIN_CONTEXT.len())
            .ok_or(FactorError::DeviceIdTooLong)?;
        b.copy_from_slice(PIN_CONTEXT);
        let len = n.saturating_add(PIN_CONTEXT.len());
        let prk = crypto.hkdf_sha256_extract(salt.get(..len).unwrap_or(&[]), pin);
        Ok(Self(*prk.as_bytes()))
    }

    /// A verifier loaded from storage.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The bytes to store (treat as a secret).
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The 16-byte factor tag carried in EAD_3. `==` is constant-time (it is a MAC).
#[derive(Clone, Copy, Debug)]
pub struct FactorTag(pub [u8; FACTOR_TAG_LEN]);

impl PartialEq for FactorTag {
    fn eq(&self, other: &Self) -> bool {
        iomt_crypto::constant_time_eq(&self.0, &other.0)
    }
}

impl Eq for FactorTag {}

impl FactorTag {
    /// `HMAC-SHA256(verifier, "iomt-factor" ‖ TH_3)[..16]` (initiator: before
    /// `prepare_message_3`; responder: recomputed by [`FactorVerifier::verify`]).
    ///
    /// ```
    /// use iomt_auth::factor::{FactorTag, PinVerifier};
    /// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    /// let v = PinVerifier::derive(&mut crypto, b"pump-0042", b"123456")?;
    /// let a = FactorTag::compute(&mut crypto, &v, &[1; 32]);
    /// let b = FactorTag::compute(&mut crypto, &v, &[2; 32]);
    /// assert_ne!(a, b); // bound to the transcript
    /// # Ok::<(), iomt_auth::factor::FactorError>(())
    /// ```
    pub fn compute<C: CryptoProvider>(
        crypto: &mut C,
        verifier: &PinVerifier,
        th_3: &[u8; 32],
    ) -> Self {
        let mut msg = [0u8; TAG_CONTEXT.len() + 32];
        let (a, b) = msg.split_at_mut(TAG_CONTEXT.len());
        a.copy_from_slice(TAG_CONTEXT);
        b.copy_from_slice(th_3);
        let mac = crypto.hkdf_sha256_extract(verifier.as_bytes(), &msg);
        let mut t = [0u8; FACTOR_TAG_LEN];
        for (d, s) in t.iter_mut().zip(mac.as_bytes()) {
            *d = *s;
        }
        Self(t)
    }

    /// The EAD item to pass to the initiator's `prepare_message_3`.
    #[must_use]
    pub fn as_ead_item(&self) -> EadItem<'_> {
        EadItem {
            label: FACTOR_EAD_LABEL,
            value: Some(&self.0),
        }
    }

    /// Finds the factor item among received EAD items (responder, from message_3).
    /// `Ok(None)` if absent.
    ///
    /// # Errors
    /// [`FactorError::Malformed`] if the item appears twice, is marked critical with our
    /// label, or its value is not exactly 16 bytes.
    pub fn from_ead_items<'a>(
        items: impl IntoIterator<Item = EadItem<'a>>,
    ) -> Result<Option<Self>, FactorError> {
        let mut found = None;
        for it in items {
            if it.label.unsigned_abs() != FACTOR_EAD_LABEL.unsigned_abs() {
                continue;
            }
            if found.is_some() || it.label != FACTOR_EAD_LABEL {
                return Err(FactorError::Malformed);
            }
            found = Some(Self::from_value(it.value.unwrap_or(&[]))?);
        }
        Ok(found)
    }

    fn from_value(v: &[u8]) -> Result<Self, FactorError> {
        let t: [u8; FACTOR_TAG_LEN] = v.try_into().map_err(|_| FactorError::Malformed)?;
        Ok(Self(t))
    }

    /// Encodes the complete EAD item (label, bstr) into `out`; returns
    /// [`FACTOR_EAD_ITEM_LEN`].
    ///
    /// # Errors
    /// [`FactorError::BufferTooSmall`].
    pub fn encode_ead_item(&self, out: &mut [u8]) -> Result<usize, FactorError> {
        let too_small = FactorError::BufferTooSmall {
            needed: FACTOR_EAD_ITEM_LEN,
        };
        let mut e = Encoder::new(out);
        e.int(i64::from(FACTOR_EAD_LABEL)).map_err(|_| too_small)?;
        e.bstr(&self.0).map_err(|_| too_small)?;
        Ok(e.len())
    }

    /// Parses exactly one complete factor EAD item (strict: our non-critical label, a
    /// 16-byte bstr, deterministic encoding, no trailing bytes).
    ///
    /// ```
    /// use iomt_auth::factor::FactorTag;
    /// let t = FactorTag([7; 16]);
    /// let mut buf = [0u8; 32];
    /// let n = t.encode_ead_item(&mut buf)?;
    /// assert_eq!(FactorTag::parse_ead_item(&buf[..n])?, t);
    /// assert!(FactorTag::parse_ead_item(&buf[..n - 1]).is_err());
    /// # Ok::<(), iomt_auth::factor::FactorError>(())
    /// ```
    ///
    /// # Errors
    /// [`FactorError::Malformed`].
    pub fn parse_ead_item(bytes: &[u8]) -> Result<Self, FactorError> {
        let mut d = Decoder::new(bytes);
        let label = d.int().map_err(|_| FactorError::Malformed)?;
        if label != i64::from(FACTOR_EAD_LABEL) {
            return Err(FactorError::Malformed);
        }
        let v = d.bstr().map_err(|_| FactorError::Malformed)?;
        d.finish().map_err(|_| FactorError::Malformed)?;
        Self::from_value(v)
    }
}

/// Length of the handshake id a [`FactorProof`] is bound to.
pub const TRANSCRIPT_ID_LEN: usize = 16;

/// The id of a handshake a proof is bound to: the first 16 bytes of its TH_3.
#[must_use]
pub(crate) fn transcript_id(th_3: &[u8; 32]) -> [u8; TRANSCRIPT_ID_LEN] {
    let mut id = [0u8; TRANSCRIPT_ID_LEN];
    for (d, s) in id.iter_mut().zip(th_3) {
        *d = *s;
    }
    id
}

/// Proof that the operator factor verified for one subject in one handshake. Only
/// [`FactorVerifier::verify`] creates one, bound to the subject it verified and to the
/// handshake's TH_3: RBAC accepts it only in a [`crate::rbac::SessionAuth`] of that same
/// subject and (for a session built from the completed handshake) that same handshake,
/// so a proof cannot be moved to another peer's session or to a later session of the same
/// peer. Neither `Clone` nor `Copy`: it moves into one session.
///
/// ```compile_fail
/// // A proof cannot be duplicated.
/// fn dup(p: iomt_auth::factor::FactorProof) -> (iomt_auth::factor::FactorProof, iomt_auth::factor::FactorProof) {
///     (p.clone(), p)
/// }
/// ```
#[derive(Debug, PartialEq, Eq)]
pub struct FactorProof {
    subject: Subject,
    transcript: [u8; TRANSCRIPT_ID_LEN],
}

impl FactorProof {
    /// The subject whose factor verified.
    #[must_use]
    pub const fn subject(&self) -> Subject {
        self.subject
    }

    /// The handshake it verified in (the first 16 bytes of its TH_3).
    #[must_use]
    pub const fn transcript_id(&self) -> [u8; TRANSCRIPT_ID_LEN] {
        self.transcript
    }
}

/// The factor state of a session, as RBAC sees it.
#[derive(Debug, PartialEq, Eq)]
pub enum FactorOutcome {
    /// No factor presented (or not checked).
    Absent,
    /// Verified in this handshake.
    Verified(FactorProof),
    /// Presented and wrong (or not checkable).
    Failed,
    /// Locked out after repeated failures.
    LockedOut,
}

impl FactorOutcome {
    /// The outcome of a [`FactorVerifier::verify`] result (the proof moves in).
    #[must_use]
    pub fn from_result(r: Result<FactorProof, FactorError>) -> Self {
        match r {
            Ok(p) => Self::Verified(p),
            Err(FactorError::Absent) => Self::Absent,
            Err(FactorError::LockedOut { .. }) => Self::LockedOut,
            Err(_) => Self::Failed,
        }
    }
}

/// The device-side factor check with its persistent attempt counter.
#[derive(Debug)]
pub struct FactorVerifier<F: FactorStore> {
    store: F,
    policy: LockoutPolicy,
}

impl<F: FactorStore> FactorVerifier<F> {
    /// A verifier over `store` with `policy`. A policy that fails [`LockoutPolicy::check`]
    /// makes every [`Self::verify`] fail with [`FactorError::InvalidPolicy`]; use
    /// [`Self::try_new`] to refuse it at configuration.
    pub const fn new(store: F, policy: LockoutPolicy) -> Self {
        Self { store, policy }
    }

    /// A verifier over `store` with `policy`, refusing a policy that cannot protect.
    ///
    /// # Errors
    /// [`FactorError::InvalidPolicy`].
    pub fn try_new(store: F, policy: LockoutPolicy) -> Result<Self, FactorError> {
        match policy.check() {
            Ok(()) => Ok(Self { store, policy }),
            Err(e) => Err(e),
        }
    }

    /// The store (e.g. to inspect the counter).
    #[must_use]
    pub const fn store(&self) -> &F {
        &self.store
    }

    /// Mutable store access (tests simulating flash faults).
    #[doc(hidden)]
    pub const fn store_mut(&mut self) -> &mut F {
        &mut self.store
    }

    /// Checks the operator factor of the completed handshake `done` (this device was
    /// the responder): the factor item in its EAD_3, against `verifier`, over its TH_3,
    /// for its authenticated peer — the one path the Rust API and the C API
    /// (`iomt_session_auth_verify_factor`) share. A malformed item is recorded as a factor
    /// failure (`audit::Event::factor_malformed`) but not counted as a guess; everything
    /// else is [`Self::verify`].
    ///
    /// # Errors
    /// [`FactorError::Malformed`]; as [`Self::verify`].
    pub fn verify_handshake<C: CryptoProvider, S: AuditStore>(
        &mut self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        verifier: &PinVerifier,
        done: &crate::edhoc::Completed,
        now: Timestamp,
    ) -> Result<FactorProof, FactorError> {
        let peer = crate::audit::subject_of(crypto, &done.peer_identity().0);
        match FactorTag::from_ead_items(done.received_ead().items()) {
            Ok(tag) => self.verify(crypto, log, verifier, done.th_3(), tag.as_ref(), peer, now),
            Err(e) => {
                let _ = log.record(crypto, now, crate::audit::Event::factor_malformed(peer));
                Err(e)
            }
        }
    }

    /// Checks the factor presented in message_3 against `verifier` and the responder's
    /// TH_3. Call only after `verify_message_3` succeeded.
    ///
    /// Order: lockout check → counter+1 (and the lockout this attempt would earn) persisted
    /// → constant-time compare → on success counter reset. Audited: failure
    /// ([`AuditEvent::FactorFailed`]), lockout ([`AuditEvent::Lockout`]), success
    /// ([`AuditEvent::FactorVerified`]).
    ///
    /// ```
    /// use iomt_auth::audit::{AuditLog, RamAuditStore};
    /// use iomt_auth::factor::*;
    /// use iomt_core::Timestamp;
    /// # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    /// let mut log = AuditLog::open(&mut crypto, RamAuditStore::<8>::new(), [0; 8])?;
    /// let v = PinVerifier::derive(&mut crypto, b"pump-0042", b"123456")?;
    /// let th_3 = [0x42; 32];
    /// let tag = FactorTag::compute(&mut crypto, &v, &th_3); // operator side
    /// let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    /// let now = Timestamp::from_secs(1_800_000_000);
    /// assert!(fv.verify(&mut crypto, &mut log, &v, &th_3, Some(&tag), [1; 8], now).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`FactorError::Absent`] (counter untouched), [`FactorError::LockedOut`],
    /// [`FactorError::Storage`] (tag not evaluated), [`FactorError::Mismatch`].
    #[expect(
        clippy::too_many_arguments,
        reason = "all inputs are distinct and required"
    )]
    pub fn verify<C: CryptoProvider, S: AuditStore>(
        &mut self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        verifier: &PinVerifier,
        th_3: &[u8; 32],
        presented: Option<&FactorTag>,
        subject: Subject,
        now: Timestamp,
    ) -> Result<FactorProof, FactorError> {
        self.policy.check()?;
        let mut table = self.store.load().map_err(|_| FactorError::Storage)?;
        if let Some(until) = table.locked_until(&subject, now) {
            record_lockout(crypto, log, subject, until, now);
            return Err(FactorError::LockedOut { until });
        }
        let Some(presented) = presented else {
            return Err(FactorError::Absent);
        };
        // Count the attempt (and the lockouts it would earn) before evaluating it.
        let entry = match table.entry_for(&subject, now) {
            Ok(e) => e,
            Err(e) => {
                if let FactorError::LockedOut { until } = e {
                    record_lockout(crypto, log, subject, until, now);
                }
                return Err(e);
            }
        };
        let failures = entry.state.failures.saturating_add(1);
        let lock = self.policy.lock_secs(failures);
        lockout::count(&mut entry.state, failures, lock, now);
        let pending_until = entry.state.locked_until;
        let device_failures = table.device.failures.saturating_add(1);
        let device_lock = self.policy.device_lock_secs(device_failures);
        lockout::count(&mut table.device, device_failures, device_lock, now);
        self.store.store(&table).map_err(|_| FactorError::Storage)?;

        let expected = FactorTag::compute(crypto, verifier, th_3);
        if iomt_crypto::constant_time_eq(&expected.0, &presented.0) {
            // Success: this subject's counter and the device ceiling reset. If the reset
            // cannot be stored the counters stay raised (conservative).
            table.reset(&subject);
            let _ = self.store.store(&table);
            // Fail closed: a proof whose success cannot be recorded is not given.
            log.append(
                crypto,
                now,
                AuditEvent::FactorVerified,
                Outcome::Success,
                subject,
                Detail::NONE,
            )
            .map_err(|_| FactorError::AuditUnavailable)?;
            return Ok(FactorProof {
                subject,
                transcript: transcript_id(th_3),
            });
        }
        // The attempt fails whether or not these records can be written.
        let _ = log.append(
            crypto,
            now,
            AuditEvent::FactorFailed,
            Outcome::Failure,
            subject,
            Detail::from_u32s(failures, device_failures),
        );
        let until = if device_lock != 0 && table.device.locked_until > pending_until {
            table.device.locked_until
        } else {
            pending_until
        };
        if lock != 0 || device_lock != 0 {
            record_lockout(crypto, log, subject, until, now);
        }
        Err(FactorError::Mismatch)
    }
}

/// Records a lockout (detail: locked-until seconds). The attempt is refused whether or not
/// the record can be written.
fn record_lockout<C: CryptoProvider, S: AuditStore>(
    crypto: &mut C,
    log: &mut AuditLog<S>,
    subject: Subject,
    until: Timestamp,
    now: Timestamp,
) {
    let _ = log.append(
        crypto,
        now,
        AuditEvent::Lockout,
        Outcome::Denied,
        subject,
        Detail::from_slice(&until.as_secs().to_be_bytes()),
    );
}
