//! Consent tags (`iomt_core::ConsentTag`): strict decode of untrusted bytes (canonical:
//! `encode(decode(b)) == b`), then evaluation against fuzzer-chosen requests, checked
//! against the rules of `iomt_core::consent::evaluate` (default deny, validity window,
//! stale revisions, break-glass only for emergency purposes, roles and actions).
#![no_main]

use iomt_core::consent::{AccessRequest, Decision, DenyReason, evaluate};
use iomt_core::{Action, ConsentTag, DataClass, Effect, Purpose, Role, Timestamp};
use libfuzzer_sys::fuzz_target;

fn pick<T: Copy>(all: &[T], b: u8) -> T {
    all[usize::from(b) % all.len()]
}

fuzz_target!(|data: &[u8]| {
    // The first 16 bytes describe a request; the rest is the tag.
    let (req_bytes, tag_bytes) = data.split_at(data.len().min(16));
    let Ok(tag) = ConsentTag::decode(tag_bytes) else {
        // Also the whole input as a tag (the seeds are whole tags).
        if let Ok(tag) = ConsentTag::decode(data) {
            check_roundtrip(&tag, data);
        }
        return;
    };
    check_roundtrip(&tag, tag_bytes);

    let mut r = [0u8; 16];
    r[..req_bytes.len()].copy_from_slice(req_bytes);
    let roles: Vec<Role> = (0..=255).filter_map(|c| Role::from_code(c).ok()).collect();
    let purposes: Vec<Purpose> = (0..=255)
        .filter_map(|c| Purpose::from_code(c).ok())
        .collect();
    let actions: Vec<Action> = (0..=255)
        .filter_map(|c| Action::from_code(c).ok())
        .collect();
    let classes: Vec<DataClass> = (0..=255)
        .filter_map(|c| DataClass::from_code(c).ok())
        .collect();
    let now_secs = u64::from_le_bytes(r[4..12].try_into().unwrap());
    // Half the time, pick a time inside the tag's window.
    let now = if r[12] & 1 == 1 {
        let (from, until) = (tag.valid_from.as_secs(), tag.valid_until.as_secs());
        Timestamp::from_secs(from + now_secs % (until - from).max(1))
    } else {
        Timestamp::from_secs(now_secs)
    };
    let req = AccessRequest {
        role: pick(&roles, r[0]),
        purpose: pick(&purposes, r[1]),
        action: pick(&actions, r[2]),
        class: pick(&classes, r[3]),
        now,
        latest_revision: (r[13] & 1 == 1).then(|| {
            tag.revision
                .wrapping_add(u32::from(r[14] % 3))
                .wrapping_sub(1)
        }),
    };
    let d = evaluate(&tag, &req);
    let in_window = tag.valid_from <= req.now && req.now < tag.valid_until;
    let stale = req.latest_revision.is_some_and(|l| l > tag.revision);
    let in_scope = tag.purposes.contains(req.purpose)
        && tag.roles.contains(req.role)
        && tag.actions.contains(req.action)
        && tag.classes.contains(req.class);
    match d {
        Decision::Permit => {
            assert!(in_window && !stale, "{d:?} outside the window or stale");
            assert_eq!(tag.effect, Effect::Permit, "a deny tag permitted");
            assert!(in_scope, "permitted outside the tag's scope");
        }
        Decision::BreakGlass(g) => {
            assert!(
                in_window && !stale,
                "break-glass outside the window or stale"
            );
            assert!(
                tag.break_glass,
                "break-glass on a tag that does not allow it"
            );
            assert!(req.purpose.is_emergency());
            assert!(matches!(req.action, Action::Access | Action::Use));
            assert_eq!(
                (
                    g.consent_ref(),
                    g.revision(),
                    g.role(),
                    g.purpose(),
                    g.action(),
                    g.class(),
                    g.at()
                ),
                (
                    tag.consent_ref,
                    tag.revision,
                    req.role,
                    req.purpose,
                    req.action,
                    req.class,
                    req.now
                )
            );
            assert!(
                !(tag.effect == Effect::Permit && in_scope),
                "break-glass where a plain permit applies"
            );
        }
        Decision::Deny(reason) => {
            if tag.effect == Effect::Permit && in_window && !stale && in_scope {
                panic!("denied ({reason:?}) although the tag permits it");
            }
            if !in_window {
                assert!(matches!(
                    reason,
                    DenyReason::NotYetValid | DenyReason::Expired
                ));
            } else if stale {
                assert_eq!(reason, DenyReason::StaleRevision);
            }
        }
    }
    assert_eq!(evaluate(&tag, &req), d, "evaluation is deterministic");
});

fn check_roundtrip(tag: &ConsentTag, bytes: &[u8]) {
    assert!(tag.validate().is_ok());
    let mut out = [0u8; 512];
    let n = tag.encode(&mut out).expect("a decoded tag encodes");
    assert_eq!(&out[..n], bytes, "decode accepted a non-canonical encoding");
    assert_eq!(tag.encoded_len(), Ok(n));
    let m = tag.signing_input(&mut out).expect("signing input");
    if tag.signature.is_none() {
        assert_eq!(&out[..m], bytes);
    } else {
        assert!(m < n);
    }
}
