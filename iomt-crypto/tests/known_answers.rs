//! Known-answer tests (RFC 9529 §3 trace, suite 2), point validation (RFC 9529
//! §4 invalid traces), bad-input handling and secret hygiene.
#![expect(clippy::panic, reason = "test helpers outside #[test] fns")]

use std::collections::HashMap;

use iomt_crypto::{
    AeadAlgorithm, AeadKey, CryptoError, DeterministicProvider, Prk, PublicKey, RustCryptoProvider,
    SharedSecret, Signature, StaticKey, prelude::*,
};
use iomt_testkit::rfc9529::{INVALID, TRACE, vectors};

fn sec3() -> HashMap<String, Vec<u8>> {
    vectors(TRACE)
}

fn v<'a>(m: &'a HashMap<String, Vec<u8>>, k: &str) -> &'a [u8] {
    m.get(k).unwrap_or_else(|| panic!("missing {k}"))
}

const P: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

#[test]
fn rfc9529_g_xy_from_x_and_g_y() {
    let m = sec3();
    let mut p = DeterministicProvider::new();
    p.queue_ephemeral(v(&m, "X")).unwrap();
    p.queue_ephemeral(v(&m, "Y")).unwrap();
    assert_eq!(p.queued(), 2);

    // Queued scalars come back in order, with the RFC's public keys.
    let (x, g_x) = p.p256_generate_ephemeral().unwrap();
    assert_eq!(&g_x.x()[..], v(&m, "G_X"));
    assert_eq!(&g_x.y()[..], v(&m, "G_X_y"));
    let (y, g_y) = p.p256_generate_ephemeral().unwrap();
    assert_eq!(&g_y.x()[..], v(&m, "G_Y"));
    assert_eq!(p.queued(), 0);

    // G_XY from X and the compact (x-only) G_Y, and symmetrically.
    let g_y_compact = PublicKey::from_x_coordinate(v(&m, "G_Y")).unwrap();
    let g_xy = p.p256_ecdh_ephemeral(&x, &g_y_compact).unwrap();
    assert_eq!(&g_xy.as_bytes()[..], v(&m, "G_XY"));
    let g_x_compact = PublicKey::from_x_coordinate(v(&m, "G_X")).unwrap();
    let g_yx = p.p256_ecdh_ephemeral(&y, &g_x_compact).unwrap();
    assert_eq!(g_yx.as_bytes(), g_xy.as_bytes());
}

#[test]
fn rfc9529_static_dh_g_rx_and_g_iy() {
    let m = sec3();
    let mut p = RustCryptoProvider::with_os_rng();
    let r = StaticKey::from_bytes(v(&m, "R")).unwrap();
    let i = p.p256_import_key(v(&m, "I")).unwrap();
    let g_r = p.p256_public_key(&r).unwrap();
    assert_eq!(&g_r.x()[..], v(&m, "G_R"));
    assert_eq!(&g_r.y()[..], v(&m, "G_R_y"));
    assert_eq!(&p.p256_public_key(&i).unwrap().x()[..], v(&m, "G_I"));

    let g_x = PublicKey::from_x_coordinate(v(&m, "G_X")).unwrap();
    let g_rx = p.p256_ecdh_static(&r, &g_x).unwrap();
    assert_eq!(&g_rx.as_bytes()[..], v(&m, "G_RX"));
    let g_y = PublicKey::from_x_coordinate(v(&m, "G_Y")).unwrap();
    let g_iy = p.p256_ecdh_static(&i, &g_y).unwrap();
    assert_eq!(&g_iy.as_bytes()[..], v(&m, "G_IY"));

    // The COSE_Key form (x and y) parses to the same key as the compact form.
    let full = PublicKey::from_coordinates(v(&m, "G_R"), v(&m, "G_R_y")).unwrap();
    assert_eq!(full, g_r);
}

#[test]
fn rfc9529_hashes_and_key_schedule() {
    let m = sec3();
    let mut p = RustCryptoProvider::with_os_rng();
    assert_eq!(&p.sha256(v(&m, "message_1"))[..], v(&m, "H_message_1"));
    // Incremental hash over TH_2's input in uneven pieces.
    let input = v(&m, "Input_to_calculate_TH_2");
    let mut st = p.sha256_start();
    for chunk in input.chunks(7) {
        iomt_crypto::Sha256State::update(&mut st, chunk);
    }
    assert_eq!(&iomt_crypto::Sha256State::finalize(st)[..], v(&m, "TH_2"));

    // PRK_2e = Extract(TH_2, G_XY); K_3, IV_3 = Expand(PRK_3e2m, info, len).
    let prk_2e = p.hkdf_sha256_extract(v(&m, "TH_2"), v(&m, "G_XY"));
    assert_eq!(&prk_2e.as_bytes()[..], v(&m, "PRK_2e"));
    let prk_3e2m = Prk::from_bytes(v(&m, "PRK_3e2m").try_into().unwrap());
    let mut k_3 = [0u8; 16];
    p.hkdf_sha256_expand(&prk_3e2m, v(&m, "info_for_K_3"), &mut k_3)
        .unwrap();
    assert_eq!(&k_3[..], v(&m, "K_3"));
    let mut iv_3 = [0u8; 13];
    p.hkdf_sha256_expand(&prk_3e2m, v(&m, "info_for_IV_3"), &mut iv_3)
        .unwrap();
    assert_eq!(&iv_3[..], v(&m, "IV_3"));
}

#[test]
fn rfc9529_aes_ccm_16_64_128_message_3_and_4() {
    let m = sec3();
    let mut p = RustCryptoProvider::with_os_rng();
    let alg = AeadAlgorithm::AesCcm16_64_128;
    for (k, iv, a, pt, ct) in [
        ("K_3", "IV_3", "A_3", Some("PLAINTEXT_3"), "CIPHERTEXT_3"),
        ("K_4", "IV_4", "A_4", None, "CIPHERTEXT_4"),
    ] {
        let key = AeadKey::new(alg, v(&m, k)).unwrap();
        let pt = pt.map_or(&[][..], |name| v(&m, name));
        let mut buf = pt.to_vec();
        let mut tag = [0u8; 8];
        p.aead_seal(alg, &key, v(&m, iv), v(&m, a), &mut buf, &mut tag)
            .unwrap();
        buf.extend_from_slice(&tag);
        assert_eq!(buf, v(&m, ct), "{ct}");
        // And back.
        let (c, t) = v(&m, ct).split_at(pt.len());
        let mut buf = c.to_vec();
        p.aead_open(alg, &key, v(&m, iv), v(&m, a), &mut buf, t)
            .unwrap();
        assert_eq!(buf, pt);
    }
}

#[test]
fn rfc9529_sec4_invalid_curve_points_rejected() {
    let m = vectors(INVALID);
    // message_1 = METHOD SUITES 0x58 0x20 G_X C_I: the x-coordinate starts at byte 4.
    for name in [
        "error_in_elliptic_curve_representation__message_1",
        "error_in_elliptic_curve_point__message_1",
    ] {
        let msg = v(&m, name);
        let x = &msg[4..36];
        assert_eq!(
            PublicKey::from_x_coordinate(x),
            Err(CryptoError::InvalidPublicKey),
            "{name}"
        );
    }
    // The representation case is exactly p.
    assert_eq!(
        hex::encode(&v(&m, "error_in_elliptic_curve_representation__message_1")[4..36]),
        P
    );
    // The 31-byte ephemeral key is a length error.
    let msg = v(&m, "error_in_elliptic_curve_encoding__message_1");
    assert_eq!(
        PublicKey::from_x_coordinate(&msg[4..35]),
        Err(CryptoError::InvalidLength)
    );
}

#[test]
fn point_validation_rejects_out_of_range_off_curve_and_identity() {
    let m = sec3();
    let p = hex::decode(P).unwrap();
    let gx = v(&m, "G_X");
    let gy = v(&m, "G_X_y");
    // x = p, x = p + 1, x = 2^256 - 1 (all ≥ p).
    let mut one = [0u8; 32];
    one[31] = 1;
    let p_plus_1 = add_be(&p, &one).unwrap();
    for x in [p.clone(), p_plus_1, vec![0xff; 32]] {
        assert_eq!(
            PublicKey::from_x_coordinate(&x),
            Err(CryptoError::InvalidPublicKey)
        );
        assert_eq!(
            PublicKey::from_coordinates(&x, gy),
            Err(CryptoError::InvalidPublicKey)
        );
    }
    // y ≥ p.
    for y in [p.clone(), vec![0xff; 32]] {
        assert_eq!(
            PublicKey::from_coordinates(gx, &y),
            Err(CryptoError::InvalidPublicKey)
        );
    }
    // x = 0 is a valid x-coordinate (Wycheproof "point with coordinate x = 0"),
    // so x = p is exactly a non-canonical encoding of a curve point: rejected.
    let zero = PublicKey::from_x_coordinate(&[0; 32]).unwrap();
    assert_eq!(zero.x(), &[0; 32]);
    assert_eq!(
        PublicKey::from_coordinates(&p, zero.y()),
        Err(CryptoError::InvalidPublicKey)
    );
    // Not on the curve: y + 1.
    let mut bad_y = gy.to_vec();
    *bad_y.last_mut().unwrap() ^= 1;
    assert_eq!(
        PublicKey::from_coordinates(gx, &bad_y),
        Err(CryptoError::InvalidPublicKey)
    );
    // (0, 0) (a common identity encoding) is not on the curve.
    assert_eq!(
        PublicKey::from_coordinates(&[0; 32], &[0; 32]),
        Err(CryptoError::InvalidPublicKey)
    );
    // SEC1 identity, unknown tags, wrong lengths.
    assert_eq!(
        PublicKey::from_sec1_bytes(&[0x00]),
        Err(CryptoError::InvalidPublicKey)
    );
    assert_eq!(
        PublicKey::from_sec1_bytes(&[]),
        Err(CryptoError::InvalidLength)
    );
    let mut sec1 = vec![0x04];
    sec1.extend_from_slice(gx);
    sec1.extend_from_slice(gy);
    let good = PublicKey::from_sec1_bytes(&sec1).unwrap();
    assert_eq!(good.to_sec1_uncompressed().to_vec(), sec1);
    sec1[0] = 0x05;
    assert_eq!(
        PublicKey::from_sec1_bytes(&sec1),
        Err(CryptoError::InvalidPublicKey)
    );
    sec1[0] = 0x04;
    assert_eq!(
        PublicKey::from_sec1_bytes(&sec1[..64]),
        Err(CryptoError::InvalidLength)
    );
    // Compressed: the parity byte picks y.
    let mut comp = vec![0x02 | (gy[31] & 1)];
    comp.extend_from_slice(gx);
    assert_eq!(PublicKey::from_sec1_bytes(&comp).unwrap(), good);
    comp[0] ^= 1;
    assert_ne!(PublicKey::from_sec1_bytes(&comp).unwrap(), good);
    // Compact form: wrong lengths.
    for len in [0, 31, 33, 64] {
        assert_eq!(
            PublicKey::from_x_coordinate(&vec![1; len]),
            Err(CryptoError::InvalidLength)
        );
    }
    // Compact form picks an even y.
    let compact = PublicKey::from_x_coordinate(gx).unwrap();
    assert_eq!(compact.y()[31] & 1, 0);
    assert_eq!(compact.x(), good.x());
}

/// Big-endian `a + b` if it fits in 32 bytes.
fn add_be(a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = (s & 0xff) as u8;
        carry = s >> 8;
    }
    (carry == 0).then_some(out)
}

#[test]
fn static_key_import_validates_the_scalar() {
    let n = hex::decode(N).unwrap();
    assert_eq!(
        StaticKey::from_bytes(&[0; 32]).err(),
        Some(CryptoError::InvalidPrivateKey)
    );
    assert_eq!(
        StaticKey::from_bytes(&n).err(),
        Some(CryptoError::InvalidPrivateKey)
    );
    assert_eq!(
        StaticKey::from_bytes(&[0xff; 32]).err(),
        Some(CryptoError::InvalidPrivateKey)
    );
    assert_eq!(
        StaticKey::from_bytes(&[1; 31]).err(),
        Some(CryptoError::InvalidLength)
    );
    assert_eq!(
        StaticKey::from_bytes(&[1; 33]).err(),
        Some(CryptoError::InvalidLength)
    );
    // n - 1 is the largest valid scalar; 1 gives the generator.
    let mut n_minus_1 = n.clone();
    n_minus_1[31] -= 1;
    assert!(StaticKey::from_bytes(&n_minus_1).is_ok());
    let mut one = [0u8; 32];
    one[31] = 1;
    let g = StaticKey::from_bytes(&one).unwrap();
    assert_eq!(
        hex::encode(g.public_key().x()),
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    );
    let mut p = DeterministicProvider::new();
    assert_eq!(
        p.queue_ephemeral(&[0; 32]),
        Err(CryptoError::InvalidPrivateKey)
    );
    assert_eq!(p.queue_ephemeral(&[1; 5]), Err(CryptoError::InvalidLength));
}

#[test]
fn ecdsa_sign_verify_and_bad_signatures() {
    let m = sec3();
    let mut p = RustCryptoProvider::with_os_rng();
    let key = StaticKey::from_bytes(v(&m, "R")).unwrap();
    let public = *key.public_key();
    let digest = p.sha256(b"iomt firmware manifest");
    let sig = p.ecdsa_p256_sign_digest(&key, &digest).unwrap();
    p.ecdsa_p256_verify_digest(&public, &digest, &sig).unwrap();
    // RFC 6979: deterministic.
    assert_eq!(p.ecdsa_p256_sign_digest(&key, &digest).unwrap(), sig);

    let other = p.sha256(b"iomt firmware manifest!");
    assert_eq!(
        p.ecdsa_p256_verify_digest(&public, &other, &sig),
        Err(CryptoError::AuthenticationFailed)
    );
    let wrong_key = PublicKey::from_x_coordinate(v(&m, "G_I")).unwrap();
    assert_eq!(
        p.ecdsa_p256_verify_digest(&wrong_key, &digest, &sig),
        Err(CryptoError::AuthenticationFailed)
    );
    // Every single-bit flip of the signature fails.
    for bit in 0..512 {
        let mut b = *sig.as_bytes();
        b[bit / 8] ^= 1 << (bit % 8);
        let bad = Signature::from_bytes(&b).unwrap();
        assert_eq!(
            p.ecdsa_p256_verify_digest(&public, &digest, &bad),
            Err(CryptoError::AuthenticationFailed),
            "bit {bit}"
        );
    }
    // r = 0, s = 0, r = n, s = n: out of range → authentication failure, no panic.
    let n = hex::decode(N).unwrap();
    let (r, s) = sig.as_bytes().split_at(32);
    for (r, s) in [
        (vec![0; 32], s.to_vec()),
        (r.to_vec(), vec![0; 32]),
        (n.clone(), s.to_vec()),
        (r.to_vec(), n.clone()),
        (vec![0xff; 32], vec![0xff; 32]),
    ] {
        let bad = Signature::from_bytes(&[r, s].concat()).unwrap();
        assert_eq!(
            p.ecdsa_p256_verify_digest(&public, &digest, &bad),
            Err(CryptoError::AuthenticationFailed)
        );
    }
    assert_eq!(
        Signature::from_bytes(&[0; 65]),
        Err(CryptoError::InvalidLength)
    );
}

#[test]
fn aead_rejects_bad_lengths_and_zeroizes_on_failure() {
    let mut p = RustCryptoProvider::with_os_rng();
    for alg in [
        AeadAlgorithm::ChaCha20Poly1305,
        AeadAlgorithm::AesCcm16_64_128,
    ] {
        let key = AeadKey::new(alg, &[7; 32][..alg.key_len()]).unwrap();
        let nonce = vec![3u8; alg.nonce_len()];
        let mut tag = vec![0u8; alg.tag_len()];
        let mut buf = *b"sensitive vital-sign payload";
        p.aead_seal(alg, &key, &nonce, b"hdr", &mut buf, &mut tag)
            .unwrap();
        let ct = buf;

        // Wrong nonce / tag lengths and a key for the other algorithm.
        let e = Err(CryptoError::InvalidLength);
        let mut b = ct;
        assert_eq!(
            p.aead_seal(alg, &key, &nonce[1..], b"hdr", &mut b, &mut tag),
            e
        );
        let mut short_tag = vec![0u8; alg.tag_len() - 1];
        assert_eq!(
            p.aead_seal(alg, &key, &nonce, b"hdr", &mut b, &mut short_tag),
            e
        );
        let mut b = ct;
        assert_eq!(p.aead_open(alg, &key, &nonce, b"hdr", &mut b, &tag[1..]), e);
        assert_eq!(b, [0; 28], "in_out zeroized on a length error too");
        let other = match alg {
            AeadAlgorithm::ChaCha20Poly1305 => AeadAlgorithm::AesCcm16_64_128,
            AeadAlgorithm::AesCcm16_64_128 => AeadAlgorithm::ChaCha20Poly1305,
        };
        let other_key = AeadKey::new(other, &[7; 32][..other.key_len()]).unwrap();
        let mut b = ct;
        assert_eq!(
            p.aead_open(alg, &other_key, &nonce, b"hdr", &mut b, &tag),
            e
        );

        // Bad tag: authentication failure, buffer zeroized (no unauthenticated plaintext).
        let mut bad_tag = tag.clone();
        bad_tag[0] ^= 1;
        let mut b = ct;
        assert_eq!(
            p.aead_open(alg, &key, &nonce, b"hdr", &mut b, &bad_tag),
            Err(CryptoError::AuthenticationFailed)
        );
        assert_eq!(b, [0; 28]);
        // Wrong aad.
        let mut b = ct;
        assert_eq!(
            p.aead_open(alg, &key, &nonce, b"hdR", &mut b, &tag),
            Err(CryptoError::AuthenticationFailed)
        );
        assert_eq!(b, [0; 28]);
        // Good.
        let mut b = ct;
        p.aead_open(alg, &key, &nonce, b"hdr", &mut b, &tag)
            .unwrap();
        assert_eq!(&b, b"sensitive vital-sign payload");
    }
    // AES-CCM-16-64-128 carries at most 2^16 - 1 bytes.
    let alg = AeadAlgorithm::AesCcm16_64_128;
    let key = AeadKey::new(alg, &[1; 16]).unwrap();
    let mut big = vec![0u8; 0x1_0000];
    let mut tag = [0u8; 8];
    assert_eq!(
        p.aead_seal(alg, &key, &[0; 13], &[], &mut big, &mut tag),
        Err(CryptoError::InvalidLength)
    );
    assert!(
        p.aead_seal(alg, &key, &[0; 13], &[], &mut big[1..], &mut tag)
            .is_ok()
    );
    // Key lengths.
    assert_eq!(
        AeadKey::new(alg, &[1; 32]).err(),
        Some(CryptoError::InvalidLength)
    );
    assert_eq!(
        AeadKey::new(AeadAlgorithm::ChaCha20Poly1305, &[]).err(),
        Some(CryptoError::InvalidLength)
    );
}

#[test]
fn hkdf_expand_length_limit() {
    let mut p = RustCryptoProvider::with_os_rng();
    let prk = p.hkdf_sha256_extract(b"salt", b"ikm");
    let mut max = vec![0u8; 255 * 32];
    assert!(p.hkdf_sha256_expand(&prk, b"", &mut max).is_ok());
    let mut too_long = vec![0u8; 255 * 32 + 1];
    assert_eq!(
        p.hkdf_sha256_expand(&prk, b"", &mut too_long),
        Err(CryptoError::InvalidLength)
    );
    let mut empty = [];
    assert!(p.hkdf_sha256_expand(&prk, b"", &mut empty).is_ok());
}

#[test]
fn debug_of_secrets_shows_no_key_bytes() {
    let m = sec3();
    let secret_hex = [
        "72cc4761", "72CC4761", "114", "204", // 0x72 = 114, 0xcc = 204
    ];
    let key = StaticKey::from_bytes(v(&m, "R")).unwrap();
    let mut p = DeterministicProvider::new();
    p.queue_ephemeral(v(&m, "X")).unwrap();
    let (eph, _) = p.p256_generate_ephemeral().unwrap();
    let shared = SharedSecret::from_bytes(v(&m, "G_XY").try_into().unwrap());
    let prk = Prk::from_bytes(v(&m, "PRK_2e").try_into().unwrap());
    let aead = AeadKey::new(AeadAlgorithm::AesCcm16_64_128, v(&m, "K_3")).unwrap();
    let dumps = [
        format!("{key:?} {key:#?}"),
        format!("{eph:?} {eph:#?}"),
        format!("{shared:?} {shared:#?}"),
        format!("{prk:?} {prk:#?}"),
        format!("{aead:?} {aead:#?}"),
    ];
    for d in &dumps {
        assert!(d.contains("redacted"), "{d}");
        for needle in secret_hex {
            assert!(!d.contains(needle), "{d}");
        }
        // No run of two or more decimal/hex byte values leaks.
        assert!(!d.contains(", "), "{d}");
        assert!(!d.chars().any(|c| c.is_ascii_digit()), "{d}");
    }
    // Public material still prints (it is not secret).
    let public = format!("{:?}", key.public_key());
    assert!(public.contains("187")); // G_R starts with 0xbb = 187
}

#[test]
fn deterministic_provider_queue_order_capacity_and_fallback() {
    let m = sec3();
    let mut p = DeterministicProvider::new();
    for _ in 0..8 {
        p.queue_ephemeral(v(&m, "Y")).unwrap();
    }
    assert_eq!(p.queue_ephemeral(v(&m, "X")), Err(CryptoError::Unsupported));
    for _ in 0..8 {
        let (_, g_y) = p.p256_generate_ephemeral().unwrap();
        assert_eq!(&g_y.x()[..], v(&m, "G_Y"));
    }
    // Wraps around the ring.
    p.queue_ephemeral(v(&m, "X")).unwrap();
    let (_, g_x) = p.p256_generate_ephemeral().unwrap();
    assert_eq!(&g_x.x()[..], v(&m, "G_X"));
    // Empty queue: the fixed-seed RNG, identical across instances.
    let (_, a) = p.p256_generate_ephemeral().unwrap();
    let mut q = DeterministicProvider::new();
    let (_, b) = q.p256_generate_ephemeral().unwrap();
    assert_eq!(a, b);
    let (mut r1, mut r2) = ([0u8; 40], [0u8; 40]);
    DeterministicProvider::with_seed([9; 32])
        .random_bytes(&mut r1)
        .unwrap();
    DeterministicProvider::with_seed([9; 32])
        .random_bytes(&mut r2)
        .unwrap();
    assert_eq!(r1, r2);
    assert_ne!(r1, [0; 40]);
}

#[test]
fn os_rng_provider_generates_distinct_keys() {
    let mut p = RustCryptoProvider::with_os_rng();
    let (a, pa) = p.p256_generate_ephemeral().unwrap();
    let (b, pb) = p.p256_generate_ephemeral().unwrap();
    assert_ne!(pa, pb);
    let ab = p.p256_ecdh_ephemeral(&a, &pb).unwrap();
    let ba = p.p256_ecdh_ephemeral(&b, &pa).unwrap();
    assert_eq!(ab.as_bytes(), ba.as_bytes());
    let k = StaticKey::generate(p.rng_mut()).unwrap();
    let ka = p.p256_ecdh_static(&k, &pa).unwrap();
    let ak = p.p256_ecdh_ephemeral(&a, k.public_key()).unwrap();
    assert_eq!(ka.as_bytes(), ak.as_bytes());
}
