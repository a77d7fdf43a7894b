//! `info.json`, the one mandatory file of a mod.
//!
//! Mandatory fields: `name`, `version`, `title`, `author`
//! (<https://lua-api.factorio.com/latest/auxiliary/mod-structure.html>). `dependencies`
//! defaults to `["base"]`; `factorio_version` to `"0.12"`.

use serde_json::Value;

use super::dependency::Dependency;
use super::version::Version;

/// The parsed `info.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModInfo {
    /// Internal name.
    pub name: String,
    /// Mod version.
    pub version: Version,
    /// Display title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Targeted game version, `major.minor`.
    pub factorio_version: String,
    /// Parsed dependencies, in file order.
    pub dependencies: Vec<Dependency>,
    /// Optional description.
    pub description: Option<String>,
    /// Optional contact.
    pub contact: Option<String>,
    /// Optional homepage.
    pub homepage: Option<String>,
}

impl ModInfo {
    /// Parses the text of an info.json; errors say which field is wrong and how to fix it,
    /// and the caller prefixes the file name.
    pub fn parse(text: &str) -> Result<Self, String> {
        // A UTF-8 byte-order mark is common in hand-edited files.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let v: Value = serde_json::from_str(text).map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))?;
        let Value::Object(_) = v else {
            return Err("expected a JSON object".into());
        };
        let string = |key: &str| -> Result<Option<String>, String> {
            match v.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("field \"{key}\" must be a string")),
            }
        };
        let required = |key: &str| -> Result<String, String> {
            string(key)?.ok_or_else(|| format!("missing field \"{key}\" (mandatory in info.json)"))
        };
        let name = required("name")?;
        if name.is_empty() {
            return Err("field \"name\" is empty".into());
        }
        let version = Version::parse(&required("version")?).map_err(|e| format!("field \"version\": {e}"))?;
        let title = required("title")?;
        let author = match v.get("author") {
            // Some released mods list authors as an array; the game shows them joined.
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            _ => required("author")?,
        };
        let factorio_version = string("factorio_version")?.unwrap_or_else(|| "0.12".into());
        let dependencies = match v.get("dependencies") {
            None | Some(Value::Null) => vec![Dependency::parse("base")?],
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, d)| match d {
                    Value::String(s) => Dependency::parse(s).map_err(|e| format!("dependencies[{}]: {e}", i + 1)),
                    _ => Err(format!("dependencies[{}] must be a string", i + 1)),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("field \"dependencies\" must be an array of strings".into()),
        };
        Ok(Self {
            name,
            version,
            title,
            author,
            factorio_version,
            dependencies,
            description: string("description")?,
            contact: string("contact")?,
            homepage: string("homepage")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mods::dependency::Kind;

    #[test]
    fn a_full_info_json_parses() {
        let info = ModInfo::parse(
            r#"{"name": "fm-app", "version": "0.1.0", "title": "App", "author": "me",
                "factorio_version": "2.0", "dependencies": ["base >= 2.0", "? fm-library"],
                "description": "d"}"#,
        )
        .unwrap();
        assert_eq!(info.name, "fm-app");
        assert_eq!(info.version, Version::new(0, 1, 0));
        assert_eq!(info.dependencies.len(), 2);
        assert_eq!(info.dependencies[1].kind, Kind::Optional);
        assert_eq!(info.description.as_deref(), Some("d"));
    }

    #[test]
    fn defaults_apply() {
        let info =
            ModInfo::parse("\u{feff}{\"name\":\"m\",\"version\":\"1.0.0\",\"title\":\"t\",\"author\":\"a\"}").unwrap();
        assert_eq!(info.factorio_version, "0.12");
        assert_eq!(info.dependencies, vec![Dependency::parse("base").unwrap()]);
        let none =
            ModInfo::parse(r#"{"name":"m","version":"1.0.0","title":"t","author":"a","dependencies":[]}"#).unwrap();
        assert!(none.dependencies.is_empty());
    }

    #[test]
    fn bad_files_say_what_to_fix() {
        let cases = [
            ("{", "1:1: EOF while parsing an object at line 1 column 1"),
            ("[]", "expected a JSON object"),
            (r#"{"version":"1.0.0","title":"t","author":"a"}"#, "missing field \"name\" (mandatory in info.json)"),
            (r#"{"name":"m","title":"t","author":"a"}"#, "missing field \"version\" (mandatory in info.json)"),
            (
                r#"{"name":"m","version":"1.0","title":"t","author":"a"}"#,
                "field \"version\": bad version \"1.0\": expected a.b.c",
            ),
            (r#"{"name":"m","version":"1.0.0","author":"a"}"#, "missing field \"title\" (mandatory in info.json)"),
            (r#"{"name":5,"version":"1.0.0","title":"t","author":"a"}"#, "field \"name\" must be a string"),
            (
                r#"{"name":"m","version":"1.0.0","title":"t","author":"a","dependencies":["ok","?"]}"#,
                "dependencies[2]: bad dependency \"?\": no mod name",
            ),
            (
                r#"{"name":"m","version":"1.0.0","title":"t","author":"a","dependencies":"base"}"#,
                "field \"dependencies\" must be an array of strings",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(ModInfo::parse(text).unwrap_err(), message, "{text}");
        }
    }
}
