//! The end-to-end demo: a gateway on 127.0.0.1 and N simulated devices over TCP, or over
//! UDP through a lossy shim (`--transport udp --loss P`, [`crate::udp`]).
//!
//! [`run`] binds the gateway, starts one thread per device connection on each side,
//! prints a progress line per second (unless quiet) and returns a [`Summary`];
//! [`Summary::table`] renders the table. `--tamper` makes every device inject replayed
//! and modified frames, which the gateway must all reject.

use core::sync::atomic::Ordering;
use core::time::Duration;
use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use iomt_auth::edhoc::Method;
use iomt_core::Timestamp;

use crate::authority::{Authority, record, without_research};
use crate::backend::Backend;
use crate::creds::{DemoCredential, DeviceIndex, MAX_DEVICES, Registry, device_identity};
use crate::device::{
    ConsentProfile, DeviceConfig, DeviceReport, Inbox, run_device, run_device_with_inbox,
};
use crate::fhir::{Destination, Sinks};
use crate::gateway::{AuditReport, ConnReport, Gateway, serve};
use crate::io::TcpIo;
use crate::memory::{RssGrowth, RssSampler};
use crate::udp::LinkStats;

/// Demo options (the `demo` binary's flags).
#[derive(Debug, Clone)]
pub struct Config {
    /// Number of simulated devices (1..=[`MAX_DEVICES`]).
    pub devices: DeviceIndex,
    /// Streaming time per device.
    pub duration: Duration,
    /// EDHOC method (0–3).
    pub method: Method,
    /// Cipher suite the devices offer (2 or 5).
    pub suite: u8,
    /// Output directory: one NDJSON file per destination (`ehr.ndjson`, `research.ndjson`,
    /// `emergency.ndjson`, `consent.ndjson`).
    pub out: PathBuf,
    /// Inject replayed and modified frames.
    pub tamper: bool,
    /// No progress lines.
    pub quiet: bool,
    /// How devices reach the gateway.
    pub transport: Transport,
    /// Seed of the UDP shim's loss decisions (`--seed`).
    pub seed: u64,
    /// The gateway's crypto backend over TCP (`--backend`; devices always run RustCrypto).
    pub backend: Backend,
}

/// How devices reach the gateway.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transport {
    /// TCP on 127.0.0.1 (length-prefixed frames; the default).
    Tcp,
    /// UDP on 127.0.0.1 through a lossy shim dropping each datagram with probability
    /// `loss` (see [`crate::udp`]).
    Udp {
        /// Drop probability, 0..1.
        loss: f64,
    },
}

/// Where the demo programs write by default: `$CARGO_TARGET_DIR/demo` when that is set
/// (cargo's own output goes there too), else `target/demo` under the current directory.
#[must_use]
pub fn default_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("demo")
}

impl Default for Config {
    fn default() -> Self {
        Self {
            devices: 8,
            duration: Duration::from_secs(5),
            method: Method::StatStat,
            suite: 2,
            out: default_dir().join("fhir"),
            tamper: false,
            quiet: false,
            transport: Transport::Tcp,
            seed: 1,
            backend: Backend::RustCrypto,
        }
    }
}

/// The usage text.
pub const USAGE: &str = "\
usage: demo [--devices N] [--duration SECS] [--method 0-3] [--suite 2|5] [--out PATH] [--tamper] [--quiet]
            [--transport tcp|udp] [--loss P] [--seed N] [--backend rustcrypto|aws-lc]
  --devices N      simulated patient devices (default 8, max 1000)
  --duration SECS  streaming time per device (default 5; decimals allowed)
  --method M       EDHOC method: 0 sig/sig, 1 sig/static-DH, 2 static-DH/sig, 3 static-DH/static-DH (default 3)
  --suite S        EDHOC cipher suite: 2 (AES-CCM-16-64-128) or 5 (ChaCha20-Poly1305) (default 2)
  --out DIR        FHIR R4 output, one NDJSON file per destination: ehr, research (pseudonymous),
                   emergency, consent (default $CARGO_TARGET_DIR/demo/fhir, else target/demo/fhir)
  --tamper         inject replayed and modified frames; the gateway must reject them all
  --quiet          no progress lines
  --transport T    tcp (default) or udp: UDP on 127.0.0.1, handshake with retransmission, one frame
                   per datagram (not with --tamper)
  --loss P         UDP only: drop each datagram with probability P (0..1, default 0) in a lossy shim
  --seed N         seed of the shim's loss decisions (default 1)
  --backend B      the gateway's crypto backend: rustcrypto (default) or aws-lc (iomt-crypto-awslc);
                   TCP only (the UDP path stays on rustcrypto); devices always run rustcrypto";

impl Config {
    /// Parses command-line flags (without the program name).
    ///
    /// # Errors
    /// A message naming the bad flag.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut c = Self::default();
        let mut loss = None;
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
            match flag.as_str() {
                "--devices" => {
                    c.devices = value("--devices")?
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_DEVICES).contains(n))
                        .ok_or("--devices: 1..=1000")?;
                }
                "--duration" => {
                    let s: f64 = value("--duration")?
                        .parse()
                        .map_err(|_| "--duration: seconds")?;
                    c.duration = Duration::try_from_secs_f64(s)
                        .ok()
                        .filter(|d| *d <= Duration::from_secs(3600))
                        .ok_or("--duration: 0..=3600 seconds")?;
                }
                "--method" => {
                    c.method = value("--method")?
                        .parse::<i64>()
                        .ok()
                        .and_then(Method::from_id)
                        .ok_or("--method: 0, 1, 2 or 3")?;
                }
                "--suite" => {
                    c.suite = value("--suite")?
                        .parse()
                        .ok()
                        .filter(|s| matches!(s, 2 | 5))
                        .ok_or("--suite: 2 or 5")?;
                }
                "--out" => c.out = PathBuf::from(value("--out")?),
                "--tamper" => c.tamper = true,
                "--transport" => {
                    c.transport = match value("--transport")?.as_str() {
                        "tcp" => Transport::Tcp,
                        "udp" => Transport::Udp {
                            loss: loss.unwrap_or(0.0),
                        },
                        _ => return Err("--transport: tcp or udp".into()),
                    };
                }
                "--loss" => {
                    let p: f64 = value("--loss")?.parse().map_err(|_| "--loss: 0..1")?;
                    if !(0.0..1.0).contains(&p) {
                        return Err("--loss: 0..1".into());
                    }
                    loss = Some(p);
                }
                "--seed" => c.seed = value("--seed")?.parse().map_err(|_| "--seed: a number")?,
                "--quiet" => c.quiet = true,
                "--backend" => c.backend = Backend::parse(&value("--backend")?)?,
                other => return Err(format!("unknown flag {other}\n{USAGE}")),
            }
        }
        match (&mut c.transport, loss) {
            (Transport::Udp { loss: l }, Some(p)) => *l = p,
            (Transport::Tcp, Some(_)) => return Err("--loss needs --transport udp".into()),
            _ => {}
        }
        if c.backend != Backend::RustCrypto && c.transport != Transport::Tcp {
            return Err("--backend aws-lc needs --transport tcp".into());
        }
        if c.tamper && c.transport != Transport::Tcp {
            return Err(
                "--tamper needs --transport tcp (lost frames would blur its accounting)".into(),
            );
        }
        Ok(c)
    }
}

/// One row of the summary: both ends of one device's session.
#[derive(Debug, Clone)]
pub struct DeviceRow {
    /// Device index.
    pub index: DeviceIndex,
    /// Device identity.
    pub identity: String,
    /// Consent profile.
    pub profile: ConsentProfile,
    /// The device's view.
    pub device: DeviceReport,
    /// The gateway's view.
    pub gateway: ConnReport,
    /// The UDP link (`--transport udp` only).
    pub link: Option<LinkStats>,
}

/// The result of a demo run.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Per device, by index.
    pub rows: Vec<DeviceRow>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// The output directory (one NDJSON file per destination).
    pub out: PathBuf,
    /// FHIR resources written per (destination, resource type).
    pub fhir: BTreeMap<(Destination, String), u64>,
    /// Connections the gateway served that matched no device (should be empty).
    pub errors: Vec<String>,
    /// The gateway's audit log at the end.
    pub audit: AuditReport,
    /// Consent: tamper devices (self-made tag, another patient's signed tag) and the
    /// mid-run withdrawal (`--tamper` only).
    pub consent: ConsentSummary,
    /// The process's RSS before the devices and at the most sessions open at once.
    pub rss: RssGrowth,
}

/// What the consent authority part of the run showed.
#[derive(Debug, Clone, Default)]
pub struct ConsentSummary {
    /// Rows (by index) of the devices presenting a self-made tag and another patient's
    /// signed tag.
    pub forged_rows: Vec<DeviceIndex>,
    /// Whether the withdrawal of device 1's whole consent (`--tamper`) was applied by the
    /// gateway.
    pub withdrawal_applied: bool,
    /// Whether the newer, narrower revision of device 0's consent (research withdrawn,
    /// treatment kept) reached the gateway from the authority.
    pub narrowed_applied: bool,
}

/// The row whose research consent the authority withdraws mid-run (a newer revision
/// without the research provision).
pub const NARROWED_ROW: usize = 0;
/// The row whose whole consent the authority withdraws mid-run (`--tamper`).
pub const WITHDRAWN_ROW: usize = 1;

impl Summary {
    /// Whether every session completed, every genuine frame was accepted and every
    /// injected frame was rejected.
    #[must_use]
    pub fn all_ok(&self) -> bool {
        self.errors.is_empty()
            && self.audit.chain_verified
            && self.rows.iter().all(|r| {
                let (d, g) = (&r.device, &r.gateway);
                if let Some(link) = &r.link {
                    return crate::udp::row_ok(link, d, g);
                }
                let frames = if g.consent_required_sent {
                    // Closed by the gateway: what the device had in flight when it was told
                    // arrived after the close and was dropped.
                    d.consent_required
                        && d.frames_sent + d.replays_injected + d.modified_injected
                            == g.frames + g.after_close + g.replays_rejected + g.tamper_rejected
                } else {
                    d.frames_sent == g.frames
                        && d.replays_injected == g.replays_rejected
                        && d.modified_injected == g.tamper_rejected
                };
                d.error.is_none() && g.error.is_none() && frames
            })
    }

    /// Renders the summary table.
    #[must_use]
    pub fn table(&self) -> String {
        use core::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<8} {:<18} {:>5} {:>9} {:>7} {:>8} {:>6} {:>7} {:>4} {:>9} {:>9} {:>7}",
            "device",
            "consent",
            "m/s",
            "hs ms",
            "frames",
            "bytes",
            "obs",
            "denied",
            "btg",
            "replays",
            "tampered",
            "status"
        );
        let mut tot = [0u64; 8];
        for r in &self.rows {
            let g = &r.gateway;
            let ms = g
                .method_suite
                .map_or("-".into(), |(m, s)| format!("{m}/{s}"));
            let ok = match &r.link {
                Some(l) => crate::udp::row_ok(l, &r.device, g),
                None => {
                    r.device.error.is_none()
                        && g.error.is_none()
                        && (r.device.frames_sent == g.frames || g.consent_required_sent)
                }
            };
            let vals = [
                g.frames,
                g.bytes,
                g.observations,
                g.denials,
                g.break_glass,
                g.replays_rejected,
                g.tamper_rejected,
                0,
            ];
            for (t, v) in tot.iter_mut().zip(vals) {
                *t += v;
            }
            let _ = writeln!(
                s,
                "{:<8} {:<18} {:>5} {:>9.1} {:>7} {:>8} {:>6} {:>7} {:>4} {:>4}/{:<4} {:>4}/{:<4} {:>7}",
                r.identity,
                r.profile.name(),
                ms,
                r.device.handshake.as_secs_f64() * 1e3,
                g.frames,
                g.bytes,
                g.observations,
                g.denials,
                g.break_glass,
                g.replays_rejected,
                r.device.replays_injected,
                g.tamper_rejected,
                r.device.modified_injected,
                if ok { "ok" } else { "FAIL" }
            );
        }
        let mut hs: Vec<f64> = self
            .rows
            .iter()
            .map(|r| r.device.handshake.as_secs_f64() * 1e3)
            .collect();
        hs.sort_by(f64::total_cmp);
        let median = hs.get(hs.len() / 2).copied().unwrap_or(0.0);
        let max = hs.last().copied().unwrap_or(0.0);
        let _ = writeln!(
            s,
            "{:<8} {:<18} {:>5} {:>9} {:>7} {:>8} {:>6} {:>7} {:>4} {:>9} {:>9}",
            "total",
            "",
            "",
            format!("{median:.1}/{max:.1}"),
            tot[0],
            tot[1],
            tot[2],
            tot[3],
            tot[4],
            tot[5],
            tot[6]
        );
        let _ = writeln!(
            s,
            "hs ms = EDHOC handshake at the device (total row: median/max); denied = (frame, use) pairs \
             refused by consent; replays/tampered = rejected/injected"
        );
        let refused: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.gateway.consent_refused > 0)
            .map(|r| format!("{} (code {})", r.identity, r.gateway.consent_refusal_code))
            .collect();
        let _ = writeln!(
            s,
            "consent: tags refused at the gateway (audited): {}",
            if refused.is_empty() {
                "none".to_owned()
            } else {
                refused.join(", ")
            }
        );
        if let Some(r) = self
            .rows
            .get(NARROWED_ROW)
            .filter(|_| self.consent.narrowed_applied)
        {
            let [before, after] = r.gateway.released;
            let _ = writeln!(
                s,
                "consent: {}'s research consent withdrawn mid-run (revision {}: treatment only); data frames released \
                 ward/research/emergency before {}/{}/{}, after {}/{}/{}; newer tag sent to the device {}x, re-bound by it {}x",
                r.identity,
                r.gateway.consent.as_ref().map_or(0, |t| t.revision),
                before[0],
                before[1],
                before[2],
                after[0],
                after[1],
                after[2],
                r.gateway.consent_updates_sent,
                r.device.consent_updates
            );
        }
        if let Some(r) = self
            .rows
            .get(WITHDRAWN_ROW)
            .filter(|_| self.consent.withdrawal_applied)
        {
            let _ = writeln!(
                s,
                "consent: withdrawal of {}'s consent applied mid-run: {} frame refused, {} released after it; \
                 device told (close ConsentRequired): {}, stopped sending ({} in flight dropped)",
                r.identity,
                r.gateway.withdrawn_frames,
                r.gateway.released_after_withdrawal,
                if r.device.consent_required {
                    "yes"
                } else {
                    "NO"
                },
                r.gateway.after_close
            );
        }
        crate::udp::table(&mut s, &self.rows);
        let _ = writeln!(s, "device time -> effectiveDateTime:");
        for r in &self.rows {
            let _ = writeln!(s, "  {:<8} {}", r.identity, r.gateway.clock.describe());
        }
        let _ = write!(s, "FHIR resources in {}:", self.out.display());
        for ((dest, rt), n) in &self.fhir {
            let _ = write!(s, "  {} {rt} {n};", dest.file_name());
        }
        let _ = writeln!(s);
        s.push_str(&crate::memory::describe(&self.rss));
        let a = &self.audit;
        let _ = writeln!(
            s,
            "audit log: {} records appended ({} overwritten), chain {}; held: {} handshakes, {} consent denials, {} break-glass grants, {} replay/forgery",
            a.appended,
            a.overwritten,
            if a.chain_verified {
                "verified"
            } else {
                "BROKEN"
            },
            a.handshakes,
            a.consent_denied,
            a.break_glass,
            a.replay_or_forgery
        );
        for e in self
            .rows
            .iter()
            .filter_map(|r| r.device.error.as_ref().or(r.gateway.error.as_ref()))
        {
            let _ = writeln!(s, "error: {e}");
        }
        for e in &self.errors {
            let _ = writeln!(s, "error: {e}");
        }
        s
    }
}

/// Runs the demo.
///
/// # Errors
/// Setup failures (socket, output file, credentials) as a message; per-session failures
/// are in the [`Summary`].
pub fn run(cfg: &Config) -> Result<Summary, String> {
    let started = Instant::now();
    let sinks = Sinks::files(&cfg.out)?;
    // --tamper adds two devices: one presenting a self-made tag, one another patient's.
    let total = if cfg.tamper {
        cfg.devices.saturating_add(2)
    } else {
        cfg.devices
    };
    let mut registry = Registry::default();
    for i in 0..total {
        let cred = DemoCredential::device(i).map_err(|e| e.to_string())?;
        registry.register(&cred, format!("p-{i:03}"));
    }
    let gw = Arc::new(
        Gateway::new(
            DemoCredential::gateway().map_err(|e| e.to_string())?,
            registry,
            vec![2, 5],
            sinks,
        )?
        .with_backend(cfg.backend)?,
    );
    // The consent authority issues every device's tag at provisioning; the gateway
    // trusts only its key.
    let mut crypto: crate::gateway::Crypto = iomt_crypto::RustCryptoProvider::with_os_rng();
    let hospital = Authority::hospital(&mut crypto)?;
    gw.trust_authority(hospital.public_key())?;
    let now = Timestamp::from_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    let mut tags = Vec::new();
    let mut consent = ConsentSummary::default();
    let mut records = Vec::new();
    for i in 0..total {
        // The hospital's record of this patient's consent (FHIR Consent); tags are issued from it.
        let rec = record(
            ConsentProfile::for_device(i),
            &format!("p-{i:03}"),
            now.as_secs(),
        );
        let issued = if cfg.tamper && i == cfg.devices {
            // A device's own "authority": well-formed, bound, signed by an unknown key.
            consent.forged_rows.push(i);
            let rogue = Authority::derive(&mut crypto, "self-made")?;
            rogue
                .issue_from_fhir(&mut crypto, &rec, &device_identity(i))
                .map_err(|e| e.to_string())?
        } else if cfg.tamper && i == cfg.devices + 1 {
            // Another patient's genuine signed tag, copied onto this device.
            consent.forged_rows.push(i);
            tags.first().cloned().unwrap_or_default()
        } else {
            hospital
                .issue_from_fhir(&mut crypto, &rec, &device_identity(i))
                .map_err(|e| e.to_string())?
        };
        tags.push(issued);
        records.push(rec);
    }
    let gw_pub = Arc::new(DemoCredential::gateway().map_err(|e| e.to_string())?);
    let dcs: Vec<DeviceConfig> = (0..total)
        .map(|index| DeviceConfig {
            index,
            profile: ConsentProfile::for_device(index),
            method: cfg.method,
            suites: vec![cfg.suite],
            duration: cfg.duration,
            tamper: cfg.tamper,
            consent: tags.get(usize::from(index)).cloned().unwrap_or_default(),
            consent_copies: if cfg.transport == Transport::Tcp {
                1
            } else {
                3
            },
        })
        .collect();
    let sampler = RssSampler::start(&gw);
    let (acceptor, devices, on) = match cfg.transport {
        Transport::Tcp => spawn_tcp(&gw, dcs, &gw_pub)?,
        Transport::Udp { loss } => {
            let (g, d) = crate::udp::spawn(&gw, dcs, &gw_pub, loss, cfg.seed)?;
            let on = format!("UDP 127.0.0.1 (loss {loss}, seed {})", cfg.seed);
            (g, d, on)
        }
    };
    if !cfg.quiet {
        eprintln!(
            "gateway on {on} ({} backend): {} devices, EDHOC method {} suite {}, {:.1} s{}; FHIR -> {}",
            cfg.backend.name(),
            cfg.devices,
            cfg.method.id(),
            cfg.suite,
            cfg.duration.as_secs_f64(),
            if cfg.tamper { ", tamper mode" } else { "" },
            cfg.out.display()
        );
    }
    let n = total;

    // Mid-run: the authority narrows device 0's patient's consent (a newer revision
    // without research) and, with --tamper, withdraws device 1's patient's consent; both
    // reach the gateway directly, not through the devices.
    let changes = mid_run_changes(cfg, &hospital, &mut crypto, (&records, &tags), now, &gw)?;

    // Progress.
    if !cfg.quiet {
        let c = &gw.counters;
        while devices.iter().any(|h| !h.is_finished()) {
            thread::sleep(Duration::from_millis(100));
            if started.elapsed().as_millis() % 1000 < 100 {
                eprintln!(
                    "[{:>5.1} s] sessions {}/{}  frames {}  bytes {}  observations {}  denied {}  break-glass {}  replays rejected {}  tampered rejected {}",
                    started.elapsed().as_secs_f64(),
                    c.handshakes.load(Ordering::Relaxed),
                    n,
                    c.frames.load(Ordering::Relaxed),
                    c.bytes.load(Ordering::Relaxed),
                    c.observations.load(Ordering::Relaxed),
                    c.denials.load(Ordering::Relaxed),
                    c.break_glass.load(Ordering::Relaxed),
                    c.replays_rejected.load(Ordering::Relaxed),
                    c.tamper_rejected.load(Ordering::Relaxed),
                );
            }
        }
    }
    let device_reports: Vec<(DeviceReport, Option<LinkStats>)> = devices
        .into_iter()
        .map(|h| h.join().unwrap_or_default())
        .collect();
    let conn_reports = acceptor
        .join()
        .map_err(|_| "gateway thread panicked".to_owned())??;
    let rss = sampler.finish();
    if let Some(h) = changes {
        (consent.narrowed_applied, consent.withdrawal_applied) = h.join().unwrap_or_default();
    }
    gw.flush()?;
    let audit = gw.audit_report()?;

    // Match gateway sessions to devices by authenticated identity.
    let mut errors = Vec::new();
    let mut by_identity: Vec<Option<ConnReport>> = vec![None; usize::from(total)];
    for (i, c) in conn_reports.into_iter().enumerate() {
        if cfg.transport != Transport::Tcp {
            // One link per device: the gateway's reports are in device order.
            if let Some(s) = by_identity.get_mut(i) {
                *s = Some(c);
            }
            continue;
        }
        let slot = c
            .device
            .as_ref()
            .and_then(|d| (0..total).position(|i| device_identity(i) == *d));
        match slot {
            Some(i) => by_identity[i] = Some(c),
            None => errors.push(c.error.unwrap_or_else(|| "unmatched session".into())),
        }
    }
    let rows = device_reports
        .into_iter()
        .zip(by_identity)
        .enumerate()
        .map(|(i, ((device, link), gateway))| {
            let index = DeviceIndex::try_from(i).unwrap_or(DeviceIndex::MAX);
            DeviceRow {
                index,
                identity: device_identity(index),
                profile: ConsentProfile::for_device(index),
                device,
                gateway: gateway.unwrap_or_default(),
                link,
            }
        })
        .collect();
    Ok(Summary {
        rows,
        elapsed: started.elapsed(),
        out: cfg.out.clone(),
        fhir: gw.export.counts(),
        errors,
        audit,
        consent,
        rss,
    })
}

/// The device threads of a run: each device's report and (UDP) its link statistics.
type DeviceThreads = Vec<thread::JoinHandle<(DeviceReport, Option<LinkStats>)>>;
/// The gateway's thread: its per-connection reports.
type GatewayThread = thread::JoinHandle<Result<Vec<ConnReport>, String>>;

/// The TCP run: a listener accepting exactly one connection per device (one thread
/// each) and one thread per device.
fn spawn_tcp(
    gw: &Arc<Gateway>,
    dcs: Vec<DeviceConfig>,
    gw_pub: &Arc<DemoCredential>,
) -> Result<(GatewayThread, DeviceThreads, String), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let n = u16::try_from(dcs.len()).unwrap_or(u16::MAX);
    let gw_accept = Arc::clone(gw);
    let acceptor = thread::spawn(move || {
        let mut handles = Vec::new();
        for conn_id in 1..=n {
            match listener.accept() {
                Ok((sock, _)) => {
                    let _ = sock.set_nodelay(true);
                    let gw = Arc::clone(&gw_accept);
                    handles.push(thread::spawn(move || serve(TcpIo(sock), &gw, conn_id)));
                }
                Err(e) => return Err(format!("accept: {e}")),
            }
        }
        Ok(handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect::<Vec<_>>())
    });
    let devices = dcs
        .into_iter()
        .map(|dc| {
            let gw_pub = Arc::clone(gw_pub);
            thread::spawn(move || match TcpStream::connect(addr) {
                Ok(sock) => {
                    let _ = sock.set_nodelay(true);
                    (run_listening_device(sock, &dc, &gw_pub), None)
                }
                Err(e) => (
                    DeviceReport {
                        error: Some(format!("connect: {e}")),
                        ..DeviceReport::default()
                    },
                    None,
                ),
            })
        })
        .collect();
    Ok((acceptor, devices, addr.to_string()))
}

/// Runs a device whose socket is also read by a second thread (the gateway's consent
/// updates and close reach the device through [`crate::device::run_device_with_inbox`]);
/// shuts the socket down when the device is done so both sides see the end.
fn run_listening_device(sock: TcpStream, dc: &DeviceConfig, gw: &DemoCredential) -> DeviceReport {
    let (Ok(reader), Ok(closer)) = (sock.try_clone(), sock.try_clone()) else {
        return run_device(TcpIo(sock), dc, gw);
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let (start, started) = std::sync::mpsc::channel::<()>();
    let listener = thread::spawn(move || {
        if started.recv().is_err() {
            return; // the handshake failed: nothing to listen to
        }
        let mut link = iomt_proto::transport::Stream::new(TcpIo(reader));
        let mut buf = [0u8; iomt_proto::MAX_FRAME_LEN];
        while let Ok(frame) = link.recv_frame(&mut buf) {
            if tx.send(frame.to_vec()).is_err() {
                break;
            }
        }
    });
    let inbox = Inbox { start, frames: rx };
    let report = run_device_with_inbox(TcpIo(sock), dc, gw, Some(inbox));
    let _ = closer.shutdown(std::net::Shutdown::Both);
    let _ = listener.join();
    report
}

/// (narrowed, withdrawn) applied at the gateway.
type Changes = thread::JoinHandle<(bool, bool)>;

/// Schedules the authority's mid-run changes at half the run: a newer revision of row
/// [`NARROWED_ROW`]'s consent without research, and (`--tamper`) the withdrawal of row
/// [`WITHDRAWN_ROW`]'s consent.
fn mid_run_changes(
    cfg: &Config,
    hospital: &Authority,
    crypto: &mut crate::gateway::Crypto,
    (records, tags): (&[serde_json::Value], &[Vec<u8>]),
    now: Timestamp,
    gw: &Arc<Gateway>,
) -> Result<Option<Changes>, String> {
    let Some(rec0) = records.get(NARROWED_ROW) else {
        return Ok(None);
    };
    let identity = device_identity(DeviceIndex::try_from(NARROWED_ROW).unwrap_or(0));
    let narrower = hospital
        .issue_from_fhir(crypto, &without_research(rec0), &identity)
        .map_err(|e| e.to_string())?;
    let withdrawal = match tags.get(WITHDRAWN_ROW) {
        Some(t) if cfg.tamper && usize::from(cfg.devices) > WITHDRAWN_ROW => {
            let t = iomt_core::ConsentTag::decode(t).map_err(|e| e.to_string())?;
            Some(hospital.withdraw(crypto, t.consent_ref, t.revision, now)?)
        }
        _ => None,
    };
    let gw = Arc::clone(gw);
    let half = cfg.duration / 2;
    Ok(Some(thread::spawn(move || {
        thread::sleep(half);
        let narrowed = gw.learn_revision(&narrower).is_ok();
        let withdrawn = withdrawal.is_some_and(|w| gw.withdraw(&w).is_ok());
        (narrowed, withdrawn)
    })))
}
