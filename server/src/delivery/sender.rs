//! One HTTP attempt at a partner's delivery URL. The client follows no redirects
//! (a redirect is a failure), gives up after the timeout, reads at most 64 KiB of
//! the answer, and connects only to public addresses: names are resolved by
//! [`PublicOnly`], which drops private and special ranges after DNS, so a name
//! cannot be pointed at an internal address between the check and the connect.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address::is_public;
use super::schedule::parse_retry_after;

/// Most bytes of a partner's answer read (the rest is dropped).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The partner's HTTP status, when it answered.
    pub status: Option<u16>,
    pub latency_ms: i64,
    /// Why it failed without a status, or what a failing status means.
    pub error: Option<String>,
    /// Seconds the partner asked to wait (429/503 only).
    pub retry_after: Option<u64>,
}

impl Attempt {
    /// Only 2xx is success.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// `410 Gone`: the endpoint asked never to be called again.
    pub fn gone(&self) -> bool {
        self.status == Some(410)
    }

    /// An attempt refused before anything was sent.
    pub fn not_sent(error: impl Into<String>) -> Attempt {
        Attempt::failed(error, Instant::now())
    }

    fn failed(error: impl Into<String>, started: Instant) -> Attempt {
        Attempt {
            status: None,
            latency_ms: elapsed_ms(started),
            error: Some(error.into()),
            retry_after: None,
        }
    }
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// A DNS resolver that only answers public addresses (all of them in dev mode).
#[derive(Debug, Clone, Copy)]
struct PublicOnly {
    dev: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let dev = self.dev;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| dev || is_public(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Sends deliveries.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    dev: bool,
}

/// Why a URL may not be called at all.
pub fn check_url(url: &str, dev: bool) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if dev => {}
        other => return Err(format!("{other}:// is not allowed; use https://")),
    }
    if let Some(host) = parsed.host_str() {
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            if !dev && !is_public(ip) {
                return Err(format!("{ip} is not a public address"));
            }
        }
        // Names that only ever mean this machine or a private network.
        let local_name = host == "localhost"
            || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                .iter()
                .any(|suffix| host.ends_with(suffix));
        if !dev && local_name {
            return Err(format!("{host} is not a public host"));
        }
    } else {
        return Err("the URL has no host".into());
    }
    Ok(parsed)
}

impl Sender {
    /// The delivery client: no proxy (proxy variables in the environment would
    /// hide the real destination from the address checks), no redirects, the
    /// timeout, public addresses only. Fails rather than fall back on a client
    /// without those rules.
    pub fn new(dev: bool, timeout: Duration) -> Result<Sender, reqwest::Error> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .dns_resolver(Arc::new(PublicOnly { dev }))
            .user_agent(concat!("quarry-prospecting/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Sender { client, dev })
    }

    /// POSTs `body` with `headers` to `url` once.
    pub async fn post(&self, url: &str, headers: &[(String, String)], body: Vec<u8>) -> Attempt {
        let started = Instant::now();
        let url = match check_url(url, self.dev) {
            Ok(url) => url,
            Err(e) => return Attempt::failed(e, started),
        };
        let mut request = self.client.post(url).body(body);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let reason = if e.is_timeout() {
                    "timed out".to_owned()
                } else if e.is_connect() {
                    format!("could not connect: {}", root_cause(&e))
                } else {
                    root_cause(&e)
                };
                return Attempt::failed(reason, started);
            }
        };
        let status = response.status().as_u16();
        let retry_after = matches!(status, 429 | 503)
            .then(|| response.headers().get("retry-after"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, crate::store::now_unix()));
        // Read (and drop) at most a small answer, so a hostile endpoint cannot
        // hold the worker or its memory.
        let mut read = 0usize;
        while read < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                _ => break,
            }
        }
        let error = match status {
            200..=299 => None,
            300..=399 => Some(format!("redirect {status} (redirects are not followed)")),
            _ => Some(format!("HTTP {status}")),
        };
        Attempt {
            status: Some(status),
            latency_ms: elapsed_ms(started),
            error,
            retry_after,
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_before_any_connection() {
        assert!(check_url("https://hooks.partner.example/x", false).is_ok());
        for bad in [
            "http://hooks.partner.example/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest",
            "https://10.0.0.2/",
            "ftp://x.example/",
            "nonsense",
            "https://localhost/x",
            "https://db.internal/x",
            "https://printer.local/x",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://127.0.0.1:9000/x", true).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused_after_dns() {
        use std::str::FromStr;
        // The resolver itself, for names the configuration-time check lets through.
        let refused = PublicOnly { dev: false }
            .resolve(Name::from_str("localhost").unwrap())
            .await;
        let error = refused
            .err()
            .expect("loopback answers are dropped")
            .to_string();
        assert!(error.contains("no public address"), "{error}");
        let allowed = PublicOnly { dev: true }
            .resolve(Name::from_str("localhost").unwrap())
            .await;
        assert!(allowed.is_ok_and(|mut addrs| addrs.next().is_some()));
    }
}
