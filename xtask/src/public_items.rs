//! `cargo xtask public-items [--root DIR] [CRATE...]`: counts the public items of the
//! library crates (default: iomt-core, iomt-crypto, iomt-auth, iomt-proto) and prints a
//! table, so API-surface changes are measured the same way before and after.
//!
//! Method: `cargo +nightly rustdoc -p CRATE --all-features -- -Z unstable-options
//! --output-format json` (nightly rustdoc JSON), then the `paths` map of that JSON.
//!
//! Counting rule: one item per `paths` entry with `crate_id` 0 (defined in this crate).
//! rustdoc puts in `paths` exactly the items a downstream crate can name by path:
//! modules, structs, enums, enum variants, traits, functions, constants, statics, type
//! aliases and macros — including `#[doc(hidden)]` ones (`__fuzz`) and items reached
//! only through a public re-export (counted once, under their defining path). Not
//! counted: impls, methods and associated items, struct fields (they have no entry of
//! their own). The table shows the total, the total without enum variants, and the
//! count per kind.
//!
//! `--root DIR` runs in another checkout of the workspace (e.g. `--root ../main` for the
//! "before" numbers); the JSON goes to that run's `CARGO_TARGET_DIR` (or `DIR/target`).
//!
//! Errors: a failing rustdoc run, or JSON that does not parse.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::step::{nightly_cargo, run, workspace_root};

/// The no_std library crates whose API surface we track.
const LIBRARY_CRATES: [&str; 4] = ["iomt-core", "iomt-crypto", "iomt-auth", "iomt-proto"];

/// `cargo xtask public-items [--root DIR] [CRATE...]`.
pub(crate) fn public_items(args: &[String]) -> Result<(), String> {
    let mut root = workspace_root();
    let mut crates = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--root" {
            root = PathBuf::from(it.next().ok_or("--root needs a directory")?);
        } else {
            crates.push(a.clone());
        }
    }
    if crates.is_empty() {
        crates = LIBRARY_CRATES.iter().map(|c| (*c).to_owned()).collect();
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let mut rows = Vec::new();
    for krate in &crates {
        run(nightly_cargo()
            .args(["rustdoc", "-q", "-p", krate, "--all-features", "--"])
            .args(["-Z", "unstable-options", "--output-format", "json"])
            .current_dir(&root))?;
        let file = target
            .join("doc")
            .join(format!("{}.json", krate.replace('-', "_")));
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        rows.push((krate.clone(), count_kinds(&text)?));
    }
    print_table(&rows);
    Ok(())
}

/// Per-kind counts of the crate's own `paths` entries (the rule in the module docs).
fn count_kinds(json: &str) -> Result<BTreeMap<String, usize>, String> {
    let doc = Parser::new(json).document()?;
    let Json::Object(paths) = doc.get("paths").ok_or("no `paths` in the rustdoc JSON")? else {
        return Err("`paths` is not an object".into());
    };
    let mut kinds = BTreeMap::new();
    for (_, entry) in paths {
        if matches!(entry.get("crate_id"), Some(Json::Number(n)) if n == "0")
            && let Some(Json::String(kind)) = entry.get("kind")
        {
            *kinds.entry(kind.clone()).or_insert(0) += 1;
        }
    }
    Ok(kinds)
}

fn print_table(rows: &[(String, BTreeMap<String, usize>)]) {
    let mut all_kinds: Vec<&String> = rows.iter().flat_map(|(_, k)| k.keys()).collect();
    all_kinds.sort();
    all_kinds.dedup();
    print!("{:<14}{:>7}{:>12}", "crate", "total", "w/o variant");
    for k in &all_kinds {
        print!(" {k:>10}");
    }
    println!();
    for (krate, kinds) in rows {
        let total: usize = kinds.values().sum();
        let variants = kinds.get("variant").copied().unwrap_or(0);
        print!("{krate:<14}{total:>7}{:>12}", total - variants);
        for k in &all_kinds {
            print!(" {:>10}", kinds.get(*k).copied().unwrap_or(0));
        }
        println!();
    }
}

/// A JSON value; numbers are kept as their text.
enum Json {
    Null,
    Bool,
    Number(String),
    String(String),
    Array,
    Object(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Self::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A minimal JSON parser (xtask has no dependencies); arrays are skipped, not kept.
struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn document(&mut self) -> Result<Json, String> {
        let v = self.value()?;
        self.ws();
        if self.pos == self.bytes.len() {
            Ok(v)
        } else {
            Err(self.error("trailing data"))
        }
    }

    fn error(&self, what: &str) -> String {
        format!("rustdoc JSON: {what} at byte {}", self.pos)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        self.ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", char::from(b))))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => {
                self.pos += 1;
                self.sequence(b']', |p| p.value().map(drop))?;
                Ok(Json::Array)
            }
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true", Json::Bool),
            Some(b'f') => self.literal("false", Json::Bool),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                let text = String::from_utf8_lossy(&self.bytes[start..self.pos]);
                Ok(Json::Number(text.into_owned()))
            }
            _ => Err(self.error("expected a value")),
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error("bad literal"))
        }
    }

    /// Elements separated by commas up to `close` (the opening bracket is consumed).
    fn sequence(
        &mut self,
        close: u8,
        mut element: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(());
        }
        loop {
            element(self)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or a closing bracket")),
            }
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.pos += 1;
        let mut members = Vec::new();
        self.sequence(b'}', |p| {
            p.ws();
            let key = p.string()?;
            p.expect(b':')?;
            members.push((key, p.value()?));
            Ok(())
        })?;
        Ok(Json::Object(members))
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let b = self
                .peek()
                .ok_or_else(|| self.error("unterminated string"))?;
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let e = self.peek().ok_or_else(|| self.error("bad escape"))?;
                    self.pos += 1;
                    match e {
                        b'u' => {
                            // Kept as `?`: item names and kinds are ASCII identifiers.
                            self.pos += 4;
                            out.push(b'?');
                        }
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' | b'f' => {}
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::count_kinds;

    #[test]
    fn counts_own_paths_by_kind() {
        let json = r#"{"index":{"1":{"x":[1,2,{"y":null}]}},"paths":{
            "1":{"crate_id":0,"path":["c","A"],"kind":"struct"},
            "2":{"crate_id":0,"path":["c","E","V"],"kind":"variant"},
            "3":{"crate_id":4,"path":["core","B"],"kind":"struct"},
            "4":{"crate_id":0,"path":["c","\"q\\u00e9"],"kind":"struct"}},"format_version":57}"#;
        let kinds = count_kinds(json).unwrap();
        assert_eq!(kinds.get("struct"), Some(&2));
        assert_eq!(kinds.get("variant"), Some(&1));
        assert_eq!(kinds.len(), 2);
    }
}
