//! Consent-tag and vitals encoding through the C API (Miri-friendly): round trips,
//! short buffers, evaluation and validation.

use super::*;

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
