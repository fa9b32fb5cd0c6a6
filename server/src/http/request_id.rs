//! Request ids: `x-request-id` is accepted from the caller when it looks sane,
//! generated (`req_…`) otherwise, echoed on every answer, attached to the request's log
//! span and quoted in error bodies. A task-local makes it reachable from
//! `ApiError::into_response`, which has no access to the request.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::distr::{Alphanumeric, SampleString};

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task (`req_unknown` outside one).
pub fn current() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "req_unknown".to_owned())
}

/// `future` with this task's request id, for work spawned onto another task
/// (its errors then still quote the request's id).
pub fn carried<F: std::future::Future>(future: F) -> impl std::future::Future<Output = F::Output> {
    REQUEST_ID.scope(current(), future)
}

/// A caller-supplied id is kept if it is 1–128 visible ASCII characters.
fn acceptable(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    (!s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| s.to_owned())
}

fn generate() -> String {
    format!("req_{}", Alphanumeric.sample_string(&mut rand::rng(), 24))
}

/// Middleware: settles the id before tracing sees the request and echoes it.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(acceptable)
        .unwrap_or_else(generate);
    let header = HeaderValue::from_str(&id).expect("ids are visible ASCII");
    request
        .headers_mut()
        .insert(X_REQUEST_ID.clone(), header.clone());
    let mut response = REQUEST_ID.scope(id, next.run(request)).await;
    response.headers_mut().insert(X_REQUEST_ID.clone(), header);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_validated() {
        assert_eq!(
            acceptable(&HeaderValue::from_static("abc-123")),
            Some("abc-123".into())
        );
        assert_eq!(acceptable(&HeaderValue::from_static("")), None);
        assert_eq!(acceptable(&HeaderValue::from_static("a b")), None);
        assert_eq!(
            acceptable(&HeaderValue::from_str(&"x".repeat(129)).unwrap()),
            None
        );
        let g = generate();
        assert!(g.starts_with("req_") && g.len() == 28, "{g}");
    }
}
