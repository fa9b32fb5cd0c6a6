//! Caller authentication for the data API. Until partner keys exist, the data
//! routes run behind one operator token from configuration (`QUARRY_OPERATOR_TOKEN`),
//! sent as `Authorization: Bearer …` or `x-api-key`, compared in constant time.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use quarry_shared::ErrorCode;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::AppState;

/// An authenticated operator call; `scope` separates callers' dedupe tokens.
#[derive(Debug, Clone)]
pub struct OperatorAuth {
    pub scope: String,
}

/// The credential a request carries, if any.
pub fn presented_key(parts: &Parts) -> Option<&str> {
    if let Some(v) = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, token) = v.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim());
    }
    parts
        .headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Equal digests of equal length: timing does not depend on where the strings differ.
fn same_secret(a: &str, b: &str) -> bool {
    let (da, db) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    da.iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

impl FromRequestParts<AppState> for OperatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(expected) = state.config.operator_token.as_ref() else {
            return Err(ApiError::new(
                ErrorCode::Unauthorized,
                "The data API is disabled: the server has no operator token configured.",
            ));
        };
        match presented_key(parts) {
            Some(key) if same_secret(key, expected.expose()) => Ok(OperatorAuth {
                scope: "operator".into(),
            }),
            Some(_) => Err(ApiError::new(
                ErrorCode::Unauthorized,
                "The API key is not valid.",
            )),
            None => Err(ApiError::new(
                ErrorCode::Unauthorized,
                "Send an API key as `Authorization: Bearer <key>` or `x-api-key: <key>`.",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_by_value() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
