//! `fm.mod_settings`: the Lua face of [`crate::mod_settings`].

use mlua::{Lua, Result, Table};

/// Builds the `fm.mod_settings` table.
pub fn module(lua: &Lua) -> Result<Table> {
    lua.create_table()
}
