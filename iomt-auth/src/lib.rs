//! EDHOC (RFC 9528) mutual authentication and credentials for iomt (no_std, no alloc).
//!
//! - [`edhoc`]: sans-IO initiator/responder typestates (methods 0–3, cipher suites 2
//!   and 5), the storable [`edhoc::InitiatorState`] / [`edhoc::ResponderState`], the
//!   exporter and KeyUpdate on [`edhoc::Completed`].
//! - [`cred`]: CCS credentials, ID_CRED, the [`cred::TrustStore`] trait mapping a peer
//!   credential to an identity and roles, and signed revocation lists
//!   ([`cred::revocation`]) that the handshake's one lookup ([`cred::lookup`]) consults.
//! - `cbor` (crate-private): the strict deterministic CBOR subset the messages use.
//! - [`error`]: [`AuthError`], the crate's one error type.
//!
//! The crypto provider (`iomt_crypto::CryptoProvider`) is passed into every handshake
//! step as `&mut C`; no state holds a reference to it.
//!
//! Cargo features: `signature-methods` (default) — EDHOC methods 0–2 (ECDSA); without it
//! only method 3 is available ([`edhoc::Method::is_supported`]) and the handshake code
//! links no ECDSA. Configure with [`edhoc::Method::SUPPORTED`] to accept whatever the build
//! has; naming a left-out method fails at construction with
//! [`error::ApiMisuse::MethodNotBuilt`], which names the feature. `defmt` — `defmt::Format` for the error types.
//!
//! ```
//! use iomt_auth::cred::{IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry};
//! use iomt_auth::edhoc::*;
//! use iomt_crypto::{prelude::*, RustCryptoProvider};
//! # fn h(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect() }
//! // RFC 9529 §3 credentials and keys
//! let cred_i = h("a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8");
//! let cred_r = h("a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072");
//! let mut crypto = RustCryptoProvider::with_os_rng();
//! let sk_i = iomt_crypto::StaticKey::from_bytes(&h("fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b"))?;
//! let sk_r = iomt_crypto::StaticKey::from_bytes(&h("72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac"))?;
//! let me_i = LocalCredential { key: &sk_i, cred: &cred_i, id_cred: IdCred::Kid(&[0x2b]) };
//! let me_r = LocalCredential { key: &sk_r, cred: &cred_r, id_cred: IdCred::Kid(&[0x32]) };
//! let trust_i = StaticTrustStore::new([TrustEntry { kid: &[0x32], cred: &cred_r,
//!     identity: PeerIdentity::from_slice(b"responder"), roles: RoleSet::EMPTY }]);
//! let trust_r = StaticTrustStore::new([TrustEntry { kid: &[0x2b], cred: &cred_i,
//!     identity: PeerIdentity::from_slice(b"initiator"), roles: RoleSet::EMPTY }]);
//!
//! let init = Initiator::new(&InitiatorConfig { method: Method::StatStat, suites: &[2],
//!     c_i: ConnId::new(&[0x37])?, expect_message_4: false, ead_labels: EadLabels::NONE })?;
//! let resp = Responder::new(&ResponderConfig { suites: &[2, 5], methods: &Method::ALL,
//!     c_r: ConnId::new(&[0x27])?, send_message_4: false, ead_labels: EadLabels::NONE })?;
//! let (mut m1, mut m2, mut m3) = ([0u8; 64], [0u8; 128], [0u8; 64]);
//!
//! let (i, n1) = init.prepare_message_1(&mut crypto, &[], &mut m1)?;
//! let r = resp.process_message_1(&mut crypto, &m1[..n1])?;
//! let (r, n2) = r.prepare_message_2(&mut crypto, &me_r, &[], &mut m2)?;
//! let i = i.parse_message_2(&mut crypto, &mut m2[..n2])?;
//! assert_eq!(i.id_cred_r(), IdCred::Kid(&[0x32]));
//! let i = i.verify_with_store(&mut crypto, &trust_i)?;
//! let (AfterMessage3::Completed(mut done_i), n3) = i.prepare_message_3(&mut crypto, &me_i, &[], &mut m3)? else { panic!() };
//! let r = r.parse_message_3(&mut crypto, &mut m3[..n3])?;
//! let mut done_r = r.verify_with_store(&mut crypto, &trust_r)?.complete(&mut crypto)?;
//!
//! let (mut k_i, mut k_r) = ([0u8; 16], [0u8; 16]);
//! done_i.exporter(&mut crypto, 0x8002, b"iomt", &mut k_i)?;
//! done_r.exporter(&mut crypto, 0x8002, b"iomt", &mut k_r)?;
//! assert_eq!(k_i, k_r);
//! assert_eq!(done_r.peer_identity(), PeerIdentity::from_slice(b"initiator"));
//! # Ok::<(), iomt_auth::AuthError>(())
//! ```
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

#[cfg(test)]
extern crate std;

/// The strict deterministic CBOR subset iomt-auth parses with (crate-private; the fuzz
/// targets reach it through `__fuzz::cbor`).
pub(crate) mod cbor;
pub mod cred;
pub mod edhoc;
pub mod error;

pub mod audit;
pub mod consent;
pub mod factor;
pub mod rbac;
pub mod update;

#[doc(hidden)]
pub mod __fuzz;

pub use error::AuthError;

/// This crate's version, as in its `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn version_matches_manifest() {
        assert_eq!(super::VERSION, "0.1.0");
    }
}
