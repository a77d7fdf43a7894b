//! The thin mlua layer: converts between the pure core and Lua, and builds the module table.
//!
//! Each domain has one file here with a `module(lua)` (its `fm.<domain>` table) or a
//! `register(lua, native)` (functions the Lua shims call). Hand-written behaviour lives in the
//! Lua shims under `lua/`, which this layer registers in `package.preload`.

mod codec;
mod dataset;
mod fetch;
pub mod json_out;
mod locale;
mod mod_list;
mod mod_settings;
mod mods;
mod shims;
mod strpack;

use mlua::{Lua, Result, Table};

/// Builds the `factorio_mocks` module table.
pub fn module(lua: &Lua) -> Result<Table> {
    strpack::install(lua)?;
    shims::register(lua)?;
    let native = lua.create_table()?;
    native.set("VERSION", crate::VERSION)?;
    dataset::register(lua, &native)?;
    json_out::register(lua, &native)?;
    let domains = [
        ("locale", locale::module(lua)?),
        ("mod_settings", mod_settings::module(lua)?),
        ("mod_list", mod_list::module(lua)?),
        ("mods", mods::module(lua)?),
        ("codec", codec::module(lua)?),
    ];
    // Rust errors become plain messages at the caller's line (see lua/factorio_mocks/errors.lua).
    let errors: Table = lua.load("return require('factorio_mocks.errors')").eval()?;
    let wrap_table: mlua::Function = errors.get("wrap_table")?;
    // The shims calling `native` add their own context; users calling fm.* get their line.
    wrap_table.call::<()>((native.clone(), 0))?;
    let fm: Table = shims::call(lua, "factorio_mocks.api", native)?;
    fetch::register(lua, &fm)?;
    let wrap: mlua::Function = errors.get("wrap")?;
    fm.set("fetch", wrap.call::<mlua::Function>((fm.get::<mlua::Function>("fetch")?, 2))?)?;
    wrap_table.call::<()>((fm.get::<Table>("cache")?, 2))?;
    for (name, table) in &domains {
        fm.set(*name, table)?;
    }
    // Lua additions to fm.locale wrap the Rust functions before every function gets wrapped.
    shims::call::<()>(lua, "factorio_mocks.locale", fm.clone())?;
    // ModList objects: their methods' errors too name the caller's line.
    let wrap_constructor: mlua::Function = errors.get("wrap_constructor")?;
    for name in ["load", "new"] {
        wrap_constructor.call::<()>((fm.get::<Table>("mod_list")?, name))?;
    }
    for (_, table) in domains {
        wrap_table.call::<()>((table, 2))?;
    }
    Ok(fm)
}

/// The fuzzer's way into the table builder (examples/fuzz.rs, target `tree`): every prototype
/// type of `tree` built as Lua tables, as `data.raw` builds them. The number of types, or the
/// damage found.
#[doc(hidden)]
pub fn fuzz_build_tree(
    lua: &Lua,
    tree: &crate::dataset::Tree,
) -> Result<std::result::Result<usize, crate::dataset::TreeError>> {
    let entries = match tree.root_entries() {
        Ok(e) => e,
        Err(e) => return Ok(Err(e)),
    };
    for (_, at) in &entries {
        if let Err(e) = dataset::build_value(lua, tree.buffer(), *at)? {
            return Ok(Err(e));
        }
    }
    Ok(Ok(entries.len()))
}

#[cfg(test)]
pub(crate) mod test_support {
    use mlua::{Lua, Table};

    /// A fresh Lua state with the module loaded, as `require("factorio_mocks")` would give it.
    pub fn lua_with_module() -> (Lua, Table) {
        let lua = Lua::new();
        let fm = super::module(&lua).expect("module loads");
        lua.globals().set("fm", &fm).expect("set global");
        (lua, fm)
    }
}
