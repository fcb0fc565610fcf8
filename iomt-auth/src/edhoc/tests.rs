//! Configuration checks that depend on the build's features. CI runs these with the
//! default features (`test` step) and without `signature-methods` (its own step), so both
//! branches are exercised.

use super::*;
use crate::error::{ApiMisuse, AuthError};
use iomt_crypto::DeterministicProvider;
use std::string::ToString as _;

fn responder_with(methods: &[Method]) -> Result<(), AuthError> {
    Responder::<DeterministicProvider>::new(&ResponderConfig {
        suites: &[2],
        methods,
        c_r: ConnId::new(&[0x27])?,
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .map(|_| ())
}

fn initiator_with(method: Method) -> Result<(), AuthError> {
    Initiator::<DeterministicProvider>::new(&InitiatorConfig {
        method,
        suites: &[2],
        c_i: ConnId::new(&[0x37])?,
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    })
    .map(|_| ())
}

#[test]
fn supported_methods_always_configure() {
    assert_eq!(responder_with(Method::SUPPORTED), Ok(()));
    for m in Method::SUPPORTED {
        assert_eq!(initiator_with(*m), Ok(()), "{m:?}");
    }
}

#[test]
fn methods_left_out_of_the_build_fail_at_configuration_naming_the_feature() {
    let not_built = Err(AuthError::ApiMisuse(ApiMisuse::MethodNotBuilt));
    for m in Method::ALL {
        let expected = if m.is_supported() { Ok(()) } else { not_built };
        assert_eq!(initiator_with(m), expected, "{m:?}");
    }
    let all = responder_with(&Method::ALL);
    if cfg!(feature = "signature-methods") {
        assert_eq!(all, Ok(()));
        assert_eq!(Method::SUPPORTED, &Method::ALL[..]);
    } else {
        assert_eq!(all, not_built);
        assert_eq!(Method::SUPPORTED, &[Method::StatStat][..]);
        let msg = AuthError::ApiMisuse(ApiMisuse::MethodNotBuilt).to_string();
        assert!(msg.contains("signature-methods"), "{msg}");
    }
}
