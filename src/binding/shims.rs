//! The embedded Lua shims (see `build.rs`), registered in `package.preload`.

use mlua::{FromLuaMulti, IntoLuaMulti, Lua, Result, Table};

include!(concat!(env!("OUT_DIR"), "/shims.rs"));

/// The chunk name a shim's errors carry: `factorio_mocks/api.lua:12: …`.
fn chunk_name(module: &str) -> String {
    format!("@{}.lua", module.replace('.', "/"))
}

fn source(module: &str) -> Result<&'static str> {
    SHIMS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, src)| *src)
        .ok_or_else(|| mlua::Error::runtime(format!("factorio_mocks: no embedded shim {module}")))
}

/// Registers every shim in `package.preload`, so `require("factorio_mocks.serpent")` works
/// once the module is loaded.
pub fn register(lua: &Lua) -> Result<()> {
    let preload: Table = lua.globals().get::<Table>("package")?.get("preload")?;
    for (name, src) in SHIMS {
        let chunk = lua.load(*src).set_name(chunk_name(name)).into_function()?;
        preload.set(*name, chunk)?;
    }
    Ok(())
}

/// Runs a shim's chunk and calls the function it returns with `args`.
pub fn call<R: FromLuaMulti>(lua: &Lua, module: &str, args: impl IntoLuaMulti) -> Result<R> {
    let make: mlua::Function = lua.load(source(module)?).set_name(chunk_name(module)).eval()?;
    make.call(args)
}
