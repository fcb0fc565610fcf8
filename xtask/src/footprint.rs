//! `cargo xtask footprint [--ci]`: builds the `bench` firmware per backend and
//! opt-level (release, LTO), runs it on QEMU mps2-an386, reads the section sizes with
//! `arm-none-eabi-size -A`, and writes `docs/PERFORMANCE.md`.
//!
//! `--ci` (the CI step) builds only opt-level `s`, writes the report to
//! `target/footprint/PERFORMANCE.md` instead of `docs/`, and fails if the fast backend
//! lost its advantage or the method-3 initiator handshake exceeds its budget.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

use crate::qemu::{self, Build};
use crate::step::{output, workspace_root};

/// The goal: a full method-3 initiator handshake on the fast backend, in instructions.
const METHOD_3_BUDGET: u64 = 4_000_000;
/// CI guard: P256-Cortex-M4 ECDH must stay at least this many times faster.
const MIN_ECDH_SPEEDUP: u64 = 5;

/// The `--cfg` that selects sha2's compact (rolled) software SHA-256.
const COMPACT_SHA256: &str = "sha2_backend_soft=\"compact\"";

/// The two backends, as (report name, firmware features).
const BACKENDS: [(&str, &[&str]); 2] = [
    ("rustcrypto", &["backend-rustcrypto", "edhoc", "channel"]),
    ("p256-cortex-m4", &["backend-m4", "edhoc", "channel"]),
];

/// What one firmware run reported.
#[derive(Default)]
struct Run {
    /// Sections of the initiator-only image and of the baseline image.
    initiator: BTreeMap<String, u64>,
    baseline: BTreeMap<String, u64>,
    /// Instructions of the RFC 9529 §3 initiator run.
    initiator_instructions: Option<u64>,
    /// The same image built with the compact SHA-256 ([`COMPACT_SHA256`]): sections and
    /// instructions.
    initiator_compact: BTreeMap<String, u64>,
    initiator_compact_instructions: Option<u64>,
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

fn flash(sections: &BTreeMap<String, u64>) -> u64 {
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

fn sections(elf: &std::path::Path) -> Result<BTreeMap<String, u64>, String> {
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
    for &opt in opt_levels {
        let build = Build {
            bin: "baseline",
            features: &[],
            opt_level: opt,
            cfg: None,
        };
        let elf = build.build()?;
        qemu::run_elf(&elf)?;
        let baseline = sections(&elf)?;
        for (backend, features) in BACKENDS {
            let build = Build {
                bin: "bench",
                features,
                opt_level: opt,
                cfg: None,
            };
            let elf = build.build()?;
            let console = qemu::run_elf(&elf)?;
            if !console.contains("IOMT-BENCH-DONE\tok") {
                return Err(format!("bench ({}) did not report success", build.tag()));
            }
            let mut run = parse_run(&console, backend);
            run.sections = sections(&elf)?;
            // The initiator-only device image: RFC 9529 §3 byte-exact, then its size; and
            // the same with the compact SHA-256.
            let (sections_default, instructions) = initiator(features, opt, None)?;
            run.initiator = sections_default;
            run.initiator_instructions = Some(instructions);
            let (sections_compact, instructions) = initiator(features, opt, Some(COMPACT_SHA256))?;
            run.initiator_compact = sections_compact;
            run.initiator_compact_instructions = Some(instructions);
            let method3: Vec<&str> = features
                .iter()
                .map(|f| if *f == "edhoc" { "edhoc-method3" } else { *f })
                .collect();
            let (sections_method3, instructions) = initiator(&method3, opt, None)?;
            run.initiator_method3 = sections_method3;
            run.initiator_method3_instructions = Some(instructions);
            run.baseline = baseline.clone();
            runs.insert((opt.to_owned(), backend.to_owned()), run);
        }
    }
    let report = render(&runs, opt_levels, ci)?;
    let path = if ci {
        let dir = workspace_root().join("target").join("footprint");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        dir.join("PERFORMANCE.md")
    } else {
        workspace_root().join("docs").join("PERFORMANCE.md")
    };
    // Keep the host comparison written by `cargo xtask bench-lakers`.
    let report = match std::fs::read_to_string(workspace_root().join("docs").join("PERFORMANCE.md"))
        .ok()
        .and_then(|old| crate::bench_lakers::existing_block(&old))
    {
        Some(block) => crate::bench_lakers::replace_block(&report, &block),
        None => report,
    };
    std::fs::write(&path, &report).map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    check(&runs)
}

/// Builds and runs the `initiator` firmware; returns its sections and the instructions of
/// its RFC 9529 run.
fn initiator(
    features: &[&str],
    opt_level: &str,
    cfg: Option<&str>,
) -> Result<(BTreeMap<String, u64>, u64), String> {
    let build = Build {
        bin: "initiator",
        features,
        opt_level,
        cfg,
    };
    let elf = build.build()?;
    let console = qemu::run_elf(&elf)?;
    let instructions = console
        .lines()
        .find_map(|l| l.strip_prefix("IOMT-INITIATOR\tok\t"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| {
            format!(
                "initiator ({}, cfg {cfg:?}) did not report success",
                build.tag()
            )
        })?;
    Ok((sections(&elf)?, instructions))
}

/// CI step body: `footprint` (opt-level s only, report under `target/`).
pub(crate) fn ci_step() -> Result<(), String> {
    footprint(&["--ci".to_owned()])
}

/// CI guards on the opt-level s numbers.
fn check(runs: &BTreeMap<(String, String), Run>) -> Result<(), String> {
    let get = |b: &str| runs.get(&("s".to_owned(), b.to_owned()));
    let (Some(rc), Some(m4)) = (get("rustcrypto"), get("p256-cortex-m4")) else {
        return Err("missing opt-level s runs".to_owned());
    };
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
        "The `initiator` firmware links one backend, the EDHOC initiator (all methods, both \
         suites, EAD, trust store) and the secure channel (seal and open), and runs the \
         RFC 9529 §3 handshake (method 3, suite 2, with message_4) **byte-exact** on the target \
         (message_1 and message_3 equal the trace, the exporter gives the trace's OSCORE Master \
         Secret), then seals and opens a 64-byte frame. `iomt + backend` = the image minus the \
         `baseline` image (the same runtime, semihosting and panic handler without iomt). For \
         comparison (see `shared/ARCHITECTURE.md`): lakers 0.8 initiator-only (method 3, suite 2, \
         RustCrypto) firmware `.text` 27.8 KiB at opt-level z.\n"
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
    let _ = writeln!(
        w,
        "\n### Trading speed for flash: the compact SHA-256\n\n\
         sha2's default software SHA-256 unrolls its rounds. Building the firmware with \
         `--cfg sha2_backend_soft=\"compact\"` (e.g. in the `rustflags` of the firmware's \
         `.cargo/config.toml`) selects its rolled variant; iomt needs no change. The same \
         `initiator` image and RFC 9529 run, measured both ways:\n"
    );
    let _ = writeln!(
        w,
        "| opt-level | backend | flash (default) | flash (compact) | saved | instructions (default) | instructions (compact) | ratio |\n|---|---|---:|---:|---:|---:|---:|---:|"
    );
    for opt in opts {
        for (backend, _) in BACKENDS {
            let r = get(opt, backend)?;
            let (a, b) = (flash(&r.initiator), flash(&r.initiator_compact));
            let (ia, ib) = (
                r.initiator_instructions.unwrap_or(0),
                r.initiator_compact_instructions.unwrap_or(0),
            );
            let _ = writeln!(
                w,
                "| {opt} | {backend} | {} | {} | {} | {} | {} | {:.3} |",
                thousands(a),
                thousands(b),
                thousands(a.saturating_sub(b)),
                thousands(ia),
                thousands(ib),
                ib as f64 / ia.max(1) as f64,
            );
        }
    }

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
    // The block another generator owns (iomt-proto/tests/handshake_under_loss.rs): kept as is.
    if let Some(block) = kept_block() {
        let _ = writeln!(w, "\n{block}");
    }
    Ok(md)
}

/// Markers of the handshake-under-loss table in docs/PERFORMANCE.md, written by
/// `iomt-proto/tests/handshake_under_loss.rs` (`regenerate`), not by this command.
const LOSSY_BEGIN: &str =
    "<!-- BEGIN handshake-under-loss (generated by iomt-proto/tests/handshake_under_loss.rs) -->";
const LOSSY_END: &str = "<!-- END handshake-under-loss -->";

/// The handshake-under-loss block of the committed docs/PERFORMANCE.md, if any.
fn kept_block() -> Option<String> {
    let doc = std::fs::read_to_string(workspace_root().join("docs").join("PERFORMANCE.md")).ok()?;
    let begin = doc.find(LOSSY_BEGIN)?;
    let end = doc.find(LOSSY_END)?.checked_add(LOSSY_END.len())?;
    doc.get(begin..end).map(str::to_owned)
}
