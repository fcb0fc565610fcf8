//! The blocking datagram handshake (`retransmit::clock::blocking`: embedded-hal `DelayNs`
//! between polls, `StdClock` for `now`) between two threads over a datagram pipe that
//! drops chosen datagrams: a lost message_1 and two lost message_2 are repaired by
//! retransmission; a dead link ends in the timeout error (340) within the bound.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread;
use std::time::Instant;

mod common;
use common::peers;

use iomt_proto::retransmit::clock::blocking::{
    BlockingHandshakeError, Io, run_initiator, run_responder,
};
use iomt_proto::retransmit::clock::{StdClock, StdDelay};
use iomt_proto::retransmit::edhoc::{DatagramHandshakeError, Event, responder_on_datagram};
use iomt_proto::retransmit::{Retransmit, RetransmitConfig, RetransmitError};
use iomt_proto::transport::Datagram;

/// Fast timers for a test: 40 ms first timeout, 4 retransmissions, give up within 1.1 s.
const FAST: RetransmitConfig = RetransmitConfig {
    initial_timeout_ms: 40,
    max_timeout_ms: 320,
    max_retransmits: 4,
    linger_ms: 2_000,
};

#[derive(Debug)]
struct Closed;
impl core::fmt::Display for Closed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("closed")
    }
}
impl core::error::Error for Closed {}
impl embedded_io::Error for Closed {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::Other
    }
}

/// One end of a datagram pipe; `drop` lists the indices of outgoing datagrams to lose.
struct Pipe {
    rx: Receiver<Vec<u8>>,
    tx: Sender<Vec<u8>>,
    next: Option<Vec<u8>>,
    sent: usize,
    drop: Vec<usize>,
}
impl embedded_io::ErrorType for Pipe {
    type Error = Closed;
}
impl embedded_io::ReadReady for Pipe {
    fn read_ready(&mut self) -> Result<bool, Closed> {
        if self.next.is_none() {
            match self.rx.try_recv() {
                Ok(d) => self.next = Some(d),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => return Ok(false),
            }
        }
        Ok(self.next.is_some())
    }
}
impl embedded_io::Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Closed> {
        let d = match self.next.take() {
            Some(d) => d,
            None => self.rx.recv().map_err(|_| Closed)?,
        };
        buf[..d.len()].copy_from_slice(&d);
        Ok(d.len())
    }
}
impl embedded_io::Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Closed> {
        let i = self.sent;
        self.sent += 1;
        if !self.drop.contains(&i) {
            // the peer may have finished and gone: a datagram to nobody is lost, not an error
            let _ = self.tx.send(buf.to_vec());
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Closed> {
        Ok(())
    }
}

fn pipes(drop_i: Vec<usize>, drop_r: Vec<usize>) -> (Pipe, Pipe) {
    let (a_tx, b_rx) = channel();
    let (b_tx, a_rx) = channel();
    let pipe = |rx, tx, drop| Pipe {
        rx,
        tx,
        next: None,
        sent: 0,
        drop,
    };
    (pipe(a_rx, a_tx, drop_i), pipe(b_rx, b_tx, drop_r))
}

type Res = Result<[u8; 16], BlockingHandshakeError<Closed>>;

/// Sets up the I/O and runs one side's blocking driver (`drive`), then exports a key.
fn with_io(
    pipe: Pipe,
    drive: impl FnOnce(&mut Io<'_, Pipe, StdDelay, StdClock>, &mut Retransmit<256>) -> Res,
) -> Res {
    let mut link = Datagram::new(pipe);
    let (mut delay, mut clock) = (StdDelay, StdClock::new());
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let mut io = Io {
        link: &mut link,
        delay: &mut delay,
        clock: &mut clock,
        poll_ms: 5,
        rx: &mut rx,
        tx: &mut tx,
    };
    let mut r = Retransmit::<256>::new(FAST).unwrap();
    drive(&mut io, &mut r)
}

fn initiator(pipe: Pipe) -> Res {
    let (mut crypto, me, mut state) = peers::initiator(&[2], true);
    with_io(pipe, |io, r| {
        run_initiator(io, r, &mut state, &mut crypto, &me.trust(), &me.local())?;
        let mut k = [0u8; 16];
        state
            .completed()
            .unwrap()
            .exporter(&mut crypto, 0, &[], &mut k)
            .unwrap();
        Ok(k)
    })
}

fn responder(pipe: Pipe) -> Res {
    let (mut crypto, me, mut state) = peers::responder(true, &[2]);
    let (trust, own) = (me.trust(), me.local());
    with_io(pipe, |io, r| {
        run_responder(io, r, &mut state, &mut crypto, &trust, &own)?;
        let mut k = [0u8; 16];
        state
            .completed()
            .unwrap()
            .exporter(&mut crypto, 0, &[], &mut k)
            .unwrap();
        // message_4 may be lost: linger so a retransmitted message_3 gets it again
        let deadline =
            Instant::now() + core::time::Duration::from_millis(u64::from(FAST.linger_ms));
        while Instant::now() < deadline && r.next_deadline().is_some() {
            if embedded_io::ReadReady::read_ready(io.link.inner_mut()).unwrap_or(false) {
                let n = io.link.recv_frame(io.rx).unwrap().len();
                let now = io.clock.now_ms();
                let ev = responder_on_datagram(
                    r,
                    &mut state,
                    &mut crypto,
                    &trust,
                    &own,
                    now,
                    &mut io.rx[..n],
                    io.tx,
                )
                .unwrap();
                if let Event::Send(b) = ev {
                    io.link.send_frame(b).unwrap();
                }
            }
            thread::sleep(core::time::Duration::from_millis(2));
        }
        Ok(k)
    })
}

use iomt_proto::retransmit::clock::Clock;

fn run(drop_i: Vec<usize>, drop_r: Vec<usize>) -> (Res, Res) {
    let (pi, pr) = pipes(drop_i, drop_r);
    let gw = thread::spawn(move || responder(pr));
    let dev = initiator(pi);
    (dev, gw.join().unwrap())
}

#[test]
fn lost_message_1_and_message_2_are_repaired_by_the_blocking_driver() {
    // the initiator's first message_1 is lost, and the responder's first two datagrams
    // (message_2 and its first retransmission or duplicate answer)
    let (dev, gw) = run(vec![0], vec![0, 1]);
    let (dev, gw) = (dev.unwrap(), gw.unwrap());
    assert_eq!(dev, gw);
}

#[test]
fn a_dead_link_ends_in_the_timeout_error_within_the_bound() {
    let (pi, _pr) = pipes((0..100).collect(), vec![]);
    let t = Instant::now();
    let e = initiator(pi).unwrap_err();
    let took = u64::try_from(t.elapsed().as_millis()).unwrap();
    assert!(
        matches!(
            e,
            BlockingHandshakeError::Handshake(DatagramHandshakeError::Retransmit(
                RetransmitError::Timeout
            ))
        ),
        "{e:?}"
    );
    // give-up bound plus poll slack and scheduling
    assert!(took <= FAST.give_up_bound_ms() + 500, "{took} ms");
    assert!(took >= 40 + 80 + 160 + 320 + 320, "{took} ms");
}
