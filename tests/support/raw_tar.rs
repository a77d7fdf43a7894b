//! Tar+gzip archives written by hand, for the unpacker's tests (src/source/unpack.rs) and the
//! fetch tests (tests/fetch_failures.rs): a well-behaved tar writer refuses to produce the
//! entries they need (`..`, absolute paths, links out).

use std::io::Write;

/// One raw tar entry: (path, type flag, link target, content).
pub type RawEntry<'a> = (&'a str, u8, &'a str, &'a [u8]);

/// A tar+gzip of `entries`, in order, with a ustar header each.
pub fn raw_tar_gz(entries: &[RawEntry]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (path, flag, link, data) in entries {
        let mut h = [0u8; 512];
        h[..path.len()].copy_from_slice(path.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[108..115].copy_from_slice(b"0000000");
        h[116..123].copy_from_slice(b"0000000");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = *flag;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        tar.extend_from_slice(&h);
        tar.extend_from_slice(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}
