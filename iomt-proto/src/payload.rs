//! Typed payloads: what the plaintext of each frame type contains (postcard 1.2).
//!
//! | frame type | payload |
//! |---|---|
//! | data | a postcard [`Message`] (enum: variant index as a varint, then the variant) |
//! | consent | the canonical `iomt_core::ConsentTag::encode` bytes (postcard inside) |
//! | close | one byte: the [`CloseReason`] code (also its postcard encoding) |
//!
//! # Invariants
//! - [`Message`] variant indices are part of the wire format: `VitalBatch` = 0,
//!   `Waveform` = 1, `Command` = 2, `CommandResult` = 3, `AuditExport` = 4. New variants
//!   are only ever appended.
//! - Decoding is strict: trailing bytes are [`PeerMisbehaved::InvalidPayload`], as is
//!   anything postcard or iomt-core's validating `Deserialize` impls reject.
//! - Byte-string fields borrow from the frame buffer (no copy, no allocation).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_core::{Operation, VitalBatch, WaveformChunk};
use iomt_crypto::CryptoProvider;
use serde::{Deserialize, Serialize};

use crate::channel::{Channel, MAX_PAYLOAD_LEN};
use crate::error::{ApiMisuse, PeerMisbehaved, ProtoError};

macro_rules! wire_code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $code:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(into = "u8", try_from = "u8")]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[repr(u8)]
        pub enum $name { $( $(#[$vmeta])* $variant = $code, )+ }

        impl $name {
            /// Every variant.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable wire code.
            #[must_use]
            pub const fn code(self) -> u8 {
                self as u8
            }

            /// The variant with wire code `code`.
            ///
            /// # Errors
            /// [`PeerMisbehaved::InvalidPayload`] for an unknown code.
            pub const fn from_code(code: u8) -> Result<Self, ProtoError> {
                match code {
                    $( $code => Ok(Self::$variant), )+
                    _ => Err(ProtoError::PeerMisbehaved(PeerMisbehaved::InvalidPayload)),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> Self {
                v.code()
            }
        }

        impl TryFrom<u8> for $name {
            type Error = ProtoError;
            fn try_from(code: u8) -> Result<Self, ProtoError> {
                Self::from_code(code)
            }
        }
    };
}

wire_code_enum! {
    /// Why a session is closed (the payload of a close frame).
    pub enum CloseReason {
        /// Orderly shutdown by the application.
        Normal = 0,
        /// The device is powering down or rebooting.
        Shutdown = 1,
        /// The sender hit an internal error.
        InternalError = 2,
        /// The sender's policy (RBAC, consent) rejected the peer.
        PolicyViolation = 3,
        /// The sender saw too many failed decryptions.
        ForgeryLimit = 4,
        /// The key epochs are exhausted; run a new handshake.
        KeysExhausted = 5,
        /// The peer sent something invalid.
        ProtocolError = 6,
        /// The consent the session's data is bound to was withdrawn or superseded by the
        /// consent authority (or refused): install a current authority-issued tag in a new
        /// session before sending more data.
        ConsentRequired = 7,
    }
}

wire_code_enum! {
    /// The outcome of a [`Command`].
    pub enum CommandStatus {
        /// Done.
        Ok = 0,
        /// Not authorized (RBAC or consent denied).
        Denied = 1,
        /// Authorized but failed.
        Failed = 2,
        /// The device does not support the operation.
        Unsupported = 3,
        /// A privileged operation lacks the operator second factor.
        OperatorFactorRequired = 4,
        /// The arguments are invalid.
        InvalidArguments = 5,
    }
}

/// A request to perform a device operation (authorization happens in iomt-auth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command<'a> {
    /// Chosen by the requester, echoed in the [`CommandResult`].
    pub request_id: u16,
    /// The operation.
    pub operation: Operation,
    /// Operation-specific arguments (opaque here).
    #[serde(borrow)]
    pub args: &'a [u8],
}

/// The answer to a [`Command`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResult<'a> {
    /// The request this answers.
    pub request_id: u16,
    /// The outcome.
    pub status: CommandStatus,
    /// Operation-specific result data (opaque here).
    #[serde(borrow)]
    pub data: &'a [u8],
}

/// One chunk of an audit-log export. The record format and the signed chain head are
/// defined by iomt-auth's audit log; this message only carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditExport<'a> {
    /// Index of the first record in this chunk.
    pub first_index: u64,
    /// Concatenated fixed-size records.
    #[serde(borrow)]
    pub records: &'a [u8],
    /// In the last chunk: the chain head and the device's ES256 signature over it.
    #[serde(borrow)]
    pub signed_head: Option<&'a [u8]>,
}

/// A data-frame payload. `N` = readings per batch, `S` = samples per waveform chunk.
///
/// # Example
/// ```
/// use iomt_core::Operation;
/// use iomt_proto::{Command, Message};
/// let msg: Message<'_, 4, 16> = Message::Command(Command {
///     request_id: 7,
///     operation: Operation::ReadVitals,
///     args: &[],
/// });
/// let mut buf = [0u8; 32];
/// let n = msg.encode(&mut buf)?;
/// assert_eq!(&buf[..n], &[2, 7, 0, 0]); // variant 2, id 7 (varint), op code 0, empty args
/// assert_eq!(Message::<4, 16>::decode(&buf[..n])?, msg);
/// # Ok::<(), iomt_proto::ProtoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message<'a, const N: usize, const S: usize> {
    /// Numeric vital signs.
    VitalBatch(VitalBatch<N>),
    /// A chunk of a waveform (e.g. one ECG lead).
    Waveform(WaveformChunk<S>),
    /// A command to the device.
    #[serde(borrow)]
    Command(Command<'a>),
    /// The result of a command.
    #[serde(borrow)]
    CommandResult(CommandResult<'a>),
    /// A chunk of the audit log.
    #[serde(borrow)]
    AuditExport(AuditExport<'a>),
}

impl<'a, const N: usize, const S: usize> Message<'a, N, S> {
    /// The encoded length.
    ///
    /// # Errors
    /// [`ApiMisuse::PayloadTooLarge`] if postcard cannot size it.
    pub fn encoded_len(&self) -> Result<usize, ProtoError> {
        postcard::experimental::serialized_size(self)
            .map_err(|_| ProtoError::ApiMisuse(ApiMisuse::PayloadTooLarge))
    }

    /// Encodes into `buf`, returning the length.
    ///
    /// # Errors
    /// [`ProtoError::BufferTooSmall`] if it does not fit.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, ProtoError> {
        let needed = self.encoded_len()?;
        if needed > buf.len() {
            return Err(ProtoError::BufferTooSmall { needed });
        }
        postcard::to_slice(self, buf)
            .map(|s| s.len())
            .map_err(|_| ProtoError::BufferTooSmall { needed })
    }

    /// Decodes a data-frame payload (strict: no trailing bytes), borrowing from `bytes`.
    ///
    /// # Errors
    /// [`PeerMisbehaved::InvalidPayload`].
    pub fn decode(bytes: &'a [u8]) -> Result<Self, ProtoError> {
        match postcard::take_from_bytes::<Self>(bytes) {
            Ok((msg, [])) => Ok(msg),
            _ => Err(PeerMisbehaved::InvalidPayload.into()),
        }
    }
}

impl CloseReason {
    /// Decodes a close frame's payload.
    ///
    /// # Errors
    /// [`PeerMisbehaved::InvalidPayload`] unless it is exactly one known code.
    pub const fn decode(payload: &[u8]) -> Result<Self, ProtoError> {
        match payload {
            [code] => Self::from_code(*code),
            _ => Err(ProtoError::PeerMisbehaved(PeerMisbehaved::InvalidPayload)),
        }
    }
}

/// The close reason to send after a local error, for errors that should end the
/// session (rustls maps errors to alerts the same way). Errors that only drop one frame
/// (malformed, rejected, a single failed authentication) map to `Err(())`: nothing is
/// sent for them.
///
/// ```
/// use iomt_proto::{CloseReason, LimitKind, ProtoError};
/// let e = ProtoError::LimitReached(LimitKind::Forgery);
/// assert_eq!(CloseReason::try_from(&e), Ok(CloseReason::ForgeryLimit));
/// assert!(CloseReason::try_from(&ProtoError::AuthenticationFailed).is_err());
/// ```
impl TryFrom<&ProtoError> for CloseReason {
    type Error = ();
    fn try_from(e: &ProtoError) -> Result<Self, ()> {
        match e {
            ProtoError::LimitReached(crate::error::LimitKind::Forgery) => Ok(Self::ForgeryLimit),
            ProtoError::LimitReached(_) => Ok(Self::KeysExhausted),
            ProtoError::PeerMisbehaved(_) => Ok(Self::ProtocolError),
            ProtoError::KeyExport | ProtoError::Crypto(_) => Ok(Self::InternalError),
            _ => Err(()),
        }
    }
}

impl<const W: u32, const SLOTS: usize> Channel<W, SLOTS> {
    /// Encodes `msg` straight into the frame buffer and seals it as a data frame.
    ///
    /// # Errors
    /// [`ApiMisuse::PayloadTooLarge`] above [`MAX_PAYLOAD_LEN`],
    /// [`ProtoError::BufferTooSmall`], and the errors of [`Channel::seal_data`].
    pub fn seal_message<C: CryptoProvider, const N: usize, const S: usize>(
        &mut self,
        crypto: &mut C,
        slot: Option<u8>,
        msg: &Message<'_, N, S>,
        out: &mut [u8],
    ) -> Result<usize, ProtoError> {
        let len = msg.encoded_len()?;
        if len > MAX_PAYLOAD_LEN {
            return Err(ApiMisuse::PayloadTooLarge.into());
        }
        let needed = len.saturating_add(self.overhead());
        if out.len() < needed {
            return Err(ProtoError::BufferTooSmall { needed });
        }
        self.seal_data_with(crypto, slot, out, |buf| msg.encode(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_reason_codes() {
        for r in CloseReason::ALL {
            assert_eq!(CloseReason::decode(&[r.code()]), Ok(*r));
            let mut b = [0u8; 2];
            assert_eq!(postcard::to_slice(r, &mut b).unwrap(), &[r.code()]);
        }
        assert!(CloseReason::decode(&[]).is_err());
        assert!(CloseReason::decode(&[0, 0]).is_err());
        assert!(CloseReason::decode(&[8]).is_err());
    }

    #[test]
    fn variant_indices_are_stable() {
        let cmd: Message<'_, 1, 1> = Message::CommandResult(CommandResult {
            request_id: 300,
            status: CommandStatus::Denied,
            data: b"no",
        });
        let mut b = [0u8; 16];
        let n = cmd.encode(&mut b).unwrap();
        assert_eq!(&b[..n], &[3, 0xAC, 0x02, 1, 2, b'n', b'o']);
        let audit: Message<'_, 1, 1> = Message::AuditExport(AuditExport {
            first_index: 1,
            records: &[9, 9],
            signed_head: None,
        });
        let n = audit.encode(&mut b).unwrap();
        assert_eq!(&b[..n], &[4, 1, 2, 9, 9, 0]);
        assert_eq!(Message::<1, 1>::decode(&b[..n]).unwrap(), audit);
    }

    #[test]
    fn decode_rejects_trailing_and_garbage() {
        assert!(Message::<1, 1>::decode(&[2, 7, 0, 0, 0]).is_err());
        assert!(Message::<1, 1>::decode(&[5]).is_err());
        assert!(Message::<1, 1>::decode(&[]).is_err());
        assert!(Message::<1, 1>::decode(&[2, 7, 99, 0]).is_err()); // unknown operation
        assert!(Message::<1, 1>::decode(&[3, 7, 9, 0]).is_err()); // unknown status
    }

    #[test]
    fn encode_reports_needed_size() {
        let m: Message<'_, 1, 1> = Message::Command(Command {
            request_id: 1,
            operation: Operation::FirmwareUpdate,
            args: &[0; 10],
        });
        assert_eq!(
            m.encode(&mut [0u8; 5]),
            Err(ProtoError::BufferTooSmall { needed: 14 })
        );
    }
}
