//! The on-disk cache: where it lives and how entries are written safely.
//!
//! Layout and rules are in DESIGN.md ("Cache"): SHA1 keys, two-level folders, writes to a
//! temporary file renamed into place.
//!
//! A [`Store`] is one namespace of entries (the fetcher keeps one for API answers and one for
//! downloads, so neither can shadow the other). An entry is a data path (file or folder) plus a
//! small `.meta` sidecar holding its expiry; the sidecar is written last, so an entry without
//! one is incomplete and never served. Fills happen under [`with_lock`], an exclusive `flock` on
//! a `.lock` sidecar, and write to a temporary path that [`Store::commit`] renames into place
//! only after the caller has checked the digests.
//!
//! Cleaning deletes only what the cache made: the root is marked by a `CACHEDIR.TAG` written
//! when the cache creates it ([`MARKER`]), [`Caches::prune`] and [`Caches::clear`] refuse a
//! folder without it (unless it holds nothing but the stores, as a cache made before the marker
//! does), and inside the stores they touch only names in the entry layout (two hex characters,
//! then the key's 38 with its sidecar or temporary suffix). Anything else is kept and reported.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha1::{Digest, Sha1};

/// The cache root: `FACTORIO_MOCKS_CACHE_DIR`, else the platform cache folder + `factorio-mocks`.
pub fn root_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FACTORIO_MOCKS_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    platform_cache_dir().join("factorio-mocks")
}

fn platform_cache_dir() -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    if cfg!(target_os = "macos") {
        if let Some(h) = home() {
            return h.join("Library").join("Caches");
        }
    } else if cfg!(windows) {
        if let Some(d) = std::env::var_os("LOCALAPPDATA") {
            return PathBuf::from(d);
        }
    } else if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    } else if let Some(h) = home() {
        return h.join(".cache");
    }
    std::env::temp_dir()
}

/// Lock files, temporary files and half-written entries untouched for this long are orphans.
pub const ORPHAN_AGE: Duration = Duration::from_secs(3600);

/// The name of the store holding API answers (tag resolutions, manifests, metadata files).
pub const API_STORE: &str = "api";
/// The name of the store holding downloads (blobs, unpacked datasets).
pub const DOWNLOAD_STORE: &str = "downloads";
/// The name of the store holding parsed prototype trees of JSON datasets (see
/// [`crate::dataset::Tree`]).
pub const TREE_STORE: &str = "trees";
/// Every store a cache root holds.
pub const STORES: [&str; 3] = [API_STORE, DOWNLOAD_STORE, TREE_STORE];

/// The file marking a folder as a factorio-mocks cache: a cache directory tag
/// (<https://bford.info/cachedir/>, which backup tools skip) naming factorio-mocks.
pub const MARKER: &str = "CACHEDIR.TAG";
const MARKER_SIGNATURE: &str = "Signature: 8a477f597d28d172789f06886806bc55";
const MARKER_TEXT: &str = "Signature: 8a477f597d28d172789f06886806bc55
# This file is a cache directory tag created by factorio-mocks.
# fm.cache.prune(), fm.cache.clear() and `factorio-mocks cache prune|clear` delete only the
# entries factorio-mocks made in api/, downloads/ and trees/; anything else here is kept.
";

/// True when `root` carries the marker factorio-mocks writes.
pub fn is_marked(root: &Path) -> bool {
    fs::read_to_string(root.join(MARKER)).is_ok_and(|t| t.starts_with(MARKER_SIGNATURE) && t.contains("factorio-mocks"))
}

/// What `root` holds besides the marker and the stores. `NotFound` when there is no `root`.
fn foreign_entries(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut foreign = Vec::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        // The marker's own temporary (`.CACHEDIR.TAG.tmp…`, a write that was killed) is ours too.
        let marker_temp = name.to_str().is_some_and(|n| n.starts_with(&format!(".{MARKER}.tmp")));
        let known = name == MARKER
            || marker_temp
            || STORES.iter().any(|s| name == *s) && entry.file_type().is_ok_and(|t| t.is_dir());
        if !known {
            foreign.push(entry.path());
        }
    }
    foreign.sort();
    Ok(foreign)
}

/// Marks `root` as a cache when the cache creates it, or finds it empty or holding only the
/// stores (a cache made before the marker existed). A folder with anything else in it is left
/// unmarked: entries can be filled there, but it is never cleaned. True when marked.
pub fn ensure_marked(root: &Path) -> io::Result<bool> {
    if is_marked(root) {
        return Ok(true);
    }
    match foreign_entries(root) {
        Ok(foreign) if !foreign.is_empty() => return Ok(false),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(root)?,
        Err(e) => return Err(e),
    }
    crate::fsutil::write_atomically(&root.join(MARKER), MARKER_TEXT.as_bytes())?;
    Ok(true)
}

/// The error cleaning an unmarked folder gives: nothing there is deleted.
fn not_a_cache(root: &Path, foreign: &[PathBuf]) -> io::Error {
    let names: Vec<String> =
        foreign.iter().take(3).map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    let more = if foreign.len() > 3 { format!(" and {} more", foreign.len() - 3) } else { String::new() };
    io::Error::other(format!(
        "{} is not a factorio-mocks cache folder (it has no {MARKER} written by factorio-mocks, and holds {}{more}), so nothing was deleted; \
         point FACTORIO_MOCKS_CACHE_DIR (or cache_dir) at a folder of its own",
        root.display(),
        names.join(", ")
    ))
}

/// A cache key: the SHA1 of the request text. The request text must never hold a credential.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// The key of a request, e.g. `"oci-tag\n127.0.0.1:5000/datasets/vanilla:stable"`.
    pub fn new(request: &str) -> Key {
        let digest = Sha1::digest(request.as_bytes());
        Key(crate::dataset::hex(&digest))
    }

    /// The 40 hex characters.
    pub fn hex(&self) -> &str {
        &self.0
    }
}

/// When an entry stops being fresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// Content-addressed entries (digest pins, blobs) are immutable.
    Never,
    /// Seconds since the Unix epoch.
    At(u64),
}

impl Expiry {
    /// Fresh for `ttl` from now.
    pub fn after(ttl: Duration) -> Expiry {
        Expiry::At(now_secs().saturating_add(ttl.as_secs()))
    }

    fn is_past(self) -> bool {
        match self {
            Expiry::Never => false,
            Expiry::At(t) => now_secs() >= t,
        }
    }

    fn encode(self) -> String {
        match self {
            Expiry::Never => "expires never\n".to_string(),
            Expiry::At(t) => format!("expires {t}\n"),
        }
    }

    fn decode(text: &str) -> Option<Expiry> {
        let value = text.lines().find_map(|l| l.strip_prefix("expires "))?.trim();
        if value == "never" { Some(Expiry::Never) } else { value.parse().ok().map(Expiry::At) }
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A complete entry found in a store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The entry's data: a file or a folder.
    pub path: PathBuf,
    /// False once the entry's expiry has passed (offline mode may still serve it).
    pub fresh: bool,
}

/// What [`Store::prune`] removed, and what it kept because the cache did not make it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Expired entries removed.
    pub expired: usize,
    /// Orphaned lock files, temporary files and half-written entries removed.
    pub orphans: usize,
    /// Files and folders outside the entry layout, left where they are.
    pub kept: Vec<PathBuf>,
}

/// What [`Store::clear`] removed and kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cleared {
    /// Entries removed (with their sidecars and temporaries).
    pub removed: usize,
    /// Files and folders outside the entry layout, left where they are.
    pub kept: Vec<PathBuf>,
}

/// What a name inside a store's shard folder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Name {
    /// An entry's data: the key's 38 hex characters after the shard's two.
    Data,
    /// `<data>.meta`.
    Meta,
    /// `<data>.lock`.
    Lock,
    /// A fill's `<data>.tmp-…`, an atomic write's `.<data>[.meta].tmp…`, or (in `trees/`) the
    /// `.tmp-…` of the tree cache before it was a store.
    Temp,
    /// A tree file of the tree cache before it was a store: all 40 hex characters.
    LegacyTree,
    /// Not made by the cache.
    Foreign,
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn classify(store: &str, shard: &str, name: &str) -> Name {
    let (head, tail) = name.split_at(name.len().min(38));
    if is_hex(head, 38) {
        match tail {
            "" => return Name::Data,
            ".meta" => return Name::Meta,
            ".lock" => return Name::Lock,
            t if t.starts_with(".tmp-") => return Name::Temp,
            _ => {}
        }
    }
    if let Some(rest) = name.strip_prefix('.') {
        let (head, tail) = rest.split_at(rest.len().min(38));
        if is_hex(head, 38) && (tail.starts_with(".tmp") || tail.starts_with(".meta.tmp")) {
            return Name::Temp;
        }
    }
    if store == TREE_STORE {
        if is_hex(name, 40) && name.starts_with(shard) {
            return Name::LegacyTree;
        }
        if name.starts_with(".tmp-") {
            return Name::Temp;
        }
    }
    Name::Foreign
}

/// One namespace of cache entries. The filesystem backend is [`FsStore`]; the trait keeps the
/// fetcher independent of it (tests or another backend can stand in).
pub trait Store: Send + Sync {
    /// The complete entry for `key`, fresh or not.
    fn get(&self, key: &Key) -> Option<Hit>;
    /// Takes the entry's exclusive fill lock, blocking until it is free.
    fn lock(&self, key: &Key) -> io::Result<Lock>;
    /// A fresh temporary path beside the entry (nothing exists there yet) for the caller to fill.
    fn temp_path(&self, key: &Key) -> io::Result<PathBuf>;
    /// Moves a filled temporary path into place as the entry and records its expiry. Call it
    /// only after the content's digests have been checked, and while holding the lock.
    fn commit(&self, key: &Key, temp: &Path, expiry: Expiry) -> io::Result<PathBuf>;
    /// Removes the entry (data and sidecar); absent entries are fine.
    fn remove(&self, key: &Key) -> io::Result<()>;
    /// Records a new expiry for a complete entry (one kept while it is used), unless its
    /// expiry was recorded less than `min_age` ago.
    fn renew(&self, key: &Key, expiry: Expiry, min_age: Duration) -> io::Result<()>;
    /// Removes expired entries and orphans (locks, temporaries, half-written entries) older
    /// than [`ORPHAN_AGE`]; names outside the entry layout are kept and listed.
    fn prune(&self) -> io::Result<PruneStats>;
    /// Removes every entry; names outside the entry layout are kept and listed.
    fn clear(&self) -> io::Result<Cleared>;
}

/// Runs `fill` while holding `key`'s exclusive lock. Every fill goes through here, so
/// concurrent processes fetching the same thing download it once.
pub fn with_lock<T, E: From<io::Error>>(
    store: &dyn Store,
    key: &Key,
    fill: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let _lock = store.lock(key)?;
    fill()
}

/// Takes the locks of several entries at once (one fill of many entries, such as the layers of
/// an artifact downloaded together). They are taken in key order, so two processes whose sets
/// overlap never each hold a lock the other waits for. Released when the returned value drops.
pub fn lock_all<'a>(store: &dyn Store, keys: impl IntoIterator<Item = &'a Key>) -> io::Result<Vec<Lock>> {
    let mut keys: Vec<&Key> = keys.into_iter().collect();
    keys.sort_by(|a, b| a.hex().cmp(b.hex()));
    keys.dedup();
    keys.into_iter().map(|k| store.lock(k)).collect()
}

/// Removes a temporary path left by a failed fill (file or folder).
pub fn discard(temp: &Path) {
    let _ = remove_any(temp);
}

/// The filesystem backend: `<root>/<name>/<k[0..2]>/<k[2..]>` plus `.meta` and `.lock` sidecars.
#[derive(Clone, Debug)]
pub struct FsStore {
    root: PathBuf,
    name: &'static str,
    dir: PathBuf,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl FsStore {
    /// The store `name` (one of [`STORES`]) under the cache root `root`.
    pub fn new(root: &Path, name: &'static str) -> FsStore {
        FsStore { root: root.to_path_buf(), name, dir: root.join(name) }
    }

    /// The folder holding this store.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn data_path(&self, key: &Key) -> PathBuf {
        let (a, b) = key.hex().split_at(2);
        self.dir.join(a).join(b)
    }

    fn sidecar(&self, key: &Key, ext: &str) -> PathBuf {
        let mut p = self.data_path(key).into_os_string();
        p.push(ext);
        PathBuf::from(p)
    }

    fn write_meta(&self, key: &Key, expiry: Expiry) -> io::Result<()> {
        let meta = self.sidecar(key, ".meta");
        crate::fsutil::write_atomically(&meta, expiry.encode().as_bytes())
    }
}

impl Store for FsStore {
    fn get(&self, key: &Key) -> Option<Hit> {
        let meta = fs::read_to_string(self.sidecar(key, ".meta")).ok()?;
        let expiry = Expiry::decode(&meta)?;
        let path = self.data_path(key);
        fs::symlink_metadata(&path).ok()?;
        Some(Hit { path, fresh: !expiry.is_past() })
    }

    fn lock(&self, key: &Key) -> io::Result<Lock> {
        ensure_marked(&self.root)?;
        let path = self.sidecar(key, ".lock");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        Lock::acquire(&path)
    }

    fn temp_path(&self, key: &Key) -> io::Result<PathBuf> {
        ensure_marked(&self.root)?;
        let data = self.data_path(key);
        if let Some(parent) = data.parent() {
            fs::create_dir_all(parent)?;
        }
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut p = data.into_os_string();
        p.push(format!(".tmp-{}-{n}", std::process::id()));
        Ok(PathBuf::from(p))
    }

    fn commit(&self, key: &Key, temp: &Path, expiry: Expiry) -> io::Result<PathBuf> {
        let data = self.data_path(key);
        // Readers trust the sidecar: drop it first so nobody serves the entry mid-swap.
        match fs::remove_file(self.sidecar(key, ".meta")) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if fs::symlink_metadata(&data).map(|m| m.is_dir()).unwrap_or(false) {
            // A folder cannot be renamed over a non-empty one: move the old one aside first.
            let aside = self.temp_path(key)?;
            fs::rename(&data, &aside)?;
            discard(&aside);
        }
        fs::rename(temp, &data)?;
        self.write_meta(key, expiry)?;
        Ok(data)
    }

    fn remove(&self, key: &Key) -> io::Result<()> {
        for p in [self.sidecar(key, ".meta"), self.data_path(key)] {
            match remove_any(&p) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    fn renew(&self, key: &Key, expiry: Expiry, min_age: Duration) -> io::Result<()> {
        let meta = self.sidecar(key, ".meta");
        if !fs::symlink_metadata(&meta).is_ok_and(|m| m.is_file()) || !is_older_than(&meta, min_age) {
            return Ok(());
        }
        self.write_meta(key, expiry)
    }

    fn prune(&self) -> io::Result<PruneStats> {
        let mut stats = PruneStats::default();
        let Some(shards) = self.shards(&mut stats.kept)? else { return Ok(stats) };
        for (shard, names) in shards {
            let shard_name = shard.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            for path in &names {
                let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                    stats.kept.push(path.clone());
                    continue;
                };
                let old = is_older_than(path, ORPHAN_AGE);
                let kind = classify(self.name, &shard_name, name);
                if kind == Name::Foreign {
                    stats.kept.push(path.clone());
                } else if kind == Name::LegacyTree {
                    if old && remove_any(path).is_ok() {
                        stats.orphans += 1;
                    }
                } else if kind == Name::Meta {
                    let expired =
                        fs::read_to_string(path).ok().and_then(|t| Expiry::decode(&t)).is_none_or(|e| e.is_past());
                    if expired {
                        let data = path.with_extension("");
                        // Take the lock so a concurrent fill is never cut in half.
                        let key_hex = format!(
                            "{shard_name}{}",
                            data.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                        );
                        let key = Key(key_hex);
                        if let Ok(_l) = self.lock(&key) {
                            if self.get(&key).is_none_or(|h| !h.fresh) {
                                self.remove(&key)?;
                                stats.expired += 1;
                            }
                        }
                    }
                } else if kind == Name::Lock {
                    if old && Lock::remove_if_orphan(path) {
                        stats.orphans += 1;
                    }
                } else if kind == Name::Temp {
                    if old && remove_any(path).is_ok() {
                        stats.orphans += 1;
                    }
                } else {
                    // Data without a sidecar: a fill that died between rename and meta.
                    let mut meta = path.clone().into_os_string();
                    meta.push(".meta");
                    if old && !Path::new(&meta).exists() && remove_any(path).is_ok() {
                        stats.orphans += 1;
                    }
                }
            }
        }
        Ok(stats)
    }

    fn clear(&self) -> io::Result<Cleared> {
        let mut cleared = Cleared::default();
        let Some(shards) = self.shards(&mut cleared.kept)? else { return Ok(cleared) };
        for (shard, names) in shards {
            let shard_name = shard.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            for path in names {
                match path.file_name().and_then(|n| n.to_str()).map(|n| classify(self.name, &shard_name, n)) {
                    None | Some(Name::Foreign) => cleared.kept.push(path),
                    Some(kind) => {
                        match remove_any(&path) {
                            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                            _ => {}
                        }
                        if matches!(kind, Name::Data | Name::LegacyTree) {
                            cleared.removed += 1;
                        }
                    }
                }
            }
            let _ = fs::remove_dir(&shard);
        }
        let _ = fs::remove_dir(&self.dir);
        Ok(cleared)
    }
}

impl FsStore {
    /// The store's shard folders with the paths in each; anything else in the store's folder
    /// (and the folder itself when it is a link) goes to `kept`. None when there is no store.
    fn shards(&self, kept: &mut Vec<PathBuf>) -> io::Result<Option<Vec<(PathBuf, Vec<PathBuf>)>>> {
        match fs::symlink_metadata(&self.dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                kept.push(self.dir.clone());
                return Ok(None);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
        let mut shards = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let is_shard =
                entry.file_name().to_str().is_some_and(|n| is_hex(n, 2)) && entry.file_type().is_ok_and(|t| t.is_dir());
            if !is_shard {
                kept.push(entry.path());
                continue;
            }
            let mut names: Vec<PathBuf> = fs::read_dir(entry.path())?.flatten().map(|e| e.path()).collect();
            names.sort();
            shards.push((entry.path(), names));
        }
        shards.sort();
        Ok(Some(shards))
    }
}

fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) => Err(e),
    }
}

fn is_older_than(path: &Path, age: Duration) -> bool {
    fs::symlink_metadata(path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|e| e > age)
}

/// An exclusive lock on a lock file, released on drop (closing the descriptor releases the
/// `flock`, also when the process dies, so a killed fill never blocks the next one).
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
}

impl Lock {
    #[cfg(unix)]
    fn acquire(path: &Path) -> io::Result<Lock> {
        use std::os::unix::fs::MetadataExt;
        use std::os::unix::io::AsRawFd;
        loop {
            // An hour-old lock file is an orphan: remove it (under its own lock) and start over.
            if is_older_than(path, ORPHAN_AGE) {
                Lock::remove_if_orphan(path);
            }
            let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
            flock(file.as_raw_fd(), libc::LOCK_EX)?;
            // Someone may have removed the file between our open and our lock: then we hold a
            // lock nobody else can see, so try again on the current file.
            let held = file.metadata()?;
            match fs::metadata(path) {
                Ok(now) if now.ino() == held.ino() && now.dev() == held.dev() => {
                    // Touch it so an active lock never looks like an orphan.
                    let _ = file.set_modified(SystemTime::now());
                    return Ok(Lock { _file: file });
                }
                _ => continue,
            }
        }
    }

    /// Without `flock` (non-unix) fills are not serialised; temp + rename still keeps every
    /// entry whole, so concurrent processes at worst download the same thing twice.
    #[cfg(not(unix))]
    fn acquire(path: &Path) -> io::Result<Lock> {
        let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
        let _ = file.set_modified(SystemTime::now());
        Ok(Lock { _file: file })
    }

    /// Removes an old lock file if nobody holds it. True when it was removed.
    #[cfg(unix)]
    fn remove_if_orphan(path: &Path) -> bool {
        use std::os::unix::io::AsRawFd;
        let Ok(file) = fs::OpenOptions::new().write(true).open(path) else { return false };
        if flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB).is_err() {
            return false;
        }
        if !is_older_than(path, ORPHAN_AGE) {
            return false;
        }
        fs::remove_file(path).is_ok()
    }

    #[cfg(not(unix))]
    fn remove_if_orphan(path: &Path) -> bool {
        fs::remove_file(path).is_ok()
    }
}

#[cfg(unix)]
fn flock(fd: libc::c_int, op: libc::c_int) -> io::Result<()> {
    loop {
        // SAFETY: `fd` is an open descriptor owned by the caller for the duration of the call.
        if unsafe { libc::flock(fd, op) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// The two stores the fetcher uses, under one cache root.
#[derive(Clone, Debug)]
pub struct Caches {
    /// The root folder.
    pub root: PathBuf,
    /// Tag resolutions, manifests, metadata files.
    pub api: FsStore,
    /// Blobs and unpacked datasets.
    pub downloads: FsStore,
    /// Parsed prototype trees of JSON datasets.
    pub trees: FsStore,
}

impl Caches {
    /// The stores under `root`.
    pub fn open(root: &Path) -> Caches {
        Caches {
            root: root.to_path_buf(),
            api: FsStore::new(root, API_STORE),
            downloads: FsStore::new(root, DOWNLOAD_STORE),
            trees: FsStore::new(root, TREE_STORE),
        }
    }

    /// The stores, in [`STORES`] order.
    pub fn stores(&self) -> [&FsStore; 3] {
        [&self.api, &self.downloads, &self.trees]
    }

    /// Checks that the root is a cache before anything is deleted: `Ok(None)` when there is no
    /// root, else what it holds beside the stores (kept). An unmarked folder holding anything
    /// else is refused ([`ensure_marked`]).
    fn owned(&self) -> io::Result<Option<Vec<PathBuf>>> {
        if !self.root.exists() {
            return Ok(None);
        }
        if !ensure_marked(&self.root)? {
            return Err(not_a_cache(&self.root, &foreign_entries(&self.root)?));
        }
        Ok(Some(foreign_entries(&self.root)?))
    }

    /// Prunes every store; see [`Store::prune`]. An unmarked folder is refused, untouched.
    pub fn prune(&self) -> io::Result<PruneStats> {
        let Some(kept) = self.owned()? else { return Ok(PruneStats::default()) };
        let mut total = PruneStats { kept, ..PruneStats::default() };
        for store in self.stores() {
            let s = store.prune()?;
            total.expired += s.expired;
            total.orphans += s.orphans;
            total.kept.extend(s.kept);
        }
        Ok(total)
    }

    /// Clears every store; see [`Store::clear`]. An unmarked folder is refused, untouched; the
    /// marker stays.
    pub fn clear(&self) -> io::Result<Cleared> {
        let Some(kept) = self.owned()? else { return Ok(Cleared::default()) };
        let mut total = Cleared { kept, ..Cleared::default() };
        for store in self.stores() {
            let c = store.clear()?;
            total.removed += c.removed;
            total.kept.extend(c.kept);
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(store: &FsStore, key: &Key, text: &str, expiry: Expiry) -> PathBuf {
        with_lock(store, key, || {
            let temp = store.temp_path(key)?;
            fs::write(&temp, text)?;
            store.commit(key, &temp, expiry)
        })
        .unwrap()
    }

    #[test]
    fn keys_are_sha1_hex_in_two_level_folders() {
        let key = Key::new("abc");
        assert_eq!(key.hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path(), API_STORE);
        let path = fill(&store, &key, "x", Expiry::Never);
        assert_eq!(path, dir.path().join("api/a9/993e364706816aba3e25717850c26c9cd0d89d"));
    }

    #[test]
    fn stores_do_not_share_entries() {
        let dir = tempfile::tempdir().unwrap();
        let caches = Caches::open(dir.path());
        let key = Key::new("same request");
        fill(&caches.api, &key, "answer", Expiry::Never);
        assert!(caches.api.get(&key).is_some());
        assert!(caches.downloads.get(&key).is_none());
    }

    #[test]
    fn expiry_is_per_entry() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path(), API_STORE);
        let (a, b, c) = (Key::new("a"), Key::new("b"), Key::new("c"));
        fill(&store, &a, "1", Expiry::Never);
        fill(&store, &b, "2", Expiry::At(1));
        fill(&store, &c, "3", Expiry::after(Duration::from_secs(3600)));
        assert!(store.get(&a).unwrap().fresh);
        assert!(!store.get(&b).unwrap().fresh);
        assert!(store.get(&c).unwrap().fresh);
        let stats = store.prune().unwrap();
        assert_eq!(stats.expired, 1);
        assert!(store.get(&b).is_none());
        assert!(store.get(&a).is_some() && store.get(&c).is_some());
    }

    #[test]
    fn entries_without_sidecar_are_never_served() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path(), DOWNLOAD_STORE);
        let key = Key::new("half");
        let temp = store.temp_path(&key).unwrap();
        fs::write(&temp, "partial").unwrap();
        // A fill killed before commit leaves only the temporary file.
        assert!(store.get(&key).is_none());
        // Data renamed but the sidecar never written: still not served.
        fs::rename(&temp, store.data_path(&key)).unwrap();
        assert!(store.get(&key).is_none());
    }

    #[test]
    fn commit_replaces_folders_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path(), DOWNLOAD_STORE);
        let key = Key::new("dir");
        for round in 0..2 {
            let _l = store.lock(&key).unwrap();
            let temp = store.temp_path(&key).unwrap();
            fs::create_dir_all(temp.join("sub")).unwrap();
            fs::write(temp.join("sub/f"), format!("{round}")).unwrap();
            let path = store.commit(&key, &temp, Expiry::Never).unwrap();
            assert_eq!(fs::read_to_string(path.join("sub/f")).unwrap(), format!("{round}"));
        }
        let left: Vec<_> =
            fs::read_dir(store.data_path(&key).parent().unwrap()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 3, "data, meta, lock: {left:?}");
    }

    #[test]
    fn old_orphans_are_pruned_and_clear_empties() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path(), DOWNLOAD_STORE);
        let key = Key::new("k");
        fill(&store, &key, "v", Expiry::Never);
        let temp = store.temp_path(&key).unwrap();
        fs::write(&temp, "junk").unwrap();
        let lock = store.sidecar(&key, ".lock");
        let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
        for p in [&temp, &lock] {
            fs::File::options().write(true).open(p).unwrap().set_modified(two_hours_ago).unwrap();
        }
        let stats = store.prune().unwrap();
        assert_eq!(stats, PruneStats { expired: 0, orphans: 2, kept: vec![] });
        assert!(!temp.exists() && !lock.exists());
        assert!(store.get(&key).is_some());
        store.clear().unwrap();
        assert!(store.get(&key).is_none());
    }

    fn age(path: &Path, secs: u64) {
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(secs))
            .unwrap();
    }

    // See: issue 13 (prune and clear deleted whatever FACTORIO_MOCKS_CACHE_DIR held).
    #[test]
    fn a_folder_the_cache_did_not_make_is_never_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let photos = dir.path().join("photos");
        fs::create_dir_all(photos.join("api/2024")).unwrap();
        fs::write(photos.join("holiday.jpg"), "jpeg").unwrap();
        fs::write(photos.join("api/2024/a.jpg"), "jpeg").unwrap();
        let caches = Caches::open(&photos);
        for err in [caches.prune().unwrap_err(), caches.clear().map(|_| PruneStats::default()).unwrap_err()] {
            let text = err.to_string();
            assert!(
                text.contains(&photos.display().to_string()) && text.contains("is not a factorio-mocks cache folder"),
                "{text}"
            );
            assert!(text.contains("holiday.jpg") && text.contains("nothing was deleted"), "{text}");
        }
        assert!(photos.join("holiday.jpg").exists() && photos.join("api/2024/a.jpg").exists());
        assert!(!photos.join(MARKER).exists());
        // A fill there works, but does not make the folder a cache.
        fill(&caches.api, &Key::new("k"), "v", Expiry::At(1));
        assert!(caches.prune().is_err() && caches.clear().is_err());
        assert!(caches.api.get(&Key::new("k")).is_some());
    }

    #[test]
    fn a_new_cache_is_marked_and_an_old_one_of_stores_only_is_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cache");
        let caches = Caches::open(&root);
        assert_eq!(caches.prune().unwrap(), PruneStats::default(), "no cache yet: nothing to do");
        fill(&caches.downloads, &Key::new("k"), "v", Expiry::Never);
        assert!(is_marked(&root));
        let old = dir.path().join("old");
        fill(&FsStore::new(&old, API_STORE), &Key::new("k"), "v", Expiry::At(1));
        fs::remove_file(old.join(MARKER)).unwrap();
        let stats = Caches::open(&old).prune().unwrap();
        assert_eq!((stats.expired, stats.kept.len()), (1, 0));
        assert!(is_marked(&old));
        // Someone else's tag is not ours.
        let other = dir.path().join("other");
        fs::create_dir_all(other.join("x")).unwrap();
        fs::write(other.join(MARKER), "Signature: 8a477f597d28d172789f06886806bc55\n# another tool\n").unwrap();
        assert!(!is_marked(&other) && Caches::open(&other).clear().is_err());
        assert!(other.join("x").exists());
    }

    #[test]
    fn cleaning_touches_only_the_entry_layout_and_says_what_it_kept() {
        let dir = tempfile::tempdir().unwrap();
        let caches = Caches::open(dir.path());
        let key = Key::new("k");
        fill(&caches.trees, &key, "tree", Expiry::At(1));
        fill(&caches.api, &key, "answer", Expiry::Never);
        let shard = caches.api.data_path(&key).parent().unwrap().to_path_buf();
        let foreign = [
            dir.path().join("notes.txt"),
            caches.api.dir().join("README"),
            caches.api.dir().join("zz"),
            shard.join("holiday.jpg"),
            shard.join(format!("{}.bak", &key.hex()[2..])),
        ];
        fs::create_dir_all(&foreign[2]).unwrap();
        for f in foreign.iter().filter(|f| !f.exists()) {
            fs::write(f, "mine").unwrap();
        }
        // The tree cache before it was a store: `trees/<2>/<all 40>` and its temporaries.
        let legacy_dir = caches.trees.dir().join(&key.hex()[..2]);
        let legacy = [legacy_dir.join(key.hex()), legacy_dir.join(".tmp-12-ThreadId(1)")];
        for f in &legacy {
            fs::write(f, "old").unwrap();
            age(f, 7200);
        }
        for f in foreign.iter().filter(|f| f.is_file()) {
            age(f, 7200);
        }
        let stats = caches.prune().unwrap();
        assert_eq!((stats.expired, stats.orphans), (1, 2), "{stats:?}");
        assert!(caches.trees.get(&key).is_none() && caches.api.get(&key).is_some());
        let mut want: Vec<PathBuf> = foreign.to_vec();
        want.sort();
        let mut kept = stats.kept.clone();
        kept.sort();
        assert_eq!(kept, want);
        let cleared = caches.clear().unwrap();
        assert_eq!(cleared.removed, 1);
        let mut kept = cleared.kept.clone();
        kept.sort();
        assert_eq!(kept, want);
        assert!(foreign.iter().all(|f| f.exists()), "everything not the cache's is still there");
        assert!(caches.api.get(&key).is_none() && is_marked(dir.path()));
    }

    #[test]
    fn renew_moves_the_expiry_of_an_entry_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path(), TREE_STORE);
        let key = Key::new("t");
        fill(&store, &key, "tree", Expiry::At(1));
        store.renew(&key, Expiry::Never, Duration::from_secs(3600)).unwrap();
        assert!(!store.get(&key).unwrap().fresh, "written just now: not renewed yet");
        age(&store.sidecar(&key, ".meta"), 7200);
        store.renew(&key, Expiry::Never, Duration::from_secs(3600)).unwrap();
        assert!(store.get(&key).unwrap().fresh);
        store.renew(&Key::new("absent"), Expiry::Never, Duration::ZERO).unwrap();
        assert!(store.get(&Key::new("absent")).is_none(), "renew never creates an entry");
    }

    #[cfg(unix)]
    #[test]
    fn a_held_old_lock_is_not_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path(), API_STORE);
        let key = Key::new("held");
        let guard = store.lock(&key).unwrap();
        let lock = store.sidecar(&key, ".lock");
        fs::File::options()
            .write(true)
            .open(&lock)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(7200))
            .unwrap();
        assert!(!Lock::remove_if_orphan(&lock));
        drop(guard);
        assert!(Lock::remove_if_orphan(&lock));
    }

    #[test]
    fn with_lock_serialises_fills_across_threads() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(FsStore::new(dir.path(), DOWNLOAD_STORE));
        let fills = std::sync::Arc::new(AtomicU64::new(0));
        let key = Key::new("shared");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (store, fills, key) = (store.clone(), fills.clone(), key.clone());
                std::thread::spawn(move || {
                    with_lock(&*store, &key, || -> io::Result<()> {
                        if store.get(&key).is_none() {
                            fills.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
                            let temp = store.temp_path(&key)?;
                            fs::write(&temp, "once")?;
                            store.commit(&key, &temp, Expiry::Never)?;
                        }
                        Ok(())
                    })
                    .unwrap()
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(fills.load(Ordering::SeqCst), if cfg!(unix) { 1 } else { fills.load(Ordering::SeqCst) });
    }
}

/// A key for what `paths` hold: the SHA-1 of every file under each (sorted, each file's path
/// relative to its root and its bytes), with `extra` mixed in. A cache of anything computed from
/// those files (a mod's data stage) is keyed by it, so an edit to any file is a new key.
pub fn content_key(paths: &[PathBuf], extra: &str) -> io::Result<String> {
    fn walk(root: &Path, dir: &Path, hasher: &mut Sha1) -> io::Result<()> {
        let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(root, &path, hasher)?;
            } else if kind.is_file() || path.is_file() {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                hasher.update(rel.to_string_lossy().as_bytes());
                hasher.update([0]);
                let bytes = fs::read(&path)?;
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
        }
        Ok(())
    }
    let mut hasher = Sha1::new();
    hasher.update(extra.as_bytes());
    for path in paths {
        hasher.update([1]);
        hasher.update(path.to_string_lossy().as_bytes());
        if path.is_dir() {
            walk(path, path, &mut hasher)?;
        } else {
            hasher.update(fs::read(path)?);
        }
    }
    Ok(crate::dataset::hex(&hasher.finalize()))
}

#[cfg(test)]
mod content_key_tests {
    use super::*;

    #[test]
    fn content_key_changes_with_any_file_and_only_then() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("m/prototypes")).unwrap();
        fs::write(tmp.path().join("m/data.lua"), "a").unwrap();
        fs::write(tmp.path().join("m/prototypes/x.lua"), "b").unwrap();
        let paths = [tmp.path().join("m")];
        let first = content_key(&paths, "s").unwrap();
        assert_eq!(first, content_key(&paths, "s").unwrap());
        assert_ne!(first, content_key(&paths, "t").unwrap(), "extra counts");
        fs::write(tmp.path().join("m/prototypes/x.lua"), "c").unwrap();
        assert_ne!(first, content_key(&paths, "s").unwrap(), "a nested file counts");
        assert!(content_key(&[tmp.path().join("nope")], "").is_err());
    }
}
