//! The README's quick start, run as a user would: `provision` twice (gateway and
//! device), then `hello_gateway` and `hello_device` over TCP on localhost. The gateway
//! must authenticate the device, verify its signed consent and receive every vital sign.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn provision(dir: &Path, identity: &str, kid: &str, roles: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_provision"))
        .args([
            "--identity",
            identity,
            "--kid",
            kid,
            "--roles",
            roles,
            "--out",
        ])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("iomt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_hello_pair_delivers_the_vitals_under_verified_consent() {
    let dir = fresh_dir("hello");
    provision(&dir, "hello-gw", "47", "gateway");
    provision(&dir, "hello-dev", "64", "device");
    let mut gw = Command::new(env!("CARGO_BIN_EXE_hello_gateway"))
        .arg(&dir)
        .arg("127.0.0.1:0") // any free port; the gateway prints it
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(gw.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.rsplit(' ').next().unwrap().to_owned();
    assert!(first.starts_with("hello_gateway: listening on "), "{first}");
    let dev = Command::new(env!("CARGO_BIN_EXE_hello_device"))
        .arg(&dir)
        .arg(&addr)
        .output()
        .unwrap();
    let dev_out = String::from_utf8_lossy(&dev.stdout);
    assert!(
        dev.status.success(),
        "{dev_out}{}",
        String::from_utf8_lossy(&dev.stderr)
    );
    assert!(
        dev_out.contains("authenticated gateway hello-gw"),
        "{dev_out}"
    );
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(gw.wait().unwrap().success(), "{rest:?}");
    let rest = rest.join("\n");
    assert!(rest.contains("authenticated device hello-dev"), "{rest}");
    assert!(rest.contains("consent verified"), "{rest}");
    assert_eq!(rest.matches("HeartRate").count(), 3, "{rest}");
    assert!(rest.contains("HeartRate 74 /min"), "{rest}");
    assert!(
        rest.contains("received 6 vital signs, device closed"),
        "{rest}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_device_without_the_gateways_record_is_not_served() {
    // the gateway trusts only the device record it was provisioned with
    let dir = fresh_dir("hello-stranger");
    provision(&dir, "hello-gw", "47", "gateway");
    provision(&dir, "hello-dev", "64", "device");
    let other = fresh_dir("hello-stranger-dev");
    provision(&other, "hello-gw", "47", "gateway"); // another gateway key under that name
    provision(&other, "hello-dev", "64", "device");
    let mut gw = Command::new(env!("CARGO_BIN_EXE_hello_gateway"))
        .arg(&dir)
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(gw.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.rsplit(' ').next().unwrap().to_owned();
    let dev = Command::new(env!("CARGO_BIN_EXE_hello_device"))
        .arg(&other)
        .arg(&addr)
        .output()
        .unwrap();
    assert!(!dev.status.success());
    assert!(!gw.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}
