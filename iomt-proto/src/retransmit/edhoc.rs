//! The EDHOC handshake over a lossy datagram link, sans-IO: iomt-auth's state machine
//! ([`InitiatorState`] / [`ResponderState`]) composed with [`Retransmit`].
//!
//! The caller owns the I/O and the clock. Per side:
//! 1. initiator: [`initiator_start`] → send the returned message_1;
//! 2. on every received datagram: [`initiator_on_datagram`] / [`responder_on_datagram`]
//!    → [`Event::Send`] (send the bytes), [`Event::Nothing`], or [`Event::NotHandshake`]
//!    (the handshake is complete on this side and the datagram is not a duplicate of a
//!    handshake message: give it to the channel);
//! 3. at [`Retransmit::next_deadline`]: [`Retransmit::poll`] → retransmit, wait, or
//!    [`RetransmitError::Timeout`].
//!
//! Who keeps what (see the [module docs](super)):
//!
//! | side | after sending | timer | answers duplicates of |
//! |---|---|---|---|
//! | initiator | message_1 | retransmits until message_2 | — |
//! | responder | message_2 | retransmits until message_3 | message_1 |
//! | initiator | message_3, message_4 expected | retransmits until message_4 | message_2 |
//! | initiator | message_3, no message_4 (complete) | lingers | message_2 |
//! | responder | message_4 (complete) | lingers | message_3 |
//! | responder | nothing, no message_4 (complete) | lingers | message_3 (no reply) |
//!
//! Cipher-suite negotiation (an ERR_CODE 2 answer) is not retried by this driver: it
//! fails with the peer's error; configure a suite the responder accepts (the blocking
//! driver in `transport::handshake` retries once).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_auth::AuthError;
use iomt_auth::cred::{LocalCredential, TrustStore};
use iomt_auth::edhoc::{InitiatorState, Phase, ResponderState};
use iomt_crypto::CryptoProvider;

use super::{Received, Retransmit, RetransmitError};

/// A failure of the datagram handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DatagramHandshakeError {
    /// EDHOC failed (the state machine is `Failed`; its error message is available).
    Auth(AuthError),
    /// The retransmission layer failed (timeout, flight too large).
    Retransmit(RetransmitError),
}

impl DatagramHandshakeError {
    /// The stable numeric code (the C API's `iomt_result`).
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::Auth(e) => e.code(),
            Self::Retransmit(e) => e.code(),
        }
    }
}

impl From<RetransmitError> for DatagramHandshakeError {
    fn from(e: RetransmitError) -> Self {
        Self::Retransmit(e)
    }
}

impl core::fmt::Display for DatagramHandshakeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Auth(e) => write!(f, "handshake: {e:?}"),
            Self::Retransmit(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for DatagramHandshakeError {}

/// What to do with a received datagram's outcome.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// Send these bytes (the next message, or the same flight again for a duplicate).
    Send(&'a [u8]),
    /// Nothing to send.
    Nothing,
    /// The handshake is complete on this side and the datagram is not one of its
    /// messages: it belongs to the channel.
    NotHandshake,
}

fn reply<const N: usize>(resend: bool, r: &Retransmit<N>) -> Event<'_> {
    if resend {
        Event::Send(r.flight())
    } else {
        Event::Nothing
    }
}

fn auth<const N: usize>(r: &mut Retransmit<N>, e: AuthError) -> DatagramHandshakeError {
    r.stop();
    DatagramHandshakeError::Auth(e)
}

/// Writes message_1, keeps it for retransmission and starts the timer. Returns the bytes
/// to send.
///
/// # Errors
/// [`DatagramHandshakeError::Auth`] from `write_message_1`;
/// [`RetransmitError::FlightTooLarge`] if message_1 exceeds `N`.
pub fn initiator_start<'r, C: CryptoProvider, const N: usize>(
    r: &'r mut Retransmit<N>,
    state: &mut InitiatorState<C>,
    crypto: &mut C,
    now: u64,
    tx: &mut [u8],
) -> Result<&'r [u8], DatagramHandshakeError> {
    let n = match state.write_message_1(crypto, &[], tx) {
        Ok(n) => n,
        Err(e) => return Err(auth(r, e)),
    };
    r.sent(crypto, now, tx.get(..n).unwrap_or(&[]), true)?;
    Ok(r.flight())
}

/// Handles one datagram on the initiator side: a duplicate of message_2 is answered
/// with the same message_3; message_2 is processed once (message_3 sent, timer restarted
/// if message_4 is expected, else lingering); message_4 completes.
///
/// # Errors
/// [`DatagramHandshakeError::Auth`] if the state machine rejects the datagram (the
/// retransmission state is then stopped); [`RetransmitError::FlightTooLarge`].
#[allow(
    clippy::too_many_arguments,
    reason = "the state machine's inputs plus time"
)]
pub fn initiator_on_datagram<'r, C, S, const N: usize>(
    r: &'r mut Retransmit<N>,
    state: &mut InitiatorState<C>,
    crypto: &mut C,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
    now: u64,
    datagram: &mut [u8],
    tx: &mut [u8],
) -> Result<Event<'r>, DatagramHandshakeError>
where
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    if let Received::Duplicate { resend } = r.received(crypto, now, datagram) {
        return Ok(reply(resend, r));
    }
    match state.phase() {
        Phase::WaitMessage2 => {
            let n = match state.handle_message_2(crypto, datagram, store, own, &[], tx) {
                Ok(n) => n,
                Err(e) => return Err(auth(r, e)),
            };
            let expect_reply = state.completed_ref().is_none();
            r.sent(crypto, now, tx.get(..n).unwrap_or(&[]), expect_reply)?;
            Ok(Event::Send(r.flight()))
        }
        Phase::WaitMessage4 => match state.handle_message_4(crypto, datagram) {
            Ok(()) => {
                r.finished(now);
                Ok(Event::Nothing)
            }
            Err(e) => Err(auth(r, e)),
        },
        Phase::Complete => Ok(Event::NotHandshake),
        // Start (message_1 not written), Failed: the state machine names the misuse
        _ => match state.handle_message_4(crypto, datagram) {
            Ok(()) => Ok(Event::Nothing),
            Err(e) => Err(auth(r, e)),
        },
    }
}

/// Handles one datagram on the responder side: message_1 is processed once (message_2
/// sent, timer started) and its duplicates get the same message_2; message_3 completes
/// (message_4, if configured, is sent and kept for duplicates of message_3).
///
/// # Errors
/// [`DatagramHandshakeError::Auth`] if the state machine rejects the datagram (the
/// retransmission state is then stopped); [`RetransmitError::FlightTooLarge`].
#[allow(
    clippy::too_many_arguments,
    reason = "the state machine's inputs plus time"
)]
pub fn responder_on_datagram<'r, C, S, const N: usize>(
    r: &'r mut Retransmit<N>,
    state: &mut ResponderState<C>,
    crypto: &mut C,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
    now: u64,
    datagram: &mut [u8],
    tx: &mut [u8],
) -> Result<Event<'r>, DatagramHandshakeError>
where
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    if let Received::Duplicate { resend } = r.received(crypto, now, datagram) {
        return Ok(reply(resend, r));
    }
    match state.phase() {
        Phase::Start => {
            let n = match state.handle_message_1(crypto, datagram, own, &[], tx) {
                Ok(n) => n,
                Err(e) => return Err(auth(r, e)),
            };
            r.sent(crypto, now, tx.get(..n).unwrap_or(&[]), true)?;
            Ok(Event::Send(r.flight()))
        }
        Phase::Complete => Ok(Event::NotHandshake),
        // WaitMessage3 (and, for misuse, every other phase: the state machine refuses)
        _ => {
            let n = match state.handle_message_3(crypto, datagram, store, &[], tx) {
                Ok(n) => n,
                Err(e) => return Err(auth(r, e)),
            };
            if n == 0 {
                r.finished(now);
                Ok(Event::Nothing)
            } else {
                r.sent(crypto, now, tx.get(..n).unwrap_or(&[]), false)?;
                Ok(Event::Send(r.flight()))
            }
        }
    }
}
