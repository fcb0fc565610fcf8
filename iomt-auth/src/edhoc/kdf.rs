//! The EDHOC key schedule (RFC 9528 §4) and transcript hashes, as crate-internal
//! functions. Unit-tested against every intermediate value of RFC 9529 §3.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::{CryptoProvider, Digest, Prk, Sha256State};

use crate::cbor::Encoder;
use crate::error::AuthError;

use super::{HASH_LEN, MAX_CONN_ID_LEN, MAX_CRED_LEN, MAX_EAD_LEN, MAX_ID_CRED_LEN};

/// EDHOC_KDF info labels (RFC 9528 Figure 6, Appendix H).
pub(crate) mod label {
    pub(crate) const KEYSTREAM_2: u8 = 0;
    pub(crate) const SALT_3E2M: u8 = 1;
    pub(crate) const MAC_2: u8 = 2;
    pub(crate) const K_3: u8 = 3;
    pub(crate) const IV_3: u8 = 4;
    pub(crate) const SALT_4E3M: u8 = 5;
    pub(crate) const MAC_3: u8 = 6;
    pub(crate) const PRK_OUT: u8 = 7;
    pub(crate) const K_4: u8 = 8;
    pub(crate) const IV_4: u8 = 9;
    pub(crate) const PRK_EXPORTER: u8 = 10;
    pub(crate) const KEY_UPDATE: u8 = 11;
}

/// Longest MAC context (context_2: C_R, ID_CRED_R by value, TH_2, CRED_R, EAD_2).
pub(crate) const MAX_CONTEXT_LEN: usize =
    (1 + MAX_CONN_ID_LEN) + MAX_ID_CRED_LEN + (2 + HASH_LEN) + MAX_CRED_LEN + MAX_EAD_LEN;
/// Longest `info` = label (≤3) + bstr head (≤3) + context + length (≤3).
const MAX_INFO_LEN: usize = 3 + 3 + MAX_CONTEXT_LEN + 3;

/// EDHOC_KDF(PRK, label, context, length) with the context given as concatenated parts.
pub(crate) fn kdf_parts<C: CryptoProvider>(
    c: &mut C,
    prk: &Prk,
    label: u16,
    context: &[&[u8]],
    out: &mut [u8],
) -> Result<(), AuthError> {
    let mut info = [0u8; MAX_INFO_LEN];
    let ctx_len = context
        .iter()
        .try_fold(0usize, |acc, p| acc.checked_add(p.len()))
        .ok_or(AuthError::PeerMisbehaved(
            crate::error::PeerMisbehaved::TooLarge,
        ))?;
    let mut e = Encoder::new(&mut info);
    let too_large = |_| AuthError::PeerMisbehaved(crate::error::PeerMisbehaved::TooLarge);
    e.uint(u64::from(label)).map_err(too_large)?;
    e.bstr_header(ctx_len).map_err(too_large)?;
    for p in context {
        e.raw(p).map_err(too_large)?;
    }
    e.uint(out.len() as u64).map_err(too_large)?;
    let n = e.len();
    let info = info.get(..n).unwrap_or(&[]);
    c.hkdf_sha256_expand(prk, info, out)?;
    Ok(())
}

/// EDHOC_KDF with a single context.
pub(crate) fn kdf<C: CryptoProvider>(
    c: &mut C,
    prk: &Prk,
    label: u16,
    context: &[u8],
    out: &mut [u8],
) -> Result<(), AuthError> {
    kdf_parts(c, prk, label, &[context], out)
}

/// EDHOC_KDF producing a 32-byte PRK.
pub(crate) fn kdf_prk<C: CryptoProvider>(
    c: &mut C,
    prk: &Prk,
    label: u16,
    context: &[u8],
) -> Result<Prk, AuthError> {
    let mut b = [0u8; HASH_LEN];
    let r = kdf(c, prk, label, context, &mut b);
    let p = Prk::from_bytes(b);
    zeroize::Zeroize::zeroize(&mut b);
    r.map(|()| p)
}

/// `0x58 0x20 ‖ h`: a 32-byte hash as a CBOR bstr.
pub(crate) fn hash_bstr(h: &Digest) -> [u8; 34] {
    let mut out = [0u8; 34];
    let (head, rest) = out.split_at_mut(2);
    head.copy_from_slice(&[0x58, 0x20]);
    rest.copy_from_slice(h);
    out
}

/// Feeds the CBOR head of a bstr of `len` bytes into a hash.
#[cfg(feature = "signature-methods")]
pub(crate) fn hash_bstr_head<H: Sha256State>(h: &mut H, len: usize) {
    let mut buf = [0u8; 9];
    let n = {
        let mut e = Encoder::new(&mut buf);
        // 9 bytes always suffice for a head
        let _ = e.bstr_header(len);
        e.len()
    };
    h.update(buf.get(..n).unwrap_or(&[]));
}

/// H(message_1), the input of TH_2. Computed with the incremental SHA-256 that the
/// transcript hashes use rather than the provider's one-shot `sha256`: a device image then
/// links one SHA-256 finalisation instead of two (about 340 bytes of flash on Cortex-M4).
pub(crate) fn h_message_1<C: CryptoProvider>(c: &mut C, message_1: &[u8]) -> Digest {
    let mut h = c.sha256_start();
    h.update(message_1);
    h.finalize()
}

/// TH_2 = H(G_Y, H(message_1)) (both as bstr).
pub(crate) fn th_2<C: CryptoProvider>(c: &mut C, g_y: &[u8; 32], h_message_1: &Digest) -> Digest {
    let mut h = c.sha256_start();
    h.update(&[0x58, 0x20]);
    h.update(g_y);
    h.update(&hash_bstr(h_message_1));
    h.finalize()
}

/// TH_3 = H(TH_2, PLAINTEXT_2, CRED_R) and TH_4 = H(TH_3, PLAINTEXT_3, CRED_I).
pub(crate) fn th_next<C: CryptoProvider>(
    c: &mut C,
    th: &Digest,
    plaintext: &[u8],
    cred: &[u8],
) -> Digest {
    let mut h = c.sha256_start();
    h.update(&hash_bstr(th));
    h.update(plaintext);
    h.update(cred);
    h.finalize()
}

/// The Sig_structure digest for Signature_or_MAC_2/3 (COSE_Sign1, RFC 9052 §4.4):
/// `["Signature1", << ID_CRED_x >>, << TH, CRED_x, ? EAD >>, MAC]`.
#[cfg(feature = "signature-methods")]
pub(crate) fn sig_structure_digest<C: CryptoProvider>(
    c: &mut C,
    id_cred_map: &[u8],
    th: &Digest,
    cred: &[u8],
    ead: &[u8],
    mac: &[u8],
) -> Digest {
    let mut h = c.sha256_start();
    h.update(&[0x84, 0x6a]);
    h.update(b"Signature1");
    hash_bstr_head(&mut h, id_cred_map.len());
    h.update(id_cred_map);
    let aad_len = 34usize.saturating_add(cred.len()).saturating_add(ead.len());
    hash_bstr_head(&mut h, aad_len);
    h.update(&hash_bstr(th));
    h.update(cred);
    h.update(ead);
    hash_bstr_head(&mut h, mac.len());
    h.update(mac);
    h.finalize()
}

/// A_3 / A_4 = `["Encrypt0", h'', TH]`, the AEAD associated data.
pub(crate) fn enc_structure(th: &Digest) -> [u8; 45] {
    let mut a = [0u8; 45];
    let (head, rest) = a.split_at_mut(11);
    head.copy_from_slice(&[
        0x83, 0x68, b'E', b'n', b'c', b'r', b'y', b'p', b't', b'0', 0x40,
    ]);
    rest.copy_from_slice(&hash_bstr(th));
    a
}

#[cfg(test)]
mod tests;
