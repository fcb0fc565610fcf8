//! Consent evaluation: [`evaluate`] a [`ConsentTag`] against an [`AccessRequest`].
//!
//! # Rules (in order)
//! 1. A tag whose `version` isn't 1 → `Deny(UnsupportedVersion)`.
//! 2. Outside the validity window `valid_from <= now < valid_until` → `Deny(NotYetValid)` /
//!    `Deny(Expired)`. Break-glass does **not** override an expired or not-yet-valid tag.
//! 3. The gateway knows a later revision (`latest_revision > tag.revision`) → `Deny(StaleRevision)`
//!    (not overridable either: a superseded consent says nothing about the current one).
//! 4. A permit tag whose purposes, roles, actions and classes all contain the request's → `Permit`.
//! 5. Otherwise (a deny tag, or a scope miss) → `BreakGlass(grant)` if **all** hold: the tag's
//!    `break_glass` flag is set, the purpose is ETREAT or BTG, the role may break glass (clinician,
//!    nurse, emergency) and the action is `Access` or `Use`;
//! 6. else `Deny(DeniedByConsent)` for a deny tag, or `Deny(<first missing scope>)` — purpose, then
//!    role, action, class.
//!
//! Default deny: nothing is permitted that the tag doesn't name. [`Decision`] and
//! [`BreakGlassGrant`] are `#[must_use]`; a grant carries what the audit log must record.
//! `confidentiality` is a label for export and is not evaluated here.

use super::{Action, ConsentRef, ConsentTag, DataClass, Effect, Purpose};
use crate::{Role, Timestamp};

/// A request to use data governed by a consent tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AccessRequest {
    /// The requester's role (from its authenticated credential).
    pub role: Role,
    /// The declared purpose of use.
    pub purpose: Purpose,
    /// What the requester wants to do.
    pub action: Action,
    /// Which class of data.
    pub class: DataClass,
    /// Current time.
    pub now: Timestamp,
    /// The latest revision of this consent the evaluator knows of, if any.
    pub latest_revision: Option<u32>,
}

code_enum! {
    /// Why a request was denied.
    pub enum DenyReason {
        /// `now < valid_from`.
        NotYetValid = 0,
        /// `now >= valid_until`.
        Expired = 1,
        /// A later revision of the consent exists.
        StaleRevision = 2,
        /// The tag is a deny tag.
        DeniedByConsent = 3,
        /// The purpose is not in the tag.
        PurposeNotCovered = 4,
        /// The role is not in the tag.
        RoleNotCovered = 5,
        /// The action is not in the tag.
        ActionNotCovered = 6,
        /// The data class is not in the tag.
        ClassNotCovered = 7,
        /// The tag's version is not supported.
        UnsupportedVersion = 8,
    }
}

/// Emergency access granted against the consent; must be written to the audit log.
///
/// Only [`evaluate`] makes one (the fields are private), so a grant always describes a
/// request the consent's break-glass rule admitted: an emergency purpose, a role that may
/// break glass, a read action. iomt-auth's `activate_break_glass` turns it into access
/// after writing its audit record. A hand-made grant does not compile:
///
/// ```compile_fail,E0451
/// use iomt_core::*;
/// let forged = BreakGlassGrant {
///     consent_ref: ConsentRef([1; 32]), revision: 1, role: Role::Emergency,
///     purpose: Purpose::EmergencyTreatment, action: Action::Access,
///     class: DataClass::Vitals, at: Timestamp::from_secs(0),
/// };
/// ```
#[must_use = "a break-glass grant must be recorded in the audit log"]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BreakGlassGrant {
    consent_ref: ConsentRef,
    revision: u32,
    role: Role,
    purpose: Purpose,
    action: Action,
    class: DataClass,
    at: Timestamp,
}

impl BreakGlassGrant {
    /// The consent overridden.
    #[must_use]
    pub const fn consent_ref(&self) -> ConsentRef {
        self.consent_ref
    }

    /// Its revision.
    #[must_use]
    pub const fn revision(&self) -> u32 {
        self.revision
    }

    /// Who broke the glass.
    #[must_use]
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The emergency purpose claimed (ETREAT or BTG).
    #[must_use]
    pub const fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// The action granted.
    #[must_use]
    pub const fn action(&self) -> Action {
        self.action
    }

    /// The data class granted.
    #[must_use]
    pub const fn class(&self) -> DataClass {
        self.class
    }

    /// When (the request's time).
    #[must_use]
    pub const fn at(&self) -> Timestamp {
        self.at
    }
}

/// The outcome of [`evaluate`].
///
/// `Permit` and `Deny` carry no authority of their own (a caller that builds one only
/// decides for itself, as it could by not asking); the one variant that carries authority,
/// `BreakGlass`, holds a [`BreakGlassGrant`], which only [`evaluate`] can make.
#[must_use = "an access decision must be enforced"]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Decision {
    /// The tag permits the request.
    Permit,
    /// Denied, with the reason.
    Deny(DenyReason),
    /// Permitted only as emergency override; audit the grant.
    BreakGlass(BreakGlassGrant),
}

impl Decision {
    /// Whether access may proceed (`Permit` or `BreakGlass`).
    #[must_use]
    pub const fn allows(&self) -> bool {
        !matches!(self, Self::Deny(_))
    }
}

/// Evaluates `tag` for `req` (rules in the [module docs](self)).
///
/// ```
/// use iomt_core::*;
/// let tag = ConsentTag::permit(ConsentRef([1; 32]), 2, Timestamp::from_secs(100), Timestamp::from_secs(200))
///     .with_purposes(PurposeSet::only(Purpose::Treatment))
///     .with_roles(RoleSet::only(Role::Nurse))
///     .with_actions(ActionSet::only(Action::Access))
///     .with_classes(DataClassSet::only(DataClass::Vitals))
///     .with_break_glass(true);
/// let mut req = AccessRequest { role: Role::Nurse, purpose: Purpose::Treatment, action: Action::Access,
///     class: DataClass::Vitals, now: Timestamp::from_secs(150), latest_revision: Some(2) };
/// assert_eq!(evaluate(&tag, &req), Decision::Permit);
/// req.class = DataClass::Waveforms;
/// assert_eq!(evaluate(&tag, &req), Decision::Deny(DenyReason::ClassNotCovered));
/// req.purpose = Purpose::EmergencyTreatment;
/// assert!(matches!(evaluate(&tag, &req), Decision::BreakGlass(_)));
/// req.now = Timestamp::from_secs(200);
/// assert_eq!(evaluate(&tag, &req), Decision::Deny(DenyReason::Expired));
/// ```
pub fn evaluate(tag: &ConsentTag, req: &AccessRequest) -> Decision {
    if tag.validate().is_err() {
        return Decision::Deny(DenyReason::UnsupportedVersion);
    }
    if req.now < tag.valid_from {
        return Decision::Deny(DenyReason::NotYetValid);
    }
    if req.now >= tag.valid_until {
        return Decision::Deny(DenyReason::Expired);
    }
    if req
        .latest_revision
        .is_some_and(|latest| latest > tag.revision)
    {
        return Decision::Deny(DenyReason::StaleRevision);
    }
    let miss = if !tag.purposes.contains(req.purpose) {
        Some(DenyReason::PurposeNotCovered)
    } else if !tag.roles.contains(req.role) {
        Some(DenyReason::RoleNotCovered)
    } else if !tag.actions.contains(req.action) {
        Some(DenyReason::ActionNotCovered)
    } else if !tag.classes.contains(req.class) {
        Some(DenyReason::ClassNotCovered)
    } else {
        None
    };
    let reason = match (tag.effect, miss) {
        (Effect::Permit, None) => return Decision::Permit,
        (Effect::Permit, Some(reason)) => reason,
        (Effect::Deny, _) => DenyReason::DeniedByConsent,
    };
    if tag.break_glass
        && req.purpose.is_emergency()
        && req.role.may_break_glass()
        && matches!(req.action, Action::Access | Action::Use)
    {
        return Decision::BreakGlass(BreakGlassGrant {
            consent_ref: tag.consent_ref,
            revision: tag.revision,
            role: req.role,
            purpose: req.purpose,
            action: req.action,
            class: req.class,
            at: req.now,
        });
    }
    Decision::Deny(reason)
}
