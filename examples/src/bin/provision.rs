//! Factory provisioning: a fresh device key (OS randomness), its CCS credential, and the
//! gateway's trust-store record. See `iomt_examples::provision` for the file formats and
//! docs/PROVISIONING.md for the process (flash vs. secure element, rotation).
//!
//! ```text
//! provision --identity NAME --kid HEX [--roles device[,…]] [--out DIR]
//! ```
//! Writes `DIR/NAME.key` (mode 0600 on Unix) and `DIR/NAME.ccs`, appends to
//! `DIR/trust-store.tsv`, and prints the record. `DIR` defaults to `provisioned`.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use iomt_auth::cred::RoleSet;
use iomt_examples::provision::{TrustRecord, provision, role_by_name};

fn usage() -> ExitCode {
    eprintln!("usage: provision --identity NAME --kid HEX [--roles device[,…]] [--out DIR]");
    ExitCode::from(2)
}

fn run() -> Result<(), Box<dyn core::error::Error>> {
    let mut identity = None;
    let mut kid = None;
    let mut roles = RoleSet::EMPTY.with(iomt_core::Role::Device);
    let mut out = PathBuf::from("provisioned");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--identity" => identity = Some(value),
            "--kid" => {
                let bytes = (0..value.len())
                    .step_by(2)
                    .map(|i| {
                        value
                            .get(i..i + 2)
                            .and_then(|b| u8::from_str_radix(b, 16).ok())
                    })
                    .collect::<Option<Vec<u8>>>()
                    .filter(|_| value.len() % 2 == 0)
                    .ok_or("--kid must be hex")?;
                kid = Some(bytes);
            }
            "--roles" => {
                roles = RoleSet::EMPTY;
                for name in value.split(',') {
                    roles = roles.with(role_by_name(name)?);
                }
            }
            "--out" => out = PathBuf::from(value),
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    let (identity, kid) = identity
        .zip(kid)
        .ok_or("--identity and --kid are required")?;
    let p = provision(&identity, &kid, roles)?;
    fs::create_dir_all(&out)?;
    let key_path = out.join(format!("{identity}.key"));
    let mut key_file = OpenOptions::new();
    key_file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut key_file, 0o600);
    key_file
        .open(&key_path)
        .map_err(|e| format!("{}: {e} (refusing to overwrite a key)", key_path.display()))?
        .write_all(TrustRecord::key_file(&p.private_key).as_bytes())?;
    fs::write(out.join(format!("{identity}.ccs")), p.record.ccs_file())?;
    let line = p.record.to_line();
    // the record must read back before it is appended
    if TrustRecord::parse(&line)? != p.record {
        return Err("record does not read back".into());
    }
    let mut trust = OpenOptions::new()
        .create(true)
        .append(true)
        .open(out.join("trust-store.tsv"))?;
    writeln!(trust, "{line}")?;
    println!("{line}");
    Ok(())
}

fn main() -> ExitCode {
    if std::env::args().len() < 2 {
        return usage();
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("provision: {e}");
            ExitCode::FAILURE
        }
    }
}
