//! The key-schedule unit tests (`src/edhoc/kdf/tests.rs`) read an excerpt of the RFC 9529
//! §3 trace that the published crate carries (`src/edhoc/kdf/rfc9529-sec3-excerpt.txt`):
//! every value in it must be the trace's, whose one copy is the test kit's.

use iomt_testkit::rfc9529::{TRACE, t, vectors};

#[test]
fn the_kdf_unit_test_excerpt_is_the_rfc9529_trace() {
    let excerpt = vectors(include_str!("../src/edhoc/kdf/rfc9529-sec3-excerpt.txt"));
    assert!(excerpt.len() >= 30, "{} values", excerpt.len());
    let trace = vectors(TRACE);
    for (name, value) in &excerpt {
        assert_eq!(Some(value), trace.get(name), "{name}");
        assert_eq!(*value, t(name), "{name}");
    }
}
