//! Conformance firmware: Wycheproof P-256 ECDH (`ecdh_secp256r1_ecpoint`) and
//! ECDSA (`ecdsa_secp256r1_sha256_p1363`) on the target, for each enabled backend,
//! plus the RFC 6979 §A.2.5 deterministic-signature known answers and API edge
//! cases (scalar range on import, (n−1)·G = −G, r/s out of range), the x-only
//! decompression of EDHOC's G_X/G_Y against the Wycheproof points, and both AEADs:
//! Wycheproof `chacha20_poly1305` and the AES-CCM-16-64-128 known answers (RFC 3610,
//! NIST CAVP), each of those also with a flipped tag, ciphertext and AAD bit that
//! must be rejected.
//!
//! The vectors are baked in by `build.rs` (the target has no file system and no
//! allocator). The iomt-crypto conformance kit needs `std`/`alloc`, so this is
//! the same loop written for `no_std`, with the kit's pass/fail rules:
//! `valid` must succeed with the expected output, `invalid` must be rejected
//! (when parsing or by the operation), `acceptable` may go either way but if
//! accepted must give the expected output; a private key that does not fit 32
//! bytes, an `Unsupported` import, or an ECDSA group whose public key does not
//! parse count as skipped.
//!
//! Run: `cargo run --release --bin conformance [--features backend-m4]`; the
//! exit code is the verdict (0: every family clean).
#![no_std]
#![no_main]

#[cfg(not(any(feature = "backend-rustcrypto", feature = "backend-m4")))]
compile_error!("enable `backend-rustcrypto` and/or `backend-m4`");

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use iomt_crypto::{AeadAlgorithm, AeadKey, CryptoError, CryptoProvider, PublicKey, Signature};
use iomt_firmware::exit;
use iomt_firmware::rng::BenchRng;
use panic_semihosting as _;

/// The Wycheproof verdict of a vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Valid,
    Invalid,
    Acceptable,
}

/// One `ecdh_secp256r1_ecpoint` vector.
pub(crate) struct EcdhVector {
    tc_id: u32,
    expect: Expect,
    public: &'static [u8],
    /// `None` if the private key does not fit 32 bytes (skipped, as in the kit).
    private: Option<[u8; 32]>,
    shared: &'static [u8],
}

/// One `ecdsa_secp256r1_sha256_p1363` vector, with the message's SHA-256.
pub(crate) struct EcdsaVector {
    tc_id: u32,
    expect: Expect,
    public: &'static [u8],
    digest: [u8; 32],
    sig: &'static [u8],
}

/// One AEAD vector (Wycheproof, or a known answer: `Valid`).
pub(crate) struct AeadVector {
    tc_id: u32,
    expect: Expect,
    key: &'static [u8],
    nonce: &'static [u8],
    aad: &'static [u8],
    pt: &'static [u8],
    ct: &'static [u8],
    tag: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/wycheproof_vectors.rs"));

/// Counts of one family.
#[derive(Default)]
struct Tally {
    passed: u32,
    failed: u32,
    skipped: u32,
}

impl Tally {
    fn record(&mut self, ok: bool, backend: &str, family: &str, tc_id: u32) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            hprintln!(
                "IOMT-CONFORMANCE-FAIL\t{}\t{}\ttcId {}",
                backend,
                family,
                tc_id
            );
        }
    }

    fn print(&self, backend: &str, family: &str) -> bool {
        hprintln!(
            "IOMT-CONFORMANCE\t{}\t{}\t{} passed, {} failed, {} skipped",
            backend,
            family,
            self.passed,
            self.failed,
            self.skipped
        );
        self.failed == 0 && self.passed > 0
    }
}

/// The kit's rule: `accepted` is `Some(output matches)` or `None` if rejected.
fn judge(expect: Expect, accepted: Option<bool>) -> bool {
    matches!(
        (expect, accepted),
        (Expect::Valid, Some(true))
            | (Expect::Invalid, None)
            | (Expect::Acceptable, Some(true) | None)
    )
}

fn ecdh<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    const FAMILY: &str = "wycheproof ecdh_secp256r1_ecpoint";
    let mut t = Tally::default();
    for v in ECDH {
        let Some(d) = v.private else {
            t.skipped += 1;
            continue;
        };
        let key = match p.p256_import_key(&d) {
            Ok(k) => k,
            Err(CryptoError::Unsupported) => {
                t.skipped += 1;
                continue;
            }
            Err(_) => {
                t.record(judge(v.expect, None), backend, FAMILY, v.tc_id);
                continue;
            }
        };
        let outcome = PublicKey::from_sec1_bytes(v.public)
            .and_then(|peer| p.p256_ecdh_static(&key, &peer))
            .ok()
            .map(|s| s.as_bytes()[..] == v.shared[..]);
        t.record(judge(v.expect, outcome), backend, FAMILY, v.tc_id);
    }
    t.print(backend, FAMILY)
}

/// `p256_public_key_from_x` (the EDHOC G_X/G_Y decompression) against the Wycheproof
/// points and against `PublicKey::from_x_coordinate` (RustCrypto), including x values with
/// no point, x = p and x = 2^256 - 1 (the errors must agree too).
fn decompress<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    const FAMILY: &str = "p256 x-only decompression";
    let mut t = Tally::default();
    for v in ECDH {
        let Ok(point) = PublicKey::from_sec1_bytes(v.public) else {
            t.skipped += 1;
            continue;
        };
        let ok = p.p256_public_key_from_x(point.x()).is_ok_and(|k| {
            k.x() == point.x()
                && k.y()[31] & 1 == 0
                && Ok(k) == PublicKey::from_x_coordinate(point.x())
        });
        t.record(ok, backend, FAMILY, v.tc_id);
    }
    let mut x = [0u8; 32];
    for i in 0..64u8 {
        x[31] = i;
        let agree = p.p256_public_key_from_x(&x) == PublicKey::from_x_coordinate(&x);
        t.record(agree, backend, FAMILY, 10_000 + u32::from(i));
    }
    let mut prime = [0xffu8; 32];
    prime[4..8].copy_from_slice(&[0, 0, 0, 1]);
    prime[8..20].fill(0);
    for (id, x) in [(20_000, prime), (20_001, [0xff; 32])] {
        let rejected = p.p256_public_key_from_x(&x) == Err(CryptoError::InvalidPublicKey);
        t.record(rejected, backend, FAMILY, id);
    }
    t.print(backend, FAMILY)
}

fn ecdsa<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    const FAMILY: &str = "wycheproof ecdsa_secp256r1_sha256_p1363";
    let mut t = Tally::default();
    for v in ECDSA {
        let Ok(public) = PublicKey::from_sec1_bytes(v.public) else {
            t.skipped += 1;
            continue;
        };
        let accepted = Signature::from_bytes(v.sig)
            .and_then(|sig| p.ecdsa_p256_verify_digest(&public, &v.digest, &sig))
            .is_ok();
        t.record(
            judge(v.expect, accepted.then_some(true)),
            backend,
            FAMILY,
            v.tc_id,
        );
    }
    t.print(backend, FAMILY)
}

/// RFC 6979 §A.2.5 (P-256, SHA-256): key, then (message, r ‖ s).
const RFC6979_KEY: &str = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
const RFC6979_CASES: [(&[u8], &str); 2] = [
    (
        b"sample",
        "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716\
         f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
    ),
    (
        b"test",
        "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367\
         019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083",
    ),
];

/// Decodes lowercase hex (constants above; ignores anything else).
fn unhex<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let digits = s.bytes().filter_map(|c| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    });
    let mut hi = None;
    let mut i = 0;
    for d in digits {
        match hi.take() {
            None => hi = Some(d),
            Some(h) => {
                if let Some(o) = out.get_mut(i) {
                    *o = (h << 4) | d;
                }
                i += 1;
            }
        }
    }
    out
}

/// Deterministic signing known answers (and verification of the result).
fn rfc6979<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    const FAMILY: &str = "rfc6979 A.2.5 sign";
    let mut t = Tally::default();
    let Ok(key) = p.p256_import_key(&unhex::<32>(RFC6979_KEY)) else {
        t.failed += 1;
        return t.print(backend, FAMILY);
    };
    for (i, (msg, expected)) in RFC6979_CASES.iter().enumerate() {
        let digest = p.sha256(msg);
        let ok = p.ecdsa_p256_sign_digest(&key, &digest).is_ok_and(|sig| {
            sig.as_bytes() == &unhex::<64>(expected)
                && p.p256_public_key(&key)
                    .and_then(|public| p.ecdsa_p256_verify_digest(&public, &digest, &sig))
                    .is_ok()
        });
        t.record(ok, backend, FAMILY, u32::try_from(i).unwrap_or(u32::MAX));
    }
    t.print(backend, FAMILY)
}

/// The group order n.
const ORDER_N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
/// n − 1.
const ORDER_N_MINUS_1: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550";
/// The generator's x-coordinate.
const GX: &str = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";

/// API edge cases with known answers: scalar range checks on import, (n−1)·G = −G,
/// 1·P = P, and signatures with r or s outside [1, n) rejected.
fn edge_cases<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    const FAMILY: &str = "edge cases";
    let mut t = Tally::default();
    let check = |t: &mut Tally, id: u32, ok: bool| t.record(ok, backend, FAMILY, id);
    let one = {
        let mut d = [0u8; 32];
        d[31] = 1;
        d
    };
    let n = unhex::<32>(ORDER_N);
    check(
        &mut t,
        1,
        p.p256_import_key(&[0; 32]).err() == Some(CryptoError::InvalidPrivateKey),
    );
    check(
        &mut t,
        2,
        p.p256_import_key(&n).err() == Some(CryptoError::InvalidPrivateKey),
    );
    check(
        &mut t,
        3,
        p.p256_import_key(&[0xff; 32]).err() == Some(CryptoError::InvalidPrivateKey),
    );
    check(
        &mut t,
        4,
        p.p256_import_key(&[1; 31]).err() == Some(CryptoError::InvalidLength),
    );
    check(
        &mut t,
        5,
        p.p256_import_key(&[1; 33]).err() == Some(CryptoError::InvalidLength),
    );
    let gx = unhex::<32>(GX);
    let (Ok(k_last), Ok(k_one)) = (
        p.p256_import_key(&unhex::<32>(ORDER_N_MINUS_1)),
        p.p256_import_key(&one),
    ) else {
        t.failed += 1;
        return t.print(backend, FAMILY);
    };
    let (Ok(minus_g), Ok(g)) = (p.p256_public_key(&k_last), p.p256_public_key(&k_one)) else {
        t.failed += 1;
        return t.print(backend, FAMILY);
    };
    // (n−1)·G = −G: same x as G, different y.
    check(
        &mut t,
        6,
        minus_g.x() == &gx && minus_g.y() != g.y() && g.x() == &gx,
    );
    // (n−1)·G via ECDH and 1·(−G).
    check(
        &mut t,
        7,
        p.p256_ecdh_static(&k_last, &g)
            .is_ok_and(|s| s.as_bytes() == &gx),
    );
    check(
        &mut t,
        8,
        p.p256_ecdh_static(&k_one, &minus_g)
            .is_ok_and(|s| s.as_bytes() == &gx),
    );
    // Signatures with r or s = 0 or n never verify.
    let digest = p.sha256(b"edge");
    match p.ecdsa_p256_sign_digest(&k_last, &digest) {
        Ok(sig) => {
            check(
                &mut t,
                9,
                p.ecdsa_p256_verify_digest(&minus_g, &digest, &sig).is_ok(),
            );
            let mut bad = *sig.as_bytes();
            let cases = [(0, [0u8; 32]), (0, n), (1, [0u8; 32]), (1, n)];
            for (id, (half, value)) in (10..).zip(cases) {
                bad[..32].copy_from_slice(&sig.as_bytes()[..32]);
                bad[32..].copy_from_slice(&sig.as_bytes()[32..]);
                bad[32 * half..32 * half + 32].copy_from_slice(&value);
                let rejected = p
                    .ecdsa_p256_verify_digest(&minus_g, &digest, &Signature::from_array(bad))
                    .err()
                    == Some(CryptoError::AuthenticationFailed);
                check(&mut t, id, rejected);
            }
        }
        Err(_) => t.failed += 1,
    }
    t.print(backend, FAMILY)
}

/// The longest AEAD message checked on the target (longer vectors are skipped).
const AEAD_MAX: usize = 512;

/// Opens `ct` (tag `tag`, AAD `aad`): `Some(plaintext matches)`, `None` if rejected.
/// `open` runs first, as in the kit: the check that matters for invalid vectors.
fn aead_open_matches<P: CryptoProvider>(
    p: &mut P,
    alg: AeadAlgorithm,
    v: &AeadVector,
    ct: &[u8],
    tag: &[u8],
    aad: &[u8],
) -> Option<bool> {
    let key = AeadKey::new(alg, v.key).ok()?;
    let mut buf = [0u8; AEAD_MAX];
    let buf = buf.get_mut(..ct.len())?;
    buf.copy_from_slice(ct);
    p.aead_open(alg, &key, v.nonce, aad, buf, tag).ok()?;
    Some(buf == v.pt)
}

/// Seals `v.pt`: whether ciphertext and tag are `v.ct` / `v.tag`.
fn aead_seal_matches<P: CryptoProvider>(p: &mut P, alg: AeadAlgorithm, v: &AeadVector) -> bool {
    let Ok(key) = AeadKey::new(alg, v.key) else {
        return false;
    };
    let mut buf = [0u8; AEAD_MAX];
    let mut tag = [0u8; 16];
    let (Some(buf), Some(tag)) = (buf.get_mut(..v.pt.len()), tag.get_mut(..alg.tag_len())) else {
        return false;
    };
    buf.copy_from_slice(v.pt);
    p.aead_seal(alg, &key, v.nonce, v.aad, buf, tag).is_ok() && buf == v.ct && tag == v.tag
}

/// `bytes` with bit `bit` of byte `at` flipped (into `out`, at most [`AEAD_MAX`]).
fn flipped<'a>(out: &'a mut [u8; AEAD_MAX], bytes: &[u8], at: usize) -> &'a [u8] {
    let out = out.get_mut(..bytes.len()).unwrap_or_default();
    out.copy_from_slice(bytes);
    if let Some(b) = out.get_mut(at) {
        *b ^= 1;
    }
    out
}

/// One AEAD family: each vector judged by the kit's rule (open, then seal for an
/// accepted one); with `negatives`, each vector also opened with a flipped tag,
/// ciphertext and AAD bit, which must be rejected.
fn aead<P: CryptoProvider>(
    backend: &str,
    p: &mut P,
    (alg, family, vectors): (AeadAlgorithm, &str, &[AeadVector]),
    negatives: bool,
) -> bool {
    let mut t = Tally::default();
    if let Err(e) = P::aead_built(alg) {
        hprintln!(
            "IOMT-CONFORMANCE-FAIL\t{}\t{}\tnot built: {:?}",
            backend,
            family,
            e
        );
        t.failed += 1;
        return t.print(backend, family);
    }
    for v in vectors {
        if v.pt.len() > AEAD_MAX || v.ct.len() > AEAD_MAX {
            t.skipped += 1;
            continue;
        }
        let opened = aead_open_matches(p, alg, v, v.ct, v.tag, v.aad);
        let accepted = opened.map(|pt_ok| pt_ok && aead_seal_matches(p, alg, v));
        t.record(judge(v.expect, accepted), backend, family, v.tc_id);
        if !negatives {
            continue;
        }
        let mut scratch = [0u8; AEAD_MAX];
        let tag = flipped(&mut scratch, v.tag, v.tc_id as usize % v.tag.len().max(1));
        let rejected = aead_open_matches(p, alg, v, v.ct, tag, v.aad).is_none();
        t.record(rejected, backend, family, v.tc_id);
        for (which, bytes) in [(0, v.ct), (1, v.aad)] {
            if bytes.is_empty() {
                continue;
            }
            let mut scratch = [0u8; AEAD_MAX];
            let bad = flipped(&mut scratch, bytes, bytes.len() / 2);
            let (ct, aad) = if which == 0 {
                (bad, v.aad)
            } else {
                (v.ct, bad)
            };
            let rejected = aead_open_matches(p, alg, v, ct, v.tag, aad).is_none();
            t.record(rejected, backend, family, v.tc_id);
        }
    }
    t.print(backend, family)
}

/// The two AEAD families.
fn aeads<P: CryptoProvider>(backend: &str, p: &mut P) -> bool {
    let chacha = (
        AeadAlgorithm::ChaCha20Poly1305,
        "wycheproof chacha20_poly1305",
        CHACHA20POLY1305,
    );
    let ccm = (
        AeadAlgorithm::AesCcm16_64_128,
        "aes-ccm-16-64-128 rfc3610 + cavp (+ flipped bits)",
        AES_CCM,
    );
    aead(backend, p, chacha, false) & aead(backend, p, ccm, true)
}

#[entry]
fn main() -> ! {
    let mut ok = true;
    let mut backends = 0u32;
    #[cfg(feature = "backend-rustcrypto")]
    {
        let mut p = iomt_crypto::RustCryptoProvider::new(BenchRng::new(3));
        ok &= ecdh("rustcrypto", &mut p);
        ok &= decompress("rustcrypto", &mut p);
        ok &= ecdsa("rustcrypto", &mut p);
        ok &= rfc6979("rustcrypto", &mut p);
        ok &= edge_cases("rustcrypto", &mut p);
        ok &= aeads("rustcrypto", &mut p);
        backends += 1;
    }
    #[cfg(feature = "backend-m4")]
    {
        let mut p = iomt_crypto::CortexM4Provider::new(BenchRng::new(3));
        ok &= ecdh("p256-cortex-m4", &mut p);
        ok &= decompress("p256-cortex-m4", &mut p);
        ok &= ecdsa("p256-cortex-m4", &mut p);
        ok &= rfc6979("p256-cortex-m4", &mut p);
        ok &= edge_cases("p256-cortex-m4", &mut p);
        ok &= aeads("p256-cortex-m4", &mut p);
        backends += 1;
    }
    ok &= backends > 0;
    hprintln!(
        "IOMT-CONFORMANCE-DONE\t{}",
        if ok { "ok" } else { "FAILED" }
    );
    exit(ok)
}
