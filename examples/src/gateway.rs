//! The gateway side: one EDHOC responder + secure channel per device connection, consent
//! evaluation per configured use, FHIR export.
//!
//! Per connection ([`serve`]): `iomt_proto::transport::handshake::run_responder` over a
//! length-prefixed [`Stream`](iomt_proto::transport::Stream), then `Channel::from_edhoc`, then every frame goes through
//! `Channel::open`. A data frame is decoded as an `iomt_proto::Message`; for each
//! configured [`Use`] the gateway calls `iomt_core::evaluate` on the consent tag the
//! channel bound to the frame and writes Observations only for `Permit` and
//! `BreakGlass` decisions (default deny: a frame without a consent slot is denied for
//! every use). Rejections are counted by class: replays (`Rejected(Replayed | TooOld)`)
//! and tampering (`AuthenticationFailed`, or any other frame-level rejection).
//!
//! Files: this one holds the gateway's state and configuration; `gateway/serve.rs` the
//! per-connection handshake and session loop; `gateway/release.rs` the per-frame consent
//! decisions and FHIR release.

use core::sync::atomic::AtomicU64;
use core::time::Duration;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use iomt_auth::audit::{AuditEvent, AuditLog, Event, subject_of};
use iomt_auth::consent::{
    ConsentAuthority, ConsentError, ConsentVerifier, Expected, VerifiedConsent,
};
use iomt_auth::cred::PeerIdentity;
use iomt_core::{Action, ConsentTag, Purpose, Role, Timestamp};
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{CryptoProvider, RustCryptoProvider};

use crate::backend::{Backend, GatewayBackend};
use crate::checkpoints::{BookError, CheckpointBook};
use crate::consent_session::NewerRevisions;
use crate::creds::{DemoCredential, Registry};
use crate::fhir::{Destination, Exporter, SessionClock, Sinks};

mod release;
mod serve;

pub use serve::serve;
pub(crate) use serve::{responder_state, session};

/// The crypto provider of the host demo.
pub type Crypto = RustCryptoProvider<OsRng>;

/// A data consumer behind the gateway: who wants the data, for what, to do what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Use {
    /// Short name for the summary.
    pub name: &'static str,
    /// The recipient's role.
    pub role: Role,
    /// The purpose of use.
    pub purpose: Purpose,
    /// The action.
    pub action: Action,
}

/// The demo's consumers: the ward (treatment), a research export, and the emergency
/// department (emergency treatment: break-glass where the consent allows it).
pub const USES: [Use; 3] = [
    Use {
        name: "ward",
        role: Role::Clinician,
        purpose: Purpose::Treatment,
        action: Action::Access,
    },
    Use {
        name: "research",
        role: Role::Researcher,
        purpose: Purpose::Research,
        action: Action::Use,
    },
    Use {
        name: "emergency",
        role: Role::Emergency,
        purpose: Purpose::EmergencyTreatment,
        action: Action::Access,
    },
];

/// Live counters shared by all connections (for the progress line).
#[derive(Debug, Default)]
pub struct Counters {
    /// Frames accepted (authenticated and decrypted).
    pub frames: AtomicU64,
    /// Bytes of accepted frames.
    pub bytes: AtomicU64,
    /// Observations written.
    pub observations: AtomicU64,
    /// (frame, use) pairs denied by consent.
    pub denials: AtomicU64,
    /// Break-glass grants.
    pub break_glass: AtomicU64,
    /// Replayed frames rejected.
    pub replays_rejected: AtomicU64,
    /// Modified/forged frames rejected.
    pub tamper_rejected: AtomicU64,
    /// Completed handshakes.
    pub handshakes: AtomicU64,
    /// Consent tags refused at install.
    pub consent_refused: AtomicU64,
    /// Sessions established and not yet ended.
    pub sessions_open: AtomicU64,
    /// The most sessions open at once.
    pub sessions_peak: AtomicU64,
}

/// Records the gateway's audit log holds (a RAM ring; older records are overwritten and
/// counted, as on a device).
pub const AUDIT_CAPACITY: usize = 2048;

pub use crate::audit_store::VecAuditStore;

/// The gateway's audit log (iomt-auth's hash-chained log over a RAM ring).
pub type GatewayAudit = AuditLog<VecAuditStore>;

/// How long a break-glass grant stays usable (seconds).
pub const BREAK_GLASS_TTL_SECS: u64 = 900;

/// What the audit log holds at the end of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditReport {
    /// Records ever appended.
    pub appended: u32,
    /// Records overwritten by the ring.
    pub overwritten: u32,
    /// `verify_stored` recomputed the whole held chain successfully.
    pub chain_verified: bool,
    /// Held records per event: handshakes (ok, failed), consent denied, break-glass,
    /// replay-or-forgery.
    pub handshakes: u32,
    /// Held `HandshakeFailed` records.
    pub handshakes_failed: u32,
    /// Held `ConsentDenied` records.
    pub consent_denied: u32,
    /// Held `BreakGlass` records.
    pub break_glass: u32,
    /// Held `ReplayOrForgery` records.
    pub replay_or_forgery: u32,
}

/// Consent references the gateway's verifier holds: one per device in the demo (every
/// device has its own consent), so [`crate::creds::MAX_DEVICES`] plus the two `--tamper`
/// devices, rounded up. A full table refuses new consents with
/// `ConsentError::CapacityExceeded` (registry code 542, ConsentTableFull), never evicts.
pub const CONSENT_CAPACITY: usize = 1024;

const _: () = assert!(
    crate::creds::MAX_DEVICES as usize + 2 <= CONSENT_CAPACITY,
    "every demo device's consent fits the verifier"
);

/// The gateway's consent verifier: 2 authorities, [`CONSENT_CAPACITY`] consents.
pub type GatewayConsent = ConsentVerifier<2, CONSENT_CAPACITY>;

/// The gateway: its credential, the device registry, the FHIR sink and the counters.
pub struct Gateway {
    /// The gateway's own credential.
    pub cred: DemoCredential,
    /// Devices it trusts, and their patients.
    pub registry: Registry,
    /// Cipher suites it accepts (2, 5).
    pub suites: Vec<u8>,
    /// Where FHIR resources go: one sink per destination, research pseudonyms, Consents.
    pub export: Exporter,
    /// Live counters.
    pub counters: Counters,
    /// Accounting: handshakes, consent denials, break-glass grants, rejected frames.
    pub audit: Mutex<GatewayAudit>,
    /// The last verified audit checkpoint of every device (in memory unless
    /// [`Self::with_checkpoint_file`]).
    pub checkpoints: Mutex<CheckpointBook>,
    /// Consent authorities, newest revisions and withdrawals (`iomt_auth::consent`).
    pub consent: Mutex<GatewayConsent>,
    /// Explicit local policy (default off): a legacy version-1 tag (unbound, unsigned) is
    /// still refused and audited as such, but then governs the session's data as before
    /// issue 24. No binary of this crate sets it (the QEMU firmware carries an
    /// authority-issued tag); it stays for a site migrating legacy devices, as an explicit,
    /// audited choice.
    pub accept_legacy_unbound: bool,
    /// Newer revisions the authority delivered directly ([`Self::learn_revision`]).
    pub newer: Mutex<NewerRevisions>,
    /// The crypto backend of the EDHOC responder and the sessions over TCP
    /// ([`Self::with_backend`]; RustCrypto by default).
    pub backend: GatewayBackend,
}

impl core::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Gateway")
            .field("suites", &self.suites)
            .finish_non_exhaustive()
    }
}

/// What one connection did.
#[derive(Debug, Clone, Default)]
pub struct ConnReport {
    /// The device identity (from EDHOC), if the handshake completed.
    pub device: Option<String>,
    /// Its patient.
    pub patient: Option<String>,
    /// The EDHOC method and suite.
    pub method_suite: Option<(u8, u8)>,
    /// Handshake time as the gateway saw it (first byte read to keys derived).
    pub handshake: Duration,
    /// Frames accepted (consent, data, close).
    pub frames: u64,
    /// Data frames accepted.
    pub data_frames: u64,
    /// Bytes of accepted frames (without the 2-byte length prefix).
    pub bytes: u64,
    /// Observations written.
    pub observations: u64,
    /// (frame, use) pairs denied by consent.
    pub denials: u64,
    /// Denials whose reason was an expired consent.
    pub expired_denials: u64,
    /// Break-glass grants (each one would go to the audit log).
    pub break_glass: u64,
    /// Replays rejected.
    pub replays_rejected: u64,
    /// Modified/forged frames rejected.
    pub tamper_rejected: u64,
    /// The consent tag the device installed (if the gateway verified it).
    pub consent: Option<ConsentTag>,
    /// (frame, use) pairs refused because no verified consent governs the frame (tag
    /// refused at install, withdrawn, or no slot).
    pub unconsented: u64,
    /// Consent tags the gateway refused (unsigned, unknown authority, another device or
    /// patient, ...), with the registry code of the last refusal.
    pub consent_refused: u64,
    /// The registry code of the last consent refusal (0 = none).
    pub consent_refusal_code: u16,
    /// The gateway closed the session with `CloseReason::ConsentRequired` (consent
    /// withdrawn, or superseded without a usable newer revision).
    pub consent_required_sent: bool,
    /// Newer revisions the gateway sent the device (consent frames in its own slots).
    pub consent_updates_sent: u64,
    /// Frames that arrived after the gateway closed the session (in flight; dropped).
    pub after_close: u64,
    /// Data frames released per use ([`USES`] order): `[0]` before the session's
    /// consent was changed by the authority, `[1]` after.
    pub released: [[u64; 3]; 2],
    /// Data frames refused because their consent was withdrawn (or superseded) while the
    /// session ran.
    pub withdrawn_frames: u64,
    /// Data frames released (to at least one use) after the withdrawal took effect for
    /// this session: must stay 0.
    pub released_after_withdrawal: u64,
    /// How this session's device time maps to `effectiveDateTime`.
    pub clock: SessionClock,
    /// Why the connection ended abnormally.
    pub error: Option<String>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn now_secs() -> Timestamp {
    Timestamp::from_secs(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
}

impl Gateway {
    /// A gateway with an empty audit log, exporting FHIR into `sinks` (one per
    /// [`Destination`], or one writer for all) with the demo's research pseudonym key.
    ///
    /// # Errors
    /// If the audit log cannot be opened.
    pub fn new(
        cred: DemoCredential,
        registry: Registry,
        suites: Vec<u8>,
        sinks: impl Into<Sinks>,
    ) -> Result<Self, String> {
        let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
        let export = Exporter::new(sinks.into(), Exporter::demo_key(&mut crypto));
        let device = subject_of(&mut crypto, cred.identity.as_bytes());
        let audit = AuditLog::open(&mut crypto, VecAuditStore::new(AUDIT_CAPACITY), device)
            .map_err(|e| format!("audit log: {e}"))?;
        Ok(Self {
            cred,
            registry,
            suites,
            export,
            counters: Counters::default(),
            audit: Mutex::new(audit),
            checkpoints: Mutex::new(CheckpointBook::in_memory()),
            consent: Mutex::new(ConsentVerifier::new()),
            accept_legacy_unbound: false,
            newer: Mutex::new(NewerRevisions::new()),
            backend: GatewayBackend::RustCrypto,
        })
    }

    /// Runs the TCP sessions (handshake, channel, consent checks) on `backend`.
    ///
    /// # Errors
    /// If the gateway's key cannot be imported into the backend.
    pub fn with_backend(self, backend: Backend) -> Result<Self, String> {
        let backend = GatewayBackend::new(backend, &self.cred.scalar)?;
        Ok(Self { backend, ..self })
    }

    /// Keeps the devices' audit checkpoints in `path` (loaded now, rewritten after every
    /// verified export), so a restarted gateway still refuses a device log that was
    /// truncated or rewritten since its last verified export.
    ///
    /// # Errors
    /// If the file exists but cannot be read or is malformed ([`BookError`]).
    pub fn with_checkpoint_file(
        self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<Self, BookError> {
        let book = CheckpointBook::open(path)?;
        Ok(Self {
            checkpoints: Mutex::new(book),
            ..self
        })
    }

    /// Verifies a device's audit export (summary, then record chunks, answering
    /// `challenge`) against the device's stored checkpoint, and stores the new one.
    ///
    /// # Errors
    /// [`BookError::Audit`] for any refused export (regression, fork, gap, hidden records,
    /// signature, chain...), [`BookError::Io`] if the new checkpoint could not be saved.
    pub fn verify_device_audit(
        &self,
        device: iomt_auth::audit::Subject,
        device_key: &iomt_crypto::PublicKey,
        challenge: &[u8; iomt_auth::audit::CHALLENGE_LEN],
        summary: &[u8],
        chunks: &[&[u8]],
    ) -> Result<iomt_auth::audit::VerifiedExport, BookError> {
        let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
        let mut book = self
            .checkpoints
            .lock()
            .map_err(|_| BookError::Io(std::io::Error::other("checkpoint lock poisoned")))?;
        book.verify_export(&mut crypto, device, device_key, challenge, summary, chunks)
    }

    /// Trusts the consent authority with public key `key`.
    ///
    /// # Errors
    /// If the verifier is full or its lock poisoned.
    pub fn trust_authority(&self, key: iomt_crypto::PublicKey) -> Result<(), String> {
        let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
        let a = ConsentAuthority::new(&mut crypto, key).map_err(|e| e.to_string())?;
        self.consent
            .lock()
            .map_err(|_| "consent verifier poisoned".to_owned())?
            .add_authority(a)
            .map_err(|e| e.to_string())
    }

    /// Applies a signed withdrawal received from the authority (not from a device): every
    /// running session's next frame under the withdrawn consent is refused.
    ///
    /// # Errors
    /// The verifier's refusal, or a poisoned lock.
    pub fn withdraw(&self, withdrawal: &[u8]) -> Result<(), String> {
        let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
        let mut v = self
            .consent
            .lock()
            .map_err(|_| "consent verifier poisoned".to_owned())?;
        let mut log = self
            .audit
            .lock()
            .map_err(|_| "audit log poisoned".to_owned())?;
        v.withdraw(&mut crypto, &mut log, withdrawal, now_secs())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Verifies the tag a device installed (audited on refusal).
    pub(crate) fn verify_consent<C: CryptoProvider>(
        &self,
        crypto: &mut C,
        peer: &PeerIdentity,
        patient: &str,
        encoded: &[u8],
    ) -> Result<VerifiedConsent, ConsentError> {
        let patient = crate::authority::patient_id(crypto, patient)
            .map_err(|_| ConsentError::OtherPatient)?;
        let expected = Expected::peer(crypto, peer, &patient);
        let mut v = self
            .consent
            .lock()
            .map_err(|_| ConsentError::AuditUnavailable)?;
        let mut log = self
            .audit
            .lock()
            .map_err(|_| ConsentError::AuditUnavailable)?;
        v.verify_audited(crypto, &mut log, encoded, expected, now_secs())
    }

    /// Per data frame: the verified tag still governs it (not withdrawn, superseded or
    /// expired).
    pub(crate) fn check_consent(
        &self,
        verified: &VerifiedConsent,
        bound: &[u8],
    ) -> Result<(), ConsentError> {
        self.consent
            .lock()
            .map_err(|_| ConsentError::AuditUnavailable)?
            .check_frame(verified, bound, now_secs())
    }

    /// Records `event` (built with `iomt_auth::audit::Event`, the one encoding the C
    /// API uses too).
    pub(crate) fn audit<C: CryptoProvider>(&self, crypto: &mut C, event: Event) {
        if let Ok(mut log) = self.audit.lock() {
            // A full RAM ring overwrites (and counts); an append error is not expected.
            let _ = log.record(crypto, now_secs(), event);
        }
    }

    /// Verifies the audit chain and counts the held records per event.
    ///
    /// # Errors
    /// If the log's lock is poisoned.
    pub fn audit_report(&self) -> Result<AuditReport, String> {
        let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
        let mut log = self
            .audit
            .lock()
            .map_err(|_| "audit log poisoned".to_owned())?;
        let meta = *log.meta();
        let mut r = AuditReport {
            appended: meta.next_seq,
            overwritten: meta.overwritten,
            chain_verified: log.verify_stored(&mut crypto).is_ok(),
            ..AuditReport::default()
        };
        for seq in log.first_seq()..meta.next_seq {
            let Ok(rec) = log.read(seq) else { continue };
            match rec.event {
                AuditEvent::HandshakeSucceeded => r.handshakes += 1,
                AuditEvent::HandshakeFailed => r.handshakes_failed += 1,
                AuditEvent::ConsentDenied => r.consent_denied += 1,
                AuditEvent::BreakGlass => r.break_glass += 1,
                AuditEvent::ReplayOrForgery => r.replay_or_forgery += 1,
                _ => {}
            }
        }
        Ok(r)
    }

    fn write(&self, lines: &[(Destination, serde_json::Value)]) -> Result<(), String> {
        for (dest, resource) in lines {
            self.export.write(*dest, core::slice::from_ref(resource))?;
        }
        Ok(())
    }

    /// Flushes every sink.
    ///
    /// # Errors
    /// A sink's I/O error.
    pub fn flush(&self) -> Result<(), String> {
        self.export.flush()
    }
}

#[cfg(test)]
#[path = "gateway_consent_tests.rs"]
mod consent_tests;
