//! Test databases and a real server on port 0.
//!
//! PostgreSQL comes from `QUARRY_TEST_POSTGRES_URL` (an admin URL of a throwaway
//! cluster that `make test` starts); each test gets a fresh database in it. Without
//! the variable the PostgreSQL variants are skipped, unless `QUARRY_REQUIRE_POSTGRES=1`
//! (set by `make test`), in which case they fail.

use std::path::PathBuf;

use quarry_server::partners::customers::CreateCustomer;
use quarry_server::partners::keys::{issue_secret_key, Scope};
use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::{ConnectOptions, Store};
use quarry_server::wallet::{EnforcementMode, Grant, ResetPolicy};
use quarry_server::ServeConfig;
use rand::distr::{Alphanumeric, SampleString};

/// Which backend a contract test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A migrated, empty store plus whatever keeps it alive (a temp dir for SQLite).
pub struct TestStore {
    pub store: Store,
    /// The database URL, for tests that read rows the API does not show.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestStore {
    /// Runs a raw statement beside the server (a change the API cannot make, such
    /// as a record removed behind the index's back).
    pub async fn execute(&self, sql: &str) {
        if self.url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.url).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&pool)
                .await
                .expect(sql);
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&self.url).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&pool)
                .await
                .expect(sql);
            pool.close().await;
        }
    }

    /// One text column of every row of raw SQL, read beside the server.
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        let query = sqlx::AssertSqlSafe(sql.to_owned());
        if self.url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.url).await.expect("connect");
            let rows = sqlx::query_scalar(query).fetch_all(&pool).await.expect(sql);
            pool.close().await;
            rows
        } else {
            let pool = sqlx::PgPool::connect(&self.url).await.expect("connect");
            let rows = sqlx::query_scalar(query).fetch_all(&pool).await.expect(sql);
            pool.close().await;
            rows
        }
    }

    /// One number from raw SQL (`select count(*) …`), read beside the server.
    pub async fn scalar(&self, sql: &str) -> i64 {
        if self.url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.url).await.expect("connect");
            let n: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&pool)
                .await
                .expect(sql);
            pool.close().await;
            n.unwrap_or(0)
        } else {
            let pool = sqlx::PgPool::connect(&self.url).await.expect("connect");
            let n: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&pool)
                .await
                .expect(sql);
            pool.close().await;
            n.unwrap_or(0)
        }
    }
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

/// A fresh store on `db`, or `None` when PostgreSQL is not configured (and not required).
pub async fn store(db: Db) -> Option<TestStore> {
    match db {
        Db::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("quarry.db").display());
            let store = Store::open(&url, &ConnectOptions::default())
                .await
                .expect("open sqlite");
            Some(TestStore {
                store,
                url,
                _dir: Some(dir),
            })
        }
        Db::Postgres => {
            let admin = match std::env::var("QUARRY_TEST_POSTGRES_URL") {
                Ok(url) if !url.is_empty() => url,
                _ => {
                    assert!(
                        std::env::var("QUARRY_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                        "QUARRY_REQUIRE_POSTGRES=1 but QUARRY_TEST_POSTGRES_URL is not set"
                    );
                    eprintln!(
                        "skipping the PostgreSQL variant: QUARRY_TEST_POSTGRES_URL is not set"
                    );
                    return None;
                }
            };
            let name = format!(
                "quarry_test_{}",
                Alphanumeric
                    .sample_string(&mut rand::rng(), 12)
                    .to_lowercase()
            );
            let admin_pool = sqlx::PgPool::connect(&admin)
                .await
                .expect("connect to the PostgreSQL admin URL");
            sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                .execute(&admin_pool)
                .await
                .expect("create test database");
            admin_pool.close().await;
            let (base, _) = admin
                .rsplit_once('/')
                .expect("admin URL ends with /DATABASE");
            let url = format!("{base}/{name}");
            let store = Store::open(&url, &ConnectOptions::default())
                .await
                .expect("open postgres");
            Some(TestStore {
                store,
                url,
                _dir: None,
            })
        }
    }
}

/// Declares `mod $name { sqlite(), postgres() }` running the same async body on each
/// backend. The body receives a `TestStore` and the `Db`.
#[macro_export]
macro_rules! contract {
    ($name:ident, |$store:ident, $db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($store: $crate::support::TestStore, $db: $crate::support::Db) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let store = $crate::support::store($crate::support::Db::Sqlite).await.unwrap();
                body(store, $crate::support::Db::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(store) = $crate::support::store($crate::support::Db::Postgres).await {
                    body(store, $crate::support::Db::Postgres).await;
                }
            }
        }
    };
}

/// A partner account and one secret key, made through the store as the CLI does.
#[derive(Debug, Clone)]
pub struct TestPartner {
    pub partner_id: String,
    pub key_id: String,
    pub secret: String,
}

/// A new partner with a key of `mode` carrying `scopes`.
pub async fn partner_with(store: &Store, mode: Mode, scopes: &[Scope]) -> TestPartner {
    let partner = store
        .create_partner("Test partner", now())
        .await
        .expect("create partner");
    add_key(store, &partner.partner_id, mode, scopes).await
}

/// A new live partner with an all-scopes key.
/// A test server on `store` without widget files, a client for it, and a partner
/// with every scope.
pub async fn serve(store: &Store) -> (TestServer, crate::api::Api, TestPartner) {
    let server =
        TestServer::start(store.clone(), std::env::temp_dir().join("quarry-no-widget")).await;
    let api = crate::api::Api::new(&server);
    let partner = partner(store).await;
    (server, api, partner)
}

pub async fn partner(store: &Store) -> TestPartner {
    partner_with(store, Mode::Live, &Scope::ALL).await
}

/// Another key for an existing partner.
pub async fn add_key(store: &Store, partner_id: &str, mode: Mode, scopes: &[Scope]) -> TestPartner {
    let issued = issue_secret_key(mode);
    let tenant = Tenant {
        partner_id: partner_id.to_owned(),
        mode,
    };
    let key = store
        .insert_api_key(&tenant, &issued, None, scopes, now())
        .await
        .expect("insert key");
    TestPartner {
        partner_id: partner_id.to_owned(),
        key_id: key.key_id,
        secret: issued.secret,
    }
}

/// The current unix time.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A real server on an ephemeral port, stopped when dropped. `key` is a live,
/// all-scopes secret key of a partner made for this server.
pub struct TestServer {
    pub base: String,
    pub key: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(store: Store, widget_dir: PathBuf) -> TestServer {
        TestServer::start_with(store, widget_dir, |_| {}).await
    }

    /// Starts with the test configuration changed by `configure`.
    pub async fn start_with(
        store: Store,
        widget_dir: PathBuf,
        configure: impl FnOnce(&mut ServeConfig),
    ) -> TestServer {
        let key = partner(&store).await.secret;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let mut config = ServeConfig::for_tests(widget_dir);
        configure(&mut config);
        let task = tokio::spawn(quarry_server::run(config, store, listener, async {
            let _ = stopped.await;
        }));
        let base = format!("http://{addr}");
        // Ready once it answers: start-up writes (its secrets) are done, so a test
        // that then holds the database's lock measures requests, not start-up.
        let http = reqwest::Client::new();
        let started = std::time::Instant::now();
        loop {
            assert!(!task.is_finished(), "the server stopped while starting");
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "the server did not start"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        TestServer {
            base,
            key,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops accepting, drains, and reports how the server ended.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server ran cleanly");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Writes `contents` to `dir/name` and returns the path.
pub fn write_file(dir: &std::path::Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test file");
    path
}

/// A live partner's customer `acme` with a rollover wallet in `mode`, holding
/// `grants` of (units, expiry) that started a minute ago.
pub async fn wallet_customer(
    store: &Store,
    mode: EnforcementMode,
    grants: &[(i64, Option<i64>)],
) -> (Tenant, String) {
    let p = partner(store).await;
    let tenant = Tenant {
        partner_id: p.partner_id,
        mode: Mode::Live,
    };
    let (external, settings) = CreateCustomer {
        customer_id: "acme".into(),
        credit_enforcement_mode: Some(mode),
        credit_reset_policy: Some(ResetPolicy::Rollover),
        ..CreateCustomer::default()
    }
    .into_settings(false)
    .unwrap();
    let c = store
        .insert_customer(&tenant, &external, &settings, None, now())
        .await
        .unwrap()
        .unwrap();
    for (i, (units, expires_at)) in grants.iter().enumerate() {
        let grant = Grant {
            id: String::new(),
            units: *units,
            credit_type: None,
            starts_at: now() - 60,
            expires_at: *expires_at,
            created_at: now() - 60 + i as i64,
        };
        store
            .add_grant(&tenant, &c.partner_customer_id, &grant, None)
            .await
            .unwrap()
            .unwrap();
    }
    (tenant, c.partner_customer_id)
}

/// Buys `people` for a customer at `units_per_record`, as a purchase route does
/// (begin, commit; no delivery).
pub async fn buy(
    store: &Store,
    tenant: &Tenant,
    customer_id: &str,
    people: &[u32],
    units_per_record: i64,
) -> Result<quarry_server::store::Purchased, quarry_server::store::SpendRefusal> {
    let purchase = store
        .begin_purchase(
            quarry_server::store::PurchaseOrder {
                tenant,
                customer_id,
                people,
                units_per_record,
                user_id: Some("u-1"),
                search_id: None,
            },
            now(),
        )
        .await
        .expect("no database error")?;
    Ok(purchase.commit().await.expect("commit"))
}

/// A partner with an embed key (allowed on [`EMBED_ORIGIN`], with `key` settings
/// on top), a server configured by `configure`, `people` seeded people, and one
/// customer `acme` with a token from an embed session: what the iframe's tests
/// start from.
pub struct EmbedSetup {
    pub server: TestServer,
    pub api: crate::api::Api,
    pub partner: TestPartner,
    /// The embed key's create answer (public key, secrets, `embed_key`).
    pub key: serde_json::Value,
    pub token: String,
    pub customer: String,
}

/// The origin [`EmbedSetup`]'s embed key allows.
pub const EMBED_ORIGIN: &str = "https://app.partner.example";

impl EmbedSetup {
    pub async fn start(
        store: &Store,
        people: u64,
        key: serde_json::Value,
        configure: impl FnOnce(&mut ServeConfig),
    ) -> EmbedSetup {
        quarry_server::seed::seed_demo(
            store,
            &quarry_server::seed::SeedOptions {
                people,
                seed: 8,
                progress: false,
            },
        )
        .await
        .expect("seed");
        let server = TestServer::start_with(
            store.clone(),
            std::env::temp_dir().join("quarry-no-widget"),
            configure,
        )
        .await;
        let api = crate::api::Api::new(&server);
        let partner = partner(store).await;
        let mut body = serde_json::json!({"allowed_origins": [EMBED_ORIGIN]});
        if let (Some(b), Some(extra)) = (body.as_object_mut(), key.as_object()) {
            b.extend(extra.clone());
        }
        let key = api.embed_key(&partner.secret, body).await;
        let session = api
            .session(
                Some(EMBED_ORIGIN),
                &serde_json::json!({"partner_key": key["public_key"], "customer_id": "acme"}),
            )
            .await
            .expect(201);
        EmbedSetup {
            token: session["token"].as_str().expect("token").to_owned(),
            customer: session["partner_customer_id"]
                .as_str()
                .expect("id")
                .to_owned(),
            server,
            api,
            partner,
            key,
        }
    }

    /// Grants the customer `units` credits.
    pub async fn grant(&self, units: i64) {
        self.api
            .post(
                &format!("/v1/partner-customers/{}/wallet/credits", self.customer),
                &self.partner.secret,
                &serde_json::json!({"credit_units": units}),
            )
            .await
            .expect(201);
    }

    /// Starts a session for `q` with pages of `limit`: its id and first page.
    pub async fn search(&self, q: &str, limit: u32) -> (String, serde_json::Value) {
        let page = self
            .api
            .post(
                "/v1/prospecting/sessions",
                &self.token,
                &serde_json::json!({"q": q, "limit": limit}),
            )
            .await
            .expect(201);
        (
            page["search_id"].as_str().expect("search id").to_owned(),
            page,
        )
    }
}

/// Percent-encodes one query-string value (`applied_filters` JSON, a `q`).
pub fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Polls `holds` until it is true, and asserts it became true within a second:
/// what another process changes (a revocation, a suspension), a server obeys
/// that soon, through its change feed, without reading the store per request.
pub async fn within_a_second<F, Fut>(what: &str, mut holds: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !holds().await {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{what}: not within a second"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
