//! The RustCrypto software backend.
//!
//! Three [parts](crate::parts) — [`RustCryptoP256`], [`RustCryptoHashing`] and
//! [`RustCryptoAead`] — and their composition [`RustCryptoProvider`], with the pinned
//! RustCrypto generation (`p256` 0.14 for scalars mod n, `chacha20poly1305` 0.11, `aes`
//! 0.9) and the crate's own CCM mode (`aes_ccm`), P-256 point arithmetic (`p256_fiat`), SHA-256,
//! HMAC and HKDF (`sha256`) and RFC 6979 nonces (`rfc6979`). It needs no heap and no OS:
//! the device passes its TRNG as any `rand_core` 0.10 [`TryCryptoRng`].
//!
//! # Invariants
//! - Long-term keys are [`StaticKey`]s held by the caller (the "handle" is the key
//!   itself); ephemeral keys are [`EphemeralKey`]s. Both hold a non-zero scalar
//!   below the group order, zeroize on drop, redact `Debug`, and are not `Clone`.
//! - ECDSA signatures are deterministic (RFC 6979), so signing never touches the
//!   RNG; the RNG is used by [`crate::Random::random_bytes`] and key generation.
//! - `aead_open` zeroizes `in_out` on any failure.

use core::fmt;

use p256::NonZeroScalar;
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::PrimeField as _;
use rand_core::TryCryptoRng;
use zeroize::Zeroize;

use crate::compose::Provider;
use crate::error::CryptoError;
use crate::parts::{P256, Random, RandomRng};
use crate::types::{Digest, PublicKey, SharedSecret, Signature};

mod aead;
#[cfg(feature = "aes-ccm")]
mod aes_ccm;
mod ecdsa;
mod hashing;

pub use aead::RustCryptoAead;
pub use hashing::{RustCryptoHashing, RustCryptoSha256};

/// Parses a 32-byte big-endian scalar in `[1, n)`.
fn scalar_from_bytes(bytes: &[u8]) -> Result<NonZeroScalar, CryptoError> {
    let mut arr = <[u8; 32]>::try_from(bytes).map_err(|_| CryptoError::InvalidLength)?;
    let scalar: Option<NonZeroScalar> = NonZeroScalar::from_repr(arr.into()).into();
    arr.zeroize();
    scalar.ok_or(CryptoError::InvalidPrivateKey)
}

/// `scalar · G` as a validated public key (fiat-crypto field, see `p256_fiat`).
///
/// # Errors
/// [`CryptoError::InvalidPrivateKey`] if the product is the identity (impossible for a
/// `NonZeroScalar`; reported rather than panicking).
fn public_from_scalar(scalar: &NonZeroScalar) -> Result<PublicKey, CryptoError> {
    let mut k: [u8; 32] = scalar.to_repr().into();
    let product = crate::p256_fiat::mul_generator(&k);
    k.zeroize();
    let (x, y) = product.ok_or(CryptoError::InvalidPrivateKey)?;
    Ok(PublicKey::from_coordinates_unchecked(x, y))
}

/// ECDH: the x-coordinate of `scalar · peer` (fiat-crypto field, see `p256_fiat`).
fn ecdh(scalar: &NonZeroScalar, peer: &PublicKey) -> Result<SharedSecret, CryptoError> {
    let mut k: [u8; 32] = scalar.to_repr().into();
    // `peer` is a validated point (a `PublicKey` is only built on the curve); `None`
    // (the identity, impossible for a point of prime order and a scalar in [1, n)) is
    // refused anyway, as the trait contract says.
    let product = crate::p256_fiat::mul(&k, peer.x(), peer.y());
    k.zeroize();
    let (mut x, mut y) = product.ok_or(CryptoError::InvalidPublicKey)?;
    let shared = SharedSecret::from_bytes(x);
    x.zeroize();
    y.zeroize();
    Ok(shared)
}

/// A long-term P-256 private key held in RAM (the software backend's key handle).
///
/// Zeroizes on drop; `Debug` is redacted; caches its public key.
///
/// ```
/// use iomt_crypto::{CryptoError, StaticKey};
/// // RFC 9529 §3: the responder's static key R.
/// let r = hex_literal(
///     "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac",
/// );
/// let key = StaticKey::from_bytes(&r)?;
/// assert_eq!(
///     key.public_key().x()[..4],
///     [0xbb, 0xc3, 0x49, 0x60]
/// );
/// assert_eq!(StaticKey::from_bytes(&[0; 32]).err(), Some(CryptoError::InvalidPrivateKey));
/// # fn hex_literal(s: &str) -> [u8; 32] {
/// #     let mut out = [0; 32];
/// #     for (i, b) in out.iter_mut().enumerate() {
/// #         *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
/// #     }
/// #     out
/// # }
/// # Ok::<(), CryptoError>(())
/// ```
pub struct StaticKey {
    /// The scalar (zeroized on drop) and its public point.
    scalar: NonZeroScalar,
    public: PublicKey,
}

impl StaticKey {
    /// Imports a raw 32-byte big-endian scalar.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless `bytes` is 32 bytes;
    /// [`CryptoError::InvalidPrivateKey`] if the scalar is zero or not below the
    /// group order.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        scalar_from_bytes(bytes).and_then(Self::from_scalar)
    }

    /// Generates a fresh key from `rng`.
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, CryptoError> {
        NonZeroScalar::try_generate_from_rng(rng)
            .map_err(|_| CryptoError::Rng)
            .and_then(Self::from_scalar)
    }

    fn from_scalar(scalar: NonZeroScalar) -> Result<Self, CryptoError> {
        let public = public_from_scalar(&scalar)?;
        Ok(Self { scalar, public })
    }

    /// The public key.
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.public
    }
}

impl Drop for StaticKey {
    fn drop(&mut self) {
        self.scalar.zeroize();
    }
}

impl fmt::Debug for StaticKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticKey(<redacted>)")
    }
}

/// An ephemeral P-256 private key and its public key.
///
/// Zeroizes on drop; `Debug` is redacted; not `Clone`. Only
/// [`crate::CryptoProvider::p256_generate_ephemeral`] creates one.
///
/// ```
/// use iomt_crypto::{prelude::*, RustCryptoProvider};
/// # let rng = iomt_crypto::rustcrypto::OsRng;
/// let mut p = RustCryptoProvider::new(rng);
/// let (secret, public) = p.p256_generate_ephemeral()?;
/// assert_eq!(secret.public_key(), &public);
/// assert_eq!(format!("{secret:?}"), "EphemeralKey(<redacted>)");
/// drop(secret); // zeroized here
/// # Ok::<(), iomt_crypto::CryptoError>(())
/// ```
pub struct EphemeralKey {
    scalar: NonZeroScalar,
    public: PublicKey,
}

impl EphemeralKey {
    /// Builds from a scalar (crate-internal: keys come from
    /// [`crate::CryptoProvider::p256_generate_ephemeral`]).
    pub(crate) fn from_scalar(scalar: NonZeroScalar) -> Result<Self, CryptoError> {
        let public = public_from_scalar(&scalar)?;
        Ok(Self { scalar, public })
    }

    /// Parses a raw scalar (for the deterministic test provider).
    #[cfg(feature = "test-provider")]
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        scalar_from_bytes(bytes).and_then(Self::from_scalar)
    }

    /// The public key.
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.public
    }
}

impl Drop for EphemeralKey {
    fn drop(&mut self) {
        self.scalar.zeroize();
    }
}

impl fmt::Debug for EphemeralKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EphemeralKey(<redacted>)")
    }
}

/// The RustCrypto software provider, generic over the device's RNG: the three
/// RustCrypto parts and the RNG as the [`Random`] part.
///
/// ```
/// use iomt_crypto::RustCryptoProvider;
/// use iomt_crypto::prelude::*; // the provider traits, for method calls
/// # struct DemoRng(u8);
/// # impl rand_core::TryRng for DemoRng {
/// #     type Error = core::convert::Infallible;
/// #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(0x1234_5678) }
/// #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(0x1234_5678_9abc_def0) }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
/// #         for b in d { self.0 = self.0.wrapping_mul(31).wrapping_add(7); *b = self.0 }
/// #         Ok(())
/// #     }
/// # }
/// # impl rand_core::TryCryptoRng for DemoRng {}
/// # let trng = DemoRng(1); // a device passes its TRNG here
/// let mut provider = RustCryptoProvider::new(trng);
/// let (alice, alice_pub) = provider.p256_generate_ephemeral()?;
/// let (bob, bob_pub) = provider.p256_generate_ephemeral()?;
/// let ab = provider.p256_ecdh_ephemeral(&alice, &bob_pub)?;
/// let ba = provider.p256_ecdh_ephemeral(&bob, &alice_pub)?;
/// assert_eq!(ab.as_bytes(), ba.as_bytes());
/// # Ok::<(), iomt_crypto::CryptoError>(())
/// ```
pub type RustCryptoProvider<R> = Provider<RustCryptoP256, RustCryptoHashing, RustCryptoAead, R>;

impl<R: TryCryptoRng> Provider<RustCryptoP256, RustCryptoHashing, RustCryptoAead, R> {
    /// A provider drawing randomness from `rng` (the device's TRNG or a DRBG
    /// seeded from it).
    pub const fn new(rng: R) -> Self {
        Self::from_parts(RustCryptoP256, RustCryptoHashing, RustCryptoAead, rng)
    }
}

/// The host operating system's RNG (`getrandom`), for gateways and tests.
#[cfg(feature = "std")]
pub use getrandom::SysRng as OsRng;

#[cfg(feature = "std")]
impl Provider<RustCryptoP256, RustCryptoHashing, RustCryptoAead, OsRng> {
    /// A host provider on the operating system's RNG (`getrandom`).
    #[must_use]
    pub const fn with_os_rng() -> Self {
        Self::new(OsRng)
    }
}

/// The RustCrypto [`P256`] part (stateless): point arithmetic (ECDH, key generation,
/// ECDSA's `k·G` and `u1·G + u2·Q`) on the fiat-crypto field (`p256_fiat`), scalars mod n
/// on `p256` 0.14.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCryptoP256;

impl P256 for RustCryptoP256 {
    type KeyHandle = StaticKey;
    type EphemeralSecret = EphemeralKey;

    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(EphemeralKey, PublicKey), CryptoError> {
        let scalar = NonZeroScalar::try_generate_from_rng(&mut RandomRng(rng))
            .map_err(|_| CryptoError::Rng)?;
        let key = EphemeralKey::from_scalar(scalar)?;
        let public = key.public;
        Ok((key, public))
    }

    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &EphemeralKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        ecdh(&secret.scalar, peer)
    }

    fn p256_ecdh_static(
        &mut self,
        key: &StaticKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        ecdh(&key.scalar, peer)
    }

    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<StaticKey, CryptoError> {
        StaticKey::from_bytes(scalar)
    }

    fn p256_public_key(&mut self, key: &StaticKey) -> Result<PublicKey, CryptoError> {
        Ok(key.public)
    }

    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &StaticKey,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        ecdsa::sign(&key.scalar, digest).map(Signature::from_array)
    }

    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        ecdsa::verify(public, digest, signature.as_bytes())
    }
}
