//! Crypto provider trait for iomt, a RustCrypto backend and a Wycheproof conformance kit.
//!
//! Protocol code in `iomt-auth` and `iomt-proto` reaches every primitive through
//! [`CryptoProvider`], so a device maker can swap in a hardware engine or a secure
//! element without touching protocol code.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod error;
pub mod provider;

pub use error::CryptoError;
pub use provider::{CryptoProvider, Sha256State};
