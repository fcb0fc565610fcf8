//! The channel sizes the documentation states (docs/PROTOCOL.md §11, `iomt_proto::limits`,
//! docs/PERFORMANCE.md "Memory per session at the gateway"): at most 256 bytes without
//! consent slots, 976 with the default 4 on 64-bit hosts and on thumbv7em alike (no
//! pointer-sized field; the 32-bit assertion below documents it, `cargo xtask footprint`
//! measures it), so a gateway's established session (channel + its consent table entry)
//! fits 1 KiB (issue 18).

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
    // Each slot: a 170-byte tag buffer with a one-byte length, its install position (8)
    // and a one-byte counter: 180 bytes.
    assert_eq!(
        size_of::<Channel<64, 4>>(),
        size_of::<Channel<64, 0>>() + 4 * 180,
        "docs: 180 bytes per consent slot"
    );
    assert_eq!(
        size_of::<Channel<64, 4>>(),
        976,
        "docs: 976 bytes with 4 slots (x86-64 and thumbv7em)"
    );
    // A session table slot costs no more than the channel (the `Option` uses a niche).
    assert_eq!(
        size_of::<Option<Channel<64, 4>>>(),
        size_of::<Channel<64, 4>>()
    );
}
