//! `cargo xtask cexamples [host|firmware|size|miri]`: the C examples of `examples/c/`
//! against `libiomt_ffi.a`, and the Rust-side Miri run of iomt-ffi.
//!
//! - `host`: first `iomt.h` alone, compiled as C99, C11, C23 (`-std=c2x`) and C++17
//!   with `-Wall -Wextra -Wpedantic -Werror` (the standards the iomt-ffi README promises);
//!   then device + gateway in C (`host.c`), and authorization + accounting in C
//!   (`aaa.c`: operator factor, RBAC, lockout, consent with break-glass, signed audit
//!   export), each compiled with `-std=c11 -Wall -Wextra -Wpedantic -Werror`, run once under
//!   ASan+UBSan and once under valgrind (errors and leaks fail).
//! - `firmware`: the same demo as Cortex-M4 firmware (thumbv7em-none-eabihf staticlib,
//!   arm-none-eabi-gcc, newlib semihosting) on QEMU mps2-an386, once with RustCrypto P-256
//!   and once with the `p256-cortex-m4` feature; the exit code is the verdict.
//! - `size`: the library's flash contribution for one role (a device: initiator +
//!   session), linked with `--gc-sections` with and without the iomt calls.
//! - `miri`: `cargo +nightly miri test -p iomt-ffi` (pointer/length/NULL/alignment/storage
//!   plumbing; the P-256-heavy tests are `#[cfg_attr(miri, ignore)]`).
//!
//! Without an argument: host, firmware and size.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::setup;
use crate::step::{cargo, nightly_cargo, output, run, workspace_root};

/// Debian packages the C examples need.
const APT_PACKAGES: [&str; 9] = [
    "gcc",
    "g++",
    "libc6-dev",
    "valgrind",
    "qemu-system-arm",
    "gcc-arm-none-eabi",
    "libnewlib-arm-none-eabi",
    "binutils-arm-none-eabi",
    "git",
];

const C_FLAGS: [&str; 6] = [
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-g",
];
const ARM_FLAGS: [&str; 4] = [
    "-mcpu=cortex-m4",
    "-mthumb",
    "-mfloat-abi=hard",
    "-mfpu=fpv4-sp-d16",
];
const FIRMWARE_TARGET: &str = "thumbv7em-none-eabihf";
const QEMU_TIMEOUT: Duration = Duration::from_secs(300);

/// Installs compilers, valgrind and QEMU.
pub(crate) fn prerequisites() -> Result<(), String> {
    setup::apt(&APT_PACKAGES)
}

/// Installs nightly with Miri and rust-src, and Miri's sysroot.
pub(crate) fn miri_prerequisites() -> Result<(), String> {
    setup::nightly(&["miri", "rust-src"])?;
    run(nightly_cargo().args(["miri", "setup"]))
}

/// Cargo's target directory (`CARGO_TARGET_DIR` if set).
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

fn out_dir() -> Result<PathBuf, String> {
    let dir = target_dir().join("cexamples");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}

fn examples() -> PathBuf {
    workspace_root().join("examples").join("c")
}

fn include() -> PathBuf {
    workspace_root().join("iomt-ffi").join("include")
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The host staticlib (debug profile: dependencies are optimized, see Cargo.toml).
fn host_lib() -> Result<PathBuf, String> {
    run(cargo().args(["build", "-p", "iomt-ffi"]))?;
    Ok(target_dir().join("debug/libiomt_ffi.a"))
}

/// The two firmware builds: P-256 on RustCrypto, and on the P256-Cortex-M4 assembly
/// (all EDHOC methods).
const VARIANTS: [(&str, &str); 2] = [
    ("rustcrypto", "panic-handler,signature-methods"),
    (
        "p256-cortex-m4",
        "panic-handler,signature-methods,p256-cortex-m4",
    ),
];

/// The same without the `signature-methods` feature (EDHOC method 3 only), for the size
/// report: what a static-DH-only device saves.
const METHOD_3_VARIANTS: [(&str, &str); 2] = [
    ("rustcrypto-method3", "panic-handler"),
    ("p256-cortex-m4-method3", "panic-handler,p256-cortex-m4"),
];

/// The firmware staticlib: the release library as shipped (LTO, `opt-level = "s"`, no_std
/// with the panic handler, embedded bitcode and debug info stripped:
/// `crate::cmake::lean_staticlib`, the same recipe as `iomt-ffi/CMakeLists.txt`), as
/// `target/cmake/libiomt_ffi-<variant>.a`.
fn firmware_lib(variant: &str, features: &str) -> Result<PathBuf, String> {
    crate::cmake::lean_staticlib(Some(FIRMWARE_TARGET), features, variant)
}

/// The host programs: each `main` source is linked with `demo.c` (checks, shared demo).
const HOST_PROGRAMS: [&str; 2] = ["host", "aaa"];

fn host_compile(lib: &Path, main: &str, extra: &[&str], exe: &Path) -> Result<(), String> {
    let ex = examples();
    run(Command::new("gcc")
        .args(C_FLAGS)
        .args(extra)
        .arg(format!("-I{}", path(&include())))
        .arg(format!("-I{}", path(&ex)))
        .arg(ex.join(format!("{main}.c")))
        .arg(ex.join("demo.c"))
        .arg(lib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(exe))
}

/// The language standards `iomt.h` is promised to compile under (iomt-ffi README):
/// compiler, `-std=` value, `-x` language. `c2x` is C23 for gcc 12 and later.
pub(crate) const HEADER_STANDARDS: [(&str, &str, &str); 4] = [
    ("gcc", "c99", "c"),
    ("gcc", "c11", "c"),
    ("gcc", "c2x", "c"),
    ("g++", "c++17", "c++"),
];

/// `iomt.h` alone in a translation unit, under every promised standard, warnings as errors.
pub(crate) fn header_standards() -> Result<(), String> {
    let tu = out_dir()?.join("header_only.c");
    std::fs::write(
        &tu,
        "#include \"iomt.h\"\nint main(void) { return (int)IOMT_RESULT_OK; }\n",
    )
    .map_err(|e| format!("writing {}: {e}", tu.display()))?;
    for (cc, std, lang) in HEADER_STANDARDS {
        run(Command::new(cc)
            .arg(format!("-std={std}"))
            .args(["-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only"])
            .arg(format!("-I{}", path(&include())))
            .args(["-x", lang])
            .arg(&tu))?;
    }
    Ok(())
}

/// Host: the header under every promised standard, then every host program under
/// ASan+UBSan, then under valgrind.
pub(crate) fn host() -> Result<(), String> {
    header_standards()?;
    let lib = host_lib()?;
    let dir = out_dir()?;
    for main in HOST_PROGRAMS {
        let asan = dir.join(format!("{main}-asan"));
        host_compile(
            &lib,
            main,
            &[
                "-O1",
                "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all",
                "-fno-omit-frame-pointer",
            ],
            &asan,
        )?;
        run(Command::new(&asan).env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1"))?;
        let plain = dir.join(main);
        host_compile(&lib, main, &["-O1"], &plain)?;
        run(Command::new("valgrind")
            .args([
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=all",
                "--show-leak-kinds=all",
                "--quiet",
            ])
            .arg(&plain))?;
    }
    Ok(())
}

fn arm_link(
    lib: Option<&Path>,
    sources: &[&str],
    defines: &[&str],
    elf: &Path,
) -> Result<(), String> {
    let ex = examples();
    let fw = ex.join("firmware");
    let mut cmd = Command::new("arm-none-eabi-gcc");
    cmd.args(ARM_FLAGS)
        .args(C_FLAGS)
        .args(defines)
        .args([
            "-Os",
            "-ffunction-sections",
            "-fdata-sections",
            "--specs=rdimon.specs",
        ])
        .args([
            "-nostartfiles",
            "-Wl,--gc-sections",
            "-Wl,--no-warn-execstack",
        ])
        .arg(format!("-I{}", path(&include())))
        .arg(format!("-I{}", path(&ex)))
        .arg("-T")
        .arg(fw.join("mps2_an386.ld"))
        .arg(fw.join("startup.c"));
    for s in sources {
        cmd.arg(ex.join(s));
    }
    if let Some(lib) = lib {
        cmd.arg(lib);
    }
    run(cmd.arg("-o").arg(elf))
}

/// Runs `elf` on QEMU mps2-an386 with semihosting; its exit code is the verdict.
pub(crate) fn qemu_run(elf: &Path) -> Result<(), String> {
    println!(
        "$ qemu-system-arm -M mps2-an386 -nographic -icount shift=0 -semihosting-config enable=on,target=native -kernel {}",
        elf.display()
    );
    let mut child = Command::new("qemu-system-arm")
        .args(["-M", "mps2-an386", "-nographic", "-icount", "shift=0"])
        .args(["-semihosting-config", "enable=on,target=native", "-kernel"])
        .arg(elf)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start qemu-system-arm: {e}"))?;
    let start = Instant::now();
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("firmware failed: qemu exited with {status}")),
            None if start.elapsed() > QEMU_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "firmware timed out after {}s",
                    QEMU_TIMEOUT.as_secs()
                ));
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Cortex-M4 on QEMU, for both P-256 backends: initiator and responder in-process
/// (`main.c`), then authorization and accounting end to end (`aaa.c`, `-DIOMT_FIRMWARE`).
pub(crate) fn firmware() -> Result<(), String> {
    for (variant, features) in VARIANTS {
        let lib = firmware_lib(variant, features)?;
        let elf = out_dir()?.join(format!("firmware-{variant}.elf"));
        arm_link(Some(&lib), &["firmware/main.c", "demo.c"], &[], &elf)?;
        run(Command::new("arm-none-eabi-size").arg(&elf))?;
        println!("firmware ({variant}):");
        qemu_run(&elf)?;
        // Authorization and accounting end to end (aaa.c) on the target too.
        let elf = out_dir()?.join(format!("firmware-aaa-{variant}.elf"));
        arm_link(
            Some(&lib),
            &["aaa.c", "demo.c", "firmware/platform.c"],
            &["-DIOMT_FIRMWARE"],
            &elf,
        )?;
        run(Command::new("arm-none-eabi-size").arg(&elf))?;
        println!("firmware aaa ({variant}):");
        qemu_run(&elf)?;
    }
    Ok(())
}

/// `arm-none-eabi-size` (Berkeley format): text, data, bss.
fn sizes(elf: &Path) -> Result<(u64, u64, u64), String> {
    let out = output(Command::new("arm-none-eabi-size").arg(elf))?;
    let line = out.lines().nth(1).ok_or("no size output")?;
    let v: Vec<u64> = line
        .split_whitespace()
        .take(3)
        .map(|s| s.parse().map_err(|e| format!("size output `{line}`: {e}")))
        .collect::<Result<_, _>>()?;
    match v.as_slice() {
        [t, d, b] => Ok((*t, *d, *b)),
        _ => Err(format!("size output `{line}`")),
    }
}

/// Flash contribution of the library for one role (device = initiator + session), for
/// both P-256 backends.
pub(crate) fn size() -> Result<(), String> {
    let dir = out_dir()?;
    let without = dir.join("device-baseline.elf");
    arm_link(
        None,
        &["firmware/device_role.c"],
        &["-DIOMT_BASELINE"],
        &without,
    )?;
    let (t0, d0, b0) = sizes(&without)?;
    for (variant, features) in VARIANTS.into_iter().chain(METHOD_3_VARIANTS) {
        let lib = firmware_lib(variant, features)?;
        let with = dir.join(format!("device-role-{variant}.elf"));
        arm_link(Some(&lib), &["firmware/device_role.c"], &[], &with)?;
        let (t1, d1, b1) = sizes(&with)?;
        let flash = (t1 + d1).saturating_sub(t0 + d0);
        println!(
            "device role (initiator + session, {variant}), --gc-sections, {FIRMWARE_TARGET} release:"
        );
        println!("  with iomt:    text {t1} data {d1} bss {b1}");
        println!("  baseline:     text {t0} data {d0} bss {b0}");
        println!(
            "  iomt flash contribution: {flash} bytes ({:.1} KiB); static RAM for the objects: {} bytes",
            flash as f64 / 1024.0,
            b1.saturating_sub(b0)
        );
    }
    Ok(())
}

/// Miri over iomt-ffi's Rust-side tests.
pub(crate) fn miri() -> Result<(), String> {
    run(nightly_cargo().args(["miri", "test", "-p", "iomt-ffi", "--test", "c_api"]))
}

/// The CI step: host, firmware and size.
pub(crate) fn ci_step() -> Result<(), String> {
    host()?;
    firmware()?;
    size()
}

/// `cargo xtask cexamples [host|firmware|size|miri]`.
pub(crate) fn cexamples(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None => {
            prerequisites()?;
            ci_step()
        }
        Some("host") => prerequisites().and_then(|()| host()),
        Some("firmware") => prerequisites().and_then(|()| firmware()),
        Some("size") => prerequisites().and_then(|()| size()),
        Some("miri") => miri_prerequisites().and_then(|()| miri()),
        Some(other) => Err(format!(
            "unknown cexamples target `{other}` (host|firmware|size|miri)"
        )),
    }
}
