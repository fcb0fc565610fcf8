//! Lockout per subject through the C API (issue 26): another operator's lockout in the
//! table does not lock this one out; the device-wide ceiling does.

use super::factor::{Presented, device_with, factor_handshake, info, parties, pin_verifier};
use super::*;

const NOW: u64 = 1_800_000_000;

fn locked(subject: [u8; 8], until: u64, failures: u32) -> iomt_lockout_entry {
    iomt_lockout_entry {
        state: iomt_factor_state {
            locked_until: until,
            failures,
            reserved: 0,
        },
        subject,
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_lockout_of_a_nurse_does_not_lock_the_technician_out() {
    let mut c = Crypto::new(21);
    let p = parties();
    let mut d = device_with(&mut c, None);
    // A nurse's credential locked itself out with 3 bad tags.
    d.flash.factor.subjects[0] = locked([0x4e; 8], NOW + 30, 3);
    d.flash.factor.device.failures = 3;
    let pin = pin_verifier(&mut c, b"123456");
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    let (a, res) = d.check(&mut c, &mut r, NOW);
    assert_eq!(res, iomt_result::Ok, "the technician is not locked out");
    assert_eq!(info(&a).factor, iomt_factor_outcome::Verified);
    // The nurse's entry is kept; the device ceiling was reset by the success.
    assert_eq!(d.flash.factor.subjects[0], locked([0x4e; 8], NOW + 30, 3));
    assert_eq!(d.flash.factor.device, iomt_factor_state::default());
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_lockout_device_ceiling_and_full_table_lock_everyone() {
    let mut c = Crypto::new(22);
    let p = parties();
    let pin = pin_verifier(&mut c, b"123456");
    // The device-wide ceiling is locked (credential rotation): the right PIN is refused.
    let mut d = device_with(&mut c, None);
    d.flash.factor.device = iomt_factor_state {
        locked_until: NOW + 30,
        failures: 12,
        reserved: 0,
    };
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    assert_eq!(d.check(&mut c, &mut r, NOW).1, iomt_result::FactorLockedOut);
    // Every entry of the table is locked by other subjects: no entry for a newcomer.
    let mut d = device_with(&mut c, None);
    for (e, who) in d.flash.factor.subjects.iter_mut().zip(0x50u8..) {
        *e = locked([who; 8], NOW + 30, 3);
    }
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    assert_eq!(d.check(&mut c, &mut r, NOW).1, iomt_result::FactorLockedOut);
    let (mut r, _) = factor_handshake(&mut c, &p, &Presented::Pin(&pin));
    assert_eq!(d.check(&mut c, &mut r, NOW + 31).1, iomt_result::Ok);
}
