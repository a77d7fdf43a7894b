//! `metadata.json` / `metadata.lua`: the dataset's versions and checksums.

use std::collections::BTreeMap;
use std::path::Path;

use super::tree::{self, Tree};
use super::{Error, checksum};

/// What a dataset says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub factorio_version: Option<String>,
    pub generator_version: Option<String>,
    /// `adler32` (the generator's default) or `sha256`: the algorithm of `checksums`.
    pub hash_algorithm: Option<String>,
    /// Relative path → hex digest, in `hash_algorithm`.
    pub checksums: BTreeMap<String, String>,
    /// Relative path → SHA-256 hex, verified in addition when present.
    pub sha256: BTreeMap<String, String>,
}

impl Metadata {
    /// Reads `metadata.json`.
    pub fn from_json(path: &Path, bytes: &[u8]) -> Result<Metadata, Error> {
        let bad = |message: String| Error::Metadata { path: path.to_path_buf(), message };
        let tree = Tree::from_json(bytes).map_err(|e| bad(format!("{e}; metadata.json must be a JSON object")))?;
        let buf = tree.buffer();
        let mut meta = Metadata::default();
        for (key, at) in tree::object_entries(buf, tree.root()).map_err(|e| bad(e.to_string()))? {
            match key.as_str() {
                "factorio_version" => meta.factorio_version = string_at(buf, at),
                "generator_version" => meta.generator_version = string_at(buf, at),
                "hash_algorithm" => meta.hash_algorithm = string_at(buf, at),
                "checksums" | "sha256" => {
                    let mut map = BTreeMap::new();
                    for (file, v) in tree::object_entries(buf, at)
                        .map_err(|_| bad(format!("{key} must be an object of path = hex digest")))?
                    {
                        let digest =
                            string_at(buf, v).ok_or_else(|| bad(format!("{key}[{file:?}] must be a hex string")))?;
                        map.insert(file, digest.to_ascii_lowercase());
                    }
                    if key == "checksums" { meta.checksums = map } else { meta.sha256 = map }
                }
                _ => {}
            }
        }
        meta.check_algorithm(path)?;
        Ok(meta)
    }

    /// Refuses an algorithm this version cannot verify, rather than skipping the check.
    pub fn check_algorithm(&self, path: &Path) -> Result<(), Error> {
        match self.hash_algorithm.as_deref() {
            None | Some("adler32" | "sha256") => Ok(()),
            Some(other) => Err(Error::Metadata {
                path: path.to_path_buf(),
                message: format!("hash_algorithm {other:?} is not supported; use \"adler32\" or \"sha256\""),
            }),
        }
    }

    /// Every digest listed for `relative`, as one string (empty when none is listed).
    pub fn expected(&self, relative: &str) -> String {
        let listed = self.checksums.get(relative).map(String::as_str).unwrap_or("");
        let sha256 = self.sha256.get(relative).map(String::as_str).unwrap_or("");
        format!("{listed}/{sha256}")
    }

    /// Checks `bytes` (the file `relative`, at `path`) against every digest listed for it.
    pub fn verify(&self, relative: &str, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        let algorithm = self.hash_algorithm.as_deref().unwrap_or("adler32");
        if let Some(expected) = self.checksums.get(relative) {
            let (name, actual) = if algorithm == "sha256" {
                ("sha256", checksum::sha256_hex(bytes))
            } else {
                ("adler32", checksum::adler32_hex(bytes))
            };
            if &actual != expected {
                return Err(Error::Checksum {
                    path: path.to_path_buf(),
                    algorithm: name,
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        if let Some(expected) = self.sha256.get(relative) {
            let actual = checksum::sha256_hex(bytes);
            if &actual != expected {
                return Err(Error::Checksum {
                    path: path.to_path_buf(),
                    algorithm: "sha256",
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        Ok(())
    }
}

fn string_at(buf: &[u8], at: usize) -> Option<String> {
    if buf.get(at) != Some(&tree::TAG_STR) {
        return None;
    }
    let (s, _) = tree::read_str(buf, at + 1).ok()?;
    Some(String::from_utf8_lossy(s).into_owned())
}
