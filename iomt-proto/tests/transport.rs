//! Transport edge cases: partial I/O, Ok(0), EOF, oversized and truncated frames.

mod common;

use core::cell::RefCell;

use common::pair;
use iomt_crypto::AeadAlgorithm;
use iomt_proto::MAX_FRAME_LEN;
use iomt_proto::transport::memory::{DatagramEnd, DatagramPipe, MemoryError, Pipe, StreamEnd};
use iomt_proto::transport::{Datagram, Stream, TransportError};

type E = TransportError<MemoryError>;

#[test]
fn stream_survives_one_byte_reads_and_writes() {
    let (mut c, mut a, mut b) = pair::<64, 4>(AeadAlgorithm::ChaCha20Poly1305).unwrap();
    let p1 = RefCell::new(Pipe::<2048>::new());
    let p2 = RefCell::new(Pipe::<2048>::new());
    p1.borrow_mut().set_chunk_limits(1, 1);
    let mut tx = Stream::new(StreamEnd::new(&p2, &p1));
    let mut rx = Stream::new(StreamEnd::new(&p1, &p2));
    let mut buf = [0u8; 2048];
    let mut rbuf = [0u8; 2048];
    for len in [0usize, 1, 100, 1024] {
        let payload = vec![0xC3; len];
        let n = a.seal_data(&mut c, None, &payload, &mut buf).unwrap();
        tx.send_frame(&buf[..n]).unwrap();
        let o = rx.recv(&mut b, &mut c, &mut rbuf).unwrap();
        assert_eq!(o.payload, &payload[..]);
    }
}

#[test]
fn stream_write_zero_is_an_error_not_a_panic() {
    let p1 = RefCell::new(Pipe::<8>::new());
    let p2 = RefCell::new(Pipe::<8>::new());
    let mut tx = Stream::new(StreamEnd::new(&p2, &p1));
    // 2 + 10 bytes into an 8-byte pipe: the pipe fills, `write` returns Ok(0).
    assert_eq!(
        tx.send_frame(&[1; 10]),
        Err::<(), E>(TransportError::WriteZero)
    );
}

struct ZeroWriter;
impl embedded_io::ErrorType for ZeroWriter {
    type Error = MemoryError;
}
impl embedded_io::Write for ZeroWriter {
    fn write(&mut self, _: &[u8]) -> Result<usize, MemoryError> {
        Ok(0)
    }
    fn flush(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
}

#[test]
fn datagram_and_stream_ok_zero_writers() {
    assert_eq!(
        Stream::new(ZeroWriter).send_frame(&[1, 2, 3]),
        Err(TransportError::WriteZero)
    );
    assert_eq!(
        Datagram::new(ZeroWriter).send_frame(&[1, 2, 3]),
        Err(TransportError::WriteZero)
    );
}

#[test]
fn stream_eof_inside_frame() {
    let p1 = RefCell::new(Pipe::<64>::new());
    let p2 = RefCell::new(Pipe::<64>::new());
    let mut rx = Stream::new(StreamEnd::new(&p1, &p2));
    let mut buf = [0u8; 64];
    assert_eq!(rx.recv_frame(&mut buf).err(), Some(E::UnexpectedEof));
    {
        let mut w = StreamEnd::new(&p2, &p1);
        embedded_io::Write::write(&mut w, &[0, 10, 1, 2, 3]).unwrap();
    }
    assert_eq!(rx.recv_frame(&mut buf).err(), Some(E::UnexpectedEof));
}

#[test]
fn stream_skips_oversized_frames_and_stays_aligned() {
    let (mut c, mut a, mut b) = pair::<64, 4>(AeadAlgorithm::AesCcm16_64_128).unwrap();
    let p1 = RefCell::new(Pipe::<8192>::new());
    let p2 = RefCell::new(Pipe::<8192>::new());
    let mut raw = StreamEnd::new(&p2, &p1);
    let mut rx = Stream::new(StreamEnd::new(&p1, &p2));
    let big = MAX_FRAME_LEN + 1;
    let mut junk = u16::try_from(big).unwrap().to_be_bytes().to_vec();
    junk.extend(vec![0xEE; big]);
    junk.extend([0, 0]); // a zero length prefix
    embedded_io::Write::write(&mut raw, &junk).unwrap();
    let mut buf = [0u8; 128];
    let n = a.seal_data(&mut c, None, b"after", &mut buf).unwrap();
    let frame = buf[..n].to_vec();
    Stream::new(raw).send_frame(&frame).unwrap();

    let mut rbuf = [0u8; 2048];
    assert_eq!(
        rx.recv_frame(&mut rbuf).err(),
        Some(E::FrameTooLarge { len: big })
    );
    assert_eq!(
        rx.recv_frame(&mut rbuf).err(),
        Some(E::FrameTooLarge { len: 0 })
    );
    // A frame larger than the caller's buffer is skipped too.
    let mut small = [0u8; 8];
    Stream::new(StreamEnd::new(&p2, &p1))
        .send_frame(&frame)
        .unwrap();
    assert_eq!(
        rx.recv_frame(&mut small).err(),
        Some(E::FrameTooLarge { len: n })
    );
    let o = rx.recv(&mut b, &mut c, &mut rbuf).unwrap();
    assert_eq!(o.payload, b"after");
}

#[test]
fn stream_rejects_sending_oversized_or_empty() {
    let p1 = RefCell::new(Pipe::<8>::new());
    let p2 = RefCell::new(Pipe::<8>::new());
    let mut tx = Stream::new(StreamEnd::new(&p2, &p1));
    assert_eq!(
        tx.send_frame(&vec![0; MAX_FRAME_LEN + 1]),
        Err(E::FrameTooLarge {
            len: MAX_FRAME_LEN + 1
        })
    );
    assert_eq!(tx.send_frame(&[]), Err(E::FrameTooLarge { len: 0 }));
    assert!(p1.borrow().is_empty());
}

#[test]
fn datagram_truncation_eof_and_protocol_errors() {
    let (mut c, mut a, mut b) = pair::<64, 4>(AeadAlgorithm::ChaCha20Poly1305).unwrap();
    let small = RefCell::new(DatagramPipe::<16, 4>::new());
    let back = RefCell::new(DatagramPipe::<16, 4>::new());
    let mut tx = Datagram::new(DatagramEnd::new(&back, &small));
    let mut buf = [0u8; 64];
    let n = a
        .seal_data(&mut c, None, b"too long for mtu", &mut buf)
        .unwrap();
    assert_eq!(tx.send_frame(&buf[..n]), Err(E::DatagramTruncated));

    let d1 = RefCell::new(DatagramPipe::<2048, 4>::new());
    let d2 = RefCell::new(DatagramPipe::<2048, 4>::new());
    let mut tx = Datagram::new(DatagramEnd::new(&d2, &d1));
    let mut rx = Datagram::new(DatagramEnd::new(&d1, &d2));
    let mut rbuf = [0u8; MAX_FRAME_LEN + 1];
    assert_eq!(rx.recv_frame(&mut rbuf).err(), Some(E::UnexpectedEof));
    d1.borrow_mut()
        .push(&vec![0x40; MAX_FRAME_LEN + 1])
        .unwrap();
    assert_eq!(
        rx.recv_frame(&mut rbuf).err(),
        Some(E::FrameTooLarge {
            len: MAX_FRAME_LEN + 1
        })
    );
    let n = a.seal_data(&mut c, None, b"ok", &mut buf).unwrap();
    tx.send_frame(&buf[..n]).unwrap();
    tx.send_frame(&buf[..n]).unwrap();
    assert_eq!(rx.recv(&mut b, &mut c, &mut rbuf).unwrap().payload, b"ok");
    assert!(matches!(
        rx.recv(&mut b, &mut c, &mut rbuf),
        Err(E::Proto(iomt_proto::ProtoError::Rejected(
            iomt_proto::Rejection::Replayed
        )))
    ));
}

#[test]
fn gateway_demultiplexes_many_devices() {
    use iomt_proto::gateway::SessionTable;
    use iomt_proto::{Channel, ProtoError, Rejection, Side};
    let alg = AeadAlgorithm::AesCcm16_64_128;
    let mut c = common::crypto();
    let mut table = SessionTable::<40, 64, 4>::new();
    let mut devices = Vec::new();
    for k in 0..40u8 {
        let id = table.free_conn_id().unwrap();
        assert_eq!(id, k);
        let secret = [k; 32];
        let gw = table.insert(
            Channel::new(
                &mut c,
                &mut common::exporter(secret),
                alg,
                Side::Responder,
                id,
            )
            .unwrap(),
        );
        assert!(matches!(gw, Ok(None)), "a new id takes a free slot");
        let dev: Channel<64, 4> = Channel::new(
            &mut c,
            &mut common::exporter(secret),
            alg,
            Side::Initiator,
            id,
        )
        .unwrap();
        devices.push(dev);
    }
    assert_eq!(table.len(), 40);
    // Full: no free id, and a new session is handed back untouched.
    assert_eq!(table.free_conn_id(), None);
    let extra = Channel::new(
        &mut c,
        &mut common::exporter([9; 32]),
        alg,
        Side::Responder,
        41,
    );
    let refused = table.insert(extra.unwrap()).err().unwrap();
    assert_eq!(refused.conn_id(), 41);
    for round in 0..3u8 {
        for (k, dev) in devices.iter_mut().enumerate().rev() {
            let k8 = u8::try_from(k).unwrap();
            let mut buf = [0u8; 64];
            let n = dev.seal_data(&mut c, None, &[round, k8], &mut buf).unwrap();
            let (id, o) = table.open(&mut c, &mut buf[..n]).unwrap();
            assert_eq!(usize::from(id), k);
            assert_eq!(o.payload, &[round, k8]);
        }
    }
    // A frame for an unknown id, and a frame re-labelled with another device's id.
    let mut buf = [0u8; 64];
    let n = devices[3].seal_data(&mut c, None, b"x", &mut buf).unwrap();
    let mut f = buf[..n].to_vec();
    f[1] = 200;
    assert_eq!(
        table.open(&mut c, &mut f).err(),
        Some(ProtoError::Rejected(Rejection::UnknownConnection(200)))
    );
    f[1] = 4;
    assert_eq!(
        table.open(&mut c, &mut f).err(),
        Some(ProtoError::AuthenticationFailed)
    );
    assert_eq!(table.open(&mut c, &mut buf[..n]).unwrap().0, 3);
    // Closing one session; reaping removes it.
    let n = devices[7]
        .close(&mut c, iomt_proto::CloseReason::Normal, &mut buf)
        .unwrap();
    table.open(&mut c, &mut buf[..n]).unwrap();
    let mut reaped = Vec::new();
    assert_eq!(table.reap_closed(|id| reaped.push(id)), 1);
    assert_eq!(reaped, [7]);
    assert_eq!(table.free_conn_id(), Some(7));
}
