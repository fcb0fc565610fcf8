//! Building the Cortex-M4 firmware (`firmware/`, its own workspace) and running it on
//! QEMU `mps2-an386`, plus `cargo xtask qemu` (the on-target conformance run).
//!
//! `cargo xtask qemu` builds `firmware`'s `conformance` binary with both P-256
//! backends (RustCrypto and P256-Cortex-M4), runs it under QEMU and fails unless the
//! firmware exits 0 (every Wycheproof ECDH/ECDSA vector and RFC 6979 known answer
//! passed on the target).

use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::setup;
use crate::step::{cargo, run, workspace_root};

/// The firmware's target triple.
pub(crate) const TARGET: &str = "thumbv7em-none-eabihf";
/// Debian packages the firmware needs: QEMU, the GNU Arm toolchain (the
/// P256-Cortex-M4 C/assembly is built with `arm-none-eabi-gcc`) and `arm-none-eabi-size`.
pub(crate) const APT_PACKAGES: [&str; 4] = [
    "qemu-system-arm",
    "binutils-arm-none-eabi",
    "gcc-arm-none-eabi",
    "libnewlib-arm-none-eabi",
];
/// Longest a firmware may run under QEMU (a full bench run takes a few seconds).
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// Installs QEMU and the Arm GNU toolchain (idempotent).
pub(crate) fn prerequisites() -> Result<(), String> {
    setup::apt(&APT_PACKAGES)
}

/// The firmware workspace.
pub(crate) fn firmware_dir() -> PathBuf {
    workspace_root().join("firmware")
}

/// One firmware build configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Build<'a> {
    /// The binary (`bench` or `conformance`).
    pub(crate) bin: &'a str,
    /// Cargo features; the default features are always off, so this is the full set.
    pub(crate) features: &'a [&'a str],
    /// `opt-level` of the release profile (`"s"`, `"z"`, `"3"`…).
    pub(crate) opt_level: &'a str,
}

impl Build<'_> {
    /// A short name for the target directory and reports, e.g. `s-backend-m4`.
    pub(crate) fn tag(&self) -> String {
        let mut tag = format!("opt-{}", self.opt_level);
        for f in self.features {
            tag.push('-');
            tag.push_str(f);
        }
        tag
    }

    /// Builds (release, LTO) and returns the ELF's path. All configurations share one
    /// target directory (dependencies unaffected by a feature are built once); the ELF
    /// is overwritten by the next build of the same binary, so use it right away.
    pub(crate) fn build(&self) -> Result<PathBuf, String> {
        let target_dir = firmware_dir().join("target").join("xtask");
        let mut cmd = cargo();
        cmd.current_dir(firmware_dir())
            .args([
                "build",
                "--release",
                "--bin",
                self.bin,
                "--no-default-features",
            ])
            .arg("--target-dir")
            .arg(&target_dir)
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", self.opt_level);
        if !self.features.is_empty() {
            cmd.arg("--features").arg(self.features.join(","));
        }
        run(&mut cmd)?;
        Ok(target_dir.join(TARGET).join("release").join(self.bin))
    }
}

/// Runs `elf` on QEMU mps2-an386 with `-icount shift=0` and semihosting; returns its
/// console output, or an error (with the output) if it exits non-zero or times out.
pub(crate) fn run_elf(elf: &std::path::Path) -> Result<String, String> {
    println!(
        "$ qemu-system-arm -M mps2-an386 ... -kernel {}",
        elf.display()
    );
    let mut child = Command::new("qemu-system-arm")
        .args([
            "-M",
            "mps2-an386",
            "-nographic",
            "-monitor",
            "none",
            "-serial",
            "none",
        ])
        .args([
            "-semihosting-config",
            "enable=on,target=native",
            "-icount",
            "shift=0",
        ])
        .arg("-kernel")
        .arg(elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start qemu-system-arm: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if start.elapsed() > RUN_TIMEOUT {
            // Our own child, by its handle.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = reader.join().unwrap_or_default();
    print!("{output}");
    match status {
        Some(s) if s.success() => Ok(output),
        Some(s) => Err(format!("firmware {} exited with {s}", elf.display())),
        None => Err(format!(
            "firmware {} timed out after {RUN_TIMEOUT:?}",
            elf.display()
        )),
    }
}

/// Builds and runs the conformance firmware with both backends (opt-level s).
pub(crate) fn conformance() -> Result<(), String> {
    let build = Build {
        bin: "conformance",
        features: &["backend-rustcrypto", "backend-m4", "suite5"],
        opt_level: "s",
    };
    let elf = build.build()?;
    let out = run_elf(&elf)?;
    if !out.contains("IOMT-CONFORMANCE-DONE\tok") {
        return Err("conformance firmware did not report success".to_owned());
    }
    Ok(())
}

/// `cargo fmt --check` and clippy (`-D warnings`) of the firmware workspace.
pub(crate) fn lint() -> Result<(), String> {
    run(cargo().current_dir(firmware_dir()).args(["fmt", "--check"]))?;
    run(cargo().current_dir(firmware_dir()).args([
        "clippy",
        "--features",
        "backend-m4",
        "--target-dir",
        "target/xtask",
        "--",
        "-D",
        "warnings",
    ]))
}

/// `cargo xtask qemu`: lint, then the on-target conformance run.
pub(crate) fn qemu(_args: &[String]) -> Result<(), String> {
    prerequisites()?;
    lint()?;
    conformance()
}

/// CI step body: `qemu: conformance (cortex-m4)`.
pub(crate) fn ci_step() -> Result<(), String> {
    lint()?;
    conformance()
}
