//! One storable enum per role: the only EDHOC state machine of iomt. Rust callers, the
//! transports, the fuzz targets and the C API (iomt-ffi) all drive these.
//!
//! Every step the C API offers is a method here: `write_message_1`, `read_message_2`
//! (verifies; EAD_2 readable), `write_message_3`, `handle_message_4` for the initiator;
//! `read_message_1` (EAD_1 readable), `write_message_2`, `read_message_3` (verifies;
//! EAD_3 readable), `write_message_4` for the responder; `handle_message_2` /
//! `handle_message_1` / `handle_message_3` combine a read and the following write. The
//! states between two calls own bounded copies of what they expose ([`ReceivedEad`](super::ReceivedEad),
//! C_x, TH_3), so nothing borrows a message and every message is processed once.
//!
//! Each call moves the current state out with
//! `mem::replace(self, Failed)`, runs the typestate step and stores the next state.
//! A call in the wrong state returns [`ApiMisuse::WrongState`] and leaves the state
//! untouched (a completed session survives a duplicate or stray message, RFC 9528 §5.1).
//! On any other error the enum becomes `Failed` (remembering the error so that
//! [`InitiatorState::error_message`] / [`ResponderState::error_message`] can produce the
//! EDHOC error message to send), except that an ERR_CODE 2 answer to message_1 puts the
//! initiator back to `Start` with a new suite selection (RFC 9528 §6.3).
//!
//! Messages 2, 3 and 4 are decrypted in place in the caller's buffer. When a `handle_*`
//! call fails after decryption (parse, unknown credential, bad MAC or signature, …),
//! the message content is wiped before returning, so no decrypted PLAINTEXT (e.g. the
//! identity-protected ID_CRED_I) remains in the caller's buffer.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::mem;

use iomt_crypto::{CryptoProvider, Digest};

use super::SuiteList;
use super::completed::Completed;
use super::ead::{Ead, EadItem};
use super::initiator::{
    AfterMessage3, Initiator, InitiatorConfig, InitiatorMessage2Verified, InitiatorWaitMessage2,
    InitiatorWaitMessage4,
};
use super::responder::{
    Responder, ResponderConfig, ResponderMessage1Received, ResponderMessage3Verified,
    ResponderWaitMessage3, write_error_for,
};
use crate::cred::{LocalCredential, TrustStore};
use crate::error::{ApiMisuse, AuthError};

/// Where a handshake stands (both roles), e.g. for the C API's state accessor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Initiator: write message_1. Responder: read message_1.
    Start,
    /// Initiator: message_1 sent; read message_2.
    WaitMessage2,
    /// Initiator: message_2 verified (EAD_2 readable); write message_3.
    Message2Verified,
    /// Initiator: message_3 sent; read message_4.
    WaitMessage4,
    /// Responder: message_1 accepted (EAD_1 readable); write message_2.
    Message1Received,
    /// Responder: message_2 sent; read message_3.
    WaitMessage3,
    /// Responder: message_3 verified (EAD_3 readable); write message_4.
    Message3Verified,
    /// Complete: the keys are available.
    Complete,
    /// Failed for good.
    Failed,
}

/// The initiator's storable state.
///
/// A whole handshake through both storable enums (methods, suites and credentials as
/// configured; the exporter on the completed sessions):
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
/// # Ok::<(), iomt_auth::AuthError>(())
/// ```
#[derive(Debug)]
pub enum InitiatorState<C: CryptoProvider> {
    /// Ready to send message_1.
    Start(Initiator<C>),
    /// message_1 sent.
    WaitMessage2(InitiatorWaitMessage2<C>),
    /// message_2 verified; message_3 not yet written.
    Message2Verified(InitiatorMessage2Verified<C>),
    /// message_3 sent, message_4 expected.
    WaitMessage4(InitiatorWaitMessage4<C>),
    /// Handshake complete.
    Completed(Completed),
    /// Failed (the error that ended it, if any).
    Failed(Option<AuthError>),
}

const WRONG: AuthError = AuthError::ApiMisuse(ApiMisuse::WrongState);

impl<C: CryptoProvider> InitiatorState<C> {
    /// A new initiator.
    ///
    /// # Errors
    /// As [`Initiator::new`].
    pub fn new(config: &InitiatorConfig<'_>) -> Result<Self, AuthError> {
        Initiator::new(config).map(Self::Start)
    }

    fn fail(&mut self, e: AuthError) -> AuthError {
        *self = Self::Failed(Some(e));
        e
    }

    /// Where the handshake stands.
    #[must_use]
    pub const fn phase(&self) -> Phase {
        match self {
            Self::Start(_) => Phase::Start,
            Self::WaitMessage2(_) => Phase::WaitMessage2,
            Self::Message2Verified(_) => Phase::Message2Verified,
            Self::WaitMessage4(_) => Phase::WaitMessage4,
            Self::Completed(_) => Phase::Complete,
            Self::Failed(_) => Phase::Failed,
        }
    }

    /// Writes message_1 (state `Start` → `WaitMessage2`).
    ///
    /// # Errors
    /// [`ApiMisuse::WrongState`] in another state; as [`Initiator::prepare_message_1`].
    pub fn write_message_1(
        &mut self,
        crypto: &mut C,
        ead_1: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<usize, AuthError> {
        let Self::Start(_) = self else {
            return Err(WRONG);
        };
        let Self::Start(i) = mem::replace(self, Self::Failed(None)) else {
            return Err(WRONG);
        };
        match i.prepare_message_1(crypto, ead_1, out) {
            Ok((next, n)) => {
                *self = Self::WaitMessage2(next);
                Ok(n)
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Reads message_2: decrypts it in place, resolves ID_CRED_R in `store` and verifies
    /// the responder (state `WaitMessage2` → `Message2Verified`; EAD_2 is then
    /// [`Self::received_ead`], TH_3 [`Self::th_3`]).
    ///
    /// If `message_2` is an ERR_CODE 2 error with a usable SUITES_R, the state returns to
    /// `Start` (call [`Self::write_message_1`] again) and `PeerError { code: 2 }` is
    /// returned.
    ///
    /// # Errors
    /// [`ApiMisuse::WrongState`] in another state (nothing changes); any error of the
    /// typestate steps, after which the state is `Failed` and the decrypted content of
    /// `message_2` has been wiped.
    pub fn read_message_2<S: TrustStore + ?Sized>(
        &mut self,
        crypto: &mut C,
        message_2: &mut [u8],
        store: &S,
    ) -> Result<(), AuthError> {
        let Self::WaitMessage2(_) = self else {
            return Err(WRONG);
        };
        let Self::WaitMessage2(w) = mem::replace(self, Self::Failed(None)) else {
            return Err(WRONG);
        };
        if let Ok(super::msg::ErrorMessage { code: 2, .. }) =
            super::msg::ErrorMessage::parse(message_2)
        {
            return match w.retry_after_error(message_2) {
                Ok(i) => {
                    *self = Self::Start(i);
                    Err(AuthError::PeerError { code: 2 })
                }
                Err(e) => Err(self.fail(e)),
            };
        }
        match w
            .parse_message_2(crypto, message_2)
            .and_then(|p| p.verify_with_store(crypto, store))
        {
            Ok(v) => {
                *self = Self::Message2Verified(v);
                Ok(())
            }
            Err(e) => {
                super::msg::wipe_bstr_content(message_2);
                Err(self.fail(e))
            }
        }
    }

    /// Writes message_3 into `out` (state `Message2Verified` → `WaitMessage4`, or
    /// `Completed` without message_4).
    ///
    /// # Errors
    /// [`ApiMisuse::WrongState`] in another state; as
    /// [`InitiatorMessage2Verified::prepare_message_3`] (the state is then `Failed`).
    pub fn write_message_3(
        &mut self,
        crypto: &mut C,
        own: &LocalCredential<'_, C::KeyHandle>,
        ead_3: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<usize, AuthError> {
        let Self::Message2Verified(_) = self else {
            return Err(WRONG);
        };
        let Self::Message2Verified(v) = mem::replace(self, Self::Failed(None)) else {
            return Err(WRONG);
        };
        match v.prepare_message_3(crypto, own, ead_3, out) {
            Ok((AfterMessage3::WaitMessage4(w4), n)) => {
                *self = Self::WaitMessage4(w4);
                Ok(n)
            }
            Ok((AfterMessage3::Completed(c), n)) => {
                *self = Self::Completed(c);
                Ok(n)
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// [`Self::read_message_2`] then [`Self::write_message_3`].
    ///
    /// # Errors
    /// As those two.
    pub fn handle_message_2<S: TrustStore + ?Sized>(
        &mut self,
        crypto: &mut C,
        message_2: &mut [u8],
        store: &S,
        own: &LocalCredential<'_, C::KeyHandle>,
        ead_3: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<usize, AuthError> {
        self.read_message_2(crypto, message_2, store)?;
        self.write_message_3(crypto, own, ead_3, out)
    }

    /// Handles message_4 (state `WaitMessage4` → `Completed`; EAD_4 is then
    /// [`Self::received_ead`]).
    ///
    /// # Errors
    /// Any error of [`InitiatorWaitMessage4::process_message_4`]; the state is then `Failed`.
    pub fn handle_message_4(
        &mut self,
        crypto: &mut C,
        message_4: &mut [u8],
    ) -> Result<(), AuthError> {
        let Self::WaitMessage4(_) = self else {
            return Err(WRONG);
        };
        let Self::WaitMessage4(w) = mem::replace(self, Self::Failed(None)) else {
            return Err(WRONG);
        };
        match w.process_message_4(crypto, message_4) {
            Ok((c, _ead)) => {
                *self = Self::Completed(c);
                Ok(())
            }
            Err(e) => {
                super::msg::wipe_bstr_content(message_4);
                Err(self.fail(e))
            }
        }
    }

    /// The EAD of the last message received and authenticated: EAD_2 in `Message2Verified`,
    /// [`Completed::received_ead`] when complete, empty otherwise.
    #[must_use]
    pub fn received_ead(&self) -> Ead<'_> {
        match self {
            Self::Message2Verified(v) => v.ead_2(),
            Self::Completed(c) => c.received_ead(),
            _ => Ead::default(),
        }
    }

    /// TH_3 once message_2 verified (for an operator factor carried in EAD_3).
    #[must_use]
    pub const fn th_3(&self) -> Option<&Digest> {
        match self {
            Self::Message2Verified(v) => Some(v.th_3()),
            Self::Completed(c) => Some(c.th_3()),
            _ => None,
        }
    }

    /// The completed session, if the handshake is complete.
    pub const fn completed(&mut self) -> Option<&mut Completed> {
        match self {
            Self::Completed(c) => Some(c),
            _ => None,
        }
    }

    /// The completed session, shared.
    #[must_use]
    pub const fn completed_ref(&self) -> Option<&Completed> {
        match self {
            Self::Completed(c) => Some(c),
            _ => None,
        }
    }

    /// `true` if failed.
    #[must_use]
    pub const fn is_failed(&self) -> bool {
        matches!(self, Self::Failed(_))
    }

    /// Abandons the handshake with `reason` (e.g. the message just written could not be
    /// sent): the state becomes `Failed`, its secrets are dropped (zeroized), and
    /// [`Self::error_message`] answers for `reason`. A completed or failed state is left
    /// as it is.
    pub fn abort(&mut self, reason: AuthError) {
        if !matches!(self, Self::Completed(_) | Self::Failed(_)) {
            *self = Self::Failed(Some(reason));
        }
    }

    /// The error that failed the handshake, if any.
    #[must_use]
    pub const fn error(&self) -> Option<AuthError> {
        match self {
            Self::Failed(e) => *e,
            _ => None,
        }
    }

    /// Writes the EDHOC error message to send after a failure (`Ok(None)`: nothing to send).
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`].
    pub fn error_message(&self, out: &mut [u8]) -> Result<Option<usize>, AuthError> {
        match self {
            Self::Failed(Some(e)) => write_error_for(e, &SuiteList::default(), out),
            _ => Ok(None),
        }
    }
}

/// The responder's storable state (see the example on [`InitiatorState`]).
///
/// ```
/// use iomt_auth::edhoc::{ConnId, EadLabels, Method, ResponderConfig, ResponderState};
/// use iomt_auth::cred::{IdCred, LocalCredential};
/// use iomt_crypto::RustCryptoProvider;
/// let mut crypto = RustCryptoProvider::with_os_rng();
/// let key = iomt_crypto::StaticKey::from_bytes(&[1; 32])?;
/// let own = LocalCredential { key: &key, cred: &[0xa0], id_cred: IdCred::Kid(&[1]) };
/// let mut rs = ResponderState::<RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>>::new(&ResponderConfig {
///     suites: &[2], methods: &[Method::StatStat], c_r: ConnId::new(&[2])?,
///     send_message_4: false, ead_labels: EadLabels::NONE })?;
/// let mut out = [0u8; 64];
/// // a truncated message_1 fails the session; the reply is an ERR_CODE 1 error
/// assert!(rs.handle_message_1(&mut crypto, &[0x03, 0x02], &own, &[], &mut out).is_err());
/// assert!(rs.is_failed());
/// let n = rs.error_message(&mut out)?.unwrap();
/// assert_eq!(out[0], 0x01);
/// # Ok::<(), iomt_auth::AuthError>(())
/// ```
#[derive(Debug)]
pub enum ResponderState<C: CryptoProvider> {
    /// Waiting for message_1.
    Start(Responder<C>),
    /// message_1 accepted; message_2 not yet written.
    Message1Received(ResponderMessage1Received<C>),
    /// message_2 sent.
    WaitMessage3(ResponderWaitMessage3<C>),
    /// message_3 verified; message_4 not yet written.
    Message3Verified(ResponderMessage3Verified<C>),
    /// Handshake complete.
    Completed(Completed),
    /// Failed: the error and the SUITES_R to answer ERR_CODE 2 with.
    Failed(Option<AuthError>, SuiteList),
}

impl<C: CryptoProvider> ResponderState<C> {
    /// A new responder.
    ///
    /// # Errors
    /// As [`Responder::new`].
    pub fn new(config: &ResponderConfig<'_>) -> Result<Self, AuthError> {
        Responder::new(config).map(Self::Start)
    }

    fn fail(&mut self, e: AuthError, suites: SuiteList) -> AuthError {
        *self = Self::Failed(Some(e), suites);
        e
    }

    /// Where the handshake stands.
    #[must_use]
    pub const fn phase(&self) -> Phase {
        match self {
            Self::Start(_) => Phase::Start,
            Self::Message1Received(_) => Phase::Message1Received,
            Self::WaitMessage3(_) => Phase::WaitMessage3,
            Self::Message3Verified(_) => Phase::Message3Verified,
            Self::Completed(_) => Phase::Complete,
            Self::Failed(..) => Phase::Failed,
        }
    }

    /// Reads message_1 (state `Start` → `Message1Received`; EAD_1, unauthenticated, is then
    /// [`Self::received_ead`]). message_1 is processed exactly once.
    ///
    /// # Errors
    /// [`ApiMisuse::WrongState`] in another state; as [`Responder::process_message_1`],
    /// after which the state is `Failed` (use [`Self::error_message`] for the reply).
    pub fn read_message_1(&mut self, crypto: &mut C, message_1: &[u8]) -> Result<(), AuthError> {
        let Self::Start(_) = self else {
            return Err(WRONG);
        };
        let Self::Start(r) = mem::replace(self, Self::Failed(None, SuiteList::default())) else {
            return Err(WRONG);
        };
        match r.process_message_1(crypto, message_1) {
            Ok(p) => {
                *self = Self::Message1Received(p);
                Ok(())
            }
            Err(e) => Err(self.fail(e, *r.supported_suites())),
        }
    }

    /// Writes message_2 into `out` (state `Message1Received` → `WaitMessage3`).
    ///
    /// # Errors
    /// [`ApiMisuse::WrongState`] in another state; as
    /// [`ResponderMessage1Received::prepare_message_2`] (the state is then `Failed`).
    pub fn write_message_2(
        &mut self,
        crypto: &mut C,
        own: &LocalCredential<'_, C::KeyHandle>,
        ead_2: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<usize, AuthError> {
        let Self::Message1Received(_) = self else {
            return Err(WRONG);
        };
        let Self::Message1Received(p) =
            mem::replace(self, Self::Failed(None, SuiteList::default()))
        else {
            return Err(WRONG);
        };
        match p.prepare_message_2(crypto, own, ead_2, out) {
            Ok((w, n)) => {
                *self = Self::WaitMessage3(w);
                Ok(n)
            }
            Err(e) => Err(self.fail(e, SuiteList::default())),
        }
    }

    /// [`Self::read_message_1`] then [`Self::write_message_2`].
    ///
    /// # Errors
    /// As those two.
    pub fn handle_message_1(
        &mut self,
        crypto: &mut C,
        message_1: &[u8],
        own: &LocalCredential<'_, C::KeyHandle>,
        ead_2: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<usize, AuthError> {
        self.read_message_1(crypto, message_1)?;
        self.write_message_2(crypto, own, ead_2, out)
    }

    /// Reads message_3: decrypts it in place, resolves ID_CRED_I in `store` and verifies
    /// the initiator (state `WaitMessage3` → `Message3Verified` if message_4 is configured,
    /// else `Completed`; EAD_3 is then [`Self::received_ead`], TH_3 [`Self::th_3`]).
    ///
    /// # Errors
    /// [`ApiMisuse::WrongState`] in another state; any error of the typestate steps,
    /// after which the state is `Failed` and the decrypted content of `message_3` has
    /// been wiped.
    pub fn read_message_3<S: TrustStore + ?Sized>(
        &mut self,
        crypto: &mut C,
        message_3: &mut [u8],
        store: &S,
    ) -> Result<(), AuthError> {
        let Self::WaitMessage3(_) = self else {
            return Err(WRONG);
        };
        let Self::WaitMessage3(w) = mem::replace(self, Self::Failed(None, SuiteList::default()))
        else {
            return Err(WRONG);
        };
        let r = w
            .parse_message_3(crypto, message_3)
            .and_then(|p| p.verify_with_store(crypto, store))
            .and_then(|v| {
                if v.sends_message_4() {
                    Ok(Self::Message3Verified(v))
                } else {
                    v.complete(crypto).map(Self::Completed)
                }
            });
        match r {
            Ok(next) => {
                *self = next;
                Ok(())
            }
            Err(e) => {
                super::msg::wipe_bstr_content(message_3);
                Err(self.fail(e, SuiteList::default()))
            }
        }
    }

    /// Writes message_4 into `out` (state `Message3Verified` → `Completed`).
    ///
    /// # Errors
    /// [`ApiMisuse::WrongState`] in another state; as
    /// [`ResponderMessage3Verified::prepare_message_4`] (the state is then `Failed`).
    pub fn write_message_4(
        &mut self,
        crypto: &mut C,
        ead_4: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<usize, AuthError> {
        let Self::Message3Verified(_) = self else {
            return Err(WRONG);
        };
        let Self::Message3Verified(v) =
            mem::replace(self, Self::Failed(None, SuiteList::default()))
        else {
            return Err(WRONG);
        };
        match v.prepare_message_4(crypto, ead_4, out) {
            Ok((c, n)) => {
                *self = Self::Completed(c);
                Ok(n)
            }
            Err(e) => Err(self.fail(e, SuiteList::default())),
        }
    }

    /// [`Self::read_message_3`] then, if configured, [`Self::write_message_4`]. Returns the
    /// length of message_4 (0 if none).
    ///
    /// # Errors
    /// As those two.
    pub fn handle_message_3<S: TrustStore + ?Sized>(
        &mut self,
        crypto: &mut C,
        message_3: &mut [u8],
        store: &S,
        ead_4: &[EadItem<'_>],
        out: &mut [u8],
    ) -> Result<usize, AuthError> {
        self.read_message_3(crypto, message_3, store)?;
        match self {
            Self::Message3Verified(_) => self.write_message_4(crypto, ead_4, out),
            _ => Ok(0),
        }
    }

    /// The EAD of the last message received: EAD_1 (unauthenticated) in `Message1Received`,
    /// EAD_3 in `Message3Verified` and when complete, empty otherwise.
    #[must_use]
    pub fn received_ead(&self) -> Ead<'_> {
        match self {
            Self::Message1Received(p) => p.ead_1(),
            Self::Message3Verified(v) => v.ead_3(),
            Self::Completed(c) => c.received_ead(),
            _ => Ead::default(),
        }
    }

    /// TH_3 once message_3 verified (the operator factor is a MAC over it).
    #[must_use]
    pub const fn th_3(&self) -> Option<&Digest> {
        match self {
            Self::Message3Verified(v) => Some(v.th_3()),
            Self::Completed(c) => Some(c.th_3()),
            _ => None,
        }
    }

    /// The completed session, if the handshake is complete.
    pub const fn completed(&mut self) -> Option<&mut Completed> {
        match self {
            Self::Completed(c) => Some(c),
            _ => None,
        }
    }

    /// The completed session, shared.
    #[must_use]
    pub const fn completed_ref(&self) -> Option<&Completed> {
        match self {
            Self::Completed(c) => Some(c),
            _ => None,
        }
    }

    /// `true` if failed.
    #[must_use]
    pub const fn is_failed(&self) -> bool {
        matches!(self, Self::Failed(..))
    }

    /// Abandons the handshake with `reason` (see [`InitiatorState::abort`]).
    pub fn abort(&mut self, reason: AuthError) {
        if !matches!(self, Self::Completed(_) | Self::Failed(..)) {
            *self = Self::Failed(Some(reason), SuiteList::default());
        }
    }

    /// The error that failed the handshake, if any.
    #[must_use]
    pub const fn error(&self) -> Option<AuthError> {
        match self {
            Self::Failed(e, _) => *e,
            _ => None,
        }
    }

    /// Writes the EDHOC error message to send after a failure (`Ok(None)`: nothing to send).
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`].
    pub fn error_message(&self, out: &mut [u8]) -> Result<Option<usize>, AuthError> {
        match self {
            Self::Failed(Some(e), suites) => write_error_for(e, suites, out),
            _ => Ok(None),
        }
    }
}
