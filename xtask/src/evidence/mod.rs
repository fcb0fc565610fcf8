//! Evidence for regulatory submissions, generated and checked by CI.
//!
//! - `cargo xtask controls [--check | --record FILE]`: renders `docs/CONTROLS.md` from `docs/controls.toml`
//!   (control → requirement → module → tests → the maker's job). The CI step also fails if a
//!   cited module, feature or file does not exist, if a cited test did not run and pass in
//!   this run's `test` step, or if a public module or Cargo feature of a library crate is
//!   neither cited by a control nor listed as not security-relevant.
//! - `cargo xtask sbom`: CycloneDX JSON SBOMs (pinned `cargo-cyclonedx`) for what a maker
//!   ships, in `target/evidence/sbom/`; checked to parse and to list every crate of
//!   `cargo tree` for that build, each with a license.
//! - `cargo xtask deny`: `cargo deny check licenses bans sources` (policy in `deny.toml`).
//!
//! The `test` CI step runs through [`workspace_tests`], which echoes `cargo test`'s output
//! and keeps a copy (`target/evidence/test-output.txt`) so the control map is checked
//! against the tests that really ran, without running them twice.
//!
//! Files: `test_record` (the recorded test run and its parser), `controls` (the control
//! map), `sbom`, `deny`, and the two small readers they use, `toml` and `json`.

mod controls;
mod deny;
mod json;
mod sbom;
mod test_record;
mod toml;

use std::path::PathBuf;

use crate::step::workspace_root;

pub(crate) use controls::{controls, controls_ci_step};
pub(crate) use deny::{deny, deny_ci_step, deny_prerequisites};
pub(crate) use sbom::{sbom, sbom_ci_step, sbom_prerequisites};
pub(crate) use test_record::workspace_tests;

fn evidence_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    workspace_root().join(target).join("evidence")
}
