//! Downloading a resolved modpack into a mods folder.
//!
//! * Credentials: `FACTORIO_USERNAME` and `FACTORIO_TOKEN`, else the game's `player-data.json`
//!   (`service-username`, `service-token`). They go into the download request only: never
//!   into a message, a log line or a file name (see [`Credentials`]'s `Debug`).
//! * Every zip is written to a temporary file beside its target, hashed as it arrives, and
//!   renamed into place only when its SHA1 is the one the portal lists; a zip already there
//!   with that SHA1 is kept. A failure removes the temporary file.
//! * Then `mod-list.json` (the game's format, [`crate::mod_list`]) enables exactly the pack:
//!   its mods with their pinned versions, the game's expansions it has; every other listed
//!   mod is disabled.

use std::fmt;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha1::Digest;

use super::portal::{Error, ErrorKind, HttpPortal, Release, scrub};
use super::{Lock, sha1_hex};
use crate::mod_list::ModList;

/// The environment variable with the portal username.
pub const USERNAME_ENV: &str = "FACTORIO_USERNAME";
/// The environment variable with the portal token.
pub const TOKEN_ENV: &str = "FACTORIO_TOKEN";

/// A username and token for the portal's downloads.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The factorio.com username.
    pub username: String,
    token: String,
    /// Where they came from (for messages): the environment or the player-data.json path.
    pub from: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credentials {{ from: {:?}, token: *** }}", self.from)
    }
}

/// Where the game keeps player-data.json on this platform.
pub fn default_player_data() -> Vec<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let mut out = Vec::new();
    if cfg!(windows) {
        if let Some(d) = env("APPDATA") {
            out.push(d.join("Factorio").join("player-data.json"));
        }
    } else if let Some(home) = env("HOME") {
        if cfg!(target_os = "macos") {
            out.push(home.join("Library/Application Support/factorio/player-data.json"));
        }
        out.push(home.join(".factorio").join("player-data.json"));
    }
    out
}

impl Credentials {
    /// From explicit values (tests, other front ends).
    pub fn new(username: &str, token: &str, from: &str) -> Credentials {
        Credentials { username: username.to_owned(), token: token.to_owned(), from: from.to_owned() }
    }

    /// `FACTORIO_USERNAME` + `FACTORIO_TOKEN`, else `player_data` (a path given by the user), else
    /// the game's player-data.json in its usual places. The error says what to set.
    pub fn find(player_data: Option<&Path>) -> Result<Credentials, String> {
        let env = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        match (env(USERNAME_ENV), env(TOKEN_ENV)) {
            (Some(u), Some(t)) => return Ok(Credentials::new(&u, &t, "the environment")),
            (Some(_), None) => {
                return Err(format!(
                    "{USERNAME_ENV} is set but {TOKEN_ENV} is not; set both (the token is on https://factorio.com/profile)"
                ));
            }
            (None, Some(_)) => return Err(format!("{TOKEN_ENV} is set but {USERNAME_ENV} is not; set both")),
            (None, None) => {}
        }
        let candidates: Vec<PathBuf> = match player_data {
            Some(p) => vec![p.to_path_buf()],
            None => default_player_data(),
        };
        for path in &candidates {
            if player_data.is_none() && !path.is_file() {
                continue;
            }
            return Credentials::from_player_data(path);
        }
        let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        Err(format!(
            "downloads from the mod portal need your factorio.com username and token: set {USERNAME_ENV} and {TOKEN_ENV} (the token is on https://factorio.com/profile), or pass --player-data <the game's player-data.json>{}",
            if looked.is_empty() { String::new() } else { format!(" (looked for {})", looked.join(", ")) }
        ))
    }

    /// `service-username` and `service-token` of a player-data.json.
    pub fn from_player_data(path: &Path) -> Result<Credentials, String> {
        let text = fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            format!("{}:{}:{}: not JSON (is this the game's player-data.json?)", path.display(), e.line(), e.column())
        })?;
        let get = |k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        match (get("service-username"), get("service-token")) {
            (Some(u), Some(t)) => Ok(Credentials::new(u, t, &path.display().to_string())),
            _ => Err(format!(
                "{}: no \"service-username\" and \"service-token\" (log in to factorio.com in the game once, or set {USERNAME_ENV} and {TOKEN_ENV})",
                path.display()
            )),
        }
    }
}

/// What [`download`] did.
#[derive(Debug, Default)]
pub struct Report {
    /// Zips fetched now.
    pub downloaded: Vec<String>,
    /// Zips already in the folder with the right SHA1.
    pub present: Vec<String>,
    /// The mod-list.json written.
    pub mod_list: PathBuf,
}

fn io(what: &str, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{what}: {e}"))
}

/// A file name the portal gave, only if it is a plain `*.zip` name.
fn safe_file_name(release: &Release) -> Result<&str, Error> {
    let n = release.file_name.as_str();
    let plain = !n.is_empty() && !n.starts_with('.') && !n.contains(['/', '\\', '\0', ':']) && n.ends_with(".zip");
    if plain {
        Ok(n)
    } else {
        Err(Error::new(
            ErrorKind::Network,
            format!("the portal gave the unusable file name {n:?}; refusing to write it"),
        ))
    }
}

fn file_sha1(path: &Path) -> Option<String> {
    let mut f = fs::File::open(path).ok()?;
    let mut h = sha1::Sha1::new();
    let mut buf = vec![0; 256 * 1024];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(crate::dataset::hex(&h.finalize()))
}

/// Downloads every pinned zip of `lock` into `dir` and writes `dir/mod-list.json`.
/// `credentials` is called only when something must be downloaded; `note` gets a line per zip.
pub fn download(
    lock: &Lock,
    portal: &HttpPortal,
    credentials: &mut dyn FnMut() -> Result<Credentials, String>,
    dir: &Path,
    note: &mut dyn FnMut(String),
) -> Result<Report, Error> {
    fs::create_dir_all(dir).map_err(|e| io(&format!("creating {}", dir.display()), e))?;
    let mut report = Report::default();
    let mut creds: Option<Credentials> = None;
    for m in &lock.mods {
        let Some(release) = &m.release else { continue };
        let name = safe_file_name(release)?;
        let target = dir.join(name);
        if target.is_file() && file_sha1(&target).as_deref() == Some(release.sha1.as_str()) {
            report.present.push(name.to_owned());
            continue;
        }
        if creds.is_none() {
            creds = Some(credentials().map_err(|m| Error::new(ErrorKind::Auth, m))?);
        }
        let c = creds.as_ref().expect("set above");
        fetch_one(portal, release, c, dir, &target)?;
        note(format!("downloaded {name}"));
        report.downloaded.push(name.to_owned());
    }
    report.mod_list = write_mod_list(lock, dir)?;
    Ok(report)
}

/// One zip: temporary file, SHA1 on the fly, rename.
fn fetch_one(portal: &HttpPortal, release: &Release, c: &Credentials, dir: &Path, target: &Path) -> Result<(), Error> {
    let name = &release.file_name;
    let temp = dir.join(format!(".{name}.part{}", std::process::id()));
    let result = (|| {
        let (body, announced) = portal.open_download(release, &c.username, &c.token)?;
        let mut reader = body.into_reader();
        let mut out = fs::File::create(&temp).map_err(|e| io(&format!("writing {}", temp.display()), e))?;
        let mut hasher = sha1::Sha1::new();
        let mut got: u64 = 0;
        let mut buf = vec![0; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(n) => n,
                Err(e) => {
                    let detail = scrub(&crate::source::http::error_text(&e), &[&c.username, &c.token]);
                    let timed_out = detail.contains("timed out") || detail.contains("timeout");
                    let why = if timed_out {
                        format!(
                            "the portal went silent and the download's budget of {:?} ran out (raise --download-timeout for large mods on slow links)",
                            portal.file_budget()
                        )
                    } else {
                        detail
                    };
                    return Err(Error::new(
                        ErrorKind::Network,
                        format!(
                            "downloading {name}: stopped after {got}{} bytes: {why}; retry (nothing was kept)",
                            announced.map(|a| format!(" of {a}")).unwrap_or_default()
                        ),
                    ));
                }
            };
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            got += n as u64;
            out.write_all(&buf[..n]).map_err(|e| io(&format!("writing {}", temp.display()), e))?;
        }
        if let Some(a) = announced.filter(|&a| a != got) {
            return Err(Error::new(
                ErrorKind::Network,
                format!("downloading {name}: the connection closed after {got} of {a} bytes; retry (nothing was kept)"),
            ));
        }
        out.sync_all().map_err(|e| io(&format!("writing {}", temp.display()), e))?;
        let sha = crate::dataset::hex(&hasher.finalize());
        if sha != release.sha1 {
            return Err(Error::new(
                ErrorKind::Integrity,
                format!(
                    "downloading {name}: SHA1 {sha}, but the portal lists {}; the download was altered or the release changed: retry, or resolve the modpack again (nothing was kept)",
                    release.sha1
                ),
            ));
        }
        fs::rename(&temp, target).map_err(|e| io(&format!("moving the download to {}", target.display()), e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes `dir/mod-list.json`: the pack enabled (versions pinned), the game's expansions
/// outside the pack and every other listed mod disabled.
pub fn write_mod_list(lock: &Lock, dir: &Path) -> Result<PathBuf, Error> {
    let path = dir.join("mod-list.json");
    let mut list =
        if path.is_file() { ModList::load(&path).map_err(|e| Error::new(ErrorKind::Io, e))? } else { ModList::new() };
    let bad = |e: crate::mod_list::Error| Error::new(ErrorKind::Io, format!("{}: {e}", path.display()));
    let in_pack = |n: &str| lock.mods.iter().any(|m| m.name == n);
    let others: Vec<String> = list.each().map(|e| e.name.clone()).filter(|n| n != "base" && !in_pack(n)).collect();
    for n in others {
        list.disable(&n).map_err(bad)?;
    }
    for (builtin, _) in lock.factorio_version.builtins() {
        if builtin != "core" && builtin != "base" && !in_pack(builtin) {
            list.add(builtin, false, None).map_err(bad)?;
        }
    }
    for m in &lock.mods {
        let version = m.release.as_ref().map(|r| r.version.to_string());
        list.add(&m.name, true, version.as_deref()).map_err(bad)?;
    }
    list.save(&path).map_err(|e| Error::new(ErrorKind::Io, e))?;
    Ok(path)
}

/// The SHA1 of a file's bytes (for callers checking a folder), `None` when unreadable.
pub fn sha1_of(path: &Path) -> Option<String> {
    fs::read(path).ok().map(|b| sha1_hex(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn player_data_gives_credentials_and_debug_hides_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("player-data.json");
        fs::write(&p, r#"{"service-username": "engineer", "service-token": "tok-123456", "other": 1}"#).unwrap();
        let c = Credentials::from_player_data(&p).unwrap();
        assert_eq!(c.username, "engineer");
        assert!(!format!("{c:?}").contains("tok-123456"));
        fs::write(&p, r#"{"service-username": "engineer"}"#).unwrap();
        assert!(
            Credentials::from_player_data(&p).unwrap_err().contains("no \"service-username\" and \"service-token\"")
        );
        fs::write(&p, "{").unwrap();
        assert!(Credentials::from_player_data(&p).unwrap_err().contains("not JSON"));
    }

    #[test]
    fn unsafe_file_names_are_refused() {
        let r = |n: &str| Release {
            version: crate::mods::Version::new(1, 0, 0),
            factorio_version: "2.0".into(),
            dependencies: vec![],
            download_url: "/d".into(),
            file_name: n.into(),
            sha1: String::new(),
            problem: None,
        };
        for bad in ["../x.zip", "a/b.zip", ".hidden.zip", "x.exe", "", "C:x.zip"] {
            assert!(safe_file_name(&r(bad)).is_err(), "{bad}");
        }
        assert!(safe_file_name(&r("flib_0.16.2.zip")).is_ok());
    }

    #[test]
    fn mod_list_enables_exactly_the_pack() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("mod-list.json"),
            "{\"mods\": [{\"name\": \"base\", \"enabled\": true}, {\"name\": \"stray\", \"enabled\": true}]}",
        )
        .unwrap();
        let lock = Lock::from_json(
            r#"{"lock_version": 1, "factorio_version": "2.0", "modpack_sha1": "", "mods": [
                {"name": "base", "builtin": true}, {"name": "quality", "builtin": true},
                {"name": "flib", "version": "0.16.2", "file_name": "flib_0.16.2.zip", "download_url": "/d/f", "sha1": "00", "factorio_version": "2.0"}]}"#,
        )
        .unwrap();
        let path = write_mod_list(&lock, dir.path()).unwrap();
        let list = ModList::load(&path).unwrap();
        let got: Vec<(String, bool, Option<String>)> =
            list.each().map(|e| (e.name.clone(), e.enabled, e.version.clone())).collect();
        let e = |n: &str, on: bool, v: Option<&str>| (n.to_owned(), on, v.map(str::to_owned));
        assert_eq!(
            got,
            [
                e("base", true, None),
                e("elevated-rails", false, None),
                e("quality", true, None),
                e("space-age", false, None),
                e("flib", true, Some("0.16.2")),
                e("stray", false, None)
            ]
        );
    }
}
