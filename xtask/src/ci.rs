//! `cargo xtask ci`: every check of the project, in order, each step named and timed.

use std::process::Command;

use crate::setup::{self, EMBEDDED_TARGETS};
use crate::step::{Runner, cargo, in_ci, nightly_cargo, output, run, workspace_root};

/// The library crates that must stay `no_std` and allocation-free.
pub(crate) const LIBRARY_CRATES: [&str; 4] =
    ["iomt-core", "iomt-crypto", "iomt-auth", "iomt-proto"];

type StepFn = fn() -> Result<(), String>;

/// One CI step: its name, what it needs installed first (idempotent), and its body.
struct Step {
    name: &'static str,
    /// Installs the step's prerequisites. If this fails outside CI the step is skipped
    /// loudly; under `CI=true` it fails the run.
    prerequisites: Option<StepFn>,
    body: StepFn,
}

const fn step(name: &'static str, body: StepFn) -> Step {
    Step {
        name,
        prerequisites: None,
        body,
    }
}

/// The steps, in the order they run.
const STEPS: &[Step] = &[
    step("fmt", fmt),
    step("clippy (host, all targets)", clippy_host),
    step("clippy (thumbv7em-none-eabihf, libraries)", clippy_embedded),
    step("test (workspace, incl. doctests)", test),
    step(
        "test (iomt-auth without signature-methods: configuration fails early)",
        test_method3_only,
    ),
    step("rustdoc (-D warnings)", doc),
    step(
        "quick start: README block built outside the workspace",
        crate::quickstart::ci_step,
    ),
    step(
        "publish: README links, cargo publish --dry-run, tests from the .crate files",
        crate::package::ci_step,
    ),
    step(
        "evidence: control map (cited tests passed)",
        crate::evidence::controls_ci_step,
    ),
    Step {
        name: "evidence: cargo deny",
        prerequisites: Some(crate::evidence::deny_prerequisites),
        body: crate::evidence::deny_ci_step,
    },
    Step {
        name: "evidence: SBOM (CycloneDX)",
        prerequisites: Some(crate::evidence::sbom_prerequisites),
        body: crate::evidence::sbom_ci_step,
    },
    step("no_std build (4 targets x 4 libraries)", no_std_builds),
    Step {
        name: "no-alloc proof (nightly, -Zbuild-std=core)",
        prerequisites: Some(nightly_rust_src),
        body: no_alloc_proof,
    },
    step("demo", demo),
    Step {
        name: "ffi: header up to date (pinned cbindgen, git diff)",
        prerequisites: Some(crate::header::prerequisites),
        body: crate::header::ci_step,
    },
    Step {
        name: "ffi: C examples (host ASan/UBSan + valgrind, cortex-m4 qemu, flash size)",
        prerequisites: Some(crate::cexamples::prerequisites),
        body: crate::cexamples::ci_step,
    },
    Step {
        name: "ffi: CMake package + pkg-config (host, cortex-m4 qemu) + Zephyr module files",
        prerequisites: Some(crate::cmake::prerequisites),
        body: crate::cmake::ci_step,
    },
    Step {
        name: "ffi: miri (iomt-ffi Rust-side tests)",
        prerequisites: Some(crate::cexamples::miri_prerequisites),
        body: crate::cexamples::miri,
    },
    Step {
        name: "fuzz smoke (every target 4 s, ASan)",
        prerequisites: Some(crate::fuzz::prerequisites),
        body: crate::fuzz::smoke,
    },
    Step {
        name: "qemu: conformance (cortex-m4)",
        prerequisites: Some(crate::qemu::prerequisites),
        body: crate::qemu::ci_step,
    },
    Step {
        name: "qemu: demo device -> gateway (cortex-m4 firmware over UART/TCP)",
        prerequisites: Some(crate::qemu::prerequisites),
        body: crate::qemu_demo::ci_step,
    },
    Step {
        name: "footprint",
        prerequisites: Some(crate::qemu::prerequisites),
        body: crate::footprint::ci_step,
    },
];

/// The names of the CI steps, in order (cited by docs/controls.toml).
pub(crate) fn step_names() -> impl Iterator<Item = &'static str> {
    STEPS.iter().map(|step| step.name)
}

/// Runs setup and then every step (or only the one named by `--only NAME`).
pub(crate) fn ci(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--list") {
        for s in STEPS {
            println!("{}", s.name);
        }
        return Ok(());
    }
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let mut runner = Runner::default();
    let result = (|| {
        runner.step("setup: rust toolchain", setup::rust_toolchain)?;
        for s in STEPS {
            if only.as_deref().is_some_and(|o| !s.name.starts_with(o)) {
                continue;
            }
            if let Some(prerequisites) = s.prerequisites {
                let name = format!("setup: {}", s.name);
                if let Err(why) = runner.step(&name, prerequisites) {
                    let why = missing_prerequisites(in_ci(), why)?;
                    runner.skipped(s.name, &why);
                    continue;
                }
            }
            runner.step(s.name, s.body)?;
        }
        Ok(())
    })();
    runner.summary();
    result
}

/// What a step whose prerequisites could not be installed becomes: under CI (`ci`) the
/// run fails with `why`; outside CI the step is skipped, loudly, with `why`. The only
/// way a step is ever skipped (test `under_ci_nothing_is_skipped`).
fn missing_prerequisites(ci: bool, why: String) -> Result<String, String> {
    if ci { Err(why) } else { Ok(why) }
}

/// The workspaces outside the main one (excluded from it), each with its own lock file.
const SIDE_WORKSPACES: [&str; 4] = [
    "fuzz",
    "firmware",
    "perf/lakers-compare",
    "perf/lakers-footprint",
];

fn fmt() -> Result<(), String> {
    run(cargo().args(["fmt", "--all", "--check"]))?;
    for dir in SIDE_WORKSPACES {
        let dir = workspace_root().join(dir);
        if dir.join("Cargo.toml").exists() {
            run(cargo().args(["fmt", "--all", "--check"]).current_dir(dir))?;
        }
    }
    Ok(())
}

fn clippy_host() -> Result<(), String> {
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The host side-by-side benchmark (`cargo xtask bench-lakers`) is not run in CI
    // (it measures); this keeps it compiling against the libraries' API.
    run(cargo()
        .args(["clippy", "--release", "--manifest-path"])
        .arg(workspace_root().join("perf/lakers-compare/Cargo.toml"))
        .arg("--target-dir")
        .arg(workspace_root().join("target"))
        .args(["--", "-D", "warnings"]))
}

fn clippy_embedded() -> Result<(), String> {
    let mut cmd = cargo();
    cmd.args(["clippy", "--target", "thumbv7em-none-eabihf"]);
    for krate in LIBRARY_CRATES {
        cmd.args(["-p", krate]);
    }
    run(cmd.args(["--", "-D", "warnings"]))
}

/// Its output is also recorded for the control map's check (`evidence/test_record.rs`).
fn test() -> Result<(), String> {
    crate::evidence::workspace_tests()
}

/// iomt-auth's feature-dependent configuration checks, in the build without
/// `signature-methods` (the default-feature run covers the other branch).
fn test_method3_only() -> Result<(), String> {
    run(cargo().args([
        "test",
        "-p",
        "iomt-auth",
        "--no-default-features",
        "--lib",
        "edhoc::tests",
    ]))
}

fn doc() -> Result<(), String> {
    run(cargo()
        .args(["doc", "--workspace", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings"))
}

/// Release builds of the library crates for every embedded target. A dependency that
/// needs `std` (or `alloc` without a global allocator) fails here with E0463.
fn no_std_builds() -> Result<(), String> {
    for target in EMBEDDED_TARGETS {
        let mut cmd = cargo();
        cmd.args(["build", "--release", "--target", target]);
        for krate in LIBRARY_CRATES {
            cmd.args(["-p", krate]);
        }
        run(&mut cmd)?;
        // And iomt-auth without its default `signature-methods` (EDHOC method 3 only).
        run(cargo().args([
            "build",
            "--release",
            "--target",
            target,
            "-p",
            "iomt-auth",
            "--no-default-features",
        ]))?;
    }
    // And iomt-proto's async transports and handshake driver (`embedded-io-async`), on the
    // Cortex-M4 target only (the other targets add nothing this does not show).
    run(cargo().args([
        "build",
        "--release",
        "--target",
        "thumbv7em-none-eabihf",
        "-p",
        "iomt-proto",
        "--no-default-features",
        "--features",
        "async,edhoc",
    ]))?;
    Ok(())
}

fn nightly_rust_src() -> Result<(), String> {
    setup::nightly(&["rust-src"])
}

/// Builds the library crates against a sysroot that holds only `core`: any use of
/// `alloc` (or `std`) anywhere in their dependency graphs fails with E0463.
fn no_alloc_proof() -> Result<(), String> {
    let mut cmd = nightly_cargo();
    cmd.args([
        "build",
        "--release",
        "-Zbuild-std=core",
        "--target",
        "thumbv7em-none-eabihf",
        "--target-dir",
        "target/no-alloc-proof",
    ]);
    for krate in LIBRARY_CRATES {
        cmd.args(["-p", krate]);
    }
    run(&mut cmd)
}

/// The demo, and its FHIR output through the independent validators
/// (`examples/fhir_check/`): their own tests (a broken example per mistake), then the demo's
/// real output (structure: `fhir.resources` R4 models; profiles: the R4 vital-signs rules),
/// then the demo's integration test with the full validators.
fn demo() -> Result<(), String> {
    let py = fhir_python()?;
    run(cargo().args([
        "run",
        "--release",
        "-p",
        "iomt-examples",
        "--bin",
        "demo",
        "--",
        "--out",
        FHIR_OUT,
    ]))?;
    let check = |args: &[&str]| {
        run(Command::new(&py)
            .arg("-B")
            .args(args)
            .current_dir(workspace_root().join("examples/fhir_check")))
    };
    check(&["-m", "unittest", "discover", "-s", ".", "-p", "test_*.py"])?;
    let out = workspace_root().join(FHIR_OUT);
    check(&["fhir_check.py", &out.to_string_lossy()])?;
    run(cargo()
        .args([
            "test",
            "-p",
            "iomt-examples",
            "--test",
            "demo",
            "--",
            "demo_fhir_output",
        ])
        .env("IOMT_FHIR_PYTHON", &py))
}

/// Where the CI demo writes its FHIR output.
const FHIR_OUT: &str = "target/demo/fhir";
/// The validators' virtual environment (under `target/`, so `cargo clean` resets it).
const FHIR_VENV: &str = "target/fhir-venv";
/// Pinned: `fhir.resources` 6.4.x is the FHIR R4 (4.0.1) line; it needs pydantic 1.
const FHIR_PACKAGES: [&str; 2] = ["fhir.resources==6.4.0", "pydantic==1.10.27"];

/// The venv's Python with [`FHIR_PACKAGES`] installed (idempotent: creates the venv and
/// installs only what `pip freeze` does not already show).
fn fhir_python() -> Result<String, String> {
    let venv = workspace_root().join(FHIR_VENV);
    let py = venv.join("bin/python");
    if !py.exists() {
        let venv_ok = Command::new("python3")
            .args(["-m", "venv", "--help"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !venv_ok {
            setup::apt(&["python3", "python3-venv", "python3-pip"])?;
        }
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let frozen = output(Command::new(&py).args(["-m", "pip", "freeze"]))?;
    if FHIR_PACKAGES
        .iter()
        .any(|p| !frozen.lines().any(|l| l.trim() == *p))
    {
        run(Command::new(&py)
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .args(FHIR_PACKAGES))?;
    } else {
        println!(
            "python venv {FHIR_VENV}: {} present",
            FHIR_PACKAGES.join(" ")
        );
    }
    Ok(py.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_ci_nothing_is_skipped() {
        // A step whose tools cannot be installed fails the run under CI ...
        assert_eq!(
            missing_prerequisites(true, "no qemu".into()),
            Err("no qemu".into())
        );
        // ... and is skipped (loudly) only outside CI.
        assert_eq!(
            missing_prerequisites(false, "no qemu".into()),
            Ok("no qemu".into())
        );
        // `CI=true` and `CI=1` both count as CI.
        assert!(crate::step::ci_value(Some("true")) && crate::step::ci_value(Some("1")));
        assert!(!crate::step::ci_value(None) && !crate::step::ci_value(Some("false")));
        // The skip in `ci` is the only one in xtask, and it goes through
        // `missing_prerequisites` (a second skip path would escape this test).
        // Every .rs file below xtask/src, module folders (evidence/, …) included.
        let mut skips = 0;
        let mut dirs = vec![workspace_root().join("xtask/src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap();
                skips += code.matches(".skipped(").count();
            }
        }
        assert_eq!(
            skips, 1,
            "runner.skipped is called only after missing_prerequisites"
        );
        let ci_src = std::fs::read_to_string(workspace_root().join("xtask/src/ci.rs")).unwrap();
        assert!(ci_src.contains(
            "let why = missing_prerequisites(in_ci(), why)?;\n                    runner.skipped("
        ));
    }
}
