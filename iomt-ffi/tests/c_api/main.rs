//! Rust-side tests of the C API, through the exported functions only (as a C program
//! sees them): the boundary plumbing (NULL, lengths, alignment,
//! storage life cycle, outputs only on success) runs under Miri; the tests that do
//! P-256 are `#[cfg_attr(miri, ignore)]` (Miri is ~1000x slower) and run natively.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions
#![allow(
    unsafe_code,
    reason = "tests call the exported unsafe extern \"C\" functions"
)]
#![expect(
    clippy::undocumented_unsafe_blocks,
    reason = "tests: every pointer passed is a live local of the right type (or a deliberate NULL/misaligned one)"
)]

use core::ffi::c_void;
use core::mem::{MaybeUninit, align_of, size_of};
use core::ptr::{null, null_mut};

use iomt_ffi::*;
use iomt_testkit::ffi::*;

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

fn sample_tag() -> iomt_consent_tag {
    iomt_consent_tag {
        version: 1,
        permit: 1,
        break_glass: 1,
        confidentiality: 3,
        consent_ref: [7; 32],
        revision: 2,
        purposes: 1, // treatment
        valid_from: 100,
        valid_until: 200,
        roles: 0b110,  // clinician, nurse
        actions: 0b11, // collect, access
        classes: 1,    // vitals
        has_signature: 0,
        signature_key_id_len: 0,
        signature_key_id: [0; 8],
        signature: [0; 64],
    }
}

#[test]
fn consent_tag_roundtrip_short_buffer_and_evaluation() {
    let tag = sample_tag();
    let mut buf = [0xA5u8; IOMT_MAX_CONSENT_TAG_LEN];
    let mut n = 0usize;
    unsafe {
        assert_eq!(
            iomt_consent_tag_encode(&raw const tag, buf.as_mut_ptr(), 3, &raw mut n),
            iomt_result::BufferTooSmall
        );
        assert!(n > 3, "the size needed is reported");
        assert_eq!(buf[0], 0xA5, "nothing written on failure");
        let needed = n;
        assert_eq!(
            iomt_consent_tag_encode(&raw const tag, buf.as_mut_ptr(), buf.len(), &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(n, needed);
        let mut back = MaybeUninit::<iomt_consent_tag>::uninit();
        assert_eq!(
            iomt_consent_tag_decode(buf.as_ptr(), n, back.as_mut_ptr()),
            iomt_result::Ok
        );
        let back = back.assume_init();
        assert_eq!(back.consent_ref, tag.consent_ref);
        assert_eq!((back.roles, back.purposes, back.revision), (0b110, 1, 2));
        // Trailing byte and truncation.
        assert_eq!(
            iomt_consent_tag_decode(buf.as_ptr(), n - 1, &raw mut *Box::new(back)),
            iomt_result::Malformed
        );

        let mut req = iomt_access_request {
            role: 2,
            purpose: 0,
            action: 1,
            data_class: 0,
            has_latest_revision: 1,
            latest_revision: 2,
            now: 150,
        };
        let mut d = iomt_decision {
            kind: iomt_decision_kind::Deny,
            deny_reason: 0,
        };
        assert_eq!(
            iomt_consent_evaluate(&raw const tag, &raw const req, &raw mut d),
            iomt_result::Ok
        );
        assert_eq!(d.kind, iomt_decision_kind::Permit);
        req.purpose = 1; // emergency treatment, not in the tag: break glass
        assert_eq!(
            iomt_consent_evaluate(&raw const tag, &raw const req, &raw mut d),
            iomt_result::Ok
        );
        assert_eq!(d.kind, iomt_decision_kind::BreakGlass);
        req.now = 200;
        assert_eq!(
            iomt_consent_evaluate(&raw const tag, &raw const req, &raw mut d),
            iomt_result::Ok
        );
        assert_eq!((d.kind, d.deny_reason), (iomt_decision_kind::Deny, 1));
        req.latest_revision = 9;
        req.now = 150;
        assert_eq!(
            iomt_consent_evaluate(&raw const tag, &raw const req, &raw mut d),
            iomt_result::Ok
        );
        assert_eq!((d.kind, d.deny_reason), (iomt_decision_kind::Deny, 2));
        // Invalid codes are errors, never a decision.
        req.role = 200;
        assert_eq!(
            iomt_consent_evaluate(&raw const tag, &raw const req, &raw mut d),
            iomt_result::InvalidCode
        );
        let mut bad = tag;
        bad.roles = 0x8000;
        assert_eq!(
            iomt_consent_tag_encode(&raw const bad, buf.as_mut_ptr(), buf.len(), &raw mut n),
            iomt_result::UnknownBits
        );
        bad = tag;
        bad.valid_from = 300;
        assert_eq!(
            iomt_consent_tag_encode(&raw const bad, buf.as_mut_ptr(), buf.len(), &raw mut n),
            iomt_result::InvalidValidity
        );
        bad = tag;
        bad.has_signature = 1;
        bad.signature_key_id_len = 9;
        assert_eq!(
            iomt_consent_tag_encode(&raw const bad, buf.as_mut_ptr(), buf.len(), &raw mut n),
            iomt_result::InvalidKeyId
        );
    }
}

#[test]
fn vitals_roundtrip_capacity_and_validation() {
    let readings = [
        iomt_reading {
            timestamp_ms: 1_850_000_000_000,
            sequence: 1,
            mantissa: 72,
            exponent: 0,
            kind: 0,
            unit: 1,
            status: 0,
        },
        iomt_reading {
            timestamp_ms: 1_850_000_000_500,
            sequence: 2,
            mantissa: 975,
            exponent: -1,
            kind: 2,
            unit: 0,
            status: 0b10,
        },
    ];
    let mut buf = [0u8; IOMT_MAX_VITALS_LEN];
    let mut n = 0usize;
    let mut out = [iomt_reading::default(); 2];
    let mut count = 0usize;
    unsafe {
        assert_eq!(
            iomt_vitals_encode(
                readings.as_ptr(),
                2,
                buf.as_mut_ptr(),
                buf.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_vitals_decode(buf.as_ptr(), n, out.as_mut_ptr(), 1, &raw mut count),
            iomt_result::BufferTooSmall
        );
        assert_eq!(count, 2, "the number of readings needed");
        assert_eq!(out[0].mantissa, 0, "nothing written on failure");
        assert_eq!(
            iomt_vitals_decode(buf.as_ptr(), n, out.as_mut_ptr(), 2, &raw mut count),
            iomt_result::Ok
        );
        assert_eq!(count, 2);
        assert_eq!((out[0].mantissa, out[0].kind), (72, 0));
        assert_eq!(out[1].status, 0b10);
        let value = |r: &iomt_reading| f64::from(r.mantissa) * 10f64.powi(i32::from(r.exponent));
        assert!((value(&out[1]) - 97.5).abs() < 1e-9);
        // Invalid readings never encode.
        let mut bad = readings[0];
        bad.kind = 99;
        assert_eq!(
            iomt_vitals_encode(&raw const bad, 1, buf.as_mut_ptr(), buf.len(), &raw mut n),
            iomt_result::InvalidCode
        );
        bad = readings[1];
        bad.mantissa = 1500;
        assert_eq!(
            iomt_vitals_encode(&raw const bad, 1, buf.as_mut_ptr(), buf.len(), &raw mut n),
            iomt_result::Implausible
        );
        bad = readings[0];
        bad.unit = 0;
        assert_eq!(
            iomt_vitals_encode(&raw const bad, 1, buf.as_mut_ptr(), buf.len(), &raw mut n),
            iomt_result::WrongUnit
        );
        let many = [readings[0]; IOMT_MAX_READINGS + 1];
        assert_eq!(
            iomt_vitals_encode(
                many.as_ptr(),
                many.len(),
                buf.as_mut_ptr(),
                buf.len(),
                &raw mut n
            ),
            iomt_result::CapacityExceeded
        );
        assert_eq!(
            iomt_vitals_decode([0xFFu8; 5].as_ptr(), 5, out.as_mut_ptr(), 2, &raw mut count),
            iomt_result::Malformed
        );
    }
}

// --------------------------------------------------------------------------------------
// Handshake objects without cryptography (Miri-friendly).

#[test]
fn invalid_configs_are_rejected() {
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    unsafe {
        let cfg = initiator_config(4, &[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::InvalidArgument
        );
        let cfg = initiator_config(3, &[7], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::HandshakeInvalidConfig
        );
        let mut cfg = initiator_config(3, &[2], false, &[]);
        let long = [1u8; 8];
        cfg.c_i = long.as_ptr();
        cfg.c_i_len = 8;
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::HandshakeConnectionIdTooLong
        );
        let cfg = initiator_config(3, &[2], false, &[1, 2, 3, 4, 5]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::HandshakeInvalidConfig
        );
        let mut cfg = responder_config(&[2], false, &[]);
        cfg.methods = 0;
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::InvalidArgument
        );
        cfg.methods = 0x10;
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::InvalidArgument
        );
        let cfg = responder_config(&[], false, &[]);
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::HandshakeInvalidConfig
        );
    }
}

#[test]
fn calls_in_the_wrong_order_change_nothing() {
    let mut c = Crypto::new(5);
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    let mut t = zeroed::<iomt_trust_store>();
    let mut state = iomt_handshake_state::Failed;
    let mut buf = [0u8; 64];
    let mut n = 0usize;
    let mut peer = iomt_peer_info::default();
    unsafe {
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        let cfg = initiator_config(3, &[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
            iomt_result::Ok
        );
        let cfg = responder_config(&[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const cfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_2(&raw mut *i, c.ptr(), &raw const *t, buf.as_ptr(), 10),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_read_message_4(&raw mut *i, c.ptr(), buf.as_ptr(), 10),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_export(&raw mut *i, c.ptr(), 1, null(), 0, buf.as_mut_ptr(), 16),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_key_update(&raw mut *i, c.ptr(), null(), 0),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_peer(&raw mut *i, &raw mut peer),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_get_state(&raw const *i, &raw mut state),
            iomt_result::Ok
        );
        assert_eq!(state, iomt_handshake_state::Start, "unchanged");
        assert_eq!(
            iomt_handshake_write_message_4(
                &raw mut *r,
                c.ptr(),
                null(),
                0,
                buf.as_mut_ptr(),
                64,
                &raw mut n
            ),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_read_message_3(&raw mut *r, c.ptr(), &raw const *t, buf.as_ptr(), 10),
            iomt_result::WrongState
        );
        assert_eq!(
            iomt_handshake_get_state(&raw const *r, &raw mut state),
            iomt_result::Ok
        );
        assert_eq!(state, iomt_handshake_state::Start);
        // No failure, so no error message and no peer error.
        assert_eq!(
            iomt_handshake_error_message(&raw const *i, buf.as_mut_ptr(), 64, &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(n, 0);
        let mut code = 0i32;
        assert_eq!(
            iomt_handshake_peer_error(&raw const *r, &raw mut code),
            iomt_result::NotFound
        );
        let mut item = MaybeUninit::<iomt_ead_item>::uninit();
        assert_eq!(
            iomt_handshake_received_ead(&raw const *i, 0, item.as_mut_ptr()),
            iomt_result::NotFound
        );
        // A session needs a completed handshake.
        let mut s = zeroed::<iomt_session>();
        assert_eq!(
            iomt_session_init(&raw mut *s, &raw mut *i, c.ptr()),
            iomt_result::WrongState
        );
        // Garbage message_1 fails the responder, which then stays failed.
        let garbage = [0xA5u8; 20];
        assert_ne!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), garbage.as_ptr(), garbage.len()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), garbage.as_ptr(), garbage.len()),
            iomt_result::ObjectFailed
        );
        assert_eq!(
            iomt_handshake_error_message(&raw const *r, buf.as_mut_ptr(), 1, &raw mut n),
            iomt_result::BufferTooSmall
        );
        assert!(n > 1);
        assert_eq!(
            iomt_handshake_error_message(&raw const *r, buf.as_mut_ptr(), 64, &raw mut n),
            iomt_result::Ok
        );
        assert!(n > 1);
        // An oversized message is refused as too large (and fails the object).
        let big = vec![0u8; IOMT_MAX_MESSAGE_LEN + 1];
        let mut r2 = zeroed::<iomt_handshake>();
        let cfg = responder_config(&[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r2, &raw const cfg),
            iomt_result::Ok
        );
        assert_ne!(
            iomt_handshake_read_message_1(&raw mut *r2, c.ptr(), big.as_ptr(), big.len()),
            iomt_result::Ok
        );
        for r in [
            iomt_handshake_deinit(&raw mut *i),
            iomt_handshake_deinit(&raw mut *r),
            iomt_handshake_deinit(&raw mut *r2),
            iomt_trust_store_deinit(&raw mut *t),
        ] {
            assert_eq!(r, iomt_result::Ok);
        }
    }
}

// --------------------------------------------------------------------------------------
// With P-256 (native only).

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn every_method_and_suite_completes_and_sessions_work() {
    let mut c = Crypto::new(42);
    let (dev, gw) = (device(), gateway());
    for method in 0..4u8 {
        for suite in [2u8, 5] {
            let m4 = method % 2 == 1;
            let (mut i, mut r) = handshake(&mut c, method, suite, m4, &dev, &gw);
            unsafe {
                let mut peer = iomt_peer_info::default();
                assert_eq!(
                    iomt_handshake_peer(&raw mut *i, &raw mut peer),
                    iomt_result::Ok
                );
                assert_eq!(&peer.identity[..7], b"gateway");
                assert_eq!(
                    (peer.roles, peer.suite, peer.method),
                    (1 << 8, suite, method)
                );
                assert_eq!(
                    iomt_handshake_peer(&raw mut *r, &raw mut peer),
                    iomt_result::Ok
                );
                assert_eq!(&peer.identity[..4], b"pump");
                let (mut a, mut b) = ([0u8; 32], [1u8; 32]);
                assert_eq!(
                    iomt_handshake_export(
                        &raw mut *i,
                        c.ptr(),
                        0x8100,
                        b"x".as_ptr(),
                        1,
                        a.as_mut_ptr(),
                        32
                    ),
                    iomt_result::Ok
                );
                assert_eq!(
                    iomt_handshake_export(
                        &raw mut *r,
                        c.ptr(),
                        0x8100,
                        b"x".as_ptr(),
                        1,
                        b.as_mut_ptr(),
                        32
                    ),
                    iomt_result::Ok
                );
                assert_eq!(a, b);
                assert_eq!(
                    iomt_handshake_export(
                        &raw mut *i,
                        c.ptr(),
                        0x8100,
                        null(),
                        0,
                        a.as_mut_ptr(),
                        0
                    ),
                    iomt_result::HandshakeInvalidExporterRequest
                );

                let mut ds = zeroed::<iomt_session>();
                let mut gs = zeroed::<iomt_session>();
                assert_eq!(
                    iomt_session_init(&raw mut *ds, &raw mut *i, c.ptr()),
                    iomt_result::Ok
                );
                assert_eq!(
                    iomt_session_init(&raw mut *gs, &raw mut *r, c.ptr()),
                    iomt_result::Ok
                );
                let mut frame = [0u8; 128];
                let mut n = 0usize;
                assert_eq!(
                    iomt_session_seal(
                        &raw mut *ds,
                        c.ptr(),
                        IOMT_NO_CONSENT_SLOT,
                        b"hello".as_ptr(),
                        5,
                        frame.as_mut_ptr(),
                        4,
                        &raw mut n
                    ),
                    iomt_result::BufferTooSmall
                );
                assert!(n > 5);
                assert_eq!(
                    iomt_session_seal(
                        &raw mut *ds,
                        c.ptr(),
                        IOMT_NO_CONSENT_SLOT,
                        b"hello".as_ptr(),
                        5,
                        frame.as_mut_ptr(),
                        frame.len(),
                        &raw mut n
                    ),
                    iomt_result::Ok
                );
                let mut forged = frame;
                forged[n - 1] ^= 1;
                let mut opened = MaybeUninit::<iomt_opened>::uninit();
                assert_eq!(
                    iomt_session_open(
                        &raw mut *gs,
                        c.ptr(),
                        forged.as_mut_ptr(),
                        n,
                        opened.as_mut_ptr()
                    ),
                    iomt_result::FrameAuthenticationFailed
                );
                assert_eq!(
                    iomt_session_open(
                        &raw mut *gs,
                        c.ptr(),
                        frame.as_mut_ptr(),
                        n,
                        opened.as_mut_ptr()
                    ),
                    iomt_result::Ok
                );
                let o = opened.assume_init();
                assert_eq!(o.frame_type, iomt_frame_type::Data);
                assert_eq!(
                    core::slice::from_raw_parts(o.payload, o.payload_len),
                    b"hello"
                );
                // The responder may not install in an even slot.
                assert_eq!(
                    iomt_session_send_consent(
                        &raw mut *gs,
                        c.ptr(),
                        0,
                        null(),
                        0,
                        frame.as_mut_ptr(),
                        frame.len(),
                        &raw mut n
                    ),
                    iomt_result::SlotNotOwned
                );
                let mut info = iomt_session_info::default();
                assert_eq!(
                    iomt_session_get_info(&raw const *gs, &raw mut info),
                    iomt_result::Ok
                );
                assert_eq!(info.recv_failed, 1);
                assert_eq!(usize::from(info.tag_len), if suite == 2 { 8 } else { 16 });
                assert_eq!(
                    iomt_session_close(
                        &raw mut *ds,
                        c.ptr(),
                        77,
                        frame.as_mut_ptr(),
                        frame.len(),
                        &raw mut n
                    ),
                    iomt_result::InvalidArgument
                );
                for res in [
                    iomt_session_deinit(&raw mut *ds),
                    iomt_session_deinit(&raw mut *gs),
                    iomt_handshake_deinit(&raw mut *i),
                    iomt_handshake_deinit(&raw mut *r),
                ] {
                    assert_eq!(res, iomt_result::Ok);
                }
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn credentials_are_validated() {
    let (ccs_i, sk_r, sk_i) = (h(CRED_I), h(SK_R), h(SK_I));
    let mut cred = zeroed::<iomt_credential>();
    let mut pk = [0u8; IOMT_PUBLIC_KEY_LEN];
    unsafe {
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk_r.as_ptr(),
                32,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0
            ),
            iomt_result::HandshakeInvalidLocalCredential
        );
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                [0u8; 32].as_ptr(),
                32,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0
            ),
            iomt_result::CryptoInvalidPrivateKey
        );
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk_i.as_ptr(),
                31,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0
            ),
            iomt_result::CryptoInvalidLength
        );
        let long_kid = [1u8; IOMT_MAX_KID_LEN + 1];
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk_i.as_ptr(),
                32,
                ccs_i.as_ptr(),
                ccs_i.len(),
                long_kid.as_ptr(),
                long_kid.len()
            ),
            iomt_result::CapacityExceeded
        );
        assert_eq!(
            iomt_credential_init(
                &raw mut *cred,
                sk_i.as_ptr(),
                32,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_credential_public_key(&raw const *cred, pk.as_mut_ptr(), 64),
            iomt_result::BufferTooSmall
        );
        assert_eq!(
            iomt_credential_public_key(&raw const *cred, pk.as_mut_ptr(), pk.len()),
            iomt_result::Ok
        );
        assert_eq!(pk[0], 4);
        assert_eq!(pk[1..33], ccs_i[ccs_i.len() - 67..ccs_i.len() - 35]);
        assert_eq!(iomt_credential_deinit(&raw mut *cred), iomt_result::Ok);
        // Trust store: capacity and validation.
        let mut t = zeroed::<iomt_trust_store>();
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        for k in 0..u8::try_from(IOMT_TRUST_STORE_CAPACITY).unwrap() {
            assert_eq!(
                iomt_trust_store_add(
                    &raw mut *t,
                    ccs_i.as_ptr(),
                    ccs_i.len(),
                    &raw const k,
                    1,
                    null(),
                    0,
                    1
                ),
                iomt_result::Ok
            );
        }
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *t,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0,
                null(),
                0,
                1
            ),
            iomt_result::CapacityExceeded
        );
        assert_eq!(iomt_trust_store_deinit(&raw mut *t), iomt_result::Ok);
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *t,
                ccs_i.as_ptr(),
                ccs_i.len() - 1,
                null(),
                0,
                null(),
                0,
                1
            ),
            iomt_result::HandshakeInvalidCredential
        );
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *t,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0,
                null(),
                0,
                0x8000
            ),
            iomt_result::UnknownBits
        );
        assert_eq!(
            iomt_trust_store_add(
                &raw mut *t,
                ccs_i.as_ptr(),
                ccs_i.len(),
                null(),
                0,
                [0u8; 17].as_ptr(),
                17,
                1
            ),
            iomt_result::CapacityExceeded
        );
        assert_eq!(iomt_trust_store_deinit(&raw mut *t), iomt_result::Ok);
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn failures_stay_failed_and_produce_error_messages() {
    let mut c = Crypto::new(9);
    let (dev, gw) = (device(), gateway());
    let stranger = side(SK_I, CRED_I, 0x2b, CRED_I, 0x77, b"nobody", 1);
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    unsafe {
        let icfg = initiator_config(0, &[5], false, &[]);
        let rcfg = responder_config(&[5], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const icfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_2(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.cred,
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        // The device does not know this gateway.
        assert_eq!(
            iomt_handshake_read_message_2(
                &raw mut *i,
                c.ptr(),
                &raw const *stranger.trust,
                m.as_ptr(),
                n
            ),
            iomt_result::HandshakeUnknownCredential
        );
        assert_eq!(
            iomt_handshake_write_message_3(
                &raw mut *i,
                c.ptr(),
                &raw const *dev.cred,
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::ObjectFailed
        );
        let mut err = [0u8; 64];
        assert_eq!(
            iomt_handshake_error_message(&raw const *i, err.as_mut_ptr(), err.len(), &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(err[0], 0x03, "ERR_CODE 3: unknown credential");
        // The responder receives it as a peer error.
        assert_eq!(
            iomt_handshake_read_message_3(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.trust,
                err.as_ptr(),
                n
            ),
            iomt_result::HandshakePeerError
        );
        let mut code = 0i32;
        assert_eq!(
            iomt_handshake_peer_error(&raw const *r, &raw mut code),
            iomt_result::Ok
        );
        assert_eq!(code, 3);
        assert_eq!(
            iomt_handshake_error_message(&raw const *r, err.as_mut_ptr(), err.len(), &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(n, 0, "never answer an error with an error");

        // A tampered message_3 fails authentication.
        let (mut i, mut r) = (zeroed::<iomt_handshake>(), zeroed::<iomt_handshake>());
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const icfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_2(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.cred,
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_2(
                &raw mut *i,
                c.ptr(),
                &raw const *dev.trust,
                m.as_ptr(),
                n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_3(
                &raw mut *i,
                c.ptr(),
                &raw const *dev.cred,
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        m[n - 1] ^= 0x80;
        assert_eq!(
            iomt_handshake_read_message_3(
                &raw mut *r,
                c.ptr(),
                &raw const *gw.trust,
                m.as_ptr(),
                n
            ),
            iomt_result::HandshakeAuthenticationFailed
        );
        let mut state = iomt_handshake_state::Start;
        assert_eq!(
            iomt_handshake_get_state(&raw const *r, &raw mut state),
            iomt_result::Ok
        );
        assert_eq!(state, iomt_handshake_state::Failed);
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn suite_negotiation_retries_with_the_responders_suite() {
    let mut c = Crypto::new(13);
    let mut i = zeroed::<iomt_handshake>();
    let mut r = zeroed::<iomt_handshake>();
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    let mut err = [0u8; 32];
    let mut t = zeroed::<iomt_trust_store>();
    let mut state = iomt_handshake_state::Failed;
    unsafe {
        assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
        let icfg = initiator_config(3, &[5, 2], false, &[]);
        let rcfg = responder_config(&[2], false, &[]);
        assert_eq!(
            iomt_handshake_init_initiator(&raw mut *i, &raw const icfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::HandshakeWrongSelectedSuite
        );
        assert_eq!(
            iomt_handshake_error_message(&raw const *r, err.as_mut_ptr(), err.len(), &raw mut n),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_2(&raw mut *i, c.ptr(), &raw const *t, err.as_ptr(), n),
            iomt_result::HandshakeRetrySuite
        );
        assert_eq!(
            iomt_handshake_get_state(&raw const *i, &raw mut state),
            iomt_result::Ok
        );
        assert_eq!(state, iomt_handshake_state::Start);
        let mut r = zeroed::<iomt_handshake>();
        assert_eq!(
            iomt_handshake_init_responder(&raw mut *r, &raw const rcfg),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_write_message_1(
                &raw mut *i,
                c.ptr(),
                null(),
                0,
                m.as_mut_ptr(),
                m.len(),
                &raw mut n
            ),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::Ok
        );
    }
}

// --------------------------------------------------------------------------------------
// Untrusted bytes never panic across the boundary (native; a caught panic would be
// IOMT_RESULT_PANIC).

mod untrusted {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        #[cfg_attr(miri, ignore = "proptest under Miri is too slow")]
        fn decoders_return_codes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut tag = MaybeUninit::<iomt_consent_tag>::uninit();
            let mut out = [iomt_reading::default(); 4];
            let mut n = 0usize;
            unsafe {
                let r = iomt_consent_tag_decode(bytes.as_ptr(), bytes.len(), tag.as_mut_ptr());
                prop_assert_ne!(r, iomt_result::Panic);
                let r = iomt_vitals_decode(bytes.as_ptr(), bytes.len(), out.as_mut_ptr(), 4, &raw mut n);
                prop_assert_ne!(r, iomt_result::Panic);
            }
        }

        #[test]
        #[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
        fn handshake_readers_return_codes(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
            let mut c = Crypto::new(21);
            let mut r = zeroed::<iomt_handshake>();
            let mut t = zeroed::<iomt_trust_store>();
            let mut i = zeroed::<iomt_handshake>();
            let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
            unsafe {
                prop_assert_eq!(iomt_trust_store_init(&raw mut *t), iomt_result::Ok);
                let cfg = responder_config(&[2, 5], false, &[]);
                prop_assert_eq!(iomt_handshake_init_responder(&raw mut *r, &raw const cfg), iomt_result::Ok);
                let res = iomt_handshake_read_message_1(&raw mut *r, c.ptr(), bytes.as_ptr(), bytes.len());
                prop_assert_ne!(res, iomt_result::Panic);
                let cfg = initiator_config(3, &[2], false, &[]);
                prop_assert_eq!(iomt_handshake_init_initiator(&raw mut *i, &raw const cfg), iomt_result::Ok);
                prop_assert_eq!(
                    iomt_handshake_write_message_1(&raw mut *i, c.ptr(), null(), 0, m.as_mut_ptr(), m.len(), &raw mut n),
                    iomt_result::Ok
                );
                let res = iomt_handshake_read_message_2(&raw mut *i, c.ptr(), &raw const *t, bytes.as_ptr(), bytes.len());
                prop_assert_ne!(res, iomt_result::Panic);
                prop_assert_ne!(res, iomt_result::Ok);
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
    fn sessions_survive_random_frames() {
        let mut c = Crypto::new(77);
        let (dev, gw) = (device(), gateway());
        let (mut i, mut r) = handshake(&mut c, 3, 2, false, &dev, &gw);
        let mut ds = zeroed::<iomt_session>();
        let mut gs = zeroed::<iomt_session>();
        unsafe {
            assert_eq!(
                iomt_session_init(&raw mut *ds, &raw mut *i, c.ptr()),
                iomt_result::Ok
            );
            assert_eq!(
                iomt_session_init(&raw mut *gs, &raw mut *r, c.ptr()),
                iomt_result::Ok
            );
        }
        let (gsp, cp) = (&raw mut *gs, c.ptr());
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        });
        runner
            .run(
                &proptest::collection::vec(any::<u8>(), 0..64),
                |mut bytes| {
                    let mut opened = MaybeUninit::<iomt_opened>::uninit();
                    let res = unsafe {
                        iomt_session_open(
                            gsp,
                            cp,
                            bytes.as_mut_ptr(),
                            bytes.len(),
                            opened.as_mut_ptr(),
                        )
                    };
                    prop_assert_ne!(res, iomt_result::Panic);
                    prop_assert_ne!(res, iomt_result::Ok);
                    Ok(())
                },
            )
            .unwrap();
        // The session still works afterwards.
        let mut frame = [0u8; 64];
        let mut n = 0usize;
        let mut opened = MaybeUninit::<iomt_opened>::uninit();
        unsafe {
            assert_eq!(
                iomt_session_seal(
                    &raw mut *ds,
                    c.ptr(),
                    IOMT_NO_CONSENT_SLOT,
                    b"ok".as_ptr(),
                    2,
                    frame.as_mut_ptr(),
                    64,
                    &raw mut n
                ),
                iomt_result::Ok
            );
            assert_eq!(
                iomt_session_open(
                    &raw mut *gs,
                    c.ptr(),
                    frame.as_mut_ptr(),
                    n,
                    opened.as_mut_ptr()
                ),
                iomt_result::Ok
            );
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn short_buffers_write_nothing_and_report_the_whole_size() {
    let mut c = Crypto::new(31);
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    // message_1: find its size, then every shorter buffer.
    let full = {
        let mut i = zeroed::<iomt_handshake>();
        let cfg = initiator_config(0, &[2], false, &[]);
        unsafe {
            assert_eq!(
                iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
                iomt_result::Ok
            );
            assert_eq!(
                iomt_handshake_write_message_1(
                    &raw mut *i,
                    c.ptr(),
                    null(),
                    0,
                    m.as_mut_ptr(),
                    m.len(),
                    &raw mut n
                ),
                iomt_result::Ok
            );
        }
        n
    };
    for cap in 0..full {
        let mut i = zeroed::<iomt_handshake>();
        let cfg = initiator_config(0, &[2], false, &[]);
        let mut out = vec![0xA5u8; cap];
        let mut len = usize::MAX;
        unsafe {
            assert_eq!(
                iomt_handshake_init_initiator(&raw mut *i, &raw const cfg),
                iomt_result::Ok
            );
            assert_eq!(
                iomt_handshake_write_message_1(
                    &raw mut *i,
                    c.ptr(),
                    null(),
                    0,
                    out.as_mut_ptr(),
                    cap,
                    &raw mut len
                ),
                iomt_result::BufferTooSmall,
                "cap {cap}"
            );
        }
        assert_eq!(len, full, "cap {cap}: the whole message");
        assert!(out.iter().all(|b| *b == 0xA5), "cap {cap}: nothing written");
    }
    // Frames: a short buffer spends no sequence number.
    let (dev, gw) = (device(), gateway());
    let (mut i, mut r) = handshake(&mut c, 3, 5, false, &dev, &gw);
    let mut ds = zeroed::<iomt_session>();
    let mut gs = zeroed::<iomt_session>();
    unsafe {
        assert_eq!(
            iomt_session_init(&raw mut *ds, &raw mut *i, c.ptr()),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_session_init(&raw mut *gs, &raw mut *r, c.ptr()),
            iomt_result::Ok
        );
        let payload = [9u8; 20];
        let frame_len = 20 + 4 + 16;
        for cap in 0..frame_len {
            let mut out = vec![0xA5u8; cap];
            let mut len = 0usize;
            assert_eq!(
                iomt_session_seal(
                    &raw mut *ds,
                    c.ptr(),
                    IOMT_NO_CONSENT_SLOT,
                    payload.as_ptr(),
                    20,
                    out.as_mut_ptr(),
                    cap,
                    &raw mut len
                ),
                iomt_result::BufferTooSmall
            );
            assert_eq!(len, frame_len, "cap {cap}");
            assert!(out.iter().all(|b| *b == 0xA5), "cap {cap}: nothing written");
        }
        let mut frame = vec![0u8; frame_len];
        assert_eq!(
            iomt_session_seal(
                &raw mut *ds,
                c.ptr(),
                IOMT_NO_CONSENT_SLOT,
                payload.as_ptr(),
                20,
                frame.as_mut_ptr(),
                frame_len,
                &raw mut n
            ),
            iomt_result::Ok
        );
        let mut opened = MaybeUninit::<iomt_opened>::uninit();
        assert_eq!(
            iomt_session_open(
                &raw mut *gs,
                c.ptr(),
                frame.as_mut_ptr(),
                n,
                opened.as_mut_ptr()
            ),
            iomt_result::Ok
        );
        assert_eq!(opened.assume_init().seq, 0, "no sequence number was spent");
    }
}

mod aaa;
mod audit_checkpoint;
mod audit_parity;
mod codes;
mod consent;
mod consent_bound;
mod doc_claims;
mod lockout;
mod nonce_reuse;
mod panic_boundary;
mod permits;
mod provision;
mod refusal;
mod registry;
mod retransmit;
mod revocation;
mod role_claim;
mod same_calls;
mod update;
