//! Compile-time suite selection: a provider built without a suite's AEAD makes every
//! configuration naming that suite fail at construction, with the error naming the
//! iomt-crypto feature. The provider here stands for a `rustcrypto-core` + `aes-ccm`
//! build (suite 2 only); the real feature-gated builds are the firmware's (QEMU).

use super::*;
use crate::error::AuthError;
use iomt_crypto::{
    AeadAlgorithm, AeadKey, CryptoError, CryptoProvider, DeterministicProvider, Digest, Prk,
    PublicKey, SharedSecret, Signature,
};
use std::string::ToString as _;

/// `DeterministicProvider` as if built without ChaCha20-Poly1305.
struct Suite2Only(DeterministicProvider);

impl CryptoProvider for Suite2Only {
    type KeyHandle = <DeterministicProvider as CryptoProvider>::KeyHandle;
    type EphemeralSecret = <DeterministicProvider as CryptoProvider>::EphemeralSecret;
    type Sha256 = <DeterministicProvider as CryptoProvider>::Sha256;

    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        match algorithm {
            AeadAlgorithm::ChaCha20Poly1305 => Err(CryptoError::ChaCha20Poly1305NotBuilt),
            other => DeterministicProvider::aead_built(other),
        }
    }
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        self.0.random_bytes(out)
    }
    fn p256_generate_ephemeral(
        &mut self,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError> {
        self.0.p256_generate_ephemeral()
    }
    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &Self::EphemeralSecret,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        self.0.p256_ecdh_ephemeral(secret, peer)
    }
    fn p256_ecdh_static(
        &mut self,
        key: &Self::KeyHandle,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        self.0.p256_ecdh_static(key, peer)
    }
    fn p256_public_key(&mut self, key: &Self::KeyHandle) -> Result<PublicKey, CryptoError> {
        self.0.p256_public_key(key)
    }
    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &Self::KeyHandle,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        self.0.ecdsa_p256_sign_digest(key, digest)
    }
    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        self.0.ecdsa_p256_verify_digest(public, digest, signature)
    }
    fn sha256(&mut self, data: &[u8]) -> Digest {
        self.0.sha256(data)
    }
    fn sha256_start(&mut self) -> Self::Sha256 {
        self.0.sha256_start()
    }
    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk {
        self.0.hkdf_sha256_extract(salt, ikm)
    }
    fn hkdf_sha256_expand(
        &mut self,
        prk: &Prk,
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        self.0.hkdf_sha256_expand(prk, info, out)
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
        self.0.aead_seal(algorithm, key, nonce, aad, in_out, tag)
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
        self.0.aead_open(algorithm, key, nonce, aad, in_out, tag)
    }
}

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
