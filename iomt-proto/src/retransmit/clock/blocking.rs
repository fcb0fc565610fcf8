//! Blocking datagram handshake for firmware: the sans-IO driver of
//! [`crate::retransmit::edhoc`] over an `embedded-io` datagram link that can say whether
//! a datagram is waiting ([`ReadReady`]), a [`Clock`] for `now`, and embedded-hal's
//! [`DelayNs`] to sleep between polls.
//!
//! The loop: receive a datagram if one is ready (and answer it), else run the timer at
//! its deadline (retransmit or give up), else sleep `min(poll_ms, time to deadline)`.
//! It returns when the handshake is complete on this side; a side that completes first
//! (the initiator without message_4, the responder with it) must then keep passing the
//! datagrams it receives through `*_on_datagram` until [`Retransmit::mode`] is
//! [`Mode::Done`](crate::retransmit::Mode::Done) (an [`Event::NotHandshake`] datagram goes
//! to the channel), and keep polling at [`Retransmit::next_deadline`].
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use embedded_hal::delay::DelayNs;
use embedded_io::{Read, ReadReady, Write};
use iomt_auth::cred::{LocalCredential, TrustStore};
use iomt_auth::edhoc::{InitiatorState, ResponderState};
use iomt_crypto::CryptoProvider;

use super::Clock;
use crate::ProtoError;
use crate::retransmit::edhoc::{
    DatagramHandshakeError, Event, initiator_on_datagram, initiator_start, responder_on_datagram,
};
use crate::retransmit::{Poll, Retransmit};
use crate::transport::{Datagram, Fragmented, TransportError};

/// A datagram link the blocking driver polls one datagram at a time: [`Datagram`] (one
/// unit per datagram) or [`Fragmented`] (units split to a small MTU, e.g. BLE's 20 bytes).
///
/// Invariant: [`PollLink::recv_one`] reads exactly one datagram, so the driver never
/// blocks waiting for the rest of a unit whose fragments were lost — the retransmission
/// timer keeps running and the sender's retransmission arrives as a new unit.
pub trait PollLink {
    /// The I/O error type.
    type Error;

    /// Whether a datagram is waiting (a read would not block).
    ///
    /// # Errors
    /// The link's I/O error as [`TransportError::Io`].
    fn ready(&mut self) -> Result<bool, TransportError<Self::Error>>;

    /// Reads one datagram. `Some(len)`: a whole unit of `len` bytes is at the start of
    /// `buf`; `None`: the datagram was a fragment of a unit not yet complete, or a
    /// fragment the reassembler refused (dropped like a lost datagram: counted in
    /// [`Fragmented::stats`], repaired by retransmission).
    ///
    /// # Errors
    /// [`TransportError::UnexpectedEof`], [`TransportError::FrameTooLarge`] /
    /// [`TransportError::DatagramTruncated`] for a unit or datagram larger than `buf`,
    /// I/O errors.
    fn recv_one(&mut self, buf: &mut [u8]) -> Result<Option<usize>, TransportError<Self::Error>>;

    /// Sends one unit (one datagram, or its fragments).
    ///
    /// # Errors
    /// The transport's send errors.
    fn send_unit(&mut self, unit: &[u8]) -> Result<(), TransportError<Self::Error>>;
}

impl<L: Read + ReadReady + Write> PollLink for Datagram<L> {
    type Error = L::Error;
    fn ready(&mut self) -> Result<bool, TransportError<L::Error>> {
        self.inner_mut().read_ready().map_err(TransportError::Io)
    }
    fn recv_one(&mut self, buf: &mut [u8]) -> Result<Option<usize>, TransportError<L::Error>> {
        self.recv_frame(buf).map(|unit| Some(unit.len()))
    }
    fn send_unit(&mut self, unit: &[u8]) -> Result<(), TransportError<L::Error>> {
        self.send_frame(unit)
    }
}

impl<L: Read + ReadReady + Write, const CAP: usize> PollLink for Fragmented<L, CAP> {
    type Error = L::Error;
    fn ready(&mut self) -> Result<bool, TransportError<L::Error>> {
        self.inner_mut().read_ready().map_err(TransportError::Io)
    }
    fn recv_one(&mut self, buf: &mut [u8]) -> Result<Option<usize>, TransportError<L::Error>> {
        match self.recv_datagram(buf) {
            Ok(unit) => Ok(unit),
            Err(TransportError::Proto(ProtoError::Fragment(_))) => Ok(None),
            Err(e) => Err(e),
        }
    }
    fn send_unit(&mut self, unit: &[u8]) -> Result<(), TransportError<L::Error>> {
        self.send_frame(unit)
    }
}

/// A failure of the blocking datagram handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BlockingHandshakeError<E> {
    /// The link failed.
    Transport(TransportError<E>),
    /// EDHOC or the retransmission layer failed (e.g. the timeout, code 340).
    Handshake(DatagramHandshakeError),
}

impl<E> From<TransportError<E>> for BlockingHandshakeError<E> {
    fn from(e: TransportError<E>) -> Self {
        Self::Transport(e)
    }
}

impl<E> From<DatagramHandshakeError> for BlockingHandshakeError<E> {
    fn from(e: DatagramHandshakeError) -> Self {
        Self::Handshake(e)
    }
}

/// The I/O, time and scratch a blocking run needs.
#[derive(Debug)]
pub struct Io<'a, L, D, K> {
    /// The datagram link: [`Datagram`], or [`Fragmented`] for a small MTU.
    pub link: &'a mut L,
    /// Sleeps between polls.
    pub delay: &'a mut D,
    /// The monotonic clock.
    pub clock: &'a mut K,
    /// Longest sleep between two checks of the link (ms), e.g. 10.
    pub poll_ms: u32,
    /// Receive buffer (at least the largest message + 1).
    pub rx: &'a mut [u8],
    /// Message scratch buffer.
    pub tx: &'a mut [u8],
}

/// One step of the wait loop: `Some(n)` if a datagram of `n` bytes was received.
fn wait<L, D, K, const N: usize>(
    io: &mut Io<'_, L, D, K>,
    r: &mut Retransmit<N>,
) -> Result<Option<usize>, BlockingHandshakeError<L::Error>>
where
    L: PollLink,
    D: DelayNs,
    K: Clock,
{
    if io.link.ready()? {
        return Ok(io.link.recv_one(io.rx)?);
    }
    let now = io.clock.now_ms();
    match r.poll(now).map_err(DatagramHandshakeError::from)? {
        Poll::Retransmit { flight, .. } => io.link.send_unit(flight)?,
        Poll::Wait { deadline } => {
            let left = u32::try_from(deadline.saturating_sub(now)).unwrap_or(u32::MAX);
            io.delay.delay_ms(left.clamp(1, io.poll_ms.max(1)));
        }
        Poll::Idle => io.delay.delay_ms(io.poll_ms.max(1)),
    }
    Ok(None)
}

fn send<L: PollLink>(link: &mut L, ev: Event<'_>) -> Result<(), TransportError<L::Error>> {
    match ev {
        Event::Send(b) => link.send_unit(b),
        Event::Nothing | Event::NotHandshake => Ok(()),
    }
}

/// Runs the initiator until the handshake is complete on its side.
///
/// # Errors
/// [`BlockingHandshakeError::Transport`], or [`BlockingHandshakeError::Handshake`]:
/// EDHOC's error, or [`RetransmitError::Timeout`](crate::retransmit::RetransmitError::Timeout)
/// within [`RetransmitConfig::give_up_bound_ms`](crate::retransmit::RetransmitConfig::give_up_bound_ms)
/// (plus one poll interval) of the last message sent.
pub fn run_initiator<L, D, K, C, S, const N: usize>(
    io: &mut Io<'_, L, D, K>,
    r: &mut Retransmit<N>,
    state: &mut InitiatorState<C>,
    crypto: &mut C,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
) -> Result<(), BlockingHandshakeError<L::Error>>
where
    L: PollLink,
    D: DelayNs,
    K: Clock,
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    let now = io.clock.now_ms();
    let m1 = initiator_start(r, state, crypto, now, io.tx)?;
    io.link.send_unit(m1)?;
    while state.completed_ref().is_none() {
        if let Some(n) = wait(io, r)? {
            let now = io.clock.now_ms();
            let dg = io.rx.get_mut(..n).unwrap_or(&mut []);
            let ev = initiator_on_datagram(r, state, crypto, store, own, now, dg, io.tx)?;
            send(io.link, ev)?;
        }
    }
    Ok(())
}

/// Runs the responder until the handshake is complete on its side.
///
/// # Errors
/// As [`run_initiator`]. Before message_1 arrives no timer runs: the responder waits
/// (the caller bounds that wait, e.g. by its own advertising window).
pub fn run_responder<L, D, K, C, S, const N: usize>(
    io: &mut Io<'_, L, D, K>,
    r: &mut Retransmit<N>,
    state: &mut ResponderState<C>,
    crypto: &mut C,
    store: &S,
    own: &LocalCredential<'_, C::KeyHandle>,
) -> Result<(), BlockingHandshakeError<L::Error>>
where
    L: PollLink,
    D: DelayNs,
    K: Clock,
    C: CryptoProvider,
    S: TrustStore + ?Sized,
{
    while state.completed_ref().is_none() {
        if let Some(n) = wait(io, r)? {
            let now = io.clock.now_ms();
            let dg = io.rx.get_mut(..n).unwrap_or(&mut []);
            let ev = responder_on_datagram(r, state, crypto, store, own, now, dg, io.tx)?;
            send(io.link, ev)?;
        }
    }
    Ok(())
}
