//! The stateful EDHOC driver: an initiator and a responder (the storable
//! `InitiatorState` / `ResponderState` enums) connected by a network the fuzzer controls.
//! It delivers, drops, duplicates, replays, reflects, corrupts, truncates, extends or
//! replaces messages, across methods, suites, connection identifiers, EAD items,
//! credentials by reference or by value, and message_4 on or off.
//!
//! Invariants checked after every step:
//! - nothing panics; a `Failed` or `Completed` state never leaves that state, and any
//!   further message to it is refused;
//! - with a real provider ([`FuzzProvider::AUTHENTIC`]): a side completes only if every
//!   message it accepted is byte-identical to what the honest peer sent in the same
//!   session (no forgery, no cross-session mix), and when both sides completed the same
//!   session they agree on the suite, method, connection identifiers, peer identities
//!   and exporter output.

use arbitrary::Arbitrary;
use iomt_auth::AuthError;
use iomt_auth::cred::PeerIdentity;
use iomt_auth::edhoc::{
    ConnId, EadItem, EadLabels, ErrorMessage, InitiatorConfig, InitiatorState, Method,
    ResponderConfig, ResponderState,
};

use crate::fixture::{self, FuzzProvider, NAME_I, NAME_R};

/// Which way a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum Dir {
    /// Initiator → responder.
    ToResponder,
    /// Responder → initiator.
    ToInitiator,
}

impl Dir {
    const fn reverse(self) -> Self {
        match self {
            Self::ToResponder => Self::ToInitiator,
            Self::ToInitiator => Self::ToResponder,
        }
    }
}

/// What the network does with the next message in flight.
#[derive(Debug, Clone, Arbitrary)]
pub enum Action {
    /// Deliver it unchanged.
    Deliver,
    /// Lose it.
    Drop,
    /// Deliver it and keep a copy in flight.
    Duplicate,
    /// Deliver an earlier message (any direction, from the history) to its receiver; the
    /// message in flight stays queued.
    Replay(u8),
    /// Deliver it back to its sender.
    Reflect,
    /// Flip bits of one byte, then deliver.
    Corrupt {
        /// Byte index (modulo the length).
        at: u16,
        /// XOR mask (0 means unchanged).
        mask: u8,
    },
    /// Cut it to `len` bytes (modulo length + 1), then deliver.
    Truncate(u16),
    /// Append bytes, then deliver.
    Extend(Vec<u8>),
    /// Deliver these bytes instead.
    Replace(Vec<u8>),
}

/// One EAD item to send.
#[derive(Debug, Clone, Arbitrary)]
pub struct EadSpec {
    /// Label (negative: critical).
    pub label: i16,
    /// Optional value.
    pub value: Option<Vec<u8>>,
}

/// A whole scenario.
#[derive(Debug, Clone, Arbitrary)]
pub struct Scenario {
    /// Method (mod 4).
    pub method: u8,
    /// Initiator's suite preference list (taken mod 8 per entry: 2 and 5 implemented).
    pub initiator_suites: Vec<u8>,
    /// Responder's suites: 1 → [2], 2 → [5], otherwise [2, 5] / [5, 2] by bit 2.
    pub responder_suites: u8,
    /// Responder's accepted methods (bit mask; 0 means all).
    pub responder_methods: u8,
    /// C_I bytes (at most 7 used).
    pub c_i: Vec<u8>,
    /// C_R bytes (at most 7 used).
    pub c_r: Vec<u8>,
    /// Initiator expects message_4.
    pub expect_m4: bool,
    /// Responder sends message_4.
    pub send_m4: bool,
    /// Initiator sends its credential by value.
    pub cred_i_by_value: bool,
    /// Responder sends its credential by value.
    pub cred_r_by_value: bool,
    /// EAD labels both sides understand.
    pub labels: Vec<u16>,
    /// EAD_1, EAD_2, EAD_3, EAD_4.
    pub ead: [Option<EadSpec>; 4],
    /// The network's actions, one per step.
    pub actions: Vec<Action>,
}

const MAX_STEPS: usize = 24;
const BUF: usize = 640;

fn conn_id(bytes: &[u8]) -> ConnId {
    ConnId::new(&bytes[..bytes.len().min(7)]).expect("at most 7 bytes")
}

fn ead_items(spec: &Option<EadSpec>) -> Option<(i32, Option<Vec<u8>>)> {
    spec.as_ref().map(|s| {
        (
            i32::from(s.label),
            s.value.as_ref().map(|v| v[..v.len().min(48)].to_vec()),
        )
    })
}

/// A session's transcript as one side saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Transcript {
    m1: Vec<u8>,
    m2: Vec<u8>,
    m3: Vec<u8>,
    m4: Vec<u8>,
}

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The initiator completed a session.
    pub initiator_completed: bool,
    /// The responder completed a session.
    pub responder_completed: bool,
}

/// Runs one scenario with provider `C`.
pub fn run<C: FuzzProvider>(s: &Scenario) -> Outcome {
    let f = fixture::get();
    let (key_i, key_r) = C::keys(f);
    let own_i = fixture::local_i(f, &key_i, s.cred_i_by_value);
    let own_r = fixture::local_r(f, &key_r, s.cred_r_by_value);
    let store_i = fixture::trust_i(f);
    let store_r = fixture::trust_r(f);
    let mut crypto = C::fresh();

    let method = Method::ALL[usize::from(s.method % 4)];
    let suites_i: Vec<u8> = s.initiator_suites.iter().take(4).map(|v| v % 8).collect();
    let suites_r: &[u8] = match s.responder_suites % 4 {
        1 => &[2],
        2 => &[5],
        _ if s.responder_suites & 4 != 0 => &[5, 2],
        _ => &[2, 5],
    };
    let methods: Vec<Method> = if s.responder_methods.is_multiple_of(16) {
        Method::ALL.to_vec()
    } else {
        Method::ALL
            .iter()
            .copied()
            .filter(|m| s.responder_methods & m.bit() != 0)
            .collect()
    };
    let labels = EadLabels::new(&s.labels[..s.labels.len().min(4)]).unwrap_or(EadLabels::NONE);
    let ead: Vec<Option<(i32, Option<Vec<u8>>)>> = s.ead.iter().map(ead_items).collect();
    let items = |i: usize| -> Vec<EadItem<'_>> {
        ead[i]
            .as_ref()
            .map(|(label, value)| EadItem {
                label: *label,
                value: value.as_deref(),
            })
            .into_iter()
            .collect()
    };
    let (ead_1, ead_2, ead_3, ead_4) = (items(0), items(1), items(2), items(3));

    let icfg = InitiatorConfig {
        method,
        suites: &suites_i,
        c_i: conn_id(&s.c_i),
        expect_message_4: s.expect_m4,
        ead_labels: labels,
    };
    let rcfg = ResponderConfig {
        suites: suites_r,
        methods: &methods,
        c_r: conn_id(&s.c_r),
        send_message_4: s.send_m4,
        ead_labels: labels,
    };
    let Ok(mut init) = InitiatorState::<C>::new(&icfg) else {
        return Outcome::default(); // configuration refused (e.g. no implemented suite)
    };
    let Ok(mut resp) = ResponderState::<C>::new(&rcfg) else {
        return Outcome::default();
    };

    // What each side sent and accepted, for the authenticity invariants.
    let mut init_t: Transcript; // the initiator's current session
    let mut init_sessions: Vec<Transcript> = Vec::new(); // every m1..m3 it produced
    let mut resp_t = Transcript::default();
    let mut resp_sessions: Vec<Transcript> = Vec::new();

    let mut init_done: Option<(iomt_auth::edhoc::Completed, Transcript)> = None;
    let mut resp_done: Option<(iomt_auth::edhoc::Completed, Transcript)> = None;
    let mut history: Vec<(Dir, Vec<u8>)> = Vec::new();
    let mut in_flight: std::collections::VecDeque<(Dir, Vec<u8>)> =
        std::collections::VecDeque::new();
    let mut out = [0u8; BUF];

    match init.write_message_1(&mut crypto, &ead_1, &mut out) {
        Ok(n) => {
            init_t = Transcript {
                m1: out[..n].to_vec(),
                ..Transcript::default()
            };
            in_flight.push_back((Dir::ToResponder, out[..n].to_vec()));
        }
        Err(_) => {
            assert!(init.is_failed());
            return Outcome::default();
        }
    }

    for action in s.actions.iter().take(MAX_STEPS) {
        let next = in_flight.pop_front();
        let delivery: Option<(Dir, Vec<u8>)> = match (action, next) {
            (Action::Replay(k), next) => {
                if let Some(n) = next {
                    in_flight.push_front(n);
                }
                if history.is_empty() {
                    None
                } else {
                    let (d, m) = &history[usize::from(*k) % history.len()];
                    Some((*d, m.clone()))
                }
            }
            (Action::Replace(bytes), Some((d, _))) => {
                Some((d, bytes[..bytes.len().min(BUF)].to_vec()))
            }
            (_, None) => None,
            (Action::Deliver, Some(m)) => Some(m),
            (Action::Drop, Some(_)) => None,
            (Action::Duplicate, Some(m)) => {
                in_flight.push_back(m.clone());
                Some(m)
            }
            (Action::Reflect, Some((d, m))) => Some((d.reverse(), m)),
            (Action::Corrupt { at, mask }, Some((d, mut m))) => {
                if !m.is_empty() {
                    let i = usize::from(*at) % m.len();
                    m[i] ^= mask;
                }
                Some((d, m))
            }
            (Action::Truncate(len), Some((d, mut m))) => {
                m.truncate(usize::from(*len) % (m.len() + 1));
                Some((d, m))
            }
            (Action::Extend(extra), Some((d, mut m))) => {
                m.extend_from_slice(&extra[..extra.len().min(64)]);
                m.truncate(BUF);
                Some((d, m))
            }
        };
        let Some((dir, mut msg)) = delivery else {
            continue;
        };

        match dir {
            Dir::ToResponder => {
                // A gateway starts a new responder session when its last one failed.
                if resp.is_failed() {
                    resp = ResponderState::new(&rcfg).expect("config accepted before");
                }
                match &resp {
                    ResponderState::Start(_) => {
                        match resp.handle_message_1(&mut crypto, &msg, &own_r, &ead_2, &mut out) {
                            Ok(n) => {
                                resp_t = Transcript {
                                    m1: msg.clone(),
                                    m2: out[..n].to_vec(),
                                    ..Transcript::default()
                                };
                                resp_sessions.push(resp_t.clone());
                                history.push((Dir::ToInitiator, out[..n].to_vec()));
                                in_flight.push_back((Dir::ToInitiator, out[..n].to_vec()));
                            }
                            Err(e) => {
                                assert!(resp.is_failed(), "{e:?} left the responder usable");
                                send_error_r(&resp, &mut out, &mut in_flight);
                            }
                        }
                    }
                    ResponderState::WaitMessage3(_) => {
                        let received = msg.clone();
                        match resp.handle_message_3(
                            &mut crypto,
                            &mut msg,
                            &store_r,
                            &ead_4,
                            &mut out,
                        ) {
                            Ok(n) => {
                                resp_t.m3 = received;
                                let ResponderState::Completed(done) = std::mem::replace(
                                    &mut resp,
                                    ResponderState::new(&rcfg).expect("config"),
                                ) else {
                                    panic!("Ok from handle_message_3 without Completed");
                                };
                                // The application takes the session out; the gateway's next
                                // message_1 starts a new responder session.
                                assert_eq!(done.peer_identity(), PeerIdentity::from_slice(NAME_I));
                                if resp_done.is_none() {
                                    resp_done = Some((done, resp_t.clone()));
                                }
                                if n > 0 {
                                    resp_t.m4 = out[..n].to_vec();
                                    resp_sessions.push(resp_t.clone());
                                    history.push((Dir::ToInitiator, out[..n].to_vec()));
                                    in_flight.push_back((Dir::ToInitiator, out[..n].to_vec()));
                                } else {
                                    resp_sessions.push(resp_t.clone());
                                }
                                if C::AUTHENTIC {
                                    // m1 and m3 must be the initiator's own, of one session in
                                    // which it accepted exactly our m2.
                                    let genuine = init_sessions.iter().any(|t| {
                                        t.m1 == resp_t.m1 && t.m2 == resp_t.m2 && t.m3 == resp_t.m3
                                    });
                                    assert!(
                                        genuine,
                                        "responder completed on a forged/mixed transcript: {resp_t:02x?}"
                                    );
                                }
                            }
                            Err(e) => {
                                assert!(resp.is_failed(), "{e:?} left the responder usable");
                                send_error_r(&resp, &mut out, &mut in_flight);
                            }
                        }
                    }
                    ResponderState::Completed(_) | ResponderState::Failed(..) => {
                        unreachable!("completed sessions are taken out, failed ones replaced");
                    }
                    ResponderState::Message1Received(_) | ResponderState::Message3Verified(_) => {
                        unreachable!(
                            "the combined handle_* calls never stop between a read and its write"
                        );
                    }
                }
            }
            Dir::ToInitiator => match &init {
                InitiatorState::WaitMessage2(_) => {
                    let received = msg.clone();
                    match init.handle_message_2(
                        &mut crypto,
                        &mut msg,
                        &store_i,
                        &own_i,
                        &ead_3,
                        &mut out,
                    ) {
                        Ok(n) => {
                            init_t.m2 = received;
                            init_t.m3 = out[..n].to_vec();
                            init_sessions.push(init_t.clone());
                            if C::AUTHENTIC {
                                let genuine = resp_sessions
                                    .iter()
                                    .any(|t| t.m1 == init_t.m1 && t.m2 == init_t.m2);
                                assert!(
                                    genuine,
                                    "initiator accepted a forged message_2: {init_t:02x?}"
                                );
                            }
                            history.push((Dir::ToResponder, out[..n].to_vec()));
                            in_flight.push_back((Dir::ToResponder, out[..n].to_vec()));
                            take_initiator(&mut init, &init_t, &mut init_done);
                        }
                        Err(AuthError::PeerError { code: 2 })
                            if matches!(init, InitiatorState::Start(_)) =>
                        {
                            // Suite negotiation: start over with a new message_1.
                            match init.write_message_1(&mut crypto, &ead_1, &mut out) {
                                Ok(n) => {
                                    init_t = Transcript {
                                        m1: out[..n].to_vec(),
                                        ..Transcript::default()
                                    };
                                    history.push((Dir::ToResponder, out[..n].to_vec()));
                                    in_flight.push_back((Dir::ToResponder, out[..n].to_vec()));
                                }
                                Err(_) => assert!(init.is_failed()),
                            }
                        }
                        Err(e) => {
                            assert!(init.is_failed(), "{e:?} left the initiator usable");
                            send_error_i(&init, &mut out, &mut in_flight);
                        }
                    }
                }
                InitiatorState::WaitMessage4(_) => {
                    let received = msg.clone();
                    match init.handle_message_4(&mut crypto, &mut msg) {
                        Ok(()) => {
                            init_t.m4 = received;
                            if C::AUTHENTIC {
                                let genuine = resp_sessions.contains(&init_t);
                                assert!(
                                    genuine,
                                    "initiator accepted a forged message_4: {init_t:02x?}"
                                );
                            }
                            take_initiator(&mut init, &init_t, &mut init_done);
                        }
                        Err(e) => {
                            assert!(init.is_failed(), "{e:?} left the initiator usable");
                            send_error_i(&init, &mut out, &mut in_flight);
                        }
                    }
                }
                InitiatorState::Message2Verified(_) => {
                    unreachable!("handle_message_2 never stops between its read and its write");
                }
                InitiatorState::Start(_)
                | InitiatorState::Completed(_)
                | InitiatorState::Failed(_) => {
                    // Done, failed or not started: a stray message is refused and the state
                    // is (or stays) failed.
                    let was_start = matches!(init, InitiatorState::Start(_));
                    assert!(init.handle_message_4(&mut crypto, &mut msg).is_err());
                    assert!(
                        init.handle_message_2(
                            &mut crypto,
                            &mut msg,
                            &store_i,
                            &own_i,
                            &ead_3,
                            &mut out
                        )
                        .is_err()
                    );
                    assert!(
                        init.is_failed() || (was_start && matches!(init, InitiatorState::Start(_)))
                    );
                }
            },
        }
    }

    let outcome = Outcome {
        initiator_completed: init_done.is_some(),
        responder_completed: resp_done.is_some(),
    };
    // Both sides completed: with a real provider they completed the same session, and
    // then they agree on everything.
    if let (Some((mut a, ta)), Some((mut b, tb))) = (init_done, resp_done) {
        let same_session = ta.m1 == tb.m1 && ta.m2 == tb.m2 && ta.m3 == tb.m3;
        if C::AUTHENTIC {
            assert!(same_session, "both completed, on different transcripts");
        }
        if same_session {
            assert_eq!(a.selected_suite(), b.selected_suite());
            assert_eq!(a.method(), b.method());
            assert_eq!(a.c_i(), b.c_i());
            assert_eq!(a.c_r(), b.c_r());
            let (mut ka, mut kb) = ([0u8; 32], [0u8; 32]);
            a.exporter(&mut crypto, 0x8002, b"fuzz", &mut ka)
                .expect("exporter");
            b.exporter(&mut crypto, 0x8002, b"fuzz", &mut kb)
                .expect("exporter");
            assert_eq!(ka, kb, "completed peers disagree on the exporter");
            a.key_update(&mut crypto, b"fuzz nonce")
                .expect("key update");
            b.key_update(&mut crypto, b"fuzz nonce")
                .expect("key update");
            a.exporter(&mut crypto, 0x8003, b"", &mut ka)
                .expect("exporter");
            b.exporter(&mut crypto, 0x8003, b"", &mut kb)
                .expect("exporter");
            assert_eq!(ka, kb, "peers disagree after KeyUpdate");
        }
    }
    outcome
}

/// Moves a completed initiator session out of the state (as the application would).
fn take_initiator<C: FuzzProvider>(
    init: &mut InitiatorState<C>,
    t: &Transcript,
    done: &mut Option<(iomt_auth::edhoc::Completed, Transcript)>,
) {
    if let InitiatorState::Completed(_) = init {
        let InitiatorState::Completed(c) = std::mem::replace(init, InitiatorState::Failed(None))
        else {
            unreachable!()
        };
        assert_eq!(c.peer_identity(), PeerIdentity::from_slice(NAME_R));
        if done.is_none() {
            *done = Some((c, t.clone()));
        }
    }
}

fn send_error_r<C: FuzzProvider>(
    resp: &ResponderState<C>,
    out: &mut [u8],
    in_flight: &mut std::collections::VecDeque<(Dir, Vec<u8>)>,
) {
    if let Ok(Some(n)) = resp.error_message(out) {
        assert!(
            ErrorMessage::parse(&out[..n]).is_ok(),
            "responder wrote an unparsable error"
        );
        in_flight.push_back((Dir::ToInitiator, out[..n].to_vec()));
    }
}

fn send_error_i<C: FuzzProvider>(
    init: &InitiatorState<C>,
    out: &mut [u8],
    in_flight: &mut std::collections::VecDeque<(Dir, Vec<u8>)>,
) {
    if let Ok(Some(n)) = init.error_message(out) {
        assert!(
            ErrorMessage::parse(&out[..n]).is_ok(),
            "initiator wrote an unparsable error"
        );
        in_flight.push_back((Dir::ToResponder, out[..n].to_vec()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::FuzzCrypto;
    use iomt_crypto::DeterministicProvider;

    fn honest(method: u8, suite: u8, m4: bool, by_value: bool, actions: Vec<Action>) -> Scenario {
        Scenario {
            method,
            initiator_suites: vec![suite],
            responder_suites: 3,
            responder_methods: 0,
            c_i: vec![0x37],
            c_r: vec![0x27],
            expect_m4: m4,
            send_m4: m4,
            cred_i_by_value: by_value,
            cred_r_by_value: !by_value,
            labels: vec![],
            ead: [None, None, None, None],
            actions,
        }
    }

    fn both<C: FuzzProvider>() {
        for method in 0..4 {
            for suite in [2, 5] {
                for m4 in [false, true] {
                    let s = honest(method, suite, m4, method % 2 == 0, vec![Action::Deliver; 4]);
                    let o = run::<C>(&s);
                    assert!(
                        o.initiator_completed && o.responder_completed,
                        "{method} {suite} {m4}: {o:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn honest_handshakes_complete_fuzz_crypto() {
        both::<FuzzCrypto>();
    }

    #[test]
    fn honest_handshakes_complete_real_crypto() {
        both::<DeterministicProvider>();
    }

    #[test]
    fn suite_negotiation_then_complete() {
        // Initiator prefers 6 (unimplemented) then 5... here [5, 2] against a suite-2-only
        // responder: error(2, SUITES_R = 2), retry with 2.
        let mut s = honest(3, 5, false, false, vec![Action::Deliver; 6]);
        s.initiator_suites = vec![5, 2];
        s.responder_suites = 1;
        let o = run::<DeterministicProvider>(&s);
        assert!(o.initiator_completed && o.responder_completed, "{o:?}");
    }

    #[test]
    fn corrupted_message_2_never_completes_with_real_crypto() {
        for at in 0..60 {
            let s = honest(
                0,
                2,
                false,
                false,
                vec![
                    Action::Deliver,
                    Action::Corrupt { at, mask: 0x01 },
                    Action::Deliver,
                    Action::Deliver,
                ],
            );
            let o = run::<DeterministicProvider>(&s);
            assert!(
                !o.initiator_completed && !o.responder_completed,
                "{at}: {o:?}"
            );
        }
    }
}
