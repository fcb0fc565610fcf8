//! Provisioning through the C API: a key from the caller's RNG, its public key, its CCS —
//! checked against RFC 9529's credentials (outside data) and by running a handshake
//! between two freshly provisioned sides.

use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn public_of(sk: &[u8]) -> [u8; IOMT_PUBLIC_KEY_LEN] {
    let mut pk = [0u8; IOMT_PUBLIC_KEY_LEN];
    let r =
        unsafe { iomt_public_key_from_private(sk.as_ptr(), sk.len(), pk.as_mut_ptr(), pk.len()) };
    assert_eq!(r, iomt_result::Ok);
    pk
}

fn ccs(subject: &[u8], kid: &[u8], pk: &[u8]) -> Result<Vec<u8>, (iomt_result, usize)> {
    let mut out = [0u8; IOMT_MAX_ENCODED_CCS_LEN];
    let mut len = 0usize;
    let r = unsafe {
        iomt_ccs_encode(
            subject.as_ptr(),
            subject.len(),
            kid.as_ptr(),
            kid.len(),
            pk.as_ptr(),
            pk.len(),
            out.as_mut_ptr(),
            out.len(),
            &raw mut len,
        )
    };
    if r == iomt_result::Ok {
        Ok(out[..len].to_vec())
    } else {
        Err((r, len))
    }
}

fn generate(c: &mut Crypto) -> Result<[u8; IOMT_PRIVATE_KEY_LEN], iomt_result> {
    let mut sk = [0xa5u8; IOMT_PRIVATE_KEY_LEN];
    let r = unsafe { iomt_private_key_generate(c.ptr(), sk.as_mut_ptr(), sk.len()) };
    if r == iomt_result::Ok { Ok(sk) } else { Err(r) }
}

#[test]
#[cfg_attr(miri, ignore = "P-256")]
fn the_rfc_9529_credentials_are_rebuilt_byte_exact() {
    let cred_r = ccs(b"example.edu", &[0x32], &public_of(&h(SK_R))).unwrap();
    assert_eq!(hex(&cred_r), CRED_R);
    let cred_i = ccs(b"42-50-31-FF-EF-37-32-39", &[0x2b], &public_of(&h(SK_I))).unwrap();
    assert_eq!(hex(&cred_i), CRED_I);
}

#[test]
#[cfg_attr(miri, ignore = "P-256")]
fn freshly_provisioned_sides_complete_a_handshake() {
    let mut c = Crypto::new(0x5eed);
    let (sk_dev, sk_gw) = (generate(&mut c).unwrap(), generate(&mut c).unwrap());
    assert_ne!(sk_dev, sk_gw);
    let dev_ccs = hex(&ccs(b"pump-0042", &[0x11], &public_of(&sk_dev)).unwrap());
    let gw_ccs = hex(&ccs(b"ward-7-gateway", &[0x22], &public_of(&sk_gw)).unwrap());
    let dev = side(
        &hex(&sk_dev),
        &dev_ccs,
        0x11,
        &gw_ccs,
        0x22,
        b"gateway",
        1 << IOMT_ROLE_GATEWAY,
    );
    let gw = side(
        &hex(&sk_gw),
        &gw_ccs,
        0x22,
        &dev_ccs,
        0x11,
        b"pump",
        1 << IOMT_ROLE_DEVICE,
    );
    let (mut ini, mut resp) = handshake(&mut c, 3, 2, false, &dev, &gw);
    let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
    for (hs, out) in [(&mut ini, &mut a), (&mut resp, &mut b)] {
        let r = unsafe {
            iomt_handshake_export(
                &raw mut **hs,
                c.ptr(),
                0x8002,
                null(),
                0,
                out.as_mut_ptr(),
                out.len(),
            )
        };
        assert_eq!(r, iomt_result::Ok);
    }
    assert_eq!(a, b);
}

#[test]
#[cfg_attr(miri, ignore = "P-256")]
fn a_broken_rng_yields_no_key() {
    // an RNG that returns zeros (or all ones) never yields a valid scalar
    for (mul, add) in [(0, 0), (0, 0xff)] {
        let mut c = Crypto::pattern(mul, add);
        assert_eq!(generate(&mut c), Err(iomt_result::CryptoRng));
    }
    // an RNG callback that fails; the output stays untouched
    let mut storage = zeroed::<iomt_crypto>();
    assert_eq!(
        unsafe { iomt_crypto_init(&raw mut *storage, Some(failing_rng), null_mut()) },
        iomt_result::Ok
    );
    let mut sk = [0xa5u8; IOMT_PRIVATE_KEY_LEN];
    let r = unsafe { iomt_private_key_generate(&raw mut *storage, sk.as_mut_ptr(), sk.len()) };
    assert_eq!(r, iomt_result::CryptoRng);
    assert_eq!(sk, [0xa5; IOMT_PRIVATE_KEY_LEN]);
    assert_eq!(
        unsafe { iomt_crypto_deinit(&raw mut *storage) },
        iomt_result::Ok
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256")]
fn bad_inputs_are_refused_with_specific_codes() {
    let pk = public_of(&h(SK_R));
    // invalid private keys
    let r =
        unsafe { iomt_public_key_from_private([0u8; 32].as_ptr(), 32, [0u8; 65].as_mut_ptr(), 65) };
    assert_eq!(r, iomt_result::CryptoInvalidPrivateKey);
    // not a point
    let mut off_curve = pk;
    off_curve[64] ^= 1;
    assert_eq!(
        ccs(b"x", &[], &off_curve).unwrap_err().0,
        iomt_result::CryptoInvalidPublicKey
    );
    // subject not UTF-8, subject and kid too long
    assert_eq!(
        ccs(&[0xff], &[], &pk).unwrap_err().0,
        iomt_result::InvalidArgument
    );
    let long = "s".repeat(IOMT_MAX_SUBJECT_LEN + 1);
    assert_eq!(
        ccs(long.as_bytes(), &[], &pk).unwrap_err().0,
        iomt_result::InvalidArgument
    );
    assert_eq!(
        ccs(b"x", &[1; 17], &pk).unwrap_err().0,
        iomt_result::InvalidArgument
    );
    // a short buffer reports the exact size needed
    let full = ccs(b"dev", &[1], &pk).unwrap();
    let mut out = [0u8; 8];
    let mut len = 0usize;
    let r = unsafe {
        iomt_ccs_encode(
            b"dev".as_ptr(),
            3,
            [1u8].as_ptr(),
            1,
            pk.as_ptr(),
            pk.len(),
            out.as_mut_ptr(),
            out.len(),
            &raw mut len,
        )
    };
    assert_eq!((r, len), (iomt_result::BufferTooSmall, full.len()));
    // NULL public key
    let r = unsafe {
        iomt_ccs_encode(
            b"dev".as_ptr(),
            3,
            null(),
            0,
            null(),
            65,
            out.as_mut_ptr(),
            out.len(),
            &raw mut len,
        )
    };
    assert_eq!(r, iomt_result::NullParameter);
}
