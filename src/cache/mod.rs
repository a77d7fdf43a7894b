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

/// A cache key: the SHA1 of the request text. The request text must never hold a credential.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// The key of a request, e.g. `"oci-tag\n127.0.0.1:5000/datasets/vanilla:stable"`.
    pub fn new(request: &str) -> Key {
        let digest = Sha1::digest(request.as_bytes());
        Key(digest.iter().map(|b| format!("{b:02x}")).collect())
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

/// What [`Store::prune`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Expired entries removed.
    pub expired: usize,
    /// Orphaned lock files, temporary files and half-written entries removed.
    pub orphans: usize,
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
    /// Removes expired entries and orphans (locks, temporaries, half-written entries) older
    /// than [`ORPHAN_AGE`].
    fn prune(&self) -> io::Result<PruneStats>;
    /// Removes every entry.
    fn clear(&self) -> io::Result<()>;
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
    dir: PathBuf,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl FsStore {
    /// The store `name` under the cache root `root`.
    pub fn new(root: &Path, name: &str) -> FsStore {
        FsStore { dir: root.join(name) }
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
        let path = self.sidecar(key, ".lock");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        Lock::acquire(&path)
    }

    fn temp_path(&self, key: &Key) -> io::Result<PathBuf> {
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

    fn prune(&self) -> io::Result<PruneStats> {
        let mut stats = PruneStats::default();
        let shards = match fs::read_dir(&self.dir) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(stats),
            Err(e) => return Err(e),
        };
        for shard in shards.flatten() {
            let Ok(entries) = fs::read_dir(shard.path()) else { continue };
            let names: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            for path in &names {
                let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
                let old = is_older_than(path, ORPHAN_AGE);
                if name.ends_with(".meta") {
                    let expired = fs::read_to_string(path)
                        .ok()
                        .and_then(|t| Expiry::decode(&t))
                        .is_none_or(|e| e.is_past());
                    if expired {
                        let data = path.with_extension("");
                        // Take the lock so a concurrent fill is never cut in half.
                        let key_hex = format!("{}{}", shard.file_name().to_string_lossy(), data.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
                        let key = Key(key_hex);
                        if let Ok(_l) = self.lock(&key) {
                            if self.get(&key).is_none_or(|h| !h.fresh) {
                                self.remove(&key)?;
                                stats.expired += 1;
                            }
                        }
                    }
                } else if name.ends_with(".lock") {
                    if old && Lock::remove_if_orphan(path) {
                        stats.orphans += 1;
                    }
                } else if name.contains(".tmp-") {
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

    fn clear(&self) -> io::Result<()> {
        match fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
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
    fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|e| e > age)
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
}

impl Caches {
    /// The stores under `root`.
    pub fn open(root: &Path) -> Caches {
        Caches {
            root: root.to_path_buf(),
            api: FsStore::new(root, API_STORE),
            downloads: FsStore::new(root, DOWNLOAD_STORE),
        }
    }

    /// Prunes both stores.
    pub fn prune(&self) -> io::Result<PruneStats> {
        let a = self.api.prune()?;
        let d = self.downloads.prune()?;
        Ok(PruneStats { expired: a.expired + d.expired, orphans: a.orphans + d.orphans })
    }

    /// Clears both stores.
    pub fn clear(&self) -> io::Result<()> {
        self.api.clear()?;
        self.downloads.clear()
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
        let left: Vec<_> = fs::read_dir(store.data_path(&key).parent().unwrap()).unwrap().flatten().map(|e| e.file_name()).collect();
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
        assert_eq!(stats, PruneStats { expired: 0, orphans: 2 });
        assert!(!temp.exists() && !lock.exists());
        assert!(store.get(&key).is_some());
        store.clear().unwrap();
        assert!(store.get(&key).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_held_old_lock_is_not_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path(), API_STORE);
        let key = Key::new("held");
        let guard = store.lock(&key).unwrap();
        let lock = store.sidecar(&key, ".lock");
        fs::File::options().write(true).open(&lock).unwrap().set_modified(SystemTime::now() - Duration::from_secs(7200)).unwrap();
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
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
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
