//! One frame per datagram (BLE GATT, UDP, L2CAP).
//!
//! The `Write` impl must send each `write` call as one datagram and the `Read` impl
//! must return one datagram per `read` call (the usual shape of BLE/UDP adapters).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use embedded_io::{Read, Write};
use iomt_crypto::CryptoProvider;

use super::TransportError;
use crate::channel::{Channel, MAX_FRAME_LEN, Opened};

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
        if frame.is_empty() || frame.len() > MAX_FRAME_LEN {
            return Err(TransportError::FrameTooLarge { len: frame.len() });
        }
        match self.io.write(frame).map_err(TransportError::Io)? {
            0 => Err(TransportError::WriteZero),
            n if n == frame.len() => self.io.flush().map_err(TransportError::Io),
            _ => Err(TransportError::DatagramTruncated),
        }
    }
}

impl<T: Read> Datagram<T> {
    /// Receives one datagram into `buf` (size it [`MAX_FRAME_LEN`] + 1 so an oversized
    /// datagram is detected rather than silently truncated).
    ///
    /// # Errors
    /// [`TransportError::UnexpectedEof`] on `Ok(0)`, [`TransportError::FrameTooLarge`]
    /// above [`MAX_FRAME_LEN`], I/O errors.
    pub fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        let n = self.io.read(buf).map_err(TransportError::Io)?;
        if n == 0 {
            return Err(TransportError::UnexpectedEof);
        }
        if n > MAX_FRAME_LEN {
            return Err(TransportError::FrameTooLarge { len: n });
        }
        buf.get_mut(..n)
            .ok_or(TransportError::FrameTooLarge { len: n })
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
