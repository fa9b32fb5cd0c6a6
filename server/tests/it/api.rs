//! A small HTTP client for the partner and embed APIs: every call returns the
//! status, the headers and the JSON body, so tests assert all three.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::TestServer;

/// One answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The error code of an envelope answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// The field named by an envelope answer.
    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        self.body
    }

    /// Asserts an error status and code.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "{}",
            self.body
        );
        assert!(self.body["error"]["request_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty()));
    }
}

/// Calls `server` with a bearer credential (a secret key or an embed token).
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub fn new(server: &TestServer) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: server.base.clone(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, bearer: &str) -> Answer {
        self.send(Method::GET, path, Some(bearer), None, &[]).await
    }

    pub async fn post(&self, path: &str, bearer: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(bearer), Some(body), &[])
            .await
    }

    pub async fn patch(&self, path: &str, bearer: &str, body: &Value) -> Answer {
        self.send(Method::PATCH, path, Some(bearer), Some(body), &[])
            .await
    }

    pub async fn delete(&self, path: &str, bearer: &str) -> Answer {
        self.send(Method::DELETE, path, Some(bearer), None, &[])
            .await
    }

    /// Creates an embed key allowing `origins` (plus any extra settings) and
    /// returns the create answer (public key, signing secret, key).
    pub async fn embed_key(&self, secret: &str, settings: Value) -> Value {
        self.post("/v1/prospecting/embed-keys", secret, &settings)
            .await
            .expect(201)
    }

    /// Starts an embed session from `origin`.
    pub async fn session(&self, origin: Option<&str>, body: &Value) -> Answer {
        let headers: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
        self.send(
            Method::POST,
            "/v1/prospecting/embed-sessions",
            None,
            Some(body),
            &headers,
        )
        .await
    }

    /// An embed session for the claimed `customer` on `origin` with the embed key
    /// `key` (its create answer): the session answer.
    pub async fn customer_session(&self, origin: &str, key: &Value, customer: &str) -> Value {
        self.session(
            Some(origin),
            &serde_json::json!({"partner_key": key["public_key"], "customer_id": customer}),
        )
        .await
        .expect(201)
    }
}
