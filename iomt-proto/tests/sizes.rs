//! The channel sizes the documentation states (docs/PROTOCOL.md §11, `iomt_proto::limits`,
//! docs/PERFORMANCE.md for thumbv7em): at most 256 bytes without consent slots (256 on x86-64),
//! 1,080 with the default 4 on 64-bit hosts (1,032 on thumbv7em: the 32-bit assertion below
//! documents it; `cargo xtask footprint` measures it).

use iomt_proto::Channel;

#[test]
fn documented_channel_sizes_hold() {
    // The keys, IVs, windows and 32-bit counters (no pointer-sized field).
    assert!(
        size_of::<Channel<64, 0>>() <= 256,
        "docs: at most 256 bytes without slots"
    );
    #[cfg(target_pointer_width = "64")]
    assert_eq!(
        size_of::<Channel<64, 0>>(),
        256,
        "docs: 256 bytes without slots (x86-64)"
    );
    #[cfg(target_pointer_width = "64")]
    assert_eq!(
        size_of::<Channel<64, 4>>(),
        1080,
        "docs: 1,080 bytes with 4 slots (x86-64)"
    );
    #[cfg(target_pointer_width = "32")]
    assert_eq!(
        size_of::<Channel<64, 4>>(),
        1032,
        "docs: 1,032 bytes with 4 slots (thumbv7em)"
    );
}
