//! A real EDHOC handshake (iomt-auth) over the stream transport, driven by
//! `transport::handshake`, then the channel from `Channel::from_edhoc` on the same link.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

mod common;

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use iomt_auth::cred::{PeerIdentity, StaticTrustStore};
use iomt_auth::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_crypto::{AeadAlgorithm, RustCryptoProvider};
use iomt_proto::transport::Stream;
use iomt_proto::transport::handshake::{HandshakeError, run_initiator, run_responder};
use iomt_proto::{Channel, Side};

/// A blocking byte pipe between threads (the in-memory pipes are single-threaded).
struct ThreadPipe {
    rx: Receiver<Vec<u8>>,
    tx: Sender<Vec<u8>>,
    pending: VecDeque<u8>,
}

#[derive(Debug, PartialEq)]
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
impl embedded_io::ErrorType for ThreadPipe {
    type Error = Closed;
}
impl embedded_io::Read for ThreadPipe {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Closed> {
        if self.pending.is_empty() {
            match self.rx.recv() {
                Ok(chunk) => self.pending.extend(chunk),
                Err(_) => return Ok(0),
            }
        }
        // Short reads on purpose: at most 5 bytes per call.
        let n = buf.len().min(self.pending.len()).min(5);
        for b in &mut buf[..n] {
            *b = self.pending.pop_front().unwrap();
        }
        Ok(n)
    }
}
impl embedded_io::Write for ThreadPipe {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Closed> {
        // Short writes on purpose: at most 7 bytes per call.
        let n = buf.len().min(7);
        self.tx.send(buf[..n].to_vec()).map_err(|_| Closed)?;
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Closed> {
        Ok(())
    }
}

fn pipes() -> (ThreadPipe, ThreadPipe) {
    let (a_tx, b_rx) = channel();
    let (b_tx, a_rx) = channel();
    (
        ThreadPipe {
            rx: a_rx,
            tx: a_tx,
            pending: VecDeque::new(),
        },
        ThreadPipe {
            rx: b_rx,
            tx: b_tx,
            pending: VecDeque::new(),
        },
    )
}

use iomt_testkit::peers::{self, Crypto};

fn responder(
    link: ThreadPipe,
    trust_initiator: bool,
) -> Result<(Channel, Stream<ThreadPipe>), String> {
    responder_with_suites(link, trust_initiator, &[2, 5])
}

fn responder_with_suites(
    link: ThreadPipe,
    trust_initiator: bool,
    suites: &[u8],
) -> Result<(Channel, Stream<ThreadPipe>), String> {
    let (mut crypto, peer, mut state) = peers::responder(trust_initiator, suites);
    let mut link = Stream::new(link);
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
    .map_err(|e| format!("{e:?}"))?;
    let done = state.completed().unwrap();
    assert_eq!(done.peer_identity(), PeerIdentity::from_slice(b"device-42"));
    let ch = Channel::from_edhoc(&mut crypto, done, Side::Responder).unwrap();
    Ok((ch, link))
}

fn run(suite: u8) -> AeadAlgorithm {
    let (dev_pipe, gw_pipe) = pipes();
    let gw = thread::spawn(move || {
        let (mut ch, mut link) = responder(gw_pipe, true).unwrap();
        let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
        let mut buf = [0u8; 1100];
        // Echo 100 frames back, upper-cased.
        for _ in 0..100 {
            let o = link.recv(&mut ch, &mut crypto, &mut buf).unwrap();
            let reply = o.payload.to_ascii_uppercase();
            let mut out = [0u8; 1100];
            let n = ch.seal_data(&mut crypto, None, &reply, &mut out).unwrap();
            link.send_frame(&out[..n]).unwrap();
        }
        ch.algorithm()
    });

    let (r, mut state, mut link, mut crypto) = initiator(dev_pipe, &[suite], true);
    r.unwrap();
    let done = state.completed().unwrap();
    let mut ch: Channel = Channel::from_edhoc(&mut crypto, done, Side::Initiator).unwrap();
    let mut buf = [0u8; 1100];
    for i in 0..100u32 {
        let msg = format!("reading {i}");
        let n = ch
            .seal_data(&mut crypto, None, msg.as_bytes(), &mut buf)
            .unwrap();
        link.send_frame(&buf[..n]).unwrap();
        let o = link.recv(&mut ch, &mut crypto, &mut buf).unwrap();
        assert_eq!(o.payload, msg.to_ascii_uppercase().as_bytes());
    }
    let alg = gw.join().unwrap();
    assert_eq!(alg, ch.algorithm());
    alg
}

#[test]
fn edhoc_handshake_then_channel_suite_5() {
    assert_eq!(run(5), AeadAlgorithm::ChaCha20Poly1305);
}

#[test]
fn edhoc_handshake_then_channel_suite_2() {
    assert_eq!(run(2), AeadAlgorithm::AesCcm16_64_128);
}

#[test]
fn edhoc_failure_is_reported_on_both_sides() {
    let (dev_pipe, gw_pipe) = pipes();
    // The responder does not trust the initiator's kid.
    let gw = thread::spawn(move || responder(gw_pipe, false).map(|_| ()));
    let (r, _state, link, _crypto) = initiator(dev_pipe, &[5], true);
    // The initiator gets the responder's EDHOC error message instead of message_4.
    assert!(matches!(r, Err(HandshakeError::Auth(_))), "{r:?}");
    drop(link);
    let g = gw.join().unwrap();
    assert!(g.is_err());
}

/// Runs `run_initiator` (RFC 9529 §3 initiator credential, method 2, trusting the
/// responder's kid) offering `suites` over `dev_pipe`; returns the result, the state, the
/// link and the provider.
fn initiator(
    dev_pipe: ThreadPipe,
    suites: &[u8],
    expect_message_4: bool,
) -> (
    Result<(), HandshakeError<Closed>>,
    InitiatorState<Crypto>,
    Stream<ThreadPipe>,
    Crypto,
) {
    let (mut crypto, peer, mut state) = peers::initiator(suites, expect_message_4);
    let mut link = Stream::new(dev_pipe);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let r = run_initiator(
        &mut link,
        &mut crypto,
        &mut state,
        &peer.trust(),
        &peer.local(),
        &mut rx,
        &mut tx,
    );
    (r, state, link, crypto)
}

/// Known issue 1b: the responder supports only suite 2, the initiator prefers 5. The
/// responder answers ERR_CODE 2 (SUITES_R = 2); both drivers retry once and complete
/// with suite 2.
#[test]
fn suite_negotiation_is_retried_once_by_both_drivers() {
    let (dev_pipe, gw_pipe) = pipes();
    let gw = thread::spawn(move || {
        let (ch, mut link) = responder_with_suites(gw_pipe, true, &[2]).unwrap();
        let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
        let mut ch = ch;
        let mut buf = [0u8; 256];
        let o = link.recv(&mut ch, &mut crypto, &mut buf).unwrap();
        assert_eq!(o.payload, b"after retry");
        ch.algorithm()
    });
    let (r, mut state, mut link, mut crypto) = initiator(dev_pipe, &[5, 2], true);
    r.unwrap();
    let done = state.completed().unwrap();
    assert_eq!(done.selected_suite().id(), 2);
    let mut ch: Channel = Channel::from_edhoc(&mut crypto, done, Side::Initiator).unwrap();
    let mut buf = [0u8; 256];
    let n = ch
        .seal_data(&mut crypto, None, b"after retry", &mut buf)
        .unwrap();
    link.send_frame(&buf[..n]).unwrap();
    assert_eq!(gw.join().unwrap(), AeadAlgorithm::AesCcm16_64_128);
    assert_eq!(ch.algorithm(), AeadAlgorithm::AesCcm16_64_128);
}

/// A responder that answers every message_1 with ERR_CODE 2 (SUITES_R = 2) can't keep
/// the initiator looping: it sends message_1 twice, then fails with PeerError 2.
#[test]
fn initiator_suite_retry_is_bounded() {
    let (dev_pipe, gw_pipe) = pipes();
    let gw = thread::spawn(move || {
        let mut link = Stream::new(gw_pipe);
        let mut rx = [0u8; 512];
        let mut suites_seen = Vec::new();
        // count message_1s until the initiator hangs up
        while let Ok(m1) = link.recv_frame(&mut rx) {
            // METHOD, then SUITES_I (an int or an array whose last item is selected)
            suites_seen.push(m1[1]);
            link.send_frame(&[0x02, 0x02]).unwrap();
        }
        suites_seen
    });
    let (r, mut state, link, _crypto) = initiator(dev_pipe, &[5, 2], false);
    assert!(
        matches!(
            r,
            Err(HandshakeError::Auth(iomt_auth::AuthError::PeerError {
                code: 2
            }))
        ),
        "{r:?}"
    );
    assert!(state.completed().is_none());
    drop(link);
    // first message_1: SUITES_I = 5; the retry: SUITES_I = [5, 2] (array of 2 = 0x82)
    assert_eq!(gw.join().unwrap(), vec![0x05, 0x82]);
}

/// An initiator that keeps selecting an unsupported suite gets two ERR_CODE 2 answers,
/// then the responder gives up with the original error.
#[test]
fn responder_suite_retry_is_bounded() {
    let (dev_pipe, gw_pipe) = pipes();
    let gw = thread::spawn(move || responder_with_suites(gw_pipe, true, &[2]).map(|_| ()));
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let mut link = Stream::new(dev_pipe);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let mut errors = Vec::new();
    for _ in 0..2 {
        let mut state = InitiatorState::<Crypto>::new(&InitiatorConfig {
            method: Method::SigStat,
            suites: &[5],
            c_i: ConnId::new(&[0x01]).unwrap(),
            expect_message_4: false,
            ead_labels: EadLabels::NONE,
        })
        .unwrap();
        let n = state.write_message_1(&mut crypto, &[], &mut tx).unwrap();
        link.send_frame(&tx[..n]).unwrap();
        errors.push(link.recv_frame(&mut rx).unwrap().to_vec());
    }
    assert_eq!(errors, vec![vec![0x02, 0x02], vec![0x02, 0x02]]);
    let e = gw.join().unwrap().unwrap_err();
    assert!(e.contains("WrongSelectedSuite"), "{e}");
}

/// A link for one scripted peer: `recv_frame` hands out the queued frames, `send_frame`
/// fails (the initiator is gone) and counts the attempts.
struct ScriptedLink {
    inbox: VecDeque<Vec<u8>>,
    recvs: usize,
    sends: usize,
}

impl iomt_proto::transport::FrameLink for ScriptedLink {
    type Error = Closed;
    fn send_frame(
        &mut self,
        _frame: &[u8],
    ) -> Result<(), iomt_proto::transport::TransportError<Closed>> {
        self.sends += 1;
        Err(iomt_proto::transport::TransportError::Io(Closed))
    }
    fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], iomt_proto::transport::TransportError<Closed>> {
        self.recvs += 1;
        let f = self
            .inbox
            .pop_front()
            .ok_or(iomt_proto::transport::TransportError::UnexpectedEof)?;
        buf[..f.len()].copy_from_slice(&f);
        Ok(&mut buf[..f.len()])
    }
}

/// If the ERR_CODE 2 answer could not be sent, the initiator can't retry: the responder
/// must not wait for (or accept) another message_1.
#[test]
fn responder_waits_for_a_retry_only_if_its_error_was_sent() {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let mut m1 = [0u8; 128];
    let mut is = InitiatorState::<Crypto>::new(&InitiatorConfig {
        method: Method::SigStat,
        suites: &[5],
        c_i: ConnId::new(&[0x01]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let n = is.write_message_1(&mut crypto, &[], &mut m1).unwrap();
    let mut link = ScriptedLink {
        inbox: VecDeque::from([m1[..n].to_vec(), m1[..n].to_vec()]),
        recvs: 0,
        sends: 0,
    };
    let (_, peer, mut state) = peers::responder(false, &[2]);
    let trust: StaticTrustStore<'_, 0> = StaticTrustStore::new([]);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let r = run_responder(
        &mut link,
        &mut crypto,
        &mut state,
        &trust,
        &peer.local(),
        &mut rx,
        &mut tx,
    );
    assert!(
        matches!(
            r,
            Err(HandshakeError::Auth(iomt_auth::AuthError::PeerMisbehaved(
                iomt_auth::error::PeerMisbehaved::WrongSelectedSuite
            )))
        ),
        "{r:?}"
    );
    assert_eq!((link.recvs, link.sends), (1, 1));
    assert!(state.is_failed());
}

/// Fail early: a gateway that cannot serve at all (its responder state could not be
/// built) answers message_1 with an EDHOC error naming the cause; the device's driver
/// fails with `PeerRefused(cause)`, not with a broken pipe, and sends nothing back.
#[test]
fn a_gateway_that_cannot_serve_refuses_with_an_edhoc_error_naming_the_cause() {
    use iomt_auth::AuthError;
    use iomt_auth::edhoc::Refusal;
    use iomt_auth::error::ApiMisuse;
    use iomt_proto::transport::handshake::refuse;
    let built = |methods: &[Method]| {
        ResponderState::<Crypto>::new(&ResponderConfig {
            suites: &[2],
            methods,
            c_r: ConnId::new(&[0x2A]).unwrap(),
            send_message_4: true,
            ead_labels: EadLabels::NONE,
        })
        .map(|_| ())
    };
    let cases = [
        (built(&[]).unwrap_err(), Refusal::InvalidConfig),
        (
            AuthError::ApiMisuse(ApiMisuse::MethodNotBuilt),
            Refusal::MethodNotBuilt,
        ),
        (
            AuthError::ApiMisuse(ApiMisuse::InvalidLocalCredential),
            Refusal::NoCredential,
        ),
        (
            AuthError::Crypto(iomt_crypto::CryptoError::Rng),
            Refusal::Unavailable,
        ),
    ];
    for (cause, named) in cases {
        let (dev_pipe, gw_pipe) = pipes();
        let gw = thread::spawn(move || {
            let mut link = Stream::new(gw_pipe);
            let mut rx = [0u8; 512];
            let e = refuse(&mut link, &cause, &mut rx);
            // nothing comes back: the device does not answer an error with an error
            let mut buf = [0u8; 64];
            (e, link.recv_frame(&mut buf).map(|f| f.len()).is_err())
        });
        let (r, state, link, _crypto) = initiator(dev_pipe, &[2], true);
        assert_eq!(r, Err(HandshakeError::Auth(AuthError::PeerRefused(named))));
        assert_eq!(AuthError::PeerRefused(named).code(), 339);
        assert!(matches!(state, InitiatorState::Failed(_)));
        let mut out = [0u8; 64];
        assert_eq!(state.error_message(&mut out), Ok(None));
        drop(link);
        let (g, nothing_back) = gw.join().unwrap();
        assert_eq!(g, HandshakeError::Auth(cause));
        assert!(nothing_back);
    }
}

/// A gateway whose link ends before message_1 reports the transport, and a device whose
/// message_1 meets a closed gateway still sees a transport error (no false refusal).
#[test]
fn a_refusal_needs_a_message_1() {
    use iomt_auth::AuthError;
    use iomt_proto::transport::handshake::refuse;
    let (dev_pipe, gw_pipe) = pipes();
    drop(dev_pipe);
    let mut link = Stream::new(gw_pipe);
    let e = refuse(&mut link, &AuthError::AuthenticationFailed, &mut [0u8; 64]);
    assert!(matches!(e, HandshakeError::Transport(_)), "{e:?}");
}
