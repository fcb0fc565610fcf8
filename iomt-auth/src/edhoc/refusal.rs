//! Refusing an initiator the responder cannot serve at all (fail early, RFC 9528 §6).
//!
//! When a responder's own set-up fails before any handshake state exists — its
//! configuration names a method this build left out, the configuration is invalid, its
//! credential is missing — the initiator must not see a dropped connection. The
//! responder answers message_1 with an EDHOC error message, ERR_CODE 1 with a fixed
//! diagnostic text naming the cause ([`Refusal::write_message`]); an iomt initiator
//! recognises the text and fails with [`AuthError::PeerRefused`] naming the same cause.
//! A wrong selected suite is not a refusal: the responder's state machine answers it
//! with ERR_CODE 2 and SUITES_R, and the initiator retries.
//!
//! The diagnostic is unauthenticated, like every EDHOC error message: it helps a person
//! find a misconfiguration, it grants nothing, and a forged one only ends a handshake
//! that an attacker on the path could end anyway.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::msg::{ErrInfo, write_error_message};
use crate::error::{ApiMisuse, AuthError};

/// Why a responder refused to serve: the cause carried in the diagnostic text of an
/// ERR_CODE 1 error message.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Refusal {
    /// The responder's configuration names an EDHOC method its build left out (methods
    /// 0–2 need iomt-auth's `signature-methods` feature).
    MethodNotBuilt,
    /// The responder's configuration is invalid (suites, methods, EAD labels, C_R).
    InvalidConfig,
    /// The responder has no usable credential (missing, or not a CCS with its key).
    NoCredential,
    /// Any other reason the responder cannot serve (e.g. out of sessions).
    Unavailable,
}

impl Refusal {
    /// Every cause, in code order.
    pub const ALL: [Self; 4] = [
        Self::MethodNotBuilt,
        Self::InvalidConfig,
        Self::NoCredential,
        Self::Unavailable,
    ];

    /// The cause of a responder's local set-up error `e` (anything that is not a known
    /// configuration error is [`Refusal::Unavailable`]: the text never says more).
    #[must_use]
    pub const fn from_error(e: &AuthError) -> Self {
        match e {
            AuthError::ApiMisuse(ApiMisuse::MethodNotBuilt) => Self::MethodNotBuilt,
            AuthError::ApiMisuse(ApiMisuse::InvalidConfig | ApiMisuse::ConnectionIdTooLong) => {
                Self::InvalidConfig
            }
            AuthError::ApiMisuse(ApiMisuse::InvalidLocalCredential) => Self::NoCredential,
            _ => Self::Unavailable,
        }
    }

    /// The cause for a registry code (the C API passes `iomt_result` values): 337, 330,
    /// 334, 331 map as in [`Refusal::from_error`], anything else is `Unavailable`.
    #[must_use]
    pub const fn from_code(code: u16) -> Self {
        match code {
            337 => Self::MethodNotBuilt,
            330 | 334 => Self::InvalidConfig,
            331 => Self::NoCredential,
            _ => Self::Unavailable,
        }
    }

    /// The responder-side registry code of the cause (337 method not built, 330 invalid
    /// configuration, 331 invalid local credential, 399 other handshake failure).
    #[must_use]
    pub const fn cause_code(self) -> u16 {
        match self {
            Self::MethodNotBuilt => 337,
            Self::InvalidConfig => 330,
            Self::NoCredential => 331,
            Self::Unavailable => 399,
        }
    }

    /// The fixed English diagnostic text sent in the error message (no secrets, no
    /// configuration details beyond the cause).
    #[must_use]
    pub const fn diagnostic(self) -> &'static str {
        match self {
            Self::MethodNotBuilt => {
                "iomt refused: method not built in the responder (signature-methods feature)"
            }
            Self::InvalidConfig => "iomt refused: responder configuration invalid",
            Self::NoCredential => "iomt refused: responder has no usable credential",
            Self::Unavailable => "iomt refused: responder unavailable",
        }
    }

    /// The cause named by a received diagnostic text, if it is one of ours (exact match).
    #[must_use]
    pub fn from_diagnostic(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.diagnostic() == text)
    }

    /// Writes the EDHOC error message (ERR_CODE 1, [`Refusal::diagnostic`]) into `out`;
    /// at most [`MAX_REFUSAL_LEN`] bytes.
    ///
    /// ```
    /// use iomt_auth::edhoc::{ErrorMessage, Refusal};
    /// let mut out = [0u8; iomt_auth::edhoc::MAX_REFUSAL_LEN];
    /// let n = Refusal::MethodNotBuilt.write_message(&mut out)?;
    /// let e = ErrorMessage::parse(&out[..n])?;
    /// assert_eq!((e.code, e.diagnostic.and_then(Refusal::from_diagnostic)),
    ///            (1, Some(Refusal::MethodNotBuilt)));
    /// # Ok::<(), iomt_auth::AuthError>(())
    /// ```
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`].
    pub fn write_message(self, out: &mut [u8]) -> Result<usize, AuthError> {
        write_error_message(1, ErrInfo::Text(self.diagnostic()), out)
    }
}

/// Longest refusal message: ERR_CODE (1 byte), a text header (2 bytes) and the longest
/// diagnostic.
pub const MAX_REFUSAL_LEN: usize = 80;

// Every diagnostic fits, with its one-byte ERR_CODE and two-byte tstr header (24–255 bytes).
const _: () = {
    const fn fits(r: Refusal) -> bool {
        let n = r.diagnostic().len();
        n >= 24 && n <= MAX_REFUSAL_LEN - 3
    }
    assert!(fits(Refusal::MethodNotBuilt));
    assert!(fits(Refusal::InvalidConfig));
    assert!(fits(Refusal::NoCredential));
    assert!(fits(Refusal::Unavailable));
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edhoc::ErrorMessage;

    #[test]
    fn every_cause_round_trips_through_its_message_and_its_code() {
        for r in Refusal::ALL {
            let mut out = [0u8; MAX_REFUSAL_LEN];
            let n = r.write_message(&mut out).unwrap();
            let e = ErrorMessage::parse(&out[..n]).unwrap();
            assert_eq!(e.code, 1);
            assert_eq!(e.diagnostic.and_then(Refusal::from_diagnostic), Some(r));
            assert_eq!(Refusal::from_code(r.cause_code()), r);
            // the initiator's error names the cause
            assert_eq!(
                crate::edhoc::msg::reject_error_message(&out[..n]),
                Err(AuthError::PeerRefused(r))
            );
        }
        assert_eq!(Refusal::from_diagnostic("Invalid message"), None);
        assert_eq!(
            Refusal::from_error(&AuthError::ApiMisuse(ApiMisuse::MethodNotBuilt)),
            Refusal::MethodNotBuilt
        );
        assert_eq!(
            Refusal::from_error(&AuthError::AuthenticationFailed),
            Refusal::Unavailable
        );
        let mut short = [0u8; 8];
        assert!(matches!(
            Refusal::InvalidConfig.write_message(&mut short),
            Err(AuthError::BufferTooSmall { .. })
        ));
    }
}
