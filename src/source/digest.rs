//! Content checks: OCI digests (`sha256:<hex>`) and the dataset metadata checksums
//! (`adler32` as the generator writes them, `sha256`).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    crate::dataset::hex(bytes)
}

/// The `sha256:<hex>` digest of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// Checks that `digest` is `sha256:` followed by 64 lowercase hex characters (the only
/// algorithm registries use for these artifacts), so it is safe in a path, key or URL.
pub fn is_sha256_digest(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Adler-32 as zlib defines it: zlib-rs's, which flate2 already builds, with its AVX2/NEON
/// paths picked at run time (a scalar loop was an eighth of a cold fetch).
#[derive(Clone, Copy, Debug)]
pub struct Adler32(u32);

impl Default for Adler32 {
    fn default() -> Self {
        Adler32(1)
    }
}

impl Adler32 {
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0 = zlib_rs::adler32::adler32(self.0, bytes);
    }
    /// The checksum.
    pub fn finish(&self) -> u32 {
        self.0
    }
}

/// A running hash of a stream: SHA-256 (the default) or Adler-32 (what a checksum of 8 hex
/// characters needs; skipping SHA-256 there halves the cost of checking a 12 MB dataset).
pub struct Hasher {
    sha: Option<Sha256>,
    adler: Option<Adler32>,
    len: u64,
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher { sha: Some(Sha256::default()), adler: None, len: 0 }
    }
}

impl Hasher {
    /// A hasher that computes only Adler-32 (the SHA-256 of `finish` is then empty).
    pub fn with_adler() -> Self {
        Hasher { sha: None, adler: Some(Adler32::default()), len: 0 }
    }
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        if let Some(s) = &mut self.sha {
            s.update(bytes);
        }
        if let Some(a) = &mut self.adler {
            a.update(bytes);
        }
        self.len += bytes.len() as u64;
    }
    /// Bytes added so far.
    pub fn len(&self) -> u64 {
        self.len
    }
    /// (`sha256:<hex>` or empty if not computed, adler32 as 8 hex characters if computed, length).
    pub fn finish(self) -> (String, Option<String>, u64) {
        let sha = self.sha.map(|s| format!("sha256:{}", hex(&s.finalize()))).unwrap_or_default();
        (sha, self.adler.map(|a| format!("{:08x}", a.finish())), self.len)
    }
}

/// Hashes a file: Adler-32 only when `adler`, else SHA-256 only.
pub fn hash_file(path: &Path, adler: bool) -> io::Result<(String, Option<String>, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = if adler { Hasher::with_adler() } else { Hasher::default() };
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}

/// Checks a metadata checksum (8 hex characters: Adler-32; 64: SHA-256; an `sha256:` prefix is
/// accepted) against computed values. `Err` carries the expected and actual values.
pub fn check_checksum(expected: &str, sha256: &str, adler: Option<&str>) -> Result<(), String> {
    let want = expected.trim().to_ascii_lowercase();
    let want = want.strip_prefix("sha256:").unwrap_or(&want);
    let actual = match want.len() {
        8 => adler.unwrap_or("(not computed)"),
        64 => sha256.strip_prefix("sha256:").unwrap_or(sha256),
        _ => return Err(format!("checksum {expected:?} is neither adler32 (8 hex) nor sha256 (64 hex)")),
    };
    if actual == want { Ok(()) } else { Err(format!("expected {want}, got {actual}")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_known_values() {
        let mut a = Adler32::default();
        a.update(b"Wikipedia");
        assert_eq!(a.finish(), 0x11E6_0398);
        let mut big = Adler32::default();
        big.update(&vec![0xff; 100_000]);
        let mut split = Adler32::default();
        for c in vec![0xffu8; 100_000].chunks(777) {
            split.update(c);
        }
        assert_eq!(big.finish(), split.finish());
        // The SIMD paths against the definition, over lengths around their block and run sizes.
        let mixed: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for (data, len) in [&mixed, &vec![0xff; 20_000]]
            .into_iter()
            .flat_map(|d| [0, 1, 15, 16, 17, 5551, 5552, 5553, 11_104, 20_000].map(|l| (d, l)))
        {
            let (mut a, mut b) = (1u32, 0u32);
            for &x in &data[..len] {
                a = (a + u32::from(x)) % 65521;
                b = (b + a) % 65521;
            }
            let mut fast = Adler32::default();
            fast.update(&data[..len]);
            assert_eq!(fast.finish(), (b << 16) | a, "length {len}");
        }
    }

    #[test]
    fn digests_and_checksums() {
        let d = sha256_digest(b"{}");
        assert_eq!(d, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        assert!(is_sha256_digest(&d));
        for bad in [
            "sha256:44",
            "sha512:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            "sha256:../../etc/passwd00000000000000000000000000000000000000000000000",
        ] {
            assert!(!is_sha256_digest(bad), "{bad}");
        }
        let mut h = Hasher::with_adler();
        h.update(b"Wikipedia");
        let (none, adler, len) = h.finish();
        assert_eq!((len, none.as_str()), (9, ""));
        let mut h = Hasher::default();
        h.update(b"Wikipedia");
        let (sha, no_adler, _) = h.finish();
        assert!(no_adler.is_none() && is_sha256_digest(&sha));
        assert!(check_checksum("11e60398", &sha, adler.as_deref()).is_ok());
        assert!(check_checksum("11E60399", &sha, adler.as_deref()).is_err());
        assert!(check_checksum(&sha, &sha, None).is_ok());
        assert!(check_checksum("abc", &sha, None).is_err());
    }
}
