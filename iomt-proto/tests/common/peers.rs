//! The RFC 9529 §3 initiator and responder (credentials, keys, trust stores, EDHOC
//! states) shared by the handshake tests over every transport.
#![allow(
    clippy::unwrap_used,
    reason = "test set-up from constants: a bad constant must fail the test"
)]

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_crypto::{RustCryptoProvider, StaticKey};

/// The provider of the handshake tests (with an OS RNG: ephemeral keys).
pub(crate) type Crypto = RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>;

pub(crate) fn h(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// RFC 9529 §3 credentials and keys.
pub(crate) const CRED_I: &str = "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
pub(crate) const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
pub(crate) const SK_I: &str = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
pub(crate) const SK_R: &str = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";

/// One side's key, own credential and the one peer credential it trusts.
pub(crate) struct Peer {
    sk: StaticKey,
    own: Vec<u8>,
    own_kid: [u8; 1],
    peer: Vec<u8>,
    trusted_kid: [u8; 1],
    peer_name: &'static [u8],
}

impl Peer {
    pub(crate) fn local(&self) -> LocalCredential<'_, StaticKey> {
        LocalCredential {
            key: &self.sk,
            cred: &self.own,
            id_cred: IdCred::Kid(&self.own_kid),
        }
    }

    pub(crate) fn trust(&self) -> StaticTrustStore<'_, 1> {
        StaticTrustStore::new([TrustEntry {
            kid: &self.trusted_kid,
            cred: &self.peer,
            identity: PeerIdentity::from_slice(self.peer_name),
            roles: RoleSet::EMPTY,
        }])
    }
}

/// The RFC 9529 initiator (method 2, kid 0x2b, C_I 0x01) offering `suites`, trusting
/// the responder's kid.
pub(crate) fn initiator(
    suites: &[u8],
    expect_message_4: bool,
) -> (Crypto, Peer, InitiatorState<Crypto>) {
    let peer = Peer {
        sk: StaticKey::from_bytes(&h(SK_I)).unwrap(),
        own: h(CRED_I),
        own_kid: [0x2b],
        peer: h(CRED_R),
        trusted_kid: [0x32],
        peer_name: b"gateway",
    };
    let state = InitiatorState::<Crypto>::new(&InitiatorConfig {
        method: Method::SigStat,
        suites,
        c_i: ConnId::new(&[0x01]).unwrap(),
        expect_message_4,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    (RustCryptoProvider::with_os_rng(), peer, state)
}

/// The RFC 9529 responder (kid 0x32, C_R 0x2A, sends message_4) accepting `suites`; it
/// trusts the initiator's kid only if `trust_initiator`.
pub(crate) fn responder(
    trust_initiator: bool,
    suites: &[u8],
) -> (Crypto, Peer, ResponderState<Crypto>) {
    let peer = Peer {
        sk: StaticKey::from_bytes(&h(SK_R)).unwrap(),
        own: h(CRED_R),
        own_kid: [0x32],
        peer: h(CRED_I),
        trusted_kid: if trust_initiator { [0x2b] } else { [0x77] },
        peer_name: b"device-42",
    };
    let state = ResponderState::<Crypto>::new(&ResponderConfig {
        suites,
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x2A]).unwrap(),
        send_message_4: true,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    (RustCryptoProvider::with_os_rng(), peer, state)
}
