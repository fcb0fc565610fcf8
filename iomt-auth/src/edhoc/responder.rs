//! The responder typestates.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;
use core::marker::PhantomData;

use iomt_crypto::{CryptoProvider, Digest, Prk, PublicKey};

use super::common::{
    Params, check_local, compute_mac, decrypt_message_3, encrypt_message_4, mac_matches,
    sign_or_mac, verify_signature,
};
use super::completed::Completed;
use super::ead::{Ead, EadItem, EadLabels, ReceivedEad};
use super::kdf::{self, label};
use super::msg::{self, ErrInfo, HEAD_ROOM};
use super::{
    ConnId, HASH_LEN, MAX_CRED_LEN, MAX_EAD_LEN, MAX_PLAINTEXT_2_LEN, Method, SIGNATURE_LEN, Suite,
    SuiteList, sig_or_mac_len,
};
use crate::cbor::{Decoder, Encoder};
use crate::cred::{
    CcsView, IdCred, LocalCredential, PeerIdentity, RoleSet, TrustStore, TrustedCredential,
};
use crate::error::{ApiMisuse, AuthError, PeerMisbehaved};

/// Responder configuration.
#[derive(Clone, Copy, Debug)]
pub struct ResponderConfig<'a> {
    /// The cipher suites this responder supports (each must be 2 or 5). Also SUITES_R in
    /// ERR_CODE 2 errors.
    pub suites: &'a [u8],
    /// Accepted methods.
    pub methods: &'a [Method],
    /// C_R.
    pub c_r: ConnId,
    /// Whether message_4 is sent (application profile).
    pub send_message_4: bool,
    /// EAD labels the application understands.
    pub ead_labels: EadLabels,
}

/// A responder waiting for message_1. It holds no secret and can be reused for many
/// sessions ([`Self::process_message_1`] borrows it).
///
/// ```
/// use iomt_auth::edhoc::{ConnId, EadLabels, Method, Responder, ResponderConfig};
/// use iomt_crypto::RustCryptoProvider;
/// # fn h(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect() }
/// let r = Responder::<RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>>::new(&ResponderConfig {
///     suites: &[2],
///     methods: &Method::ALL,
///     c_r: ConnId::new(&[0x27])?,
///     send_message_4: false,
///     ead_labels: EadLabels::NONE,
/// })?;
/// // RFC 9529 §3: a message_1 selecting suite 6 is answered with error (2, SUITES_R = 2)
/// let m1 = h("03065820741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa90e");
/// let err = r.process_message_1(&mut RustCryptoProvider::with_os_rng(), &m1).unwrap_err();
/// let mut out = [0u8; 8];
/// let n = r.error_message(&err, &mut out)?.unwrap();
/// assert_eq!(&out[..n], &[0x02, 0x02]);
/// # Ok::<(), iomt_auth::AuthError>(())
/// ```
pub struct Responder<C: CryptoProvider> {
    suites: SuiteList,
    methods: u8,
    c_r: ConnId,
    message_4: bool,
    ead_labels: EadLabels,
    _c: PhantomData<fn() -> C>,
}

impl<C: CryptoProvider> Clone for Responder<C> {
    fn clone(&self) -> Self {
        Self {
            suites: self.suites,
            methods: self.methods,
            c_r: self.c_r,
            message_4: self.message_4,
            ead_labels: self.ead_labels,
            _c: PhantomData,
        }
    }
}

impl<C: CryptoProvider> fmt::Debug for Responder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responder")
            .field("suites", &self.suites)
            .field("methods", &self.methods)
            .field("c_r", &self.c_r)
            .finish_non_exhaustive()
    }
}

impl<C: CryptoProvider> Responder<C> {
    /// A new responder.
    ///
    /// # Errors
    /// [`ApiMisuse::InvalidConfig`] if a suite is not implemented or a list is empty/too long;
    /// [`ApiMisuse::MethodNotBuilt`] if a method needs a feature this build lacks;
    /// [`AuthError::Crypto`] with `AesCcmNotBuilt` / `ChaCha20Poly1305NotBuilt` if a
    /// listed suite's AEAD is not built into the provider (iomt-crypto features).
    pub fn new(config: &ResponderConfig<'_>) -> Result<Self, AuthError> {
        let suites = SuiteList::new(config.suites)?;
        if suites
            .as_slice()
            .iter()
            .any(|s| Suite::from_id(*s).is_none())
            || config.methods.is_empty()
        {
            return Err(ApiMisuse::InvalidConfig.into());
        }
        if config.methods.iter().any(|m| !m.is_supported()) {
            return Err(ApiMisuse::MethodNotBuilt.into());
        }
        suites.check_built::<C>()?;
        let methods = config.methods.iter().fold(0u8, |m, x| m | x.bit());
        Ok(Self {
            suites,
            methods,
            c_r: config.c_r,
            message_4: config.send_message_4,
            ead_labels: config.ead_labels,
            _c: PhantomData,
        })
    }

    /// The supported suites (SUITES_R).
    #[must_use]
    pub const fn supported_suites(&self) -> &SuiteList {
        &self.suites
    }

    /// Decodes and checks message_1 (method, suite negotiation per RFC 9528 §5.2.3, G_X
    /// validation, EAD_1 criticality).
    ///
    /// # Errors
    /// [`PeerMisbehaved::WrongSelectedSuite`] if the selected suite is unsupported or a
    /// more preferred one in SUITES_I is supported (answer with [`Self::error_message`],
    /// which sends SUITES_R); [`PeerMisbehaved::UnsupportedMethod`];
    /// [`PeerMisbehaved::InvalidPublicKey`]; structural errors.
    pub fn process_message_1(
        &self,
        crypto: &mut C,
        message_1: &[u8],
    ) -> Result<ResponderMessage1Received<C>, AuthError> {
        let m1 = msg::decode_message_1(message_1)?;
        let method = Method::from_id(m1.method)
            .filter(|m| self.methods & m.bit() != 0)
            .ok_or(AuthError::PeerMisbehaved(PeerMisbehaved::UnsupportedMethod))?;
        let offered = m1.suites_i.as_slice();
        let first_supported = offered
            .iter()
            .position(|s| self.suites.contains(*s))
            .ok_or(AuthError::PeerMisbehaved(
                PeerMisbehaved::WrongSelectedSuite,
            ))?;
        if first_supported.checked_add(1) != Some(offered.len()) {
            return Err(PeerMisbehaved::WrongSelectedSuite.into());
        }
        let suite =
            offered
                .last()
                .and_then(|s| Suite::from_id(*s))
                .ok_or(AuthError::PeerMisbehaved(
                    PeerMisbehaved::WrongSelectedSuite,
                ))?;
        let g_x = crypto
            .p256_public_key_from_x(m1.g_x)
            .map_err(|_| AuthError::PeerMisbehaved(PeerMisbehaved::InvalidPublicKey))?;
        let ead_1 = ReceivedEad::copy_of(Ead::parse(m1.ead, &self.ead_labels)?)?;
        let h_m1 = kdf::h_message_1(crypto, message_1);
        Ok(ResponderMessage1Received {
            params: Params {
                method,
                suite,
                prefs: SuiteList::default(),
                selected_index: 0,
                c_i: m1.c_i,
                c_r: self.c_r,
                message_4: self.message_4,
                ead_labels: self.ead_labels,
            },
            g_x,
            h_m1,
            ead_1,
            _c: PhantomData,
        })
    }

    /// Writes the EDHOC error message that answers `err` (RFC 9528 §6): ERR_CODE 2 with
    /// this responder's SUITES_R, 3 for an unknown credential, 1 with a diagnostic text
    /// otherwise. Returns `Ok(None)` if no error message must be sent (`err` was itself a
    /// received error).
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`].
    pub fn error_message(
        &self,
        err: &AuthError,
        out: &mut [u8],
    ) -> Result<Option<usize>, AuthError> {
        write_error_for(err, &self.suites, out)
    }
}

/// Writes the error message answering `err` (shared by both state enums).
pub(crate) fn write_error_for(
    err: &AuthError,
    suites_r: &SuiteList,
    out: &mut [u8],
) -> Result<Option<usize>, AuthError> {
    let info = match err.wire_err_code() {
        None => return Ok(None),
        Some(2) => ErrInfo::Suites(suites_r.as_slice()),
        Some(3) => ErrInfo::True,
        Some(_) => ErrInfo::Text(err.diagnostic()),
    };
    let code = err.wire_err_code().unwrap_or(1);
    msg::write_error_message(code, info, out).map(Some)
}

/// message_1 accepted; EAD_1, the selected suite and C_I are available. Owns a copy of
/// EAD_1, so it can be stored between `process_message_1` and `prepare_message_2`
/// (message_1 is processed exactly once).
pub struct ResponderMessage1Received<C: CryptoProvider> {
    params: Params,
    g_x: PublicKey,
    h_m1: Digest,
    ead_1: ReceivedEad,
    _c: PhantomData<fn() -> C>,
}

impl<C: CryptoProvider> fmt::Debug for ResponderMessage1Received<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponderMessage1Received")
            .field("params", &self.params)
            .field("ead_1", &self.ead_1)
            .finish_non_exhaustive()
    }
}

impl<C: CryptoProvider> ResponderMessage1Received<C> {
    /// EAD_1 (not authenticated: message_1 carries no proof of origin).
    #[must_use]
    pub fn ead_1(&self) -> Ead<'_> {
        self.ead_1.ead()
    }

    /// The selected cipher suite.
    #[must_use]
    pub const fn selected_suite(&self) -> Suite {
        self.params.suite
    }

    /// The method.
    #[must_use]
    pub const fn method(&self) -> Method {
        self.params.method
    }

    /// C_I.
    #[must_use]
    pub const fn c_i(&self) -> ConnId {
        self.params.c_i
    }

    /// Generates the ephemeral key and writes message_2 (with EAD_2) into `out`.
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`], [`ApiMisuse::InvalidLocalCredential`],
    /// [`ApiMisuse::InvalidEad`], crypto failures.
    pub fn prepare_message_2(
        self,
        crypto: &mut C,
        own: &LocalCredential<'_, C::KeyHandle>,
        ead_2: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<(ResponderWaitMessage3<C>, usize), AuthError> {
        check_local(own)?;
        let p = self.params;
        let mut ead = [0u8; MAX_EAD_LEN];
        let ead_len = super::ead::encode_items(ead_2, &mut ead)?;
        let ead = ead.get(..ead_len).unwrap_or(&[]);
        let (y, g_y) = crypto.p256_generate_ephemeral()?;
        let g_xy = crypto.p256_ecdh_ephemeral(&y, &self.g_x)?;
        let th_2 = kdf::th_2(crypto, g_y.x(), &self.h_m1);
        let prk_2e = crypto.hkdf_sha256_extract(&th_2, g_xy.as_bytes());
        drop(g_xy);
        let resp_static = p.method.responder_static();
        let prk_3e2m = if resp_static {
            let salt = kdf::kdf_prk(crypto, &prk_2e, u16::from(label::SALT_3E2M), &th_2)?;
            let g_rx = crypto.p256_ecdh_static(own.key, &self.g_x)?;
            crypto.hkdf_sha256_extract(salt.as_bytes(), g_rx.as_bytes())
        } else {
            Prk::from_bytes(*prk_2e.as_bytes())
        };
        let mut som = [0u8; SIGNATURE_LEN];
        let som_len = sign_or_mac(
            crypto,
            &prk_3e2m,
            label::MAC_2,
            Some(&p.c_r),
            own,
            &th_2,
            ead,
            resp_static,
            p.suite,
            &mut som,
        )?;
        // PLAINTEXT_2 after room for the bstr head and G_Y
        let start = HEAD_ROOM.saturating_add(32);
        let body = out
            .get_mut(start..)
            .ok_or(AuthError::BufferTooSmall { needed: start })?;
        let pt_len = {
            let mut e = Encoder::new(body);
            let r = (|| -> Result<(), AuthError> {
                e.bstr_identifier(p.c_r.as_bytes())?;
                own.id_cred.encode_compact(&mut e)?;
                e.bstr(som.get(..som_len).unwrap_or(&[]))?;
                e.raw(ead)?;
                Ok(())
            })();
            match r {
                Err(AuthError::BufferTooSmall { needed }) => {
                    return Err(AuthError::BufferTooSmall {
                        needed: needed.saturating_add(start),
                    });
                }
                other => other?,
            }
            e.len()
        };
        if pt_len > MAX_PLAINTEXT_2_LEN {
            return Err(ApiMisuse::InvalidLocalCredential.into());
        }
        let pt = body
            .get_mut(..pt_len)
            .ok_or(AuthError::BufferTooSmall { needed: start })?;
        let th_3 = kdf::th_next(crypto, &th_2, pt, own.cred);
        let mut ks = [0u8; MAX_PLAINTEXT_2_LEN];
        let ks_part = ks.get_mut(..pt_len).ok_or(PeerMisbehaved::TooLarge)?;
        let r = kdf::kdf(
            crypto,
            &prk_2e,
            u16::from(label::KEYSTREAM_2),
            &th_2,
            ks_part,
        );
        for (b, k) in pt.iter_mut().zip(ks_part.iter()) {
            *b ^= *k;
        }
        // Only `ks_part` was written: wipe just it (see the initiator's message_2).
        zeroize::Zeroize::zeroize(ks_part);
        r?;
        out.get_mut(HEAD_ROOM..start)
            .ok_or(AuthError::BufferTooSmall { needed: start })?
            .copy_from_slice(g_y.x());
        let total = pt_len.saturating_add(32);
        let n = msg::wrap_bstr_in_place(out, HEAD_ROOM, total)?;
        let y = if p.method.initiator_static() {
            Some(y)
        } else {
            None
        };
        Ok((
            ResponderWaitMessage3 {
                params: p,
                y,
                prk_3e2m,
                th_3,
            },
            n,
        ))
    }
}

/// message_2 sent, waiting for message_3.
pub struct ResponderWaitMessage3<C: CryptoProvider> {
    params: Params,
    /// Y, kept only if the initiator authenticates with static DH (G_IY).
    y: Option<C::EphemeralSecret>,
    prk_3e2m: Prk,
    th_3: Digest,
}

impl<C: CryptoProvider> fmt::Debug for ResponderWaitMessage3<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponderWaitMessage3")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl<C: CryptoProvider> ResponderWaitMessage3<C> {
    /// Decrypts message_3 **in place** and exposes ID_CRED_I and EAD_3.
    ///
    /// # Errors
    /// [`AuthError::AuthenticationFailed`] on a bad AEAD tag; [`AuthError::PeerError`] for
    /// an error message; structural errors.
    ///
    /// # Security
    /// On every error after decryption (bad tag included) the decrypted region of
    /// `message_3` has been wiped. On success the returned value borrows PLAINTEXT_3
    /// (ID_CRED_I); if verification then fails (or the value is dropped), wipe
    /// `message_3` yourself
    /// ([`ResponderState::handle_message_3`](super::ResponderState::handle_message_3) does).
    pub fn parse_message_3<'m>(
        self,
        crypto: &mut C,
        message_3: &'m mut [u8],
    ) -> Result<ResponderMessage3Received<'m, C>, AuthError> {
        let pt = decrypt_message_3(
            crypto,
            self.params.suite,
            &self.prk_3e2m,
            &self.th_3,
            message_3,
        )?;
        // `pt` is PLAINTEXT_3: wipe it on every parse failure (identity protection of
        // ID_CRED_I). A successful check is followed by the same parse over a shared
        // borrow, which the returned views need.
        if let Err(e) = parse_plaintext_3(pt, &self.params) {
            zeroize::Zeroize::zeroize(pt);
            return Err(e);
        }
        let pt: &'m [u8] = pt;
        let (id_cred_i, sig_or_mac, ead_3) = parse_plaintext_3(pt, &self.params)?;
        Ok(ResponderMessage3Received {
            params: self.params,
            y: self.y,
            prk_3e2m: self.prk_3e2m,
            th_3: self.th_3,
            id_cred_i,
            sig_or_mac,
            ead_3,
            plaintext: pt,
        })
    }
}

/// PLAINTEXT_3 = ( ID_CRED_I, Signature_or_MAC_3, ? EAD_3 ), checked against the method
/// and suite (Signature_or_MAC_3 length) and the EAD critical rule.
fn parse_plaintext_3<'p>(
    plaintext: &'p [u8],
    params: &Params,
) -> Result<(IdCred<'p>, &'p [u8], Ead<'p>), AuthError> {
    let invalid = AuthError::PeerMisbehaved(PeerMisbehaved::InvalidMessage);
    let mut d = Decoder::new(plaintext);
    let id_cred_i = IdCred::decode_compact(&mut d)?;
    let sig_or_mac = d.bstr().map_err(|_| invalid)?;
    if sig_or_mac.len() != sig_or_mac_len(params.method.initiator_static(), params.suite) {
        return Err(invalid);
    }
    let ead_3 = Ead::parse(d.rest(), &params.ead_labels)?;
    Ok((id_cred_i, sig_or_mac, ead_3))
}

/// message_3 decrypted; the application looks up ID_CRED_I, then verifies.
pub struct ResponderMessage3Received<'m, C: CryptoProvider> {
    params: Params,
    y: Option<C::EphemeralSecret>,
    prk_3e2m: Prk,
    th_3: Digest,
    id_cred_i: IdCred<'m>,
    sig_or_mac: &'m [u8],
    ead_3: Ead<'m>,
    plaintext: &'m [u8],
}

impl<C: CryptoProvider> fmt::Debug for ResponderMessage3Received<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponderMessage3Received")
            .field("params", &self.params)
            .field("id_cred_i", &self.id_cred_i)
            .field("ead_3", &self.ead_3)
            .finish_non_exhaustive()
    }
}

impl<'m, C: CryptoProvider> ResponderMessage3Received<'m, C> {
    /// The initiator's credential identifier (integrity-protected by the AEAD, but the
    /// initiator is not authenticated until verified).
    #[must_use]
    pub const fn id_cred_i(&self) -> IdCred<'m> {
        self.id_cred_i
    }

    /// EAD_3.
    #[must_use]
    pub const fn ead_3(&self) -> Ead<'m> {
        self.ead_3
    }

    // No TH_3 accessor here: the initiator's credential is not verified yet, and the
    // operator factor (a MAC over TH_3) is checked only after it is
    // (`ResponderMessage3Verified::th_3`, `Completed::th_3`).

    /// Resolves ID_CRED_I in `store` and verifies.
    ///
    /// # Errors
    /// [`AuthError::UnknownCredential`] if unknown; [`AuthError::Revocation`] if the
    /// store's revocation list names it (see [`crate::cred::lookup`]); otherwise as
    /// [`Self::verify_message_3`].
    pub fn verify_with_store<S: TrustStore + ?Sized>(
        self,
        crypto: &mut C,
        store: &S,
    ) -> Result<ResponderMessage3Verified<C>, AuthError> {
        let cred = crate::cred::lookup(crypto, store, &self.id_cred_i)?;
        self.verify_message_3(crypto, cred)
    }

    /// Verifies Signature_or_MAC_3 with the initiator's credential.
    ///
    /// # Errors
    /// [`AuthError::AuthenticationFailed`]; credential errors as for the initiator.
    pub fn verify_message_3(
        self,
        crypto: &mut C,
        peer: TrustedCredential<'_>,
    ) -> Result<ResponderMessage3Verified<C>, AuthError> {
        if peer.cred.len() > MAX_CRED_LEN {
            return Err(PeerMisbehaved::TooLarge.into());
        }
        let ccs = CcsView::parse(peer.cred)?;
        let p = &self.params;
        let init_static = p.method.initiator_static();
        let prk_4e3m = if init_static {
            let y = self
                .y
                .as_ref()
                .ok_or(AuthError::ApiMisuse(ApiMisuse::WrongState))?;
            let salt = kdf::kdf_prk(
                crypto,
                &self.prk_3e2m,
                u16::from(label::SALT_4E3M),
                &self.th_3,
            )?;
            let g_iy = crypto.p256_ecdh_ephemeral(y, &ccs.public_key)?;
            crypto.hkdf_sha256_extract(salt.as_bytes(), g_iy.as_bytes())
        } else {
            Prk::from_bytes(*self.prk_3e2m.as_bytes())
        };
        let mut mac = [0u8; HASH_LEN];
        let mac_len = super::mac_len(init_static, p.suite);
        let mac = mac
            .get_mut(..mac_len)
            .ok_or(AuthError::AuthenticationFailed)?;
        compute_mac(
            crypto,
            &prk_4e3m,
            label::MAC_3,
            None,
            &self.id_cred_i,
            &self.th_3,
            peer.cred,
            self.ead_3.raw(),
            mac,
        )?;
        if init_static {
            mac_matches(mac, self.sig_or_mac)?;
        } else {
            verify_signature(
                crypto,
                &ccs.public_key,
                &self.id_cred_i,
                &self.th_3,
                peer.cred,
                self.ead_3.raw(),
                mac,
                self.sig_or_mac,
            )?;
        }
        let th_4 = kdf::th_next(crypto, &self.th_3, self.plaintext, peer.cred);
        Ok(ResponderMessage3Verified {
            params: self.params,
            prk_4e3m,
            th_3: self.th_3,
            th_4,
            ead_3: ReceivedEad::copy_of(self.ead_3)?,
            peer_identity: peer.identity,
            peer_roles: peer.roles,
            _c: PhantomData,
        })
    }
}

/// message_3 verified: the initiator is authenticated.
pub struct ResponderMessage3Verified<C: CryptoProvider> {
    params: Params,
    prk_4e3m: Prk,
    th_3: Digest,
    th_4: Digest,
    ead_3: ReceivedEad,
    peer_identity: PeerIdentity,
    peer_roles: RoleSet,
    _c: PhantomData<fn() -> C>,
}

impl<C: CryptoProvider> fmt::Debug for ResponderMessage3Verified<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponderMessage3Verified")
            .field("params", &self.params)
            .field("peer_identity", &self.peer_identity)
            .finish_non_exhaustive()
    }
}

impl<C: CryptoProvider> ResponderMessage3Verified<C> {
    /// EAD_3 (authenticated: message_3 verified).
    #[must_use]
    pub fn ead_3(&self) -> Ead<'_> {
        self.ead_3.ead()
    }

    /// TH_3 (the operator factor is a MAC over it): available only once the initiator's
    /// credential verified (not on `ResponderMessage3Received`).
    ///
    /// ```compile_fail
    /// // Before verification there is no TH_3 to check a factor against.
    /// fn early<C: iomt_crypto::CryptoProvider>(p: &iomt_auth::edhoc::ResponderMessage3Received<'_, C>) {
    ///     let _ = p.th_3();
    /// }
    /// ```
    /// ```
    /// fn verified<C: iomt_crypto::CryptoProvider>(p: &iomt_auth::edhoc::ResponderMessage3Verified<C>) {
    ///     let _ = p.th_3();
    /// }
    /// ```
    #[must_use]
    pub const fn th_3(&self) -> &Digest {
        &self.th_3
    }

    /// The authenticated initiator identity (from the trust store).
    #[must_use]
    pub const fn peer_identity(&self) -> PeerIdentity {
        self.peer_identity
    }

    /// `true` if the configuration says message_4 is sent.
    #[must_use]
    pub const fn sends_message_4(&self) -> bool {
        self.params.message_4
    }

    /// Writes message_4 (with EAD_4) and completes.
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`], [`ApiMisuse::InvalidEad`].
    pub fn prepare_message_4(
        self,
        crypto: &mut C,
        ead_4: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<(Completed, usize), AuthError> {
        let mut ead = [0u8; MAX_EAD_LEN];
        let ead_len = super::ead::encode_items(ead_4, &mut ead)?;
        let n = encrypt_message_4(
            crypto,
            self.params.suite,
            &self.prk_4e3m,
            &self.th_4,
            ead.get(..ead_len).unwrap_or(&[]),
            out,
        )?;
        let done = self.complete(crypto)?;
        Ok((done, n))
    }

    /// Completes without message_4.
    ///
    /// # Errors
    /// Crypto failures only.
    pub fn complete(self, crypto: &mut C) -> Result<Completed, AuthError> {
        Completed::derive(
            crypto,
            &self.prk_4e3m,
            &self.th_4,
            &self.params,
            super::completed::Peer {
                identity: self.peer_identity,
                roles: self.peer_roles,
                th_3: self.th_3,
                received_ead: self.ead_3,
            },
        )
    }
}
