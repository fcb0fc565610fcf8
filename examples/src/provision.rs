//! Factory provisioning on the host: a fresh key per device (OS randomness), its CCS
//! credential, and the gateway's trust-store record with the device's roles.
//!
//! The files a factory line consumes (all hex, one value per file, newline-terminated):
//! - `<identity>.key`: the 32-byte private scalar — to be written into the device's
//!   protected flash (or generated inside a secure element instead, see
//!   docs/PROVISIONING.md), then deleted from the host;
//! - `<identity>.ccs`: CRED_x, the credential the device presents;
//! - `trust-store.tsv`: one line per device, appended — `kid<TAB>identity<TAB>roles<TAB>ccs`
//!   (roles as comma-separated names, e.g. `device`), which [`TrustRecord::parse`] reads
//!   back into an `iomt_auth::cred::TrustEntry`.
//!
//! Invariants: every record written parses back to the same kid, identity, roles and
//! public key; a record whose CCS does not parse, whose kid is not the CCS's kid, or that
//! names an unknown role is refused with a line-specific error.

use core::fmt;

use iomt_auth::cred::{
    CcsView, MAX_ENCODED_CCS_LEN, PeerIdentity, RoleSet, TrustEntry, encode_ccs,
};
use iomt_core::Role;
use iomt_crypto::{RustCryptoProvider, StaticKey, prelude::*};

/// Why provisioning or reading a trust record failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProvisionError {
    /// The OS RNG failed.
    Rng,
    /// The identity or kid cannot go into a credential (too long, empty identity).
    BadInput(String),
    /// A trust-store line is malformed (the reason says how).
    BadRecord(String),
}

impl fmt::Display for ProvisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rng => f.write_str("the OS random number generator failed"),
            Self::BadInput(why) => write!(f, "bad input: {why}"),
            Self::BadRecord(why) => write!(f, "bad trust record: {why}"),
        }
    }
}

impl core::error::Error for ProvisionError {}

/// One provisioned device: private key, credential and its trust record.
pub struct Provisioned {
    /// The private scalar (hex when written); wipe after it reached the device.
    pub private_key: [u8; 32],
    /// The trust record for the gateway (holds the CCS).
    pub record: TrustRecord,
}

impl fmt::Debug for Provisioned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provisioned")
            .field("private_key", &"<redacted>")
            .field("record", &self.record)
            .finish()
    }
}

/// A gateway trust-store record: who the credential belongs to and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustRecord {
    /// The `kid` the device's ID_CRED names.
    pub kid: Vec<u8>,
    /// The identity (CCS subject and trust-store identity, at most 16 bytes).
    pub identity: String,
    /// The roles the gateway grants this credential.
    pub roles: RoleSet,
    /// CRED_x.
    pub ccs: Vec<u8>,
}

/// Parses a role name (`device`, `clinician`, …; case-insensitive).
///
/// # Errors
/// [`ProvisionError::BadRecord`] for an unknown name.
pub fn role_by_name(name: &str) -> Result<Role, ProvisionError> {
    Role::ALL
        .iter()
        .copied()
        .find(|r| format!("{r:?}").eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| ProvisionError::BadRecord(format!("unknown role {name:?}")))
}

fn role_names(roles: RoleSet) -> String {
    Role::ALL
        .iter()
        .filter(|r| roles.contains(**r))
        .map(|r| format!("{r:?}").to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Result<Vec<u8>, ProvisionError> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return Err(ProvisionError::BadRecord(format!("not hex: {s:?}")));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| ProvisionError::BadRecord(format!("not hex: {s:?}")))
        })
        .collect()
}

/// Provisions one device: a key from the OS RNG, its CCS (`sub` = `identity`, COSE_Key
/// `kid`), and its trust record with `roles`.
///
/// # Errors
/// [`ProvisionError::Rng`]; [`ProvisionError::BadInput`] for an empty identity, one
/// longer than 16 bytes, or a kid that is empty or longer than 16 bytes.
pub fn provision(
    identity: &str,
    kid: &[u8],
    roles: RoleSet,
) -> Result<Provisioned, ProvisionError> {
    if identity.is_empty() || identity.len() > iomt_auth::cred::IDENTITY_LEN {
        return Err(ProvisionError::BadInput(format!(
            "identity must be 1..=16 bytes, got {:?}",
            identity
        )));
    }
    if kid.is_empty() || kid.len() > iomt_auth::cred::MAX_KID_LEN {
        return Err(ProvisionError::BadInput("kid must be 1..=16 bytes".into()));
    }
    let mut crypto = RustCryptoProvider::with_os_rng();
    let mut private_key = [0u8; 32];
    let key = loop {
        crypto
            .random_bytes(&mut private_key)
            .map_err(|_| ProvisionError::Rng)?;
        if let Ok(key) = StaticKey::from_bytes(&private_key) {
            break key;
        }
    };
    let mut ccs = [0u8; MAX_ENCODED_CCS_LEN];
    let n = encode_ccs(identity, kid, key.public_key(), &mut ccs)
        .map_err(|e| ProvisionError::BadInput(e.to_string()))?;
    let record = TrustRecord {
        kid: kid.to_vec(),
        identity: identity.to_owned(),
        roles,
        ccs: ccs.get(..n).unwrap_or_default().to_vec(),
    };
    Ok(Provisioned {
        private_key,
        record,
    })
}

impl TrustRecord {
    /// The `trust-store.tsv` line (without the newline).
    #[must_use]
    pub fn to_line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}",
            hex(&self.kid),
            self.identity,
            role_names(self.roles),
            hex(&self.ccs)
        )
    }

    /// Reads a `trust-store.tsv` line back, checking the CCS (strict parse, valid key)
    /// and that its `kid` is the record's.
    ///
    /// # Errors
    /// [`ProvisionError::BadRecord`] saying which field is wrong.
    pub fn parse(line: &str) -> Result<Self, ProvisionError> {
        let fields: Vec<&str> = line.split('\t').collect();
        let [kid, identity, roles, ccs] = fields.as_slice() else {
            return Err(ProvisionError::BadRecord(format!(
                "expected 4 tab-separated fields, got {}",
                fields.len()
            )));
        };
        let kid = unhex(kid)?;
        let ccs = unhex(ccs)?;
        let view = CcsView::parse(&ccs)
            .map_err(|e| ProvisionError::BadRecord(format!("credential: {e}")))?;
        if view.kid != Some(kid.as_slice()) {
            return Err(ProvisionError::BadRecord(
                "kid differs from the credential's".into(),
            ));
        }
        let mut set = RoleSet::EMPTY;
        for name in roles.split(',').filter(|n| !n.is_empty()) {
            set = set.with(role_by_name(name)?);
        }
        Ok(Self {
            kid,
            identity: (*identity).to_owned(),
            roles: set,
            ccs,
        })
    }

    /// The trust-store entry for `iomt_auth::cred::StaticTrustStore`.
    #[must_use]
    pub fn entry(&self) -> TrustEntry<'_> {
        TrustEntry {
            kid: &self.kid,
            cred: &self.ccs,
            identity: PeerIdentity::from_slice(self.identity.as_bytes()),
            roles: self.roles,
        }
    }

    /// The device's private-key file content for `key` (hex).
    #[must_use]
    pub fn key_file(key: &[u8; 32]) -> String {
        format!("{}\n", hex(key))
    }

    /// The device's credential file content (hex).
    #[must_use]
    pub fn ccs_file(&self) -> String {
        format!("{}\n", hex(&self.ccs))
    }
}
