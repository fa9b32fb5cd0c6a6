//! Refuses query parameters a route does not take. A misspelt filter
//! (`seniorty=vp`) that was silently ignored would answer a wider search than the
//! caller meant; every documented route instead answers 400 naming it. What a
//! route takes is read from the generated OpenAPI document, so the server and the
//! document never disagree about it.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quarry_shared::ErrorCode;

use super::error::ApiError;

/// Documented routes that take any query string: probes that load balancers and
/// orchestrators call with their own parameters.
pub const LENIENT: &[&str] = &["/healthz", "/readyz"];

/// `(method, path template)` → the query parameters the operation documents.
type Allowed = HashMap<(String, String), Vec<String>>;

fn allowed() -> &'static Allowed {
    static ALLOWED: OnceLock<Allowed> = OnceLock::new();
    ALLOWED.get_or_init(|| {
        let doc = serde_json::to_value(super::openapi::document()).unwrap_or_default();
        let mut out = Allowed::new();
        let Some(paths) = doc["paths"].as_object() else {
            return out;
        };
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            if LENIENT.contains(&path.as_str()) {
                continue;
            }
            for (method, operation) in item {
                let Some(params) = operation.get("parameters").and_then(|p| p.as_array()) else {
                    out.insert((method.to_ascii_uppercase(), path.clone()), Vec::new());
                    continue;
                };
                let names = params
                    .iter()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                out.insert((method.to_ascii_uppercase(), path.clone()), names);
            }
        }
        out
    })
}

/// The first query parameter of `query` not in `names`.
fn unknown<'a>(query: &'a str, names: &[String]) -> Option<std::borrow::Cow<'a, str>> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, _)| name)
        .find(|name| !names.iter().any(|n| n == name))
}

/// Route middleware: 400 `invalid_parameter` naming the first parameter the
/// matched operation does not document.
pub async fn known_only(request: Request, next: Next) -> Response {
    let query = request.uri().query().unwrap_or("");
    if !query.is_empty() {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|m| (request.method().as_str().to_owned(), m.as_str().to_owned()));
        if let Some(names) = route.and_then(|r| allowed().get(&r)) {
            if let Some(name) = unknown(query, names) {
                let takes = if names.is_empty() {
                    "no query parameters".to_owned()
                } else {
                    names.join(", ")
                };
                return ApiError::field(
                    ErrorCode::InvalidParameter,
                    name.clone().into_owned(),
                    format!("Unknown query parameter `{name}`; this route takes {takes}."),
                )
                .into_response();
            }
        }
    }
    next.run(request).await
}

/// Lists the 400 this middleware answers on every operation it guards, so the
/// document says what the server does (generated clients and fuzzers agree).
pub struct QueryParamsAddon;

impl utoipa::Modify for QueryParamsAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let refused = ResponseBuilder::new()
            .description(
                "A query parameter the route does not take, or a malformed one (named in `field`)",
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        for (path, item) in openapi.paths.paths.iter_mut() {
            if LENIENT.contains(&path.as_str()) {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                operation
                    .responses
                    .responses
                    .entry("400".to_owned())
                    .or_insert_with(|| refused.clone().into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_operation_is_known_with_its_parameters() {
        let search = &allowed()[&("GET".to_owned(), "/v1/persons/search".to_owned())];
        assert!(search.iter().any(|n| n == "seniority"), "{search:?}");
        let page = &allowed()[&(
            "GET".to_owned(),
            "/v1/prospecting/sessions/{search_id}".to_owned(),
        )];
        assert!(page.iter().any(|n| n == "applied_filters"));
        assert!(
            !page.iter().any(|n| n == "search_id"),
            "path parameters are not query ones"
        );
        assert_eq!(unknown("q=x&limit=5", search), None);
        assert!(!allowed().contains_key(&("GET".to_owned(), "/healthz".to_owned())));
        assert_eq!(
            unknown("q=x&seniorty=vp", search).as_deref(),
            Some("seniorty")
        );
    }

    #[test]
    fn every_guarded_operation_documents_the_400() {
        let doc = serde_json::to_value(super::super::openapi::document()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let listed = op["responses"].get("400").is_some();
                assert_eq!(listed, !LENIENT.contains(&path.as_str()), "{method} {path}");
            }
        }
    }
}
