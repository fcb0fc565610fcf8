//! The consent authority of the demo (the hospital's consent service): it issues the
//! devices' consent tags — bound to the patient and the device, signed ES256 — and signs
//! withdrawals the gateway receives directly (`iomt_auth::consent`).
//!
//! The tags are built from the demo's consent profiles ([`crate::device::ConsentProfile::tag`]), the same
//! provisions the gateway exports as FHIR `Consent` resources (`fhir::consent`); the
//! authority does not parse FHIR JSON here.

use iomt_auth::audit::subject_of;
use iomt_auth::consent::{ConsentAuthority, sign_tag, sign_withdrawal};
use iomt_auth::cred::PeerIdentity;
use iomt_core::{
    ConsentRef, ConsentTag, ConsentWithdrawal, DeviceRef, KeyId, MAX_CONSENT_TAG_LEN,
    MAX_WITHDRAWAL_LEN, PatientId, Timestamp,
};
use iomt_crypto::{CryptoProvider, PublicKey, StaticKey};

use crate::gateway::Crypto;

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
pub fn patient_id(crypto: &mut Crypto, patient: &str) -> Result<PatientId, String> {
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
