//! HMAC-SHA-256 (RFC 2104).

use zeroize::Zeroize;

use super::{BLOCK, Sha256, digest};

/// A keyed HMAC-SHA-256 computation: the inner and outer hashes after absorbing the key
/// pads (both zeroized on drop, as [`Sha256`] is). Cloning a fresh one re-uses the keyed
/// state for another message under the same key.
#[derive(Clone)]
pub(crate) struct HmacSha256 {
    inner: Sha256,
    outer: Sha256,
}

impl HmacSha256 {
    /// Keys the MAC; a key longer than a block is hashed first (RFC 2104 §2).
    pub(crate) fn new(key: &[u8]) -> Self {
        if key.len() > BLOCK {
            let mut hashed = digest(key);
            let mac = Self::with_short_key(&hashed);
            hashed.zeroize();
            mac
        } else {
            Self::with_short_key(key)
        }
    }

    /// Keys the MAC with a key of at most one block.
    fn with_short_key(key: &[u8]) -> Self {
        let mut pad = [0x36u8; BLOCK];
        for (p, k) in pad.iter_mut().zip(key) {
            *p ^= k;
        }
        let mut inner = Sha256::default();
        inner.update(&pad);
        // ipad ^ opad = 0x36 ^ 0x5c: turn the inner pad into the outer one in place.
        for p in &mut pad {
            *p ^= 0x36 ^ 0x5c;
        }
        let mut outer = Sha256::default();
        outer.update(&pad);
        pad.zeroize();
        Self { inner, outer }
    }

    /// Absorbs message bytes.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// The tag.
    pub(crate) fn finalize(self) -> [u8; 32] {
        let Self { inner, mut outer } = self;
        let mut inner_hash = inner.finalize();
        outer.update(&inner_hash);
        inner_hash.zeroize();
        outer.finalize()
    }
}

/// HMAC-SHA-256 of the concatenation of `parts` under `key`.
pub(crate) fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::hmac::{KeyInit as _, Mac as _};
    use proptest::prelude::*;

    type Reference = ::hmac::Hmac<sha2::Sha256>;

    #[test]
    fn rfc_4231_case_2() {
        let tag = hmac(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn equals_the_hmac_crate_for_any_key_length(
            key in proptest::collection::vec(any::<u8>(), 0..150),
            msg in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let mut reference = Reference::new_from_slice(&key).unwrap();
            reference.update(&msg);
            let want = reference.finalize().into_bytes();
            prop_assert_eq!(&hmac(&key, &[&msg])[..], &want[..]);
        }
    }
}
