//! iomt-crypto provider parts (and their composition [`AwsLcProvider`]) on [aws-lc-rs](https://docs.rs/aws-lc-rs): AWS-LC, the
//! backend rustls chose for speed, for **std gateways** that answer many EDHOC handshakes.
//!
//! Devices keep the `no_std` RustCrypto backend; a gateway swaps in [`AwsLcProvider`] and
//! talks to them unchanged (the two backends interoperate byte for byte, and this crate's
//! tests run the whole Wycheproof conformance kit of `iomt-crypto-conformance` on each part
//! and on the composition).
//!
//! | Part | Primitive | Implementation |
//! |---|---|---|
//! | P-256 | key generation, ECDH, import, ECDSA over a digest | aws-lc-rs |
//! | P-256 | x-only decompression (`p256_public_key_from_x`) | `iomt-crypto` default (RustCrypto `p256`): aws-lc-rs has no decompression API |
//! | Hashing + KDF | SHA-256 (one-shot, incremental), HKDF extract/expand | aws-lc-rs (extract is HMAC-SHA256(salt, ikm), RFC 5869 §2.2) |
//! | AEAD | ChaCha20-Poly1305 | aws-lc-rs |
//! | AEAD | AES-CCM-16-64-128 (8-byte tag) | the RustCrypto AEAD part (`RustCryptoAead`): aws-lc-rs offers no CCM |
//! | Random | `random_bytes`, key generation | AWS-LC's DRBG seeded from the OS |
//!
//! # Invariants
//! - Private keys live in AWS-LC `EVP_PKEY` objects, freed with `OPENSSL_free`, which
//!   cleanses the memory (AWS-LC zeroizes on free); bytes copied out on our side
//!   (scalars on import, shared secrets) are zeroized here.
//! - ECDSA signatures are randomized (AWS-LC's nonce), unlike the RustCrypto backend's
//!   RFC 6979 ones; both verify the same way.
//! - `aead_open` zeroizes `in_out` on any failure.
//!
//! ```
//! use iomt_crypto::prelude::*;
//! use iomt_crypto_awslc::AwsLcProvider;
//! let mut p = iomt_crypto_awslc::provider();
//! let (secret, public) = p.p256_generate_ephemeral()?;
//! let (other, other_public) = p.p256_generate_ephemeral()?;
//! let a = p.p256_ecdh_ephemeral(&secret, &other_public)?;
//! let b = p.p256_ecdh_ephemeral(&other, &public)?;
//! assert_eq!(a.as_bytes(), b.as_bytes());
//! # Ok::<(), iomt_crypto::CryptoError>(())
//! ```

mod aead;
mod hash;
mod keys;
mod p256;
mod provider;

pub use hash::AwsLcSha256;
pub use keys::{AwsLcEphemeralKey, AwsLcStaticKey};
pub use provider::{AwsLcAead, AwsLcHashing, AwsLcP256, AwsLcProvider, AwsLcRandom, provider};
