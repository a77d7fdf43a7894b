//! Credentials out of every text that leaves a fetch: error messages, warnings (log lines),
//! cache keys. One function, [`redact`], applied at the few places such text is made
//! ([`super::Error::new`], [`super::Ctx::warn`], the keys); [`Secrets`] adds the credentials
//! the process was given, so a registry echoing them back (an error body quoting the request's
//! `Authorization` header) shows nothing either.
//!
//! What is removed (replaced by `***`):
//!
//! * the user-info of a URL anywhere in the text, `scheme://user:password@host`, the password
//!   holding `/`, `@`, `:` or `%2F` included (the last `@` before the host ends it; an `@sha256:`
//!   digest is not user-info);
//! * a URL's fragment, and the values of query parameters whose names hint at a secret
//!   (`token`, `access_token`, `sig`, `X-Amz-Signature`, `password`, `key`, `auth`, …);
//! * credentials after a header name (`Authorization: Basic …`, `"authorization":["Bearer …"]`,
//!   `Proxy-Authorization`, `Cookie`, `X-Registry-Auth`, `Private-Token`, …) and after a bare
//!   `Basic ` or `Bearer ` scheme word;
//! * each known secret, its base64 (alone and as `user:secret`) and its percent-encoding.

use base64::Engine;

const MASK: &str = "***";

/// Header names whose value is a credential.
const SECRET_HEADERS: &[&str] = &[
    "proxy-authorization",
    "authorization",
    "x-registry-auth",
    "x-registry-token",
    "private-token",
    "x-auth-token",
    "x-api-key",
    "set-cookie",
    "cookie",
];

/// Query parameter names (or parts of names) whose value is a secret.
const SECRET_PARAMS: &[&str] =
    &["token", "secret", "pass", "pwd", "sig", "key", "auth", "cred", "session", "code", "jwt"];

/// Credentials this process holds, to be removed wherever they appear.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    texts: Vec<String>,
}

impl Secrets {
    /// No known secret: [`redact`]'s patterns only.
    pub fn none() -> Secrets {
        Secrets::default()
    }

    /// Adds `secret` and its encodings (base64, percent-encoded); with `user`, also the
    /// base64 of `user:secret`, the value a basic `Authorization` header carries.
    pub fn add(&mut self, user: Option<&str>, secret: &str) {
        // Shorter ones would blank ordinary words; the patterns still catch them in place.
        if secret.len() < 4 {
            return;
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut forms = vec![secret.to_string(), b64.encode(secret), percent_encode(secret)];
        if let Some(u) = user {
            let pair = format!("{u}:{secret}");
            forms.push(b64.encode(&pair));
            forms.push(base64::engine::general_purpose::URL_SAFE.encode(&pair));
            forms.push(b64.encode(&pair).trim_end_matches('=').to_string());
        }
        forms.push(b64.encode(secret).trim_end_matches('=').to_string());
        for f in forms {
            if f.len() >= 4 && !self.texts.contains(&f) {
                self.texts.push(f);
            }
        }
        // Longest first, so a form containing another is removed whole.
        self.texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
    }

    /// The credentials the environment gives (`FACTORIO_MOCKS_REGISTRY_AUTH`): removed from
    /// every error and warning, whichever registry echoes them.
    pub fn from_env() -> Secrets {
        let mut s = Secrets::none();
        if let Some(v) = std::env::var("FACTORIO_MOCKS_REGISTRY_AUTH").ok().filter(|v| !v.is_empty()) {
            match v.split_once(':') {
                Some((user, token)) => s.add(Some(user), token),
                None => s.add(None, &v),
            }
        }
        s
    }

    /// Adds what [`redact`] would remove from each of `references` (user-info, passwords,
    /// secret query values, fragments), so a message quoting a piece of one loses it too.
    pub fn add_from_references(&mut self, references: &[&str]) {
        let mut removed = Vec::new();
        for r in references {
            redact_urls_collecting(r, &mut removed);
        }
        for piece in removed {
            let user = piece.split_once(':').map(|(u, _)| u.to_string());
            self.add(None, &piece);
            if let (Some(u), Some((_, p))) = (user, piece.split_once(':')) {
                self.add(Some(&u), p);
            }
        }
    }

    /// `text` with every known secret and every pattern of [`redact`] removed.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.texts {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        redact(&out)
    }
}

/// `text` without credentials: see the module documentation for what is removed.
pub fn redact(text: &str) -> String {
    redact_headers(&redact_urls(text))
}

/// True when `reference` carries a credential [`redact`] would remove (user-info, a secret
/// query parameter, a fragment): such a reference is refused, not fetched.
pub fn has_credentials(reference: &str) -> bool {
    redact_urls(reference) != reference
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a URL token ends in free text.
fn ends_token(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\')
}

/// Every `scheme://…` in `text` with its user-info, secret query values and fragment masked.
fn redact_urls(text: &str) -> String {
    redact_urls_collecting(text, &mut Vec::new())
}

/// [`redact_urls`], also giving what it removed (each user-info, its password, each secret
/// query value and fragment), so a message quoting a piece of the reference loses it too.
fn redact_urls_collecting(text: &str, removed: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The scheme: the letters right before `://`.
        let scheme_start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        out.push_str(&rest[..at + 3]);
        let after = &rest[at + 3..];
        if scheme_start == at {
            rest = after;
            continue;
        }
        let end = after.find(ends_token).unwrap_or(after.len());
        out.push_str(&redact_url_body(&after[..end], removed));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// What follows `scheme://` up to the end of the URL.
fn redact_url_body(body: &str, removed: &mut Vec<String>) -> String {
    let mut body = body.to_string();
    // User-info ends at the last `@` that is not a digest's (`@sha256:…`).
    let userinfo_end = body.rmatch_indices('@').map(|(i, _)| i).find(|&i| !is_digest_at(&body[i + 1..]));
    if let Some(i) = userinfo_end {
        let userinfo = &body[..i];
        removed.push(userinfo.to_string());
        if let Some((_, password)) = userinfo.split_once(':') {
            removed.push(password.to_string());
        }
        body = format!("{MASK}{}", &body[i..]);
    }
    // The fragment, whole.
    if let Some(i) = body.find('#') {
        if i + 1 < body.len() {
            removed.push(body[i + 1..].to_string());
            body = format!("{}#{MASK}", &body[..i]);
        }
    }
    // Secret query values.
    if let Some(q) = body.find('?') {
        let (head, query) = body.split_at(q + 1);
        let (query, fragment) = match query.find('#') {
            Some(h) => query.split_at(h),
            None => (query, ""),
        };
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((name, value)) if !value.is_empty() && is_secret_param(name) => {
                    removed.push(value.to_string());
                    format!("{name}={MASK}")
                }
                _ => p.to_string(),
            })
            .collect();
        body = format!("{head}{}{fragment}", params.join("&"));
    }
    body
}

fn is_digest_at(s: &str) -> bool {
    let Some((algo, hex)) = s.split_once(':') else { return false };
    matches!(algo, "sha256" | "sha384" | "sha512") && hex.bytes().next().is_some_and(|b| b.is_ascii_hexdigit())
}

fn is_secret_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARAMS.iter().any(|s| name.contains(s))
}

/// Credentials after a header name or a `Basic`/`Bearer` scheme word.
fn redact_headers(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    // (start, end) byte ranges to mask.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for name in SECRET_HEADERS {
        for (i, _) in lower.match_indices(name) {
            // A whole word: `x-authorization-hint` or `proxy-authorization` (for `authorization`) is not this header.
            let before = lower[..i].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                continue;
            }
            let mut j = i + name.len();
            let sep_start = j;
            j += lower[j..]
                .find(|c: char| !matches!(c, '"' | '\'' | ' ' | '\t' | ':' | '=' | '['))
                .unwrap_or(lower.len() - j);
            if !lower[sep_start..j].contains([':', '=']) {
                continue;
            }
            let value_end = j + lower[j..].find(['"', '\'', '\n', '\r', ']', ',', '}', ';']).unwrap_or(lower.len() - j);
            if value_end > j {
                spans.push((j, value_end));
            }
        }
    }
    for scheme in ["basic ", "bearer ", "token "] {
        for (i, _) in lower.match_indices(scheme) {
            if lower[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let start = i + scheme.len();
            let end = start
                + lower[start..]
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_' | '.' | '~'))
                    })
                    .unwrap_or(lower.len() - start);
            let word = &lower[start..end];
            // A challenge's parameters (`Bearer realm="…"`) are not a credential; a word this
            // short is prose ("basic auth").
            if word.len() >= 8 && !["realm=", "error=", "scope=", "service="].iter().any(|p| word.starts_with(p)) {
                spans.push((start, end));
            }
        }
    }
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        if e <= at {
            continue;
        }
        let s = s.max(at);
        out.push_str(&text[at..s]);
        out.push_str(MASK);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_user_info_query_secrets_and_fragments() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let cases: &[(&str, &str)] = &[
            ("https://user:secret@host/path", "https://***@host/path"),
            ("oci://user:pa/ss@host/repo:1", "oci://***@host/repo:1"),
            ("oci://user:p@ss@host/repo:1", "oci://***@host/repo:1"),
            ("oci://user:p:ss@host/repo:1", "oci://***@host/repo:1"),
            ("oci://user:pa%2Fss@host/repo:1", "oci://***@host/repo:1"),
            ("https://ghp_token@github.com/o/r", "https://***@github.com/o/r"),
            ("https://h/d?token=abc&x=1", "https://h/d?token=***&x=1"),
            (
                "https://h/d?X-Amz-Signature=abc&X-Amz-Credential=def",
                "https://h/d?X-Amz-Signature=***&X-Amz-Credential=***",
            ),
            ("https://h/d#access_token=abc", "https://h/d#***"),
            (
                "fetching oci://u:pw@h/r:1 from oci://u:pw@h/r: down",
                "fetching oci://***@h/r:1 from oci://***@h/r: down",
            ),
            (
                "error sending request for url (https://u:pw@h/v2/): x",
                "error sending request for url (https://***@h/v2/): x",
            ),
            ("see \"http://u:pw@h/\" now", "see \"http://***@h/\" now"),
        ];
        for (text, want) in cases {
            assert_eq!(redact(text), *want, "{text}");
        }
        // Not credentials: digests, plain URLs, prose.
        for text in [
            format!("oci://host/repo@{digest}"),
            "https://host:5000/a/b?scope=repository:x:pull".into(),
            "no url here: a@b".into(),
            "://x".into(),
        ] {
            assert_eq!(redact(&text), text);
        }
    }

    #[test]
    fn echoed_headers_and_scheme_words_lose_their_credentials() {
        let cases: &[(&str, &str)] = &[
            ("authorization: Basic YWxpY2U6cHc=\nhost: x", "authorization: ***\nhost: x"),
            (r#"{"headers":{"Authorization":["Bearer tok-123456789"]}}"#, r#"{"headers":{"Authorization":["***"]}}"#),
            ("Proxy-Authorization: Basic YWxpY2U6cHc=", "Proxy-Authorization: ***"),
            ("Cookie: session=abc; other=1", "Cookie: ***; other=1"),
            ("sent Basic YWxpY2U6cHcxMjM0 to the server", "sent Basic *** to the server"),
            ("got Bearer eyJhbGciOiJIUzI1NiJ9.e30.x from the realm", "got Bearer *** from the realm"),
        ];
        for (text, want) in cases {
            assert_eq!(redact(text), *want, "{text}");
        }
        let challenge = r#"www-authenticate: Bearer realm="https://h/token",service="r""#;
        assert_eq!(redact(challenge), challenge);
        assert_eq!(redact("use basic auth"), "use basic auth");
    }

    #[test]
    fn known_secrets_go_in_every_encoding() {
        let mut s = Secrets::none();
        s.add(Some("alice"), "pa/ss w0rd");
        let b64 = base64::engine::general_purpose::STANDARD;
        for form in [
            "pa/ss w0rd".to_string(),
            b64.encode("alice:pa/ss w0rd"),
            b64.encode("pa/ss w0rd"),
            "pa%2Fss%20w0rd".into(),
        ] {
            let text = format!("the server said: {form}.");
            assert_eq!(s.scrub(&text), "the server said: ***.", "{form}");
        }
        assert!(
            has_credentials("oci://u:p/w@h/r:1")
                && has_credentials("https://h/d?token=x")
                && has_credentials("https://h/d#x")
        );
        assert!(!has_credentials(
            "oci://h:5000/r@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        ));
    }
}
