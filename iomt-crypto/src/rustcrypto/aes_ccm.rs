//! AES-CCM-16-64-128 (RFC 3610 with M = 8, L = 2; COSE algorithm 10) on the `aes` crate's
//! block cipher.
//!
//! The crate's own CCM mode, not the `ccm` crate: on a Cortex-M4 built at `opt-level = "z"`
//! the `ccm` + `ctr` + `cipher` stream layers left 23 bounds-check panic sites (their
//! locations and file names in flash) and 1.1 KB of generic keystream code in the image;
//! this file has no panic path. And it pairs the two AES calls of each block: the
//! bitsliced AES of the `aes` crate encrypts two blocks for the price of one on 32-bit
//! targets, so each CBC-MAC step is computed together with the keystream block the next
//! step needs (`1 + ⌈aad⌉ + ⌈msg⌉` cipher calls, against about `1.5·⌈msg⌉` more in the
//! `ccm` crate).
//!
//! # Invariants
//! - `seal` and `open` take a 16-byte key, a 13-byte nonce, a message of at most
//!   2^16 − 1 bytes and an 8-byte tag (checked by the caller, `aead.rs`; re-checked here,
//!   refused with [`CryptoError::InvalidLength`]).
//! - `open` compares the tag in constant time ([`crate::constant_time_eq`]) after
//!   decrypting; on a mismatch `in_out` holds unverified plaintext and the caller must
//!   wipe it (`RustCryptoAead::aead_open` does).
//! - The CBC-MAC state and keystream blocks are wiped before return; the expanded key is
//!   wiped by `aes`'s `zeroize` feature when the cipher is dropped.

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Block};
use zeroize::Zeroize;

use crate::error::CryptoError;

/// CCM's nonce length with L = 2 (15 − L).
const NONCE_LEN: usize = 13;
/// The tag length M.
const TAG_LEN: usize = 8;

/// The CBC-MAC and the keystream of one CCM operation.
struct CcmState<'k> {
    /// The expanded key, borrowed (moving its 352 bytes into the state cost stack copies).
    cipher: &'k Aes128,
    /// The CBC-MAC chaining value X_i.
    mac: Block,
    /// Bytes of the current CBC-MAC block already absorbed (0..16).
    absorbed: usize,
    /// The keystream block S_i for the message block being processed.
    keystream: Block,
    /// The counter block template: flags(L − 1) ‖ nonce ‖ counter (2 bytes).
    counter: Block,
}

impl Drop for CcmState<'_> {
    fn drop(&mut self) {
        self.mac.zeroize();
        self.keystream.zeroize();
    }
}

impl<'k> CcmState<'k> {
    /// B_0 and the first keystream block (S_1, or S_0 when the message is empty) in one
    /// cipher call.
    fn new(
        cipher: &'k Aes128,
        nonce: &[u8],
        aad_len: usize,
        msg_len: usize,
    ) -> Result<Self, CryptoError> {
        let nonce = <&[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| CryptoError::InvalidLength)?;
        let msg_len16 = u16::try_from(msg_len).map_err(|_| CryptoError::InvalidLength)?;
        // B_0 = flags ‖ nonce ‖ l(m); A_i = flags' ‖ nonce ‖ i.
        let mut b0 = [0_u8; 16];
        let mut counter = [0_u8; 16];
        for ((b, a), n) in b0.iter_mut().zip(&mut counter).skip(1).zip(nonce) {
            (*b, *a) = (*n, *n);
        }
        let ([b0_flags, ..], [a_flags, ..]) = (&mut b0, &mut counter);
        // Flags of B_0: Adata (0x40), (M − 2) / 2 = 3 (<< 3), L − 1 = 1; of A_i: L − 1.
        *b0_flags = if aad_len > 0 { 0x40 | 0x19 } else { 0x19 };
        *a_flags = 1;
        let [.., hi, lo] = &mut b0;
        [*hi, *lo] = msg_len16.to_be_bytes();
        let mut state = Self {
            cipher,
            mac: Block::from(b0),
            absorbed: 0,
            keystream: Block::default(),
            counter: Block::from(counter),
        };
        state.step(u16::from(msg_len > 0));
        Ok(state)
    }

    /// Encrypts the CBC-MAC block and, in the same call, the counter block `next`,
    /// which becomes the keystream.
    fn step(&mut self, next: u16) {
        let [.., hi, lo] = &mut self.counter.0;
        [*hi, *lo] = next.to_be_bytes();
        let mut blocks = [self.mac, self.counter];
        encrypt_pair(self.cipher, &mut blocks);
        [self.mac, self.keystream] = blocks;
        blocks.zeroize();
    }

    /// Encrypts the CBC-MAC block alone (through the same two-block call: one cipher
    /// code path, and the bitsliced AES costs the same for one block or two).
    fn step_mac(&mut self) {
        let mut blocks = [self.mac, Block::default()];
        encrypt_pair(self.cipher, &mut blocks);
        [self.mac, _] = blocks;
        blocks.zeroize();
    }

    /// XORs `bytes` into the CBC-MAC, encrypting each full block (MAC only).
    fn absorb(&mut self, bytes: &[u8]) {
        for byte in bytes {
            if let Some(x) = self.mac.get_mut(self.absorbed) {
                *x ^= byte;
            }
            self.absorbed += 1;
            if self.absorbed == 16 {
                self.step_mac();
                self.absorbed = 0;
            }
        }
    }

    /// The AAD with its length prefix (RFC 3610 §2.2), zero-padded to a block.
    fn absorb_aad(&mut self, aad: &[u8]) -> Result<(), CryptoError> {
        if aad.is_empty() {
            return Ok(());
        }
        match u16::try_from(aad.len()) {
            Ok(short) if short < 0xff00 => self.absorb(&short.to_be_bytes()),
            _ => {
                let long = u32::try_from(aad.len()).map_err(|_| CryptoError::InvalidLength)?;
                self.absorb(&[0xff, 0xfe]);
                self.absorb(&long.to_be_bytes());
            }
        }
        self.absorb(aad);
        if self.absorbed > 0 {
            self.step_mac();
            self.absorbed = 0;
        }
        Ok(())
    }

    /// Encrypts (`seal`) or decrypts the message in place, MACing the plaintext; leaves
    /// S_0 in `keystream`.
    fn crypt(&mut self, in_out: &mut [u8], seal: bool) {
        let blocks = in_out.len().div_ceil(16);
        for (i, chunk) in in_out.chunks_mut(16).enumerate() {
            for ((byte, key), x) in chunk.iter_mut().zip(&self.keystream).zip(&mut self.mac) {
                let plain = if seal { *byte } else { *byte ^ key };
                *x ^= plain;
                *byte ^= key;
            }
            // Counter i + 2 is the next block's; after the last block, S_0 for the tag.
            let next = if i + 1 < blocks { i + 2 } else { 0 };
            self.step(u16::try_from(next).unwrap_or(0));
        }
    }

    /// The tag: the first M bytes of X_n XOR S_0.
    fn tag(&self) -> [u8; TAG_LEN] {
        let mut tag = [0_u8; TAG_LEN];
        for ((t, x), s) in tag.iter_mut().zip(&self.mac).zip(&self.keystream) {
            *t = x ^ s;
        }
        tag
    }
}

/// Encrypts two blocks in one call of the cipher (kept out of line: the one copy of the
/// AES call path, whose stack frame is then not merged into the callers').
#[inline(never)]
fn encrypt_pair(cipher: &Aes128, blocks: &mut [Block; 2]) {
    cipher.encrypt_blocks(blocks);
}

/// Runs CCM over `aad` and `in_out` (lengths checked), returning the tag.
fn run(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    seal: bool,
) -> Result<[u8; TAG_LEN], CryptoError> {
    let key = <&[u8; 16]>::try_from(key).map_err(|_| CryptoError::InvalidLength)?;
    let cipher = Aes128::new(key.into());
    let mut state = CcmState::new(&cipher, nonce, aad.len(), in_out.len())?;
    state.absorb_aad(aad)?;
    state.crypt(in_out, seal);
    Ok(state.tag())
}

/// Encrypts `in_out` in place and writes the 8-byte tag.
///
/// # Errors
/// [`CryptoError::InvalidLength`]: a key, nonce or tag of the wrong length, a message over
/// 2^16 − 1 bytes or AAD over 2^32 − 1 bytes (nothing is written).
pub(super) fn seal(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &mut [u8],
) -> Result<(), CryptoError> {
    let tag = <&mut [u8; TAG_LEN]>::try_from(tag).map_err(|_| CryptoError::InvalidLength)?;
    *tag = run(key, nonce, aad, in_out, true)?;
    Ok(())
}

/// Decrypts `in_out` in place and checks the 8-byte tag in constant time.
///
/// # Errors
/// [`CryptoError::InvalidLength`] as for [`seal`] (nothing is changed);
/// [`CryptoError::AuthenticationFailed`]: the tag does not match (`in_out` then holds
/// unverified plaintext: the caller wipes it).
pub(super) fn open(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8],
) -> Result<(), CryptoError> {
    if tag.len() != TAG_LEN {
        return Err(CryptoError::InvalidLength);
    }
    let mut expected = run(key, nonce, aad, in_out, false)?;
    let ok = crate::constant_time_eq(&expected, tag);
    expected.zeroize();
    if ok {
        Ok(())
    } else {
        Err(CryptoError::AuthenticationFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::ccm::aead::AeadInOut as _;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    /// The longest message L = 2 can count (`CcmState::new` refuses longer ones).
    const MAX_MESSAGE_LEN: usize = 0xffff;

    type Reference = ::ccm::Ccm<Aes128, ::ccm::consts::U8, ::ccm::consts::U13>;

    /// The `ccm` crate's ciphertext ‖ tag.
    fn reference(key: &[u8; 16], nonce: &[u8; 13], aad: &[u8], msg: &[u8]) -> Vec<u8> {
        let cipher = Reference::new_from_slice(key).unwrap();
        let mut out = msg.to_vec();
        let tag = cipher
            .encrypt_inout_detached(nonce.into(), aad, out.as_mut_slice().into())
            .unwrap();
        out.extend_from_slice(&tag);
        out
    }

    fn sealed(key: &[u8; 16], nonce: &[u8; 13], aad: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut out = msg.to_vec();
        let mut tag = [0_u8; 8];
        seal(key, nonce, aad, &mut out, &mut tag).unwrap();
        out.extend_from_slice(&tag);
        out
    }

    #[test]
    fn rfc_3610_packet_vector_1() {
        let key: Vec<u8> = (0xc0..=0xcf).collect();
        let nonce = hex::decode("00000003020100a0a1a2a3a4a5").unwrap();
        let aad: Vec<u8> = (0..8).collect();
        let mut msg: Vec<u8> = (8..=0x1e).collect();
        let mut tag = [0_u8; 8];
        seal(&key, &nonce, &aad, &mut msg, &mut tag).unwrap();
        assert_eq!(
            hex::encode([msg.as_slice(), &tag].concat()),
            "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"
        );
        open(&key, &nonce, &aad, &mut msg, &tag).unwrap();
        assert_eq!(msg, (8..=0x1e).collect::<Vec<u8>>());
    }

    /// The long AAD length form (0xfffe ‖ 4 bytes) starts at 0xff00 bytes.
    #[test]
    fn long_aad_forms_equal_the_ccm_crate() {
        for len in [0xfeff, 0xff00, 0x1_0000] {
            let aad = vec![0x5a_u8; len];
            let (key, nonce) = ([7_u8; 16], [9_u8; 13]);
            assert_eq!(
                sealed(&key, &nonce, &aad, b"vital"),
                reference(&key, &nonce, &aad, b"vital")
            );
        }
    }

    #[test]
    fn the_longest_message_seals_and_one_byte_more_is_refused() {
        let (key, nonce) = ([1_u8; 16], [2_u8; 13]);
        let msg = vec![3_u8; MAX_MESSAGE_LEN];
        assert_eq!(
            sealed(&key, &nonce, b"", &msg),
            reference(&key, &nonce, b"", &msg)
        );
        let mut longer = vec![3_u8; MAX_MESSAGE_LEN + 1];
        let mut tag = [0xee_u8; 8];
        assert_eq!(
            seal(&key, &nonce, b"", &mut longer, &mut tag),
            Err(CryptoError::InvalidLength)
        );
        assert_eq!(
            (longer, tag),
            (vec![3_u8; MAX_MESSAGE_LEN + 1], [0xee_u8; 8])
        );
    }

    #[test]
    fn wrong_key_nonce_or_tag_lengths_are_refused_and_change_nothing() {
        let mut msg = *b"reading";
        let mut tag = [0_u8; 8];
        assert_eq!(
            seal(&[0; 15], &[0; 13], b"", &mut msg, &mut tag),
            Err(CryptoError::InvalidLength)
        );
        assert_eq!(
            seal(&[0; 16], &[0; 12], b"", &mut msg, &mut tag),
            Err(CryptoError::InvalidLength)
        );
        assert_eq!(
            seal(&[0; 16], &[0; 13], b"", &mut msg, &mut tag[..7]),
            Err(CryptoError::InvalidLength)
        );
        assert_eq!(
            open(&[0; 16], &[0; 13], b"", &mut msg, &tag[..7]),
            Err(CryptoError::InvalidLength)
        );
        assert_eq!(
            open(&[0; 16], &[0; 14], b"", &mut msg, &tag),
            Err(CryptoError::InvalidLength)
        );
        assert_eq!((&msg, tag), (b"reading", [0; 8]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any key, nonce, AAD and message length (across block boundaries, empty
        /// included): the same bytes as the `ccm` crate, and `open` inverts `seal`.
        #[test]
        fn equals_the_ccm_crate(
            key in any::<[u8; 16]>(),
            nonce in any::<[u8; 13]>(),
            aad in proptest::collection::vec(any::<u8>(), 0..70),
            msg in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            let out = sealed(&key, &nonce, &aad, &msg);
            prop_assert_eq!(&out, &reference(&key, &nonce, &aad, &msg));
            let (ct, tag) = out.split_at(msg.len());
            let mut back = ct.to_vec();
            prop_assert_eq!(open(&key, &nonce, &aad, &mut back, tag), Ok(()));
            prop_assert_eq!(back, msg);
        }

        /// A flipped bit anywhere in ciphertext, tag, AAD or nonce fails authentication.
        #[test]
        fn any_flipped_bit_fails(
            aad in proptest::collection::vec(any::<u8>(), 1..40),
            msg in proptest::collection::vec(any::<u8>(), 1..40),
            at in any::<prop::sample::Index>(),
            bit in 0..8_u32,
        ) {
            let (key, mut nonce) = ([4_u8; 16], [5_u8; 13]);
            let mut all = [sealed(&key, &nonce, &aad, &msg), aad.clone()].concat();
            all.extend_from_slice(&nonce);
            let i = at.index(all.len());
            if let Some(b) = all.get_mut(i) { *b ^= 1 << bit; }
            let (ct, rest) = all.split_at(msg.len());
            let (tag, rest) = rest.split_at(8);
            let (aad2, nonce2) = rest.split_at(aad.len());
            nonce.copy_from_slice(nonce2);
            let mut ct = ct.to_vec();
            prop_assert_eq!(open(&key, &nonce, aad2, &mut ct, tag), Err(CryptoError::AuthenticationFailed));
        }
    }
}
