//! Demo credentials: deterministic P-256 keys and CCS credentials (RFC 8392 claims set
//! with a COSE_Key, the shape RFC 9529 uses) for the gateway and every simulated device.
//!
//! **Demo only**: the private keys are derived from public strings, so they protect
//! nothing. A product provisions a key per device at manufacture (or in a secure
//! element) and gives the gateway only the public credentials.
//!
//! Invariants: device `i` always gets the same key, `kid` (`[0x64, i]`) and identity
//! (`dev-NNN`); the firmware device (QEMU) is device [`FIRMWARE_DEVICE_INDEX`]. The
//! credential bytes are checked with `iomt_auth::cred::CcsView::parse` when built.

use iomt_auth::cred::{
    CcsView, IdCred, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry, TrustStore,
    TrustedCredential,
};
use iomt_core::Role;
use iomt_crypto::{RustCryptoProvider, StaticKey, prelude::*};

/// The `kid` of the gateway's credential.
pub const GATEWAY_KID: [u8; 1] = [0x47];

/// The device index of the QEMU firmware device (its credential is compiled into
/// `firmware/src/bin/device.rs`).
pub const FIRMWARE_DEVICE_INDEX: DeviceIndex = 200;

/// A simulated device's index (0..=[`MAX_DEVICES`] in the demo; wide enough for 1,000
/// devices).
pub type DeviceIndex = u16;

/// The most simulated devices one demo run can have (issue 18: 1,000 against one
/// gateway; `--tamper` adds two).
pub const MAX_DEVICES: DeviceIndex = 1000;

/// Errors while deriving demo credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredError {
    /// The derived scalar was not a valid P-256 private key (probability ~2^-32).
    BadScalar,
    /// The built CCS did not parse (a bug in the template).
    BadCcs,
    /// The firmware's consent tag could not be issued.
    Consent,
}

impl core::fmt::Display for CredError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadScalar => f.write_str("derived scalar is not a P-256 key"),
            Self::BadCcs => f.write_str("built CCS does not parse"),
            Self::Consent => f.write_str("the firmware's consent tag could not be issued"),
        }
    }
}

impl core::error::Error for CredError {}

/// One endpoint's credential: private key, CCS bytes, `kid` and identity.
#[derive(Debug)]
pub struct DemoCredential {
    /// The private key (static DH or signature key, per EDHOC method).
    pub key: StaticKey,
    /// The 32-byte private scalar (to compile into firmware; demo only).
    pub scalar: [u8; 32],
    /// CRED_x: the CCS bytes.
    pub ccs: Vec<u8>,
    /// The `kid` the peer looks the credential up by.
    pub kid: Vec<u8>,
    /// The identity (CCS `sub` claim and trust-store identity).
    pub identity: String,
}

impl DemoCredential {
    /// Derives the credential named `identity` with `kid`; the scalar is
    /// SHA-256(`"iomt-demo/" || identity`).
    ///
    /// # Errors
    /// [`CredError`] (practically never).
    pub fn derive(identity: &str, kid: &[u8]) -> Result<Self, CredError> {
        let mut crypto = RustCryptoProvider::with_os_rng();
        let scalar = crypto.sha256(format!("iomt-demo/{identity}").as_bytes());
        let key = StaticKey::from_bytes(&scalar).map_err(|_| CredError::BadScalar)?;
        let public = crypto
            .p256_public_key(&key)
            .map_err(|_| CredError::BadScalar)?
            .to_sec1_uncompressed();
        let ccs = build_ccs(identity, kid, &public[1..33], &public[33..65]);
        CcsView::parse(&ccs).map_err(|_| CredError::BadCcs)?;
        Ok(Self {
            key,
            scalar,
            ccs,
            kid: kid.to_vec(),
            identity: identity.to_owned(),
        })
    }

    /// The gateway's credential.
    ///
    /// # Errors
    /// [`CredError`] (practically never).
    pub fn gateway() -> Result<Self, CredError> {
        Self::derive("gateway-1", &GATEWAY_KID)
    }

    /// Simulated device `index`'s credential (identity `dev-NNN`, kid `[0x64, index]`
    /// below 256, `[0x64, hi, lo]` from 256 on: [`device_kid`]).
    ///
    /// # Errors
    /// [`CredError`] (practically never).
    pub fn device(index: DeviceIndex) -> Result<Self, CredError> {
        Self::derive(&device_identity(index), &device_kid(index))
    }

    /// This credential as the peer's trust-store entry.
    #[must_use]
    pub fn trust_entry(&self, roles: RoleSet) -> TrustEntry<'_> {
        TrustEntry {
            kid: &self.kid,
            cred: &self.ccs,
            identity: PeerIdentity::from_slice(self.identity.as_bytes()),
            roles,
        }
    }

    /// A device's trust store: the gateway alone.
    #[must_use]
    pub fn as_only_trusted(&self) -> StaticTrustStore<'_, 1> {
        StaticTrustStore::new([self.trust_entry(RoleSet::only(Role::Gateway))])
    }
}

/// The `kid` of device `index`: `0x64` then the index in as few big-endian bytes as it
/// needs (one below 256, so devices 0..=255 keep the kids they always had), distinct for
/// every index.
#[must_use]
pub fn device_kid(index: DeviceIndex) -> Vec<u8> {
    let mut kid = vec![0x64];
    kid.extend(index_bytes(index));
    kid
}

/// `index` as one byte below 256, else two big-endian bytes (EDHOC's C_I, the kid).
#[must_use]
pub fn index_bytes(index: DeviceIndex) -> Vec<u8> {
    match u8::try_from(index) {
        Ok(b) => vec![b],
        Err(_) => index.to_be_bytes().to_vec(),
    }
}

/// The identity of device `index`.
#[must_use]
pub fn device_identity(index: DeviceIndex) -> String {
    if index == FIRMWARE_DEVICE_INDEX {
        "qemu-dev".to_owned()
    } else {
        format!("dev-{index:03}")
    }
}

/// CBOR: a `tstr` or `bstr` head for a short string (< 24 bytes).
fn short_head(major: u8, len: usize) -> u8 {
    debug_assert!(len < 24, "demo strings are short");
    (major << 5) | (u8::try_from(len).unwrap_or(23) & 0x1f)
}

/// Builds `{2: sub, 8: {1: {1: 2, 2: kid, -1: 1, -2: x, -3: y}}}` (deterministic CBOR,
/// the same layout as RFC 9529's CRED_R).
#[must_use]
pub fn build_ccs(subject: &str, kid: &[u8], x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut c = vec![0xa2, 0x02, short_head(3, subject.len())];
    c.extend_from_slice(subject.as_bytes());
    c.extend_from_slice(&[0x08, 0xa1, 0x01, 0xa5, 0x01, 0x02, 0x02]);
    c.push(short_head(2, kid.len()));
    c.extend_from_slice(kid);
    c.extend_from_slice(&[0x20, 0x01, 0x21, 0x58, 0x20]);
    c.extend_from_slice(x);
    c.extend_from_slice(&[0x22, 0x58, 0x20]);
    c.extend_from_slice(y);
    c
}

/// A registered device: its credential (public part) and the patient it is attached to.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The device's `kid`.
    pub kid: Vec<u8>,
    /// The device's CCS.
    pub ccs: Vec<u8>,
    /// The device identity (FHIR `Device` id).
    pub identity: String,
    /// The patient the device is attached to (FHIR `Patient` id).
    pub patient: String,
}

/// The gateway's device registry: the EDHOC trust store plus the device → patient map
/// (what a hospital's device-association service provides).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: Vec<Registration>,
}

impl Registry {
    /// Registers a device credential for `patient`.
    pub fn register(&mut self, cred: &DemoCredential, patient: String) {
        self.entries.push(Registration {
            kid: cred.kid.clone(),
            ccs: cred.ccs.clone(),
            identity: cred.identity.clone(),
            patient,
        });
    }

    /// The registration of the device with this EDHOC peer identity.
    #[must_use]
    pub fn by_identity(&self, identity: &PeerIdentity) -> Option<&Registration> {
        self.entries
            .iter()
            .find(|e| PeerIdentity::from_slice(e.identity.as_bytes()) == *identity)
    }
}

impl TrustStore for Registry {
    fn resolve<'a>(&'a self, id_cred: &IdCred<'a>) -> Option<TrustedCredential<'a>> {
        let e = self.entries.iter().find(|e| match id_cred {
            IdCred::Kid(k) => e.kid == *k,
            IdCred::Ccs(c) => e.ccs == *c,
        })?;
        Some(TrustedCredential {
            cred: &e.ccs,
            identity: PeerIdentity::from_slice(e.identity.as_bytes()),
            roles: RoleSet::only(Role::Device),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The patient the QEMU firmware device is attached to (the `gateway` binary's registry).
pub const FIRMWARE_PATIENT: &str = "p-qemu";

/// The hospital's consent record for the QEMU firmware's patient (FHIR `Consent`,
/// treatment and research, 2026-01-01 to 2031-01-01: fixed, so the issued tag is the
/// same on every build).
#[must_use]
pub fn firmware_consent_record() -> serde_json::Value {
    let mut rec = crate::authority::record(
        crate::device::ConsentProfile::Research,
        FIRMWARE_PATIENT,
        1_767_225_600 + 30 * 86_400,
    );
    rec["dateTime"] = serde_json::json!("2026-01-01T00:00:00.000Z");
    rec["provision"]["period"] = serde_json::json!({ "start": "2026-01-01T00:00:00.000Z", "end": "2031-01-01T00:00:00.000Z" });
    rec
}

/// The QEMU firmware's consent tag: issued by the demo hospital's consent authority from
/// [`firmware_consent_record`], bound to the firmware's device identity and patient,
/// signed (ES256 is deterministic here, RFC 6979, so the bytes are reproducible).
///
/// # Errors
/// If the record cannot be issued (practically never).
pub fn firmware_consent_tag() -> Result<Vec<u8>, String> {
    let mut crypto: crate::gateway::Crypto = RustCryptoProvider::with_os_rng();
    let hospital = crate::authority::Authority::hospital(&mut crypto)?;
    hospital
        .issue_from_fhir(
            &mut crypto,
            &firmware_consent_record(),
            &device_identity(FIRMWARE_DEVICE_INDEX),
        )
        .map_err(|e| e.to_string())
}

/// The constants `firmware/src/bin/device.rs` compiles in: the QEMU device's private
/// scalar, CCS and `kid`, the gateway's (public) CCS and `kid`, and the device's signed,
/// bound consent tag ([`firmware_consent_tag`]), as Rust source. The
/// `firmware_credentials_match` test keeps the firmware's copy equal to this.
///
/// # Errors
/// [`CredError`] (practically never).
pub fn firmware_constants() -> Result<String, CredError> {
    let dev = DemoCredential::device(FIRMWARE_DEVICE_INDEX)?;
    let gw = DemoCredential::gateway()?;
    let tag = firmware_consent_tag().map_err(|_| CredError::Consent)?;
    Ok(format!(
        "pub const DEVICE_SK: [u8; 32] = hex(b\"{}\");\n\
         pub const DEVICE_CCS: [u8; {}] = hex(b\"{}\");\n\
         pub const DEVICE_KID: &[u8] = &hex::<{}>(b\"{}\");\n\
         pub const GATEWAY_CCS: [u8; {}] = hex(b\"{}\");\n\
         pub const GATEWAY_KID: &[u8] = &hex::<{}>(b\"{}\");\n\
         pub const CONSENT_TAG: [u8; {}] = hex(b\"{}\");\n",
        hex(&dev.scalar),
        dev.ccs.len(),
        hex(&dev.ccs),
        dev.kid.len(),
        hex(&dev.kid),
        gw.ccs.len(),
        hex(&gw.ccs),
        gw.kid.len(),
        hex(&gw.kid),
        tag.len(),
        hex(&tag),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_deterministic_and_parse() {
        let a = DemoCredential::device(3).unwrap();
        let b = DemoCredential::device(3).unwrap();
        assert_eq!(a.ccs, b.ccs);
        assert_ne!(a.ccs, DemoCredential::device(4).unwrap().ccs);
        let view = CcsView::parse(&a.ccs).unwrap();
        let _ = view;
        assert_eq!(a.identity, "dev-003");
    }

    #[test]
    fn firmware_credentials_match() {
        let src = include_str!("../../firmware/src/bin/device.rs");
        for line in firmware_constants().unwrap().lines() {
            assert!(
                src.contains(line),
                "firmware/src/bin/device.rs lacks:\n{line}\n(regenerate with `gateway --print-firmware-creds`)"
            );
        }
    }

    #[test]
    fn registry_resolves_by_kid_and_value() {
        let d = DemoCredential::device(1).unwrap();
        let mut r = Registry::default();
        r.register(&d, "p-001".into());
        assert!(r.resolve(&IdCred::Kid(&[0x64, 1])).is_some());
        assert!(r.resolve(&IdCred::Kid(&[0x64, 2])).is_none());
        assert!(r.resolve(&IdCred::Ccs(&d.ccs)).is_some());
        let id = PeerIdentity::from_slice(b"dev-001");
        assert_eq!(r.by_identity(&id).unwrap().patient, "p-001");
    }
}
