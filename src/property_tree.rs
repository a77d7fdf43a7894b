//! The game's property tree, the binary format inside `mod-settings.dat`.
//!
//! Wire format (little-endian; <https://wiki.factorio.com/Property_tree>,
//! <https://wiki.factorio.com/Data_types>):
//!
//! | node          | after the type byte and the any-type bool                          |
//! |---------------|--------------------------------------------------------------------|
//! | 0 none        | nothing                                                            |
//! | 1 bool        | one byte, 0 or 1                                                   |
//! | 2 number      | f64                                                                |
//! | 3 string      | bool "no string"; if false: space-optimised length, then the bytes |
//! | 4 list        | u32 count, then count × (string key, node)                         |
//! | 5 dictionary  | same as list                                                       |
//! | 6 int64       | i64 (Factorio 2.0)                                                 |
//! | 7 uint64      | u64 (Factorio 2.0)                                                 |
//!
//! A space-optimised length is one byte when below 255, else 255 then a u32.
//!
//! Everything needed to write the same bytes back is kept: the any-type flag, dictionary
//! order, raw (not necessarily UTF-8) string bytes, and the rare non-canonical encodings
//! (a long length form for a short string). [`read`] and [`write`] mirror each other:
//! every `read_x` below has a `write_x` in the same order.

use std::fmt;

/// The type byte of a node.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyType {
    /// No value.
    None = 0,
    /// `true`/`false`.
    Bool = 1,
    /// A double.
    Number = 2,
    /// A byte string, possibly absent.
    String = 3,
    /// Keyed elements whose keys are usually absent.
    List = 4,
    /// Ordered keyed elements.
    Dictionary = 5,
    /// A signed 64-bit integer (2.0 and later).
    Int64 = 6,
    /// An unsigned 64-bit integer (2.0 and later).
    UInt64 = 7,
}

impl TryFrom<u8> for PropertyType {
    type Error = u8;
    fn try_from(b: u8) -> Result<Self, u8> {
        Ok(match b {
            0 => Self::None,
            1 => Self::Bool,
            2 => Self::Number,
            3 => Self::String,
            4 => Self::List,
            5 => Self::Dictionary,
            6 => Self::Int64,
            7 => Self::UInt64,
            other => return Err(other),
        })
    }
}

impl PropertyType {
    /// The lowercase name used in JSON dumps and Lua (`"int64"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Bool => "bool",
            Self::Number => "number",
            Self::String => "string",
            Self::List => "list",
            Self::Dictionary => "dictionary",
            Self::Int64 => "int64",
            Self::UInt64 => "uint64",
        }
    }

    /// The inverse of [`PropertyType::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        (0u8..=7).filter_map(|b| Self::try_from(b).ok()).find(|t| t.name() == name)
    }
}

/// A property-tree string: raw bytes, or absent ("no string" flag set).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PtString {
    /// `None` when the "no string" flag is set; list keys are usually absent.
    pub bytes: Option<Vec<u8>>,
    /// The length was written in the long form (255 + u32) although it is below 255.
    /// The game never does this; kept only so such a file round-trips.
    pub long_len: bool,
}

impl PtString {
    /// A present string, canonically encoded.
    pub fn new(s: impl Into<Vec<u8>>) -> Self {
        Self { bytes: Some(s.into()), long_len: false }
    }

    /// An absent string (the "no string" flag), as list keys are written.
    pub fn absent() -> Self {
        Self { bytes: None, long_len: false }
    }

    /// The bytes, empty when absent.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_deref().unwrap_or_default()
    }

    /// The text, with invalid UTF-8 replaced (for display only; the bytes stay raw).
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(self.as_bytes()).into_owned()
    }
}

impl From<&str> for PtString {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

/// One node: its value and the any-type flag.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyTree {
    /// The any-type flag; internal to the game, kept for a byte-exact round trip.
    pub any_type: bool,
    /// The value.
    pub value: Value,
}

/// A node's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Type 0.
    None,
    /// Type 1.
    Bool(bool),
    /// Type 2.
    Number(f64),
    /// Type 3.
    String(PtString),
    /// Type 4: keys are kept although the game leaves them absent.
    List(Vec<(PtString, PropertyTree)>),
    /// Type 5, in file order.
    Dictionary(Vec<(PtString, PropertyTree)>),
    /// Type 6.
    Int64(i64),
    /// Type 7.
    UInt64(u64),
}

impl Value {
    /// The node type this value is written as.
    pub fn kind(&self) -> PropertyType {
        match self {
            Self::None => PropertyType::None,
            Self::Bool(_) => PropertyType::Bool,
            Self::Number(_) => PropertyType::Number,
            Self::String(_) => PropertyType::String,
            Self::List(_) => PropertyType::List,
            Self::Dictionary(_) => PropertyType::Dictionary,
            Self::Int64(_) => PropertyType::Int64,
            Self::UInt64(_) => PropertyType::UInt64,
        }
    }
}

impl From<Value> for PropertyTree {
    fn from(value: Value) -> Self {
        Self { any_type: false, value }
    }
}

impl PropertyTree {
    /// A dictionary node from `(key, node)` pairs, in that order.
    pub fn dictionary<K: Into<PtString>>(entries: impl IntoIterator<Item = (K, PropertyTree)>) -> Self {
        Value::Dictionary(entries.into_iter().map(|(k, v)| (k.into(), v)).collect()).into()
    }

    /// The entries of a dictionary or list node.
    pub fn entries(&self) -> Option<&[(PtString, PropertyTree)]> {
        match &self.value {
            Value::Dictionary(e) | Value::List(e) => Some(e),
            _ => None,
        }
    }

    /// The first dictionary entry named `key`.
    pub fn get(&self, key: &str) -> Option<&PropertyTree> {
        self.entries()?.iter().find(|(k, _)| k.as_bytes() == key.as_bytes()).map(|(_, v)| v)
    }
}

/// Why bytes are not a property tree.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The data ended inside a value.
    UnexpectedEnd {
        /// What was being read.
        what: &'static str,
        /// Bytes it needs.
        needed: usize,
        /// Bytes left.
        left: usize,
    },
    /// A type byte outside 0–7.
    BadType(u8),
    /// A bool byte other than 0 or 1.
    BadBool {
        /// Which bool.
        what: &'static str,
        /// The byte found.
        found: u8,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Bytes after the last node.
    TrailingBytes(usize),
}

/// A read error: where and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// Byte offset in the input where the bad value starts.
    pub offset: usize,
    /// What was wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offset {:#x}: ", self.offset)?;
        match &self.kind {
            ErrorKind::UnexpectedEnd { what, needed, left } => {
                write!(f, "{what} needs {needed} bytes, {left} left (file truncated?)")
            }
            ErrorKind::BadType(t) => write!(f, "type {t}, expected 0–7"),
            ErrorKind::BadBool { what, found } => write!(f, "{what} is {found}, expected 0 or 1"),
            ErrorKind::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} levels"),
            ErrorKind::TrailingBytes(n) => write!(f, "{n} bytes after the end of the tree (not a mod-settings file?)"),
        }
    }
}

impl std::error::Error for Error {}

/// Deeper nesting is refused rather than risking the stack; real files nest 3–4 levels.
pub const MAX_DEPTH: usize = 256;

/// A cursor over input bytes. Every read checks bounds and reports its offset.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts at the first byte.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// The current offset.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    fn err(&self, offset: usize, kind: ErrorKind) -> Error {
        Error { offset, kind }
    }

    /// Takes `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        let left = self.remaining();
        let end = self.pos.checked_add(n).filter(|_| n <= left);
        match end.and_then(|end| self.data.get(self.pos..end)) {
            Some(bytes) => {
                self.pos += n;
                Ok(bytes)
            }
            None => Err(self.err(self.pos, ErrorKind::UnexpectedEnd { what, needed: n, left })),
        }
    }

    fn take_array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Error> {
        let bytes = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// One unsigned byte.
    pub fn read_u8(&mut self, what: &'static str) -> Result<u8, Error> {
        Ok(self.take_array::<1>(what)?[0])
    }

    /// A bool: exactly 0 or 1, so that writing it back gives the same byte.
    pub fn read_bool(&mut self, what: &'static str) -> Result<bool, Error> {
        let at = self.pos;
        match self.read_u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            found => Err(self.err(at, ErrorKind::BadBool { what, found })),
        }
    }

    /// A little-endian u16.
    pub fn read_u16(&mut self, what: &'static str) -> Result<u16, Error> {
        Ok(u16::from_le_bytes(self.take_array(what)?))
    }

    /// A little-endian u32.
    pub fn read_u32(&mut self, what: &'static str) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.take_array(what)?))
    }

    fn read_f64(&mut self) -> Result<f64, Error> {
        Ok(f64::from_le_bytes(self.take_array("a number")?))
    }

    fn read_i64(&mut self) -> Result<i64, Error> {
        Ok(i64::from_le_bytes(self.take_array("an int64")?))
    }

    fn read_u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.take_array("a uint64")?))
    }

    /// A space-optimised u32 and whether it used the long form for a small value.
    fn read_space_optimized(&mut self) -> Result<(u32, bool), Error> {
        match self.read_u8("a string length")? {
            255 => {
                let n = self.read_u32("a long string length")?;
                Ok((n, n < 255))
            }
            n => Ok((u32::from(n), false)),
        }
    }

    /// A string: the "no string" flag, then length and bytes when present.
    pub fn read_string(&mut self) -> Result<PtString, Error> {
        if self.read_bool("the no-string flag")? {
            return Ok(PtString::absent());
        }
        let (len, long_len) = self.read_space_optimized()?;
        let bytes = self.take(len as usize, "string bytes")?.to_vec();
        Ok(PtString { bytes: Some(bytes), long_len })
    }

    /// A node with its type byte and any-type flag.
    pub fn read_tree(&mut self) -> Result<PropertyTree, Error> {
        self.read_tree_at(0)
    }

    fn read_tree_at(&mut self, depth: usize) -> Result<PropertyTree, Error> {
        let at = self.pos;
        if depth > MAX_DEPTH {
            return Err(self.err(at, ErrorKind::TooDeep));
        }
        let kind = self.read_u8("a type byte")?;
        let kind = PropertyType::try_from(kind).map_err(|t| self.err(at, ErrorKind::BadType(t)))?;
        let any_type = self.read_bool("the any-type flag")?;
        let value = match kind {
            PropertyType::None => Value::None,
            PropertyType::Bool => Value::Bool(self.read_bool("a bool value")?),
            PropertyType::Number => Value::Number(self.read_f64()?),
            PropertyType::String => Value::String(self.read_string()?),
            PropertyType::List => Value::List(self.read_entries(depth)?),
            PropertyType::Dictionary => Value::Dictionary(self.read_entries(depth)?),
            PropertyType::Int64 => Value::Int64(self.read_i64()?),
            PropertyType::UInt64 => Value::UInt64(self.read_u64()?),
        };
        Ok(PropertyTree { any_type, value })
    }

    fn read_entries(&mut self, depth: usize) -> Result<Vec<(PtString, PropertyTree)>, Error> {
        let count = self.read_u32("an element count")? as usize;
        // Each element takes at least 3 bytes, so a lying count cannot allocate much.
        let mut entries = Vec::with_capacity(count.min(self.remaining() / 3));
        for _ in 0..count {
            let key = self.read_string()?;
            let node = self.read_tree_at(depth + 1)?;
            entries.push((key, node));
        }
        Ok(entries)
    }

    /// Fails when bytes are left over.
    pub fn finish(&self) -> Result<(), Error> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.err(self.pos, ErrorKind::TrailingBytes(n))),
        }
    }
}

/// Reads exactly one tree from `data`.
pub fn read(data: &[u8]) -> Result<PropertyTree, Error> {
    let mut r = Reader::new(data);
    let tree = r.read_tree()?;
    r.finish()?;
    Ok(tree)
}

/// Appends encoded values to a byte buffer; mirrors [`Reader`].
#[derive(Default)]
pub struct Writer {
    /// The bytes written so far.
    pub out: Vec<u8>,
}

impl Writer {
    /// One unsigned byte.
    pub fn write_u8(&mut self, b: u8) {
        self.out.push(b);
    }

    /// A bool as 0 or 1.
    pub fn write_bool(&mut self, b: bool) {
        self.out.push(u8::from(b));
    }

    /// A little-endian u16.
    pub fn write_u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// A little-endian u32.
    pub fn write_u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn write_f64(&mut self, v: f64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn write_i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn write_u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn write_space_optimized(&mut self, n: u32, long: bool) {
        if n < 255 && !long {
            self.write_u8(n as u8);
        } else {
            self.write_u8(255);
            self.write_u32(n);
        }
    }

    /// A string: the "no string" flag, then length and bytes when present.
    /// Strings longer than u32::MAX cannot be written; they are cut (never reached by real data).
    pub fn write_string(&mut self, s: &PtString) {
        match &s.bytes {
            None => self.write_bool(true),
            Some(bytes) => {
                self.write_bool(false);
                let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
                self.write_space_optimized(len, s.long_len);
                self.out.extend_from_slice(bytes.get(..len as usize).unwrap_or(bytes));
            }
        }
    }

    /// A node with its type byte and any-type flag.
    pub fn write_tree(&mut self, tree: &PropertyTree) {
        self.write_u8(tree.value.kind() as u8);
        self.write_bool(tree.any_type);
        match &tree.value {
            Value::None => {}
            Value::Bool(b) => self.write_bool(*b),
            Value::Number(n) => self.write_f64(*n),
            Value::String(s) => self.write_string(s),
            Value::List(entries) | Value::Dictionary(entries) => self.write_entries(entries),
            Value::Int64(v) => self.write_i64(*v),
            Value::UInt64(v) => self.write_u64(*v),
        }
    }

    fn write_entries(&mut self, entries: &[(PtString, PropertyTree)]) {
        self.write_u32(u32::try_from(entries.len()).unwrap_or(u32::MAX));
        for (key, node) in entries.iter().take(u32::MAX as usize) {
            self.write_string(key);
            self.write_tree(node);
        }
    }
}

/// Encodes one tree.
pub fn write(tree: &PropertyTree) -> Vec<u8> {
    let mut w = Writer::default();
    w.write_tree(tree);
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(value: Value) -> PropertyTree {
        value.into()
    }

    /// Encode, compare exact bytes, decode, compare (postcard's loopback pattern).
    #[test]
    fn every_node_type_round_trips_to_exact_bytes() {
        let cases: Vec<(PropertyTree, Vec<u8>)> = vec![
            (node(Value::None), vec![0, 0]),
            (node(Value::Bool(true)), vec![1, 0, 1]),
            (node(Value::Bool(false)), vec![1, 0, 0]),
            (node(Value::Number(3.5)), vec![2, 0, 0, 0, 0, 0, 0, 0, 0x0c, 0x40]),
            (node(Value::String(PtString::new("hi"))), vec![3, 0, 0, 2, b'h', b'i']),
            (node(Value::String(PtString::new(""))), vec![3, 0, 0, 0]),
            (node(Value::String(PtString::absent())), vec![3, 0, 1]),
            (
                node(Value::String(PtString { bytes: Some(b"x".to_vec()), long_len: true })),
                vec![3, 0, 0, 255, 1, 0, 0, 0, b'x'],
            ),
            (node(Value::Int64(-2)), vec![6, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            (node(Value::UInt64(u64::MAX)), vec![7, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            (PropertyTree { any_type: true, value: Value::Bool(true) }, vec![1, 1, 1]),
            (
                node(Value::List(vec![(PtString::absent(), node(Value::Bool(true)))])),
                vec![4, 0, 1, 0, 0, 0, 1, 1, 0, 1],
            ),
            (
                PropertyTree::dictionary([("b", node(Value::None)), ("a", node(Value::None))]),
                vec![5, 0, 2, 0, 0, 0, 0, 1, b'b', 0, 0, 0, 1, b'a', 0, 0],
            ),
        ];
        for (tree, bytes) in cases {
            assert_eq!(write(&tree), bytes, "encoding {tree:?}");
            assert_eq!(read(&bytes).as_ref(), Ok(&tree), "decoding {bytes:?}");
        }
    }

    #[test]
    fn long_strings_use_the_255_escape() {
        for len in [254usize, 255, 256, 70_000] {
            let tree = node(Value::String(PtString::new(vec![b'a'; len])));
            let bytes = write(&tree);
            let header = if len < 255 { 4 } else { 8 };
            assert_eq!(bytes.len(), header + len, "length {len}");
            assert_eq!(read(&bytes), Ok(tree));
        }
    }

    #[test]
    fn raw_non_utf8_bytes_are_kept() {
        let bytes = vec![3, 0, 0, 2, 0xff, 0xfe];
        let tree = read(&bytes).unwrap();
        assert_eq!(write(&tree), bytes);
    }

    #[test]
    fn nan_payloads_and_negative_zero_survive() {
        for bits in [0x7ff8_0000_0000_0001u64, 0x8000_0000_0000_0000] {
            let mut bytes = vec![2, 0];
            bytes.extend_from_slice(&bits.to_le_bytes());
            assert_eq!(write(&read(&bytes).unwrap()), bytes);
        }
    }

    #[test]
    fn bad_input_names_offset_and_expectation() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "offset 0x0: a type byte needs 1 bytes, 0 left (file truncated?)"),
            (vec![9, 0], "offset 0x0: type 9, expected 0–7"),
            (vec![1, 2, 0], "offset 0x1: the any-type flag is 2, expected 0 or 1"),
            (vec![1, 0, 7], "offset 0x2: a bool value is 7, expected 0 or 1"),
            (vec![2, 0, 0, 0], "offset 0x2: a number needs 8 bytes, 2 left (file truncated?)"),
            (vec![3, 0, 0, 5, b'a'], "offset 0x4: string bytes needs 5 bytes, 1 left (file truncated?)"),
            (vec![3, 0, 0, 255, 1], "offset 0x4: a long string length needs 4 bytes, 1 left (file truncated?)"),
            (vec![0, 0, 0], "offset 0x2: 1 bytes after the end of the tree (not a mod-settings file?)"),
            (
                vec![5, 0, 0xff, 0xff, 0xff, 0xff],
                "offset 0x6: the no-string flag needs 1 bytes, 0 left (file truncated?)",
            ),
            (vec![5, 0, 1, 0, 0, 0, 0, 0, 0x1f, 0], "offset 0x8: type 31, expected 0–7"),
        ];
        for (bytes, message) in cases {
            assert_eq!(read(&bytes).unwrap_err().to_string(), message, "input {bytes:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut bytes = Vec::new();
        for _ in 0..100_000 {
            bytes.extend_from_slice(&[4, 0, 1, 0, 0, 0, 1]);
        }
        let err = read(&bytes).unwrap_err();
        assert_eq!(err.kind, ErrorKind::TooDeep);
    }

    /// A cheap stand-in for fuzzing in the default tier: every prefix and every single-byte
    /// change of a valid tree is an error or a tree, never a panic.
    #[test]
    fn mutated_input_never_panics() {
        let tree = PropertyTree::dictionary([
            ("s", node(Value::String(PtString::new("value")))),
            ("l", node(Value::List(vec![(PtString::absent(), node(Value::Int64(5)))]))),
            ("n", node(Value::Number(1.0))),
        ]);
        let bytes = write(&tree);
        for cut in 0..bytes.len() {
            assert!(read(&bytes[..cut]).is_err());
        }
        for i in 0..bytes.len() {
            for b in [0u8, 1, 2, 3, 4, 5, 7, 8, 0x7f, 0xff] {
                let mut m = bytes.clone();
                m[i] = b;
                let _ = read(&m);
            }
        }
    }
}
