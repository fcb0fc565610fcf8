//! A completed EDHOC session: PRK_out, the exporter (RFC 9528 §4.2.1) and KeyUpdate
//! (Appendix H).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_crypto::{CryptoProvider, Digest, Prk};

use super::common::Params;
use super::ead::{Ead, ReceivedEad};
use super::kdf::{self, MAX_CONTEXT_LEN, label};
use super::{ConnId, HASH_LEN, Method, Suite};
use crate::cred::{PeerIdentity, RoleSet};
use crate::error::{ApiMisuse, AuthError};

/// Longest exporter output (HKDF-SHA256 limit).
pub const MAX_EXPORT_LEN: usize = 255 * HASH_LEN;

/// The exporter label of the channel's initiator→responder traffic secret (Private Use
/// range). Reserved: only [`Completed::channel_secrets`] derives it.
pub const CHANNEL_LABEL_INITIATOR_TO_RESPONDER: u16 = 32768;
/// The exporter label of the channel's responder→initiator traffic secret. Reserved as
/// [`CHANNEL_LABEL_INITIATOR_TO_RESPONDER`].
pub const CHANNEL_LABEL_RESPONDER_TO_INITIATOR: u16 = 32769;
/// The length of one channel traffic secret.
pub const CHANNEL_SECRET_LEN: usize = 32;

/// What the handshake established about the peer, handed to [`Completed::derive`].
pub(crate) struct Peer {
    pub(crate) identity: PeerIdentity,
    pub(crate) roles: RoleSet,
    pub(crate) th_3: Digest,
    pub(crate) received_ead: ReceivedEad,
}

/// The outcome of a successful handshake (both roles).
///
/// Holds PRK_out and PRK_exporter (zeroized on drop), the suite, the connection
/// identifiers, the peer's identity and roles from the trust store, TH_3 and the EAD of
/// the last message received from the peer.
///
/// # Invariant: one channel per key epoch
/// The channel traffic secrets (exporter labels
/// [`CHANNEL_LABEL_INITIATOR_TO_RESPONDER`] and [`CHANNEL_LABEL_RESPONDER_TO_INITIATOR`])
/// come only from [`Self::channel_secrets`], which succeeds once per key epoch:
/// a second call is refused with [`ApiMisuse::ChannelAlreadyStarted`] until
/// [`Self::key_update`] has made new keys, and [`Self::exporter`] refuses those labels
/// ([`ApiMisuse::ReservedExporterLabel`]). Two channels therefore never share keys, so
/// their frames cannot reuse a nonce. `Completed` is neither `Clone` nor `Copy`.
///
/// ```
/// # use iomt_auth::cred::{IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry};
/// # use iomt_auth::edhoc::*;
/// # use iomt_crypto::{prelude::*, RustCryptoProvider};
/// # fn h(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect() }
/// # let cred_i = h("a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8");
/// # let cred_r = h("a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072");
/// # let mut crypto = RustCryptoProvider::with_os_rng();
/// # let sk_i = iomt_crypto::StaticKey::from_bytes(&h("fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b"))?;
/// # let sk_r = iomt_crypto::StaticKey::from_bytes(&h("72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac"))?;
/// # let me_i = LocalCredential { key: &sk_i, cred: &cred_i, id_cred: IdCred::Kid(&[0x2b]) };
/// # let me_r = LocalCredential { key: &sk_r, cred: &cred_r, id_cred: IdCred::Kid(&[0x32]) };
/// # let trust_i = StaticTrustStore::new([TrustEntry { kid: &[0x32], cred: &cred_r,
/// #     identity: PeerIdentity::from_slice(b"responder"), roles: RoleSet::EMPTY }]);
/// # let trust_r = StaticTrustStore::new([TrustEntry { kid: &[0x2b], cred: &cred_i,
/// #     identity: PeerIdentity::from_slice(b"initiator"), roles: RoleSet::EMPTY }]);
/// let mut is = InitiatorState::<RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>>::new(&InitiatorConfig {
///     method: Method::SigStat, suites: &[5], c_i: ConnId::new(&[1])?,
///     expect_message_4: true, ead_labels: EadLabels::NONE })?;
/// let mut rs = ResponderState::<RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>>::new(&ResponderConfig {
///     suites: &[2, 5], methods: &Method::ALL, c_r: ConnId::new(&[2])?,
///     send_message_4: true, ead_labels: EadLabels::NONE })?;
/// let (mut a, mut b) = ([0u8; 160], [0u8; 160]);
/// let n = is.write_message_1(&mut crypto, &[], &mut a)?;
/// let n = rs.handle_message_1(&mut crypto, &a[..n], &me_r, &[], &mut b)?;
/// let n = is.handle_message_2(&mut crypto, &mut b[..n], &trust_i, &me_i, &[], &mut a)?;
/// let n = rs.handle_message_3(&mut crypto, &mut a[..n], &trust_r, &[], &mut b)?;
/// is.handle_message_4(&mut crypto, &mut b[..n])?;
/// let (done_i, done_r) = (is.completed().unwrap(), rs.completed().unwrap());
/// let (mut k_i, mut k_r) = ([0u8; 32], [0u8; 32]);
/// done_i.exporter(&mut crypto, 0x8002, b"app", &mut k_i)?;
/// done_r.exporter(&mut crypto, 0x8002, b"app", &mut k_r)?;
/// assert_eq!(k_i, k_r);
/// assert_eq!(done_i.peer_identity(), PeerIdentity::from_slice(b"responder"));
/// // KeyUpdate changes every later export, on both sides alike
/// done_i.key_update(&mut crypto, b"epoch 1")?;
/// done_r.key_update(&mut crypto, b"epoch 1")?;
/// let (mut u_i, mut u_r) = ([0u8; 16], [0u8; 16]);
/// done_i.exporter(&mut crypto, 0x8002, b"app", &mut u_i)?;
/// done_r.exporter(&mut crypto, 0x8002, b"app", &mut u_r)?;
/// assert_eq!(u_i, u_r);
/// assert_ne!(u_i[..], k_i[..16]);
/// assert_eq!(done_r.selected_suite(), Suite::Suite5);
/// # Ok::<(), iomt_auth::AuthError>(())
/// ```
pub struct Completed {
    prk_out: Prk,
    prk_exporter: Prk,
    suite: Suite,
    method: Method,
    c_i: ConnId,
    c_r: ConnId,
    peer_identity: PeerIdentity,
    peer_roles: RoleSet,
    th_3: Digest,
    received_ead: ReceivedEad,
    /// Set once the channel secrets of the current key epoch were derived.
    channel_started: bool,
}

impl fmt::Debug for Completed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completed")
            .field("suite", &self.suite)
            .field("method", &self.method)
            .field("c_i", &self.c_i)
            .field("c_r", &self.c_r)
            .field("peer_identity", &self.peer_identity)
            .field("peer_roles", &self.peer_roles)
            .finish_non_exhaustive()
    }
}

impl Completed {
    /// PRK_out = EDHOC_KDF(PRK_4e3m, 7, TH_4, 32); PRK_exporter from it.
    pub(crate) fn derive<C: CryptoProvider>(
        c: &mut C,
        prk_4e3m: &Prk,
        th_4: &Digest,
        params: &Params,
        peer: Peer,
    ) -> Result<Self, AuthError> {
        let prk_out = kdf::kdf_prk(c, prk_4e3m, u16::from(label::PRK_OUT), th_4)?;
        let prk_exporter = kdf::kdf_prk(c, &prk_out, u16::from(label::PRK_EXPORTER), &[])?;
        Ok(Self {
            prk_out,
            prk_exporter,
            suite: params.suite,
            method: params.method,
            c_i: params.c_i,
            c_r: params.c_r,
            peer_identity: peer.identity,
            peer_roles: peer.roles,
            th_3: peer.th_3,
            received_ead: peer.received_ead,
            channel_started: false,
        })
    }

    /// EDHOC_Exporter(label, context, length) = EDHOC_KDF(PRK_exporter, label, context,
    /// length), with `length = out.len()`. Labels 0 and 1 are the OSCORE master secret and
    /// salt (RFC 9528 Appendix A.1); 32768–65535 are for private use (iomt-proto uses them).
    ///
    /// # Errors
    /// [`ApiMisuse::ReservedExporterLabel`] for the channel's labels (use
    /// [`Self::channel_secrets`]); [`ApiMisuse::InvalidExporterRequest`] if `out` is empty
    /// or longer than [`MAX_EXPORT_LEN`], or `context` exceeds the scratch capacity.
    pub fn exporter<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        label: u16,
        context: &[u8],
        out: &mut [u8],
    ) -> Result<(), AuthError> {
        if matches!(
            label,
            CHANNEL_LABEL_INITIATOR_TO_RESPONDER | CHANNEL_LABEL_RESPONDER_TO_INITIATOR
        ) {
            return Err(ApiMisuse::ReservedExporterLabel.into());
        }
        self.export_unchecked(crypto, label, context, out)
    }

    fn export_unchecked<C: CryptoProvider>(
        &self,
        crypto: &mut C,
        label: u16,
        context: &[u8],
        out: &mut [u8],
    ) -> Result<(), AuthError> {
        if out.is_empty() || out.len() > MAX_EXPORT_LEN || context.len() > MAX_CONTEXT_LEN {
            return Err(ApiMisuse::InvalidExporterRequest.into());
        }
        kdf::kdf(crypto, &self.prk_exporter, label, context, out)
    }

    /// The two channel traffic secrets of the current key epoch: EDHOC_Exporter with
    /// labels [`CHANNEL_LABEL_INITIATOR_TO_RESPONDER`] and
    /// [`CHANNEL_LABEL_RESPONDER_TO_INITIATOR`] and `context`. Succeeds **once per key
    /// epoch** (see the invariant on [`Completed`]); the epoch counts as used even if
    /// the derivation fails.
    ///
    /// # Errors
    /// [`ApiMisuse::ChannelAlreadyStarted`] on a second call before [`Self::key_update`];
    /// [`ApiMisuse::InvalidExporterRequest`] for an oversized context.
    pub fn channel_secrets<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        context: &[u8],
        initiator_to_responder: &mut [u8; CHANNEL_SECRET_LEN],
        responder_to_initiator: &mut [u8; CHANNEL_SECRET_LEN],
    ) -> Result<(), AuthError> {
        if self.channel_started {
            return Err(ApiMisuse::ChannelAlreadyStarted.into());
        }
        self.channel_started = true;
        self.export_unchecked(
            crypto,
            CHANNEL_LABEL_INITIATOR_TO_RESPONDER,
            context,
            initiator_to_responder,
        )?;
        self.export_unchecked(
            crypto,
            CHANNEL_LABEL_RESPONDER_TO_INITIATOR,
            context,
            responder_to_initiator,
        )
    }

    /// `true` once the channel secrets of the current key epoch were derived.
    #[must_use]
    pub const fn channel_started(&self) -> bool {
        self.channel_started
    }

    /// EDHOC KeyUpdate (RFC 9528 Appendix H): PRK_out = EDHOC_KDF(PRK_out, 11, context,
    /// 32), then PRK_exporter is re-derived. The old values are zeroized. A new key epoch
    /// begins: [`Self::channel_secrets`] may be called once more.
    ///
    /// # Errors
    /// [`ApiMisuse::InvalidExporterRequest`] if `context` exceeds the scratch capacity.
    pub fn key_update<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        context: &[u8],
    ) -> Result<(), AuthError> {
        if context.len() > MAX_CONTEXT_LEN {
            return Err(ApiMisuse::InvalidExporterRequest.into());
        }
        let new_out = kdf::kdf_prk(crypto, &self.prk_out, u16::from(label::KEY_UPDATE), context)?;
        let new_exp = kdf::kdf_prk(crypto, &new_out, u16::from(label::PRK_EXPORTER), &[])?;
        self.prk_out = new_out;
        self.prk_exporter = new_exp;
        self.channel_started = false;
        Ok(())
    }

    /// The negotiated cipher suite.
    #[must_use]
    pub const fn selected_suite(&self) -> Suite {
        self.suite
    }

    /// The method used.
    #[must_use]
    pub const fn method(&self) -> Method {
        self.method
    }

    /// The peer's identity, as the trust store mapped its credential.
    #[must_use]
    pub const fn peer_identity(&self) -> PeerIdentity {
        self.peer_identity
    }

    /// The peer's roles, as the trust store mapped its credential.
    #[must_use]
    pub const fn peer_roles(&self) -> RoleSet {
        self.peer_roles
    }

    /// TH_3 of the handshake (the operator factor is a MAC over it).
    #[must_use]
    pub const fn th_3(&self) -> &Digest {
        &self.th_3
    }

    /// The EAD of the last handshake message received from the peer (authenticated):
    /// the responder's EAD_3; the initiator's EAD_4, or EAD_2 without message_4.
    #[must_use]
    pub fn received_ead(&self) -> Ead<'_> {
        self.received_ead.ead()
    }

    /// C_I.
    #[must_use]
    pub const fn c_i(&self) -> ConnId {
        self.c_i
    }

    /// C_R.
    #[must_use]
    pub const fn c_r(&self) -> ConnId {
        self.c_r
    }

    /// PRK_out, for conformance tests only (feature `test-hooks`; not a stable API).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    #[must_use]
    pub const fn __prk_out(&self) -> &Prk {
        &self.prk_out
    }

    /// PRK_exporter, for conformance tests only (feature `test-hooks`; not a stable API).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    #[must_use]
    pub const fn __prk_exporter(&self) -> &Prk {
        &self.prk_exporter
    }
}
