//! `POST /v1/prospecting/embed-sessions`: the loader on the partner's page trades
//! the public key and either a server-minted session secret or the partner's
//! customer id (signed when the key says so) for a short-lived embed token; and
//! `POST /v1/prospecting/embed-sessions/server`, where the partner's backend mints
//! that single-use secret with its secret key (PRODUCT.md §2.7).
//!
//! The order of checks is part of the contract: the per-IP rate limit first (so a
//! flood costs no database work), then the public key, the browser `Origin`
//! against the key's allowlist (exact scheme, host and port), who the customer is
//! (the session secret, or the claimed id as the key's `customer_verification`
//! allows), and only then the customer upsert.
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

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::{parse_json, require_json, Json};
use super::idempotency::NotKept;
use super::{field_error, iso8601, AppState};
use crate::embed::assertion;
use crate::embed::origin::{is_allowed, request_origin};
use crate::embed::token::{EmbedClaims, AUDIENCE, ISSUER};
use crate::partners::customers::{validate_external_id, CustomerSettings, CustomerStatus};
use crate::partners::embed_keys::CustomerVerification;
use crate::partners::ids::new_id;
use crate::partners::keys::{
    issue_session_secret, recognise_public_key, recognise_session_secret, Scope,
};
use crate::partners::settings::validate_text;
use crate::partners::Tenant;
use crate::store::{now_unix, EmbedKey, EmbedKeyStatus, NewServerSession};

/// The bootstrap request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEmbedSession {
    /// The public loader key (`qpk_…`).
    pub partner_key: String,
    /// A session secret (`qss_…`) the partner's backend minted with
    /// `POST /v1/prospecting/embed-sessions/server`; it names the customer.
    pub session_secret: Option<String>,
    /// The partner's own customer id (without a session secret); the first session
    /// creates the customer.
    pub customer_id: Option<String>,
    /// Display name for a first-time customer.
    pub customer_name: Option<String>,
    /// The partner's user id, for usage attribution.
    pub user_id: Option<String>,
    /// Lowercase hex HMAC-SHA256, with the key's signing secret, of
    /// `v2:<len(customer_id)>:<customer_id>:<len(user_id)>:<user_id>:<timestamp>`
    /// (lengths in bytes); required when the key's `customer_verification` is
    /// `signature`.
    pub customer_signature: Option<String>,
    /// Unix seconds used in the signature; within 10 minutes of the server's clock.
    pub timestamp: Option<i64>,
}

/// `POST /v1/prospecting/embed-sessions/server`: what the minted secret names.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MintEmbedSession {
    /// The public loader key (`qpk_…`) of one of your embed keys.
    pub partner_key: String,
    /// Your own id for the customer (1–128 characters).
    pub customer_id: String,
    /// Display name for a first-time customer.
    pub customer_name: Option<String>,
    /// Your user id, for usage attribution.
    pub user_id: Option<String>,
}

/// A minted session secret: put it in the page as `data-session-secret` (or
/// return it from `fetchSessionSecret`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MintedEmbedSession {
    /// `qss_…`: single use, valid for `expires_in` seconds.
    pub session_secret: String,
    pub expires_at: String,
    pub expires_in: i64,
    pub customer_id: String,
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
        (status = 400, description = "Invalid body (the field is named), including a customer_id or user_id other than the session secret's", body = ErrorBody),
        (status = 401, description = "Unknown or revoked partner key (invalid_partner_key, embed_key_revoked), an invalid customer signature (invalid_customer_signature), a session secret that is unknown, used or expired (invalid_session_secret), or no session secret where the key requires one (customer_verification_required)", body = ErrorBody),
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
    let key = find_key(state, &request.partner_key, None, || {
        ApiError::field(
            ErrorCode::InvalidPartnerKey,
            "body.partner_key",
            "Unknown partner key; copy data-partner-key from the embed key's create answer.",
        )
    })
    .await?;

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

    let who = identify(state, &key, &request, now).await?;
    let name = validate_text("customer_name", who.name, 200).ok().flatten();
    let defaults = CustomerSettings::from_defaults(&key.settings.defaults, name);
    let (customer, _created) = state
        .store
        .upsert_customer(
            &key.tenant,
            &who.external,
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
    let user_id = who.user_id;

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

/// Who a session is for, once proven as the key requires.
struct Identified {
    external: String,
    user_id: Option<String>,
    name: Option<String>,
}

/// `body.user_id`, when one is sent.
fn user_id_of(value: Option<&str>) -> Result<Option<String>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(u) => validate_external_id("user_id", u)
            .map(Some)
            .map_err(field_error),
    }
}

/// The customer a bootstrap is for: named by a session secret (always enough), or
/// claimed by the page, with the signature the key's `customer_verification` asks
/// for (and checked whenever one is sent).
async fn identify(
    state: &AppState,
    key: &EmbedKey,
    request: &CreateEmbedSession,
    now: i64,
) -> Result<Identified, ApiError> {
    if let Some(secret) = request.session_secret.as_deref() {
        let invalid = || {
            ApiError::field(
                ErrorCode::InvalidSessionSecret,
                "body.session_secret",
                "This session secret is unknown, was used already or expired (they last 5 minutes); have your backend mint a new one.",
            )
        };
        let presented = recognise_session_secret(secret.trim()).ok_or_else(invalid)?;
        let session = state
            .store
            .take_server_session(&key.tenant, &key.embed_key_id, &presented, now)
            .await?
            .ok_or_else(invalid)?;
        let mismatch = |field: &str, what: &str| {
            ApiError::field(
                ErrorCode::InvalidBody,
                format!("body.{field}"),
                format!(
                    "{what} differs from the one the session secret was minted for; leave it out."
                ),
            )
        };
        if let Some(claimed) = request.customer_id.as_deref() {
            if claimed.trim() != session.external_customer_id {
                return Err(mismatch("customer_id", "customer_id"));
            }
        }
        if let Some(claimed) = user_id_of(request.user_id.as_deref())? {
            if session.user_id.as_deref() != Some(claimed.as_str()) {
                return Err(mismatch("user_id", "user_id"));
            }
        }
        return Ok(Identified {
            external: session.external_customer_id,
            user_id: session.user_id,
            name: session.customer_name,
        });
    }
    let verification = key.settings.customer_verification;
    if verification == CustomerVerification::ServerSession {
        return Err(ApiError::field(
            ErrorCode::CustomerVerificationRequired,
            "body.session_secret",
            "This partner key needs a session secret minted by the partner's backend (POST /v1/prospecting/embed-sessions/server); a page cannot name its customer.",
        ));
    }
    let claimed = request.customer_id.as_deref().ok_or_else(|| {
        ApiError::field(
            ErrorCode::InvalidBody,
            "body.customer_id",
            "Send customer_id (or a session_secret from your backend).",
        )
    })?;
    let external = validate_external_id("customer_id", claimed).map_err(field_error)?;
    let user_id = user_id_of(request.user_id.as_deref())?;
    let signed = request.customer_signature.is_some() || request.timestamp.is_some();
    if !verification.accepts_claim() || signed {
        check_signature(key, &external, user_id.as_deref(), request, now)?;
    }
    Ok(Identified {
        external,
        user_id,
        name: request.customer_name.clone(),
    })
}

/// The active embed key whose public key is `partner_key`; `unknown` when there is
/// none (or it is not `tenant`'s, when one is given).
async fn find_key(
    state: &AppState,
    partner_key: &str,
    tenant: Option<&Tenant>,
    unknown: impl Fn() -> ApiError,
) -> Result<EmbedKey, ApiError> {
    let presented = recognise_public_key(partner_key.trim()).ok_or_else(&unknown)?;
    let key = state
        .store
        .find_embed_key(&presented)
        .await?
        .filter(|k| tenant.is_none_or(|t| k.tenant == *t))
        .ok_or_else(&unknown)?;
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
            _ => refused("The customer signature does not match customer_id, user_id and timestamp (sign the v2 message, see the README)."),
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

/// Mints a single-use session secret for one of the caller's customers: the
/// partner's backend calls this at page load and puts the secret in the page; the
/// loader trades it for an embed token within 5 minutes.
#[utoipa::path(post, path = "/v1/prospecting/embed-sessions/server", tag = "prospecting",
    security(("api_key" = [])), request_body = MintEmbedSession,
    responses(
        (status = 201, description = "A session secret, valid once for 5 minutes", body = MintedEmbedSession),
        (status = 400, description = "Invalid body, or a partner_key that is not one of yours (the field is named)", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key, or a revoked embed key", body = ErrorBody),
        (status = 403, description = "The key lacks the customers scope, or the customer is suspended", body = ErrorBody)))]
pub async fn mint_embed_session(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Json(body): Json<MintEmbedSession>,
) -> Result<Response, ApiError> {
    let tenant = auth.require(Scope::Customers)?;
    let now = now_unix();
    let key = find_key(&state, &body.partner_key, Some(&tenant), || {
        ApiError::field(
            ErrorCode::InvalidBody,
            "body.partner_key",
            "partner_key is not the public key of one of your embed keys in this mode.",
        )
    })
    .await?;
    let external = validate_external_id("customer_id", &body.customer_id).map_err(field_error)?;
    let user_id = user_id_of(body.user_id.as_deref())?;
    let name = validate_text("customer_name", body.customer_name, 200).map_err(field_error)?;
    if let Some(existing) = state
        .store
        .customer_by_external_id(&tenant, &external)
        .await?
    {
        if existing.settings.status == CustomerStatus::Suspended {
            return Err(ApiError::new(
                ErrorCode::CustomerSuspended,
                "This customer is suspended; no session can start for it.",
            ));
        }
    }
    let secret = issue_session_secret(tenant.mode);
    let expires_at = state
        .store
        .insert_server_session(
            &NewServerSession {
                secret_hash: &secret.hash,
                tenant: &tenant,
                embed_key_id: &key.embed_key_id,
                external_customer_id: &external,
                customer_name: name.as_deref(),
                user_id: user_id.as_deref(),
            },
            now,
        )
        .await?;
    let mut response = (
        StatusCode::CREATED,
        axum::Json(MintedEmbedSession {
            session_secret: secret.secret,
            expires_at: iso8601(expires_at),
            expires_in: expires_at - now,
            customer_id: external,
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The secret is not kept for an Idempotency-Key replay: a retry mints anew.
    response.extensions_mut().insert(NotKept);
    Ok(response)
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/prospecting/embed-sessions",
        post(create_embed_session).options(preflight_embed_session),
    )
}

/// The partner-key routes of this module (behind the partner gate).
pub fn partner_router() -> Router<AppState> {
    Router::new().route(
        "/v1/prospecting/embed-sessions/server",
        post(mint_embed_session),
    )
}
