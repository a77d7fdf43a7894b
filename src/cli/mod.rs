//! The `factorio-mocks` command line: the game's files and the dataset cache, without Lua.
//!
//! Lives beside the library (included by `src/bin/factorio-mocks.rs` with `#[path]`) so the
//! Lua module does not carry it. Every command returns an [`Outcome`] or a [`Failure`]; only
//! [`main`] touches stdout, stderr and the exit code.

mod args;
mod commands;
mod dataset;
pub mod settings_json;

use std::io::Write;
use std::process::ExitCode;

/// Success.
pub const EXIT_OK: u8 = 0;
/// The command ran and found problems (`locale check`).
pub const EXIT_PROBLEMS: u8 = 1;
/// The command line was wrong.
pub const EXIT_USAGE: u8 = 2;
/// A file, the cache or the network failed.
pub const EXIT_FAILURE: u8 = 3;

/// What a command printed and how it ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// For stdout: the data (JSON, paths, reports).
    pub stdout: String,
    /// For stderr: notes for the person at the terminal.
    pub stderr: String,
    /// The exit code.
    pub code: u8,
}

impl Outcome {
    fn out(stdout: String) -> Outcome {
        Outcome { stdout, ..Outcome::default() }
    }
}

/// Why a command stopped: the message says what failed, where, and what to do.
#[derive(Debug)]
pub struct Failure {
    /// [`EXIT_USAGE`] or [`EXIT_FAILURE`].
    pub code: u8,
    /// The text after `error: `.
    pub message: String,
    /// For usage errors: the command whose `--help` to point at.
    pub help_for: Option<&'static str>,
}

impl Failure {
    /// A mistake on the command line.
    pub fn usage(command: &'static str, message: impl Into<String>) -> Failure {
        Failure { code: EXIT_USAGE, message: message.into(), help_for: Some(command) }
    }

    /// A failure of the operation itself.
    pub fn failed(message: impl Into<String>) -> Failure {
        Failure { code: EXIT_FAILURE, message: message.into(), help_for: None }
    }
}

const HELP: &str = "\
factorio-mocks: the game's files and the dataset cache, from the command line

usage: factorio-mocks <command> [arguments] [options]

commands:
  mod-settings dump <file.dat>                 a mod-settings.dat as JSON on stdout (lossless)
  mod-settings restore <file.json> <file.dat>  JSON from `dump` back to a mod-settings.dat
  mod-list list|enable|disable|add|remove      read or change a mod-list.json
  locale check <mod_dir>                       what each language lacks or gets wrong against English
  cache dir|clear|prune                        where datasets are cached; empty it; drop stale entries
  fetch <ref>                                  download and verify a dataset, print its folder
  modpack resolve|download <modpack.json>      pin a modpack's mods from the mod portal; fetch them
  dataset build|validate|push                  make a dataset from the game and mods; check it; publish it

options for every command:
  -h, --help     help for the command (`factorio-mocks mod-list --help`)
  -V, --version  the tool's version

exit codes: 0 done, 1 `locale check` or `dataset build|validate` found problems or `modpack resolve` conflicts,
2 wrong command line (also a path, mod name or language it names that is not there), 3 a file,
the cache or the network failed (the message says which and what to do).
";

/// Runs the tool with `args` (without the program name).
pub fn run(args: &[String]) -> Result<Outcome, Failure> {
    let Some(first) = args.first() else {
        return Ok(Outcome { stderr: HELP.into(), code: EXIT_USAGE, ..Outcome::default() });
    };
    let rest = args.get(1..).unwrap_or_default();
    match first.as_str() {
        "-h" | "--help" | "help" => Ok(Outcome::out(HELP.into())),
        "-V" | "--version" => Ok(Outcome::out(format!("factorio-mocks {}\n", factorio_mocks::VERSION))),
        "mod-settings" => commands::mod_settings(rest),
        "mod-list" => commands::mod_list(rest),
        "locale" => commands::locale(rest),
        "cache" => commands::cache(rest),
        "fetch" => commands::fetch(rest),
        "modpack" => commands::modpack(rest),
        "dataset" => dataset::command(rest),
        other => Err(Failure {
            code: EXIT_USAGE,
            message: format!(
                "unknown command '{other}' (commands: mod-settings, mod-list, locale, cache, fetch, modpack, dataset)"
            ),
            help_for: Some(""),
        }),
    }
}

/// Writes everything; a closed pipe (`| head`) is not an error worth a message.
fn emit(mut stream: impl Write, text: &str) -> std::io::Result<()> {
    match stream.write_all(text.as_bytes()).and_then(|()| stream.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The process entry: arguments in, text and exit code out.
pub fn main() -> ExitCode {
    let mut args = Vec::new();
    for (i, arg) in std::env::args_os().skip(1).enumerate() {
        match arg.into_string() {
            Ok(s) => args.push(s),
            Err(raw) => {
                let text = format!(
                    "error: argument {} ({}) is not valid UTF-8; rename the file or pass a path without such characters\n",
                    i + 1,
                    raw.to_string_lossy()
                );
                let _ = emit(std::io::stderr(), &text);
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    let outcome = run(&args).unwrap_or_else(|f| {
        let mut stderr = format!("error: {}\n", f.message);
        if let Some(command) = f.help_for {
            let sep = if command.is_empty() { "" } else { " " };
            stderr.push_str(&format!("see 'factorio-mocks{sep}{command} --help'\n"));
        }
        Outcome { stderr, code: f.code, ..Outcome::default() }
    });
    if let Err(e) = emit(std::io::stdout(), &outcome.stdout) {
        let _ = emit(std::io::stderr(), &format!("error: cannot write to stdout: {e}\n"));
        return ExitCode::from(EXIT_FAILURE);
    }
    let _ = emit(std::io::stderr(), &outcome.stderr);
    ExitCode::from(outcome.code)
}
