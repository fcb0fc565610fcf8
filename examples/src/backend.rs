//! The gateway's crypto backend (`demo --backend rustcrypto|aws-lc`).
//!
//! The devices always run the RustCrypto backend (what the firmware links); the gateway
//! runs its EDHOC responder and its sessions' channel on either. Consent-authority,
//! audit-log and FHIR-export crypto outside a session stay on RustCrypto.

use iomt_crypto::prelude::*;
use iomt_crypto_awslc::AwsLcStaticKey;

/// A backend to choose on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// `iomt-crypto`'s RustCrypto provider (the default; what devices run).
    #[default]
    RustCrypto,
    /// `iomt-crypto-awslc`'s aws-lc-rs provider (for std gateways).
    AwsLc,
}

impl Backend {
    /// Parses `rustcrypto` or `aws-lc`.
    ///
    /// # Errors
    /// Any other name, as a message.
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "rustcrypto" => Ok(Self::RustCrypto),
            "aws-lc" => Ok(Self::AwsLc),
            _ => Err("--backend: rustcrypto or aws-lc".into()),
        }
    }

    /// The command-line name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::RustCrypto => "rustcrypto",
            Self::AwsLc => "aws-lc",
        }
    }
}

/// The backend a gateway runs, with the gateway's private key in it where the backend
/// keeps its own key type (RustCrypto uses the credential's `StaticKey` directly).
#[derive(Debug, Default)]
pub enum GatewayBackend {
    /// RustCrypto.
    #[default]
    RustCrypto,
    /// aws-lc-rs, with the gateway's key imported.
    AwsLc(AwsLcStaticKey),
}

impl GatewayBackend {
    /// Selects `backend`, importing the gateway's private `scalar` if it needs to.
    ///
    /// # Errors
    /// If the backend refuses the scalar.
    pub fn new(backend: Backend, scalar: &[u8; 32]) -> Result<Self, String> {
        Ok(match backend {
            Backend::RustCrypto => Self::RustCrypto,
            Backend::AwsLc => Self::AwsLc(
                iomt_crypto_awslc::provider()
                    .p256_import_key(scalar)
                    .map_err(|e| format!("aws-lc key import: {e}"))?,
            ),
        })
    }

    /// The backend's name.
    #[must_use]
    pub const fn backend(&self) -> Backend {
        match self {
            Self::RustCrypto => Backend::RustCrypto,
            Self::AwsLc(_) => Backend::AwsLc,
        }
    }
}
