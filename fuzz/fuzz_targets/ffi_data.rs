//! The C API's data entry points (`iomt-ffi`) with arbitrary inputs and arbitrary buffer
//! lengths, NULL pointers included: consent tag decode/encode/evaluate and vitals
//! decode/encode. Checks: no panic crosses the boundary (libFuzzer aborts on one), a NULL
//! pointer with a non-zero length is `NULL_PARAMETER`, outputs are written only on
//! success (buffers pre-filled with 0xA5 stay untouched on failure, except the documented
//! `*out_len` / `*count` with `BUFFER_TOO_SMALL`), and encode(decode(x)) == x.
#![no_main]

use std::mem::MaybeUninit;

use arbitrary::{Arbitrary, Unstructured};
use iomt_ffi::{
    iomt_access_request, iomt_consent_evaluate, iomt_consent_tag, iomt_consent_tag_decode,
    iomt_consent_tag_encode, iomt_decision, iomt_reading, iomt_result, iomt_result_str,
    iomt_vitals_decode, iomt_vitals_encode,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Lens {
    out_cap: u16,
    capacity: u8,
    null_input: bool,
    any_code: u32,
    request: [u8; 24],
}

fn zeroed<T>() -> T {
    // SAFETY: only used for the plain-data `#[repr(C)]` structs of the C API (integers
    // and byte arrays), for which all-zero bytes are a valid value.
    unsafe { MaybeUninit::<T>::zeroed().assume_init() }
}

/// The fields of a reading (its padding bytes carry no value and may differ), with the
/// value as a number: `iomt_vitals_encode` normalizes mantissa/exponent (e.g. 0 × 10^9
/// comes back as 0 × 10^0), so the representation is not preserved, only the value.
fn fields(r: &iomt_reading) -> (u64, u32, (i64, i32), u8, u8, u8) {
    (
        r.timestamp_ms,
        r.sequence,
        iomt_fuzz::decimal::canonical(i64::from(r.mantissa), i32::from(r.exponent)),
        r.kind,
        r.unit,
        r.status,
    )
}

fn bytes_of<T>(v: &T) -> &[u8] {
    // SAFETY: reading the bytes of a plain-data value.
    unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), size_of::<T>()) }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(lens) = Lens::arbitrary(&mut u) else {
        return;
    };
    let input = u.take_rest();

    // --- consent tag ---
    let mut tag: iomt_consent_tag = zeroed();
    let before = bytes_of(&tag).to_vec();
    let ptr = if lens.null_input {
        std::ptr::null()
    } else {
        input.as_ptr()
    };
    // SAFETY: `ptr` is NULL or valid for `input.len()` bytes; `tag` is valid.
    let r = unsafe { iomt_consent_tag_decode(ptr, input.len(), &mut tag) };
    assert_ne!(r, iomt_result::Panic);
    assert!(!iomt_result_str(r as u32).is_null());
    assert!(
        !iomt_result_str(lens.any_code).is_null(),
        "iomt_result_str of any u32"
    );
    if lens.null_input && !input.is_empty() {
        assert_eq!(r, iomt_result::NullParameter);
    }
    if r != iomt_result::Ok {
        assert_eq!(
            bytes_of(&tag),
            &before[..],
            "tag written on failure ({r:?})"
        );
    } else {
        let cap = usize::from(lens.out_cap) % 300;
        let mut out = vec![0xA5u8; cap];
        let mut out_len = usize::MAX;
        // SAFETY: valid pointers and lengths.
        let r = unsafe { iomt_consent_tag_encode(&tag, out.as_mut_ptr(), cap, &mut out_len) };
        match r {
            iomt_result::Ok => {
                assert_eq!(&out[..out_len], input, "encode(decode(x)) != x");
                assert!(
                    out[out_len..].iter().all(|b| *b == 0xA5),
                    "wrote past the length"
                );
            }
            iomt_result::BufferTooSmall => {
                assert_eq!(out_len, input.len());
                assert!(cap < input.len());
                assert!(out.iter().all(|b| *b == 0xA5), "output written on failure");
            }
            other => panic!("encoding a decoded tag failed: {other:?}"),
        }
        // Evaluate against a request made of fuzzer bytes (codes may be invalid).
        let mut req: iomt_access_request = zeroed();
        // SAFETY: filling a plain-data struct with bytes (any bit pattern of its integer
        // fields is a valid value).
        unsafe {
            let n = size_of::<iomt_access_request>().min(lens.request.len());
            std::ptr::copy_nonoverlapping(
                lens.request.as_ptr(),
                (&mut req as *mut iomt_access_request).cast::<u8>(),
                n,
            );
        }
        let mut decision: iomt_decision = zeroed();
        let before = bytes_of(&decision).to_vec();
        // SAFETY: valid pointers.
        let r = unsafe { iomt_consent_evaluate(&tag, &req, &mut decision) };
        assert_ne!(r, iomt_result::Panic);
        if r != iomt_result::Ok {
            assert_eq!(
                bytes_of(&decision),
                &before[..],
                "decision written on failure"
            );
        }
        // SAFETY: NULL outputs are refused.
        let r = unsafe { iomt_consent_evaluate(&tag, &req, std::ptr::null_mut()) };
        assert_eq!(r, iomt_result::NullParameter);
    }

    // --- vitals ---
    let capacity = usize::from(lens.capacity % 24);
    let mut readings = vec![iomt_reading::default(); capacity];
    let before: Vec<u8> = readings.iter().flat_map(|r| bytes_of(r).to_vec()).collect();
    let mut count = usize::MAX;
    // SAFETY: `ptr` is NULL or valid; `readings` is valid for `capacity` elements.
    let r = unsafe {
        iomt_vitals_decode(
            ptr,
            input.len(),
            readings.as_mut_ptr(),
            capacity,
            &mut count,
        )
    };
    assert_ne!(r, iomt_result::Panic);
    let after: Vec<u8> = readings.iter().flat_map(|r| bytes_of(r).to_vec()).collect();
    match r {
        iomt_result::Ok => {
            assert!(count <= capacity);
            let cap = usize::from(lens.out_cap) % 600;
            let mut out = vec![0xA5u8; cap];
            let mut out_len = usize::MAX;
            // SAFETY: valid pointers and lengths.
            let r = unsafe {
                iomt_vitals_encode(
                    readings.as_ptr(),
                    count,
                    out.as_mut_ptr(),
                    cap,
                    &mut out_len,
                )
            };
            match r {
                iomt_result::Ok => {
                    // Re-decoding gives the same readings (byte equality is not required:
                    // postcard varints are decoded leniently by serde).
                    let mut again = vec![iomt_reading::default(); count];
                    let mut n2 = 0usize;
                    // SAFETY: valid pointers and lengths.
                    let r2 = unsafe {
                        iomt_vitals_decode(
                            out.as_ptr(),
                            out_len,
                            again.as_mut_ptr(),
                            count,
                            &mut n2,
                        )
                    };
                    assert_eq!(r2, iomt_result::Ok);
                    assert_eq!(n2, count);
                    for (a, b) in again.iter().zip(&readings[..count]) {
                        assert_eq!(fields(a), fields(b));
                    }
                }
                iomt_result::BufferTooSmall => {
                    assert!(out_len > cap);
                    assert!(out.iter().all(|b| *b == 0xA5), "output written on failure");
                }
                // (A FLOAT with a special-value mantissa and a non-zero exponent used to
                // decode here and then fail to re-encode; a Reading now refuses it.)
                other => panic!("re-encoding decoded vitals failed: {other:?}"),
            }
        }
        iomt_result::BufferTooSmall => {
            assert!(count > capacity);
            assert_eq!(after, before, "readings written on failure");
        }
        _ => assert_eq!(after, before, "readings written on failure ({r:?})"),
    }
});
