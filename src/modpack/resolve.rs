//! The resolver: from a [`Modpack`] and a [`Portal`], the newest release of every mod the pack
//! needs such that every constraint holds, as the game checks them when it loads the pack.
//!
//! * A mod's candidates are its releases whose `factorio_version` is the pack's series, newest
//!   first, that satisfy every version constraint on it so far (the modpack's, and those of
//!   the picked mods' dependencies: required, `~`, and `?`/`(?)`/`+` ones too, which bind
//!   when the mod is in the pack) and that no picked mod declares incompatible (`!`).
//! * Required dependencies (no prefix, `~`) are pulled in; `?`, `(?)` and `+` are not (list
//!   a mod in the modpack to have it).
//! * The game's own mods (core, base, elevated-rails, quality, space-age, from 2.1 recycler)
//!   are never asked of the portal: they are the game's version (any patch of the series when
//!   the modpack names only `2.0`), and pull in the game mods they need (space-age 2.0:
//!   elevated-rails, quality).
//! * A pick that breaks a constraint later is undone and the next older candidate tried
//!   (depth-first, at most [`MAX_TRIES`] picks), so an older release is taken only when the
//!   newer ones cannot fit.
//! * Dependency cycles among the picked mods (through load-order dependencies) are refused,
//!   as the game refuses them.
//!
//! Before searching, every mod the modpack names is checked on its own (known to the portal,
//! a release for the game version, its constraint satisfiable), so such mistakes are reported
//! all at once.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::rc::Rc;

use super::portal::{self, Portal, Release};
use super::{GameVersion, Modpack, Pinned};
use crate::mods::{Dependency, Kind, ModInfo, Version, natural_cmp};

/// Picks tried at most before the resolver gives up.
pub const MAX_TRIES: usize = 20_000;

/// Who asked for something: `modpack.json`, or `"name version"` of a picked mod.
pub const MODPACK: &str = "modpack.json";

/// One reason the pack cannot be resolved, naming the mods.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Conflict {
    /// The portal does not know the mod.
    NotOnPortal {
        /// The mod.
        name: String,
        /// Who asked for it.
        wanted_by: Vec<String>,
    },
    /// The mod has no release for the pack's game version.
    NoRelease {
        /// The mod.
        name: String,
        /// The pack's game version.
        game: GameVersion,
        /// The series it does have releases for.
        other_series: Vec<String>,
        /// Who asked for it.
        wanted_by: Vec<String>,
    },
    /// No release of the mod (for the game version) satisfies every constraint on it.
    Versions {
        /// The mod.
        name: String,
        /// The constraints: who, and the dependency as written.
        constraints: Vec<(String, Dependency)>,
        /// Its releases for the game version, newest first.
        available: Vec<Version>,
        /// Those that satisfy every constraint (they then conflicted with something else).
        fitting: Vec<Version>,
    },
    /// A mod declares another incompatible (`!`) and both would be in the pack.
    Incompatible {
        /// The mod declaring it (`"name version"`, or `modpack.json`).
        by: String,
        /// The other mod.
        other: String,
    },
    /// A dependency on the game's own mods that the pack's game version does not satisfy.
    Game {
        /// Who depends.
        by: String,
        /// The dependency.
        dependency: Dependency,
        /// The pack's game version.
        game: GameVersion,
    },
    /// A game mod that this game version does not have (recycler before 2.1).
    NotInGame {
        /// The mod.
        name: String,
        /// The pack's game version.
        game: GameVersion,
        /// Who asked for it.
        wanted_by: Vec<String>,
    },
    /// Picked mods that depend on themselves through load-order dependencies.
    Cycle(Vec<String>),
    /// The search gave up.
    TooManyTries(usize),
}

fn list(v: &[String]) -> String {
    if v.is_empty() { "nobody".into() } else { v.join(", ") }
}

fn versions(v: &[Version]) -> String {
    if v.is_empty() { "none".into() } else { v.iter().map(Version::to_string).collect::<Vec<_>>().join(", ") }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::NotOnPortal { name, wanted_by } => write!(
                f,
                "{name}: no such mod on the mod portal (wanted by {}); check the internal name (the one in the mod's URL, https://mods.factorio.com/mod/<name>; names are case-sensitive)",
                list(wanted_by)
            ),
            Conflict::NoRelease { name, game, other_series, wanted_by } => write!(
                f,
                "{name}: no release for Factorio {} (wanted by {}; it has releases for {}); pick another game version or drop the mod",
                game.series(),
                list(wanted_by),
                if other_series.is_empty() { "no version".into() } else { other_series.join(", ") }
            ),
            Conflict::Versions { name, constraints, available, fitting } => {
                let c: Vec<String> = constraints.iter().map(|(by, d)| format!("\"{d}\" ({by})")).collect();
                if fitting.is_empty() {
                    write!(
                        f,
                        "{name}: no release satisfies every constraint: {}; its releases for this game version: {}",
                        c.join(", "),
                        versions(available)
                    )
                } else {
                    write!(
                        f,
                        "{name}: the releases that satisfy {} ({}) conflict with other mods of the pack",
                        c.join(", "),
                        versions(fitting)
                    )
                }
            }
            Conflict::Incompatible { by, other } => {
                write!(
                    f,
                    "{by} is incompatible with {other}; drop one of them from the modpack (or pin a version without the conflict)"
                )
            }
            Conflict::Game { by, dependency, game } => {
                write!(
                    f,
                    "{by} requires \"{dependency}\", but the modpack's game version is {game}; change factorio_version or the mod's version"
                )
            }
            Conflict::NotInGame { name, game, wanted_by } => {
                write!(f, "{name}: Factorio {game} has no such game mod (wanted by {})", list(wanted_by))
            }
            Conflict::Cycle(names) => write!(
                f,
                "dependency cycle: {} -> {}; the game refuses to load it: pin another version of one of them",
                names.join(" -> "),
                names.first().map_or("", String::as_str)
            ),
            Conflict::TooManyTries(n) => write!(
                f,
                "gave up after trying {n} combinations of releases; pin versions of the mods with many releases in modpack.json"
            ),
        }
    }
}

/// Why [`resolve`] stopped.
#[derive(Debug)]
pub enum Failure {
    /// The pack cannot be resolved (the exit code 1 of the command line).
    Conflicts(Vec<Conflict>),
    /// The portal could not be asked (exit code 3).
    Portal(portal::Error),
}

impl From<portal::Error> for Failure {
    fn from(e: portal::Error) -> Failure {
        Failure::Portal(e)
    }
}

#[derive(Clone, Debug)]
struct Req {
    from: String,
    dep: Dependency,
}

#[derive(Clone, Debug)]
enum Pick {
    Builtin,
    Release(Rc<Release>),
}

#[derive(Clone, Debug, Default)]
struct State {
    chosen: BTreeMap<String, Pick>,
    reqs: BTreeMap<String, Vec<Req>>,
    queue: VecDeque<String>,
}

/// A mod's releases, newest first, shared between search states.
type Releases = Rc<Vec<Rc<Release>>>;

struct Resolver<'a, P: Portal + ?Sized> {
    portal: &'a P,
    game: GameVersion,
    builtins: Vec<(&'static str, &'static [&'static str])>,
    cache: RefCell<HashMap<String, Option<Releases>>>,
    tries: usize,
}

enum Stop {
    Conflict(Conflict),
    Portal(portal::Error),
}

impl From<Conflict> for Stop {
    fn from(c: Conflict) -> Stop {
        Stop::Conflict(c)
    }
}

/// Who requires `name` (required and `~` dependencies, and the modpack).
fn wanted_by(state: &State, name: &str) -> Vec<String> {
    let mut by: Vec<String> = state
        .reqs
        .get(name)
        .into_iter()
        .flatten()
        .filter(|r| r.dep.kind.is_required())
        .map(|r| r.from.clone())
        .collect();
    by.dedup();
    by
}

fn label(name: &str, pick: &Pick) -> String {
    match pick {
        Pick::Builtin => name.to_owned(),
        Pick::Release(r) => format!("{name} {}", r.version),
    }
}

impl<P: Portal + ?Sized> Resolver<'_, P> {
    fn releases(&self, name: &str) -> Result<Option<Releases>, Stop> {
        if let Some(hit) = self.cache.borrow().get(name) {
            return Ok(hit.clone());
        }
        let got = self.portal.releases(name).map_err(Stop::Portal)?.map(|mut list| {
            list.sort_by_key(|r| std::cmp::Reverse(r.version));
            Rc::new(list.into_iter().map(Rc::new).collect::<Vec<_>>())
        });
        self.cache.borrow_mut().insert(name.to_owned(), got.clone());
        Ok(got)
    }

    fn builtin(&self, name: &str) -> Option<&'static [&'static str]> {
        self.builtins.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
    }

    fn allows(&self, pick: &Pick, dep: &Dependency) -> bool {
        match (pick, dep.version) {
            (_, None) => true,
            (Pick::Builtin, Some((op, v))) => self.game.allows(op, v),
            (Pick::Release(r), Some(_)) => dep.version_allows(r.version),
        }
    }

    /// The releases of `name` for the game: newest first, usable ones only.
    fn for_game(&self, releases: &[Rc<Release>]) -> Result<Vec<Rc<Release>>, Vec<String>> {
        let mine: Vec<Rc<Release>> = releases
            .iter()
            .filter(|r| r.problem.is_none() && self.game.accepts(&r.factorio_version))
            .cloned()
            .collect();
        if mine.is_empty() {
            let mut series: Vec<String> = releases.iter().map(|r| r.factorio_version.clone()).collect();
            series.sort_by(|a, b| natural_cmp(a, b));
            series.dedup();
            return Err(series);
        }
        Ok(mine)
    }

    /// The candidates for `name` under the constraints of `state`, or why there are none.
    fn candidates(&self, state: &State, name: &str) -> Result<Vec<Rc<Release>>, Stop> {
        let wanted_by = wanted_by(state, name);
        let releases = self
            .releases(name)?
            .ok_or_else(|| Conflict::NotOnPortal { name: name.to_owned(), wanted_by: wanted_by.clone() })?;
        let mine = self.for_game(&releases).map_err(|other_series| Conflict::NoRelease {
            name: name.to_owned(),
            game: self.game,
            other_series,
            wanted_by: wanted_by.clone(),
        })?;
        let reqs = state.reqs.get(name).map(Vec::as_slice).unwrap_or_default();
        let constraints: Vec<&Req> =
            reqs.iter().filter(|r| r.dep.kind != Kind::Incompatible && r.dep.version.is_some()).collect();
        let fitting: Vec<Rc<Release>> =
            mine.iter().filter(|r| constraints.iter().all(|c| c.dep.version_allows(r.version))).cloned().collect();
        if fitting.is_empty() {
            return Err(Conflict::Versions {
                name: name.to_owned(),
                constraints: constraints.iter().map(|r| (r.from.clone(), r.dep.clone())).collect(),
                available: mine.iter().map(|r| r.version).collect(),
                fitting: Vec::new(),
            }
            .into());
        }
        let bans: Vec<&Req> = reqs.iter().filter(|r| r.dep.kind == Kind::Incompatible).collect();
        let allowed: Vec<Rc<Release>> =
            fitting.iter().filter(|r| !bans.iter().any(|b| b.dep.version_allows(r.version))).cloned().collect();
        if allowed.is_empty() {
            let by = bans.first().map(|b| b.from.clone()).unwrap_or_else(|| MODPACK.into());
            return Err(Conflict::Incompatible { by, other: name.to_owned() }.into());
        }
        Ok(allowed)
    }

    /// Whether picking `release` of `name` breaks nothing already picked.
    fn check(&self, state: &State, name: &str, release: &Release) -> Result<(), Stop> {
        let me = format!("{name} {}", release.version);
        for dep in &release.dependencies {
            if dep.name == name {
                continue;
            }
            if let Some(pick) = state.chosen.get(&dep.name) {
                let fits = self.allows(pick, dep);
                match dep.kind {
                    Kind::Incompatible if fits => {
                        return Err(Conflict::Incompatible { by: me, other: label(&dep.name, pick) }.into());
                    }
                    Kind::Incompatible => {}
                    _ if fits => {}
                    _ => {
                        if let Pick::Builtin = pick {
                            return Err(Conflict::Game { by: me, dependency: dep.clone(), game: self.game }.into());
                        }
                        let mut constraints: Vec<(String, Dependency)> = state
                            .reqs
                            .get(&dep.name)
                            .into_iter()
                            .flatten()
                            .filter(|r| r.dep.kind != Kind::Incompatible && r.dep.version.is_some())
                            .map(|r| (r.from.clone(), r.dep.clone()))
                            .collect();
                        constraints.push((me.clone(), dep.clone()));
                        let mine = match self.releases(&dep.name)? {
                            Some(all) => self.for_game(&all).unwrap_or_default(),
                            None => Vec::new(),
                        };
                        let fitting = mine
                            .iter()
                            .filter(|r| constraints.iter().all(|(_, d)| d.version_allows(r.version)))
                            .map(|r| r.version)
                            .collect();
                        return Err(Conflict::Versions {
                            name: dep.name.clone(),
                            constraints,
                            available: mine.iter().map(|r| r.version).collect(),
                            fitting,
                        }
                        .into());
                    }
                }
            } else if super::GameVersion::is_builtin_name(&dep.name) && dep.kind.is_required() {
                if self.builtin(&dep.name).is_none() {
                    return Err(
                        Conflict::NotInGame { name: dep.name.clone(), game: self.game, wanted_by: vec![me] }.into()
                    );
                }
                if dep.version.is_some_and(|(op, v)| !self.game.allows(op, v)) {
                    return Err(Conflict::Game { by: me, dependency: dep.clone(), game: self.game }.into());
                }
            }
        }
        Ok(())
    }

    /// Adds what picking `name` implies.
    fn pick(&self, mut state: State, name: &str, pick: Pick) -> State {
        let from = label(name, &pick);
        let deps: Vec<Dependency> = match &pick {
            Pick::Release(r) => r.dependencies.clone(),
            Pick::Builtin => self
                .builtin(name)
                .unwrap_or_default()
                .iter()
                .map(|d| Dependency { kind: Kind::Required, name: (*d).to_owned(), version: None })
                .collect(),
        };
        state.chosen.insert(name.to_owned(), pick);
        for dep in deps {
            if dep.name == name {
                continue;
            }
            if dep.kind.is_required() && !state.chosen.contains_key(&dep.name) {
                state.queue.push_back(dep.name.clone());
            }
            state.reqs.entry(dep.name.clone()).or_default().push(Req { from: from.clone(), dep });
        }
        state
    }

    fn solve(&mut self, mut state: State) -> Result<State, Stop> {
        let name = loop {
            match state.queue.pop_front() {
                None => return Ok(state),
                Some(n) if state.chosen.contains_key(&n) => continue,
                Some(n) => break n,
            }
        };
        if GameVersion::is_builtin_name(&name) {
            if self.builtin(&name).is_none() {
                return Err(Conflict::NotInGame {
                    name: name.clone(),
                    game: self.game,
                    wanted_by: wanted_by(&state, &name),
                }
                .into());
            }
            for r in state.reqs.get(&name).into_iter().flatten() {
                let fits = self.allows(&Pick::Builtin, &r.dep);
                match r.dep.kind {
                    Kind::Incompatible if fits => {
                        return Err(Conflict::Incompatible { by: r.from.clone(), other: name.clone() }.into());
                    }
                    Kind::Incompatible => {}
                    _ if !fits => {
                        return Err(
                            Conflict::Game { by: r.from.clone(), dependency: r.dep.clone(), game: self.game }.into()
                        );
                    }
                    _ => {}
                }
            }
            let next = self.pick(state, &name, Pick::Builtin);
            return self.solve(next);
        }
        let candidates = self.candidates(&state, &name)?;
        let mut first: Option<Stop> = None;
        for c in candidates {
            self.tries += 1;
            if self.tries > MAX_TRIES {
                return Err(Conflict::TooManyTries(MAX_TRIES).into());
            }
            if let Err(e) = self.check(&state, &name, &c) {
                if let Stop::Portal(_) = e {
                    return Err(e);
                }
                first.get_or_insert(e);
                continue;
            }
            let next = self.pick(state.clone(), &name, Pick::Release(c));
            match self.solve(next) {
                Ok(s) => return Ok(s),
                Err(e @ (Stop::Portal(_) | Stop::Conflict(Conflict::TooManyTries(_)))) => return Err(e),
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        Err(first.unwrap_or(Stop::Conflict(Conflict::TooManyTries(self.tries))))
    }

    /// Checks each mod the modpack names on its own, so every such mistake is reported.
    fn precheck(&self, pack: &Modpack) -> Result<Vec<Conflict>, Stop> {
        let mut out = Vec::new();
        let from_portal: Vec<String> =
            pack.mods.iter().filter(|m| !GameVersion::is_builtin_name(&m.name)).map(|m| m.name.clone()).collect();
        let missing = if from_portal.is_empty() {
            Vec::new()
        } else {
            self.portal.missing(&from_portal).map_err(Stop::Portal)?
        };
        let mut state = State::default();
        for m in &pack.mods {
            let mut s = std::mem::take(&mut state);
            s.reqs.insert(m.name.clone(), vec![Req { from: MODPACK.into(), dep: m.as_dependency() }]);
            if GameVersion::is_builtin_name(&m.name) {
                if self.builtin(&m.name).is_none() {
                    out.push(Conflict::NotInGame {
                        name: m.name.clone(),
                        game: self.game,
                        wanted_by: vec![MODPACK.into()],
                    });
                } else if m.version.is_some_and(|(op, v)| !self.game.allows(op, v)) {
                    out.push(Conflict::Game { by: MODPACK.into(), dependency: m.as_dependency(), game: self.game });
                }
            } else if missing.contains(&m.name) {
                out.push(Conflict::NotOnPortal { name: m.name.clone(), wanted_by: vec![MODPACK.into()] });
            } else if let Err(e) = self.candidates(&s, &m.name) {
                match e {
                    Stop::Conflict(c) => out.push(c),
                    Stop::Portal(p) => return Err(Stop::Portal(p)),
                }
            }
            s.reqs.clear();
            state = s;
        }
        Ok(out)
    }
}

/// Resolves `pack` against `portal`: the pinned mods in mod-list order (base, the expansions,
/// then the rest in natural order), or every conflict found.
pub fn resolve<P: Portal + ?Sized>(pack: &Modpack, portal: &P) -> Result<Vec<Pinned>, Failure> {
    let mut r = Resolver {
        portal,
        game: pack.factorio_version,
        builtins: pack.factorio_version.builtins(),
        cache: Default::default(),
        tries: 0,
    };
    let stop = |s: Stop| match s {
        Stop::Conflict(c) => Failure::Conflicts(vec![c]),
        Stop::Portal(p) => Failure::Portal(p),
    };
    let pre = r.precheck(pack).map_err(stop)?;
    if !pre.is_empty() {
        return Err(Failure::Conflicts(pre));
    }
    let mut state = State::default();
    state = r.pick(state, "core", Pick::Builtin);
    state = r.pick(state, "base", Pick::Builtin);
    for m in &pack.mods {
        state.reqs.entry(m.name.clone()).or_default().push(Req { from: MODPACK.into(), dep: m.as_dependency() });
        state.queue.push_back(m.name.clone());
    }
    let state = r.solve(state).map_err(stop)?;
    if let Some(cycle) = cycle(&state, pack.factorio_version) {
        return Err(Failure::Conflicts(vec![Conflict::Cycle(cycle)]));
    }
    Ok(pinned(&state, pack.factorio_version))
}

/// A load-order cycle among the picked mods, found by the same check the game's loader uses.
fn cycle(state: &State, game: GameVersion) -> Option<Vec<String>> {
    let infos: Vec<ModInfo> = state
        .chosen
        .iter()
        .map(|(name, pick)| {
            let (version, dependencies) = match pick {
                Pick::Release(r) => (r.version, r.dependencies.clone()),
                Pick::Builtin => (Version::new(game.major, game.minor, game.patch.unwrap_or(0)), Vec::new()),
            };
            ModInfo {
                name: name.clone(),
                version,
                title: name.clone(),
                author: String::new(),
                factorio_version: game.series(),
                dependencies,
                description: None,
                contact: None,
                homepage: None,
            }
        })
        .collect();
    crate::mods::check(&infos).into_iter().find_map(|p| match p {
        crate::mods::Problem::Cycle(c) => Some(c),
        _ => None,
    })
}

/// Where a name sorts in the lock and mod-list: base, the expansions, the rest.
pub fn list_order(a: &str, b: &str) -> std::cmp::Ordering {
    let group = |n: &str| match n {
        "base" => 0,
        "elevated-rails" => 1,
        "quality" => 2,
        "recycler" => 3,
        "space-age" => 4,
        _ => 5,
    };
    group(a).cmp(&group(b)).then_with(|| natural_cmp(a, b))
}

fn pinned(state: &State, game: GameVersion) -> Vec<Pinned> {
    let mut out: Vec<Pinned> = state
        .chosen
        .iter()
        .filter(|(n, _)| n.as_str() != "core")
        .map(|(name, pick)| {
            let mut required_by = wanted_by(state, name);
            required_by.sort();
            required_by.dedup();
            match pick {
                Pick::Builtin => Pinned {
                    name: name.clone(),
                    version: game.patch.map(|p| Version::new(game.major, game.minor, p)),
                    release: None,
                    required_by,
                },
                Pick::Release(r) => {
                    Pinned { name: name.clone(), version: Some(r.version), release: Some((**r).clone()), required_by }
                }
            }
        })
        .collect();
    out.sort_by(|a, b| list_order(&a.name, &b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modpack::portal::Error;
    use std::cell::Cell;

    /// `(version, factorio_version, [dependencies])`
    type FakeRelease = (&'static str, &'static str, Vec<&'static str>);
    type FakeMods = Vec<(&'static str, Vec<FakeRelease>)>;

    /// The portal in memory: `(name, [release])`.
    struct Fake {
        mods: FakeMods,
        asked: Cell<usize>,
    }

    fn fake(mods: FakeMods) -> Fake {
        Fake { mods, asked: Cell::new(0) }
    }

    impl Portal for Fake {
        fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, Error> {
            self.asked.set(self.asked.get() + 1);
            Ok(self.mods.iter().find(|(n, _)| *n == name).map(|(n, rs)| {
                rs.iter()
                    .map(|(v, fv, deps)| Release {
                        version: Version::parse(v).unwrap(),
                        factorio_version: (*fv).into(),
                        dependencies: deps.iter().map(|d| Dependency::parse(d).unwrap()).collect(),
                        download_url: format!("/download/{n}/{v}"),
                        file_name: format!("{n}_{v}.zip"),
                        sha1: "0".repeat(40),
                        problem: None,
                    })
                    .collect()
            }))
        }
    }

    fn pack(game: &str, mods: &[&str]) -> Modpack {
        let list: Vec<String> = mods.iter().map(|m| serde_json::to_string(m).unwrap()).collect();
        Modpack::parse(&format!(r#"{{"factorio_version": "{game}", "mods": [{}]}}"#, list.join(","))).unwrap()
    }

    fn ok(p: &Modpack, portal: &Fake) -> Vec<String> {
        match resolve(p, portal) {
            Ok(list) => list
                .iter()
                .map(|m| format!("{}{}", m.name, m.version.map(|v| format!(" {v}")).unwrap_or_default()))
                .collect(),
            Err(Failure::Conflicts(c)) => {
                panic!("conflicts: {}", c.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("\n"))
            }
            Err(Failure::Portal(e)) => panic!("portal: {e}"),
        }
    }

    fn conflicts(p: &Modpack, portal: &Fake) -> Vec<String> {
        match resolve(p, portal) {
            Ok(list) => panic!("resolved: {list:?}"),
            Err(Failure::Conflicts(c)) => c.iter().map(|c| c.to_string()).collect(),
            Err(Failure::Portal(e)) => panic!("portal: {e}"),
        }
    }

    fn world() -> Fake {
        fake(vec![
            (
                "flib",
                vec![
                    ("0.12.0", "1.1", vec!["base >= 1.1"]),
                    ("0.15.0", "2.0", vec!["base >= 2.0"]),
                    ("0.16.2", "2.0", vec!["base >= 2.0.7"]),
                ],
            ),
            (
                "K2",
                vec![
                    ("1.4.0", "2.0", vec!["base >= 2.0", "flib >= 0.15.0", "? space-age", "! bad-mod"]),
                    ("1.3.0", "1.1", vec!["flib"]),
                ],
            ),
            ("bad-mod", vec![("1.0.0", "2.0", vec![])]),
            ("old-only", vec![("0.1.0", "1.1", vec![])]),
            ("sa-addon", vec![("1.0.0", "2.0", vec!["space-age >= 2.0.0", "~ flib"])]),
            ("a", vec![("1.0.0", "2.0", vec!["b >= 2.0.0", "c"])]),
            ("b", vec![("1.0.0", "2.0", vec![]), ("2.0.0", "2.0", vec![]), ("2.1.0", "2.0", vec![])]),
            ("c", vec![("1.0.0", "2.0", vec!["b < 2.1.0"]), ("2.0.0", "2.0", vec!["b < 2.0.0"])]),
            ("d", vec![("1.0.0", "2.0", vec!["b < 2.0.0"])]),
            ("loop-x", vec![("1.0.0", "2.0", vec!["loop-y"])]),
            ("loop-y", vec![("1.0.0", "2.0", vec!["? loop-x"])]),
            ("needs-ghost", vec![("2.0.0", "2.0", vec!["ghost"]), ("1.0.0", "2.0", vec![])]),
            ("new-base", vec![("1.0.0", "2.0", vec!["base >= 2.0.60"])]),
        ])
    }

    #[test]
    fn picks_the_newest_release_for_the_game_version_through_dependencies() {
        let w = world();
        assert_eq!(ok(&pack("2.0", &["K2"]), &w), ["base", "flib 0.16.2", "K2 1.4.0"]);
        assert_eq!(ok(&pack("2.0", &["flib < 0.16.0"]), &w), ["base", "flib 0.15.0"]);
        assert_eq!(ok(&pack("1.1", &["K2"]), &w), ["base", "flib 0.12.0", "K2 1.3.0"]);
        // a game mod pulls in what it needs; the patch is pinned when the modpack names it
        assert_eq!(
            ok(&pack("2.0.77", &["sa-addon"]), &w),
            [
                "base 2.0.77",
                "elevated-rails 2.0.77",
                "quality 2.0.77",
                "space-age 2.0.77",
                "flib 0.16.2",
                "sa-addon 1.0.0"
            ]
        );
        let list = resolve(&pack("2.0", &["sa-addon"]), &w).unwrap_or_else(|_| panic!());
        let sa = list.iter().find(|m| m.name == "space-age").unwrap();
        assert!(sa.is_builtin() && sa.required_by == ["sa-addon 1.0.0"], "{sa:?}");
        let flib = list.iter().find(|m| m.name == "flib").unwrap();
        assert_eq!(flib.required_by, ["sa-addon 1.0.0"]);
        assert_eq!(flib.release.as_ref().unwrap().file_name, "flib_0.16.2.zip");
    }

    #[test]
    fn older_releases_are_taken_only_when_newer_ones_conflict() {
        let w = world();
        // a: b >= 2.0.0, c. c 2.0.0 needs b < 2.0.0 (conflict), c 1.0.0 needs b < 2.1.0: b 2.0.0.
        assert_eq!(ok(&pack("2.0", &["a"]), &w), ["base", "a 1.0.0", "b 2.0.0", "c 1.0.0"]);
        // needs-ghost 2.0.0 needs a mod the portal lacks; 1.0.0 does not
        assert_eq!(ok(&pack("2.0", &["needs-ghost"]), &w), ["base", "needs-ghost 1.0.0"]);
        // game version: new-base needs base >= 2.0.60
        assert_eq!(ok(&pack("2.0", &["new-base"]), &w), ["base", "new-base 1.0.0"]);
        assert_eq!(ok(&pack("2.0.77", &["new-base"]), &w), ["base 2.0.77", "new-base 1.0.0"]);
    }

    #[test]
    fn conflicts_name_the_mods() {
        let w = world();
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                "2.0",
                &["nope", "K2", "also-nope"],
                &[
                    "nope: no such mod on the mod portal (wanted by modpack.json)",
                    "also-nope: no such mod on the mod portal",
                ],
            ),
            (
                "2.0",
                &["old-only"],
                &["old-only: no release for Factorio 2.0 (wanted by modpack.json; it has releases for 1.1)"],
            ),
            (
                "2.0",
                &["flib >= 1.0.0"],
                &[
                    "flib: no release satisfies every constraint: \"flib >= 1.0.0\" (modpack.json); its releases for this game version: 0.16.2, 0.15.0",
                ],
            ),
            ("2.0", &["K2", "bad-mod"], &["K2 1.4.0 is incompatible with bad-mod"]),
            ("2.0", &["bad-mod", "K2"], &["K2 1.4.0 is incompatible with bad-mod 1.0.0"]),
            (
                "2.0",
                &["a", "d"],
                &[
                    "b: no release satisfies every constraint: \"b >= 2.0.0\" (a 1.0.0), \"b < 2.0.0\" (d 1.0.0); its releases for this game version: 2.1.0, 2.0.0, 1.0.0",
                ],
            ),
            (
                "2.0.30",
                &["new-base"],
                &["new-base 1.0.0 requires \"base >= 2.0.60\", but the modpack's game version is 2.0.30"],
            ),
            ("2.0", &["recycler"], &["recycler: Factorio 2.0 has no such game mod (wanted by modpack.json)"]),
            (
                "2.0",
                &["base >= 2.1.0"],
                &["modpack.json requires \"base >= 2.1.0\", but the modpack's game version is 2.0"],
            ),
            ("2.0", &["loop-x", "loop-y"], &["dependency cycle: "]),
        ];
        for (game, mods, want) in cases {
            let got = conflicts(&pack(game, mods), &w);
            assert_eq!(got.len(), want.len(), "{mods:?}: {got:#?}");
            for (g, w) in got.iter().zip(*want) {
                assert!(g.starts_with(w), "{mods:?}:\n got  {g}\n want {w}");
            }
        }
    }

    #[test]
    fn the_portal_is_asked_once_per_mod() {
        let w = world();
        ok(&pack("2.0", &["a", "K2"]), &w);
        // a, b, c, K2, flib; the precheck's `missing` asks a and K2 once more (the default impl)
        assert_eq!(w.asked.get(), 7);
    }

    #[test]
    fn a_dead_end_deep_down_is_reported_where_it_is() {
        // every release of top needs next, which needs z, which has no release for 2.0
        let rels: Vec<FakeRelease> =
            (0..30).map(|i| (Box::leak(format!("1.0.{i}").into_boxed_str()) as &str, "2.0", vec!["next"])).collect();
        let w = fake(vec![
            ("top", rels.clone()),
            ("next", vec![("1.0.0", "2.0", vec!["z"])]),
            ("z", vec![("1.0.0", "1.1", vec![])]),
        ]);
        let got = conflicts(&pack("2.0", &["top"]), &w);
        assert!(got[0].starts_with("z: no release for Factorio 2.0 (wanted by next 1.0.0"), "{got:?}");
    }
}
