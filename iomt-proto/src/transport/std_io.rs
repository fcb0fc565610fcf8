//! `embedded-io` over any `std::io::Read + Write` (feature `std`): a `TcpStream`, a serial
//! port, a Unix socket — so host programs (gateways, tools, tests) use the same transports
//! and handshake driver as firmware.
//!
//! # Invariants
//! - `Interrupted` is retried, never surfaced.
//! - A connection reset by the peer reads as end of stream (`Ok(0)`): the transports then
//!   report [`super::TransportError::UnexpectedEof`] inside a frame, or a clean end between
//!   frames.
//! - Every other error is reported with its `std::io::ErrorKind` ([`StdIoError`]).

use std::io::ErrorKind;

/// An I/O error of the wrapped `std::io` object, reduced to its kind (`Copy`, as
/// [`super::TransportError`] needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StdIoError(pub ErrorKind);

impl core::fmt::Display for StdIoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "I/O error: {:?}", self.0)
    }
}

impl core::error::Error for StdIoError {}

impl embedded_io::Error for StdIoError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self.0 {
            ErrorKind::NotFound => embedded_io::ErrorKind::NotFound,
            ErrorKind::PermissionDenied => embedded_io::ErrorKind::PermissionDenied,
            ErrorKind::ConnectionRefused => embedded_io::ErrorKind::ConnectionRefused,
            ErrorKind::ConnectionReset => embedded_io::ErrorKind::ConnectionReset,
            ErrorKind::ConnectionAborted => embedded_io::ErrorKind::ConnectionAborted,
            ErrorKind::NotConnected => embedded_io::ErrorKind::NotConnected,
            ErrorKind::BrokenPipe => embedded_io::ErrorKind::BrokenPipe,
            ErrorKind::TimedOut => embedded_io::ErrorKind::TimedOut,
            ErrorKind::WriteZero => embedded_io::ErrorKind::WriteZero,
            ErrorKind::Interrupted => embedded_io::ErrorKind::Interrupted,
            ErrorKind::OutOfMemory => embedded_io::ErrorKind::OutOfMemory,
            ErrorKind::InvalidInput => embedded_io::ErrorKind::InvalidInput,
            ErrorKind::InvalidData => embedded_io::ErrorKind::InvalidData,
            _ => embedded_io::ErrorKind::Other,
        }
    }
}

/// A `std::io` reader/writer as an `embedded_io` `Read + Write`.
///
/// ```no_run
/// use iomt_proto::transport::{StdIo, Stream};
/// let socket = std::net::TcpStream::connect("127.0.0.1:5683")?;
/// let link = Stream::new(StdIo(socket));
/// # let _ = link;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct StdIo<T>(pub T);

impl<T> embedded_io::ErrorType for StdIo<T> {
    type Error = StdIoError;
}

impl<T: std::io::Read> embedded_io::Read for StdIo<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, StdIoError> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return Ok(0),
                r => return r.map_err(|e| StdIoError(e.kind())),
            }
        }
    }
}

impl<T: std::io::Write> embedded_io::Write for StdIo<T> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, StdIoError> {
        loop {
            match self.0.write(buf) {
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                r => return r.map_err(|e| StdIoError(e.kind())),
            }
        }
    }

    fn flush(&mut self) -> Result<(), StdIoError> {
        self.0.flush().map_err(|e| StdIoError(e.kind()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_io::{Read as _, Write as _};

    /// A reader that is interrupted once, then resets.
    struct Flaky(u8);
    impl std::io::Read for Flaky {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(1);
            match self.0 {
                1 => Err(ErrorKind::Interrupted.into()),
                2 => {
                    buf[0] = 7;
                    Ok(1)
                }
                3 => Err(ErrorKind::ConnectionReset.into()),
                _ => Err(ErrorKind::PermissionDenied.into()),
            }
        }
    }

    #[test]
    fn interrupted_is_retried_reset_is_eof_other_errors_keep_their_kind() {
        let mut io = StdIo(Flaky(0));
        let mut buf = [0u8; 4];
        assert_eq!(io.read(&mut buf), Ok(1));
        assert_eq!(buf[0], 7);
        assert_eq!(io.read(&mut buf), Ok(0));
        let e = io.read(&mut buf).unwrap_err();
        assert_eq!(e, StdIoError(ErrorKind::PermissionDenied));
        assert_eq!(
            embedded_io::Error::kind(&e),
            embedded_io::ErrorKind::PermissionDenied
        );
        let mut sink = StdIo(std::vec::Vec::new());
        assert_eq!(sink.write(b"abc"), Ok(3));
        assert_eq!(sink.0, b"abc");
    }
}
