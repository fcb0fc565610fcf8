//! The repository's generated `docs/VITALS.md` against the code table (run with
//! `IOMT_BLESS=1` to rewrite it). A check of the repository, not of the crate: `tests/repo_*.rs`
//! are left out of the published `.crate` (Cargo.toml `exclude`), whose tests must pass from
//! its own contents (`cargo xtask package`).

use std::path::PathBuf;

use iomt_core::mdc::write_markdown;

#[test]
fn doc_table_is_current() {
    let mut rendered = String::new();
    write_markdown(&mut rendered).unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/VITALS.md");
    if std::env::var_os("IOMT_BLESS").is_some() {
        std::fs::write(&path, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/VITALS.md is stale; regenerate with `IOMT_BLESS=1 cargo test -p iomt-core --test mdc_table`"
    );
}
