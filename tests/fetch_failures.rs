//! The failure tier: a small HTTP server written here (std only, on loopback) plays a registry
//! and a Git host that misbehave on purpose: bearer challenges, 404, 500, cut bodies, wrong
//! digests, silence. Every failure must be an error value naming the reference, the source and
//! what to do, must leave nothing half-written in the cache, and must never show a credential.
//! The next fetch against a healthy server must succeed.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use factorio_mocks::source::{ErrorKind, FetchOptions, fetch, sha256_digest};

const DATASET: &str = "application/vnd.factorio-mocks.dataset.v1";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// A stalled reply is held at most this long, so no server thread outlives its test by much.
const HOLD: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Req {
    method: String,
    path: String,
    headers: HashMap<String, String>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// What the server does with one request.
enum Reply {
    /// A complete answer.
    Full { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Announces the whole body (`Content-Length`, unless `length` is false) but sends only
    /// `keep` bytes, then closes.
    Cut { headers: Vec<(String, String)>, body: Vec<u8>, keep: usize, length: bool },
    /// Sends the headers and `after` bytes, then goes silent with the connection open.
    Stall { headers: Vec<(String, String)>, body: Vec<u8>, after: usize },
    /// Accepts and never answers.
    Silent,
}

impl Reply {
    fn ok(content_type: &str, body: Vec<u8>) -> Reply {
        Reply::Full { status: 200, headers: vec![("Content-Type".into(), content_type.into())], body }
    }
    fn status(status: u16, body: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }
}

type Handler = dyn Fn(&Req) -> Reply + Send + Sync;

/// The server: one thread accepting, one per connection, one request per connection
/// (`Connection: close`), stopped on drop.
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Server {
    fn start(handler: Arc<Handler>) -> Server {
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
                let (handler, log, stop) = (handler.clone(), log2.clone(), stop2.clone());
                std::thread::spawn(move || serve_one(stream, &*handler, &log, &stop));
            }
        });
        Server { port, log, stop }
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

fn serve_one(mut stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Req>>, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(req) = read_request(&stream) else { return };
    log.lock().unwrap().push(req.clone());
    let head = req.method == "HEAD";
    let hold = |stream: &TcpStream| {
        let start = Instant::now();
        while start.elapsed() < HOLD && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = stream.shutdown(Shutdown::Both);
    };
    let write_head = |stream: &mut TcpStream, status: u16, headers: &[(String, String)], length: Option<usize>| {
        let reason = match status {
            200 => "OK",
            401 => "Unauthorized",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Status",
        };
        let mut text = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
        for (k, v) in headers {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(n) = length {
            text.push_str(&format!("Content-Length: {n}\r\n"));
        }
        text.push_str("\r\n");
        let _ = stream.write_all(text.as_bytes());
    };
    match handler(&req) {
        Reply::Full { status, headers, body } => {
            write_head(&mut stream, status, &headers, Some(body.len()));
            if !head {
                let _ = stream.write_all(&body);
            }
        }
        Reply::Cut { headers, body, keep, length } => {
            write_head(&mut stream, 200, &headers, length.then_some(body.len()));
            if !head {
                let _ = stream.write_all(&body[..keep.min(body.len())]);
            }
        }
        Reply::Stall { headers, body, after } => {
            write_head(&mut stream, 200, &headers, Some(body.len()));
            if !head {
                let _ = stream.write_all(&body[..after.min(body.len())]);
            }
            let _ = stream.flush();
            hold(&stream);
            return;
        }
        Reply::Silent => {
            hold(&stream);
            return;
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

fn read_request(stream: &TcpStream) -> Option<Req> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    Some(Req { method, path, headers })
}

// ---------------------------------------------------------------------------------------------
// A dataset artifact, built here byte by byte
// ---------------------------------------------------------------------------------------------

const EN_CFG: &str = "[item-name]\niron-plate=Iron plate\n";

struct Artifact {
    manifest: Vec<u8>,
    digest: String,
    blobs: HashMap<String, Vec<u8>>,
    /// The digest of the `locale` tar+gzip layer.
    locale: String,
}

fn artifact() -> Artifact {
    artifact_with(EN_CFG.as_bytes())
}

/// The dataset artifact with `en_cfg` as its one locale file.
fn artifact_with(en_cfg: &[u8]) -> Artifact {
    use flate2::{Compression, write::GzEncoder};
    // The ORAS CLI's folder layer: a tar of `locale/…`, gzipped.
    let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    let mut header = tar::Header::new_gnu();
    header.set_size(en_cfg.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(1);
    header.set_cksum();
    tar.append_data(&mut header, "locale/en.cfg", en_cfg).unwrap();
    let locale = tar.into_inner().unwrap().finish().unwrap();
    artifact_of(locale, en_cfg)
}

/// The dataset artifact whose `locale` layer is the tar+gzip `locale` (its metadata lists
/// `en_cfg` as `locale/en.cfg`); the manifest names every blob by its true digest, as a
/// publisher would, however malicious the layer.
fn artifact_of(locale: Vec<u8>, en_cfg: &[u8]) -> Artifact {
    let sha = sha256_digest(en_cfg);
    let metadata = format!(
        r#"{{"factorio_version":"2.0.77","hash_algorithm":"sha256","checksums":{{"locale/en.cfg":"{}"}}}}"#,
        sha.trim_start_matches("sha256:")
    )
    .into_bytes();
    let config = b"{}".to_vec();
    let layer = |media: &str, bytes: &[u8], title: &str, unpack: bool| {
        let mut annotations = serde_json::json!({"org.opencontainers.image.title": title});
        if unpack {
            annotations["io.deis.oras.content.unpack"] = "true".into();
        }
        serde_json::json!({"mediaType": media, "digest": sha256_digest(bytes), "size": bytes.len(), "annotations": annotations})
    };
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": DATASET,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha256_digest(&config), "size": config.len()},
        "layers": [
            layer("application/vnd.oci.image.layer.v1.tar+gzip", &locale, "locale", true),
            layer("application/vnd.oci.image.layer.v1.tar", &metadata, "metadata.json", false),
        ],
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let digest = sha256_digest(&manifest);
    let mut blobs = HashMap::new();
    let locale_digest = sha256_digest(&locale);
    for b in [locale, metadata, config] {
        blobs.insert(sha256_digest(&b), b);
    }
    Artifact { manifest, digest, blobs, locale: locale_digest }
}

/// The registry's healthy answers: `/v2/`, manifests by tag `1` or digest, blobs.
fn registry_reply(a: &Artifact, req: &Req) -> Reply {
    let path = req.path.split('?').next().unwrap_or("");
    if path == "/v2/" {
        return Reply::ok("application/json", b"{}".to_vec());
    }
    if let Some((_, reference)) = path.split_once("/manifests/") {
        if reference == "1" || reference == a.digest {
            return Reply::Full {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), MANIFEST.into()),
                    ("Docker-Content-Digest".into(), a.digest.clone()),
                ],
                body: a.manifest.clone(),
            };
        }
        return Reply::status(404, r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#);
    }
    if let Some((_, digest)) = path.split_once("/blobs/") {
        if let Some(b) = a.blobs.get(digest) {
            return Reply::ok("application/octet-stream", b.clone());
        }
        return Reply::status(404, r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}"#);
    }
    Reply::status(404, r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}"#)
}

/// A registry whose answers to requests matching `broken` are replaced by `fault` while
/// `faulty` is set; clearing it heals the registry.
struct FakeRegistry {
    server: Server,
    faulty: Arc<AtomicBool>,
    artifact: Arc<Artifact>,
}

impl FakeRegistry {
    fn start(fault: impl Fn(&Artifact, &Req) -> Option<Reply> + Send + Sync + 'static) -> FakeRegistry {
        FakeRegistry::serving(artifact(), fault)
    }

    fn serving(
        artifact: Artifact,
        fault: impl Fn(&Artifact, &Req) -> Option<Reply> + Send + Sync + 'static,
    ) -> FakeRegistry {
        let artifact = Arc::new(artifact);
        let faulty = Arc::new(AtomicBool::new(true));
        let (a, f) = (artifact.clone(), faulty.clone());
        let server = Server::start(Arc::new(move |req: &Req| {
            if f.load(Ordering::SeqCst) {
                if let Some(r) = fault(&a, req) {
                    return r;
                }
            }
            registry_reply(&a, req)
        }));
        FakeRegistry { server, faulty, artifact }
    }

    fn reference(&self) -> String {
        format!("oci://{}/datasets/vanilla:1", self.server.addr())
    }

    fn heal(&self) {
        self.faulty.store(false, Ordering::SeqCst);
    }
}

fn opts(cache: &Path) -> FetchOptions {
    FetchOptions { cache_dir: Some(cache.into()), progress: Some(false), ..Default::default() }
}

fn quick(cache: &Path) -> FetchOptions {
    FetchOptions { timeout: Some(Duration::from_millis(500)), ..opts(cache) }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        out.push(e.path());
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        }
    }
    out
}

/// No temporary entry and no dataset folder may survive a failed fetch.
fn assert_nothing_half_written(cache: &Path) {
    for p in walk(cache) {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp-"), "a temporary entry survived: {}", p.display());
        assert!(name != "locale" && name != ".factorio-mocks-files", "a dataset folder was committed: {}", p.display());
    }
}

/// A failure's error, checked for what every failure must say.
fn failing(reference: &str, o: &FetchOptions, kind: ErrorKind, says: &[&str]) -> String {
    let e = fetch(reference, o).unwrap_err();
    let text = e.to_string();
    eprintln!("ERROR-TEXT: {text}");
    assert_eq!(e.kind, kind, "{text}");
    assert!(text.contains(reference.trim_end_matches('/')), "the error does not name {reference}: {text}");
    for s in says {
        assert!(text.contains(s), "the error does not say {s:?}: {text}");
    }
    text
}

/// After a failure the healed server serves the dataset, correct.
fn recovers(reference: &str, cache: &Path) {
    let got = fetch(reference, &opts(cache)).unwrap_or_else(|e| panic!("no recovery: {e}"));
    assert_eq!(fs::read_to_string(got.dir.join("locale/en.cfg")).unwrap(), EN_CFG);
}

// ---------------------------------------------------------------------------------------------
// OCI
// ---------------------------------------------------------------------------------------------

#[test]
fn oci_the_healthy_fake_registry_serves_the_dataset() {
    let reg = FakeRegistry::start(|_, _| None);
    let cache = tempfile::tempdir().unwrap();
    let got = fetch(&reg.reference(), &opts(cache.path())).unwrap();
    assert_eq!(got.digest.as_deref(), Some(reg.artifact.digest.as_str()));
    assert_eq!(fs::read_to_string(got.dir.join("locale/en.cfg")).unwrap(), EN_CFG);
}

#[test]
fn oci_404_names_the_reference_and_what_to_check() {
    let reg = FakeRegistry::start(|_, _| None);
    let cache = tempfile::tempdir().unwrap();
    let missing = format!("oci://{}/datasets/vanilla:2.0.99", reg.server.addr());
    failing(&missing, &opts(cache.path()), ErrorKind::NotFound, &["check the repository, tag and digest"]);
    assert_nothing_half_written(cache.path());

    // The manifest exists but a layer does not.
    let reg = FakeRegistry::start(|a, req| {
        req.path
            .ends_with(&a.locale)
            .then(|| Reply::status(404, r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}"#))
    });
    let text = failing(
        &reg.reference(),
        &opts(cache.path()),
        ErrorKind::NotFound,
        &["layer `locale`", "check the repository"],
    );
    assert!(text.contains(&reg.artifact.locale), "{text}");
    assert_nothing_half_written(cache.path());
    reg.heal();
    recovers(&reg.reference(), cache.path());
}

#[test]
fn oci_500_is_a_network_error_that_says_retry_and_then_recovers() {
    for what in ["manifests", "blobs"] {
        let reg = FakeRegistry::start(move |_, req| {
            req.path.contains(what).then(|| Reply::status(500, "<html>internal error</html>"))
        });
        let cache = tempfile::tempdir().unwrap();
        failing(
            &reg.reference(),
            &opts(cache.path()),
            ErrorKind::Network,
            &["500", "retry later", "FACTORIO_MOCKS_OFFLINE"],
        );
        assert_nothing_half_written(cache.path());
        reg.heal();
        recovers(&reg.reference(), cache.path());
    }
}

#[test]
fn oci_a_cut_blob_is_never_stored() {
    // With Content-Length: the client notices the early close.
    let reg = FakeRegistry::start(|a, req| {
        req.path.ends_with(&a.locale).then(|| {
            let body = a.blobs[&a.locale].clone();
            Reply::Cut { headers: vec![], keep: body.len() / 2, body, length: true }
        })
    });
    let cache = tempfile::tempdir().unwrap();
    failing(&reg.reference(), &opts(cache.path()), ErrorKind::Network, &["layer `locale`", "connection lost", "retry"]);
    assert_nothing_half_written(cache.path());
    reg.heal();
    recovers(&reg.reference(), cache.path());

    // Without Content-Length the cut body looks complete: its size and digest give it away.
    let reg = FakeRegistry::start(|a, req| {
        req.path.ends_with(&a.locale).then(|| {
            let body = a.blobs[&a.locale].clone();
            Reply::Cut { headers: vec![], keep: body.len() / 2, body, length: false }
        })
    });
    let cache = tempfile::tempdir().unwrap();
    failing(&reg.reference(), &opts(cache.path()), ErrorKind::Integrity, &["layer `locale`", "bytes", "retry"]);
    assert_nothing_half_written(cache.path());
    reg.heal();
    recovers(&reg.reference(), cache.path());
}

#[test]
fn oci_wrong_digests_are_refused() {
    // A blob with a flipped byte (same length).
    let reg = FakeRegistry::start(|a, req| {
        req.path.ends_with(&a.locale).then(|| {
            let mut body = a.blobs[&a.locale].clone();
            let mid = body.len() / 2;
            body[mid] ^= 0x01;
            Reply::ok("application/octet-stream", body)
        })
    });
    let cache = tempfile::tempdir().unwrap();
    let text = failing(&reg.reference(), &opts(cache.path()), ErrorKind::Integrity, &["layer `locale`", "altered"]);
    assert!(text.contains(&reg.artifact.locale), "{text}");
    assert_nothing_half_written(cache.path());
    reg.heal();
    recovers(&reg.reference(), cache.path());

    // A manifest that is not the one its digest names.
    let reg = FakeRegistry::start(|a, req| {
        (req.method == "GET" && req.path.contains("/manifests/")).then(|| {
            let mut body = a.manifest.clone();
            body.extend_from_slice(b"\n");
            Reply::Full { status: 200, headers: vec![("Content-Type".into(), MANIFEST.into())], body }
        })
    });
    let cache = tempfile::tempdir().unwrap();
    let pinned = format!("oci://{}/datasets/vanilla@{}", reg.server.addr(), reg.artifact.digest);
    failing(&pinned, &opts(cache.path()), ErrorKind::Integrity, &[&reg.artifact.digest]);
    assert_nothing_half_written(cache.path());
    reg.heal();
    recovers(&pinned, cache.path());
}

/// The blob `digest` of `a` as served, cut or stalled by `fault`.
fn faulty_blob(
    digest: String,
    fault: fn(Vec<u8>) -> Reply,
) -> impl Fn(&Artifact, &Req) -> Option<Reply> + Send + Sync + 'static {
    move |a, req| req.path.ends_with(&digest).then(|| fault(a.blobs[&digest].clone()))
}

/// The files under `cache` named `name`.
fn named(cache: &Path, name: &str) -> Vec<PathBuf> {
    walk(cache).into_iter().filter(|p| p.file_name().is_some_and(|n| n == name)).collect()
}

// A folder layer is unpacked into the dataset's temporary folder while it downloads; its digest
// is only known at the end of the stream. A layer that unpacks cleanly but is not the one the
// manifest names (here: the gzip header's time changed, same length) must leave no dataset, no
// blob, no temporary file or folder, and none of its unpacked files in the cache.
#[test]
fn oci_a_streamed_layer_whose_digest_fails_only_at_its_end_leaves_nothing() {
    let big = big_cfg();
    let a = artifact_with(&big);
    let digest = a.locale.clone();
    let reg = FakeRegistry::serving(
        a,
        faulty_blob(digest, |mut body| {
            body[4] ^= 0x5a;
            Reply::ok("application/octet-stream", body)
        }),
    );
    let cache = tempfile::tempdir().unwrap();
    let text = failing(&reg.reference(), &opts(cache.path()), ErrorKind::Integrity, &["layer `locale`", "altered"]);
    assert!(text.contains(&reg.artifact.locale), "{text}");
    assert_nothing_half_written(cache.path());
    assert_eq!(named(cache.path(), "en.cfg"), Vec::<PathBuf>::new(), "an unverified file stayed in the cache");
    reg.heal();
    let got = fetch(&reg.reference(), &opts(cache.path())).unwrap_or_else(|e| panic!("no recovery: {e}"));
    assert!(fs::read(got.dir.join("locale/en.cfg")).unwrap() == big);
}

// A big streamed layer cut (with and without Content-Length) or stalled midway: the unpacker
// has written part of it when the download fails; nothing of it may stay.
#[test]
fn oci_a_big_streamed_layer_cut_or_stalled_midway_leaves_nothing() {
    let cases: [(&str, fn(Vec<u8>) -> Reply, ErrorKind, &str); 3] = [
        (
            "cut",
            |body| Reply::Cut { headers: vec![], keep: body.len() * 2 / 3, body, length: true },
            ErrorKind::Network,
            "connection lost",
        ),
        (
            "cut without length",
            |body| Reply::Cut { headers: vec![], keep: body.len() * 2 / 3, body, length: false },
            ErrorKind::Integrity,
            "bytes",
        ),
        (
            "stalled",
            |body| Reply::Stall { headers: vec![], body, after: 3 << 20 },
            ErrorKind::Network,
            "raise opts.timeout",
        ),
    ];
    let big = big_cfg();
    for (name, fault, kind, says) in cases {
        let a = artifact_with(&big);
        let digest = a.locale.clone();
        let reg = FakeRegistry::serving(a, faulty_blob(digest, fault));
        let cache = tempfile::tempdir().unwrap();
        let t = Instant::now();
        failing(&reg.reference(), &quick(cache.path()), kind, &["layer `locale`", says]);
        assert!(t.elapsed() < Duration::from_secs(5), "{name}: took {:?}", t.elapsed());
        assert_nothing_half_written(cache.path());
        assert_eq!(named(cache.path(), "en.cfg"), Vec::<PathBuf>::new(), "{name}: a partial file stayed in the cache");
        reg.heal();
        let got = fetch(&reg.reference(), &opts(cache.path())).unwrap_or_else(|e| panic!("{name}: no recovery: {e}"));
        assert!(fs::read(got.dir.join("locale/en.cfg")).unwrap() == big, "{name}");
    }
}

#[path = "support/raw_tar.rs"]
mod raw_tar;
use raw_tar::{RawEntry as Entry, raw_tar_gz};

// A publisher's layer (its digest right) that tries to write outside its folder while it is
// streamed in: refused as unsafe, nothing written outside, nothing left in the cache.
#[test]
fn oci_unsafe_entries_in_a_streamed_layer_are_refused_and_nothing_escapes() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("evil");
    let absolute = target.to_string_lossy().into_owned();
    let up = "../".repeat(12) + absolute.trim_start_matches('/');
    let cfg = EN_CFG.as_bytes();
    let cases: [(&str, &[Entry]); 8] = [
        ("`..` entry", &[("locale/en.cfg", b'0', "", cfg), (up.as_str(), b'0', "", b"x")]),
        ("absolute path", &[("locale/en.cfg", b'0', "", cfg), (absolute.as_str(), b'0', "", b"x")]),
        ("another layer's folder", &[("prototype/data-raw.json", b'0', "", b"{}")]),
        ("symlink out", &[("locale/en.cfg", b'2', &up, b"")]),
        ("absolute symlink", &[("locale/out", b'2', outside.path().to_str().unwrap(), b"")]),
        ("symlink chain out", &[("locale/a", b'2', ".", b""), ("locale/b", b'2', "a/../a/../../../../../../..", b"")]),
        ("write through a symlink", &[("locale/l", b'2', ".", b""), ("locale/l/evil", b'0', "", b"x")]),
        ("hard link out", &[("locale/h", b'1', "../metadata.json", b"")]),
    ];
    for (name, entries) in cases {
        let reg = FakeRegistry::serving(artifact_of(raw_tar_gz(entries), cfg), |_, _| None);
        let cache = tempfile::tempdir().unwrap();
        let text = failing(
            &reg.reference(),
            &opts(cache.path()),
            ErrorKind::Integrity,
            &["layer `locale`", "unsafe entry refused", "report it to its publisher"],
        );
        assert!(!target.exists(), "{name}: wrote {}: {text}", target.display());
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0, "{name}");
        assert_nothing_half_written(cache.path());
    }
}

#[test]
fn oci_a_silent_or_stalled_registry_times_out_instead_of_hanging() {
    let cases: [(&str, fn(&Artifact, &Req) -> Option<Reply>); 2] = [
        ("silent", |_, req| req.path.contains("/manifests/").then_some(Reply::Silent)),
        ("stalled mid-blob", |a, req| {
            req.path.ends_with(&a.locale).then(|| Reply::Stall {
                headers: vec![],
                body: a.blobs[&a.locale].clone(),
                after: 10,
            })
        }),
    ];
    for (name, fault) in cases {
        let reg = FakeRegistry::start(fault);
        let cache = tempfile::tempdir().unwrap();
        let t = Instant::now();
        failing(&reg.reference(), &quick(cache.path()), ErrorKind::Network, &["raise opts.timeout"]);
        let took = t.elapsed();
        eprintln!("FIGURE: OCI {name}: failed after {took:?} with a 500 ms timeout");
        assert!(took < Duration::from_secs(5), "{name}: took {took:?}");
        assert_nothing_half_written(cache.path());
        reg.heal();
        recovers(&reg.reference(), cache.path());
    }
}

#[test]
fn oci_the_tag_is_served_stale_with_a_warning_when_the_registry_fails_later() {
    let broken = Arc::new(AtomicBool::new(false));
    let b = broken.clone();
    let reg = FakeRegistry::start(move |_, req| {
        (b.load(Ordering::SeqCst) && req.path.starts_with("/v2/")).then(|| Reply::status(500, "down"))
    });
    let cache = tempfile::tempdir().unwrap();
    let zero_ttl = FetchOptions { ttl: Some(Duration::ZERO), ..opts(cache.path()) };
    let first = fetch(&reg.reference(), &zero_ttl).unwrap();
    broken.store(true, Ordering::SeqCst);
    let again = fetch(&reg.reference(), &zero_ttl).unwrap();
    assert_eq!(again.dir, first.dir);
    assert!(again.warnings.iter().any(|w| w.contains("500") && w.contains("cached")), "{:?}", again.warnings);
}

// ---------------------------------------------------------------------------------------------
// OCI auth: the bearer challenge, in a child process so the credential variable is set before
// anything runs and no other test sees it.
// ---------------------------------------------------------------------------------------------

const USER: &str = "alice";
const PASSWORD: &str = "pw-Zq8s3cr3t";
const TOKEN: &str = "tok-Kx93bearer";

/// A registry that answers 401 with a bearer challenge until a request carries the token it
/// hands out at `/token` for the right basic credentials (or to anyone when `anonymous`).
fn auth_registry(anonymous: bool) -> FakeRegistry {
    use base64::Engine;
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}")));
    let port = Arc::new(AtomicUsize::new(0));
    let p = port.clone();
    let reg = FakeRegistry::start(move |_, req| {
        let path = req.path.split('?').next().unwrap_or("");
        if path == "/token" {
            return Some(if anonymous || req.header("authorization") == Some(basic.as_str()) {
                Reply::ok("application/json", format!(r#"{{"token":"{TOKEN}","expires_in":300}}"#).into_bytes())
            } else {
                Reply::status(401, r#"{"details":"incorrect username or password"}"#)
            });
        }
        if req.header("authorization") == Some(format!("Bearer {TOKEN}").as_str()) {
            return None;
        }
        let realm = format!("http://127.0.0.1:{}/token", p.load(Ordering::SeqCst));
        Some(Reply::Full {
            status: 401,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                (
                    "WWW-Authenticate".into(),
                    format!(
                        r#"Bearer realm="{realm}",service="fake-registry",scope="repository:datasets/vanilla:pull""#
                    ),
                ),
            ],
            body: br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.to_vec(),
        })
    });
    port.store(reg.server.port as usize, Ordering::SeqCst);
    reg
}

/// Child mode: fetch `FM_AUTH_REF` into `FM_AUTH_CACHE` with whatever credentials the
/// environment holds; print the outcome. Does nothing as an ordinary test.
#[test]
fn child_auth_fetch() {
    let (Ok(reference), Ok(cache)) = (std::env::var("FM_AUTH_REF"), std::env::var("FM_AUTH_CACHE")) else { return };
    match fetch(&reference, &opts(Path::new(&cache))) {
        Ok(got) => println!("CHILD-OK {} warnings={:?}", got.dir.display(), got.warnings),
        Err(e) => println!("CHILD-ERR {:?} {e}", e.kind),
    }
}

/// Runs [`child_auth_fetch`] with `auth` as `FACTORIO_MOCKS_REGISTRY_AUTH`; returns everything
/// it printed (stdout and stderr: the log lines).
fn auth_child(reference: &str, cache: &Path, auth: Option<&str>) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_auth_fetch", "--nocapture", "--test-threads=1"])
        .env("FM_AUTH_REF", reference)
        .env("FM_AUTH_CACHE", cache)
        // No Docker config credentials from the machine.
        .env("DOCKER_CONFIG", cache.join("no-docker-config"))
        .env_remove("FACTORIO_MOCKS_REGISTRY_AUTH");
    if let Some(a) = auth {
        cmd.env("FACTORIO_MOCKS_REGISTRY_AUTH", a);
    }
    let out = cmd.output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in [PASSWORD, TOKEN, "alice:", "YWxpY2U6"] {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

fn assert_cache_has_no_secret(cache: &Path) {
    for p in walk(cache) {
        assert_no_secret("a cache path", &p.to_string_lossy());
        if p.is_file() {
            assert_no_secret(&p.display().to_string(), &String::from_utf8_lossy(&fs::read(&p).unwrap()));
        }
    }
}

#[test]
fn oci_basic_credentials_are_traded_for_a_bearer_token_and_never_shown() {
    let reg = auth_registry(false);
    let cache = tempfile::tempdir().unwrap();
    let out = auth_child(&reg.reference(), cache.path(), Some(&format!("{USER}:{PASSWORD}")));
    assert!(out.contains("CHILD-OK"), "{out}");
    assert_no_secret("the child's output", &out);
    assert_cache_has_no_secret(cache.path());
    let reqs = reg.server.requests();
    let token_req = reqs.iter().find(|r| r.path.starts_with("/token")).expect("the client never asked for a token");
    assert!(token_req.header("authorization").is_some_and(|a| a.starts_with("Basic ")), "{token_req:?}");
    assert!(token_req.path.contains("scope=repository%3Adatasets%2Fvanilla%3Apull"), "{}", token_req.path);
    assert!(
        reqs.iter()
            .any(|r| r.path.contains("/blobs/") && r.header("authorization") == Some(&format!("Bearer {TOKEN}")))
    );
    // The password went to the token endpoint only.
    assert!(
        reqs.iter()
            .filter(|r| r.header("authorization").is_some_and(|a| a.starts_with("Basic ")))
            .all(|r| r.path.starts_with("/token"))
    );
}

#[test]
fn oci_anonymous_pulls_answer_the_challenge_too() {
    let reg = auth_registry(true);
    let cache = tempfile::tempdir().unwrap();
    let out = auth_child(&reg.reference(), cache.path(), None);
    assert!(out.contains("CHILD-OK"), "{out}");
    assert_cache_has_no_secret(cache.path());
}

#[test]
fn oci_refused_credentials_are_an_auth_error_without_the_credentials() {
    let reg = auth_registry(false);
    let cache = tempfile::tempdir().unwrap();
    let wrong = format!("{USER}:{PASSWORD}-wrong");
    let out = auth_child(&reg.reference(), cache.path(), Some(&wrong));
    assert!(out.contains("CHILD-ERR Auth"), "{out}");
    assert!(out.contains(&reg.reference()) && out.contains("FACTORIO_MOCKS_REGISTRY_AUTH"), "{out}");
    assert_no_secret("the child's output", &out);
    assert_cache_has_no_secret(cache.path());
    // A bare token is sent as a bearer token and never echoed either.
    let out = auth_child(&reg.reference(), cache.path(), Some("tok-Kx93bearer-expired"));
    assert!(out.contains("CHILD-ERR Auth"), "{out}");
    assert_no_secret("the child's output", &out);
    assert_cache_has_no_secret(cache.path());
}

// ---------------------------------------------------------------------------------------------
// Credentials in every shape a reference or a registry can carry them (issue 13): none may
// reach an error, a warning or the cache, neither as given nor base64- or percent-encoded.
// ---------------------------------------------------------------------------------------------

/// The secret part of every shape below.
const S: &str = "Qz9s3cr3t";

/// A registry that fails with a 500 whose body echoes the request's headers (and the
/// `Authorization` headers of the requests before it), as some registries and proxies do.
/// It challenges a request without credentials, and its token endpoint hands out `tok-<S>-issued`,
/// so the echoed headers hold the basic pair and the bearer token.
fn echoing_registry() -> FakeRegistry {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let port = Arc::new(AtomicUsize::new(0));
    let p = port.clone();
    let reg = FakeRegistry::start(move |_, req| {
        if let Some(a) = req.header("authorization") {
            seen.lock().unwrap().push(a.to_string());
        }
        if req.path.starts_with("/token") {
            return Some(Reply::ok(
                "application/json",
                format!(r#"{{"token":"tok-{S}-issued","expires_in":300}}"#).into_bytes(),
            ));
        }
        if req.header("authorization").is_none() {
            let realm = format!("http://127.0.0.1:{}/token", p.load(Ordering::SeqCst));
            return Some(Reply::Full {
                status: 401,
                headers: vec![(
                    "WWW-Authenticate".into(),
                    format!(r#"Bearer realm="{realm}",service="fake",scope="repository:datasets/vanilla:pull""#),
                )],
                body: br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.to_vec(),
            });
        }
        let mut body = format!("internal error for {} {}\n", req.method, req.path);
        let mut names: Vec<_> = req.headers.keys().collect();
        names.sort();
        for k in names {
            body.push_str(&format!("{k}: {}\n", req.headers[k]));
        }
        for a in seen.lock().unwrap().iter() {
            body.push_str(&format!("earlier request: authorization: {a}\n"));
        }
        Some(Reply::Full {
            status: 500,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.into_bytes(),
        })
    });
    port.store(reg.server.port as usize, Ordering::SeqCst);
    reg
}

/// Every form of `secret` (and of `user:secret`) that must not appear.
fn secret_forms(user: Option<&str>, secret: &str) -> Vec<String> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut forms = vec![
        S.to_string(),
        secret.to_string(),
        b64.encode(secret),
        b64.encode(secret).trim_end_matches('=').to_string(),
    ];
    if let Some(u) = user {
        forms.push(b64.encode(format!("{u}:{secret}")).trim_end_matches('=').to_string());
        forms.push(format!("{u}:{secret}"));
    }
    let pct: String = secret
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    forms.push(pct);
    forms
}

/// The forms of `forms` that `text` shows.
fn leaked<'a>(text: &str, forms: &'a [String]) -> Vec<&'a str> {
    forms.iter().filter(|f| text.contains(f.as_str())).map(String::as_str).collect()
}

/// Everything the cache holds: its paths and the bytes of its files.
fn cache_text(cache: &Path) -> String {
    let mut out = String::new();
    for p in walk(cache) {
        out.push_str(&p.to_string_lossy());
        out.push('\n');
        if p.is_file() {
            out.push_str(&String::from_utf8_lossy(&fs::read(&p).unwrap()));
        }
    }
    out
}

#[test]
fn no_credential_shape_reaches_an_error_a_warning_or_the_cache() {
    let reg = echoing_registry();
    let git = FakeGit::start(|_, req| {
        let echo =
            format!("{} {}\nauthorization: {}", req.method, req.path, req.header("authorization").unwrap_or("-"));
        Some(Reply::Full { status: 500, headers: vec![], body: echo.into_bytes() })
    });
    let (a, g) = (reg.server.addr(), git.server.addr());
    let digest = format!("sha256:{}", "0".repeat(64));
    // (reference, sources, user, secret): the secret and its encodings must never show.
    let mut shapes: Vec<(String, Option<Vec<String>>, Option<&str>, String)> = Vec::new();
    let mut shape = |reference: String, sources: Option<Vec<String>>, user: Option<&'static str>, secret: String| {
        shapes.push((reference, sources, user, secret))
    };
    for (user, pass) in [
        (Some("alice"), S.to_string()),
        (Some("alice"), format!("pa/{S}")),
        (Some("alice"), format!("pa@{S}")),
        (Some("alice"), format!("pa:{S}")),
        (Some("alice"), format!("pa%2F{S}")),
        (None, S.to_string()),
    ] {
        let userinfo = match user {
            Some(u) => format!("{u}:{pass}"),
            None => pass.clone(),
        };
        shape(format!("oci://{userinfo}@{a}/datasets/vanilla:1"), None, user, pass.clone());
        shape(format!("http://{userinfo}@{g}/ds"), None, user, pass.clone());
    }
    shape(format!("oci://{a}/datasets/vanilla:1?token={S}"), None, None, S.into());
    shape(format!("oci://{a}/datasets/vanilla@{digest}?access_token={S}"), None, None, S.into());
    shape(format!("oci://{a}/datasets/vanilla:1#{S}"), None, None, S.into());
    shape(format!("http://{g}/ds?token={S}"), None, None, S.into());
    shape(format!("http://{g}/ds?ref=main&private_token={S}"), None, None, S.into());
    shape(format!("http://{g}/ds#access_token={S}"), None, None, S.into());
    shape(format!("https://alice:{S}@example.invalid/ds"), None, Some("alice"), S.into());
    shape(format!("https://alice:pa/{S}@example.invalid/ds"), None, Some("alice"), format!("pa/{S}"));
    shape(format!("https://example.invalid/ds/?X-Amz-Signature={S}"), None, None, S.into());
    shape("vanilla".into(), Some(vec![format!("oci://alice:pa/{S}@{a}/datasets")]), Some("alice"), format!("pa/{S}"));
    shape("vanilla".into(), Some(vec![format!("http://{g}/{{name}}?token={S}")]), None, S.into());
    shape("vanilla".into(), Some(vec![format!("https://{S}@example.invalid/{{name}}")]), None, S.into());
    assert!(shapes.len() >= 20, "{}", shapes.len());
    let total = shapes.len();
    let mut leaks = Vec::new();
    for (reference, sources, user, secret) in shapes {
        let cache = tempfile::tempdir().unwrap();
        let o = FetchOptions { sources, timeout: Some(Duration::from_secs(2)), ..opts(cache.path()) };
        let forms = secret_forms(user, &secret);
        let text = match fetch(&reference, &o) {
            Ok(got) => format!("served (it must not be) {got:?}"),
            Err(e) => format!("{e} | {e:?}"),
        };
        let shown = [leaked(&text, &forms), leaked(&cache_text(cache.path()), &forms)].concat();
        eprintln!("SHAPE {} {reference}: {text}", if shown.is_empty() { "ok  " } else { "LEAK" });
        if !shown.is_empty() {
            leaks.push(format!("{reference} shows {shown:?} in: {text}"));
        }
    }
    eprintln!("FIGURE: {} of {total} reference shapes leak a credential", leaks.len());
    assert!(leaks.is_empty(), "{} of {total} shapes leak:\n{}", leaks.len(), leaks.join("\n"));
}

#[test]
fn credentials_a_registry_echoes_back_are_never_shown() {
    let reg = echoing_registry();
    let cache = tempfile::tempdir().unwrap();
    let mut leaks = Vec::new();
    let mut check = |what: &str, out: String, mut forms: Vec<String>| {
        eprintln!("ECHO {what}: {out}");
        forms.extend(secret_forms(None, &format!("tok-{S}-issued")));
        assert!(out.contains("CHILD-ERR"), "{what}: {out}");
        let shown = [leaked(&out, &forms), leaked(&cache_text(cache.path()), &forms)].concat();
        if !shown.is_empty() {
            leaks.push(format!("{what} shows {shown:?}: {out}"));
        }
    };
    // Basic credentials, a password holding `/`, `@` and `:`.
    let pass = format!("pa/@:{S}");
    check(
        "basic",
        auth_child(&reg.reference(), cache.path(), Some(&format!("alice:{pass}"))),
        secret_forms(Some("alice"), &pass),
    );
    // A bare token, sent as a bearer token.
    check(
        "bearer",
        auth_child(&reg.reference(), cache.path(), Some(&format!("tok-{S}"))),
        secret_forms(None, &format!("tok-{S}")),
    );
    // The Docker config's credentials (the child reads DOCKER_CONFIG=<cache>/no-docker-config).
    {
        use base64::Engine;
        let dir = cache.path().join("no-docker-config");
        fs::create_dir_all(&dir).unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("bob:{S}-docker"));
        fs::write(dir.join("config.json"), format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.server.addr()))
            .unwrap();
        let out = auth_child(&reg.reference(), cache.path(), None);
        fs::remove_dir_all(&dir).unwrap();
        check("docker config", out, secret_forms(Some("bob"), &format!("{S}-docker")));
    }
    // The token endpoint refusing, its body echoing the basic header it got.
    let challenged = auth_registry_echoing_refusals();
    let out = auth_child(&challenged.reference(), cache.path(), Some(&format!("alice:{pass}")));
    check("token endpoint", out, secret_forms(Some("alice"), &pass));
    // The echoes were real: the registry was sent the basic pairs and the issued token.
    let sent: Vec<String> =
        reg.server.requests().iter().filter_map(|r| r.header("authorization").map(str::to_string)).collect();
    assert!(sent.iter().any(|a| a.starts_with("Basic ")) && sent.iter().any(|a| a.contains("-issued")), "{sent:?}");
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

/// A registry that challenges every request, and whose token endpoint refuses with a body
/// echoing the request's headers.
fn auth_registry_echoing_refusals() -> FakeRegistry {
    let port = Arc::new(AtomicUsize::new(0));
    let p = port.clone();
    let reg = FakeRegistry::start(move |_, req| {
        if req.path.starts_with("/token") {
            let body = format!(
                r#"{{"details":"incorrect username or password","request_headers":{{"authorization":"{}"}}}}"#,
                req.header("authorization").unwrap_or("")
            );
            return Some(Reply::Full {
                status: 401,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.into_bytes(),
            });
        }
        let realm = format!("http://127.0.0.1:{}/token", p.load(Ordering::SeqCst));
        Some(Reply::Full {
            status: 401,
            headers: vec![(
                "WWW-Authenticate".into(),
                format!(r#"Bearer realm="{realm}",service="fake",scope="repository:datasets/vanilla:pull""#),
            )],
            body: br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.to_vec(),
        })
    });
    port.store(reg.server.port as usize, Ordering::SeqCst);
    reg
}

// ---------------------------------------------------------------------------------------------
// Git host
// ---------------------------------------------------------------------------------------------

/// The dataset as plain files: `metadata.json` and `locale/en.cfg`.
fn git_files() -> HashMap<String, Vec<u8>> {
    git_files_with(EN_CFG.as_bytes())
}

fn git_files_with(en_cfg: &[u8]) -> HashMap<String, Vec<u8>> {
    let sha = sha256_digest(en_cfg);
    let metadata = format!(
        r#"{{"hash_algorithm":"sha256","checksums":{{"locale/en.cfg":"{}"}}}}"#,
        sha.trim_start_matches("sha256:")
    );
    HashMap::from([
        ("/ds/metadata.json".to_string(), metadata.into_bytes()),
        ("/ds/locale/en.cfg".to_string(), en_cfg.to_vec()),
    ])
}

struct FakeGit {
    server: Server,
    faulty: Arc<AtomicBool>,
}

impl FakeGit {
    fn start(fault: impl Fn(&HashMap<String, Vec<u8>>, &Req) -> Option<Reply> + Send + Sync + 'static) -> FakeGit {
        let files = git_files();
        let faulty = Arc::new(AtomicBool::new(true));
        let f = faulty.clone();
        let server = Server::start(Arc::new(move |req: &Req| {
            if f.load(Ordering::SeqCst) {
                if let Some(r) = fault(&files, req) {
                    return r;
                }
            }
            match files.get(&req.path) {
                Some(b) => Reply::ok("application/octet-stream", b.clone()),
                None => Reply::status(404, "not found"),
            }
        }));
        FakeGit { server, faulty }
    }

    fn base(&self) -> String {
        format!("http://{}/ds", self.server.addr())
    }

    fn heal(&self) {
        self.faulty.store(false, Ordering::SeqCst);
    }
}

const CFG: &str = "/ds/locale/en.cfg";

#[test]
fn git_the_healthy_fake_host_serves_the_dataset() {
    let git = FakeGit::start(|_, _| None);
    let cache = tempfile::tempdir().unwrap();
    recovers(&git.base(), cache.path());
}

#[test]
fn git_404_401_and_500_say_what_to_do() {
    let cache = tempfile::tempdir().unwrap();
    let git = FakeGit::start(|_, _| None);
    failing(
        &format!("http://{}/nothing", git.server.addr()),
        &opts(cache.path()),
        ErrorKind::NotFound,
        &["metadata.json", "base folder of a dataset"],
    );

    let git = FakeGit::start(|_, req| (req.path == CFG).then(|| Reply::status(404, "gone")));
    failing(&git.base(), &opts(cache.path()), ErrorKind::NotFound, &["locale/en.cfg", "missing on the host"]);
    assert_nothing_half_written(cache.path());

    let git = FakeGit::start(|_, req| (req.path == CFG).then(|| Reply::status(401, "private")));
    failing(&git.base(), &opts(cache.path()), ErrorKind::Auth, &["401", "serve the dataset publicly"]);

    let git = FakeGit::start(|_, req| (req.path == CFG).then(|| Reply::status(500, "oops")));
    failing(&git.base(), &opts(cache.path()), ErrorKind::Network, &["500", "retry later"]);
    assert_nothing_half_written(cache.path());
    git.heal();
    recovers(&git.base(), cache.path());
}

#[test]
fn git_a_cut_or_altered_file_is_never_stored() {
    let git = FakeGit::start(|files, req| {
        (req.path == CFG).then(|| Reply::Cut { headers: vec![], body: files[CFG].clone(), keep: 5, length: true })
    });
    let cache = tempfile::tempdir().unwrap();
    failing(&git.base(), &opts(cache.path()), ErrorKind::Network, &["locale/en.cfg", "stopped after 5 bytes"]);
    assert_nothing_half_written(cache.path());
    git.heal();
    recovers(&git.base(), cache.path());

    let git = FakeGit::start(|_, req| {
        (req.path == CFG).then(|| Reply::ok("text/plain", EN_CFG.replace("Iron", "Gold").into_bytes()))
    });
    let cache = tempfile::tempdir().unwrap();
    failing(&git.base(), &opts(cache.path()), ErrorKind::Integrity, &["locale/en.cfg", "checksum mismatch"]);
    assert_nothing_half_written(cache.path());
    git.heal();
    recovers(&git.base(), cache.path());
}

#[test]
fn git_a_silent_or_stalled_host_times_out_instead_of_hanging() {
    let cases: [(&str, fn(&HashMap<String, Vec<u8>>, &Req) -> Option<Reply>, Duration); 2] = [
        ("silent", |_, req| req.path.ends_with("metadata.json").then_some(Reply::Silent), Duration::from_secs(3)),
        // A stalled body is bounded by the per-file budget (ten times the timeout).
        (
            "stalled mid-file",
            |files, req| {
                (req.path == CFG).then(|| Reply::Stall { headers: vec![], body: files[CFG].clone(), after: 5 })
            },
            Duration::from_secs(8),
        ),
    ];
    for (name, fault, limit) in cases {
        let git = FakeGit::start(fault);
        let cache = tempfile::tempdir().unwrap();
        let t = Instant::now();
        failing(&git.base(), &quick(cache.path()), ErrorKind::Network, &["no answer within", "raise opts.timeout"]);
        let took = t.elapsed();
        eprintln!("FIGURE: Git {name}: failed after {took:?} with a 500 ms timeout");
        assert!(took < limit, "{name}: took {took:?}");
        assert_nothing_half_written(cache.path());
        git.heal();
        recovers(&git.base(), cache.path());
    }
}

// ---------------------------------------------------------------------------------------------
// FACTORIO_MOCKS_ALLOW_HTTP, in a child process (no traffic leaves loopback: the child is
// offline, so it only shows whether plain HTTP passed the check).
// ---------------------------------------------------------------------------------------------

#[test]
fn child_allow_http() {
    let Ok(cache) = std::env::var("FM_ALLOW_HTTP_CACHE") else { return };
    let o = FetchOptions { offline: Some(true), ..opts(Path::new(&cache)) };
    let e = fetch("http://192.0.2.1/datasets/vanilla", &o).unwrap_err();
    println!("CHILD-KIND {:?} {e}", e.kind);
}

#[test]
fn plain_http_to_other_hosts_needs_the_opt_in() {
    let cache = tempfile::tempdir().unwrap();
    let run = |value: Option<&str>| {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--exact", "child_allow_http", "--nocapture", "--test-threads=1"])
            .env("FM_ALLOW_HTTP_CACHE", cache.path())
            .env_remove("FACTORIO_MOCKS_ALLOW_HTTP");
        if let Some(v) = value {
            cmd.env("FACTORIO_MOCKS_ALLOW_HTTP", v);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let refused = run(None);
    assert!(refused.contains("CHILD-KIND Invalid") && refused.contains("FACTORIO_MOCKS_ALLOW_HTTP=1"), "{refused}");
    assert!(run(Some("0")).contains("CHILD-KIND Invalid"));
    // Opted in, the request would go out: offline, it stops at the cache instead.
    let allowed = run(Some("1"));
    assert!(allowed.contains("CHILD-KIND Offline"), "{allowed}");
    // The option does the same without the variable.
    let o = FetchOptions { offline: Some(true), allow_http: true, ..opts(cache.path()) };
    assert_eq!(fetch("http://192.0.2.1/datasets/vanilla", &o).unwrap_err().kind, ErrorKind::Offline);
}

// ---------------------------------------------------------------------------------------------
// Progress: a download over 4 MB shows it when stderr is a terminal (a pseudo-terminal here),
// and prints nothing when stderr is a pipe. In a child process, whose stderr is the terminal.
// ---------------------------------------------------------------------------------------------

/// Six MB that gzip cannot shrink much (a real dataset layer of that size is compressed data).
fn big_cfg() -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = b"[noise]\n".to_vec();
    while out.len() < 6 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend(x.to_le_bytes().iter().map(|b| b' ' + b % 94));
    }
    out
}

/// Child mode: fetch `FM_PROGRESS_REF` into `FM_PROGRESS_CACHE` with progress left to its
/// default (on when stderr is a terminal). Does nothing as an ordinary test.
#[test]
fn child_progress_fetch() {
    let (Ok(reference), Ok(cache)) = (std::env::var("FM_PROGRESS_REF"), std::env::var("FM_PROGRESS_CACHE")) else {
        return;
    };
    let o = FetchOptions { cache_dir: Some(cache.into()), ..Default::default() };
    let got = fetch(&reference, &o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fs::metadata(got.dir.join("locale/en.cfg")).unwrap().len(), big_cfg().len() as u64);
    println!("CHILD-FETCHED");
}

/// Runs [`child_progress_fetch`] with stderr on a new pseudo-terminal (`tty`) or a pipe;
/// returns what it wrote there.
fn progress_child(reference: &str, tty: bool) -> String {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::Stdio;
    let cache = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_progress_fetch", "--nocapture", "--test-threads=1"])
        .env("FM_PROGRESS_REF", reference)
        .env("FM_PROGRESS_CACHE", cache.path())
        .stdout(Stdio::piped());
    if !tty {
        let out = cmd.stderr(Stdio::piped()).output().unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("CHILD-FETCHED"), "{out:?}");
        return String::from_utf8_lossy(&out.stderr).into_owned();
    }
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two new descriptors, which are owned below and closed once.
    let rc =
        unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
    assert_eq!(rc, 0, "openpty failed: {}", std::io::Error::last_os_error());
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // Close-on-exec: a child another test spawns meanwhile must not keep the terminal open.
    for fd in [&master, &slave] {
        // SAFETY: fcntl on a descriptor owned above.
        unsafe { libc::fcntl(std::os::fd::AsRawFd::as_raw_fd(fd), libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    let child = cmd.stderr(Stdio::from(slave)).spawn().unwrap();
    // The parent's copy of the slave went into the command, so the master reads until the
    // child's end closes (EIO on Linux).
    drop(cmd);
    let mut seen = Vec::new();
    let mut master = fs::File::from(master);
    let mut buf = [0u8; 4096];
    while let Ok(n) = master.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("CHILD-FETCHED"), "{out:?}");
    String::from_utf8_lossy(&seen).into_owned()
}

fn assert_progress(source: &str, reference: &str) {
    let on_tty = progress_child(reference, true);
    eprintln!("{source} progress on a terminal: {on_tty:?}");
    let lines: Vec<&str> =
        on_tty.split(['\r', '\n']).filter(|l| l.starts_with("factorio-mocks: ") && l.ends_with(" MB")).collect();
    assert!(lines.len() >= 2, "{source}: no running progress on a terminal: {on_tty:?}");
    let last = lines.last().unwrap();
    let (done, total) = last.rsplit_once(' ').unwrap().0.rsplit_once(' ').unwrap().1.split_once('/').unwrap();
    assert_eq!(done, total, "{source}: the last progress line is not complete: {last}");
    assert!(total.parse::<f64>().unwrap() > 4.0, "{last}");
    let on_pipe = progress_child(reference, false);
    assert!(!on_pipe.contains(" MB"), "{source}: progress on a pipe: {on_pipe:?}");
}

#[test]
fn a_large_download_shows_progress_on_a_terminal_and_nothing_on_a_pipe() {
    let big = big_cfg();
    let registry = FakeRegistry::serving(artifact_with(&big), |_, _| None);
    assert_progress("OCI", &registry.reference());

    let files = git_files_with(&big);
    let git = Server::start(Arc::new(move |req: &Req| match files.get(&req.path) {
        Some(b) => Reply::ok("application/octet-stream", b.clone()),
        None => Reply::status(404, "not found"),
    }));
    assert_progress("Git", &format!("http://{}/ds", git.addr()));
}
