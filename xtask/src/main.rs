//! Project automation for iomt, run as `cargo xtask <command>`.
//!
//! Commands:
//! - `ci` — the README's test command: installs what it needs (idempotently), then runs
//!   every check, each step named and timed; fails with the failing step's name.
//! - `controls`, `sbom`, `deny` — regulatory evidence (see `evidence/`).
//! - `public-items` — public items per library crate (see `public_items.rs`).
//! - `help` — this list.
//!
//! Environment: `CI=true` forbids skipping anything; outside CI a missing optional tool
//! is skipped with a loud message.

mod bench_lakers;
mod cexamples;
mod ci;
mod cmake;
mod doc_blocks;
mod evidence;
mod footprint;
mod footprint_lakers;
mod fuzz;
mod header;
mod package;
mod public_items;
mod qemu;
mod qemu_demo;
mod quickstart;
mod setup;
mod step;
mod zephyr;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("help");
    let rest = args.get(1..).unwrap_or(&[]);
    let result = match command {
        "ci" => ci::ci(rest),
        "cexamples" => cexamples::cexamples(rest),
        "cmake" => cmake::cmake(rest),
        "controls" => evidence::controls(rest),
        "sbom" => evidence::sbom(rest),
        "deny" => evidence::deny(rest),
        "header" => header::header(rest),
        "fuzz" => fuzz::fuzz(rest),
        "footprint" => footprint::footprint(rest),
        "bench-lakers" => bench_lakers::bench_lakers(rest),
        "qemu" => qemu::qemu(rest),
        "qemu-demo" => qemu_demo::qemu_demo(rest),
        "quickstart" => quickstart::quickstart(rest),
        "package" => package::package(rest),
        "public-items" => public_items::public_items(rest),
        "help" | "--help" | "-h" => {
            print_help();
            Ok(())
        }
        other => Err(format!(
            "unknown command `{other}` (try `cargo xtask help`)"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: FAILED: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "cargo xtask <command>\n\n\
         ci                 install prerequisites, then run every check (the README's test command)\n\
         ci --list          list the CI steps\n\
         ci --only NAME     run one step (after setup), e.g. `--only test`\n\
         controls [--check] render docs/CONTROLS.md from docs/controls.toml (--check: as CI)\n\
         controls --record F  check the cited tests against a saved test log F\n\
         sbom               CycloneDX SBOMs of the shipped builds into target/evidence/sbom/\n\
         deny               cargo deny check licenses bans sources (deny.toml)\n\
         cmake [host|cortex-m4|zephyr]  CMake package, pkg-config, Zephyr module checks
         package [dry-run|test|links]  publish dry run, tests from the .crate files
         bench-lakers [R] [B]  iomt vs lakers 0.8 on this host, one process (docs/PERFORMANCE.md)\n\
         public-items [--root DIR] [CRATE..]  public items per library crate (nightly rustdoc JSON)
         quickstart         build the README quick-start block in a crate outside the workspace\n\
         help               this text"
    );
}
