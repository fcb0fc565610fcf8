//! The mapping from iomt-auth's authorization, factor, audit and update errors to
//! [`iomt_result`] codes (500–799).

use iomt_auth::audit::AuditError;
use iomt_auth::factor::FactorError;
use iomt_auth::rbac::{BreakGlassError, RbacDenyReason};
use iomt_auth::update::UpdateError;

use crate::boundary::Needed;
use crate::result::iomt_result;

// The authorization and accounting errors are `AuthError`s: their codes come from its
// registry (`AuthError::code`).
macro_rules! via_auth_error {
    ($($error:ty => $variant:ident),* $(,)?) => {$(
        impl From<$error> for iomt_result {
            fn from(e: $error) -> Self {
                iomt_auth::AuthError::$variant(e).into()
            }
        }
    )*};
}

via_auth_error!(
    RbacDenyReason => Denied,
    FactorError => Factor,
    BreakGlassError => BreakGlass,
    AuditError => Audit,
    UpdateError => Update,
);

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
            FactorError::InvalidPolicy,
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
            RbacDenyReason::PermitInvalid,
            RbacDenyReason::PermitSpent,
            RbacDenyReason::PermitMalformed,
            RbacDenyReason::PermitUnavailable,
        ] {
            let code = iomt_result::from(r) as u32;
            assert!((500..510).contains(&code), "{r:?} -> {code}");
        }
    }
}
