//! The consent authority's side: signing tags and withdrawals.
//!
//! A hospital consent service (or a patient app) calls these with its signing key
//! handle; devices never do.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_core::{ConsentTag, ConsentWithdrawal, IssuerSignature, KeyId, Signature};
use iomt_crypto::CryptoProvider;

use super::{ConsentError, tag_digest, withdrawal_digest};

/// Signs `tag` (which must be version 2, i.e. bound) as the authority whose key id is
/// `key_id`; returns the tag with its signature set.
///
/// # Errors
/// [`ConsentError::Unbound`] for a version-1 tag, [`ConsentError::Malformed`] for an
/// invalid tag, [`ConsentError::BadSignature`] if the key cannot sign.
pub fn sign_tag<C: CryptoProvider>(
    crypto: &mut C,
    key: &C::KeyHandle,
    key_id: &KeyId,
    mut tag: ConsentTag,
) -> Result<ConsentTag, ConsentError> {
    if tag.binding.is_none() {
        return Err(ConsentError::Unbound);
    }
    let d = tag_digest(crypto, &tag)?;
    let sig = crypto
        .ecdsa_p256_sign_digest(key, &d)
        .map_err(|_| ConsentError::BadSignature)?;
    tag.signature = Some(IssuerSignature {
        key_id: key_id.clone(),
        signature: Signature(*sig.as_bytes()),
    });
    Ok(tag)
}

/// Signs a withdrawal as the authority whose key id is `key_id`.
///
/// # Errors
/// [`ConsentError::BadSignature`] if the key cannot sign.
pub fn sign_withdrawal<C: CryptoProvider>(
    crypto: &mut C,
    key: &C::KeyHandle,
    key_id: &KeyId,
    mut withdrawal: ConsentWithdrawal,
) -> Result<ConsentWithdrawal, ConsentError> {
    let d = withdrawal_digest(crypto, &withdrawal)?;
    let sig = crypto
        .ecdsa_p256_sign_digest(key, &d)
        .map_err(|_| ConsentError::BadSignature)?;
    withdrawal.signature = Some(IssuerSignature {
        key_id: key_id.clone(),
        signature: Signature(*sig.as_bytes()),
    });
    Ok(withdrawal)
}
