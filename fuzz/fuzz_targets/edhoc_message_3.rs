//! EDHOC message_3 as received by the responder (every method and suite, message_4 on and
//! off), with the NO SECURITY `FuzzCrypto` provider: the AEAD accepts any tag and leaves
//! the plaintext in clear, so the fuzzer writes PLAINTEXT_3 (ID_CRED_I,
//! Signature_or_MAC_3, EAD_3) behind a tag of the suite's length.
#![no_main]

use iomt_fuzz::edhoc::{COMBOS, responder_wait_message_3};
use iomt_fuzz::fixture;
use iomt_fuzz::provider::FuzzCrypto;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = fixture::get();
    let store = fixture::trust_r(f);
    for (i, (method, suite)) in COMBOS.into_iter().enumerate() {
        let m4 = i % 2 == 1;
        let mut crypto = FuzzCrypto::default();
        let (w, _, _) = responder_wait_message_3(&mut crypto, method, suite, m4);
        let mut msg = data.to_vec();
        let Ok(p) = w.parse_message_3(&mut crypto, &mut msg) else {
            continue;
        };
        let _ = p.id_cred_i();
        for item in p.ead_3().items() {
            let _ = item.value;
        }
        let Ok(v) = p.verify_with_store(&mut crypto, &store) else {
            continue;
        };
        let _ = v.th_3();
        assert_eq!(v.sends_message_4(), m4);
        if m4 {
            let mut out = [0u8; 256];
            let r = v.prepare_message_4(&mut crypto, &[], &mut out);
            assert!(r.is_ok(), "message_4 after an accepted message_3: {r:?}");
        } else {
            let c = v
                .complete(&mut crypto)
                .expect("complete after an accepted message_3");
            assert_eq!(c.method(), method);
            assert_eq!(c.selected_suite().id(), suite);
        }
    }
});
