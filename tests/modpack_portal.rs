//! `modpack resolve | download` against a small Mod Portal on loopback (std only) that serves
//! the shapes <https://wiki.factorio.com/Mod_portal_API> documents: the paged
//! `/api/mods?namelist=…` listing (one result per page here, so every lookup pages),
//! `/api/mods/{name}/full` with `releases[].info_json.dependencies`, 404 `{"message": "Mod not
//! found"}`, and `/download/{name}/{id}?username=…&token=…` redirecting to the file (or, with
//! a wrong token, to the login page, as the real portal does). Files misbehave on purpose:
//! a wrong SHA1, a slow drip, a cut body, a stall. Every failure must name the mod or file,
//! leave nothing half-written and never show the token.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use factorio_mocks::modpack::download::{self, Credentials};
use factorio_mocks::modpack::portal::{ErrorKind, HttpPortal, PortalOptions};
use factorio_mocks::modpack::resolve::{self, Failure};
use factorio_mocks::modpack::{Lock, Modpack, sha1_hex};

const USER: &str = "engineer";
const TOKEN: &str = "tok-5ecret-0123456789";
/// A stalled reply is held at most this long.
const HOLD: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------------------------
// The portal's content
// ---------------------------------------------------------------------------------------------

/// How a file is served.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Serve {
    Ok,
    /// The portal lists another SHA1 than the bytes have.
    WrongSha,
    /// In 8 pieces, 120 ms apart.
    Slow,
    /// Announces the whole length, sends half, closes.
    Cut,
    /// Sends half, then nothing while the connection stays open.
    Stall,
}

struct Rel {
    mod_name: &'static str,
    version: &'static str,
    factorio: &'static str,
    deps: &'static [&'static str],
    serve: Serve,
}

const RELEASES: &[Rel] = &[
    Rel { mod_name: "flib", version: "0.12.0", factorio: "1.1", deps: &["base >= 1.1"], serve: Serve::Ok },
    Rel { mod_name: "flib", version: "0.15.0", factorio: "2.0", deps: &["base >= 2.0"], serve: Serve::Ok },
    Rel { mod_name: "flib", version: "0.16.2", factorio: "2.0", deps: &["base >= 2.0.7"], serve: Serve::Ok },
    Rel { mod_name: "k2", version: "1.3.0", factorio: "1.1", deps: &["base", "flib"], serve: Serve::Ok },
    Rel {
        mod_name: "k2",
        version: "1.4.0",
        factorio: "2.0",
        deps: &["base >= 2.0", "flib >= 0.15.0", "? space-age", "! bad-mod"],
        serve: Serve::Ok,
    },
    Rel { mod_name: "sa-addon", version: "1.0.0", factorio: "2.0", deps: &["space-age >= 2.0.0"], serve: Serve::Ok },
    Rel { mod_name: "bad-mod", version: "1.0.0", factorio: "2.0", deps: &[], serve: Serve::Ok },
    Rel { mod_name: "old-only", version: "0.1.0", factorio: "1.1", deps: &[], serve: Serve::Ok },
    Rel { mod_name: "needs-ghost", version: "1.0.0", factorio: "2.0", deps: &["ghost"], serve: Serve::Ok },
    Rel { mod_name: "bad-sha", version: "1.0.0", factorio: "2.0", deps: &[], serve: Serve::WrongSha },
    Rel { mod_name: "slow-mod", version: "1.0.0", factorio: "2.0", deps: &[], serve: Serve::Slow },
    Rel { mod_name: "cut-mod", version: "1.0.0", factorio: "2.0", deps: &[], serve: Serve::Cut },
    Rel { mod_name: "stall-mod", version: "1.0.0", factorio: "2.0", deps: &[], serve: Serve::Stall },
];

/// A real zip with the mod's info.json, a little padded so the cuts land inside it.
fn zip_of(r: &Rel) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let root = format!("{}_{}", r.mod_name, r.version);
    w.start_file(format!("{root}/info.json"), opts).unwrap();
    let deps: Vec<String> = r.deps.iter().map(|d| format!("\"{d}\"")).collect();
    write!(
        w,
        r#"{{"name": "{}", "version": "{}", "title": "{}", "author": "t", "factorio_version": "{}", "dependencies": [{}]}}"#,
        r.mod_name,
        r.version,
        r.mod_name,
        r.factorio,
        deps.join(", ")
    )
    .unwrap();
    w.start_file(format!("{root}/data.lua"), opts).unwrap();
    w.write_all(format!("-- {}\n", "x".repeat(4000)).as_bytes()).unwrap();
    w.finish().unwrap();
    buf.into_inner()
}

fn file_name(r: &Rel) -> String {
    format!("{}_{}.zip", r.mod_name, r.version)
}

fn release_json(r: &Rel) -> String {
    let bytes = zip_of(r);
    let sha = if r.serve == Serve::WrongSha { sha1_hex(b"something else") } else { sha1_hex(&bytes) };
    let deps: Vec<String> = r.deps.iter().map(|d| format!("\"{d}\"")).collect();
    format!(
        r#"{{"download_url": "/download/{m}/{id}", "file_name": "{f}", "info_json": {{"factorio_version": "{fv}", "dependencies": [{deps}]}}, "released_at": "2025-01-01T00:00:00.000000Z", "version": "{v}", "sha1": "{sha}"}}"#,
        m = r.mod_name,
        id = id_of(r),
        f = file_name(r),
        fv = r.factorio,
        deps = deps.join(", "),
        v = r.version,
    )
}

fn id_of(r: &Rel) -> String {
    format!("{}{}", r.mod_name.len(), r.version.replace('.', ""))
}

fn mod_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = RELEASES.iter().map(|r| r.mod_name).collect();
    v.dedup();
    v
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

enum Reply {
    Full { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    Slow { body: Vec<u8> },
    Cut { body: Vec<u8> },
    Stall { body: Vec<u8> },
}

fn json(status: u16, body: String) -> Reply {
    Reply::Full { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into_bytes() }
}

fn redirect(to: String) -> Reply {
    Reply::Full { status: 302, headers: vec![("Location".into(), to)], body: Vec::new() }
}

struct Server {
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn query(path: &str) -> HashMap<String, String> {
    let q = path.split_once('?').map_or("", |(_, q)| q);
    q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.replace("%2C", ","))).collect()
}

fn handle(path: &str, port: u16) -> Reply {
    let base = format!("http://127.0.0.1:{port}");
    let route = path.split('?').next().unwrap_or("");
    let q = query(path);
    if route == "/api/mods" {
        // one result per page, whatever page_size asks: every lookup pages
        let names: Vec<&str> = q.get("namelist").map(|n| n.split(',').collect()).unwrap_or_default();
        let known: Vec<&str> = names.iter().copied().filter(|n| mod_names().contains(n)).collect();
        let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let count = known.len();
        let results = known
            .get(page - 1)
            .map(|n| {
                format!(r#"[{{"name": "{n}", "title": "{n}", "owner": "t", "summary": "", "downloads_count": 1}}]"#)
            })
            .unwrap_or_else(|| "[]".into());
        let next = if page < count {
            format!(
                "\"{base}/api/mods?namelist={}&page_size=1&page={}\"",
                q.get("namelist").cloned().unwrap_or_default(),
                page + 1
            )
        } else {
            "null".into()
        };
        return json(
            200,
            format!(
                r#"{{"pagination": {{"count": {count}, "page": {page}, "page_count": {count}, "page_size": 1, "links": {{"first": null, "prev": null, "next": {next}, "last": null}}}}, "results": {results}}}"#
            ),
        );
    }
    if let Some(name) = route.strip_prefix("/api/mods/").and_then(|r| r.strip_suffix("/full")) {
        let rels: Vec<String> = RELEASES.iter().filter(|r| r.mod_name == name).map(release_json).collect();
        if rels.is_empty() {
            return json(404, r#"{"message": "Mod not found"}"#.into());
        }
        return json(
            200,
            format!(
                r#"{{"name": "{name}", "title": "{name}", "owner": "t", "summary": "", "releases": [{}]}}"#,
                rels.join(", ")
            ),
        );
    }
    if let Some(rest) = route.strip_prefix("/download/") {
        let Some(r) = RELEASES.iter().find(|r| format!("{}/{}", r.mod_name, id_of(r)) == rest) else {
            return json(404, r#"{"message": "Not found"}"#.into());
        };
        if q.get("username").map(String::as_str) != Some(USER) || q.get("token").map(String::as_str) != Some(TOKEN) {
            return redirect(format!("{base}/login?next=/download/{rest}"));
        }
        return redirect(format!("{base}/files/{}", file_name(r)));
    }
    if route == "/login" {
        return Reply::Full {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: b"<html>log in</html>".to_vec(),
        };
    }
    if let Some(f) = route.strip_prefix("/files/") {
        let Some(r) = RELEASES.iter().find(|r| file_name(r) == f) else { return json(404, "{}".into()) };
        let body = zip_of(r);
        return match r.serve {
            Serve::Ok | Serve::WrongSha => {
                Reply::Full { status: 200, headers: vec![("Content-Type".into(), "application/zip".into())], body }
            }
            Serve::Slow => Reply::Slow { body },
            Serve::Cut => Reply::Cut { body },
            Serve::Stall => Reply::Stall { body },
        };
    }
    json(404, "{}".into())
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log2, stop2) = (log.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (log, stop) = (log2.clone(), stop2.clone());
                std::thread::spawn(move || serve_one(stream, port, &log, &stop));
            }
        });
        Server { port, log, stop }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

fn serve_one(mut stream: TcpStream, port: u16, log: &Mutex<Vec<String>>, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let path = {
        let mut reader = BufReader::new(&stream);
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim_end().is_empty() {
                break;
            }
        }
        match line.split_whitespace().nth(1) {
            Some(p) => p.to_owned(),
            None => return,
        }
    };
    log.lock().unwrap().push(path.clone());
    let head = |stream: &mut TcpStream, status: u16, headers: &[(String, String)], length: usize| {
        let mut text = format!("HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {length}\r\n");
        for (k, v) in headers {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        text.push_str("\r\n");
        let _ = stream.write_all(text.as_bytes());
    };
    let zip = vec![("Content-Type".to_owned(), "application/zip".to_owned())];
    match handle(&path, port) {
        Reply::Full { status, headers, body } => {
            head(&mut stream, status, &headers, body.len());
            let _ = stream.write_all(&body);
        }
        Reply::Slow { body } => {
            head(&mut stream, 200, &zip, body.len());
            for piece in body.chunks(body.len().div_ceil(8)) {
                let _ = stream.write_all(piece);
                let _ = stream.flush();
                std::thread::sleep(Duration::from_millis(120));
            }
        }
        Reply::Cut { body } => {
            head(&mut stream, 200, &zip, body.len());
            let _ = stream.write_all(&body[..body.len() / 2]);
        }
        Reply::Stall { body } => {
            head(&mut stream, 200, &zip, body.len());
            let _ = stream.write_all(&body[..body.len() / 2]);
            let _ = stream.flush();
            let start = Instant::now();
            while start.elapsed() < HOLD && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn pack(game: &str, mods: &[&str]) -> Modpack {
    Modpack::parse(&pack_text(game, mods)).unwrap()
}

fn pack_text(game: &str, mods: &[&str]) -> String {
    let list: Vec<String> = mods.iter().map(|m| format!("\"{m}\"")).collect();
    format!(r#"{{"factorio_version": "{game}", "mods": [{}]}}"#, list.join(", "))
}

fn portal(s: &Server, timeout: f64, download: Option<f64>) -> HttpPortal {
    HttpPortal::new(&PortalOptions {
        base: Some(s.url()),
        timeout: Duration::from_secs_f64(timeout),
        download_timeout: download.map(Duration::from_secs_f64),
        allow_http: false,
    })
    .unwrap()
}

fn lock_of(p: &Modpack, portal: &HttpPortal) -> Lock {
    match resolve::resolve(p, portal) {
        Ok(mods) => Lock { factorio_version: p.factorio_version, modpack_sha1: String::new(), mods },
        Err(Failure::Conflicts(c)) => panic!("{c:?}"),
        Err(Failure::Portal(e)) => panic!("{e}"),
    }
}

fn pinned(lock: &Lock) -> Vec<String> {
    lock.mods.iter().map(|m| format!("{}{}", m.name, m.version.map(|v| format!(" {v}")).unwrap_or_default())).collect()
}

/// Every file in `dir`, names only, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn get(
    lock: &Lock,
    dir: &Path,
    portal: &HttpPortal,
) -> Result<download::Report, factorio_mocks::modpack::portal::Error> {
    let mut creds = || Ok(Credentials::new(USER, TOKEN, "test"));
    download::download(lock, portal, &mut creds, dir, &mut |_| {})
}

// ---------------------------------------------------------------------------------------------
// The library against the portal
// ---------------------------------------------------------------------------------------------

#[test]
fn resolve_pages_the_listing_and_follows_dependencies() {
    let s = Server::start();
    let p = portal(&s, 5.0, None);
    let lock = lock_of(&pack("2.0", &["k2", "sa-addon"]), &p);
    assert_eq!(
        pinned(&lock),
        ["base", "elevated-rails", "quality", "space-age", "flib 0.16.2", "k2 1.4.0", "sa-addon 1.0.0"]
    );
    let log = s.requests();
    let listing: Vec<&String> = log.iter().filter(|r| r.starts_with("/api/mods?")).collect();
    assert_eq!(listing.len(), 2, "one page per known name: {log:?}");
    assert!(listing[1].contains("page=2"), "{listing:?}");
    for name in ["k2", "sa-addon", "flib"] {
        assert_eq!(log.iter().filter(|r| **r == format!("/api/mods/{name}/full")).count(), 1, "{name}: {log:?}");
    }
    assert!(
        !log.iter().any(|r| r.contains("space-age") || r.contains("/base")),
        "the game's mods are never asked for: {log:?}"
    );
    // the 1.1 series picks the 1.1 releases
    assert_eq!(pinned(&lock_of(&pack("1.1", &["k2"]), &p)), ["base", "flib 0.12.0", "k2 1.3.0"]);
}

#[test]
fn bad_input_is_a_conflict_naming_the_mod() {
    let s = Server::start();
    let p = portal(&s, 5.0, None);
    let conflicts = |pk: &Modpack| match resolve::resolve(pk, &p) {
        Err(Failure::Conflicts(c)) => c.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let got = conflicts(&pack("2.0", &["no-such-mod", "flib >= 9.0.0", "old-only", "k2"]));
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(got[0].starts_with("no-such-mod: no such mod on the mod portal (wanted by modpack.json)"), "{}", got[0]);
    assert!(got[1].starts_with("flib: no release satisfies every constraint: \"flib >= 9.0.0\" (modpack.json); its releases for this game version: 0.16.2, 0.15.0"), "{}", got[1]);
    assert!(
        got[2].starts_with("old-only: no release for Factorio 2.0 (wanted by modpack.json; it has releases for 1.1)"),
        "{}",
        got[2]
    );
    let got = conflicts(&pack("2.0", &["k2", "bad-mod"]));
    assert_eq!(
        got,
        [
            "k2 1.4.0 is incompatible with bad-mod; drop one of them from the modpack (or pin a version without the conflict)"
        ]
    );
    // a dependency the portal answers 404 for
    let got = conflicts(&pack("2.0", &["needs-ghost"]));
    assert_eq!(
        got,
        [
            "ghost: no such mod on the mod portal (wanted by needs-ghost 1.0.0); check the internal name (the one in the mod's URL, https://mods.factorio.com/mod/<name>; names are case-sensitive)"
        ]
    );
}

#[test]
fn download_verifies_every_zip_and_writes_the_mod_list() {
    let s = Server::start();
    let p = portal(&s, 5.0, None);
    let lock = lock_of(&pack("2.0", &["k2", "space-age"]), &p);
    let dir = tempfile::tempdir().unwrap();
    let mods = dir.path().join("mods");
    let report = get(&lock, &mods, &p).unwrap();
    assert_eq!(report.downloaded, ["flib_0.16.2.zip", "k2_1.4.0.zip"]);
    assert_eq!(files(&mods), ["flib_0.16.2.zip", "k2_1.4.0.zip", "mod-list.json"]);
    let k2 = RELEASES.iter().find(|r| r.mod_name == "k2" && r.version == "1.4.0").unwrap();
    assert_eq!(fs::read(mods.join("k2_1.4.0.zip")).unwrap(), zip_of(k2));
    let list = fs::read_to_string(mods.join("mod-list.json")).unwrap();
    let ml = factorio_mocks::mod_list::ModList::from_json(&list).unwrap();
    assert!(ml.is_enabled("space-age") && ml.is_enabled("quality") && ml.is_enabled("k2"));
    assert_eq!(ml.version("flib"), Some("0.16.2"));
    // the token went only into the download request, and a second run downloads nothing
    assert!(s.requests().iter().any(|r| r.contains(TOKEN)));
    let before = s.requests().len();
    let again = get(&lock, &mods, &p).unwrap();
    assert_eq!((again.downloaded.len(), again.present.len()), (0, 2));
    assert_eq!(s.requests().len(), before);
}

#[test]
fn a_wrong_sha1_or_a_cut_download_leaves_nothing() {
    let s = Server::start();
    let p = portal(&s, 5.0, None);
    for (name, kind, text) in [
        ("bad-sha", ErrorKind::Integrity, "downloading bad-sha_1.0.0.zip: SHA1 "),
        ("cut-mod", ErrorKind::Network, "downloading cut-mod_1.0.0.zip: "),
    ] {
        let lock = lock_of(&pack("2.0", &["flib", name]), &p);
        let dir = tempfile::tempdir().unwrap();
        let e = get(&lock, dir.path(), &p).unwrap_err();
        eprintln!("{name}: {e}");
        assert_eq!(e.kind, kind, "{name}: {e}");
        assert!(e.message.starts_with(text) && e.message.contains("nothing was kept"), "{name}: {e}");
        assert!(!e.message.contains(TOKEN));
        // no partial file, no zip of it, no mod-list.json (zips verified before it may stay)
        let left = files(dir.path());
        assert!(left.iter().all(|f| f == "flib_0.16.2.zip"), "{name}: {left:?}");
    }
}

#[test]
fn a_slow_download_completes_and_a_stalled_one_times_out() {
    let s = Server::start();
    let p = portal(&s, 2.0, Some(6.0));
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_of(&pack("2.0", &["slow-mod"]), &p);
    let t = Instant::now();
    get(&lock, dir.path(), &p).unwrap();
    assert!(t.elapsed() >= Duration::from_millis(800), "the server drips for about a second");
    assert_eq!(files(dir.path()), ["mod-list.json", "slow-mod_1.0.0.zip"]);

    let p = portal(&s, 0.5, Some(1.5));
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_of(&pack("2.0", &["stall-mod"]), &p);
    let t = Instant::now();
    let e = get(&lock, dir.path(), &p).unwrap_err();
    eprintln!("stall-mod: {e}");
    assert!(t.elapsed() < Duration::from_secs(10), "gave up in {:?}", t.elapsed());
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert!(e.message.starts_with("downloading stall-mod_1.0.0.zip: stopped after "), "{e}");
    assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
}

#[test]
fn a_wrong_token_is_an_auth_error_without_the_token() {
    let s = Server::start();
    let p = portal(&s, 5.0, None);
    let lock = lock_of(&pack("2.0", &["flib"]), &p);
    let dir = tempfile::tempdir().unwrap();
    let mut creds = || Ok(Credentials::new(USER, "wrong-token-987654", "test"));
    let e = download::download(&lock, &p, &mut creds, dir.path(), &mut |_| {}).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth, "{e}");
    assert!(e.message.contains("the username or token is wrong"), "{e}");
    assert!(!e.message.contains("wrong-token-987654"), "{e}");
    assert!(files(dir.path()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the tool with a clean environment: no credentials, HOME in `home`.
fn cli(s: &Server, home: &Path, envs: &[(&str, &str)], args: &[&str]) -> Option<Run> {
    let Some(bin) = option_env!("CARGO_BIN_EXE_factorio-mocks") else {
        eprintln!(
            "skipped: the factorio-mocks binary is not built in this configuration (--features lua52,vendored builds it)"
        );
        return None;
    };
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env_remove("FACTORIO_USERNAME")
        .env_remove("FACTORIO_TOKEN")
        .env_remove("FACTORIO_MOCKS_ALLOW_HTTP")
        .env("HOME", home)
        .env("APPDATA", home)
        .env("FACTORIO_MOCKS_MOD_PORTAL", s.url());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

fn st(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn cli_resolve_then_download() {
    let s = Server::start();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let pack_file = work.path().join("modpack.json");
    fs::write(&pack_file, pack_text("2.0", &["k2", "sa-addon"])).unwrap();
    let mods: PathBuf = work.path().join("mods");

    let Some(r) = cli(&s, home.path(), &[], &["modpack", "resolve", st(&pack_file)]) else { return };
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().any(|l| l.starts_with("flib ") && l.ends_with(" 0.16.2")), "{}", r.stdout);
    assert!(r.stdout.contains("space-age") && r.stdout.contains("(the game's)"), "{}", r.stdout);
    assert!(r.stderr.contains("modpack.lock.json (7 mods, 3 from "), "{}", r.stderr);
    let lock = Lock::load(&work.path().join("modpack.lock.json")).unwrap();
    assert_eq!(
        pinned(&lock),
        ["base", "elevated-rails", "quality", "space-age", "flib 0.16.2", "k2 1.4.0", "sa-addon 1.0.0"]
    );

    // no credentials anywhere: a clear error, nothing downloaded
    let r = cli(&s, home.path(), &[], &["modpack", "download", st(&pack_file), "--mods-dir", st(&mods)]).unwrap();
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("set FACTORIO_USERNAME and FACTORIO_TOKEN"), "{}", r.stderr);
    assert!(files(&mods).is_empty());

    // from the game's player-data.json in the user data folder
    fs::create_dir_all(home.path().join(".factorio")).unwrap();
    fs::write(
        home.path().join(".factorio/player-data.json"),
        format!(r#"{{"service-username": "{USER}", "service-token": "{TOKEN}"}}"#),
    )
    .unwrap();
    let r = cli(&s, home.path(), &[], &["modpack", "download", st(&pack_file), "--mods-dir", st(&mods)]).unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("3 downloaded, 0 already there"), "{}", r.stderr);
    assert!(!r.stderr.contains(TOKEN) && !r.stdout.contains(TOKEN));
    assert_eq!(files(&mods), ["flib_0.16.2.zip", "k2_1.4.0.zip", "mod-list.json", "sa-addon_1.0.0.zip"]);

    // with the environment's credentials (wrong here): nothing to fetch, so they are not needed
    let r = cli(
        &s,
        home.path(),
        &[("FACTORIO_USERNAME", USER), ("FACTORIO_TOKEN", "nope-nope")],
        &["modpack", "download", st(&pack_file), "--mods-dir", st(&mods)],
    )
    .unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("0 downloaded, 3 already there"), "{}", r.stderr);

    // a changed modpack.json makes the lock stale
    fs::write(&pack_file, pack_text("2.0", &["k2"])).unwrap();
    let r = cli(&s, home.path(), &[], &["modpack", "download", st(&pack_file), "--mods-dir", st(&mods)]).unwrap();
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("changed since") && r.stderr.contains("modpack resolve"), "{}", r.stderr);
}

#[test]
fn cli_conflicts_exit_1_and_write_nothing() {
    let s = Server::start();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let pack_file = work.path().join("modpack.json");
    fs::write(&pack_file, pack_text("2.0", &["no-such-mod", "flib >= 9.0.0", "k2", "bad-mod"])).unwrap();
    let Some(r) = cli(&s, home.path(), &[], &["modpack", "resolve", st(&pack_file)]) else { return };
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("conflict: no-such-mod: no such mod on the mod portal"), "{}", r.stdout);
    assert!(r.stdout.contains("conflict: flib: no release satisfies every constraint"), "{}", r.stdout);
    assert!(r.stderr.contains("2 conflicts; ") && r.stderr.contains("was not written"), "{}", r.stderr);
    assert_eq!(files(work.path()), ["modpack.json"]);

    // usage mistakes are exit 2, a portal that is down exit 3
    let r = cli(&s, home.path(), &[], &["modpack", "download", st(&pack_file)]).unwrap();
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = cli(&s, home.path(), &[], &["modpack", "resolve", st(&pack_file), "--timeout", "soon"]).unwrap();
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = cli(
        &s,
        home.path(),
        &[("FACTORIO_MOCKS_MOD_PORTAL", "http://127.0.0.1:9")],
        &["modpack", "resolve", st(&pack_file)],
    )
    .unwrap();
    assert_eq!(r.code, 3, "{}", r.stderr);
    let r = cli(&s, home.path(), &[], &["modpack", "resolve", st(&work.path().join("missing.json"))]).unwrap();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.json: no such file or folder"), "{}", r.stderr);
}
