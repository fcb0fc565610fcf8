//! EDHOC message_2 as received by the initiator (every method and suite), with the NO
//! SECURITY `FuzzCrypto` provider: KEYSTREAM_2 is zero, so the fuzzer writes PLAINTEXT_2
//! directly (C_R, ID_CRED_R, Signature_or_MAC_2, EAD_2); MACs pass when zero, signatures
//! always. Accepted messages go on to verification and message_3. Error messages in place
//! of message_2 go through `retry_after_error`.
#![no_main]

use iomt_auth::AuthError;
use iomt_auth::edhoc::{AfterMessage3, ErrorMessage};
use iomt_fuzz::edhoc::{COMBOS, initiator_wait_message_2};
use iomt_fuzz::fixture::{self, FuzzProvider};
use iomt_fuzz::provider::FuzzCrypto;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = fixture::get();
    let (key_i, _) = FuzzCrypto::keys(f);
    let own_i = fixture::local_i(f, &key_i, false);
    let store = fixture::trust_i(f);
    let is_error = ErrorMessage::parse(data).is_ok();
    for (i, (method, suite)) in COMBOS.into_iter().enumerate() {
        let m4 = i % 3 == 0;
        let mut crypto = FuzzCrypto::default();
        let (w, _m1) = initiator_wait_message_2(&mut crypto, method, suite, m4);
        if is_error {
            let (w2, _) = initiator_wait_message_2(&mut crypto, method, suite, m4);
            match w2.retry_after_error(data) {
                Ok(i) => assert!([2, 5].contains(&i.selected_suite().id())),
                Err(AuthError::PeerError { code }) => {
                    assert_eq!(Some(code), ErrorMessage::parse(data).ok().map(|e| e.code))
                }
                Err(_) => {}
            }
        }
        let mut msg = data.to_vec();
        let Ok(p) = w.parse_message_2(&mut crypto, &mut msg) else {
            continue;
        };
        assert!(p.c_r().as_bytes().len() <= 7);
        let _ = p.id_cred_r();
        for item in p.ead_2().items() {
            let _ = item.value;
        }
        let Ok(v) = p.verify_with_store(&mut crypto, &store) else {
            continue;
        };
        let mut out = [0u8; 640];
        match v.prepare_message_3(&mut crypto, &own_i, &[], &mut out) {
            Ok((AfterMessage3::Completed(c), _)) => assert!(!m4 && c.method() == method),
            Ok((AfterMessage3::WaitMessage4(_), _)) => assert!(m4),
            Err(e) => panic!("an accepted message_2 must be answerable: {e:?}"),
        }
    }
});
