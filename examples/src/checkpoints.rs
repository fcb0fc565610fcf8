//! The gateway's audit checkpoints, persisted across restarts.
//!
//! A gateway verifies a device's audit export against the last export it verified from
//! that device ([`iomt_auth::audit::Checkpoint`]): erased newest records, a rewritten
//! chain and lost records are refused. That promise only holds if the checkpoint survives
//! a gateway restart, so [`CheckpointBook`] keeps them in a small text file:
//!
//! ```text
//! # iomt audit checkpoints v1
//! <device id, 16 hex digits> <next sequence number, decimal> <head, 64 hex digits>
//! ```
//!
//! one line per device, sorted by device id. The file is rewritten whole (to a temporary
//! file, then renamed over the old one) after every verified export, before the export is
//! acknowledged. Loading is strict: a malformed line or a device listed twice is an error,
//! never a silently forgotten checkpoint (forgetting one would accept a truncated log).

use core::fmt::Write as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iomt_auth::audit::{
    AuditError, CHALLENGE_LEN, Checkpoint, ExportChunk, ExportVerifier, Subject, VerifiedExport,
};
use iomt_crypto::{CryptoProvider, PublicKey};

const HEADER: &str = "# iomt audit checkpoints v1";

/// Why an export was refused or the book could not be read or written.
#[derive(Debug)]
pub enum BookError {
    /// The export did not verify (against the stored checkpoint, if any).
    Audit(AuditError),
    /// The checkpoint file is malformed (line number, 1-based).
    Malformed(usize),
    /// Reading or writing the file failed.
    Io(std::io::Error),
}

impl core::fmt::Display for BookError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Audit(e) => write!(f, "audit export refused: {e}"),
            Self::Malformed(line) => write!(f, "checkpoint file malformed at line {line}"),
            Self::Io(e) => write!(f, "checkpoint file: {e}"),
        }
    }
}

impl core::error::Error for BookError {}

impl From<AuditError> for BookError {
    fn from(e: AuditError) -> Self {
        Self::Audit(e)
    }
}

/// The last verified checkpoint of every device, optionally backed by a file.
#[derive(Debug, Default)]
pub struct CheckpointBook {
    path: Option<PathBuf>,
    map: BTreeMap<Subject, Checkpoint>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N
        || !s
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn parse_line(line: &str) -> Option<Checkpoint> {
    let mut it = line.split(' ');
    let device = unhex::<8>(it.next()?)?;
    let seq = it.next()?;
    if seq.is_empty() || (seq.len() > 1 && seq.starts_with('0')) {
        return None; // one spelling per number
    }
    let next_seq = seq.parse::<u32>().ok()?;
    let head = unhex::<32>(it.next()?)?;
    it.next().is_none().then_some(Checkpoint {
        device,
        next_seq,
        head,
    })
}

impl CheckpointBook {
    /// An empty book kept in memory only.
    #[must_use]
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// Opens the book at `path` (empty if the file does not exist yet).
    ///
    /// # Errors
    /// [`BookError::Io`], [`BookError::Malformed`] (bad header or line, duplicate device,
    /// lines out of order).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, BookError> {
        let path = path.as_ref().to_path_buf();
        let mut book = Self {
            path: Some(path.clone()),
            map: BTreeMap::new(),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(book),
            Err(e) => return Err(BookError::Io(e)),
        };
        let mut lines = text.lines().enumerate();
        if lines.next().map(|(_, l)| l) != Some(HEADER) {
            return Err(BookError::Malformed(1));
        }
        let mut last: Option<Subject> = None;
        for (i, line) in lines {
            let cp = parse_line(line).ok_or(BookError::Malformed(i + 1))?;
            if last.is_some_and(|d| d >= cp.device) {
                return Err(BookError::Malformed(i + 1));
            }
            last = Some(cp.device);
            book.map.insert(cp.device, cp);
        }
        if !text.is_empty() && !text.ends_with('\n') {
            return Err(BookError::Malformed(text.lines().count()));
        }
        Ok(book)
    }

    /// The last verified checkpoint of `device`.
    #[must_use]
    pub fn get(&self, device: &Subject) -> Option<&Checkpoint> {
        self.map.get(device)
    }

    /// Number of devices with a checkpoint.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no device has a checkpoint yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn render(&self) -> String {
        let mut s = format!("{HEADER}\n");
        for cp in self.map.values() {
            let _ = writeln!(s, "{} {} {}", hex(&cp.device), cp.next_seq, hex(&cp.head));
        }
        s
    }

    fn save(&self) -> Result<(), BookError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, self.render()).map_err(BookError::Io)?;
        std::fs::rename(&tmp, path).map_err(BookError::Io)
    }

    /// Verifies one export of `device` (signed summary, then record chunks in order)
    /// against its stored checkpoint and the `challenge` this gateway sent; on success
    /// stores and persists the new checkpoint before returning.
    ///
    /// # Errors
    /// [`BookError::Audit`] (any verification failure, including
    /// `CheckpointRegression`, `CheckpointFork`, `CheckpointGap`, `RingInconsistent`):
    /// the stored checkpoint is unchanged. [`BookError::Io`] if it could not be
    /// persisted (then the export must not be acknowledged).
    pub fn verify_export<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        device: Subject,
        device_key: &PublicKey,
        challenge: &[u8; CHALLENGE_LEN],
        summary: &[u8],
        chunks: &[&[u8]],
    ) -> Result<VerifiedExport, BookError> {
        let ExportChunk::Summary(s) = ExportChunk::decode(summary)? else {
            return Err(AuditError::Malformed.into());
        };
        let last = self.map.get(&device);
        let mut v = ExportVerifier::new(crypto, &s, device_key, Some(device), last, challenge)?;
        for c in chunks {
            let ExportChunk::Records(r) = ExportChunk::decode(c)? else {
                return Err(AuditError::Malformed.into());
            };
            v.feed(crypto, &r)?;
        }
        let done = v.finish()?;
        let previous = self.map.insert(device, done.checkpoint());
        if let Err(e) = self.save() {
            // keep memory and file in step: the new checkpoint is not in force
            match previous {
                Some(p) => self.map.insert(device, p),
                None => self.map.remove(&device),
            };
            return Err(e);
        }
        Ok(done)
    }
}

#[cfg(test)]
#[path = "checkpoints_tests.rs"]
mod tests;
