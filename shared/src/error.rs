//! The one error envelope every Quarry endpoint answers with, and the registry of
//! stable error codes. Partners branch on `code`, so codes never change meaning;
//! the server renders them and the widget decodes them, which is why they live here.

use serde::{Deserialize, Serialize};

/// `{"error": {...}}`: the body of every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// With `query_not_understood`: what was (not) understood, so a UI can explain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<crate::interpret::Interpretation>,
    /// With 402/403 from a wallet: why the customer is blocked
    /// (`insufficient_credits`, `monthly_search_session_limit_reached`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_reason: Option<String>,
    /// With 402: the credit units (or records, for a reveal limit) the request needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<i64>,
    /// With 402: what is available against that need.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
}

/// What went wrong, for programs (`code`, `field`) and for people (`message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable machine-readable code, listed at `GET /v1/errors`.
    pub code: String,
    /// Human-readable explanation; may be reworded between releases.
    pub message: String,
    /// The request id (`x-request-id`) to quote to support.
    pub request_id: String,
    /// The request field at fault, when one is (`"q"`, `"limit"`, `"body.name"`).
    pub field: Option<String>,
}

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($code:literal, $status:literal, $retryable:literal), )*) => {
        /// Every stable error code, with its HTTP status and whether retrying the same
        /// request can succeed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ErrorCode {
            /// All codes, in registry order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire value (`"not_found"`).
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status this code is answered with.
            pub const fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// Whether the same request may succeed later without changes.
            pub const fn retryable(self) -> bool {
                match self { $(ErrorCode::$variant => $retryable,)* }
            }

            /// One sentence on what the code means.
            pub fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => concat!($($doc),*).trim_ascii(),)* }
            }

            /// Parses a wire value back into a code.
            pub fn parse(code: &str) -> Option<ErrorCode> {
                match code { $($code => Some(ErrorCode::$variant),)* _ => None }
            }
        }
    };
}

error_codes! {
    /// The request is malformed in a way no more specific code covers.
    BadRequest = ("bad_request", 400, false),
    /// The JSON body is not valid JSON.
    MalformedJson = ("malformed_json", 400, false),
    /// The JSON body is valid JSON but a field has the wrong type or value.
    InvalidBody = ("invalid_body", 400, false),
    /// A query-string parameter is missing, has the wrong type or an invalid value.
    InvalidParameter = ("invalid_parameter", 400, false),
    /// The pagination cursor is malformed, was modified, or belongs to another query.
    InvalidCursor = ("invalid_cursor", 400, false),
    /// Nothing in the search text could be understood; the body carries the interpretation.
    QueryNotUnderstood = ("query_not_understood", 422, false),
    /// Missing or invalid credentials.
    Unauthorized = ("unauthorized", 401, false),
    /// The secret API key was revoked or is past its rotation grace period.
    ApiKeyRevoked = ("api_key_revoked", 401, false),
    /// The API key is valid but lacks the scope this route needs.
    InsufficientScope = ("insufficient_scope", 403, false),
    /// Too many requests in the current 60-second window; see `retry-after`.
    RateLimited = ("rate_limited", 429, true),
    /// The public loader key (`partner_key`) is unknown.
    InvalidPartnerKey = ("invalid_partner_key", 401, false),
    /// The embed key was revoked: its sessions and tokens no longer work.
    EmbedKeyRevoked = ("embed_key_revoked", 401, false),
    /// The request's `Origin` is not in the embed key's allowed origins.
    OriginNotAllowed = ("origin_not_allowed", 403, false),
    /// The signed customer assertion is missing, wrong or older than 10 minutes.
    InvalidCustomerSignature = ("invalid_customer_signature", 401, false),
    /// The embed key requires a server-minted session (`session_secret`); a page cannot name its customer.
    CustomerVerificationRequired = ("customer_verification_required", 401, false),
    /// The session secret is unknown, was used already, or is older than 5 minutes; mint a new one.
    InvalidSessionSecret = ("invalid_session_secret", 401, false),
    /// No embed token was sent, or it is not a token at all.
    TokenMalformed = ("token_malformed", 401, false),
    /// The embed token has expired; start a new embed session.
    TokenExpired = ("token_expired", 401, false),
    /// The embed token's signature does not match: it was altered.
    TokenInvalidSignature = ("token_invalid_signature", 401, false),
    /// The embed token was signed with a key id this server does not know.
    TokenUnknownKid = ("token_unknown_kid", 401, false),
    /// The embed token is meant for another audience.
    TokenInvalidAudience = ("token_invalid_audience", 401, false),
    /// The embed token was issued by someone else.
    TokenInvalidIssuer = ("token_invalid_issuer", 401, false),
    /// The embed token's issue time lies in the future.
    TokenNotYetValid = ("token_not_yet_valid", 401, false),
    /// The partner customer is suspended.
    CustomerSuspended = ("customer_suspended", 403, false),
    /// The wallet cannot cover the request; the body carries `required` and `available`.
    InsufficientCredits = ("insufficient_credits", 402, false),
    /// A monthly or lifetime limit of the customer is reached; `block_reason` says which.
    LimitReached = ("limit_reached", 402, false),
    /// The prospecting session was idle too long; start a new search.
    SessionExpired = ("session_expired", 410, false),
    /// An `all_results` selection matches more records than one purchase may hold.
    SelectionTooLarge = ("selection_too_large", 400, false),
    /// This customer may not use this result action (CSV export or push is off).
    ActionNotAllowed = ("action_not_allowed", 403, false),
    /// The delivery endpoint answered 410 Gone; nothing is pushed (or bought) until its URL is set again.
    DeliveryEndpointGone = ("delivery_endpoint_gone", 409, false),
    /// A round of this delivery is being sent right now; look at it again shortly.
    DeliveryInProgress = ("delivery_in_progress", 409, true),
    /// The delivered chunks' bodies were removed after the retention period, so they cannot be sent again.
    DeliveryBodiesPurged = ("delivery_bodies_purged", 410, false),
    /// The async search job ended longer ago than results are kept (7 days by default); queue it again.
    JobExpired = ("job_expired", 410, false),
    /// Only a queued job can be cancelled; this one is running or has ended.
    JobNotCancellable = ("job_not_cancellable", 409, false),
    /// Too many of your async search jobs are queued; see `retry-after`.
    JobQueueFull = ("job_queue_full", 429, true),
    /// The delivery's webhook endpoint is disabled or was deleted; enable it (PATCH `disabled: false`) to send it again.
    WebhookEndpointDisabled = ("webhook_endpoint_disabled", 409, false),
    /// The partner has as many webhook endpoints as allowed; delete one first.
    WebhookEndpointLimit = ("webhook_endpoint_limit", 422, false),
    /// The `Idempotency-Key` was used before with another method, path or body.
    IdempotencyKeyReused = ("idempotency_key_reused", 422, false),
    /// A request with this `Idempotency-Key` is still running; retry shortly.
    IdempotencyInProgress = ("idempotency_in_progress", 409, true),
    /// A partner customer with this `customer_id` already exists.
    CustomerAlreadyExists = ("customer_already_exists", 409, false),
    /// The request body must be `application/json`.
    UnsupportedMediaType = ("unsupported_media_type", 415, false),
    /// The request body is larger than the server accepts.
    PayloadTooLarge = ("payload_too_large", 413, false),
    /// No such route, or no such object visible to the caller.
    NotFound = ("not_found", 404, false),
    /// The route exists but not for this HTTP method.
    MethodNotAllowed = ("method_not_allowed", 405, false),
    /// The request took longer than the server allows.
    RequestTimeout = ("request_timeout", 408, true),
    /// The database (or another dependency) is not reachable right now.
    ServiceUnavailable = ("service_unavailable", 503, true),
    /// An unexpected server fault; the request id identifies it in the logs.
    InternalError = ("internal_error", 500, true),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the `GET /v1/errors` registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorCodeInfo {
    pub code: String,
    pub status: u16,
    pub retryable: bool,
    pub description: String,
}

impl From<ErrorCode> for ErrorCodeInfo {
    fn from(code: ErrorCode) -> Self {
        ErrorCodeInfo {
            code: code.as_str().to_owned(),
            status: code.status(),
            retryable: code.retryable(),
            description: code.description().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_wire_value() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(!code.description().is_empty(), "{code} has no description");
            assert!((400..600).contains(&code.status()));
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
        }
    }

    #[test]
    fn envelope_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: "invalid_parameter".into(),
                message: "limit must be between 1 and 100".into(),
                request_id: "req_1".into(),
                field: Some("limit".into()),
            },
            interpretation: None,
            block_reason: None,
            required: None,
            available: None,
        };
        let v = serde_json::to_value(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error": {"code": "invalid_parameter",
                "message": "limit must be between 1 and 100",
                "request_id": "req_1", "field": "limit"}})
        );
    }
}
