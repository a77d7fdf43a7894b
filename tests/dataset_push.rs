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

/// The account of [`Registry::start_with_auth`]. Its htpasswd line holds the bcrypt hash of
/// [`PASSWORD`] (cost 5, the registry checks it on every request), made once with
/// `htpasswd -nbB -C 5 fm-test fm-test-password` (apache2-utils) or Python's
/// `crypt.crypt(PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32))`, so no machine
/// needs a bcrypt tool to run the test.
const USER: &str = "fm-test";
const PASSWORD: &str = "fm-test-password";
const HTPASSWD: &str = "fm-test:$2b$05$Ljtu2EIn0/8OYh62NBXrYuRPxqjAH35/SH3sojK5ZAbtFJg2WaMim\n";

/// A real registry on loopback, stopped on drop.
struct Registry {
    child: Child,
    addr: String,
    /// The basic-auth account it requires, if any.
    auth: Option<(&'static str, &'static str)>,
    dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn start() -> Option<Registry> {
        Registry::start_as(None)
    }

    /// One that answers only [`USER`]:[`PASSWORD`] (htpasswd basic auth, which docker-registry
    /// takes over plain HTTP).
    fn start_with_auth() -> Option<Registry> {
        Registry::start_as(Some((USER, PASSWORD)))
    }

    fn start_as(auth: Option<(&'static str, &'static str)>) -> Option<Registry> {
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
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("storage").display()
        );
        if auth.is_some() {
            fs::write(dir.path().join("htpasswd"), HTPASSWD).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: factorio-mocks-test\n    path: {}\n",
                dir.path().join("htpasswd").display()
            ));
        }
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
        Some(Registry { child, addr: format!("127.0.0.1:{port}"), auth, dir })
    }

    /// GET on the registry's API (with its account, if it has one): (status, body).
    fn get(&self, path: &str, accept: &str) -> (u16, String) {
        let script = "import sys, requests; r = requests.get(sys.argv[1], headers={'Accept': sys.argv[2]}, auth=tuple(sys.argv[3:5]) or None); print(r.status_code); print(r.text)";
        let mut cmd = Command::new(python());
        cmd.args(["-c", script, &format!("http://{}{path}", self.addr), accept]);
        if let Some((user, password)) = self.auth {
            cmd.args([user, password]);
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (status, body) = text.split_once('\n').unwrap_or(("0", ""));
        (status.trim().parse().unwrap_or(0), body.to_string())
    }
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_with(args, &[])
}

/// [`run`] with `env` set on top (`FACTORIO_MOCKS_REGISTRY_AUTH`, `DOCKER_CONFIG`).
fn run_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("FACTORIO_MOCKS_REGISTRY_AUTH")
        .env("DOCKER_CONFIG", "/nonexistent")
        .envs(env.iter().copied())
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
    // With an account: oras-py's basic backend, which takes it from ORAS_USER / ORAS_PASS.
    let script = "import os, sys, oras.provider; r = oras.provider.Registry(sys.argv[1], insecure=True, auth_backend='basic' if os.environ.get('ORAS_USER') else 'token'); r.pull(target=sys.argv[1] + '/' + sys.argv[2], outdir=sys.argv[3])";
    let mut cmd = Command::new(python());
    cmd.args(["-c", script, &reg.addr, target, s(into)]).env_remove("ORAS_USER").env_remove("ORAS_PASS");
    if let Some((user, password)) = reg.auth {
        cmd.env("ORAS_USER", user).env("ORAS_PASS", password);
    }
    let out = cmd.output().unwrap();
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

/// Issue 16: a registry that requires credentials (basic auth from an htpasswd file). None, a
/// wrong password, a token it does not know or a Docker login with a wrong password fail
/// saying what to set, before anything is written; the right ones, from
/// FACTORIO_MOCKS_REGISTRY_AUTH or a Docker login, push what oras and our fetch pull back. No
/// password reaches the output.
#[test]
fn a_registry_that_requires_credentials_takes_a_push_only_with_them() {
    use base64::Engine;
    let Some(reg) = Registry::start_with_auth() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    built_dataset(&ds);
    let target = format!("oci://{}/datasets/private:1", reg.addr);
    let push_args = ["dataset", "push", s(&ds), &target];
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    // A Docker config as `docker login` writes it.
    let docker_login = |name: &str, password: &str| {
        let dir = tmp.path().join(name);
        fs::create_dir_all(&dir).unwrap();
        let auth = b64(&format!("{USER}:{password}"));
        fs::write(dir.join("config.json"), format!(r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#, reg.addr))
            .unwrap();
        dir.to_str().unwrap().to_string()
    };
    let leaked = |secret: &str, out: &str| {
        [secret.to_string(), b64(&format!("{USER}:{secret}"))].into_iter().find(|s| out.contains(s.as_str()))
    };
    let storage = reg.dir.path().join("storage/docker/registry/v2");

    const WRONG: &str = "wrong-password-7";
    let wrong_auth = format!("{USER}:{WRONG}");
    let wrong_login = docker_login("docker-wrong", WRONG);
    let refused: [(&str, Vec<(&str, &str)>, &str); 4] = [
        ("no credentials", vec![], PASSWORD),
        ("a wrong password", vec![("FACTORIO_MOCKS_REGISTRY_AUTH", wrong_auth.as_str())], WRONG),
        ("a token it does not know", vec![("FACTORIO_MOCKS_REGISTRY_AUTH", "wrong-token-7")], "wrong-token-7"),
        ("a Docker login with a wrong password", vec![("DOCKER_CONFIG", wrong_login.as_str())], WRONG),
    ];
    for (what, env, secret) in &refused {
        let (code, stdout, stderr) = run_with(&push_args, env);
        assert_eq!(code, 3, "{what}: {stdout}{stderr}");
        assert_eq!(stdout, "", "{what}: no reference is printed for a push that made none");
        assert!(
            stderr.contains("set FACTORIO_MOCKS_REGISTRY_AUTH=user:token")
                && stderr.contains("log in with docker")
                && stderr.contains("nothing was tagged"),
            "{what}: {stderr}"
        );
        assert!(stderr.contains(&format!("{}/datasets/private", reg.addr)), "{what}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{what}: one line, the fix beside the cause: {stderr}");
        if let Some(s) = leaked(secret, &format!("{stdout}{stderr}")) {
            panic!("{what}: the output holds the secret {s:?}: {stderr}");
        }
        // Nothing written: no tag, no repository, not even an upload or a blob.
        let (status, body) = reg.get("/v2/datasets/private/manifests/1", "application/vnd.oci.image.manifest.v1+json");
        assert_eq!(status, 404, "{what}: {body}");
        assert!(!storage.join("repositories").exists() && !storage.join("blobs").exists(), "{what}: written");
    }

    // The right password, from the environment: the push works and prints the reference.
    let right = format!("{USER}:{PASSWORD}");
    let (code, stdout, stderr) = run_with(&push_args, &[("FACTORIO_MOCKS_REGISTRY_AUTH", &right)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, format!("{target}\n"), "{stderr}");
    if let Some(s) = leaked(PASSWORD, &format!("{stdout}{stderr}")) {
        panic!("a push prints the secret {s:?}: {stdout}{stderr}");
    }
    let pulled = tmp.path().join("oras");
    oras_pull(&reg, "datasets/private:1", &pulled);
    assert_same_files(&pulled, &ds, "oras pull");

    // Our fetch pulls it back with the same credentials, and without them says what to set.
    let cache = tmp.path().join("cache");
    let fetch_args = ["fetch", &target, "--cache-dir", s(&cache), "--no-progress"];
    let (code, stdout, stderr) = run_with(&fetch_args, &[]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stderr.contains("FACTORIO_MOCKS_REGISTRY_AUTH"), "{stderr}");
    let (code, stdout, stderr) = run_with(&fetch_args, &[("FACTORIO_MOCKS_REGISTRY_AUTH", &right)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_same_files(Path::new(stdout.trim_end()), &ds, "fetch");
    assert!(leaked(PASSWORD, &format!("{stdout}{stderr}")).is_none(), "{stdout}{stderr}");

    // The right password from a Docker login works as well.
    let target2 = format!("oci://{}/datasets/private:2", reg.addr);
    let login = docker_login("docker-right", PASSWORD);
    let (code, stdout, stderr) = run_with(&["dataset", "push", s(&ds), &target2], &[("DOCKER_CONFIG", &login)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, format!("{target2}\n"), "{stderr}");
    assert!(leaked(PASSWORD, &format!("{stdout}{stderr}")).is_none(), "{stdout}{stderr}");
    let (status, body) = reg.get("/v2/datasets/private/manifests/2", "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(status, 200, "{body}");
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
