//! `cargo xtask footprint [--ci]`: builds the `bench` firmware per backend and
//! opt-level (release, LTO), runs it on QEMU mps2-an386, reads the section sizes with
//! `arm-none-eabi-size -A`, and writes `docs/PERFORMANCE.md`.
//!
//! `--ci` (the CI step) builds only opt-level `s`, writes the report to
//! `target/footprint/PERFORMANCE.md` instead of `docs/`, and fails if the fast backend
//! lost its advantage or the method-3 initiator handshake exceeds its budget.
//!
//! Beside iomt's images it builds a lakers 0.8 initiator image the same way
//! ([`crate::footprint_lakers`]) and writes the iomt/lakers flash ratios. Blocks of
//! docs/PERFORMANCE.md that other commands write ([`crate::doc_blocks::KEPT`]) are kept.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

use crate::qemu::{self, Build};
use crate::step::{output, workspace_root};

/// The goal: a full method-3 initiator handshake on the fast backend, in instructions.
const METHOD_3_BUDGET: u64 = 4_000_000;
/// CI guard: P256-Cortex-M4 ECDH must stay at least this many times faster.
const MIN_ECDH_SPEEDUP: u64 = 5;
/// Flash budget of the lakers-like RustCrypto image at opt-level s and z (issue 18: at
/// most 30 KiB, and smaller than lakers' image built the same way).
const DEVICE_BUDGET: u64 = 30 * 1024;

/// The two backends, as (report name, firmware features of the `bench` image: all
/// methods, both suites, the channel).
const BACKENDS: [(&str, &[&str]); 2] = [
    (
        "rustcrypto",
        &["backend-rustcrypto", "edhoc", "channel", "suite5"],
    ),
    (
        "p256-cortex-m4",
        &["backend-m4", "edhoc", "channel", "suite5"],
    ),
];

/// What one firmware run reported.
#[derive(Default)]
struct Run {
    /// Sections of the initiator-only image and of the baseline image.
    initiator: BTreeMap<String, u64>,
    baseline: BTreeMap<String, u64>,
    /// Instructions of the RFC 9529 §3 initiator run.
    initiator_instructions: Option<u64>,
    /// The lakers-like image (method 3, suite 2, no channel, no message_4): sections and
    /// instructions.
    device: BTreeMap<String, u64>,
    device_instructions: Option<u64>,
    /// The same image without iomt-auth's `signature-methods` (EDHOC method 3 only).
    initiator_method3: BTreeMap<String, u64>,
    initiator_method3_instructions: Option<u64>,
    /// operation → (instructions, peak stack bytes), in report order.
    ops: Vec<(String, u64, u64)>,
    /// type → bytes.
    sizes: Vec<(String, u64)>,
    /// handshake → message lengths.
    messages: Vec<(String, String)>,
    /// AEAD → frame length for a 64-byte payload.
    frames: Vec<(String, String)>,
    /// section → bytes.
    sections: BTreeMap<String, u64>,
    calibration: Option<u64>,
}

impl Run {
    fn op(&self, name: &str) -> Option<(u64, u64)> {
        self.ops
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|&(_, i, s)| (i, s))
    }

    fn flash(&self) -> u64 {
        flash(&self.sections)
    }

    fn ram(&self) -> u64 {
        [".data", ".bss", ".uninit"]
            .iter()
            .filter_map(|s| self.sections.get(*s))
            .sum()
    }
}

/// `.vector_table + .text + .rodata + .data` of an image.
pub(crate) fn flash(sections: &BTreeMap<String, u64>) -> u64 {
    [".vector_table", ".text", ".rodata", ".data"]
        .iter()
        .filter_map(|s| sections.get(*s))
        .sum()
}

fn parse_run(console: &str, backend: &str) -> Run {
    let mut run = Run::default();
    for line in console.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["IOMT-BENCH", b, op, instr, stack] if *b == backend => {
                if let (Ok(i), Ok(s)) = (instr.parse(), stack.parse()) {
                    run.ops.push(((*op).to_owned(), i, s));
                }
            }
            ["IOMT-SIZE", b, ty, bytes] if *b == backend => {
                if let Ok(n) = bytes.parse() {
                    run.sizes.push(((*ty).to_owned(), n));
                }
            }
            ["IOMT-MESSAGES", hs, m1, m2, m3, m4] => {
                run.messages
                    .push(((*hs).to_owned(), format!("{m1} / {m2} / {m3} / {m4}")));
            }
            ["IOMT-FRAME", aead, len] => run.frames.push(((*aead).to_owned(), (*len).to_owned())),
            ["IOMT-CALIBRATION", x] => run.calibration = x.parse().ok(),
            _ => {}
        }
    }
    run
}

/// The allocated sections of `elf` (`arm-none-eabi-size -A`), name → bytes.
pub(crate) fn sections(elf: &std::path::Path) -> Result<BTreeMap<String, u64>, String> {
    let text = output(Command::new("arm-none-eabi-size").arg("-A").arg(elf))?;
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        if let (Some(name), Some(size)) = (f.next(), f.next())
            && name.starts_with('.')
            && !name.starts_with(".debug")
            && !name.starts_with(".ARM")
            && let Ok(n) = size.parse()
        {
            map.insert(name.to_owned(), n);
        }
    }
    Ok(map)
}

/// `cargo xtask footprint [--ci]`.
pub(crate) fn footprint(args: &[String]) -> Result<(), String> {
    qemu::prerequisites()?;
    let ci = args.iter().any(|a| a == "--ci");
    let opt_levels: &[&str] = if ci { &["s"] } else { &["s", "z"] };
    // (opt, backend) → run
    let mut runs: BTreeMap<(String, String), Run> = BTreeMap::new();
    let mut lakers = BTreeMap::new();
    for &opt in opt_levels {
        lakers.insert(opt.to_owned(), crate::footprint_lakers::measure(opt)?);
        let build = Build {
            bin: "baseline",
            features: &[],
            opt_level: opt,
        };
        let elf = build.build()?;
        qemu::run_elf(&elf)?;
        let baseline = sections(&elf)?;
        for (backend, features) in BACKENDS {
            let build = Build {
                bin: "bench",
                features,
                opt_level: opt,
            };
            let elf = build.build()?;
            let console = qemu::run_elf(&elf)?;
            if !console.contains("IOMT-BENCH-DONE\tok") {
                return Err(format!("bench ({}) did not report success", build.tag()));
            }
            let mut run = parse_run(&console, backend);
            run.sections = sections(&elf)?;
            // The initiator-only device image (suite 2 only): RFC 9529 §3 byte-exact,
            // then its size.
            let suite2 = without(features, "suite5");
            let (sections_default, instructions) = initiator(&suite2, opt)?;
            run.initiator = sections_default;
            run.initiator_instructions = Some(instructions);
            let method3: Vec<&str> = suite2
                .iter()
                .map(|f| if *f == "edhoc" { "edhoc-method3" } else { *f })
                .collect();
            // The lakers-like image: method 3, suite 2, no channel.
            let device = without(&method3, "channel");
            let (sections_device, instructions) = initiator(&device, opt)?;
            run.device = sections_device;
            run.device_instructions = Some(instructions);
            let (sections_method3, instructions) = initiator(&method3, opt)?;
            run.initiator_method3 = sections_method3;
            run.initiator_method3_instructions = Some(instructions);
            run.baseline = baseline.clone();
            runs.insert((opt.to_owned(), backend.to_owned()), run);
        }
    }
    let report = render(&runs, &lakers, opt_levels, ci)?;
    let path = if ci {
        let dir = workspace_root().join("target").join("footprint");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        dir.join("PERFORMANCE.md")
    } else {
        workspace_root().join("docs").join("PERFORMANCE.md")
    };
    // Keep the blocks other commands write (bench-lakers, handshake-under-loss, …).
    let old = std::fs::read_to_string(workspace_root().join("docs").join("PERFORMANCE.md"))
        .unwrap_or_default();
    let report = crate::doc_blocks::keep_all(&report, &old);
    std::fs::write(&path, &report).map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    check(&runs, &lakers)
}

/// `features` without `name`.
fn without<'a>(features: &[&'a str], name: &str) -> Vec<&'a str> {
    features.iter().copied().filter(|f| *f != name).collect()
}

/// Builds and runs the `initiator` firmware; returns its sections and the instructions of
/// its RFC 9529 run.
fn initiator(features: &[&str], opt_level: &str) -> Result<(BTreeMap<String, u64>, u64), String> {
    let build = Build {
        bin: "initiator",
        features,
        opt_level,
    };
    let elf = build.build()?;
    let console = qemu::run_elf(&elf)?;
    let instructions = console
        .lines()
        .find_map(|l| l.strip_prefix("IOMT-INITIATOR\tok\t"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("initiator ({}) did not report success", build.tag()))?;
    Ok((sections(&elf)?, instructions))
}

/// CI step body: `footprint` (opt-level s only, report under `target/`).
pub(crate) fn ci_step() -> Result<(), String> {
    footprint(&["--ci".to_owned()])
}

/// The lakers-like RustCrypto image at `opt`: within [`DEVICE_BUDGET`] and smaller than
/// lakers' image built the same way.
fn device_within_budget(
    opt: &str,
    rc: &Run,
    lakers: &crate::footprint_lakers::LakersImage,
) -> Result<(), String> {
    let device = flash(&rc.device).saturating_sub(flash(&rc.baseline));
    if device > DEVICE_BUDGET || device >= lakers.own() {
        return Err(format!(
            "lakers-like RustCrypto image at opt-level {opt} is {device} bytes (budget {DEVICE_BUDGET}, lakers {})",
            lakers.own()
        ));
    }
    Ok(())
}

/// CI guards on the opt-level s numbers (and the device budget at z when z was built).
fn check(
    runs: &BTreeMap<(String, String), Run>,
    lakers_images: &BTreeMap<String, crate::footprint_lakers::LakersImage>,
) -> Result<(), String> {
    let get = |b: &str| runs.get(&("s".to_owned(), b.to_owned()));
    let (Some(rc), Some(m4), Some(lakers)) = (
        get("rustcrypto"),
        get("p256-cortex-m4"),
        lakers_images.get("s"),
    ) else {
        return Err("missing opt-level s runs".to_owned());
    };
    device_within_budget("s", rc, lakers)?;
    // The CI step builds opt-level s only; the full run checks z as well.
    if let (Some(rc_z), Some(lakers_z)) = (
        runs.get(&("z".to_owned(), "rustcrypto".to_owned())),
        lakers_images.get("z"),
    ) {
        device_within_budget("z", rc_z, lakers_z)?;
    }
    let calibration = rc.calibration.unwrap_or(0);
    if !(1_990..=2_010).contains(&calibration) {
        return Err(format!(
            "calibration {calibration} (x1000 instructions per iteration), expected 2000"
        ));
    }
    let (Some((rc_ecdh, _)), Some((m4_ecdh, _))) = (rc.op("p256_ecdh"), m4.op("p256_ecdh")) else {
        return Err("p256_ecdh missing from the bench output".to_owned());
    };
    if m4_ecdh.saturating_mul(MIN_ECDH_SPEEDUP) > rc_ecdh {
        return Err(format!(
            "P256-Cortex-M4 ECDH ({m4_ecdh}) is no longer {MIN_ECDH_SPEEDUP}x faster than RustCrypto ({rc_ecdh})"
        ));
    }
    match m4.op("edhoc_initiator_m3_s2") {
        Some((i, _)) if i <= METHOD_3_BUDGET => Ok(()),
        Some((i, _)) => Err(format!(
            "method-3 initiator handshake takes {i} instructions (budget {METHOD_3_BUDGET})"
        )),
        None => Err("edhoc_initiator_m3_s2 missing from the bench output".to_owned()),
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ratio(a: u64, b: u64) -> String {
    if b == 0 {
        return "–".to_owned();
    }
    let r = a as f64 / b as f64;
    if (r - 1.0).abs() < 0.005 {
        "1.00".to_owned()
    } else {
        format!("{r:.2}")
    }
}

fn version(cmd: &str, arg: &str) -> String {
    Command::new(cmd)
        .arg(arg)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_else(|| format!("{cmd} (version unknown)"))
}

fn render(
    runs: &BTreeMap<(String, String), Run>,
    lakers: &BTreeMap<String, crate::footprint_lakers::LakersImage>,
    opts: &[&str],
    ci: bool,
) -> Result<String, String> {
    let get = |opt: &str, b: &str| {
        runs.get(&(opt.to_owned(), b.to_owned()))
            .ok_or_else(|| format!("missing run {opt}/{b}"))
    };
    let rc_s = get("s", "rustcrypto")?;
    let m4_s = get("s", "p256-cortex-m4")?;
    let mut md = String::new();
    let w = &mut md;
    let cmd = if ci {
        "cargo xtask footprint --ci"
    } else {
        "cargo xtask footprint"
    };
    let _ = writeln!(
        w,
        "<!-- GENERATED FILE: do not edit. Regenerate with `{cmd}` (xtask/src/footprint.rs). -->"
    );
    let _ = writeln!(w, "# Performance and footprint on Cortex-M4\n");
    let _ = writeln!(
        w,
        "Generated by `{cmd}` from the `bench` firmware in `firmware/` (QEMU `mps2-an386`, \
         Cortex-M4F, `thumbv7em-none-eabihf`, release profile with LTO and one codegen unit).\n\n\
         - Toolchain: {}; {}.\n\
         - **Instructions, not cycles.** QEMU runs with `-icount shift=0` (one instruction = 1 ns of \
         virtual time); TIMER0 (25 MHz) is read around each operation: 40 instructions per tick, \
         verified at start-up with a `subs`/`bne` loop of known length (measured: {} instructions \
         per iteration of the 2-instruction loop). A real Cortex-M4 needs more \
         *cycles* than instructions (multi-cycle loads, multiplies, branches, flash wait states). \
         Cheap operations are averaged over 16 runs; resolution is 40 instructions.\n\
         - **Peak stack** by stack painting: bytes below the caller's stack pointer that the \
         operation touched (the measuring closure's own frame included).\n\
         - RNG: a fixed-seed SplitMix64 (benchmark only; QEMU has no TRNG). ECDSA signing is \
         deterministic (RFC 6979) on both backends and byte-identical between them (checked).\n\
         - `p256-cortex-m4` = `CortexM4Provider` (iomt-crypto feature `p256-cortex-m4`): P-256 on \
         the P256-Cortex-M4 assembly, everything else delegated to RustCrypto — so the symmetric \
         rows are the same code on both sides. Point validation/decompression \
         (`PublicKey::from_x_coordinate`) is RustCrypto field arithmetic on both.\n",
        version("rustc", "--version"),
        version("qemu-system-arm", "--version"),
        rc_s.calibration.map_or_else(
            || "?".to_owned(),
            |c| format!("{}.{:03}", c / 1000, c % 1000)
        ),
    );

    // Goal.
    if let Some((i, s)) = m4_s.op("edhoc_initiator_m3_s2") {
        let verdict = if i <= METHOD_3_BUDGET {
            "met"
        } else {
            "NOT met"
        };
        let _ = writeln!(
            w,
            "## Goal: method-3 initiator handshake ≤ {} instructions (fast backend)\n\n\
             **{verdict}**: a full EDHOC method-3 (static DH both sides) initiator handshake, \
             cipher suite 2, credentials by `kid`, takes **{} instructions** (peak stack {} B) \
             with `p256-cortex-m4` at opt-level s, against {} with RustCrypto.\n",
            thousands(METHOD_3_BUDGET),
            thousands(i),
            s,
            rc_s.op("edhoc_initiator_m3_s2")
                .map_or("–".to_owned(), |(i, _)| thousands(i)),
        );
    }

    // Instructions.
    let _ = writeln!(w, "## Instructions per operation\n");
    let mut header = String::from("| operation |");
    let mut rule = String::from("|---|");
    for opt in opts {
        let _ = write!(
            header,
            " RustCrypto ({opt}) | P256-Cortex-M4 ({opt}) | ratio ({opt}) |"
        );
        rule.push_str("---:|---:|---:|");
    }
    let _ = writeln!(w, "{header}\n{rule}");
    // Every operation of either backend, in report order.
    let mut ops: Vec<&str> = rc_s.ops.iter().map(|(n, _, _)| n.as_str()).collect();
    let mut after = 0;
    for (op, _, _) in &m4_s.ops {
        if let Some(i) = ops.iter().position(|o| o == op) {
            after = i + 1;
        } else {
            ops.insert(after.min(ops.len()), op);
            after += 1;
        }
    }
    for op in &ops {
        let mut row = format!("| `{op}` |");
        for opt in opts {
            let a = get(opt, "rustcrypto")?.op(op);
            let b = get(opt, "p256-cortex-m4")?.op(op);
            let cell = |x: Option<(u64, u64)>| x.map_or("–".to_owned(), |(i, _)| thousands(i));
            let r = match (a, b) {
                (Some((a, _)), Some((b, _))) => ratio(a, b),
                _ => "–".to_owned(),
            };
            let _ = write!(row, " {} | {} | {r} |", cell(a), cell(b));
        }
        let _ = writeln!(w, "{row}");
    }
    let _ = writeln!(
        w,
        "\nratio = RustCrypto ÷ P256-Cortex-M4. `edhoc_initiator_mM_sS` = all initiator steps of a \
         full handshake with method M and cipher suite S (`prepare_message_1`, `parse_message_2`, \
         `verify_with_store`, `prepare_message_3`, and `process_message_4` for `_msg4`); the \
         responder runs on the same target but is not counted. `frame_*_64B_*` = \
         `iomt_proto::Channel::seal_data` / `open` of a 64-byte payload without consent slot. \
         `p256_point_from_x` = the provider's `p256_public_key_from_x` (decompression + \
         validation, done for every received EDHOC ephemeral key: RustCrypto's square root, or \
         the assembly library's followed by RustCrypto's on-curve check); \
         `p256_point_from_x_m4_library` = the assembly library's decompression alone.\n"
    );

    // Stack.
    let _ = writeln!(w, "## Peak stack per operation (bytes, opt-level s)\n");
    let _ = writeln!(
        w,
        "| operation | RustCrypto | P256-Cortex-M4 |\n|---|---:|---:|"
    );
    for op in &ops {
        let rc = rc_s.op(op).map_or("–".to_owned(), |(_, s)| s.to_string());
        let m4 = m4_s.op(op).map_or("–".to_owned(), |(_, s)| s.to_string());
        let _ = writeln!(w, "| `{op}` | {rc} | {m4} |");
    }

    // Sections.
    let _ = writeln!(w, "\n## Flash and RAM of the `bench` firmware (bytes)\n");
    let _ = writeln!(
        w,
        "Each image contains one backend, the EDHOC initiator **and** responder, the secure \
         channel, the benchmark harness and semihosting; it is an upper bound for a device that \
         links only the initiator. `flash` = `.vector_table + .text + .rodata + .data`; \
         `RAM` = `.data + .bss + .uninit` (stack not included).\n"
    );
    let _ = writeln!(
        w,
        "| opt-level | backend | .text | .rodata | .data | .bss | flash | RAM |\n|---|---|---:|---:|---:|---:|---:|---:|"
    );
    for opt in opts {
        for (backend, _) in BACKENDS {
            let r = get(opt, backend)?;
            let s = |n: &str| r.sections.get(n).copied().unwrap_or(0);
            let _ = writeln!(
                w,
                "| {opt} | {backend} | {} | {} | {} | {} | {} | {} |",
                thousands(s(".text")),
                thousands(s(".rodata")),
                thousands(s(".data")),
                thousands(s(".bss")),
                thousands(r.flash()),
                thousands(r.ram()),
            );
        }
    }

    // Initiator-only image.
    let _ = writeln!(w, "\n## Initiator-only device image (bytes)\n");
    let _ = writeln!(
        w,
        "The `initiator` firmware links one backend, the EDHOC initiator (all methods, cipher \
         suite 2 only: iomt-crypto `rustcrypto-core` + `aes-ccm`, no ChaCha20-Poly1305; EAD, \
         trust store) and the secure channel (seal and open), and runs the RFC 9529 §3 \
         handshake (method 3, suite 2, with message_4) **byte-exact** on the target (message_1 \
         and message_3 equal the trace, the exporter gives the trace's OSCORE Master Secret), \
         then seals and opens a 64-byte frame. `iomt + backend` = the image minus the \
         `baseline` image (the same runtime, semihosting and panic handler without iomt). The \
         image to compare with lakers is the smaller one below.\n"
    );
    let _ = writeln!(
        w,
        "| opt-level | backend | .text | .rodata | flash | iomt + backend (flash) | RFC 9529 handshake (instructions) |\n|---|---|---:|---:|---:|---:|---:|"
    );
    for opt in opts {
        for (backend, _) in BACKENDS {
            let r = get(opt, backend)?;
            let s = |n: &str| r.initiator.get(n).copied().unwrap_or(0);
            let own = flash(&r.initiator).saturating_sub(flash(&r.baseline));
            let _ = writeln!(
                w,
                "| {opt} | {backend} | {} | {} | {} | {} ({:.1} KiB) | {} |",
                thousands(s(".text")),
                thousands(s(".rodata")),
                thousands(flash(&r.initiator)),
                thousands(own),
                own as f64 / 1024.0,
                r.initiator_instructions.map_or("–".to_owned(), thousands),
            );
        }
    }
    for opt in opts {
        if let Ok(r) = get(opt, "rustcrypto") {
            let _ = writeln!(
                w,
                "\nBaseline image (opt-level {opt}): flash {} bytes.",
                thousands(flash(&r.baseline))
            );
        }
    }
    let _ = writeln!(
        w,
        "\n### A static-DH-only device: without `signature-methods`\n\n\
         iomt-auth's `signature-methods` feature (on by default; iomt-ffi forwards it) brings \
         EDHOC methods 0–2 and with them ECDSA signing and verification. A device that only \
         runs method 3 builds without it (configurations naming another method are then \
         refused, which this image checks on the target). The same `initiator` image and \
         RFC 9529 run (method 3), both ways:\n"
    );
    let _ = writeln!(
        w,
        "| opt-level | backend | flash (all methods) | flash (method 3 only) | saved | instructions (all) | instructions (method 3 only) |\n|---|---|---:|---:|---:|---:|---:|"
    );
    for opt in opts {
        for (backend, _) in BACKENDS {
            let r = get(opt, backend)?;
            let (a, b) = (flash(&r.initiator), flash(&r.initiator_method3));
            let _ = writeln!(
                w,
                "| {opt} | {backend} | {} | {} | {} ({:.1} KiB) | {} | {} |",
                thousands(a),
                thousands(b),
                thousands(a.saturating_sub(b)),
                a.saturating_sub(b) as f64 / 1024.0,
                r.initiator_instructions.map_or("–".to_owned(), thousands),
                r.initiator_method3_instructions
                    .map_or("–".to_owned(), thousands),
            );
        }
    }
    render_lakers(w, runs, lakers, opts)?;

    // size_of.
    let _ = writeln!(w, "\n## `size_of` on thumbv7em (bytes)\n");
    let _ = writeln!(w, "| type | RustCrypto | P256-Cortex-M4 |\n|---|---:|---:|");
    for (ty, n) in &rc_s.sizes {
        let m4 = m4_s
            .sizes
            .iter()
            .find(|(t, _)| t == ty)
            .map_or("–".to_owned(), |(_, n)| n.to_string());
        let _ = writeln!(w, "| `{ty}` | {n} | {m4} |");
    }
    let _ = writeln!(
        w,
        "\n`KeyHandle`/`EphemeralSecret` are the provider's key types; the EDHOC states are \
         generic over the provider (`Initiator<P>` …); `Completed` is what a session keeps after \
         the handshake; `Channel<64, 4>` is the secure channel with a 64-frame replay window and \
         4 consent slots.\n"
    );

    // Messages and frames.
    let _ = writeln!(w, "## Wire sizes\n");
    let _ = writeln!(
        w,
        "| handshake | message_1 / 2 / 3 / 4 (bytes) |\n|---|---|"
    );
    for (hs, sizes) in &rc_s.messages {
        let _ = writeln!(w, "| `{hs}` | {sizes} |");
    }
    let _ = writeln!(
        w,
        "\n| AEAD | frame bytes for a 64-byte payload |\n|---|---:|"
    );
    for (aead, len) in &rc_s.frames {
        let _ = writeln!(w, "| {aead} | {len} |");
    }
    let _ = writeln!(
        w,
        "\n## Reproduce\n\n```sh\n{cmd}            # all opt-levels, writes this file\n\
         (cd firmware && cargo run --release --bin bench --features backend-m4)        # both backends, raw lines\n\
         (cd firmware && cargo run --release --bin conformance --features backend-m4)  # Wycheproof on target\n```"
    );
    Ok(md)
}

/// The iomt/lakers section: the lakers-like iomt image (both backends) against the
/// lakers image, per opt-level.
fn render_lakers(
    w: &mut String,
    runs: &BTreeMap<(String, String), Run>,
    lakers: &BTreeMap<String, crate::footprint_lakers::LakersImage>,
    opts: &[&str],
) -> Result<(), String> {
    let version = crate::footprint_lakers::LAKERS_VERSION;
    let _ = writeln!(
        w,
        "\n## iomt against lakers {version}: initiator-only device image (bytes)\n\n\
         Like for like: EDHOC method 3, cipher suite 2, initiator only, message_1, message_2 \
         (parse, credential check, verify), message_3, exporter; RustCrypto backends; the same \
         runtime (cortex-m-rt, semihosting, panic handler), release profile (LTO, one codegen \
         unit, `panic = \"abort\"`) and opt-level; each image minus its own `baseline` image.\n\n\
         - iomt: the `initiator` firmware without `channel` (no message_4, no secure channel) \
         and without iomt-auth's `signature-methods`; iomt-crypto with `rustcrypto-core` + \
         `aes-ccm` only. It runs RFC 9529 §3 byte-exact (message_1 and message_3 equal the \
         trace, the exporter gives the trace's OSCORE Master Secret).\n\
         - lakers: `perf/lakers-footprint` (lakers, lakers-shared, lakers-crypto-rustcrypto \
         ={version} from crates.io; p256 0.13, sha2 0.10). lakers offers only its selected suite \
         in message_1 (`[2]`, the trace offers `[6, 2]`), so it cannot reproduce the trace: fed \
         the trace's message_2, its run stops at `{}`; every later step is linked all the same \
         (the branch is only known at run time).\n\
         - SHA-256, HMAC and HKDF are iomt-crypto's own (rolled rounds, no `--cfg` needed; \
         see iomt-crypto's README); lakers links sha2 0.10 and hkdf 0.12.\n\
         - `p256-cortex-m4` (the fast backend) is measured against the same lakers image.\n",
        lakers.values().next().map_or("?", |l| l.reached.as_str())
    );
    let _ = writeln!(
        w,
        "| opt-level | iomt backend | iomt (flash) | lakers (flash) | iomt / lakers | iomt RFC 9529 run (instructions) |\n|---|---|---:|---:|---:|---:|"
    );
    let kib = |n: u64| format!("{} ({:.1} KiB)", thousands(n), n as f64 / 1024.0);
    for opt in opts {
        let l = lakers
            .get(*opt)
            .ok_or_else(|| format!("missing lakers run {opt}"))?;
        for (backend, _) in BACKENDS {
            let r = runs
                .get(&((*opt).to_owned(), backend.to_owned()))
                .ok_or_else(|| format!("missing run {opt}/{backend}"))?;
            let own = flash(&r.device).saturating_sub(flash(&r.baseline));
            let _ = writeln!(
                w,
                "| {opt} | {backend} | {} | {} | **{}** | {} |",
                kib(own),
                kib(l.own()),
                ratio(own, l.own()),
                r.device_instructions.map_or("–".to_owned(), thousands),
            );
        }
    }
    for opt in opts {
        if let Some(l) = lakers.get(*opt) {
            let _ = writeln!(
                w,
                "\nlakers images (opt-level {opt}): initiator flash {}, baseline flash {} bytes.",
                thousands(flash(&l.initiator)),
                thousands(flash(&l.baseline))
            );
        }
    }
    Ok(())
}
