//! Credentials for EDHOC: CCS (RFC 8392 CWT Claims Set with a COSE_Key EC2/P-256),
//! credential identifiers (ID_CRED by `kid` or by value), and the trust store.
//!
//! # Invariants
//! - [`CcsView::parse`] accepts only a CBOR map with a `cnf` (8) claim holding a
//!   COSE_Key (1) with `kty` 2 (EC2), `crv` 1 (P-256) and a 32-byte `x`; the key is
//!   validated into a [`PublicKey`] (x and y below p, on the curve) before use. Duplicate
//!   keys in the COSE_Key are rejected. The credential bytes are never re-encoded: CRED_x
//!   is used exactly as stored (RFC 9528 §3.5.2).
//! - [`IdCred`] values decoded from a message are in the RFC 9528 §3.5.3.2 compact form:
//!   a `{4: kid}` map sent as a map is rejected, as is a bstr kid that should have been an
//!   integer (`surplus_*_encoding_of_id_cred_field` in RFC 9529 §4).
//! - The handshake resolves a peer's ID_CRED in exactly one place, [`lookup`]: the trust
//!   store's [`TrustStore::resolve`], then its [`TrustStore::revocations`] (a credential
//!   on the installed [`revocation`] list fails with [`RevocationError::Revoked`]).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::PublicKey;

use crate::cbor::{Decoder, Encoder, Major, MapKeys, bstr_len};
use crate::error::{AuthError, PeerMisbehaved};

mod ccs;
pub use ccs::{MAX_ENCODED_CCS_LEN, MAX_SUBJECT_LEN, encode_ccs};

pub mod revocation;

pub use revocation::{RevocationError, RevocationList, RevocationState};

/// Length of a [`PeerIdentity`].
pub const IDENTITY_LEN: usize = 16;

/// Longest `kid` accepted in an ID_CRED (bytes).
pub const MAX_KID_LEN: usize = 16;

/// A device or operator identity attached to a trusted credential (e.g. a serial number
/// or operator badge id, zero-padded).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeerIdentity(pub [u8; IDENTITY_LEN]);

impl PeerIdentity {
    /// Builds an identity from up to [`IDENTITY_LEN`] bytes, zero-padded.
    ///
    /// ```
    /// use iomt_auth::cred::PeerIdentity;
    /// let id = PeerIdentity::from_slice(b"pump-0042");
    /// assert_eq!(&id.0[..9], b"pump-0042");
    /// assert_eq!(id.0[9], 0);
    /// ```
    #[must_use]
    pub fn from_slice(s: &[u8]) -> Self {
        let mut b = [0u8; IDENTITY_LEN];
        for (d, s) in b.iter_mut().zip(s) {
            *d = *s;
        }
        Self(b)
    }

    /// The identity without its zero padding.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        let len = self
            .0
            .iter()
            .rposition(|b| *b != 0)
            .map_or(0, |last| last.saturating_add(1));
        self.0.get(..len).unwrap_or(&[])
    }
}

/// Printable ASCII identities print as text (`pump-0042`), anything else as hex
/// (`0x00ff…`), so a log line never carries control characters from a trust store.
///
/// ```
/// use iomt_auth::cred::PeerIdentity;
/// assert_eq!(PeerIdentity::from_slice(b"pump-0042").to_string(), "pump-0042");
/// assert_eq!(PeerIdentity::from_slice(&[1, 0xff]).to_string(), "0x01ff");
/// assert_eq!(PeerIdentity::from_slice(b"a\nb").to_string(), "0x610a62");
/// ```
impl core::fmt::Display for PeerIdentity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let id = self.as_bytes();
        if !id.is_empty() && id.iter().all(|b| b.is_ascii_graphic()) {
            id.iter().try_for_each(|b| write!(f, "{}", char::from(*b)))
        } else {
            f.write_str("0x")?;
            id.iter().try_for_each(|b| write!(f, "{b:02x}"))
        }
    }
}

/// The roles a trust store grants (re-exported from `iomt-core`); feeds RBAC.
pub use iomt_core::RoleSet;

/// A credential identifier (ID_CRED_I / ID_CRED_R).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IdCred<'a> {
    /// `{4: kid}`: the credential is referenced by key identifier (sent compactly).
    Kid(&'a [u8]),
    /// `{14: CCS}` (`kccs`): the credential is sent by value; the slice is the CCS.
    Ccs(&'a [u8]),
}

/// COSE header label `kid`.
const LABEL_KID: i64 = 4;
/// COSE header label `kccs` (RFC 9528 §10.6).
const LABEL_KCCS: i64 = 14;

impl<'a> IdCred<'a> {
    /// Encodes the full COSE header map (as used in context_2/3 and Sig_structure).
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`].
    pub(crate) fn encode_map(&self, e: &mut Encoder<'_>) -> Result<(), AuthError> {
        e.map(1)?;
        match self {
            Self::Kid(kid) => {
                e.int(LABEL_KID)?;
                e.bstr(kid)?;
            }
            Self::Ccs(ccs) => {
                e.int(LABEL_KCCS)?;
                e.raw(ccs)?;
            }
        }
        Ok(())
    }

    /// Length of the full COSE header map (`{4: kid}` or `{14: CCS}`) of this ID_CRED.
    #[must_use]
    pub const fn map_len(&self) -> usize {
        match self {
            Self::Kid(kid) => 2usize.saturating_add(bstr_len(kid.len())),
            Self::Ccs(ccs) => 2usize.saturating_add(ccs.len()),
        }
    }

    /// Encodes the form used inside PLAINTEXT_2/3 (compact `kid`, RFC 9528 §3.5.3.2).
    ///
    /// # Errors
    /// [`AuthError::BufferTooSmall`].
    pub(crate) fn encode_compact(&self, e: &mut Encoder<'_>) -> Result<(), AuthError> {
        match self {
            Self::Kid(kid) => Ok(e.bstr_identifier(kid)?),
            Self::Ccs(_) => self.encode_map(e),
        }
    }

    /// Decodes the PLAINTEXT form.
    ///
    /// # Errors
    /// [`PeerMisbehaved::InvalidIdCred`] for a non-compact `{4: kid}` map, a surplus bstr
    /// encoding, a malformed map or a too-long kid; [`PeerMisbehaved::UnsupportedIdCred`]
    /// for other header parameters (x5t, x5chain, ...).
    pub(crate) fn decode_compact(d: &mut Decoder<'a>) -> Result<Self, AuthError> {
        let invalid = AuthError::PeerMisbehaved(PeerMisbehaved::InvalidIdCred);
        match d.peek_major()? {
            Major::Uint | Major::Nint | Major::Bstr => {
                let kid = d.bstr_identifier().map_err(|_| invalid)?;
                if kid.len() > MAX_KID_LEN {
                    return Err(invalid);
                }
                Ok(Self::Kid(kid))
            }
            Major::Map => {
                let n = d.map()?;
                if n != 1 {
                    return Err(PeerMisbehaved::UnsupportedIdCred.into());
                }
                let label = d.int().map_err(|_| invalid)?;
                match label {
                    // {4: kid} alone MUST use the compact form
                    LABEL_KID => Err(invalid),
                    LABEL_KCCS => {
                        if d.peek_major()? != Major::Map {
                            return Err(invalid);
                        }
                        let raw = d.skip_item()?;
                        Ok(Self::Ccs(raw))
                    }
                    _ => Err(PeerMisbehaved::UnsupportedIdCred.into()),
                }
            }
            _ => Err(invalid),
        }
    }
}

/// A parsed view of a CCS credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CcsView<'a> {
    /// The subject claim (2), if present.
    pub subject: Option<&'a str>,
    /// The COSE_Key `kid` (2), if present.
    pub kid: Option<&'a [u8]>,
    /// The validated public key.
    pub public_key: PublicKey,
}

impl<'a> CcsView<'a> {
    /// Parses and validates a CCS holding an EC2 P-256 COSE_Key.
    ///
    /// ```
    /// use iomt_auth::cred::CcsView;
    /// # fn h(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect() }
    /// // CRED_R of RFC 9529 §3
    /// let cred = h("a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072");
    /// let v = CcsView::parse(&cred)?;
    /// assert_eq!(v.subject, Some("example.edu"));
    /// assert_eq!(v.kid, Some(&[0x32][..]));
    /// # Ok::<(), iomt_auth::AuthError>(())
    /// ```
    ///
    /// The CCS must be deterministic CBOR at every level (RFC 8949 §4.2.1), including
    /// the claims this view does not interpret: map keys in bytewise order without
    /// duplicates, shortest heads, definite lengths, nesting at most 8 deep.
    ///
    /// # Errors
    /// [`PeerMisbehaved::InvalidCredential`] if the structure is wrong or not
    /// deterministic (duplicate or out-of-order keys, too deep),
    /// [`PeerMisbehaved::InvalidPublicKey`] if the key is not a valid P-256 point. The
    /// structure is checked first: a malformed CCS is `InvalidCredential` whatever its
    /// point.
    pub fn parse(ccs: &'a [u8]) -> Result<Self, AuthError> {
        let bad = AuthError::PeerMisbehaved(PeerMisbehaved::InvalidCredential);
        let (subject, key) = read_claims(ccs).ok_or(bad)?;
        let public_key = match key.y {
            Some(y) => PublicKey::from_coordinates(key.x, y),
            None => PublicKey::from_x_coordinate(key.x),
        }
        .map_err(|_| AuthError::PeerMisbehaved(PeerMisbehaved::InvalidPublicKey))?;
        Ok(Self {
            subject,
            kid: key.kid,
            public_key,
        })
    }
}

/// The fields of an EC2 P-256 COSE_Key (kty 2, crv 1), before point validation.
struct CoseKeyFields<'a> {
    kid: Option<&'a [u8]>,
    x: &'a [u8],
    /// `None` if the key has no `y` (x-only key).
    y: Option<&'a [u8]>,
}

// The readers below return `Option`: every failure is the same `InvalidCredential`, so
// they carry no error value and each `?` is one branch to a shared exit (mapping each
// CBOR error separately cost about 160 bytes of flash on Cortex-M4).

/// Reads the CCS claims map: the subject (2) and the `cnf` (8) COSE_Key; `None` if the
/// structure is wrong or not deterministic.
fn read_claims(ccs: &[u8]) -> Option<(Option<&str>, CoseKeyFields<'_>)> {
    let mut d = Decoder::new(ccs);
    let n = d.map().ok()?;
    let mut subject = None;
    let mut key = None;
    let mut labels = MapKeys::new();
    for _ in 0..n {
        match labels.int(&mut d).ok()? {
            2 if subject.is_none() => subject = Some(d.tstr().ok()?),
            8 if key.is_none() => {
                // cnf: {1: COSE_Key}
                if d.map().ok()? != 1 || d.int().ok()? != 1 {
                    return None;
                }
                key = Some(read_cose_key(&mut d)?);
            }
            2 | 8 => return None,
            _ => {
                d.skip_item().ok()?;
            }
        }
    }
    d.finish().ok()?;
    Some((subject, key?))
}

/// Reads an EC2 P-256 COSE_Key map; `None` if a label repeats, a required one is
/// missing, `y` is in compact form, or the key type or curve is another.
fn read_cose_key<'a>(d: &mut Decoder<'a>) -> Option<CoseKeyFields<'a>> {
    let n = d.map().ok()?;
    let (mut kty, mut crv, mut kid, mut x, mut y) = (None, None, None, None, None);
    let mut labels = MapKeys::new();
    for _ in 0..n {
        match labels.int(d).ok()? {
            1 if kty.is_none() => kty = Some(d.int().ok()?),
            2 if kid.is_none() => kid = Some(d.bstr().ok()?),
            -1 if crv.is_none() => crv = Some(d.int().ok()?),
            -2 if x.is_none() => x = Some(d.bstr().ok()?),
            -3 if y.is_none() => {
                // compact form: y is a bool sign (RFC 9053 §7.1.1); ECDH/ECDSA over the
                // even-y point is only sound for ECDH, so refuse it.
                if d.peek_major().ok()? != Major::Bstr {
                    return None;
                }
                y = Some(d.bstr().ok()?);
            }
            1 | 2 | -1 | -2 | -3 => return None,
            _ => {
                d.skip_item().ok()?;
            }
        }
    }
    if kty != Some(2) || crv != Some(1) {
        return None;
    }
    Some(CoseKeyFields { kid, x: x?, y })
}

/// A credential the trust store vouches for, with the identity and roles it maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedCredential<'a> {
    /// CRED_x exactly as it must enter the transcript (a CCS).
    pub cred: &'a [u8],
    /// The identity the application binds to this credential.
    pub identity: PeerIdentity,
    /// The roles granted to this identity.
    pub roles: RoleSet,
}

/// Resolves a received ID_CRED to a trusted credential.
///
/// Implementations decide trust: a `kid` is looked up; a credential sent by value
/// ([`IdCred::Ccs`]) must be checked against something trusted (e.g. pinned bytes or
/// an allow-list of keys), never accepted blindly.
pub trait TrustStore {
    /// Returns the trusted credential for `id_cred`, or `None` if unknown/untrusted
    /// (the handshake then fails with [`AuthError::UnknownCredential`], ERR_CODE 3).
    fn resolve<'a>(&'a self, id_cred: &IdCred<'a>) -> Option<TrustedCredential<'a>>;

    /// The revocation list this store consults after [`Self::resolve`] (none by default;
    /// wrap a store in [`RevokingTrustStore`] to add one).
    fn revocations(&self) -> Option<&RevocationState> {
        None
    }
}

/// The handshake's one credential lookup: resolves `id_cred` in `store`, then refuses a
/// credential that the store's revocation list names.
///
/// # Errors
/// [`AuthError::UnknownCredential`] if the store has no credential;
/// [`AuthError::Revocation`]\([`RevocationError::Revoked`]) if it is revoked.
pub fn lookup<'a, C: iomt_crypto::CryptoProvider, S: TrustStore + ?Sized>(
    crypto: &mut C,
    store: &'a S,
    id_cred: &IdCred<'a>,
) -> Result<TrustedCredential<'a>, AuthError> {
    let cred = store.resolve(id_cred).ok_or(AuthError::UnknownCredential)?;
    if let Some(r) = store.revocations() {
        r.check(crypto, &cred).map_err(AuthError::Revocation)?;
    }
    Ok(cred)
}

/// A trust store that consults a [`RevocationState`]: resolution is the inner store's,
/// and [`lookup`] refuses every credential the installed list names.
///
/// ```
/// use iomt_auth::cred::{IdCred, PeerIdentity, RevocationState, RevokingTrustStore, RoleSet,
///     StaticTrustStore, TrustEntry, TrustStore};
/// let cred = [0xa0u8];
/// let inner = StaticTrustStore::new([TrustEntry { kid: &[0x32], cred: &cred,
///     identity: PeerIdentity::from_slice(b"pump-7"), roles: RoleSet::EMPTY }]);
/// let revocations = RevocationState::new(); // install signed lists into it
/// let store = RevokingTrustStore::new(&inner, &revocations);
/// assert!(store.resolve(&IdCred::Kid(&[0x32])).is_some());
/// assert!(store.revocations().is_some());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RevokingTrustStore<'a, S: ?Sized> {
    store: &'a S,
    revocations: &'a RevocationState,
}

impl<'a, S: TrustStore + ?Sized> RevokingTrustStore<'a, S> {
    /// `store` checked against `revocations`.
    #[must_use]
    pub const fn new(store: &'a S, revocations: &'a RevocationState) -> Self {
        Self { store, revocations }
    }
}

impl<S: TrustStore + ?Sized> TrustStore for RevokingTrustStore<'_, S> {
    fn resolve<'b>(&'b self, id_cred: &IdCred<'b>) -> Option<TrustedCredential<'b>> {
        self.store.resolve(id_cred)
    }

    fn revocations(&self) -> Option<&RevocationState> {
        Some(self.revocations)
    }
}

/// One entry of a [`StaticTrustStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustEntry<'a> {
    /// The `kid` this credential is referenced by.
    pub kid: &'a [u8],
    /// The credential bytes (CCS).
    pub cred: &'a [u8],
    /// The identity bound to it.
    pub identity: PeerIdentity,
    /// Its roles.
    pub roles: RoleSet,
}

/// A trust store over a fixed table: `kid` references match [`TrustEntry::kid`]; a
/// credential sent by value is trusted only if it is byte-identical to a pinned entry.
///
/// ```
/// use iomt_auth::cred::{IdCred, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry, TrustStore};
/// use iomt_core::Role;
/// let cred = [0xa0u8]; // (not a real CCS; the store only compares bytes)
/// let store = StaticTrustStore::new([TrustEntry {
///     kid: &[0x32],
///     cred: &cred,
///     identity: PeerIdentity::from_slice(b"gw-1"),
///     roles: RoleSet::EMPTY.with(Role::Gateway),
/// }]);
/// assert!(store.resolve(&IdCred::Kid(&[0x32])).is_some());
/// assert!(store.resolve(&IdCred::Kid(&[0x33])).is_none());
/// assert!(store.resolve(&IdCred::Ccs(&cred)).is_some());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StaticTrustStore<'a, const N: usize> {
    entries: [TrustEntry<'a>; N],
}

impl<'a, const N: usize> StaticTrustStore<'a, N> {
    /// A store over `entries`.
    #[must_use]
    pub const fn new(entries: [TrustEntry<'a>; N]) -> Self {
        Self { entries }
    }
}

impl<const N: usize> TrustStore for StaticTrustStore<'_, N> {
    fn resolve<'b>(&'b self, id_cred: &IdCred<'b>) -> Option<TrustedCredential<'b>> {
        let e = self.entries.iter().find(|e| match id_cred {
            IdCred::Kid(k) => e.kid == *k,
            IdCred::Ccs(c) => e.cred == *c,
        })?;
        Some(TrustedCredential {
            cred: e.cred,
            identity: e.identity,
            roles: e.roles,
        })
    }
}

/// This endpoint's own credential: private key handle, CRED_x and how to identify it.
#[derive(Debug)]
pub struct LocalCredential<'a, K> {
    /// Handle of the private key (static DH or signature key, per the method).
    pub key: &'a K,
    /// CRED_x bytes (CCS) exactly as the peer stores them.
    pub cred: &'a [u8],
    /// How the peer is told which credential this is.
    pub id_cred: IdCred<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }
    const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";

    #[test]
    fn parses_rfc9529_cred_r() {
        let c = h(CRED_R);
        let v = CcsView::parse(&c).unwrap();
        assert_eq!(v.kid, Some(&[0x32][..]));
        assert_eq!(
            v.public_key.x()[..],
            h("bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0")[..]
        );
    }

    #[test]
    fn rejects_every_truncation_and_bad_key() {
        let c = h(CRED_R);
        for n in 0..c.len() {
            assert!(CcsView::parse(&c[..n]).is_err());
        }
        // y flipped: not on the curve
        let mut bad = c.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(
            CcsView::parse(&bad).unwrap_err(),
            AuthError::PeerMisbehaved(PeerMisbehaved::InvalidPublicKey)
        );
        // kty changed to 1 (OKP)
        let mut okp = c.clone();
        let pos = c.windows(2).position(|w| w == [0x01, 0x02]).unwrap();
        okp[pos + 1] = 0x01;
        assert!(CcsView::parse(&okp).is_err());
        // trailing byte
        let mut t = c.clone();
        t.push(0);
        assert!(CcsView::parse(&t).is_err());
    }

    #[test]
    fn id_cred_compact_forms() {
        let mut buf = [0u8; 16];
        let mut e = Encoder::new(&mut buf);
        IdCred::Kid(&[0x32]).encode_compact(&mut e).unwrap();
        assert_eq!(e.written(), &[0x32]);
        let mut e = Encoder::new(&mut buf);
        IdCred::Kid(&[0x32]).encode_map(&mut e).unwrap();
        assert_eq!(e.written(), &h("a1044132")[..]);
        assert_eq!(IdCred::Kid(&[0x32]).map_len(), 4);

        let mut d = Decoder::new(&[0x32]);
        assert_eq!(
            IdCred::decode_compact(&mut d).unwrap(),
            IdCred::Kid(&[0x32])
        );
        // RFC 9529 §4 surplus encodings
        for bad in [&h("a1044232")[..], &h("4132")[..], &h("a1044132")[..]] {
            let mut d = Decoder::new(bad);
            assert!(IdCred::decode_compact(&mut d).is_err(), "{bad:02x?}");
        }
        // x5t is unsupported (not ERR_CODE 3)
        let mut d = Decoder::new(&[0xa1, 0x18, 0x22, 0x40]);
        assert_eq!(
            IdCred::decode_compact(&mut d).unwrap_err(),
            AuthError::PeerMisbehaved(PeerMisbehaved::UnsupportedIdCred)
        );
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..160)) {
            let _ = CcsView::parse(&data);
            let mut d = Decoder::new(&data);
            let _ = IdCred::decode_compact(&mut d);
        }

        #[test]
        fn cred_r_single_byte_changes_never_panic(pos in 0usize..95, val in proptest::prelude::any::<u8>()) {
            let mut c = h(CRED_R);
            c[pos] = val;
            if let Ok(v) = CcsView::parse(&c) {
                // whatever was accepted is a valid point
                proptest::prop_assert!(PublicKey::from_coordinates(v.public_key.x(), v.public_key.y()).is_ok());
            }
        }
    }

    #[test]
    fn by_value_roundtrip() {
        let c = h(CRED_R);
        let mut buf = [0u8; 200];
        let mut e = Encoder::new(&mut buf);
        IdCred::Ccs(&c).encode_compact(&mut e).unwrap();
        let n = e.len();
        assert_eq!(n, IdCred::Ccs(&c).map_len());
        let mut d = Decoder::new(&buf[..n]);
        assert_eq!(IdCred::decode_compact(&mut d).unwrap(), IdCred::Ccs(&c));
    }
}
