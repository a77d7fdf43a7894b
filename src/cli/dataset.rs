//! `factorio-mocks dataset build | validate | push`: datasets for any modpack.
//!
//! `build` runs the settings and data stages in a Lua 5.2 linked into the tool, through the
//! module's own `fm.setup` and `fm.run_stage` (so the result is what a spec would see), checks
//! the result with `fm.validate()`, and writes the dataset layout of DESIGN.md into a
//! temporary folder beside `--out`, renamed into place only when everything is written.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use factorio_mocks::dataset::{self, builtin, sha256_hex};
use factorio_mocks::locale::{self, Dictionary};
use mlua::{Lua, Table, Value};
use serde_json::{Map, Value as Json, json};

use super::args::{self, Parsed, Spec};
use super::{EXIT_OK, EXIT_PROBLEMS, Failure, Outcome};

const CMD: &str = "dataset";

const HELP: &str = "\
usage: factorio-mocks dataset build [--factorio-data <dir>] [--mods <dir|zip>]... [--mod-settings <file>] [--reproducible] --out <dir>
       factorio-mocks dataset validate <dir>
       factorio-mocks dataset push <dir> <oci://host/repo[:tag]> [--subject <oci://host/repo@sha256:…>]

build     runs the settings and data stages as the game does (the game's core, base and the
          expansions in --factorio-data first, from an empty data.raw; then the mods, in the
          game's order), checks data.raw with the game's load-time checks (fm.validate), and
          writes a dataset: prototype/data-raw.json (the game's --dump-data shape),
          prototype/{mods,settings,feature-flags}.lua, locale/<lang>.cfg (every language of the
          game and the mods, merged), lua/<mod>/ (the game's own Lua), and metadata.json with
          sha256 checksums and provenance (game version, each mod's version and files' sha256,
          the tool's version). Without --factorio-data the mods run over the built-in dataset.
          Written into a temporary folder beside --out and renamed into place at the end: a
          failure leaves --out as it was. Exit code 1 (nothing written) when the checks fail.
validate  opens a dataset folder, checks every file against metadata's checksums and data.raw
          with the game's load-time checks; exit code 1 listing the problems.
push      pushes a dataset folder to an OCI registry as an ORAS artifact: one tar+gzip layer
          per folder (prototype, runtime, locale, lua), metadata.* as a file layer, artifact
          type application/vnd.factorio-mocks.dataset.v1. Without a tag, it is tagged
          <factorio-version> and <factorio-version>-<yyyy.mm.dd>. --subject attaches it to the
          modpack artifact it came from (a digest reference in the same repository's registry).
          Credentials: FACTORIO_MOCKS_REGISTRY_AUTH (user:token), else the Docker config's.

--factorio-data <dir>  the game's data folder (the one holding core and base)
--mods <path>          a mod folder or zip, or a folder of mods (its mod-list.json's enabled
                       ones when it has one); repeat for more
--mod-settings <file>  a mod-settings.dat whose startup values apply
--out <dir>            the dataset folder to write (replaced when it holds a dataset)
--reproducible         while the stages run, pairs visits keys in sorted order, so the same
                       inputs give the same bytes (plain Lua's pairs order changes from run to
                       run, and a mod looping over data.raw with it makes arrays in that order;
                       the game's follows insertion); costs about a third more stage time
--allow-http           (push) plain HTTP to a registry that is not on loopback
";

pub fn command(rest: &[String]) -> Result<Outcome, Failure> {
    let word = match rest.first().map(String::as_str) {
        None => return Err(Failure::usage(CMD, format!("missing subcommand\n\n{HELP}"))),
        Some("-h" | "--help" | "help") => {
            return Ok(Outcome { stdout: HELP.into(), ..Outcome::default() });
        }
        Some(w) => w,
    };
    let spec = Spec {
        command: CMD,
        options: &["--factorio-data", "--mods", "--mod-settings", "--out", "--subject"],
        flags: &["--allow-http", "--reproducible"],
    };
    let p = args::parse(rest.get(1..).unwrap_or_default(), &spec)?;
    if p.help {
        return Ok(Outcome { stdout: HELP.into(), ..Outcome::default() });
    }
    let only = |opts: &[&str], sub: &str| -> Result<(), Failure> {
        for opt in opts {
            if p.option(opt).is_some() && word != sub {
                return Err(Failure::usage(CMD, format!("{opt} goes with `{sub}`")));
            }
        }
        Ok(())
    };
    only(&["--factorio-data", "--mods", "--mod-settings", "--out"], "build")?;
    only(&["--subject"], "push")?;
    if p.flag("--allow-http") && word != "push" {
        return Err(Failure::usage(CMD, "--allow-http goes with `push`"));
    }
    if p.flag("--reproducible") && word != "build" {
        return Err(Failure::usage(CMD, "--reproducible goes with `build`"));
    }
    match word {
        "build" => {
            p.expect(&spec, &[])?;
            build(&p)
        }
        "validate" => {
            let dir = PathBuf::from(p.expect(&spec, &["<dir>"])?[0]);
            validate(&dir)
        }
        "push" => {
            let a = p.expect(&spec, &["<dir>", "<oci://host/repo[:tag]>"])?;
            push(Path::new(a[0]), a[1], p.option("--subject"), p.flag("--allow-http"))
        }
        other => Err(Failure::usage(CMD, format!("unknown subcommand '{other}' (build, validate, push)"))),
    }
}

// ---------------------------------------------------------------------------------------------
// build

/// A mod the stages ran, as the loader reported it.
struct RanMod {
    name: String,
    version: String,
    path: Option<PathBuf>,
    zip: bool,
    game: bool,
}

/// What the Lua side hands back.
struct Stages {
    mods_lua: String,
    settings_lua: String,
    flags_lua: String,
    ran: Vec<RanMod>,
    /// Generated modules the game's folder lacked, answered with placeholders: (mod, path, text).
    placeholders: Vec<(String, String, Vec<u8>)>,
    game_version: String,
    /// The built-in dataset the stages ran over (game Lua and locale without a game folder).
    builtin: &'static builtin::Version,
}

const BUILD_LUA: &str = r#"
local fm, opts = ...
local mod_loader = require("factorio_mocks.mod_loader")
local served, placeholder = {}, mod_loader.placeholder
-- Which generated modules the game's folder lacked: they go into the dataset's lua/ as served.
mod_loader.placeholder = function(name, rel)
  local text = placeholder(name, rel)
  if text then served[#served + 1] = { name, rel, text } end
  return text
end
-- --reproducible: pairs visits keys in sorted order while the stages run (as
-- scripts/derive-data-raw.lua does), so the same inputs give the same bytes.
local plain_pairs = pairs
if opts.sorted_pairs then pairs = require("factorio_mocks.sorted_pairs")(plain_pairs) end
local order
local ok, err = pcall(function()
  if opts.factorio_data then
    fm.setup{ stage = "data", game_version = opts.game_version }
    order = fm.run_stage{ stage = "data", factorio_data = opts.factorio_data, mods = opts.mods, mod_settings = opts.mod_settings }.mods
  else
    fm.setup{ stage = "data", game_version = opts.game_version, load_mods = opts.mods, mod_settings = opts.mod_settings }
  end
end)
mod_loader.placeholder = placeholder
pairs = plain_pairs
if not ok then error(err, 0) end
local session = fm.current()
local ds = session.dataset.native
for _, entry in ipairs(served) do
  entry[3] = ds:game_file(entry[1], entry[2]) or entry[3]
end
return served, order
"#;

const RESULT_LUA: &str = r#"
local fm, order = ...
local session = fm.current()
local ran = {}
for _, mod in ipairs(order or session.dataset.loaded_mods or {}) do
  ran[#ran + 1] = { name = mod.name, version = tostring(mod.version), path = mod.path, zip = mod.zip and true or false, game = mod.game and true or false }
end
-- The flags follow the mods that ran (fm.setup computed them for the dataset it started from).
local flags = require("factorio_mocks.stage.common").feature_flags({ dataset = {} }, mods)
return { raw = data.raw, mods = mods, startup = settings.startup, feature_flags = flags, ran = ran,
  game_version = fm.game_version() }
"#;

/// The mods `--mods` names: a mod (folder with info.json, or zip), or a folder of mods.
fn expand_mods(paths: &[&str]) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if !path.exists() {
            return Err(Failure::usage(
                CMD,
                format!(
                    "--mods {p}: no such file or folder; give a mod folder (with info.json), a mod zip or a folder of mods"
                ),
            ));
        }
        if path.is_file() || path.join("info.json").is_file() {
            out.push((*p).to_string());
            continue;
        }
        let scan = factorio_mocks::mods::scan(path).map_err(|e| Failure::failed(format!("--mods {p}: {e}")))?;
        let list_file = path.join("mod-list.json");
        let list = if list_file.is_file() {
            Some(factorio_mocks::mod_list::ModList::load(&list_file).map_err(Failure::failed)?)
        } else {
            None
        };
        let mut any = false;
        for m in &scan.mods {
            if factorio_mocks::mods::is_builtin(&m.info.name) {
                continue;
            }
            if list.as_ref().is_some_and(|l| !l.is_enabled(&m.info.name)) {
                continue;
            }
            out.push(m.path().to_string_lossy().into_owned());
            any = true;
        }
        if !any && scan.mods.is_empty() {
            let why = scan.broken.first().map(|(b, e)| format!(" ({}: {e})", b.display())).unwrap_or_default();
            return Err(Failure::failed(format!("--mods {p}: neither a mod (no info.json) nor a folder of mods{why}")));
        }
    }
    Ok(out)
}

/// The built-in version to mock for a game folder of `version`: that one, else its line's.
fn game_version_for(version: &str) -> Option<&'static str> {
    if let Ok(v) = builtin::find(Some(version)) {
        return Some(v.version);
    }
    let line: Vec<&str> = version.split('.').take(2).collect();
    builtin::find(Some(&line.join("."))).ok().map(|v| v.version)
}

fn lua_err(context: &str) -> impl Fn(mlua::Error) -> Failure + '_ {
    move |e| {
        let text = match &e {
            mlua::Error::CallbackError { cause, .. } => cause.to_string(),
            other => other.to_string(),
        };
        let text = text.strip_prefix("runtime error: ").unwrap_or(&text).to_string();
        Failure::failed(format!("{context}: {text}"))
    }
}

/// A new Lua with the module loaded as `require("factorio_mocks")` gives it.
fn lua_with_module() -> Result<(Lua, Table), Failure> {
    let lua = Lua::new();
    let fm = factorio_mocks::binding::module(&lua).map_err(lua_err("loading the module"))?;
    let loaded: Table =
        lua.globals().get::<Table>("package").and_then(|p| p.get("loaded")).map_err(lua_err("loading the module"))?;
    loaded.set("factorio_mocks", &fm).map_err(lua_err("loading the module"))?;
    Ok((lua, fm))
}

struct Timings {
    started: Instant,
    stages: Duration,
    validate: Duration,
    write: Duration,
}

/// Runs the stages; returns what they made and data.raw itself (made JSON by the caller, while
/// the other files are written).
fn run_stages(lua: &Lua, fm: &Table, p: &Parsed, timings: &mut Timings) -> Result<(Stages, Value), Failure> {
    let factorio_data = p.option("--factorio-data").map(PathBuf::from);
    let mods = expand_mods(&p.all("--mods"))?;
    let mod_settings = p.option("--mod-settings");
    if factorio_data.is_none() && mods.is_empty() {
        return Err(Failure::usage(CMD, "build needs --factorio-data <the game's data folder>, --mods <mod>, or both"));
    }
    let mut game_version = None;
    if let Some(dir) = &factorio_data {
        if !dir.join("core").is_dir() || !dir.join("base").is_dir() {
            return Err(Failure::usage(
                CMD,
                format!(
                    "--factorio-data {}: no core and base folders there; give the game's data folder (factorio/data, or an unpacked wube/factorio-data)",
                    dir.display()
                ),
            ));
        }
        let info = fs::read_to_string(dir.join("base/info.json"))
            .map_err(|e| Failure::failed(format!("{}: {e}", dir.join("base/info.json").display())))?;
        let info = factorio_mocks::mods::info::ModInfo::parse(&info)
            .map_err(|e| Failure::failed(format!("{}: {e}", dir.join("base/info.json").display())))?;
        game_version = game_version_for(&info.version.to_string());
    }
    if let Some(f) = mod_settings {
        if !Path::new(f).is_file() {
            return Err(Failure::usage(
                CMD,
                format!("--mod-settings {f}: no such file (the game keeps it in <user data>/mods/mod-settings.dat)"),
            ));
        }
    }
    let opts = lua.create_table().map_err(lua_err("build"))?;
    let set = |k: &str, v: Value| opts.set(k, v).map_err(lua_err("build"));
    let s = |x: &str| lua.create_string(x).map(Value::String).map_err(lua_err("build"));
    if let Some(d) = &factorio_data {
        set("factorio_data", s(&d.to_string_lossy())?)?;
    }
    if let Some(v) = game_version {
        set("game_version", s(v)?)?;
    }
    if let Some(f) = mod_settings {
        set("mod_settings", s(f)?)?;
    }
    if p.flag("--reproducible") {
        set("sorted_pairs", Value::Boolean(true))?;
    }
    let list = lua.create_sequence_from(mods.iter().map(String::as_str)).map_err(lua_err("build"))?;
    set("mods", Value::Table(list))?;

    let t = Instant::now();
    let (served, order): (Table, Value) =
        lua.load(BUILD_LUA).set_name("=dataset build").call((fm, &opts)).map_err(lua_err("running the stages"))?;
    timings.stages = t.elapsed();
    phase(timings.started, "the stages ran");

    let t = Instant::now();
    // With a game folder, run_stage's own order; the chunk falls back to load_mods'.
    let result: Table =
        lua.load(RESULT_LUA).set_name("=dataset build").call((fm, order)).map_err(lua_err("reading the result"))?;
    let raw: Value = result.get("raw").map_err(lua_err("build"))?;
    let literal = |key: &str, wrap: Option<&str>| -> Result<String, Failure> {
        let v: Value = result.get(key).map_err(lua_err("build"))?;
        let body = lua_literal(&v, 0).map_err(|e| Failure::failed(format!("writing {key}: {e}")))?;
        Ok(match wrap {
            Some(w) => format!("return {{\n  {w} = {}\n}}\n", indent(&body)),
            None => format!("return {body}\n"),
        })
    };
    let mut ran = Vec::new();
    let ran_table: Table = result.get("ran").map_err(lua_err("build"))?;
    for m in ran_table.sequence_values::<Table>() {
        let m = m.map_err(lua_err("build"))?;
        ran.push(RanMod {
            name: m.get("name").map_err(lua_err("build"))?,
            version: m.get("version").map_err(lua_err("build"))?,
            path: m.get::<Option<String>>("path").map_err(lua_err("build"))?.map(PathBuf::from),
            zip: m.get("zip").map_err(lua_err("build"))?,
            game: m.get("game").map_err(lua_err("build"))?,
        });
    }
    let mut placeholders = Vec::new();
    for entry in served.sequence_values::<Table>() {
        let e = entry.map_err(lua_err("build"))?;
        let text: mlua::LuaString = e.get(3).map_err(lua_err("build"))?;
        placeholders.push((
            e.get(1).map_err(lua_err("build"))?,
            e.get(2).map_err(lua_err("build"))?,
            text.as_bytes().to_vec(),
        ));
    }
    let version: String = result.get("game_version").map_err(lua_err("build"))?;
    let stages = Stages {
        mods_lua: literal("mods", None)?,
        settings_lua: literal("startup", Some("startup"))?,
        flags_lua: literal("feature_flags", None)?,
        ran,
        placeholders,
        builtin: builtin::find(Some(&version)).unwrap_or_else(|_| builtin::VERSIONS[0]),
        game_version: version,
    };
    timings.write = t.elapsed();
    Ok((stages, raw))
}

/// With `FACTORIO_MOCKS_TIMING=1`, when a step of the build ended (ms since the build began).
fn phase(t0: Instant, what: &str) {
    if std::env::var("FACTORIO_MOCKS_TIMING").is_ok_and(|v| v == "1") {
        eprintln!("factorio-mocks: timing: {:8.1} ms  {what}", t0.elapsed().as_secs_f64() * 1e3);
    }
}

fn findings(result: &Table, key: &str) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    let list: Option<Table> = result.get(key).map_err(lua_err("checking data.raw"))?;
    let Some(list) = list else { return Ok(out) };
    for e in list.sequence_values::<Table>() {
        let e = e.map_err(lua_err("checking data.raw"))?;
        let path: String = e.get("path").unwrap_or_default();
        let message: String = e.get("message").unwrap_or_default();
        out.push(format!("{path}: {message}"));
    }
    Ok(out)
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n  ")
}

/// A Lua table constructor for `v` (mods, settings, feature flags): keys sorted, one per line.
fn lua_literal(v: &Value, depth: usize) -> Result<String, String> {
    Ok(match v {
        Value::Nil => "nil".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Number(n) if n.is_nan() => "nan".into(),
        Value::Number(n) if n.is_infinite() => {
            if *n > 0.0 {
                "math.huge".into()
            } else {
                "-math.huge".into()
            }
        }
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Value::Number(n) => format!("{n:?}"),
        Value::String(s) => lua_string(&s.as_bytes()),
        Value::Table(t) => {
            if depth > 50 {
                return Err("nests too deeply (a cycle?)".into());
            }
            let mut entries: Vec<(Value, Value)> =
                t.pairs::<Value, Value>().collect::<mlua::Result<_>>().map_err(|e| e.to_string())?;
            if entries.is_empty() {
                return Ok("{}".into());
            }
            let rank = |k: &Value| match k {
                Value::Integer(_) | Value::Number(_) => 0,
                _ => 1,
            };
            entries.sort_by(|(a, _), (b, _)| {
                rank(a).cmp(&rank(b)).then_with(|| match (a, b) {
                    (Value::String(x), Value::String(y)) => x.as_bytes().cmp(&y.as_bytes()),
                    _ => a.as_f64().unwrap_or(0.0).total_cmp(&b.as_f64().unwrap_or(0.0)),
                })
            });
            let mut s = String::from("{\n");
            for (k, val) in &entries {
                let key = match k {
                    Value::String(_) | Value::Integer(_) | Value::Number(_) => lua_literal(k, depth + 1)?,
                    other => return Err(format!("a {} key", other.type_name())),
                };
                let body = lua_literal(val, depth + 1)?;
                s.push_str(&format!("  [{key}] = {},\n", indent(&body)));
            }
            s.push('}');
            s
        }
        other => return Err(format!("a {} is not data", other.type_name())),
    })
}

fn lua_string(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0..0x20 | 0x7f.. => s.push_str(&format!("\\{b:03}")),
            _ => s.push(b as char),
        }
    }
    s.push('"');
    s
}

/// SHA-256 of a mod's files: a zip's bytes; a folder's files sorted by path, each its path, a
/// NUL, its length and its bytes (the shape of crate::cache::content_key, without the folder's
/// own location, so the same files give the same hash on any machine).
fn files_sha256(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    if path.is_file() {
        return Ok(sha256_hex(&fs::read(path)?));
    }
    let mut files = Vec::new();
    walk(path, path, &mut files)?;
    files.sort();
    let mut h = sha2::Sha256::new();
    for rel in &files {
        let bytes = fs::read(path.join(rel))?;
        h.update(rel.as_bytes());
        h.update([0]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Every regular file under `dir`, as `/`-separated paths relative to `root`.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() || (kind.is_symlink() && path.is_dir()) {
            walk(root, &path, out)?;
        } else if path.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(())
}

/// Writes the dataset's files into the temporary folder, keeping each file's sha256 for the
/// metadata. A file of `lua/` whose bytes equal one already written becomes a hard link to it:
/// most of a game folder's generated modules are the same 1x1 placeholder, and creating a file
/// with data costs far more than a link on some file systems (0.4 ms against 0.01 ms here).
struct Writer {
    root: PathBuf,
    dirs: std::collections::HashSet<PathBuf>,
    by_digest: std::collections::HashMap<String, PathBuf>,
    checksums: BTreeMap<String, String>,
}

impl Writer {
    fn new(root: &Path) -> Writer {
        Writer {
            root: root.to_path_buf(),
            dirs: Default::default(),
            by_digest: Default::default(),
            checksums: BTreeMap::new(),
        }
    }

    fn put(&mut self, rel: &str, bytes: &[u8]) -> Result<(), Failure> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            if !self.dirs.contains(parent) {
                fs::create_dir_all(parent).map_err(|e| Failure::failed(format!("{}: {e}", parent.display())))?;
                self.dirs.insert(parent.to_path_buf());
            }
        }
        let digest = sha256_hex(bytes);
        let linked = rel.starts_with("lua/")
            && self.by_digest.get(&digest).is_some_and(|first| fs::hard_link(first, &path).is_ok());
        if !linked {
            fs::write(&path, bytes).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?;
            if rel.starts_with("lua/") {
                self.by_digest.entry(digest.clone()).or_insert(path);
            }
        }
        self.checksums.insert(rel.to_string(), digest);
        Ok(())
    }
}

/// Every language's cfg, merged in load order (a later mod's key replaces an earlier one's):
/// the game's mods' locale folders, or the built-in locale when the game folder has none.
fn merged_locale(stages: &Stages, warnings: &mut Vec<String>) -> Result<BTreeMap<String, String>, Failure> {
    let mut dict = Dictionary::new();
    let game_has_locale =
        stages.ran.iter().any(|m| m.game && m.path.as_ref().is_some_and(|p| p.join("locale").is_dir()));
    // The built-in locale (core's and base's cfg of one game version, merged per language), when
    // the game folder has none; kept as text, and parsed only for a language a mod adds to.
    let mut builtin_text: BTreeMap<String, String> = BTreeMap::new();
    if !game_has_locale {
        for lang in stages.builtin.languages() {
            if let Some(text) = stages.builtin.locale(&lang) {
                builtin_text.insert(lang, text);
            }
        }
    }
    let add = |dict: &mut Dictionary, lang: &str, text: &str, label: &str| -> Result<(), Failure> {
        if dict.catalog(lang).is_none() {
            if let Some(base) = builtin_text.get(lang) {
                let parsed = locale::cfg::parse_all(base, &format!("<built-in locale {lang}>"))
                    .map_err(|e| Failure::failed(e.first().map(ToString::to_string).unwrap_or_default()))?;
                dict.merge(lang, &parsed.file);
            }
        }
        let parsed = locale::cfg::parse_all(text, label)
            .map_err(|e| Failure::failed(e.first().map(ToString::to_string).unwrap_or_default()))?;
        dict.merge(lang, &parsed.file);
        Ok(())
    };
    for m in &stages.ran {
        let Some(path) = &m.path else { continue };
        if m.zip {
            let info =
                factorio_mocks::mods::load(path).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?;
            let mut files = info.open().map_err(Failure::failed)?;
            for lang in zip_languages(path)? {
                for name in files.list(&format!("locale/{lang}")).map_err(Failure::failed)? {
                    if !name.ends_with(".cfg") {
                        continue;
                    }
                    let rel = format!("locale/{lang}/{name}");
                    let Some(bytes) = files.read(&rel).map_err(Failure::failed)? else {
                        continue;
                    };
                    let label = format!("{}/{rel}", path.display());
                    let text = locale::cfg::text_of(&bytes, &label)
                        .map_err(|e| Failure::failed(e.first().map(ToString::to_string).unwrap_or_default()))?;
                    add(&mut dict, &lang, text, &label)?;
                }
            }
        } else if path.join("locale").is_dir() {
            for (lang, files) in
                locale::load::discover(path, None).map_err(|e| Failure::failed(format!("{}: {e}", m.name)))?
            {
                for file in files {
                    let bytes = fs::read(&file).map_err(|e| Failure::failed(format!("{}: {e}", file.display())))?;
                    let label = file.display().to_string();
                    let text = locale::cfg::text_of(&bytes, &label)
                        .map_err(|e| Failure::failed(e.first().map(ToString::to_string).unwrap_or_default()))?;
                    let parsed = locale::cfg::parse_all(text, &label)
                        .map_err(|e| Failure::failed(e.first().map(ToString::to_string).unwrap_or_default()))?;
                    warnings.extend(parsed.warnings.iter().map(ToString::to_string));
                    add(&mut dict, &lang, text, &label)?;
                }
            }
        }
    }
    // Languages only the built-in locale has stay as they are.
    let mut out: BTreeMap<String, String> =
        builtin_text.into_iter().filter(|(l, _)| dict.catalog(l).is_none()).collect();
    for lang in dict.languages() {
        let Some(catalog) = dict.catalog(lang) else {
            continue;
        };
        // Sections in the order they first appear (the section-less part first), keys in the
        // order first defined.
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut sections: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
        for (section, key, value) in catalog.entries() {
            let at = *index.entry(section).or_insert_with(|| {
                sections.push((section, Vec::new()));
                sections.len() - 1
            });
            sections[at].1.push((key, value));
        }
        sections.sort_by_key(|(s, _)| !s.is_empty());
        let mut text = String::new();
        for (section, keys) in sections {
            if !section.is_empty() {
                text.push_str(&format!("[{section}]\n"));
            }
            for (k, v) in keys {
                text.push_str(k);
                text.push('=');
                text.push_str(v);
                text.push('\n');
            }
        }
        out.insert(lang.to_string(), text);
    }
    Ok(out)
}

/// The languages a mod zip has under `locale/`.
fn zip_languages(path: &Path) -> Result<Vec<String>, Failure> {
    let file = fs::File::open(path).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?;
    let archive = zip::ZipArchive::new(file).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?;
    let mut langs: Vec<String> = archive
        .file_names()
        .filter_map(|n| {
            let mut parts = n.split('/');
            let (_, locale, lang) = (parts.next()?, parts.next()?, parts.next()?);
            (locale == "locale" && parts.next().is_some()).then(|| lang.to_string())
        })
        .collect();
    langs.sort();
    langs.dedup();
    Ok(langs)
}

/// The game's own Lua: every `.lua` of the game's mods that ran from the game folder, the
/// placeholders served for what it lacks; without a game folder, the built-in dataset's copy.
fn game_lua(stages: &Stages, w: &mut Writer) -> Result<usize, Failure> {
    let mut count = 0;
    let from_folder: Vec<&RanMod> = stages.ran.iter().filter(|m| m.game && m.path.is_some() && !m.zip).collect();
    if from_folder.is_empty() {
        let mut files: Vec<(&String, &Vec<u8>)> = stages.builtin.game_lua().iter().collect();
        files.sort();
        for (rel, bytes) in files {
            if dataset::game_lua::is_contained(rel) {
                w.put(&format!("lua/{rel}"), bytes)?;
                count += 1;
            }
        }
        return Ok(count);
    }
    for m in from_folder {
        let dir = m.path.as_ref().expect("filtered");
        let mut files = Vec::new();
        walk(dir, dir, &mut files).map_err(|e| Failure::failed(format!("{}: {e}", dir.display())))?;
        files.sort();
        for rel in files.iter().filter(|r| r.ends_with(".lua")) {
            let bytes =
                fs::read(dir.join(rel)).map_err(|e| Failure::failed(format!("{}: {e}", dir.join(rel).display())))?;
            w.put(&format!("lua/{}/{rel}", m.name), &bytes)?;
            count += 1;
        }
    }
    let mut placeholders: Vec<&(String, String, Vec<u8>)> = stages.placeholders.iter().collect();
    placeholders.sort();
    for (name, rel, text) in placeholders {
        let at = format!("lua/{name}/{rel}");
        if dataset::game_lua::is_contained(name)
            && dataset::game_lua::is_contained(rel)
            && !w.checksums.contains_key(&at)
        {
            w.put(&at, text)?;
            count += 1;
        }
    }
    Ok(count)
}

/// `metadata.json`: versions, sha256 of every other file, and where the dataset came from.
fn metadata(files: &BTreeMap<String, String>, stages: &Stages, mod_settings: Option<&str>) -> Result<Vec<u8>, Failure> {
    let checksums: Map<String, Json> = files.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect();
    let mut mods = Vec::new();
    for m in &stages.ran {
        let mut entry = Map::new();
        entry.insert("name".into(), json!(m.name));
        entry.insert("version".into(), json!(m.version));
        entry.insert(
            "source".into(),
            json!(if m.game {
                "game"
            } else if m.zip {
                "zip"
            } else {
                "folder"
            }),
        );
        if let Some(p) = &m.path {
            let hash = files_sha256(p).map_err(|e| Failure::failed(format!("hashing {}: {e}", p.display())))?;
            entry.insert("files_sha256".into(), json!(hash));
        }
        mods.push(Json::Object(entry));
    }
    let factorio_version = stages
        .ran
        .iter()
        .find(|m| m.name == "base")
        .map(|m| m.version.clone())
        .unwrap_or_else(|| stages.game_version.clone());
    let mut provenance = Map::new();
    provenance.insert("tool".into(), json!(format!("factorio-mocks {}", factorio_mocks::VERSION)));
    provenance.insert("factorio_version".into(), json!(factorio_version));
    provenance.insert("api_version_mocked".into(), json!(stages.game_version));
    provenance.insert("mods".into(), Json::Array(mods));
    if let Some(f) = mod_settings {
        let bytes = fs::read(f).map_err(|e| Failure::failed(format!("{f}: {e}")))?;
        provenance.insert("mod_settings_sha256".into(), json!(sha256_hex(&bytes)));
    }
    if !stages.placeholders.is_empty() {
        let mut list: Vec<String> = stages.placeholders.iter().map(|(m, r, _)| format!("__{m}__/{r}")).collect();
        list.sort();
        list.dedup();
        provenance.insert("placeholders".into(), json!(list));
    }
    let meta = json!({
        "factorio_version": factorio_version,
        "generator_version": format!("factorio-mocks {}", factorio_mocks::VERSION),
        "hash_algorithm": "sha256",
        "checksums": Json::Object(checksums),
        "provenance": Json::Object(provenance),
    });
    let mut text = serde_json::to_string_pretty(&meta).map_err(|e| Failure::failed(e.to_string()))?;
    text.push('\n');
    Ok(text.into_bytes())
}

/// `<parent>/.<name>.tmp<pid>`: beside `out`, so the final rename stays on one file system.
fn temp_beside(out: &Path) -> Result<PathBuf, Failure> {
    let name =
        out.file_name().ok_or_else(|| Failure::usage(CMD, format!("--out {}: names no folder", out.display())))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Failure::failed(format!("{}: {e}", parent.display())))?;
    Ok(parent.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id())))
}

/// Puts the finished `tmp` at `out`: an existing dataset (or empty folder) there is replaced,
/// anything else refused.
fn commit(tmp: &Path, out: &Path) -> Result<(), Failure> {
    if out.exists() {
        let is_dataset = out.join("metadata.json").is_file() || out.join("metadata.lua").is_file();
        let empty = fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !out.is_dir() || !(is_dataset || empty) {
            return Err(Failure::failed(format!(
                "--out {}: exists and is not a dataset folder; nothing was replaced (give a new folder, or remove it)",
                out.display()
            )));
        }
        let old = tmp.with_extension("old");
        fs::rename(out, &old).map_err(|e| Failure::failed(format!("moving the old {} aside: {e}", out.display())))?;
        if let Err(e) = fs::rename(tmp, out) {
            let _ = fs::rename(&old, out);
            return Err(Failure::failed(format!("{}: {e} (the old dataset is back in place)", out.display())));
        }
        let _ = fs::remove_dir_all(&old);
        return Ok(());
    }
    fs::rename(tmp, out).map_err(|e| Failure::failed(format!("{}: {e}", out.display())))
}

/// Writes every file but metadata.json into `tmp`: (languages, game Lua files, warnings).
/// `prototype/`: data.raw as JSON, the mods, startup settings and feature flags.
fn write_prototype(stages: &Stages, raw_json: &[u8], w: &mut Writer) -> Result<(), Failure> {
    w.put("prototype/data-raw.json", raw_json)?;
    w.put("prototype/mods.lua", stages.mods_lua.as_bytes())?;
    w.put("prototype/settings.lua", stages.settings_lua.as_bytes())?;
    w.put("prototype/feature-flags.lua", stages.flags_lua.as_bytes())
}

/// `locale/` and `lua/`, which need nothing from data.raw: written from the moment the stages end.
fn write_game_files(stages: &Stages, w: &mut Writer, t0: Instant) -> Result<(usize, usize, Vec<String>), Failure> {
    let mut warnings = Vec::new();
    let locale = merged_locale(stages, &mut warnings)?;
    phase(t0, "locale merged");
    for (lang, text) in &locale {
        w.put(&format!("locale/{lang}.cfg"), text.as_bytes())?;
    }
    phase(t0, "locale written");
    let lua_files = game_lua(stages, w)?;
    phase(t0, "game Lua written");
    Ok((locale.len(), lua_files, warnings))
}

fn build(p: &Parsed) -> Result<Outcome, Failure> {
    let out = PathBuf::from(
        p.option("--out")
            .ok_or_else(|| Failure::usage(CMD, "build needs --out <dir> (the dataset folder to write)"))?,
    );
    let started = Instant::now();
    let (lua, fm) = lua_with_module()?;
    let mut timings = Timings { started, stages: Duration::ZERO, validate: Duration::ZERO, write: Duration::ZERO };
    let (stages, raw) = run_stages(&lua, &fm, p, &mut timings)?;
    let t = Instant::now();
    let tmp = temp_beside(&out)?;
    let _ = fs::remove_dir_all(&tmp);
    // The files are written while data.raw becomes JSON and the game's checks run (both Lua, on
    // this thread): the locale and the game's Lua from the start, data.raw once it is JSON. A
    // failed check removes them again.
    let (mut writer, mut prototype_writer) = (Writer::new(&tmp), Writer::new(&tmp));
    let (written, prototype_written, checked, raw_json) = std::thread::scope(|scope| {
        let files = scope.spawn(|| write_game_files(&stages, &mut writer, started));
        let raw_json =
            factorio_mocks::binding::json_out::encode(&lua, &raw, "data.raw").map_err(lua_err("writing data.raw"));
        phase(started, "data.raw as JSON");
        let (st, pw) = (&stages, &mut prototype_writer);
        let prototype = raw_json.map(|json| {
            scope.spawn(move || {
                let written = write_prototype(st, &json, pw);
                (written, json)
            })
        });
        let v = Instant::now();
        let checked = lua
            .load("local fm = ... return fm.validate()")
            .set_name("=dataset build")
            .call::<Table>(&fm)
            .map_err(lua_err("checking data.raw"))
            .and_then(|r| findings(&r, "errors"));
        timings.validate = v.elapsed();
        phase(started, "checked");
        let panicked = || Failure::failed("writing the dataset failed (a thread panicked)");
        let written = files.join().unwrap_or_else(|_| Err(panicked()));
        let (prototype_written, raw_json) = match prototype.map(|h| h.join()) {
            Ok(Ok((written, json))) => (written, Ok(json)),
            Ok(Err(_)) => (Err(panicked()), Ok(Vec::new())),
            Err(e) => (Ok(()), Err(e)),
        };
        (written, prototype_written, checked, raw_json)
    });
    writer.checksums.append(&mut prototype_writer.checksums);
    let discard = |e: Failure| {
        let _ = fs::remove_dir_all(&tmp);
        e
    };
    let raw_json = raw_json.map_err(discard)?;
    prototype_written.map_err(discard)?;
    let errors = checked.map_err(discard)?;
    if !errors.is_empty() {
        let _ = fs::remove_dir_all(&tmp);
        let mut stdout: String = errors.iter().map(|e| format!("error: {e}\n")).collect();
        stdout.push_str(&format!(
            "{} problem{} the game would refuse to load with; {} was not written\n",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            out.display()
        ));
        return Ok(Outcome { stdout, stderr: String::new(), code: EXIT_PROBLEMS });
    }
    let (languages, lua_files, warnings) = written.map_err(discard)?;
    let meta = metadata(&writer.checksums, &stages, p.option("--mod-settings")).map_err(discard)?;
    fs::write(tmp.join("metadata.json"), &meta)
        .map_err(|e| discard(Failure::failed(format!("{}: {e}", tmp.join("metadata.json").display()))))?;
    phase(started, "metadata");
    commit(&tmp, &out).map_err(discard)?;
    phase(started, "in place");
    let write_time = timings.write + t.elapsed();
    let total = started.elapsed();
    // The process ends here: the operating system frees the Lua state faster than lua_close.
    std::mem::forget(lua);
    let mut stderr: String = warnings.iter().map(|w| format!("warning: {w}\n")).collect();
    stderr.push_str(&format!(
        "wrote {} (game {}, {} mods, {:.1} MB of data.raw, {languages} languages, {lua_files} game Lua files)\n",
        out.display(),
        stages.ran.iter().find(|m| m.name == "base").map_or(stages.game_version.as_str(), |m| m.version.as_str()),
        stages.ran.len(),
        raw_json.len() as f64 / 1e6,
    ));
    stderr.push_str(&format!(
        "time: {:.2} s in all: the stages {:.2} s, then data.raw as JSON and the files {:.2} s while the checks ran {:.2} s\n",
        total.as_secs_f64(),
        timings.stages.as_secs_f64(),
        write_time.as_secs_f64(),
        timings.validate.as_secs_f64(),
    ));
    Ok(Outcome { stdout: format!("{}\n", out.display()), stderr, code: EXIT_OK })
}

// ---------------------------------------------------------------------------------------------
// validate

const VALIDATE_LUA: &str = r#"
local fm, dir = ...
fm.setup{ stage = "data", dataset = dir }
local r = fm.validate()
local out = { errors = r.errors, warnings = r.warnings, version = fm.game_version() }
fm.teardown()
return out
"#;

fn validate(dir: &Path) -> Result<Outcome, Failure> {
    if !dir.is_dir() {
        return Err(Failure::usage(
            CMD,
            format!("{}: no such folder; give a dataset folder (the one holding metadata.json)", dir.display()),
        ));
    }
    let mut problems = check_files(dir)?;
    if !problems.is_empty() {
        let mut stdout: String = problems.iter().map(|e| format!("error: {e}\n")).collect();
        stdout.push_str(&format!(
            "{}: {} damaged or missing file{}; re-fetch or rebuild the dataset\n",
            dir.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ));
        return Ok(Outcome { stdout, stderr: String::new(), code: EXIT_PROBLEMS });
    }
    let (lua, fm) = lua_with_module()?;
    let result: Table = lua
        .load(VALIDATE_LUA)
        .set_name("=dataset validate")
        .call((fm, dir.to_string_lossy().as_ref()))
        .map_err(lua_err(&format!("{}", dir.display())))?;
    problems = findings(&result, "errors")?;
    let warnings = findings(&result, "warnings")?;
    let version: String = result.get("version").unwrap_or_default();
    let mut stdout: String = problems.iter().map(|e| format!("error: {e}\n")).collect();
    let stderr = format!(
        "{}: {} errors, {} warnings (checked as game {version})\n",
        dir.display(),
        problems.len(),
        warnings.len()
    );
    if problems.is_empty() {
        stdout.push_str("ok\n");
    }
    Ok(Outcome { stdout, stderr, code: if problems.is_empty() { EXIT_OK } else { EXIT_PROBLEMS } })
}

/// Every file metadata.json lists must be there with its checksum.
fn check_files(dir: &Path) -> Result<Vec<String>, Failure> {
    let meta_path = dir.join("metadata.json");
    if !meta_path.is_file() {
        if dir.join("metadata.lua").is_file() {
            return Ok(Vec::new());
        }
        return Err(Failure::failed(format!(
            "{}: no metadata.json or metadata.lua; not a dataset folder",
            dir.display()
        )));
    }
    let bytes = fs::read(&meta_path).map_err(|e| Failure::failed(format!("{}: {e}", meta_path.display())))?;
    let meta = dataset::Metadata::from_json(&meta_path, &bytes).map_err(|e| Failure::failed(e.to_string()))?;
    let mut problems = Vec::new();
    for rel in meta.checksums.keys().chain(meta.sha256.keys()) {
        if !dataset::game_lua::is_contained(rel) {
            problems.push(format!("{rel}: listed in metadata.json but leaves the dataset folder"));
            continue;
        }
        let path = dir.join(rel);
        match fs::read(&path) {
            Ok(bytes) => {
                if let Err(e) = meta.verify(rel, &path, &bytes) {
                    problems.push(e.to_string());
                }
            }
            Err(_) => problems.push(format!("{}: missing (metadata.json lists it)", path.display())),
        }
    }
    problems.dedup();
    Ok(problems)
}

// ---------------------------------------------------------------------------------------------
// push

fn push(dir: &Path, target: &str, subject: Option<&str>, allow_http: bool) -> Result<Outcome, Failure> {
    use factorio_mocks::source::push;
    let opts = push::PushOptions { subject: subject.map(str::to_string), allow_http, ..push::PushOptions::default() };
    let pushed = push::push(dir, target, &opts)
        .map_err(|e| Failure::failed(format!("pushing {} to {}: {}", dir.display(), e.reference, e.message)))?;
    let mut stdout = String::new();
    for r in &pushed.references {
        stdout.push_str(&format!("{r}\n"));
    }
    let stderr = format!(
        "pushed {} ({} layers, {:.1} MB) as {}{}\n",
        dir.display(),
        pushed.layers,
        pushed.bytes as f64 / 1e6,
        pushed.pinned,
        pushed.subject.as_deref().map(|s| format!(", attached to {s}")).unwrap_or_default()
    );
    Ok(Outcome { stdout, stderr, code: EXIT_OK })
}
