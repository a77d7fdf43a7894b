//! Installed mods: folders and zips in a mods folder, and reading files out of them.
//!
//! Naming rules (<https://lua-api.factorio.com/latest/auxiliary/mod-structure.html>): a zip
//! is named `{name}_{version}.zip` and holds one top folder (any name) with `info.json` in
//! it; a folder is named `{name}_{version}` or just `{name}`. The name and version in the
//! file name must match `info.json` (the game refuses mismatches since 0.10.7,
//! <https://forums.factorio.com/viewtopic.php?t=5364>).
//!
//! When one mod is installed more than once, the highest version wins (as the game loads
//! the newest unless mod-list.json pins one); the others are reported in
//! [`Scan::shadowed`]. For the same version as both a zip and a folder no source describing
//! the game's choice was found; the zip wins, as issue 7 asks, and the folder is reported.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::info::ModInfo;
use super::order::natural_cmp;
use super::version::Version;

/// Mods shipped with the game in its `data` folder: `core`, `base`, the expansions and (2.1) `recycler`.
pub const BUILTIN: [&str; 6] = ["core", "base", "elevated-rails", "quality", "space-age", "recycler"];

/// The official expansions (Space Age and the mods it requires).
pub const EXPANSIONS: [&str; 3] = ["elevated-rails", "quality", "space-age"];

/// Whether `name` is a mod the game ships rather than one a player installs.
pub fn is_builtin(name: &str) -> bool {
    BUILTIN.contains(&name)
}

/// Files bigger than this are refused rather than unpacked (a zip bomb guard).
pub const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// Where a mod's files are.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// An unpacked folder (also the game's `data/base`).
    Folder(PathBuf),
    /// A zip and the name of its single top folder.
    Zip {
        /// The zip file.
        path: PathBuf,
        /// The top folder inside it.
        root: String,
    },
}

/// An installed mod.
#[derive(Clone, Debug, PartialEq)]
pub struct Mod {
    /// Its info.json.
    pub info: ModInfo,
    /// Where its files are.
    pub source: Source,
}

impl AsRef<ModInfo> for Mod {
    fn as_ref(&self) -> &ModInfo {
        &self.info
    }
}

impl AsRef<ModInfo> for ModInfo {
    fn as_ref(&self) -> &ModInfo {
        self
    }
}

impl Mod {
    /// The folder or zip on disk.
    pub fn path(&self) -> &Path {
        match &self.source {
            Source::Folder(p) | Source::Zip { path: p, .. } => p,
        }
    }

    /// Whether it is a zip.
    pub fn is_zip(&self) -> bool {
        matches!(self.source, Source::Zip { .. })
    }

    /// Opens the mod for reading files (a zip is opened once here).
    pub fn open(&self) -> Result<ModFiles, String> {
        match &self.source {
            Source::Folder(p) => Ok(ModFiles::Folder(p.clone())),
            Source::Zip { path, root } => {
                let archive = open_zip(path)?;
                Ok(ModFiles::Zip { archive: Box::new(archive), root: root.clone(), path: path.clone() })
            }
        }
    }

    /// Reads one file by its path relative to the mod's root (`prototypes/item.lua`);
    /// `Ok(None)` when it does not exist.
    pub fn read_file(&self, relative: &str) -> Result<Option<Vec<u8>>, String> {
        self.open()?.read(relative)
    }

    /// The names of the files directly inside folder `relative` (`migrations`), sorted by their
    /// bytes; empty when the folder does not exist.
    pub fn list_files(&self, relative: &str) -> Result<Vec<String>, String> {
        self.open()?.list(relative)
    }
}

/// An opened mod, to read many files from (run_stage's `require`).
pub enum ModFiles {
    /// A folder.
    Folder(PathBuf),
    /// An opened zip.
    Zip {
        /// The archive.
        archive: Box<zip::ZipArchive<File>>,
        /// Its top folder.
        root: String,
        /// The zip file, for messages.
        path: PathBuf,
    },
}

/// Checks a path relative to a mod's root: `/`-separated, no `..`, not absolute.
/// Returns the cleaned parts (`.` and empty parts dropped).
pub fn clean_relative(relative: &str) -> Result<Vec<&str>, String> {
    if relative.starts_with('/') || relative.starts_with('\\') || relative.contains(':') {
        return Err(format!("\"{relative}\": absolute paths are not allowed inside a mod"));
    }
    let parts: Vec<&str> = relative.split(['/', '\\']).filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.contains(&"..") {
        return Err(format!("\"{relative}\": \"..\" is not allowed inside a mod"));
    }
    if parts.is_empty() {
        return Err(format!("\"{relative}\": not a file path"));
    }
    Ok(parts)
}

impl ModFiles {
    /// Reads one file relative to the mod's root; `Ok(None)` when absent.
    pub fn read(&mut self, relative: &str) -> Result<Option<Vec<u8>>, String> {
        let parts = clean_relative(relative)?;
        match self {
            ModFiles::Folder(dir) => {
                let path = parts.iter().fold(dir.clone(), |p, part| p.join(part));
                match std::fs::read(&path) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) if path.is_dir() => Err(format!("{}: is a folder, not a file ({e})", path.display())),
                    Err(e) => Err(format!("{}: {e}", path.display())),
                }
            }
            ModFiles::Zip { archive, root, path } => {
                let name = format!("{root}/{}", parts.join("/"));
                let file = match archive.by_name(&name) {
                    Ok(f) => f,
                    Err(zip::result::ZipError::FileNotFound) => return Ok(None),
                    Err(e) => return Err(format!("{}: {name}: {e}", path.display())),
                };
                if file.is_dir() {
                    return Ok(None);
                }
                if file.size() > MAX_FILE_SIZE {
                    return Err(format!(
                        "{}: {name}: {} bytes is over the {MAX_FILE_SIZE}-byte limit",
                        path.display(),
                        file.size()
                    ));
                }
                let mut bytes = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0));
                file.take(MAX_FILE_SIZE)
                    .read_to_end(&mut bytes)
                    .map_err(|e| format!("{}: {name}: {e}", path.display()))?;
                Ok(Some(bytes))
            }
        }
    }

    /// Whether a file exists.
    pub fn exists(&mut self, relative: &str) -> bool {
        matches!(self.read(relative), Ok(Some(_)))
    }

    /// The names of the files (not folders) directly inside folder `relative`, sorted by their
    /// bytes (the game sorts migrations lexicographically); empty when the folder is absent.
    pub fn list(&mut self, relative: &str) -> Result<Vec<String>, String> {
        let parts = clean_relative(relative)?;
        let mut names = Vec::new();
        match self {
            ModFiles::Folder(dir) => {
                let path = parts.iter().fold(dir.clone(), |p, part| p.join(part));
                let entries = match std::fs::read_dir(&path) {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(names),
                    Err(e) => return Err(format!("{}: {e}", path.display())),
                };
                for entry in entries {
                    let entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
                    if entry.path().is_file() {
                        names.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
            }
            ModFiles::Zip { archive, root, .. } => {
                let prefix = format!("{root}/{}/", parts.join("/"));
                for name in archive.file_names() {
                    if let Some(rest) = name.strip_prefix(&prefix) {
                        if !rest.is_empty() && !rest.contains('/') {
                            names.push(rest.to_owned());
                        }
                    }
                }
            }
        }
        names.sort();
        Ok(names)
    }
}

fn open_zip(path: &Path) -> Result<zip::ZipArchive<File>, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    zip::ZipArchive::new(file).map_err(|e| format!("{}: not a readable zip ({e})", path.display()))
}

/// The single top folder of a zip; every entry must be inside it and none may use `..`.
fn zip_root(archive: &zip::ZipArchive<File>) -> Result<String, String> {
    let mut root: Option<&str> = None;
    for name in archive.file_names() {
        if name.starts_with('/') || name.split(['/', '\\']).any(|p| p == "..") {
            return Err(format!("entry \"{name}\" escapes the zip (absolute or \"..\"); refusing to read it"));
        }
        let Some((top, _)) = name.split_once('/') else {
            return Err(format!(
                "entry \"{name}\" is not inside a top folder (a mod zip holds one folder with info.json in it)"
            ));
        };
        match root {
            None => root = Some(top),
            Some(r) if r == top => {}
            Some(r) => {
                return Err(format!("more than one top folder (\"{r}\" and \"{top}\"); a mod zip holds exactly one"));
            }
        }
    }
    root.map(str::to_owned).ok_or_else(|| "the zip is empty".to_owned())
}

/// Splits `name_version` at the last `_` when what follows is a version.
pub fn split_name_version(stem: &str) -> (&str, Option<Version>) {
    match stem.rsplit_once('_') {
        Some((name, v)) if !name.is_empty() => match Version::parse(v) {
            Ok(version) => (name, Some(version)),
            Err(_) => (stem, None),
        },
        _ => (stem, None),
    }
}

fn check_names(info: &ModInfo, name: &str, version: Option<Version>) -> Result<(), String> {
    if info.name != name {
        return Err(format!(
            "info.json names the mod \"{}\" but the file is named for \"{name}\" (rename one so they match)",
            info.name
        ));
    }
    if let Some(v) = version.filter(|v| *v != info.version) {
        return Err(format!(
            "info.json says version {} but the file name says {v} (rename one so they match)",
            info.version
        ));
    }
    Ok(())
}

fn parse_info(bytes: &[u8], where_: &str) -> Result<ModInfo, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{where_}: not UTF-8 ({e})"))?;
    ModInfo::parse(text).map_err(|e| format!("{where_}: {e}"))
}

/// Loads one mod from a folder or a `name_version.zip`, checking its info.json and name.
pub fn load(path: &Path) -> Result<Mod, String> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if path.is_dir() {
        let info_path = path.join("info.json");
        let bytes = std::fs::read(&info_path)
            .map_err(|e| format!("{}: {e} (every mod needs an info.json)", info_path.display()))?;
        let info = parse_info(&bytes, &info_path.display().to_string())?;
        let (name, version) = split_name_version(&file_name);
        // A folder checked out under another name (a git clone) is still usable when given
        // explicitly; only a name_version folder must agree with info.json.
        if version.is_some() || name == info.name {
            check_names(&info, name, version).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        return Ok(Mod { info, source: Source::Folder(path.to_path_buf()) });
    }
    let stem = file_name.strip_suffix(".zip").ok_or_else(|| format!("{}: not a folder or a .zip", path.display()))?;
    let mut archive = open_zip(path)?;
    let root = zip_root(&archive).map_err(|e| format!("{}: {e}", path.display()))?;
    let info_name = format!("{root}/info.json");
    let bytes = {
        let file = archive.by_name(&info_name).map_err(|_| {
            format!("{}: no {info_name} (every mod needs an info.json in its top folder)", path.display())
        })?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_SIZE)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{}: {info_name}: {e}", path.display()))?;
        bytes
    };
    let info = parse_info(&bytes, &format!("{}/{info_name}", path.display()))?;
    let (name, version) = split_name_version(stem);
    if version.is_none() {
        return Err(format!(
            "{}: a mod zip must be named name_version.zip (here {}_{}.zip)",
            path.display(),
            info.name,
            info.version
        ));
    }
    check_names(&info, name, version).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Mod { info, source: Source::Zip { path: path.to_path_buf(), root } })
}

/// What a scan of a mods folder found.
#[derive(Debug, Default)]
pub struct Scan {
    /// One mod per name: the one the game would load. Sorted by name.
    pub mods: Vec<Mod>,
    /// Other installed copies (older versions, or a folder beside a zip of the same version).
    pub shadowed: Vec<Mod>,
    /// Entries that are not loadable mods, with the reason.
    pub broken: Vec<(PathBuf, String)>,
}

/// Scans a mods folder (or a game's `data` folder): every `*.zip` and every folder.
/// Other files (`mod-list.json`, `mod-settings.dat`, dotfiles) are ignored.
pub fn scan(dir: &Path) -> Result<Scan, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut found: Vec<Mod> = Vec::new();
    let mut result = Scan::default();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let is_zip = name.ends_with(".zip") && path.is_file();
        if !is_zip && !path.is_dir() {
            continue;
        }
        match load(&path) {
            Ok(m) => found.push(m),
            Err(e) => result.broken.push((path, e)),
        }
    }
    // Highest version first; on a tie the zip first.
    found.sort_by(|a, b| {
        natural_cmp(&a.info.name, &b.info.name)
            .then_with(|| b.info.version.cmp(&a.info.version))
            .then_with(|| b.is_zip().cmp(&a.is_zip()))
    });
    for m in found {
        if result.mods.last().is_some_and(|last: &Mod| last.info.name == m.info.name) {
            result.shadowed.push(m);
        } else {
            result.mods.push(m);
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mods");

    fn info_json(name: &str, version: &str) -> String {
        format!(r#"{{"name":"{name}","version":"{version}","title":"{name}","author":"t","dependencies":["base"]}}"#)
    }

    fn write_zip(path: &Path, files: &[(&str, &str)]) {
        let mut w = zip::ZipWriter::new(File::create(path).unwrap());
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in files {
            w.start_file(*name, opts).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }

    fn write_folder(dir: &Path, files: &[(&str, &str)]) {
        for (name, body) in files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
    }

    #[test]
    fn names_split_at_the_last_underscore_before_a_version() {
        let cases = [
            ("flib_0.12.3", ("flib", Some(Version::new(0, 12, 3)))),
            ("my_mod_1.0.0", ("my_mod", Some(Version::new(1, 0, 0)))),
            ("my_mod", ("my_mod", None)),
            ("_1.0.0", ("_1.0.0", None)),
            ("mod_1.0", ("mod_1.0", None)),
        ];
        for (stem, expected) in cases {
            assert_eq!(split_name_version(stem), expected, "{stem}");
        }
    }

    #[test]
    fn relative_paths_stay_inside_the_mod() {
        assert_eq!(clean_relative("./a//b.lua"), Ok(vec!["a", "b.lua"]));
        for bad in ["../x.lua", "a/../../x", "/etc/passwd", "C:/x", ""] {
            assert!(clean_relative(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_fixture_folder_scans_with_zips_folders_and_broken_entries() {
        let scan = scan(Path::new(FIXTURES)).unwrap();
        let names: Vec<String> = scan.mods.iter().map(|m| format!("{} {}", m.info.name, m.info.version)).collect();
        assert_eq!(names, ["fm-app 0.1.0", "fm-library 1.2.0", "fm-optional 0.3.0"]);
        assert!(scan.mods[1].is_zip(), "fm-library comes from its zip");
        let broken: Vec<String> =
            scan.broken.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(broken, ["fm-broken_1.0.0"]);
        assert!(scan.broken[0].1.contains("missing field \"version\""), "{}", scan.broken[0].1);
        let app = &scan.mods[0];
        assert!(app.read_file("data.lua").unwrap().is_some());
        assert_eq!(app.read_file("nope.lua").unwrap(), None);
        let lib = &scan.mods[1];
        let data = String::from_utf8(lib.read_file("prototypes/items.lua").unwrap().unwrap()).unwrap();
        assert!(data.contains("fm-library-item"), "{data}");
    }

    #[test]
    fn the_newest_version_wins_and_the_zip_wins_a_tie() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_zip(&d.join("a_1.0.0.zip"), &[("a_1.0.0/info.json", &info_json("a", "1.0.0"))]);
        write_zip(&d.join("a_1.1.0.zip"), &[("a/info.json", &info_json("a", "1.1.0"))]);
        write_folder(&d.join("b_2.0.0"), &[("info.json", &info_json("b", "2.0.0"))]);
        write_zip(&d.join("b_2.0.0.zip"), &[("b_2.0.0/info.json", &info_json("b", "2.0.0"))]);
        write_folder(&d.join("c"), &[("info.json", &info_json("c", "0.0.1"))]);
        std::fs::write(d.join("mod-list.json"), "{}").unwrap();
        let scan = scan(d).unwrap();
        let chosen: Vec<String> =
            scan.mods.iter().map(|m| format!("{} {} {}", m.info.name, m.info.version, m.is_zip())).collect();
        assert_eq!(chosen, ["a 1.1.0 true", "b 2.0.0 true", "c 0.0.1 false"]);
        let shadowed: Vec<String> =
            scan.shadowed.iter().map(|m| format!("{} {} {}", m.info.name, m.info.version, m.is_zip())).collect();
        assert_eq!(shadowed, ["a 1.0.0 true", "b 2.0.0 false"]);
        assert!(scan.broken.is_empty(), "{:?}", scan.broken);
    }

    #[test]
    fn broken_mods_are_skipped_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_zip(&d.join("flat_1.0.0.zip"), &[("info.json", &info_json("flat", "1.0.0"))]);
        write_zip(&d.join("two_1.0.0.zip"), &[("x/info.json", &info_json("two", "1.0.0")), ("y/data.lua", "")]);
        write_zip(&d.join("evil_1.0.0.zip"), &[("evil/info.json", &info_json("evil", "1.0.0")), ("evil/../../x", "")]);
        write_zip(&d.join("wrong_1.0.0.zip"), &[("wrong/info.json", &info_json("right", "1.0.0"))]);
        write_zip(&d.join("ver_1.0.0.zip"), &[("ver/info.json", &info_json("ver", "2.0.0"))]);
        write_zip(&d.join("noversion.zip"), &[("noversion/info.json", &info_json("noversion", "2.0.0"))]);
        write_zip(&d.join("noinfo_1.0.0.zip"), &[("noinfo/data.lua", "")]);
        std::fs::write(d.join("garbage_1.0.0.zip"), b"not a zip").unwrap();
        write_folder(&d.join("badjson"), &[("info.json", "{\"name\": ")]);
        let scan = scan(d).unwrap();
        assert!(scan.mods.is_empty(), "{:?}", scan.mods);
        let reasons: Vec<(String, String)> = scan
            .broken
            .iter()
            .map(|(p, e)| (p.file_name().unwrap().to_string_lossy().into_owned(), e.clone()))
            .collect();
        let expect = [
            ("badjson", "EOF while parsing a value at line 1 column 9"),
            ("evil_1.0.0.zip", "entry \"evil/../../x\" escapes the zip (absolute or \"..\"); refusing to read it"),
            (
                "flat_1.0.0.zip",
                "entry \"info.json\" is not inside a top folder (a mod zip holds one folder with info.json in it)",
            ),
            ("garbage_1.0.0.zip", "not a readable zip ("),
            ("noinfo_1.0.0.zip", "no noinfo/info.json (every mod needs an info.json in its top folder)"),
            ("noversion.zip", "a mod zip must be named name_version.zip (here noversion_2.0.0.zip)"),
            ("two_1.0.0.zip", "more than one top folder (\"x\" and \"y\"); a mod zip holds exactly one"),
            ("ver_1.0.0.zip", "info.json says version 2.0.0 but the file name says 1.0.0 (rename one so they match)"),
            (
                "wrong_1.0.0.zip",
                "info.json names the mod \"right\" but the file is named for \"wrong\" (rename one so they match)",
            ),
        ];
        assert_eq!(reasons.len(), expect.len(), "{reasons:#?}");
        for ((file, reason), (want_file, want)) in reasons.iter().zip(expect) {
            assert_eq!(file, want_file);
            assert!(reason.contains(want), "{file}: {reason}");
        }
    }

    #[test]
    fn reading_from_a_zip_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("z_1.0.0.zip");
        write_zip(&path, &[("z/info.json", &info_json("z", "1.0.0")), ("z/lib/util.lua", "return 1")]);
        let m = load(&path).unwrap();
        let mut files = m.open().unwrap();
        assert_eq!(files.read("lib/util.lua").unwrap(), Some(b"return 1".to_vec()));
        assert_eq!(files.read("./lib//util.lua").unwrap(), Some(b"return 1".to_vec()));
        assert_eq!(files.read("lib").unwrap(), None);
        assert!(files.read("../z/info.json").is_err());
        assert!(files.exists("info.json"));
    }

    #[test]
    fn a_folder_lists_the_same_in_a_zip_and_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("m/info.json", "{}"),
            ("m/migrations/b.lua", ""),
            ("m/migrations/2.0.0.json", ""),
            ("m/migrations/2.0.0-internal.json", ""),
            ("m/migrations/sub/deep.lua", ""),
        ];
        let zip_path = dir.path().join("m_1.0.0.zip");
        write_zip(&zip_path, &files);
        write_folder(dir.path(), &files);
        let want = ["2.0.0-internal.json", "2.0.0.json", "b.lua"];
        for m in [
            ModFiles::Zip { archive: Box::new(open_zip(&zip_path).unwrap()), root: "m".into(), path: zip_path.clone() },
            ModFiles::Folder(dir.path().join("m")),
        ] {
            let mut m = m;
            assert_eq!(m.list("migrations").unwrap(), want);
            assert!(m.list("nothing").unwrap().is_empty());
            assert!(m.list("../x").is_err());
        }
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let err = scan(Path::new("/nonexistent/mods")).unwrap_err();
        assert!(err.starts_with("/nonexistent/mods: "), "{err}");
    }
}
