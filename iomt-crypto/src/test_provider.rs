//! `DeterministicProvider`: NO SECURITY. For known-answer tests only.
//!
//! Only compiled with the `test-provider` cargo feature, which is off by default.
//! Never enable it in a device or gateway build.

use chacha20::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::error::CryptoError;
use crate::provider::CryptoProvider;
use crate::rustcrypto::{EphemeralKey, RustCryptoProvider, RustCryptoSha256, StaticKey};
use crate::types::{AeadAlgorithm, AeadKey, Digest, Prk, PublicKey, SharedSecret, Signature};

/// How many ephemeral scalars can be queued at once.
pub const MAX_QUEUED_EPHEMERALS: usize = 8;

/// NO SECURITY: a provider whose "randomness" is fixed, for known-answer tests.
///
/// - [`CryptoProvider::p256_generate_ephemeral`] returns the scalars queued with
///   [`DeterministicProvider::queue_ephemeral`], in order (e.g. RFC 9529's `X`
///   and `Y`). When the queue is empty it falls back to the fixed-seed RNG.
/// - [`CryptoProvider::random_bytes`] is a ChaCha20 stream from a fixed seed:
///   the same bytes on every run. NO SECURITY.
/// - Everything else is the RustCrypto backend.
///
/// ```
/// use iomt_crypto::{CryptoProvider, DeterministicProvider, PublicKey};
/// # fn h(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect() }
/// let mut p = DeterministicProvider::new();
/// // RFC 9529 §3: X, G_Y → G_XY.
/// p.queue_ephemeral(&h("368ec1f69aeb659ba37d5a8d45b21bdc0299dceaa8ef235f3ca42ce3530f9525"))?;
/// let (x, g_x) = p.p256_generate_ephemeral()?;
/// assert_eq!(g_x.x()[..], h("8af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b6")[..]);
/// let g_y = PublicKey::from_x_coordinate(&h("419701d7f00a26c2dc587a36dd752549f33763c893422c8ea0f955a13a4ff5d5"))?;
/// let g_xy = p.p256_ecdh_ephemeral(&x, &g_y)?;
/// assert_eq!(g_xy.as_bytes()[..], h("2f0cb7e860ba538fbf5c8bded009f6259b4b628fe1eb7dbe9378e5ecf7a824ba")[..]);
/// # Ok::<(), iomt_crypto::CryptoError>(())
/// ```
pub struct DeterministicProvider {
    inner: RustCryptoProvider<ChaCha20Rng>,
    queue: [Option<EphemeralKey>; MAX_QUEUED_EPHEMERALS],
    /// Index of the next key to hand out.
    head: usize,
    /// Number of keys queued and not yet handed out.
    len: usize,
}

impl core::fmt::Debug for DeterministicProvider {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeterministicProvider(NO SECURITY)")
            .field("queued", &self.len)
            .finish_non_exhaustive()
    }
}

impl Default for DeterministicProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl DeterministicProvider {
    /// The seed used by [`DeterministicProvider::new`].
    pub const DEFAULT_SEED: [u8; 32] = *b"iomt DeterministicProvider seed!";

    /// NO SECURITY: a provider with the fixed [`Self::DEFAULT_SEED`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_seed(Self::DEFAULT_SEED)
    }

    /// NO SECURITY: a provider whose RNG is ChaCha20 seeded with `seed`.
    #[must_use]
    pub fn with_seed(seed: [u8; 32]) -> Self {
        Self {
            inner: RustCryptoProvider::new(ChaCha20Rng::from_seed(seed)),
            queue: Default::default(),
            head: 0,
            len: 0,
        }
    }

    /// Queues an ephemeral private scalar (32 bytes, big-endian) for the next
    /// [`CryptoProvider::p256_generate_ephemeral`] call after those already queued.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless 32 bytes;
    /// [`CryptoError::InvalidPrivateKey`] if zero or not below the group order;
    /// [`CryptoError::Unsupported`] if [`MAX_QUEUED_EPHEMERALS`] are already queued.
    pub fn queue_ephemeral(&mut self, scalar: &[u8]) -> Result<(), CryptoError> {
        let key = EphemeralKey::from_bytes(scalar)?;
        if self.len >= MAX_QUEUED_EPHEMERALS {
            return Err(CryptoError::Unsupported);
        }
        let slot = self
            .head
            .checked_add(self.len)
            .map(|i| i % MAX_QUEUED_EPHEMERALS)
            .and_then(|i| self.queue.get_mut(i))
            .ok_or(CryptoError::Unsupported)?;
        *slot = Some(key);
        self.len = self.len.saturating_add(1);
        Ok(())
    }

    /// How many queued ephemeral keys have not been handed out yet.
    #[must_use]
    pub const fn queued(&self) -> usize {
        self.len
    }

    /// Imports a static key (same as [`StaticKey::from_bytes`]).
    ///
    /// # Errors
    /// As [`StaticKey::from_bytes`].
    pub fn static_key(&self, scalar: &[u8]) -> Result<StaticKey, CryptoError> {
        StaticKey::from_bytes(scalar)
    }

    fn pop_queued(&mut self) -> Option<EphemeralKey> {
        if self.len == 0 {
            return None;
        }
        let key = self.queue.get_mut(self.head).and_then(Option::take);
        self.head = self.head.saturating_add(1) % MAX_QUEUED_EPHEMERALS;
        self.len = self.len.saturating_sub(1);
        key
    }
}

impl CryptoProvider for DeterministicProvider {
    type KeyHandle = StaticKey;
    type EphemeralSecret = EphemeralKey;
    type Sha256 = RustCryptoSha256;

    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        self.inner.random_bytes(out)
    }

    fn p256_generate_ephemeral(&mut self) -> Result<(EphemeralKey, PublicKey), CryptoError> {
        match self.pop_queued() {
            Some(key) => {
                let public = *key.public_key();
                Ok((key, public))
            }
            None => self.inner.p256_generate_ephemeral(),
        }
    }

    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &EphemeralKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        self.inner.p256_ecdh_ephemeral(secret, peer)
    }

    fn p256_ecdh_static(
        &mut self,
        key: &StaticKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        self.inner.p256_ecdh_static(key, peer)
    }

    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<StaticKey, CryptoError> {
        self.inner.p256_import_key(scalar)
    }

    fn p256_public_key(&mut self, key: &StaticKey) -> Result<PublicKey, CryptoError> {
        self.inner.p256_public_key(key)
    }

    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &StaticKey,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        self.inner.ecdsa_p256_sign_digest(key, digest)
    }

    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        self.inner
            .ecdsa_p256_verify_digest(public, digest, signature)
    }

    fn sha256(&mut self, data: &[u8]) -> Digest {
        self.inner.sha256(data)
    }

    fn sha256_start(&mut self) -> RustCryptoSha256 {
        self.inner.sha256_start()
    }

    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk {
        self.inner.hkdf_sha256_extract(salt, ikm)
    }

    fn hkdf_sha256_expand(
        &mut self,
        prk: &Prk,
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        self.inner.hkdf_sha256_expand(prk, info, out)
    }

    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        crate::rustcrypto::aead_built(algorithm)
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
        self.inner
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
        self.inner
            .aead_open(algorithm, key, nonce, aad, in_out, tag)
    }
}
