//! Whole EDHOC handshakes between two iomt roles on the target, with the
//! initiator's steps measured (feature `edhoc`).
//!
//! Both roles run on the same provider; only the initiator's four (or five)
//! steps are timed: `prepare_message_1`, `parse_message_2`,
//! `verify_with_store`, `prepare_message_3` (and `process_message_4`). The
//! credentials are the RFC 9529 §3 CCS credentials referenced by `kid`; the
//! trust stores map them to identities and roles as the host tests do.

use cortex_m_semihosting::hprintln;
use iomt_auth::AuthError;
use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    AfterMessage3, ConnId, EadLabels, Initiator, InitiatorConfig, Method, Responder,
    ResponderConfig,
};
use iomt_core::Role;
use iomt_crypto::prelude::*;

use crate::{Measurement, measure};

/// RFC 9529 §3: the initiator's static key SK_I.
pub const SK_I: [u8; 32] =
    hex32(b"fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b");
/// RFC 9529 §3: the responder's static key SK_R.
pub const SK_R: [u8; 32] =
    hex32(b"72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac");
/// RFC 9529 §3: CRED_I (CCS).
pub const CRED_I: [u8; 107] = hex::<107>(
    b"a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8",
);
/// RFC 9529 §3: CRED_R (CCS).
pub const CRED_R: [u8; 95] = hex::<95>(
    b"a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072",
);
/// `kid` of CRED_I.
pub const KID_I: &[u8] = &[0x2b];
/// Reported if a timed step did not run (cannot happen: `measure` runs it once).
const MISSING: AuthError = AuthError::AuthenticationFailed;
/// `kid` of CRED_R.
pub const KID_R: &[u8] = &[0x32];

pub use crate::hex::hex;

const fn hex32(s: &[u8]) -> [u8; 32] {
    hex::<32>(s)
}

/// The initiator's cost of one handshake: the sum of its steps' instructions and
/// the largest of their stack peaks.
#[derive(Clone, Copy, Debug, Default)]
pub struct HandshakeCost {
    /// Sum over the initiator's steps.
    pub total: Measurement,
    /// Bytes on the wire: message_1, message_2, message_3, message_4 (0 if none).
    pub messages: [usize; 4],
}

/// Runs `f(state)` once under [`measure`] and adds the cost to `acc`.
fn timed<S, T>(acc: &mut Measurement, state: S, f: impl FnOnce(S) -> T) -> Option<T> {
    let mut input = Some((state, f));
    let mut out = None;
    let m = measure(1, || {
        if let Some((s, f)) = input.take() {
            out = Some(f(s));
        }
    });
    acc.instructions = acc.instructions.saturating_add(m.instructions);
    acc.stack = acc.stack.max(m.stack);
    out
}

/// Runs one handshake (`method`, `suite`, optional message_4) and returns the
/// initiator's cost, or `None` (after printing why) if it failed or the two
/// sides disagree on the exporter output.
pub fn run<P: CryptoProvider>(
    p: &mut P,
    sk_i: &P::KeyHandle,
    sk_r: &P::KeyHandle,
    method: Method,
    suite: u8,
    message_4: bool,
) -> Option<HandshakeCost> {
    let result = run_inner(p, sk_i, sk_r, method, suite, message_4);
    if let Err(e) = &result {
        hprintln!(
            "handshake method {} suite {} FAILED: {:?}",
            method as u8,
            suite,
            e
        );
    }
    result.ok().flatten()
}

fn run_inner<P: CryptoProvider>(
    p: &mut P,
    sk_i: &P::KeyHandle,
    sk_r: &P::KeyHandle,
    method: Method,
    suite: u8,
    message_4: bool,
) -> Result<Option<HandshakeCost>, AuthError> {
    let me_i = LocalCredential {
        key: sk_i,
        cred: &CRED_I,
        id_cred: IdCred::Kid(KID_I),
    };
    let me_r = LocalCredential {
        key: sk_r,
        cred: &CRED_R,
        id_cred: IdCred::Kid(KID_R),
    };
    let store_i = StaticTrustStore::new([TrustEntry {
        kid: KID_R,
        cred: &CRED_R,
        identity: PeerIdentity::from_slice(b"example.edu"),
        roles: RoleSet::EMPTY.with(Role::Device),
    }]);
    let store_r = StaticTrustStore::new([TrustEntry {
        kid: KID_I,
        cred: &CRED_I,
        identity: PeerIdentity::from_slice(b"42-50-31-FF-EF"),
        roles: RoleSet::EMPTY.with(Role::Clinician),
    }]);
    let suites = [suite];
    let icfg = InitiatorConfig {
        method,
        suites: &suites,
        c_i: ConnId::new(&[0x37])?,
        expect_message_4: message_4,
        ead_labels: EadLabels::NONE,
    };
    let rcfg = ResponderConfig {
        suites: &[2, 5],
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27])?,
        send_message_4: message_4,
        ead_labels: EadLabels::NONE,
    };
    let mut cost = HandshakeCost::default();
    let mut m1 = [0u8; 64];
    let mut m2 = [0u8; 256];
    let mut m3 = [0u8; 256];
    let mut m4 = [0u8; 64];

    let init = Initiator::<P>::new(&icfg)?;
    let resp = Responder::<P>::new(&rcfg)?;

    let (wait2, n1) = timed(&mut cost.total, init, |s| {
        s.prepare_message_1(p, &[], &mut m1)
    })
    .ok_or(MISSING)??;
    cost.messages[0] = n1;

    let (wait3, n2) = resp
        .process_message_1(p, m1.get(..n1).unwrap_or(&[]))?
        .prepare_message_2(p, &me_r, &[], &mut m2)?;
    cost.messages[1] = n2;

    // parse + verify + prepare_message_3, each timed.
    let m2 = m2.get_mut(..n2).unwrap_or(&mut []);
    let processing =
        timed(&mut cost.total, wait2, |s| s.parse_message_2(p, m2)).ok_or(MISSING)??;
    let processed = timed(&mut cost.total, processing, |s| {
        s.verify_with_store(p, &store_i)
    })
    .ok_or(MISSING)??;
    let (after, n3) = timed(&mut cost.total, processed, |s| {
        s.prepare_message_3(p, &me_i, &[], &mut m3)
    })
    .ok_or(MISSING)??;
    cost.messages[2] = n3;

    let responder = wait3
        .parse_message_3(p, m3.get_mut(..n3).unwrap_or(&mut []))?
        .verify_with_store(p, &store_r)?;
    let mut export_r = [0u8; 16];
    let mut export_i = [0u8; 16];
    let mut done_i = match after {
        AfterMessage3::Completed(d) => {
            let mut done_r = responder.complete(p)?;
            done_r.exporter(p, 0x8002, b"bench", &mut export_r)?;
            d
        }
        AfterMessage3::WaitMessage4(wait4) => {
            let (mut done_r, n4) = responder.prepare_message_4(p, &[], &mut m4)?;
            done_r.exporter(p, 0x8002, b"bench", &mut export_r)?;
            cost.messages[3] = n4;
            let m4 = m4.get_mut(..n4).unwrap_or(&mut []);
            timed(&mut cost.total, wait4, |s| s.process_message_4(p, m4))
                .ok_or(MISSING)??
                .0
        }
    };
    done_i.exporter(p, 0x8002, b"bench", &mut export_i)?;
    if export_i != export_r {
        hprintln!(
            "handshake method {} suite {}: exporter outputs differ",
            method as u8,
            suite
        );
        return Ok(None);
    }
    Ok(Some(cost))
}
