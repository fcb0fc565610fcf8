//! `embedded-io` over `std::net::TcpStream` (the host side of every demo link): iomt-proto's
//! own `std` adapter, named for what the demo uses it with.
//!
//! Only byte moving lives here: framing, handshakes and channels are iomt-proto's.

/// A TCP stream as an `embedded_io` `Read + Write`: `TcpIo(stream)`.
pub use iomt_proto::transport::StdIo as TcpIo;
/// An I/O error from the socket, reduced to its kind.
pub use iomt_proto::transport::StdIoError as IoError;
