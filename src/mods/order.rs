//! Checking a set of mods and putting them in the game's load order.
//!
//! The rule, from the game's documentation (Data lifecycle,
//! <https://lua-api.factorio.com/latest/auxiliary/data-lifecycle.html>): "the depth of each
//! mod's dependency chain is taken into account first, sorting the shorter ones to the front
//! of the queue. For mods with identical chain depths, the natural sort order of their
//! internal names then determines the definitive ordering." Older pages
//! (<https://lua-api.factorio.com/0.15.3/Data-Lifecycle.html>) add "natural sort order
//! accounting for case". Here a mod's depth is 1 + the deepest of the present mods it
//! depends on in a load-order-affecting way (required, `?`, `(?)`, `+`; not `~` or `!`), `core`
//! is depth 0, and names compare by digit runs numerically, letters case-insensitively,
//! then by exact bytes to break ties.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use super::dependency::{Dependency, Kind};
use super::info::ModInfo;
use super::version::Version;

/// One thing wrong with a set of mods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A required dependency is not in the set.
    Missing {
        /// The mod that needs it.
        by: String,
        /// The dependency as written.
        dependency: Dependency,
    },
    /// A dependency (required, or optional and present) has the wrong version.
    WrongVersion {
        /// The mod that needs it.
        by: String,
        /// The dependency as written.
        dependency: Dependency,
        /// The version present.
        found: Version,
    },
    /// A `!` dependency is present.
    Incompatible {
        /// The mod that declares it.
        by: String,
        /// The present mod.
        other: String,
    },
    /// Mods that (through load-order dependencies) depend on themselves.
    Cycle(Vec<String>),
    /// Two mods in the set share a name.
    Duplicate(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing { by, dependency } => {
                write!(
                    f,
                    "{by} requires \"{dependency}\", which is not present (install and enable {})",
                    dependency.name
                )
            }
            Problem::WrongVersion { by, dependency, found } => {
                write!(f, "{by} depends on \"{dependency}\", but {} {found} is present", dependency.name)
            }
            Problem::Incompatible { by, other } => write!(f, "{by} is incompatible with {other} (disable one of them)"),
            Problem::Cycle(names) => {
                write!(f, "dependency cycle: {} -> {}", names.join(" -> "), names.first().map_or("", String::as_str))
            }
            Problem::Duplicate(name) => write!(f, "mod {name} appears more than once"),
        }
    }
}

/// Compares two names in natural order: digit runs by value, other characters
/// case-insensitively, then the exact bytes so the order is total.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let split = |s: &[u8]| s.iter().position(|b| !b.is_ascii_digit()).unwrap_or(s.len());
                let (nx, ny) = (split(x), split(y));
                let (dx, rx) = x.split_at(nx);
                let (dy, ry) = y.split_at(ny);
                let trim = |d: &[u8]| -> usize { d.iter().position(|&b| b != b'0').unwrap_or(d.len()) };
                let (vx, vy) = (dx.get(trim(dx)..).unwrap_or_default(), dy.get(trim(dy)..).unwrap_or_default());
                let ord = vx.len().cmp(&vy.len()).then_with(|| vx.cmp(vy));
                if ord != Ordering::Equal {
                    return ord;
                }
                (x, y) = (rx, ry);
            }
            (Some(c), Some(d)) => {
                let ord = c.to_ascii_lowercase().cmp(&d.to_ascii_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                (x, y) = (x.get(1..).unwrap_or_default(), y.get(1..).unwrap_or_default());
            }
        }
    }
}

fn index<M: AsRef<ModInfo>>(mods: &[M]) -> HashMap<&str, usize> {
    mods.iter().enumerate().map(|(i, m)| (m.as_ref().name.as_str(), i)).collect()
}

/// The load-order edges of mod `i`: indices of present mods it must load after.
fn edges<M: AsRef<ModInfo>>(mods: &[M], by_name: &HashMap<&str, usize>, i: usize) -> Vec<usize> {
    mods.get(i)
        .map(|m| m.as_ref().dependencies.iter())
        .into_iter()
        .flatten()
        .filter(|d| d.kind.affects_load_order())
        .filter_map(|d| by_name.get(d.name.as_str()).copied())
        .collect()
}

/// Depths of every mod, or the first cycle found.
fn depths<M: AsRef<ModInfo>>(mods: &[M]) -> Result<Vec<usize>, Vec<String>> {
    let by_name = index(mods);
    // 0 = not seen, 1 = on the stack, 2 = done; an explicit stack keeps deep chains off
    // the call stack.
    let mut state = vec![0u8; mods.len()];
    let mut depth = vec![0usize; mods.len()];
    for start in 0..mods.len() {
        if state.get(start) == Some(&2) {
            continue;
        }
        let mut stack: Vec<(usize, Vec<usize>)> = vec![(start, edges(mods, &by_name, start))];
        if let Some(s) = state.get_mut(start) {
            *s = 1;
        }
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            if let Some(next) = pending.pop() {
                match state.get(next).copied().unwrap_or(2) {
                    0 => {
                        if let Some(s) = state.get_mut(next) {
                            *s = 1;
                        }
                        let e = edges(mods, &by_name, next);
                        stack.push((next, e));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                        let names = stack.get(from..).unwrap_or_default().iter();
                        return Err(names.filter_map(|(n, _)| mods.get(*n)).map(|m| m.as_ref().name.clone()).collect());
                    }
                    _ => {}
                }
            } else {
                let is_core = mods.get(node).is_some_and(|m| m.as_ref().name == "core");
                let d = if is_core {
                    0
                } else {
                    1 + edges(mods, &by_name, node).iter().filter_map(|&e| depth.get(e)).max().copied().unwrap_or(0)
                };
                if let Some(slot) = depth.get_mut(node) {
                    *slot = d;
                }
                if let Some(s) = state.get_mut(node) {
                    *s = 2;
                }
                stack.pop();
            }
        }
    }
    Ok(depth)
}

/// The game's load order of `mods`, as indices into the slice. Missing optional
/// dependencies are ignored; a cycle is an error.
pub fn load_order<M: AsRef<ModInfo>>(mods: &[M]) -> Result<Vec<usize>, Problem> {
    let depth = depths(mods).map_err(Problem::Cycle)?;
    let mut order: Vec<usize> = (0..mods.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| {
            (depth.get(i).copied().unwrap_or(0), mods.get(i).map(|m| m.as_ref().name.as_str()).unwrap_or(""))
        };
        let ((da, na), (db, nb)) = (key(a), key(b));
        da.cmp(&db).then_with(|| natural_cmp(na, nb))
    });
    Ok(order)
}

/// Every problem in a set of mods that the game would refuse to load with.
pub fn check<M: AsRef<ModInfo>>(mods: &[M]) -> Vec<Problem> {
    let by_name = index(mods);
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for m in mods {
        let m = m.as_ref();
        if !seen.insert(m.name.as_str()) {
            problems.push(Problem::Duplicate(m.name.clone()));
        }
        for dep in &m.dependencies {
            let present = by_name.get(dep.name.as_str()).and_then(|&i| mods.get(i)).map(|o| o.as_ref().version);
            match (dep.kind, present) {
                (Kind::Incompatible, Some(v)) if dep.version_allows(v) => {
                    problems.push(Problem::Incompatible { by: m.name.clone(), other: dep.name.clone() });
                }
                (Kind::Incompatible, _) => {}
                (k, None) if k.is_required() => {
                    problems.push(Problem::Missing { by: m.name.clone(), dependency: dep.clone() });
                }
                (_, None) => {}
                (_, Some(found)) if !dep.version_allows(found) => {
                    problems.push(Problem::WrongVersion { by: m.name.clone(), dependency: dep.clone(), found });
                }
                _ => {}
            }
        }
    }
    if let Err(cycle) = depths(mods) {
        problems.push(Problem::Cycle(cycle));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, version: &str, deps: &[&str]) -> ModInfo {
        ModInfo {
            name: name.into(),
            version: Version::parse(version).unwrap(),
            title: name.into(),
            author: "t".into(),
            factorio_version: "2.0".into(),
            dependencies: deps.iter().map(|d| Dependency::parse(d).unwrap()).collect(),
            description: None,
            contact: None,
            homepage: None,
        }
    }

    fn names(mods: &[ModInfo]) -> Vec<&str> {
        load_order(mods).unwrap().into_iter().map(|i| mods[i].name.as_str()).collect()
    }

    #[test]
    fn natural_sort_compares_numbers_by_value_and_ignores_case() {
        let mut v = vec!["mod10", "mod2", "Mod1", "b", "A", "a", "mod02", "x-1", "x_1"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["A", "a", "b", "Mod1", "mod02", "mod2", "mod10", "x-1", "x_1"]);
    }

    #[test]
    fn shorter_chains_load_first_then_names_in_natural_order() {
        let mods = vec![
            info("zz-app", "1.0.0", &["base", "lib2"]),
            info("lib2", "1.0.0", &["base", "lib10"]),
            info("lib10", "1.0.0", &["base"]),
            info("Alpha", "1.0.0", &["base"]),
            info("base", "2.0.0", &[]),
            info("core", "2.0.0", &[]),
            info("lazy", "1.0.0", &["base", "~ zz-app"]),
            info("opt", "1.0.0", &["? zz-app", "? not-installed"]),
        ];
        assert_eq!(names(&mods), ["core", "base", "Alpha", "lazy", "lib10", "lib2", "zz-app", "opt"]);
    }

    #[test]
    fn the_expansions_load_in_the_games_order() {
        let mods = vec![
            info("space-age", "2.0.0", &["base", "elevated-rails", "quality"]),
            info("quality", "2.0.0", &["base"]),
            info("elevated-rails", "2.0.0", &["base"]),
            info("base", "2.0.0", &[]),
            info("my-mod", "1.0.0", &["base"]),
        ];
        assert_eq!(names(&mods), ["base", "elevated-rails", "my-mod", "quality", "space-age"]);
    }

    #[test]
    fn a_recommended_mod_may_be_absent_and_loads_first_when_present() {
        // 2.1.9's own mods: space-age declares "+ quality >= 2.1.0".
        let game = |with_quality: bool| {
            let mut mods = vec![
                info("core", "2.1.9", &[]),
                info("base", "2.1.9", &[]),
                info("recycler", "2.1.9", &["base >= 2.1.0"]),
                info("elevated-rails", "2.1.9", &["base >= 2.1.0"]),
                info(
                    "space-age",
                    "2.1.9",
                    &["base >= 2.1.0", "elevated-rails >= 2.1.0", "+ quality >= 2.1.0", "recycler >= 2.1.0"],
                ),
            ];
            if with_quality {
                mods.push(info("quality", "2.1.9", &["base >= 2.1.0", "recycler >= 2.1.0"]));
            }
            mods
        };
        assert_eq!(check(&game(true)), vec![]);
        assert_eq!(names(&game(true)), ["core", "base", "elevated-rails", "recycler", "quality", "space-age"]);
        assert_eq!(check(&game(false)), vec![]);
        assert_eq!(names(&game(false)), ["core", "base", "elevated-rails", "recycler", "space-age"]);
        // Present with the wrong version, it is a problem, as for `?`.
        let mods =
            vec![info("base", "2.0.0", &[]), info("app", "1.0.0", &["+ lib >= 2.0.0"]), info("lib", "1.0.0", &[])];
        let messages: Vec<String> = check(&mods).iter().map(ToString::to_string).collect();
        assert_eq!(messages, ["app depends on \"+ lib >= 2.0.0\", but lib 1.0.0 is present"]);
    }

    #[test]
    fn check_names_every_problem() {
        let mods = vec![
            info("base", "2.0.0", &[]),
            info("app", "1.0.0", &["base >= 2.0", "lib >= 2.0.0", "missing", "? opt < 1.0.0", "? absent", "! enemy"]),
            info("lib", "1.5.0", &["base"]),
            info("opt", "1.0.0", &["base"]),
            info("enemy", "0.1.0", &[]),
            info("a", "1.0.0", &["b"]),
            info("b", "1.0.0", &["a"]),
        ];
        let messages: Vec<String> = check(&mods).iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "app depends on \"lib >= 2.0.0\", but lib 1.5.0 is present",
                "app requires \"missing\", which is not present (install and enable missing)",
                "app depends on \"? opt < 1.0.0\", but opt 1.0.0 is present",
                "app is incompatible with enemy (disable one of them)",
                "dependency cycle: a -> b -> a",
            ]
        );
        assert_eq!(load_order(&mods).unwrap_err().to_string(), "dependency cycle: a -> b -> a");
    }

    #[test]
    fn a_clean_set_has_no_problems() {
        let mods = vec![
            info("base", "2.0.0", &[]),
            info("app", "1.0.0", &["base >= 2.0", "~ lazy"]),
            info("lazy", "1.0.0", &["app"]),
        ];
        assert_eq!(check(&mods), vec![]);
        assert_eq!(check(&[info("x", "1.0.0", &[]), info("x", "1.0.0", &[])]), vec![Problem::Duplicate("x".into())]);
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let mods: Vec<ModInfo> = (0..5000)
            .map(|i| {
                let dep = format!("m{}", i + 1);
                let deps: Vec<&str> = if i == 4999 { vec![] } else { vec![dep.as_str()] };
                info(&format!("m{i}"), "1.0.0", &deps)
            })
            .collect();
        let order = load_order(&mods).unwrap();
        assert_eq!(mods[order[0]].name, "m4999");
        assert_eq!(mods[order[4999]].name, "m0");
    }
}
