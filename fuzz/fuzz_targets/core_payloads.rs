//! Vital-sign payload decoders on untrusted bytes: `Reading`, `VitalBatch`,
//! `WaveformChunk` (iomt-core) and the channel's typed `Message` (iomt-proto, through its
//! `__fuzz::payload` entry point). Whatever decodes re-encodes and decodes to itself.
#![no_main]

use iomt_core::{Reading, VitalBatch, WaveformChunk};
use libfuzzer_sys::fuzz_target;

macro_rules! roundtrip {
    ($ty:ty, $data:expr) => {
        if let Ok(v) = <$ty>::decode($data) {
            let mut out = vec![0u8; 4096];
            let n = v.encode(&mut out).expect("a decoded value encodes");
            let again = <$ty>::decode(&out[..n]).expect("an encoded value decodes");
            assert_eq!(again, v);
            // Its own encoding is the canonical one: re-encoding is stable.
            let mut out2 = vec![0u8; 4096];
            let n2 = again.encode(&mut out2).unwrap();
            assert_eq!(&out[..n], &out2[..n2]);
        }
    };
}

fuzz_target!(|data: &[u8]| {
    roundtrip!(Reading, data);
    roundtrip!(VitalBatch<8>, data);
    roundtrip!(WaveformChunk<32>, data);
    if let Ok(w) = WaveformChunk::<32>::decode(data) {
        for i in 0..w.samples().len() + 2 {
            let _ = w.sample_time(i);
        }
        let _ = w.factor().to_f64();
    }
    if let Ok(b) = VitalBatch::<8>::decode(data) {
        assert!(b.len() <= 8);
        for r in b.readings() {
            assert!(
                r.kind().check(r.value(), r.unit()).is_ok(),
                "a decoded reading is implausible: {r:?}"
            );
        }
    }
    iomt_proto::__fuzz::payload(data);
});
