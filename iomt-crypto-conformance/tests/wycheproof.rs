//! The conformance kit (Wycheproof, RFC 5869, RFC 3610/CAVP, FIPS 180-2) run
//! against every provider of `iomt-crypto`, whole (a `CryptoProvider` is each of its
//! parts; two `Part` views of it for ECDSA) and part by part; and against planted-bug
//! parts, which must fail it.

use core::cell::RefCell;

use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{
    Aead, AeadAlgorithm, AeadKey, CryptoError, CryptoProvider, DeterministicP256,
    DeterministicProvider, Digest, EphemeralKey, P256, Provider, PublicKey, Random, RustCryptoAead,
    RustCryptoHashing, RustCryptoP256, RustCryptoProvider, SharedSecret, Signature, StaticKey,
};
use iomt_crypto_conformance::{self as conformance, KitReport, Part};

/// Prints the report and checks it: nothing failed and at least `floor` passed.
fn check(report: &KitReport, floor: usize) {
    println!("{report}");
    assert_eq!(report.check_floor(floor), Ok(()));
}

macro_rules! kit_test {
    ($name:ident, $run:path, $floor:expr) => {
        #[test]
        fn $name() {
            fn run<C: CryptoProvider>(c: &mut C) -> KitReport {
                $run(c)
            }
            check(&run(&mut RustCryptoProvider::with_os_rng()), $floor);
            check(&run(&mut DeterministicProvider::new()), $floor);
        }
    };
}

// Floors are the counts seen with the pinned `wycheproof` 0.7 data, so a kit that
// silently stopped running vectors fails.
kit_test!(wycheproof_ecdh_p256, conformance::run_ecdh_p256, 350);
kit_test!(
    wycheproof_points_decompress_from_x,
    conformance::run_point_decompression,
    390
);
#[test]
fn wycheproof_ecdsa_p256_sha256() {
    fn run<C: CryptoProvider>(c: &mut C) -> KitReport {
        let shared = RefCell::new(c);
        conformance::run_ecdsa_p256_sha256(&mut Part(&shared), &mut Part(&shared))
    }
    check(&run(&mut RustCryptoProvider::with_os_rng()), 260);
    check(&run(&mut DeterministicProvider::new()), 260);
}
kit_test!(
    wycheproof_chacha20poly1305,
    conformance::run_chacha20poly1305,
    310
);
kit_test!(
    wycheproof_aes_ccm_16_64_128,
    conformance::run_aes_ccm_16_64_128,
    88
);
kit_test!(wycheproof_hkdf_sha256, conformance::run_hkdf_sha256, 86);
kit_test!(rfc5869_hkdf_sha256, conformance::run_rfc5869_sha256, 3);
kit_test!(fips180_sha256, conformance::run_sha256, 3);

/// Each part checked alone, before any composition, with the same floors.
#[test]
fn wycheproof_parts_alone_are_clean() {
    let floors = [350, 390, 260, 310, 88, 86, 3, 3];
    let reports = conformance::run_parts(
        &mut RustCryptoP256,
        &mut RustCryptoHashing,
        &mut RustCryptoAead,
    );
    assert_eq!(reports.len(), floors.len());
    for (r, floor) in reports.iter().zip(floors) {
        check(r, floor);
    }
    let mut det = DeterministicP256::default();
    check(&conformance::run_ecdh_p256(&mut det), 350);
    check(&conformance::run_point_decompression(&mut det), 390);
    check(
        &conformance::run_ecdsa_p256_sha256(&mut det, &mut RustCryptoHashing),
        260,
    );
    check(&conformance::run_chacha20poly1305(&mut RustCryptoAead), 310);
}

#[test]
fn wycheproof_run_all_is_clean() {
    let reports = conformance::run_all(&mut RustCryptoProvider::with_os_rng());
    assert_eq!(reports.len(), 8);
    for r in &reports {
        assert!(r.is_clean(), "{r}");
    }
}

/// The P-256 part with two planted bugs: ECDSA verification accepts everything and
/// x-only decompression picks the odd y. It also leaves out key import (the defaulted
/// method), so every static-key ECDH vector is skipped.
struct BrokenP256;

impl P256 for BrokenP256 {
    type KeyHandle = StaticKey;
    type EphemeralSecret = EphemeralKey;

    fn p256_generate_ephemeral_from<G: Random + ?Sized>(
        &mut self,
        rng: &mut G,
    ) -> Result<(EphemeralKey, PublicKey), CryptoError> {
        RustCryptoP256.p256_generate_ephemeral_from(rng)
    }
    fn p256_ecdh_ephemeral(
        &mut self,
        s: &EphemeralKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        RustCryptoP256.p256_ecdh_ephemeral(s, peer)
    }
    fn p256_ecdh_static(
        &mut self,
        k: &StaticKey,
        peer: &PublicKey,
    ) -> Result<SharedSecret, CryptoError> {
        RustCryptoP256.p256_ecdh_static(k, peer)
    }
    fn p256_public_key(&mut self, k: &StaticKey) -> Result<PublicKey, CryptoError> {
        RustCryptoP256.p256_public_key(k)
    }
    fn p256_public_key_from_x(&mut self, x: &[u8]) -> Result<PublicKey, CryptoError> {
        // Planted bug: the odd-y root (a valid point, but not the one the API promises).
        let mut sec1 = [0x03u8; 33];
        sec1[1..].copy_from_slice(x.get(..32).ok_or(CryptoError::InvalidLength)?);
        PublicKey::from_sec1_bytes(&sec1)
    }
    fn ecdsa_p256_sign_digest(
        &mut self,
        k: &StaticKey,
        d: &Digest,
    ) -> Result<Signature, CryptoError> {
        RustCryptoP256.ecdsa_p256_sign_digest(k, d)
    }
    fn ecdsa_p256_verify_digest(
        &mut self,
        _: &PublicKey,
        _: &Digest,
        _: &Signature,
    ) -> Result<(), CryptoError> {
        Ok(()) // BUG: accepts every signature.
    }
}

/// The AEAD part with a planted bug: ChaCha20-Poly1305 open ignores the tag.
struct BrokenAead;

impl Aead for BrokenAead {
    fn aead_seal(
        &mut self,
        a: AeadAlgorithm,
        k: &AeadKey,
        n: &[u8],
        aad: &[u8],
        io: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), CryptoError> {
        RustCryptoAead.aead_seal(a, k, n, aad, io, tag)
    }
    fn aead_open(
        &mut self,
        a: AeadAlgorithm,
        k: &AeadKey,
        n: &[u8],
        aad: &[u8],
        io: &mut [u8],
        _tag: &[u8],
    ) -> Result<(), CryptoError> {
        // BUG: decrypts by re-sealing (CTR keystream is symmetric) and ignores the tag.
        let mut scratch = [0u8; 16];
        let t = scratch
            .get_mut(..a.tag_len())
            .ok_or(CryptoError::InvalidLength)?;
        RustCryptoAead.aead_seal(a, k, n, aad, io, t)
    }
}

#[test]
fn wycheproof_kit_detects_a_broken_provider() {
    // A whole provider with the three planted bugs, checked through `Part` views.
    let mut broken = Provider::from_parts(BrokenP256, RustCryptoHashing, BrokenAead, OsRng);
    let shared = RefCell::new(&mut broken);
    let mut p = Part(&shared);
    let ecdsa = conformance::run_ecdsa_p256_sha256(&mut p, &mut Part(&shared));
    println!("{ecdsa}");
    assert!(ecdsa.failed >= 50, "{ecdsa}");
    let chacha = conformance::run_chacha20poly1305(&mut p);
    println!("{chacha}");
    assert!(chacha.failed >= 30, "{chacha}");
    assert!(!chacha.is_clean());
    // The families without planted bugs stay clean.
    assert!(conformance::run_hkdf_sha256(&mut p).is_clean());
    // Static-key import is a defaulted trait method: a provider without it
    // gets every ECDH vector skipped, not failed.
    let ecdh = conformance::run_ecdh_p256(&mut p);
    assert_eq!((ecdh.passed, ecdh.failed), (0, 0), "{ecdh}");
    assert!(ecdh.skipped > 350);
    let points = conformance::run_point_decompression(&mut p);
    println!("{points}");
    assert!(points.failed >= 300, "{points}");
}
