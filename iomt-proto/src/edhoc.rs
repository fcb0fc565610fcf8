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
    /// [`Completed::channel_secrets`]. `side` is this end's EDHOC role; both ends must use
    /// the same `conn_id` (e.g. the responder's choice, sent to the device out of band or
    /// in EAD).
    ///
    /// # Security
    /// One channel per completed handshake and key epoch, enforced: a second call on the
    /// same `completed` is refused with [`ApiMisuse::ChannelAlreadyStarted`] (it would
    /// get the same keys and reuse the first channel's nonces). To start a fresh channel
    /// on the same handshake, run `Completed::key_update` (with the same context) on both
    /// sides first.
    ///
    /// # Errors
    /// [`ApiMisuse::ChannelAlreadyStarted`]; [`ProtoError::KeyExport`] if the exporter
    /// fails, [`ProtoError::Crypto`] if HKDF fails.
    pub fn from_edhoc<C: CryptoProvider>(
        crypto: &mut C,
        completed: &mut Completed,
        side: Side,
        conn_id: u8,
    ) -> Result<Self, ProtoError> {
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
