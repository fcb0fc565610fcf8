//! Credential revocation for the C API: a signed revocation list (COSE_Sign1 / ES256 by
//! the revocation authority, see `iomt_auth::cred::revocation`) installed into an
//! [`iomt_trust_store`]; every handshake that resolves a peer in that store then refuses
//! a revoked credential with `CREDENTIAL_REVOKED` (the peer gets ERR_CODE 3).
//!
//! # Invariants
//! - The list is verified and parsed by the library (`RevocationState::install`); this
//!   file only checks arguments and maps results.
//! - A list never replaces one with a higher or equal number; a refused list changes
//!   nothing. Persist the floor (`iomt_trust_store_revocation_floor`) and the installed
//!   list, and restore both at boot (`iomt_trust_store_set_revocation_floor` first).
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use ::iomt_crypto::PublicKey;
use iomt_auth::cred::revocation::{MAX_LIST_LEN, MAX_REVOKED};
use iomt_auth::cred::{RevocationError, RevocationState};

use crate::boundary::{self, ffi_panic_boundary};
use crate::crypto::{iomt_crypto, iomt_trust_store};
use crate::result::iomt_result;

/// Most credentials one revocation list names.
pub const IOMT_MAX_REVOKED: usize = 32;
/// Longest signed revocation list in bytes.
pub const IOMT_MAX_REVOCATION_LIST_LEN: usize = 1194;
const _: () =
    assert!(IOMT_MAX_REVOKED == MAX_REVOKED && IOMT_MAX_REVOCATION_LIST_LEN == MAX_LIST_LEN);

impl From<RevocationError> for iomt_result {
    fn from(e: RevocationError) -> Self {
        iomt_auth::AuthError::Revocation(e).into()
    }
}

/// Verifies a signed revocation list with the revocation authority's public key
/// (`IOMT_PUBLIC_KEY_LEN` bytes, SEC1 uncompressed) and installs it into `store` if its
/// number is above the installed list's (or, with none installed, at least the floor).
/// Writes the installed list number to `*list_number`. Handshakes that use `store` then
/// fail with `CREDENTIAL_REVOKED` for every credential the list names.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `CRYPTO_INVALID_LENGTH` /
/// `CRYPTO_INVALID_PUBLIC_KEY` (the authority key), `REVOCATION_MALFORMED`,
/// `REVOCATION_NON_DETERMINISTIC`, `REVOCATION_UNSUPPORTED_ALGORITHM`,
/// `REVOCATION_UNKNOWN_SIGNER`, `REVOCATION_BAD_SIGNATURE`, `REVOCATION_TOO_MANY_ENTRIES`,
/// `REVOCATION_OLDER`, `REVOCATION_SAME_NUMBER`. On error nothing changes.
///
/// # Safety
/// `store` and `crypto` must point to initialized objects; each buffer must be valid for
/// its length; `list_number` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_trust_store_install_revocations(
    store: *mut iomt_trust_store,
    crypto: *mut iomt_crypto,
    signed_list: *const u8,
    signed_list_len: usize,
    authority_public_key: *const u8,
    authority_public_key_len: usize,
    list_number: *mut u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract (every pointer argument).
        let (t, provider, list, pk, out) = unsafe {
            (
                boundary::get_mut(store)?,
                boundary::get_mut(crypto)?,
                boundary::required_slice(signed_list, signed_list_len)?,
                boundary::required_slice(authority_public_key, authority_public_key_len)?,
                boundary::output(list_number)?,
            )
        };
        let authority = PublicKey::from_sec1_bytes(pk)?;
        let n = t.revocations.install(provider, list, &authority)?;
        out.write(n);
        Ok(())
    }
}

/// Writes the lowest revocation list number `store` still accepts (the installed list's
/// number, or the floor if none is installed) to `*floor`: persist it.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`.
///
/// # Safety
/// `store` must point to an initialized trust store; `floor` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_trust_store_revocation_floor(
    store: *const iomt_trust_store,
    floor: *mut u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let (t, out) = unsafe { (boundary::get(store)?, boundary::output(floor)?) };
        out.write(t.revocations.floor());
        Ok(())
    }
}

/// Sets the anti-rollback floor of a trust store with no revocation list installed yet
/// (at boot, from persisted storage): lists numbered below `floor` are then refused. The
/// floor only rises.
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `WRONG_STATE` (a list is installed),
/// `REVOCATION_OLDER` (`floor` is below the current floor; nothing changes).
///
/// # Safety
/// `store` must point to an initialized trust store.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_trust_store_set_revocation_floor(
    store: *mut iomt_trust_store,
    floor: u32,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let t = unsafe { boundary::get_mut(store) }?;
        if t.revocations.list().is_some() {
            return Err(iomt_result::WrongState);
        }
        if floor < t.revocations.floor() {
            return Err(RevocationError::Older.into());
        }
        t.revocations = RevocationState::with_floor(floor);
        Ok(())
    }
}
