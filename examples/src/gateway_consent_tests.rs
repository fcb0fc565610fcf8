//! "A frame without a consent slot is denied for every use" (the gateway's default deny,
//! issue 25): the release step, given an authentic data message bound to no consent tag,
//! releases nothing and counts an unconsented refusal per use; the same message under a
//! permitting tag is released (so the denial is the missing slot's, not a broken set-up's).

use super::*;
use crate::device::ConsentProfile;
use crate::sim::Patient;
use iomt_core::TimestampMs;
use iomt_proto::Message;

#[test]
fn a_data_frame_without_a_consent_slot_is_released_to_nobody() {
    let sink: Box<dyn std::io::Write + Send> = Box::new(std::io::sink());
    let gw = Gateway::new(
        DemoCredential::gateway().unwrap(),
        Registry::default(),
        vec![2, 5],
        sink,
    )
    .unwrap();
    let mut crypto: Crypto = RustCryptoProvider::with_os_rng();
    let now_ms = now_secs().as_secs() * 1000;
    let batch = Patient::new(7)
        .vitals(TimestampMs::from_millis(now_ms), false)
        .unwrap();
    let msg = Message::VitalBatch(batch);
    let report = || ConnReport {
        device: Some("dev-007".into()),
        patient: Some("patient-007".into()),
        ..ConnReport::default()
    };

    let mut denied = report();
    let out = gw.release(&mut crypto, &mut denied, &msg, 0, None);
    assert!(out.is_empty(), "data bound to no consent was released");
    assert_eq!(
        denied.unconsented,
        USES.len() as u64,
        "one unconsented refusal per configured use"
    );
    assert_eq!(denied.break_glass, 0);

    let tag = ConsentProfile::Research.tag(now_secs().as_secs(), 7);
    let mut permitted = report();
    let out = gw.release(&mut crypto, &mut permitted, &msg, 0, Some(&tag));
    assert!(
        !out.is_empty(),
        "the same data under a permitting tag is released"
    );
}
