//! Where datasets come from: a local folder, an OCI registry (ORAS artifacts), a Git host
//! serving the dataset layout over HTTPS, or a modpack name resolved through the configured
//! sources. Everything remote lands in the cache (see [`crate::cache`]) verified, and is
//! served from there afterwards, offline too.
//!
//! The one entry point is [`fetch`]; [`is_remote`] tells whether a dataset reference needs it.
//!
//! The network half (`oci`, `git`, `http`, `push`) is the `fetch` feature. A build without it
//! (the Lua module) serves what the cache holds fresh itself ([`fetch_cached`]) and hands the
//! other remote fetches to the `factorio-mocks` command ([`fetcher`]), which shares the cache.

#[cfg_attr(not(feature = "fetch"), allow(dead_code))]
mod dataset_dir;
#[cfg_attr(not(feature = "fetch"), allow(dead_code))]
mod digest;
pub mod fetcher;
#[cfg(feature = "fetch")]
mod git;
#[cfg(feature = "fetch")]
pub mod http;
#[cfg_attr(not(feature = "fetch"), allow(dead_code))]
mod metadata;
#[cfg(feature = "fetch")]
mod oci;
mod oci_ref;
#[cfg(feature = "fetch")]
pub mod push;
mod redact;
mod unpack;

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cache::Caches;
#[cfg(feature = "fetch")]
use crate::cache::{Key, Store};

pub use digest::{Adler32, check_checksum, hash_file, sha256_digest};
pub use redact::{Secrets, has_credentials, redact};
pub use unpack::{UnpackError, safe_relative, unpack_tar_gz};

/// The artifact type of a dataset artifact.
pub const DATASET_ARTIFACT_TYPE: &str = "application/vnd.factorio-mocks.dataset.v1";
/// Where modpack names are looked up when `FACTORIO_MOCKS_SOURCE` is unset.
pub const DEFAULT_SOURCE: &str = "oci://ghcr.io/quingkhaos/factorio-mocks-data";
/// The tag a modpack name without one resolves to.
pub const DEFAULT_TAG: &str = "stable";
/// How long a tag resolution stays fresh when `FACTORIO_MOCKS_TTL` is unset: a day.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 3600);
/// Downloads larger than this show progress (when stderr is a terminal).
pub const PROGRESS_THRESHOLD: u64 = 4 << 20;
/// How long the network may stay silent when `FetchOptions::timeout` is unset.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How to fetch. Unset fields come from the environment (DESIGN.md "Environment variables").
#[derive(Clone, Debug, Default)]
pub struct FetchOptions {
    /// The cache root; default [`crate::cache::root_dir`].
    pub cache_dir: Option<PathBuf>,
    /// Serve only what is cached; default `FACTORIO_MOCKS_OFFLINE=1`.
    pub offline: Option<bool>,
    /// Freshness of tag resolutions; default `FACTORIO_MOCKS_TTL` seconds, else a day.
    pub ttl: Option<Duration>,
    /// Ordered sources for modpack names; default `FACTORIO_MOCKS_SOURCE`, else [`DEFAULT_SOURCE`].
    pub sources: Option<Vec<String>>,
    /// Allow plain HTTP to hosts other than loopback; `FACTORIO_MOCKS_ALLOW_HTTP=1` does the
    /// same from the environment (either one opts in).
    pub allow_http: bool,
    /// How long the network may stay silent (connecting, waiting for an answer, between two
    /// reads of a download) before the fetch fails; default [`DEFAULT_TIMEOUT`]. A Git-host
    /// file also has ten times this as its whole download budget.
    pub timeout: Option<Duration>,
    /// Show download progress; default: when stderr is a terminal.
    pub progress: Option<bool>,
    /// Re-hash every cached dataset file against its metadata checksums (slow, thorough).
    pub verify: bool,
}

/// A dataset ready on disk, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The dataset folder (for a local `data-raw-dump.json`, that file).
    pub dir: PathBuf,
    /// Which source served it: `local`, the OCI repository, the Git base URL, or `cache`.
    pub source: String,
    /// The immutable reference of what was served (`oci://host/repo@sha256:…` for OCI).
    pub reference: String,
    /// The dataset manifest digest (OCI) or metadata digest (Git).
    pub digest: Option<String>,
    /// The modpack artifact that produced the dataset (OCI `subject`), when known.
    pub subject: Option<Subject>,
    /// Warnings also printed to stderr (stale answers served offline, fallbacks).
    pub warnings: Vec<String>,
}

/// An OCI artifact a dataset was produced from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// `oci://host/repo@sha256:…`
    pub reference: String,
    /// `sha256:…`
    pub digest: String,
    /// Its media type.
    pub media_type: Option<String>,
    /// Its artifact type, when the registry reported one.
    pub artifact_type: Option<String>,
}

/// What went wrong, broadly (the message has the details and the fix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The reference is malformed or names something unsupported.
    Invalid,
    /// Offline and not in the cache.
    Offline,
    /// The source has no such artifact, tag or file.
    NotFound,
    /// The registry or host refused the credentials.
    Auth,
    /// Content did not match its digest or checksum, or a layer was unsafe.
    Integrity,
    /// Connection, timeout or server failure.
    Network,
    /// The local disk (cache folder) failed.
    Io,
}

/// A failed fetch: the reference, the source tried and what to do. Never holds a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The reference as given (credentials removed).
    pub reference: String,
    /// The source that failed.
    pub source: String,
    /// The broad kind.
    pub kind: ErrorKind,
    /// What failed and what to do.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_empty() || self.source == self.reference {
            write!(f, "fetching {}: {}", self.reference, self.message)
        } else {
            write!(f, "fetching {} from {}: {}", self.reference, self.source, self.message)
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The one constructor: reference, source and message lose every credential (see
    /// [`redact`]), the environment's and any piece of the reference's own included.
    pub(crate) fn new(reference: &str, source: &str, kind: ErrorKind, message: impl Into<String>) -> Error {
        let mut secrets = Secrets::from_env();
        secrets.add_from_references(&[reference, source]);
        Error {
            reference: secrets.scrub(reference),
            source: secrets.scrub(source),
            kind,
            message: secrets.scrub(&message.into()),
        }
    }
}

/// True when `reference` needs [`fetch`]: `oci://`, `https://`, `http://`, or a bare modpack
/// name (`space-age`, `space-age:2.0.77`) that is not an existing path.
pub fn is_remote(reference: &str) -> bool {
    if ["oci://", "https://", "http://"].iter().any(|p| reference.starts_with(p)) {
        return true;
    }
    parse_modpack(reference).is_some() && !Path::new(reference).exists()
}

/// A modpack name and optional tag: lowercase letters, digits, `-`, `_`, `.`; no path
/// separators and no file extension a dataset file would have.
fn parse_modpack(reference: &str) -> Option<(&str, Option<&str>)> {
    let (name, tag) = match reference.split_once(':') {
        Some((n, t)) => (n, Some(t)),
        None => (reference, None),
    };
    let name_ok = !name.is_empty()
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
        && ![".json", ".lua", ".zip", ".cfg"].iter().any(|ext| name.ends_with(ext));
    let tag_ok = tag.is_none_or(valid_tag);
    (name_ok && tag_ok).then_some((name, tag))
}

/// OCI tag grammar: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
pub(crate) fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// Everything a fetch needs, resolved once from options and environment.
#[cfg_attr(not(feature = "fetch"), allow(dead_code))]
pub(crate) struct Ctx {
    pub caches: Caches,
    pub offline: bool,
    pub ttl: Duration,
    pub sources: Vec<String>,
    pub allow_http: bool,
    pub timeout: Duration,
    pub progress: bool,
    pub verify: bool,
    pub warnings: std::cell::RefCell<Vec<String>>,
    /// When the fetch started, if `FACTORIO_MOCKS_TIMING` asks for a timeline on stderr.
    pub timing: Option<std::time::Instant>,
}

#[cfg_attr(not(feature = "fetch"), allow(dead_code))]
impl Ctx {
    fn new(opts: &FetchOptions) -> Ctx {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let mut warnings = Vec::new();
        let ttl = opts.ttl.unwrap_or_else(|| match env("FACTORIO_MOCKS_TTL") {
            Some(v) => match v.trim().parse::<u64>() {
                Ok(s) => Duration::from_secs(s),
                Err(_) => {
                    warnings.push(format!(
                        "FACTORIO_MOCKS_TTL={v:?} is not a number of seconds; using {}",
                        DEFAULT_TTL.as_secs()
                    ));
                    DEFAULT_TTL
                }
            },
            None => DEFAULT_TTL,
        });
        let sources = opts.sources.clone().unwrap_or_else(|| {
            env("FACTORIO_MOCKS_SOURCE")
                .map(|v| split_sources(&v))
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| vec![DEFAULT_SOURCE.to_string()])
        });
        let ctx = Ctx {
            caches: Caches::open(&opts.cache_dir.clone().unwrap_or_else(crate::cache::root_dir)),
            offline: opts.offline.unwrap_or_else(|| env("FACTORIO_MOCKS_OFFLINE").is_some_and(|v| is_yes(&v))),
            ttl,
            sources,
            allow_http: opts.allow_http || env("FACTORIO_MOCKS_ALLOW_HTTP").is_some_and(|v| is_yes(&v)),
            timeout: opts.timeout.filter(|t| !t.is_zero()).unwrap_or(DEFAULT_TIMEOUT),
            progress: opts.progress.unwrap_or_else(|| std::io::stderr().is_terminal()),
            verify: opts.verify,
            warnings: Default::default(),
            timing: env("FACTORIO_MOCKS_TIMING").filter(|v| is_yes(v)).map(|_| std::time::Instant::now()),
        };
        for w in warnings {
            ctx.warn(w);
        }
        ctx
    }

    /// Records a warning and prints it on stderr: stale data must never be served silently.
    pub fn warn(&self, text: String) {
        let text = Secrets::from_env().scrub(&text);
        eprintln!("factorio-mocks: warning: {text}");
        self.warnings.borrow_mut().push(text);
    }

    /// With `FACTORIO_MOCKS_TIMING=1`, prints when a step of the fetch ended, in ms since its
    /// start: how the cold-pull figure of `make bench` is broken down.
    pub fn phase(&self, what: &str) {
        phase_at(self.timing, what);
    }

    /// Plain HTTP is allowed for loopback hosts, or everywhere with the explicit opt-in.
    pub fn http_allowed(&self, host: &str) -> bool {
        self.allow_http || is_loopback(host)
    }
}

/// [`Ctx::phase`] for threads without the context.
#[cfg_attr(not(feature = "fetch"), allow(dead_code))]
pub(crate) fn phase_at(t0: Option<std::time::Instant>, what: &str) {
    if let Some(t0) = t0 {
        eprintln!("factorio-mocks: timing: {:7.2} ms  {what}", t0.elapsed().as_secs_f64() * 1e3);
    }
}

/// An environment switch is on unless empty, `0`, `false` or `no`.
fn is_yes(v: &str) -> bool {
    !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false" | "no" | "off")
}

/// `FACTORIO_MOCKS_SOURCE` entries: separated by commas, semicolons or white space.
fn split_sources(v: &str) -> Vec<String> {
    v.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// `127.0.0.0/8`, `::1` and `localhost`, with or without a port.
pub(crate) fn is_loopback(host_port: &str) -> bool {
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_port.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map_or(host_port, |(h, _)| h)
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Fetches a dataset: a local path (returned as is), `oci://host/repo:tag` or `@sha256:…`, an
/// `https://` (or loopback `http://`) Git base URL, or a modpack name through the configured
/// sources. Returns the local folder of a verified, cached copy and where it came from.
pub fn fetch(reference: &str, opts: &FetchOptions) -> Result<Fetched, Error> {
    if !is_remote(reference) {
        return local(reference);
    }
    #[cfg(feature = "fetch")]
    {
        let ctx = Ctx::new(opts);
        let mut fetched = fetch_with(reference, &ctx)?;
        fetched.warnings = ctx.warnings.take();
        Ok(fetched)
    }
    #[cfg(not(feature = "fetch"))]
    match fetch_cached(reference, opts) {
        Some(fetched) => Ok(fetched),
        None => fetcher::fetch(reference, opts),
    }
}

/// What the cache alone serves for a remote `reference`: an OCI reference, or a modpack name
/// its first source serves from OCI, with every answer fresh and the dataset folder intact.
/// `None` when the network (or the full fetch's rules for stale answers) has to decide. The same
/// folder a [`fetch`] returns, without the network stack: the module's warm fetches.
pub fn fetch_cached(reference: &str, opts: &FetchOptions) -> Option<Fetched> {
    let ctx = Ctx::new(opts);
    if let Some(rest) = reference.strip_prefix("oci://") {
        return oci_ref::serve_cached(&oci_ref::OciRef::parse(rest).ok()?, &ctx);
    }
    let (name, tag) = parse_modpack(reference).filter(|_| !Path::new(reference).exists())?;
    let source = ctx.sources.first()?;
    let rest = source_reference(source, name, tag).strip_prefix("oci://")?.to_owned();
    let mut fetched = oci_ref::serve_cached(&oci_ref::OciRef::parse(&rest).ok()?, &ctx)?;
    fetched.source = redact(source);
    Some(fetched)
}

/// A reference [`is_remote`] does not take: an existing path, served as it is.
fn local(reference: &str) -> Result<Fetched, Error> {
    if Path::new(reference).exists() {
        return Ok(Fetched {
            dir: reference.into(),
            source: "local".into(),
            reference: reference.into(),
            digest: None,
            subject: None,
            warnings: Vec::new(),
        });
    }
    Err(Error::new(
        reference,
        "local",
        ErrorKind::NotFound,
        "no such file or folder, and not a modpack name (lowercase letters, digits, `-`, `_`, `.`, optionally `:tag`); \
         give a dataset folder, a data-raw-dump.json, an oci:// reference or an https:// base URL",
    ))
}

#[cfg(feature = "fetch")]
fn fetch_with(reference: &str, ctx: &Ctx) -> Result<Fetched, Error> {
    if let Some(rest) = reference.strip_prefix("oci://") {
        let r = oci_ref::OciRef::parse(rest).map_err(|m| Error::new(reference, reference, ErrorKind::Invalid, m))?;
        return oci::fetch(&r, ctx);
    }
    if reference.starts_with("https://") || reference.starts_with("http://") {
        return git::fetch(reference, ctx);
    }
    match parse_modpack(reference) {
        Some((name, tag)) if !Path::new(reference).exists() => fetch_modpack(reference, name, tag, ctx),
        _ => local(reference),
    }
}

/// The reference a source gives for a modpack: `{name}`/`{tag}` placeholders are replaced;
/// otherwise OCI sources get `/<name>:<tag>` and Git sources `/<name>`.
fn source_reference(source: &str, name: &str, tag: Option<&str>) -> String {
    let tag_or_default = tag.unwrap_or(DEFAULT_TAG);
    if source.contains("{name}") {
        return source.replace("{name}", name).replace("{tag}", tag_or_default);
    }
    let base = source.trim_end_matches('/');
    if base.starts_with("oci://") { format!("{base}/{name}:{tag_or_default}") } else { format!("{base}/{name}") }
}

#[cfg(feature = "fetch")]
fn fetch_modpack(reference: &str, name: &str, tag: Option<&str>, ctx: &Ctx) -> Result<Fetched, Error> {
    // What served this name last: the last resort when every source fails.
    let memo = Key::new(&format!("modpack\n{name}:{}", tag.unwrap_or(DEFAULT_TAG)));
    let mut failures = Vec::new();
    for (i, source) in ctx.sources.iter().enumerate() {
        let candidate = source_reference(source, name, tag);
        if !(candidate.starts_with("oci://") || candidate.starts_with("https://") || candidate.starts_with("http://")) {
            failures.push(format!("{}: not an oci:// or https:// source", redact(source)));
            continue;
        }
        match fetch_with(&candidate, ctx) {
            Ok(mut fetched) => {
                if i > 0 {
                    ctx.warn(format!("{reference} served by {} after {}", redact(source), failures.join("; ")));
                }
                remember(ctx, &memo, &fetched.reference);
                fetched.source = redact(source);
                return Ok(fetched);
            }
            Err(e) => failures.push(format!("{}: {}", redact(source), e.message)),
        }
    }
    if let Some(pinned) = ctx.caches.api.get(&memo).and_then(|h| std::fs::read_to_string(h.path).ok()) {
        let offline = Ctx {
            offline: true,
            warnings: Default::default(),
            sources: Vec::new(),
            caches: ctx.caches.clone(),
            ..*ctx
        };
        if let Ok(mut fetched) = fetch_with(pinned.trim(), &offline) {
            ctx.warnings.borrow_mut().extend(offline.warnings.take());
            ctx.warn(format!(
                "{reference} served from the cache ({}) because every source failed: {}",
                pinned.trim(),
                failures.join("; ")
            ));
            fetched.source = "cache".into();
            return Ok(fetched);
        }
    }
    let sources = ctx.sources.iter().map(|s| redact(s)).collect::<Vec<_>>().join(", ");
    Err(Error::new(
        reference,
        &sources,
        if ctx.offline { ErrorKind::Offline } else { ErrorKind::NotFound },
        format!(
            "no source could serve it ({}); check the name and tag, FACTORIO_MOCKS_SOURCE{}",
            failures.join("; "),
            if ctx.offline { ", or fetch once with FACTORIO_MOCKS_OFFLINE unset" } else { " and the network" }
        ),
    ))
}

#[cfg(feature = "fetch")]
fn remember(ctx: &Ctx, key: &Key, pinned: &str) {
    let store = &ctx.caches.api;
    let _ = crate::cache::with_lock(store, key, || -> std::io::Result<()> {
        let temp = store.temp_path(key)?;
        std::fs::write(&temp, pinned)?;
        store.commit(key, &temp, crate::cache::Expiry::Never).map(|_| ())
    });
}

#[cfg(feature = "fetch")]
/// Installs ring as the process's rustls provider once (reqwest and ureq are both built
/// without one, so no second crypto library is compiled in).
pub(crate) fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(feature = "fetch")]
/// A progress line on stderr for large downloads, when enabled.
pub(crate) struct Progress {
    label: String,
    total: u64,
    done: u64,
    shown: u64,
    on: bool,
}

#[cfg(feature = "fetch")]
impl Progress {
    pub fn new(ctx: &Ctx, label: String, total: Option<u64>) -> Progress {
        let total = total.unwrap_or(0);
        Progress { label, total, done: 0, shown: 0, on: ctx.progress && total > PROGRESS_THRESHOLD }
    }

    pub fn add(&mut self, n: usize) {
        self.done += n as u64;
        if self.on && (self.done - self.shown > (1 << 20) || self.done == self.total) {
            self.shown = self.done;
            let mb = |b: u64| b as f64 / 1048576.0;
            eprint!("\rfactorio-mocks: {} {:.1}/{:.1} MB", self.label, mb(self.done), mb(self.total));
        }
    }
}

#[cfg(feature = "fetch")]
impl Drop for Progress {
    fn drop(&mut self) {
        if self.on && self.shown > 0 {
            eprintln!();
        }
    }
}

#[cfg(feature = "fetch")]
/// An error with its chain of causes, each cause once: the text fetch errors quote.
fn error_text(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_references() {
        for r in [
            "oci://ghcr.io/x/y:1",
            "https://example.com/d",
            "http://127.0.0.1:8/d",
            "space-age",
            "space-age:2.0.77",
            "krastorio2",
        ] {
            assert!(is_remote(r), "{r}");
        }
        for r in ["./dataset", "data-raw-dump.json", "/tmp", "Space Age", "a/b", "x.lua", "", "space-age:bad tag"] {
            assert!(!is_remote(r), "{r}");
        }
    }

    #[test]
    fn credentials_are_redacted() {
        // The last `@` ends the user-info (a password may hold one): a path's `@` goes too.
        assert_eq!(redact("https://user:secret@host/path@x"), "https://***@x");
        assert_eq!(redact("oci://host/repo@sha256:ab"), "oci://host/repo@sha256:ab");
        let e = Error::new("https://u:hunter2@h/d", "https://u:hunter2@h", ErrorKind::Network, "down");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn loopback_hosts() {
        for h in ["127.0.0.1:5000", "localhost", "LOCALHOST:80", "[::1]:5000", "127.1.2.3"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["ghcr.io", "10.0.0.1:5000", "localhost.evil.com", "[::2]:1"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[cfg(feature = "fetch")]
    #[test]
    fn sources_expand_modpack_names() {
        assert_eq!(split_sources("oci://a/b, https://c/d;e  f"), ["oci://a/b", "https://c/d", "e", "f"]);
        assert_eq!(
            source_reference("oci://ghcr.io/q/data/", "space-age", None),
            "oci://ghcr.io/q/data/space-age:stable"
        );
        assert_eq!(source_reference("oci://r/d", "k2", Some("2.0")), "oci://r/d/k2:2.0");
        assert_eq!(source_reference("https://h/raw/main", "k2", Some("2.0")), "https://h/raw/main/k2");
        assert_eq!(source_reference("https://h/raw/{tag}/{name}", "k2", Some("2.0")), "https://h/raw/2.0/k2");
    }

    #[cfg(feature = "fetch")]
    #[test]
    fn offline_with_nothing_cached_fails_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let opts = FetchOptions {
            cache_dir: Some(dir.path().into()),
            offline: Some(true),
            sources: Some(vec!["oci://127.0.0.1:9/d".into()]),
            ..Default::default()
        };
        let e = fetch("oci://127.0.0.1:9/d/vanilla:stable", &opts).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Offline, "{e}");
        assert!(e.to_string().contains("FACTORIO_MOCKS_OFFLINE"), "{e}");
        let e = fetch("vanilla", &opts).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Offline, "{e}");
        let e = fetch("no/such/dir", &opts).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    }
}
