//! The compact consent tag ([`ConsentTag`]) and its strict wire encoding.
//!
//! # Wire format (versions 1 and 2, postcard)
//! Fields in this order; `varint` is postcard's LEB128 (unsigned), `u8` one raw byte.
//! Version 2 (issued by a consent authority, [`CONSENT_TAG_VERSION`]) inserts the
//! [`ConsentBinding`] before the signature; version 1 ([`CONSENT_TAG_VERSION_UNBOUND`])
//! has no binding and is still decoded, but a gateway's verifier refuses it
//! (`iomt_auth::consent`).
//!
//! | field | encoding | bytes |
//! |---|---|---|
//! | version (= 1) | u8 | 1 |
//! | consent_ref (SHA-256 of the full consent record) | 32 raw bytes | 32 |
//! | revision | varint u32 | 1–5 |
//! | effect (0 deny, 1 permit) | u8 | 1 |
//! | valid_from, valid_until (Unix seconds) | varint u64 each | 1–10 each (5 for 2026) |
//! | purposes ([`PurposeSet`] bits) | varint u32 | 1–5 |
//! | roles ([`RoleSet`] bits) | varint u16 | 1–3 |
//! | actions, classes (bits), confidentiality (code) | u8 each | 3 |
//! | break_glass | u8 (0/1) | 1 |
//! | patient (v2 only) | varint len 1..=16 + bytes | 2–17 |
//! | device (v2 only) | 8 raw bytes ([`DeviceRef`]) | 8 |
//! | signature | 0, or 1 + key-id (varint len 1..=8 + bytes) + 64-byte ES256 `r‖s` | 1 or 75–82 |
//!
//! A typical unsigned version-1 tag is **52 bytes** (measured by the test `typical_unsigned_tag_size`): the
//! 32-byte digest plus two 5-byte timestamps already take 42. The ≤ 40-byte target in the design
//! brief would need a truncated digest (e.g. 16 bytes, 64-bit collision resistance) or relative
//! times; we keep the full SHA-256 and absolute times. A typical version-2 tag with an
//! 8-byte patient id is 69 bytes unsigned and **142 bytes signed** (8-byte key id; test
//! `bound_tag_sizes`). [`MAX_CONSENT_TAG_LEN`] bounds every tag.
//!
//! # Strict decoding
//! [`ConsentTag::decode`] rejects: a version other than 1, truncation or malformed varints, bytes
//! after the tag, unknown bits in any bitset, invalid effect/confidentiality codes, bool/option
//! bytes other than 0/1, `valid_from > valid_until`, an empty key id or patient id, and any non-canonical
//! (overlong-varint) encoding — so one tag has exactly one encoding, which matters because the
//! encoded tag is authenticated (frame AAD, issuer signature).
//!
//! # Signature
//! The optional [`IssuerSignature`] is an ES256 signature by the consent authority over
//! [`ConsentTag::signing_input`] (the encoding of the same tag with `signature: None`,
//! prefixed by a context string in `iomt_auth::consent`). This crate only carries it;
//! `iomt_auth::consent::ConsentVerifier` verifies it.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use postcard::experimental::max_size::MaxSize;
use serde::{Deserialize, Serialize};

use super::binding::{ConsentBinding, DeviceRef, MAX_PATIENT_ID_LEN, PatientId};
use super::{ActionSet, Confidentiality, DataClassSet, Effect, PurposeSet};
use crate::{CoreError, RoleSet, Timestamp};

/// The tag encoding version of authority-issued tags (bound to patient and device).
pub const CONSENT_TAG_VERSION: u8 = 2;

/// The legacy, unbound tag version (decoded; refused by a gateway's consent verifier).
pub const CONSENT_TAG_VERSION_UNBOUND: u8 = 1;

/// Maximum length of an encoded [`ConsentTag`] (version 2, largest patient id and
/// signature): 170 bytes.
pub const MAX_CONSENT_TAG_LEN: usize = WireV2::POSTCARD_MAX_SIZE;

const _: () = assert!(Wire::POSTCARD_MAX_SIZE <= WireV2::POSTCARD_MAX_SIZE);

/// Maximum issuer key-id length.
pub const MAX_KEY_ID_LEN: usize = 8;

/// The 32-byte digest (SHA-256) of the full consent record the tag summarizes (e.g. the
/// canonical JSON of a FHIR `Consent` resource version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConsentRef(pub [u8; 32]);

/// An issuer key identifier (1..=8 bytes, e.g. a COSE `kid`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyId(heapless::Vec<u8, MAX_KEY_ID_LEN>);

impl KeyId {
    /// From 1..=8 bytes.
    ///
    /// # Errors
    /// [`CoreError::InvalidKeyId`] if empty, [`CoreError::CapacityExceeded`] if longer than 8.
    pub fn new(bytes: &[u8]) -> Result<Self, CoreError> {
        if bytes.is_empty() {
            return Err(CoreError::InvalidKeyId);
        }
        heapless::Vec::from_slice(bytes)
            .map(Self)
            .map_err(|_| CoreError::CapacityExceeded)
    }

    /// The key-id bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A 64-byte ES256 signature (`r ‖ s`, big-endian, as in COSE).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(pub [u8; 64]);

impl core::fmt::Debug for Signature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let head = self.0.first_chunk::<4>().copied().unwrap_or_default();
        write!(f, "Signature({:08x}…)", u32::from_be_bytes(head))
    }
}

impl Serialize for Signature {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (a, b) = self.0.split_at(32);
        // Two 32-byte arrays: serde implements arrays up to 32; postcard writes them raw.
        let a: [u8; 32] = a
            .try_into()
            .map_err(|_| serde::ser::Error::custom("split"))?;
        let b: [u8; 32] = b
            .try_into()
            .map_err(|_| serde::ser::Error::custom("split"))?;
        (a, b).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (a, b) = <([u8; 32], [u8; 32])>::deserialize(deserializer)?;
        let mut out = [0u8; 64];
        let (lo, hi) = out.split_at_mut(32);
        lo.copy_from_slice(&a);
        hi.copy_from_slice(&b);
        Ok(Self(out))
    }
}

impl MaxSize for Signature {
    const POSTCARD_MAX_SIZE: usize = 64;
}

/// Issuer key id plus signature (verified in `iomt-auth`, not here).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssuerSignature {
    /// Which issuer key signed.
    pub key_id: KeyId,
    /// The ES256 signature over [`ConsentTag::signing_input`].
    pub signature: Signature,
}

/// A compact, self-contained summary of one consent provision, bound to the full record by digest.
///
/// Fields are public for construction; [`ConsentTag::encode`] checks the invariants
/// (`version == 1`, `valid_from <= valid_until`) and [`ConsentTag::decode`] enforces all of them.
///
/// ```
/// use iomt_core::*;
/// let tag = ConsentTag::permit(ConsentRef([7; 32]), 3, Timestamp::from_secs(1_800_000_000),
///         Timestamp::from_secs(1_831_536_000))
///     .with_purposes(PurposeSet::only(Purpose::Treatment))
///     .with_roles(RoleSet::only(Role::Clinician).with(Role::Nurse))
///     .with_actions(ActionSet::only(Action::Access))
///     .with_classes(DataClassSet::only(DataClass::Vitals));
/// let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
/// let n = tag.encode(&mut buf)?;
/// assert_eq!(n, 52);
/// assert_eq!(ConsentTag::decode(&buf[..n])?, tag);
/// # Ok::<(), CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConsentTag {
    /// Encoding version: [`CONSENT_TAG_VERSION`] (bound) or
    /// [`CONSENT_TAG_VERSION_UNBOUND`] (legacy).
    pub version: u8,
    /// Digest of the full consent record.
    pub consent_ref: ConsentRef,
    /// Revision of the consent (higher supersedes lower).
    pub revision: u32,
    /// Permit or deny.
    pub effect: Effect,
    /// Start of validity (inclusive).
    pub valid_from: Timestamp,
    /// End of validity (exclusive).
    pub valid_until: Timestamp,
    /// Purposes of use covered.
    pub purposes: PurposeSet,
    /// Recipient roles covered.
    pub roles: RoleSet,
    /// Actions covered.
    pub actions: ActionSet,
    /// Data classes covered.
    pub classes: DataClassSet,
    /// Confidentiality label of the covered data (informational; not used by `evaluate`).
    pub confidentiality: Confidentiality,
    /// Whether break-glass (ETREAT/BTG by a clinical role) may override this tag.
    pub break_glass: bool,
    /// The patient and device (version 2 only; `None` exactly for version 1).
    pub binding: Option<ConsentBinding>,
    /// Optional issuer signature.
    pub signature: Option<IssuerSignature>,
}

impl ConsentTag {
    /// A legacy (version 1, unbound) permit tag with empty scope sets (so it permits
    /// nothing until scopes are added), confidentiality Normal, no break-glass, no
    /// signature. [`Self::bound_to`] makes it a version-2 tag.
    #[must_use]
    pub const fn permit(
        consent_ref: ConsentRef,
        revision: u32,
        valid_from: Timestamp,
        valid_until: Timestamp,
    ) -> Self {
        Self {
            version: CONSENT_TAG_VERSION_UNBOUND,
            consent_ref,
            revision,
            effect: Effect::Permit,
            valid_from,
            valid_until,
            purposes: PurposeSet::EMPTY,
            roles: RoleSet::EMPTY,
            actions: ActionSet::EMPTY,
            classes: DataClassSet::EMPTY,
            confidentiality: Confidentiality::Normal,
            break_glass: false,
            binding: None,
            signature: None,
        }
    }

    /// Binds the tag to a patient and a device (version 2).
    #[must_use]
    pub fn bound_to(mut self, patient: PatientId, device: DeviceRef) -> Self {
        self.version = CONSENT_TAG_VERSION;
        self.binding = Some(ConsentBinding { patient, device });
        self
    }

    /// Like [`Self::permit`] with effect deny.
    #[must_use]
    pub const fn deny(
        consent_ref: ConsentRef,
        revision: u32,
        valid_from: Timestamp,
        valid_until: Timestamp,
    ) -> Self {
        let mut t = Self::permit(consent_ref, revision, valid_from, valid_until);
        t.effect = Effect::Deny;
        t
    }

    /// Sets the purposes.
    #[must_use]
    pub const fn with_purposes(mut self, purposes: PurposeSet) -> Self {
        self.purposes = purposes;
        self
    }

    /// Sets the roles.
    #[must_use]
    pub const fn with_roles(mut self, roles: RoleSet) -> Self {
        self.roles = roles;
        self
    }

    /// Sets the actions.
    #[must_use]
    pub const fn with_actions(mut self, actions: ActionSet) -> Self {
        self.actions = actions;
        self
    }

    /// Sets the data classes.
    #[must_use]
    pub const fn with_classes(mut self, classes: DataClassSet) -> Self {
        self.classes = classes;
        self
    }

    /// Sets the confidentiality label.
    #[must_use]
    pub const fn with_confidentiality(mut self, confidentiality: Confidentiality) -> Self {
        self.confidentiality = confidentiality;
        self
    }

    /// Sets whether break-glass may override the tag.
    #[must_use]
    pub const fn with_break_glass(mut self, allowed: bool) -> Self {
        self.break_glass = allowed;
        self
    }

    /// Checks the invariants `encode` relies on.
    ///
    /// # Errors
    /// [`CoreError::UnsupportedVersion`], [`CoreError::Malformed`] (a binding on a version-1
    /// tag or none on a version-2 tag) or [`CoreError::InvalidValidity`].
    pub fn validate(&self) -> Result<(), CoreError> {
        match (self.version, &self.binding) {
            (CONSENT_TAG_VERSION_UNBOUND, None) | (CONSENT_TAG_VERSION, Some(_)) => {}
            (CONSENT_TAG_VERSION_UNBOUND | CONSENT_TAG_VERSION, _) => {
                return Err(CoreError::Malformed);
            }
            (version, _) => return Err(CoreError::UnsupportedVersion { version }),
        }
        if self.valid_from > self.valid_until {
            return Err(CoreError::InvalidValidity);
        }
        Ok(())
    }

    /// Encodes into `buf`, returning the length written.
    ///
    /// # Errors
    /// [`CoreError::BufferTooSmall`] (with the exact length needed), or a [`Self::validate`] error.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, CoreError> {
        self.validate()?;
        match WireV2::try_from(self) {
            Ok(v2) => crate::codec::encode(&v2, buf),
            Err(()) => crate::codec::encode(&Wire::from(self), buf),
        }
    }

    /// The bytes an issuer signs: the encoding of this tag with `signature: None`.
    ///
    /// # Errors
    /// As [`Self::encode`].
    pub fn signing_input(&self, buf: &mut [u8]) -> Result<usize, CoreError> {
        let mut unsigned = self.clone();
        unsigned.signature = None;
        unsigned.encode(buf)
    }

    /// Strictly decodes exactly one tag from `bytes` (see the [module docs](self)).
    ///
    /// # Errors
    /// [`CoreError::UnsupportedVersion`], [`CoreError::Malformed`], [`CoreError::TrailingBytes`],
    /// [`CoreError::UnknownBits`], [`CoreError::InvalidCode`], [`CoreError::InvalidValidity`],
    /// [`CoreError::InvalidKeyId`] or [`CoreError::NonCanonical`].
    pub fn decode(bytes: &[u8]) -> Result<Self, CoreError> {
        match bytes.first() {
            None => return Err(CoreError::Malformed),
            Some(&CONSENT_TAG_VERSION_UNBOUND | &CONSENT_TAG_VERSION) => {}
            Some(&version) => return Err(CoreError::UnsupportedVersion { version }),
        }
        let tag = if bytes.first() == Some(&CONSENT_TAG_VERSION) {
            Self::try_from(crate::codec::decode::<WireV2>(bytes)?)?
        } else {
            Self::try_from(crate::codec::decode::<Wire>(bytes)?)?
        };
        let mut again = [0u8; MAX_CONSENT_TAG_LEN];
        let n = tag.encode(&mut again)?;
        if again.get(..n) != Some(bytes) {
            return Err(CoreError::NonCanonical);
        }
        Ok(tag)
    }

    /// The encoded length of this tag.
    ///
    /// # Errors
    /// A [`Self::validate`] error.
    pub fn encoded_len(&self) -> Result<usize, CoreError> {
        self.validate()?;
        match WireV2::try_from(self) {
            Ok(v2) => postcard::experimental::serialized_size(&v2),
            Err(()) => postcard::experimental::serialized_size(&Wire::from(self)),
        }
        .map_err(|_| CoreError::Malformed)
    }
}

/// The wire layout (raw integers, validated by `TryFrom<Wire> for ConsentTag`).
#[derive(Serialize, Deserialize, MaxSize)]
struct Wire {
    version: u8,
    consent_ref: [u8; 32],
    revision: u32,
    effect: u8,
    valid_from: u64,
    valid_until: u64,
    purposes: u32,
    roles: u16,
    actions: u8,
    classes: u8,
    confidentiality: u8,
    break_glass: bool,
    signature: Option<WireSignature>,
}

/// The signature's wire layout (shared with `withdrawal`).
#[derive(Serialize, Deserialize, MaxSize)]
pub(crate) struct WireSignature {
    pub(crate) key_id: heapless::Vec<u8, MAX_KEY_ID_LEN>,
    pub(crate) signature: Signature,
}

impl From<&ConsentTag> for Wire {
    fn from(t: &ConsentTag) -> Self {
        Self {
            version: t.version,
            consent_ref: t.consent_ref.0,
            revision: t.revision,
            effect: t.effect.code(),
            valid_from: t.valid_from.as_secs(),
            valid_until: t.valid_until.as_secs(),
            purposes: t.purposes.bits(),
            roles: t.roles.bits(),
            actions: t.actions.bits(),
            classes: t.classes.bits(),
            confidentiality: t.confidentiality.code(),
            break_glass: t.break_glass,
            signature: t.signature.as_ref().map(|s| WireSignature {
                key_id: s.key_id.0.clone(),
                signature: s.signature,
            }),
        }
    }
}

impl TryFrom<Wire> for ConsentTag {
    type Error = CoreError;
    fn try_from(w: Wire) -> Result<Self, CoreError> {
        let tag = Self {
            version: w.version,
            consent_ref: ConsentRef(w.consent_ref),
            revision: w.revision,
            effect: Effect::from_code(w.effect)?,
            valid_from: Timestamp::from_secs(w.valid_from),
            valid_until: Timestamp::from_secs(w.valid_until),
            purposes: PurposeSet::from_bits(w.purposes)?,
            roles: RoleSet::from_bits(w.roles)?,
            actions: ActionSet::from_bits(w.actions)?,
            classes: DataClassSet::from_bits(w.classes)?,
            confidentiality: Confidentiality::from_code(w.confidentiality)?,
            break_glass: w.break_glass,
            binding: None,
            signature: issuer_signature(w.signature)?,
        };
        tag.validate()?;
        Ok(tag)
    }
}

pub(crate) fn issuer_signature(
    w: Option<WireSignature>,
) -> Result<Option<IssuerSignature>, CoreError> {
    match w {
        None => Ok(None),
        Some(s) => Ok(Some(IssuerSignature {
            key_id: KeyId::new(&s.key_id)?,
            signature: s.signature,
        })),
    }
}

/// The version-2 wire layout: version 1's fields plus the binding before the signature.
#[derive(Serialize, Deserialize, MaxSize)]
struct WireV2 {
    version: u8,
    consent_ref: [u8; 32],
    revision: u32,
    effect: u8,
    valid_from: u64,
    valid_until: u64,
    purposes: u32,
    roles: u16,
    actions: u8,
    classes: u8,
    confidentiality: u8,
    break_glass: bool,
    patient: heapless::Vec<u8, MAX_PATIENT_ID_LEN>,
    device: [u8; 8],
    signature: Option<WireSignature>,
}

impl TryFrom<&ConsentTag> for WireV2 {
    type Error = ();
    /// `Err(())` for an unbound (version 1) tag.
    fn try_from(t: &ConsentTag) -> Result<Self, ()> {
        let binding = t.binding.as_ref().ok_or(())?;
        let w = Wire::from(t);
        Ok(Self {
            version: w.version,
            consent_ref: w.consent_ref,
            revision: w.revision,
            effect: w.effect,
            valid_from: w.valid_from,
            valid_until: w.valid_until,
            purposes: w.purposes,
            roles: w.roles,
            actions: w.actions,
            classes: w.classes,
            confidentiality: w.confidentiality,
            break_glass: w.break_glass,
            patient: binding.patient.0.clone(),
            device: binding.device.0,
            signature: w.signature,
        })
    }
}

impl TryFrom<WireV2> for ConsentTag {
    type Error = CoreError;
    fn try_from(w: WireV2) -> Result<Self, CoreError> {
        let patient = PatientId::new(&w.patient)?;
        let mut tag = Self::try_from(Wire {
            version: CONSENT_TAG_VERSION_UNBOUND,
            consent_ref: w.consent_ref,
            revision: w.revision,
            effect: w.effect,
            valid_from: w.valid_from,
            valid_until: w.valid_until,
            purposes: w.purposes,
            roles: w.roles,
            actions: w.actions,
            classes: w.classes,
            confidentiality: w.confidentiality,
            break_glass: w.break_glass,
            signature: w.signature,
        })?;
        if w.version != CONSENT_TAG_VERSION {
            return Err(CoreError::UnsupportedVersion { version: w.version });
        }
        tag.version = CONSENT_TAG_VERSION;
        tag.binding = Some(ConsentBinding {
            patient,
            device: DeviceRef(w.device),
        });
        tag.validate()?;
        Ok(tag)
    }
}

impl Serialize for ConsentTag {
    /// Same bytes as [`ConsentTag::encode`] (so a tag can be embedded in other postcard messages).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match WireV2::try_from(self) {
            Ok(v2) => v2.serialize(serializer),
            Err(()) => Wire::from(self).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ConsentTag {
    /// Validates like [`ConsentTag::decode`] except the canonical-encoding check.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The version (first field) decides whether the binding fields follow, so read
        // the fields one by one as a tuple (postcard writes structs as plain sequences).
        deserializer.deserialize_tuple(15, TagVisitor)
    }
}

struct TagVisitor;

impl<'de> serde::de::Visitor<'de> for TagVisitor {
    type Value = ConsentTag;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a consent tag")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ConsentTag, A::Error> {
        fn next<'de, T: Deserialize<'de>, A: serde::de::SeqAccess<'de>>(
            seq: &mut A,
        ) -> Result<T, A::Error> {
            seq.next_element()?
                .ok_or_else(|| serde::de::Error::custom("truncated consent tag"))
        }
        let version: u8 = next(&mut seq)?;
        let wire = Wire {
            version,
            consent_ref: next(&mut seq)?,
            revision: next(&mut seq)?,
            effect: next(&mut seq)?,
            valid_from: next(&mut seq)?,
            valid_until: next(&mut seq)?,
            purposes: next(&mut seq)?,
            roles: next(&mut seq)?,
            actions: next(&mut seq)?,
            classes: next(&mut seq)?,
            confidentiality: next(&mut seq)?,
            break_glass: next(&mut seq)?,
            signature: None,
        };
        let tag = if version == CONSENT_TAG_VERSION {
            let patient: heapless::Vec<u8, MAX_PATIENT_ID_LEN> = next(&mut seq)?;
            let device: [u8; 8] = next(&mut seq)?;
            let signature = next(&mut seq)?;
            ConsentTag::try_from(WireV2 {
                version,
                consent_ref: wire.consent_ref,
                revision: wire.revision,
                effect: wire.effect,
                valid_from: wire.valid_from,
                valid_until: wire.valid_until,
                purposes: wire.purposes,
                roles: wire.roles,
                actions: wire.actions,
                classes: wire.classes,
                confidentiality: wire.confidentiality,
                break_glass: wire.break_glass,
                patient,
                device,
                signature,
            })
        } else {
            let signature = next(&mut seq)?;
            ConsentTag::try_from(Wire { signature, ..wire })
        };
        tag.map_err(serde::de::Error::custom)
    }
}

impl MaxSize for ConsentTag {
    const POSTCARD_MAX_SIZE: usize = MAX_CONSENT_TAG_LEN;
}
