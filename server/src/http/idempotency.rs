//! `Idempotency-Key` on every mutating partner and embed route (PRODUCT.md §8, as in
//! the IETF Idempotency-Key draft): the first answer is kept for 24 hours and
//! replayed with `x-idempotent-replay: true`; the same key with another method,
//! path or body is `422 idempotency_key_reused`; a duplicate while the first runs
//! is `409 idempotency_in_progress`. Keys belong to the caller: the partner (per
//! mode) or the embed token's customer. Server errors are not kept, so a retry
//! after one runs again.
//!
//! - A body is compared by its canonical JSON (keys sorted, no whitespace), so the
//!   same request sent in another spelling is the same request.
//! - The request runs on its own task: when the server's request timeout or a
//!   disconnect stops waiting for it, it still finishes and its committed answer is
//!   what a retry replays.
//! - What is kept is bounded ([`MAX_STORED_BYTES`]); an answer that says how to
//!   render it again ([`Recipe`]: a CSV export's purchase, a session's first page)
//!   keeps that instead of its body, however large. A retryable refusal (`409`,
//!   `429`, `503`…) and an answer marked [`NotKept`] (one holding a secret) release
//!   the key instead of being kept.
//! - The request holds its key with an owner token and renews the lock while it
//!   runs, so it is never taken for abandoned while it still works.
//! - A replay to an embed token passes the same re-checks as a request (key active,
//!   customer not suspended), so a suspended customer replays nothing.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quarry_shared::ErrorCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use super::auth::{EmbedAuth, PartnerAuth};
use super::error::{ApiError, Retryable};
use super::request_id;
use super::AppState;
use crate::store::{now_unix, IdempotencyStart, KeyHold, StoredAnswer};

/// How long an answer is replayed.
const KEEP_SECS: i64 = 86_400;
/// Largest answer body kept for replay.
pub const MAX_STORED_BYTES: usize = 64 * 1024;
/// Largest answer without a recipe read to decide whether it can be kept.
const MAX_READ_BYTES: usize = 16 * 1024 * 1024;

/// How to render an answer again instead of keeping it, put in the response's
/// extensions by the handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recipe {
    /// A CSV export: the people of its purchase, in order.
    Export { purchase_id: String },
    /// A started session: its first page again (counted once).
    Session { search_id: String, limit: u32 },
}

/// Marks an answer that must not be kept (it carries a secret, like a minted
/// session secret): its key is released, and a retry runs again.
#[derive(Debug, Clone, Copy)]
pub struct NotKept;

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

/// Who owns the key: the partner per mode, or the embed token's customer.
enum Caller {
    Partner(String),
    Embed(String, Box<EmbedAuth>),
}

impl Caller {
    fn scope(&self) -> &str {
        match self {
            Caller::Partner(scope) | Caller::Embed(scope, _) => scope,
        }
    }
}

/// The caller, authenticated by the gate in front of the route.
fn caller(request: &Request) -> Option<Caller> {
    if let Some(auth) = request.extensions().get::<PartnerAuth>() {
        return Some(Caller::Partner(format!(
            "partner:{}:{}",
            auth.key.partner_id,
            auth.key.mode.as_str()
        )));
    }
    let auth = request.extensions().get::<EmbedAuth>()?;
    Some(Caller::Embed(
        format!("embed:{}", auth.claims.sub),
        Box::new(auth.clone()),
    ))
}

/// Writes `value` as JSON with every object's keys sorted and no whitespace.
fn canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The request's identity: method, path, query and body (canonical JSON when the
/// body is JSON, the bytes otherwise).
pub fn fingerprint(method: &Method, path: &str, query: &str, body: &[u8]) -> String {
    let json = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .map(|v| {
            let mut out = String::with_capacity(body.len());
            canonical(&v, &mut out);
            out
        });
    let body = json.as_ref().map_or(body, |j| j.as_bytes());
    let mut hash = Sha256::new();
    for part in [
        method.as_str().as_bytes(),
        path.as_bytes(),
        query.as_bytes(),
        body,
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hex::encode(hash.finalize())
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
    let Some(caller) = caller(&request) else {
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
    let fingerprint = fingerprint(
        &parts.method,
        parts.uri.path(),
        parts.uri.query().unwrap_or(""),
        &bytes,
    );
    let now = now_unix();
    let timeout = i64::try_from(state.config.request_timeout_secs).unwrap_or(600);
    let started = state
        .store
        .start_idempotent(
            caller.scope(),
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
        Ok(IdempotencyStart::Replay(answer)) => match replay(&state, &caller, answer).await {
            Ok(response) => response,
            Err(e) => e.into_response(),
        },
        Ok(IdempotencyStart::New(hold)) => {
            let request = Request::from_parts(parts, Body::from(bytes));
            // On its own task: it runs to its end, and keeps its answer, even when
            // nobody waits for it any more; its lock is renewed while it runs.
            let lock = timeout + 5;
            let task_state = state.clone();
            let task_hold = hold.clone();
            let run = request_id::carried(
                async move {
                    let work = next.run(request);
                    tokio::pin!(work);
                    let mut renew = tokio::time::interval(std::time::Duration::from_secs(
                        u64::try_from(lock / 2).unwrap_or(1).max(1),
                    ));
                    renew.tick().await;
                    let response = loop {
                        tokio::select! {
                            response = &mut work => break response,
                            _ = renew.tick() => {
                                let until = now_unix() + lock;
                                if let Err(e) = task_state.store.renew_idempotent(&task_hold, until).await {
                                    tracing::warn!(error = %e, "could not renew an idempotency key");
                                }
                            }
                        }
                    };
                    keep(&task_state, &task_hold, response).await
                }
                .in_current_span(),
            );
            match tokio::spawn(run).await {
                Ok(response) => response,
                Err(e) => {
                    release(&state, &hold).await;
                    ApiError::Internal(anyhow::anyhow!("idempotent request task: {e}")).into_response()
                }
            }
        }
    }
}

async fn release(state: &AppState, hold: &KeyHold) {
    if let Err(e) = state.store.abandon_idempotent(hold).await {
        tracing::warn!(error = %e, "could not release an idempotency key");
    }
}

/// Stores `response` as the key's answer (its recipe, or a small enough body) and
/// gives it back; releases the key after a server error, a retryable refusal, or
/// for an answer that cannot or must not be kept.
async fn keep(state: &AppState, hold: &KeyHold, response: Response) -> Response {
    let releasable = response.status().is_server_error()
        || response.extensions().get::<Retryable>().is_some()
        || response.extensions().get::<NotKept>().is_some();
    if releasable {
        release(state, hold).await;
        return response;
    }
    let headers = serde_json::to_string(
        &response
            .headers()
            .iter()
            .filter(|(name, _)| replayable(name.as_str()))
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let status = response.status().as_u16();
    let store =
        async |answer: StoredAnswer| match state.store.finish_idempotent(hold, &answer).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("an idempotency key was taken over before its answer was kept")
            }
            Err(e) => tracing::warn!(error = %e, "could not store an idempotent answer"),
        };
    if let Some(recipe) = response.extensions().get::<Recipe>() {
        store(StoredAnswer {
            status,
            headers,
            body: Vec::new(),
            recipe: serde_json::to_string(recipe).ok(),
        })
        .await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, MAX_READ_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            release(state, hold).await;
            return ApiError::Internal(anyhow::anyhow!("reading an answer to store it: {e}"))
                .into_response();
        }
    };
    if body.len() > MAX_STORED_BYTES {
        tracing::warn!(
            bytes = body.len(),
            "an answer too large to keep; its key is released"
        );
        release(state, hold).await;
    } else {
        store(StoredAnswer {
            status,
            headers,
            body: body.to_vec(),
            recipe: None,
        })
        .await;
    }
    Response::from_parts(parts, Body::from(body))
}

/// The stored answer again (rendered from its recipe when it has one).
async fn replay(
    state: &AppState,
    caller: &Caller,
    answer: StoredAnswer,
) -> Result<Response, ApiError> {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut headers = HeaderMap::new();
    let pairs: Vec<(String, String)> = serde_json::from_str(&answer.headers).unwrap_or_default();
    for (name, value) in pairs {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            headers.insert(name, value);
        }
    }
    let recipe: Option<Recipe> = answer
        .recipe
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("a stored recipe does not read: {e}")))?;
    let mut response = match (recipe, caller) {
        (None, _) => (status, headers, answer.body).into_response(),
        (Some(Recipe::Export { purchase_id }), Caller::Embed(_, auth)) => {
            super::prospecting::export::replay(state, auth, &purchase_id, headers).await?
        }
        (Some(Recipe::Session { search_id, limit }), Caller::Embed(_, auth)) => {
            super::prospecting::replay_first_page(state, auth, &search_id, limit, headers).await?
        }
        (Some(_), Caller::Partner(_)) => {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "an embed recipe stored for a partner key"
            )))
        }
    };
    response
        .headers_mut()
        .insert("x-idempotent-replay", HeaderValue::from_static("true"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_json_in_another_spelling_has_one_fingerprint() {
        let post = Method::POST;
        let a = fingerprint(
            &post,
            "/v1/x",
            "",
            br#"{"b":[1,{"d":2,"c":3}],"a":"\u00e9"}"#,
        );
        let b = fingerprint(
            &post,
            "/v1/x",
            "",
            "{ \"a\" : \"é\",\n \"b\": [1, {\"c\": 3, \"d\": 2}] }".as_bytes(),
        );
        assert_eq!(a, b);
        // Values, order inside arrays, path, query and method still count.
        for other in [
            fingerprint(&post, "/v1/x", "", br#"{"a":"e","b":[1,{"d":2,"c":3}]}"#),
            fingerprint(
                &post,
                "/v1/x",
                "",
                br#"{"a":"\u00e9","b":[{"d":2,"c":3},1]}"#,
            ),
            fingerprint(
                &post,
                "/v1/y",
                "",
                br#"{"a":"\u00e9","b":[1,{"d":2,"c":3}]}"#,
            ),
            fingerprint(
                &post,
                "/v1/x",
                "q=1",
                br#"{"a":"\u00e9","b":[1,{"d":2,"c":3}]}"#,
            ),
            fingerprint(
                &Method::PATCH,
                "/v1/x",
                "",
                br#"{"a":"\u00e9","b":[1,{"d":2,"c":3}]}"#,
            ),
        ] {
            assert_ne!(a, other);
        }
        // Bodies that are not JSON compare as bytes.
        assert_ne!(
            fingerprint(&post, "/v1/x", "", b"a b"),
            fingerprint(&post, "/v1/x", "", b"a  b")
        );
    }

    proptest::proptest! {
        /// Reordering an object's keys never changes the fingerprint; any body is
        /// accepted without a panic.
        #[test]
        fn key_order_never_matters(
            pairs in proptest::collection::btree_map("[a-z]{1,6}", proptest::prelude::any::<i32>(), 0..8),
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
        ) {
            let forward: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let backward: Vec<String> = forward.iter().rev().cloned().collect();
            let a = format!("{{{}}}", forward.join(","));
            let b = format!("{{ {} }}", backward.join(" , "));
            proptest::prop_assert_eq!(
                fingerprint(&Method::POST, "/p", "", a.as_bytes()),
                fingerprint(&Method::POST, "/p", "", b.as_bytes())
            );
            let _ = fingerprint(&Method::POST, "/p", "", &noise);
        }
    }
}
