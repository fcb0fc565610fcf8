//! A device and a gateway as two async tasks on one executor (embassy-futures'
//! `block_on` + `join`, the no_std building blocks embassy firmware uses), talking over
//! an in-memory link with BLE's default 20-byte ATT payload: the EDHOC handshake
//! (`run_initiator_async` / `run_responder_async`) and then sealed vital-sign frames,
//! all through `transport::Fragmented` and its `AsyncFrameLink` impl.
//!
//! ```text
//! cargo run -p iomt-examples --bin async_ble [-- FRAMES]
//! ```

use core::cell::RefCell;
use std::process::ExitCode;

use embassy_futures::block_on;
use embassy_futures::join::join;
use iomt_auth::cred::{IdCred, LocalCredential, RoleSet};
use iomt_auth::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_core::Role;
use iomt_crypto::RustCryptoProvider;
use iomt_examples::creds::DemoCredential;
use iomt_examples::gateway::Crypto;
use iomt_proto::fragment::BLE_DEFAULT_MTU;
use iomt_proto::transport::handshake::{run_initiator_async, run_responder_async};
use iomt_proto::transport::memory::{DatagramEnd, DatagramPipe};
use iomt_proto::transport::{AsyncFrameLink, Fragmented};
use iomt_proto::{Channel, Side};

type Air = RefCell<DatagramPipe<BLE_DEFAULT_MTU, 128>>;

fn main() -> ExitCode {
    let frames: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    match run(frames) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("async_ble: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(frames: u32) -> Result<(), String> {
    let device = DemoCredential::device(1).map_err(|e| e.to_string())?;
    let gateway = DemoCredential::gateway().map_err(|e| e.to_string())?;
    let (to_gw, to_dev): (Air, Air) = Default::default();
    let dev_link = Fragmented::<_>::new(DatagramEnd::new(&to_dev, &to_gw), BLE_DEFAULT_MTU)
        .map_err(|e| e.to_string())?;
    let gw_link = Fragmented::<_>::new(DatagramEnd::new(&to_gw, &to_dev), BLE_DEFAULT_MTU)
        .map_err(|e| e.to_string())?;
    let (d, g) = block_on(join(
        device_task(dev_link, &device, &gateway, frames),
        gateway_task(gw_link, &device, &gateway, frames),
    ));
    let (sent, datagrams) = d?;
    let received = g?;
    println!(
        "async_ble: handshake + {sent} frames over a {BLE_DEFAULT_MTU}-byte link \
         (the frames took {datagrams} datagrams), gateway received {received}"
    );
    Ok(())
}

type Link<'a> = Fragmented<DatagramEnd<'a, BLE_DEFAULT_MTU, 128>>;

/// The device: handshake as initiator (method 3), then `frames` sealed readings, each
/// answered by the gateway. Returns the frames sent and the datagrams it put on the air.
async fn device_task(
    mut link: Link<'_>,
    me: &DemoCredential,
    gateway: &DemoCredential,
    frames: u32,
) -> Result<(u32, u32), String> {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let own = LocalCredential {
        key: &me.key,
        cred: &me.ccs,
        id_cred: IdCred::Kid(&me.kid),
    };
    let mut state = InitiatorState::<Crypto>::new(&InitiatorConfig {
        method: Method::StatStat,
        suites: &[2],
        c_i: ConnId::new(&[0x01]).map_err(|e| format!("{e:?}"))?,
        expect_message_4: true,
        ead_labels: EadLabels::NONE,
    })
    .map_err(|e| format!("{e:?}"))?;
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let trust = gateway.as_only_trusted();
    run_initiator_async(
        &mut link,
        &mut crypto,
        &mut state,
        &trust,
        &own,
        &mut rx,
        &mut tx,
    )
    .await
    .map_err(|e| format!("device handshake: {e}"))?;
    let done = state.completed().ok_or("device: not completed")?;
    let mut ch: Channel =
        Channel::from_edhoc(&mut crypto, done, Side::Initiator).map_err(|e| e.to_string())?;
    let mut buf = [0u8; 1100];
    let mut datagrams = 0u32;
    for i in 0..frames {
        let reading = format!("heart rate {} bpm, SpO2 {} %", 60 + i % 40, 95 + i % 5);
        let n = ch
            .seal_data(&mut crypto, None, reading.as_bytes(), &mut buf)
            .map_err(|e| e.to_string())?;
        datagrams += u32::try_from(n.div_ceil(BLE_DEFAULT_MTU - 4)).unwrap_or(u32::MAX);
        AsyncFrameLink::send_frame(&mut link, buf.get(..n).unwrap_or(&[]))
            .await
            .map_err(|e| format!("device send: {e}"))?;
        let ack = AsyncFrameLink::recv(&mut link, &mut ch, &mut crypto, &mut buf)
            .await
            .map_err(|e| format!("device recv: {e}"))?;
        if ack.payload != b"ack" {
            return Err("device: unexpected answer".into());
        }
    }
    Ok((frames, datagrams))
}

/// The gateway: handshake as responder, then answers each frame with "ack".
async fn gateway_task(
    mut link: Link<'_>,
    device: &DemoCredential,
    me: &DemoCredential,
    frames: u32,
) -> Result<u32, String> {
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let own = LocalCredential {
        key: &me.key,
        cred: &me.ccs,
        id_cred: IdCred::Kid(&me.kid),
    };
    let trust =
        iomt_auth::cred::StaticTrustStore::new([device.trust_entry(RoleSet::only(Role::Device))]);
    let mut state = ResponderState::<Crypto>::new(&ResponderConfig {
        suites: &[2],
        methods: &[Method::StatStat],
        c_r: ConnId::new(&[0x2A]).map_err(|e| format!("{e:?}"))?,
        send_message_4: true,
        ead_labels: EadLabels::NONE,
    })
    .map_err(|e| format!("{e:?}"))?;
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    run_responder_async(
        &mut link,
        &mut crypto,
        &mut state,
        &trust,
        &own,
        &mut rx,
        &mut tx,
    )
    .await
    .map_err(|e| format!("gateway handshake: {e}"))?;
    let done = state.completed().ok_or("gateway: not completed")?;
    let mut ch: Channel =
        Channel::from_edhoc(&mut crypto, done, Side::Responder).map_err(|e| e.to_string())?;
    let mut buf = [0u8; 1100];
    let mut out = [0u8; 64];
    for _ in 0..frames {
        AsyncFrameLink::recv(&mut link, &mut ch, &mut crypto, &mut buf)
            .await
            .map_err(|e| format!("gateway recv: {e}"))?;
        let n = ch
            .seal_data(&mut crypto, None, b"ack", &mut out)
            .map_err(|e| e.to_string())?;
        AsyncFrameLink::send_frame(&mut link, out.get(..n).unwrap_or(&[]))
            .await
            .map_err(|e| format!("gateway send: {e}"))?;
    }
    Ok(frames)
}
