//! Fixed-key regression vectors, checked against the committed file and an independent
//! recomputation (sha2/hkdf directly).

use super::*;

use iomt_crypto::prelude::*;

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
        "# iomt-auth fixed-key EDHOC regression vectors (generated by tests/handshake/vectors.rs,\n\
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
