//! RFC 6979 §3.2 deterministic ECDSA nonces for P-256 with SHA-256, on the crate's HMAC
//! (both backends' signing: the software ECDSA and the P256-Cortex-M4 one).
//!
//! qlen = hlen = 256 bits, so each candidate is one HMAC output, `bits2int` is the
//! identity and `int2octets` of the key is its 32 big-endian bytes.

use zeroize::Zeroize;

use crate::sha256::hmac;

/// The order n of the P-256 group, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// How many candidates [`Rfc6979::next_k`] draws before giving up (each is out of range
/// with probability below 2⁻³²).
const MAX_CANDIDATES: usize = 8;

/// The HMAC-DRBG of RFC 6979 §3.2, steps b–h; `K` and `V` are zeroized on drop.
pub(crate) struct Rfc6979 {
    k: [u8; 32],
    v: [u8; 32],
    /// Whether a candidate was handed out (the next one first re-keys, step h.3).
    started: bool,
}

impl Drop for Rfc6979 {
    fn drop(&mut self) {
        self.k.zeroize();
        self.v.zeroize();
    }
}

impl Rfc6979 {
    /// Seeds the generator (steps b–g) with the private key `x` (32 bytes big-endian) and
    /// the message digest `h1` (reduced modulo n here: `bits2octets`).
    pub(crate) fn new(x: &[u8; 32], h1: &[u8; 32]) -> Self {
        let (mut h1_mod_n, _) = sub_order_if_not_below(h1);
        let mut k = [0u8; 32];
        let mut v = [1u8; 32];
        for separator in [0x00u8, 0x01] {
            let next_k = hmac(&k, &[&v, &[separator], x, &h1_mod_n]);
            k = next_k;
            v = hmac(&k, &[&v]);
        }
        h1_mod_n.zeroize();
        Self {
            k,
            v,
            started: false,
        }
    }

    /// The next nonce `k` in `[1, n)`, big-endian (step h, candidates out of range
    /// skipped). A caller whose `k` gives `r = 0` or `s = 0` asks again (§3.4).
    /// `None` after [`MAX_CANDIDATES`] out-of-range candidates in a row (probability
    /// below 2⁻²⁵⁶).
    pub(crate) fn next_k(&mut self) -> Option<[u8; 32]> {
        for _ in 0..MAX_CANDIDATES {
            let mut candidate = self.next_candidate();
            let (_, below_n) = sub_order_if_not_below(&candidate);
            let is_zero = candidate.iter().fold(0u8, |acc, b| acc | b) == 0;
            if below_n && !is_zero {
                return Some(candidate);
            }
            candidate.zeroize();
        }
        None
    }

    /// Step h.1–h.3: the next raw candidate.
    fn next_candidate(&mut self) -> [u8; 32] {
        if self.started {
            let next_k = hmac(&self.k, &[&self.v, &[0x00]]);
            self.k = next_k;
            self.v = hmac(&self.k, &[&self.v]);
        }
        self.started = true;
        self.v = hmac(&self.k, &[&self.v]);
        self.v
    }
}

/// `(a mod n, a < n)` for a 256-bit big-endian `a` (below 2n, so one subtraction
/// suffices). Runs the same instructions whatever `a` is.
fn sub_order_if_not_below(a: &[u8; 32]) -> ([u8; 32], bool) {
    let mut diff = [0u8; 32];
    let mut borrow = 0u8;
    for ((d, x), n) in diff.iter_mut().zip(a).zip(&ORDER).rev() {
        let [low, high] = u16::from(*x)
            .wrapping_sub(u16::from(*n))
            .wrapping_sub(u16::from(borrow))
            .to_le_bytes();
        *d = low;
        borrow = high & 1;
    }
    // borrow = 1 exactly when a < n: keep a, else a − n.
    let keep = 0u8.wrapping_sub(borrow);
    let mut out = [0u8; 32];
    for ((o, x), d) in out.iter_mut().zip(a).zip(&diff) {
        *o = (x & keep) | (d & !keep);
    }
    diff.zeroize();
    (out, borrow == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6979_a_2_5_sha256_nonces() {
        // RFC 6979 A.2.5: P-256, key x, SHA-256, messages "sample" and "test".
        let x: [u8; 32] =
            hex::decode("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
                .unwrap()
                .try_into()
                .unwrap();
        for (message, k) in [
            (
                &b"sample"[..],
                "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60",
            ),
            (
                &b"test"[..],
                "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0",
            ),
        ] {
            let h1 = crate::sha256::digest(message);
            let mut nonces = Rfc6979::new(&x, &h1);
            assert_eq!(hex::encode_upper(nonces.next_k().unwrap()), k);
        }
    }

    #[test]
    fn reduction_modulo_n() {
        let (r, below) = sub_order_if_not_below(&ORDER);
        assert_eq!((r, below), ([0; 32], false));
        let mut just_below = ORDER;
        just_below[31] -= 1;
        assert_eq!(sub_order_if_not_below(&just_below), (just_below, true));
        let (r, below) = sub_order_if_not_below(&[0xff; 32]);
        assert!(!below);
        // 2^256 − 1 − n
        assert_eq!(
            hex::encode(r),
            "00000000ffffffff00000000000000004319055258e8617b0c46353d039cdaae"
        );
    }
}
