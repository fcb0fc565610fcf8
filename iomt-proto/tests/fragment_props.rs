//! Property tests of the reassembler: fragment → shuffle/duplicate → reassemble gives the
//! unit back exactly once; arbitrary datagrams never panic and leave it able to take the
//! next genuine unit; two units interleaved give only the newer one, never a mix.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

use iomt_proto::fragment::{FragmentError, Fragmenter, MIN_MTU, Reassembler};
use proptest::prelude::*;

const CAP: usize = 1100;

fn fragments(f: &mut Fragmenter, unit: &[u8], mtu: usize) -> Vec<Vec<u8>> {
    let fr = f.split(unit, mtu).unwrap();
    (0..fr.count())
        .map(|i| {
            let mut out = vec![0xa5; mtu];
            let n = fr.emit(i, &mut out).unwrap();
            out.truncate(n);
            out
        })
        .collect()
}

/// Pushes every datagram; returns the units delivered and the errors seen.
fn feed(r: &mut Reassembler<CAP>, ds: &[Vec<u8>]) -> (Vec<Vec<u8>>, Vec<FragmentError>) {
    let (mut units, mut errs) = (Vec::new(), Vec::new());
    for d in ds {
        match r.push(d) {
            Ok(Some(u)) => units.push(u.to_vec()),
            Ok(None) => {}
            Err(e) => errs.push(e),
        }
    }
    (units, errs)
}

fn mtus() -> impl Strategy<Value = usize> {
    prop_oneof![Just(20usize), Just(64), Just(244), MIN_MTU..300]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn shuffled_and_duplicated_fragments_reassemble_once(
        unit in proptest::collection::vec(any::<u8>(), 1..=CAP),
        mtu in mtus(),
        first in any::<u8>(),
        dups in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
        seed in any::<u64>(),
    ) {
        let mut f = Fragmenter::with_next_unit(first);
        prop_assume!(unit.len().div_ceil(mtu - 4) <= 128);
        let mut ds = fragments(&mut f, &unit, mtu);
        let copies: Vec<_> = dups.iter().map(|i| ds[i.index(ds.len())].clone()).collect();
        ds.extend(copies);
        // deterministic shuffle
        let mut s = seed | 1;
        for i in (1..ds.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            ds.swap(i, usize::try_from(s % (i as u64 + 1)).unwrap());
        }
        let mut r = Reassembler::<CAP>::new();
        let (units, errs) = feed(&mut r, &ds);
        prop_assert!(errs.is_empty(), "{errs:?}");
        prop_assert_eq!(units, vec![unit]);
        prop_assert_eq!(r.stats().completed, 1);
    }

    #[test]
    fn arbitrary_datagrams_never_panic_and_the_next_unit_gets_through(
        junk in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..60),
        unit in proptest::collection::vec(any::<u8>(), 1..300),
        mtu in mtus(),
    ) {
        // a unit the fragmenter refuses (more than MAX_FRAGMENTS at a tiny MTU) is not a case
        prop_assume!(unit.len().div_ceil(mtu - 4) <= iomt_proto::fragment::MAX_FRAGMENTS);
        let mut r = Reassembler::<CAP>::new();
        let (units, errs) = feed(&mut r, &junk);
        prop_assert_eq!(r.stats().refused as usize, errs.len());
        prop_assert!(units.iter().all(|u| !u.is_empty() && u.len() <= CAP));
        let next = r.newest_unit().map_or(0, |u| u.wrapping_add(1));
        let mut f = Fragmenter::with_next_unit(next);
        let (units, errs) = feed(&mut r, &fragments(&mut f, &unit, mtu));
        prop_assert!(errs.is_empty(), "{errs:?}");
        prop_assert_eq!(units, vec![unit]);
    }

    #[test]
    fn interleaved_units_never_mix(
        a in proptest::collection::vec(any::<u8>(), 1..200),
        b in proptest::collection::vec(any::<u8>(), 1..200),
        mtu in 6usize..40,
        picks in proptest::collection::vec(any::<bool>(), 0..200),
    ) {
        let mut f = Fragmenter::new();
        let fa = fragments(&mut f, &a, mtu);
        let fb = fragments(&mut f, &b, mtu);
        // merge the two sequences in an arbitrary interleaving, each in order
        let (mut ia, mut ib, mut ds) = (fa.iter(), fb.iter(), Vec::new());
        let mut picks = picks.into_iter();
        loop {
            let next = if picks.next().unwrap_or(false) { ia.next().or_else(|| ib.next()) } else { ib.next().or_else(|| ia.next()) };
            match next { Some(d) => ds.push(d.clone()), None => break }
        }
        let mut r = Reassembler::<CAP>::new();
        let (units, errs) = feed(&mut r, &ds);
        prop_assert!(errs.iter().all(|e| matches!(e, FragmentError::Interleaved | FragmentError::Stale)), "{errs:?}");
        // b always completes (its fragments all arrive, and nothing newer starts);
        // a completes only if all its fragments came before b's first
        prop_assert_eq!(units.last(), Some(&b));
        prop_assert!(units.len() == 1 || units == vec![a.clone(), b.clone()]);
    }
}
