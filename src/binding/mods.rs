//! `fm.mods`: the Lua face of [`crate::mods`].
//!
//! A mod is a plain table: `{name, version, title, author, factorio_version, description?,
//! dependencies = {dep…}, path, zip = bool, root? }` where a dep is
//! `{kind, prefix, name, op?, version?, text}`. Functions that take mods accept these tables,
//! or hand-made ones (`{name = "a", version = "1.0.0", dependencies = {"base"}}`; a missing
//! `dependencies` means `{"base"}`, as in info.json).

use std::path::{Path, PathBuf};

use mlua::{Error, Lua, Result, Table, Value};

use crate::mods::{self, Dependency, Mod, ModInfo, Problem, Source, Version};

/// Builds the `fm.mods` table.
pub fn module(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.set("scan", lua.create_function(scan)?)?;
    t.set("load", lua.create_function(load)?)?;
    t.set("parse_dependency", lua.create_function(parse_dependency)?)?;
    t.set("load_order", lua.create_function(load_order)?)?;
    t.set("check", lua.create_function(check)?)?;
    t.set("read_file", lua.create_function(read_file)?)?;
    t.set("list_files", lua.create_function(list_files)?)?;
    t.set("is_builtin", lua.create_function(|_, name: String| Ok(mods::is_builtin(&name)))?)?;
    Ok(t)
}

fn runtime(function: &str, msg: impl std::fmt::Display) -> Error {
    Error::runtime(format!("fm.mods.{function}: {msg}"))
}

fn dependency_to_lua(lua: &Lua, d: &Dependency) -> Result<Table> {
    let t = lua.create_table()?;
    t.set("kind", d.kind.name())?;
    t.set("prefix", d.kind.prefix())?;
    t.set("name", d.name.as_str())?;
    if let Some((op, v)) = d.version {
        t.set("op", op.as_str())?;
        t.set("version", v.to_string())?;
    }
    t.set("text", d.to_string())?;
    Ok(t)
}

fn mod_to_lua(lua: &Lua, m: &Mod) -> Result<Table> {
    let t = lua.create_table()?;
    let info = &m.info;
    t.set("name", info.name.as_str())?;
    t.set("version", info.version.to_string())?;
    t.set("title", info.title.as_str())?;
    t.set("author", info.author.as_str())?;
    t.set("factorio_version", info.factorio_version.as_str())?;
    t.set("description", info.description.as_deref())?;
    let deps = lua.create_table()?;
    for (i, d) in info.dependencies.iter().enumerate() {
        deps.raw_set(i + 1, dependency_to_lua(lua, d)?)?;
    }
    t.set("dependencies", deps)?;
    t.set("path", m.path().to_string_lossy().as_ref())?;
    t.set("zip", m.is_zip())?;
    if let Source::Zip { root, .. } = &m.source {
        t.set("root", root.as_str())?;
    }
    t.set("builtin", mods::is_builtin(&info.name))?;
    Ok(t)
}

/// A mod table (from scan, or hand-made) back to a [`Mod`]; `i` names it in errors.
fn mod_from_lua(function: &str, i: usize, t: &Table) -> Result<Mod> {
    let name: Option<String> = t.get("name")?;
    let name = name.ok_or_else(|| runtime(function, format!("mods[{i}]: missing name")))?;
    let at = |e: String| runtime(function, format!("mods[{i}] ({name}): {e}"));
    let version = match t.get::<Option<String>>("version")? {
        Some(v) => Version::parse(&v).map_err(at)?,
        None => Version::default(),
    };
    let dependencies = match t.get::<Option<Table>>("dependencies")? {
        None => vec![Dependency::parse("base").map_err(at)?],
        Some(deps) => {
            let mut out = Vec::new();
            for d in deps.sequence_values::<Value>() {
                let text = match d? {
                    Value::String(s) => s.to_str()?.to_owned(),
                    Value::Table(d) => d.get::<String>("text")?,
                    other => {
                        return Err(at(format!(
                            "a dependency must be a string or a table, not a {}",
                            other.type_name()
                        )));
                    }
                };
                out.push(Dependency::parse(&text).map_err(at)?);
            }
            out
        }
    };
    let path: Option<String> = t.get("path")?;
    let path = PathBuf::from(path.unwrap_or_default());
    let source = match (t.get::<Option<bool>>("zip")?.unwrap_or(false), t.get::<Option<String>>("root")?) {
        (true, Some(root)) => Source::Zip { path, root },
        _ => Source::Folder(path),
    };
    let text = |k: &str| -> Result<String> { Ok(t.get::<Option<String>>(k)?.unwrap_or_default()) };
    let info = ModInfo {
        name: name.clone(),
        version,
        title: text("title")?,
        author: text("author")?,
        factorio_version: text("factorio_version")?,
        dependencies,
        description: t.get("description")?,
        contact: None,
        homepage: None,
    };
    Ok(Mod { info, source })
}

/// The mods of a Lua list, in list order. No handle to a mod's table is kept: each handle
/// holds a slot of mlua's reference stack, and Lua 5.1 and LuaJIT allow about 8,000 of them
/// (`fm.mods.load_order` of 8,000 mods failed with "out of Lua stack"); callers read the
/// tables again by their list position.
fn mods_from_lua(function: &str, list: &Table) -> Result<Vec<Mod>> {
    let mut mods = Vec::new();
    for (i, v) in list.sequence_values::<Table>().enumerate() {
        let t = v.map_err(|_| runtime(function, format!("mods[{}] must be a mod table", i + 1)))?;
        mods.push(mod_from_lua(function, i + 1, &t)?);
    }
    Ok(mods)
}

/// `fm.mods.scan(dir)` → `mods, report`; `report = {broken = {{path, error}}, shadowed = {mod…}}`.
fn scan(lua: &Lua, dir: String) -> Result<(Table, Table)> {
    let scan = mods::scan(Path::new(&dir)).map_err(|e| runtime("scan", e))?;
    let list = lua.create_table()?;
    for (i, m) in scan.mods.iter().enumerate() {
        list.raw_set(i + 1, mod_to_lua(lua, m)?)?;
    }
    let report = lua.create_table()?;
    let broken = lua.create_table()?;
    for (i, (path, error)) in scan.broken.iter().enumerate() {
        let b = lua.create_table()?;
        b.set("path", path.to_string_lossy().as_ref())?;
        b.set("error", error.as_str())?;
        broken.raw_set(i + 1, b)?;
    }
    let shadowed = lua.create_table()?;
    for (i, m) in scan.shadowed.iter().enumerate() {
        shadowed.raw_set(i + 1, mod_to_lua(lua, m)?)?;
    }
    report.set("broken", broken)?;
    report.set("shadowed", shadowed)?;
    Ok((list, report))
}

/// `fm.mods.load(path)`: one mod from a folder or a zip.
fn load(lua: &Lua, path: String) -> Result<Table> {
    let m = mods::load(Path::new(&path)).map_err(|e| runtime("load", e))?;
    mod_to_lua(lua, &m)
}

fn parse_dependency(lua: &Lua, s: String) -> Result<Table> {
    let d = Dependency::parse(&s).map_err(|e| runtime("parse_dependency", e))?;
    dependency_to_lua(lua, &d)
}

/// The same mod tables, in the game's load order.
fn load_order(lua: &Lua, list: Table) -> Result<Table> {
    let mods = mods_from_lua("load_order", &list)?;
    let order = mods::load_order(&mods).map_err(|e| runtime("load_order", e))?;
    let out = lua.create_table_with_capacity(order.len(), 0)?;
    for (i, idx) in order.into_iter().enumerate() {
        // One value at a time, moved from the list to the result (see `mods_from_lua`).
        out.raw_set(i + 1, list.raw_get::<Value>(idx + 1)?)?;
    }
    Ok(out)
}

/// Every problem as `{kind, message, mod?, dependency?, found?, mods?}`; empty when loadable.
fn check(lua: &Lua, list: Table) -> Result<Table> {
    let mods = mods_from_lua("check", &list)?;
    let out = lua.create_table()?;
    for (i, p) in mods::check(&mods).iter().enumerate() {
        let t = lua.create_table()?;
        t.set("message", p.to_string())?;
        match p {
            Problem::Missing { by, dependency } => {
                t.set("kind", "missing")?;
                t.set("mod", by.as_str())?;
                t.set("dependency", dependency.to_string())?;
            }
            Problem::WrongVersion { by, dependency, found } => {
                t.set("kind", "version")?;
                t.set("mod", by.as_str())?;
                t.set("dependency", dependency.to_string())?;
                t.set("found", found.to_string())?;
            }
            Problem::Incompatible { by, other } => {
                t.set("kind", "incompatible")?;
                t.set("mod", by.as_str())?;
                t.set("other", other.as_str())?;
            }
            Problem::Cycle(names) => {
                t.set("kind", "cycle")?;
                t.set("mods", names.clone())?;
            }
            Problem::Duplicate(name) => {
                t.set("kind", "duplicate")?;
                t.set("mod", name.as_str())?;
            }
        }
        out.raw_set(i + 1, t)?;
    }
    Ok(out)
}

/// `fm.mods.read_file(mod_or_path, "relative/file.lua")` → the bytes, or nil when absent.
fn read_file(lua: &Lua, (m, relative): (Value, String)) -> Result<Option<mlua::LuaString>> {
    let m = match m {
        Value::String(p) => mods::load(Path::new(&*p.to_str()?)).map_err(|e| runtime("read_file", e))?,
        Value::Table(t) => mod_from_lua("read_file", 1, &t)?,
        other => {
            return Err(runtime(
                "read_file",
                format!("bad argument #1: expected a mod table or a path, got {}", other.type_name()),
            ));
        }
    };
    match m.read_file(&relative).map_err(|e| runtime("read_file", e))? {
        Some(bytes) => Ok(Some(lua.create_string(bytes)?)),
        None => Ok(None),
    }
}

/// `fm.mods.list_files(mod_or_path, "migrations")` → the names of the files directly in that
/// folder, sorted; empty when it does not exist.
fn list_files(lua: &Lua, (m, relative): (Value, String)) -> Result<Table> {
    let m = match m {
        Value::String(p) => mods::load(Path::new(&*p.to_str()?)).map_err(|e| runtime("list_files", e))?,
        Value::Table(t) => mod_from_lua("list_files", 1, &t)?,
        other => {
            return Err(runtime(
                "list_files",
                format!("bad argument #1: expected a mod table or a path, got {}", other.type_name()),
            ));
        }
    };
    lua.create_sequence_from(m.list_files(&relative).map_err(|e| runtime("list_files", e))?)
}

#[cfg(test)]
mod tests {
    use crate::binding::test_support::lua_with_module;

    const MODS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mods");

    #[test]
    fn scan_order_check_and_read_from_lua() {
        let (lua, _) = lua_with_module();
        lua.globals().set("dir", MODS).unwrap();
        let result: String = lua
            .load(
                r#"
                local mods, report = fm.mods.scan(dir)
                local base = {name = "base", version = "2.0.0", dependencies = {}}
                table.insert(mods, base)
                local names = {}
                for _, m in ipairs(fm.mods.load_order(mods)) do names[#names + 1] = m.name end
                local problems = fm.mods.check(mods)
                local lib = mods[2]
                assert(lib.zip and lib.root == "fm-library_1.2.0", lib.root)
                assert(fm.mods.read_file(lib, "data.lua") == 'require("prototypes.items")\n')
                assert(fm.mods.read_file(lib, "missing.lua") == nil)
                assert(#fm.mods.list_files(lib, "migrations") == 0)
                return table.concat(names, ",") .. "|" .. #problems .. "|" .. #report.broken .. "|" .. report.shadowed[1].version
            "#,
            )
            .eval()
            .unwrap();
        assert_eq!(result, "base,fm-library,fm-optional,fm-app|0|1|1.0.0");
    }

    #[test]
    fn parse_dependency_returns_a_table_or_a_quoting_error() {
        let (lua, _) = lua_with_module();
        let text: String = lua
            .load("local d = fm.mods.parse_dependency('? flib >= 0.12.0'); return d.kind .. d.prefix .. d.name .. d.op .. d.version .. '|' .. d.text")
            .eval()
            .unwrap();
        assert_eq!(text, "optional?flib>=0.12.0|? flib >= 0.12.0");
        let text: String = lua
            .load("local d = fm.mods.parse_dependency('+ quality >= 2.1.0'); return d.kind .. d.prefix .. d.name .. '|' .. d.text")
            .eval()
            .unwrap();
        assert_eq!(text, "recommended+quality|+ quality >= 2.1.0");
        let err = lua.load("fm.mods.parse_dependency('flib >=')").exec().unwrap_err().to_string();
        assert!(err.contains("fm.mods.parse_dependency: bad dependency \"flib >=\": no version after \">=\""), "{err}");
    }
}
