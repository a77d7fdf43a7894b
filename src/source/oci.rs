//! Datasets as ORAS artifacts in an OCI registry, pulled with `oci-client`.
//!
//! Answers (tag → digest, manifests, referrers) go to the API store, blobs and unpacked
//! datasets to the download store. Manifests and blobs are content-addressed and checked
//! against their digest both when downloaded and when reused; a tag resolution expires after
//! the TTL. The network client (a current-thread tokio runtime) is only built when something
//! is missing, so a warm fetch never touches it.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use futures_util::StreamExt;
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use serde_json::Value;

use super::dataset_dir::{self, FillError, Written};
use super::digest::{Hasher, hash_file, is_sha256_digest, sha256_digest};
use super::oci_ref::{
    OciRef, cached_digest, cached_manifest, dataset_key, is_dataset, manifest_key, referred_subject, referrers_key,
    served, subject_of, tag_key,
};
use super::unpack::{Left, unpack_tar_gz_hashed};
use super::{Ctx, DATASET_ARTIFACT_TYPE, Error, ErrorKind, Fetched, Progress};
use crate::cache::{self, Expiry, Key, Store};

const TITLE: &str = "org.opencontainers.image.title";
const UNPACK: &str = "io.deis.oras.content.unpack";
const CREATED: &str = "org.opencontainers.image.created";
const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

impl OciRef {
    fn with_digest(&self, digest: &str) -> oci_client::Reference {
        oci_client::Reference::with_digest(self.registry.clone(), self.repository.clone(), digest.to_string())
    }
}

/// The credentials for `registry`: `FACTORIO_MOCKS_REGISTRY_AUTH` (`user:token` is basic auth,
/// which the client trades for a bearer token when the registry challenges; a value without
/// `:` is sent as a bearer token), else the Docker config's `auths` entry, else anonymous.
pub(crate) fn credentials(registry: &str) -> RegistryAuth {
    if let Some(v) = std::env::var("FACTORIO_MOCKS_REGISTRY_AUTH").ok().filter(|v| !v.is_empty()) {
        return match v.split_once(':') {
            Some((user, token)) => RegistryAuth::Basic(user.into(), token.into()),
            None => RegistryAuth::Bearer(v),
        };
    }
    docker_config_auth(registry).unwrap_or(RegistryAuth::Anonymous)
}

fn docker_config_auth(registry: &str) -> Option<RegistryAuth> {
    use base64::Engine;
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
    let config: Value = serde_json::from_slice(&fs::read(dir.join("config.json")).ok()?).ok()?;
    let auths = config.get("auths")?.as_object()?;
    let entry = [registry.to_string(), format!("https://{registry}"), format!("http://{registry}")]
        .iter()
        .find_map(|k| auths.get(k.as_str()).or_else(|| auths.get(&format!("{k}/v2/"))))?;
    if let Some(token) = entry.get("registrytoken").and_then(Value::as_str) {
        return Some(RegistryAuth::Bearer(token.into()));
    }
    if let (Some(u), Some(p)) =
        (entry.get("username").and_then(Value::as_str), entry.get("password").and_then(Value::as_str))
    {
        return Some(RegistryAuth::Basic(u.into(), p.into()));
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(entry.get("auth")?.as_str()?).ok()?;
    let (u, p) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some(RegistryAuth::Basic(u.into(), p.into()))
}

/// The network side, built on first need.
struct Net {
    rt: tokio::runtime::Runtime,
    client: oci_client::Client,
    auth: RegistryAuth,
}

struct Session<'a> {
    r: &'a OciRef,
    ctx: &'a Ctx,
    net: Option<Net>,
    /// The manifest that came with the tag's answer (digest, bytes), hashed on arrival.
    prefetched: Option<(String, Vec<u8>)>,
    /// The client trusts no HTTPS server (see [`NO_HTTPS_ROOT`]).
    light: bool,
    /// An HTTPS server was needed: build the client with the system's roots.
    full_tls: bool,
}

/// The only root a client for a plain-HTTP registry trusts at first: a self-signed CA whose
/// private key was thrown away at creation, so no server can present a chain to it. Such a
/// pull needs HTTPS only if the registry sends it elsewhere (a token realm, a redirect), and
/// reading the system's CA bundle cost ~4 ms of a cold pull (oci-client reads it once more for
/// a default client it discards; that one we cannot avoid). A refused certificate or an
/// authorisation failure switches to the system's roots and retries (see `needs_full_tls`).
const NO_HTTPS_ROOT: &str = "\
-----BEGIN CERTIFICATE-----
MIIB2DCCAX2gAwIBAgIUSsatm86N0bF2S6k6LfQYhGjJB5gwCgYIKoZIzj0EAwIw
QDE+MDwGA1UEAww1ZmFjdG9yaW8tbW9ja3MgcGxhaW4tSFRUUCBwdWxscyB0cnVz
dCBubyBIVFRQUyBzZXJ2ZXIwIBcNMjYxMTIyMDAyODE2WhgPMjEyNjEwMjkwMDI4
MTZaMEAxPjA8BgNVBAMMNWZhY3RvcmlvLW1vY2tzIHBsYWluLUhUVFAgcHVsbHMg
dHJ1c3Qgbm8gSFRUUFMgc2VydmVyMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
8oXXjOztpJsLVCaM3QsHyWNP3dvU0RxO/KtqWQ1G7dIkcynSRfTTjUOB+TKQdGHg
Ouj7VhakRlr2d040BQ2DFaNTMFEwHQYDVR0OBBYEFJZfNd2fOg49B5Vn61KlsKYI
3wTCMB8GA1UdIwQYMBaAFJZfNd2fOg49B5Vn61KlsKYI3wTCMA8GA1UdEwEB/wQF
MAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAIcXh0AUSH1elWeJ1oqI2eXFHLjtdB5K
v4y3EhSStIRHAiEAyPbQ0HXMhr02zvPHsGRYJD+n1NST7fjZGr4C0YOV8hU=
-----END CERTIFICATE-----
";

/// A layer of the dataset manifest, checked.
struct Layer {
    digest: String,
    size: Option<u64>,
    title: String,
    name: PathBuf,
    unpack: bool,
    /// Unpacked into the dataset folder while it downloads (see [`Piece`]): a folder layer
    /// whose name and blob no other layer shares, so nothing orders it against another.
    stream: bool,
}

impl Session<'_> {
    fn err(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::new(&self.r.display(), &self.r.repo_display(), kind, message)
    }

    fn offline_err(&self, what: &str) -> Error {
        self.err(
            ErrorKind::Offline,
            format!("offline (FACTORIO_MOCKS_OFFLINE) and {what} is not in the cache; fetch it once online"),
        )
    }

    fn net(&mut self) -> Result<&Net, Error> {
        if self.net.is_none() {
            if self.ctx.offline {
                return Err(self.offline_err("the artifact"));
            }
            super::install_crypto();
            let plain = self.ctx.http_allowed(&self.r.registry);
            let timeout = self.ctx.timeout;
            let config = |light: bool| ClientConfig {
                protocol: if plain {
                    ClientProtocol::HttpsExcept(vec![self.r.registry.clone()])
                } else {
                    ClientProtocol::Https
                },
                tls_certs_only: if light {
                    vec![Certificate { encoding: CertificateEncoding::Pem, data: NO_HTTPS_ROOT.as_bytes().to_vec() }]
                } else {
                    Vec::new()
                },
                // reqwest's read timeout restarts after every read: a silent registry or a
                // stalled download fails after `timeout`, a slow but moving one does not.
                connect_timeout: Some(timeout),
                read_timeout: Some(timeout),
                ..Default::default()
            };
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .build()
                .map_err(|e| self.err(ErrorKind::Io, format!("cannot start the network runtime: {e}")))?;
            let light = plain && !self.full_tls;
            let built = match catch(|| oci_client::Client::try_from(config(light))) {
                Ok(Ok(c)) => Some(c),
                Ok(Err(e)) => {
                    self.ctx.phase(&format!("client setup failed: {}", super::error_text(&e)));
                    None
                }
                Err(panic) => {
                    self.ctx.phase(&format!("client setup failed: {panic}"));
                    None
                }
            };
            self.light = light && built.is_some();
            let client = match built {
                Some(c) => c,
                // With the system's roots; failing that, what `Client::new` falls back to.
                None => {
                    catch(|| oci_client::Client::new(config(false))).map_err(|m| self.err(ErrorKind::Network, m))?
                }
            };
            let auth = credentials(&self.r.registry);
            rt.block_on(client.store_auth_if_needed(&self.r.registry, &auth));
            self.net = Some(Net { rt, client, auth });
            self.ctx.phase("network client ready");
        }
        self.net.as_ref().ok_or_else(|| self.err(ErrorKind::Io, "network client missing"))
    }

    /// True when `e` may be the light client refusing an HTTPS server: the call must be
    /// retried with the system's roots. A refused redirect says so (in an `io::Error`, so by
    /// its text); a refused token realm does not, the client just goes on without a token and
    /// is turned away, so any authorisation failure counts too.
    fn needs_full_tls(&self, e: &oci_client::errors::OciDistributionError) -> bool {
        self.light
            && (super::error_text(e).contains("invalid peer certificate")
                || self.classify("", e).kind == ErrorKind::Auth)
    }

    fn use_full_tls(&mut self) {
        self.full_tls = true;
        self.net = None;
    }

    /// Runs a registry call once; the outer error is a client that cannot start or panicked.
    fn attempt<T>(
        &mut self,
        what: &str,
        f: &impl AsyncFn(&Net) -> Result<T, oci_client::errors::OciDistributionError>,
    ) -> Result<Result<T, oci_client::errors::OciDistributionError>, Error> {
        let net = self.net()?;
        let result = catch(|| net.rt.block_on(f(net)));
        result.map_err(|panic| self.err(ErrorKind::Network, format!("{what}: the registry client failed ({panic})")))
    }

    /// Runs a registry call, turning its error (or a panic inside the client) into ours.
    fn call<T>(
        &mut self,
        what: &str,
        f: impl AsyncFn(&Net) -> Result<T, oci_client::errors::OciDistributionError>,
    ) -> Result<T, Error> {
        let mut result = self.attempt(what, &f)?;
        if result.as_ref().err().is_some_and(|e| self.needs_full_tls(e)) {
            self.use_full_tls();
            result = self.attempt(what, &f)?;
        }
        result.map_err(|e| self.classify(what, &e))
    }

    fn classify(&self, what: &str, e: &oci_client::errors::OciDistributionError) -> Error {
        use oci_client::errors::{OciDistributionError as E, OciErrorCode as C};
        const AUTH: &str =
            "check FACTORIO_MOCKS_REGISTRY_AUTH (user:token) or the Docker config credentials for this registry";
        const MISSING: &str = "check the repository, tag and digest (the registry does not have it)";
        const DOWN: &str = "the registry failed or the network is down: retry later, or set FACTORIO_MOCKS_OFFLINE=1 to use what is cached";
        let text = super::error_text(e);
        // Decided by the error's variant, not its text: URLs and digests in the text may
        // contain "401" or "404".
        let (kind, fix) = match e {
            E::AuthenticationFailure(_) | E::UnauthorizedError { .. } | E::RegistryTokenDecodeError(_) => {
                (ErrorKind::Auth, AUTH)
            }
            E::ServerError { code: 401 | 403, .. } => (ErrorKind::Auth, AUTH),
            E::ServerError { code: 404, .. } | E::ImageManifestNotFoundError(_) => (ErrorKind::NotFound, MISSING),
            E::RegistryError { envelope, .. } => match envelope.errors.first().map(|x| &x.code) {
                Some(C::Unauthorized | C::Denied) => (ErrorKind::Auth, AUTH),
                Some(C::ManifestUnknown | C::BlobUnknown | C::NameUnknown | C::NotFound | C::ManifestBlobUnknown) => {
                    (ErrorKind::NotFound, MISSING)
                }
                _ => (ErrorKind::Network, DOWN),
            },
            E::DigestError(_) => (
                ErrorKind::Integrity,
                "the registry or a proxy altered the content; retry, and report it if it persists",
            ),
            _ if text.contains("timed out") || text.contains("deadline has elapsed") => {
                let fix = format!(
                    "the registry sent nothing for {:?}: it is slow or down; retry, raise opts.timeout, or set FACTORIO_MOCKS_OFFLINE=1 to use what is cached",
                    self.ctx.timeout
                );
                return self.err(ErrorKind::Network, format!("{what}: {}; {fix}", self.scrubbed(&text)));
            }
            _ => (ErrorKind::Network, DOWN),
        };
        self.err(kind, format!("{what}: {}; {fix}", self.scrubbed(&text)))
    }

    /// `text` without credentials, and short: a 500 page can be long.
    fn scrubbed(&self, text: &str) -> String {
        let auth = self.net.as_ref().map(|n| n.auth.clone()).unwrap_or(RegistryAuth::Anonymous);
        let mut out = scrub(text, &auth);
        if out.len() > 400 {
            let mut cut = 400;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push('…');
        }
        out
    }

    /// The digest a tag points at: fresh answer from the cache, else the registry, else (on
    /// failure or offline) a stale answer with a warning.
    fn resolve_tag(&mut self, tag: &str) -> Result<String, Error> {
        let store = self.ctx.caches.api.clone();
        let key = tag_key(self.r, tag);
        let cached = cached_digest(&store, &key);
        match &cached {
            Some((d, true)) => return Ok(d.clone()),
            Some((d, false)) if self.ctx.offline => {
                self.ctx.warn(format!(
                    "offline: {} may be outdated, using the cached {d} (older than FACTORIO_MOCKS_TTL)",
                    self.r.display()
                ));
                return Ok(d.clone());
            }
            None if self.ctx.offline => return Err(self.offline_err(&format!("tag `{tag}`"))),
            _ => {}
        }
        cache::with_lock(&store, &key, || -> Result<String, FillError> {
            if let Some((d, true)) = cached_digest(&store, &key) {
                return Ok(d);
            }
            let reference =
                oci_client::Reference::with_tag(self.r.registry.clone(), self.r.repository.clone(), tag.to_string());
            // A GET rather than a HEAD: the manifest comes with the answer, so the next step
            // needs no request of its own. The digest is the hash of the bytes received.
            let answer = self.call(&format!("resolving tag `{tag}`"), async |n| {
                n.client.pull_manifest_raw(&reference, &n.auth, MANIFEST_TYPES).await
            });
            let digest = match answer {
                Ok((bytes, _)) => {
                    let d = sha256_digest(&bytes);
                    self.prefetched = Some((d.clone(), bytes.to_vec()));
                    d
                }
                Err(e) => match &cached {
                    Some((d, _)) => {
                        self.ctx.warn(format!("{}; using the cached {d} for {}", e.message, self.r.display()));
                        return Ok(d.clone());
                    }
                    None => return Err(e.into()),
                },
            };
            let temp = store.temp_path(&key)?;
            fs::write(&temp, &digest)?;
            store.commit(&key, &temp, Expiry::after(self.ctx.ttl))?;
            Ok(digest)
        })
        .map_err(|e| e.into_error(&self.r.display(), &self.r.repo_display(), "storing the tag"))
    }

    /// The manifest `digest`, checked against its digest, from the cache or the registry.
    fn manifest(&mut self, digest: &str) -> Result<Value, Error> {
        let store = self.ctx.caches.api.clone();
        let key = manifest_key(digest);
        let bytes = match cached_manifest(&store, digest) {
            Some(b) => b,
            None => cache::with_lock(&store, &key, || -> Result<Vec<u8>, FillError> {
                if let Some(b) = cached_manifest(&store, digest) {
                    return Ok(b);
                }
                if self.ctx.offline {
                    return Err(self.offline_err(&format!("manifest {digest}")).into());
                }
                let bytes = match self.prefetched.take().filter(|(d, _)| d == digest) {
                    // Its digest is the hash of these very bytes (see `resolve_tag`).
                    Some((_, bytes)) => bytes,
                    None => {
                        let reference = self.r.with_digest(digest);
                        let (bytes, _) = self.call(&format!("pulling manifest {digest}"), async |n| {
                            n.client.pull_manifest_raw(&reference, &n.auth, MANIFEST_TYPES).await
                        })?;
                        if sha256_digest(&bytes) != digest {
                            return Err(self
                                .err(
                                    ErrorKind::Integrity,
                                    format!(
                                        "manifest {digest} arrived with digest {}; the registry or a proxy altered it",
                                        sha256_digest(&bytes)
                                    ),
                                )
                                .into());
                        }
                        bytes.to_vec()
                    }
                };
                let temp = store.temp_path(&key)?;
                fs::write(&temp, &bytes)?;
                store.commit(&key, &temp, Expiry::Never)?;
                Ok(bytes)
            })
            .map_err(|e| e.into_error(&self.r.display(), &self.r.repo_display(), "storing the manifest"))?,
        };
        serde_json::from_slice(&bytes)
            .map_err(|e| self.err(ErrorKind::Integrity, format!("manifest {digest} is not JSON: {e}")))
    }

    /// The newest dataset artifact referring to `subject` (referrers API, or the
    /// `sha256-<hex>` tag on registries without it).
    fn dataset_referrer(&mut self, subject: &str) -> Result<String, Error> {
        let store = self.ctx.caches.api.clone();
        let key = referrers_key(self.r, subject);
        let cached = cached_digest(&store, &key);
        match &cached {
            Some((d, true)) => return Ok(d.clone()),
            Some((d, false)) if self.ctx.offline => {
                self.ctx.warn(format!(
                    "offline: the dataset of {} may be outdated, using the cached {d}",
                    self.r.display()
                ));
                return Ok(d.clone());
            }
            None if self.ctx.offline => return Err(self.offline_err("the dataset referring to this artifact")),
            _ => {}
        }
        cache::with_lock(&store, &key, || -> Result<String, FillError> {
            if let Some((d, true)) = cached_digest(&store, &key) {
                return Ok(d);
            }
            let reference = self.r.with_digest(subject);
            let index = self.call("listing referrers", async |n| n.client.pull_referrers(&reference, Some(DATASET_ARTIFACT_TYPE)).await);
            let index = match index {
                Ok(i) => i,
                Err(e) => match &cached {
                    Some((d, _)) => {
                        self.ctx.warn(format!("{}; using the cached dataset {d}", e.message));
                        return Ok(d.clone());
                    }
                    None => return Err(e.into()),
                },
            };
            let created = |e: &oci_client::manifest::ImageIndexEntry| e.annotations.as_ref().and_then(|a| a.get(CREATED).cloned()).unwrap_or_default();
            let newest = index
                .manifests
                .iter()
                .filter(|e| e.artifact_type.as_deref() == Some(DATASET_ARTIFACT_TYPE) && is_sha256_digest(&e.digest))
                .enumerate()
                .max_by_key(|(i, e)| (created(e), *i))
                .map(|(_, e)| e.digest.clone());
            let Some(digest) = newest else {
                return Err(self
                    .err(ErrorKind::NotFound, format!("{subject} is not a dataset ({DATASET_ARTIFACT_TYPE}) and no dataset refers to it; give the dataset's own tag or digest"))
                    .into());
            };
            let temp = store.temp_path(&key)?;
            fs::write(&temp, &digest)?;
            store.commit(&key, &temp, Expiry::after(self.ctx.ttl))?;
            Ok(digest)
        })
        .map_err(|e| e.into_error(&self.r.display(), &self.r.repo_display(), "storing the referrers"))
    }

    /// Makes the blob of every layer a verified file in the download cache, the missing ones
    /// downloaded concurrently (one round trip of latency instead of one per layer). `ready`
    /// gets each layer's file as soon as it is checked, so applying overlaps the downloads; a
    /// downloaded layer marked `stream` is instead unpacked into `dir` as its bytes arrive and
    /// reaches `ready` unpacked, once its blob matched the manifest.
    fn blobs(&mut self, layers: &[Layer], dir: &Path, ready: &dyn Fn(Ready)) -> Result<(), Error> {
        let store = self.ctx.caches.downloads.clone();
        let keys: Vec<Key> = layers.iter().map(|l| Key::new(&format!("oci-blob\n{}", l.digest))).collect();
        // Layers sharing a blob are served by one file.
        let serve = |i: usize, path: &Path| {
            (0..layers.len()).filter(|&j| keys[j] == keys[i]).for_each(|j| ready(Ready::Blob(j, path.to_path_buf())))
        };
        // A cached blob is re-hashed before use: the cache folder may have been damaged.
        let valid = |path: &Path, l: &Layer| {
            hash_file(path, false).is_ok_and(|(d, _, len)| d == l.digest && l.size.is_none_or(|s| s == len))
        };
        let mut missing: Vec<usize> = Vec::new();
        for (i, l) in layers.iter().enumerate() {
            // A blob seen before is already served or on its way.
            if (0..i).any(|j| keys[j] == keys[i]) {
                continue;
            }
            match store.get(&keys[i]).filter(|h| valid(&h.path, l)) {
                Some(hit) => serve(i, &hit.path),
                None => missing.push(i),
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let io_err = |e: std::io::Error| {
            FillError::Io(e).into_error(&self.r.display(), &self.r.repo_display(), "storing a layer")
        };
        let _locks = cache::lock_all(&store, missing.iter().map(|&i| &keys[i])).map_err(io_err)?;
        let mut todo = Vec::new();
        for &i in &missing {
            let (l, key) = (&layers[i], &keys[i]);
            // Another process may have filled it while we waited for the lock.
            if let Some(hit) = store.get(key) {
                if valid(&hit.path, l) {
                    serve(i, &hit.path);
                    continue;
                }
                self.ctx.warn(format!(
                    "cached blob {} ({}) does not match its digest; fetching it again",
                    l.digest, l.title
                ));
                store.remove(key).map_err(io_err)?;
                if self.ctx.offline {
                    return Err(self.err(ErrorKind::Integrity, format!("the cached layer `{}` ({}) is damaged and FACTORIO_MOCKS_OFFLINE is set; fetch once online to repair it", l.title, l.digest)));
                }
            }
            if self.ctx.offline {
                return Err(self.offline_err(&format!("layer `{}` ({})", l.title, l.digest)));
            }
            todo.push(i);
        }
        let mut round = 0;
        while !todo.is_empty() {
            let results = self.download_round(layers, &keys, &todo, dir, &serve, ready)?;
            // A redirect to HTTPS storage (or a realm) the light client refused: once more
            // with the system's roots.
            let retry: Vec<usize> = results
                .iter()
                .filter(|(_, r)| round == 0 && matches!(r, Err(Failure::Net(e)) if self.needs_full_tls(e)))
                .map(|(i, _)| *i)
                .collect();
            if !retry.is_empty() {
                self.use_full_tls();
            }
            // The first failure in manifest order is reported (`todo` is in manifest order).
            if let Some((i, Err(e))) = results.into_iter().find(|(i, r)| r.is_err() && !retry.contains(i)) {
                let l = &layers[i];
                return Err(match e {
                    Failure::Net(e) => self.classify(&format!("downloading layer `{}` ({})", l.title, l.digest), &e),
                    Failure::Fill(e) => e.into_error(&self.r.display(), &self.r.repo_display(), "storing a layer"),
                });
            }
            todo = retry;
            round += 1;
        }
        Ok(())
    }

    /// Downloads the blobs of `todo` (layer indices) concurrently, each streamed to a temporary
    /// file, hashed on the way, checked against the manifest and only then committed and
    /// passed to `serve`. Failed downloads leave nothing behind.
    ///
    /// A `stream` layer's bytes also go, as they arrive, to a thread unpacking them into `dir`
    /// (the dataset's temporary folder, discarded whole by the caller on any failure); it only
    /// reads the end of the stream once the blob's size and digest matched, and the layer only
    /// counts as applied when both the download and the unpacking succeeded.
    fn download_round(
        &mut self,
        layers: &[Layer],
        keys: &[Key],
        todo: &[usize],
        dir: &Path,
        serve: &dyn Fn(usize, &Path),
        ready: &dyn Fn(Ready),
    ) -> Result<Vec<(usize, Result<(), Failure>)>, Error> {
        let store = self.ctx.caches.downloads.clone();
        let temps = todo.iter().map(|&i| store.temp_path(&keys[i])).collect::<Result<Vec<_>, _>>();
        let temps = temps
            .map_err(|e| FillError::Io(e).into_error(&self.r.display(), &self.r.repo_display(), "storing a layer"))?;
        let total = todo.iter().try_fold(0u64, |t, &i| Some(t + layers[i].size?));
        let progress = std::cell::RefCell::new(Progress::new(
            self.ctx,
            format!("{} ({} layers)", self.r.repository, todo.len()),
            total,
        ));
        self.net()?;
        let this = &*self;
        let net = this.net.as_ref().ok_or_else(|| this.err(ErrorKind::Io, "network client missing"))?;
        let t0 = this.ctx.timing;
        let one = async |i: usize, temp: &Path, tx: Option<mpsc::Sender<Piece>>| -> Result<(), Failure> {
            let l = &layers[i];
            let streamed = tx.is_some();
            let (digest, len) = pull_blob(net, this.r, l, temp, tx.as_ref(), &progress, t0).await?;
            if l.size.is_some_and(|s| s != len) {
                let msg = format!(
                    "layer `{}` ({}) arrived with {len} bytes, the manifest says {}; the download was cut or altered, retry",
                    l.title,
                    l.digest,
                    l.size.unwrap_or(0)
                );
                return Err(Failure::Fill(this.err(ErrorKind::Integrity, msg).into()));
            }
            if digest != l.digest {
                let msg = format!(
                    "layer `{}` arrived with digest {digest}, expected {}; the registry or a proxy altered it",
                    l.title, l.digest
                );
                return Err(Failure::Fill(this.err(ErrorKind::Integrity, msg).into()));
            }
            this.ctx.phase(&format!("layer `{}` downloaded and checked", l.title));
            if let Some(tx) = tx {
                // Checked: the unpacker may now see the end of the stream.
                let _ = tx.send(Piece::End);
            }
            // Committing syncs the entry's record to disk (milliseconds): on a blocking thread,
            // so the other downloads and the unpacking go on meanwhile.
            let (store, key, temp) = (store.clone(), keys[i].clone(), temp.to_path_buf());
            let committed = tokio::task::spawn_blocking(move || store.commit(&key, &temp, Expiry::Never)).await;
            let path = match committed {
                Ok(c) => c.map_err(|e| Failure::Fill(e.into()))?,
                Err(e) => {
                    return Err(Failure::Fill(std::io::Error::other(format!("storing the blob failed: {e}")).into()));
                }
            };
            this.ctx.phase(&format!("layer `{}` stored", l.title));
            if !streamed {
                serve(i, &path);
            }
            Ok(())
        };
        let (joined, unpacked) = std::thread::scope(|scope| {
            // One unpacking thread per `stream` layer; a layer whose thread cannot start is
            // applied from its file instead.
            let mut senders: Vec<Option<mpsc::Sender<Piece>>> = Vec::with_capacity(todo.len());
            let mut unpackers = Vec::with_capacity(todo.len());
            for &i in todo {
                let l = &layers[i];
                if !l.stream {
                    senders.push(None);
                    unpackers.push(None);
                    continue;
                }
                let (tx, rx) = mpsc::channel();
                let worker = std::thread::Builder::new()
                    .name("fm-unpack-stream".into())
                    .spawn_scoped(scope, move || unpack_streamed(l, dir, rx, t0));
                match worker {
                    Ok(w) => {
                        senders.push(Some(tx));
                        unpackers.push(Some(w));
                    }
                    Err(e) => {
                        this.ctx.phase(&format!(
                            "cannot start an unpacking thread ({e}); unpacking `{}` after its download",
                            l.title
                        ));
                        senders.push(None);
                        unpackers.push(None);
                    }
                }
            }
            let streamed: Vec<bool> = senders.iter().map(Option::is_some).collect();
            // Each sender moves into its download, so it is dropped (the unpacker told the
            // stream ended early) however the download ends, a panic included.
            let joined = catch(|| {
                net.rt.block_on(futures_util::future::join_all(
                    todo.iter().zip(&temps).zip(senders).map(|((&i, t), tx)| one(i, t.as_path(), tx)),
                ))
            });
            let unpacked: Vec<Option<Result<Vec<(PathBuf, Left)>, String>>> = unpackers
                .into_iter()
                .zip(streamed)
                .map(|(w, s)| match w {
                    Some(w) => Some(w.join().unwrap_or_else(|_| Err("the unpacking thread failed".into()))),
                    None => s.then(|| Err("the unpacking thread is missing".into())),
                })
                .collect();
            (joined, unpacked)
        });
        drop(progress);
        let mut results = match joined {
            Ok(r) => r,
            Err(panic) => {
                temps.iter().for_each(|t| cache::discard(t));
                return Err(
                    this.err(ErrorKind::Network, format!("downloading layers: the registry client failed ({panic})"))
                );
            }
        };
        // A streamed layer is in place only if its download and its unpacking both succeeded;
        // a failed download says more than what it did to the unpacker.
        for ((&i, result), unpacked) in todo.iter().zip(results.iter_mut()).zip(unpacked) {
            let (Ok(()), Some(u)) = (&*result, unpacked) else { continue };
            let l = &layers[i];
            match u {
                Ok(entries) => ready(Ready::Unpacked(i, entries)),
                Err(why) => {
                    let msg = format!(
                        "layer `{}` ({}): {why}; the artifact is damaged or unsafe, report it to its publisher",
                        l.title, l.digest
                    );
                    *result = Err(Failure::Fill(this.err(ErrorKind::Integrity, msg).into()));
                }
            }
        }
        for (t, r) in temps.iter().zip(&results) {
            if r.is_err() {
                cache::discard(t);
            }
        }
        Ok(todo.iter().copied().zip(results).collect())
    }

    /// The manifest's layers, each with a digest and a single-component title.
    fn layers(&self, manifest: &Value) -> Result<Vec<Layer>, Error> {
        let layers = manifest.get("layers").and_then(Value::as_array).filter(|l| !l.is_empty());
        let Some(layers) = layers else {
            return Err(self.err(ErrorKind::Integrity, "the dataset manifest has no layers"));
        };
        let mut out = Vec::with_capacity(layers.len());
        for layer in layers {
            let digest = layer.get("digest").and_then(Value::as_str).filter(|d| is_sha256_digest(d));
            let Some(digest) = digest else {
                return Err(self.err(ErrorKind::Integrity, format!("a layer has no valid sha256 digest: {layer}")));
            };
            let annotations: BTreeMap<String, String> = layer
                .get("annotations")
                .and_then(Value::as_object)
                .map(|a| a.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect())
                .unwrap_or_default();
            let title = annotations.get(TITLE).map(String::as_str).unwrap_or("");
            let single = super::safe_relative(Path::new(title)).ok().flatten().filter(|p| p.components().count() == 1);
            let Some(name) = single else {
                return Err(self.err(ErrorKind::Integrity, format!("layer {digest} has no usable {TITLE} (got {title:?}); each layer must be named like `prototype` or `metadata.lua`")));
            };
            out.push(Layer {
                digest: digest.to_string(),
                size: layer.get("size").and_then(Value::as_u64),
                title: title.to_string(),
                name,
                unpack: annotations.get(UNPACK).map(String::as_str) == Some("true"),
                stream: false,
            });
        }
        let alone =
            |i: usize| (0..out.len()).all(|j| j == i || (out[j].name != out[i].name && out[j].digest != out[i].digest));
        let stream: Vec<bool> = (0..out.len()).map(|i| out[i].unpack && alone(i)).collect();
        for (l, s) in out.iter_mut().zip(stream) {
            l.stream = s;
        }
        Ok(out)
    }

    /// Fills `dir` with the dataset's layers (of two with one name, the later wins). A worker
    /// thread applies each layer once its blob is checked, while the rest are still
    /// downloading (see [`apply_layers`]); `stream` layers are unpacked as they download.
    fn fill(&mut self, manifest: &Value, dir: &Path) -> Result<Written, Error> {
        let layers = self.layers(manifest)?;
        let t0 = self.ctx.timing;
        let (tx, rx) = mpsc::channel::<Ready>();
        std::thread::scope(|scope| {
            let worker = std::thread::Builder::new()
                .name("fm-unpack".into())
                .spawn_scoped(scope, || apply_layers(&layers, dir, rx, t0));
            let worker = match worker {
                Ok(w) => w,
                Err(e) => return Err(self.err(ErrorKind::Io, format!("cannot start the unpacking thread: {e}"))),
            };
            let fetched = self.blobs(&layers, dir, &|ready| {
                // A closed channel means the worker already failed; its error is reported below.
                let _ = tx.send(ready);
            });
            drop(tx);
            let applied = worker.join();
            fetched?;
            self.ctx.phase("all layers downloaded, checked and in place");
            match applied {
                Ok(Ok(written)) => Ok(written),
                Ok(Err((kind, message))) => Err(self.err(kind, message)),
                Err(_) => Err(self.err(ErrorKind::Io, "the unpacking thread failed")),
            }
        })
    }
}

/// A layer for [`apply_layers`]: its checked blob, or (a `stream` layer) already unpacked.
enum Ready {
    Blob(usize, PathBuf),
    Unpacked(usize, Vec<(PathBuf, Left)>),
}

/// What a streamed layer's unpacker receives: the blob's bytes as they arrive, then `End`
/// once the whole blob matched the manifest's size and digest. A channel closed without `End`
/// is a download that failed (cut, timed out, altered): the unpacker fails too.
enum Piece {
    Data(Box<dyn AsRef<[u8]> + Send>),
    End,
}

/// The blob of a streamed layer as a `Read`, for the tar+gzip unpacker.
struct PieceReader {
    rx: mpsc::Receiver<Piece>,
    current: Option<Box<dyn AsRef<[u8]> + Send>>,
    at: usize,
    ended: bool,
}

impl PieceReader {
    fn new(rx: mpsc::Receiver<Piece>) -> PieceReader {
        PieceReader { rx, current: None, at: 0, ended: false }
    }
}

impl std::io::Read for PieceReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(piece) = &self.current {
                let bytes = (**piece).as_ref();
                let rest = bytes.get(self.at..).unwrap_or_default();
                if !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    self.at += n;
                    return Ok(n);
                }
                self.current = None;
            }
            if self.ended || buf.is_empty() {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Piece::Data(d)) => {
                    self.current = Some(d);
                    self.at = 0;
                }
                Ok(Piece::End) => self.ended = true,
                Err(_) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the download stopped before the layer was complete and checked",
                    ));
                }
            }
        }
    }
}

/// Unpacks a `stream` layer from `rx` into `dir`, as [`apply_layer`] does from a file. Whatever
/// an earlier attempt at the layer left is removed first (a download retried with the
/// system's roots starts over).
fn unpack_streamed(
    layer: &Layer,
    dir: &Path,
    rx: mpsc::Receiver<Piece>,
    t0: Option<std::time::Instant>,
) -> Result<Vec<(PathBuf, Left)>, String> {
    let at = dir.join(&layer.name);
    let cleared = match fs::symlink_metadata(&at) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(&at),
        Ok(_) => fs::remove_file(&at),
        Err(_) => Ok(()),
    };
    cleared.map_err(|e| format!("cannot clear {} for the layer: {e}", at.display()))?;
    let mut reader = PieceReader::new(rx);
    let entries = unpack_tar_gz_hashed(&mut reader, dir, Some(&layer.title)).map_err(|e| e.to_string())?;
    // What follows the archive's end (the gzip trailer, padding): read to the end of the
    // stream, which only comes once the blob matched the manifest.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| e.to_string())?;
    super::phase_at(t0, &format!("layer `{}` unpacked while downloading", layer.title));
    Ok(entries)
}

/// How a blob download failed: the network (classified by the caller) or the check and disk.
enum Failure {
    Net(oci_client::errors::OciDistributionError),
    Fill(FillError),
}

/// Applies the layers to `dir` as their checked blobs arrive on `rx`. A layer only writes at
/// its own name (a file, or a folder it unpacks into), so layers of different names go in as
/// soon as they arrive, and those sharing a name in manifest order (a later one wins). A
/// `stream` layer arrives unpacked (its name is its own): only what it wrote is recorded.
fn apply_layers(
    layers: &[Layer],
    dir: &Path,
    rx: mpsc::Receiver<Ready>,
    t0: Option<std::time::Instant>,
) -> Result<Written, (ErrorKind, String)> {
    let mut blobs: Vec<Option<PathBuf>> = vec![None; layers.len()];
    let mut applied = vec![false; layers.len()];
    let mut written = Written::new();
    while applied.iter().any(|a| !a) {
        // The sender closing early means the downloads failed; the caller reports that.
        let Ok(ready) = rx.recv() else { return Ok(written) };
        match ready {
            Ready::Blob(i, path) => {
                if let Some(slot) = blobs.get_mut(i) {
                    *slot = Some(path);
                }
            }
            Ready::Unpacked(i, entries) => {
                if applied.get(i) == Some(&false) {
                    record(&mut written, entries);
                    super::phase_at(t0, &format!("layer `{}` in place", layers[i].title));
                    applied[i] = true;
                }
                continue;
            }
        }
        loop {
            let earlier_pending = |j: usize| (0..j).any(|k| !applied[k] && layers[k].name == layers[j].name);
            let ready = (0..layers.len()).find_map(|j| match &blobs[j] {
                Some(blob) if !applied[j] && !earlier_pending(j) => Some((j, blob)),
                _ => None,
            });
            let Some((j, blob)) = ready else { break };
            apply_layer(&layers[j], blob, dir, &mut written)?;
            super::phase_at(t0, &format!("layer `{}` in place", layers[j].title));
            applied[j] = true;
        }
    }
    Ok(written)
}

/// Records what unpacking a layer left, with the checksums taken while writing.
fn record(written: &mut Written, entries: Vec<(PathBuf, Left)>) {
    for (rel, left) in entries {
        written.insert(rel, if let Left::File(sum) = left { sum } else { None });
    }
}

fn apply_layer(layer: &Layer, blob: &Path, dir: &Path, written: &mut Written) -> Result<(), (ErrorKind, String)> {
    let title = &layer.title;
    if layer.unpack {
        let file =
            fs::File::open(blob).map_err(|e| (ErrorKind::Io, format!("reading the cached layer `{title}`: {e}")))?;
        let entries = unpack_tar_gz_hashed(std::io::BufReader::new(file), dir, Some(title)).map_err(|e| {
            (
                ErrorKind::Integrity,
                format!(
                    "layer `{title}` ({}): {e}; the artifact is damaged or unsafe, report it to its publisher",
                    layer.digest
                ),
            )
        })?;
        record(written, entries);
    } else {
        fs::copy(blob, dir.join(&layer.name))
            .map_err(|e| (ErrorKind::Io, format!("copying layer `{title}` into the dataset: {e}")))?;
        written.insert(layer.name.clone(), None);
    }
    Ok(())
}

/// Streams the blob of `layer` into `temp` (and to `tx`, when given), hashing it on the way:
/// (digest, length).
async fn pull_blob(
    n: &Net,
    r: &OciRef,
    layer: &Layer,
    temp: &Path,
    tx: Option<&mpsc::Sender<Piece>>,
    progress: &std::cell::RefCell<Progress>,
    t0: Option<std::time::Instant>,
) -> Result<(String, u64), Failure> {
    let mut file = fs::File::create(temp).map_err(|e| Failure::Fill(e.into()))?;
    let reference = r.with_digest(&layer.digest);
    let mut stream = n.client.pull_blob_stream(&reference, layer.digest.as_str()).await.map_err(Failure::Net)?.stream;
    super::phase_at(t0, &format!("layer `{}`: the registry answered", layer.title));
    let mut hasher = Hasher::default();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            // The client's own digest check fails at the end of the stream: every byte is in
            // `hasher`, and the caller's checks say what was wrong.
            Err(e) if e.get_ref().is_some_and(|i| i.is::<oci_client::errors::DigestError>()) => break,
            Err(e) => {
                return Err(Failure::Net(
                    std::io::Error::other(format!(
                        "connection lost after {} bytes: {}",
                        hasher.len(),
                        super::error_text(&e)
                    ))
                    .into(),
                ));
            }
        };
        hasher.update(&chunk);
        progress.borrow_mut().add(chunk.len());
        if let Some(tx) = tx {
            // A closed channel is an unpacker that already failed: the caller reports it, and
            // the blob is still worth keeping once checked.
            let _ = tx.send(Piece::Data(Box::new(chunk.clone())));
        }
        file.write_all(&chunk).map_err(|e| Failure::Fill(e.into()))?;
        if layer.size.is_some_and(|s| hasher.len() > s) {
            break;
        }
    }
    // No fsync: every reuse of a blob re-hashes it, so one lost to a crash is fetched again,
    // never trusted; the sync cost a few ms per layer on every cold pull.
    let (digest, _, len) = hasher.finish();
    Ok((digest, len))
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

/// Removes any credential from a client error text: [`super::redact`]'s patterns, and the
/// session's own credentials in every encoding (a registry may echo the request's headers).
fn scrub(text: &str, auth: &RegistryAuth) -> String {
    let mut secrets = super::Secrets::from_env();
    match auth {
        RegistryAuth::Basic(user, password) => {
            secrets.add(Some(user), password);
            secrets.add(None, password);
        }
        RegistryAuth::Bearer(token) => secrets.add(None, token),
        RegistryAuth::Anonymous => {}
    }
    secrets.scrub(text)
}

/// Fetches `r`: resolves the tag, finds the dataset (itself or a referrer), fills the cache.
pub(crate) fn fetch(r: &OciRef, ctx: &Ctx) -> Result<Fetched, Error> {
    let mut s = Session { r, ctx, net: None, prefetched: None, light: false, full_tls: false };
    let digest = match (&r.digest, &r.tag) {
        (Some(d), _) => d.clone(),
        (None, Some(t)) => s.resolve_tag(t)?,
        (None, None) => return Err(s.err(ErrorKind::Invalid, "needs a tag or a digest")),
    };
    ctx.phase("tag resolved");
    let manifest = s.manifest(&digest)?;
    ctx.phase("manifest");
    let (dataset_digest, dataset, subject) = if is_dataset(&manifest) {
        let subject = subject_of(&manifest, r);
        (digest, manifest, subject)
    } else {
        let found = s.dataset_referrer(&digest)?;
        let dataset = s.manifest(&found)?;
        if !is_dataset(&dataset) {
            return Err(s.err(ErrorKind::Integrity, format!("referrer {found} is not a dataset artifact")));
        }
        (found, dataset, Some(referred_subject(r, &digest, &manifest)))
    };
    let key = dataset_key(&dataset_digest);
    let dir = dataset_dir::serve(ctx, &key, &r.display(), &r.repo_display(), |dir| s.fill(&dataset, dir))?;
    Ok(served(r, dir, dataset_digest, subject))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_secrets_from_client_errors() {
        let text =
            scrub("401 at https://bob:s3cret@r/v2/ token s3cret", &RegistryAuth::Basic("bob".into(), "s3cret".into()));
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn layers_apply_as_they_arrive_and_a_later_one_of_the_same_name_wins() {
        use crate::source::unpack::tests::raw_tar_gz;
        let blobs = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let layer = |title: &str, unpack: bool| Layer {
            digest: String::new(),
            size: None,
            title: title.into(),
            name: title.into(),
            unpack,
            stream: false,
        };
        let layers = [layer("metadata.json", false), layer("locale", true), layer("metadata.json", false)];
        let paths: Vec<PathBuf> = (0..3).map(|i| blobs.path().join(i.to_string())).collect();
        fs::write(&paths[0], "first").unwrap();
        fs::write(&paths[1], raw_tar_gz(&[("locale/en.cfg", b'0', "", b"[a]\nb=c\n")])).unwrap();
        fs::write(&paths[2], "second").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // The last layer arrives first and must wait for the first; the locale goes in at once.
        for i in [2, 1, 0] {
            tx.send(Ready::Blob(i, paths[i].clone())).unwrap();
        }
        drop(tx);
        let written = apply_layers(&layers, dir.path(), rx, None).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("metadata.json")).unwrap(), "second");
        assert_eq!(fs::read_to_string(dir.path().join("locale/en.cfg")).unwrap(), "[a]\nb=c\n");
        assert!(written.contains_key(Path::new("locale/en.cfg")) && written.contains_key(Path::new("metadata.json")));
    }

    fn stream_layer(title: &str) -> Layer {
        Layer { digest: String::new(), size: None, title: title.into(), name: title.into(), unpack: true, stream: true }
    }

    /// Sends `bytes` in pieces of `piece` bytes, then `End` when `end`, then closes.
    fn pieces(bytes: &[u8], piece: usize, end: bool) -> mpsc::Receiver<Piece> {
        let (tx, rx) = mpsc::channel();
        for c in bytes.chunks(piece) {
            tx.send(Piece::Data(Box::new(c.to_vec()))).unwrap();
        }
        if end {
            tx.send(Piece::End).unwrap();
        }
        rx
    }

    #[test]
    fn a_streamed_layer_reads_to_its_end_only_once_the_download_is_checked() {
        use std::io::Read;
        let mut all = Vec::new();
        PieceReader::new(pieces(b"abcdefghij", 3, true)).read_to_end(&mut all).unwrap();
        assert_eq!(all, b"abcdefghij");
        // Closed without `End`: the download failed, whatever arrived before.
        let mut some = Vec::new();
        let e = PieceReader::new(pieces(b"abcdefghij", 3, false)).read_to_end(&mut some).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
        assert_eq!(some, b"abcdefghij");
    }

    #[test]
    fn streamed_layers_unpack_and_fail_like_layers_from_a_file() {
        use crate::source::unpack::tests::{RawEntry, raw_tar_gz};
        let gz = raw_tar_gz(&[("locale/en.cfg", b'0', "", b"[a]\nb=c\n"), ("locale/de.cfg", b'0', "", b"[a]\nb=d\n")]);
        let dir = tempfile::tempdir().unwrap();
        // An earlier attempt left a file the layer does not have: it goes.
        fs::create_dir_all(dir.path().join("locale")).unwrap();
        fs::write(dir.path().join("locale/stale.cfg"), "x").unwrap();
        let entries = unpack_streamed(&stream_layer("locale"), dir.path(), pieces(&gz, 7, true), None).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(fs::read_to_string(dir.path().join("locale/de.cfg")).unwrap(), "[a]\nb=d\n");
        assert!(!dir.path().join("locale/stale.cfg").exists());

        // Cut anywhere: an error, never a layer that looks complete.
        for cut in [0, 10, gz.len() / 2, gz.len()] {
            let dir = tempfile::tempdir().unwrap();
            let r = unpack_streamed(&stream_layer("locale"), dir.path(), pieces(&gz[..cut], 5, false), None);
            assert!(r.is_err(), "cut at {cut}: {r:?}");
        }

        // The unpacker's own refusals hold while streaming.
        let outside = tempfile::tempdir().unwrap();
        let cases: [&[RawEntry]; 5] = [
            &[("locale/../../evil", b'0', "", b"x")],
            &[("/tmp/evil-fm-stream", b'0', "", b"x")],
            &[("locale/l", b'2', "../../..", b"")],
            &[("locale/l", b'2', ".", b""), ("locale/l/evil", b'0', "", b"x")],
            &[("prototype/data-raw.json", b'0', "", b"{}")],
        ];
        for entries in cases {
            let dir = outside.path().join("dataset");
            let r = unpack_streamed(&stream_layer("locale"), &dir, pieces(&raw_tar_gz(entries), 64, true), None);
            assert!(r.as_ref().is_err_and(|e| e.contains("unsafe entry refused")), "{entries:?}: {r:?}");
            assert!(!outside.path().join("evil").exists() && !Path::new("/tmp/evil-fm-stream").exists());
        }
    }
}
