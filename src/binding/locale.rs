//! `fm.locale`: the Lua face of [`crate::locale`].
//!
//! The loaded dictionary lives in the Lua state's app data, so two states (two busted runs in one
//! process, or a test's own `Lua`) never see each other's keys.

use std::path::Path;

use std::cell::RefCell;
use std::collections::HashMap;
use std::os::raw::c_int;
use std::sync::{Arc, Mutex, OnceLock};

use mlua::{Error, ErrorContext, Function, Lua, LuaString, Result, Table, Value, ffi};

use crate::locale::engine::LIMIT;
use crate::locale::{self, Catalog, CfgRef, Dictionary, LocalisedString, Options, PrototypeKind, TranslateError};

/// Registry slot of the function `__ITEM__x__` and friends ask for a prototype's localised_name.
const PROTOTYPE_NAMES: &str = "factorio_mocks.locale.prototype_names";

/// Builds the `fm.locale` table.
pub fn module(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.set("parse", lua.create_function(parse)?)?;
    t.set("load", lua.create_function(load)?)?;
    t.set("translate", lua.create_function(translate)?)?;
    t.set("clear", lua.create_function(|lua, ()| with_dict(lua, |d| d.clear()))?)?;
    t.set("languages", lua.create_function(languages)?)?;
    t.set("bind", lua.create_function(bind)?)?;
    t.set("check", lua.create_function(check)?)?;
    t.set("load_text", lua.create_function(load_text)?)?;
    t.set("load_builtin", lua.create_function(load_builtin)?)?;
    t.set("set_prototype_names", lua.create_function(set_prototype_names)?)?;
    Ok(t)
}

/// Runs `f` on this state's dictionary, creating it on first use.
fn with_dict<R>(lua: &Lua, f: impl FnOnce(&mut Dictionary) -> R) -> Result<R> {
    if lua.app_data_ref::<Dictionary>().is_none() {
        lua.set_app_data(Dictionary::new());
    }
    match lua.app_data_mut::<Dictionary>() {
        Some(mut d) => Ok(f(&mut d)),
        None => Err(Error::runtime("fm.locale: the dictionary is in use (re-entrant call)")),
    }
}

/// Runs `f` on this state's dictionary without changing it; a Lua callback inside `f` may read
/// it again (translate), though not load into it.
fn with_dict_ref<R>(lua: &Lua, f: impl FnOnce(&Dictionary) -> R) -> Result<R> {
    let changing = || Error::runtime("fm.locale: the dictionary is being changed (re-entrant call)");
    match lua.try_app_data_ref::<Dictionary>() {
        Ok(Some(d)) => return Ok(f(&d)),
        Ok(None) => {}
        Err(_) => return Err(changing()),
    }
    lua.set_app_data(Dictionary::new());
    match lua.try_app_data_ref::<Dictionary>() {
        Ok(Some(d)) => Ok(f(&d)),
        _ => Err(changing()),
    }
}

/// The text the game shows for a LocalisedString given as a Lua value, in `language`.
///
/// For the control-stage shims (`game.print`, `request_translation`).
pub(crate) fn translate_value(lua: &Lua, value: &Value, language: &str) -> Result<String> {
    let ls = from_lua(value, 1)?;
    // Asked only for the built-in tokens the text contains (the resolver is fetched the first
    // time one does); the first error it raises (a broken dataset, a localised_name that is not
    // a LocalisedString) fails the translation.
    let resolver: RefCell<Option<Option<Function>>> = RefCell::new(None);
    let failure = RefCell::new(None);
    let names = |kind: PrototypeKind, name: &str| -> Option<LocalisedString> {
        let mut resolver = resolver.borrow_mut();
        if resolver.is_none() {
            match lua.named_registry_value::<Option<Function>>(PROTOTYPE_NAMES) {
                Ok(f) => *resolver = Some(f),
                Err(e) => {
                    failure.borrow_mut().get_or_insert(e);
                    return None;
                }
            }
        }
        let f = resolver.as_ref()?.as_ref()?;
        let found = f
            .call::<Value>((kind.family(), name))
            .and_then(|v| match v {
                Value::Nil => Ok(None),
                v => from_lua(&v, 1).map(Some),
            })
            .map_err(|e| e.context(format!("fm.locale: the localised_name of {} {name:?}", kind.family())));
        match found {
            Ok(ls) => ls,
            Err(e) => {
                failure.borrow_mut().get_or_insert(e);
                None
            }
        }
    };
    let text = with_dict_ref(lua, |d| d.translate_with(&ls, language, &names))?;
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    text.map_err(Error::runtime)
}

/// `fm.locale.set_prototype_names(function(family, name) … end)`: how `__ITEM__x__` and friends
/// find a prototype's `localised_name` (family: `item`, `entity`, `fluid`, `tile`,
/// `space_location`); `nil` forgets it. lua/factorio_mocks/locale.lua sets it to read the
/// session's dataset, so nothing of data.raw is copied into the dictionary.
fn set_prototype_names(lua: &Lua, f: Option<Function>) -> Result<()> {
    lua.set_named_registry_value(PROTOTYPE_NAMES, f)
}

fn strict_option(options: Option<Table>) -> Result<Options> {
    let strict = match options {
        Some(t) => t.get::<Option<bool>>("strict")?.unwrap_or(false),
        None => false,
    };
    Ok(Options { strict })
}

/// Lua's chunk-name convention: `@file` and `=name` show without their mark.
fn chunk_label(chunkname: Option<String>) -> String {
    match chunkname {
        Some(name) => match name.strip_prefix('@').or_else(|| name.strip_prefix('=')) {
            Some(rest) => rest.to_owned(),
            None => name,
        },
        None => "(string)".to_owned(),
    }
}

fn warnings_table(lua: &Lua, warnings: &[locale::CfgError]) -> Result<Table> {
    lua.create_sequence_from(warnings.iter().map(ToString::to_string))
}

/// `fm.locale.parse(text, chunkname, {strict = bool})` → `{[section] = {[key] = value}}`, warnings.
fn parse(lua: &Lua, (text, chunkname, options): (LuaString, Option<String>, Option<Table>)) -> Result<(Table, Table)> {
    let label = chunk_label(chunkname);
    let options = strict_option(options)?;
    let bytes = text.as_bytes();
    let text = locale::cfg::text_of(&bytes, &label).map_err(|errors| Error::runtime(join(&errors)))?;
    // The common case, a clean file, pays for no duplicate check of its own: the Lua table finds
    // duplicates while it is filled. Anything to report (and strict mode, where a warning is an
    // error) goes through parse_ref for the exact report.
    let exact = || locale::cfg::parse_ref(text, &label, options).map_err(|errors| Error::runtime(join(&errors)));
    let parsed = match locale::cfg::parse_all(text, &label) {
        Ok(p) if !options.strict || p.warnings.is_empty() => p,
        _ => return parsed_tables(lua, exact()?),
    };
    let (table, duplicates) = sections_table(lua, &parsed.file)?;
    if duplicates {
        let exact = exact()?;
        return Ok((table, warnings_table(lua, &exact.warnings)?));
    }
    Ok((table, warnings_table(lua, &parsed.warnings)?))
}

fn parsed_tables(lua: &Lua, parsed: locale::cfg::ParsedRef<'_>) -> Result<(Table, Table)> {
    Ok((sections_table(lua, &parsed.file)?.0, warnings_table(lua, &parsed.warnings)?))
}

/// `{[section] = {[key] = value}}` built with the C API: every table sized once, no handle per
/// value (a `Table` handle per entry cost more than the parse itself). A later key replaces an
/// earlier one; the flag tells whether that happened.
fn sections_table(lua: &Lua, file: &CfgRef<'_>) -> Result<(Table, bool)> {
    fn size(n: usize) -> c_int {
        c_int::try_from(n).unwrap_or(0)
    }
    let mut duplicates = false;
    // SAFETY: the closure pushes three values at most above each table it fills and pops them,
    // leaving only the result; exec_raw runs it in protected mode, so a Lua memory error cannot
    // unwind through Rust frames that own heap data (the closure only borrows).
    let table = unsafe {
        lua.exec_raw::<Table>((), |state| {
            ffi::lua_createtable(state, 0, size(file.sections.len()));
            for (section, entries) in &file.sections {
                ffi::lua_pushlstring(state, section.as_ptr().cast(), section.len());
                ffi::lua_createtable(state, 0, size(entries.len()));
                for (key, value) in entries {
                    ffi::lua_pushlstring(state, key.as_ptr().cast(), key.len());
                    ffi::lua_pushvalue(state, -1);
                    ffi::lua_rawget(state, -3);
                    duplicates |= ffi::lua_type(state, -1) != ffi::LUA_TNIL;
                    ffi::lua_settop(state, -2);
                    ffi::lua_pushlstring(state, value.as_ptr().cast(), value.len());
                    ffi::lua_rawset(state, -3);
                }
                ffi::lua_rawset(state, -3);
            }
        })?
    };
    Ok((table, duplicates))
}

fn join(errors: &[locale::CfgError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// `fm.locale.load(path, lang, {strict = bool})` → loaded languages, warnings.
fn load(lua: &Lua, (path, language, options): (String, Option<String>, Option<Table>)) -> Result<(Table, Table)> {
    let options = strict_option(options)?;
    let report = with_dict(lua, |d| locale::load::load(d, Path::new(&path), language.as_deref(), options))?
        .map_err(Error::runtime)?;
    Ok((lua.create_sequence_from(report.languages.iter().map(String::as_str))?, warnings_table(lua, &report.warnings)?))
}

/// `fm.locale.load_text(text, lang, chunkname)`: merges one cfg text (the built-in dataset's
/// locale, or text a test builds) into the dictionary; `chunkname` names it in errors.
fn load_text(lua: &Lua, (text, language, chunkname): (LuaString, String, Option<String>)) -> Result<()> {
    let name = chunkname.unwrap_or_else(|| format!("<{language} locale text>"));
    let bytes = text.as_bytes();
    let parsed = locale::cfg::text_of(&bytes, &name)
        .and_then(|text| locale::cfg::parse_ref(text, &name, Options::default()))
        .map_err(|errors| Error::runtime(join(&errors)))?;
    with_dict(lua, |d| d.merge(&language, &parsed.file))
}

/// Each built-in dataset's languages, parsed the first time a session of the process asks for one:
/// `(game version, language)` → the keys, which every later session (and Lua state) copies.
type BuiltinCatalogs = Mutex<HashMap<(&'static str, String), Option<Arc<Catalog>>>>;
static BUILTIN_CATALOGS: OnceLock<BuiltinCatalogs> = OnceLock::new();

fn builtin_catalog(version: &'static crate::dataset::builtin::Version, language: &str) -> Result<Option<Arc<Catalog>>> {
    let cache = BUILTIN_CATALOGS.get_or_init(Default::default);
    let key = (version.version, language.to_owned());
    if let Some(found) =
        cache.lock().map_err(|_| Error::runtime("fm.locale: the built-in locale cache is poisoned"))?.get(&key)
    {
        return Ok(found.clone());
    }
    let catalog = match version.locale(language) {
        None => None,
        Some(text) => {
            let name = format!("<built-in dataset>/locale/{language}.cfg");
            let parsed = locale::cfg::text_of(text.as_bytes(), &name)
                .and_then(|text| locale::cfg::parse_ref(text, &name, Options::default()))
                .map_err(|errors| Error::runtime(join(&errors)))?;
            let mut catalog = Catalog::default();
            catalog.merge(&parsed.file);
            Some(Arc::new(catalog))
        }
    };
    if let Ok(mut cache) = cache.lock() {
        cache.insert(key, catalog.clone());
    }
    Ok(catalog)
}

/// `fm.locale.load_builtin(game_version, lang)`: merges the built-in dataset's `lang` (core's and
/// base's keys) into the dictionary, parsed once per process; false when it lacks the language.
fn load_builtin(lua: &Lua, (version, language): (String, String)) -> Result<bool> {
    let Ok(version) = crate::dataset::builtin::find(Some(&version)) else { return Ok(false) };
    let Some(catalog) = builtin_catalog(version, &language)? else { return Ok(false) };
    with_dict(lua, |d| d.absorb_shared(&language, &catalog))?;
    Ok(true)
}

/// `fm.locale.translate(ls, lang)` → the text (lang defaults to `"en"`).
fn translate(lua: &Lua, (value, language): (Value, Option<LuaString>)) -> Result<String> {
    match &language {
        Some(l) => translate_value(lua, &value, &l.to_str()?),
        None => translate_value(lua, &value, "en"),
    }
}

fn languages(lua: &Lua, (): ()) -> Result<Table> {
    let langs: Vec<String> = with_dict(lua, |d| d.languages().into_iter().map(str::to_owned).collect())?;
    lua.create_sequence_from(langs)
}

/// `fm.locale.bind(control, "SHIFT + mouse-button-1")`; `nil` leaves the control unbound.
fn bind(lua: &Lua, (control, sequence): (String, Option<String>)) -> Result<()> {
    with_dict(lua, |d| d.bind(&control, sequence.as_deref()))
}

/// `fm.locale.check(mod_dir)` → `{[lang] = {missing, stale, parameters, malformed}}`, checked
/// against English. Reads into a scratch dictionary: the loaded one is left alone.
fn check(lua: &Lua, path: String) -> Result<Table> {
    let mut scratch = Dictionary::new();
    locale::load::load(&mut scratch, Path::new(&path), None, Options::default()).map_err(Error::runtime)?;
    let out = lua.create_table()?;
    for report in locale::check::check(&scratch) {
        let t = lua.create_table()?;
        t.set("missing", lua.create_sequence_from(report.missing.iter().map(String::as_str))?)?;
        t.set("stale", lua.create_sequence_from(report.stale.iter().map(String::as_str))?)?;
        let parameters = lua.create_table()?;
        for (i, p) in report.parameters.iter().enumerate() {
            let row = lua.create_table()?;
            row.set("key", p.key.as_str())?;
            row.set("english", lua.create_sequence_from(p.english.iter().copied())?)?;
            row.set("found", lua.create_sequence_from(p.found.iter().copied())?)?;
            parameters.raw_set(i + 1, row)?;
        }
        t.set("parameters", parameters)?;
        let malformed = lua.create_table()?;
        for (i, m) in report.malformed.iter().enumerate() {
            let row = lua.create_table()?;
            row.set("key", m.key.as_str())?;
            row.set("token", m.token.as_str())?;
            malformed.raw_set(i + 1, row)?;
        }
        t.set("malformed", malformed)?;
        out.set(report.language.as_str(), t)?;
    }
    Ok(out)
}

/// A Lua string as Rust text: copied as is when it is UTF-8 (the common case, one check), else
/// with U+FFFD for the bytes that are not.
fn owned_text(s: &LuaString) -> String {
    match s.to_str() {
        Ok(text) => text.to_owned(),
        Err(_) => s.to_string_lossy(),
    }
}

/// Converts a Lua value into a LocalisedString, checking the game's limits on the way (the game
/// checks them when a LocalisedString enters it, and a cyclic table must not loop forever).
fn from_lua(value: &Value, depth: usize) -> Result<LocalisedString> {
    Ok(match value {
        Value::Nil => LocalisedString::Nil,
        Value::Boolean(b) => LocalisedString::Bool(*b),
        Value::Integer(i) => LocalisedString::Integer(*i),
        Value::Number(n) => LocalisedString::Number(*n),
        Value::String(s) => LocalisedString::Text(owned_text(s)),
        Value::Table(t) => {
            if depth > LIMIT {
                return Err(Error::runtime(TranslateError::TooDeep));
            }
            let len = t.raw_len();
            if len == 0 {
                return Ok(LocalisedString::Concat(Vec::new()));
            }
            if len - 1 > LIMIT {
                return Err(Error::runtime(TranslateError::TooManyParameters(len - 1)));
            }
            let key = match t.raw_get::<Value>(1)? {
                Value::String(s) => owned_text(&s),
                other => {
                    return Err(Error::runtime(format!(
                        "fm.locale.translate: the key (element 1) of a LocalisedString must be a string, got {}; write {{\"section.key\", parameters…}}",
                        other.type_name()
                    )));
                }
            };
            let mut params = Vec::with_capacity(len - 1);
            for i in 2..=len {
                params.push(from_lua(&t.raw_get::<Value>(i)?, depth + 1)?);
            }
            match key.as_str() {
                "" => LocalisedString::Concat(params),
                "?" => LocalisedString::Fallback(params),
                _ => LocalisedString::Key { key, params },
            }
        }
        other => {
            return Err(Error::runtime(format!(
                "fm.locale.translate: cannot translate a {}: a LocalisedString is a string, number, boolean, nil or table",
                other.type_name()
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::binding::test_support::lua_with_module;

    fn eval(code: &str) -> std::result::Result<String, String> {
        let (lua, _fm) = lua_with_module();
        lua.load(code).eval::<String>().map_err(|e| e.to_string())
    }

    #[test]
    fn lua_face() {
        let cases: &[(&str, &str)] = &[
            (
                r#"local t = fm.locale.parse("a=1\n[s]\nk= v \n[s]\nj=x\\ny", "@t.cfg")
                   return t[""].a .. "|" .. t.s.k .. "|" .. t.s.j"#,
                "1| v |x\\ny",
            ),
            (
                r#"local _, w = fm.locale.parse("a=1\na=2", "=dup")
                   return w[1]"#,
                "dup:2: duplicate key \"a\" in section [] (first defined at line 1); the later value wins, remove one",
            ),
            (r#"return fm.locale.translate({"", "a", 1, true, {"?", {"x.y"}, "fb"}})"#, "a1truefb"),
            (r#"return fm.locale.translate({"x.y"})"#, "Unknown key: \"x.y\""),
            (r#"return fm.locale.translate("plain")"#, "plain"),
            (r#"return fm.locale.translate(2.5)"#, "2.5"),
            (r#"return tostring(#fm.locale.languages())"#, "0"),
        ];
        for (code, want) in cases {
            assert_eq!(eval(code).as_deref(), Ok(*want), "{code}");
        }
    }

    #[test]
    fn lua_errors_name_the_place() {
        let cases: &[(&str, &str)] = &[
            (r#"return fm.locale.parse("a=1\nbroken", "@x.cfg")"#, "x.cfg:2: missing value"),
            (r#"return fm.locale.parse("a =1", "@x.cfg", {strict = true})"#, "x.cfg:1: key \"a \" ends with a blank"),
            (
                r#"local t = {""} for i = 1, 21 do t[#t + 1] = i end return fm.locale.translate(t)"#,
                "Too many parameters for localised string: 21 > 20 (limit).",
            ),
            (r#"local t = {""} t[2] = t return fm.locale.translate(t)"#, "nested too deep"),
            (r#"return fm.locale.translate({5})"#, "must be a string, got integer"),
            (r#"return fm.locale.load("/nonexistent/mod")"#, "/nonexistent/mod: cannot read"),
        ];
        for (code, want) in cases {
            let got = eval(code);
            assert!(got.as_ref().is_err_and(|e| e.contains(want)), "{code}: {got:?} lacks {want:?}");
        }
    }

    #[test]
    fn dictionary_is_per_state_and_clears() {
        let (lua, _fm) = lua_with_module();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let en = dir.path().join("locale/en");
        std::fs::create_dir_all(&en).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(en.join("m.cfg"), "[m]\nhi=Hi __1__").unwrap_or_else(|e| panic!("{e}"));
        lua.globals().set("dir", dir.path().display().to_string()).unwrap_or_else(|e| panic!("{e}"));
        let got: String = lua
            .load(
                r#"local langs = fm.locale.load(dir)
                     local a = fm.locale.translate({"m.hi", "you"})
                     fm.locale.clear()
                     return langs[1] .. "|" .. a .. "|" .. fm.locale.translate({"m.hi", "you"})"#,
            )
            .eval()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, "en|Hi you|Unknown key: \"m.hi\"");

        let (other, _) = lua_with_module();
        let got: String =
            other.load(r#"return fm.locale.translate({"m.hi"})"#).eval().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, "Unknown key: \"m.hi\"");
    }
}
