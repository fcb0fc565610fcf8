//! Compile-time suite selection: a provider built without a suite's AEAD makes every
//! configuration naming that suite fail at construction, with the error naming the
//! iomt-crypto feature. The provider here stands for a `rustcrypto-core` + `aes-ccm`
//! build (suite 2 only); the real feature-gated builds are the firmware's (QEMU).

use super::*;
use crate::error::AuthError;
use iomt_crypto::rustcrypto::{RustCryptoAead, RustCryptoHashing};
use iomt_crypto::{Aead, AeadAlgorithm, AeadKey, CryptoError, DeterministicP256, Provider};
use std::string::ToString as _;

/// The RustCrypto AEAD part as if built without ChaCha20-Poly1305: the one part this
/// test replaces (the others are the deterministic test provider's).
struct Suite2OnlyAead;

impl Aead for Suite2OnlyAead {
    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        match algorithm {
            AeadAlgorithm::ChaCha20Poly1305 => Err(CryptoError::ChaCha20Poly1305NotBuilt),
            other => RustCryptoAead::aead_built(other),
        }
    }
    fn aead_seal(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        Self::aead_built(algorithm)?;
        RustCryptoAead.aead_seal(algorithm, key, nonce, aad, in_out, tag)
    }
    fn aead_open(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        Self::aead_built(algorithm)?;
        RustCryptoAead.aead_open(algorithm, key, nonce, aad, in_out, tag)
    }
}

/// A suite-2-only build: the deterministic P-256 part, RustCrypto hashing, the AEAD
/// part above and an OS RNG (never drawn: only construction is tested).
type Suite2Only =
    Provider<DeterministicP256, RustCryptoHashing, Suite2OnlyAead, iomt_crypto::rustcrypto::OsRng>;

fn initiator(suites: &[u8]) -> Result<(), AuthError> {
    Initiator::<Suite2Only>::new(&InitiatorConfig {
        method: Method::StatStat,
        suites,
        c_i: ConnId::new(&[0x37])?,
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .map(|_| ())
}

fn responder(suites: &[u8]) -> Result<(), AuthError> {
    Responder::<Suite2Only>::new(&ResponderConfig {
        suites,
        methods: &[Method::StatStat],
        c_r: ConnId::new(&[0x27])?,
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .map(|_| ())
}

#[test]
fn a_suite_left_out_of_the_build_fails_at_configuration_naming_the_feature() {
    let not_built = Err(AuthError::Crypto(CryptoError::ChaCha20Poly1305NotBuilt));
    assert_eq!(initiator(&[2]), Ok(()));
    assert_eq!(responder(&[2]), Ok(()));
    // Anywhere in the list, even after a built suite: it would be offered to the peer.
    for suites in [&[5][..], &[2, 5], &[5, 2]] {
        assert_eq!(initiator(suites), not_built, "initiator {suites:?}");
        assert_eq!(responder(suites), not_built, "responder {suites:?}");
    }
    let e = AuthError::Crypto(CryptoError::ChaCha20Poly1305NotBuilt);
    assert_eq!(e.code(), 109);
    assert!(e.to_string().contains("`chacha20poly1305`"), "{e}");
    let e = CryptoError::AesCcmNotBuilt;
    assert_eq!(e.code(), 108);
    assert!(e.to_string().contains("`aes-ccm`"), "{e}");
}
