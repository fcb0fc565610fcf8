//! Idempotent installation of what the checks need on a fresh Debian machine.
//!
//! Every function first checks whether the thing is already there and does nothing if so.

use std::process::Command;

use crate::step::{have, output, run};

/// The no_std targets the library crates must build for.
pub(crate) const EMBEDDED_TARGETS: [&str; 4] = [
    "thumbv6m-none-eabi",
    "thumbv7em-none-eabihf",
    "thumbv8m.main-none-eabihf",
    "riscv32imc-unknown-none-elf",
];

/// Rust targets and components of the pinned toolchain.
pub(crate) fn rust_toolchain() -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    let missing: Vec<&str> = EMBEDDED_TARGETS
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if missing.is_empty() {
        println!("rust targets: all present");
    } else {
        run(Command::new("rustup")
            .args(["target", "add"])
            .args(&missing))?;
    }
    let components = output(Command::new("rustup").args(["component", "list", "--installed"]))?;
    for component in ["clippy", "rustfmt"] {
        if components.lines().any(|l| l.starts_with(component)) {
            println!("rust component {component}: present");
        } else {
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// Nightly toolchain with the given components (for cargo-fuzz, Miri and `-Zbuild-std`).
pub(crate) fn nightly(components: &[&str]) -> Result<(), String> {
    let toolchains = output(Command::new("rustup").args(["toolchain", "list"]))?;
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
        ]))?;
    }
    let installed = output(Command::new("rustup").args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        "nightly",
    ]))?;
    for component in components {
        if installed.lines().any(|l| l.starts_with(component)) {
            println!("nightly component {component}: present");
        } else {
            run(Command::new("rustup").args([
                "component",
                "add",
                component,
                "--toolchain",
                "nightly",
            ]))?;
        }
    }
    Ok(())
}

/// Debian packages, installed with apt-get if any is missing.
#[allow(dead_code, reason = "used by steps that later issues add")]
pub(crate) fn apt(packages: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
                .unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        println!("apt packages {}: present", packages.join(" "));
        return Ok(());
    }
    let root = output(Command::new("id").arg("-u"))
        .map(|s| s.trim() == "0")
        .unwrap_or(false);
    let mut prefix: Vec<&str> = Vec::new();
    if !root {
        if !have("sudo") {
            return Err(format!(
                "apt packages {missing:?} are missing and there is no sudo"
            ));
        }
        prefix.push("sudo");
    }
    let apt_get = |args: &[&str]| {
        let mut cmd = Command::new(prefix.first().copied().unwrap_or("apt-get"));
        if !prefix.is_empty() {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt_get(&["update", "-qq"]))?;
    let mut install = apt_get(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install)
}

/// A cargo subcommand/tool at a pinned version, installed with `cargo install --locked`.
///
/// `probe` is the command line whose output must contain `version` when it is present.
#[allow(dead_code, reason = "used by steps that later issues add")]
pub(crate) fn cargo_tool(krate: &str, version: &str, probe: &[&str]) -> Result<(), String> {
    let present = probe
        .split_first()
        .and_then(|(program, args)| Command::new(program).args(args).output().ok())
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(version))
        .unwrap_or(false);
    if present {
        println!("{krate} {version}: present");
        return Ok(());
    }
    run(Command::new("cargo").args(["install", "--locked", krate, "--version", version]))
}
