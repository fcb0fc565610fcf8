//! Credential revocation through the C API: a signed list installed into a trust store
//! makes the handshake refuse the revoked device or operator (`CREDENTIAL_REVOKED`, the
//! peer gets ERR_CODE 3, the failure is audited with code 560); older, replayed, forged
//! and foreign lists are refused and change nothing.

use ::iomt_crypto::prelude::*;

use iomt_auth::cred::RevocationList;
use iomt_core::Timestamp;

use super::aaa::{flash, open_log, record};
use super::*;

/// A list numbered `number` naming the hex credentials `revoked`, signed with the
/// authority key of seed `seed`; with the authority's public key.
fn signed_list(c: &mut Crypto, seed: u8, number: u32, revoked: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let p = unsafe { provider(c.ptr()) };
    let key = p.p256_import_key(&[seed; 32]).unwrap();
    let pk = p
        .p256_public_key(&key)
        .unwrap()
        .to_sec1_uncompressed()
        .to_vec();
    let mut l = RevocationList::new(number, Timestamp::from_secs(1_800_000_000));
    for cred in revoked {
        l.revoke_credential(p, &h(cred)).unwrap();
    }
    let mut out = vec![0u8; IOMT_MAX_REVOCATION_LIST_LEN];
    let n = l.sign(p, &key, &mut out).unwrap();
    out.truncate(n);
    (out, pk)
}

fn install(
    c: &mut Crypto,
    store: &mut iomt_trust_store,
    list: &[u8],
    pk: &[u8],
) -> Result<u32, iomt_result> {
    let mut n = 0xdead_beef_u32;
    let r = unsafe {
        iomt_trust_store_install_revocations(
            store,
            c.ptr(),
            list.as_ptr(),
            list.len(),
            pk.as_ptr(),
            pk.len(),
            &raw mut n,
        )
    };
    if r == iomt_result::Ok {
        Ok(n)
    } else {
        assert_eq!(n, 0xdead_beef, "no output on error");
        Err(r)
    }
}

/// The EDHOC error message a failed handshake answers with.
fn error_message(hs: &iomt_handshake) -> Vec<u8> {
    let (mut err, mut n) = ([0u8; 64], 0usize);
    let r = unsafe { iomt_handshake_error_message(hs, err.as_mut_ptr(), err.len(), &raw mut n) };
    assert_eq!(r, iomt_result::Ok);
    err[..n].to_vec()
}

/// Runs message_1..message_3 between the device (initiator) and the gateway (responder);
/// returns the first failing step's result, the failed object's error message, and the
/// failed handshake (for the audit record).
fn run(c: &mut Crypto, dev: &Side, gw: &Side) -> (iomt_result, Vec<u8>, Box<iomt_handshake>) {
    let (mut i, mut r) = init_pair(
        &initiator_config(3, &[2], false, &[]),
        &responder_config(&[2], false, &[]),
    );
    let (mut m, mut n) = ([0u8; IOMT_MAX_MESSAGE_LEN], 0usize);
    unsafe {
        let w1 = iomt_handshake_write_message_1(
            &raw mut *i,
            c.ptr(),
            null(),
            0,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n,
        );
        assert_eq!(w1, iomt_result::Ok);
        assert_eq!(
            iomt_handshake_read_message_1(&raw mut *r, c.ptr(), m.as_ptr(), n),
            iomt_result::Ok
        );
        let w2 = iomt_handshake_write_message_2(
            &raw mut *r,
            c.ptr(),
            &raw const *gw.cred,
            null(),
            0,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n,
        );
        assert_eq!(w2, iomt_result::Ok);
        let r2 = iomt_handshake_read_message_2(
            &raw mut *i,
            c.ptr(),
            &raw const *dev.trust,
            m.as_ptr(),
            n,
        );
        if r2 != iomt_result::Ok {
            return (r2, error_message(&i), i);
        }
        let w3 = iomt_handshake_write_message_3(
            &raw mut *i,
            c.ptr(),
            &raw const *dev.cred,
            null(),
            0,
            m.as_mut_ptr(),
            m.len(),
            &raw mut n,
        );
        assert_eq!(w3, iomt_result::Ok);
        let r3 = iomt_handshake_read_message_3(
            &raw mut *r,
            c.ptr(),
            &raw const *gw.trust,
            m.as_ptr(),
            n,
        );
        let err = if r3 == iomt_result::Ok {
            Vec::new()
        } else {
            error_message(&r)
        };
        (r3, err, r)
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_revoked_device_fails_the_handshake_and_is_audited() {
    let mut c = Crypto::new(31);
    let (dev, mut gw) = (device(), gateway());
    assert_eq!(run(&mut c, &dev, &gw).0, iomt_result::Ok);
    // the gateway installs a list revoking the device's credential
    let (list, pk) = signed_list(&mut c, 7, 3, &[CRED_I]);
    assert_eq!(install(&mut c, &mut gw.trust, &list, &pk), Ok(3));
    let (rc, err, mut hs) = run(&mut c, &dev, &gw);
    assert_eq!(rc, iomt_result::CredentialRevoked);
    assert_eq!(
        err,
        [0x03, 0xf5],
        "ERR_CODE 3, as for an unknown credential"
    );
    // audited with its own code
    let mut f = flash(4);
    let mut log = open_log(&mut c, &mut f);
    let mut seq = 0u32;
    let r = unsafe {
        iomt_audit_log_record_handshake(&raw mut *log, c.ptr(), &raw mut *hs, 1, &raw mut seq)
    };
    assert_eq!(r, iomt_result::Ok);
    let rec = record(&mut log, seq);
    assert_eq!((rec.event, rec.outcome), (2, 1));
    assert_eq!(rec.detail[..4], 560u32.to_be_bytes());
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_revoked_operator_and_gateway_fail_the_handshake() {
    let mut c = Crypto::new(32);
    // the device trusts the gateway (responder's CRED_R); revoke it there
    let (mut dev, mut gw) = (device(), gateway());
    let (list, pk) = signed_list(&mut c, 7, 1, &[CRED_R]);
    assert_eq!(install(&mut c, &mut dev.trust, &list, &pk), Ok(1));
    let (rc, err, _) = run(&mut c, &dev, &gw);
    assert_eq!(
        (rc, err),
        (iomt_result::CredentialRevoked, vec![0x03, 0xf5])
    );
    // an operator credential (technician + administrator roles) revoked on the device side
    let mut op_store = trust_store(CRED_I, 0x2b, b"operator-17", (1 << 3) | (1 << 5));
    let (list, pk) = signed_list(&mut c, 7, 9, &[CRED_I, CRED_R]);
    assert_eq!(install(&mut c, &mut op_store, &list, &pk), Ok(9));
    gw.trust = op_store;
    let dev_ok = device();
    assert_eq!(run(&mut c, &dev_ok, &gw).0, iomt_result::CredentialRevoked);
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_older_replayed_forged_and_foreign_lists_are_refused() {
    let mut c = Crypto::new(33);
    let (dev, mut gw) = (device(), gateway());
    let (l1, pk) = signed_list(&mut c, 7, 1, &[CRED_I]);
    let (l2, _) = signed_list(&mut c, 7, 2, &[]);
    let (l2b, _) = signed_list(&mut c, 7, 2, &[CRED_I]);
    let (foreign, _) = signed_list(&mut c, 8, 5, &[]);
    assert_eq!(install(&mut c, &mut gw.trust, &l1, &pk), Ok(1));
    assert_eq!(run(&mut c, &dev, &gw).0, iomt_result::CredentialRevoked);
    // a newer list un-revokes (the authority's decision)
    assert_eq!(install(&mut c, &mut gw.trust, &l2, &pk), Ok(2));
    assert_eq!(run(&mut c, &dev, &gw).0, iomt_result::Ok);
    // rolling back to list 1, or a second list 2, is refused
    assert_eq!(
        install(&mut c, &mut gw.trust, &l1, &pk),
        Err(iomt_result::RevocationOlder)
    );
    assert_eq!(
        install(&mut c, &mut gw.trust, &l2b, &pk),
        Err(iomt_result::RevocationSameNumber)
    );
    // another signer, a flipped bit
    assert_eq!(
        install(&mut c, &mut gw.trust, &foreign, &pk),
        Err(iomt_result::RevocationUnknownSigner)
    );
    let mut forged = signed_list(&mut c, 7, 6, &[CRED_I]).0;
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(
        install(&mut c, &mut gw.trust, &forged, &pk),
        Err(iomt_result::RevocationBadSignature)
    );
    let mut trunc = l2.clone();
    trunc.pop();
    assert_eq!(
        install(&mut c, &mut gw.trust, &trunc, &pk),
        Err(iomt_result::RevocationMalformed)
    );
    // nothing changed: list 2 is still the one in force
    assert_eq!(run(&mut c, &dev, &gw).0, iomt_result::Ok);
    let mut floor = 0u32;
    assert_eq!(
        unsafe { iomt_trust_store_revocation_floor(&raw const *gw.trust, &raw mut floor) },
        iomt_result::Ok
    );
    assert_eq!(floor, 2);
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_floor_survives_a_reboot_and_misuse_is_refused() {
    let mut c = Crypto::new(34);
    let (l1, pk) = signed_list(&mut c, 7, 1, &[CRED_I]);
    let (l4, _) = signed_list(&mut c, 7, 4, &[CRED_I]);
    // after a reboot, the persisted floor keeps the old list out
    let mut rebooted = trust_store(CRED_I, 0x2b, b"pump", 1 << 7);
    unsafe {
        assert_eq!(
            iomt_trust_store_set_revocation_floor(&raw mut *rebooted, 3),
            iomt_result::Ok
        );
        assert_eq!(
            iomt_trust_store_set_revocation_floor(&raw mut *rebooted, 2),
            iomt_result::RevocationOlder
        );
    }
    assert_eq!(
        install(&mut c, &mut rebooted, &l1, &pk),
        Err(iomt_result::RevocationOlder)
    );
    assert_eq!(install(&mut c, &mut rebooted, &l4, &pk), Ok(4));
    // the floor cannot be reset under an installed list
    assert_eq!(
        unsafe { iomt_trust_store_set_revocation_floor(&raw mut *rebooted, 9) },
        iomt_result::WrongState
    );
    // NULL arguments, a bad key, an uninitialized or byte-copied store
    let mut n = 0u32;
    unsafe {
        assert_eq!(
            iomt_trust_store_install_revocations(
                &raw mut *rebooted,
                c.ptr(),
                null(),
                0,
                pk.as_ptr(),
                pk.len(),
                &raw mut n
            ),
            iomt_result::NullParameter
        );
        assert_eq!(
            iomt_trust_store_install_revocations(
                &raw mut *rebooted,
                c.ptr(),
                l4.as_ptr(),
                l4.len(),
                pk.as_ptr(),
                10,
                &raw mut n
            ),
            iomt_result::CryptoInvalidLength
        );
        assert_eq!(
            iomt_trust_store_install_revocations(
                &raw mut *rebooted,
                c.ptr(),
                l4.as_ptr(),
                l4.len(),
                pk.as_ptr(),
                pk.len(),
                null_mut()
            ),
            iomt_result::NullParameter
        );
        let fresh = zeroed::<iomt_trust_store>();
        let mut f = 0u32;
        assert_eq!(
            iomt_trust_store_revocation_floor(&raw const *fresh, &raw mut f),
            iomt_result::NotInitialized
        );
        let mut copy = zeroed::<iomt_trust_store>();
        core::ptr::copy_nonoverlapping(&raw const *rebooted, &raw mut *copy, 1);
        assert_eq!(
            iomt_trust_store_install_revocations(
                &raw mut *copy,
                c.ptr(),
                l4.as_ptr(),
                l4.len(),
                pk.as_ptr(),
                pk.len(),
                &raw mut n
            ),
            iomt_result::NotInitialized,
            "a byte copy is not a trust store"
        );
    }
}
