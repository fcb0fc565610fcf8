//! The gateway alone, for a real (or emulated) device: listens on TCP, serves ONE
//! device connection (EDHOC responder, channel, consent evaluation, FHIR NDJSON) and
//! exits 0 only if the session met the expectations.
//!
//! `cargo xtask qemu-demo` runs it against the QEMU firmware device
//! (`firmware/src/bin/device.rs`), whose UART0 QEMU connects to this socket.
//!
//! ```text
//! gateway [--listen ADDR] [--expect-data N] [--out PATH] [--timeout SECS]
//! gateway --print-firmware-creds
//! ```
//! The first stdout line is `listening on <addr>` (so `--listen 127.0.0.1:0` works).

use core::time::Duration;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use iomt_examples::authority::Authority;
use iomt_examples::creds::{
    DemoCredential, FIRMWARE_DEVICE_INDEX, FIRMWARE_PATIENT, Registry, device_identity,
    firmware_constants,
};
use iomt_examples::gateway::{Gateway, serve};
use iomt_examples::io::TcpIo;

struct Args {
    listen: String,
    expect_data: Option<u64>,
    out: PathBuf,
    timeout: Duration,
}

fn parse() -> Result<Option<Args>, String> {
    let mut a = Args {
        listen: "127.0.0.1:0".into(),
        expect_data: None,
        out: iomt_examples::demo::default_dir().join("qemu-observations.ndjson"),
        timeout: Duration::from_secs(120),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => a.listen = value()?,
            "--expect-data" => {
                a.expect_data = Some(value()?.parse().map_err(|_| "--expect-data: a count")?)
            }
            "--out" => a.out = PathBuf::from(value()?),
            "--timeout" => {
                a.timeout = Duration::from_secs(value()?.parse().map_err(|_| "--timeout: seconds")?)
            }
            "--print-firmware-creds" => {
                print!("{}", firmware_constants().map_err(|e| e.to_string())?);
                return Ok(None);
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(Some(a))
}

fn run(a: &Args) -> Result<bool, String> {
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let file = File::create(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    let mut registry = Registry::default();
    let dev = DemoCredential::device(FIRMWARE_DEVICE_INDEX).map_err(|e| e.to_string())?;
    registry.register(&dev, FIRMWARE_PATIENT.into());
    let gw = Gateway::new(
        DemoCredential::gateway().map_err(|e| e.to_string())?,
        registry,
        vec![2, 5],
        Box::new(BufWriter::new(file)),
    )?;
    // The firmware carries the tag the hospital's consent authority issued for it
    // (`creds::firmware_consent_tag`, compiled in); the gateway trusts only that authority
    // and verifies the tag against the authenticated device and its patient.
    let mut crypto: iomt_examples::gateway::Crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    gw.trust_authority(Authority::hospital(&mut crypto)?.public_key())?;
    let listener = TcpListener::bind(&a.listen).map_err(|e| format!("bind {}: {e}", a.listen))?;
    println!(
        "listening on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + a.timeout;
    let sock = loop {
        match listener.accept() {
            Ok((s, peer)) => {
                println!("device connected from {peer}");
                break s;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(format!("accept: {e}")),
        }
    };
    sock.set_nonblocking(false).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(a.timeout))
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let r = serve(TcpIo(sock), &gw, 1);
    gw.flush()?;
    let (m, s) = r.method_suite.unwrap_or_default();
    println!(
        "device {} (patient {}): EDHOC method {m} suite {s}, handshake {:.1} ms (gateway side, incl. emulated device compute)",
        r.device.as_deref().unwrap_or("-"),
        r.patient.as_deref().unwrap_or("-"),
        r.handshake.as_secs_f64() * 1e3
    );
    println!(
        "frames accepted {} (data {}), bytes {}, observations {}, consent denials {}, replays rejected {}, tampered rejected {}, session {:.1} s",
        r.frames,
        r.data_frames,
        r.bytes,
        r.observations,
        r.denials,
        r.replays_rejected,
        r.tamper_rejected,
        started.elapsed().as_secs_f64()
    );
    println!("Observations in {}", a.out.display());
    let audit = gw.audit_report()?;
    println!(
        "audit log: {} records, chain {}",
        audit.appended,
        if audit.chain_verified {
            "verified"
        } else {
            "BROKEN"
        }
    );
    let mut ok = true;
    let mut check = |cond: bool, what: &str| {
        if !cond {
            eprintln!("gateway: FAILED: {what}");
            ok = false;
        }
    };
    check(r.error.is_none(), r.error.as_deref().unwrap_or(""));
    check(audit.chain_verified, "the audit chain verifies");
    check(
        r.device.as_deref() == Some(device_identity(FIRMWARE_DEVICE_INDEX).as_str()),
        "the firmware device authenticated",
    );
    check(r.consent.is_some(), "a consent tag was installed");
    check(
        r.consent_refused == 0 && r.consent.as_ref().is_some_and(|t| t.signature.is_some()),
        &format!(
            "the device's authority-signed tag was verified (refusal code {})",
            r.consent_refusal_code
        ),
    );
    check(r.observations > 0, "Observations were written");
    check(
        r.replays_rejected == 0 && r.tamper_rejected == 0,
        "no frame was rejected",
    );
    if let Some(n) = a.expect_data {
        check(
            r.data_frames == n,
            &format!("expected {n} data frames, got {}", r.data_frames),
        );
    }
    Ok(ok)
}

fn main() -> ExitCode {
    match parse() {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(a)) => match run(&a) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("gateway: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("gateway: {e}");
            ExitCode::from(2)
        }
    }
}
