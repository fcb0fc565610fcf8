//! Writes the seed corpora that come from encoders (run by hand:
//! `cargo +nightly test --release --lib -- --ignored write_`).

#[cfg(test)]
mod tests {
    use iomt_core::{
        Action, ActionSet, ConsentRef, ConsentTag, DataClass, DataClassSet, EcgLead, Purpose,
        PurposeSet, Reading, Role, RoleSet, SFloat, Timestamp, TimestampMs, Unit, VitalBatch,
        VitalKind, WaveformChunk,
    };

    fn write(target: &str, name: &str, data: &[u8]) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), data).unwrap();
    }

    #[test]
    #[ignore = "writes fuzz/corpus/*; run by hand"]
    fn write_core_seeds() {
        let mut buf = [0u8; 4096];
        let base = ConsentTag::permit(
            ConsentRef([7; 32]),
            3,
            Timestamp::from_secs(1_700_000_000),
            Timestamp::from_secs(1_900_000_000),
        );
        let tags = [
            ("permit_minimal", base.clone()),
            (
                "permit_scoped_break_glass",
                base.clone()
                    .with_purposes(
                        PurposeSet::only(Purpose::Treatment).with(Purpose::EmergencyTreatment),
                    )
                    .with_roles(RoleSet::only(Role::Nurse).with(Role::Clinician))
                    .with_actions(ActionSet::only(Action::Access).with(Action::Use))
                    .with_classes(DataClassSet::only(DataClass::Vitals))
                    .with_break_glass(true),
            ),
            (
                "deny",
                ConsentTag::deny(
                    ConsentRef([9; 32]),
                    1,
                    Timestamp::from_secs(0),
                    Timestamp::from_secs(u64::from(u32::MAX)),
                )
                .with_break_glass(true),
            ),
        ];
        for (name, tag) in tags {
            let n = tag.encode(&mut buf).unwrap();
            assert_eq!(ConsentTag::decode(&buf[..n]).unwrap(), tag);
            write("consent_tag", name, &buf[..n]);
            // With a request prefix (the target reads 16 request bytes first).
            let mut with_req = vec![2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
            with_req.extend_from_slice(&buf[..n]);
            write("consent_tag", &format!("{name}_with_request"), &with_req);
        }

        let ts = TimestampMs::from_millis(1_800_000_000_000);
        let hr = Reading::new(
            VitalKind::HeartRate,
            SFloat::from_decimal(72, 0).unwrap(),
            Unit::BeatsPerMinute,
            ts,
            1,
        )
        .unwrap();
        let temp = Reading::new(
            VitalKind::BodyTemperature,
            SFloat::from_decimal(366, -1).unwrap(),
            Unit::DegreeCelsius,
            ts,
            2,
        )
        .unwrap();
        let n = hr.encode(&mut buf).unwrap();
        write("core_payloads", "reading_hr", &buf[..n]);
        let mut batch = VitalBatch::<8>::new();
        batch.push(hr).unwrap();
        batch.push(temp).unwrap();
        let n = batch.encode(&mut buf).unwrap();
        write("core_payloads", "batch_2", &buf[..n]);
        let mut w = WaveformChunk::<32>::new(
            EcgLead::II,
            250,
            Unit::MilliVolt,
            SFloat::from_decimal(5, -3).unwrap(),
            ts,
        )
        .unwrap();
        w.extend_from_slice(&[0, 12, -40, 300, 1200, -1200, 7, 0])
            .unwrap();
        let n = w.encode(&mut buf).unwrap();
        write("core_payloads", "waveform_ii", &buf[..n]);
    }

    #[test]
    #[ignore = "writes fuzz/corpus/*; run by hand"]
    fn write_auth_seeds() {
        use crate::provider::{FuzzCrypto, FuzzKey};
        use iomt_auth::factor::FactorTag;
        use iomt_auth::update::Manifest;
        let m = Manifest {
            vendor_id: 0x1234,
            device_class: 7,
            version: 5,
            min_version: 3,
            image_size: 65536,
            digest: [0xAB; 32],
        };
        let mut buf = [0u8; 512];
        let n = m.encode(&mut buf).unwrap();
        write("auth_parsers", "manifest", &buf[..n]);
        let mut crypto = FuzzCrypto::default();
        let key = FuzzKey(crate::fixture::get().g_r);
        let n = m.sign(&mut crypto, &key, &mut buf).unwrap();
        write("auth_parsers", "envelope_fuzzcrypto", &buf[..n]);
        let n = FactorTag([7; 16]).encode_ead_item(&mut buf).unwrap();
        write("auth_parsers", "factor_ead_item", &buf[..n]);
    }

    #[test]
    #[ignore = "writes fuzz/corpus/*; run by hand"]
    fn write_revocation_seeds() {
        use crate::provider::{FuzzCrypto, FuzzKey};
        use iomt_auth::cred::revocation::{MAX_LIST_LEN, RevocationList};
        use iomt_core::Timestamp;
        let mut crypto = FuzzCrypto::default();
        let key = FuzzKey(crate::fixture::get().g_r);
        let mut buf = [0u8; MAX_LIST_LEN];
        for (name, number, n_entries) in [("empty", 3u32, 0u8), ("two", 4, 2), ("full", 9, 32)] {
            let mut l = RevocationList::new(number, Timestamp::from_secs(1_800_000_000));
            for i in 0..n_entries {
                l.revoke(&[i.wrapping_mul(37); 32]).unwrap();
            }
            let n = l.encode(&mut buf).unwrap();
            write("revocation_list", &format!("payload_{name}"), &buf[..n]);
            let n = l.sign(&mut crypto, &key, &mut buf).unwrap();
            write("revocation_list", &format!("signed_{name}"), &buf[..n]);
        }
    }
}
