//! `mod-settings.dat`: the version header around a property tree.
//!
//! Layout (<https://wiki.factorio.com/Mod_settings_file_format>): the game version as four
//! little-endian u16 (major, minor, patch, build); from 0.17 on, one bool (always false);
//! then one dictionary property tree with the sections `startup`, `runtime-global` and
//! `runtime-per-user`, each a dictionary `setting name → {value = node}`.
//! 0.16 files have no bool: whether it is there is decided by the version, as the game does.

use std::fmt;
use std::path::Path;

use crate::property_tree::{self, PropertyTree, PtString, Reader, Value, Writer};

/// The three sections, in the order the game writes them.
pub const SECTIONS: [&str; 3] = ["startup", "runtime-global", "runtime-per-user"];

/// A game version `major.minor.patch.build`, as in the file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct GameVersion(pub u16, pub u16, pub u16, pub u16);

impl GameVersion {
    /// Whether a file of this version has the bool after the version (0.17 and later).
    pub fn has_header_bool(self) -> bool {
        (self.0, self.1) >= (0, 17)
    }

    /// Parses `a.b.c.d` (or `a.b.c`, build 0); parts up to 65535.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.').map(|p| if p.is_empty() { None } else { p.parse::<u16>().ok() });
        let a = parts.next()??;
        let b = parts.next()??;
        let c = parts.next()??;
        let d = match parts.next() {
            Some(d) => d?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Self(a, b, c, d))
    }
}

impl fmt::Display for GameVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}.{}", self.0, self.1, self.2, self.3)
    }
}

/// A whole `mod-settings.dat`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModSettings {
    /// The version of the game that wrote the file.
    pub version: GameVersion,
    /// The bool after the version (0.17+); `None` in older files. Written as false if missing.
    pub header_bool: Option<bool>,
    /// The root dictionary.
    pub tree: PropertyTree,
}

/// Why a `mod-settings.dat` could not be read or written.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The binary data is not a mod-settings file.
    Format(property_tree::Error),
    /// The root node is not a dictionary.
    RootNotDictionary(&'static str),
    /// Reading or writing the file failed.
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Format(e) => e.fmt(f),
            Error::RootNotDictionary(kind) => {
                write!(f, "offset 0x8: root node is a {kind}, expected a dictionary of sections")
            }
            Error::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl ModSettings {
    /// An empty file for `version`: the three sections, no settings.
    pub fn new(version: GameVersion) -> Self {
        let tree = PropertyTree::dictionary(SECTIONS.map(|s| (s, PropertyTree::dictionary(Vec::<(&str, _)>::new()))));
        Self { version, header_bool: version.has_header_bool().then_some(false), tree }
    }

    /// Decodes a file's bytes.
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(data);
        let version = GameVersion(
            r.read_u16("the major version").map_err(Error::Format)?,
            r.read_u16("the minor version").map_err(Error::Format)?,
            r.read_u16("the patch version").map_err(Error::Format)?,
            r.read_u16("the build version").map_err(Error::Format)?,
        );
        let header_bool = if version.has_header_bool() {
            Some(r.read_bool("the bool after the version").map_err(Error::Format)?)
        } else {
            None
        };
        let tree = r.read_tree().map_err(Error::Format)?;
        r.finish().map_err(Error::Format)?;
        if !matches!(tree.value, Value::Dictionary(_)) {
            return Err(Error::RootNotDictionary(tree.value.kind().name()));
        }
        Ok(Self { version, header_bool, tree })
    }

    /// Encodes to the bytes the game writes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        for part in [self.version.0, self.version.1, self.version.2, self.version.3] {
            w.write_u16(part);
        }
        if self.version.has_header_bool() {
            w.write_bool(self.header_bool.unwrap_or(false));
        }
        w.write_tree(&self.tree);
        w.out
    }

    /// Reads a file; errors name it: `path: offset 0x1f: …`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_bytes(&data).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes a file with [`crate::fsutil::write_atomically`]: a failure never leaves a
    /// half-written file over a good one; links, modes and read-only files are respected.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        crate::fsutil::write_atomically(path, &self.to_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The settings of one section, in file order: `(name, value node)`.
    pub fn section(&self, name: &str) -> impl Iterator<Item = (&PtString, &PropertyTree)> {
        self.tree
            .get(name)
            .and_then(PropertyTree::entries)
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| (k, v.get("value").unwrap_or(v)))
    }

    /// A setting's value node.
    pub fn get(&self, section: &str, setting: &str) -> Option<&PropertyTree> {
        self.tree.get(section)?.get(setting)?.get("value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property_tree::Value;

    /// The committed fixture: 2.0 layout with one setting of each kind a mod uses.
    fn fixture() -> ModSettings {
        let setting = |v: Value| PropertyTree::dictionary([("value", v.into())]);
        let mut s = ModSettings::new(GameVersion(2, 0, 73, 0));
        let startup = PropertyTree::dictionary([
            ("fm-bool", setting(Value::Bool(true))),
            ("fm-int", setting(Value::Int64(-42))),
            ("fm-double", setting(Value::Number(0.5))),
            ("fm-string", setting(Value::String(PtString::new("iron-plate")))),
            ("fm-big", setting(Value::UInt64(u64::MAX))),
            (
                "fm-color",
                setting(Value::Dictionary(vec![
                    (PtString::new("r"), Value::Number(1.0).into()),
                    (PtString::new("g"), Value::Number(0.0).into()),
                    (PtString::new("b"), Value::Number(0.0).into()),
                    (PtString::new("a"), Value::Number(1.0).into()),
                ])),
            ),
        ]);
        if let Value::Dictionary(sections) = &mut s.tree.value {
            sections[0].1 = startup;
            sections[1].1 = PropertyTree::dictionary([("fm-runtime", setting(Value::String(PtString::new(""))))]);
        }
        s
    }

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mod-settings/2.0-every-kind.dat");

    #[test]
    fn the_committed_fixture_has_exactly_the_writers_bytes() {
        let bytes = fixture().to_bytes();
        if std::env::var_os("FM_WRITE_FIXTURES").is_some() {
            std::fs::write(FIXTURE, &bytes).unwrap();
        }
        let committed = std::fs::read(FIXTURE).expect("fixtures/mod-settings/2.0-every-kind.dat");
        assert_eq!(committed, bytes);
        assert_eq!(ModSettings::from_bytes(&committed).unwrap(), fixture());
        // The header: version 2.0.73.0, then the bool, then a dictionary of three sections.
        assert_eq!(&committed[..13], &[2, 0, 0, 0, 73, 0, 0, 0, 0, 5, 0, 3, 0]);
    }

    #[test]
    fn the_header_bool_depends_on_the_version() {
        let cases = [
            (GameVersion(0, 16, 51, 0), false),
            (GameVersion(0, 17, 0, 0), true),
            (GameVersion(1, 1, 110, 0), true),
            (GameVersion(2, 0, 73, 0), true),
        ];
        for (version, has_bool) in cases {
            let bytes = ModSettings::new(version).to_bytes();
            // version, bool?, root dictionary, then per section: key flag, length, name, empty dictionary
            let sections: usize = SECTIONS.iter().map(|s| 2 + s.len() + 6).sum();
            assert_eq!(bytes.len(), 8 + usize::from(has_bool) + 6 + sections, "{version}");
            let back = ModSettings::from_bytes(&bytes).unwrap();
            assert_eq!(back.version, version);
            assert_eq!(back.header_bool.is_some(), has_bool);
        }
    }

    #[test]
    fn lookups_reach_the_values() {
        let s = fixture();
        assert_eq!(s.get("startup", "fm-int").map(|n| &n.value), Some(&Value::Int64(-42)));
        assert_eq!(s.section("startup").count(), 6);
        assert_eq!(s.section("runtime-per-user").count(), 0);
        assert!(s.get("startup", "missing").is_none());
    }

    #[test]
    fn broken_files_are_errors() {
        let good = fixture().to_bytes();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![2, 0, 0], "offset 0x2: the minor version needs 2 bytes, 1 left (file truncated?)"),
            (good[..20].to_vec(), "offset 0x11: string bytes needs 7 bytes, 3 left (file truncated?)"),
            (
                vec![2, 0, 0, 0, 73, 0, 0, 0, 0, 1, 0, 1],
                "offset 0x8: root node is a bool, expected a dictionary of sections",
            ),
            (vec![2, 0, 0, 0, 73, 0, 0, 0, 3], "offset 0x8: the bool after the version is 3, expected 0 or 1"),
        ];
        for (bytes, message) in cases {
            assert_eq!(ModSettings::from_bytes(&bytes).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn save_replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mod-settings.dat");
        std::fs::write(&path, b"old").unwrap();
        fixture().save(&path).unwrap();
        assert_eq!(ModSettings::load(&path).unwrap(), fixture());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
        let err = ModSettings::load(&dir.path().join("nope.dat")).unwrap_err();
        assert!(err.contains("nope.dat"), "{err}");
    }

    /// Golden tier: every file the game wrote must come back byte for byte.
    #[test]
    fn game_files_round_trip_byte_for_byte() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mod-settings");
        let Ok(entries) = std::fs::read_dir(dir) else {
            println!("skipped: ../shared/data not present");
            return;
        };
        let mut seen = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let bytes = std::fs::read(&path).unwrap();
            let settings = ModSettings::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(settings.to_bytes(), bytes, "{}", path.display());
            for section in SECTIONS {
                assert!(settings.tree.get(section).is_some(), "{}: {section}", path.display());
            }
            seen += 1;
        }
        assert!(seen >= 5, "expected the five game files, saw {seen}");
    }

    #[test]
    fn game_files_have_the_documented_shapes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mod-settings/");
        if !Path::new(path).exists() {
            println!("skipped: ../shared/data not present");
            return;
        }
        let load = |name: &str| ModSettings::load(&Path::new(path).join(name)).unwrap();
        let small = load("1.1.110-small.dat");
        assert_eq!(small.version, GameVersion(1, 1, 110, 0));
        assert_eq!(
            small.get("startup", "my-string-setting").map(|n| &n.value),
            Some(&Value::String(PtString::new("hello")))
        );
        let old = load("0.16.51-thebrain.dat");
        assert_eq!(old.header_bool, None);
        let counts = |s: &ModSettings| SECTIONS.map(|n| s.section(n).count());
        assert_eq!(counts(&load("2.0.73-ehlerst.dat")), [52, 23, 26]);
        assert_eq!(counts(&load("2.0.73-cloudflight.dat")), [351, 38, 53]);
        assert_eq!(counts(&load("1.1.27-circlesabound.dat")), [183, 109, 31]);
    }
}
