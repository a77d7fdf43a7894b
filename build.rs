//! Embeds every Lua shim under `lua/` into the library: each `lua/a/b.lua` becomes the
//! `package.preload` entry `a.b` (and `a/init.lua` the entry `a`), so the .so carries matching
//! Rust and Lua.

use std::{env, fs, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("lua");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out =
        String::from("/// `(module name, source)` of every embedded shim.\npub static SHIMS: &[(&str, &str)] = &[\n");
    for (name, path) in &files {
        out.push_str(&format!("    ({name:?}, include_str!({path:?})),\n"));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("shims.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "lua") {
            let rel = path.strip_prefix(root).expect("under root").with_extension("");
            let mut parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            // `a/init.lua` is module `a`, as Lua's `?/init.lua` path rule has it.
            if parts.len() > 1 && parts.last().is_some_and(|p| p == "init") {
                parts.pop();
            }
            let name = parts.join(".");
            files.push((name, path.display().to_string()));
        }
    }
}
