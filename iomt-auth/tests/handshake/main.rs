//! Handshakes between our two roles: all 8 method × suite combinations, fixed-key
//! regression vectors with independent recomputation, negotiation, credentials, EAD,
//! and robustness (bit flips, truncations, random sequences).
//!
//! This file holds the shared driver (`Setup`, `run`); the tests are in `completion`,
//! `vectors`, `negotiation` and `robustness`.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

#[path = "../common/mod.rs"]
mod common;
mod completion;
mod fuzz_drivers;
mod negotiation;
mod robustness;
mod vectors;

use common::*;
use iomt_auth::AuthError;
use iomt_auth::cred::{IdCred, LocalCredential, PeerIdentity, StaticTrustStore, TrustEntry};
use iomt_auth::edhoc::*;
use iomt_auth::error::PeerMisbehaved;
use iomt_crypto::{AeadKey, DeterministicProvider, PublicKey, StaticKey};
use proptest::prelude::*;
use sha2::Digest as _;

const SUITES: [u8; 2] = [2, 5];

#[derive(Clone, Copy, Debug)]
struct Setup {
    method: Method,
    suite: u8,
    message_4: bool,
    by_value: bool,
}

impl Setup {
    fn all(message_4: bool) -> Vec<Self> {
        let mut v = Vec::new();
        for method in Method::ALL {
            for suite in SUITES {
                v.push(Self {
                    method,
                    suite,
                    message_4,
                    by_value: false,
                });
            }
        }
        v
    }
}

#[derive(Debug, Default, Clone)]
struct Transcript {
    m1: Vec<u8>,
    m2: Vec<u8>,
    m3: Vec<u8>,
    m4: Vec<u8>,
    prk_out_i: Vec<u8>,
    prk_out_r: Vec<u8>,
    export_i: Vec<u8>,
    export_r: Vec<u8>,
}

struct Keys {
    sk_i: StaticKey,
    sk_r: StaticKey,
    cred_i: Vec<u8>,
    cred_r: Vec<u8>,
}

impl Keys {
    /// The initiator's local credential, named by kid `KID_I`.
    fn local_i(&self) -> LocalCredential<'_, StaticKey> {
        local_i(&self.sk_i, &self.cred_i)
    }

    /// The responder's local credential, named by kid `KID_R`.
    fn local_r(&self) -> LocalCredential<'_, StaticKey> {
        local_r(&self.sk_r, &self.cred_r)
    }
}

fn keys() -> Keys {
    Keys {
        sk_i: StaticKey::from_bytes(&t("SK_I")).unwrap(),
        sk_r: StaticKey::from_bytes(&t("SK_R")).unwrap(),
        cred_i: cred_i(),
        cred_r: cred_r(),
    }
}

fn provider() -> DeterministicProvider {
    let mut c = DeterministicProvider::new();
    c.queue_ephemeral(&t("X")).unwrap();
    c.queue_ephemeral(&t("Y")).unwrap();
    c
}

/// Which message to tamper with, and how.
type Tamper<'a> = Option<(usize, &'a dyn Fn(&mut Vec<u8>))>;

/// Outcome of a (possibly tampered) run.
#[derive(Debug)]
struct Outcome {
    transcript: Transcript,
    initiator_done: bool,
    responder_done: bool,
    error: Option<AuthError>,
}

fn run(s: Setup, tamper: Tamper<'_>) -> Outcome {
    let k = keys();
    let mut c = provider();
    let id_i = if s.by_value {
        IdCred::Ccs(&k.cred_i)
    } else {
        IdCred::Kid(KID_I)
    };
    let id_r = if s.by_value {
        IdCred::Ccs(&k.cred_r)
    } else {
        IdCred::Kid(KID_R)
    };
    let me_i = LocalCredential {
        key: &k.sk_i,
        cred: &k.cred_i,
        id_cred: id_i,
    };
    let me_r = LocalCredential {
        key: &k.sk_r,
        cred: &k.cred_r,
        id_cred: id_r,
    };
    let (store_i, store_r) = (store_of_i(&k.cred_r), store_of_r(&k.cred_i));
    let suites = [s.suite];
    let icfg = InitiatorConfig {
        method: s.method,
        suites: &suites,
        c_i: ConnId::new(&[0x37]).unwrap(),
        expect_message_4: s.message_4,
        ead_labels: EadLabels::NONE,
    };
    let rcfg = ResponderConfig {
        suites: &SUITES,
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: s.message_4,
        ead_labels: EadLabels::NONE,
    };
    let mut tr = Transcript::default();
    let mut out = Outcome {
        transcript: Transcript::default(),
        initiator_done: false,
        responder_done: false,
        error: None,
    };
    let apply = |n: usize, m: &mut Vec<u8>| {
        if let Some((w, f)) = tamper
            && w == n
        {
            f(m);
        }
    };
    let r = (|| -> Result<(), AuthError> {
        let init = Initiator::<DeterministicProvider>::new(&icfg)?;
        let resp = Responder::<DeterministicProvider>::new(&rcfg)?;
        let mut buf = [0u8; 512];
        let (i, n) = init.prepare_message_1(&mut c, &[], &mut buf)?;
        tr.m1 = buf[..n].to_vec();
        let mut m1 = tr.m1.clone();
        apply(1, &mut m1);
        let r = resp.process_message_1(&mut c, &m1)?;
        let (r, n) = r.prepare_message_2(&mut c, &me_r, &[], &mut buf)?;
        tr.m2 = buf[..n].to_vec();
        let mut m2 = tr.m2.clone();
        apply(2, &mut m2);
        let i = i
            .parse_message_2(&mut c, &mut m2)?
            .verify_with_store(&mut c, &store_i)?;
        let (after, n) = i.prepare_message_3(&mut c, &me_i, &[], &mut buf)?;
        tr.m3 = buf[..n].to_vec();
        let wait4 = match after {
            AfterMessage3::Completed(mut d) => {
                out.initiator_done = true;
                let mut e = [0u8; 32];
                d.channel_secrets(&mut c, b"ctx", &mut e, &mut [0u8; 32])?;
                tr.export_i = e.to_vec();
                tr.prk_out_i = d.__prk_out().as_bytes().to_vec();
                None
            }
            AfterMessage3::WaitMessage4(w) => Some(w),
        };
        let mut m3 = tr.m3.clone();
        apply(3, &mut m3);
        let r = r
            .parse_message_3(&mut c, &mut m3)?
            .verify_with_store(&mut c, &store_r)?;
        let mut done_r = if s.message_4 {
            let (d, n) = r.prepare_message_4(&mut c, &[], &mut buf)?;
            tr.m4 = buf[..n].to_vec();
            d
        } else {
            r.complete(&mut c)?
        };
        out.responder_done = true;
        let mut e = [0u8; 32];
        done_r.channel_secrets(&mut c, b"ctx", &mut e, &mut [0u8; 32])?;
        tr.export_r = e.to_vec();
        tr.prk_out_r = done_r.__prk_out().as_bytes().to_vec();
        if let Some(w) = wait4 {
            let mut m4 = tr.m4.clone();
            apply(4, &mut m4);
            let (mut d, _) = w.process_message_4(&mut c, &mut m4)?;
            out.initiator_done = true;
            d.channel_secrets(&mut c, b"ctx", &mut e, &mut [0u8; 32])?;
            tr.export_i = e.to_vec();
            tr.prk_out_i = d.__prk_out().as_bytes().to_vec();
        }
        Ok(())
    })();
    out.error = r.err();
    out.transcript = tr;
    out
}
