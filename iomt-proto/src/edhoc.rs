//! Adapter from iomt-auth's completed EDHOC handshake (feature `edhoc`).
//!
//! [`Channel::from_edhoc`] derives the channel keys with `EDHOC_Exporter` (labels
//! 32768/32769, see `docs/PROTOCOL.md` §5; once per handshake and key epoch) and the
//! AEAD of the selected suite. [`EdhocExporter`] is the handshake's exporter as a
//! [`KeyExporter`] for application keys (it refuses the channel's labels). With the `embedded-io` feature too, [`crate::transport::handshake`]
//! runs the handshake itself over a stream or datagram link.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_auth::edhoc::{
    CHANNEL_LABEL_INITIATOR_TO_RESPONDER, CHANNEL_LABEL_RESPONDER_TO_INITIATOR, CHANNEL_SECRET_LEN,
    Completed,
};
use iomt_auth::error::{ApiMisuse as AuthMisuse, AuthError};
use iomt_crypto::CryptoProvider;
use zeroize::Zeroize;

use crate::channel::Channel;
use crate::error::{ApiMisuse, ProtoError};
use crate::keys::{
    self, ExportError, KeyExporter, LABEL_INITIATOR_TO_RESPONDER, LABEL_RESPONDER_TO_INITIATOR,
    SECRET_LEN, Side,
};

/// `EDHOC_Exporter` of a completed handshake as a [`KeyExporter`].
#[derive(Debug)]
pub struct EdhocExporter<'a, C> {
    completed: &'a mut Completed,
    crypto: &'a mut C,
}

impl<'a, C: CryptoProvider> EdhocExporter<'a, C> {
    /// Wraps a completed handshake and the provider its exporter runs on.
    pub const fn new(completed: &'a mut Completed, crypto: &'a mut C) -> Self {
        Self { completed, crypto }
    }
}

impl<C: CryptoProvider> KeyExporter for EdhocExporter<'_, C> {
    fn export(&mut self, label: u16, context: &[u8], out: &mut [u8]) -> Result<(), ExportError> {
        self.completed
            .exporter(self.crypto, label, context, out)
            .map_err(|_| ExportError)
    }
}

// The channel's exporter labels are iomt-auth's reserved ones.
const _: () = {
    assert!(LABEL_INITIATOR_TO_RESPONDER == CHANNEL_LABEL_INITIATOR_TO_RESPONDER);
    assert!(LABEL_RESPONDER_TO_INITIATOR == CHANNEL_LABEL_RESPONDER_TO_INITIATOR);
    assert!(SECRET_LEN == CHANNEL_SECRET_LEN);
};

impl<const W: u32, const SLOTS: usize> Channel<W, SLOTS> {
    /// The channel of a completed EDHOC handshake: AEAD of the selected suite, keys from
    /// [`Completed::channel_secrets`], connection id from the handshake
    /// ([`conn_id_of`]: the responder's C_R, which both ends hold after message_2).
    /// `side` is this end's EDHOC role.
    ///
    /// # Security
    /// One channel per completed handshake and key epoch, enforced: a second call on the
    /// same `completed` is refused with [`ApiMisuse::ChannelAlreadyStarted`] (it would
    /// get the same keys and reuse the first channel's nonces). To start a fresh channel
    /// on the same handshake, run `Completed::key_update` (with the same context) on both
    /// sides first.
    ///
    /// # Errors
    /// [`ProtoError::ConnIdNotOneByte`] if C_R is not exactly one byte (checked first:
    /// no key is derived and the handshake's one channel is not used up);
    /// [`ApiMisuse::ChannelAlreadyStarted`];
    /// [`ProtoError::KeyExport`] if the exporter fails, [`ProtoError::Crypto`] if HKDF
    /// fails.
    pub fn from_edhoc<C: CryptoProvider>(
        crypto: &mut C,
        completed: &mut Completed,
        side: Side,
    ) -> Result<Self, ProtoError> {
        let conn_id = conn_id_of(completed)?;
        let algorithm = completed.selected_suite().aead();
        let context = keys::exporter_context(algorithm);
        // Derive both secrets first: the exporter needs the provider, and so does `new`.
        let mut secrets = [[0u8; SECRET_LEN]; 2];
        let [i2r, r2i] = &mut secrets;
        let exported = completed.channel_secrets(crypto, &context, i2r, r2i);
        let result = match exported {
            Ok(()) => {
                let mut cached = |label: u16, _: &[u8], out: &mut [u8]| {
                    let src = match label {
                        LABEL_INITIATOR_TO_RESPONDER => &secrets[0],
                        LABEL_RESPONDER_TO_INITIATOR => &secrets[1],
                        _ => return Err(ExportError),
                    };
                    let dst = out.get_mut(..SECRET_LEN).ok_or(ExportError)?;
                    dst.copy_from_slice(src);
                    Ok(())
                };
                Self::new(crypto, &mut cached, algorithm, side, conn_id)
            }
            Err(AuthError::ApiMisuse(AuthMisuse::ChannelAlreadyStarted)) => {
                Err(ProtoError::ApiMisuse(ApiMisuse::ChannelAlreadyStarted))
            }
            Err(_) => Err(ProtoError::KeyExport),
        };
        secrets.zeroize();
        result
    }
}

/// The channel's one-byte connection id for a completed handshake: the responder's
/// connection identifier C_R (RFC 9528 §3.3), which the responder chose and the
/// initiator received in message_2, so both ends hold the same value and a responder
/// that keeps its C_R values distinct among its sessions (as RFC 9528 §3.3.2 requires)
/// gets distinct frame connection ids. C_R, not an exporter output: a derived byte
/// would collide between two concurrent sessions with probability 1/256, whereas C_R is
/// unique by the responder's choice.
///
/// # Errors
/// [`ProtoError::ConnIdNotOneByte`] if C_R is empty or longer than one byte (frames
/// carry one byte; a responder must configure one-byte C_R values, which are also the
/// shortest on the wire: one CBOR byte for 0x00..=0x17 and 0x20..=0x37).
pub fn conn_id_of(completed: &Completed) -> Result<u8, ProtoError> {
    match *completed.c_r().as_bytes() {
        [id] => Ok(id),
        ref other => Err(ProtoError::ConnIdNotOneByte {
            len: u8::try_from(other.len()).unwrap_or(u8::MAX),
        }),
    }
}
