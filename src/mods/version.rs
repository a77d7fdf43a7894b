//! Mod versions `major.minor.patch`, each part 0–65535.

use std::fmt;

/// A mod version. Ordered part by part, as the game compares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Version {
    /// First part.
    pub major: u16,
    /// Second part.
    pub minor: u16,
    /// Third part (0 when a dependency names only two).
    pub patch: u16,
}

impl Version {
    /// A version from its parts.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Self { major, minor, patch }
    }

    /// Parses `a.b.c`; `a.b` too when `allow_two_parts` (dependency strings such as
    /// `base >= 1.1` and `factorio_version` use two). The error quotes the input.
    pub fn parse_with(s: &str, allow_two_parts: bool) -> Result<Self, String> {
        let bad = |why: &str| format!("bad version \"{s}\": {why}");
        let parts: Vec<&str> = s.split('.').collect();
        let expected = if allow_two_parts { "expected a.b or a.b.c" } else { "expected a.b.c" };
        if parts.len() > 3 || parts.len() < if allow_two_parts { 2 } else { 3 } {
            return Err(bad(expected));
        }
        let mut nums = [0u16; 3];
        for (slot, part) in nums.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(&format!("\"{part}\" is not a number ({expected})")));
            }
            *slot = part.parse().map_err(|_| bad(&format!("{part} is above 65535")))?;
        }
        Ok(Self::new(nums[0], nums[1], nums[2]))
    }

    /// Parses a full `a.b.c` version, as in info.json and file names.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::parse_with(s, false)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order_numerically() {
        let cases = [
            ("1.2.3", Version::new(1, 2, 3)),
            ("0.0.0", Version::new(0, 0, 0)),
            ("65535.1.010", Version::new(65535, 1, 10)),
        ];
        for (text, v) in cases {
            assert_eq!(Version::parse(text), Ok(v), "{text}");
        }
        assert!(Version::new(1, 10, 0) > Version::new(1, 9, 99));
        assert_eq!(Version::parse_with("1.1", true), Ok(Version::new(1, 1, 0)));
    }

    #[test]
    fn bad_versions_quote_the_input() {
        let cases = [
            ("1.2", false, "bad version \"1.2\": expected a.b.c"),
            ("1", true, "bad version \"1\": expected a.b or a.b.c"),
            ("1.2.3.4", false, "bad version \"1.2.3.4\": expected a.b.c"),
            ("1.65536.0", false, "bad version \"1.65536.0\": 65536 is above 65535"),
            ("1.x.0", false, "bad version \"1.x.0\": \"x\" is not a number (expected a.b.c)"),
            ("1..0", false, "bad version \"1..0\": \"\" is not a number (expected a.b.c)"),
            ("+1.0.0", false, "bad version \"+1.0.0\": \"+1\" is not a number (expected a.b.c)"),
        ];
        for (text, two, message) in cases {
            assert_eq!(Version::parse_with(text, two).unwrap_err(), message);
        }
    }
}
