//! Per-key usage limits (RFC 9147 §4.5.3, draft-irtf-cfrg-aead-limits).
//!
//! Target advantage: **2^-57** for both confidentiality and integrity (single key), with
//! a maximum AEAD input (associated data + plaintext) of `l` = 2^7 16-byte blocks
//! (2048 bytes; a frame's AAD + payload is at most 7 + `MAX_CONSENT_TAG_LEN` +
//! [`crate::MAX_PAYLOAD_LEN`] bytes, well below). `q` = frames encrypted, `v` = failed
//! decryptions, per key. The derivations are in `docs/PROTOCOL.md` §"Per-key limits".
//!
//! | suite | AEAD | encryptions per key (then key update) | failed decryptions per key (then close) |
//! |---|---|---|---|
//! | 5 | ChaCha20-Poly1305 (16-byte tag) | 2^32 − 1 (sequence-number space) | 2^32 − 1 (RFC 9147: 2^36) |
//! | 2 | AES-CCM-16-64-128 (8-byte tag) | 2^24 | 64 |
//!
//! The channel keeps these counters in 32 bits (so the channel state without consent
//! slots within 256 bytes: `Channel<64, 0>`; each consent slot adds 180 bytes, its tag
//! buffer with a one-byte length, so `Channel<64, 4>` is 976 bytes on x86-64 and on
//! thumbv7em; test `documented_channel_sizes_hold`), so
//! suite 5's failed-decryption limit is 2^32 − 1, stricter than RFC 9147's 2^36 (the
//! bound at this `l` allows 2^39).

use iomt_crypto::AeadAlgorithm;

/// The limits that apply to one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct KeyLimits {
    /// Frames that may be sealed under one key; reaching it triggers a key update.
    pub max_encryptions: u64,
    /// Failed decryptions tolerated under one receive key; reaching it closes the session.
    pub max_failed_decryptions: u64,
}

/// Frames per key that the 4-byte sequence number allows (0 ..= 2^32 − 2; the sender
/// updates the key instead of using 2^32 − 1).
pub(crate) const SEQ_SPACE: u64 = (1 << 32) - 1;

impl KeyLimits {
    /// The limits for `algorithm` (see the module table).
    ///
    /// ```
    /// use iomt_crypto::AeadAlgorithm;
    /// use iomt_proto::limits::KeyLimits;
    /// let ccm = KeyLimits::for_algorithm(AeadAlgorithm::AesCcm16_64_128);
    /// assert_eq!(ccm.max_encryptions, 1 << 24);
    /// assert_eq!(ccm.max_failed_decryptions, 64);
    /// ```
    #[must_use]
    pub const fn for_algorithm(algorithm: AeadAlgorithm) -> Self {
        match algorithm {
            // CA <= (2 l q)^2 / 2^128 with l = 2^7, q = 2^24: (2^32)^2 / 2^128 = 2^-64.
            // IA <= v / 2^64 + (2 l (v + q))^2 / 2^128 with v = 2^6:
            //     2^-58 + ~2^-64 < 2^-57.
            AeadAlgorithm::AesCcm16_64_128 => Self {
                max_encryptions: 1 << 24,
                max_failed_decryptions: 1 << 6,
            },
            // Confidentiality: no practical bound below the nonce space; the 32-bit
            // sequence number caps q. IA <= v (8 l) / 2^106 with l = 2^7 gives
            // v <= 2^39 at 2^-57 (RFC 9147 uses 2^36, valid up to l = 2^10); the
            // 32-bit counter caps it lower still.
            AeadAlgorithm::ChaCha20Poly1305 => Self {
                max_encryptions: SEQ_SPACE,
                max_failed_decryptions: (1 << 32) - 1,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recomputes the bounds in floating point (log2) to catch a typo in the constants.
    #[test]
    fn limits_meet_target_advantage() {
        let target = 2f64.powi(-57);
        let l = 2f64.powi(7);

        let ccm = KeyLimits::for_algorithm(AeadAlgorithm::AesCcm16_64_128);
        let q = ccm.max_encryptions as f64;
        let v = ccm.max_failed_decryptions as f64;
        let ca = (2.0 * l * q).powi(2) / 2f64.powi(128);
        let ia = v / 2f64.powi(64) + (2.0 * l * (v + q)).powi(2) / 2f64.powi(128);
        assert!(ca <= target, "CCM CA {ca:e}");
        assert!(ia <= target, "CCM IA {ia:e}");
        // Doubling v would break the target: the limit is tight, not arbitrary.
        assert!((2.0 * v + 1.0) / 2f64.powi(64) > target / 2.0);

        let cc = KeyLimits::for_algorithm(AeadAlgorithm::ChaCha20Poly1305);
        let v = cc.max_failed_decryptions as f64;
        let ia = v * (8.0 * l) / 2f64.powi(106);
        assert!(ia <= target, "ChaCha IA {ia:e}");
        assert!(v <= 2f64.powi(36), "at most RFC 9147's integrity limit");
        assert_eq!(cc.max_encryptions, SEQ_SPACE);
    }
}
