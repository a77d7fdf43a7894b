//! Dataset folders in the download cache: filled once under the entry's lock, checked against
//! the dataset's own metadata checksums before they are committed, and cheaply re-checked on
//! every later fetch.
//!
//! The cheap check compares each file's size and modification time with a stamp written at
//! fill time: a stat per file, so a warm fetch stays far below the cost of a pull, and any
//! edit (a flipped byte included) is noticed. `verify` re-hashes everything.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::metadata::{self, Checksums};
use super::{Ctx, Error, ErrorKind, digest};
use crate::cache::{self, Expiry, Key, Store};

/// The stamp file inside a cached dataset folder.
pub const STAMP: &str = ".factorio-mocks-files";

/// An error inside a locked fill: either the disk or the fetch itself.
pub(crate) enum FillError {
    Io(io::Error),
    Fetch(Error),
}

impl From<io::Error> for FillError {
    fn from(e: io::Error) -> Self {
        FillError::Io(e)
    }
}

impl From<Error> for FillError {
    fn from(e: Error) -> Self {
        FillError::Fetch(e)
    }
}

impl FillError {
    pub fn into_error(self, reference: &str, source: &str, what: &str) -> Error {
        match self {
            FillError::Fetch(e) => e,
            FillError::Io(e) => Error::new(
                reference,
                source,
                ErrorKind::Io,
                format!(
                    "{what} in the cache failed: {e}; check free space and permissions of the cache folder (FACTORIO_MOCKS_CACHE_DIR)"
                ),
            ),
        }
    }
}

/// The checksums a dataset folder's metadata lists (`None` without metadata).
pub fn read_checksums(dir: &Path) -> Result<Option<Checksums>, String> {
    if let Ok(text) = fs::read_to_string(dir.join("metadata.json")) {
        return metadata::checksums_from_json(&text).map(Some);
    }
    if let Ok(text) = fs::read_to_string(dir.join("metadata.lua")) {
        return metadata::checksums_from_lua(&text).map(Some);
    }
    Ok(None)
}

/// What a fill wrote, by dataset-relative path: a file's (Adler-32, length) as written, or
/// `None` where the content was not hashed on the way (links, copies).
pub(crate) type Written = HashMap<PathBuf, Option<(u32, u64)>>;

/// Checks every file the metadata lists against its checksum.
pub fn verify_checksums(dir: &Path) -> Result<(), String> {
    verify_checksums_with(dir, &Written::new())
}

/// [`verify_checksums`], taking the Adler-32 of files from `written` instead of reading them
/// back when the fill hashed them and the path is still that file.
pub(crate) fn verify_checksums_with(dir: &Path, written: &Written) -> Result<(), String> {
    let Some(sums) = read_checksums(dir)? else { return Ok(()) };
    for (path, want) in &sums {
        let rel =
            super::safe_relative(Path::new(path))?.ok_or_else(|| format!("metadata lists an empty path for {want}"))?;
        let adler = want.trim().len() == 8;
        let target = dir.join(&rel);
        let hashed = written.get(&rel).copied().flatten().filter(|&(_, len)| {
            // Unpacking never removes folders, and any later write at the path replaced its
            // entry in `written`; the size check is a cheap guard on top.
            adler && fs::symlink_metadata(&target).is_ok_and(|m| m.is_file() && m.len() == len)
        });
        let (sha, adl) = match hashed {
            Some((sum, _)) => (String::new(), Some(format!("{sum:08x}"))),
            None => {
                let (sha, adl, _) = digest::hash_file(&target, adler).map_err(|e| format!("{path}: {e}"))?;
                (sha, adl)
            }
        };
        digest::check_checksum(want, &sha, adl.as_deref())
            .map_err(|why| format!("{path}: checksum mismatch, {why}"))?;
    }
    Ok(())
}

fn walk(dir: &Path, rel: &Path, out: &mut Vec<(PathBuf, fs::Metadata)>) -> io::Result<()> {
    for entry in fs::read_dir(dir.join(rel))? {
        let entry = entry?;
        let r = rel.join(entry.file_name());
        let meta = entry.metadata()?;
        if meta.is_dir() {
            walk(dir, &r, out)?;
        } else if r != Path::new(STAMP) {
            out.push((r, meta));
        }
    }
    Ok(())
}

fn stamp_line(rel: &Path, meta: &fs::Metadata) -> String {
    let mtime = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    format!("{} {} {}\n", meta.len(), mtime, rel.to_string_lossy())
}

/// Records size and modification time of every file.
pub fn write_stamp(dir: &Path) -> io::Result<()> {
    let mut files = Vec::new();
    walk(dir, Path::new(""), &mut files)?;
    let text: String = files.iter().map(|(r, m)| stamp_line(r, m)).collect();
    fs::write(dir.join(STAMP), text)
}

/// True when every stamped file still has its size and modification time.
pub fn quick_check(dir: &Path) -> bool {
    let Ok(text) = fs::read_to_string(dir.join(STAMP)) else { return false };
    text.lines().all(|line| {
        let mut parts = line.splitn(3, ' ');
        let (Some(_), Some(_), Some(rel)) = (parts.next(), parts.next(), parts.next()) else { return false };
        fs::symlink_metadata(dir.join(rel)).is_ok_and(|m| stamp_line(Path::new(rel), &m) == format!("{line}\n"))
    })
}

fn usable(dir: &Path, ctx: &Ctx) -> Result<(), String> {
    if !quick_check(dir) {
        return Err("a file changed or disappeared since it was fetched".into());
    }
    if ctx.verify { verify_checksums(dir) } else { Ok(()) }
}

/// The dataset folder cached under `key`, filled by `fill` (into an empty temporary folder)
/// when absent or damaged. Concurrent callers wait for one fill.
/// The cached dataset folder of `key`, when it passes the check (`ctx.verify`: every checksum).
pub(crate) fn cached(ctx: &Ctx, key: &Key) -> Option<PathBuf> {
    ctx.caches.downloads.get(key).filter(|hit| usable(&hit.path, ctx).is_ok()).map(|hit| hit.path)
}

pub(crate) fn serve(
    ctx: &Ctx,
    key: &Key,
    reference: &str,
    source: &str,
    fill: impl FnOnce(&Path) -> Result<Written, Error>,
) -> Result<PathBuf, Error> {
    if let Some(dir) = cached(ctx, key) {
        return Ok(dir);
    }
    let store = &ctx.caches.downloads;
    cache::with_lock(store, key, || -> Result<PathBuf, FillError> {
        let mut damaged = None;
        if let Some(hit) = store.get(key) {
            match usable(&hit.path, ctx) {
                Ok(()) => return Ok(hit.path),
                Err(why) => {
                    ctx.warn(format!(
                        "the cached copy of {} is damaged ({why}); fetching it again",
                        super::redact(reference)
                    ));
                    store.remove(key)?;
                    damaged = Some(why);
                }
            }
        }
        let temp = store.temp_path(key)?;
        fs::create_dir_all(&temp)?;
        let filled = fill(&temp).and_then(|written| {
            ctx.phase("layers in place");
            verify_checksums_with(&temp, &written).map_err(|why| {
                Error::new(
                    reference,
                    source,
                    ErrorKind::Integrity,
                    format!("{why}; the published dataset does not match its own metadata, report it to its publisher"),
                )
            })
        });
        if let Err(mut e) = filled {
            cache::discard(&temp);
            if let Some(why) = damaged {
                e.message = format!("the cached copy was damaged ({why}) and could not be replaced: {}", e.message);
            }
            return Err(e.into());
        }
        ctx.phase("dataset checksums verified");
        write_stamp(&temp).inspect_err(|_| cache::discard(&temp))?;
        let committed = store.commit(key, &temp, Expiry::Never).inspect_err(|_| cache::discard(&temp))?;
        ctx.phase("dataset committed");
        Ok(committed)
    })
    .map_err(|e| e.into_error(reference, source, "storing the dataset"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_notices_edits() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("locale")).unwrap();
        fs::write(dir.path().join("locale/en.cfg"), "[a]\nb=c\n").unwrap();
        write_stamp(dir.path()).unwrap();
        assert!(quick_check(dir.path()));
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(dir.path().join("locale/en.cfg"), "[a]\nb=d\n").unwrap();
        assert!(!quick_check(dir.path()));
        write_stamp(dir.path()).unwrap();
        fs::remove_file(dir.path().join("locale/en.cfg")).unwrap();
        assert!(!quick_check(dir.path()));
    }

    #[test]
    fn checksums_are_verified() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.lua"), "Wikipedia").unwrap();
        fs::write(dir.path().join("metadata.lua"), "return { checksums = { [\"a.lua\"] = \"11e60398\" } }").unwrap();
        assert!(verify_checksums(dir.path()).is_ok());
        fs::write(dir.path().join("a.lua"), "Wikipedix").unwrap();
        assert!(verify_checksums(dir.path()).unwrap_err().contains("a.lua"));
        fs::write(dir.path().join("metadata.lua"), "return { checksums = { [\"../x\"] = \"11e60398\" } }").unwrap();
        assert!(verify_checksums(dir.path()).is_err());
    }

    #[test]
    fn sums_taken_while_writing_stand_in_for_reading_back() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.lua"), "Wikipedia").unwrap();
        fs::write(dir.path().join("metadata.lua"), "return { checksums = { [\"./a.lua\"] = \"11e60398\" } }").unwrap();
        let mut written = Written::new();
        written.insert("a.lua".into(), Some((0x11e6_0398, 9)));
        assert!(verify_checksums_with(dir.path(), &written).is_ok());
        // The recorded sum is what is checked…
        written.insert("a.lua".into(), Some((0x11e6_0399, 9)));
        assert!(verify_checksums_with(dir.path(), &written).unwrap_err().contains("a.lua"));
        // …unless the file is no longer the one written: then it is read again.
        written.insert("a.lua".into(), Some((0x11e6_0399, 8)));
        assert!(verify_checksums_with(dir.path(), &written).is_ok());
        written.insert("a.lua".into(), None);
        assert!(verify_checksums_with(dir.path(), &written).is_ok());
    }
}
