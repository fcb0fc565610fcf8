//! Every intermediate value of RFC 9529 §3 (method 3, suite 2), recomputed with the
//! key-schedule functions.
use super::*;
use iomt_crypto::{DeterministicProvider, PublicKey, prelude::*};
use std::prelude::rust_2024::*;
use std::{format, vec};

/// The trace values these tests use (an excerpt of RFC 9529 §3, checked against the test
/// kit's full trace by `tests/repo_kdf_vectors.rs`).
const TRACE: &str = include_str!("rfc9529-sec3-excerpt.txt");

fn v(name: &str) -> Vec<u8> {
    for line in TRACE.lines() {
        if let Some((k, val)) = line.split_once(" = ")
            && k.trim() == name
        {
            return hex::decode(val.trim()).unwrap();
        }
        if line.trim_end() == format!("{name} =") {
            return Vec::new();
        }
    }
    std::panic!("{name} not in trace")
}

fn d32(name: &str) -> Digest {
    v(name).try_into().unwrap()
}

fn prk(name: &str) -> Prk {
    Prk::from_bytes(d32(name))
}

#[test]
fn rfc9529_th_2_and_prk_2e() {
    let mut c = DeterministicProvider::new();
    let h_m1 = c.sha256(&v("message_1"));
    assert_eq!(h_m1.to_vec(), v("H_message_1"));
    let g_y: [u8; 32] = v("G_Y").try_into().unwrap();
    let th_2 = th_2(&mut c, &g_y, &h_m1);
    assert_eq!(th_2.to_vec(), v("TH_2"));
    let prk_2e = c.hkdf_sha256_extract(&th_2, &v("G_XY"));
    assert_eq!(prk_2e.as_bytes().to_vec(), v("PRK_2e"));
    let mut ks = vec![0u8; v("KEYSTREAM_2").len()];
    kdf(&mut c, &prk_2e, 0, &th_2, &mut ks).unwrap();
    assert_eq!(ks, v("KEYSTREAM_2"));
}

#[test]
fn rfc9529_prk_3e2m_mac_2_th_3() {
    let mut c = DeterministicProvider::new();
    let th_2 = d32("TH_2");
    let salt = kdf_prk(&mut c, &prk("PRK_2e"), 1, &th_2).unwrap();
    assert_eq!(salt.as_bytes().to_vec(), v("SALT_3e2m"));
    // G_RX from R and G_X
    let r = c.static_key(&v("SK_R")).unwrap();
    let g_x = PublicKey::from_x_coordinate(&v("G_X")).unwrap();
    let g_rx = c.p256_ecdh_static(&r, &g_x).unwrap();
    assert_eq!(g_rx.as_bytes().to_vec(), v("G_RX"));
    let prk_3e2m = c.hkdf_sha256_extract(salt.as_bytes(), g_rx.as_bytes());
    assert_eq!(prk_3e2m.as_bytes().to_vec(), v("PRK_3e2m"));
    let mut mac = [0u8; 8];
    kdf(&mut c, &prk_3e2m, 2, &v("context_2"), &mut mac).unwrap();
    assert_eq!(mac.to_vec(), v("MAC_2"));
    let th_3 = th_next(&mut c, &th_2, &v("PLAINTEXT_2"), &v("CRED_R"));
    assert_eq!(th_3.to_vec(), v("TH_3"));
}

#[test]
fn rfc9529_k_3_iv_3_prk_4e3m_mac_3_th_4() {
    let mut c = DeterministicProvider::new();
    let th_3 = d32("TH_3");
    let p3 = prk("PRK_3e2m");
    let mut k3 = [0u8; 16];
    kdf(&mut c, &p3, 3, &th_3, &mut k3).unwrap();
    assert_eq!(k3.to_vec(), v("K_3"));
    let mut iv3 = [0u8; 13];
    kdf(&mut c, &p3, 4, &th_3, &mut iv3).unwrap();
    assert_eq!(iv3.to_vec(), v("IV_3"));
    assert_eq!(enc_structure(&th_3).to_vec(), v("A_3"));
    let salt = kdf_prk(&mut c, &p3, 5, &th_3).unwrap();
    assert_eq!(salt.as_bytes().to_vec(), v("SALT_4e3m"));
    let i = c.static_key(&v("SK_I")).unwrap();
    let g_y = PublicKey::from_x_coordinate(&v("G_Y")).unwrap();
    let g_iy = c.p256_ecdh_static(&i, &g_y).unwrap();
    assert_eq!(g_iy.as_bytes().to_vec(), v("G_IY"));
    let p4 = c.hkdf_sha256_extract(salt.as_bytes(), g_iy.as_bytes());
    assert_eq!(p4.as_bytes().to_vec(), v("PRK_4e3m"));
    let mut mac = [0u8; 8];
    kdf(&mut c, &p4, 6, &v("context_3"), &mut mac).unwrap();
    assert_eq!(mac.to_vec(), v("MAC_3"));
    let th_4 = th_next(&mut c, &th_3, &v("PLAINTEXT_3"), &v("CRED_I"));
    assert_eq!(th_4.to_vec(), v("TH_4"));
}

#[test]
fn rfc9529_k_4_iv_4_prk_out_exporter_oscore_keyupdate() {
    let mut c = DeterministicProvider::new();
    let th_4 = d32("TH_4");
    let p4 = prk("PRK_4e3m");
    let mut k4 = [0u8; 16];
    kdf(&mut c, &p4, 8, &th_4, &mut k4).unwrap();
    assert_eq!(k4.to_vec(), v("K_4"));
    let mut iv4 = [0u8; 13];
    kdf(&mut c, &p4, 9, &th_4, &mut iv4).unwrap();
    assert_eq!(iv4.to_vec(), v("IV_4"));
    assert_eq!(enc_structure(&th_4).to_vec(), v("A_4"));
    let out = kdf_prk(&mut c, &p4, 7, &th_4).unwrap();
    assert_eq!(out.as_bytes().to_vec(), v("PRK_out"));
    let exp = kdf_prk(&mut c, &out, 10, &[]).unwrap();
    assert_eq!(exp.as_bytes().to_vec(), v("PRK_exporter"));
    let mut ms = [0u8; 16];
    kdf(&mut c, &exp, 0, &[], &mut ms).unwrap();
    assert_eq!(ms.to_vec(), v("OSCORE_Master_Secret"));
    let mut salt = [0u8; 8];
    kdf(&mut c, &exp, 1, &[], &mut salt).unwrap();
    assert_eq!(salt.to_vec(), v("OSCORE_Master_Salt"));
    let upd = kdf_prk(&mut c, &out, 11, &v("context_for_KeyUpdate")).unwrap();
    assert_eq!(upd.as_bytes().to_vec(), v("PRK_out_after_KeyUpdate"));
}

#[test]
fn rfc9529_info_encodings() {
    // the info of each derivation, as printed in the trace, equals our encoding
    let mut buf = [0u8; 64];
    let mut e = Encoder::new(&mut buf);
    e.uint(1).unwrap();
    e.bstr(&d32("TH_2")).unwrap();
    e.uint(32).unwrap();
    assert_eq!(e.written(), &v("info_for_SALT_3e2m")[..]);
    assert_eq!(hash_bstr(&d32("TH_2")).to_vec(), v("TH_2_cbor"));
}

#[test]
#[cfg(feature = "signature-methods")]
fn sig_structure_digest_matches_manual_encoding() {
    let mut c = DeterministicProvider::new();
    let th = [7u8; 32];
    let id = [0xa1, 0x04, 0x41, 0x32];
    let cred = [0xa0u8; 30];
    let ead = [0x01];
    let mac = [9u8; 32];
    let mut manual = vec![0x84, 0x6a];
    manual.extend_from_slice(b"Signature1");
    manual.push(0x44);
    manual.extend_from_slice(&id);
    manual.extend_from_slice(&[0x58, 34 + 30 + 1, 0x58, 0x20]);
    manual.extend_from_slice(&th);
    manual.extend_from_slice(&cred);
    manual.extend_from_slice(&ead);
    manual.extend_from_slice(&[0x58, 0x20]);
    manual.extend_from_slice(&mac);
    let want = c.sha256(&manual);
    assert_eq!(
        sig_structure_digest(&mut c, &id, &th, &cred, &ead, &mac),
        want
    );
}
