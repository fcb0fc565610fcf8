//! The crate's one root error type, [`AuthError`], and its sub-enums.
//!
//! Taxonomy (after rustls): [`AuthError::PeerMisbehaved`] for anything caused by
//! untrusted bytes, [`AuthError::ApiMisuse`] for deterministic caller bugs,
//! [`AuthError::BufferTooSmall`] for output capacity, [`AuthError::Crypto`] for
//! provider failures that are not peer-visible authentication failures.
//! Every authentication failure a peer can provoke (bad MAC, bad signature, bad
//! AEAD tag) is the single opaque [`AuthError::AuthenticationFailed`].

use core::fmt;

use iomt_crypto::CryptoError;

use crate::audit::AuditError;
use crate::cred::RevocationError;
use crate::factor::FactorError;
use crate::rbac::{BreakGlassError, RbacDenyReason};
use crate::update::UpdateError;

pub use crate::cbor::CborError;

/// Why a peer's message was rejected (untrusted input).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PeerMisbehaved {
    /// The message is not well-formed deterministic CBOR.
    Cbor(CborError),
    /// The CBOR is well formed but the message does not have the EDHOC structure
    /// (wrong element type or count, surplus encodings, trailing items).
    InvalidMessage,
    /// A connection identifier is not in the RFC 9528 §3.3.2 representation, or too long.
    InvalidConnectionId,
    /// An ID_CRED field is malformed or not in its compact form (§3.5.3.2).
    InvalidIdCred,
    /// An ID_CRED field uses a credential identifier type this implementation does not support.
    UnsupportedIdCred,
    /// A received P-256 x-coordinate (G_X, G_Y) or credential key is not a valid point.
    InvalidPublicKey,
    /// The method in message_1 is unknown or not accepted by the responder.
    UnsupportedMethod,
    /// The selected cipher suite is not supported, or a more preferred one is (§6.3).
    WrongSelectedSuite,
    /// The peer sent an EAD item with a critical label that the application does not understand.
    UnknownCriticalEad,
    /// A credential (CCS) is malformed or does not hold an EC2 P-256 key.
    InvalidCredential,
    /// A message or field exceeds this implementation's documented capacity.
    TooLarge,
    /// The peer answered with an EDHOC error message (see [`AuthError::PeerError`] for the code).
    UnexpectedErrorMessage,
}

/// A deterministic misuse of the API by the caller.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ApiMisuse {
    /// The handshake state object has already failed or completed; start a new one.
    WrongState,
    /// The configuration is invalid (empty or too long suite list, no implemented suite,
    /// unsupported suite selected, too many EAD labels).
    InvalidConfig,
    /// A connection identifier longer than [`crate::edhoc::MAX_CONN_ID_LEN`].
    ConnectionIdTooLong,
    /// The local credential does not fit the method (e.g. not parseable as CCS), or is larger
    /// than [`crate::edhoc::MAX_CRED_LEN`].
    InvalidLocalCredential,
    /// An exporter label or output length out of range.
    InvalidExporterRequest,
    /// Outgoing EAD items are malformed or exceed [`crate::edhoc::MAX_EAD_LEN`].
    InvalidEad,
    /// The channel secrets of this handshake's current key epoch were already derived
    /// (a second channel would reuse the first one's nonces); run KeyUpdate on both
    /// sides first.
    ChannelAlreadyStarted,
    /// The exporter label is reserved for the channel (use
    /// [`crate::edhoc::Completed::channel_secrets`]).
    ReservedExporterLabel,
    /// The configuration names an EDHOC method this build leaves out: methods 0–2 need
    /// the `signature-methods` Cargo feature (use [`crate::edhoc::Method::SUPPORTED`] for
    /// "every method this build can run").
    MethodNotBuilt,
}

/// The class of an [`AuthError`] ([`AuthError::class`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// EDHOC: the peer, the credentials or the caller's use of the handshake API.
    Handshake,
    /// RBAC, the operator factor, consent enforcement and break-glass.
    Authorization,
    /// The audit log and its export.
    Audit,
    /// Firmware update manifests and images.
    Update,
    /// Shared conditions (a short buffer, a crypto failure).
    General,
}

/// Every error of `iomt-auth`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AuthError {
    /// The peer sent something invalid.
    PeerMisbehaved(PeerMisbehaved),
    /// A MAC, signature or AEAD tag did not verify (deliberately opaque).
    AuthenticationFailed,
    /// The trust store has no credential for the received ID_CRED.
    UnknownCredential,
    /// The peer sent an EDHOC error message with this ERR_CODE.
    PeerError {
        /// The received ERR_CODE (1 unspecified, 2 wrong selected suite, 3 unknown credential).
        code: i32,
    },
    /// The responder refused to serve this initiator at all and named the cause (an
    /// ERR_CODE 1 error message with an iomt refusal text; unauthenticated, like every
    /// EDHOC error message): see [`crate::edhoc::Refusal`].
    PeerRefused(crate::edhoc::Refusal),
    /// The caller used the API wrongly.
    ApiMisuse(ApiMisuse),
    /// The output buffer is too small; `needed` bytes are required (best estimate).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// The crypto provider failed (RNG, key handle, unsupported operation).
    Crypto(CryptoError),
    /// An audit-log operation failed ([`crate::audit`]).
    Audit(AuditError),
    /// The operator factor did not verify ([`crate::factor`]).
    Factor(FactorError),
    /// RBAC denied the operation ([`crate::rbac`]).
    Denied(RbacDenyReason),
    /// Break-glass or consent refused access ([`crate::rbac::activate_break_glass`]).
    BreakGlass(BreakGlassError),
    /// A firmware update was rejected ([`crate::update`]).
    Update(UpdateError),
    /// A revocation list was refused, or the peer's credential is revoked
    /// ([`crate::cred::revocation`]).
    Revocation(RevocationError),
}

impl AuthError {
    /// The error's code in iomt's one registry (docs/ERRORS.md): unique per meaning across
    /// every crate, grouped in ranges by class (1–99 general, 100 crypto, 200 data, 300
    /// handshake, 400 session, 500 authorization, 600 audit, 700 update), and equal to the
    /// C API's `iomt_result` value. A condition shared by several crates (a short buffer:
    /// 2) has one code. Never reused.
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::PeerMisbehaved(p) => match p {
                PeerMisbehaved::InvalidMessage => 300,
                PeerMisbehaved::InvalidPublicKey => 301,
                PeerMisbehaved::UnsupportedMethod => 302,
                PeerMisbehaved::WrongSelectedSuite => 303,
                PeerMisbehaved::UnknownCriticalEad => 304,
                PeerMisbehaved::InvalidCredential => 305,
                PeerMisbehaved::TooLarge => 306,
                PeerMisbehaved::Cbor(_) => 308,
                PeerMisbehaved::InvalidConnectionId => 309,
                PeerMisbehaved::InvalidIdCred => 312,
                PeerMisbehaved::UnsupportedIdCred => 313,
                PeerMisbehaved::UnexpectedErrorMessage => 314,
            },
            Self::AuthenticationFailed => 310,
            Self::UnknownCredential => 311,
            Self::PeerError { .. } => 320,
            Self::PeerRefused(_) => 339,
            Self::ApiMisuse(a) => match a {
                ApiMisuse::WrongState => 5,
                ApiMisuse::InvalidConfig => 330,
                ApiMisuse::InvalidLocalCredential => 331,
                ApiMisuse::InvalidExporterRequest => 332,
                ApiMisuse::InvalidEad => 333,
                ApiMisuse::ConnectionIdTooLong => 334,
                ApiMisuse::ChannelAlreadyStarted => 335,
                ApiMisuse::ReservedExporterLabel => 336,
                ApiMisuse::MethodNotBuilt => 337,
            },
            Self::BufferTooSmall { .. } => 2,
            Self::Crypto(c) => c.code(),
            Self::Denied(e) => match e {
                RbacDenyReason::NoRole => 500,
                RbacDenyReason::NotPermitted => 501,
                RbacDenyReason::FactorRequired => 502,
                RbacDenyReason::LockedOut => 503,
                RbacDenyReason::AuditUnavailable => 504,
                RbacDenyReason::PermitInvalid => 506,
                RbacDenyReason::PermitSpent => 507,
                RbacDenyReason::PermitMalformed => 508,
                RbacDenyReason::PermitUnavailable => 509,
            },
            Self::Factor(e) => match e {
                FactorError::Absent => 510,
                FactorError::Malformed => 511,
                FactorError::Mismatch => 512,
                FactorError::LockedOut { .. } => 513,
                FactorError::Storage => 514,
                FactorError::DeviceIdTooLong => 515,
                FactorError::BufferTooSmall { .. } => 2,
                FactorError::InvalidPolicy => 516,
                FactorError::AuditUnavailable => 504,
            },
            Self::BreakGlass(e) => match e {
                BreakGlassError::ConsentDenied(_) => 520,
                BreakGlassError::NotEmergency => 521,
                BreakGlassError::Expired => 522,
                BreakGlassError::AuditUnavailable => 504,
            },
            Self::Audit(e) => match e {
                AuditError::Storage => 600,
                AuditError::SequenceExhausted => 601,
                AuditError::Corrupt { .. } => 602,
                AuditError::NotHeld { .. } => 603,
                AuditError::BufferTooSmall { .. } => 2,
                AuditError::Malformed => 610,
                AuditError::UnsupportedVersion => 611,
                AuditError::SignatureInvalid => 612,
                AuditError::ChallengeMismatch => 613,
                AuditError::DeviceMismatch => 614,
                AuditError::Unaccounted => 615,
                AuditError::SequenceGap { .. } => 616,
                AuditError::TooManyRecords => 617,
                AuditError::Incomplete { .. } => 618,
                AuditError::ChainMismatch => 619,
                AuditError::WrongPermit => 505,
                AuditError::Crypto(c) => c.code(),
                AuditError::CheckpointRegression { .. } => 620,
                AuditError::CheckpointFork { .. } => 621,
                AuditError::CheckpointGap { .. } => 622,
                AuditError::RingInconsistent => 623,
            },
            Self::Update(e) => match e {
                UpdateError::Malformed => 700,
                UpdateError::NonDeterministic => 701,
                UpdateError::TrailingBytes => 702,
                UpdateError::UnsupportedAlgorithm => 703,
                UpdateError::UnknownSigner => 704,
                UpdateError::BadSignature => 705,
                UpdateError::WrongVendor => 706,
                UpdateError::WrongDeviceClass => 707,
                UpdateError::Downgrade => 708,
                UpdateError::SameVersion => 709,
                UpdateError::BaseTooOld => 710,
                UpdateError::ImageTooLong => 711,
                UpdateError::ImageTruncated => 712,
                UpdateError::DigestMismatch => 713,
                UpdateError::Counter => 714,
                UpdateError::WrongPermit => 505,
                UpdateError::AuditUnavailable => 504,
                UpdateError::Abandoned => 715,
                UpdateError::BufferTooSmall { .. } => 2,
                UpdateError::Crypto(c) => c.code(),
            },
            Self::Revocation(e) => match e {
                RevocationError::Malformed => 550,
                RevocationError::NonDeterministic => 551,
                RevocationError::UnsupportedAlgorithm => 552,
                RevocationError::UnknownSigner => 553,
                RevocationError::BadSignature => 554,
                RevocationError::TooManyEntries => 555,
                RevocationError::Older => 556,
                RevocationError::SameNumber => 557,
                RevocationError::Revoked => 560,
                RevocationError::BufferTooSmall { .. } => 2,
            },
        }
    }

    /// Which part of iomt-auth the error comes from: the handshake (EDHOC) or
    /// authorization and accounting (RBAC, factor, consent/break-glass, audit, update) —
    /// the class of its registry code.
    #[must_use]
    pub const fn class(self) -> ErrorClass {
        match self {
            Self::PeerMisbehaved(_)
            | Self::AuthenticationFailed
            | Self::UnknownCredential
            | Self::PeerError { .. }
            | Self::PeerRefused(_)
            | Self::ApiMisuse(_) => ErrorClass::Handshake,
            Self::BufferTooSmall { .. } | Self::Crypto(_) => ErrorClass::General,
            Self::Denied(_) | Self::Factor(_) | Self::BreakGlass(_) | Self::Revocation(_) => {
                ErrorClass::Authorization
            }
            Self::Audit(_) => ErrorClass::Audit,
            Self::Update(_) => ErrorClass::Update,
        }
    }

    /// The EDHOC ERR_CODE (RFC 9528 §6) this failure should be reported to the peer with,
    /// if an error message should be sent at all.
    ///
    /// - [`AuthError::UnknownCredential`] → 3 (unknown credential referenced).
    /// - [`PeerMisbehaved::WrongSelectedSuite`] → 2 (the responder builds it with SUITES_R;
    ///   see [`crate::edhoc::Responder::process_message_1`]).
    /// - other peer-caused failures → 1 (unspecified).
    /// - [`AuthError::PeerError`] → `None`: never answer an error with an error.
    #[must_use]
    pub const fn wire_err_code(self) -> Option<i32> {
        match self {
            // a revoked credential is answered as an unknown one: the holder of a stolen
            // key learns nothing more than that it is no longer trusted
            Self::UnknownCredential | Self::Revocation(RevocationError::Revoked) => Some(3),
            Self::PeerMisbehaved(PeerMisbehaved::WrongSelectedSuite) => Some(2),
            Self::PeerError { .. }
            | Self::PeerRefused(_)
            | Self::PeerMisbehaved(PeerMisbehaved::UnexpectedErrorMessage) => None,
            Self::PeerMisbehaved(_) | Self::AuthenticationFailed => Some(1),
            Self::ApiMisuse(_) | Self::BufferTooSmall { .. } | Self::Crypto(_) => Some(1),
            // application-level (AAA) failures happen after the handshake: no EDHOC error
            Self::Audit(_)
            | Self::Factor(_)
            | Self::Denied(_)
            | Self::BreakGlass(_)
            | Self::Update(_)
            | Self::Revocation(_) => None,
        }
    }
}

impl AuthError {
    /// A short English diagnostic for ERR_CODE 1 messages (no secrets, no formatting).
    #[must_use]
    pub const fn diagnostic(&self) -> &'static str {
        match self {
            Self::PeerMisbehaved(p) => match p {
                PeerMisbehaved::Cbor(_) => "Malformed CBOR",
                PeerMisbehaved::InvalidMessage => "Invalid message",
                PeerMisbehaved::InvalidConnectionId => "Invalid connection identifier",
                PeerMisbehaved::InvalidIdCred => "Invalid ID_CRED",
                PeerMisbehaved::UnsupportedIdCred => "ID_CRED type not supported",
                PeerMisbehaved::InvalidPublicKey => "Invalid public key",
                PeerMisbehaved::UnsupportedMethod => "Method not supported",
                PeerMisbehaved::WrongSelectedSuite => "Wrong selected cipher suite",
                PeerMisbehaved::UnknownCriticalEad => "Unknown critical EAD item",
                PeerMisbehaved::InvalidCredential => "Invalid credential",
                PeerMisbehaved::TooLarge => "Message too large",
                PeerMisbehaved::UnexpectedErrorMessage => "Unexpected error message",
            },
            Self::AuthenticationFailed => "Authentication failed",
            Self::UnknownCredential => "Unknown credential referenced",
            Self::PeerError { .. } | Self::PeerRefused(_) => "Peer error",
            Self::ApiMisuse(_) | Self::BufferTooSmall { .. } | Self::Crypto(_) => "Internal error",
            Self::Audit(_)
            | Self::Factor(_)
            | Self::Denied(_)
            | Self::BreakGlass(_)
            | Self::Update(_)
            | Self::Revocation(_) => "Not authorized",
        }
    }
}

impl From<CborError> for AuthError {
    fn from(e: CborError) -> Self {
        match e {
            CborError::BufferTooSmall { needed } => Self::BufferTooSmall { needed },
            other => Self::PeerMisbehaved(PeerMisbehaved::Cbor(other)),
        }
    }
}

impl From<PeerMisbehaved> for AuthError {
    fn from(e: PeerMisbehaved) -> Self {
        Self::PeerMisbehaved(e)
    }
}

impl From<ApiMisuse> for AuthError {
    fn from(e: ApiMisuse) -> Self {
        Self::ApiMisuse(e)
    }
}

impl From<CryptoError> for AuthError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::AuthenticationFailed | CryptoError::InvalidSignature => {
                Self::AuthenticationFailed
            }
            CryptoError::InvalidPublicKey => Self::PeerMisbehaved(PeerMisbehaved::InvalidPublicKey),
            other => Self::Crypto(other),
        }
    }
}

impl fmt::Display for PeerMisbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cbor(e) => write!(f, "malformed CBOR: {e}"),
            Self::InvalidMessage => f.write_str("invalid EDHOC message structure"),
            Self::InvalidConnectionId => f.write_str("invalid connection identifier"),
            Self::InvalidIdCred => f.write_str("invalid ID_CRED"),
            Self::UnsupportedIdCred => f.write_str("unsupported ID_CRED type"),
            Self::InvalidPublicKey => f.write_str("invalid P-256 public key"),
            Self::UnsupportedMethod => f.write_str("unsupported method"),
            Self::WrongSelectedSuite => f.write_str("wrong selected cipher suite"),
            Self::UnknownCriticalEad => f.write_str("unknown critical EAD item"),
            Self::InvalidCredential => f.write_str("invalid credential"),
            Self::TooLarge => f.write_str("message exceeds capacity"),
            Self::UnexpectedErrorMessage => f.write_str("peer sent an EDHOC error"),
        }
    }
}

impl fmt::Display for ApiMisuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongState => "handshake state already failed or finished",
            Self::InvalidConfig => "invalid EDHOC configuration",
            Self::ConnectionIdTooLong => "connection identifier too long",
            Self::InvalidLocalCredential => "invalid local credential",
            Self::InvalidExporterRequest => "invalid exporter request",
            Self::InvalidEad => "invalid outgoing EAD",
            Self::ChannelAlreadyStarted => "channel of this key epoch already started",
            Self::ReservedExporterLabel => "exporter label reserved for the channel",
            Self::MethodNotBuilt => {
                "EDHOC methods 0-2 need the `signature-methods` feature of iomt-auth"
            }
        })
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PeerMisbehaved(p) => write!(f, "peer misbehaved: {p}"),
            Self::AuthenticationFailed => f.write_str("authentication failed"),
            Self::UnknownCredential => f.write_str("unknown credential referenced"),
            Self::PeerError { code } => write!(f, "peer sent EDHOC error {code}"),
            Self::PeerRefused(r) => write!(f, "peer refused the handshake: {}", r.diagnostic()),
            Self::ApiMisuse(a) => write!(f, "API misuse: {a}"),
            Self::BufferTooSmall { needed } => {
                write!(f, "buffer too small ({needed} bytes needed)")
            }
            Self::Crypto(c) => write!(f, "crypto: {c}"),
            Self::Audit(e) => write!(f, "audit: {e}"),
            Self::Factor(e) => write!(f, "operator factor: {e}"),
            Self::Denied(e) => write!(f, "denied: {e}"),
            Self::BreakGlass(e) => write!(f, "break-glass: {e}"),
            Self::Update(e) => write!(f, "update rejected: {e}"),
            Self::Revocation(e) => write!(f, "revocation: {e}"),
        }
    }
}

impl From<AuditError> for AuthError {
    fn from(e: AuditError) -> Self {
        Self::Audit(e)
    }
}

impl From<FactorError> for AuthError {
    fn from(e: FactorError) -> Self {
        Self::Factor(e)
    }
}

impl From<RbacDenyReason> for AuthError {
    fn from(e: RbacDenyReason) -> Self {
        Self::Denied(e)
    }
}

impl From<BreakGlassError> for AuthError {
    fn from(e: BreakGlassError) -> Self {
        Self::BreakGlass(e)
    }
}

impl From<UpdateError> for AuthError {
    fn from(e: UpdateError) -> Self {
        Self::Update(e)
    }
}

impl From<RevocationError> for AuthError {
    fn from(e: RevocationError) -> Self {
        Self::Revocation(e)
    }
}

impl core::error::Error for AuthError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_stable() {
        let all = [
            AuthError::PeerMisbehaved(PeerMisbehaved::Cbor(CborError::Truncated)),
            AuthError::PeerMisbehaved(PeerMisbehaved::InvalidMessage),
            AuthError::AuthenticationFailed,
            AuthError::UnknownCredential,
            AuthError::PeerError { code: 2 },
            AuthError::ApiMisuse(ApiMisuse::WrongState),
            AuthError::BufferTooSmall { needed: 3 },
            AuthError::Crypto(CryptoError::Rng),
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
        }
        assert_eq!(AuthError::AuthenticationFailed.code(), 310);
        assert_eq!(AuthError::UnknownCredential.wire_err_code(), Some(3));
        assert_eq!(AuthError::PeerError { code: 1 }.wire_err_code(), None);
    }

    #[test]
    fn crypto_auth_failures_are_opaque() {
        assert_eq!(
            AuthError::from(CryptoError::AuthenticationFailed),
            AuthError::AuthenticationFailed
        );
        assert_eq!(
            AuthError::from(CryptoError::InvalidSignature),
            AuthError::AuthenticationFailed
        );
    }
}
