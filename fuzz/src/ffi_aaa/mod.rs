//! The `ffi_aaa` target: the C API's authorization and accounting entry points with arbitrary inputs (`iomt-ffi`):
//!
//! - mode 0: `iomt_audit_export_verifier_init/feed/finish` over raw bytes (a summary, then
//!   length-prefixed chunks), against the key and challenge of the reference export below
//!   (the seeds hold real exports, so the fuzzer starts past the signature);
//! - mode 1: `iomt_audit_chunk_record` with an arbitrary chunk and index;
//! - mode 2: `iomt_rbac_policy_init` with an arbitrary rule table, then `iomt_rbac_decide`
//!   and `iomt_rbac_authorize` for sessions of every factor outcome, against a model;
//! - mode 3: `iomt_consent_enforce` with arbitrary tag and request structs, against
//!   `iomt_consent_evaluate`;
//! - mode 4: `iomt_audit_log_init/append/read/verify/export_*` over a RAM store whose
//!   contents (slots, metadata) and callback failures the fuzzer controls;
//! - mode 5: the reference export with chunks flipped, dropped, duplicated, swapped or
//!   truncated, and another challenge;
//! - mode 6: `iomt_update_begin/write/finish` with a raw or a genuine vendor-signed manifest,
//!   raw or genuine image chunks, any installed version, the right or a wrong permit.
//!
//! Checks besides "no panic crosses the boundary": a failed verifier never finishes OK; a
//! finished export delivers exactly the reference records; decisions match the models;
//! every denial and privileged grant is audited (and only those); a log that verifies
//! exports an export that verifies; a failed append changes nothing; an update is accepted
//! only for a genuinely signed, strictly newer manifest and exactly its image, and only an
//! accepted update moves the rollback counter (to the manifest's version).
//!
//! Seeds: `IOMT_FFI_AAA_SEEDS=fuzz/corpus/ffi_aaa cargo +nightly fuzz run ffi_aaa -- -runs=0`
//! (from the repository root) writes them and exits.
//!
//! One module per concern: `store` (the RAM audit store), `reference` (keys, the reference
//! export, the verifier driver), `sessions`, `bytes` (the input reader), one module per mode
//! (`verifier` for modes 0, 1, 5; `rbac`, `consent`, `log`, `update`) and `seeds`.

mod bytes;
mod consent;
mod log;
mod rbac;
mod reference;
mod seeds;
mod sessions;
mod store;
mod update;
mod verifier;

use std::ffi::c_void;
use std::sync::OnceLock;

use iomt_ffi::*;
use iomt_testkit::ffi::{self as kit, Crypto, Ead, Exchange, Step, zeroed};

use bytes::*;
use consent::*;
use log::*;
use rbac::*;
use reference::*;
use sessions::*;
use store::*;
use update::*;
use verifier::*;

pub use seeds::write_seeds;

/// A crypto provider: every RNG request is filled with `i * 29 + 11`.
fn crypto() -> Crypto {
    Crypto::pattern(29, 11)
}

fn ok(r: iomt_result) {
    assert_eq!(r, iomt_result::Ok);
}

/// Builds the fixed material (the reference export, the sessions, the signed updates) once,
/// before the first input.
pub fn init() {
    let _ = reference();
    let _ = sessions();
    let _ = updates();
}

/// Runs one input: its first byte picks the mode (modulo 7), the rest is the mode's input.
pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let b = Bytes(rest);
    match mode % 7 {
        0 => raw_export(b),
        1 => chunk_record(b),
        2 => rbac(b),
        3 => consent(b),
        4 => flash_log(b),
        5 => mutated_export(b),
        _ => {
            let _ = update(b);
        }
    }
}
