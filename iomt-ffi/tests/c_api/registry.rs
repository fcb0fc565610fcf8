//! One code registry: every library error's `code()` is unique per meaning across the
//! crates, lies in its class's range, and equals the `iomt_result` the C API returns for
//! it (the C mapping is `iomt_result::from_code(e.code())`, so this also checks that the
//! header names every library code). Shared meanings have one code on purpose: a short
//! buffer (2), a call in the wrong state (5), a crypto failure wrapped by another layer
//! (its crypto code), "nothing was allowed because the audit record could not be
//! written" (504), "a permit for another operation" (505), and "the channel of this key
//! epoch already started" (335, raised by iomt-auth and iomt-proto alike).

use std::collections::BTreeMap;

use ::iomt_crypto::CryptoError;
use iomt_auth::AuthError;
use iomt_auth::audit::AuditError;
use iomt_auth::cred::RevocationError;
use iomt_auth::error::{ApiMisuse as AuthMisuse, CborError, PeerMisbehaved as AuthPeer};
use iomt_auth::factor::FactorError;
use iomt_auth::rbac::{BreakGlassError, RbacDenyReason};
use iomt_auth::update::UpdateError;
use iomt_core::consent::DenyReason;
use iomt_core::{CoreError, Timestamp, Unit, VitalKind};
use iomt_proto::{
    ApiMisuse as ProtoMisuse, LimitKind, PeerMisbehaved as ProtoPeer, ProtoError, Rejection,
    WireError,
};

use super::*;

const SHARED: [u16; 6] = [2, 5, 335, 504, 505, 0];

fn crypto() -> Vec<CryptoError> {
    use CryptoError::*;
    vec![
        InvalidLength,
        InvalidPublicKey,
        InvalidPrivateKey,
        InvalidSignature,
        AuthenticationFailed,
        Rng,
        KeyUnavailable,
        Unsupported,
    ]
}

/// (name, code, C value) of every variant of every library error.
fn every_library_error() -> Vec<(String, u16, u32)> {
    let mut all = Vec::new();
    let mut add = |name: String, code: u16, c: iomt_result| all.push((name, code, c as u32));
    for e in crypto() {
        add(format!("{e:?}"), e.code(), e.into());
    }
    let kind = VitalKind::HeartRate;
    for e in [
        CoreError::Implausible { kind },
        CoreError::WrongUnit {
            kind,
            unit: Unit::Percent,
        },
        CoreError::NotFinite,
        CoreError::NotRepresentable,
        CoreError::CapacityExceeded,
        CoreError::BufferTooSmall { needed: 1 },
        CoreError::Malformed,
        CoreError::TrailingBytes,
        CoreError::UnknownBits,
        CoreError::InvalidCode,
        CoreError::InvalidValidity,
        CoreError::UnsupportedVersion { version: 9 },
        CoreError::NonCanonical,
        CoreError::InvalidSampleRate,
        CoreError::InvalidKeyId,
        CoreError::WaveformUnit {
            unit: Unit::Kilogram,
        },
    ] {
        add(format!("core {e:?}"), e.code(), e.into());
    }
    let mut auth = vec![
        AuthError::AuthenticationFailed,
        AuthError::UnknownCredential,
        AuthError::PeerError { code: 1 },
        AuthError::PeerRefused(iomt_auth::edhoc::Refusal::MethodNotBuilt),
        AuthError::BufferTooSmall { needed: 1 },
    ];
    auth.extend(
        [
            AuthPeer::Cbor(CborError::Truncated),
            AuthPeer::InvalidMessage,
            AuthPeer::InvalidConnectionId,
            AuthPeer::InvalidIdCred,
            AuthPeer::UnsupportedIdCred,
            AuthPeer::InvalidPublicKey,
            AuthPeer::UnsupportedMethod,
            AuthPeer::WrongSelectedSuite,
            AuthPeer::UnknownCriticalEad,
            AuthPeer::InvalidCredential,
            AuthPeer::TooLarge,
            AuthPeer::UnexpectedErrorMessage,
        ]
        .map(AuthError::PeerMisbehaved),
    );
    auth.extend(
        [
            AuthMisuse::WrongState,
            AuthMisuse::InvalidConfig,
            AuthMisuse::ConnectionIdTooLong,
            AuthMisuse::InvalidLocalCredential,
            AuthMisuse::InvalidExporterRequest,
            AuthMisuse::InvalidEad,
            AuthMisuse::ChannelAlreadyStarted,
            AuthMisuse::ReservedExporterLabel,
            AuthMisuse::MethodNotBuilt,
        ]
        .map(AuthError::ApiMisuse),
    );
    auth.extend(crypto().into_iter().map(AuthError::Crypto));
    auth.extend(
        [
            RbacDenyReason::NoRole,
            RbacDenyReason::NotPermitted,
            RbacDenyReason::FactorRequired,
            RbacDenyReason::LockedOut,
            RbacDenyReason::AuditUnavailable,
            RbacDenyReason::PermitInvalid,
            RbacDenyReason::PermitSpent,
            RbacDenyReason::PermitMalformed,
            RbacDenyReason::PermitUnavailable,
        ]
        .map(AuthError::Denied),
    );
    auth.extend(
        [
            FactorError::Absent,
            FactorError::Malformed,
            FactorError::Mismatch,
            FactorError::LockedOut {
                until: Timestamp::from_secs(1),
            },
            FactorError::Storage,
            FactorError::DeviceIdTooLong,
            FactorError::InvalidPolicy,
            FactorError::BufferTooSmall { needed: 1 },
        ]
        .map(AuthError::Factor),
    );
    auth.extend(
        [
            BreakGlassError::NotEmergency,
            BreakGlassError::Expired,
            BreakGlassError::ConsentDenied(DenyReason::Expired),
            BreakGlassError::AuditUnavailable,
        ]
        .map(AuthError::BreakGlass),
    );
    auth.extend(
        [
            AuditError::Storage,
            AuditError::SequenceExhausted,
            AuditError::Corrupt { seq: 1 },
            AuditError::NotHeld { seq: 1 },
            AuditError::BufferTooSmall { needed: 1 },
            AuditError::Malformed,
            AuditError::UnsupportedVersion,
            AuditError::SignatureInvalid,
            AuditError::ChallengeMismatch,
            AuditError::DeviceMismatch,
            AuditError::Unaccounted,
            AuditError::SequenceGap {
                expected: 1,
                found: 2,
            },
            AuditError::TooManyRecords,
            AuditError::Incomplete { missing: 1 },
            AuditError::ChainMismatch,
            AuditError::WrongPermit,
            AuditError::Crypto(CryptoError::Rng),
            AuditError::CheckpointRegression {
                checkpoint: 2,
                export: 1,
            },
            AuditError::CheckpointFork { seq: 1 },
            AuditError::CheckpointGap { lost: 1 },
            AuditError::RingInconsistent,
        ]
        .map(AuthError::Audit),
    );
    auth.extend(
        [
            RevocationError::Malformed,
            RevocationError::NonDeterministic,
            RevocationError::UnsupportedAlgorithm,
            RevocationError::UnknownSigner,
            RevocationError::BadSignature,
            RevocationError::TooManyEntries,
            RevocationError::Older,
            RevocationError::SameNumber,
            RevocationError::Revoked,
            RevocationError::BufferTooSmall { needed: 1 },
        ]
        .map(AuthError::Revocation),
    );
    auth.extend(
        [
            UpdateError::Malformed,
            UpdateError::NonDeterministic,
            UpdateError::TrailingBytes,
            UpdateError::UnsupportedAlgorithm,
            UpdateError::UnknownSigner,
            UpdateError::BadSignature,
            UpdateError::WrongVendor,
            UpdateError::WrongDeviceClass,
            UpdateError::Downgrade,
            UpdateError::SameVersion,
            UpdateError::BaseTooOld,
            UpdateError::ImageTooLong,
            UpdateError::ImageTruncated,
            UpdateError::DigestMismatch,
            UpdateError::WrongPermit,
            UpdateError::Counter,
            UpdateError::AuditUnavailable,
            UpdateError::BufferTooSmall { needed: 1 },
            UpdateError::Crypto(CryptoError::Rng),
        ]
        .map(AuthError::Update),
    );
    for e in auth {
        add(format!("auth {e:?}"), e.code(), e.into());
    }
    let mut proto = vec![
        ProtoError::AuthenticationFailed,
        ProtoError::BufferTooSmall { needed: 1 },
        ProtoError::Closed,
        ProtoError::KeyExport,
        ProtoError::ConnIdNotOneByte { len: 2 },
        ProtoError::LimitReached(LimitKind::Forgery),
        ProtoError::LimitReached(LimitKind::Epoch),
    ];
    proto.extend(
        [
            WireError::Truncated,
            WireError::UnsupportedVersion(9),
            WireError::UnknownFrameType(9),
            WireError::ReservedBitSet,
            WireError::NonMinimalSequence,
        ]
        .map(ProtoError::Malformed),
    );
    proto.extend(
        [
            Rejection::WrongConnectionId {
                expected: 1,
                got: 2,
            },
            Rejection::Replayed,
            Rejection::TooOld,
            Rejection::WrongEpoch,
            Rejection::FrameTooLarge,
            Rejection::ConsentSlotEmpty(1),
            Rejection::ConsentSlotInvalid(9),
            Rejection::UnknownConnection(3),
            Rejection::ConsentOutOfOrder(0),
        ]
        .map(ProtoError::Rejected),
    );
    proto.extend(
        [
            ProtoPeer::InvalidConsentTag,
            ProtoPeer::InvalidPayload,
            ProtoPeer::UnexpectedFrame,
        ]
        .map(ProtoError::PeerMisbehaved),
    );
    proto.extend(
        [
            ProtoMisuse::PayloadTooLarge,
            ProtoMisuse::InvalidSlot,
            ProtoMisuse::SlotNotOwned,
            ProtoMisuse::SlotEmpty,
            ProtoMisuse::InvalidConsentTag,
            ProtoMisuse::UnsupportedAlgorithm,
            ProtoMisuse::ChannelAlreadyStarted,
        ]
        .map(ProtoError::ApiMisuse),
    );
    proto.extend(crypto().into_iter().map(ProtoError::Crypto));
    {
        use iomt_proto::FragmentError as F;
        proto.extend(
            [
                F::Malformed,
                F::TooLarge,
                F::Overlap,
                F::Conflict,
                F::Stale,
                F::Interleaved,
                F::Truncated,
                F::MtuTooSmall,
                F::EmptyUnit,
            ]
            .map(ProtoError::Fragment),
        );
    }
    {
        use iomt_auth::consent::ConsentError as C;
        for e in [
            C::Malformed,
            C::Unbound,
            C::Unsigned,
            C::UnknownAuthority,
            C::BadSignature,
            C::OtherDevice,
            C::OtherPatient,
            C::NotYetValid,
            C::Expired,
            C::OlderRevision,
            C::Withdrawn,
            C::NotVerified,
            C::CapacityExceeded,
            C::AuditUnavailable,
        ] {
            add(format!("consent {e:?}"), e.code(), e.into());
        }
    }
    for e in proto {
        add(format!("proto {e:?}"), e.code(), e.into());
    }
    {
        use iomt_proto::retransmit::RetransmitError as R;
        for e in [R::Timeout, R::FlightTooLarge { len: 600 }, R::InvalidConfig] {
            add(format!("retransmit {e:?}"), e.code(), e.into());
        }
    }
    all
}

#[test]
#[cfg_attr(miri, ignore = "pure table logic, no unsafe; slow under Miri")]
fn every_library_code_is_its_c_result_and_unique_per_meaning() {
    let all = every_library_error();
    assert!(all.len() >= 145, "{} variants listed", all.len());
    let mut owners: BTreeMap<u16, String> = BTreeMap::new();
    for (name, code, c) in &all {
        assert_eq!(
            u32::from(*code),
            *c,
            "{name}: library code {code}, C result {c}"
        );
        assert!(
            iomt_result::from_code(*code).is_some(),
            "{name}: {code} missing from the header"
        );
        let class = match code {
            1..=99 => "general",
            100..=199 => "crypto",
            200..=299 => "data",
            300..=399 => "handshake",
            400..=499 => "session",
            500..=599 => "authorization",
            600..=699 => "audit",
            700..=799 => "update",
            _ => panic!("{name}: {code} outside every class"),
        };
        let wrapped_crypto =
            *code >= 100 && *code < 200 && !name.starts_with("Crypto") && name.contains("Crypto(");
        if SHARED.contains(code) || wrapped_crypto {
            continue;
        }
        if let Some(first) = owners.insert(*code, name.clone()) {
            panic!("{class} code {code} used by both {first} and {name}");
        }
    }
}

/// docs/ERRORS.md is generated from the registry (`iomt_result::ALL`, its strings and the
/// library errors above); this test fails when it is stale. Regenerate with
/// `IOMT_REGENERATE_DOCS=1 cargo test -p iomt-ffi --test c_api registry`.
#[test]
#[cfg_attr(miri, ignore = "reads docs/ERRORS.md (Miri isolates the file system)")]
fn the_error_table_in_docs_is_generated_from_the_registry() {
    let mut by_code: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    for (name, code, _) in every_library_error() {
        // the variant's shape, not the sample field values used to build it
        let mut shape = String::new();
        let mut depth = 0u32;
        for ch in name.chars() {
            match ch {
                '{' => {
                    depth += 1;
                    if depth == 1 {
                        shape.push_str("{ .. }");
                    }
                }
                '}' => depth -= 1,
                _ if depth == 0 => shape.push(ch),
                _ => {}
            }
        }
        by_code
            .entry(code)
            .or_default()
            .push(shape.replace(" { .. }", " {..}"));
    }
    let mut out = String::from(
        "# Error codes — one registry\n\n\
         Generated from `iomt_result` and every library error's `code()` by\n\
         `iomt-ffi/tests/c_api/registry.rs` (do not edit; regenerate with\n\
         `IOMT_REGENERATE_DOCS=1 cargo test -p iomt-ffi --test c_api registry`).\n\n\
         Every library error's `code()` (iomt-crypto, iomt-core, iomt-auth, iomt-proto) is the\n\
         value the C API returns for it, so a number in a log, an audit record or a C return\n\
         value means the same thing everywhere. Ranges by class: 0 ok, 1–99 general (C\n\
         boundary and conditions shared by every layer), 100–199 crypto, 200–299 data model,\n\
         300–399 handshake, 400–499 session and frames, 500–599 authorization (RBAC, factor,\n\
         consent, break-glass), 600–699 audit, 700–799 firmware update. A code is never\n\
         reused; `*_OTHER` codes stand for a code a newer library has and this header lacks.\n\n\
         | code | C name | meaning | library errors |\n|---|---|---|---|\n",
    );
    for r in iomt_result::ALL {
        let code = *r as u32;
        let c_name = format!("{r:?}");
        let text = unsafe { core::ffi::CStr::from_ptr(iomt_result_str(code)) }
            .to_string_lossy()
            .into_owned();
        let lib = u16::try_from(code)
            .ok()
            .and_then(|c| by_code.get(&c))
            .map_or_else(
                || "— (C API only)".to_owned(),
                |v| v.join("; ").replace('|', "\\|"),
            );
        out.push_str(&format!("| {code} | `{c_name}` | {text} | {lib} |\n"));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ERRORS.md");
    if std::env::var_os("IOMT_REGENERATE_DOCS").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == out,
        "docs/ERRORS.md is stale: regenerate it (see the test's doc)"
    );
}
