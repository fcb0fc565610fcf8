//! Handshake retransmission over lossy datagram links (sans-IO).
//!
//! A datagram link (BLE GATT, UDP) loses and duplicates packets. EDHOC leaves
//! reliability to its transport (RFC 9528 §3.4); this module gives the EDHOC messages the
//! flight discipline of DTLS 1.3 (RFC 9147 §5.8) with CoAP's timer (RFC 7252 §4.2):
//!
//! - **The side that sent the last message keeps its bytes** (the *flight*) and, while it
//!   waits for the peer's reply, retransmits them when its timer fires. The first timeout
//!   is drawn at random in `[initial, initial × 1.5)` (randomness from the crypto
//!   provider, so peers that lost the same packet do not retransmit in lock-step), then
//!   doubles after each retransmission (capped at [`RetransmitConfig::max_timeout_ms`]).
//!   After [`RetransmitConfig::max_retransmits`] retransmissions and one more timeout
//!   without a reply, [`Retransmit::poll`] fails with [`RetransmitError::Timeout`] (code
//!   340) and the flight is erased.
//! - **A duplicate of the message that caused the flight is answered with the same
//!   flight**, byte for byte, without handing it to the state machine again (no second
//!   processing, no new state). Duplicates are recognised by the SHA-256 of the last
//!   processed message (32 bytes, constant memory, compared with
//!   `iomt_crypto::constant_time_eq`). At most [`MAX_DUPLICATE_ANSWERS`] duplicates are
//!   answered per flight, so a replaying attacker gets a bounded number of replies.
//! - **The side that completes first keeps answering** (it *lingers*): without message_4
//!   the initiator completes when it sends message_3, and a lost message_3 can only be
//!   repaired by the responder retransmitting message_2; so the initiator keeps message_3
//!   and the hash of message_2 for [`RetransmitConfig::linger_ms`] (default: the peer's
//!   whole retransmission span) and answers each duplicate message_2 with message_3. With
//!   message_4 the responder lingers with message_4 for duplicates of message_3. A late
//!   duplicate after the linger time is not recognised ([`Received::New`] in state
//!   [`Mode::Done`]); the EDHOC driver then reports it as not a handshake message, and the
//!   channel rejects it as an unauthenticated frame — harmless.
//!
//! Time comes from the caller: `now` is a monotonic millisecond count (any epoch; it
//! must not go backwards — a smaller `now` is treated as equal to the last one seen), and
//! [`Retransmit::next_deadline`] says when to call [`Retransmit::poll`] next.
//!
//! # Invariants
//! - Bounded: one flight of at most `N` bytes, one digest, a handful of counters; no
//!   allocation. The time from arming a flight to [`RetransmitError::Timeout`] is at most
//!   [`RetransmitConfig::give_up_bound_ms`] after the deadline-driven polls.
//! - Never a second processing: a message whose digest equals the last processed one is
//!   [`Received::Duplicate`]; only [`Received::New`] messages go to the state machine.
//! - After [`RetransmitError::Timeout`] or [`Retransmit::stop`] the flight is zeroized and
//!   nothing is sent again.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

#[cfg(feature = "edhoc")]
#[cfg_attr(docsrs, doc(cfg(feature = "edhoc")))]
pub mod edhoc;

pub mod clock;

use iomt_crypto::{CryptoProvider, Digest, constant_time_eq};
use zeroize::Zeroize;

/// Most duplicates answered per flight (replies to a replaying peer are bounded).
pub const MAX_DUPLICATE_ANSWERS: u8 = 16;

/// Default flight capacity: the largest EDHOC message this crate sends or accepts
/// (equal to the C API's `IOMT_MAX_MESSAGE_LEN`).
pub const DEFAULT_FLIGHT_CAPACITY: usize = 512;

/// A retransmission failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RetransmitError {
    /// No reply after the last retransmission's timeout: the handshake is given up.
    Timeout,
    /// The flight is longer than the retransmission buffer.
    FlightTooLarge {
        /// The flight's length.
        len: usize,
    },
    /// The configuration is unusable (zero initial timeout, or a maximum below it).
    InvalidConfig,
}

impl RetransmitError {
    /// The stable numeric code (the C API's `iomt_result`).
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::Timeout => 340,
            Self::FlightTooLarge { .. } => 341,
            Self::InvalidConfig => 342,
        }
    }
}

impl core::fmt::Display for RetransmitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Timeout => {
                f.write_str("handshake timed out: no reply after the last retransmission")
            }
            Self::FlightTooLarge { len } => {
                write!(
                    f,
                    "handshake message of {len} bytes exceeds the retransmission buffer"
                )
            }
            Self::InvalidConfig => f.write_str("invalid retransmission configuration"),
        }
    }
}

impl core::error::Error for RetransmitError {}

/// Retransmission parameters. See docs/PROTOCOL.md ("Retransmission over datagram
/// links") for why the defaults fit BLE and UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetransmitConfig {
    /// First timeout before the random factor (RFC 7252 ACK_TIMEOUT). Default 2000 ms.
    pub initial_timeout_ms: u32,
    /// Upper bound of one timeout after doubling. Default 16000 ms.
    pub max_timeout_ms: u32,
    /// Retransmissions before giving up (RFC 7252 MAX_RETRANSMIT). Default 4.
    pub max_retransmits: u8,
    /// How long the side that completes first keeps answering duplicates; at least the
    /// peer's [`RetransmitConfig::give_up_bound_ms`] (53 s), so every retransmission of
    /// the peer is answered. Default 60000 ms.
    pub linger_ms: u32,
}

impl RetransmitConfig {
    /// The defaults: 2 s × [1, 1.5), doubling, capped at 16 s, 4 retransmissions (gives
    /// up after at most 53 s), lingering 60 s.
    pub const DEFAULT: Self = Self {
        initial_timeout_ms: 2_000,
        max_timeout_ms: 16_000,
        max_retransmits: 4,
        linger_ms: 60_000,
    };

    /// The largest first timeout after the random factor (`initial × 1.5`, rounded down).
    #[must_use]
    pub const fn max_initial_ms(&self) -> u64 {
        let i = self.initial_timeout_ms as u64;
        i.saturating_add(i / 2)
    }

    /// The longest time from arming a flight to [`RetransmitError::Timeout`], when the
    /// caller polls at each deadline: the sum of `max_retransmits + 1` timeouts, each the
    /// previous doubled (capped at `max_timeout_ms` unless the first is larger).
    /// For the defaults: 3 + 6 + 12 + 16 + 16 = 53 s.
    #[must_use]
    pub const fn give_up_bound_ms(&self) -> u64 {
        let mut t = self.max_initial_ms();
        let mut sum = 0u64;
        let mut i = 0u16;
        while i <= self.max_retransmits as u16 {
            sum = sum.saturating_add(t);
            t = next_timeout(t, self.max_timeout_ms);
            i = i.saturating_add(1);
        }
        sum
    }

    /// `Ok` if the configuration can run.
    ///
    /// # Errors
    /// [`RetransmitError::InvalidConfig`] for a zero initial timeout or a maximum below it.
    pub const fn validate(&self) -> Result<(), RetransmitError> {
        if self.initial_timeout_ms == 0 || self.max_timeout_ms < self.initial_timeout_ms {
            return Err(RetransmitError::InvalidConfig);
        }
        Ok(())
    }
}

impl Default for RetransmitConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The timeout after `t`: doubled, capped at `max` (never below `t` itself, so a
/// jittered first timeout above `max` is not shortened).
const fn next_timeout(t: u64, max: u32) -> u64 {
    let d = t.saturating_mul(2);
    let m = max as u64;
    if d <= m {
        d
    } else if t > m {
        t
    } else {
        m
    }
}

/// What the retransmission state is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mode {
    /// Nothing sent yet.
    Idle,
    /// A flight was sent and a reply is awaited: the timer runs.
    Awaiting,
    /// Completed; the last flight answers duplicates until the linger deadline.
    Lingering,
    /// Finished (lingering over, or stopped): nothing is kept.
    Done,
    /// Given up after the last retransmission ([`RetransmitError::Timeout`]).
    TimedOut,
}

/// What to do after [`Retransmit::poll`].
#[derive(Debug, PartialEq, Eq)]
pub enum Poll<'a> {
    /// Send these bytes again now, then wait until the deadline.
    Retransmit {
        /// The flight, unchanged.
        flight: &'a [u8],
        /// The next deadline.
        deadline: u64,
    },
    /// Nothing to send; call `poll` again at `deadline` (or when a datagram arrives).
    Wait {
        /// The next deadline.
        deadline: u64,
    },
    /// No timer runs (idle, done).
    Idle,
}

/// How a received datagram relates to the handshake so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Received {
    /// A duplicate of the last processed message: do not process it; if `resend`, send
    /// [`Retransmit::flight`] again (the same bytes as before). `resend` is `false` when
    /// there is no flight (the handshake completed here with nothing to send) or the
    /// duplicate budget ([`MAX_DUPLICATE_ANSWERS`]) is spent.
    Duplicate {
        /// Whether to send the flight again.
        resend: bool,
    },
    /// Not a duplicate: hand it to the state machine.
    New,
}

/// The sans-IO retransmission state of one handshake side (`N`: flight capacity).
///
/// Use it around a handshake state machine: [`Retransmit::sent`] after writing each
/// message, [`Retransmit::received`] before processing each datagram,
/// [`Retransmit::finished`] on completion without a message to send, and
/// [`Retransmit::poll`] at [`Retransmit::next_deadline`]. The EDHOC composition is in
/// [`edhoc`] (feature `edhoc`); the C API wraps the same object.
#[derive(Clone)]
pub struct Retransmit<const N: usize = DEFAULT_FLIGHT_CAPACITY> {
    config: RetransmitConfig,
    mode: Mode,
    flight: [u8; N],
    flight_len: usize,
    /// SHA-256 of the message the flight answers (or of the last processed message).
    trigger: Option<Digest>,
    /// SHA-256 of the last [`Received::New`] datagram (the next flight answers it).
    candidate: Option<Digest>,
    deadline: u64,
    timeout: u64,
    retransmits: u8,
    duplicates_answered: u8,
    last_now: u64,
}

impl<const N: usize> core::fmt::Debug for Retransmit<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Retransmit")
            .field("mode", &self.mode)
            .field("flight_len", &self.flight_len)
            .field("deadline", &self.deadline)
            .field("retransmits", &self.retransmits)
            .finish_non_exhaustive()
    }
}

impl<const N: usize> Drop for Retransmit<N> {
    fn drop(&mut self) {
        self.flight.zeroize();
    }
}

impl<const N: usize> Retransmit<N> {
    /// A new, idle state.
    ///
    /// # Errors
    /// [`RetransmitError::InvalidConfig`] (see [`RetransmitConfig::validate`]).
    pub const fn new(config: RetransmitConfig) -> Result<Self, RetransmitError> {
        if let Err(e) = config.validate() {
            return Err(e);
        }
        Ok(Self {
            config,
            mode: Mode::Idle,
            flight: [0; N],
            flight_len: 0,
            trigger: None,
            candidate: None,
            deadline: 0,
            timeout: 0,
            retransmits: 0,
            duplicates_answered: 0,
            last_now: 0,
        })
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &RetransmitConfig {
        &self.config
    }

    /// The current mode.
    #[must_use]
    pub const fn mode(&self) -> Mode {
        self.mode
    }

    /// Retransmissions of the current flight so far.
    #[must_use]
    pub const fn retransmits(&self) -> u8 {
        self.retransmits
    }

    /// When to call [`Retransmit::poll`] next (`None` if no timer runs).
    #[must_use]
    pub const fn next_deadline(&self) -> Option<u64> {
        match self.mode {
            Mode::Awaiting | Mode::Lingering => Some(self.deadline),
            Mode::Idle | Mode::Done | Mode::TimedOut => None,
        }
    }

    /// The current flight (empty if none is kept).
    #[must_use]
    pub fn flight(&self) -> &[u8] {
        self.flight.get(..self.flight_len).unwrap_or(&[])
    }

    fn clock(&mut self, now: u64) -> u64 {
        self.last_now = self.last_now.max(now);
        self.last_now
    }

    fn store(&mut self, flight: &[u8]) -> Result<(), RetransmitError> {
        let dst = self
            .flight
            .get_mut(..flight.len())
            .ok_or(RetransmitError::FlightTooLarge { len: flight.len() })?;
        dst.copy_from_slice(flight);
        if let Some(rest) = self.flight.get_mut(flight.len()..) {
            rest.zeroize();
        }
        self.flight_len = flight.len();
        Ok(())
    }

    /// Records a message just sent: keeps `flight` for retransmission and remembers the
    /// message it answers (the last datagram [`Retransmit::received`] classified as
    /// [`Received::New`]; none for a first message) so its duplicates get the same
    /// flight. With `expect_reply` the timer starts (a random
    /// first timeout from `crypto`); without, the state lingers (the handshake is
    /// complete on this side) and only answers duplicates until the linger deadline.
    ///
    /// # Errors
    /// [`RetransmitError::FlightTooLarge`] if `flight` exceeds `N` (the state is then
    /// [`Mode::Done`]: a flight that cannot be kept must not be half-retransmitted).
    pub fn sent<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        now: u64,
        flight: &[u8],
        expect_reply: bool,
    ) -> Result<(), RetransmitError> {
        let now = self.clock(now);
        if let Err(e) = self.store(flight) {
            self.stop();
            return Err(e);
        }
        self.trigger = self.candidate.take();
        self.retransmits = 0;
        self.duplicates_answered = 0;
        if expect_reply {
            let mut r = [0u8; 2];
            // a failing RNG leaves no jitter, not no timer
            let jitter = match crypto.random_bytes(&mut r) {
                Ok(()) => u64::from(u16::from_le_bytes(r)),
                Err(_) => 0,
            };
            let i = u64::from(self.config.initial_timeout_ms);
            // i × (1 + jitter / 2^17) ∈ [i, 1.5 i)
            let extra = i.saturating_mul(jitter) >> 17;
            self.timeout = i.saturating_add(extra);
            self.deadline = now.saturating_add(self.timeout);
            self.mode = Mode::Awaiting;
        } else {
            self.deadline = now.saturating_add(u64::from(self.config.linger_ms));
            self.mode = Mode::Lingering;
        }
        Ok(())
    }

    /// Records that the last processed message (the last [`Received::New`] datagram)
    /// completed the handshake on this side with nothing to send: its duplicates are
    /// recognised (and answered with nothing) until the linger deadline.
    pub fn finished(&mut self, now: u64) {
        let now = self.clock(now);
        self.flight.zeroize();
        self.flight_len = 0;
        self.trigger = self.candidate.take();
        self.duplicates_answered = 0;
        self.deadline = now.saturating_add(u64::from(self.config.linger_ms));
        self.mode = Mode::Lingering;
    }

    /// Stops: erases the flight and the timer (after a failure, or when the application
    /// knows the peer completed, e.g. on its first authenticated channel frame).
    pub fn stop(&mut self) {
        self.flight.zeroize();
        self.flight_len = 0;
        self.trigger = None;
        self.candidate = None;
        if self.mode != Mode::TimedOut {
            self.mode = Mode::Done;
        }
    }

    /// Classifies a received datagram: a duplicate of the message the current flight
    /// answers gets that flight back ([`Received::Duplicate`]); anything else is
    /// [`Received::New`] and goes to the state machine (its digest is kept as the
    /// message the next [`Retransmit::sent`] / [`Retransmit::finished`] answers).
    pub fn received<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        now: u64,
        datagram: &[u8],
    ) -> Received {
        let _ = self.clock(now);
        let d = crypto.sha256(datagram);
        let live = matches!(self.mode, Mode::Awaiting | Mode::Lingering);
        let dup = live && self.trigger.is_some_and(|t| constant_time_eq(&d, &t));
        if !dup {
            self.candidate = Some(d);
            return Received::New;
        }
        if self.flight_len == 0 || self.duplicates_answered >= MAX_DUPLICATE_ANSWERS {
            return Received::Duplicate { resend: false };
        }
        self.duplicates_answered = self.duplicates_answered.saturating_add(1);
        Received::Duplicate { resend: true }
    }

    /// Runs the timer: at or after the deadline, retransmits the flight (doubling the
    /// timeout) or, after the last retransmission, fails; a lingering state ends.
    ///
    /// # Errors
    /// [`RetransmitError::Timeout`] once the last retransmission went unanswered (and on
    /// every later call); the flight is erased.
    pub fn poll(&mut self, now: u64) -> Result<Poll<'_>, RetransmitError> {
        let now = self.clock(now);
        match self.mode {
            Mode::TimedOut => Err(RetransmitError::Timeout),
            Mode::Idle | Mode::Done => Ok(Poll::Idle),
            Mode::Lingering if now >= self.deadline => {
                self.stop();
                Ok(Poll::Idle)
            }
            Mode::Awaiting if now >= self.deadline => {
                if self.retransmits >= self.config.max_retransmits {
                    self.stop();
                    self.mode = Mode::TimedOut;
                    return Err(RetransmitError::Timeout);
                }
                self.retransmits = self.retransmits.saturating_add(1);
                self.timeout = next_timeout(self.timeout, self.config.max_timeout_ms);
                self.deadline = now.saturating_add(self.timeout);
                Ok(Poll::Retransmit {
                    flight: self.flight.get(..self.flight_len).unwrap_or(&[]),
                    deadline: self.deadline,
                })
            }
            Mode::Awaiting | Mode::Lingering => Ok(Poll::Wait {
                deadline: self.deadline,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
