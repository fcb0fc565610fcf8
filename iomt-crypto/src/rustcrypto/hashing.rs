//! The RustCrypto hashing part: SHA-256 (`sha2`) and HKDF-SHA-256 (`hkdf`).

use core::fmt;

use hkdf::Hkdf;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroize;

use crate::error::CryptoError;
use crate::parts::Hashing;
use crate::provider::Sha256State;
use crate::types::{Digest, Prk};

/// Incremental SHA-256 of the RustCrypto backend.
///
/// ```
/// use iomt_crypto::{prelude::*, RustCryptoProvider, Sha256State};
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

/// The RustCrypto [`Hashing`] part (stateless).
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCryptoHashing;

impl Hashing for RustCryptoHashing {
    type Sha256 = RustCryptoSha256;

    fn sha256(&mut self, data: &[u8]) -> Digest {
        Sha256::digest(data).into()
    }

    fn sha256_start(&mut self) -> RustCryptoSha256 {
        RustCryptoSha256::default()
    }

    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk {
        let (prk, _) = Hkdf::<Sha256>::extract(Some(salt), ikm);
        let mut bytes: [u8; 32] = prk.into();
        let out = Prk::from_bytes(bytes);
        bytes.zeroize();
        out
    }

    fn hkdf_sha256_expand(
        &mut self,
        prk: &Prk,
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        let hk =
            Hkdf::<Sha256>::from_prk(prk.as_bytes()).map_err(|_| CryptoError::InvalidLength)?;
        hk.expand(info, out).map_err(|_| CryptoError::InvalidLength)
    }
}
