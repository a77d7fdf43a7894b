//! The one HTTPS client setup: ureq over rustls with ring and the platform's certificate
//! verifier. Every plain-HTTP caller (the Git-host source, the Mod Portal client of
//! [`crate::modpack`]) builds its agent here, so there is one TLS stack and one place that
//! decides the timeouts.

use std::sync::Arc;
use std::time::Duration;

/// Timeouts of an agent. ureq has no between-reads timer, only budgets: a silent host is
/// caught by the connect and answer budgets, a stalled body by the whole-body budget.
#[derive(Clone, Copy, Debug)]
pub struct Budgets {
    /// Connecting, and waiting for the status line and headers.
    pub answer: Duration,
    /// Reading the whole body.
    pub body: Duration,
}

impl Budgets {
    /// `answer` for connecting and the headers, `body_factor × answer` for the body.
    pub fn new(answer: Duration, body_factor: u32) -> Budgets {
        Budgets { answer, body: answer * body_factor }
    }
}

/// An agent that returns every HTTP status as a response (callers map 404, 401 … themselves)
/// and follows redirects.
pub fn agent(budgets: Budgets) -> ureq::Agent {
    super::install_crypto();
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(budgets.answer))
        .timeout_recv_response(Some(budgets.answer))
        .timeout_recv_body(Some(budgets.body))
        .tls_config(tls)
        .build()
        .into()
}

/// The host part of `scheme://host[:port]/…`.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("")
}

/// Whether plain `http://` may be used for `host`: loopback always, other hosts with
/// `allow_http` or `FACTORIO_MOCKS_ALLOW_HTTP=1`.
pub fn http_allowed(host: &str, allow_http: bool) -> bool {
    allow_http
        || super::is_loopback(host)
        || std::env::var("FACTORIO_MOCKS_ALLOW_HTTP").is_ok_and(|v| super::is_yes(&v))
}

/// An error with its chain of causes, each cause once.
pub fn error_text(e: &dyn std::error::Error) -> String {
    super::error_text(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_plain_http() {
        assert_eq!(host_of("https://mods.factorio.com/api/mods"), "mods.factorio.com");
        assert_eq!(host_of("http://127.0.0.1:8000"), "127.0.0.1:8000");
        assert!(http_allowed("127.0.0.1:8000", false));
        assert!(http_allowed("example.com", true));
    }
}
