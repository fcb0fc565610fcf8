//! One full EDHOC handshake (messages 1–3, both sides complete, exporter keys compared)
//! between an initiator on one provider and a responder on another, with the RFC 9529 §3
//! credentials and static keys: the backend interop tests and responder benchmarks
//! (`iomt-crypto-awslc`, `perf/lakers-compare`).

use core::time::Duration;

use iomt_auth::cred::{PeerIdentity, RoleSet, StaticTrustStore, TrustEntry};
use iomt_auth::edhoc::{
    AfterMessage3, ConnId, EadLabels, Initiator, InitiatorConfig, Method, Responder,
    ResponderConfig,
};
use iomt_crypto::CryptoProvider;

use crate::rfc9529::{CRED_I, CRED_R, KID_I, KID_R, SK_I, SK_R, h};
use crate::stores::{local_i, local_r};

/// The exporter label both sides derive and compare (private-use range).
const EXPORTER_LABEL: u16 = 0x8002;

/// An initiator on provider `I` and a responder on provider `R`, with their RFC 9529
/// static keys imported into each side's provider.
pub struct ProviderPair<I: CryptoProvider, R: CryptoProvider> {
    /// The initiator's provider (the device side).
    pub i: I,
    /// The responder's provider (the gateway side).
    pub r: R,
    sk_i: I::KeyHandle,
    sk_r: R::KeyHandle,
    cred_i: Vec<u8>,
    cred_r: Vec<u8>,
}

impl<I: CryptoProvider, R: CryptoProvider> ProviderPair<I, R> {
    /// Imports the RFC 9529 static keys into each side's provider.
    ///
    /// # Panics
    /// If a provider rejects the RFC 9529 key.
    pub fn new(mut i: I, mut r: R) -> Self {
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

    /// One full handshake (`method`, initiator offering `suite`, responder accepting
    /// suites 2 and 5 and every method, no message_4, no EAD); returns the exporter output
    /// (both sides', asserted equal) and the responder's time as measured by `clock` around
    /// its calls only (`Responder::new` through `complete` and its exporter).
    ///
    /// # Panics
    /// If any step fails or the two sides' exporter outputs differ.
    pub fn handshake(
        &mut self,
        method: Method,
        suite: u8,
        clock: fn() -> Duration,
    ) -> ([u8; 16], Duration) {
        let (ci, cr) = (&mut self.i, &mut self.r);
        let me_i = local_i(&self.sk_i, &self.cred_i);
        let me_r = local_r(&self.sk_r, &self.cred_r);
        let store_i = anonymous_store(KID_R, &self.cred_r);
        let store_r = anonymous_store(KID_I, &self.cred_i);
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
        dr.exporter(cr, EXPORTER_LABEL, &[], &mut kr).unwrap();
        spent += clock() - t0;
        let mut ki = [0u8; 16];
        di.exporter(ci, EXPORTER_LABEL, &[], &mut ki).unwrap();
        assert_eq!(ki, kr, "both sides derive the same exporter key");
        (ki, spent)
    }
}

/// A one-entry trust store: the peer's credential under `kid`, no identity, no roles.
fn anonymous_store<'a>(kid: &'a [u8], cred: &'a [u8]) -> StaticTrustStore<'a, 1> {
    StaticTrustStore::new([TrustEntry {
        kid,
        cred,
        identity: PeerIdentity::default(),
        roles: RoleSet::EMPTY,
    }])
}
