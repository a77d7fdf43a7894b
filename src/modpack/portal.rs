//! The Mod Portal API, as <https://wiki.factorio.com/Mod_portal_API> documents it:
//!
//! * `GET /api/mods/{name}/full`: the mod with `releases`, each
//!   `{download_url, file_name, info_json: {factorio_version, dependencies}, released_at,
//!   version, sha1}` (the "full" answer is the one whose `info_json` carries the
//!   dependencies). An unknown mod is HTTP 404 with `{"message": "Mod not found"}`.
//! * `GET /api/mods?namelist=a,b&page_size=N&page=P`: the listing, paged:
//!   `{pagination: {count, page, page_count, page_size, links: {first, prev, next, last}},
//!   results: [{name, …}]}`; `links.next` is null on the last page.
//! * Downloads: `GET {base}{download_url}?username={u}&token={t}` (wiki "Mod portal API",
//!   section Downloading mods), which redirects to the file. The token is the one the game
//!   keeps as `service-token` in `player-data.json`.
//!
//! [`Portal`] is what the resolver needs; [`HttpPortal`] serves it from the real API (or
//! anything at `FACTORIO_MOCKS_MOD_PORTAL`, such as the tests' loopback server).

use std::collections::BTreeSet;
use std::io::Read;
use std::time::Duration;

use serde_json::Value;

use crate::mods::{Dependency, Version};
use crate::source::http::{self, Budgets};

/// The real portal.
pub const DEFAULT_PORTAL: &str = "https://mods.factorio.com";
/// The environment variable that points the client at another portal.
pub const PORTAL_ENV: &str = "FACTORIO_MOCKS_MOD_PORTAL";
/// Names asked for per listing request (the namelist goes in the URL).
pub const NAMES_PER_REQUEST: usize = 50;
/// Listing pages followed at most, so a portal whose `next` never ends cannot loop us.
const MAX_PAGES: usize = 1000;

/// One release of a mod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// Its version.
    pub version: Version,
    /// `info_json.factorio_version`: the game series it is built for (`"2.0"`).
    pub factorio_version: String,
    /// `info_json.dependencies`, parsed (none listed: `base`, as the game assumes).
    pub dependencies: Vec<Dependency>,
    /// The path to download it from (`/download/{name}/{id}`).
    pub download_url: String,
    /// The zip's file name (`flib_0.16.2.zip`).
    pub file_name: String,
    /// The zip's SHA1, lowercase hex.
    pub sha1: String,
    /// Why the release cannot be used, when its answer was malformed (a dependency string the
    /// game would not read either); such a release is never picked.
    pub problem: Option<String>,
}

/// What went wrong talking to the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Connection, timeout, an HTTP failure, or an answer that is not the documented JSON.
    Network,
    /// The portal refused the username or token.
    Auth,
    /// A downloaded file did not match its SHA1.
    Integrity,
    /// The portal has no such file.
    NotFound,
    /// The local disk failed.
    Io,
}

/// A failed request: what was asked, what happened, what to do. Never holds a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The broad kind.
    pub kind: ErrorKind,
    /// The message.
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }
}

/// Where the resolver gets releases from.
pub trait Portal {
    /// Every release of `name`, or `None` when the portal does not know the mod.
    fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, Error>;

    /// The names of `names` the portal does not know. The default asks [`Portal::releases`]
    /// for each; [`HttpPortal`] asks the paged listing, a request per page.
    fn missing(&self, names: &[String]) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for n in names {
            if self.releases(n)?.is_none() {
                out.push(n.clone());
            }
        }
        Ok(out)
    }
}

/// Parses one release object of the API.
pub fn parse_release(v: &Value) -> Result<Release, String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let version_text = s("version").ok_or("a release without \"version\"")?;
    let version = Version::parse(&version_text)?;
    let at = |what: &str| format!("release {version}: {what}");
    let info = v.get("info_json").ok_or_else(|| at("no \"info_json\""))?;
    let factorio_version = info
        .get("factorio_version")
        .and_then(Value::as_str)
        .ok_or_else(|| at("no \"info_json.factorio_version\""))?
        .to_owned();
    let mut problem = None;
    let dependencies = match info.get("dependencies") {
        None | Some(Value::Null) => vec![Dependency::parse("base").map_err(|e| at(&e))?],
        Some(Value::Array(list)) => {
            let mut deps = Vec::new();
            for d in list {
                match d.as_str().map(Dependency::parse) {
                    Some(Ok(d)) => deps.push(d),
                    Some(Err(e)) => problem = Some(e),
                    None => problem = Some("a dependency that is not a string".into()),
                }
            }
            deps
        }
        Some(_) => return Err(at("\"info_json.dependencies\" is not a list")),
    };
    Ok(Release {
        version,
        factorio_version,
        dependencies,
        download_url: s("download_url").ok_or_else(|| at("no \"download_url\""))?,
        file_name: s("file_name").ok_or_else(|| at("no \"file_name\""))?,
        sha1: s("sha1").ok_or_else(|| at("no \"sha1\""))?.to_ascii_lowercase(),
        problem,
    })
}

/// Parses the answer of `/api/mods/{name}/full`.
pub fn parse_full(text: &str) -> Result<Vec<Release>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({}:{}: {e})", e.line(), e.column()))?;
    let list = v.get("releases").and_then(Value::as_array).ok_or("no \"releases\" list")?;
    list.iter().map(parse_release).collect()
}

/// How to reach the portal.
#[derive(Clone, Debug)]
pub struct PortalOptions {
    /// The base URL; default `FACTORIO_MOCKS_MOD_PORTAL`, else [`DEFAULT_PORTAL`].
    pub base: Option<String>,
    /// How long connecting and waiting for an answer may take; default 30 s.
    pub timeout: Duration,
    /// How long one zip may take in all; default 40 × `timeout`.
    pub download_timeout: Option<Duration>,
    /// Plain HTTP beyond loopback.
    pub allow_http: bool,
}

impl Default for PortalOptions {
    fn default() -> Self {
        PortalOptions { base: None, timeout: crate::source::DEFAULT_TIMEOUT, download_timeout: None, allow_http: false }
    }
}

/// The portal over HTTPS.
pub struct HttpPortal {
    base: String,
    api: ureq::Agent,
    files: ureq::Agent,
    timeout: Duration,
    file_budget: Duration,
}

impl std::fmt::Debug for HttpPortal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HttpPortal({})", self.base)
    }
}

impl HttpPortal {
    /// A client for the portal `opts` names; refuses plain HTTP beyond loopback and
    /// credentials in the URL.
    pub fn new(opts: &PortalOptions) -> Result<HttpPortal, Error> {
        let base = opts
            .base
            .clone()
            .or_else(|| std::env::var(PORTAL_ENV).ok().filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| DEFAULT_PORTAL.to_owned());
        let base = base.trim().trim_end_matches('/').to_owned();
        let host = http::host_of(&base);
        let invalid =
            |m: &str| Error::new(ErrorKind::Network, format!("mod portal {}: {m}", crate::source::redact(&base)));
        if host.contains('@') {
            return Err(invalid(
                "credentials do not belong in the portal URL; give them as FACTORIO_USERNAME and FACTORIO_TOKEN",
            ));
        }
        if !(base.starts_with("https://") || base.starts_with("http://")) || host.is_empty() {
            return Err(invalid(&format!(
                "expected https://host (set {PORTAL_ENV}, or unset it for {DEFAULT_PORTAL})"
            )));
        }
        if base.starts_with("http://") && !http::http_allowed(host, opts.allow_http) {
            return Err(invalid(
                "plain http is only used for loopback hosts; use https://, or opt in with FACTORIO_MOCKS_ALLOW_HTTP=1",
            ));
        }
        let files = opts.download_timeout.unwrap_or(opts.timeout * 40);
        Ok(HttpPortal {
            base,
            api: http::agent(Budgets::new(opts.timeout, 10)),
            files: http::agent(Budgets { answer: opts.timeout, body: files }),
            timeout: opts.timeout,
            file_budget: files,
        })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn transport(&self, what: &str, e: &ureq::Error) -> Error {
        let detail = crate::source::redact(&http::error_text(e));
        let timed_out =
            matches!(e, ureq::Error::Timeout(_)) || detail.contains("timed out") || detail.contains("timeout");
        if timed_out {
            Error::new(
                ErrorKind::Network,
                format!(
                    "{what}: no answer within {:?} ({detail}); the portal is slow or down: retry, or raise --timeout",
                    self.timeout
                ),
            )
        } else {
            Error::new(ErrorKind::Network, format!("{what}: {detail}; check the network and {PORTAL_ENV}"))
        }
    }

    /// GET an API path; `Ok(None)` on 404.
    fn get_json(&self, url: &str, what: &str) -> Result<Option<String>, Error> {
        let response =
            self.api.get(url).header("Accept", "application/json").call().map_err(|e| self.transport(what, &e))?;
        let status = response.status().as_u16();
        if status == 404 {
            return Ok(None);
        }
        if status != 200 {
            return Err(Error::new(
                ErrorKind::Network,
                format!("{what}: HTTP {status} from {}; retry later", self.base),
            ));
        }
        let mut text = String::new();
        response.into_body().into_reader().take(64 << 20).read_to_string(&mut text).map_err(|e| {
            Error::new(ErrorKind::Network, format!("{what}: reading the answer: {}", http::error_text(&e)))
        })?;
        Ok(Some(text))
    }

    /// The next page's URL, only on the portal's own host.
    fn next_page(&self, next: &str) -> Option<String> {
        let url = if next.starts_with('/') { format!("{}{next}", self.base) } else { next.to_owned() };
        (http::host_of(&url) == http::host_of(&self.base) && url.split("://").next() == self.base.split("://").next())
            .then_some(url)
    }

    /// The names of `names` that the listing knows, following `pagination.links.next`.
    pub fn known(&self, names: &[String]) -> Result<BTreeSet<String>, Error> {
        let mut found = BTreeSet::new();
        for chunk in names.chunks(NAMES_PER_REQUEST) {
            let list: Vec<String> = chunk.iter().map(|n| encode(n)).collect();
            let mut url =
                Some(format!("{}/api/mods?namelist={}&page_size={}", self.base, list.join(","), chunk.len().max(1)));
            let mut pages = 0;
            while let Some(u) = url.take() {
                pages += 1;
                if pages > MAX_PAGES {
                    return Err(Error::new(
                        ErrorKind::Network,
                        format!("GET /api/mods: more than {MAX_PAGES} pages; the portal's paging does not end"),
                    ));
                }
                let what = format!("GET /api/mods (page {pages})");
                let text = self.get_json(&u, &what)?.ok_or_else(|| {
                    Error::new(ErrorKind::Network, format!("{what}: HTTP 404; is {} a mod portal?", self.base))
                })?;
                let v: Value = serde_json::from_str(&text)
                    .map_err(|e| Error::new(ErrorKind::Network, format!("{what}: not the documented JSON ({e})")))?;
                let results = v
                    .get("results")
                    .and_then(Value::as_array)
                    .ok_or_else(|| Error::new(ErrorKind::Network, format!("{what}: no \"results\" list")))?;
                for r in results {
                    if let Some(n) = r.get("name").and_then(Value::as_str) {
                        found.insert(n.to_owned());
                    }
                }
                let next = v.pointer("/pagination/links/next").and_then(Value::as_str);
                url = match next {
                    None => None,
                    Some(n) => Some(self.next_page(n).ok_or_else(|| {
                        Error::new(
                            ErrorKind::Network,
                            format!(
                                "{what}: the next page is on another host ({}); refusing to follow",
                                crate::source::redact(n)
                            ),
                        )
                    })?),
                };
            }
        }
        Ok(found)
    }

    /// Opens the download of `release` with the given credentials: the response body and
    /// its announced length. The credentials go only into the request's query.
    pub(crate) fn open_download(
        &self,
        release: &Release,
        username: &str,
        token: &str,
    ) -> Result<(ureq::Body, Option<u64>), Error> {
        let what = format!("downloading {}", release.file_name);
        let path = if release.download_url.starts_with('/') {
            release.download_url.clone()
        } else {
            format!("/{}", release.download_url)
        };
        if path.contains("://") || path.contains(['?', '#']) {
            return Err(Error::new(
                ErrorKind::Network,
                format!("{what}: the portal gave an unusable download path {:?}", release.download_url),
            ));
        }
        let url = format!("{}{path}?username={}&token={}", self.base, encode(username), encode(token));
        let scrub = |text: String| scrub(&text, &[username, token]);
        let response = self.files.get(&url).call().map_err(|e| {
            let e = self.transport(&what, &e);
            Error::new(e.kind, scrub(e.message))
        })?;
        let status = response.status().as_u16();
        let html = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        match status {
            200 if html => Err(Error::new(
                ErrorKind::Auth,
                format!(
                    "{what}: the portal answered with a web page (its login page) instead of the zip; the username or token is wrong: check FACTORIO_USERNAME and FACTORIO_TOKEN (the token is on https://factorio.com/profile)"
                ),
            )),
            200 => {
                let len = response.body().content_length();
                Ok((response.into_body(), len))
            }
            401 | 403 => Err(Error::new(
                ErrorKind::Auth,
                format!(
                    "{what}: HTTP {status}; the portal refused the username or token: check FACTORIO_USERNAME and FACTORIO_TOKEN (the token is on https://factorio.com/profile)"
                ),
            )),
            404 => Err(Error::new(
                ErrorKind::NotFound,
                format!("{what}: HTTP 404; the release is gone from the portal, resolve the modpack again"),
            )),
            _ => Err(Error::new(ErrorKind::Network, format!("{what}: HTTP {status} from {}; retry later", self.base))),
        }
    }

    /// How long one zip may take in all, for messages.
    pub(crate) fn file_budget(&self) -> Duration {
        self.file_budget
    }
}

impl Portal for HttpPortal {
    fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, Error> {
        let what = format!("GET /api/mods/{name}/full");
        let url = format!("{}/api/mods/{}/full", self.base, encode(name));
        let Some(text) = self.get_json(&url, &what)? else { return Ok(None) };
        parse_full(&text)
            .map(Some)
            .map_err(|e| Error::new(ErrorKind::Network, format!("{what}: {e}; the answer is not the documented shape")))
    }

    fn missing(&self, names: &[String]) -> Result<Vec<String>, Error> {
        let known = self.known(names)?;
        Ok(names.iter().filter(|n| !known.contains(*n)).cloned().collect())
    }
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Replaces every secret (and its URL-encoded form) in `text` with `***`.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(*s, "***").replace(&encode(s), "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_answers_parse_as_documented() {
        let text = r#"{"name": "flib", "releases": [
            {"download_url": "/download/flib/1", "file_name": "flib_0.1.0.zip", "info_json": {"factorio_version": "1.1"},
             "released_at": "2020-01-01T00:00:00.000000Z", "version": "0.1.0", "sha1": "ABC"},
            {"download_url": "/download/flib/2", "file_name": "flib_0.16.2.zip",
             "info_json": {"factorio_version": "2.0", "dependencies": ["base >= 2.0.0", "? space-age", "bad >> 1"]},
             "released_at": "2025-01-01T00:00:00.000000Z", "version": "0.16.2", "sha1": "def"}]}"#;
        let r = parse_full(text).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].dependencies, [Dependency::parse("base").unwrap()]);
        assert_eq!(r[0].sha1, "abc");
        assert_eq!(r[1].factorio_version, "2.0");
        assert_eq!(r[1].dependencies.len(), 2);
        assert!(r[1].problem.as_deref().unwrap().contains("bad >> 1"));
        assert!(parse_full("{}").unwrap_err().contains("no \"releases\""));
    }

    #[test]
    fn secrets_are_scrubbed_and_names_encoded() {
        assert_eq!(scrub("GET /x?username=me&token=s3cr+t", &["me", "s3cr+t"]), "GET /x?username=me&token=***");
        assert_eq!(scrub("token=s3cr%2Bt", &["s3cr+t"]), "token=***");
        assert_eq!(encode("Krastorio2 x"), "Krastorio2%20x");
    }

    #[test]
    fn portal_urls_are_checked() {
        let opts = |b: &str| PortalOptions { base: Some(b.into()), ..Default::default() };
        assert!(HttpPortal::new(&opts("http://example.com")).unwrap_err().message.contains("plain http"));
        let e = HttpPortal::new(&opts("https://u:pw@example.com")).unwrap_err();
        assert!(!e.message.contains("pw"), "{e}");
        assert!(HttpPortal::new(&opts("http://127.0.0.1:9")).is_ok());
        let p = HttpPortal::new(&opts("https://mods.example.com/")).unwrap();
        assert_eq!(p.base(), "https://mods.example.com");
        assert_eq!(p.next_page("/api/mods?page=2").as_deref(), Some("https://mods.example.com/api/mods?page=2"));
        assert_eq!(p.next_page("https://evil.example.com/api/mods?page=2"), None);
    }
}
