//! Encoding a CCS credential for provisioning: the factory (or a device at first boot)
//! turns a public key into the CRED_x bytes both sides put into the EDHOC transcript.
//!
//! # Invariants
//! - [`encode_ccs`] writes deterministic CBOR in the shape RFC 9529 uses —
//!   `{2: sub, 8: {1: {1: 2, 2: kid, -1: 1, -2: x, -3: y}}}` (keys in RFC 8949 order;
//!   `kid` omitted when empty) — and its output always parses with [`CcsView::parse`]
//!   back to the same subject, `kid` and key (checked before it returns).
//! - It never writes past `out` and reports the size needed instead.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::PublicKey;

use super::{CcsView, MAX_KID_LEN};
use crate::cbor::Encoder;
use crate::error::{ApiMisuse, AuthError};

/// Longest subject (`sub` claim) [`encode_ccs`] writes, in bytes.
pub const MAX_SUBJECT_LEN: usize = 64;

/// Longest CCS [`encode_ccs`] writes (subject of [`MAX_SUBJECT_LEN`], kid of
/// [`MAX_KID_LEN`]): 164 bytes.
pub const MAX_ENCODED_CCS_LEN: usize = 164;

/// Encodes the CCS for `public_key` with subject `subject` and COSE_Key `kid`, returning
/// the number of bytes written to `out` (at most [`MAX_ENCODED_CCS_LEN`]).
///
/// The RFC 9529 §3 responder credential, rebuilt from its parts:
/// ```
/// use iomt_auth::cred::{encode_ccs, CcsView};
/// # fn h(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect() }
/// let cred_r = h("a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072");
/// let key = CcsView::parse(&cred_r)?.public_key;
/// let mut out = [0u8; 128];
/// let n = encode_ccs("example.edu", &[0x32], &key, &mut out)?;
/// assert_eq!(&out[..n], &cred_r[..]);
/// # Ok::<(), iomt_auth::AuthError>(())
/// ```
///
/// # Errors
/// [`ApiMisuse::InvalidLocalCredential`] if `subject` is longer than [`MAX_SUBJECT_LEN`]
/// or `kid` longer than [`MAX_KID_LEN`]; [`AuthError::BufferTooSmall`] with the size
/// needed if `out` is too short.
pub fn encode_ccs(
    subject: &str,
    kid: &[u8],
    public_key: &PublicKey,
    out: &mut [u8],
) -> Result<usize, AuthError> {
    if subject.len() > MAX_SUBJECT_LEN || kid.len() > MAX_KID_LEN {
        return Err(ApiMisuse::InvalidLocalCredential.into());
    }
    let point = public_key.to_sec1_uncompressed();
    let (x, y) = point
        .get(1..)
        .and_then(|xy| xy.split_at_checked(32))
        .ok_or(AuthError::ApiMisuse(ApiMisuse::InvalidLocalCredential))?;
    let mut scratch = [0u8; MAX_ENCODED_CCS_LEN];
    let mut e = Encoder::new(&mut scratch);
    e.map(2)?;
    e.uint(2)?; // sub
    e.tstr(subject)?;
    e.uint(8)?; // cnf
    e.map(1)?;
    e.uint(1)?; // COSE_Key
    e.map(if kid.is_empty() { 4 } else { 5 })?;
    e.uint(1)?; // kty
    e.uint(2)?; // EC2
    if !kid.is_empty() {
        e.uint(2)?; // kid
        e.bstr(kid)?;
    }
    e.int(-1)?; // crv
    e.uint(1)?; // P-256
    e.int(-2)?;
    e.bstr(x)?;
    e.int(-3)?;
    e.bstr(y)?;
    let n = e.len();
    let encoded = scratch
        .get(..n)
        .ok_or(AuthError::ApiMisuse(ApiMisuse::InvalidLocalCredential))?;
    let view = CcsView::parse(encoded)?;
    let same_kid = if kid.is_empty() {
        view.kid.is_none()
    } else {
        view.kid == Some(kid)
    };
    if view.subject != Some(subject) || !same_kid || view.public_key != *public_key {
        return Err(ApiMisuse::InvalidLocalCredential.into());
    }
    out.get_mut(..n)
        .ok_or(AuthError::BufferTooSmall { needed: n })?
        .copy_from_slice(encoded);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use iomt_crypto::{DeterministicProvider, StaticKey, prelude::*};

    fn key() -> PublicKey {
        let mut c = DeterministicProvider::new();
        c.p256_public_key(&StaticKey::from_bytes(&[7; 32]).unwrap())
            .unwrap()
    }

    #[test]
    fn round_trips_without_kid_and_with_the_longest_inputs() {
        let k = key();
        let mut out = [0u8; 256];
        let n = encode_ccs("", &[], &k, &mut out).unwrap();
        let v = CcsView::parse(&out[..n]).unwrap();
        assert_eq!((v.subject, v.kid), (Some(""), None));
        let sub = "s".repeat(MAX_SUBJECT_LEN);
        let kid = [9u8; MAX_KID_LEN];
        let n = encode_ccs(&sub, &kid, &k, &mut out).unwrap();
        assert_eq!(n, MAX_ENCODED_CCS_LEN);
        let v = CcsView::parse(&out[..n]).unwrap();
        assert_eq!(v.subject, Some(sub.as_str()));
        assert_eq!(v.kid, Some(&kid[..]));
    }

    #[test]
    fn refuses_long_inputs_and_reports_the_size_needed() {
        let k = key();
        let mut out = [0xa5u8; 256];
        let long = "s".repeat(MAX_SUBJECT_LEN + 1);
        assert!(encode_ccs(&long, &[], &k, &mut out).is_err());
        assert!(encode_ccs("dev", &[1; MAX_KID_LEN + 1], &k, &mut out).is_err());
        let n = encode_ccs("dev", &[1], &k, &mut out).unwrap();
        for short in 0..n {
            match encode_ccs("dev", &[1], &k, &mut out[..short]) {
                Err(AuthError::BufferTooSmall { needed }) => assert_eq!(needed, n),
                other => panic!("{short}: {other:?}"),
            }
        }
    }
}
