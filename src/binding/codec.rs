//! `fm.codec`: zlib + base64, what the game's `helpers.encode_string`/`decode_string` use, and
//! JSON to tables for `helpers.json_to_table`, through the parser datasets use.

use std::io::{Read, Write};

use base64::Engine as _;
use mlua::{Lua, LuaString, Result, Table};

/// Builds the `fm.codec` table.
pub fn module(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.set("encode_string", lua.create_function(encode_string)?)?;
    t.set("decode_string", lua.create_function(decode_string)?)?;
    t.set("json_to_table", lua.create_function(json_to_table)?)?;
    Ok(t)
}

/// Deflates (zlib, best compression: the game's blueprint strings start `0eNp`, a level-9 zlib
/// header after the version character) and base64-encodes.
fn encode_string(_: &Lua, text: LuaString) -> Result<String> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&text.as_bytes()).map_err(mlua::Error::external)?;
    let deflated = encoder.finish().map_err(mlua::Error::external)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(deflated))
}

/// The inverse; nil when the text is not base64 of zlib data, as the game answers.
fn decode_string(lua: &Lua, text: LuaString) -> Result<Option<LuaString>> {
    let trimmed: Vec<u8> = text.as_bytes().iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let Ok(deflated) = base64::engine::general_purpose::STANDARD.decode(trimmed) else { return Ok(None) };
    let mut out = Vec::new();
    if flate2::read::ZlibDecoder::new(&deflated[..]).read_to_end(&mut out).is_err() {
        return Ok(None);
    }
    Ok(Some(lua.create_string(out)?))
}

/// The value of a JSON text as Lua values (null leaves a hole); nil when the text is not JSON,
/// as the game answers.
fn json_to_table(lua: &Lua, text: LuaString) -> Result<mlua::Value> {
    let Ok(tree) = crate::dataset::Tree::from_json(&text.as_bytes()) else { return Ok(mlua::Value::Nil) };
    Ok(super::dataset::build_value(lua, tree.buffer(), tree.root())?.unwrap_or(mlua::Value::Nil))
}

#[cfg(test)]
mod tests {
    use crate::binding::test_support::lua_with_module;

    #[test]
    fn encode_then_decode_gives_the_text_back_and_garbage_gives_nil() {
        let (lua, _) = lua_with_module();
        let (back, bad, known): (String, Option<String>, String) = lua
            .load(
                r#"
                local text = string.rep("factorio ", 50)
                return fm.codec.decode_string(fm.codec.encode_string(text)) == text and "same" or "different",
                  fm.codec.decode_string("not base64 !"),
                  fm.codec.decode_string("eJxLTEoGAAJNASc=")
                "#,
            )
            .eval()
            .unwrap();
        assert_eq!(back, "same");
        assert_eq!(bad, None);
        // "eJxLTEoGAAJNASc=" is zlib.compress(b"abc") in base64, from Python.
        assert_eq!(known, "abc");
    }
}
