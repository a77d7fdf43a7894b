//! `fm.mod_list`: the Lua face of [`crate::mod_list`].

use mlua::{Lua, Result, Table};

/// Builds the `fm.mod_list` table.
pub fn module(lua: &Lua) -> Result<Table> {
    lua.create_table()
}
