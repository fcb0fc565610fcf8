//! `cargo xtask header [--check]`: regenerates `iomt-ffi/include/iomt.h` with the pinned
//! cbindgen; `--check` (the CI step) then fails if the committed header differs.

use std::process::Command;

use crate::setup;
use crate::step::{run, workspace_root};

/// The pinned cbindgen version (the header's bytes depend on it).
pub(crate) const CBINDGEN_VERSION: &str = "0.29.4";

/// Installs the pinned cbindgen if it is missing.
pub(crate) fn prerequisites() -> Result<(), String> {
    setup::cargo_tool("cbindgen", CBINDGEN_VERSION, &["cbindgen", "--version"])
}

/// Regenerates the header.
fn generate() -> Result<(), String> {
    let ffi = workspace_root().join("iomt-ffi");
    run(Command::new("cbindgen")
        .args([
            "--quiet",
            "--config",
            "cbindgen.toml",
            "--crate",
            "iomt-ffi",
        ])
        .args(["--output", "include/iomt.h", "."])
        .current_dir(ffi))
}

/// The CI step: regenerate, then `git diff --exit-code` on the header.
pub(crate) fn ci_step() -> Result<(), String> {
    generate()?;
    run(Command::new("git").args(["diff", "--exit-code", "--", "iomt-ffi/include/iomt.h"])).map_err(
        |e| {
            format!("{e}: iomt-ffi/include/iomt.h is stale; run `cargo xtask header` and commit it")
        },
    )
}

/// `cargo xtask header [--check]`.
pub(crate) fn header(args: &[String]) -> Result<(), String> {
    prerequisites()?;
    if args.iter().any(|a| a == "--check") {
        ci_step()
    } else {
        generate()
    }
}
