//! Constant-time comparisons go through ONE audited helper, `iomt_crypto::constant_time_eq`
//! (issue 25): a source scan of the repository's library crates that fails if a comparison of
//! a MAC, tag, digest or chain head bypasses it (the helper's own behaviour: `constant_time.rs`).
//! A check of the repository, not of the crate: `tests/repo_*.rs` are left out of the published
//! `.crate` (Cargo.toml `exclude`), whose tests must pass from its own contents.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

const LIBRARIES: [&str; 5] = [
    "iomt-core",
    "iomt-crypto",
    "iomt-auth",
    "iomt-proto",
    "iomt-ffi",
];

/// Where the helper lives: the one file allowed to use `subtle`'s comparison.
const HELPER: &str = "iomt-crypto/src/ct.rs";

/// The audited comparisons: (file, what it compares). Each must call the helper.
const CALL_SITES: [(&str, &str); 4] = [
    (
        "iomt-auth/src/edhoc/common.rs",
        "EDHOC MAC_2 / MAC_3 (mac_matches)",
    ),
    (
        "iomt-auth/src/factor/mod.rs",
        "operator factor tags and PIN verifiers",
    ),
    ("iomt-auth/src/audit/export.rs", "audit export chain head"),
    ("iomt-auth/src/update/mod.rs", "firmware image digest"),
];

#[test]
fn secret_comparisons_use_the_one_constant_time_helper() {
    let root = workspace();
    let mut files = Vec::new();
    for krate in LIBRARIES {
        rust_files(&root.join(krate).join("src"), &mut files);
    }
    assert!(files.len() > 20, "the scan found the sources");
    let mut bypasses = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == HELPER {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("ct_eq(")
                || code.contains("ConstantTimeEq")
                || code.contains("use subtle")
            {
                bypasses.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        bypasses.is_empty(),
        "compare secrets with iomt_crypto::constant_time_eq, not subtle directly:\n{}",
        bypasses.join("\n")
    );
    for (file, what) in CALL_SITES {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(
            text.contains("iomt_crypto::constant_time_eq("),
            "{file} ({what}) no longer compares through iomt_crypto::constant_time_eq"
        );
    }
    // The factor tag and PIN verifier equality impls are the helper, not a derive.
    let factor = std::fs::read_to_string(root.join("iomt-auth/src/factor/mod.rs")).unwrap();
    assert_eq!(
        factor
            .matches("iomt_crypto::constant_time_eq(&self.0, &other.0)")
            .count(),
        2,
        "PartialEq of PinVerifier and FactorTag"
    );
}
