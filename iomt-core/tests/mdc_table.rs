//! The code table against the sourced TSV and the known public-table mistakes (the generated
//! `docs/VITALS.md` is checked by `repo_docs.rs`).

use iomt_core::mdc::{MDC_TABLE, MdcEntry, lookup};
use iomt_core::{EcgLead, MdcCode, Unit, VitalKind};

/// The sourced TSV, parsed (test-only code).
#[cfg(test)]
mod data {
    use std::collections::HashMap;

    pub(crate) struct TsvRow {
        pub(crate) partition: u16,
        pub(crate) term: u16,
        pub(crate) code32_dec: u32,
        pub(crate) code32_hex: u32,
        pub(crate) loinc: String,
        pub(crate) ucum: String,
        pub(crate) note: String,
    }

    pub(crate) fn tsv() -> HashMap<String, TsvRow> {
        let text = include_str!("data/ieee11073-mdc-codes.tsv");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        assert_eq!(
            header,
            [
                "name",
                "partition",
                "term_code",
                "code32_dec",
                "code32_hex",
                "meaning",
                "loinc",
                "ucum",
                "source",
                "note"
            ]
        );
        let mut out = HashMap::new();
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 10, "{line}");
            let row = TsvRow {
                partition: f[1].parse().unwrap(),
                term: f[2].parse().unwrap(),
                code32_dec: f[3].parse().unwrap(),
                code32_hex: u32::from_str_radix(f[4].trim_start_matches("0x"), 16).unwrap(),
                loinc: f[6].to_string(),
                ucum: f[7].to_string(),
                note: f[9].to_string(),
            };
            assert!(
                out.insert(f[0].to_string(), row).is_none(),
                "duplicate {}",
                f[0]
            );
        }
        out
    }
}

use data::tsv;

#[test]
fn every_table_row_matches_the_sourced_tsv() {
    let tsv = tsv();
    for row in &MDC_TABLE {
        let t = tsv
            .get(row.name)
            .unwrap_or_else(|| panic!("{} not in the TSV", row.name));
        assert_eq!(row.code.partition, t.partition, "{}", row.name);
        assert_eq!(row.code.term, t.term, "{}", row.name);
        assert_eq!(row.code.code32(), t.code32_dec, "{}", row.name);
        assert_eq!(row.code.code32(), t.code32_hex, "{}", row.name);
        assert_eq!(
            t.code32_dec, t.code32_hex,
            "TSV self-consistency {}",
            row.name
        );
        assert_eq!(MdcCode::from_code32(t.code32_dec), row.code);
        // LOINC codes we export must appear in the TSV's LOINC column for that code.
        for loinc in row.loinc {
            assert!(
                t.loinc.contains(loinc),
                "{}: LOINC {loinc} not in TSV {:?}",
                row.name,
                t.loinc
            );
        }
        if let Some(ucum) = row.ucum {
            let listed = t.ucum.split([' ', '(']).next().unwrap();
            assert_eq!(listed, ucum, "{}: UCUM", row.name);
        }
        // Vital kinds' units must be among the TSV's UCUM column for that code.
        if let MdcEntry::Vital { units, .. } = row.entry {
            for r in units
                .iter()
                .filter(|r| r.unit != Unit::DegreeFahrenheit && r.unit != Unit::KiloPascal)
            {
                assert!(
                    t.ucum.contains(r.unit.ucum()),
                    "{}: unit {} not in TSV {:?}",
                    row.name,
                    r.unit.ucum(),
                    t.ucum
                );
            }
        }
    }
}

#[test]
fn codes_are_unique_and_every_type_has_one_row() {
    for (i, a) in MDC_TABLE.iter().enumerate() {
        for b in &MDC_TABLE[i + 1..] {
            assert_ne!(a.code, b.code, "{} / {}", a.name, b.name);
            assert_ne!(a.name, b.name);
        }
        assert_eq!(lookup(a.code).map(|r| r.name), Some(a.name));
    }
    for k in VitalKind::ALL {
        assert_eq!(VitalKind::from_mdc(k.mdc()), Some(*k));
        assert!(!k.units().is_empty(), "{k:?} needs units");
        assert!(k.loinc().is_some(), "{k:?} needs a LOINC");
        assert_eq!(k.mdc().partition, 2);
        for r in k.units() {
            assert_eq!(
                r.min.cmp_numeric(r.max),
                Some(core::cmp::Ordering::Less),
                "{k:?} {:?}",
                r.unit
            );
        }
    }
    for u in Unit::ALL {
        assert_eq!(Unit::from_mdc(u.mdc()), Some(*u));
        assert_eq!(u.mdc().partition, 4);
        assert!(!u.ucum().is_empty());
    }
    for l in EcgLead::ALL {
        assert_eq!(EcgLead::from_mdc(l.mdc()), Some(*l));
    }
}

#[test]
fn known_public_table_mistakes_are_not_repeated() {
    let tsv = tsv();
    // 150324 is MDC_SAT_O2_ART (SaO2), not SpO2.
    assert_eq!(tsv["MDC_SAT_O2_ART"].code32_dec, 150_324);
    assert_eq!(VitalKind::SpO2.mdc().code32(), 150_456);
    assert_eq!(VitalKind::from_mdc(MdcCode::from_code32(150_324)), None);
    assert!(tsv["MDC_PULS_OXIM_SAT_O2"].note.contains("150324"));
    // Lead III is 131389 (term 317); 131331 (term 259) is V1.
    assert_eq!(EcgLead::III.mdc().code32(), 131_389);
    assert_eq!(
        EcgLead::III.mdc().code32(),
        tsv["MDC_ECG_ELEC_POTL_III"].code32_dec
    );
    assert!(MDC_TABLE.iter().all(|r| r.code.code32() != 131_331));
    // 131328 is the generic ECG MDC code, never a LOINC.
    assert_eq!(EcgLead::Unspecified.mdc().code32(), 131_328);
    for row in &MDC_TABLE {
        assert!(
            row.loinc.iter().all(|l| !l.contains("131328")),
            "{}",
            row.name
        );
        assert!(
            row.loinc.iter().all(|l| l.contains('-')),
            "{}: LOINC codes have a check digit",
            row.name
        );
    }
    // ECG leads and units carry no LOINC.
    assert!(
        MDC_TABLE
            .iter()
            .filter(|r| !matches!(r.entry, MdcEntry::Vital { .. }))
            .all(|r| r.loinc.is_empty())
    );
}
