//! The demo partner's web server: the CRM page with the loader tag, its own
//! backend endpoint that signs the customer assertion, and the push receiver.
//! It holds the partner's credentials the way a partner's backend does (the page
//! only ever sees the public key and a signature), and it talks to Quarry only
//! through the browser and the pushes Quarry sends: nothing here reads the store.

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::page::{self, PageValues, Theme};
use super::receiver::{self, Accepted, BodyError, Receiver, VerifyError};
use super::setup::{DemoPartner, CUSTOMER_NAME};
use crate::embed::assertion;
use crate::store::now_unix;

/// The user signed in to the demo CRM, in the partner's own ids.
pub const USER_ID: &str = "demo-user";

const SCRIPT: &str = include_str!("page.js");
const STYLE: &str = include_str!("page.css");

/// The running demo partner: where Quarry is, the credentials, the CRM's memory.
pub struct DemoSite {
    quarry_url: String,
    demo: DemoPartner,
    receiver: Receiver,
}

impl DemoSite {
    /// `quarry_url` is where the page loads `embed.js` from, e.g.
    /// `http://127.0.0.1:8080`.
    pub fn new(quarry_url: String, demo: DemoPartner) -> Arc<DemoSite> {
        let receiver = Receiver::new(demo.webhook_secret.clone());
        Arc::new(DemoSite {
            quarry_url: quarry_url.trim_end_matches('/').to_owned(),
            demo,
            receiver,
        })
    }

    /// The contacts and deliveries received so far.
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// The credentials the site runs with.
    pub fn demo(&self) -> &DemoPartner {
        &self.demo
    }

    /// The customer assertion for the demo customer and user at `timestamp`.
    fn signature(&self, timestamp: i64) -> String {
        assertion::sign(
            &self.demo.customer_signing_secret,
            &self.demo.external_customer_id,
            Some(USER_ID),
            timestamp,
        )
    }
}

/// Every route of the demo site.
pub fn router(site: Arc<DemoSite>) -> Router {
    Router::new()
        .route("/", get(get_page))
        .route("/demo.js", get(get_script))
        .route("/demo.css", get(get_style))
        .route("/quarry/signature", get(get_signature))
        .route("/webhooks/quarry", post(post_webhook))
        .route("/api/contacts", get(get_contacts))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not found") })
        .with_state(site)
}

/// Serves the demo site on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    site: Arc<DemoSite>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(site))
        .with_graceful_shutdown(shutdown)
        .await
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    (status, Json(json!({ "error": message.to_string() }))).into_response()
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn get_page(State(site): State<Arc<DemoSite>>, RawQuery(query): RawQuery) -> Response {
    // Signed fresh on every load; the loader asks /quarry/signature again when
    // this one gets old (a tab left open).
    let timestamp = now_unix();
    let signature = site.signature(timestamp);
    let html = page::render(&PageValues {
        quarry_url: &site.quarry_url,
        public_key: &site.demo.public_key,
        customer_id: &site.demo.external_customer_id,
        customer_name: CUSTOMER_NAME,
        user_id: USER_ID,
        signature: &signature,
        timestamp,
        theme: Theme::from_query(query.as_deref()),
    });
    let mut response = no_store(Html(html).into_response());
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    response
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
        .into_response()
}

async fn get_script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

async fn get_style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// The partner backend's signing endpoint. A real partner signs for the user of
/// its own session (and refuses when there is none); the demo has one user.
async fn get_signature(State(site): State<Arc<DemoSite>>) -> Response {
    let timestamp = now_unix();
    no_store(
        Json(json!({
            "customer_id": site.demo.external_customer_id,
            "user_id": USER_ID,
            "timestamp": timestamp,
            "signature": site.signature(timestamp),
        }))
        .into_response(),
    )
}

/// Quarry's pushes: verified on the raw bytes, then applied once per `webhook-id`.
async fn post_webhook(
    State(site): State<Arc<DemoSite>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, receiver::MAX_BODY_BYTES).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            VerifyError::TooLarge.to_string(),
        );
    };
    let now = now_unix();
    let id = match receiver::verify(site.receiver.secret(), &headers, &bytes, now) {
        Ok(id) => id,
        Err(VerifyError::BadSecret) => {
            tracing::error!("the demo receiver's webhook secret is malformed");
            return error(StatusCode::INTERNAL_SERVER_ERROR, VerifyError::BadSecret);
        }
        Err(VerifyError::TooLarge) => {
            return error(StatusCode::PAYLOAD_TOO_LARGE, VerifyError::TooLarge)
        }
        Err(e) => {
            tracing::warn!(error = %e, "refused an unverified webhook");
            return error(StatusCode::UNAUTHORIZED, e);
        }
    };
    match site.receiver.accept(id, &bytes, now) {
        Ok(Accepted::Applied(n)) => {
            tracing::info!(webhook_id = id, records = n, "received a verified push");
            Json(json!({ "received": n })).into_response()
        }
        Ok(Accepted::Duplicate) => {
            tracing::info!(webhook_id = id, "dropped a repeated push");
            Json(json!({ "received": 0, "duplicate": true })).into_response()
        }
        Err(e @ (BodyError::NotJson | BodyError::NoRecords)) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn get_contacts(State(site): State<Arc<DemoSite>>) -> Response {
    let contacts: Vec<Value> = site
        .receiver
        .contact_list()
        .into_iter()
        .map(|c| serde_json::to_value(c).unwrap_or(Value::Null))
        .collect();
    no_store(
        Json(json!({
            "contacts": contacts,
            "deliveries": site.receiver.deliveries(),
        }))
        .into_response(),
    )
}
