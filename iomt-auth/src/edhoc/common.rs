//! Processing shared by both roles: MACs, signatures, COSE_Encrypt0 of messages 3/4.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

#[cfg(feature = "signature-methods")]
use iomt_crypto::Signature;
use iomt_crypto::{AeadAlgorithm, AeadKey, CryptoProvider, Digest, Prk, PublicKey, copy_prefix};
use zeroize::Zeroize;

use super::ead::{Ead, EadLabels};
use super::kdf::{self, label};
use super::msg::{self, HEAD_ROOM};
use super::{
    ConnId, MAX_CONN_ID_LEN, MAX_CRED_LEN, MAX_ID_CRED_LEN, Method, SIGNATURE_LEN, Suite, SuiteList,
};
use crate::cbor::Encoder;
use crate::cred::{IdCred, LocalCredential, MAX_KID_LEN};
use crate::error::{ApiMisuse, AuthError, PeerMisbehaved};

/// Session parameters carried through every state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    pub(crate) method: Method,
    pub(crate) suite: Suite,
    /// Initiator preference list (initiator only; empty on the responder).
    pub(crate) prefs: SuiteList,
    pub(crate) selected_index: u8,
    pub(crate) c_i: ConnId,
    pub(crate) c_r: ConnId,
    pub(crate) message_4: bool,
    pub(crate) ead_labels: EadLabels,
}

/// Checks that our own credential fits the scratch buffers.
pub(crate) fn check_local<K>(own: &LocalCredential<'_, K>) -> Result<(), AuthError> {
    let bad = AuthError::ApiMisuse(ApiMisuse::InvalidLocalCredential);
    if own.cred.len() > MAX_CRED_LEN || own.id_cred.map_len() > MAX_ID_CRED_LEN {
        return Err(bad);
    }
    if let IdCred::Kid(k) = own.id_cred
        && k.len() > MAX_KID_LEN
    {
        return Err(bad);
    }
    Ok(())
}

/// Encodes the full ID_CRED map into `buf`, returning its length.
fn id_cred_map(id: &IdCred<'_>, buf: &mut [u8; MAX_ID_CRED_LEN + 8]) -> Result<usize, AuthError> {
    let mut e = Encoder::new(buf);
    id.encode_map(&mut e)
        .map_err(|_| AuthError::PeerMisbehaved(PeerMisbehaved::TooLarge))?;
    Ok(e.len())
}

/// MAC_2 (with `c_r`) or MAC_3 (without): EDHOC_KDF(PRK, label, context, out.len()).
#[expect(
    clippy::too_many_arguments,
    reason = "the MAC context has this many parts"
)]
pub(crate) fn compute_mac<C: CryptoProvider>(
    c: &mut C,
    prk: &Prk,
    mac_label: u8,
    c_r: Option<&ConnId>,
    id_cred: &IdCred<'_>,
    th: &Digest,
    cred: &[u8],
    ead: &[u8],
    out: &mut [u8],
) -> Result<(), AuthError> {
    let mut cr = [0u8; MAX_CONN_ID_LEN + 2];
    let cr_len = match c_r {
        Some(id) => {
            let mut e = Encoder::new(&mut cr);
            e.bstr_identifier(id.as_bytes())?;
            e.len()
        }
        None => 0,
    };
    let mut idc = [0u8; MAX_ID_CRED_LEN + 8];
    let idc_len = id_cred_map(id_cred, &mut idc)?;
    let thb = kdf::hash_bstr(th);
    kdf::kdf_parts(
        c,
        prk,
        u16::from(mac_label),
        &[
            cr.get(..cr_len).unwrap_or(&[]),
            idc.get(..idc_len).unwrap_or(&[]),
            &thb,
            cred,
            ead,
        ],
        out,
    )
}

/// Constant-time MAC comparison.
pub(crate) fn mac_matches(computed: &[u8], received: &[u8]) -> Result<(), AuthError> {
    if iomt_crypto::constant_time_eq(computed, received) {
        Ok(())
    } else {
        Err(AuthError::AuthenticationFailed)
    }
}

/// Computes our Signature_or_MAC into `out`; returns its length.
#[expect(clippy::too_many_arguments, reason = "all inputs of Signature_or_MAC")]
pub(crate) fn sign_or_mac<C: CryptoProvider>(
    c: &mut C,
    prk: &Prk,
    mac_label: u8,
    c_r: Option<&ConnId>,
    own: &LocalCredential<'_, C::KeyHandle>,
    th: &Digest,
    ead: &[u8],
    is_static: bool,
    suite: Suite,
    out: &mut [u8; SIGNATURE_LEN],
) -> Result<usize, AuthError> {
    let mut mac = [0u8; super::HASH_LEN];
    let mac_len = super::mac_len(is_static, suite);
    let mac = mac
        .get_mut(..mac_len)
        .ok_or(AuthError::AuthenticationFailed)?;
    compute_mac(c, prk, mac_label, c_r, &own.id_cred, th, own.cred, ead, mac)?;
    if is_static {
        if !copy_prefix(out, mac) {
            return Err(AuthError::AuthenticationFailed);
        }
        return Ok(mac_len);
    }
    #[cfg(feature = "signature-methods")]
    {
        let mut idc = [0u8; MAX_ID_CRED_LEN + 8];
        let idc_len = id_cred_map(&own.id_cred, &mut idc)?;
        let digest =
            kdf::sig_structure_digest(c, idc.get(..idc_len).unwrap_or(&[]), th, own.cred, ead, mac);
        let sig = c.ecdsa_p256_sign_digest(own.key, &digest)?;
        out.copy_from_slice(sig.as_bytes());
        Ok(SIGNATURE_LEN)
    }
    // Unreachable: configurations with a signature method are refused at construction.
    #[cfg(not(feature = "signature-methods"))]
    Err(AuthError::ApiMisuse(ApiMisuse::InvalidConfig))
}

/// Verifies a received signature over the Sig_structure with payload `mac`.
#[expect(clippy::too_many_arguments, reason = "all inputs of the Sig_structure")]
pub(crate) fn verify_signature<C: CryptoProvider>(
    c: &mut C,
    public: &PublicKey,
    id_cred: &IdCred<'_>,
    th: &Digest,
    cred: &[u8],
    ead: &[u8],
    mac: &[u8],
    signature: &[u8],
) -> Result<(), AuthError> {
    #[cfg(feature = "signature-methods")]
    {
        let sig = Signature::from_bytes(signature).map_err(|_| AuthError::AuthenticationFailed)?;
        let mut idc = [0u8; MAX_ID_CRED_LEN + 8];
        let idc_len = id_cred_map(id_cred, &mut idc)?;
        let digest =
            kdf::sig_structure_digest(c, idc.get(..idc_len).unwrap_or(&[]), th, cred, ead, mac);
        c.ecdsa_p256_verify_digest(public, &digest, &sig)
            .map_err(|_| AuthError::AuthenticationFailed)
    }
    // Unreachable: a peer's signature method is refused with message_1 (or never sent).
    #[cfg(not(feature = "signature-methods"))]
    {
        let _ = (c, public, id_cred, th, cred, ead, mac, signature);
        Err(AuthError::AuthenticationFailed)
    }
}

/// K/IV for message_3 (labels 3/4 from PRK_3e2m, TH_3) or message_4 (8/9, PRK_4e3m, TH_4).
fn aead_key_iv<C: CryptoProvider>(
    c: &mut C,
    alg: AeadAlgorithm,
    prk: &Prk,
    k_label: u8,
    iv_label: u8,
    th: &Digest,
) -> Result<(AeadKey, [u8; AeadAlgorithm::MAX_NONCE_LEN]), AuthError> {
    let mut k = [0u8; AeadAlgorithm::MAX_KEY_LEN];
    let kk = k
        .get_mut(..alg.key_len())
        .ok_or(AuthError::Crypto(iomt_crypto::CryptoError::InvalidLength))?;
    let r = kdf::kdf(c, prk, u16::from(k_label), th, kk);
    let key = r.and_then(|()| Ok(AeadKey::new(alg, kk)?));
    k.zeroize();
    let key = key?;
    let mut iv = [0u8; AeadAlgorithm::MAX_NONCE_LEN];
    let ivv = iv
        .get_mut(..alg.nonce_len())
        .ok_or(AuthError::Crypto(iomt_crypto::CryptoError::InvalidLength))?;
    kdf::kdf(c, prk, u16::from(iv_label), th, ivv)?;
    Ok((key, iv))
}

/// Builds PLAINTEXT_3 in `out`, encrypts it in place and wraps it as message_3.
/// Returns the message length and TH_4.
#[expect(clippy::too_many_arguments, reason = "all inputs of message_3")]
pub(crate) fn encrypt_message_3<C: CryptoProvider>(
    c: &mut C,
    suite: Suite,
    prk_3e2m: &Prk,
    th_3: &Digest,
    id_cred_i: &IdCred<'_>,
    sig_or_mac: &[u8],
    ead: &[u8],
    cred_i: &[u8],
    out: &mut [u8],
) -> Result<(usize, Digest), AuthError> {
    let alg = suite.aead();
    let body = out
        .get_mut(HEAD_ROOM..)
        .ok_or(AuthError::BufferTooSmall { needed: HEAD_ROOM })?;
    let pt_len = {
        let mut e = Encoder::new(body);
        id_cred_i
            .encode_compact(&mut e)
            .map_err(|e| needed_plus(e, HEAD_ROOM))?;
        e.bstr(sig_or_mac)
            .map_err(|e| needed_plus(AuthError::from(e), HEAD_ROOM))?;
        e.raw(ead)
            .map_err(|e| needed_plus(AuthError::from(e), HEAD_ROOM))?;
        e.len()
    };
    let total = pt_len
        .checked_add(alg.tag_len())
        .ok_or(PeerMisbehaved::TooLarge)?;
    let needed = total.saturating_add(HEAD_ROOM);
    let (pt, rest) = body
        .split_at_mut_checked(pt_len)
        .ok_or(AuthError::BufferTooSmall { needed })?;
    let tag = rest
        .get_mut(..alg.tag_len())
        .ok_or(AuthError::BufferTooSmall { needed })?;
    let th_4 = kdf::th_next(c, th_3, pt, cred_i);
    let (key, iv) = aead_key_iv(c, alg, prk_3e2m, label::K_3, label::IV_3, th_3)?;
    let aad = kdf::enc_structure(th_3);
    c.aead_seal(
        alg,
        &key,
        iv.get(..alg.nonce_len()).unwrap_or(&[]),
        &aad,
        pt,
        tag,
    )?;
    let n = msg::wrap_bstr_in_place(out, HEAD_ROOM, total)?;
    Ok((n, th_4))
}

fn needed_plus(e: AuthError, extra: usize) -> AuthError {
    match e {
        AuthError::BufferTooSmall { needed } => AuthError::BufferTooSmall {
            needed: needed.saturating_add(extra),
        },
        other => other,
    }
}

/// Decrypts message_3 in place; returns PLAINTEXT_3 (mutable, so that the caller can
/// wipe it if it fails to parse). On an AEAD failure the provider has already wiped it.
pub(crate) fn decrypt_message_3<'m, C: CryptoProvider>(
    c: &mut C,
    suite: Suite,
    prk_3e2m: &Prk,
    th_3: &Digest,
    message_3: &'m mut [u8],
) -> Result<&'m mut [u8], AuthError> {
    open_in_place(c, suite, prk_3e2m, label::K_3, label::IV_3, th_3, message_3)
}

fn open_in_place<'m, C: CryptoProvider>(
    c: &mut C,
    suite: Suite,
    prk: &Prk,
    k_label: u8,
    iv_label: u8,
    th: &Digest,
    message: &'m mut [u8],
) -> Result<&'m mut [u8], AuthError> {
    let invalid = AuthError::PeerMisbehaved(PeerMisbehaved::InvalidMessage);
    let alg = suite.aead();
    let range = msg::single_bstr_range(message)?;
    let body: &'m mut [u8] = message.get_mut(range).ok_or(invalid)?;
    let ct_len = body.len().checked_sub(alg.tag_len()).ok_or(invalid)?;
    let (ct, tag) = body.split_at_mut_checked(ct_len).ok_or(invalid)?;
    let (key, iv) = aead_key_iv(c, alg, prk, k_label, iv_label, th)?;
    let aad = kdf::enc_structure(th);
    c.aead_open(
        alg,
        &key,
        iv.get(..alg.nonce_len()).unwrap_or(&[]),
        &aad,
        ct,
        tag,
    )
    .map_err(|_| {
        // Providers must wipe `ct` on failure; do it here too rather than trust them.
        ct.zeroize();
        AuthError::AuthenticationFailed
    })?;
    Ok(ct)
}

/// Writes message_4 (PLAINTEXT_4 = EAD_4) into `out`.
pub(crate) fn encrypt_message_4<C: CryptoProvider>(
    c: &mut C,
    suite: Suite,
    prk_4e3m: &Prk,
    th_4: &Digest,
    ead: &[u8],
    out: &mut [u8],
) -> Result<usize, AuthError> {
    let alg = suite.aead();
    let total = ead
        .len()
        .checked_add(alg.tag_len())
        .ok_or(PeerMisbehaved::TooLarge)?;
    let needed = total.saturating_add(HEAD_ROOM);
    let body = out
        .get_mut(HEAD_ROOM..needed)
        .ok_or(AuthError::BufferTooSmall { needed })?;
    let (pt, tag) = body
        .split_at_mut_checked(ead.len())
        .ok_or(AuthError::BufferTooSmall { needed })?;
    pt.copy_from_slice(ead);
    let (key, iv) = aead_key_iv(c, alg, prk_4e3m, label::K_4, label::IV_4, th_4)?;
    let aad = kdf::enc_structure(th_4);
    c.aead_seal(
        alg,
        &key,
        iv.get(..alg.nonce_len()).unwrap_or(&[]),
        &aad,
        pt,
        tag,
    )?;
    msg::wrap_bstr_in_place(out, HEAD_ROOM, total)
}

/// Decrypts message_4 in place and validates EAD_4. If EAD_4 is rejected, the decrypted
/// PLAINTEXT_4 is wiped before returning.
pub(crate) fn decrypt_message_4<'m, C: CryptoProvider>(
    c: &mut C,
    params: &Params,
    prk_4e3m: &Prk,
    th_4: &Digest,
    message_4: &'m mut [u8],
) -> Result<Ead<'m>, AuthError> {
    let pt = open_in_place(
        c,
        params.suite,
        prk_4e3m,
        label::K_4,
        label::IV_4,
        th_4,
        message_4,
    )?;
    if let Err(e) = Ead::parse(pt, &params.ead_labels) {
        pt.zeroize();
        return Err(e);
    }
    let pt: &'m [u8] = pt;
    Ead::parse(pt, &params.ead_labels)
}
