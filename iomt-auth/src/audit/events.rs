//! The one encoding of the security events an application (not the library itself)
//! observes: how a handshake ended and which frames a session rejected. The Rust
//! gateway, the examples and the C API (`iomt_audit_log_record_*`) all build their
//! records here, so one event has one byte layout in every log — evidence a hospital
//! and a regulator read. (Authorization, factor, consent, break-glass and update
//! records are written inside `rbac`, `factor` and `update` themselves.)
//!
//! | event | outcome | subject | detail (16 bytes) |
//! |---|---|---|---|
//! | `HandshakeSucceeded` | Success | the peer ([`subject_of`] its identity) | suite, method, zeros |
//! | `HandshakeFailed` | Failure | [`SUBJECT_DEVICE`] | the [`AuthError::code`] (u32 BE; 0 if unknown), zeros |
//! | `ReplayOrForgery` | Denied | [`SUBJECT_DEVICE`] | the connection id (u32 BE), the frame error's code (u32 BE) |
//! | `FactorFailed` (malformed item) | Failure | the operator | zeros (not counted as a guess) |
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_core::Timestamp;
use iomt_crypto::CryptoProvider;

use super::{
    AuditError, AuditEvent, AuditLog, AuditStore, Detail, Outcome, SUBJECT_DEVICE, Subject,
    subject_of,
};
use crate::AuthError;
use crate::edhoc::Completed;

/// One application-observed security event, ready to append with [`AuditLog::record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub event: AuditEvent,
    /// How it ended.
    pub outcome: Outcome,
    /// Who.
    pub subject: Subject,
    /// Event-specific detail (layout in the module docs).
    pub detail: Detail,
}

impl Event {
    /// A handshake completed: subject = the authenticated peer, detail = suite, method.
    #[must_use]
    pub fn handshake_succeeded<C: CryptoProvider>(crypto: &mut C, done: &Completed) -> Self {
        Self {
            event: AuditEvent::HandshakeSucceeded,
            outcome: Outcome::Success,
            subject: subject_of(crypto, &done.peer_identity().0),
            detail: Detail::from_slice(&[done.selected_suite().id(), done.method().id()]),
        }
    }

    /// A handshake failed with `error` (`None` if the cause is unknown, e.g. the
    /// transport failed).
    #[must_use]
    pub fn handshake_failed(error: Option<AuthError>) -> Self {
        Self {
            event: AuditEvent::HandshakeFailed,
            outcome: Outcome::Failure,
            subject: SUBJECT_DEVICE,
            detail: Detail::from_u32s(error.map_or(0, |e| u32::from(e.code())), 0),
        }
    }

    /// A session rejected a frame (replayed, too old, forged, malformed, wrong
    /// connection id or epoch, bad consent slot): `code` is the frame error's stable code
    /// (`iomt_proto::ProtoError::code`).
    #[must_use]
    pub fn frame_rejected(conn_id: u8, code: u16) -> Self {
        Self {
            event: AuditEvent::ReplayOrForgery,
            outcome: Outcome::Denied,
            subject: SUBJECT_DEVICE,
            detail: Detail::from_u32s(u32::from(conn_id), u32::from(code)),
        }
    }
}

impl Event {
    /// The operator presented a malformed factor item (label, length, duplicate): a
    /// factor failure on record, but not a guess (`FactorVerifier` counts guesses).
    #[must_use]
    pub const fn factor_malformed(subject: Subject) -> Self {
        Self {
            event: AuditEvent::FactorFailed,
            outcome: Outcome::Failure,
            subject,
            detail: Detail::NONE,
        }
    }
}

impl<S: AuditStore> AuditLog<S> {
    /// Appends `event` at `time`; returns its sequence number.
    ///
    /// # Errors
    /// As [`AuditLog::append`].
    pub fn record<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        time: Timestamp,
        event: Event,
    ) -> Result<u32, AuditError> {
        self.append(
            crypto,
            time,
            event.event,
            event.outcome,
            event.subject,
            event.detail,
        )
    }
}
