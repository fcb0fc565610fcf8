//! A TOML subset for `docs/controls.toml`: `[[table]]` headers, `key = "string" |
//! """multi-line""" | '''literal''' | ["array", "of", "strings"]`, comments. Anything else
//! is an error, never a guess.

// ["array", "of", "strings"]`, comments. Anything else is an error, never a guess.

pub(super) struct Table {
    pub(super) name: String,
    pub(super) index: usize,
    entries: Vec<(String, TomlValue)>,
}

enum TomlValue {
    Str(String),
    List(Vec<String>),
}

impl Table {
    pub(super) fn string(&self, key: &str) -> Option<String> {
        self.entries.iter().find_map(|(k, v)| match v {
            TomlValue::Str(s) if k == key => Some(s.clone()),
            _ => None,
        })
    }

    pub(super) fn list(&self, key: &str) -> Vec<String> {
        self.entries
            .iter()
            .find_map(|(k, v)| match v {
                TomlValue::List(l) if k == key => Some(l.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }
}

struct Cursor<'a> {
    rest: &'a str,
    line: usize,
}

impl Cursor<'_> {
    fn err(&self, what: &str) -> String {
        format!("line {}: {what}", self.line)
    }

    fn bump(&mut self, n: usize) -> &str {
        let (taken, rest) = self.rest.split_at(n.min(self.rest.len()));
        self.line += taken.matches('\n').count();
        self.rest = rest;
        taken
    }

    /// Skips spaces, tabs, and (if `newlines`) newlines and comments.
    fn skip(&mut self, newlines: bool) {
        loop {
            let c = self.rest.chars().next();
            match c {
                Some(' ' | '\t' | '\r') => {
                    self.bump(1);
                }
                Some('\n') if newlines => {
                    self.bump(1);
                }
                Some('#') if newlines => {
                    let n = self.rest.find('\n').unwrap_or(self.rest.len());
                    self.bump(n);
                }
                _ => return,
            }
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.rest.starts_with(token) {
            self.bump(token.len());
            Ok(())
        } else {
            Err(self.err(&format!("expected `{token}`")))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        for (open, raw) in [("\"\"\"", false), ("'''", true), ("\"", false), ("'", true)] {
            if !self.rest.starts_with(open) {
                continue;
            }
            self.bump(open.len());
            if open.len() == 3 && self.rest.starts_with('\n') {
                self.bump(1);
            }
            let mut out = String::new();
            loop {
                if self.rest.starts_with(open) {
                    self.bump(open.len());
                    return Ok(out);
                }
                let Some(c) = self.rest.chars().next() else {
                    return Err(self.err("unterminated string"));
                };
                if c == '\n' && open.len() == 1 {
                    return Err(self.err("newline in a one-line string"));
                }
                self.bump(c.len_utf8());
                if c != '\\' || raw {
                    out.push(c);
                    continue;
                }
                let Some(e) = self.rest.chars().next() else {
                    return Err(self.err("unterminated escape"));
                };
                self.bump(e.len_utf8());
                match e {
                    '"' | '\\' => out.push(e),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    '\n' => self.skip(true),
                    _ => return Err(self.err(&format!("unsupported escape \\{e}"))),
                }
            }
        }
        Err(self.err("expected a string"))
    }

    fn value(&mut self) -> Result<TomlValue, String> {
        if !self.rest.starts_with('[') {
            return self.string().map(TomlValue::Str);
        }
        self.bump(1);
        let mut items = Vec::new();
        loop {
            self.skip(true);
            if self.rest.starts_with(']') {
                self.bump(1);
                return Ok(TomlValue::List(items));
            }
            items.push(self.string()?);
            self.skip(true);
            if self.rest.starts_with(',') {
                self.bump(1);
            } else if !self.rest.starts_with(']') {
                return Err(self.err("expected `,` or `]`"));
            }
        }
    }
}

pub(super) fn parse_toml(text: &str) -> Result<Vec<Table>, String> {
    let mut cur = Cursor {
        rest: text,
        line: 1,
    };
    let mut tables: Vec<Table> = Vec::new();
    loop {
        cur.skip(true);
        if cur.rest.is_empty() {
            return Ok(tables);
        }
        if cur.rest.starts_with("[[") {
            cur.bump(2);
            let end = cur
                .rest
                .find("]]")
                .ok_or_else(|| cur.err("expected `]]`"))?;
            let name = cur.bump(end).trim().to_owned();
            cur.bump(2);
            let index = tables.iter().filter(|t| t.name == name).count() + 1;
            tables.push(Table {
                name,
                index,
                entries: Vec::new(),
            });
            continue;
        }
        let key_len = cur
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(cur.rest.len());
        if key_len == 0 {
            return Err(cur.err("expected a key or `[[table]]`"));
        }
        let key = cur.bump(key_len).to_owned();
        cur.skip(false);
        cur.expect("=")?;
        cur.skip(false);
        let value = cur.value()?;
        cur.skip(false);
        if cur.rest.starts_with('#') || cur.rest.starts_with('\n') || cur.rest.is_empty() {
            let line = cur.line;
            let table = tables
                .last_mut()
                .ok_or_else(|| format!("line {line}: key outside a [[table]]"))?;
            if table.entries.iter().any(|(k, _)| *k == key) {
                return Err(format!("line {line}: duplicate key `{key}`"));
            }
            table.entries.push((key, value));
        } else {
            return Err(cur.err("expected the end of the line"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_subset() {
        let doc = parse_toml(
            "# c\n[[control]]\nid = \"A\" # x\nlist = [\n  \"a\", # one\n  'b',\n]\n\
             text = \"\"\"\nline \\\"1\\\"\nline 2\"\"\"\n[[control]]\nid = 'B'\n",
        )
        .map_err(|e| e.to_string());
        let doc = doc.as_deref().unwrap_or_default();
        assert_eq!(doc.len(), 2);
        assert_eq!(doc[0].string("id").as_deref(), Some("A"));
        assert_eq!(doc[0].list("list"), ["a", "b"]);
        assert_eq!(doc[0].string("text").as_deref(), Some("line \"1\"\nline 2"));
        assert_eq!(doc[1].index, 2);
        assert!(parse_toml("[[t]]\nx = 1\n").is_err());
        assert!(parse_toml("[[t]]\nx = \"a\" y\n").is_err());
        assert!(parse_toml("[[t]]\nx = \"a\"\nx = \"b\"\n").is_err());
    }
}
