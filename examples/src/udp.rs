//! The demo over UDP (`demo --transport udp --loss P`): one connected UDP socket pair
//! per device on 127.0.0.1, each socket wrapped in a lossy shim.
//!
//! **The shim** ([`LossyUdp`]) is a wrapper around the socket, not a relay: every
//! datagram written on either end is dropped with probability P, decided by a seeded
//! [`XorShift`] per direction of each device link (seeded from `--seed`, the device index
//! and the direction), so the n-th datagram a side writes meets the same fate in every run
//! with that seed; which datagrams a side writes can still vary with timing (a
//! retransmission fired by a slow reply adds one).
//!
//! **The handshake** runs iomt-proto's blocking datagram drivers
//! (`retransmit::clock::blocking::{run_initiator, run_responder}`, embedded-hal `DelayNs`
//! = `StdDelay`, clock = `StdClock`) with [`LOOPBACK`] timers. After it, the side that
//! completed first keeps classifying datagrams with the same `Retransmit` state
//! (`Retransmit::received`): the gateway answers a duplicate message_3 (its message_4 was
//! lost) with the same message_4; the device drops a late duplicate message_4. Frames
//! then go over `transport::Datagram`, one frame per datagram: a lost frame is lost, and
//! the channel's replay window accepts the gaps.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;
use std::net::UdpSocket;
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use embedded_io::{ErrorType, Read, ReadReady, Write};
use iomt_auth::audit::Event as AuditEvent;
use iomt_auth::cred::{IdCred, LocalCredential};
use iomt_auth::edhoc::Phase;
use iomt_crypto::RustCryptoProvider;
use iomt_proto::retransmit::clock::blocking::{
    BlockingHandshakeError, Io, run_initiator, run_responder,
};
use iomt_proto::retransmit::clock::{Clock, StdClock, StdDelay};
use iomt_proto::retransmit::edhoc::DatagramHandshakeError;
use iomt_proto::retransmit::{Received, Retransmit, RetransmitConfig, RetransmitError};
use iomt_proto::transport::{Datagram, FrameLink, TransportError};

use crate::creds::{DemoCredential, DeviceIndex};
use crate::device::{DeviceConfig, DeviceReport, Inbox};
use crate::gateway::{ConnReport, Crypto, Gateway, responder_state, session};
use crate::io::IoError;
use crate::sim::XorShift;

/// Retransmission timers for loopback (round trip well under 1 ms): 200 ms first timeout
/// (× [1, 1.5)), doubling up to 1.6 s, 4 retransmissions — gives up within
/// 0.3 + 0.6 + 1.2 + 1.6 + 1.6 = 5.3 s. The library's defaults (2 s, 53 s) are for BLE
/// and the Internet; a demo run of a few seconds needs loopback timers.
pub const LOOPBACK: RetransmitConfig = RetransmitConfig {
    initial_timeout_ms: 200,
    max_timeout_ms: 1_600,
    max_retransmits: 4,
    linger_ms: 6_000,
};

/// How long a gateway socket waits for a datagram before it treats the device as gone:
/// during the handshake, past the device's give-up bound; in the session, past the
/// longest retransmission timeout (the device may still be resending message_3 because
/// message_4 was lost; once streaming it sends every 100 ms).
const HANDSHAKE_IDLE: Duration = Duration::from_millis(LOOPBACK.give_up_bound_ms() + 1_000);
const SESSION_IDLE: Duration = Duration::from_millis(LOOPBACK.max_timeout_ms as u64 + 400);

/// One device link's loss rate, seed and drop count (shared by both ends; each end draws
/// from its own generator).
#[derive(Debug)]
pub struct Shim {
    loss: f64,
    seed: u64,
    dropped: AtomicU64,
}

impl Shim {
    /// Drops each datagram with probability `loss` (0..=1); each end's generator is seeded
    /// from `seed` and the end.
    #[must_use]
    pub const fn new(loss: f64, seed: u64) -> Self {
        Self {
            loss,
            seed,
            dropped: AtomicU64::new(0),
        }
    }

    fn drops(&self, rng: &mut XorShift) -> bool {
        let drop = rng.unit() < self.loss;
        if drop {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        drop
    }

    /// Datagrams dropped so far (both directions).
    #[must_use]
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// A connected UDP socket as an `embedded-io` datagram link, dropping writes through a
/// [`Shim`]. A read that times out (the socket's read timeout) returns `Ok(0)`, which the
/// datagram transport reports as the end of the link.
#[derive(Debug)]
pub struct LossyUdp {
    sock: UdpSocket,
    shim: Arc<Shim>,
    rng: XorShift,
    sent: u64,
    idle: Duration,
    last_rx: Instant,
}

impl LossyUdp {
    /// Wraps `sock` (connected to its peer) as end `end` (0 = device, 1 = gateway) of
    /// `shim`'s link; reads give up after `idle` without a datagram.
    ///
    /// # Errors
    /// Setting the socket's read timeout.
    pub fn new(sock: UdpSocket, shim: Arc<Shim>, end: u8, idle: Duration) -> std::io::Result<Self> {
        sock.set_read_timeout(Some(idle))?;
        let rng = end_rng(shim.seed, end);
        Ok(Self {
            sock,
            shim,
            rng,
            sent: 0,
            idle,
            last_rx: Instant::now(),
        })
    }

    fn set_idle(&mut self, idle: Duration) -> std::io::Result<()> {
        self.idle = idle;
        self.sock.set_read_timeout(Some(idle))
    }

    /// Datagrams written so far, dropped ones included.
    #[must_use]
    pub const fn sent(&self) -> u64 {
        self.sent
    }
}

impl ErrorType for LossyUdp {
    type Error = IoError;
}

impl Read for LossyUdp {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        loop {
            match self.sock.recv(buf) {
                Ok(n) => {
                    self.last_rx = Instant::now();
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(0);
                }
                Err(e) => return Err(IoError(e.kind())),
            }
        }
    }
}

impl ReadReady for LossyUdp {
    /// A datagram is waiting; an error once nothing arrived for the idle time (so a
    /// responder whose device never got through does not wait forever).
    fn read_ready(&mut self) -> Result<bool, IoError> {
        let err = |e: std::io::Error| IoError(e.kind());
        self.sock.set_nonblocking(true).map_err(err)?;
        let ready = match self.sock.peek(&mut [0u8; 1]) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(false),
            Err(e) => Err(err(e)),
        };
        self.sock.set_nonblocking(false).map_err(err)?;
        if ready == Ok(false) && self.last_rx.elapsed() > self.idle {
            return Err(IoError(std::io::ErrorKind::TimedOut));
        }
        ready
    }
}

impl Write for LossyUdp {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        self.sent += 1;
        if self.shim.drops(&mut self.rng) {
            return Ok(buf.len());
        }
        self.sock.send(buf).map_err(|e| IoError(e.kind()))
    }

    fn flush(&mut self) -> Result<(), IoError> {
        Ok(())
    }
}

/// How a device's handshake over UDP ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeOutcome {
    /// Both sides completed.
    Completed,
    /// The retransmission layer gave up (`RetransmitError::Timeout`).
    TimedOut,
    /// Anything else (EDHOC error, socket error).
    Failed,
}

/// One device's link over UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkStats {
    /// The device's handshake outcome.
    pub handshake: HandshakeOutcome,
    /// Handshake datagrams the device sent again (timer or duplicate message_2).
    pub retransmissions: u64,
    /// Datagrams the shim dropped on this link (both directions).
    pub dropped: u64,
}

/// The link after the gateway's handshake: a duplicate message_3 gets message_4 again
/// (the library's `Retransmit::received`); everything else goes to the channel.
struct AnswerDuplicates<'a> {
    link: &'a mut Datagram<LossyUdp>,
    r: Retransmit,
    crypto: Crypto,
    clock: StdClock,
}

impl FrameLink for AnswerDuplicates<'_> {
    type Error = IoError;

    fn send_frame(&mut self, frame: &[u8]) -> Result<(), TransportError<IoError>> {
        self.link.send_frame(frame)
    }

    fn recv_frame<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<&'b mut [u8], TransportError<IoError>> {
        let n = loop {
            let n = self.link.recv_frame(buf)?.len();
            let dg = buf.get(..n).unwrap_or_default();
            let now = self.clock.now_ms();
            match self.r.received(&mut self.crypto, now, dg) {
                Received::Duplicate { resend: true } => {
                    let flight = self.r.flight();
                    self.link.send_frame(flight)?;
                }
                Received::Duplicate { resend: false } => {}
                Received::New => break n,
            }
        };
        Ok(buf.get_mut(..n).unwrap_or_default())
    }
}

fn timed_out<E>(e: &BlockingHandshakeError<E>) -> bool {
    matches!(
        e,
        BlockingHandshakeError::Handshake(DatagramHandshakeError::Retransmit(
            RetransmitError::Timeout
        ))
    )
}

/// The gateway's side of one device link: the blocking responder, then the session.
fn serve_udp(sock: LossyUdp, gw: &Gateway, conn_id: u16) -> ConnReport {
    let mut report = ConnReport::default();
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let mut state = match responder_state(gw, conn_id) {
        Ok(s) => s,
        Err(e) => {
            report.error = Some(format!("responder config: {e}"));
            return report;
        }
    };
    let mut r = match Retransmit::<512>::new(LOOPBACK) {
        Ok(r) => r,
        Err(e) => {
            report.error = Some(format!("retransmit config: {e}"));
            return report;
        }
    };
    let mut link = Datagram::new(sock);
    let (mut rx, mut tx) = ([0u8; 513], [0u8; 512]);
    let (mut delay, mut clock) = (StdDelay, StdClock::new());
    let started = Instant::now();
    let mut io = Io {
        link: &mut link,
        delay: &mut delay,
        clock: &mut clock,
        poll_ms: 5,
        rx: &mut rx,
        tx: &mut tx,
    };
    if let Err(e) = run_responder(
        &mut io,
        &mut r,
        &mut state,
        &mut crypto,
        &gw.registry,
        &gw.local(&gw.cred.key),
    ) {
        let error = match e {
            BlockingHandshakeError::Handshake(DatagramHandshakeError::Auth(a)) => Some(a),
            _ => None,
        };
        gw.audit(&mut crypto, AuditEvent::handshake_failed(error));
        report.error = Some(format!("handshake: {e:?}"));
        return report;
    }
    if let Err(e) = link.inner_mut().set_idle(SESSION_IDLE) {
        report.error = Some(format!("socket: {e}"));
        return report;
    }
    let mut answering = AnswerDuplicates {
        link: &mut link,
        r,
        crypto: RustCryptoProvider::with_os_rng(),
        clock,
    };
    session(&mut answering, gw, &mut crypto, &mut state, started, report)
}

/// The device's side of one link: the blocking initiator, then the session, with a
/// reader thread passing the gateway's frames (minus handshake duplicates) to the device.
fn run_udp_device(
    sock: LossyUdp,
    dc: &DeviceConfig,
    gw_cred: &DemoCredential,
) -> (DeviceReport, HandshakeOutcome, u64) {
    let mut report = DeviceReport::default();
    let fail = |mut report: DeviceReport, e: String, o| {
        report.error = Some(e);
        (report, o, 0)
    };
    let (mut state, cred) = match crate::device::initiator(dc) {
        Ok(x) => x,
        Err(e) => return fail(report, e, HandshakeOutcome::Failed),
    };
    let Ok(mut r) = Retransmit::<512>::new(LOOPBACK) else {
        return fail(report, "retransmit config".into(), HandshakeOutcome::Failed);
    };
    let reader_sock = match sock.sock.try_clone() {
        Ok(s) => s,
        Err(e) => return fail(report, format!("socket: {e}"), HandshakeOutcome::Failed),
    };
    let shim = Arc::clone(&sock.shim);
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let me = LocalCredential {
        key: &cred.key,
        cred: &cred.ccs,
        id_cred: IdCred::Kid(&cred.kid),
    };
    let trust = gw_cred.as_only_trusted();
    let mut link = Datagram::new(sock);
    let (mut rx, mut tx) = ([0u8; 513], [0u8; 512]);
    let (mut delay, mut clock) = (StdDelay, StdClock::new());
    let started = Instant::now();
    let mut io = Io {
        link: &mut link,
        delay: &mut delay,
        clock: &mut clock,
        poll_ms: 5,
        rx: &mut rx,
        tx: &mut tx,
    };
    let hs = run_initiator(&mut io, &mut r, &mut state, &mut crypto, &trust, &me);
    let firsts = if state.phase() == Phase::WaitMessage2 {
        1
    } else {
        2
    };
    let retransmissions = link.inner_mut().sent().saturating_sub(firsts);
    if let Err(e) = hs {
        let outcome = if timed_out(&e) {
            HandshakeOutcome::TimedOut
        } else {
            HandshakeOutcome::Failed
        };
        return (
            DeviceReport {
                error: Some(format!("handshake: {e:?}")),
                ..report
            },
            outcome,
            retransmissions,
        );
    }
    report.handshake = started.elapsed();

    // The gateway's frames: read by a second thread, late handshake duplicates dropped.
    let (tx_frames, rx_frames) = std::sync::mpsc::channel();
    let (start, started_rx) = std::sync::mpsc::channel::<()>();
    let done = Arc::new(AtomicBool::new(false));
    let reader_done = Arc::clone(&done);
    let reader = thread::spawn(move || {
        if started_rx.recv().is_err() {
            return;
        }
        let Ok(sock) = LossyUdp::new(reader_sock, shim, 0, Duration::from_millis(100)) else {
            return;
        };
        let mut link = Datagram::new(sock);
        let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
        let mut buf = [0u8; iomt_proto::MAX_FRAME_LEN + 1];
        while !reader_done.load(Ordering::Relaxed) {
            let now = clock.now_ms();
            match link.recv_frame(&mut buf) {
                Ok(f) => {
                    if r.received(&mut crypto, now, f) == Received::New
                        && tx_frames.send(f.to_vec()).is_err()
                    {
                        break;
                    }
                }
                Err(TransportError::UnexpectedEof) => {} // read timeout: check `done`
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    let inbox = Inbox {
        start,
        frames: rx_frames,
    };
    let result = crate::device::session(
        &mut link,
        &mut crypto,
        &mut state,
        &cred,
        dc,
        Some(&inbox),
        &mut report,
    );
    done.store(true, Ordering::Relaxed);
    drop(inbox);
    let _ = reader.join();
    if let Err(e) = result {
        report.error = Some(e);
    }
    (report, HandshakeOutcome::Completed, retransmissions)
}

/// What [`spawn`] returns: the gateway's reports in device order, and each device's
/// report with its link statistics.
pub type Handles = (
    thread::JoinHandle<Result<Vec<ConnReport>, String>>,
    Vec<thread::JoinHandle<(DeviceReport, Option<LinkStats>)>>,
);

/// Starts one gateway thread and one device thread per device config, each pair over
/// its own lossy UDP link (loss `loss`, generators seeded from `seed`, the device index
/// and the end: [`fates`]).
///
/// # Errors
/// Binding or connecting the sockets.
pub fn spawn(
    gw: &Arc<Gateway>,
    devices: Vec<DeviceConfig>,
    gw_cred: &Arc<DemoCredential>,
    loss: f64,
    seed: u64,
) -> Result<Handles, String> {
    let mut serving = Vec::new();
    let mut device_handles = Vec::new();
    for dc in devices {
        let shim = Arc::new(Shim::new(loss, link_seed(seed, dc.index)));
        let bind = || UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"));
        let (g, d) = (bind()?, bind()?);
        let (ga, da) = (
            g.local_addr().map_err(|e| e.to_string())?,
            d.local_addr().map_err(|e| e.to_string())?,
        );
        g.connect(da).map_err(|e| format!("connect: {e}"))?;
        d.connect(ga).map_err(|e| format!("connect: {e}"))?;
        let g =
            LossyUdp::new(g, Arc::clone(&shim), 1, HANDSHAKE_IDLE).map_err(|e| e.to_string())?;
        let d =
            LossyUdp::new(d, Arc::clone(&shim), 0, HANDSHAKE_IDLE).map_err(|e| e.to_string())?;
        let conn_id = dc.index.saturating_add(1);
        let gw = Arc::clone(gw);
        serving.push(thread::spawn(move || serve_udp(g, &gw, conn_id)));
        let gw_cred = Arc::clone(gw_cred);
        device_handles.push(thread::spawn(move || {
            let (report, handshake, retransmissions) = run_udp_device(d, &dc, &gw_cred);
            let stats = LinkStats {
                handshake,
                retransmissions,
                dropped: shim.dropped(),
            };
            (report, Some(stats))
        }));
    }
    let gateway = thread::spawn(move || {
        Ok(serving
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect())
    });
    Ok((gateway, device_handles))
}

/// A UDP row is fine when the handshake timed out and is reported as such (both sides
/// name the failure, nothing else happened), or when it completed, neither side failed,
/// the gateway accepted some frames and no more than the device sent (lost ones are lost).
#[must_use]
pub fn row_ok(link: &LinkStats, d: &DeviceReport, g: &ConnReport) -> bool {
    match link.handshake {
        HandshakeOutcome::TimedOut => d.error.is_some() && g.frames == 0,
        HandshakeOutcome::Failed => false,
        HandshakeOutcome::Completed => {
            d.error.is_none() && g.error.is_none() && g.frames > 0 && g.frames <= d.frames_sent
        }
    }
}

/// Appends the UDP link table (nothing for a TCP run).
pub fn table(s: &mut String, rows: &[crate::demo::DeviceRow]) {
    use core::fmt::Write as _;
    if rows.iter().all(|r| r.link.is_none()) {
        return;
    }
    let _ = writeln!(
        s,
        "udp: {:<8} {:<10} {:>6} {:>8} {:>11} {:>9}",
        "device", "handshake", "retx", "dropped", "frames d->g", "frames g->d"
    );
    for r in rows {
        let Some(l) = &r.link else { continue };
        let _ = writeln!(
            s,
            "udp: {:<8} {:<10} {:>6} {:>8} {:>5}/{:<5} {:>9}",
            r.identity,
            match l.handshake {
                HandshakeOutcome::Completed => "completed",
                HandshakeOutcome::TimedOut => "TIMED OUT",
                HandshakeOutcome::Failed => "FAILED",
            },
            l.retransmissions,
            l.dropped,
            r.gateway.frames,
            r.device.frames_sent,
            r.device.frames_received,
        );
    }
    let _ = writeln!(
        s,
        "udp: retx = handshake datagrams the device sent again; dropped = datagrams the shim dropped \
         (both directions); frames d->g = accepted by the gateway/sent by the device; g->d = opened by the device"
    );
}

fn link_seed(seed: u64, index: DeviceIndex) -> u64 {
    seed ^ (u64::from(index) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn end_rng(link_seed: u64, end: u8) -> XorShift {
    XorShift::new(link_seed ^ (u64::from(end) + 1).wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// Whether each of the first `n` datagrams written by end `end` (0 = device, 1 =
/// gateway) of device `index`'s link is dropped, in a run with `seed` and `loss`: the
/// shim's own decisions, for tests that need a given datagram lost.
#[must_use]
pub fn fates(seed: u64, index: DeviceIndex, end: u8, loss: f64, n: usize) -> Vec<bool> {
    let mut rng = end_rng(link_seed(seed, index), end);
    (0..n).map(|_| rng.unit() < loss).collect()
}
