//! The locale check for mod authors: what each language lacks or gets wrong against English.
//!
//! Per language: keys English has and it lacks (the game shows English there), keys it has and
//! English no longer has (dead translations), keys whose parameters (`__N__`, also those a plural
//! tests) differ from English's, and tokens the game cannot read: unknown built-ins such as the
//! real `nl` file's `__ALT_CONTRO_LEFT_CLICK__1__`, plurals without their `{…}__`, and plural
//! conditions like `resto` (checked in English too).

use std::collections::BTreeSet;

use super::engine::{Catalog, Dictionary, FALLBACK_LANGUAGE, builtin_at};
use super::plural;

/// A key whose parameters differ from English's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterMismatch {
    /// `section.key`.
    pub key: String,
    /// Parameters English uses.
    pub english: Vec<usize>,
    /// Parameters this language uses.
    pub found: Vec<usize>,
}

/// A token the game cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// `section.key`.
    pub key: String,
    /// The token, or the start of it.
    pub token: String,
}

/// What the check found in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanguageReport {
    /// The language code.
    pub language: String,
    /// Keys English has and this language lacks, sorted.
    pub missing: Vec<String>,
    /// Keys this language has and English lacks, sorted.
    pub stale: Vec<String>,
    /// Keys whose parameters differ from English's.
    pub parameters: Vec<ParameterMismatch>,
    /// Tokens the game cannot read.
    pub malformed: Vec<Malformed>,
}

impl LanguageReport {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty() && self.parameters.is_empty() && self.malformed.is_empty()
    }
}

/// Parameters a template uses and the tokens in it the game cannot read.
pub fn scan(template: &str) -> (BTreeSet<usize>, Vec<String>) {
    let mut params = BTreeSet::new();
    let mut malformed = Vec::new();
    scan_into(template, &mut params, &mut malformed);
    (params, malformed)
}

fn scan_into(template: &str, params: &mut BTreeSet<usize>, malformed: &mut Vec<String>) {
    let mut rest = template;
    while let Some(at) = rest.find("__") {
        let here = rest.get(at..).unwrap_or_default();
        let body = here.get(2..).unwrap_or_default();
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        let skip = if digits > 0 && body.get(digits..).is_some_and(|r| r.starts_with("__")) {
            if let Some(n) = body.get(..digits).and_then(|d| d.parse().ok()) {
                params.insert(n);
            }
            2 + digits + 2
        } else if body.starts_with("plural_for_parameter") {
            match plural::parse_at(here) {
                Some(p) => {
                    params.insert(p.parameter);
                    malformed.extend(
                        plural::check_conditions(&p).iter().map(|c| format!("plural condition {:?}", c.trim())),
                    );
                    for (_, text) in &p.options {
                        scan_into(text, params, malformed);
                    }
                    p.len
                }
                None => {
                    malformed.push(start_of(here));
                    "__plural_for_parameter".len()
                }
            }
        } else if let Some((_, _, len)) = builtin_at(here) {
            len
        } else if let Some(name) = upper_identifier(body) {
            malformed.push(format!("__{name}__"));
            // Leave the closing `__`: the renderer reads `__1__` after it as a parameter too.
            2 + name.len()
        } else {
            1
        };
        rest = here.get(skip..).unwrap_or_default();
    }
}

/// `NAME` when `s` starts with `NAME__` and NAME looks like a built-in's (capitals and `_`).
fn upper_identifier(s: &str) -> Option<&str> {
    let end = s.find("__")?;
    let name = s.get(..end)?;
    let first = name.bytes().next()?;
    (first.is_ascii_uppercase() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit()))
        .then_some(name)
}

fn start_of(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        t.push('…');
    }
    t
}

fn full_key(section: &str, key: &str) -> String {
    if section.is_empty() { key.to_owned() } else { format!("{section}.{key}") }
}

fn keys(catalog: &Catalog) -> BTreeSet<String> {
    catalog.entries().map(|(s, k, _)| full_key(s, k)).collect()
}

/// Checks every loaded language against English (English itself only for malformed tokens).
pub fn check(dict: &Dictionary) -> Vec<LanguageReport> {
    let empty = Catalog::default();
    let english = dict.catalog(FALLBACK_LANGUAGE).unwrap_or(&empty);
    let english_keys = keys(english);
    let mut reports = Vec::new();
    for language in dict.languages() {
        let Some(catalog) = dict.catalog(language) else {
            continue;
        };
        let mut report = LanguageReport { language: language.to_owned(), ..Default::default() };
        let own_keys = keys(catalog);
        if language != FALLBACK_LANGUAGE {
            report.missing = english_keys.difference(&own_keys).cloned().collect();
            report.stale = own_keys.difference(&english_keys).cloned().collect();
        }
        let mut entries: Vec<(String, &str)> = catalog.entries().map(|(s, k, v)| (full_key(s, k), v)).collect();
        entries.sort();
        for (key, template) in entries {
            let (params, bad) = scan(template);
            report.malformed.extend(bad.into_iter().map(|token| Malformed { key: key.clone(), token }));
            if language == FALLBACK_LANGUAGE {
                continue;
            }
            if let Some(english_template) = english.get(&key) {
                let (english_params, _) = scan(english_template);
                if english_params != params {
                    report.parameters.push(ParameterMismatch {
                        key,
                        english: english_params.into_iter().collect(),
                        found: params.into_iter().collect(),
                    });
                }
            }
        }
        reports.push(report);
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::super::cfg::{Options, parse_str};
    use super::*;

    #[test]
    fn scans_parameters_and_bad_tokens() {
        let cases: &[(&str, &[usize], &[&str])] = &[
            ("plain", &[], &[]),
            ("__1__ and __2__", &[1, 2], &[]),
            ("__plural_for_parameter__3__{1=__1__|rest=x}__", &[1, 3], &[]),
            ("__plural_for_parameter_2_{1=a|resto=b}__", &[2], &["plural condition \"resto\""]),
            ("__ALT_CONTRO_LEFT_CLICK__1__ x", &[1], &["__ALT_CONTRO_LEFT_CLICK__"]),
            ("__CONTROL_STYLE_END____CONTROL_LEFT_CLICK__ __ITEM__iron-plate__", &[], &[]),
            ("__plural_for_parameter__1__ {1=a|rest=b}__", &[1], &["__plural_for_parameter__1__ {1=a|rest=b}…"]),
            ("snake__case__word", &[], &[]),
        ];
        for (template, want_params, want_bad) in cases {
            let (params, bad) = scan(template);
            assert_eq!(params.into_iter().collect::<Vec<_>>(), *want_params, "{template}");
            assert_eq!(bad, *want_bad, "{template}");
        }
    }

    #[test]
    fn compares_languages_with_english() {
        let mut d = Dictionary::new();
        for (lang, text) in
            [("en", "[s]\na=__1__ x\nb=B\nc=__1__ __2__\n"), ("de", "[s]\na=__1__ y\nc=__1__\nold=alt\nz=__BAD__\n")]
        {
            let parsed = parse_str(text, lang, Options::default()).unwrap_or_else(|e| panic!("{e:?}"));
            d.merge(lang, &parsed.file.view());
        }
        let reports = check(&d);
        let de = reports.iter().find(|r| r.language == "de").cloned().unwrap_or_default();
        assert_eq!(de.missing, ["s.b"]);
        assert_eq!(de.stale, ["s.old", "s.z"]);
        assert_eq!(de.parameters, [ParameterMismatch { key: "s.c".into(), english: vec![1, 2], found: vec![1] }]);
        assert_eq!(de.malformed, [Malformed { key: "s.z".into(), token: "__BAD__".into() }]);
        assert!(reports.iter().any(|r| r.language == "en" && r.is_clean()));
    }
}
