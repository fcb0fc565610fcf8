//! `cargo xtask cmake [host|cortex-m4|zephyr]`: the C packaging — the release static
//! library, the CMake package, pkg-config and the Zephyr module's consistency.
//!
//! - The release `libiomt_ffi.a` ([`lean_staticlib`]): `cargo rustc --crate-type staticlib`
//!   (iomt-ffi's `crate-type = ["staticlib", "lib"]` makes cargo drop LTO for both, and the
//!   dependencies then keep their embedded LLVM bitcode), then `objcopy --strip-debug
//!   --remove-section=.llvmbc --remove-section=.llvmcmd` (the sysroot's compiler-builtins
//!   objects carry bitcode that GNU binutils' LTO plugin cannot read). `iomt-ffi/CMakeLists.txt`
//!   does the same; [`host`] and [`cortex_m4`] check that GNU `nm` reads its output.
//! - `host`: `examples/c/cmake-consumer` through `add_subdirectory(iomt-ffi)`, then
//!   `cmake --install` of iomt-ffi and the consumer through `find_package(iomt CONFIG)`, then a
//!   compile with `pkg-config --cflags --libs iomt`; each program runs.
//! - `cortex-m4`: the same two CMake ways cross-built with
//!   `iomt-ffi/cmake/arm-none-eabi-cortex-m4.cmake`; each firmware runs on QEMU mps2-an386.
//! - `zephyr`: `crate::zephyr::check` (no Zephyr build can run here).
//!
//! Every cargo build uses the workspace's target directory (`IOMT_CARGO_TARGET_DIR`), so
//! the dependencies compiled by earlier CI steps are reused.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cexamples::{self, target_dir};
use crate::setup;
use crate::step::{cargo, output, run, workspace_root};

/// What the step needs beyond the C examples' packages.
const APT_PACKAGES: [&str; 2] = ["cmake", "pkg-config"];

/// Installs cmake, pkg-config and the C examples' compilers and QEMU.
pub(crate) fn prerequisites() -> Result<(), String> {
    cexamples::prerequisites()?;
    setup::apt(&APT_PACKAGES)
}

/// The objcopy that reads `target`'s objects (`None`: the host).
fn objcopy(target: Option<&str>) -> &'static str {
    match target {
        Some(t) if t.starts_with("thumb") => "arm-none-eabi-objcopy",
        _ => "objcopy",
    }
}

fn nm(target: Option<&str>) -> &'static str {
    match target {
        Some(t) if t.starts_with("thumb") => "arm-none-eabi-nm",
        _ => "nm",
    }
}

/// The release static library for `target` (`None`: the host) with `features`, built as a
/// staticlib only (LTO) and stripped of embedded bitcode and debug info, copied to
/// `target/cmake/libiomt_ffi-<name>.a`.
///
/// # Errors
/// A failing cargo or objcopy.
pub(crate) fn lean_staticlib(
    target: Option<&str>,
    features: &str,
    name: &str,
) -> Result<PathBuf, String> {
    let mut cmd = cargo();
    cmd.args(["rustc", "-p", "iomt-ffi", "--release", "--crate-type"])
        .args(["staticlib", "--no-default-features", "--features", features]);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    run(&mut cmd)?;
    let built = match target {
        Some(t) => target_dir().join(t).join("release/libiomt_ffi.a"),
        None => target_dir().join("release/libiomt_ffi.a"),
    };
    let dir = out_dir()?;
    let lean = dir.join(format!("libiomt_ffi-{name}.a"));
    fs::copy(&built, &lean).map_err(|e| format!("copying {}: {e}", built.display()))?;
    run(Command::new(objcopy(target))
        .args(["--strip-debug", "--remove-section=.llvmbc"])
        .arg("--remove-section=.llvmcmd")
        .arg(&lean))?;
    Ok(lean)
}

fn out_dir() -> Result<PathBuf, String> {
    let dir = target_dir().join("cmake");
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}

fn size_of(path: &Path) -> Result<u64, String> {
    fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// GNU `nm` must list the exported functions and print no error or plugin complaint.
fn nm_reads(lib: &Path, target: Option<&str>) -> Result<(), String> {
    let out = Command::new(nm(target))
        .arg(lib)
        .output()
        .map_err(|e| format!("{}: {e}", nm(target)))?;
    // Empty objects of compiler-builtins print "no symbols"; anything else (the LTO
    // plugin's "failed to create LTO module", a format error) is a failure.
    let stderr: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.ends_with(": no symbols"))
        .map(str::to_owned)
        .collect();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let exported = stdout.lines().filter(|l| l.contains(" T iomt_")).count();
    println!(
        "{} {}: {exported} exported iomt_* functions, {} bytes",
        nm(target),
        lib.display(),
        size_of(lib)?
    );
    if !out.status.success() || !stderr.is_empty() || exported < 50 {
        return Err(format!(
            "GNU nm cannot read {} ({exported} iomt_* symbols): {}",
            lib.display(),
            stderr.join("\n")
        ));
    }
    Ok(())
}

fn consumer_dir() -> PathBuf {
    workspace_root().join("examples/c/cmake-consumer")
}

fn toolchain_file() -> PathBuf {
    workspace_root().join("iomt-ffi/cmake/arm-none-eabi-cortex-m4.cmake")
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `cmake -S src -B build <args>` then `cmake --build build`.
fn cmake_build(src: &Path, build: &Path, args: &[String]) -> Result<(), String> {
    let _ = fs::remove_dir_all(build);
    run(Command::new("cmake")
        .arg("-S")
        .arg(src)
        .arg("-B")
        .arg(build)
        .arg(format!("-DIOMT_CARGO_TARGET_DIR={}", path(&target_dir())))
        .args(args))?;
    run(Command::new("cmake").arg("--build").arg(build))
}

/// Builds and installs iomt-ffi's CMake project into `prefix` (`cross`: with the
/// Cortex-M4 toolchain file).
fn install(prefix: &Path, cross: bool) -> Result<(), String> {
    let build = prefix.with_extension("build");
    let mut args = vec!["-DCMAKE_INSTALL_LIBDIR=lib".to_owned()];
    if cross {
        args.push(format!(
            "-DCMAKE_TOOLCHAIN_FILE={}",
            path(&toolchain_file())
        ));
    }
    cmake_build(&workspace_root().join("iomt-ffi"), &build, &args)?;
    let _ = fs::remove_dir_all(prefix);
    run(Command::new("cmake")
        .arg("--install")
        .arg(&build)
        .arg("--prefix")
        .arg(prefix))
}

/// Host: `add_subdirectory`, then `find_package` after an install, then pkg-config.
pub(crate) fn host() -> Result<(), String> {
    let dir = out_dir()?;
    let sub = dir.join("host-subdirectory");
    cmake_build(&consumer_dir(), &sub, &[])?;
    nm_reads(&sub.join("iomt/libiomt_ffi.a"), None)?;
    run(&mut Command::new(sub.join("consumer")))?;

    let prefix = dir.join("host-prefix");
    install(&prefix, false)?;
    let pkg = dir.join("host-package");
    cmake_build(
        &consumer_dir(),
        &pkg,
        &[
            "-DIOMT_CONSUMER_MODE=package".to_owned(),
            format!("-DCMAKE_PREFIX_PATH={}", path(&prefix)),
        ],
    )?;
    run(&mut Command::new(pkg.join("consumer")))?;

    // pkg-config: the installed iomt.pc names the install prefix and the link flags.
    let pc_dir = prefix.join("lib/pkgconfig");
    let pc = fs::read_to_string(pc_dir.join("iomt.pc")).map_err(|e| format!("iomt.pc: {e}"))?;
    if !pc.contains(&format!("prefix={}", path(&prefix))) {
        return Err(format!("iomt.pc does not name the install prefix:\n{pc}"));
    }
    let flags = output(
        Command::new("pkg-config")
            .args(["--cflags", "--libs", "iomt"])
            .env("PKG_CONFIG_PATH", &pc_dir),
    )?;
    println!("pkg-config --cflags --libs iomt: {}", flags.trim());
    let exe = dir.join("host-pkg-config");
    run(Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"])
        .arg(consumer_dir().join("main.c"))
        .arg("-o")
        .arg(&exe)
        .args(flags.split_whitespace()))?;
    run(&mut Command::new(&exe))
}

/// Cortex-M4: both CMake ways cross-built with arm-none-eabi-gcc, each run on QEMU.
pub(crate) fn cortex_m4() -> Result<(), String> {
    let dir = out_dir()?;
    let toolchain = format!("-DCMAKE_TOOLCHAIN_FILE={}", path(&toolchain_file()));
    let sub = dir.join("m4-subdirectory");
    cmake_build(&consumer_dir(), &sub, std::slice::from_ref(&toolchain))?;
    nm_reads(&sub.join("iomt/libiomt_ffi.a"), Some(FIRMWARE_TARGET))?;
    let elf = sub.join("consumer.elf");
    run(Command::new("arm-none-eabi-size").arg(&elf))?;
    cexamples::qemu_run(&elf)?;

    let prefix = dir.join("m4-prefix");
    install(&prefix, true)?;
    let pkg = dir.join("m4-package");
    cmake_build(
        &consumer_dir(),
        &pkg,
        &[
            toolchain,
            "-DIOMT_CONSUMER_MODE=package".to_owned(),
            format!("-DCMAKE_PREFIX_PATH={}", path(&prefix)),
        ],
    )?;
    cexamples::qemu_run(&pkg.join("consumer.elf"))
}

const FIRMWARE_TARGET: &str = "thumbv7em-none-eabihf";

/// The CI step: host, Cortex-M4, Zephyr consistency.
pub(crate) fn ci_step() -> Result<(), String> {
    host()?;
    cortex_m4()?;
    crate::zephyr::check()
}

/// `cargo xtask cmake [host|cortex-m4|zephyr]`.
pub(crate) fn cmake(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None => prerequisites().and_then(|()| ci_step()),
        Some("host") => prerequisites().and_then(|()| host()),
        Some("cortex-m4") => prerequisites().and_then(|()| cortex_m4()),
        Some("zephyr") => crate::zephyr::check(),
        Some(other) => Err(format!(
            "unknown cmake target `{other}` (host|cortex-m4|zephyr)"
        )),
    }
}

/// The cargo features of iomt-ffi (`[features]` keys of its Cargo.toml).
pub(crate) fn ffi_features() -> Result<BTreeSet<String>, String> {
    let toml = fs::read_to_string(workspace_root().join("iomt-ffi/Cargo.toml"))
        .map_err(|e| format!("iomt-ffi/Cargo.toml: {e}"))?;
    let section = toml
        .split("[features]\n")
        .nth(1)
        .ok_or("iomt-ffi/Cargo.toml has no [features]")?;
    Ok(section
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter(|l| !l.starts_with('#') && l.contains(" = "))
        .filter_map(|l| l.split(" = ").next())
        .map(|k| k.trim().to_owned())
        .collect())
}
