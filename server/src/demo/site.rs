//! The demo partner's web server: the CRM page with the loader tag, its own
//! backend endpoint that mints a session secret for the signed-in user, and the
//! push receiver. It holds the partner's credentials the way a partner's backend
//! does (the page only ever sees the public key and a single-use session secret),
//! and it talks to Quarry only over Quarry's public API (minting secrets with its
//! secret key), through the browser and by the pushes Quarry sends: nothing here
//! reads the store.

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
    http: reqwest::Client,
}

impl DemoSite {
    /// `quarry_url` is where the page loads `embed.js` from and the backend calls
    /// Quarry's API, e.g. `http://127.0.0.1:8080`.
    pub fn new(quarry_url: String, demo: DemoPartner) -> Result<Arc<DemoSite>, reqwest::Error> {
        let receiver = Receiver::new(demo.webhook_secret.clone());
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Arc::new(DemoSite {
            quarry_url: quarry_url.trim_end_matches('/').to_owned(),
            demo,
            receiver,
            http,
        }))
    }

    /// The contacts and deliveries received so far.
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// The credentials the site runs with.
    pub fn demo(&self) -> &DemoPartner {
        &self.demo
    }

    /// A session secret for the demo customer and its signed-in user, minted
    /// with the partner's secret key (what a partner's backend does per page); or
    /// Quarry's refusal (status and envelope), or why Quarry could not be asked.
    pub async fn mint_session_secret(&self) -> Result<Value, MintError> {
        let response = self
            .http
            .post(format!(
                "{}/v1/prospecting/embed-sessions/server",
                self.quarry_url
            ))
            .bearer_auth(&self.demo.secret_key)
            .json(&json!({
                "partner_key": self.demo.public_key,
                "customer_id": self.demo.external_customer_id,
                "customer_name": CUSTOMER_NAME,
                "user_id": USER_ID,
            }))
            .send()
            .await
            .map_err(|e| MintError::Unreachable(e.to_string()))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| MintError::Unreachable(format!("the answer did not read: {e}")))?;
        if status.is_success() && body["session_secret"].is_string() {
            return Ok(body);
        }
        if body["error"]["code"].is_string() {
            return Err(MintError::Refused(status, body));
        }
        Err(MintError::Unreachable(format!("Quarry answered {status}")))
    }
}

/// Why no session secret was minted.
#[derive(Debug)]
pub enum MintError {
    /// Quarry refused, with its error envelope (a suspended customer, a revoked key).
    Refused(StatusCode, Value),
    /// Quarry could not be asked, or answered something else.
    Unreachable(String),
}

impl std::fmt::Display for MintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MintError::Refused(status, body) => write!(f, "Quarry refused ({status}): {body}"),
            MintError::Unreachable(why) => write!(f, "Quarry could not be asked: {why}"),
        }
    }
}

/// Every route of the demo site.
pub fn router(site: Arc<DemoSite>) -> Router {
    Router::new()
        .route("/", get(get_page))
        .route("/demo.js", get(get_script))
        .route("/demo.css", get(get_style))
        .route("/quarry/session-secret", post(post_session_secret))
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
    // Minted fresh on every load (a secret is used once); the loader asks
    // /quarry/session-secret for another whenever it renews the token.
    let secret = match site.mint_session_secret().await {
        Ok(minted) => minted["session_secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        Err(e) => {
            // The loader then explains that the account could not be verified.
            tracing::error!(error = %e, "could not mint a session secret for the page");
            String::new()
        }
    };
    let html = page::render(&PageValues {
        quarry_url: &site.quarry_url,
        public_key: &site.demo.public_key,
        customer_name: CUSTOMER_NAME,
        session_secret: &secret,
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

/// The partner backend's session endpoint, which the loader calls to renew. A
/// real partner mints for the user of its own session (and refuses when there is
/// none); the demo has one user.
async fn post_session_secret(State(site): State<Arc<DemoSite>>) -> Response {
    match site.mint_session_secret().await {
        Ok(minted) => no_store(
            Json(json!({
                "session_secret": minted["session_secret"],
                "expires_at": minted["expires_at"],
            }))
            .into_response(),
        ),
        // Quarry's refusal goes on to the loader, which explains it.
        Err(MintError::Refused(status, body)) => no_store((status, Json(body)).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "could not mint a session secret");
            no_store(error(
                StatusCode::BAD_GATEWAY,
                "Quarry did not mint a session secret",
            ))
        }
    }
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
