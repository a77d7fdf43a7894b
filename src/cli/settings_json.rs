//! `mod-settings.dat` ⇄ JSON, lossless, for `factorio-mocks mod-settings dump|restore`.
//!
//! Every node is tagged with its wire type, so nothing is guessed on the way back:
//!
//! ```json
//! {
//!   "format": "factorio-mocks mod-settings 1",
//!   "version": "2.0.73.0",
//!   "header_bool": false,
//!   "tree": {"type": "dictionary", "entries": [
//!     ["startup", {"type": "dictionary", "entries": [
//!       ["my-int", {"type": "dictionary", "entries": [
//!         ["value", {"type": "int64", "value": -42}]
//!       ]}]
//!     ]}]
//!   ]}
//! }
//! ```
//!
//! * Dictionaries and lists are arrays of `[key, node]` pairs: order and duplicate keys survive
//!   (a JSON object would do neither through serde_json).
//! * `int64`/`uint64` are JSON integers, parsed exactly; a string of digits is accepted too,
//!   for tools that round integers beyond 2^53.
//! * `number` is the shortest decimal that reads back to the same bits; NaN, infinities and
//!   the rare value that does not survive serde_json's float reader are written as
//!   `"bits": "0x…"` instead of `"value"`.
//! * `"any_type": true` appears only where the flag is set.
//! * A string (key or value) is a JSON string, `null` when absent, or an object
//!   `{"text": "…"}` / `{"hex": "…"}` (not UTF-8) with `"long_length": true` when the file used
//!   the long length form for a short string.
//! * `header_bool` is `null` for files before 0.17, which have no bool after the version.

use factorio_mocks::mod_settings::{GameVersion, ModSettings};
use factorio_mocks::property_tree::{PropertyTree, PropertyType, PtString, Value};
use serde_json::Value as Json;

/// The tag in the `format` field; bumped if the layout ever changes.
pub const FORMAT: &str = "factorio-mocks mod-settings 1";

/// Nesting is limited by the binary reader already; this keeps JSON input in the same bounds.
const MAX_DEPTH: usize = factorio_mocks::property_tree::MAX_DEPTH;

/// The JSON text for a decoded file.
pub fn to_json(settings: &ModSettings) -> String {
    let mut out = String::new();
    out.push_str("{\n");
    out.push_str(&format!("  \"format\": {},\n", quote(FORMAT)));
    out.push_str(&format!("  \"version\": \"{}\",\n", settings.version));
    let header = match settings.header_bool {
        None => "null",
        Some(true) => "true",
        Some(false) => "false",
    };
    out.push_str(&format!("  \"header_bool\": {header},\n"));
    out.push_str("  \"tree\": ");
    write_node(&mut out, &settings.tree, 1);
    out.push_str("\n}\n");
    out
}

fn quote(s: &str) -> String {
    // serde_json escapes quotes, backslashes and control characters; it cannot fail on a str.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_string(out: &mut String, s: &PtString) {
    match (&s.bytes, s.long_len) {
        (None, _) => out.push_str("null"),
        (Some(bytes), long) => {
            let field = match std::str::from_utf8(bytes) {
                Ok(text) if !long => return out.push_str(&quote(text)),
                Ok(text) => format!("\"text\": {}", quote(text)),
                Err(_) => format!("\"hex\": \"{}\"", hex(bytes)),
            };
            out.push('{');
            out.push_str(&field);
            if long {
                out.push_str(", \"long_length\": true");
            }
            out.push('}');
        }
    }
}

/// The decimal text for `n` if it reads back to the same bits through serde_json.
fn exact_decimal(n: f64) -> Option<String> {
    if !n.is_finite() {
        return None;
    }
    let text = serde_json::to_string(&n).ok()?;
    let back: f64 = serde_json::from_str(&text).ok()?;
    (back.to_bits() == n.to_bits()).then_some(text)
}

fn write_node(out: &mut String, node: &PropertyTree, depth: usize) {
    out.push_str(&format!("{{\"type\": \"{}\"", node.value.kind().name()));
    if node.any_type {
        out.push_str(", \"any_type\": true");
    }
    match &node.value {
        Value::None => {}
        Value::Bool(b) => out.push_str(&format!(", \"value\": {b}")),
        Value::Number(n) => match exact_decimal(*n) {
            Some(text) => out.push_str(&format!(", \"value\": {text}")),
            None => out.push_str(&format!(", \"bits\": \"{:#018x}\"", n.to_bits())),
        },
        Value::String(s) => {
            out.push_str(", \"value\": ");
            write_string(out, s);
        }
        Value::Int64(v) => out.push_str(&format!(", \"value\": {v}")),
        Value::UInt64(v) => out.push_str(&format!(", \"value\": {v}")),
        Value::List(entries) | Value::Dictionary(entries) => {
            out.push_str(", \"entries\": [");
            let indent = "  ".repeat(depth + 1);
            for (i, (key, child)) in entries.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&indent);
                out.push('[');
                write_string(out, key);
                out.push_str(", ");
                write_node(out, child, depth + 1);
                out.push(']');
            }
            if !entries.is_empty() {
                out.push('\n');
                out.push_str(&"  ".repeat(depth));
            }
            out.push(']');
        }
    }
    out.push('}');
}

/// Where in the JSON a bad value is: `tree › startup › my-setting › value`.
#[derive(Clone, Default)]
struct Path(Vec<String>);

impl Path {
    fn child(&self, part: impl Into<String>) -> Path {
        let mut p = self.0.clone();
        p.push(part.into());
        Path(p)
    }

    fn err(&self, what: impl AsRef<str>) -> String {
        if self.0.is_empty() {
            what.as_ref().to_owned()
        } else {
            format!("at {}: {}", self.0.join(" › "), what.as_ref())
        }
    }
}

/// Reads the JSON text back; errors say where (`at tree › startup › x: …`) and what to write.
pub fn from_json(text: &str) -> Result<ModSettings, String> {
    let doc: Json = serde_json::from_str(text).map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))?;
    let root = Path::default();
    let Json::Object(obj) = &doc else {
        return Err("expected a JSON object (the output of `factorio-mocks mod-settings dump`)".into());
    };
    for key in obj.keys() {
        if !matches!(key.as_str(), "format" | "version" | "header_bool" | "tree") {
            return Err(format!("unknown field {} (expected format, version, header_bool, tree)", quote(key)));
        }
    }
    match obj.get("format") {
        None => {}
        Some(Json::String(f)) if f == FORMAT => {}
        Some(other) => return Err(format!("\"format\" is {other}, expected {}", quote(FORMAT))),
    }
    let version = match obj.get("version") {
        Some(Json::String(v)) => GameVersion::parse(v)
            .ok_or_else(|| format!("\"version\" is {}, expected \"a.b.c.d\" with parts up to 65535", quote(v)))?,
        Some(other) => return Err(format!("\"version\" is {other}, expected a string like \"2.0.73.0\"")),
        None => return Err("missing \"version\" (the game version that wrote the file, like \"2.0.73.0\")".into()),
    };
    let header_bool = match (obj.get("header_bool"), version.has_header_bool()) {
        (None | Some(Json::Null), true) => Some(false),
        (None | Some(Json::Null), false) => None,
        (Some(Json::Bool(b)), true) => Some(*b),
        (Some(Json::Bool(_)), false) => {
            return Err(format!(
                "\"header_bool\" must be null for version {version}: files before 0.17 have no bool after the version"
            ));
        }
        (Some(other), _) => return Err(format!("\"header_bool\" is {other}, expected true, false or null")),
    };
    let tree = read_node(obj.get("tree").ok_or("missing \"tree\" (the root dictionary)")?, &root.child("tree"), 0)?;
    if tree.value.kind() != PropertyType::Dictionary {
        return Err(root
            .child("tree")
            .err(format!("the root is a {}, expected a dictionary of sections", tree.value.kind().name())));
    }
    Ok(ModSettings { version, header_bool, tree })
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

fn read_string(v: &Json, path: &Path) -> Result<PtString, String> {
    let expected =
        "expected a string, null (absent), or {\"text\": …} / {\"hex\": …} with optional \"long_length\": true";
    match v {
        Json::Null => Ok(PtString::absent()),
        Json::String(s) => Ok(PtString::new(s.as_str())),
        Json::Object(o) => {
            let long_len = match o.get("long_length") {
                None => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => return Err(path.err("\"long_length\" must be true or false")),
            };
            let bytes = match (o.get("text"), o.get("hex")) {
                (Some(Json::String(t)), None) => t.as_bytes().to_vec(),
                (None, Some(Json::String(h))) => unhex(h)
                    .ok_or_else(|| path.err(format!("\"hex\" is {}, expected pairs of hex digits", quote(h))))?,
                _ => return Err(path.err(expected)),
            };
            if o.keys().any(|k| !matches!(k.as_str(), "text" | "hex" | "long_length")) {
                return Err(path.err(expected));
            }
            Ok(PtString { bytes: Some(bytes), long_len })
        }
        _ => Err(path.err(expected)),
    }
}

fn read_int<T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr>(
    v: &Json,
    path: &Path,
    kind: &str,
) -> Result<T, String> {
    let bad = || path.err(format!("{kind} \"value\" is {v}, expected an integer in the {kind} range"));
    match v {
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                T::try_from(u).map_err(|_| bad())
            } else if let Some(i) = n.as_i64() {
                T::try_from(i).map_err(|_| bad())
            } else {
                Err(bad())
            }
        }
        Json::String(s) => s.parse().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

fn read_node(v: &Json, path: &Path, depth: usize) -> Result<PropertyTree, String> {
    if depth > MAX_DEPTH {
        return Err(path.err(format!("nested deeper than {MAX_DEPTH} levels")));
    }
    let Json::Object(o) = v else {
        return Err(path.err(format!("expected a node {{\"type\": …}}, found {v}")));
    };
    let kind = match o.get("type") {
        Some(Json::String(t)) => PropertyType::from_name(t).ok_or_else(|| {
            path.err(format!(
                "\"type\" is {}, expected none, bool, number, string, list, dictionary, int64 or uint64",
                quote(t)
            ))
        })?,
        _ => return Err(path.err("missing \"type\" (none, bool, number, string, list, dictionary, int64 or uint64)")),
    };
    let any_type = match o.get("any_type") {
        None => false,
        Some(Json::Bool(b)) => *b,
        Some(other) => return Err(path.err(format!("\"any_type\" is {other}, expected true or false"))),
    };
    let allowed: &[&str] = match kind {
        PropertyType::None => &["type", "any_type"],
        PropertyType::Number => &["type", "any_type", "value", "bits"],
        PropertyType::List | PropertyType::Dictionary => &["type", "any_type", "entries"],
        _ => &["type", "any_type", "value"],
    };
    if let Some(extra) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(path.err(format!(
            "unexpected field {} in a {} node (allowed: {})",
            quote(extra),
            kind.name(),
            allowed.join(", ")
        )));
    }
    let field = |name: &str| o.get(name).ok_or_else(|| path.err(format!("a {} node needs \"{name}\"", kind.name())));
    let value = match kind {
        PropertyType::None => Value::None,
        PropertyType::Bool => match field("value")? {
            Json::Bool(b) => Value::Bool(*b),
            other => return Err(path.err(format!("bool \"value\" is {other}, expected true or false"))),
        },
        PropertyType::Number => match (o.get("value"), o.get("bits")) {
            (Some(Json::Number(n)), None) => {
                Value::Number(n.as_f64().ok_or_else(|| path.err(format!("number \"value\" {n} is not a double")))?)
            }
            (None, Some(Json::String(b))) => {
                let digits = b.strip_prefix("0x").unwrap_or(b);
                let bits = u64::from_str_radix(digits, 16).map_err(|_| {
                    path.err(format!("\"bits\" is {}, expected 16 hex digits like \"0x7ff8000000000000\"", quote(b)))
                })?;
                Value::Number(f64::from_bits(bits))
            }
            _ => return Err(path.err("a number node needs either a numeric \"value\" or \"bits\": \"0x…\"")),
        },
        PropertyType::String => Value::String(read_string(field("value")?, &path.child("value"))?),
        PropertyType::Int64 => Value::Int64(read_int(field("value")?, path, "int64")?),
        PropertyType::UInt64 => Value::UInt64(read_int(field("value")?, path, "uint64")?),
        PropertyType::List | PropertyType::Dictionary => {
            let Json::Array(items) = field("entries")? else {
                return Err(path.err("\"entries\" must be an array of [key, node] pairs"));
            };
            let mut entries = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let pair = match item {
                    Json::Array(pair) if pair.len() == 2 => pair,
                    _ => return Err(path.err(format!("entry {} is {item}, expected a [key, node] pair", i + 1))),
                };
                let key_path = path.child(format!("#{}", i + 1));
                let key = read_string(&pair[0], &key_path)?;
                let label = key.bytes.as_ref().map_or_else(|| format!("#{}", i + 1), |_| key.to_string_lossy());
                entries.push((key, read_node(&pair[1], &path.child(label), depth + 1)?));
            }
            if kind == PropertyType::List { Value::List(entries) } else { Value::Dictionary(entries) }
        }
    };
    Ok(PropertyTree { any_type, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: &[u8]) {
        let settings = ModSettings::from_bytes(bytes).unwrap();
        let json = to_json(&settings);
        let back = from_json(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
        assert_eq!(back.to_bytes(), bytes, "{json}");
    }

    fn file(header: &[u8], tree: &PropertyTree) -> Vec<u8> {
        let mut bytes = header.to_vec();
        bytes.extend(factorio_mocks::property_tree::write(tree));
        bytes
    }

    #[test]
    fn odd_values_survive_the_json() {
        let n = |v: Value| PropertyTree::from(v);
        let tree = PropertyTree::dictionary([
            ("nan", n(Value::Number(f64::from_bits(0x7ff8_0000_0000_0001)))),
            ("inf", n(Value::Number(f64::NEG_INFINITY))),
            ("neg-zero", n(Value::Number(-0.0))),
            ("tiny", n(Value::Number(5e-324))),
            ("third", n(Value::Number(1.0 / 3.0))),
            ("big", n(Value::UInt64(u64::MAX))),
            ("small", n(Value::Int64(i64::MIN))),
            ("raw", n(Value::String(PtString::new(vec![0xff, 0, b'"'])))),
            ("long", n(Value::String(PtString { bytes: Some(b"x".to_vec()), long_len: true }))),
            ("absent", n(Value::String(PtString::absent()))),
            ("flagged", PropertyTree { any_type: true, value: Value::None }),
            ("list", n(Value::List(vec![(PtString::absent(), n(Value::Bool(false)))]))),
            ("dup", n(Value::None)),
            ("dup", n(Value::Bool(true))),
        ]);
        round_trip(&file(&[2, 0, 0, 0, 73, 0, 0, 0, 1], &tree));
        round_trip(&file(&[0, 0, 16, 0, 51, 0, 0, 0], &tree));
    }

    #[test]
    fn bad_json_names_the_place_and_the_fix() {
        let head = r#"{"version": "2.0.73.0", "header_bool": false, "tree": "#;
        let cases = [
            ("[]", "expected a JSON object"),
            (r#"{"tree": {"type": "dictionary", "entries": []}}"#, "missing \"version\""),
            (r#"{"version": "2.0", "tree": {}}"#, "\"version\" is \"2.0\""),
            (r#"{"version": "0.16.51.0", "header_bool": true, "tree": {}}"#, "must be null for version 0.16.51.0"),
            (&format!("{head}{{\"type\": \"bool\", \"value\": true}}}}"), "the root is a bool"),
            (
                &format!(
                    "{head}{{\"type\": \"dictionary\", \"entries\": [[\"startup\", {{\"type\": \"int64\", \"value\": 1.5}}]]}}}}"
                ),
                "at tree › startup: int64 \"value\" is 1.5",
            ),
            (
                &format!(
                    "{head}{{\"type\": \"dictionary\", \"entries\": [[\"s\", {{\"type\": \"bool\", \"vaule\": true}}]]}}}}"
                ),
                "unexpected field \"vaule\" in a bool node",
            ),
            (
                &format!(
                    "{head}{{\"type\": \"dictionary\", \"entries\": [[\"s\", {{\"type\": \"uint64\", \"value\": -1}}]]}}}}"
                ),
                "uint64 \"value\" is -1",
            ),
        ];
        for (text, want) in cases {
            let err = from_json(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err:?} lacks {want:?}");
        }
    }
}
