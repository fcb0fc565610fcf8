//! The C API is a skin over iomt-auth's state machine: a C responder handshake makes
//! exactly the provider calls of the same Rust responder handshake (one G_X
//! decompression, the same ECDH, hash, HKDF and AEAD calls), for every method and suite.
//! Counted with the test kit's `Counting` provider (the C API's provider in test builds).

use iomt_auth::cred::{PeerIdentity, RoleSet, StaticTrustStore, TrustEntry};
use iomt_auth::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_ffi::counting::{Counting, OpCounts, take_counts};
use iomt_testkit::stores::{local_i, local_r};

use super::*;

type Rust = Counting<::iomt_crypto::RustCryptoProvider<TestRng>>;

/// A deterministic test RNG (NOT secure), as the C side's callback.
struct TestRng(u64);
impl rand_core::TryRng for TestRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::try_from(self.try_next_u64()? >> 32).unwrap_or(0))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            *b = u8::try_from(self.try_next_u64()? >> 56).unwrap_or(0);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for TestRng {}

/// The responder's provider calls in one Rust handshake (initiator calls not counted).
fn rust_responder_calls(method: u8, suite: u8) -> OpCounts {
    let mut c: Rust = Counting(::iomt_crypto::RustCryptoProvider::new(TestRng(9)));
    let (cred_i, cred_r) = (h(CRED_I), h(CRED_R));
    let sk_i = ::iomt_crypto::StaticKey::from_bytes(&h(SK_I)).unwrap();
    let sk_r = ::iomt_crypto::StaticKey::from_bytes(&h(SK_R)).unwrap();
    let me_i = local_i(&sk_i, &cred_i);
    let me_r = local_r(&sk_r, &cred_r);
    let trust_i = StaticTrustStore::new([TrustEntry {
        kid: &[0x32],
        cred: &cred_r,
        identity: PeerIdentity::from_slice(b"gateway"),
        roles: RoleSet::EMPTY,
    }]);
    let trust_r = StaticTrustStore::new([TrustEntry {
        kid: &[0x2b],
        cred: &cred_i,
        identity: PeerIdentity::from_slice(b"pump"),
        roles: RoleSet::EMPTY,
    }]);
    let mut i = InitiatorState::<Rust>::new(&InitiatorConfig {
        method: Method::from_id(i64::from(method)).unwrap(),
        suites: &[suite],
        c_i: ConnId::new(&[0x37]).unwrap(),
        expect_message_4: true,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let mut r = ResponderState::<Rust>::new(&ResponderConfig {
        suites: &[2, 5],
        methods: &Method::ALL,
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: true,
        ead_labels: EadLabels::NONE,
    })
    .unwrap();
    let (mut a, mut b) = ([0u8; 512], [0u8; 512]);
    let mut responder = OpCounts::default();
    let _ = take_counts();
    let n = i.write_message_1(&mut c, &[], &mut a).unwrap();
    let _ = take_counts();
    r.read_message_1(&mut c, &a[..n]).unwrap();
    let n = r.write_message_2(&mut c, &me_r, &[], &mut b).unwrap();
    responder += take_counts();
    let n = i
        .handle_message_2(&mut c, &mut b[..n], &trust_i, &me_i, &[], &mut a)
        .unwrap();
    let _ = take_counts();
    r.read_message_3(&mut c, &mut a[..n], &trust_r).unwrap();
    let n = r.write_message_4(&mut c, &[], &mut b).unwrap();
    responder += take_counts();
    i.handle_message_4(&mut c, &mut b[..n]).unwrap();
    let _ = take_counts();
    responder
}

/// The same, through the C API (the kit's one C handshake driver, with the kit's device
/// and gateway: the same RFC 9529 keys), attributing each step's calls to its role.
fn c_responder_calls(method: u8, suite: u8) -> OpCounts {
    let (dev, gw) = (device(), gateway());
    let mut c = Crypto::new(2);
    let x = Exchange {
        method,
        initiator_suites: &[suite],
        responder_suites: &[2, 5],
        m4: true,
        labels: &[5],
        ead_1: vec![],
        ead_3: vec![],
    };
    let mut responder = OpCounts::default();
    let _ = take_counts();
    let _ = drive(&mut c, x, &dev, &gw, &mut |s: Progress<'_>| {
        let calls = take_counts();
        if matches!(
            s.step,
            Step::ReadMessage1 | Step::WriteMessage2 | Step::ReadMessage3 | Step::WriteMessage4
        ) {
            responder += calls;
        }
    });
    responder
}

#[test]
#[cfg_attr(miri, ignore = "P-256 under Miri is too slow")]
fn a_c_responder_makes_exactly_the_provider_calls_of_the_rust_responder() {
    for method in 0..4u8 {
        for suite in [2u8, 5] {
            let rust = rust_responder_calls(method, suite);
            let c = c_responder_calls(method, suite);
            assert_eq!(c, rust, "method {method} suite {suite}");
            assert_eq!(c.public_key_from_x, 1, "G_X is decompressed once");
            assert_eq!(c.generate_ephemeral, 1);
        }
    }
}
