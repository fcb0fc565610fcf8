//! A datagram link with an MTU: units longer than one datagram are fragmented.
//!
//! [`Fragmented`] is the datagram transport's MTU option: every frame or EDHOC message
//! is sent as one or more datagrams of at most `mtu` bytes, each with the 4-byte
//! fragment header of [`crate::fragment`], and received through a [`Reassembler`] of
//! `CAP` bytes (default [`MAX_FRAME_LEN`], enough for any frame and EDHOC message).
//! It implements [`FrameLink`], so the handshake driver and the channel run over a
//! 20-byte BLE link unchanged. Both ends of a link must use it (the header is on every
//! datagram).
//!
//! The `Write` impl must send each `write` call as one datagram and the `Read` impl
//! must return one datagram per `read` call, as for [`super::Datagram`].
//!
//! # Example
//! ```
//! use core::cell::RefCell;
//! use iomt_proto::transport::{Fragmented, memory::{DatagramEnd, DatagramPipe}};
//! let (a2b, b2a) = (RefCell::new(DatagramPipe::<20, 16>::new()), RefCell::new(DatagramPipe::<20, 16>::new()));
//! let mut a = Fragmented::<_>::new(DatagramEnd::new(&b2a, &a2b), 20)?;
//! let mut b = Fragmented::<_>::new(DatagramEnd::new(&a2b, &b2a), 20)?;
//! let message_2 = [0x42u8; 102];
//! a.send_frame(&message_2)?; // 7 datagrams of <= 20 bytes
//! assert_eq!(a2b.borrow().len(), 7);
//! let mut buf = [0u8; 128];
//! assert_eq!(b.recv_frame(&mut buf)?, &message_2[..]);
//! # Ok::<(), iomt_proto::transport::TransportError<iomt_proto::transport::memory::MemoryError>>(())
//! ```
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use embedded_io::{Read, Write};

use super::{FrameLink, TransportError, io};
use crate::channel::MAX_FRAME_LEN;
use crate::fragment::{FragmentError, Fragmenter, MIN_MTU, Reassembler, ReassemblyStats};

/// The largest datagram [`Fragmented`] sends (its send buffer lives on the stack); BLE's
/// largest ATT payload (LE Data Length Extension, ATT_MTU 247) is 244.
pub const MAX_DATAGRAM_LEN: usize = 256;

/// A datagram link that fragments units longer than `mtu` and reassembles up to `CAP`
/// bytes.
#[derive(Debug)]
pub struct Fragmented<T, const CAP: usize = MAX_FRAME_LEN> {
    io: T,
    mtu: usize,
    tx: Fragmenter,
    rx: Reassembler<CAP>,
}

impl<T, const CAP: usize> Fragmented<T, CAP> {
    /// Wraps a datagram link whose datagrams carry at most `mtu` bytes (20 for BLE's
    /// default ATT payload).
    ///
    /// An `mtu` above [`MAX_DATAGRAM_LEN`] is used as [`MAX_DATAGRAM_LEN`] (bounded stack
    /// use); a link whose MTU exceeds [`MAX_FRAME_LEN`] needs no fragmentation
    /// ([`super::Datagram`]).
    ///
    /// # Errors
    /// [`FragmentError::MtuTooSmall`] below [`MIN_MTU`].
    pub fn new(io: T, mtu: usize) -> Result<Self, FragmentError> {
        if mtu < MIN_MTU {
            return Err(FragmentError::MtuTooSmall);
        }
        Ok(Self {
            io,
            mtu: if mtu > MAX_DATAGRAM_LEN {
                MAX_DATAGRAM_LEN
            } else {
                mtu
            },
            tx: Fragmenter::new(),
            rx: Reassembler::new(),
        })
    }

    /// The MTU.
    #[must_use]
    pub const fn mtu(&self) -> usize {
        self.mtu
    }

    /// The reassembler's counters.
    #[must_use]
    pub const fn stats(&self) -> ReassemblyStats {
        self.rx.stats()
    }

    /// The underlying link.
    pub fn into_inner(self) -> T {
        self.io
    }

    /// The underlying link, mutably.
    pub const fn inner_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// The I/O object, MTU and sans-IO halves, for the async transport.
    #[cfg(feature = "async")]
    pub(crate) const fn parts(
        &mut self,
    ) -> (&mut T, usize, &mut Fragmenter, &mut Reassembler<CAP>) {
        (&mut self.io, self.mtu, &mut self.tx, &mut self.rx)
    }
}

impl<T: Write, const CAP: usize> Fragmented<T, CAP> {
    /// Sends `frame` as `⌈len / (mtu − 4)⌉` datagrams.
    ///
    /// # Errors
    /// [`TransportError::FrameTooLarge`] for an empty frame or one above
    /// [`MAX_FRAME_LEN`], [`FragmentError::TooLarge`] (as [`TransportError::Proto`]) if
    /// it needs more than 128 fragments, [`TransportError::WriteZero`],
    /// [`TransportError::DatagramTruncated`], I/O errors. A failure part-way leaves the
    /// peer with an incomplete unit, which the next unit abandons.
    pub fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<T::Error>> {
        let io = &mut io::Blocking(&mut self.io);
        io::block_on(io::fragmented_send(io, self.mtu, &mut self.tx, frame))
    }
}

impl<T: Read, const CAP: usize> Fragmented<T, CAP> {
    /// Reads datagrams (each into `buf`) until a unit is complete and copies it into
    /// `buf`. Size `buf` for the largest unit expected and at least the MTU.
    ///
    /// # Errors
    /// A refused fragment as [`TransportError::Proto`] (`ProtoError::Fragment`; the
    /// reassembler stays consistent, call again), [`TransportError::FrameTooLarge`] if
    /// the unit does not fit `buf`, [`TransportError::UnexpectedEof`] on `Ok(0)`, I/O
    /// errors.
    pub fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<T::Error>> {
        let io = &mut io::Blocking(&mut self.io);
        io::block_on(io::fragmented_recv(io, &mut self.rx, buf))
    }
}

impl<T: Read, const CAP: usize> Fragmented<T, CAP> {
    /// Reads exactly one datagram into `buf` and gives it to the reassembler: `Some(len)`
    /// when it completed a unit (copied to the start of `buf`), `None` when the unit is
    /// not complete yet. Unlike [`Fragmented::recv_frame`] it never waits for the rest of
    /// a unit, so a caller with a timer (the retransmission driver) keeps control when
    /// fragments are lost. Size `buf` for the largest unit expected and at least the MTU.
    ///
    /// # Errors
    /// A refused fragment as [`TransportError::Proto`] (`ProtoError::Fragment`; the
    /// reassembler stays consistent), [`TransportError::FrameTooLarge`] if the unit does
    /// not fit `buf`, [`TransportError::UnexpectedEof`] on `Ok(0)`, I/O errors.
    pub fn recv_datagram(
        &mut self,
        buf: &mut [u8],
    ) -> Result<Option<usize>, TransportError<T::Error>> {
        let n = self.io.read(buf).map_err(TransportError::Io)?;
        if n == 0 {
            return Err(TransportError::UnexpectedEof);
        }
        let Some(unit) = self.rx.push(buf.get(..n).unwrap_or(&[]))? else {
            return Ok(None);
        };
        let len = unit.len();
        let dst = buf
            .get_mut(..len)
            .ok_or(TransportError::FrameTooLarge { len })?;
        dst.copy_from_slice(unit);
        Ok(Some(len))
    }
}

impl<T: Read + Write, const CAP: usize> FrameLink for Fragmented<T, CAP> {
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
