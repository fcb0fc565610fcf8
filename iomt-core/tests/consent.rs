//! ConsentTag: round trips, measured sizes, and the strict decoder's rejections.
#![cfg(test)]

use iomt_core::*;
use proptest::prelude::*;

fn typical() -> ConsentTag {
    ConsentTag::permit(
        ConsentRef([0xA5; 32]),
        3,
        Timestamp::from_secs(1_800_000_000),
        Timestamp::from_secs(1_831_536_000),
    )
    .with_purposes(PurposeSet::only(Purpose::Treatment).with(Purpose::EmergencyTreatment))
    .with_roles(
        RoleSet::only(Role::Clinician)
            .with(Role::Nurse)
            .with(Role::Emergency),
    )
    .with_actions(ActionSet::only(Action::Access).with(Action::Use))
    .with_classes(DataClassSet::only(DataClass::Vitals).with(DataClass::Waveforms))
    .with_break_glass(true)
}

fn encode(tag: &ConsentTag) -> Vec<u8> {
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let n = tag.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// The tag's wire fields as raw integers, in wire order.
type RawFields = (u8, [u8; 32], u32, u8, u64, u64, u32, u16, u8, u8, u8, bool);

/// Raw wire fields, serialized with postcard in the tag's field order (to craft bad encodings).
fn raw(fields: RawFields, signature: Option<(&[u8], [u8; 32], [u8; 32])>) -> Vec<u8> {
    let mut out = postcard::to_stdvec(&fields).unwrap();
    match signature {
        None => out.push(0),
        Some((kid, a, b)) => {
            out.push(1);
            out.push(u8::try_from(kid.len()).unwrap());
            out.extend_from_slice(kid);
            out.extend_from_slice(&a);
            out.extend_from_slice(&b);
        }
    }
    out
}

const GOOD: RawFields = (1, [7; 32], 1, 1, 100, 200, 0b1, 0b10, 0b10, 0b1, 3, false);

#[test]
fn typical_unsigned_tag_size() {
    let bytes = encode(&typical());
    println!("typical unsigned consent tag: {} bytes", bytes.len());
    assert_eq!(
        bytes.len(),
        52,
        "1 version + 32 digest + 1 revision + 1 effect + 2x5 times + 7 scope/flags + 1 no-sig"
    );
    assert_eq!(typical().encoded_len(), Ok(52));
    let mut signed = typical();
    signed.signature = Some(IssuerSignature {
        key_id: KeyId::new(&[1, 2, 3, 4]).unwrap(),
        signature: Signature([9; 64]),
    });
    let n = encode(&signed).len();
    println!("typical signed consent tag (4-byte kid): {n} bytes");
    assert_eq!(n, 52 + 1 + 4 + 64);
}

#[test]
fn max_len_is_tight() {
    assert_eq!(MAX_CONSENT_TAG_LEN, 170);
    let mut worst = ConsentTag::permit(
        ConsentRef([0xFF; 32]),
        u32::MAX,
        Timestamp::MAX,
        Timestamp::MAX,
    )
    .with_purposes(PurposeSet::ALL)
    .with_roles(RoleSet::ALL)
    .with_actions(ActionSet::ALL)
    .with_classes(DataClassSet::ALL)
    .with_confidentiality(Confidentiality::VeryRestricted)
    .with_break_glass(true);
    worst.signature = Some(IssuerSignature {
        key_id: KeyId::new(&[0xEE; 8]).unwrap(),
        signature: Signature([0xDD; 64]),
    });
    let worst = worst.bound_to(PatientId::new(&[0xCC; 16]).unwrap(), DeviceRef([0xBB; 8]));
    let bytes = encode(&worst);
    // All-ones bitsets are narrower than their integer type, so the bound has slack there only.
    let slack = (5 - 3) + (3 - 2); // purposes: 21 bits -> 3-byte varint; roles: 9 bits -> 2
    assert_eq!(bytes.len() + slack, MAX_CONSENT_TAG_LEN);
    assert_eq!(ConsentTag::decode(&bytes), Ok(worst));
}

#[test]
fn encode_reports_needed_size() {
    let tag = typical();
    let mut small = [0u8; 10];
    assert_eq!(
        tag.encode(&mut small),
        Err(CoreError::BufferTooSmall { needed: 52 })
    );
    let mut bad = typical();
    bad.valid_from = Timestamp::from_secs(5);
    bad.valid_until = Timestamp::from_secs(4);
    assert_eq!(bad.encode(&mut [0u8; 200]), Err(CoreError::InvalidValidity));
    bad = typical();
    bad.version = 3;
    assert_eq!(
        bad.encode(&mut [0u8; 200]),
        Err(CoreError::UnsupportedVersion { version: 3 })
    );
    // version 2 without a binding is not a tag
    bad.version = 2;
    assert_eq!(bad.encode(&mut [0u8; 200]), Err(CoreError::Malformed));
}

#[test]
fn wire_layout_is_the_documented_one() {
    assert_eq!(
        ConsentTag::decode(&raw(GOOD, None)).map(|t| t.revision),
        Ok(1)
    );
    let bytes = encode(&typical());
    assert_eq!(bytes[0], 1);
    assert_eq!(&bytes[1..33], &[0xA5; 32]);
    assert_eq!(bytes[33], 3); // revision
    assert_eq!(bytes[34], 1); // permit
    assert_eq!(*bytes.last().unwrap(), 0); // no signature
    // serde path (embedding in another postcard message) gives the same bytes.
    assert_eq!(postcard::to_stdvec(&typical()).unwrap(), bytes);
    assert_eq!(
        postcard::from_bytes::<ConsentTag>(&bytes).unwrap(),
        typical()
    );
}

#[test]
fn strict_decoder_rejects() {
    let good = raw(GOOD, None);
    assert!(ConsentTag::decode(&good).is_ok());
    // Trailing bytes.
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(ConsentTag::decode(&trailing), Err(CoreError::TrailingBytes));
    // Every truncation.
    for n in 0..good.len() {
        assert_eq!(
            ConsentTag::decode(&good[..n]),
            Err(CoreError::Malformed),
            "prefix {n}"
        );
    }
    // Version.
    let mut f = GOOD;
    f.0 = 3;
    assert_eq!(
        ConsentTag::decode(&raw(f, None)),
        Err(CoreError::UnsupportedVersion { version: 3 })
    );
    // Unknown bits in each bitset.
    for patch in [
        |f: &mut RawFields| f.6 |= 1 << 21,
        |f: &mut RawFields| f.7 |= 1 << 9,
        |f: &mut RawFields| f.8 |= 1 << 4,
        |f: &mut RawFields| f.9 |= 1 << 6,
    ] {
        let mut f = GOOD;
        patch(&mut f);
        assert_eq!(
            ConsentTag::decode(&raw(f, None)),
            Err(CoreError::UnknownBits)
        );
    }
    // Invalid enum codes.
    let mut f = GOOD;
    f.3 = 2;
    assert_eq!(
        ConsentTag::decode(&raw(f, None)),
        Err(CoreError::InvalidCode)
    );
    let mut f = GOOD;
    f.10 = 6;
    assert_eq!(
        ConsentTag::decode(&raw(f, None)),
        Err(CoreError::InvalidCode)
    );
    // from > until (equal is allowed: an empty window).
    let mut f = GOOD;
    (f.4, f.5) = (201, 200);
    assert_eq!(
        ConsentTag::decode(&raw(f, None)),
        Err(CoreError::InvalidValidity)
    );
    (f.4, f.5) = (200, 200);
    assert!(ConsentTag::decode(&raw(f, None)).is_ok());
    // Bool and option tags other than 0/1.
    let mut b = good.clone();
    let bg = b.len() - 2;
    b[bg] = 2;
    assert_eq!(ConsentTag::decode(&b), Err(CoreError::Malformed));
    let mut o = good.clone();
    *o.last_mut().unwrap() = 2;
    assert_eq!(ConsentTag::decode(&o), Err(CoreError::Malformed));
    // Key id: empty, too long; good one decodes.
    assert_eq!(
        ConsentTag::decode(&raw(GOOD, Some((&[], [1; 32], [2; 32])))),
        Err(CoreError::InvalidKeyId)
    );
    assert_eq!(
        ConsentTag::decode(&raw(GOOD, Some((&[0; 9], [1; 32], [2; 32])))),
        Err(CoreError::Malformed)
    );
    let signed = ConsentTag::decode(&raw(GOOD, Some((&[0xAB], [1; 32], [2; 32])))).unwrap();
    let sig = signed.signature.as_ref().unwrap();
    assert_eq!(sig.key_id.as_bytes(), &[0xAB]);
    assert_eq!(&sig.signature.0[..32], &[1; 32]);
    assert_eq!(&sig.signature.0[32..], &[2; 32]);
    // Non-canonical (overlong) varint for the revision: 0x81 0x00 instead of 0x01.
    let mut overlong = good[..33].to_vec();
    overlong.extend_from_slice(&[0x81, 0x00]);
    overlong.extend_from_slice(&good[34..]);
    assert_eq!(ConsentTag::decode(&overlong), Err(CoreError::NonCanonical));
}

#[test]
fn signing_input_excludes_the_signature() {
    let mut signed = typical();
    signed.signature = Some(IssuerSignature {
        key_id: KeyId::new(&[1]).unwrap(),
        signature: Signature([3; 64]),
    });
    let mut a = [0u8; MAX_CONSENT_TAG_LEN];
    let n = signed.signing_input(&mut a).unwrap();
    assert_eq!(&a[..n], encode(&typical()).as_slice());
    assert_ne!(encode(&signed), encode(&typical()));
    assert_eq!(KeyId::new(&[]), Err(CoreError::InvalidKeyId));
    assert_eq!(KeyId::new(&[0; 9]), Err(CoreError::CapacityExceeded));
}

pub(crate) fn arb_tag() -> impl Strategy<Value = ConsentTag> {
    (
        any::<[u8; 32]>(),
        any::<u32>(),
        any::<bool>(),
        any::<u64>(),
        any::<u64>(),
        (
            0u32..1 << 21,
            0u16..1 << 9,
            0u8..16,
            0u8..64,
            0u8..6,
            any::<bool>(),
        ),
        proptest::option::of((
            proptest::collection::vec(any::<u8>(), 1..=8),
            any::<[u8; 32]>(),
            any::<[u8; 32]>(),
        )),
    )
        .prop_map(|(r, rev, permit, a, b, (p, ro, ac, cl, conf, bg), sig)| {
            let (from, until) = if a <= b { (a, b) } else { (b, a) };
            let mut t = if permit {
                ConsentTag::permit
            } else {
                ConsentTag::deny
            }(
                ConsentRef(r),
                rev,
                Timestamp::from_secs(from),
                Timestamp::from_secs(until),
            )
            .with_purposes(PurposeSet::from_bits(p).unwrap())
            .with_roles(RoleSet::from_bits(ro).unwrap())
            .with_actions(ActionSet::from_bits(ac).unwrap())
            .with_classes(DataClassSet::from_bits(cl).unwrap())
            .with_confidentiality(Confidentiality::from_code(conf).unwrap())
            .with_break_glass(bg);
            t.signature = sig.map(|(kid, x, y)| {
                let mut s = [0u8; 64];
                s[..32].copy_from_slice(&x);
                s[32..].copy_from_slice(&y);
                IssuerSignature {
                    key_id: KeyId::new(&kid).unwrap(),
                    signature: Signature(s),
                }
            });
            t
        })
}

proptest! {
    #[test]
    fn round_trip(tag in arb_tag()) {
        let bytes = encode(&tag);
        prop_assert!(bytes.len() <= MAX_CONSENT_TAG_LEN);
        prop_assert_eq!(tag.encoded_len(), Ok(bytes.len()));
        prop_assert_eq!(ConsentTag::decode(&bytes), Ok(tag.clone()));
        prop_assert_eq!(postcard::from_bytes::<ConsentTag>(&bytes).unwrap(), tag);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_accepted_bytes_are_canonical(
        bytes in proptest::collection::vec(any::<u8>(), 0..200)
    ) {
        if let Ok(tag) = ConsentTag::decode(&bytes) {
            prop_assert_eq!(encode(&tag), bytes);
        }
    }

    #[test]
    fn mutated_valid_tags_never_panic(tag in arb_tag(), idx in any::<prop::sample::Index>(), x in any::<u8>()) {
        let mut bytes = encode(&tag);
        let i = idx.index(bytes.len());
        bytes[i] ^= x;
        if let Ok(t) = ConsentTag::decode(&bytes) {
            prop_assert_eq!(encode(&t), bytes);
        }
    }

    #[test]
    fn enum_codes_and_bitsets_round_trip(code in any::<u8>(), bits in any::<u32>()) {
        macro_rules! check_enum {
            ($($t:ty),*) => {$(
                match <$t>::from_code(code) {
                    Ok(v) => { prop_assert_eq!(v.code(), code); prop_assert!(usize::from(code) < <$t>::ALL.len()); }
                    Err(e) => { prop_assert_eq!(e, CoreError::InvalidCode); prop_assert!(usize::from(code) >= <$t>::ALL.len()); }
                }
            )*};
        }
        check_enum!(Role, Purpose, Action, DataClass, Confidentiality, Effect, Operation, VitalKind, Unit, EcgLead, DenyReason, StatusFlag);
        let p = PurposeSet::from_bits(bits);
        prop_assert_eq!(p.is_ok(), bits & !PurposeSet::ALL.bits() == 0);
        if let Ok(p) = p {
            prop_assert_eq!(p.iter().collect::<PurposeSet>(), p);
            prop_assert_eq!(p.len() as usize, p.iter().count());
        }
        #[expect(clippy::cast_possible_truncation, reason = "deliberate truncation to test narrower sets")]
        let (b16, b8) = (bits as u16, bits as u8);
        prop_assert_eq!(RoleSet::from_bits(b16).is_ok(), b16 & !RoleSet::ALL.bits() == 0);
        prop_assert_eq!(ActionSet::from_bits(b8).is_ok(), b8 & !ActionSet::ALL.bits() == 0);
        prop_assert_eq!(DataClassSet::from_bits(b8).is_ok(), b8 & !DataClassSet::ALL.bits() == 0);
        prop_assert_eq!(ReadingStatus::from_bits(b8).is_ok(), b8 & !ReadingStatus::ALL.bits() == 0);
    }
}
