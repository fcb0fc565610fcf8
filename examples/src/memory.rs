//! Memory per established session at the gateway (issue 18: goal ≤ 1 KiB per session,
//! the consent table included).
//!
//! Two views:
//! - [`SessionFootprint`]: the `size_of` of what the gateway keeps for each established
//!   session (the handshake state is dropped once the channel exists): the channel, the
//!   consent verifier's table entry, the session's consent state and its report row.
//! - [`rss_kib`]: the process's resident set (`VmRSS` in `/proc/self/status`), sampled by
//!   the demo before any device starts and when the most sessions were open at once
//!   ([`RssGrowth`]). The demo runs devices and gateway in one process, so this growth
//!   also includes the devices' side (their channels, threads and buffers) and every
//!   thread's touched stack: an upper bound, not the gateway's cost alone.

use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;
use std::sync::Arc;
use std::thread;

use iomt_proto::Channel;

use crate::consent_session::SessionConsent;
use crate::gateway::{ConnReport, Gateway};

/// The verifier's table entry: the difference between verifiers with one and no entries
/// (the entry type is private to iomt-auth).
const VERIFIER_ENTRY: usize = size_of::<iomt_auth::consent::ConsentVerifier<2, 1>>()
    - size_of::<iomt_auth::consent::ConsentVerifier<2, 0>>();

/// `size_of` of what the gateway keeps per established session, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFootprint {
    /// `iomt_proto::Channel` as the gateway instantiates it (keys, replay windows,
    /// counters, consent slots).
    pub channel: usize,
    /// One entry of the consent verifier's table (consent reference, newest revision,
    /// withdrawal): one per device's consent, preallocated for
    /// [`crate::gateway::CONSENT_CAPACITY`].
    pub verifier_entry: usize,
    /// The session's consent state in this example ([`SessionConsent`]; its tags are
    /// heap-allocated on top when present).
    pub session_consent: usize,
    /// The example's per-connection report ([`ConnReport`]; strings on the heap on top).
    pub report: usize,
}

impl SessionFootprint {
    /// The sizes in this build.
    #[must_use]
    pub const fn measure() -> Self {
        Self {
            channel: size_of::<Channel>(),
            verifier_entry: VERIFIER_ENTRY,
            session_consent: size_of::<SessionConsent>(),
            report: size_of::<ConnReport>(),
        }
    }

    /// What the protocol needs per session: the channel plus the consent table entry.
    #[must_use]
    pub const fn protocol(&self) -> usize {
        self.channel + self.verifier_entry
    }

    /// Everything listed, the example's own bookkeeping included.
    #[must_use]
    pub const fn total(&self) -> usize {
        self.protocol() + self.session_consent + self.report
    }
}

/// The process's resident set size in KiB (`VmRSS` in `/proc/self/status`), or `None`
/// where that file does not exist (not Linux) or does not parse.
#[must_use]
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The process's RSS before the devices started and when the most sessions were open
/// at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RssGrowth {
    /// RSS (KiB) with the gateway set up and no device started.
    pub before_kib: u64,
    /// RSS (KiB) when [`Self::sessions`] sessions were open at once.
    pub at_peak_kib: u64,
    /// The most sessions the gateway had open at once.
    pub sessions: u64,
}

impl RssGrowth {
    /// RSS growth per open session, in bytes (0 without sessions).
    #[must_use]
    pub fn per_session_bytes(&self) -> u64 {
        (self.at_peak_kib.saturating_sub(self.before_kib) * 1024)
            .checked_div(self.sessions)
            .unwrap_or(0)
    }
}

/// Samples the RSS while a run goes: at start, and each time the gateway's peak of open
/// sessions grows (polled every 10 ms).
#[derive(Debug)]
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<RssGrowth>,
}

impl RssSampler {
    /// Takes the "before" sample now and starts polling `gw`'s session counters.
    #[must_use]
    pub fn start(gw: &Arc<Gateway>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (gw, stopped) = (Arc::clone(gw), Arc::clone(&stop));
        let before_kib = rss_kib().unwrap_or(0);
        let thread = thread::spawn(move || {
            let mut g = RssGrowth {
                before_kib,
                at_peak_kib: before_kib,
                sessions: 0,
            };
            while !stopped.load(Ordering::Relaxed) {
                let open = gw.counters.sessions_open.load(Ordering::Relaxed);
                if open > g.sessions {
                    g.sessions = open;
                    g.at_peak_kib = rss_kib().unwrap_or(0);
                }
                thread::sleep(Duration::from_millis(10));
            }
            g
        });
        Self { stop, thread }
    }

    /// Stops polling and returns what was seen.
    #[must_use]
    pub fn finish(self) -> RssGrowth {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

/// The summary's memory lines: the per-session sizes and the RSS cross-check.
#[must_use]
pub fn describe(rss: &RssGrowth) -> String {
    let f = SessionFootprint::measure();
    format!(
        "memory per established session at the gateway (size_of): channel {} B + consent table entry {} B = {} B; \
         with this example's SessionConsent {} B and ConnReport {} B: {} B\n\
         process RSS {} KiB before the devices, {} KiB with {} sessions open at once: {} B per session \
         (devices, their threads and every thread's stack included)\n",
        f.channel,
        f.verifier_entry,
        f.protocol(),
        f.session_consent,
        f.report,
        f.total(),
        rss.before_kib,
        rss.at_peak_kib,
        rss.sessions,
        rss.per_session_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(rss_kib().is_some_and(|k| k > 0));
        }
    }

    #[test]
    fn growth_per_session_divides_bytes_by_sessions() {
        let g = RssGrowth {
            before_kib: 1000,
            at_peak_kib: 3000,
            sessions: 1000,
        };
        assert_eq!(g.per_session_bytes(), 2048);
        assert_eq!(RssGrowth::default().per_session_bytes(), 0);
    }
}
