//! The whole conformance kit (Wycheproof, RFC 5869, RFC 3610/CAVP, FIPS 180-2) on
//! `AwsLcProvider`: every family clean, with the same vector floors as the RustCrypto
//! backend (iomt-crypto/tests/wycheproof.rs), so a kit that stopped running vectors fails.

use iomt_crypto::conformance::{self, KitReport};

/// Prints the report and checks it: nothing failed and at least `floor` passed.
fn check(report: &KitReport, floor: usize) {
    println!("{report}");
    assert_eq!(report.failed, 0, "{report}");
    assert!(
        report.passed >= floor,
        "{}: only {} vectors passed (floor {floor})",
        report.family,
        report.passed
    );
}

#[test]
fn awslc_ecdh_p256() {
    check(
        &conformance::run_ecdh_p256(&mut iomt_crypto_awslc::provider()),
        350,
    );
}

#[test]
fn awslc_points_decompress_from_x() {
    check(
        &conformance::run_point_decompression(&mut iomt_crypto_awslc::provider()),
        390,
    );
}

#[test]
fn awslc_ecdsa_p256_sha256() {
    check(
        &conformance::run_ecdsa_p256_sha256(&mut iomt_crypto_awslc::provider()),
        260,
    );
}

#[test]
fn awslc_chacha20poly1305() {
    check(
        &conformance::run_chacha20poly1305(&mut iomt_crypto_awslc::provider()),
        310,
    );
}

#[test]
fn awslc_aes_ccm_16_64_128() {
    check(
        &conformance::run_aes_ccm_16_64_128(&mut iomt_crypto_awslc::provider()),
        88,
    );
}

#[test]
fn awslc_hkdf_sha256() {
    check(
        &conformance::run_hkdf_sha256(&mut iomt_crypto_awslc::provider()),
        86,
    );
    check(
        &conformance::run_rfc5869_sha256(&mut iomt_crypto_awslc::provider()),
        3,
    );
}

#[test]
fn awslc_sha256() {
    check(
        &conformance::run_sha256(&mut iomt_crypto_awslc::provider()),
        3,
    );
}

#[test]
fn awslc_run_all_is_clean() {
    let reports = conformance::run_all(&mut iomt_crypto_awslc::provider());
    assert_eq!(reports.len(), 8);
    for r in &reports {
        println!("{r}");
        assert!(r.is_clean(), "{r}");
    }
}
