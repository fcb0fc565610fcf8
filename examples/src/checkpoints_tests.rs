//! The book across a gateway restart: a truncated device log is still refused.

use iomt_auth::audit::{
    AuditEvent, AuditLog, AuditMeta, AuditStore, Detail, ENTRY_LEN, Outcome, RECORD_LEN,
    RamAuditStore, SUMMARY_LEN,
};
use iomt_core::Timestamp;
use iomt_crypto::prelude::*;
use iomt_crypto::{RustCryptoProvider, StaticKey};

use crate::gateway::Crypto;

use super::*;

const DEV: Subject = [0xab; 8];
const CH: [u8; CHALLENGE_LEN] = [7; CHALLENGE_LEN];

struct Device {
    c: Crypto,
    key: StaticKey,
    pk: PublicKey,
    log: Option<AuditLog<RamAuditStore<16>>>,
}

impl Device {
    fn new() -> Self {
        let mut c: Crypto = RustCryptoProvider::with_os_rng();
        let key = c.p256_import_key(&[0x44; 32]).unwrap();
        let pk = c.p256_public_key(&key).unwrap();
        let log = AuditLog::open(&mut c, RamAuditStore::<16>::new(), DEV).unwrap();
        Self {
            c,
            key,
            pk,
            log: Some(log),
        }
    }

    fn append(&mut self, n: u32) {
        let log = self.log.as_mut().unwrap();
        for i in 0..n {
            log.append(
                &mut self.c,
                Timestamp::from_secs(1_800_000_000),
                AuditEvent::KeyUpdate,
                Outcome::Success,
                DEV,
                Detail::from_u32s(i, 0),
            )
            .unwrap();
        }
    }

    /// The export (summary, chunks) the gateway receives.
    fn export(&mut self) -> (Vec<u8>, Vec<Vec<u8>>) {
        let log = self.log.as_mut().unwrap();
        let mut s = vec![0u8; SUMMARY_LEN];
        log.export_summary(&mut self.c, &self.key, &CH, Timestamp::from_secs(1), &mut s)
            .unwrap();
        let (mut seq, end) = (log.first_seq(), log.meta().next_seq);
        let mut chunks = Vec::new();
        while seq < end {
            let mut buf = vec![0u8; 4096];
            let (n, next) = log.export_records(seq, end, 8, &mut buf).unwrap();
            buf.truncate(n);
            chunks.push(buf);
            seq = next;
        }
        (s, chunks)
    }

    /// Flash attack: erase the newest `k` entries and rewrite the metadata.
    fn truncate(&mut self, k: u32) {
        let log = self.log.take().unwrap();
        let m = *log.meta();
        let mut store = log.into_store();
        let next = m.next_seq - k;
        let mut e = [0u8; ENTRY_LEN];
        store.read_slot(next % 16, &mut e).unwrap();
        for s in next..m.next_seq {
            store.write_slot(s % 16, &[0xff; ENTRY_LEN]).unwrap();
        }
        store
            .store_meta(&AuditMeta {
                next_seq: next,
                count: m.count - k,
                head: e[RECORD_LEN..].try_into().unwrap(),
                ..m
            })
            .unwrap();
        self.log = Some(AuditLog::open(&mut self.c, store, DEV).unwrap());
    }
}

fn verify(book: &mut CheckpointBook, d: &mut Device) -> Result<VerifiedExport, BookError> {
    let (s, chunks) = d.export();
    let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
    let pk = d.pk;
    book.verify_export(&mut d.c, DEV, &pk, &CH, &s, &refs)
}

fn temp_path(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("iomt-{}-{name}.checkpoints", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn checkpoints_survive_a_gateway_restart() {
    let path = temp_path("restart");
    let mut d = Device::new();
    d.append(10);
    {
        let mut book = CheckpointBook::open(&path).unwrap();
        assert!(book.is_empty());
        verify(&mut book, &mut d).unwrap();
        assert_eq!(book.get(&DEV).unwrap().next_seq, 10);
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert!(line.starts_with("abababababababab 10 "), "{line}");
    assert_eq!(line.len(), 16 + 1 + 2 + 1 + 64);

    // the gateway restarts; meanwhile the device's newest records are erased
    d.truncate(3);
    let mut book = CheckpointBook::open(&path).unwrap();
    assert_eq!(book.len(), 1);
    assert!(matches!(
        verify(&mut book, &mut d),
        Err(BookError::Audit(AuditError::CheckpointRegression {
            checkpoint: 10,
            export: 7
        }))
    ));
    // new records re-use the erased sequence numbers: a fork, still refused
    d.append(4);
    assert!(matches!(
        verify(&mut book, &mut d),
        Err(BookError::Audit(AuditError::CheckpointFork { seq: 10 }))
    ));
    // refusals leave the stored checkpoint as it was
    assert_eq!(book.get(&DEV).unwrap().next_seq, 10);
    drop(book);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn honest_exports_advance_the_persisted_checkpoint() {
    let path = temp_path("advance");
    let mut d = Device::new();
    d.append(3);
    let mut book = CheckpointBook::open(&path).unwrap();
    verify(&mut book, &mut d).unwrap();
    d.append(5);
    verify(&mut book, &mut d).unwrap();
    let reopened = CheckpointBook::open(&path).unwrap();
    assert_eq!(reopened.get(&DEV), book.get(&DEV));
    assert_eq!(reopened.get(&DEV).unwrap().next_seq, 8);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn malformed_files_are_refused_not_forgotten() {
    let path = temp_path("malformed");
    let good = format!("{HEADER}\nabababababababab 10 {}\n", "11".repeat(32));
    std::fs::write(&path, &good).unwrap();
    assert_eq!(CheckpointBook::open(&path).unwrap().len(), 1);
    for bad in [
        String::new() + "not a header\n",
        good.replace(" 10 ", " 010 "),
        good.replace(" 10 ", " 1x "),
        good.replace("abab", "ABAB"),
        good.replace("\n", " extra\n"),
        good.trim_end().to_owned(),
        format!("{good}abababababababab 11 {}\n", "22".repeat(32)),
        format!("{good}0000000000000000 11 {}\n", "22".repeat(32)),
    ] {
        std::fs::write(&path, &bad).unwrap();
        assert!(
            matches!(CheckpointBook::open(&path), Err(BookError::Malformed(_))),
            "{bad:?}"
        );
    }
    let _ = std::fs::remove_file(&path);
}
