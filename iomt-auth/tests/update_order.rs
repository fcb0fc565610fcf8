//! "The manifest decoder only ever sees signature-verified bytes" (iomt-auth::update,
//! issue 25): malformed payloads under a broken signature are `BadSignature` (the decoder
//! was not reached), the same payloads correctly signed are decoder errors.

use iomt_auth::update::{UpdateError, VendorAnchor, VerifiedManifest, sign_payload};
use iomt_crypto::{DeterministicProvider, prelude::*};

#[test]
fn only_signature_verified_bytes_reach_the_manifest_decoder() {
    let mut c = DeterministicProvider::new();
    let vendor = c.static_key(&[0x5e; 32]).unwrap();
    let anchor = VendorAnchor {
        vendor_id: 32473,
        device_class: 7,
        key: c.p256_public_key(&vendor).unwrap(),
    };
    // Payloads the decoder rejects, each in its own way.
    let malformed: [&[u8]; 5] = [
        &[0xa0],                               // empty map: keys missing
        &[0xbf, 0xff],                         // indefinite-length map
        &[0xff],                               // a break with nothing open
        &[0xa1, 0x01, 0x1a, 0, 0, 0x7e, 0xd9], // non-deterministic head
        &[0xa1, 0x01, 0x01, 0x00],             // trailing byte
    ];
    for payload in malformed {
        let mut env = vec![0u8; 256];
        let n = sign_payload(&mut c, &vendor, payload, &mut env).unwrap();
        env.truncate(n);
        // Correctly signed: the decoder runs and rejects it.
        let decoded = VerifiedManifest::verify(&mut c, &env, &anchor)
            .err()
            .unwrap();
        assert!(
            matches!(
                decoded,
                UpdateError::Malformed | UpdateError::NonDeterministic | UpdateError::TrailingBytes
            ),
            "{payload:02x?}: {decoded:?}"
        );
        // The same bytes under a broken signature (last byte of the 64-byte signature).
        *env.last_mut().unwrap() ^= 0x01;
        assert_eq!(
            VerifiedManifest::verify(&mut c, &env, &anchor).err(),
            Some(UpdateError::BadSignature),
            "{payload:02x?}: the decoder saw unauthenticated bytes"
        );
    }
}
