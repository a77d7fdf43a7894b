/*!
Locale `.cfg` files and the LocalisedString engine, with no Lua in them.

* [`cfg`]: the parser, with the game's rules for sections, comments, `=`, BOM, CRLF and
  duplicates (each rule and its source is in that module's documentation);
* [`engine`]: [`Dictionary`] (loaded languages, English fallback, key bindings) and
  [`LocalisedString`], rendered as the game shows it: parameters, `""`, `"?"`, the limits,
  plurals and built-ins;
* [`check`]: what each language lacks or gets wrong against English;
* [`load`]: mod folders, datasets, locale folders and single files on disk;
* [`controls`]: default key bindings for `__CONTROL__…__`.

Why not `rust-ini`: it trims blanks around keys and values and takes `:` as a separator, while the
game keeps every blank (`title =x` defines the key `"title "`) and only `=` splits. The rules fit
in one small parser that reports every bad line with `file:line`.
*/

pub mod cfg;
pub mod check;
pub mod controls;
pub mod engine;
mod hash;
pub mod load;
mod plural;

pub use cfg::{CfgError, CfgErrorKind, CfgFile, CfgRef, Options};
pub use engine::{
    Catalog, Dictionary, LocalisedString, NoPrototypes, Origin, PrototypeKind, PrototypeNames, TranslateError,
};
pub use load::{LoadError, Report};

#[cfg(test)]
mod real_data {
    //! The game's own files, when `../shared/data` is present.

    use super::*;
    use std::path::PathBuf;

    fn data() -> Option<PathBuf> {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/locale"));
        if dir.is_dir() {
            Some(dir)
        } else {
            println!("skipped: ../shared/data not present");
            None
        }
    }

    #[test]
    fn every_core_cfg_and_base_en_parse_strictly() {
        let Some(dir) = data() else { return };
        let mut count = 0;
        for folder in ["core-2.0.55", "base-2.0.55"] {
            let entries = std::fs::read_dir(dir.join(folder)).unwrap_or_else(|e| panic!("{e}"));
            for entry in entries {
                let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
                let parsed = cfg::parse_bytes(&bytes, &path.display().to_string(), Options { strict: true });
                if let Err(errors) = parsed {
                    panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
                }
                count += 1;
            }
        }
        assert_eq!(count, 51, "50 core.cfg and base's en.cfg");
    }

    #[test]
    fn real_keys_render() {
        let Some(dir) = data() else { return };
        let mut d = Dictionary::new();
        for folder in ["core-2.0.55", "base-2.0.55"] {
            load::load(&mut d, &dir.join(folder), None, Options::default()).unwrap_or_else(|e| panic!("{e}"));
        }
        let l = |key: &str, params: Vec<LocalisedString>| LocalisedString::key(key, params);
        let n = LocalisedString::Integer;
        let cases: Vec<(LocalisedString, &str, &str)> = vec![
            (l("item-name.iron-plate", vec![]), "en", "Iron plate"),
            (l("days", vec![n(1)]), "en", "1 day"),
            (l("days", vec![n(5)]), "en", "5 days"),
            (l("hours-ago", vec![n(2)]), "en", "2 hours ago"),
            (l("format-percent", vec![n(50)]), "en", "50%"),
            (l("control-keys.left-click-or-controller-button", vec![]), "en", "Left-click"),
            (l("gui-trains.list-count-remark", vec![n(3)]), "en", "[3]"),
            (
                l("gui-blueprint.grid-position-tooltip", vec![]),
                "en",
                "Shift + Left-click in the preview to change the grid position.",
            ),
            (l("item-name.iron-plate", vec![]), "ru", "Iron plate"),
        ];
        for (ls, lang, want) in cases {
            assert_eq!(d.translate(&ls, lang).as_deref(), Ok(want), "{ls:?} in {lang}");
        }
        // Russian plurals from the game's own ru core.cfg.
        let ru = d.catalog("ru").and_then(|c| c.get("days")).unwrap_or_default();
        assert!(ru.contains("plural_for_parameter"), "ru days: {ru}");
        for (value, word) in [(1, "день"), (3, "дня"), (5, "дней"), (11, "дней"), (21, "день")] {
            let got = d.translate(&l("days", vec![n(value)]), "ru").unwrap_or_default();
            assert_eq!(got, format!("{value} {word}"));
        }
    }

    #[test]
    fn every_real_key_renders_in_every_language() {
        let Some(dir) = data() else { return };
        let mut d = Dictionary::new();
        for folder in ["core-2.0.55", "base-2.0.55"] {
            load::load(&mut d, &dir.join(folder), None, Options::default()).unwrap_or_else(|e| panic!("{e}"));
        }
        let params: Vec<LocalisedString> = (1..=9).map(LocalisedString::Integer).collect();
        let mut leftovers = Vec::new();
        for lang in d.languages() {
            let Some(catalog) = d.catalog(lang) else {
                continue;
            };
            for (section, key, _) in catalog.entries() {
                let full = if section.is_empty() { key.to_owned() } else { format!("{section}.{key}") };
                let text = d
                    .translate(&LocalisedString::key(&full, params.clone()), lang)
                    .unwrap_or_else(|e| panic!("{full}: {e}"));
                if lang == "en" && text.contains("__") {
                    leftovers.push(format!("{full}: {text}"));
                }
            }
        }
        // English uses every built-in the game has; none may be left unexpanded.
        assert!(leftovers.is_empty(), "unexpanded tokens:\n{}", leftovers.join("\n"));
    }

    #[test]
    fn the_check_finds_the_typo_in_the_dutch_core_cfg() {
        let Some(dir) = data() else { return };
        let mut d = Dictionary::new();
        load::load(&mut d, &dir.join("core-2.0.55"), None, Options::default()).unwrap_or_else(|e| panic!("{e}"));
        let reports = check::check(&d);
        let nl = reports.iter().find(|r| r.language == "nl").map(|r| r.malformed.clone()).unwrap_or_default();
        assert!(nl.iter().any(|m| m.token == "__ALT_CONTRO_LEFT_CLICK__"), "nl malformed: {nl:?}");
        let en = reports.iter().find(|r| r.language == "en").map(|r| r.malformed.clone()).unwrap_or_default();
        assert!(en.is_empty(), "English is clean: {en:?}");
    }
}
