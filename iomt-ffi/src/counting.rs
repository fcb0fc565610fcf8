//! A provider wrapper that counts the calls of each operation (feature `test-kit`): the
//! C API's provider is `Counting<Backend>` in test builds, so a test can show that a
//! C handshake makes exactly the provider calls of the same Rust handshake. The counters
//! are per thread (tests run in parallel) and cost nothing in real builds, which do not
//! have this module.

use core::cell::Cell;
use core::ops::AddAssign;

use ::iomt_crypto::{
    Aead, AeadAlgorithm, AeadKey, CryptoError, CryptoProvider, Digest, Hashing, P256, Prk,
    PublicKey, Random, SharedSecret, Signature,
};

/// Calls per provider operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[expect(
    missing_docs,
    reason = "one counter per provider operation, named after its method"
)]
pub struct OpCounts {
    pub random_bytes: u32,
    pub generate_ephemeral: u32,
    pub ecdh_ephemeral: u32,
    pub ecdh_static: u32,
    pub import_key: u32,
    pub public_key: u32,
    pub public_key_from_x: u32,
    pub sign: u32,
    pub verify: u32,
    pub sha256: u32,
    pub sha256_start: u32,
    pub hkdf_extract: u32,
    pub hkdf_expand: u32,
    pub aead_seal: u32,
    pub aead_open: u32,
}

impl AddAssign for OpCounts {
    fn add_assign(&mut self, o: Self) {
        macro_rules! add {
            ($($f:ident),*) => { $( self.$f = self.$f.saturating_add(o.$f); )* };
        }
        add!(
            random_bytes,
            generate_ephemeral,
            ecdh_ephemeral,
            ecdh_static,
            import_key,
            public_key,
            public_key_from_x,
            sign,
            verify,
            sha256,
            sha256_start,
            hkdf_extract,
            hkdf_expand,
            aead_seal,
            aead_open
        );
    }
}

std::thread_local! {
    static COUNTS: Cell<OpCounts> = Cell::new(OpCounts::default());
    static PANIC_IN: Cell<Option<u32>> = const { Cell::new(None) };
}

fn bump(f: impl FnOnce(&mut OpCounts)) {
    COUNTS.with(|c| {
        let mut v = c.get();
        f(&mut v);
        c.set(v);
    });
    injected_panic();
}

/// Makes the provider call after the next `calls` ones (on this thread) panic, once: a
/// panic injected inside the library, under an exported function, to test the panic
/// boundary (`IOMT_RESULT_PANIC`, nothing unwinds into C).
pub fn inject_panic_after(calls: u32) {
    PANIC_IN.with(|p| p.set(Some(calls)));
}

#[expect(clippy::panic, reason = "test-kit only: the injected panic")]
fn injected_panic() {
    let fire = PANIC_IN.with(|p| match p.get() {
        Some(0) => {
            p.set(None);
            true
        }
        Some(n) => {
            p.set(Some(n.saturating_sub(1)));
            false
        }
        None => false,
    });
    if fire {
        panic!("iomt test-kit: injected panic");
    }
}

/// The counts of this thread since the last call, and resets them.
#[must_use]
pub fn take_counts() -> OpCounts {
    COUNTS.with(|c| c.replace(OpCounts::default()))
}

/// `P` with every call counted: a whole provider, or any one part (each part trait is
/// implemented for `Counting` of that part, and `CryptoProvider` for `Counting` of a
/// whole provider).
#[derive(Debug)]
pub struct Counting<P>(pub P);

impl<P: CryptoProvider> CryptoProvider for Counting<P> {
    fn p256_generate_ephemeral(
        &mut self,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError> {
        bump(|c| c.generate_ephemeral += 1);
        self.0.p256_generate_ephemeral()
    }
}

impl<P: Random> Random for Counting<P> {
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        bump(|c| c.random_bytes += 1);
        self.0.random_bytes(out)
    }
}

impl<P: P256> P256 for Counting<P> {
    type KeyHandle = P::KeyHandle;
    type EphemeralSecret = P::EphemeralSecret;

    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError> {
        bump(|c| c.generate_ephemeral += 1);
        self.0.p256_generate_ephemeral_from(rng)
    }
    fn p256_ecdh_ephemeral(
        &mut self,
        secret: &Self::EphemeralSecret,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        bump(|c| c.ecdh_ephemeral += 1);
        self.0.p256_ecdh_ephemeral(secret, peer)
    }
    fn p256_ecdh_static(
        &mut self,
        key: &Self::KeyHandle,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        bump(|c| c.ecdh_static += 1);
        self.0.p256_ecdh_static(key, peer)
    }
    fn p256_import_key(&mut self, scalar: &[u8]) -> Result<Self::KeyHandle, CryptoError> {
        bump(|c| c.import_key += 1);
        self.0.p256_import_key(scalar)
    }
    fn p256_public_key(&mut self, key: &Self::KeyHandle) -> Result<PublicKey, CryptoError> {
        bump(|c| c.public_key += 1);
        self.0.p256_public_key(key)
    }
    fn p256_public_key_from_x(&mut self, x: &[u8]) -> Result<PublicKey, CryptoError> {
        bump(|c| c.public_key_from_x += 1);
        self.0.p256_public_key_from_x(x)
    }
    fn ecdsa_p256_sign_digest(
        &mut self,
        key: &Self::KeyHandle,
        digest: &Digest,
    ) -> Result<Signature, CryptoError> {
        bump(|c| c.sign += 1);
        self.0.ecdsa_p256_sign_digest(key, digest)
    }
    fn ecdsa_p256_verify_digest(
        &mut self,
        public: &PublicKey,
        digest: &Digest,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        bump(|c| c.verify += 1);
        self.0.ecdsa_p256_verify_digest(public, digest, signature)
    }
}

impl<P: Hashing> Hashing for Counting<P> {
    type Sha256 = P::Sha256;

    fn sha256(&mut self, data: &[u8]) -> Digest {
        bump(|c| c.sha256 += 1);
        self.0.sha256(data)
    }
    fn sha256_start(&mut self) -> Self::Sha256 {
        bump(|c| c.sha256_start += 1);
        self.0.sha256_start()
    }
    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk {
        bump(|c| c.hkdf_extract += 1);
        self.0.hkdf_sha256_extract(salt, ikm)
    }
    fn hkdf_sha256_expand(
        &mut self,
        prk: &Prk,
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        bump(|c| c.hkdf_expand += 1);
        self.0.hkdf_sha256_expand(prk, info, out)
    }
}

impl<P: Aead> Aead for Counting<P> {
    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        P::aead_built(algorithm)
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
        bump(|c| c.aead_seal += 1);
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
        bump(|c| c.aead_open += 1);
        self.0.aead_open(algorithm, key, nonce, aad, in_out, tag)
    }
}
