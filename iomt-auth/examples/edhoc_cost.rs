//! EDHOC cost and size report.
//!
//! - `edhoc_cost sizes`: `size_of` of every state and the message sizes per method × suite.
//! - `edhoc_cost handshake|floor <method> <suite> <n>`: runs `n` full handshakes (or only
//!   their P-256 operations, the "EC floor") inside `run_handshake` / `run_floor`, so that
//!   an instruction counter can measure exactly those, independent of machine load:
//!
//! ```sh
//! cargo build -p iomt-auth --release --example edhoc_cost
//! valgrind --tool=callgrind --toggle-collect='*run_handshake*' target/release/examples/edhoc_cost handshake 3 2 10
//! valgrind --tool=callgrind --toggle-collect='*run_floor*' target/release/examples/edhoc_cost floor 3 2 10
//! ```
#![expect(clippy::unwrap_used, reason = "example on known-good inputs")]

use core::hint::black_box;
use core::mem::size_of;

use iomt_auth::cred::{PeerIdentity, RoleSet, StaticTrustStore, TrustEntry};
use iomt_auth::edhoc::*;
use iomt_crypto::rustcrypto::OsRng;
use iomt_crypto::{RustCryptoProvider, StaticKey, prelude::*};
use iomt_testkit::rfc9529::{CRED_I, CRED_R, SK_I, SK_R, h};
use iomt_testkit::stores::{local_i, local_r};

type P = RustCryptoProvider<OsRng>;

struct Fixture {
    sk_i: StaticKey,
    sk_r: StaticKey,
    cred_i: Vec<u8>,
    cred_r: Vec<u8>,
}

/// One handshake (messages 1–3, optionally 4); returns the message sizes.
fn handshake(c: &mut P, f: &Fixture, method: Method, suite: u8, m4: bool) -> [usize; 4] {
    let me_i = local_i(&f.sk_i, &f.cred_i);
    let me_r = local_r(&f.sk_r, &f.cred_r);
    let store_i = StaticTrustStore::new([TrustEntry {
        kid: &[0x32],
        cred: &f.cred_r,
        identity: PeerIdentity::default(),
        roles: RoleSet::EMPTY,
    }]);
    let store_r = StaticTrustStore::new([TrustEntry {
        kid: &[0x2b],
        cred: &f.cred_i,
        identity: PeerIdentity::default(),
        roles: RoleSet::EMPTY,
    }]);
    let suites = [suite];
    let mut is = InitiatorState::<P>::new(&InitiatorConfig {
        method,
        suites: &suites,
        c_i: ConnId::new(&[0x37]).unwrap(),
        expect_message_4: m4,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let mut rs = ResponderState::<P>::new(&ResponderConfig {
        suites: &[2, 5],
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: m4,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let (mut a, mut b) = ([0u8; 160], [0u8; 160]);
    let n1 = is.write_message_1(c, &[], &mut a).unwrap();
    let n2 = rs
        .handle_message_1(c, &a[..n1], &me_r, &[], &mut b)
        .unwrap();
    let n3 = is
        .handle_message_2(c, &mut b[..n2], &store_i, &me_i, &[], &mut a)
        .unwrap();
    let n4 = rs
        .handle_message_3(c, &mut a[..n3], &store_r, &[], &mut b)
        .unwrap();
    if m4 {
        is.handle_message_4(c, &mut b[..n4]).unwrap();
    }
    let mut k = [0u8; 16];
    is.completed()
        .unwrap()
        .exporter(c, 0x8002, &[], &mut k)
        .unwrap();
    rs.completed()
        .unwrap()
        .exporter(c, 0x8002, &[], &mut k)
        .unwrap();
    [n1, n2, n3, n4]
}

/// The P-256 operations of one handshake of `method`, nothing else.
fn ec_floor(c: &mut P, f: &Fixture, method: Method) {
    let g_i = *f.sk_i.public_key();
    let g_r = *f.sk_r.public_key();
    let (x, g_x) = c.p256_generate_ephemeral().unwrap();
    let (y, g_y) = c.p256_generate_ephemeral().unwrap();
    black_box(c.p256_ecdh_ephemeral(&y, &g_x).unwrap());
    black_box(c.p256_ecdh_ephemeral(&x, &g_y).unwrap());
    let digest = [7u8; 32];
    if method.responder_static() {
        black_box(c.p256_ecdh_static(&f.sk_r, &g_x).unwrap());
        black_box(c.p256_ecdh_ephemeral(&x, &g_r).unwrap());
    } else {
        let s = c.ecdsa_p256_sign_digest(&f.sk_r, &digest).unwrap();
        c.ecdsa_p256_verify_digest(&g_r, &digest, &s).unwrap();
    }
    if method.initiator_static() {
        black_box(c.p256_ecdh_static(&f.sk_i, &g_y).unwrap());
        black_box(c.p256_ecdh_ephemeral(&y, &g_i).unwrap());
    } else {
        let s = c.ecdsa_p256_sign_digest(&f.sk_i, &digest).unwrap();
        c.ecdsa_p256_verify_digest(&g_i, &digest, &s).unwrap();
    }
}

#[inline(never)]
fn run_handshake(c: &mut P, f: &Fixture, method: Method, suite: u8, n: usize) {
    for _ in 0..n {
        black_box(handshake(c, f, method, suite, false));
    }
}

#[inline(never)]
fn run_floor(c: &mut P, f: &Fixture, method: Method, n: usize) {
    for _ in 0..n {
        ec_floor(c, f, method);
    }
}

fn main() {
    let f = Fixture {
        sk_i: StaticKey::from_bytes(&h(SK_I)).unwrap(),
        sk_r: StaticKey::from_bytes(&h(SK_R)).unwrap(),
        cred_i: h(CRED_I),
        cred_r: h(CRED_R),
    };
    let mut c = RustCryptoProvider::with_os_rng();
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some(mode @ ("handshake" | "floor")) => {
            let method = Method::from_id(args[2].parse().unwrap()).unwrap();
            let suite: u8 = args[3].parse().unwrap();
            let n: usize = args[4].parse().unwrap();
            if mode == "handshake" {
                run_handshake(&mut c, &f, method, suite, n);
            } else {
                run_floor(&mut c, &f, method, n);
            }
        }
        _ => {
            let sizes = [
                ("Initiator", size_of::<Initiator<P>>()),
                (
                    "InitiatorWaitMessage2",
                    size_of::<InitiatorWaitMessage2<P>>(),
                ),
                (
                    "InitiatorMessage2Received",
                    size_of::<InitiatorMessage2Received<'static, P>>(),
                ),
                (
                    "InitiatorMessage2Verified",
                    size_of::<InitiatorMessage2Verified<P>>(),
                ),
                (
                    "InitiatorWaitMessage4",
                    size_of::<InitiatorWaitMessage4<P>>(),
                ),
                ("Responder", size_of::<Responder<P>>()),
                (
                    "ResponderMessage1Received",
                    size_of::<ResponderMessage1Received<P>>(),
                ),
                (
                    "ResponderWaitMessage3",
                    size_of::<ResponderWaitMessage3<P>>(),
                ),
                (
                    "ResponderMessage3Received",
                    size_of::<ResponderMessage3Received<'static, P>>(),
                ),
                (
                    "ResponderMessage3Verified",
                    size_of::<ResponderMessage3Verified<P>>(),
                ),
                ("Completed", size_of::<Completed>()),
                ("InitiatorState", size_of::<InitiatorState<P>>()),
                ("ResponderState", size_of::<ResponderState<P>>()),
            ];
            for (n, s) in sizes {
                println!("size_of::<{n}>() = {s}");
            }
            for method in Method::ALL {
                for suite in [2u8, 5] {
                    let [m1, m2, m3, m4] = handshake(&mut c, &f, method, suite, true);
                    println!(
                        "method {} suite {suite}: message_1 {m1}, message_2 {m2}, message_3 {m3}, message_4 {m4} (1-3: {})",
                        method.id(),
                        m1 + m2 + m3
                    );
                }
            }
        }
    }
}
