//! Runs the demo into a directory and reads its FHIR output back, per destination; runs the
//! independent validators of `examples/fhir_check/` on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use iomt_examples::demo::{Config, Summary, run};
use iomt_examples::fhir::Destination;
use serde_json::Value;

/// The demo's FHIR output.
pub(crate) struct Output {
    /// The directory.
    pub(crate) dir: PathBuf,
    /// Resources per destination, in file order.
    pub(crate) by_dest: HashMap<Destination, Vec<Value>>,
}

impl Output {
    /// The resources written to `dest`.
    pub(crate) fn get(&self, dest: Destination) -> &[Value] {
        self.by_dest.get(&dest).map_or(&[], Vec::as_slice)
    }

    /// Every Observation, all destinations.
    pub(crate) fn observations(&self) -> impl Iterator<Item = &Value> {
        Destination::ALL
            .iter()
            .flat_map(|d| self.get(*d))
            .filter(|r| r["resourceType"] == "Observation")
    }
}

/// Runs the demo (quiet) into `<tmp>/<name>/` and reads every destination file.
pub(crate) fn run_demo(name: &str, cfg: Config) -> (Summary, Output) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let cfg = Config {
        out: dir.clone(),
        quiet: true,
        ..cfg
    };
    let summary = run(&cfg).unwrap();
    let by_dest = Destination::ALL
        .iter()
        .map(|d| {
            let text = std::fs::read_to_string(dir.join(d.file_name())).unwrap();
            let lines = text
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("every line is JSON"))
                .collect();
            (*d, lines)
        })
        .collect();
    (summary, Output { dir, by_dest })
}

/// The Python interpreter for the validators: `IOMT_FHIR_PYTHON` (set by `cargo xtask ci`'s
/// demo step to its venv with `fhir.resources`), else `python3` for the profile check only.
fn python() -> Option<(String, bool)> {
    if let Ok(p) = std::env::var("IOMT_FHIR_PYTHON") {
        return Some((p, true));
    }
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| ("python3".to_owned(), false))
}

/// Runs `examples/fhir_check/fhir_check.py` on `dir`; panics with its report on failure.
/// Without `IOMT_FHIR_PYTHON` only the profile check runs (`--no-structural`); without any
/// Python it is skipped with a message (`cargo xtask ci`'s demo step installs Python and
/// runs this test with both validators, so CI never skips it).
pub(crate) fn validate(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fhir_check/fhir_check.py");
    let Some((py, structural)) = python() else {
        eprintln!("SKIPPED: FHIR validators (no python3; the CI demo step runs them)");
        return;
    };
    let mut cmd = Command::new(&py);
    cmd.arg(&script).arg(dir);
    if !structural {
        eprintln!("note: IOMT_FHIR_PYTHON unset; profile check only (no fhir.resources)");
        cmd.arg("--no-structural");
    }
    let out = cmd.output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{report}");
    assert!(out.status.success(), "FHIR validation failed:\n{report}");
}
