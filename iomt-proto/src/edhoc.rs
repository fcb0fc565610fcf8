//! Adapter from iomt-auth's completed EDHOC handshake (feature `edhoc`).
//!
//! [`Channel::from_edhoc`] derives the channel keys with `EDHOC_Exporter` (labels
//! 32768/32769, see `docs/PROTOCOL.md` §5) and the AEAD of the selected suite.
//! [`EdhocExporter`] is the same exporter as a [`KeyExporter`] for callers that want
//! [`Channel::new`]. With the `embedded-io` feature too, [`crate::transport::handshake`]
//! runs the handshake itself over a stream or datagram link.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_auth::edhoc::Completed;
use iomt_crypto::CryptoProvider;
use zeroize::Zeroize;

use crate::channel::Channel;
use crate::error::ProtoError;
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

impl<const W: u32, const SLOTS: usize> Channel<W, SLOTS> {
    /// The channel of a completed EDHOC handshake: AEAD of the selected suite, keys from
    /// its exporter. `side` is this end's EDHOC role; both ends must use the same
    /// `conn_id` (e.g. the responder's choice, sent to the device out of band or in EAD).
    ///
    /// # Security
    /// Build **one** channel per completed handshake and side. A second channel from the
    /// same `completed` gets the same keys and IVs and starts again at epoch 0, sequence
    /// 0, so its frames would reuse nonces of the first. To start a fresh channel on the
    /// same handshake, run `Completed::key_update` (with the same context) on both sides
    /// first.
    ///
    /// # Errors
    /// [`ProtoError::KeyExport`] if the exporter fails, [`ProtoError::Crypto`] if HKDF fails.
    pub fn from_edhoc<C: CryptoProvider>(
        crypto: &mut C,
        completed: &mut Completed,
        side: Side,
        conn_id: u8,
    ) -> Result<Self, ProtoError> {
        let algorithm = completed.selected_suite().aead();
        let context = keys::exporter_context(algorithm);
        // Export both secrets first: the exporter needs the provider, and so does `new`.
        let mut secrets = [[0u8; SECRET_LEN]; 2];
        let [i2r, r2i] = &mut secrets;
        let exported = completed
            .exporter(crypto, LABEL_INITIATOR_TO_RESPONDER, &context, i2r)
            .and_then(|()| completed.exporter(crypto, LABEL_RESPONDER_TO_INITIATOR, &context, r2i));
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
            Err(_) => Err(ProtoError::KeyExport),
        };
        secrets.zeroize();
        result
    }
}
