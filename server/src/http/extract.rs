//! Extractors that reject through the error envelope. axum's own `Json` and `Query`
//! answer plain-text rejections; these wrap the same parsing and name the field at
//! fault (`body.limits.monthly_credit_units`, `limit`) with a stable code.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use bytes::Bytes;
use quarry_shared::ErrorCode;
use serde::de::DeserializeOwned;
use utoipa::openapi::path::ParameterIn;
use utoipa::IntoParams;

use super::error::ApiError;

/// A JSON request body.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        require_json(request.headers())?;
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
                } else {
                    ApiError::new(ErrorCode::BadRequest, "The request body could not be read.")
                }
            })?;
        parse_json(&bytes).map(Json)
    }
}

/// `415 unsupported_media_type` unless the request declares a JSON body.
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json")
                || mime.to_ascii_lowercase().ends_with("+json")
        });
    if is_json {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON with content-type: application/json.",
        ))
    }
}

/// Parses a JSON body, naming the failing path on a type error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::new(
                    ErrorCode::MalformedJson,
                    format!("The body is not valid JSON: {inner}."),
                )
            }
            _ => {
                let field = if path == "." || path.is_empty() {
                    // A missing or unknown field is named by serde in backticks.
                    let message = inner.to_string();
                    match message.split('`').nth(1) {
                        Some(name) if !name.is_empty() => format!("body.{name}"),
                        _ => "body".to_owned(),
                    }
                } else {
                    format!("body.{path}")
                };
                ApiError::field(
                    ErrorCode::InvalidBody,
                    field,
                    format!("Invalid request body: {inner}."),
                )
            }
        }
    })?;
    deserializer.end().map_err(|inner| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("The body is not valid JSON: {inner}."),
        )
    })?;
    Ok(value)
}

/// A page size: `default` when absent, else it must lie in `1..=max`
/// (`invalid_parameter` naming `field` otherwise). Every list route uses it.
pub fn page_limit(
    field: &str,
    value: Option<u32>,
    default: u32,
    max: u32,
) -> Result<u32, ApiError> {
    let limit = value.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::field(
            ErrorCode::InvalidParameter,
            field,
            format!("limit must be between 1 and {max}"),
        ))
    }
}

/// Query-string parameters. Repeated parameters fill lists (`seniority=vp&seniority=director`);
/// a parameter the route does not document is refused by name (every params type
/// denies unknown fields), and a malformed value is explained with what the
/// route's OpenAPI description accepts for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + IntoParams,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(Query)
    }
}

/// Parses a query string, naming the failing parameter.
pub fn parse_query<T: DeserializeOwned + IntoParams>(query: &str) -> Result<T, ApiError> {
    let deserializer = serde_html_form::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner().to_string();
        // serde names a missing or unknown parameter in backticks.
        let named = inner.split('`').nth(1).map(str::to_owned);
        if inner.starts_with("unknown field") {
            let field = named.unwrap_or_default();
            let known: Vec<String> = T::into_params(|| Some(ParameterIn::Query))
                .into_iter()
                .map(|p| p.name)
                .collect();
            return ApiError::field(
                ErrorCode::InvalidParameter,
                field.clone(),
                format!(
                    "Unknown query parameter `{field}`; this route takes {}.",
                    known.join(", ")
                ),
            );
        }
        let field = if path == "." || path.is_empty() {
            named
        } else {
            Some(path)
        };
        match field {
            Some(field) => {
                let message = match expected::<T>(&field) {
                    Some(expected) => format!("`{field}` must be {expected}."),
                    None => format!("Invalid query parameter `{field}`: {inner}."),
                };
                ApiError::field(ErrorCode::InvalidParameter, field, message)
            }
            None => ApiError::new(
                ErrorCode::InvalidParameter,
                format!("Invalid query parameter: {inner}."),
            ),
        }
    })
}

/// What `field` of `T` accepts, in words, from its OpenAPI schema: "a whole
/// number from 1 to 100", "true or false".
fn expected<T: IntoParams>(field: &str) -> Option<String> {
    let param = T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .find(|p| p.name == field)?;
    let schema = serde_json::to_value(param.schema?).ok()?;
    let types: Vec<&str> = match &schema["type"] {
        serde_json::Value::String(t) => vec![t.as_str()],
        serde_json::Value::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer") {
        let bound = |key: &str| {
            schema[key]
                .as_u64()
                .or_else(|| schema[key].as_i64().map(|v| v.max(0) as u64))
        };
        let max = bound("maximum").unwrap_or(u64::from(u32::MAX));
        return Some(match bound("minimum") {
            Some(min) => format!("a whole number from {min} to {max}"),
            None => format!("a whole number up to {max}"),
        });
    }
    if types.contains(&"boolean") {
        return Some("true or false".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        limits: Limits,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Limits {
        monthly: u32,
    }

    #[derive(Debug, Deserialize, utoipa::IntoParams)]
    #[into_params(parameter_in = Query)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        q: String,
        #[param(minimum = 1, maximum = 100)]
        limit: Option<u32>,
        #[serde(default)]
        seniority: Vec<String>,
        flag: Option<bool>,
    }

    fn parts(e: ApiError) -> (ErrorCode, Option<String>) {
        match e {
            ApiError::Client { code, field, .. } => (code, field),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn json_errors_name_the_path() {
        let e = parse_json::<Body>(br#"{"name":"a","limits":{"monthly":"x"}}"#).unwrap_err();
        assert_eq!(
            parts(e),
            (ErrorCode::InvalidBody, Some("body.limits.monthly".into()))
        );
        let e = parse_json::<Body>(br#"{"name":"a""#).unwrap_err();
        assert_eq!(parts(e).0, ErrorCode::MalformedJson);
        let e = parse_json::<Body>(br#"{"name":"a","limits":{"monthly":1}} trailing"#).unwrap_err();
        assert_eq!(parts(e).0, ErrorCode::MalformedJson);
        let e = parse_json::<Body>(br#"{"limits":{"monthly":1}}"#).unwrap_err();
        assert_eq!(parts(e), (ErrorCode::InvalidBody, Some("body.name".into())));
        assert!(parse_json::<Body>(br#"{"name":"a","limits":{"monthly":1}}"#).is_ok());
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let e = parse_query::<Params>("q=x&limit=abc").unwrap_err();
        assert_eq!(
            parts(e),
            (ErrorCode::InvalidParameter, Some("limit".into()))
        );
        let e = parse_query::<Params>("limit=5").unwrap_err();
        assert_eq!(parts(e), (ErrorCode::InvalidParameter, Some("q".into())));
        assert!(parse_query::<Params>("q=CMOs%20in%20Nevada&limit=5").is_ok());
        let p = parse_query::<Params>("q=x&seniority=vp&seniority=director").unwrap();
        assert_eq!(p.seniority, ["vp", "director"]);
    }

    fn message(e: ApiError) -> (Option<String>, String) {
        match e {
            ApiError::Client { field, message, .. } => (field, message),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn query_errors_say_what_is_accepted() {
        let (field, text) = message(parse_query::<Params>("q=x&limit=ten").unwrap_err());
        assert_eq!(field.as_deref(), Some("limit"));
        assert_eq!(text, "`limit` must be a whole number from 1 to 100.");
        let (_, text) = message(parse_query::<Params>("q=x&limit=99999999999").unwrap_err());
        assert_eq!(text, "`limit` must be a whole number from 1 to 100.");
        let (field, text) = message(parse_query::<Params>("q=x&flag=yes").unwrap_err());
        assert_eq!(
            (field.as_deref(), text.as_str()),
            (Some("flag"), "`flag` must be true or false.")
        );
        let (field, text) = message(parse_query::<Params>("q=x&colour=red").unwrap_err());
        assert_eq!(field.as_deref(), Some("colour"));
        assert!(
            text.starts_with("Unknown query parameter `colour`"),
            "{text}"
        );
        assert!(text.contains("limit"), "{text}");
    }
}
