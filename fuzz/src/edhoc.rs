//! Set-ups for the per-message EDHOC targets: honest peers (with [`FuzzCrypto`]) driven
//! to the state in which the fuzzed message is received.

use iomt_auth::edhoc::{
    AfterMessage3, ConnId, EadLabels, Initiator, InitiatorConfig, InitiatorWaitMessage2,
    InitiatorWaitMessage4, Method, Responder, ResponderConfig, ResponderWaitMessage3,
};

use crate::fixture::{self, FuzzProvider};
use crate::provider::FuzzCrypto;

/// Every (method, suite) combination.
pub const COMBOS: [(Method, u8); 8] = [
    (Method::SigSig, 2),
    (Method::SigSig, 5),
    (Method::SigStat, 2),
    (Method::SigStat, 5),
    (Method::StatSig, 2),
    (Method::StatSig, 5),
    (Method::StatStat, 2),
    (Method::StatStat, 5),
];

/// EAD labels both sides understand in these set-ups.
pub const LABELS: &[u16] = &[1, 2, 3];

/// C_I of the set-ups (one-byte integer representation).
pub const C_I: u8 = 0x37;
/// C_R of the set-ups.
pub const C_R: u8 = 0x27;

/// Initiator configuration for `method` and `suite`.
#[must_use]
pub fn initiator_config(method: Method, suite: &[u8], m4: bool) -> InitiatorConfig<'_> {
    InitiatorConfig {
        method,
        suites: suite,
        c_i: ConnId::new(&[C_I]).expect("c_i"),
        expect_message_4: m4,
        ead_labels: EadLabels::new(LABELS).expect("labels"),
    }
}

/// Responder configuration accepting every method and both suites.
#[must_use]
pub fn responder_config(m4: bool) -> ResponderConfig<'static> {
    ResponderConfig {
        suites: &[2, 5],
        methods: &Method::ALL,
        c_r: ConnId::new(&[C_R]).expect("c_r"),
        send_message_4: m4,
        ead_labels: EadLabels::new(LABELS).expect("labels"),
    }
}

/// An initiator that sent message_1 (returned too) and waits for message_2.
#[must_use]
pub fn initiator_wait_message_2(
    crypto: &mut FuzzCrypto,
    method: Method,
    suite: u8,
    m4: bool,
) -> (InitiatorWaitMessage2<FuzzCrypto>, Vec<u8>) {
    let suites = [suite];
    let init = Initiator::new(&initiator_config(method, &suites, m4)).expect("initiator");
    let mut m1 = [0u8; 128];
    let (w, n) = init
        .prepare_message_1(crypto, &[], &mut m1)
        .expect("message_1");
    (w, m1[..n].to_vec())
}

/// A responder that answered the honest message_1 and waits for message_3; also returns
/// the honest message_2.
#[must_use]
pub fn responder_wait_message_3(
    crypto: &mut FuzzCrypto,
    method: Method,
    suite: u8,
    m4: bool,
) -> (ResponderWaitMessage3<FuzzCrypto>, Vec<u8>, Vec<u8>) {
    let f = fixture::get();
    let (_, key_r) = FuzzCrypto::keys(f);
    let own_r = fixture::local_r(f, &key_r, false);
    let (_w, m1) = initiator_wait_message_2(crypto, method, suite, m4);
    let resp = Responder::new(&responder_config(m4)).expect("responder");
    let p = resp
        .process_message_1(crypto, &m1)
        .expect("honest message_1");
    let mut m2 = [0u8; 640];
    let (w, n) = p
        .prepare_message_2(crypto, &own_r, &[], &mut m2)
        .expect("message_2");
    (w, m1, m2[..n].to_vec())
}

/// The honest message_2 and message_3 of a FuzzCrypto handshake, and the initiator
/// waiting for message_4 (expects message_4).
#[must_use]
pub fn initiator_wait_message_4(
    crypto: &mut FuzzCrypto,
    method: Method,
    suite: u8,
) -> (InitiatorWaitMessage4<FuzzCrypto>, Vec<u8>, Vec<u8>) {
    let f = fixture::get();
    let (key_i, key_r) = FuzzCrypto::keys(f);
    let own_i = fixture::local_i(f, &key_i, false);
    let own_r = fixture::local_r(f, &key_r, false);
    let (w2, m1) = initiator_wait_message_2(crypto, method, suite, true);
    let resp = Responder::new(&responder_config(true)).expect("responder");
    let p = resp
        .process_message_1(crypto, &m1)
        .expect("honest message_1");
    let mut m2 = [0u8; 640];
    let (_w3, n2) = p
        .prepare_message_2(crypto, &own_r, &[], &mut m2)
        .expect("message_2");
    let honest_m2 = m2[..n2].to_vec();
    let p2 = w2
        .parse_message_2(crypto, &mut m2[..n2])
        .expect("parse message_2");
    let v = p2
        .verify_with_store(crypto, &fixture::trust_i(f))
        .expect("verify message_2");
    let mut m3 = [0u8; 640];
    let (after, n3) = v
        .prepare_message_3(crypto, &own_i, &[], &mut m3)
        .expect("message_3");
    let AfterMessage3::WaitMessage4(w4) = after else {
        panic!("message_4 expected by configuration");
    };
    (w4, honest_m2, m3[..n3].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use iomt_auth::edhoc::{ErrInfo, write_error_message};

    fn write(target: &str, name: &str, data: &[u8]) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), data).unwrap();
    }

    /// Honest FuzzCrypto messages of every method and suite: the set-ups above accept them.
    #[test]
    fn honest_messages_pass_the_setups() {
        for (method, suite) in COMBOS {
            let mut crypto = FuzzCrypto::default();
            let (w4, m2, m3) = initiator_wait_message_4(&mut crypto, method, suite);
            let _ = w4;
            // message_2 as the message_2 target sees it.
            let mut crypto = FuzzCrypto::default();
            let (w, _) = initiator_wait_message_2(&mut crypto, method, suite, true);
            let mut m = m2.clone();
            assert!(
                w.parse_message_2(&mut crypto, &mut m).is_ok(),
                "{method:?} {suite}"
            );
            // message_3 as the message_3 target sees it.
            let mut crypto = FuzzCrypto::default();
            let (w, _, _) = responder_wait_message_3(&mut crypto, method, suite, true);
            let mut m = m3.clone();
            assert!(
                w.parse_message_3(&mut crypto, &mut m).is_ok(),
                "{method:?} {suite}"
            );
        }
    }

    /// Regenerates the FuzzCrypto seeds: `cargo +nightly test --release --lib -- --ignored write_seeds`.
    #[test]
    #[ignore = "writes fuzz/corpus/*; run by hand"]
    fn write_seeds() {
        let f = crate::fixture::get();
        let (_, key_r) = FuzzCrypto::keys(f);
        let own_r = crate::fixture::local_r(f, &key_r, false);
        for (method, suite) in COMBOS {
            let tag = format!("fuzzcrypto_m{}_s{suite}", method.id());
            let mut crypto = FuzzCrypto::default();
            let (_w2, m1) = initiator_wait_message_2(&mut crypto, method, suite, true);
            write("edhoc_message_1", &tag, &m1);
            let mut crypto = FuzzCrypto::default();
            let (_w4, m2, m3) = initiator_wait_message_4(&mut crypto, method, suite);
            write("edhoc_message_2", &tag, &m2);
            write("edhoc_message_3", &tag, &m3);
            // message_4 from the responder of the same FuzzCrypto run.
            let mut crypto = FuzzCrypto::default();
            let (w3, _, _) = responder_wait_message_3(&mut crypto, method, suite, true);
            let mut m = m3.clone();
            let p = w3.parse_message_3(&mut crypto, &mut m).unwrap();
            let v = p
                .verify_with_store(&mut crypto, &crate::fixture::trust_r(f))
                .unwrap();
            let mut out = [0u8; 64];
            let (_, n) = v.prepare_message_4(&mut crypto, &[], &mut out).unwrap();
            write("edhoc_message_4", &tag, &out[..n]);
            let _ = &own_r;
        }
        let mut out = [0u8; 64];
        for (name, code, info) in [
            ("err_suites_2", 2, ErrInfo::Suites(&[2])),
            ("err_suites_5_2", 2, ErrInfo::Suites(&[5, 2])),
            ("err_text", 1, ErrInfo::Text("Method not supported")),
            ("err_unknown_cred", 3, ErrInfo::True),
        ] {
            let n = write_error_message(code, info, &mut out).unwrap();
            write("edhoc_error", name, &out[..n]);
        }
    }
}
