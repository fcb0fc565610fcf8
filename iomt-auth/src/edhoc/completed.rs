//! A completed EDHOC session: PRK_out, the exporter (RFC 9528 §4.2.1) and KeyUpdate
//! (Appendix H).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_crypto::{CryptoProvider, Digest, Prk};

use super::common::Params;
use super::kdf::{self, MAX_CONTEXT_LEN, label};
use super::{ConnId, HASH_LEN, Method, Suite};
use crate::cred::{PeerIdentity, RoleSet};
use crate::error::{ApiMisuse, AuthError};

/// Longest exporter output (HKDF-SHA256 limit).
pub const MAX_EXPORT_LEN: usize = 255 * HASH_LEN;

/// The outcome of a successful handshake (both roles).
///
/// Holds PRK_out and PRK_exporter (zeroized on drop), the suite, the connection
/// identifiers and the peer's identity and roles from the trust store.
pub struct Completed {
    prk_out: Prk,
    prk_exporter: Prk,
    suite: Suite,
    method: Method,
    c_i: ConnId,
    c_r: ConnId,
    peer_identity: PeerIdentity,
    peer_roles: RoleSet,
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
        peer_identity: PeerIdentity,
        peer_roles: RoleSet,
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
            peer_identity,
            peer_roles,
        })
    }

    /// EDHOC_Exporter(label, context, length) = EDHOC_KDF(PRK_exporter, label, context,
    /// length), with `length = out.len()`. Labels 0 and 1 are the OSCORE master secret and
    /// salt (RFC 9528 Appendix A.1); 32768–65535 are for private use (iomt-proto uses them).
    ///
    /// # Errors
    /// [`ApiMisuse::InvalidExporterRequest`] if `out` is empty or longer than
    /// [`MAX_EXPORT_LEN`], or `context` exceeds the scratch capacity.
    pub fn exporter<C: CryptoProvider>(
        &mut self,
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

    /// EDHOC KeyUpdate (RFC 9528 Appendix H): PRK_out = EDHOC_KDF(PRK_out, 11, context,
    /// 32), then PRK_exporter is re-derived. The old values are zeroized.
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

    /// PRK_out, for conformance tests only (not a stable API).
    #[doc(hidden)]
    #[must_use]
    pub const fn __prk_out(&self) -> &Prk {
        &self.prk_out
    }

    /// PRK_exporter, for conformance tests only (not a stable API).
    #[doc(hidden)]
    #[must_use]
    pub const fn __prk_exporter(&self) -> &Prk {
        &self.prk_exporter
    }
}
