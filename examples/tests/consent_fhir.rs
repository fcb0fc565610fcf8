//! The consent authority issues tags from FHIR R4 `Consent` resources (issue 24 item 4):
//! every demo record becomes a tag the gateway's verifier accepts, the export
//! (`fhir::consent::resource`) and the import are inverse, and a `Consent` a tag cannot
//! represent exactly is refused with a typed error — no tag is issued.
#![cfg(test)]

use iomt_auth::audit::subject_of;
use iomt_auth::consent::{ConsentAuthority, ConsentError, ConsentVerifier, Expected};
use iomt_auth::cred::PeerIdentity;
use iomt_core::{ConsentTag, Purpose, Role, Timestamp};
use iomt_crypto::RustCryptoProvider;
use iomt_examples::authority::{Authority, IssueError, patient_id, record, without_research};
use iomt_examples::creds::device_identity;
use iomt_examples::device::ConsentProfile;
use iomt_examples::fhir::consent_import::{ImportError, parse_instant, tag_from_consent};
use iomt_examples::gateway::Crypto;
use serde_json::{Value, json};

const NOW: u64 = 1_796_326_864; // 2026-12-03T19:41:04Z

fn crypto() -> Crypto {
    RustCryptoProvider::with_os_rng()
}

fn verify(
    c: &mut Crypto,
    v: &mut ConsentVerifier,
    encoded: &[u8],
    device: &str,
    patient: &str,
) -> Result<ConsentTag, ConsentError> {
    let pid = patient_id(c, patient).unwrap();
    let peer = PeerIdentity::from_slice(device.as_bytes());
    let e = Expected::peer(c, &peer, &pid);
    v.verify(c, encoded, e, Timestamp::from_secs(NOW))
        .map(|t| t.tag().clone())
}

#[test]
fn instants_parse_strictly() {
    assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Ok(0));
    assert_eq!(parse_instant("2026-12-03T19:41:04Z"), Ok(NOW));
    assert_eq!(parse_instant("2000-02-29T12:00:00.123Z"), Ok(951_825_600));
    for bad in [
        "2026-12-03T19:41:04+02:00",
        "2026-12-03",
        "2026-13-03T19:41:04Z",
        "2026-12-03T24:00:00Z",
        "2026-12-03T19:41:04.Z",
        "26-12-03T19:41:04Z",
        "2026-12-03T19:41Z",
    ] {
        assert!(parse_instant(bad).is_err(), "{bad}");
    }
}

#[test]
fn every_demo_record_issues_the_profiles_tag_and_it_verifies() {
    let mut c = crypto();
    let hospital = Authority::hospital(&mut c).unwrap();
    let mut v: ConsentVerifier = ConsentVerifier::new();
    v.add_authority(ConsentAuthority::new(&mut c, hospital.public_key()).unwrap())
        .unwrap();
    for i in 0..4u16 {
        let profile = ConsentProfile::for_device(i);
        let patient = format!("p-{i:03}");
        let rec = record(profile, &patient, NOW);
        let encoded = hospital
            .issue_from_fhir(&mut c, &rec, &device_identity(i))
            .unwrap();
        let got = ConsentTag::decode(&encoded).unwrap();
        // The same provision the demo's profile describes (consent reference and
        // revision come from the record).
        let want = profile.tag(NOW, u8::try_from(i).unwrap());
        assert_eq!(
            (got.purposes, got.roles, got.actions, got.classes),
            (want.purposes, want.roles, want.actions, want.classes),
            "{profile:?}"
        );
        assert_eq!(
            (
                got.confidentiality,
                got.break_glass,
                got.effect,
                got.revision
            ),
            (want.confidentiality, want.break_glass, want.effect, 1)
        );
        let verified = verify(&mut c, &mut v, &encoded, &device_identity(i), &patient);
        if profile == ConsentProfile::Expired {
            assert_eq!(verified, Err(ConsentError::Expired));
        } else {
            assert_eq!(verified.unwrap(), got);
        }
    }
}

#[test]
fn research_withdrawal_is_a_newer_revision_of_the_same_consent_without_research() {
    let mut c = crypto();
    let hospital = Authority::hospital(&mut c).unwrap();
    let rec = record(ConsentProfile::Research, "p-000", NOW);
    let next = without_research(&rec);
    let dev = device_identity(0);
    let t1 = ConsentTag::decode(&hospital.issue_from_fhir(&mut c, &rec, &dev).unwrap()).unwrap();
    let t2 = ConsentTag::decode(&hospital.issue_from_fhir(&mut c, &next, &dev).unwrap()).unwrap();
    assert_eq!(t1.consent_ref, t2.consent_ref, "one consent, two versions");
    assert_eq!((t1.revision, t2.revision), (1, 2));
    assert!(t1.purposes.contains(Purpose::Research));
    assert!(!t2.purposes.contains(Purpose::Research) && t2.purposes.contains(Purpose::Treatment));
    assert!(!t2.roles.contains(Role::Researcher) && t2.roles.contains(Role::Clinician));
}

#[test]
fn the_gateways_export_and_the_authoritys_import_are_inverse() {
    let mut c = crypto();
    for profile in [
        ConsentProfile::Research,
        ConsentProfile::TreatmentOnly,
        ConsentProfile::BreakGlass,
    ] {
        let tag = profile.tag(NOW, 3);
        let (bytes, digest) = iomt_examples::fhir::consent::digest(&mut c, &tag).unwrap();
        let exported = iomt_examples::fhir::consent::resource(
            &tag,
            &bytes,
            &digest,
            "Patient/p-003",
            NOW * 1000,
        );
        let (back, patient) = tag_from_consent(&mut c, &exported).unwrap();
        assert_eq!(patient, "p-003");
        let mut same = back.clone();
        same.consent_ref = tag.consent_ref; // the record id names it, not the tag bytes
        assert_eq!(same, tag, "{profile:?}");
    }
}

/// Every edit makes the `Consent` unrepresentable; each is refused with its error.
#[test]
fn unrepresentable_consents_are_refused_not_approximated() {
    let mut c = crypto();
    let hospital = Authority::hospital(&mut c).unwrap();
    let base = record(ConsentProfile::Research, "p-000", NOW);
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit, ImportError); 14] = [
        (
            "nested provision",
            |r| r["provision"]["provision"] = json!([{ "type": "deny" }]),
            ImportError::Unrepresentable("nested provision"),
        ),
        (
            "specific data",
            |r| {
                r["provision"]["data"] = json!([{ "meaning": "instance", "reference": { "reference": "Observation/1" } }])
            },
            ImportError::Unrepresentable("provision.data"),
        ),
        (
            "a named person",
            |r| r["provision"]["actor"][0]["reference"]["reference"] = json!("Practitioner/7"),
            ImportError::Unrepresentable("provision.actor naming a person"),
        ),
        (
            "unknown purpose",
            |r| r["provision"]["purpose"][1]["code"] = json!("DONAT"),
            ImportError::Unsupported("provision.purpose", "DONAT".into()),
        ),
        (
            "purpose from another system",
            |r| r["provision"]["purpose"][0]["system"] = json!("http://example.org/purposes"),
            ImportError::Unsupported("provision.purpose", "TREAT".into()),
        ),
        (
            "action correct",
            |r| r["provision"]["action"][0]["coding"][0]["code"] = json!("correct"),
            ImportError::Unsupported("provision.action", "correct".into()),
        ),
        (
            "unknown class",
            |r| r["provision"]["class"][0]["code"] = json!("genomics"),
            ImportError::Unsupported("provision.class", "genomics".into()),
        ),
        (
            "unknown recipient role",
            |r| r["provision"]["actor"][0]["reference"]["display"] = json!("insurer"),
            ImportError::Unsupported("provision.actor", "insurer".into()),
        ),
        (
            "two security labels",
            |r| {
                r["provision"]["securityLabel"] = json!([
                    { "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "N" },
                    { "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R" }
                ]);
            },
            ImportError::SecurityLabels(2),
        ),
        (
            "no security label",
            |r| r["provision"]["securityLabel"] = json!([]),
            ImportError::SecurityLabels(0),
        ),
        (
            "non-integer version",
            |r| r["meta"]["versionId"] = json!("1.5"),
            ImportError::Version("1.5".into()),
        ),
        (
            "inactive",
            |r| r["status"] = json!("rejected"),
            ImportError::NotActive("rejected".into()),
        ),
        (
            "local-time period",
            |r| r["provision"]["period"]["start"] = json!("2026-11-03T10:00:00+01:00"),
            ImportError::Period("2026-11-03T10:00:00+01:00".into()),
        ),
        (
            "unknown policy",
            |r| r["policy"] = json!([{ "uri": "urn:example:policy:anything-goes" }]),
            ImportError::Unsupported("policy.uri", "urn:example:policy:anything-goes".into()),
        ),
    ];
    // The unedited record is issued (so each refusal is the edit's).
    assert!(
        hospital
            .issue_from_fhir(&mut c, &base, &device_identity(0))
            .is_ok()
    );
    for (what, edit, want) in cases {
        let mut r = base.clone();
        edit(&mut r);
        assert_eq!(
            hospital.issue_from_fhir(&mut c, &r, &device_identity(0)),
            Err(IssueError::Consent(want)),
            "{what}"
        );
    }
}

#[test]
fn the_device_reference_in_an_issued_tag_is_the_devices_edhoc_identity() {
    let mut c = crypto();
    let hospital = Authority::hospital(&mut c).unwrap();
    let rec = record(ConsentProfile::TreatmentOnly, "p-001", NOW);
    let t = ConsentTag::decode(
        &hospital
            .issue_from_fhir(&mut c, &rec, &device_identity(1))
            .unwrap(),
    )
    .unwrap();
    let peer = PeerIdentity::from_slice(device_identity(1).as_bytes());
    let b = t.binding.unwrap();
    assert_eq!(b.device.0, subject_of(&mut c, &peer.0));
    assert_eq!(b.patient, patient_id(&mut c, "p-001").unwrap());
}
