//! Shared fixtures: the RFC 9529 §3 trace values and credentials.
#![allow(dead_code, reason = "each test binary uses a subset")]
#![expect(clippy::unwrap_used, clippy::panic, reason = "test fixture helpers")]

use iomt_auth::cred::{IdCred, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry};
use iomt_core::Role;

pub(crate) const TRACE: &str = include_str!("../data/rfc9529-sec3.txt");
pub(crate) const INVALID: &str = include_str!("../data/rfc9529-sec4-invalid.txt");

/// A named hex value of a vectors file (empty right-hand side = empty value).
pub(crate) fn val(file: &str, name: &str) -> Vec<u8> {
    for line in file.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=')
            && k.trim() == name
        {
            return hex::decode(v.trim()).unwrap();
        }
    }
    panic!("{name} missing")
}

pub(crate) fn t(name: &str) -> Vec<u8> {
    val(TRACE, name)
}

pub(crate) fn cred_i() -> Vec<u8> {
    t("CRED_I")
}
pub(crate) fn cred_r() -> Vec<u8> {
    t("CRED_R")
}

pub(crate) const KID_I: &[u8] = &[0x2b];
pub(crate) const KID_R: &[u8] = &[0x32];

pub(crate) fn identity_i() -> PeerIdentity {
    PeerIdentity::from_slice(b"42-50-31-FF-EF")
}
pub(crate) fn identity_r() -> PeerIdentity {
    PeerIdentity::from_slice(b"example.edu")
}
pub(crate) fn roles_i() -> RoleSet {
    RoleSet::EMPTY.with(Role::Clinician)
}
pub(crate) fn roles_r() -> RoleSet {
    RoleSet::EMPTY.with(Role::Device)
}

/// The initiator's trust store: knows R by kid (and pinned by value).
pub(crate) fn store_of_i(cred_r: &[u8]) -> StaticTrustStore<'_, 1> {
    StaticTrustStore::new([TrustEntry {
        kid: KID_R,
        cred: cred_r,
        identity: identity_r(),
        roles: roles_r(),
    }])
}

/// The responder's trust store: knows I.
pub(crate) fn store_of_r(cred_i: &[u8]) -> StaticTrustStore<'_, 1> {
    StaticTrustStore::new([TrustEntry {
        kid: KID_I,
        cred: cred_i,
        identity: identity_i(),
        roles: roles_i(),
    }])
}

pub(crate) fn id_kid(kid: &[u8]) -> IdCred<'_> {
    IdCred::Kid(kid)
}
