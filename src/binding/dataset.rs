//! Datasets in Lua: `native.open_dataset(spec, game_version)` gives a `Dataset` whose prototype
//! types are built into Lua tables on demand; `native.builtin_versions()` lists the built-in
//! game versions, newest first.
//!
//! Tables are built with the raw C API: one presized `lua_createtable` per table and raw sets,
//! with no registry reference per table (what mlua's `Table` handles would cost).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use mlua::ffi;
use mlua::{Lua, Result, Table, UserData, UserDataMethods, Value};

use crate::dataset::builtin::Set;
use crate::dataset::tree::{self, Tree, TreeError};
use crate::dataset::{Dataset, Layout, Metadata};

/// An opened dataset as the Lua shims see it.
struct LuaDataset {
    dataset: Dataset,
    /// For built-in and JSON datasets: the tree and each type's offset in it.
    tree: Option<(Arc<Tree>, HashMap<String, usize>, Vec<String>)>,
    /// Per type read one prototype at a time: each prototype's offset, found once.
    entries: RefCell<HashMap<String, Rc<HashMap<String, usize>>>>,
}

impl LuaDataset {
    /// The prototypes of `type_name` and their offsets (None: no such type, or a Lua layout).
    fn entries_of(&self, type_name: &str) -> Result<Option<Rc<HashMap<String, usize>>>> {
        let Some((tree, offsets, _)) = &self.tree else { return Ok(None) };
        let Some(&at) = offsets.get(type_name) else { return Ok(None) };
        if let Some(found) = self.entries.borrow().get(type_name) {
            return Ok(Some(found.clone()));
        }
        let list = tree::object_entries(tree.buffer(), at).map_err(|e| tree_error(&self.dataset, e))?;
        let found = Rc::new(list.into_iter().collect::<HashMap<_, _>>());
        self.entries.borrow_mut().insert(type_name.to_owned(), found.clone());
        Ok(Some(found))
    }
}

pub fn register(lua: &Lua, native: &Table) -> Result<()> {
    native.set("open_dataset", lua.create_function(open_dataset)?)?;
    native.set(
        "builtin_versions",
        lua.create_function(|_, ()| {
            Ok(crate::dataset::builtin::VERSIONS.iter().map(|v| v.version).collect::<Vec<_>>())
        })?,
    )?;
    native.set("default_builtin_version", crate::dataset::builtin::DEFAULT)?;
    // The content key of mod folders and zips (see crate::cache::content_key).
    native.set(
        "content_key",
        lua.create_function(|_, (paths, extra): (Vec<String>, String)| {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            crate::cache::content_key(&paths, &extra)
                .map_err(|e| mlua::Error::runtime(format!("reading the mods to load: {e}")))
        })?,
    )?;
    Ok(())
}

/// `spec` nil: the built-in dataset of `game_version` (nil: the default one), with the expansions
/// when `expansions` is true.
fn open_dataset(
    _: &Lua,
    (spec, game_version, expansions): (Option<String>, Option<String>, Option<bool>),
) -> Result<LuaDataset> {
    let set = if expansions == Some(true) { Set::Expansions } else { Set::Base };
    let dataset = match spec.as_deref() {
        None => Dataset::builtin(game_version.as_deref(), set).map_err(mlua::Error::external)?,
        // oci://…, https://… and modpack names: fetched (or found in the cache) first.
        Some(reference) if crate::source::is_remote(reference) => {
            let fetched = crate::source::fetch(reference, &crate::source::FetchOptions::default())
                .map_err(|e| modpack_error(reference, e))?;
            for warning in &fetched.warnings {
                eprintln!("factorio-mocks: {warning}");
            }
            Dataset::open(&fetched.dir).map_err(mlua::Error::external)?
        }
        Some(path) => Dataset::open(&expand_home(path)).map_err(mlua::Error::external)?,
    };
    Ok(LuaDataset { dataset, tree: None, entries: RefCell::default() })
}

/// A modpack name that could not be fetched: first what happened to the name (it is no folder or
/// file here, so it was looked up as a modpack, and where), then why each source failed
/// (issue 15: the DNS error came first and hid that the name was not taken as a path).
fn modpack_error(reference: &str, e: crate::source::Error) -> mlua::Error {
    if ["oci://", "https://", "http://"].iter().any(|p| reference.starts_with(p)) {
        return mlua::Error::external(e);
    }
    let here = std::env::current_dir()
        .map(|d| d.join(reference).display().to_string())
        .unwrap_or_else(|_| reference.to_owned());
    mlua::Error::runtime(format!(
        "dataset \"{reference}\": there is no folder or file {here}, so it was looked up as a modpack name in \
         {} (FACTORIO_MOCKS_SOURCE), and that failed: {}. For a dataset folder, give its path (relative to \
         the current folder, or absolute); for the built-in dataset, leave `dataset` out",
        e.source, e.message
    ))
}

/// The parsed tree of a built-in or JSON dataset, with each type's offset. Called once the
/// metadata is known (metadata.lua is evaluated by the shim first), so checksums apply.
fn load_tree(dataset: &Dataset) -> Result<Option<(Arc<Tree>, HashMap<String, usize>, Vec<String>)>> {
    match dataset.layout {
        Layout::Builtin(..) | Layout::Json(_) => {
            let tree = dataset.tree().map_err(mlua::Error::external)?;
            let entries = tree.root_entries().map_err(|e| tree_error(dataset, e))?;
            let order = entries.iter().map(|(k, _)| k.clone()).collect();
            Ok(Some((tree, entries.into_iter().collect(), order)))
        }
        Layout::Lua(_) => Ok(None),
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn tree_error(dataset: &Dataset, e: TreeError) -> mlua::Error {
    let source = match &dataset.layout {
        Layout::Builtin(v, set) => format!("<built-in dataset {} {}>", v.version, set.name()),
        Layout::Json(p) | Layout::Lua(p) => p.display().to_string(),
    };
    mlua::Error::runtime(format!("{source}: {e}; delete the cache folder's trees/ entry or re-fetch the dataset"))
}

impl UserData for LuaDataset {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        // "builtin", "json" or "lua".
        methods.add_method("layout", |_, this, ()| {
            Ok(match this.dataset.layout {
                Layout::Builtin(..) => "builtin",
                Layout::Json(_) => "json",
                Layout::Lua(_) => "lua",
            })
        });
        methods.add_method("dir", |_, this, ()| Ok(this.dataset.dir.as_ref().map(|d| d.display().to_string())));
        methods.add_method("factorio_version", |_, this, ()| Ok(this.dataset.metadata.factorio_version.clone()));
        // The prototype types, in the dataset's order.
        methods.add_method("types", |_, this, ()| Ok(this.tree.as_ref().map(|(_, _, order)| order.clone())));
        // A fresh Lua table of one prototype type, or nil when the dataset has no such type.
        methods.add_method("build", |lua, this, name: mlua::LuaString| {
            let Some((tree, offsets, _)) = &this.tree else { return Ok(Value::Nil) };
            let Some(&at) = offsets.get(&*name.to_str()?) else { return Ok(Value::Nil) };
            build_value(lua, tree.buffer(), at)?.map_err(|e| tree_error(&this.dataset, e))
        });
        // The prototype names of one type (nil when the dataset has no such type).
        methods.add_method("names", |lua, this, type_name: mlua::LuaString| {
            let Some(entries) = this.entries_of(&type_name.to_str()?)? else { return Ok(Value::Nil) };
            let list = lua.create_table_with_capacity(entries.len(), 0)?;
            for (i, name) in entries.keys().enumerate() {
                list.raw_set(i + 1, name.as_str())?;
            }
            Ok(Value::Table(list))
        });
        // A fresh Lua table of one prototype, or nil when the type has no such prototype.
        methods.add_method("build_entry", |lua, this, (type_name, name): (mlua::LuaString, mlua::LuaString)| {
            let Some(entries) = this.entries_of(&type_name.to_str()?)? else { return Ok(Value::Nil) };
            let Some(&at) = entries.get(&*name.to_str()?) else { return Ok(Value::Nil) };
            let Some((tree, _, _)) = &this.tree else { return Ok(Value::Nil) };
            build_value(lua, tree.buffer(), at)?.map_err(|e| tree_error(&this.dataset, e))
        });
        // Every type at once: `{[type] = {...}}`.
        methods.add_method("build_all", |lua, this, ()| {
            let Some((tree, _, _)) = &this.tree else { return Ok(Value::Nil) };
            build_value(lua, tree.buffer(), tree.root())?.map_err(|e| tree_error(&this.dataset, e))
        });
        // A dataset file's text, verified against the metadata checksums.
        methods.add_method("read", |lua, this, relative: String| {
            let bytes = this.dataset.read(&relative).map_err(mlua::Error::external)?;
            lua.create_string(bytes)
        });
        // A file of the game's own Lua the dataset carries, or nil.
        methods.add_method("game_file", |lua, this, (module, relative): (String, String)| {
            match this.dataset.game_file(&module, &relative).map_err(mlua::Error::external)? {
                Some(bytes) => Ok(Value::String(lua.create_string(bytes)?)),
                None => Ok(Value::Nil),
            }
        });
        methods.add_method("game_mods", |_, this, ()| Ok(this.dataset.game_mods()));
        // A built-in dataset's locale text for `lang` (core's and base's cfg files merged), if
        // it has that language.
        methods.add_method("builtin_locale", |_, this, lang: String| {
            Ok(match this.dataset.layout {
                Layout::Builtin(version, _) => version.locale(&lang),
                _ => None,
            })
        });
        // The languages a built-in dataset's locale has (nil for other datasets).
        methods.add_method("builtin_languages", |_, this, ()| {
            Ok(match this.dataset.layout {
                Layout::Builtin(version, _) => Some(version.languages()),
                _ => None,
            })
        });
        // metadata.lua is Lua: the shim evaluates it as data and hands the table back here.
        methods.add_method("metadata_lua", |_, this, ()| {
            Ok(this.dataset.needs_lua_metadata().map(|p| p.display().to_string()))
        });
        // Reads data.raw (parse or cache) after the metadata is in place.
        methods.add_method_mut("load", |_, this, ()| {
            this.entries.borrow_mut().clear();
            this.tree = load_tree(&this.dataset)?;
            Ok(())
        });
        methods.add_method_mut("set_metadata", |_, this, t: Table| {
            let path = this.dataset.dir.clone().unwrap_or_default().join("metadata.lua");
            this.dataset.metadata = metadata_from_lua(&t)?;
            this.dataset.metadata.check_algorithm(&path).map_err(mlua::Error::external)
        });
    }
}

fn metadata_from_lua(t: &Table) -> Result<Metadata> {
    let map = |key: &str| -> Result<_> {
        let mut out = std::collections::BTreeMap::new();
        if let Some(sums) = t.get::<Option<Table>>(key)? {
            for pair in sums.pairs::<String, String>() {
                let (file, digest) = pair?;
                out.insert(file, digest.to_ascii_lowercase());
            }
        }
        Ok(out)
    };
    Ok(Metadata {
        factorio_version: t.get("factorio_version")?,
        generator_version: t.get("generator_version")?,
        hash_algorithm: t.get("hash_algorithm")?,
        checksums: map("checksums")?,
        sha256: map("sha256")?,
    })
}

/// Builds the value at `at` as a Lua value; the inner error is a damaged tree.
///
/// The collector is paused while building: every table made here is reachable from the result,
/// so collection steps during the build would only walk the growing tree again and again. The
/// work it would have done for what was built is paid as steps right after: a restart alone
/// forgives that debt (Lua 5.1–5.3 and LuaJIT), and the heap then ran far ahead of what was live
/// (465 MB against 11 MB after 100 resets and players; issue 14).
pub(crate) fn build_value(lua: &Lua, bytes: &[u8], at: usize) -> Result<std::result::Result<Value, TreeError>> {
    let was_running = gc_is_running(lua);
    lua.gc_stop();
    let before = lua.used_memory();
    let built = build_value_unpaused(lua, bytes, at);
    if was_running {
        lua.gc_restart();
        pay_gc_debt(lua, lua.used_memory().saturating_sub(before))?;
    }
    built
}

/// Collection steps for `bytes` allocated while the collector was paused (`LUA_GCSTEP` with a
/// size: the work the collector owes for that much allocation).
fn pay_gc_debt(lua: &Lua, bytes: usize) -> Result<()> {
    let kbytes = std::os::raw::c_int::try_from(bytes / 1024).unwrap_or(std::os::raw::c_int::MAX);
    if kbytes == 0 {
        return Ok(());
    }
    // SAFETY: lua_gc pushes nothing; exec_raw runs it in protected mode, so an error in a
    // finalizer the step runs cannot unwind through Rust frames.
    unsafe {
        lua.exec_raw::<()>((), |state| {
            ffi::lua_gc(state, ffi::LUA_GCSTEP, kbytes);
        })
    }
}

#[cfg(any(feature = "lua52", feature = "lua53", feature = "lua54"))]
fn gc_is_running(lua: &Lua) -> bool {
    lua.gc_is_running()
}

/// Lua 5.1 and LuaJIT cannot tell; a collector a test stopped is restarted after the build.
#[cfg(not(any(feature = "lua52", feature = "lua53", feature = "lua54")))]
fn gc_is_running(_: &Lua) -> bool {
    true
}

fn build_value_unpaused(lua: &Lua, bytes: &[u8], at: usize) -> Result<std::result::Result<Value, TreeError>> {
    let mut failure = None;
    // SAFETY: `push` only pushes well-formed values and keeps the stack balanced; exec_raw runs
    // it in protected mode, so a Lua memory error cannot unwind through Rust frames that own heap
    // data (the closure borrows only).
    let value = unsafe {
        lua.exec_raw::<Value>((), |state| {
            let top = ffi::lua_gettop(state);
            if let Err(e) = push(state, bytes, at, 0) {
                ffi::lua_settop(state, top);
                ffi::lua_pushnil(state);
                failure = Some(e);
            }
        })?
    };
    Ok(match failure {
        Some(e) => Err(e),
        None => Ok(value),
    })
}

/// Pushes the value at `at`; returns the offset after it.
unsafe fn push(state: *mut ffi::lua_State, b: &[u8], at: usize, depth: usize) -> std::result::Result<usize, TreeError> {
    let corrupt = |message| TreeError::Corrupt { offset: at, message };
    if depth > tree::MAX_DEPTH {
        return Err(corrupt("nested too deeply"));
    }
    unsafe {
        match b.get(at) {
            Some(&tree::TAG_NULL) => ffi::lua_pushnil(state),
            Some(&tree::TAG_FALSE) => ffi::lua_pushboolean(state, 0),
            Some(&tree::TAG_TRUE) => ffi::lua_pushboolean(state, 1),
            Some(&tree::TAG_I32) => {
                let v = i32::from_le_bytes(
                    b.get(at + 1..at + 5).and_then(|s| s.try_into().ok()).ok_or(corrupt("cut short"))?,
                );
                ffi::lua_pushinteger(state, v as _);
            }
            Some(&tree::TAG_I64) => push_i64(state, i64::from_le_bytes(tree::read_8(b, at + 1)?)),
            Some(&tree::TAG_F64) => ffi::lua_pushnumber(state, f64::from_le_bytes(tree::read_8(b, at + 1)?)),
            Some(&tree::TAG_STR) => {
                let (s, end) = tree::read_str(b, at + 1)?;
                ffi::lua_pushlstring(state, s.as_ptr().cast(), s.len());
                return Ok(end);
            }
            Some(&tree::TAG_ARR) => {
                let (count, end) = container(b, at, 1)?;
                if ffi::lua_checkstack(state, 4) == 0 {
                    return Err(corrupt("Lua stack exhausted"));
                }
                ffi::lua_createtable(state, count as _, 0);
                let mut pos = at + 9;
                for i in 1..=count {
                    if b.get(pos) == Some(&tree::TAG_NULL) {
                        pos += 1;
                        continue;
                    }
                    pos = push(state, b, pos, depth + 1)?;
                    ffi::lua_rawseti(state, -2, i as _);
                }
                return ends_at(pos, end, at);
            }
            Some(&tree::TAG_OBJ) => {
                let (count, end) = container(b, at, 5)?;
                if ffi::lua_checkstack(state, 4) == 0 {
                    return Err(corrupt("Lua stack exhausted"));
                }
                ffi::lua_createtable(state, 0, count as _);
                let mut pos = at + 9;
                for _ in 0..count {
                    let (key, value) = tree::read_str(b, pos)?;
                    if b.get(value) == Some(&tree::TAG_NULL) {
                        pos = value + 1;
                        continue;
                    }
                    ffi::lua_pushlstring(state, key.as_ptr().cast(), key.len());
                    pos = push(state, b, value, depth + 1)?;
                    ffi::lua_rawset(state, -3);
                }
                return ends_at(pos, end, at);
            }
            _ => return Err(corrupt("unknown tag")),
        }
    }
    tree::skip(b, at)
}

/// A container's count and end, checked against the buffer so a damaged cache file cannot make
/// the builder run backwards or loop over a count the bytes cannot hold (`min_item` bytes each).
fn container(b: &[u8], at: usize, min_item: usize) -> std::result::Result<(usize, usize), TreeError> {
    let count = tree::read_u32(b, at + 1)? as usize;
    let end = tree::read_u32(b, at + 5)? as usize;
    if end < at + 9 || end > b.len() || count > (end - at - 9) / min_item {
        return Err(TreeError::Corrupt { offset: at, message: "container outline out of bounds" });
    }
    Ok((count, end))
}

/// The items must fill the container exactly.
fn ends_at(pos: usize, end: usize, at: usize) -> std::result::Result<usize, TreeError> {
    if pos == end {
        Ok(end)
    } else {
        Err(TreeError::Corrupt { offset: at, message: "container length does not match its items" })
    }
}

#[cfg(any(feature = "lua53", feature = "lua54"))]
unsafe fn push_i64(state: *mut ffi::lua_State, v: i64) {
    unsafe { ffi::lua_pushinteger(state, v) }
}

/// Lua 5.1/5.2 and LuaJIT have only doubles, as the game's Lua 5.2 does.
#[cfg(not(any(feature = "lua53", feature = "lua54")))]
unsafe fn push_i64(state: *mut ffi::lua_State, v: i64) {
    unsafe { ffi::lua_pushnumber(state, v as f64) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(lua: &Lua, bytes: &[u8], at: usize) -> std::result::Result<Value, TreeError> {
        build_value(lua, bytes, at).expect("no Lua error")
    }

    #[test]
    fn builds_tables_and_refuses_damaged_outlines_without_looping() {
        let lua = Lua::new();
        let tree = Tree::from_json(br#"{"a": [1, 2, {"b": "c"}], "d": null}"#).unwrap();
        let Value::Table(t) = build(&lua, tree.buffer(), tree.root()).unwrap() else { panic!("not a table") };
        let a: mlua::Table = t.get("a").unwrap();
        assert_eq!(a.raw_len(), 3);
        assert_eq!(a.get::<mlua::Table>(3).unwrap().get::<String>("b").unwrap(), "c");
        assert!(t.get::<Value>("d").unwrap().is_nil());

        let root = tree.root();
        // (byte offset, new u32): the root's end pointing backwards, past the buffer, and a
        // count the bytes cannot hold.
        let len = tree.buffer().len();
        for (offset, value) in [(root + 5, root as u32), (root + 5, len as u32 + 100), (root + 1, u32::MAX)] {
            let mut bytes = tree.buffer().to_vec();
            bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
            assert!(matches!(build(&lua, &bytes, root), Err(TreeError::Corrupt { .. })), "{offset} {value}");
        }
    }
}
