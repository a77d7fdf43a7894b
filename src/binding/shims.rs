//! The embedded Lua shims (see `build.rs`), registered in `package.preload`.

use mlua::{FromLuaMulti, IntoLuaMulti, Lua, Result, Table};

include!(concat!(env!("OUT_DIR"), "/shims.rs"));

/// The chunk name a shim's errors carry: `factorio_mocks/api.lua:12: …`.
fn chunk_name(module: &str) -> String {
    format!("@{}.lua", module.replace('.', "/"))
}

fn source(module: &str) -> Result<std::borrow::Cow<'static, str>> {
    // For developing the shims: read them from a checkout's `lua/` instead of the copies built
    // in, so a change to a mock needs no rebuild (never set by users).
    if let Some(dir) = std::env::var_os("FACTORIO_MOCKS_DEV_LUA_DIR") {
        let path = std::path::Path::new(&dir).join(module.replace('.', "/"));
        for candidate in [path.with_extension("lua"), path.join("init.lua")] {
            if let Ok(text) = std::fs::read_to_string(&candidate) {
                return Ok(text.into());
            }
        }
    }
    SHIMS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, src)| std::borrow::Cow::Borrowed(*src))
        .ok_or_else(|| mlua::Error::runtime(format!("factorio_mocks: no embedded shim {module}")))
}

/// Registers every shim in `package.preload`, so `require("factorio_mocks.serpent")` works
/// once the module is loaded. A shim is compiled the first time it is required (most tests
/// never need the control stage's API description), then kept.
pub fn register(lua: &Lua) -> Result<()> {
    let preload: Table = lua.globals().get::<Table>("package")?.get("preload")?;
    let compile = lua.create_function(|lua, name: String| {
        lua.load(source(&name)?.as_ref()).set_name(chunk_name(&name)).into_function()
    })?;
    let mut names: Vec<String> = SHIMS.iter().map(|(name, _)| name.to_string()).collect();
    if let Some(dir) = std::env::var_os("FACTORIO_MOCKS_DEV_LUA_DIR") {
        dev_names(std::path::Path::new(&dir), "", &mut names);
    }
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

/// Shims added in a development checkout since the build (see [`source`]).
fn dev_names(dir: &std::path::Path, prefix: &str, names: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        if path.is_dir() {
            dev_names(&path, &format!("{prefix}{stem}."), names);
        } else if path.extension().is_some_and(|e| e == "lua") {
            let name =
                if stem == "init" { prefix.trim_end_matches('.').to_string() } else { format!("{prefix}{stem}") };
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
}

/// Runs a shim's chunk and calls the function it returns with `args`.
pub fn call<R: FromLuaMulti>(lua: &Lua, module: &str, args: impl IntoLuaMulti) -> Result<R> {
    let make: mlua::Function = lua.load(source(module)?.as_ref()).set_name(chunk_name(module)).eval()?;
    make.call(args)
}
