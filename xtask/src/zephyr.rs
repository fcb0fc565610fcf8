//! The Zephyr module's consistency with the CMake package and the crate (`cargo xtask cmake
//! zephyr`, part of the CMake CI step). No Zephyr SDK runs here, so this is what stands in
//! for a Zephyr build:
//!
//! - `zephyr/module.yml` points at `zephyr/CMakeLists.txt`, `zephyr/Kconfig` and samples
//!   that exist;
//! - `zephyr/CMakeLists.txt` builds through `iomt-ffi/CMakeLists.txt` (the CMake package:
//!   target `iomt`, `libiomt_ffi.a`) with `iomt-ffi/include` on the include path;
//! - every Kconfig bool `IOMT_*` maps to exactly one iomt-ffi cargo feature, every feature a
//!   firmware chooses has one option, and a Kconfig default matches the crate's default;
//! - every Rust triple `iomt-ffi/cmake/rust-target.cmake` can pick is one CI builds
//!   ([`EMBEDDED_TARGETS`]) or a listed soft-float variant;
//! - the sample's `prj.conf` sets only options that exist, and its `main.c` compiles
//!   against `iomt.h` with stub Zephyr headers.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::process::Command;

use crate::setup::EMBEDDED_TARGETS;
use crate::step::{run, workspace_root};

/// Triples the Kconfig mapping picks for soft-float boards: valid Rust targets that CI
/// does not build (README of `zephyr/` says so).
const UNTESTED_SOFT_FLOAT: [&str; 2] = ["thumbv7em-none-eabi", "thumbv8m.main-none-eabi"];

/// iomt-ffi features that are not a firmware's choice: `std` (host only), `test-kit`
/// (tests), `panic-handler` (always on in the module), `default`.
const NOT_KCONFIG: [&str; 4] = ["std", "test-kit", "panic-handler", "default"];

/// The Kconfig options that are not cargo features.
const NOT_FEATURES: [&str; 2] = ["IOMT", "IOMT_RUST_TARGET"];

fn read(rel: &str) -> Result<String, String> {
    fs::read_to_string(workspace_root().join(rel)).map_err(|e| format!("{rel}: {e}"))
}

/// `config NAME` / `menuconfig NAME` entries of a Kconfig file, with their default line
/// (`default y`, ...) if any.
fn kconfig_options(kconfig: &str) -> BTreeMap<String, Option<String>> {
    let mut options = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in kconfig.lines() {
        let t = line.trim();
        if let Some(name) = t
            .strip_prefix("config ")
            .or_else(|| t.strip_prefix("menuconfig "))
        {
            current = Some(name.trim().to_owned());
            options.insert(name.trim().to_owned(), None);
        } else if let (Some(name), Some(default)) = (&current, t.strip_prefix("default ")) {
            options.insert(name.clone(), Some(default.trim().to_owned()));
        }
    }
    options
}

/// `iomt_kconfig_feature(CONFIG_X feature)` calls: Kconfig name (without `CONFIG_`) →
/// cargo feature.
fn cmake_feature_map(cmake: &str) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for line in cmake.lines() {
        let Some(args) = line.trim().strip_prefix("iomt_kconfig_feature(") else {
            continue;
        };
        let args = args.trim_end_matches(')');
        let mut parts = args.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(symbol), Some(feature), None) => {
                let name = symbol
                    .strip_prefix("CONFIG_")
                    .ok_or(format!("`{line}`: not a CONFIG_ symbol"))?;
                if map.insert(name.to_owned(), feature.to_owned()).is_some() {
                    return Err(format!("{name} is mapped twice"));
                }
            }
            _ => return Err(format!("`{line}`: expected (CONFIG_X feature)")),
        }
    }
    Ok(map)
}

/// The checks over the files' texts (so tests can feed broken copies).
pub(crate) struct Module<'a> {
    pub(crate) module_yml: &'a str,
    pub(crate) kconfig: &'a str,
    pub(crate) cmake: &'a str,
    pub(crate) rust_target_cmake: &'a str,
    pub(crate) ffi_cmake: &'a str,
    pub(crate) prj_conf: &'a str,
    /// iomt-ffi's features and its `default` list.
    pub(crate) features: &'a BTreeSet<String>,
    pub(crate) default_features: &'a str,
}

impl Module<'_> {
    /// Every inconsistency found (empty: consistent).
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for needed in ["cmake: zephyr", "kconfig: zephyr/Kconfig"] {
            if !self.module_yml.contains(needed) {
                problems.push(format!("module.yml lacks `{needed}`"));
            }
        }
        for needed in [
            "add_subdirectory(\"${IOMT_ROOT}/iomt-ffi\"",
            "zephyr_include_directories(\"${IOMT_ROOT}/iomt-ffi/include\")",
            "zephyr_link_libraries(iomt)",
            "set(IOMT_CARGO_FEATURES \"panic-handler\")",
            "iomt_rust_target_for_zephyr(IOMT_RUST_TARGET)",
        ] {
            if !self.cmake.contains(needed) {
                problems.push(format!("zephyr/CMakeLists.txt lacks `{needed}`"));
            }
        }
        for needed in [
            "add_library(iomt STATIC IMPORTED GLOBAL)",
            "set(IOMT_LIB_NAME \"libiomt_ffi.a\")",
            "INTERFACE_INCLUDE_DIRECTORIES \"${CMAKE_CURRENT_LIST_DIR}/include\"",
        ] {
            if !self.ffi_cmake.contains(needed) {
                problems.push(format!("iomt-ffi/CMakeLists.txt lacks `{needed}`"));
            }
        }
        let options = kconfig_options(self.kconfig);
        if !options.contains_key("IOMT") {
            problems.push("Kconfig has no IOMT".to_owned());
        }
        let map = match cmake_feature_map(self.cmake) {
            Ok(map) => map,
            Err(e) => {
                problems.push(e);
                BTreeMap::new()
            }
        };
        for (option, default) in &options {
            if NOT_FEATURES.contains(&option.as_str()) {
                continue;
            }
            let Some(feature) = map.get(option) else {
                problems.push(format!("Kconfig {option} maps to no cargo feature"));
                continue;
            };
            // The module's default is the crate's default.
            let on_by_default = self
                .default_features
                .split(',')
                .any(|f| f.trim().trim_matches('"') == feature);
            if (default.as_deref() == Some("y")) != on_by_default {
                problems.push(format!(
                    "Kconfig {option} default {default:?} but `{feature}` is {}a default feature",
                    if on_by_default { "" } else { "not " }
                ));
            }
        }
        for (option, feature) in &map {
            if !options.contains_key(option) {
                problems.push(format!("CMake maps CONFIG_{option}, which Kconfig lacks"));
            }
            if !self.features.contains(feature) {
                problems.push(format!("CONFIG_{option} names unknown feature `{feature}`"));
            }
        }
        let mapped: BTreeSet<&String> = map.values().collect();
        for feature in self.features {
            if !NOT_KCONFIG.contains(&feature.as_str()) && !mapped.contains(feature) {
                problems.push(format!(
                    "iomt-ffi feature `{feature}` has no Kconfig option"
                ));
            }
        }
        for triple in self
            .rust_target_cmake
            .lines()
            .filter_map(|l| l.trim().strip_prefix("set(triple \""))
            .filter_map(|rest| rest.split('"').next())
            .filter(|t| !t.is_empty())
        {
            if !EMBEDDED_TARGETS.contains(&triple) && !UNTESTED_SOFT_FLOAT.contains(&triple) {
                problems.push(format!(
                    "rust-target.cmake picks `{triple}`, which CI never builds"
                ));
            }
        }
        for line in self.prj_conf.lines() {
            if let Some(name) = line
                .strip_prefix("CONFIG_")
                .and_then(|r| r.split('=').next())
                .filter(|n| n.starts_with("IOMT"))
                && !options.contains_key(name)
            {
                problems.push(format!("prj.conf sets CONFIG_{name}, which Kconfig lacks"));
            }
        }
        problems
    }
}

/// The iomt-ffi `default = [...]` feature list, raw.
fn default_features(ffi_toml: &str) -> String {
    ffi_toml
        .lines()
        .find_map(|l| l.strip_prefix("default = ["))
        .map(|r| r.trim_end_matches(']').to_owned())
        .unwrap_or_default()
}

/// Stub Zephyr headers: enough for the sample to compile on the host.
const STUBS: [(&str, &str); 3] = [
    ("zephyr/kernel.h", "#include <stddef.h>\n"),
    (
        "zephyr/random/random.h",
        "#include <stddef.h>\nint sys_csrand_get(void *dst, size_t len);\n",
    ),
    (
        "zephyr/sys/printk.h",
        "#include <stdio.h>\n#define printk printf\n",
    ),
];

/// Runs every check (see the module docs).
///
/// # Errors
/// The list of inconsistencies, or a sample that does not compile.
pub(crate) fn check() -> Result<(), String> {
    let features = crate::cmake::ffi_features()?;
    let ffi_toml = read("iomt-ffi/Cargo.toml")?;
    let module_yml = read("zephyr/module.yml")?;
    let texts = (
        read("zephyr/Kconfig")?,
        read("zephyr/CMakeLists.txt")?,
        read("iomt-ffi/cmake/rust-target.cmake")?,
        read("iomt-ffi/CMakeLists.txt")?,
        read("zephyr/samples/hello/prj.conf")?,
    );
    let defaults = default_features(&ffi_toml);
    let module = Module {
        module_yml: &module_yml,
        kconfig: &texts.0,
        cmake: &texts.1,
        rust_target_cmake: &texts.2,
        ffi_cmake: &texts.3,
        prj_conf: &texts.4,
        features: &features,
        default_features: &defaults,
    };
    let mut problems = module.problems();
    for sample in module_yml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
    {
        if !workspace_root()
            .join(sample)
            .join("CMakeLists.txt")
            .exists()
        {
            problems.push(format!("module.yml sample {sample} has no CMakeLists.txt"));
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "Zephyr module inconsistent:\n  {}",
            problems.join("\n  ")
        ));
    }
    println!(
        "zephyr: module.yml, Kconfig ({} options), CMakeLists.txt and rust-target.cmake consistent with iomt-ffi",
        kconfig_options(module.kconfig).len()
    );
    // The sample against iomt.h, with stub Zephyr headers.
    let stubs = crate::cexamples::target_dir().join("cmake/zephyr-stubs");
    for (rel, text) in STUBS {
        let file = stubs.join(rel);
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    run(Command::new("gcc")
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-fsyntax-only",
        ])
        .arg(format!("-I{}", stubs.display()))
        .arg(format!(
            "-I{}",
            workspace_root().join("iomt-ffi/include").display()
        ))
        .arg(workspace_root().join("zephyr/samples/hello/src/main.c")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real() -> (Vec<String>, BTreeSet<String>, String) {
        let texts = [
            "zephyr/module.yml",
            "zephyr/Kconfig",
            "zephyr/CMakeLists.txt",
            "iomt-ffi/cmake/rust-target.cmake",
            "iomt-ffi/CMakeLists.txt",
            "zephyr/samples/hello/prj.conf",
        ]
        .iter()
        .map(|p| read(p).unwrap())
        .collect();
        let features = crate::cmake::ffi_features().unwrap();
        let defaults = default_features(&read("iomt-ffi/Cargo.toml").unwrap());
        (texts, features, defaults)
    }

    fn problems(t: &[String], features: &BTreeSet<String>, defaults: &str) -> Vec<String> {
        Module {
            module_yml: &t[0],
            kconfig: &t[1],
            cmake: &t[2],
            rust_target_cmake: &t[3],
            ffi_cmake: &t[4],
            prj_conf: &t[5],
            features,
            default_features: defaults,
        }
        .problems()
    }

    #[test]
    fn the_zephyr_module_matches_the_cmake_package_and_the_crate() {
        let (t, features, defaults) = real();
        assert!(features.contains("signature-methods") && features.contains("p256-cortex-m4"));
        assert_eq!(problems(&t, &features, &defaults), Vec::<String>::new());
    }

    #[test]
    fn the_check_catches_drift() {
        let (t, features, defaults) = real();
        // A new crate feature without a Kconfig option.
        let mut more = features.clone();
        more.insert("fast-sha".to_owned());
        assert!(
            problems(&t, &more, &defaults)
                .iter()
                .any(|p| p.contains("`fast-sha` has no Kconfig option"))
        );
        // A Kconfig option without a mapping.
        let mut k = t.clone();
        k[1].push_str("\nconfig IOMT_TURBO\n\tbool \"turbo\"\n");
        assert!(
            problems(&k, &features, &defaults)
                .iter()
                .any(|p| p.contains("IOMT_TURBO maps to no cargo feature"))
        );
        // A mapping to a feature the crate does not have.
        let mut c = t.clone();
        c[2] = c[2].replace("signature-methods)", "signature-method)");
        assert!(!problems(&c, &features, &defaults).is_empty());
        // A default that disagrees with the crate's.
        let no_sig = defaults.replace("\"signature-methods\"", "");
        assert!(
            problems(&t, &features, &no_sig)
                .iter()
                .any(|p| p.contains("IOMT_SIGNATURE_METHODS default"))
        );
        // A triple CI never builds.
        let mut r = t.clone();
        r[3].push_str("\n    set(triple \"armv7a-none-eabi\")\n");
        assert!(
            problems(&r, &features, &defaults)
                .iter()
                .any(|p| p.contains("armv7a-none-eabi"))
        );
        // The module no longer goes through the CMake package.
        let mut s = t.clone();
        s[2] = s[2].replace("add_subdirectory", "add_library");
        assert!(!problems(&s, &features, &defaults).is_empty());
        // prj.conf with an unknown option.
        let mut p = t;
        p[5].push_str("CONFIG_IOMT_TYPO=y\n");
        assert!(
            problems(&p, &features, &defaults)
                .iter()
                .any(|p| p.contains("CONFIG_IOMT_TYPO"))
        );
    }
}
