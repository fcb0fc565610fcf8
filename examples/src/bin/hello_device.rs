//! hello device: authenticates to the gateway (EDHOC, method 3, suite 2), presents its
//! signed consent tag, sends a few vital signs and closes.
//!
//! ```text
//! hello_device [DIR] [ADDR]    # DIR: what `provision` wrote (default hello), ADDR: 127.0.0.1:7878
//! ```

use std::net::TcpStream;
use std::path::PathBuf;

use iomt_auth::cred::StaticTrustStore;
use iomt_auth::edhoc::{ConnId, EadLabels, InitiatorConfig, InitiatorState, Method};
use iomt_core::{Float, Reading, Role, TimestampMs, Unit, VitalBatch, VitalKind};
use iomt_crypto::RustCryptoProvider;
use iomt_examples::authority::Authority;
use iomt_examples::hello::{self, Error, Party};
use iomt_proto::transport::handshake::run_initiator;
use iomt_proto::transport::{StdIo, Stream};
use iomt_proto::{Channel, CloseReason, MAX_FRAME_LEN, Message, Side};

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "hello".into()));
    let addr = args.next().unwrap_or_else(|| hello::ADDR.into());
    let party = Party::load(&dir, Role::Device, Role::Gateway)?;
    let mut crypto = RustCryptoProvider::with_os_rng(); // real OS randomness

    // The consent service issues the patient's consent, bound to this device and signed.
    // (Here it runs in-process; in a product the device is provisioned with the tag.)
    let now = hello::unix_now();
    let authority = Authority::hospital(&mut crypto)?;
    let tag = authority.issue(
        &mut crypto,
        hello::consent(now),
        hello::PATIENT,
        &party.me.identity,
    )?;

    // EDHOC over TCP: the initiator authenticates the gateway's credential and its own.
    let mut link = Stream::new(StdIo(connect(&addr)?));
    let mut state = InitiatorState::new(&InitiatorConfig {
        method: Method::StatStat,
        suites: &[2],
        c_i: ConnId::new(&[0x01])?,
        expect_message_4: true,
        ead_labels: EadLabels::NONE,
    })?;
    let trust = StaticTrustStore::new([party.peer.entry()]);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let me = party.credential();
    run_initiator(
        &mut link,
        &mut crypto,
        &mut state,
        &trust,
        &me,
        &mut rx,
        &mut tx,
    )?;
    let done = state.completed().ok_or("handshake did not complete")?;
    println!(
        "hello_device: authenticated gateway {}",
        done.peer_identity()
    );

    // The channel: keys and connection id from the handshake.
    let mut ch: Channel = Channel::from_edhoc(&mut crypto, done, Side::Initiator)?;
    let mut out = [0u8; MAX_FRAME_LEN];
    let n = ch.send_consent(&mut crypto, 0, &tag, &mut out)?; // slot 0
    link.send_frame(&out[..n])?;

    for (i, bpm) in (0u32..).zip([72, 74, 71]) {
        let at = TimestampMs::from_millis((now + u64::from(i)) * 1000);
        let mut batch = VitalBatch::<4>::new();
        for (kind, value, unit) in [
            (VitalKind::HeartRate, bpm, Unit::BeatsPerMinute),
            (VitalKind::SpO2, 97, Unit::Percent),
        ] {
            let value = Float::from_parts(value, 0)?; // whole numbers: exponent 0
            batch.push(Reading::new(kind, value, unit, at, i)?)?;
        }
        let msg = Message::<4, 1>::VitalBatch(batch);
        // every data frame is bound to the consent in slot 0
        let n = ch.seal_message(&mut crypto, Some(0), &msg, &mut out)?;
        link.send_frame(&out[..n])?;
        println!("hello_device: sent heart rate {bpm} /min, SpO2 97 %");
    }
    let n = ch.close(&mut crypto, CloseReason::Normal, &mut out)?;
    link.send_frame(&out[..n])?;
    println!("hello_device: closed");
    Ok(())
}

/// Connects, waiting up to 10 s for a gateway that is still starting.
fn connect(addr: &str) -> std::io::Result<TcpStream> {
    for _ in 0..100 {
        if let Ok(s) = TcpStream::connect(addr) {
            return Ok(s);
        }
        std::thread::sleep(core::time::Duration::from_millis(100));
    }
    TcpStream::connect(addr)
}
