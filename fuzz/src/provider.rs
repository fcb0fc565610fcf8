//! `FuzzCrypto`: a **NO SECURITY** [`CryptoProvider`] for fuzzing only.
//!
//! It exists so that the fuzzer gets past signatures, MACs and AEAD tags to the code
//! behind them. It lives in this crate (its own cargo-fuzz workspace, excluded from the
//! root workspace), so it is never compiled into a normal build by construction.
//!
//! - Every signature verifies; signing returns `digest ‖ digest`.
//! - HKDF-Extract returns an all-zero PRK and HKDF-Expand all-zero output, so every
//!   derived key, IV, keystream and MAC is zero: EDHOC's KEYSTREAM_2 XOR leaves
//!   PLAINTEXT_2 in clear, and a received MAC passes iff its bytes are zero.
//! - AEAD seal leaves the plaintext as it is and writes an all-zero tag; open accepts
//!   **any** tag and leaves the data as it is (lengths are still checked).
//! - ECDH returns `own.x XOR peer.x`, which is symmetric, so two honest parties agree.
//! - Ephemeral keys alternate between two fixed valid points (RFC 9529's G_X and G_Y);
//!   SHA-256 is the real one (transcript hashes stay meaningful).

use std::sync::OnceLock;

use iomt_crypto::types::{AeadAlgorithm, AeadKey, Digest, Prk, PublicKey, SharedSecret, Signature};
use iomt_crypto::{
    Aead, CryptoError, CryptoProvider, Hashing, P256, Random, RustCryptoSha256, Sha256State,
};

use crate::hex;

/// The fuzzing provider (NO SECURITY).
#[derive(Debug, Default)]
pub struct FuzzCrypto {
    counter: u64,
}

/// An ephemeral "secret": just its public key.
#[derive(Debug)]
pub struct FuzzEphemeral(PublicKey);

/// A long-term key handle: just its public key.
#[derive(Debug, Clone, Copy)]
pub struct FuzzKey(pub PublicKey);

fn ephemeral_points() -> &'static [PublicKey; 2] {
    static POINTS: OnceLock<[PublicKey; 2]> = OnceLock::new();
    POINTS.get_or_init(|| {
        let p = |x: &str| PublicKey::from_x_coordinate(&hex(x)).expect("RFC 9529 point");
        [
            p("8af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b6"),
            p("419701d7f00a26c2dc587a36dd752549f33763c893422c8ea0f955a13a4ff5d5"),
        ]
    })
}

fn xor_x(a: &PublicKey, b: &PublicKey) -> SharedSecret {
    let mut out = [0u8; 32];
    for ((o, x), y) in out.iter_mut().zip(a.x()).zip(b.x()) {
        *o = x ^ y;
    }
    if out == [0; 32] {
        out[0] = 1; // both sides used the same point; never hand out the identity-like zero
    }
    SharedSecret::from_bytes(out)
}

fn check_lengths(
    algorithm: AeadAlgorithm,
    key: &AeadKey,
    nonce: &[u8],
    tag_len: usize,
) -> Result<(), CryptoError> {
    if key.algorithm() != algorithm
        || nonce.len() != algorithm.nonce_len()
        || tag_len != algorithm.tag_len()
    {
        return Err(CryptoError::InvalidLength);
    }
    Ok(())
}

impl FuzzCrypto {
    /// The next ephemeral key: the two fixed points in turn, by the shared counter.
    fn next_ephemeral(&mut self) -> (FuzzEphemeral, PublicKey) {
        let points = ephemeral_points();
        let p = points[(self.counter % 2) as usize];
        self.counter = self.counter.wrapping_add(1);
        (FuzzEphemeral(p), p)
    }
}

impl CryptoProvider for FuzzCrypto {
    fn p256_generate_ephemeral(
        &mut self,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError> {
        Ok(self.next_ephemeral())
    }
}

impl Random for FuzzCrypto {
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        for b in out.iter_mut() {
            self.counter = self.counter.wrapping_add(1);
            *b = self.counter as u8;
        }
        Ok(())
    }
}

impl P256 for FuzzCrypto {
    type KeyHandle = FuzzKey;
    type EphemeralSecret = FuzzEphemeral;

    /// Ignores `rng`: the provider's own counter picks the point (as
    /// [`CryptoProvider::p256_generate_ephemeral`]).
    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        _rng: &mut G,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError> {
        Ok(self.next_ephemeral())
    }

    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &Self::EphemeralSecret,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        Ok(xor_x(&secret.0, peer))
    }

    fn p256_ecdh_static(
        &mut self,
        key: &Self::KeyHandle,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        Ok(xor_x(&key.0, peer))
    }

    fn p256_public_key(&mut self, key: &Self::KeyHandle) -> Result<PublicKey, CryptoError> {
        Ok(key.0)
    }

    fn ecdsa_p256_sign_digest(
        &mut self,
        _key: &Self::KeyHandle,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        let mut s = [0u8; 64];
        s[..32].copy_from_slice(digest);
        s[32..].copy_from_slice(digest);
        Ok(Signature::from_array(s))
    }

    fn ecdsa_p256_verify_digest(
        &mut self,
        _public: &PublicKey,
        _digest: &Digest,
        _signature: &Signature,
    ) -> Result<(), CryptoError> {
        Ok(())
    }
}

impl Hashing for FuzzCrypto {
    type Sha256 = RustCryptoSha256;

    fn sha256(&mut self, data: &[u8]) -> Digest {
        let mut h = RustCryptoSha256::default();
        h.update(data);
        h.finalize()
    }

    fn sha256_start(&mut self) -> Self::Sha256 {
        RustCryptoSha256::default()
    }

    fn hkdf_sha256_extract(&mut self, _salt: &[u8], _ikm: &[u8]) -> Prk {
        Prk::from_bytes([0; 32])
    }

    fn hkdf_sha256_expand(
        &mut self,
        _prk: &Prk,
        _info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        if out.len() > 255 * 32 {
            return Err(CryptoError::InvalidLength);
        }
        out.fill(0);
        Ok(())
    }
}

impl Aead for FuzzCrypto {
    fn aead_seal(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        _aad: &[u8],
        in_out: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        check_lengths(algorithm, key, nonce, tag.len())?;
        if in_out.len() > algorithm.max_plaintext_len() {
            return Err(CryptoError::InvalidLength);
        }
        tag.fill(0);
        Ok(())
    }

    fn aead_open(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        _aad: &[u8],
        _in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        check_lengths(algorithm, key, nonce, tag.len())
    }
}
