//! Fetching against real peers on loopback: Debian's `docker-registry` with artifacts pushed by
//! the independent `oras` Python client, and `python3 -m http.server` as a Git host. Tests
//! whose peer is missing print why and pass (so `cargo test` works on a clean clone);
//! `.ci/run` installs the peers (scripts/ensure-oras.sh the `oras` client, in build/venv).

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use factorio_mocks::source::{Adler32, ErrorKind, FetchOptions, fetch, fetch_cached};

const DATASET: &str = "application/vnd.factorio-mocks.dataset.v1";
const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

/// The Python that has `oras`: `FM_TEST_PYTHON` (printed by scripts/ensure-oras.sh), else
/// the project's build/venv, else `python3` from PATH.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("FM_TEST_PYTHON").filter(|p| !p.is_empty()) {
        return p.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("build/venv/bin/python");
    if venv.exists() { venv } else { "python3".into() }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(port: u16) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A real registry on loopback, stopped on drop.
struct Registry {
    child: Child,
    addr: String,
    log: PathBuf,
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
        if Command::new(python()).args(["-c", "import oras, requests"]).status().map(|s| !s.success()).unwrap_or(true) {
            eprintln!(
                "SKIPPED: the Python `oras` client is missing (scripts/ensure-oras.sh installs it into build/venv)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("storage").display()
        );
        fs::write(dir.path().join("config.yml"), config).unwrap();
        let log = dir.path().join("access.log");
        let child = Command::new(REGISTRY_BIN)
            .args(["serve", "config.yml"])
            .current_dir(dir.path())
            .stdout(fs::File::create(&log).unwrap())
            .stderr(fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let reg = Registry { child, addr: format!("127.0.0.1:{port}"), log, _dir: dir };
        assert!(wait_for(port), "docker-registry did not start");
        Some(reg)
    }

    /// Pushes `names` under `folder` with oras; returns (digest, size).
    fn push(
        &self,
        target: &str,
        artifact_type: &str,
        folder: &Path,
        names: &[&str],
        subject: Option<(&str, u64)>,
    ) -> (String, u64) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oras_push.py");
        let mut cmd = Command::new(python());
        cmd.arg(script).args([&self.addr, target, artifact_type]).arg(folder).args(names);
        if let Some((d, s)) = subject {
            cmd.args(["--subject", d, &s.to_string()]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "oras push failed: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let mut parts = text.split_whitespace();
        (parts.next().unwrap().to_string(), parts.next().unwrap().parse().unwrap())
    }

    /// Blob downloads the registry served so far.
    fn blob_gets(&self, repo: &str) -> usize {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        log.lines().filter(|l| l.contains(&format!("\"GET /v2/{repo}/blobs/sha256:")) && l.contains("\" 200 ")).count()
    }
}

/// A small dataset in the generator's layout, with adler32 checksums; `filler` bytes of
/// poorly compressible data make downloads take measurable time.
fn make_dataset(dir: &Path, tag: &str, filler: usize) {
    let files: Vec<(String, Vec<u8>)> = vec![
        ("prototype/data-raw/init.lua".into(), b"return { [\"item\"] = require(\"___GENERATED__FACTORIO__DATA___.prototype.data-raw.item\") }\n".to_vec()),
        ("prototype/data-raw/item.lua".into(), format!("return {{ [\"iron-plate\"] = {{ type = \"item\", name = \"iron-plate\", stack_size = 100, tag = \"{tag}\" }} }}\n").into_bytes()),
        ("prototype/filler.bin".into(), {
            let mut x: u32 = 12345;
            (0..filler).map(|_| { x = x.wrapping_mul(1_103_515_245).wrapping_add(12345); (x >> 16) as u8 }).collect()
        }),
        ("runtime/settings.lua".into(), b"return {}\n".to_vec()),
        ("locale/en.cfg".into(), b"[item-name]\niron-plate=Iron plate\n".to_vec()),
    ];
    let mut sums = String::new();
    for (path, bytes) in &files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes).unwrap();
        let mut a = Adler32::default();
        a.update(bytes);
        sums.push_str(&format!("    [\"{path}\"] = \"{:08x}\",\n", a.finish()));
    }
    fs::write(dir.join("metadata.lua"), format!("return {{\n  factorio_version = \"2.0.77\",\n  hash_algorithm = \"adler32\",\n  checksums = {{\n{sums}  }}\n}}\n")).unwrap();
}

const LAYERS: &[&str] = &["prototype", "runtime", "locale", "metadata.lua"];

fn opts(cache: &Path) -> FetchOptions {
    FetchOptions { cache_dir: Some(cache.into()), progress: Some(false), ..Default::default() }
}

#[test]
fn pulls_a_dataset_pushed_by_oras_by_tag_and_digest() {
    let Some(reg) = Registry::start() else { return };
    let data = tempfile::tempdir().unwrap();
    make_dataset(data.path(), "v1", 0);
    let (digest, _) = reg.push("datasets/vanilla:2.0.77", DATASET, data.path(), LAYERS, None);
    let cache = tempfile::tempdir().unwrap();

    let t = Instant::now();
    let got = fetch(&format!("oci://{}/datasets/vanilla:2.0.77", reg.addr), &opts(cache.path())).unwrap();
    let cold = t.elapsed();
    assert_eq!(got.digest.as_deref(), Some(digest.as_str()));
    assert_eq!(got.source, format!("oci://{}/datasets/vanilla", reg.addr));
    assert_eq!(fs::read_to_string(got.dir.join("locale/en.cfg")).unwrap(), "[item-name]\niron-plate=Iron plate\n");
    assert!(got.dir.join("prototype/data-raw/item.lua").is_file() && got.dir.join("metadata.lua").is_file());
    assert!(got.subject.is_none());

    let t = Instant::now();
    let warm = fetch(&format!("oci://{}/datasets/vanilla:2.0.77", reg.addr), &opts(cache.path())).unwrap();
    let warm_time = t.elapsed();
    assert_eq!(warm.dir, got.dir);
    let pinned = fetch(&format!("oci://{}/datasets/vanilla@{digest}", reg.addr), &opts(cache.path())).unwrap();
    assert_eq!(pinned.dir, got.dir);
    eprintln!("FIGURE: cold fetch {cold:?}, warm fetch {warm_time:?}");
    assert_eq!(reg.blob_gets("datasets/vanilla"), 4, "one download per layer");

    // Offline afterwards: the pin and the (still fresh) tag are served from the cache.
    let offline = FetchOptions { offline: Some(true), ..opts(cache.path()) };
    assert_eq!(fetch(&format!("oci://{}/datasets/vanilla@{digest}", reg.addr), &offline).unwrap().dir, got.dir);

    // A missing tag is a clear error naming the reference.
    let e = fetch(&format!("oci://{}/datasets/vanilla:nope", reg.addr), &opts(cache.path())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.to_string().contains("vanilla:nope"), "{e}");
}

#[test]
fn stale_tags_are_re_resolved_online_and_served_with_a_warning_offline() {
    let Some(reg) = Registry::start() else { return };
    let data = tempfile::tempdir().unwrap();
    make_dataset(data.path(), "v1", 0);
    reg.push("datasets/moving:stable", DATASET, data.path(), LAYERS, None);
    let cache = tempfile::tempdir().unwrap();
    let zero_ttl = FetchOptions { ttl: Some(Duration::ZERO), ..opts(cache.path()) };
    let reference = format!("oci://{}/datasets/moving:stable", reg.addr);
    let first = fetch(&reference, &zero_ttl).unwrap();

    let data2 = tempfile::tempdir().unwrap();
    make_dataset(data2.path(), "v2", 0);
    let (d2, _) = reg.push("datasets/moving:stable", DATASET, data2.path(), LAYERS, None);
    let second = fetch(&reference, &zero_ttl).unwrap();
    assert_eq!(second.digest.as_deref(), Some(d2.as_str()));
    assert_ne!(first.dir, second.dir);
    assert!(fs::read_to_string(second.dir.join("prototype/data-raw/item.lua")).unwrap().contains("v2"));

    let offline = FetchOptions { offline: Some(true), ..zero_ttl.clone() };
    let stale = fetch(&reference, &offline).unwrap();
    assert_eq!(stale.dir, second.dir);
    assert!(stale.warnings.iter().any(|w| w.contains("outdated")), "{:?}", stale.warnings);
    // With a long TTL the tag is fresh and no request is made even online.
    let gets = reg.blob_gets("datasets/moving");
    let fresh =
        fetch(&reference, &FetchOptions { ttl: Some(Duration::from_secs(3600)), ..opts(cache.path()) }).unwrap();
    assert!(fresh.warnings.is_empty());
    assert_eq!(reg.blob_gets("datasets/moving"), gets);
}

/// The module's warm path (no network stack): what the cache alone serves is what `fetch` serves,
/// and anything stale, missing or damaged is left to the network.
#[test]
fn the_cache_alone_serves_fresh_answers_and_nothing_else() {
    let Some(reg) = Registry::start() else { return };
    let modpack = tempfile::tempdir().unwrap();
    fs::write(modpack.path().join("mod-list.json"), r#"{"mods":[{"name":"base","enabled":true}]}"#).unwrap();
    let (mp_digest, mp_size) = reg.push(
        "warm/vanilla:modpack",
        "application/vnd.factorio-mocks.modpack.v1",
        modpack.path(),
        &["mod-list.json"],
        None,
    );
    let data = tempfile::tempdir().unwrap();
    make_dataset(data.path(), "warm", 0);
    let (digest, _) = reg.push("warm/vanilla:stable", DATASET, data.path(), LAYERS, Some((&mp_digest, mp_size)));
    let cache = tempfile::tempdir().unwrap();
    let o = opts(cache.path());
    let tag = format!("oci://{}/warm/vanilla:stable", reg.addr);
    assert_eq!(fetch_cached(&tag, &o), None, "nothing cached yet");

    let got = fetch(&tag, &o).unwrap();
    assert_eq!(fetch_cached(&tag, &o).as_ref(), Some(&got));
    let pinned = format!("oci://{}/warm/vanilla@{digest}", reg.addr);
    assert_eq!(fetch_cached(&pinned, &o), Some(fetch(&pinned, &o).unwrap()));
    // A modpack name whose first source is this repository, and an artifact found through its
    // referrers: the same answers as the full fetch, subject and source included.
    let named = FetchOptions { sources: Some(vec![format!("oci://{}/warm", reg.addr)]), ..o.clone() };
    assert_eq!(fetch_cached("vanilla", &named), Some(fetch("vanilla", &named).unwrap()));
    let via = format!("oci://{}/warm/vanilla:modpack", reg.addr);
    assert_eq!(fetch_cached(&via, &o), None, "the referrers answer is not cached yet");
    let full = fetch(&via, &o).unwrap();
    assert_eq!(full.subject.as_ref().map(|s| s.digest.as_str()), Some(mp_digest.as_str()));
    assert_eq!(fetch_cached(&via, &o), Some(full));

    // Stale tags, Git hosts and damaged folders are the full fetch's to decide.
    // (A resolution's TTL is the one of the fetch that stored it, as for the full fetch.)
    reg.push("warm/vanilla:moving", DATASET, data.path(), LAYERS, None);
    let moving = format!("oci://{}/warm/vanilla:moving", reg.addr);
    fetch(&moving, &FetchOptions { ttl: Some(Duration::ZERO), ..o.clone() }).unwrap();
    assert_eq!(fetch_cached(&moving, &o), None, "a stale tag");
    assert_eq!(fetch_cached(&pinned, &o).map(|f| f.dir), Some(got.dir.clone()), "a pin never goes stale");
    assert_eq!(fetch_cached("http://127.0.0.1:9/d", &o), None);
    let file = got.dir.join("locale/en.cfg");
    fs::write(&file, "[item-name]\niron-plate=Iron plat\n").unwrap();
    assert_eq!(fetch_cached(&pinned, &o), None, "a damaged dataset folder is not served");
    assert_eq!(fetch(&pinned, &o).unwrap().dir, got.dir);
    assert!(fetch_cached(&pinned, &o).is_some(), "repaired by the full fetch");
}

#[test]
fn a_modpack_artifact_leads_to_its_dataset_through_the_referrers_tag_fallback() {
    let Some(reg) = Registry::start() else { return };
    let modpack = tempfile::tempdir().unwrap();
    fs::write(modpack.path().join("mod-list.json"), r#"{"mods":[{"name":"base","enabled":true}]}"#).unwrap();
    let (mp_digest, mp_size) = reg.push(
        "datasets/space-age:modpack",
        "application/vnd.factorio-mocks.modpack.v1",
        modpack.path(),
        &["mod-list.json"],
        None,
    );
    let data = tempfile::tempdir().unwrap();
    make_dataset(data.path(), "sa", 0);
    let (ds_digest, _) =
        reg.push("datasets/space-age:2.0.77", DATASET, data.path(), LAYERS, Some((&mp_digest, mp_size)));
    let cache = tempfile::tempdir().unwrap();

    // The dataset names its subject.
    let ds = fetch(&format!("oci://{}/datasets/space-age:2.0.77", reg.addr), &opts(cache.path())).unwrap();
    assert_eq!(ds.subject.as_ref().map(|s| s.digest.as_str()), Some(mp_digest.as_str()));
    // The modpack artifact finds the dataset referring to it (docker-registry 2.8 has no
    // referrers API, so this goes through the `sha256-<hex>` tag).
    let via = fetch(&format!("oci://{}/datasets/space-age:modpack", reg.addr), &opts(cache.path())).unwrap();
    assert_eq!(via.digest.as_deref(), Some(ds_digest.as_str()));
    assert_eq!(via.dir, ds.dir);
    let subject = via.subject.unwrap();
    assert_eq!(subject.digest, mp_digest);
    assert_eq!(subject.reference, format!("oci://{}/datasets/space-age@{mp_digest}", reg.addr));
}

#[test]
fn flipped_bytes_are_detected_refetched_online_and_refused_offline() {
    let Some(reg) = Registry::start() else { return };
    let data = tempfile::tempdir().unwrap();
    make_dataset(data.path(), "v1", 0);
    let (digest, _) = reg.push("datasets/flip:1", DATASET, data.path(), LAYERS, None);
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("oci://{}/datasets/flip@{digest}", reg.addr);
    let got = fetch(&reference, &opts(cache.path())).unwrap();
    let file = got.dir.join("locale/en.cfg");
    let flip = |p: &Path| {
        let mut b = fs::read(p).unwrap();
        b[3] ^= 0x20;
        fs::write(p, b).unwrap();
    };

    // A damaged dataset file with intact blobs: rebuilt from the cached blobs, even offline.
    flip(&file);
    let offline = FetchOptions { offline: Some(true), ..opts(cache.path()) };
    let again = fetch(&reference, &offline).unwrap();
    assert!(again.warnings.iter().any(|w| w.contains("damaged")), "{:?}", again.warnings);
    assert_eq!(fs::read_to_string(again.dir.join("locale/en.cfg")).unwrap(), "[item-name]\niron-plate=Iron plate\n");

    // Damaged blobs too: offline is a clear error, online refetches.
    let blobs: Vec<PathBuf> = walk(&cache.path().join("downloads"))
        .into_iter()
        .filter(|p| {
            p.is_file()
                && fs::metadata(p).unwrap().len() > 20
                && !p.file_name().unwrap().to_string_lossy().contains('.')
        })
        .collect();
    assert!(!blobs.is_empty());
    for b in &blobs {
        flip(b);
    }
    flip(&again.dir.join("locale/en.cfg"));
    let e = fetch(&reference, &offline).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Integrity, "{e}");
    assert!(e.to_string().contains("online"), "{e}");
    let online = fetch(&reference, &opts(cache.path())).unwrap();
    assert_eq!(fs::read_to_string(online.dir.join("locale/en.cfg")).unwrap(), "[item-name]\niron-plate=Iron plate\n");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() && !e.file_name().to_string_lossy().contains(".tmp-") {
            if e.file_name().len() == 2 {
                out.extend(walk(&p));
            } else {
                continue;
            }
        } else {
            out.push(p);
        }
    }
    out
}

/// Child mode for the process tests: fetch `FM_CHILD_REF` into `FM_CHILD_CACHE`, print the
/// folder and a digest of its content. Does nothing when run as an ordinary test.
#[test]
fn child_fetch() {
    let (Ok(reference), Ok(cache)) = (std::env::var("FM_CHILD_REF"), std::env::var("FM_CHILD_CACHE")) else { return };
    let got = fetch(&reference, &FetchOptions { verify: true, ..opts(Path::new(&cache)) }).unwrap();
    let mut files: Vec<_> = walk_all(&got.dir);
    files.sort();
    let mut all = Vec::new();
    for f in files.iter().filter(|f| !f.ends_with(".factorio-mocks-files")) {
        all.extend(fs::read(f).unwrap());
    }
    println!("CHILD-RESULT {} {}", got.dir.display(), factorio_mocks::source::sha256_digest(&all));
}

fn walk_all(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() { out.extend(walk_all(&e.path())) } else { out.push(e.path()) }
    }
    out
}

fn child(reference: &str, cache: &Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_fetch", "--nocapture", "--test-threads=1"])
        .env("FM_CHILD_REF", reference)
        .env("FM_CHILD_CACHE", cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn child_result(out: &std::process::Output) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find_map(|l| l.split_once("CHILD-RESULT ").map(|(_, r)| r))?;
    let mut p = line.split_whitespace();
    Some((p.next()?.to_string(), p.next()?.to_string()))
}

#[test]
fn sixteen_cold_processes_download_once() {
    let Some(reg) = Registry::start() else { return };
    let data = tempfile::tempdir().unwrap();
    make_dataset(data.path(), "v1", 2 << 20);
    reg.push("datasets/crowd:1", DATASET, data.path(), LAYERS, None);
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("oci://{}/datasets/crowd:1", reg.addr);
    let t = Instant::now();
    let children: Vec<_> = (0..16).map(|_| child(&reference, cache.path()).spawn().unwrap()).collect();
    let results: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let elapsed = t.elapsed();
    let loads: Vec<_> = results
        .iter()
        .map(|o| {
            child_result(o).unwrap_or_else(|| {
                panic!("child failed: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
            })
        })
        .collect();
    assert!(loads.windows(2).all(|w| w[0] == w[1]), "16 identical loads: {loads:?}");
    assert_eq!(reg.blob_gets("datasets/crowd"), 4, "exactly one download of each of the 4 layers");
    let temps = walk(&cache.path().join("downloads"))
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".tmp-"))
        .count();
    assert_eq!(temps, 0, "no leftover temporary entries");
    eprintln!("FIGURE: 16 cold processes on one dataset: {elapsed:?}, 4 blob downloads, 16 identical loads");
}

#[test]
fn downloads_killed_at_random_points_never_leave_partial_data() {
    let Some(reg) = Registry::start() else { return };
    let data = tempfile::tempdir().unwrap();
    make_dataset(data.path(), "v1", 6 << 20);
    reg.push("datasets/killed:1", DATASET, data.path(), LAYERS, None);
    let reference = format!("oci://{}/datasets/killed:1", reg.addr);
    // A full cold run's length: kills are spread over it.
    let t = Instant::now();
    let reference_data = {
        let cache = tempfile::tempdir().unwrap();
        child_result(&child(&reference, cache.path()).output().unwrap()).unwrap().1
    };
    let full = t.elapsed().as_millis().max(1) as u64;
    let cache = tempfile::tempdir().unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    // Every run starts cold, so every kill lands in a fetch; runs go on until 20 of them were
    // killed before they finished (a kill late in the spread may find the run done).
    let (mut killed_mid_way, mut runs, mut left_temporaries) = (0, 0, 0);
    while killed_mid_way < 20 && runs < 80 {
        runs += 1;
        let _ = fs::remove_dir_all(cache.path());
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(seed % full);
        let mut c = child(&reference, cache.path()).spawn().unwrap();
        std::thread::sleep(delay);
        if c.try_wait().unwrap().is_none() {
            killed_mid_way += 1;
        }
        let _ = c.kill();
        let _ = c.wait();
        // A kill during a download or an unpack leaves its temporary behind for the next run.
        let inside = |p: &PathBuf| p.strip_prefix(cache.path()).unwrap().to_string_lossy().into_owned();
        if cache.path().exists() && walk_all(cache.path()).iter().any(|p| inside(p).contains(".tmp-")) {
            left_temporaries += 1;
        }
        let out = child(&reference, cache.path()).output().unwrap();
        let (_, content) = child_result(&out).unwrap_or_else(|| {
            panic!("run {runs} after a kill at {delay:?}: {}", String::from_utf8_lossy(&out.stderr))
        });
        assert_eq!(content, reference_data, "run {runs}: the recovered dataset differs");
    }
    assert!(killed_mid_way >= 20, "only {killed_mid_way} of {runs} runs were still fetching when killed");
    eprintln!(
        "FIGURE: {killed_mid_way} cold fetches killed before finishing, at random points (0-{full} ms), in {runs} runs ({left_temporaries} mid-download or mid-unpack, leaving a temporary); every next run recovered the same dataset"
    );
}

/// `python3 -m http.server` serving `dir` on loopback.
struct HttpServer(Child, u16);

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_server(dir: &Path) -> Option<HttpServer> {
    let port = free_port();
    let child = Command::new("python3")
        .args(["-m", "http.server", "--bind", "127.0.0.1", &port.to_string()])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(child) = child else {
        eprintln!("SKIPPED: python3 is missing");
        return None;
    };
    let server = HttpServer(child, port);
    if !wait_for(port) {
        eprintln!("SKIPPED: python3 -m http.server did not start");
        return None;
    }
    Some(server)
}

#[test]
fn git_host_files_are_fetched_and_checked_against_the_metadata() {
    let site = tempfile::tempdir().unwrap();
    make_dataset(&site.path().join("vanilla"), "git", 0);
    let Some(server) = http_server(site.path()) else { return };
    let cache = tempfile::tempdir().unwrap();
    let base = format!("http://127.0.0.1:{}/vanilla", server.1);
    let got = fetch(&base, &opts(cache.path())).unwrap();
    assert_eq!(got.source, base);
    assert!(fs::read_to_string(got.dir.join("prototype/data-raw/item.lua")).unwrap().contains("git"));
    let again = fetch(&format!("{base}/"), &opts(cache.path())).unwrap();
    assert_eq!(again.dir, got.dir);

    // A file that no longer matches the metadata is refused, in a fresh cache.
    fs::write(site.path().join("vanilla/locale/en.cfg"), "[item-name]\niron-plate=Tampered\n").unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let e = fetch(&base, &opts(fresh.path())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Integrity, "{e}");
    assert!(e.to_string().contains("locale/en.cfg"), "{e}");
    // A missing dataset says what the URL must be.
    let e = fetch(&format!("http://127.0.0.1:{}/nothing", server.1), &opts(fresh.path())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

#[test]
fn modpack_names_fall_back_through_the_sources_and_say_which_served() {
    let site = tempfile::tempdir().unwrap();
    make_dataset(&site.path().join("vanilla"), "git", 0);
    let Some(server) = http_server(site.path()) else { return };
    let cache = tempfile::tempdir().unwrap();
    let dead = format!("oci://127.0.0.1:{}/datasets", free_port());
    let git = format!("http://127.0.0.1:{}", server.1);
    let o = FetchOptions { sources: Some(vec![dead.clone(), git.clone()]), ..opts(cache.path()) };
    let got = fetch("vanilla", &o).unwrap();
    assert_eq!(got.source, git);
    assert!(got.warnings.iter().any(|w| w.contains("served by") && w.contains(&git)), "{:?}", got.warnings);

    // Every source down: the cache serves what it had, with a warning.
    drop(server);
    let later = fetch("vanilla", &FetchOptions { ttl: Some(Duration::ZERO), ..o.clone() }).unwrap();
    assert_eq!(later.dir, got.dir);
    assert!(!later.warnings.is_empty());
}

// Credentials (the bearer challenge, refused and accepted) are covered in tests/fetch_failures.rs,
// in child processes, so no test here changes the environment under the others.
