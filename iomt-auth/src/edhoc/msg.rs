//! Wire encodings of message_1, the single-bstr messages 2–4, and error messages.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::copy_prefix;

use crate::cbor::{CborError, Decoder, Encoder, Major};
use crate::error::{AuthError, PeerMisbehaved};

use super::{ConnId, SuiteList};

const fn invalid() -> AuthError {
    AuthError::PeerMisbehaved(PeerMisbehaved::InvalidMessage)
}

/// Maps "wrong type / trailing" CBOR errors to `InvalidMessage`, keeps real encoding errors.
fn structure(e: CborError) -> AuthError {
    match e {
        CborError::UnexpectedType | CborError::TrailingBytes => invalid(),
        other => other.into(),
    }
}

/// Sentinel for a suite number outside 0..=255 (never supported).
const SUITE_OUT_OF_RANGE: u8 = 0xff;

fn suite_id(v: i64) -> u8 {
    u8::try_from(v).unwrap_or(SUITE_OUT_OF_RANGE)
}

/// A decoded message_1 (fields borrow the message).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Message1<'a> {
    pub(crate) method: i64,
    pub(crate) suites_i: SuiteList,
    pub(crate) g_x: &'a [u8],
    pub(crate) c_i: ConnId,
    pub(crate) ead: &'a [u8],
}

/// Decodes `suites = [2* int] / int`.
fn decode_suites(d: &mut Decoder<'_>) -> Result<SuiteList, AuthError> {
    let mut list = SuiteList::default();
    match d.peek_major()? {
        Major::Uint | Major::Nint => {
            let v = d.int()?;
            list.push(suite_id(v)).map_err(|()| invalid())?;
        }
        Major::Array => {
            let n = d.array()?;
            // a one-element array is a surplus encoding of the int form (RFC 9529 §4)
            if n < 2 {
                return Err(invalid());
            }
            if n > SuiteList::CAPACITY {
                return Err(PeerMisbehaved::TooLarge.into());
            }
            for _ in 0..n {
                let v = d.int().map_err(structure)?;
                list.push(suite_id(v)).map_err(|()| invalid())?;
            }
        }
        _ => return Err(invalid()),
    }
    Ok(list)
}

/// Encodes `suites`.
fn encode_suites(e: &mut Encoder<'_>, ids: &[u8]) -> Result<(), AuthError> {
    match ids {
        [one] => e.uint(u64::from(*one))?,
        many => {
            e.array(many.len())?;
            for s in many {
                e.uint(u64::from(*s))?;
            }
        }
    }
    Ok(())
}

/// Decodes a connection identifier.
pub(crate) fn decode_conn_id(d: &mut Decoder<'_>) -> Result<ConnId, AuthError> {
    let v = d
        .bstr_identifier()
        .map_err(|_| AuthError::PeerMisbehaved(PeerMisbehaved::InvalidConnectionId))?;
    ConnId::from_peer(v)
}

pub(crate) fn decode_message_1(msg: &[u8]) -> Result<Message1<'_>, AuthError> {
    let mut d = Decoder::new(msg);
    let method = d.int().map_err(structure)?;
    let suites_i = decode_suites(&mut d)?;
    let g_x = d.bstr().map_err(structure)?;
    let c_i = decode_conn_id(&mut d)?;
    let ead = d.rest();
    Ok(Message1 {
        method,
        suites_i,
        g_x,
        c_i,
        ead,
    })
}

pub(crate) fn encode_message_1(
    out: &mut [u8],
    method: u8,
    suites_i: &[u8],
    g_x: &[u8],
    c_i: &ConnId,
    ead: &[u8],
) -> Result<usize, AuthError> {
    let mut e = Encoder::new(out);
    e.uint(u64::from(method))?;
    encode_suites(&mut e, suites_i)?;
    e.bstr(g_x)?;
    e.bstr_identifier(c_i.as_bytes())?;
    e.raw(ead)?;
    Ok(e.len())
}

/// If `msg` starts with an integer it is an error message (messages 2–4 are a single
/// bstr): a well-formed one gives [`AuthError::PeerError`] with its ERR_CODE, or
/// [`AuthError::PeerRefused`] for an ERR_CODE 1 whose text is an iomt refusal; a malformed
/// one or ERR_CODE 0 gives [`PeerMisbehaved::UnexpectedErrorMessage`]. Neither is ever
/// answered with an error message (RFC 9528 §6, §6.1).
pub(crate) fn reject_error_message(msg: &[u8]) -> Result<(), AuthError> {
    let d = Decoder::new(msg);
    match d.peek_major() {
        Ok(Major::Uint | Major::Nint) => match ErrorMessage::parse(msg) {
            Ok(ErrorMessage {
                code: 1,
                diagnostic: Some(text),
                ..
            }) if let Some(r) = super::Refusal::from_diagnostic(text) => {
                Err(AuthError::PeerRefused(r))
            }
            Ok(e) => Err(AuthError::PeerError { code: e.code }),
            Err(_) => Err(PeerMisbehaved::UnexpectedErrorMessage.into()),
        },
        _ => Ok(()),
    }
}

/// Decodes a message that is a single bstr (message_2, 3, 4) and returns the content range.
pub(crate) fn single_bstr_range(msg: &[u8]) -> Result<core::ops::Range<usize>, AuthError> {
    reject_error_message(msg)?;
    let mut d = Decoder::new(msg);
    let content = d.bstr().map_err(structure)?;
    d.finish().map_err(|_| invalid())?;
    let end = msg.len();
    let start = end.checked_sub(content.len()).ok_or_else(invalid)?;
    Ok(start..end)
}

/// Wipes the content of a single-bstr message (message_2, 3, 4) that may have been
/// decrypted in place; does nothing if `msg` is not a single bstr (e.g. an error message).
pub(crate) fn wipe_bstr_content(msg: &mut [u8]) {
    if let Ok(range) = single_bstr_range(msg)
        && let Some(content) = msg.get_mut(range)
    {
        zeroize::Zeroize::zeroize(content);
    }
}

/// Writes `bstr(content)` where `content` was already written at `out[reserved..reserved+len]`
/// with `reserved` = 3 bytes of head room; moves it into place. Returns the message length.
pub(crate) fn wrap_bstr_in_place(
    out: &mut [u8],
    reserved: usize,
    len: usize,
) -> Result<usize, AuthError> {
    let mut head = [0u8; 9];
    let hl = {
        let mut e = Encoder::new(&mut head);
        e.bstr_header(len)?;
        e.len()
    };
    if hl > reserved {
        return Err(PeerMisbehaved::TooLarge.into());
    }
    let end = reserved.checked_add(len).ok_or(PeerMisbehaved::TooLarge)?;
    if end > out.len() {
        return Err(AuthError::BufferTooSmall { needed: end });
    }
    // A forward byte loop, not `copy_within`: the destination starts before the source
    // (hl <= reserved), so copying upwards is correct, and it keeps `memmove` (1.5 KiB of
    // compiler-builtins on Cortex-M, this being its only caller) out of device images.
    for (dst, src) in (hl..).zip(reserved..end) {
        let byte = out
            .get(src)
            .copied()
            .ok_or(AuthError::BufferTooSmall { needed: end })?;
        let slot = out
            .get_mut(dst)
            .ok_or(AuthError::BufferTooSmall { needed: end })?;
        *slot = byte;
    }
    if !copy_prefix(out, head.get(..hl).unwrap_or(&[])) {
        return Err(AuthError::BufferTooSmall { needed: hl });
    }
    hl.checked_add(len).ok_or(PeerMisbehaved::TooLarge.into())
}

/// Head room reserved before a message body built in place (bstr head up to 65535 bytes).
pub(crate) const HEAD_ROOM: usize = 3;

/// A parsed EDHOC error message (RFC 9528 §6).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ErrorMessage<'a> {
    /// ERR_CODE.
    pub code: i32,
    /// SUITES_R for ERR_CODE 2.
    pub suites_r: Option<SuiteList>,
    /// The diagnostic text for ERR_CODE 1.
    pub diagnostic: Option<&'a str>,
}

impl<'a> ErrorMessage<'a> {
    /// Parses an error message strictly.
    ///
    /// ```
    /// use iomt_auth::edhoc::ErrorMessage;
    /// let e = ErrorMessage::parse(&[0x02, 0x02])?; // RFC 9529 §3 error
    /// assert_eq!(e.code, 2);
    /// assert_eq!(e.suites_r.unwrap().as_slice(), &[2]);
    /// # Ok::<(), iomt_auth::AuthError>(())
    /// ```
    ///
    /// # Errors
    /// [`AuthError::PeerMisbehaved`] if it is not a well-formed error message (ERR_CODE 0
    /// is rejected, RFC 9528 §6.1; ERR_INFO must match the code for 1, 2 and 3).
    pub fn parse(msg: &'a [u8]) -> Result<Self, AuthError> {
        let mut d = Decoder::new(msg);
        let code = d.int().map_err(structure)?;
        let code = i32::try_from(code).map_err(|_| invalid())?;
        let mut out = Self {
            code,
            suites_r: None,
            diagnostic: None,
        };
        match code {
            0 => return Err(invalid()),
            1 => out.diagnostic = Some(d.tstr().map_err(structure)?),
            2 => out.suites_r = Some(decode_suites(&mut d)?),
            3 => {
                if !d.bool().map_err(structure)? {
                    return Err(invalid());
                }
            }
            _ => {
                d.skip_item()?;
            }
        }
        d.finish().map_err(|_| invalid())?;
        Ok(out)
    }
}

/// ERR_INFO of an outgoing error message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ErrInfo<'a> {
    /// ERR_CODE 1: a diagnostic text.
    Text(&'a str),
    /// ERR_CODE 2: SUITES_R.
    Suites(&'a [u8]),
    /// ERR_CODE 3: `true`.
    True,
}

/// Writes an EDHOC error message `(ERR_CODE, ERR_INFO)` into `out`.
///
/// ```
/// use iomt_auth::edhoc::{ErrInfo, write_error_message};
/// let mut out = [0u8; 8];
/// let n = write_error_message(2, ErrInfo::Suites(&[2]), &mut out)?;
/// assert_eq!(&out[..n], &[0x02, 0x02]);
/// # Ok::<(), iomt_auth::AuthError>(())
/// ```
///
/// # Errors
/// [`AuthError::BufferTooSmall`].
pub fn write_error_message(
    code: i32,
    info: ErrInfo<'_>,
    out: &mut [u8],
) -> Result<usize, AuthError> {
    let mut e = Encoder::new(out);
    e.int(i64::from(code))?;
    match info {
        ErrInfo::Text(t) => e.tstr(t)?,
        ErrInfo::Suites(s) => encode_suites(&mut e, s)?,
        ErrInfo::True => e.bool(true)?,
    }
    Ok(e.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_roundtrip() {
        let mut out = [0u8; 32];
        let n = write_error_message(1, ErrInfo::Text("Method not supported"), &mut out).unwrap();
        let e = ErrorMessage::parse(&out[..n]).unwrap();
        assert_eq!(e.diagnostic, Some("Method not supported"));
        let n = write_error_message(3, ErrInfo::True, &mut out).unwrap();
        assert_eq!(&out[..n], &[0x03, 0xf5]);
        assert_eq!(ErrorMessage::parse(&out[..n]).unwrap().code, 3);
        let n = write_error_message(2, ErrInfo::Suites(&[2, 5]), &mut out).unwrap();
        assert_eq!(&out[..n], &[0x02, 0x82, 0x02, 0x05]);
        // ERR_CODE 0 and malformed infos are rejected
        assert!(ErrorMessage::parse(&[0x00, 0xf5]).is_err());
        assert!(ErrorMessage::parse(&[0x01, 0x40]).is_err());
        assert!(ErrorMessage::parse(&[0x03, 0xf4]).is_err());
        assert!(ErrorMessage::parse(&[0x02, 0x81, 0x02]).is_err());
        assert!(ErrorMessage::parse(&[0x02, 0x02, 0x00]).is_err());
    }

    #[test]
    fn wrap_in_place_moves_body() {
        let mut out = [0u8; 40];
        out[3..8].copy_from_slice(&[1, 2, 3, 4, 5]);
        let n = wrap_bstr_in_place(&mut out, 3, 5).unwrap();
        assert_eq!(&out[..n], &[0x45, 1, 2, 3, 4, 5]);
        let mut big = [7u8; 300];
        let n = wrap_bstr_in_place(&mut big, 3, 280).unwrap();
        assert_eq!(&big[..3], &[0x59, 0x01, 0x18]);
        assert_eq!(n, 283);
    }
}
