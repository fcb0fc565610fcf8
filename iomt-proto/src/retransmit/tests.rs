//! The timer and duplicate rules of [`Retransmit`], without EDHOC.

use super::*;
use iomt_crypto::RustCryptoProvider;
use std::vec;

type Crypto = RustCryptoProvider<chacha20::ChaCha20Rng>;

fn crypto(seed: u64) -> Crypto {
    use rand_core::SeedableRng;
    RustCryptoProvider::new(chacha20::ChaCha20Rng::seed_from_u64(seed))
}

fn armed(c: &mut Crypto, now: u64) -> Retransmit<64> {
    let mut r = Retransmit::<64>::new(RetransmitConfig::DEFAULT).unwrap();
    r.sent(c, now, b"message-1", true).unwrap();
    r
}

#[test]
fn default_bound_and_linger_cover_the_peer() {
    let c = RetransmitConfig::DEFAULT;
    assert_eq!(c.max_initial_ms(), 3_000);
    assert_eq!(
        c.give_up_bound_ms(),
        3_000 + 6_000 + 12_000 + 16_000 + 16_000
    );
    // the lingering side answers every retransmission the peer can send
    assert!(u64::from(c.linger_ms) >= c.give_up_bound_ms());
}

#[test]
fn invalid_configs_are_refused() {
    for cfg in [
        RetransmitConfig {
            initial_timeout_ms: 0,
            ..RetransmitConfig::DEFAULT
        },
        RetransmitConfig {
            max_timeout_ms: 1_000,
            ..RetransmitConfig::DEFAULT
        },
    ] {
        assert_eq!(
            Retransmit::<8>::new(cfg).unwrap_err(),
            RetransmitError::InvalidConfig
        );
        assert_eq!(RetransmitError::InvalidConfig.code(), 342);
    }
}

#[test]
fn backs_off_exponentially_then_times_out_within_the_bound() {
    for seed in 0..200 {
        let mut c = crypto(seed);
        let mut r = armed(&mut c, 1_000);
        let first = r.next_deadline().unwrap() - 1_000;
        assert!(
            (2_000..3_000).contains(&first),
            "jitter in [T, 1.5T): {first}"
        );
        // nothing before the deadline
        assert_eq!(
            r.poll(1_000 + first - 1).unwrap(),
            Poll::Wait {
                deadline: 1_000 + first
            }
        );
        let mut gaps = vec![first];
        let mut now;
        loop {
            now = r.next_deadline().unwrap();
            match r.poll(now) {
                Ok(Poll::Retransmit { flight, deadline }) => {
                    assert_eq!(flight, b"message-1");
                    gaps.push(deadline - now);
                }
                Err(RetransmitError::Timeout) => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(r.retransmits(), 4);
        for w in gaps.windows(2) {
            assert!(w[1] == (w[0] * 2).min(16_000), "{gaps:?}");
        }
        assert!(now - 1_000 <= RetransmitConfig::DEFAULT.give_up_bound_ms());
        // failed for good, flight erased, nothing sent again
        assert_eq!(r.mode(), Mode::TimedOut);
        assert!(r.flight().is_empty());
        assert_eq!(r.poll(now + 1_000_000), Err(RetransmitError::Timeout));
        assert_eq!(r.next_deadline(), None);
    }
}

#[test]
fn jitter_comes_from_the_provider() {
    let firsts: std::collections::BTreeSet<u64> = (0..32)
        .map(|s| {
            let mut c = crypto(s);
            armed(&mut c, 0).next_deadline().unwrap()
        })
        .collect();
    assert!(firsts.len() > 16, "{firsts:?}");
}

#[test]
fn a_clock_going_backwards_does_not_fire_early_or_late() {
    let mut c = crypto(1);
    let mut r = armed(&mut c, 10_000);
    let d = r.next_deadline().unwrap();
    assert!(matches!(r.poll(5), Ok(Poll::Wait { .. })));
    assert!(matches!(r.poll(d), Ok(Poll::Retransmit { .. })));
}

#[test]
fn a_duplicate_gets_the_same_flight_and_is_not_new() {
    let mut c = crypto(2);
    let mut r = Retransmit::<64>::new(RetransmitConfig::DEFAULT).unwrap();
    assert_eq!(r.received(&mut c, 0, b"message-1"), Received::New);
    r.sent(&mut c, 0, b"message-2", true).unwrap();
    for _ in 0..MAX_DUPLICATE_ANSWERS {
        assert_eq!(
            r.received(&mut c, 1, b"message-1"),
            Received::Duplicate { resend: true }
        );
        assert_eq!(r.flight(), b"message-2");
    }
    // the budget is bounded
    assert_eq!(
        r.received(&mut c, 1, b"message-1"),
        Received::Duplicate { resend: false }
    );
    // a different message (one byte off) is new
    assert_eq!(r.received(&mut c, 1, b"message-3"), Received::New);
    assert_eq!(r.received(&mut c, 1, b"message-"), Received::New);
}

#[test]
fn lingering_answers_then_ends() {
    let mut c = crypto(3);
    let mut r = Retransmit::<64>::new(RetransmitConfig::DEFAULT).unwrap();
    let _ = r.received(&mut c, 0, b"message-2");
    r.sent(&mut c, 0, b"message-3", false).unwrap();
    assert_eq!(r.mode(), Mode::Lingering);
    assert_eq!(r.next_deadline(), Some(60_000));
    assert_eq!(r.poll(59_999).unwrap(), Poll::Wait { deadline: 60_000 });
    assert_eq!(
        r.received(&mut c, 59_999, b"message-2"),
        Received::Duplicate { resend: true }
    );
    assert_eq!(r.poll(60_000).unwrap(), Poll::Idle);
    assert_eq!(r.mode(), Mode::Done);
    assert!(r.flight().is_empty());
    // a late duplicate is no longer recognised: the caller treats it as a channel frame
    assert_eq!(r.received(&mut c, 60_001, b"message-2"), Received::New);
}

#[test]
fn finished_recognises_the_last_message_without_replying() {
    let mut c = crypto(4);
    let mut r = Retransmit::<64>::new(RetransmitConfig::DEFAULT).unwrap();
    let _ = r.received(&mut c, 0, b"message-3");
    r.finished(0);
    assert_eq!(
        r.received(&mut c, 1, b"message-3"),
        Received::Duplicate { resend: false }
    );
}

#[test]
fn a_flight_too_large_is_refused_and_nothing_is_kept() {
    let mut c = crypto(5);
    let mut r = Retransmit::<8>::new(RetransmitConfig::DEFAULT).unwrap();
    let e = r.sent(&mut c, 0, &[7u8; 9], true).unwrap_err();
    assert_eq!(e, RetransmitError::FlightTooLarge { len: 9 });
    assert_eq!(e.code(), 341);
    assert_eq!(r.mode(), Mode::Done);
    assert_eq!(r.poll(u64::MAX).unwrap(), Poll::Idle);
}

#[test]
fn stop_erases_and_silences() {
    let mut c = crypto(6);
    let mut r = armed(&mut c, 0);
    r.stop();
    assert!(r.flight().is_empty());
    assert_eq!(r.poll(u64::MAX).unwrap(), Poll::Idle);
    assert_eq!(r.received(&mut c, 0, b"anything"), Received::New);
}

#[test]
fn the_state_beyond_the_flight_is_small() {
    let overhead = size_of::<Retransmit<0>>();
    std::println!("Retransmit<0>: {overhead} bytes");
    assert!(overhead <= 160, "{overhead}");
    assert_eq!(size_of::<Retransmit<256>>(), overhead + 256);
}
