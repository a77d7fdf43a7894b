//! Datasets served as plain files by a Git host (or any static HTTPS server): a base URL whose
//! `metadata.json` or `metadata.lua` lists every file with its checksum.
//!
//! The metadata is an API answer (expires after the TTL); the dataset folder is keyed by the
//! metadata's digest, so a changed dataset gets a new entry and an unchanged one is never
//! downloaded twice. Every file is checked against its listed checksum before the folder is
//! committed.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use super::dataset_dir::{self, FillError};
use super::digest::{Hasher, check_checksum, sha256_digest};
use super::metadata::{checksums_from_json, checksums_from_lua};
use super::{Ctx, Error, ErrorKind, Fetched, Progress};
use crate::cache::{self, Expiry, Key, Store};

const METADATA_NAMES: [&str; 2] = ["metadata.json", "metadata.lua"];

struct Site<'a> {
    url: &'a str,
    base: String,
    ctx: &'a Ctx,
    agent: Option<ureq::Agent>,
}

/// The host part of `scheme://host[:port]/…`.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("")
}

impl Site<'_> {
    fn err(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::new(self.url, &self.base, kind, message)
    }

    fn agent(&mut self) -> Result<ureq::Agent, Error> {
        if self.ctx.offline {
            return Err(self.err(
                ErrorKind::Offline,
                "offline (FACTORIO_MOCKS_OFFLINE) and this dataset is not in the cache; fetch it once online",
            ));
        }
        if let Some(a) = &self.agent {
            return Ok(a.clone());
        }
        super::install_crypto();
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // ureq has no between-reads timer, only budgets: a silent host is caught by the
            // connect and answer budgets, a stalled body by a per-file budget of ten times that.
            .timeout_connect(Some(self.ctx.timeout))
            .timeout_recv_response(Some(self.ctx.timeout))
            .timeout_recv_body(Some(self.ctx.timeout * 10))
            .tls_config(tls)
            .build()
            .into();
        self.agent = Some(agent.clone());
        Ok(agent)
    }

    /// GET `base/rel`; `Ok(None)` on 404.
    fn get(&mut self, rel: &str) -> Result<Option<ureq::http::Response<ureq::Body>>, Error> {
        let agent = self.agent()?;
        let url = format!("{}/{rel}", self.base);
        let response = agent.get(&url).call().map_err(|e| {
            self.network_err(&format!("GET {rel}"), &e.to_string(), matches!(e, ureq::Error::Timeout(_)))
        })?;
        match response.status().as_u16() {
            200 => Ok(Some(response)),
            404 => Ok(None),
            code @ (401 | 403) => Err(self.err(ErrorKind::Auth, format!("GET {rel}: HTTP {code}; the host refuses anonymous access to this file, serve the dataset publicly"))),
            code => Err(self.err(ErrorKind::Network, format!("GET {rel}: HTTP {code}; the host failed, retry later or set FACTORIO_MOCKS_OFFLINE=1 to use what is cached"))),
        }
    }

    /// A transport failure: timeouts say how long was waited and how to wait longer.
    fn network_err(&self, what: &str, detail: &str, timed_out: bool) -> Error {
        let detail = super::redact(detail);
        if timed_out || detail.contains("timed out") || detail.contains("timeout") {
            self.err(
                ErrorKind::Network,
                format!("{what}: no answer within {:?} ({detail}); the host is slow or down: retry, raise opts.timeout, or set FACTORIO_MOCKS_OFFLINE=1 to use what is cached", self.ctx.timeout),
            )
        } else {
            self.err(ErrorKind::Network, format!("{what}: {detail}; check the network and the URL, or set FACTORIO_MOCKS_OFFLINE=1 to use what is cached"))
        }
    }

    /// (file name, bytes) of the dataset's metadata, fresh or (offline, or the host failing)
    /// stale with a warning.
    fn metadata(&mut self) -> Result<(String, Vec<u8>), Error> {
        let store = self.ctx.caches.api.clone();
        let key = Key::new(&format!("git-meta\n{}", self.base));
        let read =
            |dir: &Path| METADATA_NAMES.iter().find_map(|n| fs::read(dir.join(n)).ok().map(|b| (n.to_string(), b)));
        let cached = store.get(&key).and_then(|h| read(&h.path).map(|m| (m, h.fresh)));
        match cached {
            Some((m, true)) => return Ok(m),
            Some((m, false)) if self.ctx.offline => {
                self.ctx.warn(format!(
                    "offline: {} may be outdated, using metadata cached more than FACTORIO_MOCKS_TTL ago",
                    self.base
                ));
                return Ok(m);
            }
            None if self.ctx.offline => {
                return Err(self.err(
                    ErrorKind::Offline,
                    "offline (FACTORIO_MOCKS_OFFLINE) and this dataset is not in the cache; fetch it once online",
                ));
            }
            _ => {}
        }
        let stale = store.get(&key).and_then(|h| read(&h.path));
        cache::with_lock(&store, &key, || -> Result<(String, Vec<u8>), FillError> {
            if let Some(m) = store.get(&key).filter(|h| h.fresh).and_then(|h| read(&h.path)) {
                return Ok(m);
            }
            let fetched = self.fetch_metadata();
            let (name, bytes) = match fetched {
                Ok(m) => m,
                Err(e) => match stale {
                    Some(m) => {
                        self.ctx.warn(format!("{}; using the cached metadata of {}", e.message, self.base));
                        return Ok(m);
                    }
                    None => return Err(e.into()),
                },
            };
            let temp = store.temp_path(&key)?;
            fs::create_dir_all(&temp)?;
            fs::write(temp.join(&name), &bytes)?;
            store.commit(&key, &temp, Expiry::after(self.ctx.ttl))?;
            Ok((name, bytes))
        })
        .map_err(|e| e.into_error(self.url, &self.base, "storing the metadata"))
    }

    fn fetch_metadata(&mut self) -> Result<(String, Vec<u8>), Error> {
        for name in METADATA_NAMES {
            if let Some(response) = self.get(name)? {
                let mut bytes = Vec::new();
                response
                    .into_body()
                    .into_reader()
                    .take(64 << 20)
                    .read_to_end(&mut bytes)
                    .map_err(|e| self.network_err(&format!("reading {name}"), &super::error_text(&e), false))?;
                return Ok((name.to_string(), bytes));
            }
        }
        Err(self.err(
            ErrorKind::NotFound,
            "neither metadata.json nor metadata.lua exists there; the URL must be the base folder of a dataset",
        ))
    }

    fn fill(&mut self, name: &str, bytes: &[u8], dir: &Path) -> Result<(), Error> {
        let text =
            std::str::from_utf8(bytes).map_err(|_| self.err(ErrorKind::Integrity, format!("{name} is not UTF-8")))?;
        let sums = if name.ends_with(".json") { checksums_from_json(text) } else { checksums_from_lua(text) };
        let sums = sums.map_err(|m| {
            self.err(ErrorKind::Integrity, format!("{m}; the dataset's metadata is broken, report it to its publisher"))
        })?;
        fs::write(dir.join(name), bytes).map_err(|e| self.err(ErrorKind::Io, format!("writing {name}: {e}")))?;
        for (path, want) in &sums {
            let rel = super::safe_relative(Path::new(path)).ok().flatten().ok_or_else(|| {
                self.err(ErrorKind::Integrity, format!("the metadata lists the unsafe path {path:?}"))
            })?;
            let target = dir.join(&rel);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| self.err(ErrorKind::Io, format!("creating {}: {e}", parent.display())))?;
            }
            let url_path =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
            let response = self.get(&url_path)?.ok_or_else(|| {
                self.err(ErrorKind::NotFound, format!("{path} is listed in {name} but missing on the host"))
            })?;
            let mut progress = Progress::new(self.ctx, path.to_string(), response.body().content_length());
            let mut reader = response.into_body().into_reader();
            let mut out =
                fs::File::create(&target).map_err(|e| self.err(ErrorKind::Io, format!("writing {path}: {e}")))?;
            let mut hasher = if want.trim().len() == 8 { Hasher::with_adler() } else { Hasher::default() };
            let mut buf = vec![0; 256 * 1024];
            loop {
                let n = reader.read(&mut buf).map_err(|e| {
                    self.network_err(
                        &format!("downloading {path} (stopped after {} bytes)", hasher.len()),
                        &super::error_text(&e),
                        false,
                    )
                })?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                progress.add(n);
                out.write_all(&buf[..n]).map_err(|e| self.err(ErrorKind::Io, format!("writing {path}: {e}")))?;
            }
            let (sha, adler, _) = hasher.finish();
            check_checksum(want, &sha, adler.as_deref())
                .map_err(|why| self.err(ErrorKind::Integrity, format!("{path}: checksum mismatch ({why}); the download was altered or the dataset is inconsistent, retry or report it")))?;
        }
        Ok(())
    }
}

/// Fetches the dataset at base URL `url` (`https://`, or `http://` on loopback / with opt-in).
pub(crate) fn fetch(url: &str, ctx: &Ctx) -> Result<Fetched, Error> {
    let base = url.trim_end_matches('/').to_string();
    let host = host_of(&base);
    let invalid = |m: &str| Error::new(url, url, ErrorKind::Invalid, m);
    if host.contains('@') || super::has_credentials(url) {
        return Err(invalid(
            "credentials do not belong in the URL (user-info, a token in the query or fragment); use a host that serves the dataset anonymously",
        ));
    }
    if host.is_empty() || base.contains(['?', '#']) {
        return Err(invalid("expected https://host/path/to/dataset (no query or fragment)"));
    }
    if base.starts_with("http://") && !ctx.http_allowed(host) {
        return Err(invalid(
            "plain http is only used for loopback hosts; use https://, or opt in with allow_http = true or FACTORIO_MOCKS_ALLOW_HTTP=1 if you trust the network",
        ));
    }
    let mut site = Site { url, base: base.clone(), ctx, agent: None };
    let (name, bytes) = site.metadata()?;
    let digest = sha256_digest(&bytes);
    let key = Key::new(&format!("git-dataset\n{digest}"));
    let dir =
        dataset_dir::serve(ctx, &key, url, &base, |dir| site.fill(&name, &bytes, dir).map(|()| Default::default()))?;
    Ok(Fetched {
        dir,
        source: base.clone(),
        reference: base,
        digest: Some(digest),
        subject: None,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://raw.example.com/a/b"), "raw.example.com");
        assert_eq!(host_of("http://127.0.0.1:8000"), "127.0.0.1:8000");
    }

    #[test]
    fn refuses_plain_http_and_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let opts = super::super::FetchOptions { cache_dir: Some(dir.path().into()), ..Default::default() };
        for (url, kind) in
            [("http://example.com/d", ErrorKind::Invalid), ("https://u:pw@example.com/d", ErrorKind::Invalid)]
        {
            let e = super::super::fetch(url, &opts).unwrap_err();
            assert_eq!(e.kind, kind, "{e}");
            assert!(!e.to_string().contains("pw"), "{e}");
        }
    }
}
