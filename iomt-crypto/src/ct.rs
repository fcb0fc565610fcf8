//! The one constant-time comparison of secret-dependent bytes in iomt (MACs, tags, digests,
//! chain heads), so that it is written, reviewed and tested once.
//!
//! # Invariants
//! - [`constant_time_eq`] takes time that depends only on the lengths, never on where or
//!   whether the contents differ (`subtle::ConstantTimeEq`: no early exit, no
//!   data-dependent branch). Lengths are public (fixed by the suite or the format).
//! - Every comparison of a MAC, tag, digest or head in the library crates calls it:
//!   `iomt-crypto/tests/constant_time.rs` fails if a source file uses `subtle`'s `ct_eq`
//!   directly or if one of the audited call sites stops calling it.

use subtle::ConstantTimeEq;

/// Whether `a` and `b` are equal, in time independent of their contents (a length
/// mismatch returns `false` at once: lengths are not secret).
///
/// ```
/// assert!(iomt_crypto::constant_time_eq(b"mac-bytes", b"mac-bytes"));
/// assert!(!iomt_crypto::constant_time_eq(b"mac-bytes", b"mac-byteZ"));
/// assert!(!iomt_crypto::constant_time_eq(b"mac", b"mac-bytes"));
/// ```
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
