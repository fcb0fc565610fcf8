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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::setup;
use crate::step::{cargo, output, run, workspace_root};

/// The pinned cargo-cyclonedx (the SBOM's shape depends on it).
const CYCLONEDX_VERSION: &str = "0.5.9";
/// The pinned cargo-deny.
const DENY_VERSION: &str = "0.20.2";

/// Crates whose public modules and Cargo features must each have a control row (or an
/// exemption with a reason). iomt-ffi's modules are private plumbing of the C API; its
/// features count.
const FEATURE_CRATES: [&str; 5] = [
    "iomt-core",
    "iomt-crypto",
    "iomt-auth",
    "iomt-proto",
    "iomt-ffi",
];

// ---------------------------------------------------------------------------------------
// The workspace tests, recorded.

/// Set once the `test` step of this process passed and its output was recorded.
static TESTS_RECORDED: AtomicBool = AtomicBool::new(false);

fn evidence_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    workspace_root().join(target).join("evidence")
}

fn test_record_path() -> PathBuf {
    evidence_dir().join("test-output.txt")
}

/// `cargo test --workspace` (the CI `test` step): its output goes to the terminal as
/// usual and, line by line, to `target/evidence/test-output.txt`, preceded by a map
/// from each test binary to the source file it was built from.
pub(crate) fn workspace_tests() -> Result<(), String> {
    let dir = evidence_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = test_record_path();
    // Never leave an earlier run's record behind a failing one.
    let _ = std::fs::remove_file(&path);
    let partial = dir.join("test-output.partial");
    let mut file =
        std::fs::File::create(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    let (reader, writer) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
    let mut cmd = cargo();
    cmd.args(["test", "--workspace"])
        .current_dir(workspace_root())
        .stdout(writer.try_clone().map_err(|e| format!("pipe: {e}"))?)
        .stderr(writer);
    println!(
        "$ cargo test --workspace  (output recorded in {})",
        path.display()
    );
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    // The command holds the pipe's write ends: drop it, or the reader never sees EOF.
    drop(cmd);
    let mut stdout = std::io::stdout();
    for line in BufReader::new(reader).lines() {
        let line = line.map_err(|e| format!("reading cargo test output: {e}"))?;
        let _ = writeln!(stdout, "{line}");
        writeln!(file, "{line}").map_err(|e| format!("{}: {e}", partial.display()))?;
    }
    let status = child.wait().map_err(|e| format!("cargo test: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo test --workspace` exited with {status}"));
    }
    // Which source file each test binary was built from (everything is fresh: no build).
    let artifacts =
        output(cargo().args(["test", "--workspace", "--no-run", "--message-format=json"]))?;
    writeln!(file, "{BINARIES_MARK}").map_err(|e| format!("{}: {e}", partial.display()))?;
    for (binary, source) in test_binaries(&artifacts)? {
        writeln!(file, "{binary}\t{source}").map_err(|e| format!("{e}"))?;
    }
    drop(file);
    std::fs::rename(&partial, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    TESTS_RECORDED.store(true, Ordering::SeqCst);
    Ok(())
}

const BINARIES_MARK: &str = "==== xtask: test binaries (file name -> source)";

/// `(binary file name, workspace-relative source path)` for every test executable in
/// cargo's JSON messages.
fn test_binaries(messages: &str) -> Result<Vec<(String, String)>, String> {
    let root = workspace_root();
    let mut out = Vec::new();
    for line in messages.lines().filter(|l| l.starts_with('{')) {
        let msg = Json::parse(line)?;
        let (Some(exe), Some(src)) = (
            msg.get("executable").and_then(Json::as_str),
            msg.get("target")
                .and_then(|t| t.get("src_path"))
                .and_then(Json::as_str),
        ) else {
            continue;
        };
        let name = Path::new(exe)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let source = Path::new(src)
            .strip_prefix(&root)
            .unwrap_or(Path::new(src))
            .to_string_lossy()
            .into_owned();
        out.push((name, source));
    }
    Ok(out)
}

/// Status of every test that ran, keyed `source-path::test-name` (e.g.
/// `iomt-auth/tests/audit.rs::audit_stored_edit_detected`).
fn recorded_results() -> Result<BTreeMap<String, String>, String> {
    if !TESTS_RECORDED.load(Ordering::SeqCst) {
        println!("the workspace tests have not run in this process: running them now");
        workspace_tests()?;
    }
    let path = test_record_path();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_record(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses a record written by [`workspace_tests`]: `test NAME ... STATUS` lines, each
/// attributed to the source file of the binary announced by the last `Running` line.
fn parse_record(text: &str) -> Result<BTreeMap<String, String>, String> {
    let (log, binaries) = text
        .split_once(BINARIES_MARK)
        .ok_or_else(|| "no test binary map".to_owned())?;
    let binaries: BTreeMap<&str, &str> = binaries
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .collect();
    let mut results = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in log.lines() {
        let line = strip_ansi(line);
        let line = line.as_str();
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("Running ") {
            let binary = rest
                .rsplit_once('(')
                .map(|(_, b)| b.trim_end_matches(')'))
                .and_then(|b| Path::new(b).file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            current = binaries.get(binary.as_str()).map(|s| (*s).to_owned());
        } else if let Some(krate) = trimmed.strip_prefix("Doc-tests ") {
            current = Some(format!("doctest:{krate}"));
        } else if let (Some(source), Some(rest)) = (&current, line.strip_prefix("test "))
            && let Some((name, status)) = rest.split_once(" ... ")
        {
            results.insert(format!("{source}::{name}"), status.trim().to_owned());
        }
    }
    Ok(results)
}

/// Removes terminal colour sequences (`ESC [ … letter`), e.g. under `CARGO_TERM_COLOR=always`.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for e in chars.by_ref() {
                if e.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The control map.

const CONTROLS_TOML: &str = "docs/controls.toml";
const CONTROLS_MD: &str = "docs/CONTROLS.md";

struct Framework {
    key: String,
    name: String,
    scope: String,
}

struct Control {
    id: String,
    framework: String,
    title: String,
    requirement: String,
    modules: Vec<String>,
    features: Vec<String>,
    tests: Vec<String>,
    evidence: Vec<String>,
    maker: String,
}

struct Exempt {
    item: String,
    reason: String,
}

struct ControlMap {
    frameworks: Vec<Framework>,
    controls: Vec<Control>,
    exempt: Vec<Exempt>,
}

impl ControlMap {
    fn load() -> Result<Self, String> {
        let path = workspace_root().join(CONTROLS_TOML);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let doc = parse_toml(&text).map_err(|e| format!("{CONTROLS_TOML}: {e}"))?;
        let mut map = Self {
            frameworks: Vec::new(),
            controls: Vec::new(),
            exempt: Vec::new(),
        };
        for table in &doc {
            let at = || format!("{CONTROLS_TOML}: [[{}]] #{}", table.name, table.index);
            let s = |k: &str| table.string(k).ok_or_else(|| format!("{}: no `{k}`", at()));
            match table.name.as_str() {
                "framework" => map.frameworks.push(Framework {
                    key: s("key")?,
                    name: s("name")?,
                    scope: s("scope")?,
                }),
                "control" => map.controls.push(Control {
                    id: s("id")?,
                    framework: s("framework")?,
                    title: s("title")?,
                    requirement: s("requirement")?,
                    modules: table.list("modules"),
                    features: table.list("features"),
                    tests: table.list("tests"),
                    evidence: table.list("evidence"),
                    maker: s("maker")?,
                }),
                "exempt" => map.exempt.push(Exempt {
                    item: s("item")?,
                    reason: s("reason")?,
                }),
                other => return Err(format!("{}: unknown table `{other}`", at())),
            }
        }
        Ok(map)
    }

    fn tests_cited(&self) -> BTreeSet<&str> {
        self.controls
            .iter()
            .flat_map(|c| c.tests.iter().map(String::as_str))
            .collect()
    }

    /// Everything that can be checked without running the tests.
    fn check_static(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let root = workspace_root();
        let mut ids = BTreeSet::new();
        for c in &self.controls {
            if !ids.insert(c.id.as_str()) {
                errors.push(format!("control {}: duplicate id", c.id));
            }
            if !self.frameworks.iter().any(|f| f.key == c.framework) {
                errors.push(format!(
                    "control {}: unknown framework {}",
                    c.id, c.framework
                ));
            }
            if c.tests.is_empty() && c.evidence.is_empty() {
                errors.push(format!("control {}: cites no test and no evidence", c.id));
            }
            for m in &c.modules {
                if let Err(e) = module_exists(m) {
                    errors.push(format!("control {}: module {m}: {e}", c.id));
                }
            }
            for f in &c.features {
                if !public_features().contains(f) {
                    errors.push(format!("control {}: no Cargo feature {f}", c.id));
                }
            }
            for e in &c.evidence {
                let path = e.split_whitespace().next().unwrap_or_default();
                if looks_like_a_file(path) && !root.join(path).exists() {
                    errors.push(format!("control {}: evidence {path} does not exist", c.id));
                }
            }
            for t in &c.tests {
                let file = t.split("::").next().unwrap_or_default();
                if !t.contains("::") || !root.join(file).is_file() {
                    errors.push(format!(
                        "control {}: test {t} must be `path/to/file.rs::test_name` of an existing file",
                        c.id
                    ));
                }
            }
        }
        let cited: BTreeSet<&str> = self
            .controls
            .iter()
            .flat_map(|c| c.modules.iter().chain(&c.features).map(String::as_str))
            .collect();
        let exempt: BTreeSet<&str> = self.exempt.iter().map(|e| e.item.as_str()).collect();
        for item in public_modules().iter().chain(public_features().iter()) {
            if !cited.contains(item.as_str()) && !exempt.contains(item.as_str()) {
                errors.push(format!(
                    "public security feature {item} has no control row (cite it in a control's \
                     modules/features in {CONTROLS_TOML}, or add an [[exempt]] entry with a reason)"
                ));
            }
        }
        for e in &self.exempt {
            // Not an error: an exemption may be written ahead of a change that makes the
            // item public, or outlive one that made it private.
            if !public_modules().contains(&e.item) && !public_features().contains(&e.item) {
                println!(
                    "note: exempt {} is no public module or feature (now)",
                    e.item
                );
            }
        }
        errors
    }

    fn render(&self) -> String {
        let mut md = String::new();
        let tests = self.tests_cited();
        let _ = writeln!(
            md,
            "# Security controls → code → tests\n\n\
             <!-- GENERATED by `cargo xtask controls` from docs/controls.toml. Do not edit. -->\n\n\
             Each row maps a control of a framework a device maker must meet to the iomt module \
             that implements it, the tests that verify it (by exact name: \
             `path/to/file.rs::test_name`), and what stays the maker's job. The requirement \
             texts are our paraphrases, not quotations; check clause numbers against your copy \
             of each standard.\n\n\
             CI (`cargo xtask ci`, step `evidence: control map`) fails if this file is stale, if \
             a cited module, feature or file does not exist, if a cited test did not run and \
             pass in that same CI run, or if a public module or Cargo feature of an iomt library \
             crate has no control row. The threat model these controls answer is \
             [THREAT-MODEL.md](THREAT-MODEL.md); how to use this file in a submission is \
             [FOR-REGULATORY-SUBMISSIONS.md](FOR-REGULATORY-SUBMISSIONS.md).\n"
        );
        let _ = writeln!(md, "## Summary\n");
        let _ = writeln!(md, "| framework | controls | distinct tests cited |");
        let _ = writeln!(md, "|---|---:|---:|");
        for f in &self.frameworks {
            let controls: Vec<&Control> = self.in_framework(&f.key).collect();
            let distinct: BTreeSet<&str> = controls
                .iter()
                .flat_map(|c| c.tests.iter().map(String::as_str))
                .collect();
            let _ = writeln!(
                md,
                "| [{}](#{}) | {} | {} |",
                f.name,
                anchor(&f.name),
                controls.len(),
                distinct.len()
            );
        }
        let _ = writeln!(
            md,
            "| **all** | **{}** | **{}** |\n",
            self.controls.len(),
            tests.len()
        );
        for f in &self.frameworks {
            let _ = writeln!(md, "## {}\n\n{}\n", f.name, f.scope.trim());
            let _ = writeln!(md, "| control | title | implemented in | tests |");
            let _ = writeln!(md, "|---|---|---|---:|");
            for c in self.in_framework(&f.key) {
                let _ = writeln!(
                    md,
                    "| [{}](#{}) | {} | {} | {} |",
                    c.id,
                    anchor(&format!("{} {}", c.id, c.title)),
                    c.title,
                    code_list(&c.modules),
                    c.tests.len()
                );
            }
            md.push('\n');
            for c in self.in_framework(&f.key) {
                let _ = writeln!(md, "### {} {}\n", c.id, c.title);
                let _ = writeln!(md, "**Requirement.** {}\n", one_paragraph(&c.requirement));
                if !c.modules.is_empty() || !c.features.is_empty() {
                    let mut parts = Vec::new();
                    if !c.modules.is_empty() {
                        parts.push(code_list(&c.modules));
                    }
                    if !c.features.is_empty() {
                        parts.push(format!("Cargo features {}", code_list(&c.features)));
                    }
                    let _ = writeln!(md, "**Implemented in.** {}\n", parts.join("; "));
                }
                if !c.tests.is_empty() {
                    let _ = writeln!(md, "**Verified by** ({} tests):\n", c.tests.len());
                    for t in &c.tests {
                        let _ = writeln!(md, "- `{t}`");
                    }
                    md.push('\n');
                }
                if !c.evidence.is_empty() {
                    let _ = writeln!(md, "**Other evidence:**\n");
                    for e in &c.evidence {
                        let _ = writeln!(md, "- {}", evidence_link(e));
                    }
                    md.push('\n');
                }
                let _ = writeln!(md, "**The maker's job.** {}\n", one_paragraph(&c.maker));
            }
        }
        let _ = writeln!(
            md,
            "## Coverage of the public surface\n\n\
             Every public module and Cargo feature of the library crates must appear here, \
             cited by a control or exempted with a reason: CI compares this list with the \
             `pub mod`s and `[features]` of the crates and fails on anything missing.\n"
        );
        let _ = writeln!(md, "| module / feature | controls or reason |");
        let _ = writeln!(md, "|---|---|");
        let items: BTreeSet<&str> = self
            .controls
            .iter()
            .flat_map(|c| c.modules.iter().chain(&c.features).map(String::as_str))
            .chain(self.exempt.iter().map(|e| e.item.as_str()))
            .collect();
        for item in items {
            let citing: Vec<&str> = self
                .controls
                .iter()
                .filter(|c| c.modules.iter().chain(&c.features).any(|m| m == item))
                .map(|c| c.id.as_str())
                .collect();
            let exempt = self.exempt.iter().find(|e| e.item == item);
            let cell = match (citing.is_empty(), exempt) {
                (false, _) => citing.join(", "),
                (true, Some(e)) => format!("not a security control: {}", one_paragraph(&e.reason)),
                (true, None) => "**NONE**".to_owned(),
            };
            let _ = writeln!(md, "| `{item}` | {cell} |");
        }
        md
    }

    fn in_framework<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Control> + 'a {
        self.controls.iter().filter(move |c| c.framework == key)
    }
}

fn code_list(items: &[String]) -> String {
    if items.is_empty() {
        return "—".to_owned();
    }
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A path-like evidence item (its first word has a `/` or a file extension) becomes a link
/// relative to docs/; `check_static` reports such paths that do not exist.
fn evidence_link(e: &str) -> String {
    let (path, rest) = e.split_once(' ').unwrap_or((e, ""));
    if looks_like_a_file(path) {
        let target = path
            .strip_prefix("docs/")
            .map_or_else(|| format!("../{path}"), std::borrow::ToOwned::to_owned);
        format!(
            "[`{path}`]({target}){}{rest}",
            if rest.is_empty() { "" } else { " " }
        )
    } else {
        e.to_owned()
    }
}

fn looks_like_a_file(word: &str) -> bool {
    word.contains('/') || [".md", ".toml", ".lock"].iter().any(|e| word.ends_with(e))
}

/// Collapses a multi-line TOML string into one Markdown paragraph.
fn one_paragraph(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// GitHub's heading anchor: lower case, spaces to '-', most punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// `crate::module` (top-level `pub mod` of the crate's lib.rs) or a bare crate name.
fn module_exists(m: &str) -> Result<(), String> {
    let (krate, module) = m.split_once("::").unwrap_or((m, ""));
    let lib = workspace_root().join(krate).join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    if module.is_empty() || pub_mods(&text).iter().any(|p| p == module) {
        Ok(())
    } else {
        Err(format!("no `pub mod {module}` in {krate}/src/lib.rs"))
    }
}

fn pub_mods(lib_rs: &str) -> Vec<String> {
    lib_rs
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|r| r.trim_end_matches([';', '{', ' ']).to_owned())
        .filter(|m| !m.starts_with("__"))
        .collect()
}

/// `crate::module` for every public module of the library crates (not iomt-ffi, whose
/// modules are the C API's internal layout, and not the `__fuzz` entry points).
fn public_modules() -> Vec<String> {
    crate::ci::LIBRARY_CRATES
        .iter()
        .flat_map(|krate| {
            let lib = workspace_root().join(krate).join("src/lib.rs");
            let text = std::fs::read_to_string(lib).unwrap_or_default();
            pub_mods(&text)
                .into_iter()
                .map(move |m| format!("{krate}::{m}"))
        })
        .collect()
}

/// `crate/feature` for every Cargo feature (except `default`) of [`FEATURE_CRATES`].
fn public_features() -> Vec<String> {
    let mut out = Vec::new();
    for krate in FEATURE_CRATES {
        let manifest = workspace_root().join(krate).join("Cargo.toml");
        let text = std::fs::read_to_string(manifest).unwrap_or_default();
        let mut in_features = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_features = line == "[features]";
            } else if in_features
                && !line.starts_with('#')
                && let Some((name, _)) = line.split_once('=')
                && !matches!(name.trim(), "default" | "")
            {
                out.push(format!("{krate}/{}", name.trim()));
            }
        }
    }
    out
}

/// `cargo xtask controls [--check]`.
pub(crate) fn controls(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--check") {
        return controls_ci_step();
    }
    if let Some(record) = args
        .iter()
        .position(|a| a == "--record")
        .and_then(|i| args.get(i + 1))
    {
        return check_controls(|| {
            let text = std::fs::read_to_string(record).map_err(|e| format!("{record}: {e}"))?;
            parse_record(&text).map_err(|e| format!("{record}: {e}"))
        });
    }
    let map = ControlMap::load()?;
    let errors = map.check_static();
    let path = workspace_root().join(CONTROLS_MD);
    std::fs::write(&path, map.render()).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {CONTROLS_MD}");
    if errors.is_empty() {
        Ok(())
    } else {
        Err(report(&errors))
    }
}

fn report(errors: &[String]) -> String {
    let mut s = format!("{} problem(s) in the control map:", errors.len());
    for e in errors {
        s.push_str("\n  - ");
        s.push_str(e);
    }
    s
}

/// The CI step: the map is consistent, CONTROLS.md is current, and every cited test ran
/// and passed in this run.
pub(crate) fn controls_ci_step() -> Result<(), String> {
    check_controls(recorded_results)
}

/// Checks the map, CONTROLS.md and the cited tests against the results `results` gives.
fn check_controls(
    results: impl FnOnce() -> Result<BTreeMap<String, String>, String>,
) -> Result<(), String> {
    let map = ControlMap::load()?;
    let mut errors = map.check_static();
    let path = workspace_root().join(CONTROLS_MD);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != map.render() {
        errors.push(format!(
            "{CONTROLS_MD} is stale: run `cargo xtask controls` and commit it"
        ));
    }
    let results = results()?;
    let cited = map.tests_cited();
    for t in &cited {
        match results.get(*t).map(String::as_str) {
            Some("ok") => {}
            Some(status) => errors.push(format!("test {t}: {status} in this run")),
            None => errors.push(format!(
                "test {t}: did not run in this run's `cargo test --workspace` (no such test?)"
            )),
        }
    }
    println!(
        "{} controls in {} frameworks cite {} distinct tests; {} tests ran in this run",
        map.controls.len(),
        map.frameworks.len(),
        cited.len(),
        results.len()
    );
    if errors.is_empty() {
        println!("control map: all cited tests passed in this run");
        Ok(())
    } else {
        Err(report(&errors))
    }
}

// ---------------------------------------------------------------------------------------
// SBOM.

/// One build a maker ships, described by an SBOM.
struct Shipped {
    /// File stem in `target/evidence/sbom/`.
    name: &'static str,
    package: &'static str,
    target: Option<&'static str>,
    /// Features on top of `--no-default-features` (`None`: the default features).
    features: Option<&'static str>,
}

const SHIPPED: [Shipped; 6] = [
    Shipped {
        name: "libiomt_ffi-device-thumbv7em",
        package: "iomt-ffi",
        target: Some("thumbv7em-none-eabihf"),
        features: Some("panic-handler,signature-methods"),
    },
    Shipped {
        name: "libiomt_ffi-device-thumbv7em-method3-only",
        package: "iomt-ffi",
        target: Some("thumbv7em-none-eabihf"),
        features: Some("panic-handler"),
    },
    Shipped {
        name: "libiomt_ffi-device-thumbv7em-p256-cortex-m4",
        package: "iomt-ffi",
        target: Some("thumbv7em-none-eabihf"),
        features: Some("panic-handler,signature-methods,p256-cortex-m4"),
    },
    Shipped {
        name: "libiomt_ffi-gateway-host",
        package: "iomt-ffi",
        target: None,
        features: None,
    },
    Shipped {
        name: "rust-crates-device-thumbv7em",
        package: "iomt-proto",
        target: Some("thumbv7em-none-eabihf"),
        features: Some("embedded-io,edhoc"),
    },
    Shipped {
        name: "rust-crates-gateway-host",
        package: "iomt-proto",
        target: None,
        features: Some("embedded-io,edhoc,std"),
    },
];

/// Installs the pinned cargo-cyclonedx if it is missing.
pub(crate) fn sbom_prerequisites() -> Result<(), String> {
    setup::cargo_tool(
        "cargo-cyclonedx",
        CYCLONEDX_VERSION,
        &["cargo", "cyclonedx", "--version"],
    )
}

/// Installs the pinned cargo-deny if it is missing.
pub(crate) fn deny_prerequisites() -> Result<(), String> {
    setup::cargo_tool("cargo-deny", DENY_VERSION, &["cargo", "deny", "--version"])
}

/// `cargo xtask sbom`: generate and check every SBOM.
pub(crate) fn sbom(_args: &[String]) -> Result<(), String> {
    sbom_prerequisites()?;
    sbom_ci_step()
}

/// The CI step: generate every SBOM into `target/evidence/sbom/` and check it against
/// `cargo tree` for the same build.
pub(crate) fn sbom_ci_step() -> Result<(), String> {
    let out_dir = evidence_dir().join("sbom");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut errors = Vec::new();
    for build in &SHIPPED {
        let file = out_dir.join(format!("{}.cdx.json", build.name));
        generate_sbom(build, &file)?;
        match check_sbom(build, &file) {
            Ok(n) => println!("{}: {n} components, all with licenses", file.display()),
            Err(e) => errors.push(format!("{}: {e}", build.name)),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// cargo-cyclonedx describes every member of the workspace it runs in, with the
/// features of the whole workspace unified (dev-only features too), and writes each SBOM
/// next to the member's Cargo.toml. So each build gets a one-dependency workspace of its
/// own under `target/evidence/sbom-work/`, pinned by a copy of our Cargo.lock: the SBOM
/// then lists exactly what that build links.
fn generate_sbom(build: &Shipped, dest: &Path) -> Result<(), String> {
    let root = workspace_root();
    let dir = evidence_dir().join("sbom-work").join(build.name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let features = match build.features {
        None => String::new(),
        Some(list) => format!(
            ", default-features = false, features = [{}]",
            list.split(',')
                .filter(|f| !f.is_empty())
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let manifest = format!(
        "# Generated by `cargo xtask sbom`: the build `{name}` as a maker links it.\n\
         [package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\nlicense = \"Apache-2.0 OR MIT\"\n\
         description = \"{package} ({features_text}) for {target}\"\n\n\
         [lib]\npath = \"lib.rs\"\n\n[dependencies]\n\
         {package} = {{ path = \"{path}\"{features} }}\n\n[workspace]\n",
        name = build.name,
        package = build.package,
        features_text = build.features.map_or_else(
            || "default features".to_owned(),
            |f| format!("features {f}")
        ),
        target = build.target.unwrap_or("the host"),
        path = root.join(build.package).display(),
    );
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("Cargo.toml", &manifest)?;
    write("lib.rs", "#![no_std]\n")?;
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    write("Cargo.lock", &lock)?;
    let mut cmd = cargo();
    cmd.args(["cyclonedx", "--format", "json", "--spec-version", "1.5"])
        .args(["--override-filename", "sbom"])
        .current_dir(&dir);
    // Reproducible: the SBOM's timestamp is the commit's, not the clock's.
    if let Ok(epoch) = output(Command::new("git").args(["log", "-1", "--format=%ct"])) {
        cmd.env("SOURCE_DATE_EPOCH", epoch.trim());
    }
    if let Some(target) = build.target {
        cmd.args(["--target", target]);
    }
    run(&mut cmd)?;
    let written = dir.join("sbom.json");
    std::fs::rename(&written, dest).map_err(|e| format!("{}: {e}", written.display()))
}

/// The SBOM's components (the root is the build itself) must be exactly the crates of
/// `cargo tree` for the same package, target and features (normal and build edges), each
/// with a license. Returns the number of components.
fn check_sbom(build: &Shipped, file: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let bom = Json::parse(&text)?;
    if bom.get("bomFormat").and_then(Json::as_str) != Some("CycloneDX") {
        return Err("not a CycloneDX document".to_owned());
    }
    let mut components = BTreeMap::new();
    for c in bom
        .get("components")
        .and_then(Json::as_array)
        .unwrap_or(&[])
    {
        let name = c.get("name").and_then(Json::as_str).unwrap_or("?");
        let version = c.get("version").and_then(Json::as_str).unwrap_or("?");
        let licensed = c
            .get("licenses")
            .and_then(Json::as_array)
            .is_some_and(|l| !l.is_empty());
        components.insert(format!("{name}@{version}"), licensed);
    }
    let mut cmd = cargo();
    cmd.args(["tree", "-p", build.package, "-e", "normal,build"])
        .args(["--prefix", "none", "--format", "{p}"]);
    if let Some(target) = build.target {
        cmd.args(["--target", target]);
    }
    if let Some(features) = build.features {
        cmd.args(["--no-default-features", "--features", features]);
    }
    let tree: BTreeSet<String> = output(&mut cmd)?
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some(format!(
                "{}@{}",
                words.next()?,
                words.next()?.trim_start_matches('v')
            ))
        })
        .collect();
    let mut problems = Vec::new();
    for key in &tree {
        match components.get(key) {
            None => problems.push(format!("{key} is in `cargo tree` but not in the SBOM")),
            Some(false) => problems.push(format!("{key} has no license in the SBOM")),
            Some(true) => {}
        }
    }
    for key in components.keys().filter(|k| !tree.contains(*k)) {
        problems.push(format!("{key} is in the SBOM but not in `cargo tree`"));
    }
    if tree.is_empty() {
        problems.push("`cargo tree` listed nothing".to_owned());
    }
    if problems.is_empty() {
        Ok(components.len())
    } else {
        Err(problems.join("; "))
    }
}

// ---------------------------------------------------------------------------------------
// cargo deny.

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

// ---------------------------------------------------------------------------------------
// A TOML subset: `[[table]]` headers, `key = "string" | """multi-line""" | '''literal''' |
// ["array", "of", "strings"]`, comments. Anything else is an error, never a guess.

struct Table {
    name: String,
    index: usize,
    entries: Vec<(String, TomlValue)>,
}

enum TomlValue {
    Str(String),
    List(Vec<String>),
}

impl Table {
    fn string(&self, key: &str) -> Option<String> {
        self.entries.iter().find_map(|(k, v)| match v {
            TomlValue::Str(s) if k == key => Some(s.clone()),
            _ => None,
        })
    }

    fn list(&self, key: &str) -> Vec<String> {
        self.entries
            .iter()
            .find_map(|(k, v)| match v {
                TomlValue::List(l) if k == key => Some(l.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }
}

struct Cursor<'a> {
    rest: &'a str,
    line: usize,
}

impl Cursor<'_> {
    fn err(&self, what: &str) -> String {
        format!("line {}: {what}", self.line)
    }

    fn bump(&mut self, n: usize) -> &str {
        let (taken, rest) = self.rest.split_at(n.min(self.rest.len()));
        self.line += taken.matches('\n').count();
        self.rest = rest;
        taken
    }

    /// Skips spaces, tabs, and (if `newlines`) newlines and comments.
    fn skip(&mut self, newlines: bool) {
        loop {
            let c = self.rest.chars().next();
            match c {
                Some(' ' | '\t' | '\r') => {
                    self.bump(1);
                }
                Some('\n') if newlines => {
                    self.bump(1);
                }
                Some('#') if newlines => {
                    let n = self.rest.find('\n').unwrap_or(self.rest.len());
                    self.bump(n);
                }
                _ => return,
            }
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.rest.starts_with(token) {
            self.bump(token.len());
            Ok(())
        } else {
            Err(self.err(&format!("expected `{token}`")))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        for (open, raw) in [("\"\"\"", false), ("'''", true), ("\"", false), ("'", true)] {
            if !self.rest.starts_with(open) {
                continue;
            }
            self.bump(open.len());
            if open.len() == 3 && self.rest.starts_with('\n') {
                self.bump(1);
            }
            let mut out = String::new();
            loop {
                if self.rest.starts_with(open) {
                    self.bump(open.len());
                    return Ok(out);
                }
                let Some(c) = self.rest.chars().next() else {
                    return Err(self.err("unterminated string"));
                };
                if c == '\n' && open.len() == 1 {
                    return Err(self.err("newline in a one-line string"));
                }
                self.bump(c.len_utf8());
                if c != '\\' || raw {
                    out.push(c);
                    continue;
                }
                let Some(e) = self.rest.chars().next() else {
                    return Err(self.err("unterminated escape"));
                };
                self.bump(e.len_utf8());
                match e {
                    '"' | '\\' => out.push(e),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    '\n' => self.skip(true),
                    _ => return Err(self.err(&format!("unsupported escape \\{e}"))),
                }
            }
        }
        Err(self.err("expected a string"))
    }

    fn value(&mut self) -> Result<TomlValue, String> {
        if !self.rest.starts_with('[') {
            return self.string().map(TomlValue::Str);
        }
        self.bump(1);
        let mut items = Vec::new();
        loop {
            self.skip(true);
            if self.rest.starts_with(']') {
                self.bump(1);
                return Ok(TomlValue::List(items));
            }
            items.push(self.string()?);
            self.skip(true);
            if self.rest.starts_with(',') {
                self.bump(1);
            } else if !self.rest.starts_with(']') {
                return Err(self.err("expected `,` or `]`"));
            }
        }
    }
}

fn parse_toml(text: &str) -> Result<Vec<Table>, String> {
    let mut cur = Cursor {
        rest: text,
        line: 1,
    };
    let mut tables: Vec<Table> = Vec::new();
    loop {
        cur.skip(true);
        if cur.rest.is_empty() {
            return Ok(tables);
        }
        if cur.rest.starts_with("[[") {
            cur.bump(2);
            let end = cur
                .rest
                .find("]]")
                .ok_or_else(|| cur.err("expected `]]`"))?;
            let name = cur.bump(end).trim().to_owned();
            cur.bump(2);
            let index = tables.iter().filter(|t| t.name == name).count() + 1;
            tables.push(Table {
                name,
                index,
                entries: Vec::new(),
            });
            continue;
        }
        let key_len = cur
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(cur.rest.len());
        if key_len == 0 {
            return Err(cur.err("expected a key or `[[table]]`"));
        }
        let key = cur.bump(key_len).to_owned();
        cur.skip(false);
        cur.expect("=")?;
        cur.skip(false);
        let value = cur.value()?;
        cur.skip(false);
        if cur.rest.starts_with('#') || cur.rest.starts_with('\n') || cur.rest.is_empty() {
            let line = cur.line;
            let table = tables
                .last_mut()
                .ok_or_else(|| format!("line {line}: key outside a [[table]]"))?;
            if table.entries.iter().any(|(k, _)| *k == key) {
                return Err(format!("line {line}: duplicate key `{key}`"));
            }
            table.entries.push((key, value));
        } else {
            return Err(cur.err("expected the end of the line"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// A small JSON reader (for cargo's messages and the CycloneDX documents).

enum Json {
    Null,
    Bool,
    Number,
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Result<Self, String> {
        let mut p = JsonParser {
            bytes: text.as_bytes(),
            pos: 0,
        };
        let v = p.value()?;
        p.ws();
        if p.pos == p.bytes.len() {
            Ok(v)
        } else {
            Err(p.err("trailing bytes"))
        }
    }

    fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Self::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&[Self]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl JsonParser<'_> {
    fn err(&self, what: &str) -> String {
        format!("JSON: {what} at byte {}", self.pos)
    }

    fn ws(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.bytes.get(self.pos) == Some(&b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Comma-separated items up to `close` (the opening bracket is already consumed).
    fn sequence<T>(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            if self.eat(close) {
                return Ok(items);
            }
            if !self.eat(b',') {
                return Err(self.err("expected `,` or a closing bracket"));
            }
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.bytes.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                self.sequence(b'}', |p| {
                    p.ws();
                    let key = p.string()?;
                    if p.eat(b':') {
                        Ok((key, p.value()?))
                    } else {
                        Err(p.err("expected `:`"))
                    }
                })
                .map(Json::Object)
            }
            Some(b'[') => {
                self.pos += 1;
                self.sequence(b']', Self::value).map(Json::Array)
            }
            Some(b'"') => self.string().map(Json::Str),
            Some(_) => {
                for (word, value) in [
                    ("true", Json::Bool),
                    ("false", Json::Bool),
                    ("null", Json::Null),
                ] {
                    if self.bytes[self.pos..].starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(value);
                    }
                }
                let start = self.pos;
                while self
                    .bytes
                    .get(self.pos)
                    .is_some_and(|b| b"+-.eE0123456789".contains(b))
                {
                    self.pos += 1;
                }
                if self.pos == start {
                    Err(self.err("unexpected byte"))
                } else {
                    Ok(Json::Number)
                }
            }
            None => Err(self.err("unexpected end")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.bytes.get(self.pos) != Some(&b'"') {
            return Err(self.err("expected a string"));
        }
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.err("unterminated string"));
            };
            self.pos += 1;
            match b {
                b'"' => return String::from_utf8(out).map_err(|_| self.err("invalid UTF-8")),
                b'\\' => {
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return Err(self.err("unterminated escape"));
                    };
                    self.pos += 1;
                    let c = match e {
                        b'"' | b'\\' | b'/' => char::from(e),
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self
                                .bytes
                                .get(self.pos..self.pos + 4)
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .ok_or_else(|| self.err("bad \\u escape"))?;
                            self.pos += 4;
                            // Surrogate pairs are not needed here; keep a marker.
                            char::from_u32(hex).unwrap_or('\u{fffd}')
                        }
                        _ => return Err(self.err("bad escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_subset() {
        let doc = parse_toml(
            "# c\n[[control]]\nid = \"A\" # x\nlist = [\n  \"a\", # one\n  'b',\n]\n\
             text = \"\"\"\nline \\\"1\\\"\nline 2\"\"\"\n[[control]]\nid = 'B'\n",
        )
        .map_err(|e| e.to_string());
        let doc = doc.as_deref().unwrap_or_default();
        assert_eq!(doc.len(), 2);
        assert_eq!(doc[0].string("id").as_deref(), Some("A"));
        assert_eq!(doc[0].list("list"), ["a", "b"]);
        assert_eq!(doc[0].string("text").as_deref(), Some("line \"1\"\nline 2"));
        assert_eq!(doc[1].index, 2);
        assert!(parse_toml("[[t]]\nx = 1\n").is_err());
        assert!(parse_toml("[[t]]\nx = \"a\" y\n").is_err());
        assert!(parse_toml("[[t]]\nx = \"a\"\nx = \"b\"\n").is_err());
    }

    #[test]
    fn json_reader() {
        let v = Json::parse(r#"{"a": [1, -2.5e3, true, null, {"b": "x\"\u00e9"}], "c": {}}"#);
        let v = v.ok();
        let b = v
            .as_ref()
            .and_then(|v| v.get("a"))
            .and_then(Json::as_array)
            .and_then(|a| a.get(4))
            .and_then(|o| o.get("b"))
            .and_then(Json::as_str);
        assert_eq!(b, Some("x\"é"));
        assert!(Json::parse("{\"a\": 1} x").is_err());
        assert!(Json::parse("[1,]").is_err());
    }

    #[test]
    fn test_lines_are_attributed_to_their_source_file() {
        let record = format!(
            "\u{1b}[1m\u{1b}[32m     Running\u{1b}[0m unittests src/lib.rs (target/debug/deps/iomt_core-1)\n\
             test a::b ... ok\n\
             \x20    Running tests/audit.rs (/abs/target/debug/deps/audit-2)\n\
             test audit_x ... FAILED\n\
             test audit_y ... ignored\n\
             \x20  Doc-tests iomt_core\n\
             test iomt-core/src/lib.rs - (line 3) ... ok\n\
             {BINARIES_MARK}\niomt_core-1\tiomt-core/src/lib.rs\naudit-2\tiomt-auth/tests/audit.rs\n"
        );
        let results = parse_record(&record).unwrap_or_default();
        let get = |k: &str| results.get(k).map(String::as_str);
        assert_eq!(get("iomt-core/src/lib.rs::a::b"), Some("ok"));
        assert_eq!(get("iomt-auth/tests/audit.rs::audit_x"), Some("FAILED"));
        assert_eq!(get("iomt-auth/tests/audit.rs::audit_y"), Some("ignored"));
        assert_eq!(
            get("doctest:iomt_core::iomt-core/src/lib.rs - (line 3)"),
            Some("ok")
        );
        assert_eq!(results.len(), 4);
    }
}
