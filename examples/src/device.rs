//! A simulated patient device: EDHOC initiator, consent frame, then vitals and ECG frames
//! in real time; optionally injects replayed and modified frames (`--tamper`).
//!
//! Every byte it sends comes from iomt-proto (`Channel::send_consent`,
//! `Channel::seal_message`, `Channel::close`); the tamper mode only re-sends or flips bits
//! in frames the channel produced, as an on-path attacker would.

use core::time::Duration;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use embedded_io::{Read, Write};
use std::sync::mpsc::{Receiver, Sender};

use iomt_auth::audit::subject_of;
use iomt_auth::cred::{IdCred, LocalCredential, PeerIdentity};
use iomt_auth::edhoc::{ConnId, EadLabels, InitiatorConfig, InitiatorState, Method};
use iomt_core::{
    Action, ActionSet, Confidentiality, ConsentRef, ConsentTag, DataClass, DataClassSet, DeviceRef,
    Purpose, PurposeSet, Role, RoleSet, Timestamp, TimestampMs,
};
use iomt_crypto::RustCryptoProvider;
use iomt_proto::transport::handshake::run_initiator;
use iomt_proto::transport::{FrameLink, Stream};
use iomt_proto::wire::NO_SLOT;
use iomt_proto::{Channel, CloseReason, Frame, FrameType, MAX_FRAME_LEN, Message, Side};

use crate::creds::{DemoCredential, DeviceIndex, index_bytes};
use crate::gateway::Crypto;
use crate::sim::{BATCH, DeviceClock, ECG_CAPACITY, ECG_RATE_HZ, Patient};

type Msg<'a> = Message<'a, BATCH, ECG_CAPACITY>;

/// The consent a device's patient gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentProfile {
    /// Treatment and research (vitals and waveforms).
    Research,
    /// Treatment only.
    TreatmentOnly,
    /// Treatment and research, but the consent expired yesterday.
    Expired,
    /// Treatment only, break-glass allowed for emergency care.
    BreakGlass,
}

impl ConsentProfile {
    /// The profile of device `index` in the demo: 2 is expired, 3 allows break-glass,
    /// the others alternate research / treatment-only.
    #[must_use]
    pub const fn for_device(index: DeviceIndex) -> Self {
        match index {
            2 => Self::Expired,
            3 => Self::BreakGlass,
            i if i % 2 == 0 => Self::Research,
            _ => Self::TreatmentOnly,
        }
    }

    /// Short name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Research => "treat+research",
            Self::TreatmentOnly => "treatment-only",
            Self::Expired => "expired",
            Self::BreakGlass => "treat+break-glass",
        }
    }

    /// The consent tag for this profile (`now` = Unix seconds; `seed` names the record).
    #[must_use]
    pub fn tag(self, now: u64, seed: u8) -> ConsentTag {
        let day = 86_400;
        let (from, until) = match self {
            Self::Expired => (now - 400 * day, now - day),
            _ => (now - 30 * day, now + 365 * day),
        };
        let mut digest = [0u8; 32];
        digest[0] = seed;
        digest[31] = self as u8;
        let base = ConsentTag::permit(
            ConsentRef(digest),
            1,
            Timestamp::from_secs(from),
            Timestamp::from_secs(until),
        )
        .with_classes(DataClassSet::only(DataClass::Vitals).with(DataClass::Waveforms));
        let treat = PurposeSet::only(Purpose::Treatment);
        let clin = RoleSet::only(Role::Clinician).with(Role::Nurse);
        match self {
            Self::Research | Self::Expired => base
                .with_purposes(treat.with(Purpose::Research))
                .with_roles(clin.with(Role::Researcher))
                .with_actions(ActionSet::only(Action::Access).with(Action::Use))
                .with_confidentiality(Confidentiality::Normal),
            Self::TreatmentOnly => base
                .with_purposes(treat)
                .with_roles(clin)
                .with_actions(ActionSet::only(Action::Access))
                .with_confidentiality(Confidentiality::Restricted),
            Self::BreakGlass => base
                .with_purposes(treat)
                .with_roles(clin)
                .with_actions(ActionSet::only(Action::Access))
                .with_confidentiality(Confidentiality::Restricted)
                .with_break_glass(true),
        }
    }
}

/// How one simulated device runs.
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    /// Device index (credential, identity, patient baseline).
    pub index: DeviceIndex,
    /// Its consent.
    pub profile: ConsentProfile,
    /// EDHOC method.
    pub method: Method,
    /// Cipher suites offered, preferred first.
    pub suites: Vec<u8>,
    /// How long to stream.
    pub duration: Duration,
    /// Inject replayed and modified frames.
    pub tamper: bool,
    /// The encoded consent tag the device was provisioned with (issued and signed by the
    /// consent authority; the device only carries it).
    pub consent: Vec<u8>,
    /// How many times the consent frame is sent at the start (each a fresh frame
    /// installing the same tag in slot 0): 1 over TCP; more over a lossy link, where a
    /// lost consent frame would leave every data frame bound to an empty slot.
    pub consent_copies: u8,
}

/// What one device did.
#[derive(Debug, Clone, Default)]
pub struct DeviceReport {
    /// Handshake time as the device saw it (message_1 sent to keys derived).
    pub handshake: Duration,
    /// Genuine frames sent (consent, data, close).
    pub frames_sent: u64,
    /// Bytes of genuine frames sent.
    pub bytes_sent: u64,
    /// Replayed frames injected.
    pub replays_injected: u64,
    /// Modified frames injected.
    pub modified_injected: u64,
    /// Frames the gateway sent and the device opened (consent updates, close).
    pub frames_received: u64,
    /// The gateway closed the session with `CloseReason::ConsentRequired`: the device
    /// stopped sending under its tag.
    pub consent_required: bool,
    /// Newer tags from the gateway the device re-installed and bound its data to.
    pub consent_updates: u64,
    /// Tags from the gateway the device refused (not for it, not its consent, not newer).
    pub consent_updates_refused: u64,
    /// Why the device stopped early.
    pub error: Option<String>,
}

/// The kinds of modified frames `--tamper` injects, in rotation.
pub const TAMPER_KINDS: [&str; 3] = [
    "tag bit flipped",
    "ciphertext bit flipped",
    "consent label stripped",
];

/// Injects one replayed and one modified frame, as an on-path attacker would: the
/// replay is the frame just sent or the very first data frame (then below the replay
/// window); the modification rotates through [`TAMPER_KINDS`] on a freshly sealed
/// genuine frame (re-labelling uses iomt-proto's public wire view, `Frame`).
#[expect(
    clippy::too_many_arguments,
    reason = "demo helper over the device's local state"
)]
fn inject<L: FrameLink>(
    link: &mut L,
    ch: &mut Channel,
    crypto: &mut Crypto,
    patient: &mut Patient,
    at: TimestampMs,
    just_sent: &[u8],
    first_data: Option<&[u8]>,
    report: &mut DeviceReport,
) -> Result<(), String>
where
    L::Error: core::fmt::Debug,
{
    let replay = match (report.replays_injected % 2, first_data) {
        (1, Some(first)) => first,
        _ => just_sent,
    };
    link.send_frame(replay).map_err(|e| format!("send: {e}"))?;
    report.replays_injected += 1;

    let batch = patient.vitals(at, false).map_err(|e| e.to_string())?;
    let mut out = [0u8; MAX_FRAME_LEN];
    let n = ch
        .seal_message(crypto, Some(0), &Msg::VitalBatch(batch), &mut out)
        .map_err(|e| e.to_string())?;
    let frame = &mut out[..n];
    match report.modified_injected % 3 {
        0 => frame[n - 1] ^= 0x01,
        1 => frame[n / 2] ^= 0x80,
        _ => {
            let mut view = Frame::new_checked(&mut *frame).map_err(|e| e.to_string())?;
            let epoch = view.epoch_bits();
            view.set_epoch_slot(epoch, NO_SLOT);
        }
    }
    link.send_frame(frame).map_err(|e| format!("send: {e}"))?;
    report.modified_injected += 1;
    Ok(())
}

/// Most modified frames a device injects (suite 2's CCM_8 tolerates 64 forgeries per key
/// before the gateway must close the session).
pub const MAX_MODIFIED: u64 = 24;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Runs device `cfg` over `io` against the gateway credential `gateway`, without
/// listening to the gateway after the handshake.
pub fn run_device<T: Read + Write>(
    io: T,
    cfg: &DeviceConfig,
    gateway: &DemoCredential,
) -> DeviceReport {
    run_device_with_inbox(io, cfg, gateway, None)
}

/// The gateway's frames, read from the link by another thread (transport framing only).
#[derive(Debug)]
pub struct Inbox {
    /// Signalled once the handshake is done: the reader may start (before it, the
    /// handshake reads the link itself).
    pub start: Sender<()>,
    /// The frames as read, in order.
    pub frames: Receiver<Vec<u8>>,
}

/// [`run_device`], also handling the frames the gateway sends during the session,
/// delivered through `inbox` (the device opens them with its channel before every
/// tick). A close with
/// `CloseReason::ConsentRequired` stops the device's data at once
/// ([`DeviceReport::consent_required`]); a consent frame carrying a newer revision of
/// the device's own consent, bound to this device, is re-installed in a fresh slot of the
/// device's and its data is bound to it from then on ([`DeviceReport::consent_updates`]).
pub fn run_device_with_inbox<T: Read + Write>(
    io: T,
    cfg: &DeviceConfig,
    gateway: &DemoCredential,
    inbox: Option<Inbox>,
) -> DeviceReport {
    let mut report = DeviceReport::default();
    if let Err(e) = stream(io, cfg, gateway, inbox.as_ref(), &mut report) {
        report.error = Some(e);
    }
    report
}

/// What the gateway's frames asked of the device.
enum Told {
    /// Keep streaming (possibly under a new slot).
    Continue,
    /// The gateway closed the session.
    Stop,
}

/// Opens the gateway's queued frames: a consent update is re-installed (if it is a newer
/// revision of this device's own consent, bound to it) in the next even slot, which
/// becomes `slot`; a close stops the device.
#[expect(
    clippy::too_many_arguments,
    reason = "demo helper over the device's local state"
)]
fn handle_inbox<L: FrameLink>(
    inbox: &Receiver<Vec<u8>>,
    link: &mut L,
    ch: &mut Channel,
    crypto: &mut Crypto,
    me: &DeviceRef,
    current: &mut Option<ConsentTag>,
    slot: &mut u8,
    report: &mut DeviceReport,
) -> Result<Told, String>
where
    L::Error: core::fmt::Debug,
{
    while let Ok(mut frame) = inbox.try_recv() {
        let opened = ch
            .open(crypto, &mut frame)
            .map_err(|e| format!("gateway frame: {e}"))?;
        report.frames_received += 1;
        match opened.frame_type {
            FrameType::Close => {
                let reason = opened.payload.first().copied().map(CloseReason::try_from);
                report.consent_required = matches!(reason, Some(Ok(CloseReason::ConsentRequired)));
                return Ok(Told::Stop);
            }
            FrameType::Consent => {
                let Some(bytes) = opened.consent.as_ref().map(|c| c.encoded.to_vec()) else {
                    continue;
                };
                let newer = ConsentTag::decode(&bytes).ok().filter(|t| {
                    t.binding.as_ref().is_some_and(|b| b.device == *me)
                        && current.as_ref().is_some_and(|c| {
                            c.consent_ref == t.consent_ref && c.revision < t.revision
                        })
                });
                let Some(tag) = newer else {
                    report.consent_updates_refused += 1;
                    continue;
                };
                // The initiator's slots of 4 are 0 and 2: alternate (the old slot's frames are
                // all sent by now; §8 "Replacing a tag safely").
                let next = if *slot == 0 { 2 } else { 0 };
                let mut out = [0u8; MAX_FRAME_LEN];
                let n = ch
                    .send_consent(crypto, next, &bytes, &mut out)
                    .map_err(|e| e.to_string())?;
                link.send_frame(&out[..n])
                    .map_err(|e| format!("send: {e}"))?;
                report.frames_sent += 1;
                report.bytes_sent += n as u64;
                report.consent_updates += 1;
                *slot = next;
                *current = Some(tag);
            }
            _ => {}
        }
    }
    Ok(Told::Continue)
}

fn stream<T: Read + Write>(
    io: T,
    cfg: &DeviceConfig,
    gateway: &DemoCredential,
    inbox: Option<&Inbox>,
    report: &mut DeviceReport,
) -> Result<(), String> {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let (mut state, cred) = initiator(cfg)?;
    let me = LocalCredential {
        key: &cred.key,
        cred: &cred.ccs,
        id_cred: IdCred::Kid(&cred.kid),
    };
    let trust = gateway.as_only_trusted();
    let mut link = Stream::new(io);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let started = Instant::now();
    run_initiator(
        &mut link,
        &mut crypto,
        &mut state,
        &trust,
        &me,
        &mut rx,
        &mut tx,
    )
    .map_err(|e| format!("handshake: {e}"))?;
    report.handshake = started.elapsed();
    session(
        &mut link,
        &mut crypto,
        &mut state,
        &cred,
        cfg,
        inbox,
        report,
    )
}

/// Fresh initiator state and the device's credential for device `cfg`.
pub(crate) fn initiator(
    cfg: &DeviceConfig,
) -> Result<(InitiatorState<Crypto>, DemoCredential), String> {
    let cred = DemoCredential::device(cfg.index).map_err(|e| e.to_string())?;
    let c_i = ConnId::new(&index_bytes(cfg.index)).map_err(|e| format!("{e:?}"))?;
    let state = InitiatorState::<Crypto>::new(&InitiatorConfig {
        method: cfg.method,
        suites: &cfg.suites,
        c_i,
        expect_message_4: true,
        ead_labels: EadLabels::NONE,
    })
    .map_err(|e| format!("initiator config: {e:?}"))?;
    Ok((state, cred))
}

/// The session after a completed handshake (`state`): consent frame, data frames in
/// real time, close; shared by the TCP and UDP paths.
pub(crate) fn session<L: FrameLink>(
    link: &mut L,
    crypto: &mut Crypto,
    state: &mut InitiatorState<Crypto>,
    cred: &DemoCredential,
    cfg: &DeviceConfig,
    inbox: Option<&Inbox>,
    report: &mut DeviceReport,
) -> Result<(), String>
where
    L::Error: core::fmt::Debug,
{
    let done = state.completed().ok_or("handshake did not complete")?;
    let mut ch: Channel =
        Channel::from_edhoc(crypto, done, Side::Initiator).map_err(|e| e.to_string())?;
    if let Some(inbox) = inbox {
        let _ = inbox.start.send(());
    }

    let mut out = [0u8; MAX_FRAME_LEN];
    let send = |link: &mut L, frame: &[u8], report: &mut DeviceReport| -> Result<(), String> {
        link.send_frame(frame).map_err(|e| format!("send: {e}"))?;
        report.frames_sent += 1;
        report.bytes_sent += frame.len() as u64;
        Ok(())
    };

    // Consent first: slot 0 (initiators own even slots); the provisioned tag as issued.
    for _ in 0..cfg.consent_copies.max(1) {
        let n = ch
            .send_consent(crypto, 0, &cfg.consent, &mut out)
            .map_err(|e| e.to_string())?;
        send(link, &out[..n], report)?;
    }

    let mut patient = Patient::new(u64::from(cfg.index) * 7919 + 17);
    let tick = Duration::from_millis(100);
    let samples = usize::from(ECG_RATE_HZ / 10); // 100 ms of ECG per tick
    let begin = Instant::now();
    // Measurement time from the device's own tick counter (RTC or uptime), not the wall clock.
    let clock = DeviceClock::for_device(cfg.index, now_ms());
    let mut first_data: Option<Vec<u8>> = None;
    let mut i: u64 = 0;
    let peer = PeerIdentity::from_slice(cred.identity.as_bytes());
    let me_ref = DeviceRef(subject_of(crypto, &peer.0));
    let mut current = ConsentTag::decode(&cfg.consent).ok();
    let mut slot: u8 = 0;
    while begin.elapsed() < cfg.duration {
        if let Some(inbox) = inbox {
            let told = handle_inbox(
                &inbox.frames,
                link,
                &mut ch,
                crypto,
                &me_ref,
                &mut current,
                &mut slot,
                report,
            )?;
            if let Told::Stop = told {
                // The gateway closed the channel: nothing more is sent under this tag.
                return Ok(());
            }
        }
        let at = clock.at(i, tick);
        let ecg = patient.ecg(at, samples).map_err(|e| e.to_string())?;
        let n = ch
            .seal_message(crypto, Some(slot), &Msg::Waveform(ecg), &mut out)
            .map_err(|e| e.to_string())?;
        send(link, &out[..n], report)?;
        if first_data.is_none() {
            first_data = Some(out[..n].to_vec());
        }
        if i.is_multiple_of(5) {
            let batch = patient
                .vitals(at, i.is_multiple_of(20))
                .map_err(|e| e.to_string())?;
            let msg = Msg::VitalBatch(batch);
            let n = ch
                .seal_message(crypto, Some(slot), &msg, &mut out)
                .map_err(|e| e.to_string())?;
            send(link, &out[..n], report)?;
            if cfg.tamper && i > 0 && report.modified_injected < MAX_MODIFIED {
                inject(
                    link,
                    &mut ch,
                    crypto,
                    &mut patient,
                    at,
                    &out[..n],
                    first_data.as_deref(),
                    report,
                )?;
            }
        }
        i += 1;
        let next = begin + tick * u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    let n = ch
        .close(crypto, CloseReason::Normal, &mut out)
        .map_err(|e| e.to_string())?;
    send(link, &out[..n], report)?;
    Ok(())
}
