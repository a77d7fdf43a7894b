/*!
The LocalisedString engine: a dictionary of loaded languages and the renderer.

The game's rules (API docs, `concepts/LocalisedString`, 2.0; wiki `Tutorial:Localisation`):

* `{"section.key", p1, …}` looks the template up and puts the parameters in for `__1__`…;
  strings, numbers and booleans stand for themselves.
* `{"", a, b, …}` concatenates; `{"?", a, b, …}` shows the first *valid* alternative — one whose
  key exists — and the last one if none is valid.
* "Localised strings can not be recursed deeper than 20 levels and can not have more than 20
  parameters." Past the parameter limit the game raises
  `Too many parameters for localised string: 21 > 20 (limit).` (FactoryPlanner#726,
  helmod#610, 2.0) when the string enters the game; we raise the same text. The depth error's
  wording is ours: no report quotes the game's.
* A key that is nowhere shows `Unknown key: "item-name.foo"` (wiki).
* A key missing in the player's language shows the English text: the game loads English as the
  fallback for every language.
* In a template, `\n` becomes a line break when shown; a parameter the string does not give
  (`__3__` with two parameters) stays as written.

Built-ins (every token in the 50 `core.cfg` files of 2.0.55 and base's English, plus
`__FLUID__`, `__PLANET__` and `__CONTROL_MODIFIER__`, which the community language server
knows):

| token | shown as |
| --- | --- |
| `__ITEM__x__`, `__ENTITY__x__`, `__FLUID__x__`, `__TILE__x__`, `__PLANET__x__` | the prototype's own `localised_name` when the dataset gives it one ([`PrototypeNames`]), else the translated `item-name.x`, `entity-name.x`, `fluid-name.x`, `tile-name.x`, `space-location-name.x` |
| `__CONTROL__x__` | the binding of control `x` (see [`super::controls`]), or `controls.not-set` |
| `__CONTROL_MODIFIER__x__` | the modifier keys of that binding |
| `__ALT_CONTROL__n__x__` | the binding in form n (1 "Left-click"/"Press R", 2 "Left-clicking"/"Pressing R") |
| `__CONTROL_LEFT_CLICK__`, `__CONTROL_RIGHT_CLICK__` | `control-keys.mouse-button-1`/`-2` |
| `__ALT_CONTROL_LEFT_CLICK__n__`, `__ALT_CONTROL_RIGHT_CLICK__n__` | `control-keys.mouse-button-1-alt-n`/`-2-alt-n` |
| `__CONTROL_KEY_SHIFT__`, `__CONTROL_KEY_CTRL__` | `control-keys.shift`, `control-keys.control` |
| `__CONTROL_MOVE__` | the four move bindings, up-left-down-right (`WASD`) |
| `__CONTROL_STYLE_BEGIN__`/`END`, `__REMARK_COLOR_BEGIN__`/`END` | nothing: they only colour the text in game |

A token the game does not know (the `nl` file's `__ALT_CONTRO_LEFT_CLICK__1__`) stays as written.

A template that expands inside another (through a built-in or a plural) more than 20 deep is
shown as written: `item-name.x=__ITEM__x__` would otherwise never end. That limit is ours.
*/

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use super::cfg::CfgRef;
use super::controls;
use super::hash::FastState;
use super::plural;

/// The game's limit on parameters and on nesting.
pub const LIMIT: usize = 20;

/// A LocalisedString, as Lua gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum LocalisedString {
    /// A plain string, shown as is.
    Text(String),
    /// A Lua float, shown as Lua 5.2 prints it (`%.14g`).
    Number(f64),
    /// A Lua integer (5.3 and later).
    Integer(i64),
    /// `true` or `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// `{"section.key", params…}`.
    Key {
        /// The template's name, `section.key` (no dot: the section-less part).
        key: String,
        /// The parameters for `__1__`….
        params: Vec<LocalisedString>,
    },
    /// `{"", parts…}`.
    Concat(Vec<LocalisedString>),
    /// `{"?", alternatives…}`.
    Fallback(Vec<LocalisedString>),
}

impl From<&str> for LocalisedString {
    fn from(s: &str) -> Self {
        LocalisedString::Text(s.to_owned())
    }
}

impl LocalisedString {
    /// `{key, params…}`.
    pub fn key(key: &str, params: Vec<LocalisedString>) -> Self {
        LocalisedString::Key { key: key.to_owned(), params }
    }

    /// Checks the game's limits, as the game does when a LocalisedString enters it.
    pub fn validate(&self) -> Result<(), TranslateError> {
        self.validate_at(1)
    }

    fn validate_at(&self, depth: usize) -> Result<(), TranslateError> {
        let params = match self {
            LocalisedString::Key { params, .. } => params,
            LocalisedString::Concat(p) | LocalisedString::Fallback(p) => p,
            _ => return Ok(()),
        };
        if depth > LIMIT {
            return Err(TranslateError::TooDeep);
        }
        if params.len() > LIMIT {
            return Err(TranslateError::TooManyParameters(params.len()));
        }
        params.iter().try_for_each(|p| p.validate_at(depth + 1))
    }
}

/// Why a LocalisedString cannot be translated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TranslateError {
    /// More than 20 parameters in one table.
    TooManyParameters(usize),
    /// Tables nested more than 20 deep.
    TooDeep,
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TranslateError::TooManyParameters(n) => {
                write!(f, "Too many parameters for localised string: {n} > {LIMIT} (limit).")
            }
            TranslateError::TooDeep => {
                write!(f, "Localised string is nested too deep: more than {LIMIT} levels (limit).")
            }
        }
    }
}

impl std::error::Error for TranslateError {}

/// One language: section → key → template.
///
/// Built for loading 50 languages at once: keys and templates live back to back in one string,
/// and a small open-addressing table finds them, so a key costs no allocation of its own (one
/// `String` per key and per value made the allocator half of `fm.locale.load`).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Section names; an entry names its section by index.
    sections: Vec<Box<str>>,
    section_ids: HashMap<Box<str>, usize, FastState>,
    /// Every key and template, back to back.
    text: String,
    entries: Vec<Slot>,
    /// Linear probing over `entries`: index + 1, 0 for a free slot. Its length is a power of
    /// two and at least twice the number of entries.
    table: Vec<usize>,
}

/// Where a definition came from, for the loader's duplicate report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// Which file of the load, counted by the loader.
    pub file: usize,
    /// Its 1-based line.
    pub line: usize,
}

#[derive(Debug, Clone)]
struct Slot {
    hash: u64,
    section: usize,
    key: (usize, usize),
    value: (usize, usize),
    origin: Origin,
}

fn slot_hash(section: usize, key: &str) -> u64 {
    let mut h = FastState.build_hasher();
    h.write_usize(section);
    h.write(key.as_bytes());
    h.finish()
}

impl Catalog {
    fn piece(&self, (start, len): (usize, usize)) -> &str {
        self.text.get(start..start + len).unwrap_or_default()
    }

    fn push_text(&mut self, s: &str) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(s);
        (start, s.len())
    }

    /// The index of section `name`, added if new.
    pub fn section_id(&mut self, name: &str) -> usize {
        if let Some(&id) = self.section_ids.get(name) {
            return id;
        }
        let id = self.sections.len();
        self.sections.push(name.into());
        self.section_ids.insert(name.into(), id);
        id
    }

    /// The table slot holding `key` of `section`, or the free slot where it would go.
    fn probe(&self, hash: u64, section: usize, key: &str) -> Option<usize> {
        let mask = self.table.len().checked_sub(1)?;
        // Truncation is fine: any bits of the hash pick the start.
        let mut at = (hash as usize) & mask;
        loop {
            let found = *self.table.get(at)?;
            let Some(slot) = found.checked_sub(1).and_then(|i| self.entries.get(i)) else {
                return Some(at);
            };
            if slot.hash == hash && slot.section == section && self.piece(slot.key) == key {
                return Some(at);
            }
            at = (at + 1) & mask;
        }
    }

    /// Makes room for `more` entries without growing the table on the way.
    pub fn reserve(&mut self, more: usize) {
        let want = (self.entries.len() + more).saturating_mul(2).next_power_of_two().max(16);
        if want <= self.table.len() {
            return;
        }
        self.entries.reserve(more);
        self.table = vec![0; want];
        let mask = want - 1;
        for (i, slot) in self.entries.iter().enumerate() {
            let mut at = (slot.hash as usize) & mask;
            while self.table.get(at).is_some_and(|&t| t != 0) {
                at = (at + 1) & mask;
            }
            if let Some(t) = self.table.get_mut(at) {
                *t = i + 1;
            }
        }
    }

    /// Sets `key` of section `section` (from [`Catalog::section_id`]); returns where the value
    /// it replaces came from.
    pub fn insert(&mut self, section: usize, key: &str, value: &str, origin: Origin) -> Option<Origin> {
        if (self.entries.len() + 1) * 2 > self.table.len() {
            self.reserve(self.entries.len().max(8));
        }
        let hash = slot_hash(section, key);
        let at = self.probe(hash, section, key)?;
        let existing = self.table.get(at).copied().unwrap_or(0);
        if let Some(i) = existing.checked_sub(1) {
            // The old template's bytes stay behind in `text`: overrides are few.
            let value = self.push_text(value);
            let slot = self.entries.get_mut(i)?;
            slot.value = value;
            return Some(std::mem::replace(&mut slot.origin, origin));
        }
        let key = self.push_text(key);
        let value = self.push_text(value);
        self.entries.push(Slot { hash, section, key, value, origin });
        if let Some(t) = self.table.get_mut(at) {
            *t = self.entries.len();
        }
        None
    }

    /// Adds a file's keys; a key already present is replaced, as a later mod replaces an earlier.
    pub fn merge(&mut self, file: &CfgRef<'_>) {
        let origin = Origin { file: 0, line: 0 };
        self.reserve(file.sections.iter().map(|(_, e)| e.len()).sum());
        for (section, entries) in &file.sections {
            let id = self.section_id(section);
            for (key, value) in entries {
                self.insert(id, key, value, origin);
            }
        }
    }

    /// Adds every key of `other`, replacing those present.
    pub fn absorb(&mut self, other: Catalog) {
        if self.entries.is_empty() {
            *self = other;
            return;
        }
        self.reserve(other.entries.len());
        for slot in &other.entries {
            let section = other.sections.get(slot.section).map_or("", |s| &**s);
            let id = self.section_id(section);
            self.insert(id, other.piece(slot.key), other.piece(slot.value), slot.origin);
        }
    }

    /// The template of `section.key`.
    pub fn get(&self, full_key: &str) -> Option<&str> {
        let (section, key) = full_key.split_once('.').unwrap_or(("", full_key));
        let section = *self.section_ids.get(section)?;
        let at = self.probe(slot_hash(section, key), section, key)?;
        let i = self.table.get(at)?.checked_sub(1)?;
        self.entries.get(i).map(|slot| self.piece(slot.value))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is loaded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every `(section, key, template)`, in the order they were first defined.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.entries.iter().map(move |slot| {
            let section = self.sections.get(slot.section).map_or("", |s| &**s);
            (section, self.piece(slot.key), self.piece(slot.value))
        })
    }
}

/// Loaded languages and key bindings; what `fm.locale` keeps per Lua state.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    languages: HashMap<String, Catalog>,
    /// Languages taken whole from a catalog many sessions share (a built-in dataset's): read
    /// under the language's own keys, never copied.
    shared: HashMap<String, Arc<Catalog>>,
    bindings: HashMap<String, Option<String>>,
}

/// The language every other falls back to.
pub const FALLBACK_LANGUAGE: &str = "en";

impl Dictionary {
    /// An empty dictionary with the default bindings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parsed file to `language` (`CfgFile::view` turns an owned file into a `CfgRef`).
    pub fn merge(&mut self, language: &str, file: &CfgRef<'_>) {
        match self.languages.get_mut(language) {
            Some(catalog) => catalog.merge(file),
            None => {
                let mut catalog = Catalog::default();
                catalog.merge(file);
                self.languages.insert(language.to_owned(), catalog);
            }
        }
    }

    /// Adds a whole language's keys, as the loader stages them; taken as is when the language
    /// is new.
    pub fn absorb(&mut self, language: &str, catalog: Catalog) {
        match self.languages.get_mut(language) {
            Some(existing) => existing.absorb(catalog),
            None => {
                self.languages.insert(language.to_owned(), catalog);
            }
        }
    }

    /// Adds a whole language's keys from a shared catalog: kept by reference when the language
    /// has nothing yet (so a session's setup costs no copy), else copied in as [`Dictionary::absorb`].
    pub fn absorb_shared(&mut self, language: &str, catalog: &Arc<Catalog>) {
        if !self.languages.contains_key(language) && !self.shared.contains_key(language) {
            self.shared.insert(language.to_owned(), catalog.clone());
            return;
        }
        // Otherwise one catalog, in the order the keys came: the shared ones, those loaded
        // over them, then the new ones.
        if let Some(first) = self.shared.remove(language) {
            let mut flat = Catalog::clone(&first);
            if let Some(own) = self.languages.remove(language) {
                flat.absorb(own);
            }
            self.languages.insert(language.to_owned(), flat);
        }
        self.absorb(language, Catalog::clone(catalog));
    }

    /// Forgets every loaded key and binding override.
    pub fn clear(&mut self) {
        self.languages.clear();
        self.shared.clear();
        self.bindings.clear();
    }

    /// The loaded languages, sorted.
    pub fn languages(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.languages.keys().chain(self.shared.keys()).map(String::as_str).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// One language's keys: those loaded into it (a shared catalog's when it has only those).
    pub fn catalog(&self, language: &str) -> Option<&Catalog> {
        self.languages.get(language).or_else(|| self.shared.get(language).map(|c| &**c))
    }

    /// A key of one language: loaded keys first, then the shared catalog's.
    fn key_in(&self, language: &str, key: &str) -> Option<&str> {
        self.languages
            .get(language)
            .and_then(|c| c.get(key))
            .or_else(|| self.shared.get(language).and_then(|c| c.get(key)))
    }

    /// Sets the key sequence of a control (`None`: not bound), overriding the default.
    pub fn bind(&mut self, control: &str, sequence: Option<&str>) {
        self.bindings.insert(control.to_owned(), sequence.map(str::to_owned));
    }

    /// The key sequence bound to a control.
    pub fn binding(&self, control: &str) -> Option<&str> {
        match self.bindings.get(control) {
            Some(bound) => bound.as_deref(),
            None => controls::DEFAULT_BINDINGS.iter().find(|(name, _)| *name == control).map(|(_, seq)| *seq),
        }
    }

    /// The template for `key` in `language`, falling back to English as the game does.
    pub fn lookup(&self, language: &str, key: &str) -> Option<&str> {
        self.key_in(language, key).or_else(|| self.key_in(FALLBACK_LANGUAGE, key))
    }

    /// The text the game shows for `ls` in `language`, with no dataset: `__ITEM__x__` and
    /// friends show the locale key (`item-name.x`).
    pub fn translate(&self, ls: &LocalisedString, language: &str) -> Result<String, TranslateError> {
        self.translate_with(ls, language, &NoPrototypes)
    }

    /// [`Dictionary::translate`], asking `prototypes` for the `localised_name` a built-in token
    /// shows; only the tokens in the rendered templates are asked about.
    pub fn translate_with(
        &self,
        ls: &LocalisedString,
        language: &str,
        prototypes: &dyn PrototypeNames,
    ) -> Result<String, TranslateError> {
        ls.validate()?;
        let mut out = String::new();
        Renderer { dict: self, language, prototypes, nesting: Cell::new(0) }.render(ls, &mut out);
        Ok(out)
    }
}

/// The prototype families a built-in token names: `__ITEM__x__` is an item, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrototypeKind {
    /// `__ITEM__x__`: any item type (`item`, `tool`, `ammo`, …).
    Item,
    /// `__ENTITY__x__`: any entity type.
    Entity,
    /// `__FLUID__x__`.
    Fluid,
    /// `__TILE__x__`.
    Tile,
    /// `__PLANET__x__`: a `planet` or `space-location`.
    SpaceLocation,
}

impl PrototypeKind {
    fn from_token(name: &str) -> Option<Self> {
        Some(match name {
            "ITEM" => PrototypeKind::Item,
            "ENTITY" => PrototypeKind::Entity,
            "FLUID" => PrototypeKind::Fluid,
            "TILE" => PrototypeKind::Tile,
            "PLANET" => PrototypeKind::SpaceLocation,
            _ => return None,
        })
    }

    /// The runtime family (`prototypes.<family>`): `item`, `entity`, `fluid`, `tile`,
    /// `space_location`.
    pub fn family(self) -> &'static str {
        match self {
            PrototypeKind::Item => "item",
            PrototypeKind::Entity => "entity",
            PrototypeKind::Fluid => "fluid",
            PrototypeKind::Tile => "tile",
            PrototypeKind::SpaceLocation => "space_location",
        }
    }

    /// The locale section of the name a prototype has without `localised_name`.
    pub fn section(self) -> &'static str {
        match self {
            PrototypeKind::Item => "item-name",
            PrototypeKind::Entity => "entity-name",
            PrototypeKind::Fluid => "fluid-name",
            PrototypeKind::Tile => "tile-name",
            PrototypeKind::SpaceLocation => "space-location-name",
        }
    }
}

/// Where built-in tokens find a prototype's own `localised_name` (the loaded dataset).
///
/// `None`: the prototype does not exist or has no `localised_name`; the token then shows the
/// key `<section>.<name>`, as the game does for a prototype without one.
pub trait PrototypeNames {
    /// The `localised_name` of prototype `name` of `kind`, if it sets one.
    fn localised_name(&self, kind: PrototypeKind, name: &str) -> Option<LocalisedString>;
}

impl<F: Fn(PrototypeKind, &str) -> Option<LocalisedString>> PrototypeNames for F {
    fn localised_name(&self, kind: PrototypeKind, name: &str) -> Option<LocalisedString> {
        self(kind, name)
    }
}

/// No dataset: every prototype shows its locale key.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPrototypes;

impl PrototypeNames for NoPrototypes {
    fn localised_name(&self, _: PrototypeKind, _: &str) -> Option<LocalisedString> {
        None
    }
}

struct Renderer<'a> {
    dict: &'a Dictionary,
    language: &'a str,
    prototypes: &'a dyn PrototypeNames,
    /// Templates being expanded inside one another (through built-ins and plurals).
    nesting: Cell<usize>,
}

impl Renderer<'_> {
    /// Renders `ls` onto `out`; returns whether every key in it was found ("valid" for `"?"`).
    fn render(&self, ls: &LocalisedString, out: &mut String) -> bool {
        match ls {
            LocalisedString::Text(s) => {
                out.push_str(s);
                true
            }
            LocalisedString::Number(n) => {
                out.push_str(&format_number(*n));
                true
            }
            LocalisedString::Integer(i) => {
                out.push_str(&i.to_string());
                true
            }
            LocalisedString::Bool(b) => {
                out.push_str(if *b { "true" } else { "false" });
                true
            }
            LocalisedString::Nil => {
                out.push_str("nil");
                true
            }
            LocalisedString::Concat(parts) => parts.iter().fold(true, |valid, p| self.render(p, out) & valid),
            LocalisedString::Fallback(alternatives) => {
                let mut last = String::new();
                for alternative in alternatives {
                    last.clear();
                    if self.render(alternative, &mut last) {
                        out.push_str(&last);
                        return true;
                    }
                }
                out.push_str(&last);
                alternatives.is_empty()
            }
            LocalisedString::Key { key, params } => match self.dict.lookup(self.language, key) {
                Some(template) => {
                    let mut valid = true;
                    let rendered: Vec<String> = params
                        .iter()
                        .map(|p| {
                            let mut s = String::new();
                            valid &= self.render(p, &mut s);
                            s
                        })
                        .collect();
                    self.template(template, &rendered, out);
                    valid
                }
                None => {
                    unknown_key(key, out);
                    false
                }
            },
        }
    }

    /// Expands a template: parameters, plurals, built-ins and `\n`.
    fn template(&self, template: &str, params: &[String], out: &mut String) {
        // `item-name.x=__ITEM__x__`, or a control key whose text names its own control, would
        // expand forever (a stack overflow aborts the host, which a test must never see). Past
        // the game's nesting limit the template is shown as written. Our rule: no report says
        // what the game does with such a cycle.
        let depth = self.nesting.get();
        if depth >= LIMIT {
            out.push_str(template);
            return;
        }
        self.nesting.set(depth + 1);
        self.expand(template, params, out);
        self.nesting.set(depth);
    }

    fn expand(&self, template: &str, params: &[String], out: &mut String) {
        let mut rest = template;
        while let Some(at) = rest.find(['_', '\\']) {
            let (before, here) = rest.split_at(at);
            out.push_str(before);
            if let Some(after) = here.strip_prefix("\\n") {
                out.push('\n');
                rest = after;
                continue;
            }
            match self.token(here, params, out) {
                Some(len) => rest = here.get(len..).unwrap_or_default(),
                None => {
                    // Not a token: keep one character and look again after it.
                    let width = here.chars().next().map_or(1, char::len_utf8);
                    out.push_str(here.get(..width).unwrap_or_default());
                    rest = here.get(width..).unwrap_or_default();
                }
            }
        }
        out.push_str(rest);
    }

    /// Expands the token at the start of `s`; returns its length, or `None` if there is none.
    fn token(&self, s: &str, params: &[String], out: &mut String) -> Option<usize> {
        let body = s.strip_prefix("__")?;
        // __N__
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            let after = body.get(digits..)?.strip_prefix("__")?;
            let n: usize = body.get(..digits)?.parse().ok()?;
            let text = params.get(n.checked_sub(1)?)?;
            out.push_str(text);
            return Some(s.len() - after.len());
        }
        if body.starts_with("plural_for_parameter_") {
            let p = plural::parse_at(s)?;
            let value = params.get(p.parameter.checked_sub(1)?)?;
            if let Some(text) = plural::choose(&p, value) {
                self.template(text, params, out);
            }
            return Some(p.len);
        }
        let (name, args, len) = builtin_at(s)?;
        self.builtin(name, &args, out)?;
        Some(len)
    }

    fn builtin(&self, name: &str, args: &[&str], out: &mut String) -> Option<()> {
        if let Some(kind) = PrototypeKind::from_token(name) {
            let prototype = args.first()?;
            // The game shows the prototype's own localised_name when it has one.
            let ls = self.prototypes.localised_name(kind, prototype).filter(|ls| ls.validate().is_ok()).unwrap_or_else(
                || LocalisedString::Key { key: format!("{}.{prototype}", kind.section()), params: Vec::new() },
            );
            self.render(&ls, out);
            return Some(());
        }
        match name {
            "CONTROL" => self.control(args.first()?, out),
            "CONTROL_MODIFIER" => {
                let names: Vec<String> = match self.dict.binding(args.first()?) {
                    Some(seq) => controls::parts(seq)
                        .into_iter()
                        .filter(|p| controls::is_modifier(p))
                        .map(|p| self.key_text(p))
                        .collect(),
                    None => Vec::new(),
                };
                if names.is_empty() {
                    out.push_str(&self.control_keys_or("controls", "not-set", "Not set"));
                } else {
                    out.push_str(&names.join(" + "));
                }
            }
            "ALT_CONTROL" => {
                let form = alt_form(args.first()?)?;
                self.alt_control(form, args.get(1)?, out);
            }
            "CONTROL_LEFT_CLICK" => out.push_str(&self.key_text("mouse-button-1")),
            "CONTROL_RIGHT_CLICK" => out.push_str(&self.key_text("mouse-button-2")),
            "ALT_CONTROL_LEFT_CLICK" | "ALT_CONTROL_RIGHT_CLICK" => {
                let form = alt_form(args.first()?)?;
                let button = if name == "ALT_CONTROL_LEFT_CLICK" { 1 } else { 2 };
                let key = format!("mouse-button-{button}-alt-{form}");
                out.push_str(&self.control_key(&key));
            }
            "CONTROL_KEY_SHIFT" => out.push_str(&self.key_text("shift")),
            "CONTROL_KEY_CTRL" => out.push_str(&self.key_text("control")),
            "CONTROL_MOVE" => {
                for control in ["move-up", "move-left", "move-down", "move-right"] {
                    self.control(control, out);
                }
            }
            "CONTROL_STYLE_BEGIN" | "CONTROL_STYLE_END" | "REMARK_COLOR_BEGIN" | "REMARK_COLOR_END" => {}
            _ => return None,
        }
        Some(())
    }

    fn control(&self, control: &str, out: &mut String) {
        match self.dict.binding(control) {
            Some(seq) => {
                let names: Vec<String> = controls::parts(seq).into_iter().map(|p| self.key_text(p)).collect();
                out.push_str(&names.join(" + "));
            }
            None => out.push_str(&self.control_keys_or("controls", "not-set", "Not set")),
        }
    }

    fn alt_control(&self, form: u8, control: &str, out: &mut String) {
        let Some(seq) = self.dict.binding(control) else {
            out.push_str(&self.control_keys_or("controls", "not-set", "Not set"));
            return;
        };
        let parts = controls::parts(seq);
        let Some((last, modifiers)) = parts.split_last() else {
            return;
        };
        let last_name = controls::key_name(last);
        if matches!(last_name.as_str(), "mouse-button-1" | "mouse-button-2" | "mouse-button-3") {
            for m in modifiers {
                out.push_str(&self.key_text(m));
                out.push_str(" + ");
            }
            out.push_str(&self.control_key(&format!("{last_name}-alt-{form}")));
            return;
        }
        let whole: Vec<String> = parts.iter().map(|p| self.key_text(p)).collect();
        let frame = if last_name.starts_with("mouse-wheel") { "mouse-wheel" } else { "keyboard" };
        let template = self.control_key(&format!("{frame}-alt-{form}"));
        self.template(&template, &[whole.join(" + ")], out);
    }

    /// How one part of a key sequence is shown.
    fn key_text(&self, part: &str) -> String {
        let key = controls::key_name(part);
        match self.dict.lookup(self.language, &format!("control-keys.{key}")) {
            Some(text) => self.expanded(text),
            None => controls::ENGLISH_KEYS
                .iter()
                .find(|(k, _)| *k == key)
                .map_or_else(|| part.trim().to_owned(), |(_, v)| (*v).to_owned()),
        }
    }

    /// A `[control-keys]` template, unexpanded, with the English fallback.
    fn control_key(&self, key: &str) -> String {
        let english = controls::ENGLISH_KEYS.iter().find(|(k, _)| *k == key).map_or("", |(_, v)| v);
        self.control_keys_or("control-keys", key, english)
    }

    fn control_keys_or(&self, section: &str, key: &str, english: &str) -> String {
        match self.dict.lookup(self.language, &format!("{section}.{key}")) {
            Some(text) => self.expanded(text),
            None => english.to_owned(),
        }
    }

    /// A template with no parameters, expanded (the control-keys entries hold built-ins too).
    fn expanded(&self, template: &str) -> String {
        if !template.contains("__") {
            return template.to_owned();
        }
        let mut s = String::new();
        self.template(template, &[], &mut s);
        s
    }
}

fn unknown_key(key: &str, out: &mut String) {
    out.push_str("Unknown key: \"");
    out.push_str(key);
    out.push('"');
}

fn alt_form(arg: &str) -> Option<u8> {
    match arg {
        "1" => Some(1),
        "2" => Some(2),
        _ => None,
    }
}

/// Built-ins without arguments, with one, and with two.
const BUILTINS_0: &[&str] = &[
    "CONTROL_LEFT_CLICK",
    "CONTROL_RIGHT_CLICK",
    "CONTROL_KEY_SHIFT",
    "CONTROL_KEY_CTRL",
    "CONTROL_MOVE",
    "CONTROL_STYLE_BEGIN",
    "CONTROL_STYLE_END",
    "REMARK_COLOR_BEGIN",
    "REMARK_COLOR_END",
];
const BUILTINS_1: &[&str] = &[
    "ITEM",
    "ENTITY",
    "FLUID",
    "TILE",
    "PLANET",
    "CONTROL",
    "CONTROL_MODIFIER",
    "ALT_CONTROL_LEFT_CLICK",
    "ALT_CONTROL_RIGHT_CLICK",
];
const BUILTINS_2: &[&str] = &["ALT_CONTROL"];

/// Reads a built-in token at the start of `s`: `(name, arguments, length)`.
pub(crate) fn builtin_at(s: &str) -> Option<(&str, Vec<&str>, usize)> {
    let body = s.strip_prefix("__")?;
    let name_end = body.find("__")?;
    let name = body.get(..name_end)?;
    let mut rest = body.get(name_end + 2..)?;
    let count = if BUILTINS_0.contains(&name) {
        0
    } else if BUILTINS_1.contains(&name) {
        1
    } else if BUILTINS_2.contains(&name) {
        2
    } else {
        return None;
    };
    let mut args = Vec::with_capacity(count);
    for _ in 0..count {
        let end = rest.find("__")?;
        let arg = rest.get(..end)?;
        if arg.is_empty() {
            return None;
        }
        args.push(arg);
        rest = rest.get(end + 2..)?;
    }
    Some((name, args, s.len() - rest.len()))
}

/// A float as Lua 5.2's `tostring` writes it (`%.14g`), which is what the game shows.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    const PRECISION: i32 = 14;
    let sci = format!("{:.*e}", (PRECISION - 1) as usize, x);
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..PRECISION).contains(&exponent) {
        let mantissa = trim_zeros(mantissa);
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        let decimals = usize::try_from(PRECISION - 1 - exponent).unwrap_or(0);
        trim_zeros(&format!("{x:.decimals$}")).to_owned()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s }
}

#[cfg(test)]
mod tests {
    use super::super::cfg::{Options, parse_str};
    use super::*;
    use LocalisedString as L;

    const EN: &str = r"
hello=Hello
[item-name]
iron-plate=Iron plate
[entity-name]
coal=Coal
[fluid-name]
water=Water
[tile-name]
stone-path=Stone path
[space-location-name]
nauvis=Nauvis
[test]
greet=Hello __1__!
two=__1__ and __2__
gap=__1__ and __3__
days=__1__ __plural_for_parameter__1__{1=day|rest=days}__
old=__1__ __plural_for_parameter_1_{1=hour|rest=hours}__
nested=__plural_for_parameter__1__{1=one __2__|rest=__1__ __2__s}__
lines=a\nb
item=__ITEM__iron-plate__ and __ENTITY__coal__ and __FLUID__water__ and __TILE__stone-path__ on __PLANET__nauvis__
missing-item=__ITEM__nope__
build=__CONTROL__build__ to build, __CONTROL__rotate__ to rotate, __CONTROL__my-input__
alt=__ALT_CONTROL__1__build__ / __ALT_CONTROL__2__rotate__ / __ALT_CONTROL__2__copy-entity-settings__
clicks=__CONTROL_LEFT_CLICK__ __CONTROL_RIGHT_CLICK__ __ALT_CONTROL_LEFT_CLICK__2__ __ALT_CONTROL_RIGHT_CLICK__1__
keys=__CONTROL_KEY_SHIFT____CONTROL_STYLE_BEGIN__ + __CONTROL_STYLE_END____CONTROL_LEFT_CLICK__ / __CONTROL_KEY_CTRL__
move=__CONTROL_MOVE__
modifier=hold __CONTROL_MODIFIER__build-ghost__
remark=x __REMARK_COLOR_BEGIN__[__1__]__REMARK_COLOR_END__
typo=__ALT_CONTRO_LEFT_CLICK__1__ and __0__ and __BOGUS__ and __2__
underscores=___1__ and __1____2__
";
    const RU: &str = r"
[test]
greet=Привет, __1__!
days=__1__ __plural_for_parameter__1__{ends in 11,ends in 12,ends in 13,ends in 14=дней|ends in 1=день|ends in 2,ends in 3,ends in 4=дня|rest=дней}__
";

    fn dict() -> Dictionary {
        let mut d = Dictionary::new();
        for (lang, text) in [("en", EN), ("ru", RU)] {
            match parse_str(text, lang, Options::default()) {
                Ok(p) => d.merge(lang, &p.file.view()),
                Err(e) => panic!("{e:?}"),
            }
        }
        d
    }

    fn k(key: &str, params: Vec<L>) -> L {
        L::key(key, params)
    }

    fn t(s: &str) -> L {
        L::from(s)
    }

    fn catalog_of(text: &str) -> Catalog {
        let mut c = Catalog::default();
        c.merge(&parse_str(text, "t", Options::default()).unwrap().file.view());
        c
    }

    #[test]
    fn a_shared_catalog_is_read_in_place_under_what_is_loaded_after_it() {
        let shared = Arc::new(catalog_of("[a]\nx=shared x\ny=shared y\n"));
        let mut d = Dictionary::new();
        d.absorb_shared("en", &shared);
        assert_eq!(d.lookup("en", "a.x"), Some("shared x"));
        assert_eq!(d.lookup("de", "a.y"), Some("shared y"), "other languages fall back to it");
        // A mod's keys loaded afterwards win over the shared ones; the shared catalog is untouched.
        d.absorb("en", catalog_of("[a]\nx=mod x\nz=mod z\n"));
        assert_eq!(
            (d.lookup("en", "a.x"), d.lookup("en", "a.y"), d.lookup("en", "a.z")),
            (Some("mod x"), Some("shared y"), Some("mod z"))
        );
        assert_eq!(shared.get("a.x"), Some("shared x"));
        assert_eq!(d.languages(), ["en"]);
        // A second shared catalog over both: the order the keys came in holds.
        d.absorb_shared("en", &Arc::new(catalog_of("[a]\ny=second y\n")));
        assert_eq!(
            (d.lookup("en", "a.x"), d.lookup("en", "a.y"), d.lookup("en", "a.z")),
            (Some("mod x"), Some("second y"), Some("mod z"))
        );
        d.clear();
        assert!(d.lookup("en", "a.x").is_none() && d.languages().is_empty());
    }

    #[test]
    fn renders_like_the_game() {
        let d = dict();
        let cases: Vec<(L, &str, &str)> = vec![
            (t("plain __1__ text\\n"), "en", "plain __1__ text\\n"),
            (L::Integer(5), "en", "5"),
            (L::Number(0.5), "en", "0.5"),
            (L::Number(3.0), "en", "3"),
            (L::Bool(true), "en", "true"),
            (L::Nil, "en", "nil"),
            (k("hello", vec![]), "en", "Hello"),
            (k("item-name.iron-plate", vec![]), "en", "Iron plate"),
            (k("test.greet", vec![t("world")]), "en", "Hello world!"),
            (k("test.greet", vec![k("item-name.iron-plate", vec![])]), "en", "Hello Iron plate!"),
            (k("test.two", vec![L::Integer(1), L::Bool(false)]), "en", "1 and false"),
            (k("test.gap", vec![t("a"), t("b")]), "en", "a and __3__"),
            (k("test.lines", vec![]), "en", "a\nb"),
            (k("nope.nothing", vec![]), "en", "Unknown key: \"nope.nothing\""),
            (L::Concat(vec![t("a"), L::Integer(1), k("hello", vec![])]), "en", "a1Hello"),
            (L::Concat(vec![]), "en", ""),
            (L::Fallback(vec![k("nope.a", vec![]), k("hello", vec![]), t("x")]), "en", "Hello"),
            (L::Fallback(vec![k("nope.a", vec![]), k("nope.b", vec![])]), "en", "Unknown key: \"nope.b\""),
            (L::Fallback(vec![k("test.greet", vec![k("nope.c", vec![])]), t("plain")]), "en", "plain"),
            (L::Fallback(vec![t("first"), t("second")]), "en", "first"),
            // Plurals, new and old syntax, and parameters inside options.
            (k("test.days", vec![L::Integer(1)]), "en", "1 day"),
            (k("test.days", vec![L::Integer(2)]), "en", "2 days"),
            (k("test.old", vec![L::Integer(1)]), "en", "1 hour"),
            (k("test.old", vec![L::Number(2.5)]), "en", "2.5 hours"),
            (k("test.nested", vec![L::Integer(1), t("cat")]), "en", "one cat"),
            (k("test.nested", vec![L::Integer(3), t("cat")]), "en", "3 cats"),
            // Languages: Russian plurals, and English for what Russian lacks.
            (k("test.days", vec![L::Integer(5)]), "ru", "5 дней"),
            (k("test.days", vec![L::Integer(21)]), "ru", "21 день"),
            (k("test.days", vec![L::Integer(23)]), "ru", "23 дня"),
            (k("test.days", vec![L::Integer(12)]), "ru", "12 дней"),
            (k("test.greet", vec![t("мир")]), "ru", "Привет, мир!"),
            (k("item-name.iron-plate", vec![]), "ru", "Iron plate"),
            (k("item-name.iron-plate", vec![]), "de", "Iron plate"),
            // Built-ins.
            (k("test.item", vec![]), "en", "Iron plate and Coal and Water and Stone path on Nauvis"),
            (k("test.missing-item", vec![]), "en", "Unknown key: \"item-name.nope\""),
            (k("test.build", vec![]), "en", "Left-click to build, R to rotate, Not set"),
            (k("test.alt", vec![]), "en", "Left-click / Pressing R / Shift + Right-clicking"),
            (k("test.clicks", vec![]), "en", "Left-click Right-click Left-clicking Right-click"),
            (k("test.keys", vec![]), "en", "Shift + Left-click / Control"),
            (k("test.move", vec![]), "en", "WASD"),
            (k("test.modifier", vec![]), "en", "hold Shift"),
            (k("test.remark", vec![L::Integer(3)]), "en", "x [3]"),
            // Unknown tokens stay as written; a parameter the string lacks too.
            (k("test.typo", vec![]), "en", "__ALT_CONTRO_LEFT_CLICK__1__ and __0__ and __BOGUS__ and __2__"),
            (k("test.underscores", vec![t("p"), t("q")]), "en", "_p and pq"),
        ];
        for (ls, lang, want) in cases {
            assert_eq!(d.translate(&ls, lang).as_deref(), Ok(want), "{ls:?} in {lang}");
        }
    }

    #[test]
    fn prototype_names_come_from_the_dataset_when_it_has_them() {
        let d = dict();
        let names = |kind: PrototypeKind, name: &str| match (kind, name) {
            (PrototypeKind::Item, "iron-plate") => Some(k("test.greet", vec![t("plate")])),
            (PrototypeKind::Fluid, "water") => Some(t("Wet")),
            _ => None,
        };
        let got = d.translate_with(&k("test.item", vec![]), "en", &names);
        assert_eq!(got.as_deref(), Ok("Hello plate! and Coal and Wet and Stone path on Nauvis"));
    }

    #[test]
    fn templates_that_name_themselves_stop_at_the_nesting_limit() {
        let mut d = Dictionary::new();
        let text = "[item-name]\nloop=a __ITEM__loop__\n[control-keys]\nmouse-button-1=__CONTROL__build__";
        match parse_str(text, "en", Options::default()) {
            Ok(p) => d.merge("en", &p.file.view()),
            Err(e) => panic!("{e:?}"),
        }
        let got = d.translate(&k("item-name.loop", vec![]), "en").unwrap_or_default();
        assert_eq!(got, format!("{}a __ITEM__loop__", "a ".repeat(LIMIT)));
        let got = d.translate(&t("x"), "en");
        assert_eq!(got.as_deref(), Ok("x"));
        // The control key that shows its own binding ends the same way instead of overflowing.
        let got = d.translate(&k("control-keys.mouse-button-1", vec![]), "en").unwrap_or_default();
        assert!(got.ends_with("__CONTROL__build__"), "{got}");
    }

    #[test]
    fn catalog_replaces_and_grows() {
        let mut c = Catalog::default();
        let s = c.section_id("s");
        let o = |line| Origin { file: 1, line };
        for i in 0..1000 {
            assert_eq!(c.insert(s, &format!("k{i}"), "v", o(i)), None);
        }
        assert_eq!(c.insert(s, "k7", "seven", o(2000)), Some(o(7)));
        assert_eq!(c.len(), 1000);
        assert_eq!(c.get("s.k7"), Some("seven"));
        assert_eq!(c.get("s.k999"), Some("v"));
        assert_eq!(c.get("s.k1000"), None);
        assert_eq!(c.get("t.k1"), None);
        let mut other = Catalog::default();
        let root = other.section_id("");
        other.insert(root, "top", "T", o(1));
        let s2 = other.section_id("s");
        other.insert(s2, "k1", "one", o(1));
        c.absorb(other);
        assert_eq!((c.get("top"), c.get("s.k1"), c.len()), (Some("T"), Some("one"), 1001));
    }

    #[test]
    fn bindings_can_be_changed() {
        let mut d = dict();
        d.bind("my-input", Some("CONTROL + SHIFT + mouse-button-1"));
        d.bind("rotate", None);
        let got = d.translate(&k("test.build", vec![]), "en");
        assert_eq!(got.as_deref(), Ok("Left-click to build, Not set to rotate, Control + Shift + Left-click"));
    }

    #[test]
    fn limits_are_the_games() {
        let d = dict();
        let twenty: Vec<L> = (0..20).map(L::Integer).collect();
        assert!(d.translate(&L::Concat(twenty.clone()), "en").is_ok());
        let mut many = twenty;
        many.push(L::Integer(20));
        let err = d.translate(&L::Concat(many), "en").err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("Too many parameters for localised string: 21 > 20 (limit)."));

        let nest = |levels: usize| (1..levels).fold(L::Concat(vec![t("x")]), |acc, _| L::Concat(vec![acc]));
        assert_eq!(d.translate(&nest(20), "en").as_deref(), Ok("x"));
        assert_eq!(d.translate(&nest(21), "en"), Err(TranslateError::TooDeep));
    }

    #[test]
    fn numbers_print_like_lua_5_2() {
        let cases = [
            (1.0, "1"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.33333333333333"),
            (1e15, "1e+15"),
            (12345678901234567.0, "1.2345678901235e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (f64::INFINITY, "inf"),
            (100.0, "100"),
        ];
        for (x, want) in cases {
            assert_eq!(format_number(x), want, "{x}");
        }
    }
}
