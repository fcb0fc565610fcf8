//! The one implementation of each transport's I/O logic, written once as `async` code
//! over a private read/write abstraction and run two ways:
//! - blocking (`embedded-io`): through [`Blocking`], whose futures are always ready, by
//!   [`block_on`] (one poll; nothing ever waits);
//! - async (feature `async`, `embedded-io-async`): through [`Async`], awaited by the
//!   caller's executor.
//!
//! So the stream framing, the datagram checks, the fragmenting send/receive loops and the
//! handshake drivers exist once; the blocking and async APIs are thin skins over them.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use super::TransportError;
use crate::channel::MAX_FRAME_LEN;
use crate::fragment::{Fragmenter, Reassembler};

/// Runs a future whose I/O never waits (the [`Blocking`] adapter) to completion.
///
/// Every `Blocking` future is ready at its first poll, so the loop runs once; it loops
/// (rather than failing) only to stay correct if a future ever returned `Pending`.
pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Reading half of a link, async.
pub(crate) trait IoRead {
    type Error;
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
}

/// Writing half of a link, async.
pub(crate) trait IoWrite {
    type Error;
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error>;
    async fn flush(&mut self) -> Result<(), Self::Error>;
}

/// A blocking `embedded-io` object seen as [`IoRead`]/[`IoWrite`] (always ready).
pub(crate) struct Blocking<'a, T: ?Sized>(pub(crate) &'a mut T);

impl<T: embedded_io::Read + ?Sized> IoRead for Blocking<'_, T> {
    type Error = T::Error;
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        self.0.read(buf)
    }
}

impl<T: embedded_io::Write + ?Sized> IoWrite for Blocking<'_, T> {
    type Error = T::Error;
    async fn write(&mut self, buf: &[u8]) -> Result<usize, T::Error> {
        self.0.write(buf)
    }
    async fn flush(&mut self) -> Result<(), T::Error> {
        self.0.flush()
    }
}

/// An `embedded-io-async` object seen as [`IoRead`]/[`IoWrite`].
#[cfg(feature = "async")]
pub(crate) struct Async<'a, T: ?Sized>(pub(crate) &'a mut T);

#[cfg(feature = "async")]
impl<T: embedded_io_async::Read + ?Sized> IoRead for Async<'_, T> {
    type Error = T::Error;
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        self.0.read(buf).await
    }
}

#[cfg(feature = "async")]
impl<T: embedded_io_async::Write + ?Sized> IoWrite for Async<'_, T> {
    type Error = T::Error;
    async fn write(&mut self, buf: &[u8]) -> Result<usize, T::Error> {
        self.0.write(buf).await
    }
    async fn flush(&mut self) -> Result<(), T::Error> {
        self.0.flush().await
    }
}

/// Writes all of `bytes` with repeated `write` calls (never `write_all`).
pub(crate) async fn write_fully<W: IoWrite>(
    w: &mut W,
    mut bytes: &[u8],
) -> Result<(), TransportError<W::Error>> {
    while !bytes.is_empty() {
        let n = w.write(bytes).await.map_err(TransportError::Io)?;
        if n == 0 {
            return Err(TransportError::WriteZero);
        }
        bytes = bytes.get(n..).unwrap_or(&[]);
    }
    Ok(())
}

/// Fills `buf` with repeated `read` calls.
pub(crate) async fn read_fully<R: IoRead>(
    r: &mut R,
    buf: &mut [u8],
) -> Result<(), TransportError<R::Error>> {
    let mut filled = 0usize;
    while let Some(rest) = buf.get_mut(filled..).filter(|b| !b.is_empty()) {
        let n = r.read(rest).await.map_err(TransportError::Io)?;
        if n == 0 {
            return Err(TransportError::UnexpectedEof);
        }
        filled = filled.saturating_add(n);
    }
    Ok(())
}

/// Stream: writes the 2-byte length prefix and the frame, then flushes.
pub(crate) async fn stream_send<W: IoWrite>(
    w: &mut W,
    frame: &[u8],
) -> Result<(), TransportError<W::Error>> {
    let len = u16::try_from(frame.len())
        .ok()
        .filter(|l| *l != 0 && usize::from(*l) <= MAX_FRAME_LEN)
        .ok_or(TransportError::FrameTooLarge { len: frame.len() })?;
    write_fully(w, &len.to_be_bytes()).await?;
    write_fully(w, frame).await?;
    w.flush().await.map_err(TransportError::Io)
}

/// Stream: reads one length-prefixed frame into `buf`; an oversized one is read and
/// discarded so the stream stays aligned.
pub(crate) async fn stream_recv<'b, R: IoRead>(
    r: &mut R,
    buf: &'b mut [u8],
) -> Result<&'b mut [u8], TransportError<R::Error>> {
    let mut prefix = [0u8; super::stream::PREFIX_LEN];
    read_fully(r, &mut prefix).await?;
    let len = usize::from(u16::from_be_bytes(prefix));
    if len == 0 {
        return Err(TransportError::FrameTooLarge { len });
    }
    if len > buf.len() || len > MAX_FRAME_LEN {
        let mut rest = len;
        let mut sink = [0u8; 32];
        while rest > 0 {
            let chunk = sink.get_mut(..rest.min(32)).unwrap_or(&mut []);
            read_fully(r, chunk).await?;
            rest = rest.saturating_sub(32);
        }
        return Err(TransportError::FrameTooLarge { len });
    }
    let frame = buf
        .get_mut(..len)
        .ok_or(TransportError::FrameTooLarge { len })?;
    read_fully(r, frame).await?;
    Ok(frame)
}

/// Datagram: sends one datagram (refusing a partial write), then flushes.
pub(crate) async fn datagram_write<W: IoWrite>(
    w: &mut W,
    datagram: &[u8],
) -> Result<(), TransportError<W::Error>> {
    match w.write(datagram).await.map_err(TransportError::Io)? {
        0 => Err(TransportError::WriteZero),
        n if n == datagram.len() => Ok(()),
        _ => Err(TransportError::DatagramTruncated),
    }
}

/// Datagram: `frame` as exactly one datagram.
pub(crate) async fn datagram_send<W: IoWrite>(
    w: &mut W,
    frame: &[u8],
) -> Result<(), TransportError<W::Error>> {
    if frame.is_empty() || frame.len() > MAX_FRAME_LEN {
        return Err(TransportError::FrameTooLarge { len: frame.len() });
    }
    datagram_write(w, frame).await?;
    w.flush().await.map_err(TransportError::Io)
}

/// Datagram: one datagram into `buf`.
pub(crate) async fn datagram_recv<'b, R: IoRead>(
    r: &mut R,
    buf: &'b mut [u8],
) -> Result<&'b mut [u8], TransportError<R::Error>> {
    let n = r.read(buf).await.map_err(TransportError::Io)?;
    if n == 0 {
        return Err(TransportError::UnexpectedEof);
    }
    if n > MAX_FRAME_LEN {
        return Err(TransportError::FrameTooLarge { len: n });
    }
    buf.get_mut(..n)
        .ok_or(TransportError::FrameTooLarge { len: n })
}

/// Fragmenting datagram link: `frame` as fragments of at most `mtu` bytes.
pub(crate) async fn fragmented_send<W: IoWrite>(
    w: &mut W,
    mtu: usize,
    tx: &mut Fragmenter,
    frame: &[u8],
) -> Result<(), TransportError<W::Error>> {
    if frame.is_empty() || frame.len() > MAX_FRAME_LEN {
        return Err(TransportError::FrameTooLarge { len: frame.len() });
    }
    let fragments = tx.split(frame, mtu)?;
    let mut datagram = [0u8; super::fragmented::MAX_DATAGRAM_LEN];
    for i in 0..fragments.count() {
        let n = fragments.emit(i, &mut datagram)?;
        datagram_write(w, datagram.get(..n).unwrap_or(&[])).await?;
    }
    w.flush().await.map_err(TransportError::Io)
}

/// Fragmenting datagram link: reads datagrams (each into `buf`) until a unit is complete,
/// then copies it into `buf`.
pub(crate) async fn fragmented_recv<'b, R: IoRead, const CAP: usize>(
    r: &mut R,
    rx: &mut Reassembler<CAP>,
    buf: &'b mut [u8],
) -> Result<&'b mut [u8], TransportError<R::Error>> {
    loop {
        let n = r.read(buf).await.map_err(TransportError::Io)?;
        if n == 0 {
            return Err(TransportError::UnexpectedEof);
        }
        if let Some(unit) = rx.push(buf.get(..n).unwrap_or(&[]))? {
            let dst = buf
                .get_mut(..unit.len())
                .ok_or(TransportError::FrameTooLarge { len: unit.len() })?;
            dst.copy_from_slice(unit);
            return Ok(dst);
        }
    }
}
