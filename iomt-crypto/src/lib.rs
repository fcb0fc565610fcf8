#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        reason = "STYLE: no unchecked indexing in library code; each exception is an #[allow] on the smallest item with a bounds proof"
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "std", test))]
extern crate std;

mod bytes;
mod compose;
/// Fast P-256 on Cortex-M4/M33 (thumbv7em / thumbv8m.main only).
#[cfg(all(feature = "p256-cortex-m4", target_arch = "arm"))]
pub mod cortex_m4;
mod ct;
pub mod error;
mod p256_fiat;
pub mod parts;
pub mod prelude;
pub mod provider;
#[cfg(feature = "rustcrypto-core")]
mod rfc6979;
#[cfg(feature = "rustcrypto-core")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustcrypto-core")))]
pub mod rustcrypto;
#[cfg(feature = "rustcrypto-core")]
mod sha256;
#[cfg(feature = "test-provider")]
#[doc(hidden)]
pub mod test_provider;
pub mod types;

pub use bytes::copy_prefix;
pub use compose::Provider;
#[cfg(all(feature = "p256-cortex-m4", target_arch = "arm"))]
pub use cortex_m4::{CortexM4EphemeralKey, CortexM4P256, CortexM4Provider, CortexM4StaticKey};
pub use ct::constant_time_eq;
pub use error::CryptoError;
pub use parts::{Aead, Hashing, P256, Random, RandomRng};
pub use provider::{CryptoProvider, Sha256State};
#[cfg(feature = "rustcrypto-core")]
pub use rustcrypto::{
    EphemeralKey, RustCryptoAead, RustCryptoHashing, RustCryptoP256, RustCryptoProvider,
    RustCryptoSha256, StaticKey,
};
#[doc(hidden)]
#[cfg(feature = "test-provider")]
pub use test_provider::{DeterministicP256, DeterministicProvider};
pub use types::{
    AeadAlgorithm, AeadKey, Digest, P256_COORDINATE_LEN, P256_SEC1_COMPRESSED_LEN,
    P256_SEC1_UNCOMPRESSED_LEN, Prk, PublicKey, SharedSecret, Signature,
};
