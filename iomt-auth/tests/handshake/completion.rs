//! All 8 method × suite combinations complete with equal keys (credentials by reference
//! and by value), and the message sizes.

use super::*;

#[test]
fn all_methods_and_suites_complete_with_equal_keys() {
    for msg4 in [false, true] {
        for s in Setup::all(msg4) {
            let o = run(s, None);
            assert_eq!(o.error, None, "{s:?}");
            assert!(o.initiator_done && o.responder_done, "{s:?}");
            let tr = o.transcript;
            assert_eq!(tr.prk_out_i, tr.prk_out_r, "{s:?}");
            assert_eq!(tr.export_i, tr.export_r, "{s:?}");
            assert_eq!(tr.m4.is_empty(), !msg4);
        }
    }
}

#[test]
fn credentials_by_value_work_for_all_methods() {
    for mut s in Setup::all(true) {
        s.by_value = true;
        let o = run(s, None);
        assert_eq!(o.error, None, "{s:?}");
        assert!(o.initiator_done && o.responder_done);
    }
}

/// Expected sizes with kid credentials (1-byte kids and connection ids, no EAD).
#[test]
fn message_sizes() {
    for s in Setup::all(true) {
        let tr = run(s, None).transcript;
        let suite = Suite::from_id(s.suite).unwrap();
        let tag = suite.aead().tag_len();
        let som_r = if s.method.responder_static() {
            suite.mac_len()
        } else {
            64
        };
        let som_i = if s.method.initiator_static() {
            suite.mac_len()
        } else {
            64
        };
        assert_eq!(tr.m1.len(), 37, "{s:?}");
        // bstr(G_Y ‖ C_R ‖ kid ‖ bstr(Signature_or_MAC_2))
        let pt2 = 1 + 1 + 1 + usize::from(som_r >= 24) + som_r;
        assert_eq!(tr.m2.len(), 2 + 32 + pt2, "{s:?}");
        let pt3 = 1 + 1 + usize::from(som_i >= 24) + som_i + tag;
        assert_eq!(tr.m3.len(), 1 + pt3 + usize::from(pt3 >= 24), "{s:?}");
        assert_eq!(tr.m4.len(), 1 + tag, "{s:?}");
        println!(
            "method {} suite {}: message_1 {} message_2 {} message_3 {} message_4 {} total(1-3) {}",
            s.method.id(),
            s.suite,
            tr.m1.len(),
            tr.m2.len(),
            tr.m3.len(),
            tr.m4.len(),
            tr.m1.len() + tr.m2.len() + tr.m3.len()
        );
    }
    // RFC 9528 §1.2 figures for suite 2: 101 bytes (static DH, kid), 216 (signatures, kid)
    let stat = run(
        Setup {
            method: Method::StatStat,
            suite: 2,
            message_4: false,
            by_value: false,
        },
        None,
    )
    .transcript;
    assert_eq!(stat.m1.len() + stat.m2.len() + stat.m3.len(), 101);
    let sig = run(
        Setup {
            method: Method::SigSig,
            suite: 2,
            message_4: false,
            by_value: false,
        },
        None,
    )
    .transcript;
    assert_eq!(sig.m1.len() + sig.m2.len() + sig.m3.len(), 216);
}
