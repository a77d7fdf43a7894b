//! The built-in datasets: one per game version, compressed inside the library, so `fm.setup{}`
//! needs no network and no file outside the rock.
//!
//! Each version carries `fixtures/builtin/<version>/`: `data-raw.json.gz` (data.raw of core and
//! base, minified JSON in the game's `--dump-data` shape), `data-raw-expansions.json.gz` (the same
//! with the expansions: the [`Set::Expansions`] set), `game-lua.tar.gz` (the game's Lua of every
//! game mod, with placeholders for the modules its public copy lacks), and a locale archive
//! (`fixtures/builtin/locale-<source>.tar`: one gzipped `<lang>.cfg` per language, unpacked only
//! for the language asked for). The 2.1.9 data.raw was derived by `scripts/derive-data-raw.lua`
//! (the same script reproduces the 2.0.77 one prototype for prototype).

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::sync::OnceLock;

/// One built-in game version and its compressed parts.
pub struct Version {
    /// The game version, `"2.1.9"`.
    pub version: &'static str,
    /// The game version the locale text was taken from (the locale of `version` itself may be
    /// missing from the sources the project has; see fixtures/builtin/README.md).
    pub locale_version: &'static str,
    data_raw_gz: &'static [u8],
    data_raw_expansions_gz: &'static [u8],
    game_lua_gz: &'static [u8],
    locale_tar: &'static [u8],
    game_lua: OnceLock<HashMap<String, Vec<u8>>>,
    game_mods: OnceLock<Vec<String>>,
    locale_index: OnceLock<HashMap<String, (usize, usize)>>,
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Version").field("version", &self.version).finish_non_exhaustive()
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.version == other.version
    }
}

static LOCALE_2_0_55: &[u8] = include_bytes!("../../fixtures/builtin/locale-2.0.55.tar");

static V2_1_9: Version = Version {
    version: "2.1.9",
    locale_version: "2.0.55",
    data_raw_gz: include_bytes!("../../fixtures/builtin/2.1.9/data-raw.json.gz"),
    data_raw_expansions_gz: include_bytes!("../../fixtures/builtin/2.1.9/data-raw-expansions.json.gz"),
    game_lua_gz: include_bytes!("../../fixtures/builtin/2.1.9/game-lua.tar.gz"),
    locale_tar: LOCALE_2_0_55,
    game_lua: OnceLock::new(),
    game_mods: OnceLock::new(),
    locale_index: OnceLock::new(),
};

static V2_0_77: Version = Version {
    version: "2.0.77",
    locale_version: "2.0.55",
    data_raw_gz: include_bytes!("../../fixtures/builtin/2.0.77/data-raw.json.gz"),
    data_raw_expansions_gz: include_bytes!("../../fixtures/builtin/2.0.77/data-raw-expansions.json.gz"),
    game_lua_gz: include_bytes!("../../fixtures/builtin/2.0.77/game-lua.tar.gz"),
    locale_tar: LOCALE_2_0_55,
    game_lua: OnceLock::new(),
    game_mods: OnceLock::new(),
    locale_index: OnceLock::new(),
};

/// Which game mods a built-in dataset holds: the two sets every version carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Set {
    /// core and base.
    Base,
    /// core, base and the expansions: elevated-rails, quality, space-age (and from 2.1 recycler,
    /// which quality needs), as a Space Age game runs.
    Expansions,
}

impl Set {
    /// Whether the game mod `name` belongs to the set.
    pub fn holds(self, name: &str) -> bool {
        matches!(name, "core" | "base") || self == Set::Expansions
    }

    /// The set's name in keys and messages.
    pub fn name(self) -> &'static str {
        match self {
            Set::Base => "base",
            Set::Expansions => "expansions",
        }
    }
}

/// The built-in versions, newest first.
pub static VERSIONS: [&Version; 2] = [&V2_1_9, &V2_0_77];

/// The version a session gets when nothing names one: the newest (as the Lua side's
/// `game_version.default`, which FACTORIO_MOCKS_GAME_VERSION can change).
pub const DEFAULT: &str = "2.1.9";

/// A `game_version` that no built-in dataset has.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownVersion {
    /// What was asked for.
    pub asked: String,
}

impl fmt::Display for UnknownVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let versions: Vec<&str> = VERSIONS.iter().map(|v| v.version).collect();
        write!(
            f,
            "game_version {:?}: no built-in dataset has that version; the built-in versions are {} \
             (or their major.minor, such as \"2.1\"); for another version pass a dataset",
            self.asked,
            versions.join(", ")
        )
    }
}

impl std::error::Error for UnknownVersion {}

/// The built-in version `asked` names: a full version (`"2.1.9"`), or `major.minor` (`"2.1"`: the
/// newest built in of that line); None gives [`DEFAULT`].
pub fn find(asked: Option<&str>) -> Result<&'static Version, UnknownVersion> {
    let asked = asked.unwrap_or(DEFAULT);
    let unknown = || UnknownVersion { asked: asked.to_string() };
    if let Some(v) = VERSIONS.iter().find(|v| v.version == asked) {
        return Ok(v);
    }
    // "2.1" (two parts only): the newest of that line.
    if asked.split('.').count() == 2 && asked.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let prefix = format!("{asked}.");
        return VERSIONS.iter().copied().find(|v| v.version.starts_with(&prefix)).ok_or_else(unknown);
    }
    Err(unknown())
}

impl Version {
    /// `data.raw` of `set` as minified, gzipped JSON.
    pub fn data_raw_gz(&self, set: Set) -> &'static [u8] {
        match set {
            Set::Base => self.data_raw_gz,
            Set::Expansions => self.data_raw_expansions_gz,
        }
    }

    /// `mod/relative/path.lua` → the file's bytes: the game's Lua, unpacked the first time.
    pub fn game_lua(&'static self) -> &'static HashMap<String, Vec<u8>> {
        self.game_lua.get_or_init(|| super::game_lua::unpack(self.game_lua_gz).unwrap_or_default())
    }

    /// The game mods whose Lua it carries, sorted (the first folder of each path).
    pub fn game_mods(&'static self) -> &'static [String] {
        self.game_mods.get_or_init(|| {
            let mut mods: Vec<String> =
                self.game_lua().keys().filter_map(|k| k.split('/').next()).map(str::to_string).collect();
            mods.sort();
            mods.dedup();
            mods
        })
    }

    /// The languages the locale archive holds, sorted.
    pub fn languages(&'static self) -> Vec<String> {
        let mut langs: Vec<String> = self.locale_index().keys().cloned().collect();
        langs.sort();
        langs
    }

    /// The merged cfg text of `lang` (core's, then base's files), or None when the archive lacks
    /// the language or its entry cannot be read.
    pub fn locale(&'static self, lang: &str) -> Option<String> {
        let &(start, len) = self.locale_index().get(lang)?;
        let gz = self.locale_tar.get(start..start.checked_add(len)?)?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz).read_to_string(&mut text).ok()?;
        Some(text)
    }

    /// `lang` → (offset, length) of its `<lang>.cfg.gz` in the tar.
    fn locale_index(&'static self) -> &'static HashMap<String, (usize, usize)> {
        self.locale_index.get_or_init(|| tar_index(self.locale_tar).unwrap_or_default())
    }
}

/// Where each `<lang>.cfg.gz` of an uncompressed tar lies.
fn tar_index(bytes: &[u8]) -> std::io::Result<HashMap<String, (usize, usize)>> {
    let mut index = HashMap::new();
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries()? {
        let entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path()?.to_string_lossy().into_owned();
        if let Some(lang) = path.strip_prefix("./").unwrap_or(&path).strip_suffix(".cfg.gz") {
            let start = entry.raw_file_position() as usize;
            index.insert(lang.to_string(), (start, entry.size() as usize));
        }
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_newest_first_and_found_by_full_or_major_minor() {
        let names: Vec<&str> = VERSIONS.iter().map(|v| v.version).collect();
        assert_eq!(names, ["2.1.9", "2.0.77"]);
        for (asked, version) in [("2.1.9", "2.1.9"), ("2.1", "2.1.9"), ("2.0", "2.0.77"), ("2.0.77", "2.0.77")] {
            assert_eq!(find(Some(asked)).unwrap().version, version, "{asked}");
        }
        assert_eq!(find(None).unwrap().version, DEFAULT);
        for bad in ["2.2", "2.0.76", "1.1", "2", "", "2.", ".1", "2.1.9.0", "latest"] {
            let err = find(Some(bad)).unwrap_err().to_string();
            assert!(err.contains(&format!("game_version {bad:?}")), "{err}");
            assert!(err.contains("2.1.9, 2.0.77"), "{err}");
        }
    }

    #[test]
    fn every_version_carries_data_raw_game_lua_and_the_locale_of_every_language() {
        for v in VERSIONS {
            assert!(v.data_raw_gz(Set::Base).len() > 100_000, "{}", v.version);
            assert!(v.data_raw_gz(Set::Expansions).len() > v.data_raw_gz(Set::Base).len(), "{}", v.version);
            let util = v.game_lua().get("core/lualib/util.lua").map(|b| String::from_utf8_lossy(b).into_owned());
            assert!(util.is_some_and(|u| u.contains("function util.merge")), "{}", v.version);
            let langs = v.languages();
            assert!(langs.len() >= 50, "{}: {langs:?}", v.version);
            let en = v.locale("en").unwrap();
            assert!(en.contains("\n[item-name]\n") && en.contains("iron-gear-wheel=Iron gear wheel"), "{}", v.version);
            let ru = v.locale("ru").unwrap();
            assert!(ru.contains("working=Работает"), "{}", v.version);
            assert!(v.locale("xx").is_none());
        }
    }
}
