//! Stateful EDHOC with the NO SECURITY `FuzzCrypto` provider: every MAC, signature and
//! AEAD tag passes, so corrupted, truncated and replaced messages reach the deepest
//! parsing and state-machine code. Checks no panics and state consistency (no
//! authenticity: the provider has none).
#![no_main]

use iomt_fuzz::handshake::{Scenario, run};
use iomt_fuzz::provider::FuzzCrypto;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: Scenario| {
    run::<FuzzCrypto>(&s);
});
