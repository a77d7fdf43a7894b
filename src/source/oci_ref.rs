//! The half of OCI that needs no network: the reference grammar, what the cache keeps for a
//! registry (the keys, the answers, the checked manifests), and [`serve_cached`], a fetch the
//! cache alone can answer. `oci.rs` (the `fetch` feature) asks the registry for the rest; the
//! Lua module, built without it, serves warm fetches here and hands the others to the command.

use std::fs;
use std::path::PathBuf;

use serde_json::Value;

use super::digest::{is_sha256_digest, sha256_digest};
use super::{Ctx, DATASET_ARTIFACT_TYPE, Fetched, Subject, valid_tag};
use crate::cache::{Key, Store};

/// `host[:port]/repository[:tag][@sha256:hex]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OciRef {
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl OciRef {
    /// Parses what follows `oci://`. Errors say what is wrong and never repeat a credential.
    pub fn parse(rest: &str) -> Result<OciRef, String> {
        // Before anything else, so no message below can quote a piece of a credential (a
        // password holding `/` would otherwise end the host early).
        if super::has_credentials(&format!("oci://{rest}")) {
            return Err("credentials do not belong in the reference (user-info, a token in a query or fragment); set FACTORIO_MOCKS_REGISTRY_AUTH=user:token or log in with docker".into());
        }
        let (registry, path) =
            rest.split_once('/').ok_or("expected oci://host/repository:tag or oci://host/repository@sha256:…")?;
        if registry.contains('@') {
            return Err("credentials do not belong in the reference; set FACTORIO_MOCKS_REGISTRY_AUTH=user:token or log in with docker".into());
        }
        if registry.is_empty()
            || !registry.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        {
            return Err(format!("registry host {registry:?} is not a host name with an optional port"));
        }
        let (path, digest) = match path.split_once('@') {
            Some((p, d)) => (p, Some(d)),
            None => (path, None),
        };
        if let Some(d) = digest {
            if !is_sha256_digest(d) {
                return Err(format!("digest {d:?} is not sha256: followed by 64 lowercase hex characters"));
            }
        }
        // A tag follows the last `:` after the last `/`.
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match path[last_slash..].rfind(':') {
            Some(i) => (&path[..last_slash + i], Some(&path[last_slash + i + 1..])),
            None => (path, None),
        };
        if let Some(t) = tag {
            if !valid_tag(t) {
                return Err(format!("tag {t:?} is not a valid OCI tag (letters, digits, `_`, `.`, `-`, at most 128)"));
            }
        }
        let repo_ok = !repository.is_empty()
            && repository.split('/').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
                    && part.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            });
        if !repo_ok {
            return Err(format!(
                "repository {repository:?} must be lowercase path components (letters, digits, `.`, `_`, `-`)"
            ));
        }
        if tag.is_none() && digest.is_none() {
            return Err(format!(
                "oci://{registry}/{repository} needs a tag (`:{}`) or a digest (`@sha256:…`)",
                super::DEFAULT_TAG
            ));
        }
        Ok(OciRef {
            registry: registry.into(),
            repository: repository.into(),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    #[cfg_attr(not(feature = "fetch"), allow(dead_code))]
    pub fn display(&self) -> String {
        let mut s = self.repo_display();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    pub fn repo_display(&self) -> String {
        format!("oci://{}/{}", self.registry, self.repository)
    }

    pub fn pinned(&self, digest: &str) -> String {
        format!("{}@{digest}", self.repo_display())
    }
}

pub(crate) fn is_dataset(m: &Value) -> bool {
    let at = |v: Option<&Value>| v.and_then(Value::as_str) == Some(DATASET_ARTIFACT_TYPE);
    at(m.get("artifactType")) || at(m.get("config").and_then(|c| c.get("mediaType")))
}

pub(crate) fn subject_of(m: &Value, r: &OciRef) -> Option<Subject> {
    let s = m.get("subject")?;
    let digest = s.get("digest").and_then(Value::as_str).filter(|d| is_sha256_digest(d))?;
    Some(Subject {
        reference: r.pinned(digest),
        digest: digest.into(),
        media_type: s.get("mediaType").and_then(Value::as_str).map(str::to_string),
        artifact_type: s.get("artifactType").and_then(Value::as_str).map(str::to_string),
    })
}

/// The cache key of a tag's digest (an API answer that expires after the TTL).
pub(crate) fn tag_key(r: &OciRef, tag: &str) -> Key {
    Key::new(&format!("oci-tag\n{}/{}:{tag}", r.registry, r.repository))
}

/// The cache key of a manifest, by its digest (kept for ever, checked on every read).
pub(crate) fn manifest_key(digest: &str) -> Key {
    Key::new(&format!("oci-manifest\n{digest}"))
}

/// The cache key of the dataset referring to `subject` (expires after the TTL).
pub(crate) fn referrers_key(r: &OciRef, subject: &str) -> Key {
    Key::new(&format!("oci-referrers\n{}/{}@{subject}", r.registry, r.repository))
}

/// The cache key of an unpacked dataset, by its manifest digest.
pub(crate) fn dataset_key(digest: &str) -> Key {
    Key::new(&format!("oci-dataset\n{digest}"))
}

/// A digest the cache answered for `key`, and whether the answer is still fresh.
pub(crate) fn cached_digest(store: &dyn Store, key: &Key) -> Option<(String, bool)> {
    let hit = store.get(key)?;
    let digest = fs::read_to_string(&hit.path).ok().map(|s| s.trim().to_string()).filter(|d| is_sha256_digest(d))?;
    Some((digest, hit.fresh))
}

/// The cached manifest `digest`, when its bytes still hash to it.
pub(crate) fn cached_manifest(store: &dyn Store, digest: &str) -> Option<Vec<u8>> {
    store.get(&manifest_key(digest)).and_then(|h| fs::read(h.path).ok()).filter(|b| sha256_digest(b) == digest)
}

/// `r` served from the cache alone: every answer fresh, every manifest checked, the dataset
/// folder intact. `None` when anything is missing, stale or damaged: then the registry is asked
/// (offline: the full fetch decides what a stale answer may serve, with its warnings).
pub(crate) fn serve_cached(r: &OciRef, ctx: &Ctx) -> Option<Fetched> {
    let api = &ctx.caches.api;
    let fresh = |key: &Key| cached_digest(api, key).filter(|(_, fresh)| *fresh).map(|(d, _)| d);
    let manifest = |digest: &str| -> Option<Value> { serde_json::from_slice(&cached_manifest(api, digest)?).ok() };
    let digest = match (&r.digest, &r.tag) {
        (Some(d), _) => d.clone(),
        (None, Some(t)) => fresh(&tag_key(r, t))?,
        (None, None) => return None,
    };
    let first = manifest(&digest)?;
    let (dataset_digest, subject) = if is_dataset(&first) {
        (digest, subject_of(&first, r))
    } else {
        let found = fresh(&referrers_key(r, &digest))?;
        if !is_dataset(&manifest(&found)?) {
            return None;
        }
        (found, Some(referred_subject(r, &digest, &first)))
    };
    let dir = super::dataset_dir::cached(ctx, &dataset_key(&dataset_digest))?;
    Some(served(r, dir, dataset_digest, subject))
}

/// The artifact `r@digest` (its `manifest`) as the subject of the dataset referring to it.
pub(crate) fn referred_subject(r: &OciRef, digest: &str, manifest: &Value) -> Subject {
    Subject {
        reference: r.pinned(digest),
        digest: digest.to_owned(),
        media_type: manifest.get("mediaType").and_then(Value::as_str).map(str::to_string),
        artifact_type: manifest.get("artifactType").and_then(Value::as_str).map(str::to_string),
    }
}

/// What a fetch of `r` answers: the dataset `digest`, unpacked in `dir`.
pub(crate) fn served(r: &OciRef, dir: PathBuf, digest: String, subject: Option<Subject>) -> Fetched {
    Fetched {
        dir,
        source: r.repo_display(),
        reference: r.pinned(&digest),
        digest: Some(digest),
        subject,
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = OciRef::parse("127.0.0.1:5000/datasets/vanilla:2.0.77").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref(), r.digest.as_deref()),
            ("127.0.0.1:5000", "datasets/vanilla", Some("2.0.77"), None)
        );
        let d = format!("sha256:{}", "a".repeat(64));
        let r = OciRef::parse(&format!("ghcr.io/q/data/space-age@{d}")).unwrap();
        assert_eq!(r.digest.as_deref(), Some(d.as_str()));
        assert_eq!(r.tag, None);
        assert_eq!(r.display(), format!("oci://ghcr.io/q/data/space-age@{d}"));
        for bad in [
            "ghcr.io",
            "ghcr.io/Upper:1",
            "ghcr.io/x",
            "ghcr.io/x@sha256:zz",
            "u:pw@ghcr.io/x:1",
            "ghcr.io/x:bad tag",
            "ghcr.io//x:1",
            "/x:1",
        ] {
            let e = OciRef::parse(bad).unwrap_err();
            assert!(!e.contains("pw@"), "{e}");
        }
    }

    #[test]
    fn recognises_datasets() {
        let m: Value = serde_json::json!({"artifactType": DATASET_ARTIFACT_TYPE, "subject": {"mediaType": "m", "digest": format!("sha256:{}", "b".repeat(64)), "size": 1}});
        assert!(is_dataset(&m));
        let r = OciRef::parse("h/r:t").unwrap();
        assert_eq!(subject_of(&m, &r).unwrap().reference, format!("oci://h/r@sha256:{}", "b".repeat(64)));
        assert!(!is_dataset(&serde_json::json!({"config": {"mediaType": "application/vnd.oci.empty.v1+json"}})));
    }
}
