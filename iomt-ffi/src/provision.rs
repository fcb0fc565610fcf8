//! Provisioning from C: generate a device key with the caller's RNG, derive its public
//! key, and encode the CCS credential the device presents and the gateway trusts.
//!
//! These are thin skins over `iomt_crypto::StaticKey` and `iomt_auth::cred::encode_ccs`;
//! the CCS they write is exactly what `iomt_credential_init` and `iomt_trust_store_add`
//! accept. A device with a secure element keeps the key inside it and only calls
//! `iomt_ccs_encode` with the public key the element reports (docs/PROVISIONING.md).
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use ::iomt_crypto::{PublicKey, Random as _};
use iomt_auth::cred::encode_ccs;
use zeroize::Zeroize as _;

use crate::boundary::{self, ffi_panic_boundary};
use crate::crypto::{IOMT_PRIVATE_KEY_LEN, IOMT_PUBLIC_KEY_LEN, Key, iomt_crypto};
use crate::result::iomt_result;

/// Longest CCS `iomt_ccs_encode` writes (bytes).
pub const IOMT_MAX_ENCODED_CCS_LEN: usize = 164;
/// Longest subject (`sub` claim) `iomt_ccs_encode` accepts (bytes of UTF-8).
pub const IOMT_MAX_SUBJECT_LEN: usize = 64;

const _: () = {
    assert!(IOMT_MAX_ENCODED_CCS_LEN == iomt_auth::cred::MAX_ENCODED_CCS_LEN);
    assert!(IOMT_MAX_SUBJECT_LEN == iomt_auth::cred::MAX_SUBJECT_LEN);
    assert!(IOMT_MAX_ENCODED_CCS_LEN <= crate::crypto::IOMT_MAX_CRED_LEN);
};

/// How many RNG draws a key generation may take: a uniform draw is not a valid scalar
/// with probability below 2^-32, so repeated failures mean the RNG is broken (e.g.
/// returns zeros), not bad luck.
const KEYGEN_ATTEMPTS: usize = 4;

/// Generates a P-256 private key from `crypto`'s RNG callback and writes its
/// `IOMT_PRIVATE_KEY_LEN`-byte big-endian scalar to `out` (for the factory to store in
/// protected flash; wipe your copy after use).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL` (`out_len` below 32),
/// `CRYPTO_RNG` if the RNG callback fails or keeps returning invalid scalars. Nothing
/// is written on failure.
///
/// # Safety
/// `crypto` must point to initialized storage; `out` to `out_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_private_key_generate(
    crypto: *mut iomt_crypto,
    out: *mut u8,
    out_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let provider = unsafe { boundary::get_mut(crypto) }?;
        // SAFETY: forwarded contract.
        let out = unsafe { boundary::slice_mut(out, out_len) }?;
        let out = out
            .get_mut(..IOMT_PRIVATE_KEY_LEN)
            .ok_or(iomt_result::BufferTooSmall)?;
        let mut scalar = [0u8; IOMT_PRIVATE_KEY_LEN];
        let mut result = Err(iomt_result::CryptoRng);
        for _ in 0..KEYGEN_ATTEMPTS {
            if provider.random_bytes(&mut scalar).is_err() {
                break;
            }
            if Key::from_bytes(&scalar).is_ok() {
                out.copy_from_slice(&scalar);
                result = Ok(());
                break;
            }
        }
        scalar.zeroize();
        result
    }
}

/// Writes the public key (`IOMT_PUBLIC_KEY_LEN` bytes, SEC1 uncompressed `0x04 ‖ x ‖ y`)
/// of the 32-byte private key `private_key`.
///
/// # Errors
/// `NULL_PARAMETER`, `CRYPTO_INVALID_LENGTH`, `CRYPTO_INVALID_PRIVATE_KEY`,
/// `BUFFER_TOO_SMALL`.
///
/// # Safety
/// Each buffer must be valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_public_key_from_private(
    private_key: *const u8,
    private_key_len: usize,
    out: *mut u8,
    out_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        if private_key.is_null() {
            return Err(iomt_result::NullParameter);
        }
        // SAFETY: forwarded contract (both buffers).
        let (sk, out) = unsafe {
            (
                boundary::slice(private_key, private_key_len)?,
                boundary::slice_mut(out, out_len)?,
            )
        };
        let key = Key::from_bytes(sk)?;
        out.get_mut(..IOMT_PUBLIC_KEY_LEN)
            .ok_or(iomt_result::BufferTooSmall)?
            .copy_from_slice(&key.public_key().to_sec1_uncompressed());
        Ok(())
    }
}

/// Encodes the CCS credential `{2: subject, 8: {1: COSE_Key}}` (the shape of RFC 9529)
/// for `public_key` (`IOMT_PUBLIC_KEY_LEN` bytes, SEC1 uncompressed) with COSE_Key `kid`
/// (may be empty) into `out[0..out_cap]`; `*out_len` receives the length (at most
/// `IOMT_MAX_ENCODED_CCS_LEN`), or the size needed with `BUFFER_TOO_SMALL`. The result is
/// what `iomt_credential_init` (device) and `iomt_trust_store_add` (gateway) take.
///
/// # Errors
/// `NULL_PARAMETER`, `INVALID_ARGUMENT` (subject not UTF-8 or longer than
/// `IOMT_MAX_SUBJECT_LEN`, kid longer than `IOMT_MAX_KID_LEN`),
/// `CRYPTO_INVALID_PUBLIC_KEY`, `BUFFER_TOO_SMALL`.
///
/// # Safety
/// Each buffer must be valid for its length; `out_len` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_ccs_encode(
    subject: *const u8,
    subject_len: usize,
    kid: *const u8,
    kid_len: usize,
    public_key: *const u8,
    public_key_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> iomt_result {
    ffi_panic_boundary! {
        if public_key.is_null() {
            return Err(iomt_result::NullParameter);
        }
        // SAFETY: forwarded contract (every pointer argument).
        let (subject, kid, pk, out, len) = unsafe {
            (
                boundary::slice(subject, subject_len)?,
                boundary::slice(kid, kid_len)?,
                boundary::slice(public_key, public_key_len)?,
                boundary::slice_mut(out, out_cap)?,
                boundary::output(out_len)?,
            )
        };
        let subject = core::str::from_utf8(subject).map_err(|_| iomt_result::InvalidArgument)?;
        if subject.len() > IOMT_MAX_SUBJECT_LEN || kid.len() > crate::crypto::IOMT_MAX_KID_LEN {
            return Err(iomt_result::InvalidArgument);
        }
        let pk = PublicKey::from_sec1_bytes(pk)?;
        boundary::written(encode_ccs(subject, kid, &pk, out), len)
    }
}
