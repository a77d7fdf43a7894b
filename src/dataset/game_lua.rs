//! The game's own Lua files (`core/lualib`, core's and base's prototype files), so `require("util")`,
//! `__core__/lualib/…` and `__base__/…` resolve in every stage without a game folder.
//!
//! The built-in dataset carries them as one gzipped tar (`fixtures/vanilla/game-lua.tar.gz`, made
//! by `scripts/pack-game-lua.py` from the game's public copy of its Lua), unpacked in memory the
//! first time a file is read. A dataset folder carries them as `<dataset>/lua/<mod>/…`.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path};
use std::sync::OnceLock;

static BUILTIN_GAME_LUA: &[u8] = include_bytes!("../../fixtures/vanilla/game-lua.tar.gz");

/// `mod/relative/path.lua` → the file's bytes, of the built-in dataset.
fn builtin_files() -> &'static HashMap<String, Vec<u8>> {
    static FILES: OnceLock<HashMap<String, Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| unpack(BUILTIN_GAME_LUA).unwrap_or_default())
}

/// Every regular file of a gzipped tar, by its path; an archive that cannot be read is an error.
fn unpack(gz: &[u8]) -> std::io::Result<HashMap<String, Vec<u8>>> {
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

/// A file of the built-in dataset's game Lua: `module` is a game mod (`core`, `base`).
pub fn builtin_file(module: &str, relative: &str) -> Option<&'static [u8]> {
    if !is_contained(module) || !is_contained(relative) {
        return None;
    }
    builtin_files().get(&format!("{module}/{relative}")).map(Vec::as_slice)
}

/// The game mods whose Lua the built-in dataset carries.
pub fn builtin_mods() -> Vec<String> {
    let mut mods: Vec<String> =
        builtin_files().keys().filter_map(|k| k.split('/').next()).map(str::to_string).collect();
    mods.sort();
    mods.dedup();
    mods
}

/// A file of a dataset folder's game Lua, `<dir>/lua/<module>/<relative>`, refusing any path that
/// leaves `<dir>/lua/<module>` (by its parts, and by where links on disk lead).
pub fn folder_file(dir: &Path, module: &str, relative: &str) -> std::io::Result<Option<Vec<u8>>> {
    if !is_contained(module) || !is_contained(relative) {
        return Ok(None);
    }
    let root = dir.join("lua").join(module);
    let path = root.join(relative);
    if !path.is_file() {
        return Ok(None);
    }
    let (Ok(real_root), Ok(real)) = (root.canonicalize(), path.canonicalize()) else { return Ok(None) };
    if !real.starts_with(&real_root) {
        return Ok(None);
    }
    std::fs::read(real).map(Some)
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
        let util = std::str::from_utf8(builtin_file("core", "lualib/util.lua").unwrap()).unwrap();
        assert!(util.contains("function util.merge"), "util.lua is the game's");
        assert!(builtin_file("core", "lualib/mod-gui.lua").is_some());
        assert!(builtin_file("base", "prototypes/entity/sounds.lua").is_some());
        assert!(builtin_file("base", "prototypes/entity/pipecovers.lua").is_some());
        assert!(builtin_file("core", "lualib/nope.lua").is_none());
        assert_eq!(builtin_mods(), ["base", "core"]);
    }

    #[test]
    fn paths_never_leave_their_folder() {
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
}
