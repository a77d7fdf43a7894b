//! `fm.fetch` and `fm.cache`: the Lua face of [`crate::source`] and [`crate::cache`].

use std::path::PathBuf;
use std::time::Duration;

use mlua::{Lua, Result, Table, Value};

use crate::cache::{Caches, root_dir};
use crate::source::{self, FetchOptions, Fetched};

fn options(opts: Option<Table>) -> Result<FetchOptions> {
    let mut o = FetchOptions::default();
    let Some(t) = opts else { return Ok(o) };
    o.offline = t.get("offline")?;
    o.allow_http = t.get::<Option<bool>>("allow_http")?.unwrap_or(false);
    o.verify = t.get::<Option<bool>>("verify")?.unwrap_or(false);
    o.progress = t.get("progress")?;
    o.cache_dir = t.get::<Option<String>>("cache_dir")?.map(PathBuf::from);
    if let Some(ttl) = t.get::<Option<f64>>("ttl")? {
        if !(ttl >= 0.0 && ttl.is_finite()) {
            return Err(mlua::Error::runtime("fm.fetch: opts.ttl must be a number of seconds >= 0"));
        }
        o.ttl = Some(Duration::from_secs_f64(ttl));
    }
    if let Some(timeout) = t.get::<Option<f64>>("timeout")? {
        if !(timeout > 0.0 && timeout.is_finite()) {
            return Err(mlua::Error::runtime("fm.fetch: opts.timeout must be a number of seconds > 0"));
        }
        o.timeout = Some(Duration::from_secs_f64(timeout));
    }
    o.sources = match t.get::<Value>("sources")? {
        Value::Nil => None,
        Value::String(s) => {
            Some(s.to_str()?.split([',', ';', ' ']).filter(|s| !s.is_empty()).map(str::to_string).collect())
        }
        Value::Table(list) => Some(list.sequence_values::<String>().collect::<Result<Vec<_>>>()?),
        other => {
            return Err(mlua::Error::runtime(format!(
                "fm.fetch: opts.sources must be a string or a list of strings, not {}",
                other.type_name()
            )));
        }
    };
    Ok(o)
}

fn info(lua: &Lua, f: &Fetched) -> Result<Table> {
    let t = lua.create_table()?;
    t.set("dir", f.dir.to_string_lossy().as_ref())?;
    t.set("source", f.source.as_str())?;
    t.set("reference", f.reference.as_str())?;
    t.set("digest", f.digest.as_deref())?;
    if let Some(s) = &f.subject {
        let st = lua.create_table()?;
        st.set("reference", s.reference.as_str())?;
        st.set("digest", s.digest.as_str())?;
        st.set("media_type", s.media_type.as_deref())?;
        st.set("artifact_type", s.artifact_type.as_deref())?;
        t.set("subject", st)?;
    }
    t.set("warnings", lua.create_sequence_from(f.warnings.iter().map(String::as_str))?)?;
    Ok(t)
}

fn caches(dir: Option<String>) -> Caches {
    Caches::open(&dir.map(PathBuf::from).unwrap_or_else(root_dir))
}

/// The paths the cache kept because it did not make them, as a list of strings.
fn kept(lua: &Lua, paths: &[PathBuf]) -> Result<Table> {
    lua.create_sequence_from(paths.iter().map(|p| p.to_string_lossy().into_owned()))
}

/// An error of cleaning: a refusal already names the folder; other errors get it in front.
fn cache_error(function: &str, c: &Caches, e: &std::io::Error) -> mlua::Error {
    let text = e.to_string();
    let root = c.root.display().to_string();
    if text.contains(&root) {
        mlua::Error::runtime(format!("{function}: {text}"))
    } else {
        mlua::Error::runtime(format!("{function}: {root}: {text}"))
    }
}

/// Sets `fm.fetch(ref, opts)` (returns the dataset folder and a table saying where it came
/// from) and `fm.cache` = {dir, clear, prune}.
pub fn register(lua: &Lua, fm: &Table) -> Result<()> {
    fm.set(
        "fetch",
        lua.create_function(|lua, (reference, opts): (String, Option<Table>)| {
            let o = options(opts)?;
            let fetched = source::fetch(&reference, &o).map_err(|e| mlua::Error::runtime(e.to_string()))?;
            Ok((fetched.dir.to_string_lossy().into_owned(), info(lua, &fetched)?))
        })?,
    )?;
    let cache = lua.create_table()?;
    cache.set("dir", lua.create_function(|_, ()| Ok(root_dir().to_string_lossy().into_owned()))?)?;
    cache.set(
        "clear",
        lua.create_function(|lua, dir: Option<String>| {
            let c = caches(dir);
            let cleared = c.clear().map_err(|e| cache_error("fm.cache.clear", &c, &e))?;
            let t = lua.create_table()?;
            t.set("removed", cleared.removed)?;
            t.set("kept", kept(lua, &cleared.kept)?)?;
            Ok(t)
        })?,
    )?;
    cache.set(
        "prune",
        lua.create_function(|lua, dir: Option<String>| {
            let c = caches(dir);
            let stats = c.prune().map_err(|e| cache_error("fm.cache.prune", &c, &e))?;
            let t = lua.create_table()?;
            t.set("expired", stats.expired)?;
            t.set("orphans", stats.orphans)?;
            t.set("kept", kept(lua, &stats.kept)?)?;
            Ok(t)
        })?,
    )?;
    fm.set("cache", cache)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_and_cache_from_lua() {
        let lua = Lua::new();
        let fm = lua.create_table().unwrap();
        register(&lua, &fm).unwrap();
        lua.globals().set("fm", fm).unwrap();
        let dir = tempfile::tempdir().unwrap();
        lua.globals().set("tmp", dir.path().to_string_lossy().as_ref()).unwrap();
        lua.load(
            r#"
            local path, info = fm.fetch(tmp)
            assert(path == tmp and info.source == "local", info.source)
            local ok, err = pcall(fm.fetch, "oci://127.0.0.1:9/x/y:1", {offline = true, cache_dir = tmp})
            assert(not ok and tostring(err):find("FACTORIO_MOCKS_OFFLINE", 1, true), tostring(err))
            local ok2, err2 = pcall(fm.fetch, "x", {sources = 3})
            assert(not ok2 and tostring(err2):find("opts.sources", 1, true), tostring(err2))
            assert(type(fm.cache.dir()) == "string")
            local stats = fm.cache.prune(tmp)
            assert(stats.expired == 0 and stats.orphans == 0 and #stats.kept == 0)
            local cleared = fm.cache.clear(tmp)
            assert(cleared.removed == 0 and #cleared.kept == 0)
            "#,
        )
        .exec()
        .unwrap();
    }
}
