//! `cargo xtask fuzz [--seconds N] [TARGET]`: builds the cargo-fuzz targets in `fuzz/` once
//! (nightly, AddressSanitizer), then runs each one (or only TARGET) for N seconds (default 8)
//! and prints executions, executions per second, coverage and corpus size per target.
//!
//! Corpora: the committed seeds in `fuzz/corpus/<target>/` are read only; new inputs go to
//! `fuzz/work/corpus/<target>/` (ignored by git), which persists between local runs.
//! Dictionaries: `fuzz/dicts/<target>.dict` is passed with `-dict=` when it exists.
//! A crash fails the command; libFuzzer writes the input to `fuzz/artifacts/<target>/`.

use std::collections::VecDeque;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use crate::setup;
use crate::step::{nightly_cargo, output, run, workspace_root};

/// The cargo-fuzz release the project pins (installed with `cargo install --locked`).
pub(crate) const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Seconds per target in CI's smoke run.
pub(crate) const SMOKE_SECONDS: u64 = 4;

/// Installs what fuzzing needs: nightly (with rust-src) and the pinned cargo-fuzz.
pub(crate) fn prerequisites() -> Result<(), String> {
    setup::nightly(&["rust-src"])?;
    setup::cargo_tool(
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        &["cargo", "fuzz", "--version"],
    )
}

/// CI step: every target for [`SMOKE_SECONDS`].
pub(crate) fn smoke() -> Result<(), String> {
    run_targets(None, SMOKE_SECONDS)
}

/// `cargo xtask fuzz [--seconds N] [--list] [TARGET]`.
pub(crate) fn fuzz(args: &[String]) -> Result<(), String> {
    let mut seconds = SMOKE_SECONDS;
    let mut target = None;
    let mut list = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = iter.next().ok_or("--seconds needs a value")?;
                seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds: `{value}` is not a number of seconds"))?;
            }
            "--list" => list = true,
            other if other.starts_with('-') => {
                return Err(format!(
                    "unknown option `{other}` (usage: cargo xtask fuzz [--seconds N] [TARGET])"
                ));
            }
            other => {
                if target.replace(other.to_owned()).is_some() {
                    return Err("give at most one TARGET".to_owned());
                }
            }
        }
    }
    prerequisites()?;
    if list {
        for t in targets()? {
            println!("{t}");
        }
        return Ok(());
    }
    run_targets(target.as_deref(), seconds)
}

fn fuzz_dir() -> PathBuf {
    workspace_root().join("fuzz")
}

/// The targets cargo-fuzz knows (the `[[bin]]`s of `fuzz/Cargo.toml`).
fn targets() -> Result<Vec<String>, String> {
    let listed = output(nightly_cargo().args(["fuzz", "list"]))?;
    Ok(listed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// What one run reported.
#[derive(Default)]
struct Stats {
    executions: Option<u64>,
    execs_per_sec: Option<u64>,
    peak_rss_mb: Option<u64>,
    coverage: Option<u64>,
    corpus: Option<u64>,
}

impl Stats {
    fn observe(&mut self, line: &str) {
        let stat = |name: &str| {
            line.strip_prefix(name)
                .and_then(|rest| rest.trim().parse::<u64>().ok())
        };
        if let Some(v) = stat("stat::number_of_executed_units:") {
            self.executions = Some(v);
        } else if let Some(v) = stat("stat::average_exec_per_sec:") {
            self.execs_per_sec = Some(v);
        } else if let Some(v) = stat("stat::peak_rss_mb:") {
            self.peak_rss_mb = Some(v);
        } else if line.starts_with('#') {
            // "#1234\tpulse  cov: 56 ft: 78 corp: 9/123b ..."
            let mut words = line.split_whitespace();
            while let Some(w) = words.next() {
                let value = || {
                    words
                        .clone()
                        .next()
                        .and_then(|v| v.split('/').next()?.parse().ok())
                };
                match w {
                    "cov:" => self.coverage = value().or(self.coverage),
                    "corp:" => self.corpus = value().or(self.corpus),
                    _ => {}
                }
            }
        }
    }
}

fn show(v: Option<u64>) -> String {
    v.map_or_else(|| "?".to_owned(), |v| v.to_string())
}

fn run_targets(only: Option<&str>, seconds: u64) -> Result<(), String> {
    let all = targets()?;
    let selected: Vec<String> = match only {
        Some(t) if all.iter().any(|a| a == t) => vec![t.to_owned()],
        Some(t) => return Err(format!("no fuzz target `{t}`; targets: {}", all.join(", "))),
        None => all,
    };
    if selected.is_empty() {
        return Err("fuzz/Cargo.toml declares no targets".to_owned());
    }

    // Build everything once (ASan, debug assertions), so each run below only starts it.
    let mut build = nightly_cargo();
    build.args(["fuzz", "build"]);
    if let Some(t) = only {
        build.arg(t);
    }
    run(&mut build)?;

    let dir = fuzz_dir();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for target in &selected {
        let started = Instant::now();
        let result = run_one(&dir, target, seconds);
        let elapsed = started.elapsed().as_secs();
        match result {
            Ok(stats) => rows.push((target.clone(), elapsed, stats, "ok")),
            Err((stats, why)) => {
                eprintln!("fuzz target `{target}` FAILED: {why}");
                failures.push(target.clone());
                rows.push((target.clone(), elapsed, stats, "FAILED"));
            }
        }
    }

    println!(
        "\nfuzz target            status    secs    executions    exec/s   cov   corpus  rss MB"
    );
    for (target, secs, s, status) in &rows {
        println!(
            "{target:<22} {status:<8} {secs:>5} {:>13} {:>9} {:>5} {:>8} {:>7}",
            show(s.executions),
            show(s.execs_per_sec),
            show(s.coverage),
            show(s.corpus),
            show(s.peak_rss_mb),
        );
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzz targets failed: {} (inputs in fuzz/artifacts/<target>/, logs in fuzz/work/logs/)",
            failures.join(", ")
        ))
    }
}

/// Runs one target; returns its stats, or its stats and the reason it failed.
fn run_one(dir: &Path, target: &str, seconds: u64) -> Result<Stats, (Stats, String)> {
    let seeds = dir.join("corpus").join(target);
    let work = dir.join("work").join("corpus").join(target);
    let logs = dir.join("work").join("logs");
    let mut stats = Stats::default();
    for d in [&seeds, &work, &logs] {
        if let Err(e) = fs::create_dir_all(d) {
            return Err((stats, format!("cannot create {}: {e}", d.display())));
        }
    }
    let log_path = logs.join(format!("{target}.log"));
    let mut log = match fs::File::create(&log_path) {
        Ok(f) => f,
        Err(e) => return Err((stats, format!("cannot create {}: {e}", log_path.display()))),
    };

    let mut cmd = nightly_cargo();
    cmd.current_dir(workspace_root())
        .args(["fuzz", "run", target])
        // The first corpus directory receives new inputs; the committed seeds stay read-only.
        .arg(&work)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .args([
            "-print_final_stats=1",
            "-timeout=10",
            "-rss_limit_mb=2048",
            "-max_len=4096",
        ])
        .arg(format!(
            "-artifact_prefix={}/",
            dir.join("artifacts").join(target).display()
        ));
    let dict = dir.join("dicts").join(format!("{target}.dict"));
    if dict.exists() {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    if let Err(e) = fs::create_dir_all(dir.join("artifacts").join(target)) {
        return Err((stats, format!("cannot create the artifact directory: {e}")));
    }
    println!(
        "\n==> fuzz {target} for {seconds} s (log: {})",
        log_path.display()
    );
    let mut child = match cmd.stdout(Stdio::inherit()).stderr(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => return Err((stats, format!("could not start cargo fuzz: {e}"))),
    };
    // libFuzzer reports on stderr (cargo-fuzz's own crash summary goes to stdout).
    let mut tail: VecDeque<String> = VecDeque::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = writeln!(log, "{line}");
            stats.observe(&line);
            if line.starts_with("INFO: seed corpus") || line.contains("DONE") {
                println!("    {line}");
            }
            tail.push_back(line);
            if tail.len() > 60 {
                tail.pop_front();
            }
        }
    }
    let status = match child.wait() {
        Ok(s) => s,
        Err(e) => return Err((stats, format!("waiting for cargo fuzz: {e}"))),
    };
    if status.success() {
        println!(
            "<== {target}: {} executions, {} exec/s, cov {}, corpus {}",
            show(stats.executions),
            show(stats.execs_per_sec),
            show(stats.coverage),
            show(stats.corpus)
        );
        Ok(stats)
    } else {
        for line in &tail {
            eprintln!("    | {line}");
        }
        Err((
            stats,
            format!("exited with {status}; full log {}", log_path.display()),
        ))
    }
}
