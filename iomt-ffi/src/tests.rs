//! Rust-side tests of the C API plumbing.

use super::*;

#[test]
fn print_sizes() {
    use core::mem::size_of;
    std::println!(
        "crypto {} credential {} trust {} initiator {} responder {} session {}",
        size_of::<boundary::Slot<crypto::Provider>>(),
        size_of::<boundary::Slot<crypto::Credential>>(),
        size_of::<boundary::Slot<crypto::Trust>>(),
        size_of::<boundary::Slot<handshake::InitiatorObj>>(),
        size_of::<boundary::Slot<handshake::ResponderObj>>(),
        size_of::<boundary::Slot<<iomt_session as boundary::Storage>::Inner>>(),
    );
}

#[test]
fn print_consts() {
    std::println!(
        "frame {} tag {} vitals {} cred {} kid {} id {}",
        iomt_proto::MAX_FRAME_LEN,
        iomt_core::MAX_CONSENT_TAG_LEN,
        1 + iomt_core::VitalBatch::<16>::MAX_ENCODED_LEN,
        iomt_auth::edhoc::MAX_CRED_LEN,
        iomt_auth::cred::MAX_KID_LEN,
        iomt_auth::cred::IDENTITY_LEN
    );
}
