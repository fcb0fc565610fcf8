//! What the `hello_device` / `hello_gateway` pair shares: the files the `provision`
//! command wrote, the demo patient, and the consent tag the consent service issues.
//!
//! `DIR/trust-store.tsv` holds one record per provisioned party; each program takes its
//! own record (by role: `device` or `gateway`), its private key `DIR/<identity>.key`,
//! and trusts the other party's record. Invariant: both programs read the same records,
//! so each authenticates exactly the credential the other presents.

use std::fs;
use std::path::Path;

use iomt_auth::cred::{IdCred, LocalCredential};
use iomt_core::{
    Action, ActionSet, ConsentRef, ConsentTag, DataClass, DataClassSet, Purpose, PurposeSet, Role,
    RoleSet, Timestamp,
};
use iomt_crypto::StaticKey;

use crate::provision::TrustRecord;

/// The gateway's default address.
pub const ADDR: &str = "127.0.0.1:7878";

/// The (FHIR) patient the hello device is attached to.
pub const PATIENT: &str = "patient-hello";

/// Boxed error of the hello programs.
pub type Error = Box<dyn core::error::Error>;

/// One party of the pair: its key and record, and the peer's record.
pub struct Party {
    /// This party's private key.
    pub key: StaticKey,
    /// This party's trust record (its CCS and kid).
    pub me: TrustRecord,
    /// The record of the party it talks to.
    pub peer: TrustRecord,
}

impl Party {
    /// Loads the party with role `mine` from `dir`, talking to the party with role `peer`.
    ///
    /// # Errors
    /// Missing or malformed files, or no record with one of the roles.
    pub fn load(dir: &Path, mine: Role, peer: Role) -> Result<Self, Error> {
        let tsv = fs::read_to_string(dir.join("trust-store.tsv"))
            .map_err(|e| format!("{}: {e} (run the provision commands first)", dir.display()))?;
        let records = tsv
            .lines()
            .map(TrustRecord::parse)
            .collect::<Result<Vec<_>, _>>()?;
        let find = |role: Role| {
            records
                .iter()
                .find(|r| r.roles.contains(role))
                .cloned()
                .ok_or(format!("no {role:?} record in trust-store.tsv"))
        };
        let me = find(mine)?;
        let hex = fs::read_to_string(dir.join(format!("{}.key", me.identity)))?;
        let scalar = (0..hex.trim().len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or("key file is not hex")?;
        let key = StaticKey::from_bytes(&scalar).map_err(|e| e.to_string())?;
        Ok(Self {
            key,
            peer: find(peer)?,
            me,
        })
    }

    /// The local credential for the handshake (ID_CRED = its kid).
    #[must_use]
    pub fn credential(&self) -> LocalCredential<'_, StaticKey> {
        LocalCredential {
            key: &self.key,
            cred: &self.me.ccs,
            id_cred: IdCred::Kid(&self.me.kid),
        }
    }
}

/// The consent the patient gave: vital signs, for treatment, seen by clinicians, for a
/// year from `now` (Unix seconds). The consent service binds and signs it.
#[must_use]
pub fn consent(now: u64) -> ConsentTag {
    ConsentTag::permit(
        ConsentRef([0x48; 32]),
        1,
        Timestamp::from_secs(now.saturating_sub(60)),
        Timestamp::from_secs(now.saturating_add(365 * 86_400)),
    )
    .with_classes(DataClassSet::only(DataClass::Vitals))
    .with_purposes(PurposeSet::only(Purpose::Treatment))
    .with_roles(RoleSet::only(Role::Clinician))
    .with_actions(ActionSet::only(Action::Access))
}

/// Seconds since the Unix epoch (0 if the clock is before it).
#[must_use]
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
