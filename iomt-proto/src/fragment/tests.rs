//! Unit tests of the fragment header, the fragmenter and each reassembler refusal.
#![allow(
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    reason = "tests: fixed layouts, byte patterns from counters"
)]

use super::*;

extern crate std;
use std::vec::Vec;

fn frags(unit: &[u8], mtu: usize, f: &mut Fragmenter) -> Vec<Vec<u8>> {
    let fr = f.split(unit, mtu).unwrap();
    (0..fr.count())
        .map(|i| {
            let mut out = [0xa5u8; 300];
            let n = fr.emit(i, &mut out).unwrap();
            assert!(n <= mtu);
            out[..n].to_vec()
        })
        .collect()
}

fn unit(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

#[test]
fn header_deconstruct_construct() {
    static BYTES: [u8; 5] = [0x07, 0x83, 0x01, 0x02, 0xEE];
    let (h, p) = FragmentHeader::parse(&BYTES).unwrap();
    assert_eq!(
        h,
        FragmentHeader {
            unit: 7,
            index: 3,
            last: true,
            total_len: 0x0102
        }
    );
    assert_eq!(p, &[0xEE]);
    assert_eq!(h.to_bytes(), [0x07, 0x83, 0x01, 0x02]);
}

#[test]
fn header_impossible_len() {
    for bad in [&[][..], &[1, 2, 3], &[1, 2, 3, 4], &[1, 0, 0, 0, 9]] {
        assert_eq!(
            FragmentHeader::parse(bad),
            Err(FragmentError::Malformed),
            "{bad:?}"
        );
    }
}

#[test]
fn split_refuses_bad_configuration() {
    let mut f = Fragmenter::new();
    assert_eq!(
        f.split(&[1], MIN_MTU - 1).err(),
        Some(FragmentError::MtuTooSmall)
    );
    assert_eq!(f.split(&[], 20).err(), Some(FragmentError::EmptyUnit));
    let big = unit(MAX_FRAGMENTS * 16 + 1, 0);
    assert_eq!(f.split(&big, 20).err(), Some(FragmentError::TooLarge));
    // no unit id consumed by the failures
    assert_eq!(f.next_unit(), 0);
    let fr = f.split(&big[..MAX_FRAGMENTS * 16], 20).unwrap();
    assert_eq!(fr.count(), MAX_FRAGMENTS);
    assert_eq!(
        fr.emit(MAX_FRAGMENTS, &mut [0; 20]),
        Err(FragmentError::Malformed)
    );
    assert_eq!(fr.emit(0, &mut [0; 19]), Err(FragmentError::TooLarge));
    assert_eq!(f.next_unit(), 1);
}

#[test]
fn round_trip_every_length_at_ble_mtu() {
    let mut f = Fragmenter::new();
    let mut r = Reassembler::<2048>::new();
    for len in 1..=400 {
        let u = unit(len, len as u8);
        let fs = frags(&u, BLE_DEFAULT_MTU, &mut f);
        assert_eq!(fs.len(), len.div_ceil(16));
        for (i, d) in fs.iter().enumerate() {
            let got = r.push(d).unwrap();
            if i + 1 == fs.len() {
                assert_eq!(got, Some(&u[..]), "len {len}");
            } else {
                assert_eq!(got, None);
            }
        }
    }
    assert_eq!(r.stats().completed, 400);
    assert_eq!(r.stats().refused, 0);
}

#[test]
fn last_fragment_first_then_the_rest() {
    let mut f = Fragmenter::new();
    let mut r = Reassembler::<512>::new();
    let u = unit(102, 1);
    let mut fs = frags(&u, 20, &mut f);
    fs.reverse();
    let n = fs.len();
    for (i, d) in fs.iter().enumerate() {
        assert_eq!(r.push(d).unwrap().is_some(), i + 1 == n);
    }
}

#[test]
fn oversized_unit_is_refused_and_changes_nothing() {
    let mut f = Fragmenter::new();
    let mut r = Reassembler::<64>::new();
    let a = unit(40, 2);
    let fa = frags(&a, 20, &mut f);
    assert_eq!(r.push(&fa[0]), Ok(None));
    let big = frags(&unit(65, 3), 20, &mut f);
    assert_eq!(r.push(&big[0]), Err(FragmentError::TooLarge));
    assert_eq!(r.push(&fa[1]), Ok(None));
    assert_eq!(r.push(&fa[2]), Ok(Some(&a[..])));
}

#[test]
fn conflicting_bytes_discard_the_unit() {
    let mut f = Fragmenter::new();
    let mut r = Reassembler::<256>::new();
    let u = unit(50, 4);
    let fs = frags(&u, 20, &mut f);
    assert_eq!(r.push(&fs[0]), Ok(None));
    assert_eq!(r.push(&fs[0]), Ok(None)); // identical duplicate: ignored
    let mut evil = fs[0].clone();
    evil[6] ^= 1;
    assert_eq!(r.push(&evil), Err(FragmentError::Conflict));
    // the unit is gone: its remaining fragments cannot complete it
    assert_eq!(r.push(&fs[1]), Err(FragmentError::Stale));
    // the retransmission (a new unit) completes
    let again = frags(&u, 20, &mut f);
    let mut out = None;
    for d in &again {
        out = r.push(d).unwrap().map(<[u8]>::to_vec);
    }
    assert_eq!(out.as_deref(), Some(&u[..]));
    assert_eq!(r.stats().duplicates, 1);
}

#[test]
fn other_total_length_is_a_conflict() {
    let mut r = Reassembler::<256>::new();
    let mut f = Fragmenter::new();
    let fs = frags(&unit(50, 5), 20, &mut f);
    assert_eq!(r.push(&fs[0]), Ok(None));
    let mut d = fs[1].clone();
    d[3] = 49;
    assert_eq!(r.push(&d), Err(FragmentError::Conflict));
}

#[test]
fn overlap_and_truncation_are_detected() {
    let mut r = Reassembler::<256>::new();
    let mut f = Fragmenter::new();
    let fs = frags(&unit(50, 6), 20, &mut f); // chunk 16: 16+16+16+2
    assert_eq!(r.push(&fs[0]), Ok(None));
    // a cut non-last fragment
    assert_eq!(r.push(&fs[1][..10]), Err(FragmentError::Truncated));
    // unit discarded; a new one
    let fs = frags(&unit(50, 7), 20, &mut f);
    assert_eq!(r.push(&fs[0]), Ok(None));
    // a longer non-last fragment (another chunk size): overlaps its neighbour
    let mut longer = fs[1].clone();
    longer.push(0);
    assert_eq!(r.push(&longer), Err(FragmentError::Overlap));
    // a cut last fragment of a fresh unit whose chunk is known
    let fs = frags(&unit(50, 8), 20, &mut f);
    assert_eq!(r.push(&fs[0]), Ok(None));
    assert_eq!(r.push(&fs[3][..5]), Err(FragmentError::Truncated));
    // a single-fragment unit cut short
    let fs = frags(&unit(10, 9), 20, &mut f);
    assert_eq!(r.push(&fs[0][..8]), Err(FragmentError::Truncated));
    assert_eq!(r.push(&fs[0]), Ok(Some(&unit(10, 9)[..])));
}

#[test]
fn stale_and_interleaved_units_are_refused() {
    let mut r = Reassembler::<256>::new();
    let mut f = Fragmenter::new();
    let a = frags(&unit(40, 1), 20, &mut f); // unit 0
    let b = frags(&unit(40, 2), 20, &mut f); // unit 1
    let c = frags(&unit(40, 3), 20, &mut f); // unit 2
    assert_eq!(r.push(&a[0]), Ok(None));
    assert_eq!(r.push(&b[0]), Ok(None)); // a abandoned
    assert_eq!(r.stats().abandoned, 1);
    assert_eq!(r.push(&a[1]), Err(FragmentError::Interleaved));
    assert_eq!(r.push(&b[1]), Ok(None));
    assert!(r.push(&b[2]).unwrap().is_some());
    assert_eq!(r.push(&b[2]), Ok(None)); // late duplicate of the delivered unit
    assert_eq!(r.push(&c[0]), Ok(None));
    assert_eq!(r.push(&b[0]), Err(FragmentError::Stale));
    assert_eq!(r.push(&a[2]), Err(FragmentError::Interleaved));
    assert_eq!(r.push(&c[1]), Ok(None));
    assert_eq!(r.push(&c[2]).unwrap(), Some(&unit(40, 3)[..]));
}

#[test]
fn unit_ids_wrap() {
    let mut r = Reassembler::<64>::new();
    let mut f = Fragmenter::new();
    for i in 0..600u32 {
        let u = unit(30, i as u8);
        let fs = frags(&u, 20, &mut f);
        assert_eq!(r.push(&fs[0]), Ok(None));
        assert_eq!(r.push(&fs[1]).unwrap(), Some(&u[..]));
    }
}

#[test]
fn impossible_layouts_are_malformed() {
    let mut r = Reassembler::<256>::new();
    // last fragment, index 3, whose offset is not a multiple of its index
    let mut d = FragmentHeader {
        unit: 0,
        index: 3,
        last: true,
        total_len: 50,
    }
    .to_bytes()
    .to_vec();
    d.extend_from_slice(&[0; 3]);
    assert_eq!(r.push(&d), Err(FragmentError::Malformed));
    // a non-last fragment that would be the last one
    let mut d = FragmentHeader {
        unit: 0,
        index: 3,
        last: false,
        total_len: 50,
    }
    .to_bytes()
    .to_vec();
    d.extend_from_slice(&[0; 16]);
    assert_eq!(r.push(&d), Err(FragmentError::Malformed));
    assert_eq!(r.stats().refused, 2);
    assert_eq!(r.stats().abandoned, 0);
}
