//! Shared helpers for iomt's fuzz targets (never built into normal builds: this crate lives in
//! its own cargo-fuzz workspace, which the root workspace excludes).
//!
//! - [`provider::FuzzCrypto`]: a NO SECURITY crypto provider that lets the fuzzer past
//!   signatures, MACs and AEAD tags.
//! - [`fixture`]: the RFC 9529 §3 credentials and keys, for both providers.
//! - [`handshake`]: the stateful EDHOC driver (an adversarial network between an initiator
//!   and a responder) used by the `edhoc_handshake*` targets.
//! - [`ops`]: the byte-code reader/writer of the operation-sequence targets.
//! - [`ffi_aaa`]: the modes, fixtures and seeds of the `ffi_aaa` target (one module per
//!   mode).

pub mod edhoc;
pub mod ffi_aaa;
pub mod fixture;
pub mod handshake;
pub mod ops;
pub mod provider;
mod seeds;

/// Decodes a hex string (fixtures only; panics on bad input).
#[must_use]
pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Exact decimal helpers for the SFLOAT/FLOAT target.
pub mod decimal {
    /// `m × 10^e` with trailing decimal zeros stripped from `m` (zero becomes `(0, 0)`).
    #[must_use]
    pub fn canonical(mut m: i64, mut e: i32) -> (i64, i32) {
        if m == 0 {
            return (0, 0);
        }
        while m % 10 == 0 {
            m /= 10;
            e += 1;
        }
        (m, e)
    }

    /// Whether `m1 × 10^e1 == m2 × 10^e2` exactly.
    #[must_use]
    pub fn same_number(m1: i64, e1: i32, m2: i64, e2: i32) -> bool {
        canonical(m1, e1) == canonical(m2, e2)
    }
}
