//! Just enough of a dataset's `metadata.json` / `metadata.lua` to fetch and check its files:
//! the checksum table. The generator writes `metadata.lua` as a serpent-style table literal,
//! `checksums = { ["prototype/data-raw/item.lua"] = "0a1b2c3d", … }`; a tiny scanner reads it
//! so fetching never runs dataset code.

use std::collections::BTreeMap;

/// Checksums by dataset-relative path.
pub type Checksums = BTreeMap<String, String>;

/// The checksum table of a `metadata.json`.
pub fn checksums_from_json(text: &str) -> Result<Checksums, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("metadata.json: {e}"))?;
    let table = v.get("checksums").and_then(|c| c.as_object()).ok_or("metadata.json: no `checksums` object")?;
    table
        .iter()
        .map(|(k, v)| {
            v.as_str()
                .map(|s| (k.clone(), s.to_string()))
                .ok_or_else(|| format!("metadata.json: checksum of {k:?} is not a string"))
        })
        .collect()
}

/// The checksum table of a `metadata.lua`.
pub fn checksums_from_lua(text: &str) -> Result<Checksums, String> {
    let mut s = Scanner { b: text.as_bytes(), i: 0 };
    let start = find_word(text, "checksums").ok_or("metadata.lua: no `checksums` table")?;
    s.i = start + "checksums".len();
    s.expect(b'=')?;
    s.expect(b'{')?;
    let mut out = Checksums::new();
    loop {
        match s.peek() {
            Some(b'}') => return Ok(out),
            Some(b'[') => {
                s.i += 1;
                let key = s.string()?;
                s.expect(b']')?;
                s.expect(b'=')?;
                let value = s.string()?;
                out.insert(key, value);
                if s.peek() == Some(b',') || s.peek() == Some(b';') {
                    s.i += 1;
                }
            }
            other => {
                return Err(format!(
                    "metadata.lua: byte {}: expected `[\"path\"] = \"checksum\"` or `}}`, found {:?}",
                    s.i,
                    other.map(char::from)
                ));
            }
        }
    }
}

/// Position of `word` as a whole identifier.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    text.match_indices(word)
        .map(|(i, _)| i)
        .find(|&i| (i == 0 || !ident(b[i - 1])) && b.get(i + word.len()).is_none_or(|&c| !ident(c)))
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    /// Next significant byte, skipping white space and `--` comments.
    fn peek(&mut self) -> Option<u8> {
        loop {
            while self.b.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
                self.i += 1;
            }
            if self.b[self.i.min(self.b.len())..].starts_with(b"--") {
                while self.b.get(self.i).is_some_and(|&c| c != b'\n') {
                    self.i += 1;
                }
                continue;
            }
            return self.b.get(self.i).copied();
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("metadata.lua: byte {}: expected `{}`", self.i, char::from(c)))
        }
    }

    /// A quoted string with the escapes serpent emits (`\\`, `\"`, `\n`, `\ddd`).
    fn string(&mut self) -> Result<String, String> {
        let quote = self
            .peek()
            .filter(|&q| q == b'"' || q == b'\'')
            .ok_or_else(|| format!("metadata.lua: byte {}: expected a string", self.i))?;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = *self.b.get(self.i).ok_or("metadata.lua: unterminated string")?;
            self.i += 1;
            match c {
                _ if c == quote => break,
                b'\\' => {
                    let e = *self.b.get(self.i).ok_or("metadata.lua: unterminated string")?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'0'..=b'9' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.b.get(self.i) {
                                    Some(d @ b'0'..=b'9') => {
                                        v = v * 10 + u32::from(d - b'0');
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(u8::try_from(v).map_err(|_| "metadata.lua: escape above 255")?);
                        }
                        other => out.push(other),
                    }
                }
                b'\n' => return Err("metadata.lua: line break inside a string".into()),
                _ => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| "metadata.lua: a string is not UTF-8".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_forms() {
        let lua = "return {\n  factorio_version = \"2.0.77\", -- the game\n  hash_algorithm = \"adler32\",\n  checksums = {\n    [\"locale/en.cfg\"] = \"0a1b2c3d\",\n    [\"prototype/data-raw/item.lua\"] = \"11e60398\"\n  }\n}\n";
        let c = checksums_from_lua(lua).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c["prototype/data-raw/item.lua"], "11e60398");
        let json = r#"{"factorio_version":"2.0.77","checksums":{"locale/en.cfg":"0a1b2c3d"}}"#;
        assert_eq!(checksums_from_json(json).unwrap()["locale/en.cfg"], "0a1b2c3d");
    }

    #[test]
    fn bad_metadata_is_an_error() {
        for bad in [
            "return {}",
            "return { checksums = { [\"a\" = 1 } }",
            "checksums = { [\"a\"] = \"b",
            "checksums={[\"a\"]=\"\\999\"}",
            "my_checksums = {}",
        ] {
            assert!(checksums_from_lua(bad).is_err(), "{bad}");
        }
        for bad in ["", "{}", r#"{"checksums":{"a":1}}"#] {
            assert!(checksums_from_json(bad).is_err(), "{bad}");
        }
    }
}
