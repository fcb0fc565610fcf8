//! The whole conformance kit (Wycheproof, RFC 5869, RFC 3610/CAVP, FIPS 180-2,
//! `iomt-crypto-conformance`) on the aws-lc parts (`AwsLcP256`, `AwsLcHashing`,
//! `AwsLcAead`) each alone, and on `AwsLcProvider` whole: every family clean, with the
//! same vector floors as the RustCrypto backend
//! (iomt-crypto-conformance/tests/wycheproof.rs), so a kit that stopped running
//! vectors fails.

use iomt_crypto_awslc::{AwsLcAead, AwsLcHashing, AwsLcP256};
use iomt_crypto_conformance::{self as conformance, KitReport};

/// Prints the report and checks it: nothing failed and at least `floor` passed.
fn check(report: &KitReport, floor: usize) {
    println!("{report}");
    assert_eq!(report.check_floor(floor), Ok(()));
}

/// The floors of `run_parts` / `run_all`, in their report order.
const FLOORS: [usize; 8] = [350, 390, 260, 310, 88, 86, 3, 3];

#[test]
fn awslc_ecdh_p256() {
    check(&conformance::run_ecdh_p256(&mut AwsLcP256), 350);
}

#[test]
fn awslc_points_decompress_from_x() {
    check(&conformance::run_point_decompression(&mut AwsLcP256), 390);
}

#[test]
fn awslc_ecdsa_p256_sha256() {
    check(
        &conformance::run_ecdsa_p256_sha256(&mut AwsLcP256, &mut AwsLcHashing),
        260,
    );
}

#[test]
fn awslc_chacha20poly1305() {
    check(&conformance::run_chacha20poly1305(&mut AwsLcAead), 310);
}

#[test]
fn awslc_aes_ccm_16_64_128() {
    check(&conformance::run_aes_ccm_16_64_128(&mut AwsLcAead), 88);
}

#[test]
fn awslc_hkdf_sha256() {
    check(&conformance::run_hkdf_sha256(&mut AwsLcHashing), 86);
    check(&conformance::run_rfc5869_sha256(&mut AwsLcHashing), 3);
}

#[test]
fn awslc_sha256() {
    check(&conformance::run_sha256(&mut AwsLcHashing), 3);
}

#[test]
fn awslc_run_all_is_clean() {
    let mut p = iomt_crypto_awslc::provider();
    let whole = conformance::run_all(&mut p);
    let parts = conformance::run_parts(&mut p.p256, &mut p.hashing, &mut p.aead);
    for reports in [whole, parts] {
        assert_eq!(reports.len(), FLOORS.len());
        for (r, floor) in reports.iter().zip(FLOORS) {
            check(r, floor);
        }
    }
}
