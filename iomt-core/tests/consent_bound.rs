//! Version-2 (authority-issued, patient- and device-bound) consent tags and withdrawals.
#![cfg(test)]

use iomt_core::*;

fn bound() -> ConsentTag {
    ConsentTag::permit(
        ConsentRef([7; 32]),
        3,
        Timestamp::from_secs(1_800_000_000),
        Timestamp::from_secs(1_831_536_000),
    )
    .with_purposes(PurposeSet::only(Purpose::Treatment))
    .with_roles(RoleSet::only(Role::Clinician).with(Role::Nurse))
    .with_actions(ActionSet::only(Action::Access))
    .with_classes(DataClassSet::only(DataClass::Vitals))
    .bound_to(PatientId::new(&[0xA1; 8]).unwrap(), DeviceRef([0xD0; 8]))
}

fn signed(mut t: ConsentTag) -> ConsentTag {
    t.signature = Some(IssuerSignature {
        key_id: KeyId::new(&[0x11; 8]).unwrap(),
        signature: Signature([0x5A; 64]),
    });
    t
}

#[test]
fn bound_tag_sizes() {
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let unsigned = bound();
    assert_eq!(unsigned.version, CONSENT_TAG_VERSION);
    assert_eq!(unsigned.encode(&mut buf).unwrap(), 69);
    let s = signed(bound());
    assert_eq!(s.encode(&mut buf).unwrap(), 142);
    assert_eq!(s.encoded_len().unwrap(), 142);
    assert_eq!(MAX_CONSENT_TAG_LEN, 170);
}

#[test]
fn bound_tag_round_trips_and_signing_input_excludes_signature() {
    let s = signed(bound());
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let n = s.encode(&mut buf).unwrap();
    assert_eq!(ConsentTag::decode(&buf[..n]).unwrap(), s);
    let mut si = [0u8; MAX_CONSENT_TAG_LEN];
    let m = s.signing_input(&mut si).unwrap();
    assert_eq!(m, 69);
    assert_eq!(&si[..m - 1], &buf[..m - 1]);
    assert_eq!(si[m - 1], 0, "signature option absent");
    // serde (embedding) gives the same bytes and reads them back
    let v = postcard::to_slice(&s, &mut [0u8; 256]).unwrap().to_vec();
    assert_eq!(v, &buf[..n]);
    let back: ConsentTag = postcard::from_bytes(&v).unwrap();
    assert_eq!(back, s);
    // and the legacy version still round-trips through serde
    let mut v1 = bound();
    v1.version = CONSENT_TAG_VERSION_UNBOUND;
    v1.binding = None;
    let v = postcard::to_slice(&v1, &mut [0u8; 256]).unwrap().to_vec();
    assert_eq!(postcard::from_bytes::<ConsentTag>(&v).unwrap(), v1);
}

#[test]
fn bound_tag_rejects_bad_bytes() {
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let n = signed(bound()).encode(&mut buf).unwrap();
    // every truncation fails
    for k in 0..n {
        assert!(ConsentTag::decode(&buf[..k]).is_err(), "prefix {k}");
    }
    // trailing byte
    let mut long = buf[..n].to_vec();
    long.push(0);
    assert_eq!(ConsentTag::decode(&long), Err(CoreError::TrailingBytes));
    // empty patient id (patient length byte is at a fixed offset for this tag: 52 - 1)
    let u = bound();
    let m = u.encode(&mut buf).unwrap();
    let pat_len_at = m - 1 - 8 - 1 - 8;
    assert_eq!(buf[pat_len_at], 8);
    let mut empty = buf[..pat_len_at].to_vec();
    empty.push(0);
    empty.extend_from_slice(&[0xD0; 8]);
    empty.push(0);
    assert_eq!(ConsentTag::decode(&empty), Err(CoreError::Malformed));
    // a v1 body under a v2 version byte does not parse as v2
    let mut v1 = bound();
    v1.version = CONSENT_TAG_VERSION_UNBOUND;
    v1.binding = None;
    let k = v1.encode(&mut buf).unwrap();
    buf[0] = CONSENT_TAG_VERSION;
    assert!(ConsentTag::decode(&buf[..k]).is_err());
}

#[test]
fn withdrawal_round_trip_and_strictness() {
    let mut w = ConsentWithdrawal::new(ConsentRef([9; 32]), 4, Timestamp::from_secs(1_800_000_100));
    w.signature = Some(IssuerSignature {
        key_id: KeyId::new(&[1, 2, 3]).unwrap(),
        signature: Signature([3; 64]),
    });
    let mut buf = [0u8; MAX_WITHDRAWAL_LEN];
    let n = w.encode(&mut buf).unwrap();
    assert_eq!(ConsentWithdrawal::decode(&buf[..n]).unwrap(), w);
    let mut si = [0u8; MAX_WITHDRAWAL_LEN];
    let m = w.signing_input(&mut si).unwrap();
    assert!(m < n);
    for k in 0..n {
        assert!(ConsentWithdrawal::decode(&buf[..k]).is_err());
    }
    let mut bad = buf[..n].to_vec();
    bad[0] = 2;
    assert_eq!(
        ConsentWithdrawal::decode(&bad),
        Err(CoreError::UnsupportedVersion { version: 2 })
    );
    // a consent tag is not a withdrawal
    let mut tb = [0u8; MAX_CONSENT_TAG_LEN];
    let t = bound();
    let tn = t.encode(&mut tb).unwrap();
    assert!(ConsentWithdrawal::decode(&tb[..tn]).is_err());
}
