//! `cargo xtask qemu-demo`: the patient-device firmware (`firmware/src/bin/device.rs`)
//! on QEMU `mps2-an386`, streaming over its emulated UART0 to the host gateway
//! (`iomt-examples`' `gateway` binary) through a TCP socket.
//!
//! The gateway listens on an ephemeral 127.0.0.1 port and prints it; QEMU connects its
//! UART0 to it (`-serial tcp:127.0.0.1:PORT`). The run fails unless the firmware exits
//! 0 (semihosting) **and** the gateway exits 0: the device authenticated with EDHOC,
//! installed its consent tag, and every one of its `DATA_FRAMES` data frames was
//! accepted (none rejected), producing FHIR Observations.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::qemu::{self, Build};
use crate::step::{cargo, run, workspace_root};

/// Longest the emulated session may take (it needs about a second).
const TIMEOUT: Duration = Duration::from_secs(300);

/// `DATA_FRAMES` from the firmware source, so the expectation cannot drift.
fn expected_data_frames() -> Result<u32, String> {
    let path = qemu::firmware_dir().join("src/bin/device.rs");
    let src = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    src.lines()
        .find_map(|l| l.trim().strip_prefix("pub const DATA_FRAMES: u32 = "))
        .and_then(|v| v.trim_end_matches(';').trim().parse().ok())
        .ok_or_else(|| format!("no `pub const DATA_FRAMES: u32 = N;` in {}", path.display()))
}

/// Waits for our own child `child` up to `deadline`; kills it (by its handle) on timeout.
fn wait(child: &mut Child, what: &str, deadline: Instant) -> Result<(), String> {
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return if status.success() {
                Ok(())
            } else {
                Err(format!("{what} exited with {status}"))
            };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what} timed out after {TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Builds both sides and runs one emulated device session.
pub(crate) fn run_demo() -> Result<(), String> {
    let expect = expected_data_frames()?;
    let elf = Build {
        bin: "device",
        features: &["device"],
        opt_level: "s",
    }
    .build()?;
    let gateway_args = ["--release", "-p", "iomt-examples", "--bin", "gateway"];
    run(cargo()
        .current_dir(workspace_root())
        .arg("build")
        .args(gateway_args))?;

    let out = workspace_root().join("target/demo/qemu-observations.ndjson");
    let mut gateway = cargo()
        .current_dir(workspace_root())
        .arg("run")
        .arg("-q")
        .args(gateway_args)
        .args(["--", "--listen", "127.0.0.1:0", "--timeout", "120"])
        .arg("--expect-data")
        .arg(expect.to_string())
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start the gateway: {e}"))?;
    let stdout = gateway.stdout.take().ok_or("no gateway stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    println!("gateway: {first}");
    let Some(addr) = first.strip_prefix("listening on ").map(str::to_owned) else {
        let _ = gateway.kill();
        let _ = gateway.wait();
        return Err(format!("the gateway did not start listening: {first:?}"));
    };
    let echo = std::thread::spawn(move || {
        for l in lines.map_while(Result::ok) {
            println!("gateway: {l}");
        }
    });

    println!(
        "$ qemu-system-arm -M mps2-an386 -serial tcp:{addr} ... -kernel {}",
        elf.display()
    );
    let deadline = Instant::now() + TIMEOUT;
    let qemu = Command::new("qemu-system-arm")
        .args(["-M", "mps2-an386", "-display", "none", "-monitor", "none"])
        .arg("-serial")
        .arg(format!("tcp:{addr}"))
        .args(["-semihosting-config", "enable=on,target=native"])
        .arg("-kernel")
        .arg(&elf)
        .stdin(Stdio::null())
        .spawn();
    let device = match qemu {
        Ok(mut child) => wait(&mut child, "the QEMU device", deadline),
        Err(e) => Err(format!("could not start qemu-system-arm: {e}")),
    };
    let gw = wait(&mut gateway, "the gateway", deadline);
    let _ = echo.join();
    device.and(gw)?;
    println!("qemu-demo: ok ({expect} data frames accepted from the emulated Cortex-M4 device)");
    Ok(())
}

/// `cargo xtask qemu-demo`: install QEMU and the Arm toolchain if needed, then run.
pub(crate) fn qemu_demo(_args: &[String]) -> Result<(), String> {
    qemu::prerequisites()?;
    run_demo()
}

/// CI step body: `qemu: demo device -> gateway`.
pub(crate) fn ci_step() -> Result<(), String> {
    run_demo()
}
