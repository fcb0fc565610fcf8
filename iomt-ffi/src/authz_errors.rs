//! The mapping from iomt-auth's authorization, factor, audit and update errors to
//! [`iomt_result`] codes (500–799).

use iomt_auth::audit::AuditError;
use iomt_auth::factor::FactorError;
use iomt_auth::rbac::{BreakGlassError, RbacDenyReason};
use iomt_auth::update::UpdateError;

use crate::boundary::Needed;
use crate::result::iomt_result;

impl From<RbacDenyReason> for iomt_result {
    fn from(e: RbacDenyReason) -> Self {
        match e {
            RbacDenyReason::NoRole => Self::AuthzNoRole,
            RbacDenyReason::NotPermitted => Self::AuthzNotPermitted,
            RbacDenyReason::FactorRequired => Self::AuthzFactorRequired,
            RbacDenyReason::LockedOut => Self::AuthzLockedOut,
            // AuditUnavailable, and anything a later version adds: deny as unavailable.
            _ => Self::AuthzAuditUnavailable,
        }
    }
}

impl From<FactorError> for iomt_result {
    fn from(e: FactorError) -> Self {
        match e {
            FactorError::Absent => Self::FactorAbsent,
            FactorError::Malformed => Self::FactorMalformed,
            FactorError::LockedOut { .. } => Self::FactorLockedOut,
            FactorError::Storage => Self::FactorStorage,
            FactorError::DeviceIdTooLong => Self::FactorDeviceIdTooLong,
            FactorError::BufferTooSmall { .. } => Self::BufferTooSmall,
            // Mismatch, and anything a later version adds: the factor did not verify.
            _ => Self::FactorMismatch,
        }
    }
}

impl From<BreakGlassError> for iomt_result {
    fn from(e: BreakGlassError) -> Self {
        match e {
            BreakGlassError::NotEmergency => Self::BreakGlassNotEmergency,
            BreakGlassError::Expired => Self::BreakGlassExpired,
            BreakGlassError::ConsentDenied(_) => Self::ConsentDenied,
            _ => Self::AuthzAuditUnavailable,
        }
    }
}

impl From<AuditError> for iomt_result {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Storage => Self::AuditStorage,
            AuditError::SequenceExhausted => Self::AuditSequenceExhausted,
            AuditError::Corrupt { .. } => Self::AuditCorrupt,
            AuditError::NotHeld { .. } => Self::AuditNotHeld,
            AuditError::BufferTooSmall { .. } => Self::BufferTooSmall,
            AuditError::Malformed => Self::AuditMalformed,
            AuditError::UnsupportedVersion => Self::AuditUnsupportedVersion,
            AuditError::SignatureInvalid => Self::AuditSignatureInvalid,
            AuditError::ChallengeMismatch => Self::AuditChallengeMismatch,
            AuditError::DeviceMismatch => Self::AuditDeviceMismatch,
            AuditError::Unaccounted => Self::AuditUnaccounted,
            AuditError::SequenceGap { .. } => Self::AuditSequenceGap,
            AuditError::TooManyRecords => Self::AuditTooManyRecords,
            AuditError::Incomplete { .. } => Self::AuditIncomplete,
            AuditError::ChainMismatch => Self::AuditChainMismatch,
            AuditError::WrongPermit => Self::AuthzWrongPermit,
            AuditError::Crypto(c) => c.into(),
            _ => Self::AuditOther,
        }
    }
}

impl From<UpdateError> for iomt_result {
    fn from(e: UpdateError) -> Self {
        match e {
            UpdateError::Malformed => Self::UpdateMalformed,
            UpdateError::NonDeterministic => Self::UpdateNonDeterministic,
            UpdateError::TrailingBytes => Self::UpdateTrailingBytes,
            UpdateError::UnsupportedAlgorithm => Self::UpdateUnsupportedAlgorithm,
            UpdateError::UnknownSigner => Self::UpdateUnknownSigner,
            UpdateError::BadSignature => Self::UpdateBadSignature,
            UpdateError::WrongVendor => Self::UpdateWrongVendor,
            UpdateError::WrongDeviceClass => Self::UpdateWrongDeviceClass,
            UpdateError::Downgrade => Self::UpdateDowngrade,
            UpdateError::SameVersion => Self::UpdateSameVersion,
            UpdateError::BaseTooOld => Self::UpdateBaseTooOld,
            UpdateError::ImageTooLong => Self::UpdateImageTooLong,
            UpdateError::ImageTruncated => Self::UpdateImageTruncated,
            UpdateError::DigestMismatch => Self::UpdateDigestMismatch,
            UpdateError::WrongPermit => Self::AuthzWrongPermit,
            UpdateError::Counter => Self::UpdateCounter,
            UpdateError::AuditUnavailable => Self::AuthzAuditUnavailable,
            UpdateError::BufferTooSmall { .. } => Self::BufferTooSmall,
            UpdateError::Crypto(c) => c.into(),
            _ => Self::UpdateOther,
        }
    }
}

impl Needed for AuditError {
    fn needed(self) -> Option<usize> {
        match self {
            Self::BufferTooSmall { needed } => Some(needed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_update_rejection_has_its_own_code() {
        let all = [
            UpdateError::Malformed,
            UpdateError::NonDeterministic,
            UpdateError::TrailingBytes,
            UpdateError::UnsupportedAlgorithm,
            UpdateError::UnknownSigner,
            UpdateError::BadSignature,
            UpdateError::WrongVendor,
            UpdateError::WrongDeviceClass,
            UpdateError::Downgrade,
            UpdateError::SameVersion,
            UpdateError::BaseTooOld,
            UpdateError::ImageTooLong,
            UpdateError::ImageTruncated,
            UpdateError::DigestMismatch,
            UpdateError::WrongPermit,
            UpdateError::Counter,
            UpdateError::AuditUnavailable,
        ];
        let mut seen = std::collections::BTreeSet::new();
        for e in all {
            let r = iomt_result::from(e);
            assert!(seen.insert(r as u32), "{e:?} shares {r:?}");
        }
    }

    #[test]
    fn audit_verification_failures_are_distinct() {
        let all = [
            AuditError::SignatureInvalid,
            AuditError::ChallengeMismatch,
            AuditError::DeviceMismatch,
            AuditError::Unaccounted,
            AuditError::SequenceGap {
                expected: 1,
                found: 2,
            },
            AuditError::TooManyRecords,
            AuditError::Incomplete { missing: 1 },
            AuditError::ChainMismatch,
            AuditError::Malformed,
        ];
        let mut seen = std::collections::BTreeSet::new();
        for e in all {
            assert!(seen.insert(iomt_result::from(e) as u32), "{e:?}");
        }
    }

    #[test]
    fn factor_and_rbac_map_to_their_range() {
        for e in [
            FactorError::Absent,
            FactorError::Malformed,
            FactorError::Mismatch,
            FactorError::LockedOut {
                until: iomt_core::Timestamp::from_secs(5),
            },
            FactorError::Storage,
            FactorError::DeviceIdTooLong,
        ] {
            let code = iomt_result::from(e) as u32;
            assert!((510..520).contains(&code), "{e:?} -> {code}");
        }
        for r in [
            RbacDenyReason::NoRole,
            RbacDenyReason::NotPermitted,
            RbacDenyReason::FactorRequired,
            RbacDenyReason::LockedOut,
            RbacDenyReason::AuditUnavailable,
        ] {
            let code = iomt_result::from(r) as u32;
            assert!((500..510).contains(&code), "{r:?} -> {code}");
        }
    }
}
