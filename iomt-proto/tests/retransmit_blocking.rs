//! The blocking datagram handshake (`retransmit::clock::blocking`: embedded-hal `DelayNs`
//! between polls, `StdClock` for `now`) between two threads over a datagram pipe that
//! drops chosen datagrams: a lost message_1 and two lost message_2 are repaired by
//! retransmission; a dead link ends in the timeout error (340) within the bound.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread;
use std::time::Instant;

mod common;
use iomt_testkit::peers;

use iomt_proto::retransmit::clock::blocking::{
    BlockingHandshakeError, Io, PollLink, run_initiator, run_responder,
};
use iomt_proto::retransmit::clock::{StdClock, StdDelay};
use iomt_proto::retransmit::edhoc::{DatagramHandshakeError, Event, responder_on_datagram};
use iomt_proto::retransmit::{Retransmit, RetransmitConfig, RetransmitError};
use iomt_proto::transport::{Datagram, Fragmented, TransportError};

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

/// The link under test: one unit per datagram, or fragmented to a small MTU. Implements
/// the public `PollLink` by delegation (as a device maker's own link type would).
#[allow(clippy::large_enum_variant)] // test-only, one per side
enum Link {
    Plain(Datagram<Pipe>),
    Fragmented(Fragmented<Pipe, 512>),
}
impl PollLink for Link {
    type Error = Closed;
    fn ready(&mut self) -> Result<bool, TransportError<Closed>> {
        match self {
            Self::Plain(l) => l.ready(),
            Self::Fragmented(l) => l.ready(),
        }
    }
    fn recv_one(&mut self, buf: &mut [u8]) -> Result<Option<usize>, TransportError<Closed>> {
        match self {
            Self::Plain(l) => l.recv_one(buf),
            Self::Fragmented(l) => l.recv_one(buf),
        }
    }
    fn send_unit(&mut self, unit: &[u8]) -> Result<(), TransportError<Closed>> {
        match self {
            Self::Plain(l) => l.send_unit(unit),
            Self::Fragmented(l) => l.send_unit(unit),
        }
    }
}

/// Sets up the I/O (fragmented to `mtu` if given) and runs one side's blocking driver
/// (`drive`), then exports a key.
fn with_io(
    pipe: Pipe,
    mtu: Option<usize>,
    drive: impl FnOnce(&mut Io<'_, Link, StdDelay, StdClock>, &mut Retransmit<256>) -> Res,
) -> Res {
    let mut link = match mtu {
        None => Link::Plain(Datagram::new(pipe)),
        Some(mtu) => Link::Fragmented(Fragmented::new(pipe, mtu).unwrap()),
    };
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

fn initiator(pipe: Pipe, mtu: Option<usize>) -> Res {
    let (mut crypto, me, mut state) = peers::initiator(&[2], true);
    with_io(pipe, mtu, |io, r| {
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

fn responder(pipe: Pipe, mtu: Option<usize>) -> Res {
    let (mut crypto, me, mut state) = peers::responder(true, &[2]);
    let (trust, own) = (me.trust(), me.local());
    with_io(pipe, mtu, |io, r| {
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
            if io.link.ready().unwrap_or(false) {
                let Some(n) = io.link.recv_one(io.rx).unwrap() else {
                    continue;
                };
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
                    io.link.send_unit(b).unwrap();
                }
            }
            thread::sleep(core::time::Duration::from_millis(2));
        }
        Ok(k)
    })
}

use iomt_proto::retransmit::clock::Clock;

fn run(drop_i: Vec<usize>, drop_r: Vec<usize>, mtu: Option<usize>) -> (Res, Res) {
    let (pi, pr) = pipes(drop_i, drop_r);
    let gw = thread::spawn(move || responder(pr, mtu));
    let dev = initiator(pi, mtu);
    (dev, gw.join().unwrap())
}

#[test]
fn lost_message_1_and_message_2_are_repaired_by_the_blocking_driver() {
    // the initiator's first message_1 is lost, and the responder's first two datagrams
    // (message_2 and its first retransmission or duplicate answer)
    let (dev, gw) = run(vec![0], vec![0, 1], None);
    let (dev, gw) = (dev.unwrap(), gw.unwrap());
    assert_eq!(dev, gw);
}

#[test]
fn a_dead_link_ends_in_the_timeout_error_within_the_bound() {
    let (pi, _pr) = pipes((0..100).collect(), vec![]);
    let t = Instant::now();
    let e = initiator(pi, None).unwrap_err();
    let took = u64::try_from(t.elapsed().as_millis()).unwrap();
    assert_timed_out_within_the_bound(&e, took);
    assert!(took >= 40 + 80 + 160 + 320 + 320, "{took} ms");
}

#[test]
fn lost_fragments_at_ble_mtu_are_repaired_by_the_blocking_driver() {
    // MTU 20 (BLE's default ATT payload): message_1 (37 B) and message_2 (45 B) are three
    // 20-byte datagrams each. The initiator's second datagram (middle of message_1) and
    // the responder's third (end of message_2) are lost: the driver must not block on the
    // incomplete unit, and the retransmitted message arrives as a new unit.
    let (dev, gw) = run(vec![1], vec![2], Some(20));
    let (dev, gw) = (dev.unwrap(), gw.unwrap());
    assert_eq!(dev, gw);
}

#[test]
fn forged_fragments_are_dropped_not_fatal() {
    // a refused fragment (here: garbage that is not a valid fragment header) is dropped
    // like a lost datagram; the handshake still completes over MTU 20
    let (pi, pr) = pipes(vec![], vec![]);
    pi.tx.send(vec![0xff; 3]).unwrap(); // reaches the responder first: malformed
    let gw = thread::spawn(move || responder(pr, Some(20)));
    let dev = initiator(pi, Some(20));
    let (dev, gw) = (dev.unwrap(), gw.join().unwrap().unwrap());
    assert_eq!(dev, gw);
}

#[test]
fn a_unit_missing_its_last_fragment_does_not_stop_the_timer() {
    // The initiator receives the first fragment of a 45-byte unit and nothing else, and
    // everything it sends is lost: it must still give up with the timeout error within
    // its bound — a driver that waited for the rest of the unit would hang here.
    let (pi, pr) = pipes((0..100).collect(), vec![]);
    let unit = [0x5au8; 45];
    let mut fragmenter = iomt_proto::fragment::Fragmenter::new();
    let fragments = fragmenter.split(&unit, 20).unwrap();
    let mut first = [0u8; 20];
    let n = fragments.emit(0, &mut first).unwrap();
    pr.tx.send(first[..n].to_vec()).unwrap();
    let t = Instant::now();
    let e = initiator(pi, Some(20)).unwrap_err();
    let took = u64::try_from(t.elapsed().as_millis()).unwrap();
    assert_timed_out_within_the_bound(&e, took);
    drop(pr);
}

/// The timeout error (340), within the give-up bound plus poll slack and scheduling.
fn assert_timed_out_within_the_bound(e: &BlockingHandshakeError<Closed>, took: u64) {
    assert!(
        matches!(
            e,
            BlockingHandshakeError::Handshake(DatagramHandshakeError::Retransmit(
                RetransmitError::Timeout
            ))
        ),
        "{e:?}"
    );
    assert!(took <= FAST.give_up_bound_ms() + 500, "{took} ms");
}
