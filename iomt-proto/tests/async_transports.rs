//! The async (`embedded-io-async`, feature `async`) transports and handshake drivers:
//! the blocking tests' scenarios — full handshake then frames over a stream with one-byte
//! reads/writes, over a plain datagram link and over a 20-byte fragmenting link; failure
//! reported on both sides; oversized frames skipped with the stream kept aligned; `Ok(0)`
//! writes, truncated datagrams — run on one thread with both sides' futures joined (the
//! in-memory ends wait instead of reading end-of-stream).
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

mod common;

use core::cell::RefCell;

use common::executor::{block_on, join2};
use iomt_auth::edhoc::{InitiatorState, ResponderState};
use iomt_proto::transport::handshake::{HandshakeError, run_initiator_async, run_responder_async};
use iomt_proto::transport::memory::{DatagramEnd, DatagramPipe, MemoryError, Pipe, StreamEnd};
use iomt_proto::transport::{AsyncFrameLink, Datagram, Fragmented, Stream, TransportError};
use iomt_proto::{Channel, MAX_FRAME_LEN, Side};
use iomt_testkit::peers::{self, Crypto};

type E = TransportError<MemoryError>;
const POLLS: usize = 1_000_000;

/// Runs both drivers over `(dev, gw)`, then 20 frames each way; returns the two links.
fn handshake_then_frames<L: AsyncFrameLink<Error = MemoryError>>(
    mut dev: L,
    mut gw: L,
    trust: bool,
) -> Result<(L, L), String> {
    let (mut ci, pi, mut si) = peers::initiator(&[2, 5], true);
    let (mut cr, pr, mut sr) = peers::responder(trust, &[2, 5]);
    let (mut rx_i, mut tx_i, mut rx_r, mut tx_r) = ([0u8; 512], [0u8; 512], [0u8; 512], [0u8; 512]);
    let (ti, li, tr, lr) = (pi.trust(), pi.local(), pr.trust(), pr.local());
    let (ri, rr) = join2(
        run_initiator_async(&mut dev, &mut ci, &mut si, &ti, &li, &mut rx_i, &mut tx_i),
        run_responder_async(&mut gw, &mut cr, &mut sr, &tr, &lr, &mut rx_r, &mut tx_r),
        POLLS,
    );
    match (ri, rr) {
        (Ok(()), Ok(())) => {}
        (ri, rr) => return Err(format!("initiator {ri:?}, responder {rr:?}")),
    }
    let mut dch = channel(&mut ci, &mut si, Side::Initiator);
    let mut gch = channel_r(&mut cr, &mut sr);
    for i in 0..20u32 {
        let msg = format!("reading {i} ").repeat(1 + i as usize * 3);
        let mut out = [0u8; 1100];
        let n = dch
            .seal_data(&mut ci, None, msg.as_bytes(), &mut out)
            .unwrap();
        block_on(dev.send_frame(&out[..n]), POLLS).unwrap();
        let mut buf = [0u8; 1100];
        let got = block_on(gw.recv(&mut gch, &mut cr, &mut buf), POLLS).unwrap();
        assert_eq!(got.payload, msg.as_bytes());
        let n = gch
            .seal_data(
                &mut cr,
                None,
                &msg.as_bytes().to_ascii_uppercase(),
                &mut out,
            )
            .unwrap();
        block_on(gw.send_frame(&out[..n]), POLLS).unwrap();
        let got = block_on(dev.recv(&mut dch, &mut ci, &mut buf), POLLS).unwrap();
        assert_eq!(got.payload, msg.to_ascii_uppercase().as_bytes());
    }
    Ok((dev, gw))
}

fn channel(c: &mut Crypto, s: &mut InitiatorState<Crypto>, side: Side) -> Channel {
    Channel::from_edhoc(c, s.completed().unwrap(), side).unwrap()
}

fn channel_r(c: &mut Crypto, s: &mut ResponderState<Crypto>) -> Channel {
    Channel::from_edhoc(c, s.completed().unwrap(), Side::Responder).unwrap()
}

#[test]
fn async_handshake_then_frames_over_a_stream_with_one_byte_io() {
    let (d2g, g2d) = (
        RefCell::new(Pipe::<4096>::new()),
        RefCell::new(Pipe::<4096>::new()),
    );
    d2g.borrow_mut().set_chunk_limits(1, 1);
    g2d.borrow_mut().set_chunk_limits(1, 1);
    let dev = Stream::new(StreamEnd::new(&g2d, &d2g));
    let gw = Stream::new(StreamEnd::new(&d2g, &g2d));
    handshake_then_frames(dev, gw, true).unwrap();
}

#[test]
fn async_handshake_then_frames_over_datagrams() {
    type P = RefCell<DatagramPipe<1100, 8>>;
    let (d2g, g2d): (P, P) = Default::default();
    let dev = Datagram::new(DatagramEnd::new(&g2d, &d2g));
    let gw = Datagram::new(DatagramEnd::new(&d2g, &g2d));
    handshake_then_frames(dev, gw, true).unwrap();
}

#[test]
fn async_handshake_then_frames_over_mtu_20() {
    type P = RefCell<DatagramPipe<20, 128>>;
    let (d2g, g2d): (P, P) = Default::default();
    let dev = Fragmented::<_>::new(DatagramEnd::new(&g2d, &d2g), 20).unwrap();
    let gw = Fragmented::<_>::new(DatagramEnd::new(&d2g, &g2d), 20).unwrap();
    let (dev, gw) = handshake_then_frames(dev, gw, true).unwrap();
    assert_eq!(dev.stats().completed, 2 + 20); // message_2, message_4, frames
    assert_eq!(gw.stats().completed, 2 + 20);
    assert_eq!(dev.stats().refused + gw.stats().refused, 0);
}

#[test]
fn async_failure_is_reported_on_both_sides() {
    type P = RefCell<DatagramPipe<20, 128>>;
    let (d2g, g2d): (P, P) = Default::default();
    let dev = Fragmented::<_>::new(DatagramEnd::new(&g2d, &d2g), 20).unwrap();
    let gw = Fragmented::<_>::new(DatagramEnd::new(&d2g, &g2d), 20).unwrap();
    // the responder does not trust the initiator's kid: it sends an EDHOC error, which
    // the initiator receives instead of message_4
    let e = handshake_then_frames(dev, gw, false).err().unwrap();
    assert!(e.starts_with("initiator Err(Auth("), "{e}");
    assert!(e.contains("responder Err(Auth("), "{e}");
    let _: Option<HandshakeError<MemoryError>> = None;
}

#[test]
fn async_stream_skips_oversized_frames_and_stays_aligned() {
    let p1 = RefCell::new(Pipe::<8192>::new());
    let p2 = RefCell::new(Pipe::<8192>::new());
    let big = MAX_FRAME_LEN + 1;
    let mut junk = u16::try_from(big).unwrap().to_be_bytes().to_vec();
    junk.extend(vec![0xEE; big]);
    junk.extend([0, 0]); // a zero length prefix
    embedded_io::Write::write(&mut StreamEnd::new(&p2, &p1), &junk).unwrap();
    let mut tx = Stream::new(StreamEnd::new(&p2, &p1));
    block_on(AsyncFrameLink::send_frame(&mut tx, b"after"), POLLS).unwrap();
    let mut rx = Stream::new(StreamEnd::new(&p1, &p2));
    let mut buf = [0u8; 2048];
    let mut recv = |buf: &mut [u8]| {
        block_on(AsyncFrameLink::recv_frame(&mut rx, buf), POLLS).map(|f| f.to_vec())
    };
    assert_eq!(recv(&mut buf).err(), Some(E::FrameTooLarge { len: big }));
    assert_eq!(recv(&mut buf).err(), Some(E::FrameTooLarge { len: 0 }));
    assert_eq!(recv(&mut buf).unwrap(), b"after");
    // sending oversized or empty frames is refused before any byte is written
    assert_eq!(
        block_on(AsyncFrameLink::send_frame(&mut tx, &vec![0; big]), POLLS),
        Err(E::FrameTooLarge { len: big })
    );
    assert_eq!(
        block_on(AsyncFrameLink::send_frame(&mut tx, &[]), POLLS),
        Err(E::FrameTooLarge { len: 0 })
    );
    assert!(p1.borrow().is_empty());
}

/// An async writer that accepts nothing, and a reader at end of stream.
struct Dead;
impl embedded_io_async::ErrorType for Dead {
    type Error = MemoryError;
}
impl embedded_io_async::Write for Dead {
    async fn write(&mut self, _: &[u8]) -> Result<usize, MemoryError> {
        Ok(0)
    }
    async fn flush(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
}
impl embedded_io_async::Read for Dead {
    async fn read(&mut self, _: &mut [u8]) -> Result<usize, MemoryError> {
        Ok(0)
    }
}

#[test]
fn async_ok_zero_writes_and_eof_are_errors_not_panics() {
    let mut buf = [0u8; 64];
    let mut s = Stream::new(Dead);
    assert_eq!(
        block_on(AsyncFrameLink::send_frame(&mut s, &[1, 2]), POLLS),
        Err(E::WriteZero)
    );
    assert_eq!(
        block_on(AsyncFrameLink::recv_frame(&mut s, &mut buf), POLLS).err(),
        Some(E::UnexpectedEof)
    );
    let mut d = Datagram::new(Dead);
    assert_eq!(
        block_on(AsyncFrameLink::send_frame(&mut d, &[1, 2]), POLLS),
        Err(E::WriteZero)
    );
    assert_eq!(
        block_on(AsyncFrameLink::recv_frame(&mut d, &mut buf), POLLS).err(),
        Some(E::UnexpectedEof)
    );
    let mut f = Fragmented::<_>::new(Dead, 20).unwrap();
    assert_eq!(
        block_on(AsyncFrameLink::send_frame(&mut f, &[1, 2]), POLLS),
        Err(E::WriteZero)
    );
    assert_eq!(
        block_on(AsyncFrameLink::recv_frame(&mut f, &mut buf), POLLS).err(),
        Some(E::UnexpectedEof)
    );
}

#[test]
fn async_datagram_truncation_is_an_error() {
    type P = RefCell<DatagramPipe<16, 4>>;
    let (a, b): (P, P) = Default::default();
    let mut tx = Datagram::new(DatagramEnd::new(&b, &a));
    assert_eq!(
        block_on(AsyncFrameLink::send_frame(&mut tx, &[7; 17]), POLLS),
        Err(E::DatagramTruncated)
    );
    // the fragmenting link never sends more than its MTU
    let mut f = Fragmented::<_>::new(DatagramEnd::new(&b, &a), 16).unwrap();
    block_on(AsyncFrameLink::send_frame(&mut f, &[7; 30]), POLLS).unwrap();
    assert_eq!(a.borrow().len(), 1 + 3); // the cut datagram, then 16 + 16 + 6 with headers
}
