//! RFC 9529 §3 credentials and keys (CCS by `kid`), usable with both providers.

use std::sync::OnceLock;

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_crypto::types::PublicKey;
use iomt_crypto::{CryptoProvider, DeterministicProvider, StaticKey};

use iomt_testkit::rfc9529::{CRED_I, CRED_R, G_I_X, G_I_Y, G_R_X, G_R_Y, SK_I, SK_R};
pub use iomt_testkit::rfc9529::{KID_I, KID_R};

use crate::hex;
use crate::provider::{FuzzCrypto, FuzzKey};
/// The identity the responder's trust store binds to the initiator's credential.
pub const NAME_I: &[u8] = b"initiator";
/// The identity the initiator's trust store binds to the responder's credential.
pub const NAME_R: &[u8] = b"responder";

/// The byte fixtures.
#[derive(Debug)]
pub struct Fixture {
    /// CRED_I (CCS).
    pub cred_i: Vec<u8>,
    /// CRED_R (CCS).
    pub cred_r: Vec<u8>,
    /// SK_I scalar.
    pub sk_i: Vec<u8>,
    /// SK_R scalar.
    pub sk_r: Vec<u8>,
    /// G_I (public key of SK_I).
    pub g_i: PublicKey,
    /// G_R (public key of SK_R).
    pub g_r: PublicKey,
}

/// The RFC 9529 §3 fixture (built once per process).
pub fn get() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let pk =
            |x: &str, y: &str| PublicKey::from_coordinates(&hex(x), &hex(y)).expect("RFC 9529 key");
        Fixture {
            cred_i: hex(CRED_I),
            cred_r: hex(CRED_R),
            sk_i: hex(SK_I),
            sk_r: hex(SK_R),
            g_i: pk(G_I_X, G_I_Y),
            g_r: pk(G_R_X, G_R_Y),
        }
    })
}

/// A provider the fuzz targets can run handshakes with.
pub trait FuzzProvider: CryptoProvider + Sized {
    /// Whether the provider really authenticates (then forgeries must never complete).
    const AUTHENTIC: bool;
    /// A fresh provider for one fuzz input (deterministic).
    fn fresh() -> Self;
    /// The key handles of SK_I and SK_R.
    fn keys(f: &Fixture) -> (Self::KeyHandle, Self::KeyHandle);
}

impl FuzzProvider for FuzzCrypto {
    const AUTHENTIC: bool = false;
    fn fresh() -> Self {
        Self::default()
    }
    fn keys(f: &Fixture) -> (FuzzKey, FuzzKey) {
        (FuzzKey(f.g_i), FuzzKey(f.g_r))
    }
}

impl FuzzProvider for DeterministicProvider {
    const AUTHENTIC: bool = true;
    fn fresh() -> Self {
        Self::new()
    }
    fn keys(f: &Fixture) -> (StaticKey, StaticKey) {
        (
            StaticKey::from_bytes(&f.sk_i).expect("SK_I"),
            StaticKey::from_bytes(&f.sk_r).expect("SK_R"),
        )
    }
}

/// How a side identifies its credential.
#[must_use]
pub fn id_cred<'a>(by_value: bool, kid: &'a [u8], cred: &'a [u8]) -> IdCred<'a> {
    if by_value {
        IdCred::Ccs(cred)
    } else {
        IdCred::Kid(kid)
    }
}

/// The initiator's own credential.
#[must_use]
pub fn local_i<'a, K>(f: &'a Fixture, key: &'a K, by_value: bool) -> LocalCredential<'a, K> {
    LocalCredential {
        key,
        cred: &f.cred_i,
        id_cred: id_cred(by_value, KID_I, &f.cred_i),
    }
}

/// The responder's own credential.
#[must_use]
pub fn local_r<'a, K>(f: &'a Fixture, key: &'a K, by_value: bool) -> LocalCredential<'a, K> {
    LocalCredential {
        key,
        cred: &f.cred_r,
        id_cred: id_cred(by_value, KID_R, &f.cred_r),
    }
}

/// The initiator's trust store (knows the responder).
#[must_use]
pub fn trust_i(f: &Fixture) -> StaticTrustStore<'_, 1> {
    StaticTrustStore::new([TrustEntry {
        kid: KID_R,
        cred: &f.cred_r,
        identity: PeerIdentity::from_slice(NAME_R),
        roles: RoleSet::EMPTY,
    }])
}

/// The responder's trust store (knows the initiator).
#[must_use]
pub fn trust_r(f: &Fixture) -> StaticTrustStore<'_, 1> {
    StaticTrustStore::new([TrustEntry {
        kid: KID_I,
        cred: &f.cred_i,
        identity: PeerIdentity::from_slice(NAME_I),
        roles: RoleSet::EMPTY,
    }])
}
