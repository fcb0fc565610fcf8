//! What a version-2 consent tag is bound to: the patient ([`PatientId`]) and the device
//! ([`DeviceRef`]) it applies to ([`ConsentBinding`]).
//!
//! The consent authority (never the device) fills these in when it issues and signs a
//! tag; the gateway compares them with its own record of which patient a device is
//! assigned to and with the device identity EDHOC authenticated (`iomt-auth`'s
//! `consent` module). This crate has no crypto: a [`DeviceRef`] is computed by
//! `iomt_auth::audit::subject_of` (first 8 bytes of SHA-256 of the device identity, the
//! same 8 bytes the audit log names the device with).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use crate::CoreError;

/// Maximum length of a pseudonymous patient id.
pub const MAX_PATIENT_ID_LEN: usize = 16;

/// A pseudonymous patient identifier (1..=16 bytes, e.g. a keyed hash of the MRN that
/// only the hospital can map back). Never a name or a plain record number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatientId(pub(crate) heapless::Vec<u8, MAX_PATIENT_ID_LEN>);

impl PatientId {
    /// From 1..=16 bytes.
    ///
    /// # Errors
    /// [`CoreError::Malformed`] if empty, [`CoreError::CapacityExceeded`] if longer than 16.
    pub fn new(bytes: &[u8]) -> Result<Self, CoreError> {
        if bytes.is_empty() {
            return Err(CoreError::Malformed);
        }
        heapless::Vec::from_slice(bytes)
            .map(Self)
            .map_err(|_| CoreError::CapacityExceeded)
    }

    /// The id bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The device a tag applies to: the first 8 bytes of SHA-256 of the device's
/// authenticated identity as EDHOC yields it (`iomt_auth::audit::subject_of` over the
/// 16-byte, zero-padded `PeerIdentity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeviceRef(pub [u8; 8]);

/// The patient and device a version-2 tag applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConsentBinding {
    /// Whose consent it is.
    pub patient: PatientId,
    /// Which device may carry it.
    pub device: DeviceRef,
}
