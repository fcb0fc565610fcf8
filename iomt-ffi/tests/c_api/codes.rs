//! `iomt-ffi/src/codes.rs` — the named C constants for every code a C caller passes or
//! reads (roles, operations, purposes, actions, data classes, confidentiality, vital
//! kinds, units, ECG leads, status flags, deny reasons, effects) — is generated from
//! `iomt-core`'s enums, the one source of these codes. This test renders it and fails
//! if the committed file differs; regenerate with
//! `IOMT_REGENERATE_DOCS=1 cargo test -p iomt-ffi --test c_api codes`, then
//! `cargo xtask header`.

use core::fmt::Debug;
use core::fmt::Write as _;

use iomt_core::mdc::MdcRow;
use iomt_core::{
    Action, Confidentiality, DataClass, DenyReason, EcgLead, Effect, Operation, Purpose, Role,
    StatusFlag, Unit, VitalKind,
};

/// `BeatsPerMinute` → `BEATS_PER_MINUTE`, `SpO2` → `SPO2`.
fn screaming(camel: &str) -> String {
    let mut out = String::new();
    for (i, ch) in camel.replace("SpO2", "Spo2").chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

fn mdc_doc(row: &MdcRow) -> String {
    match row.ucum {
        Some(ucum) => format!("{} ({}), UCUM `{ucum}`.", row.meaning, row.name),
        None => format!("{} ({}).", row.meaning, row.name),
    }
}

/// One group: `prefix` names the C constants, `rust` the iomt-core type.
fn group<T: Copy + Debug>(
    out: &mut String,
    prefix: &str,
    rust: &str,
    all: &[T],
    code: impl Fn(T) -> u8,
    doc: impl Fn(T) -> Option<String>,
) {
    writeln!(out, "\n// `iomt_core::{rust}`").unwrap();
    for &v in all {
        let name = format!("{v:?}");
        match doc(v) {
            Some(d) => writeln!(out, "/// `iomt_core::{rust}::{name}`: {d}").unwrap(),
            None => writeln!(out, "/// `iomt_core::{rust}::{name}`.").unwrap(),
        }
        writeln!(
            out,
            "pub const IOMT_{prefix}_{}: u8 = {};",
            screaming(&name),
            code(v)
        )
        .unwrap();
    }
}

fn render() -> String {
    let mut out = String::from(
        "//! Named codes for C callers, generated from `iomt-core`'s enums (the one source of\n\
         //! these codes) by `iomt-ffi/tests/c_api/codes.rs`; do not edit. Regenerate with\n\
         //! `IOMT_REGENERATE_DOCS=1 cargo test -p iomt-ffi --test c_api codes`, then\n\
         //! `cargo xtask header`. A bit set (`roles`, `purposes`, …) has bit `n` set for the\n\
         //! element with code `n`: `1u << IOMT_ROLE_NURSE`.\n",
    );
    group(&mut out, "ROLE", "Role", Role::ALL, Role::code, |_| None);
    group(
        &mut out,
        "OPERATION",
        "Operation",
        Operation::ALL,
        Operation::code,
        |_| None,
    );
    group(
        &mut out,
        "PURPOSE",
        "Purpose",
        Purpose::ALL,
        Purpose::code,
        |_| None,
    );
    group(
        &mut out,
        "ACTION",
        "Action",
        Action::ALL,
        Action::code,
        |_| None,
    );
    group(
        &mut out,
        "DATA_CLASS",
        "DataClass",
        DataClass::ALL,
        DataClass::code,
        |_| None,
    );
    group(
        &mut out,
        "CONFIDENTIALITY",
        "Confidentiality",
        Confidentiality::ALL,
        Confidentiality::code,
        |_| None,
    );
    group(
        &mut out,
        "VITAL_KIND",
        "VitalKind",
        VitalKind::ALL,
        VitalKind::code,
        |k| Some(mdc_doc(k.row())),
    );
    group(&mut out, "UNIT", "Unit", Unit::ALL, Unit::code, |u| {
        Some(mdc_doc(u.row()))
    });
    group(
        &mut out,
        "ECG_LEAD",
        "EcgLead",
        EcgLead::ALL,
        EcgLead::code,
        |l| Some(mdc_doc(l.row())),
    );
    group(
        &mut out,
        "STATUS_FLAG",
        "StatusFlag",
        StatusFlag::ALL,
        StatusFlag::code,
        |_| None,
    );
    group(
        &mut out,
        "DENY_REASON",
        "DenyReason",
        DenyReason::ALL,
        DenyReason::code,
        |_| None,
    );
    group(
        &mut out,
        "EFFECT",
        "Effect",
        Effect::ALL,
        Effect::code,
        |_| None,
    );
    out
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads iomt-ffi/src/codes.rs (Miri isolates the file system)"
)]
fn codes_rs_is_generated_from_iomt_core() {
    let out = render();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/codes.rs");
    if std::env::var_os("IOMT_REGENERATE_DOCS").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == out,
        "iomt-ffi/src/codes.rs is stale: regenerate it (see the test's doc)"
    );
}

#[test]
#[cfg_attr(miri, ignore = "string scanning only, no unsafe; slow under Miri")]
fn the_header_names_every_code() {
    let header = include_str!("../../include/iomt.h");
    for line in render().lines().filter(|l| l.starts_with("pub const ")) {
        let name = line
            .trim_start_matches("pub const ")
            .split(':')
            .next()
            .unwrap();
        assert!(
            header.contains(&format!("#define {name} ")),
            "{name} missing from iomt.h: run `cargo xtask header`"
        );
    }
}
