//! Rust-side tests of the C API, through the exported functions only (as a C program
//! sees them): the boundary plumbing (NULL, lengths, alignment,
//! storage life cycle, outputs only on success) runs under Miri; the tests that do
//! P-256 are `#[cfg_attr(miri, ignore)]` (Miri is ~1000x slower) and run natively.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions
#![allow(
    unsafe_code,
    reason = "tests call the exported unsafe extern \"C\" functions"
)]
#![expect(
    clippy::undocumented_unsafe_blocks,
    reason = "tests: every pointer passed is a live local of the right type (or a deliberate NULL/misaligned one)"
)]

use core::ffi::c_void;
use core::mem::{MaybeUninit, align_of, size_of};
use core::ptr::{null, null_mut};

use iomt_ffi::*;
use iomt_testkit::ffi::*;

/// An unsigned consent tag (treatment; clinician and nurse may collect and access vitals),
/// shared by the codec and AAA tests.
fn sample_tag() -> iomt_consent_tag {
    iomt_consent_tag {
        version: 1,
        permit: 1,
        break_glass: 1,
        confidentiality: 3,
        consent_ref: [7; 32],
        revision: 2,
        purposes: 1, // treatment
        valid_from: 100,
        valid_until: 200,
        roles: 0b110,  // clinician, nurse
        actions: 0b11, // collect, access
        classes: 1,    // vitals
        has_signature: 0,
        signature_key_id_len: 0,
        signature_key_id: [0; 8],
        signature: [0; 64],
    }
}

mod aaa;
mod aaa_boundary;
mod audit_checkpoint;
mod audit_export;
mod audit_log;
mod audit_parity;
mod boundary;
mod break_glass;
mod call_order;
mod codecs;
mod codes;
mod consent;
mod consent_bound;
mod doc_claims;
mod factor;
mod handshake;
mod lockout;
mod nonce_reuse;
mod panic_boundary;
mod permits;
mod provision;
mod refusal;
mod registry;
mod retransmit;
mod revocation;
mod role_claim;
mod same_calls;
mod short_buffers;
mod untrusted;
mod update;
mod update_failures;
mod update_refusals;
