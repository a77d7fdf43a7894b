//! `string.pack`, `string.unpack`, `string.packsize` for the Luas that lack them (5.1, 5.2,
//! LuaJIT), installed into the host's `string` table when `require("factorio_mocks")` runs, so
//! every stage, every mod file and the test itself find them, as in the game's Lua 5.2. The
//! native ones of 5.3 and 5.4 stay. The format language is [`crate::strpack`]'s.

use std::ffi::c_int;

use mlua::{Function, Lua, MultiValue, Result, Table, Value, Variadic, ffi};

use crate::strpack::{self, Args, Unpacked};

/// Lua 5.3 and 5.4 have integers; on the others every number is a double.
const NATIVE_INTEGERS: bool = cfg!(any(feature = "lua53", feature = "lua54"));

/// The most values `unpack` returns: a C function's stack holds 8000 slots on Lua 5.1 and
/// LuaJIT, a million on 5.2; past it Lua 5.3 says "too many results", mlua something longer.
const MAX_RESULTS: usize = if cfg!(any(feature = "lua51", feature = "luajit")) { 7_900 } else { 990_000 };

/// Adds whichever of the three functions the running Lua's `string` table lacks.
pub fn install(lua: &Lua) -> Result<()> {
    let string: Table = lua.globals().get("string")?;
    let functions = [
        ("pack", lua.create_function(pack)?),
        ("unpack", lua.create_function(unpack)?),
        ("packsize", lua.create_function(packsize)?),
    ];
    for (name, work) in functions {
        if string.get::<Value>(name)?.is_nil() {
            string.set(name, as_c_function(lua, work)?)?;
        }
    }
    Ok(())
}

/// `work` behind a C function that raises its failures. `work` answers `true, results…` or
/// `false, reason, argument`; the C function raises that with `luaL_argerror` or `luaL_where`,
/// so the text, the function's name ('pack', a local's name, a method's argument count) and the
/// caller's line are the host Lua's own, as for its native functions. A Lua wrapper could not
/// do that: a tail call (`return string.pack(…)`) loses the caller's frame, and an mlua error is
/// a userdata, not a string.
fn as_c_function(lua: &Lua, work: Function) -> Result<Function> {
    // SAFETY: pushcclosure pops the one value exec_raw pushed (`work`) and pushes the closure;
    // exec_raw runs it in protected mode.
    unsafe { lua.exec_raw::<Function>(work, |state| ffi::lua_pushcclosure(state, raise_failures, 1)) }
}

/// The C function: calls its upvalue with its arguments and raises a `false` answer.
unsafe extern "C-unwind" fn raise_failures(state: *mut ffi::lua_State) -> c_int {
    // SAFETY: stack operations on this frame's own values only, and no Rust value with a
    // destructor is alive, so an error's longjmp out of here skips nothing that needs dropping.
    unsafe {
        let nargs = ffi::lua_gettop(state);
        ffi::lua_pushvalue(state, ffi::lua_upvalueindex(1));
        ffi::lua_insert(state, 1);
        ffi::lua_call(state, nargs, ffi::LUA_MULTRET);
        if ffi::lua_toboolean(state, 1) != 0 {
            ffi::lua_remove(state, 1);
            return ffi::lua_gettop(state);
        }
        if ffi::lua_type(state, 3) == ffi::LUA_TNUMBER {
            let arg = ffi::lua_tonumber(state, 3) as c_int;
            // The reason stays on the stack while luaL_argerror formats it.
            return ffi::luaL_argerror(state, arg, ffi::lua_tolstring(state, 2, std::ptr::null_mut()));
        }
        ffi::luaL_where(state, 1);
        ffi::lua_pushvalue(state, 2);
        ffi::lua_concat(state, 2);
        ffi::lua_error(state)
    }
}

/// The name Lua's type errors use for a value ("got nil", "got no value").
fn type_name(value: Option<&Value>) -> &'static str {
    match value {
        None => "no value",
        Some(Value::Integer(_) | Value::Number(_)) => "number",
        Some(Value::LightUserData(_) | Value::UserData(_)) => "userdata",
        Some(other) => other.type_name(),
    }
}

/// `luaL_checkinteger` on a Lua where numbers are doubles: integral values only.
#[allow(clippy::useless_conversion)] // mlua's Integer is i32 on 32-bit hosts
fn to_integer(lua: &Lua, value: Option<&Value>) -> std::result::Result<i64, String> {
    let number = match value {
        Some(Value::Integer(i)) => return Ok(i64::from(*i)),
        Some(Value::Number(n)) => Some(*n),
        Some(v @ Value::String(_)) => lua.coerce_number(v.clone()).ok().flatten(),
        _ => None,
    };
    match number {
        Some(n) => strpack::integer_of(n).ok_or_else(|| "number has no integer representation".to_string()),
        None => Err(format!("number expected, got {}", type_name(value))),
    }
}

/// `luaL_checknumber`: numbers, and strings that convert.
fn to_number(lua: &Lua, value: Option<&Value>) -> std::result::Result<f64, String> {
    match value {
        Some(Value::Integer(i)) => Some(*i as f64),
        Some(Value::Number(n)) => Some(*n),
        Some(v @ Value::String(_)) => lua.coerce_number(v.clone()).ok().flatten(),
        _ => None,
    }
    .ok_or_else(|| format!("number expected, got {}", type_name(value)))
}

/// `luaL_checklstring`: strings, and numbers as the host writes them.
fn to_bytes(lua: &Lua, value: Option<&Value>) -> std::result::Result<Vec<u8>, String> {
    let string = match value {
        Some(Value::String(s)) => Some(s.clone()),
        Some(v @ (Value::Integer(_) | Value::Number(_))) => lua.coerce_string(v.clone()).ok().flatten(),
        _ => None,
    };
    string.map(|s| s.as_bytes().to_vec()).ok_or_else(|| format!("string expected, got {}", type_name(value)))
}

/// Lua arguments as the values `pack` asks for; `arg` counts from 1 (the format).
struct LuaArgs<'l> {
    lua: &'l Lua,
    values: &'l [Value],
}

impl LuaArgs<'_> {
    /// A missing argument reads as nil: Lua 5.3's pack pushes a nil above its arguments
    /// before reading them, so its errors say "got nil", never "got no value".
    fn get(&self, arg: usize) -> Option<&Value> {
        Some(self.values.get(arg - 1).unwrap_or(&Value::Nil))
    }
}

impl Args for LuaArgs<'_> {
    fn integer(&mut self, arg: usize) -> std::result::Result<i64, String> {
        to_integer(self.lua, self.get(arg))
    }

    fn number(&mut self, arg: usize) -> std::result::Result<f64, String> {
        to_number(self.lua, self.get(arg))
    }

    fn bytes(&mut self, arg: usize) -> std::result::Result<Vec<u8>, String> {
        to_bytes(self.lua, self.get(arg))
    }
}

/// `false, reason, argument`: what the C function raises ("bad argument #N to 'pack' (reason)",
/// or the reason alone when no argument is to blame).
fn failure(lua: &Lua, arg: Option<usize>, reason: String) -> Result<MultiValue> {
    let arg = arg.map_or(Value::Nil, |arg| Value::Number(arg as f64));
    Ok(MultiValue::from_iter([Value::Boolean(false), Value::String(lua.create_string(reason)?), arg]))
}

fn failed(lua: &Lua, e: strpack::Error) -> Result<MultiValue> {
    failure(lua, e.arg, e.kind.to_string())
}

fn number_value(n: i64) -> Value {
    if NATIVE_INTEGERS { Value::Integer(n as mlua::Integer) } else { Value::Number(n as f64) }
}

fn pack(lua: &Lua, args: Variadic<Value>) -> Result<MultiValue> {
    let fmt = match to_bytes(lua, args.first()) {
        Ok(fmt) => fmt,
        Err(reason) => return failure(lua, Some(1), reason),
    };
    match strpack::pack(&fmt, &mut LuaArgs { lua, values: &args }) {
        Ok(bytes) => Ok(MultiValue::from_iter([Value::Boolean(true), Value::String(lua.create_string(bytes)?)])),
        Err(e) => failed(lua, e),
    }
}

fn packsize(lua: &Lua, args: Variadic<Value>) -> Result<MultiValue> {
    let fmt = match to_bytes(lua, args.first()) {
        Ok(fmt) => fmt,
        Err(reason) => return failure(lua, Some(1), reason),
    };
    match strpack::packsize(&fmt) {
        // At most Lua's MAXSIZE (2^31 - 1), so exact in an i64.
        Ok(size) => Ok(MultiValue::from_iter([Value::Boolean(true), number_value(size as i64)])),
        Err(e) => failed(lua, e),
    }
}

fn unpack(lua: &Lua, args: Variadic<Value>) -> Result<MultiValue> {
    let fmt = match to_bytes(lua, args.first()) {
        Ok(fmt) => fmt,
        Err(reason) => return failure(lua, Some(1), reason),
    };
    let data = match to_bytes(lua, args.get(1)) {
        Ok(data) => data,
        Err(reason) => return failure(lua, Some(2), reason),
    };
    // `luaL_optinteger(L, 3, 1)`.
    let init = match args.get(2) {
        None | Some(Value::Nil) => 1,
        value => match to_integer(lua, value) {
            Ok(init) => init,
            Err(reason) => return failure(lua, Some(3), reason),
        },
    };
    let (values, next) = match strpack::unpack(&fmt, &data, init) {
        Ok(result) => result,
        Err(e) => return failed(lua, e),
    };
    if values.len() > MAX_RESULTS {
        return failure(lua, None, "stack overflow (too many results)".to_string());
    }
    let mut results = Vec::with_capacity(values.len() + 2);
    results.push(Value::Boolean(true));
    for value in values {
        results.push(match value {
            Unpacked::Integer(i) => number_value(i),
            Unpacked::Float(f) => Value::Number(f),
            Unpacked::Bytes(b) => Value::String(lua.create_string(b)?),
        });
    }
    // A position within the data plus one or two: exact in an i64.
    results.push(number_value(next as i64));
    Ok(MultiValue::from_iter(results))
}

#[cfg(test)]
mod tests {
    use mlua::Lua;

    /// A Lua 5.2 state (the test build's) with the module loaded and the functions installed.
    fn lua() -> Lua {
        let (lua, _) = crate::binding::test_support::lua_with_module();
        lua
    }

    #[test]
    fn installs_the_three_functions_where_lua_lacks_them() {
        let lua = lua();
        let (packed, size, a, b, next): (mlua::LuaString, i64, f64, String, i64) = lua
            .load(r#"local s = string.pack("<i4 z", 7, "hi"); return s, string.packsize("i4 i8"), string.unpack("<i4 z", s)"#)
            .eval()
            .unwrap();
        assert_eq!(&*packed.as_bytes(), b"\x07\0\0\0hi\0");
        assert_eq!((size, a, b.as_str(), next), (12, 7.0, "hi", 8));
    }

    #[test]
    fn errors_are_lua_strings_at_the_callers_line_naming_the_function_as_called() {
        let lua = lua();
        let messages: Vec<String> = lua
            .load(
                r#"
                local function err(f) return select(2, pcall(f)) end
                local p = string.pack
                return {
                  err(function() string.pack('i1', 300) end),
                  err(function() return string.pack('i1', 300) end),
                  err(function() p('i1', 300) end),
                  err(function() return ('i1'):pack(300) end),
                  err(function() string.pack('y') end),
                  select(2, pcall(string.unpack, 'i4', {})),
                  select(2, pcall(string.unpack, ('b'):rep(1000000), ('x'):rep(1000000))),
                }
                "#,
            )
            .set_name("=spec")
            .eval()
            .unwrap();
        assert_eq!(
            messages,
            [
                "spec:5: bad argument #2 to 'pack' (integer overflow)",
                "spec:6: bad argument #2 to 'pack' (integer overflow)",
                "spec:7: bad argument #2 to 'p' (integer overflow)",
                "spec:8: bad argument #1 to 'pack' (integer overflow)",
                "spec:9: invalid format option 'y'",
                "bad argument #2 to 'string.unpack' (string expected, got table)",
                "stack overflow (too many results)",
            ]
        );
    }
}
