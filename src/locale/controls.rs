/*!
Key bindings for the `__CONTROL__…__` family of built-ins.

The game shows the player's current binding; a test has no player, so we show the default
keyboard-and-mouse binding. The vanilla defaults are built into the game, not into any file we
ship, so [`DEFAULT_BINDINGS`] lists the ones the game's own locale files name, as the game's
controls screen shows them for 2.0; a test or a mod's custom-input overrides them with
`Dictionary::bind` (`fm.locale.bind` in Lua).

A key sequence is written as in `custom-input` prototypes: `"SHIFT + mouse-button-1"`. Each
part is shown through the `[control-keys]` section of the loaded locale (`shift` → `Shift`,
`mouse-button-1` → `Left-click`), falling back to English words when core's locale is not loaded,
and to the part as written (`R`) otherwise; parts are joined with ` + `.
*/

/// Default keyboard-and-mouse bindings of the vanilla controls named in the game's locale files.
pub const DEFAULT_BINDINGS: &[(&str, &str)] = &[
    ("alternative-use-item", "SHIFT + mouse-button-1"),
    ("build", "mouse-button-1"),
    ("build-ghost", "SHIFT + mouse-button-1"),
    ("build-with-obstacle-avoidance", "CONTROL + mouse-button-1"),
    ("clear-cursor", "Q"),
    ("copy", "CONTROL + C"),
    ("copy-entity-settings", "SHIFT + mouse-button-2"),
    ("craft", "mouse-button-1"),
    ("craft-5", "mouse-button-2"),
    ("craft-all", "SHIFT + mouse-button-1"),
    ("cursor-split", "mouse-button-2"),
    ("cursor-transfer", "mouse-button-1"),
    ("cut", "CONTROL + X"),
    ("drop-cursor", "Z"),
    ("fast-entity-split", "CONTROL + mouse-button-2"),
    ("fast-entity-transfer", "CONTROL + mouse-button-1"),
    ("fast-wait-condition", "CONTROL + mouse-button-1"),
    ("focus-search", "CONTROL + F"),
    ("logistic-networks", "L"),
    ("mine", "mouse-button-2"),
    ("move-down", "S"),
    ("move-left", "A"),
    ("move-right", "D"),
    ("move-up", "W"),
    ("open-character-gui", "E"),
    ("open-factoriopedia", "ALT + mouse-button-1"),
    ("open-gui", "mouse-button-1"),
    ("open-technology-gui", "T"),
    ("paste", "CONTROL + V"),
    ("paste-entity-settings", "SHIFT + mouse-button-1"),
    ("pipette", "Q"),
    ("production-statistics", "P"),
    ("redo", "CONTROL + Y"),
    ("remove-pole-cables", "SHIFT + mouse-button-2"),
    ("reverse-rotate", "SHIFT + R"),
    ("rotate", "R"),
    ("select-for-blueprint", "mouse-button-1"),
    ("shoot-enemy", "SPACE"),
    ("shoot-selected", "C"),
    ("stack-transfer", "SHIFT + mouse-button-1"),
    ("toggle-driving", "ENTER"),
    ("toggle-map", "M"),
    ("undo", "CONTROL + Z"),
    ("use-item", "mouse-button-1"),
];

/// English words for `[control-keys]` entries, used when core's locale is not loaded, so a mod's
/// own test shows `Left-click` rather than `mouse-button-1`.
pub(crate) const ENGLISH_KEYS: &[(&str, &str)] = &[
    ("alt", "Alt"),
    ("command", "Command"),
    ("control", "Control"),
    ("keyboard-alt-1", "Press __1__"),
    ("keyboard-alt-2", "Pressing __1__"),
    ("mouse-button-1", "Left-click"),
    ("mouse-button-1-alt-1", "Left-click"),
    ("mouse-button-1-alt-2", "Left-clicking"),
    ("mouse-button-2", "Right-click"),
    ("mouse-button-2-alt-1", "Right-click"),
    ("mouse-button-2-alt-2", "Right-clicking"),
    ("mouse-button-3", "Middle-click"),
    ("mouse-button-3-alt-1", "Middle-click"),
    ("mouse-button-3-alt-2", "Middle-clicking"),
    ("mouse-wheel-alt-1", "Scroll __1__"),
    ("mouse-wheel-alt-2", "Scrolling __1__"),
    ("shift", "Shift"),
];

/// The `[control-keys]` key naming one part of a key sequence.
pub(crate) fn key_name(part: &str) -> String {
    let lower = part.trim().to_ascii_lowercase();
    match lower.as_str() {
        // custom-input writes SPACE and RETURN; the locale says spacebar and enter.
        "space" => "spacebar".to_owned(),
        "return" => "enter".to_owned(),
        _ => lower,
    }
}

/// The parts of a key sequence: modifiers first, the key last.
pub(crate) fn parts(sequence: &str) -> Vec<&str> {
    sequence.split('+').map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// Whether a part is a modifier key.
pub(crate) fn is_modifier(part: &str) -> bool {
    matches!(key_name(part).as_str(), "shift" | "control" | "alt" | "command")
}
