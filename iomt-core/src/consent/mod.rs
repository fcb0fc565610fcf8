//! Consent tags: a compact, signed-able summary of a patient's consent that travels with the data,
//! and its evaluation.
//!
//! - [`tag`]: [`ConsentTag`] and its strict encoding ([`MAX_CONSENT_TAG_LEN`]).
//! - [`binding`]: the patient and device a version-2 tag names ([`ConsentBinding`]).
//! - [`withdrawal`]: [`ConsentWithdrawal`], the authority's signed "consent withdrawn" notice.
//! - [`purpose`]: HL7 v3 PurposeOfUse ([`Purpose`], [`PurposeSet`]) with stable bit positions.
//! - [`scope`]: [`Action`], [`DataClass`] and their sets, [`Confidentiality`].
//! - [`evaluate`](mod@evaluate): default-deny [`evaluate()`](fn@evaluate) → [`Decision`].
//!
//! # Mapping to and from FHIR `Consent` (R4/R5)
//!
//! | `ConsentTag` field | FHIR `Consent` | Notes |
//! |---|---|---|
//! | `consent_ref` | the record (`Consent/<id>`) | A 32-byte digest naming the consent record, the same for every version of it (the demo authority: SHA-256 of a context string and `Consent/<id>`), so revisions of one consent are ordered; resolves the tag to its record. |
//! | `revision` | `meta.versionId` | Must be an integer; a gateway that sees a higher one sets `AccessRequest::latest_revision`. |
//! | `effect` | `provision.type` (R5: `decision`) | `permit` / `deny`. Nested provisions become separate tags. |
//! | `valid_from`, `valid_until` | `provision.period.start` / `.end` (R5: `period`) | Unix seconds; an open end maps to [`Timestamp::MAX`](crate::Timestamp::MAX). |
//! | `purposes` | `provision.purpose` (Coding, system `v3-ActReason`) | Each supported code ↔ one bit; unsupported codes can't be represented — the gateway must refuse to build a tag rather than drop them (dropping a purpose from a *permit* narrows it, from a *deny* widens access). |
//! | `roles` | `provision.actor.role` | Mapped by the gateway's role table (e.g. v3-ParticipationType `PRCP`/`IRCP` + practitioner role → [`Role`](crate::Role)); `actor.reference` (specific people) is not carried — identity checks happen in `iomt-auth`. |
//! | `actions` | `provision.action` (system `consentaction`) | `collect`, `access`, `use`, `disclose`; `correct` is not supported. |
//! | `classes` | `provision.class` / `provision.data` | Device data classes ([`DataClass`]); the gateway maps resource types/codes to them. |
//! | `confidentiality` | `provision.securityLabel` (system `v3-Confidentiality`) | One of U/L/M/N/R/V. |
//! | `break_glass` | no direct field | Set when the policy (`Consent.policy`/`policyBasis`) allows emergency override. |
//! | `binding.patient` | `subject` (R5; R4 `patient`) | A pseudonymous id the authority derives (e.g. keyed hash of the identifier), never the identifier itself. |
//! | `binding.device` | `provision.data` / the device the consent was registered for | `subject_of(device identity)`: the 8-byte hash the audit log names the device by. |
//! | `signature` | a `Provenance`/signature over the tag | ES256 by the consent authority; verified by `iomt_auth::consent::ConsentVerifier`. |
//!
//! Going back (tag → FHIR) yields a `Consent` skeleton with `status = active`, one provision with
//! the fields above, and `sourceReference`/identifier resolved via `consent_ref`.

pub mod binding;
pub mod evaluate;
pub mod purpose;
pub mod scope;
pub mod tag;
pub mod withdrawal;

pub use binding::{ConsentBinding, DeviceRef, MAX_PATIENT_ID_LEN, PatientId};
pub use evaluate::{AccessRequest, BreakGlassGrant, Decision, DenyReason, evaluate};
pub use purpose::{Purpose, PurposeSet};
pub use scope::{Action, ActionSet, Confidentiality, DataClass, DataClassSet, Effect};
pub use tag::{
    CONSENT_TAG_VERSION, CONSENT_TAG_VERSION_UNBOUND, ConsentRef, ConsentTag, IssuerSignature,
    KeyId, MAX_CONSENT_TAG_LEN, MAX_KEY_ID_LEN, Signature,
};
pub use withdrawal::{ConsentWithdrawal, MAX_WITHDRAWAL_LEN};
