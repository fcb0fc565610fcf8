//! EDHOC message_1 as received by the responder (structure, suite negotiation, G_X
//! validation, EAD_1), then message_2 for what it accepts; error messages for what it
//! refuses must parse. Round trip: message_1 encoded from fuzzer-chosen parts is accepted
//! with exactly those parts.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use iomt_auth::__fuzz::edhoc as edhoc_codec;
use iomt_auth::edhoc::{ConnId, EadLabels, ErrorMessage, Method, Responder, ResponderConfig};
use iomt_fuzz::edhoc::LABELS;
use iomt_fuzz::fixture::{self, FuzzProvider};
use iomt_fuzz::provider::FuzzCrypto;
use libfuzzer_sys::fuzz_target;

const G_X: &str = "8af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b6";

#[derive(Debug, Arbitrary)]
struct Parts {
    method: u8,
    suites: Vec<u8>,
    c_i: Vec<u8>,
    ead: Vec<u8>,
}

fuzz_target!(|data: &[u8]| {
    let f = fixture::get();
    let (_, key_r) = FuzzCrypto::keys(f);
    let own_r = fixture::local_r(f, &key_r, false);
    let labels = EadLabels::new(LABELS).unwrap();
    let configs: [(&[u8], &[Method]); 3] = [
        (&[2, 5], &Method::ALL),
        (&[5], &[Method::StatStat]),
        (&[2], &[Method::SigSig, Method::StatSig]),
    ];
    let structurally_ok = edhoc_codec::decode_message_1(data);
    for (suites, methods) in configs {
        let mut crypto = FuzzCrypto::default();
        let cfg = ResponderConfig {
            suites,
            methods,
            c_r: ConnId::new(&[0x27]).unwrap(),
            send_message_4: false,
            ead_labels: labels,
        };
        let r = Responder::<FuzzCrypto>::new(&cfg).unwrap();
        match r.process_message_1(&mut crypto, data) {
            Ok(p) => {
                assert!(
                    structurally_ok,
                    "accepted a message_1 the structural decoder refuses"
                );
                assert!(methods.contains(&p.method()));
                assert!(suites.contains(&p.selected_suite().id()));
                assert!(p.c_i().as_bytes().len() <= 7);
                for item in p.ead_1().items() {
                    // Items of a validated EAD field.
                    assert!(!item.is_critical() || labels.understands(item.label));
                }
                let mut out = [0u8; 640];
                let r2 = p.prepare_message_2(&mut crypto, &own_r, &[], &mut out);
                assert!(
                    r2.is_ok(),
                    "an accepted message_1 must be answerable: {r2:?}"
                );
            }
            Err(e) => {
                let mut out = [0u8; 256];
                if let Ok(Some(n)) = r.error_message(&e, &mut out) {
                    let em = ErrorMessage::parse(&out[..n]).expect("our error message parses");
                    assert_eq!(Some(em.code), e.wire_err_code());
                    if em.code == 2 {
                        assert_eq!(
                            em.suites_r.map(|s| s.as_slice().to_vec()),
                            Some(suites.to_vec())
                        );
                    }
                }
            }
        }
    }

    // parse(emit(parts)) == parts.
    let Ok(parts) = Parts::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let g_x = iomt_fuzz::hex(G_X);
    let suites: Vec<u8> = parts.suites.iter().take(4).copied().collect();
    let mut m1 = [0u8; 256];
    let Ok(n) = edhoc_codec::encode_message_1(
        &mut m1,
        parts.method % 4,
        &suites,
        &g_x,
        &parts.c_i,
        &parts.ead,
    ) else {
        return;
    };
    let m1 = &m1[..n];
    // The encoder writes the ead bytes as given; only a well-formed EAD can be accepted.
    let r = Responder::<FuzzCrypto>::new(&ResponderConfig {
        suites: &[2, 5],
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: false,
        ead_labels: labels,
    })
    .unwrap();
    let mut crypto = FuzzCrypto::default();
    if let Ok(p) = r.process_message_1(&mut crypto, m1) {
        assert_eq!(p.method().id(), parts.method % 4);
        assert_eq!(Some(&p.selected_suite().id()), suites.last());
        assert_eq!(p.c_i().as_bytes(), &parts.c_i[..]);
        assert_eq!(p.ead_1().raw(), &parts.ead[..]);
    } else if parts.ead.is_empty()
        && !suites.is_empty()
        && suites.iter().all(|s| [2, 5].contains(s))
        && suites.len() == 1
        && parts.c_i.len() <= 7
    {
        panic!("a well-formed message_1 was refused: {m1:02x?}");
    }
});
