//! `factorio-mocks dataset push` against real peers on loopback: Debian's `docker-registry`,
//! and the independent `oras` Python client to pull what we pushed and to push the modpack
//! artifact a dataset points at. Tests whose peer is missing print why and pass (so
//! `cargo test` works on a clean clone); scripts/ensure-oras.sh installs `oras` into build/venv.

use std::collections::BTreeMap;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use factorio_mocks::source::push::{PushOptions, push};
use factorio_mocks::source::{ErrorKind, FetchOptions, fetch};

const BIN: &str = env!("CARGO_BIN_EXE_factorio-mocks");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DATASET: &str = "application/vnd.factorio-mocks.dataset.v1";
const MODPACK: &str = "application/vnd.factorio-mocks.modpack.v1";
const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("FM_TEST_PYTHON").filter(|p| !p.is_empty()) {
        return p.into();
    }
    let venv = Path::new(ROOT).join("build/venv/bin/python");
    if venv.exists() { venv } else { "python3".into() }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A real registry on loopback, stopped on drop.
struct Registry {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn start() -> Option<Registry> {
        if !Path::new(REGISTRY_BIN).exists() {
            eprintln!("SKIPPED: {REGISTRY_BIN} is missing (apt-get install docker-registry)");
            return None;
        }
        if Command::new(python())
            .args(["-c", "import oras.provider, requests"])
            .status()
            .map(|s| !s.success())
            .unwrap_or(true)
        {
            eprintln!(
                "SKIPPED: the Python `oras` client is missing (scripts/ensure-oras.sh installs it into build/venv)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("storage").display()
        );
        fs::write(dir.path().join("config.yml"), config).unwrap();
        let child = Command::new(REGISTRY_BIN)
            .args(["serve", "config.yml"])
            .current_dir(dir.path())
            .stdout(fs::File::create(dir.path().join("stdout.log")).unwrap())
            .stderr(fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(15), "docker-registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Registry { child, addr: format!("127.0.0.1:{port}"), _dir: dir })
    }

    /// GET on the registry's API: (status, body).
    fn get(&self, path: &str, accept: &str) -> (u16, String) {
        let script = "import sys, requests; r = requests.get(sys.argv[1], headers={'Accept': sys.argv[2]}); print(r.status_code); print(r.text)";
        let out = Command::new(python())
            .args(["-c", script, &format!("http://{}{path}", self.addr), accept])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (status, body) = text.split_once('\n').unwrap_or(("0", ""));
        (status.trim().parse().unwrap_or(0), body.to_string())
    }
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("FACTORIO_MOCKS_REGISTRY_AUTH")
        .env("DOCKER_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file under `dir`: relative path → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            // The cache's own list of what it unpacked.
            if p.file_name().is_some_and(|n| n == ".factorio-mocks-files") {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A dataset built by the tool itself from the example mod, with a runtime folder added.
fn built_dataset(at: &Path) {
    let example = Path::new(ROOT).join("fixtures/example-mod");
    let (code, out, err) = run(&["dataset", "build", "--mods", s(&example), "--out", s(at)]);
    assert_eq!(code, 0, "{out}{err}");
    fs::create_dir_all(at.join("runtime")).unwrap();
    fs::write(at.join("runtime/settings.lua"), "return {}\n").unwrap();
}

/// Panics naming the files that differ between two folders.
fn assert_same_files(a: &Path, b: &Path, what: &str) {
    let (fa, fb) = (files(a), files(b));
    if fa == fb {
        return;
    }
    let only_a: Vec<&String> = fa.keys().filter(|k| !fb.contains_key(*k)).collect();
    let only_b: Vec<&String> = fb.keys().filter(|k| !fa.contains_key(*k)).collect();
    let changed: Vec<&String> = fa.keys().filter(|k| fb.get(*k).is_some_and(|v| v != &fa[*k])).collect();
    panic!("{what}: only in {}: {only_a:?}; only in {}: {only_b:?}; changed: {changed:?}", a.display(), b.display());
}

fn oras_pull(reg: &Registry, target: &str, into: &Path) {
    let script = "import sys, oras.provider; r = oras.provider.Registry(sys.argv[1], insecure=True); r.pull(target=sys.argv[1] + '/' + sys.argv[2], outdir=sys.argv[3])";
    let out = Command::new(python()).args(["-c", script, &reg.addr, target, s(into)]).output().unwrap();
    assert!(out.status.success(), "oras pull failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn pushes_a_dataset_that_oras_and_fetch_pull_back_the_same() {
    let Some(reg) = Registry::start() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    built_dataset(&ds);

    // No tag: the game version and the dated one.
    let (code, stdout, stderr) = run(&["dataset", "push", s(&ds), &format!("oci://{}/datasets/example", reg.addr)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let refs: Vec<&str> = stdout.lines().collect();
    assert_eq!(refs.len(), 2, "{stdout}");
    assert_eq!(refs[0], format!("oci://{}/datasets/example:2.0.77", reg.addr));
    let dated = refs[1].rsplit(':').next().unwrap();
    assert!(
        dated.starts_with("2.0.77-20") && dated.len() == "2.0.77-yyyy.mm.dd".len() && dated.matches('.').count() == 4,
        "{dated}"
    );

    let (status, manifest) =
        reg.get("/v2/datasets/example/manifests/2.0.77", "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(status, 200, "{manifest}");
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["artifactType"], DATASET);
    assert_eq!(m["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
    let titles: Vec<&str> = m["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["annotations"]["org.opencontainers.image.title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["prototype", "runtime", "locale", "lua", "metadata.json"]);
    for l in m["layers"].as_array().unwrap() {
        let folder = l["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip";
        assert_eq!(l["annotations"]["io.deis.oras.content.unpack"].as_str() == Some("true"), folder, "{l}");
    }

    // The independent client gets the same files.
    let pulled = tmp.path().join("oras");
    oras_pull(&reg, "datasets/example:2.0.77", &pulled);
    assert_same_files(&pulled, &ds, "oras pull");

    // So does our own fetch, by tag and by the digest the push printed.
    let cache = tmp.path().join("cache");
    let opts = FetchOptions { cache_dir: Some(cache.clone()), progress: Some(false), ..Default::default() };
    let got = fetch(&format!("oci://{}/datasets/example:{dated}", reg.addr), &opts).unwrap();
    assert_same_files(&got.dir, &ds, "fetch");
    let pinned = stderr.split(" as ").nth(1).unwrap().split_whitespace().next().unwrap();
    assert_eq!(fetch(pinned, &opts).unwrap().dir, got.dir, "{stderr}");

    // Pushing the same folder again uploads nothing new and gives the same layers.
    let again = push(&ds, &format!("oci://{}/datasets/example:again", reg.addr), &PushOptions::default()).unwrap();
    let (_, m2) = reg.get("/v2/datasets/example/manifests/again", "application/vnd.oci.image.manifest.v1+json");
    let m2: serde_json::Value = serde_json::from_str(&m2).unwrap();
    assert_eq!(m2["layers"], m["layers"]);
    assert_eq!(again.references, [format!("oci://{}/datasets/example:again", reg.addr)]);
}

#[test]
fn a_dataset_pushed_with_a_subject_is_its_referrer() {
    let Some(reg) = Registry::start() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // The modpack artifact, pushed by oras.
    let pack = tmp.path().join("pack");
    fs::create_dir_all(&pack).unwrap();
    fs::write(pack.join("modpack.json"), r#"{"factorio_version": "2.0", "mods": ["example-gears"]}"#).unwrap();
    let script = Path::new(ROOT).join("tests/oras_push.py");
    let out = Command::new(python())
        .arg(script)
        .args([&reg.addr, "datasets/example:modpack", MODPACK])
        .arg(&pack)
        .arg("modpack.json")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pack_digest = String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string();

    let ds = tmp.path().join("ds");
    built_dataset(&ds);
    let subject = format!("oci://{}/datasets/example@{pack_digest}", reg.addr);
    let (code, stdout, stderr) = run(&[
        "dataset",
        "push",
        s(&ds),
        &format!("oci://{}/datasets/example:with-subject", reg.addr),
        "--subject",
        &subject,
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains(&format!("attached to {subject}")), "{stderr}");

    let (_, manifest) =
        reg.get("/v2/datasets/example/manifests/with-subject", "application/vnd.oci.image.manifest.v1+json");
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["subject"]["digest"], pack_digest.as_str());
    // The referrers: the registry's API when it has one, else the referrers tag schema's index.
    let (status, body) =
        reg.get(&format!("/v2/datasets/example/referrers/{pack_digest}"), "application/vnd.oci.image.index.v1+json");
    let index = if status == 200 {
        body
    } else {
        let (status, body) = reg.get(
            &format!("/v2/datasets/example/manifests/{}", pack_digest.replace(':', "-")),
            "application/vnd.oci.image.index.v1+json",
        );
        assert_eq!(status, 200, "no referrers index: {body}");
        body
    };
    let index: serde_json::Value = serde_json::from_str(&index).unwrap();
    let ours = stderr
        .split(" as ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .rsplit('@')
        .next()
        .unwrap()
        .trim_end_matches(',');
    assert!(
        index["manifests"].as_array().unwrap().iter().any(|e| e["digest"] == ours && e["artifactType"] == DATASET),
        "{index}"
    );

    // Fetching the modpack artifact finds the dataset through its referrers, and says so.
    let opts = FetchOptions { cache_dir: Some(tmp.path().join("cache")), progress: Some(false), ..Default::default() };
    let got = fetch(&subject, &opts).unwrap();
    assert_same_files(&got.dir, &ds, "fetch of the subject");
    assert_eq!(got.subject.unwrap().digest, pack_digest);

    // A subject that is not there, or in another repository, fails before anything is tagged.
    let missing = format!("oci://{}/datasets/example@sha256:{}", reg.addr, "0".repeat(64));
    let e = push(
        &ds,
        &format!("oci://{}/datasets/example:never", reg.addr),
        &PushOptions { subject: Some(missing), ..Default::default() },
    )
    .unwrap_err();
    assert!(e.to_string().contains("reading the subject"), "{e}");
    let other = format!("oci://{}/elsewhere@{pack_digest}", reg.addr);
    let e = push(
        &ds,
        &format!("oci://{}/datasets/example:never", reg.addr),
        &PushOptions { subject: Some(other), ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid, "{e}");
    let (status, _) = reg.get("/v2/datasets/example/manifests/never", "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(status, 404, "nothing tagged");
}

#[test]
fn bad_pushes_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    // Not a dataset folder.
    let (code, _, stderr) = run(&["dataset", "push", s(tmp.path()), "oci://127.0.0.1:9/x/y:1"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("no metadata.json or metadata.lua"), "{stderr}");
    // No registry there: a network error naming the reference, no credentials echoed.
    fs::write(tmp.path().join("metadata.json"), r#"{"factorio_version": "2.0.77"}"#).unwrap();
    let port = free_port();
    let out = Command::new(BIN)
        .args(["dataset", "push", s(tmp.path()), &format!("oci://127.0.0.1:{port}/x/y")])
        .env("FACTORIO_MOCKS_REGISTRY_AUTH", "bob:hunter2-secret")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}/x/y")), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    // A digest target, a subject by tag.
    let (code, _, stderr) =
        run(&["dataset", "push", s(tmp.path()), &format!("oci://127.0.0.1:{port}/x/y@sha256:{}", "a".repeat(64))]);
    assert_eq!(code, 3);
    assert!(stderr.contains("not a digest"), "{stderr}");
    let (code, _, stderr) = run(&[
        "dataset",
        "push",
        s(tmp.path()),
        &format!("oci://127.0.0.1:{port}/x/y:t"),
        "--subject",
        &format!("oci://127.0.0.1:{port}/x/y:pack"),
    ]);
    assert_eq!(code, 3);
    assert!(stderr.contains("pinned by digest"), "{stderr}");
}
