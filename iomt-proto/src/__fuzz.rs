//! Entry points for cargo-fuzz targets (`fuzz/`, a separate workspace). Not public API.
//!
//! Each function takes arbitrary bytes, must never panic on them, and asserts the
//! property named in its docs (an assertion failure is a bug the fuzzer found).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::{AeadAlgorithm, CryptoProvider};

use crate::channel::Channel;
use crate::keys::{ExportError, Side};
use crate::payload::{CloseReason, Message};
use crate::wire::{Frame, FrameRepr};

/// Header: whatever parses re-emits to exactly the same header bytes.
///
/// # Panics
/// If the property fails (a bug).
pub fn header(data: &[u8]) {
    let Ok(frame) = Frame::new_checked(data) else {
        return;
    };
    let Ok(repr) = FrameRepr::parse(&frame) else {
        return;
    };
    let mut out = [0u8; crate::wire::MAX_HEADER_LEN];
    let len = repr.buffer_len();
    if let Some(buf) = out.get_mut(..len) {
        repr.emit(&mut Frame::new_unchecked(&mut *buf));
        assert_eq!(Some(&*buf), data.get(..len), "header re-encoding differs");
    }
}

/// Payload decoders: a decoded message re-encodes and decodes to itself.
///
/// # Panics
/// If the property fails (a bug).
pub fn payload(data: &[u8]) {
    let _ = CloseReason::decode(data);
    if let Ok(msg) = Message::<4, 32>::decode(data) {
        let mut out = [0u8; 2048];
        let n = msg.encode(&mut out).unwrap_or(0);
        let again = out.get(..n).map(Message::<4, 32>::decode);
        assert_eq!(again, Some(Ok(msg)), "payload round trip");
    }
}

/// Channel: arbitrary frames (split at the first byte into up to 8 frames) are rejected
/// without panicking, and a genuine frame sealed before still opens afterwards.
///
/// # Panics
/// If a forged frame is accepted or the garbage changed the session (a bug).
pub fn open<C: CryptoProvider>(crypto: &mut C, data: &[u8]) {
    let mut exporter = |label: u16, _: &[u8], out: &mut [u8]| -> Result<(), ExportError> {
        out.fill(u8::try_from(label & 0xFF).unwrap_or(0));
        Ok(())
    };
    let alg = if data.first().is_some_and(|b| b & 1 == 1) {
        AeadAlgorithm::AesCcm16_64_128
    } else {
        AeadAlgorithm::ChaCha20Poly1305
    };
    let (Ok(mut tx), Ok(mut rx)) = (
        Channel::<64, 4>::new(crypto, &mut exporter, alg, Side::Initiator, 0x2A),
        Channel::<64, 4>::new(crypto, &mut exporter, alg, Side::Responder, 0x2A),
    ) else {
        return;
    };
    let mut genuine = [0u8; 64];
    let Ok(n) = tx.seal_data(crypto, None, b"genuine", &mut genuine) else {
        return;
    };
    let mut scratch = [0u8; 256];
    for chunk in data.get(1..).unwrap_or(&[]).chunks(64).take(8) {
        let Some(buf) = scratch.get_mut(..chunk.len()) else {
            return;
        };
        buf.copy_from_slice(chunk);
        assert!(rx.open(crypto, buf).is_err(), "forged frame accepted");
    }
    if !rx.is_closed() {
        let ok = genuine
            .get_mut(..n)
            .map(|f| rx.open(crypto, f).map(|o| o.payload == b"genuine"));
        assert_eq!(ok, Some(Ok(true)), "garbage changed the session");
    }
}
