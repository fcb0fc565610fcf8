//! The one constant-time comparison helper, `iomt_crypto::constant_time_eq` (issue 25): its
//! behaviour. The source scan that every secret comparison goes through it is
//! `repo_constant_time.rs` (a repository check).

#[test]
fn helper_detects_a_difference_at_every_position_and_length() {
    let a = [0x5au8; 64];
    assert!(iomt_crypto::constant_time_eq(&a, &a));
    assert!(iomt_crypto::constant_time_eq(&[], &[]));
    for i in 0..a.len() {
        for bit in 0..8 {
            let mut b = a;
            b[i] ^= 1 << bit;
            assert!(!iomt_crypto::constant_time_eq(&a, &b), "byte {i} bit {bit}");
        }
    }
    for n in 0..a.len() {
        assert!(!iomt_crypto::constant_time_eq(&a, &a[..n]));
        assert!(!iomt_crypto::constant_time_eq(&a[..n], &a));
    }
}
