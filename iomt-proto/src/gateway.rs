//! Gateway helpers: a fixed-capacity session table keyed by connection id (no_std, no
//! alloc).
//!
//! A gateway serving many devices over one datagram socket (UDP, a BLE central with
//! several links) reads the clear connection id from each frame header and hands the
//! frame to that device's [`Channel`]. Connection ids are one byte, so one table (one
//! socket) serves up to 256 sessions; use one table per socket/adapter beyond that.
//!
//! Why here and without `std`: the device side of a hub is embedded too (a BLE hub, a
//! bedside gateway on a microcontroller), so the table is an array of `CAP` slots chosen
//! at compile time — its memory is `CAP` channels, visible in `size_of`, and a full table
//! refuses new sessions instead of allocating. Lookups are a linear scan of the slots,
//! fine for the few to few dozen sessions a hub holds; a host gateway with hundreds of
//! sessions may prefer its own map (the examples' gateway has one).
//!
//! # Invariants
//! A channel is stored under its own [`Channel::conn_id`], at most one per id; frames for
//! unknown ids are rejected without touching any session.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::CryptoProvider;

use crate::channel::{Channel, Opened};
use crate::error::{ProtoError, Rejection};
use crate::wire::{Frame, FrameRepr};

/// Up to `CAP` sessions by connection id (`W`, `SLOTS`: the channels' replay window and
/// key slots, as in [`Channel`]).
///
/// # Example
/// ```
/// use iomt_crypto::{AeadAlgorithm, RustCryptoProvider};
/// use iomt_proto::gateway::SessionTable;
/// use iomt_proto::{Channel, ExportError, Side};
/// let mut crypto = RustCryptoProvider::with_os_rng();
/// let mut exporter = |label: u16, _: &[u8], out: &mut [u8]| -> Result<(), ExportError> {
///     out.fill(label as u8); // NOT an exporter: a stand-in for EDHOC_Exporter
///     Ok(())
/// };
/// let alg = AeadAlgorithm::ChaCha20Poly1305;
/// let mut table = SessionTable::<8>::new();
/// let id = table.free_conn_id().unwrap();
/// let gw = Channel::new(&mut crypto, &mut exporter, alg, Side::Responder, id)?;
/// assert!(matches!(table.insert(gw), Ok(None)));
/// let mut device: Channel = Channel::new(&mut crypto, &mut exporter, alg, Side::Initiator, id)?;
/// let mut frame = [0u8; 64];
/// let n = device.seal_data(&mut crypto, None, b"hi", &mut frame)?;
/// let (from, opened) = table.open(&mut crypto, &mut frame[..n])?;
/// assert_eq!((from, opened.payload), (id, &b"hi"[..]));
/// # Ok::<(), iomt_proto::ProtoError>(())
/// ```
#[derive(Debug)]
pub struct SessionTable<const CAP: usize, const W: u32 = 64, const SLOTS: usize = 4> {
    slots: [Option<Channel<W, SLOTS>>; CAP],
}

impl<const CAP: usize, const W: u32, const SLOTS: usize> Default for SessionTable<CAP, W, SLOTS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const CAP: usize, const W: u32, const SLOTS: usize> SessionTable<CAP, W, SLOTS> {
    /// An empty table.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            slots: [const { None }; CAP],
        }
    }

    /// The most sessions the table holds (`CAP`).
    #[must_use]
    pub const fn capacity(&self) -> usize {
        CAP
    }

    fn sessions(&self) -> impl Iterator<Item = &Channel<W, SLOTS>> {
        self.slots.iter().flatten()
    }

    fn slot_of(&mut self, conn_id: u8) -> Option<&mut Option<Channel<W, SLOTS>>> {
        self.slots
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(|c| c.conn_id() == conn_id))
    }

    /// The lowest connection id not in use, if the table has room for another session.
    #[must_use]
    pub fn free_conn_id(&self) -> Option<u8> {
        if self.len() >= CAP {
            return None;
        }
        (0..=u8::MAX).find(|id| self.sessions().all(|c| c.conn_id() != *id))
    }

    /// Stores `channel` under its connection id: `Ok(Some(old))` if it replaced the
    /// session with that id, `Ok(None)` if it took a free slot.
    ///
    /// # Errors
    /// The table is full (`CAP` sessions, none with this id): the channel is given back
    /// unchanged.
    #[expect(
        clippy::result_large_err,
        reason = "a full table hands the caller's channel back rather than dropping its keys"
    )]
    pub fn insert(
        &mut self,
        channel: Channel<W, SLOTS>,
    ) -> Result<Option<Channel<W, SLOTS>>, Channel<W, SLOTS>> {
        if let Some(slot) = self.slot_of(channel.conn_id()) {
            return Ok(slot.replace(channel));
        }
        match self.slots.iter_mut().find(|s| s.is_none()) {
            Some(free) => {
                *free = Some(channel);
                Ok(None)
            }
            None => Err(channel),
        }
    }

    /// Removes a session (dropping it zeroizes its keys).
    pub fn remove(&mut self, conn_id: u8) -> Option<Channel<W, SLOTS>> {
        self.slot_of(conn_id).and_then(Option::take)
    }

    /// The session for `conn_id`.
    pub fn get_mut(&mut self, conn_id: u8) -> Option<&mut Channel<W, SLOTS>> {
        self.slot_of(conn_id).and_then(Option::as_mut)
    }

    /// Number of sessions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.sessions().count()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sessions().next().is_none()
    }

    /// Removes closed sessions (zeroizing them), calling `reaped` with each one's
    /// connection id in slot order; returns how many were removed.
    pub fn reap_closed(&mut self, mut reaped: impl FnMut(u8)) -> usize {
        let mut n = 0usize;
        for slot in &mut self.slots {
            if let Some(c) = slot.take_if(|c| c.is_closed()) {
                reaped(c.conn_id());
                n = n.saturating_add(1);
            }
        }
        n
    }

    /// The connection id in a frame's clear header.
    ///
    /// # Errors
    /// [`ProtoError::Malformed`] if the header does not parse.
    pub fn peek_conn_id(frame: &[u8]) -> Result<u8, ProtoError> {
        let view = Frame::new_checked(frame)?;
        Ok(FrameRepr::parse(&view)?.conn_id)
    }

    /// Routes `frame` to its session and opens it there.
    ///
    /// # Errors
    /// [`Rejection::UnknownConnection`] for an id without a session, otherwise the
    /// errors of [`Channel::open`]. Closed sessions stay in the table until
    /// [`SessionTable::reap_closed`] or [`SessionTable::remove`].
    pub fn open<'a, C: CryptoProvider>(
        &'a mut self,
        crypto: &mut C,
        frame: &'a mut [u8],
    ) -> Result<(u8, Opened<'a>), ProtoError> {
        let id = Self::peek_conn_id(frame)?;
        let channel = self.get_mut(id).ok_or(Rejection::UnknownConnection(id))?;
        Ok((id, channel.open(crypto, frame)?))
    }
}
