//! [`Provider`]: a [`CryptoProvider`] built from one of each part.

use core::fmt;

use crate::error::CryptoError;
use crate::parts::{Aead, Hashing, P256, Random};
use crate::provider::CryptoProvider;
use crate::types::{AeadAlgorithm, AeadKey, Digest, Prk, PublicKey, SharedSecret, Signature};

/// A crypto provider assembled from parts: P-256 `P`, hashing `H`, AEAD `A` and
/// randomness `R`. It is each of its parts (every part method calls the field that
/// holds it) and so a [`CryptoProvider`]; ephemeral key generation draws from `R`.
///
/// The backends are compositions: `RustCryptoProvider<R>` is
/// `Provider<RustCryptoP256, RustCryptoHashing, RustCryptoAead, R>`, and
/// `CortexM4Provider<R>` swaps in its own P-256 part. A backend that accelerates one
/// primitive implements that part only:
///
/// ```
/// use iomt_crypto::rustcrypto::{RustCryptoAead, RustCryptoHashing, RustCryptoP256};
/// use iomt_crypto::{prelude::*, Provider};
/// let mut p = Provider {
///     p256: RustCryptoP256, // e.g. a P-256 engine's part instead
///     hashing: RustCryptoHashing,
///     aead: RustCryptoAead,
///     random: iomt_crypto::rustcrypto::OsRng,
/// };
/// let (_secret, public) = p.p256_generate_ephemeral()?;
/// assert!(p.p256_public_key_from_x(public.x()).is_ok());
/// # Ok::<(), iomt_crypto::CryptoError>(())
/// ```
pub struct Provider<P, H, A, R> {
    /// The P-256 part.
    pub p256: P,
    /// The hashing part (SHA-256, HKDF).
    pub hashing: H,
    /// The AEAD part.
    pub aead: A,
    /// The randomness part (also used for ephemeral key generation).
    pub random: R,
}

impl<P: fmt::Debug, H: fmt::Debug, A: fmt::Debug, R> fmt::Debug for Provider<P, H, A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("p256", &self.p256)
            .field("hashing", &self.hashing)
            .field("aead", &self.aead)
            .finish_non_exhaustive()
    }
}

impl<P, H, A, R> Provider<P, H, A, R> {
    /// Assembles a provider from its parts.
    pub const fn from_parts(p256: P, hashing: H, aead: A, random: R) -> Self {
        Self {
            p256,
            hashing,
            aead,
            random,
        }
    }

    /// The randomness part (e.g. to generate a long-term key from it).
    pub const fn rng_mut(&mut self) -> &mut R {
        &mut self.random
    }

    /// Gives the randomness part back.
    pub fn into_rng(self) -> R {
        self.random
    }
}

/// Implements part methods by calling the same method on the field `$field` (one line
/// per method: the signatures and their contracts are in [`crate::parts`]).
/// `#[inline]`: the forward costs no code of its own, a backend's method is called directly.
macro_rules! forward_to {
    ($field:ident: $(fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            #[inline]
            fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                self.$field.$name($($arg),*)
            }
        )*
    };
}

impl<P: P256, H, A, R> P256 for Provider<P, H, A, R> {
    type KeyHandle = P::KeyHandle;
    type EphemeralSecret = P::EphemeralSecret;

    #[inline]
    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError> {
        self.p256.p256_generate_ephemeral_from(rng)
    }

    forward_to! { p256:
        fn p256_ecdh_ephemeral(&mut self, secret: &Self::EphemeralSecret, peer: &PublicKey) -> Result<SharedSecret, CryptoError>;
        fn p256_ecdh_static(&mut self, key: &Self::KeyHandle, peer: &PublicKey) -> Result<SharedSecret, CryptoError>;
        fn p256_import_key(&mut self, scalar: &[u8]) -> Result<Self::KeyHandle, CryptoError>;
        fn p256_public_key(&mut self, key: &Self::KeyHandle) -> Result<PublicKey, CryptoError>;
        fn p256_public_key_from_x(&mut self, x: &[u8]) -> Result<PublicKey, CryptoError>;
        fn ecdsa_p256_sign_digest(&mut self, key: &Self::KeyHandle, digest: &Digest) -> Result<Signature, CryptoError>;
        fn ecdsa_p256_verify_digest(&mut self, public: &PublicKey, digest: &Digest, signature: &Signature) -> Result<(), CryptoError>;
    }
}

impl<P, H: Hashing, A, R> Hashing for Provider<P, H, A, R> {
    type Sha256 = H::Sha256;

    forward_to! { hashing:
        fn sha256(&mut self, data: &[u8]) -> Digest;
        fn sha256_start(&mut self) -> Self::Sha256;
        fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk;
        fn hkdf_sha256_expand(&mut self, prk: &Prk, info: &[u8], out: &mut [u8]) -> Result<(), CryptoError>;
    }
}

impl<P, H, A: Aead, R> Aead for Provider<P, H, A, R> {
    forward_to! { aead:
        fn aead_seal(&mut self, algorithm: AeadAlgorithm, key: &AeadKey, nonce: &[u8], aad: &[u8], in_out: &mut [u8], tag: &mut [u8]) -> Result<(), CryptoError>;
        fn aead_open(&mut self, algorithm: AeadAlgorithm, key: &AeadKey, nonce: &[u8], aad: &[u8], in_out: &mut [u8], tag: &[u8]) -> Result<(), CryptoError>;
    }

    #[inline]
    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        A::aead_built(algorithm)
    }
}

impl<P, H, A, R: Random> Random for Provider<P, H, A, R> {
    forward_to! { random:
        fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError>;
    }
}

/// Key generation is the one operation that needs two parts: the P-256 part draws from
/// the random part (disjoint fields, so both borrows coexist).
impl<P: P256, H: Hashing, A: Aead, R: Random> CryptoProvider for Provider<P, H, A, R> {
    #[inline]
    fn p256_generate_ephemeral(
        &mut self,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError> {
        self.p256.p256_generate_ephemeral_from(&mut self.random)
    }
}
