//! `fm.mods`: the Lua face of [`crate::mods`].

use mlua::{Lua, Result, Table};

/// Builds the `fm.mods` table.
pub fn module(lua: &Lua) -> Result<Table> {
    lua.create_table()
}
