//! Audit truncation, forks and hidden records through the C API: the gateway passes its
//! last checkpoint (`iomt_audit_export_info.checkpoint`) to the next verifier.

use super::aaa::{DEVICE_ID, Flash, append, flash, open_log};
use super::audit_export::{Export, export, public_key, verify_export_from};
use super::*;

const CH: [u8; 16] = [0x3c; 16];

type Cp = [u8; IOMT_AUDIT_CHECKPOINT_LEN];

fn run(c: &mut Crypto, f: &mut Flash, dev: &Side, last: Option<&Cp>) -> Result<Cp, iomt_result> {
    let mut log = open_log(c, f);
    let e: Export = export(c, &mut log, &dev.cred, &CH);
    let pk = public_key(&dev.cred);
    verify_export_from(c, &e, &pk, Some(&DEVICE_ID), last, &CH).map(|i| i.checkpoint)
}

fn fill(c: &mut Crypto, f: &mut Flash, n: u8, tag: u8) {
    let mut log = open_log(c, f);
    for i in 0..n {
        assert_eq!(append(c, &mut log, 9, &[tag, i]), iomt_result::Ok);
    }
}

/// Erases the newest `k` entries and rewrites the metadata to end before them.
fn truncate(f: &mut Flash, k: u32) {
    let mut m = f.meta.unwrap();
    let cap = u32::try_from(f.slots.len()).unwrap();
    let new_next = m.next_seq - k;
    let head: [u8; 32] = f.slots[(new_next % cap) as usize][IOMT_AUDIT_RECORD_LEN..]
        .try_into()
        .unwrap();
    for s in new_next..m.next_seq {
        f.slots[(s % cap) as usize] = [0xff; IOMT_AUDIT_ENTRY_LEN];
    }
    m.next_seq = new_next;
    m.count -= k;
    m.head = head;
    f.meta = Some(m);
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_checkpoint_refuses_truncation_and_forks() {
    let mut c = Crypto::new(21);
    let dev = device();
    let mut f = flash(16);
    fill(&mut c, &mut f, 10, 1);
    let cp = run(&mut c, &mut f, &dev, None).unwrap();
    assert_eq!(cp[..8], DEVICE_ID);
    assert_eq!(cp[8..12], 10u32.to_be_bytes());
    // an honest continuation verifies and moves the checkpoint
    fill(&mut c, &mut f, 2, 2);
    let cp = run(&mut c, &mut f, &dev, Some(&cp)).unwrap();
    assert_eq!(cp[8..12], 12u32.to_be_bytes());

    // erase the newest 3 and edit the metadata: the export still verifies alone...
    truncate(&mut f, 3);
    assert!(run(&mut c, &mut f, &dev, None).is_ok());
    // ...but not against the checkpoint
    assert_eq!(
        run(&mut c, &mut f, &dev, Some(&cp)),
        Err(iomt_result::AuditCheckpointRegression)
    );
    // new records re-use the erased sequence numbers: a fork
    fill(&mut c, &mut f, 3, 3);
    assert_eq!(
        run(&mut c, &mut f, &dev, Some(&cp)),
        Err(iomt_result::AuditCheckpointFork)
    );
    fill(&mut c, &mut f, 1, 4);
    assert_eq!(
        run(&mut c, &mut f, &dev, Some(&cp)),
        Err(iomt_result::AuditCheckpointFork)
    );
    // a checkpoint of another device, or not a checkpoint at all
    let mut other = cp;
    other[0] ^= 1;
    assert_eq!(
        run(&mut c, &mut f, &dev, Some(&other)),
        Err(iomt_result::AuditDeviceMismatch)
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_edited_ring_counters_are_detected() {
    let mut c = Crypto::new(22);
    let dev = device();
    let mut f = flash(16);
    fill(&mut c, &mut f, 10, 1);
    let cp = run(&mut c, &mut f, &dev, None).unwrap();
    let mut m = f.meta.unwrap();
    (m.count, m.overwritten) = (7, 3);
    f.meta = Some(m);
    assert_eq!(
        run(&mut c, &mut f, &dev, None),
        Err(iomt_result::AuditRingInconsistent)
    );
    assert_eq!(
        run(&mut c, &mut f, &dev, Some(&cp)),
        Err(iomt_result::AuditRingInconsistent)
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_records_lost_since_the_checkpoint_are_a_gap() {
    let mut c = Crypto::new(23);
    let dev = device();
    let mut f = flash(4);
    fill(&mut c, &mut f, 2, 1);
    let cp = run(&mut c, &mut f, &dev, None).unwrap();
    fill(&mut c, &mut f, 6, 2);
    assert_eq!(
        run(&mut c, &mut f, &dev, Some(&cp)),
        Err(iomt_result::AuditCheckpointGap)
    );
    let info_cp = run(&mut c, &mut f, &dev, None).unwrap();
    assert_eq!(info_cp[8..12], 8u32.to_be_bytes());
}
