//! Shared fixtures: the RFC 9529 §3 trace values, credentials, identities and trust
//! stores, from the test kit (`iomt-testkit`, one source for the repository). A test that
//! declares `mod common;` needs the kit, so it is excluded from the published crate
//! (`exclude` in Cargo.toml).
#![allow(unused_imports, reason = "each test binary uses a subset")]

pub(crate) use iomt_testkit::rfc9529::{INVALID, KID_I, KID_R, TRACE, cred_i, cred_r, t, val};
pub(crate) use iomt_testkit::stores::*;
