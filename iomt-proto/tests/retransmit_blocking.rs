//! The blocking datagram handshake (`retransmit::clock::blocking`: embedded-hal `DelayNs`
//! between polls, `StdClock` for `now`) between two threads over a datagram pipe that
//! drops chosen datagrams: a lost message_1 and two lost message_2 are repaired by
//! retransmission; a dead link ends in the timeout error (340) within the bound.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread;
use std::time::Instant;

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_crypto::{RustCryptoProvider, StaticKey};
use iomt_proto::retransmit::clock::blocking::{
    BlockingHandshakeError, Io, run_initiator, run_responder,
};
use iomt_proto::retransmit::clock::{StdClock, StdDelay};
use iomt_proto::retransmit::edhoc::DatagramHandshakeError;
use iomt_proto::retransmit::{Retransmit, RetransmitConfig, RetransmitError};
use iomt_proto::transport::Datagram;

type Crypto = RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>;

fn h(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// RFC 9529 §3 credentials and keys (the repo's copy: iomt-auth/tests/data).
const CRED_I: &str = "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
const SK_I: &str = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
const SK_R: &str = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";

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

fn initiator(pipe: Pipe) -> Res {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let (cred_i, cred_r) = (h(CRED_I), h(CRED_R));
    let sk = StaticKey::from_bytes(&h(SK_I)).unwrap();
    let me = LocalCredential {
        key: &sk,
        cred: &cred_i,
        id_cred: IdCred::Kid(&[0x2b]),
    };
    let trust = StaticTrustStore::new([TrustEntry {
        kid: &[0x32],
        cred: &cred_r,
        identity: PeerIdentity::from_slice(b"gateway"),
        roles: RoleSet::EMPTY,
    }]);
    let mut state = InitiatorState::<Crypto>::new(&InitiatorConfig {
        method: Method::StatStat,
        suites: &[2],
        c_i: ConnId::new(&[1]).unwrap(),
        expect_message_4: true,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
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
    run_initiator(&mut io, &mut r, &mut state, &mut crypto, &trust, &me)?;
    let mut k = [0u8; 16];
    state
        .completed()
        .unwrap()
        .exporter(&mut crypto, 0, &[], &mut k)
        .unwrap();
    Ok(k)
}

fn responder(pipe: Pipe) -> Res {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let (cred_i, cred_r) = (h(CRED_I), h(CRED_R));
    let sk = StaticKey::from_bytes(&h(SK_R)).unwrap();
    let me = LocalCredential {
        key: &sk,
        cred: &cred_r,
        id_cred: IdCred::Kid(&[0x32]),
    };
    let trust = StaticTrustStore::new([TrustEntry {
        kid: &[0x2b],
        cred: &cred_i,
        identity: PeerIdentity::from_slice(b"device"),
        roles: RoleSet::EMPTY,
    }]);
    let mut state = ResponderState::<Crypto>::new(&ResponderConfig {
        suites: &[2],
        methods: &[Method::StatStat],
        c_r: ConnId::new(&[2]).unwrap(),
        send_message_4: true,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
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
    run_responder(&mut io, &mut r, &mut state, &mut crypto, &trust, &me)?;
    let mut k = [0u8; 16];
    state
        .completed()
        .unwrap()
        .exporter(&mut crypto, 0, &[], &mut k)
        .unwrap();
    // message_4 may be lost: linger so a retransmitted message_3 gets it again
    let deadline = Instant::now() + core::time::Duration::from_millis(u64::from(FAST.linger_ms));
    while Instant::now() < deadline && r.next_deadline().is_some() {
        if embedded_io::ReadReady::read_ready(io.link.inner_mut()).unwrap_or(false) {
            let n = io.link.recv_frame(io.rx).unwrap().len();
            let now = io.clock.now_ms();
            let ev = iomt_proto::retransmit::edhoc::responder_on_datagram(
                &mut r,
                &mut state,
                &mut crypto,
                &trust,
                &me,
                now,
                &mut io.rx[..n],
                io.tx,
            )
            .unwrap();
            if let iomt_proto::retransmit::edhoc::Event::Send(b) = ev {
                io.link.send_frame(b).unwrap();
            }
        }
        thread::sleep(core::time::Duration::from_millis(2));
    }
    Ok(k)
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
