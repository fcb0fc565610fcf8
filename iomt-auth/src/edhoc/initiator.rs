//! The initiator typestates.
//!
//! The handshake steps (`prepare_message_1` … `process_message_4`) are `#[inline(never)]`:
//! a device image calls each once, and inlining them all into the caller made LLVM
//! spread the states over the stack and copy them field by field. Kept out of line, the
//! lakers-like device image (`cargo xtask footprint`) was about 370 B smaller with
//! RustCrypto and 1.9 KB smaller with `p256-cortex-m4` at opt-level s, 500 B at z. The
//! cost: the states are copied into and out of the calls (about 1,500–3,000 more
//! instructions per handshake) and the peak stack of a method-3 initiator handshake
//! grew from 2,760 / 3,244 to 3,760 bytes (RustCrypto / p256-cortex-m4, `bench`).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;
use core::marker::PhantomData;

use iomt_crypto::{CryptoProvider, Digest, Prk, PublicKey};

use super::common::{
    Params, check_local, compute_mac, decrypt_message_4, encrypt_message_3, mac_matches,
    sign_or_mac, verify_signature,
};
use super::completed::Completed;
use super::ead::{Ead, EadItem, EadLabels, ReceivedEad};
use super::kdf::{self, label};
use super::msg::{self, ErrorMessage};
use super::{ConnId, MAX_CRED_LEN, MAX_PLAINTEXT_2_LEN, Method, Suite, SuiteList, sig_or_mac_len};
use crate::cbor::Decoder;
use crate::cred::{
    CcsView, IdCred, LocalCredential, PeerIdentity, RoleSet, TrustStore, TrustedCredential,
};
use crate::error::{ApiMisuse, AuthError, PeerMisbehaved};

/// Initiator configuration.
#[derive(Clone, Copy, Debug)]
pub struct InitiatorConfig<'a> {
    /// The method (fixes which side signs and which uses static DH).
    pub method: Method,
    /// Cipher suites in order of preference (most preferred first), at most
    /// [`SuiteList::CAPACITY`]. The first implemented one (2 or 5) is selected, unless
    /// a SUITES_R from an earlier error restricts the choice. Unimplemented numbers may
    /// be listed only to keep the preference order stable (RFC 9528 §5.2.2).
    pub suites: &'a [u8],
    /// C_I.
    pub c_i: ConnId,
    /// Whether message_4 is expected (application profile).
    pub expect_message_4: bool,
    /// EAD labels the application understands (critical items with other labels abort).
    pub ead_labels: EadLabels,
}

/// Start state: nothing sent yet.
///
/// ```
/// use iomt_auth::edhoc::{ConnId, EadLabels, Initiator, InitiatorConfig, Method, Suite};
/// use iomt_crypto::RustCryptoProvider;
/// let cfg = InitiatorConfig {
///     method: Method::StatStat,
///     suites: &[5, 2],
///     c_i: ConnId::new(&[0x37])?,
///     expect_message_4: false,
///     ead_labels: EadLabels::NONE,
/// };
/// let init = Initiator::<RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>>::new(&cfg)?;
/// assert_eq!(init.selected_suite(), Suite::Suite5);
/// let mut crypto = RustCryptoProvider::with_os_rng();
/// let mut m1 = [0u8; 64];
/// let (_wait_message_2, n) = init.prepare_message_1(&mut crypto, &[], &mut m1)?;
/// assert_eq!(n, 37); // METHOD, SUITES_I = 5, G_X (34), C_I
/// assert_eq!(&m1[..2], &[0x03, 0x05]);
/// # Ok::<(), iomt_auth::AuthError>(())
/// ```
pub struct Initiator<C: CryptoProvider> {
    params: Params,
    _c: PhantomData<fn() -> C>,
}

impl<C: CryptoProvider> fmt::Debug for Initiator<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Initiator")
            .field("params", &self.params)
            .finish()
    }
}

impl<C: CryptoProvider> Initiator<C> {
    /// A new initiator selecting its most preferred implemented suite.
    ///
    /// # Errors
    /// [`ApiMisuse::InvalidConfig`] if the suite list is empty, too long, or names no
    /// implemented suite; [`ApiMisuse::MethodNotBuilt`] if the method needs a feature this
    /// build lacks (`signature-methods` for methods 0–2); [`AuthError::Crypto`] with
    /// `AesCcmNotBuilt` / `ChaCha20Poly1305NotBuilt` if a listed suite's AEAD is not built
    /// into the provider (iomt-crypto features `aes-ccm`, `chacha20poly1305`).
    pub fn new(config: &InitiatorConfig<'_>) -> Result<Self, AuthError> {
        Self::with_suites_r(config, None)
    }

    /// A new initiator that selects its most preferred suite among `suites_r` (the
    /// SUITES_R of an earlier ERR_CODE 2 error from this responder).
    ///
    /// # Errors
    /// [`ApiMisuse::InvalidConfig`] if no suite qualifies.
    pub fn with_suites_r(
        config: &InitiatorConfig<'_>,
        suites_r: Option<&SuiteList>,
    ) -> Result<Self, AuthError> {
        let prefs = SuiteList::new(config.suites)?;
        let params = Params {
            method: config.method,
            suite: Suite::Suite2,
            prefs,
            selected_index: 0,
            c_i: config.c_i,
            c_r: ConnId::default(),
            message_4: config.expect_message_4,
            ead_labels: config.ead_labels,
        };
        Self::from_params(params, suites_r)
    }

    fn from_params(mut params: Params, suites_r: Option<&SuiteList>) -> Result<Self, AuthError> {
        if !params.method.is_supported() {
            return Err(AuthError::ApiMisuse(ApiMisuse::MethodNotBuilt));
        }
        params.prefs.check_built::<C>()?;
        let prefs = params.prefs;
        let (idx, suite) = prefs
            .as_slice()
            .iter()
            .enumerate()
            .find_map(|(i, id)| {
                let s = Suite::from_id(*id)?;
                match suites_r {
                    Some(r) if !r.contains(*id) => None,
                    _ => Some((i, s)),
                }
            })
            .ok_or(AuthError::ApiMisuse(ApiMisuse::InvalidConfig))?;
        params.selected_index =
            u8::try_from(idx).map_err(|_| AuthError::ApiMisuse(ApiMisuse::InvalidConfig))?;
        params.suite = suite;
        Ok(Self {
            params,
            _c: PhantomData,
        })
    }

    /// The selected suite.
    #[must_use]
    pub const fn selected_suite(&self) -> Suite {
        self.params.suite
    }

    /// Generates the ephemeral key and writes message_1 into `out`.
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`], [`ApiMisuse::InvalidEad`], crypto failures.
    #[inline(never)]
    pub fn prepare_message_1(
        self,
        crypto: &mut C,
        ead_1: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<(InitiatorWaitMessage2<C>, usize), AuthError> {
        let mut ead = [0u8; super::MAX_EAD_LEN];
        let ead_len = super::ead::encode_items(ead_1, &mut ead)?;
        let (x, g_x) = crypto.p256_generate_ephemeral()?;
        let suites_i = self
            .params
            .prefs
            .as_slice()
            .get(..=usize::from(self.params.selected_index))
            .ok_or(AuthError::ApiMisuse(ApiMisuse::InvalidConfig))?;
        let n = msg::encode_message_1(
            out,
            self.params.method.id(),
            suites_i,
            g_x.x(),
            &self.params.c_i,
            ead.get(..ead_len).unwrap_or(&[]),
        )?;
        let h_m1 = kdf::h_message_1(crypto, out.get(..n).unwrap_or(&[]));
        Ok((
            InitiatorWaitMessage2 {
                params: self.params,
                x,
                h_m1,
            },
            n,
        ))
    }
}

/// Waiting for message_2 (holds X and H(message_1)).
pub struct InitiatorWaitMessage2<C: CryptoProvider> {
    params: Params,
    x: C::EphemeralSecret,
    h_m1: Digest,
}

impl<C: CryptoProvider> fmt::Debug for InitiatorWaitMessage2<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitiatorWaitMessage2")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl<C: CryptoProvider> InitiatorWaitMessage2<C> {
    /// Decodes message_2, decrypts PLAINTEXT_2 **in place** in `message_2`, and exposes
    /// ID_CRED_R and EAD_2. Nothing is authenticated yet.
    ///
    /// # Errors
    /// [`AuthError::PeerError`] if `message_2` is an EDHOC error message (see
    /// [`Self::retry_after_error`] for ERR_CODE 2); [`AuthError::PeerMisbehaved`] for a
    /// malformed message, invalid G_Y, wrong Signature_or_MAC_2 length, unknown critical
    /// EAD.
    ///
    /// # Security
    /// If this returns an error after decryption, the decrypted region of `message_2` has
    /// been wiped. On success the returned value borrows PLAINTEXT_2; if verification then
    /// fails (or the value is dropped), wipe `message_2` yourself
    /// ([`InitiatorState::handle_message_2`](super::InitiatorState::handle_message_2) does).
    #[inline(never)]
    pub fn parse_message_2<'m>(
        self,
        crypto: &mut C,
        message_2: &'m mut [u8],
    ) -> Result<InitiatorMessage2Received<'m, C>, AuthError> {
        let invalid = AuthError::PeerMisbehaved(PeerMisbehaved::InvalidMessage);
        let range = msg::single_bstr_range(message_2)?;
        let body: &'m mut [u8] = message_2.get_mut(range).ok_or(invalid)?;
        let (g_y_bytes, ct) = body.split_at_mut_checked(32).ok_or(invalid)?;
        if ct.is_empty() {
            return Err(invalid);
        }
        if ct.len() > MAX_PLAINTEXT_2_LEN {
            return Err(PeerMisbehaved::TooLarge.into());
        }
        let g_y = crypto
            .p256_public_key_from_x(g_y_bytes)
            .map_err(|_| AuthError::PeerMisbehaved(PeerMisbehaved::InvalidPublicKey))?;
        let g_xy = crypto.p256_ecdh_ephemeral(&self.x, &g_y)?;
        let th_2 = kdf::th_2(crypto, g_y.x(), &self.h_m1);
        let prk_2e = crypto.hkdf_sha256_extract(&th_2, g_xy.as_bytes());
        drop(g_xy);
        let mut ks = [0u8; MAX_PLAINTEXT_2_LEN];
        let ks_part = ks.get_mut(..ct.len()).ok_or(invalid)?;
        let r = kdf::kdf(
            crypto,
            &prk_2e,
            u16::from(label::KEYSTREAM_2),
            &th_2,
            ks_part,
        );
        for (p, k) in ct.iter_mut().zip(ks_part.iter()) {
            *p ^= *k;
        }
        // Only `ks_part` was written (the rest of `ks` is still zero): wiping just it
        // costs ct.len() volatile writes instead of MAX_PLAINTEXT_2_LEN.
        zeroize::Zeroize::zeroize(ks_part);
        // From here on `ct` holds PLAINTEXT_2: on every failure it is wiped before
        // returning, so no decrypted bytes stay in the caller's buffer. (The borrow
        // checker can't return the views conditionally, so a successful check is
        // followed by a second, identical parse over the shared borrow.)
        if let Err(e) = r.and_then(|()| parse_plaintext_2(ct, &self.params).map(|_| ())) {
            zeroize::Zeroize::zeroize(ct);
            return Err(e);
        }
        let plaintext: &'m [u8] = ct;
        let (c_r, id_cred_r, sig_or_mac, ead_2) = parse_plaintext_2(plaintext, &self.params)?;
        let mut params = self.params;
        params.c_r = c_r;
        Ok(InitiatorMessage2Received {
            params,
            x: self.x,
            g_y,
            th_2,
            prk_2e,
            id_cred_r,
            sig_or_mac,
            ead_2,
            plaintext,
        })
    }

    /// Handles an EDHOC error received instead of message_2. For ERR_CODE 2 returns a
    /// fresh [`Initiator`] that selects its most preferred suite among SUITES_R (a new
    /// ephemeral key is generated by its `prepare_message_1`, RFC 9528 §6.3.2).
    ///
    /// # Errors
    /// [`AuthError::PeerError`] with the received code if it is not ERR_CODE 2, or if no
    /// suite in SUITES_R is acceptable; parse errors for a malformed error message.
    pub fn retry_after_error(self, error: &[u8]) -> Result<Initiator<C>, AuthError> {
        let e = ErrorMessage::parse(error)?;
        match (e.code, e.suites_r) {
            (2, Some(r)) => Initiator::from_params(self.params, Some(&r))
                .map_err(|_| AuthError::PeerError { code: 2 }),
            (code, _) => Err(AuthError::PeerError { code }),
        }
    }
}

/// PLAINTEXT_2 = ( C_R, ID_CRED_R, Signature_or_MAC_2, ? EAD_2 ), checked against the
/// method and suite (Signature_or_MAC_2 length) and the EAD critical rule.
fn parse_plaintext_2<'p>(
    plaintext: &'p [u8],
    params: &Params,
) -> Result<(ConnId, IdCred<'p>, &'p [u8], Ead<'p>), AuthError> {
    let invalid = AuthError::PeerMisbehaved(PeerMisbehaved::InvalidMessage);
    let mut d = Decoder::new(plaintext);
    let c_r = msg::decode_conn_id(&mut d)?;
    let id_cred_r = IdCred::decode_compact(&mut d)?;
    let sig_or_mac = d.bstr().map_err(|_| invalid)?;
    let resp_static = params.method.responder_static();
    if sig_or_mac.len() != sig_or_mac_len(resp_static, params.suite) {
        return Err(invalid);
    }
    let ead_2 = Ead::parse(d.rest(), &params.ead_labels)?;
    Ok((c_r, id_cred_r, sig_or_mac, ead_2))
}

/// message_2 decrypted and parsed; the application looks up ID_CRED_R, then calls
/// [`Self::verify_message_2`]. Borrows the decrypted message buffer.
pub struct InitiatorMessage2Received<'m, C: CryptoProvider> {
    params: Params,
    x: C::EphemeralSecret,
    g_y: PublicKey,
    th_2: Digest,
    prk_2e: Prk,
    id_cred_r: IdCred<'m>,
    sig_or_mac: &'m [u8],
    ead_2: Ead<'m>,
    plaintext: &'m [u8],
}

impl<C: CryptoProvider> fmt::Debug for InitiatorMessage2Received<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitiatorMessage2Received")
            .field("params", &self.params)
            .field("id_cred_r", &self.id_cred_r)
            .field("ead_2", &self.ead_2)
            .finish_non_exhaustive()
    }
}

impl<'m, C: CryptoProvider> InitiatorMessage2Received<'m, C> {
    /// The responder's credential identifier (unauthenticated until verified).
    #[must_use]
    pub const fn id_cred_r(&self) -> IdCred<'m> {
        self.id_cred_r
    }

    /// EAD_2 (unauthenticated until verified).
    #[must_use]
    pub const fn ead_2(&self) -> Ead<'m> {
        self.ead_2
    }

    /// C_R.
    #[must_use]
    pub const fn c_r(&self) -> ConnId {
        self.params.c_r
    }

    /// Resolves ID_CRED_R in `store` and verifies.
    ///
    /// # Errors
    /// [`AuthError::UnknownCredential`] if the store has no credential;
    /// [`AuthError::Revocation`] if the store's revocation list names it (see
    /// [`crate::cred::lookup`]); otherwise as [`Self::verify_message_2`].
    pub fn verify_with_store<S: TrustStore + ?Sized>(
        self,
        crypto: &mut C,
        store: &S,
    ) -> Result<InitiatorMessage2Verified<C>, AuthError> {
        let cred = crate::cred::lookup(crypto, store, &self.id_cred_r)?;
        self.verify_message_2(crypto, cred)
    }

    /// Verifies Signature_or_MAC_2 with the responder's credential.
    ///
    /// # Errors
    /// [`AuthError::AuthenticationFailed`] on a bad MAC or signature;
    /// [`PeerMisbehaved::InvalidCredential`] / [`PeerMisbehaved::InvalidPublicKey`] if
    /// the credential is not a valid P-256 CCS; [`PeerMisbehaved::TooLarge`] if it exceeds
    /// [`MAX_CRED_LEN`].
    #[inline(never)]
    pub fn verify_message_2(
        self,
        crypto: &mut C,
        peer: TrustedCredential<'_>,
    ) -> Result<InitiatorMessage2Verified<C>, AuthError> {
        if peer.cred.len() > MAX_CRED_LEN {
            return Err(PeerMisbehaved::TooLarge.into());
        }
        let ccs = CcsView::parse(peer.cred)?;
        let p = &self.params;
        let resp_static = p.method.responder_static();
        let prk_3e2m = if resp_static {
            let salt = kdf::kdf_prk(
                crypto,
                &self.prk_2e,
                u16::from(label::SALT_3E2M),
                &self.th_2,
            )?;
            let g_rx = crypto.p256_ecdh_ephemeral(&self.x, &ccs.public_key)?;
            crypto.hkdf_sha256_extract(salt.as_bytes(), g_rx.as_bytes())
        } else {
            Prk::from_bytes(*self.prk_2e.as_bytes())
        };
        let mut mac = [0u8; super::HASH_LEN];
        let mac_len = super::mac_len(resp_static, p.suite);
        let mac = mac
            .get_mut(..mac_len)
            .ok_or(AuthError::AuthenticationFailed)?;
        compute_mac(
            crypto,
            &prk_3e2m,
            label::MAC_2,
            Some(&p.c_r),
            &self.id_cred_r,
            &self.th_2,
            peer.cred,
            self.ead_2.raw(),
            mac,
        )?;
        if resp_static {
            mac_matches(mac, self.sig_or_mac)?;
        } else {
            verify_signature(
                crypto,
                &ccs.public_key,
                &self.id_cred_r,
                &self.th_2,
                peer.cred,
                self.ead_2.raw(),
                mac,
                self.sig_or_mac,
            )?;
        }
        let th_3 = kdf::th_next(crypto, &self.th_2, self.plaintext, peer.cred);
        Ok(InitiatorMessage2Verified {
            ead_2: ReceivedEad::copy_of(self.ead_2)?,
            params: self.params,
            prk_3e2m,
            th_3,
            g_y: self.g_y,
            peer_identity: peer.identity,
            peer_roles: peer.roles,
            _c: PhantomData,
        })
    }
}

/// message_2 verified: the responder is authenticated. Next: [`Self::prepare_message_3`].
pub struct InitiatorMessage2Verified<C: CryptoProvider> {
    params: Params,
    ead_2: ReceivedEad,
    prk_3e2m: Prk,
    th_3: Digest,
    g_y: PublicKey,
    peer_identity: PeerIdentity,
    peer_roles: RoleSet,
    _c: PhantomData<fn() -> C>,
}

impl<C: CryptoProvider> fmt::Debug for InitiatorMessage2Verified<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitiatorMessage2Verified")
            .field("params", &self.params)
            .field("peer_identity", &self.peer_identity)
            .finish_non_exhaustive()
    }
}

/// What follows message_3: message_4 (if configured) or completion.
#[derive(Debug)]
pub enum AfterMessage3<C: CryptoProvider> {
    /// message_4 is expected.
    WaitMessage4(InitiatorWaitMessage4<C>),
    /// The handshake is complete (no message_4 in this profile).
    Completed(Completed),
}

impl<C: CryptoProvider> InitiatorMessage2Verified<C> {
    /// The authenticated responder identity (from the trust store).
    #[must_use]
    pub const fn peer_identity(&self) -> PeerIdentity {
        self.peer_identity
    }

    /// EAD_2 (authenticated: message_2 verified).
    #[must_use]
    pub fn ead_2(&self) -> Ead<'_> {
        self.ead_2.ead()
    }

    /// TH_3, known before message_3 is built (e.g. for an operator-factor MAC in EAD_3,
    /// see `crate::factor`).
    #[must_use]
    pub const fn th_3(&self) -> &Digest {
        &self.th_3
    }

    /// Writes message_3 (with EAD_3) into `out`.
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`], [`ApiMisuse::InvalidLocalCredential`],
    /// [`ApiMisuse::InvalidEad`], crypto failures (key handle).
    #[inline(never)]
    pub fn prepare_message_3(
        self,
        crypto: &mut C,
        own: &LocalCredential<'_, C::KeyHandle>,
        ead_3: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<(AfterMessage3<C>, usize), AuthError> {
        check_local(own)?;
        let p = &self.params;
        let init_static = p.method.initiator_static();
        let prk_4e3m = if init_static {
            let salt = kdf::kdf_prk(
                crypto,
                &self.prk_3e2m,
                u16::from(label::SALT_4E3M),
                &self.th_3,
            )?;
            let g_iy = crypto.p256_ecdh_static(own.key, &self.g_y)?;
            crypto.hkdf_sha256_extract(salt.as_bytes(), g_iy.as_bytes())
        } else {
            Prk::from_bytes(*self.prk_3e2m.as_bytes())
        };
        let mut ead = [0u8; super::MAX_EAD_LEN];
        let ead_len = super::ead::encode_items(ead_3, &mut ead)?;
        let ead = ead.get(..ead_len).unwrap_or(&[]);
        let mut som = [0u8; super::SIGNATURE_LEN];
        let som_len = sign_or_mac(
            crypto,
            &prk_4e3m,
            label::MAC_3,
            None,
            own,
            &self.th_3,
            ead,
            init_static,
            p.suite,
            &mut som,
        )?;
        let (n, th_4) = encrypt_message_3(
            crypto,
            p.suite,
            &self.prk_3e2m,
            &self.th_3,
            &own.id_cred,
            som.get(..som_len).unwrap_or(&[]),
            ead,
            own.cred,
            out,
        )?;
        let next = if p.message_4 {
            AfterMessage3::WaitMessage4(InitiatorWaitMessage4 {
                params: self.params,
                prk_4e3m,
                th_4,
                th_3: self.th_3,
                peer_identity: self.peer_identity,
                peer_roles: self.peer_roles,
                _c: PhantomData,
            })
        } else {
            AfterMessage3::Completed(Completed::derive(
                crypto,
                &prk_4e3m,
                &th_4,
                &self.params,
                super::completed::Peer {
                    identity: self.peer_identity,
                    roles: self.peer_roles,
                    th_3: self.th_3,
                    received_ead: self.ead_2,
                },
            )?)
        };
        Ok((next, n))
    }
}

/// message_3 sent, waiting for message_4.
pub struct InitiatorWaitMessage4<C: CryptoProvider> {
    params: Params,
    prk_4e3m: Prk,
    th_3: Digest,
    th_4: Digest,
    peer_identity: PeerIdentity,
    peer_roles: RoleSet,
    _c: PhantomData<fn() -> C>,
}

impl<C: CryptoProvider> fmt::Debug for InitiatorWaitMessage4<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitiatorWaitMessage4")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl<C: CryptoProvider> InitiatorWaitMessage4<C> {
    /// Decrypts and verifies message_4 in place; returns the completed session and EAD_4.
    ///
    /// # Errors
    /// [`AuthError::AuthenticationFailed`] on a bad tag; [`AuthError::PeerError`] for an
    /// error message; structural errors.
    #[inline(never)]
    pub fn process_message_4<'m>(
        self,
        crypto: &mut C,
        message_4: &'m mut [u8],
    ) -> Result<(Completed, Ead<'m>), AuthError> {
        let ead = decrypt_message_4(crypto, &self.params, &self.prk_4e3m, &self.th_4, message_4)?;
        let done = Completed::derive(
            crypto,
            &self.prk_4e3m,
            &self.th_4,
            &self.params,
            super::completed::Peer {
                identity: self.peer_identity,
                roles: self.peer_roles,
                th_3: self.th_3,
                received_ead: ReceivedEad::copy_of(ead)?,
            },
        )?;
        Ok((done, ead))
    }
}
