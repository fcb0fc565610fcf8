//! RFC 9529 ("Traces of EDHOC") §3: the static keys, credentials and key IDs, and the
//! vector files of §3 and §4 (`iomt-testkit/data/`, the only copy in the repository).
//!
//! §3 is method 3 (static DH both sides), cipher suite 2; the credentials are CCS maps
//! identified by kid (`0x2b` for the initiator, `0x32` for the responder). The keys also
//! sign: tests run methods 0–2 with them.

use std::collections::HashMap;

/// The initiator's credential `CRED_I` (a CCS, hex).
pub const CRED_I: &str = "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
/// The responder's credential `CRED_R` (a CCS, hex).
pub const CRED_R: &str = "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
/// The initiator's static private key `SK_I` (hex).
pub const SK_I: &str = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
/// The responder's static private key `SK_R` (hex).
pub const SK_R: &str = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";
/// `G_I`: the x-coordinate of the initiator's public key (hex).
pub const G_I_X: &str = "ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb6";
/// The y-coordinate of the initiator's public key (hex).
pub const G_I_Y: &str = "6e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
/// `G_R`: the x-coordinate of the responder's public key (hex).
pub const G_R_X: &str = "bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0";
/// The y-coordinate of the responder's public key (hex).
pub const G_R_Y: &str = "4519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
/// The initiator's key ID (`ID_CRED_I = {4: h'2b'}`).
pub const KID_I: &[u8] = &[0x2b];
/// The responder's key ID (`ID_CRED_R = {4: h'32'}`).
pub const KID_R: &[u8] = &[0x32];

/// RFC 9529 §3, every value of the trace as `name = hex` lines (`#` comments; an empty
/// right-hand side is an empty value).
pub const TRACE: &str = include_str!("../data/rfc9529-sec3.txt");
/// RFC 9529 §4: the invalid traces (bad curve points, bad `PLAINTEXT_2`), same format.
pub const INVALID: &str = include_str!("../data/rfc9529-sec4-invalid.txt");

/// The bytes of a hex string.
///
/// # Panics
/// On an odd length or a non-hex digit (a bad test constant).
#[must_use]
pub fn h(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Every hex value of a vector file by name (`name = hex` or `name =`); lines that are
/// comments or whose value is not hex (e.g. `Application_Hash_Algorithm = -16`) are
/// skipped.
#[must_use]
pub fn vectors(file: &str) -> HashMap<String, Vec<u8>> {
    file.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(" = ")
                .or_else(|| l.trim_end().strip_suffix(" =").map(|k| (k, "")))
        })
        .filter_map(|(k, v)| Some((k.trim().to_owned(), hex(v.trim())?)))
        .collect()
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The named hex value of a vector file (the first line that names it).
///
/// # Panics
/// If the file has no hex value of that name.
#[must_use]
pub fn val(file: &str, name: &str) -> Vec<u8> {
    for line in file.lines().filter(|l| !l.starts_with('#')) {
        if let Some((k, v)) = line.split_once('=')
            && k.trim() == name
            && let Some(bytes) = hex(v.trim())
        {
            return bytes;
        }
    }
    panic!("{name} missing")
}

/// The named value of the §3 trace ([`TRACE`]).
///
/// # Panics
/// If the trace has no such value.
#[must_use]
pub fn t(name: &str) -> Vec<u8> {
    val(TRACE, name)
}

/// `CRED_I` as bytes.
#[must_use]
pub fn cred_i() -> Vec<u8> {
    h(CRED_I)
}

/// `CRED_R` as bytes.
#[must_use]
pub fn cred_r() -> Vec<u8> {
    h(CRED_R)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_are_the_trace_values() {
        for (name, hex) in [
            ("CRED_I", CRED_I),
            ("CRED_R", CRED_R),
            ("SK_I", SK_I),
            ("SK_R", SK_R),
            ("G_I", G_I_X),
            ("G_R", G_R_X),
            ("ID_CRED_I", "a104412b"),
            ("ID_CRED_R", "a1044132"),
        ] {
            assert_eq!(t(name), h(hex), "{name}");
        }
        assert!(CRED_I.contains(G_I_Y) && CRED_R.contains(G_R_Y));
        assert!(vectors(INVALID).len() >= 3);
        assert_eq!(vectors(TRACE)["EAD_1"], Vec::<u8>::new());
    }
}
