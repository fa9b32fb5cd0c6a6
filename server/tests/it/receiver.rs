//! A partner's receiving endpoint for push tests: records every request and checks
//! its Standard Webhooks signature with its own implementation of the scheme
//! (HMAC-SHA256 over `id.timestamp.body`, base64, `v1,` prefixed, key = base64 of
//! the `whsec_` secret), independent of the server's code.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{KeyInit, Mac};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: serde_json::Value,
    pub raw: Vec<u8>,
}

#[derive(Clone, Default)]
struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    retry_after: Arc<Mutex<Option<String>>>,
}

/// A running receiver; stops when dropped.
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

async fn receive(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    shared.received.lock().unwrap().push(Received {
        headers,
        body: value,
        raw: body.to_vec(),
    });
    let status = StatusCode::from_u16(shared.status.load(Ordering::SeqCst)).unwrap();
    let mut response = (status, "ok").into_response();
    if let Some(after) = shared.retry_after.lock().unwrap().clone() {
        response
            .headers_mut()
            .insert("retry-after", after.parse().unwrap());
    }
    response
}

impl Receiver {
    /// Listens on `addr` (port 0 for any).
    pub async fn start(addr: SocketAddr) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().unwrap();
        let shared = Shared::default();
        shared.status.store(200, Ordering::SeqCst);
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, shared, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Answers `status` (with `retry-after`) from now on.
    pub fn answer(&self, status: u16, retry_after: Option<&str>) {
        self.shared.status.store(status, Ordering::SeqCst);
        *self.shared.retry_after.lock().unwrap() = retry_after.map(str::to_owned);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits up to `secs` for at least `n` requests.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        let start = std::time::Instant::now();
        while start.elapsed().as_secs() < secs {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.received()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Whether `received` carries a valid signature under `secret`, checked as a
/// Standard Webhooks library does (any of the space-separated `v1,` values).
pub fn verify(secret: &str, received: &Received) -> bool {
    let header = |name: &str| {
        received
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let (id, timestamp, signatures) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let Some(key) = secret
        .strip_prefix("whsec_")
        .and_then(|k| STANDARD.decode(k).ok())
    else {
        return false;
    };
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(&received.raw);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(&signed);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}
