//! C API for iomt.
//!
//! Conventions (after rustls-ffi): every symbol has the `iomt_` prefix, every function
//! returns an [`iomt_result`], buffers are `(pointer, length)` pairs, and outputs are
//! written only on success.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]
#![allow(non_camel_case_types, reason = "C naming conventions for the exported API")]

/// Result codes of every C entry point. Values are stable and never reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum iomt_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullParameter = 1,
}

impl iomt_result {
    /// A static, NUL-terminated description of the result code.
    #[must_use]
    pub const fn as_c_str(self) -> &'static core::ffi::CStr {
        match self {
            Self::Ok => c"success",
            Self::NullParameter => c"a required pointer argument was NULL",
        }
    }
}

/// Returns a static, NUL-terminated description of `result` (never NULL).
#[expect(unsafe_code, reason = "exported C symbol; no unsafe operation inside")]
#[unsafe(no_mangle)]
pub extern "C" fn iomt_result_str(result: iomt_result) -> *const core::ffi::c_char {
    result.as_c_str().as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_strings_are_distinct() {
        assert_ne!(iomt_result::Ok.as_c_str(), iomt_result::NullParameter.as_c_str());
        assert!(!iomt_result_str(iomt_result::Ok).is_null());
    }
}
