//! The compact prototype tree: `data.raw` parsed once into one flat byte buffer.
//!
//! Parsing JSON is the slow part of loading a dataset; building Lua tables from an already
//! parsed tree is not. So a dataset is parsed once (per process, and once per machine through
//! the cache), and each prototype type is turned into Lua tables only when a test reads it.
//!
//! Wire format, little-endian, one value = a tag byte then its payload:
//!
//! | tag | value  | payload                                                   |
//! |-----|--------|-----------------------------------------------------------|
//! | 0   | null   | –                                                         |
//! | 1,2 | false, true | –                                                    |
//! | 3   | int    | `i32`                                                     |
//! | 4   | float  | `f64`                                                     |
//! | 5   | int    | `i64` (only when it does not fit `i32`)                   |
//! | 6   | string | `u32` length, bytes                                       |
//! | 7   | array  | `u32` count, `u32` end offset, values                     |
//! | 8   | object | `u32` count, `u32` end offset, (`u32` length, key bytes, value)… |
//!
//! The end offset lets a reader skip a whole prototype type without walking it.

use std::fmt;

const MAGIC: &[u8; 8] = b"FMTREE\x01\x00";
/// Deeper nesting than this is refused, so hostile input cannot overflow the stack.
pub const MAX_DEPTH: usize = 200;

pub const TAG_NULL: u8 = 0;
pub const TAG_FALSE: u8 = 1;
pub const TAG_TRUE: u8 = 2;
pub const TAG_I32: u8 = 3;
pub const TAG_F64: u8 = 4;
pub const TAG_I64: u8 = 5;
pub const TAG_STR: u8 = 6;
pub const TAG_ARR: u8 = 7;
pub const TAG_OBJ: u8 = 8;

/// Why a JSON text or a stored tree could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum TreeError {
    /// The JSON text is malformed at `line:column`.
    Json { line: usize, column: usize, message: String },
    /// The stored tree is damaged (a cache file cut short or overwritten).
    Corrupt { offset: usize, message: &'static str },
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeError::Json { line, column, message } => write!(f, "{line}:{column}: {message}"),
            TreeError::Corrupt { offset, message } => {
                write!(f, "damaged prototype tree at offset {offset:#x}: {message}")
            }
        }
    }
}

impl std::error::Error for TreeError {}

/// A parsed `data.raw` (or any JSON document) in the compact form.
///
/// The buffer is always this process's own memory: a stored tree is read, never mapped, since
/// a mapping of a file another process truncates or rewrites crashes the reader (SIGBUS).
pub struct Tree {
    bytes: Vec<u8>,
}

/// The trailer of a stored tree file: `u32` Adler-32 of the tree bytes, `u64` their length,
/// then these four bytes. A file cut short, grown or changed in place fails the check.
const STORED_MAGIC: &[u8; 4] = b"FMT\x01";
const TRAILER_LEN: usize = 16;

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tree({} bytes)", self.bytes.len())
    }
}

impl Tree {
    /// Parses a JSON text. Besides strict JSON it accepts `inf`, `-inf`, `nan` and
    /// `Infinity`/`NaN`, which JSON writers emit for Lua's `math.huge`.
    pub fn from_json(text: &[u8]) -> Result<Tree, TreeError> {
        let mut parser = JsonParser { text, pos: 0, out: Vec::with_capacity(text.len()) };
        parser.out.extend_from_slice(MAGIC);
        // A UTF-8 byte order mark is not JSON, but editors write it.
        if text.starts_with(b"\xEF\xBB\xBF") {
            parser.pos = 3;
        }
        parser.skip_ws();
        parser.value(0)?;
        parser.skip_ws();
        if parser.pos != text.len() {
            return Err(parser.error("unexpected text after the JSON value"));
        }
        let mut bytes = parser.out;
        bytes.shrink_to_fit();
        Ok(Tree { bytes })
    }

    /// Takes a tree stored by [`Tree::as_bytes`], checking its header and outline.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Tree, TreeError> {
        Tree::checked(bytes)
    }

    /// Takes a stored tree file's bytes, as [`Tree::write_stored`] wrote them: the trailer's
    /// length and Adler-32 must match, then the header and outline.
    pub fn from_stored(mut bytes: Vec<u8>) -> Result<Tree, TreeError> {
        let Some(body) = bytes.len().checked_sub(TRAILER_LEN) else {
            return Err(TreeError::Corrupt { offset: 0, message: "stored tree cut short (no trailer)" });
        };
        let trailer = &bytes[body..];
        if &trailer[12..] != STORED_MAGIC {
            return Err(TreeError::Corrupt { offset: body, message: "stored tree without its trailer" });
        }
        let len = u64::from_le_bytes(read_8(trailer, 4)?);
        if len != body as u64 {
            return Err(TreeError::Corrupt {
                offset: body,
                message: "stored tree of the wrong length (cut short or grown)",
            });
        }
        let sum = read_u32(trailer, 0)?;
        if zlib_rs::adler32::adler32(1, &bytes[..body]) != sum {
            return Err(TreeError::Corrupt {
                offset: body,
                message: "stored tree changed since it was written (checksum)",
            });
        }
        bytes.truncate(body);
        Tree::checked(bytes)
    }

    /// Reads a stored tree file into memory (see [`Tree::from_stored`]).
    pub fn from_file(path: &std::path::Path) -> Result<Tree, TreeError> {
        let bytes = std::fs::read(path).map_err(|_| TreeError::Corrupt { offset: 0, message: "unreadable" })?;
        Tree::from_stored(bytes)
    }

    /// Writes the stored form: the tree bytes, then the trailer [`Tree::from_stored`] checks.
    pub fn write_stored(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        out.write_all(&self.bytes)?;
        let mut trailer = [0u8; TRAILER_LEN];
        trailer[..4].copy_from_slice(&zlib_rs::adler32::adler32(1, &self.bytes).to_le_bytes());
        trailer[4..12].copy_from_slice(&(self.bytes.len() as u64).to_le_bytes());
        trailer[12..].copy_from_slice(STORED_MAGIC);
        out.write_all(&trailer)
    }

    fn checked(bytes: Vec<u8>) -> Result<Tree, TreeError> {
        if !bytes.starts_with(MAGIC) {
            return Err(TreeError::Corrupt { offset: 0, message: "not a prototype tree (bad header)" });
        }
        let tree = Tree { bytes };
        let end = skip(&tree.bytes, MAGIC.len())?;
        if end != tree.bytes.len() {
            return Err(TreeError::Corrupt { offset: end, message: "trailing bytes" });
        }
        Ok(tree)
    }

    /// The stored form, to write into the cache.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The whole buffer; values start at [`Tree::root`].
    pub fn buffer(&self) -> &[u8] {
        &self.bytes
    }

    /// Offset of the root value.
    pub fn root(&self) -> usize {
        MAGIC.len()
    }

    /// The root object's entries as (key, value offset), in document order.
    /// For `data.raw` these are the prototype types.
    pub fn root_entries(&self) -> Result<Vec<(String, usize)>, TreeError> {
        object_entries(&self.bytes, self.root())
    }
}

/// The (key, value offset) pairs of the object at `pos`.
pub fn object_entries(bytes: &[u8], pos: usize) -> Result<Vec<(String, usize)>, TreeError> {
    if bytes.get(pos) != Some(&TAG_OBJ) {
        return Err(TreeError::Corrupt { offset: pos, message: "expected an object" });
    }
    let count = read_u32(bytes, pos + 1)? as usize;
    let mut at = pos + 9;
    let mut entries = Vec::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        let (key, value) = read_str(bytes, at)?;
        entries.push((String::from_utf8_lossy(key).into_owned(), value));
        at = skip(bytes, value)?;
    }
    Ok(entries)
}

/// Reads the `u32` at `pos`.
pub fn read_u32(bytes: &[u8], pos: usize) -> Result<u32, TreeError> {
    match bytes.get(pos..pos + 4) {
        Some(b) => Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        None => Err(cut_short(pos)),
    }
}

/// Reads 8 bytes at `pos`.
pub fn read_8(bytes: &[u8], pos: usize) -> Result<[u8; 8], TreeError> {
    match bytes.get(pos..pos + 8) {
        Some(b) => Ok([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        None => Err(cut_short(pos)),
    }
}

/// Reads a length-prefixed string at `pos`: its bytes and the offset after it.
pub fn read_str(bytes: &[u8], pos: usize) -> Result<(&[u8], usize), TreeError> {
    let len = read_u32(bytes, pos)? as usize;
    let start = pos + 4;
    match bytes.get(start..start + len) {
        Some(s) => Ok((s, start + len)),
        None => Err(cut_short(pos)),
    }
}

fn cut_short(offset: usize) -> TreeError {
    TreeError::Corrupt { offset, message: "cut short" }
}

/// The offset just past the value at `pos`.
pub fn skip(bytes: &[u8], pos: usize) -> Result<usize, TreeError> {
    let end = match bytes.get(pos) {
        Some(&(TAG_NULL | TAG_FALSE | TAG_TRUE)) => pos + 1,
        Some(&TAG_I32) => pos + 5,
        Some(&(TAG_F64 | TAG_I64)) => pos + 9,
        Some(&TAG_STR) => read_str(bytes, pos + 1)?.1,
        Some(&(TAG_ARR | TAG_OBJ)) => read_u32(bytes, pos + 5)? as usize,
        Some(_) => return Err(TreeError::Corrupt { offset: pos, message: "unknown tag" }),
        None => return Err(cut_short(pos)),
    };
    if end > bytes.len() || end <= pos {
        return Err(cut_short(pos));
    }
    Ok(end)
}

struct JsonParser<'a> {
    text: &'a [u8],
    pos: usize,
    out: Vec<u8>,
}

impl JsonParser<'_> {
    fn error(&self, message: impl Into<String>) -> TreeError {
        let upto = &self.text[..self.pos.min(self.text.len())];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = upto.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        TreeError::Json { line, column, message: message.into() }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> Result<(), TreeError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                self.out.push(TAG_STR);
                self.string()
            }
            Some(b't') => self.word(b"true", TAG_TRUE),
            Some(b'f') => self.word(b"false", TAG_FALSE),
            Some(b'n') if self.text[self.pos..].starts_with(b"nan") => self.float_word(b"nan", f64::NAN),
            Some(b'n') => self.word(b"null", TAG_NULL),
            Some(b'-' | b'0'..=b'9' | b'i' | b'I' | b'N') => self.number(),
            Some(c) => Err(self.error(format!("unexpected character {:?}", c as char))),
            None => Err(self.error("unexpected end of text")),
        }
    }

    fn word(&mut self, word: &[u8], tag: u8) -> Result<(), TreeError> {
        if !self.text[self.pos..].starts_with(word) {
            return Err(self.error("unexpected word; expected a JSON value"));
        }
        self.pos += word.len();
        self.out.push(tag);
        Ok(())
    }

    fn float_word(&mut self, word: &[u8], value: f64) -> Result<(), TreeError> {
        self.pos += word.len();
        self.push_f64(value);
        Ok(())
    }

    fn push_f64(&mut self, value: f64) {
        self.out.push(TAG_F64);
        self.out.extend_from_slice(&value.to_le_bytes());
    }

    /// Reserves count and end slots; returns where they are.
    fn open_container(&mut self, tag: u8) -> usize {
        self.out.push(tag);
        let at = self.out.len();
        self.out.extend_from_slice(&[0; 8]);
        at
    }

    fn close_container(&mut self, at: usize, count: u32) -> Result<(), TreeError> {
        let end = u32::try_from(self.out.len()).map_err(|_| self.error("dataset larger than 4 GiB"))?;
        self.out[at..at + 4].copy_from_slice(&count.to_le_bytes());
        self.out[at + 4..at + 8].copy_from_slice(&end.to_le_bytes());
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<(), TreeError> {
        self.pos += 1;
        let at = self.open_container(TAG_OBJ);
        let mut count = 0u32;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return self.close_container(at, 0);
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            self.value(depth + 1)?;
            count += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return self.close_container(at, count);
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), TreeError> {
        self.pos += 1;
        let at = self.open_container(TAG_ARR);
        let mut count = 0u32;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return self.close_container(at, 0);
        }
        loop {
            self.skip_ws();
            self.value(depth + 1)?;
            count += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return self.close_container(at, count);
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    /// Writes a length-prefixed, unescaped string (the tag, if any, is already written).
    fn string(&mut self) -> Result<(), TreeError> {
        self.pos += 1;
        let len_at = self.out.len();
        self.out.extend_from_slice(&[0; 4]);
        let start = self.out.len();
        loop {
            // Copy the run of plain bytes in one go: most strings have no escapes.
            let rest = &self.text[self.pos..];
            let run = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            let Some(run) = run else {
                return Err(self.error("unterminated string"));
            };
            self.out.extend_from_slice(&rest[..run]);
            self.pos += run;
            match self.text[self.pos] {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => self.escape()?,
                _ => return Err(self.error("control character in a string; escape it")),
            }
        }
        let len = u32::try_from(self.out.len() - start).map_err(|_| self.error("string too long"))?;
        self.out[len_at..len_at + 4].copy_from_slice(&len.to_le_bytes());
        Ok(())
    }

    fn escape(&mut self) -> Result<(), TreeError> {
        let Some(&c) = self.text.get(self.pos + 1) else {
            return Err(self.error("unterminated escape"));
        };
        self.pos += 2;
        let byte = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let mut code = self.hex4()?;
                if (0xD800..0xDC00).contains(&code) && self.text[self.pos..].starts_with(b"\\u") {
                    self.pos += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("unpaired surrogate in \\u escape"));
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                let ch = char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))?;
                let mut buf = [0; 4];
                self.out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                return Ok(());
            }
            _ => return Err(self.error(format!("unknown escape \\{}", c as char))),
        };
        self.out.push(byte);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, TreeError> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or_else(|| self.error("short \\u escape"))?;
        let text = std::str::from_utf8(digits).map_err(|_| self.error("invalid \\u escape"))?;
        let code = u32::from_str_radix(text, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(code)
    }

    fn number(&mut self) -> Result<(), TreeError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        for (word, value) in
            [(&b"inf"[..], f64::INFINITY), (b"Infinity", f64::INFINITY), (b"NaN", f64::NAN), (b"nan", f64::NAN)]
        {
            if self.text[self.pos..].starts_with(word) {
                self.pos += word.len();
                self.push_f64(if negative { -value } else { value });
                return Ok(());
            }
        }
        let mut integer = true;
        while let Some(c) = self.peek() {
            match c {
                b'0'..=b'9' => {}
                b'.' | b'e' | b'E' | b'+' | b'-' => integer = false,
                _ => break,
            }
            self.pos += 1;
        }
        // Only ASCII digits and signs were consumed, so this is valid UTF-8.
        let text = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("");
        if integer {
            if let Ok(v) = text.parse::<i64>() {
                if let Ok(small) = i32::try_from(v) {
                    self.out.push(TAG_I32);
                    self.out.extend_from_slice(&small.to_le_bytes());
                } else {
                    self.out.push(TAG_I64);
                    self.out.extend_from_slice(&v.to_le_bytes());
                }
                return Ok(());
            }
        }
        match text.parse::<f64>() {
            Ok(v) if !text.is_empty() && text != "-" => {
                self.push_f64(v);
                Ok(())
            }
            _ => {
                self.pos = start;
                Err(self.error(format!("invalid number {text:?}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a tree back as compact JSON-ish text, to compare with expectations.
    fn render(bytes: &[u8], pos: usize, out: &mut String) -> usize {
        match bytes[pos] {
            TAG_NULL => out.push_str("null"),
            TAG_FALSE => out.push_str("false"),
            TAG_TRUE => out.push_str("true"),
            TAG_I32 => out.push_str(&i32::from_le_bytes(bytes[pos + 1..pos + 5].try_into().unwrap()).to_string()),
            TAG_I64 => out.push_str(&i64::from_le_bytes(read_8(bytes, pos + 1).unwrap()).to_string()),
            TAG_F64 => out.push_str(&format!("{:?}", f64::from_le_bytes(read_8(bytes, pos + 1).unwrap()))),
            TAG_STR => {
                let (s, _) = read_str(bytes, pos + 1).unwrap();
                out.push_str(&format!("{:?}", String::from_utf8_lossy(s)));
            }
            TAG_ARR => {
                let count = read_u32(bytes, pos + 1).unwrap();
                out.push('[');
                let mut at = pos + 9;
                for i in 0..count {
                    if i > 0 {
                        out.push(',');
                    }
                    at = render(bytes, at, out);
                }
                out.push(']');
            }
            TAG_OBJ => {
                out.push('{');
                for (i, (k, v)) in object_entries(bytes, pos).unwrap().into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!("{k:?}:"));
                    render(bytes, v, out);
                }
                out.push('}');
            }
            _ => unreachable!(),
        }
        skip(bytes, pos).unwrap()
    }

    fn roundtrip(json: &str) -> String {
        let tree = Tree::from_json(json.as_bytes()).unwrap();
        let mut out = String::new();
        render(tree.buffer(), tree.root(), &mut out);
        out
    }

    #[test]
    fn parses_json_values_into_the_compact_form() {
        let cases = [
            ("1", "1"),
            ("-7", "-7"),
            ("4294967296", "4294967296"),
            ("0.5", "0.5"),
            ("5e-05", "5e-5"),
            ("-inf", "-inf"),
            ("inf", "inf"),
            ("true", "true"),
            ("null", "null"),
            (r#""a\/b\n\u00e9\ud83d\ude00""#, "\"a/b\\né😀\""),
            (r#"{"a": [1, 2, {}], "b": {"c": false}}"#, r#"{"a":[1,2,{}],"b":{"c":false}}"#),
            ("[]", "[]"),
        ];
        for (json, want) in cases {
            assert_eq!(roundtrip(json), want, "{json}");
        }
    }

    #[test]
    fn reports_line_and_column_of_bad_json() {
        let cases = [
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "expected ':' after the key"),
            ("[1, 2", 1, 6, "expected ',' or ']' in an array"),
            ("\"abc", 1, 2, "unterminated string"),
            ("{\"a\": tru}", 1, 7, "unexpected word; expected a JSON value"),
            ("[1] x", 1, 5, "unexpected text after the JSON value"),
            ("[-]", 1, 2, "invalid number \"-\""),
        ];
        for (json, line, column, message) in cases {
            let err = Tree::from_json(json.as_bytes()).unwrap_err();
            assert_eq!(err, TreeError::Json { line, column, message: message.into() }, "{json:?}");
        }
    }

    #[test]
    fn refuses_nesting_deeper_than_the_limit() {
        let deep = "[".repeat(MAX_DEPTH + 2);
        let err = Tree::from_json(deep.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }

    #[test]
    fn stored_trees_round_trip_and_damage_is_detected() {
        let tree = Tree::from_json(br#"{"recipe": {"gear": {"amount": 2}}, "item": {}}"#).unwrap();
        let again = Tree::from_bytes(tree.as_bytes().to_vec()).unwrap();
        let types: Vec<String> = again.root_entries().unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(types, ["recipe", "item"]);
        let mut cut = tree.as_bytes().to_vec();
        cut.truncate(cut.len() - 3);
        assert!(matches!(Tree::from_bytes(cut), Err(TreeError::Corrupt { .. })));
        assert!(matches!(Tree::from_bytes(b"garbage".to_vec()), Err(TreeError::Corrupt { offset: 0, .. })));
    }

    // See: issue 13 (a stored tree changed by another process crashed or misled the reader).
    #[test]
    fn stored_files_are_checked_whole() {
        let tree = Tree::from_json(br#"{"recipe": {"gear": {"amount": 2, "name": "gear"}}, "item": {}}"#).unwrap();
        let mut stored = Vec::new();
        tree.write_stored(&mut stored).unwrap();
        assert_eq!(Tree::from_stored(stored.clone()).unwrap().as_bytes(), tree.as_bytes());
        let mut flipped = stored.clone();
        flipped[20] ^= 0x01;
        let mut grown = stored.clone();
        grown.insert(10, 0);
        let damaged: [(&str, Vec<u8>); 6] = [
            ("empty", Vec::new()),
            ("cut", stored[..stored.len() / 2].to_vec()),
            ("no trailer", tree.as_bytes().to_vec()),
            ("bit flip", flipped),
            ("grown", grown),
            ("zeroed", vec![0; stored.len()]),
        ];
        for (name, bytes) in damaged {
            assert!(matches!(Tree::from_stored(bytes), Err(TreeError::Corrupt { .. })), "{name}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, &stored).unwrap();
        let read = Tree::from_file(&path).unwrap();
        // Truncating the file afterwards cannot reach the tree: it is this process's memory.
        std::fs::File::create(&path).unwrap();
        assert_eq!(read.root_entries().unwrap().len(), 2);
        assert!(Tree::from_file(&path).is_err());
    }
}
