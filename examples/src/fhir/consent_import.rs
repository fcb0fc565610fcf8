//! FHIR R4 `Consent` → consent tag: what the consent authority issues tags from
//! (`crate::authority::Authority::issue_from_fhir`).
//!
//! The mapping is iomt-core's (`iomt_core::consent`, "Mapping to and from FHIR
//! `Consent`"), read in the direction record → tag, and the exact inverse of the
//! gateway's export ([`super::consent::resource`]):
//!
//! | `Consent` | tag |
//! |---|---|
//! | `status` | must be `active` |
//! | `id` | `consent_ref` = SHA-256(`"iomt consent record\0"` ‖ `"Consent/"` ‖ id): the logical record, the same for every version, so revisions of one consent are ordered |
//! | `meta.versionId` | `revision` (an integer ≥ 1) |
//! | `patient.reference` | `Patient/<id>`: the authority derives the pseudonymous patient id from it |
//! | `provision.type` | `effect` |
//! | `provision.period.start` / `.end` | `valid_from` / `valid_until` (UTC instants; no end = open) |
//! | `provision.purpose` (v3-ActReason) | `purposes` |
//! | `provision.actor` (role `IRCP`, `reference.display` = role name) | `roles` |
//! | `provision.action` (consentaction) | `actions` |
//! | `provision.class` (`urn:iomt:data-class`) | `classes` |
//! | `provision.securityLabel` (exactly one, v3-Confidentiality) | `confidentiality` |
//! | `policy.uri` [`BREAK_GLASS_POLICY`] | `break_glass` |
//!
//! **Refused, never approximated** ([`ImportError`]): anything a tag cannot say exactly —
//! nested provisions, `provision.data` (specific resources), `dataPeriod`, an actor naming
//! a specific person (`reference.reference`), a purpose, action, class, role, label or
//! policy outside the tables, more or fewer than one security label, a period with an
//! offset other than `Z`, an inactive record. Dropping a purpose from a *permit* would
//! narrow it silently, from a *deny* widen access; so the authority issues no tag.

use iomt_core::{
    Action, ActionSet, Confidentiality, ConsentRef, ConsentTag, DataClass, DataClassSet, Effect,
    Purpose, PurposeSet, Role, RoleSet, Timestamp,
};
use iomt_crypto::CryptoProvider;
use serde_json::Value;

use super::consent::BREAK_GLASS_POLICY;
use super::{ACT_REASON_SYSTEM, CONFIDENTIALITY_SYSTEM};

/// Why a `Consent` resource cannot become a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Not a `Consent`, or a required element is missing or of the wrong JSON type.
    Missing(&'static str),
    /// `status` is not `active`.
    NotActive(String),
    /// `meta.versionId` is not an integer 1..=u32::MAX.
    Version(String),
    /// A code outside the tag's tables (element, code).
    Unsupported(&'static str, String),
    /// An element the tag cannot represent at all (nested provision, data references,
    /// a specific person as actor, ...).
    Unrepresentable(&'static str),
    /// Not exactly one `provision.securityLabel`.
    SecurityLabels(usize),
    /// An instant that is not `YYYY-MM-DDThh:mm:ss[.fff]Z`, or start after end.
    Period(String),
}

impl core::fmt::Display for ImportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Missing(e) => write!(f, "Consent: {e} missing or invalid"),
            Self::NotActive(s) => write!(f, "Consent: status {s:?} is not active"),
            Self::Version(v) => write!(f, "Consent: meta.versionId {v:?} is not a revision"),
            Self::Unsupported(e, c) => write!(f, "Consent: {e} {c:?} has no tag equivalent"),
            Self::Unrepresentable(e) => write!(f, "Consent: {e} cannot be represented in a tag"),
            Self::SecurityLabels(n) => {
                write!(
                    f,
                    "Consent: {n} security labels (a tag carries exactly one)"
                )
            }
            Self::Period(p) => write!(f, "Consent: period {p:?} invalid"),
        }
    }
}

impl core::error::Error for ImportError {}

fn str_at<'a>(v: &'a Value, ptr: &str, name: &'static str) -> Result<&'a str, ImportError> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .ok_or(ImportError::Missing(name))
}

fn array<'a>(v: &'a Value, key: &str) -> Result<&'a [Value], ImportError> {
    match v.get(key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(ImportError::Missing("provision array")),
    }
}

/// The coding of a CodeableConcept with exactly one coding, or a Coding itself.
fn single_code<'a>(v: &'a Value, element: &'static str) -> Result<&'a Value, ImportError> {
    match v.get("coding").map(Value::as_array) {
        None => Ok(v),
        Some(Some(c)) if c.len() == 1 => c.first().ok_or(ImportError::Missing(element)),
        Some(_) => Err(ImportError::Unrepresentable(element)),
    }
}

fn code_in<'a>(v: &'a Value, system: &str, element: &'static str) -> Result<&'a str, ImportError> {
    let c = single_code(v, element)?;
    let code = c
        .get("code")
        .and_then(Value::as_str)
        .ok_or(ImportError::Missing(element))?;
    if c.get("system").and_then(Value::as_str) != Some(system) {
        return Err(ImportError::Unsupported(element, code.to_owned()));
    }
    Ok(code)
}

/// Unix seconds of a UTC instant `YYYY-MM-DDThh:mm:ss[.fff]Z` (fractions truncated).
///
/// # Errors
/// [`ImportError::Period`] for any other form (offsets other than `Z` included).
pub fn parse_instant(s: &str) -> Result<u64, ImportError> {
    let bad = || ImportError::Period(s.to_owned());
    let body = s.strip_suffix('Z').ok_or_else(bad)?;
    let (date, time) = body.split_once('T').ok_or_else(bad)?;
    let time = time.split_once('.').map_or(time, |(t, frac)| {
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            ""
        } else {
            t
        }
    });
    let num = |p: &str, len: usize| -> Result<i64, ImportError> {
        if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    let ([y, mo, da], [h, mi, se]) = (d.as_slice(), t.as_slice()) else {
        return Err(bad());
    };
    let (y, mo, da) = (num(y, 4)?, num(mo, 2)?, num(da, 2)?);
    let (h, mi, se) = (num(h, 2)?, num(mi, 2)?, num(se, 2)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 59 {
        return Err(bad());
    }
    // Days from civil (H. Hinnant), proleptic Gregorian.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    u64::try_from(secs).map_err(|_| bad())
}

/// The consent reference of the record `Consent/<id>` (every version of it).
#[must_use]
pub fn consent_ref(crypto: &mut impl CryptoProvider, id: &str) -> ConsentRef {
    let mut input = b"iomt consent record\0Consent/".to_vec();
    input.extend_from_slice(id.as_bytes());
    ConsentRef(crypto.sha256(&input))
}

/// The unbound, unsigned tag for `consent` and the patient id it names (`Patient/<id>`
/// → `<id>`); the authority binds and signs it.
///
/// # Errors
/// [`ImportError`] for a resource the tag cannot represent exactly.
pub fn tag_from_consent(
    crypto: &mut impl CryptoProvider,
    consent: &Value,
) -> Result<(ConsentTag, String), ImportError> {
    if consent.get("resourceType").and_then(Value::as_str) != Some("Consent") {
        return Err(ImportError::Missing("resourceType Consent"));
    }
    let status = str_at(consent, "/status", "status")?;
    if status != "active" {
        return Err(ImportError::NotActive(status.to_owned()));
    }
    let id = str_at(consent, "/id", "id")?;
    let version = str_at(consent, "/meta/versionId", "meta.versionId")?;
    let revision: u32 = version
        .parse()
        .ok()
        .filter(|r| *r >= 1 && version.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| ImportError::Version(version.to_owned()))?;
    let patient = str_at(consent, "/patient/reference", "patient.reference")?
        .strip_prefix("Patient/")
        .filter(|p| !p.is_empty())
        .ok_or(ImportError::Missing("patient.reference Patient/<id>"))?
        .to_owned();
    let p = consent
        .get("provision")
        .filter(|p| p.is_object())
        .ok_or(ImportError::Missing("provision"))?;
    for (key, what) in [
        ("provision", "nested provision"),
        ("data", "provision.data"),
        ("dataPeriod", "provision.dataPeriod"),
        ("code", "provision.code"),
    ] {
        if p.get(key).is_some() {
            return Err(ImportError::Unrepresentable(what));
        }
    }
    let effect = match str_at(p, "/type", "provision.type")? {
        "permit" => Effect::Permit,
        "deny" => Effect::Deny,
        other => return Err(ImportError::Unsupported("provision.type", other.to_owned())),
    };
    let start = parse_instant(str_at(p, "/period/start", "provision.period.start")?)?;
    let end = match p.pointer("/period/end") {
        None => Timestamp::MAX,
        Some(e) => Timestamp::from_secs(parse_instant(
            e.as_str()
                .ok_or(ImportError::Missing("provision.period.end"))?,
        )?),
    };
    if Timestamp::from_secs(start) > end {
        return Err(ImportError::Period(format!("{start} > {}", end.as_secs())));
    }
    let mut purposes = PurposeSet::EMPTY;
    for c in array(p, "purpose")? {
        let code = code_in(c, ACT_REASON_SYSTEM, "provision.purpose")?;
        let purpose = Purpose::from_hl7_code(code)
            .ok_or_else(|| ImportError::Unsupported("provision.purpose", code.to_owned()))?;
        purposes = purposes.with(purpose);
    }
    let mut roles = RoleSet::EMPTY;
    for a in array(p, "actor")? {
        if a.pointer("/reference/reference").is_some() {
            return Err(ImportError::Unrepresentable(
                "provision.actor naming a person",
            ));
        }
        let role_code = code_in(
            a.get("role")
                .ok_or(ImportError::Missing("provision.actor.role"))?,
            "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
            "provision.actor.role",
        )?;
        if role_code != "IRCP" {
            return Err(ImportError::Unsupported(
                "provision.actor.role",
                role_code.to_owned(),
            ));
        }
        let name = str_at(a, "/reference/display", "provision.actor.reference.display")?;
        let role = Role::ALL
            .iter()
            .find(|r| format!("{r:?}").to_lowercase() == name)
            .ok_or_else(|| ImportError::Unsupported("provision.actor", name.to_owned()))?;
        roles = roles.with(*role);
    }
    let mut actions = ActionSet::EMPTY;
    for a in array(p, "action")? {
        let code = code_in(
            a,
            "http://terminology.hl7.org/CodeSystem/consentaction",
            "provision.action",
        )?;
        let action = Action::ALL
            .iter()
            .find(|x| x.fhir_code() == code)
            .ok_or_else(|| ImportError::Unsupported("provision.action", code.to_owned()))?;
        actions = actions.with(*action);
    }
    let mut classes = DataClassSet::EMPTY;
    for c in array(p, "class")? {
        let code = code_in(c, "urn:iomt:data-class", "provision.class")?;
        let class = DataClass::ALL
            .iter()
            .find(|x| format!("{x:?}").to_lowercase() == code)
            .ok_or_else(|| ImportError::Unsupported("provision.class", code.to_owned()))?;
        classes = classes.with(*class);
    }
    let labels = array(p, "securityLabel")?;
    let [label] = labels else {
        return Err(ImportError::SecurityLabels(labels.len()));
    };
    let code = code_in(label, CONFIDENTIALITY_SYSTEM, "provision.securityLabel")?;
    let confidentiality = Confidentiality::ALL
        .iter()
        .copied()
        .find(|c| c.hl7_code() == code)
        .ok_or_else(|| ImportError::Unsupported("provision.securityLabel", code.to_owned()))?;
    let mut break_glass = false;
    for pol in array(consent, "policy")? {
        match pol.get("uri").and_then(Value::as_str) {
            Some(BREAK_GLASS_POLICY) => break_glass = true,
            Some(other) => return Err(ImportError::Unsupported("policy.uri", other.to_owned())),
            None => return Err(ImportError::Unrepresentable("policy without uri")),
        }
    }
    let base = match effect {
        Effect::Permit => ConsentTag::permit,
        Effect::Deny => ConsentTag::deny,
    };
    let tag = base(
        consent_ref(crypto, id),
        revision,
        Timestamp::from_secs(start),
        end,
    )
    .with_purposes(purposes)
    .with_roles(roles)
    .with_actions(actions)
    .with_classes(classes)
    .with_confidentiality(confidentiality)
    .with_break_glass(break_glass);
    Ok((tag, patient))
}
