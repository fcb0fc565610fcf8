#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        reason = "STYLE: no unchecked indexing in library code; each exception is an #[allow] on the smallest item with a bounds proof"
    )
)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod macros;

pub mod batch;
mod codec;
pub mod consent;
mod decimal;
pub mod error;
pub mod mdc;
pub mod operation;
pub mod reading;
pub mod role;
pub mod sfloat;
pub mod time;
pub mod units;
pub mod vital;
pub mod waveform;

pub use batch::VitalBatch;
pub use consent::{
    AccessRequest, Action, ActionSet, BreakGlassGrant, CONSENT_TAG_VERSION,
    CONSENT_TAG_VERSION_UNBOUND, Confidentiality, ConsentBinding, ConsentRef, ConsentTag,
    ConsentWithdrawal, DataClass, DataClassSet, Decision, DenyReason, DeviceRef, Effect,
    IssuerSignature, KeyId, MAX_CONSENT_TAG_LEN, MAX_KEY_ID_LEN, MAX_PATIENT_ID_LEN,
    MAX_WITHDRAWAL_LEN, PatientId, Purpose, PurposeSet, Signature, evaluate,
};
pub use error::CoreError;
pub use mdc::MdcCode;
pub use operation::Operation;
pub use reading::{Reading, ReadingStatus, StatusFlag};
pub use role::{Role, RoleSet};
pub use sfloat::{Float, SFloat, Special};
pub use time::{Timestamp, TimestampMs};
pub use units::Unit;
pub use vital::{EcgLead, VitalKind};
pub use waveform::WaveformChunk;

/// This crate's version, as in its `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn version_matches_manifest() {
        assert_eq!(super::VERSION, "0.1.0");
    }
}
