//! Runs the EDHOC handshake over a transport (features `edhoc` + `embedded-io`).
//!
//! EDHOC messages travel as frames of the same link the channel then uses: one
//! length-prefixed record on a stream, one datagram on a datagram link. After
//! [`run_initiator`] / [`run_responder`] return `Ok`, the state is `Completed`; build the
//! channel with [`crate::Channel::from_edhoc`].
//!
//! On a local failure the driver sends the EDHOC error message the state machine
//! produces (best effort) and returns the error.
//!
//! A responder that cannot serve at all (its state could not be built: a method left out
//! of the build, an invalid configuration, no credential) calls [`refuse`]: it answers
//! message_1 with an EDHOC error naming the cause ([`Refusal`]), so the initiator's
//! [`run_initiator`] fails with `Auth(AuthError::PeerRefused(cause))` instead of a broken
//! pipe.
//!
//! Cipher-suite negotiation (RFC 9528 §6.3) is retried once, in both drivers: if the
//! responder answers message_1 with ERR_CODE 2 (its SUITES_R), [`run_initiator`] sends a
//! new message_1 with a suite from SUITES_R (fresh ephemeral key), and [`run_responder`]
//! waits for that second message_1. A second ERR_CODE 2 ends the handshake
//! ([`MAX_SUITE_RETRIES`]), so a peer can't keep the drivers looping.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_auth::AuthError;
use iomt_auth::cred::{LocalCredential, TrustStore};
use iomt_auth::edhoc::{InitiatorState, MAX_REFUSAL_LEN, Refusal, ResponderState};
use iomt_crypto::CryptoProvider;

use super::{AsyncFrameLink, BlockingLink, FrameLink, TransportError, io};

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

/// How many times a driver restarts after an ERR_CODE 2 (wrong selected suite).
pub const MAX_SUITE_RETRIES: usize = 1;

/// `true` for the error the responder answers with ERR_CODE 2 / the initiator receives.
const fn is_suite_error(e: &AuthError) -> bool {
    matches!(
        e,
        AuthError::PeerError { code: 2 }
            | AuthError::PeerMisbehaved(iomt_auth::error::PeerMisbehaved::WrongSelectedSuite)
    )
}

/// Sends the EDHOC error message (best effort); `true` if one was sent.
async fn send_error<L: AsyncFrameLink + ?Sized>(
    link: &mut L,
    error_message: Result<Option<usize>, AuthError>,
    buf: &[u8],
) -> bool {
    if let Ok(Some(n)) = error_message
        && let Some(msg) = buf.get(..n)
    {
        return link.send_frame(msg).await.is_ok();
    }
    false
}

async fn fail<L: AsyncFrameLink + ?Sized>(
    link: &mut L,
    error_message: Result<Option<usize>, AuthError>,
    buf: &[u8],
    e: AuthError,
) -> HandshakeError<L::Error> {
    send_error(link, error_message, buf).await;
    HandshakeError::Auth(e)
}

/// Drives an initiator from `Start` to `Completed`: sends message_1, handles message_2,
/// sends message_3, and handles message_4 if the configuration expects one. `rx` and
/// `tx` are message buffers (e.g. 256 bytes each).
///
/// If message_2 is an ERR_CODE 2 error, the state has selected a suite from SUITES_R
/// and message_1 is sent again, at most [`MAX_SUITE_RETRIES`] times.
///
/// # Errors
/// [`HandshakeError::Transport`] or [`HandshakeError::Auth`]. After a repeated ERR_CODE 2,
/// `Auth(PeerError { code: 2 })` with the state back in `Start`.
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
    io::block_on(drive_initiator(
        &mut BlockingLink(link),
        crypto,
        state,
        store,
        own,
        rx,
        tx,
    ))
}

/// [`run_initiator`] over an async link (feature `async`): the same driver, awaited.
///
/// # Errors
/// As [`run_initiator`].
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub async fn run_initiator_async<L, C, S>(
    link: &mut L,
    crypto: &mut C,
    state: &mut InitiatorState<C>,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
    rx: &mut [u8],
    tx: &mut [u8],
) -> Result<(), HandshakeError<L::Error>>
where
    L: AsyncFrameLink + ?Sized,
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    drive_initiator(link, crypto, state, store, own, rx, tx).await
}

/// The one initiator driver (blocking and async run this).
async fn drive_initiator<L, C, S>(
    link: &mut L,
    crypto: &mut C,
    state: &mut InitiatorState<C>,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
    rx: &mut [u8],
    tx: &mut [u8],
) -> Result<(), HandshakeError<L::Error>>
where
    L: AsyncFrameLink + ?Sized,
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    let mut retries = 0usize;
    let n = loop {
        let n = state
            .write_message_1(crypto, &[], tx)
            .map_err(HandshakeError::Auth)?;
        link.send_frame(tx.get(..n).unwrap_or(&[])).await?;
        let m2 = link.recv_frame(rx).await?;
        match state.handle_message_2(crypto, m2, store, own, &[], tx) {
            Ok(n) => break n,
            // the state is back in `Start` with a suite from SUITES_R
            Err(e)
                if is_suite_error(&e)
                    && matches!(state, InitiatorState::Start(_))
                    && retries < MAX_SUITE_RETRIES =>
            {
                retries = retries.saturating_add(1);
            }
            Err(e) => {
                let em = state.error_message(tx);
                return Err(fail(link, em, tx, e).await);
            }
        }
    };
    link.send_frame(tx.get(..n).unwrap_or(&[])).await?;
    if state.completed().is_none() {
        let m4 = link.recv_frame(rx).await?;
        if let Err(e) = state.handle_message_4(crypto, m4) {
            let em = state.error_message(tx);
            return Err(fail(link, em, tx, e).await);
        }
    }
    Ok(())
}

/// Drives a responder from `Start` to `Completed`: handles message_1, sends message_2,
/// handles message_3 and sends message_4 if configured.
///
/// If message_1 selects a suite this responder does not accept, the ERR_CODE 2 error
/// (with SUITES_R) is sent and, if sending succeeded, one more message_1 is awaited
/// ([`MAX_SUITE_RETRIES`]).
///
/// # Errors
/// [`HandshakeError::Transport`] or [`HandshakeError::Auth`]. If the link fails or ends
/// while waiting for the retried message_1, the original `Auth` error is returned.
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
    io::block_on(drive_responder(
        &mut BlockingLink(link),
        crypto,
        state,
        store,
        own,
        rx,
        tx,
    ))
}

/// [`run_responder`] over an async link (feature `async`): the same driver, awaited.
///
/// # Errors
/// As [`run_responder`].
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub async fn run_responder_async<L, C, S>(
    link: &mut L,
    crypto: &mut C,
    state: &mut ResponderState<C>,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
    rx: &mut [u8],
    tx: &mut [u8],
) -> Result<(), HandshakeError<L::Error>>
where
    L: AsyncFrameLink + ?Sized,
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    drive_responder(link, crypto, state, store, own, rx, tx).await
}

/// The one responder driver (blocking and async run this).
async fn drive_responder<L, C, S>(
    link: &mut L,
    crypto: &mut C,
    state: &mut ResponderState<C>,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
    rx: &mut [u8],
    tx: &mut [u8],
) -> Result<(), HandshakeError<L::Error>>
where
    L: AsyncFrameLink + ?Sized,
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    let mut retries = 0usize;
    let mut m1 = link.recv_frame(rx).await?;
    let n = loop {
        let fresh = match state {
            ResponderState::Start(r) => Some(r.clone()),
            _ => None,
        };
        match state.handle_message_1(crypto, m1, own, &[], tx) {
            Ok(n) => break n,
            Err(e) => {
                let em = state.error_message(tx);
                // wait for a retried message_1 only if the initiator got SUITES_R
                let sent = send_error(link, em, tx).await;
                let err = HandshakeError::Auth(e);
                match fresh {
                    Some(r) if sent && is_suite_error(&e) && retries < MAX_SUITE_RETRIES => {
                        retries = retries.saturating_add(1);
                        // a new session for the initiator's next message_1 (RFC 9528 §6.3);
                        // if none comes, the state stays failed with the original error
                        let Ok(m) = link.recv_frame(rx).await else {
                            return Err(err);
                        };
                        *state = ResponderState::Start(r);
                        m1 = m;
                    }
                    _ => return Err(err),
                }
            }
        }
    };
    link.send_frame(tx.get(..n).unwrap_or(&[])).await?;
    let m3 = link.recv_frame(rx).await?;
    let n = match state.handle_message_3(crypto, m3, store, &[], tx) {
        Ok(n) => n,
        Err(e) => {
            let em = state.error_message(tx);
            return Err(fail(link, em, tx, e).await);
        }
    };
    if n > 0 {
        link.send_frame(tx.get(..n).unwrap_or(&[])).await?;
    }
    Ok(())
}

/// Refuses an initiator this responder cannot serve (fail early): waits for message_1,
/// answers it with the EDHOC error message of [`Refusal::from_error`]`(cause)` (ERR_CODE 1
/// with a diagnostic text naming the cause) and returns `Auth(cause)` for the caller to
/// log. The initiator's [`run_initiator`] then fails with
/// `Auth(AuthError::PeerRefused(_))`. Reading message_1 first matters on a stream: a
/// socket closed with unread input may be reset before the peer reads the answer.
///
/// `rx` receives message_1 (its content is not looked at). Use it where building the
/// [`ResponderState`] failed: `Err(cause) => refuse(&mut link, &cause, &mut rx)`.
/// Test: `tests/edhoc.rs::a_gateway_that_cannot_serve_refuses_with_an_edhoc_error_naming_the_cause`.
///
/// # Errors
/// Always an error: [`HandshakeError::Transport`] if message_1 could not be received or
/// the answer not sent, else [`HandshakeError::Auth`]`(*cause)`.
pub fn refuse<L: FrameLink + ?Sized>(
    link: &mut L,
    cause: &AuthError,
    rx: &mut [u8],
) -> HandshakeError<L::Error> {
    if let Err(e) = link.recv_frame(rx) {
        return e.into();
    }
    let mut msg = [0u8; MAX_REFUSAL_LEN];
    let sent = match Refusal::from_error(cause).write_message(&mut msg) {
        Ok(n) => link.send_frame(msg.get(..n).unwrap_or(&[])),
        Err(e) => return HandshakeError::Auth(e),
    };
    match sent {
        Ok(()) => HandshakeError::Auth(*cause),
        Err(e) => e.into(),
    }
}
