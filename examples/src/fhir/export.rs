//! Destinations, keyed pseudonyms and the NDJSON sinks.
//!
//! Each purpose of use has its own destination ([`Destination::for_purpose`]): treatment →
//! the EHR, research → a research repository, emergency treatment (break-glass) → the
//! emergency department's system. The `Consent` of each patient goes once to the consent
//! registry. In the demo each destination is one NDJSON file ([`Sinks::files`]).
//!
//! # Research output is pseudonymous
//! The research destination never sees a patient id, device id or anything containing
//! them: its `subject` is `Patient/rp-<p>` and its `device` `Device/rd-<d>` with
//! `p = HMAC-SHA256(K, "patient" ‖ 0x00 ‖ patient id)` and `d = HMAC-SHA256(K, "device" ‖ 0x00
//! ‖ device id)`, truncated to 128 bits (hex). HMAC is HKDF-Extract with `K` as the salt
//! (RFC 5869 §2.2), computed by the gateway's crypto provider. `K` is a secret of the gateway
//! operator per research project: without it, nobody can test a guessed patient id against
//! a pseudonym (as one could with a bare hash of a medical record number), and two projects
//! with different keys cannot link their data. The same patient gets the same pseudonym for
//! the whole project, so longitudinal research works. Resource ids are built from the device
//! pseudonym. Measurement times are kept (a pseudonymous, not anonymous, data set).
//! The demo derives `K` from a public string ([`Exporter::demo_key`]) — a demo shortcut.

use std::collections::{BTreeMap, HashSet};

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use iomt_core::{ConsentTag, Purpose};
use iomt_crypto::CryptoProvider;
use serde_json::Value;

use super::{Subject, consent, hex};

/// Where released resources go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Destination {
    /// The EHR (treatment, `TREAT`).
    Ehr,
    /// The research repository (`HRESCH`; pseudonymous).
    Research,
    /// The emergency department's system (`ETREAT`, usually by break-glass).
    Emergency,
    /// The consent registry (one `Consent` per patient).
    ConsentRegistry,
}

impl Destination {
    /// Every destination.
    pub const ALL: [Self; 4] = [
        Self::Ehr,
        Self::Research,
        Self::Emergency,
        Self::ConsentRegistry,
    ];

    /// Its NDJSON file name in the demo.
    #[must_use]
    pub const fn file_name(self) -> &'static str {
        match self {
            Self::Ehr => "ehr.ndjson",
            Self::Research => "research.ndjson",
            Self::Emergency => "emergency.ndjson",
            Self::ConsentRegistry => "consent.ndjson",
        }
    }

    /// The destination of data released for `purpose` (`None`: the demo has no consumer).
    #[must_use]
    pub const fn for_purpose(purpose: Purpose) -> Option<Self> {
        match purpose {
            Purpose::Treatment => Some(Self::Ehr),
            Purpose::Research => Some(Self::Research),
            Purpose::EmergencyTreatment => Some(Self::Emergency),
            _ => None,
        }
    }

    /// Whether it may only receive pseudonymous data.
    #[must_use]
    pub const fn pseudonymous(self) -> bool {
        matches!(self, Self::Research)
    }

    const fn index(self) -> usize {
        self as usize
    }
}

type Writer = Arc<Mutex<Box<dyn Write + Send>>>;

/// One writer per [`Destination`] (possibly the same writer for several).
pub struct Sinks {
    writers: [Writer; 4],
    dir: Option<PathBuf>,
}

impl core::fmt::Debug for Sinks {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sinks").field("dir", &self.dir).finish()
    }
}

impl Sinks {
    /// One NDJSON file per destination in `dir` (created; files truncated).
    ///
    /// # Errors
    /// The directory or a file cannot be created.
    pub fn files(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let open = |d: Destination| -> Result<Writer, String> {
            let path = dir.join(d.file_name());
            let f = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Arc::new(Mutex::new(Box::new(BufWriter::new(f)))))
        };
        Ok(Self {
            writers: [
                open(Destination::Ehr)?,
                open(Destination::Research)?,
                open(Destination::Emergency)?,
                open(Destination::ConsentRegistry)?,
            ],
            dir: Some(dir.to_path_buf()),
        })
    }

    /// Everything discarded.
    #[must_use]
    pub fn discard() -> Self {
        Self::from(Box::new(std::io::sink()) as Box<dyn Write + Send>)
    }

    /// The directory of [`Self::files`].
    #[must_use]
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }
}

impl From<Box<dyn Write + Send>> for Sinks {
    /// Every destination into one writer (a single-file gateway, e.g. the QEMU demo).
    fn from(w: Box<dyn Write + Send>) -> Self {
        let w: Writer = Arc::new(Mutex::new(w));
        Self {
            writers: [
                Arc::clone(&w),
                Arc::clone(&w),
                Arc::clone(&w),
                Arc::clone(&w),
            ],
            dir: None,
        }
    }
}

impl<W: Write + Send + 'static> From<Box<W>> for Sinks {
    /// Every destination into one writer.
    fn from(w: Box<W>) -> Self {
        Self::from(w as Box<dyn Write + Send>)
    }
}

/// The gateway's FHIR export: sinks, pseudonym key, Consents written, counts.
pub struct Exporter {
    sinks: Sinks,
    pseudonym_key: [u8; 32],
    consents: Mutex<HashSet<String>>,
    counts: Mutex<BTreeMap<(Destination, String), u64>>,
}

impl core::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Exporter")
            .field("sinks", &self.sinks)
            .finish_non_exhaustive()
    }
}

/// `HMAC-SHA256(key, kind ‖ 0x00 ‖ id)` truncated to 128 bits, hex.
#[must_use]
pub fn pseudonym(crypto: &mut impl CryptoProvider, key: &[u8], kind: &str, id: &str) -> String {
    let mut msg = Vec::with_capacity(kind.len() + 1 + id.len());
    msg.extend_from_slice(kind.as_bytes());
    msg.push(0);
    msg.extend_from_slice(id.as_bytes());
    let mac = crypto.hkdf_sha256_extract(key, &msg);
    hex(mac.as_bytes().get(..16).unwrap_or_default())
}

impl Exporter {
    /// An exporter into `sinks`, pseudonymizing research output under `pseudonym_key`.
    #[must_use]
    pub fn new(sinks: Sinks, pseudonym_key: [u8; 32]) -> Self {
        Self {
            sinks,
            pseudonym_key,
            consents: Mutex::new(HashSet::new()),
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    /// The demo's research pseudonym key: SHA-256 of a public string (never in a product).
    #[must_use]
    pub fn demo_key(crypto: &mut impl CryptoProvider) -> [u8; 32] {
        crypto.sha256(b"iomt demo research pseudonym key (public: demo only)")
    }

    /// The sinks.
    #[must_use]
    pub const fn sinks(&self) -> &Sinks {
        &self.sinks
    }

    /// How `device`'s `patient` appears at `dest`.
    #[must_use]
    pub fn subject(
        &self,
        crypto: &mut impl CryptoProvider,
        dest: Destination,
        device: &str,
        patient: &str,
    ) -> Subject {
        if dest.pseudonymous() {
            let p = pseudonym(crypto, &self.pseudonym_key, "patient", patient);
            let d = pseudonym(crypto, &self.pseudonym_key, "device", device);
            Subject {
                patient: format!("Patient/rp-{p}"),
                device: format!("Device/rd-{d}"),
                id_prefix: format!("rd-{d}"),
                pseudonymous: true,
            }
        } else {
            Subject {
                patient: format!("Patient/{patient}"),
                device: format!("Device/{device}"),
                id_prefix: device.to_owned(),
                pseudonymous: false,
            }
        }
    }

    /// The SHA-256 (hex) of `tag`, writing its `Consent` to the consent registry the first
    /// time this digest is seen.
    ///
    /// # Errors
    /// The tag does not encode, a lock is poisoned or the sink fails.
    pub fn consent(
        &self,
        crypto: &mut impl CryptoProvider,
        tag: &ConsentTag,
        patient: &str,
        now_ms: u64,
    ) -> Result<String, String> {
        let (encoded, digest) =
            consent::digest(crypto, tag).ok_or("consent tag does not encode")?;
        let first = self
            .consents
            .lock()
            .map_err(|_| "consent set poisoned".to_owned())?
            .insert(digest.clone());
        if first {
            let c = consent::resource(
                tag,
                &encoded,
                &digest,
                &format!("Patient/{patient}"),
                now_ms,
            );
            self.write(Destination::ConsentRegistry, &[c])?;
        }
        Ok(digest)
    }

    /// Writes `resources` (one NDJSON line each) to `dest`.
    ///
    /// # Errors
    /// A lock is poisoned or the sink fails.
    pub fn write(&self, dest: Destination, resources: &[Value]) -> Result<(), String> {
        if resources.is_empty() {
            return Ok(());
        }
        let writer = self
            .sinks
            .writers
            .get(dest.index())
            .ok_or("no such destination")?;
        {
            let mut w = writer.lock().map_err(|_| "sink poisoned".to_owned())?;
            for r in resources {
                serde_json::to_writer(&mut *w, r).map_err(|e| e.to_string())?;
                w.write_all(b"\n").map_err(|e| e.to_string())?;
            }
        }
        let mut counts = self
            .counts
            .lock()
            .map_err(|_| "counts poisoned".to_owned())?;
        for r in resources {
            let rt = r["resourceType"].as_str().unwrap_or("?").to_owned();
            *counts.entry((dest, rt)).or_default() += 1;
        }
        Ok(())
    }

    /// Flushes every sink.
    ///
    /// # Errors
    /// A lock is poisoned or a sink fails.
    pub fn flush(&self) -> Result<(), String> {
        for w in &self.sinks.writers {
            w.lock()
                .map_err(|_| "sink poisoned".to_owned())?
                .flush()
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Resources written so far, per (destination, resource type).
    #[must_use]
    pub fn counts(&self) -> BTreeMap<(Destination, String), u64> {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::Crypto;
    use iomt_crypto::RustCryptoProvider;
    use iomt_crypto::prelude::*;

    #[test]
    fn pseudonyms_are_keyed_stable_and_not_a_bare_hash() {
        let mut c: Crypto = RustCryptoProvider::with_os_rng();
        let k1 = [1u8; 32];
        let k2 = [2u8; 32];
        let a = pseudonym(&mut c, &k1, "patient", "p-000");
        assert_eq!(a.len(), 32);
        assert_eq!(a, pseudonym(&mut c, &k1, "patient", "p-000"), "stable");
        assert_ne!(a, pseudonym(&mut c, &k2, "patient", "p-000"), "keyed");
        assert_ne!(a, pseudonym(&mut c, &k1, "device", "p-000"), "per kind");
        let bare = hex(&c.sha256(b"patient\0p-000"));
        assert!(!bare.starts_with(&a));
    }

    #[test]
    fn research_subjects_hide_ids() {
        let mut c: Crypto = RustCryptoProvider::with_os_rng();
        let e = Exporter::new(Sinks::discard(), [7; 32]);
        let s = e.subject(&mut c, Destination::Research, "dev-000", "p-000");
        assert!(s.pseudonymous);
        for field in [&s.patient, &s.device, &s.id_prefix] {
            assert!(!field.contains("p-000") && !field.contains("dev-000"));
        }
        let s = e.subject(&mut c, Destination::Ehr, "dev-000", "p-000");
        assert_eq!(
            (s.patient.as_str(), s.device.as_str()),
            ("Patient/p-000", "Device/dev-000")
        );
    }
}
