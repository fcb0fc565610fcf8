//! Key hygiene of the channel, observed in memory (issue 25): an old send or receive key
//! and its secret leave the channel object on key update / after the grace period, no
//! previous key is kept after a multi-epoch jump, and nothing of any key remains in the
//! channel's storage after it is dropped.
//!
//! Each test scans the bytes of a live (or just dropped) `Channel` for the exact key and
//! secret bytes, recomputed from the key schedule, and first checks that the scan does
//! find the keys that must still be there (so a broken scan cannot pass).
#![expect(
    unsafe_code,
    reason = "reads the bytes of a channel object to look for keys"
)]
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

mod common;

use core::mem::MaybeUninit;

use common::{ALGS, Crypto, SECRET, crypto, exporter, pair};
use iomt_crypto::{AeadAlgorithm, Prk};
use iomt_proto::keys::{self, LABEL_INITIATOR_TO_RESPONDER};
use iomt_proto::{Channel, FrameType};

/// Secret_n and key_n of the initiator→responder direction, n = 0..epochs.
fn schedule(c: &mut Crypto, alg: AeadAlgorithm, epochs: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut s0 = [0u8; 32];
    exporter(SECRET)(
        LABEL_INITIATOR_TO_RESPONDER,
        &keys::exporter_context(alg),
        &mut s0,
    )
    .unwrap();
    let mut secret = Prk::from_bytes(s0);
    let mut out = Vec::new();
    for _ in 0..epochs {
        let key = keys::derive_key(c, &secret, alg).unwrap();
        out.push((secret.as_bytes().to_vec(), key.as_bytes().to_vec()));
        secret = keys::next_secret(c, &secret).unwrap();
    }
    out
}

/// The bytes of `value`'s storage.
fn bytes_of<T>(value: &T) -> Vec<u8> {
    // SAFETY: reads size_of::<T>() bytes of a live, properly aligned object as u8 (a
    // test-only scan; padding bytes are read as whatever they hold).
    unsafe { core::slice::from_raw_parts(core::ptr::from_ref(value).cast::<u8>(), size_of::<T>()) }
        .to_vec()
}

fn holds(memory: &[u8], needle: &[u8]) -> bool {
    memory.windows(needle.len()).any(|w| w == needle)
}

fn seal(c: &mut Crypto, ch: &mut Channel<8, 0>, n: u8) -> Vec<u8> {
    let mut out = [0u8; 128];
    let len = ch.seal_data(c, None, &[n; 4], &mut out).unwrap();
    out[..len].to_vec()
}

#[test]
fn old_send_key_and_secret_leave_the_channel_on_key_update() {
    for alg in ALGS {
        let (mut c, mut a, _b) = pair::<8, 0>(alg).unwrap();
        let ks = schedule(&mut c, alg, 3);
        let mem = bytes_of(&a);
        assert!(
            holds(&mem, &ks[0].1) && holds(&mem, &ks[0].0),
            "the scan finds key_0"
        );
        a.update_send_key(&mut c).unwrap();
        a.update_send_key(&mut c).unwrap();
        let mem = bytes_of(&a);
        assert!(holds(&mem, &ks[2].1), "the scan finds the current key_2");
        for (n, (secret, key)) in ks[..2].iter().enumerate() {
            assert!(
                !holds(&mem, key),
                "{alg:?}: send key of epoch {n} still in the channel"
            );
            assert!(
                !holds(&mem, secret),
                "{alg:?}: send secret of epoch {n} still in the channel"
            );
        }
    }
}

#[test]
fn old_receive_key_is_kept_for_its_grace_period_only() {
    for alg in ALGS {
        let (mut c, mut a, mut b) = pair::<8, 0>(alg).unwrap();
        let ks = schedule(&mut c, alg, 2);
        let mut f = seal(&mut c, &mut a, 0);
        b.open(&mut c, &mut f).unwrap();
        a.update_send_key(&mut c).unwrap();
        let mut f = seal(&mut c, &mut a, 1);
        assert_eq!(b.open(&mut c, &mut f).unwrap().frame_type, FrameType::Data);
        assert!(b.stats().previous_key_live);
        assert!(
            holds(&bytes_of(&b), &ks[0].1),
            "epoch 0's key is kept during the grace"
        );
        // The grace period is W (8) frames of the new epoch.
        for i in 0..8 {
            let mut f = seal(&mut c, &mut a, 2 + i);
            b.open(&mut c, &mut f).unwrap();
        }
        assert!(!b.stats().previous_key_live);
        let mem = bytes_of(&b);
        assert!(
            holds(&mem, &ks[1].1),
            "the scan finds the current receive key"
        );
        assert!(
            !holds(&mem, &ks[0].1),
            "{alg:?}: epoch 0's receive key outlived its grace"
        );
        assert!(
            !holds(&mem, &ks[0].0),
            "{alg:?}: epoch 0's receive secret is still held"
        );
    }
}

#[test]
fn a_multi_epoch_jump_keeps_no_previous_key() {
    for alg in ALGS {
        let (mut c, mut a, mut b) = pair::<8, 0>(alg).unwrap();
        let ks = schedule(&mut c, alg, 4);
        let mut f = seal(&mut c, &mut a, 0);
        b.open(&mut c, &mut f).unwrap();
        for _ in 0..3 {
            a.update_send_key(&mut c).unwrap();
        }
        let mut f = seal(&mut c, &mut a, 1);
        b.open(&mut c, &mut f).unwrap();
        assert_eq!(b.stats().recv_epoch, 3);
        assert!(
            !b.stats().previous_key_live,
            "{alg:?}: a previous key after a 3-epoch jump"
        );
        let mem = bytes_of(&b);
        assert!(
            holds(&mem, &ks[3].1),
            "the scan finds the current receive key"
        );
        for (n, (secret, key)) in ks[..3].iter().enumerate() {
            assert!(
                !holds(&mem, key),
                "{alg:?}: receive key of epoch {n} still held"
            );
            assert!(
                !holds(&mem, secret),
                "{alg:?}: receive secret of epoch {n} still held"
            );
        }
        // And a frame of the old epoch no longer opens.
        let (mut c2, mut old_a, _) = pair::<8, 0>(alg).unwrap();
        let mut old = seal(&mut c2, &mut old_a, 9);
        assert!(b.open(&mut c, &mut old).is_err());
    }
}

#[test]
fn a_dropped_channel_leaves_no_key_in_its_storage() {
    for alg in ALGS {
        let mut c = crypto();
        let ks = schedule(&mut c, alg, 1);
        let mut slot = MaybeUninit::new(
            Channel::<8, 0>::new(
                &mut c,
                &mut exporter(SECRET),
                alg,
                iomt_proto::Side::Initiator,
                1,
            )
            .unwrap(),
        );
        // SAFETY: initialised just above.
        let mem = bytes_of(unsafe { slot.assume_init_ref() });
        assert!(holds(&mem, &ks[0].1), "the scan finds the live key");
        // SAFETY: initialised above and dropped exactly once; not used as a Channel after.
        unsafe { slot.assume_init_drop() };
        let mem = bytes_of(&slot);
        assert!(
            !holds(&mem, &ks[0].1),
            "{alg:?}: the send key survived the drop"
        );
        assert!(
            !holds(&mem, &ks[0].0),
            "{alg:?}: the send secret survived the drop"
        );
    }
}
