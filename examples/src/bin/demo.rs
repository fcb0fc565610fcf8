//! The iomt end-to-end demo: `cargo run --release -p iomt-examples --bin demo -- --help`.

use std::process::ExitCode;

use iomt_examples::demo::{Config, USAGE, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let cfg = match Config::from_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(&cfg) {
        Ok(summary) => {
            print!("{}", summary.table());
            println!(
                "{} devices in {:.1} s; FHIR in {}",
                summary.rows.len(),
                summary.elapsed.as_secs_f64(),
                summary.out.display()
            );
            if summary.all_ok() {
                ExitCode::SUCCESS
            } else {
                eprintln!("demo: FAILED (see the table)");
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}
