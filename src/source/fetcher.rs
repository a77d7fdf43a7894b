//! A fetch by the `factorio-mocks` command, for a build without the network stack (the Lua
//! module, issue 15: the stack was four fifths of its clean build). The command runs
//! `fetch <ref> --json` with the same options, fills the cache both share, and answers one
//! JSON object on stdout: [`to_json`] writes it, [`from_json`] reads it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::{Error, ErrorKind, Fetched, Subject};

/// Names the command, before the places it is looked for.
pub const FETCHER_ENV: &str = "FACTORIO_MOCKS_FETCHER";

const KINDS: &[(ErrorKind, &str)] = &[
    (ErrorKind::Invalid, "invalid"),
    (ErrorKind::Offline, "offline"),
    (ErrorKind::NotFound, "not-found"),
    (ErrorKind::Auth, "auth"),
    (ErrorKind::Integrity, "integrity"),
    (ErrorKind::Network, "network"),
    (ErrorKind::Io, "io"),
];

/// The answer of `factorio-mocks fetch --json`, with the version that wrote it.
pub fn to_json(result: &Result<Fetched, Error>) -> String {
    let body = match result {
        Ok(f) => json!({"fetched": {
            "dir": f.dir.to_string_lossy(),
            "source": f.source,
            "reference": f.reference,
            "digest": f.digest,
            "subject": f.subject.as_ref().map(|s| json!({
                "reference": s.reference,
                "digest": s.digest,
                "media_type": s.media_type,
                "artifact_type": s.artifact_type,
            })),
            "warnings": f.warnings,
        }}),
        Err(e) => json!({"error": {
            "reference": e.reference,
            "source": e.source,
            "kind": KINDS.iter().find(|(k, _)| *k == e.kind).map_or("network", |(_, n)| n),
            "message": e.message,
        }}),
    };
    let mut body = body;
    body["version"] = crate::VERSION.into();
    body.to_string()
}

/// Reads [`to_json`]'s answer; the outer error says what was wrong with the answer itself.
pub fn from_json(text: &str) -> Result<Result<Fetched, Error>, String> {
    let v: Value = serde_json::from_str(text.trim()).map_err(|e| format!("not the JSON of `fetch --json` ({e})"))?;
    let version = v.get("version").and_then(Value::as_str).unwrap_or("unknown");
    if version != crate::VERSION {
        return Err(format!("it is version {version} and this module {}: install the matching one", crate::VERSION));
    }
    let text_of = |o: &Map<String, Value>, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let need = |o: &Map<String, Value>, k: &str| text_of(o, k).ok_or_else(|| format!("the answer lacks `{k}`"));
    if let Some(e) = v.get("error").and_then(Value::as_object) {
        let kind = text_of(e, "kind").unwrap_or_default();
        return Ok(Err(Error {
            reference: need(e, "reference")?,
            source: need(e, "source")?,
            kind: KINDS.iter().find(|(_, n)| *n == kind).map_or(ErrorKind::Network, |(k, _)| *k),
            message: need(e, "message")?,
        }));
    }
    let f = v.get("fetched").and_then(Value::as_object).ok_or("the answer has neither `fetched` nor `error`")?;
    let subject = match f.get("subject").and_then(Value::as_object) {
        Some(s) => Some(Subject {
            reference: need(s, "reference")?,
            digest: need(s, "digest")?,
            media_type: text_of(s, "media_type"),
            artifact_type: text_of(s, "artifact_type"),
        }),
        None => None,
    };
    let warnings = f
        .get("warnings")
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect());
    Ok(Ok(Fetched {
        dir: PathBuf::from(need(f, "dir")?),
        source: need(f, "source")?,
        reference: need(f, "reference")?,
        digest: text_of(f, "digest"),
        subject,
        warnings,
    }))
}

/// Runs the command for `reference`. Its progress and warnings go to our stderr as it prints
/// them; the warnings come back in [`Fetched::warnings`] too.
#[cfg(not(feature = "fetch"))]
pub fn fetch(reference: &str, opts: &super::FetchOptions) -> Result<Fetched, Error> {
    use std::process::{Command, Stdio};

    let fail = |message: String| Error::new(reference, "", ErrorKind::Io, message);
    let program = locate(std::env::var_os(FETCHER_ENV)).map_err(fail)?;
    let mut command = Command::new(&program);
    command.args(["fetch", reference, "--json"]).stdin(Stdio::null()).stderr(Stdio::inherit());
    command.args(arguments(opts));
    if opts.offline == Some(false) {
        command.env("FACTORIO_MOCKS_OFFLINE", "0");
    }
    let output = command.output().map_err(|e| fail(format!("cannot run {}: {e}", program.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    from_json(&text).map_err(|why| {
        fail(format!("the factorio-mocks command at {} ({}) answered wrongly: {why}", program.display(), output.status))
    })?
}

/// The command-line options that carry `opts` (unset ones stay to the environment, which the
/// command inherits).
#[cfg_attr(feature = "fetch", allow(dead_code))]
fn arguments(opts: &super::FetchOptions) -> Vec<String> {
    let mut args = Vec::new();
    let mut flag = |on: bool, name: &str| {
        if on {
            args.push(name.to_owned());
        }
    };
    flag(opts.offline == Some(true), "--offline");
    flag(opts.allow_http, "--allow-http");
    flag(opts.verify, "--verify");
    flag(opts.progress == Some(false), "--no-progress");
    flag(opts.progress == Some(true), "--progress");
    let mut option = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            args.extend([name.to_owned(), v]);
        }
    };
    option("--cache-dir", opts.cache_dir.as_ref().map(|d| d.to_string_lossy().into_owned()));
    option("--ttl", opts.ttl.map(|t| t.as_secs_f64().to_string()));
    option("--timeout", opts.timeout.map(|t| t.as_secs_f64().to_string()));
    option("--sources", opts.sources.as_ref().map(|s| s.join(",")));
    args
}

/// The command: [`FETCHER_ENV`], else beside this library (its folder or the one above, or the
/// `bin/` of the LuaRocks tree it is installed in), else on `PATH`.
#[cfg_attr(feature = "fetch", allow(dead_code))]
fn locate(named: Option<std::ffi::OsString>) -> Result<PathBuf, String> {
    if let Some(named) = named.filter(|v| !v.is_empty()) {
        let path = PathBuf::from(&named);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("{FETCHER_ENV}={} is not a file; set it to the factorio-mocks command", path.display()))
        };
    }
    let name = if cfg!(windows) { "factorio-mocks.exe" } else { "factorio-mocks" };
    let beside = library_path().and_then(|lib| lib.parent().map(Path::to_path_buf));
    let mut places: Vec<PathBuf> = Vec::new();
    if let Some(dir) = &beside {
        // A checkout: build/lua52/factorio_mocks.so and build/factorio-mocks (`make cli`); a
        // LuaRocks tree: <tree>/lib/lua/5.2/factorio_mocks.so and <tree>/bin/factorio-mocks.
        places.push(dir.clone());
        places.push(dir.join(".."));
        places.push(dir.join("../../../bin"));
    }
    places.extend(std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default());
    places.iter().map(|dir| dir.join(name)).find(|p| p.is_file()).ok_or_else(|| {
        format!(
            "fetching from the network is the factorio-mocks command's job (the Lua module is built without the \
             network stack) and it was not found: not beside the module{}, nor on PATH, and {FETCHER_ENV} is unset. \
             Install it with the rock (`FACTORIO_MOCKS_BUILD_CLI=1 luarocks install factorio-mocks`), or run \
             `make cli` in a checkout and set {FETCHER_ENV} to build/factorio-mocks",
            beside.map(|d| format!(" ({})", d.display())).unwrap_or_default()
        )
    })
}

/// The file this code was loaded from (the Lua module's .so), as the dynamic loader knows it.
#[cfg(unix)]
fn library_path() -> Option<PathBuf> {
    use std::ffi::CStr;
    use std::os::unix::ffi::OsStrExt;

    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr only reads the address and fills `info`; dli_fname, when set, points to a
    // NUL-terminated string the loader owns for as long as the library stays loaded.
    let found = unsafe { libc::dladdr(library_path as *const libc::c_void, &mut info) };
    if found == 0 || info.dli_fname.is_null() {
        return None;
    }
    let name = unsafe { CStr::from_ptr(info.dli_fname) };
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(name.to_bytes())))
}

#[cfg(not(unix))]
fn library_path() -> Option<PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn answers_round_trip() {
        let fetched = Fetched {
            dir: "/cache/d/ab".into(),
            source: "oci://r/x".into(),
            reference: "oci://r/x@sha256:00".into(),
            digest: Some("sha256:00".into()),
            subject: Some(Subject {
                reference: "oci://r/x@sha256:11".into(),
                digest: "sha256:11".into(),
                media_type: None,
                artifact_type: Some("t".into()),
            }),
            warnings: vec!["stale".into()],
        };
        assert_eq!(from_json(&to_json(&Ok(fetched.clone()))), Ok(Ok(fetched)));
        let error = Error {
            reference: "space-age".into(),
            source: "oci://r".into(),
            kind: ErrorKind::Offline,
            message: "offline".into(),
        };
        assert_eq!(from_json(&to_json(&Err(error.clone()))), Ok(Err(error)));
    }

    #[test]
    fn answers_of_another_version_or_shape_are_refused() {
        let other = to_json(&Err(Error::new("x", "y", ErrorKind::Io, "z"))).replace(crate::VERSION, "0.0.1");
        assert!(from_json(&other).unwrap_err().contains("version 0.0.1"));
        assert!(from_json("Segmentation fault").unwrap_err().contains("not the JSON"));
        let v = format!("{{\"version\":\"{}\"}}", crate::VERSION);
        assert!(from_json(&v).unwrap_err().contains("neither"));
        let v = format!("{{\"version\":\"{}\",\"fetched\":{{\"dir\":\"/d\"}}}}", crate::VERSION);
        assert!(from_json(&v).unwrap_err().contains("`source`"));
    }

    #[test]
    fn options_become_the_commands_flags() {
        let opts = super::super::FetchOptions {
            offline: Some(true),
            allow_http: true,
            progress: Some(false),
            cache_dir: Some("/c".into()),
            ttl: Some(Duration::from_millis(1500)),
            sources: Some(vec!["oci://a".into(), "https://b".into()]),
            ..Default::default()
        };
        assert_eq!(
            arguments(&opts),
            [
                "--offline",
                "--allow-http",
                "--no-progress",
                "--cache-dir",
                "/c",
                "--ttl",
                "1.5",
                "--sources",
                "oci://a,https://b"
            ]
        );
        assert!(arguments(&Default::default()).is_empty());
    }

    #[test]
    fn a_fetcher_named_by_the_environment_must_exist() {
        let e = locate(Some("/no/such/factorio-mocks".into())).unwrap_err();
        assert!(e.contains("/no/such/factorio-mocks is not a file"), "{e}");
    }
}
