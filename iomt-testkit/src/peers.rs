//! The RFC 9529 §3 initiator and responder (credentials, keys, trust stores, EDHOC
//! states) shared by the handshake tests over every transport (iomt-proto's tests).

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_crypto::{RustCryptoProvider, StaticKey};

use crate::rfc9529::{CRED_I, CRED_R, SK_I, SK_R, h};

/// The provider of the handshake tests (with an OS RNG: ephemeral keys).
pub type Crypto = RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>;

/// One side's key, own credential and the one peer credential it trusts.
pub struct Peer {
    sk: StaticKey,
    own: Vec<u8>,
    own_kid: [u8; 1],
    peer: Vec<u8>,
    trusted_kid: [u8; 1],
    peer_name: &'static [u8],
}

impl Peer {
    /// This side's own credential (key, CCS, kid).
    #[must_use]
    pub fn local(&self) -> LocalCredential<'_, StaticKey> {
        LocalCredential {
            key: &self.sk,
            cred: &self.own,
            id_cred: IdCred::Kid(&self.own_kid),
        }
    }

    /// This side's trust store: the one peer, no roles.
    #[must_use]
    pub fn trust(&self) -> StaticTrustStore<'_, 1> {
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
pub fn initiator(suites: &[u8], expect_message_4: bool) -> (Crypto, Peer, InitiatorState<Crypto>) {
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
pub fn responder(trust_initiator: bool, suites: &[u8]) -> (Crypto, Peer, ResponderState<Crypto>) {
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
