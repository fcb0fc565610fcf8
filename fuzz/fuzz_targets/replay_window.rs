//! The anti-replay window (`iomt_proto::ReplayWindow`) against a set-based model, for several
//! window sizes: in-window reordering accepted, duplicates and too-old numbers rejected,
//! `check` never changes the window, and unauthenticated (forged) frames never move it.
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use iomt_proto::{Rejection, ReplayWindow};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Seq {
    /// Relative to the highest committed number (most interesting region).
    Near(i16),
    /// Any number.
    Abs(u32),
}

#[derive(Debug, Arbitrary)]
enum Op {
    /// A frame arrives: check, then commit only if it "authenticated".
    Receive { seq: Seq, authentic: bool },
    /// `check_and_update` (caller that already authenticated).
    CheckAndUpdate(Seq),
}

struct Model<const W: u32> {
    window: ReplayWindow<W>,
    seen: BTreeSet<u32>,
    top: Option<u32>,
}

impl<const W: u32> Model<W> {
    fn new() -> Self {
        Self {
            window: ReplayWindow::new(),
            seen: BTreeSet::new(),
            top: None,
        }
    }

    fn resolve(&self, seq: &Seq) -> u32 {
        match *seq {
            Seq::Abs(s) => s,
            Seq::Near(d) => self.top.unwrap_or(0).saturating_add_signed(i32::from(d)),
        }
    }

    fn expected(&self, s: u32) -> Result<(), Rejection> {
        match self.top {
            Some(top) if s <= top && top - s >= W => Err(Rejection::TooOld),
            _ if self.seen.contains(&s) => Err(Rejection::Replayed),
            _ => Ok(()),
        }
    }

    fn accept(&mut self, s: u32) {
        self.seen.insert(s);
        self.top = Some(self.top.map_or(s, |t| t.max(s)));
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Receive { seq, authentic } => {
                let s = self.resolve(seq);
                let before = self.window;
                let got = self.window.check(s);
                assert_eq!(self.window, before, "check changed the window");
                assert_eq!(got, self.expected(s), "check({s}) W={W} top={:?}", self.top);
                if got.is_ok() && *authentic {
                    self.window.commit(s);
                    self.accept(s);
                }
            }
            Op::CheckAndUpdate(seq) => {
                let s = self.resolve(seq);
                let before = self.window;
                let got = self.window.check_and_update(s);
                assert_eq!(got, self.expected(s), "check_and_update({s}) W={W}");
                if got.is_ok() {
                    self.accept(s);
                } else {
                    assert_eq!(self.window, before, "a rejected number moved the window");
                }
            }
        }
        assert_eq!(self.window.top(), self.top);
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut w64 = Model::<64>::new();
    let mut w1 = Model::<1>::new();
    let mut w7 = Model::<7>::new();
    let mut w63 = Model::<63>::new();
    for op in &ops {
        w64.apply(op);
        w1.apply(op);
        w7.apply(op);
        w63.apply(op);
    }
});
