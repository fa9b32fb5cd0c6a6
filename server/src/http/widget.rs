//! Serves the widget that Trunk built (`dist/`) at `/embed/`: HTML is never cached
//! (so a deploy takes effect at once); Trunk's content-hashed assets are cached for a
//! year as immutable.

use std::path::Path;

use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

use super::error;
use super::AppState;

/// `/embed/…` from `dir`; unknown files get the 404 envelope.
pub fn router(dir: &Path) -> Router<AppState> {
    if !dir.join("index.html").is_file() {
        tracing::warn!(dir = %dir.display(), "the widget is not built; /embed/ will answer 404 (run `make run`)");
    }
    let files = ServeDir::new(dir).not_found_service(error::not_found.into_service());
    Router::new()
        .nest_service("/embed", files)
        .layer(middleware::from_fn(cache_control))
}

async fn cache_control(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
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
}
