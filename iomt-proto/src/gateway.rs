//! Gateway helpers (feature `std`): a session table keyed by connection id.
//!
//! A gateway serving many devices over one datagram socket (UDP, a BLE central with
//! several links) reads the clear connection id from each frame header and hands the
//! frame to that device's [`Channel`]. Connection ids are one byte, so one table (one
//! socket) serves up to 256 sessions; use one table per socket/adapter beyond that.
//!
//! # Invariants
//! A channel is stored under its own [`Channel::conn_id`]; frames for unknown ids are
//! rejected without touching any session.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

extern crate std;

use std::collections::HashMap;

use iomt_crypto::CryptoProvider;

use crate::channel::{Channel, Opened};
use crate::error::{ProtoError, Rejection};
use crate::wire::{Frame, FrameRepr};

/// Sessions by connection id.
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
/// let mut table = SessionTable::<64, 4>::new();
/// let id = table.free_conn_id().unwrap();
/// table.insert(Channel::new(&mut crypto, &mut exporter, alg, Side::Responder, id)?);
/// let mut device: Channel = Channel::new(&mut crypto, &mut exporter, alg, Side::Initiator, id)?;
/// let mut frame = [0u8; 64];
/// let n = device.seal_data(&mut crypto, None, b"hi", &mut frame)?;
/// let (from, opened) = table.open(&mut crypto, &mut frame[..n])?;
/// assert_eq!((from, opened.payload), (id, &b"hi"[..]));
/// # Ok::<(), iomt_proto::ProtoError>(())
/// ```
#[derive(Debug, Default)]
pub struct SessionTable<const W: u32 = 64, const SLOTS: usize = 4> {
    sessions: HashMap<u8, Channel<W, SLOTS>>,
}

impl<const W: u32, const SLOTS: usize> SessionTable<W, SLOTS> {
    /// An empty table.
    #[must_use]
    pub fn new() -> Self {
        Self {
            sessions: HashMap::new(),
        }
    }

    /// The lowest connection id not in use, if any.
    #[must_use]
    pub fn free_conn_id(&self) -> Option<u8> {
        (0..=u8::MAX).find(|id| !self.sessions.contains_key(id))
    }

    /// Stores `channel` under its connection id, returning the session it replaces.
    pub fn insert(&mut self, channel: Channel<W, SLOTS>) -> Option<Channel<W, SLOTS>> {
        self.sessions.insert(channel.conn_id(), channel)
    }

    /// Removes a session (dropping it zeroizes its keys).
    pub fn remove(&mut self, conn_id: u8) -> Option<Channel<W, SLOTS>> {
        self.sessions.remove(&conn_id)
    }

    /// The session for `conn_id`.
    pub fn get_mut(&mut self, conn_id: u8) -> Option<&mut Channel<W, SLOTS>> {
        self.sessions.get_mut(&conn_id)
    }

    /// Number of sessions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Removes closed sessions; returns their connection ids.
    pub fn reap_closed(&mut self) -> std::vec::Vec<u8> {
        let closed: std::vec::Vec<u8> = self
            .sessions
            .iter()
            .filter(|(_, c)| c.is_closed())
            .map(|(id, _)| *id)
            .collect();
        for id in &closed {
            self.sessions.remove(id);
        }
        closed
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
        let channel = self
            .sessions
            .get_mut(&id)
            .ok_or(Rejection::UnknownConnection(id))?;
        Ok((id, channel.open(crypto, frame)?))
    }
}
