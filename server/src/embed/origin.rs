//! Origin allowlists for embed keys. A partner lists the pages allowed to embed
//! Quarry; the server compares each browser `Origin` header against that list by exact
//! scheme, host and port. Both sides go through the same canonical form
//! (`scheme://host[:port]`, lowercase, default port dropped, IDN hosts as punycode) so
//! that comparison is a plain string equality — no wildcard, suffix or prefix matching,
//! which is where origin checks usually go wrong.

use url::Url;

/// Inputs longer than this are refused rather than parsed: no real origin comes close.
const MAX_INPUT_LEN: usize = 2048;

/// Why a configured allowed origin was refused. Each message is written for the
/// partner who typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// Nothing but whitespace.
    #[error("the origin is empty")]
    Empty,
    /// The literal `null` origin (sandboxed frames, `file:` pages) matches no real site.
    #[error("`null` is not an origin that can be allowed; list the page's HTTPS origin instead")]
    Null,
    /// Wildcards would let any subdomain (or any site) frame the widget.
    #[error("wildcards are not allowed; list each origin exactly, e.g. https://app.example.com")]
    Wildcard,
    /// Not a URL at all (or unreasonably long, or containing whitespace).
    #[error("the origin is not a valid URL; expected something like https://app.example.com")]
    Invalid,
    /// A URL without a host cannot name a web origin.
    #[error("the origin has no host; expected something like https://app.example.com")]
    NoHost,
    /// `user:pass@` has no place in an origin and usually means a pasted secret.
    #[error("the origin must not contain a user name or password")]
    Credentials,
    /// Plain HTTP (or any other scheme) outside local development.
    #[error(
        "the origin must use HTTPS; only in --dev mode are http://localhost and \
         http://127.0.0.1 (any port) allowed"
    )]
    NotHttps,
}

/// The canonical origin for a partner-configured `allowed_origins` entry.
///
/// A full URL is reduced to its origin, so partners can paste the address of the page
/// that embeds the widget. `dev` additionally allows `http://localhost` and
/// `http://127.0.0.1` on any port; every other host still needs HTTPS.
pub fn normalise_allowed_origin(input: &str, dev: bool) -> Result<String, OriginError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(OriginError::Empty);
    }
    if input.contains('*') {
        return Err(OriginError::Wildcard);
    }
    if input.eq_ignore_ascii_case("null") {
        return Err(OriginError::Null);
    }
    // The URL parser silently drops tabs and newlines inside its input; a value that
    // contains them was not meant as written, so refuse it instead of guessing.
    if input.len() > MAX_INPUT_LEN || input.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(OriginError::Invalid);
    }
    let url = Url::parse(input).map_err(|_| OriginError::Invalid)?;
    let scheme = url.scheme();
    if scheme != "https" && scheme != "http" {
        return Err(OriginError::NotHttps);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(OriginError::Credentials);
    }
    let Some(host) = url.host_str() else {
        return Err(OriginError::NoHost);
    };
    if scheme == "http" && !(dev && is_local_dev_host(host)) {
        return Err(OriginError::NotHttps);
    }
    let origin = url.origin().ascii_serialization();
    // Percent-decoding can turn `%2a` into a `*` host label: still a wildcard to a reader.
    if origin.contains('*') {
        return Err(OriginError::Wildcard);
    }
    Ok(origin)
}

/// Hosts that `--dev` allows over plain HTTP.
fn is_local_dev_host(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1"
}

/// The canonical form of a browser `Origin` header value, for exact comparison with
/// [`normalise_allowed_origin`] output; `None` for `null`, anything that is not an
/// HTTP(S) origin, and anything carrying a path, query, fragment or user info.
pub fn request_origin(header: &str) -> Option<String> {
    // Browsers send the ASCII serialisation; anything else was not written by one.
    if header.is_empty()
        || header.len() > MAX_INPUT_LEN
        || !header.bytes().all(|b| b.is_ascii_graphic())
        || header.contains('*')
    {
        return None;
    }
    let (scheme, rest) = header.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    // The parser would turn `https://a.example/` into the same URL as
    // `https://a.example`; an Origin header never has a path, so refuse it up front.
    if rest.contains(['/', '\\', '?', '#', '@']) {
        return None;
    }
    let url = Url::parse(header).ok()?;
    url.host_str()?;
    let origin = url.origin().ascii_serialization();
    (!origin.contains('*')).then_some(origin)
}

/// Whether the browser `Origin` header value `origin` is one of `allowed` (entries
/// produced by [`normalise_allowed_origin`]): scheme, host and port must all match.
pub fn is_allowed(allowed: &[String], origin: &str) -> bool {
    match request_origin(origin) {
        Some(origin) => allowed.contains(&origin),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalise_accepts_and_canonicalises() {
        let cases: &[(&str, bool, &str)] = &[
            ("https://partner.example", false, "https://partner.example"),
            (
                "  https://partner.example  ",
                false,
                "https://partner.example",
            ),
            (
                "https://Partner.Example:443/app?x=1",
                false,
                "https://partner.example",
            ),
            ("HTTPS://PARTNER.EXAMPLE/", false, "https://partner.example"),
            (
                "https://partner.example:8443/a/b#frag",
                false,
                "https://partner.example:8443",
            ),
            (
                "https://bücher.example/shop",
                false,
                "https://xn--bcher-kva.example",
            ),
            ("https://[::1]:8443", false, "https://[::1]:8443"),
            ("https://10.0.0.1", false, "https://10.0.0.1"),
            ("http://localhost:3000", true, "http://localhost:3000"),
            ("http://LOCALHOST/app", true, "http://localhost"),
            ("http://127.0.0.1:8080/x", true, "http://127.0.0.1:8080"),
            ("http://localhost:80", true, "http://localhost"),
            ("https://localhost:3000", false, "https://localhost:3000"),
        ];
        for (input, dev, want) in cases {
            assert_eq!(
                normalise_allowed_origin(input, *dev).as_deref(),
                Ok(*want),
                "input {input:?} dev {dev}"
            );
        }
    }

    #[test]
    fn normalise_refuses() {
        use OriginError::*;
        let cases: &[(&str, bool, OriginError)] = &[
            ("", false, Empty),
            ("   ", true, Empty),
            ("null", false, Null),
            ("NULL", true, Null),
            ("*", false, Wildcard),
            ("https://*.partner.example", false, Wildcard),
            ("https://partner.example/*", false, Wildcard),
            ("https://%2a.partner.example", false, Wildcard),
            ("partner.example", false, Invalid),
            ("//partner.example", false, Invalid),
            ("https://", false, Invalid),
            ("https://part ner.example", false, Invalid),
            ("https://partner\t.example", false, Invalid),
            ("not a url", false, Invalid),
            ("https://user:pass@partner.example", false, Credentials),
            ("https://user@partner.example", false, Credentials),
            ("ftp://partner.example", false, NotHttps),
            ("javascript:alert(1)", true, NotHttps),
            ("file:///etc/passwd", true, NotHttps),
            ("data:text/html,hi", false, NotHttps),
            ("http://partner.example", false, NotHttps),
            ("http://partner.example", true, NotHttps),
            ("http://localhost:3000", false, NotHttps),
            ("http://127.0.0.1", false, NotHttps),
            ("http://localhost.evil.example", true, NotHttps),
            ("http://127.0.0.2", true, NotHttps),
            ("http://[::1]:3000", true, NotHttps),
        ];
        for (input, dev, want) in cases {
            assert_eq!(
                normalise_allowed_origin(input, *dev),
                Err(*want),
                "input {input:?} dev {dev}"
            );
        }
        let long = format!("https://{}.example", "a".repeat(MAX_INPUT_LEN));
        assert_eq!(normalise_allowed_origin(&long, false), Err(Invalid));
    }

    #[test]
    fn not_https_message_mentions_dev_hosts() {
        let message = OriginError::NotHttps.to_string();
        assert!(message.contains("HTTPS"), "{message}");
        assert!(message.contains("--dev"), "{message}");
        assert!(message.contains("http://localhost"), "{message}");
        assert!(message.contains("http://127.0.0.1"), "{message}");
    }

    #[test]
    fn request_origin_canonicalises_header_values() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://partner.example", Some("https://partner.example")),
            (
                "https://Partner.Example:443",
                Some("https://partner.example"),
            ),
            ("HTTPS://PARTNER.EXAMPLE", Some("https://partner.example")),
            (
                "https://partner.example:8443",
                Some("https://partner.example:8443"),
            ),
            ("http://localhost:3000", Some("http://localhost:3000")),
            ("http://partner.example:80", Some("http://partner.example")),
            ("https://[::1]:8443", Some("https://[::1]:8443")),
            ("null", None),
            ("", None),
            ("garbage", None),
            ("https://partner.example/", None),
            ("https://partner.example/app", None),
            ("https://partner.example?x=1", None),
            ("https://partner.example#top", None),
            ("https://user@partner.example", None),
            ("https://*.partner.example", None),
            ("https://%2a.partner.example", None),
            ("https://", None),
            (" https://partner.example", None),
            ("https://partner.example\n", None),
            ("ftp://partner.example", None),
            ("chrome-extension://abcdef", None),
        ];
        for (header, want) in cases {
            assert_eq!(
                request_origin(header).as_deref(),
                *want,
                "header {header:?}"
            );
        }
    }

    #[test]
    fn is_allowed_matches_scheme_host_and_port_exactly() {
        let allowed = vec![
            "https://a.example".to_string(),
            "http://localhost:3000".to_string(),
        ];
        let cases: &[(&str, bool)] = &[
            ("https://a.example", true),
            ("https://A.example:443", true),
            ("http://localhost:3000", true),
            ("https://a.example:8443", false),
            ("http://a.example", false),
            ("https://sub.a.example", false),
            ("https://a.example.evil", false),
            ("https://evila.example", false),
            ("http://localhost:3001", false),
            ("http://localhost", false),
            ("https://a.example/", false),
            ("null", false),
            ("", false),
        ];
        for (origin, want) in cases {
            assert_eq!(is_allowed(&allowed, origin), *want, "origin {origin:?}");
        }
        assert!(!is_allowed(&[], "https://a.example"));
    }

    /// Inputs that look like URLs, so the property tests reach the interesting paths
    /// rather than failing at the first parse.
    fn url_like() -> impl Strategy<Value = String> {
        (
            prop_oneof!["https", "http", "HTTPS", "ftp", ""],
            prop_oneof!["://", ":", "//"],
            "([a-zA-Z0-9@:*%.\\[\\]-]|ü){0,24}",
            prop_oneof!["", ":443", ":80", ":8443", ":0", ":99999"],
            "(/[a-z?#=*]{0,6}){0,2}",
        )
            .prop_map(|(s, sep, host, port, path)| format!("{s}{sep}{host}{port}{path}"))
    }

    fn any_input() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), url_like()]
    }

    proptest! {
        #[test]
        fn normalise_is_total_and_idempotent(input in any_input(), dev in any::<bool>()) {
            if let Ok(origin) = normalise_allowed_origin(&input, dev) {
                prop_assert_eq!(normalise_allowed_origin(&origin, dev), Ok(origin.clone()));
                prop_assert_eq!(request_origin(&origin), Some(origin.clone()));
                prop_assert!(is_allowed(std::slice::from_ref(&origin), &origin));
            }
        }

        #[test]
        fn request_origin_is_total_and_idempotent(input in any_input()) {
            if let Some(origin) = request_origin(&input) {
                prop_assert_eq!(request_origin(&origin), Some(origin.clone()));
            }
        }
    }
}
