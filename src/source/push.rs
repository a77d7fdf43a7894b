//! Publishing a dataset folder to an OCI registry, in the ORAS layout the pull side reads
//! (DESIGN.md "OCI (ORAS) artifacts"), with `oci-client`'s push calls.
//!
//! * one tar+gzip layer per top-level folder (`prototype`, `runtime`, `locale`, `lua`, then any
//!   other, by name), titled by the folder (`org.opencontainers.image.title`) and marked
//!   `io.deis.oras.content.unpack = "true"`; its entries start with the folder's name, as the
//!   ORAS CLI packs them. Archives are deterministic (sorted, no times, no owners), so pushing
//!   the same folder again uploads nothing new;
//! * each top-level file (`metadata.json` / `metadata.lua` last) a plain layer titled by its name;
//! * artifact type [`DATASET_ARTIFACT_TYPE`], the OCI empty descriptor as config, the push time
//!   as `org.opencontainers.image.created` (the pull side picks the newest referrer by it);
//! * tags: the one given, else `<factorio-version>` and `<factorio-version>-<yyyy.mm.dd>` (UTC)
//!   from the metadata's `factorio_version`;
//! * `subject`: the modpack artifact it came from, a digest reference in the same repository.
//!   The registry's referrers API lists it when the registry has one; on registries without it
//!   (Debian's docker-registry, ghcr.io) the `sha256-<hex>` tag index of the referrers tag schema
//!   is updated, as the ORAS CLI does.
//!
//! Blobs go first, the manifest last: a push that fails part-way leaves only unreferenced
//! blobs (invisible, and collected by the registry), never a tag pointing at half a dataset.
//! Credentials are the pull side's (`FACTORIO_MOCKS_REGISTRY_AUTH`, else the Docker config's)
//! and never appear in an error.

use std::fs;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use serde_json::{Value, json};

use super::digest::sha256_digest;
use super::oci::credentials;
use super::oci_ref::OciRef;
use super::valid_tag;
use super::{DATASET_ARTIFACT_TYPE, DEFAULT_TIMEOUT, Error, ErrorKind, Secrets};

const TITLE: &str = "org.opencontainers.image.title";
const UNPACK: &str = "io.deis.oras.content.unpack";
const CREATED: &str = "org.opencontainers.image.created";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// The OCI empty descriptor: the two bytes `{}`.
const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const EMPTY_DIGEST: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
/// Folders in the order DESIGN.md lists them; others follow by name.
const FOLDERS: &[&str] = &["prototype", "runtime", "locale", "lua"];

/// How to push.
#[derive(Clone, Debug, Default)]
pub struct PushOptions {
    /// `oci://host/repo@sha256:…`: the artifact this dataset was made from.
    pub subject: Option<String>,
    /// Plain HTTP to a registry that is not on loopback (also `FACTORIO_MOCKS_ALLOW_HTTP=1`).
    pub allow_http: bool,
    /// How long the registry may stay silent; default [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
    /// The push time (seconds since 1970), for tests; default now.
    pub now: Option<u64>,
}

/// What a push made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// `oci://host/repo@sha256:…` of the manifest.
    pub pinned: String,
    /// The manifest digest.
    pub digest: String,
    /// `oci://host/repo:tag` for every tag set.
    pub references: Vec<String>,
    /// Number of layers.
    pub layers: usize,
    /// Bytes of all layers (compressed).
    pub bytes: u64,
    /// The subject's pinned reference, when one was given.
    pub subject: Option<String>,
}

/// A layer ready to upload.
#[derive(Debug)]
struct Blob {
    title: String,
    media_type: &'static str,
    unpack: bool,
    data: Vec<u8>,
    digest: String,
}

/// Pushes the dataset folder `dir` to `target` (`oci://host/repo` or `oci://host/repo:tag`).
/// The error's `reference` is the target and its `message` says what failed and what to do
/// (its Display reads "fetching …", so say "pushing {reference}: {message}" instead).
pub fn push(dir: &Path, target: &str, opts: &PushOptions) -> Result<Pushed, Error> {
    let invalid = |m: String| Error::new(target, target, ErrorKind::Invalid, m);
    let rest = target
        .strip_prefix("oci://")
        .ok_or_else(|| invalid("expected oci://host/repository or oci://host/repository:tag".into()))?;
    if super::has_credentials(target) {
        return Err(invalid("credentials do not belong in the reference (user-info, a token in a query or fragment); set FACTORIO_MOCKS_REGISTRY_AUTH=user:token or log in with docker".into()));
    }
    let (repo_part, tag) = split_tag(rest);
    if rest.contains('@') {
        return Err(invalid(
            "a push names a repository and optionally a tag, not a digest (the digest is what the push makes)".into(),
        ));
    }
    // OciRef's own checks (credentials, host, repository), with a stand-in tag when none is given.
    let r = OciRef::parse(&format!("{repo_part}:{}", tag.unwrap_or("x"))).map_err(invalid)?;
    let blobs = layers(dir).map_err(|m| Error::new(target, &dir.display().to_string(), ErrorKind::Io, m))?;
    let tags: Vec<String> = match tag {
        Some(t) => vec![t.to_string()],
        None => {
            let version = factorio_version(dir).ok_or_else(|| {
                invalid(format!(
                    "{}: its metadata has no factorio_version to tag by; give a tag (oci://…/repo:tag)",
                    dir.display()
                ))
            })?;
            let date = utc_date(opts.now.unwrap_or_else(now));
            let tags = vec![version.clone(), format!("{version}-{}", date.replace('-', "."))];
            if let Some(bad) = tags.iter().find(|t| !valid_tag(t)) {
                return Err(invalid(format!(
                    "factorio_version {version:?} makes the tag {bad:?}, which is not a valid OCI tag; give a tag"
                )));
            }
            tags
        }
    };
    let subject = match &opts.subject {
        None => None,
        Some(s) => {
            let bad = |m: String| Error::new(s, s, ErrorKind::Invalid, format!("--subject: {m}"));
            let sr = OciRef::parse(
                s.strip_prefix("oci://").ok_or_else(|| bad("expected oci://host/repository@sha256:…".into()))?,
            )
            .map_err(bad)?;
            if sr.digest.is_none() {
                return Err(bad("must be pinned by digest (oci://host/repository@sha256:…): a tag may move".into()));
            }
            if sr.registry != r.registry || sr.repository != r.repository {
                return Err(bad(format!(
                    "{} is in another repository than {}; the referrers of an artifact live in its own repository, so push the dataset there",
                    sr.repo_display(),
                    r.repo_display()
                )));
            }
            Some(sr)
        }
    };
    let mut session = Session::new(&r, target, opts)?;
    session.run(&blobs, &tags, subject.as_ref(), opts.now.unwrap_or_else(now))
}

/// `host/repo:tag` → (`host/repo`, tag): a tag follows the last `:` after the last `/`.
fn split_tag(rest: &str) -> (&str, Option<&str>) {
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    }
}

/// The metadata's `factorio_version` (metadata.json, else a `factorio_version = "…"` line of
/// metadata.lua).
fn factorio_version(dir: &Path) -> Option<String> {
    let json = dir.join("metadata.json");
    if let Ok(bytes) = fs::read(&json) {
        return crate::dataset::Metadata::from_json(&json, &bytes).ok()?.factorio_version;
    }
    let lua = fs::read_to_string(dir.join("metadata.lua")).ok()?;
    let at = lua.find("factorio_version")?;
    let rest = &lua[at..];
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    Some(rest[start..end].to_string())
}

/// The dataset's layers: its folders as tar+gzip, its files plain, metadata last.
fn layers(dir: &Path) -> Result<Vec<Blob>, String> {
    let mut folders = Vec::new();
    let mut files = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}; give a dataset folder", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            folders.push(name);
        } else if path.is_file() {
            files.push(name);
        }
    }
    if !files.iter().any(|f| f == "metadata.json" || f == "metadata.lua") {
        return Err(format!(
            "{}: no metadata.json or metadata.lua; not a dataset folder (factorio-mocks dataset build writes one)",
            dir.display()
        ));
    }
    let rank = |n: &String| FOLDERS.iter().position(|f| f == n).unwrap_or(FOLDERS.len());
    folders.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    files.sort_by_key(|n| (n.starts_with("metadata."), n.clone()));
    let mut out = Vec::new();
    for name in folders {
        let data = tar_gz(dir, &name)?;
        out.push(Blob { digest: sha256_digest(&data), title: name, media_type: TAR_GZIP, unpack: true, data });
    }
    for name in files {
        let data = fs::read(dir.join(&name)).map_err(|e| format!("{}: {e}", dir.join(&name).display()))?;
        out.push(Blob { digest: sha256_digest(&data), title: name, media_type: TAR, unpack: false, data });
    }
    Ok(out)
}

/// `dir/name` as a deterministic tar+gzip whose entries start with `name/`.
fn tar_gz(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    let mut files = Vec::new();
    collect(&dir.join(name), name, &mut files)?;
    files.sort();
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (rel, path) in &files {
        let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, rel, bytes.as_slice()).map_err(|e| format!("packing {rel}: {e}"))?;
    }
    let gz = tar.into_inner().map_err(|e| format!("packing {name}: {e}"))?;
    gz.finish().map_err(|e| format!("packing {name}: {e}"))
}

/// Every regular file under `path` as (`prefix/relative`, path); links to files are followed,
/// links out of the folder refused.
fn collect(path: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    for entry in fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let p = entry.path();
        let rel = format!("{prefix}/{name}");
        let kind = entry.file_type().map_err(|e| format!("{}: {e}", p.display()))?;
        if kind.is_symlink() {
            return Err(format!("{}: a symbolic link; a dataset holds plain files (copy the target in)", p.display()));
        }
        if kind.is_dir() {
            collect(&p, &rel, out)?;
        } else if kind.is_file() {
            out.push((rel, p));
        }
    }
    Ok(())
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `yyyy-mm-dd` of a Unix time, UTC (the civil-from-days algorithm of H. Hinnant).
fn utc_date(secs: u64) -> String {
    let (y, m, d) = civil(secs / 86400);
    format!("{y:04}-{m:02}-{d:02}")
}

fn civil(days: u64) -> (i64, u32, u32) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn rfc3339(secs: u64) -> String {
    let s = secs % 86400;
    format!("{}T{:02}:{:02}:{:02}Z", utc_date(secs), s / 3600, s / 60 % 60, s % 60)
}

struct Session<'a> {
    r: &'a OciRef,
    target: &'a str,
    rt: tokio::runtime::Runtime,
    client: oci_client::Client,
    auth: RegistryAuth,
}

type OciResult<T> = Result<T, oci_client::errors::OciDistributionError>;

impl<'a> Session<'a> {
    fn new(r: &'a OciRef, target: &'a str, opts: &PushOptions) -> Result<Session<'a>, Error> {
        super::install_crypto();
        let env_http = std::env::var("FACTORIO_MOCKS_ALLOW_HTTP")
            .is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "no" | "off"));
        let plain = opts.allow_http || env_http || super::is_loopback(&r.registry);
        let timeout = opts.timeout.filter(|t| !t.is_zero()).unwrap_or(DEFAULT_TIMEOUT);
        let config = ClientConfig {
            protocol: if plain { ClientProtocol::HttpsExcept(vec![r.registry.clone()]) } else { ClientProtocol::Https },
            connect_timeout: Some(timeout),
            read_timeout: Some(timeout),
            ..Default::default()
        };
        let err = |m: String| Error::new(target, &r.repo_display(), ErrorKind::Network, m);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| err(format!("cannot start the network runtime: {e}")))?;
        let client = catch(|| oci_client::Client::try_from(config))
            .map_err(err)?
            .map_err(|e| err(format!("cannot set up the registry client: {}", super::error_text(&e))))?;
        let auth = credentials(&r.registry);
        rt.block_on(client.store_auth_if_needed(&r.registry, &auth));
        Ok(Session { r, target, rt, client, auth })
    }

    fn reference(&self, tag_or_digest: &str) -> oci_client::Reference {
        if tag_or_digest.starts_with("sha256:") {
            oci_client::Reference::with_digest(
                self.r.registry.clone(),
                self.r.repository.clone(),
                tag_or_digest.to_string(),
            )
        } else {
            oci_client::Reference::with_tag(
                self.r.registry.clone(),
                self.r.repository.clone(),
                tag_or_digest.to_string(),
            )
        }
    }

    /// Runs one registry call; a panic inside the client becomes an error.
    fn call<T>(&self, what: &str, f: impl AsyncFnOnce(&oci_client::Client) -> OciResult<T>) -> Result<T, Error> {
        match catch(|| self.rt.block_on(f(&self.client))) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.classify(what, &e)),
            Err(panic) => Err(self.error(ErrorKind::Network, format!("{what}: the registry client failed ({panic})"))),
        }
    }

    fn error(&self, kind: ErrorKind, message: String) -> Error {
        let mut secrets = Secrets::from_env();
        if let RegistryAuth::Basic(user, password) = &self.auth {
            secrets.add(Some(user), password);
            secrets.add(None, password);
        } else if let RegistryAuth::Bearer(token) = &self.auth {
            secrets.add(None, token);
        }
        Error::new(self.target, &self.r.repo_display(), kind, secrets.scrub(&message))
    }

    fn classify(&self, what: &str, e: &oci_client::errors::OciDistributionError) -> Error {
        use oci_client::errors::{OciDistributionError as E, OciErrorCode as C};
        const AUTH: &str = "the registry refused the push: set FACTORIO_MOCKS_REGISTRY_AUTH=user:token (a token allowed to write packages) or log in with docker; nothing was tagged";
        const DOWN: &str =
            "the registry failed or the network is down; retry (blobs already uploaded are reused, nothing was tagged)";
        // One line: a registry's body ends in a newline, and may hold more (an HTML page).
        let text = super::error_text(e).split_whitespace().collect::<Vec<_>>().join(" ");
        let fix = match e {
            E::AuthenticationFailure(_) | E::UnauthorizedError { .. } | E::RegistryTokenDecodeError(_) => AUTH,
            E::ServerError { code: 401 | 403, .. } => AUTH,
            E::RegistryError { envelope, .. }
                if envelope.errors.iter().any(|x| matches!(x.code, C::Unauthorized | C::Denied)) =>
            {
                AUTH
            }
            _ => DOWN,
        };
        let kind = if fix == AUTH { ErrorKind::Auth } else { ErrorKind::Network };
        let mut text = text;
        if text.len() > 400 {
            let mut cut = 400;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push('…');
        }
        self.error(kind, format!("{what}: {text}; {fix}"))
    }

    fn run(&mut self, blobs: &[Blob], tags: &[String], subject: Option<&OciRef>, time: u64) -> Result<Pushed, Error> {
        let repo = self.reference(&tags[0]);
        // The subject first: a wrong one fails before anything is uploaded.
        let subject_desc = match subject {
            None => None,
            Some(s) => {
                let digest = s.digest.clone().unwrap_or_default();
                let at = self.reference(&digest);
                let accept = [MANIFEST, INDEX, "application/vnd.docker.distribution.manifest.v2+json"];
                let (bytes, _) = self.call(&format!("reading the subject {digest}"), async |c| {
                    c.pull_manifest_raw(&at, &self.auth, &accept).await
                })?;
                if sha256_digest(&bytes) != digest {
                    return Err(self.error(
                        ErrorKind::Integrity,
                        format!("the subject {digest} arrived with another digest; the registry or a proxy altered it"),
                    ));
                }
                let m: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let mut d = json!({
                    "mediaType": m.get("mediaType").and_then(Value::as_str).unwrap_or(MANIFEST),
                    "digest": digest,
                    "size": bytes.len(),
                });
                if let Some(at) = m.get("artifactType").and_then(Value::as_str) {
                    d["artifactType"] = json!(at);
                }
                Some((s.pinned(&digest), d))
            }
        };
        let mut all: Vec<(&str, &[u8])> = blobs.iter().map(|b| (b.digest.as_str(), b.data.as_slice())).collect();
        all.push((EMPTY_DIGEST, b"{}"));
        for (digest, data) in all {
            let exists = self.call("checking a blob", async |c| c.blob_exists(&repo, digest).await).unwrap_or(false);
            if !exists {
                let bytes = data.to_vec();
                self.call(&format!("uploading blob {digest}"), async |c| c.push_blob(&repo, bytes, digest).await)?;
            }
        }
        let layers: Vec<Value> = blobs
            .iter()
            .map(|b| {
                let mut annotations = serde_json::Map::new();
                annotations.insert(TITLE.into(), json!(b.title));
                if b.unpack {
                    annotations.insert(UNPACK.into(), json!("true"));
                }
                json!({"mediaType": b.media_type, "digest": b.digest, "size": b.data.len(), "annotations": annotations})
            })
            .collect();
        let mut manifest = json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "artifactType": DATASET_ARTIFACT_TYPE,
            "config": {"mediaType": EMPTY, "digest": EMPTY_DIGEST, "size": 2, "data": "e30="},
            "layers": layers,
            "annotations": {CREATED: rfc3339(time)},
        });
        if let Some((_, d)) = &subject_desc {
            manifest["subject"] = d.clone();
        }
        let body = serde_json::to_vec(&manifest).map_err(|e| self.error(ErrorKind::Io, e.to_string()))?;
        let digest = sha256_digest(&body);
        let mut references = Vec::new();
        for tag in tags {
            let at = self.reference(tag);
            let bytes = body.clone();
            self.call(&format!("tagging {tag}"), async |c| {
                c.push_manifest_raw(&at, bytes, MANIFEST.parse().expect("a valid header value")).await
            })?;
            references.push(format!("{}:{tag}", self.r.repo_display()));
        }
        if let Some((_, d)) = &subject_desc {
            let sd = d["digest"].as_str().unwrap_or_default().to_string();
            self.add_referrer(&sd, &digest, body.len(), time)?;
        }
        Ok(Pushed {
            pinned: self.r.pinned(&digest),
            digest,
            references,
            layers: blobs.len(),
            bytes: blobs.iter().map(|b| b.data.len() as u64).sum(),
            subject: subject_desc.map(|(p, _)| p),
        })
    }

    /// Makes the dataset a listed referrer of `subject`: done when the registry's referrers API
    /// lists it already; else the referrers tag schema's index (`sha256-<hex>`) gets it.
    fn add_referrer(&self, subject: &str, digest: &str, size: usize, time: u64) -> Result<(), Error> {
        let at = self.reference(subject);
        let listed = self.call("listing the subject's referrers", async |c| {
            c.pull_referrers(&at, Some(DATASET_ARTIFACT_TYPE)).await
        });
        if listed.is_ok_and(|index| index.manifests.iter().any(|m| m.digest == digest)) {
            return Ok(());
        }
        let tag = subject.replace(':', "-");
        let index_ref = self.reference(&tag);
        let existing = self
            .call("reading the referrers index", async |c| c.pull_manifest_raw(&index_ref, &self.auth, &[INDEX]).await);
        let mut index: Value = match existing {
            Ok((bytes, _)) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            Err(e)
                if e.kind == ErrorKind::NotFound
                    || e.message.contains("404")
                    || e.message.to_lowercase().contains("unknown") =>
            {
                Value::Null
            }
            Err(e) => return Err(e),
        };
        if !index.get("manifests").is_some_and(Value::is_array) {
            index = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": []});
        }
        let list = index["manifests"].as_array_mut().expect("checked above");
        list.retain(|m| m.get("digest").and_then(Value::as_str) != Some(digest));
        list.push(json!({
            "mediaType": MANIFEST,
            "digest": digest,
            "size": size,
            "artifactType": DATASET_ARTIFACT_TYPE,
            "annotations": {CREATED: rfc3339(time)},
        }));
        let body = serde_json::to_vec(&index).map_err(|e| self.error(ErrorKind::Io, e.to_string()))?;
        self.call("updating the referrers index", async |c| {
            c.push_manifest_raw(&index_ref, body, INDEX.parse().expect("a valid header value")).await
        })?;
        Ok(())
    }
}

/// Runs `f`, turning a panic into an error text (the client must never take the host down).
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_tags() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(rfc3339(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(split_tag("h:5000/a/b:2.0"), ("h:5000/a/b", Some("2.0")));
        assert_eq!(split_tag("h:5000/a/b"), ("h:5000/a/b", None));
    }

    #[test]
    fn layers_are_deterministic_and_titled() {
        let dir = tempfile::tempdir().unwrap();
        for (p, t) in [
            ("prototype/data-raw.json", "{}"),
            ("locale/en.cfg", "[a]\nb=c\n"),
            ("lua/core/lualib/util.lua", "return {}"),
            ("metadata.json", "{}"),
            ("zz/x", "x"),
        ] {
            let at = dir.path().join(p);
            fs::create_dir_all(at.parent().unwrap()).unwrap();
            fs::write(at, t).unwrap();
        }
        let a = layers(dir.path()).unwrap();
        let titles: Vec<&str> = a.iter().map(|b| b.title.as_str()).collect();
        assert_eq!(titles, ["prototype", "locale", "lua", "zz", "metadata.json"]);
        let b = layers(dir.path()).unwrap();
        assert!(a.iter().zip(&b).all(|(x, y)| x.digest == y.digest), "same folder, same blobs");
        let unpacked = tempfile::tempdir().unwrap();
        let files = crate::source::unpack_tar_gz(a[2].data.as_slice(), unpacked.path(), Some("lua")).unwrap();
        assert_eq!(files, [PathBuf::from("lua/core/lualib/util.lua")]);
        fs::remove_file(dir.path().join("metadata.json")).unwrap();
        assert!(layers(dir.path()).unwrap_err().contains("no metadata.json"));
    }

    #[test]
    fn bad_targets_are_refused_before_any_request() {
        let dir = tempfile::tempdir().unwrap();
        for (target, want) in [
            ("https://h/r", "expected oci://"),
            ("oci://127.0.0.1:9/r@sha256:aa", "not a digest"),
            ("oci://u:secret@127.0.0.1:9/r:t", "credentials"),
            ("oci://127.0.0.1:9/Upper:t", "lowercase"),
        ] {
            let e = push(dir.path(), target, &PushOptions::default()).unwrap_err();
            assert!(e.to_string().contains(want), "{target}: {e}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }
}
