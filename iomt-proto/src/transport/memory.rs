//! In-memory transports for tests and host simulations.
//!
//! Both ends of a link share two pipes through `RefCell`s (single-threaded, no
//! allocation). A busy `RefCell` is an error ([`MemoryError::Busy`]), never a panic.
//! [`Pipe::set_chunk_limits`] makes reads and writes short, to exercise the
//! partial-I/O loops.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::cell::RefCell;
use core::fmt;

use heapless::{Deque, Vec};

/// Errors of the in-memory transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MemoryError {
    /// The other end holds the pipe (re-entrant use).
    Busy,
    /// The datagram queue is full.
    Full,
}

impl fmt::Display for MemoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Busy => "pipe busy",
            Self::Full => "queue full",
        })
    }
}

impl core::error::Error for MemoryError {}

impl embedded_io::Error for MemoryError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            Self::Busy => embedded_io::ErrorKind::Other,
            Self::Full => embedded_io::ErrorKind::OutOfMemory,
        }
    }
}

/// A one-way byte FIFO of capacity `N`.
#[derive(Debug)]
pub struct Pipe<const N: usize> {
    bytes: Deque<u8, N>,
    max_write: usize,
    max_read: usize,
}

impl<const N: usize> Default for Pipe<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Pipe<N> {
    /// An empty pipe with unlimited chunk sizes.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            bytes: Deque::new(),
            max_write: usize::MAX,
            max_read: usize::MAX,
        }
    }

    /// Limits how many bytes one `write` accepts and one `read` returns (minimum 1).
    pub fn set_chunk_limits(&mut self, max_write: usize, max_read: usize) {
        self.max_write = max_write.max(1);
        self.max_read = max_read.max(1);
    }

    /// Bytes waiting to be read.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn write(&mut self, buf: &[u8]) -> usize {
        let mut n = 0usize;
        for b in buf.iter().take(self.max_write) {
            if self.bytes.push_back(*b).is_err() {
                break;
            }
            n = n.saturating_add(1);
        }
        n
    }

    fn read(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0usize;
        for slot in buf.iter_mut().take(self.max_read) {
            match self.bytes.pop_front() {
                Some(b) => *slot = b,
                None => break,
            }
            n = n.saturating_add(1);
        }
        n
    }
}

/// One end of an in-memory byte stream: reads from `rx`, writes to `tx`.
/// An empty `rx` reads as end of stream (`Ok(0)`); a full `tx` writes `Ok(0)`.
#[derive(Debug, Clone, Copy)]
pub struct StreamEnd<'a, const N: usize> {
    rx: &'a RefCell<Pipe<N>>,
    tx: &'a RefCell<Pipe<N>>,
}

impl<'a, const N: usize> StreamEnd<'a, N> {
    /// An end reading from `rx` and writing to `tx`.
    pub const fn new(rx: &'a RefCell<Pipe<N>>, tx: &'a RefCell<Pipe<N>>) -> Self {
        Self { rx, tx }
    }
}

impl<const N: usize> embedded_io::ErrorType for StreamEnd<'_, N> {
    type Error = MemoryError;
}

impl<const N: usize> embedded_io::Read for StreamEnd<'_, N> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryError> {
        let mut rx = self.rx.try_borrow_mut().map_err(|_| MemoryError::Busy)?;
        Ok(rx.read(buf))
    }
}

impl<const N: usize> embedded_io::Write for StreamEnd<'_, N> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryError> {
        let mut tx = self.tx.try_borrow_mut().map_err(|_| MemoryError::Busy)?;
        Ok(tx.write(buf))
    }

    fn flush(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
}

/// A one-way queue of up to `Q` datagrams of up to `MTU` bytes.
#[derive(Debug)]
pub struct DatagramPipe<const MTU: usize, const Q: usize> {
    queue: Deque<Vec<u8, MTU>, Q>,
}

impl<const MTU: usize, const Q: usize> Default for DatagramPipe<MTU, Q> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const MTU: usize, const Q: usize> DatagramPipe<MTU, Q> {
    /// An empty queue.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            queue: Deque::new(),
        }
    }

    /// Datagrams waiting.
    #[must_use]
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no datagram is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Removes and returns the oldest datagram (tests use this to drop, duplicate and
    /// reorder traffic).
    pub fn pop(&mut self) -> Option<Vec<u8, MTU>> {
        self.queue.pop_front()
    }

    /// Appends a datagram.
    ///
    /// # Errors
    /// [`MemoryError::Full`] if the queue is full or the datagram exceeds `MTU`.
    pub fn push(&mut self, datagram: &[u8]) -> Result<(), MemoryError> {
        let v = Vec::from_slice(datagram).map_err(|_| MemoryError::Full)?;
        self.queue.push_back(v).map_err(|_| MemoryError::Full)
    }
}

/// One end of an in-memory datagram link. A datagram longer than `MTU` is truncated
/// (the write returns `MTU`, which [`super::Datagram`] reports as truncation).
#[derive(Debug, Clone, Copy)]
pub struct DatagramEnd<'a, const MTU: usize, const Q: usize> {
    rx: &'a RefCell<DatagramPipe<MTU, Q>>,
    tx: &'a RefCell<DatagramPipe<MTU, Q>>,
}

impl<'a, const MTU: usize, const Q: usize> DatagramEnd<'a, MTU, Q> {
    /// An end receiving from `rx` and sending to `tx`.
    pub const fn new(
        rx: &'a RefCell<DatagramPipe<MTU, Q>>,
        tx: &'a RefCell<DatagramPipe<MTU, Q>>,
    ) -> Self {
        Self { rx, tx }
    }
}

impl<const MTU: usize, const Q: usize> embedded_io::ErrorType for DatagramEnd<'_, MTU, Q> {
    type Error = MemoryError;
}

impl<const MTU: usize, const Q: usize> embedded_io::Read for DatagramEnd<'_, MTU, Q> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryError> {
        let mut rx = self.rx.try_borrow_mut().map_err(|_| MemoryError::Busy)?;
        let Some(d) = rx.pop() else {
            return Ok(0);
        };
        let n = d.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), d.get(..n)) {
            dst.copy_from_slice(src);
        }
        Ok(n)
    }
}

impl<const MTU: usize, const Q: usize> embedded_io::Write for DatagramEnd<'_, MTU, Q> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryError> {
        let mut tx = self.tx.try_borrow_mut().map_err(|_| MemoryError::Busy)?;
        let n = buf.len().min(MTU);
        tx.push(buf.get(..n).unwrap_or(&[]))?;
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
}

/// Yields once to the executor (wakes itself so it is polled again).
#[cfg(feature = "async")]
async fn yield_now() {
    let mut yielded = false;
    core::future::poll_fn(|cx| {
        if yielded {
            core::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            core::task::Poll::Pending
        }
    })
    .await;
}

/// Async ends (feature `async`): a read of an empty pipe or queue waits (yields to the
/// executor until the other end writes) instead of reading as end of stream; writes are
/// as in the blocking impls. Both ends of a link can then run on one single-threaded
/// executor (e.g. joined futures).
#[cfg(feature = "async")]
mod asynch {
    use super::{DatagramEnd, MemoryError, StreamEnd, yield_now};

    impl<const N: usize> embedded_io_async::Read for StreamEnd<'_, N> {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryError> {
            loop {
                let n = embedded_io::Read::read(self, buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                yield_now().await;
            }
        }
    }

    impl<const N: usize> embedded_io_async::Write for StreamEnd<'_, N> {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryError> {
            embedded_io::Write::write(self, buf)
        }
        async fn flush(&mut self) -> Result<(), MemoryError> {
            Ok(())
        }
    }

    impl<const MTU: usize, const Q: usize> embedded_io_async::Read for DatagramEnd<'_, MTU, Q> {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryError> {
            loop {
                let empty = self
                    .rx
                    .try_borrow()
                    .map_err(|_| MemoryError::Busy)?
                    .is_empty();
                if !empty {
                    return embedded_io::Read::read(self, buf);
                }
                yield_now().await;
            }
        }
    }

    impl<const MTU: usize, const Q: usize> embedded_io_async::Write for DatagramEnd<'_, MTU, Q> {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryError> {
            embedded_io::Write::write(self, buf)
        }
        async fn flush(&mut self) -> Result<(), MemoryError> {
            Ok(())
        }
    }
}
