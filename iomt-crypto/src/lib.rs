#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "std", test))]
extern crate std;

pub mod error;
pub mod provider;
pub mod types;

pub use error::CryptoError;
pub use provider::{CryptoProvider, Sha256State};
pub use types::{
    AeadAlgorithm, AeadKey, Digest, P256_COORDINATE_LEN, P256_SEC1_COMPRESSED_LEN,
    P256_SEC1_UNCOMPRESSED_LEN, Prk, PublicKey, SharedSecret, Signature,
};
