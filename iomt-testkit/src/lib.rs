//! Test support for iomt's own tests, benches, examples and fuzz targets (std; NOT API,
//! not published, no stability).
//!
//! One source for what the tests share:
//! - [`rfc9529`]: the RFC 9529 §3 keys, credentials and key IDs, and the RFC 9529 vector
//!   files (`data/`, one copy each) with their `name = hex` parser;
//! - [`stores`]: the RFC 9529 identities, roles and one-entry trust stores;
//! - [`peers`]: RFC 9529 initiator and responder EDHOC states for handshake tests;
//! - [`provider_pair`]: one full RFC 9529 handshake between two (possibly different)
//!   crypto providers, with the responder's side timed (backend interop and benchmarks);
//! - [`clock`]: per-thread CPU time for the host benchmarks;
//! - [`ffi`]: the C-API handshake harness of `iomt-ffi/tests/c_api` and the `ffi_*` fuzz
//!   targets.
//!
//! A crate whose tests use the kit lists those tests in its `exclude` (the published
//! `.crate` cannot see this unpublished crate); `cargo xtask package` tests the rest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    reason = "test support: a bad constant or a failed set-up step is a test failure"
)]

pub mod clock;
pub mod ffi;
pub mod peers;
pub mod provider_pair;
pub mod rfc9529;
pub mod stores;

pub use rfc9529::h;
