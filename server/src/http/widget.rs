//! Serves the widget that Trunk built (`dist/`) at `/embed/`, and the loader at
//! `/embed.js`.
//!
//! The widget page is what a partner frames, so it carries the clickjacking defence
//! of PRODUCT.md §2.5: `Content-Security-Policy: frame-ancestors` lists exactly the
//! allowed origins of the embed key named by the `key` query parameter (its visible
//! prefix), and is `'none'` for an unknown or revoked key. The rest of the policy
//! is strict too: scripts only from this origin plus the hash of the one inline
//! bootstrap script Trunk writes (computed from the built file, so a rebuild needs
//! no configuration), WebAssembly compilation, and requests to this origin only.
//!
//! Every spelling of the page's path (`%69ndex.html`, `//index.html`,
//! `./index.html`, `x/../`) is decoded and normalised before it is matched, so each
//! one gets the key's policy; and any other HTML under `/embed/` (or any file at
//! all) gets `frame-ancestors 'none'`, so nothing served there can be framed with
//! a weaker policy than the page's.
//!
//! Caching: the page and the loader are revalidated (a deploy takes effect at
//! once, and the loader's URL never changes); Trunk's content-hashed assets are
//! cached for a year as immutable.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::error::{self, ApiError};
use super::AppState;
use crate::store::{EmbedKeyStatus, Store};

/// The loader partners include with one `<script>` tag.
const LOADER: &str = include_str!("../../../public/embed.js");

/// How long a key's frame-ancestors answer is reused; a revocation bites after this.
pub const FRAME_ANCESTORS_TTL: Duration = Duration::from_secs(2);

/// `/embed/…` from the widget folder and `/embed.js`; unknown files get the 404
/// envelope.
pub fn router(state: &AppState) -> Router<AppState> {
    let dir = &state.config.widget_dir;
    if !dir.join("index.html").is_file() {
        tracing::warn!(dir = %dir.display(), "the widget is not built; /embed/ will answer 404 (run `make run`)");
    }
    let files = ServeDir::new(dir);
    let embed = Router::new()
        .nest_service("/embed", widget_files.with_state((state.clone(), files)))
        .layer(middleware::from_fn(cache_control));
    Router::new().route("/embed.js", get(loader)).merge(embed)
}

/// Everything under `/embed`: the page itself, or Trunk's files.
async fn widget_files(
    State((state, files)): State<(AppState, ServeDir)>,
    request: Request,
) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return error::method_not_allowed().await.into_response();
    }
    match normalised_path(request.uri().path()) {
        Some(path) if path.is_empty() || path == "index.html" => {
            let query = request.uri().query().unwrap_or("");
            match super::extract::parse_query::<PageParams>(query) {
                Ok(params) => widget_page(&state, params)
                    .await
                    .unwrap_or_else(IntoResponse::into_response),
                Err(e) => e.into_response(),
            }
        }
        None => error::not_found().await.into_response(),
        Some(_) => match files.oneshot(request).await {
            Ok(response) if response.status() == StatusCode::NOT_FOUND => {
                error::not_found().await.into_response()
            }
            Ok(mut response) => {
                // Nothing else under /embed may be framed.
                response
                    .headers_mut()
                    .entry("content-security-policy")
                    .or_insert(HeaderValue::from_static(OTHER_FILES_POLICY));
                response.into_response()
            }
            Err(never) => match never {},
        },
    }
}

/// The policy of every file under `/embed/` but the page: nothing runs from it
/// and nobody frames it.
const OTHER_FILES_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// A request path under `/embed` as the file it names, relative to the widget
/// folder: percent-decoded, empty and `.` segments dropped, `..` applied (`None`
/// when it climbs out, or does not decode to UTF-8), `/` joining the rest. A
/// directory is its `index.html` (`""` and `"sub/"` → `index.html` of it).
pub fn normalised_path(raw: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            other => segments.push(other),
        }
    }
    let mut path = segments.join("/");
    if decoded.ends_with('/') && !path.is_empty() {
        path.push_str("/index.html");
    }
    Some(path)
}

/// `GET /embed.js`: the loader script.
async fn loader() -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    // Revalidated often: partners never change the URL, so a fix must reach them.
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300, stale-while-revalidate=86400"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    (headers, LOADER).into_response()
}

/// The page's parameters; anything else on its URL (a cache buster) is left alone.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageParams {
    /// The embed key's visible prefix (`qpk_live_1a2b3c4d`), or the public key.
    key: Option<String>,
}

/// `GET /embed/`: the widget page with its security headers.
async fn widget_page(state: &AppState, params: PageParams) -> Result<Response, ApiError> {
    let html = match read_page(&state.config.widget_dir).await {
        Some(html) => html,
        None => return Err(error::not_found().await),
    };
    let ancestors = match params.key.as_deref().and_then(key_prefix) {
        Some(prefix) => state.frame_ancestors.lookup(&state.store, prefix).await?,
        None => None,
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    let policy = content_security_policy(&html, ancestors.as_deref());
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert("content-security-policy", value);
    }
    Ok((headers, html).into_response())
}

async fn read_page(dir: &Path) -> Option<String> {
    let path: PathBuf = dir.join("index.html");
    tokio::fs::read_to_string(path).await.ok()
}

/// The visible prefix of a public key or prefix (`qpk_live_` / `qpk_test_` and 8
/// alphanumerics); `None` for anything else.
pub fn key_prefix(value: &str) -> Option<&str> {
    let value = value.trim();
    let rest = value
        .strip_prefix("qpk_live_")
        .or_else(|| value.strip_prefix("qpk_test_"))?;
    let visible = rest.get(..8)?;
    visible
        .bytes()
        .all(|b| b.is_ascii_alphanumeric())
        .then(|| &value[..value.len() - rest.len() + 8])
}

/// The page's policy: `ancestors` are the origins allowed to frame it (`None`:
/// nobody).
pub fn content_security_policy(html: &str, ancestors: Option<&[String]>) -> String {
    let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
    for hash in inline_script_hashes(html) {
        scripts.push_str(&format!(" 'sha256-{hash}'"));
    }
    let frame = match ancestors {
        Some(list) if !list.is_empty() => list.join(" "),
        _ => "'none'".to_owned(),
    };
    format!(
        "default-src 'none'; script-src {scripts}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors {frame}"
    )
}

/// Base64 SHA-256 of each inline `<script>`'s text (the CSP hash source).
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") && !tag.contains(" src =") {
            out.push(STANDARD.encode(Sha256::digest(&body.as_bytes()[..close])));
        }
        rest = &body[close + "</script>".len()..];
    }
    out
}

/// When an answer was looked up, and the allowed origins (`None`: no active key).
type Answer = (Instant, Option<Vec<String>>);

/// Frame-ancestors answers per key prefix, reused for [`FRAME_ANCESTORS_TTL`].
#[derive(Debug, Default)]
pub struct FrameAncestors {
    answers: Mutex<HashMap<String, Answer>>,
}

impl FrameAncestors {
    /// The origins allowed to frame the widget for this key prefix; `None` when no
    /// active key has it.
    pub async fn lookup(
        &self,
        store: &Store,
        prefix: &str,
    ) -> Result<Option<Vec<String>>, ApiError> {
        {
            let answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, answer)) = answers.get(prefix) {
                if at.elapsed() < FRAME_ANCESTORS_TTL {
                    return Ok(answer.clone());
                }
            }
        }
        let answer = store
            .embed_key_by_prefix(prefix)
            .await?
            .filter(|k| k.status == EmbedKeyStatus::Active)
            .map(|k| k.settings.allowed_origins);
        let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        if answers.len() > 10_000 {
            answers.retain(|_, (at, _)| at.elapsed() < FRAME_ANCESTORS_TTL);
        }
        answers.insert(prefix.to_owned(), (Instant::now(), answer.clone()));
        Ok(answer)
    }
}

async fn cache_control(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() && !response.headers().contains_key(CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// `no-cache` for pages, a year for content-hashed assets, five minutes otherwise.
fn cache_policy(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or("");
    if name.is_empty() || name.ends_with(".html") {
        "no-cache"
    } else if is_content_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    }
}

/// Trunk names assets `stem-<16 hex>.ext` or `stem-<16 hex>_bg.wasm`.
fn is_content_hashed(name: &str) -> bool {
    name.match_indices('-').any(|(i, _)| {
        let rest = &name[i + 1..];
        let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        hex >= 16 && matches!(rest.as_bytes().get(hex), Some(b'.' | b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_policies() {
        assert_eq!(cache_policy("/embed/"), "no-cache");
        assert_eq!(cache_policy("/embed/index.html"), "no-cache");
        assert_eq!(
            cache_policy("/embed/quarry-widget-1c2d3e4f5a6b7c8d_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_policy("/embed/quarry-1c2d3e4f5a6b7c8d.css"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_policy("/embed/favicon.svg"), "public, max-age=300");
        assert_eq!(
            cache_policy("/embed/quarry-widget.js"),
            "public, max-age=300"
        );
    }

    #[test]
    fn page_paths_are_decoded_and_normalised() {
        for (raw, want) in [
            ("", Some("")),
            ("/", Some("")),
            ("/index.html", Some("index.html")),
            ("/%69ndex.html", Some("index.html")),
            ("/index%2Ehtml", Some("index.html")),
            ("//index.html", Some("index.html")),
            ("/./index.html", Some("index.html")),
            ("/%2E/index.html", Some("index.html")),
            ("/a/../index.html", Some("index.html")),
            ("/a/%2E%2E/index.html", Some("index.html")),
            ("/%2Findex.html", Some("index.html")),
            ("/index.html/", Some("index.html/index.html")),
            ("/sub/", Some("sub/index.html")),
            ("/quarry-1.css", Some("quarry-1.css")),
            ("/../index.html", None),
            ("/%2E%2E/etc/passwd", None),
            ("/%FF", None),
        ] {
            assert_eq!(normalised_path(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn key_prefixes_are_recognised_strictly() {
        assert_eq!(key_prefix("qpk_live_1a2B3c4D"), Some("qpk_live_1a2B3c4D"));
        assert_eq!(
            key_prefix("qpk_test_1a2B3c4Dzzzzzzzzzzzzzzzzzzzzzzzzzzzz"),
            Some("qpk_test_1a2B3c4D")
        );
        for bad in [
            "",
            "qpk_live_",
            "qpk_live_1a2b",
            "qk_live_1a2b3c4d",
            "qpk_live_1a2b3c4-",
            "qpk_prod_1a2b3c4d",
        ] {
            assert_eq!(key_prefix(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_policy_hashes_inline_scripts_and_lists_ancestors() {
        let html = "<html><head><script type=\"module\">init()</script>\
                    <script src=\"/embed/x.js\"></script></head></html>";
        let hash = STANDARD.encode(Sha256::digest(b"init()"));
        let origins = vec![
            "https://app.partner.example".to_owned(),
            "http://127.0.0.1:8081".to_owned(),
        ];
        let policy = content_security_policy(html, Some(&origins));
        assert!(
            policy.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
            )),
            "{policy}"
        );
        assert_eq!(policy.matches("sha256-").count(), 1, "{policy}");
        assert!(
            policy.ends_with("frame-ancestors https://app.partner.example http://127.0.0.1:8081"),
            "{policy}"
        );
        assert!(content_security_policy(html, None).ends_with("frame-ancestors 'none'"));
        assert!(content_security_policy(html, Some(&[])).ends_with("frame-ancestors 'none'"));
        assert!(!policy.contains('*'));
    }

    proptest::proptest! {
        /// Whatever the `key` parameter holds, the answer is a prefix of it that
        /// looks like a key prefix, or nothing.
        #[test]
        fn key_prefix_is_total_and_strict(
            value in " ?\\PC{0,2}(qpk_(live|test|prod)_)?[A-Za-z0-9_-]{0,12}\\PC{0,3}"
        ) {
            let trimmed = value.trim();
            let shaped = ["qpk_live_", "qpk_test_"].iter().any(|kind| {
                trimmed.strip_prefix(kind).is_some_and(|rest| {
                    rest.len() >= 8 && rest.as_bytes()[..8].iter().all(u8::is_ascii_alphanumeric)
                })
            });
            // A key's shape is always recognised, and nothing else is.
            proptest::prop_assert_eq!(key_prefix(&value).is_some(), shaped, "{:?}", value);
            if let Some(prefix) = key_prefix(&value) {
                proptest::prop_assert!(trimmed.starts_with(prefix));
                proptest::prop_assert_eq!(prefix.len(), "qpk_live_".len() + 8);
            }
        }

        /// However a path is spelled, it normalises without `.`/`..`/empty segments,
        /// and never to the page unless it names it.
        #[test]
        fn normalising_is_total(raw in "(/|%2[eEfF]|\\.|[a-z]|%69|index\\.html){0,12}") {
            if let Some(path) = normalised_path(&raw) {
                proptest::prop_assert!(
                    path.is_empty() || path.split('/').all(|s| !s.is_empty() && s != "." && s != ".."),
                    "{}", path
                );
            }
        }

        /// Any page text gives a policy that is a valid header value.
        #[test]
        fn the_policy_is_a_header_for_any_page(html in "(<script[^>]{0,8}>|</script>|[^<]{0,12}){0,12}") {
            let policy = content_security_policy(&html, None);
            proptest::prop_assert!(HeaderValue::from_str(&policy).is_ok(), "{}", policy);
            proptest::prop_assert!(inline_script_hashes(&html).len() <= html.matches("<script").count());
        }
    }
}
