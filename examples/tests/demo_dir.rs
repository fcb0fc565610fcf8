//! The demo writes under `$CARGO_TARGET_DIR` when that is set, not `./target`.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

use std::process::Command;

#[test]
fn the_demo_honours_cargo_target_dir() {
    let base = std::env::temp_dir().join(format!("iomt-demo-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (cwd, target) = (base.join("cwd"), base.join("elsewhere"));
    std::fs::create_dir_all(&cwd).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["--devices", "1", "--duration", "0.3", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(target.join("demo/fhir/ehr.ndjson").is_file());
    assert!(!cwd.join("target").exists(), "the demo wrote ./target");
    let _ = std::fs::remove_dir_all(&base);
}
