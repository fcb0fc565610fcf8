//! Crypto and key setup: [`iomt_crypto`] (the provider, fed by the caller's RNG callback),
//! [`iomt_credential`] (this device's key and credential from raw bytes) and
//! [`iomt_trust_store`] (the peers it accepts, with identity and roles).
//!
//! # Invariants
//! - Nothing here allocates: credentials and trust entries are copied into the
//!   caller's storage, bounded by [`IOMT_MAX_CRED_LEN`] and [`IOMT_MAX_KID_LEN`].
//! - A credential's private key matches the public key in its CCS (checked at init).
//! - Private keys zeroize when the object is deinitialized.
#![expect(unsafe_code, reason = "exported C functions over raw pointers")]

use core::ffi::c_void;
use core::fmt;

#[cfg(all(feature = "p256-cortex-m4", target_arch = "arm"))]
pub(crate) use ::iomt_crypto::{CortexM4Provider as Backend, CortexM4StaticKey as Key};
#[cfg(not(all(feature = "p256-cortex-m4", target_arch = "arm")))]
pub(crate) use ::iomt_crypto::{RustCryptoProvider as Backend, StaticKey as Key};
use iomt_auth::cred::{
    CcsView, IdCred, LocalCredential, PeerIdentity, RevocationState, RoleSet, TrustStore,
    TrustedCredential,
};

use crate::boundary::{self, ffi_panic_boundary, storage_asserts};
use crate::result::iomt_result;

/// The caller's random number generator: fill `out[0..out_len]` with cryptographically
/// secure random bytes (from a TRNG or a DRBG seeded by one) and return 0, or return any
/// other value on failure (the operation then fails with `IOMT_RESULT_CRYPTO_RNG`).
pub type iomt_rng_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, out: *mut u8, out_len: usize) -> i32>;

/// The RNG callback failed.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct RngFailed;

impl fmt::Display for RngFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RNG callback failed")
    }
}

impl core::error::Error for RngFailed {}

/// A `rand_core` RNG over the C callback.
#[doc(hidden)]
pub struct CallbackRng {
    callback: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> i32,
    userdata: *mut c_void,
}

impl rand_core::TryRng for CallbackRng {
    type Error = RngFailed;

    fn try_next_u32(&mut self) -> Result<u32, RngFailed> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, RngFailed> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), RngFailed> {
        if dst.is_empty() {
            return Ok(());
        }
        // SAFETY: `dst` is a valid writable buffer of `dst.len()` bytes; the callback's
        // contract (documented on `iomt_rng_callback`) is to write at most that many.
        let rc = unsafe { (self.callback)(self.userdata, dst.as_mut_ptr(), dst.len()) };
        if rc == 0 { Ok(()) } else { Err(RngFailed) }
    }
}

impl rand_core::TryCryptoRng for CallbackRng {}

/// The crypto provider every handshake and session call uses: RustCrypto, or with the
/// `p256-cortex-m4` feature on Arm the P256-Cortex-M4 assembly for P-256.
#[cfg(not(feature = "test-kit"))]
#[doc(hidden)]
pub type Provider = Backend<CallbackRng>;
/// In test builds (feature `test-kit`) every provider call is counted.
#[cfg(feature = "test-kit")]
#[doc(hidden)]
pub type Provider = crate::counting::Counting<Backend<CallbackRng>>;

/// Size of [`iomt_crypto`] storage in bytes.
pub const IOMT_CRYPTO_SIZE: usize = 32;
/// Alignment of [`iomt_crypto`] storage.
pub const IOMT_CRYPTO_ALIGN: usize = 8;

/// The crypto provider (RustCrypto software backend) with the caller's RNG.
///
/// Caller-allocated: declare one (static, stack or inside your own struct), then
/// `iomt_crypto_init`. One provider may serve many handshakes and sessions, but not
/// concurrently (wrap it in your own lock if several threads share it).
#[repr(C, align(8))]
pub struct iomt_crypto {
    _opaque: [u8; IOMT_CRYPTO_SIZE],
}

storage_asserts!(
    iomt_crypto,
    Provider,
    IOMT_CRYPTO_SIZE,
    IOMT_CRYPTO_ALIGN,
    0x696f_6d74_4352_5950
);

/// Initializes `crypto` with the RNG `rng` (called with `userdata`).
///
/// # Errors
/// `NULL_PARAMETER` if `crypto` or `rng` is NULL; `MISALIGNED_STORAGE`.
///
/// # Safety
/// `crypto` must point to writable `iomt_crypto` storage; `rng` must be safe to call
/// with `userdata` for as long as the provider is used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_crypto_init(
    crypto: *mut iomt_crypto,
    rng: iomt_rng_callback,
    userdata: *mut c_void,
) -> iomt_result {
    ffi_panic_boundary! {
        let callback = rng.ok_or(iomt_result::NullParameter)?;
        let provider = Backend::new(CallbackRng { callback, userdata });
        #[cfg(feature = "test-kit")]
        let provider = crate::counting::Counting(provider);
        // SAFETY: forwarded contract.
        unsafe { boundary::init(crypto, provider) }
    }
}

/// Deinitializes `crypto` (zeroizes the storage). NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `crypto` must point to `iomt_crypto` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_crypto_deinit(crypto: *mut iomt_crypto) -> iomt_result {
    // SAFETY: forwarded contract.
    ffi_panic_boundary! { unsafe { boundary::deinit(crypto) } }
}

/// Fills `out[0..out_len]` from the provider's RNG (for nonces, connection ids, tests).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `CRYPTO_RNG`.
///
/// # Safety
/// `crypto` must point to initialized storage; `out` to `out_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_crypto_random(
    crypto: *mut iomt_crypto,
    out: *mut u8,
    out_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let provider = unsafe { boundary::get_mut(crypto) }?;
        // SAFETY: forwarded contract.
        let out = unsafe { boundary::slice_mut(out, out_len) }?;
        ::iomt_crypto::Random::random_bytes(provider, out).map_err(Into::into)
    }
}

/// Longest credential (CCS bytes) a credential or trust entry holds.
pub const IOMT_MAX_CRED_LEN: usize = 192;
/// Longest `kid` a credential or trust entry holds.
pub const IOMT_MAX_KID_LEN: usize = 16;
/// Length of a peer identity (bytes; shorter identities are zero-padded).
pub const IOMT_IDENTITY_LEN: usize = 16;
/// Length of a P-256 private key (big-endian scalar).
pub const IOMT_PRIVATE_KEY_LEN: usize = 32;
/// Length of an uncompressed SEC1 P-256 public key (`0x04 ‖ x ‖ y`).
pub const IOMT_PUBLIC_KEY_LEN: usize = 65;

// The header needs literal values: keep them equal to the libraries' constants.
const _: () = {
    assert!(IOMT_MAX_CRED_LEN == iomt_auth::edhoc::MAX_CRED_LEN);
    assert!(IOMT_MAX_KID_LEN == iomt_auth::cred::MAX_KID_LEN);
    assert!(IOMT_IDENTITY_LEN == iomt_auth::cred::IDENTITY_LEN);
    assert!(IOMT_PUBLIC_KEY_LEN == ::iomt_crypto::P256_SEC1_UNCOMPRESSED_LEN);
};

/// Bytes of a credential or kid copied into storage.
#[derive(Clone, Copy)]
pub(crate) struct Bytes<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Bytes<N> {
    pub(crate) fn new(src: &[u8]) -> Result<Self, iomt_result> {
        let mut buf = [0u8; N];
        buf.get_mut(..src.len())
            .ok_or(iomt_result::CapacityExceeded)?
            .copy_from_slice(src);
        Ok(Self {
            buf,
            len: src.len(),
        })
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

/// This side's credential: the private key, the CCS, and how ID_CRED refers to it.
pub(crate) struct Credential {
    key: Key,
    ccs: Bytes<IOMT_MAX_CRED_LEN>,
    /// `Some(kid)`: ID_CRED is `{4: kid}` (compact); `None`: the CCS by value (kccs).
    kid: Option<Bytes<IOMT_MAX_KID_LEN>>,
}

impl Credential {
    /// The private key handle (signing audit exports).
    pub(crate) const fn key(&self) -> &Key {
        &self.key
    }

    pub(crate) fn local(&self) -> LocalCredential<'_, Key> {
        LocalCredential {
            key: &self.key,
            cred: self.ccs.as_slice(),
            id_cred: match &self.kid {
                Some(k) => IdCred::Kid(k.as_slice()),
                None => IdCred::Ccs(self.ccs.as_slice()),
            },
        }
    }
}

/// Size of [`iomt_credential`] storage in bytes.
pub const IOMT_CREDENTIAL_SIZE: usize = 448;
/// Alignment of [`iomt_credential`] storage.
pub const IOMT_CREDENTIAL_ALIGN: usize = 8;

/// This device's (or gateway's) long-term key and credential.
#[repr(C, align(8))]
pub struct iomt_credential {
    _opaque: [u8; IOMT_CREDENTIAL_SIZE],
}

storage_asserts!(
    iomt_credential,
    Credential,
    IOMT_CREDENTIAL_SIZE,
    IOMT_CREDENTIAL_ALIGN,
    0x696f_6d74_4352_4544
);

/// Sets up a credential from raw bytes: a 32-byte big-endian P-256 private key, its
/// CCS (CWT Claims Set with a COSE_Key, RFC 8392; at most `IOMT_MAX_CRED_LEN` bytes) and
/// a `kid` by which peers know it (1..=`IOMT_MAX_KID_LEN` bytes). With `kid_len == 0`
/// the credential is sent by value (ID_CRED = kccs).
///
/// The key and CCS are copied; the caller may wipe its copies afterwards.
///
/// # Errors
/// `NULL_PARAMETER`; `CRYPTO_INVALID_LENGTH` / `CRYPTO_INVALID_PRIVATE_KEY` for a bad key;
/// `HANDSHAKE_INVALID_LOCAL_CREDENTIAL` if the CCS does not parse or holds another
/// public key; `CAPACITY_EXCEEDED` if the CCS or kid is too long.
///
/// # Safety
/// `cred` must point to writable `iomt_credential` storage; each buffer must be valid
/// for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_credential_init(
    cred: *mut iomt_credential,
    private_key: *const u8,
    private_key_len: usize,
    ccs: *const u8,
    ccs_len: usize,
    kid: *const u8,
    kid_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        if private_key.is_null() || ccs.is_null() {
            return Err(iomt_result::NullParameter);
        }
        // SAFETY: forwarded contract (all three).
        let (sk, ccs_bytes, kid_bytes) = unsafe {
            (
                boundary::slice(private_key, private_key_len)?,
                boundary::slice(ccs, ccs_len)?,
                boundary::slice(kid, kid_len)?,
            )
        };
        let key = Key::from_bytes(sk)?;
        let view =
            CcsView::parse(ccs_bytes).map_err(|_| iomt_result::HandshakeInvalidLocalCredential)?;
        if view.public_key != *key.public_key() {
            return Err(iomt_result::HandshakeInvalidLocalCredential);
        }
        let value = Credential {
            key,
            ccs: Bytes::new(ccs_bytes)?,
            kid: if kid_bytes.is_empty() {
                None
            } else {
                Some(Bytes::new(kid_bytes)?)
            },
        };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(cred, value) }
    }
}

/// Writes the credential's public key (`IOMT_PUBLIC_KEY_LEN` bytes, SEC1 uncompressed).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`, `BUFFER_TOO_SMALL`.
///
/// # Safety
/// `cred` must point to initialized storage; `out` to `out_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_credential_public_key(
    cred: *const iomt_credential,
    out: *mut u8,
    out_len: usize,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let c = unsafe { boundary::get(cred) }?;
        // SAFETY: forwarded contract.
        let out = unsafe { boundary::slice_mut(out, out_len) }?;
        let pk = c.key.public_key().to_sec1_uncompressed();
        out.get_mut(..pk.len())
            .ok_or(iomt_result::BufferTooSmall)?
            .copy_from_slice(&pk);
        Ok(())
    }
}

/// Deinitializes `cred`: the private key and the storage are zeroized. NULL and
/// repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `cred` must point to `iomt_credential` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_credential_deinit(cred: *mut iomt_credential) -> iomt_result {
    // SAFETY: forwarded contract.
    ffi_panic_boundary! { unsafe { boundary::deinit(cred) } }
}

/// How many peers a trust store holds.
pub const IOMT_TRUST_STORE_CAPACITY: usize = 4;

/// One trusted peer.
#[derive(Clone, Copy)]
struct Entry {
    kid: Bytes<IOMT_MAX_KID_LEN>,
    ccs: Bytes<IOMT_MAX_CRED_LEN>,
    identity: PeerIdentity,
    roles: RoleSet,
}

/// The trusted peers, copied in, and the revocation list the handshake checks them
/// against (`iomt_trust_store_install_revocations`).
pub(crate) struct Trust {
    entries: [Option<Entry>; IOMT_TRUST_STORE_CAPACITY],
    pub(crate) revocations: RevocationState,
}

impl TrustStore for Trust {
    fn resolve<'a>(&'a self, id_cred: &IdCred<'a>) -> Option<TrustedCredential<'a>> {
        self.entries.iter().flatten().find_map(|e| {
            let hit = match id_cred {
                IdCred::Kid(k) => !e.kid.as_slice().is_empty() && e.kid.as_slice() == *k,
                IdCred::Ccs(c) => e.ccs.as_slice() == *c,
            };
            hit.then_some(TrustedCredential {
                cred: e.ccs.as_slice(),
                identity: e.identity,
                roles: e.roles,
            })
        })
    }

    fn revocations(&self) -> Option<&RevocationState> {
        Some(&self.revocations)
    }
}

/// Size of [`iomt_trust_store`] storage in bytes.
pub const IOMT_TRUST_STORE_SIZE: usize = 2176;
/// Alignment of [`iomt_trust_store`] storage.
pub const IOMT_TRUST_STORE_ALIGN: usize = 8;

/// The peers this side accepts: up to `IOMT_TRUST_STORE_CAPACITY` credentials, each
/// with the identity and roles the handshake reports for it, minus those on the
/// installed revocation list (`iomt_trust_store_install_revocations`).
#[repr(C, align(8))]
pub struct iomt_trust_store {
    _opaque: [u8; IOMT_TRUST_STORE_SIZE],
}

storage_asserts!(
    iomt_trust_store,
    Trust,
    IOMT_TRUST_STORE_SIZE,
    IOMT_TRUST_STORE_ALIGN,
    0x696f_6d74_5452_5354
);

/// Initializes an empty trust store.
///
/// # Errors
/// `NULL_PARAMETER`, `MISALIGNED_STORAGE`.
///
/// # Safety
/// `store` must point to writable `iomt_trust_store` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_trust_store_init(store: *mut iomt_trust_store) -> iomt_result {
    ffi_panic_boundary! {
        let value = Trust {
            entries: [None; IOMT_TRUST_STORE_CAPACITY],
            revocations: RevocationState::new(),
        };
        // SAFETY: forwarded contract.
        unsafe { boundary::init(store, value) }
    }
}

/// Adds a trusted peer: its CCS credential, the `kid` it is referenced by (may be empty
/// if the peer sends its credential by value), its identity (up to `IOMT_IDENTITY_LEN`
/// bytes, zero-padded) and its roles (bit `IOMT_ROLE_*` set for each role).
///
/// # Errors
/// `NULL_PARAMETER`, `NOT_INITIALIZED`; `HANDSHAKE_INVALID_CREDENTIAL` if the CCS does
/// not parse; `CAPACITY_EXCEEDED` if the store is full or a field too long.
///
/// # Safety
/// `store` must point to initialized storage; each buffer must be valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_trust_store_add(
    store: *mut iomt_trust_store,
    ccs: *const u8,
    ccs_len: usize,
    kid: *const u8,
    kid_len: usize,
    identity: *const u8,
    identity_len: usize,
    roles: u16,
) -> iomt_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        let t = unsafe { boundary::get_mut(store) }?;
        // SAFETY: forwarded contract (three buffers).
        let (ccs_bytes, kid_bytes, identity_bytes) = unsafe {
            (
                boundary::slice(ccs, ccs_len)?,
                boundary::slice(kid, kid_len)?,
                boundary::slice(identity, identity_len)?,
            )
        };
        if ccs_bytes.is_empty() {
            return Err(iomt_result::NullParameter);
        }
        if identity_bytes.len() > IOMT_IDENTITY_LEN {
            return Err(iomt_result::CapacityExceeded);
        }
        CcsView::parse(ccs_bytes).map_err(|_| iomt_result::HandshakeInvalidCredential)?;
        let entry = Entry {
            kid: Bytes::new(kid_bytes)?,
            ccs: Bytes::new(ccs_bytes)?,
            identity: PeerIdentity::from_slice(identity_bytes),
            roles: RoleSet::from_bits(roles)?,
        };
        let free = t
            .entries
            .iter_mut()
            .find(|e| e.is_none())
            .ok_or(iomt_result::CapacityExceeded)?;
        *free = Some(entry);
        Ok(())
    }
}

/// Deinitializes `store`. NULL and repeated calls are fine.
///
/// # Errors
/// `MISALIGNED_STORAGE`.
///
/// # Safety
/// A non-NULL `store` must point to `iomt_trust_store` storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn iomt_trust_store_deinit(store: *mut iomt_trust_store) -> iomt_result {
    // SAFETY: forwarded contract.
    ffi_panic_boundary! { unsafe { boundary::deinit(store) } }
}
