//! Dependency strings from info.json: `"<prefix> name <operator> version"`.
//!
//! Prefixes (<https://lua-api.factorio.com/latest/auxiliary/mod-structure.html>, wiki
//! "Tutorial:Mod structure"): none = required, `!` incompatible, `?` optional, `(?)` hidden
//! optional, `~` required without affecting load order, and from 2.1 `+` optional but
//! recommended. The 2.1.0 changelog: "Added mod dependency modifier "+", which marks the mod as
//! optional but recommended. Mod gets enabled by default but can be turned off." (2.1's
//! space-age declares `+ quality >= 2.1.0`: "the quality mod can be disabled while keeping the
//! space age mod enabled".) So `+` may be absent, and when present it loads first, as `?`.
//! Operators: `<`, `<=`, `=`, `>=`, `>`.

use std::fmt;

use super::version::Version;

/// What kind of link a dependency is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// No prefix: must be present, loads first.
    Required,
    /// `!`: must not be present.
    Incompatible,
    /// `?`: loads first when present.
    Optional,
    /// `(?)`: like `?`, not shown in the mod GUI.
    HiddenOptional,
    /// `~`: must be present, but does not change the load order.
    NoLoadOrder,
    /// `+` (2.1): optional but recommended: enabled by default, may be absent; when present
    /// it loads first, as [`Kind::Optional`].
    Recommended,
}

impl Kind {
    /// The prefix as written, empty for [`Kind::Required`].
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Required => "",
            Kind::Incompatible => "!",
            Kind::Optional => "?",
            Kind::HiddenOptional => "(?)",
            Kind::NoLoadOrder => "~",
            Kind::Recommended => "+",
        }
    }

    /// The name used in Lua tables.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Required => "required",
            Kind::Incompatible => "incompatible",
            Kind::Optional => "optional",
            Kind::HiddenOptional => "hidden_optional",
            Kind::NoLoadOrder => "no_load_order",
            Kind::Recommended => "recommended",
        }
    }

    /// Whether the other mod must be present.
    pub fn is_required(self) -> bool {
        matches!(self, Kind::Required | Kind::NoLoadOrder)
    }

    /// Whether the other mod, when present, loads before this one.
    pub fn affects_load_order(self) -> bool {
        matches!(self, Kind::Required | Kind::Optional | Kind::HiddenOptional | Kind::Recommended)
    }
}

/// A version comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `=`
    Eq,
    /// `>=`
    Ge,
    /// `>`
    Gt,
}

impl Op {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }

    /// Whether `found` satisfies `found <op> wanted`.
    pub fn allows(self, found: Version, wanted: Version) -> bool {
        match self {
            Op::Lt => found < wanted,
            Op::Le => found <= wanted,
            Op::Eq => found == wanted,
            Op::Ge => found >= wanted,
            Op::Gt => found > wanted,
        }
    }
}

/// One parsed dependency string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dependency {
    /// The prefix.
    pub kind: Kind,
    /// The other mod's name.
    pub name: String,
    /// The version constraint, if any.
    pub version: Option<(Op, Version)>,
}

impl Dependency {
    /// Parses one dependency string; the error quotes it and says what is wrong.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("bad dependency \"{s}\": {why}");
        let mut rest = s.trim();
        let kind = [
            ("(?)", Kind::HiddenOptional),
            ("!", Kind::Incompatible),
            ("?", Kind::Optional),
            ("~", Kind::NoLoadOrder),
            ("+", Kind::Recommended),
        ]
        .into_iter()
        .find_map(|(p, k)| rest.strip_prefix(p).map(|r| (r, k)));
        let kind = match kind {
            Some((r, k)) => {
                rest = r.trim_start();
                k
            }
            None => Kind::Required,
        };
        let (name, version) = match rest.find(['<', '>', '=']) {
            None => (rest.trim_end(), None),
            Some(at) => {
                let (name, tail) = rest.split_at(at);
                let (op, ver) = [("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt), ("=", Op::Eq)]
                    .into_iter()
                    .find_map(|(p, op)| tail.strip_prefix(p).map(|v| (op, v.trim())))
                    .ok_or_else(|| bad("expected an operator < <= = >= >"))?;
                if let Some(c) = ver.chars().next().filter(|c| matches!(c, '<' | '>' | '=')) {
                    return Err(bad(&format!("unknown operator \"{}{c}\" (use < <= = >= >)", op.as_str())));
                }
                if ver.is_empty() {
                    return Err(bad(&format!("no version after \"{}\"", op.as_str())));
                }
                let v = Version::parse_with(ver, true).map_err(|e| bad(&e))?;
                (name.trim_end(), Some((op, v)))
            }
        };
        if name.is_empty() {
            return Err(bad("no mod name"));
        }
        if name.starts_with(['!', '?', '~', '+', '(']) {
            return Err(bad("more than one prefix"));
        }
        Ok(Self { kind, name: name.to_owned(), version })
    }

    /// Whether a present mod of `version` satisfies the constraint (ignoring the kind).
    pub fn version_allows(&self, version: Version) -> bool {
        self.version.is_none_or(|(op, wanted)| op.allows(version, wanted))
    }
}

impl fmt::Display for Dependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = self.kind.prefix();
        if !prefix.is_empty() {
            write!(f, "{prefix} ")?;
        }
        f.write_str(&self.name)?;
        if let Some((op, v)) = self.version {
            write!(f, " {} {v}", op.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(kind: Kind, name: &str, version: Option<(Op, Version)>) -> Dependency {
        Dependency { kind, name: name.into(), version }
    }

    #[test]
    fn every_prefix_and_operator_parses() {
        let v = |a, b, c| Version::new(a, b, c);
        let cases = [
            ("base", dep(Kind::Required, "base", None)),
            ("base >= 1.1", dep(Kind::Required, "base", Some((Op::Ge, v(1, 1, 0))))),
            ("! bad-mod", dep(Kind::Incompatible, "bad-mod", None)),
            ("!bad-mod", dep(Kind::Incompatible, "bad-mod", None)),
            ("? flib >= 0.12.0", dep(Kind::Optional, "flib", Some((Op::Ge, v(0, 12, 0))))),
            ("(?) secret < 2.0.0", dep(Kind::HiddenOptional, "secret", Some((Op::Lt, v(2, 0, 0))))),
            ("~ lazy = 1.0.0", dep(Kind::NoLoadOrder, "lazy", Some((Op::Eq, v(1, 0, 0))))),
            ("+ quality >= 2.1.0", dep(Kind::Recommended, "quality", Some((Op::Ge, v(2, 1, 0))))),
            ("+quality", dep(Kind::Recommended, "quality", None)),
            ("  spaced   >   0.0.1  ", dep(Kind::Required, "spaced", Some((Op::Gt, v(0, 0, 1))))),
            ("tight>=1.2.3", dep(Kind::Required, "tight", Some((Op::Ge, v(1, 2, 3))))),
            ("Some_Mod-2", dep(Kind::Required, "Some_Mod-2", None)),
        ];
        for (text, expected) in cases {
            assert_eq!(Dependency::parse(text).as_ref(), Ok(&expected), "{text}");
        }
    }

    #[test]
    fn display_is_canonical_and_parses_back() {
        for text in ["base", "! bad", "? flib >= 0.12.0", "(?) x < 2.0.0", "~ y = 1.0.0", "+ z > 1.0.0"] {
            let d = Dependency::parse(text).unwrap();
            assert_eq!(d.to_string(), text);
        }
    }

    #[test]
    fn bad_strings_are_quoted_in_the_error() {
        let cases = [
            ("", "bad dependency \"\": no mod name"),
            ("?", "bad dependency \"?\": no mod name"),
            (">= 1.0.0", "bad dependency \">= 1.0.0\": no mod name"),
            ("flib >=", "bad dependency \"flib >=\": no version after \">=\""),
            ("flib == 1.0.0", "bad dependency \"flib == 1.0.0\": unknown operator \"==\" (use < <= = >= >)"),
            ("flib => 1.0.0", "bad dependency \"flib => 1.0.0\": unknown operator \"=>\" (use < <= = >= >)"),
            (
                "flib >= 1.0.70000",
                "bad dependency \"flib >= 1.0.70000\": bad version \"1.0.70000\": 70000 is above 65535",
            ),
            (
                "flib >= 1.x",
                "bad dependency \"flib >= 1.x\": bad version \"1.x\": \"x\" is not a number (expected a.b or a.b.c)",
            ),
            ("! ? flib", "bad dependency \"! ? flib\": more than one prefix"),
        ];
        for (text, message) in cases {
            assert_eq!(Dependency::parse(text).unwrap_err(), message, "{text}");
        }
    }

    #[test]
    fn each_kind_says_whether_it_is_required_and_orders_loading() {
        // (kind, must be present, loads first when present)
        let cases = [
            (Kind::Required, true, true),
            (Kind::Incompatible, false, false),
            (Kind::Optional, false, true),
            (Kind::HiddenOptional, false, true),
            (Kind::NoLoadOrder, true, false),
            (Kind::Recommended, false, true),
        ];
        for (kind, required, orders) in cases {
            assert_eq!(kind.is_required(), required, "{kind:?} required");
            assert_eq!(kind.affects_load_order(), orders, "{kind:?} load order");
        }
        assert_eq!(Kind::Recommended.name(), "recommended");
        assert_eq!(Kind::Recommended.prefix(), "+");
    }

    #[test]
    fn constraints_compare_versions() {
        let d = Dependency::parse("flib >= 0.12.0").unwrap();
        assert!(d.version_allows(Version::new(0, 12, 0)));
        assert!(d.version_allows(Version::new(1, 0, 0)));
        assert!(!d.version_allows(Version::new(0, 11, 9)));
        assert!(Dependency::parse("flib").unwrap().version_allows(Version::new(0, 0, 1)));
    }

    #[test]
    fn arbitrary_strings_never_panic() {
        let pieces = ["", " ", "!", "?", "(?)", "(", "~", "+", "a", "é", "<", "=", ">", "1", ".", "65536", "\u{0}"];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let _ = Dependency::parse(&format!("{a}{b}{c}"));
                }
            }
        }
    }
}
