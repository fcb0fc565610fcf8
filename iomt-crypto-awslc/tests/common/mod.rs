//! Shared set-up of the interop test and the responder benchmark: one full EDHOC handshake
//! (messages 1–3, both sides complete, exporter keys compared) between an initiator on one
//! provider and a responder on another, RFC 9529 §3 credentials and static keys.
#![allow(dead_code, reason = "each user (test, bench) calls a subset")]
#![allow(clippy::unwrap_used, reason = "test/bench set-up on known-good inputs")]

use core::time::Duration;

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    AfterMessage3, ConnId, EadLabels, Initiator, InitiatorConfig, Method, Responder,
    ResponderConfig,
};
use iomt_crypto::CryptoProvider;

const CRED_I: &str = "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
const SK_I: &str = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
const SK_R: &str = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";

fn h(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// An initiator on provider `I` and a responder on provider `R`, with their keys.
pub(crate) struct Pair<I: CryptoProvider, R: CryptoProvider> {
    pub(crate) i: I,
    pub(crate) r: R,
    sk_i: I::KeyHandle,
    sk_r: R::KeyHandle,
    cred_i: Vec<u8>,
    cred_r: Vec<u8>,
}

impl<I: CryptoProvider, R: CryptoProvider> Pair<I, R> {
    /// Imports the RFC 9529 static keys into each side's provider.
    pub(crate) fn new(mut i: I, mut r: R) -> Self {
        let sk_i = i.p256_import_key(&h(SK_I)).unwrap();
        let sk_r = r.p256_import_key(&h(SK_R)).unwrap();
        Self {
            i,
            r,
            sk_i,
            sk_r,
            cred_i: h(CRED_I),
            cred_r: h(CRED_R),
        }
    }

    /// One full handshake; returns both sides' exporter output (asserted equal) and the
    /// responder's time as measured by `clock` around its calls only.
    pub(crate) fn handshake(
        &mut self,
        method: Method,
        suite: u8,
        clock: fn() -> Duration,
    ) -> ([u8; 16], Duration) {
        let (ci, cr) = (&mut self.i, &mut self.r);
        let me_i = LocalCredential {
            key: &self.sk_i,
            cred: &self.cred_i,
            id_cred: IdCred::Kid(&[0x2b]),
        };
        let me_r = LocalCredential {
            key: &self.sk_r,
            cred: &self.cred_r,
            id_cred: IdCred::Kid(&[0x32]),
        };
        let store_i = StaticTrustStore::new([TrustEntry {
            kid: &[0x32],
            cred: &self.cred_r,
            identity: PeerIdentity::default(),
            roles: RoleSet::EMPTY,
        }]);
        let store_r = StaticTrustStore::new([TrustEntry {
            kid: &[0x2b],
            cred: &self.cred_i,
            identity: PeerIdentity::default(),
            roles: RoleSet::EMPTY,
        }]);
        let initiator = Initiator::<I>::new(&InitiatorConfig {
            method,
            suites: &[suite],
            c_i: ConnId::new(&[0x37]).unwrap(),
            expect_message_4: false,
            ead_labels: EadLabels::NONE,
        })
        .unwrap();
        let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
        let (initiator, n) = initiator.prepare_message_1(ci, &[], &mut a).unwrap();
        let t0 = clock();
        let responder = Responder::<R>::new(&ResponderConfig {
            suites: &[2, 5],
            methods: &Method::ALL,
            c_r: ConnId::new(&[0x27]).unwrap(),
            send_message_4: false,
            ead_labels: EadLabels::NONE,
        })
        .unwrap();
        let (responder, n) = responder
            .process_message_1(cr, &a[..n])
            .unwrap()
            .prepare_message_2(cr, &me_r, &[], &mut b)
            .unwrap();
        let mut spent = clock() - t0;
        let initiator = initiator
            .parse_message_2(ci, &mut b[..n])
            .unwrap()
            .verify_with_store(ci, &store_i)
            .unwrap();
        let (AfterMessage3::Completed(mut di), n) =
            initiator.prepare_message_3(ci, &me_i, &[], &mut a).unwrap()
        else {
            unreachable!("no message 4 requested")
        };
        let t0 = clock();
        let mut dr = responder
            .parse_message_3(cr, &mut a[..n])
            .unwrap()
            .verify_with_store(cr, &store_r)
            .unwrap()
            .complete(cr)
            .unwrap();
        let mut kr = [0u8; 16];
        dr.exporter(cr, 0x8002, &[], &mut kr).unwrap();
        spent += clock() - t0;
        let mut ki = [0u8; 16];
        di.exporter(ci, 0x8002, &[], &mut ki).unwrap();
        assert_eq!(ki, kr, "both sides derive the same exporter key");
        (ki, spent)
    }
}

/// A clock for callers that do not measure.
pub(crate) fn no_clock() -> Duration {
    Duration::ZERO
}
