//! A full EDHOC handshake and channel frames over a 20-byte datagram link (BLE's
//! default ATT payload) through `transport::Fragmented`, and the fragment refusals as
//! the transport reports them.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

mod common;

use core::cell::RefCell;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use iomt_proto::fragment::{BLE_DEFAULT_MTU, FragmentError, Fragmenter};
use iomt_proto::transport::handshake::{run_initiator, run_responder};
use iomt_proto::transport::memory::{DatagramEnd, DatagramPipe, MemoryError};
use iomt_proto::transport::{Fragmented, FrameLink, TransportError};
use iomt_proto::{Channel, ProtoError, Side};
use iomt_testkit::peers;

/// A datagram link between threads that refuses (truncates) datagrams above `mtu`, as
/// a BLE stack does, and records the largest datagram sent.
struct ThreadDatagrams {
    rx: Receiver<Vec<u8>>,
    tx: Sender<Vec<u8>>,
    mtu: usize,
    sent: usize,
}

impl embedded_io::ErrorType for ThreadDatagrams {
    type Error = MemoryError;
}

impl embedded_io::Read for ThreadDatagrams {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryError> {
        let Ok(d) = self.rx.recv() else {
            return Ok(0);
        };
        let n = d.len().min(buf.len());
        buf[..n].copy_from_slice(&d[..n]);
        Ok(n)
    }
}

impl embedded_io::Write for ThreadDatagrams {
    fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryError> {
        assert!(buf.len() <= self.mtu, "datagram of {} > MTU", buf.len());
        self.sent += 1;
        self.tx.send(buf.to_vec()).map_err(|_| MemoryError::Full)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
}

fn link(mtu: usize) -> (ThreadDatagrams, ThreadDatagrams) {
    let (a_tx, b_rx) = channel();
    let (b_tx, a_rx) = channel();
    let end = |rx, tx| ThreadDatagrams {
        rx,
        tx,
        mtu,
        sent: 0,
    };
    (end(a_rx, a_tx), end(b_rx, b_tx))
}

const FRAMES: u32 = 50;

#[test]
fn handshake_and_frames_over_mtu_20() {
    let (dev_end, gw_end) = link(BLE_DEFAULT_MTU);
    let gw = thread::spawn(move || {
        let (mut crypto, peer, mut state) = peers::responder(true, &[2, 5]);
        let mut link = Fragmented::<_>::new(gw_end, BLE_DEFAULT_MTU).unwrap();
        let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
        run_responder(
            &mut link,
            &mut crypto,
            &mut state,
            &peer.trust(),
            &peer.local(),
            &mut rx,
            &mut tx,
        )
        .unwrap();
        let done = state.completed().unwrap();
        let mut ch: Channel = Channel::from_edhoc(&mut crypto, done, Side::Responder).unwrap();
        let mut buf = [0u8; 1100];
        for _ in 0..FRAMES {
            let o = link.recv(&mut ch, &mut crypto, &mut buf).unwrap();
            let reply = o.payload.to_ascii_uppercase();
            let mut out = [0u8; 1100];
            let n = ch.seal_data(&mut crypto, None, &reply, &mut out).unwrap();
            link.send_frame(&out[..n]).unwrap();
        }
        (link.stats(), link.into_inner().sent)
    });

    let (mut crypto, peer, mut state) = peers::initiator(&[5], true);
    let mut link = Fragmented::<_>::new(dev_end, BLE_DEFAULT_MTU).unwrap();
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    run_initiator(
        &mut link,
        &mut crypto,
        &mut state,
        &peer.trust(),
        &peer.local(),
        &mut rx,
        &mut tx,
    )
    .unwrap();
    let handshake_datagrams = link.inner_mut().sent;
    let done = state.completed().unwrap();
    let mut ch: Channel = Channel::from_edhoc(&mut crypto, done, Side::Initiator).unwrap();
    let mut buf = [0u8; 1100];
    for i in 0..FRAMES {
        // payloads from 10 to ~550 bytes: 2 to 37 fragments each
        let msg = format!("reading {i} ").repeat(1 + i as usize);
        let n = ch
            .seal_data(&mut crypto, None, msg.as_bytes(), &mut buf)
            .unwrap();
        link.send_frame(&buf[..n]).unwrap();
        let o = link.recv(&mut ch, &mut crypto, &mut buf).unwrap();
        assert_eq!(o.payload, msg.to_ascii_uppercase().as_bytes());
    }
    let (gw_stats, gw_sent) = gw.join().unwrap();
    // message_1 and message_3 from the device; message_2 (> 20 bytes) and message_4
    assert!(handshake_datagrams >= 2);
    assert!(gw_sent > usize::try_from(FRAMES).unwrap());
    assert_eq!(gw_stats.completed, 2 + FRAMES); // message_1, message_3, frames
    assert_eq!(link.stats().completed, 2 + FRAMES); // message_2, message_4, frames
    assert_eq!(gw_stats.refused + link.stats().refused, 0);
}

type Pipe = RefCell<DatagramPipe<20, 64>>;

fn fragment_err(e: TransportError<MemoryError>) -> FragmentError {
    match e {
        TransportError::Proto(ProtoError::Fragment(f)) => f,
        other => panic!("not a fragment error: {other:?}"),
    }
}

/// A forged fragment that conflicts with a genuine one is reported with its code, the
/// unit is dropped, and the link goes on: the sender's next unit is received whole.
#[test]
fn refusals_reach_the_caller_typed_and_the_link_recovers() {
    let (a2b, b2a): (Pipe, Pipe) = Default::default();
    let mut a = Fragmented::<_>::new(DatagramEnd::new(&b2a, &a2b), 20).unwrap();
    let mut b = Fragmented::<_, 256>::new(DatagramEnd::new(&a2b, &b2a), 20).unwrap();
    let unit = [7u8; 40]; // 3 fragments
    a.send_frame(&unit).unwrap();
    // an attacker replaces the second fragment's payload
    let mut q = a2b.borrow_mut();
    let f0 = q.pop().unwrap();
    let mut f1 = q.pop().unwrap();
    let f2 = q.pop().unwrap();
    f1[5] ^= 0xFF;
    q.push(&f0).unwrap();
    q.push(&f1).unwrap();
    q.push(&f1).unwrap(); // and it is duplicated with the genuine fragment's place taken
    q.push(&f2).unwrap();
    drop(q);
    let mut buf = [0u8; 300];
    // f0, forged f1 (accepted: fragments are not authenticated), duplicate f1 (ignored),
    // then f2 completes a unit that the channel's AEAD would refuse
    let got = b.recv_frame(&mut buf).unwrap().to_vec();
    assert_ne!(got, unit);
    // a conflicting copy of the genuine fragment for the delivered unit is ignored
    a2b.borrow_mut().push(&f2).unwrap();
    a.send_frame(&unit).unwrap();
    assert_eq!(b.recv_frame(&mut buf).unwrap(), &unit[..]);
    assert_eq!(b.stats().duplicates, 2);

    // a conflict inside a unit in progress: typed, unit discarded, link recovers
    a.send_frame(&unit).unwrap();
    let mut q = a2b.borrow_mut();
    let genuine: Vec<_> = (0..3).map(|_| q.pop().unwrap()).collect();
    let mut forged = genuine[0].to_vec();
    forged[6] ^= 1;
    q.push(&forged).unwrap();
    for g in &genuine {
        q.push(g).unwrap();
    }
    drop(q);
    // forged f0 accepted, genuine f0 conflicts: the unit is discarded
    assert_eq!(
        fragment_err(b.recv_frame(&mut buf).unwrap_err()),
        FragmentError::Conflict
    );
    // the rest of the discarded unit can't complete it
    assert_eq!(
        fragment_err(b.recv_frame(&mut buf).unwrap_err()),
        FragmentError::Stale
    );
    assert_eq!(
        fragment_err(b.recv_frame(&mut buf).unwrap_err()),
        FragmentError::Stale
    );
    a.send_frame(&unit).unwrap();
    assert_eq!(b.recv_frame(&mut buf).unwrap(), &unit[..]);
    assert_eq!(ProtoError::Fragment(FragmentError::Conflict).code(), 453);

    // oversized for the receiver's 256-byte reassembler
    a.send_frame(&[1u8; 300]).unwrap();
    assert_eq!(
        fragment_err(b.recv_frame(&mut buf).unwrap_err()),
        FragmentError::TooLarge
    );
    assert!(
        Fragmented::<_>::new(DatagramEnd::new(&a2b, &b2a), 4)
            .err()
            .is_some_and(|e| e == FragmentError::MtuTooSmall)
    );
    let _ = Fragmenter::new();
}
