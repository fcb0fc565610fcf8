//! Firmware updates the C API refuses, each with its error and audit record: bad or foreign
//! signatures, wrong vendor or device class, downgrades, truncated, overlong or mismatched
//! images, and malformed or non-deterministic manifests.

use ::iomt_crypto::prelude::*;

use iomt_auth::audit::AuditEvent;
use iomt_auth::update::{MAX_ENVELOPE_LEN, MAX_MANIFEST_LEN, Manifest, UpdateError, key_id};

use super::update::*;
use super::*;

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_bad_signature() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    let mut env = f.sign(&m);
    let last = env.len() - 1;
    env[last] ^= 1;
    f.rejected(
        &env,
        &img,
        UpdateError::BadSignature,
        iomt_result::UpdateBadSignature,
    );
    // payload edited after signing (version bumped)
    let mut env = f.sign(&m);
    let pos = env.windows(2).position(|w| w == [0x03, 0x1a]).unwrap();
    env[pos + 4] = 0x02;
    f.rejected(
        &env,
        &img,
        UpdateError::BadSignature,
        iomt_result::UpdateBadSignature,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_wrong_vendor_key() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    let rogue = f.provider().p256_import_key(&[0x66; 32]).unwrap();
    let mut env = vec![0u8; MAX_ENVELOPE_LEN];
    let n = m.sign(f.provider(), &rogue, &mut env).unwrap();
    env.truncate(n);
    f.rejected(
        &env,
        &img,
        UpdateError::UnknownSigner,
        iomt_result::UpdateUnknownSigner,
    );
    // the rogue key claiming the vendor's kid: the signature check catches it
    let anchor_key = ::iomt_crypto::PublicKey::from_sec1_bytes(&f.anchor.public_key).unwrap();
    let kid = key_id(f.provider(), &anchor_key);
    env[8..16].copy_from_slice(&kid);
    f.rejected(
        &env,
        &img,
        UpdateError::BadSignature,
        iomt_result::UpdateBadSignature,
    );
    // an anchor holding the rogue key refuses the genuine envelope
    let genuine = f.sign(&m);
    f.anchor.public_key = f
        .provider()
        .p256_public_key(&rogue)
        .unwrap()
        .to_sec1_uncompressed();
    f.rejected(
        &genuine,
        &img,
        UpdateError::UnknownSigner,
        iomt_result::UpdateUnknownSigner,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_wrong_vendor_and_device_class() {
    let mut f = fx();
    let img = f.image.clone();
    let m = Manifest {
        vendor_id: VENDOR + 1,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::WrongVendor,
        iomt_result::UpdateWrongVendor,
    );
    let m = Manifest {
        device_class: CLASS + 1,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::WrongDeviceClass,
        iomt_result::UpdateWrongDeviceClass,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_downgrade_equal_version_and_base_too_old() {
    let mut f = fx();
    let img = f.image.clone();
    let m = Manifest {
        version: 0x0000_ff00,
        min_version: 0,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::Downgrade,
        iomt_result::UpdateDowngrade,
    );
    let m = Manifest {
        version: INSTALLED,
        min_version: 0,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::SameVersion,
        iomt_result::UpdateSameVersion,
    );
    let m = Manifest {
        version: 0x0002_0000,
        min_version: 0x0001_0500,
        ..f.manifest()
    };
    let env = f.sign(&m);
    f.rejected(
        &env,
        &img,
        UpdateError::BaseTooOld,
        iomt_result::UpdateBaseTooOld,
    );
    // the counter moved between begin and finish (another update won): re-checked
    let m = f.manifest();
    let env = f.sign(&m);
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(Fx::write(&mut up, &img), iomt_result::Ok);
    f.counter().value = OFFERED;
    let mut info = iomt_update_info::default();
    assert_eq!(f.finish(&mut up, &mut info), iomt_result::UpdateSameVersion);
    assert_eq!(info, iomt_update_info::default());
    assert_eq!(f.last_record().detail[0], UpdateError::SameVersion.code());
    assert_eq!(Fx::write(&mut up, &[]), iomt_result::ObjectFailed);
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_truncated_image() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    f.rejected(
        &env,
        &img[..img.len() - 1],
        UpdateError::ImageTruncated,
        iomt_result::UpdateImageTruncated,
    );
    f.rejected(
        &env,
        &[],
        UpdateError::ImageTruncated,
        iomt_result::UpdateImageTruncated,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_overlong_image_poisons_the_update() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let img = f.image.clone();
    let (mut up, r) = f.begin(&env);
    assert_eq!(r, iomt_result::Ok);
    assert_eq!(Fx::write(&mut up, &img[..4000]), iomt_result::Ok);
    assert_eq!(
        Fx::write(&mut up, &img[..1001]),
        iomt_result::UpdateImageTooLong
    );
    let mut info = iomt_update_info::default();
    assert_eq!(
        unsafe { iomt_update_manifest(&raw const *up, &raw mut info) },
        iomt_result::Ok
    );
    assert_eq!(info.received, 4000, "the refused chunk was not absorbed");
    // poisoned: even the correct remainder is refused
    assert_eq!(
        Fx::write(&mut up, &img[4000..]),
        iomt_result::UpdateImageTooLong
    );
    assert_eq!(Fx::write(&mut up, &[]), iomt_result::UpdateImageTooLong);
    let mut out = iomt_update_info::default();
    assert_eq!(f.finish(&mut up, &mut out), iomt_result::UpdateImageTooLong);
    assert_eq!(out, iomt_update_info::default());
    assert_eq!(f.counter().value, INSTALLED);
    let rec = f.last_record();
    assert_eq!(
        (rec.event, rec.detail[0]),
        (
            AuditEvent::UpdateRejected.code(),
            UpdateError::ImageTooLong.code()
        )
    );
    // failed for good
    assert_eq!(Fx::write(&mut up, &[]), iomt_result::ObjectFailed);
    assert_eq!(f.finish(&mut up, &mut out), iomt_result::ObjectFailed);
    assert_eq!(
        unsafe { iomt_update_manifest(&raw const *up, &raw mut info) },
        iomt_result::ObjectFailed
    );
    assert_eq!(unsafe { iomt_update_deinit(&raw mut *up) }, iomt_result::Ok);
    // one byte too many in the usual flow
    let mut long = img.clone();
    long.push(0);
    f.rejected(
        &env,
        &long,
        UpdateError::ImageTooLong,
        iomt_result::UpdateImageTooLong,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_digest_mismatch() {
    let mut f = fx();
    let m = f.manifest();
    let env = f.sign(&m);
    let mut img = f.image.clone();
    img[2500] ^= 0x40;
    f.rejected(
        &env,
        &img,
        UpdateError::DigestMismatch,
        iomt_result::UpdateDigestMismatch,
    );
}

fn encoded(m: &Manifest) -> Vec<u8> {
    let mut b = [0u8; MAX_MANIFEST_LEN];
    let n = m.encode(&mut b).unwrap();
    b[..n].to_vec()
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_manifest_with_trailing_bytes() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    // a byte after the manifest map, validly signed
    let mut p = encoded(&m);
    p.push(0x00);
    let env = f.sign_raw(&p);
    f.rejected(
        &env,
        &img,
        UpdateError::TrailingBytes,
        iomt_result::UpdateTrailingBytes,
    );
    // a byte after the COSE array
    let mut env = f.sign(&m);
    env.push(0x00);
    f.rejected(
        &env,
        &img,
        UpdateError::TrailingBytes,
        iomt_result::UpdateTrailingBytes,
    );
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn update_non_deterministic_or_malformed_cbor() {
    let mut f = fx();
    let m = f.manifest();
    let img = f.image.clone();
    let good = encoded(&m);
    // vendor id in a longer head than needed (0x1a instead of 0x19)
    let mut p = vec![0xa6, 0x01, 0x1a, 0x00, 0x00, 0x7e, 0xd9];
    p.extend_from_slice(&good[4..]);
    let env = f.sign_raw(&p);
    f.rejected(
        &env,
        &img,
        UpdateError::NonDeterministic,
        iomt_result::UpdateNonDeterministic,
    );
    // map keys out of order (2 before 1)
    let mut p = vec![0xa6, 0x02, 0x07, 0x01, 0x19, 0x7e, 0xd9];
    p.extend_from_slice(&good[6..]);
    let env = f.sign_raw(&p);
    f.rejected(
        &env,
        &img,
        UpdateError::NonDeterministic,
        iomt_result::UpdateNonDeterministic,
    );
    // an empty map (keys missing)
    let env = f.sign_raw(&[0xa0]);
    f.rejected(
        &env,
        &img,
        UpdateError::Malformed,
        iomt_result::UpdateMalformed,
    );
    // a protected header other than {1: -7, 4: kid}
    let mut env = f.sign(&m);
    env[5] = 0x38;
    f.rejected(
        &env,
        &img,
        UpdateError::UnsupportedAlgorithm,
        iomt_result::UpdateUnsupportedAlgorithm,
    );
    // garbage and the empty envelope
    f.rejected(
        &[0xff; 40],
        &img,
        UpdateError::Malformed,
        iomt_result::UpdateMalformed,
    );
    f.rejected(
        &[],
        &img,
        UpdateError::Malformed,
        iomt_result::UpdateMalformed,
    );
}
