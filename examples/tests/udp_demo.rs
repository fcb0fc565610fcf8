//! The demo over UDP through the lossy shim (`--transport udp --loss P`): handshakes
//! complete through loss or are reported as timed out, frames reach the gateway, and
//! the flags are checked.
#![cfg(test)]

use core::time::Duration;
use std::time::Instant;

use iomt_examples::demo::{Config, Summary, Transport, run};
use iomt_examples::udp::HandshakeOutcome;

fn run_udp(name: &str, devices: u16, loss: f64, seed: u64, duration_ms: u64) -> Summary {
    let cfg = Config {
        devices,
        duration: Duration::from_millis(duration_ms),
        transport: Transport::Udp { loss },
        seed,
        out: std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name),
        quiet: true,
        ..Config::default()
    };
    run(&cfg).unwrap()
}

#[test]
fn udp_demo_at_20_percent_loss_completes_handshakes_and_delivers_frames() {
    let started = Instant::now();
    let s = run_udp("udp-loss-20", 6, 0.2, 7, 1500);
    let table = s.table();
    assert!(s.all_ok(), "{table}");
    assert!(s.errors.is_empty(), "{table}");
    let mut dropped = 0;
    let mut completed = 0;
    for r in &s.rows {
        let link = r.link.expect("a UDP run reports every link");
        dropped += link.dropped;
        match link.handshake {
            HandshakeOutcome::Completed => {
                completed += 1;
                assert!(r.device.error.is_none(), "{table}");
                assert_eq!(r.gateway.device.as_deref(), Some(r.identity.as_str()));
                assert!(r.gateway.frames > 0, "{table}");
                assert!(r.gateway.frames <= r.device.frames_sent, "{table}");
            }
            HandshakeOutcome::TimedOut => {
                // Reported as such, and nothing else happened on that link.
                let e = r.device.error.as_deref().unwrap_or_default();
                assert!(e.contains("Timeout"), "{e}");
                assert!(table.contains("TIMED OUT"), "{table}");
                assert_eq!(r.gateway.frames, 0);
            }
            HandshakeOutcome::Failed => panic!("{table}"),
        }
    }
    assert!(completed > 0, "{table}");
    assert!(dropped > 0, "the shim dropped nothing at 20 %: {table}");
    let frames: u64 = s.rows.iter().map(|r| r.gateway.frames).sum();
    assert!(frames > 0);
    assert!(table.contains("udp: dev-000"), "{table}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn udp_demo_without_loss_loses_nothing_and_retransmits_nothing() {
    let s = run_udp("udp-loss-0", 3, 0.0, 1, 800);
    let table = s.table();
    assert!(s.all_ok(), "{table}");
    for r in &s.rows {
        let link = r.link.expect("a UDP run reports every link");
        assert_eq!(link.handshake, HandshakeOutcome::Completed, "{table}");
        assert_eq!((link.dropped, link.retransmissions), (0, 0), "{table}");
        assert_eq!(r.gateway.frames, r.device.frames_sent, "{table}");
    }
}

#[test]
fn udp_demo_at_95_percent_loss_reports_timeouts_and_never_hangs() {
    let started = Instant::now();
    let s = run_udp("udp-loss-95", 2, 0.95, 3, 500);
    let table = s.table();
    for r in &s.rows {
        let link = r.link.expect("a UDP run reports every link");
        assert_eq!(link.handshake, HandshakeOutcome::TimedOut, "{table}");
        assert!(link.retransmissions >= 4, "{table}");
        assert_eq!(r.gateway.frames, 0);
    }
    assert!(table.contains("TIMED OUT"), "{table}");
    assert!(
        s.all_ok(),
        "timeouts reported as such are not failures: {table}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn loss_needs_udp_and_tamper_needs_tcp() {
    let parse = |a: &[&str]| Config::from_args(a.iter().map(|s| (*s).to_owned()));
    assert!(parse(&["--loss", "0.2"]).is_err());
    assert!(parse(&["--transport", "tcp", "--loss", "0.2"]).is_err());
    assert!(parse(&["--transport", "udp", "--tamper"]).is_err());
    assert!(parse(&["--transport", "udp", "--loss", "1.5"]).is_err());
    assert!(parse(&["--transport", "quic"]).is_err());
    let c = parse(&["--loss", "0.25", "--transport", "udp", "--seed", "9"]).unwrap();
    assert_eq!(c.transport, Transport::Udp { loss: 0.25 });
    assert_eq!(c.seed, 9);
    assert_eq!(parse(&[]).unwrap().transport, Transport::Tcp);
}

/// The first seed whose shim, at `loss`, passes the device's first two datagrams
/// (message_1, message_3) and the gateway's first (message_2) but drops the gateway's
/// second (message_4).
fn seed_losing_only_message_4(loss: f64) -> u64 {
    use iomt_examples::udp::fates;
    (1..10_000)
        .find(|&seed| {
            fates(seed, 0, 0, loss, 2) == [false, false]
                && fates(seed, 0, 1, loss, 3) == [false, true, false]
        })
        .expect("such a seed exists")
}

#[test]
fn a_lost_message_4_is_repaired_by_the_gateway_answering_the_duplicate_message_3() {
    // Without the gateway answering duplicates after completing, the device would resend
    // message_3 into the void and time out.
    let seed = seed_losing_only_message_4(0.3);
    let s = run_udp("udp-lost-m4", 1, 0.3, seed, 600);
    let table = s.table();
    let r = &s.rows[0];
    let link = r.link.unwrap();
    assert_eq!(
        link.handshake,
        HandshakeOutcome::Completed,
        "seed {seed}: {table}"
    );
    assert!(
        link.retransmissions >= 1,
        "message_3 was sent again: {table}"
    );
    assert!(
        r.device.error.is_none() && r.gateway.error.is_none(),
        "{table}"
    );
    assert!(s.all_ok(), "{table}");
}
