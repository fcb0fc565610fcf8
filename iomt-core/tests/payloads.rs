//! Reading / VitalBatch / WaveformChunk: construction checks, postcard round trips, proven
//! maximum encoded sizes, and decoders that never panic.
#![cfg(test)]

use iomt_core::*;
use proptest::prelude::*;

const TS: TimestampMs = TimestampMs::from_millis(1_800_000_000_000);

fn worst_reading() -> Reading {
    // Largest varints: timestamp u64::MAX, sequence u32::MAX; 4-byte FLOAT.
    Reading::new(
        VitalKind::BodyWeight,
        Float::from_decimal(6_500_000, -4).unwrap(),
        Unit::Kilogram,
        TimestampMs::from_millis(u64::MAX),
        u32::MAX,
    )
    .unwrap()
    .with_status(ReadingStatus::ALL)
}

#[test]
fn plausibility_and_units_at_construction() {
    let ok = |k, m, e, u| Reading::new(k, SFloat::from_decimal(m, e).unwrap(), u, TS, 0);
    // Every range edge is accepted, one step outside is rejected, in every accepted unit.
    for kind in VitalKind::ALL {
        for r in kind.units() {
            let lo = Float::from_f64(r.min.to_f64(), 1).unwrap();
            let hi = Float::from_f64(r.max.to_f64(), 1).unwrap();
            assert!(
                Reading::new(*kind, lo, r.unit, TS, 0).is_ok(),
                "{kind:?} {:?} min",
                r.unit
            );
            assert!(
                Reading::new(*kind, hi, r.unit, TS, 0).is_ok(),
                "{kind:?} {:?} max",
                r.unit
            );
            let below = Float::from_f64(r.min.to_f64() - 0.1, 1).unwrap();
            let above = Float::from_f64(r.max.to_f64() + 0.1, 1).unwrap();
            assert_eq!(
                Reading::new(*kind, below, r.unit, TS, 0),
                Err(CoreError::Implausible { kind: *kind })
            );
            assert_eq!(
                Reading::new(*kind, above, r.unit, TS, 0),
                Err(CoreError::Implausible { kind: *kind })
            );
        }
        for unit in Unit::ALL.iter().filter(|u| !kind.accepts(**u)) {
            assert_eq!(
                Reading::new(*kind, SFloat::from_decimal(1, 0).unwrap(), *unit, TS, 0),
                Err(CoreError::WrongUnit {
                    kind: *kind,
                    unit: *unit
                })
            );
        }
    }
    assert_eq!(
        ok(VitalKind::SpO2, 1005, -1, Unit::Percent),
        Err(CoreError::Implausible {
            kind: VitalKind::SpO2
        })
    );
    assert!(ok(VitalKind::HeartRate, 72, 0, Unit::BeatsPerMinute).is_ok());
    // Exact decimal edges, whatever the exponent: 100 % as 1000e-1 and 10e1 are in range,
    // 100.1 % is not; 2.7 kPa as 27e-1 and 2700e-3 are in range, 2.699 is not.
    assert!(
        Reading::new(
            VitalKind::SpO2,
            SFloat::from_parts(1000, -1).unwrap(),
            Unit::Percent,
            TS,
            0
        )
        .is_ok()
    );
    assert!(
        Reading::new(
            VitalKind::SpO2,
            SFloat::from_parts(10, 1).unwrap(),
            Unit::Percent,
            TS,
            0
        )
        .is_ok()
    );
    assert!(
        Reading::new(
            VitalKind::SpO2,
            SFloat::from_parts(1001, -1).unwrap(),
            Unit::Percent,
            TS,
            0
        )
        .is_err()
    );
    let kpa = |m, e| {
        Reading::new(
            VitalKind::NibpSystolic,
            Float::from_parts(m, e).unwrap(),
            Unit::KiloPascal,
            TS,
            0,
        )
    };
    assert!(kpa(2700, -3).is_ok());
    assert_eq!(
        kpa(2699, -3),
        Err(CoreError::Implausible {
            kind: VitalKind::NibpSystolic
        })
    );
    assert!(ok(VitalKind::HeartRate, 19, 0, Unit::BeatsPerMinute).is_err());
    assert!(ok(VitalKind::BodyTemperature, 366, -1, Unit::DegreeCelsius).is_ok());
    assert!(ok(VitalKind::BodyTemperature, 366, -1, Unit::DegreeFahrenheit).is_err());
    for special in [
        SFloat::NAN,
        SFloat::NRES,
        SFloat::POSITIVE_INFINITY,
        SFloat::NEGATIVE_INFINITY,
        SFloat::RESERVED,
    ] {
        assert_eq!(
            Reading::new(VitalKind::SpO2, special, Unit::Percent, TS, 0),
            Err(CoreError::NotFinite)
        );
    }
}

#[test]
fn reading_refuses_special_mantissas_with_a_nonzero_exponent() {
    // 0x017FFFFF: the NaN mantissa with exponent 1. Finite to our decoder, NaN to a peer that
    // reads specials by mantissa: ambiguous, so no reading (found by fuzzing ffi_data: such
    // a value decoded but could not be encoded again).
    for bits in [0x017F_FFFFu32, 0xFF80_0000, 0x0280_0002, 0xFD7F_FFFE] {
        let v = Float::from_bits(bits);
        assert!(v.is_finite());
        assert_eq!(
            Reading::new(VitalKind::BodyWeight, v, Unit::Kilogram, TS, 0),
            Err(CoreError::NotRepresentable),
            "{bits:#010x}"
        );
    }
    // The largest mantissa the encoder emits is accepted where plausible.
    let ok = Float::from_parts(Float::MANTISSA_MAX, -6).unwrap();
    assert!(Reading::new(VitalKind::BodyWeight, ok, Unit::Kilogram, TS, 0).is_ok());
}

#[test]
fn max_encoded_lengths_are_exact() {
    assert_eq!(Reading::MAX_ENCODED_LEN, 22);
    let mut buf = [0u8; 64];
    assert_eq!(
        worst_reading().encode(&mut buf),
        Ok(Reading::MAX_ENCODED_LEN)
    );
    let typical = Reading::new(
        VitalKind::HeartRate,
        SFloat::from_decimal(72, 0).unwrap(),
        Unit::BeatsPerMinute,
        TS,
        7,
    )
    .unwrap();
    let n = typical.encode(&mut buf).unwrap();
    println!(
        "typical reading: {n} bytes; max {}",
        Reading::MAX_ENCODED_LEN
    );
    assert_eq!(n, 14);

    let mut batch = VitalBatch::<8>::new();
    while batch.push(worst_reading()).is_ok() {}
    assert_eq!(batch.len(), 8);
    assert_eq!(
        batch.push(worst_reading()),
        Err(CoreError::CapacityExceeded)
    );
    let mut big = [0u8; 512];
    assert_eq!(VitalBatch::<8>::MAX_ENCODED_LEN, 1 + 8 * 22);
    assert_eq!(batch.encode(&mut big), Ok(VitalBatch::<8>::MAX_ENCODED_LEN));
    assert_eq!(VitalBatch::<200>::MAX_ENCODED_LEN, 2 + 200 * 22);
    println!(
        "VitalBatch<8> max {} bytes, VitalBatch<32> max {}",
        VitalBatch::<8>::MAX_ENCODED_LEN,
        VitalBatch::<32>::MAX_ENCODED_LEN
    );

    let mut chunk = WaveformChunk::<64>::new(
        EcgLead::II,
        u16::MAX,
        Unit::MicroVolt,
        SFloat::from_decimal(5, 0).unwrap(),
        TimestampMs::from_millis(u64::MAX),
    )
    .unwrap();
    while chunk.push(i16::MIN).is_ok() {}
    assert_eq!(
        WaveformChunk::<64>::MAX_ENCODED_LEN,
        1 + 3 + 1 + 2 + 10 + 1 + 64 * 3
    );
    assert_eq!(
        chunk.encode(&mut big),
        Ok(WaveformChunk::<64>::MAX_ENCODED_LEN)
    );
    println!(
        "WaveformChunk<64> max {} bytes",
        WaveformChunk::<64>::MAX_ENCODED_LEN
    );
    assert_eq!(
        chunk.encode(&mut buf),
        Err(CoreError::BufferTooSmall {
            needed: WaveformChunk::<64>::MAX_ENCODED_LEN
        })
    );
}

#[test]
fn waveform_checks() {
    let f = SFloat::from_decimal(1, 0).unwrap();
    assert_eq!(
        WaveformChunk::<4>::new(EcgLead::I, 0, Unit::MilliVolt, f, TS),
        Err(CoreError::InvalidSampleRate)
    );
    assert_eq!(
        WaveformChunk::<4>::new(EcgLead::I, 250, Unit::Percent, f, TS),
        Err(CoreError::WaveformUnit {
            unit: Unit::Percent
        })
    );
    assert_eq!(
        WaveformChunk::<4>::new(EcgLead::I, 250, Unit::MilliVolt, SFloat::NAN, TS),
        Err(CoreError::NotFinite)
    );
    assert_eq!(
        WaveformChunk::<4>::new(
            EcgLead::I,
            250,
            Unit::MilliVolt,
            SFloat::from_decimal(-1, 0).unwrap(),
            TS
        ),
        Err(CoreError::NotRepresentable)
    );
    let mut c = WaveformChunk::<4>::new(EcgLead::I, 500, Unit::MilliVolt, f, TS).unwrap();
    assert_eq!(
        c.extend_from_slice(&[1, 2, 3, 4, 5]),
        Err(CoreError::CapacityExceeded)
    );
    assert!(c.samples().is_empty());
    c.extend_from_slice(&[1, 2, 3]).unwrap();
    assert_eq!(
        c.sample_time(2),
        Some(TimestampMs::from_millis(TS.as_millis() + 4))
    );
    assert_eq!(c.sample_time(3), None);
}

#[test]
fn decoding_revalidates() {
    // A hand-built reading with SpO2 = 101 % (kind 2, FLOAT 101, unit 0) must not decode.
    let bad = postcard::to_stdvec(&(2u8, [101u8, 0, 0, 0], 0u8, 5u64, 0u8, 1u32)).unwrap();
    assert_eq!(Reading::decode(&bad), Err(CoreError::Malformed));
    let good = postcard::to_stdvec(&(2u8, [99u8, 0, 0, 0], 0u8, 5u64, 0u8, 1u32)).unwrap();
    assert_eq!(Reading::decode(&good).map(|r| r.value().to_f64()), Ok(99.0));
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(Reading::decode(&trailing), Err(CoreError::TrailingBytes));
    // Wrong unit, unknown status bit, unknown kind.
    for b in [
        postcard::to_stdvec(&(2u8, [99u8, 0, 0, 0], 1u8, 5u64, 0u8, 1u32)).unwrap(),
        postcard::to_stdvec(&(2u8, [99u8, 0, 0, 0], 0u8, 5u64, 0x40u8, 1u32)).unwrap(),
        postcard::to_stdvec(&(10u8, [99u8, 0, 0, 0], 0u8, 5u64, 0u8, 1u32)).unwrap(),
    ] {
        assert_eq!(Reading::decode(&b), Err(CoreError::Malformed));
    }
    // A batch claiming more than N readings.
    let mut over = vec![3u8];
    for _ in 0..3 {
        over.extend_from_slice(&good);
    }
    assert!(VitalBatch::<3>::decode(&over).is_ok());
    assert_eq!(VitalBatch::<2>::decode(&over), Err(CoreError::Malformed));
    // A waveform with sample rate 0.
    let wf = postcard::to_stdvec(&(1u8, 0u16, 10u8, [1u8, 0], 5u64, 0u8)).unwrap();
    assert_eq!(WaveformChunk::<4>::decode(&wf), Err(CoreError::Malformed));
}

fn arb_reading() -> impl Strategy<Value = Reading> {
    (
        proptest::sample::select(VitalKind::ALL),
        any::<prop::sample::Index>(),
        0.0f64..=1.0,
        0u8..=2,
        any::<u64>(),
        any::<u32>(),
        0u8..64,
    )
        .prop_map(|(kind, ui, frac, digits, ts, seq, status)| {
            let r = kind.units()[ui.index(kind.units().len())];
            let v = Float::from_f64(
                r.min.to_f64() + (r.max.to_f64() - r.min.to_f64()) * frac,
                digits,
            )
            .unwrap();
            // Rounding may step just outside; clamp to the edges.
            let v = if v.to_f64() < r.min.to_f64() {
                Float::from_f64(r.min.to_f64(), 1).unwrap()
            } else if v.to_f64() > r.max.to_f64() {
                Float::from_f64(r.max.to_f64(), 1).unwrap()
            } else {
                v
            };
            Reading::new(kind, v, r.unit, TimestampMs::from_millis(ts), seq)
                .unwrap()
                .with_status(ReadingStatus::from_bits(status).unwrap())
        })
}

proptest! {
    #[test]
    fn reading_round_trip(r in arb_reading()) {
        let mut buf = [0u8; Reading::MAX_ENCODED_LEN];
        let n = r.encode(&mut buf).unwrap();
        prop_assert_eq!(Reading::decode(&buf[..n]), Ok(r));
    }

    #[test]
    fn batch_round_trip(rs in proptest::collection::vec(arb_reading(), 0..=16)) {
        let mut b = VitalBatch::<16>::new();
        for r in &rs {
            b.push(*r).unwrap();
        }
        prop_assert_eq!(b.readings(), rs.as_slice());
        let mut buf = [0u8; VitalBatch::<16>::MAX_ENCODED_LEN];
        let n = b.encode(&mut buf).unwrap();
        prop_assert_eq!(VitalBatch::<16>::decode(&buf[..n]), Ok(b));
    }

    #[test]
    fn waveform_round_trip(
        lead in proptest::sample::select(EcgLead::ALL), rate in 1u16.., micro in any::<bool>(),
        fm in 1i32..=2045, fe in -8i8..=7, ts in any::<u64>(), samples in proptest::collection::vec(any::<i16>(), 0..=32)
    ) {
        let unit = if micro { Unit::MicroVolt } else { Unit::MilliVolt };
        let mut c = WaveformChunk::<32>::new(lead, rate, unit, SFloat::from_parts(fm, fe).unwrap(), TimestampMs::from_millis(ts)).unwrap();
        c.extend_from_slice(&samples).unwrap();
        let mut buf = [0u8; WaveformChunk::<32>::MAX_ENCODED_LEN];
        let n = c.encode(&mut buf).unwrap();
        prop_assert_eq!(WaveformChunk::<32>::decode(&buf[..n]), Ok(c));
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(r) = Reading::decode(&bytes) {
            prop_assert!(r.kind().check(r.value(), r.unit()).is_ok());
        }
        if let Ok(b) = VitalBatch::<4>::decode(&bytes) {
            prop_assert!(b.len() <= 4);
        }
        if let Ok(c) = WaveformChunk::<16>::decode(&bytes) {
            prop_assert!(c.sample_rate_hz() > 0 && c.samples().len() <= 16);
        }
        let _ = ConsentTag::decode(&bytes);
        let _ = postcard::from_bytes::<SFloat>(&bytes);
        let _ = postcard::from_bytes::<Float>(&bytes);
        let _ = postcard::from_bytes::<PurposeSet>(&bytes);
    }

    #[test]
    fn mutated_batches_never_panic(rs in proptest::collection::vec(arb_reading(), 1..=4), idx in any::<prop::sample::Index>(), x in 1u8..) {
        let mut b = VitalBatch::<4>::new();
        for r in &rs {
            b.push(*r).unwrap();
        }
        let mut buf = [0u8; VitalBatch::<4>::MAX_ENCODED_LEN];
        let n = b.encode(&mut buf).unwrap();
        let i = idx.index(n);
        buf[i] ^= x;
        if let Ok(d) = VitalBatch::<4>::decode(&buf[..n]) {
            for r in d.readings() {
                prop_assert!(r.kind().check(r.value(), r.unit()).is_ok());
            }
        }
    }
}
