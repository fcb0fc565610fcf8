//! The RFC 9529 §3 parties as iomt-auth sees them: identities, roles and the one-entry
//! trust stores each side holds, and each side's own credential (the handshake tests and
//! benches).

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_core::Role;

use crate::rfc9529::{KID_I, KID_R};

/// The initiator's identity (the subject of `CRED_I`).
#[must_use]
pub fn identity_i() -> PeerIdentity {
    PeerIdentity::from_slice(b"42-50-31-FF-EF")
}

/// The responder's identity (the subject of `CRED_R`).
#[must_use]
pub fn identity_r() -> PeerIdentity {
    PeerIdentity::from_slice(b"example.edu")
}

/// The roles the responder grants the initiator: clinician.
#[must_use]
pub fn roles_i() -> RoleSet {
    RoleSet::EMPTY.with(Role::Clinician)
}

/// The roles the initiator grants the responder: device.
#[must_use]
pub fn roles_r() -> RoleSet {
    RoleSet::EMPTY.with(Role::Device)
}

/// The initiator's trust store: knows R by kid (and pinned by value).
#[must_use]
pub fn store_of_i(cred_r: &[u8]) -> StaticTrustStore<'_, 1> {
    StaticTrustStore::new([TrustEntry {
        kid: KID_R,
        cred: cred_r,
        identity: identity_r(),
        roles: roles_r(),
    }])
}

/// The responder's trust store: knows I.
#[must_use]
pub fn store_of_r(cred_i: &[u8]) -> StaticTrustStore<'_, 1> {
    StaticTrustStore::new([TrustEntry {
        kid: KID_I,
        cred: cred_i,
        identity: identity_i(),
        roles: roles_i(),
    }])
}

/// `ID_CRED_x` by kid.
#[must_use]
pub fn id_kid(kid: &[u8]) -> IdCred<'_> {
    IdCred::Kid(kid)
}

/// The initiator's own credential: `key` (its `SK_I` handle in the caller's provider),
/// `cred` (`CRED_I`), sent by kid 0x2b.
#[must_use]
pub fn local_i<'a, K>(key: &'a K, cred: &'a [u8]) -> LocalCredential<'a, K> {
    LocalCredential {
        key,
        cred,
        id_cred: IdCred::Kid(KID_I),
    }
}

/// The responder's own credential: `key` (its `SK_R` handle in the caller's provider),
/// `cred` (`CRED_R`), sent by kid 0x32.
#[must_use]
pub fn local_r<'a, K>(key: &'a K, cred: &'a [u8]) -> LocalCredential<'a, K> {
    LocalCredential {
        key,
        cred,
        id_cred: IdCred::Kid(KID_R),
    }
}
