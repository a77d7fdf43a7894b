//! `factorio-mocks`: the command-line face of the library (see `src/cli/`).
//!
//! Needs a linked Lua (the `vendored` feature) only because the library it links carries the
//! Lua binding; the commands themselves never run Lua.

#[path = "../cli/mod.rs"]
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
