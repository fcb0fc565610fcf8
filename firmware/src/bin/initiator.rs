//! Initiator-only device image: one backend, the EDHOC initiator and (feature `channel`)
//! the secure channel.
//!
//! Runs the RFC 9529 §3 handshake (method 3, cipher suite 2, C_I = 0x37, kid-referenced
//! CCS credentials) byte-exact on the target: message_1 and message_3 must equal the
//! trace, message_2 from the trace must verify, and the exporter must give the trace's
//! OSCORE Master Secret. With `channel` it also processes the trace's message_4, derives
//! a secure channel from that session and seals / opens a 64-byte frame. Without it the
//! image does what a lakers initiator does (message_1, message_2, message_3, exporter):
//! the like-for-like image of `cargo xtask footprint`. Exit code = verdict.
//!
//! `cargo xtask footprint` reports this image's sections (minus the `baseline`
//! image's) as the footprint of a device that links only the initiator.
//!
//! Backend: `CortexM4Provider` with feature `backend-m4`, else `RustCryptoProvider`.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use iomt_auth::AuthError;
use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
#[cfg(feature = "channel")]
use iomt_auth::edhoc::AfterMessage3;
use iomt_auth::edhoc::{ConnId, EadLabels, Initiator, InitiatorConfig, Method};
use iomt_core::Role;
#[cfg(feature = "channel")]
use iomt_crypto::AeadAlgorithm;
use iomt_crypto::prelude::*;
use iomt_firmware::handshake::{CRED_I, CRED_R, KID_I, KID_R, SK_I, hex};
use iomt_firmware::rng::ReplayRng;
use iomt_firmware::{exit, measure};
#[cfg(feature = "channel")]
use iomt_proto::keys::{
    LABEL_INITIATOR_TO_RESPONDER, LABEL_RESPONDER_TO_INITIATOR, exporter_context,
};
#[cfg(feature = "channel")]
use iomt_proto::{Channel, ExportError, Side};
use panic_semihosting as _;

#[cfg(feature = "backend-m4")]
type Provider = iomt_crypto::CortexM4Provider<ReplayRng>;
#[cfg(not(feature = "backend-m4"))]
type Provider = iomt_crypto::RustCryptoProvider<ReplayRng>;

/// RFC 9529 §3 trace values.
const X: [u8; 32] = hex(b"368ec1f69aeb659ba37d5a8d45b21bdc0299dceaa8ef235f3ca42ce3530f9525");
const MESSAGE_1: [u8; 39] =
    hex(b"0382060258208af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b637");
const MESSAGE_2: [u8; 45] = hex(
    b"582b419701d7f00a26c2dc587a36dd752549f33763c893422c8ea0f955a13a4ff5d59862a1eef9e0e7e1886fcd",
);
const MESSAGE_3: [u8; 19] = hex(b"52e562097bc417dd5919485ac7891ffd90a9fc");
#[cfg(feature = "channel")]
const MESSAGE_4: [u8; 9] = hex(b"4828c966b7ca304f83");
const OSCORE_MASTER_SECRET: [u8; 16] = hex(b"f9868f6a3aca78a05d1485b35030b162");

/// Sends `msg` as 20-byte fragments and reassembles them into `out`, as over a BLE link
/// with the default ATT payload (feature `fragment`).
/// The retransmission layer around one message exchange (feature `retransmit`):
/// `sent` keeps `out` (and starts the timer if `expect_reply`), a timer expiry must give
/// the same bytes back, and the reply `reply` must be new (not a duplicate).
#[cfg(feature = "retransmit")]
fn exchange(
    r: &mut iomt_proto::retransmit::Retransmit<64>,
    p: &mut Provider,
    out: &[u8],
    reply: &[u8],
) -> Result<(), &'static str> {
    use iomt_proto::retransmit::{Poll, Received};
    r.sent(p, 0, out, true).map_err(|_| "retransmit: sent")?;
    let deadline = r.next_deadline().ok_or("retransmit: no timer")?;
    match r.poll(deadline).map_err(|_| "retransmit: poll")? {
        Poll::Retransmit { flight, .. } if flight == out => {}
        _ => return Err("retransmit: not the same bytes"),
    }
    match r.received(p, deadline, reply) {
        Received::New => {}
        Received::Duplicate { .. } => return Err("retransmit: reply seen as duplicate"),
    }
    // a duplicate of the reply is recognised once the next message answers it
    r.finished(deadline);
    match r.received(p, deadline, reply) {
        Received::Duplicate { .. } => Ok(()),
        Received::New => Err("retransmit: duplicate not recognised"),
    }
}

#[cfg(feature = "fragment")]
fn over_ble(msg: &[u8], out: &mut [u8]) -> Result<usize, &'static str> {
    use iomt_proto::fragment::{BLE_DEFAULT_MTU, Fragmenter, Reassembler};
    let mut tx = Fragmenter::new();
    let mut rx = Reassembler::<128>::new();
    let fragments = tx.split(msg, BLE_DEFAULT_MTU).map_err(|_| "fragment")?;
    let mut datagram = [0u8; BLE_DEFAULT_MTU];
    for i in 0..fragments.count() {
        let n = fragments.emit(i, &mut datagram).map_err(|_| "fragment")?;
        let fragment = core::hint::black_box(datagram.get(..n).ok_or("fragment")?);
        if let Some(unit) = rx.push(fragment).map_err(|_| "reassemble")? {
            let dst = out
                .get_mut(..unit.len())
                .ok_or("reassembled unit too long")?;
            dst.copy_from_slice(unit);
            return Ok(unit.len());
        }
    }
    Err("reassembly incomplete")
}

#[entry]
fn main() -> ! {
    iomt_firmware::timer::start();
    let mut instructions = 0u32;
    let result = run(&mut instructions);
    match result {
        Ok(()) => {
            hprintln!("IOMT-INITIATOR\tok\t{}", instructions);
            exit(true)
        }
        Err(step) => {
            hprintln!("IOMT-INITIATOR\tFAILED at {}", step);
            exit(false)
        }
    }
}

/// Without iomt-auth's `signature-methods` feature, a signature method must be refused.
#[cfg(not(feature = "edhoc"))]
fn signature_methods_refused() -> Result<(), &'static str> {
    for method in [Method::SigSig, Method::SigStat, Method::StatSig] {
        let config = InitiatorConfig {
            method,
            suites: &[2],
            c_i: ConnId::new(&[0x37]).map_err(|_| "C_I")?,
            expect_message_4: false,
            ead_labels: EadLabels::NONE,
        };
        match Initiator::<Provider>::new(&config) {
            Err(AuthError::ApiMisuse(iomt_auth::error::ApiMisuse::MethodNotBuilt)) => {}
            _ => return Err("a signature method was accepted without `signature-methods`"),
        }
    }
    Ok(())
}

fn run(instructions: &mut u32) -> Result<(), &'static str> {
    #[cfg(not(feature = "edhoc"))]
    signature_methods_refused()?;
    let mut p = Provider::new(ReplayRng::new(X));
    let sk_i = p.p256_import_key(&SK_I).map_err(|_| "import SK_I")?;
    let me = LocalCredential {
        key: &sk_i,
        cred: &CRED_I,
        id_cred: IdCred::Kid(KID_I),
    };
    let store = StaticTrustStore::new([TrustEntry {
        kid: KID_R,
        cred: &CRED_R,
        identity: PeerIdentity::from_slice(b"example.edu"),
        roles: RoleSet::EMPTY.with(Role::Device),
    }]);
    let config = InitiatorConfig {
        method: Method::StatStat,
        suites: &[6, 2],
        c_i: ConnId::new(&[0x37]).map_err(|_| "C_I")?,
        expect_message_4: cfg!(feature = "channel"),
        ead_labels: EadLabels::NONE,
    };
    let mut m1 = [0u8; 64];
    let mut m2 = MESSAGE_2;
    let mut m3 = [0u8; 64];
    #[cfg(feature = "channel")]
    let mut m4 = MESSAGE_4;
    #[cfg(feature = "fragment")]
    {
        // message_2 and message_4 arrive as 20-byte fragments
        over_ble(&MESSAGE_2, &mut m2)?;
        over_ble(&MESSAGE_4, &mut m4)?;
    }
    let mut outcome: Result<_, (&'static str, AuthError)> =
        Err(("not run", AuthError::AuthenticationFailed));
    let m = measure(1, || {
        outcome = (|| {
            let init = Initiator::<Provider>::new(&config).map_err(|e| ("new", e))?;
            let (wait2, n1) = init
                .prepare_message_1(&mut p, &[], &mut m1)
                .map_err(|e| ("message_1", e))?;
            let processed = wait2
                .parse_message_2(&mut p, &mut m2)
                .map_err(|e| ("parse message_2", e))?
                .verify_with_store(&mut p, &store)
                .map_err(|e| ("verify message_2", e))?;
            let (after, n3) = processed
                .prepare_message_3(&mut p, &me, &[], &mut m3)
                .map_err(|e| ("message_3", e))?;
            #[cfg(feature = "channel")]
            let done = {
                let AfterMessage3::WaitMessage4(wait4) = after else {
                    return Err(("message_4 expected", AuthError::AuthenticationFailed));
                };
                wait4
                    .process_message_4(&mut p, &mut m4)
                    .map_err(|e| ("message_4", e))?
                    .0
            };
            #[cfg(not(feature = "channel"))]
            let iomt_auth::edhoc::AfterMessage3::Completed(done) = after else {
                return Err(("message_4 not expected", AuthError::AuthenticationFailed));
            };
            Ok((n1, n3, done))
        })();
    });
    *instructions = m.instructions;
    let (n1, n3, mut done) = outcome.map_err(|(step, e)| {
        // The code (docs/ERRORS.md), not `{:?}`: Debug formatting would add kilobytes
        // of formatting code to the image this firmware measures.
        hprintln!("{}: iomt error {}", step, e.code());
        step
    })?;
    #[cfg(feature = "fragment")]
    {
        // message_1 and message_3 leave as 20-byte fragments
        let mut copy = [0u8; 64];
        let n = over_ble(m1.get(..n1).ok_or("n1")?, &mut copy)?;
        if copy.get(..n) != m1.get(..n1) {
            return Err("message_1 changed by fragmentation");
        }
        let n = over_ble(m3.get(..n3).ok_or("n3")?, &mut copy)?;
        if copy.get(..n) != m3.get(..n3) {
            return Err("message_3 changed by fragmentation");
        }
    }
    #[cfg(feature = "retransmit")]
    {
        let mut r = iomt_proto::retransmit::Retransmit::<64>::new(
            iomt_proto::retransmit::RetransmitConfig::DEFAULT,
        )
        .map_err(|_| "retransmit config")?;
        exchange(&mut r, &mut p, m1.get(..n1).ok_or("n1")?, &MESSAGE_2)?;
        exchange(&mut r, &mut p, m3.get(..n3).ok_or("n3")?, &MESSAGE_4)?;
    }
    if m1.get(..n1) != Some(&MESSAGE_1[..]) {
        return Err("message_1 differs from RFC 9529");
    }
    if m3.get(..n3) != Some(&MESSAGE_3[..]) {
        return Err("message_3 differs from RFC 9529");
    }
    let mut secret = [0u8; 16];
    done.exporter(&mut p, 0, &[], &mut secret)
        .map_err(|_| "exporter")?;
    if secret != OSCORE_MASTER_SECRET {
        return Err("OSCORE Master Secret differs from RFC 9529");
    }
    #[cfg(feature = "channel")]
    session(&mut p, &mut done)?;
    Ok(())
}

/// The secure channel from the completed handshake: seal and open one 64-byte frame.
#[cfg(feature = "channel")]
fn session(p: &mut Provider, done: &mut iomt_auth::edhoc::Completed) -> Result<(), &'static str> {
    // The session. One handshake stands in for both sides here (the responder side plays
    // the gateway so that open is exercised too): its channel secrets can be derived once
    // per key epoch (`Completed::channel_secrets`), so both channel objects share that one
    // derivation.
    let algorithm = AeadAlgorithm::AesCcm16_64_128;
    let (mut i2r, mut r2i) = ([0u8; 32], [0u8; 32]);
    let mut q = Provider::new(ReplayRng::new([1; 32]));
    done.channel_secrets(&mut q, &exporter_context(algorithm), &mut i2r, &mut r2i)
        .map_err(|_| "channel secrets")?;
    let mut exporter = |label: u16, _context: &[u8], out: &mut [u8]| -> Result<(), ExportError> {
        let src = match label {
            LABEL_INITIATOR_TO_RESPONDER => &i2r,
            LABEL_RESPONDER_TO_INITIATOR => &r2i,
            _ => return Err(ExportError),
        };
        out.get_mut(..src.len())
            .ok_or(ExportError)?
            .copy_from_slice(src);
        Ok(())
    };
    let mut tx = Channel::<64, 4>::new(p, &mut exporter, algorithm, Side::Initiator, 1)
        .map_err(|_| "channel (device)")?;
    let mut rx = Channel::<64, 4>::new(p, &mut exporter, algorithm, Side::Responder, 1)
        .map_err(|_| "channel (gateway)")?;
    let payload = [0x44u8; 64];
    let mut frame = [0u8; 128];
    let n = tx
        .seal_data(p, None, &payload, &mut frame)
        .map_err(|_| "seal")?;
    let opened = rx
        .open(p, frame.get_mut(..n).ok_or("frame length")?)
        .map_err(|_| "open")?;
    if opened.payload != payload {
        return Err("opened payload differs");
    }
    Ok(())
}
