//! The consent authority of the demo (the hospital's consent service): it issues the
//! devices' consent tags — bound to the patient and the device, signed ES256 — and signs
//! withdrawals the gateway receives directly (`iomt_auth::consent`).
//!
//! Every tag is issued from the hospital's record of consent, a FHIR R4 `Consent`
//! resource ([`Authority::issue_from_fhir`], mapping in `fhir::consent_import`); a
//! `Consent` whose provision a tag cannot represent exactly is refused with a typed
//! error, not approximated. [`record`] holds the demo hospital's records (one per
//! patient, by the patient's consent profile); [`without_research`] is the next version
//! of a record after the patient withdrew research consent only.

use iomt_auth::audit::subject_of;
use iomt_auth::consent::{ConsentAuthority, sign_tag, sign_withdrawal};
use iomt_auth::cred::PeerIdentity;
use iomt_core::{
    ConsentRef, ConsentTag, ConsentWithdrawal, DeviceRef, KeyId, MAX_CONSENT_TAG_LEN,
    MAX_WITHDRAWAL_LEN, PatientId, Timestamp,
};
use iomt_crypto::{PublicKey, StaticKey, prelude::*};

use serde_json::{Value, json};

use crate::device::ConsentProfile;
use crate::fhir::consent::BREAK_GLASS_POLICY;
use crate::fhir::consent_import::{ImportError, tag_from_consent};
use crate::fhir::{ACT_REASON_SYSTEM, CONFIDENTIALITY_SYSTEM, instant};
use crate::gateway::Crypto;

/// Why the authority issued no tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueError {
    /// The `Consent` resource cannot be represented by a tag.
    Consent(ImportError),
    /// Binding or signing failed.
    Sign(String),
}

impl core::fmt::Display for IssueError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Consent(e) => write!(f, "not issued: {e}"),
            Self::Sign(e) => write!(f, "not issued: {e}"),
        }
    }
}

impl core::error::Error for IssueError {}

/// The demo hospital's consent record (FHIR R4 `Consent`, version 1) of `patient` (a
/// FHIR `Patient` id) with consent `profile`, as of `now` (Unix seconds).
#[must_use]
pub fn record(profile: ConsentProfile, patient: &str, now: u64) -> Value {
    let day = 86_400;
    let (from, until) = match profile {
        ConsentProfile::Expired => (now - 400 * day, now - day),
        _ => (now - 30 * day, now + 365 * day),
    };
    let purpose = |c: &str| json!({ "system": ACT_REASON_SYSTEM, "code": c });
    let actor = |r: &str| {
        json!({
            "role": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"
            }]},
            "reference": { "display": r }
        })
    };
    let action = |a: &str| json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": a }] });
    let research = matches!(profile, ConsentProfile::Research | ConsentProfile::Expired);
    let mut purposes = vec![purpose("TREAT")];
    let mut actors = vec![actor("clinician"), actor("nurse")];
    let mut actions = vec![action("access")];
    if research {
        purposes.push(purpose("HRESCH"));
        actors.push(actor("researcher"));
        actions.push(action("use"));
    }
    let label = if research { "N" } else { "R" };
    let mut c = json!({
        "resourceType": "Consent",
        "id": format!("consent-{patient}"),
        "meta": { "versionId": "1" },
        "status": "active",
        "scope": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"
        }]},
        "category": [{ "coding": [{ "system": "http://loinc.org", "code": "59284-0" }] }],
        "patient": { "reference": format!("Patient/{patient}") },
        "dateTime": instant(from * 1000),
        "policyRule": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"
        }]},
        "provision": {
            "type": "permit",
            "period": { "start": instant(from * 1000), "end": instant(until * 1000) },
            "actor": actors,
            "action": actions,
            "securityLabel": [{ "system": CONFIDENTIALITY_SYSTEM, "code": label }],
            "purpose": purposes,
            "class": [
                { "system": "urn:iomt:data-class", "code": "vitals" },
                { "system": "urn:iomt:data-class", "code": "waveforms" }
            ]
        }
    });
    if profile == ConsentProfile::BreakGlass {
        c["policy"] = json!([{ "uri": BREAK_GLASS_POLICY }]);
    }
    c
}

/// The next version of `consent` after the patient withdrew research consent only: the
/// research purpose (`HRESCH`), the researcher recipient and the `use` action removed,
/// `meta.versionId` incremented; treatment untouched.
#[must_use]
pub fn without_research(consent: &Value) -> Value {
    let mut next = consent.clone();
    let version = consent
        .pointer("/meta/versionId")
        .and_then(Value::as_str)
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0);
    next["meta"]["versionId"] = json!(version.saturating_add(1).to_string());
    let keep = |key: &str, drop: &dyn Fn(&Value) -> bool| -> Value {
        let items = consent
            .pointer(&format!("/provision/{key}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Value::Array(items.into_iter().filter(|v| !drop(v)).collect())
    };
    next["provision"]["purpose"] = keep("purpose", &|v| v["code"] == "HRESCH");
    next["provision"]["actor"] = keep("actor", &|v| v["reference"]["display"] == "researcher");
    next["provision"]["action"] = keep("action", &|v| v["coding"][0]["code"] == "use");
    next
}

/// A consent authority's signing key.
pub struct Authority {
    key: StaticKey,
    kid: KeyId,
}

impl core::fmt::Debug for Authority {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Authority")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The pseudonymous patient id the authority puts in tags (first 8 bytes of
/// SHA-256("iomt demo patient" ‖ FHIR Patient id)).
///
/// # Errors
/// Never in practice (8 bytes always form an id).
pub fn patient_id<C: CryptoProvider>(crypto: &mut C, patient: &str) -> Result<PatientId, String> {
    let mut input = b"iomt demo patient\0".to_vec();
    input.extend_from_slice(patient.as_bytes());
    let d = crypto.sha256(&input);
    PatientId::new(d.get(..8).unwrap_or(&[0])).map_err(|e| e.to_string())
}

impl Authority {
    /// The authority whose key is derived from `label` (the demo's hospital consent
    /// service, or a rogue "authority" a compromised device invents).
    ///
    /// # Errors
    /// If the derived scalar is not a valid key (practically never).
    pub fn derive(crypto: &mut Crypto, label: &str) -> Result<Self, String> {
        let scalar = crypto.sha256(label.as_bytes());
        let key = StaticKey::from_bytes(&scalar).map_err(|e| e.to_string())?;
        let kid = ConsentAuthority::new(crypto, *key.public_key())
            .map_err(|e| e.to_string())?
            .key_id;
        Ok(Self { key, kid })
    }

    /// The hospital's consent service.
    ///
    /// # Errors
    /// As [`Self::derive`].
    pub fn hospital(crypto: &mut Crypto) -> Result<Self, String> {
        Self::derive(crypto, "iomt demo consent authority")
    }

    /// The public key gateways configure.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        *self.key.public_key()
    }

    /// Issues `tag` for `patient` on the device `device_identity`: binds and signs it;
    /// returns its encoding (what the device is provisioned with).
    ///
    /// # Errors
    /// If the tag is invalid.
    pub fn issue(
        &self,
        crypto: &mut Crypto,
        tag: ConsentTag,
        patient: &str,
        device_identity: &str,
    ) -> Result<Vec<u8>, String> {
        // The device as EDHOC will authenticate it: its 16-byte (zero-padded) identity.
        let peer = PeerIdentity::from_slice(device_identity.as_bytes());
        let device = DeviceRef(subject_of(crypto, &peer.0));
        let bound = tag.bound_to(patient_id(crypto, patient)?, device);
        let signed = sign_tag(crypto, &self.key, &self.kid, bound).map_err(|e| e.to_string())?;
        let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
        let n = signed.encode(&mut buf).map_err(|e| e.to_string())?;
        Ok(buf.get(..n).unwrap_or_default().to_vec())
    }

    /// Issues the tag for the FHIR R4 `Consent` resource `consent` (the hospital's record)
    /// on the device `device_identity`: maps it (`fhir::consent_import`), binds it to the
    /// record's patient and the device, signs it; returns its encoding.
    ///
    /// # Errors
    /// The [`ImportError`] of a `Consent` a tag cannot represent exactly (nothing is
    /// issued), or a signing failure.
    pub fn issue_from_fhir(
        &self,
        crypto: &mut Crypto,
        consent: &Value,
        device_identity: &str,
    ) -> Result<Vec<u8>, IssueError> {
        let (tag, patient) = tag_from_consent(crypto, consent).map_err(IssueError::Consent)?;
        self.issue(crypto, tag, &patient, device_identity)
            .map_err(IssueError::Sign)
    }

    /// A signed withdrawal of every revision up to `revision` of `consent_ref`.
    ///
    /// # Errors
    /// If signing fails.
    pub fn withdraw(
        &self,
        crypto: &mut Crypto,
        consent_ref: ConsentRef,
        revision: u32,
        now: Timestamp,
    ) -> Result<Vec<u8>, String> {
        let w = ConsentWithdrawal::new(consent_ref, revision, now);
        let w = sign_withdrawal(crypto, &self.key, &self.kid, w).map_err(|e| e.to_string())?;
        let mut buf = [0u8; MAX_WITHDRAWAL_LEN];
        let n = w.encode(&mut buf).map_err(|e| e.to_string())?;
        Ok(buf.get(..n).unwrap_or_default().to_vec())
    }
}
