//! `embedded-io` 0.7 over `std::net::TcpStream` (the host side of every demo link).
//!
//! Only byte moving lives here: framing, handshakes and channels are iomt-proto's.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;

/// An I/O error from the socket, reduced to its kind (Copy, as `TransportError` wants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoError(pub std::io::ErrorKind);

impl core::fmt::Display for IoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "socket error: {:?}", self.0)
    }
}

impl core::error::Error for IoError {}

impl embedded_io::Error for IoError {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::Other
    }
}

/// A TCP stream as an `embedded_io` `Read + Write`.
#[derive(Debug)]
pub struct TcpIo(pub TcpStream);

impl embedded_io::ErrorType for TcpIo {
    type Error = IoError;
}

impl embedded_io::Read for TcpIo {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // A peer that resets the connection has ended the stream.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(0),
                r => return r.map_err(|e| IoError(e.kind())),
            }
        }
    }
}

impl embedded_io::Write for TcpIo {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        self.0.write(buf).map_err(|e| IoError(e.kind()))
    }

    fn flush(&mut self) -> Result<(), IoError> {
        self.0.flush().map_err(|e| IoError(e.kind()))
    }
}
