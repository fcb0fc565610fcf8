//! `cargo xtask quickstart`: builds the README's "Quick start (Rust)" dependency block,
//! exactly as written, in a crate outside this workspace — as a new user would — with
//! `[patch.crates-io]` pointing the `iomt-*` versions at this repository (until they are
//! published). The program uses what the block promises: the RustCrypto provider with OS
//! randomness, the EDHOC state machines, the handshake driver over `StdIo<TcpStream>`,
//! `Channel`, and the re-exported `embedded_io`.

use std::fs;

use crate::step::{cargo, run, workspace_root};

const PROGRAM: &str = r#"use iomt_auth::cred::StaticTrustStore;
use iomt_auth::edhoc::{InitiatorState, Method};
use iomt_crypto::RustCryptoProvider;
use iomt_crypto::rustcrypto::OsRng;
use iomt_proto::transport::handshake::run_initiator;
use iomt_proto::transport::{StdIo, Stream};
use iomt_proto::{Channel, embedded_io};

type Link = Stream<StdIo<std::net::TcpStream>>;

fn main() {
    let _crypto = RustCryptoProvider::with_os_rng();
    let driver = run_initiator::<Link, RustCryptoProvider<OsRng>, StaticTrustStore<'_, 1>>;
    let _ = (driver, Method::SUPPORTED, embedded_io::ErrorKind::Other);
    let _ = core::mem::size_of::<(Channel, InitiatorState<RustCryptoProvider<OsRng>>)>();
}
"#;

/// The `[dependencies]` block of the README's Rust quick start, verbatim.
fn readme_dependencies() -> Result<String, String> {
    let readme = fs::read_to_string(workspace_root().join("README.md"))
        .map_err(|e| format!("README.md: {e}"))?;
    let section = readme
        .split("## Quick start (Rust)")
        .nth(1)
        .ok_or("README has no `## Quick start (Rust)` section")?;
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .ok_or("the quick start has no ```toml block")?;
    if !block.starts_with("[dependencies]\n") {
        return Err("the quick start's toml block must start with [dependencies]".into());
    }
    Ok(block.to_owned())
}

/// Writes the outside crate under `target/quickstart/` and builds it.
pub(crate) fn ci_step() -> Result<(), String> {
    let root = workspace_root();
    let dir = root.join("target/quickstart");
    fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let mut manifest = String::from(
        "[package]\nname = \"iomt-quickstart\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         # its own workspace: not a member of the repository's\n[workspace]\n\n",
    );
    manifest.push_str(&readme_dependencies()?);
    manifest.push_str("\n[patch.crates-io]\n");
    for krate in ["iomt-core", "iomt-crypto", "iomt-auth", "iomt-proto"] {
        let path = root.join(krate);
        manifest.push_str(&format!(
            "{krate} = {{ path = {:?} }}\n",
            path.display().to_string()
        ));
    }
    fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    fs::write(dir.join("src/main.rs"), PROGRAM).map_err(|e| e.to_string())?;
    run(cargo()
        .args(["build", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("RUSTFLAGS", "-D warnings"))
}

/// `cargo xtask quickstart`.
pub(crate) fn quickstart(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    ci_step()
}
