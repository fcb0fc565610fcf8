//! A deterministic lossy datagram link (test support, not library API): drop,
//! duplicate, reorder, delay and MTU, all from one seed.
//!
//! **MTU.** Every message goes through iomt-proto's real fragmenter
//! ([`iomt_proto::Fragmenter`], 4-byte header on every datagram) at the link's MTU and is
//! put back together by a real [`iomt_proto::Reassembler`] per receiving end. Loss,
//! duplication and delay apply per datagram on the air (per fragment); the fragments of
//! one message leave back to back (1 ms apart) and a reordered message is delayed as a
//! whole, so a retransmission (a new unit) can overtake an incomplete older one, which
//! the reassembler then abandons — as on a real link.
#![allow(dead_code, reason = "shared by several test crates")]

use iomt_proto::{Fragmenter, Reassembler};

/// Bytes of fragment header per datagram (iomt-proto's fragment header).
pub(crate) const FRAGMENT_HEADER_LEN: usize = iomt_proto::fragment::HEADER_LEN;

/// Which end a datagram goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum To {
    /// The initiator.
    Initiator,
    /// The responder.
    Responder,
}

/// The link's behaviour (probabilities per fragment / per message).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkConfig {
    /// Probability that one fragment (one datagram on the air) is lost.
    pub(crate) loss: f64,
    /// Probability that a fragment is delivered twice.
    pub(crate) duplicate: f64,
    /// Probability that a message gets an extra delay of up to `reorder_extra_ms`
    /// (so later messages overtake it).
    pub(crate) reorder: f64,
    /// One-way delay range in ms, `[min, max]`.
    pub(crate) delay_ms: (u64, u64),
    /// Extra delay for a reordered message.
    pub(crate) reorder_extra_ms: u64,
    /// Link MTU (bytes per datagram on the air, fragment header included).
    pub(crate) mtu: usize,
}

impl LinkConfig {
    /// A link with `loss` and `mtu`, 5 % duplicates, 5 % reordering, 20–80 ms one way.
    pub(crate) const fn new(loss: f64, mtu: usize) -> Self {
        Self {
            loss,
            duplicate: 0.05,
            reorder: 0.05,
            delay_ms: (20, 80),
            reorder_extra_ms: 400,
            mtu,
        }
    }

    /// The nominal round trip (twice the mean one-way delay), the unit of the
    /// completion-time table.
    pub(crate) const fn nominal_rtt_ms(&self) -> u64 {
        self.delay_ms.0 + self.delay_ms.1
    }
}

/// SplitMix64: small, seedable, good enough for a link model.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) const fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in [lo, hi].
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

#[derive(Debug)]
struct InFlight {
    at: u64,
    order: u64,
    to: To,
    bytes: Vec<u8>,
}

/// Counters of what the link did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct LinkStats {
    /// Messages offered to the link.
    pub(crate) sent: u64,
    /// Fragments put on the air.
    pub(crate) fragments: u64,
    /// Fragments lost.
    pub(crate) lost: u64,
    /// Fragments the reassembler refused (stale, abandoned, conflicting).
    pub(crate) refused: u64,
    /// Extra copies delivered.
    pub(crate) duplicated: u64,
    /// Messages delayed for reordering.
    pub(crate) reordered: u64,
}

/// The link: a time-ordered queue of deliveries.
#[derive(Debug)]
pub(crate) struct LossyLink {
    cfg: LinkConfig,
    rng: Rng,
    queue: Vec<InFlight>,
    order: u64,
    frag_to_i: Fragmenter,
    frag_to_r: Fragmenter,
    reasm_i: Reassembler<512>,
    reasm_r: Reassembler<512>,
    /// What happened so far.
    pub(crate) stats: LinkStats,
}

impl LossyLink {
    pub(crate) fn new(cfg: LinkConfig, seed: u64) -> Self {
        assert!(
            cfg.mtu > FRAGMENT_HEADER_LEN,
            "MTU below the fragment header"
        );
        Self {
            cfg,
            rng: Rng::new(seed),
            queue: Vec::new(),
            order: 0,
            frag_to_i: Fragmenter::new(),
            frag_to_r: Fragmenter::new(),
            reasm_i: Reassembler::new(),
            reasm_r: Reassembler::new(),
            stats: LinkStats::default(),
        }
    }

    fn push(&mut self, at: u64, to: To, bytes: Vec<u8>) {
        self.order += 1;
        self.queue.push(InFlight {
            at,
            order: self.order,
            to,
            bytes,
        });
    }

    /// Offers one message to the link at `now`: fragmented at the MTU, each fragment
    /// lost or duplicated on its own.
    pub(crate) fn send(&mut self, now: u64, to: To, bytes: &[u8]) {
        self.stats.sent += 1;
        let mtu = self.cfg.mtu;
        let frags = match to {
            To::Initiator => self.frag_to_i.split(bytes, mtu),
            To::Responder => self.frag_to_r.split(bytes, mtu),
        }
        .expect("fragmentable");
        let (lo, hi) = self.cfg.delay_ms;
        let mut base = now + self.rng.range(lo, hi);
        if self.rng.chance(self.cfg.reorder) {
            base += self.rng.range(1, self.cfg.reorder_extra_ms);
            self.stats.reordered += 1;
        }
        let mut buf = [0u8; 512];
        for i in 0..frags.count() {
            let n = frags.emit(i, &mut buf).expect("fits");
            self.stats.fragments += 1;
            let at = base + i as u64;
            if self.rng.chance(self.cfg.loss) {
                self.stats.lost += 1;
            } else {
                self.push(at, to, buf[..n].to_vec());
            }
            if self.rng.chance(self.cfg.duplicate) {
                self.stats.duplicated += 1;
                let extra = self.rng.range(1, 50);
                self.push(at + extra, to, buf[..n].to_vec());
            }
        }
    }

    /// When the next delivery happens.
    pub(crate) fn next_delivery(&self) -> Option<u64> {
        self.queue.iter().map(|f| f.at).min()
    }

    /// The next whole message due at or before `now` (fragments delivered earliest
    /// first, then in send order, into the receiving end's reassembler).
    pub(crate) fn deliver(&mut self, now: u64) -> Option<(To, Vec<u8>)> {
        loop {
            let i = self
                .queue
                .iter()
                .enumerate()
                .filter(|(_, f)| f.at <= now)
                .min_by_key(|(_, f)| (f.at, f.order))
                .map(|(i, _)| i)?;
            let f = self.queue.swap_remove(i);
            let r = match f.to {
                To::Initiator => &mut self.reasm_i,
                To::Responder => &mut self.reasm_r,
            };
            match r.push(&f.bytes) {
                Ok(Some(unit)) => return Some((f.to, unit.to_vec())),
                Ok(None) => {}
                Err(_) => self.stats.refused += 1,
            }
        }
    }
}
