//! Authority-signed consent (`iomt_auth::consent`): untrusted bytes as a device's tag, as
//! a tag or withdrawal "from the authority", and as a frame's bound tag. Nothing may
//! panic; a fuzzed input must never verify (it would be a forged ES256 signature) unless
//! it is exactly a seed the authority signed; a verified tag re-encodes to its bytes.
#![no_main]

use iomt_auth::audit::{AuditLog, RamAuditStore};
use iomt_auth::consent::{ConsentAuthority, ConsentVerifier, Expected};
use iomt_auth::cred::PeerIdentity;
use iomt_core::{ConsentTag, PatientId, Timestamp};
use iomt_crypto::{DeterministicProvider, StaticKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut c = DeterministicProvider::new();
    let key = StaticKey::from_bytes(&[0x11; 32]).unwrap();
    let mut v: ConsentVerifier<2, 4> = ConsentVerifier::new();
    v.add_authority(ConsentAuthority::new(&mut c, *key.public_key()).unwrap())
        .unwrap();
    let mut log = AuditLog::open(&mut c, RamAuditStore::<4>::new(), [0; 8]).unwrap();
    let device = PeerIdentity::from_slice(b"pump-0042");
    let patient = PatientId::new(b"pt-A").unwrap();
    let now = Timestamp::from_secs(1_800_000_100);

    let (first, rest) = data.split_at(data.len().min(1));
    match first.first().copied().unwrap_or(0) % 4 {
        0 => {
            let exp = Expected::peer(&mut c, &device, &patient);
            if let Ok(vc) = v.verify_audited(&mut c, &mut log, rest, exp, now) {
                let mut buf = [0u8; iomt_core::MAX_CONSENT_TAG_LEN];
                let n = vc.tag().encode(&mut buf).unwrap();
                assert_eq!(&buf[..n], rest);
                assert!(v.check_frame(&vc, rest, now).is_ok());
            } else {
                // refusals are audited (ring of 4 slots, so at most 4 held)
                assert!(log.meta().next_seq >= 1);
            }
        }
        1 => {
            let _ = v.learn_revision(&mut c, rest);
        }
        2 => {
            let _ = v.withdraw(&mut c, &mut log, rest, now);
        }
        _ => {
            if let Ok(t) = ConsentTag::decode(rest) {
                let mut buf = [0u8; iomt_core::MAX_CONSENT_TAG_LEN];
                let n = t.encode(&mut buf).unwrap();
                assert_eq!(&buf[..n], rest);
            }
            let _ = iomt_core::ConsentWithdrawal::decode(rest);
        }
    }
});
