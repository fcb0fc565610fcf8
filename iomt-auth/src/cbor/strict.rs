//! The two strictness rules that need more than one head: map key order and bounded
//! nesting.
//!
//! # Invariants
//! - [`MapKeys`] accepts a key only if its encoding sorts strictly after the previous
//!   key's encoding (RFC 8949 §4.2.1), so a map it has read has no duplicate keys.
//! - [`Decoder::skip_item`] keeps one `Level` per open array, map or tag in a fixed
//!   `[Level; MAX_DEPTH]`: it never recurses, never allocates, and fails with
//!   [`CborError::TooDeep`] before the stack would overflow. Every item consumes at least
//!   one byte, so the loop ends within `data.len()` iterations.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use core::cmp::Ordering;

use super::{CborError, Decoder, MAX_DEPTH, Major};

/// Checks that the keys of one map arrive in deterministic order, without duplicates.
///
/// Create one per map and pass every key through it:
/// read a key with [`MapKeys::int`], or check an already-read key's encoding with
/// [`MapKeys::check`].
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct MapKeys<'a> {
    previous: Option<&'a [u8]>,
}

impl<'a> MapKeys<'a> {
    /// A checker for a map whose first key has not been read yet.
    #[must_use]
    pub(crate) const fn new() -> Self {
        Self { previous: None }
    }

    /// Records `encoded`, the full encoding of the next key.
    ///
    /// # Errors
    /// [`CborError::DuplicateMapKey`] if it equals the previous key,
    /// [`CborError::UnsortedMapKeys`] if it sorts before it.
    pub(crate) fn check(&mut self, encoded: &'a [u8]) -> Result<(), CborError> {
        if let Some(previous) = self.previous {
            match encoded.cmp(previous) {
                Ordering::Less => return Err(CborError::UnsortedMapKeys),
                Ordering::Equal => return Err(CborError::DuplicateMapKey),
                Ordering::Greater => {}
            }
        }
        self.previous = Some(encoded);
        Ok(())
    }

    /// Reads the next key as an integer label and checks its order.
    ///
    /// # Errors
    /// Those of [`Decoder::int`] and [`MapKeys::check`].
    pub(crate) fn int(&mut self, d: &mut Decoder<'a>) -> Result<i64, CborError> {
        let start = d.pos;
        let label = d.int()?;
        self.check(d.data.get(start..d.pos).ok_or(CborError::Truncated)?)?;
        Ok(label)
    }
}

/// One open container while skipping.
#[derive(Clone, Copy)]
struct Level<'a> {
    /// Items still to read in this container (a map of `n` pairs starts at `2n`).
    remaining: usize,
    /// Set for maps: their keys go through `keys`.
    is_map: bool,
    /// Where the key being read started (maps only).
    key_start: usize,
    keys: MapKeys<'a>,
}

impl Level<'_> {
    const EMPTY: Self = Self {
        remaining: 0,
        is_map: false,
        key_start: 0,
        keys: MapKeys::new(),
    };

    /// In a map, the item about to be read (or just read) is a key when an even number
    /// of items remains.
    const fn at_key(&self) -> bool {
        self.is_map && self.remaining.is_multiple_of(2)
    }
}

impl<'a> Decoder<'a> {
    /// Skips one complete data item (of any type) and returns its raw encoding.
    ///
    /// Strict like every other read: deterministic heads, valid UTF-8 in text strings,
    /// map keys in order and unique at every level, nesting at most [`MAX_DEPTH`].
    ///
    /// # Errors
    /// Malformed heads, [`CborError::Truncated`], [`CborError::TooDeep`],
    /// [`CborError::DuplicateMapKey`], [`CborError::UnsortedMapKeys`],
    /// [`CborError::InvalidUtf8`].
    pub(crate) fn skip_item(&mut self) -> Result<&'a [u8], CborError> {
        let start = self.pos;
        let mut stack = [Level::EMPTY; MAX_DEPTH];
        let mut depth: usize = 0;
        loop {
            if let Some(top) = depth.checked_sub(1).and_then(|i| stack.get_mut(i))
                && top.at_key()
            {
                top.key_start = self.pos;
            }
            let (major, arg) = self.head()?;
            let n = usize::try_from(arg).map_err(|_| CborError::Overflow)?;
            let opened = match major {
                Major::Uint | Major::Nint | Major::Simple => 0,
                Major::Bstr => {
                    self.take(n)?;
                    0
                }
                Major::Tstr => {
                    core::str::from_utf8(self.take(n)?).map_err(|_| CborError::InvalidUtf8)?;
                    0
                }
                Major::Array => n,
                Major::Map => n.checked_mul(2).ok_or(CborError::Overflow)?,
                Major::Tag => 1,
            };
            if opened > 0 {
                // every item needs at least one byte
                if opened > self.data.len().saturating_sub(self.pos) {
                    return Err(CborError::Truncated);
                }
                let slot = stack.get_mut(depth).ok_or(CborError::TooDeep)?;
                *slot = Level {
                    remaining: opened,
                    is_map: major == Major::Map,
                    ..Level::EMPTY
                };
                depth = depth.checked_add(1).ok_or(CborError::Overflow)?;
                continue;
            }
            // An item ended: account for it in its container, closing every container
            // it completes.
            loop {
                let Some(top) = depth.checked_sub(1).and_then(|i| stack.get_mut(i)) else {
                    return self.data.get(start..self.pos).ok_or(CborError::Truncated);
                };
                if top.at_key() {
                    let key = self
                        .data
                        .get(top.key_start..self.pos)
                        .ok_or(CborError::Truncated)?;
                    top.keys.check(key)?;
                }
                top.remaining = top.remaining.checked_sub(1).ok_or(CborError::Overflow)?;
                if top.remaining > 0 {
                    break;
                }
                depth = depth.checked_sub(1).ok_or(CborError::Overflow)?;
            }
        }
    }
}
