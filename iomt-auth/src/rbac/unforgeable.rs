//! Compile-time guards (doctests only, no items): the proofs of authorization cannot be
//! made by hand, only by the functions that audit them.
//!
//! A [`super::Permit`] comes only from [`super::RbacPolicy::authorize`] (private fields):
//!
//! ```compile_fail,E0451
//! let forged = iomt_auth::rbac::Permit {
//!     operation: iomt_core::Operation::FirmwareUpdate,
//!     subject: [0u8; 8],
//! };
//! ```
//!
//! ```compile_fail,E0599
//! let forged = iomt_auth::rbac::Permit::default();
//! ```
//!
//! A [`super::BreakGlassAccess`] comes only from [`super::activate_break_glass`] (after its
//! audit record is written), so a [`super::ConsentAccess::BreakGlass`] cannot be built
//! around a hand-made one:
//!
//! ```compile_fail,E0451
//! use iomt_core::*;
//! let grant = BreakGlassGrant {
//!     consent_ref: ConsentRef([1; 32]), revision: 1, role: Role::Emergency,
//!     purpose: Purpose::EmergencyTreatment, action: Action::Access,
//!     class: DataClass::Vitals, at: Timestamp::from_secs(0),
//! };
//! let forged = iomt_auth::rbac::ConsentAccess::BreakGlass(iomt_auth::rbac::BreakGlassAccess {
//!     grant,
//!     expires: Timestamp::from_secs(u64::MAX),
//!     audit_seq: 0,
//! });
//! ```
//!
//! The same shapes through the public path compile (so the failures above are the
//! privacy checks, not typos):
//!
//! ```
//! use iomt_auth::rbac::{BreakGlassAccess, Permit};
//! fn fields(p: &Permit, b: &BreakGlassAccess) -> (iomt_core::Operation, [u8; 8], u32) {
//!     (p.operation(), p.subject(), b.audit_seq())
//! }
//! ```
