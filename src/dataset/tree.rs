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
pub struct Tree {
    bytes: Bytes,
}

/// The tree's buffer: parsed in this process, or a cache file mapped into memory, so that a new
/// test process reads only the pages of the prototype types it touches.
enum Bytes {
    Owned(Vec<u8>),
    #[cfg(unix)]
    Mapped(mapped::Mapping),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            #[cfg(unix)]
            Bytes::Mapped(m) => m.as_slice(),
        }
    }
}

#[cfg(unix)]
mod mapped {
    use std::os::fd::AsRawFd;

    /// A read-only, private mapping of a whole file. Cache files are replaced by rename, never
    /// rewritten in place, so the mapped bytes cannot change under the reader.
    pub struct Mapping {
        ptr: *mut libc::c_void,
        len: usize,
    }

    // SAFETY: the mapping is read-only and owned; sharing `&[u8]` views across threads is sound.
    unsafe impl Send for Mapping {}
    unsafe impl Sync for Mapping {}

    impl Mapping {
        pub fn open(path: &std::path::Path) -> Option<Mapping> {
            let file = std::fs::File::open(path).ok()?;
            let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
            if len == 0 {
                return None;
            }
            // SAFETY: a fresh mapping of an open file descriptor; checked for MAP_FAILED.
            let ptr = unsafe {
                libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, file.as_raw_fd(), 0)
            };
            (ptr != libc::MAP_FAILED).then_some(Mapping { ptr, len })
        }

        pub fn as_slice(&self) -> &[u8] {
            // SAFETY: ptr..ptr+len is mapped readable for the lifetime of self.
            unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) }
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: unmapping exactly what `open` mapped.
            unsafe { libc::munmap(self.ptr, self.len) };
        }
    }
}

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
        Ok(Tree { bytes: Bytes::Owned(bytes) })
    }

    /// Takes a tree stored by [`Tree::as_bytes`], checking its header and outline.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Tree, TreeError> {
        Tree::checked(Bytes::Owned(bytes))
    }

    /// Opens a stored tree file: mapped into memory where the platform allows, else read.
    pub fn from_file(path: &std::path::Path) -> Result<Tree, TreeError> {
        #[cfg(unix)]
        if let Some(mapping) = mapped::Mapping::open(path) {
            return Tree::checked(Bytes::Mapped(mapping));
        }
        let bytes = std::fs::read(path).map_err(|_| TreeError::Corrupt { offset: 0, message: "unreadable" })?;
        Tree::checked(Bytes::Owned(bytes))
    }

    fn checked(bytes: Bytes) -> Result<Tree, TreeError> {
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
        for (word, value) in [(&b"inf"[..], f64::INFINITY), (b"Infinity", f64::INFINITY), (b"NaN", f64::NAN), (b"nan", f64::NAN)] {
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
}
