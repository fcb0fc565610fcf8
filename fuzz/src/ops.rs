//! A byte-code reader for the operation-sequence targets (`datagram`, `gateway_table`,
//! `ffi_session`): each input is a sequence of one-byte opcodes followed by their
//! arguments, read with [`Ops`]. Running out of bytes reads zeros, so every input decodes.
//! [`OpsWriter`] is the inverse the seed writers use, so committed seeds are real programs.

/// Reads opcodes and arguments from fuzzer bytes (zeros once exhausted).
#[derive(Debug)]
pub struct Ops<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Ops<'a> {
    /// A reader over `data`.
    #[must_use]
    pub const fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Whether every byte was consumed.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// One byte (0 once exhausted).
    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// A big-endian `u16`.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// Every byte not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        self.pos = self.data.len();
        &self.data[start..]
    }

    /// A bool (low bit of one byte).
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// A byte string: a big-endian `u16` length (capped at `max`), then that many bytes
    /// (fewer if the input ends).
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let n = usize::from(self.u16()).min(max);
        let start = self.pos.min(self.data.len());
        let end = (start + n).min(self.data.len());
        self.pos = start + n;
        &self.data[start..end]
    }
}

/// Writes programs for [`Ops`] (seed writers).
#[derive(Debug, Default)]
pub struct OpsWriter(pub Vec<u8>);

impl OpsWriter {
    /// One byte.
    pub fn u8(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }

    /// A big-endian `u16`.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A length-prefixed byte string (as [`Ops::bytes`] reads it).
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u16(u16::try_from(b.len()).expect("seed byte string too long"));
        self.0.extend_from_slice(b);
        self
    }
}

/// Whether `secret` (e.g. a frame sealed during the run) equals `input` (fuzzer-controlled
/// bytes), compared so that libFuzzer cannot learn `secret`: a plain `==` is a `memcmp`
/// that libFuzzer intercepts (even when both sides are equal) and mines for dictionary
/// entries, after which it injects frames sealed in earlier runs (same keys) into runs
/// that never sealed them, where they open as "forgeries". Only two independent 64-bit
/// fingerprints and the lengths are compared (a false match has probability ~2^-128).
#[must_use]
pub fn same_frame(secret: &[u8], input: &[u8]) -> bool {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let fingerprints = |b: &[u8]| {
        let mut h1 = DefaultHasher::new();
        b.hash(&mut h1);
        let mut h2 = DefaultHasher::new();
        0x5EED_u16.hash(&mut h2);
        b.hash(&mut h2);
        (h1.finish(), h2.finish())
    };
    secret.len() == input.len() && fingerprints(secret) == fingerprints(input)
}

/// Writes `data` as `dir/name` (seed writers), creating `dir`.
pub fn write_seed(dir: &str, name: &str, data: &[u8]) {
    std::fs::create_dir_all(dir).expect("create the seed directory");
    std::fs::write(std::path::Path::new(dir).join(name), data).expect("write a seed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_and_reader_agree() {
        let mut w = OpsWriter::default();
        w.u8(7).u16(0x1234).bytes(b"abc").u8(1);
        let mut r = Ops::new(&w.0);
        assert_eq!(r.u8(), 7);
        assert_eq!(r.u16(), 0x1234);
        assert_eq!(r.bytes(100), b"abc");
        assert!(r.bool());
        assert!(r.is_empty());
        assert_eq!(r.u8(), 0);
        assert_eq!(r.bytes(100), b"");
    }

    #[test]
    fn same_frame_is_equality() {
        assert!(same_frame(b"abc", b"abc"));
        assert!(same_frame(b"", b""));
        assert!(!same_frame(b"abc", b"abd"));
        assert!(!same_frame(b"abc", b"ab"));
    }

    #[test]
    fn byte_strings_are_capped_and_truncated() {
        let data = [0x00, 0x05, 1, 2, 3, 4, 5, 0xFF, 0xFF, 9];
        let mut r = Ops::new(&data);
        assert_eq!(r.bytes(3), &[1, 2, 3]);
        // The cap shortens the string; the next read continues after the capped part.
        assert_eq!(r.u8(), 4);
        let mut r = Ops::new(&data[7..]);
        assert_eq!(r.bytes(1000), &[9]);
        assert!(r.is_empty());
        let mut r = Ops::new(&data);
        r.u16();
        assert_eq!(r.rest(), &data[2..]);
        assert_eq!(r.rest(), b"");
    }
}
