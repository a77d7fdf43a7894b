//! `mod-list.json`: which mods are enabled, in the game's format.
//!
//! The game keeps `base` first, then the official expansions, then every other mod sorted by
//! its ASCII-uppercased name (so `autofill` before `Auto_Deploy_Destroyers`: `F` < `_`), as all
//! the game-written lists in `../shared/data/mod-list/` show. It writes one of two layouts:
//! 2.0 puts a blank line (four spaces) before each entry and `[` on its own line; 0.16 and 1.x
//! use a plain two-space indentation. A loaded list is saved in its own layout, so saving an
//! unchanged list gives the same bytes. A version is written only where one is known.

use std::cmp::Ordering;
use std::fmt;
use std::path::Path;

use serde_json::Value;

/// The official mods, in the order the game lists them after `base`.
pub const EXPANSIONS: [&str; 3] = ["elevated-rails", "quality", "space-age"];

/// One line of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The mod's internal name.
    pub name: String,
    /// Whether the game loads it.
    pub enabled: bool,
    /// A pinned version (`"1.2.3"`), only when the file names one.
    pub version: Option<String>,
}

/// The two layouts the game has written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Layout {
    /// 2.0: a leading newline, `"mods": ` then `[` on its own line, a blank line before entries.
    #[default]
    Game20,
    /// 0.16–1.1: `"mods": [` and plain indentation.
    Legacy,
}

/// A `mod-list.json` in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModList {
    entries: Vec<Entry>,
    /// The layout [`ModList::to_json`] writes.
    pub layout: Layout,
}

/// Why a mod list operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// `base` cannot be disabled or removed.
    Base(&'static str),
    /// The mod is not in the list.
    NotInList(String),
    /// The name is empty.
    EmptyName,
    /// The file is not a mod list: `line:column: message`.
    Parse(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Base(op) => write!(f, "cannot {op} base: the game always loads it"),
            Error::NotInList(name) => write!(f, "mod '{name}' is not in the mod list (add it first)"),
            Error::EmptyName => write!(f, "a mod name must not be empty"),
            Error::Parse(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {}

impl Default for ModList {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a name sorts: `base`, then the expansions in their order, then the rest by
/// uppercased bytes.
fn sort_key(name: &str) -> (usize, Vec<u8>) {
    let group = if name == "base" {
        0
    } else if let Some(i) = EXPANSIONS.iter().position(|e| *e == name) {
        1 + i
    } else {
        1 + EXPANSIONS.len()
    };
    (group, name.bytes().map(|b| b.to_ascii_uppercase()).collect())
}

impl ModList {
    /// A list with only `base`, enabled.
    pub fn new() -> Self {
        Self { entries: vec![Entry { name: "base".into(), enabled: true, version: None }], layout: Layout::Game20 }
    }

    /// Parses the text of a `mod-list.json`. A list without `base` gets it added, enabled.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| Error::Parse(format!("{}:{}: {e}", e.line(), e.column())))?;
        let mods = value
            .get("mods")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::Parse("1:1: expected an object with a \"mods\" array".into()))?;
        let mut entries = Vec::with_capacity(mods.len());
        for (i, m) in mods.iter().enumerate() {
            let bad = |what: &str| Error::Parse(format!("mods[{}]: {what}", i + 1));
            let name = m.get("name").and_then(Value::as_str).ok_or_else(|| bad("\"name\" must be a string"))?;
            let enabled = match m.get("enabled") {
                None => true,
                Some(v) => v.as_bool().ok_or_else(|| bad("\"enabled\" must be true or false"))?,
            };
            let version = match m.get("version") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_str().ok_or_else(|| bad("\"version\" must be a string"))?.to_owned()),
            };
            entries.push(Entry { name: name.to_owned(), enabled, version });
        }
        let layout = if text.starts_with('\n') { Layout::Game20 } else { Layout::Legacy };
        let mut list = Self { entries, layout };
        match list.entries.iter_mut().find(|e| e.name == "base") {
            Some(base) => base.enabled = true,
            None => list.entries.insert(0, Entry { name: "base".into(), enabled: true, version: None }),
        }
        Ok(list)
    }

    /// The text the game writes for this list.
    pub fn to_json(&self) -> String {
        let (head, before_entry, tail) = match self.layout {
            Layout::Game20 => ("\n{\n  \"mods\": \n  [\n", "    \n", "  ]\n}\n"),
            Layout::Legacy => ("{\n  \"mods\": [\n", "", "  ]\n}\n"),
        };
        let mut out = String::from(head);
        for (i, e) in self.entries.iter().enumerate() {
            out.push_str(before_entry);
            out.push_str("    {\n      \"name\": ");
            out.push_str(&json_string(&e.name));
            out.push_str(",\n      \"enabled\": ");
            out.push_str(if e.enabled { "true" } else { "false" });
            if let Some(v) = &e.version {
                out.push_str(",\n      \"version\": ");
                out.push_str(&json_string(v));
            }
            out.push_str("\n    }");
            if i + 1 < self.entries.len() {
                out.push(',');
            }
            out.push('\n');
        }
        out.push_str(tail);
        out
    }

    /// Reads a file; errors name it (`mods/mod-list.json:3:5: …`).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_json(&text).map_err(|e| format!("{}:{e}", path.display()))
    }

    /// Writes a file with [`crate::fsutil::write_atomically`] (links, modes, read-only files).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        crate::fsutil::write_atomically(path, self.to_json().as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    fn find_mut(&mut self, name: &str) -> Result<&mut Entry, Error> {
        self.entries.iter_mut().find(|e| e.name == name).ok_or_else(|| Error::NotInList(name.to_owned()))
    }

    /// Adds a mod (or updates it when listed): enabled as given, with a version pin if given.
    /// A new mod goes where the game would sort it.
    pub fn add(&mut self, name: &str, enabled: bool, version: Option<&str>) -> Result<(), Error> {
        if name.is_empty() {
            return Err(Error::EmptyName);
        }
        if name == "base" && !enabled {
            return Err(Error::Base("disable"));
        }
        if let Ok(e) = self.find_mut(name) {
            e.enabled = enabled;
            if let Some(v) = version {
                e.version = Some(v.to_owned());
            }
            return Ok(());
        }
        let key = sort_key(name);
        let at = self
            .entries
            .iter()
            .position(|e| sort_key(&e.name).cmp(&key) == Ordering::Greater)
            .unwrap_or(self.entries.len());
        let entry = Entry { name: name.to_owned(), enabled, version: version.map(str::to_owned) };
        self.entries.insert(at, entry);
        Ok(())
    }

    /// Removes a mod; `base` cannot be removed.
    pub fn remove(&mut self, name: &str) -> Result<(), Error> {
        if name == "base" {
            return Err(Error::Base("remove"));
        }
        let before = self.entries.len();
        self.entries.retain(|e| e.name != name);
        if self.entries.len() == before { Err(Error::NotInList(name.to_owned())) } else { Ok(()) }
    }

    /// Enables a listed mod.
    pub fn enable(&mut self, name: &str) -> Result<(), Error> {
        self.find_mut(name)?.enabled = true;
        Ok(())
    }

    /// Disables a listed mod; `base` cannot be disabled.
    pub fn disable(&mut self, name: &str) -> Result<(), Error> {
        if name == "base" {
            return Err(Error::Base("disable"));
        }
        self.find_mut(name)?.enabled = false;
        Ok(())
    }

    /// Whether the mod is listed and enabled.
    pub fn is_enabled(&self, name: &str) -> bool {
        self.find(name).is_some_and(|e| e.enabled)
    }

    /// Whether the mod is listed.
    pub fn exists(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// The pinned version of a listed mod.
    pub fn version(&self, name: &str) -> Option<&str> {
        self.find(name)?.version.as_deref()
    }

    /// The entries in file order.
    pub fn each(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

/// A JSON string literal; names are plain ASCII in practice, but quotes and controls are escaped.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mod-list");

    fn names(list: &ModList) -> Vec<&str> {
        list.each().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn a_new_list_has_only_base_in_the_20_layout() {
        let list = ModList::new();
        assert_eq!(
            list.to_json(),
            "\n{\n  \"mods\": \n  [\n    \n    {\n      \"name\": \"base\",\n      \"enabled\": true\n    }\n  ]\n}\n"
        );
    }

    #[test]
    fn the_legacy_layout_is_kept() {
        let text = "{\n  \"mods\": [\n    {\n      \"name\": \"base\",\n      \"enabled\": true\n    },\n    {\n      \"name\": \"flib\",\n      \"enabled\": false\n    }\n  ]\n}\n";
        let list = ModList::from_json(text).unwrap();
        assert_eq!(list.layout, Layout::Legacy);
        assert_eq!(list.to_json(), text);
    }

    #[test]
    fn base_is_always_enabled() {
        let mut list = ModList::new();
        assert_eq!(list.disable("base"), Err(Error::Base("disable")));
        assert_eq!(list.remove("base"), Err(Error::Base("remove")));
        assert_eq!(list.add("base", false, None), Err(Error::Base("disable")));
        assert!(list.is_enabled("base"));
        let loaded =
            ModList::from_json(r#"{"mods":[{"name":"base","enabled":false},{"name":"x","enabled":true}]}"#).unwrap();
        assert!(loaded.is_enabled("base"));
        let without = ModList::from_json(r#"{"mods":[{"name":"x","enabled":true}]}"#).unwrap();
        assert_eq!(names(&without), ["base", "x"]);
    }

    #[test]
    fn added_mods_go_where_the_game_sorts_them() {
        let mut list = ModList::new();
        for name in ["zed", "space-age", "Auto_Deploy", "autofill", "aai-loaders", "quality"] {
            list.add(name, true, None).unwrap();
        }
        assert_eq!(names(&list), ["base", "quality", "space-age", "aai-loaders", "autofill", "Auto_Deploy", "zed"]);
    }

    #[test]
    fn versions_are_written_only_where_known() {
        let mut list = ModList::new();
        list.add("flib", true, Some("0.16.2")).unwrap();
        list.add("zed", false, None).unwrap();
        let json = list.to_json();
        assert!(
            json.contains("\"name\": \"flib\",\n      \"enabled\": true,\n      \"version\": \"0.16.2\"\n    },"),
            "{json}"
        );
        assert_eq!(json.matches("version").count(), 1);
        let back = ModList::from_json(&json).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.version("flib"), Some("0.16.2"));
    }

    #[test]
    fn operations_on_missing_mods_say_so() {
        let mut list = ModList::new();
        let cases: Vec<(Result<(), Error>, &str)> = vec![
            (list.enable("nope"), "mod 'nope' is not in the mod list (add it first)"),
            (list.disable("nope"), "mod 'nope' is not in the mod list (add it first)"),
            (list.remove("nope"), "mod 'nope' is not in the mod list (add it first)"),
            (list.add("", true, None), "a mod name must not be empty"),
        ];
        for (result, message) in cases {
            assert_eq!(result.unwrap_err().to_string(), message);
        }
        assert!(!list.exists("nope"));
        assert!(!list.is_enabled("nope"));
    }

    #[test]
    fn enable_disable_add_remove_change_what_is_saved() {
        let mut list = ModList::new();
        list.add("flib", false, None).unwrap();
        list.enable("flib").unwrap();
        assert!(list.is_enabled("flib"));
        list.disable("flib").unwrap();
        assert!(!list.is_enabled("flib"));
        assert!(list.to_json().contains("\"name\": \"flib\",\n      \"enabled\": false"));
        list.remove("flib").unwrap();
        assert_eq!(list, ModList::new());
    }

    #[test]
    fn bad_files_are_errors_with_a_place() {
        let cases = [
            ("{", "1:1: EOF while parsing an object at line 1 column 1"),
            ("[]", "1:1: expected an object with a \"mods\" array"),
            (r#"{"mods":[{"enabled":true}]}"#, "mods[1]: \"name\" must be a string"),
            (r#"{"mods":[{"name":"a","enabled":1}]}"#, "mods[1]: \"enabled\" must be true or false"),
            (r#"{"mods":[{"name":"a","version":3}]}"#, "mods[1]: \"version\" must be a string"),
        ];
        for (text, message) in cases {
            assert_eq!(ModList::from_json(text).unwrap_err().to_string(), message, "{text}");
        }
    }

    #[test]
    fn the_committed_fixture_round_trips() {
        let path = Path::new(FIXTURES).join("mod-list.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let list = ModList::load(&path).unwrap();
        assert_eq!(list.to_json(), text);
        assert!(list.is_enabled("fm-library"));
        assert!(!list.is_enabled("space-age"));
    }

    /// Golden tier: saving an unchanged game-written list gives the same bytes.
    #[test]
    fn game_files_save_byte_for_byte() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mod-list");
        let Ok(entries) = std::fs::read_dir(dir) else {
            println!("skipped: ../shared/data not present");
            return;
        };
        let mut seen = 0;
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let list = ModList::from_json(&text).unwrap();
            assert_eq!(list.to_json(), text, "{}", entry.path().display());
            // Re-adding every mod in a shuffled order rebuilds the game's order.
            let mut rebuilt = ModList { entries: vec![], layout: list.layout };
            let mut shuffled: Vec<&Entry> = list.each().collect();
            shuffled.reverse();
            for e in shuffled {
                rebuilt.add(&e.name, e.enabled, None).unwrap();
            }
            assert_eq!(rebuilt.to_json(), text, "{} re-sorted", entry.path().display());
            seen += 1;
        }
        assert!(seen >= 5);
    }
}
