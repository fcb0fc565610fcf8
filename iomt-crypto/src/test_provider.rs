//! `DeterministicProvider`: NO SECURITY. For known-answer tests only.
//!
//! Only compiled with the `test-provider` cargo feature, which is off by default.
//! Never enable it in a device or gateway build.

use chacha20::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::compose::Provider;
use crate::error::CryptoError;
use crate::parts::{P256, Random};
use crate::rustcrypto::{
    EphemeralKey, RustCryptoAead, RustCryptoHashing, RustCryptoP256, StaticKey,
};
use crate::types::{Digest, PublicKey, SharedSecret, Signature};

/// How many ephemeral scalars can be queued at once.
pub const MAX_QUEUED_EPHEMERALS: usize = 8;

/// NO SECURITY: a provider whose "randomness" is fixed, for known-answer tests.
///
/// - [`crate::CryptoProvider::p256_generate_ephemeral`] returns the scalars queued with
///   [`DeterministicProvider::queue_ephemeral`], in order (e.g. RFC 9529's `X`
///   and `Y`). When the queue is empty it falls back to the fixed-seed RNG.
/// - [`crate::Random::random_bytes`] is a ChaCha20 stream from a fixed seed:
///   the same bytes on every run. NO SECURITY.
/// - Everything else is the RustCrypto backend: the composition of
///   [`DeterministicP256`] (RustCrypto P-256 with the queue), the RustCrypto hashing
///   and AEAD parts, and a fixed-seed ChaCha20 RNG as the random part.
///
/// ```
/// use iomt_crypto::{prelude::*, DeterministicProvider, PublicKey};
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
pub type DeterministicProvider =
    Provider<DeterministicP256, RustCryptoHashing, RustCryptoAead, ChaCha20Rng>;

/// NO SECURITY: the RustCrypto P-256 part, except that ephemeral keys come from a
/// queue of fixed scalars first (see [`DeterministicProvider`]).
#[derive(Default)]
pub struct DeterministicP256 {
    queue: [Option<EphemeralKey>; MAX_QUEUED_EPHEMERALS],
    /// Index of the next key to hand out.
    head: usize,
    /// Number of keys queued and not yet handed out.
    len: usize,
}

impl core::fmt::Debug for DeterministicP256 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeterministicP256(NO SECURITY)")
            .field("queued", &self.len)
            .finish_non_exhaustive()
    }
}

impl Default for Provider<DeterministicP256, RustCryptoHashing, RustCryptoAead, ChaCha20Rng> {
    fn default() -> Self {
        Self::new()
    }
}

impl Provider<DeterministicP256, RustCryptoHashing, RustCryptoAead, ChaCha20Rng> {
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
        Self::from_parts(
            DeterministicP256::default(),
            RustCryptoHashing,
            RustCryptoAead,
            ChaCha20Rng::from_seed(seed),
        )
    }

    /// Queues an ephemeral private scalar (32 bytes, big-endian) for the next
    /// [`crate::CryptoProvider::p256_generate_ephemeral`] call after those already queued.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] unless 32 bytes;
    /// [`CryptoError::InvalidPrivateKey`] if zero or not below the group order;
    /// [`CryptoError::Unsupported`] if [`MAX_QUEUED_EPHEMERALS`] are already queued.
    pub fn queue_ephemeral(&mut self, scalar: &[u8]) -> Result<(), CryptoError> {
        self.p256.queue_ephemeral(scalar)
    }

    /// How many queued ephemeral keys have not been handed out yet.
    #[must_use]
    pub const fn queued(&self) -> usize {
        self.p256.len
    }

    /// Imports a static key (same as [`StaticKey::from_bytes`]).
    ///
    /// # Errors
    /// As [`StaticKey::from_bytes`].
    pub fn static_key(&self, scalar: &[u8]) -> Result<StaticKey, CryptoError> {
        StaticKey::from_bytes(scalar)
    }
}

impl DeterministicP256 {
    /// See [`DeterministicProvider::queue_ephemeral`].
    fn queue_ephemeral(&mut self, scalar: &[u8]) -> Result<(), CryptoError> {
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

impl P256 for DeterministicP256 {
    type KeyHandle = StaticKey;
    type EphemeralSecret = EphemeralKey;

    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(EphemeralKey, PublicKey), CryptoError> {
        match self.pop_queued() {
            Some(key) => {
                let public = *key.public_key();
                Ok((key, public))
            }
            None => RustCryptoP256.p256_generate_ephemeral_from(rng),
        }
    }

    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &EphemeralKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        RustCryptoP256.p256_ecdh_ephemeral(secret, peer)
    }

    fn p256_ecdh_static(
        &mut self,
        key: &StaticKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        RustCryptoP256.p256_ecdh_static(key, peer)
    }

    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<StaticKey, CryptoError> {
        RustCryptoP256.p256_import_key(scalar)
    }

    fn p256_public_key(&mut self, key: &StaticKey) -> Result<PublicKey, CryptoError> {
        RustCryptoP256.p256_public_key(key)
    }

    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &StaticKey,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        RustCryptoP256.ecdsa_p256_sign_digest(key, digest)
    }

    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        RustCryptoP256.ecdsa_p256_verify_digest(public, digest, signature)
    }
}
