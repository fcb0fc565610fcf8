//! The EDHOC error message (RFC 9528 §6) as received by either role: the strict parser,
//! `write_error_message(parse(m)) == m` for ERR_CODE 1, 2 and 3, the initiator's suite
//! renegotiation (`InitiatorState::handle_message_2` with an error), and the responder's
//! handling of an error in place of message_1/message_3.
#![no_main]

use iomt_auth::AuthError;
use iomt_auth::edhoc::Method;
use iomt_auth::edhoc::{
    ErrInfo, ErrorMessage, InitiatorState, ResponderState, write_error_message,
};
use iomt_fuzz::edhoc::{initiator_config, responder_config};
use iomt_fuzz::fixture::{self, FuzzProvider};
use iomt_fuzz::provider::FuzzCrypto;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = ErrorMessage::parse(data);
    if let Ok(e) = parsed {
        assert_ne!(e.code, 0);
        let info = match e.code {
            1 => Some(ErrInfo::Text(e.diagnostic.expect("code 1 has a text"))),
            // Suite numbers outside 0..=255 (e.g. private-use negative ones) decode to the
            // documented "never supported" sentinel 0xFF, so only in-range lists round-trip.
            2 if !e
                .suites_r
                .as_ref()
                .expect("code 2 has SUITES_R")
                .contains(0xFF) =>
            {
                Some(ErrInfo::Suites(
                    e.suites_r.as_ref().expect("code 2 has SUITES_R").as_slice(),
                ))
            }
            3 => Some(ErrInfo::True),
            _ => None,
        };
        if let Some(info) = info {
            let mut out = [0u8; 512];
            let n = write_error_message(e.code, info, &mut out).expect("fits");
            assert_eq!(&out[..n], data, "error message is not canonical");
        }
    }

    let f = fixture::get();
    let (key_i, key_r) = FuzzCrypto::keys(f);
    let own_i = fixture::local_i(f, &key_i, false);
    let own_r = fixture::local_r(f, &key_r, false);
    let mut crypto = FuzzCrypto::default();
    let mut out = [0u8; 640];

    // Initiator waiting for message_2 receives this instead.
    for suites in [&[2u8][..], &[5, 2], &[6, 5, 2]] {
        let mut init =
            InitiatorState::<FuzzCrypto>::new(&initiator_config(Method::StatStat, suites, false))
                .unwrap();
        init.write_message_1(&mut crypto, &[], &mut out).unwrap();
        let mut msg = data.to_vec();
        match init.handle_message_2(
            &mut crypto,
            &mut msg,
            &fixture::trust_i(f),
            &own_i,
            &[],
            &mut out,
        ) {
            Err(AuthError::PeerError { code: 2 }) if !init.is_failed() => {
                // Renegotiation: a new message_1 with a suite from SUITES_R.
                let r = parsed.expect("only a parsed error renegotiates");
                assert_eq!(r.code, 2);
                let n = init
                    .write_message_1(&mut crypto, &[], &mut out)
                    .expect("second message_1");
                assert!(n > 0);
            }
            Err(AuthError::PeerError { code }) => {
                assert!(init.is_failed());
                assert_eq!(parsed.map(|e| e.code), Ok(code));
            }
            Err(_) => assert!(init.is_failed()),
            Ok(_) => assert!(parsed.is_err(), "an error message completed message_2"),
        }
        let mut e = [0u8; 128];
        if let Ok(Some(n)) = init.error_message(&mut e) {
            assert!(ErrorMessage::parse(&e[..n]).is_ok());
        }
    }

    // Responder gets it as message_1: never accepted if it parses as an error message.
    let mut resp = ResponderState::<FuzzCrypto>::new(&responder_config(false)).unwrap();
    let r = resp.handle_message_1(&mut crypto, data, &own_r, &[], &mut out);
    if parsed.is_ok() {
        assert!(r.is_err(), "an error message was accepted as message_1");
    }
});
