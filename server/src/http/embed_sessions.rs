//! `POST /v1/prospecting/embed-sessions`: the loader on the partner's page trades
//! the public key and the partner's customer id for a short-lived embed token.
//!
//! The order of checks is part of the contract: the per-IP rate limit first (so a
//! flood costs no database work), then the public key, the browser `Origin`
//! against the key's allowlist (exact scheme, host and port), the signed customer
//! assertion when the key requires one, and only then the customer upsert.
//!
//! CORS: a token only ever goes to an origin the key allows. Refusals carry no
//! token, so they are readable from any origin: the loader on a page that is not
//! allowed can then tell the person why ("origin not allowed", "key revoked",
//! "customer suspended") instead of seeing a bare network error. For the same
//! reason the preflight (which carries no key) is answered for any well-formed
//! origin; the origin check itself happens on the POST. CORS is a browser rule
//! only — a script outside a browser can send any `Origin` — which is why keys can
//! require signed customer assertions.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{parse_json, require_json};
use super::{iso8601, AppState};
use crate::embed::assertion;
use crate::embed::origin::{is_allowed, request_origin};
use crate::embed::token::{EmbedClaims, AUDIENCE, ISSUER};
use crate::partners::customers::{validate_external_id, CustomerSettings, CustomerStatus};
use crate::partners::ids::new_id;
use crate::partners::keys::recognise_public_key;
use crate::store::{now_unix, EmbedKey, EmbedKeyStatus};

/// The bootstrap request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEmbedSession {
    /// The public loader key (`qpk_…`).
    pub partner_key: String,
    /// The partner's own customer id; the first session creates the customer.
    pub customer_id: String,
    /// Display name for a first-time customer.
    pub customer_name: Option<String>,
    /// The partner's user id, for usage attribution.
    pub user_id: Option<String>,
    /// Hex HMAC-SHA256 of `customer_id.user_id.timestamp` with the key's signing
    /// secret; required when the key requires signed customers.
    pub customer_signature: Option<String>,
    /// Unix seconds used in the signature; within 10 minutes of the server's clock.
    pub timestamp: Option<i64>,
}

/// The bootstrap answer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EmbedSession {
    /// The embed token (JWT); send it as `Authorization: Bearer …` from the iframe.
    pub token: String,
    pub token_type: String,
    pub partner_customer_id: String,
    pub external_customer_id: String,
    pub expires_at: String,
    /// Seconds until `expires_at`.
    pub expires_in: i64,
}

const EXPOSED: &str = "x-request-id, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, \
    x-ratelimit-used, retry-after, ratelimit, ratelimit-policy";

fn cors(headers: &mut HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
    }
    headers.insert(header::VARY, HeaderValue::from_static("origin"));
}

fn origin_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
}

/// Starts an embed session.
#[utoipa::path(post, path = "/v1/prospecting/embed-sessions", tag = "prospecting",
    request_body = CreateEmbedSession,
    responses(
        (status = 201, description = "A short-lived embed token", body = EmbedSession),
        (status = 400, description = "Invalid body (the field is named)", body = ErrorBody),
        (status = 401, description = "Unknown or revoked partner key, or an invalid customer signature", body = ErrorBody),
        (status = 403, description = "Origin not allowed, or the customer is suspended", body = ErrorBody),
        (status = 429, description = "Too many sessions from this IP; see retry-after", body = ErrorBody)))]
pub async fn create_embed_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = now_unix();
    let quota = state.limiter.hit(
        &format!("ip:{}", client_ip(&state, &headers, peer)),
        "embed-session-ip",
        state.config.rate_limit_embed_sessions_per_ip,
        u64::try_from(now).unwrap_or(0),
    );
    if !quota.allowed {
        return quota.rejection();
    }
    let mut allowed_origin = None;
    let mut response = match bootstrap(&state, &headers, &body, now, &mut allowed_origin).await {
        Ok(session) => (StatusCode::CREATED, axum::Json(session)).into_response(),
        Err(error) => error.into_response(),
    };
    quota.write_headers(response.headers_mut());
    let readable = match allowed_origin {
        Some(origin) => Some(origin),
        // A refusal (never a token) is readable by the page that asked.
        None if !response.status().is_success() => origin_header(&headers).and_then(request_origin),
        None => None,
    };
    match readable {
        Some(origin) => cors(response.headers_mut(), &origin),
        None => {
            response
                .headers_mut()
                .insert(header::VARY, HeaderValue::from_static("origin"));
        }
    }
    response
}

/// The client's address: from the configured proxy header when there is one (its
/// last entry, which the operator's own proxy wrote), else the TCP peer.
fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> std::net::IpAddr {
    state
        .config
        .client_ip_header
        .as_deref()
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|ip| ip.trim().parse().ok())
        .unwrap_or_else(|| peer.ip())
}

async fn bootstrap(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
    allowed_origin: &mut Option<String>,
) -> Result<EmbedSession, ApiError> {
    require_json(headers)?;
    let request: CreateEmbedSession = parse_json(body)?;
    let key = find_key(state, &request.partner_key).await?;

    let origin = origin_header(headers)
        .filter(|o| is_allowed(&key.settings.allowed_origins, o))
        .and_then(request_origin)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::OriginNotAllowed,
                "This page's origin is not allowed for this partner key; add it to the embed key's allowed_origins.",
            )
        })?;
    *allowed_origin = Some(origin.clone());

    let external = validate_external_id("customer_id", &request.customer_id)
        .map_err(|e| ApiError::field(ErrorCode::InvalidBody, "body.customer_id", e.message))?;
    let user_id = match request.user_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(u) => Some(
            validate_external_id("user_id", u)
                .map_err(|e| ApiError::field(ErrorCode::InvalidBody, "body.user_id", e.message))?,
        ),
    };
    if key.settings.require_customer_signature {
        check_signature(&key, &external, user_id.as_deref(), &request, now)?;
    }

    let defaults = CustomerSettings::from_key_defaults(&key.settings, request.customer_name);
    let (customer, _created) = state
        .store
        .upsert_customer(
            &key.tenant,
            &external,
            &defaults,
            Some(&key.embed_key_id),
            now,
        )
        .await?;
    if customer.settings.status == CustomerStatus::Suspended {
        return Err(ApiError::new(
            ErrorCode::CustomerSuspended,
            "This customer account is suspended; contact the provider of this app.",
        ));
    }

    let cap = state
        .config
        .embed_token_max_ttl_secs
        .and_then(|c| i64::try_from(c).ok());
    let ttl = cap.map_or(key.settings.token_ttl_seconds, |cap| {
        key.settings.token_ttl_seconds.min(cap)
    });
    let claims = EmbedClaims {
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        sub: customer.partner_customer_id.clone(),
        pid: key.tenant.partner_id.clone(),
        ekid: key.embed_key_id.clone(),
        uid: user_id,
        origin,
        mode: key.tenant.mode.as_str().to_owned(),
        iat: now,
        exp: now + ttl,
        jti: new_id("jti"),
    };
    let token = state
        .tokens
        .issue(&claims)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing an embed token: {e}")))?;
    Ok(EmbedSession {
        token,
        token_type: "Bearer".to_owned(),
        partner_customer_id: customer.partner_customer_id,
        external_customer_id: customer.external_customer_id,
        expires_at: iso8601(claims.exp),
        expires_in: ttl,
    })
}

async fn find_key(state: &AppState, partner_key: &str) -> Result<EmbedKey, ApiError> {
    let unknown = || {
        ApiError::field(
            ErrorCode::InvalidPartnerKey,
            "body.partner_key",
            "Unknown partner key; copy data-partner-key from the embed key's create answer.",
        )
    };
    let presented = recognise_public_key(partner_key.trim()).ok_or_else(unknown)?;
    let key = state
        .store
        .find_embed_key(&presented)
        .await?
        .ok_or_else(unknown)?;
    if key.status != EmbedKeyStatus::Active {
        return Err(ApiError::new(
            ErrorCode::EmbedKeyRevoked,
            "This partner key was revoked.",
        ));
    }
    Ok(key)
}

fn check_signature(
    key: &EmbedKey,
    customer_id: &str,
    user_id: Option<&str>,
    request: &CreateEmbedSession,
    now: i64,
) -> Result<(), ApiError> {
    let refused = |message: &str| {
        ApiError::field(
            ErrorCode::InvalidCustomerSignature,
            "body.customer_signature",
            message,
        )
    };
    let (Some(signature), Some(timestamp)) =
        (request.customer_signature.as_deref(), request.timestamp)
    else {
        return Err(refused(
            "This partner key requires a signed customer: send customer_signature and timestamp from your backend.",
        ));
    };
    assertion::verify(&key.signing_secret, customer_id, user_id, timestamp, signature, now).map_err(
        |e| match e {
            assertion::AssertionError::Stale => refused(
                "The customer signature's timestamp is more than 10 minutes from the server's clock; sign a fresh one.",
            ),
            _ => refused("The customer signature does not match customer_id, user_id and timestamp."),
        },
    )
}

/// CORS preflight: answered for any well-formed origin (the POST checks it).
pub async fn preflight_embed_session(headers: HeaderMap) -> Response {
    let Some(origin) = origin_header(&headers).and_then(request_origin) else {
        let mut response = ApiError::new(
            ErrorCode::OriginNotAllowed,
            "A preflight needs the Origin of a web page.",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("origin"));
        return response;
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    cors(h, &origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type, x-request-id, idempotency-key"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/prospecting/embed-sessions",
        post(create_embed_session).options(preflight_embed_session),
    )
}
