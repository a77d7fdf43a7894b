//! A small argument parser: positionals, `--flag`, `--option value` and `--option=value`,
//! `--` to end options, `-h`/`--help` anywhere. Hand-written so the tool builds fast.

use super::Failure;

/// What a command accepts besides positionals.
pub struct Spec {
    /// The command as typed, for messages (`mod-list enable`).
    pub command: &'static str,
    /// Options taking a value (`--file`).
    pub options: &'static [&'static str],
    /// Flags without a value (`--offline`).
    pub flags: &'static [&'static str],
}

/// Parsed arguments of one command.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Arguments that are not options, in order.
    pub positionals: Vec<String>,
    /// `(option, value)`; a later repeat wins.
    options: Vec<(String, String)>,
    /// Flags given.
    flags: Vec<String>,
    /// `-h` or `--help` was given.
    pub help: bool,
}

impl Parsed {
    /// The value of an option, the last one if repeated.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable option, in order (`--mods a --mods b`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.options.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    /// Whether a flag was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    /// Exactly `names.len()` positionals, or a usage error naming the first missing one.
    pub fn expect(&self, spec: &Spec, names: &[&str]) -> Result<Vec<&str>, Failure> {
        if self.positionals.len() < names.len() {
            let missing = names.get(self.positionals.len()).copied().unwrap_or("an argument");
            return Err(Failure::usage(spec.command, format!("missing {missing}")));
        }
        if let Some(extra) = self.positionals.get(names.len()) {
            return Err(Failure::usage(spec.command, format!("unexpected argument '{extra}'")));
        }
        Ok(self.positionals.iter().map(String::as_str).collect())
    }
}

/// Parses `args` (after the command words) against `spec`.
pub fn parse(args: &[String], spec: &Spec) -> Result<Parsed, Failure> {
    let mut out = Parsed::default();
    let mut iter = args.iter();
    let mut options_done = false;
    while let Some(arg) = iter.next() {
        if options_done || arg == "-" || !arg.starts_with('-') {
            out.positionals.push(arg.clone());
            continue;
        }
        if arg == "--" {
            options_done = true;
            continue;
        }
        if arg == "-h" || arg == "--help" {
            out.help = true;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (arg.as_str(), None),
        };
        if spec.options.contains(&name) {
            let value = match inline {
                Some(v) => v.to_owned(),
                None => {
                    iter.next().cloned().ok_or_else(|| Failure::usage(spec.command, format!("{name} needs a value")))?
                }
            };
            out.options.push((name.to_owned(), value));
        } else if spec.flags.contains(&name) {
            if inline.is_some() {
                return Err(Failure::usage(spec.command, format!("{name} takes no value")));
            }
            out.flags.push(name.to_owned());
        } else {
            return Err(Failure::usage(spec.command, format!("unknown option '{name}'")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec { command: "t", options: &["--file"], flags: &["--offline"] };

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_flags_and_positionals() {
        let p = parse(&args(&["a", "--file", "x", "--offline", "--file=y", "--", "--b"]), &SPEC).unwrap();
        assert_eq!(p.positionals, ["a", "--b"]);
        assert_eq!(p.option("--file"), Some("y"));
        assert!(p.flag("--offline"));
        assert!(!p.help);
        assert!(parse(&args(&["-h"]), &SPEC).unwrap().help);
    }

    #[test]
    fn mistakes_are_usage_errors() {
        let cases: &[(&[&str], &str)] = &[
            (&["--file"], "--file needs a value"),
            (&["--nope"], "unknown option '--nope'"),
            (&["--offline=1"], "--offline takes no value"),
        ];
        for (list, want) in cases {
            let err = parse(&args(list), &SPEC).unwrap_err();
            assert!(err.message.contains(want), "{list:?}: {}", err.message);
            assert_eq!(err.code, super::super::EXIT_USAGE);
        }
        let p = parse(&args(&["one", "two"]), &SPEC).unwrap();
        assert!(p.expect(&SPEC, &["<a>"]).unwrap_err().message.contains("unexpected argument 'two'"));
        assert!(p.expect(&SPEC, &["<a>", "<b>", "<c>"]).unwrap_err().message.contains("missing <c>"));
    }
}
