//! The game's own Lua files (`core/lualib`, core's and base's prototype files), so `require("util")`,
//! `__core__/lualib/…` and `__base__/…` resolve in every stage without a game folder.
//!
//! A built-in dataset carries them as one gzipped tar (`fixtures/builtin/<version>/game-lua.tar.gz`,
//! made by `scripts/pack-game-lua.py` from the game's public copy of its Lua), unpacked in memory
//! the first time a file is read. A dataset folder carries them as `<dataset>/lua/<mod>/…`.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path};

use super::builtin::{Set, Version};

/// Every regular file of a gzipped tar, by its path; an archive that cannot be read is an error.
pub(crate) fn unpack(gz: &[u8]) -> std::io::Result<HashMap<String, Vec<u8>>> {
    let mut files = HashMap::new();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(gz));
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path()?.to_string_lossy().replace('\\', "/");
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes)?;
        files.insert(path.trim_start_matches("./").to_string(), bytes);
    }
    Ok(files)
}

/// A relative path that stays inside its folder: no `..`, no root, no drive, no empty part.
pub fn is_contained(relative: &str) -> bool {
    !relative.is_empty()
        && !relative.contains('\\')
        && !relative.contains('\0')
        && Path::new(relative).components().all(|c| matches!(c, Component::Normal(_)))
}

/// A file of a built-in dataset's game Lua: `module` is a game mod of `set` (`core`, `base`, …).
pub fn builtin_file(version: &'static Version, set: Set, module: &str, relative: &str) -> Option<&'static [u8]> {
    if !set.holds(module) || !is_contained(module) || !is_contained(relative) {
        return None;
    }
    version.game_lua().get(&format!("{module}/{relative}")).map(Vec::as_slice)
}

/// The game mods of `set` whose Lua a built-in dataset carries.
pub fn builtin_mods(version: &'static Version, set: Set) -> Vec<String> {
    version.game_mods().iter().filter(|m| set.holds(m)).cloned().collect()
}

/// Where a relative path leads from a folder, by [`resolve_inside`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inside {
    /// A regular file inside the folder: its path with every link resolved.
    File(std::path::PathBuf),
    /// The path stays inside but names no file (or the folder itself is missing).
    Missing,
    /// The path leaves the folder: absolute, `..`, a drive, a backslash or NUL, or a link (at
    /// any level) whose target lies outside.
    Outside,
}

/// The one path-containment check for files a dataset names: `relative` must be a plain
/// relative path ([`is_contained`]) and the file it names, links followed, must lie inside `root`
/// (links followed too). Every read of a dataset folder goes through here.
pub fn resolve_inside(root: &Path, relative: &str) -> Inside {
    if !is_contained(relative) {
        return Inside::Outside;
    }
    let path = root.join(relative);
    let Ok(real_root) = root.canonicalize() else { return Inside::Missing };
    match path.canonicalize() {
        Ok(real) if !real.starts_with(&real_root) => Inside::Outside,
        Ok(real) if real.is_file() => Inside::File(real),
        Ok(_) => Inside::Missing,
        // A dangling link, or a link whose target is missing: say outside when the link's own
        // target is, so a probe cannot tell which files exist out there.
        Err(_) => match std::fs::read_link(&path) {
            Ok(_) => Inside::Outside,
            Err(_) => Inside::Missing,
        },
    }
}

/// A file of a dataset folder's game Lua, `<dir>/lua/<module>/<relative>`, refusing any path that
/// leaves `<dir>/lua/<module>` (by its parts, and by where links on disk lead).
pub fn folder_file(dir: &Path, module: &str, relative: &str) -> std::io::Result<Option<Vec<u8>>> {
    if !is_contained(module) {
        return Ok(None);
    }
    match resolve_inside(&dir.join("lua").join(module), relative) {
        Inside::File(real) => std::fs::read(real).map(Some),
        Inside::Missing | Inside::Outside => Ok(None),
    }
}

/// The game mods a dataset folder carries Lua for (`<dir>/lua/<mod>/`).
pub fn folder_mods(dir: &Path) -> Vec<String> {
    let mut mods: Vec<String> = std::fs::read_dir(dir.join("lua"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    mods.sort();
    mods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_dataset_carries_the_games_lualib_and_base() {
        let v = crate::dataset::builtin::find(Some("2.0.77")).unwrap();
        let builtin_file = |m, r| builtin_file(v, Set::Base, m, r);
        let builtin_mods = || builtin_mods(v, Set::Base);
        let util = std::str::from_utf8(builtin_file("core", "lualib/util.lua").unwrap()).unwrap();
        assert!(util.contains("function util.merge"), "util.lua is the game's");
        assert!(builtin_file("core", "lualib/mod-gui.lua").is_some());
        assert!(builtin_file("base", "prototypes/entity/sounds.lua").is_some());
        assert!(builtin_file("base", "prototypes/entity/pipecovers.lua").is_some());
        assert!(builtin_file("core", "lualib/nope.lua").is_none());
        assert_eq!(builtin_mods(), ["base", "core"]);
        // The expansions' Lua is there for the set that holds them, and only for it.
        assert!(builtin_file("space-age", "data.lua").is_none());
        assert!(super::builtin_file(v, Set::Expansions, "space-age", "data.lua").is_some());
        assert_eq!(super::builtin_mods(v, Set::Expansions), ["base", "core", "elevated-rails", "quality", "space-age"]);
    }

    #[test]
    fn paths_never_leave_their_folder() {
        let builtin_file = |m, r| builtin_file(crate::dataset::builtin::VERSIONS[0], Set::Expansions, m, r);
        for bad in ["../x.lua", "/etc/passwd", "a/../../b.lua", "", "a\\..\\b", "./"] {
            assert!(!is_contained(bad), "{bad}");
            assert!(builtin_file("core", bad).is_none(), "{bad}");
        }
        assert!(builtin_file("..", "core/lualib/util.lua").is_none());
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("lua/core/lualib")).unwrap();
        std::fs::write(tmp.path().join("secret.lua"), "secret").unwrap();
        std::fs::write(tmp.path().join("lua/core/lualib/util.lua"), "util").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path().join("secret.lua"), tmp.path().join("lua/core/lualib/link.lua")).unwrap();
        assert_eq!(folder_file(tmp.path(), "core", "lualib/util.lua").unwrap().unwrap(), b"util");
        assert!(folder_file(tmp.path(), "core", "../secret.lua").unwrap().is_none());
        assert!(folder_file(tmp.path(), "core", "lualib/link.lua").unwrap().is_none(), "a link out is refused");
        assert_eq!(folder_mods(tmp.path()), ["core"]);
    }

    #[cfg(unix)]
    #[test]
    fn resolve_inside_follows_links_at_every_level() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ds");
        std::fs::create_dir_all(root.join("prototype")).unwrap();
        std::fs::write(root.join("prototype/a.lua"), "a").unwrap();
        std::fs::write(tmp.path().join("secret.lua"), "secret").unwrap();
        let link = |target: &Path, at: &str| std::os::unix::fs::symlink(target, root.join(at)).unwrap();
        link(Path::new("a.lua"), "prototype/same.lua");
        link(tmp.path(), "up");
        link(&tmp.path().join("secret.lua"), "prototype/out.lua");
        link(&tmp.path().join("gone.lua"), "prototype/dangling.lua");
        let real_a = root.join("prototype/a.lua").canonicalize().unwrap();
        assert_eq!(resolve_inside(&root, "prototype/a.lua"), Inside::File(real_a.clone()));
        assert_eq!(resolve_inside(&root, "prototype/same.lua"), Inside::File(real_a));
        assert_eq!(resolve_inside(&root, "prototype/none.lua"), Inside::Missing);
        assert_eq!(resolve_inside(&root, "prototype"), Inside::Missing, "a folder is not a file");
        for out in [
            "up/secret.lua",
            "prototype/out.lua",
            "prototype/dangling.lua",
            "../secret.lua",
            "/etc/passwd",
            "prototype/../../secret.lua",
        ] {
            assert_eq!(resolve_inside(&root, out), Inside::Outside, "{out}");
        }
    }
}
