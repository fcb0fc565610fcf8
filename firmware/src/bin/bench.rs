//! Benchmark firmware: instruction counts and peak stack of every primitive
//! (and, with the `edhoc` feature, of whole handshakes), per backend.
//!
//! Run: `cargo run --release --bin bench [--features backend-m4]` (QEMU runner in
//! `.cargo/config.toml`). Prints `IOMT-BENCH` lines (see the library docs) and
//! exits 0 if every self-check passed.
#![no_std]
#![no_main]

#[cfg(not(any(feature = "backend-rustcrypto", feature = "backend-m4")))]
compile_error!("enable `backend-rustcrypto` and/or `backend-m4`");

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
// The parts' methods on the concrete providers (only the cross-check calls them so).
#[cfg(all(feature = "backend-rustcrypto", feature = "backend-m4"))]
use iomt_crypto::prelude::*;
use iomt_crypto::{AeadAlgorithm, AeadKey, CryptoProvider, Digest};
use iomt_firmware::rng::BenchRng;
use iomt_firmware::{Measurement, calibrate, exit, measure, report, timer};
use panic_semihosting as _;

/// Repetitions for the cheap symmetric operations (timer resolution is 40 instructions).
const REPS: u32 = 16;
/// A fixed long-term key (RFC 9529 §3: the responder's static key R).
const STATIC_KEY: [u8; 32] = [
    0x72, 0xcc, 0x47, 0x61, 0xdb, 0xd4, 0xc7, 0x8f, 0x75, 0x89, 0x31, 0xaa, 0x58, 0x9d, 0x34, 0x8d,
    0x1e, 0xf8, 0x74, 0xa7, 0xe3, 0x03, 0xed, 0xe2, 0xf1, 0x40, 0xdc, 0xf3, 0xe6, 0xaa, 0x4a, 0xac,
];

#[entry]
fn main() -> ! {
    timer::start();
    let per_iteration_x1000 = calibrate(1_000_000);
    hprintln!("IOMT-CALIBRATION\t{}", per_iteration_x1000);
    // The loop is 2 instructions per iteration: the 40-per-tick factor must give 2.000.
    let mut ok = (1_990..=2_010).contains(&per_iteration_x1000);
    if !ok {
        hprintln!("calibration FAILED: expected 2000 (x1000) instructions per iteration");
    }

    #[cfg(feature = "backend-rustcrypto")]
    {
        let mut p = iomt_crypto::RustCryptoProvider::new(BenchRng::new(1));
        ok &= suite("rustcrypto", &mut p);
    }
    #[cfg(feature = "backend-m4")]
    {
        let mut p = iomt_crypto::CortexM4Provider::new(BenchRng::new(1));
        ok &= suite("p256-cortex-m4", &mut p);
    }
    #[cfg(all(feature = "backend-rustcrypto", feature = "backend-m4"))]
    {
        ok &= cross_check();
    }
    hprintln!("IOMT-BENCH-DONE\t{}", if ok { "ok" } else { "FAILED" });
    exit(ok)
}

fn line(backend: &str, operation: &str, m: Measurement) {
    report(backend, operation, m);
}

/// Measures every primitive of `p` and checks the results are consistent.
fn suite<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    let mut ok = true;
    let Ok(key) = p.p256_import_key(&STATIC_KEY) else {
        hprintln!("{}: import_key FAILED", backend);
        return false;
    };

    let mut generated = None;
    line(
        backend,
        "p256_keygen",
        measure(1, || {
            generated = p.p256_generate_ephemeral().ok();
        }),
    );
    let Some((eph, eph_pub)) = generated else {
        hprintln!("{}: keygen FAILED", backend);
        return false;
    };
    let Ok(static_pub) = p.p256_public_key(&key) else {
        return false;
    };

    let mut shared_a = None;
    line(
        backend,
        "p256_ecdh",
        measure(1, || {
            shared_a = p.p256_ecdh_ephemeral(&eph, &static_pub).ok();
        }),
    );
    let mut shared_b = None;
    line(
        backend,
        "p256_ecdh_static",
        measure(1, || {
            shared_b = p.p256_ecdh_static(&key, &eph_pub).ok();
        }),
    );
    match (&shared_a, &shared_b) {
        (Some(a), Some(b)) if a.as_bytes() == b.as_bytes() => {}
        _ => {
            hprintln!("{}: ECDH self-check FAILED", backend);
            ok = false;
        }
    }

    let x = *eph_pub.x();
    line(
        backend,
        "p256_point_from_x",
        measure(1, || p.p256_public_key_from_x(&x)),
    );
    // The assembly library's decompression alone (the provider adds RustCrypto's
    // on-curve validation of the result).
    #[cfg(feature = "backend-m4")]
    if backend == "p256-cortex-m4" {
        let mut compressed = [0x02u8; 33];
        compressed[1..].copy_from_slice(&x);
        let mut m4_ok = false;
        line(
            backend,
            "p256_point_from_x_m4_library",
            measure(1, || {
                m4_ok = p256_cortex_m4::PublicKey::from_sec1_bytes(&compressed).is_ok();
            }),
        );
        ok &= m4_ok;
    }

    let digest: Digest = p.sha256(b"iomt benchmark message");
    let mut signature = None;
    line(
        backend,
        "ecdsa_sign",
        measure(1, || {
            signature = p.ecdsa_p256_sign_digest(&key, &digest).ok();
        }),
    );
    let Some(signature) = signature else {
        hprintln!("{}: sign FAILED", backend);
        return false;
    };
    let mut verified = false;
    line(
        backend,
        "ecdsa_verify",
        measure(1, || {
            verified = p
                .ecdsa_p256_verify_digest(&static_pub, &digest, &signature)
                .is_ok();
        }),
    );
    let mut tampered = digest;
    tampered[0] ^= 1;
    if !verified
        || p.ecdsa_p256_verify_digest(&static_pub, &tampered, &signature)
            .is_ok()
    {
        hprintln!("{}: ECDSA self-check FAILED", backend);
        ok = false;
    }

    let data = [0x5a_u8; 64];
    line(backend, "sha256_64B", measure(REPS, || p.sha256(&data)));
    let mut prk = None;
    line(
        backend,
        "hkdf_extract",
        measure(REPS, || {
            prk = Some(p.hkdf_sha256_extract(&[1; 32], &[2; 32]));
        }),
    );
    if let Some(prk) = prk {
        let mut okm = [0u8; 32];
        line(
            backend,
            "hkdf_expand_32B",
            measure(REPS, || {
                p.hkdf_sha256_expand(&prk, b"iomt bench info", &mut okm)
            }),
        );
    }

    for (name, alg, key_len, nonce_len) in [
        (
            "chacha20poly1305_seal_64B",
            AeadAlgorithm::ChaCha20Poly1305,
            32,
            12,
        ),
        (
            "aes_ccm_16_64_128_seal_64B",
            AeadAlgorithm::AesCcm16_64_128,
            16,
            13,
        ),
    ] {
        let Ok(aead_key) = AeadKey::new(alg, &[7; 32][..key_len]) else {
            return false;
        };
        let nonce = [9u8; 13];
        let mut buf = [0x42u8; 64];
        let mut tag = [0u8; 16];
        let mut sealed = true;
        line(
            backend,
            name,
            measure(REPS, || {
                sealed &= p
                    .aead_seal(
                        alg,
                        &aead_key,
                        &nonce[..nonce_len],
                        b"hdr",
                        &mut buf,
                        &mut tag[..alg.tag_len()],
                    )
                    .is_ok();
            }),
        );
        ok &= sealed;
    }
    #[cfg(feature = "channel")]
    {
        ok &= channel(backend, p);
    }
    #[cfg(feature = "edhoc")]
    {
        ok &= handshakes(backend, p);
    }
    sizes::<P>(backend);
    ok
}

/// `size_of` of the provider's key types and (feature `edhoc`) of the handshake states.
fn sizes<P: CryptoProvider>(backend: &str) {
    use core::mem::size_of;
    use iomt_firmware::report_size;
    report_size(backend, "KeyHandle", size_of::<P::KeyHandle>());
    report_size(backend, "EphemeralSecret", size_of::<P::EphemeralSecret>());
    #[cfg(feature = "edhoc")]
    {
        use iomt_auth::edhoc::*;
        report_size(backend, "Initiator", size_of::<Initiator<P>>());
        report_size(
            backend,
            "InitiatorWaitMessage2",
            size_of::<InitiatorWaitMessage2<P>>(),
        );
        report_size(
            backend,
            "InitiatorMessage2Received",
            size_of::<InitiatorMessage2Received<'static, P>>(),
        );
        report_size(
            backend,
            "InitiatorMessage2Verified",
            size_of::<InitiatorMessage2Verified<P>>(),
        );
        report_size(
            backend,
            "InitiatorWaitMessage4",
            size_of::<InitiatorWaitMessage4<P>>(),
        );
        report_size(backend, "Responder", size_of::<Responder<P>>());
        report_size(
            backend,
            "ResponderMessage1Received",
            size_of::<ResponderMessage1Received<P>>(),
        );
        report_size(
            backend,
            "ResponderWaitMessage3",
            size_of::<ResponderWaitMessage3<P>>(),
        );
        report_size(
            backend,
            "ResponderMessage3Received",
            size_of::<ResponderMessage3Received<'static, P>>(),
        );
        report_size(
            backend,
            "ResponderMessage3Verified",
            size_of::<ResponderMessage3Verified<P>>(),
        );
        report_size(backend, "Completed", size_of::<Completed>());
        report_size(backend, "InitiatorState", size_of::<InitiatorState<P>>());
        report_size(backend, "ResponderState", size_of::<ResponderState<P>>());
    }
}

/// Secure-channel frames: seal and open of a 64-byte payload (no consent slot),
/// per AEAD, between an initiator-side and a responder-side channel.
#[cfg(feature = "channel")]
fn channel<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    use iomt_proto::{Channel, ExportError, Side};
    let mut ok = true;
    for (alg, suffix) in [
        (AeadAlgorithm::AesCcm16_64_128, "aes_ccm"),
        (AeadAlgorithm::ChaCha20Poly1305, "chacha20poly1305"),
    ] {
        // Both sides must derive the same keys: a fixed stand-in for EDHOC_Exporter.
        let mut exporter = |label: u16, _ctx: &[u8], out: &mut [u8]| -> Result<(), ExportError> {
            for (i, b) in out.iter_mut().enumerate() {
                *b = (label.to_le_bytes()[0]) ^ (i as u8);
            }
            Ok(())
        };
        let (Ok(mut tx), Ok(mut rx)) = (
            Channel::<64, 4>::new(p, &mut exporter, alg, Side::Initiator, 7),
            Channel::<64, 4>::new(p, &mut exporter, alg, Side::Responder, 7),
        ) else {
            hprintln!("{}: channel setup FAILED", backend);
            return false;
        };
        let payload = [0x33u8; 64];
        let mut frame = [0u8; 128];
        let mut len = 0;
        let mut sealed = true;
        let mut name = [0u8; 40];
        let label = join(&mut name, "frame_seal_64B_", suffix);
        line(
            backend,
            label,
            measure(REPS, || match tx.seal_data(p, None, &payload, &mut frame) {
                Ok(n) => len = n,
                Err(_) => sealed = false,
            }),
        );
        // The last sealed frame (sequence REPS - 1) is opened once.
        let mut opened = false;
        let frame = frame.get_mut(..len).unwrap_or(&mut []);
        let label = join(&mut name, "frame_open_64B_", suffix);
        line(
            backend,
            label,
            measure(1, || {
                opened = rx.open(p, frame).is_ok_and(|o| o.payload == payload);
            }),
        );
        if !(sealed && opened) {
            hprintln!(
                "{}: channel {} FAILED (sealed {}, opened {})",
                backend,
                suffix,
                sealed,
                opened
            );
            ok = false;
        }
        hprintln!("IOMT-FRAME\t{}\t{}", suffix, len);
    }
    iomt_firmware::report_size(
        backend,
        "Channel<64, 4>",
        core::mem::size_of::<Channel<64, 4>>(),
    );
    ok
}

/// `a ‖ b` in `buf` (truncated to fit), as a `&str`.
#[cfg(feature = "channel")]
fn join<'a>(buf: &'a mut [u8; 40], a: &str, b: &str) -> &'a str {
    let mut n = 0;
    for &c in a.as_bytes().iter().chain(b.as_bytes()) {
        if let Some(slot) = buf.get_mut(n) {
            *slot = c;
            n += 1;
        }
    }
    core::str::from_utf8(buf.get(..n).unwrap_or(&[])).unwrap_or("?")
}

/// Full handshakes per method and suite; the initiator's cost is reported.
#[cfg(feature = "edhoc")]
fn handshakes<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    use iomt_auth::edhoc::Method;
    use iomt_firmware::handshake::{self, SK_I, SK_R};
    let (Ok(sk_i), Ok(sk_r)) = (p.p256_import_key(&SK_I), p.p256_import_key(&SK_R)) else {
        return false;
    };
    let mut ok = true;
    let mut cases: [(Method, u8, bool); 9] = [(Method::StatStat, 2, true); 9];
    for (i, method) in Method::ALL.into_iter().enumerate() {
        cases[2 * i] = (method, 2, false);
        cases[2 * i + 1] = (method, 5, false);
    }
    for (method, suite, message_4) in cases {
        let mut name: heapless_name::Name = heapless_name::Name::new();
        name.push_str("edhoc_initiator_m");
        name.push_digit(method as u8);
        name.push_str("_s");
        name.push_digit(suite);
        if message_4 {
            name.push_str("_msg4");
        }
        match handshake::run(p, &sk_i, &sk_r, method, suite, message_4) {
            Some(cost) => {
                line(backend, name.as_str(), cost.total);
                hprintln!(
                    "IOMT-MESSAGES\t{}\t{}\t{}\t{}\t{}",
                    name.as_str(),
                    cost.messages[0],
                    cost.messages[1],
                    cost.messages[2],
                    cost.messages[3]
                );
            }
            None => ok = false,
        }
    }
    ok
}

/// A tiny fixed-capacity string for operation names (no allocator).
#[cfg(feature = "edhoc")]
mod heapless_name {
    pub(crate) struct Name {
        buf: [u8; 48],
        len: usize,
    }

    impl Name {
        pub(crate) const fn new() -> Self {
            Self {
                buf: [0; 48],
                len: 0,
            }
        }

        pub(crate) fn push_str(&mut self, s: &str) {
            for &b in s.as_bytes() {
                if let Some(slot) = self.buf.get_mut(self.len) {
                    *slot = b;
                    self.len += 1;
                }
            }
        }

        pub(crate) fn push_digit(&mut self, d: u8) {
            let digit = [b'0' + d % 10];
            self.push_str(core::str::from_utf8(&digit).unwrap_or("?"));
        }

        pub(crate) fn as_str(&self) -> &str {
            core::str::from_utf8(self.buf.get(..self.len).unwrap_or(&[])).unwrap_or("?")
        }
    }
}

/// Both backends must produce byte-identical RFC 6979 signatures and agree on ECDH.
#[cfg(all(feature = "backend-rustcrypto", feature = "backend-m4"))]
fn cross_check() -> bool {
    let mut rc = iomt_crypto::RustCryptoProvider::new(BenchRng::new(7));
    let mut m4 = iomt_crypto::CortexM4Provider::new(BenchRng::new(7));
    let (Ok(k_rc), Ok(k_m4)) = (
        rc.p256_import_key(&STATIC_KEY),
        m4.p256_import_key(&STATIC_KEY),
    ) else {
        return false;
    };
    let digest = rc.sha256(b"cross-check");
    let (Ok(s_rc), Ok(s_m4)) = (
        rc.ecdsa_p256_sign_digest(&k_rc, &digest),
        m4.ecdsa_p256_sign_digest(&k_m4, &digest),
    ) else {
        return false;
    };
    let (Ok(pub_rc), Ok(pub_m4)) = (rc.p256_public_key(&k_rc), m4.p256_public_key(&k_m4)) else {
        return false;
    };
    let Ok((eph, eph_pub)) = rc.p256_generate_ephemeral() else {
        return false;
    };
    let (Ok(d_rc), Ok(d_m4)) = (
        rc.p256_ecdh_ephemeral(&eph, &pub_m4),
        m4.p256_ecdh_static(&k_m4, &eph_pub),
    ) else {
        return false;
    };
    let same = s_rc == s_m4 && pub_rc == pub_m4 && d_rc.as_bytes() == d_m4.as_bytes();
    hprintln!("IOMT-CROSS-CHECK\t{}", if same { "ok" } else { "FAILED" });
    same
}
