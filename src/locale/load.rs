/*!
Finding and reading locale files on disk.

`load(path, language)` accepts what a test has at hand:

* a mod folder, with `locale/<lang>/<any>.cfg` (the game reads every `.cfg` in the folder);
* a dataset folder, with `locale/<lang>.cfg` (all cfg files of a modpack merged per language);
* either `locale` folder itself;
* a language folder (`locale/en`), when `language` is given;
* one `.cfg` file, when `language` is given.

Without `language`, every language found is loaded. Files of one language are read in name
order, and a key read later replaces one read earlier. Every file is parsed before anything is
merged, so a bad file leaves the dictionary as it was.
*/

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use super::cfg::{self, CfgError, CfgErrorKind, Options};
use super::engine::{Catalog, Dictionary, Origin};

/// What a load did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Languages loaded, sorted.
    pub languages: Vec<String>,
    /// Files read.
    pub files: Vec<PathBuf>,
    /// Problems the game loads through (errors in strict mode).
    pub warnings: Vec<CfgError>,
}

/// Why a load failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// A file or folder could not be read.
    Io { path: PathBuf, error: std::io::Error },
    /// Bad lines, every one of them.
    Parse(Vec<CfgError>),
    /// A single `.cfg` file or a language folder, but no language given.
    LanguageRequired(PathBuf),
    /// Nothing that looks like locale files.
    NothingToLoad { path: PathBuf, language: Option<String> },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, error } => write!(f, "{}: cannot read: {error}", path.display()),
            LoadError::Parse(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))
            }
            LoadError::LanguageRequired(path) => {
                write!(f, "{}: which language is this? pass it: fm.locale.load(path, \"en\")", path.display())
            }
            LoadError::NothingToLoad { path, language } => write!(
                f,
                "{}: no locale files{} here; expected a mod folder (locale/<lang>/*.cfg), a dataset (locale/<lang>.cfg), a locale folder or a .cfg file",
                path.display(),
                language.as_ref().map(|l| format!(" for language {l:?}")).unwrap_or_default()
            ),
        }
    }
}

impl std::error::Error for LoadError {}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |error| LoadError::Io { path: path.to_owned(), error }
}

fn is_cfg(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "cfg")
}

/// Entries of a folder, sorted by name.
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut v = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        v.push(entry.map_err(io(dir))?.path());
    }
    v.sort();
    Ok(v)
}

fn cfg_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    Ok(sorted_entries(dir)?.into_iter().filter(|p| p.is_file() && is_cfg(p)).collect())
}

/// `(language, files)` pairs in a `locale` folder: `<lang>/*.cfg` and `<lang>.cfg`.
fn locale_folder(dir: &Path, language: Option<&str>) -> Result<Vec<(String, Vec<PathBuf>)>, LoadError> {
    let mut found: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for path in sorted_entries(dir)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let (lang, files) = if path.is_dir() {
            (name.to_owned(), cfg_files(&path)?)
        } else if is_cfg(&path) {
            let stem = name.strip_suffix(".cfg").unwrap_or(name);
            (stem.to_owned(), vec![path.clone()])
        } else {
            continue;
        };
        if files.is_empty() || language.is_some_and(|l| l != lang) {
            continue;
        }
        match found.iter_mut().find(|(l, _)| *l == lang) {
            Some((_, existing)) => existing.extend(files),
            None => found.push((lang, files)),
        }
    }
    Ok(found)
}

/// Which files of which language `path` holds.
pub fn discover(path: &Path, language: Option<&str>) -> Result<Vec<(String, Vec<PathBuf>)>, LoadError> {
    let meta = fs::metadata(path).map_err(io(path))?;
    if meta.is_file() {
        let lang = language.ok_or_else(|| LoadError::LanguageRequired(path.to_owned()))?;
        return Ok(vec![(lang.to_owned(), vec![path.to_owned()])]);
    }
    let nested = path.join("locale");
    let folder = if nested.is_dir() { nested } else { path.to_owned() };
    let found = locale_folder(&folder, language)?;
    if !found.is_empty() {
        return Ok(found);
    }
    // A language folder: .cfg files with any names, the language given by the caller.
    let files = cfg_files(path)?;
    match language {
        Some(lang) if !files.is_empty() => Ok(vec![(lang.to_owned(), files)]),
        None if !files.is_empty() => Err(LoadError::LanguageRequired(path.to_owned())),
        _ => Err(LoadError::NothingToLoad { path: path.to_owned(), language: language.map(str::to_owned) }),
    }
}

/// Loads `path` into `dict`; see the module documentation for the layouts.
pub fn load(dict: &mut Dictionary, path: &Path, language: Option<&str>, options: Options) -> Result<Report, LoadError> {
    let found = discover(path, language)?;
    let mut report = Report::default();
    let mut staged = Vec::with_capacity(found.len());
    let mut errors = Vec::new();
    let mut file_no = 0;
    // Each language is parsed straight into a catalog of its own, then handed to `dict` only if
    // every file parsed: no copy of a key or value but the catalog's, and one table insert per
    // line, which also finds the duplicates within a file.
    for (lang, files) in &found {
        let mut catalog = Catalog::default();
        for file in files {
            let bytes = fs::read(file).map_err(io(file))?;
            let name = file.display().to_string();
            file_no += 1;
            catalog.reserve(bytes.len() / 48);
            let mut section = catalog.section_id("");
            let parsed = cfg::text_of(&bytes, &name).and_then(|text| {
                cfg::scan(text, &name, options, |line, found| match found {
                    cfg::Line::Header(name) => {
                        section = catalog.section_id(name);
                        None
                    }
                    cfg::Line::Entry { section: section_name, key, value } => {
                        let origin = Origin { file: file_no, line };
                        match catalog.insert(section, key, value, origin) {
                            Some(first) if first.file == file_no => Some(CfgErrorKind::DuplicateKey {
                                section: section_name.to_owned(),
                                key: key.to_owned(),
                                first_line: first.line,
                            }),
                            _ => None,
                        }
                    }
                })
            });
            match parsed {
                Ok(mut warnings) => report.warnings.append(&mut warnings),
                Err(mut e) => errors.append(&mut e),
            }
            report.files.push(file.clone());
        }
        staged.push((lang.as_str(), catalog));
    }
    if !errors.is_empty() {
        return Err(LoadError::Parse(errors));
    }
    for (lang, catalog) in staged {
        dict.absorb(lang, catalog);
    }
    report.languages = found.into_iter().map(|(l, _)| l).collect();
    report.languages.sort();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::super::engine::LocalisedString as L;
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }

    fn tr(d: &Dictionary, key: &str, lang: &str) -> String {
        d.translate(&L::key(key, vec![]), lang).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn layouts() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = tmp.path();
        write(root, "mod/locale/en/a.cfg", "[s]\nk=A en\nboth=from a");
        write(root, "mod/locale/en/b.cfg", "[s]\nboth=from b");
        write(root, "mod/locale/ru/a.cfg", "[s]\nk=A ru");
        write(root, "mod/locale/ru/notes.txt", "ignored");
        write(root, "dataset/locale/en.cfg", "[s]\nk=D en");
        write(root, "one.cfg", "[s]\nk=one");

        // (path, language, languages loaded, key s.k in the first language)
        let cases: &[(&str, Option<&str>, &[&str], &str)] = &[
            ("mod", None, &["en", "ru"], "A en"),
            ("mod", Some("ru"), &["ru"], "A ru"),
            ("mod/locale", None, &["en", "ru"], "A en"),
            ("mod/locale/en", Some("en"), &["en"], "A en"),
            ("dataset", None, &["en"], "D en"),
            ("dataset/locale", Some("en"), &["en"], "D en"),
            ("one.cfg", Some("de"), &["de"], "one"),
        ];
        for (rel, lang, langs, want) in cases {
            let mut d = Dictionary::new();
            let report =
                load(&mut d, &root.join(rel), *lang, Options::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert_eq!(report.languages, *langs, "{rel}");
            assert_eq!(tr(&d, "s.k", langs[0]), *want, "{rel}");
        }

        let mut d = Dictionary::new();
        let report = load(&mut d, &root.join("mod"), None, Options::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tr(&d, "s.both", "en"), "from b", "later file wins");
        assert!(report.warnings.is_empty(), "a key in two files is no duplicate: {:?}", report.warnings);

        // A key twice in one file is; a second load replaces keys without a warning.
        write(root, "dup/locale/en/a.cfg", "[s]\nk=1\nk=2\n");
        let report = load(&mut d, &root.join("dup"), None, Options::default()).unwrap_or_else(|e| panic!("{e}"));
        let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("a.cfg:3: duplicate key \"k\" in section [s] (first defined at line 2)"),
            "{warnings:?}"
        );
        assert_eq!((tr(&d, "s.k", "en"), tr(&d, "s.both", "en")), ("2".to_owned(), "from b".to_owned()));
    }

    #[test]
    fn failures_say_what_to_do() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = tmp.path();
        write(root, "one.cfg", "k=v");
        write(root, "bad/locale/en/x.cfg", "ok=1\nbroken\n");
        fs::create_dir_all(root.join("empty")).unwrap_or_else(|e| panic!("{e}"));

        let mut d = Dictionary::new();
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("one.cfg", None, "one.cfg: which language is this?"),
            ("bad", None, "x.cfg:2: missing value"),
            ("empty", None, "empty: no locale files here"),
            ("missing", None, "missing: cannot read"),
        ];
        for (rel, lang, want) in cases {
            let err = load(&mut d, &root.join(rel), *lang, Options::default()).err();
            let text = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(text.contains(want), "{rel}: {text:?} lacks {want:?}");
        }
        assert!(d.languages().is_empty(), "a failed load merges nothing");
    }
}
