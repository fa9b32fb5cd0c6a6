//! The one error type of the HTTP layer. Every failure, from a bad parameter to a
//! lost database, becomes an `ApiError`, and every `ApiError` renders the shared
//! envelope `{"error":{code,message,request_id,field}}`. Server faults never leak
//! their details to the caller; they are logged once by [`log_errors`].

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use quarry_shared::{ErrorBody, ErrorCode, ErrorDetail};

use super::request_id;
use crate::store::{Backend, StoreError};

/// An error answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A problem with the request itself (4xx): a stable code, a message for people
    /// and, when one field is at fault, its name.
    #[error("{message}")]
    Client {
        code: ErrorCode,
        message: String,
        field: Option<String>,
    },
    /// A wallet refused: 403 for a suspended customer, 402 otherwise, with the block
    /// reason (and `required`/`available` for credits) in the body.
    #[error("blocked: {0}")]
    Blocked(crate::wallet::Blocked),
    /// Nothing in the search text was understood (422); the body carries the
    /// interpretation and its warnings.
    #[error("query not understood")]
    NotUnderstood(Box<quarry_shared::interpret::Interpretation>),
    /// The database cannot be reached right now (503, retryable).
    #[error("database unavailable: {0}")]
    Unavailable(#[source] StoreError),
    /// Anything else that went wrong on our side (500).
    #[error("internal error: {0}")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A 4xx error not tied to a field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::Client {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A 4xx error naming the field at fault.
    pub fn field(
        code: ErrorCode,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError::Client {
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// 404 for an unknown route or an object the caller may not see.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Client { code, .. } => *code,
            ApiError::NotUnderstood(_) => ErrorCode::QueryNotUnderstood,
            ApiError::Blocked(crate::wallet::Blocked::CustomerSuspended) => {
                ErrorCode::CustomerSuspended
            }
            ApiError::Blocked(crate::wallet::Blocked::InsufficientCredits { .. }) => {
                ErrorCode::InsufficientCredits
            }
            ApiError::Blocked(crate::wallet::Blocked::InvalidAmount { .. }) => {
                ErrorCode::InternalError
            }
            ApiError::Blocked(_) => ErrorCode::LimitReached,
            ApiError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            ApiError::Internal(_) => ErrorCode::InternalError,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        if is_transient(&error) {
            ApiError::Unavailable(error)
        } else {
            ApiError::Internal(error.into())
        }
    }
}

/// Whether retrying the same request shortly can succeed: the pool is exhausted
/// or closed, the connection broke, SQLite stayed busy (another writer held the
/// lock longer than the wait), or PostgreSQL reported a conflict or is starting
/// or stopping.
fn is_transient(error: &StoreError) -> bool {
    let StoreError::Database(e) = error else {
        return false;
    };
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                transient_code(Backend::Sqlite, &code)
            } else {
                transient_code(Backend::Postgres, &code)
            }
        }
        _ => false,
    }
}

/// Whether a database error code of `backend` is worth retrying: SQLite's busy
/// and locked (extended result codes, whose low byte is the primary code);
/// PostgreSQL's serialization failure, deadlock, lock not available, too many
/// connections, and a server starting or stopping (SQLSTATEs).
fn transient_code(backend: Backend, code: &str) -> bool {
    match backend {
        Backend::Sqlite => code.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6)),
        Backend::Postgres => matches!(
            code,
            "40001" | "40P01" | "55P03" | "53300" | "57P01" | "57P02" | "57P03"
        ),
    }
}

/// Seconds a `503` asks the caller to wait.
const RETRY_AFTER_SECS: &str = "1";
/// Seconds a `429 job_queue_full` asks the caller to wait.
const QUEUE_RETRY_AFTER_SECS: &str = "5";

/// Marks an error answer the same request may get past later (see
/// [`ErrorCode::retryable`]): a stored idempotent answer must not repeat it.
#[derive(Debug, Clone, Copy)]
pub struct Retryable;

/// What [`log_errors`] writes for an error answer; carried in response extensions.
#[derive(Debug, Clone)]
struct ErrorLog {
    code: ErrorCode,
    detail: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        let (message, field) = match &self {
            ApiError::Client { message, field, .. } => (message.clone(), field.clone()),
            ApiError::NotUnderstood(_) => (
                "Nothing in the search could be understood. Try a role, an industry or a place, \
                 e.g. \"CMOs of SaaS companies in Nevada\"."
                    .to_owned(),
                Some("q".to_owned()),
            ),
            ApiError::Unavailable(_) => (
                "The database is unavailable; retry shortly.".to_owned(),
                None,
            ),
            ApiError::Internal(_)
            | ApiError::Blocked(crate::wallet::Blocked::InvalidAmount { .. }) => (
                "Something went wrong on our side; quote the request id to support.".to_owned(),
                None,
            ),
            ApiError::Blocked(blocked) => (blocked_message(blocked), None),
        };
        let blocked = match &self {
            ApiError::Blocked(b) if code != ErrorCode::InternalError => Some(b.clone()),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.as_str().to_owned(),
                message,
                request_id: request_id::current(),
                field,
            },
            interpretation: match self {
                ApiError::NotUnderstood(ref i) => Some((**i).clone()),
                _ => None,
            },
            block_reason: blocked.as_ref().map(|b| b.reason().to_owned()),
            required: blocked.as_ref().and_then(|b| b.required()),
            available: blocked.as_ref().and_then(|b| b.available()),
        };
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body)).into_response();
        if code.retryable() {
            response.extensions_mut().insert(Retryable);
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        if code == ErrorCode::JobQueueFull {
            // About the time a replica drains a few hundred jobs.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(QUEUE_RETRY_AFTER_SECS),
            );
        }
        response.extensions_mut().insert(ErrorLog {
            code,
            detail: format!("{self:#}"),
        });
        response
    }
}

/// What a customer is told when the wallet blocks them.
fn blocked_message(blocked: &crate::wallet::Blocked) -> String {
    use crate::wallet::Blocked;
    match blocked {
        Blocked::CustomerSuspended => {
            "This customer account is suspended; contact the provider of this app.".to_owned()
        }
        Blocked::InsufficientCredits {
            required,
            available,
        } => format!(
            "Not enough credits: {required} needed, {available} available. Nothing was bought."
        ),
        other => format!(
            "{}: {other}. Nothing was counted or bought.",
            other.reason()
        ),
    }
}

/// Middleware inside the trace span: logs each error answer exactly once, server
/// faults with their internal detail.
pub async fn log_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(log) = response.extensions().get::<ErrorLog>() {
        if log.code.status() >= 500 {
            tracing::error!(code = %log.code, detail = %log.detail, "request failed");
        } else {
            tracing::info!(code = %log.code, detail = %log.detail, "request rejected");
        }
    }
    response
}

/// Fallback for unknown routes.
pub async fn not_found() -> ApiError {
    ApiError::not_found("No such route. See GET /v1/openapi.json for the API.")
}

/// Fallback for known routes called with another method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "This route does not accept this HTTP method.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_busy_and_conflict_codes_are_transient() {
        // (backend, code, worth a retry)
        let cases = [
            (Backend::Sqlite, "5", true),     // SQLITE_BUSY
            (Backend::Sqlite, "517", true),   // SQLITE_BUSY_SNAPSHOT
            (Backend::Sqlite, "6", true),     // SQLITE_LOCKED
            (Backend::Sqlite, "262", true),   // SQLITE_LOCKED_SHAREDCACHE
            (Backend::Sqlite, "19", false),   // SQLITE_CONSTRAINT
            (Backend::Sqlite, "2067", false), // SQLITE_CONSTRAINT_UNIQUE
            (Backend::Sqlite, "x", false),
            (Backend::Postgres, "40001", true), // serialization_failure
            (Backend::Postgres, "40P01", true), // deadlock_detected
            (Backend::Postgres, "55P03", true), // lock_not_available
            (Backend::Postgres, "53300", true), // too_many_connections
            (Backend::Postgres, "57P01", true), // admin_shutdown
            (Backend::Postgres, "42501", false), // insufficient_privilege (low byte 5)
            (Backend::Postgres, "23505", false), // unique_violation
            (Backend::Postgres, "5", false),
        ];
        for (backend, code, want) in cases {
            assert_eq!(transient_code(backend, code), want, "{backend:?} {code}");
        }
    }
}
