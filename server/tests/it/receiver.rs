//! A partner's receiving endpoint for push tests: records every request, answers
//! what a test tells it to, and checks Standard Webhooks signatures with the demo
//! CRM's verifier, which is independent of the server's signing code.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;

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
    /// Milliseconds to wait before answering (a slow partner).
    delay_ms: Arc<std::sync::atomic::AtomicU64>,
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
    let delay = shared.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
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

    /// Waits `ms` milliseconds before answering each request from now on.
    pub fn delay(&self, ms: u64) {
        self.shared.delay_ms.store(ms, Ordering::SeqCst);
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

/// Whether `received` carries a valid signature under `secret`, checked now by
/// the demo CRM's verifier (`quarry_server::demo::receiver::verify`): a
/// Standard Webhooks implementation of its own that never calls the server's
/// signing code, so a test passing here means a partner's library accepts it.
pub fn verify(secret: &str, received: &Received) -> bool {
    let now = crate::support::now();
    quarry_server::demo::receiver::verify(secret, &received.headers, &received.raw, now).is_ok()
}
