//! The RustCrypto AEAD part: AES-CCM-16-64-128 (`aes` + the crate's own CCM mode,
//! `aes_ccm.rs`, feature `aes-ccm`) and ChaCha20-Poly1305 (feature `chacha20poly1305`)
//! through one seal/open.
//!
//! An AEAD left out of the build is refused with [`CryptoError::AesCcmNotBuilt`] (108)
//! / [`CryptoError::ChaCha20Poly1305NotBuilt`] (109), by [`Aead::aead_built`] and by
//! seal/open. `aead_open` zeroizes `in_out` on any failure.

#[cfg(feature = "chacha20poly1305")]
use chacha20poly1305::ChaCha20Poly1305;
#[cfg(feature = "chacha20poly1305")]
use chacha20poly1305::aead::{self as aead_api, AeadInOut, Nonce};
use zeroize::Zeroize;

use crate::error::CryptoError;
use crate::parts::Aead;
use crate::types::{AeadAlgorithm, AeadKey};

/// `Ok` if `algorithm` is built in (its cargo feature), else the error naming the feature.
///
/// # Errors
/// [`CryptoError::AesCcmNotBuilt`] / [`CryptoError::ChaCha20Poly1305NotBuilt`].
const fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
    match algorithm {
        AeadAlgorithm::AesCcm16_64_128 if cfg!(feature = "aes-ccm") => Ok(()),
        AeadAlgorithm::AesCcm16_64_128 => Err(CryptoError::AesCcmNotBuilt),
        AeadAlgorithm::ChaCha20Poly1305 if cfg!(feature = "chacha20poly1305") => Ok(()),
        AeadAlgorithm::ChaCha20Poly1305 => Err(CryptoError::ChaCha20Poly1305NotBuilt),
    }
}

/// Checks the lengths shared by seal and open (and that `algorithm` is built).
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

/// What [`TagIo`]'s methods return (kept short so their signatures fit one line).
#[cfg(any(feature = "aes-ccm", feature = "chacha20poly1305"))]
type Done = Result<(), CryptoError>;

/// The tag side of one AEAD operation: written by [`Seal`], checked by [`Open`]. A trait,
/// not an enum, so `run::<Seal>` is compiled without the open path and vice versa (an
/// image that only seals links no decryption).
trait TagIo {
    /// The tag length given by the caller.
    fn len(&self) -> usize;

    /// Seals or opens `io` in place with `cipher` (lengths already checked).
    #[cfg(feature = "chacha20poly1305")]
    fn apply<C: AeadInOut>(self, cipher: &C, nonce: &Nonce<C>, aad: &[u8], io: &mut [u8]) -> Done;

    /// Seals or opens `io` in place with AES-CCM-16-64-128 (lengths already checked).
    #[cfg(feature = "aes-ccm")]
    fn aes_ccm(
        self,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        io: &mut [u8],
    ) -> Result<(), CryptoError>;
}

/// Seal: the detached tag is written here.
struct Seal<'a>(&'a mut [u8]);

/// Open: the detached tag to check (the caller zeroizes `in_out` on failure).
struct Open<'a>(&'a [u8]);

impl TagIo for Seal<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    #[cfg(feature = "chacha20poly1305")]
    fn apply<C: AeadInOut>(self, cipher: &C, nonce: &Nonce<C>, aad: &[u8], io: &mut [u8]) -> Done {
        let t = cipher
            .encrypt_inout_detached(nonce, aad, io.into())
            .map_err(|_| CryptoError::InvalidLength)?;
        if t.len() != self.0.len() {
            return Err(CryptoError::InvalidLength);
        }
        self.0.copy_from_slice(&t);
        Ok(())
    }

    #[cfg(feature = "aes-ccm")]
    fn aes_ccm(self, key: &[u8], nonce: &[u8], aad: &[u8], io: &mut [u8]) -> Done {
        super::aes_ccm::seal(key, nonce, aad, io, self.0)
    }
}

impl TagIo for Open<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    #[cfg(feature = "chacha20poly1305")]
    fn apply<C: AeadInOut>(self, cipher: &C, nonce: &Nonce<C>, aad: &[u8], io: &mut [u8]) -> Done {
        let t = aead_api::Tag::<C>::try_from(self.0).map_err(|_| CryptoError::InvalidLength)?;
        cipher
            .decrypt_inout_detached(nonce, aad, io.into(), &t)
            .map_err(|_| CryptoError::AuthenticationFailed)
    }

    #[cfg(feature = "aes-ccm")]
    fn aes_ccm(self, key: &[u8], nonce: &[u8], aad: &[u8], io: &mut [u8]) -> Done {
        super::aes_ccm::open(key, nonce, aad, io, self.0)
    }
}

/// Seals or opens with an aead 0.6 cipher `C` (lengths already checked).
#[cfg(feature = "chacha20poly1305")]
fn run_with<C: aead_api::KeyInit + AeadInOut>(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: impl TagIo,
) -> Result<(), CryptoError> {
    let cipher = C::new_from_slice(key).map_err(|_| CryptoError::InvalidLength)?;
    let nonce = Nonce::<C>::try_from(nonce).map_err(|_| CryptoError::InvalidLength)?;
    tag.apply(&cipher, &nonce, aad, in_out)
}

/// Checks the parameters, then seals or opens with the cipher of `algorithm`.
#[cfg_attr(
    not(any(feature = "aes-ccm", feature = "chacha20poly1305")),
    allow(
        unused_variables,
        reason = "no AEAD built in: every algorithm is refused"
    )
)]
fn run(
    algorithm: AeadAlgorithm,
    key: &AeadKey,
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: impl TagIo,
) -> Result<(), CryptoError> {
    check_aead_params(algorithm, key, nonce, in_out, tag.len())?;
    let key = key.as_bytes();
    match algorithm {
        #[cfg(feature = "aes-ccm")]
        AeadAlgorithm::AesCcm16_64_128 => tag.aes_ccm(key, nonce, aad, in_out),
        #[cfg(feature = "chacha20poly1305")]
        AeadAlgorithm::ChaCha20Poly1305 => {
            run_with::<ChaCha20Poly1305>(key, nonce, aad, in_out, tag)
        }
        // Refused by `check_aead_params` already; kept total.
        #[cfg(not(all(feature = "aes-ccm", feature = "chacha20poly1305")))]
        _ => aead_built(algorithm).and(Err(CryptoError::Unsupported)),
    }
}

/// The RustCrypto [`Aead`] part (stateless): the AEADs whose cargo features are on.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCryptoAead;

impl Aead for RustCryptoAead {
    fn aead_seal(
        &mut self,
        algorithm: AeadAlgorithm,
        key: &AeadKey,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        run(algorithm, key, nonce, aad, in_out, Seal(tag))
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
        let result = run(algorithm, key, nonce, aad, in_out, Open(tag));
        if result.is_err() {
            in_out.zeroize();
        }
        result
    }

    fn aead_built(algorithm: AeadAlgorithm) -> Result<(), CryptoError> {
        aead_built(algorithm)
    }
}
