//! `fm.mod_settings`: the Lua face of [`crate::mod_settings`].
//!
//! `read(path)` gives `{version = "2.0.73.0", startup = {name = {value = v}}, ["runtime-global"]
//! = …, ["runtime-per-user"] = …}`; `write(path, t)` takes the same shape.
//!
//! Value mapping: bool → boolean, number → number, string → string (raw bytes), list →
//! sequence, dictionary → table, none → nil. int64 and uint64 are never silently rounded:
//! on Lua 5.3/5.4 they are integers (a uint64 above 2^63-1 becomes a decimal string); on
//! Lua 5.1/5.2/LuaJIT they are numbers when |v| ≤ 2^53 (exact in a double) and decimal
//! strings beyond. A setting whose value is an int64 or uint64 also carries
//! `type = "int64"`/`"uint64"`, so `write` writes it back with its type; without `type`, a
//! Lua number is written as a number (double), as 1.1 files store int settings.

use std::path::Path;

use mlua::{Error, Lua, Result, Table, Value};

use crate::mod_settings::{GameVersion, ModSettings, SECTIONS};
use crate::property_tree::{PropertyTree, PropertyType, PtString, Value as Node};

/// Builds the `fm.mod_settings` table.
pub fn module(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.set("read", lua.create_function(read)?)?;
    t.set("write", lua.create_function(write)?)?;
    Ok(t)
}

/// The version written when a table gives none.
const DEFAULT_VERSION: GameVersion = GameVersion(2, 0, 0, 0);

/// 2^53: integers up to this are exact in a double.
const EXACT: i64 = 1 << 53;

fn runtime(function: &str, msg: impl std::fmt::Display) -> Error {
    Error::runtime(format!("{function}: {msg}"))
}

fn read(lua: &Lua, path: String) -> Result<Table> {
    let settings = ModSettings::load(Path::new(&path)).map_err(|e| runtime("fm.mod_settings.read", e))?;
    let out = lua.create_table()?;
    out.set("version", settings.version.to_string())?;
    for section in SECTIONS {
        let t = lua.create_table()?;
        for (name, node) in settings.tree.get(section).and_then(PropertyTree::entries).unwrap_or_default() {
            let entry = lua.create_table()?;
            let value = node.get("value").unwrap_or(node);
            entry.set("value", to_lua(lua, value)?)?;
            if matches!(value.value, Node::Int64(_) | Node::UInt64(_)) {
                entry.set("type", value.value.kind().name())?;
            }
            t.set(lua.create_string(name.as_bytes())?, entry)?;
        }
        out.set(section, t)?;
    }
    Ok(out)
}

/// An integer as Lua sees it without rounding (see the module docs).
fn integer(lua: &Lua, v: i128) -> Result<Value> {
    let fits_i64 = i64::try_from(v).ok();
    if cfg!(any(feature = "lua53", feature = "lua54")) {
        if let Some(i) = fits_i64 {
            return Ok(Value::Integer(i));
        }
    } else if let Some(i) = fits_i64.filter(|i| (-EXACT..=EXACT).contains(i)) {
        return Ok(Value::Number(i as f64));
    }
    Ok(Value::String(lua.create_string(v.to_string())?))
}

fn to_lua(lua: &Lua, node: &PropertyTree) -> Result<Value> {
    Ok(match &node.value {
        Node::None => Value::Nil,
        Node::Bool(b) => Value::Boolean(*b),
        Node::Number(n) => Value::Number(*n),
        Node::String(s) => Value::String(lua.create_string(s.as_bytes())?),
        Node::Int64(v) => integer(lua, i128::from(*v))?,
        Node::UInt64(v) => integer(lua, i128::from(*v))?,
        Node::List(entries) => {
            let t = lua.create_table()?;
            for (i, (_, child)) in entries.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, child)?)?;
            }
            Value::Table(t)
        }
        Node::Dictionary(entries) => {
            let t = lua.create_table()?;
            for (key, child) in entries {
                t.raw_set(lua.create_string(key.as_bytes())?, to_lua(lua, child)?)?;
            }
            Value::Table(t)
        }
    })
}

fn write(_lua: &Lua, (path, t): (String, Table)) -> Result<()> {
    const F: &str = "fm.mod_settings.write";
    let version = match t.get::<Value>("version")? {
        Value::Nil => DEFAULT_VERSION,
        Value::String(s) => {
            let s = s.to_str()?.to_owned();
            GameVersion::parse(&s).ok_or_else(|| runtime(F, format!("version \"{s}\" is not a.b.c or a.b.c.d")))?
        }
        other => {
            return Err(runtime(F, format!("version must be a string like \"2.0.73.0\", not a {}", other.type_name())));
        }
    };
    for pair in t.pairs::<Value, Value>() {
        let (key, _) = pair?;
        let known = match &key {
            Value::String(s) => s.to_str().is_ok_and(|k| k == "version" || SECTIONS.contains(&&*k)),
            _ => false,
        };
        if !known {
            let shown = key.to_string().unwrap_or_else(|_| key.type_name().to_owned());
            return Err(runtime(F, format!("unknown key {shown} (expected version, {})", SECTIONS.join(", "))));
        }
    }
    let mut sections = Vec::new();
    for section in SECTIONS {
        let entries = match t.get::<Option<Table>>(section)? {
            None => Vec::new(),
            Some(st) => section_from_lua(&st).map_err(|e| runtime(F, format!("{section}.{e}")))?,
        };
        sections.push((section, PropertyTree::from(Node::Dictionary(entries))));
    }
    let settings = ModSettings {
        version,
        header_bool: version.has_header_bool().then_some(false),
        tree: PropertyTree::dictionary(sections),
    };
    settings.save(Path::new(&path)).map_err(|e| runtime(F, e))
}

/// `{name = {value = v, type = "int64"?}}` in byte order of the names (Lua tables have none).
fn section_from_lua(st: &Table) -> std::result::Result<Vec<(PtString, PropertyTree)>, String> {
    let mut entries = Vec::new();
    for pair in st.pairs::<Value, Value>() {
        let (k, v) = pair.map_err(|e| e.to_string())?;
        let Value::String(name) = k else {
            return Err(format!("{}: setting names must be strings", k.type_name()));
        };
        let name = name.as_bytes().to_vec();
        let shown = String::from_utf8_lossy(&name).into_owned();
        let Value::Table(entry) = v else {
            return Err(format!("{shown}: expected a table {{value = …}}, got a {}", v.type_name()));
        };
        let kind = match entry.get::<Value>("type").map_err(|e| e.to_string())? {
            Value::Nil => None,
            Value::String(s) => {
                let s = s.to_string_lossy();
                Some(PropertyType::from_name(&s).ok_or_else(|| {
                    format!(
                        "{shown}: unknown type \"{s}\" (none, bool, number, string, list, dictionary, int64, uint64)"
                    )
                })?)
            }
            other => return Err(format!("{shown}: type must be a string, not a {}", other.type_name())),
        };
        let value = entry.get::<Value>("value").map_err(|e| e.to_string())?;
        let node = from_lua(&value, kind, 0).map_err(|e| format!("{shown}: {e}"))?;
        entries.push((PtString::new(name), PropertyTree::dictionary([("value", node)])));
    }
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(entries)
}

fn from_lua(value: &Value, kind: Option<PropertyType>, depth: usize) -> std::result::Result<PropertyTree, String> {
    if depth > crate::property_tree::MAX_DEPTH {
        return Err("nested too deeply (a table that contains itself?)".into());
    }
    let node = match (kind, value) {
        (Some(PropertyType::Int64), v) => {
            Node::Int64(parse_integer(v).and_then(|i| i64::try_from(i).ok()).ok_or_else(|| bad_integer(v, "int64"))?)
        }
        (Some(PropertyType::UInt64), v) => {
            Node::UInt64(parse_integer(v).and_then(|i| u64::try_from(i).ok()).ok_or_else(|| bad_integer(v, "uint64"))?)
        }
        (Some(PropertyType::None) | None, Value::Nil) => Node::None,
        (Some(PropertyType::Bool) | None, Value::Boolean(b)) => Node::Bool(*b),
        (Some(PropertyType::Number) | None, Value::Number(n)) => Node::Number(*n),
        (Some(PropertyType::Number) | None, Value::Integer(i)) => {
            if !(-EXACT..=EXACT).contains(i) {
                return Err(format!("{i} does not fit a double exactly; give type = \"int64\""));
            }
            Node::Number(*i as f64)
        }
        (Some(PropertyType::String) | None, Value::String(s)) => Node::String(PtString::new(s.as_bytes().to_vec())),
        (Some(PropertyType::List), Value::Table(t)) => Node::List(list_from_lua(t, depth)?),
        (Some(PropertyType::Dictionary), Value::Table(t)) => Node::Dictionary(dict_from_lua(t, depth)?),
        (None, Value::Table(t)) => {
            if t.raw_len() > 0 {
                Node::List(list_from_lua(t, depth)?)
            } else {
                Node::Dictionary(dict_from_lua(t, depth)?)
            }
        }
        (Some(k), v) => return Err(format!("a {} cannot be written as type \"{}\"", v.type_name(), k.name())),
        (None, v) => return Err(format!("a {} cannot be stored in mod-settings.dat", v.type_name())),
    };
    Ok(node.into())
}

fn list_from_lua(t: &Table, depth: usize) -> std::result::Result<Vec<(PtString, PropertyTree)>, String> {
    let n = t.raw_len();
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let v: Value = t.raw_get(i).map_err(|e| e.to_string())?;
        out.push((PtString::absent(), from_lua(&v, None, depth + 1).map_err(|e| format!("[{i}]: {e}"))?));
    }
    Ok(out)
}

fn dict_from_lua(t: &Table, depth: usize) -> std::result::Result<Vec<(PtString, PropertyTree)>, String> {
    let mut out = Vec::new();
    for pair in t.pairs::<Value, Value>() {
        let (k, v) = pair.map_err(|e| e.to_string())?;
        let key = match &k {
            Value::String(s) => s.as_bytes().to_vec(),
            Value::Integer(i) => i.to_string().into_bytes(),
            other => return Err(format!("a {} key cannot be stored (keys are strings)", other.type_name())),
        };
        let shown = String::from_utf8_lossy(&key).into_owned();
        out.push((PtString::new(key), from_lua(&v, None, depth + 1).map_err(|e| format!("{shown}: {e}"))?));
    }
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

/// An integer from a Lua integer, an integral number, or a decimal string.
fn parse_integer(v: &Value) -> Option<i128> {
    match v {
        Value::Integer(i) => Some(i128::from(*i)),
        Value::Number(n) if n.fract() == 0.0 && n.abs() <= 2f64.powi(64) => Some(*n as i128),
        Value::String(s) => s.to_str().ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn bad_integer(v: &Value, kind: &str) -> String {
    let shown = match v {
        Value::String(s) => format!("\"{}\"", s.to_string_lossy()),
        Value::Number(n) => n.to_string(),
        other => other.type_name().to_owned(),
    };
    format!("{shown} is not a {kind} (give an integer or a decimal string)")
}

#[cfg(test)]
mod tests {
    use crate::binding::test_support::lua_with_module;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mod-settings/2.0-every-kind.dat");

    #[test]
    fn read_gives_sections_of_value_tables() {
        let (lua, _) = lua_with_module();
        lua.globals().set("path", FIXTURE).unwrap();
        let checks: Vec<(&str, mlua::Value)> = vec![
            ("return fm.mod_settings.read(path).version", mlua::Value::String(lua.create_string("2.0.73.0").unwrap())),
            ("return fm.mod_settings.read(path).startup['fm-bool'].value", mlua::Value::Boolean(true)),
            (
                "return fm.mod_settings.read(path).startup['fm-string'].value",
                mlua::Value::String(lua.create_string("iron-plate").unwrap()),
            ),
            (
                "return fm.mod_settings.read(path).startup['fm-int'].type",
                mlua::Value::String(lua.create_string("int64").unwrap()),
            ),
            ("return fm.mod_settings.read(path).startup['fm-int'].value == -42", mlua::Value::Boolean(true)),
            (
                "return fm.mod_settings.read(path).startup['fm-big'].value",
                mlua::Value::String(lua.create_string("18446744073709551615").unwrap()),
            ),
            ("return fm.mod_settings.read(path).startup['fm-color'].value.a", mlua::Value::Number(1.0)),
            (
                "return fm.mod_settings.read(path)['runtime-global']['fm-runtime'].value",
                mlua::Value::String(lua.create_string("").unwrap()),
            ),
        ];
        for (code, expected) in checks {
            let got: mlua::Value = lua.load(code).eval().unwrap();
            assert!(got.equals(&expected).unwrap(), "{code}: {got:?}");
        }
    }

    #[test]
    fn read_then_write_gives_the_same_file() {
        let (lua, _) = lua_with_module();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.dat");
        lua.globals().set("src", FIXTURE).unwrap();
        lua.globals().set("dst", out.to_str().unwrap()).unwrap();
        lua.load("fm.mod_settings.write(dst, fm.mod_settings.read(src))").exec().unwrap();
        let a = crate::mod_settings::ModSettings::load(std::path::Path::new(FIXTURE)).unwrap();
        let b = crate::mod_settings::ModSettings::load(&out).unwrap();
        for section in crate::mod_settings::SECTIONS {
            let names = |s: &crate::mod_settings::ModSettings| {
                let mut v: Vec<_> = s.section(section).map(|(k, n)| (k.as_bytes().to_vec(), n.value.clone())).collect();
                v.sort_by(|x, y| x.0.cmp(&y.0));
                v
            };
            // Colour channels come back in key order; values and types are equal.
            let (na, nb) = (names(&a), names(&b));
            assert_eq!(na.len(), nb.len());
            for ((ka, va), (kb, vb)) in na.iter().zip(&nb) {
                assert_eq!(ka, kb);
                match (va, vb) {
                    (crate::property_tree::Value::Dictionary(x), crate::property_tree::Value::Dictionary(y)) => {
                        assert_eq!(x.len(), y.len())
                    }
                    _ => assert_eq!(va, vb),
                }
            }
        }
    }

    #[test]
    fn write_errors_name_the_setting() {
        let (lua, _) = lua_with_module();
        let cases = [
            (
                "fm.mod_settings.write(p, {startup = {x = {value = 1, type = 'int65'}}})",
                "fm.mod_settings.write: startup.x: unknown type \"int65\"",
            ),
            (
                "fm.mod_settings.write(p, {startup = {x = {value = '1.5', type = 'int64'}}})",
                "fm.mod_settings.write: startup.x: \"1.5\" is not a int64",
            ),
            (
                "fm.mod_settings.write(p, {startup = {x = {value = print}}})",
                "fm.mod_settings.write: startup.x: a function cannot be stored",
            ),
            (
                "fm.mod_settings.write(p, {startup = {x = true}})",
                "fm.mod_settings.write: startup.x: expected a table {value = …}, got a boolean",
            ),
            ("fm.mod_settings.write(p, {startp = {}})", "fm.mod_settings.write: unknown key startp"),
            (
                "fm.mod_settings.write(p, {version = '2.x'})",
                "fm.mod_settings.write: version \"2.x\" is not a.b.c or a.b.c.d",
            ),
            ("fm.mod_settings.read('/nonexistent.dat')", "fm.mod_settings.read: /nonexistent.dat: No such file"),
        ];
        let dir = tempfile::tempdir().unwrap();
        lua.globals().set("p", dir.path().join("x.dat").to_str().unwrap()).unwrap();
        for (code, message) in cases {
            let err = lua.load(code).exec().unwrap_err().to_string();
            assert!(err.contains(message), "{code}: {err}");
        }
        assert!(!dir.path().join("x.dat").exists(), "nothing written on error");
    }
}
