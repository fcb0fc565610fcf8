//! The C API's authorization and accounting entry points with arbitrary inputs: see
//! `iomt_fuzz::ffi_aaa` (fuzz/src/ffi_aaa/) for the modes and the checks.
//!
//! Seeds: `IOMT_FFI_AAA_SEEDS=fuzz/corpus/ffi_aaa cargo +nightly fuzz run ffi_aaa -- -runs=0`
//! (from the repository root) writes them and exits.
#![no_main]

use iomt_fuzz::ffi_aaa;
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        if let Ok(dir) = std::env::var("IOMT_FFI_AAA_SEEDS") {
            ffi_aaa::write_seeds(&dir);
            eprintln!("ffi_aaa: seeds written to {dir}");
            std::process::exit(0);
        }
        ffi_aaa::init();
    },
    |data: &[u8]| ffi_aaa::run(data)
);
