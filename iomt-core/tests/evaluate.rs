//! Consent evaluation: properties (deny wins, monotonic expiry, unknown purpose denies, no
//! break-glass without the flag) and a model check against the documented rules.
#![cfg(test)]

use iomt_core::*;
use proptest::prelude::*;

fn arb_tag() -> impl Strategy<Value = ConsentTag> {
    (
        any::<bool>(),
        0u32..8,
        0u64..1000,
        0u64..1000,
        (0u32..1 << 21, 0u16..1 << 9, 0u8..16, 0u8..64, any::<bool>()),
    )
        .prop_map(|(permit, rev, a, b, (p, r, ac, cl, bg))| {
            let (from, until) = if a <= b { (a, b) } else { (b, a) };
            let ctor = if permit {
                ConsentTag::permit
            } else {
                ConsentTag::deny
            };
            ctor(
                ConsentRef([u8::try_from(rev).unwrap(); 32]),
                rev,
                Timestamp::from_secs(from),
                Timestamp::from_secs(until),
            )
            .with_purposes(PurposeSet::from_bits(p).unwrap())
            .with_roles(RoleSet::from_bits(r).unwrap())
            .with_actions(ActionSet::from_bits(ac).unwrap())
            .with_classes(DataClassSet::from_bits(cl).unwrap())
            .with_break_glass(bg)
        })
}

fn arb_req() -> impl Strategy<Value = AccessRequest> {
    (
        proptest::sample::select(Role::ALL),
        proptest::sample::select(Purpose::ALL),
        proptest::sample::select(Action::ALL),
        proptest::sample::select(DataClass::ALL),
        0u64..1100,
        proptest::option::of(0u32..10),
    )
        .prop_map(
            |(role, purpose, action, class, now, latest_revision)| AccessRequest {
                role,
                purpose,
                action,
                class,
                now: Timestamp::from_secs(now),
                latest_revision,
            },
        )
}

/// What the model predicts (a grant's contents are checked by `break_glass_grant_is_complete`:
/// only `evaluate` can make a `BreakGlassGrant`).
#[derive(Debug, PartialEq, Eq)]
enum Model {
    Permit,
    Deny(DenyReason),
    BreakGlass,
}

fn kind(d: Decision) -> Model {
    match d {
        Decision::Permit => Model::Permit,
        Decision::Deny(r) => Model::Deny(r),
        Decision::BreakGlass(_) => Model::BreakGlass,
    }
}

/// The rules as written in the module docs, independently of the implementation.
fn model(t: &ConsentTag, q: &AccessRequest) -> Model {
    let in_window = t.valid_from <= q.now && q.now < t.valid_until;
    let fresh = q.latest_revision.is_none_or(|l| l <= t.revision);
    if !in_window || !fresh {
        return Model::Deny(if q.now < t.valid_from {
            DenyReason::NotYetValid
        } else if q.now >= t.valid_until {
            DenyReason::Expired
        } else {
            DenyReason::StaleRevision
        });
    }
    let covered = t.purposes.contains(q.purpose)
        && t.roles.contains(q.role)
        && t.actions.contains(q.action)
        && t.classes.contains(q.class);
    if t.effect == Effect::Permit && covered {
        return Model::Permit;
    }
    let emergency = matches!(
        q.purpose,
        Purpose::EmergencyTreatment | Purpose::BreakTheGlass
    );
    let clinical = matches!(q.role, Role::Clinician | Role::Nurse | Role::Emergency);
    let reads = matches!(q.action, Action::Access | Action::Use);
    if t.break_glass && emergency && clinical && reads {
        return Model::BreakGlass;
    }
    Model::Deny(if t.effect == Effect::Deny {
        DenyReason::DeniedByConsent
    } else if !t.purposes.contains(q.purpose) {
        DenyReason::PurposeNotCovered
    } else if !t.roles.contains(q.role) {
        DenyReason::RoleNotCovered
    } else if !t.actions.contains(q.action) {
        DenyReason::ActionNotCovered
    } else {
        DenyReason::ClassNotCovered
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn matches_the_documented_model(t in arb_tag(), q in arb_req()) {
        prop_assert_eq!(kind(evaluate(&t, &q)), model(&t, &q));
    }

    #[test]
    fn deny_wins(t in arb_tag(), q in arb_req()) {
        let mut t = t;
        t.effect = Effect::Deny;
        let d = evaluate(&t, &q);
        prop_assert!(d != Decision::Permit);
        if !t.break_glass {
            prop_assert!(!d.allows());
        }
    }

    #[test]
    fn expiry_is_monotonic(t in arb_tag(), q in arb_req(), later in 1u64..10_000) {
        if evaluate(&t, &q) == Decision::Deny(DenyReason::Expired) {
            let mut q2 = q;
            q2.now = Timestamp::from_secs(q.now.as_secs() + later);
            prop_assert_eq!(evaluate(&t, &q2), Decision::Deny(DenyReason::Expired));
        }
    }

    #[test]
    fn purpose_not_in_tag_never_permits(t in arb_tag(), q in arb_req()) {
        if !t.purposes.contains(q.purpose) {
            prop_assert!(evaluate(&t, &q) != Decision::Permit);
        }
        // An empty tag (default deny) permits nothing.
        let empty = ConsentTag::permit(t.consent_ref, t.revision, t.valid_from, t.valid_until);
        prop_assert!(!evaluate(&empty, &q).allows());
    }

    #[test]
    fn no_break_glass_without_flag(t in arb_tag(), q in arb_req()) {
        let mut t = t;
        t.break_glass = false;
        prop_assert!(!matches!(evaluate(&t, &q), Decision::BreakGlass(_)));
    }

    #[test]
    fn stale_revision_denies(t in arb_tag(), q in arb_req(), ahead in 1u32..5) {
        let mut q = q;
        q.latest_revision = Some(t.revision + ahead);
        prop_assert!(!evaluate(&t, &q).allows());
    }

    #[test]
    fn break_glass_grant_is_complete(t in arb_tag(), q in arb_req()) {
        if let Decision::BreakGlass(g) = evaluate(&t, &q) {
            prop_assert!(t.break_glass);
            prop_assert!(q.purpose.is_emergency());
            prop_assert!(q.role.may_break_glass());
            prop_assert_eq!((g.consent_ref(), g.revision(), g.role(), g.purpose(), g.action(), g.class(), g.at()), (t.consent_ref, t.revision, q.role, q.purpose, q.action, q.class, q.now));
        }
    }
}

#[test]
fn examples() {
    let t = ConsentTag::deny(
        ConsentRef([1; 32]),
        4,
        Timestamp::from_secs(10),
        Timestamp::from_secs(20),
    )
    .with_purposes(PurposeSet::ALL)
    .with_roles(RoleSet::ALL)
    .with_actions(ActionSet::ALL)
    .with_classes(DataClassSet::ALL);
    let q = AccessRequest {
        role: Role::Emergency,
        purpose: Purpose::BreakTheGlass,
        action: Action::Access,
        class: DataClass::Vitals,
        now: Timestamp::from_secs(10),
        latest_revision: Some(4),
    };
    assert_eq!(
        evaluate(&t, &q),
        Decision::Deny(DenyReason::DeniedByConsent)
    );
    let bg = t.clone().with_break_glass(true);
    assert!(
        matches!(evaluate(&bg, &q), Decision::BreakGlass(g) if g.revision() == 4 && g.at() == q.now)
    );
    // Researchers, disclosure and non-emergency purposes never break glass.
    assert!(
        !evaluate(
            &bg,
            &AccessRequest {
                role: Role::Researcher,
                ..q
            }
        )
        .allows()
    );
    assert!(
        !evaluate(
            &bg,
            &AccessRequest {
                action: Action::Disclose,
                ..q
            }
        )
        .allows()
    );
    assert!(
        !evaluate(
            &bg,
            &AccessRequest {
                purpose: Purpose::Treatment,
                ..q
            }
        )
        .allows()
    );
    // Window edges: valid_from inclusive, valid_until exclusive; break-glass doesn't revive.
    assert_eq!(
        evaluate(
            &bg,
            &AccessRequest {
                now: Timestamp::from_secs(9),
                ..q
            }
        ),
        Decision::Deny(DenyReason::NotYetValid)
    );
    assert_eq!(
        evaluate(
            &bg,
            &AccessRequest {
                now: Timestamp::from_secs(20),
                ..q
            }
        ),
        Decision::Deny(DenyReason::Expired)
    );
    assert_eq!(
        evaluate(
            &bg,
            &AccessRequest {
                latest_revision: Some(5),
                ..q
            }
        ),
        Decision::Deny(DenyReason::StaleRevision)
    );
    // Unsupported version (a mutated public field) denies.
    let mut v = bg;
    v.version = 2;
    assert_eq!(
        evaluate(&v, &q),
        Decision::Deny(DenyReason::UnsupportedVersion)
    );
}
