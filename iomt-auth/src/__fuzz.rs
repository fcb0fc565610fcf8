//! Entry points for the fuzz targets (`fuzz/`), not a stable API: the crate's one test
//! and fuzz hook module, exported as `iomt_auth::__fuzz` (hidden). Only what a fuzz target
//! (or a test of the same entry point) needs lives here; test drivers live with their tests.
//!
//! Each function takes untrusted bytes, must never panic, and returns `false` only if an
//! invariant is violated (a fuzz target asserts the result): accepted inputs must re-encode
//! to exactly the same bytes (strict, deterministic parsers). The [`cbor`] functions
//! assert their properties themselves (documented under `# Panics`).

use iomt_crypto::CryptoProvider;

/// The CBOR subset (`crate::cbor`, crate-private) for the `cbor_decode` fuzz target.
pub mod cbor;

/// EDHOC message_1 codec below the typestates, for the `edhoc_message_1` fuzz target
/// and the RFC 9529 conformance test (`tests/rfc9529.rs`).
pub mod edhoc {
    use crate::edhoc::{ConnId, msg};
    use crate::error::AuthError;

    /// Encodes a message_1 from raw parts (used to check the RFC 9529 first message_1,
    /// whose X25519 key no supported suite can generate).
    ///
    /// # Errors
    /// Buffer or identifier length errors.
    pub fn encode_message_1(
        out: &mut [u8],
        method: u8,
        suites_i: &[u8],
        g_x: &[u8],
        c_i: &[u8],
        ead: &[u8],
    ) -> Result<usize, AuthError> {
        msg::encode_message_1(out, method, suites_i, g_x, &ConnId::new(c_i)?, ead)
    }

    /// Decodes a message_1 structurally; `true` if accepted. Never panics.
    #[must_use]
    pub fn decode_message_1(data: &[u8]) -> bool {
        msg::decode_message_1(data).is_ok()
    }
}

use crate::audit::{AuditRecord, ExportChunk, ExportVerifier, RECORD_LEN};
use crate::factor::{FACTOR_EAD_ITEM_LEN, FactorTag};
use crate::update::{MAX_MANIFEST_LEN, Manifest, VendorAnchor, VerifiedManifest};

/// Audit export chunk decoder: accepted chunks re-encode to the input.
#[must_use]
pub fn audit_export_chunk(data: &[u8]) -> bool {
    let Ok(chunk) = ExportChunk::decode(data) else {
        return true;
    };
    let mut out = [0u8; 7 + 255 * RECORD_LEN];
    matches!(chunk.encode(&mut out), Ok(n) if out.get(..n) == Some(data))
}

/// Audit record decoder: accepted records re-encode to the input.
#[must_use]
pub fn audit_record(data: &[u8]) -> bool {
    AuditRecord::decode(data).map_or(true, |r| r.encode().as_slice() == data)
}

/// The gateway's export verifier driven by a sequence of chunks, each prefixed with a
/// one-byte length: the first chunk is taken as the summary. Random input must never
/// verify (it would need a device signature); returns `false` if it did.
#[must_use]
pub fn audit_export_verify<C: CryptoProvider>(
    crypto: &mut C,
    device_key: &iomt_crypto::PublicKey,
    data: &[u8],
) -> bool {
    let mut rest = data;
    let mut next = || {
        let (&n, r) = rest.split_first()?;
        let (c, r) = r.split_at_checked(usize::from(n))?;
        rest = r;
        Some(c)
    };
    let Some(Ok(ExportChunk::Summary(s))) = next().map(ExportChunk::decode) else {
        return true;
    };
    let Ok(mut v) = ExportVerifier::new(crypto, &s, device_key, None, None, &s.challenge) else {
        return true;
    };
    while let Some(c) = next() {
        match ExportChunk::decode(c) {
            Ok(ExportChunk::Records(r)) => {
                if v.feed(crypto, &r).is_err() {
                    return true;
                }
            }
            _ => return true,
        }
    }
    v.finish().is_err()
}

/// Factor EAD item parser: accepted items re-encode to the input.
#[must_use]
pub fn factor_ead_item(data: &[u8]) -> bool {
    let Ok(tag) = FactorTag::parse_ead_item(data) else {
        return true;
    };
    let mut out = [0u8; FACTOR_EAD_ITEM_LEN];
    matches!(tag.encode_ead_item(&mut out), Ok(n) if out.get(..n) == Some(data))
}

/// Manifest payload decoder: accepted manifests re-encode to the input.
#[must_use]
pub fn update_manifest(data: &[u8]) -> bool {
    let Ok(m) = Manifest::decode(data) else {
        return true;
    };
    let mut out = [0u8; MAX_MANIFEST_LEN];
    matches!(m.encode(&mut out), Ok(n) if out.get(..n) == Some(data))
}

/// Manifest envelope verification against `anchor`: never panics; returns `false` if
/// arbitrary bytes verified (they would need the vendor's signature).
#[must_use]
pub fn update_envelope<C: CryptoProvider>(
    crypto: &mut C,
    anchor: &VendorAnchor,
    data: &[u8],
) -> bool {
    VerifiedManifest::verify(crypto, data, anchor).is_err()
}
