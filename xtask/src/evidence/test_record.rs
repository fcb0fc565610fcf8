//! The workspace tests, recorded: the CI `test` step's `cargo test --workspace` output, kept
//! in `target/evidence/test-output.txt` with a map from each test binary to its source
//! file, and parsed back into per-test results for the control map.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::evidence_dir;
use super::json::Json;
use crate::step::{cargo, output, workspace_root};

/// Set once the `test` step of this process passed and its output was recorded.
static TESTS_RECORDED: AtomicBool = AtomicBool::new(false);

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
pub(super) fn recorded_results() -> Result<BTreeMap<String, String>, String> {
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
pub(super) fn parse_record(text: &str) -> Result<BTreeMap<String, String>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
