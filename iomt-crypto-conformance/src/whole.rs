//! [`Part`]: a shared view of a part, so one whole provider can be passed as two parts
//! at once (the ECDSA family takes a P-256 and a hashing part, both `&mut`).
//!
//! A whole [`CryptoProvider`](iomt_crypto::CryptoProvider) is each of its parts already
//! (they are its supertraits), so the one-part families take it directly; `Part` is only
//! needed where two `&mut` views of the same value are.

use core::cell::RefCell;

use iomt_crypto::{
    Aead, AeadAlgorithm, AeadKey, CryptoError, Digest, Hashing, P256, Prk, PublicKey, Random,
    SharedSecret, Signature,
};

/// One view of a shared whole provider as a part (each trait method borrows the
/// provider for the duration of the call only).
///
/// Several `Part`s of one `RefCell` may exist at once, so a family that takes two parts
/// (ECDSA: P-256 and hashing) can be given two views of the same provider:
///
/// ```
/// use core::cell::RefCell;
/// use iomt_crypto_conformance::{Part, run_ecdsa_p256_sha256};
/// let mut provider = iomt_crypto::RustCryptoProvider::with_os_rng();
/// let shared = RefCell::new(&mut provider);
/// let r = run_ecdsa_p256_sha256(&mut Part(&shared), &mut Part(&shared));
/// assert!(r.is_clean(), "{r}");
/// ```
///
/// Invariant: no method of `Part` calls back into another `Part` while it holds the
/// borrow, so the `RefCell` borrow never conflicts.
///
pub struct Part<'a, 'p, C>(pub &'a RefCell<&'p mut C>);

impl<C: P256> P256 for Part<'_, '_, C> {
    type KeyHandle = C::KeyHandle;
    type EphemeralSecret = C::EphemeralSecret;

    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError> {
        self.0.borrow_mut().p256_generate_ephemeral_from(rng)
    }

    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &Self::EphemeralSecret,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        self.0.borrow_mut().p256_ecdh_ephemeral(secret, peer)
    }

    fn p256_ecdh_static(
        &mut self,
        key: &Self::KeyHandle,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        self.0.borrow_mut().p256_ecdh_static(key, peer)
    }

    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<Self::KeyHandle, CryptoError> {
        self.0.borrow_mut().p256_import_key(scalar)
    }

    fn p256_public_key(&mut self, key: &Self::KeyHandle) -> Result<PublicKey, CryptoError> {
        self.0.borrow_mut().p256_public_key(key)
    }

    fn p256_public_key_from_x(&mut self, x: &[u8]) -> Result<PublicKey, CryptoError> {
        self.0.borrow_mut().p256_public_key_from_x(x)
    }

    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &Self::KeyHandle,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        self.0.borrow_mut().ecdsa_p256_sign_digest(key, digest)
    }

    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        self.0
            .borrow_mut()
            .ecdsa_p256_verify_digest(public, digest, signature)
    }
}

impl<C: Hashing> Hashing for Part<'_, '_, C> {
    type Sha256 = C::Sha256;

    fn sha256(&mut self, data: &[u8]) -> Digest {
        self.0.borrow_mut().sha256(data)
    }

    fn sha256_start(&mut self) -> Self::Sha256 {
        self.0.borrow_mut().sha256_start()
    }

    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk {
        self.0.borrow_mut().hkdf_sha256_extract(salt, ikm)
    }

    fn hkdf_sha256_expand(
        &mut self,
        prk: &Prk,
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        self.0.borrow_mut().hkdf_sha256_expand(prk, info, out)
    }
}

impl<C: Aead> Aead for Part<'_, '_, C> {
    fn aead_seal(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        self.0
            .borrow_mut()
            .aead_seal(algorithm, key, nonce, aad, in_out, tag)
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
        self.0
            .borrow_mut()
            .aead_open(algorithm, key, nonce, aad, in_out, tag)
    }

    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        C::aead_built(algorithm)
    }
}
