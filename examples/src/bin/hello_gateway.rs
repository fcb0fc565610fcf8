//! hello gateway: serves one device — authenticates it (EDHOC responder), verifies its
//! consent tag (signed by the consent service, bound to this device and patient), prints
//! the vital signs it may release, and exits when the device closes.
//!
//! ```text
//! hello_gateway [DIR] [ADDR]    # DIR: what `provision` wrote (default hello), ADDR: 127.0.0.1:7878
//! ```

use std::io::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;

use iomt_auth::consent::{ConsentAuthority, ConsentVerifier, Expected};
use iomt_auth::cred::StaticTrustStore;
use iomt_auth::edhoc::{ConnId, EadLabels, Method, ResponderConfig, ResponderState};
use iomt_core::{Role, Timestamp};
use iomt_crypto::RustCryptoProvider;
use iomt_examples::authority::{Authority, patient_id};
use iomt_examples::hello::{self, Error, Party};
use iomt_proto::transport::handshake::{refuse, run_responder};
use iomt_proto::transport::{StdIo, Stream};
use iomt_proto::{Channel, FrameType, MAX_FRAME_LEN, Message, Side};

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "hello".into()));
    let addr = args.next().unwrap_or_else(|| hello::ADDR.into());
    let party = Party::load(&dir, Role::Gateway, Role::Device)?;
    let mut crypto = RustCryptoProvider::with_os_rng(); // real OS randomness
    let mut consent = ConsentVerifier::<1, 8>::new();
    let hospital = Authority::hospital(&mut crypto)?.public_key();
    consent.add_authority(ConsentAuthority::new(&mut crypto, hospital)?)?;
    let patient = patient_id(&mut crypto, hello::PATIENT)?;

    let listener = TcpListener::bind(&addr)?;
    println!("hello_gateway: listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let mut link = Stream::new(StdIo(listener.accept()?.0));
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let config = ResponderConfig {
        suites: &[2],
        methods: &[Method::StatStat],
        c_r: ConnId::new(&[0x27])?, // also the channel's connection id
        send_message_4: true,
        ead_labels: EadLabels::NONE,
    };
    let mut state = match ResponderState::new(&config) {
        Ok(s) => s,
        // cannot serve: the device gets an EDHOC error naming the cause
        Err(cause) => return Err(refuse(&mut link, &cause, &mut rx).into()),
    };
    let trust = StaticTrustStore::new([party.peer.entry()]);
    let me = party.credential();
    run_responder(
        &mut link,
        &mut crypto,
        &mut state,
        &trust,
        &me,
        &mut rx,
        &mut tx,
    )?;
    let done = state.completed().ok_or("handshake did not complete")?;
    let device = done.peer_identity();
    println!("hello_gateway: authenticated device {device}");
    let mut ch: Channel = Channel::from_edhoc(&mut crypto, done, Side::Responder)?;

    let mut verified = None;
    let mut received = 0;
    let mut buf = [0u8; MAX_FRAME_LEN];
    loop {
        let frame = link.recv_frame(&mut buf)?;
        let opened = ch.open(&mut crypto, frame)?;
        let now = Timestamp::from_secs(hello::unix_now());
        let bound = opened.consent.as_ref().map(|c| c.encoded);
        match (opened.frame_type, bound) {
            (FrameType::Consent, Some(tag)) => {
                let expected = Expected::peer(&mut crypto, &device, &patient);
                verified = Some(consent.verify(&mut crypto, tag, expected, now)?);
                println!("hello_gateway: consent verified (signed, bound to {device})");
            }
            (FrameType::Data, Some(tag)) => {
                // only data bound to the verified, still valid consent is released
                let v = verified.as_ref().ok_or("data before consent")?;
                consent.check_frame(v, tag, now)?;
                if let Message::<8, 1>::VitalBatch(batch) = Message::decode(opened.payload)? {
                    for r in batch.readings() {
                        println!(
                            "hello_gateway: {:?} {} {}",
                            r.kind(),
                            r.value(),
                            r.unit().ucum()
                        );
                        received += 1;
                    }
                }
            }
            (FrameType::Close, _) => break,
            _ => return Err("frame without consent".into()),
        }
    }
    println!("hello_gateway: received {received} vital signs, device closed");
    Ok(())
}
