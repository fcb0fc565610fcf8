//! The software backend's hashing part: SHA-256 and HKDF-SHA-256 on the crate's own
//! implementation (`crate::sha256`; why not `sha2`/`hkdf`: see there).

use core::fmt;

use zeroize::Zeroize;

use crate::sha256::{self, Sha256};

use crate::error::CryptoError;
use crate::parts::Hashing;
use crate::provider::Sha256State;
use crate::types::{Digest, Prk};

/// Incremental SHA-256 of the software backend (zeroized on drop).
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
        self.0.finalize()
    }
}

/// The software backend's [`Hashing`] part (stateless). Named for the backend it belongs
/// to; its SHA-256, HMAC and HKDF are the crate's own (checked against FIPS 180-2,
/// RFC 5869 and Wycheproof by the conformance kit, and against `sha2`/`hkdf` in tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCryptoHashing;

impl Hashing for RustCryptoHashing {
    type Sha256 = RustCryptoSha256;

    fn sha256(&mut self, data: &[u8]) -> Digest {
        sha256::digest(data)
    }

    fn sha256_start(&mut self) -> RustCryptoSha256 {
        RustCryptoSha256::default()
    }

    fn hkdf_sha256_extract(&mut self, salt: &[u8], ikm: &[u8]) -> Prk {
        let mut bytes = sha256::extract(salt, ikm);
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
        sha256::expand(prk.as_bytes(), info, out)
    }
}
