//! A deterministic mutation fuzzer for the parsers that read files users hand us.
//!
//! cargo-fuzz needs a nightly compiler and a libFuzzer build; this needs neither and gives the
//! same answer to "does any input panic or hang?" on stable, reproducibly: input number `i` of
//! a target is a pure function of `(seed, i)`, so `--replay i` rebuilds it exactly.
//!
//! ```text
//! cargo run --release --no-default-features --features cli --example fuzz -- \
//!     [--target NAME|all] [--inputs N] [--seed S] [--hang-ms MS] [--replay I]
//! ```
//!
//! The `unpack` target feeds mutated tar archives (gzipped after mutation, so the mutations hit
//! the tar structure, not the gzip checksum) to the OCI layer unpacker and checks that nothing
//! lands, and no link points, outside the layer's folder.
//!
//! The `tree` target feeds mutated compact prototype trees (the `trees/` cache format) to the
//! outline check and then to the Lua table builder (`data.raw`'s C-API code); `tree-json` feeds
//! mutated JSON to the tree parser and the builder. Both check that an accepted tree survives
//! its stored form. The `dataset-lua` target writes mutated dataset files (`init.lua`, a type's
//! file, `metadata.lua`) into a dataset folder, runs `fm.setup` over it and reads every
//! prototype, in one Lua 5.2 state: a hang (the instruction budget must stop it), a file read
//! from outside the dataset (a marked `secret.lua` beside it) or a hook or string metatable
//! left changed is a finding.
//!
//! Every input starts from a real or fixture file (`../shared/data` when present) and gets one
//! to four mutations: bit flips, interesting bytes, truncation, range deletion, random
//! insertion, duplication, splices from other seeds, length-field overwrites (u8 and u32),
//! small arithmetic, format tokens, or (rarely) pure random bytes. Each parse runs under
//! `catch_unwind` and is timed; a watchdog thread stops the run if one input takes longer than
//! `--hang-ms`. Where a parser has an inverse, accepted inputs are also checked to round-trip
//! (so a "success" that loses data counts as a finding too). Findings are saved to
//! `target/fuzz-findings/` and the exit code is 1.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use factorio_mocks::locale::cfg::{self, Options};
use factorio_mocks::locale::check;
use factorio_mocks::mod_list::ModList;
use factorio_mocks::mod_settings::{GameVersion, ModSettings};
use factorio_mocks::mods::{Dependency, ModInfo};
use factorio_mocks::property_tree::{self, PropertyTree, PtString, Value};

#[allow(dead_code)] // the fuzzer uses the codec, not every helper of the CLI's copy
#[path = "../src/cli/settings_json.rs"]
mod settings_json;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// SplitMix64: tiny, fast, and good enough to pick mutations; not for anything secret.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// What a parse concluded; `Mismatch` is a finding (an accepted input that does not round-trip).
enum Verdict {
    Accepted,
    Rejected,
    Mismatch(String),
}

struct Target {
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    /// Format tokens worth inserting.
    tokens: Vec<Vec<u8>>,
    run: fn(&[u8], u64) -> Verdict,
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

fn verdict<T, E>(r: Result<T, E>, check: impl FnOnce(T) -> Option<String>) -> Verdict {
    match r {
        Ok(v) => check(v).map_or(Verdict::Accepted, Verdict::Mismatch),
        Err(_) => Verdict::Rejected,
    }
}

fn run_property_tree(data: &[u8], _: u64) -> Verdict {
    verdict(property_tree::read(data), |tree| {
        (property_tree::write(&tree) != data).then(|| "read then write changed the bytes".into())
    })
}

fn run_mod_settings(data: &[u8], index: u64) -> Verdict {
    verdict(ModSettings::from_bytes(data), |s| {
        if s.to_bytes() != data {
            return Some("read then write changed the bytes".into());
        }
        // The JSON round trip is slower; every 4th accepted input is plenty.
        if index % 4 == 0 {
            let json = settings_json::to_json(&s);
            match settings_json::from_json(&json) {
                Ok(back) if back.to_bytes() == data => {}
                Ok(_) => return Some("dump then restore changed the bytes".into()),
                Err(e) => return Some(format!("restore refused its own dump: {e}")),
            }
        }
        None
    })
}

fn run_settings_json(data: &[u8], _: u64) -> Verdict {
    verdict(settings_json::from_json(&text(data)), |s| {
        // Whatever restore accepts must be a file that reads back to the same thing.
        match ModSettings::from_bytes(&s.to_bytes()) {
            Ok(back) if back.to_bytes() == s.to_bytes() => None,
            Ok(_) => Some("restored bytes read back differently".into()),
            Err(e) => Some(format!("restore wrote a file that does not read: {e}")),
        }
    })
}

/// A planted bug for checking the fuzzer itself (`--target canary`, not in `all`): it panics
/// on a valid tree holding a string in the long length form, which takes a valid file, a
/// 255 escape and a u32 below 255 together, so finding it shows the mutations reach deep.
fn run_canary(data: &[u8], _: u64) -> Verdict {
    fn has_long(t: &PropertyTree) -> bool {
        match &t.value {
            Value::String(s) => s.long_len,
            Value::List(e) | Value::Dictionary(e) => e.iter().any(|(k, v)| k.long_len || has_long(v)),
            _ => false,
        }
    }
    verdict(property_tree::read(data), |tree| {
        assert!(!has_long(&tree), "planted canary bug");
        None
    })
}

fn run_dependency(data: &[u8], _: u64) -> Verdict {
    verdict(Dependency::parse(&text(data)), |d| {
        let shown = d.to_string();
        match Dependency::parse(&shown) {
            Ok(back) if back == d => None,
            Ok(back) => Some(format!("{shown:?} parses as {back:?}, not {d:?}")),
            Err(e) => Some(format!("its own display {shown:?} does not parse: {e}")),
        }
    })
}

fn run_info_json(data: &[u8], _: u64) -> Verdict {
    verdict(ModInfo::parse(&text(data)), |_| None)
}

fn run_mod_list(data: &[u8], _: u64) -> Verdict {
    verdict(ModList::from_json(&text(data)), |list| match ModList::from_json(&list.to_json()) {
        Ok(back) if back == list => None,
        Ok(_) => Some("save then load gives another list".into()),
        Err(e) => Some(format!("its own output does not load: {e}")),
    })
}

fn run_locale(data: &[u8], _: u64) -> Verdict {
    verdict(cfg::parse_bytes(data, "fuzz.cfg", Options::default()), |parsed| {
        for (_, entries) in &parsed.file.sections {
            for (_, value) in entries {
                let _ = check::scan(value);
            }
        }
        None
    })
}

/// `path` with `.` and `..` resolved lexically; `None` if it climbs above its start.
fn lexical(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(p) => out.push(p),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Everything under `dir` (links not followed), relative to `dir`.
fn walk(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir.join(rel)).into_iter().flatten().flatten() {
        let r = rel.join(entry.file_name());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        out.push(r.clone());
        if is_dir {
            walk(dir, &r, out);
        }
    }
}

/// Rewrites the checksum of every header a reader would reach, so mutations get past the
/// checksum test to the paths, types and links behind it.
fn fix_tar_checksums(data: &mut [u8]) {
    let mut at = 0;
    while at + 512 <= data.len() {
        let header = &mut data[at..at + 512];
        if header.iter().all(|&b| b == 0) {
            return;
        }
        header[148..156].fill(b' ');
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        let size = std::str::from_utf8(&header[124..136])
            .ok()
            .and_then(|t| u64::from_str_radix(t.trim_matches(|c: char| c == '\0' || c == ' '), 8).ok())
            .unwrap_or(0);
        at += 512 + (size as usize).div_ceil(512) * 512;
    }
}

fn run_unpack(data: &[u8], _: u64) -> Verdict {
    use std::io::Write;
    let mut data = data.to_vec();
    fix_tar_checksums(&mut data);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if gz.write_all(&data).is_err() {
        return Verdict::Rejected;
    }
    let Ok(gz) = gz.finish() else { return Verdict::Rejected };
    let Ok(root) = tempfile::tempdir() else { return Verdict::Rejected };
    let dest = root.path().join("out");
    let result = factorio_mocks::source::unpack_tar_gz(&gz[..], &dest, Some("prototype"));
    // Whatever the verdict, nothing may exist beside `out`, or outside `out/prototype`.
    let mut beside = Vec::new();
    walk(root.path(), Path::new(""), &mut beside);
    if let Some(p) = beside.iter().find(|p| !p.starts_with("out")) {
        return Verdict::Mismatch(format!("wrote {} outside the destination", p.display()));
    }
    let mut inside = Vec::new();
    walk(&dest, Path::new(""), &mut inside);
    for p in &inside {
        if !p.starts_with("prototype") {
            return Verdict::Mismatch(format!("wrote {} outside the layer's folder", p.display()));
        }
        if let Ok(target) = std::fs::read_link(dest.join(p)) {
            let joined = p.parent().unwrap_or(Path::new("")).join(&target);
            if target.is_absolute() || lexical(&joined).is_none_or(|j| !j.starts_with("prototype")) {
                return Verdict::Mismatch(format!("link {} points outside: {}", p.display(), target.display()));
            }
            // And where it leads on disk, through every other link (issue 13: a chain of links,
            // each lexically inside, reached `/`).
            if let (Ok(real), Ok(layer)) = (dest.join(p).canonicalize(), dest.join("prototype").canonicalize()) {
                if !real.starts_with(&layer) {
                    return Verdict::Mismatch(format!(
                        "link {} leads outside on disk: {}",
                        p.display(),
                        real.display()
                    ));
                }
            }
        }
    }
    verdict(result, |files| {
        files
            .iter()
            .find(|f| !f.starts_with("prototype"))
            .map(|f| format!("reported {} outside the layer", f.display()))
    })
}

/// Tar archives of a `prototype/` layer, as ORAS and hand-made tools write them.
fn tar_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    let mut add = |build: &dyn Fn(&mut tar::Builder<Vec<u8>>) -> std::io::Result<()>| {
        let mut b = tar::Builder::new(Vec::new());
        if build(&mut b).is_ok() {
            if let Ok(bytes) = b.into_inner() {
                seeds.push(bytes);
            }
        }
    };
    let file = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, path, data)
    };
    let link = |b: &mut tar::Builder<Vec<u8>>, kind: tar::EntryType, path: &str, target: &str| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, path, target)
    };
    add(&|b| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        h.set_mode(0o755);
        h.set_cksum();
        b.append_data(&mut h, "prototype/", &[][..])?;
        file(b, "prototype/data-raw.json", br#"{"item":{"iron-plate":{"type":"item","name":"iron-plate"}}}"#)?;
        file(b, "prototype/mods.lua", b"return {base = '2.0.77'}")
    });
    add(&|b| {
        file(b, "prototype/a.lua", b"return 1")?;
        link(b, tar::EntryType::Symlink, "prototype/b.lua", "a.lua")?;
        link(b, tar::EntryType::Link, "prototype/c.lua", "prototype/a.lua")
    });
    add(&|b| file(b, &format!("prototype/{}/x.lua", "d".repeat(120)), b"return {}"));
    // Links through links: the shapes of issue 13's chain, for mutations to bend outward.
    add(&|b| {
        file(b, "prototype/x/a.lua", b"return 1")?;
        link(b, tar::EntryType::Symlink, "prototype/up", ".")?;
        link(b, tar::EntryType::Symlink, "prototype/x/back", "../up/x")?;
        link(b, tar::EntryType::Symlink, "prototype/chain", "up/x/back/../up/x/a.lua")?;
        link(b, tar::EntryType::Symlink, "prototype/data-raw.json", "x/back/a.lua")
    });
    seeds
}

fn read_dir_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|it| it.flatten().map(|e| e.path()).filter(|p| p.is_file() && keep(p)).collect())
        .unwrap_or_default();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn shared(rel: &str) -> PathBuf {
    Path::new(ROOT).join("../shared/data").join(rel)
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(ROOT).join("fixtures").join(rel)
}

fn small_trees() -> Vec<PropertyTree> {
    let n = |v: Value| PropertyTree::from(v);
    vec![
        n(Value::None),
        n(Value::Bool(true)),
        n(Value::Number(-1.5)),
        n(Value::String(PtString::new("iron-plate"))),
        n(Value::String(PtString::new(vec![b'x'; 300]))),
        n(Value::String(PtString::absent())),
        n(Value::Int64(-7)),
        n(Value::UInt64(1 << 60)),
        n(Value::List(vec![(PtString::absent(), n(Value::Int64(1))), (PtString::absent(), n(Value::Bool(false)))])),
        PropertyTree::dictionary([
            ("a", PropertyTree::dictionary([("value", n(Value::String(PtString::new("é€𝄞"))))])),
            ("b", PropertyTree { any_type: true, value: Value::Number(0.25) }),
        ]),
    ]
}

thread_local! {
    /// One Lua state with the module loaded, for the targets that run Lua.
    static LUA: (mlua::Lua, mlua::Table) = {
        // SAFETY: all standard libraries, as the `lua` interpreter busted runs in has them (the
        // budget needs `debug`); nothing here loads bytecode.
        let lua = unsafe { mlua::Lua::unsafe_new() };
        let fm = factorio_mocks::factorio_mocks(&lua).expect("the module loads");
        // A small budget: the fuzzer's inputs are tiny, and hangs must end fast.
        lua.load("require('factorio_mocks.dataset').budget = 1000000").exec().expect("budget");
        (lua, fm)
    };
}

fn run_tree(data: &[u8], _: u64) -> Verdict {
    let Ok(tree) = factorio_mocks::dataset::Tree::from_bytes(data.to_vec()) else { return Verdict::Rejected };
    build_and_store(&tree)
}

fn run_tree_json(data: &[u8], _: u64) -> Verdict {
    let Ok(tree) = factorio_mocks::dataset::Tree::from_json(data) else { return Verdict::Rejected };
    build_and_store(&tree)
}

/// Builds every type as Lua tables, and checks the stored form reads back the same.
fn build_and_store(tree: &factorio_mocks::dataset::Tree) -> Verdict {
    let mut stored = Vec::new();
    if tree.write_stored(&mut stored).is_err() {
        return Verdict::Mismatch("the stored form could not be written".into());
    }
    match factorio_mocks::dataset::Tree::from_stored(stored) {
        Ok(back) if back.as_bytes() == tree.as_bytes() => {}
        Ok(_) => return Verdict::Mismatch("the stored form reads back different bytes".into()),
        Err(e) => return Verdict::Mismatch(format!("the stored form does not read back: {e}")),
    }
    LUA.with(|(lua, _)| {
        let built = factorio_mocks::binding::fuzz_build_tree(lua, tree);
        lua.gc_collect().ok();
        match built {
            Ok(Ok(_)) => Verdict::Accepted,
            // Damage found, or a Lua error (memory): a clean refusal either way.
            Ok(Err(_)) | Err(_) => Verdict::Rejected,
        }
    })
}

/// The fixed dataset folder of the `dataset-lua` target, and the secret module beside it.
fn dataset_dir() -> &'static (PathBuf, PathBuf) {
    static DIR: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(ROOT).join("target/fuzz-dataset");
        let _ = std::fs::create_dir_all(root.join("ds/prototype/data-raw"));
        let _ = std::fs::write(root.join("secret.lua"), "return { stolen = { type = 'item', name = 'FUZZ-SECRET' } }");
        (root.join("ds"), root.join("secret"))
    })
}

const LUA_PREFIX: &str = "___GENERATED__FACTORIO__DATA___.";

fn run_dataset_lua(data: &[u8], index: u64) -> Verdict {
    let (dir, _) = dataset_dir();
    let init = dir.join("prototype/data-raw/init.lua");
    let item = dir.join("prototype/data-raw/item.lua");
    let metadata = dir.join("metadata.lua");
    let fixed_init = format!(
        "return {{ item = require(\"{LUA_PREFIX}prototype.data-raw.item\"), tile = {{ a = {{ type = 'tile', name = 'a' }} }} }}"
    );
    let fixed_item = "return { plate = { type = 'item', name = 'plate', stack_size = 100 } }";
    let (init_text, item_text): (&[u8], &[u8]) = match index % 3 {
        0 => (data, fixed_item.as_bytes()),
        1 => (fixed_init.as_bytes(), data),
        _ => (fixed_init.as_bytes(), fixed_item.as_bytes()),
    };
    let written = std::fs::write(&init, init_text).and_then(|()| std::fs::write(&item, item_text)).and_then(|()| {
        if index % 3 == 2 { std::fs::write(&metadata, data) } else { std::fs::remove_file(&metadata).or(Ok(())) }
    });
    if written.is_err() {
        return Verdict::Rejected;
    }
    LUA.with(|(lua, fm)| {
        let code = r#"
            local fm, dir = ...
            local ok = pcall(fm.setup, { stage = "data", dataset = dir })
            local found = false
            if ok then
              ok = pcall(function()
                local seen = {}
                local function scan(v, depth)
                  if type(v) == "string" then
                    if v == "FUZZ-SECRET" then found = true end
                  elseif type(v) == "table" and not seen[v] and depth < 40 then
                    seen[v] = true
                    for k, x in pairs(v) do scan(k, depth + 1); scan(x, depth + 1) end
                  end
                end
                for name, prototypes in pairs(data.raw) do scan(name, 0); scan(prototypes, 0) end
              end)
            end
            pcall(fm.teardown)
            return ok, found, getmetatable("").__index == string, debug.gethook() == nil
        "#;
        let result = lua.load(code).call::<(bool, bool, bool, bool)>((fm.clone(), dir.to_string_lossy().into_owned()));
        lua.gc_collect().ok();
        match result {
            Ok((_, true, _, _)) => Verdict::Mismatch("a dataset file read secret.lua from outside the dataset".into()),
            Ok((_, _, false, _)) => Verdict::Mismatch("the string metatable's __index was left changed".into()),
            Ok((_, _, _, false)) => Verdict::Mismatch("a debug hook was left behind".into()),
            Ok((true, ..)) => Verdict::Accepted,
            Ok((false, ..)) => Verdict::Rejected,
            Err(e) => Verdict::Mismatch(format!("the harness itself failed: {e}")),
        }
    })
}

/// The inputs a target runs of `--inputs`: `dataset-lua` runs `fm.setup` for each (about 4 ms),
/// so it takes a twentieth.
fn share_of(name: &str, inputs: u64) -> u64 {
    if name == "dataset-lua" { inputs.div_ceil(20) } else { inputs }
}

fn dataset_lua_seeds() -> Vec<Vec<u8>> {
    let secret = dataset_dir().1.display().to_string();
    // The sandbox escape of issue 13 itself: it must stay a refusal.
    let mut seeds: Vec<Vec<u8>> = vec![format!("return {{ item = require('{LUA_PREFIX}{secret}') }}").into_bytes()];
    for rel in ["init.lua", "item.lua", "recipe.lua"] {
        seeds.extend(std::fs::read(fixture("datasets/mini-lua/prototype/data-raw").join(rel)));
    }
    seeds.extend(std::fs::read(fixture("datasets/mini-lua/metadata.lua")));
    seeds.extend(std::fs::read(fixture("datasets/mini-lua/prototype/mods.lua")));
    for s in [
        "return { a = { type = 'item', name = 'a', amount = 1/0, nan = 0/0, big = math.huge, x = inf } }",
        "local n = 0 while true do n = n + 1 end",
        "local function f() return f() end return f()",
        "return { item = require('___GENERATED__FACTORIO__DATA___.prototype.data-raw.item') }",
    ] {
        seeds.push(s.as_bytes().to_vec());
    }
    seeds
}

fn dataset_lua_tokens() -> Vec<Vec<u8>> {
    let secret = dataset_dir().1.display().to_string();
    let mut tokens: Vec<Vec<u8>> = [
        "while true do end",
        "for i = 1, 1e9 do end",
        "repeat until false",
        "goto x",
        "::x::",
        "return",
        "local",
        "function() end",
        "(",
        ")",
        "{",
        "}",
        "[[",
        "]]",
        "--[==[",
        "\\",
        "\\z",
        "\\u{7FFFFFFF}",
        "..",
        "...",
        "=",
        ",",
        ";",
        "1/0",
        "0/0",
        "inf",
        "nan",
        "math.huge",
        "math",
        "require",
        "_ENV",
        "_G",
        "string",
        "debug",
        "load",
        "getmetatable",
        "setmetatable",
        "('x'):rep(1e9)",
        "(''):rep(2^31)",
        "\x1bLua",
        "#",
        "and",
        "or",
        "not",
        "prototype.data-raw.item",
        "prototype.data-raw.init",
        "../..",
        "/etc/passwd",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    tokens.push(format!("require('{LUA_PREFIX}{secret}')").into_bytes());
    tokens.push(format!("'{LUA_PREFIX}{secret}'").into_bytes());
    tokens
}

fn tree_json_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    seeds.extend(std::fs::read(fixture("datasets/mini-json/prototype/data-raw.json")));
    for s in [
        r#"{"item": {"a": {"type": "item", "name": "a", "stack_size": 100, "flags": ["x", "y"], "f": 0.5, "big": 4294967296, "neg": -7}}}"#,
        r#"{"recipe": {"r": {"ingredients": [{"type": "item", "name": "a", "amount": 2}], "energy": inf, "n": nan, "u": "\u00e9\ud83d\ude00"}}, "tile": {}}"#,
        "[1, [2, [3, [4, {}]]], null, true, false]",
    ] {
        seeds.push(s.as_bytes().to_vec());
    }
    seeds
}

fn prototype_tree_seeds() -> Vec<Vec<u8>> {
    tree_json_seeds()
        .iter()
        .filter_map(|j| factorio_mocks::dataset::Tree::from_json(j).ok())
        .map(|t| t.as_bytes().to_vec())
        .collect()
}

fn targets() -> Vec<Target> {
    let game_settings = read_dir_files(&shared("mod-settings"), |p| p.extension().is_some_and(|e| e == "dat"));
    let mut settings_seeds = game_settings.clone();
    settings_seeds.extend(std::fs::read(fixture("mod-settings/2.0-every-kind.dat")));
    for v in [GameVersion(0, 16, 51, 0), GameVersion(1, 1, 110, 0), GameVersion(2, 0, 73, 0)] {
        settings_seeds.push(ModSettings::new(v).to_bytes());
    }
    let mut tree_seeds: Vec<Vec<u8>> = small_trees().iter().map(property_tree::write).collect();
    // The trees inside the real files: their header (8 or 9 bytes) removed.
    for file in &settings_seeds {
        if let Ok(s) = ModSettings::from_bytes(file) {
            tree_seeds.push(property_tree::write(&s.tree));
        }
    }
    let binary_tokens: Vec<Vec<u8>> = vec![
        vec![5, 0, 0xff, 0xff, 0xff, 0xff],
        vec![4, 0, 0xff, 0xff, 0xff, 0x7f],
        vec![3, 0, 0, 255, 0xff, 0xff, 0xff, 0xff],
        vec![3, 0, 0, 255, 1, 0, 0, 0],
        vec![3, 0, 1],
        vec![6, 0],
        vec![7, 1],
        vec![2, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f],
        vec![5, 0, 1, 0, 0, 0, 0, 5, b'v', b'a', b'l', b'u', b'e'],
    ];

    let mut info_seeds: Vec<Vec<u8>> = Vec::new();
    for rel in [
        "example-mod",
        "control-mod",
        "locale/my-mod",
        "mods/fm-broken_1.0.0",
        "mods/fm-app",
        "mods/fm-optional_0.3.0",
        "mods/fm-library_1.0.0",
        "run-stage/src/gear-lib",
    ] {
        info_seeds.extend(std::fs::read(fixture(rel).join("info.json")));
    }
    info_seeds.push(
        br#"{"name":"m","version":"1.2.3","title":"T","author":["a","b"],"factorio_version":"2.0",
            "dependencies":["base >= 2.0","? flib >= 0.12.0","(?) hidden","! bad","~ lazy = 1.0.0","+ plus"],
            "description":"d","contact":"c","homepage":"h"}"#
            .to_vec(),
    );
    let json_tokens: Vec<Vec<u8>> = [
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "null",
        "true",
        "0",
        "-1e999",
        "\\u0000",
        "\\ud800",
        "\"name\":",
        "\"version\":\"65535.65535.65536\"",
        "\"dependencies\":[",
        "\u{feff}",
        "é",
        "𝄞",
        "[[[[[[[[[[[[[[[[",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();

    let dep_seeds: Vec<Vec<u8>> = [
        "base",
        "base >= 1.1",
        "! bad-mod",
        "? flib >= 0.12.0",
        "(?) secret < 2.0.0",
        "~ lazy = 1.0.0",
        "+ plus <= 3.4.5",
        "  spaced   >   0.0.1  ",
        "tight>=1.2.3",
        "Some_Mod-2 > 65535.65535.65535",
        "? space-age",
        "(?)(?)x",
        "a.b.c",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let dep_tokens: Vec<Vec<u8>> = [
        "!", "?", "(?)", "(", ")", "~", "+", "<", "<=", "=", ">=", ">", "==", ".", "65536", "0", " ", "\t", "\u{a0}",
        "\u{2028}", "\u{3000}", "é", "\u{0}", "1.2.3",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();

    let mut list_seeds = read_dir_files(&shared("mod-list"), |_| true);
    list_seeds.extend(std::fs::read(fixture("mod-list/mod-list.json")));

    let mut cfg_seeds: Vec<Vec<u8>> = Vec::new();
    for rel in [
        "locale/check-mod/locale/en/m.cfg",
        "locale/check-mod/locale/de/m.cfg",
        "locale/my-mod/locale/ru/my-mod.cfg",
        "locale/my-mod/locale/en/my-mod.cfg",
        "locale/broken/locale/en/broken.cfg",
    ] {
        cfg_seeds.extend(std::fs::read(fixture(rel)));
    }
    // Slices of real files: whole ones are 200 KB, too slow for a million runs.
    for lang in ["en", "nl", "ru", "ja", "ar"] {
        if let Ok(bytes) = std::fs::read(shared("locale/core-2.0.55").join(format!("{lang}.cfg"))) {
            for start in [0usize, 40_000, 80_000] {
                let end = (start + 3000).min(bytes.len());
                if let Some(slice) = bytes.get(start.min(end)..end) {
                    cfg_seeds.push(slice.to_vec());
                }
            }
        }
    }
    let cfg_tokens: Vec<Vec<u8>> = [
        "__1__",
        "__20__",
        "__21__",
        "__plural_for_parameter__1__{",
        "__plural_for_parameter_1_{",
        "|",
        "rest=",
        "ends in 1=",
        "}__",
        "__ALT_CONTROL__1__mine__",
        "__CONTROL__",
        "__ITEM__iron-plate__",
        "[",
        "]",
        "=",
        "\n",
        "\r\n",
        ";",
        "#",
        "\u{feff}",
        "é",
        "𝄞",
        "\\n",
        "__",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();

    // Dumps small enough to parse a million times; the big game files are covered by mod-settings.
    let json_seeds: Vec<Vec<u8>> = settings_seeds
        .iter()
        .filter(|b| b.len() < 6000)
        .filter_map(|b| ModSettings::from_bytes(b).ok())
        .map(|s| settings_json::to_json(&s).into_bytes())
        .collect();
    let settings_json_tokens: Vec<Vec<u8>> = [
        "{\"type\": \"int64\", \"value\": 18446744073709551616}",
        "{\"hex\": \"f\"}",
        "{\"text\": \"\", \"long_length\": true}",
        "\"bits\": \"0xzz\"",
        "\"any_type\": 1",
        "[null, {\"type\": \"none\"}]",
        "\"uint64\"",
        "\"list\"",
        "null",
        "[",
        "]",
        "{",
        "}",
        ",",
        "\"65535.65535.65535.65536\"",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();

    let (canary_seeds, canary_tokens) = (tree_seeds.clone(), binary_tokens.clone());
    // Path pieces and the type flags of links, folders, devices and extended headers.
    let tar_tokens: Vec<Vec<u8>> = [
        "../",
        "/",
        "prototype/",
        "./",
        "..",
        "\0",
        "ustar\0",
        "00",
        "1",
        "2",
        "3",
        "5",
        "6",
        "L",
        "x",
        "g",
        "/etc/passwd",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    // The tree's tags with lengths and counts at their edges.
    let tree_tokens: Vec<Vec<u8>> = vec![
        vec![6, 0xff, 0xff, 0xff, 0x7f],
        vec![6, 0, 0, 0, 0],
        vec![7, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0],
        vec![8, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
        vec![8, 0, 0, 0, 0, 9, 0, 0, 0],
        vec![7, 1, 0, 0, 0, 0, 0, 0, 0],
        vec![3, 0xff, 0xff, 0xff, 0x7f],
        vec![4, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f],
        vec![5, 0, 0, 0, 0, 0, 0, 0, 0x80],
        vec![0],
        vec![1],
        vec![2],
        vec![9],
        vec![0xff],
        b"FMTREE\x01\x00".to_vec(),
    ];
    let tree_json_tokens: Vec<Vec<u8>> = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "null",
        "true",
        "false",
        "inf",
        "-inf",
        "nan",
        "Infinity",
        "NaN",
        "1e999",
        "-0",
        "4294967296",
        "9223372036854775808",
        "\\u0000",
        "\\ud800",
        "\\udc00",
        "\u{feff}",
        "é",
        "[[[[[[[[[[[[[[[[",
        "\"type\":",
        "\"name\":",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    vec![
        Target { name: "property-tree", seeds: tree_seeds, tokens: binary_tokens.clone(), run: run_property_tree },
        Target { name: "mod-settings", seeds: settings_seeds, tokens: binary_tokens, run: run_mod_settings },
        Target { name: "dependency", seeds: dep_seeds, tokens: dep_tokens, run: run_dependency },
        Target { name: "info-json", seeds: info_seeds, tokens: json_tokens.clone(), run: run_info_json },
        Target { name: "mod-list", seeds: list_seeds, tokens: json_tokens, run: run_mod_list },
        Target { name: "locale-cfg", seeds: cfg_seeds, tokens: cfg_tokens, run: run_locale },
        Target { name: "settings-json", seeds: json_seeds, tokens: settings_json_tokens, run: run_settings_json },
        Target { name: "unpack", seeds: tar_seeds(), tokens: tar_tokens, run: run_unpack },
        Target { name: "tree", seeds: prototype_tree_seeds(), tokens: tree_tokens, run: run_tree },
        Target { name: "tree-json", seeds: tree_json_seeds(), tokens: tree_json_tokens, run: run_tree_json },
        Target { name: "dataset-lua", seeds: dataset_lua_seeds(), tokens: dataset_lua_tokens(), run: run_dataset_lua },
        Target { name: "canary", seeds: canary_seeds, tokens: canary_tokens, run: run_canary },
    ]
}

const INTERESTING_U8: [u8; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7f, 0x80, 0xfe, 0xff, b'='];
const INTERESTING_U32: [u32; 10] = [0, 1, 2, 0xfe, 0xff, 0x100, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];

/// One mutation of `data`, chosen by `rng`.
fn mutate(data: &mut Vec<u8>, rng: &mut Rng, seeds: &[Vec<u8>], tokens: &[Vec<u8>]) {
    let len = data.len();
    match rng.below(12) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = INTERESTING_U8[rng.below(INTERESTING_U8.len())];
        }
        2 => data.truncate(rng.below(len + 1)),
        3 if len > 0 => {
            let at = rng.below(len);
            let n = 1 + rng.below(16.min(len - at));
            data.drain(at..at + n);
        }
        4 => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            data.splice(at..at, bytes);
        }
        5 if len > 0 => {
            let a = rng.below(len);
            let b = a + 1 + rng.below((len - a).min(64));
            let piece = data[a..b].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, piece);
        }
        6 => {
            let other = &seeds[rng.below(seeds.len())];
            if !other.is_empty() {
                let a = rng.below(other.len());
                let b = a + 1 + rng.below((other.len() - a).min(256));
                let at = rng.below(len + 1);
                if rng.chance(2) {
                    data.truncate(at);
                }
                data.splice(at..at, other[a..b].iter().copied());
            }
        }
        7 if len >= 4 => {
            let at = rng.below(len - 3);
            let v = INTERESTING_U32[rng.below(INTERESTING_U32.len())];
            let v = if rng.chance(3) { v.wrapping_add(rng.below(5) as u32).wrapping_sub(2) } else { v };
            data[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        8 if len > 0 => {
            let i = rng.below(len);
            let delta = 1 + rng.below(8) as u8;
            data[i] = if rng.chance(2) { data[i].wrapping_add(delta) } else { data[i].wrapping_sub(delta) };
        }
        9 | 10 if !tokens.is_empty() => {
            let token = &tokens[rng.below(tokens.len())];
            let at = rng.below(len + 1);
            if rng.chance(3) && at + token.len() <= len {
                data[at..at + token.len()].copy_from_slice(token);
            } else {
                data.splice(at..at, token.iter().copied());
            }
        }
        11 if rng.chance(8) => {
            let n = rng.below(64);
            *data = (0..n).map(|_| rng.next() as u8).collect();
        }
        _ => {
            // The chosen mutation did not fit (empty input): flip a bit of a fresh seed instead.
            if let Some(i) = data.len().checked_sub(1).map(|l| rng.below(l + 1)) {
                data[i] ^= 0x40;
            } else {
                data.push(rng.next() as u8);
            }
        }
    }
}

/// Input `index` of a target: a pure function of the seed and the index.
fn input(target: &Target, seed: u64, index: u64) -> Vec<u8> {
    let mut rng = Rng(seed ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03));
    let _ = rng.next();
    let mut data = target.seeds[rng.below(target.seeds.len())].clone();
    // Mostly one or two mutations; stacking more finds deeper breakage now and then.
    let rounds = [1, 1, 1, 2, 2, 3, 4, 8][rng.below(8)];
    for _ in 0..rounds {
        mutate(&mut data, &mut rng, &target.seeds, &target.tokens);
    }
    data
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

fn save(target: &str, index: u64, data: &[u8]) -> PathBuf {
    let dir = Path::new(ROOT).join("target/fuzz-findings");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-{index}.bin"));
    let _ = std::fs::write(&path, data);
    path
}

struct Args {
    only: Option<String>,
    inputs: u64,
    seed: u64,
    hang: Duration,
    replay: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args { only: None, inputs: 1_000_000, seed: 0x5eed_f00d, hang: Duration::from_secs(5), replay: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |s: String| s.parse::<u64>().map_err(|_| format!("{flag}: {s:?} is not a whole number"));
        match flag.as_str() {
            "--target" => a.only = Some(value()?).filter(|t| t != "all"),
            "--inputs" => a.inputs = number(value()?)?,
            "--seed" => a.seed = number(value()?)?,
            "--hang-ms" => a.hang = Duration::from_millis(number(value()?)?),
            "--replay" => a.replay = Some(number(value()?)?),
            "-h" | "--help" => {
                return Err(
                    "usage: fuzz [--target NAME|all] [--inputs N] [--seed S] [--hang-ms MS] [--replay I]".into()
                );
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    Ok(a)
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let all = targets();
    let names: Vec<&str> = all.iter().map(|t| t.name).collect();
    let chosen: Vec<&Target> = all
        .iter()
        .filter(|t| match args.only.as_deref() {
            Some(only) => only == t.name,
            None => t.name != "canary",
        })
        .collect();
    if chosen.is_empty() {
        eprintln!("unknown target {:?}; targets: {}", args.only.unwrap_or_default(), names.join(", "));
        return std::process::ExitCode::from(2);
    }
    if !shared("mod-settings").exists() {
        println!("note: ../shared/data not present; seeding from fixtures only");
    }

    if let Some(index) = args.replay {
        let mut code = 0;
        for t in &chosen {
            let data = input(t, args.seed, index);
            let path = save(t.name, index, &data);
            let start = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| (t.run)(&data, index)));
            let what = match result {
                Ok(Verdict::Accepted) => "accepted".into(),
                Ok(Verdict::Rejected) => "rejected".into(),
                Ok(Verdict::Mismatch(m)) => {
                    code = 1;
                    format!("MISMATCH: {m}")
                }
                Err(p) => {
                    code = 1;
                    format!("PANIC: {}", panic_text(&*p))
                }
            };
            println!(
                "{} #{index}: {} bytes → {what} in {:?}; input saved to {}",
                t.name,
                data.len(),
                start.elapsed(),
                path.display()
            );
        }
        return std::process::ExitCode::from(code);
    }

    // Panics are counted and reported below; the default hook would flood the terminal.
    std::panic::set_hook(Box::new(|_| {}));

    // The watchdog: the loop stamps the start of every input; a stamp older than the limit
    // means a hang, and since inputs are reproducible, naming the index is enough.
    let epoch = Instant::now();
    let started_ms = Arc::new(AtomicU64::new(u64::MAX));
    let current = Arc::new(AtomicU64::new(0));
    let target_no = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    {
        let (started_ms, current, target_no, done) =
            (started_ms.clone(), current.clone(), target_no.clone(), done.clone());
        let names: Vec<String> = chosen.iter().map(|t| t.name.to_owned()).collect();
        let (hang, seed) = (args.hang, args.seed);
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let s = started_ms.load(Ordering::Relaxed);
                let now = epoch.elapsed().as_millis() as u64;
                if s != u64::MAX && now.saturating_sub(s) > hang.as_millis() as u64 {
                    let name = &names[target_no.load(Ordering::Relaxed) as usize];
                    let i = current.load(Ordering::Relaxed);
                    eprintln!(
                        "HANG: {name} input #{i} has run for over {hang:?}; replay: --target {name} --seed {seed} --replay {i}"
                    );
                    std::process::exit(1);
                }
            }
        });
    }

    let mut findings = 0u64;
    let total = Instant::now();
    for (ti, t) in chosen.iter().enumerate() {
        target_no.store(ti as u64, Ordering::Relaxed);
        let (mut accepted, mut rejected, mut panics, mut mismatches) = (0u64, 0u64, 0u64, 0u64);
        let (mut slowest, mut slowest_at, mut over_10ms) = (Duration::ZERO, 0u64, 0u64);
        let mut bytes = 0u64;
        let start = Instant::now();
        for index in 0..share_of(t.name, args.inputs) {
            let data = input(t, args.seed, index);
            bytes += data.len() as u64;
            current.store(index, Ordering::Relaxed);
            started_ms.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
            let t0 = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| (t.run)(&data, index)));
            let took = t0.elapsed();
            started_ms.store(u64::MAX, Ordering::Relaxed);
            if took > slowest {
                (slowest, slowest_at) = (took, index);
            }
            over_10ms += u64::from(took > Duration::from_millis(10));
            match result {
                Ok(Verdict::Accepted) => accepted += 1,
                Ok(Verdict::Rejected) => rejected += 1,
                Ok(Verdict::Mismatch(m)) => {
                    mismatches += 1;
                    if mismatches <= 3 {
                        let path = save(t.name, index, &data);
                        println!("  {} #{index}: MISMATCH {m} (saved {})", t.name, path.display());
                    }
                }
                Err(p) => {
                    panics += 1;
                    if panics <= 3 {
                        let path = save(t.name, index, &data);
                        println!("  {} #{index}: PANIC {} (saved {})", t.name, panic_text(&*p), path.display());
                    }
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        findings += panics + mismatches;
        println!(
            "{:13} {} inputs ({} seeds, {:.1} MB) in {:.1} s ({:.0}/s): {} accepted, {} rejected; \
             {} panics, {} round-trip mismatches, 0 hangs; slowest {:.2} ms (#{}), {} over 10 ms",
            t.name,
            share_of(t.name, args.inputs),
            t.seeds.len(),
            bytes as f64 / 1e6,
            secs,
            share_of(t.name, args.inputs) as f64 / secs.max(1e-9),
            accepted,
            rejected,
            panics,
            mismatches,
            slowest.as_secs_f64() * 1e3,
            slowest_at,
            over_10ms,
        );
    }
    done.store(true, Ordering::Relaxed);
    println!("total {:.1} s, seed {:#x}, {} findings", total.elapsed().as_secs_f64(), args.seed, findings);
    std::process::ExitCode::from(u8::from(findings > 0))
}
