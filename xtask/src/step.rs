//! Running named, timed steps and shell commands.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The workspace root (xtask lives one level below it).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// True when running under CI (`CI=true` or `CI=1`): nothing may be skipped.
pub(crate) fn in_ci() -> bool {
    ci_value(std::env::var("CI").ok().as_deref())
}

/// Whether the value of `CI` means CI.
pub(crate) fn ci_value(value: Option<&str>) -> bool {
    matches!(value, Some("true" | "1"))
}

/// A recorded step outcome for the final summary.
pub(crate) struct Outcome {
    pub(crate) name: String,
    pub(crate) elapsed: Duration,
    pub(crate) status: &'static str,
}

/// Runs steps in order, prints a header per step and a timing table at the end.
#[derive(Default)]
pub(crate) struct Runner {
    outcomes: Vec<Outcome>,
}

impl Runner {
    /// Runs one named step; an error is returned prefixed with the step name.
    pub(crate) fn step(
        &mut self,
        name: &str,
        body: impl FnOnce() -> Result<(), String>,
    ) -> Result<(), String> {
        println!("\n==> [{name}]");
        let start = Instant::now();
        let result = body();
        let elapsed = start.elapsed();
        let status = if result.is_ok() { "ok" } else { "FAILED" };
        println!("<== [{name}] {status} in {:.1}s", elapsed.as_secs_f64());
        self.outcomes.push(Outcome {
            name: name.to_owned(),
            elapsed,
            status,
        });
        result.map_err(|e| format!("step `{name}`: {e}"))
    }

    /// Records a step that was skipped (only allowed outside CI).
    pub(crate) fn skipped(&mut self, name: &str, why: &str) {
        println!("\n!!! [{name}] SKIPPED: {why}");
        println!("!!! (under CI=true this would be a failure)");
        self.outcomes.push(Outcome {
            name: name.to_owned(),
            elapsed: Duration::ZERO,
            status: "SKIPPED",
        });
    }

    /// Prints the timing summary.
    pub(crate) fn summary(&self) {
        println!("\nstep                                      status      time");
        let mut total = Duration::ZERO;
        for o in &self.outcomes {
            total += o.elapsed;
            println!(
                "{:<42}{:<12}{:>6.1}s",
                o.name,
                o.status,
                o.elapsed.as_secs_f64()
            );
        }
        println!("{:<42}{:<12}{:>6.1}s", "total", "", total.as_secs_f64());
    }
}

/// Runs a command in the workspace root, echoing it; fails on a non-zero exit.
pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(workspace_root());
    }
    println!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` exited with {status}", describe(cmd)))
    }
}

/// Runs a command and returns its stdout (stderr passes through); fails on non-zero exit.
pub(crate) fn output(cmd: &mut Command) -> Result<String, String> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(workspace_root());
    }
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("`{}` exited with {}", describe(cmd), out.status))
    }
}

/// True if `program` can be started (found on PATH).
pub(crate) fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// `cargo` with the toolchain of rust-toolchain.toml.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// `cargo +nightly` through the rustup proxy (for `-Z` flags, cargo-fuzz and Miri).
pub(crate) fn nightly_cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly").env_remove("RUSTUP_TOOLCHAIN");
    cmd
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}
