//! The demo with the gateway on the aws-lc backend (`--backend aws-lc`): RustCrypto devices
//! against an `iomt-crypto-awslc` responder, end to end (handshake, channel, consent, FHIR).
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

#[allow(dead_code, reason = "shared helpers; this file uses run_demo only")]
mod fhir_output;

use core::time::Duration;

use fhir_output::run_demo;
use iomt_auth::edhoc::Method;
use iomt_examples::backend::Backend;
use iomt_examples::demo::Config;

fn run_on_aws_lc(name: &str, method: Method, suite: u8) {
    let (summary, out) = run_demo(
        name,
        Config {
            devices: 3,
            duration: Duration::from_millis(600),
            method,
            suite,
            backend: Backend::AwsLc,
            ..Config::default()
        },
    );
    assert!(summary.all_ok(), "{}", summary.table());
    for r in &summary.rows {
        assert_eq!(r.gateway.method_suite, Some((method.id(), suite)));
    }
    assert!(out.observations().next().is_some());
}

#[test]
fn demo_runs_on_the_aws_lc_backend_static_dh_ccm() {
    run_on_aws_lc("aws-lc-m3-s2", Method::StatStat, 2);
}

#[test]
fn demo_runs_on_the_aws_lc_backend_signatures_chacha() {
    run_on_aws_lc("aws-lc-m0-s5", Method::SigSig, 5);
}

#[test]
fn backend_flag_parses_and_rejects() {
    let c = Config::from_args(["--backend", "aws-lc"].map(String::from)).unwrap();
    assert_eq!(c.backend, Backend::AwsLc);
    let c = Config::from_args(["--backend", "rustcrypto"].map(String::from)).unwrap();
    assert_eq!(c.backend, Backend::RustCrypto);
    assert_eq!(Config::default().backend, Backend::RustCrypto);
    assert!(Config::from_args(["--backend", "openssl"].map(String::from)).is_err());
    let udp = ["--backend", "aws-lc", "--transport", "udp"].map(String::from);
    assert!(Config::from_args(udp).is_err());
}

/// Memory per session on the gateway, by type (printed; `--nocapture`): the EDHOC
/// responder state (needed until the channel is derived; the example's session thread
/// keeps it on its stack until the session ends) and the AEAD channel. Measured 256 B +
/// 976 B (docs/PERFORMANCE.md); what an established session needs is the channel plus its
/// consent table entry (`iomt_examples::memory`); the ceilings here catch growth, and
/// aws-lc adds nothing over RustCrypto.
#[test]
fn session_state_sizes() {
    use core::mem::size_of;
    use iomt_auth::edhoc::ResponderState;
    use iomt_crypto::RustCryptoProvider;
    use iomt_crypto::rustcrypto::OsRng;
    use iomt_crypto_awslc::AwsLcProvider;
    use iomt_proto::Channel;
    let aws = size_of::<ResponderState<AwsLcProvider>>();
    let rc = size_of::<ResponderState<RustCryptoProvider<OsRng>>>();
    let channel = size_of::<Channel>();
    println!(
        "ResponderState<AwsLcProvider> {aws} B, ResponderState<RustCryptoProvider> {rc} B, Channel {channel} B"
    );
    assert!(
        aws <= rc,
        "the aws-lc responder state is no larger than RustCrypto's"
    );
    assert!(
        aws + channel <= 1232,
        "per-session state grew: {aws} + {channel} B"
    );
}
