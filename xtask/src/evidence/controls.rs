//! The control map: `docs/controls.toml` (control → requirement → module → tests → the
//! maker's job) loaded, checked against the crates and this run's test results, and
//! rendered into `docs/CONTROLS.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::test_record::{parse_record, recorded_results};
use super::toml::parse_toml;
use crate::step::workspace_root;

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
                // A cited CI step must be one `cargo xtask ci` runs, by its exact name.
                if let Some(step) = e
                    .strip_prefix("CI step `")
                    .and_then(|rest| rest.split('`').next())
                    && !crate::ci::step_names().any(|name| name == step)
                {
                    errors.push(format!("control {}: no CI step named `{step}`", c.id));
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
