//! One frame per datagram (BLE GATT, UDP, L2CAP).
//!
//! The `Write` impl must send each `write` call as one datagram and the `Read` impl
//! must return one datagram per `read` call (the usual shape of BLE/UDP adapters).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use embedded_io::{Read, Write};
use iomt_crypto::CryptoProvider;

use super::{TransportError, io};
use crate::channel::{Channel, Opened};

/// A datagram link.
#[derive(Debug)]
pub struct Datagram<T> {
    io: T,
}

impl<T> Datagram<T> {
    /// Wraps a datagram link.
    pub const fn new(io: T) -> Self {
        Self { io }
    }

    /// The underlying link.
    pub fn into_inner(self) -> T {
        self.io
    }

    /// The underlying link, mutably.
    pub const fn inner_mut(&mut self) -> &mut T {
        &mut self.io
    }
}

impl<T: Write> Datagram<T> {
    /// Sends `frame` as one datagram.
    ///
    /// # Errors
    /// [`TransportError::WriteZero`] on `Ok(0)`, [`TransportError::DatagramTruncated`]
    /// if only part was accepted, [`TransportError::FrameTooLarge`], I/O errors.
    pub fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<T::Error>> {
        io::block_on(io::datagram_send(&mut io::Blocking(&mut self.io), frame))
    }
}

impl<T: Read> Datagram<T> {
    /// Receives one datagram into `buf` (size it [`crate::MAX_FRAME_LEN`] + 1 so an oversized
    /// datagram is detected rather than silently truncated).
    ///
    /// # Errors
    /// [`TransportError::UnexpectedEof`] on `Ok(0)`, [`TransportError::FrameTooLarge`]
    /// above [`crate::MAX_FRAME_LEN`], I/O errors.
    pub fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        io::block_on(io::datagram_recv(&mut io::Blocking(&mut self.io), buf))
    }

    /// Receives one datagram and opens it with `channel`.
    ///
    /// # Errors
    /// As [`Datagram::recv_frame`], plus channel errors as [`TransportError::Proto`].
    pub fn recv<'b, C: CryptoProvider, const W: u32, const SLOTS: usize>(
        &mut self,
        channel: &'b mut Channel<W, SLOTS>,
        crypto: &mut C,
        buf: &'b mut [u8],
    ) -> Result<Opened<'b>, TransportError<T::Error>> {
        let frame = self.recv_frame(buf)?;
        Ok(channel.open(crypto, frame)?)
    }
}
