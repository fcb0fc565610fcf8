//! The lakers 0.8 initiator image of `cargo xtask footprint` (`perf/lakers-footprint`, its
//! own workspace so lakers never enters the libraries' dependency graph): built with the
//! firmware's runtime and release profile at the same opt-level, run on QEMU, and
//! measured against its own `baseline` image, like iomt's `initiator`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::footprint::{flash, sections};
use crate::qemu::{self, TARGET};
use crate::step::{cargo, run, workspace_root};

/// The lakers release the comparison uses (pinned in perf/lakers-footprint/Cargo.toml).
pub(crate) const LAKERS_VERSION: &str = "0.8.0";

/// One opt-level's lakers measurement.
#[derive(Clone, Debug, Default)]
pub(crate) struct LakersImage {
    /// Sections of the initiator image and of its baseline image.
    pub(crate) initiator: BTreeMap<String, u64>,
    pub(crate) baseline: BTreeMap<String, u64>,
    /// The last step the run reached (`parse message_2` with RFC 9529's message_2, see
    /// perf/lakers-footprint/src/bin/initiator.rs).
    pub(crate) reached: String,
}

impl LakersImage {
    /// Flash of the initiator image minus flash of the baseline image.
    pub(crate) fn own(&self) -> u64 {
        flash(&self.initiator).saturating_sub(flash(&self.baseline))
    }
}

fn dir() -> PathBuf {
    workspace_root().join("perf").join("lakers-footprint")
}

/// Builds `bin` of perf/lakers-footprint (release, LTO, `opt_level`) and returns the ELF.
fn build(bin: &str, opt_level: &str) -> Result<PathBuf, String> {
    let target_dir = dir().join("target").join("xtask");
    run(cargo()
        .current_dir(dir())
        .args(["build", "--release", "--bin", bin])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", opt_level))?;
    Ok(target_dir.join(TARGET).join("release").join(bin))
}

/// Builds and runs the lakers `baseline` and `initiator` images at `opt_level`.
pub(crate) fn measure(opt_level: &str) -> Result<LakersImage, String> {
    let elf = build("baseline", opt_level)?;
    qemu::run_elf(&elf)?;
    let baseline = sections(&elf)?;
    let elf = build("initiator", opt_level)?;
    let console = qemu::run_elf(&elf)?;
    let reached = console
        .lines()
        .find_map(|l| l.strip_prefix("LAKERS-INITIATOR\t"))
        .map(|s| s.trim().to_owned())
        .ok_or("the lakers initiator image did not report")?;
    Ok(LakersImage {
        initiator: sections(&elf)?,
        baseline,
        reached,
    })
}
