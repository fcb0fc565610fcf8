//! SHA-256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104) and HKDF-SHA-256 (RFC 5869): the
//! software backend's hashing, one small implementation for every target.
//!
//! Why not `sha2`/`hmac`/`hkdf`: on a device their generic layers cost flash that an
//! EDHOC initiator cannot spare — sha2 0.11's default (unrolled) block function alone is
//! 7 KiB on thumbv7em, its rolled variant is a `--cfg` a library cannot set, and hkdf's
//! `expect`s link `core::fmt`'s `Debug` machinery. Here the block function is one
//! four-round body run sixteen times, for every target: about 530 bytes, and within
//! about 20 % of sha2's unrolled one on a Cortex-M4 (the fast P-256 backend's handshakes spend
//! a noticeable share of their time hashing).
//!
//! Checked against outside data by the conformance kit (FIPS 180-2 examples, RFC 5869,
//! Wycheproof HKDF-SHA256, RFC 6979 and Wycheproof ECDSA for the HMAC-DRBG nonces) and
//! differentially against `sha2`/`hmac`/`hkdf` (dev-dependencies) on random inputs.
//!
//! Invariants: `filled < 64` between calls; every state that saw secret input (keys,
//! PRKs, the HMAC pads) is zeroized on drop.

mod hkdf;
mod hmac;

pub(crate) use hkdf::{expand, extract};
pub(crate) use hmac::{HmacSha256, hmac};

use zeroize::Zeroize;

use crate::copy_prefix;

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
    /// How many leading bytes of `block` have ever held absorbed data (at most
    /// [`BLOCK`]): what `Drop` wipes. Whole blocks are compressed straight from the
    /// caller's data and never enter `block`, so this often stays small.
    dirty: usize,
    /// Bytes absorbed so far (the length field is this × 8, modulo 2⁶⁴ as FIPS 180-4 allows).
    length: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self {
            state: H0,
            block: [0; BLOCK],
            filled: 0,
            dirty: 0,
            length: 0,
        }
    }
}

impl Drop for Sha256 {
    fn drop(&mut self) {
        self.state.zeroize();
        if let Some(used) = self.block.get_mut(..self.dirty) {
            used.zeroize();
        }
    }
}

impl Sha256 {
    /// Absorbs `data`: tops up the buffered block, then compresses whole blocks straight
    /// from `data`, then buffers the tail.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        let mut rest = data;
        if self.filled > 0 {
            let take = (BLOCK - self.filled).min(rest.len());
            let (now, later) = rest.split_at_checked(take).unwrap_or((rest, &[]));
            // Always fits: `take` ≤ BLOCK − filled.
            let _fits = self
                .block
                .get_mut(self.filled..)
                .is_some_and(|dst| copy_prefix(dst, now));
            self.filled += take;
            self.dirty = self.dirty.max(self.filled);
            rest = later;
            if self.filled < BLOCK {
                return;
            }
            compress(&mut self.state, &self.block);
            self.filled = 0;
        }
        let (blocks, tail) = rest.as_chunks::<BLOCK>();
        for block in blocks {
            compress(&mut self.state, block);
        }
        if copy_prefix(&mut self.block, tail) {
            self.filled = tail.len();
            self.dirty = self.dirty.max(self.filled);
        }
    }

    /// The digest of everything absorbed: 0x80, zeros, and the bit length in the last
    /// 8 bytes (one more block if the length does not fit after the 0x80).
    pub(crate) fn finalize(mut self) -> [u8; 32] {
        let bits = self.length.wrapping_mul(8);
        if let Some((first, zeros)) = self
            .block
            .get_mut(self.filled..)
            .and_then(|tail| tail.split_first_mut())
        {
            *first = 0x80;
            zeros.fill(0);
        }
        if self.filled >= LENGTH_AT {
            compress(&mut self.state, &self.block);
            self.block.fill(0);
            self.dirty = 0;
        }
        if let Some(length) = self.block.last_chunk_mut::<8>() {
            *length = bits.to_be_bytes();
        }
        compress(&mut self.state, &self.block);
        let mut out = [0u8; 32];
        for (bytes, word) in out.as_chunks_mut::<4>().0.iter_mut().zip(self.state) {
            *bytes = word.to_be_bytes();
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

/// The block function (FIPS 180-4 §6.2.2): the message schedule first (64 words), then
/// the 64 rounds as sixteen passes of one four-round body whose variables rotate by name
/// (on a Cortex-M4 `sha256_64B` takes 6,490 instructions against 5,362 with sha2's fully
/// unrolled one, in about 530 bytes instead of 7 KiB; measured on the Cortex-M4, a body of eight
/// rounds is 320 bytes larger and no faster, a single round about 1.5× as slow).
///
/// Like sha2's, it does not wipe its stack temporaries (the schedule); what outlives the
/// call — the chaining state and the buffered block — is wiped when the [`Sha256`] drops.
#[cfg_attr(not(target_pointer_width = "64"), inline(never))]
fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    let w = schedule(block);
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    // One round: T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t]; d += T1;
    // h = T1 + Σ0(a) + Maj(a, b, c). The caller rotates the names.
    macro_rules! round {
        ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $kw:expr) => {
            let t1 = $h
                .wrapping_add($e.rotate_right(6) ^ $e.rotate_right(11) ^ $e.rotate_right(25))
                .wrapping_add(($e & $f) ^ (!$e & $g))
                .wrapping_add($kw);
            $d = $d.wrapping_add(t1);
            $h = t1
                .wrapping_add($a.rotate_right(2) ^ $a.rotate_right(13) ^ $a.rotate_right(22))
                .wrapping_add(($a & $b) | ($c & ($a | $b)));
        };
    }
    for (k, w) in K.as_chunks::<4>().0.iter().zip(w.as_chunks::<4>().0) {
        round!(a, b, c, d, e, f, g, h, k[0].wrapping_add(w[0]));
        round!(h, a, b, c, d, e, f, g, k[1].wrapping_add(w[1]));
        round!(g, h, a, b, c, d, e, f, k[2].wrapping_add(w[2]));
        round!(f, g, h, a, b, c, d, e, k[3].wrapping_add(w[3]));
        // After four rounds the roles have moved by four names.
        (a, b, c, d, e, f, g, h) = (e, f, g, h, a, b, c, d);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

/// The message schedule (FIPS 180-4 §6.2.2 step 1), built in one pass:
/// W[t] = M[t] for t < 16, then σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16].
#[allow(
    clippy::indexing_slicing,
    reason = "t runs over 0..64 in a 64-word array and reads only indices below t"
)]
fn schedule(block: &[u8; BLOCK]) -> [u32; 64] {
    let mut w = [0u32; 64];
    for t in 0..64 {
        w[t] = if t < 16 {
            let mut bytes = [0u8; 4];
            if let Some(src) = block.get(4 * t..4 * t + 4) {
                bytes.copy_from_slice(src);
            }
            u32::from_be_bytes(bytes)
        } else {
            let w15 = w[t - 15];
            let w2 = w[t - 2];
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1)
        };
    }
    w
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
