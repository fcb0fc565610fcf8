//! Suite negotiation, unknown and wrong credentials, EAD items, and short output buffers.

use super::*;

#[test]
fn suite_negotiation_between_our_roles() {
    let k = keys();
    let mut c = DeterministicProvider::new();
    let me_i = k.local_i();
    let me_r = k.local_r();
    let (store_i, store_r) = (store_of_i(&k.cred_r), store_of_r(&k.cred_i));
    let icfg = InitiatorConfig {
        method: Method::StatStat,
        suites: &[5, 2],
        c_i: ConnId::new(&[1]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    };
    let rcfg = ResponderConfig {
        suites: &[2],
        methods: &[Method::StatStat],
        c_r: ConnId::new(&[2]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    };
    let mut is = InitiatorState::<DeterministicProvider>::new(&icfg).unwrap();
    let mut rs = ResponderState::<DeterministicProvider>::new(&rcfg).unwrap();
    let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
    let n = is.write_message_1(&mut c, &[], &mut a).unwrap();
    assert_eq!(&a[1..2], &[0x05], "suite 5 selected first");
    let e = rs
        .handle_message_1(&mut c, &a[..n], &me_r, &[], &mut b)
        .unwrap_err();
    assert_eq!(
        e,
        AuthError::PeerMisbehaved(PeerMisbehaved::WrongSelectedSuite)
    );
    let n = rs.error_message(&mut b).unwrap().unwrap();
    assert_eq!(&b[..n], &[0x02, 0x02]);
    // initiator goes back to Start with suite 2 selected
    assert_eq!(
        is.handle_message_2(&mut c, &mut b[..n], &store_i, &me_i, &[], &mut a),
        Err(AuthError::PeerError { code: 2 })
    );
    let mut rs = ResponderState::<DeterministicProvider>::new(&rcfg).unwrap();
    let n = is.write_message_1(&mut c, &[], &mut a).unwrap();
    assert_eq!(&a[1..4], &[0x82, 0x05, 0x02]);
    let n = rs
        .handle_message_1(&mut c, &a[..n], &me_r, &[], &mut b)
        .unwrap();
    let n = is
        .handle_message_2(&mut c, &mut b[..n], &store_i, &me_i, &[], &mut a)
        .unwrap();
    assert_eq!(
        rs.handle_message_3(&mut c, &mut a[..n], &store_r, &[], &mut b)
            .unwrap(),
        0
    );
    assert_eq!(is.completed().unwrap().selected_suite(), Suite::Suite2);
    assert_eq!(rs.completed().unwrap().selected_suite(), Suite::Suite2);

    // a responder supporting a suite the initiator prefers over its selection rejects
    let rcfg2 = ResponderConfig {
        suites: &[5, 2],
        ..rcfg
    };
    let resp = Responder::<DeterministicProvider>::new(&rcfg2).unwrap();
    let i = Initiator::<DeterministicProvider>::with_suites_r(
        &icfg,
        Some(&SuiteList::new(&[2]).unwrap()),
    )
    .unwrap();
    let (_, n) = i.prepare_message_1(&mut c, &[], &mut a).unwrap();
    let e = resp.process_message_1(&mut c, &a[..n]).unwrap_err();
    let n = resp.error_message(&e, &mut b).unwrap().unwrap();
    assert_eq!(&b[..n], &[0x02, 0x82, 0x05, 0x02]);
}

#[test]
fn unknown_credential_fails_with_err_code_3_on_both_sides() {
    let k = keys();
    let mut c = DeterministicProvider::new();
    let me_i = k.local_i();
    let me_r = k.local_r();
    let empty: StaticTrustStore<'_, 0> = StaticTrustStore::new([]);
    let store_i = store_of_i(&k.cred_r);
    for method in Method::ALL {
        let icfg = InitiatorConfig {
            method,
            suites: &[2],
            c_i: ConnId::new(&[1]).unwrap(),
            expect_message_4: false,
            ead_labels: EadLabels::NONE,
        };
        let rcfg = ResponderConfig {
            suites: &[2],
            methods: &Method::ALL,
            c_r: ConnId::new(&[2]).unwrap(),
            send_message_4: false,
            ead_labels: EadLabels::NONE,
        };
        // initiator does not know R
        let mut is = InitiatorState::<DeterministicProvider>::new(&icfg).unwrap();
        let mut rs = ResponderState::<DeterministicProvider>::new(&rcfg).unwrap();
        let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
        let n = is.write_message_1(&mut c, &[], &mut a).unwrap();
        let n = rs
            .handle_message_1(&mut c, &a[..n], &me_r, &[], &mut b)
            .unwrap();
        assert_eq!(
            is.handle_message_2(&mut c, &mut b[..n], &empty, &me_i, &[], &mut a),
            Err(AuthError::UnknownCredential)
        );
        let n = is.error_message(&mut a).unwrap().unwrap();
        assert_eq!(&a[..n], &[0x03, 0xf5]);
        assert!(is.completed().is_none());
        // the responder receiving that error in place of message_3 fails with PeerError
        assert_eq!(
            rs.handle_message_3(&mut c, &mut a[..n], &empty, &[], &mut b),
            Err(AuthError::PeerError { code: 3 })
        );
        assert!(
            rs.error_message(&mut b).unwrap().is_none(),
            "never answer an error with an error"
        );

        // responder does not know I
        let mut is = InitiatorState::<DeterministicProvider>::new(&icfg).unwrap();
        let mut rs = ResponderState::<DeterministicProvider>::new(&rcfg).unwrap();
        let n = is.write_message_1(&mut c, &[], &mut a).unwrap();
        let n = rs
            .handle_message_1(&mut c, &a[..n], &me_r, &[], &mut b)
            .unwrap();
        let n = is
            .handle_message_2(&mut c, &mut b[..n], &store_i, &me_i, &[], &mut a)
            .unwrap();
        assert_eq!(
            rs.handle_message_3(&mut c, &mut a[..n], &empty, &[], &mut b),
            Err(AuthError::UnknownCredential)
        );
        let n = rs.error_message(&mut b).unwrap().unwrap();
        assert_eq!(&b[..n], &[0x03, 0xf5]);
        assert!(rs.completed().is_none());
    }
}

#[test]
fn wrong_credential_fails_authentication_on_both_sides() {
    let k = keys();
    // a store that maps the right kid to the wrong credential (the other party's)
    for method in Method::ALL {
        for suite in SUITES {
            let mut c = provider();
            let me_i = k.local_i();
            let me_r = k.local_r();
            let wrong_i = StaticTrustStore::new([TrustEntry {
                kid: KID_R,
                cred: &k.cred_i,
                identity: PeerIdentity::default(),
                roles: roles_r(),
            }]);
            let suites = [suite];
            let icfg = InitiatorConfig {
                method,
                suites: &suites,
                c_i: ConnId::new(&[1]).unwrap(),
                expect_message_4: false,
                ead_labels: EadLabels::NONE,
            };
            let rcfg = ResponderConfig {
                suites: &SUITES,
                methods: &Method::ALL,
                c_r: ConnId::new(&[2]).unwrap(),
                send_message_4: false,
                ead_labels: EadLabels::NONE,
            };
            let i = Initiator::<DeterministicProvider>::new(&icfg).unwrap();
            let r = Responder::<DeterministicProvider>::new(&rcfg).unwrap();
            let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
            let (i, n) = i.prepare_message_1(&mut c, &[], &mut a).unwrap();
            let (r, n) = r
                .process_message_1(&mut c, &a[..n])
                .unwrap()
                .prepare_message_2(&mut c, &me_r, &[], &mut b)
                .unwrap();
            let mut m2 = b[..n].to_vec();
            let e = i
                .parse_message_2(&mut c, &mut b[..n])
                .unwrap()
                .verify_with_store(&mut c, &wrong_i)
                .unwrap_err();
            assert_eq!(e, AuthError::AuthenticationFailed, "{method:?} {suite}");
            // responder side: a correct initiator, but R's store maps I's kid to R's cred
            let mut c2 = provider();
            let i = Initiator::<DeterministicProvider>::new(&icfg).unwrap();
            let (i, _) = i.prepare_message_1(&mut c2, &[], &mut a).unwrap();
            let i = i
                .parse_message_2(&mut c2, &mut m2)
                .unwrap()
                .verify_with_store(&mut c2, &store_of_i(&k.cred_r))
                .unwrap();
            let (_, n) = i.prepare_message_3(&mut c2, &me_i, &[], &mut a).unwrap();
            let wrong_r = StaticTrustStore::new([TrustEntry {
                kid: KID_I,
                cred: &k.cred_r,
                identity: PeerIdentity::default(),
                roles: roles_i(),
            }]);
            let e = r
                .parse_message_3(&mut c, &mut a[..n])
                .unwrap()
                .verify_with_store(&mut c, &wrong_r)
                .unwrap_err();
            assert_eq!(e, AuthError::AuthenticationFailed, "{method:?} {suite}");
        }
    }
}

#[test]
fn ead_items_travel_and_unknown_critical_aborts() {
    let k = keys();
    let mut c = DeterministicProvider::new();
    let me_i = k.local_i();
    let me_r = k.local_r();
    let (store_i, store_r) = (store_of_i(&k.cred_r), store_of_r(&k.cred_i));
    let labels = EadLabels::new(&[40]).unwrap();
    let icfg = InitiatorConfig {
        method: Method::SigStat,
        suites: &[5],
        c_i: ConnId::new(&[0xaa, 0xbb]).unwrap(),
        expect_message_4: true,
        ead_labels: labels,
    };
    let rcfg = ResponderConfig {
        suites: &[5],
        methods: &Method::ALL,
        c_r: ConnId::new(&[]).unwrap(),
        send_message_4: true,
        ead_labels: labels,
    };
    let factor = [7u8; 16];
    let crit = [
        EadItem {
            label: -40,
            value: Some(&factor),
        },
        EadItem {
            label: 0,
            value: Some(&[1, 2]),
        },
    ];
    let i = Initiator::<DeterministicProvider>::new(&icfg).unwrap();
    let r = Responder::<DeterministicProvider>::new(&rcfg).unwrap();
    let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
    let (i, n) = i.prepare_message_1(&mut c, &crit, &mut a).unwrap();
    let p = r.process_message_1(&mut c, &a[..n]).unwrap();
    assert_eq!(p.ead_1().items().collect::<Vec<_>>(), [crit[0]]);
    assert_eq!(p.c_i().as_bytes(), &[0xaa, 0xbb]);
    let (r, n) = p.prepare_message_2(&mut c, &me_r, &crit, &mut b).unwrap();
    let p = i.parse_message_2(&mut c, &mut b[..n]).unwrap();
    assert_eq!(p.ead_2().items().next(), Some(crit[0]));
    assert_eq!(p.c_r().as_bytes(), &[] as &[u8]);
    let v = p.verify_with_store(&mut c, &store_i).unwrap();
    let (after, n) = v.prepare_message_3(&mut c, &me_i, &crit, &mut a).unwrap();
    let AfterMessage3::WaitMessage4(w) = after else {
        panic!()
    };
    let p = r.parse_message_3(&mut c, &mut a[..n]).unwrap();
    assert_eq!(p.ead_3().items().next(), Some(crit[0]));
    let (_, n) = p
        .verify_with_store(&mut c, &store_r)
        .unwrap()
        .prepare_message_4(&mut c, &crit, &mut b)
        .unwrap();
    let (_, ead4) = w.process_message_4(&mut c, &mut b[..n]).unwrap();
    assert_eq!(ead4.items().next(), Some(crit[0]));

    // a responder that does not understand label 40 rejects the critical EAD_1
    let r = Responder::<DeterministicProvider>::new(&ResponderConfig {
        ead_labels: EadLabels::NONE,
        ..rcfg
    })
    .unwrap();
    let i = Initiator::<DeterministicProvider>::new(&icfg).unwrap();
    let (_, n) = i.prepare_message_1(&mut c, &crit, &mut a).unwrap();
    let e = r.process_message_1(&mut c, &a[..n]).unwrap_err();
    assert_eq!(
        e,
        AuthError::PeerMisbehaved(PeerMisbehaved::UnknownCriticalEad)
    );
    // the same item as non-critical is ignored
    let noncrit = [EadItem {
        label: 40,
        value: Some(&factor),
    }];
    let i = Initiator::<DeterministicProvider>::new(&icfg).unwrap();
    let (_, n) = i.prepare_message_1(&mut c, &noncrit, &mut a).unwrap();
    assert!(r.process_message_1(&mut c, &a[..n]).is_ok());
}

#[test]
fn small_buffers_report_needed_size() {
    let k = keys();
    let mut c = provider();
    let me_r = k.local_r();
    let icfg = InitiatorConfig {
        method: Method::SigSig,
        suites: &[2],
        c_i: ConnId::new(&[1]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    };
    let i = Initiator::<DeterministicProvider>::new(&icfg).unwrap();
    let mut small = [0u8; 10];
    assert!(matches!(
        i.prepare_message_1(&mut c, &[], &mut small),
        Err(AuthError::BufferTooSmall { .. })
    ));
    let i = Initiator::<DeterministicProvider>::new(&icfg).unwrap();
    let mut a = [0u8; 64];
    let (_, n) = i.prepare_message_1(&mut c, &[], &mut a).unwrap();
    let r = Responder::<DeterministicProvider>::new(&ResponderConfig {
        suites: &[2],
        methods: &Method::ALL,
        c_r: ConnId::new(&[2]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let p = r.process_message_1(&mut c, &a[..n]).unwrap();
    let mut b = [0u8; 50];
    assert!(matches!(
        p.prepare_message_2(&mut c, &me_r, &[], &mut b),
        Err(AuthError::BufferTooSmall { .. })
    ));
}
