#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        reason = "STYLE: no unchecked indexing in library code; each exception is an #[allow] on the smallest item with a bounds proof"
    )
)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "std")]
extern crate std;

#[doc(hidden)]
pub mod __fuzz;
pub mod channel;
pub mod consent;
#[cfg(feature = "edhoc")]
#[cfg_attr(docsrs, doc(cfg(feature = "edhoc")))]
pub mod edhoc;
pub mod error;
pub mod fragment;
pub mod gateway;
pub mod keys;
pub mod limits;
pub mod payload;
pub mod replay;
pub mod retransmit;
#[cfg(feature = "embedded-io")]
#[cfg_attr(docsrs, doc(cfg(feature = "embedded-io")))]
pub mod transport;
/// The `embedded-io` version the transports are written against, so applications can
/// implement `Read`/`Write` for their link without adding (and matching) the dependency.
#[cfg(feature = "embedded-io")]
pub use embedded_io;
pub mod wire;

pub use channel::{
    BoundConsent, Channel, ChannelStats, MAX_EPOCH_SKIP, MAX_FRAME_LEN, MAX_PAYLOAD_LEN, Opened,
};
pub use error::{ApiMisuse, LimitKind, PeerMisbehaved, ProtoError, Rejection, WireError};
pub use fragment::{FragmentError, Fragmenter, Reassembler};
pub use keys::{ExportError, KeyExporter, Side};
pub use limits::KeyLimits;
pub use payload::{AuditExport, CloseReason, Command, CommandResult, CommandStatus, Message};
pub use replay::ReplayWindow;
pub use wire::{Frame, FrameRepr, FrameType};

/// This crate's version, as in its `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn version_matches_manifest() {
        assert_eq!(super::VERSION, "0.1.0");
    }
}
