//! SHA-256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104) and HKDF-SHA-256 (RFC 5869): the
//! software backend's hashing, one small implementation for every target.
//!
//! Why not `sha2`/`hmac`/`hkdf`: on a device their generic layers cost flash that an
//! EDHOC initiator cannot spare — sha2 0.11's default (unrolled) block function alone is
//! 7 KiB on thumbv7em, its rolled variant is a `--cfg` a library cannot set, and hkdf's
//! `expect`s link `core::fmt`'s `Debug` machinery. Here the block function is rolled
//! (one round body, a 16-word message schedule ring) for every target; hashing is a
//! small share of a handshake (P-256 dominates), so hosts lose nothing measurable.
//!
//! Checked against outside data by the conformance kit (FIPS 180-2 examples, RFC 5869,
//! Wycheproof HKDF-SHA256, RFC 6979 and Wycheproof ECDSA for the HMAC-DRBG nonces) and
//! differentially against `sha2`/`hmac`/`hkdf` (dev-dependencies) on random inputs.
//!
//! Invariants: `filled < 64` between calls; every state that saw secret input (keys,
//! PRKs, the HMAC pads) is zeroized on drop, and the block function wipes its schedule.

mod hkdf;
mod hmac;

pub(crate) use hkdf::{expand, extract};
pub(crate) use hmac::{HmacSha256, hmac};

use zeroize::Zeroize;

/// Bytes per SHA-256 block.
const BLOCK: usize = 64;

/// Offset of the 64-bit message length in the final block.
const LENGTH_AT: usize = BLOCK - 8;

/// The SHA-256 round constants (FIPS 180-4 §4.2.2).
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial hash value (FIPS 180-4 §5.3.3).
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// An incremental SHA-256 computation. Zeroized on drop (it may have absorbed a key).
#[derive(Clone)]
pub(crate) struct Sha256 {
    state: [u32; 8],
    block: [u8; BLOCK],
    /// Bytes of `block` in use; always below [`BLOCK`].
    filled: usize,
    /// Bytes absorbed so far (the length field is this × 8, modulo 2⁶⁴ as FIPS 180-4 allows).
    length: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self {
            state: H0,
            block: [0; BLOCK],
            filled: 0,
            length: 0,
        }
    }
}

impl Drop for Sha256 {
    fn drop(&mut self) {
        self.state.zeroize();
        self.block.zeroize();
    }
}

impl Sha256 {
    /// Absorbs `data`.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        let mut rest = data;
        while !rest.is_empty() {
            let Some(free) = self.block.get_mut(self.filled..) else {
                // Unreachable: `filled < BLOCK` is the invariant.
                self.filled = 0;
                continue;
            };
            let take = free.len().min(rest.len());
            let Some((now, later)) = rest.split_at_checked(take) else {
                return;
            };
            for (slot, byte) in free.iter_mut().zip(now) {
                *slot = *byte;
            }
            self.filled = self.filled.saturating_add(take);
            rest = later;
            if self.filled == BLOCK {
                compress(&mut self.state, &self.block);
                self.filled = 0;
            }
        }
    }

    /// The digest of everything absorbed.
    pub(crate) fn finalize(mut self) -> [u8; 32] {
        let bits = self.length.wrapping_mul(8);
        // 0x80, then zeros up to the length field (one more block if it does not fit).
        let mut padding = [0u8; BLOCK];
        padding[0] = 0x80;
        let pad_len = if self.filled < LENGTH_AT {
            LENGTH_AT - self.filled
        } else {
            BLOCK + LENGTH_AT - self.filled
        };
        self.update(padding.get(..pad_len).unwrap_or(&[]));
        self.update(&bits.to_be_bytes());
        let mut out = [0u8; 32];
        for (bytes, word) in out.chunks_exact_mut(4).zip(self.state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// SHA-256 of `data` in one call.
pub(crate) fn digest(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::default();
    h.update(data);
    h.finalize()
}

/// The block function (FIPS 180-4 §6.2.2), rolled: the 64 rounds share one body and the
/// message schedule lives in a ring of 16 words, wiped on return.
#[cfg_attr(not(target_pointer_width = "64"), inline(never))]
#[allow(
    clippy::indexing_slicing,
    reason = "every index is `t & 15` into a 16-word array"
)]
fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    let mut w = [0u32; 16];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        if let Some(bytes) = bytes.first_chunk::<4>() {
            *word = u32::from_be_bytes(*bytes);
        }
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (t, k) in K.iter().enumerate() {
        if t >= 16 {
            // W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16], in place of W[t−16].
            let w15 = w[(t + 1) & 15];
            let w2 = w[(t + 14) & 15];
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            w[t & 15] = w[t & 15]
                .wrapping_add(s0)
                .wrapping_add(w[(t + 9) & 15])
                .wrapping_add(s1);
        }
        let big_s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(big_s1)
            .wrapping_add(ch)
            .wrapping_add(*k)
            .wrapping_add(w[t & 15]);
        let big_s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = big_s0.wrapping_add(maj);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
    w.zeroize();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sha2::Digest as _;

    fn hex32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    #[test]
    fn fips_180_2_examples() {
        assert_eq!(
            digest(b"abc"),
            hex32("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(
            digest(b""),
            hex32("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            digest(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            hex32("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        );
    }

    #[test]
    fn every_length_around_the_padding_boundaries_equals_sha2() {
        let data: std::vec::Vec<u8> = (0..=255u8).cycle().take(300).collect();
        for len in 0..data.len() {
            let msg = &data[..len];
            assert_eq!(
                digest(msg)[..],
                sha2::Sha256::digest(msg)[..],
                "length {len}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_split_of_any_message_equals_sha2(
            msg in proptest::collection::vec(any::<u8>(), 0..400),
            cuts in proptest::collection::vec(any::<usize>(), 0..6),
        ) {
            let mut h = Sha256::default();
            let mut rest = &msg[..];
            for cut in cuts {
                let (now, later) = rest.split_at(cut % (rest.len() + 1));
                h.update(now);
                rest = later;
            }
            h.update(rest);
            prop_assert_eq!(&h.finalize()[..], &sha2::Sha256::digest(&msg)[..]);
        }
    }
}
