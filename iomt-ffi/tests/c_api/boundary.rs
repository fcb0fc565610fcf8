//! The boundary plumbing (Miri-friendly): storage sizes and alignment against the header,
//! NULL pointers, misaligned/zeroed/foreign storage, deinit, huge and zero lengths, and
//! the RNG callback failing.

use super::*;

#[test]
fn storage_sizes_and_alignment_match_the_header_constants() {
    assert_eq!(size_of::<iomt_crypto>(), IOMT_CRYPTO_SIZE);
    assert_eq!(align_of::<iomt_crypto>(), IOMT_CRYPTO_ALIGN);
    assert_eq!(size_of::<iomt_credential>(), IOMT_CREDENTIAL_SIZE);
    assert_eq!(align_of::<iomt_credential>(), IOMT_CREDENTIAL_ALIGN);
    assert_eq!(size_of::<iomt_trust_store>(), IOMT_TRUST_STORE_SIZE);
    assert_eq!(align_of::<iomt_trust_store>(), IOMT_TRUST_STORE_ALIGN);
    assert_eq!(size_of::<iomt_handshake>(), IOMT_HANDSHAKE_SIZE);
    assert_eq!(align_of::<iomt_handshake>(), IOMT_HANDSHAKE_ALIGN);
    assert_eq!(size_of::<iomt_handshake>(), IOMT_HANDSHAKE_SIZE);
    assert_eq!(align_of::<iomt_handshake>(), IOMT_HANDSHAKE_ALIGN);
    assert_eq!(size_of::<iomt_session>(), IOMT_SESSION_SIZE);
    assert_eq!(align_of::<iomt_session>(), IOMT_SESSION_ALIGN);
    for (name, used, size) in storage_in_use() {
        std::println!("in use: {name} {used} of {size}");
        assert!(used <= size);
    }
}

#[test]
fn header_matches_the_rust_constants_and_the_manifest_version() {
    let header = include_str!("../../include/iomt.h");
    let define = |name: &str| -> u64 {
        let prefix = format!("#define {name} ");
        let line = header
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{name} missing from iomt.h"));
        line[prefix.len()..].trim().parse().unwrap()
    };
    assert_eq!(
        define("IOMT_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR").parse::<u64>().unwrap()
    );
    assert_eq!(
        define("IOMT_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR").parse::<u64>().unwrap()
    );
    assert_eq!(
        define("IOMT_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH").parse::<u64>().unwrap()
    );
    for (name, value) in [
        ("IOMT_CRYPTO_SIZE", IOMT_CRYPTO_SIZE),
        ("IOMT_CREDENTIAL_SIZE", IOMT_CREDENTIAL_SIZE),
        ("IOMT_TRUST_STORE_SIZE", IOMT_TRUST_STORE_SIZE),
        ("IOMT_HANDSHAKE_SIZE", IOMT_HANDSHAKE_SIZE),
        ("IOMT_HANDSHAKE_SIZE", IOMT_HANDSHAKE_SIZE),
        ("IOMT_SESSION_SIZE", IOMT_SESSION_SIZE),
        ("IOMT_SESSION_ALIGN", IOMT_SESSION_ALIGN),
        ("IOMT_MAX_FRAME_LEN", IOMT_MAX_FRAME_LEN),
    ] {
        assert_eq!(define(name), value as u64, "{name}");
    }
    assert_eq!(
        iomt_version(),
        (IOMT_VERSION_MAJOR << 16) | (IOMT_VERSION_MINOR << 8) | IOMT_VERSION_PATCH
    );
}

#[test]
fn null_pointers_are_errors_and_null_deinit_is_fine() {
    let mut n = 0usize;
    let mut seed = 1u64;
    unsafe {
        assert_eq!(
            iomt_crypto_init(null_mut(), Some(test_rng), (&raw mut seed).cast()),
            iomt_result::NullParameter
        );
        let mut c = zeroed::<iomt_crypto>();
        assert_eq!(
            iomt_crypto_init(&raw mut *c, None, null_mut()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_credential_init(null_mut(), null(), 32, null(), 10, null(), 0),
            iomt_result::NullParameter
        );
        let mut cred = zeroed::<iomt_credential>();
        assert_eq!(
            iomt_credential_init(&raw mut *cred, null(), 0, null(), 0, null(), 0),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_trust_store_init(null_mut()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_handshake_init_initiator(null_mut(), null()),
            iomt_result::NullParameter
        );
        let mut i = zeroed::<iomt_handshake>();
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, null()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_consent_tag_encode(null(), null_mut(), 0, &raw mut n),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_consent_tag_decode(null(), 3, null_mut()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_vitals_decode(null(), 0, null_mut(), 0, null_mut()),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_session_seal(
                null_mut(),
                null_mut(),
                IOMT_NO_CONSENT_SLOT,
                null(),
                0,
                null_mut(),
                0,
                null_mut()
            ),
            iomt_result::NullParameter
        );
        for r in [
            iomt_crypto_deinit(null_mut()),
            iomt_credential_deinit(null_mut()),
            iomt_trust_store_deinit(null_mut()),
            iomt_handshake_deinit(null_mut()),
            iomt_handshake_deinit(null_mut()),
            iomt_session_deinit(null_mut()),
        ] {
            assert_eq!(r, iomt_result::Ok);
        }
    }
}

#[test]
fn misaligned_storage_is_rejected() {
    let mut words = Box::new([0u64; 160]);
    let base = words.as_mut_ptr().cast::<u8>();
    let mut c = Crypto::new(7);
    unsafe {
        let mis_init = base.add(4).cast::<iomt_trust_store>();
        assert_eq!(
            iomt_trust_store_init(mis_init),
            iomt_result::MisalignedStorage
        );
        assert_eq!(
            iomt_trust_store_deinit(mis_init),
            iomt_result::MisalignedStorage
        );
        // 8-aligned but not 16-aligned: a session needs 16.
        let offset = if (base as usize).is_multiple_of(16) {
            8
        } else {
            0
        };
        let mis_session = base.add(offset).cast::<iomt_session>();
        let mut info = MaybeUninit::<iomt_session_info>::uninit();
        assert_eq!(
            iomt_session_get_info(mis_session, info.as_mut_ptr()),
            iomt_result::MisalignedStorage
        );
        let mut out = [0u8; 8];
        let mis_crypto = base.add(1).cast::<iomt_crypto>();
        assert_eq!(
            iomt_crypto_random(mis_crypto, out.as_mut_ptr(), 8),
            iomt_result::MisalignedStorage
        );
        assert_eq!(
            iomt_crypto_random(c.ptr(), out.as_mut_ptr(), 8),
            iomt_result::Ok
        );
    }
}

#[test]
fn zeroed_or_foreign_storage_is_not_initialized() {
    let mut s = zeroed::<iomt_session>();
    let mut t = zeroed::<iomt_trust_store>();
    let mut info = iomt_session_info::default();
    let mut state = iomt_handshake_state::Failed;
    unsafe {
        assert_eq!(
            iomt_session_get_info(&raw const *s, &raw mut info),
            iomt_result::NotInitialized
        );
        assert_eq!(
            iomt_handshake_get_state(&raw const *zeroed::<iomt_handshake>(), &raw mut state),
            iomt_result::NotInitialized
        );
        // A live trust store passed where a crypto provider is expected: another magic.
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        let mut out = [0u8; 4];
        assert_eq!(
            iomt_crypto_random((&raw mut *t).cast(), out.as_mut_ptr(), 4),
            iomt_result::NotInitialized
        );
        assert_eq!(iomt_trust_store_deinit(&raw mut *t), iomt_result::Ok);
        assert_eq!(iomt_session_deinit(&raw mut *s), iomt_result::Ok);
    }
    assert_eq!(state, iomt_handshake_state::Failed, "no output on failure");
}

#[test]
fn deinit_zeroizes_and_double_deinit_is_harmless() {
    let mut c = Crypto::new(3);
    let mut t = zeroed::<iomt_trust_store>();
    unsafe {
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        let bytes = &*(&raw const *t).cast::<[u8; IOMT_TRUST_STORE_SIZE]>();
        assert!(bytes.iter().any(|b| *b != 0));
        assert_eq!(iomt_trust_store_deinit(&raw mut *t), iomt_result::Ok);
        let bytes = &*(&raw const *t).cast::<[u8; IOMT_TRUST_STORE_SIZE]>();
        assert!(bytes.iter().all(|b| *b == 0));
        assert_eq!(iomt_trust_store_deinit(&raw mut *t), iomt_result::Ok);
        assert_eq!(iomt_crypto_deinit(c.ptr()), iomt_result::Ok);
        assert_eq!(iomt_crypto_deinit(c.ptr()), iomt_result::Ok);
        let mut out = [0u8; 4];
        assert_eq!(
            iomt_crypto_random(c.ptr(), out.as_mut_ptr(), 4),
            iomt_result::NotInitialized
        );
    }
}

#[test]
fn huge_lengths_are_rejected_before_any_read() {
    let buf = [0u8; 8];
    let mut tag = MaybeUninit::<iomt_consent_tag>::uninit();
    let mut n = 0usize;
    let mut readings = [iomt_reading::default(); 2];
    unsafe {
        assert_eq!(
            iomt_consent_tag_decode(buf.as_ptr(), usize::MAX, tag.as_mut_ptr()),
            iomt_result::InvalidArgument
        );
        assert_eq!(
            iomt_vitals_decode(
                buf.as_ptr(),
                usize::MAX / 2 + 1,
                readings.as_mut_ptr(),
                2,
                &raw mut n
            ),
            iomt_result::InvalidArgument
        );
        assert_eq!(
            iomt_vitals_encode(readings.as_ptr(), usize::MAX / 8, null_mut(), 0, &raw mut n),
            iomt_result::InvalidArgument
        );
    }
    assert_eq!(n, 0);
}

#[test]
fn zero_lengths_are_defined() {
    let buf = [0u8; 4];
    let mut tag = MaybeUninit::<iomt_consent_tag>::uninit();
    let mut out = [0u8; 8];
    let mut n = 99usize;
    let mut readings = [iomt_reading::default(); 1];
    let mut c = Crypto::new(2);
    let mut t = zeroed::<iomt_trust_store>();
    let mut r = zeroed::<iomt_handshake>();
    unsafe {
        assert_eq!(
            iomt_consent_tag_decode(buf.as_ptr(), 0, tag.as_mut_ptr()),
            iomt_result::Malformed
        );
        assert_eq!(
            iomt_vitals_decode(buf.as_ptr(), 0, readings.as_mut_ptr(), 1, &raw mut n),
            iomt_result::Malformed
        );
        assert_eq!(n, 99);
        // An empty batch is a valid payload.
        assert_eq!(
            iomt_vitals_encode(null(), 0, out.as_mut_ptr(), out.len(), &raw mut n),
            iomt_result::Ok
        );
        assert!(n > 0);
        let payload = out;
        let len = n;
        assert_eq!(
            iomt_vitals_decode(payload.as_ptr(), len, null_mut(), 0, &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(n, 0);
        assert_eq!(
            iomt_crypto_random(c.ptr(), out.as_mut_ptr(), 0),
            iomt_result::Ok
        );
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        assert_eq!(
            iomt_trust_store_add(&raw mut *t, buf.as_ptr(), 0, null(), 0, null(), 0, 0),
            iomt_result::NullParameter
        );
        let cfg = responder_config(&[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), buf.as_ptr(), 0),
            iomt_result::HandshakeCbor
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), null(), 0),
            iomt_result::NullParameter
        );
        assert_eq!(iomt_trust_store_deinit(&raw mut *t), iomt_result::Ok);
        assert_eq!(iomt_handshake_deinit(&raw mut *r), iomt_result::Ok);
    }
}

#[test]
fn rng_failure_is_reported_and_success_fills() {
    let mut c = zeroed::<iomt_crypto>();
    let mut out = [0u8; 16];
    unsafe {
        assert_eq!(
            iomt_crypto_init(&raw mut *c, Some(failing_rng), null_mut()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_crypto_random(&raw mut *c, out.as_mut_ptr(), 16),
            iomt_result::CryptoRng
        );
        assert_eq!(iomt_crypto_deinit(&raw mut *c), iomt_result::Ok);
    }
    let mut good = Crypto::new(11);
    unsafe {
        assert_eq!(
            iomt_crypto_random(good.ptr(), out.as_mut_ptr(), 16),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_crypto_random(good.ptr(), null_mut(), 0),
            iomt_result::Ok
        );
    }
    assert!(out.iter().any(|b| *b != 0));
}
