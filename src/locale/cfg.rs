/*!
The locale `.cfg` parser, with the game's rules.

What the game does, and where we learnt it:

* Format (wiki `Tutorial:Localisation`, "File format"): `key=value` lines, `[section]` headers,
  lines before any header belong to the section-less part, `#` and `;` start comment lines.
  "Any whitespace after or before `=` is included in the key or string": `title =x` defines the
  key `"title "`. So the first `=` splits, and neither side is trimmed.
* The value is kept verbatim: `\n` stays two characters here; the renderer turns it into a line
  break, as the game does when it shows the text (wiki: "`\n` can be used for line breaks").
* A line with no `=` stops the game from loading the mod:
  `Failed to load locale: missing value at __maraxsis__/locale/fr/locale.cfg: 20.`
  (notnotmelon/maraxsis#73, 2.0); 0.11 said `'=' character not found in line` (Dysoch/DyTech#407).
  We make it an error too.
* A file that is not UTF-8 stops the game: `Failed to load locale: Read file is not UTF-8:
  robotarmy/locale/de/locale.cfg.` (kyranf/robotarmyfactorio#196). An error here too.
* An empty header `[]` is accepted by the game (justarandomgeek/vscode-factoriomod-debug#188); it
  names the section-less part.
* A header that does not close (`[item-name`) is an error; the game reported
  `unexpected character at …/locale.cfg:38` for such lines in 0.15 (McGuten/5DimsFactorioMods#17).
* Duplicate keys: 0.11 refused a file with a duplicate key (Dysoch/DyTech#221); the community
  language server flags it as an error ("Duplicate Key"). Across files and mods the later
  definition wins — that is how a mod renames a base item. We keep the later value and warn
  (an error in strict mode), so a test can insist on clean files. The warning names the line of
  the definition it replaces.
* A UTF-8 BOM and CRLF line ends are accepted (the Windows editors translators use write them).
  Leading blanks before a comment, a header or a key are skipped, as the community language server
  does; none of the game's 50 `core.cfg` files has such a line, so this is not verified in game.
*/

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use super::hash::FastState;

/// One parsed file: sections in file order, keys in file order, the later duplicate winning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CfgFile {
    /// `(section, entries)`; the section-less part is `""`. A section appears once even when its
    /// header repeats; later headers append to it.
    pub sections: Vec<(String, Vec<(String, String)>)>,
}

impl CfgFile {
    /// The value of `key` in `section`, if defined.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(name, _)| name == section)
            .and_then(|(_, entries)| entries.iter().find(|(k, _)| k == key))
            .map(|(_, v)| v.as_str())
    }

    /// The same file as slices of this one, for [`crate::locale::Dictionary::merge`].
    pub fn view(&self) -> CfgRef<'_> {
        CfgRef {
            sections: self
                .sections
                .iter()
                .map(|(name, entries)| {
                    let entries = entries.iter().map(|(k, v)| (k.as_str(), v.as_str()));
                    (name.as_str(), entries.collect())
                })
                .collect(),
        }
    }
}

/// Section name -> its place in [`CfgRef::sections`]: where a repeated header goes on adding.
/// Std's keyed hasher: a dataset's cfg comes from a registry anyone can push to, and there are
/// far fewer sections than keys, so flood resistance costs nothing measurable here.
type SectionIndex<'a> = HashMap<&'a str, usize>;

/// One parsed file as slices of its text: what [`parse_ref`] gives, with no key or value copied.
///
/// Same order and duplicate rule as [`CfgFile`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CfgRef<'a> {
    /// `(section, entries)`; the section-less part is `""`.
    pub sections: Vec<(&'a str, Vec<(&'a str, &'a str)>)>,
}

impl<'a> CfgRef<'a> {
    /// The index of the current section, created when its first key arrives (an empty
    /// header adds no section). `index` maps each section's name to its place, so a file of
    /// many sections parses in linear time (a search of the list per header was quadratic:
    /// 100,000 sections took 9 s).
    fn current_section(
        &mut self,
        current: &mut Option<usize>,
        index: &mut SectionIndex<'a>,
        section: &'a str,
    ) -> usize {
        *current.get_or_insert_with(|| {
            self.sections.push((section, Vec::new()));
            let at = self.sections.len() - 1;
            index.insert(section, at);
            at
        })
    }

    /// The value of `key` in `section`, if defined.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(name, _)| *name == section)
            .and_then(|(_, entries)| entries.iter().find(|(k, _)| *k == key))
            .map(|(_, v)| *v)
    }

    /// A copy that owns its strings.
    pub fn to_file(&self) -> CfgFile {
        CfgFile {
            sections: self
                .sections
                .iter()
                .map(|(name, entries)| {
                    let entries = entries.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
                    ((*name).to_owned(), entries.collect())
                })
                .collect(),
        }
    }
}

/// What is wrong with a line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CfgErrorKind {
    /// The file is not UTF-8 (the game refuses it).
    NotUtf8,
    /// A line that is neither a comment, a header nor `key=value` (the game: "missing value").
    MissingValue(String),
    /// `[section` without its `]`, or text after the `]`.
    BadHeader(String),
    /// A key defined twice in the same section of one file; the later value is kept.
    DuplicateKey { section: String, key: String, first_line: usize },
    /// `=value`: a key that nothing can look up.
    EmptyKey,
    /// `key =value`: the blank belongs to the key, so `{"section.key"}` will not find it.
    KeyEndsWithBlank(String),
}

/// A problem in a cfg file, at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfgError {
    /// The chunk name or path the text came from.
    pub file: String,
    /// 1-based line number; 0 for whole-file problems.
    pub line: usize,
    /// What is wrong.
    pub kind: CfgErrorKind,
}

impl CfgError {
    /// Whether the game refuses the file for this (an error) or loads it anyway (a warning).
    pub fn is_fatal(&self) -> bool {
        matches!(self.kind, CfgErrorKind::NotUtf8 | CfgErrorKind::MissingValue(_) | CfgErrorKind::BadHeader(_))
    }
}

impl fmt::Display for CfgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        match &self.kind {
            CfgErrorKind::NotUtf8 => {
                write!(f, "not UTF-8 (the game refuses it); save the file as UTF-8")
            }
            CfgErrorKind::MissingValue(text) => write!(
                f,
                "missing value in line {:?}: write key=value, start a comment with ; or #, or a section with [name]",
                shorten(text)
            ),
            CfgErrorKind::BadHeader(text) => {
                write!(f, "bad section header {:?}: write [section-name] alone on its line", shorten(text))
            }
            CfgErrorKind::DuplicateKey { section, key, first_line } => write!(
                f,
                "duplicate key {:?} in section [{}] (first defined at line {}); the later value wins, remove one",
                key, section, first_line
            ),
            CfgErrorKind::EmptyKey => write!(f, "empty key: write key=value"),
            CfgErrorKind::KeyEndsWithBlank(key) => {
                write!(f, "key {:?} ends with a blank, which is part of the key; remove the blank before =", key)
            }
        }
    }
}

impl std::error::Error for CfgError {}

fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

/// The result of a parse: the file, and warnings the game would not stop on.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The parsed file.
    pub file: CfgFile,
    /// Problems the game loads through (duplicates, blank-ended keys).
    pub warnings: Vec<CfgError>,
}

/// [`Parsed`], borrowing the text.
#[derive(Debug, Clone, Default)]
pub struct ParsedRef<'a> {
    /// The parsed file.
    pub file: CfgRef<'a>,
    /// Problems the game loads through (duplicates, blank-ended keys).
    pub warnings: Vec<CfgError>,
}

/// How strictly to parse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Turn warnings into errors, for tests that want clean files.
    pub strict: bool,
}

/// The text of cfg bytes, or the game's refusal of a file that is not UTF-8 at the bad line.
pub fn text_of<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, Vec<CfgError>> {
    // The SIMD check answers valid files; std's finds where an invalid one goes wrong.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(text);
    }
    std::str::from_utf8(bytes).map_err(|e| {
        // Count lines up to the bad byte so the message points at it.
        let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
        vec![CfgError { file: file.to_owned(), line, kind: CfgErrorKind::NotUtf8 }]
    })
}

/// Parses cfg bytes (UTF-8, BOM allowed). `file` names the source in messages.
///
/// Returns every error (not only the first), so a test shows all bad lines at once.
pub fn parse_bytes(bytes: &[u8], file: &str, options: Options) -> Result<Parsed, Vec<CfgError>> {
    parse_str(text_of(bytes, file)?, file, options)
}

/// Parses cfg text into owned strings. See the module documentation for the rules.
pub fn parse_str(text: &str, file: &str, options: Options) -> Result<Parsed, Vec<CfgError>> {
    let parsed = parse_ref(text, file, options)?;
    Ok(Parsed { file: parsed.file.to_file(), warnings: parsed.warnings })
}

/// One meaningful line, as slices of the text: what [`scan`] hands its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// `[name]`: the keys after it belong to section `name`.
    Header(&'a str),
    /// `key=value`, in the section of the last header (`""` before any).
    Entry {
        /// The section it belongs to.
        section: &'a str,
        /// Everything before the first `=`.
        key: &'a str,
        /// Everything after it, verbatim.
        value: &'a str,
    },
}

/// Reads cfg text line by line with the game's rules, giving each header and entry to `on_line`
/// with its 1-based line number; a problem `on_line` returns (a duplicate) becomes a warning at
/// that line. Returns the warnings, or every error (warnings included in strict mode).
///
/// The parsers of this module and the dictionary's loader share it, so the rules live once.
pub fn scan<'a>(
    text: &'a str,
    file: &str,
    options: Options,
    mut on_line: impl FnMut(usize, Line<'a>) -> Option<CfgErrorKind>,
) -> Result<Vec<CfgError>, Vec<CfgError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut section: &str = "";
    let mut rest = text;
    let mut number = 0;
    loop {
        number += 1;
        // One pass finds the first `=` and the line's end: two searches per line cost more
        // than the line is long (core.cfg lines average 58 bytes).
        let bytes = rest.as_bytes();
        let stop = find_either(bytes, b'=', b'\n');
        let (eq, end) = match stop {
            Some(at) if bytes.get(at) == Some(&b'=') => {
                let after = bytes.get(at + 1..).unwrap_or_default();
                let end = find_either(after, b'\n', b'\n').map_or(bytes.len(), |n| at + 1 + n);
                (Some(at), end)
            }
            Some(at) => (None, at),
            None => (None, bytes.len()),
        };
        let raw = rest.get(..end).unwrap_or_default();
        let next = rest.get(end + 1..);
        scan_line(raw, eq, number, file, &mut section, &mut errors, &mut warnings, &mut on_line);
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    if options.strict {
        errors.append(&mut warnings);
        errors.sort_by_key(|e| e.line);
    }
    if errors.is_empty() { Ok(warnings) } else { Err(errors) }
}

/// The index of the first `a` or `b` in `bytes`, eight bytes at a step: a zero byte in
/// `word ^ (a repeated)` is an `a`, and `(x - 0x01…) & !x & 0x80…` marks the first zero byte.
fn find_either(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (wa, wb) = (ONES * u64::from(a), ONES * u64::from(b));
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let (x, y) = (word ^ wa, word ^ wb);
        let hit = ((x.wrapping_sub(ONES) & !x) | (y.wrapping_sub(ONES) & !y)) & HIGH;
        if hit != 0 {
            return Some(base + (hit.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    let tail = chunks.remainder().iter().position(|&c| c == a || c == b);
    tail.map(|i| base + i)
}

/// One line of [`scan`]; `eq` is the offset of its first `=`, if any.
#[allow(clippy::too_many_arguments)] // the loop's state, passed down rather than rebuilt
#[inline]
fn scan_line<'a>(
    raw: &'a str,
    eq: Option<usize>,
    number: usize,
    file: &str,
    section: &mut &'a str,
    errors: &mut Vec<CfgError>,
    warnings: &mut Vec<CfgError>,
    on_line: &mut impl FnMut(usize, Line<'a>) -> Option<CfgErrorKind>,
) {
    let line = raw.strip_suffix('\r').unwrap_or(raw);
    let body = line.trim_start_matches([' ', '\t']);
    match body.as_bytes().first() {
        None | Some(b';' | b'#') => return,
        Some(b'[') => {
            let rest = body.get(1..).unwrap_or_default();
            match rest.trim_end_matches([' ', '\t']).strip_suffix(']') {
                Some(name) if !name.contains(']') => {
                    *section = name;
                    if let Some(kind) = on_line(number, Line::Header(name)) {
                        warnings.push(problem(file, number, kind));
                    }
                }
                _ => errors.push(problem(file, number, CfgErrorKind::BadHeader(line.to_owned()))),
            }
            return;
        }
        Some(_) => {}
    }
    // Leading blanks hold no `=`, so the first `=` of the line is the body's.
    let split = eq.and_then(|at| Some((line.get(..at)?, line.get(at + 1..)?)));
    let Some((before, value)) = split else {
        errors.push(problem(file, number, CfgErrorKind::MissingValue(line.to_owned())));
        return;
    };
    let key = before.trim_start_matches([' ', '\t']);
    if key.is_empty() {
        warnings.push(problem(file, number, CfgErrorKind::EmptyKey));
    } else if key.ends_with([' ', '\t']) {
        warnings.push(problem(file, number, CfgErrorKind::KeyEndsWithBlank(key.to_owned())));
    }
    let current = *section;
    let entry = Line::Entry { section: current, key, value };
    if let Some(kind) = on_line(number, entry) {
        warnings.push(problem(file, number, kind));
    }
}

/// Every entry of cfg text in file order, duplicates included and not reported: for a caller
/// that finds duplicates itself (`fm.locale.parse` lets the Lua table do it) and calls
/// [`parse_ref`] for the exact report when there is one. Sections as in [`parse_ref`].
pub fn parse_all<'a>(text: &'a str, file: &str) -> Result<ParsedRef<'a>, Vec<CfgError>> {
    let mut out = CfgRef::default();
    let mut current: Option<usize> = None;
    let mut index = SectionIndex::default();
    let warnings = scan(text, file, Options::default(), |_, line| {
        match line {
            Line::Header(name) => current = index.get(name).copied(),
            Line::Entry { section, key, value } => {
                let at = out.current_section(&mut current, &mut index, section);
                if let Some((_, entries)) = out.sections.get_mut(at) {
                    entries.push((key, value));
                }
            }
        }
        None
    })?;
    Ok(ParsedRef { file: out, warnings })
}

/// Parses cfg text into slices of it: the fast path behind `fm.locale.parse`.
///
/// Nothing is allocated per line except the entry itself in its section's list; the duplicate
/// check keys on `(section, &key)`.
pub fn parse_ref<'a>(text: &'a str, file: &str, options: Options) -> Result<ParsedRef<'a>, Vec<CfgError>> {
    let mut out = CfgRef::default();
    // Index of the current section in `out.sections` (see `CfgRef::current_section`).
    let mut current: Option<usize> = None;
    let mut index = SectionIndex::default();
    // (section index, key) -> (entry index, line), for duplicates within this file. Lines in
    // core.cfg average ~58 bytes, which sizes the table once for most files.
    let mut seen: HashMap<(usize, &str), (usize, usize), FastState> =
        HashMap::with_capacity_and_hasher(text.len() / 48, FastState);
    let warnings = scan(text, file, options, |number, line| {
        let (section, key, value) = match line {
            Line::Header(name) => {
                current = index.get(name).copied();
                return None;
            }
            Line::Entry { section, key, value } => (section, key, value),
        };
        let at = out.current_section(&mut current, &mut index, section);
        let (_, entries) = out.sections.get_mut(at)?;
        match seen.entry((at, key)) {
            Entry::Occupied(mut first) => {
                // Reported against the definition it replaces, as the loader does.
                let (slot, first_line) = std::mem::replace(first.get_mut(), (0, number));
                first.get_mut().0 = slot;
                if let Some(entry) = entries.get_mut(slot) {
                    entry.1 = value;
                }
                Some(CfgErrorKind::DuplicateKey { section: section.to_owned(), key: key.to_owned(), first_line })
            }
            Entry::Vacant(v) => {
                v.insert((entries.len(), number));
                entries.push((key, value));
                None
            }
        }
    })?;
    Ok(ParsedRef { file: out, warnings })
}

fn problem(file: &str, line: usize, kind: CfgErrorKind) -> CfgError {
    CfgError { file: file.to_owned(), line, kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> CfgFile {
        match parse_str(text, "t.cfg", Options::default()) {
            Ok(p) => p.file,
            Err(e) => panic!("unexpected errors: {e:?}"),
        }
    }

    fn errors(text: &str, strict: bool) -> Vec<String> {
        match parse_str(text, "t.cfg", Options { strict }) {
            Ok(p) if !strict => p.warnings.iter().map(ToString::to_string).collect(),
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn values_and_sections() {
        // (text, section, key, expected value)
        let cases: &[(&str, &str, &str, Option<&str>)] = &[
            ("a=b", "", "a", Some("b")),
            ("[s]\na=b", "s", "a", Some("b")),
            ("a=b=c", "", "a", Some("b=c")),
            ("a= b ", "", "a", Some(" b ")),
            ("a =b", "", "a ", Some("b")),
            ("a =b", "", "a", None),
            ("a=x\\ny", "", "a", Some("x\\ny")),
            ("a=", "", "a", Some("")),
            ("\u{feff}a=b", "", "a", Some("b")),
            ("[s]\r\na=b\r\n", "s", "a", Some("b")),
            ("; c\n# c\n\n[s]\n  ;c\na=b", "s", "a", Some("b")),
            ("[s] \na=b", "s", "a", Some("b")),
            ("a=1\n[s]\nb=2\n[]\nc=3", "", "c", Some("3")),
            ("[s]\na=1\n[t]\n[s]\nb=2", "s", "b", Some("2")),
            ("a=1\na=2", "", "a", Some("2")),
            ("a=;not a comment", "", "a", Some(";not a comment")),
            ("  a=b", "", "a", Some("b")),
            ("a=b\r", "", "a", Some("b")),
        ];
        for (text, section, key, want) in cases {
            assert_eq!(parse(text).get(section, key), *want, "{text:?}");
        }
    }

    #[test]
    fn sections_keep_file_order() {
        let f = parse("z=1\n[b]\nx=1\n[a]\ny=1\n[b]\nw=2");
        let names: Vec<&str> = f.sections.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["", "b", "a"]);
        assert_eq!(f.sections[1].1, [("x".into(), "1".into()), ("w".into(), "2".into())]);
    }

    #[test]
    fn bad_lines_are_errors_with_file_and_line() {
        let cases: &[(&str, &[&str])] = &[
            ("a=b\nnot a pair", &["t.cfg:2: missing value in line \"not a pair\""]),
            ("[open", &["t.cfg:1: bad section header \"[open\""]),
            ("[a]b", &["t.cfg:1: bad section header \"[a]b\""]),
            ("x\ny", &["t.cfg:1: missing value", "t.cfg:2: missing value"]),
        ];
        for (text, want) in cases {
            let got = errors(text, false);
            assert_eq!(got.len(), want.len(), "{text:?}: {got:?}");
            for (g, w) in got.iter().zip(want.iter()) {
                assert!(g.starts_with(w), "{text:?}: {g} does not start with {w}");
            }
        }
    }

    #[test]
    fn warnings_become_errors_in_strict_mode() {
        let cases: &[(&str, &str)] = &[
            ("a=1\na=2", "t.cfg:2: duplicate key \"a\" in section [] (first defined at line 1)"),
            ("a =1", "t.cfg:1: key \"a \" ends with a blank"),
            ("=1", "t.cfg:1: empty key"),
        ];
        for (text, want) in cases {
            let loose = errors(text, false);
            assert!(loose.first().is_some_and(|w| w.starts_with(want)), "{text:?}: {loose:?}");
            let strict = errors(text, true);
            assert!(strict.first().is_some_and(|w| w.starts_with(want)), "{text:?}: {strict:?}");
            assert!(parse_str(text, "t.cfg", Options { strict: true }).is_err());
        }
    }

    #[test]
    fn parse_all_keeps_duplicates_in_file_order() {
        let text = "a=1\n[s]\nk=x\n[t]\nk=y\n[s]\nk=z\n[]\nb=2";
        let p = parse_all(text, "t.cfg").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            p.file.sections,
            [("", vec![("a", "1"), ("b", "2")]), ("s", vec![("k", "x"), ("k", "z")]), ("t", vec![("k", "y")])]
        );
        assert!(p.warnings.is_empty());
        let p = parse_ref(text, "t.cfg", Options::default()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p.file.get("s", "k"), Some("z"));
        assert_eq!(p.warnings.len(), 1);
    }

    #[test]
    fn a_third_definition_is_reported_against_the_second() {
        let got = errors("a=1\na=2\na=3", false);
        assert_eq!(got.len(), 2);
        assert!(got[1].contains("first defined at line 2"), "{got:?}");
    }

    #[test]
    fn find_either_finds_the_first_of_two_bytes() {
        let cases: &[(&[u8], Option<usize>)] = &[
            (b"", None),
            (b"abc", None),
            (b"=", Some(0)),
            (b"ab\n=", Some(2)),
            (b"abcdefgh=", Some(8)),
            (b"abcdefghijklmno\n", Some(15)),
            ("\u{ff}\u{100}\u{3d}x".as_bytes(), Some(4)),
            (b"\x3c\x3e\x3d", Some(2)),
        ];
        for (bytes, want) in cases {
            assert_eq!(find_either(bytes, b'=', b'\n'), *want, "{bytes:?}");
        }
    }

    #[test]
    fn not_utf8_names_the_line() {
        let e = parse_bytes(b"a=b\nc=\xff\n", "x.cfg", Options::default());
        let e = e.err().unwrap_or_default();
        assert_eq!(e.len(), 1);
        assert!(e[0].to_string().starts_with("x.cfg:2: not UTF-8"), "{}", e[0]);
    }

    /// Issue 13: a header looked its section up in a list, so a file of many sections was
    /// quadratic (100,000 sections: 9 s in a release build). Now linear: the same file parses
    /// in well under a second even unoptimised, and repeated headers still reach their section.
    #[test]
    fn a_hundred_thousand_sections_parse_in_linear_time() {
        let mut text = String::new();
        for i in 0..100_000 {
            text.push_str(&format!("[section-{i}]\nkey=value {i}\n"));
        }
        text.push_str("[section-7]\nlater=again\n");
        let started = std::time::Instant::now();
        let all = parse_all(&text, "big.cfg").unwrap();
        let exact = parse_ref(&text, "big.cfg", Options::default()).unwrap();
        let took = started.elapsed();
        eprintln!("FIGURE: parse_all + parse_ref of 100,000 sections: {took:?}");
        assert!(took < std::time::Duration::from_secs(3), "took {took:?}");
        for parsed in [&all.file, &exact.file] {
            assert_eq!(parsed.sections.len(), 100_000);
            assert_eq!(parsed.get("section-7", "later"), Some("again"));
            assert_eq!(parsed.get("section-99999", "key"), Some("value 99999"));
        }
    }
}
