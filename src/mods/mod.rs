//! Installed mods: `info.json`, dependency strings, load order, zip and folder scanning.
//!
//! * [`version`] — `a.b.c` versions.
//! * [`dependency`] — `"? name >= 1.2.3"` strings.
//! * [`info`] — `info.json`.
//! * [`order`] — checking a set of mods and the game's load order.
//! * [`scan`] — mods folders, zips, and reading a mod's files.

pub mod dependency;
pub mod info;
pub mod order;
pub mod scan;
pub mod version;

pub use dependency::{Dependency, Kind, Op};
pub use info::ModInfo;
pub use order::{Problem, check, load_order, natural_cmp};
pub use scan::{BUILTIN, EXPANSIONS, Mod, ModFiles, Scan, Source, is_builtin, load, scan};
pub use version::Version;
