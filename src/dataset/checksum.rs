//! The digests datasets and the cache use, as lowercase hex.

use sha1::Digest as _;

/// Adler-32, what the factorio-mocks generator writes into `metadata.*` (zlib-rs's, the one
/// the crate's other checks use too).
pub fn adler32_hex(bytes: &[u8]) -> String {
    format!("{:08x}", zlib_rs::adler32::adler32(1, bytes))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

/// Bytes as lowercase hex: the one encoder of the crate's digests (datasets, the cache, OCI
/// blobs, the Mod Portal's SHA1s).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_published_test_vectors() {
        assert_eq!(adler32_hex(b"Wikipedia"), "11e60398");
        assert_eq!(adler32_hex(b""), "00000001");
        // Long enough to cross the 5552-byte chunk boundary; value from zlib.adler32.
        assert_eq!(adler32_hex(&vec![0xff; 100_000]), "149a302c");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
