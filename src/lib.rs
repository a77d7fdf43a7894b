/*!
factorio-mocks: test Factorio mods with busted, outside the game, against real game data.

The crate has two halves:

* a pure core, one module per domain, with no Lua types in it and tested with `cargo test`:
  [`dataset`] (dataset layouts, metadata, checksums, the compact prototype tree),
  [`locale`] (cfg files and the LocalisedString engine),
  [`property_tree`] and [`mod_settings`] (`mod-settings.dat`),
  [`mod_list`] (`mod-list.json`), [`mods`] (info.json, dependencies, load order);
* [`binding`], the thin mlua layer that converts between those and Lua and builds the
  `factorio_mocks` module table. The hand-written mocks are Lua files under `lua/`, embedded
  into the library and registered in `package.preload`.
*/

pub mod cache;
pub mod dataset;
pub mod fsutil;
pub mod locale;
pub mod mod_list;
pub mod mod_settings;
#[cfg(feature = "fetch")]
pub mod modpack;
pub mod mods;
pub mod property_tree;
pub mod source;
pub mod strpack;

pub mod binding;

/// The rock's version, as `fm.VERSION` reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The entry point `require("factorio_mocks")` calls.
#[cfg_attr(feature = "module", mlua::lua_module)]
pub fn factorio_mocks(lua: &mlua::Lua) -> mlua::Result<mlua::Table> {
    binding::module(lua)
}

/// `require("factorio_mocks.busted")`: found through the all-in-one loader, which looks for
/// `luaopen_factorio_mocks_busted` in this library.
#[cfg(feature = "module")]
#[mlua::lua_module(name = "factorio_mocks_busted")]
pub fn factorio_mocks_busted(lua: &mlua::Lua) -> mlua::Result<mlua::Value> {
    // Calls the preload entry rather than `require`: Lua 5.1 and LuaJIT mark the name as being
    // loaded, and a nested require of it would fail with "loop or previous error".
    lua.load("require('factorio_mocks'); return package.preload['factorio_mocks.busted']('factorio_mocks.busted')")
        .set_name("=factorio_mocks.busted")
        .eval()
}
