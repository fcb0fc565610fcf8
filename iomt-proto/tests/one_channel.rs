//! One channel per completed handshake and key epoch, through the public Rust API: the
//! attacks of issue "One handshake implementation under both APIs" — a second
//! `Channel::from_edhoc` on one handshake, the channel's exporter labels taken by hand —
//! are refused with specific errors, and KeyUpdate on both sides allows exactly one
//! fresh channel, whose keys differ. The channel's connection id is the handshake's C_R
//! on both sides.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

mod common;

use iomt_auth::cred::{PeerIdentity, RoleSet, StaticTrustStore, TrustEntry};
use iomt_auth::edhoc::{
    CHANNEL_LABEL_INITIATOR_TO_RESPONDER, CHANNEL_LABEL_RESPONDER_TO_INITIATOR, Completed, ConnId,
    EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_auth::error::{ApiMisuse as AuthMisuse, AuthError};
use iomt_crypto::{RustCryptoProvider, StaticKey};
use iomt_proto::KeyExporter as _;
use iomt_proto::edhoc::EdhocExporter;
use iomt_proto::{ApiMisuse, Channel, ProtoError, Side};

use iomt_testkit::peers::Crypto;
use iomt_testkit::rfc9529::{CRED_I, CRED_R, SK_I, SK_R, h};
use iomt_testkit::stores::{local_i, local_r};

/// A method-3 handshake in memory (C_R = [2]); returns both completed sessions.
fn handshake(crypto: &mut Crypto, suite: u8) -> (Completed, Completed) {
    handshake_with_c_r(crypto, suite, &[2])
}

/// A method-3 handshake in memory with the responder's C_R `c_r`.
fn handshake_with_c_r(crypto: &mut Crypto, suite: u8, c_r: &[u8]) -> (Completed, Completed) {
    let (cred_i, cred_r) = (h(CRED_I), h(CRED_R));
    let (sk_i, sk_r) = (
        StaticKey::from_bytes(&h(SK_I)).unwrap(),
        StaticKey::from_bytes(&h(SK_R)).unwrap(),
    );
    let me_i = local_i(&sk_i, &cred_i);
    let me_r = local_r(&sk_r, &cred_r);
    let entry = |kid: &'static [u8], cred: &'static [u8], who: &[u8]| TrustEntry {
        kid,
        cred,
        identity: PeerIdentity::from_slice(who),
        roles: RoleSet::EMPTY,
    };
    let (ci, cr): (&'static [u8], &'static [u8]) = (cred_i.clone().leak(), cred_r.clone().leak());
    let trust_i = StaticTrustStore::new([entry(&[0x32], cr, b"gateway")]);
    let trust_r = StaticTrustStore::new([entry(&[0x2b], ci, b"device")]);
    let mut is = InitiatorState::<Crypto>::new(&InitiatorConfig {
        method: Method::StatStat,
        suites: &[suite],
        c_i: ConnId::new(&[1]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let mut rs = ResponderState::<Crypto>::new(&ResponderConfig {
        suites: &[2, 5],
        methods: &[Method::StatStat],
        c_r: ConnId::new(c_r).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
    let n = is.write_message_1(crypto, &[], &mut a).unwrap();
    let n = rs
        .handle_message_1(crypto, &a[..n], &me_r, &[], &mut b)
        .unwrap();
    let n = is
        .handle_message_2(crypto, &mut b[..n], &trust_i, &me_i, &[], &mut a)
        .unwrap();
    rs.handle_message_3(crypto, &mut a[..n], &trust_r, &[], &mut b)
        .unwrap();
    let (ResponderState::Completed(r), InitiatorState::Completed(i)) = (rs, is) else {
        panic!("handshake did not complete");
    };
    (i, r)
}

const REFUSED: ProtoError = ProtoError::ApiMisuse(ApiMisuse::ChannelAlreadyStarted);

#[test]
fn second_channel_from_one_handshake_is_refused_on_both_sides_and_suites() {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    for suite in [2, 5] {
        let (mut i, mut r) = handshake(&mut crypto, suite);
        let first_i: Result<Channel, _> = Channel::from_edhoc(&mut crypto, &mut i, Side::Initiator);
        assert!(first_i.is_ok(), "suite {suite}");
        let again_i: Result<Channel, _> = Channel::from_edhoc(&mut crypto, &mut i, Side::Initiator);
        assert_eq!(again_i.unwrap_err(), REFUSED, "suite {suite}");
        // the side argument does not matter: the handshake's keys are spent for this epoch
        let other_side: Result<Channel, _> =
            Channel::from_edhoc(&mut crypto, &mut i, Side::Responder);
        assert_eq!(other_side.unwrap_err(), REFUSED);
        let first_r: Result<Channel, _> = Channel::from_edhoc(&mut crypto, &mut r, Side::Responder);
        assert!(first_r.is_ok());
        let again_r: Result<Channel, _> = Channel::from_edhoc(&mut crypto, &mut r, Side::Responder);
        assert_eq!(again_r.unwrap_err(), REFUSED);
        assert!(i.channel_started() && r.channel_started());
    }
}

#[test]
fn channel_labels_cannot_be_exported_by_hand() {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let (mut i, _r) = handshake(&mut crypto, 2);
    let mut out = [0u8; 32];
    for label in [
        CHANNEL_LABEL_INITIATOR_TO_RESPONDER,
        CHANNEL_LABEL_RESPONDER_TO_INITIATOR,
    ] {
        assert_eq!(
            i.exporter(&mut crypto, label, &[], &mut out),
            Err(AuthError::ApiMisuse(AuthMisuse::ReservedExporterLabel))
        );
    }
    // Channel::new over the handshake's exporter cannot reach the channel keys either.
    let mut c2 = RustCryptoProvider::with_os_rng();
    let mut exporter = EdhocExporter::new(&mut i, &mut c2);
    let by_hand: Result<Channel, _> = Channel::new(
        &mut crypto,
        &mut exporter,
        iomt_crypto::AeadAlgorithm::AesCcm16_64_128,
        Side::Initiator,
        7,
    );
    assert_eq!(by_hand.unwrap_err(), ProtoError::KeyExport);
    // other private-use labels still work, and the channel is still available
    assert!(i.exporter(&mut crypto, 0x8002, b"app", &mut out).is_ok());
    assert!(!i.channel_started());
}

#[test]
fn key_update_on_both_sides_allows_exactly_one_fresh_channel_with_new_keys() {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let (mut i, mut r) = handshake(&mut crypto, 5);
    let mut old_i: Channel = Channel::from_edhoc(&mut crypto, &mut i, Side::Initiator).unwrap();
    let mut old_r: Channel = Channel::from_edhoc(&mut crypto, &mut r, Side::Responder).unwrap();
    let payload = [0x55u8; 24];
    let (mut f_old, mut f_new) = ([0u8; 128], [0u8; 128]);
    let n_old = old_i
        .seal_data(&mut crypto, None, &payload, &mut f_old)
        .unwrap();
    i.key_update(&mut crypto, b"reconnect").unwrap();
    r.key_update(&mut crypto, b"reconnect").unwrap();
    let mut new_i: Channel = Channel::from_edhoc(&mut crypto, &mut i, Side::Initiator).unwrap();
    let mut new_r: Channel = Channel::from_edhoc(&mut crypto, &mut r, Side::Responder).unwrap();
    let n_new = new_i
        .seal_data(&mut crypto, None, &payload, &mut f_new)
        .unwrap();
    // Same header (epoch 0, sequence 0) and plaintext, but another key: no keystream reuse.
    assert_eq!(n_old, n_new);
    assert_ne!(f_old[..n_old], f_new[..n_new]);
    // The new channel works end to end; the old frame does not open in it.
    let mut copy = f_old;
    assert_eq!(
        new_r.open(&mut crypto, &mut copy[..n_old]).unwrap_err(),
        ProtoError::AuthenticationFailed
    );
    assert_eq!(
        new_r
            .open(&mut crypto, &mut f_new[..n_new])
            .unwrap()
            .payload,
        &payload
    );
    assert_eq!(
        old_r
            .open(&mut crypto, &mut f_old[..n_old])
            .unwrap()
            .payload,
        &payload
    );
    // and the new epoch's channel is, again, once only
    let third: Result<Channel, _> = Channel::from_edhoc(&mut crypto, &mut i, Side::Initiator);
    assert_eq!(third.unwrap_err(), REFUSED);
}

#[test]
fn both_sides_derive_the_conn_id_from_c_r_and_concurrent_sessions_differ() {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    // two sessions of one responder, open at the same time (distinct C_R, RFC 9528 §3.3.2)
    let (mut i1, mut r1) = handshake_with_c_r(&mut crypto, 2, &[0x05]);
    let (mut i2, mut r2) = handshake_with_c_r(&mut crypto, 2, &[0x27]);
    let mut d1: Channel = Channel::from_edhoc(&mut crypto, &mut i1, Side::Initiator).unwrap();
    let mut g1: Channel = Channel::from_edhoc(&mut crypto, &mut r1, Side::Responder).unwrap();
    let mut d2: Channel = Channel::from_edhoc(&mut crypto, &mut i2, Side::Initiator).unwrap();
    let mut g2: Channel = Channel::from_edhoc(&mut crypto, &mut r2, Side::Responder).unwrap();
    assert_eq!((d1.conn_id(), g1.conn_id()), (0x05, 0x05));
    assert_eq!((d2.conn_id(), g2.conn_id()), (0x27, 0x27));
    // each session's frames open on its own peer ...
    let mut out = [0u8; 128];
    let n = d1.seal_data(&mut crypto, None, b"hr 72", &mut out).unwrap();
    assert_eq!(
        g1.open(&mut crypto, &mut out[..n]).unwrap().payload,
        b"hr 72"
    );
    // ... and a frame of session 1 sent to session 2 is refused before decryption
    let n = d1.seal_data(&mut crypto, None, b"hr 73", &mut out).unwrap();
    assert!(matches!(
        g2.open(&mut crypto, &mut out[..n]),
        Err(ProtoError::Rejected(
            iomt_proto::Rejection::WrongConnectionId {
                expected: 0x27,
                got: 0x05
            }
        ))
    ));
    let n = g2.seal_data(&mut crypto, None, b"ack", &mut out).unwrap();
    assert_eq!(d2.open(&mut crypto, &mut out[..n]).unwrap().payload, b"ack");
}

#[test]
fn a_c_r_that_is_not_one_byte_is_refused_without_using_up_the_channel() {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    for c_r in [&[][..], &[1, 2][..], &[1, 2, 3, 4, 5, 6, 7][..]] {
        let (mut i, mut r) = handshake_with_c_r(&mut crypto, 2, c_r);
        let len = u8::try_from(c_r.len()).unwrap();
        for (done, side) in [(&mut i, Side::Initiator), (&mut r, Side::Responder)] {
            let got: Result<Channel, _> = Channel::from_edhoc(&mut crypto, done, side);
            assert_eq!(got.unwrap_err(), ProtoError::ConnIdNotOneByte { len });
            assert_eq!(ProtoError::ConnIdNotOneByte { len }.code(), 338);
            assert_eq!(
                iomt_proto::edhoc::conn_id_of(done),
                Err(ProtoError::ConnIdNotOneByte { len })
            );
        }
        // the refusal derived nothing: the handshake's exporter still serves the
        // application, and its channel secrets were not consumed
        let mut k = [0u8; 16];
        EdhocExporter::new(&mut i, &mut crypto)
            .export(40_000, b"", &mut k)
            .unwrap();
    }
}
