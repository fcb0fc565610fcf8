//! iomt-auth's smaller parsers on untrusted bytes, each with its encoder round trip:
//! audit records and exported record chunks, the operator-factor EAD item, update
//! manifests, and the COSE_Sign1 update envelope (verified with the NO SECURITY
//! `FuzzCrypto`, whose signatures always pass, so vendor/class/structure checks are reached).
#![no_main]

use iomt_auth::audit::AuditRecord;
use iomt_auth::audit::export::ExportChunk;
use iomt_auth::factor::FactorTag;
use iomt_auth::update::Manifest;
use iomt_auth::update::{VendorAnchor, VerifiedManifest};
use iomt_fuzz::fixture;
use iomt_fuzz::provider::FuzzCrypto;
use libfuzzer_sys::fuzz_target;

/// The anchor the seeds are signed for.
pub const VENDOR: u32 = 0x1234;
/// The device class of the seeds.
pub const CLASS: u32 = 7;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = AuditRecord::decode(data) {
        assert_eq!(&r.encode()[..], data, "audit record round trip");
    }
    if let Ok(chunk) = ExportChunk::decode(data) {
        let mut out = vec![0u8; data.len() + 256];
        let n = chunk.encode(&mut out).expect("a decoded chunk encodes");
        assert_eq!(&out[..n], data, "audit export chunk round trip");
        if let ExportChunk::Records(r) = &chunk {
            assert_eq!(r.records().count(), r.len());
        }
    }
    if let Ok(t) = FactorTag::parse_ead_item(data) {
        let mut out = [0u8; 64];
        let n = t
            .encode_ead_item(&mut out)
            .expect("a parsed factor tag encodes");
        assert_eq!(&out[..n], data, "factor EAD item round trip");
    }
    if let Ok(m) = Manifest::decode(data) {
        let mut out = [0u8; 256];
        let n = m.encode(&mut out).expect("a decoded manifest encodes");
        assert_eq!(&out[..n], data, "manifest round trip (deterministic CBOR)");
    }
    let anchor = VendorAnchor {
        vendor_id: VENDOR,
        device_class: CLASS,
        key: fixture::get().g_r,
    };
    let mut crypto = FuzzCrypto::default();
    if let Ok(v) = VerifiedManifest::verify(&mut crypto, data, &anchor) {
        let m = v.manifest();
        assert_eq!((m.vendor_id, m.device_class), (VENDOR, CLASS));
        let mut out = [0u8; 256];
        let n = m.encode(&mut out).expect("encodes");
        assert_eq!(Manifest::decode(&out[..n]).as_ref(), Ok(m));
    }
});
