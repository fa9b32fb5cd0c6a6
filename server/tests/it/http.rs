//! The HTTP foundation over a real socket: health and readiness on both databases,
//! the error envelope for unknown routes and methods, request ids, metrics, the
//! OpenAPI document, the error registry and the widget's static files.

use quarry_shared::{ErrorBody, ErrorCode, Health};
use reqwest::StatusCode;

use crate::contract;
use crate::support::{Db, TestServer};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn error_of(response: reqwest::Response) -> ErrorBody {
    let request_id = response
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let body: ErrorBody = response.json().await.expect("an error envelope");
    assert_eq!(
        body.error.request_id, request_id,
        "the body quotes the request id header"
    );
    body
}

contract!(health_and_readiness, |store, db| {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(store.store.clone(), dir.path().to_path_buf()).await;
    let http = client();

    let health: Health = http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));

    let response = http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let ready: Health = response.json().await.unwrap();
    let expected = match db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    assert_eq!(ready.database.as_deref(), Some(expected));

    // Once the database is gone, readiness fails with the envelope; liveness does not.
    store.store.close().await;
    let response = http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = error_of(response).await;
    assert_eq!(body.error.code, "service_unavailable");
    assert_eq!(
        http.get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    server.stop().await;
});

contract!(errors_use_the_envelope_everywhere, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(store.store.clone(), dir.path().to_path_buf()).await;
    let http = client();

    let response = http.get(server.url("/v1/nope")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = error_of(response).await;
    assert_eq!(body.error.code, "not_found");
    assert!(
        body.error.request_id.starts_with("req_"),
        "{}",
        body.error.request_id
    );

    let response = http.post(server.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_of(response).await.error.code, "method_not_allowed");

    // A caller's request id is echoed and quoted; a malformed one is replaced.
    let response = http
        .get(server.url("/nope"))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    assert_eq!(error_of(response).await.error.request_id, "trace-42");
    let response = http
        .get(server.url("/healthz"))
        .header("x-request-id", "a b")
        .send()
        .await
        .unwrap();
    assert!(response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));

    // The registry lists every code with its status.
    let registry: serde_json::Value = http
        .get(server.url("/v1/errors"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes = registry["data"].as_array().unwrap();
    assert_eq!(codes.len(), ErrorCode::ALL.len());
    assert!(codes
        .iter()
        .any(|c| c["code"] == "not_found" && c["status"] == 404 && c["retryable"] == false));
    server.stop().await;
});

contract!(openapi_and_metrics, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(store.store.clone(), dir.path().to_path_buf()).await;
    let http = client();

    let doc: serde_json::Value = http
        .get(server.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for (method, path) in [
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/v1/errors"),
        ("get", "/v1/persons/search"),
        ("get", "/v1/persons/search/taxonomy"),
        ("get", "/v1/persons/lookup"),
        ("get", "/v1/companies/search"),
        ("get", "/v1/companies/{domain}/people"),
        ("get", "/v1/domains"),
        ("post", "/v1/prospecting/embed-keys"),
        ("get", "/v1/prospecting/embed-keys"),
        ("get", "/v1/prospecting/embed-keys/{embed_key_id}"),
        ("patch", "/v1/prospecting/embed-keys/{embed_key_id}"),
        ("delete", "/v1/prospecting/embed-keys/{embed_key_id}"),
        ("post", "/v1/prospecting/embed-sessions"),
        ("get", "/v1/prospecting/wallet"),
        ("post", "/v1/partner-customers"),
        ("get", "/v1/partner-customers"),
        ("get", "/v1/partner-customers/{partner_customer_id}"),
        ("patch", "/v1/partner-customers/{partner_customer_id}"),
        ("get", "/v1/partner-customers/{partner_customer_id}/wallet"),
        (
            "post",
            "/v1/partner-customers/{partner_customer_id}/wallet/credits",
        ),
        (
            "get",
            "/v1/partner-customers/{partner_customer_id}/wallet/ledger",
        ),
        ("post", "/v1/prospecting/embed-sessions/server"),
        ("get", "/v1/deliveries"),
        ("post", "/v1/deliveries/{delivery_id}/retry"),
        ("post", "/v1/prospecting/sessions"),
        ("get", "/v1/prospecting/sessions/{search_id}"),
        ("post", "/v1/prospecting/sessions/{search_id}/quote"),
        ("post", "/v1/prospecting/sessions/{search_id}/export"),
        ("post", "/v1/prospecting/sessions/{search_id}/push"),
        ("get", "/v1/usage"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    // What each route answers besides success is in its entry.
    let answers = |method: &str, path: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} has no responses"))
            .keys()
            .cloned()
            .collect()
    };
    for (method, path) in [
        ("post", "/v1/prospecting/sessions"),
        ("get", "/v1/prospecting/sessions/{search_id}"),
        ("post", "/v1/prospecting/sessions/{search_id}/quote"),
        ("post", "/v1/prospecting/sessions/{search_id}/export"),
        ("post", "/v1/prospecting/sessions/{search_id}/push"),
        ("get", "/v1/prospecting/taxonomy"),
        ("get", "/v1/prospecting/wallet"),
    ] {
        let listed = answers(method, path);
        for status in ["401", "403", "429"] {
            assert!(
                listed.iter().any(|s| s == status),
                "{method} {path} does not list {status}: {listed:?}"
            );
        }
    }
    for (method, path, statuses) in [
        (
            "post",
            "/v1/prospecting/sessions/{search_id}/push",
            &["402", "409", "410"][..],
        ),
        (
            "post",
            "/v1/deliveries/{delivery_id}/retry",
            &["400", "404", "409", "410"][..],
        ),
        (
            "post",
            "/v1/prospecting/embed-sessions/server",
            &["201", "400", "401", "403"][..],
        ),
    ] {
        let listed = answers(method, path);
        for status in statuses {
            assert!(
                listed.iter().any(|s| s == status),
                "{method} {path} does not list {status}: {listed:?}"
            );
        }
    }
    assert!(doc["components"]["schemas"]["MintEmbedSession"].is_object());
    assert!(doc["components"]["securitySchemes"]["embed_token"].is_object());
    assert!(doc["components"]["schemas"]["WalletView"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["schemas"]["PersonSearchResponse"].is_object());
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    let params: Vec<&str> = doc["paths"]["/v1/persons/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "q",
        "limit",
        "cursor",
        "max_records",
        "dedupe_token",
        "location_state",
    ] {
        assert!(params.contains(&name), "{name} missing from {params:?}");
    }

    http.get(server.url("/healthz")).send().await.unwrap();
    http.get(server.url("/no/such/thing")).send().await.unwrap();
    let metrics = http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Two: the test server's readiness probe and the request above.
    assert!(
        metrics.contains(
            r#"quarry_http_requests_total{method="GET",route="/healthz",status="200"} 2"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"route="unmatched",status="404""#),
        "{metrics}"
    );
    assert!(
        metrics.contains("quarry_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    server.stop().await;
});

contract!(widget_files_are_served_with_cache_policies, |store, _db| {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("secret.txt"), "top secret").unwrap();
    let dist = root.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(
        dist.as_path().join("index.html"),
        "<!doctype html><title>Quarry</title>",
    )
    .unwrap();
    std::fs::write(
        dist.as_path()
            .join("quarry-widget-0123456789abcdef_bg.wasm"),
        b"\0asm",
    )
    .unwrap();
    let server = TestServer::start(store.store.clone(), dist.as_path().to_path_buf()).await;
    let http = client();

    let response = http.get(server.url("/embed/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("<title>Quarry</title>"));

    let response = http
        .get(server.url("/embed/quarry-widget-0123456789abcdef_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let response = http
        .get(server.url("/embed/missing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(response).await.error.code, "not_found");

    // A traversal the client does not normalise must not escape the widget folder.
    let response = http
        .get(server.url("/embed/..%2fsecret.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!response.text().await.unwrap().contains("top secret"));
    server.stop().await;
});

/// A database busy with another writer for longer than the lock wait is a 503
/// with `retry-after` (try again shortly), not a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_sqlite_database_answers_503_with_retry_after() {
    use quarry_server::store::{ConnectOptions, Store};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("busy.db").display());
    let store = Store::open(
        &url,
        &ConnectOptions {
            acquire_timeout: std::time::Duration::from_millis(500),
            ..ConnectOptions::default()
        },
    )
    .await
    .unwrap();
    let server = TestServer::start(store.clone(), dir.path().to_path_buf()).await;
    // Another process holds the write lock.
    let other = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut lock = other.begin_with("begin immediate").await.unwrap();
    sqlx::query("update data_version set version = version + 0")
        .execute(&mut *lock)
        .await
        .unwrap();
    let response = client()
        .post(server.url("/v1/partner-customers"))
        .bearer_auth(&server.key)
        .json(&serde_json::json!({"customer_id": "acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let body = error_of(response).await;
    assert_eq!(body.error.code, "service_unavailable");
    lock.rollback().await.unwrap();
    // Once the lock is gone the same request succeeds.
    let response = client()
        .post(server.url("/v1/partner-customers"))
        .bearer_auth(&server.key)
        .json(&serde_json::json!({"customer_id": "acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    server.stop().await;
}
