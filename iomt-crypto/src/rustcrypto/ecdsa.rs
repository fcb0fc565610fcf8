//! ECDSA P-256 over a SHA-256 digest on the crate's point arithmetic (`p256_fiat`) and
//! p256's scalar field, so a device that signs or verifies links one P-256 point
//! implementation, not two.
//!
//! The same computations as `ecdsa` 0.17's `hazmat::sign_prehashed_rfc6979` and
//! `hazmat::verify_prehashed` for P-256 (no low-s normalisation, as p256 configures it):
//! signatures are byte-identical (RFC 6979 vectors, the Wycheproof families and a
//! differential test against p256's `SigningKey` check it).
//!
//! Invariants: the nonce `k` (bytes and scalar), `k⁻¹` and the private scalar's bytes are
//! zeroized after use; `k·G` runs on the constant-time ladder/comb; verification works on
//! public data only (its `u1·G + u2·Q` is variable-time: `p256_fiat::mul_add`).

use p256::elliptic_curve::PrimeField as _;
use p256::elliptic_curve::ops::{Invert, Reduce};
use p256::{FieldBytes, NonZeroScalar, Scalar};
use zeroize::Zeroize;

use crate::error::CryptoError;
use crate::rfc6979::Rfc6979;
use crate::types::{Digest, PublicKey};

/// How many RFC 6979 candidates signing tries before giving up (each is rejected with
/// probability below 2⁻¹²⁸; the bound keeps the function total).
const MAX_NONCE_CANDIDATES: usize = 8;

/// A 32-byte big-endian value reduced modulo n (`bits2int` then `mod n` for a 256-bit
/// digest or x-coordinate).
fn reduce(bytes: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*bytes))
}

/// `r ‖ s` of the deterministic (RFC 6979) ECDSA signature of `digest` by `d`.
///
/// # Errors
/// [`CryptoError::InvalidPrivateKey`] if no candidate nonce gave non-zero `r` and `s`
/// (probability below 2⁻¹⁰⁰⁰).
pub(super) fn sign(d: &NonZeroScalar, digest: &Digest) -> Result<[u8; 64], CryptoError> {
    let z = reduce(digest);
    let mut d_bytes: [u8; 32] = d.to_repr().into();
    let mut nonces = Rfc6979::new(&d_bytes, digest);
    d_bytes.zeroize();
    for _ in 0..MAX_NONCE_CANDIDATES {
        let Some(mut k_bytes) = nonces.next_k() else {
            continue;
        };
        let k: Option<NonZeroScalar> = NonZeroScalar::from_repr(k_bytes.into()).into();
        let r_point = crate::p256_fiat::mul_generator(&k_bytes);
        k_bytes.zeroize();
        let (Some(mut k), Some((rx, _))) = (k, r_point) else {
            continue;
        };
        let r = reduce(&rx);
        let mut k_inv = Invert::invert(&k);
        let s = *k_inv * (z + r * **d);
        k.zeroize();
        k_inv.zeroize();
        let (Some(r), Some(s)) = (
            Option::<NonZeroScalar>::from(NonZeroScalar::new(r)),
            Option::<NonZeroScalar>::from(NonZeroScalar::new(s)),
        ) else {
            continue;
        };
        let mut out = [0u8; 64];
        let (out_r, out_s) = out.split_at_mut(32);
        out_r.copy_from_slice(&r.to_repr());
        out_s.copy_from_slice(&s.to_repr());
        return Ok(out);
    }
    Err(CryptoError::InvalidPrivateKey)
}

/// Verifies `r ‖ s` over `digest` with `public`.
///
/// # Errors
/// [`CryptoError::AuthenticationFailed`] for a wrong signature, and for `r` or `s` zero
/// or not below n.
pub(super) fn verify(
    public: &PublicKey,
    digest: &Digest,
    signature: &[u8; 64],
) -> Result<(), CryptoError> {
    let (r_bytes, s_bytes) = signature.split_at(32);
    let scalar = |bytes: &[u8]| -> Option<NonZeroScalar> {
        let array = <[u8; 32]>::try_from(bytes).ok()?;
        NonZeroScalar::from_repr(array.into()).into()
    };
    let (Some(r), Some(s)) = (scalar(r_bytes), scalar(s_bytes)) else {
        return Err(CryptoError::AuthenticationFailed);
    };
    let z = reduce(digest);
    let s_inv = *Invert::invert(&s);
    let u1: [u8; 32] = (z * s_inv).to_repr().into();
    let u2: [u8; 32] = (*r * s_inv).to_repr().into();
    let (x, _) = crate::p256_fiat::mul_add(&u1, &u2, public.x(), public.y())
        .ok_or(CryptoError::AuthenticationFailed)?;
    if reduce(&x) == *r {
        Ok(())
    } else {
        Err(CryptoError::AuthenticationFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
    use proptest::prelude::*;

    fn key(seed: [u8; 32]) -> Option<NonZeroScalar> {
        NonZeroScalar::from_repr(seed.into()).into()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn signatures_equal_p256_and_verify_both_ways(seed in any::<[u8; 32]>(), digest in any::<[u8; 32]>()) {
            let Some(d) = key(seed) else { return Ok(()) };
            let ours = sign(&d, &digest).unwrap();
            let reference: Signature = SigningKey::from(d).sign_prehash(&digest).unwrap();
            prop_assert_eq!(&ours[..], &reference.to_bytes()[..]);
            let verifying = VerifyingKey::from(&SigningKey::from(d));
            let point = verifying.to_sec1_point(false);
            let public = PublicKey::from_sec1_bytes(point.as_bytes()).unwrap();
            prop_assert!(verify(&public, &digest, &ours).is_ok());
            let mut other = digest;
            other[0] ^= 1;
            prop_assert!(verify(&public, &other, &ours).is_err());
            prop_assert!(verifying.verify_prehash(&other, &reference).is_err());
        }
    }

    #[test]
    fn zero_and_out_of_range_scalars_fail() {
        let d = key([7; 32]).unwrap();
        let digest = [9u8; 32];
        let sig = sign(&d, &digest).unwrap();
        let verifying = VerifyingKey::from(&SigningKey::from(d));
        let point = verifying.to_sec1_point(false);
        let public = PublicKey::from_sec1_bytes(point.as_bytes()).unwrap();
        let mut zero_r = sig;
        zero_r[..32].fill(0);
        assert_eq!(
            verify(&public, &digest, &zero_r),
            Err(CryptoError::AuthenticationFailed)
        );
        let mut big_s = sig;
        big_s[32..].fill(0xff);
        assert_eq!(
            verify(&public, &digest, &big_s),
            Err(CryptoError::AuthenticationFailed)
        );
    }
}
