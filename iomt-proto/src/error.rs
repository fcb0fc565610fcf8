//! The crate's one root error type, [`ProtoError`], and its sub-enums.
//!
//! The taxonomy follows rustls: [`ProtoError::Malformed`] and [`ProtoError::Rejected`]
//! cover frames that never reached decryption (nothing in the session changed),
//! [`ProtoError::AuthenticationFailed`] is the one opaque crypto failure a peer can see,
//! [`ProtoError::PeerMisbehaved`] covers authenticated frames whose content is invalid,
//! and [`ProtoError::ApiMisuse`] covers deterministic caller bugs.

use core::fmt;

use iomt_crypto::CryptoError;

use crate::fragment::FragmentError;

/// Why a byte string is not a well-formed frame header (nothing was decrypted).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WireError {
    /// Fewer bytes than the header (or header + tag) needs.
    Truncated,
    /// The version bits name a protocol version this code does not speak.
    UnsupportedVersion(u8),
    /// The frame-type bits name no known frame type.
    UnknownFrameType(u8),
    /// A reserved bit is set.
    ReservedBitSet,
    /// The sequence number is not minimally encoded.
    NonMinimalSequence,
}

/// Why a well-formed frame was refused before decryption (session state unchanged).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Rejection {
    /// The frame belongs to another connection.
    WrongConnectionId {
        /// The connection id of this session.
        expected: u8,
        /// The connection id in the frame.
        got: u8,
    },
    /// The sequence number was already accepted (a duplicate or a replay).
    Replayed,
    /// The sequence number is below the replay window.
    TooOld,
    /// The key epoch is neither current, the previous one in its grace period, nor a
    /// near-future one.
    WrongEpoch,
    /// The frame is longer than [`crate::MAX_FRAME_LEN`].
    FrameTooLarge,
    /// The frame names a consent slot that holds no tag (yet).
    ConsentSlotEmpty(u8),
    /// The frame names a consent slot outside this session's slot table, or a
    /// consent frame names a slot the sender does not own.
    ConsentSlotInvalid(u8),
    /// No session has this connection id (gateway session table).
    UnknownConnection(u8),
    /// A consent frame for this slot is not newer (key epoch, sequence number) than the
    /// one that installed the slot's current tag: a reordered or delayed older install.
    /// Refused and counted (`ChannelStats::consent_out_of_order`), never applied.
    ConsentOutOfOrder(u8),
}

/// An authenticated frame whose content is invalid (the peer is broken or hostile).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PeerMisbehaved {
    /// A consent frame's payload is not a valid encoded consent tag.
    InvalidConsentTag,
    /// A payload does not decode as the message its frame type announces.
    InvalidPayload,
    /// A frame type that must not carry this content (e.g. a close frame with a consent slot).
    UnexpectedFrame,
}

/// A deterministic caller bug.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ApiMisuse {
    /// The payload is longer than [`crate::MAX_PAYLOAD_LEN`].
    PayloadTooLarge,
    /// The consent slot number is outside the slot table (or is the "none" value for
    /// a consent frame).
    InvalidSlot,
    /// This side may not install a tag in that slot (initiators own even slots,
    /// responders odd ones).
    SlotNotOwned,
    /// The referenced consent slot is empty on this side.
    SlotEmpty,
    /// The consent tag is longer than `iomt_core::MAX_CONSENT_TAG_LEN` or does not decode.
    InvalidConsentTag,
    /// The AEAD algorithm's nonce is shorter than epoch ‖ sequence (cannot happen for
    /// the supported suites).
    UnsupportedAlgorithm,
    /// The handshake's channel of the current key epoch was already started: a second
    /// channel would have the same keys and reuse the first one's nonces.
    ChannelAlreadyStarted,
}

/// Which per-key or per-session limit was reached.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LimitKind {
    /// The receive key's failed-decryption (forgery) limit: the session is closed.
    Forgery,
    /// The 32-bit key epoch counter is exhausted: a new handshake is needed.
    Epoch,
}

/// The root error of `iomt-proto`.
///
/// # Example
/// ```
/// use iomt_proto::{ProtoError, Rejection};
/// let e = ProtoError::Rejected(Rejection::Replayed);
/// assert_eq!(e.code(), 401); // iomt_result FRAME_REPLAYED in the C API
/// assert_eq!(e.to_string(), "frame rejected: replayed");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ProtoError {
    /// The frame header is malformed.
    Malformed(WireError),
    /// The frame is well formed but not acceptable now; nothing was decrypted.
    Rejected(Rejection),
    /// The frame failed AEAD authentication (forged, corrupted, or bound to another
    /// consent tag). Counts toward the forgery limit.
    AuthenticationFailed,
    /// The frame authenticated but its content is invalid.
    PeerMisbehaved(PeerMisbehaved),
    /// The caller used the API wrongly.
    ApiMisuse(ApiMisuse),
    /// An output buffer is too small.
    BufferTooSmall {
        /// The number of bytes needed.
        needed: usize,
    },
    /// A limit was reached; the session is closed.
    LimitReached(LimitKind),
    /// The session is closed (by a close frame, a limit, or the application).
    Closed,
    /// The key exporter (EDHOC_Exporter) failed.
    KeyExport,
    /// The handshake's connection identifier C_R is not one byte (`len` bytes), so it
    /// cannot be the channel's one-byte connection id: configure the responder with a
    /// one-byte C_R.
    ConnIdNotOneByte {
        /// C_R's length.
        len: u8,
    },
    /// The crypto provider failed for a reason other than authentication.
    Crypto(CryptoError),
    /// A fragment was refused, or a unit cannot be fragmented (fragmenting links).
    Fragment(FragmentError),
}

impl ProtoError {
    /// The error's code in iomt's one registry (docs/ERRORS.md): unique per meaning across
    /// every crate, grouped in ranges by class (1–99 general, 100 crypto, 200 data, 300
    /// handshake, 400 session, 500 authorization, 600 audit, 700 update), and equal to the
    /// C API's `iomt_result` value. A condition shared by several crates (a short buffer:
    /// 2) has one code. Never reused.
    #[must_use]
    pub const fn code(self) -> u16 {
        match self {
            Self::Malformed(w) => match w {
                WireError::Truncated => 400,
                WireError::UnsupportedVersion(_) => 407,
                WireError::UnknownFrameType(_) => 408,
                WireError::ReservedBitSet => 409,
                WireError::NonMinimalSequence => 412,
            },
            Self::Rejected(r) => match r {
                Rejection::Replayed => 401,
                Rejection::TooOld => 402,
                Rejection::WrongConnectionId { .. } => 403,
                Rejection::WrongEpoch => 404,
                Rejection::FrameTooLarge => 405,
                Rejection::ConsentSlotEmpty(_) => 406,
                Rejection::ConsentSlotInvalid(_) => 413,
                Rejection::UnknownConnection(_) => 414,
                Rejection::ConsentOutOfOrder(_) => 440,
            },
            Self::AuthenticationFailed => 410,
            Self::PeerMisbehaved(p) => match p {
                PeerMisbehaved::InvalidConsentTag => 411,
                PeerMisbehaved::InvalidPayload => 415,
                PeerMisbehaved::UnexpectedFrame => 416,
            },
            Self::ApiMisuse(a) => match a {
                ApiMisuse::PayloadTooLarge => 430,
                ApiMisuse::InvalidSlot => 431,
                ApiMisuse::InvalidConsentTag => 432,
                ApiMisuse::UnsupportedAlgorithm => 433,
                ApiMisuse::SlotNotOwned => 435,
                ApiMisuse::SlotEmpty => 436,
                ApiMisuse::ChannelAlreadyStarted => 335,
            },
            Self::BufferTooSmall { .. } => 2,
            Self::LimitReached(l) => match l {
                LimitKind::Forgery => 420,
                LimitKind::Epoch => 422,
            },
            Self::Closed => 421,
            Self::KeyExport => 434,
            Self::ConnIdNotOneByte { .. } => 338,
            Self::Crypto(c) => c.code(),
            Self::Fragment(f) => f.code(),
        }
    }

    /// Whether the session must be considered dead after this error.
    #[must_use]
    pub const fn is_fatal(self) -> bool {
        matches!(self, Self::LimitReached(_) | Self::Closed | Self::KeyExport)
    }
}

impl From<WireError> for ProtoError {
    fn from(e: WireError) -> Self {
        Self::Malformed(e)
    }
}

impl From<Rejection> for ProtoError {
    fn from(e: Rejection) -> Self {
        Self::Rejected(e)
    }
}

impl From<PeerMisbehaved> for ProtoError {
    fn from(e: PeerMisbehaved) -> Self {
        Self::PeerMisbehaved(e)
    }
}

impl From<ApiMisuse> for ProtoError {
    fn from(e: ApiMisuse) -> Self {
        Self::ApiMisuse(e)
    }
}

impl From<FragmentError> for ProtoError {
    fn from(e: FragmentError) -> Self {
        Self::Fragment(e)
    }
}

impl From<CryptoError> for ProtoError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::AuthenticationFailed => Self::AuthenticationFailed,
            other => Self::Crypto(other),
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("truncated"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported version {v}"),
            Self::UnknownFrameType(t) => write!(f, "unknown frame type {t}"),
            Self::ReservedBitSet => f.write_str("reserved bit set"),
            Self::NonMinimalSequence => f.write_str("non-minimal sequence number"),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongConnectionId { expected, got } => {
                write!(f, "connection id {got}, expected {expected}")
            }
            Self::Replayed => f.write_str("replayed"),
            Self::TooOld => f.write_str("too old for the replay window"),
            Self::WrongEpoch => f.write_str("wrong key epoch"),
            Self::FrameTooLarge => f.write_str("frame too large"),
            Self::ConsentSlotEmpty(s) => write!(f, "consent slot {s} is empty"),
            Self::ConsentSlotInvalid(s) => write!(f, "consent slot {s} is invalid"),
            Self::UnknownConnection(c) => write!(f, "no session with connection id {c}"),
            Self::ConsentOutOfOrder(s) => {
                write!(f, "consent frame for slot {s} older than the installed tag")
            }
        }
    }
}

impl fmt::Display for PeerMisbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidConsentTag => "invalid consent tag",
            Self::InvalidPayload => "invalid payload",
            Self::UnexpectedFrame => "unexpected frame",
        })
    }
}

impl fmt::Display for ApiMisuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PayloadTooLarge => "payload too large",
            Self::InvalidSlot => "invalid consent slot",
            Self::SlotNotOwned => "consent slot owned by the peer",
            Self::SlotEmpty => "consent slot empty",
            Self::InvalidConsentTag => "invalid consent tag",
            Self::UnsupportedAlgorithm => "unsupported AEAD algorithm",
            Self::ChannelAlreadyStarted => {
                "channel of this handshake and key epoch already started"
            }
        })
    }
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed frame: {w}"),
            Self::Rejected(r) => write!(f, "frame rejected: {r}"),
            Self::AuthenticationFailed => f.write_str("authentication failed"),
            Self::PeerMisbehaved(p) => write!(f, "peer misbehaved: {p}"),
            Self::ApiMisuse(a) => write!(f, "API misuse: {a}"),
            Self::BufferTooSmall { needed } => write!(f, "buffer too small, {needed} bytes needed"),
            Self::LimitReached(LimitKind::Forgery) => {
                f.write_str("forgery limit reached, session closed")
            }
            Self::LimitReached(LimitKind::Epoch) => {
                f.write_str("key epochs exhausted, session closed")
            }
            Self::Closed => f.write_str("session closed"),
            Self::KeyExport => f.write_str("key export failed"),
            Self::ConnIdNotOneByte { len } => {
                write!(
                    f,
                    "C_R has {len} bytes; the channel's connection id is one byte"
                )
            }
            Self::Crypto(c) => write!(f, "crypto: {c}"),
            Self::Fragment(e) => write!(f, "fragmentation: {e}"),
        }
    }
}

impl core::error::Error for WireError {}
impl core::error::Error for Rejection {}
impl core::error::Error for PeerMisbehaved {}
impl core::error::Error for ApiMisuse {}
impl core::error::Error for ProtoError {}
