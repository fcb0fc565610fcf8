//! The RustCrypto software backend.
//!
//! [`RustCryptoProvider`] implements [`CryptoProvider`] with the pinned RustCrypto
//! generation (`p256` 0.14, `chacha20poly1305` 0.11, `aes` 0.9 + `ccm` 0.6,
//! `sha2` 0.11, `hkdf` 0.13). It needs no heap and no OS: the device passes its
//! TRNG as any `rand_core` 0.10 [`TryCryptoRng`].
//!
//! # Invariants
//! - Long-term keys are [`StaticKey`]s held by the caller (the "handle" is the key
//!   itself); ephemeral keys are [`EphemeralKey`]s. Both hold a non-zero scalar
//!   below the group order, zeroize on drop, redact `Debug`, and are not `Clone`.
//! - ECDSA signatures are deterministic (RFC 6979), so signing never touches the
//!   RNG; the RNG is used by [`CryptoProvider::random_bytes`] and key generation.
//! - `aead_open` zeroizes `in_out` on any failure.

use core::fmt;

#[cfg(feature = "aes-ccm")]
use aes::Aes128;
#[cfg(feature = "aes-ccm")]
use ccm::Ccm;
#[cfg(feature = "aes-ccm")]
use ccm::aead::{AeadInOut as _, KeyInit as _};
#[cfg(feature = "aes-ccm")]
use ccm::consts::{U8, U13};
#[cfg(feature = "chacha20poly1305")]
use chacha20poly1305::ChaCha20Poly1305;
// The same aead 0.6 traits; imported through whichever AEAD crate is built.
#[cfg(all(feature = "chacha20poly1305", not(feature = "aes-ccm")))]
use chacha20poly1305::aead::{AeadInOut as _, KeyInit as _};
use hkdf::Hkdf;
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate;
#[cfg(target_pointer_width = "64")]
use p256::elliptic_curve::PrimeField as _;
use p256::{NonZeroScalar, ProjectivePoint};
use rand_core::TryCryptoRng;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroize;

use crate::error::CryptoError;
use crate::provider::{CryptoProvider, Sha256State};
use crate::types::{AeadAlgorithm, AeadKey, Digest, Prk, PublicKey, SharedSecret, Signature};

/// AES-CCM-16-64-128: AES-128, 8-byte tag, 13-byte nonce (COSE alg 10).
#[cfg(feature = "aes-ccm")]
type AesCcm16_64_128 = Ccm<Aes128, U8, U13>;

/// Parses a 32-byte big-endian scalar in `[1, n)`.
fn scalar_from_bytes(bytes: &[u8]) -> Result<NonZeroScalar, CryptoError> {
    let mut arr = <[u8; 32]>::try_from(bytes).map_err(|_| CryptoError::InvalidLength)?;
    let scalar: Option<NonZeroScalar> = NonZeroScalar::from_repr(arr.into()).into();
    arr.zeroize();
    scalar.ok_or(CryptoError::InvalidPrivateKey)
}

/// `scalar · G` as a validated public key.
#[cfg(target_pointer_width = "64")]
fn public_from_scalar(scalar: &NonZeroScalar) -> PublicKey {
    let mut k: [u8; 32] = scalar.to_repr().into();
    let fast = crate::p256_fiat::mul_generator(&k);
    k.zeroize();
    match fast {
        // A non-zero scalar below the prime order never yields the identity.
        Some((x, y)) => PublicKey::from_coordinates_unchecked(x, y),
        // Unreachable for a `NonZeroScalar`; p256's own multiplication as the fallback
        // keeps this function total without a panic path.
        None => {
            PublicKey::from_affine_unchecked((ProjectivePoint::GENERATOR * **scalar).to_affine())
        }
    }
}

/// ECDH: the x-coordinate of `scalar · peer` (fiat-crypto field, see `p256_fiat`).
#[cfg(target_pointer_width = "64")]
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

/// `scalar · G` as a validated public key (32-bit targets: p256's own multiplication,
/// see `p256_fiat` for why).
#[cfg(not(target_pointer_width = "64"))]
fn public_from_scalar(scalar: &NonZeroScalar) -> PublicKey {
    let point = (ProjectivePoint::GENERATOR * **scalar).to_affine();
    // A non-zero scalar below the prime order never yields the identity.
    PublicKey::from_affine_unchecked(point)
}

/// ECDH: the x-coordinate of `scalar · peer` (32-bit targets: p256's own multiplication).
#[cfg(not(target_pointer_width = "64"))]
fn ecdh(scalar: &NonZeroScalar, peer: &PublicKey) -> Result<SharedSecret, CryptoError> {
    use p256::elliptic_curve::point::AffineCoordinates as _;
    let peer = ProjectivePoint::from(peer.to_affine()?);
    let product = (peer * **scalar).to_affine();
    // Cannot be the identity for a validated point of prime order and a scalar
    // in [1, n); checked anyway, as the trait contract says.
    if bool::from(product.is_identity()) {
        return Err(CryptoError::InvalidPublicKey);
    }
    let mut x: [u8; 32] = product.x().into();
    let shared = SharedSecret::from_bytes(x);
    x.zeroize();
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
    /// The scalar and its public point (`SigningKey` zeroizes on drop).
    signing: SigningKey,
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
        scalar_from_bytes(bytes).map(Self::from_scalar)
    }

    /// Generates a fresh key from `rng`.
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, CryptoError> {
        NonZeroScalar::try_generate_from_rng(rng)
            .map(Self::from_scalar)
            .map_err(|_| CryptoError::Rng)
    }

    fn from_scalar(scalar: NonZeroScalar) -> Self {
        let signing = SigningKey::from(scalar);
        let public = PublicKey::from_affine_unchecked(*signing.verifying_key().as_affine());
        Self { signing, public }
    }

    /// The public key.
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.public
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
/// [`CryptoProvider::p256_generate_ephemeral`] creates one.
///
/// ```
/// use iomt_crypto::{CryptoProvider, RustCryptoProvider};
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
    /// [`CryptoProvider::p256_generate_ephemeral`]).
    pub(crate) fn from_scalar(scalar: NonZeroScalar) -> Self {
        let public = public_from_scalar(&scalar);
        Self { scalar, public }
    }

    /// Parses a raw scalar (for the deterministic test provider).
    #[cfg(feature = "test-provider")]
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        scalar_from_bytes(bytes).map(Self::from_scalar)
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

/// Incremental SHA-256 of the RustCrypto backend.
///
/// ```
/// use iomt_crypto::{CryptoProvider, RustCryptoProvider, Sha256State};
/// # let mut p = RustCryptoProvider::new(iomt_crypto::rustcrypto::OsRng);
/// let mut h = p.sha256_start();
/// h.update(b"ab");
/// h.update(b"c");
/// assert_eq!(h.finalize(), p.sha256(b"abc"));
/// ```
#[derive(Clone, Default)]
pub struct RustCryptoSha256(Sha256);

impl fmt::Debug for RustCryptoSha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RustCryptoSha256")
    }
}

impl Sha256State for RustCryptoSha256 {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finalize(self) -> Digest {
        self.0.finalize().into()
    }
}

/// The RustCrypto software provider, generic over the device's RNG.
///
/// ```
/// use iomt_crypto::{CryptoProvider, RustCryptoProvider};
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
pub struct RustCryptoProvider<R: TryCryptoRng> {
    rng: R,
}

impl<R: TryCryptoRng> fmt::Debug for RustCryptoProvider<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RustCryptoProvider")
    }
}

impl<R: TryCryptoRng> RustCryptoProvider<R> {
    /// A provider drawing randomness from `rng` (the device's TRNG or a DRBG
    /// seeded from it).
    pub const fn new(rng: R) -> Self {
        Self { rng }
    }

    /// The RNG, e.g. to generate a [`StaticKey`] with [`StaticKey::generate`].
    pub const fn rng_mut(&mut self) -> &mut R {
        &mut self.rng
    }

    /// Gives the RNG back.
    pub fn into_rng(self) -> R {
        self.rng
    }
}

/// The host operating system's RNG (`getrandom`), for gateways and tests.
#[cfg(feature = "std")]
pub use getrandom::SysRng as OsRng;

#[cfg(feature = "std")]
impl RustCryptoProvider<OsRng> {
    /// A host provider on the operating system's RNG (`getrandom`).
    #[must_use]
    pub const fn with_os_rng() -> Self {
        Self::new(OsRng)
    }
}

/// `Ok` if `algorithm` is built in (its cargo feature), else the error naming the feature.
///
/// # Errors
/// [`CryptoError::AesCcmNotBuilt`] / [`CryptoError::ChaCha20Poly1305NotBuilt`].
pub(crate) const fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
    match algorithm {
        AeadAlgorithm::AesCcm16_64_128 if cfg!(feature = "aes-ccm") => Ok(()),
        AeadAlgorithm::AesCcm16_64_128 => Err(CryptoError::AesCcmNotBuilt),
        AeadAlgorithm::ChaCha20Poly1305 if cfg!(feature = "chacha20poly1305") => Ok(()),
        AeadAlgorithm::ChaCha20Poly1305 => Err(CryptoError::ChaCha20Poly1305NotBuilt),
    }
}

/// Checks the lengths shared by seal and open.
fn check_aead_params(
    algorithm: AeadAlgorithm,
    key: &AeadKey,
    nonce: &[u8],
    in_out: &[u8],
    tag_len: usize,
) -> Result<(), CryptoError> {
    aead_built(algorithm)?;
    if key.algorithm() != algorithm
        || key.as_bytes().len() != algorithm.key_len()
        || nonce.len() != algorithm.nonce_len()
        || tag_len != algorithm.tag_len()
        || in_out.len() > algorithm.max_plaintext_len()
    {
        return Err(CryptoError::InvalidLength);
    }
    Ok(())
}

/// Seals with the RustCrypto AEADs (shared with the test provider).
#[cfg_attr(
    not(any(feature = "aes-ccm", feature = "chacha20poly1305")),
    allow(
        unreachable_code,
        unused_variables,
        reason = "no AEAD built in: every arm refuses"
    )
)]
pub(crate) fn aead_seal(
    algorithm: AeadAlgorithm,
    key: &AeadKey,
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &mut [u8],
) -> Result<(), CryptoError> {
    check_aead_params(algorithm, key, nonce, in_out, tag.len())?;
    match algorithm {
        #[cfg(not(feature = "chacha20poly1305"))]
        AeadAlgorithm::ChaCha20Poly1305 => return Err(CryptoError::ChaCha20Poly1305NotBuilt),
        #[cfg(not(feature = "aes-ccm"))]
        AeadAlgorithm::AesCcm16_64_128 => return Err(CryptoError::AesCcmNotBuilt),
        #[cfg(feature = "chacha20poly1305")]
        AeadAlgorithm::ChaCha20Poly1305 => {
            let cipher = ChaCha20Poly1305::new_from_slice(key.as_bytes())
                .map_err(|_| CryptoError::InvalidLength)?;
            let nonce =
                chacha20poly1305::Nonce::try_from(nonce).map_err(|_| CryptoError::InvalidLength)?;
            let t = cipher
                .encrypt_inout_detached(&nonce, aad, in_out.into())
                .map_err(|_| CryptoError::InvalidLength)?;
            tag.copy_from_slice(&t);
        }
        #[cfg(feature = "aes-ccm")]
        AeadAlgorithm::AesCcm16_64_128 => {
            let cipher = AesCcm16_64_128::new_from_slice(key.as_bytes())
                .map_err(|_| CryptoError::InvalidLength)?;
            let nonce =
                ccm::Nonce::<U13>::try_from(nonce).map_err(|_| CryptoError::InvalidLength)?;
            let t = cipher
                .encrypt_inout_detached(&nonce, aad, in_out.into())
                .map_err(|_| CryptoError::InvalidLength)?;
            tag.copy_from_slice(&t);
        }
    }
    Ok(())
}

/// Opens with the RustCrypto AEADs; zeroizes `in_out` on any failure.
pub(crate) fn aead_open(
    algorithm: AeadAlgorithm,
    key: &AeadKey,
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8],
) -> Result<(), CryptoError> {
    let result = aead_open_inner(algorithm, key, nonce, aad, in_out, tag);
    if result.is_err() {
        in_out.zeroize();
    }
    result
}

#[cfg_attr(
    not(any(feature = "aes-ccm", feature = "chacha20poly1305")),
    allow(
        unreachable_code,
        unused_variables,
        reason = "no AEAD built in: every arm refuses"
    )
)]
fn aead_open_inner(
    algorithm: AeadAlgorithm,
    key: &AeadKey,
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8],
) -> Result<(), CryptoError> {
    check_aead_params(algorithm, key, nonce, in_out, tag.len())?;
    match algorithm {
        #[cfg(not(feature = "chacha20poly1305"))]
        AeadAlgorithm::ChaCha20Poly1305 => Err(CryptoError::ChaCha20Poly1305NotBuilt),
        #[cfg(not(feature = "aes-ccm"))]
        AeadAlgorithm::AesCcm16_64_128 => Err(CryptoError::AesCcmNotBuilt),
        #[cfg(feature = "chacha20poly1305")]
        AeadAlgorithm::ChaCha20Poly1305 => {
            let cipher = ChaCha20Poly1305::new_from_slice(key.as_bytes())
                .map_err(|_| CryptoError::InvalidLength)?;
            let nonce =
                chacha20poly1305::Nonce::try_from(nonce).map_err(|_| CryptoError::InvalidLength)?;
            let tag =
                chacha20poly1305::Tag::try_from(tag).map_err(|_| CryptoError::InvalidLength)?;
            cipher
                .decrypt_inout_detached(&nonce, aad, in_out.into(), &tag)
                .map_err(|_| CryptoError::AuthenticationFailed)
        }
        #[cfg(feature = "aes-ccm")]
        AeadAlgorithm::AesCcm16_64_128 => {
            let cipher = AesCcm16_64_128::new_from_slice(key.as_bytes())
                .map_err(|_| CryptoError::InvalidLength)?;
            let nonce =
                ccm::Nonce::<U13>::try_from(nonce).map_err(|_| CryptoError::InvalidLength)?;
            let tag = ccm::Tag::<U8>::try_from(tag).map_err(|_| CryptoError::InvalidLength)?;
            cipher
                .decrypt_inout_detached(&nonce, aad, in_out.into(), &tag)
                .map_err(|_| CryptoError::AuthenticationFailed)
        }
    }
}

/// ECDSA P-256 signing over a digest (RFC 6979 deterministic nonce).
fn sign_digest(key: &StaticKey, digest: &Digest) -> Result<Signature, CryptoError> {
    let sig: p256::ecdsa::Signature = key
        .signing
        .sign_prehash(digest)
        .map_err(|_| CryptoError::InvalidPrivateKey)?;
    let bytes: [u8; 64] = sig.to_bytes().into();
    Ok(Signature::from_array(bytes))
}

/// ECDSA P-256 verification over a digest.
fn verify_digest(
    public: &PublicKey,
    digest: &Digest,
    signature: &Signature,
) -> Result<(), CryptoError> {
    // r, s = 0 or ≥ n are rejected here, reported as a failed verification.
    let sig = p256::ecdsa::Signature::from_slice(signature.as_bytes())
        .map_err(|_| CryptoError::AuthenticationFailed)?;
    let key = VerifyingKey::from_affine(public.to_affine()?)
        .map_err(|_| CryptoError::InvalidPublicKey)?;
    key.verify_prehash(digest, &sig)
        .map_err(|_| CryptoError::AuthenticationFailed)
}

/// HKDF-Extract with SHA-256.
pub(crate) fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> Prk {
    let (prk, _) = Hkdf::<Sha256>::extract(Some(salt), ikm);
    let mut bytes: [u8; 32] = prk.into();
    let out = Prk::from_bytes(bytes);
    bytes.zeroize();
    out
}

/// HKDF-Expand with SHA-256.
pub(crate) fn hkdf_expand(prk: &Prk, info: &[u8], out: &mut [u8]) -> Result<(), CryptoError> {
    let hk = Hkdf::<Sha256>::from_prk(prk.as_bytes()).map_err(|_| CryptoError::InvalidLength)?;
    hk.expand(info, out).map_err(|_| CryptoError::InvalidLength)
}

impl<R: TryCryptoRng> CryptoProvider for RustCryptoProvider<R> {
    type KeyHandle = StaticKey;
    type EphemeralSecret = EphemeralKey;
    type Sha256 = RustCryptoSha256;

    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        self.rng.try_fill_bytes(out).map_err(|_| CryptoError::Rng)
    }

    fn p256_generate_ephemeral(&mut self) -> Result<(EphemeralKey, PublicKey), CryptoError> {
        let scalar =
            NonZeroScalar::try_generate_from_rng(&mut self.rng).map_err(|_| CryptoError::Rng)?;
        let key = EphemeralKey::from_scalar(scalar);
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
        ecdh(key.signing.as_nonzero_scalar(), peer)
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
        sign_digest(key, digest)
    }

    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        verify_digest(public, digest, signature)
    }

    fn sha256(&mut self, data: &[u8]) -> Digest {
        Sha256::digest(data).into()
    }

    fn sha256_start(&mut self) -> RustCryptoSha256 {
        RustCryptoSha256::default()
    }

    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk {
        hkdf_extract(salt, ikm)
    }

    fn hkdf_sha256_expand(
        &mut self,
        prk: &Prk,
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        hkdf_expand(prk, info, out)
    }

    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        aead_built(algorithm)
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
        aead_seal(algorithm, key, nonce, aad, in_out, tag)
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
        aead_open(algorithm, key, nonce, aad, in_out, tag)
    }
}
