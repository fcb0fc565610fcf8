//! Statements of the iomt-ffi README that are counts or facts of the test suite itself,
//! checked against the sources (issue 25.7).

use std::path::Path;

/// The number of tests in `tests/c_api/` that Miri skips (`#[cfg_attr(miri, ignore ...)]`).
fn miri_ignored() -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c_api");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        // One line, or split over three by rustfmt (`#[cfg_attr(` / `miri,` / `ignore ...`).
        n += lines
            .iter()
            .filter(|l| l.starts_with("#[cfg_attr(miri, ignore"))
            .count();
        n += lines
            .windows(3)
            .filter(|w| w[0] == "#[cfg_attr(" && w[1] == "miri," && w[2].starts_with("ignore"))
            .count();
    }
    n
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads the README and the sources (Miri isolates files)"
)]
fn readme_miri_skipped_test_count_is_true() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = miri_ignored();
    let claim = format!("consent and vitals codecs); the {n} tests that do P-256");
    assert!(
        flat.contains(&claim),
        "iomt-ffi/README.md must say \"{claim}\": that many tests in tests/c_api are \
         ignored under Miri"
    );
}
