//! Shared test helpers.
#![allow(
    dead_code,
    reason = "shared by several test binaries; each uses a subset (expect would be unfulfilled in some)"
)]

pub(crate) mod executor;

use iomt_crypto::{AeadAlgorithm, Prk, RustCryptoProvider, prelude::*};
use iomt_proto::{Channel, ExportError, ProtoError, Side};

pub(crate) type Crypto = RustCryptoProvider<getrandom_free::NoRng>;

/// A provider for tests. The channel never draws randomness, so an RNG that always
/// fails proves that too.
pub(crate) fn crypto() -> Crypto {
    RustCryptoProvider::new(getrandom_free::NoRng)
}

pub(crate) mod getrandom_free {
    /// An RNG that always fails (the channel must never need randomness).
    pub(crate) struct NoRng;
    impl rand_core::TryRng for NoRng {
        type Error = core::fmt::Error;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_fill_bytes(&mut self, _dst: &mut [u8]) -> Result<(), Self::Error> {
            Err(core::fmt::Error)
        }
    }
    impl rand_core::TryCryptoRng for NoRng {}
}

/// Stand-in for EDHOC_Exporter until the iomt-auth adapter exists:
/// `HKDF-Expand(secret, label:u16be ‖ context, len)`. Both sides use the same one.
pub(crate) fn exporter(
    secret: [u8; 32],
) -> impl FnMut(u16, &[u8], &mut [u8]) -> Result<(), ExportError> {
    move |label, context, out| {
        let mut c = crypto();
        let prk = Prk::from_bytes(secret);
        let mut info = label.to_be_bytes().to_vec();
        info.extend_from_slice(context);
        c.hkdf_sha256_expand(&prk, &info, out)
            .map_err(|_| ExportError)
    }
}

pub(crate) const SECRET: [u8; 32] = [0x5A; 32];

pub(crate) fn pair<const W: u32, const S: usize>(
    alg: AeadAlgorithm,
) -> Result<(Crypto, Channel<W, S>, Channel<W, S>), ProtoError> {
    let mut c = crypto();
    let a = Channel::new(&mut c, &mut exporter(SECRET), alg, Side::Initiator, 0x2A)?;
    let b = Channel::new(&mut c, &mut exporter(SECRET), alg, Side::Responder, 0x2A)?;
    Ok((c, a, b))
}

pub(crate) const ALGS: [AeadAlgorithm; 2] = [
    AeadAlgorithm::ChaCha20Poly1305,
    AeadAlgorithm::AesCcm16_64_128,
];

/// A valid encoded consent tag; `n` varies the record digest and revision.
pub(crate) fn consent_tag(n: u8) -> Vec<u8> {
    use iomt_core::*;
    let tag = ConsentTag::permit(
        ConsentRef([n; 32]),
        u32::from(n),
        Timestamp::from_secs(1_800_000_000),
        Timestamp::from_secs(1_831_536_000),
    )
    .with_purposes(PurposeSet::only(Purpose::Treatment))
    .with_roles(RoleSet::only(Role::Clinician).with(Role::Nurse))
    .with_actions(ActionSet::only(Action::Collect).with(Action::Access))
    .with_classes(DataClassSet::only(DataClass::Vitals));
    let mut buf = [0u8; MAX_CONSENT_TAG_LEN];
    let n = tag.encode(&mut buf).unwrap_or(0);
    buf[..n].to_vec()
}
