//! The consent state of one gateway session, and how the gateway tells the device when
//! the authority changes it (issue 24: "the device is told").
//!
//! A session's data is governed only by a tag the gateway verified
//! ([`iomt_auth::consent::ConsentVerifier::verify`]). Per data frame
//! ([`SessionConsent::govern`]) the verified tag is re-checked, and when the authority
//! has changed the consent since, the session reacts (docs/PROTOCOL.md §8):
//!
//! - **withdrawn** (a signed withdrawal reached the gateway, [`Gateway::withdraw`]): the
//!   frame is released to nobody and the gateway closes the session with
//!   `CloseReason::ConsentRequired` ([`Notify::Close`]);
//! - **superseded** by a newer revision the authority delivered directly
//!   ([`Gateway::learn_revision`]): the gateway verifies the newer tag against this
//!   session's device and patient exactly as if the device had presented it, governs the
//!   frame (and every later one still bound to the older tag) by the newer tag, and sends
//!   the newer tag to the device in a consent frame in one of its own (odd) slots
//!   ([`Notify::Update`]); the device re-installs it in a fresh slot of its own and binds
//!   its data to it. A narrower revision therefore takes effect from the first frame the
//!   gateway handles after learning it. If the newer tag is not available or fails
//!   verification, the session is closed as for a withdrawal.
//!
//! The example's serve loop blocks on the device's next frame, so a session learns of a
//! change when it handles that frame (the demo's devices send every 100 ms); a gateway
//! with long-idle sessions would wake them to send the close at once.

use std::collections::HashMap;

use iomt_auth::consent::{ConsentError, VerifiedConsent};
use iomt_auth::cred::PeerIdentity;
use iomt_core::{ConsentRef, ConsentTag};

use iomt_crypto::CryptoProvider;

use crate::gateway::{ConnReport, Crypto, Gateway};

/// What the gateway must send the device after a data frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notify {
    /// Nothing.
    Nothing,
    /// A consent frame carrying this newer, verified tag (the authority's revision).
    Update(Vec<u8>),
    /// Close the session with `CloseReason::ConsentRequired`.
    Close,
}

/// Newest revisions the authority delivered directly, by consent reference (encoded,
/// signature-checked tags).
pub type NewerRevisions = HashMap<ConsentRef, Vec<u8>>;

/// One session's consent state.
#[derive(Debug, Default)]
pub struct SessionConsent {
    /// The tag that governs the session's data (the newest verified).
    verified: Option<VerifiedConsent>,
    /// An older tag the device may still bind frames to after the gateway sent it the
    /// newer one: such frames are governed by `verified` (the authority's current word).
    superseded: Option<Vec<u8>>,
    /// A legacy version-1 tag under the explicit local policy `accept_legacy_unbound`.
    legacy: Option<(ConsentTag, Vec<u8>)>,
}

impl SessionConsent {
    /// A consent frame from the device: verifies `encoded` (audited on refusal).
    pub fn install<C: CryptoProvider>(
        &mut self,
        gw: &Gateway,
        crypto: &mut C,
        peer: &PeerIdentity,
        patient: &str,
        encoded: &[u8],
        report: &mut ConnReport,
    ) {
        match gw.verify_consent(crypto, peer, patient, encoded) {
            Ok(v) => {
                report.consent = Some(v.tag().clone());
                self.verified = Some(v);
                self.legacy = None;
            }
            Err(e) => {
                report.consent_refused += 1;
                report.consent_refusal_code = e.code();
                gw.counters
                    .consent_refused
                    .fetch_add(1, core::sync::atomic::Ordering::Relaxed);
                self.verified = None;
                self.superseded = None;
                self.legacy = None;
                if gw.accept_legacy_unbound
                    && e == ConsentError::Unbound
                    && let Ok(t) = ConsentTag::decode(encoded)
                {
                    report.consent = Some(t.clone());
                    self.legacy = Some((t, encoded.to_vec()));
                }
            }
        }
    }

    /// The tag that governs a data frame bound to `bound` (`None`: released to nobody),
    /// and what to tell the device.
    pub fn govern<C: CryptoProvider>(
        &mut self,
        gw: &Gateway,
        crypto: &mut C,
        peer: &PeerIdentity,
        patient: &str,
        bound: Option<&[u8]>,
        report: &mut ConnReport,
    ) -> (Option<ConsentTag>, Notify) {
        let Some(b) = bound else {
            return (None, Notify::Nothing);
        };
        let Some(v) = &self.verified else {
            let legacy = self
                .legacy
                .as_ref()
                .filter(|(_, bytes)| bytes.as_slice() == b);
            return (legacy.map(|(t, _)| t.clone()), Notify::Nothing);
        };
        let current = v.encoded().to_vec();
        if current.as_slice() != b && self.superseded.as_deref() != Some(b) {
            return (None, Notify::Nothing);
        }
        match gw.check_consent(v, &current) {
            Ok(()) => (Some(v.tag().clone()), Notify::Nothing),
            Err(ConsentError::OlderRevision) => self.adopt_newer(gw, crypto, peer, patient, report),
            Err(ConsentError::Withdrawn) => {
                report.withdrawn_frames += 1;
                report.consent_required_sent = true;
                (None, Notify::Close)
            }
            Err(_) => (None, Notify::Nothing),
        }
    }

    /// The verified tag was superseded: verify the authority's newer revision for this
    /// session and govern by it, or close.
    fn adopt_newer<C: CryptoProvider>(
        &mut self,
        gw: &Gateway,
        crypto: &mut C,
        peer: &PeerIdentity,
        patient: &str,
        report: &mut ConnReport,
    ) -> (Option<ConsentTag>, Notify) {
        let newer = self
            .verified
            .as_ref()
            .and_then(|v| gw.newer_revision(&v.tag().consent_ref));
        let adopted = newer.and_then(|n| gw.verify_consent(crypto, peer, patient, &n).ok());
        let Some(v2) = adopted else {
            report.withdrawn_frames += 1;
            report.consent_required_sent = true;
            return (None, Notify::Close);
        };
        self.superseded = self.verified.take().map(|v| v.encoded().to_vec());
        let encoded = v2.encoded().to_vec();
        let tag = v2.tag().clone();
        report.consent = Some(tag.clone());
        report.consent_updates_sent += 1;
        self.verified = Some(v2);
        (Some(tag), Notify::Update(encoded))
    }
}

impl Gateway {
    /// A newer revision of a consent delivered by the authority directly (not through a
    /// device): its signature is checked (`ConsentVerifier::learn_revision`), older
    /// revisions are refused from now on, and every live session under the consent adopts
    /// it at its next frame (verified against that session's device and patient) and
    /// sends it to its device.
    ///
    /// # Errors
    /// The verifier's refusal (unsigned, unknown authority, bad signature, ...), or a
    /// poisoned lock.
    pub fn learn_revision(&self, encoded: &[u8]) -> Result<(), String> {
        let mut crypto: Crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
        let r = self
            .consent
            .lock()
            .map_err(|_| "consent verifier poisoned".to_owned())?
            .learn_revision(&mut crypto, encoded)
            .map_err(|e| e.to_string())?;
        let mut newer = self
            .newer
            .lock()
            .map_err(|_| "revision store poisoned".to_owned())?;
        let keep = newer.get(&r).and_then(|t| ConsentTag::decode(t).ok());
        let incoming = ConsentTag::decode(encoded).map_err(|e| e.to_string())?;
        if keep.is_none_or(|k| k.revision < incoming.revision) {
            newer.insert(r, encoded.to_vec());
        }
        Ok(())
    }

    /// The newest revision of `consent_ref` the authority delivered directly, if any.
    #[must_use]
    pub fn newer_revision(&self, consent_ref: &ConsentRef) -> Option<Vec<u8>> {
        self.newer.lock().ok()?.get(consent_ref).cloned()
    }
}
