//! One function per command group; each parses its own arguments and returns what to print.

use std::path::{Path, PathBuf};
use std::time::Duration;

use factorio_mocks::cache::{Caches, root_dir};
use factorio_mocks::locale::{self, Dictionary, Options};
use factorio_mocks::mod_list::{self, ModList};
use factorio_mocks::mod_settings::{self, ModSettings};
use factorio_mocks::source::{self, FetchOptions};

use super::args::{self, Parsed, Spec};
use super::{EXIT_OK, EXIT_PROBLEMS, Failure, Outcome, settings_json};

/// The subcommand word and what follows it; `None` when only help was asked for.
fn split<'a>(
    rest: &'a [String],
    command: &'static str,
    help: &str,
) -> Result<Option<(&'a str, &'a [String])>, Failure> {
    match rest.first().map(String::as_str) {
        None => Err(Failure::usage(command, format!("missing subcommand\n\n{help}"))),
        Some("-h" | "--help" | "help") => Ok(None),
        Some(word) => Ok(Some((word, rest.get(1..).unwrap_or_default()))),
    }
}

fn help(text: &str) -> Outcome {
    Outcome::out(text.to_owned())
}

/// A path named on the command line that does not exist is a wrong command line (exit 2), not
/// a failing file (exit 3).
fn must_exist(command: &'static str, path: &Path, what: &str) -> Result<(), Failure> {
    if path.exists() {
        Ok(())
    } else {
        Err(Failure::usage(command, format!("{}: no such file or folder ({what})", path.display())))
    }
}

// ---------------------------------------------------------------------------------------------
// mod-settings

const MOD_SETTINGS_HELP: &str = "\
usage: factorio-mocks mod-settings dump <file.dat>
       factorio-mocks mod-settings restore <file.json> <file.dat>

dump     prints the file as JSON: every node with its wire type (int64 and uint64 stay integers),
         the any-type flag where set, dictionaries as [key, node] pairs in file order.
restore  writes JSON in that shape back to a mod-settings.dat, through a temporary file and a
         rename, so a failure leaves the old file as it was. A file the game wrote comes back
         byte for byte: dump, edit a value, restore.

The game keeps the file in its user data folder: mods/mod-settings.dat
(~/.factorio on Linux, %APPDATA%\\Factorio on Windows, ~/Library/Application Support/factorio on macOS).
";

pub fn mod_settings(rest: &[String]) -> Result<Outcome, Failure> {
    const CMD: &str = "mod-settings";
    let Some((word, rest)) = split(rest, CMD, MOD_SETTINGS_HELP)? else {
        return Ok(help(MOD_SETTINGS_HELP));
    };
    let spec = Spec { command: CMD, options: &[], flags: &[] };
    let p = args::parse(rest, &spec)?;
    if p.help {
        return Ok(help(MOD_SETTINGS_HELP));
    }
    match word {
        "dump" => {
            let a = p.expect(&spec, &["<file.dat>"])?;
            must_exist(CMD, Path::new(a[0]), "the mod-settings.dat to dump; the game writes it to <user data>/mods/")?;
            let settings = ModSettings::load(Path::new(a[0])).map_err(|e| {
                Failure::failed(format!("{e}\n(is this a mod-settings.dat? the game writes it to <user data>/mods/)"))
            })?;
            Ok(Outcome::out(settings_json::to_json(&settings)))
        }
        "restore" => {
            let a = p.expect(&spec, &["<file.json>", "<file.dat>"])?;
            let (json_path, dat_path) = (Path::new(a[0]), Path::new(a[1]));
            must_exist(CMD, json_path, "the JSON `factorio-mocks mod-settings dump` wrote")?;
            let text = std::fs::read_to_string(json_path)
                .map_err(|e| Failure::failed(format!("{}: cannot read: {e}", json_path.display())))?;
            let settings = settings_json::from_json(&text).map_err(|e| {
                Failure::failed(format!(
                    "{}: {e}\n(nothing written; fix the JSON, or make a fresh one with `factorio-mocks mod-settings dump`)",
                    json_path.display()
                ))
            })?;
            settings.save(dat_path).map_err(|e| Failure::failed(format!("{e} (nothing was changed)")))?;
            let count: usize = mod_settings::SECTIONS.iter().map(|s| settings.section(s).count()).sum();
            Ok(Outcome {
                stderr: format!("wrote {} ({count} settings, game version {})\n", dat_path.display(), settings.version),
                ..Outcome::default()
            })
        }
        other => Err(Failure::usage(CMD, format!("unknown subcommand '{other}' (dump, restore)"))),
    }
}

// ---------------------------------------------------------------------------------------------
// mod-list

const MOD_LIST_HELP: &str = "\
usage: factorio-mocks mod-list list [--file <mod-list.json>]
       factorio-mocks mod-list enable <name> [--file …]
       factorio-mocks mod-list disable <name> [--file …]
       factorio-mocks mod-list add <name> [--version <a.b.c>] [--disabled] [--file …]
       factorio-mocks mod-list remove <name> [--file …]

list     prints every mod: name, enabled or disabled, and the pinned version if any.
enable, disable, add, remove change the file in the game's own format (through a temporary file
         and a rename). `base` cannot be disabled or removed.

--file   the mod-list.json to use. Default: ./mod-list.json when it exists (you are in the mods
         folder), else ./mods/mod-list.json (you are in the game's user data folder).
";

fn mod_list_path(p: &Parsed) -> PathBuf {
    if let Some(f) = p.option("--file") {
        return PathBuf::from(f);
    }
    let here = PathBuf::from("mod-list.json");
    if here.is_file() { here } else { PathBuf::from("mods").join("mod-list.json") }
}

fn load_mod_list(path: &Path) -> Result<ModList, Failure> {
    if !path.exists() {
        return Err(Failure::usage(
            "mod-list",
            format!(
                "{}: no such file; pass --file <path to mod-list.json> (the game keeps it in <user data>/mods/)",
                path.display()
            ),
        ));
    }
    ModList::load(path).map_err(Failure::failed)
}

pub fn mod_list(rest: &[String]) -> Result<Outcome, Failure> {
    const CMD: &str = "mod-list";
    let Some((word, rest)) = split(rest, CMD, MOD_LIST_HELP)? else {
        return Ok(help(MOD_LIST_HELP));
    };
    let spec = Spec { command: CMD, options: &["--file", "--version"], flags: &["--disabled"] };
    let p = args::parse(rest, &spec)?;
    if p.help {
        return Ok(help(MOD_LIST_HELP));
    }
    if word != "add" && (p.option("--version").is_some() || p.flag("--disabled")) {
        return Err(Failure::usage(CMD, "--version and --disabled go with `add`"));
    }
    let path = mod_list_path(&p);
    let file = path.display();
    if word == "list" {
        p.expect(&spec, &[])?;
        let list = load_mod_list(&path)?;
        let width = list.each().map(|e| e.name.len()).max().unwrap_or(0);
        let mut out = String::new();
        for e in list.each() {
            let state = if e.enabled { "enabled" } else { "disabled" };
            let line = match &e.version {
                Some(v) => format!("{:width$}  {state:8}  {v}", e.name),
                None => format!("{:width$}  {state}", e.name),
            };
            out.push_str(line.trim_end());
            out.push('\n');
        }
        return Ok(Outcome::out(out));
    }
    let change: fn(&mut ModList, &str, &Parsed) -> Result<(), mod_list::Error> = match word {
        "enable" => |l, n, _| l.enable(n),
        "disable" => |l, n, _| l.disable(n),
        "add" => |l, n, p| l.add(n, !p.flag("--disabled"), p.option("--version")),
        "remove" => |l, n, _| l.remove(n),
        other => {
            return Err(Failure::usage(
                CMD,
                format!("unknown subcommand '{other}' (list, enable, disable, add, remove)"),
            ));
        }
    };
    let name = p.expect(&spec, &["<name>"])?[0];
    if let Some(v) = p.option("--version") {
        factorio_mocks::mods::Version::parse(v).map_err(|e| Failure::usage(CMD, format!("--version: {e}")))?;
    }
    let mut list = load_mod_list(&path)?;
    // The change itself is in memory: what it refuses is a wrong command line (a name not in the
    // list, base), exit 2; saving is what can fail.
    change(&mut list, name, &p).map_err(|e| match e {
        mod_list::Error::NotInList(_) => Failure::usage(
            CMD,
            format!(
                "{file}: mod '{name}' is not in the list; add it with: factorio-mocks mod-list add {name} --file {file}"
            ),
        ),
        other => Failure::usage(CMD, format!("{file}: {other}")),
    })?;
    list.save(&path).map_err(|e| Failure::failed(format!("{e} (the file was not changed)")))?;
    let state = if !list.exists(name) {
        "removed"
    } else if list.is_enabled(name) {
        "enabled"
    } else {
        "disabled"
    };
    Ok(Outcome { stderr: format!("{file}: {name} {state}\n"), ..Outcome::default() })
}

// ---------------------------------------------------------------------------------------------
// locale

const LOCALE_HELP: &str = "\
usage: factorio-mocks locale check <mod_dir> [--lang <code>] [--summary] [--strict]

Compares every language of a mod against English and lists, per language:
  missing    keys English has and the language lacks (the game shows English there)
  stale      keys the language has and English no longer has
  parameters keys whose __1__, __2__ … differ from English's
  malformed  tokens the game cannot read: misspelt built-ins (__ALT_CONTRO_LEFT_CLICK__),
             plurals without their {…}__, unknown plural conditions (English included)

<mod_dir>  a mod folder (locale/<lang>/*.cfg), a locale folder, or a dataset (locale/<lang>.cfg)
--lang     report only this language (repeat the command for others)
--summary  one line per language instead of every key
--strict   count cfg warnings (duplicate keys, keys ending in a blank) as problems too

Exit code 1 when anything was found (with --strict, a cfg warning too), 0 when every language
is clean; 2 for a wrong command line (a <mod_dir> that does not exist, a --lang it lacks).
";

pub fn locale(rest: &[String]) -> Result<Outcome, Failure> {
    const CMD: &str = "locale";
    let Some((word, rest)) = split(rest, CMD, LOCALE_HELP)? else {
        return Ok(help(LOCALE_HELP));
    };
    let spec = Spec { command: CMD, options: &["--lang"], flags: &["--summary", "--strict"] };
    let p = args::parse(rest, &spec)?;
    if p.help {
        return Ok(help(LOCALE_HELP));
    }
    if word != "check" {
        return Err(Failure::usage(CMD, format!("unknown subcommand '{word}' (check)")));
    }
    let dir = Path::new(p.expect(&spec, &["<mod_dir>"])?[0]);
    must_exist(CMD, dir, "<mod_dir>: a mod folder, a locale folder or a dataset")?;
    let mut dict = Dictionary::new();
    // Loaded leniently either way: with --strict a cfg warning is one more problem found (exit 1,
    // as --help says), and the check still runs.
    let strict = p.flag("--strict");
    let loaded = locale::load::load(&mut dict, dir, None, Options { strict: false })
        .map_err(|e| Failure::failed(e.to_string()))?;
    let label = if strict { "error (--strict)" } else { "warning" };
    let mut stderr: String = loaded.warnings.iter().map(|w| format!("{label}: {w}\n")).collect();
    if dict.catalog(locale::engine::FALLBACK_LANGUAGE).is_none() {
        return Err(Failure::failed(format!(
            "{}: no English locale (locale/en/*.cfg or locale/en.cfg); the check compares every language against English",
            dir.display()
        )));
    }
    let only = p.option("--lang");
    if let Some(lang) = only.filter(|l| dict.catalog(l).is_none()) {
        return Err(Failure::usage(
            CMD,
            format!("{}: no language '{lang}' here (found: {})", dir.display(), dict.languages().join(", ")),
        ));
    }
    let reports: Vec<_> =
        locale::check::check(&dict).into_iter().filter(|r| only.is_none_or(|l| r.language == l)).collect();
    let mut out = String::new();
    let mut dirty = 0;
    for r in &reports {
        if r.is_clean() {
            out.push_str(&format!("{}: ok\n", r.language));
            continue;
        }
        dirty += 1;
        out.push_str(&format!(
            "{}: {} missing, {} stale, {} with other parameters, {} malformed\n",
            r.language,
            r.missing.len(),
            r.stale.len(),
            r.parameters.len(),
            r.malformed.len()
        ));
        if p.flag("--summary") {
            continue;
        }
        for key in &r.missing {
            out.push_str(&format!("  missing    {key}\n"));
        }
        for key in &r.stale {
            out.push_str(&format!("  stale      {key}\n"));
        }
        let list = |v: &[usize]| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.iter().map(|n| format!("__{n}__")).collect::<Vec<_>>().join(" ")
            }
        };
        for m in &r.parameters {
            out.push_str(&format!(
                "  parameters {}: English uses {}, {} uses {}\n",
                m.key,
                list(&m.english),
                r.language,
                list(&m.found)
            ));
        }
        for m in &r.malformed {
            out.push_str(&format!("  malformed  {}: {}\n", m.key, m.token));
        }
    }
    stderr.push_str(&format!("{dirty} of {} languages with problems\n", reports.len()));
    let cfg_problems = strict && !loaded.warnings.is_empty();
    if cfg_problems {
        stderr.push_str(&format!("{} cfg warnings counted as problems (--strict)\n", loaded.warnings.len()));
    }
    Ok(Outcome { stdout: out, stderr, code: if dirty > 0 || cfg_problems { EXIT_PROBLEMS } else { EXIT_OK } })
}

// ---------------------------------------------------------------------------------------------
// cache and fetch

const CACHE_HELP: &str = "\
usage: factorio-mocks cache dir|clear|prune [--cache-dir <dir>]

dir    prints the cache folder: FACTORIO_MOCKS_CACHE_DIR, else the platform cache folder
       + factorio-mocks (~/.cache/factorio-mocks on Linux)
clear  removes every cached dataset and API answer (the next fetch downloads again)
prune  removes expired entries and lock or temporary files left by killed processes
";

fn cache_root(p: &Parsed) -> PathBuf {
    p.option("--cache-dir").map_or_else(root_dir, PathBuf::from)
}

/// "; kept …": what cleaning left because the cache did not make it.
fn kept_note(kept: &[PathBuf]) -> String {
    if kept.is_empty() {
        String::new()
    } else {
        format!(
            "; kept {} files the cache did not make: {}",
            kept.len(),
            kept.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        )
    }
}

pub fn cache(rest: &[String]) -> Result<Outcome, Failure> {
    const CMD: &str = "cache";
    let Some((word, rest)) = split(rest, CMD, CACHE_HELP)? else {
        return Ok(help(CACHE_HELP));
    };
    let spec = Spec { command: CMD, options: &["--cache-dir"], flags: &[] };
    let p = args::parse(rest, &spec)?;
    if p.help {
        return Ok(help(CACHE_HELP));
    }
    p.expect(&spec, &[])?;
    let root = cache_root(&p);
    let caches = Caches::open(&root);
    let failed = |e: std::io::Error| {
        Failure::failed(format!(
            "{}: {e} (check the folder's permissions, or set FACTORIO_MOCKS_CACHE_DIR)",
            root.display()
        ))
    };
    match word {
        "dir" => Ok(Outcome::out(format!("{}\n", root.display()))),
        "clear" => {
            let cleared = caches.clear().map_err(failed)?;
            Ok(Outcome {
                stderr: format!("cleared {}{}\n", root.display(), kept_note(&cleared.kept)),
                ..Outcome::default()
            })
        }
        "prune" => {
            let stats = caches.prune().map_err(failed)?;
            Ok(Outcome::out(format!(
                "removed {} expired entries and {} orphaned lock or temporary files from {}{}\n",
                stats.expired,
                stats.orphans,
                root.display(),
                kept_note(&stats.kept)
            )))
        }
        other => Err(Failure::usage(CMD, format!("unknown subcommand '{other}' (dir, clear, prune)"))),
    }
}

const FETCH_HELP: &str = "\
usage: factorio-mocks fetch <ref> [options]

Downloads a dataset into the cache, checks every digest and checksum, and prints its folder.
<ref>  oci://host/repo:tag, oci://host/repo@sha256:…, an https base URL of a data repository,
       a modpack name (resolved through FACTORIO_MOCKS_SOURCE), or a local folder

--offline            serve only what is cached (also FACTORIO_MOCKS_OFFLINE=1)
--ttl <seconds>      re-resolve tags older than this (also FACTORIO_MOCKS_TTL; default a day)
--sources <list>     comma-separated sources for modpack names (also FACTORIO_MOCKS_SOURCE)
--cache-dir <dir>    the cache folder (also FACTORIO_MOCKS_CACHE_DIR)
--allow-http         plain HTTP to hosts other than loopback
--timeout <seconds>  how long the network may stay silent (default 30)
--verify             re-hash every cached file against the dataset's checksums
--progress           show download progress (default: when stderr is a terminal)
--no-progress        no progress display on stderr
--json               print one JSON object on stdout, the dataset or the error (exit 3), as the
                     Lua module reads it when it hands a fetch to this command
";

pub fn fetch(rest: &[String]) -> Result<Outcome, Failure> {
    const CMD: &str = "fetch";
    let spec = Spec {
        command: CMD,
        options: &["--ttl", "--sources", "--cache-dir", "--timeout"],
        flags: &["--offline", "--allow-http", "--verify", "--progress", "--no-progress", "--json"],
    };
    let p = args::parse(rest, &spec)?;
    if p.help {
        return Ok(help(FETCH_HELP));
    }
    let reference = p.expect(&spec, &["<ref>"])?[0];
    let progress = match (p.flag("--progress"), p.flag("--no-progress")) {
        (true, true) => return Err(Failure::usage(CMD, "--progress and --no-progress: give one")),
        (on, off) => (on || off).then_some(on),
    };
    let mut opts = FetchOptions {
        cache_dir: p.option("--cache-dir").map(PathBuf::from),
        offline: p.flag("--offline").then_some(true),
        allow_http: p.flag("--allow-http"),
        verify: p.flag("--verify"),
        progress,
        timeout: seconds(&p, CMD, "--timeout")?,
        ..FetchOptions::default()
    };
    if let Some(ttl) = p.option("--ttl") {
        match ttl.trim().parse::<f64>() {
            Ok(s) if (0.0..1e12).contains(&s) => opts.ttl = Some(Duration::from_secs_f64(s)),
            _ => return Err(Failure::usage(CMD, format!("--ttl {ttl}: expected a number of seconds, 0 or more"))),
        }
    }
    if let Some(list) = p.option("--sources") {
        opts.sources = Some(list.split([',', ';', ' ']).filter(|s| !s.is_empty()).map(str::to_owned).collect());
    }
    let result = source::fetch(reference, &opts);
    if p.flag("--json") {
        let code = if result.is_ok() { EXIT_OK } else { super::EXIT_FAILURE };
        return Ok(Outcome { stdout: format!("{}\n", source::fetcher::to_json(&result)), stderr: String::new(), code });
    }
    // A reference that is neither a path, a modpack name nor a URL is a wrong command line.
    let fetched = result.map_err(|e| {
        if e.source == "local" && !Path::new(reference).exists() {
            Failure::usage(CMD, e.to_string())
        } else {
            Failure::failed(e.to_string())
        }
    })?;
    let mut stderr = format!("served by {} ({})\n", fetched.source, fetched.reference);
    if let Some(s) = &fetched.subject {
        stderr.push_str(&format!("produced by {}\n", s.reference));
    }
    Ok(Outcome { stdout: format!("{}\n", fetched.dir.display()), stderr, code: 0 })
}

// ---------------------------------------------------------------------------------------------
// modpack

const MODPACK_HELP: &str = "\
usage: factorio-mocks modpack resolve <modpack.json> [--out <lock.json>] [options]
       factorio-mocks modpack download <modpack.json> --mods-dir <dir> [--player-data <file>] [options]

resolve   asks the mod portal for every mod of the pack and, through their dependencies, pins
          the newest release of each whose factorio_version is the pack's and whose constraints
          all hold; writes the pinned list to modpack.lock.json beside modpack.json (or --out)
          and prints it. Exit code 1 when the pack has conflicts (each names the mods).
download  fetches the zips the lock pins into <dir>, checks each file's SHA1 against the
          portal's, and writes <dir>/mod-list.json enabling exactly the pack. Zips already
          there with the right SHA1 are kept; nothing half-written is left behind.

modpack.json:
  {\"factorio_version\": \"2.0\", \"mods\": [\"space-age\", \"flib >= 0.15.0\", {\"name\": \"Krastorio2\", \"version\": \">= 1.4.0\"}]}
  The game's own mods (base, elevated-rails, quality, space-age, from 2.1 recycler) come with
  the game version; every other mod comes from the portal.

credentials (download only): FACTORIO_USERNAME and FACTORIO_TOKEN (the token is on
  https://factorio.com/profile), else `service-username` and `service-token` of the game's
  player-data.json (--player-data, else the user data folder). Never printed.

--portal <url>              the portal (also FACTORIO_MOCKS_MOD_PORTAL; default https://mods.factorio.com)
--timeout <seconds>         how long connecting and each answer may take (default 30)
--download-timeout <secs>   how long one zip may take in all (default 40 × --timeout)
--allow-http                plain HTTP to hosts other than loopback
";

fn seconds(p: &Parsed, cmd: &'static str, name: &str) -> Result<Option<Duration>, Failure> {
    let Some(text) = p.option(name) else { return Ok(None) };
    match text.trim().parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        _ => Err(Failure::usage(cmd, format!("{name} {text}: expected a number of seconds above 0"))),
    }
}

pub fn modpack(rest: &[String]) -> Result<Outcome, Failure> {
    use factorio_mocks::modpack::{self, Lock, Modpack, download, portal, resolve};
    const CMD: &str = "modpack";
    let Some((word, rest)) = split(rest, CMD, MODPACK_HELP)? else {
        return Ok(help(MODPACK_HELP));
    };
    let spec = Spec {
        command: CMD,
        options: &["--out", "--mods-dir", "--player-data", "--portal", "--timeout", "--download-timeout"],
        flags: &["--allow-http"],
    };
    let p = args::parse(rest, &spec)?;
    if p.help {
        return Ok(help(MODPACK_HELP));
    }
    if !matches!(word, "resolve" | "download") {
        return Err(Failure::usage(CMD, format!("unknown subcommand '{word}' (resolve, download)")));
    }
    let only = |opt: &str, sub: &str| -> Result<(), Failure> {
        if p.option(opt).is_some() && word != sub {
            return Err(Failure::usage(CMD, format!("{opt} goes with `{sub}`")));
        }
        Ok(())
    };
    only("--out", "resolve")?;
    only("--mods-dir", "download")?;
    only("--player-data", "download")?;
    only("--download-timeout", "download")?;
    let file = PathBuf::from(p.expect(&spec, &["<modpack.json>"])?[0]);
    let mods_dir = if word == "download" {
        Some(PathBuf::from(p.option("--mods-dir").ok_or_else(|| {
            Failure::usage(CMD, "download needs --mods-dir <dir> (the game's mods folder, or any folder)")
        })?))
    } else {
        None
    };
    let opts = portal::PortalOptions {
        base: p.option("--portal").map(str::to_owned),
        timeout: seconds(&p, CMD, "--timeout")?.unwrap_or(factorio_mocks::source::DEFAULT_TIMEOUT),
        download_timeout: seconds(&p, CMD, "--download-timeout")?,
        allow_http: p.flag("--allow-http"),
    };
    must_exist(CMD, &file, "the modpack.json to read")?;
    let (pack, pack_sha1) = Modpack::load(&file).map_err(Failure::failed)?;
    let client = portal::HttpPortal::new(&opts).map_err(|e| Failure::failed(e.message))?;
    let lock_file = p.option("--out").map_or_else(|| modpack::lock_path(&file), PathBuf::from);

    if word == "resolve" {
        let pinned = match resolve::resolve(&pack, &client) {
            Ok(list) => list,
            Err(resolve::Failure::Portal(e)) => return Err(Failure::failed(format!("{}: {e}", file.display()))),
            Err(resolve::Failure::Conflicts(conflicts)) => {
                let out: String = conflicts.iter().map(|c| format!("conflict: {c}\n")).collect();
                return Ok(Outcome {
                    stdout: out,
                    stderr: format!(
                        "{}: {} conflict{}; {} was not written\n",
                        file.display(),
                        conflicts.len(),
                        if conflicts.len() == 1 { "" } else { "s" },
                        lock_file.display()
                    ),
                    code: EXIT_PROBLEMS,
                });
            }
        };
        let lock = Lock { factorio_version: pack.factorio_version, modpack_sha1: pack_sha1, mods: pinned };
        lock.save(&lock_file).map_err(|e| Failure::failed(format!("{e} (nothing written)")))?;
        let width = lock.mods.iter().map(|m| m.name.len()).max().unwrap_or(0);
        let mut out = String::new();
        for m in &lock.mods {
            let version = m.version.map(|v| v.to_string()).unwrap_or_else(|| pack.factorio_version.to_string());
            let line = if m.is_builtin() {
                format!("{:width$}  {version:10}  (the game's)", m.name)
            } else {
                format!("{:width$}  {version}", m.name)
            };
            out.push_str(line.trim_end());
            out.push('\n');
        }
        let from_portal = lock.mods.iter().filter(|m| !m.is_builtin()).count();
        return Ok(Outcome {
            stdout: out,
            stderr: format!(
                "wrote {} ({} mods, {from_portal} from {})\n",
                lock_file.display(),
                lock.mods.len(),
                client.base()
            ),
            code: EXIT_OK,
        });
    }

    let dir = mods_dir.expect("download has --mods-dir");
    if !lock_file.is_file() {
        return Err(Failure::failed(format!(
            "{}: no such file; run `factorio-mocks modpack resolve {}` first",
            lock_file.display(),
            file.display()
        )));
    }
    let lock = Lock::load(&lock_file)
        .map_err(|e| Failure::failed(format!("{e} (run `factorio-mocks modpack resolve {}` again)", file.display())))?;
    if lock.modpack_sha1 != pack_sha1 {
        return Err(Failure::failed(format!(
            "{} changed since {} was written; run `factorio-mocks modpack resolve {}` again",
            file.display(),
            lock_file.display(),
            file.display()
        )));
    }
    let player_data = p.option("--player-data").map(PathBuf::from);
    let mut credentials = || download::Credentials::find(player_data.as_deref());
    let mut notes = String::new();
    let report = download::download(&lock, &client, &mut credentials, &dir, &mut |line| {
        notes.push_str(&format!("{line}\n"));
    })
    .map_err(|e| Failure::failed(format!("{}: {e}", dir.display())))?;
    notes.push_str(&format!(
        "{}: {} downloaded, {} already there; wrote {}\n",
        dir.display(),
        report.downloaded.len(),
        report.present.len(),
        report.mod_list.display()
    ));
    Ok(Outcome { stdout: String::new(), stderr: notes, code: EXIT_OK })
}
