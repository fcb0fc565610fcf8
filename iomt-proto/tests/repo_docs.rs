//! The repository's `docs/PROTOCOL.md` against the committed vectors. A check of the
//! repository, not of the crate: `tests/repo_*.rs` are left out of the published `.crate`
//! (Cargo.toml `exclude`), whose tests must pass from its own contents (`cargo xtask package`).
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the test

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vectors.txt");

/// docs/PROTOCOL.md §15 quotes every committed vector line.
#[test]
fn protocol_md_quotes_the_vectors() {
    let doc_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md");
    let doc = std::fs::read_to_string(doc_path).unwrap();
    let committed = std::fs::read_to_string(PATH).unwrap();
    for line in committed.lines().filter(|l| !l.starts_with('#')) {
        assert!(doc.contains(line), "docs/PROTOCOL.md lacks: {line}");
    }
}
