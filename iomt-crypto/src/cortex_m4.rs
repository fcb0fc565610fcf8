//! The fast Cortex-M4 P-256 backend (feature `p256-cortex-m4`).
//!
//! [`CortexM4Provider`] runs P-256 key generation, ECDH, ECDSA signing and
//! verification on the P256-Cortex-M4 C/assembly library (through the safe
//! `p256-cortex-m4` crate, which uses the DSP instruction `UMAAL`): it is the
//! [`P256`] part [`CortexM4P256`], composed with the RustCrypto hashing and AEAD
//! parts and the device's RNG. On a Cortex-M4 it needs roughly an order of
//! magnitude fewer instructions than the RustCrypto backend for P-256 (see
//! `docs/PERFORMANCE.md`).
//!
//! **Targets:** thumbv7em (Cortex-M4/M7) and thumbv8m.main (Cortex-M33) only:
//! the feature needs `arm-none-eabi-gcc` to build the C/assembly. On other
//! targets this module is not compiled.
//!
//! # Invariants
//! - Peer points are [`PublicKey`]s, validated when they were constructed (on
//!   the curve, coordinates below p, not the identity); the assembly library
//!   checks them once more when they are converted.
//! - Keys ([`CortexM4StaticKey`], [`CortexM4EphemeralKey`]) hold a scalar in
//!   `[1, n)`, zeroize on drop, redact `Debug` and are not `Clone`.
//! - ECDSA signatures are deterministic (RFC 6979 with SHA-256, the nonce
//!   generator of `crate::rfc6979`), byte-identical to
//!   [`RustCryptoProvider`]'s: signing never touches the RNG.
//! - Everything that is not P-256 behaves exactly as [`RustCryptoProvider`].
//!
//! # How the wrapped crate (`p256-cortex-m4` 0.1.0-alpha.6) is used
//! - Only its safe API, with `default-features = false` (no fallback, so no second
//!   `p256` generation is pulled in); this crate stays `#![forbid(unsafe_code)]`.
//! - Its `SecretKey` is `Clone` and does not zeroize on drop: it is wrapped in
//!   non-`Clone` types whose `Drop` zeroizes it (and the shared-secret copy).
//! - It signs with a random `k` drawn from a `rand_core` 0.6 RNG; the RNG passed here
//!   yields the RFC 6979 nonces instead, so signatures are deterministic and equal to
//!   RustCrypto's (checked on target by the `bench` firmware's cross-check and the
//!   RFC 6979 §A.2.5 vectors in the `conformance` firmware).
//! - Its `Signature::from_untagged_bytes` checks the range of `r` twice and never of
//!   `s`; the assembly library's `p256_verify` checks both, so out-of-range `s` is
//!   still rejected (Wycheproof and the firmware's edge cases cover it).
//! - Its `SecretKey::to_bytes` is `unsafe`, so a [`CortexM4StaticKey`] keeps the
//!   big-endian scalar itself for the RFC 6979 nonce generator.

use core::fmt;

use p256_cortex_m4 as m4;
use rand_core::TryCryptoRng;
use zeroize::Zeroize;

use crate::compose::Provider;
use crate::error::CryptoError;
use crate::parts::{P256, Random};
use crate::rfc6979::Rfc6979;
#[cfg(doc)]
use crate::rustcrypto::RustCryptoProvider;
use crate::rustcrypto::{RustCryptoAead, RustCryptoHashing};
use crate::types::{Digest, PublicKey, SharedSecret, Signature};

/// How many 32-byte draws key generation tries before it blames the RNG.
/// (A uniformly random draw is rejected with probability below 2^-32.)
const KEYGEN_ATTEMPTS: usize = 16;

/// Converts a validated [`PublicKey`] to the assembly library's point type.
fn to_m4_public(public: &PublicKey) -> Result<m4::PublicKey, CryptoError> {
    m4::PublicKey::from_sec1_bytes(&public.to_sec1_uncompressed())
        .map_err(|_| CryptoError::InvalidPublicKey)
}

/// Converts the library's point type back (re-validated by [`PublicKey`]).
fn from_m4_public(public: &m4::PublicKey) -> Result<PublicKey, CryptoError> {
    PublicKey::from_sec1_bytes(&public.to_uncompressed_sec1_bytes())
}

/// A scalar in `[1, n)` (in the library's representation) with its public point;
/// zeroizes on drop.
struct KeyPair {
    secret: m4::SecretKey,
    public: PublicKey,
}

impl KeyPair {
    /// Imports a big-endian scalar; the caller keeps (and zeroizes) its copy.
    fn from_scalar(scalar: &[u8; 32]) -> Result<Self, CryptoError> {
        // Checks 1 ≤ d < n.
        let mut secret =
            m4::SecretKey::from_bytes(scalar).map_err(|_| CryptoError::InvalidPrivateKey)?;
        match from_m4_public(&secret.public_key()) {
            Ok(public) => Ok(Self { secret, public }),
            Err(e) => {
                secret.zeroize();
                Err(e)
            }
        }
    }

    /// Rejection sampling: uniform in `[1, n)`. Returns the pair and its big-endian
    /// scalar (which the caller must zeroize or keep in a zeroizing owner).
    fn generate<R: Random + ?Sized>(rng: &mut R) -> Result<(Self, [u8; 32]), CryptoError> {
        let mut candidate = [0u8; 32];
        for _ in 0..KEYGEN_ATTEMPTS {
            if rng.random_bytes(&mut candidate).is_err() {
                candidate.zeroize();
                return Err(CryptoError::Rng);
            }
            match Self::from_scalar(&candidate) {
                Ok(pair) => return Ok((pair, candidate)),
                Err(CryptoError::InvalidPrivateKey) => {}
                Err(e) => {
                    candidate.zeroize();
                    return Err(e);
                }
            }
        }
        candidate.zeroize();
        Err(CryptoError::Rng)
    }

    fn ecdh(&self, peer: &PublicKey) -> Result<SharedSecret, CryptoError> {
        let peer = to_m4_public(peer)?;
        let mut shared = self.secret.agree(&peer);
        let mut bytes = *shared.as_bytes();
        shared.zeroize();
        let out = SharedSecret::from_bytes(bytes);
        bytes.zeroize();
        // `peer` was validated on construction and re-checked by the library's
        // `from_sec1_bytes`, and the scalar is in [1, n): the product is never the
        // identity. (An all-zero result is legitimate: x = 0 is a curve point's
        // x-coordinate — Wycheproof ecdh_secp256r1_ecpoint tcId 3.)
        Ok(out)
    }
}

impl Drop for KeyPair {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// Feeds the RFC 6979 nonces to the library's signing loop (which draws `k` as
/// 32 little-endian bytes from an `rand_core` 0.6 RNG and retries on r = 0 or
/// s = 0 — exactly RFC 6979 §3.2 step h.3).
struct Rfc6979Nonces(Rfc6979);

impl rand_core_06::RngCore for Rfc6979Nonces {
    fn next_u32(&mut self) -> u32 {
        rand_core_06::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        rand_core_06::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // `None` (8 out-of-range candidates in a row, probability below 2^-256) hands
        // out k = 0, which the library rejects and draws again.
        let mut k = self.0.next_k().unwrap_or([0; 32]);
        // k is big-endian; the library reads little-endian words.
        for (d, s) in dest.iter_mut().zip(k.iter().rev()) {
            *d = *s;
        }
        k.zeroize();
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core_06::CryptoRng for Rfc6979Nonces {}

/// A long-term P-256 private key for [`CortexM4Provider`] (its key handle).
///
/// The same API as [`StaticKey`](crate::StaticKey) of the RustCrypto backend.
/// Zeroizes on drop; `Debug` is redacted; not `Clone`.
pub struct CortexM4StaticKey {
    pair: KeyPair,
    /// The scalar, big-endian (the RFC 6979 nonce generator needs it).
    scalar: [u8; 32],
}

impl CortexM4StaticKey {
    /// Imports a raw 32-byte big-endian scalar.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless `bytes` is 32 bytes;
    /// [`CryptoError::InvalidPrivateKey`] if the scalar is zero or not below the
    /// group order.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let mut scalar = <[u8; 32]>::try_from(bytes).map_err(|_| CryptoError::InvalidLength)?;
        match KeyPair::from_scalar(&scalar) {
            Ok(pair) => Ok(Self { pair, scalar }),
            Err(e) => {
                scalar.zeroize();
                Err(e)
            }
        }
    }

    /// Generates a fresh key from `rng`.
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, CryptoError> {
        KeyPair::generate(rng).map(|(pair, scalar)| Self { pair, scalar })
    }

    /// The public key.
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.pair.public
    }

    /// Deterministic ECDSA (RFC 6979) over a SHA-256 digest.
    fn sign(&self, digest: &Digest) -> Signature {
        let mut nonces = Rfc6979Nonces(Rfc6979::new(&self.scalar, digest));
        let sig = self.pair.secret.sign_prehashed(&digest[..], &mut nonces);
        Signature::from_array(sig.to_untagged_bytes())
    }
}

impl Drop for CortexM4StaticKey {
    fn drop(&mut self) {
        self.scalar.zeroize();
    }
}

impl fmt::Debug for CortexM4StaticKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CortexM4StaticKey(<redacted>)")
    }
}

/// An ephemeral P-256 private key of [`CortexM4Provider`].
///
/// Zeroizes on drop; `Debug` is redacted; not `Clone`.
pub struct CortexM4EphemeralKey(KeyPair);

impl CortexM4EphemeralKey {
    /// The public key.
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.0.public
    }
}

impl fmt::Debug for CortexM4EphemeralKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CortexM4EphemeralKey(<redacted>)")
    }
}

/// P-256 on P256-Cortex-M4, the rest on RustCrypto; generic over the device's RNG.
///
/// Used like `RustCryptoProvider` (see its example):
///
/// ```no_run
/// use iomt_crypto::CortexM4Provider;
/// use iomt_crypto::prelude::*;
/// # fn demo<R: rand_core::TryCryptoRng>(trng: R) -> Result<(), iomt_crypto::CryptoError> {
/// let mut provider = CortexM4Provider::new(trng); // the device's TRNG
/// let (_secret, public) = provider.p256_generate_ephemeral()?;
/// assert_eq!(provider.p256_public_key_from_x(public.x())?, public);
/// # Ok(())
/// # }
/// ```
pub type CortexM4Provider<R> = Provider<CortexM4P256, RustCryptoHashing, RustCryptoAead, R>;

impl<R: TryCryptoRng> Provider<CortexM4P256, RustCryptoHashing, RustCryptoAead, R> {
    /// A provider drawing randomness from `rng` (the device's TRNG or a DRBG
    /// seeded from it).
    pub const fn new(rng: R) -> Self {
        Self::from_parts(CortexM4P256, RustCryptoHashing, RustCryptoAead, rng)
    }
}

/// The [`P256`] part on the P256-Cortex-M4 assembly (stateless).
#[derive(Clone, Copy, Debug, Default)]
pub struct CortexM4P256;

impl P256 for CortexM4P256 {
    type KeyHandle = CortexM4StaticKey;
    type EphemeralSecret = CortexM4EphemeralKey;

    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(CortexM4EphemeralKey, PublicKey), CryptoError> {
        let (pair, mut scalar) = KeyPair::generate(rng)?;
        scalar.zeroize();
        let public = pair.public;
        Ok((CortexM4EphemeralKey(pair), public))
    }

    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &CortexM4EphemeralKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        secret.0.ecdh(peer)
    }

    fn p256_ecdh_static(
        &mut self,
        key: &CortexM4StaticKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        key.pair.ecdh(peer)
    }

    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<CortexM4StaticKey, CryptoError> {
        CortexM4StaticKey::from_bytes(scalar)
    }

    fn p256_public_key(&mut self, key: &CortexM4StaticKey) -> Result<PublicKey, CryptoError> {
        Ok(key.pair.public)
    }

    // Inlined into its one caller (EDHOC's G_X / G_Y decompression): measured 226 B of
    // flash as a function of its own in the initiator image.
    #[inline]
    fn p256_public_key_from_x(&mut self, x: &[u8]) -> Result<PublicKey, CryptoError> {
        // The library's square root, then the same validation every PublicKey gets
        // (x, y < p and on the curve): a bug in the fast path cannot admit an invalid point.
        let x: &[u8; 32] = x.try_into().map_err(|_| CryptoError::InvalidLength)?;
        let mut sec1 = [0u8; 33];
        let (tag, rest) = sec1.split_at_mut(1);
        tag.copy_from_slice(&[0x02]); // the even-y point, as PublicKey::from_x_coordinate
        rest.copy_from_slice(x);
        let point =
            m4::PublicKey::from_sec1_bytes(&sec1).map_err(|_| CryptoError::InvalidPublicKey)?;
        PublicKey::from_coordinates(&point.x(), &point.y())
    }

    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &CortexM4StaticKey,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        Ok(key.sign(digest))
    }

    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        // r, s = 0 or ≥ n are rejected (here or in the library's verify).
        let sig = m4::Signature::from_untagged_bytes(signature.as_bytes())
            .map_err(|_| CryptoError::AuthenticationFailed)?;
        let public = to_m4_public(public)?;
        if public.verify_prehashed(&digest[..], &sig) {
            Ok(())
        } else {
            Err(CryptoError::AuthenticationFailed)
        }
    }
}
