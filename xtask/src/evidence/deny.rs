//! `cargo xtask deny`: `cargo deny check licenses bans sources` (policy in `deny.toml`).

use crate::setup;
use crate::step::{cargo, run};

/// The pinned cargo-deny.
const DENY_VERSION: &str = "0.20.2";

/// Installs the pinned cargo-deny if it is missing.
pub(crate) fn deny_prerequisites() -> Result<(), String> {
    setup::cargo_tool("cargo-deny", DENY_VERSION, &["cargo", "deny", "--version"])
}

/// `cargo xtask deny`.
pub(crate) fn deny(_args: &[String]) -> Result<(), String> {
    deny_prerequisites()?;
    deny_ci_step()
}

/// The CI step: license, ban and source policy of `deny.toml` (works offline).
pub(crate) fn deny_ci_step() -> Result<(), String> {
    run(cargo().args([
        "deny",
        "--locked",
        "--workspace",
        "check",
        "licenses",
        "bans",
        "sources",
    ]))
}
