//! Handshakes between our two roles: all 8 method × suite combinations, fixed-key
//! regression vectors with independent recomputation, negotiation, credentials, EAD,
//! and robustness (bit flips, truncations, random sequences).
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;
mod fuzz_drivers;

use common::*;
use iomt_auth::AuthError;
use iomt_auth::cred::{IdCred, LocalCredential, PeerIdentity, StaticTrustStore, TrustEntry};
use iomt_auth::edhoc::*;
use iomt_auth::error::PeerMisbehaved;
use iomt_crypto::{AeadKey, CryptoProvider, DeterministicProvider, PublicKey, StaticKey};
use proptest::prelude::*;
use sha2::Digest as _;

const SUITES: [u8; 2] = [2, 5];

#[derive(Clone, Copy, Debug)]
struct Setup {
    method: Method,
    suite: u8,
    message_4: bool,
    by_value: bool,
}

impl Setup {
    fn all(message_4: bool) -> Vec<Self> {
        let mut v = Vec::new();
        for method in Method::ALL {
            for suite in SUITES {
                v.push(Self {
                    method,
                    suite,
                    message_4,
                    by_value: false,
                });
            }
        }
        v
    }
}

#[derive(Debug, Default, Clone)]
struct Transcript {
    m1: Vec<u8>,
    m2: Vec<u8>,
    m3: Vec<u8>,
    m4: Vec<u8>,
    prk_out_i: Vec<u8>,
    prk_out_r: Vec<u8>,
    export_i: Vec<u8>,
    export_r: Vec<u8>,
}

struct Keys {
    sk_i: StaticKey,
    sk_r: StaticKey,
    cred_i: Vec<u8>,
    cred_r: Vec<u8>,
}

fn keys() -> Keys {
    Keys {
        sk_i: StaticKey::from_bytes(&t("SK_I")).unwrap(),
        sk_r: StaticKey::from_bytes(&t("SK_R")).unwrap(),
        cred_i: cred_i(),
        cred_r: cred_r(),
    }
}

fn provider() -> DeterministicProvider {
    let mut c = DeterministicProvider::new();
    c.queue_ephemeral(&t("X")).unwrap();
    c.queue_ephemeral(&t("Y")).unwrap();
    c
}

/// Which message to tamper with, and how.
type Tamper<'a> = Option<(usize, &'a dyn Fn(&mut Vec<u8>))>;

/// Outcome of a (possibly tampered) run.
#[derive(Debug)]
struct Outcome {
    transcript: Transcript,
    initiator_done: bool,
    responder_done: bool,
    error: Option<AuthError>,
}

fn run(s: Setup, tamper: Tamper<'_>) -> Outcome {
    let k = keys();
    let mut c = provider();
    let id_i = if s.by_value {
        IdCred::Ccs(&k.cred_i)
    } else {
        IdCred::Kid(KID_I)
    };
    let id_r = if s.by_value {
        IdCred::Ccs(&k.cred_r)
    } else {
        IdCred::Kid(KID_R)
    };
    let me_i = LocalCredential {
        key: &k.sk_i,
        cred: &k.cred_i,
        id_cred: id_i,
    };
    let me_r = LocalCredential {
        key: &k.sk_r,
        cred: &k.cred_r,
        id_cred: id_r,
    };
    let (store_i, store_r) = (store_of_i(&k.cred_r), store_of_r(&k.cred_i));
    let suites = [s.suite];
    let icfg = InitiatorConfig {
        method: s.method,
        suites: &suites,
        c_i: ConnId::new(&[0x37]).unwrap(),
        expect_message_4: s.message_4,
        ead_labels: EadLabels::NONE,
    };
    let rcfg = ResponderConfig {
        suites: &SUITES,
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: s.message_4,
        ead_labels: EadLabels::NONE,
    };
    let mut tr = Transcript::default();
    let mut out = Outcome {
        transcript: Transcript::default(),
        initiator_done: false,
        responder_done: false,
        error: None,
    };
    let apply = |n: usize, m: &mut Vec<u8>| {
        if let Some((w, f)) = tamper
            && w == n
        {
            f(m);
        }
    };
    let r = (|| -> Result<(), AuthError> {
        let init = Initiator::<DeterministicProvider>::new(&icfg)?;
        let resp = Responder::<DeterministicProvider>::new(&rcfg)?;
        let mut buf = [0u8; 512];
        let (i, n) = init.prepare_message_1(&mut c, &[], &mut buf)?;
        tr.m1 = buf[..n].to_vec();
        let mut m1 = tr.m1.clone();
        apply(1, &mut m1);
        let r = resp.process_message_1(&mut c, &m1)?;
        let (r, n) = r.prepare_message_2(&mut c, &me_r, &[], &mut buf)?;
        tr.m2 = buf[..n].to_vec();
        let mut m2 = tr.m2.clone();
        apply(2, &mut m2);
        let i = i
            .parse_message_2(&mut c, &mut m2)?
            .verify_with_store(&mut c, &store_i)?;
        let (after, n) = i.prepare_message_3(&mut c, &me_i, &[], &mut buf)?;
        tr.m3 = buf[..n].to_vec();
        let wait4 = match after {
            AfterMessage3::Completed(mut d) => {
                out.initiator_done = true;
                let mut e = [0u8; 32];
                d.channel_secrets(&mut c, b"ctx", &mut e, &mut [0u8; 32])?;
                tr.export_i = e.to_vec();
                tr.prk_out_i = d.__prk_out().as_bytes().to_vec();
                None
            }
            AfterMessage3::AwaitMessage4(w) => Some(w),
        };
        let mut m3 = tr.m3.clone();
        apply(3, &mut m3);
        let r = r
            .parse_message_3(&mut c, &mut m3)?
            .verify_with_store(&mut c, &store_r)?;
        let mut done_r = if s.message_4 {
            let (d, n) = r.prepare_message_4(&mut c, &[], &mut buf)?;
            tr.m4 = buf[..n].to_vec();
            d
        } else {
            r.complete(&mut c)?
        };
        out.responder_done = true;
        let mut e = [0u8; 32];
        done_r.channel_secrets(&mut c, b"ctx", &mut e, &mut [0u8; 32])?;
        tr.export_r = e.to_vec();
        tr.prk_out_r = done_r.__prk_out().as_bytes().to_vec();
        if let Some(w) = wait4 {
            let mut m4 = tr.m4.clone();
            apply(4, &mut m4);
            let (mut d, _) = w.process_message_4(&mut c, &mut m4)?;
            out.initiator_done = true;
            d.channel_secrets(&mut c, b"ctx", &mut e, &mut [0u8; 32])?;
            tr.export_i = e.to_vec();
            tr.prk_out_i = d.__prk_out().as_bytes().to_vec();
        }
        Ok(())
    })();
    out.error = r.err();
    out.transcript = tr;
    out
}

#[test]
fn all_methods_and_suites_complete_with_equal_keys() {
    for msg4 in [false, true] {
        for s in Setup::all(msg4) {
            let o = run(s, None);
            assert_eq!(o.error, None, "{s:?}");
            assert!(o.initiator_done && o.responder_done, "{s:?}");
            let tr = o.transcript;
            assert_eq!(tr.prk_out_i, tr.prk_out_r, "{s:?}");
            assert_eq!(tr.export_i, tr.export_r, "{s:?}");
            assert_eq!(tr.m4.is_empty(), !msg4);
        }
    }
}

#[test]
fn credentials_by_value_work_for_all_methods() {
    for mut s in Setup::all(true) {
        s.by_value = true;
        let o = run(s, None);
        assert_eq!(o.error, None, "{s:?}");
        assert!(o.initiator_done && o.responder_done);
    }
}

/// Expected sizes with kid credentials (1-byte kids and connection ids, no EAD).
#[test]
fn message_sizes() {
    for s in Setup::all(true) {
        let tr = run(s, None).transcript;
        let suite = Suite::from_id(s.suite).unwrap();
        let tag = suite.aead().tag_len();
        let som_r = if s.method.responder_static() {
            suite.mac_len()
        } else {
            64
        };
        let som_i = if s.method.initiator_static() {
            suite.mac_len()
        } else {
            64
        };
        assert_eq!(tr.m1.len(), 37, "{s:?}");
        // bstr(G_Y ‖ C_R ‖ kid ‖ bstr(Signature_or_MAC_2))
        let pt2 = 1 + 1 + 1 + usize::from(som_r >= 24) + som_r;
        assert_eq!(tr.m2.len(), 2 + 32 + pt2, "{s:?}");
        let pt3 = 1 + 1 + usize::from(som_i >= 24) + som_i + tag;
        assert_eq!(tr.m3.len(), 1 + pt3 + usize::from(pt3 >= 24), "{s:?}");
        assert_eq!(tr.m4.len(), 1 + tag, "{s:?}");
        println!(
            "method {} suite {}: message_1 {} message_2 {} message_3 {} message_4 {} total(1-3) {}",
            s.method.id(),
            s.suite,
            tr.m1.len(),
            tr.m2.len(),
            tr.m3.len(),
            tr.m4.len(),
            tr.m1.len() + tr.m2.len() + tr.m3.len()
        );
    }
    // RFC 9528 §1.2 figures for suite 2: 101 bytes (static DH, kid), 216 (signatures, kid)
    let stat = run(
        Setup {
            method: Method::StatStat,
            suite: 2,
            message_4: false,
            by_value: false,
        },
        None,
    )
    .transcript;
    assert_eq!(stat.m1.len() + stat.m2.len() + stat.m3.len(), 101);
    let sig = run(
        Setup {
            method: Method::SigSig,
            suite: 2,
            message_4: false,
            by_value: false,
        },
        None,
    )
    .transcript;
    assert_eq!(sig.m1.len() + sig.m2.len() + sig.m3.len(), 216);
}

// ---------------------------------------------------------------------------------
// Fixed-key regression vectors + independent recomputation (sha2/hkdf directly).

const VECTORS_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/edhoc-fixed-vectors.txt"
);

fn h256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn bstr(b: &[u8]) -> Vec<u8> {
    let n = b.len();
    let mut v = if n < 24 {
        vec![0x40 | u8::try_from(n).unwrap()]
    } else if n < 256 {
        vec![0x58, u8::try_from(n).unwrap()]
    } else {
        let [hi, lo] = u16::try_from(n).unwrap().to_be_bytes();
        vec![0x59, hi, lo]
    };
    v.extend_from_slice(b);
    v
}

fn extract(salt: &[u8], ikm: &[u8]) -> [u8; 32] {
    let (prk, _) = hkdf::Hkdf::<sha2::Sha256>::extract(Some(salt), ikm);
    prk.into()
}

fn expand(prk: &[u8], label: u8, context: &[u8], len: usize) -> Vec<u8> {
    let mut info = vec![label];
    info.extend(bstr(context));
    let l = u8::try_from(len).unwrap();
    if len < 24 {
        info.push(l);
    } else {
        info.extend([0x18, l]);
    }
    let mut out = vec![0u8; len];
    hkdf::Hkdf::<sha2::Sha256>::from_prk(prk)
        .unwrap()
        .expand(&info, &mut out)
        .unwrap();
    out
}

/// Recomputes the key schedule from the messages alone (plus X, Y, I, R) and checks
/// PRK_out; returns the intermediate values for the vector file.
fn recompute(s: Setup, tr: &Transcript) -> Vec<(String, Vec<u8>)> {
    let mut c = DeterministicProvider::new();
    let suite = Suite::from_id(s.suite).unwrap();
    let x = StaticKey::from_bytes(&t("X")).unwrap();
    let y = StaticKey::from_bytes(&t("Y")).unwrap();
    let (ki, kr) = (keys(), keys());
    let g_y = PublicKey::from_x_coordinate(&tr.m2[2..34]).unwrap();
    let h_m1 = h256(&[&tr.m1]);
    let th_2 = h256(&[&bstr(g_y.x()), &bstr(&h_m1)]);
    let g_xy = c.p256_ecdh_static(&x, &g_y).unwrap();
    let prk_2e = extract(&th_2, g_xy.as_bytes());
    let ct2 = &tr.m2[34..];
    let ks = expand(&prk_2e, 0, &th_2, ct2.len());
    let pt2: Vec<u8> = ct2.iter().zip(&ks).map(|(a, b)| a ^ b).collect();
    assert_eq!(pt2[0], 0x27, "C_R first in PLAINTEXT_2");
    assert_eq!(pt2[1], 0x32, "compact kid of R");
    let prk_3e2m = if s.method.responder_static() {
        let salt = expand(&prk_2e, 1, &th_2, 32);
        let g_x = PublicKey::from_x_coordinate(&tr.m1[4..36]).unwrap();
        let g_rx = c.p256_ecdh_static(&kr.sk_r, &g_x).unwrap();
        extract(&salt, g_rx.as_bytes())
    } else {
        prk_2e
    };
    let th_3 = h256(&[&bstr(&th_2), &pt2, &kr.cred_r]);
    // decrypt message_3 with K_3/IV_3 from the recomputed schedule
    let alg = suite.aead();
    let k3 = expand(&prk_3e2m, 3, &th_3, alg.key_len());
    let iv3 = expand(&prk_3e2m, 4, &th_3, alg.nonce_len());
    let mut a3 = vec![0x83, 0x68];
    a3.extend_from_slice(b"Encrypt0");
    a3.push(0x40);
    a3.extend(bstr(&th_3));
    let body3 = &tr.m3[if tr.m3.len() > 24 { 2 } else { 1 }..];
    let (ct3, tag3) = body3.split_at(body3.len() - alg.tag_len());
    let mut pt3 = ct3.to_vec();
    c.aead_open(
        alg,
        &AeadKey::new(alg, &k3).unwrap(),
        &iv3,
        &a3,
        &mut pt3,
        tag3,
    )
    .unwrap();
    assert_eq!(pt3[0], 0x2b, "compact kid of I");
    let prk_4e3m = if s.method.initiator_static() {
        let salt = expand(&prk_3e2m, 5, &th_3, 32);
        let g_i = PublicKey::from_x_coordinate(&t("G_I")).unwrap();
        let g_iy = c.p256_ecdh_static(&y, &g_i).unwrap();
        extract(&salt, g_iy.as_bytes())
    } else {
        prk_3e2m
    };
    let th_4 = h256(&[&bstr(&th_3), &pt3, &ki.cred_i]);
    let prk_out = expand(&prk_4e3m, 7, &th_4, 32);
    assert_eq!(prk_out, tr.prk_out_i, "{s:?}");
    assert_eq!(prk_out, tr.prk_out_r, "{s:?}");
    if !tr.m4.is_empty() {
        let k4 = expand(&prk_4e3m, 8, &th_4, alg.key_len());
        let iv4 = expand(&prk_4e3m, 9, &th_4, alg.nonce_len());
        let mut a4 = a3[..11].to_vec();
        a4.extend(bstr(&th_4));
        let (ct4, tag4) = tr.m4[1..].split_at(tr.m4.len() - 1 - alg.tag_len());
        let mut pt4 = ct4.to_vec();
        c.aead_open(
            alg,
            &AeadKey::new(alg, &k4).unwrap(),
            &iv4,
            &a4,
            &mut pt4,
            tag4,
        )
        .unwrap();
        assert!(pt4.is_empty());
    }
    let prk_exporter = expand(&prk_out, 10, &[], 32);
    let export = expand(&prk_exporter, 0, &[], 0).len(); // label 0 with empty context is valid
    assert_eq!(export, 0);
    vec![
        ("TH_2".into(), th_2.to_vec()),
        ("PRK_2e".into(), prk_2e.to_vec()),
        ("PLAINTEXT_2".into(), pt2),
        ("PRK_3e2m".into(), prk_3e2m.to_vec()),
        ("TH_3".into(), th_3.to_vec()),
        ("K_3".into(), k3),
        ("IV_3".into(), iv3),
        ("PLAINTEXT_3".into(), pt3),
        ("PRK_4e3m".into(), prk_4e3m.to_vec()),
        ("TH_4".into(), th_4.to_vec()),
        ("PRK_out".into(), prk_out),
        ("PRK_exporter".into(), prk_exporter),
    ]
}

#[test]
fn fixed_key_vectors_all_methods_suites_match_committed_and_recomputation() {
    let mut file = String::from(
        "# iomt-auth fixed-key EDHOC regression vectors (generated by tests/handshake.rs, \n\
         # checked by independent recomputation with sha2/hkdf). Keys: RFC 9529 §3 X, Y, SK_I, SK_R,\n\
         # CRED_I, CRED_R (kid 0x2b / 0x32), C_I = 0x37, C_R = 0x27, message_4 sent, no EAD.\n\
         # ECDSA signatures are deterministic (RFC 6979). Regenerate: IOMT_REGENERATE_VECTORS=1.\n",
    );
    for s in Setup::all(true) {
        let o = run(s, None);
        assert_eq!(o.error, None);
        let tr = &o.transcript;
        file.push_str(&format!("\n[method {} suite {}]\n", s.method.id(), s.suite));
        for (k, v) in [
            ("message_1", &tr.m1),
            ("message_2", &tr.m2),
            ("message_3", &tr.m3),
            ("message_4", &tr.m4),
        ] {
            file.push_str(&format!("{k} = {}\n", hex::encode(v)));
        }
        for (k, v) in recompute(s, tr) {
            file.push_str(&format!("{k} = {}\n", hex::encode(v)));
        }
        file.push_str(&format!(
            "exporter_0x8000_ctx_32 = {}\n",
            hex::encode(&tr.export_i)
        ));
    }
    if std::env::var_os("IOMT_REGENERATE_VECTORS").is_some() {
        std::fs::write(VECTORS_PATH, &file).unwrap();
    }
    let committed = std::fs::read_to_string(VECTORS_PATH).expect("committed vectors");
    assert_eq!(committed, file, "regression vectors changed");
}

// ---------------------------------------------------------------------------------
// Negotiation, credentials, EAD.

#[test]
fn suite_negotiation_between_our_roles() {
    let k = keys();
    let mut c = DeterministicProvider::new();
    let me_i = LocalCredential {
        key: &k.sk_i,
        cred: &k.cred_i,
        id_cred: IdCred::Kid(KID_I),
    };
    let me_r = LocalCredential {
        key: &k.sk_r,
        cred: &k.cred_r,
        id_cred: IdCred::Kid(KID_R),
    };
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
    let me_i = LocalCredential {
        key: &k.sk_i,
        cred: &k.cred_i,
        id_cred: IdCred::Kid(KID_I),
    };
    let me_r = LocalCredential {
        key: &k.sk_r,
        cred: &k.cred_r,
        id_cred: IdCred::Kid(KID_R),
    };
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
            let me_i = LocalCredential {
                key: &k.sk_i,
                cred: &k.cred_i,
                id_cred: IdCred::Kid(KID_I),
            };
            let me_r = LocalCredential {
                key: &k.sk_r,
                cred: &k.cred_r,
                id_cred: IdCred::Kid(KID_R),
            };
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
    let me_i = LocalCredential {
        key: &k.sk_i,
        cred: &k.cred_i,
        id_cred: IdCred::Kid(KID_I),
    };
    let me_r = LocalCredential {
        key: &k.sk_r,
        cred: &k.cred_r,
        id_cred: IdCred::Kid(KID_R),
    };
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
    let AfterMessage3::AwaitMessage4(w) = after else {
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
    let me_r = LocalCredential {
        key: &k.sk_r,
        cred: &k.cred_r,
        id_cred: IdCred::Kid(KID_R),
    };
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

// ---------------------------------------------------------------------------------
// Robustness.

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
        let me_i = LocalCredential { key: &k.sk_i, cred: &k.cred_i, id_cred: IdCred::Kid(KID_I) };
        let me_r = LocalCredential { key: &k.sk_r, cred: &k.cred_r, id_cred: IdCred::Kid(KID_R) };
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
        ("InitiatorWaitM2", size_of::<InitiatorWaitM2<P>>()),
        (
            "InitiatorProcessingM2",
            size_of::<InitiatorProcessingM2<'static, P>>(),
        ),
        ("InitiatorProcessedM2", size_of::<InitiatorProcessedM2<P>>()),
        ("InitiatorWaitM4", size_of::<InitiatorWaitM4<P>>()),
        ("Responder", size_of::<Responder<P>>()),
        (
            "ResponderProcessingM1",
            size_of::<ResponderProcessingM1<P>>(),
        ),
        ("ResponderWaitM3", size_of::<ResponderWaitM3<P>>()),
        (
            "ResponderProcessingM3",
            size_of::<ResponderProcessingM3<'static, P>>(),
        ),
        ("ResponderProcessedM3", size_of::<ResponderProcessedM3<P>>()),
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
    let me_i = LocalCredential {
        key: &k.sk_i,
        cred: &k.cred_i,
        id_cred: IdCred::Kid(KID_I),
    };
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
