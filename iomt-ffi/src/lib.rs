//! C API for iomt: EDHOC handshakes (both roles), encrypted consent-bound sessions,
//! consent tags and vital-sign payloads, and authorization and accounting (RBAC, the
//! operator factor, consent enforcement with break-glass, the audit log and its signed
//! export, signed firmware updates), as a static library with a cbindgen header
//! (`include/iomt.h`).
//!
//! Conventions (after rustls-ffi):
//! - Every symbol has the `iomt_` prefix; every function returns an [`iomt_result`]
//!   (stable, range-grouped codes; [`iomt_result_str`] describes them).
//! - No heap: objects live in caller-allocated opaque storage
//!   (`#[repr(C, align(8))] struct { uint8_t _opaque[IOMT_X_SIZE]; }`), set up with
//!   `iomt_x_init` and torn down with `iomt_x_deinit` (which zeroizes; NULL and a second
//!   call are fine).
//! - Arguments: the object first, then inputs, then outputs. Buffers are
//!   `(pointer, length)` pairs. Outputs are written only on success, except that a
//!   `BUFFER_TOO_SMALL` result writes the size needed into the `size_t *` length output.
//! - NULL, huge lengths, misaligned storage, calls in the wrong order and double deinit
//!   yield documented error codes, never undefined behaviour. A failed handshake stays
//!   failed; a closed session stays closed.
//! - No panic crosses the boundary: under the `std` feature every body runs inside
//!   `catch_unwind` (a caught panic is `IOMT_RESULT_PANIC`); firmware builds
//!   (`--no-default-features --features panic-handler,signature-methods`,
//!   `panic = "abort"`) rely on the lints (no unwrap/expect/panic/indexing, denied crate-wide) and
//!   fuzzing of the parsers.
//!
//! See `README.md` in this crate for linking from C, Zephyr and CMake.
//!
//! The storage life cycle, as C sees it (here from Rust):
//!
//! ```
//! use core::mem::MaybeUninit;
//! use iomt_ffi::*;
//! let mut store = MaybeUninit::<iomt_trust_store>::zeroed();
//! // SAFETY: a zero-filled, correctly aligned storage object.
//! unsafe {
//!     let p = store.as_mut_ptr();
//!     assert_eq!(iomt_trust_store_init(p), iomt_result::Ok);
//!     assert_eq!(iomt_trust_store_deinit(p), iomt_result::Ok);
//!     assert_eq!(iomt_trust_store_deinit(p), iomt_result::Ok); // double deinit: fine
//!     assert_eq!(iomt_trust_store_init(core::ptr::null_mut()), iomt_result::NullParameter);
//! }
//! let text = unsafe { core::ffi::CStr::from_ptr(iomt_result_str(iomt_result::NullParameter as u32)) };
//! assert_eq!(text.to_str(), Ok("a required pointer argument was NULL"));
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        reason = "STYLE: no unchecked indexing in library code; each exception is an #[allow] on the smallest item with a bounds proof"
    )
)]
#![allow(
    non_camel_case_types,
    reason = "C naming conventions for the exported API"
)]

pub mod audit;
pub mod audit_events;
pub mod audit_export;
pub mod authz;
mod authz_errors;
mod boundary;
pub mod codes;
pub mod consent;
pub mod consent_bound;
pub mod crypto;
pub mod data;
pub mod enforce;
pub mod factor;
pub mod handshake;
pub mod provision;
pub mod result;
pub mod retransmit;
pub mod revocation;
pub mod session;
pub mod update;

#[cfg(feature = "test-kit")]
#[doc(hidden)]
#[path = "test_hooks.rs"]
pub mod __test_hooks;
#[cfg(feature = "test-kit")]
#[doc(hidden)]
pub mod counting;

pub use audit::*;
pub use audit_events::*;
pub use audit_export::*;
pub use authz::*;
pub use codes::*;
pub use consent::*;
pub use consent_bound::*;
pub use crypto::*;
pub use data::*;
pub use enforce::*;
pub use factor::*;
pub use handshake::*;
pub use provision::*;
pub use result::{iomt_result, iomt_result_str};
pub use retransmit::*;
pub use revocation::*;
pub use session::*;
pub use update::*;

/// The crate version's major number (also `IOMT_VERSION_MAJOR` in the header).
pub const IOMT_VERSION_MAJOR: u32 = 0;
/// The crate version's minor number.
pub const IOMT_VERSION_MINOR: u32 = 1;
/// The crate version's patch number.
pub const IOMT_VERSION_PATCH: u32 = 0;

/// Returns the library version as `major << 16 | minor << 8 | patch`, to compare with
/// the header's `IOMT_VERSION_*` macros at run time.
#[unsafe(no_mangle)]
#[expect(unsafe_code, reason = "exported C symbol; no unsafe operation inside")]
pub extern "C" fn iomt_version() -> u32 {
    (IOMT_VERSION_MAJOR << 16) | (IOMT_VERSION_MINOR << 8) | IOMT_VERSION_PATCH
}

/// The firmware panic handler: never reached by design (the lints forbid panicking
/// code); if it is, the core stops here instead of unwinding into C.
#[cfg(all(not(feature = "std"), feature = "panic-handler", not(test)))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
