//! The `factorio-mocks` binary, run as a user runs it: arguments in, stdout, stderr and the
//! exit code out. The last tier uses `../shared/data` when present and says so when not.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_factorio-mocks");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: Option<&Path>, envs: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("FACTORIO_MOCKS_CACHE_DIR").env_remove("FACTORIO_MOCKS_OFFLINE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{BIN}: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Run {
    run_in(None, &[], args)
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(ROOT).join("fixtures").join(rel)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

#[test]
fn help_and_usage_errors() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("mod-settings dump <file.dat>"), "{}", r.stdout);
    for group in ["mod-settings", "mod-list", "locale", "cache", "fetch"] {
        let r = run(&[group, "--help"]);
        assert_eq!(r.code, 0, "{group}: {}", r.stderr);
        assert!(r.stdout.starts_with("usage: factorio-mocks"), "{group}: {}", r.stdout);
    }
    assert!(run(&["--version"]).stdout.starts_with("factorio-mocks "));
    // (arguments, exit code, text in stderr)
    let cases: &[(&[&str], i32, &str)] = &[
        (&[], 2, "usage: factorio-mocks <command>"),
        (&["frobnicate"], 2, "unknown command 'frobnicate'"),
        (&["mod-settings"], 2, "missing subcommand"),
        (&["mod-settings", "dump"], 2, "missing <file.dat>"),
        (&["mod-settings", "dump", "a", "b"], 2, "unexpected argument 'b'"),
        (&["mod-settings", "restore", "a.json"], 2, "missing <file.dat>"),
        (&["mod-list", "list", "--fil", "x"], 2, "unknown option '--fil'"),
        (&["mod-list", "enable"], 2, "missing <name>"),
        (&["locale", "lint", "x"], 2, "unknown subcommand 'lint' (check)"),
        (&["cache", "empty"], 2, "unknown subcommand 'empty'"),
        (&["fetch", "--ttl", "soon", "x"], 2, "--ttl soon: expected a number of seconds"),
        (&["fetch", "--progress", "--no-progress", "x"], 2, "--progress and --no-progress: give one"),
        // Issue 15: a path, name or language on the command line that is not there is a wrong
        // command line (2), not a failing file (3).
        (
            &["mod-settings", "dump", "no-such.dat"],
            2,
            "no-such.dat: no such file or folder (the mod-settings.dat to dump",
        ),
        (&["mod-settings", "restore", "no-such.json", "out.dat"], 2, "no-such.json: no such file or folder"),
        (&["locale", "check", "no-such-mod"], 2, "no-such-mod: no such file or folder (<mod_dir>"),
        (&["mod-list", "list", "--file", "no-such.json"], 2, "no-such.json: no such file; pass --file"),
        (&["fetch", "./no-such"], 2, "no such file or folder, and not a modpack name"),
        (&["modpack", "resolve", "no-such.json"], 2, "no-such.json: no such file or folder (the modpack.json"),
    ];
    for (args, code, want) in cases {
        let r = run(args);
        assert_eq!(r.code, *code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: {:?} lacks {want:?}", r.stderr);
    }
    assert!(run(&["mod-list", "enable"]).stderr.contains("see 'factorio-mocks mod-list --help'"));
}

#[test]
fn mod_settings_dump_and_restore_are_byte_exact() {
    let dat = fixture("mod-settings/2.0-every-kind.dat");
    let r = run(&["mod-settings", "dump", s(&dat)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("dump prints JSON");
    assert_eq!(json["version"], "2.0.73.0");
    for want in [
        r#"["value", {"type": "int64", "value": -42}]"#,
        r#"["value", {"type": "uint64", "value": 18446744073709551615}]"#,
        r#"["value", {"type": "number", "value": 0.5}]"#,
    ] {
        assert!(r.stdout.contains(want), "{want} not in\n{}", r.stdout);
    }

    let tmp = tempfile::tempdir().unwrap();
    let json_path = tmp.path().join("settings.json");
    let out = tmp.path().join("mod-settings.dat");
    std::fs::write(&json_path, &r.stdout).unwrap();
    let r = run(&["mod-settings", "restore", s(&json_path), s(&out)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(7 settings, game version 2.0.73.0)"), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&dat).unwrap());

    // An edited value goes in; the other bytes stay.
    let edited = std::fs::read_to_string(&json_path).unwrap().replace("-42}", "7}");
    std::fs::write(&json_path, edited).unwrap();
    assert_eq!(run(&["mod-settings", "restore", s(&json_path), s(&out)]).code, 0);
    let back = run(&["mod-settings", "dump", s(&out)]);
    assert!(back.stdout.contains(r#"{"type": "int64", "value": 7}"#));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2, "no temporary file left behind");
}

#[test]
fn bad_mod_settings_name_the_file_and_leave_it_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let good = std::fs::read(fixture("mod-settings/2.0-every-kind.dat")).unwrap();
    let truncated = tmp.path().join("truncated.dat");
    std::fs::write(&truncated, &good[..20]).unwrap();
    let r = run(&["mod-settings", "dump", s(&truncated)]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("truncated.dat: offset 0x11: string bytes needs 7 bytes, 3 left (file truncated?)"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());

    let r = run(&["mod-settings", "dump", s(&tmp.path().join("nope.dat"))]);
    assert_eq!(r.code, 2, "a file that is not there is a wrong command line");
    assert!(r.stderr.contains("nope.dat"), "{}", r.stderr);

    let target = tmp.path().join("mod-settings.dat");
    std::fs::write(&target, &good).unwrap();
    // (JSON, text in stderr)
    let cases = [
        ("{", "bad.json: 1:1: EOF while parsing"),
        (r#"{"version": "2.0.73.0", "tree": {"type": "list"}}"#, "bad.json: at tree: a list node needs \"entries\""),
        (
            r#"{"version": "2.0.73.0", "tree": {"type": "dictionary", "entries": [["startup", {"type": "int64", "value": "x"}]]}}"#,
            "bad.json: at tree › startup: int64 \"value\" is \"x\"",
        ),
    ];
    let bad = tmp.path().join("bad.json");
    for (text, want) in cases {
        std::fs::write(&bad, text).unwrap();
        let r = run(&["mod-settings", "restore", s(&bad), s(&target)]);
        assert_eq!(r.code, 3, "{text}");
        assert!(r.stderr.contains(want), "{text}: {:?} lacks {want:?}", r.stderr);
        assert!(r.stderr.contains("nothing written"), "{}", r.stderr);
        assert_eq!(std::fs::read(&target).unwrap(), good, "the good file is untouched");
    }
}

#[test]
fn mod_list_list_enable_disable_add_remove() {
    let tmp = tempfile::tempdir().unwrap();
    let mods = tmp.path().join("mods");
    std::fs::create_dir(&mods).unwrap();
    let file = mods.join("mod-list.json");
    let original = std::fs::read_to_string(fixture("mod-list/mod-list.json")).unwrap();
    std::fs::write(&file, &original).unwrap();

    // Without --file, from the game's user data folder: mods/mod-list.json.
    let r = run_in(Some(tmp.path()), &[], &["mod-list", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "base            enabled");
    assert_eq!(lines[5], "fm-library      enabled   1.2.0");
    assert_eq!(lines[6], "fm-optional     disabled");

    let f = s(&file);
    let r = run(&["mod-list", "disable", "fm-app", "--file", f]);
    assert_eq!((r.code, r.stderr.trim_end()), (0, format!("{f}: fm-app disabled").as_str()));
    let r = run(&["mod-list", "enable", "fm-app", "--file", f]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original, "enable after disable gives the game's bytes back");

    // Inside the mods folder, ./mod-list.json is found.
    let r = run_in(Some(&mods), &[], &["mod-list", "add", "fm-extra", "--version", "0.1.0", "--disabled"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed = run(&["mod-list", "list", "--file", f]).stdout;
    assert!(listed.contains("fm-extra        disabled  0.1.0"), "{listed}");
    assert_eq!(run(&["mod-list", "remove", "fm-extra", "--file", f]).code, 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);

    // (arguments, text in stderr); all are wrong command lines (2) and leave the file as it was.
    let cases: &[(&[&str], &str)] = &[
        (&["disable", "base"], "cannot disable base: the game always loads it"),
        (&["remove", "base"], "cannot remove base"),
        (&["enable", "nope"], "mod 'nope' is not in the list; add it with: factorio-mocks mod-list add nope"),
    ];
    for (args, want) in cases {
        let mut all = args.to_vec();
        all.extend(["--file", f]);
        let mut full = vec!["mod-list"];
        full.extend(all);
        let r = run(&full);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains(want), "{args:?}: {:?}", r.stderr);
        assert!(r.stderr.contains("see 'factorio-mocks mod-list --help'"), "{args:?}: {:?}", r.stderr);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    }
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let r = run_in(Some(&empty), &[], &["mod-list", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("mods/mod-list.json: no such file; pass --file"), "{}", r.stderr);
    let r = run(&["mod-list", "add", "x", "--version", "1.2", "--file", f]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad version \"1.2\""), "{}", r.stderr);
}

#[test]
fn locale_check_reports_per_language() {
    let r = run(&["locale", "check", s(&fixture("locale/check-mod"))]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "de: 0 missing, 1 stale, 2 with other parameters, 1 malformed\n\
         \x20 stale      m.gone\n\
         \x20 parameters m.click: English uses none, de uses __1__\n\
         \x20 parameters m.count: English uses __1__ __2__, de uses __1__\n\
         \x20 malformed  m.click: __ALT_CONTRO_LEFT_CLICK__\n\
         en: ok\n"
    );
    assert!(r.stderr.contains("1 of 2 languages with problems"), "{}", r.stderr);

    let tmp = tempfile::tempdir().unwrap();
    for (lang, text) in [("en", "[s]\na=A __1__\n"), ("fr", "[s]\na=Á __1__\n")] {
        let dir = tmp.path().join("locale").join(lang);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("m.cfg"), text).unwrap();
    }
    let r = run(&["locale", "check", s(tmp.path())]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "en: ok\nfr: ok\n"), "{}", r.stderr);

    let r = run(&["locale", "check", s(&fixture("locale/check-mod")), "--lang", "de", "--summary"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "de: 0 missing, 1 stale, 2 with other parameters, 1 malformed\n"));

    let r = run(&["locale", "check", s(&fixture("locale/check-mod")), "--lang", "xx"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no language 'xx' here (found: de, en)"), "{}", r.stderr);
    let r = run(&["locale", "check", s(&fixture("locale/broken"))]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("broken.cfg:"), "{}", r.stderr);
    let r = run(&["locale", "check", s(&tmp.path().join("missing"))]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing: no such file or folder"), "{}", r.stderr);

    // --strict: a cfg warning is a problem found, exit 1 as --help says; the check still runs.
    std::fs::write(tmp.path().join("locale/en/m.cfg"), "[s]\na=A __1__\na=B __1__\n").unwrap();
    let r = run(&["locale", "check", s(tmp.path())]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "en: ok\nfr: ok\n"), "{}", r.stderr);
    assert!(r.stderr.contains("warning: ") && r.stderr.contains("duplicate key \"a\""), "{}", r.stderr);
    let r = run(&["locale", "check", s(tmp.path()), "--strict"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "en: ok\nfr: ok\n"), "{}", r.stderr);
    assert!(r.stderr.contains("error (--strict): ") && r.stderr.contains("duplicate key \"a\""), "{}", r.stderr);
    assert!(r.stderr.contains("1 cfg warnings counted as problems (--strict)"), "{}", r.stderr);
    let help = run(&["locale", "check", "--help"]).stdout;
    assert!(help.contains("with --strict, a cfg warning too"), "{help}");
}

#[test]
fn cache_and_fetch() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = s(tmp.path());
    let r = run_in(None, &[("FACTORIO_MOCKS_CACHE_DIR", cache)], &["cache", "dir"]);
    assert_eq!((r.code, r.stdout.trim_end()), (0, cache));
    let r = run(&["cache", "prune", "--cache-dir", cache]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("removed 0 expired entries and 0 orphaned"), "{}", r.stdout);
    assert_eq!(run(&["cache", "clear", "--cache-dir", cache]).code, 0);

    let dataset = fixture("datasets/mini-json");
    let r = run(&["fetch", s(&dataset)]);
    assert_eq!((r.code, r.stdout.trim_end()), (0, s(&dataset)), "{}", r.stderr);
    assert!(r.stderr.contains("served by local"), "{}", r.stderr);

    let r = run(&["fetch", "oci://127.0.0.1:9/x/y:1", "--offline", "--cache-dir", cache]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("fetching oci://127.0.0.1:9/x/y:1"), "{}", r.stderr);
    assert!(r.stderr.contains("FACTORIO_MOCKS_OFFLINE"), "{}", r.stderr);

    // What the Lua module reads when it hands a fetch over: one JSON object, the error in it.
    let r = run(&["fetch", "oci://127.0.0.1:9/x/y:1", "--offline", "--cache-dir", cache, "--json"]);
    assert_eq!((r.code, r.stderr.as_str()), (3, ""));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON object");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["error"]["kind"], "offline");
    assert!(v["error"]["message"].as_str().unwrap().contains("FACTORIO_MOCKS_OFFLINE"), "{v}");
    let r = run(&["fetch", s(&dataset), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON object");
    assert_eq!((r.code, v["fetched"]["dir"].as_str()), (0, Some(s(&dataset))), "{v}");
}

/// Golden tier: the game's own files.
fn shared(rel: &str) -> Option<PathBuf> {
    let dir = Path::new(ROOT).join("../shared/data").join(rel);
    if dir.exists() {
        Some(dir)
    } else {
        println!("skipped: ../shared/data not present");
        None
    }
}

#[test]
fn every_game_mod_settings_file_survives_dump_and_restore() {
    let Some(dir) = shared("mod-settings") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let dump = run(&["mod-settings", "dump", s(&path)]);
        assert_eq!(dump.code, 0, "{}: {}", path.display(), dump.stderr);
        let json = tmp.path().join("x.json");
        let out = tmp.path().join("x.dat");
        std::fs::write(&json, &dump.stdout).unwrap();
        let r = run(&["mod-settings", "restore", s(&json), s(&out)]);
        assert_eq!(r.code, 0, "{}: {}", path.display(), r.stderr);
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&path).unwrap(), "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 5, "the five game files, saw {seen}");
}

#[test]
fn the_real_nl_core_cfg_has_the_misspelt_builtin() {
    let Some(dir) = shared("locale/core-2.0.55") else { return };
    let r = run(&["locale", "check", s(&dir), "--lang", "nl"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("  malformed  gui-blueprint.components-tooltip: __ALT_CONTRO_LEFT_CLICK__\n"),
        "{}",
        r.stdout
    );
    let nl = std::fs::read_to_string(dir.join("nl.cfg")).unwrap();
    assert!(nl.contains("__ALT_CONTRO_LEFT_CLICK__1__"), "the token as the file has it");
    let all = run(&["locale", "check", s(&dir), "--summary"]);
    assert_eq!(all.stdout.lines().count(), 50, "one line per language");
}
