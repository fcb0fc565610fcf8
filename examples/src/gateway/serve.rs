//! Serving one connection: the EDHOC responder, then the session loop (channel, consent,
//! data frames) until the device closes; shared by the TCP and UDP paths.

use core::sync::atomic::Ordering;
use std::time::Instant;

use embedded_io::{Read, Write as IoWrite};
use iomt_auth::audit::Event;
use iomt_auth::cred::{IdCred, LocalCredential};
use iomt_auth::edhoc::{ConnId, EadLabels, Method, ResponderConfig, ResponderState};
use iomt_crypto::{CryptoProvider, RustCryptoProvider};
use iomt_proto::transport::handshake::{HandshakeError, refuse, run_responder};
use iomt_proto::transport::{FrameLink, Stream, TransportError};
use iomt_proto::{
    Channel, CloseReason, FrameType, MAX_FRAME_LEN, Message, ProtoError, Rejection, Side,
};

use super::{ConnReport, Counters, Gateway};
use crate::backend::GatewayBackend;
use crate::consent_session::{Notify, SessionConsent};
use crate::sim::{BATCH, ECG_CAPACITY};

/// Counts one established session in [`Counters::sessions_open`] while it lives.
struct OpenSession<'a>(&'a Counters);

impl<'a> OpenSession<'a> {
    fn start(c: &'a Counters) -> Self {
        let open = c.sessions_open.fetch_add(1, Ordering::Relaxed) + 1;
        c.sessions_peak.fetch_max(open, Ordering::Relaxed);
        Self(c)
    }
}

impl Drop for OpenSession<'_> {
    fn drop(&mut self) {
        self.0.sessions_open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The responder state for connection `conn_id`: C_R is its low byte.
///
/// C_R must be one byte (the frame header carries one: `iomt_proto::edhoc::conn_id_of`),
/// so from the 256th connection on values repeat. That is safe here because every
/// session has its own socket (TCP connection, or UDP socket pair), which is what routes
/// a frame to its channel; a gateway demultiplexing one shared socket by connection id
/// would have to keep C_R distinct and so could hold at most 256 sessions at once.
///
/// # Errors
/// The state machine's configuration error.
pub(crate) fn responder_state<C: CryptoProvider>(
    gw: &Gateway,
    conn_id: u16,
) -> Result<ResponderState<C>, iomt_auth::AuthError> {
    let [_, low] = conn_id.to_be_bytes();
    let c_r = ConnId::new(&[low])?;
    ResponderState::<C>::new(&ResponderConfig {
        suites: &gw.suites,
        methods: Method::SUPPORTED,
        c_r,
        send_message_4: true,
        ead_labels: EadLabels::NONE,
    })
}

impl Gateway {
    /// The gateway's own credential for EDHOC, with `key` its private key in the
    /// provider that runs the handshake.
    pub(crate) fn local<'a, K>(&'a self, key: &'a K) -> LocalCredential<'a, K> {
        LocalCredential {
            key,
            cred: &self.cred.ccs,
            id_cred: IdCred::Kid(&self.cred.kid),
        }
    }
}

/// Serves one device connection until it closes, on the gateway's backend
/// ([`Gateway::with_backend`]); never panics on peer input.
pub fn serve<T: Read + IoWrite>(io: T, gw: &Gateway, conn_id: u16) -> ConnReport {
    match &gw.backend {
        GatewayBackend::RustCrypto => serve_on(
            io,
            gw,
            conn_id,
            RustCryptoProvider::with_os_rng(),
            &gw.cred.key,
        ),
        GatewayBackend::AwsLc(key) => serve_on(io, gw, conn_id, iomt_crypto_awslc::provider(), key),
    }
}

/// [`serve`] on `crypto`, whose key handle for the gateway's credential is `key`.
fn serve_on<T: Read + IoWrite, C: CryptoProvider>(
    io: T,
    gw: &Gateway,
    conn_id: u16,
    mut crypto: C,
    key: &C::KeyHandle,
) -> ConnReport {
    let mut report = ConnReport::default();
    let mut link = Stream::new(io);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let mut state = match responder_state(gw, conn_id) {
        Ok(s) => s,
        Err(e) => {
            // fail early: the device gets an EDHOC error naming the cause, not a dropped link
            let sent = refuse(&mut link, &e, &mut rx);
            gw.audit(&mut crypto, Event::handshake_failed(Some(e)));
            report.error = Some(format!("responder config: {e} ({sent})"));
            return report;
        }
    };
    let me = gw.local(key);
    let started = Instant::now();
    if let Err(e) = run_responder(
        &mut link,
        &mut crypto,
        &mut state,
        &gw.registry,
        &me,
        &mut rx,
        &mut tx,
    ) {
        let error = match e {
            HandshakeError::Auth(a) => Some(a),
            HandshakeError::Transport(_) => None,
        };
        gw.audit(&mut crypto, Event::handshake_failed(error));
        report.error = Some(format!("handshake: {e}"));
        return report;
    }
    session(&mut link, gw, &mut crypto, &mut state, started, report)
}

/// The session after a completed handshake (`state`): channel, consent, data frames,
/// until the device closes or the link ends; shared by the TCP and UDP paths.
pub(crate) fn session<L: FrameLink, C: CryptoProvider>(
    link: &mut L,
    gw: &Gateway,
    crypto: &mut C,
    state: &mut ResponderState<C>,
    started: Instant,
    mut report: ConnReport,
) -> ConnReport
where
    L::Error: core::fmt::Debug,
{
    let Some(done) = state.completed() else {
        report.error = Some("handshake did not complete".into());
        return report;
    };
    report.method_suite = Some((done.method().id(), done.selected_suite().id()));
    let identity = done.peer_identity();
    let succeeded = Event::handshake_succeeded(crypto, done);
    let mut channel: Channel = match Channel::from_edhoc(crypto, done, Side::Responder) {
        Ok(c) => c,
        Err(e) => {
            report.error = Some(format!("channel: {e}"));
            return report;
        }
    };
    report.handshake = started.elapsed();
    gw.counters.handshakes.fetch_add(1, Ordering::Relaxed);
    let _open = OpenSession::start(&gw.counters);
    let Some(reg) = gw.registry.by_identity(&identity) else {
        report.error = Some("authenticated device is not registered".into());
        return report;
    };
    report.device = Some(reg.identity.clone());
    report.patient = Some(reg.patient.clone());
    gw.audit(crypto, succeeded);

    let mut session = SessionConsent::default();
    let mut closed = false;
    // A notification the link refused (the device may have closed its end while the
    // gateway was still working through frames it had sent): an error only if the device
    // did not end the session itself with a close frame.
    let mut undelivered: Option<String> = None;
    let mut device_closed = false;
    let mut update_slot: u8 = 1;
    let mut buf = [0u8; MAX_FRAME_LEN];
    let mut out = [0u8; MAX_FRAME_LEN];
    loop {
        let frame = match link.recv_frame(&mut buf) {
            Ok(f) => f,
            Err(TransportError::UnexpectedEof) => break, // device went away
            Err(TransportError::FrameTooLarge { .. }) => {
                report.tamper_rejected += 1;
                gw.counters.tamper_rejected.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            Err(e) => {
                report.error = Some(format!("link: {e}"));
                break;
            }
        };
        if closed {
            // Sent before the device saw our close: dropped (the channel is closed).
            report.after_close += 1;
            continue;
        }
        let len = frame.len() as u64;
        match channel.open(crypto, frame) {
            Ok(opened) => {
                report.frames += 1;
                report.bytes += len;
                gw.counters.frames.fetch_add(1, Ordering::Relaxed);
                gw.counters.bytes.fetch_add(len, Ordering::Relaxed);
                let bound = opened.consent.as_ref().map(|c| c.encoded);
                match opened.frame_type {
                    FrameType::Consent => {
                        let encoded = bound.unwrap_or_default().to_vec();
                        session.install(gw, crypto, &identity, &reg.patient, &encoded, &mut report);
                    }
                    FrameType::Close => {
                        device_closed = true;
                        break;
                    }
                    FrameType::Data => {
                        report.data_frames += 1;
                        let seq = opened.seq;
                        // Only a tag the gateway verified governs data; anything else permits nothing.
                        let (tag, notify) =
                            session.govern(gw, crypto, &identity, &reg.patient, bound, &mut report);
                        let Ok(msg) = Message::<BATCH, ECG_CAPACITY>::decode(opened.payload) else {
                            report.error = Some("undecodable payload".into());
                            continue;
                        };
                        let before = (report.denials, report.break_glass);
                        let lines = gw.release(crypto, &mut report, &msg, seq, tag.as_ref());
                        gw.counters
                            .denials
                            .fetch_add(report.denials - before.0, Ordering::Relaxed);
                        gw.counters
                            .break_glass
                            .fetch_add(report.break_glass - before.1, Ordering::Relaxed);
                        if report.consent_required_sent && !lines.is_empty() {
                            report.released_after_withdrawal += 1;
                        }
                        report.observations += lines.len() as u64;
                        gw.counters
                            .observations
                            .fetch_add(lines.len() as u64, Ordering::Relaxed);
                        if let Err(e) = gw.write(&lines) {
                            report.error = Some(format!("FHIR sink: {e}"));
                            break;
                        }
                        let told = match notify {
                            Notify::Nothing => Ok(0),
                            Notify::Update(tag) => {
                                let slot = update_slot;
                                update_slot = if slot == 1 { 3 } else { 1 }; // the responder's slots of 4
                                channel.send_consent(crypto, slot, &tag, &mut out)
                            }
                            Notify::Close => {
                                closed = true;
                                channel.close(crypto, CloseReason::ConsentRequired, &mut out)
                            }
                        };
                        match told {
                            Ok(0) => {}
                            Ok(n) => {
                                if let Err(e) = link.send_frame(out.get(..n).unwrap_or_default()) {
                                    // Keep reading: what the device sent before it went
                                    // away is still accounted for.
                                    undelivered = Some(format!("link: {e}"));
                                }
                            }
                            Err(e) => {
                                report.error = Some(format!("telling the device: {e}"));
                                break;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Err(e @ ProtoError::Rejected(Rejection::Replayed | Rejection::TooOld)) => {
                report.replays_rejected += 1;
                gw.counters.replays_rejected.fetch_add(1, Ordering::Relaxed);
                gw.audit(crypto, Event::frame_rejected(channel.conn_id(), e.code()));
            }
            Err(e) if e.is_fatal() => {
                report.error = Some(format!("session closed: {e}"));
                break;
            }
            Err(e) => {
                // Forged, modified, re-labelled or malformed: dropped, session unchanged.
                report.tamper_rejected += 1;
                gw.counters.tamper_rejected.fetch_add(1, Ordering::Relaxed);
                gw.audit(crypto, Event::frame_rejected(channel.conn_id(), e.code()));
            }
        }
    }
    if let Some(e) = undelivered.filter(|_| !device_closed) {
        report.error.get_or_insert(e);
    }
    report
}
