//! Unpacking tar+gzip layers without letting any entry leave the destination folder.
//!
//! Rules: entry paths are relative and never contain `..`; an entry's first component must be
//! the layer's title (ORAS tars a folder under its own name, so a `locale` layer cannot write
//! into `prototype/`); symbolic links may only point inside the destination and are never
//! written through; hard links are copied from a file already unpacked; devices and FIFOs are
//! refused. Permissions and owners are not restored.

use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;

use super::digest::Adler32;

/// Refuses layers that would unpack to more than this (a gzip bomb guard).
pub const MAX_UNPACKED: u64 = 16 << 30;

/// Why a layer could not be unpacked.
#[derive(Debug)]
pub enum UnpackError {
    /// The archive is not valid tar+gzip, or a read or write failed.
    Io(io::Error),
    /// An entry was refused; the text names it and why.
    Unsafe(String),
}

impl std::fmt::Display for UnpackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnpackError::Io(e) => write!(f, "not a readable tar+gzip layer: {e}"),
            UnpackError::Unsafe(why) => write!(f, "unsafe entry refused: {why}"),
        }
    }
}

impl From<io::Error> for UnpackError {
    fn from(e: io::Error) -> Self {
        UnpackError::Io(e)
    }
}

/// Turns an archive path into a clean relative path: `.` components dropped, anything
/// absolute or with `..` refused. `None` for the empty path (the archive root).
pub fn safe_relative(path: &Path) -> Result<Option<PathBuf>, String> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err(format!("{}: contains `..`", path.display())),
            Component::RootDir | Component::Prefix(_) => return Err(format!("{}: absolute path", path.display())),
        }
    }
    Ok(if out.as_os_str().is_empty() { None } else { Some(out) })
}

/// Fails if any existing ancestor of `rel` under `dest` is a symbolic link, so nothing is
/// ever written through a link.
fn no_links_above(dest: &Path, rel: &Path) -> Result<(), UnpackError> {
    let mut at = dest.to_path_buf();
    if let Some(parent) = rel.parent() {
        for c in parent.components() {
            at.push(c);
            match fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(UnpackError::Unsafe(format!(
                        "{}: writes through the link {}",
                        rel.display(),
                        at.display()
                    )));
                }
                Ok(m) if !m.is_dir() => {
                    return Err(UnpackError::Unsafe(format!("{}: {} is not a folder", rel.display(), at.display())));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Removes whatever sits at `path` (a link or file from an earlier entry) so a write cannot
/// follow a link.
fn clear_leaf(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => fs::remove_file(path),
        Err(_) => Ok(()),
    }
}

/// Copies with a 1 MB buffer: `io::copy`'s 8 KB means 1,500 writes for a 12 MB data-raw.json.
/// Returns the Adler-32 of what was written: the dataset checksums are checked against it
/// instead of reading every file back (the generator's metadata uses Adler-32).
fn copy_large(from: &mut impl Read, to: &mut impl io::Write) -> io::Result<(u32, u64)> {
    let mut adler = Adler32::default();
    let mut len = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok((adler.finish(), len)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
        adler.update(&buf[..n]);
        len += n as u64;
    }
}

/// What unpacking left at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Left {
    /// A regular file, with its (Adler-32, length) when it was hashed as written (not for the
    /// copies that hard links become).
    File(Option<(u32, u64)>),
    /// A symbolic link.
    Link,
}

/// Unpacks the tar+gzip stream `reader` into `dest`. `title`, when given, must be the first
/// component of every entry. Returns the relative paths of the regular files written.
pub fn unpack_tar_gz(reader: impl Read, dest: &Path, title: Option<&str>) -> Result<Vec<PathBuf>, UnpackError> {
    let written = unpack_tar_gz_hashed(reader, dest, title)?;
    Ok(written.into_iter().filter(|(_, left)| matches!(left, Left::File(_))).map(|(p, _)| p).collect())
}

/// [`unpack_tar_gz`], returning every path it wrote, in order (a later entry replaces an
/// earlier one at the same path), with the checksum of the regular files.
pub(crate) fn unpack_tar_gz_hashed(
    reader: impl Read,
    dest: &Path,
    title: Option<&str>,
) -> Result<Vec<(PathBuf, Left)>, UnpackError> {
    fs::create_dir_all(dest)?;
    let mut archive = tar::Archive::new(GzDecoder::new(reader));
    let mut written = Vec::new();
    let mut total: u64 = 0;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw = entry.path()?.into_owned();
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue;
        }
        let Some(rel) = safe_relative(&raw).map_err(UnpackError::Unsafe)? else { continue };
        if let Some(title) = title {
            let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
            if first.as_deref() != Some(title) {
                return Err(UnpackError::Unsafe(format!("{}: outside the layer's folder `{title}`", rel.display())));
            }
        }
        no_links_above(dest, &rel)?;
        let target = dest.join(&rel);
        if kind.is_dir() {
            fs::create_dir_all(&target)?;
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            total = total.saturating_add(entry.size());
            if total > MAX_UNPACKED {
                return Err(UnpackError::Unsafe(format!(
                    "{}: layer unpacks to more than {MAX_UNPACKED} bytes",
                    rel.display()
                )));
            }
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            clear_leaf(&target)?;
            let mut out = fs::File::create(&target)?;
            let sum = copy_large(&mut entry, &mut out)?;
            written.push((rel, Left::File(Some(sum))));
        } else if kind.is_symlink() {
            let link = entry
                .link_name()?
                .ok_or_else(|| UnpackError::Unsafe(format!("{}: link without target", rel.display())))?;
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            clear_leaf(&target)?;
            // Resolved against what is on disk (earlier links followed), it must stay in the
            // layer's folder; it is written in that resolved form, so no later entry can change
            // where it leads.
            let layer = title.map_or_else(PathBuf::new, PathBuf::from);
            let resolved = resolve_link(dest, &rel, &link, &layer)
                .map_err(|why| UnpackError::Unsafe(format!("{}: link to {} {why}", rel.display(), link.display())))?;
            make_symlink(&relative_from(rel.parent().unwrap_or(Path::new("")), &resolved), &target)?;
            written.push((rel, Left::Link));
        } else if kind.is_hard_link() {
            let link = entry
                .link_name()?
                .ok_or_else(|| UnpackError::Unsafe(format!("{}: link without target", rel.display())))?;
            let source = safe_relative(&link)
                .map_err(|why| UnpackError::Unsafe(format!("{}: hard link to {why}", rel.display())))?
                .ok_or_else(|| UnpackError::Unsafe(format!("{}: hard link to the root", rel.display())))?;
            // Within the layer's own folder: layers are applied as they arrive, so another
            // layer's files may not be there yet (ORAS tars one folder; it never links out).
            if let Some(title) = title {
                if source.components().next().map(|c| c.as_os_str()) != Some(std::ffi::OsStr::new(title)) {
                    return Err(UnpackError::Unsafe(format!(
                        "{}: hard link to {} outside the layer's folder `{title}`",
                        rel.display(),
                        link.display()
                    )));
                }
            }
            no_links_above(dest, &source)?;
            let from = dest.join(&source);
            if !fs::symlink_metadata(&from).map(|m| m.is_file()).unwrap_or(false) {
                return Err(UnpackError::Unsafe(format!(
                    "{}: hard link to {} which is not an unpacked file",
                    rel.display(),
                    link.display()
                )));
            }
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            clear_leaf(&target)?;
            // A copy, not a link: the cache entry must not share inodes with anything.
            fs::copy(&from, &target)?;
            written.push((rel, Left::File(None)));
        } else {
            return Err(UnpackError::Unsafe(format!(
                "{}: entry type {:?} is not a file, folder or link",
                rel.display(),
                kind
            )));
        }
    }
    Ok(written)
}

/// How many links one target may pass through (the kernel's own limit is 40).
const MAX_HOPS: usize = 40;

/// Where the link at `rel` (relative to `dest`) with target `link` leads, as a path relative to
/// `dest` with no `.`, `..` or links left in it, following the links already unpacked. An error
/// (the reason) when it leaves `layer` (a folder relative to `dest`; empty for `dest` itself),
/// at any step or at the end, or passes through too many links.
fn resolve_link(dest: &Path, rel: &Path, link: &Path, layer: &Path) -> Result<PathBuf, String> {
    let mut at: Vec<std::ffi::OsString> = rel.parent().unwrap_or(Path::new("")).iter().map(Into::into).collect();
    let mut hops = 0;
    walk_target(dest, &mut at, link, layer, &mut hops)?;
    let resolved: PathBuf = at.iter().collect();
    if !resolved.starts_with(layer) {
        return Err(format!("leads outside the layer's folder `{}`", layer.display()));
    }
    Ok(resolved)
}

fn walk_target(
    dest: &Path,
    at: &mut Vec<std::ffi::OsString>,
    target: &Path,
    layer: &Path,
    hops: &mut usize,
) -> Result<(), String> {
    let depth = layer.components().count();
    for c in target.components() {
        match c {
            Component::Normal(part) => {
                at.push(part.into());
                let here: PathBuf = at.iter().collect();
                if let Ok(next) = fs::read_link(dest.join(&here)) {
                    *hops += 1;
                    if *hops > MAX_HOPS {
                        return Err(format!("passes through more than {MAX_HOPS} links"));
                    }
                    at.pop();
                    walk_target(dest, at, &next, layer, hops)?;
                }
            }
            Component::CurDir => {}
            Component::ParentDir => {
                let inside: PathBuf = at.iter().collect();
                if at.len() <= depth || !inside.starts_with(layer) {
                    return Err(format!("climbs out of the layer's folder `{}`", layer.display()));
                }
                at.pop();
            }
            Component::RootDir | Component::Prefix(_) => return Err("is absolute".into()),
        }
    }
    Ok(())
}

/// The relative path from the folder `from` to `to` (both relative to the same root, free of
/// `.`, `..` and links): `..` only to climb out of `from`'s own (real) folders.
fn relative_from(from: &Path, to: &Path) -> PathBuf {
    let (f, t): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(unix)]
fn make_symlink(link: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(link, at)
}

#[cfg(not(unix))]
fn make_symlink(_link: &Path, at: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{}: symbolic links are not unpacked on this platform", at.display()),
    ))
}

#[cfg(test)]
#[path = "../../tests/support/raw_tar.rs"]
mod raw_tar;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) use super::raw_tar::{RawEntry, raw_tar_gz};

    fn unpack(entries: &[RawEntry]) -> (tempfile::TempDir, Result<Vec<PathBuf>, UnpackError>) {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        let r = unpack_tar_gz(&raw_tar_gz(entries)[..], &dest, Some("prototype"));
        (dir, r)
    }

    #[test]
    fn unpacks_a_well_formed_layer() {
        let (dir, r) = unpack(&[
            ("prototype/", b'5', "", b""),
            ("prototype/data-raw/item.lua", b'0', "", b"return {}"),
            ("./prototype/mods.lua", b'0', "", b"return {base = '2.0.77'}"),
            ("prototype/alias.lua", b'2', "mods.lua", b""),
            ("prototype/copy.lua", b'1', "prototype/mods.lua", b""),
        ]);
        let files = r.unwrap();
        assert_eq!(files.len(), 3);
        let out = dir.path().join("out");
        assert_eq!(fs::read_to_string(out.join("prototype/data-raw/item.lua")).unwrap(), "return {}");
        assert_eq!(fs::read_to_string(out.join("prototype/copy.lua")).unwrap(), "return {base = '2.0.77'}");
    }

    #[test]
    fn big_files_arrive_whole_with_their_checksum() {
        // Several copy buffers, the last one partly filled.
        let mut x = 1u32;
        let big: Vec<u8> = (0..(5 << 20) + 12_345)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let written = unpack_tar_gz_hashed(
            &raw_tar_gz(&[("prototype/data-raw.json", b'0', "", &big), ("prototype/small", b'0', "", b"abc")])[..],
            dir.path(),
            Some("prototype"),
        )
        .unwrap();
        assert_eq!(fs::read(dir.path().join("prototype/data-raw.json")).unwrap(), big);
        let mut adler = Adler32::default();
        adler.update(&big);
        assert_eq!(
            written[0],
            (PathBuf::from("prototype/data-raw.json"), Left::File(Some((adler.finish(), big.len() as u64))))
        );
        assert_eq!(fs::read(dir.path().join("prototype/small")).unwrap(), b"abc");
    }

    #[test]
    fn refuses_malicious_layers() {
        let cases: &[(&str, &[RawEntry])] = &[
            ("parent", &[("prototype/../../evil", b'0', "", b"x")]),
            ("absolute", &[("/tmp/evil", b'0', "", b"x")]),
            ("other folder", &[("runtime/settings.lua", b'0', "", b"x")]),
            ("symlink out", &[("prototype/l", b'2', "../../etc", b"")]),
            ("symlink to the dataset folder", &[("prototype/l", b'2', "..", b"")]),
            // See: issue 13. Each lexically inside; through the first, the second reaches `/`.
            (
                "symlink chain",
                &[("prototype/a", b'2', ".", b""), ("prototype/b", b'2', "a/../a/../../../../../../../../../..", b"")],
            ),
            (
                "symlink through a link up",
                &[
                    ("prototype/a", b'2', "sub/..", b""),
                    ("prototype/sub", b'2', ".", b""),
                    ("prototype/c", b'2', "a/../../..", b""),
                ],
            ),
            (
                "symlink loop",
                &[("prototype/a", b'2', "b", b""), ("prototype/b", b'2', "a/x", b""), ("prototype/c", b'2', "a", b"")],
            ),
            ("absolute symlink", &[("prototype/l", b'2', "/etc/passwd", b"")]),
            ("write through link", &[("prototype/l", b'2', ".", b""), ("prototype/l/x", b'0', "", b"x")]),
            (
                "replace link then write",
                &[("prototype/d", b'2', "../prototype", b""), ("prototype/d/f", b'0', "", b"x")],
            ),
            ("hard link out", &[("prototype/h", b'1', "../outside", b"")]),
            ("hard link to missing", &[("prototype/h", b'1', "prototype/none", b"")]),
            ("device", &[("prototype/dev", b'3', "", b"")]),
            ("fifo", &[("prototype/fifo", b'6', "", b"")]),
        ];
        for (name, entries) in cases {
            let (dir, r) = unpack(entries);
            assert!(matches!(r, Err(UnpackError::Unsafe(_))), "{name}: {r:?}");
            assert!(!dir.path().join("evil").exists() && !dir.path().join("outside").exists(), "{name}");
        }
    }

    // See: issue 13: a chain of links, each lexically inside, led `prototype/data-raw.json` to
    // any local file.
    #[cfg(unix)]
    #[test]
    fn links_are_resolved_against_earlier_links_and_written_resolved() {
        let entries: &[RawEntry] = &[
            ("prototype/a", b'2', ".", b""),
            ("prototype/x/", b'5', "", b""),
            ("prototype/x/file.lua", b'0', "", b"return 1"),
            ("prototype/b", b'2', "a/a/x/../x/file.lua", b""),
            ("prototype/later", b'2', "sub/../x", b""),
            ("prototype/sub", b'2', "x", b""),
        ];
        let (dir, r) = unpack(entries);
        r.unwrap();
        let out = dir.path().join("out");
        assert_eq!(fs::read_link(out.join("prototype/b")).unwrap(), Path::new("x/file.lua"));
        assert_eq!(fs::read_to_string(out.join("prototype/b")).unwrap(), "return 1");
        // Written before `sub` was a link, so `sub/..` was prototype: the written form keeps that.
        assert_eq!(fs::read_link(out.join("prototype/later")).unwrap(), Path::new("x"));
        let real_out = out.canonicalize().unwrap();
        for name in ["a", "b", "later", "sub"] {
            assert!(out.join("prototype").join(name).canonicalize().unwrap().starts_with(&real_out), "{name}");
        }
        // The attack of the issue: data-raw.json through a chain to `/etc/passwd`.
        let (dir, r) = unpack(&[
            ("prototype/a", b'2', ".", b""),
            ("prototype/data-raw.json", b'2', "a/../../../../../../../../../../etc/passwd", b""),
        ]);
        assert!(
            matches!(r, Err(UnpackError::Unsafe(ref why)) if why.contains("climbs out of the layer's folder")),
            "{r:?}"
        );
        assert!(!dir.path().join("out/prototype/data-raw.json").exists());
    }

    #[test]
    fn hard_links_stay_inside_their_layer_even_to_files_already_there() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("locale")).unwrap();
        fs::write(dir.path().join("locale/en.cfg"), "[a]\nb=c\n").unwrap();
        let r = unpack_tar_gz(
            &raw_tar_gz(&[("prototype/h", b'1', "locale/en.cfg", b"")])[..],
            dir.path(),
            Some("prototype"),
        );
        match r {
            Err(UnpackError::Unsafe(why)) => assert!(why.contains("outside the layer's folder `prototype`"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        for bytes in [&b""[..], b"not gzip at all", &raw_tar_gz(&[("prototype/a", b'0', "", b"abc")])[..20]] {
            assert!(unpack_tar_gz(bytes, dir.path(), None).is_err());
        }
    }
}
