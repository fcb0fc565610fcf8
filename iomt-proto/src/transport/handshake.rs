//! Runs the EDHOC handshake over a transport (features `edhoc` + `embedded-io`).
//!
//! EDHOC messages travel as frames of the same link the channel then uses: one
//! length-prefixed record on a stream, one datagram on a datagram link. After
//! [`run_initiator`] / [`run_responder`] return `Ok`, the state is `Completed`; build the
//! channel with [`crate::Channel::from_edhoc`].
//!
//! On a local failure the driver sends the EDHOC error message the state machine
//! produces (best effort) and returns the error. Not handled: the initiator's retry
//! with another suite after an ERR_CODE 2 error (call it again with a new state).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_auth::AuthError;
use iomt_auth::cred::{LocalCredential, TrustStore};
use iomt_auth::edhoc::{InitiatorState, ResponderState};
use iomt_crypto::CryptoProvider;

use super::{FrameLink, TransportError};

/// A handshake failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HandshakeError<E> {
    /// The link failed.
    Transport(TransportError<E>),
    /// EDHOC failed (the error message, if any, was sent).
    Auth(AuthError),
}

impl<E> From<TransportError<E>> for HandshakeError<E> {
    fn from(e: TransportError<E>) -> Self {
        Self::Transport(e)
    }
}

impl<E: core::fmt::Debug> core::fmt::Display for HandshakeError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "handshake transport: {e}"),
            Self::Auth(e) => write!(f, "handshake: {e:?}"),
        }
    }
}

impl<E: core::fmt::Debug> core::error::Error for HandshakeError<E> {}

fn fail<L: FrameLink + ?Sized>(
    link: &mut L,
    error_message: Result<Option<usize>, AuthError>,
    buf: &[u8],
    e: AuthError,
) -> HandshakeError<L::Error> {
    if let Ok(Some(n)) = error_message
        && let Some(msg) = buf.get(..n)
    {
        let _ = link.send_frame(msg);
    }
    HandshakeError::Auth(e)
}

/// Drives an initiator from `Start` to `Completed`: sends message_1, handles message_2,
/// sends message_3, and handles message_4 if the configuration expects one. `rx` and
/// `tx` are message buffers (e.g. 256 bytes each).
///
/// # Errors
/// [`HandshakeError::Transport`] or [`HandshakeError::Auth`].
pub fn run_initiator<L, C, S>(
    link: &mut L,
    crypto: &mut C,
    state: &mut InitiatorState<C>,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
    rx: &mut [u8],
    tx: &mut [u8],
) -> Result<(), HandshakeError<L::Error>>
where
    L: FrameLink + ?Sized,
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    let n = state
        .write_message_1(crypto, &[], tx)
        .map_err(HandshakeError::Auth)?;
    link.send_frame(tx.get(..n).unwrap_or(&[]))?;
    let m2 = link.recv_frame(rx)?;
    let n = match state.handle_message_2(crypto, m2, store, own, &[], tx) {
        Ok(n) => n,
        Err(e) => {
            let em = state.error_message(tx);
            return Err(fail(link, em, tx, e));
        }
    };
    link.send_frame(tx.get(..n).unwrap_or(&[]))?;
    if state.completed().is_none() {
        let m4 = link.recv_frame(rx)?;
        if let Err(e) = state.handle_message_4(crypto, m4) {
            let em = state.error_message(tx);
            return Err(fail(link, em, tx, e));
        }
    }
    Ok(())
}

/// Drives a responder from `Start` to `Completed`: handles message_1, sends message_2,
/// handles message_3 and sends message_4 if configured.
///
/// # Errors
/// [`HandshakeError::Transport`] or [`HandshakeError::Auth`].
pub fn run_responder<L, C, S>(
    link: &mut L,
    crypto: &mut C,
    state: &mut ResponderState<C>,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
    rx: &mut [u8],
    tx: &mut [u8],
) -> Result<(), HandshakeError<L::Error>>
where
    L: FrameLink + ?Sized,
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    let m1 = link.recv_frame(rx)?;
    let n = match state.handle_message_1(crypto, m1, own, &[], tx) {
        Ok(n) => n,
        Err(e) => {
            let em = state.error_message(tx);
            return Err(fail(link, em, tx, e));
        }
    };
    link.send_frame(tx.get(..n).unwrap_or(&[]))?;
    let m3 = link.recv_frame(rx)?;
    let n = match state.handle_message_3(crypto, m3, store, &[], tx) {
        Ok(n) => n,
        Err(e) => {
            let em = state.error_message(tx);
            return Err(fail(link, em, tx, e));
        }
    };
    if n > 0 {
        link.send_frame(tx.get(..n).unwrap_or(&[]))?;
    }
    Ok(())
}
