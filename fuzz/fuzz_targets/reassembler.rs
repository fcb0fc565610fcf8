//! The fragment reassembler (`iomt_proto::fragment`) against the fragmenter, over a link
//! that delivers, duplicates, reorders and drops fragments, with optional forged and
//! mutated datagrams. Oracles: it never panics; without forgeries every delivered unit
//! is exactly the unit sent under its id, each at most once and in id order, and the only
//! refusals are stale/interleaved fragments; with forgeries every delivered unit fits the
//! buffer; and after anything, the sender's next unit is delivered intact.
#![no_main]

use arbitrary::Arbitrary;
use iomt_proto::fragment::{FragmentError, Fragmenter, Reassembler};
use libfuzzer_sys::fuzz_target;

const CAP: usize = 600;
/// Fewer units than half the 8-bit id space, so ids never alias within one run.
const MAX_UNITS: usize = 100;

#[derive(Debug, Arbitrary)]
enum Op {
    /// The sender fragments a unit of `len` bytes at MTU `mtu` onto the link.
    Send { len: u16, seed: u8, mtu: u8 },
    /// The link delivers in-flight datagram `i` (and forgets it).
    Deliver(u8),
    /// The link delivers a copy of datagram `i` (and keeps it).
    Duplicate(u8),
    /// The link loses datagram `i`.
    Drop(u8),
    /// An attacker injects a datagram.
    Forge(Vec<u8>),
    /// An attacker flips bits of in-flight datagram `i` at `pos`.
    Mutate { i: u8, pos: u8, xor: u8 },
}

fn unit(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|k| (k as u8).wrapping_mul(seed | 1) ^ seed)
        .collect()
}

fn fragments(f: &mut Fragmenter, u: &[u8], mtu: usize) -> Option<(u8, Vec<Vec<u8>>)> {
    let fr = f.split(u, mtu).ok()?;
    let ds = (0..fr.count())
        .map(|i| {
            let mut out = vec![0u8; mtu];
            let n = fr.emit(i, &mut out).expect("emit");
            assert!(n <= mtu);
            out.truncate(n);
            out
        })
        .collect();
    Some((fr.unit(), ds))
}

fuzz_target!(|ops: Vec<Op>| {
    let mut tx = Fragmenter::new();
    let mut rx = Reassembler::<CAP>::new();
    let mut sent: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut link: Vec<Vec<u8>> = Vec::new();
    let mut forged = false;
    let mut last_delivered: Option<usize> = None;
    let mut refused = 0u32;
    for op in ops {
        let d = match op {
            Op::Send { len, seed, mtu } => {
                if sent.len() >= MAX_UNITS {
                    continue;
                }
                let u = unit(usize::from(len) % (CAP + 40) + 1, seed);
                let Some((id, ds)) = fragments(&mut tx, &u, usize::from(mtu)) else {
                    continue;
                };
                sent.push((id, u));
                link.extend(ds);
                continue;
            }
            Op::Deliver(i) if !link.is_empty() => link.remove(usize::from(i) % link.len()),
            Op::Duplicate(i) if !link.is_empty() => link[usize::from(i) % link.len()].clone(),
            Op::Drop(i) if !link.is_empty() => {
                link.remove(usize::from(i) % link.len());
                continue;
            }
            Op::Forge(d) => {
                forged = true;
                d
            }
            Op::Mutate { i, pos, xor } if !link.is_empty() && xor != 0 => {
                let n = link.len();
                let d = &mut link[usize::from(i) % n];
                let p = usize::from(pos) % d.len();
                d[p] ^= xor;
                forged = true;
                continue;
            }
            _ => continue,
        };
        match rx.push(&d) {
            Ok(Some(u)) => {
                let u = u.to_vec();
                assert!(!u.is_empty() && u.len() <= CAP);
                if !forged {
                    let id = rx.newest_unit().expect("a delivered unit has an id");
                    let k = sent.iter().position(|(i, _)| *i == id).expect("sent");
                    assert_eq!(u, sent[k].1, "unit {id} not what was sent");
                    assert!(
                        last_delivered.is_none_or(|l| k > l),
                        "unit {id} delivered twice or out of order"
                    );
                    last_delivered = Some(k);
                }
            }
            Ok(None) => {}
            Err(e) => {
                refused += 1;
                if !forged {
                    assert!(
                        matches!(
                            e,
                            FragmentError::Stale
                                | FragmentError::Interleaved
                                | FragmentError::TooLarge
                        ),
                        "{e:?} without forgery"
                    );
                }
            }
        }
        assert_eq!(rx.stats().refused, refused);
    }
    // consistency after anything: the next genuine unit gets through whole
    let next = rx.newest_unit().map_or(0, |u| u.wrapping_add(1));
    let mut f = Fragmenter::with_next_unit(next);
    let u = unit(CAP, 7);
    let (_, ds) = fragments(&mut f, &u, 20).expect("fits");
    let mut got = None;
    for d in &ds {
        got = rx
            .push(d)
            .expect("genuine fragment refused")
            .map(<[u8]>::to_vec);
    }
    assert_eq!(got.as_deref(), Some(&u[..]));
});
