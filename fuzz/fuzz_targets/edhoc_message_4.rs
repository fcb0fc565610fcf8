//! EDHOC message_4 as received by the initiator (every method and suite), with the NO
//! SECURITY `FuzzCrypto` provider (the AEAD accepts any tag, so PLAINTEXT_4 = EAD_4 is
//! parsed).
#![no_main]

use iomt_fuzz::edhoc::{COMBOS, initiator_wait_message_4};
use iomt_fuzz::provider::FuzzCrypto;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (method, suite) in COMBOS {
        let mut crypto = FuzzCrypto::default();
        let (w, _, _) = initiator_wait_message_4(&mut crypto, method, suite);
        let mut msg = data.to_vec();
        if let Ok((c, ead_4)) = w.process_message_4(&mut crypto, &mut msg) {
            assert_eq!(c.method(), method);
            assert_eq!(c.selected_suite().id(), suite);
            for item in ead_4.items() {
                let _ = item.value;
            }
        }
    }
});
