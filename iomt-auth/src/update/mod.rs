//! Signed firmware updates: COSE_Sign1/ES256 manifests, streaming image verification,
//! anti-rollback, RBAC authorization and audit.
//!
//! # Flow (device)
//! 1. The session is authorized for [`Operation::FirmwareUpdate`] by
//!    [`crate::rbac::RbacPolicy::authorize`] (role + operator factor), giving a
//!    [`crate::rbac::Permit`].
//! 2. [`UpdateVerifier::begin`] verifies the manifest envelope against the vendor's
//!    [`VendorAnchor`] (signer, signature, vendor id, device class) and the version against
//!    the [`RollbackCounter`] (strictly newer, installed version ≥ `min_version`).
//! 3. The image streams through [`UpdateVerifier::update`] (incremental SHA-256; an image
//!    longer than the manifest says is rejected at once). Write the chunks to the staging
//!    slot as they come, but never boot them before step 4 succeeds.
//! 4. [`UpdateVerifier::finish`] checks size and digest, writes the
//!    [`AuditEvent::UpdateAccepted`] record, then advances the rollback counter.
//!
//! Every rejection (in `begin` or `finish`) writes [`AuditEvent::UpdateRejected`] with the
//! error code. An error in `update` poisons the verifier; `finish` then reports (and audits)
//! that first error.
//!
//! # Invariants
//! - Nothing is accepted before `finish`: there is no partial acceptance.
//! - The rollback counter only moves after full verification *and* a written audit record.
//! - The manifest decoder only ever sees signature-verified bytes.
//!
//! ```
//! use iomt_auth::audit::{AuditLog, RamAuditStore};
//! use iomt_auth::factor::{FactorOutcome, FactorTag, FactorVerifier, LockoutPolicy, PinVerifier, RamFactorStore};
//! use iomt_auth::rbac::{RbacPolicy, SessionAuth};
//! use iomt_auth::update::*;
//! use iomt_core::{Operation, Role, RoleSet, Timestamp};
//! use iomt_crypto::prelude::*;
//! # let mut crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
//! # let vendor_key = iomt_crypto::StaticKey::from_bytes(&[3; 32]).unwrap();
//! let now = Timestamp::from_secs(1_800_000_000);
//! let image = [0xa5u8; 1000];
//! let manifest = Manifest { vendor_id: 32473, device_class: 7, version: 2, min_version: 1,
//!     image_size: 1000, digest: crypto.sha256(&image) };
//! let mut env = [0u8; MAX_ENVELOPE_LEN];
//! let n = manifest.sign(&mut crypto, &vendor_key, &mut env)?;
//!
//! // device side
//! let anchor = VendorAnchor { vendor_id: 32473, device_class: 7,
//!     key: crypto.p256_public_key(&vendor_key).unwrap() };
//! let mut log = AuditLog::open(&mut crypto, RamAuditStore::<16>::new(), [0; 8]).unwrap();
//! let mut counter = RamRollbackCounter::new(1);
//! // a technician session whose operator factor verified in the handshake
//! // (in a product: `SessionAuth::from_completed` after the handshake)
//! # let mut tech = SessionAuth::new(&mut crypto, b"tech-1", RoleSet::only(Role::Technician));
//! # let v = PinVerifier::derive(&mut crypto, b"dev", b"1234").unwrap();
//! # let tag = FactorTag::compute(&mut crypto, &v, &[0; 32]);
//! # let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
//! # let r = fv.verify(&mut crypto, &mut log, &v, &[0; 32], Some(&tag), tech.subject(), now);
//! tech.set_factor(FactorOutcome::from_result(r));
//! let permit = RbacPolicy::DEFAULT
//!     .authorize(&mut crypto, &mut log, &mut tech, Operation::FirmwareUpdate, now)
//!     .unwrap();
//! // the operation consumes the permit, redeemed (once) by the session that obtained it
//! let permit = tech.redeem(&mut crypto, permit).unwrap();
//! let mut up = UpdateVerifier::begin(&mut crypto, &mut log, permit, &anchor, &env[..n], &mut counter, now)?;
//! for chunk in image.chunks(256) {
//!     up.update(chunk)?;
//! }
//! let accepted = up.finish(&mut crypto, &mut log, &mut counter, now)?;
//! assert_eq!((accepted.manifest().version, counter.value()), (2, 2));
//! # Ok::<(), UpdateError>(())
//! ```

use core::fmt;

use iomt_core::{Operation, Timestamp};
use iomt_crypto::{CryptoError, CryptoProvider, PublicKey, Sha256State};

use crate::audit::{AuditEvent, AuditLog, AuditStore, Detail, Outcome, Subject};
use crate::rbac::RedeemedPermit;

mod manifest;

pub use manifest::{
    KEY_ID_LEN, MAX_ENVELOPE_LEN, MAX_MANIFEST_LEN, Manifest, key_id, sig_structure_digest,
    sign_payload,
};
// The one COSE_Sign1 envelope parser, shared with signed revocation lists.
pub(crate) use manifest::parse_envelope;

/// Why an update was rejected. Each check has its own variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UpdateError {
    /// The envelope or manifest is not the expected CBOR structure.
    Malformed,
    /// A non-deterministic encoding (long-form head, keys out of order).
    NonDeterministic,
    /// Bytes after the envelope or after the manifest map.
    TrailingBytes,
    /// The protected header is not exactly `{1: -7 (ES256), 4: kid}`.
    UnsupportedAlgorithm,
    /// The envelope names a signer (kid) that is not the vendor's key.
    UnknownSigner,
    /// The ES256 signature does not verify.
    BadSignature,
    /// The manifest is for another vendor.
    WrongVendor,
    /// The manifest is for another device class.
    WrongDeviceClass,
    /// The offered version is older than the installed one.
    Downgrade,
    /// The offered version equals the installed one.
    SameVersion,
    /// The installed version is below the manifest's minimum.
    BaseTooOld,
    /// More image bytes than the manifest's size.
    ImageTooLong,
    /// Fewer image bytes than the manifest's size.
    ImageTruncated,
    /// The image digest does not match the manifest.
    DigestMismatch,
    /// The permit is not for [`Operation::FirmwareUpdate`].
    WrongPermit,
    /// The rollback counter could not be read or advanced.
    Counter,
    /// The audit record could not be written (fail closed).
    AuditUnavailable,
    /// The update was abandoned before `finish` ([`UpdateVerifier::abandon`]).
    Abandoned,
    /// An output buffer is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// The crypto provider failed (signing side).
    Crypto(CryptoError),
}

impl UpdateError {
    /// A stable numeric code (also the audit detail of a rejection).
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Malformed => 1,
            Self::NonDeterministic => 2,
            Self::TrailingBytes => 3,
            Self::UnsupportedAlgorithm => 4,
            Self::UnknownSigner => 5,
            Self::BadSignature => 6,
            Self::WrongVendor => 7,
            Self::WrongDeviceClass => 8,
            Self::Downgrade => 9,
            Self::SameVersion => 10,
            Self::BaseTooOld => 11,
            Self::ImageTooLong => 12,
            Self::ImageTruncated => 13,
            Self::DigestMismatch => 14,
            Self::WrongPermit => 15,
            Self::Counter => 16,
            Self::AuditUnavailable => 17,
            Self::BufferTooSmall { .. } => 18,
            Self::Crypto(_) => 19,
            Self::Abandoned => 20,
        }
    }
}

impl fmt::Display for UpdateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed manifest"),
            Self::NonDeterministic => f.write_str("non-deterministic manifest encoding"),
            Self::TrailingBytes => f.write_str("trailing bytes after manifest"),
            Self::UnsupportedAlgorithm => f.write_str("unsupported manifest protected header"),
            Self::UnknownSigner => f.write_str("manifest signed by an unknown key"),
            Self::BadSignature => f.write_str("manifest signature invalid"),
            Self::WrongVendor => f.write_str("manifest for another vendor"),
            Self::WrongDeviceClass => f.write_str("manifest for another device class"),
            Self::Downgrade => f.write_str("downgrade refused"),
            Self::SameVersion => f.write_str("version already installed"),
            Self::BaseTooOld => f.write_str("installed version below the manifest minimum"),
            Self::ImageTooLong => f.write_str("image longer than the manifest says"),
            Self::ImageTruncated => f.write_str("image shorter than the manifest says"),
            Self::DigestMismatch => f.write_str("image digest mismatch"),
            Self::WrongPermit => f.write_str("permit is not for firmware update"),
            Self::Counter => f.write_str("rollback counter failed"),
            Self::Abandoned => f.write_str("update abandoned before finish"),
            Self::AuditUnavailable => f.write_str("audit log unavailable"),
            Self::BufferTooSmall { needed } => write!(f, "buffer too small ({needed} needed)"),
            Self::Crypto(e) => write!(f, "crypto: {e}"),
        }
    }
}

impl core::error::Error for UpdateError {}

/// What this device trusts for updates: the vendor's key, vendor id and its device class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorAnchor {
    /// Expected vendor id.
    pub vendor_id: u32,
    /// This device's class.
    pub device_class: u32,
    /// The vendor's ES256 public key (trust anchor).
    pub key: PublicKey,
}

/// A failure of a [`RollbackCounter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CounterError;

/// A monotonic counter holding the installed (minimum acceptable) firmware version, e.g.
/// OTP fuses, a secure element counter or a replay-protected flash word.
pub trait RollbackCounter {
    /// The current value.
    ///
    /// # Errors
    /// [`CounterError`].
    fn current(&mut self) -> Result<u32, CounterError>;
    /// Advances to `to` (never decreases: implementations must refuse `to < current`).
    ///
    /// # Errors
    /// [`CounterError`], including for an attempted decrease.
    fn advance(&mut self, to: u32) -> Result<(), CounterError>;
}

/// An in-RAM [`RollbackCounter`] (tests; hosts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RamRollbackCounter {
    value: u32,
}

impl RamRollbackCounter {
    /// A counter at `value`.
    #[must_use]
    pub const fn new(value: u32) -> Self {
        Self { value }
    }

    /// The value.
    #[must_use]
    pub const fn value(&self) -> u32 {
        self.value
    }
}

impl RollbackCounter for RamRollbackCounter {
    fn current(&mut self) -> Result<u32, CounterError> {
        Ok(self.value)
    }
    fn advance(&mut self, to: u32) -> Result<(), CounterError> {
        if to < self.value {
            return Err(CounterError);
        }
        self.value = to;
        Ok(())
    }
}

/// A manifest whose signature, vendor, class and version checks passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedManifest {
    manifest: Manifest,
}

impl VerifiedManifest {
    /// Verifies a COSE_Sign1 envelope against `anchor` (signer, signature, vendor, class).
    /// Does not check the version (see [`check_version`]).
    ///
    /// # Errors
    /// [`UpdateError::Malformed`], [`UpdateError::TrailingBytes`],
    /// [`UpdateError::NonDeterministic`], [`UpdateError::UnsupportedAlgorithm`],
    /// [`UpdateError::UnknownSigner`], [`UpdateError::BadSignature`],
    /// [`UpdateError::WrongVendor`], [`UpdateError::WrongDeviceClass`].
    pub fn verify<C: CryptoProvider>(
        crypto: &mut C,
        envelope: &[u8],
        anchor: &VendorAnchor,
    ) -> Result<Self, UpdateError> {
        let m = manifest::open_envelope(crypto, envelope, &anchor.key)?;
        if m.vendor_id != anchor.vendor_id {
            return Err(UpdateError::WrongVendor);
        }
        if m.device_class != anchor.device_class {
            return Err(UpdateError::WrongDeviceClass);
        }
        Ok(Self { manifest: m })
    }

    /// The manifest.
    #[must_use]
    pub const fn manifest(&self) -> &Manifest {
        &self.manifest
    }
}

/// Anti-rollback rule: `installed < version` and `installed >= min_version`.
///
/// ```
/// use iomt_auth::update::{check_version, UpdateError};
/// assert_eq!(check_version(5, 6, 0), Ok(()));
/// assert_eq!(check_version(5, 5, 0), Err(UpdateError::SameVersion));
/// assert_eq!(check_version(5, 4, 0), Err(UpdateError::Downgrade));
/// assert_eq!(check_version(5, 9, 6), Err(UpdateError::BaseTooOld));
/// ```
///
/// # Errors
/// [`UpdateError::Downgrade`], [`UpdateError::SameVersion`], [`UpdateError::BaseTooOld`].
pub const fn check_version(
    installed: u32,
    version: u32,
    min_version: u32,
) -> Result<(), UpdateError> {
    if version < installed {
        Err(UpdateError::Downgrade)
    } else if version == installed {
        Err(UpdateError::SameVersion)
    } else if installed < min_version {
        Err(UpdateError::BaseTooOld)
    } else {
        Ok(())
    }
}

/// A fully verified, audited, counter-advanced update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedUpdate {
    manifest: Manifest,
    previous_version: u32,
    audit_seq: u32,
}

impl AcceptedUpdate {
    /// The accepted manifest.
    #[must_use]
    pub const fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The version installed before.
    #[must_use]
    pub const fn previous_version(&self) -> u32 {
        self.previous_version
    }

    /// Sequence number of the [`AuditEvent::UpdateAccepted`] record.
    #[must_use]
    pub const fn audit_seq(&self) -> u32 {
        self.audit_seq
    }
}

fn audit_reject<C: CryptoProvider, S: AuditStore>(
    crypto: &mut C,
    log: &mut AuditLog<S>,
    subject: Subject,
    now: Timestamp,
    err: UpdateError,
    version: u32,
) -> UpdateError {
    let v = version.to_be_bytes();
    let _ = log.append(
        crypto,
        now,
        AuditEvent::UpdateRejected,
        Outcome::Denied,
        subject,
        Detail::from_slice(&[err.code(), v[0], v[1], v[2], v[3]]),
    );
    err
}

/// Streaming verification of one update (see the module docs for the flow).
#[must_use = "an update must be finished (accepted or rejected, and audited)"]
#[derive(Debug)]
pub struct UpdateVerifier<H: Sha256State> {
    manifest: Manifest,
    previous_version: u32,
    subject: Subject,
    hasher: H,
    received: u32,
    failed: Option<UpdateError>,
}

impl<H: Sha256State> UpdateVerifier<H> {
    /// Starts an update: checks the permit, verifies the manifest envelope against `anchor`
    /// and the version against `counter`. Rejections are audited.
    ///
    /// # Errors
    /// [`UpdateError::WrongPermit`], the errors of [`VerifiedManifest::verify`] and
    /// [`check_version`], [`UpdateError::Counter`].
    pub fn begin<C, S, R>(
        crypto: &mut C,
        log: &mut AuditLog<S>,
        permit: RedeemedPermit,
        anchor: &VendorAnchor,
        envelope: &[u8],
        counter: &mut R,
        now: Timestamp,
    ) -> Result<Self, UpdateError>
    where
        C: CryptoProvider<Sha256 = H>,
        S: AuditStore,
        R: RollbackCounter,
    {
        let subject = permit.subject();
        if permit.operation() != Operation::FirmwareUpdate {
            return Err(audit_reject(
                crypto,
                log,
                subject,
                now,
                UpdateError::WrongPermit,
                0,
            ));
        }
        let verified = match VerifiedManifest::verify(crypto, envelope, anchor) {
            Ok(v) => v,
            Err(e) => return Err(audit_reject(crypto, log, subject, now, e, 0)),
        };
        let m = verified.manifest;
        let installed = match counter.current() {
            Ok(v) => v,
            Err(_) => {
                return Err(audit_reject(
                    crypto,
                    log,
                    subject,
                    now,
                    UpdateError::Counter,
                    m.version,
                ));
            }
        };
        if let Err(e) = check_version(installed, m.version, m.min_version) {
            return Err(audit_reject(crypto, log, subject, now, e, m.version));
        }
        // Two-phase: the intent is on record before any image byte is taken, so an update
        // that never reaches an outcome (abandoned, power lost, object dropped) is visible
        // as an UpdateStarted without UpdateAccepted/UpdateRejected. Fail closed.
        let (v, p) = (m.version.to_be_bytes(), installed.to_be_bytes());
        log.append(
            crypto,
            now,
            AuditEvent::UpdateStarted,
            Outcome::Success,
            subject,
            Detail::from_slice(&[v[0], v[1], v[2], v[3], p[0], p[1], p[2], p[3]]),
        )
        .map_err(|_| UpdateError::AuditUnavailable)?;
        Ok(Self {
            manifest: m,
            previous_version: installed,
            subject,
            hasher: crypto.sha256_start(),
            received: 0,
            failed: None,
        })
    }

    /// The verified manifest (size, digest, version) of this update.
    #[must_use]
    pub const fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Image bytes received so far.
    #[must_use]
    pub const fn received(&self) -> u32 {
        self.received
    }

    /// Absorbs the next image chunk.
    ///
    /// # Errors
    /// [`UpdateError::ImageTooLong`] as soon as the total exceeds the manifest's size (the
    /// verifier is then poisoned); any earlier error again.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), UpdateError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let total = u32::try_from(chunk.len())
            .ok()
            .and_then(|n| self.received.checked_add(n))
            .filter(|t| *t <= self.manifest.image_size);
        let Some(total) = total else {
            self.failed = Some(UpdateError::ImageTooLong);
            return Err(UpdateError::ImageTooLong);
        };
        self.hasher.update(chunk);
        self.received = total;
        Ok(())
    }

    /// Abandons the update before `finish`, recording it as rejected with the error that
    /// poisoned it (e.g. [`UpdateError::ImageTooLong`]) or [`UpdateError::Abandoned`].
    /// Returns that error. (Dropping the verifier instead leaves only its
    /// [`AuditEvent::UpdateStarted`] record: an update without an outcome.)
    pub fn abandon<C: CryptoProvider, S: AuditStore>(
        self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        now: Timestamp,
    ) -> UpdateError {
        let e = self.failed.unwrap_or(UpdateError::Abandoned);
        audit_reject(crypto, log, self.subject, now, e, self.manifest.version)
    }

    /// Ends the update: size and digest must match; then the acceptance is audited and the
    /// rollback counter advanced (in that order). Any failure is audited as a rejection.
    ///
    /// # Errors
    /// The first error of [`Self::update`], [`UpdateError::ImageTruncated`],
    /// [`UpdateError::DigestMismatch`], a version check error if the counter moved since
    /// `begin`, [`UpdateError::AuditUnavailable`], [`UpdateError::Counter`].
    pub fn finish<C, S, R>(
        self,
        crypto: &mut C,
        log: &mut AuditLog<S>,
        counter: &mut R,
        now: Timestamp,
    ) -> Result<AcceptedUpdate, UpdateError>
    where
        C: CryptoProvider,
        S: AuditStore,
        R: RollbackCounter,
    {
        let m = self.manifest;
        let reject = |crypto: &mut C, log: &mut AuditLog<S>, e| {
            Err(audit_reject(crypto, log, self.subject, now, e, m.version))
        };
        if let Some(e) = self.failed {
            return reject(crypto, log, e);
        }
        if self.received != m.image_size {
            return reject(crypto, log, UpdateError::ImageTruncated);
        }
        let digest = self.hasher.finalize();
        if !iomt_crypto::constant_time_eq(&digest, &m.digest) {
            return reject(crypto, log, UpdateError::DigestMismatch);
        }
        // The counter may have moved (another update finished meanwhile): check again.
        let installed = match counter.current() {
            Ok(v) => v,
            Err(_) => return reject(crypto, log, UpdateError::Counter),
        };
        if let Err(e) = check_version(installed, m.version, m.min_version) {
            return reject(crypto, log, e);
        }
        let v = m.version.to_be_bytes();
        let p = self.previous_version.to_be_bytes();
        let Ok(audit_seq) = log.append(
            crypto,
            now,
            AuditEvent::UpdateAccepted,
            Outcome::Success,
            self.subject,
            Detail::from_slice(&[v[0], v[1], v[2], v[3], p[0], p[1], p[2], p[3]]),
        ) else {
            return Err(UpdateError::AuditUnavailable);
        };
        if counter.advance(m.version).is_err() {
            return reject(crypto, log, UpdateError::Counter);
        }
        Ok(AcceptedUpdate {
            manifest: m,
            previous_version: self.previous_version,
            audit_seq,
        })
    }
}
