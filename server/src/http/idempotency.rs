//! `Idempotency-Key` on every mutating partner and embed route (PRODUCT.md §8, as in
//! the IETF Idempotency-Key draft): the first answer is stored for 24 hours and
//! replayed with `x-idempotent-replay: true`; the same key with another method,
//! path or body is `422 idempotency_key_reused`; a duplicate while the first runs
//! is `409 idempotency_in_progress`. Keys belong to the caller: the partner (per
//! mode) or the embed token's customer. Server errors are not stored, so a retry
//! after one runs again.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quarry_shared::ErrorCode;
use sha2::{Digest, Sha256};

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::AppState;
use crate::store::{now_unix, IdempotencyStart, StoredAnswer};

/// How long an answer is replayed.
const KEEP_SECS: i64 = 86_400;
/// Largest answer stored for replay (a CSV export of the largest selection fits).
const MAX_STORED_BYTES: usize = 64 * 1024 * 1024;

fn is_mutating(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    )
}

/// Headers not replayed: they describe this answer, not the first one.
fn replayable(name: &str) -> bool {
    !(name == "x-request-id"
        || name.starts_with("x-ratelimit")
        || name.starts_with("ratelimit")
        || name == "retry-after"
        || name == "content-length"
        || name == "date"
        || name == "vary"
        || name.starts_with("access-control"))
}

fn caller(state: &AppState, request: &Request) -> Option<String> {
    if let Some(auth) = request.extensions().get::<PartnerAuth>() {
        return Some(format!(
            "partner:{}:{}",
            auth.key.partner_id,
            auth.key.mode.as_str()
        ));
    }
    let token = request
        .headers()
        .get("authorization")?
        .to_str()
        .ok()?
        .trim()
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))?
        .1
        .trim();
    let claims = state.tokens.verify(token, now_unix()).ok()?;
    Some(format!("embed:{}", claims.sub))
}

/// The middleware (inside the partner gate, around the embed routes).
pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_mutating(request.method()) {
        return next.run(request).await;
    }
    let Some(key) = request
        .headers()
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_owned))
    else {
        return next.run(request).await;
    };
    let key =
        match key {
            Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => k,
            _ => return ApiError::field(
                ErrorCode::InvalidParameter,
                "Idempotency-Key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is typical).",
            )
            .into_response(),
        };
    // An unauthenticated caller is refused by the route itself.
    let Some(scope) = caller(&state, &request) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let limit = usize::try_from(state.config.max_body_bytes).unwrap_or(usize::MAX);
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
                .into_response()
        }
    };
    let mut hash = Sha256::new();
    for part in [
        parts.method.as_str().as_bytes(),
        parts.uri.path().as_bytes(),
        parts.uri.query().unwrap_or("").as_bytes(),
        &bytes,
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let fingerprint = hex::encode(hash.finalize());
    let now = now_unix();
    let timeout = i64::try_from(state.config.request_timeout_secs).unwrap_or(600);
    let started = state
        .store
        .start_idempotent(
            &scope,
            &key,
            &fingerprint,
            now,
            now + timeout + 5,
            now + KEEP_SECS,
        )
        .await;
    match started {
        Err(e) => ApiError::from(e).into_response(),
        Ok(IdempotencyStart::Mismatch) => ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "This Idempotency-Key was used for a different request; use a new key for a new request.",
        )
        .into_response(),
        Ok(IdempotencyStart::InProgress) => ApiError::new(
            ErrorCode::IdempotencyInProgress,
            "A request with this Idempotency-Key is still running; retry shortly.",
        )
        .into_response(),
        Ok(IdempotencyStart::Replay(answer)) => replay(answer),
        Ok(IdempotencyStart::New) => {
            let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            if response.status().is_server_error() {
                if let Err(e) = state.store.abandon_idempotent(&scope, &key).await {
                    tracing::warn!(error = %e, "could not release an idempotency key");
                }
                return response;
            }
            let (parts, body) = response.into_parts();
            let body = match to_bytes(body, MAX_STORED_BYTES).await {
                Ok(b) => b,
                Err(e) => {
                    let _ = state.store.abandon_idempotent(&scope, &key).await;
                    return ApiError::Internal(anyhow::anyhow!("reading an answer to store it: {e}"))
                        .into_response();
                }
            };
            let headers: Vec<(String, String)> = parts
                .headers
                .iter()
                .filter(|(name, _)| replayable(name.as_str()))
                .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
                .collect();
            let stored = StoredAnswer {
                status: parts.status.as_u16(),
                headers: serde_json::to_string(&headers).unwrap_or_else(|_| "[]".into()),
                body: body.to_vec(),
            };
            if let Err(e) = state.store.finish_idempotent(&scope, &key, &stored).await {
                tracing::warn!(error = %e, "could not store an idempotent answer");
            }
            Response::from_parts(parts, Body::from(body))
        }
    }
}

fn replay(answer: StoredAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers: Vec<(String, String)> = serde_json::from_str(&answer.headers).unwrap_or_default();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
        .headers_mut()
        .insert("x-idempotent-replay", HeaderValue::from_static("true"));
    response
}
