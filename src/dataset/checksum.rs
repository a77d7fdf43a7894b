//! The digests datasets and the cache use, as lowercase hex.

use sha1::Digest as _;

/// Adler-32, what the factorio-mocks generator writes into `metadata.*`.
pub fn adler32_hex(bytes: &[u8]) -> String {
    const MOD: u32 = 65521;
    // 5552 is the largest run that cannot overflow u32 before the modulo (zlib's NMAX).
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in bytes.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    format!("{:08x}", (b << 16) | a)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
