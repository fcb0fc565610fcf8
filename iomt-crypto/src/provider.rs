//! The provider trait: every primitive iomt needs, behind `&mut self`.
//!
//! # Why a supertrait
//! [`CryptoProvider`] is the four [parts](crate::parts) together, as supertraits
//! ([`P256`], [`Hashing`], [`Aead`] and [`Random`]), plus the one operation that needs
//! two parts at once (ephemeral key generation: P-256 arithmetic fed by the randomness
//! part). Each operation's signature and contract is therefore written once, in
//! `parts.rs`; callers still write `provider.sha256(..)` on any `P: CryptoProvider`,
//! because supertrait methods are in scope wherever the bound is (on a concrete
//! provider type, `use iomt_crypto::prelude::*;` brings them).
//!
//! Backends are usually compositions: [`crate::Provider`] implements every part by
//! calling the field that holds it, and this trait by drawing key-generation randomness
//! from its random field. A type that implements the four parts itself (a wrapper that
//! counts or alters every call) implements this trait with one method.

use crate::error::CryptoError;
use crate::parts::{Aead, Hashing, P256, Random};
use crate::types::{Digest, PublicKey};

/// Incremental SHA-256 (used for EDHOC transcript hashes and streamed digests).
pub trait Sha256State {
    /// Absorbs `data`.
    fn update(&mut self, data: &[u8]);
    /// Finishes the hash.
    fn finalize(self) -> Digest;
}

/// Every primitive the protocol crates use: the four parts, and key generation.
///
/// # Contract
/// The parts' contract ([`crate::parts`]): peer data is validated and refused with a
/// typed [`CryptoError`], nothing panics, secrets zeroize on drop and redact `Debug`,
/// a failed `aead_open` zeroizes `in_out`.
pub trait CryptoProvider: P256 + Hashing + Aead + Random {
    /// Generates an ephemeral P-256 key pair from the provider's own randomness
    /// ([`P256::p256_generate_ephemeral_from`] with the [`Random`] part).
    ///
    /// # Errors
    /// [`CryptoError::Rng`] if the RNG fails.
    fn p256_generate_ephemeral(
        &mut self,
    ) -> Result<(Self::EphemeralSecret, PublicKey), CryptoError>;
}
