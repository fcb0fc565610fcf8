//! Epoch-counter exhaustion closes the channel (issue 25: a documented limit that had no
//! test). 2^32 key updates cannot be driven through the API in a test, so this sets the
//! counter directly.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code: fixed indices and constants"
)]

use super::*;
use crate::ExportError;
use iomt_crypto::RustCryptoProvider;
use iomt_crypto::rustcrypto::OsRng;

fn channel() -> (RustCryptoProvider<OsRng>, Channel<64, 0>) {
    let mut c = RustCryptoProvider::with_os_rng();
    let mut exporter = |label: u16, _ctx: &[u8], out: &mut [u8]| -> Result<(), ExportError> {
        out.fill(label.to_be_bytes()[1]);
        Ok(())
    };
    let alg = AeadAlgorithm::ChaCha20Poly1305;
    let ch = Channel::new(&mut c, &mut exporter, alg, Side::Initiator, 1).unwrap();
    (c, ch)
}

#[test]
fn epoch_counter_exhaustion_closes_the_channel() {
    let (mut c, mut ch) = channel();
    ch.tx_epoch = u32::MAX - 1;
    ch.update_send_key(&mut c).unwrap();
    assert_eq!(ch.stats().send_epoch, u32::MAX, "the last epoch is usable");
    let mut out = [0u8; 64];
    assert!(ch.seal_data(&mut c, None, b"x", &mut out).is_ok());
    let key_before = ch.tx_key.as_bytes().to_vec();
    assert_eq!(
        ch.update_send_key(&mut c),
        Err(ProtoError::LimitReached(LimitKind::Epoch))
    );
    assert!(
        matches!(ch.state, State::Closed),
        "exhaustion closes the channel"
    );
    assert_eq!(
        ch.tx_key.as_bytes(),
        &key_before[..],
        "no key derived past the limit"
    );
    assert_eq!(
        ch.seal_data(&mut c, None, b"x", &mut out),
        Err(ProtoError::Closed)
    );
    assert_eq!(ch.update_send_key(&mut c), Err(ProtoError::Closed));
}

#[test]
fn reaching_the_encryption_limit_in_the_last_epoch_closes_instead_of_wrapping() {
    let (mut c, mut ch) = channel();
    ch.tx_epoch = u32::MAX;
    ch.tx_next_seq = ch.max_encryptions;
    let mut out = [0u8; 64];
    assert_eq!(
        ch.seal_data(&mut c, None, b"x", &mut out),
        Err(ProtoError::LimitReached(LimitKind::Epoch))
    );
    assert!(matches!(ch.state, State::Closed));
}
