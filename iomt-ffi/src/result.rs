//! [`iomt_result`]: the one result type of every C entry point, and the mapping from each
//! library crate's error type.
//!
//! # Invariants
//! - Values are explicit, stable and never reused; a retired code stays as a "Reserved"
//!   comment. Ranges: 0 success; 1–99 misuse the C API itself detects; 100–199 crypto;
//!   200–299 data model (readings, consent tags); 300–399 handshake (EDHOC); 400–499
//!   session (frames, key update); 500–599 authorization (RBAC, operator factor, consent
//!   enforcement, break-glass); 600–699 audit log; 700–799 firmware update.
//! - Every code has a static, NUL-terminated description ([`iomt_result_str`]).
#![expect(unsafe_code, reason = "exported C symbols (no_mangle)")]

use iomt_auth::AuthError;
use iomt_core::CoreError;
use iomt_crypto::CryptoError;
use iomt_proto::ProtoError;

mod strings;

/// Result codes of every C entry point. Values are stable and never reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum iomt_result {
    /// Success.
    Ok = 0,

    // 1–99: misuse the C API detects itself.
    /// A required pointer argument was NULL.
    NullParameter = 1,
    /// An output buffer is too small; the `size_t *` out-parameter (if any) holds the size needed.
    BufferTooSmall = 2,
    /// The object storage is not aligned to 8 bytes.
    MisalignedStorage = 3,
    /// The object was not initialized (or was already deinitialized).
    NotInitialized = 4,
    /// The call is not valid in the object's current state (e.g. out of order).
    WrongState = 5,
    /// An argument is out of range (an unknown enum value, a length above `PTRDIFF_MAX`).
    InvalidArgument = 6,
    /// A Rust panic was caught at the boundary (a bug; please report it).
    Panic = 7,
    /// A fixed capacity is exhausted (trust store full, too many items).
    CapacityExceeded = 8,
    /// The requested item does not exist (index out of range, no such slot).
    NotFound = 9,
    /// The object failed earlier and stays failed; deinit it and start again.
    ObjectFailed = 10,

    // 100–199: crypto.
    /// A key, nonce, tag or other input has the wrong length.
    CryptoInvalidLength = 100,
    /// A public key is not a valid P-256 point.
    CryptoInvalidPublicKey = 101,
    /// A private key is not a valid P-256 scalar (zero, or not below the group order).
    CryptoInvalidPrivateKey = 102,
    /// A signature is malformed.
    CryptoInvalidSignature = 103,
    /// Authentication failed (bad tag, MAC or signature).
    CryptoAuthenticationFailed = 104,
    /// The random number generator callback failed.
    CryptoRng = 105,
    /// The key is unavailable.
    CryptoKeyUnavailable = 106,
    /// The operation is not supported by the crypto provider.
    CryptoUnsupported = 107,
    /// AES-CCM (cipher suite 2) is not built in (iomt-crypto feature `aes-ccm`).
    CryptoAesCcmNotBuilt = 108,
    /// ChaCha20-Poly1305 (cipher suite 5) is not built in (iomt-crypto feature
    /// `chacha20poly1305`).
    CryptoChaCha20Poly1305NotBuilt = 109,
    /// Another crypto failure.
    CryptoOther = 199,

    // 200–299: data model (readings, consent tags).
    /// A reading's value is outside the plausibility range of its kind.
    Implausible = 200,
    /// The unit is not one the vital kind can be reported in.
    WrongUnit = 201,
    /// A special value (NaN, NRes, INF) where a finite number is required.
    NotFinite = 202,
    /// The number cannot be represented exactly (mantissa or exponent out of range).
    NotRepresentable = 203,
    /// Untrusted bytes are not a valid encoding.
    Malformed = 204,
    /// Bytes remain after a complete value.
    TrailingBytes = 205,
    /// A bitset has a bit that no element defines.
    UnknownBits = 206,
    /// An enum code that no variant defines.
    InvalidCode = 207,
    /// A validity window whose start is after its end.
    InvalidValidity = 208,
    /// An encoding version this build does not understand.
    UnsupportedVersion = 209,
    /// An encoding that is not the canonical one.
    NonCanonical = 210,
    /// An issuer key id that is empty or too long.
    InvalidKeyId = 211,
    /// The payload decodes, but is not the expected message type.
    UnexpectedMessage = 212,
    /// A waveform's sample rate is outside the accepted range.
    InvalidSampleRate = 213,
    /// A waveform's unit does not fit its kind.
    WaveformUnit = 214,
    /// Another data-model failure.
    DataOther = 299,

    // 300–399: handshake (EDHOC).
    /// The peer's message is malformed (CBOR, structure, connection id, ID_CRED).
    HandshakeMalformed = 300,
    /// The peer's ephemeral or credential public key is invalid.
    HandshakeInvalidPublicKey = 301,
    /// The peer's method is not accepted.
    HandshakeUnsupportedMethod = 302,
    /// The cipher suite selection is not acceptable (the responder answers with an error).
    HandshakeWrongSelectedSuite = 303,
    /// The peer sent a critical EAD item with an unregistered label.
    HandshakeUnknownCriticalEad = 304,
    /// A peer credential is malformed or has no P-256 key.
    HandshakeInvalidCredential = 305,
    /// A peer message exceeds a documented capacity.
    HandshakeTooLarge = 306,
    /// Another peer misbehaviour.
    HandshakePeerMisbehaved = 307,
    /// The peer's message is not the strict deterministic CBOR EDHOC uses.
    HandshakeCbor = 308,
    /// The peer's connection identifier is invalid.
    HandshakeInvalidConnectionId = 309,
    /// A MAC, signature or AEAD tag of the handshake did not verify.
    HandshakeAuthenticationFailed = 310,
    /// The trust store has no entry for the peer's ID_CRED.
    HandshakeUnknownCredential = 311,
    /// The peer's ID_CRED is invalid.
    HandshakeInvalidIdCred = 312,
    /// The peer's ID_CRED type is not supported.
    HandshakeUnsupportedIdCred = 313,
    /// The peer sent an EDHOC error message where none may come.
    HandshakeUnexpectedErrorMessage = 314,
    /// The peer sent an EDHOC error message (see the object's peer-error accessor).
    HandshakePeerError = 320,
    /// The responder rejected the suite (ERR_CODE 2); the initiator is ready to write
    /// message_1 again with a suite the responder supports.
    HandshakeRetrySuite = 321,
    /// The configuration is invalid (suites, methods, EAD labels).
    HandshakeInvalidConfig = 330,
    /// The local credential does not fit (not a CCS with the key's public key, too long).
    HandshakeInvalidLocalCredential = 331,
    /// An exporter label, context or length is out of range.
    HandshakeInvalidExporterRequest = 332,
    /// Outgoing EAD items are malformed or too long.
    HandshakeInvalidEad = 333,
    /// A connection identifier is too long.
    HandshakeConnectionIdTooLong = 334,
    /// This handshake already started its session for the current key epoch: a second
    /// session would reuse the first one's keys and nonces. Run key update on both
    /// sides (`iomt_handshake_key_update`) to start a fresh one.
    HandshakeChannelAlreadyStarted = 335,
    /// The exporter label is reserved for the session keys (32768, 32769).
    HandshakeReservedExporterLabel = 336,
    /// The configuration names an EDHOC method this library was built without (methods
    /// 0–2 need the `signature-methods` feature).
    HandshakeMethodNotBuilt = 337,
    /// The handshake's C_R is not one byte, so it cannot be the session's connection id
    /// (configure the responder with a one-byte C_R).
    HandshakeConnectionIdNotOneByte = 338,
    /// The responder refused to serve this handshake and named the cause (an EDHOC
    /// ERR_CODE 1 error with an iomt refusal text; `iomt_handshake_peer_refusal` gives
    /// the cause's code, e.g. `HANDSHAKE_METHOD_NOT_BUILT`).
    HandshakePeerRefused = 339,
    /// No reply after the last retransmission: the handshake over a lossy link is given
    /// up (`iomt_retransmit_poll`).
    HandshakeTimeout = 340,
    /// A handshake message is longer than the retransmission buffer.
    HandshakeFlightTooLarge = 341,
    /// The retransmission configuration is unusable (zero initial timeout, or a maximum
    /// below it).
    HandshakeInvalidRetransmitConfig = 342,
    /// Another handshake failure.
    HandshakeOther = 399,

    // 400–499: session (frames, key update).
    /// The frame is malformed (header).
    FrameMalformed = 400,
    /// The frame is a replay.
    FrameReplayed = 401,
    /// The frame is too old for the replay window.
    FrameTooOld = 402,
    /// The frame carries another connection id.
    FrameWrongConnectionId = 403,
    /// The frame's key epoch is not acceptable.
    FrameWrongEpoch = 404,
    /// The frame is larger than the maximum.
    FrameTooLarge = 405,
    /// The frame names a consent slot that holds no tag (or an invalid slot).
    FrameConsentSlot = 406,
    /// The frame has an unsupported protocol version.
    FrameUnsupportedVersion = 407,
    /// The frame type is unknown.
    FrameUnknownType = 408,
    /// A reserved header bit is set.
    FrameReservedBit = 409,
    /// The frame did not authenticate (forged or corrupted); the session goes on.
    FrameAuthenticationFailed = 410,
    /// The frame authenticated but its content is invalid.
    FramePeerMisbehaved = 411,
    /// The frame's sequence number is not minimally encoded.
    FrameNonMinimalSequence = 412,
    /// The frame names a consent slot outside the table.
    FrameConsentSlotInvalid = 413,
    /// No session has the frame's connection id (gateway table).
    FrameUnknownConnection = 414,
    /// The frame authenticated but its payload does not decode.
    FrameInvalidPayload = 415,
    /// The frame authenticated but is not expected now.
    FrameUnexpected = 416,
    /// A per-key limit was reached (forgeries, epochs); the session is closed.
    SessionLimitReached = 420,
    /// The session is closed.
    SessionClosed = 421,
    /// The key epochs are exhausted; the session is closed.
    SessionEpochLimit = 422,
    /// The payload is larger than the maximum.
    PayloadTooLarge = 430,
    /// The consent slot is invalid, not owned by this side, or empty.
    InvalidSlot = 431,
    /// The consent tag is not a valid canonical encoding.
    InvalidConsentTag = 432,
    /// The handshake's cipher suite has no session AEAD.
    UnsupportedAlgorithm = 433,
    /// Deriving the session keys from the handshake failed.
    KeyExport = 434,
    /// This side may not install a tag in that consent slot.
    SlotNotOwned = 435,
    /// The consent slot holds no tag on this side.
    SlotEmpty = 436,
    /// The consent frame is older (epoch, sequence) than the one that installed the slot's tag; refused, never applied.
    FrameConsentOutOfOrder = 440,
    /// Fragmenting links: the fragment is malformed (short header, no payload, zero
    /// total length, impossible index/length).
    FragmentMalformed = 450,
    /// Fragmenting links: the unit is larger than the reassembly buffer or 128 fragments.
    FragmentTooLarge = 451,
    /// Fragmenting links: the fragment overlaps its neighbour; the unit was discarded.
    FragmentOverlap = 452,
    /// Fragmenting links: the fragment conflicts with one received for its unit; the
    /// unit was discarded.
    FragmentConflict = 453,
    /// Fragmenting links: the fragment belongs to an older unit.
    FragmentStale = 454,
    /// Fragmenting links: the fragment belongs to a unit abandoned for a newer one.
    FragmentInterleaved = 455,
    /// Fragmenting links: the fragment is truncated; the unit was discarded.
    FragmentTruncated = 456,
    /// Fragmenting links: the MTU is below the minimum (5 bytes).
    FragmentMtuTooSmall = 457,
    /// Fragmenting links: an empty unit cannot be sent.
    FragmentEmptyUnit = 458,
    /// Another session failure.
    SessionOther = 499,

    // 500–599: authorization (RBAC, operator factor, consent enforcement, break-glass).
    /// The session has no role.
    AuthzNoRole = 500,
    /// No role of the session may perform the operation (default deny).
    AuthzNotPermitted = 501,
    /// The operation needs the operator factor, which this session did not prove.
    AuthzFactorRequired = 502,
    /// The operator factor is locked out after repeated failures.
    AuthzLockedOut = 503,
    /// The audit record could not be written, so nothing was allowed (fail closed).
    AuthzAuditUnavailable = 504,
    /// The permit is for another operation.
    AuthzWrongPermit = 505,
    /// The permit was not issued by this session (forged or rewritten bytes, another
    /// session's permit, or its session ended).
    AuthzPermitInvalid = 506,
    /// The permit was already used (permits are single-use).
    AuthzPermitSpent = 507,
    /// The permit storage does not hold a permit (unknown version or operation code).
    AuthzPermitMalformed = 508,
    /// No permit could be issued (the permit key could not be drawn: RNG failure).
    AuthzPermitUnavailable = 509,
    /// No operator factor item was presented in message_3.
    FactorAbsent = 510,
    /// The operator factor item is malformed (label, length, duplicate).
    FactorMalformed = 511,
    /// The operator factor did not verify (wrong PIN, replayed, other transcript).
    FactorMismatch = 512,
    /// Too many factor failures: locked until the time the call reports.
    FactorLockedOut = 513,
    /// The factor attempt counter could not be loaded or stored (the tag was not checked).
    FactorStorage = 514,
    /// The device id is longer than `IOMT_MAX_DEVICE_ID_LEN`.
    FactorDeviceIdTooLong = 515,
    /// The lockout policy cannot protect the factor (0 or too many free attempts, no
    /// delay, `max_secs` below `base_secs`).
    FactorInvalidPolicy = 516,
    /// Consent denies the access (the denial was audited).
    ConsentDenied = 520,
    /// Break-glass needs an emergency purpose and a role that may break glass.
    BreakGlassNotEmergency = 521,
    /// The break-glass window is over (or the grant is from the future).
    BreakGlassExpired = 522,
    /// The consent tag or withdrawal is not a canonical encoding.
    ConsentMalformed = 530,
    /// The consent tag (version 1) names no patient and no device.
    ConsentUnbound = 531,
    /// The consent tag or withdrawal is not signed by an authority.
    ConsentUnsigned = 532,
    /// The consent is signed by a key that is not a configured authority.
    ConsentUnknownAuthority = 533,
    /// The consent authority's signature does not verify.
    ConsentBadSignature = 534,
    /// The consent tag names another device than the authenticated peer.
    ConsentOtherDevice = 535,
    /// The consent tag names another patient than the device is assigned to.
    ConsentOtherPatient = 536,
    /// The consent tag is not valid yet.
    ConsentNotYetValid = 537,
    /// The consent tag has expired.
    ConsentExpired = 538,
    /// A newer revision of this consent is known.
    ConsentOlderRevision = 539,
    /// The consent authority withdrew this consent.
    ConsentWithdrawn = 540,
    /// The frame's consent tag is not the one verified for the session.
    ConsentNotVerified = 541,
    /// The consent verifier's revision table is full.
    ConsentTableFull = 542,
    /// The revocation list envelope or payload is not the expected CBOR structure.
    RevocationMalformed = 550,
    /// The revocation list is not deterministic CBOR (long heads, keys or entries out of
    /// order, duplicate entries).
    RevocationNonDeterministic = 551,
    /// The revocation list's protected header is not exactly ES256 with a kid.
    RevocationUnsupportedAlgorithm = 552,
    /// The revocation list is signed by another key than the revocation authority's.
    RevocationUnknownSigner = 553,
    /// The revocation list's signature does not verify (forged or corrupted).
    RevocationBadSignature = 554,
    /// The revocation list names more credentials than `IOMT_MAX_REVOKED`.
    RevocationTooManyEntries = 555,
    /// The revocation list is older (lower number) than the installed one.
    RevocationOlder = 556,
    /// A revocation list with this number is already installed.
    RevocationSameNumber = 557,
    /// The peer's credential is revoked: the handshake failed (audit it).
    CredentialRevoked = 560,

    // 600–699: audit log.
    /// The audit store callback failed.
    AuditStorage = 600,
    /// All 2^32 sequence numbers are used.
    AuditSequenceExhausted = 601,
    /// A stored entry does not chain or is out of sequence (tampering or corruption).
    AuditCorrupt = 602,
    /// The record is not held (overwritten, cleared or not yet written).
    AuditNotHeld = 603,
    /// Export bytes are malformed (length, kind, codes).
    AuditMalformed = 610,
    /// The export has an unknown format version.
    AuditUnsupportedVersion = 611,
    /// The export summary's signature does not verify with the device key.
    AuditSignatureInvalid = 612,
    /// The export answers another challenge (replayed or stale).
    AuditChallengeMismatch = 613,
    /// The export comes from another device.
    AuditDeviceMismatch = 614,
    /// The summary does not account for every record before the first exported one.
    AuditUnaccounted = 615,
    /// A records chunk does not continue the sequence (gap, duplicate, reorder).
    AuditSequenceGap = 616,
    /// More records than the signed count.
    AuditTooManyRecords = 617,
    /// Fewer records than the signed count arrived.
    AuditIncomplete = 618,
    /// The recomputed chain does not reach the signed head (a record was edited).
    AuditChainMismatch = 619,
    /// The export ends before the gateway's last checkpoint (newest records erased).
    AuditCheckpointRegression = 620,
    /// The export's chain does not pass through the checkpoint's head (log rewritten).
    AuditCheckpointFork = 621,
    /// The export starts after the checkpoint: records in between were lost.
    AuditCheckpointGap = 622,
    /// The ring counters are impossible for the signed capacity (oldest records hidden).
    AuditRingInconsistent = 623,
    /// Another audit failure.
    AuditOther = 699,

    // 700–799: firmware update.
    /// The manifest envelope is not the expected CBOR structure.
    UpdateMalformed = 700,
    /// The manifest uses a non-deterministic CBOR encoding.
    UpdateNonDeterministic = 701,
    /// Bytes follow the envelope or the manifest map.
    UpdateTrailingBytes = 702,
    /// The protected header is not exactly ES256 with a kid.
    UpdateUnsupportedAlgorithm = 703,
    /// The envelope's signer is not the vendor key.
    UpdateUnknownSigner = 704,
    /// The ES256 signature does not verify.
    UpdateBadSignature = 705,
    /// The manifest is for another vendor.
    UpdateWrongVendor = 706,
    /// The manifest is for another device class.
    UpdateWrongDeviceClass = 707,
    /// The offered version is older than the installed one.
    UpdateDowngrade = 708,
    /// The offered version equals the installed one.
    UpdateSameVersion = 709,
    /// The installed version is below the manifest's minimum.
    UpdateBaseTooOld = 710,
    /// More image bytes than the manifest's size.
    UpdateImageTooLong = 711,
    /// Fewer image bytes than the manifest's size.
    UpdateImageTruncated = 712,
    /// The image digest does not match the manifest.
    UpdateDigestMismatch = 713,
    /// The rollback counter callback failed.
    UpdateCounter = 714,
    /// The update was abandoned before `iomt_update_finish` (`iomt_update_abandon`).
    UpdateAbandoned = 715,
    /// Another update failure.
    UpdateOther = 799,
}

impl iomt_result {
    /// The result whose value is the library code `code` (the one registry: every
    /// library error's `code()` is its `iomt_result` value), if there is one.
    #[must_use]
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|r| *r as u32 == u32::from(code))
    }
}

/// Each library error maps to the `iomt_result` with its own code; a code this header
/// does not know (a newer library) falls back to the class's `*_OTHER`.
macro_rules! from_registry {
    ($($error:ty => $other:ident),* $(,)?) => {$(
        impl From<$error> for iomt_result {
            fn from(e: $error) -> Self {
                Self::from_code(e.code()).unwrap_or(Self::$other)
            }
        }
    )*};
}

from_registry!(
    iomt_auth::consent::ConsentError => HandshakeOther,
    CryptoError => CryptoOther,
    CoreError => DataOther,
    AuthError => HandshakeOther,
    ProtoError => SessionOther,
    iomt_proto::retransmit::RetransmitError => HandshakeOther,
);

/// Returns a static, NUL-terminated description of `result` (never NULL).
///
/// Takes the code as a plain integer so that any value a C caller passes is defined
/// behaviour: an unknown code yields `"unknown result code"`.
#[unsafe(no_mangle)]
pub extern "C" fn iomt_result_str(result: u32) -> *const core::ffi::c_char {
    crate::boundary::ffi_panic_boundary_ptr(|| {
        iomt_result::ALL
            .iter()
            .find(|r| **r as u32 == result)
            .map_or(c"unknown result code", |r| r.as_c_str())
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_range_grouped() {
        let all = iomt_result::ALL;
        for pair in all.windows(2) {
            assert!((pair[0] as u32) < (pair[1] as u32), "{pair:?}");
        }
        for r in all {
            let code = *r as u32;
            let name = format!("{r:?}");
            let range = match code {
                0 => "ok",
                1..=99 => "api",
                100..=199 => "crypto",
                200..=299 => "data",
                300..=399 => "handshake",
                400..=499 => "session",
                500..=599 => "authz",
                600..=699 => "audit",
                700..=799 => "update",
                _ => panic!("{name} outside every range"),
            };
            match range {
                "crypto" => assert!(name.starts_with("Crypto"), "{name}"),
                "handshake" => assert!(name.starts_with("Handshake"), "{name}"),
                "audit" => assert!(name.starts_with("Audit"), "{name}"),
                "update" => assert!(name.starts_with("Update"), "{name}"),
                _ => {}
            }
        }
    }

    #[test]
    fn strings_are_distinct_and_total() {
        let mut seen = std::collections::BTreeSet::new();
        for r in iomt_result::ALL {
            assert!(seen.insert(r.as_c_str()), "duplicate string for {r:?}");
            let p = iomt_result_str(*r as u32);
            // SAFETY: iomt_result_str returns a pointer to a static C string.
            let s = unsafe { core::ffi::CStr::from_ptr(p) };
            assert_eq!(s, r.as_c_str());
        }
        for unknown in [11, 98, 519, 800, u32::MAX] {
            let p = iomt_result_str(unknown);
            // SAFETY: as above.
            let s = unsafe { core::ffi::CStr::from_ptr(p) };
            assert_eq!(s, c"unknown result code");
        }
    }

    #[test]
    fn stable_values() {
        // Part of the ABI: these numbers never change.
        assert_eq!(iomt_result::Ok as u32, 0);
        assert_eq!(iomt_result::NullParameter as u32, 1);
        assert_eq!(iomt_result::BufferTooSmall as u32, 2);
        assert_eq!(iomt_result::ObjectFailed as u32, 10);
        assert_eq!(iomt_result::CryptoRng as u32, 105);
        assert_eq!(iomt_result::HandshakeAuthenticationFailed as u32, 310);
        assert_eq!(iomt_result::FrameAuthenticationFailed as u32, 410);
    }
}
