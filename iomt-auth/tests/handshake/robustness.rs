//! Robustness: every bit flip and truncation is rejected, random message sequences and the
//! fuzz drivers never panic or complete, state sizes, and error messages are never answered.

use super::*;

/// Every single-bit flip and every truncation of every message, in all method × suite
/// combinations: never a panic, and the receiver of the damaged message never completes.
#[test]
fn every_bit_flip_and_truncation_is_rejected() {
    let mut trials = 0usize;
    for s in Setup::all(true) {
        let clean = run(s, None).transcript;
        let msgs = [&clean.m1, &clean.m2, &clean.m3, &clean.m4];
        for (idx, m) in msgs.iter().enumerate() {
            let which = idx + 1;
            let check = |o: &Outcome, what: &str| {
                assert!(o.error.is_some(), "{s:?} m{which} {what} accepted");
                match which {
                    1 | 2 => assert!(
                        !o.initiator_done && !o.responder_done,
                        "{s:?} m{which} {what}"
                    ),
                    3 => assert!(!o.responder_done, "{s:?} m3 {what}"),
                    _ => assert!(!o.initiator_done, "{s:?} m4 {what}"),
                }
            };
            for bit in 0..m.len() * 8 {
                let f = move |v: &mut Vec<u8>| v[bit / 8] ^= 1 << (bit % 8);
                check(&run(s, Some((which, &f))), &format!("flip {bit}"));
                trials += 1;
            }
            for len in 0..m.len() {
                let f = move |v: &mut Vec<u8>| v.truncate(len);
                check(&run(s, Some((which, &f))), &format!("truncate {len}"));
                trials += 1;
            }
        }
    }
    println!("{trials} tampered handshakes rejected");
}

/// The same for credentials sent by value (larger plaintexts, CCS parsing of peer bytes).
#[test]
fn every_bit_flip_and_truncation_is_rejected_by_value() {
    for (method, suite) in [(Method::SigStat, 5)] {
        let s = Setup {
            method,
            suite,
            message_4: true,
            by_value: true,
        };
        let clean = run(s, None).transcript;
        for (idx, m) in [&clean.m1, &clean.m2, &clean.m3, &clean.m4]
            .iter()
            .enumerate()
        {
            let which = idx + 1;
            for bit in 0..m.len() * 8 {
                let f = move |v: &mut Vec<u8>| v[bit / 8] ^= 1 << (bit % 8);
                let o = run(s, Some((which, &f)));
                assert!(o.error.is_some(), "{s:?} m{which} flip {bit}");
                assert!(
                    !(o.initiator_done && o.responder_done),
                    "{s:?} m{which} flip {bit}"
                );
            }
            for len in 0..m.len() {
                let f = move |v: &mut Vec<u8>| v.truncate(len);
                let o = run(s, Some((which, &f)));
                assert!(o.error.is_some(), "{s:?} m{which} truncate {len}");
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// Feed message k of the clean transcript (possibly to the wrong role).
    Clean(usize),
    /// Feed random bytes.
    Random(Vec<u8>),
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Random message sequences into both storable state machines: never panic, never
    /// complete.
    #[test]
    fn random_sequences_never_complete(ops in proptest::collection::vec(
        prop_oneof![
            (1usize..=4).prop_map(Op::Clean),
            proptest::collection::vec(any::<u8>(), 0..80).prop_map(Op::Random),
        ], 1..6)) {
        let k = keys();
        let clean = run(Setup { method: Method::StatStat, suite: 2, message_4: true, by_value: false }, None).transcript;
        let mut c = DeterministicProvider::new();
        let me_i = k.local_i();
        let me_r = k.local_r();
        let (store_i, store_r) = (store_of_i(&k.cred_r), store_of_r(&k.cred_i));
        let icfg = InitiatorConfig { method: Method::StatStat, suites: &[2], c_i: ConnId::new(&[0x37]).unwrap(), expect_message_4: true, ead_labels: EadLabels::NONE };
        let rcfg = ResponderConfig { suites: &[2], methods: &Method::ALL, c_r: ConnId::new(&[0x27]).unwrap(), send_message_4: true, ead_labels: EadLabels::NONE };
        let mut is = InitiatorState::<DeterministicProvider>::new(&icfg).unwrap();
        let mut rs = ResponderState::<DeterministicProvider>::new(&rcfg).unwrap();
        let mut out = [0u8; 256];
        // the initiator sends a fresh message_1 (fresh ephemeral: clean messages 2-4 belong
        // to another session and must not verify)
        let _ = is.write_message_1(&mut c, &[], &mut out);
        for op in ops {
            let mut m = match op {
                Op::Clean(i) => [&clean.m1, &clean.m2, &clean.m3, &clean.m4][i - 1].clone(),
                Op::Random(v) => v,
            };
            let mut m2 = m.clone();
            let _ = is.handle_message_2(&mut c, &mut m, &store_i, &me_i, &[], &mut out);
            let _ = is.handle_message_4(&mut c, &mut m2.clone());
            let _ = rs.handle_message_1(&mut c, &m2, &me_r, &[], &mut out);
            let _ = rs.handle_message_3(&mut c, &mut m2, &store_r, &[], &mut out);
            prop_assert!(is.completed().is_none());
        }
        // the responder may only complete if it saw the genuine m1 then m3 of one session,
        // which cannot happen here because its own message_2 (fresh Y) differs from clean.m2
        prop_assert!(rs.completed().is_none());
    }
}

#[test]
fn state_sizes() {
    use core::mem::size_of;
    type P = DeterministicProvider;
    let sizes = [
        ("Initiator", size_of::<Initiator<P>>()),
        (
            "InitiatorWaitMessage2",
            size_of::<InitiatorWaitMessage2<P>>(),
        ),
        (
            "InitiatorMessage2Received",
            size_of::<InitiatorMessage2Received<'static, P>>(),
        ),
        (
            "InitiatorMessage2Verified",
            size_of::<InitiatorMessage2Verified<P>>(),
        ),
        (
            "InitiatorWaitMessage4",
            size_of::<InitiatorWaitMessage4<P>>(),
        ),
        ("Responder", size_of::<Responder<P>>()),
        (
            "ResponderMessage1Received",
            size_of::<ResponderMessage1Received<P>>(),
        ),
        (
            "ResponderWaitMessage3",
            size_of::<ResponderWaitMessage3<P>>(),
        ),
        (
            "ResponderMessage3Received",
            size_of::<ResponderMessage3Received<'static, P>>(),
        ),
        (
            "ResponderMessage3Verified",
            size_of::<ResponderMessage3Verified<P>>(),
        ),
        ("Completed", size_of::<Completed>()),
        ("InitiatorState", size_of::<InitiatorState<P>>()),
        ("ResponderState", size_of::<ResponderState<P>>()),
    ];
    for (n, s) in sizes {
        println!("size_of::<{n}>() = {s}");
        assert!(s <= 600, "{n} is {s} bytes");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    /// The fuzz drivers (stateful handshake targets) never panic and never complete on
    /// random input.
    #[test]
    fn fuzz_drivers_never_complete(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let k = keys();
        let mut c = DeterministicProvider::new();
        prop_assert!(fuzz_drivers::drive_responder(&mut c, &k.sk_r, &k.cred_r, &data));
        prop_assert!(fuzz_drivers::drive_initiator(&mut c, &k.sk_i, &k.cred_i, &data));
        let _ = iomt_auth::__fuzz::edhoc::decode_message_1(&data);
        let _ = fuzz_drivers::parse_error(&data);
    }
}

#[test]
fn fuzz_driver_accepts_a_genuine_message_1() {
    let k = keys();
    let mut c = provider();
    let clean = run(
        Setup {
            method: Method::StatStat,
            suite: 2,
            message_4: true,
            by_value: false,
        },
        None,
    )
    .transcript;
    let mut data = vec![u8::try_from(clean.m1.len()).unwrap()];
    data.extend_from_slice(&clean.m1);
    assert!(iomt_auth::__fuzz::edhoc::decode_message_1(&clean.m1));
    assert!(fuzz_drivers::drive_responder(
        &mut c, &k.sk_r, &k.cred_r, &data
    ));
}

#[test]
fn error_messages_are_never_answered_even_malformed_or_code_0() {
    let icfg = InitiatorConfig {
        method: Method::StatStat,
        suites: &[2],
        c_i: ConnId::new(&[1]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    };
    let k = keys();
    let me_i = k.local_i();
    let store = store_of_i(&k.cred_r);
    let unexpected = AuthError::PeerMisbehaved(PeerMisbehaved::UnexpectedErrorMessage);
    for (msg, want) in [
        (&[0x00, 0xf5][..], unexpected),
        (&[0x01, 0x40][..], unexpected),
        (&[0x02, 0x02, 0x02, 0x82, 0x05, 0x02][..], unexpected),
        (
            &[0x01, 0x63, b'b', b'a', b'd'][..],
            AuthError::PeerError { code: 1 },
        ),
        (&[0x03, 0xf5][..], AuthError::PeerError { code: 3 }),
        (&[0x20, 0x00][..], AuthError::PeerError { code: -1 }),
    ] {
        let mut c = DeterministicProvider::new();
        let mut is = InitiatorState::<DeterministicProvider>::new(&icfg).unwrap();
        let mut out = [0u8; 128];
        is.write_message_1(&mut c, &[], &mut out).unwrap();
        let mut m = msg.to_vec();
        assert_eq!(
            is.handle_message_2(&mut c, &mut m, &store, &me_i, &[], &mut out),
            Err(want)
        );
        assert!(is.is_failed());
        assert_eq!(is.error_message(&mut out).unwrap(), None, "{msg:02x?}");
    }
}
