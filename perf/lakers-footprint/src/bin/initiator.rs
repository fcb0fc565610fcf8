//! lakers 0.8 initiator-only device image (method 3, cipher suite 2, RustCrypto backend
//! `lakers-crypto-rustcrypto`), the counterpart of iomt's `firmware` `initiator` image
//! built without `channel`: message_1, message_2 (parse, credential check, verify),
//! message_3, exporter.
//!
//! Inputs are RFC 9529 §3's (X, SK_I, CRED_I, CRED_R by `kid`, C_I = 0x37, message_2).
//! lakers sends only its selected suite (`[2]`) where the trace's message_1 offers
//! `[6, 2]`, so its transcript differs from the trace and the trace's message_2 cannot
//! verify: the run stops there and reports the step (exit code 0 either way, the image
//! is what is measured). Every later step stays linked: which branch runs is only known
//! at run time (`black_box`). `cargo xtask footprint` reports this image minus
//! `baseline`.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use lakers::{
    Credential, CredentialTransfer, EDHOCMethod, EDHOCSuite, EdhocInitiator,
    credential_check_or_fetch,
};
use lakers_shared::{ConnId, EdhocMessageBuffer};
use panic_semihosting as _;

/// Hands out the same 32 bytes again and again (the trace's X as the ephemeral key).
/// NOT a random number generator: a fixed input for a size measurement.
struct Replay([u8; 32]);

impl rand_core::RngCore for Replay {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for (d, s) in dest.iter_mut().zip(self.0.iter().cycle()) {
            *d = *s;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for Replay {}

#[path = "../../../../firmware/src/hex.rs"]
mod hex;
use hex::hex;

/// RFC 9529 §3 trace values.
const X: [u8; 32] = hex(b"368ec1f69aeb659ba37d5a8d45b21bdc0299dceaa8ef235f3ca42ce3530f9525");
const SK_I: [u8; 32] = hex(b"fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b");
const CRED_I: [u8; 107] = hex(
    b"a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8",
);
const CRED_R: [u8; 95] = hex(
    b"a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072",
);
const MESSAGE_2: [u8; 45] = hex(
    b"582b419701d7f00a26c2dc587a36dd752549f33763c893422c8ea0f955a13a4ff5d59862a1eef9e0e7e1886fcd",
);

#[entry]
fn main() -> ! {
    let step = run();
    hprintln!("LAKERS-INITIATOR\t{}", step);
    debug::exit(debug::EXIT_SUCCESS);
    loop {}
}

/// The initiator's steps; returns how far it got (`done` after the exporter).
fn run() -> &'static str {
    let crypto = lakers_crypto_rustcrypto::Crypto::new(Replay(black_box(X)));
    let (Ok(cred_i), Ok(cred_r)) = (
        Credential::parse_ccs(black_box(&CRED_I)),
        Credential::parse_ccs(black_box(&CRED_R)),
    ) else {
        return "credentials";
    };
    let Some(c_i) = ConnId::from_slice(&[0x37]) else {
        return "C_I";
    };
    let mut initiator =
        EdhocInitiator::new(crypto, EDHOCMethod::StatStat, EDHOCSuite::CipherSuite2);
    initiator.set_identity(black_box(SK_I), cred_i);
    let Ok((wait2, message_1)) = initiator.prepare_message_1(Some(c_i), &None) else {
        return "message_1";
    };
    black_box(message_1.as_slice());
    let Ok(message_2) = EdhocMessageBuffer::new_from_slice(black_box(&MESSAGE_2)) else {
        return "message_2 buffer";
    };
    let Ok((processing, _c_r, id_cred_r, _ead_2)) = wait2.parse_message_2(&message_2) else {
        return "parse message_2";
    };
    let Ok(valid_cred_r) = credential_check_or_fetch(Some(cred_r), id_cred_r) else {
        return "credential check";
    };
    let Ok(processed) = processing.verify_message_2(valid_cred_r) else {
        return "verify message_2";
    };
    let Ok((wait4, message_3, _prk_out)) =
        processed.prepare_message_3(CredentialTransfer::ByReference, &None)
    else {
        return "message_3";
    };
    black_box(message_3.as_slice());
    let Ok(mut done) = wait4.completed_without_message_4() else {
        return "completed";
    };
    black_box(done.edhoc_exporter(0, &[], 16));
    "done"
}
