//! `fm.mod_list`: the Lua face of [`crate::mod_list`].
//!
//! `fm.mod_list.load(path)` and `fm.mod_list.new()` give a `ModList` userdata with
//! `:add(name, version_or_options)`, `:remove`, `:enable`, `:disable`, `:is_enabled`,
//! `:exists`, `:version`, `:each` and `:save(path?)`; wrong argument types are reported by
//! mlua as "bad argument #2 to `ModList.add`" (mlua counts self as #1), refused operations as `ModList.disable: …`.

use std::path::{Path, PathBuf};

use mlua::{Error, Lua, Result, Table, UserData, UserDataMethods, Value, Variadic};

use crate::mod_list;

/// The userdata: a list and the file it came from.
pub struct ModList {
    list: mod_list::ModList,
    path: Option<PathBuf>,
}

fn fail(method: &str, e: impl std::fmt::Display) -> Error {
    Error::runtime(format!("ModList.{method}: {e}"))
}

impl UserData for ModList {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method_mut("add", |_, this, (name, opts): (String, Value)| {
            let (enabled, version) = match opts {
                Value::Nil => (true, None),
                Value::String(v) => (true, Some(v.to_str()?.to_owned())),
                Value::Table(t) => {
                    (t.get::<Option<bool>>("enabled")?.unwrap_or(true), t.get::<Option<String>>("version")?)
                }
                other => {
                    return Err(fail(
                        "add",
                        format!(
                            "bad argument #3: expected a version string or {{enabled = …, version = …}}, got {}",
                            other.type_name()
                        ),
                    ));
                }
            };
            if let Some(v) = &version {
                crate::mods::Version::parse(v).map_err(|e| fail("add", e))?;
            }
            this.list.add(&name, enabled, version.as_deref()).map_err(|e| fail("add", e))
        });
        methods
            .add_method_mut("remove", |_, this, name: String| this.list.remove(&name).map_err(|e| fail("remove", e)));
        methods
            .add_method_mut("enable", |_, this, name: String| this.list.enable(&name).map_err(|e| fail("enable", e)));
        methods.add_method_mut("disable", |_, this, name: String| {
            this.list.disable(&name).map_err(|e| fail("disable", e))
        });
        methods.add_method("is_enabled", |_, this, name: String| Ok(this.list.is_enabled(&name)));
        methods.add_method("exists", |_, this, name: String| Ok(this.list.exists(&name)));
        methods.add_method("version", |_, this, name: String| Ok(this.list.version(&name).map(str::to_owned)));
        // `for name, enabled, version in list:each() do`: iterates a snapshot, so the loop
        // body may change the list.
        methods.add_method("each", |lua, this, ()| {
            let rows: Vec<(String, bool, Option<String>)> =
                this.list.each().map(|e| (e.name.clone(), e.enabled, e.version.clone())).collect();
            let mut i = 0;
            lua.create_function_mut(move |_, _: Variadic<Value>| {
                let row = rows.get(i).cloned();
                i += 1;
                Ok(row.map_or((None, None, None), |(n, e, v)| (Some(n), Some(e), v)))
            })
        });
        methods.add_method("save", |_, this, path: Option<String>| {
            let path = match (path, &this.path) {
                (Some(p), _) => PathBuf::from(p),
                (None, Some(p)) => p.clone(),
                (None, None) => return Err(fail("save", "no path: this list was not loaded from a file, give one")),
            };
            this.list.save(&path).map_err(|e| fail("save", e))
        });
        methods.add_method("to_json", |_, this, ()| Ok(this.list.to_json()));
        methods.add_meta_method("__tostring", |_, this, ()| {
            let enabled = this.list.each().filter(|e| e.enabled).count();
            Ok(format!("ModList({} mods, {enabled} enabled)", this.list.each().count()))
        });
    }
}

/// Builds the `fm.mod_list` table.
pub fn module(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "load",
        lua.create_function(|_, path: String| {
            let list = mod_list::ModList::load(Path::new(&path))
                .map_err(|e| Error::runtime(format!("fm.mod_list.load: {e}")))?;
            Ok(ModList { list, path: Some(PathBuf::from(path)) })
        })?,
    )?;
    t.set("new", lua.create_function(|_, ()| Ok(ModList { list: mod_list::ModList::new(), path: None }))?)?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use crate::binding::test_support::lua_with_module;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mod-list/mod-list.json");

    #[test]
    fn methods_behave_like_the_core() {
        let (lua, _) = lua_with_module();
        lua.globals().set("path", FIXTURE).unwrap();
        let ok: bool = lua
            .load(
                r#"
                local l = fm.mod_list.load(path)
                assert(l:is_enabled("fm-library") and l:version("fm-library") == "1.2.0")
                assert(not l:is_enabled("space-age") and l:exists("space-age"))
                l:add("zz", "0.1.0"); l:add("aa", {enabled = false})
                assert(l:exists("aa") and not l:is_enabled("aa") and l:version("zz") == "0.1.0")
                l:disable("fm-app"); assert(not l:is_enabled("fm-app"))
                l:remove("aa"); assert(not l:exists("aa"))
                local names = {}
                for name, enabled in l:each() do names[#names + 1] = name .. "=" .. tostring(enabled) end
                assert(names[1] == "base=true", names[1])
                return tostring(l) == "ModList(8 mods, 3 enabled)"
            "#,
            )
            .eval()
            .unwrap();
        assert!(ok);
    }

    #[test]
    fn errors_name_the_method() {
        let (lua, _) = lua_with_module();
        let cases = [
            ("fm.mod_list.new():disable('base')", "ModList.disable: cannot disable base: the game always loads it"),
            ("fm.mod_list.new():remove('base')", "ModList.remove: cannot remove base: the game always loads it"),
            ("fm.mod_list.new():enable('x')", "ModList.enable: mod 'x' is not in the mod list (add it first)"),
            ("fm.mod_list.new():add({})", "bad argument #2 to `ModList.add`"),
            ("fm.mod_list.new():add('x', '1.0')", "ModList.add: bad version \"1.0\": expected a.b.c"),
            ("fm.mod_list.new():save()", "ModList.save: no path"),
            (
                "fm.mod_list.load('/nonexistent/mod-list.json')",
                "fm.mod_list.load: /nonexistent/mod-list.json: No such file",
            ),
        ];
        for (code, message) in cases {
            let err = lua.load(code).exec().unwrap_err().to_string();
            assert!(err.contains(message), "{code}: {err}");
        }
    }

    #[test]
    fn save_writes_the_games_format() {
        let (lua, _) = lua_with_module();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mod-list.json");
        lua.globals().set("src", FIXTURE).unwrap();
        lua.globals().set("dst", out.to_str().unwrap()).unwrap();
        lua.load("fm.mod_list.load(src):save(dst)").exec().unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(FIXTURE).unwrap());
    }
}
