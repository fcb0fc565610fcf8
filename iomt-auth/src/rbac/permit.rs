//! Permits: what [`super::RbacPolicy::authorize`] hands out and what a privileged
//! operation consumes.
//!
//! # Format ([`PERMIT_LEN`] = 32 bytes)
//! | offset | size | field |
//! |--------|------|-------|
//! | 0  | 1  | format version (1) |
//! | 1  | 1  | operation code ([`Operation::code`]) |
//! | 2  | 2  | zero |
//! | 4  | 4  | issue index in its session (`u32` BE, 0, 1, 2, …) |
//! | 8  | 8  | subject ([`Subject`]) |
//! | 16 | 16 | tag: `HMAC-SHA256(session permit key, "iomt-permit v1" ‖ bytes 0..16)[..16]` |
//!
//! # Invariants
//! - The permit key is 32 random bytes drawn by the session ([`super::SessionAuth`]) when
//!   it issues its first permit, held only inside it and zeroized when it is dropped (in C:
//!   `iomt_session_auth_deinit`). The bytes of a permit are therefore only a *claim*:
//!   [`super::SessionAuth::redeem`] accepts them only if the tag verifies under the key of
//!   the session that issued them (constant-time compare), so writing bytes cannot forge a
//!   permit or rewrite its operation, and a permit of another (or an ended) session is
//!   refused.
//! - One use: the session keeps one bit per permit for its newest [`PERMIT_WINDOW`]
//!   permits; redeeming clears the bit. A permit redeemed once, or older than the window,
//!   is refused ([`RbacDenyReason::PermitSpent`]).
//! - Every byte pattern parses to a valid [`Permit`] or fails with
//!   [`RbacDenyReason::PermitMalformed`]: an unknown operation code never becomes an
//!   [`Operation`].
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::fmt;

use iomt_core::Operation;
use iomt_crypto::CryptoProvider;
use zeroize::Zeroize;

use super::RbacDenyReason;
use crate::audit::Subject;

/// Encoded length of a [`Permit`].
pub const PERMIT_LEN: usize = 32;
/// Format version of [`Permit::to_bytes`].
pub(crate) const PERMIT_VERSION: u8 = 1;
/// Permits a session keeps redeemable: issuing one more makes the oldest unredeemable.
pub const PERMIT_WINDOW: u32 = 32;

const TAG_LEN: usize = 16;
const BODY_LEN: usize = PERMIT_LEN - TAG_LEN;
const PERMIT_CONTEXT: &[u8] = b"iomt-permit v1";

/// A claim that one operation was authorized for one subject in one session; only
/// [`super::RbacPolicy::authorize`] issues one with a valid tag. Not `Clone`: redeem it
/// once with [`super::SessionAuth::redeem`] (a byte copy via [`Self::to_bytes`] is refused
/// at the second redemption).
///
/// Outside this crate a permit cannot be built from fields or cloned:
/// ```compile_fail
/// let p = iomt_auth::rbac::Permit { operation: iomt_core::Operation::FirmwareUpdate };
/// ```
/// ```compile_fail
/// fn dup(p: &iomt_auth::rbac::Permit) -> iomt_auth::rbac::Permit { p.clone() }
/// ```
#[derive(PartialEq, Eq)]
pub struct Permit {
    operation: Operation,
    index: u32,
    subject: Subject,
    tag: [u8; TAG_LEN],
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit")
            .field("operation", &self.operation)
            .field("index", &self.index)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl Permit {
    /// The operation this permit is for.
    #[must_use]
    pub const fn operation(&self) -> Operation {
        self.operation
    }

    /// Who it was granted to.
    #[must_use]
    pub const fn subject(&self) -> Subject {
        self.subject
    }

    /// Its issue index within its session.
    #[must_use]
    pub const fn index(&self) -> u32 {
        self.index
    }

    fn body(operation: Operation, index: u32, subject: &Subject) -> [u8; BODY_LEN] {
        let mut b = [0u8; BODY_LEN];
        let (head, who) = b.split_at_mut(8);
        who.copy_from_slice(subject);
        let (ver_op, idx) = head.split_at_mut(4);
        idx.copy_from_slice(&index.to_be_bytes());
        ver_op.copy_from_slice(&[PERMIT_VERSION, operation.code(), 0, 0]);
        b
    }

    /// The 32-byte form (see the module docs): what the C API keeps in `iomt_permit`.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; PERMIT_LEN] {
        let mut out = [0u8; PERMIT_LEN];
        let (body, tag) = out.split_at_mut(BODY_LEN);
        body.copy_from_slice(&Self::body(self.operation, self.index, &self.subject));
        tag.copy_from_slice(&self.tag);
        out
    }

    /// Parses the 32-byte form. This checks only the format; the tag is checked when the
    /// permit is redeemed.
    ///
    /// ```
    /// use iomt_auth::rbac::{PERMIT_LEN, Permit, RbacDenyReason};
    /// let mut bytes = [0u8; PERMIT_LEN];
    /// bytes[0] = 1;
    /// bytes[1] = 8; // no such operation (codes 0..=7)
    /// assert_eq!(Permit::from_bytes(&bytes).unwrap_err(), RbacDenyReason::PermitMalformed);
    /// ```
    ///
    /// # Errors
    /// [`RbacDenyReason::PermitMalformed`]: unknown version or operation code, non-zero
    /// reserved bytes.
    pub fn from_bytes(bytes: &[u8; PERMIT_LEN]) -> Result<Self, RbacDenyReason> {
        let bad = RbacDenyReason::PermitMalformed;
        let (head, rest) = bytes.split_first_chunk::<4>().ok_or(bad)?;
        let (idx, rest) = rest.split_first_chunk::<4>().ok_or(bad)?;
        let (subject, tag) = rest.split_first_chunk::<8>().ok_or(bad)?;
        let [version, op, 0, 0] = *head else {
            return Err(bad);
        };
        if version != PERMIT_VERSION {
            return Err(bad);
        }
        Ok(Self {
            operation: Operation::from_code(op).map_err(|_| bad)?,
            index: u32::from_be_bytes(*idx),
            subject: *subject,
            tag: tag.try_into().map_err(|_| bad)?,
        })
    }
}

/// A permit that its session has redeemed: the one-use proof an operation consumes
/// ([`crate::audit::AuditLog::clear`], [`crate::update::UpdateVerifier::begin`]). Not
/// `Clone`, fields private, created only by [`super::SessionAuth::redeem`].
///
/// ```compile_fail
/// let r = iomt_auth::rbac::RedeemedPermit {
///     operation: iomt_core::Operation::ClearAuditLog,
///     subject: [0; 8],
/// };
/// ```
/// ```compile_fail
/// fn dup(r: &iomt_auth::rbac::RedeemedPermit) -> iomt_auth::rbac::RedeemedPermit { r.clone() }
/// ```
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a redeemed permit is spent: pass it to its operation"]
pub struct RedeemedPermit {
    operation: Operation,
    subject: Subject,
}

impl RedeemedPermit {
    /// The operation it authorizes.
    #[must_use]
    pub const fn operation(&self) -> Operation {
        self.operation
    }

    /// Who it was granted to.
    #[must_use]
    pub const fn subject(&self) -> Subject {
        self.subject
    }
}

/// A session's permit key and which of its newest permits are still unredeemed.
pub(super) struct PermitBook {
    key: [u8; 32],
    keyed: bool,
    next: u32,
    live: u32,
}

impl fmt::Debug for PermitBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitBook")
            .field("issued", &self.next)
            .field("live", &self.live)
            .finish_non_exhaustive()
    }
}

impl Drop for PermitBook {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl PermitBook {
    pub(super) const fn new() -> Self {
        Self {
            key: [0; 32],
            keyed: false,
            next: 0,
            live: 0,
        }
    }

    /// Draws the key if there is none yet, and checks an index is left.
    pub(super) fn ready<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
    ) -> Result<(), RbacDenyReason> {
        if self.next == u32::MAX {
            return Err(RbacDenyReason::PermitUnavailable);
        }
        if !self.keyed {
            crypto
                .random_bytes(&mut self.key)
                .map_err(|_| RbacDenyReason::PermitUnavailable)?;
            self.keyed = true;
        }
        Ok(())
    }

    fn tag<C: CryptoProvider>(&self, crypto: &mut C, body: &[u8; BODY_LEN]) -> [u8; TAG_LEN] {
        let mut msg = [0u8; PERMIT_CONTEXT.len() + BODY_LEN];
        let (a, b) = msg.split_at_mut(PERMIT_CONTEXT.len());
        a.copy_from_slice(PERMIT_CONTEXT);
        b.copy_from_slice(body);
        let mac = crypto.hkdf_sha256_extract(&self.key, &msg);
        let mut t = [0u8; TAG_LEN];
        for (d, s) in t.iter_mut().zip(mac.as_bytes()) {
            *d = *s;
        }
        t
    }

    /// Issues the next permit (call [`Self::ready`] first).
    pub(super) fn issue<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        operation: Operation,
        subject: Subject,
    ) -> Result<Permit, RbacDenyReason> {
        self.ready(crypto)?;
        let index = self.next;
        self.next = index
            .checked_add(1)
            .ok_or(RbacDenyReason::PermitUnavailable)?;
        self.live = (self.live << 1) | 1;
        let tag = self.tag(crypto, &Permit::body(operation, index, &subject));
        Ok(Permit {
            operation,
            index,
            subject,
            tag,
        })
    }

    /// Checks `permit`'s tag under this session's key and spends it.
    pub(super) fn redeem<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        permit: &Permit,
        subject: Subject,
    ) -> Result<(), RbacDenyReason> {
        if !self.keyed {
            return Err(RbacDenyReason::PermitInvalid);
        }
        let expected = self.tag(
            crypto,
            &Permit::body(permit.operation, permit.index, &permit.subject),
        );
        if !iomt_crypto::constant_time_eq(&expected, &permit.tag) || permit.subject != subject {
            return Err(RbacDenyReason::PermitInvalid);
        }
        // Bit `age` of `live` is the permit issued `age + 1` permits ago.
        let age = self
            .next
            .checked_sub(permit.index)
            .and_then(|d| d.checked_sub(1))
            .filter(|a| *a < PERMIT_WINDOW)
            .ok_or(RbacDenyReason::PermitSpent)?;
        let bit = 1u32 << age;
        if self.live & bit == 0 {
            return Err(RbacDenyReason::PermitSpent);
        }
        self.live &= !bit;
        Ok(())
    }
}

/// Builds a redeemed permit (only [`super::SessionAuth::redeem`] calls this).
pub(super) const fn redeemed(permit: &Permit) -> RedeemedPermit {
    RedeemedPermit {
        operation: permit.operation,
        subject: permit.subject,
    }
}
