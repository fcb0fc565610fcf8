//! The FHIR R4 `Consent` built from a consent tag (iomt-core's tag → FHIR mapping, see
//! `iomt_core::consent`), and the tag's digest that Observations reference.
//!
//! The digest is SHA-256 over the tag's canonical encoding (`ConsentTag::encode`: exactly
//! the bytes the channel bound into each frame's AAD). It is the `Consent` resource's `id`
//! and `identifier`, and the `meta.tag` code of every Observation released under the tag.
//! The encoded tag itself is `sourceAttachment.data`, so anyone can recompute the digest.
//!
//! | tag | `Consent` |
//! |---|---|
//! | effect | `provision.type` |
//! | valid from / until | `provision.period`; `status` `inactive` once expired |
//! | purposes | `provision.purpose` (v3-ActReason) |
//! | roles | `provision.actor` (role `IRCP`, the recipient role as `reference.display`) |
//! | actions | `provision.action` (consentaction) |
//! | data classes | `provision.class` (`urn:iomt:data-class`) |
//! | confidentiality | `provision.securityLabel` (v3-Confidentiality) |
//! | revision | `meta.versionId` |
//! | break-glass allowed | `policy.uri` [`BREAK_GLASS_POLICY`] (`policyRule` is `OPTIN`) |

use iomt_core::{
    Action, ConsentTag, DataClass, Effect, MAX_CONSENT_TAG_LEN, Purpose, Role, Timestamp,
};
use iomt_crypto::CryptoProvider;
use serde_json::{Value, json};

use super::{ACT_REASON_SYSTEM, CONFIDENTIALITY_SYSTEM, CONSENT_TAG_SYSTEM, hex, instant};

/// `Consent.policy.uri` of a consent that allows break-glass access for emergency care.
pub const BREAK_GLASS_POLICY: &str = "urn:iomt:policy:break-glass-allowed";

/// The tag's canonical bytes and their SHA-256 (lowercase hex); `None` if it doesn't encode
/// (a tag the channel accepted always does).
#[must_use]
pub fn digest(crypto: &mut impl CryptoProvider, tag: &ConsentTag) -> Option<(Vec<u8>, String)> {
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let n = tag.encode(&mut buf).ok()?;
    let bytes = buf.get(..n)?.to_vec();
    let d = crypto.sha256(&bytes);
    Some((bytes, hex(&d)))
}

/// Standard base64 with padding (RFC 4648 §4), for `Attachment.data`.
#[must_use]
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0);
                out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn period_end(t: Timestamp) -> Option<String> {
    (t != Timestamp::MAX).then(|| instant(t.as_secs().saturating_mul(1000)))
}

/// The `Consent` for `tag` (encoded as `encoded`, digest `digest_hex`) of `patient_ref`,
/// as the gateway sees it at `now_ms` (Unix ms).
#[must_use]
pub fn resource(
    tag: &ConsentTag,
    encoded: &[u8],
    digest_hex: &str,
    patient_ref: &str,
    now_ms: u64,
) -> Value {
    let expired = tag.valid_until != Timestamp::MAX && now_ms / 1000 > tag.valid_until.as_secs();
    let actors: Vec<Value> = Role::ALL
        .iter()
        .filter(|r| tag.roles.contains(**r))
        .map(|r| {
            json!({
                "role": { "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                    "code": "IRCP", "display": "information recipient"
                }]},
                "reference": { "display": format!("{r:?}").to_lowercase() }
            })
        })
        .collect();
    let actions: Vec<Value> = Action::ALL
        .iter()
        .filter(|a| tag.actions.contains(**a))
        .map(|a| json!({ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": a.fhir_code()
        }]}))
        .collect();
    let purposes: Vec<Value> = Purpose::ALL
        .iter()
        .filter(|p| tag.purposes.contains(**p))
        .map(|p| json!({ "system": ACT_REASON_SYSTEM, "code": p.hl7_code() }))
        .collect();
    let classes: Vec<Value> = DataClass::ALL
        .iter()
        .filter(|c| tag.classes.contains(**c))
        .map(
            |c| json!({ "system": "urn:iomt:data-class", "code": format!("{c:?}").to_lowercase() }),
        )
        .collect();
    let mut period = json!({ "start": instant(tag.valid_from.as_secs().saturating_mul(1000)) });
    if let Some(end) = period_end(tag.valid_until) {
        period["end"] = json!(end);
    }
    let mut c = json!({
        "resourceType": "Consent",
        "id": digest_hex,
        "meta": { "versionId": tag.revision.to_string() },
        "identifier": [{ "system": CONSENT_TAG_SYSTEM, "value": digest_hex }],
        "status": if expired { "inactive" } else { "active" },
        "scope": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "patient-privacy", "display": "Privacy Consent"
        }]},
        "category": [{ "coding": [{ "system": "http://loinc.org", "code": "59284-0" }] }],
        "patient": { "reference": patient_ref },
        "dateTime": instant(tag.valid_from.as_secs().saturating_mul(1000)),
        "sourceAttachment": {
            "contentType": "application/octet-stream",
            "data": base64(encoded),
            "title": "iomt consent tag (canonical encoding; SHA-256 = id)"
        },
        "policyRule": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"
        }]},
        "provision": {
            "type": if tag.effect == Effect::Permit { "permit" } else { "deny" },
            "period": period,
            "actor": actors,
            "action": actions,
            "securityLabel": [{ "system": CONFIDENTIALITY_SYSTEM, "code": tag.confidentiality.hl7_code() }],
            "purpose": purposes,
            "class": classes
        }
    });
    if tag.break_glass {
        c["policy"] = json!([{ "uri": BREAK_GLASS_POLICY }]);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }
}
