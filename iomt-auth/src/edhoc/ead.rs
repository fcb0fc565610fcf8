//! External Authorization Data (RFC 9528 §3.8): items `(ead_label: int, ? ead_value: bstr)`.
//!
//! A negative label marks a critical item: if the application has not registered its
//! absolute value (in [`EadLabels`]), the message is rejected
//! ([`PeerMisbehaved::UnknownCriticalEad`]). Label 0 is padding and always ignored.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::copy_prefix;

use crate::cbor::{Decoder, Encoder, Major};
use crate::error::{ApiMisuse, AuthError, PeerMisbehaved};

use super::MAX_EAD_LEN;

/// How many EAD labels an application can register.
pub const MAX_EAD_LABELS: usize = 4;

/// One EAD item.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EadItem<'a> {
    /// The label; negative = critical.
    pub label: i32,
    /// The optional value.
    pub value: Option<&'a [u8]>,
}

impl EadItem<'_> {
    /// `true` if the item is critical (negative label).
    #[must_use]
    pub const fn is_critical(&self) -> bool {
        self.label < 0
    }
}

/// The EAD labels (absolute values) the application understands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EadLabels {
    labels: [u16; MAX_EAD_LABELS],
    len: u8,
}

impl EadLabels {
    /// No labels understood: any critical item aborts.
    pub const NONE: Self = Self {
        labels: [0; MAX_EAD_LABELS],
        len: 0,
    };

    /// Registers up to [`MAX_EAD_LABELS`] labels.
    ///
    /// ```
    /// use iomt_auth::edhoc::EadLabels;
    /// let l = EadLabels::new(&[1, 22])?;
    /// assert!(l.understands(-22) && l.understands(1) && !l.understands(-3));
    /// # Ok::<(), iomt_auth::AuthError>(())
    /// ```
    ///
    /// # Errors
    /// [`ApiMisuse::InvalidConfig`] if more than [`MAX_EAD_LABELS`].
    pub fn new(labels: &[u16]) -> Result<Self, AuthError> {
        let mut s = Self::NONE;
        for l in labels {
            let slot = s
                .labels
                .get_mut(usize::from(s.len))
                .ok_or(AuthError::ApiMisuse(ApiMisuse::InvalidConfig))?;
            *slot = *l;
            s.len = s.len.saturating_add(1);
        }
        Ok(s)
    }

    /// `true` if `label` (either sign) is registered, or is padding (0).
    #[must_use]
    pub fn understands(&self, label: i32) -> bool {
        let abs = label.unsigned_abs();
        abs == 0
            || self
                .labels
                .get(..usize::from(self.len))
                .unwrap_or(&[])
                .iter()
                .any(|l| u32::from(*l) == abs)
    }
}

/// A validated, received EAD field (a CBOR sequence of items). Iterate with [`Ead::items`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Ead<'a> {
    raw: &'a [u8],
}

impl<'a> Ead<'a> {
    /// The raw encoded EAD field (empty if absent).
    #[must_use]
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// `true` if no EAD was sent.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The items, padding (label 0) excluded.
    #[must_use]
    pub fn items(&self) -> EadItems<'a> {
        EadItems {
            d: Decoder::new(self.raw),
        }
    }

    /// Parses the rest of a plaintext/message as EAD and applies the critical rule.
    pub(crate) fn parse(raw: &'a [u8], known: &EadLabels) -> Result<Self, AuthError> {
        if raw.len() > MAX_EAD_LEN {
            return Err(PeerMisbehaved::TooLarge.into());
        }
        let mut d = Decoder::new(raw);
        while !d.is_empty() {
            let item = next_item(&mut d)?;
            if item.is_critical() && !known.understands(item.label) {
                return Err(PeerMisbehaved::UnknownCriticalEad.into());
            }
        }
        Ok(Self { raw })
    }
}

fn next_item<'a>(d: &mut Decoder<'a>) -> Result<EadItem<'a>, AuthError> {
    let label = d
        .int()
        .map_err(|_| AuthError::PeerMisbehaved(PeerMisbehaved::InvalidMessage))?;
    let label = i32::try_from(label)
        .map_err(|_| AuthError::PeerMisbehaved(PeerMisbehaved::InvalidMessage))?;
    let value = if d.peek_major().ok() == Some(Major::Bstr) {
        Some(d.bstr()?)
    } else {
        None
    };
    Ok(EadItem { label, value })
}

/// An owned copy of a received, validated EAD field (at most [`MAX_EAD_LEN`] bytes).
///
/// The storable handshake states keep the EAD of the last message they accepted in
/// one of these, so a caller can read it between two calls without borrowing the
/// message buffer. Invariant: the bytes passed the EAD validation (item syntax, the
/// critical rule, at most [`MAX_EAD_LEN`]) when they were copied.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReceivedEad {
    raw: [u8; MAX_EAD_LEN],
    len: u8,
}

impl core::fmt::Debug for ReceivedEad {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("ReceivedEad").field(&self.ead()).finish()
    }
}

impl Default for ReceivedEad {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl ReceivedEad {
    /// No EAD.
    pub const EMPTY: Self = Self {
        raw: [0; MAX_EAD_LEN],
        len: 0,
    };

    /// Copies a validated field (never longer than [`MAX_EAD_LEN`], which
    /// [`Ead::parse`] enforces).
    pub(crate) fn copy_of(ead: Ead<'_>) -> Result<Self, AuthError> {
        let mut s = Self::EMPTY;
        let src = ead.raw();
        if !copy_prefix(&mut s.raw, src) {
            return Err(PeerMisbehaved::TooLarge.into());
        }
        s.len = u8::try_from(src.len()).map_err(|_| PeerMisbehaved::TooLarge)?;
        Ok(s)
    }

    /// The field as a validated [`Ead`] (iterate its items with [`Ead::items`]).
    #[must_use]
    pub fn ead(&self) -> Ead<'_> {
        Ead {
            raw: self.raw.get(..usize::from(self.len)).unwrap_or(&[]),
        }
    }

    /// Item `index` (0-based, padding skipped), if there is one.
    #[must_use]
    pub fn item(&self, index: usize) -> Option<EadItem<'_>> {
        self.ead().items().nth(index)
    }
}

/// Iterator over validated EAD items (padding skipped).
#[derive(Clone, Debug)]
pub struct EadItems<'a> {
    d: Decoder<'a>,
}

impl<'a> Iterator for EadItems<'a> {
    type Item = EadItem<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.d.is_empty() {
                return None;
            }
            // validated at parse time; a failure here just ends iteration
            let item = next_item(&mut self.d).ok()?;
            if item.label != 0 {
                return Some(item);
            }
        }
    }
}

/// Encodes outgoing EAD items into `buf`, returning the encoded length.
pub(crate) fn encode_items(
    items: &[EadItem<'_>],
    buf: &mut [u8; MAX_EAD_LEN],
) -> Result<usize, AuthError> {
    let mut e = Encoder::new(buf);
    for it in items {
        e.int(i64::from(it.label))
            .map_err(|_| AuthError::ApiMisuse(ApiMisuse::InvalidEad))?;
        if let Some(v) = it.value {
            e.bstr(v)
                .map_err(|_| AuthError::ApiMisuse(ApiMisuse::InvalidEad))?;
        }
    }
    Ok(e.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn critical_rule_and_padding() {
        let known = EadLabels::new(&[5]).unwrap();
        // padding 0x00, 0x0040, 0x0041e9 (RFC 9528 §3.8.1)
        let pad = [0x00, 0x00, 0x40, 0x00, 0x41, 0xe9];
        let e = Ead::parse(&pad, &known).unwrap();
        assert_eq!(e.items().count(), 0);
        // critical -5 known, non-critical 7 unknown → fine
        let ok = [0x24, 0x41, 0xaa, 0x07];
        let e = Ead::parse(&ok, &known).unwrap();
        let items: Vec<_> = e.items().collect();
        assert_eq!(
            items,
            [
                EadItem {
                    label: -5,
                    value: Some(&[0xaa])
                },
                EadItem {
                    label: 7,
                    value: None
                }
            ]
        );
        // critical -7 unknown
        assert_eq!(
            Ead::parse(&[0x26], &known).unwrap_err(),
            AuthError::PeerMisbehaved(PeerMisbehaved::UnknownCriticalEad)
        );
        // not an int label
        assert!(Ead::parse(&[0x41, 0x00], &known).is_err());
    }

    #[test]
    fn encode_roundtrip() {
        let mut buf = [0u8; MAX_EAD_LEN];
        let items = [
            EadItem {
                label: -22,
                value: Some(&[1, 2, 3]),
            },
            EadItem {
                label: 0,
                value: None,
            },
        ];
        let n = encode_items(&items, &mut buf).unwrap();
        let e = Ead::parse(&buf[..n], &EadLabels::new(&[22]).unwrap()).unwrap();
        assert_eq!(e.items().next(), Some(items[0]));
        let big = [0u8; MAX_EAD_LEN];
        assert!(
            encode_items(
                &[EadItem {
                    label: 1,
                    value: Some(&big)
                }],
                &mut buf
            )
            .is_err()
        );
    }
}
