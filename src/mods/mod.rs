//! Installed mods: `info.json`, dependency strings, load order, zip and folder scanning.
