//! RFC 9529 §3 credentials and keys (CCS by `kid`), usable with both providers.

use std::sync::OnceLock;

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_crypto::types::PublicKey;
use iomt_crypto::{CryptoProvider, DeterministicProvider, StaticKey};

use crate::hex;
use crate::provider::{FuzzCrypto, FuzzKey};

/// Initiator `kid` (ID_CRED_I = {4: h'2b'}).
pub const KID_I: &[u8] = &[0x2b];
/// Responder `kid` (ID_CRED_R = {4: h'32'}).
pub const KID_R: &[u8] = &[0x32];
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
        let pk = |x: &str, y: &str| PublicKey::from_coordinates(&hex(x), &hex(y)).expect("RFC 9529 key");
        Fixture {
            cred_i: hex(
                "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8",
            ),
            cred_r: hex(
                "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072",
            ),
            sk_i: hex("fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b"),
            sk_r: hex("72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac"),
            g_i: pk(
                "ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb6",
                "6e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8",
            ),
            g_r: pk(
                "bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0",
                "4519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072",
            ),
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
