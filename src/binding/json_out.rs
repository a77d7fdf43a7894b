//! Lua tables out as JSON in the shape of the game's `--dump-data` (`data-raw-dump.json`):
//! `native.write_json(t, path[, name])` writes `t` to `path` atomically (see
//! [`crate::fsutil::write_atomically`]) and returns the number of bytes written;
//! [`encode`] gives the bytes to Rust callers (the command line's `dataset build`).
//!
//! What is written, so that the same table always gives the same bytes:
//!
//! * object keys in sorted (byte) order; a table whose keys are exactly `1..n` is an array,
//!   every other table an object, the empty table included (`{}`, as the game writes it);
//!   number keys of an object become their text (`[3] = x` in a sparse table is `"3": x`);
//! * integers (Lua 5.3+ integers, and on 5.1/5.2 numbers with an exact integer value) as
//!   integers, other numbers in the shortest form that reads back as the same double
//!   (`0.1`, `1e-07` as `1e-7`), infinities as `inf` and `-inf`, NaN as `nan`: the forms
//!   [`crate::dataset::tree::Tree::from_json`] reads;
//! * strings with `"`, `\` and control characters escaped, other bytes as they are.
//!
//! A function, userdata, thread or light userdata, a key that is neither a string nor a
//! number, a table reached again inside itself (a cycle) and nesting deeper than the tree
//! reader takes are errors naming the place: `data.raw.recipe.x.foo is a function; JSON holds
//! only data`. A table shared by two places (not a cycle) is written at each. A table whose
//! metatable has `__pairs` (the data stage's lazy `data.raw`) gets that called once first, so
//! every prototype type is built; then its raw contents are written.
//!
//! The walk uses Lua's C API directly (`lua_next`, `lua_rawget`): no registry reference per
//! table, which mlua's `Table` handles would cost on a 12 MB `data.raw`.

use std::ffi::{c_int, c_void};
use std::path::Path;

use mlua::{Lua, Result, Table, Value, ffi};

use crate::dataset::tree::MAX_DEPTH;

pub fn register(lua: &Lua, native: &Table) -> Result<()> {
    native.set(
        "write_json",
        lua.create_function(|lua, (value, path, name): (Value, String, Option<String>)| {
            let bytes = encode(lua, &value, name.as_deref().unwrap_or("data.raw"))?;
            crate::fsutil::write_atomically(Path::new(&path), &bytes)
                .map_err(|e| mlua::Error::runtime(format!("write_json: {path}: {e}")))?;
            Ok(bytes.len())
        })?,
    )?;
    Ok(())
}

/// `value` as JSON bytes; `root` names it in error messages (`data.raw`).
pub fn encode(lua: &Lua, value: &Value, root: &str) -> Result<Vec<u8>> {
    let mut outcome: Option<std::result::Result<Vec<u8>, String>> = None;
    // SAFETY: the walk only reads the value exec_raw pushed and what it pushes itself, keeps
    // the stack balanced at every return, checks stack space per level, and calls Lua code
    // (`__pairs`) only through lua_pcall. exec_raw runs it in protected mode.
    unsafe {
        lua.exec_raw::<()>(value.clone(), |state| {
            let mut w = Walker {
                out: Vec::with_capacity(1 << 16),
                levels: Vec::new(),
                cursor: Vec::new(),
                open: Vec::new(),
                root,
            };
            let top = ffi::lua_gettop(state);
            outcome = Some(w.value(state, top).map(|()| w.out));
            ffi::lua_settop(state, top - 1);
        })?;
    }
    match outcome {
        Some(Ok(bytes)) => Ok(bytes),
        Some(Err(message)) => Err(mlua::Error::runtime(format!("write_json: {message}"))),
        None => Err(mlua::Error::runtime("write_json: the walk did not run")),
    }
}

/// One key of a table being written: its name's bytes in the level's arena, and the number it
/// was when it was one (pushed back as that number to read the value).
#[derive(Clone, Copy)]
struct Key {
    start: usize,
    len: usize,
    number: Option<Number>,
}

#[derive(Clone, Copy)]
enum Number {
    Int(ffi::lua_Integer),
    Float(ffi::lua_Number),
}

/// The keys of the table being written at one depth; reused by every table at that depth.
#[derive(Default)]
struct Level {
    arena: Vec<u8>,
    keys: Vec<Key>,
}

impl Level {
    fn name(&self, k: &Key) -> &[u8] {
        &self.arena[k.start..k.start + k.len]
    }
}

/// Where the walk is, per depth: an array index or a key of that depth's level.
#[derive(Clone, Copy)]
enum Step {
    Index(ffi::lua_Integer),
    Key(usize),
}

struct Walker<'a> {
    out: Vec<u8>,
    levels: Vec<Level>,
    cursor: Vec<Step>,
    /// The tables on the current path (a cycle leads back to one of them).
    open: Vec<*const c_void>,
    root: &'a str,
}

impl Walker<'_> {
    /// The current place as `data.raw.recipe.x.ingredients[1]`, up to `depth` steps.
    fn path(&self, depth: usize) -> String {
        let mut s = self.root.to_string();
        for (d, step) in self.cursor.iter().take(depth).enumerate() {
            match *step {
                Step::Index(i) => s.push_str(&format!("[{i}]")),
                Step::Key(k) => {
                    let level = &self.levels[d];
                    s.push('.');
                    s.push_str(&String::from_utf8_lossy(level.name(&level.keys[k])));
                }
            }
        }
        s
    }

    /// Writes the value at absolute stack index `idx`.
    unsafe fn value(&mut self, state: *mut ffi::lua_State, idx: c_int) -> std::result::Result<(), String> {
        unsafe {
            match ffi::lua_type(state, idx) {
                ffi::LUA_TSTRING => {
                    let mut len = 0usize;
                    let p = ffi::lua_tolstring(state, idx, &mut len);
                    write_string(&mut self.out, std::slice::from_raw_parts(p.cast::<u8>(), len));
                }
                ffi::LUA_TNUMBER => write_number(&mut self.out, number_at(state, idx)),
                ffi::LUA_TBOOLEAN => {
                    self.out.extend_from_slice(if ffi::lua_toboolean(state, idx) != 0 { b"true" } else { b"false" });
                }
                ffi::LUA_TNIL => self.out.extend_from_slice(b"null"),
                ffi::LUA_TTABLE => self.table(state, idx)?,
                other => {
                    let name = std::ffi::CStr::from_ptr(ffi::lua_typename(state, other)).to_string_lossy().into_owned();
                    return Err(format!(
                        "{} is a {name}; JSON holds only data (tables, strings, numbers, booleans)",
                        self.path(self.cursor.len())
                    ));
                }
            }
        }
        Ok(())
    }

    unsafe fn table(&mut self, state: *mut ffi::lua_State, idx: c_int) -> std::result::Result<(), String> {
        let depth = self.cursor.len();
        unsafe {
            let ptr = ffi::lua_topointer(state, idx);
            if let Some(at) = self.open.iter().position(|&p| p == ptr) {
                return Err(format!("{} is {} again (a cycle); JSON cannot hold it", self.path(depth), self.path(at)));
            }
            if depth >= MAX_DEPTH {
                return Err(format!(
                    "{} nests deeper than {MAX_DEPTH} tables; the dataset reader refuses that",
                    self.path(depth)
                ));
            }
            if ffi::lua_checkstack(state, 6) == 0 {
                return Err(format!("{}: out of Lua stack space", self.path(depth)));
            }
            self.call_pairs(state, idx, depth)?;
            if self.levels.len() <= depth {
                self.levels.push(Level::default());
            }
            let level = &mut self.levels[depth];
            level.arena.clear();
            level.keys.clear();
            // Keys: all numbers with integral values >= 1 whose largest equals the count make
            // an array; anything else an object.
            let (mut all_positive_ints, mut max) = (true, 0 as ffi::lua_Integer);
            ffi::lua_pushnil(state);
            while ffi::lua_next(state, idx) != 0 {
                let start = level.arena.len();
                match ffi::lua_type(state, -2) {
                    ffi::LUA_TSTRING => {
                        all_positive_ints = false;
                        let mut len = 0usize;
                        let p = ffi::lua_tolstring(state, -2, &mut len);
                        level.arena.extend_from_slice(std::slice::from_raw_parts(p.cast::<u8>(), len));
                        level.keys.push(Key { start, len, number: None });
                    }
                    ffi::LUA_TNUMBER => {
                        let n = number_at(state, -2);
                        match n {
                            Number::Int(i) if i >= 1 => max = max.max(i),
                            _ => all_positive_ints = false,
                        }
                        write_number(&mut level.arena, n);
                        level.keys.push(Key { start, len: level.arena.len() - start, number: Some(n) });
                    }
                    other => {
                        ffi::lua_pop(state, 2);
                        let name =
                            std::ffi::CStr::from_ptr(ffi::lua_typename(state, other)).to_string_lossy().into_owned();
                        return Err(format!(
                            "{} has a {name} key; JSON objects have only string keys",
                            self.path(depth)
                        ));
                    }
                }
                ffi::lua_pop(state, 1);
            }
            self.open.push(ptr);
            let count = level.keys.len();
            let result = if count > 0 && all_positive_ints && max as usize == count {
                self.array(state, idx, count)
            } else {
                self.object(state, idx, depth)
            };
            self.open.pop();
            result
        }
    }

    /// Calls the metatable's `__pairs` once (it may build what the table stands for).
    unsafe fn call_pairs(
        &mut self,
        state: *mut ffi::lua_State,
        idx: c_int,
        depth: usize,
    ) -> std::result::Result<(), String> {
        unsafe {
            if ffi::lua_getmetatable(state, idx) == 0 {
                return Ok(());
            }
            if ffi::lua_type(state, -1) != ffi::LUA_TTABLE {
                ffi::lua_pop(state, 1);
                return Ok(());
            }
            ffi::lua_pushstring(state, c"__pairs".as_ptr());
            ffi::lua_rawget(state, -2);
            if ffi::lua_type(state, -1) != ffi::LUA_TFUNCTION {
                ffi::lua_pop(state, 2);
                return Ok(());
            }
            ffi::lua_pushvalue(state, idx);
            if ffi::lua_pcall(state, 1, 0, 0) != ffi::LUA_OK {
                let mut len = 0usize;
                let p = ffi::lua_tolstring(state, -1, &mut len);
                let text = if p.is_null() {
                    "(not a string)".into()
                } else {
                    String::from_utf8_lossy(std::slice::from_raw_parts(p.cast::<u8>(), len)).into_owned()
                };
                ffi::lua_pop(state, 2);
                return Err(format!("{}: its __pairs failed: {text}", self.path(depth)));
            }
            ffi::lua_pop(state, 1);
        }
        Ok(())
    }

    unsafe fn array(
        &mut self,
        state: *mut ffi::lua_State,
        idx: c_int,
        count: usize,
    ) -> std::result::Result<(), String> {
        self.out.push(b'[');
        for i in 1..=count as ffi::lua_Integer {
            if i > 1 {
                self.out.push(b',');
            }
            self.cursor.push(Step::Index(i));
            unsafe {
                ffi::lua_rawgeti(state, idx, i);
                let r = self.value(state, ffi::lua_gettop(state));
                ffi::lua_pop(state, 1);
                r?;
            }
            self.cursor.pop();
        }
        self.out.push(b']');
        Ok(())
    }

    unsafe fn object(
        &mut self,
        state: *mut ffi::lua_State,
        idx: c_int,
        depth: usize,
    ) -> std::result::Result<(), String> {
        let mut order: Vec<usize> = (0..self.levels[depth].keys.len()).collect();
        {
            let level = &self.levels[depth];
            order.sort_unstable_by(|&a, &b| level.name(&level.keys[a]).cmp(level.name(&level.keys[b])));
            if let Some(w) = order.windows(2).find(|w| level.name(&level.keys[w[0]]) == level.name(&level.keys[w[1]])) {
                let name = String::from_utf8_lossy(level.name(&level.keys[w[0]])).into_owned();
                return Err(format!(
                    "{} has both the number key {name} and the string key \"{name}\"; JSON has one",
                    self.path(depth)
                ));
            }
        }
        self.out.push(b'{');
        for (n, &k) in order.iter().enumerate() {
            if n > 0 {
                self.out.push(b',');
            }
            let key = self.levels[depth].keys[k];
            write_string(&mut self.out, self.levels[depth].name(&key));
            self.out.push(b':');
            self.cursor.push(Step::Key(k));
            unsafe {
                match key.number {
                    Some(Number::Int(i)) => ffi::lua_pushinteger(state, i),
                    Some(Number::Float(f)) => ffi::lua_pushnumber(state, f),
                    None => {
                        let name = self.levels[depth].name(&key);
                        ffi::lua_pushlstring(state, name.as_ptr().cast(), name.len());
                    }
                }
                ffi::lua_rawget(state, idx);
                let r = self.value(state, ffi::lua_gettop(state));
                ffi::lua_pop(state, 1);
                r?;
            }
            self.cursor.pop();
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// The number at `idx`: an integer when Lua has it as one (5.3+) or its value is an exact
/// integer (5.1, 5.2: mlua's compat `lua_isinteger`).
unsafe fn number_at(state: *mut ffi::lua_State, idx: c_int) -> Number {
    unsafe {
        if ffi::lua_isinteger(state, idx) != 0 {
            Number::Int(ffi::lua_tointeger(state, idx))
        } else {
            Number::Float(ffi::lua_tonumber(state, idx))
        }
    }
}

fn write_number(out: &mut Vec<u8>, n: Number) {
    use std::io::Write;
    let f = match n {
        Number::Int(i) => {
            let _ = write!(out, "{i}");
            return;
        }
        Number::Float(f) => f,
    };
    if f.is_nan() {
        out.extend_from_slice(b"nan");
    } else if f.is_infinite() {
        out.extend_from_slice(if f > 0.0 { b"inf" } else { b"-inf" });
    } else if f.fract() == 0.0 && f.abs() < 1e15 {
        // An integral float outside Lua 5.3's integers (or -0.0): written as the game does.
        let _ = write!(out, "{}", f as i64);
    } else if f.abs() >= 1e15 || f.abs() < 1e-5 {
        // Rust's `{:e}` is the shortest round-trip form: `1e-7`, `1.5e300`.
        let _ = write!(out, "{f:e}");
    } else {
        let _ = write!(out, "{f}");
    }
}

fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut run = 0;
    for (i, &b) in s.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..0x20 => b"",
            _ => continue,
        };
        out.extend_from_slice(&s[run..i]);
        if escape.is_empty() {
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        } else {
            out.extend_from_slice(escape);
        }
        run = i + 1;
    }
    out.extend_from_slice(&s[run..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::tree::Tree;

    fn json(lua: &Lua, chunk: &str) -> std::result::Result<String, String> {
        let value: Value = lua.load(chunk).eval().unwrap();
        encode(lua, &value, "data.raw").map(|b| String::from_utf8(b).unwrap()).map_err(|e| e.to_string())
    }

    #[test]
    fn writes_the_dump_data_shape_deterministically() {
        let lua = Lua::new();
        let cases: &[(&str, &str)] = &[
            ("return {}", "{}"),
            ("return {1, 2, 3}", "[1,2,3]"),
            ("return {b = 1, a = 2, ['A'] = 3}", r#"{"A":3,"a":2,"b":1}"#),
            ("return {[1] = 'x', [3] = 'y'}", r#"{"1":"x","3":"y"}"#),
            ("return {[0] = 'z', 'a'}", r#"{"0":"z","1":"a"}"#),
            ("return {[2] = 'b', [1] = 'a'}", r#"["a","b"]"#),
            ("return {[1.5] = true}", r#"{"1.5":true}"#),
            (
                "return {0.5, 1.0, -3, 0.1, 1/3, 1e300, 1e-7, 2^53}",
                "[0.5,1,-3,0.1,0.3333333333333333,1e300,1e-7,9007199254740992]",
            ),
            ("return {math.huge, -math.huge}", "[inf,-inf]"),
            ("return {0/0}", "[nan]"),
            ("return {'a\"b\\\\c\\n\\1\\127é'}", "[\"a\\\"b\\\\c\\n\\u0001\u{7f}é\"]"),
            ("return {x = {y = {false, true}}}", r#"{"x":{"y":[false,true]}}"#),
        ];
        for (chunk, want) in cases {
            assert_eq!(json(&lua, chunk).unwrap(), *want, "{chunk}");
        }
        // The same table twice (not a cycle) is written at each place.
        assert_eq!(json(&lua, "local t = {1} return {a = t, b = t}").unwrap(), r#"{"a":[1],"b":[1]}"#);
    }

    #[test]
    fn what_it_writes_a_dataset_loads_back_the_same() {
        let (lua, _fm) = crate::binding::test_support::lua_with_module();
        let text = json(&lua, "return {item = {['iron-plate'] = {type = 'item', name = 'iron-plate', stack_size = 100, weight = 0.1, x = math.huge, n = -0.25, tags = {'a', 'b'}, e = {}}}, recipe = {r = {type = 'recipe', name = 'r'}}}").unwrap();
        assert!(Tree::from_json(text.as_bytes()).is_ok());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data-raw-dump.json");
        std::fs::write(&file, &text).unwrap();
        lua.globals().set("file", file.to_str().unwrap()).unwrap();
        // Through the data stage's lazy data.raw (its __pairs builds every type) and back.
        let raw: Value = lua.load("fm.setup{stage = 'data', dataset = file} return data.raw").eval().unwrap();
        assert_eq!(String::from_utf8(encode(&lua, &raw, "data.raw").unwrap()).unwrap(), text);
        lua.load("fm.teardown()").exec().unwrap();
    }

    #[test]
    fn refuses_what_json_cannot_hold_naming_the_place() {
        let lua = Lua::new();
        let cases: &[(&str, &str)] = &[
            ("return {recipe = {x = {foo = print}}}", "data.raw.recipe.x.foo is a function"),
            (
                "return {recipe = {x = {ingredients = {{1}, {coroutine.create(print)}}}}}",
                "data.raw.recipe.x.ingredients[2][1] is a thread",
            ),
            ("return {a = {[true] = 1}}", "data.raw.a has a boolean key"),
            ("return {a = {[{}] = 1}}", "data.raw.a has a table key"),
            ("local t = {b = {}} t.b.c = t return {a = t}", "data.raw.a.b.c is data.raw.a again (a cycle)"),
            ("local t = {} t[1] = t return t", "data.raw[1] is data.raw again"),
            ("return {[1] = 'x', ['1'] = 'y'}", "both the number key 1 and the string key \"1\""),
            ("local t = {} local c = t for i = 1, 300 do c.n = {} c = c.n end return t", "nests deeper than 200"),
        ];
        for (chunk, want) in cases {
            let e = json(&lua, chunk).unwrap_err();
            assert!(e.contains(want), "{chunk}: {e}");
        }
        let e =
            encode(&lua, &Value::Function(lua.create_function(|_, ()| Ok(())).unwrap()), "t").unwrap_err().to_string();
        assert!(e.contains("t is a function"), "{e}");
    }

    #[test]
    fn pairs_metamethods_run_first_and_their_errors_name_the_table() {
        let lua = Lua::new();
        let lazy = "local raw = setmetatable({}, {__pairs = function(t) rawset(t, 'item', {a = 1}) return next, t, nil end}) return {data = raw}";
        assert_eq!(json(&lua, lazy).unwrap(), r#"{"data":{"item":{"a":1}}}"#);
        let e = json(&lua, "return {x = setmetatable({}, {__pairs = function() error('boom', 0) end})}").unwrap_err();
        assert!(e.contains("data.raw.x: its __pairs failed: boom"), "{e}");
    }

    #[test]
    fn write_json_writes_the_file_atomically() {
        let lua = Lua::new();
        let native = lua.create_table().unwrap();
        register(&lua, &native).unwrap();
        lua.globals().set("native", native).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data-raw.json");
        lua.globals().set("path", path.to_str().unwrap()).unwrap();
        let n: usize = lua.load("return native.write_json({item = {b = 2, a = 1}}, path)").eval().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), r#"{"item":{"a":1,"b":2}}"#);
        assert_eq!(n, 22);
        // A failure writes nothing: the old file stays.
        let e = lua.load("return native.write_json({f = print}, path, 't')").exec().unwrap_err().to_string();
        assert!(e.contains("t.f is a function"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), r#"{"item":{"a":1,"b":2}}"#);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary left: {names:?}");
    }
}
