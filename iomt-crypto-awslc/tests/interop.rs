//! EDHOC between the backends: a RustCrypto initiator (the device) against an aws-lc
//! responder (the gateway) and the reverse, methods 0 (signatures) and 3 (static DH),
//! cipher suites 2 (AES-CCM) and 5 (ChaCha20-Poly1305).

use iomt_auth::edhoc::Method;
use iomt_crypto::RustCryptoProvider;
use iomt_testkit::clock::no_clock;
use iomt_testkit::provider_pair::ProviderPair;

const CASES: [(Method, u8); 4] = [
    (Method::StatStat, 2),
    (Method::StatStat, 5),
    (Method::SigSig, 2),
    (Method::SigSig, 5),
];

#[test]
fn rustcrypto_initiator_awslc_responder() {
    let mut pair = ProviderPair::new(
        RustCryptoProvider::with_os_rng(),
        iomt_crypto_awslc::provider(),
    );
    for (method, suite) in CASES {
        let (k1, _) = pair.handshake(method, suite, no_clock);
        let (k2, _) = pair.handshake(method, suite, no_clock);
        assert_ne!(k1, k2, "fresh ephemeral keys give fresh session keys");
    }
}

#[test]
fn awslc_initiator_rustcrypto_responder() {
    let mut pair = ProviderPair::new(
        iomt_crypto_awslc::provider(),
        RustCryptoProvider::with_os_rng(),
    );
    for (method, suite) in CASES {
        pair.handshake(method, suite, no_clock);
    }
}

#[test]
fn awslc_both_sides_all_methods() {
    let mut pair = ProviderPair::new(iomt_crypto_awslc::provider(), iomt_crypto_awslc::provider());
    for method in Method::ALL {
        for suite in [2, 5] {
            pair.handshake(method, suite, no_clock);
        }
    }
}
