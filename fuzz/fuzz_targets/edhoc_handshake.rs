//! Stateful EDHOC: an initiator and a responder with REAL crypto (the deterministic
//! RustCrypto test provider) through a network that drops, replays, reflects and corrupts
//! messages, across methods 0–3, suites 2 and 5, identifiers, EAD and message_4.
//! Forgeries must never complete; completed peers must agree (see `iomt_fuzz::handshake`).
#![no_main]

use iomt_crypto::DeterministicProvider;
use iomt_fuzz::handshake::{Scenario, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: Scenario| {
    run::<DeterministicProvider>(&s);
});
