//! Modpacks: a `modpack.json` names a Factorio version and mods; [`resolve`] asks the Mod
//! Portal for their releases and pins, through the dependencies, the newest release of each
//! mod that fits; [`download`] fetches the pinned zips into a mods folder.
//!
//! * [`portal`] — the Mod Portal API (<https://wiki.factorio.com/Mod_portal_API>): releases
//!   of a mod from `/api/mods/{name}/full`, the paged `/api/mods?namelist=…` listing, and
//!   downloads (`{download_url}?username=…&token=…`, wiki "Mod portal API", "Downloading
//!   mods").
//! * [`resolve`] — the resolver: pure, over any [`portal::Portal`] (the tests use one in
//!   memory).
//! * [`download`] — credentials, verified downloads, `mod-list.json`.
//!
//! The files:
//!
//! ```json
//! // modpack.json
//! { "factorio_version": "2.0",
//!   "mods": ["space-age", "flib >= 0.15.0", {"name": "Krastorio2", "version": ">= 1.4.0"}] }
//! ```
//!
//! `resolve` writes `modpack.lock.json` beside it (see [`Lock`]): every mod of the pack with
//! its pinned version, file name, download path and SHA1, the game's own mods marked
//! `"builtin": true`, and the SHA1 of the `modpack.json` it was resolved from, so `download`
//! can tell when the lock is stale.

pub mod download;
pub mod portal;
pub mod resolve;

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::mods::{Dependency, Kind, Op, Version};

/// The game version a modpack targets: `2.0` (any 2.0.x) or `2.0.77` (exactly that one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GameVersion {
    /// Major part.
    pub major: u16,
    /// Minor part.
    pub minor: u16,
    /// The patch, when the modpack names one.
    pub patch: Option<u16>,
}

impl GameVersion {
    /// Parses `a.b` or `a.b.c`.
    pub fn parse(s: &str) -> Result<GameVersion, String> {
        let v = Version::parse_with(s.trim(), true)?;
        let patch = (s.trim().split('.').count() == 3).then_some(v.patch);
        Ok(GameVersion { major: v.major, minor: v.minor, patch })
    }

    /// `major.minor`, as a release's `info_json.factorio_version` says it.
    pub fn series(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }

    /// Whether a release built for `factorio_version` (`"2.0"`) loads in this game.
    pub fn accepts(&self, factorio_version: &str) -> bool {
        Version::parse_with(factorio_version.trim(), true).is_ok_and(|v| v.major == self.major && v.minor == self.minor)
    }

    /// Whether the game's own mods (versioned as the game) satisfy `op wanted`: exactly, when
    /// the patch is known, else for some patch of the series.
    pub fn allows(&self, op: Op, wanted: Version) -> bool {
        match self.patch {
            Some(p) => op.allows(Version::new(self.major, self.minor, p), wanted),
            None => {
                let (lo, hi) =
                    (Version::new(self.major, self.minor, 0), Version::new(self.major, self.minor, u16::MAX));
                op.allows(lo, wanted)
                    || op.allows(hi, wanted)
                    || (op == Op::Eq && (wanted.major, wanted.minor) == (self.major, self.minor))
            }
        }
    }

    /// The game's own mods in this version, with the game mods each one requires (from the
    /// info.json files of 2.0.77 and 2.1.9; `+ quality` of 2.1's space-age is not required).
    pub fn builtins(&self) -> Vec<(&'static str, &'static [&'static str])> {
        let mut out: Vec<(&'static str, &'static [&'static str])> = vec![("core", &[]), ("base", &[])];
        if self.major >= 2 {
            let v21 = (self.major, self.minor) >= (2, 1);
            out.push(("elevated-rails", &[]));
            out.push(("quality", if v21 { &["recycler"] } else { &[] }));
            out.push(("space-age", if v21 { &["elevated-rails", "recycler"] } else { &["elevated-rails", "quality"] }));
            if v21 {
                out.push(("recycler", &[]));
            }
        }
        out
    }

    /// Whether `name` is one of the game's own mods (in any version): they come with the
    /// game, never from the portal.
    pub fn is_builtin_name(name: &str) -> bool {
        crate::mods::is_builtin(name)
    }
}

impl fmt::Display for GameVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "{}.{}.{p}", self.major, self.minor),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

/// One mod a modpack asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// The mod's internal name.
    pub name: String,
    /// A version constraint, if any.
    pub version: Option<(Op, Version)>,
}

impl Wanted {
    /// As a required dependency of the modpack.
    pub fn as_dependency(&self) -> Dependency {
        Dependency { kind: Kind::Required, name: self.name.clone(), version: self.version }
    }
}

/// A parsed `modpack.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modpack {
    /// The game version.
    pub factorio_version: GameVersion,
    /// The mods asked for, in file order.
    pub mods: Vec<Wanted>,
}

impl Modpack {
    /// Parses the text of a modpack.json; errors say which entry is wrong and how to fix it
    /// (the caller prefixes the file name).
    pub fn parse(text: &str) -> Result<Modpack, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let v: Value = serde_json::from_str(text).map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))?;
        let fv = v
            .get("factorio_version")
            .and_then(Value::as_str)
            .ok_or("missing \"factorio_version\": name the game version, \"2.0\" or \"2.0.77\"")?;
        let factorio_version =
            GameVersion::parse(fv).map_err(|e| format!("\"factorio_version\": {e} (write \"2.0\" or \"2.0.77\")"))?;
        let list = v.get("mods").and_then(Value::as_array).ok_or(
            "missing \"mods\": list the mods, e.g. \"mods\": [\"space-age\", \"flib >= 0.15.0\", {\"name\": \"Krastorio2\", \"version\": \">= 1.4.0\"}]",
        )?;
        let mut mods: Vec<Wanted> = Vec::with_capacity(list.len());
        for (i, entry) in list.iter().enumerate() {
            let at = format!("mods[{}]", i + 1);
            let wanted = match entry {
                Value::String(s) => {
                    let d = Dependency::parse(s).map_err(|e| format!("{at}: {e}"))?;
                    if d.kind != Kind::Required {
                        return Err(format!(
                            "{at}: \"{s}\": a modpack lists the mods it wants, without a prefix (write \"{}\")",
                            d.name
                        ));
                    }
                    Wanted { name: d.name, version: d.version }
                }
                Value::Object(o) => {
                    let name = o
                        .get("name")
                        .and_then(Value::as_str)
                        .filter(|n| !n.trim().is_empty())
                        .ok_or_else(|| format!("{at}: \"name\" must be a mod's internal name"))?
                        .trim()
                        .to_owned();
                    let version = match o.get("version") {
                        None | Some(Value::Null) => None,
                        Some(Value::String(c)) => {
                            Some(parse_constraint(c).map_err(|e| format!("{at} ({name}): \"version\": {e}"))?)
                        }
                        Some(_) => {
                            return Err(format!(
                                "{at} ({name}): \"version\" must be a string such as \">= 1.2.0\" or \"1.2.3\""
                            ));
                        }
                    };
                    Wanted { name, version }
                }
                _ => {
                    return Err(format!(
                        "{at}: expected \"name\", \"name >= 1.2.0\" or {{\"name\": …, \"version\": …}}"
                    ));
                }
            };
            if let Some(prev) = mods.iter().find(|m| m.name == wanted.name) {
                if prev != &wanted {
                    return Err(format!("{at}: {} is listed twice; keep one entry", wanted.name));
                }
                continue;
            }
            mods.push(wanted);
        }
        Ok(Modpack { factorio_version, mods })
    }

    /// Reads a file; errors name it.
    pub fn load(path: &Path) -> Result<(Modpack, String), String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))?;
        let pack = Modpack::parse(&text).map_err(|e| format!("{}:{e}", path.display()))?;
        Ok((pack, sha1_hex(text.as_bytes())))
    }
}

/// `">= 1.2.0"`, `"= 1.2.3"`, or a bare `"1.2.3"` (that version exactly).
fn parse_constraint(text: &str) -> Result<(Op, Version), String> {
    let t = text.trim();
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok((Op::Eq, Version::parse_with(t, true)?));
    }
    let d = Dependency::parse(&format!("x {t}"))?;
    d.version.ok_or_else(|| format!("\"{text}\": expected an operator and a version, such as \">= 1.2.0\""))
}

/// The SHA1 of `bytes` as lowercase hex (the portal's release checksum format).
pub fn sha1_hex(bytes: &[u8]) -> String {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(bytes);
    crate::dataset::hex(&h.finalize())
}

/// The lock file `resolve` writes beside `modpack.json`.
pub fn lock_path(modpack: &Path) -> PathBuf {
    let stem = modpack.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "modpack".into());
    modpack.with_file_name(format!("{stem}.lock.json"))
}

/// One pinned mod of a [`Lock`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinned {
    /// The mod's internal name.
    pub name: String,
    /// The pinned version (for the game's own mods: the game version, when exact).
    pub version: Option<Version>,
    /// The release, for mods from the portal; `None` for the game's own mods.
    pub release: Option<portal::Release>,
    /// Who asked for it: `modpack.json` and/or the mods whose dependencies pulled it in.
    pub required_by: Vec<String>,
}

impl Pinned {
    /// Whether the mod comes with the game.
    pub fn is_builtin(&self) -> bool {
        self.release.is_none()
    }
}

/// What `resolve` writes: the pinned list, in mod-list order (base, the expansions, the rest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    /// The modpack's game version.
    pub factorio_version: GameVersion,
    /// The SHA1 of the modpack.json text it was resolved from.
    pub modpack_sha1: String,
    /// Every mod the pack loads.
    pub mods: Vec<Pinned>,
}

/// The format version of `modpack.lock.json`.
pub const LOCK_VERSION: u64 = 1;

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

impl Lock {
    /// The lock as JSON: one object per mod, fields in a fixed order.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        out.push_str(&format!("  \"lock_version\": {LOCK_VERSION},\n"));
        out.push_str(&format!("  \"factorio_version\": {},\n", js(&self.factorio_version.to_string())));
        out.push_str(&format!("  \"modpack_sha1\": {},\n", js(&self.modpack_sha1)));
        out.push_str("  \"mods\": [");
        for (i, m) in self.mods.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            let mut fields = vec![format!("\"name\": {}", js(&m.name))];
            if let Some(v) = m.version {
                fields.push(format!("\"version\": {}", js(&v.to_string())));
            }
            match &m.release {
                None => fields.push("\"builtin\": true".into()),
                Some(r) => {
                    fields.push(format!("\"file_name\": {}", js(&r.file_name)));
                    fields.push(format!("\"download_url\": {}", js(&r.download_url)));
                    fields.push(format!("\"sha1\": {}", js(&r.sha1)));
                    fields.push(format!("\"factorio_version\": {}", js(&r.factorio_version)));
                    let deps: Vec<String> = r.dependencies.iter().map(|d| js(&d.to_string())).collect();
                    fields.push(format!("\"dependencies\": [{}]", deps.join(", ")));
                }
            }
            let by: Vec<String> = m.required_by.iter().map(|s| js(s)).collect();
            fields.push(format!("\"required_by\": [{}]", by.join(", ")));
            out.push_str("    {");
            out.push_str(&fields.join(", "));
            out.push('}');
        }
        out.push_str(if self.mods.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" });
        out
    }

    /// Parses a lock; errors name the entry.
    pub fn from_json(text: &str) -> Result<Lock, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))?;
        let lv = v.get("lock_version").and_then(Value::as_u64).unwrap_or(0);
        if lv != LOCK_VERSION {
            return Err(format!("lock_version {lv} is not {LOCK_VERSION}; resolve the modpack again"));
        }
        let str_at = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
        let fv = str_at(&v, "factorio_version").ok_or("missing \"factorio_version\"")?;
        let factorio_version = GameVersion::parse(&fv)?;
        let modpack_sha1 = str_at(&v, "modpack_sha1").unwrap_or_default();
        let list = v.get("mods").and_then(Value::as_array).ok_or("missing \"mods\"")?;
        let mut mods = Vec::new();
        for (i, m) in list.iter().enumerate() {
            let bad = |what: &str| format!("mods[{}]: {what}", i + 1);
            let name = str_at(m, "name").ok_or_else(|| bad("missing \"name\""))?;
            let version = str_at(m, "version").map(|s| Version::parse(&s)).transpose().map_err(|e| bad(&e))?;
            let required_by = m
                .get("required_by")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            let release = if m.get("builtin").and_then(Value::as_bool) == Some(true) {
                None
            } else {
                let need = |k: &str| str_at(m, k).ok_or_else(|| bad(&format!("{name}: missing \"{k}\"")));
                let dependencies = m
                    .get("dependencies")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).map(Dependency::parse).collect::<Result<Vec<_>, _>>())
                    .transpose()
                    .map_err(|e| bad(&e))?
                    .unwrap_or_default();
                Some(portal::Release {
                    version: version.ok_or_else(|| bad(&format!("{name}: missing \"version\"")))?,
                    factorio_version: need("factorio_version")?,
                    dependencies,
                    download_url: need("download_url")?,
                    file_name: need("file_name")?,
                    sha1: need("sha1")?,
                    problem: None,
                })
            };
            mods.push(Pinned { name, version, release, required_by });
        }
        Ok(Lock { factorio_version, modpack_sha1, mods })
    }

    /// Reads a lock file; errors name it.
    pub fn load(path: &Path) -> Result<Lock, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Lock::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes it through a temporary file and a rename.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        crate::fsutil::write_atomically(path, self.to_json().as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modpacks_parse_strings_and_objects() {
        let p = Modpack::parse(
            r#"{"factorio_version": "2.0", "mods": ["space-age", "flib >= 0.15", {"name": "K2", "version": "1.4.2"}, {"name": "x", "version": "< 2.0.0"}]}"#,
        )
        .unwrap();
        assert_eq!(p.factorio_version, GameVersion { major: 2, minor: 0, patch: None });
        let got: Vec<_> = p.mods.iter().map(|m| (m.name.as_str(), m.version)).collect();
        assert_eq!(
            got,
            [
                ("space-age", None),
                ("flib", Some((Op::Ge, Version::new(0, 15, 0)))),
                ("K2", Some((Op::Eq, Version::new(1, 4, 2)))),
                ("x", Some((Op::Lt, Version::new(2, 0, 0)))),
            ]
        );
        assert_eq!(GameVersion::parse("2.0.77").unwrap().patch, Some(77));
    }

    #[test]
    fn bad_modpacks_say_what_to_write() {
        let cases = [
            ("{}", "missing \"factorio_version\""),
            (r#"{"factorio_version": "two"}"#, "\"factorio_version\": bad version"),
            (r#"{"factorio_version": "2.0"}"#, "missing \"mods\""),
            (
                r#"{"factorio_version": "2.0", "mods": ["? flib"]}"#,
                "mods[1]: \"? flib\": a modpack lists the mods it wants, without a prefix (write \"flib\")",
            ),
            (
                r#"{"factorio_version": "2.0", "mods": [{"name": "flib", "version": ">> 1"}]}"#,
                "mods[1] (flib): \"version\"",
            ),
            (r#"{"factorio_version": "2.0", "mods": [3]}"#, "mods[1]: expected"),
            (r#"{"factorio_version": "2.0", "mods": ["a", "a >= 1.0"]}"#, "mods[2]: a is listed twice"),
        ];
        for (text, want) in cases {
            let e = Modpack::parse(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }

    #[test]
    fn builtins_satisfy_constraints_by_game_version() {
        let series = GameVersion::parse("2.0").unwrap();
        let exact = GameVersion::parse("2.0.77").unwrap();
        let v = Version::new;
        assert!(series.allows(Op::Ge, v(2, 0, 10)));
        assert!(!series.allows(Op::Ge, v(2, 1, 0)));
        assert!(series.allows(Op::Eq, v(2, 0, 5)));
        assert!(!exact.allows(Op::Ge, v(2, 0, 78)));
        assert!(exact.allows(Op::Le, v(2, 0, 77)));
        assert!(series.accepts("2.0") && !series.accepts("1.1") && !series.accepts("2.1"));
        let names = |g: GameVersion| g.builtins().into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert!(!names(series).contains(&"recycler"));
        assert!(names(GameVersion::parse("2.1").unwrap()).contains(&"recycler"));
        assert_eq!(names(GameVersion::parse("1.1").unwrap()), ["core", "base"]);
    }

    #[test]
    fn locks_round_trip() {
        let release = portal::Release {
            version: Version::new(0, 16, 2),
            factorio_version: "2.0".into(),
            dependencies: vec![Dependency::parse("base >= 2.0").unwrap()],
            download_url: "/download/flib/abc".into(),
            file_name: "flib_0.16.2.zip".into(),
            sha1: "0".repeat(40),
            problem: None,
        };
        let lock = Lock {
            factorio_version: GameVersion::parse("2.0").unwrap(),
            modpack_sha1: "ab".into(),
            mods: vec![
                Pinned { name: "base".into(), version: None, release: None, required_by: vec!["flib".into()] },
                Pinned {
                    name: "flib".into(),
                    version: Some(release.version),
                    release: Some(release),
                    required_by: vec!["modpack.json".into()],
                },
            ],
        };
        let text = lock.to_json();
        assert_eq!(Lock::from_json(&text).unwrap(), lock, "{text}");
        assert_eq!(lock_path(Path::new("dir/modpack.json")), Path::new("dir/modpack.lock.json"));
    }
}
