//! Issue 24 through the C API: a C device or gateway holds a signed version-2 tag
//! (`iomt_consent_binding` + the one Rust codec), and a C device is told when the
//! authority changes its consent (a newer tag in a consent frame, or a close with
//! `IOMT_CLOSE_REASON_CONSENT_REQUIRED`) and stops sending under the old tag.

use super::aaa::{NOW, auth_for, flash, open_log};
use super::consent::{DEVICE, Gw, PATIENT, enc, gw};
use super::*;
use iomt_core::{ConsentRef, ConsentTag, Timestamp};

fn decode(b: &[u8]) -> Result<(iomt_consent_tag, iomt_consent_binding), iomt_result> {
    let mut t = MaybeUninit::<iomt_consent_tag>::uninit();
    let mut k = MaybeUninit::<iomt_consent_binding>::uninit();
    let r = unsafe {
        iomt_consent_tag_decode_bound(b.as_ptr(), b.len(), t.as_mut_ptr(), k.as_mut_ptr())
    };
    if r == iomt_result::Ok {
        Ok(unsafe { (t.assume_init(), k.assume_init()) })
    } else {
        Err(r)
    }
}

fn encode(t: &iomt_consent_tag, k: &iomt_consent_binding) -> Result<Vec<u8>, iomt_result> {
    let mut out = [0u8; IOMT_MAX_CONSENT_TAG_LEN];
    let mut n = 0usize;
    let r = unsafe { iomt_consent_tag_encode_bound(t, k, out.as_mut_ptr(), out.len(), &raw mut n) };
    if r == iomt_result::Ok {
        Ok(out[..n].to_vec())
    } else {
        Err(r)
    }
}

/// The device identity as EDHOC yields it (zero-padded to 16 bytes): what a real
/// session's `iomt_session_auth` and the authority's binding use.
fn padded() -> Vec<u8> {
    let mut p = DEVICE.to_vec();
    p.resize(16, 0);
    p
}

/// A signed tag of revision `rev` bound to [`padded`] and `PATIENT`.
fn issued(g: &mut Gw, rev: u32) -> Vec<u8> {
    let t = g.tag(&padded(), PATIENT, rev, NOW + 1000);
    g.sign(t, false)
}

fn subject(c: &mut Crypto, identity: &[u8]) -> [u8; 8] {
    let mut s = [0u8; 8];
    let r = unsafe { iomt_subject_of(c.ptr(), identity.as_ptr(), identity.len(), s.as_mut_ptr()) };
    assert_eq!(r, iomt_result::Ok);
    s
}

#[test]
#[cfg_attr(miri, ignore = "P-256 is too slow under Miri")]
fn c_signed_v2_tag_decodes_and_reencodes_byte_exact_and_a_moved_binding_fails() {
    let mut g = gw();
    let mut f = flash(32);
    let mut log = open_log(&mut g.c, &mut f);
    let auth = auth_for(&mut g.c, &padded(), 0);
    let mut out = zeroed::<iomt_verified_consent>();
    let signed = issued(&mut g, 1);

    // Decoded in full: a C device can check the tag is for it (device_ref = its subject).
    let (t, k) = decode(&signed).unwrap();
    assert_eq!((t.version, t.has_signature, k.bound), (2, 1, 1));
    assert_eq!(&k.patient_id[..usize::from(k.patient_id_len)], PATIENT);
    assert_eq!(k.device_ref, subject(&mut g.c, DEVICE));
    assert_eq!(t.signature_key_id_len, 8);
    // Re-encoded byte-exact by the same codec, and it still verifies at the gateway.
    let again = encode(&t, &k).unwrap();
    assert_eq!(again, signed);
    assert_eq!(
        g.verify(&mut log, &auth, &again, NOW, &mut out),
        iomt_result::Ok
    );

    // The signature covers the binding: moving the tag to another device or patient by
    // editing the C fields no longer verifies.
    let mut moved = k;
    moved.device_ref = subject(&mut g.c, b"pump-0099");
    let b = encode(&t, &moved).unwrap();
    assert_eq!(
        g.verify(&mut log, &auth, &b, NOW, &mut out),
        iomt_result::ConsentBadSignature
    );
    let mut other = k;
    other.patient_id[0] ^= 1;
    let b = encode(&t, &other).unwrap();
    assert_eq!(
        g.verify(&mut log, &auth, &b, NOW, &mut out),
        iomt_result::ConsentBadSignature
    );
    // Dropping the binding: a version-2 struct without it cannot be encoded at all.
    let unbound = iomt_consent_binding::default();
    assert_eq!(encode(&t, &unbound), Err(iomt_result::Malformed));

    // Misuse of the binding struct: typed errors, nothing written.
    let mut bad = k;
    bad.bound = 2;
    assert_eq!(encode(&t, &bad), Err(iomt_result::InvalidCode));
    let mut bad = k;
    bad.patient_id_len = 0;
    assert_eq!(encode(&t, &bad), Err(iomt_result::Malformed));
    let mut bad = k;
    bad.patient_id_len = 17;
    assert_eq!(encode(&t, &bad), Err(iomt_result::CapacityExceeded));
    let mut v1 = t;
    v1.version = 1;
    assert_eq!(encode(&v1, &k), Err(iomt_result::UnsupportedVersion));
    // A short buffer reports the size needed.
    let mut small = [0u8; 16];
    let mut n = 0usize;
    let r = unsafe {
        iomt_consent_tag_encode_bound(&t, &k, small.as_mut_ptr(), small.len(), &raw mut n)
    };
    assert_eq!((r, n), (iomt_result::BufferTooSmall, signed.len()));
    let r =
        unsafe { iomt_consent_tag_encode_bound(&t, null(), small.as_mut_ptr(), 16, &raw mut n) };
    assert_eq!(r, iomt_result::NullParameter);

    // Version 1 decodes with bound = 0; garbage and trailing bytes are refused.
    let legacy = enc(&ConsentTag::permit(
        ConsentRef([1; 32]),
        1,
        Timestamp::from_secs(NOW),
        Timestamp::from_secs(NOW + 9),
    ));
    let (t1, k1) = decode(&legacy).unwrap();
    assert_eq!((t1.version, k1.bound, k1.patient_id_len), (1, 0, 0));
    assert_eq!(encode(&t1, &k1).unwrap(), legacy);
    let mut trailing = signed.clone();
    trailing.push(0);
    assert_eq!(decode(&trailing).err(), Some(iomt_result::TrailingBytes));
    assert!(decode(&signed[..signed.len() - 1]).is_err());
    // The v1-only decoder still refuses a bound tag rather than dropping the binding.
    let mut ct = MaybeUninit::<iomt_consent_tag>::uninit();
    assert_eq!(
        unsafe { iomt_consent_tag_decode(signed.as_ptr(), signed.len(), ct.as_mut_ptr()) },
        iomt_result::UnsupportedVersion
    );
}

/// Seals on `from`, opens on `to`; returns the opened view (frame type, slot, payload, tag).
unsafe fn deliver(
    c: &mut Crypto,
    to: &mut iomt_session,
    frame: &mut [u8],
) -> Result<(iomt_frame_type, u8, Vec<u8>, Vec<u8>), iomt_result> {
    let n = frame.len();
    let mut o = MaybeUninit::<iomt_opened>::uninit();
    let r = unsafe { iomt_session_open(to, c.ptr(), frame.as_mut_ptr(), n, o.as_mut_ptr()) };
    if r != iomt_result::Ok {
        return Err(r);
    }
    let o = unsafe { o.assume_init() };
    let payload = unsafe { core::slice::from_raw_parts(o.payload, o.payload_len) }.to_vec();
    let tag = if o.consent_tag.is_null() {
        Vec::new()
    } else {
        unsafe { core::slice::from_raw_parts(o.consent_tag, o.consent_tag_len) }.to_vec()
    };
    Ok((o.frame_type, o.consent_slot, payload, tag))
}

fn send_consent(
    c: &mut Crypto,
    s: &mut iomt_session,
    slot: u8,
    tag: &[u8],
) -> (Vec<u8>, iomt_result) {
    let mut f = vec![0u8; 512];
    let mut n = 0usize;
    let r = unsafe {
        iomt_session_send_consent(
            s,
            c.ptr(),
            slot,
            tag.as_ptr(),
            tag.len(),
            f.as_mut_ptr(),
            f.len(),
            &raw mut n,
        )
    };
    f.truncate(n);
    (f, r)
}

fn seal(c: &mut Crypto, s: &mut iomt_session, slot: u8, p: &[u8]) -> (Vec<u8>, iomt_result) {
    let mut f = vec![0u8; 256];
    let mut n = 0usize;
    let r = unsafe {
        iomt_session_seal(
            s,
            c.ptr(),
            slot,
            p.as_ptr(),
            p.len(),
            f.as_mut_ptr(),
            f.len(),
            &raw mut n,
        )
    };
    f.truncate(n);
    (f, r)
}

#[test]
#[cfg_attr(miri, ignore = "P-256 handshakes are too slow under Miri")]
fn c_device_adopts_a_newer_tag_and_stops_on_consent_required() {
    let mut g = gw();
    let mut f = flash(32);
    let mut log = open_log(&mut g.c, &mut f);
    let auth = auth_for(&mut g.c, &padded(), 0);
    let mut c = Crypto::new(11);
    let (mut ds, mut gs) = session_pair(&mut c, 3, 2);
    let me = subject(&mut c, DEVICE);
    let (rev1, rev2) = (issued(&mut g, 1), issued(&mut g, 2));
    let mut verified = zeroed::<iomt_verified_consent>();

    // The device installs its provisioned tag; the gateway verifies it.
    let (mut fr, rc) = send_consent(&mut c, &mut ds, 0, &rev1);
    assert_eq!(rc, iomt_result::Ok);
    let (_, _, _, bound) = unsafe { deliver(&mut c, &mut gs, &mut fr) }.unwrap();
    assert_eq!(
        g.verify(&mut log, &auth, &bound, NOW, &mut verified),
        iomt_result::Ok
    );

    // The authority's newer revision reaches the gateway; the gateway sends it to the
    // device in its own slot (1). The device checks it is for itself and newer, and
    // re-installs it in its next slot (2).
    let (mut fr, rc) = send_consent(&mut c, &mut gs, 1, &rev2);
    assert_eq!(rc, iomt_result::Ok);
    let (ty, slot, _, got) = unsafe { deliver(&mut c, &mut ds, &mut fr) }.unwrap();
    assert_eq!((ty, slot), (iomt_frame_type::Consent, 1));
    let (t2, k2) = decode(&got).unwrap();
    let (t1, _) = decode(&rev1).unwrap();
    assert!(k2.bound == 1 && k2.device_ref == me && t2.consent_ref == t1.consent_ref);
    assert!(t2.revision > t1.revision);
    let (mut fr, rc) = send_consent(&mut c, &mut ds, 2, &got);
    assert_eq!(rc, iomt_result::Ok);
    let (_, _, _, bound) = unsafe { deliver(&mut c, &mut gs, &mut fr) }.unwrap();
    assert_eq!(
        g.verify(&mut log, &auth, &bound, NOW, &mut verified),
        iomt_result::Ok
    );
    let (mut fr, rc) = seal(&mut c, &mut ds, 2, b"vitals");
    assert_eq!(rc, iomt_result::Ok);
    let (_, slot, _, bound) = unsafe { deliver(&mut c, &mut gs, &mut fr) }.unwrap();
    assert_eq!((slot, bound.as_slice()), (2, rev2.as_slice()));
    let check = |g: &Gw, b: &[u8]| unsafe {
        iomt_consent_check_frame(&*g.v, &*verified, b.as_ptr(), b.len(), NOW + 1)
    };
    assert_eq!(check(&g, &bound), iomt_result::Ok);

    // The authority withdraws the consent: the gateway's next check refuses the frame,
    // and the gateway closes the session with CONSENT_REQUIRED.
    let w = g.withdrawal(2);
    let rc = unsafe {
        iomt_consent_withdraw(
            &raw mut *g.v,
            g.c.ptr(),
            &raw mut *log,
            w.as_ptr(),
            w.len(),
            NOW + 1,
        )
    };
    assert_eq!(rc, iomt_result::Ok);
    let (mut fr, _) = seal(&mut c, &mut ds, 2, b"vitals");
    let (_, _, _, bound) = unsafe { deliver(&mut c, &mut gs, &mut fr) }.unwrap();
    assert_eq!(check(&g, &bound), iomt_result::ConsentWithdrawn);
    let mut close = [0u8; 64];
    let mut n = 0usize;
    let rc = unsafe {
        iomt_session_close(
            &raw mut *gs,
            c.ptr(),
            IOMT_CLOSE_REASON_CONSENT_REQUIRED,
            close.as_mut_ptr(),
            close.len(),
            &raw mut n,
        )
    };
    assert_eq!(rc, iomt_result::Ok);
    // The C device observes why, and can send nothing more under the tag.
    let (ty, _, payload, _) = unsafe { deliver(&mut c, &mut ds, &mut close[..n]) }.unwrap();
    assert_eq!(
        (ty, payload.as_slice()),
        (
            iomt_frame_type::Close,
            &[IOMT_CLOSE_REASON_CONSENT_REQUIRED][..]
        )
    );
    assert_eq!(
        seal(&mut c, &mut ds, 2, b"vitals").1,
        iomt_result::SessionClosed
    );
    assert_eq!(
        send_consent(&mut c, &mut ds, 0, &rev2).1,
        iomt_result::SessionClosed
    );
    unsafe {
        assert_eq!(iomt_session_deinit(&raw mut *ds), iomt_result::Ok);
        assert_eq!(iomt_session_deinit(&raw mut *gs), iomt_result::Ok);
    }
}
