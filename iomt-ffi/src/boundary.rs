//! The C boundary: the panic boundary, pointer/length checks and caller-allocated storage.
//!
//! # Invariants
//! - Every exported function runs its body through `ffi_panic_boundary!` ([`run`]; or
//!   [`ffi_panic_boundary_ptr`] for the one returning a pointer):
//!   under the `std` feature a panic is caught and reported as
//!   [`iomt_result::Panic`]; without `std` (firmware, `panic = "abort"`) the body runs
//!   directly and the lints (`unwrap`/`expect`/`panic`/indexing denied) plus fuzzing carry
//!   the no-panic guarantee.
//! - A `(pointer, length)` pair becomes a slice only if the length is 0 (the pointer may
//!   then be NULL) or the pointer is non-NULL and `pointer + length` neither exceeds
//!   `isize::MAX` nor wraps; otherwise the call fails with `NULL_PARAMETER` /
//!   `INVALID_ARGUMENT` before anything is read.
//! - Opaque storage (`iomt_session`, …) is `#[repr(C, align(N))]` bytes (N = 8, or 16
//!   for a session: ABI headroom, its value needs 8 today). A live object is
//!   a [`Slot`]: a per-type 64-bit magic, bound to the storage's address, followed by the
//!   Rust value. Every call checks NULL, the type's alignment (8, or 16 for a session) and
//!   the magic before touching the value. A byte copy of a live object at another
//!   address (`memcpy`, C struct assignment) therefore reads as `NOT_INITIALIZED`: a copied
//!   session or handshake cannot seal with the original's keys and nonces, and a copied
//!   permit is not a permit. `deinit` drops the value
//!   (secrets zeroize on drop) and then zeroizes the whole storage, so a second `deinit`
//!   (or a call after `deinit`) sees no magic and is harmless.
#![expect(unsafe_code, reason = "the C boundary: raw pointers from C")]

#[cfg(feature = "test-kit")]
use core::mem::MaybeUninit;
use core::mem::{align_of, size_of};
#[cfg(feature = "test-kit")]
use std::boxed::Box;

use zeroize::Zeroize;

use crate::result::iomt_result;

/// What every body returns before it becomes an [`iomt_result`].
pub(crate) type FfiResult = Result<(), iomt_result>;

/// Runs `body` behind the panic boundary and flattens its result.
#[inline]
pub(crate) fn run(body: impl FnOnce() -> FfiResult) -> iomt_result {
    #[cfg(feature = "std")]
    {
        match std::panic::catch_unwind(core::panic::AssertUnwindSafe(body)) {
            Ok(Ok(())) => iomt_result::Ok,
            Ok(Err(e)) => e,
            Err(_) => iomt_result::Panic,
        }
    }
    #[cfg(not(feature = "std"))]
    {
        match body() {
            Ok(()) => iomt_result::Ok,
            Err(e) => e,
        }
    }
}

/// The body of every exported function: `ffi_panic_boundary! { ...; Ok(()) }` runs the
/// statements (which may use `?` with any library error) through [`run`].
macro_rules! ffi_panic_boundary {
    ($($body:tt)*) => {
        $crate::boundary::run(|| { $($body)* })
    };
}
pub(crate) use ffi_panic_boundary;

/// The panic boundary for the few functions that return a pointer (never NULL): on a
/// caught panic they return a static string.
#[inline]
pub(crate) fn ffi_panic_boundary_ptr(
    body: impl FnOnce() -> *const core::ffi::c_char,
) -> *const core::ffi::c_char {
    #[cfg(feature = "std")]
    {
        std::panic::catch_unwind(core::panic::AssertUnwindSafe(body))
            .unwrap_or_else(|_| c"internal error".as_ptr())
    }
    #[cfg(not(feature = "std"))]
    {
        body()
    }
}

/// Checks a `(pointer, length)` pair (see the module invariants).
fn check_span(ptr: usize, len: usize) -> FfiResult {
    if len == 0 {
        return Ok(());
    }
    if ptr == 0 {
        return Err(iomt_result::NullParameter);
    }
    let limit = usize::try_from(isize::MAX).unwrap_or(usize::MAX);
    match ptr.checked_add(len) {
        Some(end) if len <= limit && end <= limit => Ok(()),
        _ => Err(iomt_result::InvalidArgument),
    }
}

/// An input buffer as a slice.
///
/// # Safety
/// If `len > 0` and `ptr` is non-NULL, `ptr` must point to `len` readable bytes that
/// stay valid and unmodified for `'a`.
pub(crate) unsafe fn slice<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], iomt_result> {
    check_span(ptr as usize, len)?;
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: non-NULL, length within isize::MAX and not wrapping (check_span); validity
    // and lifetime are the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A required input buffer (a message): as [`slice`], but NULL is `NULL_PARAMETER` even
/// with length 0.
///
/// # Safety
/// As [`slice`].
pub(crate) unsafe fn required_slice<'a>(
    ptr: *const u8,
    len: usize,
) -> Result<&'a [u8], iomt_result> {
    if ptr.is_null() {
        return Err(iomt_result::NullParameter);
    }
    // SAFETY: forwarded contract.
    unsafe { slice(ptr, len) }
}

/// An output (or in-place) buffer as a mutable slice.
///
/// # Safety
/// If `len > 0` and `ptr` is non-NULL, `ptr` must point to `len` writable bytes, valid
/// for `'a` and not aliased by any other argument.
pub(crate) unsafe fn slice_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], iomt_result> {
    check_span(ptr as usize, len)?;
    if len == 0 {
        return Ok(&mut []);
    }
    // SAFETY: as in `slice`, plus exclusivity from the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// An array of `T` from C (`ptr`, element count).
///
/// # Safety
/// As [`slice`], for `len` elements of `T`; `ptr` must be aligned for `T`.
pub(crate) unsafe fn array<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], iomt_result> {
    let bytes = len
        .checked_mul(size_of::<T>())
        .ok_or(iomt_result::InvalidArgument)?;
    check_span(ptr as usize, bytes)?;
    if len == 0 {
        return Ok(&[]);
    }
    if !(ptr as usize).is_multiple_of(align_of::<T>()) {
        return Err(iomt_result::InvalidArgument);
    }
    // SAFETY: non-NULL, aligned, in range; validity is the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A mutable array of `T` from C.
///
/// # Safety
/// As [`array`], writable and not aliased.
pub(crate) unsafe fn array_mut<'a, T>(ptr: *mut T, len: usize) -> Result<&'a mut [T], iomt_result> {
    let bytes = len
        .checked_mul(size_of::<T>())
        .ok_or(iomt_result::InvalidArgument)?;
    check_span(ptr as usize, bytes)?;
    if len == 0 {
        return Ok(&mut []);
    }
    if !(ptr as usize).is_multiple_of(align_of::<T>()) {
        return Err(iomt_result::InvalidArgument);
    }
    // SAFETY: as above.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// A required fixed-length input (a subject id, a challenge, a PIN verifier), copied.
///
/// # Safety
/// A non-NULL `ptr` must point to `N` readable bytes.
pub(crate) unsafe fn fixed<const N: usize>(ptr: *const u8) -> Result<[u8; N], iomt_result> {
    if ptr.is_null() {
        return Err(iomt_result::NullParameter);
    }
    // SAFETY: forwarded contract.
    let s = unsafe { slice(ptr, N) }?;
    s.try_into().map_err(|_| iomt_result::InvalidArgument)
}

/// A required input struct.
///
/// # Safety
/// A non-NULL `ptr` must point to a valid, initialized `T` for `'a`.
pub(crate) unsafe fn input<'a, T>(ptr: *const T) -> Result<&'a T, iomt_result> {
    if ptr.is_null() {
        return Err(iomt_result::NullParameter);
    }
    if !(ptr as usize).is_multiple_of(align_of::<T>()) {
        return Err(iomt_result::InvalidArgument);
    }
    // SAFETY: non-NULL and aligned; validity is the caller's contract.
    Ok(unsafe { &*ptr })
}

/// A required output location; write it only on success.
///
/// # Safety
/// A non-NULL `ptr` must point to writable memory for one `T` (it may be uninitialized:
/// only [`Out::write`] touches it).
pub(crate) unsafe fn output<T>(ptr: *mut T) -> Result<Out<T>, iomt_result> {
    if ptr.is_null() {
        return Err(iomt_result::NullParameter);
    }
    if !(ptr as usize).is_multiple_of(align_of::<T>()) {
        return Err(iomt_result::InvalidArgument);
    }
    Ok(Out(ptr))
}

/// A checked (non-NULL, aligned) output location.
pub(crate) struct Out<T>(*mut T);

impl<T: Copy> Out<T> {
    /// Writes the output (without reading or dropping the old contents).
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked non-NULL and aligned in `output`; writable by its contract.
        unsafe { self.0.write(value) }
    }
}

/// The library errors that report how large a buffer must be.
pub(crate) trait Needed: Copy + Into<iomt_result> {
    /// Bytes needed, if this is a short-buffer error.
    fn needed(self) -> Option<usize>;
}

impl Needed for iomt_auth::AuthError {
    fn needed(self) -> Option<usize> {
        match self {
            Self::BufferTooSmall { needed } => Some(needed),
            _ => None,
        }
    }
}

impl Needed for iomt_proto::ProtoError {
    fn needed(self) -> Option<usize> {
        match self {
            Self::BufferTooSmall { needed } => Some(needed),
            _ => None,
        }
    }
}

impl Needed for iomt_core::CoreError {
    fn needed(self) -> Option<usize> {
        match self {
            Self::BufferTooSmall { needed } => Some(needed),
            _ => None,
        }
    }
}

/// Finishes a call that wrote `result` bytes into a caller buffer: on success writes the
/// length; on a short buffer writes the size needed (the one documented exception to
/// "outputs only on success"); otherwise writes nothing.
pub(crate) fn written<E: Needed>(result: Result<usize, E>, len_out: Out<usize>) -> FfiResult {
    match result {
        Ok(n) => {
            len_out.write(n);
            Ok(())
        }
        Err(e) => {
            if let Some(needed) = e.needed() {
                len_out.write(needed);
            }
            Err(e.into())
        }
    }
}

/// A live object inside caller-allocated storage: magic, then the value.
#[repr(C)]
pub(crate) struct Slot<T> {
    magic: u64,
    value: T,
}

/// A C storage type (`#[repr(C, align(8))] struct { _opaque: [u8; N] }`) and the Rust
/// value it holds.
pub(crate) trait Storage: Sized {
    /// The Rust value.
    type Inner;
    /// Marks a live object of this type (distinct per type).
    const MAGIC: u64;
    /// The storage type's alignment (its `IOMT_X_ALIGN` constant).
    const ALIGN: usize;
}

/// Size and alignment asserts for a storage type (evaluated at compile time per target).
macro_rules! storage_asserts {
    ($storage:ty, $inner:ty, $size:expr, $align:expr, $magic:expr) => {
        impl $crate::boundary::Storage for $storage {
            type Inner = $inner;
            const MAGIC: u64 = $magic;
            const ALIGN: usize = $align;
        }
        const _: () = {
            assert!(
                core::mem::size_of::<$crate::boundary::Slot<$inner>>() <= $size,
                "opaque storage too small: raise the size constant"
            );
            assert!(
                core::mem::align_of::<$crate::boundary::Slot<$inner>>() <= $align,
                "opaque storage under-aligned: raise the alignment constant"
            );
            assert!(core::mem::align_of::<$storage>() == $align);
            assert!($align >= 8);
            assert!(core::mem::size_of::<$storage>() == $size);
        };
    };
}
pub(crate) use storage_asserts;

fn check_storage<S: Storage>(ptr: *const S) -> FfiResult {
    if ptr.is_null() {
        return Err(iomt_result::NullParameter);
    }
    if !(ptr as usize).is_multiple_of(S::ALIGN) {
        return Err(iomt_result::MisalignedStorage);
    }
    Ok(())
}

/// Whether `ptr` (checked non-NULL and aligned) holds a live object.
///
/// # Safety
/// `ptr` must point to readable storage of type `S`.
unsafe fn is_live<S: Storage>(ptr: *const S) -> bool {
    // SAFETY: the storage is at least 8 bytes (it holds a Slot) and at least 8-aligned; reading
    // the first word is in bounds. The bytes may be stale but never "uninit" to Rust:
    // they come from C memory through a raw pointer.
    let magic = unsafe { ptr.cast::<u64>().read_volatile() };
    magic == bound_magic::<S>(ptr)
}

/// The magic a live object of type `S` at `ptr` carries: the type's magic mixed with the
/// address, so the same bytes at another address are not live.
fn bound_magic<S: Storage>(ptr: *const S) -> u64 {
    // The address, widened losslessly (usize is at most 64 bits on every target).
    let address = ptr as usize as u64;
    S::MAGIC ^ address.rotate_left(17)
}

/// Moves `value` into `ptr`'s storage and marks it live. Whatever the storage held
/// before is overwritten, not dropped.
///
/// # Safety
/// A non-NULL `ptr` must point to writable storage of type `S` not borrowed elsewhere.
pub(crate) unsafe fn init<S: Storage>(ptr: *mut S, value: S::Inner) -> FfiResult {
    check_storage(ptr)?;
    // SAFETY: non-NULL, aligned to S::ALIGN (at least Slot's alignment), large enough (const
    // assert in `storage_asserts!`), writable by the caller's contract.
    unsafe {
        ptr.cast::<Slot<S::Inner>>().write(Slot {
            magic: bound_magic::<S>(ptr),
            value,
        });
    }
    Ok(())
}

/// The live object in `ptr`.
///
/// # Safety
/// A non-NULL `ptr` must point to storage of type `S` that no other live reference
/// aliases for `'a`.
pub(crate) unsafe fn get<'a, S: Storage>(ptr: *const S) -> Result<&'a S::Inner, iomt_result> {
    check_storage(ptr)?;
    // SAFETY: forwarded contract.
    if !unsafe { is_live(ptr) } {
        return Err(iomt_result::NotInitialized);
    }
    // SAFETY: the magic says `init` wrote a Slot<S::Inner> here and `deinit` has not run.
    Ok(unsafe { &(*ptr.cast::<Slot<S::Inner>>()).value })
}

/// The live object in `ptr`, mutably.
///
/// # Safety
/// As [`get`], exclusive.
pub(crate) unsafe fn get_mut<'a, S: Storage>(ptr: *mut S) -> Result<&'a mut S::Inner, iomt_result> {
    check_storage(ptr)?;
    // SAFETY: forwarded contract.
    if !unsafe { is_live(ptr) } {
        return Err(iomt_result::NotInitialized);
    }
    // SAFETY: as in `get`, and exclusive by the caller's contract.
    Ok(unsafe { &mut (*ptr.cast::<Slot<S::Inner>>()).value })
}

/// Test support only (feature `test-kit`): a byte copy of the live object in `src`,
/// re-bound to its new address so that it is live there. This is exactly what the
/// address-bound magic forbids a C caller; the fuzz targets use it to start each input
/// from a template made once per process.
///
/// # Safety
/// `src` must point to storage of type `S`.
#[cfg(feature = "test-kit")]
pub(crate) unsafe fn duplicate<S: Storage>(src: *const S) -> Result<Box<S>, iomt_result> {
    check_storage(src)?;
    // SAFETY: forwarded contract.
    if !unsafe { is_live(src) } {
        return Err(iomt_result::NotInitialized);
    }
    let mut dst: Box<MaybeUninit<S>> = Box::new(MaybeUninit::zeroed());
    let ptr = dst.as_mut_ptr();
    // SAFETY: `src` is live storage of `S`; `ptr` is fresh, distinct, aligned storage of `S`.
    unsafe {
        core::ptr::copy_nonoverlapping(src, ptr, 1);
        ptr.cast::<u64>().write(bound_magic::<S>(ptr));
    }
    // SAFETY: every storage type is plain bytes (any bit pattern is a valid value).
    Ok(unsafe { dst.assume_init() })
}

/// Drops the live object (if any) and zeroizes the whole storage. NULL is fine.
///
/// # Safety
/// A non-NULL `ptr` must point to writable storage of type `S` not borrowed elsewhere.
pub(crate) unsafe fn deinit<S: Storage>(ptr: *mut S) -> FfiResult {
    if ptr.is_null() {
        return Ok(());
    }
    check_storage(ptr)?;
    // SAFETY: forwarded contract.
    if unsafe { is_live(ptr) } {
        // SAFETY: live: a Slot<S::Inner> written by `init`, dropped exactly once here
        // (the magic is zeroized right after).
        unsafe { core::ptr::drop_in_place(ptr.cast::<Slot<S::Inner>>()) };
    }
    // SAFETY: the storage is `size_of::<S>()` writable bytes by the caller's contract.
    let bytes = unsafe { core::slice::from_raw_parts_mut(ptr.cast::<u8>(), size_of::<S>()) };
    bytes.zeroize();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        assert_eq!(check_span(0, 0), Ok(()));
        assert_eq!(check_span(0, 1), Err(iomt_result::NullParameter));
        assert_eq!(check_span(8, usize::MAX), Err(iomt_result::InvalidArgument));
        assert_eq!(
            check_span(usize::MAX - 2, 4),
            Err(iomt_result::InvalidArgument)
        );
        assert_eq!(check_span(16, 16), Ok(()));
        let huge = usize::try_from(isize::MAX).unwrap();
        assert_eq!(check_span(16, huge), Err(iomt_result::InvalidArgument));
    }

    #[test]
    fn slices() {
        let data = [1u8, 2, 3];
        // SAFETY: valid pointer and length.
        assert_eq!(unsafe { slice(data.as_ptr(), 3) }, Ok(&data[..]));
        // SAFETY: NULL with length 0 is the empty slice.
        assert_eq!(unsafe { slice(core::ptr::null(), 0) }, Ok(&[][..]));
        // SAFETY: NULL with a length is rejected before any read.
        let r = unsafe { slice(core::ptr::null(), 5) };
        assert_eq!(r, Err(iomt_result::NullParameter));
        // SAFETY: a huge length is rejected before any read.
        let r = unsafe { slice(data.as_ptr(), usize::MAX) };
        assert_eq!(r, Err(iomt_result::InvalidArgument));
        let words = [0u32; 4];
        let misaligned = words.as_ptr().cast::<u8>().wrapping_add(1).cast::<u32>();
        // SAFETY: rejected before any read.
        let r = unsafe { array(misaligned, 1) };
        assert_eq!(r, Err(iomt_result::InvalidArgument));
    }

    #[test]
    fn written_reports_needed() {
        let mut n = 0usize;
        // SAFETY: a valid local.
        let out = unsafe { output(&raw mut n) }.unwrap();
        let r = written::<iomt_core::CoreError>(
            Err(iomt_core::CoreError::BufferTooSmall { needed: 42 }),
            out,
        );
        assert_eq!(r, Err(iomt_result::BufferTooSmall));
        assert_eq!(n, 42);
        // SAFETY: a valid local.
        let out = unsafe { output(&raw mut n) }.unwrap();
        let r = written::<iomt_core::CoreError>(Err(iomt_core::CoreError::Malformed), out);
        assert_eq!(r, Err(iomt_result::Malformed));
        assert_eq!(n, 42, "no output on a non-size failure");
    }
}
