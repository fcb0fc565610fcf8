//! Transports over `embedded-io` 0.7 `Read`/`Write` (feature `embedded-io`).
//!
//! - [`stream`]: byte streams (UART, TCP, USB CDC). Each frame is preceded by a
//!   2-byte big-endian length. Chosen over COBS because it costs a fixed 2 bytes (COBS
//!   costs 1 + ⌈n/254⌉ plus the delimiter) and needs no second buffer; the price is that
//!   a corrupted length on a lossy UART desynchronizes the stream (the next frames fail
//!   authentication and the session must be re-established). Use it on reliable streams
//!   (TCP, USB, UART with hardware CRC/flow control).
//! - [`datagram`]: message transports (BLE GATT writes/notifications, UDP, L2CAP CoC):
//!   exactly one frame per datagram.
//! - [`fragmented`]: the datagram transport with an MTU: frames and EDHOC messages
//!   longer than one datagram (down to BLE's 20-byte ATT payload) are fragmented and
//!   reassembled ([`crate::fragment`]).
//! - [`memory`]: in-memory stream and datagram pipes for tests and host simulations,
//!   with optional short reads/writes to exercise the partial-I/O paths.
//! - `std_io` (feature `std`): `StdIo` adapts any `std::io::Read + Write` (a
//!   `TcpStream`, a serial port) to `embedded-io`, for gateways and host tools.
//!
//! # Invariants
//! - `write_all` is never called (it panics on `Ok(0)`): writers loop on `write` and
//!   turn `Ok(0)` into [`TransportError::WriteZero`].
//! - Readers loop on partial reads; end of stream inside a frame is
//!   [`TransportError::UnexpectedEof`].
//! - An oversized length prefix is skipped (its bytes read and discarded) so the stream
//!   stays aligned, and reported as [`TransportError::FrameTooLarge`].
//!
//! - `handshake` (features `edhoc` + `embedded-io`): runs the EDHOC handshake over a
//!   [`FrameLink`] (or, feature `async`, an [`AsyncFrameLink`]); then
//!   `Channel::from_edhoc` starts the channel.
//! - Feature `async`: [`AsyncFrameLink`] for [`Stream`], [`Datagram`] and [`Fragmented`]
//!   over `embedded-io-async` 0.7. Each transport's I/O logic and the handshake drivers
//!   exist once, as async code; the blocking API runs it with I/O that never waits.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use crate::error::ProtoError;

pub mod datagram;
pub mod fragmented;
#[cfg(feature = "edhoc")]
#[cfg_attr(docsrs, doc(cfg(feature = "edhoc")))]
pub mod handshake;
mod io;
pub mod memory;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod std_io;
pub mod stream;

pub use datagram::Datagram;
pub use fragmented::Fragmented;
#[cfg(feature = "std")]
pub use std_io::{StdIo, StdIoError};
pub use stream::Stream;

/// A transport failure: the I/O layer's error, or the channel's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransportError<E> {
    /// The underlying `Read`/`Write` failed.
    Io(E),
    /// The channel rejected or could not produce a frame.
    Proto(ProtoError),
    /// `write` returned `Ok(0)`.
    WriteZero,
    /// The stream ended inside a frame (or before one, for [`Stream::recv`]).
    UnexpectedEof,
    /// A frame longer than the buffer or [`crate::MAX_FRAME_LEN`] (skipped on streams).
    FrameTooLarge {
        /// The announced or received length.
        len: usize,
    },
    /// A datagram transport accepted only part of a frame.
    DatagramTruncated,
}

impl<E> From<ProtoError> for TransportError<E> {
    fn from(e: ProtoError) -> Self {
        Self::Proto(e)
    }
}

impl<E> From<crate::fragment::FragmentError> for TransportError<E> {
    fn from(e: crate::fragment::FragmentError) -> Self {
        Self::Proto(ProtoError::Fragment(e))
    }
}

impl<E: fmt::Debug> fmt::Display for TransportError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "I/O error: {e:?}"),
            Self::Proto(e) => write!(f, "{e}"),
            Self::WriteZero => f.write_str("write returned 0"),
            Self::UnexpectedEof => f.write_str("unexpected end of stream"),
            Self::FrameTooLarge { len } => write!(f, "frame of {len} bytes too large"),
            Self::DatagramTruncated => f.write_str("datagram truncated"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for TransportError<E> {}

/// Writes all of `bytes` with repeated `write` calls (never `write_all`).
///
/// # Errors
/// [`TransportError::Io`], or [`TransportError::WriteZero`] if `write` returns `Ok(0)`.
pub fn write_fully<W: embedded_io::Write + ?Sized>(
    w: &mut W,
    bytes: &[u8],
) -> Result<(), TransportError<W::Error>> {
    io::block_on(io::write_fully(&mut io::Blocking(w), bytes))
}

/// Fills `buf` with repeated `read` calls.
///
/// # Errors
/// [`TransportError::Io`], or [`TransportError::UnexpectedEof`] on `Ok(0)`.
pub fn read_fully<R: embedded_io::Read + ?Sized>(
    r: &mut R,
    buf: &mut [u8],
) -> Result<(), TransportError<R::Error>> {
    io::block_on(io::read_fully(&mut io::Blocking(r), buf))
}

/// A link that carries whole frames (or EDHOC messages): [`Stream`] and [`Datagram`].
pub trait FrameLink {
    /// The I/O error type.
    type Error;

    /// Sends one frame.
    ///
    /// # Errors
    /// The link's [`TransportError`].
    fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<Self::Error>>;

    /// Receives one frame into `buf`.
    ///
    /// # Errors
    /// The link's [`TransportError`].
    fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<Self::Error>>;

    /// Receives one frame and opens it with `channel`.
    ///
    /// # Errors
    /// As [`FrameLink::recv_frame`], plus channel errors as [`TransportError::Proto`].
    fn recv<'b, C: iomt_crypto::CryptoProvider, const W: u32, const SLOTS: usize>(
        &mut self,
        channel: &'b mut crate::Channel<W, SLOTS>,
        crypto: &mut C,
        buf: &'b mut [u8],
    ) -> Result<crate::Opened<'b>, TransportError<Self::Error>> {
        let frame = self.recv_frame(buf)?;
        Ok(channel.open(crypto, frame)?)
    }
}

/// A link that carries whole frames (or EDHOC messages), async: the same contract as
/// [`FrameLink`]. Implemented for [`Stream`], [`Datagram`] and [`Fragmented`] over
/// `embedded-io-async` objects (feature `async`), and used by the async handshake
/// drivers. The blocking and async transports and drivers share one implementation (the
/// blocking ones run it with I/O that never waits).
///
/// The futures are not `Send` (embedded executors such as embassy run tasks on one core).
#[allow(
    async_fn_in_trait,
    reason = "no Send bound on purpose: single-core embedded executors"
)]
pub trait AsyncFrameLink {
    /// The I/O error type.
    type Error;

    /// Sends one frame.
    ///
    /// # Errors
    /// The link's [`TransportError`].
    async fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<Self::Error>>;

    /// Receives one frame into `buf`.
    ///
    /// # Errors
    /// The link's [`TransportError`].
    async fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<Self::Error>>;

    /// Receives one frame and opens it with `channel`.
    ///
    /// # Errors
    /// As [`AsyncFrameLink::recv_frame`], plus channel errors as [`TransportError::Proto`].
    async fn recv<'b, C: iomt_crypto::CryptoProvider, const W: u32, const SLOTS: usize>(
        &mut self,
        channel: &'b mut crate::Channel<W, SLOTS>,
        crypto: &mut C,
        buf: &'b mut [u8],
    ) -> Result<crate::Opened<'b>, TransportError<Self::Error>> {
        let frame = self.recv_frame(buf).await?;
        Ok(channel.open(crypto, frame)?)
    }
}

/// A blocking [`FrameLink`] as an [`AsyncFrameLink`] whose futures are always ready: how
/// the blocking handshake drivers run the one (async) implementation.
#[cfg(feature = "edhoc")]
pub(crate) struct BlockingLink<'a, L: ?Sized>(pub(crate) &'a mut L);

#[cfg(feature = "edhoc")]
impl<L: FrameLink + ?Sized> AsyncFrameLink for BlockingLink<'_, L> {
    type Error = L::Error;
    async fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<L::Error>> {
        self.0.send_frame(frame)
    }
    async fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<L::Error>> {
        self.0.recv_frame(buf)
    }
}

#[cfg(feature = "async")]
impl<T: embedded_io_async::Read + embedded_io_async::Write> AsyncFrameLink for Stream<T> {
    type Error = T::Error;
    async fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<T::Error>> {
        io::stream_send(&mut io::Async(self.inner_mut()), frame).await
    }
    async fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        io::stream_recv(&mut io::Async(self.inner_mut()), buf).await
    }
}

#[cfg(feature = "async")]
impl<T: embedded_io_async::Read + embedded_io_async::Write> AsyncFrameLink for Datagram<T> {
    type Error = T::Error;
    async fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<T::Error>> {
        io::datagram_send(&mut io::Async(self.inner_mut()), frame).await
    }
    async fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        io::datagram_recv(&mut io::Async(self.inner_mut()), buf).await
    }
}

#[cfg(feature = "async")]
impl<T: embedded_io_async::Read + embedded_io_async::Write, const CAP: usize> AsyncFrameLink
    for Fragmented<T, CAP>
{
    type Error = T::Error;
    async fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<T::Error>> {
        let (io, mtu, tx, _) = self.parts();
        io::fragmented_send(&mut io::Async(io), mtu, tx, frame).await
    }
    async fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        let (io, _, _, rx) = self.parts();
        io::fragmented_recv(&mut io::Async(io), rx, buf).await
    }
}

impl<T: embedded_io::Read + embedded_io::Write> FrameLink for Stream<T> {
    type Error = T::Error;
    fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<T::Error>> {
        Self::send_frame(self, frame)
    }
    fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        Self::recv_frame(self, buf)
    }
}

impl<T: embedded_io::Read + embedded_io::Write> FrameLink for Datagram<T> {
    type Error = T::Error;
    fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<T::Error>> {
        Self::send_frame(self, frame)
    }
    fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        Self::recv_frame(self, buf)
    }
}
