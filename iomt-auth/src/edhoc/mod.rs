//! EDHOC (RFC 9528): sans-IO initiator and responder typestates, methods 0–3, cipher
//! suites 2 and 5.
//!
//! # Flow
//! ```text
//! Initiator ──prepare_message_1──▶ InitiatorWaitMessage2
//!   ──parse_message_2──▶ InitiatorMessage2Received (ID_CRED_R, EAD_2 exposed)
//!   ──verify_message_2(cred)──▶ InitiatorMessage2Verified
//!   ──prepare_message_3──▶ AfterMessage3::{WaitMessage4(InitiatorWaitMessage4), Completed}
//!   InitiatorWaitMessage4 ──process_message_4──▶ Completed
//!
//! Responder ──process_message_1──▶ ResponderMessage1Received (EAD_1, suite, C_I exposed)
//!   ──prepare_message_2──▶ ResponderWaitMessage3
//!   ──parse_message_3──▶ ResponderMessage3Received (ID_CRED_I, EAD_3 exposed)
//!   ──verify_message_3(cred)──▶ ResponderMessage3Verified
//!   ──prepare_message_4 / complete──▶ Completed
//! ```
//!
//! # State names
//! One vocabulary for the typestates, the storable enums, [`Phase`] and the C API's
//! `IOMT_HANDSHAKE_STATE_*`: `Start` (the [`Initiator`] / [`Responder`] value),
//! `WaitMessageN` (a message was sent, message_N is expected), `MessageNReceived`
//! (message_N parsed and its plaintext readable, not yet verified), `MessageNVerified`
//! (message_N authenticated), `Complete` (keys available; the variant holding the
//! [`Completed`] session is named after it) and `Failed`. Typestate types carry the role
//! as prefix (`InitiatorWaitMessage2`); the storable variants and [`Phase`] use the same
//! words without it (`InitiatorState::WaitMessage2`, `Phase::WaitMessage2`,
//! `IOMT_HANDSHAKE_STATE_WAIT_MESSAGE2`).
//!
//! Every step takes `self` by value, so a state cannot be reused and any failure drops
//! it (secrets zeroize on drop). The crypto provider is passed into each step as
//! `&mut C`; states store no reference to it. [`InitiatorState`] / [`ResponderState`]
//! wrap the states in one storable enum for the C API and transports.
//!
//! # Invariants
//! - States never store whole messages: only transcript hashes, PRKs, the ephemeral
//!   secret while still needed, the peer's ephemeral key while still needed,
//!   connection identifiers and small configuration. `size_of` of every state is
//!   reported by the `state_sizes` test.
//! - Every received P-256 x-coordinate is validated (`PublicKey::from_x_coordinate`)
//!   before any ECDH; every MAC is compared in constant time; a failure in any step
//!   consumes the state.
//! - Messages 2–4 are decrypted in place in the caller's buffer. A step that fails after
//!   decrypting wipes the decrypted region before returning; the storable enums also
//!   wipe it when verification fails. (A typestate caller that drops a
//!   `*Received` value or sees its `verify_*` fail must wipe the buffer itself: the
//!   value borrows it read-only.)
//! - Received messages are parsed strictly (deterministic CBOR, no trailing bytes, RFC
//!   9528 §3.3.2 identifier representation, compact `kid`), so every RFC 9529 §4 invalid
//!   message is rejected before any cryptography that depends on it.
//!
//! # Capacities
//! Outgoing messages go into caller buffers ([`AuthError::BufferTooSmall`] reports the
//! need). Scratch buffers on the stack are bounded by [`MAX_CRED_LEN`], [`MAX_EAD_LEN`]
//! and [`MAX_CONN_ID_LEN`]; [`MAX_PLAINTEXT_2_LEN`] bounds PLAINTEXT_2 (and so message_2).
//! Sizes each method needs with kid-referenced CCS credentials (measured by the
//! `message_sizes` test, C_I/C_R one byte, no EAD):
//!
//! | method | suite | message_1 | message_2 | message_3 | message_4 | total 1–3 |
//! |--------|-------|-----------|-----------|-----------|-----------|-----------|
//! | 0 sig/sig | 2 | 37 | 102 | 77 | 9 | 216 |
//! | 0 sig/sig | 5 | 37 | 102 | 85 | 17 | 224 |
//! | 1 sig/DH  | 2 | 37 | 45 | 77 | 9 | 159 |
//! | 1 sig/DH  | 5 | 37 | 53 | 85 | 17 | 175 |
//! | 2 DH/sig  | 2 | 37 | 102 | 19 | 9 | 158 |
//! | 2 DH/sig  | 5 | 37 | 102 | 36 | 17 | 175 |
//! | 3 DH/DH   | 2 | 37 | 45 | 19 | 9 | 101 |
//! | 3 DH/DH   | 5 | 37 | 53 | 36 | 17 | 126 |
//!
//! Output buffers of 128 bytes (message_2 with a signature) and 96 bytes (message_3)
//! suffice for kid credentials without EAD; credentials by value add the CCS length.
//! (message_3 includes the AEAD tag: 8 bytes in suite 2, 16 in suite 5.)

mod common;
mod completed;
mod ead;
mod initiator;
pub(crate) mod kdf;
pub(crate) mod msg;
mod refusal;
mod responder;
mod state;

pub use completed::{
    CHANNEL_LABEL_INITIATOR_TO_RESPONDER, CHANNEL_LABEL_RESPONDER_TO_INITIATOR, CHANNEL_SECRET_LEN,
    Completed, MAX_EXPORT_LEN,
};
pub use ead::{Ead, EadItem, EadItems, EadLabels, MAX_EAD_LABELS, ReceivedEad};
pub use initiator::{
    AfterMessage3, Initiator, InitiatorConfig, InitiatorMessage2Received,
    InitiatorMessage2Verified, InitiatorWaitMessage2, InitiatorWaitMessage4,
};
pub use msg::{ErrInfo, ErrorMessage, write_error_message};
pub use refusal::{MAX_REFUSAL_LEN, Refusal};
pub use responder::{
    Responder, ResponderConfig, ResponderMessage1Received, ResponderMessage3Received,
    ResponderMessage3Verified, ResponderWaitMessage3,
};
pub use state::{InitiatorState, Phase, ResponderState};

use crate::error::{ApiMisuse, AuthError, PeerMisbehaved};
use iomt_crypto::{AeadAlgorithm, copy_prefix};

/// Longest connection identifier (C_I, C_R) accepted or sent, in bytes.
pub const MAX_CONN_ID_LEN: usize = 7;
/// Longest credential (CRED_x, CCS bytes) that fits the MAC-context scratch buffer.
/// The RFC 9529 CCS credentials are 107 (CRED_I) and 95 (CRED_R) bytes.
pub const MAX_CRED_LEN: usize = 192;
/// Longest encoded EAD field (all items of one message) sent or accepted.
pub const MAX_EAD_LEN: usize = 96;
/// Longest kid-or-CCS ID_CRED in a plaintext.
pub(crate) const MAX_ID_CRED_LEN: usize = MAX_CRED_LEN + 2;
/// Longest PLAINTEXT_2 (C_R, ID_CRED_R by value, a signature, EAD_2).
pub const MAX_PLAINTEXT_2_LEN: usize = 1 + MAX_CONN_ID_LEN + MAX_ID_CRED_LEN + 2 + 64 + MAX_EAD_LEN;
/// Length of the hash (SHA-256) in every supported suite.
pub(crate) const HASH_LEN: usize = 32;
/// Length of an ES256 signature.
pub(crate) const SIGNATURE_LEN: usize = 64;

/// An EDHOC cipher suite this implementation supports.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Suite {
    /// Suite 2: AES-CCM-16-64-128, SHA-256, MAC length 8, P-256, ES256.
    Suite2,
    /// Suite 5: ChaCha20-Poly1305, SHA-256, MAC length 16, P-256, ES256.
    Suite5,
}

impl Suite {
    /// The suite with this IANA number, if implemented.
    #[must_use]
    pub const fn from_id(id: u8) -> Option<Self> {
        match id {
            2 => Some(Self::Suite2),
            5 => Some(Self::Suite5),
            _ => None,
        }
    }

    /// The IANA number.
    #[must_use]
    pub const fn id(self) -> u8 {
        match self {
            Self::Suite2 => 2,
            Self::Suite5 => 5,
        }
    }

    /// EDHOC MAC length (static-DH side).
    #[must_use]
    pub const fn mac_len(self) -> usize {
        match self {
            Self::Suite2 => 8,
            Self::Suite5 => 16,
        }
    }

    /// The EDHOC AEAD algorithm.
    #[must_use]
    pub const fn aead(self) -> AeadAlgorithm {
        match self {
            Self::Suite2 => AeadAlgorithm::AesCcm16_64_128,
            Self::Suite5 => AeadAlgorithm::ChaCha20Poly1305,
        }
    }
}

/// The authentication method (RFC 9528 §3.2).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Method {
    /// 0: initiator signature, responder signature.
    SigSig = 0,
    /// 1: initiator signature, responder static DH.
    SigStat = 1,
    /// 2: initiator static DH, responder signature.
    StatSig = 2,
    /// 3: initiator static DH, responder static DH.
    StatStat = 3,
}

impl Method {
    /// All four methods.
    pub const ALL: [Self; 4] = [Self::SigSig, Self::SigStat, Self::StatSig, Self::StatStat];

    /// The methods this build implements: all four with the `signature-methods` feature
    /// (default), otherwise method 3 only. A responder configured with `SUPPORTED` works in
    /// either build; one configured with [`Self::ALL`] without the feature is refused at
    /// construction with [`crate::error::ApiMisuse::MethodNotBuilt`].
    ///
    /// ```
    /// use iomt_auth::edhoc::Method;
    /// assert!(Method::SUPPORTED.iter().all(|m| m.is_supported()));
    /// assert!(Method::SUPPORTED.contains(&Method::StatStat));
    /// ```
    #[cfg(feature = "signature-methods")]
    pub const SUPPORTED: &'static [Self] = &Self::ALL;
    /// The methods this build implements: method 3 only (the `signature-methods` feature
    /// is off).
    #[cfg(not(feature = "signature-methods"))]
    pub const SUPPORTED: &'static [Self] = &[Self::StatStat];

    /// From the wire value.
    #[must_use]
    pub const fn from_id(id: i64) -> Option<Self> {
        match id {
            0 => Some(Self::SigSig),
            1 => Some(Self::SigStat),
            2 => Some(Self::StatSig),
            3 => Some(Self::StatStat),
            _ => None,
        }
    }

    /// The wire value.
    #[must_use]
    pub const fn id(self) -> u8 {
        self as u8
    }

    /// `true` if this build implements the method: always method 3; methods 0–2 (ECDSA)
    /// only with the `signature-methods` feature (on by default).
    #[must_use]
    pub const fn is_supported(self) -> bool {
        cfg!(feature = "signature-methods") || matches!(self, Self::StatStat)
    }

    /// `true` if the initiator authenticates with static DH (methods 2, 3).
    #[must_use]
    pub const fn initiator_static(self) -> bool {
        matches!(self, Self::StatSig | Self::StatStat)
    }

    /// `true` if the responder authenticates with static DH (methods 1, 3).
    #[must_use]
    pub const fn responder_static(self) -> bool {
        matches!(self, Self::SigStat | Self::StatStat)
    }

    /// Bit for [`ResponderConfig::methods`].
    #[must_use]
    pub const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Length of Signature_or_MAC for a side: 64 (signature) or the suite MAC length.
pub(crate) const fn sig_or_mac_len(is_static: bool, suite: Suite) -> usize {
    if is_static {
        suite.mac_len()
    } else {
        SIGNATURE_LEN
    }
}

/// MAC length for a side: hash length (signature side) or the suite MAC length.
pub(crate) const fn mac_len(is_static: bool, suite: Suite) -> usize {
    if is_static { suite.mac_len() } else { HASH_LEN }
}

/// A connection identifier (C_I or C_R): a byte string of at most [`MAX_CONN_ID_LEN`]
/// bytes, sent in the RFC 9528 §3.3.2 representation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ConnId {
    bytes: [u8; MAX_CONN_ID_LEN],
    len: u8,
}

impl core::fmt::Debug for ConnId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ConnId({:02x?})", self.as_bytes())
    }
}

impl ConnId {
    /// A connection identifier from its byte-string value.
    ///
    /// ```
    /// use iomt_auth::edhoc::ConnId;
    /// let c = ConnId::new(&[0x37])?; // sent as the CBOR int -24
    /// assert_eq!(c.as_bytes(), &[0x37]);
    /// # Ok::<(), iomt_auth::AuthError>(())
    /// ```
    ///
    /// # Errors
    /// [`ApiMisuse::ConnectionIdTooLong`] if longer than [`MAX_CONN_ID_LEN`].
    pub fn new(bytes: &[u8]) -> Result<Self, AuthError> {
        Self::from_slice(bytes).ok_or(AuthError::ApiMisuse(ApiMisuse::ConnectionIdTooLong))
    }

    fn from_slice(bytes: &[u8]) -> Option<Self> {
        let len = u8::try_from(bytes.len()).ok()?;
        let mut b = [0u8; MAX_CONN_ID_LEN];
        copy_prefix(&mut b, bytes).then_some(Self { bytes: b, len })
    }

    /// Parses a received identifier value (already decoded from its representation).
    pub(crate) fn from_peer(bytes: &[u8]) -> Result<Self, AuthError> {
        Self::from_slice(bytes).ok_or(AuthError::PeerMisbehaved(
            PeerMisbehaved::InvalidConnectionId,
        ))
    }

    /// The byte-string value.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// An ordered list of up to 4 cipher suite numbers (SUITES_I preference order, SUITES_R).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SuiteList {
    ids: [u8; 4],
    len: u8,
}

impl SuiteList {
    /// Capacity.
    pub const CAPACITY: usize = 4;

    /// Refuses a list naming a suite whose AEAD the provider `C` was built without
    /// (compile-time suite selection: iomt-crypto features `aes-ccm`, `chacha20poly1305`).
    /// Unknown suite ids are left to the caller's own check.
    ///
    /// # Errors
    /// [`AuthError::Crypto`] with `AesCcmNotBuilt` (108) or `ChaCha20Poly1305NotBuilt` (109).
    pub(crate) fn check_built<C: iomt_crypto::CryptoProvider>(&self) -> Result<(), AuthError> {
        self.as_slice()
            .iter()
            .filter_map(|id| Suite::from_id(*id))
            .try_for_each(|s| C::aead_built(s.aead()))
            .map_err(AuthError::Crypto)
    }

    /// Builds a list.
    ///
    /// # Errors
    /// [`ApiMisuse::InvalidConfig`] if empty or longer than [`Self::CAPACITY`].
    pub fn new(ids: &[u8]) -> Result<Self, AuthError> {
        let mut s = Self::default();
        if ids.is_empty() {
            return Err(ApiMisuse::InvalidConfig.into());
        }
        for id in ids {
            s.push(*id)
                .map_err(|()| AuthError::ApiMisuse(ApiMisuse::InvalidConfig))?;
        }
        Ok(s)
    }

    pub(crate) fn push(&mut self, id: u8) -> Result<(), ()> {
        let slot = self.ids.get_mut(usize::from(self.len)).ok_or(())?;
        *slot = id;
        self.len = self.len.saturating_add(1);
        Ok(())
    }

    /// The suite numbers.
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        self.ids.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// `true` if `id` is in the list.
    #[must_use]
    pub fn contains(&self, id: u8) -> bool {
        self.as_slice().contains(&id)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_suites;
