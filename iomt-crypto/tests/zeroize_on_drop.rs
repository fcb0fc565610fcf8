//! "Secrets zeroize on drop" observed in memory (issue 25): each secret type is dropped in
//! place inside a `MaybeUninit` and its storage is read back. The scan first checks it sees
//! the live secret, so a broken scan cannot pass.
#![expect(unsafe_code, reason = "reads a dropped value's storage")]

use core::mem::MaybeUninit;

use iomt_crypto::{AeadAlgorithm, AeadKey, Prk, SharedSecret};

/// Drops the value in `slot` in place and returns its storage before and after.
fn before_and_after_drop<T>(mut slot: MaybeUninit<T>) -> (Vec<u8>, Vec<u8>) {
    let read = |s: &MaybeUninit<T>| {
        // SAFETY: reads size_of::<T>() bytes of the slot's own storage as u8.
        unsafe { core::slice::from_raw_parts(s.as_ptr().cast::<u8>(), size_of::<T>()) }.to_vec()
    };
    let before = read(&slot);
    // SAFETY: the slot was initialised by the caller and is dropped exactly once.
    unsafe { slot.assume_init_drop() };
    (before, read(&slot))
}

fn holds(memory: &[u8], needle: &[u8]) -> bool {
    memory.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn secret_types_zeroize_their_storage_on_drop() {
    let secret = [0xc3u8; 32];
    let cases = [
        before_and_after_drop(MaybeUninit::new(SharedSecret::from_bytes(secret))),
        before_and_after_drop(MaybeUninit::new(Prk::from_bytes(secret))),
        before_and_after_drop(MaybeUninit::new(
            AeadKey::new(AeadAlgorithm::ChaCha20Poly1305, &secret).unwrap(),
        )),
        before_and_after_drop(MaybeUninit::new(
            AeadKey::new(AeadAlgorithm::AesCcm16_64_128, &secret[..16]).unwrap(),
        )),
    ];
    for (i, (before, after)) in cases.iter().enumerate() {
        assert!(
            holds(before, &secret[..16]),
            "case {i}: the scan sees the live secret"
        );
        assert!(
            !holds(after, &secret[..8]),
            "case {i}: secret bytes survived the drop"
        );
    }
}
