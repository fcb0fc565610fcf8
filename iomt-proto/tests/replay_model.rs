//! Model-based test of the replay window against a `BTreeSet`.

use std::collections::BTreeSet;

use iomt_proto::{Rejection, ReplayWindow};
use proptest::prelude::*;

/// The reference model: the set of committed numbers and the acceptance rule.
struct Model<const W: u32> {
    seen: BTreeSet<u32>,
}

impl<const W: u32> Model<W> {
    fn check(&self, s: u32) -> Result<(), Rejection> {
        let Some(&max) = self.seen.iter().next_back() else {
            return Ok(());
        };
        if s <= max && max - s >= W {
            Err(Rejection::TooOld)
        } else if self.seen.contains(&s) {
            Err(Rejection::Replayed)
        } else {
            Ok(())
        }
    }
}

fn run<const W: u32>(ops: &[(u32, bool)]) {
    let mut model = Model::<W> {
        seen: BTreeSet::new(),
    };
    let mut window = ReplayWindow::<W>::new();
    for &(seq, authentic) in ops {
        let expected = model.check(seq);
        assert_eq!(window.check(seq), expected, "seq {seq}");
        // A forged frame is checked but never committed.
        if expected.is_ok() && authentic {
            window.commit(seq);
            model.seen.insert(seq);
        }
        assert_eq!(window.top(), model.seen.iter().next_back().copied());
    }
}

fn ops() -> impl Strategy<Value = Vec<(u32, bool)>> {
    // Mostly increasing numbers with jitter, some big jumps, some forged frames.
    prop::collection::vec(
        (
            prop_oneof![8 => 0u32..8, 2 => 0u32..200, 1 => 0u32..100_000],
            prop::bool::weighted(0.9),
        ),
        1..400,
    )
    .prop_map(|v| {
        let mut base = 0u32;
        v.into_iter()
            .enumerate()
            .map(|(i, (d, auth))| {
                if i % 3 == 0 {
                    base += d;
                    (base, auth)
                } else {
                    (base.saturating_sub(d), auth)
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn replay_window_matches_btreeset_model_64(ops in ops()) {
        run::<64>(&ops);
    }

    #[test]
    fn replay_window_matches_btreeset_model_32(ops in ops()) {
        run::<32>(&ops);
    }

    #[test]
    fn replay_window_matches_btreeset_model_1(ops in ops()) {
        run::<1>(&ops);
    }

    #[test]
    fn replay_window_matches_model_on_arbitrary_u32(ops in prop::collection::vec((any::<u32>(), any::<bool>()), 1..64)) {
        run::<64>(&ops);
    }
}
