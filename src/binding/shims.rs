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
/// once the module is loaded. A shim is compiled the first time it is required (most tests
/// never need the control stage's API description), then kept.
pub fn register(lua: &Lua) -> Result<()> {
    let preload: Table = lua.globals().get::<Table>("package")?.get("preload")?;
    let compile = lua.create_function(|lua, name: String| {
        lua.load(source(&name)?).set_name(chunk_name(&name)).into_function()
    })?;
    let names: Vec<&str> = SHIMS.iter().map(|(name, _)| *name).collect();
    lua.load(
        r#"
        local preload, compile, names = ...
        local compiled = {}
        for _, name in ipairs(names) do
          preload[name] = function(...)
            local chunk = compiled[name]
            if not chunk then
              chunk = compile(name)
              compiled[name] = chunk
            end
            return chunk(...)
          end
        end
        "#,
    )
    .set_name("=factorio_mocks.preload")
    .call::<()>((preload, compile, names))
}

/// Runs a shim's chunk and calls the function it returns with `args`.
pub fn call<R: FromLuaMulti>(lua: &Lua, module: &str, args: impl IntoLuaMulti) -> Result<R> {
    let make: mlua::Function = lua.load(source(module)?).set_name(chunk_name(module)).eval()?;
    make.call(args)
}
