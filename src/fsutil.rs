//! The one atomic write of the crate: the user's files next to the game (`mod-settings.dat`,
//! `mod-list.json`) and the cache's own files go through [`write_atomically`].
//!
//! What it promises, for a file the user owns:
//!
//! * a symbolic link is written through: its target gets the new bytes, the link stays a link
//!   (dotfile managers and shared mod folders link these files);
//! * the file keeps its permission bits;
//! * a read-only file is refused, as the game's own tools refuse it, and left as it was;
//! * the new bytes go to a sibling temporary file (`.<name>.tmp<pid>-<n>`), synced, then
//!   renamed over the file, so a reader sees the old file or the new one, never a part;
//! * a write that fails part-way (a full disk) removes its temporary file, and a temporary file
//!   that a killed process left (its pid no longer runs, or it is older than an hour) is removed
//!   by the next write of the same file.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How many symbolic links are followed before the write gives up (Linux's own limit).
const MAX_LINKS: usize = 40;
/// A temporary file older than this is stale even when its pid runs again (pid reuse).
const STALE_AFTER: Duration = Duration::from_secs(3600);

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically; see the module documentation for what is kept.
///
/// Errors are plain `io::Error`s whose text says what to do; the caller adds the path.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve_links(path)?;
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(io::Error::new(io::ErrorKind::IsADirectory, "is a folder; give the path of a file"));
        }
        if m.permissions().readonly() {
            let through =
                if target != path { format!(" (the link's target {})", target.display()) } else { String::new() };
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "the file{through} is read-only, so the game's tools could not write it either; left unchanged (make it writable, e.g. chmod u+w, to replace it)"
                ),
            ));
        }
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "names no file"))?;
    remove_stale_temporaries(&dir, name);
    let temp = dir.join(temp_name(name, std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let written = (|| {
        let mut file = fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        file.write_all(bytes)?;
        if let Some(m) = &existing {
            file.set_permissions(m.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, &target)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// `.<name>.tmp<pid>-<n>`.
fn temp_name(name: &std::ffi::OsStr, pid: u32, n: u64) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(format!(".tmp{pid}-{n}"));
    s
}

/// The file a write of `path` must replace: `path` itself, or the end of its chain of links
/// (which need not exist yet: a dangling link gets its target created).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!("more than {MAX_LINKS} symbolic links in a row (a loop?); point at the file itself")))
}

/// Removes `.<name>.tmp<pid>-…` (and the older `.<name>.tmp<pid>`) files of `dir` that no
/// running write owns.
fn remove_stale_temporaries(dir: &Path, name: &std::ffi::OsStr) {
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".tmp");
    let prefix = prefix.to_string_lossy().into_owned();
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let pid = rest.split('-').next().unwrap_or("");
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let old = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        // This process's own temporaries are in use only while a write runs, and a write
        // removes its own on failure: any other left here is stale too, unless a thread of this
        // process is writing the same file right now (then it is young).
        let mine = pid == std::process::id();
        if old || (!mine && !process_runs(pid)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn process_runs(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_runs(_pid: u32) -> bool {
    // Without a cheap check, only age makes a temporary stale.
    true
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect()
    }

    #[test]
    fn writes_a_new_file_and_replaces_an_old_one() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mod-list.json");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("real")).unwrap();
        let real = d.path().join("real/mod-settings.dat");
        fs::write(&real, b"old").unwrap();
        // A relative link, through a second link.
        let first = d.path().join("first.dat");
        symlink("real/mod-settings.dat", &first).unwrap();
        let link = d.path().join("mod-settings.dat");
        symlink(&first, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert!(fs::symlink_metadata(&first).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        // A dangling link gets its target created.
        let dangling = d.path().join("dangling.json");
        symlink("real/created.json", &dangling).unwrap();
        write_atomically(&dangling, b"x").unwrap();
        assert_eq!(fs::read(d.path().join("real/created.json")).unwrap(), b"x");
        assert!(leftovers(d.path()).is_empty() && leftovers(&d.path().join("real")).is_empty());
        // A loop is an error, not a hang.
        symlink(d.path().join("b"), d.path().join("a")).unwrap();
        symlink(d.path().join("a"), d.path().join("b")).unwrap();
        assert!(write_atomically(&d.path().join("a"), b"x").unwrap_err().to_string().contains("symbolic links"));
    }

    #[test]
    fn the_mode_is_kept_and_a_read_only_file_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mod-settings.dat");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&p, b"new").unwrap();
        assert_eq!(mode(&p), 0o640);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        let e = write_atomically(&p, b"newer").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert!(e.to_string().contains("read-only"), "{e}");
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert_eq!(mode(&p), 0o444);
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn stale_temporaries_of_dead_writers_are_removed_and_others_kept() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mod-list.json");
        // pid 0x7fff_fff0 does not run; the old naming without a counter is recognised too.
        for stale in [".mod-list.json.tmp2147483632", ".mod-list.json.tmp2147483632-3"] {
            fs::write(d.path().join(stale), b"half").unwrap();
        }
        // A live writer's (our parent's pid runs) and another file's temporary stay.
        let live = format!(".mod-list.json.tmp{}-0", std::os::unix::process::parent_id());
        fs::write(d.path().join(&live), b"busy").unwrap();
        fs::write(d.path().join(".other.json.tmp2147483632"), b"not ours").unwrap();
        write_atomically(&p, b"{}").unwrap();
        let mut left = leftovers(d.path());
        left.sort();
        assert_eq!(left, vec![live, ".other.json.tmp2147483632".to_string()]);
    }

    /// Child mode: writes with a file-size limit of 4 bytes, so the write fails part-way as
    /// on a full disk. Does nothing as an ordinary test.
    #[test]
    fn child_write_past_the_size_limit() {
        let Ok(path) = std::env::var("FM_FSUTIL_LIMITED") else { return };
        // SAFETY: plain libc calls on this child process.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit { rlim_cur: 4, rlim_max: libc::RLIM_INFINITY };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
        }
        let e = write_atomically(Path::new(&path), &[b'x'; 4096]).unwrap_err();
        println!("CHILD-ERR {e}");
    }

    #[test]
    fn a_write_that_fails_part_way_leaves_the_old_file_and_no_temporary() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mod-settings.dat");
        fs::write(&p, b"old").unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "fsutil::tests::child_write_past_the_size_limit", "--nocapture", "--test-threads=1"])
            .env("FM_FSUTIL_LIMITED", &p)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("CHILD-ERR"), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
    }
}
