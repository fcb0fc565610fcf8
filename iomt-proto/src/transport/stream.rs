//! Length-prefixed frames over a byte stream.
//!
//! ```text
//! +----------------+--------------------------+
//! | length (u16be) | frame (length bytes)     |
//! +----------------+--------------------------+
//! ```
//! `length` is 1..=[`crate::MAX_FRAME_LEN`]; 0 is invalid.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use embedded_io::{Read, Write};
use iomt_crypto::CryptoProvider;

use super::{TransportError, io};
use crate::channel::{Channel, Opened};
use crate::payload::Message;

/// The length-prefix size.
pub(crate) const PREFIX_LEN: usize = 2;

/// A byte stream carrying length-prefixed frames.
///
/// # Example
/// ```
/// use core::cell::RefCell;
/// use iomt_proto::transport::{Stream, memory::{Pipe, StreamEnd}};
/// let (a_to_b, b_to_a) = (RefCell::new(Pipe::<64>::new()), RefCell::new(Pipe::<64>::new()));
/// let mut a = Stream::new(StreamEnd::new(&b_to_a, &a_to_b));
/// let mut b = Stream::new(StreamEnd::new(&a_to_b, &b_to_a));
/// a.send_frame(&[1, 2, 3])?;
/// let mut buf = [0u8; 16];
/// assert_eq!(b.recv_frame(&mut buf)?, &[1, 2, 3]);
/// # Ok::<(), iomt_proto::transport::TransportError<iomt_proto::transport::memory::MemoryError>>(())
/// ```
#[derive(Debug)]
pub struct Stream<T> {
    io: T,
}

impl<T> Stream<T> {
    /// Wraps a byte stream.
    pub const fn new(io: T) -> Self {
        Self { io }
    }

    /// The underlying stream.
    pub fn into_inner(self) -> T {
        self.io
    }

    /// The underlying stream, mutably.
    pub const fn inner_mut(&mut self) -> &mut T {
        &mut self.io
    }
}

impl<T: Write> Stream<T> {
    /// Writes one frame with its length prefix, then flushes.
    ///
    /// # Errors
    /// [`TransportError::FrameTooLarge`] for an empty frame or one above
    /// [`crate::MAX_FRAME_LEN`]; I/O errors and [`TransportError::WriteZero`].
    pub fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<T::Error>> {
        io::block_on(io::stream_send(&mut io::Blocking(&mut self.io), frame))
    }

    /// Seals `msg` into `scratch` with `channel` and sends it.
    ///
    /// # Errors
    /// Channel errors as [`TransportError::Proto`], and [`Stream::send_frame`]'s.
    pub fn send_message<
        C: CryptoProvider,
        const W: u32,
        const SLOTS: usize,
        const N: usize,
        const S: usize,
    >(
        &mut self,
        channel: &mut Channel<W, SLOTS>,
        crypto: &mut C,
        slot: Option<u8>,
        msg: &Message<'_, N, S>,
        scratch: &mut [u8],
    ) -> Result<(), TransportError<T::Error>> {
        let n = channel.seal_message(crypto, slot, msg, scratch)?;
        self.send_frame(scratch.get(..n).unwrap_or(&[]))
    }
}

impl<T: Read> Stream<T> {
    /// Reads one frame into `buf` and returns it.
    ///
    /// # Errors
    /// [`TransportError::UnexpectedEof`] if the stream ends inside a frame (or before
    /// one); [`TransportError::FrameTooLarge`] if the announced length exceeds `buf` or
    /// [`crate::MAX_FRAME_LEN`] (the frame's bytes are read and discarded, so the next call
    /// starts at the next frame); I/O errors.
    pub fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        io::block_on(io::stream_recv(&mut io::Blocking(&mut self.io), buf))
    }

    /// Reads one frame into `buf` and opens it with `channel`.
    ///
    /// # Errors
    /// As [`Stream::recv_frame`], and channel errors as [`TransportError::Proto`] (the
    /// stream stays aligned either way).
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
