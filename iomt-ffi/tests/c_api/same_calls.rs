//! The C API is a skin over iomt-auth's state machine: a C responder handshake makes
//! exactly the provider calls of the same Rust responder handshake (one G_X
//! decompression, the same ECDH, hash, HKDF and AEAD calls), for every method and suite.
//! Counted with the test kit's `Counting` provider (the C API's provider in test builds).

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    ConnId, EadLabels, InitiatorConfig, InitiatorState, Method, ResponderConfig, ResponderState,
};
use iomt_ffi::counting::{Counting, OpCounts, take_counts};

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
    let me_i = LocalCredential {
        key: &sk_i,
        cred: &cred_i,
        id_cred: IdCred::Kid(&[0x2b]),
    };
    let me_r = LocalCredential {
        key: &sk_r,
        cred: &cred_r,
        id_cred: IdCred::Kid(&[0x32]),
    };
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

/// The same, through the C API (the kit's device and gateway credentials are the same
/// RFC 9529 keys).
fn c_responder_calls(method: u8, suite: u8) -> OpCounts {
    let (dev, gw) = (device(), gateway());
    let (mut ci, mut cr) = (Crypto::new(1), Crypto::new(2));
    let (mut i, mut r) = (zeroed::<iomt_handshake>(), zeroed::<iomt_handshake>());
    let labels = [5u16];
    let (icfg, rcfg) = (
        initiator_config(method, &[suite], true, &labels),
        responder_config(&[2, 5], true, &labels),
    );
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    let mut responder = OpCounts::default();
    let ok = |r: iomt_result| assert_eq!(r, iomt_result::Ok);
    unsafe {
        ok(iomt_handshake_init_initiator(&raw mut *i, &raw const icfg));
        ok(iomt_handshake_init_responder(&raw mut *r, &raw const rcfg));
        let _ = take_counts();
        ok(iomt_handshake_write_message_1(
            &raw mut *i,
            ci.ptr(),
            null(),
            0,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n,
        ));
        let _ = take_counts();
        ok(iomt_handshake_read_message_1(
            &raw mut *r,
            cr.ptr(),
            m.as_ptr(),
            n,
        ));
        ok(iomt_handshake_write_message_2(
            &raw mut *r,
            cr.ptr(),
            &raw const *gw.cred,
            null(),
            0,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n,
        ));
        responder += take_counts();
        ok(iomt_handshake_read_message_2(
            &raw mut *i,
            ci.ptr(),
            &raw const *dev.trust,
            m.as_ptr(),
            n,
        ));
        ok(iomt_handshake_write_message_3(
            &raw mut *i,
            ci.ptr(),
            &raw const *dev.cred,
            null(),
            0,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n,
        ));
        let _ = take_counts();
        ok(iomt_handshake_read_message_3(
            &raw mut *r,
            cr.ptr(),
            &raw const *gw.trust,
            m.as_ptr(),
            n,
        ));
        ok(iomt_handshake_write_message_4(
            &raw mut *r,
            cr.ptr(),
            null(),
            0,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n,
        ));
        responder += take_counts();
        ok(iomt_handshake_read_message_4(
            &raw mut *i,
            ci.ptr(),
            m.as_ptr(),
            n,
        ));
        let _ = take_counts();
        ok(iomt_handshake_deinit(&raw mut *i));
        ok(iomt_handshake_deinit(&raw mut *r));
    }
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
