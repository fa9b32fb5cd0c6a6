//! Who is calling. Two kinds of caller, each an extractor a handler names in its
//! signature:
//! - [`PartnerAuth`]: a partner's secret key (`Authorization: Bearer qk_…` or
//!   `x-api-key`), checked by [`partner_gate`] in front of every partner route, which
//!   also applies the per-key rate limit and writes its headers on every answer.
//! - [`EmbedAuth`]: an embed token from an embed session (`Authorization: Bearer
//!   <jwt>`), checked once by [`embed_gate`] in front of every embed route:
//!   verified, counted against its customer's rate limit, then re-checked (embed
//!   key still active, customer not suspended), so a revocation bites within a
//!   second rather than at token expiry.
//!
//! Both read the store only for a caller not seen since the last change to keys
//! or customers (`access`).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quarry_shared::ErrorCode;

use super::access::{AccessCache, EmbedAccess};
use super::error::ApiError;
use super::AppState;
use crate::embed::token::EmbedClaims;
use crate::partners::keys::{recognise_secret_key, Scope};
use crate::partners::{Mode, Tenant};
use crate::store::{now_unix, ApiKey, Store};

/// The credential a request carries, if any.
pub fn presented_key(parts: &Parts) -> Option<&str> {
    bearer_or_api_key(&parts.headers)
}

/// The token of an `Authorization: Bearer …` header; `None` without one, and
/// `Some(None)` for another scheme.
fn bearer(headers: &axum::http::HeaderMap) -> Option<Option<&str>> {
    let value = headers.get("authorization")?.to_str().ok();
    Some(value.and_then(|v| {
        let (scheme, token) = v.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }))
}

fn bearer_or_api_key(headers: &axum::http::HeaderMap) -> Option<&str> {
    if let Some(token) = bearer(headers) {
        return token;
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// A request authenticated with a partner's secret key.
#[derive(Debug, Clone)]
pub struct PartnerAuth {
    pub key: ApiKey,
}

impl PartnerAuth {
    /// The tenant this key acts for: its partner, in its mode.
    pub fn tenant(&self) -> Tenant {
        self.key.tenant()
    }

    /// The tenant, if the key carries `scope`; `403 insufficient_scope` otherwise.
    pub fn require(&self, scope: Scope) -> Result<Tenant, ApiError> {
        if self.key.scopes.contains(&scope) {
            Ok(self.tenant())
        } else {
            Err(ApiError::new(
                ErrorCode::InsufficientScope,
                format!(
                    "This API key lacks the `{}` scope this route needs.",
                    scope.as_str()
                ),
            ))
        }
    }

    /// Who owns dedupe tokens: the partner, per mode.
    pub fn dedupe_scope(&self) -> String {
        format!("partner:{}:{}", self.key.partner_id, self.key.mode.as_str())
    }
}

async fn authenticate(
    store: &Store,
    access: &AccessCache,
    headers: &axum::http::HeaderMap,
    now: i64,
) -> Result<ApiKey, ApiError> {
    let Some(presented) = bearer_or_api_key(headers) else {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "Send your secret API key as `Authorization: Bearer qk_…` or `x-api-key: qk_…`.",
        ));
    };
    let invalid = || ApiError::new(ErrorCode::Unauthorized, "The API key is not valid.");
    let recognised = recognise_secret_key(presented).ok_or_else(invalid)?;
    let key = access
        .api_key(store, &recognised)
        .await?
        .ok_or_else(invalid)?;
    if !key.is_usable(now) {
        return Err(ApiError::new(
            ErrorCode::ApiKeyRevoked,
            "This API key was revoked or rotated out; use a current key.",
        ));
    }
    Ok(key)
}

/// Middleware in front of every partner route: authenticates the secret key,
/// counts the request against the key's window and writes the rate-limit headers.
pub async fn partner_gate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let now = now_unix();
    let key = match authenticate(&state.store, &state.access, request.headers(), now).await {
        Ok(key) => key,
        Err(error) => return error.into_response(),
    };
    let quota = state.limiter.hit(
        &format!("key:{}", key.key_id),
        "partner-key",
        state.config.rate_limit_per_key,
        u64::try_from(now).unwrap_or(0),
    );
    if !quota.allowed {
        return quota.rejection();
    }
    let tenant = key.tenant();
    request.extensions_mut().insert(PartnerAuth { key });
    let mut response = next.run(request).await;
    if response.status().is_success() {
        state.usage.count_request(&tenant, now);
    }
    quota.write_headers(response.headers_mut());
    response
}

/// Middleware in front of every embed-token route: verifies the token once,
/// counts the request against its customer (PRODUCT.md §8: embed routes per
/// partner customer), re-checks key and customer, and hands the [`EmbedAuth`] to
/// the route (and to `Idempotency-Key`). The rate-limit headers go on every answer
/// to a token that verifies, refusals included.
pub async fn embed_gate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let now = now_unix();
    let auth = match verify_embed_token(&state, request.headers(), now) {
        Ok(auth) => auth,
        Err(refused) => return refused.into_response(),
    };
    let quota = state.limiter.hit(
        &format!("customer:{}", auth.claims.sub),
        "embed-customer",
        state.config.rate_limit_per_customer,
        u64::try_from(now).unwrap_or(0),
    );
    if !quota.allowed {
        return quota.rejection();
    }
    let mut response = match state
        .access
        .embed(&state.store, &auth.tenant, &auth.claims)
        .await
    {
        Ok(EmbedAccess::Allowed) => {
            request.extensions_mut().insert(auth);
            next.run(request).await
        }
        Ok(refused) => embed_refusal(refused).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    };
    quota.write_headers(response.headers_mut());
    response
}

fn embed_refusal(access: EmbedAccess) -> ApiError {
    match access {
        EmbedAccess::KeyRevoked => ApiError::new(
            ErrorCode::EmbedKeyRevoked,
            "The embed key of this session was revoked.",
        ),
        EmbedAccess::CustomerSuspended => ApiError::new(
            ErrorCode::CustomerSuspended,
            "This customer account is suspended; contact the provider of this app.",
        ),
        EmbedAccess::UnknownCustomer | EmbedAccess::Allowed => {
            ApiError::new(ErrorCode::TokenMalformed, "The embed token is not valid.")
        }
    }
}

/// The embed token's claims and tenant, before the store re-checks.
fn verify_embed_token(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    now: i64,
) -> Result<EmbedAuth, ApiError> {
    let token = bearer(headers).flatten().ok_or_else(|| {
        ApiError::new(
            ErrorCode::TokenMalformed,
            "Send the embed token as `Authorization: Bearer <token>`.",
        )
    })?;
    let claims = state.tokens.verify(token, now).map_err(|e| {
        let code = ErrorCode::parse(e.code()).unwrap_or(ErrorCode::TokenMalformed);
        ApiError::new(code, format!("The embed token was refused: {e}."))
    })?;
    let tenant = Tenant {
        partner_id: claims.pid.clone(),
        mode: Mode::parse(&claims.mode).ok_or_else(|| {
            ApiError::new(ErrorCode::TokenMalformed, "The embed token names no mode.")
        })?,
    };
    Ok(EmbedAuth { claims, tenant })
}

impl<S: Send + Sync> FromRequestParts<S> for PartnerAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<PartnerAuth>()
            .cloned()
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "partner route mounted without partner_gate"
                ))
            })
    }
}

/// A request authenticated with an embed token whose key and customer were
/// re-checked.
#[derive(Debug, Clone)]
pub struct EmbedAuth {
    pub claims: EmbedClaims,
    pub tenant: Tenant,
}

impl EmbedAuth {
    /// The partner customer the token is for.
    pub fn customer_id(&self) -> &str {
        &self.claims.sub
    }
}

impl<S: Send + Sync> FromRequestParts<S> for EmbedAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<EmbedAuth>().cloned().ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("embed route mounted without embed_gate"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    #[test]
    fn keys_are_read_from_either_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_or_api_key(&headers), None);
        headers.insert("x-api-key", " qk_live_x ".parse().unwrap());
        assert_eq!(bearer_or_api_key(&headers), Some("qk_live_x"));
        headers.insert("authorization", "bearer qk_test_y".parse().unwrap());
        assert_eq!(bearer_or_api_key(&headers), Some("qk_test_y"));
        headers.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(bearer_or_api_key(&headers), None);
    }
}
