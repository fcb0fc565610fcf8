//! The one byte copy of the library crates that has no panic path.
//!
//! `<[u8]>::copy_from_slice` panics when the lengths differ. Where the optimizer cannot
//! prove them equal (routinely at `opt-level = "z"`, which inlines less) every call site
//! keeps its panic branch and a 16-byte panic location plus the file's path in flash, even
//! when the caller checked the lengths just before. [`copy_prefix`] checks the length
//! once, as a value the caller handles.

/// Copies `src` into the first `src.len()` bytes of `dst`; returns `false`, copying
/// nothing, if `dst` is shorter.
///
/// ```
/// let mut buf = [0_u8; 4];
/// assert!(iomt_crypto::copy_prefix(&mut buf, b"ab"));
/// assert_eq!(&buf, b"ab\0\0");
/// assert!(!iomt_crypto::copy_prefix(&mut buf, b"abcde"));
/// assert_eq!(&buf, b"ab\0\0");
/// ```
#[must_use = "`false` means nothing was copied"]
pub fn copy_prefix(dst: &mut [u8], src: &[u8]) -> bool {
    let Some(dst) = dst.get_mut(..src.len()) else {
        return false;
    };
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
    true
}
