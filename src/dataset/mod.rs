//! Datasets: where `data.raw` comes from, and checking that it is what it claims to be.
//!
//! A dataset is one of
//! * a built-in vanilla dataset (core + base of a game version in [`builtin::VERSIONS`]),
//!   compressed inside the library;
//! * a `data-raw-dump.json` as the game's `--dump-data` writes it;
//! * a directory in the layout of DESIGN.md: `prototype/data-raw.json`, or the generator's Lua
//!   files under `prototype/data-raw/`, with `metadata.json` or `metadata.lua` beside them.
//!
//! JSON is parsed once into a [`Tree`]: per process in memory, and per machine in the cache
//! (`<cache>/trees/`), so later test runs skip the parse entirely.

pub mod builtin;
mod checksum;
pub mod game_lua;
mod metadata;
pub mod tree;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::cache::{Expiry, FsStore, Key, Store};

pub use checksum::{adler32_hex, hex, sha256_hex};
pub use metadata::Metadata;
pub use tree::{Tree, TreeError};

/// The game version of the built-in dataset a session gets when nothing names one.
pub const BUILTIN_FACTORIO_VERSION: &str = builtin::DEFAULT;

/// Why a dataset could not be opened or read.
#[derive(Debug)]
pub enum Error {
    /// The path given as a dataset does not exist.
    NotFound { path: PathBuf },
    /// The directory is not in a dataset layout.
    NoLayout { path: PathBuf },
    /// A file could not be read.
    Io { path: PathBuf, source: std::io::Error },
    /// A JSON file is malformed.
    Parse { path: PathBuf, source: TreeError },
    /// A file's checksum differs from the one in the metadata.
    Checksum { path: PathBuf, algorithm: &'static str, expected: String, actual: String },
    /// The metadata itself is malformed.
    Metadata { path: PathBuf, message: String },
    /// A dataset file asked for a path outside the dataset folder.
    Outside { dir: PathBuf, relative: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { path } => write!(
                f,
                "dataset {}: no such file or directory; pass a dataset directory, a data-raw-dump.json, \
                 or nil for the built-in vanilla dataset",
                path.display()
            ),
            Error::NoLayout { path } => write!(
                f,
                "dataset {}: neither prototype/data-raw.json nor prototype/data-raw/init.lua is there; \
                 point at the dataset's top folder (the one holding metadata.json or metadata.lua)",
                path.display()
            ),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Parse { path, source } => {
                write!(f, "{}:{source}; the file is not valid JSON, regenerate or re-fetch it", path.display())
            }
            Error::Checksum { path, algorithm, expected, actual } => write!(
                f,
                "{}: {algorithm} checksum mismatch (metadata says {expected}, file has {actual}); \
                 the file was changed or damaged: re-fetch the dataset or regenerate its metadata",
                path.display()
            ),
            Error::Metadata { path, message } => write!(f, "{}: {message}", path.display()),
            Error::Outside { dir, relative } => write!(
                f,
                "dataset {}: refused to read {relative:?}: it leaves the dataset folder (an absolute path, `..`, \
                 or a link pointing outside); a dataset may only read its own files, so regenerate or re-fetch it",
                dir.display()
            ),
        }
    }
}

impl std::error::Error for Error {}

/// How a dataset stores `data.raw`.
#[derive(Debug, Clone, PartialEq)]
pub enum Layout {
    /// A built-in dataset: a game version and which of its game mods.
    Builtin(&'static builtin::Version, builtin::Set),
    /// A JSON file in the game's `--dump-data` format.
    Json(PathBuf),
    /// The generator's Lua files: `prototype/data-raw/init.lua` and one file per type.
    Lua(PathBuf),
}

/// An opened dataset: its layout and, for directories, its metadata.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The dataset's top folder (none for the built-in dataset and a lone JSON file).
    pub dir: Option<PathBuf>,
    pub layout: Layout,
    pub metadata: Metadata,
}

impl Dataset {
    /// The built-in dataset of game version `version` (`"2.1.9"`, or `"2.1"` for the newest of
    /// that line; None: [`builtin::DEFAULT`]) holding the game mods of `set`.
    pub fn builtin(version: Option<&str>, set: builtin::Set) -> Result<Dataset, builtin::UnknownVersion> {
        let version = builtin::find(version)?;
        let metadata = Metadata { factorio_version: Some(version.version.into()), ..Metadata::default() };
        Ok(Dataset { dir: None, layout: Layout::Builtin(version, set), metadata })
    }

    /// Opens a local dataset: a directory in the dataset layout or a `data-raw-dump.json`.
    /// `metadata.lua` is Lua and is read by the caller (see [`Dataset::needs_lua_metadata`]).
    pub fn open(path: &Path) -> Result<Dataset, Error> {
        if !path.exists() {
            return Err(Error::NotFound { path: path.to_path_buf() });
        }
        if path.is_file() {
            return Ok(Dataset { dir: None, layout: Layout::Json(path.to_path_buf()), metadata: Metadata::default() });
        }
        let json = path.join("prototype").join("data-raw.json");
        let lua = path.join("prototype").join("data-raw").join("init.lua");
        let layout = if json.is_file() {
            Layout::Json(json)
        } else if lua.is_file() {
            Layout::Lua(path.to_path_buf())
        } else {
            return Err(Error::NoLayout { path: path.to_path_buf() });
        };
        let metadata_json = path.join("metadata.json");
        let metadata = if metadata_json.is_file() {
            Metadata::from_json(&metadata_json, &read_file(&metadata_json)?)?
        } else {
            Metadata::default()
        };
        Ok(Dataset { dir: Some(path.to_path_buf()), layout, metadata })
    }

    /// The `metadata.lua` to evaluate when there is no `metadata.json`.
    pub fn needs_lua_metadata(&self) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let lua = dir.join("metadata.lua");
        (!dir.join("metadata.json").is_file() && lua.is_file()).then_some(lua)
    }

    /// Reads a file of the dataset by its path relative to the top folder, checked against the
    /// metadata's checksums when it lists the file.
    pub fn read(&self, relative: &str) -> Result<Vec<u8>, Error> {
        let dir = self.dir.as_ref().ok_or_else(|| Error::NotFound { path: PathBuf::from(relative) })?;
        let path = dir.join(relative);
        let bytes = match game_lua::resolve_inside(dir, relative) {
            game_lua::Inside::File(real) => {
                std::fs::read(real).map_err(|source| Error::Io { path: path.clone(), source })?
            }
            game_lua::Inside::Missing => read_file(&path)?,
            game_lua::Inside::Outside => {
                return Err(Error::Outside { dir: dir.clone(), relative: relative.to_string() });
            }
        };
        self.metadata.verify(relative, &path, &bytes)?;
        Ok(bytes)
    }

    /// A file of the game's own Lua the dataset carries (`lua/<module>/<relative>`), or None.
    pub fn game_file(&self, module: &str, relative: &str) -> Result<Option<Vec<u8>>, Error> {
        match (&self.layout, &self.dir) {
            (Layout::Builtin(version, set), _) => {
                Ok(game_lua::builtin_file(version, *set, module, relative).map(<[u8]>::to_vec))
            }
            (_, Some(dir)) => {
                let rel = format!("lua/{module}/{relative}");
                let bytes = game_lua::folder_file(dir, module, relative)
                    .map_err(|source| Error::Io { path: dir.join(&rel), source })?;
                if let Some(bytes) = &bytes {
                    self.metadata.verify(&rel, &dir.join(&rel), bytes)?;
                }
                Ok(bytes)
            }
            (_, None) => Ok(None),
        }
    }

    /// The game mods whose Lua the dataset carries (`core`, `base`, …).
    pub fn game_mods(&self) -> Vec<String> {
        match (&self.layout, &self.dir) {
            (Layout::Builtin(version, set), _) => game_lua::builtin_mods(version, *set),
            (_, Some(dir)) => game_lua::folder_mods(dir),
            (_, None) => Vec::new(),
        }
    }

    /// The parsed `data.raw` of a built-in or JSON dataset.
    pub fn tree(&self) -> Result<Arc<Tree>, Error> {
        match &self.layout {
            Layout::Builtin(version, set) => builtin_tree(version, *set),
            Layout::Json(path) => self.json_tree(path),
            Layout::Lua(dir) => Err(Error::Metadata {
                path: dir.clone(),
                message: "a Lua-layout dataset has no JSON tree (internal error)".into(),
            }),
        }
    }

    fn json_tree(&self, path: &Path) -> Result<Arc<Tree>, Error> {
        let stamp = FileStamp::of(path)?;
        let relative = self.dir.as_ref().and_then(|dir| path.strip_prefix(dir).ok());
        let relative = relative.map(|r| r.to_string_lossy().replace('\\', "/"));
        // The digests the metadata expects are part of the key: a tree parsed (and checked)
        // under other metadata is never served for this one, which must be checked afresh.
        let expected = relative.as_deref().map(|r| self.metadata.expected(r)).unwrap_or_default();
        let key = format!("{}|{}|{}|{expected}", path.display(), stamp.len, stamp.modified_ns);
        memoized(&key, || {
            cached_tree(&key, || {
                let bytes = read_file(path)?;
                if let Some(relative) = &relative {
                    self.metadata.verify(relative, path, &bytes)?;
                }
                Tree::from_json(&bytes).map_err(|source| Error::Parse { path: path.to_path_buf(), source })
            })
        })
    }
}

fn builtin_tree(version: &builtin::Version, set: builtin::Set) -> Result<Arc<Tree>, Error> {
    let gz = version.data_raw_gz(set);
    let key = format!("builtin|{}|{}|{}|{}", version.version, set.name(), crate::VERSION, gz.len());
    memoized(&key, || {
        cached_tree(&key, || {
            let builtin = PathBuf::from(format!("<built-in dataset {} {}>", version.version, set.name()));
            let mut json = Vec::with_capacity(gz.len() * 16);
            flate2::read::GzDecoder::new(gz)
                .read_to_end(&mut json)
                .map_err(|source| Error::Io { path: builtin.clone(), source })?;
            Tree::from_json(&json).map_err(|source| Error::Parse { path: builtin, source })
        })
    })
}

/// Parsed trees of this process, by source and modification stamp.
fn memoized(key: &str, load: impl FnOnce() -> Result<Tree, Error>) -> Result<Arc<Tree>, Error> {
    static TREES: OnceLock<Mutex<HashMap<String, Arc<Tree>>>> = OnceLock::new();
    let trees = TREES.get_or_init(Default::default);
    if let Some(tree) = trees.lock().ok().and_then(|t| t.get(key).cloned()) {
        return Ok(tree);
    }
    let tree = Arc::new(load()?);
    if let Ok(mut trees) = trees.lock() {
        trees.insert(key.to_string(), tree.clone());
    }
    Ok(tree)
}

struct FileStamp {
    len: u64,
    modified_ns: u128,
}

impl FileStamp {
    fn of(path: &Path) -> Result<FileStamp, Error> {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        let modified_ns =
            meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        Ok(FileStamp { len: meta.len(), modified_ns })
    }
}

/// A parsed tree stays in the cache this long after its last use (an edited JSON dataset's
/// old trees then go at the next prune).
pub const TREE_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// A tree in use gets its expiry renewed at most this often (one small write).
const TREE_RENEW: Duration = Duration::from_secs(24 * 3600);

/// The parsed tree of `key` (its source and stamp) from the cache's tree store, or `parse`d
/// and stored there. Fills take the entry's lock, so concurrent processes parse once; a damaged
/// entry is parsed again and replaced. A cache that cannot be written only costs a parse next
/// time; `FACTORIO_MOCKS_NO_TREE_CACHE` leaves the cache out.
fn cached_tree(key: &str, parse: impl FnOnce() -> Result<Tree, Error>) -> Result<Tree, Error> {
    if std::env::var_os("FACTORIO_MOCKS_NO_TREE_CACHE").is_some() {
        return parse();
    }
    let store = FsStore::new(&crate::cache::root_dir(), crate::cache::TREE_STORE);
    let key = Key::new(&format!("tree\n{key}"));
    if let Some(tree) = read_cached_tree(&store, &key) {
        return Ok(tree);
    }
    let lock = store.lock(&key).ok();
    if lock.is_some() {
        if let Some(tree) = read_cached_tree(&store, &key) {
            return Ok(tree);
        }
    }
    let tree = parse()?;
    if lock.is_some() {
        write_cached_tree(&store, &key, &tree);
    }
    Ok(tree)
}

/// A damaged or unreadable entry is treated as absent. An entry in use is renewed.
fn read_cached_tree(store: &FsStore, key: &Key) -> Option<Tree> {
    let hit = store.get(key)?;
    let tree = Tree::from_file(&hit.path).ok()?;
    let _ = store.renew(key, Expiry::after(TREE_TTL), TREE_RENEW);
    Some(tree)
}

fn write_cached_tree(store: &FsStore, key: &Key, tree: &Tree) {
    let Ok(temp) = store.temp_path(key) else { return };
    let written = std::fs::File::create(&temp).and_then(|mut f| tree.write_stored(&mut f));
    if written.is_err() || store.commit(key, &temp, Expiry::after(TREE_TTL)).is_err() {
        crate::cache::discard(&temp);
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn every_builtin_dataset_has_vanilla_data_raw_and_a_set_with_the_expansions() {
        use builtin::Set;
        for version in builtin::VERSIONS {
            let types_of = |set| {
                let ds = Dataset::builtin(Some(version.version), set).unwrap();
                assert_eq!(ds.metadata.factorio_version.as_deref(), Some(version.version));
                let tree = ds.tree().unwrap();
                tree.root_entries().unwrap().into_iter().map(|(k, _)| k).collect::<Vec<String>>()
            };
            let (base, expansions) = (types_of(Set::Base), types_of(Set::Expansions));
            assert!(base.len() > 200, "{}: {} types", version.version, base.len());
            for t in ["recipe", "item", "assembling-machine", "technology", "fluid"] {
                assert!(base.iter().any(|k| k == t), "{}: {t} missing", version.version);
            }
            // Types only the expansions define (base has nauvis, normal quality and asteroid chunks).
            for t in ["asteroid", "space-connection", "space-platform-hub", "thruster"] {
                assert!(!base.iter().any(|k| k == t), "{}: {t} in base", version.version);
                assert!(expansions.iter().any(|k| k == t), "{}: {t} missing with the expansions", version.version);
            }
        }
        let default = Dataset::builtin(None, Set::Base).unwrap();
        assert_eq!(default.metadata.factorio_version.as_deref(), Some(builtin::DEFAULT));
        assert!(Dataset::builtin(Some("2.2"), Set::Base).unwrap_err().to_string().contains("2.1.9, 2.0.77"));
    }

    #[test]
    fn opens_directories_by_layout_and_names_what_is_missing() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Dataset::open(&tmp.path().join("nope")).unwrap_err();
        assert!(err.to_string().contains("no such file or directory"), "{err}");
        let err = Dataset::open(tmp.path()).unwrap_err();
        assert!(err.to_string().contains("prototype/data-raw.json"), "{err}");

        write(tmp.path(), "prototype/data-raw/init.lua", "return {}");
        assert_eq!(Dataset::open(tmp.path()).unwrap().layout, Layout::Lua(tmp.path().to_path_buf()));
        write(tmp.path(), "prototype/data-raw.json", "{}");
        assert!(matches!(Dataset::open(tmp.path()).unwrap().layout, Layout::Json(_)));
    }

    #[test]
    fn verifies_files_against_metadata_checksums() {
        let tmp = tempfile::tempdir().unwrap();
        let body = r#"{"recipe": {"a": {"type": "recipe", "name": "a"}}}"#;
        write(tmp.path(), "prototype/data-raw.json", body);
        let good = adler32_hex(body.as_bytes());
        write(
            tmp.path(),
            "metadata.json",
            &format!(r#"{{"hash_algorithm": "adler32", "checksums": {{"prototype/data-raw.json": "{good}"}}}}"#),
        );
        let ds = Dataset::open(tmp.path()).unwrap();
        assert!(ds.read("prototype/data-raw.json").is_ok());

        write(tmp.path(), "prototype/data-raw.json", &body.replace("\"a\"", "\"b\""));
        let err = ds.read("prototype/data-raw.json").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("data-raw.json: adler32 checksum mismatch"), "{text}");
        assert!(text.contains(&good), "{text}");
    }

    // See: issue 13 (a dataset's require reached any .lua file on the machine).
    #[test]
    fn read_refuses_paths_out_of_the_dataset() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ds");
        write(&root, "prototype/data-raw/init.lua", "return {}");
        write(tmp.path(), "secret.lua", "return 'secret'");
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path(), root.join("prototype/up")).unwrap();
        let ds = Dataset::open(&root).unwrap();
        assert_eq!(ds.read("prototype/data-raw/init.lua").unwrap(), b"return {}");
        let secret = tmp.path().join("secret.lua").display().to_string();
        let mut escapes = vec![secret.clone(), "../secret.lua".to_string(), "prototype/../../secret.lua".to_string()];
        if cfg!(unix) {
            escapes.push("prototype/up/secret.lua".to_string());
        }
        for rel in &escapes {
            let err = ds.read(rel).unwrap_err();
            assert!(matches!(err, Error::Outside { .. }), "{rel}: {err}");
            assert!(err.to_string().contains("leaves the dataset folder"), "{err}");
        }
        let err = ds.read("prototype/none.lua").unwrap_err();
        assert!(err.to_string().contains("none.lua"), "{err}");
    }
}
