//! postcard glue shared by every type with `encode`/`decode`.
//!
//! Invariants: `decode` consumes the whole input or fails with `TrailingBytes`; it never panics
//! on any input; `encode` either writes the whole value or reports the exact size needed.

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// Serializes `value` into `buf`, returning the length.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T, buf: &mut [u8]) -> Result<usize, CoreError> {
    let needed =
        postcard::experimental::serialized_size(value).map_err(|_| CoreError::Malformed)?;
    if buf.len() < needed {
        return Err(CoreError::BufferTooSmall { needed });
    }
    postcard::to_slice(value, buf)
        .map(|out| out.len())
        .map_err(|_| CoreError::BufferTooSmall { needed })
}

/// Deserializes exactly one `T` from all of `bytes`.
pub(crate) fn decode<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, CoreError> {
    let (value, rest) = postcard::take_from_bytes(bytes).map_err(|_| CoreError::Malformed)?;
    if !rest.is_empty() {
        return Err(CoreError::TrailingBytes);
    }
    Ok(value)
}
