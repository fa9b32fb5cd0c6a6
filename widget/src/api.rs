//! The widget's only HTTP code. Every call returns `Result` with the server's decoded
//! error envelope (code, message, request id), so screens can explain failures.

use gloo_net::http::{Request, Response};
use quarry_shared::{ErrorDetail, Health};
use serde::de::DeserializeOwned;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server answered with the error envelope.
    Api(ErrorDetail),
    /// No answer (offline, blocked) or an answer that is not the envelope.
    Network(String),
}

impl ApiFailure {
    /// A sentence for people, with the request id to quote when there is one.
    pub fn describe(&self) -> String {
        match self {
            ApiFailure::Api(e) => format!("{} (request {})", e.message, e.request_id),
            ApiFailure::Network(e) => format!("The server could not be reached: {e}"),
        }
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| ApiFailure::Network(e.to_string()));
    }
    let status = response.status();
    match response.json::<quarry_shared::ErrorBody>().await {
        Ok(body) => Err(ApiFailure::Api(body.error)),
        Err(_) => Err(ApiFailure::Network(format!(
            "unexpected HTTP status {status}"
        ))),
    }
}

/// `GET /healthz` on the widget's own origin.
pub async fn health() -> Result<Health, ApiFailure> {
    let response = Request::get("/healthz")
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    decode(response).await
}
