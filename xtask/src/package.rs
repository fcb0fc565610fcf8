//! `cargo xtask package [dry-run|test|links]`: the published crates as crates.io would
//! see them.
//!
//! - `dry-run`: `cargo publish --workspace --dry-run` (every crate with `publish` not false:
//!   packaged, then built from its `.crate` against its packaged siblings).
//! - `test`: each library crate's (and the conformance kit's) `.crate` (`cargo package --no-verify`) unpacked into
//!   `target/package-test/`, joined into a scratch workspace whose `[patch.crates-io]`
//!   points the `iomt-*` versions at the unpacked siblings, and `cargo test` run there: a
//!   test that reads a file outside its crate (the repository's `docs/`, another crate)
//!   fails. Repository checks live in `tests/repo_*.rs`, excluded from the `.crate`.
//! - `links`: a published crate's README (it is also its docs.rs front page) links files
//!   with absolute URLs only; a relative link breaks on docs.rs and crates.io.
//!
//! The scratch workspace reuses the repository's `Cargo.lock`, profiles and target
//! directory, so the dependencies compiled by the test step are not rebuilt.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cexamples::target_dir;
use crate::ci::LIBRARY_CRATES;
use crate::step::{cargo, run, workspace_root};

/// The crates whose `.crate` is unpacked and tested, and whose README links are checked:
/// the library crates and the (std) conformance kit.
const PACKAGED_CRATES: [&str; 5] = [
    LIBRARY_CRATES[0],
    LIBRARY_CRATES[1],
    LIBRARY_CRATES[2],
    LIBRARY_CRATES[3],
    "iomt-crypto-conformance",
];

/// `cargo publish --workspace --dry-run`.
///
/// Cargo verifies each crate against its packaged siblings through a temporary local
/// registry whose sources it unpacks under `$CARGO_HOME/registry/src/-<hash>/`, the hash
/// taken from the registry's path (so the same checkout path gives the same directory),
/// and it does not unpack a `name-version` directory that is already there. Our version
/// stays 0.1.0 between commits, so a second run from the same path would build the
/// *previous* run's sources (CI of 2026-12-04 failed that way). The stale copies are
/// removed first.
///
/// # Errors
/// A crate that does not package or build from its `.crate`; a stale copy that cannot be
/// removed.
pub(crate) fn dry_run() -> Result<(), String> {
    remove_stale_unpacked_siblings()?;
    run(cargo().args(["publish", "--workspace", "--dry-run", "--allow-dirty"]))
}

/// `$CARGO_HOME` (default `~/.cargo`).
fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// Removes `iomt-*-<version>` from cargo's unnamed (temporary, `-<hash>`) registries;
/// crates.io's (`index.crates.io-<hash>`) is left alone.
fn remove_stale_unpacked_siblings() -> Result<(), String> {
    let Some(src) = cargo_home().map(|h| h.join("registry").join("src")) else {
        return Ok(());
    };
    let Ok(registries) = fs::read_dir(&src) else {
        return Ok(());
    };
    let suffix = format!("-{}", version()?);
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        let Ok(unpacked) = fs::read_dir(registry.path()) else {
            continue;
        };
        for krate in unpacked.flatten() {
            let name = krate.file_name().to_string_lossy().into_owned();
            if name.starts_with("iomt-") && name.ends_with(&suffix) {
                fs::remove_dir_all(krate.path())
                    .map_err(|e| format!("{}: {e}", krate.path().display()))?;
            }
        }
    }
    Ok(())
}

fn version() -> Result<String, String> {
    let toml = fs::read_to_string(workspace_root().join("Cargo.toml"))
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    toml.lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|r| r.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| "no workspace version in Cargo.toml".to_owned())
}

/// The workspace `Cargo.toml`'s `[profile.*]` sections, verbatim (test speed and the
/// compiled dependencies depend on them).
fn profiles(root_toml: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in root_toml.lines() {
        if line.starts_with('[') {
            inside = line.starts_with("[profile.");
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Unpacks the library crates' `.crate` files into a scratch workspace; returns its root.
fn unpack() -> Result<PathBuf, String> {
    let mut cmd = cargo();
    cmd.args(["package", "--no-verify", "--allow-dirty"]);
    for krate in PACKAGED_CRATES {
        cmd.args(["-p", krate]);
    }
    run(&mut cmd)?;
    let version = version()?;
    let scratch = target_dir().join("package-test");
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let mut members = Vec::new();
    let mut patches = String::new();
    for krate in PACKAGED_CRATES {
        let file = target_dir()
            .join("package")
            .join(format!("{krate}-{version}.crate"));
        run(Command::new("tar")
            .arg("xzf")
            .arg(&file)
            .arg("-C")
            .arg(&scratch))?;
        let dir = format!("{krate}-{version}");
        patches.push_str(&format!("{krate} = {{ path = \"{dir}\" }}\n"));
        members.push(format!("\"{dir}\""));
    }
    let root_toml = fs::read_to_string(workspace_root().join("Cargo.toml"))
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    let manifest = format!(
        "# Written by `cargo xtask package test`: the unpacked .crate files, nothing else.\n\
         [workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[patch.crates-io]\n{patches}\n{}",
        members.join(", "),
        profiles(&root_toml)
    );
    write(&scratch.join("Cargo.toml"), &manifest)?;
    fs::copy(
        workspace_root().join("Cargo.lock"),
        scratch.join("Cargo.lock"),
    )
    .map_err(|e| format!("Cargo.lock: {e}"))?;
    Ok(scratch)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The features a crate's tests enable on the crate itself: in the repository a
/// dev-dependency on itself (`iomt-crypto = { path = ".", features = [...] }`), which
/// `cargo package` drops (a path dependency without a version), so the `.crate` is tested
/// with the same features passed explicitly.
pub(crate) fn self_test_features(krate: &str, manifest: &str) -> String {
    manifest
        .lines()
        .filter(|l| l.starts_with(&format!("{krate} = {{ path = \".\"")))
        .filter_map(|l| l.split("features = [").nth(1))
        .filter_map(|r| r.split(']').next())
        .flat_map(|list| list.split(','))
        .map(|f| f.trim().trim_matches('"'))
        .filter(|f| !f.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// Every library crate's tests (unit, integration, doc) from its `.crate` contents, with
/// the features its repository tests use ([`self_test_features`]).
///
/// # Errors
/// A failing test, or a crate that does not build from its `.crate`.
pub(crate) fn test() -> Result<(), String> {
    let scratch = unpack()?;
    for krate in PACKAGED_CRATES {
        let manifest = fs::read_to_string(workspace_root().join(krate).join("Cargo.toml"))
            .map_err(|e| format!("{krate}/Cargo.toml: {e}"))?;
        let mut cmd = cargo();
        cmd.args(["test", "-p", krate]);
        let features = self_test_features(krate, &manifest);
        if !features.is_empty() {
            cmd.args(["--features", &features]);
        }
        run(cmd
            .current_dir(&scratch)
            .env("CARGO_TARGET_DIR", target_dir()))?;
    }
    Ok(())
}

/// Relative file links in a README (`](../x)`, `](./x)`, `](x.md)`): they break on
/// docs.rs and crates.io. Rustdoc intra-doc links (`](crate::x)`) are not files.
pub(crate) fn relative_links(readme: &str) -> Vec<String> {
    readme
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| {
            !target.starts_with("http://")
                && !target.starts_with("https://")
                && !target.starts_with('#')
                && (target.contains('/') || target.contains(".md"))
        })
        .map(str::to_owned)
        .collect()
}

/// The published crates' READMEs link with absolute URLs only.
///
/// # Errors
/// The relative links found.
pub(crate) fn links() -> Result<(), String> {
    let mut bad = Vec::new();
    for krate in PACKAGED_CRATES {
        let readme = fs::read_to_string(workspace_root().join(krate).join("README.md"))
            .map_err(|e| format!("{krate}/README.md: {e}"))?;
        bad.extend(
            relative_links(&readme)
                .into_iter()
                .map(|l| format!("{krate}/README.md: ]({l})")),
        );
    }
    if bad.is_empty() {
        println!("published READMEs: no relative links");
        Ok(())
    } else {
        Err(format!(
            "relative links break on docs.rs; use https://github.com/iomt-sdk/iomt/blob/main/...:\n  {}",
            bad.join("\n  ")
        ))
    }
}

/// The CI step: links, the publish dry run, then the tests from the `.crate` files.
pub(crate) fn ci_step() -> Result<(), String> {
    links()?;
    dry_run()?;
    test()
}

/// `cargo xtask package [dry-run|test|links]`.
pub(crate) fn package(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None => ci_step(),
        Some("dry-run") => dry_run(),
        Some("test") => test(),
        Some("links") => links(),
        Some(other) => Err(format!(
            "unknown package target `{other}` (dry-run|test|links)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_readme_links_are_found_and_absolute_ones_pass() {
        let text = "[a](../README.md) [b](https://x/y.md) [c](#sec) [`X`](crate::X) \
                    [d](docs/PROTOCOL.md) [e](CHANGELOG.md)";
        assert_eq!(
            relative_links(text),
            ["../README.md", "docs/PROTOCOL.md", "CHANGELOG.md"]
        );
        links().unwrap();
    }

    #[test]
    fn the_packaged_tests_get_the_features_of_the_self_dev_dependency() {
        let m = "[dev-dependencies]\niomt-x = { path = \".\", default-features = false, features = [\"a\", \"b\"] }\n";
        assert_eq!(self_test_features("iomt-x", m), "a,b");
        assert_eq!(self_test_features("iomt-y", m), "");
        let crypto = fs::read_to_string(workspace_root().join("iomt-crypto/Cargo.toml")).unwrap();
        assert_eq!(
            self_test_features("iomt-crypto", &crypto),
            "std,test-provider"
        );
    }

    #[test]
    fn the_scratch_workspace_keeps_the_profiles() {
        let root = fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        let p = profiles(&root);
        assert!(p.contains("[profile.dev.package.\"*\"]\nopt-level = 2"));
        assert!(!p.contains("[workspace"));
    }
}
