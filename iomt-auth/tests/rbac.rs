//! RBAC decisions, role escalation attempts, audit of authorization, break-glass.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] fns")]

use iomt_auth::audit::*;
use iomt_auth::cred::{IdCred, PeerIdentity, StaticTrustStore, TrustEntry, TrustStore};
use iomt_auth::factor::{
    FactorOutcome, FactorTag, FactorVerifier, LockoutPolicy, PinVerifier, RamFactorStore,
};
use iomt_auth::rbac::*;
use iomt_core::{
    AccessRequest, Action, ActionSet, ConsentRef, ConsentTag, DataClass, DataClassSet, Decision,
    DenyReason, Operation, Purpose, PurposeSet, Role, RoleSet, Timestamp, evaluate,
};
use iomt_crypto::DeterministicProvider;

#[path = "common/broken_store.rs"]
mod broken_store;
use broken_store::BrokenStore;

const T0: u64 = 1_800_000_000;

fn t(s: u64) -> Timestamp {
    Timestamp::from_secs(T0 + s)
}

fn log(c: &mut DeterministicProvider) -> AuditLog<RamAuditStore<32>> {
    AuditLog::open(c, RamAuditStore::new(), [0xd0; 8]).unwrap()
}

/// A session whose operator factor verified (through the real verifier).
fn with_factor(
    c: &mut DeterministicProvider,
    l: &mut AuditLog<RamAuditStore<32>>,
    mut s: SessionAuth,
) -> SessionAuth {
    let v = PinVerifier::derive(c, b"dev", b"135790").unwrap();
    let tag = FactorTag::compute(c, &v, &[4; 32]);
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    let r = fv.verify(c, l, &v, &[4; 32], Some(&tag), s.subject(), t(0));
    s.set_factor(FactorOutcome::from_result(r));
    assert!(matches!(s.factor(), FactorOutcome::Verified(_)));
    s
}

#[test]
fn rbac_default_policy_table() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    let p = RbacPolicy::DEFAULT;
    for &role in Role::ALL {
        let plain = SessionAuth::new(&mut c, b"x", RoleSet::only(role));
        let fresh = SessionAuth::new(&mut c, b"x", RoleSet::only(role));
        let strong = with_factor(&mut c, &mut l, fresh);
        for &op in Operation::ALL {
            let in_table = p.rows().iter().any(|r| r.role == role && r.operation == op);
            let d_plain = p.decide(&plain, op);
            let d_strong = p.decide(&strong, op);
            if !in_table {
                // default deny, factor or not
                assert_eq!(
                    d_plain,
                    RbacDecision::Deny(RbacDenyReason::NotPermitted),
                    "{role:?} {op:?}"
                );
                assert_eq!(d_strong, RbacDecision::Deny(RbacDenyReason::NotPermitted));
            } else if op.is_privileged() {
                assert_eq!(
                    d_plain,
                    RbacDecision::Deny(RbacDenyReason::FactorRequired),
                    "{role:?} {op:?}"
                );
                assert_eq!(d_strong, RbacDecision::Allow);
            } else {
                assert_eq!(d_plain, RbacDecision::Allow);
                assert_eq!(d_strong, RbacDecision::Allow);
            }
        }
    }
    // the device role may do nothing by default
    assert!(p.rows().iter().all(|r| r.role != Role::Device));
}

#[test]
fn rbac_no_role_is_denied() {
    let mut c = DeterministicProvider::new();
    let s = SessionAuth::new(&mut c, b"nobody", RoleSet::EMPTY);
    for &op in Operation::ALL {
        assert_eq!(
            RbacPolicy::DEFAULT.decide(&s, op),
            RbacDecision::Deny(RbacDenyReason::NoRole)
        );
    }
}

#[test]
fn rbac_table_cannot_weaken_privileged_operations() {
    const WEAK: &[RbacRule] = &[
        RbacRule::new(
            Role::Gateway,
            Operation::FirmwareUpdate,
            Requirement::Credential,
        ),
        RbacRule::new(
            Role::Gateway,
            Operation::ReadVitals,
            Requirement::CredentialAndFactor,
        ),
    ];
    const P: RbacPolicy<'static> = RbacPolicy::new(WEAK);
    let mut c = DeterministicProvider::new();
    let gw = SessionAuth::new(&mut c, b"gw", RoleSet::only(Role::Gateway));
    assert_eq!(
        P.decide(&gw, Operation::FirmwareUpdate),
        RbacDecision::Deny(RbacDenyReason::FactorRequired)
    );
    // a table may strengthen a non-privileged operation
    assert_eq!(
        P.decide(&gw, Operation::ReadVitals),
        RbacDecision::Deny(RbacDenyReason::FactorRequired)
    );
    assert_eq!(
        P.requirement(gw.roles(), Operation::FirmwareUpdate),
        Some(Requirement::CredentialAndFactor)
    );
}

#[test]
fn rbac_weakest_matching_row_applies_across_roles() {
    const ROWS: &[RbacRule] = &[
        RbacRule::new(
            Role::Nurse,
            Operation::ConfigureAlarms,
            Requirement::CredentialAndFactor,
        ),
        RbacRule::new(
            Role::Clinician,
            Operation::ConfigureAlarms,
            Requirement::Credential,
        ),
    ];
    const P: RbacPolicy<'static> = RbacPolicy::new(ROWS);
    let mut c = DeterministicProvider::new();
    let both = SessionAuth::new(
        &mut c,
        b"x",
        RoleSet::only(Role::Nurse).with(Role::Clinician),
    );
    assert_eq!(
        P.decide(&both, Operation::ConfigureAlarms),
        RbacDecision::Allow
    );
    let nurse = SessionAuth::new(&mut c, b"x", RoleSet::only(Role::Nurse));
    assert_eq!(
        P.decide(&nurse, Operation::ConfigureAlarms),
        RbacDecision::Deny(RbacDenyReason::FactorRequired)
    );
}

#[test]
fn rbac_role_escalation_attempts_fail() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    let p = RbacPolicy::DEFAULT;
    // a nurse with a valid factor still cannot change therapy or update firmware
    let nurse = SessionAuth::new(&mut c, b"nurse", RoleSet::only(Role::Nurse));
    let mut nurse = with_factor(&mut c, &mut l, nurse);
    for op in [
        Operation::ChangeTherapy,
        Operation::FirmwareUpdate,
        Operation::ClearAuditLog,
        Operation::ManageCredentials,
    ] {
        assert_eq!(
            p.decide(&nurse, op),
            RbacDecision::Deny(RbacDenyReason::NotPermitted)
        );
        assert_eq!(
            p.authorize(&mut c, &mut l, &mut nurse, op, t(1))
                .unwrap_err(),
            RbacDenyReason::NotPermitted
        );
    }
    // a patient cannot read the audit log
    let patient = SessionAuth::new(&mut c, b"pt", RoleSet::only(Role::Patient));
    assert_eq!(
        p.decide(&patient, Operation::ReadAuditLog),
        RbacDecision::Deny(RbacDenyReason::NotPermitted)
    );

    // roles come only from the trust store: the peer cannot choose them
    let cred_nurse = [0xa1, 0x01, 0x01];
    let cred_rogue = [0xa1, 0x01, 0x02];
    let store = StaticTrustStore::new([TrustEntry {
        kid: &[0x10],
        cred: &cred_nurse,
        identity: PeerIdentity::from_slice(b"nurse-17"),
        roles: RoleSet::only(Role::Nurse),
    }]);
    let tc = store.resolve(&IdCred::Kid(&[0x10])).unwrap();
    let s = SessionAuth::new(&mut c, &tc.identity.0, tc.roles);
    assert_eq!(s.roles(), RoleSet::only(Role::Nurse));
    // a credential sent by value that is not pinned resolves to nothing (no roles at all)
    assert!(store.resolve(&IdCred::Ccs(&cred_rogue)).is_none());
    assert!(store.resolve(&IdCred::Kid(&[0x11])).is_none());
    // unknown role bits from a store are refused rather than silently dropped
    assert!(RoleSet::from_bits(0x8000).is_err());
}

#[test]
fn rbac_factor_proof_cannot_move_to_another_subjects_session() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    let admin = SessionAuth::new(&mut c, b"admin", RoleSet::only(Role::Administrator));
    let v = PinVerifier::derive(&mut c, b"dev", b"135790").unwrap();
    let tag = FactorTag::compute(&mut c, &v, &[4; 32]);
    let mut fv = FactorVerifier::new(RamFactorStore::default(), LockoutPolicy::DEFAULT);
    let proof = fv
        .verify(
            &mut c,
            &mut l,
            &v,
            &[4; 32],
            Some(&tag),
            admin.subject(),
            t(0),
        )
        .unwrap();
    assert_eq!(proof.subject(), admin.subject());
    let p = RbacPolicy::DEFAULT;
    // Another administrator's session holding the first one's proof.
    let mut other = SessionAuth::new(&mut c, b"admin-2", RoleSet::only(Role::Administrator));
    other.set_factor(FactorOutcome::Verified(proof));
    assert_eq!(
        p.decide(&other, Operation::ClearAuditLog),
        RbacDecision::Deny(RbacDenyReason::FactorRequired)
    );
    assert_eq!(
        p.authorize(&mut c, &mut l, &mut other, Operation::ClearAuditLog, t(1)),
        Err(RbacDenyReason::FactorRequired)
    );
}

#[test]
fn rbac_factor_states_map_to_reasons() {
    let mut c = DeterministicProvider::new();
    let mut s = SessionAuth::new(&mut c, b"doc", RoleSet::only(Role::Clinician));
    let p = RbacPolicy::DEFAULT;
    s.set_factor(FactorOutcome::Failed);
    assert_eq!(
        p.decide(&s, Operation::ChangeTherapy),
        RbacDecision::Deny(RbacDenyReason::FactorRequired)
    );
    s.set_factor(FactorOutcome::LockedOut);
    assert_eq!(
        p.decide(&s, Operation::ChangeTherapy),
        RbacDecision::Deny(RbacDenyReason::LockedOut)
    );
    // non-privileged operations do not depend on the factor
    assert_eq!(p.decide(&s, Operation::ReadVitals), RbacDecision::Allow);
}

#[test]
fn rbac_authorize_audits_denials_and_privileged_operations() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    let p = RbacPolicy::DEFAULT;
    let mut doc = SessionAuth::new(&mut c, b"doc", RoleSet::only(Role::Clinician));
    // non-privileged allow: no record
    let n0 = l.meta().next_seq;
    let permit = p
        .authorize(&mut c, &mut l, &mut doc, Operation::ReadVitals, t(1))
        .unwrap();
    assert_eq!(permit.operation(), Operation::ReadVitals);
    assert_eq!(l.meta().next_seq, n0);
    // denial: recorded with op and reason
    assert_eq!(
        p.authorize(&mut c, &mut l, &mut doc, Operation::ChangeTherapy, t(2))
            .unwrap_err(),
        RbacDenyReason::FactorRequired
    );
    let r = l.read(n0).unwrap();
    assert_eq!(
        (r.event, r.outcome, r.subject),
        (AuditEvent::OperationDenied, Outcome::Denied, doc.subject())
    );
    assert_eq!(
        &r.detail.0[..2],
        &[
            Operation::ChangeTherapy.code(),
            RbacDenyReason::FactorRequired.code()
        ]
    );
    // privileged allow: recorded before the permit is returned
    let mut doc = with_factor(&mut c, &mut l, doc);
    let before = l.meta().next_seq;
    let permit = p
        .authorize(&mut c, &mut l, &mut doc, Operation::ChangeTherapy, t(3))
        .unwrap();
    assert_eq!(permit.subject(), doc.subject());
    let r = l.read(before).unwrap();
    assert_eq!(
        (r.event, r.outcome),
        (AuditEvent::PrivilegedOperation, Outcome::Success)
    );
    assert_eq!(r.detail.0[0], Operation::ChangeTherapy.code());
    l.verify_stored(&mut c).unwrap();
}

#[test]
fn rbac_privileged_operation_fails_closed_without_audit() {
    let mut c = DeterministicProvider::new();
    let mut good = log(&mut c);
    let doc = SessionAuth::new(&mut c, b"doc", RoleSet::only(Role::Clinician));
    let mut doc = with_factor(&mut c, &mut good, doc);
    let mut broken = AuditLog::open(&mut c, BrokenStore, [0; 8]).unwrap();
    let p = RbacPolicy::DEFAULT;
    assert_eq!(
        p.authorize(
            &mut c,
            &mut broken,
            &mut doc,
            Operation::ChangeTherapy,
            t(1)
        )
        .unwrap_err(),
        RbacDenyReason::AuditUnavailable
    );
    // reading vitals needs no record, so it still works
    assert!(
        p.authorize(&mut c, &mut broken, &mut doc, Operation::ReadVitals, t(1))
            .is_ok()
    );
}

fn emergency_tag(break_glass: bool) -> ConsentTag {
    let mut tag = ConsentTag::permit(ConsentRef([0x5c; 32]), 4, t(0), t(1_000_000))
        .with_purposes(PurposeSet::only(Purpose::Treatment))
        .with_roles(RoleSet::only(Role::Clinician))
        .with_actions(ActionSet::only(Action::Access))
        .with_classes(DataClassSet::only(DataClass::Vitals));
    tag.break_glass = break_glass;
    tag
}

fn request(role: Role, purpose: Purpose, now: Timestamp) -> AccessRequest {
    AccessRequest {
        role,
        purpose,
        action: Action::Access,
        class: DataClass::Vitals,
        now,
        latest_revision: None,
    }
}

#[test]
fn break_glass_enforce_consent_evaluates_the_tag_itself() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    let who = [5; 8];
    // Emergency treatment under a tag that allows override: audited break-glass.
    let req = request(Role::Clinician, Purpose::EmergencyTreatment, t(10));
    let access = enforce_consent(&mut c, &mut l, &emergency_tag(true), &req, who, 900).unwrap();
    let ConsentAccess::BreakGlass(b) = access else {
        panic!("expected break-glass, got {access:?}");
    };
    assert_eq!(l.read(b.audit_seq()).unwrap().event, AuditEvent::BreakGlass);
    // The same request where the tag does not allow override: denied and audited.
    let before = l.meta().next_seq;
    let r = enforce_consent(&mut c, &mut l, &emergency_tag(false), &req, who, 900);
    assert!(matches!(r, Err(BreakGlassError::ConsentDenied(_))), "{r:?}");
    assert_eq!(l.read(before).unwrap().event, AuditEvent::ConsentDenied);
    // A role that may not break glass gets no grant, whatever it asks for.
    let req = request(Role::Researcher, Purpose::EmergencyTreatment, t(10));
    let r = enforce_consent(&mut c, &mut l, &emergency_tag(true), &req, who, 900);
    assert!(matches!(r, Err(BreakGlassError::ConsentDenied(_))), "{r:?}");
}

#[test]
fn break_glass_is_audited_before_access_and_expires() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    let tag = emergency_tag(true);
    let now = t(100);
    let d = evaluate(
        &tag,
        &request(Role::Emergency, Purpose::EmergencyTreatment, now),
    );
    assert!(matches!(d, Decision::BreakGlass(_)));
    let before = l.meta().next_seq;
    let access = resolve_consent(&mut c, &mut l, d, [7; 8], now, 900).unwrap();
    let ConsentAccess::BreakGlass(a) = access else {
        panic!("expected break-glass")
    };
    // the record exists and describes the grant
    assert_eq!(a.audit_seq(), before);
    let r = l.read(before).unwrap();
    assert_eq!(
        (r.event, r.outcome, r.subject),
        (AuditEvent::BreakGlass, Outcome::Success, [7; 8])
    );
    assert_eq!(r.detail.0[0], Purpose::EmergencyTreatment.code());
    assert_eq!(r.detail.0[1], Role::Emergency.code());
    assert_eq!(&r.detail.0[4..8], &4u32.to_be_bytes());
    assert_eq!(&r.detail.0[8..16], &[0x5c; 8]);
    // time-limited
    assert!(a.is_valid(now));
    assert!(a.is_valid(t(999)));
    assert!(!a.is_valid(t(1000)));
    assert!(!a.is_valid(t(99)));
    assert_eq!(a.expires(), t(1000));
}

#[test]
fn break_glass_btg_purpose_works_and_ttl_is_capped() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    let d = evaluate(
        &emergency_tag(true),
        &request(Role::Nurse, Purpose::BreakTheGlass, t(10)),
    );
    let ConsentAccess::BreakGlass(a) =
        resolve_consent(&mut c, &mut l, d, [1; 8], t(10), u64::MAX).unwrap()
    else {
        panic!()
    };
    assert_eq!(a.expires(), t(10 + BREAK_GLASS_MAX_TTL_SECS));
}

#[test]
fn break_glass_only_where_consent_allows() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    // tag without the break-glass flag: emergency purpose is simply denied (and audited)
    let d = evaluate(
        &emergency_tag(false),
        &request(Role::Emergency, Purpose::EmergencyTreatment, t(5)),
    );
    assert_eq!(d, Decision::Deny(DenyReason::PurposeNotCovered));
    let before = l.meta().next_seq;
    assert_eq!(
        resolve_consent(&mut c, &mut l, d, [1; 8], t(5), 900).unwrap_err(),
        BreakGlassError::ConsentDenied(DenyReason::PurposeNotCovered)
    );
    let r = l.read(before).unwrap();
    assert_eq!(
        (r.event, r.outcome),
        (AuditEvent::ConsentDenied, Outcome::Denied)
    );
    // non-emergency purpose never breaks glass
    let d = evaluate(
        &emergency_tag(true),
        &request(Role::Emergency, Purpose::Research, t(5)),
    );
    assert!(matches!(d, Decision::Deny(_)));
    // expired tag: no break-glass either
    let d = evaluate(
        &emergency_tag(true),
        &request(Role::Emergency, Purpose::EmergencyTreatment, t(2_000_000)),
    );
    assert_eq!(d, Decision::Deny(DenyReason::Expired));
    // an ordinary permit passes without a record
    let n = l.meta().next_seq;
    let d = evaluate(
        &emergency_tag(true),
        &request(Role::Clinician, Purpose::Treatment, t(5)),
    );
    assert_eq!(
        resolve_consent(&mut c, &mut l, d, [1; 8], t(5), 900).unwrap(),
        ConsentAccess::Permit
    );
    assert_eq!(l.meta().next_seq, n);
}

#[test]
fn break_glass_forged_or_stale_grants_refused() {
    let mut c = DeterministicProvider::new();
    let mut l = log(&mut c);
    // grants come only from `evaluate` (private fields: `BreakGlassGrant`'s compile_fail
    // doctest); one for an emergency request at `at` under a break-glass consent
    let grant_at = |at: Timestamp| {
        let tag =
            ConsentTag::deny(ConsentRef([1; 32]), 1, t(0), t(u64::MAX / 2)).with_break_glass(true);
        let q = AccessRequest {
            role: Role::Emergency,
            purpose: Purpose::EmergencyTreatment,
            action: Action::Access,
            class: DataClass::Vitals,
            now: at,
            latest_revision: None,
        };
        match evaluate(&tag, &q) {
            Decision::BreakGlass(g) => g,
            other => panic!("{other:?}"),
        }
    };
    let grant = grant_at(t(0));
    // presented after its window
    assert_eq!(
        activate_break_glass(&mut c, &mut l, grant, [1; 8], t(901), 900).unwrap_err(),
        BreakGlassError::Expired
    );
    // from the future
    assert_eq!(
        activate_break_glass(&mut c, &mut l, grant_at(t(50)), [1; 8], t(10), 900).unwrap_err(),
        BreakGlassError::Expired
    );
    // a non-emergency purpose or role never yields a grant to present
    for (role, purpose) in [
        (Role::Emergency, Purpose::Treatment),
        (Role::Researcher, Purpose::EmergencyTreatment),
    ] {
        let tag = ConsentTag::deny(ConsentRef([1; 32]), 1, t(0), t(900)).with_break_glass(true);
        let q = AccessRequest {
            role,
            purpose,
            action: Action::Access,
            class: DataClass::Vitals,
            now: t(1),
            latest_revision: None,
        };
        assert!(!matches!(evaluate(&tag, &q), Decision::BreakGlass(_)));
    }
    // none of these left a break-glass record
    assert_eq!(l.meta().next_seq, 0);
    // audit unavailable: no access
    let mut broken = AuditLog::open(&mut c, BrokenStore, [0; 8]).unwrap();
    assert_eq!(
        activate_break_glass(&mut c, &mut broken, grant, [1; 8], t(1), 900).unwrap_err(),
        BreakGlassError::AuditUnavailable
    );
}

#[test]
fn rbac_aaa_errors_lift_into_auth_error_with_distinct_codes() {
    use iomt_auth::AuthError;
    use iomt_auth::factor::FactorError;
    use iomt_auth::update::UpdateError;
    let mut all: Vec<AuthError> = vec![
        AuditError::Storage.into(),
        AuditError::Crypto(iomt_crypto::CryptoError::Rng).into(),
        AuditError::WrongPermit.into(),
        FactorError::Absent.into(),
        FactorError::BufferTooSmall { needed: 1 }.into(),
        RbacDenyReason::NoRole.into(),
        RbacDenyReason::AuditUnavailable.into(),
        BreakGlassError::NotEmergency.into(),
        BreakGlassError::AuditUnavailable.into(),
        UpdateError::Malformed.into(),
        UpdateError::Crypto(iomt_crypto::CryptoError::Rng).into(),
        AuthError::Crypto(iomt_crypto::CryptoError::Rng),
    ];
    all.push(AuthError::AuthenticationFailed);
    // Shared meanings share a code (short buffer 2, a wrapped crypto failure its crypto
    // code, "audit record could not be written" 504); every other code is distinct.
    let codes: Vec<u16> = all
        .iter()
        .map(|e| e.code())
        .filter(|c| ![2, 105, 504].contains(c))
        .collect();
    for (i, a) in codes.iter().enumerate() {
        assert!(!codes[i + 1..].contains(a), "duplicate code {a}");
    }
    assert_eq!(AuthError::from(UpdateError::DigestMismatch).code(), 713);
    // application-level failures are never reported as EDHOC errors
    assert_eq!(
        AuthError::from(RbacDenyReason::NotPermitted).wire_err_code(),
        None
    );
    assert!(!format!("{}", AuthError::from(UpdateError::Downgrade)).is_empty());
}
